"""One estimate of what a game (and the property checks) cost, with one budget (aggregation.testtime.cost,
aggregation.properties.cost): the pages, the property grid and the fine-tuning preview all read it."""

import pandas as pd
import pytest

from aggregation import (
    Profile,
    RewardPopulation,
    game_affordable,
    game_cells,
    game_seconds,
    properties_affordable,
    properties_cost,
)
from aggregation.populations.generators import impartial_culture
from aggregation.properties.cost import planned_computations
from aggregation.testtime import cost

FIGURE_1 = Profile.parse("2: R > G > B\n3: B > R > G")  # Jackpot paper, Figure 1


def test_property_checks_cost_by_hand():
    # 2 distinct rankings, m = 3: IIA removes each alternative (3), clones clones each (3), plus the rule once:
    # a rule that reads the voters re-runs 7 times over 2 x (3 + 1) cells, one that reads only P over 3 x (3 + 1)
    # (the variations carry their pairwise counts)
    assert properties_cost(FIGURE_1, "instant_runoff", 4, ["iia", "clones"]) == 7 * 2 * 4
    assert properties_cost(FIGURE_1, "borda", 4, ["iia", "clones"]) == 7 * 3 * 4
    # a game rule re-solves its game with a clone: 2 rankings split in two x 4 alternatives = 16 cells
    assert properties_cost(FIGURE_1, "mpne", 4, ["iia", "clones"]) == 7 * game_cells(FIGURE_1, 4, extra=1) == 7 * 16
    # every property: each plans its own re-computations (aggregation.properties.cost.planned_computations)
    assert properties_cost(FIGURE_1, "instant_runoff", 4) == planned_computations(FIGURE_1) * 2 * 4
    assert properties_affordable(FIGURE_1, "robust", 4)


def test_one_budget(monkeypatch):
    # user types over 12 responses: the old fine-tuning rule (m! x m <= 400,000) refused them; the game the
    # core solves has 920 nodes per response and type: 920 x 12 = 11,040 cells, well within the budget
    types = RewardPopulation(pd.DataFrame([[0.0] * 12], index=["u"], columns=[f"y{i}" for i in range(12)]))
    assert game_cells(types, 2) == 920 * 12 and game_affordable(types, 2)
    # predicted: 3.0e-7 s per (node x response) cell and 3.6e-5 x 12^2.5 s for the derivatives
    assert game_seconds(types, 2) == pytest.approx(3.0e-7 * 920 * 12 + 3.6e-5 * 12**2.5, rel=1e-12)
    monkeypatch.setattr(cost, "GAME_BUDGET", game_seconds(types, 2) * 0.999)
    assert not game_affordable(types, 2)


def test_the_budget_solves_100000_rankings_over_50_alternatives_unasked():
    """Issue 12: 100,000 distinct rankings over 50 alternatives take 1.5 s for MPNE_k and the robust policy
    together at k = 2, 4, 8 (aggregation/testtime/cost.py); the prediction, 1.7e-7 s x 100,000 x 50 + 3.6e-5 s x
    50^2.5 = 0.85 + 0.64 s, is within the budget at every k, and 2,000 rankings over 200 alternatives is not."""
    profile = impartial_culture(100_000, 50, seed=1)
    assert profile.compressed().n_rankings == 100_000
    expected = 1.7e-7 * 100_000 * 50 + 3.6e-5 * 50**2.5
    for k in (1, 2, 4, 8):
        assert game_seconds(profile, k) == pytest.approx(expected, rel=1e-12)
        assert game_affordable(profile, k)
    assert game_seconds(profile, 4, extra=1) > expected  # a clone splits every ranking in two
    big = impartial_culture(2_000, 200, seed=1)
    assert not game_affordable(big, 4)  # 3.6e-5 x 200^2.5 = 20 s for the derivatives alone
