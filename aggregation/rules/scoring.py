"""Classical voting rules. Every rule takes a population and returns a Series indexed by
alternative (scores, or a lottery), or a name / list of names for winner concepts.

Rules that read only pairwise majorities (Borda, Copeland, Condorcet, Smith) accept anything
with a preference matrix; rules that need each voter's favourite (plurality, random
dictatorship, majority winner) need rankings or user types.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.sparse.csgraph import connected_components

from ..validate import TIE_TOLERANCE
from ..errors import AggregationError
from ..populations.preference import matrix_and_names, total_weight


def borda(model) -> pd.Series:
    """Borda scores m-1, ..., 0 (tied alternatives share the average of their positions),
    summed over voters with their weights. For a population with no voter weights (a
    comparison table or a matrix) the score is that of an average voter.

    Equals ``W * (sum_b P[a, b] - 1/2)``, so it needs only the preference matrix.
    """
    if hasattr(model, "support_matrix"):  # exact for whole-number weights
        S = model.support_matrix()
        return pd.Series(S.sum(axis=1) - model.total_weight / 2.0, index=model.alternatives, name="Borda score")
    P, names = matrix_and_names(model)
    return pd.Series(total_weight(model) * (P.sum(axis=1) - 0.5), index=names, name="Borda score")


def copeland(model) -> pd.Series:
    """Pairwise majority wins, plus one half per exact majority tie."""
    P, names = matrix_and_names(model)
    M = P - P.T
    score = (M > TIE_TOLERANCE).sum(axis=1) + 0.5 * ((np.abs(M) <= TIE_TOLERANCE).sum(axis=1) - 1)
    return pd.Series(score.astype(float), index=names, name="Copeland score")


def _favourites(model, *, unique: bool) -> pd.Series:
    method = "unique_first_shares" if unique else "first_place_distribution"
    if not hasattr(model, method):
        raise AggregationError(
            "this rule needs each voter's favourite, so it needs rankings or user types, not only pairwise comparisons")
    return getattr(model, method)()


def plurality(model) -> pd.Series:
    """Weight of voters ranking each alternative first (a tie at the top splits the weight);
    for user types, the expected number of first choices under Plackett-Luce."""
    return (_favourites(model, unique=False) * total_weight(model)).rename("plurality score")


def random_dictatorship(model) -> pd.Series:
    """The lottery of first places: pick a random voter, return its favourite. A pretrained
    model imitating a random person's answer behaves like this."""
    return _favourites(model, unique=False).rename("random dictatorship")


def majority_winner(model) -> str | None:
    """The alternative that more than half of the weight ranks first and alone, if any."""
    shares = _favourites(model, unique=True)
    top = shares.idxmax()
    return top if shares[top] > 0.5 + TIE_TOLERANCE else None


def condorcet_winner(model) -> str | None:
    """The alternative that beats every other one in a pairwise majority vote, if any."""
    P, names = matrix_and_names(model)
    M = P - P.T
    np.fill_diagonal(M, 1.0)
    winners = np.flatnonzero((M > TIE_TOLERANCE).all(axis=1))
    return names[int(winners[0])] if winners.size else None


def smith_set(model) -> list[str]:
    """The smallest non-empty set whose members all beat every outsider by a strict majority.

    Computed as the alternatives that reach every other one along "beats or ties" edges.
    """
    P, names = matrix_and_names(model)
    M = P - P.T
    weakly_beats = M >= -TIE_TOLERANCE
    n_comp, label = connected_components(weakly_beats.astype(np.int8), directed=True, connection="strong")
    # the top component is the one no outsider weakly beats
    for c in range(n_comp):
        inside = label == c
        if not weakly_beats[np.ix_(~inside, inside)].any():
            return [names[i] for i in np.flatnonzero(inside)]
    raise AssertionError("a complete relation always has a top component")  # pragma: no cover


def majority_graph(model) -> list[tuple[str, str, float]]:
    """Edges ``(a, b, margin)`` for every pair where a strict majority prefers a to b."""
    P, names = matrix_and_names(model)
    M = P - P.T
    return [(names[i], names[j], float(M[i, j])) for i, j in zip(*np.nonzero(M > TIE_TOLERANCE))]
