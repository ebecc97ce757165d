"""How many variations a property check tries (issue 12: property checks on a 100,000 x 50 population in
seconds): every one up to MAX_VARIATIONS on small populations, fewer on large ones in proportion to the
(row x alternative) cells each re-computation reads, never fewer than MIN_VARIATIONS; the scope text says how
many were tried, in correct English."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from aggregation.populations.generators import impartial_culture
from aggregation.properties.axioms import check
from aggregation.properties.base import MAX_VARIATIONS, MIN_VARIATIONS, VARIATION_CELLS, max_variations
from aggregation.properties.variations import plural


def sized(rows: int, m: int):
    return SimpleNamespace(n_rows=rows, alternatives=[f"a{i}" for i in range(m)])


@pytest.mark.parametrize(
    "rows, m, expected",
    [
        (5, 3, MAX_VARIATIONS),  # 15 cells
        (10_000, 20, MAX_VARIATIONS),  # 200,000 cells: VARIATION_CELLS / cells = 1,000 exactly
        (20_000, 20, 500),  # 400,000 cells
        (100_000, 50, 40),  # 5,000,000 cells: 2e8 / 5e6
        (1_000_000, 50, MIN_VARIATIONS),  # 5e7 cells would give 4: the floor
    ],
)
def test_the_bound_by_hand(rows, m, expected):
    assert VARIATION_CELLS == 200_000_000 and MIN_VARIATIONS == 40 and MAX_VARIATIONS == 1000
    assert max_variations(sized(rows, m)) == expected


def test_a_large_population_is_checked_on_fewer_voter_orders_and_says_so():
    profile = impartial_culture(20_000, 20, seed=1)  # 20,000 distinct rankings x 20: 500 orders
    result = check(profile, "plurality", "anonymity")
    assert result.status == "pass" and result.tried == 500
    assert result.scope.startswith("500 other orders of the rankings drawn at random (seed 0)")


def test_plurals_take_the_s_on_their_head_noun():
    assert plural("other order of the rankings") == "other orders of the rankings"
    assert plural("truncation of some voters' rankings") == "truncations of some voters' rankings"
    assert plural("group misreport") == "group misreports"
    assert plural("split") == "splits"
