"""What a game costs before it is solved: one estimate, and one budget, for every page that solves
MPNE_k or the robust policy unasked, for the property checks and for the fine-tuning preview.

:func:`game_cells` is the game's size (what the pages show); :func:`game_seconds` predicts the time
MPNE_k and the robust policy take together, and :func:`game_affordable` compares it with
:data:`GAME_BUDGET`. The solver (:mod:`.complementarity`, :mod:`.games`) evaluates the exact utility
on every row at each step, O(rows x alternatives), and takes each Newton step's derivatives from at most
:data:`~.games.DERIVATIVE_ROWS` rows (a weighted sample beyond), so the time is about

    seconds = c_kind x rows x m  +  c_m x m^2.5

with rows the distinct rankings, or the quadrature nodes of all user types (k > 1), or m for a
pairwise game. Measured 2026-11-28 on the development machine (2 cores, load average about 1, after
the position-major power sums of :mod:`.ranking_game`; ``bench/bench_game_cost.py``: impartial
culture, ``mpne`` then ``robust_policy``, k = 2, 4, 8), seconds for both together:

=========  ========  =========  =========  ====================================
rows       m = 10    m = 30     m = 50     (rankings)
=========  ========  =========  =========  ====================================
2,000      0.03-0.04 0.18-0.19  0.59-0.78
20,000     0.09-0.13 0.35-0.36  0.67-0.88
100,000    0.19-0.21 0.72-0.80  1.46-1.52
=========  ========  =========  =========  ====================================

MPNE_k alone takes 0.39-0.41 s of the 1.5 s at 100,000 x 50; 2,000 x 100 took 2.5 s and
100,000 x 100 5.6 s (k = 4). User types (k = 2 ... 8): 5 types x 50 responses (5,020 nodes) 0.09 s;
50 x 20 (49,220 nodes) 0.30 s; 20 x 50 (19,900 nodes) 0.28-0.34 s. k did not change the time (the
game's rows do not depend on it). The fit: ``c_rankings`` = 1.7e-7 s per (ranking x response) cell
(from the growth with rows at fixed m), ``c_types`` = 3.0e-7 s per (node x response) cell, ``c_m`` =
3.6e-5 s (the derivative part, at most 2,048 rows, mostly the robust policy's Hessian: 0.64 s at
m = 50, 3.6 s at m = 100). The ratio predicted / measured over the runs above lies between 0.4
(2,000 x 10) and 3 (user types, whose derivatives cost less than the rankings' term assumes); at
100,000 x 50 it is 1.0 and at 100,000 x 100 1.0. The machine's noise is about 2x (bench/README.md).
"""

from __future__ import annotations

from ..populations.base import RANKINGS, USER_TYPES, Population
from ..populations.matrix import as_population
from . import plackett_luce as _pl_game

#: Games predicted (:func:`game_seconds`) to take at most this many seconds on the development machine are
#: solved without the user asking: 100,000 distinct rankings over 50 alternatives (about 1.5 s predicted and
#: measured) or over 100 (5.3 s predicted, 5.6 s measured) at any k.
GAME_BUDGET = 10.0

#: Seconds per (row x alternative) cell of the exact utility, for rankings and for user types (see the module).
SECONDS_PER_CELL = {RANKINGS: 1.7e-7, USER_TYPES: 3.0e-7}
#: Seconds times m^-2.5 of the Newton steps' derivatives (at most 2,048 rows; see the module).
SECONDS_PER_M = 3.6e-5


def game_cells(population: Population, k: int, extra: int = 0) -> int:
    """The size of the game MPNE_k and the robust policy solve on ``population`` with ``extra`` more
    alternatives (a clone), in cells: (distinct rankings) x (alternatives) for a profile (a clone
    splits each ranking in two); (quadrature nodes over all types) x (alternatives) for user types
    with k > 1; the pairwise matrix otherwise. The solver's time grows with it (:func:`game_seconds`)."""
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


def game_seconds(population: Population, k: int, extra: int = 0) -> float:
    """Predicted seconds of MPNE_k and the robust policy together on ``population`` (with ``extra`` more
    alternatives, a clone), on the development machine: the fit of the module docstring,
    ``c_kind x game_cells + c_m x m^2.5``."""
    population = as_population(population)
    m = len(population.alternatives) + extra
    per_cell = SECONDS_PER_CELL[USER_TYPES if population.kind == USER_TYPES and k > 1 else RANKINGS]
    return per_cell * game_cells(population, k, extra) + SECONDS_PER_M * m**2.5


def game_affordable(population: Population, k: int, extra: int = 0) -> bool:
    """Whether the game's predicted time (:func:`game_seconds`) is within :data:`GAME_BUDGET` (solved without
    asking)."""
    return game_seconds(population, k, extra) <= GAME_BUDGET
