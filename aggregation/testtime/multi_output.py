"""Beyond single-output policies: the best k-output policy of Theorem 3.1 (game (2) of Cai & Zheng,
arXiv 2601.08777), a lottery over multisets of k responses, solved exactly as one linear program."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import linprog

from ..errors import AggregationError
from ..populations.base import RANKINGS, USER_TYPES, Population
from ..populations.matrix import as_population
from ..outcome import lowest
from ..populations.preference import matrix_and_names
from ..rules.result import MultiOutputCertificate, RuleResult
from ..validate import sample_count
from .rates import _only_pairwise
from . import multisets as _multisets, plackett_luce as _pl_game
from .games import _clean


#: Theorem 3.1's k-output policy is one LP over every multiset of k responses, up to this many.
MAX_MULTISETS = 20_000


#: ... and while (multisets) x (distinct rankings or user types) x (alternatives) stays below this.
MULTISET_CELLS = 60_000_000


# ============================================================================ beyond single-output policies
def _set_win_matrix(population, counts: np.ndarray) -> tuple[np.ndarray, str]:
    """``A[S, y] = P[S >= y]`` for every multiset S (multiplicity rows over all alternatives):
    rankings: the voter's best member of S is at least as good as y (an identical response or
    an indifference counts for S); user types: ``W_i(S) / (W_i(S) + w_i(y))``; pairwise data,
    single responses only: ``P[z, y]`` and 1 for z = y."""
    N, m = counts.shape
    if population.kind == RANKINGS:
        prof = population.compressed()
        lv = prof.levels.astype(np.intp)
        w = prof.weights / prof.weights.sum()
        idx = _multisets.as_indices(counts)
        A = np.zeros((N, m))
        block = max(1, int(4_000_000 // max(1, prof.n_rankings * max(m, idx.shape[1]))))
        for start in range(0, N, block):
            rows = idx[start : start + block]  # (b, k)
            best = lv[:, rows].min(axis=2)  # (n, b)
            A[start : start + block] = np.einsum("i,ibj->bj", w, best[:, :, None] <= lv[:, None, :])
        return A, f"the {prof.n_rankings} distinct rankings of the profile"
    if population.kind == USER_TYPES:
        rho = _pl_game.log_weights(population)
        c = counts.astype(float)
        A = np.ones((N, m))
        for share, r in zip(population.shares, rho):
            E = np.exp(np.minimum(r[None, :] - r[:, None], _pl_game.MAX_EXPONENT))  # E[y, z] = w_z / w_y
            A -= share / (1.0 + c @ E.T)
        n = len(population.types)
        return A, f"the Plackett-Luce set comparison of the {n} user type{'s' if n != 1 else ''}"
    if counts.shape[0] == m and (counts.sum(axis=1) == 1).all():
        P, _ = matrix_and_names(population)
        A = P.copy()
        np.fill_diagonal(A, 1.0)
        return counts @ A, "the pairwise preference matrix"
    raise _only_pairwise(population, int(counts[0].sum()))


def multi_output_policy(population: Population, k: int) -> RuleResult:
    """The best k-output policy (Theorem 3.1 and game (2)): a distribution ``sigma`` over multisets
    of k responses maximising ``min_y P[S ~ sigma >= y]``.

    Solved exactly as one linear program over every multiset of k responses (scipy's HiGHS),
    while there are at most :data:`MAX_MULTISETS` of them. ``P[S >= y]``: rankings, the voter's
    best member of S is at least as good as y (the project's tie convention); user types, the
    Plackett-Luce set comparison ``W_i(S) / (W_i(S) + w_i(y))``; pairwise data, k = 1 only.

    Returns the probabilities of the multisets it uses, labelled like ``"A + A + B"``, with a
    :class:`~aggregation.rules.result.MultiOutputCertificate`: the ``guarantee`` (the LP value
    ``min_y P[sigma >= y]``, at least k/(k+1) by Theorem 3.1), ``best_possible`` (``max_S P[S >= lam]``
    for the opponent mix ``lam``: no k-output policy does better, by weak duality), ``gap``, the
    ``opponent_mix`` ``lam`` and every response attaining the guarantee. The LP's optimum need not
    be unique; this is the vertex HiGHS returns.
    """
    population = as_population(population)
    k = sample_count(k)
    names = population.alternatives
    m = len(names)
    if k > 1 and not population.has_full_rankings:
        raise _only_pairwise(population, k)
    n_sets = _multisets.count(m, k)
    if n_sets > MAX_MULTISETS:
        raise AggregationError(
            f"the best {k}-output policy is one linear program over every multiset of {k} responses; with {m} "
            f"responses there are {n_sets:,} of them, more than the {MAX_MULTISETS:,} solved here. "
            "Use a smaller k or fewer responses."
        )
    rows = (
        population.compressed().n_rankings
        if population.kind == RANKINGS
        else (len(population.types) if population.kind == USER_TYPES else 1)
    )
    if n_sets * rows * m > MULTISET_CELLS:
        raise AggregationError(
            f"the best {k}-output policy needs P[S >= y] for {n_sets:,} multisets x {m} responses x {rows:,} "
            f"rankings or types, more than the {MULTISET_CELLS:,} cells computed here. Use a smaller k."
        )
    counts = _multisets.compositions(k, m)
    A, over = _set_win_matrix(population, counts)
    # variables (sigma_1..sigma_N, v): maximise v subject to sum_S sigma_S A[S, y] >= v for every y
    c = np.zeros(n_sets + 1)
    c[-1] = -1.0
    A_ub = np.hstack([-A.T, np.ones((m, 1))])
    A_eq = np.concatenate([np.ones(n_sets), [0.0]])[None, :]
    res = linprog(
        c,
        A_ub=A_ub,
        b_ub=np.zeros(m),
        A_eq=A_eq,
        b_eq=[1.0],
        bounds=[(0, None)] * n_sets + [(None, None)],
        method="highs",
        options={"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10},
    )
    if res.status != 0:  # pragma: no cover - a bounded, feasible LP; a solver failure is reported, not hidden
        raise AggregationError(f"the linear program of the best {k}-output policy failed: {res.message}")
    sigma = _clean(res.x[:n_sets])
    lam = _clean(np.maximum(-res.ineqlin.marginals, 0.0))
    rates = sigma @ A
    best = float((A @ lam).max())
    keep = sigma > 1e-12
    out = pd.Series(sigma[keep], index=_multisets.labels(counts[keep], names), name=f"best {k}-output policy")
    out.index.name = "multiset"
    certificate = MultiOutputCertificate(
        k=k,
        guarantee=float(rates.min()),
        best_possible=best,
        gap=max(best - float(rates.min()), 0.0),
        opponent_mix=pd.Series(lam, index=names, name="worst-case opponent mix"),
        worst_opponents=tuple(lowest(pd.Series(rates, index=names))),
        n_multisets=n_sets,
    )
    return RuleResult(
        out, certificate, f"one linear program over all {n_sets:,} multisets of {k} responses (scipy HiGHS) on {over}"
    )
