"""Tournament solutions (aggregation/rules/sets.py): textbook examples, the definitions by brute force
(subsets, closures, sequences) on hypothesis profiles, and the inclusions the literature proves."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings

from aggregation import AggregationError, Profile, RULES
from aggregation.rules.majority import margin_matrix
from aggregation.rules.sets import UNCOVERED_DEFINITIONS, banks, bipartisan, essential, schwartz, smith, uncovered_set

from ..core.reference import smith_set_by_subsets
from ..core.strategies import weak_order_profiles
from .majority_reference import banks_by_sequences, schwartz_by_closure, uncovered_by_definition

PARADOX = Profile.parse("a > b > c\nb > c > a\nc > a > b")
CYCLE = Profile.parse("4: a > b > c\n3: b > c > a\n2: c > a > b")


def members(values):
    values = values if isinstance(values, pd.Series) else values.values
    return sorted(a for a, v in values.items() if v == 1)


def test_condorcet_paradox_every_set_is_everything():
    for rule in ("smith_set", "schwartz_set", "uncovered_set", "banks_set", "bipartisan_set", "essential_set"):
        assert members(RULES[rule].compute(PARADOX)) == ["a", "b", "c"], rule


def test_smith_and_schwartz_differ_on_a_majority_tie():
    # a ties b (1-1, one voter indifferent), b beats c, c beats a: "beats or ties" links all three (Smith);
    # with strict majorities only, nobody beats b, so b alone is the top component (Schwartz)
    p = Profile.parse("c > a > b\nb > c > a\na = b > c", alternatives=["a", "b", "c"])
    M, _ = margin_matrix(p)
    assert np.sign(M).astype(int).tolist() == [[0, 0, -1], [0, 0, 1], [1, -1, 0]]
    assert members(smith(p)) == ["a", "b", "c"]
    assert members(schwartz(p)) == ["b"]


def test_uncovered_definitions_differ_with_ties():
    # pref_voting's uncovered-set example (uc_bordes docstring): five voters, weights 1, 1, 1, 2, 1
    p = Profile.from_orders(
        np.array([[2, 3, 0, 1], [0, 2, 1, 3], [3, 0, 1, 2], [1, 2, 0, 3], [1, 2, 3, 0]]),
        ["0", "1", "2", "3"],
        [1, 1, 1, 2, 1],
    )
    M, names = margin_matrix(p)
    for definition in UNCOVERED_DEFINITIONS:
        assert members(uncovered_set(p, definition)) == [names[i] for i in uncovered_by_definition(M, definition)]
    with pytest.raises(AggregationError, match="unknown uncovered-set definition 'miller'"):
        uncovered_set(p, "miller")


def test_banks_on_a_four_cycle_tournament():
    # a>b, b>c, c>d, d>a, a>c, b>d (hand-built): maximal chains a>b>c? a>b, a>c, b>c: yes, d can't join (d>a, b>d);
    # b>c>d: b>d yes, a can't join (d>a); c>d>a? c>a no. d>a>b? d>b no (b>d). d>a>c: d>c? no (c>d).
    p = Profile.parse("a > b > c > d\nb > c > d > a\nd > a > b > c\nc > d > a > b\na > b > c > d")
    M, names = margin_matrix(p)
    assert members(banks(p)) == [names[i] for i in banks_by_sequences(M)]


def test_bipartisan_and_essential():
    assert members(essential(CYCLE)) == ["a", "b", "c"]  # the margin game's lottery (5, 1, 3) / 9
    assert members(bipartisan(CYCLE)) == ["a", "b", "c"]  # the 3-cycle tournament: (1, 1, 1) / 3
    cw = Profile.parse("2: a > b > c\n1: b > c > a")
    assert members(bipartisan(cw)) == ["a"] == members(essential(cw))


def test_banks_refuses_beyond_its_size():
    big = Profile.from_orders(np.array([np.arange(17)]), [f"x{i}" for i in range(17)])
    ok, reason = RULES["banks_set"].applies_to(big)
    assert not ok and "only up to 16 alternatives" in reason


@settings(max_examples=60, deadline=None)
@given(weak_order_profiles(max_m=5, max_n=6))
def test_sets_against_their_definitions(p):
    M, names = margin_matrix(p)
    named = lambda idx: sorted(names[i] for i in idx)  # noqa: E731
    smith_set = smith_set_by_subsets(M, names)
    assert members(smith(p)) == smith_set
    assert members(schwartz(p)) == named(schwartz_by_closure(M))
    for definition in UNCOVERED_DEFINITIONS:
        got = members(uncovered_set(p, definition))
        assert got == named(uncovered_by_definition(M, definition)), definition
        assert set(got) <= set(smith_set), definition  # an outsider is covered by any Smith member
    banks_set = members(banks(p))
    assert banks_set == named(banks_by_sequences(M))
    assert set(banks_set) <= set(smith_set)
    assert set(members(schwartz(p))) <= set(smith_set)
    assert set(members(essential(p))) <= set(smith_set)
    assert set(members(bipartisan(p))) <= set(smith_set)
