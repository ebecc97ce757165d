"""RLHF / DPO limits: Bradley-Terry reward, NBC, policies, and the min-TV sampling flip."""

import itertools

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize
from scipy.special import expit

from aggregation import (
    AggregationError,
    Profile,
    RewardPopulation,
    average_reward_policy,
    bt_reward,
    min_tv_flip,
    nbc,
    reward_order_key,
    rlhf_policy,
)

from .reference import min_tv_flip_by_lp
from .strategies import distributions, reward_populations, weak_order_profiles

FIGURE_1 = Profile.parse("2: R > G > B\n3: B > R > G")


def test_nbc_of_figure_1_by_hand():
    assert nbc(FIGURE_1).to_dict() == pytest.approx({"R": 1.9 / 3, "G": 0.9 / 3, "B": 1.7 / 3})
    D = {"R": 0.2, "G": 0.2, "B": 0.6}
    # NBC(R) = .2*.5 + .2*1 + .6*.4 ; NBC(B) = .2*.6 + .2*.6 + .6*.5
    assert nbc(FIGURE_1, D).to_dict() == pytest.approx({"R": 0.54, "G": 0.34, "B": 0.54})


def test_bt_reward_matches_a_generic_optimiser():
    D = np.array([0.5, 0.3, 0.2])
    P = FIGURE_1.preference_matrix().to_numpy()

    def negloglik(r):
        d = r[:, None] - r[None, :]
        return -(np.outer(D, D) * P * np.log(expit(d))).sum()

    ref = minimize(negloglik, np.zeros(3), method="BFGS", options={"gtol": 1e-12}).x
    ref -= ref.mean()
    np.testing.assert_allclose(bt_reward(FIGURE_1, D).reward.to_numpy(), ref, atol=1e-6)


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_bt_first_order_condition_is_nbc(data):
    """sum_b D_b sigmoid(r_a - r_b) = NBC(a; D) for every alternative: the reward order is the NBC order."""
    p = data.draw(st.one_of(weak_order_profiles(), reward_populations()))
    D = data.draw(distributions(len(p.alternatives)))
    r = bt_reward(p, D)
    assume(not r.infinite_gaps)
    x = r.reward.to_numpy()
    lhs = expit(x[:, None] - x[None, :]) @ D
    np.testing.assert_allclose(lhs, nbc(p, D).to_numpy(), atol=1e-9)
    assert abs(x.mean()) < 1e-9


def _same_order(x, y, tol=1e-7):
    for i, j in itertools.combinations(range(len(x)), 2):
        if abs(x[i] - x[j]) > tol or abs(y[i] - y[j]) > tol:
            assert np.sign(x[i] - x[j]) == np.sign(y[i] - y[j])


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_rlhf_policy_order_is_nbc_order_under_the_same_distribution(data):
    """Shirali et al., Proposition 4.2, on rankings and user types (uniform reference; see
    tests/core/test_heterogeneous_examples.py for the policy ratio with a random reference)."""
    p = data.draw(st.one_of(weak_order_profiles(), reward_populations()))
    m = len(p.alternatives)
    D = data.draw(distributions(m))
    beta = data.draw(st.floats(0.2, 5.0))
    policy = rlhf_policy(p, beta=beta, sampling=D).values
    assert policy.sum() == pytest.approx(1.0)
    _same_order(reward_order_key(bt_reward(p, D)).to_numpy(), nbc(p, D).to_numpy())
    finite = np.isfinite(bt_reward(p, D).reward.to_numpy())
    _same_order(policy.to_numpy()[finite], nbc(p, D).to_numpy()[finite])


def test_policy_formula_with_a_reference():
    r = bt_reward(FIGURE_1)
    ref = {"R": 0.5, "G": 0.25, "B": 0.25}
    expected = np.array([0.5, 0.25, 0.25]) * np.exp(r.reward.to_numpy() / 0.5)
    np.testing.assert_allclose(
        rlhf_policy(FIGURE_1, beta=0.5, reference=ref).values.to_numpy(), expected / expected.sum()
    )


def test_unanimous_preferences_have_infinite_reward_gaps():
    p = Profile.parse("2: A > B > C\n1: A > C > B")
    r = bt_reward(p)
    assert r["A"] == 0.0 and r["B"] == -np.inf and r["C"] == -np.inf
    assert r.level.to_dict() == {"A": 0, "B": 1, "C": 1}
    assert r.within_level["B"] > r.within_level["C"]  # B beats C 2 to 1
    assert rlhf_policy(p).values.to_dict() == {"A": 1.0, "B": 0.0, "C": 0.0}
    _same_order(reward_order_key(r).to_numpy(), nbc(p).to_numpy())


def test_average_reward_policy_and_its_errors():
    pop = RewardPopulation({"u1": {"a": 1.0, "b": 0.0}, "u2": {"a": 0.0, "b": 3.0}}, weights=[3, 1])
    # E r = (0.75, 0.75): equal, so the policy equals the reference
    assert average_reward_policy(pop, beta=2.0).to_dict() == pytest.approx({"a": 0.5, "b": 0.5})
    with pytest.raises(AggregationError, match="needs user types with reward functions"):
        average_reward_policy(FIGURE_1)
    with pytest.raises(AggregationError, match="beta must be a positive number"):
        rlhf_policy(FIGURE_1, beta=0)


def test_tyranny_of_the_majority_average_reward_vs_dpo():
    """90% mildly prefer a (reward 1 vs 0), 10% strongly prefer b (0 vs 20): the average reward
    prefers b (0.9 vs 2.0), DPO/NBC follows the head count and prefers a."""
    pop = RewardPopulation({"majority": {"a": 1.0, "b": 0.0}, "minority": {"a": 0.0, "b": 20.0}}, [0.9, 0.1])
    assert pop.average_reward().to_dict() == pytest.approx({"a": 0.9, "b": 2.0})
    P_ab = 0.9 * expit(1.0) + 0.1 * expit(-20.0)
    assert pop.preference_matrix().loc["a", "b"] == pytest.approx(P_ab)
    assert rlhf_policy(pop).values.idxmax() == "a"
    assert average_reward_policy(pop).idxmax() == "b"


def test_sampling_distribution_must_be_valid():
    with pytest.raises(AggregationError, match="probabilities sum to 0.9, not 1"):
        nbc(FIGURE_1, {"R": 0.3, "G": 0.3, "B": 0.3})
    with pytest.raises(AggregationError, match="unknown alternative 'Y'"):
        nbc(FIGURE_1, {"R": 0.5, "Y": 0.5, "B": 0.0})
    with pytest.raises(AggregationError, match="'G' has probability 0"):
        bt_reward(FIGURE_1, {"R": 0.5, "G": 0.0, "B": 0.5})
    with pytest.raises(AggregationError, match="probability of 'R' is -0.5"):
        nbc(FIGURE_1, [-0.5, 1.0, 0.5])


def test_min_tv_flip_on_figure_1_by_hand():
    # Under uniform sampling NBC ranks R (1.9/3) above B (1.7/3). c = P[B] - P[R] = (.1, -.4, .1):
    # move mass from G (c = -.4) to R or B (c = .1): each unit gains .5, the deficit is 0.2/3.
    flip = min_tv_flip(FIGURE_1)
    assert flip.pair == ("R", "B")
    assert flip.distance == pytest.approx(0.4 / 3)
    assert flip.nbc_after["R"] == pytest.approx(flip.nbc_after["B"])
    assert flip.sampling["G"] == pytest.approx(1 / 3 - 0.4 / 3)


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_min_tv_flip_agrees_with_one_lp_per_pair(data):
    p = data.draw(st.one_of(weak_order_profiles(max_m=5), reward_populations(max_m=4)))
    P = p.preference_matrix().to_numpy()
    m = len(p.alternatives)
    base = np.full(m, 1 / m)
    before = P @ base
    best = min(
        (
            min_tv_flip_by_lp(P, base, a, b)
            for a in range(m)
            for b in range(m)
            if before[a] > before[b] + 1e-9 and (P[b] - P[a]).max() > 1e-12
        ),
        default=np.inf,
    )
    flip = min_tv_flip(p)
    if not np.isfinite(best):
        assert flip is None
        return
    assert flip.distance == pytest.approx(best, abs=1e-7)
    a, b = (p.alternatives.index(x) for x in flip.pair)
    D = flip.sampling.to_numpy()
    assert 0.5 * np.abs(D - base).sum() == pytest.approx(flip.distance, abs=1e-9)
    assert (P @ D)[b] >= (P @ D)[a] - 1e-9


def test_min_tv_flip_with_a_margin_really_flips_and_none_when_impossible():
    flip = min_tv_flip(FIGURE_1, margin=0.01)
    a, b = flip.pair
    assert flip.nbc_after[b] == pytest.approx(flip.nbc_after[a] + 0.01)
    # unanimity: sampling only C makes A and B tie (both beat C), but nothing puts B ahead of A
    assert min_tv_flip(Profile.parse("A > B > C")) is None
