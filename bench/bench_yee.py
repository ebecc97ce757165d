"""Yee diagrams (prints; never asserts): 100 x 100 pixels with 200 voters each, the vectorised rules and
the rules run through the registry per distinct pixel population, against the registry on every pixel.

    .venv/bin/python -m bench.bench_yee [--quick]
"""

from __future__ import annotations

import sys
import time

from aggregation import yee_maps

THREE = {"A": (-0.5, -0.3), "B": (0.5, -0.3), "C": (0.0, 0.6)}
FIVE = {"A": (-0.55, 0.05), "B": (0.05, 0.1), "C": (0.5, 0.45), "D": (0.6, -0.25), "E": (-0.2, -0.7)}


def run(candidates: dict, rules: list[str], grid: int, voters: int, **kwargs) -> None:
    start = time.perf_counter()
    maps = yee_maps(candidates, rules, grid=grid, voters=voters, **kwargs)
    total = time.perf_counter() - start
    rules_time = sum(m.seconds for m in maps.values())
    each = ", ".join(f"{r} {m.seconds:.2f} s ({m.calls:,} calls)" for r, m in maps.items())
    print(
        f"  m = {len(candidates)}, {grid} x {grid} pixels x {voters} voters"
        f"{' (registry on every pixel)' if kwargs.get('vectorise') is False else ''}: {total:.2f} s in all "
        f"(geometry {total - rules_time:.2f} s); {each}"
    )


def main() -> None:
    quick = "--quick" in sys.argv
    grid = 40 if quick else 100
    vectorised = ["borda", "plurality", "copeland", "maximal_lottery", "nbc", "positional", "random_dictatorship"]
    print("Vectorised rules (read off the per-pixel arrays):")
    run(THREE, vectorised, grid, 200)
    run(FIVE, vectorised, grid, 200)
    print("Rules through the registry, once per distinct pixel population:")
    run(THREE, ["instant_runoff", "coombs", "baldwin"], grid, 200)
    print("The same vectorised rules with the registry on every pixel (the reference the tests compare with):")
    run(THREE, ["borda", "plurality", "copeland"], grid, 200, vectorise=False)


if __name__ == "__main__":
    main()
