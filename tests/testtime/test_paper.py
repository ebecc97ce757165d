"""The statements of Cai & Zheng, arXiv 2601.08777, as exact checks.

Only the paper's abstract was retrievable; the statements below are re-derived, in the form
that holds under this project's conventions (DESIGN.md: an identical response or an
indifference counts for the k-sample side; the MPNE player needs a *strict* win):

* Prop. 4.1 (NLHF under-uses test-time scaling): two responses, a share 1/2 + eps of voters
  prefers y1. y1 is the Condorcet winner, so NLHF's maximal lottery is deterministic on y1 and
  k copies of y1 win against y2 exactly as often as one: 1/2 + eps for every k. The MPNE_k
  mixes, with guarantee at least k/(k+1) (closed form below).
* Prop. 3.2 (no method beats k/(k+1) in general): Plackett-Luce with equal rewards. Shown k+1
  *distinct* responses, a user picks each with probability exactly 1/(k+1) whatever the
  policy; so against every response no k-output policy does better than k/(k+1). With finitely
  many responses, draws can coincide (and then count for the sampled side), and the best
  guarantee is 1 - (1/m) sum_{j<m} (j/m)^k, which decreases to k/(k+1) as m grows.
* Prop. 3.3 (the same with rankings): the uniform population over all m! rankings. For the
  uniform policy the number of responses strictly below y is uniform on 0..m-1, so every rate
  equals 1 - (1/m) sum_{j<m} (j/m)^k. This is also an upper bound for every policy: the
  average of U(y; pi) over a uniform opponent is a convex, permutation-symmetric function of
  pi, minimal at the uniform policy. A left Riemann sum of x^k gives
  k/(k+1) < 1 - (1/m) sum_{j<m} (j/m)^k <= k/(k+1) + 1/m.
"""
import itertools
import math

import numpy as np
import pytest

from aggregation import (Profile, RewardPopulation, kwin_rate, maximal_lottery, mpne, plackett_luce_profile,
                         robust_policy, robust_rate)

from .reference import levels_of, plackett_luce_rankings


def uniform_population_value(m: int, k: int) -> float:
    return 1.0 - sum((j / m) ** k for j in range(m)) / m


# ---------------------------------------------------------------- Proposition 4.1
@pytest.mark.parametrize("eps", [0.01, 0.1, 0.3])
def test_nlhf_stays_at_one_half_plus_eps_while_mpne_reaches_k_over_k_plus_1(eps):
    a = 0.5 + eps
    population = Profile.from_rankings([["y1", "y2"], ["y2", "y1"]], [a, 1 - a])
    nlhf = maximal_lottery(population)
    assert nlhf.to_dict() == {"y1": 1.0, "y2": 0.0}
    for k in range(1, 17):
        rr = robust_rate(population, nlhf, k)
        assert rr.rate == pytest.approx(a, abs=1e-15) and rr.opponent == "y2"
        # MPNE: U(y1) = a q^k and U(y2) = (1 - a)(1 - q)^k with q = pi(y2); indifference gives
        # q / (1 - q) = ((1 - a) / a)^(1/k)
        ratio = ((1 - a) / a) ** (1 / k)
        q = ratio / (1 + ratio)
        eq = mpne(population, k)
        assert eq["y2"] == pytest.approx(q, abs=1e-12)
        assert eq.attrs["guarantee"] == pytest.approx(1 - a * q ** k, abs=1e-12)
        assert eq.attrs["guarantee"] >= k / (k + 1)
        assert robust_rate(population, eq, k).rate > rr.rate          # diversity pays


# ---------------------------------------------------------------- Proposition 3.2
@pytest.mark.parametrize("m, k", [(3, 2), (4, 3), (5, 1)])
def test_plackett_luce_distinct_responses_give_exactly_k_over_k_plus_1(m, k):
    """Under equal-reward Plackett-Luce, conditioned on the k draws and the opponent being
    pairwise distinct, the opponent is preferred with probability exactly 1/(k+1), for any
    policy (checked by enumerating every ranking and every tuple of draws)."""
    rng = np.random.default_rng(m * 10 + k)
    pi = rng.dirichlet(np.ones(m))
    rankings = plackett_luce_rankings(np.zeros((1, m)), [1.0], 1.0)
    for y in range(m):
        distinct = opponent_wins = 0.0
        for draws in itertools.product(range(m), repeat=k):
            if len(set(draws)) < k or y in draws:
                continue
            p = math.prod(pi[d] for d in draws)
            distinct += p
            for perm, prob in rankings:
                lv = levels_of(perm)
                if all(lv[y] < lv[d] for d in draws):
                    opponent_wins += p * prob
        if distinct > 0:
            assert opponent_wins / distinct == pytest.approx(1 / (k + 1), abs=1e-14)


@pytest.mark.parametrize("m", [3, 5, 7])
@pytest.mark.parametrize("k", [1, 2, 4, 6])
def test_plackett_luce_equal_rewards_best_guarantee_tends_to_k_over_k_plus_1(m, k):
    names = [f"y{j}" for j in range(m)]
    population = RewardPopulation({"everyone": dict.fromkeys(names, 0.0)})
    value = uniform_population_value(m, k)
    rates = kwin_rate(population, np.full(m, 1 / m), k)
    np.testing.assert_allclose(rates.to_numpy(), value, atol=1e-13)
    assert k / (k + 1) < value <= k / (k + 1) + 1 / m
    best = robust_policy(population, k)
    np.testing.assert_allclose(best.to_numpy(), 1 / m, atol=1e-7)
    assert best.attrs["best_possible"] == pytest.approx(value, abs=1e-9)   # no policy does better


def test_plackett_luce_bound_approaches_the_rate_from_above():
    k = 3
    values = [uniform_population_value(m, k) for m in (2, 4, 8, 16, 64, 1024)]
    assert all(v1 > v2 for v1, v2 in zip(values, values[1:]))
    assert values[-1] - k / (k + 1) < 1e-3


# ---------------------------------------------------------------- Proposition 3.3
@pytest.mark.parametrize("m", [3, 4, 5])
@pytest.mark.parametrize("k", [1, 2, 3, 8])
def test_uniform_policy_on_all_rankings_sits_between_k_over_k_plus_1_and_the_bound(m, k):
    names = [f"y{j}" for j in range(m)]
    population = Profile.from_orders(np.array(list(itertools.permutations(range(m)))), names)
    value = uniform_population_value(m, k)
    rates = kwin_rate(population, None, k)
    np.testing.assert_allclose(rates.to_numpy(), value, atol=1e-14)
    assert k / (k + 1) < rates.min() <= k / (k + 1) + 1 / m
    best = robust_policy(population, k)
    assert best.attrs["best_possible"] == pytest.approx(value, abs=1e-9)
    assert best.attrs["guarantee"] == pytest.approx(value, abs=1e-9)
    eq = mpne(population, k)
    np.testing.assert_allclose(eq.to_numpy(), 1 / m, atol=1e-9)
    # the same numbers from the equal-reward Plackett-Luce population: it *is* this population
    pl = plackett_luce_profile(RewardPopulation({"u": dict.fromkeys(names, 1.0)}))
    np.testing.assert_allclose(pl.weights / pl.total_weight, 1 / math.factorial(m), atol=1e-15)
