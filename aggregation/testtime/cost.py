"""What a game costs before it is solved: one estimate for the pages, the property checks and the
fine-tuning preview."""
from __future__ import annotations

from ..populations.preference import alternatives_of
from . import plackett_luce as _pl_game


def game_cells(model, k: int, extra: int = 0) -> int:
    """The size of the game MPNE_k and the robust policy solve on ``model`` with ``extra`` more
    alternatives (a clone), in cells: (distinct rankings) x (alternatives) for a profile (a clone
    splits each ranking in two); (quadrature nodes over all types) x (alternatives) for user types
    with k > 1; the pairwise matrix otherwise. Each Newton step costs about this times the
    number of alternatives."""
    m = len(alternatives_of(model)) + extra
    if hasattr(model, "levels"):
        return model.compressed().n_rankings * m * (2 if extra else 1)
    if hasattr(model, "rewards") and k > 1:
        return _pl_game.node_count(_pl_game.log_weights(model)) * m
    return m * m
