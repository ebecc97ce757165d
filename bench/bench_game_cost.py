"""The game's predicted time (``aggregation.testtime.cost.game_seconds``) against the measured time of MPNE_k and
the robust policy together (prints; never asserts). The constants of ``cost.py`` were fitted on this grid.

    .venv/bin/python -m bench.bench_game_cost                  # rankings 2,000 / 20,000 / 100,000 x m 10 / 30 / 50
    .venv/bin/python -m bench.bench_game_cost --quick          # 2,000 and 20,000 rankings only, and two user-type games
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from aggregation import RewardPopulation
from aggregation.populations.generators import impartial_culture
from aggregation.testtime.cost import GAME_BUDGET, game_affordable, game_cells, game_seconds
from aggregation.testtime.games import mpne, robust_policy


def _row(what: str, population, k: int) -> None:
    start = time.perf_counter()
    mpne(population, k)
    middle = time.perf_counter()
    robust_policy(population, k)
    end = time.perf_counter()
    measured, predicted = end - start, game_seconds(population, k)
    print(
        f"{what:24} {k:>2} {game_cells(population, k):>11,} {middle - start:8.2f} {end - middle:8.2f} {measured:9.2f} "
        f"{predicted:10.2f} {predicted / measured:6.2f} {'yes' if game_affordable(population, k) else 'no':>11}",
        flush=True,
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    print(f"GAME_BUDGET = {GAME_BUDGET:g} s; seconds measured (MPNE, robust, both) and predicted")
    print(
        f"{'population':24} {'k':>2} {'cells':>11} {'MPNE s':>8} {'robust s':>8} {'measured':>9} {'predicted':>10} "
        f"{'ratio':>6} {'unasked':>11}"
    )
    for n in (2_000, 20_000) if args.quick else (2_000, 20_000, 100_000):
        for m in (10, 30, 50):
            profile = impartial_culture(n, m, seed=1)
            for k in (2, 4, 8):
                _row(f"{profile.compressed().n_rankings:,} rankings x {m}", profile, k)
    rng = np.random.default_rng(0)
    for types, m, k in ((5, 50, 4), (50, 20, 4)) if args.quick else ((5, 50, 4), (50, 20, 4), (20, 50, 2), (20, 50, 8)):
        rewards = pd.DataFrame(
            rng.normal(size=(types, m)), index=[f"u{i}" for i in range(types)], columns=[f"y{j}" for j in range(m)]
        )
        _row(f"{types} types x {m}", RewardPopulation(rewards), k)


if __name__ == "__main__":
    main()
