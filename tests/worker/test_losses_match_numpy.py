"""The torch losses against the core's numpy references (same names, same argument order)."""

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="the training stack (requirements-train.txt) is not installed")

ref = pytest.importorskip("aggregation.losses")

from worker import losses  # noqa: E402

RNG = np.random.default_rng(2024)


def _close(torch_value, numpy_value):
    assert float(torch_value) == pytest.approx(float(numpy_value), rel=1e-7, abs=1e-9)


@pytest.mark.parametrize("name", ["dpo_loss", "ipo_loss"])
@pytest.mark.parametrize("beta", [0.05, 0.5, 2.0])
def test_pairwise_losses(name, beta):
    c, r = RNG.normal(size=64) * 3, RNG.normal(size=64) * 3
    _close(getattr(losses, name)(torch.tensor(c), torch.tensor(r), beta), getattr(ref, name)(c, r, beta))


@pytest.mark.parametrize("K,k", [(2, 1), (4, 1), (4, 2), (5, 4)])
def test_mnl_loss(K, k):
    lr = RNG.normal(size=(32, K)) * 2
    top = np.stack([RNG.permutation(K)[:k] for _ in range(32)])
    _close(losses.mnl_loss(torch.tensor(lr), torch.tensor(top), 0.7), ref.mnl_loss(lr, top, 0.7))


@pytest.mark.parametrize("K,k", [(2, 1), (4, 1), (4, 3)])
@pytest.mark.parametrize("phi", [0.2, 0.5, 0.9])
def test_mallows_rmj_loss(K, k, phi):
    lr = RNG.normal(size=(32, K)) * 2
    top = np.stack([RNG.permutation(K)[:k] for _ in range(32)])
    _close(
        losses.mallows_rmj_loss(torch.tensor(lr), torch.tensor(top), 0.7, phi), ref.mallows_rmj_loss(lr, top, 0.7, phi)
    )


def test_mallows_rmj_loss_with_one_phi_per_row():
    lr = RNG.normal(size=(32, 4)) * 2
    top = np.stack([RNG.permutation(4)[:2] for _ in range(32)])
    phi = RNG.uniform(0.05, 1.0, size=32)
    _close(
        losses.mallows_rmj_loss(torch.tensor(lr), torch.tensor(top), 0.7, torch.tensor(phi)),
        ref.mallows_rmj_loss(lr, top, 0.7, phi),
    )


@pytest.mark.parametrize("n_types", [1, 2, 5])
def test_consistent_loss(n_types):
    a, b = RNG.normal(size=64), RNG.normal(size=64)
    votes = RNG.integers(0, n_types + 1, size=64)
    _close(
        losses.consistent_loss(torch.tensor(a), torch.tensor(b), torch.tensor(votes), n_types, 0.3),
        ref.consistent_loss(a, b, votes, n_types, 0.3),
    )


@pytest.mark.parametrize("n_types", [1, 2, 5, 30])
def test_consistent_b3_loss(n_types):
    a, b = RNG.normal(size=64) * 3, RNG.normal(size=64) * 3
    votes = RNG.integers(0, n_types + 1, size=64)
    _close(
        losses.consistent_b3_loss(torch.tensor(a), torch.tensor(b), torch.tensor(votes), n_types, 0.3),
        ref.consistent_b3_loss(a, b, votes, n_types, 0.3),
    )


def test_consistent_b3_gradient_is_the_exact_slope():
    """d loss / d h = -sigmoid(h) sigmoid(-h) (1 + exp(-n h)) on rows where all n types prefer a (Prop. B.3's
    dI/ds = (1/s - 1)^n times ds/dh), against a central difference of the numpy reference."""
    a = torch.tensor(RNG.normal(size=8) * 2, requires_grad=True)
    b = torch.zeros(8, dtype=torch.float64)
    votes = torch.full((8,), 3)
    losses.consistent_b3_loss(a, b, votes, 3, 0.5).backward()
    h = 0.5 * a.detach().numpy()
    s = 1 / (1 + np.exp(-h))
    np.testing.assert_allclose(a.grad.numpy(), 0.5 * -(s * (1 - s) * (1 + np.exp(-3 * h))) / 8, rtol=1e-10)
    e = 1e-6
    numeric = [
        (
            ref.consistent_b3_loss(a.detach().numpy() + e * np.eye(8)[i], b.numpy(), votes.numpy(), 3, 0.5)
            - ref.consistent_b3_loss(a.detach().numpy() - e * np.eye(8)[i], b.numpy(), votes.numpy(), 3, 0.5)
        )
        / (2 * e)
        for i in range(8)
    ]
    np.testing.assert_allclose(a.grad.numpy(), numeric, rtol=1e-5, atol=1e-9)


@pytest.mark.parametrize("alpha", [0.0, 1.0, 3.0])
@pytest.mark.parametrize("clip", [None, 0.1])
@pytest.mark.parametrize("eps", [0.0, 1e-6, 0.05])
def test_corrected_dpo_loss(alpha, clip, eps):
    c, r = RNG.normal(size=64) * 3, RNG.normal(size=64) * 3
    V = RNG.uniform(0, 12, size=64)  # alpha V up to 36: rows below the floor appear at alpha = 3
    value = losses.corrected_dpo_loss(torch.tensor(c), torch.tensor(r), torch.tensor(V), 0.7, alpha, eps, clip)
    expected = ref.corrected_dpo_loss(c, r, V, 0.7, alpha, eps, clip)
    if np.isinf(expected):  # eps = 0 and a row with z <= 0: -log 0
        assert float(value) == np.inf
    else:
        _close(value, expected)


def _numeric_gradient(f, x, e=1e-6):
    return np.array([(f(x + e * np.eye(len(x))[i]) - f(x - e * np.eye(len(x))[i])) / (2 * e) for i in range(len(x))])


def test_corrected_dpo_gradient_matches_the_numpy_reference():
    """The gradient autograd takes through the log1p / log-sum-exp forms is the slope of the numpy reference
    (central differences), for a known V with the clip active on some rows and for eq. (16)'s V of the same h
    (the gradient then flows through sigma'(h)^2 as well)."""
    c0 = RNG.normal(size=16) * 2
    r = np.zeros(16)
    V = RNG.uniform(0, 8, size=16)
    c = torch.tensor(c0, requires_grad=True)
    losses.corrected_dpo_loss(c, torch.tensor(r), torch.tensor(V), 1.0, 1.0, 1e-6, 0.1).backward()
    expected = _numeric_gradient(lambda x: ref.corrected_dpo_loss(x, r, V, 1.0, 1.0, clip=0.1), c0)
    np.testing.assert_allclose(c.grad.numpy(), expected, rtol=1e-5, atol=1e-9)
    j1, j2 = RNG.uniform(0.1, 0.3, size=16), RNG.uniform(0.1, 0.3, size=16)
    c = torch.tensor(c0, requires_grad=True)
    losses.corrected_dpo_loss(
        c, torch.tensor(r), losses.joint_variance(torch.tensor(j1), torch.tensor(j2), c), 1.0, 2.0, 1e-6, 0.1
    ).backward()
    expected = _numeric_gradient(
        lambda x: ref.corrected_dpo_loss(x, r, ref.joint_variance(j1, j2, x), 1.0, 2.0, clip=0.1), c0
    )
    np.testing.assert_allclose(c.grad.numpy(), expected, rtol=1e-5, atol=1e-9)


def test_joint_variance_and_joint_likelihood():
    j1, j2 = RNG.uniform(0, 0.5, size=32), RNG.uniform(0, 0.5, size=32)
    h = RNG.normal(size=32) * 3
    np.testing.assert_allclose(
        losses.joint_variance(torch.tensor(j1), torch.tensor(j2), torch.tensor(h)).numpy(),
        ref.joint_variance(j1, j2, h),
        rtol=1e-12,
    )
    K, m = 3, 5
    R = RNG.normal(size=(K, m)) * 4
    w = RNG.dirichlet(np.ones(K))
    a, b, c, d = (RNG.integers(0, m, size=40) for _ in range(4))
    both = RNG.integers(0, 2, size=40)
    T = [torch.tensor(x) for x in (R, np.log(w), a, b, c, d)]
    np.testing.assert_allclose(
        losses.joint_likelihood(*T).numpy(), ref.joint_likelihood(R, np.log(w), a, b, c, d), rtol=1e-12
    )
    _close(
        losses.joint_likelihood_loss(*T, torch.tensor(both)), ref.joint_likelihood_loss(R, np.log(w), a, b, c, d, both)
    )


def test_weighted_joint_cross_entropy_is_the_mean_over_repeated_rows():
    R, w = RNG.normal(size=(2, 3)), np.log([0.4, 0.6])
    a, b, c, d = np.array([0, 1]), np.array([1, 2]), np.array([2, 0]), np.array([0, 1])
    both, counts = np.array([1, 0]), np.array([3, 1])
    repeated = [np.repeat(x, counts) for x in (a, b, c, d, both)]
    plain = ref.joint_likelihood_loss(R, w, *repeated)
    assert ref.joint_likelihood_loss(R, w, a, b, c, d, both, counts) == pytest.approx(plain, rel=1e-14)
    T = [torch.tensor(x) for x in (R, w, a, b, c, d, both, counts)]
    _close(losses.joint_likelihood_loss(*T), plain)
