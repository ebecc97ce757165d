"""A preference matrix given as is (validated), as a population; and :func:`as_population`, the one
way any input becomes a :class:`~.base.Population`."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..errors import AggregationError
from ..validate import alternative_names
from .base import MATRIX, Population

#: A matrix entry may leave [0, 1], and ``P + P.T`` may miss 1, by this much (rounding).
MATRIX_TOLERANCE = 1e-9


def check_preference_matrix(P: pd.DataFrame) -> pd.DataFrame:
    """Validate a user-given matrix: square, same labels on both axes, entries in [0, 1],
    ``P + P.T = 1`` and ``1/2`` on the diagonal (within 1e-9)."""
    if P.shape[0] != P.shape[1]:
        raise AggregationError(f"a preference matrix must be square, got {P.shape[0]} x {P.shape[1]}")
    rows = alternative_names([str(i) for i in P.index], what="preference matrix rows")
    cols = alternative_names([str(c) for c in P.columns], what="preference matrix columns")
    if rows != cols:
        raise AggregationError(
            "a preference matrix needs the same alternatives, in the same order, on rows and columns"
        )
    try:
        X = P.to_numpy(dtype=float)
    except (TypeError, ValueError):
        raise AggregationError("a preference matrix must hold numbers") from None
    if not np.isfinite(X).all() or (X < -MATRIX_TOLERANCE).any() or (X > 1 + MATRIX_TOLERANCE).any():
        r, c = np.argwhere(~np.isfinite(X) | (X < -MATRIX_TOLERANCE) | (X > 1 + MATRIX_TOLERANCE))[0]
        raise AggregationError(f"P[{rows[r]}, {rows[c]}] = {X[r, c]!r} is not a probability")
    gap = np.abs(X + X.T - 1.0)
    if gap.max() > MATRIX_TOLERANCE:
        r, c = np.unravel_index(int(gap.argmax()), gap.shape)
        raise AggregationError(
            f"P[{rows[r]}, {rows[c]}] + P[{rows[c]}, {rows[r]}] = {X[r, c] + X[c, r]:.6g}, but it must be 1"
        )
    X = np.clip(X, 0.0, 1.0)
    np.fill_diagonal(X, 0.5)
    return pd.DataFrame(X, index=rows, columns=rows)


class PreferenceMatrix(Population):
    """A preference matrix ``P`` given directly (a square DataFrame, checked by
    :func:`check_preference_matrix`): no voters, only ``P``. Rules that need each voter's order
    (favourites, Pareto dominance, k > 1 test-time games) refuse it."""

    kind = MATRIX
    noun, nouns = "row of P", "rows of P"

    def __init__(self, P: pd.DataFrame):
        if not isinstance(P, pd.DataFrame):
            raise AggregationError(f"a preference matrix must be a table (DataFrame), got {type(P).__name__}")
        self._P = check_preference_matrix(P)
        self._P.values.setflags(write=False)

    @property
    def alternatives(self) -> list[str]:
        return list(self._P.index)

    @property
    def fingerprint(self) -> str:
        h = hashlib.sha256()
        h.update("\x1f".join(self._P.index).encode())
        h.update(np.ascontiguousarray(self._P.to_numpy(float)).tobytes())
        return "matrix:" + h.hexdigest()

    @property
    def n_rows(self) -> int:
        return len(self._P)

    def preference_matrix(self) -> pd.DataFrame:
        return self._P.copy()

    def restrict(self, alternatives: Sequence[str]) -> PreferenceMatrix:
        keep = alternative_names(alternatives, what="restrict")
        unknown = [a for a in keep if a not in self._P.index]
        if unknown:
            raise AggregationError(
                f"restrict: unknown alternative {unknown[0]!r} (known: {', '.join(self.alternatives)})"
            )
        return PreferenceMatrix(self._P.loc[keep, keep])

    def __repr__(self) -> str:
        return f"PreferenceMatrix({len(self._P)} alternatives)"


def as_population(obj) -> Population:
    """``obj`` as a :class:`~.base.Population`: a population passes through; a square DataFrame is
    read as a preference matrix (validated); anything else is refused, naming its type. Every
    public function of the core that takes a population starts here."""
    if isinstance(obj, Population):
        return obj
    if isinstance(obj, pd.DataFrame):
        return PreferenceMatrix(obj)
    raise AggregationError(
        f"expected a Profile, RewardPopulation, PairwiseData, ComparisonCounts or preference matrix, got {type(obj).__name__}"
    )


def population_kind(obj) -> str:
    """The kind of a population (:data:`~.base.KINDS`): ``as_population(obj).kind``."""
    return as_population(obj).kind
