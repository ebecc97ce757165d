"""Classical voting rules. Every rule takes a population and returns a Series indexed by
alternative (scores, or a lottery), or a name / list of names for winner concepts.

Rules that read only pairwise majorities (Borda, Copeland, Condorcet, Smith) accept anything
with a preference matrix; rules that need each voter's favourite (plurality, random
dictatorship, majority winner) need rankings or user types.
"""
from __future__ import annotations

import pandas as pd

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


def favourites(model, *, unique: bool) -> pd.Series:
    method = "unique_first_shares" if unique else "first_place_distribution"
    if not hasattr(model, method):
        raise AggregationError(
            "this rule needs each voter's favourite, so it needs rankings or user types, not only pairwise comparisons")
    return getattr(model, method)()


def plurality(model) -> pd.Series:
    """Weight of voters ranking each alternative first (a tie at the top splits the weight);
    for user types, the expected number of first choices under Plackett-Luce."""
    return (favourites(model, unique=False) * total_weight(model)).rename("plurality score")


