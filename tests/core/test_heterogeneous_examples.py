"""The heterogeneous-preferences paper's phenomena (Shirali et al., arXiv 2502.16320, section 4.3
and appendix A) on hand-derived populations. The stored copy of the paper shows only its opening,
so the numbers are constructed to exhibit each effect; the same populations, with their
derivations, are the scenario files presets/scenarios/hetero_*.toml. Expected values here are
computed from the closed forms with math.exp, independently of the core's code paths."""
import math

import pytest

from aggregation import (RewardPopulation, average_reward_policy, bt_reward, condorcet_winner, maximal_lottery,
                         nbc, rlhf_policy)


def s(x):
    return 1.0 / (1.0 + math.exp(-x))


def test_section_4_3_sampling_distribution_decides_between_two_good_answers():
    pop = RewardPopulation({"A": {"y1": 7, "y2": 2, "y3": 0}, "B": {"y1": 0, "y2": 4, "y3": 0}}, [0.5, 0.5])
    p12 = (s(5) + s(-4)) / 2
    p13, p23 = (s(7) + s(0)) / 2, (s(2) + s(4)) / 2

    def gap(d):  # NBC(y1) - NBC(y2) under D = ((1 - d) / 2, (1 - d) / 2, d)
        return (1 - d) / 2 * (0.5 - (1 - p12)) + (1 - d) / 2 * (p12 - 0.5) + d * (p13 - p23)

    for d, leader in ((0.02, "y1"), (0.04, "y2")):
        D = {"y1": (1 - d) / 2, "y2": (1 - d) / 2, "y3": d}
        score = nbc(pop, D)
        assert score["y1"] - score["y2"] == pytest.approx(gap(d), abs=1e-12)
        assert score[["y1", "y2"]].idxmax() == leader
        assert rlhf_policy(pop, sampling=D)[["y1", "y2"]].idxmax() == leader      # DPO follows NBC under D
    assert gap(0.02) > 0 > gap(0.04)
    assert average_reward_policy(pop).idxmax() == "y1"                              # 3.5 vs 3 vs 0, whatever D


def test_annotator_temperature_flips_the_learned_order():
    pop = RewardPopulation({"mild majority": {"y1": 2, "y2": 0}, "strong minority": {"y1": 0, "y2": 5}}, [0.6, 0.4])
    for T, winner in ((1.0, "y1"), (2.0, "y2")):
        hot = pop.with_temperature(T)
        expected = 0.6 * s(2 / T) + 0.4 * s(-5 / T)
        assert hot.preference_matrix().loc["y1", "y2"] == pytest.approx(expected, abs=1e-12)
        assert bt_reward(hot).idxmax() == winner
    assert average_reward_policy(pop).idxmax() == "y2"                              # 1.2 vs 2.0, whatever T


def test_appendix_a_adding_an_irrelevant_answer_flips_nbc():
    pop = RewardPopulation({"A": {"y1": 6, "y2": 2, "y3": 2}, "B": {"y1": 0, "y2": 3, "y3": 2}}, [0.5, 0.5])
    p12 = (s(4) + s(-3)) / 2
    p13, p23 = (s(4) + s(-2)) / 2, (s(0) + s(1)) / 2
    before = nbc(pop.restrict(["y1", "y2"]))
    assert before["y1"] == pytest.approx((0.5 + p12) / 2, abs=1e-12) and before.idxmax() == "y1"
    after = nbc(pop)
    assert after["y1"] == pytest.approx((0.5 + p12 + p13) / 3, abs=1e-12)
    assert after["y2"] == pytest.approx((0.5 + (1 - p12) + p23) / 3, abs=1e-12)
    assert after.idxmax() == "y2"                                                   # y3 changed the winner
    assert average_reward_policy(pop).idxmax() == "y1"                              # 3 vs 2.5 vs 2
    assert condorcet_winner(pop) == "y1" and maximal_lottery(pop)["y1"] == pytest.approx(1.0)


def test_mediocrity_promotion():
    pop = RewardPopulation({"detailed readers": {"short": 0, "medium": 2, "long": 3},
                            "brief readers": {"short": 7, "medium": 3, "long": 0}}, [0.6, 0.4])
    P = pop.preference_matrix()
    assert P.loc["medium", "short"] == pytest.approx(0.6 * s(2) + 0.4 * s(-4), abs=1e-12)
    assert P.loc["medium", "long"] == pytest.approx(0.6 * s(-1) + 0.4 * s(3), abs=1e-12)
    assert nbc(pop).idxmax() == "medium" and condorcet_winner(pop) == "medium"      # nobody's favourite wins
    assert pop.average_reward().to_dict() == pytest.approx({"short": 2.8, "medium": 2.4, "long": 1.8})
    assert average_reward_policy(pop).idxmax() == "short"


def test_appendix_a_tyranny_of_the_majority():
    pop = RewardPopulation({"majority": {"y1": 1, "y2": 0}, "minority": {"y1": 0, "y2": 20}}, [0.9, 0.1])
    assert nbc(pop)["y1"] == pytest.approx((0.5 + 0.9 * s(1) + 0.1 * s(-20)) / 2, abs=1e-12)
    assert maximal_lottery(pop)["y1"] == pytest.approx(1.0)
    assert average_reward_policy(pop)["y2"] == pytest.approx(s(1.1), abs=1e-12)
