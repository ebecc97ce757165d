"""An interior-point solver for monotone variational inequalities over products of simplices.

Problem: find ``x = (x_1, ..., x_B)``, each block ``x_b`` a probability vector, such that

    F_b(x)_i >= c_b  for every entry i of block b, with equality wherever x_b,i > 0,

for some numbers ``c_b`` (one per block). Equivalently ``F(x) . (x' - x) >= 0`` for every
``x'`` in the product of simplices. Two games of :mod:`aggregation.testtime` have this form:

* the symmetric Nash equilibrium of a symmetric game with deviation utility ``U(y; pi)``:
  one block, ``F = -U`` (every used response is a best response);
* the saddle point ``min_pi max_lambda sum_y lambda_y U_y(pi)`` of a convex-concave problem:
  two blocks, ``F = (grad_pi, -U)``.

When ``F`` is monotone (``(F(x) - F(x')) . (x - x') >= 0``) the solution set is convex and
the path-following method below is well defined: it keeps ``x > 0`` and ``s = F(x) - c > 0``
and follows the *central path* ``x_i s_i = mu`` with Newton steps while ``mu`` shrinks
(Kojima, Megiddo, Noma and Yoshise, *A Unified Approach to Interior Point Algorithms for
Linear Complementarity Problems*, 1991; for the nonlinear case, Nesterov and Nemirovski, 1994).
As ``mu -> 0`` the central path tends to a point of the relative interior of the solution set
(its analytic centre for linear problems); every step is equivariant under relabelling, so
this limit is a canonical, neutral choice when the solution is not unique.

Certificate: the *gap* ``sum_b (x_b . F_b(x) - min_i F_b(x)_i)`` is zero exactly at a
solution and, for the two games above, is the exploitability of the equilibrium (one block)
or the duality gap of the saddle point (two blocks).

Polish: the entries of the central path that shrink like a power of ``mu`` (read from the
last two centred points) are the ones the limit does not use; Newton's method (minimum-norm
steps, since solutions need not be isolated) on the equations restricted to the others lands
on the limit to machine precision. This matters in the k-sample game, whose utilities can be
so flat (k-th powers) that a policy with exploitability 1e-19 still gives 1e-4 to a response
the exact equilibrium never plays. If that fails, other support guesses are tried and a
polished point is kept only when it lowers the gap.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from ..errors import report

#: Fraction of the distance to the boundary that a step may cover.
_TO_BOUNDARY = 0.995
#: A gap this small is exact up to rounding: no further support guess is tried.
_EXACT = 1e-15
#: An entry of the central path shrinking at least like mu^0.01 is going to 0.
_VANISHING = 0.01
#: A polish residual below this that no longer halves is rounding (sums over many voters): stop there.
_ROUNDING = 1e-12
#: A polish step landing an entry this far outside [0, 1] is diverging: the guess is given up.
_FAR = 10.0
#: Path-following stages always run (the last two locate the limit's support).
_MIN_STAGES = 3


@dataclass(frozen=True)
class Solution:
    x: np.ndarray
    gap: float
    iterations: int
    polished: bool
    converged: bool
    exact_fallback: bool = False


def block_gap(x: np.ndarray, Fx: np.ndarray, blocks: list[slice]) -> float:
    """``sum_b (x_b . F_b - min F_b)``: zero exactly at a solution."""
    return float(sum(x[b] @ Fx[b] - Fx[b].min() for b in blocks))


def solve(
    F, DF, sizes: list[int], *, tol: float = 1e-10, max_iter: int = 300, exact_DF=None, progress=None
) -> Solution:
    """Solve the variational inequality for ``F`` (Jacobian ``DF``) over simplices of ``sizes``.

    Path following: for a decreasing sequence of targets ``mu`` (a factor 10 at a time, 2 when
    the path bends sharply), Newton steps on ``x_i s_i = mu`` bring the iterate close to the
    central point (every product within 50% of ``mu``); then the target shrinks. Every step
    keeps ``x > 0`` and ``s > 0``. ``converged`` is true when the certified gap is at most
    ``tol``; ``max_iter`` bounds the total number of Newton steps.

    ``exact_DF``: when ``DF`` only approximates the Jacobian (an inexact Newton method: a sampled
    population's Jacobian) and a step fails to make progress, the solver switches to ``exact_DF``
    for the rest of the path and for the polish (``Solution.exact_fallback``). ``progress``:
    ``progress(fraction) -> bool`` is called after every Newton step; False stops the solver with
    :class:`aggregation.errors.Cancelled`.
    """
    blocks, E = _blocks(sizes)
    n = E.shape[0]
    x = np.concatenate([np.full(m, 1.0 / m) for m in sizes])
    Fx = F(x)
    c = np.array([Fx[b].min() - 1.0 for b in blocks])
    mu = float(x @ (Fx - E @ c)) / n
    best_gap, best_x = block_gap(x, Fx, blocks), x.copy()
    history: list[tuple[float, np.ndarray]] = []  # (mu, centred x) at the end of each stage
    iterations = 0
    stalled = False
    fallback = False
    mu_start, mu_end = mu, max(tol * 1e-2 * 1e-3, 1e-300)  # progress: log10(mu) from its start to ~ the end
    report(progress, 0.0)
    while iterations < max_iter and not stalled and (best_gap > tol * 1e-2 or len(history) < _MIN_STAGES):
        steps_this_stage = 0
        while iterations < max_iter:
            s = Fx - E @ c
            delta = float(np.abs(x * s / mu - 1.0).max())
            if delta <= 0.5:
                history.append((mu, x.copy()))
                break
            step = _newton_step(x, s, DF(x), E, mu)
            iterations += 1
            steps_this_stage += 1
            moved = None if step is None else _line_search(F, x, c, step, E, mu, delta)
            if moved is None and exact_DF is not None and not fallback:
                fallback, DF = True, exact_DF  # the approximate Jacobian led nowhere
                continue
            if moved is None:
                stalled = True
                break
            x, c, Fx = moved
            report(progress, 0.9 * min(1.0, math.log(mu_start / mu) / math.log(mu_start / mu_end)))
        gap = block_gap(x, Fx, blocks)
        if gap < best_gap:
            best_gap, best_x = gap, x.copy()
        mu *= 0.1 if steps_this_stage <= 3 else 0.5
    x, gap = best_x, best_gap
    polished = False
    limit = _limit_support(history, blocks)
    if limit is not None:
        attempt = _polish(F, DF, x, limit, blocks, E)
        if attempt is None and exact_DF is not None and not fallback:
            fallback, DF = True, exact_DF
            attempt = _polish(F, DF, x, limit, blocks, E)
        if attempt is not None:
            candidate, F_candidate = attempt.x, attempt.Fx
            cand_gap = block_gap(candidate, F_candidate, blocks)
            if cand_gap <= tol:
                report(progress, 1.0)
                return Solution(
                    x=candidate,
                    gap=float(max(cand_gap, 0.0)),
                    iterations=iterations,
                    polished=True,
                    converged=True,
                    exact_fallback=fallback,
                )
    report(progress, 0.95)
    if exact_DF is not None and not fallback and gap > tol:
        fallback, DF = True, exact_DF  # the supports below are polished with exact steps
    for support in _candidate_supports(x, F(x), blocks):
        attempt = _polish(F, DF, x, support, blocks, E)
        if attempt is None:
            continue
        candidate, F_candidate = attempt.x, attempt.Fx
        cand_gap = block_gap(candidate, F_candidate, blocks)
        if cand_gap < gap:
            x, gap, polished = candidate, cand_gap, True
        if gap <= _EXACT:
            break
    report(progress, 1.0)
    return Solution(
        x=x,
        gap=float(max(gap, 0.0)),
        iterations=iterations,
        polished=polished,
        converged=bool(gap <= tol),
        exact_fallback=fallback,
    )


def _limit_support(history, blocks) -> np.ndarray | None:
    """The support of the central path's limit, read from its last two centred points.

    On the path ``x_i(mu)`` tends to a positive limit on the support of the analytic centre
    and to 0 off it, like a positive power of ``mu`` (``mu`` itself when complementarity is
    strict, ``mu^(1/(k+1))`` in the flat degenerate cases of the k-sample game). An entry
    whose log-log slope ``d log x_i / d log mu`` exceeds :data:`_VANISHING` is going to 0.
    """
    if len(history) < 2:
        return None
    (mu1, x1), (mu2, x2) = history[-2], history[-1]
    if not mu2 < mu1:
        return None
    slope = np.log(x2 / x1) / np.log(mu2 / mu1)
    mask = slope <= _VANISHING
    if not all(mask[b].any() for b in blocks):
        return None
    return mask


def _newton_step(x, s, D, E, mu):
    """Newton direction for ``x * (F(x) - E c) = mu``, ``E^T x = 1``."""
    n, nb = E.shape
    K = np.zeros((n + nb, n + nb))
    K[:n, :n] = x[:, None] * D
    K[:n, :n][np.diag_indices(n)] += s
    K[:n, n:] = -x[:, None] * E
    K[n:, :n] = E.T
    rhs = np.concatenate([mu - x * s, 1.0 - E.T @ x])
    try:
        step = np.linalg.solve(K, rhs)
    except np.linalg.LinAlgError:
        return None
    if not np.isfinite(step).all():
        return None
    return step[:n], step[n:]


def _line_search(F, x, c, step, E, mu, delta):
    """Largest step (halving from the boundary) keeping x, s > 0 that brings the products closer to mu."""
    dx, dc = step
    alpha = 1.0
    neg = dx < 0
    if neg.any():
        alpha = min(1.0, _TO_BOUNDARY * float(np.min(-x[neg] / dx[neg])))
    for _ in range(50):
        x_new = x + alpha * dx
        c_new = c + alpha * dc
        F_new = F(x_new)
        s_new = F_new - E @ c_new
        if (x_new > 0).all() and (s_new > 0).all():
            if float(np.abs(x_new * s_new / mu - 1.0).max()) < delta:
                return x_new, c_new, F_new
        alpha *= 0.5
    return None


def _blocks(sizes: list[int]) -> tuple[list[slice], np.ndarray]:
    n = int(sum(sizes))
    E = np.zeros((n, len(sizes)))
    blocks, start = [], 0
    for b, m in enumerate(sizes):
        blocks.append(slice(start, start + m))
        E[start : start + m, b] = 1.0
        start += m
    return blocks, E


def block_slices(sizes: list[int]) -> list[slice]:
    """Each block's entries of x, for simplices of ``sizes``."""
    return _blocks(sizes)[0]


def _candidate_supports(x: np.ndarray, Fx: np.ndarray, blocks: list[slice], per_block: int = 4):
    """Guesses of the solution's support, best first.

    First the strict-complementarity split (probability above slack ``F_i - min F``). Then,
    for degenerate problems where probability and slack vanish together, the sets of the
    largest entries of each block cut where the sorted probabilities drop the most (the
    ``per_block`` largest drops on a log scale; all combinations across blocks).
    """
    split = np.zeros(len(x), dtype=bool)
    for b in blocks:
        split[b] = x[b] > (Fx[b] - Fx[b].min())
    masks = [split]
    choices = []
    for b in blocks:
        xb = x[b]
        order = np.argsort(-xb, kind="stable")
        logs = np.log(np.maximum(xb[order], 1e-300))
        drops = logs[:-1] - logs[1:]  # drop after the j+1 largest
        cuts = np.argsort(-drops, kind="stable")[:per_block] + 1
        options = []
        for cut in cuts:
            mask = np.zeros(len(xb), dtype=bool)
            mask[order[:cut]] = True
            options.append(mask)
        choices.append(options or [np.ones(len(xb), dtype=bool)])
    for combo in itertools.product(*choices):
        masks.append(np.concatenate(combo))
    seen = set()
    for mask in masks:
        key = mask.tobytes()
        if key in seen or not all(mask[b].any() for b in blocks):
            continue
        seen.add(key)
        yield mask


@dataclass(frozen=True)
class Polished:
    """A point of :func:`_polish`: ``x``, ``F(x)``, whether the residual came down to rounding level, and
    the Newton steps taken."""

    x: np.ndarray
    Fx: np.ndarray
    reached: bool
    steps: int


def polish_from(F, DF, sizes: list[int], x0: np.ndarray, F0: np.ndarray | None = None):
    """Newton's method on the support of ``x0`` (:func:`_polish`), for a start known to lie near a
    solution (the solution of a slightly different problem): the :class:`Polished` point when the residual
    reached rounding level with x positive on that support, else None. Whether x solves the problem
    is then read from its gap (:func:`block_gap`). ``F0``: ``F(x0)`` when known (x0 is then taken as it is,
    on the simplex up to rounding; a start already solved comes back unchanged, with it)."""
    blocks, E = _blocks(sizes)
    polished = _polish(F, DF, x0, x0 > 0, blocks, E, F_start=F0)
    if polished is None or not polished.reached:
        return None
    return polished


def bordered(DFx: np.ndarray, support: np.ndarray, sizes: list[int]) -> np.ndarray:
    """The Jacobian of the equations ``F_S(x) = E c``, ``E^T x = 1`` on ``support`` (S) in (x_S, c): the
    matrix of every polish step; where it is nonsingular at a strictly complementary solution of a
    monotone problem, that solution is the only one (the solution set is convex, and a second
    solution would give a null direction along the segment between them)."""
    _, E = _blocks(sizes)
    idx = np.flatnonzero(support)
    Es = E[idx]
    nb = E.shape[1]
    return np.block([[DFx[np.ix_(idx, idx)], -Es], [Es.T, np.zeros((nb, nb))]])


def _polish(
    F, DF, x: np.ndarray, support: np.ndarray, blocks: list[slice], E: np.ndarray, iterations: int = 30, F_start=None
):
    """Newton's method on ``F_S(x) = c`` on the support S (per block), ``x`` zero elsewhere (each block
    renormalised, unless ``F_start``, ``F(x)``, is given).

    Returns the :class:`Polished` point, or None when it leaves the simplex; the caller judges the
    result by its gap."""
    idx = np.flatnonzero(support)
    Es = E[idx]
    sizes = [b.stop - b.start for b in blocks]
    if F_start is None:
        z = np.where(support, x, 0.0)
        for b in blocks:
            z[b] /= z[b].sum()
        Fz = F(z)
    else:
        z, Fz = np.array(x, dtype=float), np.asarray(F_start, dtype=float)
    c = np.array([float(z[b] @ Fz[b]) for b in blocks])
    previous = np.inf
    reached = False
    steps = 0
    for _ in range(iterations):
        r = np.concatenate([Fz[idx] - Es @ c, Es.T @ z[idx] - 1.0])
        size = float(np.abs(r).max())
        if size < 1e-15 or (size < _ROUNDING and size > 0.5 * previous):  # solved, or stuck at rounding level
            reached = True
            break
        previous = size
        K = bordered(DF(z), support, sizes)
        try:  # minimum-norm step: equilibria need not be isolated (e.g. two identical alternatives)
            step = np.linalg.lstsq(K, -r, rcond=1e-12)[0]
        except np.linalg.LinAlgError:
            return None
        steps += 1
        z = z.copy()
        z[idx] += step[: len(idx)]
        c = c + step[len(idx) :]
        if not np.isfinite(z).all() or np.abs(z).max() > _FAR:  # diverging: far outside the simplex
            return None
        Fz = F(z)
    if (z[idx] <= 0).any():
        return None
    return Polished(z, Fz, reached, steps)
