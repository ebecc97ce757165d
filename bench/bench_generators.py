"""Population generators on large inputs, and against prefsampling's own samplers (prints; never asserts).

    .venv/bin/python -m bench.bench_generators

Every generator of ``aggregation.populations.generators`` draws 100,000 voters over 50 alternatives; then
the same models at 2,000 x 20 side by side with ``prefsampling`` 0.1.24 (which loops over voters
in Python), reporting the ratio.
"""

from __future__ import annotations


import numpy as np
from prefsampling import ordinal as ps

from aggregation import euclidean, impartial_culture, mallows, plackett_luce, reward_mixture, single_peaked, urn
from bench.timing import timed


def main() -> None:
    n, m = 100_000, 50
    utilities = list(np.linspace(0.0, 3.0, m))
    ours = {
        "impartial_culture": lambda: impartial_culture(n, m, seed=1),
        "mallows (phi 0.8)": lambda: mallows(n, m, 0.8, seed=1),
        "plackett_luce": lambda: plackett_luce(n, utilities, seed=1),
        "urn (alpha 0.1)": lambda: urn(n, m, 0.1, seed=1),
        "single_peaked (walsh)": lambda: single_peaked(n, m, seed=1),
        "euclidean (2-d)": lambda: euclidean(n, m, seed=1),
    }
    print(f"{n:,} voters x {m} alternatives (median of 3, including merging identical rankings):")
    for name, fn in ours.items():
        t, p = timed(fn)
        print(f"  {name:24s} {t * 1000:7.0f} ms   ({p.n_rankings:,} distinct rankings)")
    t, _ = timed(lambda: reward_mixture(10_000, m, seed=1, model="spatial"))
    print(f"  {'reward_mixture (10,000 spatial types)':24s} {t * 1000:7.0f} ms")

    n, m = 2_000, 20
    u = np.linspace(0.0, 3.0, m)
    pairs = {
        "impartial_culture": (lambda: impartial_culture(n, m, seed=1), lambda: ps.impartial(n, m, seed=1)),
        "mallows (phi 0.8)": (lambda: mallows(n, m, 0.8, seed=1), lambda: ps.mallows(n, m, 0.8, seed=1)),
        "plackett_luce": (
            lambda: plackett_luce(n, list(u), seed=1),
            lambda: ps.plackett_luce(n, m, list(np.exp(u)), seed=1),
        ),
        "urn (alpha 0.1)": (lambda: urn(n, m, 0.1, seed=1), lambda: ps.urn(n, m, 0.1, seed=1)),
        "single_peaked (walsh)": (lambda: single_peaked(n, m, seed=1), lambda: ps.single_peaked_walsh(n, m, seed=1)),
    }
    print(f"\n{n:,} voters x {m} alternatives, ours (profile included) vs prefsampling (lists of votes only):")
    for name, (mine, theirs) in pairs.items():
        t_mine, _ = timed(mine)
        t_theirs, _ = timed(theirs)
        print(
            f"  {name:24s} ours {t_mine * 1000:7.1f} ms   prefsampling {t_theirs * 1000:8.1f} ms   "
            f"ratio {t_theirs / t_mine:6.1f}x"
        )


if __name__ == "__main__":
    main()
