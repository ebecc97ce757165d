"""What a game costs before it is solved: one estimate for the pages, the property checks and the
fine-tuning preview."""
from __future__ import annotations

from ..populations.base import RANKINGS, USER_TYPES, Population
from ..populations.matrix import as_population
from . import plackett_luce as _pl_game


def game_cells(population: Population, k: int, extra: int = 0) -> int:
    """The size of the game MPNE_k and the robust policy solve on ``population`` with ``extra`` more
    alternatives (a clone), in cells: (distinct rankings) x (alternatives) for a profile (a clone
    splits each ranking in two); (quadrature nodes over all types) x (alternatives) for user types
    with k > 1; the pairwise matrix otherwise. Each Newton step costs about this times the
    number of alternatives."""
    population = as_population(population)
    m = len(population.alternatives) + extra
    if population.kind == RANKINGS:
        return population.compressed().n_rankings * m * (2 if extra else 1)
    if population.kind == USER_TYPES and k > 1:
        return _pl_game.node_count(_pl_game.log_weights(population)) * m
    return m * m
