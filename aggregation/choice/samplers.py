"""Seeded samplers of ranked-choice data (an assortment of K responses shown, the voter's top k of it)
from a population, one MNL model or one Mallows-RMJ model, and the index arrays the losses read
(RCPO, Tang & Feng, arXiv 2510.23631; the conventions are in :mod:`.models`)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..errors import AggregationError
from ..populations.base import RANKINGS, Population
from ..validate import alternative_names, distribution
from .models import (
    _assortment,
    _central_ranking,
    _check_k,
    _voters,
    _phi,
    _top_positions,
    _utility_names,
    _utility_vector,
)


# ===================================================================== samplers
def sample_ranked_choices(
    population: Population, n: int, assortment_size: int, k: int = 1, sampling=None, seed=None
) -> pd.DataFrame:
    """Draw ``n`` ranked choices ``(assortment, top-k)`` from a population.

    Each row: an assortment of ``assortment_size`` distinct alternatives (see the module
    docstring; ``sampling`` is the distribution ``D``, default uniform), a random voter (a
    ranking drawn by weight, reported as its 1-based row number, or a user type drawn by weight,
    reported by name) and that voter's top-k of the assortment: a ranking's order with ties
    broken uniformly at random, a user type's Plackett-Luce draw with utilities ``r_u / T``.
    """
    population = _voters(population)
    alts = population.alternatives
    n, K, k = _sizes(n, assortment_size, k, len(alts))
    rng = np.random.default_rng(seed)
    items = _draw_assortments(distribution(sampling, alts), n, K, rng)
    if population.kind == RANKINGS:
        voter = rng.choice(population.n_rankings, size=n, p=population.weights / population.total_weight)
        # levels are integers, so noise in [0, 1/2) only orders the members of a tie group
        key = population.levels[voter[:, None], items] + 0.5 * rng.random((n, K))
        order = np.argsort(key, axis=1, kind="stable")[:, :k]
        voters = voter + 1
    else:
        voter = rng.choice(len(population.types), size=n, p=population.shares)
        U = population.rewards.to_numpy(float) / population.temperature
        order = _plackett_luce_order(U[voter[:, None], items], k, rng)
        voters = np.asarray(population.types, dtype=object)[voter]
    return _choice_table(alts, items, np.take_along_axis(items, order, axis=1), voters)


def sample_mnl_choices(utilities, n: int, assortment_size: int, k: int = 1, sampling=None, seed=None) -> pd.DataFrame:
    """Draw ``n`` ranked choices from one MNL / Plackett-Luce model (``voter`` is empty).

    The alternatives are the names of ``utilities``, in its order; ``sampling`` as in
    :func:`sample_ranked_choices`.
    """
    alts = _utility_names(utilities)
    u = _utility_vector(utilities, alts)
    n, K, k = _sizes(n, assortment_size, k, len(alts))
    rng = np.random.default_rng(seed)
    items = _draw_assortments(distribution(sampling, alts), n, K, rng)
    order = _plackett_luce_order(u[items], k, rng)
    return _choice_table(alts, items, np.take_along_axis(items, order, axis=1), np.full(n, None, dtype=object))


def sample_mallows_rmj_choices(
    central_ranking, phi, n: int, assortment_size: int, k: int = 1, sampling=None, seed=None
) -> pd.DataFrame:
    """Draw ``n`` ranked choices from one Mallows-RMJ model (``voter`` is empty).

    The alternatives are the names of ``central_ranking`` in its order; each top-k list is drawn
    exactly by the sequential cyclic-geometric rule of the module docstring.
    """
    alts = _central_ranking(central_ranking)
    phi = _phi(phi)
    n, K, k = _sizes(n, assortment_size, k, len(alts))
    rng = np.random.default_rng(seed)
    items = _draw_assortments(distribution(sampling, alts), n, K, rng)  # sorted, i.e. in sigma order
    rows = np.arange(n)
    remaining = np.ones((n, K), dtype=bool)
    previous = np.full(n, -1)
    positions = np.arange(K)
    weights = phi ** np.arange(K, dtype=float)
    chosen = np.empty((n, k), dtype=np.intp)
    for t in range(k):
        size = K - t
        cdf = np.cumsum(weights[:size])
        g = np.minimum(np.searchsorted(cdf, rng.random(n) * cdf[-1], side="right"), size - 1)
        above = (remaining & (positions < previous[:, None])).sum(axis=1)  # remaining items better than a_t
        target = (above + g) % size
        rank_among_remaining = np.cumsum(remaining, axis=1) - 1
        pick = np.argmax(remaining & (rank_among_remaining == target[:, None]), axis=1)
        chosen[:, t] = pick
        remaining[rows, pick] = False
        previous = pick
    return _choice_table(alts, items, np.take_along_axis(items, chosen, axis=1), np.full(n, None, dtype=object))


def ranked_choice_arrays(table: pd.DataFrame, alternatives: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """A ranked-choice table as the index arrays the losses take.

    Returns ``items`` (n, K): alternative indices of each assortment, in the table's order, and
    ``top`` (n, k): the positions of the ranked top-k inside ``items`` (so ``lr[:, top]`` indexes
    a batch of log-ratios gathered as ``lr = logratio[items]``). Every row must have the same
    ``K`` and ``k``; errors name the row.
    """
    alts = alternative_names(alternatives)
    index = {a: j for j, a in enumerate(alts)}
    if not isinstance(table, pd.DataFrame):
        raise AggregationError("ranked choices must be a table (DataFrame) with columns assortment and top")
    missing = [c for c in ("assortment", "top") if c not in table.columns]
    if missing:
        raise AggregationError(f"the ranked-choice table has no {missing[0]!r} column")
    if len(table) == 0:
        raise AggregationError("the ranked-choice table is empty")
    items_rows, top_rows = [], []
    for i, (assortment, top) in enumerate(zip(table["assortment"], table["top"]), start=1):
        try:
            S = _assortment(assortment, alts)
            positions = _top_positions(top, S)
        except AggregationError as exc:
            raise AggregationError(f"row {i}: {exc}") from None
        items_rows.append([index[a] for a in S])
        top_rows.append(positions)
        if len(S) != len(items_rows[0]) or len(positions) != len(top_rows[0]):
            raise AggregationError(
                f"row {i}: {len(S)} items with a top-{len(positions)} list, but row 1 has "
                f"{len(items_rows[0])} items with a top-{len(top_rows[0])} list; every row needs the same sizes"
            )
    return np.asarray(items_rows, dtype=np.intp), np.asarray(top_rows, dtype=np.intp)


def _plackett_luce_order(utilities: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Positions of a Plackett-Luce top-k per row (Gumbel-max: sort utilities plus Gumbel noise)."""
    key = utilities + rng.gumbel(size=utilities.shape)
    return np.argsort(-key, axis=1, kind="stable")[:, :k]


def _draw_assortments(D: pd.Series, n: int, K: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` sets of ``K`` alternative indices (sorted) with ``P(S)`` proportional to ``prod_{a in S} D(a)``.

    Exact sequential conditional-Poisson sampling: alternative ``i`` joins with probability
    ``D_i e_{r-1}(D_{i+1:}) / e_r(D_{i:})`` where ``r`` slots remain and ``e_r`` is the
    elementary symmetric polynomial.
    """
    p = D.to_numpy(float)
    if (p > 0).sum() < K:
        raise AggregationError(
            f"the sampling distribution gives positive probability to {(p > 0).sum()} alternatives, "
            f"fewer than the assortment size {K}"
        )
    p = p / p.max()
    m = p.shape[0]
    E = np.zeros((m + 1, K + 1))
    E[:, 0] = 1.0
    for i in range(m - 1, -1, -1):
        E[i, 1:] = E[i + 1, 1:] + p[i] * E[i + 1, :-1]
    # J[i, r]: probability that alternative i joins when r slots remain (J[i, 0] = 0)
    J = np.zeros((m, K + 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        J[:, 1:] = np.nan_to_num(p[:, None] * E[1:, :-1] / E[:-1, 1:])
    need = np.full(n, K, dtype=np.intp)
    out = np.empty((n, K), dtype=np.intp)
    rows = np.arange(n)
    for i in range(m):
        join = rng.random(n) < J[i, need]
        out[rows[join], K - need[join]] = i
        need -= join
    return out


def _sizes(n, assortment_size, k, m: int) -> tuple[int, int, int]:
    try:
        n_int, K = int(n), int(assortment_size)
    except (TypeError, ValueError):
        raise AggregationError("the number of choices and the assortment size must be whole numbers") from None
    if n_int != n or n_int <= 0:
        raise AggregationError(f"the number of ranked choices must be a positive whole number, got {n!r}")
    if K != assortment_size or K < 2:
        raise AggregationError(f"the assortment size must be a whole number >= 2, got {assortment_size!r}")
    if K > m:
        raise AggregationError(f"the assortment size {K} is larger than the number of alternatives ({m})")
    return n_int, K, _check_k(k, K)


def _choice_table(alts: Sequence[str], items: np.ndarray, top: np.ndarray, voters: np.ndarray) -> pd.DataFrame:
    names = np.asarray(alts, dtype=object)
    return pd.DataFrame(
        {
            "assortment": list(zip(*names[items].T)),
            "top": list(zip(*names[top].T)),
            "voter": voters,
        }
    )
