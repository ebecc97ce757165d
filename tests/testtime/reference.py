"""Slow, obviously-correct references for the test-time scaling code: enumerate every tuple of
k draws (m^k of them) and every ranking of a Plackett-Luce population (m! of them)."""
from __future__ import annotations

import itertools
import math

import numpy as np


def kwin_rate_by_tuples(levels, weights, pi, k):
    """For each opponent y: P(some draw is at least as good as y for a random voter), by enumeration."""
    levels = np.asarray(levels)
    weights = np.asarray(weights, float) / np.sum(weights)
    m = levels.shape[1]
    rate = np.zeros(m)
    for draws in itertools.product(range(m), repeat=k):
        p = math.prod(pi[d] for d in draws)
        if p == 0:
            continue
        for y in range(m):
            for lv, w in zip(levels, weights):
                best = min(lv[d] for d in draws)
                if best <= lv[y]:
                    rate[y] += p * w
    return rate


def deviation_utility_by_tuples(levels, weights, pi, k):
    """U(y; pi): P(y strictly preferred to all k draws), by enumeration."""
    return 1.0 - kwin_rate_by_tuples(levels, weights, pi, k)


def plackett_luce_rankings(rewards, shares, temperature):
    """Every strict ranking (best first) with its probability under the mixture of PL types."""
    rewards = np.asarray(rewards, float)
    m = rewards.shape[1]
    out = []
    for perm in itertools.permutations(range(m)):
        total = 0.0
        for r, share in zip(rewards, shares):
            w = [math.exp(r[a] / temperature) for a in perm]
            p = 1.0
            for j in range(m):
                p *= w[j] / sum(w[j:])
            total += share * p
        out.append((perm, total))
    return out


def levels_of(perm):
    lv = [0] * len(perm)
    for position, a in enumerate(perm):
        lv[a] = position
    return lv


def robust_value_by_cvxpy(levels, weights, k):
    """min_pi max_y sum_i w_i (mass strictly below y for voter i)^k, as a cvxpy program."""
    import cvxpy as cp

    levels = np.asarray(levels)
    w = np.asarray(weights, float) / np.sum(weights)
    m = levels.shape[1]
    pi = cp.Variable(m, nonneg=True)
    t = cp.Variable()
    cons = [cp.sum(pi) == 1]
    for y in range(m):
        below = (levels > levels[:, y:y + 1]).astype(float)
        cons.append(w @ cp.power(below @ pi, k) <= t)
    cp.Problem(cp.Minimize(t), cons).solve(solver=cp.CLARABEL)
    return float(t.value), np.asarray(pi.value)
