"""How the sampling distribution steers RLHF and DPO: the smallest total-variation change of D that
makes the normalized Borda count (hence the RLHF / DPO limit) swap two alternatives
(Shirali et al., arXiv 2502.16320, section 4.3; the linear program of Appendix D)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import AggregationError
from ..populations.base import Population
from ..populations.preference import matrix_and_names
from ..outcome import MARGIN_TOLERANCE
from ..validate import distribution


@dataclass(frozen=True)
class SamplingFlip:
    """The smallest sampling change that makes NBC stop ranking ``pair[0]`` above ``pair[1]``.

    ``distance`` is the total-variation distance from the base distribution; at ``sampling``
    the two tie (or, with a positive ``margin``, ``pair[1]`` leads by ``margin``), so any
    further step in the same direction swaps them.
    """

    distance: float
    sampling: pd.Series
    pair: tuple[str, str]
    nbc_before: pd.Series
    nbc_after: pd.Series


def min_tv_flip(population: Population, margin: float = 0.0, base=None) -> SamplingFlip | None:
    """Smallest total-variation move of the sampling distribution (from uniform, or ``base``)
    that flips a pair in the NBC order; ``None`` when no distribution can flip any pair.

    A pair (a above b) counts when some distribution puts b strictly ahead of a; the reported
    distance is the infimum over such flips: the boundary where they tie (``margin=0``).

    This is the linear program ``min TV(D, D0)`` s.t. ``NBC(b; D) - NBC(a; D) >= margin``
    over pairs a above b under D0. For one pair it is a fractional knapsack: move mass to the
    alternative where ``c = P[b] - P[a]`` is largest, taking it from those where ``c`` is
    smallest first, each giving at most its base probability. Solved for all pairs at once.
    """
    P, names = matrix_and_names(population)
    if not np.isfinite(margin) or margin < 0:
        raise AggregationError(f"margin must be a number >= 0, got {margin!r}")
    D0 = distribution(base, names, what="base sampling distribution").to_numpy()
    before = P @ D0
    a_idx, b_idx = np.nonzero(before[:, None] > before[None, :] + MARGIN_TOLERANCE)
    if a_idx.size == 0:
        return None
    C = P[b_idx] - P[a_idx]  # c^T D = NBC(b; D) - NBC(a; D)
    deficit = margin - C @ D0
    receiver = C.argmax(axis=1)
    c_max = C[np.arange(len(C)), receiver]
    # a pair counts only if some distribution puts b strictly ahead (and by the margin)
    feasible = (c_max > 1e-12) & (c_max >= margin - 1e-15)
    if not feasible.any():
        return None
    order = np.argsort(C, axis=1, kind="stable")
    gain_rate = c_max[:, None] - np.take_along_axis(C, order, axis=1)  # per unit of mass moved
    capacity = D0[order]
    gains = gain_rate * capacity
    cum_gain = np.cumsum(gains, axis=1)
    cum_mass = np.cumsum(capacity, axis=1)
    k = np.argmax(cum_gain >= deficit[:, None] - 1e-15, axis=1)
    prev_gain = np.where(k > 0, cum_gain[np.arange(len(C)), k - 1], 0.0)
    prev_mass = np.where(k > 0, cum_mass[np.arange(len(C)), k - 1], 0.0)
    rate = gain_rate[np.arange(len(C)), k]
    with np.errstate(divide="ignore", invalid="ignore"):
        extra = np.where(rate > 0, (deficit - prev_gain) / rate, 0.0)
    distance = np.where(feasible, prev_mass + extra, np.inf)
    best = int(np.argmin(distance))

    D = D0.copy()
    remaining = distance[best]
    for j in order[best]:
        if remaining <= 0 or j == receiver[best]:
            continue
        take = min(D0[j], remaining)
        D[j] -= take
        remaining -= take
    D[receiver[best]] += distance[best]
    D = np.clip(D, 0.0, None)
    D /= D.sum()
    return SamplingFlip(
        distance=float(distance[best]),
        sampling=pd.Series(D, index=names, name="flipping sampling distribution"),
        pair=(names[a_idx[best]], names[b_idx[best]]),
        nbc_before=pd.Series(before, index=names, name="NBC"),
        nbc_after=pd.Series(P @ D, index=names, name="NBC"),
    )
