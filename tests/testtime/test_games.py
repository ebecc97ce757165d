"""The (k+1)-player equilibrium (MPNE) and the robust policy: hand-solved cases, certificates
checked against brute force, cvxpy as a reference for the convex program, properties."""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aggregation import (
    AggregationError,
    Profile,
    RewardPopulation,
    kwin_rate,
    maximal_lottery,
    mpne,
    robust_policy,
    robust_rate,
    sample_comparisons,
)
from aggregation.testtime import plackett_luce as _pl_game

from ..core.strategies import distributions, reward_populations, weak_order_profiles
from .reference import deviation_utility_by_tuples, pl_kwin_rate_by_tuples, robust_value_by_cvxpy

FIGURE_1 = Profile.parse("2: R > G > B\n3: B > R > G")


@pytest.mark.parametrize("k", [1, 2, 3, 8])
def test_figure_1_by_hand(k):
    # G is below R for everyone, so the equilibrium mixes R (share r) and B. Deviation utilities:
    # U(R) = 0.4 (1 - r)^k (the R-first voters, when every draw is B), U(B) = 0.6 r^k.
    # Indifference: 0.4 (1 - r)^k = 0.6 r^k, i.e. r / (1 - r) = (2/3)^(1/k).
    ratio = (2 / 3) ** (1 / k)
    r = ratio / (1 + ratio)
    pi = mpne(FIGURE_1, k)
    np.testing.assert_allclose(pi.values.to_numpy(), [r, 0.0, 1 - r], atol=1e-12)
    assert pi.certificate.guarantee == pytest.approx(1 - 0.6 * r**k, abs=1e-12)
    assert pi.certificate.gap <= 1e-12 and pi.certificate.converged is True
    assert pi.certificate.k == k


def test_k_1_equilibrium_is_not_the_maximal_lottery():
    # DESIGN: strict-preference utilities (MPNE) vs half-credit margins (maximal lottery)
    assert maximal_lottery(FIGURE_1).values.to_dict() == {"R": 0.0, "G": 0.0, "B": 1.0}
    assert mpne(FIGURE_1, 1)["R"] == pytest.approx(0.4, abs=1e-12)


@settings(max_examples=30, deadline=None)
@given(weak_order_profiles(max_m=4, max_n=5), st.integers(1, 3))
def test_certificate_holds_when_recomputed_by_brute_force(profile, k):
    pi = mpne(profile, k)
    assert pi.certificate.converged and pi.certificate.gap <= 1e-9
    p = pi.values.to_numpy()
    assert p.min() >= 0 and p.sum() == pytest.approx(1.0, abs=1e-12)
    U = deviation_utility_by_tuples(profile.levels, profile.weights, p, k)
    assert U.max() - p @ U <= 1e-9  # nobody gains by deviating
    assert pi.certificate.guarantee == pytest.approx(1 - U.max(), abs=1e-12)
    assert pi.certificate.guarantee >= k / (k + 1) - 1e-9  # the paper's guarantee


@settings(max_examples=25, deadline=None)
@given(weak_order_profiles(max_m=6, max_n=7), st.integers(1, 6))
def test_guarantees(profile, k):
    eq = mpne(profile, k)
    best = robust_policy(profile, k)
    assert eq.certificate.gap <= 1e-9
    assert eq.certificate.guarantee >= k / (k + 1) - 1e-9
    assert best.certificate.optimality_gap <= 1e-9
    assert best.certificate.guarantee >= eq.certificate.guarantee - 1e-9
    assert best.certificate.best_possible >= best.certificate.guarantee - 1e-12
    # the reported guarantees are the robust rates of the returned policies
    assert robust_rate(profile, eq, k).rate == pytest.approx(eq.certificate.guarantee, abs=1e-12)
    assert robust_rate(profile, best, k).rate == pytest.approx(best.certificate.guarantee, abs=1e-12)


@pytest.mark.parametrize("seed, k", [(0, 2), (1, 3), (2, 4)])
def test_robust_policy_matches_cvxpy(seed, k):
    rng = np.random.default_rng(seed)
    levels = rng.integers(0, 4, size=(6, 5))
    weights = rng.integers(1, 5, size=6).astype(float)
    profile = Profile.from_levels(levels, list("abcde"), weights)
    value, _ = robust_value_by_cvxpy(profile.levels, profile.weights, k)
    best = robust_policy(profile, k)
    assert 1 - best.certificate.guarantee == pytest.approx(value, abs=1e-6)
    assert best.certificate.optimality_gap <= 1e-9


def test_robust_policy_can_beat_the_equilibrium():
    # a population with ties where the best guarantee is strictly above the MPNE's
    profile = Profile.from_levels(
        [[2, 2, 0, 0], [1, 2, 0, 1], [3, 1, 3, 2], [0, 1, 1, 2], [0, 0, 0, 3]], list("abcd"), [2, 3, 2, 1, 2]
    )
    eq, best = mpne(profile, 1), robust_policy(profile, 1)
    assert best.certificate.guarantee > eq.certificate.guarantee + 0.01


TYPES = RewardPopulation({"u1": {"a": 0.0, "b": 1.0, "c": 2.0}, "u2": {"a": 2.0, "b": 0.5, "c": -1.0}}, [1.0, 2.0], 0.7)


def test_user_type_game_is_the_plackett_luce_set_comparison():
    """U(y; pi) = E_i E_S[w_i(y) / (w_i(y) + W_i(S))] (Cai & Zheng, section 2.1 and (3)); its
    Jacobian and the Hessian of a lam-mix against central differences."""
    rng = np.random.default_rng(3)
    game = _pl_game.SetGame(_pl_game.log_weights(TYPES), TYPES.shares, 3)
    pi = rng.dirichlet(np.ones(3))
    np.testing.assert_allclose(game.utility(pi), 1 - pl_kwin_rate_by_tuples(TYPES, pi, 3), atol=1e-14)
    h, eye = 1e-6, np.eye(3)
    J = np.column_stack([(game.utility(pi + h * eye[z]) - game.utility(pi - h * eye[z])) / (2 * h) for z in range(3)])
    np.testing.assert_allclose(game.jacobian(pi), J, atol=1e-8)
    lam = rng.dirichlet(np.ones(3))
    np.testing.assert_allclose(game.gradient_of_mix(pi, lam), game.jacobian(pi).T @ lam, atol=1e-15)
    H = np.column_stack(
        [
            (game.gradient_of_mix(pi + h * eye[z], lam) - game.gradient_of_mix(pi - h * eye[z], lam)) / (2 * h)
            for z in range(3)
        ]
    )
    np.testing.assert_allclose(game.hessian_of_mix(pi, lam), H, atol=1e-8)


@settings(max_examples=20, deadline=None)
@given(reward_populations(max_m=6, max_types=3), st.integers(1, 8), st.data())
def test_user_type_game_is_monotone(pop, k, data):
    """The proof in aggregation.testtime.plackett_luce: x^T J x = (k/2) E_i int (phi^{k-1})' psi^2 dt <= 0 for
    sum x = 0, and the lam-mix is convex (x^T H x >= 0)."""
    m = len(pop.alternatives)
    pi = data.draw(distributions(m, positive=False))
    x = np.array(data.draw(st.lists(st.floats(-1, 1), min_size=m, max_size=m)))
    x -= x.mean()
    game = _pl_game.SetGame(_pl_game.log_weights(pop), pop.shares, k)
    assert x @ game.jacobian(pi) @ x <= 1e-13
    lam = data.draw(distributions(m, positive=False))
    assert x @ game.hessian_of_mix(pi, lam) @ x >= -1e-13


def test_user_type_equilibrium_certificate_by_every_tuple_of_draws():
    for k in (2, 3, 5):
        eq = mpne(TYPES, k)
        assert "Plackett-Luce set comparison" in eq.method
        assert eq.certificate.evaluated_by == "exact (enumeration)"
        U = 1 - pl_kwin_rate_by_tuples(TYPES, eq.values.to_numpy(), k)
        p = eq.values.to_numpy()
        assert U.max() - p @ U <= 1e-12  # nobody gains by deviating
        assert eq.certificate.guarantee == pytest.approx(1 - U.max(), abs=1e-13)
        # with Plackett-Luce, E_{y~pi} U(y; pi) = 1/(k+1) for every pi (k + 1 exchangeable draws, no
        # ties), so an equilibrium's guarantee is exactly k/(k+1), and no single-output policy beats it
        assert eq.certificate.equilibrium_utility == pytest.approx(1 / (k + 1), abs=1e-13)
        assert eq.certificate.guarantee == pytest.approx(k / (k + 1), abs=1e-12)
        best = robust_policy(TYPES, k)
        assert best.certificate.guarantee == pytest.approx(k / (k + 1), abs=1e-9)
        assert best.certificate.best_possible == pytest.approx(k / (k + 1), abs=1e-9)


@settings(max_examples=15, deadline=None)
@given(reward_populations(max_m=5, max_types=3))
def test_user_types_mpne_1_is_the_maximal_lottery(pop):
    """For k = 1 the set comparison is Bradley-Terry with one half on the diagonal: the 2-player game
    is NLHF's (eq. (1)), whose equilibrium is the maximal lottery (unique for generic rewards)."""
    ml = maximal_lottery(pop)
    eq = mpne(pop, 1)
    assert eq.certificate.guarantee == pytest.approx(0.5, abs=1e-9)
    if ml.certificate.unique:
        np.testing.assert_allclose(eq.values.to_numpy(), ml.values.to_numpy(), atol=1e-7)


@pytest.mark.parametrize("seed", range(5))
def test_user_types_mpne_1_is_the_maximal_lottery_on_random_populations(seed):
    rng = np.random.default_rng(seed)
    m = int(rng.integers(3, 9))
    pop = RewardPopulation(
        pd.DataFrame(rng.normal(scale=2.0, size=(4, m)), index=list("wxyz"), columns=[f"y{j}" for j in range(m)]),
        rng.integers(1, 6, size=4),
    )
    np.testing.assert_allclose(mpne(pop, 1).values.to_numpy(), maximal_lottery(pop).values.to_numpy(), atol=1e-7)


@settings(max_examples=10, deadline=None)
@given(reward_populations(max_m=4, max_types=3), st.integers(1, 4))
def test_user_type_games_keep_their_guarantees(pop, k):
    eq, best = mpne(pop, k), robust_policy(pop, k)
    assert eq.certificate.gap <= 1e-9 and eq.certificate.guarantee >= k / (k + 1) - 1e-9
    assert best.certificate.guarantee >= eq.certificate.guarantee - 1e-9
    assert robust_rate(pop, eq, k).rate == pytest.approx(eq.certificate.guarantee, abs=1e-12)


def test_user_types_over_many_alternatives_are_solved_without_the_old_limit():
    # the former m! expansion stopped at 8 alternatives; the integral has no such limit
    names = [f"r{j}" for j in range(12)]
    big = RewardPopulation(pd.DataFrame(np.arange(24.0).reshape(2, 12) % 7, index=["u", "v"], columns=names))
    eq = mpne(big, 3)
    assert eq.certificate.converged and eq.certificate.guarantee == pytest.approx(3 / 4, abs=1e-9)
    assert robust_policy(big, 2).certificate.converged


def test_k_1_from_a_comparison_table_and_refusals():
    data = sample_comparisons(FIGURE_1, 500, seed=1)
    eq = mpne(data, 1)
    assert eq.certificate.converged and eq.certificate.guarantee >= 0.5
    with pytest.raises(AggregationError, match="only pairwise win rates"):
        mpne(data, 2)


def test_neutral_to_relabelling():
    rng = np.random.default_rng(5)
    levels = rng.integers(0, 3, size=(7, 5))
    names = list("abcde")
    profile = Profile.from_levels(levels, names, rng.integers(1, 4, size=7))
    perm = rng.permutation(5)
    relabelled = Profile.from_levels(levels[:, perm], [names[j] for j in perm], profile.weights)
    for solve in (mpne, robust_policy):
        a, b = solve(profile, 3).values, solve(relabelled, 3).values
        np.testing.assert_allclose(a[names].to_numpy(), b[names].to_numpy(), atol=1e-7)


def test_unanimous_population_and_single_alternative():
    one = Profile.parse("A > B > C")
    eq = mpne(one, 4)
    assert eq.values.to_dict() == {"A": 1.0, "B": 0.0, "C": 0.0} and eq.certificate.guarantee == 1.0
    single = Profile.parse("A")
    assert mpne(single, 2).values.to_dict() == {"A": 1.0} and robust_policy(single, 2).certificate.guarantee == 1.0


def test_everyone_indifferent_gives_the_uniform_centre():
    flat = Profile.parse("A = B = C = D")
    eq = mpne(flat, 3)
    np.testing.assert_allclose(eq.values.to_numpy(), [0.25] * 4, atol=1e-9)
    assert eq.certificate.guarantee == 1.0 and kwin_rate(flat, eq, 3).rates.min() == 1.0


def test_identical_alternatives_share_the_mass_and_flat_games_reach_the_exact_equilibrium():
    # b and c are tied in every ranking: equilibria form a segment; the returned one is symmetric
    twins = Profile.parse("2: a > b = c > d\n1: d > b = c > a\n1: b = c > d > a")
    eq = mpne(twins, 3)
    assert eq.certificate.converged and eq["b"] == pytest.approx(eq["c"], abs=1e-9)
    # A weakly Pareto-dominates B: the unique equilibrium is A alone, although utilities near it
    # are as flat as pi_B^4 (exploitability 1e-16 is reached with pi_B still around 1e-4)
    flat = mpne(Profile.parse("A > B > C\nA = B > C"), 4)
    assert flat.values.to_dict() == {"A": 1.0, "B": 0.0, "C": 0.0}


@pytest.mark.parametrize("k", [8, 16])
def test_larger_games_converge(k):
    rng = np.random.default_rng(k)
    n, m = 150, 30
    orders = np.argsort(rng.random((n, m)), axis=1)
    profile = Profile.from_orders(orders, [f"y{j}" for j in range(m)], rng.integers(1, 4, size=n))
    eq = mpne(profile, k)
    assert eq.certificate.converged and eq.certificate.gap <= 1e-9
    assert eq.certificate.guarantee >= k / (k + 1)
    assert math.isclose(eq.values.sum(), 1.0, abs_tol=1e-12)
