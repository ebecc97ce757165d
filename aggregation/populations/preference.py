"""The one entry point from any population to its preference matrix ``P`` and margins ``M``.

Everything downstream accepts a :class:`~.base.Population` (a :class:`~.profile.Profile`, a
:class:`~.user_types.RewardPopulation`, a :class:`~.comparisons.PairwiseData` or a
:class:`~.matrix.PreferenceMatrix`) or a square DataFrame that is already a preference matrix
(read through :func:`~.matrix.as_population`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .matrix import as_population


def preference_matrix(population) -> pd.DataFrame:
    """``P[a, b]``: probability a random voter prefers a to b, plus half of indifference."""
    return as_population(population).preference_matrix()


def margins(population) -> pd.DataFrame:
    """``M = P - P.T``."""
    return as_population(population).margins()


def matrix_and_names(population) -> tuple[np.ndarray, list[str]]:
    """``P`` as a float array and the alternatives' names."""
    P = preference_matrix(population)
    return P.to_numpy(float), list(P.index)
