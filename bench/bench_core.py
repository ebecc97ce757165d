"""Core speed on large populations (prints; never asserts).

.venv/bin/python -m bench.bench_core
"""

from __future__ import annotations


import numpy as np

from aggregation import Profile, borda, maximal_lottery
from bench.timing import timed


def main() -> None:
    rng = np.random.default_rng(12345)
    names50 = [f"a{i}" for i in range(50)]
    orders = np.argsort(rng.random((100_000, 50)), axis=1)

    def pipeline():
        p = Profile.from_orders(orders, names50)
        return p.preference_matrix(), borda(p), maximal_lottery(p)

    t, (_, _, ml) = timed(pipeline)
    print(
        f"100,000 rankings x 50 alternatives: build + preference matrix + Borda + maximal lottery "
        f"{t * 1000:.0f} ms (budget 1000 ms: {1.0 / t:.1f}x under); ML support {len(ml.support)}"
    )

    weights = rng.integers(1, 10, size=100_000).astype(float) + 0.5  # fractional weights: float64 path
    t, _ = timed(lambda: Profile.from_orders(orders, names50, weights).preference_matrix())
    print(f"same with fractional weights (float64 accumulation): preference matrix {t * 1000:.0f} ms")

    names200 = [f"a{i}" for i in range(200)]
    p200 = Profile.from_orders(np.argsort(rng.random((1001, 200)), axis=1), names200)
    P200 = p200.preference_matrix()
    t, ml = timed(lambda: maximal_lottery(P200))
    print(
        f"maximal lottery alone, 200 alternatives (1001 voters): {t * 1000:.1f} ms "
        f"(unique: {ml.certificate.unique}, support {len(ml.support)})"
    )

    p_even = Profile.from_orders(np.argsort(rng.random((1000, 200)), axis=1), names200)
    t, ml = timed(lambda: maximal_lottery(p_even.preference_matrix()), repeat=3)
    print(
        f"maximal lottery, 200 alternatives, 1000 voters (even: ties possible): {t * 1000:.1f} ms "
        f"(unique: {ml.certificate.unique}, {ml.certificate.selection})"
    )


if __name__ == "__main__":
    main()
