"""Timings of the ranked-choice core (prints; asserts nothing). Run: .venv/bin/python -m bench.bench_choice"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from aggregation import (
    Profile,
    RewardPopulation,
    mallows_rmj_loss,
    mnl_loss,
    population_topk_table,
    ranked_choice_arrays,
    sample_mallows_rmj_choices,
    sample_mnl_choices,
    sample_ranked_choices,
)


def timed(label, fn, repeat=3):
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    print(f"{label:<72s} {best * 1000:9.1f} ms")
    return out


def main():
    rng = np.random.default_rng(0)
    names = [f"y{i}" for i in range(50)]
    big = Profile.from_orders(np.argsort(rng.random((100_000, 50)), axis=1), names)
    rewards = RewardPopulation(pd.DataFrame(rng.normal(size=(8, 50)), index=[f"u{i}" for i in range(8)], columns=names))
    u = pd.Series(rng.normal(size=50), index=names)
    timed(
        "sample_ranked_choices: 100k rankings x 50 alts, n=100k, K=4, k=2",
        lambda: sample_ranked_choices(big, 100_000, 4, 2, seed=1),
    )
    timed(
        "sample_ranked_choices: 8 reward types x 50 alts, n=100k, K=4, k=2",
        lambda: sample_ranked_choices(rewards, 100_000, 4, 2, seed=1),
    )
    timed("sample_mnl_choices: 50 alts, n=100k, K=8, k=3", lambda: sample_mnl_choices(u, 100_000, 8, 3, seed=1))
    timed(
        "sample_mallows_rmj_choices: 50 alts, n=100k, K=8, k=3",
        lambda: sample_mallows_rmj_choices(names, 0.6, 100_000, 8, 3, seed=1),
    )
    timed(
        "population_topk_table: 100k rankings, assortment of 6, k=3 (120 lists)",
        lambda: population_topk_table(big, names[:6], 3),
    )
    data = sample_ranked_choices(big, 2048, 4, 2, seed=2)
    items, top = timed("ranked_choice_arrays: 2048 rows", lambda: ranked_choice_arrays(data, names))
    lr = rng.normal(size=items.shape)
    timed("mnl_loss: B=2048, K=4, k=2", lambda: mnl_loss(lr, top, 0.1))
    timed("mallows_rmj_loss: B=2048, K=4, k=2", lambda: mallows_rmj_loss(lr, top, 0.1, 0.5))


if __name__ == "__main__":
    main()
