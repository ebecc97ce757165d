"""Slow, obviously-correct reference implementations used to check the core."""

from __future__ import annotations

import itertools

import numpy as np
from scipy.optimize import linprog


def preference_matrix_by_voters(rankings, weights, alternatives):
    """P[a][b] by looping over voters: strict preference + half of indifference."""
    m = len(alternatives)
    pos = []
    for groups in rankings:
        level = {}
        for lvl, g in enumerate(groups):
            for name in g:
                level[name] = lvl
        last = len(groups)
        pos.append({a: level.get(a, last) for a in alternatives})
    P = np.zeros((m, m))
    W = float(sum(weights))
    for i, a in enumerate(alternatives):
        for j, b in enumerate(alternatives):
            s = 0.0
            for p, w in zip(pos, weights):
                s += w * (1.0 if p[a] < p[b] else 0.5 if p[a] == p[b] else 0.0)
            P[i, j] = s / W
    return P


def borda_by_voters(rankings, weights, alternatives):
    """Borda points m-1..0 with tied groups sharing the average of their positions."""
    m = len(alternatives)
    score = dict.fromkeys(alternatives, 0.0)
    for groups, w in zip(rankings, weights):
        listed = [a for g in groups for a in g]
        groups = list(groups) + ([[a for a in alternatives if a not in listed]] if len(listed) < m else [])
        position = 0
        for g in groups:
            points = [m - 1 - (position + k) for k in range(len(g))]
            for a in g:
                score[a] += w * sum(points) / len(points)
            position += len(g)
    return np.array([score[a] for a in alternatives])


def smith_set_by_subsets(M, names, tol=1e-9):
    m = len(names)
    for size in range(1, m + 1):
        for subset in itertools.combinations(range(m), size):
            inside = set(subset)
            if all(M[a, b] > tol for a in inside for b in range(m) if b not in inside):
                return sorted(names[i] for i in subset)
    raise AssertionError


def ml_coordinate_range(M, j):
    """(min, max) of p_j over all maximal lotteries, by two linear programs."""
    m = M.shape[0]
    out = []
    for sign in (1, -1):
        c = np.zeros(m)
        c[j] = sign
        res = linprog(
            c, A_ub=M, b_ub=np.full(m, 1e-12), A_eq=np.ones((1, m)), b_eq=[1], bounds=[(0, None)] * m, method="highs"
        )
        assert res.status == 0
        out.append(res.x[j])
    return out[0], out[1]


def min_tv_flip_by_lp(P, base, a, b, margin=0.0):
    """min 1/2 |D - base|_1  s.t.  (P[b] - P[a]) . D >= margin, D in the simplex (one LP)."""
    m = len(base)
    # variables D (m), t (m): minimise 1/2 sum t, t >= D - base, t >= base - D
    c = np.concatenate([np.zeros(m), 0.5 * np.ones(m)])
    A_ub = np.vstack(
        [
            np.hstack([np.eye(m), -np.eye(m)]),
            np.hstack([-np.eye(m), -np.eye(m)]),
            np.concatenate([-(P[b] - P[a]), np.zeros(m)])[None, :],
        ]
    )
    b_ub = np.concatenate([base, -base, [-margin]])
    res = linprog(
        c,
        A_ub=A_ub,
        b_ub=b_ub,
        A_eq=np.concatenate([np.ones(m), np.zeros(m)])[None, :],
        b_eq=[1],
        bounds=[(0, None)] * (2 * m),
        method="highs",
    )
    return res.fun if res.status == 0 else np.inf


def max_entropy_maximal_lottery(M):
    """The maximum-entropy maximal lottery, by enumerating which outside alternatives tie with it.

    E = the alternatives some maximal lottery uses (two LPs each, :func:`ml_coordinate_range`).
    The optimum q* is the entropy maximiser of the face it lies on, {q on E : sum q = 1,
    (q^T M)_b = 0 for b in E and for the outside b that tie with q*}. So for every subset S of the
    outside alternatives, maximise the entropy on {sum q = 1, (q^T M)_b = 0 for b in E + S} through
    the dual (q = softmax(-C^T lam), C the rows M[E, b]^T; minimise log sum exp(-C^T lam) by
    Newton's method), keep the solutions that are maximal lotteries, and return the one of largest
    entropy. Independent of the core's active-set method; for m <= 5 (16 subsets at most)."""
    m = M.shape[0]
    E = [j for j in range(m) if ml_coordinate_range(M, j)[1] > 1e-7]
    outside = [j for j in range(m) if j not in E]
    best, best_entropy = None, -np.inf
    for size in range(len(outside) + 1):
        for S in itertools.combinations(outside, size):
            q = _dual_max_entropy(M[np.ix_(E, E + list(S))].T)
            if q is None:
                continue
            p = np.zeros(m)
            p[E] = q
            if (p @ M).min() < -1e-12:
                continue
            h = -(q * np.log(q)).sum()
            if h > best_entropy:
                best, best_entropy = p, h
    assert best is not None
    return best


def _dual_max_entropy(C):
    """argmax entropy over {q > 0 : sum q = 1, C q = 0} via the dual; None when the set has no
    positive point (the dual is then unbounded and Newton's method does not settle)."""
    lam = np.zeros(C.shape[0])

    def dual(lam):
        s = -(C.T @ lam)
        top = s.max()
        w = np.exp(s - top)
        return top + np.log(w.sum()), w / w.sum()

    value, q = dual(lam)
    for _ in range(200):
        grad = -(C @ q)
        if np.abs(grad).max() < 1e-15:
            break
        hess = C @ (np.diag(q) - np.outer(q, q)) @ C.T
        step = -np.linalg.lstsq(hess, grad, rcond=1e-13)[0]
        t = 1.0
        if -(grad @ step) > 1e-8:  # far from the optimum: backtrack (Armijo); close: full steps
            while t > 1e-14 and dual(lam + t * step)[0] > value + 1e-4 * t * (grad @ step):
                t *= 0.5
        lam = lam + t * step
        value, q = dual(lam)
    if np.abs(C @ q).max() > 1e-13 or q.min() < 1e-13:
        return None
    return q
