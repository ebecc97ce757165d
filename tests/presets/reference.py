"""Slow, obviously-correct references for the numbers the test-time scenarios claim.

They follow DESIGN.md's conventions literally and share no code with ``aggregation.testtime``:
for rankings the k-sample win rate of a policy against y is the probability, over a random voter
and k independent draws, that the voter likes the best draw at least as much as y (an identical
response counts for the k draws), and the MPNE player scores when its response is strictly
preferred to all k draws of the others; for user types sets compare by the Plackett-Luce set
comparison of Cai & Zheng, section 2.1.
"""

from __future__ import annotations

import itertools

import numpy as np
from scipy.optimize import brentq


def kwin_rates_by_enumeration(profile, policy: dict, k: int) -> dict:
    """For every opponent y: sum over all k-tuples of draws and all voters, by brute force."""
    names = profile.alternatives
    levels = profile.levels.astype(int)  # smaller = better; equal = tie
    shares = profile.weights / profile.weights.sum()
    support = [a for a in names if policy.get(a, 0.0) > 0]
    out = {}
    for y in names:
        total = 0.0
        for draws in itertools.product(support, repeat=k):
            p = float(np.prod([policy[a] for a in draws]))
            best = levels[:, [names.index(a) for a in draws]].min(axis=1)
            total += p * float(shares @ (best <= levels[:, names.index(y)]))
        out[y] = total
    return out


def kwin_rates_plackett_luce(population, policy: dict, k: int) -> dict:
    """The same for user types, by the Plackett-Luce set comparison of the test-time paper
    (section 2.1): over all k-tuples of draws, type i's draws beat y with probability
    W_i(draws) / (W_i(draws) + w_i(y)), W the summed weights exp(r_i / T) (duplicates counted)."""
    names = population.alternatives
    w = np.exp(population.rewards.to_numpy(float) / population.temperature)
    shares = population.shares
    support = [a for a in names if policy.get(a, 0.0) > 0]
    out = {}
    for y in names:
        total = 0.0
        for draws in itertools.product(support, repeat=k):
            p = float(np.prod([policy[a] for a in draws]))
            W = w[:, [names.index(a) for a in draws]].sum(axis=1)
            total += p * float(shares @ (W / (W + w[:, names.index(y)])))
        out[y] = total
    return out


def two_response_mpne(share_first: float, k: int) -> float:
    """Probability q on the first of two responses at the symmetric equilibrium of the
    (k+1)-player game, found from the indifference condition by root finding:
    deviating to the first scores share_first (1 - q)^k, to the second (1 - share_first) q^k."""
    return brentq(lambda q: share_first * (1 - q) ** k - (1 - share_first) * q**k, 0.0, 1.0, xtol=1e-15)


def two_response_robust_rate(share_first: float, p: float, k: int) -> float:
    """min over the two opponents of the k-sample win rate of (p, 1 - p), written out."""
    return min(1 - (1 - share_first) * p**k, 1 - share_first * (1 - p) ** k)
