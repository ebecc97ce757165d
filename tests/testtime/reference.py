"""Slow, obviously-correct references for the test-time scaling code: enumerate every tuple of
k draws (m^k of them) and apply the paper's definitions (Cai & Zheng, arXiv 2601.08777, section
2.1) to each: rankings compare sets by their best members, user types by summed Plackett-Luce
weights."""

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


def pl_weights(population) -> np.ndarray:
    """``w_i(y) = exp(r_i(y) / T)`` (types x alternatives), straight from the definition."""
    return np.exp(population.rewards.to_numpy(float) / population.temperature)


def pl_beats_by_tuples(population, pi, k, challenger_counts):
    """Cai & Zheng, section 2.1: for each challenger multiset S' (a row of multiplicities),
    E_i E_{draws} [W_i(S') / (W_i(S') + W_i(draws))], summing over all m^k tuples of draws.
    Plain Python floats; no clipping (use moderate rewards)."""
    w = pl_weights(population)
    shares = population.shares
    m = w.shape[1]
    out = []
    for counts in challenger_counts:
        total = 0.0
        for draws in itertools.product(range(m), repeat=k):
            p = math.prod(pi[d] for d in draws)
            if p == 0:
                continue
            for wi, share in zip(w, shares):
                a = sum(c * wi[z] for z, c in enumerate(counts))
                total += p * share * a / (a + sum(wi[d] for d in draws))
        out.append(total)
    return np.array(out)


def pl_kwin_rate_by_tuples(population, pi, k):
    """The k-sample win rate against every single response: 1 - P[y beats the k draws]."""
    m = len(population.alternatives)
    return 1.0 - pl_beats_by_tuples(population, pi, k, np.eye(m, dtype=int))


def ranking_sets_beat_by_tuples(levels, weights, pi, k, opponent_sets):
    """For each opponent set (a list of responses), P[some member strictly above all k draws],
    over all m^k tuples of draws and all voters."""
    levels = np.asarray(levels)
    weights = np.asarray(weights, float) / np.sum(weights)
    m = levels.shape[1]
    out = []
    for S in opponent_sets:
        total = 0.0
        for draws in itertools.product(range(m), repeat=k):
            p = math.prod(pi[d] for d in draws)
            if p == 0:
                continue
            for lv, w in zip(levels, weights):
                if min(lv[z] for z in S) < min(lv[d] for d in draws):
                    total += p * w
        out.append(total)
    return np.array(out)


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
        below = (levels > levels[:, y : y + 1]).astype(float)
        cons.append(w @ cp.power(below @ pi, k) <= t)
    cp.Problem(cp.Minimize(t), cons).solve(solver=cp.CLARABEL)
    return float(t.value), np.asarray(pi.value)
