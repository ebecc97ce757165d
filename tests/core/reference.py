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
        res = linprog(c, A_ub=M, b_ub=np.full(m, 1e-12), A_eq=np.ones((1, m)), b_eq=[1], bounds=[(0, None)] * m,
                      method="highs")
        assert res.status == 0
        out.append(res.x[j])
    return out[0], out[1]


def min_tv_flip_by_lp(P, base, a, b, margin=0.0):
    """min 1/2 |D - base|_1  s.t.  (P[b] - P[a]) . D >= margin, D in the simplex (one LP)."""
    m = len(base)
    # variables D (m), t (m): minimise 1/2 sum t, t >= D - base, t >= base - D
    c = np.concatenate([np.zeros(m), 0.5 * np.ones(m)])
    A_ub = np.vstack([
        np.hstack([np.eye(m), -np.eye(m)]),
        np.hstack([-np.eye(m), -np.eye(m)]),
        np.concatenate([-(P[b] - P[a]), np.zeros(m)])[None, :],
    ])
    b_ub = np.concatenate([base, -base, [-margin]])
    res = linprog(c, A_ub=A_ub, b_ub=b_ub, A_eq=np.concatenate([np.ones(m), np.zeros(m)])[None, :], b_eq=[1],
                  bounds=[(0, None)] * (2 * m), method="highs")
    return res.fun if res.status == 0 else np.inf
