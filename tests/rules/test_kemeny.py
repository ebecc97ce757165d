"""Kemeny-Young, Slater, Dodgson and Young (aggregation/rules/kemeny.py): hand-derived examples, the
definitions by brute force (every permutation, every swap sequence, every subset of voters) on
hypothesis profiles, and the stated size limits."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings

from aggregation import AggregationError, PreferenceMatrix, Profile, RULES, RewardPopulation
from aggregation.rules import kemeny
from aggregation.rules.kemeny import (
    dodgson_scores,
    kemeny_agreement,
    kemeny_ranking,
    kemeny_young,
    slater,
    young_scores,
)
from aggregation.rules.majority import margin_matrix

from ..core.strategies import weak_order_profiles
from .majority_reference import dodgson_by_search, kemeny_by_permutations, slater_by_permutations, young_by_subsets

CYCLE = Profile.parse("4: a > b > c\n3: b > c > a\n2: c > a > b")  # a > b by 3, b > c by 5, c > a by 1
PARADOX = Profile.parse("a > b > c\nb > c > a\nc > a > b")
TENNESSEE = Profile.parse(
    "42: Memphis > Nashville > Chattanooga > Knoxville\n"
    "26: Nashville > Chattanooga > Knoxville > Memphis\n"
    "15: Chattanooga > Knoxville > Nashville > Memphis\n"
    "17: Knoxville > Chattanooga > Nashville > Memphis"
)


def members(result):
    return sorted(a for a, v in result.values.items() if v == 1)


def test_kemeny_by_hand():
    # agreements: a>b>c 6+4+7 = 17, b>c>a 15, b>a>c 14, c>a>b 13, a>c>b 12, c>b>a 10
    assert kemeny_agreement(CYCLE, ["a", "b", "c"]) == 17.0
    assert kemeny_agreement(CYCLE, ["b", "c", "a"]) == 15.0
    assert members(kemeny_young(CYCLE)) == ["a"]
    assert kemeny_ranking(CYCLE).tie_groups == [["a"], ["b"], ["c"]]
    assert kemeny_ranking(CYCLE).notes == ()
    steps = RULES["kemeny_young"].trace(CYCLE, None)
    assert "agrees with the ballots on 17 voter-pairs (Kendall tau distance 10)" in steps[2].text  # 27 - 17
    assert "b > c > a, agrees on 15" in steps[2].text  # the runner-up


def test_kemeny_ties_between_optimal_rankings():
    # Condorcet's paradox: a>b>c, b>c>a and c>a>b all agree on 5 pairs: every alternative wins, one tie group
    assert members(kemeny_young(PARADOX)) == ["a", "b", "c"]
    result = kemeny_ranking(PARADOX)
    assert result.tie_groups == [["a", "b", "c"]] and "3 rankings tie" in result.notes[0]
    # two optimal rankings d>a>b>c and d>b>a>c: d first, a and b share the second block
    p = Profile.parse("d > a > b > c\nd > b > a > c")
    assert kemeny_ranking(p).tie_groups == [["d"], ["a", "b"], ["c"]]
    assert members(kemeny_young(p)) == ["d"]


def test_kemeny_ranking_blocks_reach_as_far_as_any_member():
    # Kemeny's ranking when several rankings are optimal (module docstring of aggregation/rules/kemeny.py):
    # the finest division into blocks of consecutive places that every optimal ranking respects. Margins
    # (in twelfths of the voters, rows beat columns) chosen so that the three optimal rankings, found by
    # all 120 permutations, are A>E>D>B>C, E>C>D>A>B and E>D>C>A>B (each sums 12 of these margins over
    # its ordered pairs, the most of any ranking). A takes places 1 and 4, so no cut before place 4; the
    # first four are {A, E, D, B} in one ranking and {E, C, D, A} in another, so no cut there either: one
    # block. Places taken: A 1-4, E 1-2, C 2-5, D 2-3, B 4-5; a block that only remembered its last
    # member's reach (D's 3) would wrongly cut before B.
    names = list("ABCDE")
    M = np.array(
        [[0, 3, -2, -2, 3], [-3, 0, 1, -2, -1], [2, -1, 0, 0, -3], [2, 2, 0, 0, -3], [-3, 1, 3, 3, 0]], dtype=float
    )
    _, orders = kemeny_by_permutations(M)
    assert sorted("".join(names[i] for i in o) for o in orders) == ["AEDBC", "ECDAB", "EDCAB"]
    cuts = [k for k in range(1, 5) if len({frozenset(o[:k]) for o in orders}) == 1]
    assert cuts == []  # no place where every optimal ranking has the same alternatives above
    P = PreferenceMatrix(pd.DataFrame(0.5 + M / 12, index=names, columns=names))
    result = kemeny_ranking(P)
    assert result.tie_groups == [names] and "3 rankings tie" in result.notes[0]
    assert members(kemeny_young(P)) == ["A", "E"]


def test_tennessee():
    assert kemeny_ranking(TENNESSEE).tie_groups == [["Nashville"], ["Chattanooga"], ["Knoxville"], ["Memphis"]]
    assert members(slater(TENNESSEE)) == ["Nashville"]
    # Memphis loses each vote 42-58: 9 more votes against each of the 3 others, one swap per vote at best: 27
    assert dodgson_scores(TENNESSEE)["Memphis"] == 27.0
    assert dodgson_scores(TENNESSEE)["Nashville"] == 0.0
    assert young_scores(TENNESSEE)["Nashville"] == 100.0


def test_slater_ignores_margin_sizes():
    # every ranking reverses one majority of the cycle, whatever the margins
    assert members(slater(CYCLE)) == ["a", "b", "c"]
    assert members(kemeny_young(CYCLE)) == ["a"]


def test_dodgson_and_young_by_hand():
    # Dodgson: a needs 1 vote against c (5-4): one swap in b>c>a; b needs 2 against a: two swaps; c needs 3 against b
    assert dodgson_scores(CYCLE).to_dict() == {"a": 1.0, "b": 2.0, "c": 3.0}
    assert RULES["dodgson"].compute(CYCLE).values.to_dict() == {"a": -1.0, "b": -2.0, "c": -3.0}
    # b needs one vote against x, but x is never right above b: the cheapest is x > a > b > y -> x > b > a > y ->
    # b > x > a > y, two swaps for one vote (the lower bound "one swap per vote" is not reached)
    p = Profile.parse("x > y > b > a\n2: b > a > y > x\nx > a > y > b\nx > a > b > y")
    assert dodgson_scores(p).to_dict() == {"x": 0.0, "y": 4.0, "b": 2.0, "a": 2.0}
    # Young: a is beaten only by c (5-4): drop one voter, keep 8; b keeps 6; c keeps 4 (2 b>c>a and 2 c>a>b)
    assert young_scores(CYCLE).to_dict() == {"a": 8.0, "b": 6.0, "c": 4.0}
    # Young with a tie: indifferent voters count for neither side (weak Condorcet winner)
    assert young_scores(Profile.parse("a = b > c\nb > a > c")).to_dict() == {"a": 1.0, "b": 2.0, "c": 0.0}


def test_refusals_are_stated():
    ties = Profile.parse("a = b > c\nc > a > b")
    ok, reason = RULES["dodgson"].applies_to(ties)
    assert not ok and "strict rankings" in reason
    assert RULES["young"].applies_to(ties) == (True, "")
    halves = Profile.parse("0.5: a > b\n1: b > a")
    assert "whole number of voters" in RULES["young"].applies_to(halves)[1]
    assert "needs rankings" in RULES["dodgson"].applies_to(RewardPopulation({"u": {"a": 1.0, "b": 0.0}}))[1]
    ok, reason = RULES["dodgson"].applies_to(PreferenceMatrix(CYCLE.preference_matrix()))
    assert not ok and "comparison table or a preference matrix" in reason
    big = Profile.from_orders(np.array([np.arange(17)]), [f"x{i}" for i in range(17)])
    for rule in ("kemeny_young", "kemeny_ranking", "slater"):
        ok, reason = RULES[rule].applies_to(big)
        assert not ok and "only up to 16 alternatives" in reason and "has 17" in reason, rule
    with pytest.raises(AggregationError, match="only up to 16 alternatives"):
        kemeny_young(big)
    assert "only up to 12 alternatives" in RULES["dodgson"].applies_to(big.restrict([f"x{i}" for i in range(13)]))[1]
    assert "only up to 10 alternatives" in RULES["young"].applies_to(big.restrict([f"x{i}" for i in range(11)]))[1]
    many = Profile.from_orders(np.array([np.roll(np.arange(4), k) for k in range(4)] * 1), list("abcd"))
    assert RULES["young"].applies_to(many) == (True, "")
    many_ballots = Profile.from_orders(np.argsort(np.random.default_rng(0).random((3000, 8)), axis=1), list("abcdefgh"))
    assert "only up to 1,000 distinct ballots" in RULES["young"].applies_to(many_ballots)[1]


def test_kemeny_on_a_preference_matrix_equals_the_profile():
    assert members(kemeny_young(PreferenceMatrix(CYCLE.preference_matrix()))) == ["a"]


@settings(max_examples=60, deadline=None)
@given(weak_order_profiles(max_m=5, max_n=6))
def test_kemeny_and_slater_by_all_permutations(p):
    M, names = margin_matrix(p)
    best, optimal = kemeny_by_permutations(M)
    assert members(kemeny_young(p)) == sorted({names[o[0]] for o in optimal})
    # the ranking's blocks: each alternative's places over all optimal orders, merged where they overlap
    lo = {a: min(o.index(i) for o in optimal) for i, a in enumerate(names)}
    groups = kemeny_ranking(p).tie_groups
    place = 0
    for g in groups:
        assert sorted(lo[a] for a in g)[0] == place
        assert {i for o in optimal for i, x in enumerate(o) if names[x] in g} == set(range(place, place + len(g)))
        place += len(g)
    _, slater_optimal = slater_by_permutations(M)
    assert members(slater(p)) == sorted({names[o[0]] for o in slater_optimal})


@settings(max_examples=40, deadline=None)
@given(weak_order_profiles(min_m=2, max_m=4, max_n=4, ties=False))
def test_dodgson_by_swap_search(p):
    assert dodgson_scores(p).to_dict() == {
        a: float(v) for a, v in dodgson_by_search([sum(r, []) for r in p.rankings], p.weights, p.alternatives).items()
    }


@settings(max_examples=40, deadline=None)
@given(weak_order_profiles(min_m=2, max_m=4, max_n=4))
def test_young_by_voter_subsets(p):
    assert young_scores(p).to_dict() == {
        a: float(v) for a, v in young_by_subsets(p.levels.tolist(), p.weights, p.alternatives).items()
    }


def test_unproven_integer_program_is_refused(monkeypatch):
    class Stopped:
        status, x, message, fun = 1, None, "Time limit reached", 0.0

    monkeypatch.setattr(kemeny, "milp", lambda *a, **k: Stopped())
    assert dodgson_scores(CYCLE)["a"] == 1.0  # the shortcut: enough voters have c right above a, no program
    with pytest.raises(AggregationError, match="did not prove an optimum .*no answer is given"):
        dodgson_scores(TENNESSEE)  # Memphis needs votes against Chattanooga, never right above it
