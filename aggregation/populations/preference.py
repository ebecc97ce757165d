"""The one entry point from any population to its preference matrix.

Everything downstream accepts a :class:`Profile`, a :class:`RewardPopulation`, a
:class:`PairwiseData` (anything with ``alternatives`` and ``preference_matrix()``) or a square
DataFrame that is already a preference matrix.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..validate import alternative_names
from ..errors import AggregationError

_MATRIX_TOLERANCE = 1e-9


def preference_matrix(model) -> pd.DataFrame:
    """``P[a, b]``: probability a random voter prefers a to b, plus half of indifference."""
    if isinstance(model, pd.DataFrame):
        return check_preference_matrix(model)
    if hasattr(model, "preference_matrix"):
        return model.preference_matrix()
    raise AggregationError(
        f"expected a Profile, RewardPopulation, PairwiseData or preference matrix, got {type(model).__name__}")


def margins(model) -> pd.DataFrame:
    """``M = P - P.T``."""
    P = preference_matrix(model)
    return P - P.T


def alternatives_of(model) -> list[str]:
    """The names of the alternatives of any population (or preference matrix)."""
    if hasattr(model, "alternatives"):
        return list(model.alternatives)
    return list(preference_matrix(model).index)


def matrix_and_names(model) -> tuple[np.ndarray, list[str]]:
    P = preference_matrix(model)
    return P.to_numpy(float), list(P.index)


def total_weight(model) -> float:
    """Total voter weight of a profile or reward population; 1 for anything else."""
    return float(getattr(model, "total_weight", 1.0))


def check_preference_matrix(P: pd.DataFrame) -> pd.DataFrame:
    """Validate a user-given matrix: square, same labels on both axes, entries in [0, 1],
    ``P + P.T = 1`` and ``1/2`` on the diagonal (within 1e-9)."""
    if P.shape[0] != P.shape[1]:
        raise AggregationError(f"a preference matrix must be square, got {P.shape[0]} x {P.shape[1]}")
    rows = alternative_names([str(i) for i in P.index], what="preference matrix rows")
    cols = alternative_names([str(c) for c in P.columns], what="preference matrix columns")
    if rows != cols:
        raise AggregationError("a preference matrix needs the same alternatives, in the same order, on rows and columns")
    try:
        X = P.to_numpy(dtype=float)
    except (TypeError, ValueError):
        raise AggregationError("a preference matrix must hold numbers") from None
    if not np.isfinite(X).all() or (X < -_MATRIX_TOLERANCE).any() or (X > 1 + _MATRIX_TOLERANCE).any():
        r, c = np.argwhere(~np.isfinite(X) | (X < -_MATRIX_TOLERANCE) | (X > 1 + _MATRIX_TOLERANCE))[0]
        raise AggregationError(f"P[{rows[r]}, {rows[c]}] = {X[r, c]!r} is not a probability")
    gap = np.abs(X + X.T - 1.0)
    if gap.max() > _MATRIX_TOLERANCE:
        r, c = np.unravel_index(int(gap.argmax()), gap.shape)
        raise AggregationError(
            f"P[{rows[r]}, {rows[c]}] + P[{rows[c]}, {rows[r]}] = {X[r, c] + X[c, r]:.6g}, but it must be 1")
    X = np.clip(X, 0.0, 1.0)
    np.fill_diagonal(X, 0.5)
    return pd.DataFrame(X, index=rows, columns=rows)
