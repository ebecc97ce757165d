"""The statements of Cai & Zheng, arXiv 2601.08777, checked exactly or as hypothesis properties,
each under the paper's own definitions (section 2.1) and the project's tie convention for
rankings (DESIGN.md: an identical response or an indifference counts for the k-sample side; the
MPNE player needs a strict win):

* Theorem 3.1 / game (2): the best k-output policy guarantees at least k/(k+1) (proof C.1);
* Proposition 3.2 (proof C.2): Plackett-Luce, Y = {y_1, ..., y_{k+1}}, equal rewards: every
  multiset S of k responses has P[S > y] = k/(k+1) exactly, so every policy, single- or
  multi-output, wins exactly k/(k+1);
* Proposition 3.3 (proof C.3): the uniform population over all m! rankings: every k-output
  policy has an opponent y with P[pi >= y] <= k/(k+1) (1 + 1/m);
* Proposition 4.1 (proof D.1): two responses, 1/2 + eps of the voters prefer y_1: the maximal
  lottery is y_1 alone and its robust rate is 1/2 + eps for every k;
* Theorem 4.3 (proof D.2): MPNE_k guarantees k/(k+1) (up to the solver's gap);
* Theorem 4.5 (proof D.3): a (k, k/(k+1))-robust policy sampled l times guarantees min(k, l)/(k+1);
* Theorem D.6 (proof D.8): MPNE_k against opponents answering with l responses guarantees
  (k+1-l)/(k+1); appendix D.7: with Plackett-Luce and equal rewards nothing beats k/(k+l).
"""

import itertools

import numpy as np
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
    multi_output_policy,
    opponent_sets_curve,
    opponent_sets_rate,
    resampling_bound,
    resampling_curve,
    robust_policy,
    robust_rate,
)
from aggregation.testtime import multisets as _multisets, rates as testtime

from ..core.strategies import distributions, reward_populations, weak_order_profiles
from .reference import pl_beats_by_tuples, ranking_sets_beat_by_tuples


def uniform_population_value(m: int, k: int) -> float:
    """The uniform policy on the uniform population over all rankings of m responses: the number
    of responses strictly below y is uniform on 0..m-1, so the rate is 1 - (1/m) sum_{j<m} (j/m)^k."""
    return 1.0 - sum((j / m) ** k for j in range(m)) / m


def all_rankings(m: int) -> Profile:
    return Profile.from_orders(np.array(list(itertools.permutations(range(m)))), [f"y{j}" for j in range(m)])


def equal_rewards(m: int) -> RewardPopulation:
    return RewardPopulation({"everyone": {f"y{j}": 0.0 for j in range(m)}})


# ---------------------------------------------------------------- Proposition 4.1
@pytest.mark.parametrize("eps", [0.01, 0.1, 0.3])
def test_nlhf_stays_at_one_half_plus_eps_while_mpne_reaches_k_over_k_plus_1(eps):
    a = 0.5 + eps
    population = Profile.from_rankings([["y1", "y2"], ["y2", "y1"]], [a, 1 - a])
    nlhf = maximal_lottery(population)
    assert nlhf.values.to_dict() == {"y1": 1.0, "y2": 0.0}
    for k in range(1, 17):
        rr = robust_rate(population, nlhf, k)
        assert rr.rate == pytest.approx(a, abs=1e-15) and rr.worst_opponents == ("y2",)
        # MPNE: U(y1) = a q^k and U(y2) = (1 - a)(1 - q)^k with q = pi(y2); indifference gives
        # q / (1 - q) = ((1 - a) / a)^(1/k)
        ratio = ((1 - a) / a) ** (1 / k)
        q = ratio / (1 + ratio)
        eq = mpne(population, k)
        assert eq["y2"] == pytest.approx(q, abs=1e-12)
        assert eq.certificate.guarantee == pytest.approx(1 - a * q**k, abs=1e-12)
        assert eq.certificate.guarantee >= k / (k + 1)
        assert robust_rate(population, eq, k).rate > rr.rate  # diversity pays


@settings(max_examples=20, deadline=None)
@given(st.floats(0.001, 0.499), st.integers(1, 40))
def test_proposition_4_1_for_any_eps(eps, k):
    population = Profile.from_rankings([["y1", "y2"], ["y2", "y1"]], [0.5 + eps, 0.5 - eps])
    nlhf = maximal_lottery(population)
    assert nlhf.certificate.unique and nlhf.values.to_dict() == {"y1": 1.0, "y2": 0.0}
    assert robust_rate(population, nlhf, k).rate == pytest.approx(0.5 + eps, abs=1e-12)


# ---------------------------------------------------------------- Proposition 3.2
@pytest.mark.parametrize("k", [1, 2, 3, 4, 6])
def test_proposition_3_2_every_policy_wins_exactly_k_over_k_plus_1(k):
    """C.2: with k + 1 equally rewarded answers, W(S) = k w for every multiset S of k answers, so
    P[S > y] = k w / (k w + w) = k/(k+1) whatever S is, duplicates and y itself included."""
    population = equal_rewards(k + 1)
    names = population.alternatives
    rng = np.random.default_rng(k)
    policies = [
        None,
        dict.fromkeys(names, 0.0) | {names[0]: 1.0},
        rng.dirichlet(np.ones(k + 1)),
        rng.dirichlet(np.full(k + 1, 0.2)),
    ]
    for policy in policies:
        np.testing.assert_allclose(kwin_rate(population, policy, k).rates.to_numpy(), k / (k + 1), atol=1e-14)
    for solve in (mpne, robust_policy):
        assert solve(population, k).certificate.guarantee == pytest.approx(k / (k + 1), abs=1e-12)
    # not even a k-output policy does better (the LP's certificate says so)
    best = multi_output_policy(population, k)
    assert best.certificate.guarantee == pytest.approx(k / (k + 1), abs=1e-12)
    assert best.certificate.best_possible == pytest.approx(k / (k + 1), abs=1e-12)


@settings(max_examples=20, deadline=None)
@given(st.integers(1, 6), st.integers(2, 7), st.data())
def test_proposition_3_2_holds_for_any_number_of_equal_answers(k, m, data):
    pi = data.draw(distributions(m, positive=False))
    np.testing.assert_allclose(kwin_rate(equal_rewards(m), pi, k).rates.to_numpy(), k / (k + 1), atol=1e-13)


# ---------------------------------------------------------------- Proposition 3.3
@pytest.mark.parametrize("m", [3, 4, 5])
@pytest.mark.parametrize("k", [1, 2, 3, 8])
def test_uniform_policy_on_all_rankings_sits_between_k_over_k_plus_1_and_the_bound(m, k):
    population = all_rankings(m)
    value = uniform_population_value(m, k)
    rates = kwin_rate(population, None, k)
    np.testing.assert_allclose(rates.rates.to_numpy(), value, atol=1e-14)
    assert k / (k + 1) < rates.rates.min() <= k / (k + 1) * (1 + 1 / m) + 1e-15  # k = 1 attains the bound
    best = robust_policy(population, k)
    assert best.certificate.best_possible == pytest.approx(value, abs=1e-9)
    assert best.certificate.guarantee == pytest.approx(value, abs=1e-9)
    eq = mpne(population, k)
    np.testing.assert_allclose(eq.values.to_numpy(), 1 / m, atol=1e-9)


@settings(max_examples=12, deadline=None)
@given(st.integers(2, 5), st.integers(1, 4))
def test_proposition_3_3_even_the_best_k_output_policy_is_within_the_bound(m, k):
    """C.3: P[S >= y] <= 1[y in S] / (k+1) + k/(k+1) and some y is in S with probability at most
    k/m, so the best k-output policy guarantees at most k/(k+1) (1 + 1/m); Theorem 3.1 gives at
    least k/(k+1)."""
    best = multi_output_policy(all_rankings(m), k)
    bound = k / (k + 1) * (1 + 1 / m)
    assert k / (k + 1) - 1e-12 <= best.certificate.guarantee <= bound + 1e-12
    assert best.certificate.gap <= 1e-9


def test_proposition_3_3_by_hand_four_answers_two_samples():
    """m = 4, k = 2: a pair of distinct answers S has P[S >= y] = 1 if y in S, else 2/3 (y is above
    both for a third of the rankings). Uniform over the 6 pairs: each y is in S half the time, so
    every rate is 1/2 + 1/2 * 2/3 = 5/6 = k/(k+1) (1 + 1/m): the bound is attained. The best
    single-output policy (uniform) reaches only 25/32."""
    best = multi_output_policy(all_rankings(4), 2)
    assert best.certificate.guarantee == pytest.approx(5 / 6, abs=1e-12)
    assert best.certificate.best_possible == pytest.approx(5 / 6, abs=1e-12)
    assert robust_policy(all_rankings(4), 2).certificate.guarantee == pytest.approx(25 / 32, abs=1e-9)


# ---------------------------------------------------------------- Theorem 3.1
def _set_rates_by_tuples(model, counts):
    """P[S >= y] for each multiset S (multiplicity rows) and y, from the definitions."""
    m = counts.shape[1]
    if isinstance(model, Profile):
        lv, w = model.levels, model.weights / model.weights.sum()
        out = np.zeros((len(counts), m))
        for s, row in enumerate(counts):
            members = np.flatnonzero(row)
            best = lv[:, members].min(axis=1)
            out[s] = w @ (best[:, None] <= lv)
        return out
    w = np.exp(model.rewards.to_numpy(float) / model.temperature)  # P_i[S > y] = W_i(S) / (W_i(S) + w_i(y))
    W = counts @ w.T  # (sets, types)
    return (model.shares[None, None, :] * (W[:, None, :] / (W[:, None, :] + w.T[None, :, :]))).sum(axis=2)


@settings(max_examples=20, deadline=None)
@given(st.one_of(weak_order_profiles(max_m=4, max_n=5), reward_populations(max_m=4, max_types=3)), st.integers(1, 4))
def test_theorem_3_1_the_best_k_output_policy_guarantees_k_over_k_plus_1(model, k):
    best = multi_output_policy(model, k)
    assert best.certificate.guarantee >= k / (k + 1) - 1e-9
    assert best.certificate.gap <= 1e-9
    names = model.alternatives
    counts = _multisets.compositions(k, len(names))
    A = _set_rates_by_tuples(model, counts)
    labels = _multisets.labels(counts, names)
    sigma = best.values.reindex(labels).fillna(0.0).to_numpy()
    assert sigma.sum() == pytest.approx(1.0, abs=1e-12)
    assert (sigma @ A).min() == pytest.approx(best.certificate.guarantee, abs=1e-9)
    lam = best.certificate.opponent_mix.to_numpy()
    assert (A @ lam).max() == pytest.approx(best.certificate.best_possible, abs=1e-9)  # weak duality certificate


def test_multi_output_policy_labels_and_refusals():
    profile = Profile.parse("2: R > G > B\n3: B > R > G")
    best = multi_output_policy(profile, 2)
    assert best.values.index.name == "multiset" and all(" + " in label for label in best.values.index)
    # R and B together please everyone: {R, B} is at least as good as every y for every voter
    assert best.values.to_dict() == {"R + B": 1.0} and best.certificate.guarantee == 1.0
    with pytest.raises(AggregationError, match="more than the 20,000 solved here"):
        multi_output_policy(equal_rewards(30), 6)
    with pytest.raises(AggregationError, match="only pairwise win rates"):
        multi_output_policy(profile.preference_matrix(), 2)
    assert multi_output_policy(profile.preference_matrix(), 1).certificate.guarantee >= 0.5


# ---------------------------------------------------------------- Theorem 4.3
@settings(max_examples=20, deadline=None)
@given(st.one_of(weak_order_profiles(max_m=5, max_n=6), reward_populations(max_m=5, max_types=3)), st.integers(1, 6))
def test_theorem_4_3_mpne_guarantees_k_over_k_plus_1(model, k):
    eq = mpne(model, k)
    assert eq.certificate.guarantee >= k / (k + 1) - eq.certificate.gap - 1e-12
    assert eq.certificate.converged


# ---------------------------------------------------------------- Theorem 4.5
@settings(max_examples=15, deadline=None)
@given(st.one_of(weak_order_profiles(max_m=5, max_n=6), reward_populations(max_m=5, max_types=3)), st.integers(1, 5))
def test_theorem_4_5_mpne_k_sampled_l_times(model, k):
    eq = mpne(model, k)
    curve = resampling_curve(model, eq, k, range(1, 9))
    for l, row in curve.iterrows():
        assert row["bound min(k, l)/(k+1)"] == resampling_bound(k, l) == min(k, l) / (k + 1)
        # G(l) >= (l/k) G(k) >= (l/k)(k/(k+1) - gap) for l <= k; G(l) >= G(k) for l >= k
        assert row["robust rate"] >= min(k, l) / (k + 1) - eq.certificate.gap - 1e-12
        assert row["robust rate"] == pytest.approx(robust_rate(model, eq, l).rate, abs=1e-15)


def test_resampling_curve_by_hand():
    # Proposition 4.1's population: MPNE_4 (q on y2) sampled once loses to y1 with a q and to y2 with (1 - a)(1 - q)
    a = 0.55
    population = Profile.from_rankings([["y1", "y2"], ["y2", "y1"]], [a, 1 - a])
    eq = mpne(population, 4)
    q = float(eq["y2"])
    curve = resampling_curve(population, eq, 4, [1, 4, 6])
    assert curve.loc[1, "robust rate"] == pytest.approx(1 - max(a * q, (1 - a) * (1 - q)), abs=1e-12)
    assert list(curve["bound min(k, l)/(k+1)"]) == [1 / 5, 4 / 5, 4 / 5]
    with pytest.raises(AggregationError, match="l \\(the number of samples\\) must be between 1 and"):
        resampling_bound(3, 0)


# ---------------------------------------------------------------- appendix D.7, Theorem D.6
@settings(max_examples=15, deadline=None)
@given(
    st.one_of(weak_order_profiles(max_m=4, max_n=5), reward_populations(max_m=4, max_types=3)),
    st.integers(1, 4),
    st.integers(1, 4),
)
def test_theorem_d_6_mpne_against_opponents_with_l_responses(model, k, l):
    eq = mpne(model, k)
    result = opponent_sets_rate(model, eq, k, l)
    assert result.bound == (k + 1 - l) / (k + 1) and result.pl_limit == k / (k + l)
    # D.8: max_S' P[S' > pi^k] <= sum of the l single responses' chances <= l (1/(k+1) + gap)
    assert result.rate >= (k + 1 - l) / (k + 1) - l * eq.certificate.gap - 1e-12
    if l == 1:
        assert result.rate == pytest.approx(eq.certificate.guarantee, abs=1e-12)


@pytest.mark.parametrize("k, l", [(1, 2), (2, 2), (3, 2), (2, 3)])
def test_opponent_sets_match_every_tuple_of_draws(k, l):
    rng = np.random.default_rng(k * 10 + l)
    pi = rng.dirichlet(np.ones(3))
    profile = Profile.from_levels(rng.integers(0, 3, size=(5, 3)), list("abc"), rng.integers(1, 4, size=5))
    result = opponent_sets_rate(profile, pi, k, l)
    sets = list(itertools.combinations(range(3), min(l, 3)))
    beaten = ranking_sets_beat_by_tuples(profile.levels, profile.weights, pi, k, sets)
    np.testing.assert_allclose(result.rates.to_numpy(), 1 - beaten, atol=1e-14)
    types = RewardPopulation({"u": {"a": 0.0, "b": 1.0, "c": -0.5}, "v": {"a": 1.5, "b": 0.0, "c": 0.3}}, [2, 1], 0.8)
    result = opponent_sets_rate(types, pi, k, l)
    counts = _multisets.compositions(l, 3)  # duplicates matter for Plackett-Luce
    assert result.n_sets == len(counts)
    np.testing.assert_allclose(result.rates.to_numpy(), 1 - pl_beats_by_tuples(types, pi, k, counts), atol=1e-14)


@pytest.mark.parametrize("k, l", [(1, 1), (2, 3), (4, 2), (3, 5)])
def test_d_7_plackett_luce_limit_k_over_k_plus_l(k, l):
    """Appendix D.7 adapts C.2: with equal rewards W(S) / (W(S) + W(S')) = k / (k + l) for every S, S'."""
    population = equal_rewards(4)
    rng = np.random.default_rng(k + l)
    for policy in (None, rng.dirichlet(np.ones(4))):
        result = opponent_sets_rate(population, policy, k, l)
        np.testing.assert_allclose(result.rates.to_numpy(), k / (k + l), atol=1e-14)
        assert result.rate == pytest.approx(result.pl_limit, abs=1e-14)


def test_opponent_sets_curve_and_refusals():
    population = Profile.from_rankings([["y1", "y2"], ["y2", "y1"]], [0.55, 0.45])
    curve = opponent_sets_curve(population, maximal_lottery(population), 4, [1, 2, 3])
    # y1 alone against {y1, y2}: the 45% who prefer y2 win with it (rankings: only distinct responses matter)
    np.testing.assert_allclose(curve["robust rate"], [0.55, 0.55, 0.55], atol=1e-15)
    assert list(curve["worst opponent set"]) == ["y2", "y1 + y2", "y1 + y2"]
    assert list(curve["Thm D.6 bound (k+1-l)/(k+1)"]) == [4 / 5, 3 / 5, 2 / 5]
    with pytest.raises(AggregationError, match="more than the 20,000 enumerated here"):
        opponent_sets_rate(equal_rewards(30), None, 2, 5)
    with pytest.raises(AggregationError, match="only pairwise win rates"):
        opponent_sets_rate(population.preference_matrix(), None, 1, 2)
    assert testtime.MAX_OPPONENT_SETS == 20_000


def test_theorem_3_1_certificate_is_tight_on_nearly_equal_rewards():
    """Regression (found by hypothesis): rewards 1e-7 apart left HiGHS's default tolerances (1e-7) a
    primal-dual gap of 1.2e-7 on the k-output program; the program is now solved to 1e-10."""
    model = RewardPopulation({"u": {"a": 4.16493348e-07, "b": 8.13363486e-07}})
    best = multi_output_policy(model, 3)
    assert best.certificate.gap <= 1e-9
    assert best.certificate.guarantee >= 3 / 4 - 1e-9
