"""Properties every majority, margin, Kemeny, set and lottery rule of this family must have, on
hypothesis profiles: anonymity (voters in any order), neutrality (renaming and reordering the
alternatives permutes the answer), weights = repeated ballots, Condorcet consistency and Smith
efficiency where the literature proves them; and a trace for every rule."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aggregation import PreferenceMatrix, Profile, RewardPopulation, RULES, condorcet_winner, smith_set
from aggregation.rules import kemeny, majority, margins, sets

from ..core.strategies import weak_order_profiles

OURS = [rule.id for module in (majority, margins, kemeny, sets) for rule in module.ENTRIES] + [
    "c1_maximal_lottery",
    "proportional_borda",
]
#: Rules whose winners are the Condorcet winner whenever there is one (Dodgson: on strict rankings, where it applies).
CONDORCET = [
    "copeland",
    "llull",
    "black",
    "minimax",
    "schulze",
    "ranked_pairs",
    "split_cycle",
    "stable_voting",
    "kemeny_young",
    "kemeny_ranking",
    "slater",
    "dodgson",
    "young",
    "smith_set",
    "schwartz_set",
    "uncovered_set",
    "banks_set",
    "bipartisan_set",
    "essential_set",
    "c1_maximal_lottery",
]
#: Rules whose winners always lie in the Smith set (minimax, Black, Dodgson, Young and proportional Borda do not).
SMITH = [
    "copeland",
    "llull",
    "schulze",
    "ranked_pairs",
    "split_cycle",
    "stable_voting",
    "kemeny_young",
    "kemeny_ranking",
    "slater",
    "smith_set",
    "schwartz_set",
    "uncovered_set",
    "banks_set",
    "bipartisan_set",
    "essential_set",
    "c1_maximal_lottery",
]


def test_the_family_is_registered():
    assert set(OURS) <= set(RULES) and len(OURS) == 21
    assert not set(CONDORCET) - set(OURS) and not set(SMITH) - set(CONDORCET)


def answer(rule, p):
    ok, _ = RULES[rule].applies_to(p)
    return RULES[rule].compute(p).values if ok else None


@settings(max_examples=25, deadline=None)
@given(weak_order_profiles(max_m=5, max_n=6), st.randoms(use_true_random=False))
def test_anonymity_neutrality_and_repeated_ballots(p, rnd):
    names = p.alternatives
    voters = list(range(p.n_rankings))
    rnd.shuffle(voters)
    shuffled = Profile.from_levels(p.levels[voters], names, p.weights[voters])
    perm = list(range(len(names)))
    rnd.shuffle(perm)
    renamed = Profile.from_levels(p.levels[:, perm], [f"Z{names[i]}" for i in perm], p.weights)
    repeated = Profile.from_levels(np.repeat(p.levels, p.weights.astype(int), axis=0), names)
    for rule in OURS:
        base = answer(rule, p)
        if base is None:
            continue
        np.testing.assert_allclose(answer(rule, shuffled).to_numpy(), base.to_numpy(), atol=1e-7, err_msg=rule)
        moved = answer(rule, renamed)
        np.testing.assert_allclose([moved[f"Z{a}"] for a in names], base.to_numpy(), atol=1e-7, err_msg=rule)
        np.testing.assert_allclose(answer(rule, repeated).to_numpy(), base.to_numpy(), atol=1e-7, err_msg=rule)


@settings(max_examples=40, deadline=None)
@given(weak_order_profiles(max_m=5, max_n=7))
def test_condorcet_and_smith(p):
    cw = condorcet_winner(p)
    smith = set(smith_set(p))
    for rule in CONDORCET:
        if not RULES[rule].applies_to(p)[0]:
            continue
        top = RULES[rule].compute(p).winners if RULES[rule].output != "lottery" else RULES[rule].compute(p).support
        if cw is not None:
            assert top == [cw], rule
        if rule in SMITH:
            assert set(top) <= smith, rule


@pytest.mark.parametrize("rule", OURS)
def test_every_rule_explains_itself(rule):
    populations = [
        Profile.parse("4: a > b > c\n3: b > c > a\n2: c > a > b"),
        Profile.parse("a = b > c\nc > a = b\nb > c > a"),
        PreferenceMatrix(Profile.parse("2: a > b > c\n1: c > b > a").preference_matrix()),
        RewardPopulation({"u": {"a": 1.0, "b": 0.0, "c": 2.0}, "v": {"a": 0.5, "b": 1.5, "c": 0.0}}),
    ]
    explained = 0
    for population in populations:
        if not RULES[rule].applies_to(population)[0]:
            continue
        steps = RULES[rule].trace(population, None)
        assert steps and all(s.title and s.text for s in steps), rule
        winners = RULES[rule].compute(population).winners
        assert set(steps[-1].highlight) >= set(winners) or RULES[rule].output == "lottery", rule
        explained += 1
    assert explained >= 1
