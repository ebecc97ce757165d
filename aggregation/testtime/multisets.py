"""Multisets of k responses: enumeration, multinomial probabilities, readable labels.

Cai & Zheng (arXiv 2601.08777, section 2) write a multiset S of responses as its vector of
multiplicities ``m_S`` (``m_S(y)`` copies of y). A multiset of k responses out of s is a
composition of k into s non-negative parts; there are ``C(s + k - 1, k)`` of them. The
product policy ``pi^k`` (k independent draws) outputs S with the multinomial probability
``k! / prod_y m_S(y)! * prod_y pi_y^m_S(y)``.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from scipy.special import gammaln


def count(s: int, k: int) -> int:
    """The number of multisets of size k drawn from s responses, ``C(s + k - 1, k)``."""
    return math.comb(s + k - 1, k) if s > 0 else int(k == 0)


def compositions(k: int, s: int) -> np.ndarray:
    """Every multiset of size k over s responses as multiplicities, one row each (``count(s, k)``
    rows, ``s`` columns, rows summing to k), in lexicographic order with the first response's
    multiplicity decreasing: for s = 2, k = 2 the rows are (2, 0), (1, 1), (0, 2)."""
    return _compositions(int(k), int(s)).copy()


@lru_cache(maxsize=64)
def _compositions(k: int, s: int) -> np.ndarray:
    if s == 1:
        return np.array([[k]], dtype=np.int64)
    parts = []
    for first in range(k, -1, -1):
        rest = _compositions(k - first, s - 1)
        parts.append(np.column_stack([np.full(len(rest), first, dtype=np.int64), rest]))
    out = np.vstack(parts)
    out.setflags(write=False)
    return out


def as_indices(counts: np.ndarray) -> np.ndarray:
    """Multiplicity rows (each summing to the same k) as sorted index rows: (2, 0, 1) -> (0, 0, 2)."""
    counts = np.asarray(counts, dtype=np.int64)
    n, s = counts.shape
    k = int(counts[0].sum()) if n else 0
    return np.repeat(np.tile(np.arange(s), n), counts.ravel()).reshape(n, k)


def log_probabilities(counts: np.ndarray, pi: np.ndarray) -> np.ndarray:
    """Log of the multinomial probability of each multiset under k independent draws from ``pi``
    (``pi`` over the same s responses, all entries positive)."""
    counts = np.asarray(counts, dtype=float)
    k = counts[0].sum() if len(counts) else 0.0
    return gammaln(k + 1.0) - gammaln(counts + 1.0).sum(axis=1) + counts @ np.log(pi)


def labels(counts: np.ndarray, names) -> list[str]:
    """Readable labels such as ``"A + A + B"`` (responses in the order of ``names``)."""
    names = list(names)
    return [" + ".join(names[i] for i in row) for row in as_indices(counts)]
