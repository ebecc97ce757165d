"""The one timing helper the benchmarks share."""

from __future__ import annotations

import statistics
import time


def timed(fn, repeat: int = 5) -> tuple[float, object]:
    """``(median seconds over repeat calls, the last result)``."""
    times, out = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out
