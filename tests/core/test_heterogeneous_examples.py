"""The heterogeneous-preferences paper's own examples (Shirali et al., "Direct Alignment with
Heterogeneous Preferences", arXiv 2502.16320): section 4.3, Appendix A and Proposition B.1, with the
paper's printed rewards and numbers, reproduced through the public API; and Proposition 4.2 as a
property. The same populations, with their derivations, are the scenario files
presets/scenarios/hetero_*.toml. Expected values are computed from the closed forms with math.exp,
independently of the core's code paths."""

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aggregation import (
    Profile,
    RewardPopulation,
    average_reward_policy,
    bt_misfit,
    bt_reward,
    condorcet_winner,
    maximal_lottery,
    nbc,
    rlhf_policy,
)

from .strategies import NAMES, distributions


def s(x):
    return 1.0 / (1.0 + math.exp(-x))


def logit(p):
    return math.log(p / (1 - p))


#: Section 4.3: "type A prefers y1 but type B prefers y2", equally represented.
SECTION_4_3 = RewardPopulation({"A": {"y1": 6, "y2": 1, "y3": 4}, "B": {"y1": 3, "y2": 9, "y3": 4}}, [0.5, 0.5])


def test_section_4_3_raising_d_y3_from_002_to_004_moves_dpo_from_y2_to_y1():
    p12, p13, p23 = (s(5) + s(-6)) / 2, (s(2) + s(-1)) / 2, (s(-3) + s(5)) / 2

    def gap(d):  # NBC(y1) - NBC(y2) under D = ((1 - d) / 2, (1 - d) / 2, d), eq. (13)
        return (1 - d) * (p12 - 0.5) + d * (p13 - p23)

    for d, leader in ((0.02, "y2"), (0.04, "y1")):
        D = {"y1": (1 - d) / 2, "y2": (1 - d) / 2, "y3": d}
        score = nbc(SECTION_4_3, D)
        assert score["y1"] - score["y2"] == pytest.approx(gap(d), abs=1e-12)
        assert score[["y1", "y2"]].idxmax() == leader
        assert (
            rlhf_policy(SECTION_4_3, sampling=D).values[["y1", "y2"]].idxmax() == leader
        )  # pi_DPO follows NBC under D
    assert gap(0.02) < 0 < gap(0.04)
    assert nbc(SECTION_4_3, {"y1": 0.49, "y2": 0.49, "y3": 0.02})["y2"] == pytest.approx(0.5014413, abs=1e-7)
    assert average_reward_policy(SECTION_4_3).idxmax() == "y2"  # 4.5, 5, 4 whatever D
    assert maximal_lottery(SECTION_4_3)["y2"] == pytest.approx(1.0)  # y2 beats y1 and y3


def test_section_4_3_temperature_2_flips_dpo_on_y1_and_y2_but_not_pi_star():
    expected_winner = {1.0: "y1", 2.0: "y2"}
    for T, winner in expected_winner.items():
        hot = SECTION_4_3.with_temperature(T)
        P = hot.preference_matrix()
        p12, p13, p23 = (s(5 / T) + s(-6 / T)) / 2, (s(2 / T) + s(-1 / T)) / 2, (s(-3 / T) + s(5 / T)) / 2
        assert P.loc["y1", "y2"] == pytest.approx(p12, abs=1e-12)
        score = nbc(hot)  # uniform D
        assert score["y1"] == pytest.approx((0.5 + p12 + p13) / 3, abs=1e-12)
        assert score["y2"] == pytest.approx((1 - p12 + 0.5 + p23) / 3, abs=1e-12)
        assert score[["y1", "y2"]].idxmax() == winner and bt_reward(hot).reward[["y1", "y2"]].idxmax() == winner
        # "the preference model has no effect on pi*": eq. (10) uses the average reward only
        np.testing.assert_allclose(
            average_reward_policy(hot).to_numpy(), np.exp([4.5, 5, 4]) / np.exp([4.5, 5, 4]).sum(), atol=1e-15
        )


def test_section_4_3_mediocrity_promotion():
    pop = RewardPopulation(
        {
            "A": {"short": 0, "med": 1, "long": 4},
            "B": {"short": 4, "med": 1, "long": 0},
            "C": {"short": 0, "med": 1, "long": 0},
        }
    )
    pi_star = average_reward_policy(pop)
    assert pi_star["short"] == pytest.approx(pi_star["long"], abs=1e-15) and pi_star["short"] > pi_star["med"]
    score = nbc(pop)
    p_med_short = (s(1) + s(-3) + s(1)) / 3
    assert score["med"] == pytest.approx((0.5 + 2 * p_med_short) / 3, abs=1e-12)
    assert score["short"] == pytest.approx(score["long"], abs=1e-15) and score["short"] < score["med"]
    assert score["short"] == pytest.approx(0.4989397, abs=1e-7)
    assert condorcet_winner(pop) == "med" and rlhf_policy(pop).values.idxmax() == "med"  # nobody's favourite wins


def test_appendix_a_iia_y3_flips_nbc_to_about_062_and_055():
    pop = RewardPopulation({"A": {"y1": 6, "y2": 1, "y3": 2}, "B": {"y1": 3, "y2": 9, "y3": 2}}, [0.5, 0.5])
    p12 = (s(5) + s(-6)) / 2
    p13, p23 = (s(4) + s(1)) / 2, (s(-1) + s(7)) / 2
    before = nbc(pop.restrict(["y1", "y2"]))
    assert before["y2"] == pytest.approx((0.5 + 1 - p12) / 2, abs=1e-12) and before.idxmax() == "y2"
    after = nbc(pop)
    assert after["y1"] == pytest.approx((0.5 + p12 + p13) / 3, abs=1e-12)
    assert after["y2"] == pytest.approx((0.5 + (1 - p12) + p23) / 3, abs=1e-12)
    assert round(after["y1"], 2) == 0.62 and round(after["y2"], 2) == 0.55  # as printed
    assert after.idxmax() == "y1"  # y3 changed the winner
    assert average_reward_policy(pop).idxmax() == "y2"  # pi* still prefers y2
    assert maximal_lottery(pop)["y2"] == pytest.approx(1.0)


def test_appendix_a_tyranny_of_the_majority_nbc_about_047_and_053():
    pop = RewardPopulation({"A": {"y1": 0.5, "y2": 1}, "B": {"y1": 0.5, "y2": -10}}, [0.9, 0.1])
    score = nbc(pop)
    assert score["y1"] == pytest.approx((0.5 + 0.9 * s(-0.5) + 0.1 * s(10.5)) / 2, abs=1e-12)
    assert round(score["y1"], 2) == 0.47 and round(score["y2"], 2) == 0.53  # as printed
    assert rlhf_policy(pop).values.idxmax() == "y2" and maximal_lottery(pop)["y2"] == pytest.approx(1.0)
    assert average_reward_policy(pop)["y1"] == pytest.approx(s(0.6), abs=1e-12)  # pi* prefers y1


# ----------------------------------------------------------------------------- Proposition B.1: the BT misfit
PROP_B1 = RewardPopulation({"u1": {"y1": 1, "y2": 2, "y3": 3}, "u2": {"y1": 1, "y2": 2, "y3": 4}}, [0.5, 0.5])


def test_proposition_b1_cycle_products_differ():
    p12, p23, p13 = s(-1), (s(-1) + s(-2)) / 2, (s(-2) + s(-3)) / 2
    forward, backward = p12 * p23 * (1 - p13), p13 * (1 - p23) * (1 - p12)
    assert forward == pytest.approx(0.04784553, abs=1e-8) and backward == pytest.approx(0.04908721, abs=1e-8)
    fit = bt_misfit(PROP_B1)
    assert fit.cycle == ("y1", "y3", "y2")  # oriented so that forward >= backward
    assert fit.forward == pytest.approx(backward, abs=1e-15) and fit.backward == pytest.approx(forward, abs=1e-15)


def _bisect(f, lo, hi):
    for _ in range(200):
        mid = (lo + hi) / 2
        if (f(lo) < 0) == (f(mid) < 0):
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def test_proposition_b1_misfit_by_hand():
    """With three alternatives and uniform D, the fit's first-order conditions (Appendix A.9 of the
    Jackpot paper: sum_b sigmoid(r_a - r_b) = sum_b P[a, b]) force the same error e on every pair
    round the cycle, and the fitted logits must add up to 0: solve logit(P12 - e) + logit(P23 - e)
    + logit(P31 - e) = 0 for e by bisection."""
    p12, p23, p31 = s(-1), (s(-1) + s(-2)) / 2, 1 - (s(-2) + s(-3)) / 2
    e = _bisect(lambda e: logit(p12 - e) + logit(p23 - e) + logit(p31 - e), -0.05, 0.05)
    assert e == pytest.approx(-0.00104027, abs=1e-8)
    fit = bt_misfit(PROP_B1)
    assert fit.max_error == pytest.approx(abs(e), abs=1e-12)
    assert fit.mean_error == pytest.approx(abs(e), abs=1e-12)  # the same on every pair
    r = fit.reward
    assert r["y1"] - r["y2"] == pytest.approx(logit(p12 - e), abs=1e-10)
    assert r["y2"] - r["y3"] == pytest.approx(logit(p23 - e), abs=1e-10)
    assert fit.fitted.loc["y1", "y2"] == pytest.approx(p12 - e, abs=1e-12)
    assert not fit.fits_exactly()
    assert bt_misfit(PROP_B1.restrict(["y1", "y2"])).max_error < 1e-12  # two alternatives always fit


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_a_single_bradley_terry_type_fits_exactly(data):
    """One user type is a Bradley-Terry model: the fit recovers r / T and every cycle balances."""
    m = data.draw(st.integers(2, 6))
    rewards = {NAMES[j]: data.draw(st.floats(-4, 4)) for j in range(m)}
    T = data.draw(st.floats(0.5, 3.0))  # reward gaps / T <= 16: no P below 1e-9 (no unanimity levels)
    D = data.draw(distributions(m))
    pop = RewardPopulation({"u": rewards}, temperature=T)
    fit = bt_misfit(pop, D)
    assert fit.max_error < 1e-12 and fit.mean_error < 1e-12 and fit.fits_exactly()
    assert abs(fit.cycle_gap) < 1e-15
    r = np.array(list(rewards.values())) / T
    np.testing.assert_allclose(fit.reward.to_numpy(), r - r.mean(), atol=1e-10)


def test_unanimous_levels_fit_exactly_and_figure_1_does_not():
    exact = bt_misfit(Profile.parse("2: A > B > C\n1: A > C > B"))  # A above all; B vs C 2 : 1
    assert exact.max_error < 1e-12
    figure_1 = bt_misfit(Profile.parse("2: R > G > B\n3: B > R > G"))
    # every voter puts R above G: P[R, G] = 1, but R, G, B are one level (G beats B and B beats R
    # sometimes), so the fitted rewards are finite. Three alternatives, uniform D: the same error e
    # on R > G, G > B, B > R, with logit(1 - e) + logit(2/5 - e) + logit(3/5 - e) = 0.
    e = _bisect(lambda e: logit(1 - e) + logit(0.4 - e) + logit(0.6 - e), 1e-9, 0.3)
    assert figure_1.max_error == pytest.approx(e, abs=1e-12) and e > 0.1
    assert figure_1.fitted.loc["R", "G"] == pytest.approx(1 - e, abs=1e-12)
    # the cycle R > G > B > R has product 1 x 2/5 x 3/5 = 0.24, the reverse 2/5 x 3/5 x 0 = 0
    assert figure_1.cycle == ("R", "G", "B")
    assert figure_1.forward == pytest.approx(0.24, abs=1e-15) and figure_1.backward == 0.0


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_misfit_agrees_with_brute_force(data):
    m = data.draw(st.integers(3, 5))
    k = data.draw(st.integers(1, 3))
    rewards = {f"u{t}": {NAMES[j]: data.draw(st.floats(-3, 3)) for j in range(m)} for t in range(k)}
    weights = data.draw(st.lists(st.floats(0.1, 3.0), min_size=k, max_size=k))
    D = data.draw(distributions(m))
    pop = RewardPopulation(rewards, weights)
    fit = bt_misfit(pop, D)
    P = pop.preference_matrix().to_numpy()
    r = bt_reward(pop, D).reward.to_numpy()
    errors = {(a, b): abs(P[a, b] - s(r[a] - r[b])) for a in range(m) for b in range(m) if a != b}
    assert fit.max_error == pytest.approx(max(errors.values()), abs=1e-12)
    weight = {(a, b): D[a] * D[b] for a, b in errors}
    assert fit.mean_error == pytest.approx(sum(weight[p] * errors[p] for p in errors) / sum(weight.values()), abs=1e-12)
    gaps = {
        t: P[t[0], t[1]] * P[t[1], t[2]] * P[t[2], t[0]] - P[t[0], t[2]] * P[t[2], t[1]] * P[t[1], t[0]]
        for t in itertools.permutations(range(m), 3)
    }
    assert fit.cycle_gap == pytest.approx(max(gaps.values()), abs=1e-15)
    a, b, c = (NAMES.index(x) for x in fit.cycle)
    assert fit.forward == pytest.approx(P[a, b] * P[b, c] * P[c, a], abs=1e-15)


# ----------------------------------------------------------------------------- Proposition 4.2
def _strictly_ordered_pairs(x, tol=1e-7):
    return [(i, j) for i, j in itertools.permutations(range(len(x)), 2) if x[i] > x[j] + tol]


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_proposition_4_2_dpo_policy_ratio_orders_like_nbc_under_d(data):
    """Proposition 4.2: with responses drawn from D, the limit DPO (= RLHF) policy's ratio
    pi_DPO / pi_ref has the same order as NBC(.; D), for user types with Bradley-Terry annotators,
    any D with full support, any reference policy and any beta."""
    m = data.draw(st.integers(2, 6))
    k = data.draw(st.integers(1, 4))
    rewards = {f"u{t}": {NAMES[j]: data.draw(st.floats(-4, 4)) for j in range(m)} for t in range(k)}
    weights = data.draw(st.lists(st.floats(0.05, 3.0), min_size=k, max_size=k))
    pop = RewardPopulation(rewards, weights, temperature=data.draw(st.floats(0.5, 3.0)))  # every P > 1e-9
    D = data.draw(distributions(m))
    reference = data.draw(distributions(m))
    beta = data.draw(st.floats(0.1, 5.0))
    policy = rlhf_policy(pop, beta=beta, sampling=D, reference=reference).values.to_numpy()
    log_ratio = np.log(policy) - np.log(reference)  # the induced reward / beta
    score = nbc(pop, D).to_numpy()
    for i, j in _strictly_ordered_pairs(score, tol=1e-9):
        assert log_ratio[i] > log_ratio[j], (i, j, score, log_ratio)
    for i, j in _strictly_ordered_pairs(log_ratio, tol=1e-7):
        assert score[i] > score[j], (i, j, score, log_ratio)
