"""k-sample win rates: closed form against enumeration and simulation, the tie conventions,
user types (enumeration and Monte Carlo), pairwise-only populations, bad input."""
import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aggregation import (AggregationError, Profile, RewardPopulation, kwin_rate,
                         plackett_luce_profile, robust_rate, sample_comparisons)
from aggregation import testtime

from ..core.strategies import distributions, reward_populations, weak_order_profiles
from .reference import kwin_rate_by_tuples, levels_of, plackett_luce_rankings

FIGURE_1 = Profile.parse("2: R > G > B\n3: B > R > G")
TYPES = RewardPopulation({"u1": {"a": 0.0, "b": 1.0, "c": 2.0}, "u2": {"a": 2.0, "b": 0.5, "c": -1.0}},
                         [1.0, 2.0], 0.7)


def test_figure_1_by_hand():
    # pi = (R 1/2, G 0, B 1/2), k = 2. Against R: the 2 R>G>B voters lose only if both draws are
    # strictly below R (both B): 1/4; the 3 B>R>G voters never lose (a B draw beats R, an R draw ties).
    rates = kwin_rate(FIGURE_1, {"R": 0.5, "G": 0.0, "B": 0.5}, 2)
    assert rates["R"] == pytest.approx(1 - 0.4 * 0.25, abs=1e-15)
    # against B: the 3 B-first voters lose when both draws are R: 1/4; the others never
    assert rates["B"] == pytest.approx(1 - 0.6 * 0.25, abs=1e-15)
    # against G: the R>G>B voters lose when both draws are B (below G); G is last for the others
    assert rates["G"] == pytest.approx(1 - 0.4 * 0.25, abs=1e-15)
    assert rates.attrs["method"] == "exact (closed form)"
    assert rates.attrs["standard_error"] is None


def test_identical_response_and_indifference_count_for_the_sampled_side():
    p = Profile.parse("A = B > C")
    rates = kwin_rate(p, {"A": 0.0, "B": 1.0, "C": 0.0}, 3)
    assert rates.to_dict() == {"A": 1.0, "B": 1.0, "C": 1.0}
    # a deterministic policy against itself always wins (identical response)
    assert kwin_rate(FIGURE_1, {"R": 1, "G": 0, "B": 0}, 5)["R"] == 1.0


@settings(max_examples=30, deadline=None)
@given(weak_order_profiles(max_m=4, max_n=5), st.integers(1, 3), st.data())
def test_closed_form_equals_enumeration_of_all_draws(profile, k, data):
    pi = data.draw(distributions(len(profile.alternatives), positive=False))
    expected = kwin_rate_by_tuples(profile.levels, profile.weights, pi, k)
    np.testing.assert_allclose(kwin_rate(profile, pi, k).to_numpy(), expected, atol=1e-12)


def test_closed_form_agrees_with_simulated_voters_and_draws():
    rng = np.random.default_rng(7)
    n, m, k = 40, 6, 4
    levels = rng.integers(0, 4, size=(n, m))
    weights = rng.integers(1, 6, size=n).astype(float)
    profile = Profile.from_levels(levels, list("abcdef"), weights)
    pi = rng.dirichlet(np.ones(m))
    exact = kwin_rate(profile, pi, k).to_numpy()
    trials = 200_000
    voters = rng.choice(n, size=trials, p=weights / weights.sum())
    draws = rng.choice(m, size=(trials, k), p=pi)
    lv = profile.levels[voters]
    best = np.take_along_axis(lv, draws, axis=1).min(axis=1)
    wins = best[:, None] <= lv                            # best draw at least as good as each y
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
    np.testing.assert_allclose(kwin_rate(profile, pi, k).to_numpy(), expected, atol=1e-13)


@settings(max_examples=25, deadline=None)
@given(weak_order_profiles(max_m=5, max_n=6), st.data())
def test_rates_are_probabilities_and_grow_with_k(profile, data):
    pi = data.draw(distributions(len(profile.alternatives), positive=False))
    previous = None
    for k in (1, 2, 3, 5, 8):
        rates = kwin_rate(profile, pi, k).to_numpy()
        assert np.all((rates >= 0) & (rates <= 1))
        if previous is not None:
            assert np.all(rates >= previous - 1e-12)
        previous = rates


def test_weights_scale_free():
    doubled = Profile.parse("4: R > G > B\n6: B > R > G")
    pi = {"R": 0.3, "G": 0.2, "B": 0.5}
    pd.testing.assert_series_equal(kwin_rate(FIGURE_1, pi, 3), kwin_rate(doubled, pi, 3))


def test_robust_rate_names_the_worst_opponent():
    rr = robust_rate(FIGURE_1, {"R": 1.0, "G": 0.0, "B": 0.0}, 4)
    assert rr.opponent == "B" and rr.rate == pytest.approx(0.4, abs=1e-15)
    assert rr.method == "exact (closed form)" and rr.standard_error is None and rr.k == 4
    assert rr.rates["G"] == 1.0


# ---------------------------------------------------------------- user types (Plackett-Luce)
def _pl_reference(population, pi, k):
    rankings = plackett_luce_rankings(population.rewards.to_numpy(), population.shares, population.temperature)
    levels = np.array([levels_of(perm) for perm, _ in rankings])
    probs = np.array([p for _, p in rankings])
    return kwin_rate_by_tuples(levels, probs, pi, k)


@pytest.mark.parametrize("k", [2, 3, 4])
def test_user_types_by_enumeration_match_every_ranking_and_every_draw(k):
    pi = np.array([0.2, 0.5, 0.3])
    rates = kwin_rate(TYPES, pi, k)
    assert rates.attrs["method"] == "exact (enumeration)"
    np.testing.assert_allclose(rates.to_numpy(), _pl_reference(TYPES, pi, k), atol=1e-13)


@settings(max_examples=15, deadline=None)
@given(reward_populations(max_m=4, max_types=3), st.integers(2, 4), st.data())
def test_user_types_equal_their_ranking_expansion(population, k, data):
    pi = data.draw(distributions(len(population.alternatives), positive=False))
    by_sets = kwin_rate(population, pi, k).to_numpy()
    by_rankings = kwin_rate(plackett_luce_profile(population), pi, k).to_numpy()
    np.testing.assert_allclose(by_sets, by_rankings, atol=1e-12)


def test_user_types_k_1_is_the_bradley_terry_matrix():
    pi = np.array([0.2, 0.5, 0.3])
    P = TYPES.preference_matrix().to_numpy()
    expected = [pi[y] + sum(pi[z] * P[z, y] for z in range(3) if z != y) for y in range(3)]
    rates = kwin_rate(TYPES, pi, 1)
    np.testing.assert_allclose(rates.to_numpy(), expected, atol=1e-15)
    np.testing.assert_allclose(rates.to_numpy(), _pl_reference(TYPES, pi, 1), atol=1e-13)


def test_monte_carlo_agrees_with_enumeration_within_its_error_bars():
    pi = np.array([0.2, 0.5, 0.3])
    exact = kwin_rate(TYPES, pi, 3).to_numpy()
    opp, se = testtime._pl_opponent_wins_monte_carlo(TYPES, pi, 3, 40_000, seed=3)
    assert np.all(se > 0)
    assert np.all(np.abs((1 - opp) - exact) <= 4.5 * se)


def test_large_user_populations_fall_back_to_monte_carlo_with_error_bars():
    rng = np.random.default_rng(0)
    names = [f"r{j}" for j in range(40)]
    pop = RewardPopulation(pd.DataFrame(rng.normal(size=(3, 40)), index=["x", "y", "z"], columns=names))
    pi = np.full(40, 1 / 40)
    rates = kwin_rate(pop, pi, 12, samples=2_000, seed=1)
    assert rates.attrs["method"] == "Monte Carlo"
    se = rates.attrs["standard_error"]
    assert list(se.index) == names and (se > 0).all() and (se < 0.02).all()
    again = kwin_rate(pop, pi, 12, samples=2_000, seed=1)
    pd.testing.assert_series_equal(rates, again)          # seeded: reproducible
    rr = robust_rate(pop, pi, 12, samples=2_000, seed=1)
    assert rr.standard_error == pytest.approx(float(se[rr.opponent]))


def test_set_probabilities_sum_to_one_and_match_multinomials():
    pi = np.array([0.1, 0.2, 0.3, 0.4])
    k = 3
    total = 0.0
    for size in range(1, 4):
        combos = np.array(list(itertools.combinations(range(4), size)))
        probs = testtime._set_probabilities(pi, combos, k)
        for combo, p in zip(combos, probs):
            brute = sum(np.prod(pi[list(d)]) for d in itertools.product(range(4), repeat=k) if set(d) == set(combo))
            assert p == pytest.approx(brute, abs=1e-15)
        total += probs.sum()
    assert total == pytest.approx(1.0, abs=1e-14)


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
    pd.testing.assert_series_equal(kwin_rate(FIGURE_1.preference_matrix(), pi, 1), kwin_rate(FIGURE_1, pi, 1))


# ---------------------------------------------------------------- bad input
@pytest.mark.parametrize("k, message", [(0, "between 1 and"), (2.5, "whole number"), ("3", "whole number"),
                                        (True, "whole number"), (10**6, "between 1 and")])
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
