"""Reinforcement on large populations (issue 12): above ``BLOCK_SPLIT_ROWS`` distinct rankings the check splits
whole blocks of rankings whose pairwise counts it computes once (aggregation.properties.electorate.BlockSplits).
Each group must be exactly the voters it names, with exactly their counts; the check must still be able to fail;
and the time-budget prediction must build what the splits need (and the check reuse it)."""

import numpy as np
import pandas as pd

from aggregation import RULES, Profile, check
from aggregation.populations.generators import impartial_culture
from aggregation.properties import axioms, base
from aggregation.properties.base import FAIL, PASS, Context
from aggregation.properties.electorate import BLOCK_SPLIT_ROWS, BLOCK_SPLITS, SPLIT_BLOCKS, BlockSplits
from aggregation.properties.registry import get_property
from aggregation.rules.registry import get_rule
from aggregation.rules.rule import ANY, RuleParams, Rule
from aggregation.rules.result import SCORES


def _large() -> Profile:
    profile = impartial_culture(3_000, 8, seed=2).compressed()  # 8! = 40,320 orders: nearly all distinct
    assert profile.n_rankings > BLOCK_SPLIT_ROWS
    return profile


def test_each_group_has_exactly_the_counts_of_its_voters():
    profile = _large()
    splits = BlockSplits(profile)
    w = profile.weights.astype(float)
    pairs = list(splits)
    assert len(pairs) == BLOCK_SPLITS
    for one, two in pairs[:5]:
        # every ranking goes whole to one group: the groups' rankings, with weights, add up to the profile's
        both = pd.concat([_counted(one), _counted(two)])
        assert both.index.is_unique and both.sort_index().equals(_counted(profile).sort_index())
        for group in (one, two):  # the counts summed over blocks equal those counted from the group's voters
            eager = Profile.from_levels(group.levels, group.alternatives, group.weights).above_counts()
            np.testing.assert_array_equal(group.above_counts(), eager)
    assert w.sum() == profile.total_weight


def _counted(profile: Profile) -> pd.Series:
    return pd.Series(profile.weights, index=profile.ranking_texts())


def test_borda_passes_on_block_splits_and_the_check_says_what_it_tried():
    # Borda is a positional scoring rule: it satisfies reinforcement (Young 1975)
    result = check(_large(), "borda", "reinforcement")
    assert result.status == PASS and result.tried == BLOCK_SPLITS and not result.exhaustive
    assert f"each of {SPLIT_BLOCKS} fixed blocks" in result.scope and "a pass means" in result.scope


def test_a_planted_failure_is_found_on_block_splits():
    """A rule that picks A for any electorate smaller than the whole and B for the whole: both groups of the
    first split pick A, the whole B, so reinforcement fails there, with the two groups as the counterexample."""
    profile = _large()
    total = profile.total_weight

    def smaller_picks_a(population, params):
        top = "A" if population.total_weight < total - 1e-9 else "B"
        return pd.Series([1.0 if a == top else 0.0 for a in population.alternatives], index=population.alternatives)

    rule = Rule(
        "small",
        "small",
        "small",
        "A planted rule.",
        SCORES,
        "points",
        "scoring",
        RULES["borda"].references,
        (),
        ANY,
        smaller_picks_a,
    )
    result = check(profile, rule, "reinforcement")
    assert result.status == FAIL and result.tried == 1
    c = result.counterexample
    assert c["first_winners"] == c["second_winners"] == ["A"] and c["winners"] == ["B"]
    assert c["first"].total_weight + c["second"].total_weight == total


def test_the_budget_prediction_builds_the_blocks_once_for_the_check():
    profile = _large()
    ctx = Context(profile, get_rule("borda"), RuleParams(), None)
    prop = get_property("reinforcement")
    assert prop.plan(profile) == 2 * BLOCK_SPLITS
    assert axioms.predicted_seconds(ctx, prop, prop.plan(profile)) > 0
    blocks = ctx.memo("block splits", lambda: None)
    assert isinstance(blocks, BlockSplits)  # built by the prediction (its time counted there) ...
    ctx.start_check()
    assert prop.check(ctx).status == PASS
    assert ctx.memo("block splits", lambda: None) is blocks  # ... and reused by the check


def test_a_population_too_large_for_many_variations_gets_as_many_splits(monkeypatch):
    # the bound of every check (base.max_variations) also bounds the splits: here 50 variations
    profile = _large()
    monkeypatch.setattr(base, "VARIATION_CELLS", 50 * profile.n_rankings * 8)
    assert base.max_variations(profile) == 50
    prop = get_property("reinforcement")
    assert prop.plan(profile) == 2 * 50
    result = check(profile, "borda", "reinforcement")
    assert result.status == PASS and result.tried == 50 and "50 splits drawn at random" in result.scope
