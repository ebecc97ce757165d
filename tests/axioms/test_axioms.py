"""Property checks on hand-derived populations (Jackpot paper, Figure 1 and Table 2; clones;
Pareto) and as properties (relabelling the alternatives never changes a verdict)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aggregation import (
    RULES,
    AggregationError,
    Profile,
    RewardPopulation,
    RuleParams,
    check_all,
    check_rule,
    sample_comparisons,
)
from aggregation.properties.axioms import AXIOMS, FAIL, NOT_APPLICABLE, PASS, check, split_clone, winners

from ..core.strategies import weak_order_profiles

FIGURE_1 = Profile.parse("2: R > G > B\n3: B > R > G")  # Jackpot Figure 1 = Table 2b
TABLE_2A = Profile.parse("2: R > B\n3: B > R")
CYCLE = Profile.parse("R > G > B\nG > B > R\nB > R > G")


# ---------------------------------------------------------------- Jackpot, Figure 1
def test_borda_fails_majority_and_condorcet_on_figure_1():
    majority = check(FIGURE_1, "borda", "majority")
    assert majority.status == FAIL and majority.version == "winner"
    assert majority.message == (
        "B is ranked first by 60% of the voters (a majority), but Borda picks R (Borda score: R 7, G 2, B 6)."
    )
    assert majority.counterexample["winners"] == ["R"]
    condorcet = check(FIGURE_1, "borda", "condorcet")
    assert condorcet.status == FAIL
    assert condorcet.message.startswith(
        "B beats every other alternative head-to-head (R by 60% to 40%, G by 60% to 40%)"
    )


def test_maximal_lottery_passes_majority_and_condorcet_on_figure_1():
    for axiom in ("majority", "condorcet"):
        result = check(FIGURE_1, "maximal_lottery", axiom)
        assert result.status == PASS and result.version == "probabilistic"
        assert "gives it probability 1" in result.message


def test_rlhf_gives_the_majority_favourite_less_than_one():
    result = check(FIGURE_1, "rlhf", "majority")
    assert result.status == FAIL
    p = result.counterexample["probability"]
    assert 0.3 < p < 0.45
    assert result.message == (
        f"B is ranked first by 60% of the voters (a majority), but RLHF / DPO limit (beta = 1) "
        f"gives it probability {p:.2f} instead of 1."
    )


# ---------------------------------------------------------------- Jackpot, Table 2
def test_table_2_borda_fails_iia_and_the_maximal_lottery_does_not():
    borda = check(FIGURE_1, "borda", "iia")
    assert borda.status == FAIL
    assert borda.message.startswith("Removing G changes Borda's winner from R to B")
    assert borda.counterexample["removed"] == "G"
    after = borda.counterexample["after"]
    assert after.to_dict() == {"R": 2.0, "B": 3.0}  # = Borda on Table 2a
    assert FIGURE_1.restrict(["R", "B"]).rankings == TABLE_2A.rankings
    ml = check(FIGURE_1, "maximal_lottery", "iia")
    assert ml.status == PASS


def test_maximal_lottery_is_not_luce_independent_on_a_cycle():
    result = check(CYCLE, "maximal_lottery", "iia")
    assert result.status == FAIL
    assert result.counterexample["removed"] == "R"
    assert result.counterexample["after"].to_dict() == pytest.approx({"G": 1.0, "B": 0.0})
    assert result.counterexample["conditional_before"].to_dict() == pytest.approx({"G": 0.5, "B": 0.5})
    # read by its mode, it fails too: all three tie, removing nothing can keep a three-way tie
    assert (
        check(CYCLE, "maximal_lottery", "iia", version="winner").status == PASS
    )  # winners = everyone: nothing removed


# ---------------------------------------------------------------- clones
def test_plurality_fails_independence_of_clones():
    # 3: A > B > C, 2: B > C > A, 2: C > B > A: plurality picks A (3 of 7 first places). A clone
    # A' that half of each group puts above A splits A's first places 1.5 / 1.5, so B and C (2) win.
    profile = Profile.parse("3: A > B > C\n2: B > C > A\n2: C > B > A")
    result = check(profile, "plurality", "clones")
    assert result.status == FAIL
    assert result.counterexample["cloned"] == "A"
    assert result.counterexample["after"].to_dict() == {"A": 1.5, "A'": 1.5, "B": 2.0, "C": 2.0}
    assert result.message.startswith(
        "Adding a clone of A (A': every voter ranks it right next to A, half of them "
        "just above and half just below) changes Plurality's winner from A to B and C (tied)"
    )


def test_split_clone_keeps_every_other_comparison():
    cloned = split_clone(FIGURE_1, "R", "R'")
    assert cloned.alternatives == ["R", "R'", "G", "B"]
    P, Q = FIGURE_1.preference_matrix(), cloned.preference_matrix()
    for a in ("R", "G", "B"):
        for b in ("R", "G", "B"):
            assert Q.loc[a, b] == pytest.approx(P.loc[a, b])
        assert Q.loc["R'", a] == pytest.approx(P.loc["R", a]) or a == "R"
    assert Q.loc["R", "R'"] == pytest.approx(0.5)


def test_clone_verdicts_on_figure_1():
    assert check(FIGURE_1, "maximal_lottery", "clones").status == PASS
    assert check(FIGURE_1, "random_dictatorship", "clones").status == PASS
    rlhf = check(FIGURE_1, "rlhf", "clones")
    assert rlhf.status == FAIL and "changes RLHF / DPO limit (beta = 1)'s probabilities" in rlhf.message


# ---------------------------------------------------------------- Pareto
def test_pareto_with_a_weakly_dominated_alternative():
    # nobody prefers B to A and one voter prefers A to B: A Pareto-dominates B (and both dominate C)
    profile = Profile.parse("A > B > C\nA = B > C")
    rlhf = check(profile, "rlhf", "pareto")
    assert rlhf.status == FAIL  # P[A, B] = 3/4 < 1: B keeps a finite reward
    assert rlhf.counterexample["dominated"] == "B" and rlhf.counterexample["probability"] > 0.1
    assert rlhf.message.startswith("Every voter likes A at least as much as B, and some strictly more, yet RLHF")
    for rule in ("maximal_lottery", "mpne", "borda", "copeland", "plurality"):
        assert check(profile, rule, "pareto").status == PASS, rule
    # the indifferent voter's chance is split between A and B, so random dictatorship returns B w.p. 1/4
    dictator = check(profile, "random_dictatorship", "pareto")
    assert dictator.status == FAIL and dictator.counterexample["probability"] == pytest.approx(0.25)


def test_pareto_with_unanimous_strict_dominance_rlhf_passes():
    profile = Profile.parse("A > B > C\nA > C > B")
    result = check(profile, "rlhf", "pareto")
    assert result.status == PASS  # B and C get reward -inf, probability 0


def test_pareto_not_applicable_without_dominance_or_voters():
    result = check(CYCLE, "borda", "pareto")
    assert result.status == NOT_APPLICABLE and "no alternative is Pareto-dominated" in result.message
    data = sample_comparisons(FIGURE_1, 100, seed=0)
    assert check(data, "borda", "pareto").status == NOT_APPLICABLE


def test_pareto_for_user_types_uses_rewards():
    pop = RewardPopulation({"u1": {"a": 1.0, "b": 0.0, "c": 2.0}, "u2": {"a": 2.0, "b": 1.0, "c": 0.0}})
    result = check(pop, "average_reward", "pareto")
    assert result.status == FAIL and result.counterexample["dominating"] == "a"
    assert result.message.startswith("Every user type likes a at least as much as b")


# ---------------------------------------------------------------- ties and reading
def test_a_shared_first_place_is_not_picking_the_majority_winner():
    # A is first for 3 of 5 voters; Borda: A 6 + 0 + 1 = 7, B 3 + 2 + 2 = 7, C 1 + 1 + 0... tie A = B
    profile = Profile.parse("3: A > B > C\n1: B > C > A\n1: B > A > C")
    result = check(profile, "borda", "majority")
    assert result.status == FAIL
    assert "only ties A with B for first place" in result.message
    assert winners(profile.preference_matrix().sum(axis=1)) == ["A", "B"]


def test_not_applicable_cases_say_why():
    assert check(CYCLE, "borda", "majority").message.startswith("no alternative is ranked first")
    assert check(CYCLE, "borda", "condorcet").status == NOT_APPLICABLE
    assert "two alternatives" in check(TABLE_2A, "borda", "iia").message
    data = sample_comparisons(FIGURE_1, 200, seed=1)
    assert "favourite" in check(data, "borda", "majority").message
    assert check(data, "plurality", "iia").message.startswith("Plurality does not apply here: it needs")
    assert check(data, "borda", "clones").status == NOT_APPLICABLE
    assert check(data, "borda", "iia").status in (PASS, FAIL)  # restricts the matrix
    assert check(FIGURE_1, "borda", "majority", version="probabilistic").message.startswith(
        "Borda outputs scores, not probabilities"
    )


def test_bad_requests():
    with pytest.raises(AggregationError, match="unknown property 'transitivity'"):
        check(FIGURE_1, "borda", "transitivity")
    with pytest.raises(AggregationError, match="unknown rule"):
        check(FIGURE_1, "kemeny", "iia")
    with pytest.raises(AggregationError, match="version must be"):
        check(FIGURE_1, "borda", "iia", version="strong")


def test_check_all_table():
    table = check_all(FIGURE_1, RuleParams(k=2))
    assert len(table) == len(RULES) * len(AXIOMS)  # every rule of the registry, every property
    assert set(table["status"]) == {PASS, FAIL, NOT_APPLICABLE}
    row = table[(table.rule == "borda") & (table.axiom == "iia")].iloc[0]
    assert row.status == FAIL and row.version == "winner"
    assert [c.axiom for c in check_rule(FIGURE_1, "copeland")] == list(AXIOMS)


# ---------------------------------------------------------------- relabelling
FAST_RULES = ["borda", "plurality", "copeland", "maximal_lottery", "rlhf", "nbc", "random_dictatorship"]
#: The properties these two tests were written for (the others have tests of their own in test_properties.py).
FIRST_FIVE = ["majority", "condorcet", "pareto", "iia", "clones"]


@settings(max_examples=15, deadline=None)
@given(weak_order_profiles(min_m=3, max_m=4, max_n=5), st.randoms(use_true_random=False))
def test_verdicts_do_not_depend_on_names_or_order(profile, rnd):
    names = profile.alternatives
    perm = list(range(len(names)))
    rnd.shuffle(perm)
    new_names = [f"x{j}" for j in range(len(names))]
    rename = dict(zip(names, new_names))
    relabelled = Profile.from_levels(profile.levels[:, perm], [rename[names[j]] for j in perm], profile.weights)
    before = check_all(profile, rules=FAST_RULES, axioms=FIRST_FIVE)
    after = check_all(relabelled, rules=FAST_RULES, axioms=FIRST_FIVE)
    assert before["status"].tolist() == after["status"].tolist()


@settings(max_examples=6, deadline=None)
@given(weak_order_profiles(min_m=3, max_m=4, max_n=4))
def test_game_rule_verdicts_do_not_depend_on_order(profile):
    perm = np.arange(len(profile.alternatives))[::-1]
    relabelled = Profile.from_levels(profile.levels[:, perm], [profile.alternatives[j] for j in perm], profile.weights)
    params = RuleParams(k=2)
    before = check_all(profile, params, rules=["mpne", "robust"], axioms=FIRST_FIVE)
    after = check_all(relabelled, params, rules=["mpne", "robust"], axioms=FIRST_FIVE)
    assert before["status"].tolist() == after["status"].tolist()


def test_check_rule_reports_progress_and_stops_when_cancelled():
    from aggregation.errors import Cancelled
    from aggregation.properties.axioms import check_rule as _check_rule

    profile = Profile.parse("2: A > B > C\n2: B > C > A\n1: C > A > B")
    seen = []
    checks = _check_rule(profile, "borda", progress=lambda f: seen.append(f) or True)
    assert seen[0] == 0.0 and seen[-1] == 1.0 and all(b >= a for a, b in zip(seen, seen[1:]))
    assert len(checks) > 3
    calls = []
    with pytest.raises(Cancelled):
        _check_rule(profile, "borda", progress=lambda f: calls.append(f) or len(calls) < 5)
    assert len(calls) == 5  # stopped at the first False, mid-way
