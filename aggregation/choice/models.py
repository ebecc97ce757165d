"""Ranked-choice models: MNL and Mallows-RMJ choice and top-k probabilities, and samplers.

Source: Tang & Feng, "Beyond Pairwise: Empowering LLM Alignment with (Ranked) Choice Modeling"
(RCPO, arXiv 2510.23631), sections 2.2, 2.5, 3.1 and 3.2, equations (4)-(11); the Mallows-RMJ
model is Feng & Tang, "On a Mallows-type model for (ranked) choices" (NeurIPS 2022, arXiv
2207.01783), which RCPO cites for equations (9) and (11). A voter is shown an *assortment* ``S``
of ``m`` alternatives and reports the ordered list ``top = (a_1, ..., a_k)`` of its ``k``
favourites among them (RCPO section 2.2, "Ranked Choice Models"; ``k = 1``: single-best choice,
``k = m``: a full ranking of ``S``).

**MNL** with utilities ``u`` (RCPO section 3.1: the discrete choice probability
``P(y_i | S) = e^{u_i} / sum_{j in S} e^{u_j}`` and, for top-k lists, equation (8))::

    P(top | S) = prod_{t=1..k} exp(u[a_t]) / ( sum_{j=t..k} exp(u[a_j]) + sum_{h in S minus top} exp(u[h]) )

(the denominator is the sum over ``S`` minus ``{a_1..a_{t-1}}``: the Plackett-Luce form).

**Mallows-RMJ** with central ranking ``sigma`` (``mu_0`` in the paper, best first) and dispersion
``phi`` (RCPO section 2.5: ``P(mu) = phi ** d(mu_0, mu) / sum_mu' phi ** d(mu_0, mu')``). Choice
probability, equation (9)::

    P(a | S) = phi ** d(a, S) / (1 + phi + ... + phi ** (m - 1)),   d(a, S) = #{b in S ranked above a by sigma}

Top-k probability, equation (11), with ``psi(n, phi) = prod_{i=1..n} [i]`` and
``[i] = 1 + phi + ... + phi ** (i - 1)``::

    P(top | S) = psi(m - k, phi) / psi(m, phi) * phi ** d(top, S)
    d(top, S)  = sum_{t=1..k-1} (m - t) * [sigma ranks a_t below a_{t+1}] + #{b in S minus top ranked above a_k by sigma}

(``psi(m, phi) / psi(m - k, phi) = prod_{i=m-k+1..m} [i]``; ``k = 1`` gives equation (9)). The
**Reverse Major Index distance** of a ranking ``pi = (pi_1, ..., pi_n)`` of the universe is
equation (11) at ``k = |S| = n``, where the list is the whole ranking and ``psi(0) = 1``::

    d_RMJ(sigma, pi) = sum_{t=1..n-1} (n - t) * [sigma ranks pi_t below pi_{t+1}]

(a "descent" at position ``t`` costs ``n - t``; RCPO names the distance in section 2.5 and states
only this consequence of it). Equations (9) and (11) are the marginals, equation (6), of the
Mallows-RMJ law over *all* rankings of the universe; ``tests/choice`` checks them against that sum
over every permutation. The paper's range is ``0 < phi < 1``; ``phi = 1`` (every ranking equally
likely, the limit of (9) and (11)) is accepted here, and ``phi -> 0`` always returns ``sigma``'s
top k.

Sampling uses the sequential form of equation (11): the ratio of (11) for ``(a_1..a_{t+1})`` and
for ``(a_1..a_t)`` is ``phi ** g / [m - t]``, where ``g`` is the place of ``a_{t+1}`` (0, 1, ...)
in the remaining items listed in ``sigma``-order *cyclically*, starting just below ``a_t`` and
wrapping round to the best remaining one (for ``t = 0`` the list starts at the best item). So the
next choice is the ``g``-th of that list with probability proportional to ``phi ** g``.

Ranked-choice *data* is a table with columns ``assortment`` and ``top`` (tuples of names; an
assortment lists its items in the order of the model's alternatives) and ``voter``; assortments
of size ``K`` are drawn as ``K`` independent draws from the sampling distribution ``D``
conditioned on being distinct, i.e. ``P(S)`` proportional to ``prod_{a in S} D(a)`` (for
``K = 2`` the ``D x D`` pairs of :func:`sample_comparisons`; uniform ``D``: every ``K``-subset
equally likely).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy.special import logsumexp

from ..validate import alternative_names
from ..errors import AggregationError
from ..populations.base import RANKINGS, Population
from ..populations.profile import dense_levels, parse_ranking

#: Largest number of ordered top-k lists a probability table may hold.
MAX_TABLE_LISTS = 200_000


# ===================================================================== probabilities
def mnl_topk_probability(utilities, assortment, top) -> float:
    """MNL probability that ``top`` (ordered, best first) is the top-k of ``assortment`` (RCPO eq. 8).

    ``utilities``: a Series or mapping from name to utility (for a policy, ``beta * log(pi / pi_ref)``);
    ``top``: a sequence of names, or one name for a single-best choice.
    """
    S = _assortment(assortment, _utility_names(utilities))
    lists = _top_positions(top, S)[None, :]
    return float(np.exp(_mnl_log_probabilities(_utility_vector(utilities, S), lists))[0])


def mallows_rmj_topk_probability(central_ranking, assortment, top, phi) -> float:
    """Mallows-RMJ probability that ``top`` (ordered, best first) is the top-k of ``assortment``.

    RCPO equation (11); for a single name, equation (9).

    ``central_ranking``: names best first (a list, or text such as ``"A > B > C"``); it must hold
    every item of the assortment and may hold others (they do not matter).
    """
    sigma = _central_ranking(central_ranking)
    S = _assortment(assortment, sigma)
    lists = _top_positions(top, S)[None, :]
    return float(np.exp(_rmj_log_probabilities(_relative_ranks(sigma, S), lists, _phi(phi)))[0])


def mnl_topk_table(utilities, assortment, k: int = 1) -> pd.Series:
    """Probability (RCPO eq. 8) of every ordered top-k list of ``assortment`` under MNL, indexed by the list (a tuple).

    Read one entry with ``table[("A", "B")]``. The entries sum to one.
    """
    S = _assortment(assortment, _utility_names(utilities))
    lists = _all_lists(S, k)
    logp = _mnl_log_probabilities(_utility_vector(utilities, S), lists)
    return _table(np.exp(logp), S, lists, "MNL probability")


def mallows_rmj_topk_table(central_ranking, assortment, k: int, phi) -> pd.Series:
    """Probability (RCPO eq. 11) of every ordered top-k list of ``assortment`` under Mallows-RMJ, indexed by the list."""
    sigma = _central_ranking(central_ranking)
    S = _assortment(assortment, sigma)
    lists = _all_lists(S, k)
    logp = _rmj_log_probabilities(_relative_ranks(sigma, S), lists, _phi(phi))
    return _table(np.exp(logp), S, lists, "Mallows-RMJ probability")


def population_topk_table(population: Population, assortment, k: int = 1) -> pd.Series:
    """Exact probability of every ordered top-k list of ``assortment`` for a random voter of ``model``.

    A ``Profile``: a voter drawn by weight ranks the assortment by its ranking, ties broken
    uniformly at random. A ``RewardPopulation``: a user type drawn by weight answers by
    Plackett-Luce with utilities ``r_u / T``. This is the law the samplers draw from.
    """
    population = _voters(population)
    S = _assortment(assortment, population.alternatives)
    lists = _all_lists(S, k)
    cols = [population.alternatives.index(a) for a in S]
    if population.kind == RANKINGS:
        probs = _profile_list_probabilities(
            population.levels[:, cols], population.weights / population.total_weight, lists
        )
    else:
        U = population.rewards.to_numpy(float)[:, cols] / population.temperature
        logp = np.stack([_mnl_log_probabilities(u, lists) for u in U])
        probs = population.shares @ np.exp(logp)
    return _table(probs, S, lists, "population probability")


# ===================================================================== kernels
def _log_bracket(i: np.ndarray, phi) -> np.ndarray:
    """``log [i] = log(1 + phi + ... + phi**(i-1))``, stable for phi near 1 (``[i] = i`` at phi = 1)."""
    i = np.asarray(i, dtype=float)
    phi = np.asarray(phi, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        lphi = np.log(phi)
        out = np.log(np.expm1(i * lphi) / np.expm1(lphi))
    return np.where(phi == 1.0, np.log(i), out)


def _rmj_log_normalizer(m: int, k: int, phi) -> np.ndarray:
    """``log psi(m, phi) / psi(m - k, phi) = log prod_{i=m-k+1..m} [i]``: the log of the inverse of the
    constant of RCPO equation (11) (``phi`` may be an array)."""
    i = np.arange(m - k + 1, m + 1, dtype=float)
    phi = np.asarray(phi, dtype=float)
    return _log_bracket(i, phi[..., None]).sum(axis=-1)


def _rmj_exponent(ranks: np.ndarray, lists: np.ndarray) -> np.ndarray:
    """The power of ``phi`` in the Mallows-RMJ top-k probability: ``d(top, S)`` of RCPO equation (11).

    ``ranks`` (m,): rank of each assortment item under the central ranking (0 = best, distinct);
    ``lists`` (L, k): positions into the assortment of each ordered top-k list.
    """
    m = ranks.shape[0]
    k = lists.shape[1]
    q = ranks[lists]  # (L, k)
    weights = m - np.arange(1, k)  # m - t for t = 1..k-1
    descents = ((q[:, :-1] > q[:, 1:]) * weights).sum(axis=1)
    last = q[:, -1]
    better_than_last = (ranks[None, :] < last[:, None]).sum(axis=1)
    listed_better = (q[:, :-1] < last[:, None]).sum(axis=1)
    return descents + better_than_last - listed_better


def _rmj_log_probabilities(ranks: np.ndarray, lists: np.ndarray, phi: float) -> np.ndarray:
    exponent = _rmj_exponent(ranks, lists).astype(float)
    return exponent * np.log(phi) - _rmj_log_normalizer(ranks.shape[0], lists.shape[1], phi)


def _mnl_log_probabilities(u: np.ndarray, lists: np.ndarray) -> np.ndarray:
    """Plackett-Luce log-probabilities of each ordered list (L, k) over utilities ``u`` (m,)."""
    L, k = lists.shape
    remaining = np.ones((L, u.shape[0]), dtype=bool)
    rows = np.arange(L)
    out = np.zeros(L)
    for t in range(k):
        out += u[lists[:, t]] - logsumexp(np.where(remaining, u[None, :], -np.inf), axis=1)
        remaining[rows, lists[:, t]] = False
    return out


def _profile_list_probabilities(levels: np.ndarray, shares: np.ndarray, lists: np.ndarray) -> np.ndarray:
    """Probability of each ordered list for weak orders restricted to the assortment, ties broken uniformly."""
    dense = dense_levels(np.asarray(levels))
    patterns, inverse = np.unique(dense, axis=0, return_inverse=True)
    pattern_shares = np.bincount(inverse.reshape(-1), weights=shares, minlength=patterns.shape[0])
    L, k = lists.shape
    m = levels.shape[1]
    rows = np.arange(L)
    out = np.zeros(L)
    block = max(1, 5_000_000 // max(1, L * m))
    for start in range(0, patterns.shape[0], block):
        lv = patterns[start : start + block][:, None, :].astype(float)  # (P, 1, m)
        remaining = np.ones((L, m), dtype=bool)
        prob = np.ones((lv.shape[0], L))
        for t in range(k):
            masked = np.where(remaining[None, :, :], lv, np.inf)
            best = masked.min(axis=2)  # (P, L)
            count = (masked == best[:, :, None]).sum(axis=2)
            picked = lv[:, 0, lists[:, t]]  # (P, L)
            prob *= (picked == best) / count
            remaining[rows, lists[:, t]] = False
        out += pattern_shares[start : start + block] @ prob
    return out


# ===================================================================== validation and tables
def _phi(phi) -> float:
    try:
        value = float(phi)
    except (TypeError, ValueError):
        raise AggregationError(f"phi must be a number in (0, 1], got {phi!r}") from None
    if not (np.isfinite(value) and 0.0 < value <= 1.0):
        raise AggregationError(f"phi must be in (0, 1] (1 = uniform, near 0 = always the central ranking), got {phi!r}")
    return value


def _central_ranking(central_ranking) -> list[str]:
    if isinstance(central_ranking, str):
        groups = parse_ranking(central_ranking)
        tied = [g for g in groups if len(g) > 1]
        if tied:
            raise AggregationError(f"the central ranking must be strict, but it ties {' = '.join(tied[0])}")
        central_ranking = [g[0] for g in groups]
    return alternative_names(list(central_ranking), what="central ranking")


def _utility_names(utilities) -> list[str]:
    if not isinstance(utilities, (Mapping, pd.Series)):
        raise AggregationError("utilities must be a Series or a mapping from alternative name to number")
    return alternative_names([str(k) for k in utilities.keys()], what="utilities")


def _utility_vector(utilities, names: Sequence[str]) -> np.ndarray:
    try:
        u = np.asarray([utilities[a] for a in names], dtype=float)
    except (TypeError, ValueError):
        raise AggregationError("utilities must be numbers") from None
    bad = np.flatnonzero(~np.isfinite(u))
    if bad.size:
        raise AggregationError(f"the utility of {names[bad[0]]!r} is {float(u[bad[0]])!r}, not a finite number")
    return u


def _assortment(assortment, known: Sequence[str]) -> list[str]:
    if isinstance(assortment, str):
        raise AggregationError(f"an assortment is a list of names, got the text {assortment!r}")
    try:
        items = list(assortment)
    except TypeError:
        raise AggregationError(f"an assortment is a list of names, got {assortment!r}") from None
    if not items:
        raise AggregationError("the assortment is empty")
    S = alternative_names(items, what="assortment")
    known_set = set(known)
    unknown = [a for a in S if a not in known_set]
    if unknown:
        raise AggregationError(f"assortment: unknown alternative {unknown[0]!r} (known: {', '.join(known)})")
    return S


def _top_positions(top, S: Sequence[str]) -> np.ndarray:
    """Positions in ``S`` of the ordered list ``top`` (one name means a single-best choice)."""
    if isinstance(top, str):
        top = [top]
    try:
        names = [str(a).strip() if isinstance(a, str) else a for a in top]
    except TypeError:
        raise AggregationError(f"the top list must be a list of names, got {top!r}") from None
    if not names:
        raise AggregationError("the top list is empty")
    if len(names) > len(S):
        raise AggregationError(f"the top list has {len(names)} items but the assortment only {len(S)}")
    index = {a: j for j, a in enumerate(S)}
    seen: set = set()
    out = []
    for a in names:
        if a in seen:
            raise AggregationError(f"the top list repeats {a!r}")
        seen.add(a)
        if a not in index:
            raise AggregationError(f"top item {a!r} is not in the assortment ({', '.join(S)})")
        out.append(index[a])
    return np.asarray(out, dtype=np.intp)


def _relative_ranks(sigma: Sequence[str], S: Sequence[str]) -> np.ndarray:
    position = {a: j for j, a in enumerate(sigma)}
    return np.argsort(np.argsort([position[a] for a in S], kind="stable"), kind="stable")


def _check_k(k, m: int) -> int:
    try:
        k_int = int(k)
    except (TypeError, ValueError):
        raise AggregationError(f"k must be a whole number, got {k!r}") from None
    if k_int != k or k_int < 1:
        raise AggregationError(f"k must be a whole number >= 1, got {k!r}")
    if k_int > m:
        raise AggregationError(f"k = {k_int} is larger than the assortment ({m} items)")
    return k_int


def _all_lists(S: Sequence[str], k) -> np.ndarray:
    m = len(S)
    k = _check_k(k, m)
    count = math.perm(m, k)
    if count > MAX_TABLE_LISTS:
        raise AggregationError(
            f"an assortment of {m} items has {count:,} ordered top-{k} lists, more than the {MAX_TABLE_LISTS:,} "
            "a table may hold; ask for a smaller k or assortment"
        )
    return np.asarray(list(itertools.permutations(range(m), k)), dtype=np.intp).reshape(count, k)


def _table(probs: np.ndarray, S: Sequence[str], lists: np.ndarray, name: str) -> pd.Series:
    labels = [tuple(S[j] for j in row) for row in lists]
    return pd.Series(probs, index=pd.Index(labels, tupleize_cols=False, name="top"), name=name)


def _voters(population) -> Population:
    """A population whose voters' orders are known (rankings or user types), or the reason it is not."""
    if not (isinstance(population, Population) and population.has_full_rankings):
        raise AggregationError(f"expected a Profile or a RewardPopulation, got {type(population).__name__}")
    return population
