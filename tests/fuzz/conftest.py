"""The fuzz suite's budget and its count of generated inputs.

``FUZZ_EXAMPLES`` (environment) is the number of generated inputs the whole suite runs, shared out
among its tests by the weights of :data:`SHARES` (default 100,000: a few minutes on two cores; the
suite prints how many inputs each reader got and how long it took). A long run for a fuzzing session:
``FUZZ_EXAMPLES=2000000 scripts/test tests/fuzz``. Every test runs under the ``fuzz`` hypothesis
profile: a deadline per input (a parser that hangs fails), no example database churn, and no health
check that would refuse slow or large inputs (they are the point).
"""

from __future__ import annotations

import os
import time
from collections import Counter, defaultdict

from hypothesis import HealthCheck, settings

TOTAL = int(os.environ.get("FUZZ_EXAMPLES", "100000"))
#: Each reader's share of the budget (weights; cheap readers get more inputs).
SHARES = {
    "ranking_text": 12,
    "preflib": 14,
    "rankings_csv": 9,
    "comparisons_csv": 7,
    "comparisons_jsonl": 7,
    "population_dict": 12,
    "population_json": 9,
    "scenario_toml": 7,
    "job_spec": 7,
    "url_params": 14,
    "uploads": 2,
}
#: Longest time one input may take (a hang fails the test; generous, for a loaded CI machine).
DEADLINE_MS = 5_000

settings.register_profile(
    "fuzz",
    deadline=DEADLINE_MS,
    derandomize=False,
    print_blob=True,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
        HealthCheck.large_base_example,
    ],
)

COUNTS: Counter = Counter()
ACCEPTED: Counter = Counter()
SECONDS: dict[str, float] = defaultdict(float)


def inputs(reader: str) -> int:
    """This reader's number of inputs: its share of ``FUZZ_EXAMPLES``."""
    return max(10, round(TOTAL * SHARES[reader] / sum(SHARES.values())))


def fuzz_settings(reader: str, more_per_example: int):
    """The ``fuzz`` profile with as many hypothesis examples as give this reader its inputs, each example
    parsing ``1 + more_per_example`` of them."""
    return settings(settings.get_profile("fuzz"), max_examples=max(5, round(inputs(reader) / (1 + more_per_example))))


def pytest_runtest_call(item):
    item.user_properties.append(("started", time.perf_counter()))


def pytest_runtest_teardown(item):
    started = dict(item.user_properties).get("started")
    if started is not None:
        SECONDS[item.originalname] += time.perf_counter() - started


def pytest_terminal_summary(terminalreporter):
    if not COUNTS:
        return
    write = terminalreporter.write_line
    write(
        f"fuzz: {sum(COUNTS.values()):,} generated inputs (FUZZ_EXAMPLES={TOTAL:,}), "
        f"{sum(ACCEPTED.values()):,} accepted and re-imported"
    )
    for reader in sorted(COUNTS):
        write(f"  {reader:<20} {COUNTS[reader]:>8,} inputs  {ACCEPTED[reader]:>7,} accepted")
    for name, seconds in sorted(SECONDS.items()):
        write(f"  {name:<45} {seconds:7.1f} s")
