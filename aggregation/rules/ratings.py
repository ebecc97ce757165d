"""Ratings as arenas publish them: sequential Elo and the Bradley-Terry maximum-likelihood rating on the
Elo scale (family ``"ratings"``).

Chatbot Arena (Chiang et al. 2024, arXiv 2403.04132) ranks models by the Bradley-Terry model fitted to
its comparison log and reports it on the Elo scale (base 10, scale 400); its first leaderboards used online
Elo. The exact update and fit here follow the arena's published code, FastChat's
``fastchat/serve/monitor/elo_analysis.py``: ``compute_elo`` (K = 4, base 10, scale 400, start 1000, a tie
or "tie (bothbad)" scores 1/2) and ``compute_elo_mle_with_tie`` (logistic regression, a win counted twice
and a tie once for each side, i.e. a tie is half a win; the arena then anchors one model's rating, here the
ratings are centred on 1000 instead). The paper is not among ../shared/papers, so no section number of it
is cited; the code was read. The Jackpot paper (Maura-Rivero et al. 2025, section 2.1) notes that the Bradley-Terry model behind
RLHF's reward "is the foundation of the classical Elo rating system": both ratings order responses like
RLHF's reward, not like the maximal lottery, so on the Rules page they can be read next to Borda and the
maximal lottery on the same log.

* :func:`elo_ratings`: the online update ``R_a += K (s_a - E_a)``, ``E_a = 1 / (1 + base^((R_b - R_a) /
  scale))``, ``s_a`` 1 for a win, 1/2 for a tie, 0 for a loss, every rating starting at ``initial``;
  defaults K = 4, initial 1000, base 10, scale 400 (FastChat's ``compute_elo``). **Row order
  matters**: a :class:`~aggregation.PairwiseData` is read in its rows' order; counts
  (:class:`~aggregation.ComparisonCounts`) keep no order, so their comparisons are read in a random order
  drawn with ``seed`` (0 unless given). Only the last :data:`ELO_MAX_COMPARISONS` comparisons of that order
  are read (about two seconds of sequential updates): with K = 4 an old result's influence decays by a
  factor ``1 - K ln(base) / scale * E (1 - E) <= 0.9977`` per later game of the same response, so games
  more than a few thousand before the last of each response are invisible at the printed precision.
* :func:`bt_elo`: ``initial + scale / ln(base) * r`` with ``r`` the Bradley-Terry maximum-likelihood
  reward, centred. On comparisons the likelihood weights each pair by how often it was compared (the
  arena's logistic regression on the rows; ties count half for each side, as in ``P``); on a population
  (rankings, user types, a matrix: unlimited data) every pair weighs the same, so that it is
  :func:`~aggregation.bt_reward` under uniform sampling, rescaled. When some response won (or lost) every
  comparison it had, or the compared pairs fall apart into groups, the maximum is at infinity: the fit
  then adds a weak ridge prior (:data:`BT_RIDGE`) that keeps the ratings finite and says so in its notes.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy.sparse.csgraph import connected_components

from ..errors import AggregationError
from ..papers import Reference
from ..populations.base import COMPARISONS, Population
from ..populations.matrix import as_population
from ..populations.preference import matrix_and_names
from ..validate import as_float, short
from .alignment import _bt_mle
from .result import SCORES, RuleResult
from .rule import ANY, LOG, Rule

#: Elo as the arena's notebook computes it: K-factor, starting rating, logarithm base and scale.
ELO_K, ELO_INITIAL, ELO_BASE, ELO_SCALE = 4.0, 1000.0, 10.0, 400.0
#: The seed of the random order in which counts are read (they keep no row order).
ELO_SEED = 0
#: Comparisons sequential Elo reads at most: the last ones of the order.
ELO_MAX_COMPARISONS = 10_000_000
#: The weak ridge prior of :func:`bt_elo` when the maximum likelihood is at infinity, as a share of the
#: average weight of an alternative's comparisons: a response that won every one of its games ends about
#: ``scale / ln(base) * ln(1 / BT_RIDGE)``-ish (about 1,000 Elo points) above the others, not infinitely far.
BT_RIDGE = 1e-4


def comparison_sequence(
    population: Population, seed: int | None = ELO_SEED
) -> tuple[np.ndarray, np.ndarray, np.ndarray, str]:
    """``(a, b, score, order)``: every comparison once (alternative indices, a's score 1 / 1/2 / 0) in the
    order Elo reads them, and that order in words. A comparison table in its rows' order; counts in a
    random order drawn with ``seed``; other populations are refused (they are not logs)."""
    population = as_population(population)
    if population.kind != COMPARISONS:
        raise AggregationError(
            "sequential Elo reads a log of comparisons one by one; a population of kind "
            f"{population.kind!r} is not a log (draw comparisons from it first)"
        )
    if hasattr(population, "comparisons"):  # ComparisonCounts: no row order kept
        a, b, score = population.comparisons(seed)
        return (
            a,
            b,
            score,
            (
                f"a random order of the comparisons (seed {seed}): counts keep no row order"
                if seed is not None
                else "the comparisons grouped by pair: counts keep no row order"
            ),
        )
    index = {name: i for i, name in enumerate(population.alternatives)}
    table = population.table
    a = table["chosen"].map(index).to_numpy(np.int64)
    b = table["rejected"].map(index).to_numpy(np.int64)
    return a, b, np.ones(len(a)), "the table's row order"


def elo_ratings(
    population: Population,
    *,
    k_factor: float = ELO_K,
    initial: float = ELO_INITIAL,
    base: float = ELO_BASE,
    scale: float = ELO_SCALE,
    seed: int | None = ELO_SEED,
    max_comparisons: int | None = ELO_MAX_COMPARISONS,
) -> RuleResult:
    """Sequential (online) Elo over the comparisons of ``population`` (see the module's docstring)."""
    for what, value in (("the K-factor", k_factor), ("the scale", scale)):
        if not (isinstance(value, (int, float)) and math.isfinite(as_float(value)) and value > 0):
            raise AggregationError(f"{what} must be a positive number, got {short(value)}")
    if not (isinstance(base, (int, float)) and math.isfinite(as_float(base)) and base > 1):
        raise AggregationError(f"the base must be a number above 1, got {short(base)}")
    a, b, score, order = comparison_sequence(population, seed)
    notes = [f"Row order matters: read in {order}"]
    if max_comparisons is not None and len(a) > max_comparisons:
        notes.append(
            f"Only the last {max_comparisons:,} of {len(a):,} comparisons are read (with K = {k_factor:g} "
            "earlier ones have decayed out of the ratings)"
        )
        a, b, score = a[-max_comparisons:], b[-max_comparisons:], score[-max_comparisons:]
    names = population.alternatives
    ratings = [float(initial)] * len(names)
    k, per_point = float(k_factor), math.log(base) / scale
    exp = math.exp
    for i, j, s in zip(a.tolist(), b.tolist(), score.tolist()):
        expected = 1.0 / (1.0 + exp((ratings[j] - ratings[i]) * per_point))
        step = k * (s - expected)
        ratings[i] += step
        ratings[j] -= step
    values = pd.Series(ratings, index=names, name="Elo")
    return RuleResult(
        values,
        method=f"online Elo: K = {k_factor:g}, start {initial:g}, base {base:g}, scale {scale:g}, {len(a):,} updates",
        notes=tuple(notes),
    )


def pair_weights(population: Population) -> tuple[np.ndarray | None, str]:
    """How much each pair weighs in the Bradley-Terry likelihood: the number of comparisons of each pair for
    comparisons, None (every pair the same) for a population."""
    if population.kind == COMPARISONS:
        return population.comparison_counts().to_numpy(float), "each pair weighted by its number of comparisons"
    return None, "every pair weighted the same (unlimited data)"


def bt_fit(P: np.ndarray, W: np.ndarray | None) -> tuple[np.ndarray, bool]:
    """The centred Bradley-Terry reward (natural-log units) maximising ``sum W_ab P_ab log sigmoid(r_a - r_b)``
    and whether the weak ridge prior was needed (see the module's docstring). ``W`` None: every pair 1."""
    m = P.shape[0]
    W = np.ones((m, m)) if W is None else np.array(W, dtype=float)
    np.fill_diagonal(W, 0.0)
    total = W.sum()
    if total <= 0:
        return np.zeros(m), False
    W = W / total
    sometimes = (W > 0) & (P > 0)
    np.fill_diagonal(sometimes, True)
    components, _ = connected_components(sometimes.astype(np.int8), directed=True, connection="strong")
    ridge = 0.0 if components == 1 else BT_RIDGE / m
    D = W.sum(axis=1)
    D = D / D.sum() if D.sum() > 0 else np.full(m, 1.0 / m)
    r = _bt_mle(P, D, tol=1e-12, weights=W, ridge=ridge)
    return r - r.mean(), ridge > 0


def elo_scale(
    reward: np.ndarray, *, initial: float = ELO_INITIAL, base: float = ELO_BASE, scale: float = ELO_SCALE
) -> np.ndarray:
    """A Bradley-Terry reward in natural-log units on the Elo scale: ``initial + scale / ln(base) * r``
    (``P[a, b] = 1 / (1 + base^((R_b - R_a) / scale))``)."""
    return initial + scale / math.log(base) * np.asarray(reward, dtype=float)


def bt_elo(
    population: Population, *, initial: float = ELO_INITIAL, base: float = ELO_BASE, scale: float = ELO_SCALE
) -> RuleResult:
    """The Bradley-Terry maximum-likelihood rating on the Elo scale (see the module's docstring)."""
    population = as_population(population)
    P, names = matrix_and_names(population)
    W, weighting = pair_weights(population)
    r, ridged = bt_fit(P, W)
    notes = (
        (
            "The likelihood has no finite maximum (some response won or lost every comparison it had, or the "
            "compared pairs fall apart into groups): a weak ridge prior keeps the ratings finite; gaps of about "
            "1,000 points or more are the prior's, not the data's",
        )
        if ridged
        else ()
    )
    values = pd.Series(elo_scale(r, initial=initial, base=base, scale=scale), index=names, name="Bradley-Terry Elo")
    return RuleResult(
        values,
        method=f"Bradley-Terry maximum likelihood (Newton), {weighting}; "
        f"{initial:g} + {scale:g} / ln({base:g}) x reward",
        notes=notes,
    )


ENTRIES = [
    Rule(
        "elo",
        "Elo (online, arena)",
        "online Elo",
        "Start every response at 1000; for each comparison in turn the winner takes K = 4 x (1 - its expected "
        "score 1 / (1 + 10^(gap / 400))) points from the loser (a tie scores 1/2). Row order matters; counts "
        "are read in a seeded random order.",
        SCORES,
        "Elo points",
        "ratings",
        (
            Reference("elo"),
            Reference("chatbot_arena", "online Elo on its first leaderboards, then Bradley-Terry"),
            Reference("fastchat", "compute_elo: K = 4, base 10, scale 400, start 1000, a tie scores 1/2"),
            Reference("jackpot", "section 2.1: Bradley-Terry, the foundation of Elo"),
        ),
        (),
        LOG,
        lambda m, p: elo_ratings(m),
    ),
    Rule(
        "bt_elo",
        "Bradley-Terry rating (Elo scale)",
        "the Bradley-Terry rating",
        "The Bradley-Terry model fitted to all comparisons at once by maximum likelihood (a tie counts half for "
        "each side), on the Elo scale: 1000 + 400 / ln 10 x the fitted reward. What arena leaderboards publish.",
        SCORES,
        "Elo points",
        "ratings",
        (
            Reference("chatbot_arena", "Bradley-Terry coefficients, reported on the Elo scale"),
            Reference("fastchat", "compute_elo_mle_with_tie: a tie is half a win for each side"),
            Reference("jackpot", "section 2.1"),
        ),
        (),
        ANY,
        lambda m, p: bt_elo(m),
    ),
]
