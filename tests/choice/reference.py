"""Brute-force references for ranked choices: enumerate every permutation, weight it, marginalise.

Nothing here uses a closed form from ``aggregation.choice``: the Mallows-RMJ references weight
every ranking of the *whole universe* by ``phi ** d_RMJ`` with the distance computed by a plain
loop and normalise by the brute-force sum; the MNL reference is Plackett-Luce over full rankings
of the universe; the profile reference enumerates every way to break each voter's ties.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict

import numpy as np


def rmj_distance(ranking, central):
    """``sum_{t=1..m-1} (m - t) [central ranks ranking[t-1] below ranking[t]]`` by a loop (t 1-based)."""
    position = {a: i for i, a in enumerate(central)}
    m = len(ranking)
    d = 0
    for t in range(1, m):
        if position[ranking[t - 1]] > position[ranking[t]]:
            d += m - t
    return d


def marginalise(weighted_rankings, assortment, k):
    """``{top-k of the ranking restricted to the assortment: total weight}``."""
    inside = set(assortment)
    out = defaultdict(float)
    for ranking, w in weighted_rankings:
        restricted = tuple(a for a in ranking if a in inside)
        out[restricted[:k]] += w
    return dict(out)


def mallows_rmj_rankings(central, phi):
    """Every ranking of the universe with its Mallows-RMJ probability (brute-force normaliser)."""
    rankings = list(itertools.permutations(central))
    w = np.array([phi ** rmj_distance(r, central) for r in rankings], dtype=float)
    return list(zip(rankings, w / w.sum()))


def plackett_luce_rankings(utilities):
    """Every ranking of the universe with its Plackett-Luce probability (weights exp(u))."""
    names = list(utilities)
    out = []
    for ranking in itertools.permutations(names):
        p = 1.0
        rest = list(ranking)
        for a in ranking:
            p *= math.exp(utilities[a]) / sum(math.exp(utilities[b]) for b in rest)
            rest.remove(a)
        out.append((ranking, p))
    return out


def tie_broken_rankings(groups_list, weights):
    """Every strict ranking obtained by breaking each voter's ties, with probability weight / #ways."""
    total = float(sum(weights))
    out = []
    for groups, w in zip(groups_list, weights):
        orders = list(itertools.product(*[list(itertools.permutations(g)) for g in groups]))
        for choice in orders:
            out.append((tuple(a for g in choice for a in g), w / total / len(orders)))
    return out
