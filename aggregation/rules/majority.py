"""Rules that read the head-to-head majorities: Copeland, the Condorcet and majority winners, the Smith
set and the majority graph. All but the majority winner need only the preference matrix."""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.sparse.csgraph import connected_components

from ..populations.base import Population
from ..populations.preference import matrix_and_names
from ..outcome import MARGIN_TOLERANCE
from .scoring import favourites
from .rule import ANY, Rule
from .result import SCORES
from ..papers import Reference


def copeland(population: Population) -> pd.Series:
    """Pairwise majority wins, plus one half per exact majority tie."""
    P, names = matrix_and_names(population)
    M = P - P.T
    score = (M > MARGIN_TOLERANCE).sum(axis=1) + 0.5 * ((np.abs(M) <= MARGIN_TOLERANCE).sum(axis=1) - 1)
    return pd.Series(score.astype(float), index=names, name="Copeland score")


def majority_winner(population: Population) -> str | None:
    """The alternative that more than half of the weight ranks first and alone, if any."""
    shares = favourites(population, unique=True)
    top = shares.idxmax()
    return top if shares[top] > 0.5 + MARGIN_TOLERANCE else None


def condorcet_winner(population: Population) -> str | None:
    """The alternative that beats every other one in a pairwise majority vote, if any."""
    P, names = matrix_and_names(population)
    M = P - P.T
    np.fill_diagonal(M, 1.0)
    winners = np.flatnonzero((M > MARGIN_TOLERANCE).all(axis=1))
    return names[int(winners[0])] if winners.size else None


def smith_set(population: Population) -> list[str]:
    """The smallest non-empty set whose members all beat every outsider by a strict majority.

    Computed as the alternatives that reach every other one along "beats or ties" edges.
    """
    P, names = matrix_and_names(population)
    M = P - P.T
    weakly_beats = M >= -MARGIN_TOLERANCE
    n_comp, label = connected_components(weakly_beats.astype(np.int8), directed=True, connection="strong")
    # the top component is the one no outsider weakly beats
    for c in range(n_comp):
        inside = label == c
        if not weakly_beats[np.ix_(~inside, inside)].any():
            return [names[i] for i in np.flatnonzero(inside)]
    raise AssertionError("a complete relation always has a top component")  # pragma: no cover


def majority_graph(population: Population) -> list[tuple[str, str, float]]:
    """Edges ``(a, b, margin)`` for every pair where a strict majority prefers a to b."""
    P, names = matrix_and_names(population)
    M = P - P.T
    return [(names[i], names[j], float(M[i, j])) for i, j in zip(*np.nonzero(M > MARGIN_TOLERANCE))]


#: The registry entries of this family (see :mod:`.rule`).
ENTRIES = [
    Rule("copeland", "Copeland", "Copeland",
         "Run every head-to-head majority vote; an alternative scores one point per opponent it beats "
         "(half a point per exact tie).",
         SCORES, "head-to-head wins", "majority", (Reference("copeland"),),
         (), ANY, lambda m, p: copeland(m)),
]
