"""Large populations: the Newton steps' derivatives from a weighted sample of rows give the same
MPNE_k and robust policy as the exact path (issue 12); the one-pass value-and-gradient and the
stacked Plackett-Luce game equal the per-voter / per-type formulas they replace."""

import numpy as np
import pandas as pd
import pytest

from aggregation import Profile, RewardPopulation, mpne, robust_policy
from aggregation.testtime import plackett_luce as _pl_game
from aggregation.testtime.games import systematic_sample
from aggregation.testtime.ranking_game import RankingGame

EXACT = 10**9  # derivative_rows at least the row count: the exact path


def _random_profile(seed: int, n: int, m: int, ties: bool) -> Profile:
    rng = np.random.default_rng(seed)
    if ties:
        levels = rng.integers(0, max(2, m - 2), size=(n, m))
    else:
        levels = np.argsort(rng.random((n, m)), axis=1)
        # a planted majority order makes some responses unused: a support to find, not only an interior point
        levels = np.where(rng.random((n, 1)) < 0.4, np.arange(m)[None, :], levels)
    return Profile.from_levels(levels, [f"a{j}" for j in range(m)], rng.integers(1, 5, size=n).astype(float))


@pytest.mark.parametrize("seed, ties", [(1, False), (2, True), (3, False)])
@pytest.mark.parametrize("k", [1, 2, 4, 8])
def test_sampled_derivatives_agree_with_the_exact_path_on_rankings(seed, ties, k):
    profile = _random_profile(seed, 300, 7, ties)
    assert profile.n_rows > 40  # so that 40 rows really is a sample
    for solve in (mpne, robust_policy):
        exact = solve(profile, k, derivative_rows=EXACT)
        fast = solve(profile, k, derivative_rows=40)
        assert exact.certificate.converged and fast.certificate.converged
        np.testing.assert_allclose(fast.values.to_numpy(), exact.values.to_numpy(), rtol=0, atol=1e-9)
        assert fast.certificate.guarantee == pytest.approx(exact.certificate.guarantee, abs=1e-9)


@pytest.mark.parametrize("k", [2, 3])
def test_sampled_derivatives_agree_with_the_exact_path_on_user_types(k):
    rng = np.random.default_rng(7)
    rewards = pd.DataFrame(rng.normal(0, 1.5, size=(60, 5)), columns=list("ABCDE"), index=[f"t{i}" for i in range(60)])
    population = RewardPopulation(rewards, weights=rng.integers(1, 4, size=60).astype(float))
    for solve in (mpne, robust_policy):
        exact = solve(population, k, derivative_rows=EXACT)
        fast = solve(population, k, derivative_rows=12)
        assert exact.certificate.converged and fast.certificate.converged
        np.testing.assert_allclose(fast.values.to_numpy(), exact.values.to_numpy(), rtol=0, atol=1e-9)


@pytest.mark.parametrize("ties", [False, True])
@pytest.mark.parametrize("k", [1, 2, 5])
def test_one_pass_value_and_gradient_equal_the_per_level_formulas(ties, k):
    profile = _random_profile(11, 120, 6, ties)
    game = RankingGame(profile.levels, profile.weights, k)
    rng = np.random.default_rng(k)
    pi, lam = rng.dirichlet(np.ones(6)), rng.dirichlet(np.ones(6))
    U, grad = game.sorted.power_sum_and_gradient(pi, lam, k)
    # brute force: U_y = sum_i w_i B_i(y)^k; grad = J^T lam with J[y, z] = k sum_i w_i B_i(y)^(k-1) [l_i(z) > l_i(y)]
    lv, w = profile.levels, profile.weights / profile.weights.sum()
    below = np.array([[pi[lv[i] > lv[i, y]].sum() for y in range(6)] for i in range(len(w))])
    J = np.array([[k * (w * below[:, y] ** (k - 1) * (lv[:, z] > lv[:, y])).sum() for z in range(6)] for y in range(6)])
    np.testing.assert_allclose(U, w @ below**k, rtol=0, atol=1e-15)
    np.testing.assert_allclose(grad, J.T @ lam, rtol=0, atol=1e-14)


def test_stacked_set_game_equals_the_sum_over_types():
    rng = np.random.default_rng(5)
    rho = rng.normal(0, 2, size=(4, 5))
    rho -= rho.max(axis=1, keepdims=True)
    shares = np.array([0.1, 0.2, 0.3, 0.4])
    pi, lam = rng.dirichlet(np.ones(5)), rng.dirichlet(np.ones(5))
    whole = _pl_game.SetGame(rho, shares, 3)
    parts = [_pl_game.SetGame(rho[i : i + 1], [1.0], 3) for i in range(4)]
    for method, args in (
        ("utility", (pi,)),
        ("jacobian", (pi,)),
        ("gradient_of_mix", (pi, lam)),
        ("hessian_of_mix", (pi, lam)),
    ):
        expected = sum(s * getattr(part, method)(*args) for s, part in zip(shares, parts))
        np.testing.assert_allclose(getattr(whole, method)(*args), expected, rtol=1e-13, atol=1e-16)


def test_systematic_sample_by_hand():
    # cumulative shares 0.5, 0.75, 1.0; points 1/8, 3/8, 5/8, 7/8 fall in rows 0, 0, 1, 2
    rows, counts = systematic_sample(np.array([2.0, 1.0, 1.0]), 4)
    assert rows.tolist() == [0, 1, 2] and counts.tolist() == [2, 1, 1]
    # cumulative shares 0.1, 0.2, ...; points 0.125, 0.375, 0.625, 0.875 fall in rows 1, 3, 6, 8
    rows, counts = systematic_sample(np.ones(10), 4)
    assert rows.tolist() == [1, 3, 6, 8] and counts.tolist() == [1] * 4


def test_a_cancelled_solve_raises_cancelled_and_progress_rises():
    from aggregation.errors import Cancelled

    profile = _random_profile(4, 200, 6, False)
    seen = []
    mpne(profile, 3, progress=lambda f: seen.append(f) or True)
    assert seen[0] == 0.0 and seen[-1] == 1.0 and all(b >= a for a, b in zip(seen, seen[1:]))
    calls = []
    with pytest.raises(Cancelled):
        robust_policy(profile, 3, progress=lambda f: calls.append(f) or len(calls) < 3)
    assert len(calls) == 3  # stopped at the first False
