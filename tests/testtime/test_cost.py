"""One estimate of what a game (and the property checks) cost, with one budget (aggregation.testtime.cost,
aggregation.properties.cost): the pages, the property grid and the fine-tuning preview all read it."""

import pandas as pd

from aggregation import Profile, RewardPopulation, game_affordable, game_cells, properties_affordable, properties_cost
from aggregation.properties.cost import planned_computations
from aggregation.testtime import cost

FIGURE_1 = Profile.parse("2: R > G > B\n3: B > R > G")  # Jackpot paper, Figure 1


def test_property_checks_cost_by_hand():
    # 2 distinct rankings, m = 3: IIA removes each alternative (3), clones clones each (3), plus the rule once:
    # a score rule re-runs 7 times over 2 x (3 + 1) cells
    assert properties_cost(FIGURE_1, "borda", 4, ["iia", "clones"]) == 7 * 2 * 4
    # a game rule re-solves its game with a clone: 2 rankings split in two x 4 alternatives = 16 cells
    assert properties_cost(FIGURE_1, "mpne", 4, ["iia", "clones"]) == 7 * game_cells(FIGURE_1, 4, extra=1) == 7 * 16
    # every property: each plans its own re-computations (aggregation.properties.cost.planned_computations)
    assert properties_cost(FIGURE_1, "borda", 4) == planned_computations(FIGURE_1) * 2 * 4
    assert properties_affordable(FIGURE_1, "robust", 4)


def test_one_budget(monkeypatch):
    # user types over 12 responses: the old fine-tuning rule (m! x m <= 400,000) refused them; the game the
    # core solves has 920 nodes per response and type: 920 x 12 = 11,040 cells, well within the budget
    types = RewardPopulation(pd.DataFrame([[0.0] * 12], index=["u"], columns=[f"y{i}" for i in range(12)]))
    assert game_cells(types, 2) == 920 * 12 and game_affordable(types, 2)
    monkeypatch.setattr(cost, "GAME_BUDGET", 920 * 12 - 1)
    assert not game_affordable(types, 2)
