"""k-sample win rates: closed form against enumeration and simulation, the tie conventions,
user types (the Plackett-Luce set comparison of Cai & Zheng, section 2.1: exact multisets and
numerical integration), pairwise-only populations, bad input."""

import itertools
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
    mpne,
    robust_policy,
    robust_rate,
    sample_comparisons,
)
from aggregation.testtime import multisets as _multisets, plackett_luce as _pl_game, rates as testtime

from ..core.strategies import distributions, reward_populations, weak_order_profiles
from .reference import kwin_rate_by_tuples, pl_kwin_rate_by_tuples

FIGURE_1 = Profile.parse("2: R > G > B\n3: B > R > G")
TYPES = RewardPopulation({"u1": {"a": 0.0, "b": 1.0, "c": 2.0}, "u2": {"a": 2.0, "b": 0.5, "c": -1.0}}, [1.0, 2.0], 0.7)


def test_figure_1_by_hand():
    # pi = (R 1/2, G 0, B 1/2), k = 2. Against R: the 2 R>G>B voters lose only if both draws are
    # strictly below R (both B): 1/4; the 3 B>R>G voters never lose (a B draw beats R, an R draw ties).
    rates = kwin_rate(FIGURE_1, {"R": 0.5, "G": 0.0, "B": 0.5}, 2)
    assert rates["R"] == pytest.approx(1 - 0.4 * 0.25, abs=1e-15)
    # against B: the 3 B-first voters lose when both draws are R: 1/4; the others never
    assert rates["B"] == pytest.approx(1 - 0.6 * 0.25, abs=1e-15)
    # against G: the R>G>B voters lose when both draws are B (below G); G is last for the others
    assert rates["G"] == pytest.approx(1 - 0.4 * 0.25, abs=1e-15)
    assert rates.method == "exact (closed form)"
    assert rates.error == 0.0


def test_identical_response_and_indifference_count_for_the_sampled_side():
    p = Profile.parse("A = B > C")
    rates = kwin_rate(p, {"A": 0.0, "B": 1.0, "C": 0.0}, 3)
    assert rates.rates.to_dict() == {"A": 1.0, "B": 1.0, "C": 1.0}
    # a deterministic policy against itself always wins (identical response)
    assert kwin_rate(FIGURE_1, {"R": 1, "G": 0, "B": 0}, 5)["R"] == 1.0


@settings(max_examples=30, deadline=None)
@given(weak_order_profiles(max_m=4, max_n=5), st.integers(1, 3), st.data())
def test_closed_form_equals_enumeration_of_all_draws(profile, k, data):
    pi = data.draw(distributions(len(profile.alternatives), positive=False))
    expected = kwin_rate_by_tuples(profile.levels, profile.weights, pi, k)
    np.testing.assert_allclose(kwin_rate(profile, pi, k).rates.to_numpy(), expected, atol=1e-12)


def test_closed_form_agrees_with_simulated_voters_and_draws():
    rng = np.random.default_rng(7)
    n, m, k = 40, 6, 4
    levels = rng.integers(0, 4, size=(n, m))
    weights = rng.integers(1, 6, size=n).astype(float)
    profile = Profile.from_levels(levels, list("abcdef"), weights)
    pi = rng.dirichlet(np.ones(m))
    exact = kwin_rate(profile, pi, k).rates.to_numpy()
    trials = 200_000
    voters = rng.choice(n, size=trials, p=weights / weights.sum())
    draws = rng.choice(m, size=(trials, k), p=pi)
    lv = profile.levels[voters]
    best = np.take_along_axis(lv, draws, axis=1).min(axis=1)
    wins = best[:, None] <= lv  # best draw at least as good as each y
    estimate = wins.mean(axis=0)
    se = np.sqrt(estimate * (1 - estimate) / trials) + 1e-12
    assert np.all(np.abs(estimate - exact) <= 4.5 * se)


@pytest.mark.parametrize("ties", [False, True])
def test_many_voters_in_several_blocks_match_the_pairwise_formula(ties):
    # 12,000 voters over 50 alternatives: the closed form runs over blocks of about 5,000 voters
    rng = np.random.default_rng(11)
    n, m, k = 12_000, 50, 5
    levels = rng.integers(0, 12, size=(n, m)) if ties else np.argsort(rng.random((n, m)), axis=1)
    profile = Profile.from_levels(levels, [f"y{j}" for j in range(m)], rng.integers(1, 4, size=n))
    pi = rng.dirichlet(np.ones(m))
    lv = profile.levels
    w = profile.weights / profile.total_weight
    expected = [1 - w @ (((lv > lv[:, [y]]) @ pi) ** k) for y in range(m)]
    np.testing.assert_allclose(kwin_rate(profile, pi, k).rates.to_numpy(), expected, atol=1e-13)


@settings(max_examples=25, deadline=None)
@given(weak_order_profiles(max_m=5, max_n=6), st.data())
def test_rates_are_probabilities_and_grow_with_k(profile, data):
    pi = data.draw(distributions(len(profile.alternatives), positive=False))
    previous = None
    for k in (1, 2, 3, 5, 8):
        rates = kwin_rate(profile, pi, k).rates.to_numpy()
        assert np.all((rates >= 0) & (rates <= 1))
        if previous is not None:
            assert np.all(rates >= previous - 1e-12)
        previous = rates


def test_weights_scale_free():
    doubled = Profile.parse("4: R > G > B\n6: B > R > G")
    pi = {"R": 0.3, "G": 0.2, "B": 0.5}
    pd.testing.assert_series_equal(kwin_rate(FIGURE_1, pi, 3).rates, kwin_rate(doubled, pi, 3).rates)


def test_robust_rate_names_the_worst_opponent():
    rr = robust_rate(FIGURE_1, {"R": 1.0, "G": 0.0, "B": 0.0}, 4)
    assert rr.worst_opponents == ("B",) and rr.rate == pytest.approx(0.4, abs=1e-15)
    assert rr.method == "exact (closed form)" and rr.error == 0.0 and rr.k == 4
    assert rr.rates["G"] == 1.0


# ---------------------------------------------------------------- user types (Plackett-Luce sets)
WEIGHTS_123 = RewardPopulation({"u": {"a": 0.0, "b": math.log(2.0), "c": math.log(3.0)}})  # w = 1, 2, 3


def test_user_types_by_hand():
    """Cai & Zheng, section 2.1: P[S > y] = W(S) / (W(S) + w(y)), duplicates counted. With w = (1, 2, 3),
    pi = (1/2, 1/2, 0) and k = 2 the draws are {a, a} (1/4, W = 2), {a, b} (1/2, W = 3), {b, b} (1/4, W = 4).
    Against a: 1/4 * 2/3 + 1/2 * 3/4 + 1/4 * 4/5 = 89/120 (a among the draws does not win outright);
    against b: 1/4 * 2/4 + 1/2 * 3/5 + 1/4 * 4/6 = 71/120; against c: 1/4 * 2/5 + 1/2 * 3/6 + 1/4 * 4/7 = 69/140."""
    rates = kwin_rate(WEIGHTS_123, {"a": 0.5, "b": 0.5, "c": 0.0}, 2)
    np.testing.assert_allclose(rates.rates.to_numpy(), [89 / 120, 71 / 120, 69 / 140], atol=1e-15)
    assert rates.method == "exact (enumeration)" and rates.error == 0.0
    # k = 1: a response against itself gets one half; otherwise Bradley-Terry
    np.testing.assert_allclose(
        kwin_rate(WEIGHTS_123, {"a": 1.0, "b": 0.0, "c": 0.0}, 1).rates.to_numpy(), [1 / 2, 1 / 3, 1 / 4], atol=1e-15
    )


def test_equal_rewards_are_no_longer_the_old_gumbel_numbers():
    """Proposition 3.2 (proof C.2): k + 1 equally rewarded answers, the uniform policy: every rate is
    exactly k/(k+1). The previous reading (one random ranking per type, an identical draw winning
    outright) gave 0.75, 0.8148 and 0.8594 for k = 1, 2, 3."""
    for k, old in zip((1, 2, 3), (0.75, 0.8148, 0.8594)):
        names = [f"y{j}" for j in range(k + 1)]
        rates = kwin_rate(RewardPopulation({"u": dict.fromkeys(names, 0.0)}), None, k)
        np.testing.assert_allclose(rates.rates.to_numpy(), k / (k + 1), atol=1e-15)
        assert abs(rates.rates.min() - old) > 0.05


@pytest.mark.parametrize("k", [1, 2, 3, 4])
def test_user_types_by_enumeration_match_every_tuple_of_draws(k):
    pi = np.array([0.2, 0.5, 0.3])
    rates = kwin_rate(TYPES, pi, k)
    assert rates.method == "exact (enumeration)"
    np.testing.assert_allclose(rates.rates.to_numpy(), pl_kwin_rate_by_tuples(TYPES, pi, k), atol=1e-14)


@settings(max_examples=15, deadline=None)
@given(reward_populations(max_m=4, max_types=3), st.integers(1, 4), st.data())
def test_user_types_match_every_tuple_of_draws(population, k, data):
    pi = data.draw(distributions(len(population.alternatives), positive=False))
    np.testing.assert_allclose(
        kwin_rate(population, pi, k).rates.to_numpy(), pl_kwin_rate_by_tuples(population, pi, k), atol=1e-12
    )


def test_user_types_k_1_is_the_bradley_terry_matrix_with_half_on_the_diagonal():
    pi = np.array([0.2, 0.5, 0.3])
    P = TYPES.preference_matrix().to_numpy()
    np.testing.assert_allclose(kwin_rate(TYPES, pi, 1).rates.to_numpy(), pi @ P, atol=1e-15)


@settings(max_examples=25, deadline=None)
@given(reward_populations(max_m=5, max_types=3), st.integers(1, 6), st.data())
def test_property_1_2_multi_versus_single_copy(population, k, data):
    """Property 1 (2): P[pi^k > pi] >= k/(k+1). For Plackett-Luce it holds with equality: the k + 1
    draws are exchangeable and W(all) is shared, so the last one wins with probability exactly 1/(k+1)."""
    pi = data.draw(distributions(len(population.alternatives), positive=False))
    rates = kwin_rate(population, pi, k).rates.to_numpy()
    assert pi @ rates == pytest.approx(k / (k + 1), abs=1e-12)


@settings(max_examples=25, deadline=None)
@given(weak_order_profiles(max_m=5, max_n=6), st.integers(1, 6), st.data())
def test_property_1_2_for_rankings(profile, k, data):
    pi = data.draw(distributions(len(profile.alternatives), positive=False))
    assert pi @ kwin_rate(profile, pi, k).rates.to_numpy() >= k / (k + 1) - 1e-12


def _extreme_population(rng, types, m, spread, temperature=1.0):
    rewards = rng.uniform(-spread, spread, size=(types, m))
    if m > 2:
        rewards[:, 1] = rewards[:, 0]  # a tie inside every type
    names = [f"y{j}" for j in range(m)]
    return RewardPopulation(
        pd.DataFrame(rewards, index=[f"t{i}" for i in range(types)], columns=names),
        rng.integers(1, 5, size=types),
        temperature,
    )


@pytest.mark.parametrize("seed", range(12))
def test_numerical_integration_matches_exact_multisets_with_extreme_reward_spreads(seed, monkeypatch):
    """Rewards spread over +-50 with temperatures down to 0.1 (weights e^+-500): the quadrature of
    int a e^{-ta} phi(t)^k dt agrees with the exact multiset sum to 1e-12, and its error bound holds."""
    rng = np.random.default_rng(seed)
    population = _extreme_population(
        rng,
        int(rng.integers(1, 4)),
        int(rng.integers(2, 6)),
        spread=float(rng.choice([1.0, 10.0, 50.0])),
        temperature=float(rng.choice([0.1, 1.0, 5.0])),
    )
    m = len(population.alternatives)
    pi = rng.dirichlet(np.full(m, rng.choice([0.3, 1.0, 5.0])))
    if seed % 3 == 0:
        pi[-1] = 0.0
        pi /= pi.sum()
    k = int(rng.integers(1, 7))
    exact = kwin_rate(population, pi, k)
    monkeypatch.setattr(testtime, "ENUMERATION_BUDGET", 0)
    integrated = kwin_rate(population, pi, k)
    assert exact.method == "exact (enumeration)"
    assert integrated.method.startswith("numerical integration, error < 1e-1")
    diff = np.abs(exact.rates.to_numpy() - integrated.rates.to_numpy()).max()
    assert diff <= 1e-12 and diff <= integrated.error
    # the game's own evaluation is the same integral
    game = _pl_game.SetGame(_pl_game.log_weights(population), population.shares, k)
    np.testing.assert_allclose(1 - game.utility(pi), exact.rates.to_numpy(), atol=1e-12)


def test_large_user_populations_are_integrated_with_an_error_bound():
    rng = np.random.default_rng(0)
    names = [f"r{j}" for j in range(40)]
    pop = RewardPopulation(pd.DataFrame(rng.normal(size=(3, 40)), index=["x", "y", "z"], columns=names))
    pi = np.full(40, 1 / 40)
    assert _multisets.count(40, 12) * 40 * 3 > testtime.ENUMERATION_BUDGET
    rates = kwin_rate(pop, pi, 12)
    assert rates.method.startswith("numerical integration, error < ")
    assert 0 < rates.error < 1e-12
    rr = robust_rate(pop, pi, 12)
    assert rr.error == rates.error and rr.method == rates.method
    # Property 1 (2) with equality (exchangeable draws), to the stated accuracy
    assert pi @ rates.rates.to_numpy() == pytest.approx(12 / 13, abs=1e-12)


def test_multisets_and_their_probabilities_match_every_tuple():
    pi = np.array([0.1, 0.2, 0.3, 0.4])
    k = 3
    counts = _multisets.compositions(k, 4)
    assert len(counts) == _multisets.count(4, 3) == 20 and (counts.sum(axis=1) == 3).all()
    assert len({tuple(r) for r in counts}) == 20
    probs = np.exp(_multisets.log_probabilities(counts, pi))
    for row, p in zip(counts, probs):
        brute = sum(
            math.prod(pi[list(d)])
            for d in itertools.product(range(4), repeat=k)
            if np.array_equal(np.bincount(d, minlength=4), row)
        )
        assert p == pytest.approx(brute, abs=1e-15)
    assert probs.sum() == pytest.approx(1.0, abs=1e-14)
    assert _multisets.labels(counts[:2], list("ABCD")) == ["A + A + A", "A + A + B"]


# ---------------------------------------------------------------- pairwise-only populations
def test_comparison_tables_support_k_1_only():
    data = sample_comparisons(FIGURE_1, 200, seed=0)
    pi = {"R": 0.5, "G": 0.0, "B": 0.5}
    P = data.preference_matrix()
    assert kwin_rate(data, pi, 1)["R"] == pytest.approx(0.5 + 0.5 * P.loc["B", "R"], abs=1e-15)
    with pytest.raises(AggregationError, match="only pairwise win rates"):
        kwin_rate(data, pi, 2)
    with pytest.raises(AggregationError, match="only pairwise win rates"):
        kwin_rate(FIGURE_1.preference_matrix(), pi, 3)


def test_k_1_from_the_matrix_equals_strict_rankings():
    pi = {"R": 0.2, "G": 0.3, "B": 0.5}
    pd.testing.assert_series_equal(
        kwin_rate(FIGURE_1.preference_matrix(), pi, 1).rates, kwin_rate(FIGURE_1, pi, 1).rates
    )


# ---------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "k, message",
    [
        (0, "between 1 and"),
        (2.5, "whole number"),
        ("3", "whole number"),
        (True, "whole number"),
        (10**6, "between 1 and"),
    ],
)
def test_bad_k(k, message):
    with pytest.raises(AggregationError, match=message):
        kwin_rate(FIGURE_1, None, k)


def test_bad_policy_names_the_problem():
    with pytest.raises(AggregationError, match="policy: unknown alternative 'X'"):
        kwin_rate(FIGURE_1, {"R": 0.5, "X": 0.5, "G": 0, "B": 0}, 2)
    with pytest.raises(AggregationError, match="policy: probabilities sum to 0.9"):
        kwin_rate(FIGURE_1, {"R": 0.5, "G": 0.2, "B": 0.2}, 2)
    with pytest.raises(AggregationError, match="expected a Profile"):
        kwin_rate([1, 2, 3], None, 2)


def test_every_tied_worst_opponent_is_reported():
    """Jackpot Table 1's cycle (Ana R > B > G, Bob G > R > B, Carla B > G > R) is symmetric under rotation: the
    uniform policy ties against every opponent, and so does MPNE_k's guarantee. All tied opponents are listed,
    in the population's order, by the robust rate and by the certificates."""
    cycle = Profile.parse("R > B > G\nG > R > B\nB > G > R")
    uniform = {"R": 1 / 3, "B": 1 / 3, "G": 1 / 3}
    rr = robust_rate(cycle, uniform, 2)
    # by hand, against R with k = 2: R wins for a voter when both draws fall strictly below R for them:
    # Ana (R > B > G): (2/3)^2; Bob (G > R > B): (1/3)^2; Carla (B > G > R): 0 -> 1 - (4/9 + 1/9) / 3 = 22/27
    assert rr.rate == pytest.approx(22 / 27, abs=1e-15)
    assert rr.worst_opponents == ("R", "B", "G") and kwin_rate(cycle, uniform, 2).worst_opponents == ("R", "B", "G")
    assert mpne(cycle, 2).certificate.worst_opponents == ("R", "B", "G")
    assert robust_policy(cycle, 2).certificate.worst_opponents == ("R", "B", "G")
