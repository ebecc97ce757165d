"""Issue 13, item 2: the clone check also finds clones already in the population (aggregation/properties/
independence.py, existing_clones), so the "A near-duplicate answer splits the vote" card and its Properties page
agree: Borda fails independence of clones on it."""

from __future__ import annotations

from hypothesis import given, settings

import presets
from aggregation import Profile, RewardPopulation
from aggregation.properties.axioms import check
from aggregation.properties.base import FAIL, PASS
from aggregation.properties.independence import existing_clones

from ..core.strategies import weak_order_profiles

CLONES = presets.load("clone_plurality").population


def test_existing_clones_are_the_pairs_no_voter_separates():
    # 2: A > A2 > B > C, 2: A2 > A > B > C, 3: B > C > A > A2, 2: C > A > A2 > B: only {A, A2} is never split
    assert existing_clones(CLONES) == [("A", "A2")]
    assert existing_clones(Profile.parse("1: A > B > C\n1: C > A > B")) == [("A", "B")]
    # B tied with A but not with C separates A and C; C between A and B in the second ranking separates those
    assert existing_clones(Profile.parse("1: A = B > C\n1: A > C > B")) == []
    import pandas as pd

    types = RewardPopulation(
        pd.DataFrame([[1.0, 1.0, 0.0], [0.0, 0.0, 2.0]], index=["u", "v"], columns=["x", "y", "z"])
    )
    assert existing_clones(types) == [("x", "y")]


def test_borda_fails_on_the_clone_card_with_the_cards_own_comparison():
    """By hand (scenario file): without A2, Borda (2, 1, 0) gives A 4*2+0+2*1 = 10, B 4*1+3*2 = 10, C 7: A = B;
    with A2 (3, 2, 1, 0): A 17, B 13, A2 12, C 12: A alone."""
    borda = check(CLONES, "borda", "clones")
    assert borda.status == FAIL
    assert borda.message.startswith("A2 is already a clone of A here")
    assert "without A2, Borda's winner is A and B (tied); with it, A" in borda.message
    assert borda.counterexample["winners_before"] == ["A", "B"] and borda.counterexample["winners_after"] == ["A"]
    # the maximal lottery is consistent under cloning (Jackpot appendix A.2): A2 gets 0, the rest unchanged
    assert check(CLONES, "maximal_lottery", "clones").status == PASS


def _brute_force(profile) -> list[tuple[str, str]]:
    """Tideman's definition read off every ranking of positive weight, pair by pair."""
    names = list(profile.alternatives)
    pairs = []
    for i in range(len(names)):
        for j in range(i + 1, len(names)):
            if all(
                all(
                    (row[z] < min(row[i], row[j])) or (row[z] > max(row[i], row[j]))
                    for z in range(len(names))
                    if z not in (i, j)
                )
                for row, w in zip(profile.levels, profile.weights)
                if w > 0
            ):
                pairs.append((names[i], names[j]))
    return pairs


@settings(max_examples=150, deadline=None)
@given(weak_order_profiles(min_m=3, max_m=6, max_n=5))
def test_the_pairwise_count_filter_never_loses_a_clone_pair(profile):
    """existing_clones reads the rankings only for pairs whose pairwise counts allow a clone set: the answer is
    the brute force's on random weak orders (few voters, so that clone pairs occur)."""
    assert existing_clones(profile) == _brute_force(profile)
