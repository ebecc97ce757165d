"""Hypothesis strategies for populations."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from aggregation import Profile, RewardPopulation

NAMES = ["a", "b", "c", "d", "e", "f", "g"]


@st.composite
def weak_order_profiles(draw, min_m=2, max_m=6, max_n=7, ties=True, integer_weights=True):
    m = draw(st.integers(min_m, max_m))
    n = draw(st.integers(1, max_n))
    names = NAMES[:m]
    rankings = []
    for _ in range(n):
        perm = draw(st.permutations(names))
        if ties:
            cuts = draw(st.lists(st.booleans(), min_size=m - 1, max_size=m - 1))
        else:
            cuts = [True] * (m - 1)
        groups, current = [], [perm[0]]
        for name, cut in zip(perm[1:], cuts):
            if cut:
                groups.append(current)
                current = [name]
            else:
                current.append(name)
        groups.append(current)
        rankings.append(groups)
    if integer_weights:
        weights = draw(st.lists(st.integers(1, 5), min_size=n, max_size=n))
    else:
        weights = draw(st.lists(st.floats(0.05, 5.0), min_size=n, max_size=n))
    return Profile.from_rankings(rankings, weights, alternatives=names)


@st.composite
def reward_populations(draw, min_m=2, max_m=5, max_types=4):
    m = draw(st.integers(min_m, max_m))
    k = draw(st.integers(1, max_types))
    rewards = {f"u{t}": {NAMES[j]: draw(st.floats(-3, 3)) for j in range(m)} for t in range(k)}
    weights = draw(st.lists(st.floats(0.1, 3.0), min_size=k, max_size=k))
    temperature = draw(st.floats(0.3, 3.0))
    return RewardPopulation(rewards, weights, temperature)


@st.composite
def distributions(draw, m, positive=True):
    raw = np.array(draw(st.lists(st.floats(0.05 if positive else 0.0, 1.0), min_size=m, max_size=m)))
    if raw.sum() == 0:
        raw[0] = 1.0
    return raw / raw.sum()
