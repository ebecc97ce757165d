"""The torch losses against values computed by hand, and their defining properties."""

import itertools
import math

import pytest

torch = pytest.importorskip("torch", reason="the training stack (requirements-train.txt) is not installed")
from hypothesis import given, settings
from hypothesis import strategies as st

from worker.losses import (
    consistent_loss,
    dpo_loss,
    ipo_loss,
    kl_regularized_policy_loss,
    mallows_rmj_loss,
    mnl_loss,
    policy_gradient_loss,
    restricted_kl,
)

LN2 = math.log(2.0)


def t(x):
    return torch.tensor(x, dtype=torch.float64)


def test_dpo_by_hand():
    # rows: -log sigmoid(0.5 * 1) and -log sigmoid(0.5 * -2)
    expected = (math.log1p(math.exp(-0.5)) + math.log1p(math.exp(1.0))) / 2
    assert dpo_loss(t([1.0, 0.0]), t([0.0, 2.0]), 0.5).item() == pytest.approx(expected, rel=1e-12)


def test_ipo_by_hand():
    # 1 / (2 beta) = 2: (1 - 0 - 2)^2 = 1 and (0 - 2 - 2)^2 = 16
    assert ipo_loss(t([1.0, 0.0]), t([0.0, 2.0]), 0.25).item() == pytest.approx(8.5, rel=1e-12)


def test_mnl_single_best_and_top_two_by_hand():
    lr = t([[0.0, math.log(2.0), math.log(3.0)]])  # beta 1: choice weights 1, 2, 3
    assert mnl_loss(lr, torch.tensor([[2]]), 1.0).item() == pytest.approx(LN2)  # -log 3/6
    # then 2 out of {1, 2}: -log 3/6 - log 2/3 = log 3
    assert mnl_loss(lr, torch.tensor([[2, 1]]), 1.0).item() == pytest.approx(math.log(3.0))


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(-3, 3), min_size=2, max_size=2), st.floats(0.05, 2.0))
def test_mnl_with_two_responses_is_dpo(pair, beta):
    a, b = pair
    assert mnl_loss(t([[a, b]]), torch.tensor([[0]]), beta).item() == pytest.approx(
        dpo_loss(t([a]), t([b]), beta).item(), rel=1e-9, abs=1e-12
    )


def test_mallows_rmj_smoothed_positions_by_hand():
    """RCPO Table 1 with all scores equal: every sigmoid is 1/2."""
    lr = t([[0.0, 0.0, 0.0]])
    phi = 0.5
    # single best: -log phi * (1/2 + 1/2)
    assert mallows_rmj_loss(lr, torch.tensor([[0]]), 1.0, phi).item() == pytest.approx(LN2)
    # top-2: -log phi * ((|S| - 1) * 1/2 + 1/2) = 1.5 log 2
    assert mallows_rmj_loss(lr, torch.tensor([[0, 1]]), 1.0, phi).item() == pytest.approx(1.5 * LN2)


def test_mallows_rmj_with_crisp_positions_plus_the_dropped_constant_is_equation_9():
    """Far-apart scores make the sigmoids 0/1: exp(-loss) / (1 + phi + phi^2 + phi^3) is then RCPO's
    eq. (9), phi^(pos-1) / (1 + ... + phi^3), which sums to one over the possible choices."""
    lr = t([[1.0, 2.0, 0.0, 3.0]])  # central ranking: 3, 1, 0, 2
    beta, phi = 200.0, 0.3
    bracket = 1 + phi + phi**2 + phi**3
    probs = [math.exp(-mallows_rmj_loss(lr, torch.tensor([[i]]), beta, phi).item()) / bracket for i in range(4)]
    expected = [phi**pos / bracket for pos in (2, 1, 3, 0)]
    assert probs == pytest.approx(expected, rel=1e-9)
    assert sum(probs) == pytest.approx(1.0)
    # top-2 lists: psi(4) / psi(2) = (1 + phi + phi^2 + phi^3)(1 + phi + phi^2)
    norm = bracket * (1 + phi + phi**2)
    tops = [
        math.exp(-mallows_rmj_loss(lr, torch.tensor([list(p)]), beta, phi).item()) / norm
        for p in itertools.permutations(range(4), 2)
    ]
    assert sum(tops) == pytest.approx(1.0)


@pytest.mark.parametrize("phi", [0.0, -0.5, 1.5, [0.5, 1.2]])
def test_mallows_rmj_refuses_phi_outside_its_range(phi):
    with pytest.raises(ValueError, match="phi"):
        mallows_rmj_loss(t([[0.0, 1.0], [1.0, 0.0]]), torch.tensor([[0], [0]]), 1.0, phi)


def test_mallows_rmj_per_row_phi_and_phi_one():
    lr, top = t([[0.3, -1.0, 2.0], [0.0, 0.5, 0.1]]), torch.tensor([[2, 0], [1, 2]])
    rows = [mallows_rmj_loss(lr[i : i + 1], top[i : i + 1], 1.0, phi).item() for i, phi in enumerate((0.2, 0.7))]
    assert mallows_rmj_loss(lr, top, 1.0, t([0.2, 0.7])).item() == pytest.approx(sum(rows) / 2, rel=1e-12)
    # phi = 1 (uniform rankings): -log phi = 0, no signal
    assert mallows_rmj_loss(lr, top, 1.0, 1.0).item() == 0.0


def test_consistent_loss_by_hand():
    # h = 0.5; 3 types: all prefer a, none does, they disagree
    got = consistent_loss(t([1.0, 1.0, 1.0]), t([0.0, 0.0, 0.0]), torch.tensor([3, 0, 2]), 3, 0.5).item()
    expected = (math.log1p(math.exp(-1.5)) + math.log1p(math.exp(1.5)) + 0.0) / 3
    assert got == pytest.approx(expected, rel=1e-12)


def test_consistent_loss_ignores_disputed_pairs_entirely():
    lr_a = t([0.3, -1.0]).requires_grad_()
    consistent_loss(lr_a, t([0.0, 0.0]), torch.tensor([1, 2]), 3, 1.0).backward()
    assert lr_a.grad.tolist() == [0.0, 0.0]


def test_restricted_kl_by_hand():
    p, q = t([0.5, 0.5]).log(), t([0.25, 0.75]).log()
    assert restricted_kl(p, q).item() == pytest.approx(0.5 * math.log(2.0) + 0.5 * math.log(2 / 3))
    # sequence log-probs need not be normalised: only the restricted distributions matter
    assert restricted_kl(p - 3.0, q + 1.0).item() == pytest.approx(restricted_kl(p, q).item())


def test_kl_regularized_policy_loss_is_minimised_by_the_tilted_reference():
    ref = t([0.2, 0.5, 0.3]).log()
    reward, beta = t([1.0, 0.0, 0.5]), 0.4
    optimum = (ref + reward / beta).detach().requires_grad_()
    kl_regularized_policy_loss(optimum, ref, reward, beta).backward()
    assert optimum.grad.abs().max().item() < 1e-12
    elsewhere = (ref + reward / beta + t([0.3, 0.0, 0.0])).detach()
    assert kl_regularized_policy_loss(elsewhere, ref, reward, beta) > kl_regularized_policy_loss(
        optimum, ref, reward, beta
    )


def test_policy_gradient_loss_gradient_by_hand():
    logits = t([0.0, 0.0]).requires_grad_()
    logp = torch.log_softmax(logits, 0)
    # one sample of response 0 with advantage 2 and importance weight 0.5: grad = -(1)(e_0 - p)
    policy_gradient_loss(logp[torch.tensor([0])], t([2.0]), t([0.5])).backward()
    assert logits.grad.tolist() == pytest.approx([-0.5, 0.5])


def test_losses_average_over_the_batch():
    one = dpo_loss(t([1.0]), t([0.0]), 1.0)
    assert dpo_loss(t([1.0, 1.0, 1.0]), t([0.0, 0.0, 0.0]), 1.0).item() == pytest.approx(one.item())
