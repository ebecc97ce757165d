"""What a game costs before it is solved: one estimate, and one budget, for every page that solves
MPNE_k or the robust policy unasked, for the property checks and for the fine-tuning preview.

The interior-point solver of :mod:`.complementarity` takes Newton steps whose cost is about
(:func:`game_cells`) x (alternatives); a game up to :data:`GAME_BUDGET` cells is solved in about a
second at most on the development machine (2 cores), so the dashboard solves it without asking.
"""

from __future__ import annotations

from ..populations.base import RANKINGS, USER_TYPES, Population
from ..populations.matrix import as_population
from . import plackett_luce as _pl_game

#: Games up to this many cells (:func:`game_cells`) are solved without the user asking.
GAME_BUDGET = 350_000


def game_cells(population: Population, k: int, extra: int = 0) -> int:
    """The size of the game MPNE_k and the robust policy solve on ``population`` with ``extra`` more
    alternatives (a clone), in cells: (distinct rankings) x (alternatives) for a profile (a clone
    splits each ranking in two); (quadrature nodes over all types) x (alternatives) for user types
    with k > 1; the pairwise matrix otherwise. Each Newton step costs about this times the
    number of alternatives."""
    population = as_population(population)
    m = len(population.alternatives) + extra
    if population.kind == RANKINGS:
        return population.n_rows * m * (2 if extra else 1)
    if population.kind == USER_TYPES and k > 1:
        return _pl_game.node_count(_pl_game.log_weights(population)) * m
    return m * m


def game_cells_unit(population: Population, k: int) -> str:
    """What a cell of :func:`game_cells` is, in words."""
    population = as_population(population)
    if population.kind == RANKINGS:
        return "(ranking × response) cells"
    if population.kind == USER_TYPES and k > 1:
        return "(integration node × response) cells"
    return "(response × response) cells"


def game_affordable(population: Population, k: int, extra: int = 0) -> bool:
    """Whether the game is within :data:`GAME_BUDGET` (solved without asking)."""
    return game_cells(population, k, extra) <= GAME_BUDGET
