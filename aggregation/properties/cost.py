"""What checking every property of one rule costs, before it runs: the property checks re-run the rule
about twice per alternative (each alternative removed, each one cloned)."""
from __future__ import annotations

from ..populations.base import Population
from ..populations.matrix import as_population
from ..rules.registry import get_rule
from ..testtime.cost import game_cells

#: Property checks run without the user asking up to this many cells in all (:func:`properties_cost`).
PROPERTY_BUDGET = 2_000_000


def properties_cost(population: Population, rule, k: int) -> int:
    """A rough cell count of checking every property of ``rule`` (a rule or its id) on ``population``:
    2m re-computations, each a game with a clone for the rules that solve the test-time game
    (:func:`aggregation.testtime.cost.game_cells`), else about (rows) x (alternatives + 1)."""
    population, rule = as_population(population), get_rule(rule)
    m = len(population.alternatives)
    if rule.solves_game:
        return 2 * m * game_cells(population, k, extra=1)
    rows = population.n_rows if population.has_full_rankings else m
    return 2 * m * rows * (m + 1)


def properties_affordable(population: Population, rule, k: int) -> bool:
    """Whether :func:`properties_cost` is within :data:`PROPERTY_BUDGET`."""
    return properties_cost(population, rule, k) <= PROPERTY_BUDGET
