"""Maximal lotteries: optimal mixed strategies of the symmetric zero-sum margin game.

A lottery ``p`` is maximal when no alternative beats it in expectation: ``(p^T M)_b >= 0``
for every ``b``, with ``M = P - P^T``. The set of maximal lotteries is a polytope; it is a
single point for almost every population (always, for an odd number of voters with strict
rankings), but ties (an even number of voters, indifferences) can make it larger.

How it is computed:

0. a Condorcet winner x settles it at once: the lottery e_x is maximal, and unique (every other
   alternative loses to x head-to-head);
1. one linear program (HiGHS, the game shifted to value 1, no presolve) gives a maximal lottery ``p0``;
2. if ``p0`` is strictly complementary (every alternative outside its support is beaten by
   it strictly) then every maximal lottery lives on ``E = supp(p0)`` and solves
   ``M_EE q = 0``; the lottery is unique exactly when that system has a one-dimensional
   solution space (a skew-symmetric matrix has even rank, so ``|E|`` is then odd). One LU solve of
   the bordered system decides it when well conditioned (:func:`_unique_on`), an SVD rank test
   otherwise;
3. otherwise a second linear program finds the *essential set* (the alternatives that some
   maximal lottery uses) and the same rank test decides uniqueness;
4. when the set has more than one point, the returned member is the **maximum-entropy
   maximal lottery**: unique, permutation-neutral (relabelling alternatives relabels it), and
   it gives positive probability to every alternative of the essential set. A convex program
   (cvxpy) gives it to about 1e-7 to 1e-6; a primal active-set method then finds the exact maximiser
   (to rounding, about 1e-15), also when it sits where an alternative outside the essential set
   exactly ties the lottery (an inequality of the optimal face is active).

The result's :class:`~.result.LotteryCertificate` says which case applied: ``unique``,
``selection`` (words), ``essential_set`` and ``value`` (``min_b (p^T M)_b``, >= -1e-9); a note
says when the active-set polish did not settle and the convex solver's point (accurate to about
1e-6) is shown instead.
"""

from __future__ import annotations

import os
import sys
import threading
from dataclasses import replace

import numpy as np
import pandas as pd
from scipy.linalg import lapack, null_space
from scipy.optimize import linprog

try:
    import highspy
except ImportError:  # pragma: no cover - highspy comes with cvxpy
    highspy = None

from ..errors import AggregationError
from ..populations.base import Population
from ..populations.matrix import PreferenceMatrix, as_population
from ..populations.preference import matrix_and_names
from ..outcome import MARGIN_TOLERANCE, SUPPORT_THRESHOLD, lowest, support
from ..papers import Reference
from .ballots import names_text, number_text
from .result import LOTTERY, POLICY, LotteryCertificate, RuleResult
from .rule import ANY, VOTERS, Rule, Step
from .scoring import borda, favourites

#: How the maximal lottery is computed, in words (the start of :attr:`RuleResult.method`).
EXACT_LP = "linear programs (scipy HiGHS) and a rank test"
#: ... and when a Condorcet winner settles it without a linear program.
CONDORCET_WINNER = "the Condorcet winner (it beats every other alternative, so it is the unique maximal lottery)"
#: ... and when the three alternatives form a strict cycle (the unique maximal lottery is the kernel of M).
THREE_CYCLE = (
    "a strict three-cycle: the unique maximal lottery gives each alternative the margin by which the "
    "next one beats the one after it, normalised (the kernel of the margin matrix), no linear program"
)
#: The note of a maximal lottery whose exact maximum-entropy point was not found.
APPROXIMATE_NOTE = (
    "the exact maximum-entropy member was not found (the active-set polish did not settle); "
    "shown is the convex solver's approximation, accurate to about 1e-6"
)

_SLACK = 1e-7  # an alternative beaten by more than this is clearly beaten
_RANK = 1e-9  # relative singular-value threshold for the rank test


def maximal_lottery(population: Population) -> RuleResult:
    """The maximal lottery of a population (see the module docstring for the method and
    for which member is returned when the optimal set is not a single point), with its
    :class:`~.result.LotteryCertificate`; a note says when the exact maximum-entropy point was not
    found and the solver's approximation is shown instead."""
    P, names = matrix_and_names(population)
    M = P - P.T
    M[np.abs(M) <= MARGIN_TOLERANCE] = 0.0  # a margin this small is a tie, as for the Condorcet winner
    key = (tuple(names), M.tobytes())
    with _RECENT_LOCK:
        result = _RECENT.get(key)
    if result is None:  # the essential set and the bipartisan set read the same lottery
        result = _maximal_lottery(M, names)
        with _RECENT_LOCK:
            while len(_RECENT) >= _RECENT_SIZE:
                _RECENT.pop(next(iter(_RECENT)))
            _RECENT[key] = result
    return replace(result, values=result.values.copy())


#: The last few maximal lotteries computed, by margins (a bootstrap asks for the same matrix once per rule that
#: reads it: the maximal lottery, the essential set).
_RECENT: dict = {}
_RECENT_SIZE = 8
_RECENT_LOCK = threading.Lock()  # pages compute in background threads (ui.background)


def _maximal_lottery(M: np.ndarray, names: list[str]) -> RuleResult:
    m = len(names)
    if m == 1:
        return _result(np.ones(1), names, M, unique=True, essential=[0])
    beats_all = ((M > MARGIN_TOLERANCE) | np.eye(m, dtype=bool)).all(axis=1)
    if beats_all.any():  # a Condorcet winner: e_x is maximal, and the only one (every other row loses to x)
        x = int(np.flatnonzero(beats_all)[0])
        return _result(np.eye(m)[x], names, M, unique=True, essential=[x], method=CONDORCET_WINNER)

    if m == 3:
        q = np.array([M[1, 2], M[2, 0], M[0, 1]])
        if (q > 0).all() or (q < 0).all():  # a strict three-cycle: the kernel of M, the unique maximal lottery
            return _result(q / q.sum(), names, M, unique=True, essential=[0, 1, 2], method=THREE_CYCLE)
    p0 = _any_maximal_lottery(M)
    slack = M.T @ p0
    used = p0 > SUPPORT_THRESHOLD
    if not ((~used) & (slack <= _SLACK)).any():
        essential = np.flatnonzero(used)
    else:
        essential = _essential_set(M, candidates=np.flatnonzero(used | (slack <= _SLACK)))

    q = _unique_on(M[np.ix_(essential, essential)])
    if q is not None:  # the common case: one small LU solve, no SVD (see _unique_on)
        p = np.zeros(m)
        p[essential] = q
        return _result(p, names, M, unique=True, essential=essential)
    kernel = _kernel(M[np.ix_(essential, essential)])
    if kernel.shape[1] == 1:
        q = kernel[:, 0] / kernel[:, 0].sum()
        if (q > 0).all():
            p = np.zeros(m)
            p[essential] = q
            return _result(p, names, M, unique=True, essential=essential)
    p, exact = _max_entropy(M, essential, kernel, start=p0)
    notes = () if exact else (APPROXIMATE_NOTE,)
    return _result(p, names, M, unique=False, essential=essential, notes=notes)


def _any_maximal_lottery(M: np.ndarray) -> np.ndarray:
    """A maximal lottery: ``max sum y  s.t.  (M + 1) y <= 1, y >= 0`` (every optimal y is one).

    The game shifted by 1 (payoffs ``M + 1`` in [0, 2]) has value 1, so the column player's optimal strategies
    y solve this LP with ``sum y = 1`` (LP duality of a matrix game), and ``(M + 1) y <= 1`` reads ``M y <= 0``,
    i.e. ``(y^T M)_b >= 0`` for every b (M is skew-symmetric): the maximal lotteries. m columns and m rows, no
    free variable (the value is known), against m + 1 of each in the textbook form ``max v s.t. (p^T M)_b >= v,
    sum p = 1`` that pref_voting and :func:`_any_maximal_lottery_scipy` solve; about 15% less time at m = 200.

    Solved by HiGHS through its own Python interface (``highspy``, installed with cvxpy), one solver
    object per thread reused across calls: the same solver as ``scipy.optimize.linprog(method="highs")``
    without scipy's per-call preparation (about half of the time of a small game), and without presolve
    (:data:`_HIGHS_OPTIONS`)."""
    m = M.shape[0]
    if highspy is None:  # pragma: no cover - highspy comes with cvxpy
        return _any_maximal_lottery_scipy(M)
    A = M + 1.0  # rows a, columns b; an entry is 0 only where b beats a unanimously
    mask = A != 0.0
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = m, m
    lp.col_cost_ = np.full(m, -1.0)
    lp.col_lower_ = np.zeros(m)
    lp.col_upper_ = np.full(m, highspy.kHighsInf)
    lp.row_lower_ = np.full(m, -highspy.kHighsInf)
    lp.row_upper_ = np.ones(m)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = np.concatenate([[0], np.cumsum(mask.sum(axis=1))]).astype(np.int32)
    lp.a_matrix_.index_ = np.nonzero(mask)[1].astype(np.int32)
    lp.a_matrix_.value_ = A[mask]
    h = _highs()
    h.clearModel()
    h.passModel(lp)
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return _any_maximal_lottery_scipy(M)  # let scipy's interface report what went wrong
    p = np.clip(np.asarray(h.getSolution().col_value, dtype=float), 0.0, None)
    return p / p.sum()


def _any_maximal_lottery_scipy(M: np.ndarray) -> np.ndarray:
    """:func:`_any_maximal_lottery` through ``scipy.optimize.linprog`` (the path before issue 12; kept for the
    benchmark and as the fallback)."""
    m = M.shape[0]
    c = np.zeros(m + 1)
    c[-1] = -1.0
    A_ub = np.hstack([-M.T, np.ones((m, 1))])
    A_eq = np.hstack([np.ones((1, m)), np.zeros((1, 1))])
    res = linprog(
        c, A_ub=A_ub, b_ub=np.zeros(m), A_eq=A_eq, b_eq=[1.0], bounds=[(0, None)] * m + [(-1, 1)], method="highs"
    )
    if res.status != 0:
        raise AggregationError(f"the maximal-lottery linear program failed: {res.message}")
    p = np.clip(res.x[:m], 0.0, None)
    return p / p.sum()


#: HiGHS options of the first linear program: the constraint matrix is dense (m^2 nonzeros), so presolve finds
#: nothing to remove and took about half of the solve (m = 50 ... 200, bench/bench_lottery.py).
_HIGHS_OPTIONS = {"presolve": "off"}

_THREAD = threading.local()


def _highs():
    """This thread's HiGHS solver, silent, with :data:`_HIGHS_OPTIONS` (created once per thread)."""
    h = getattr(_THREAD, "highs", None)
    if h is None:
        with _BANNER:  # HiGHS prints its banner to the process's stdout when created
            sys.stdout.flush()
            saved, devnull = os.dup(1), os.open(os.devnull, os.O_WRONLY)
            try:
                os.dup2(devnull, 1)
                h = highspy.Highs()
            finally:
                os.dup2(saved, 1)
                os.close(saved)
                os.close(devnull)
        h.silent()
        for option, value in _HIGHS_OPTIONS.items():
            h.setOptionValue(option, value)
        _THREAD.highs = h
    return h


_BANNER = threading.Lock()


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
    A_game = np.hstack([M[:, candidates], np.zeros((m, k))])  # (M x)_b <= 0
    A_link = np.hstack([-np.eye(k), np.eye(k)])  # y - x <= 0
    res = linprog(
        c, A_ub=np.vstack([A_game, A_link]), b_ub=np.zeros(m + k), bounds=[(0, None)] * k + [(0, 1)] * k, method="highs"
    )
    if res.status != 0:
        raise AggregationError(f"the essential-set linear program failed: {res.message}")
    return candidates[res.x[k:] > 0.5]


#: :func:`_unique_on` decides only when LAPACK's estimate of the bordered system's 1-norm condition number is at most
#: this over its size: 100 times below the bound that makes the SVD rank test agree (see there), room for the
#: estimate's error (it is a lower bound; measured up to 15 times low on these matrices).
_BORDERED_CONDITION = 1e6


def _unique_on(K: np.ndarray) -> np.ndarray | None:
    """The only lottery q with ``K q = 0`` (K = M_EE, E the essential set), or None when this test cannot tell.

    q solves the bordered system ``[[K, -1], [1^T, 0]] (q, v) = (0, 1)``. Its matrix A is nonsingular exactly
    when the kernel of K is one-dimensional and its vectors do not sum to 0 (as a lottery's does not): a second
    kernel direction, or one of sum 0, would give a null vector (q, 0) of A; conversely ``q^T K q = 0`` (K is
    skew-symmetric) forces v = 0, so every solution is a kernel vector of sum 1. Agreement with :func:`_kernel`'s
    rank test: deleting A's last row and column leaves K, so interlacing gives ``sigma_{n-1}(K) / sigma_1(K)
    >= 1 / kappa_2(A) >= 1 / ((n + 1) kappa_1(A))``; ``kappa_1(A) <= 1e8 / (n + 1)`` would put that ratio above
    1e-8, over the rank test's 1e-9.
    The test keeps the answer when LAPACK's estimate of ``kappa_1`` (``gecon`` on the LU factors) is at most
    ``1e6 / (n + 1)``, and when every q_a > 0; otherwise the caller takes the SVD path.

    One LU factorisation (``getrf``) and one solve instead of an SVD: the SVD of a matrix of size 100 makes many
    multithreaded BLAS calls, which a machine whose cores are busy slowed by up to a thousand times (measured:
    0.8 s for |E| = 113 on two shared cores, 1 ms single-threaded); the LU is 0.1 ms there (bench/bench_lottery.py).
    """
    n = K.shape[0]
    A = np.zeros((n + 1, n + 1))
    A[:n, :n] = K
    A[:n, n] = -1.0
    A[n, :n] = 1.0
    lu, pivots, info = lapack.dgetrf(A)
    if info != 0:  # an exactly zero pivot: singular
        return None
    rcond, info = lapack.dgecon(lu, np.abs(A).sum(axis=0).max(), norm="1")
    if info != 0 or not rcond * _BORDERED_CONDITION >= n + 1:
        return None
    rhs = np.zeros(n + 1)
    rhs[n] = 1.0
    x, info = lapack.dgetrs(lu, pivots, rhs)
    q = x[:n]
    if info != 0 or not (q > 0).all():
        return None
    return q / q.sum()


def _kernel(A: np.ndarray) -> np.ndarray:
    """Orthonormal basis of the null space of A (singular values below 1e-9 * the largest count as 0)."""
    return null_space(A, rcond=_RANK)


def _max_entropy(
    M: np.ndarray, essential: np.ndarray, kernel: np.ndarray, start: np.ndarray
) -> tuple[np.ndarray, bool]:
    """The maximal lottery of largest entropy (support = the essential set), and whether it is exact.

    The optimal face is ``F = {q >= 0 : sum q = 1, M_EE^T q = 0, M_Eo^T q >= 0}`` (E the essential
    set, o the other alternatives; ``M_EE^T q = 0`` because every essential alternative ties with
    every maximal lottery). A convex program (cvxpy, Clarabel) gives an approximate maximiser,
    accurate to about 1e-7 to 1e-6 only; :func:`_active_set` then finds the exact one (see there). When
    that fails to settle, the convex program's point is returned with ``False``.
    """
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

    exact = _active_set(kernel, M[np.ix_(essential, outside)].T, approx)
    p = np.zeros(m)
    p[essential] = approx if exact is None else exact
    return p, exact is not None


#: Working-set guesses tried for a feasible start: constraints with slack at most this at the
#: solver's approximate answer are made tight first (the loop then drops those that should not be).
_START_SLACKS = (1e-6, 1e-4, 1e-2)


def _active_set(kernel: np.ndarray, G: np.ndarray, approx: np.ndarray) -> np.ndarray | None:
    """Exact maximiser of the entropy over ``{q in span(kernel) : sum q = 1, G q >= 0}``.

    A primal active-set method (Nocedal & Wright, *Numerical Optimization*, 2nd ed., Alg. 16.3,
    with the entropy in place of a quadratic). Coordinates: ``q = q1 + N z`` with ``q1`` a point of
    the affine hull (sum 1, in the kernel) and ``N`` an orthonormal basis of its directions, so the
    equalities hold to rounding throughout. Constraint ``j`` reads ``c_j + B_j z >= 0``.

    From a feasible start with working set W (constraints held tight):

    1. maximise the entropy on ``{B_W z = -c_W}`` by damped Newton (the entropy is strictly
       concave and its maximiser on an affine set meeting q > 0 is positive and unique);
    2. walk from the current point towards that maximiser; the first constraint outside W the
       walk would cross stops it and joins W (the entropy grows along the walk, concavity);
    3. at the maximiser, the multipliers solve ``grad H + B_W^T mu = 0``; if every ``mu_j >= 0``
       the KKT conditions hold and the point is the optimum; otherwise the constraint with the most
       negative multiplier leaves W (moving off it raises the entropy).

    Blocking constraints are independent of W (a constraint in W's span cannot block: the walk
    keeps it constant), so the multipliers are unique. Returns None when no feasible start is
    found near ``approx`` or the loop does not settle (the caller keeps the approximation).
    """
    if kernel.shape[1] == 0:
        return None
    ones = kernel.sum(axis=0)  # K^T 1
    if not np.any(np.abs(ones) > 1e-12):
        return None
    q1 = kernel @ (ones / (ones @ ones))  # in span(K), sums to 1
    N = kernel @ null_space(ones[None, :], rcond=1e-12)  # directions keeping the sum
    c, B = G @ q1, G @ N
    if N.shape[1] == 0:
        return q1 if (q1 > 0).all() and (c >= -1e-12).all() else None
    z0 = N.T @ (approx - q1)
    start = None
    for threshold in _START_SLACKS:
        W = _independent(B, np.flatnonzero(c + B @ z0 <= threshold))
        z = z0 - np.linalg.pinv(B[W]) @ (c[W] + B[W] @ z0) if W.size else z0
        q = q1 + N @ z
        others = np.setdiff1d(np.arange(len(c)), W)
        # a constraint outside W that repeats one in W (two outside alternatives with the same column) is tight
        # there too, up to rounding
        if q.min() > 0 and (c[others] + B[others] @ z >= -1e-12 * (1.0 + np.abs(c[others]))).all():
            start = (z, list(W))
            break
    if start is None:
        return None
    z, W = start
    for _ in range(10 * (len(c) + 5)):
        Z = null_space(B[W], rcond=1e-10) if W else np.eye(N.shape[1])
        target = _newton_entropy(q1, N, z, Z)
        if target is None:
            return None
        d = target - z
        step, blocking = 1.0, None
        if np.abs(d).max() > 0:
            Bd = B @ d
            norms = np.linalg.norm(B, axis=1) * np.linalg.norm(d)
            for j in np.setdiff1d(np.arange(len(c)), W):
                if Bd[j] < -1e-12 * norms[j]:
                    t = max(c[j] + B[j] @ z, 0.0) / -Bd[j]
                    if t < step:
                        step, blocking = t, j
        if blocking is not None:
            z = z + step * d
            W = W + [int(blocking)]
            continue
        z = target
        if not W:
            return q1 + N @ z
        q = q1 + N @ z
        grad = N.T @ (-np.log(q) - 1.0)
        mu = np.linalg.lstsq(B[W].T, -grad, rcond=None)[0]
        scale = max(1.0, float(np.abs(grad).max()))
        if mu.min() >= -1e-11 * scale:
            return q
        W.pop(int(np.argmin(mu)))
    return None  # pragma: no cover - the loop settles in a few steps on every population tested


def _independent(B: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """A maximal linearly independent subset of ``B[rows]`` (greedy, in the given order)."""
    keep: list[int] = []
    for j in rows:
        candidate = B[keep + [int(j)]]
        if np.linalg.matrix_rank(candidate, tol=1e-10 * max(1.0, np.abs(candidate).max())) == len(keep) + 1:
            keep.append(int(j))
    return np.array(keep, dtype=int)


def _newton_entropy(
    q1: np.ndarray, N: np.ndarray, z: np.ndarray, Z: np.ndarray, iterations: int = 100
) -> np.ndarray | None:
    """Maximise ``-sum q log q`` with ``q = q1 + N (z + Z w)`` over w, from a point with q > 0
    (damped Newton with backtracking; stops when the Newton decrement vanishes)."""
    if Z.shape[1] == 0:
        return z
    V = N @ Z

    def entropy(q):
        return -(q * np.log(q)).sum()

    q = q1 + N @ z
    if q.min() <= 0:
        return None
    for _ in range(iterations):
        grad = V.T @ (-np.log(q) - 1.0)
        hess = V.T @ (V / q[:, None])
        step = np.linalg.solve(hess, grad)
        decrement = float(grad @ step)  # squared Newton decrement
        if decrement < 1e-28:
            break
        direction = V @ step
        t = 1.0
        if decrement > 1e-6:  # far from the optimum: backtrack (Armijo)
            value = entropy(q)
            while t > 1e-12 and not (
                (q + t * direction).min() > 0 and entropy(q + t * direction) >= value + 0.25 * t * decrement
            ):
                t *= 0.5
        else:  # close: full steps (quadratic convergence), kept positive
            while (q + t * direction).min() <= 0:
                t *= 0.5
        z = z + t * (Z @ step)
        q = q1 + N @ z
    return z if q.min() > 0 else None


def _result(
    p: np.ndarray,
    names: list[str],
    M: np.ndarray,
    *,
    unique: bool,
    essential,
    notes: tuple[str, ...] = (),
    method: str | None = None,
) -> RuleResult:
    p = np.where(p > 0, p, 0.0)
    p = p / p.sum()
    value = float((M.T @ p).min())
    if value < -1e-9:
        raise AggregationError(
            f"the maximal lottery could not be certified (min_b (p^T M)_b = {value:.3g}); please report this population"
        )
    certificate = LotteryCertificate(
        unique=unique,
        selection=(
            "the unique maximal lottery"
            if unique
            else "maximum-entropy member of the optimal set (the set has more than one point)"
        ),
        essential_set=tuple(names[i] for i in essential),
        value=value,
    )
    method = method or (
        EXACT_LP
        if unique
        else EXACT_LP
        + " + maximum entropy over the optimal set (cvxpy, Clarabel)"
        + ("" if notes else ", then an exact active-set polish")
    )
    return RuleResult(pd.Series(p, index=names, name="maximal lottery"), certificate, method, notes)


def maximal_lottery_trace(population: Population, params=None) -> list[Step]:
    """The maximal lottery as a teacher shows it: the margin game, the linear program's value and the
    certificate (what every alternative scores against the lottery; the opponent's best responses are
    those scoring the minimum, the game's value 0). Jackpot paper, section 5.1 and eq. (1)."""
    P, names = matrix_and_names(population)
    M = P - P.T
    M[np.abs(M) <= MARGIN_TOLERANCE] = 0.0
    result = maximal_lottery(population)
    p = result.values
    cert = result.certificate
    against = pd.Series(M.T @ p.to_numpy(), index=names)  # (p^T M)_b: the lottery's margin over b
    against[np.abs(against) <= MARGIN_TOLERANCE] = 0.0
    best = lowest(against)
    used = support(p)
    game = pd.DataFrame(M, index=names, columns=names)
    certificate = pd.DataFrame({"probability p(b)": p, "p's margin over b": against})
    beaten = [b for b in names if b not in best]
    if cert.unique:
        which = "It is the only maximal lottery."
    else:
        which = (
            f"Several lotteries are optimal; shown is the {cert.selection}, which uses every alternative "
            f"some maximal lottery uses ({names_text(cert.essential_set)})."
        )
    return [
        Step(
            "The margin game",
            "Two players each name an alternative; the row player wins the margin M[a, b] = "
            "P[a, b] - P[b, a] (the share of voters preferring a to b minus the share preferring b to a) and the "
            "column player loses it. The game is symmetric and zero-sum, so its value is 0: a maximal lottery is an "
            "optimal mixed strategy p, one with sum_a p(a) M[a, b] >= 0 for every b (Jackpot paper, section 5.1, "
            "eq. (1)).",
            game,
        ),
        Step(
            "The linear program",
            f"Maximise v subject to sum_a p(a) M[a, b] >= v for every b, p a probability "
            f"distribution. Its optimal value is {number_text(cert.value)}"
            + ("" if cert.value == 0 else " (0 up to rounding)")
            + ", the value of the game, as for every symmetric "
            f"zero-sum game. The solution puts probability on {names_text(used)}.",
            p.to_frame("probability"),
            tuple(used),
        ),
        Step(
            "The certificate",
            "Each row: the probability p(b) and p's expected margin over b, sum_a p(a) M[a, b]. "
            f"None is negative, so no alternative beats the lottery on average: it is maximal. The opponent's best "
            f"responses are those at the minimum, {number_text(against.min())}: {names_text(best)}"
            + (
                f"; every other alternative ({names_text(beaten)}) loses to the lottery."
                if beaten
                else "; every alternative ties with the lottery."
            )
            + f" {which}",
            certificate,
            tuple(best),
        ),
        Step(
            "The answer",
            "The maximal lottery: "
            + ", ".join(f"{a} with probability {number_text(p[a])}" for a in used)
            + ". Nash learning from human feedback converges to it (Jackpot paper, section 5.3).",
            p.to_frame("probability"),
            tuple(used),
        ),
    ]


def random_dictatorship_trace(population: Population, params=None) -> list[Step]:
    """Random dictatorship: the first-place shares are the lottery."""
    population = as_population(population)
    shares = random_dictatorship(population)
    used = support(shares)
    tie = (
        " A voter whose top place is a tie splits its weight equally among the tied alternatives."
        if getattr(population, "has_ties", False)
        else ""
    )
    return [
        Step(
            "First places",
            f"The share of the voters' weight that puts each alternative first.{tie}",
            shares.to_frame("share of first places"),
        ),
        Step(
            "The lottery",
            "Pick a voter at random (by weight) and return their favourite: each alternative's "
            "probability is its share of first places: "
            + ", ".join(f"{a} {number_text(shares[a])}" for a in used)
            + ". A pretrained model imitating a random person answers like this (Jackpot paper, appendix A.6).",
            shares.to_frame("probability"),
            tuple(used),
        ),
    ]


def random_dictatorship(population: Population) -> pd.Series:
    """The lottery of first places: pick a random voter, return its favourite. A pretrained
    model imitating a random person's answer behaves like this (Jackpot paper, appendix A.6)."""
    return favourites(population).rename("random dictatorship")


def uniform_policy(population: Population) -> pd.Series:
    """Every alternative with the same probability: the baseline that ignores the voters."""
    names = as_population(population).alternatives
    return pd.Series(np.full(len(names), 1.0 / len(names)), index=names, name="uniform")


def c1_maximal_lottery(population: Population) -> RuleResult:
    """The C1 maximal lottery (Fishburn 1984): the maximal lottery of the majority relation alone,
    i.e. of the margins replaced by their signs (+1 a win, -1 a loss, 0 an exact tie); unique on a
    tournament (Laffond, Laslier & Le Breton 1993), and when it is not, the same selection as
    :func:`maximal_lottery` (maximum entropy over the optimal set, stated in the certificate). Its
    support is the bipartisan set."""
    P, names = matrix_and_names(population)
    M = P - P.T
    signs = np.sign(np.where(np.abs(M) > MARGIN_TOLERANCE, M, 0.0))
    result = maximal_lottery(PreferenceMatrix(pd.DataFrame((1.0 + signs) / 2.0, index=names, columns=names)))
    return RuleResult(
        result.values.rename("C1 maximal lottery"),
        result.certificate,
        "the maximal lottery of sign(M): " + result.method,
        result.notes,
    )


def proportional_borda(population: Population) -> pd.Series:
    """Proportional Borda (Heckelman 2003's probabilistic Borda rule): each alternative with
    probability its Borda score over the total (tied alternatives share the average of their
    positions, so the total is always ``W m(m-1)/2``)."""
    score = borda(population)
    total = float(score.sum())
    if total <= 0:  # a single alternative
        return pd.Series(np.full(len(score), 1.0 / len(score)), index=score.index, name="proportional Borda")
    return (score / total).rename("proportional Borda")


def _lottery_trace_steps(population, result: RuleResult, matrix: pd.DataFrame, what: str) -> list:
    p = result.values
    used = tuple(support(p))
    cert = result.certificate
    return [
        Step("The game", f"A symmetric zero-sum game on {what}: the row's payoff against the column.", matrix),
        Step(
            "Optimal strategy",
            f"No alternative beats this lottery on average (worst case {cert.value:.3g}); {cert.selection}.",
            p.to_frame("probability"),
            used,
        ),
    ]


def c1_trace(population: Population, params=None) -> list:
    P, names = matrix_and_names(population)
    M = P - P.T
    signs = np.sign(np.where(np.abs(M) > MARGIN_TOLERANCE, M, 0.0)).astype(int)
    return _lottery_trace_steps(
        population,
        c1_maximal_lottery(population),
        pd.DataFrame(signs, index=names, columns=names),
        "the majority relation (+1 a win, -1 a loss, 0 a tie)",
    )


def proportional_borda_trace(population: Population, params=None) -> list:
    score = borda(population)
    p = proportional_borda(population)
    table = pd.DataFrame({"Borda score": score, "probability": p})
    return [
        Step(
            "Borda scores",
            "Borda points m-1, ..., 0 by position (tied alternatives share the average).",
            score.to_frame("Borda score"),
        ),
        Step(
            "Proportional lottery",
            f"Each probability is the score over the total ({score.sum():g}).",
            table,
            tuple(support(p)),
        ),
    ]


#: The registry entries of this family (see :mod:`.rule`).
ENTRIES = [
    Rule(
        "maximal_lottery",
        "Maximal lottery (NLHF)",
        "the maximal lottery (NLHF)",
        "The lottery that no alternative beats in a head-to-head vote on average; it picks the Condorcet winner "
        "whenever there is one. Nash learning from human feedback converges to it.",
        LOTTERY,
        "probability",
        "lotteries",
        (
            Reference("kreweras"),
            Reference("fishburn"),
            Reference("jackpot", "section 5.1, eq. (1)"),
            Reference("jackpot", "section 5.3: NLHF converges to it"),
        ),
        (),
        ANY,
        lambda m, p: maximal_lottery(m),
        trace=maximal_lottery_trace,
    ),
    Rule(
        "c1_maximal_lottery",
        "C1 maximal lottery",
        "the C1 maximal lottery",
        "The lottery no alternative beats more often than it loses to, counting only who wins each head-to-head "
        "vote, not by how much.",
        LOTTERY,
        "probability",
        "lotteries",
        (Reference("fishburn"), Reference("bipartisan"), Reference("rolling_dice")),
        (),
        ANY,
        lambda m, p: c1_maximal_lottery(m),
        trace=c1_trace,
    ),
    Rule(
        "proportional_borda",
        "Proportional Borda",
        "proportional Borda",
        "Pick each alternative with probability proportional to its Borda score.",
        LOTTERY,
        "probability",
        "lotteries",
        (Reference("probabilistic_borda"), Reference("borda")),
        (),
        ANY,
        lambda m, p: proportional_borda(m),
        trace=proportional_borda_trace,
    ),
    Rule(
        "random_dictatorship",
        "Random dictatorship",
        "random dictatorship (the pretrained-model analogue)",
        "Pick a random voter and return their favourite; a pretrained model imitating a random person behaves "
        "like this.",
        LOTTERY,
        "probability",
        "lotteries",
        (Reference("gibbard"), Reference("jackpot", "appendix A.6")),
        (),
        VOTERS,
        lambda m, p: random_dictatorship(m),
        trace=random_dictatorship_trace,
    ),
    Rule(
        "uniform",
        "Uniform policy",
        "the uniform policy",
        "Every answer with the same probability, whatever the voters say: the baseline that ignores them.",
        POLICY,
        "probability",
        "baselines",
        (Reference("test_time", "section 1.1.1: sampled k times it is U-aligned, but slowly"),),
        (),
        ANY,
        lambda m, p: uniform_policy(m),
    ),
]
