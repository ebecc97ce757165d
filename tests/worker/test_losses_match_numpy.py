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
    _close(losses.mallows_rmj_loss(torch.tensor(lr), torch.tensor(top), 0.7, phi),
           ref.mallows_rmj_loss(lr, top, 0.7, phi))


def test_mallows_rmj_loss_with_one_phi_per_row():
    lr = RNG.normal(size=(32, 4)) * 2
    top = np.stack([RNG.permutation(4)[:2] for _ in range(32)])
    phi = RNG.uniform(0.05, 1.0, size=32)
    _close(losses.mallows_rmj_loss(torch.tensor(lr), torch.tensor(top), 0.7, torch.tensor(phi)),
           ref.mallows_rmj_loss(lr, top, 0.7, phi))


@pytest.mark.parametrize("n_types", [1, 2, 5])
def test_consistent_loss(n_types):
    a, b = RNG.normal(size=64), RNG.normal(size=64)
    votes = RNG.integers(0, n_types + 1, size=64)
    _close(losses.consistent_loss(torch.tensor(a), torch.tensor(b), torch.tensor(votes), n_types, 0.3),
           ref.consistent_loss(a, b, votes, n_types, 0.3))
