"""Step-by-step traces (issue 14, "Step by step"): every rule explains its answer, the numbers a teacher
projects are right (derived by hand below), and a rule without a trace of its own gets the fallback."""

import re
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from aggregation import RULES, AggregationError, Profile, RewardPopulation, RuleParams, sample_comparisons
from aggregation.rules.rule import Step
from ui.state import default_population

#: Jackpot paper, Figure 1: 2 voters R > G > B, 3 voters B > R > G (the dashboard's default population).
FIGURE_1 = Profile.parse("2: R > G > B\n3: B > R > G")
#: Condorcet's paradox: one voter each for the three cyclic orders.
CYCLE = Profile.parse("A > B > C\nB > C > A\nC > A > B")
TYPES = RewardPopulation({"u1": {"R": 1.0, "G": 0.0, "B": 2.0}, "u2": {"R": 2.0, "G": 1.0, "B": 0.0}})


def _check(steps, alternatives):
    assert steps and all(isinstance(s, Step) for s in steps)
    for s in steps:
        assert s.title and s.text.strip()
        assert s.table is None or isinstance(s.table, pd.DataFrame)
        assert set(s.highlight) <= set(alternatives), (s.title, s.highlight)


@pytest.mark.parametrize("rule_id", list(RULES))
def test_every_rule_yields_steps_on_the_default_population(rule_id):
    """Every registered rule (those added later too) explains itself on the default population, or
    refuses it with the same reason as ``compute``; then it explains itself on user types, or (a rule that reads a
    log of comparisons, Elo) on comparisons drawn from the default population."""
    population = default_population()
    assert population.fingerprint == FIGURE_1.fingerprint
    rule = RULES[rule_id]
    ok, reason = rule.applies_to(population)
    if ok:
        _check(rule.steps(population), population.alternatives)
    else:
        with pytest.raises(AggregationError, match="^" + re.escape(rule.name)):
            rule.steps(population)
        other = next(
            p for p in (TYPES, sample_comparisons(FIGURE_1, 60, seed=1)) if rule.applies_to(p, RuleParams(k=1))[0]
        )
        _check(rule.steps(other, RuleParams(k=1)), other.alternatives)


def test_rules_without_voters_explain_themselves_on_comparisons():
    data = sample_comparisons(FIGURE_1, 60, seed=1)
    for rule in RULES.values():
        if rule.applies_to(data, RuleParams(k=1))[0]:
            _check(rule.steps(data, RuleParams(k=1)), data.alternatives)


def test_fallback_for_a_rule_without_a_trace():
    rule = replace(RULES["copeland"], trace=None)
    what, answer = rule.steps(FIGURE_1)
    assert what.title == "What it computes" and rule.explanation in what.text and "Copeland 1951" in what.text
    # B beats R 3-2 and G 3-2; R beats G 5-0: Copeland 2, 1, 0
    assert answer.table.iloc[:, 0].to_dict() == {"R": 1.0, "G": 0.0, "B": 2.0}
    assert answer.highlight == ("B",) and "Top: B." in answer.text
    lottery = replace(RULES["maximal_lottery"], trace=None).steps(CYCLE)[-1]
    assert lottery.highlight == ("A", "B", "C")  # all used: the most likely (all tied)


def test_borda_tally_by_hand():
    places, head, points = RULES["borda"].steps(FIGURE_1)
    # places: R is 1st for 2 voters, 2nd for 3; G 2nd for 2, 3rd for 3; B 1st for 3, 3rd for 2
    assert places.table.loc[["R", "G", "B"], ["1st", "2nd", "3rd"]].to_numpy().tolist() == [
        [2, 3, 0],
        [0, 2, 3],
        [3, 0, 2],
    ]
    assert places.table.loc["points"].tolist() == [2, 1, 0]
    # head to head: R over G 5, R over B 2; G over B 2; B over R 3, B over G 3
    table = head.table.fillna(-1)
    assert table.loc["R", ["G", "B"]].tolist() == [5, 2] and table.loc["B", ["R", "G"]].tolist() == [3, 3]
    assert table["Borda score"].to_dict() == {"R": 7, "G": 2, "B": 6}
    assert points.table["score"].to_dict() == {"R": 7, "G": 2, "B": 6}  # 2*2 + 3, 2, 2*3
    assert points.highlight == ("R",) and points.text.endswith("Borda picks R (7).")


def test_borda_on_a_preference_matrix_sums_the_rows_of_p():
    steps = RULES["borda"].steps(FIGURE_1.preference_matrix())
    assert [s.title for s in steps] == ["Head to head", "Points"]
    # an average voter: R 1 + 0.4, G 0.4, B 0.6 + 0.6
    np.testing.assert_allclose(steps[-1].table["score"].to_numpy(), [1.4, 0.4, 1.2])
    assert "share of the voters" in steps[0].text


def test_plurality_and_random_dictatorship_count_first_places():
    first, winner = RULES["plurality"].steps(FIGURE_1)
    assert first.table["first places"].to_dict() == {"R": 2, "G": 0, "B": 3}
    assert winner.highlight == ("B",) and "B (3, a share of 0.6)" in winner.text
    shares, lottery = RULES["random_dictatorship"].steps(FIGURE_1)
    assert lottery.highlight == ("R", "B") and "R 0.4, B 0.6" in lottery.text


def test_maximal_lottery_certificate_by_hand():
    """Jackpot paper, Figure 1: B beats R and G 3-2, so the maximal lottery is B for sure; every other
    alternative loses to it by a margin of 1/5, and B itself is the opponent's only best response."""
    game, lp, certificate, answer = RULES["maximal_lottery"].steps(FIGURE_1)
    np.testing.assert_allclose(game.table.to_numpy(), [[0, 1, -0.2], [-1, 0, -0.2], [0.2, 0.2, 0]], atol=1e-15)
    assert "optimal value is 0" in lp.text and lp.highlight == ("B",)
    np.testing.assert_allclose(certificate.table["p's margin over b"].to_numpy(), [0.2, 0.2, 0.0], atol=1e-15)
    assert certificate.highlight == ("B",)
    assert "best responses are those at the minimum, 0: B; every other alternative (R and G) loses" in certificate.text
    assert "It is the only maximal lottery." in certificate.text
    assert answer.text.startswith("The maximal lottery: B with probability 1.")


def test_maximal_lottery_certificate_on_a_cycle_and_on_a_tie():
    """Condorcet's paradox: margins +-1/3 around the cycle, the uniform lottery, every alternative a
    best response (margin 0). Two voters A > B > C and B > A > C: A and B tie, both beat C by 1; every
    mix of A and B is maximal, the maximum-entropy one is (1/2, 1/2, 0) and C loses to it by 1."""
    certificate = RULES["maximal_lottery"].steps(CYCLE)[2]
    np.testing.assert_allclose(certificate.table["probability p(b)"].to_numpy(), [1 / 3] * 3, atol=1e-12)
    np.testing.assert_allclose(certificate.table["p's margin over b"].to_numpy(), [0, 0, 0], atol=1e-12)
    assert certificate.highlight == ("A", "B", "C") and "every alternative ties with the lottery" in certificate.text
    tie = RULES["maximal_lottery"].steps(Profile.parse("A > B > C\nB > A > C"))[2]
    np.testing.assert_allclose(tie.table["p's margin over b"].to_numpy(), [0, 0, 1], atol=1e-12)
    assert tie.highlight == ("A", "B") and "Several lotteries are optimal" in tie.text


def test_nbc_and_the_bradley_terry_fit():
    """NBC under uniform D on Figure 1: rows of P (diagonal 1/2) averaged: R (0.5 + 1 + 0.4)/3,
    G (0 + 0.5 + 0.4)/3, B (0.6 + 0.6 + 0.5)/3; the Bradley-Terry reward's first-order condition
    reproduces them (Shirali et al., Proposition 4.2)."""
    nbc = RULES["nbc"].steps(FIGURE_1)[-1]
    np.testing.assert_allclose(nbc.table["NBC"].to_numpy(), [1.9 / 3, 0.9 / 3, 1.7 / 3])
    assert nbc.highlight == ("R",)
    steps = RULES["rlhf"].steps(FIGURE_1, RuleParams(beta=0.5))
    assert [s.title for s in steps] == [
        "The comparisons",
        "The Bradley-Terry fit",
        "How well one reward fits",
        "The policy",
    ]
    fit = steps[1].table
    np.testing.assert_allclose(fit["sum_b D(b) sigmoid(r_a - r_b)"], [1.9 / 3, 0.9 / 3, 1.7 / 3], atol=1e-12)
    np.testing.assert_allclose(fit["NBC(a; D)"], [1.9 / 3, 0.9 / 3, 1.7 / 3], atol=1e-12)
    # the cycle products of Proposition B.1: P[R,G] P[G,B] P[B,R] = 1 * 0.4 * 0.6, P[R,B] P[B,G] P[G,R] = 0
    assert "they are 0.24 and 0." in steps[2].text and "cannot reproduce" in steps[2].text
    policy = steps[-1].table
    reward = fit["reward r"].to_numpy()
    np.testing.assert_allclose(policy["policy"], np.exp(reward / 0.5) / np.exp(reward / 0.5).sum(), atol=1e-12)


def test_rlhf_with_unanimous_levels_says_so():
    steps = RULES["rlhf"].steps(Profile.parse("2: A > B > C\n1: B > A > C"))
    assert "-inf" in steps[1].text and steps[1].highlight == ("A", "B")
    assert steps[-1].table.loc["C", "policy"] == 0.0


def test_average_reward_policy_steps():
    types, average, policy = RULES["average_reward"].steps(TYPES, RuleParams(beta=0.5))
    assert average.table["average reward"].to_dict() == {"R": 1.5, "G": 0.5, "B": 1.0}
    weights = np.exp(np.array([1.5, 0.5, 1.0]) / 0.5)
    np.testing.assert_allclose(policy.table["policy"], weights / weights.sum())
    assert policy.highlight == ("R",)


def test_mpne_equilibrium_conditions_by_hand():
    """k = 1 on Figure 1 (rankings: a player scores only when strictly preferred): with pi = (0.4, 0, 0.6),
    U(R) = P(R > B) 0.6 = 0.4 * 0.6, U(B) = P(B > R) 0.4 = 0.6 * 0.4, U(G) = P(G > B) 0.6 = 0.4 * 0.6: all
    0.24, the equilibrium value; the guarantee is 1 - 0.24 = 0.76 >= 1/2 (Cai & Zheng, Theorem 4.3)."""
    game, conditions, guarantee, answer = RULES["mpne"].steps(FIGURE_1, RuleParams(k=1))
    np.testing.assert_allclose(conditions.table["pi(y)"], [0.4, 0.0, 0.6], atol=1e-8)
    np.testing.assert_allclose(conditions.table["U(y; pi)"], [0.24, 0.24, 0.24], atol=1e-8)
    assert "equilibrium value is E_(y~pi) U(y; pi) = 0.24." in conditions.text
    assert "G earns at most the value" in conditions.text and conditions.highlight == ("R", "B")
    np.testing.assert_allclose(guarantee.table.iloc[:, 0], [0.76] * 3, atol=1e-8)
    assert "leave 0.76, at least k/(k+1) = 0.5" in guarantee.text
    assert "2 players" in game.text and answer.highlight == ("R", "B")


def test_robust_policy_certificate():
    steps = RULES["robust"].steps(FIGURE_1, RuleParams(k=1))
    table = steps[1].table
    np.testing.assert_allclose(table["1-sample win rate against y"], [0.76] * 3, atol=1e-8)
    assert abs(table["opponent mix"].sum() - 1) < 1e-9 and "exceed 0.76" in steps[1].text
    # user types, k = 2: the robust policy answers R; its worst rival is R itself (a response against itself
    # gets one half, so two draws of R win 1 - 1/3 against R)
    steps = RULES["robust"].steps(TYPES, RuleParams(k=2))
    assert steps[0].highlight == ("R",) and "at 0.666667" in steps[0].text


def test_steps_refuse_like_compute():
    data = sample_comparisons(FIGURE_1, 50, seed=0)
    with pytest.raises(AggregationError, match="^Plurality: it needs each voter's favourite"):
        RULES["plurality"].steps(data)
    with pytest.raises(AggregationError, match="use k = 1"):
        RULES["mpne"].steps(data, RuleParams(k=2))
