"""Majority-graph and margin rules (aggregation/rules/majority.py, margins.py): textbook examples with
hand-derived numbers, brute-force references on hypothesis profiles, and each rule's tie handling."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings

from aggregation import AggregationError, PreferenceMatrix, Profile, RULES
from aggregation.rules import margins
from aggregation.rules.majority import black, copeland, layers, llull, margin_matrix
from aggregation.rules.margins import minimax, ranked_pairs, schulze, split_cycle, stable_voting, widest_paths

from ..core.strategies import weak_order_profiles
from .majority_reference import (
    ranked_pairs_by_definition,
    schulze_by_paths,
    split_cycle_by_cycles,
    stable_voting_by_recursion,
)

# Condorcet's paradox (Jackpot, Table 1): R > B > G > R, every margin 1/3.
PARADOX = Profile.parse("R > B > G\nG > R > B\nB > G > R")
# A cycle with three different margins (hand-derived): a > b by 3, b > c by 5, c > a by 1 (9 voters).
CYCLE = Profile.parse("4: a > b > c\n3: b > c > a\n2: c > a > b")
# Schulze's 45-voter example with five candidates (Schulze 2011; also the Wikipedia "Schulze method" page).
SCHULZE_45 = Profile.parse(
    "5: A > C > B > E > D\n5: A > D > E > C > B\n8: B > E > D > A > C\n3: C > A > B > E > D\n"
    "7: C > A > E > B > D\n2: C > B > A > D > E\n7: D > C > E > B > A\n8: E > B > A > D > C"
)
# Tennessee's capital (Wikipedia, "Condorcet method"): Nashville is the Condorcet winner, Memphis the plurality one.
TENNESSEE = Profile.parse(
    "42: Memphis > Nashville > Chattanooga > Knoxville\n"
    "26: Nashville > Chattanooga > Knoxville > Memphis\n"
    "15: Chattanooga > Knoxville > Nashville > Memphis\n"
    "17: Knoxville > Chattanooga > Nashville > Memphis"
)
TIE = Profile.parse("a = b > c")  # one voter, a and b tied on top


def members(result):
    values = result if isinstance(result, pd.Series) else result.values
    return sorted(a for a, v in values.items() if v == 1)


def test_condorcet_paradox_ties_everyone():
    for rule in ("copeland", "llull", "minimax", "schulze", "ranked_pairs", "split_cycle", "stable_voting", "black"):
        assert sorted(RULES[rule].compute(PARADOX).winners) == ["B", "G", "R"], rule
    assert copeland(PARADOX).to_dict() == {"R": 1.0, "B": 1.0, "G": 1.0}
    assert minimax(PARADOX).to_dict() == {"R": -1.0, "B": -1.0, "G": -1.0}  # each loses one vote by 1 voter


def test_three_margins_cycle_by_hand():
    M, names = margin_matrix(CYCLE)
    assert (M * 9).round(9).tolist() == [[0, 3, -1], [-3, 0, 5], [1, -5, 0]]
    # minimax: worst defeats a 1 (by c), b 3 (by a), c 5 (by b)
    assert minimax(CYCLE).to_dict() == {"a": -1.0, "b": -3.0, "c": -5.0}
    # Schulze: paths a->c = min(3, 5) = 3 beats c->a = 1; b->a = min(5, 1) = 1 loses to a->b = 3; b->c 5 beats c->b 1
    S = widest_paths(M) * 9
    assert S.round(9).tolist() == [[0, 3, 3], [1, 0, 5], [1, 1, 0]]
    assert schulze(CYCLE).tie_groups == [["a"], ["b"], ["c"]]
    # ranked pairs: lock b > c (5), a > b (3), skip c > a (1)
    assert ranked_pairs(CYCLE).tie_groups == [["a"], ["b"], ["c"]]
    # Split Cycle: c > a is the weakest link of the only cycle: a is undefeated, b and c are defeated
    assert members(split_cycle(CYCLE)) == ["a"]
    assert members(stable_voting(CYCLE)) == ["a"]
    # Copeland and Llull: one win each
    assert copeland(CYCLE).to_dict() == {"a": 1.0, "b": 1.0, "c": 1.0} == llull(CYCLE).to_dict()
    # Black: no Condorcet winner, Borda a 10, b 10, c 7
    assert members(black(CYCLE)) == ["a", "b"]


def test_schulze_45_voter_example():
    M, names = margin_matrix(SCHULZE_45)
    d = {(a, b): round((M[i, j] * 45 + 45) / 2) for i, a in enumerate(names) for j, b in enumerate(names) if i != j}
    # Schulze's d[*, *] (voters preferring the first to the second)
    assert (d["A", "B"], d["B", "D"], d["D", "C"], d["E", "D"], d["C", "B"]) == (20, 33, 28, 31, 29)
    S = np.rint(widest_paths(M) * 45).astype(int)  # margins = 2 * winning votes - 45 on strict ballots
    expected_votes = {("A", "B"): 28, ("A", "E"): 24, ("E", "A"): 25, ("E", "D"): 31, ("C", "B"): 29, ("B", "D"): 33}
    for (a, b), votes in expected_votes.items():
        assert S[names.index(a), names.index(b)] == 2 * votes - 45, (a, b)
    assert schulze(SCHULZE_45).tie_groups == [["E"], ["A"], ["C"], ["B"], ["D"]]


def test_tennessee_condorcet_winner():
    for rule in ("copeland", "llull", "minimax", "schulze", "ranked_pairs", "split_cycle", "stable_voting", "black"):
        assert RULES[rule].compute(TENNESSEE).winners == ["Nashville"], rule
    assert ranked_pairs(TENNESSEE).tie_groups == [["Nashville"], ["Chattanooga"], ["Knoxville"], ["Memphis"]]
    assert schulze(TENNESSEE).tie_groups == [["Nashville"], ["Chattanooga"], ["Knoxville"], ["Memphis"]]
    assert minimax(TENNESSEE)["Nashville"] == 0.0


def test_ties_are_kept_not_broken():
    assert copeland(TIE).to_dict() == {"a": 1.5, "b": 1.5, "c": 0.0}  # half a point for the tie
    assert llull(TIE).to_dict() == {"a": 2.0, "b": 2.0, "c": 0.0}  # the tie counts as a win
    assert ranked_pairs(TIE).tie_groups == [["a", "b"], ["c"]]
    assert schulze(TIE).tie_groups == [["a", "b"], ["c"]]
    assert members(split_cycle(TIE)) == ["a", "b"] == members(stable_voting(TIE))
    assert minimax(TIE).to_dict() == {"a": 0.0, "b": 0.0, "c": -1.0}
    # a zero-margin pair counts neither for nor against: with two voters a > b / b > a ranked pairs keeps both
    two = Profile.parse("a > b\nb > a")
    assert ranked_pairs(two).tie_groups == [["a", "b"]]


def test_ranked_pairs_equal_margins_parallel_universes():
    # a > b, b > c, c > a all by one voter of three: every order of the three equal margins is tried
    result = ranked_pairs(PARADOX)
    assert result.tie_groups == [["R", "B", "G"]]
    assert "parallel-universe" in result.notes[0]
    # two cycles sharing equal margins: the union of the universes' winners
    assert ranked_pairs_by_definition(margin_matrix(PARADOX)[0]) == [0, 1, 2]


def test_stable_voting_is_not_split_cycle():
    # Holliday & Pacuit's distinction: Split Cycle can leave several undefeated, Stable Voting picks among them.
    p = Profile.parse("3: a > b > c > d\n2: b > c > d > a\n2: c > d > a > b\n1: d > a > b > c\n1: d > c > b > a")
    M, _ = margin_matrix(p)
    assert members(stable_voting(p)) == [p.alternatives[i] for i in sorted(stable_voting_by_recursion(M))]
    assert set(members(stable_voting(p))) <= set(members(split_cycle(p)))


def test_minimax_uses_margins_not_winning_votes():
    # with ties the variants differ: a beats b 2 to 1 (two voters indifferent), c beats a 3 to 2
    p = Profile.parse("2: a > c = b\n1: b > a = c\n3: c > a > b\n2: b = a = c")
    M, names = margin_matrix(p)
    assert minimax(p)["a"] == -round(max(M[:, 0].max(), 0) * p.total_weight, 9)


def test_rules_accept_a_preference_matrix():
    P = CYCLE.preference_matrix()
    for rule in ("copeland", "llull", "black", "minimax", "schulze", "ranked_pairs", "split_cycle", "stable_voting"):
        assert RULES[rule].compute(PreferenceMatrix(P)).winners == RULES[rule].compute(CYCLE).winners, rule
    assert minimax(PreferenceMatrix(P)).to_dict() == pytest.approx({"a": -1 / 9, "b": -3 / 9, "c": -5 / 9})  # shares


def test_layers_of_a_partial_order():
    beats = np.zeros((4, 4), dtype=bool)
    beats[0, 1] = beats[1, 2] = beats[0, 2] = True
    assert layers(beats) == [[0, 3], [1], [2]]


def test_ranked_pairs_refuses_beyond_its_budget(monkeypatch):
    margins._ranked_pairs_cached.cache_clear()
    monkeypatch.setattr(margins, "RANKED_PAIRS_MAX_STATES", 1)
    ok, reason = RULES["ranked_pairs"].applies_to(PARADOX)
    assert not ok and "parallel-universe tie-breaking is exact up to 1 distinct" in reason
    with pytest.raises(AggregationError, match="Ranked pairs: ranked pairs with parallel-universe"):
        RULES["ranked_pairs"].compute(PARADOX)
    margins._ranked_pairs_cached.cache_clear()


def test_stable_voting_refuses_beyond_its_budget(monkeypatch):
    margins._stable_cached.cache_clear()
    monkeypatch.setattr(margins, "STABLE_VOTING_MAX_STATES", 1)
    ok, reason = RULES["stable_voting"].applies_to(Profile.parse("a > b > c > d\nb > c > d > a\nc > d > a > b"))
    assert not ok and "exact up to 1 sub-elections" in reason
    margins._stable_cached.cache_clear()


@settings(max_examples=60, deadline=None)
@given(weak_order_profiles(max_m=5, max_n=6))
def test_margin_rules_against_their_definitions(p):
    M, names = margin_matrix(p)
    top = lambda rule: sorted(RULES[rule].compute(p).winners)  # noqa: E731
    assert top("schulze") == sorted(names[i] for i in schulze_by_paths(M))
    assert top("split_cycle") == sorted(names[i] for i in split_cycle_by_cycles(M))
    assert top("ranked_pairs") == sorted(names[i] for i in ranked_pairs_by_definition(M))
    assert top("stable_voting") == sorted(names[i] for i in stable_voting_by_recursion(M))
    # minimax: the largest margin each alternative loses by, from the definition
    worst = {b: max([0.0] + [M[i, j] for i in range(len(names)) if M[i, j] > 1e-9]) for j, b in enumerate(names)}
    assert minimax(p).to_dict() == pytest.approx({b: -w * p.total_weight for b, w in worst.items()}, abs=1e-9)
