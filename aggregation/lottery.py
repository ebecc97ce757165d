"""Maximal lotteries: optimal mixed strategies of the symmetric zero-sum margin game.

A lottery ``p`` is maximal when no alternative beats it in expectation: ``(p^T M)_b >= 0``
for every ``b``, with ``M = P - P^T``. The set of maximal lotteries is a polytope; it is a
single point for almost every population (always, for an odd number of voters with strict
rankings), but ties (an even number of voters, indifferences) can make it larger.

How it is computed:

1. one linear program (HiGHS) gives a maximal lottery ``p0``;
2. if ``p0`` is strictly complementary (every alternative outside its support is beaten by
   it strictly) then every maximal lottery lives on ``E = supp(p0)`` and solves
   ``M_EE q = 0``; the lottery is unique exactly when that system has a one-dimensional
   solution space (a skew-symmetric matrix has even rank, so ``|E|`` is then odd);
3. otherwise a second linear program finds the *essential set* (the alternatives that some
   maximal lottery uses) and the same rank test decides uniqueness;
4. when the set has more than one point, the returned member is the **maximum-entropy
   maximal lottery**: unique, permutation-neutral (relabelling alternatives relabels it), and
   it gives positive probability to every alternative of the essential set. It is found by a
   convex program (cvxpy) and polished by Newton's method on the affine hull of the optimal face.

The Series' ``attrs`` say which case applied: ``unique`` (bool), ``selection`` (words),
``essential_set`` (list) and ``certificate`` (``min_b (p^T M)_b``, >= -1e-9).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.linalg import null_space
from scipy.optimize import linprog

from .errors import AggregationError
from .preference import matrix_and_names

_SUPPORT = 1e-9      # a probability above this counts as used
_SLACK = 1e-7        # an alternative beaten by more than this is clearly beaten
_RANK = 1e-9         # relative singular-value threshold for the rank test


def maximal_lottery(model) -> pd.Series:
    """The maximal lottery of a population (see the module docstring for the method and
    for which member is returned when the optimal set is not a single point)."""
    P, names = matrix_and_names(model)
    M = P - P.T
    m = len(names)
    if m == 1:
        return _result(np.ones(1), names, M, unique=True, essential=[0])

    p0 = _any_maximal_lottery(M)
    slack = M.T @ p0
    support = p0 > _SUPPORT
    if not ((~support) & (slack <= _SLACK)).any():
        essential = np.flatnonzero(support)
    else:
        essential = _essential_set(M, candidates=np.flatnonzero(support | (slack <= _SLACK)))

    kernel = _kernel(M[np.ix_(essential, essential)])
    if kernel.shape[1] == 1:
        q = kernel[:, 0] / kernel[:, 0].sum()
        if (q > 0).all():
            p = np.zeros(m)
            p[essential] = q
            return _result(p, names, M, unique=True, essential=essential)
    p = _max_entropy(M, essential, kernel, start=p0)
    return _result(p, names, M, unique=False, essential=essential)


def _any_maximal_lottery(M: np.ndarray) -> np.ndarray:
    """max v  s.t.  (p^T M)_b >= v for all b, sum p = 1, p >= 0  (the value v is 0)."""
    m = M.shape[0]
    c = np.zeros(m + 1)
    c[-1] = -1.0
    A_ub = np.hstack([-M.T, np.ones((m, 1))])
    A_eq = np.hstack([np.ones((1, m)), np.zeros((1, 1))])
    res = linprog(c, A_ub=A_ub, b_ub=np.zeros(m), A_eq=A_eq, b_eq=[1.0],
                  bounds=[(0, None)] * m + [(-1, 1)], method="highs")
    if res.status != 0:
        raise AggregationError(f"the maximal-lottery linear program failed: {res.message}")
    p = np.clip(res.x[:m], 0.0, None)
    return p / p.sum()


def _essential_set(M: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    """Alternatives that some maximal lottery uses.

    The maximal lotteries, unnormalised, form a cone {x >= 0 : M x <= 0}. Maximising
    sum_b min(x_b, 1) over it reaches |E| exactly when every essential alternative gets
    x_b >= 1, which scaling allows; non-essential ones are 0 in every such x.
    """
    m = M.shape[0]
    k = len(candidates)
    # variables: x (k candidates), y (k); maximise sum y
    c = np.concatenate([np.zeros(k), -np.ones(k)])
    A_game = np.hstack([M[:, candidates], np.zeros((m, k))])          # (M x)_b <= 0
    A_link = np.hstack([-np.eye(k), np.eye(k)])                        # y - x <= 0
    res = linprog(c, A_ub=np.vstack([A_game, A_link]), b_ub=np.zeros(m + k),
                  bounds=[(0, None)] * k + [(0, 1)] * k, method="highs")
    if res.status != 0:
        raise AggregationError(f"the essential-set linear program failed: {res.message}")
    return candidates[res.x[k:] > 0.5]


def _kernel(A: np.ndarray) -> np.ndarray:
    """Orthonormal basis of the null space of A (singular values below 1e-9 * the largest count as 0)."""
    return null_space(A, rcond=_RANK)


def _max_entropy(M: np.ndarray, essential: np.ndarray, kernel: np.ndarray, start: np.ndarray) -> np.ndarray:
    """The maximal lottery of largest entropy (support = the essential set)."""
    import cvxpy as cp  # imported lazily: only populations with ties reach this path

    m = M.shape[0]
    outside = np.setdiff1d(np.arange(m), essential)
    q = cp.Variable(len(essential))
    constraints = [cp.sum(q) == 1, q >= 0, (M[np.ix_(essential, essential)].T @ q) == 0]
    if outside.size:
        constraints.append(M[np.ix_(essential, outside)].T @ q >= 0)
    problem = cp.Problem(cp.Maximize(cp.sum(cp.entr(q))), constraints)
    try:
        problem.solve(solver=cp.CLARABEL)
    except cp.SolverError as exc:  # pragma: no cover - solver failure is reported, not hidden
        raise AggregationError(f"the maximum-entropy program failed: {exc}") from None
    if q.value is None:
        raise AggregationError(f"the maximum-entropy program failed: {problem.status}")
    approx = np.clip(np.asarray(q.value).reshape(-1), 1e-15, None)
    approx /= approx.sum()

    # Newton polish on the affine set {q = q0 + N z}: equalities M_EE^T q = 0, sum q = 1 and
    # the outside constraints that are active at the approximate optimum.
    active = outside[(M[np.ix_(essential, outside)].T @ approx) < _SLACK] if outside.size else outside
    A = np.vstack([M[np.ix_(essential, essential)].T, M[np.ix_(essential, active)].T, np.ones((1, len(essential)))])
    rhs = np.zeros(A.shape[0])
    rhs[-1] = 1.0
    q_aff = approx - np.linalg.lstsq(A, A @ approx - rhs, rcond=None)[0]
    N = null_space(A, rcond=1e-10)
    polished = _newton_entropy(q_aff, N) if N.shape[1] else q_aff
    p = np.zeros(m)
    p[essential] = polished
    if polished.min() <= 0 or (M.T @ p).min() < -1e-12:
        p[essential] = q_aff  # keep the feasible projection of the solver's answer
    return p


def _newton_entropy(q: np.ndarray, N: np.ndarray, iterations: int = 50) -> np.ndarray:
    """Maximise -sum q log q over q + N z, starting from a feasible positive q."""
    if q.min() <= 0:
        return q
    for _ in range(iterations):
        grad = N.T @ (-np.log(q) - 1.0)
        hess = N.T @ (N / q[:, None])
        step = np.linalg.solve(hess, grad)
        direction = N @ step
        if np.abs(direction).max() < 1e-15:
            break
        t = 1.0
        while (q + t * direction).min() <= 0:
            t *= 0.5
        q = q + t * direction
    return q


def _result(p: np.ndarray, names: list[str], M: np.ndarray, *, unique: bool, essential) -> pd.Series:
    p = np.where(p > 0, p, 0.0)
    p = p / p.sum()
    certificate = float((M.T @ p).min())
    if certificate < -1e-9:
        raise AggregationError(
            f"the maximal lottery could not be certified (min_b (p^T M)_b = {certificate:.3g}); please report this population")
    out = pd.Series(p, index=names, name="maximal lottery")
    out.attrs = {
        "unique": unique,
        "selection": ("the unique maximal lottery" if unique else
                      "maximum-entropy member of the optimal set (the set has more than one point)"),
        "essential_set": [names[i] for i in essential],
        "certificate": certificate,
    }
    return out
