"""Large populations, fast (issue 12): each computation timed on the current path and on the naive
path it replaced (still callable), printed as a ratio; the maximal lottery also against pref_voting
when it is installed (run this file with bench/run_peers' environment, .venv-bench, to get that
column). Prints; never asserts.

    python -m bench.bench_scale                       # n = 100,000 rankings, m = 50 (slow: the naive paths)
    python -m bench.bench_scale --n 20000 --naive-k 4 # smaller, naive MPNE only for k = 4

Sections:
1. MPNE_k and the robust policy on an impartial-culture profile (n distinct rankings, m alternatives),
   k = 2, 4, 8: Newton steps with a sampled Jacobian (``derivative_rows`` default) against the exact
   Jacobian (``derivative_rows = n``, the path before issue 12); the largest difference of the two
   policies is printed too.
2. Every property of a few rules on the same profile: variations with closed-form pairwise and
   position counts, elimination rounds recalled from the original's tallies (``Profile.origin``),
   MPNE_k and the robust policy started from the original's solution
   (``aggregation.testtime.warm_start``), against eager variations that re-read every voter and
   solve every game from scratch (``Profile.closed_form_variations = False``), per rule.
3. The whole table, every property of every rule, unbounded: ``aggregation.check_table`` in worker processes
   (one per core, cheapest checks first) against ``check_rule`` rule by rule in one process, with the time the
   first half, 90% and all of the checks had landed.
4. The maximal lottery on random tournaments-with-margins, m = 3 ... 200: the current call against
   the scipy ``linprog`` path and against pref_voting's ``maximal_lottery``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from aggregation import RULES, PreferenceMatrix, check_table
from aggregation.populations.generators import impartial_culture
from aggregation.populations.profile import Profile
from aggregation.properties.axioms import check_rule
from aggregation.properties.table import default_processes
from aggregation.rules import lotteries
from aggregation.testtime.games import mpne, robust_policy

from .timing import timed


def _once(fn):
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def games(n: int, m: int, ks, naive_ks) -> None:
    print(f"\n== MPNE_k and the robust policy: impartial culture, n = {n:,} rankings, m = {m}")
    profile = impartial_culture(n, m, seed=1)
    rows = profile.n_rows
    print(f"{'rule':8} {'k':>2} {'fast s':>8} {'naive s':>8} {'ratio':>7} {'max |diff|':>10}  certificate")
    for k in ks:
        for name, solve in (("MPNE", mpne), ("robust", robust_policy)):
            fast_s, fast = _once(lambda: solve(profile, k))
            c = fast.certificate
            gap = c.gap if name == "MPNE" else c.optimality_gap
            if k in naive_ks:
                naive_s, naive = _once(lambda: solve(profile, k, derivative_rows=rows))
                diff = float(np.abs(fast.values.to_numpy() - naive.values.to_numpy()).max())
                print(
                    f"{name:8} {k:>2} {fast_s:8.2f} {naive_s:8.2f} {naive_s / fast_s:6.1f}x {diff:10.1e}  "
                    f"gap {gap:.1e}, converged {c.converged}",
                    flush=True,
                )
            else:
                print(
                    f"{name:8} {k:>2} {fast_s:8.2f} {'-':>8} {'-':>7} {'-':>10}  gap {gap:.1e}, "
                    f"converged {c.converged}",
                    flush=True,
                )


def properties(n: int, m: int, rules, budget: float) -> None:
    print(
        f"\n== Every property of a rule: impartial culture, n = {n:,}, m = {m} (time_budget {budget:g} s per "
        "property; 'deferred' = checks the budget left for a button)"
    )
    print(f"{'rule':22} {'closed form s':>14} {'eager s':>9} {'ratio':>7}  deferred (closed / eager)")
    for rule in rules:
        results = {}
        for closed in (True, False):
            Profile.closed_form_variations = closed
            profile = impartial_culture(n, m, seed=1)  # a fresh profile: nothing cached
            try:
                seconds, checks = _once(lambda: check_rule(profile, rule, time_budget=budget))
            finally:
                Profile.closed_form_variations = True
            results[closed] = (seconds, sum(c.status == "not checked" for c in checks))
        (fs, fd), (ns, nd) = results[True], results[False]
        print(f"{rule:22} {fs:14.2f} {ns:9.2f} {ns / fs:6.1f}x  {fd} / {nd}", flush=True)


def table(n: int, m: int, processes: int | None) -> None:
    processes = processes or default_processes()
    print(f"\n== The whole table ({len(RULES)} rules x every property): impartial culture, n = {n:,}, m = {m}")
    profile = impartial_culture(n, m, seed=1)
    start, landed = time.perf_counter(), []
    check_table(profile, processes=processes, on_check=lambda _c: landed.append(time.perf_counter() - start))
    parallel = time.perf_counter() - start
    profile = impartial_culture(n, m, seed=1)  # a fresh profile: nothing cached
    serial, _ = _once(lambda: [check_rule(profile, rule) for rule in RULES])
    half, most = landed[len(landed) // 2 - 1], landed[int(0.9 * len(landed)) - 1]
    print(
        f"{processes} worker processes: {parallel:.1f} s (half of the {len(landed)} checks landed at {half:.1f} s, "
        f"90% at {most:.1f} s); rule by rule in one process: {serial:.1f} s; ratio {serial / parallel:.1f}x",
        flush=True,
    )


def maximal_lottery_sizes(sizes) -> None:
    try:
        from pref_voting.probabilistic_methods import maximal_lottery as pv_ml
        from pref_voting.weighted_majority_graphs import MarginGraph
    except ImportError:
        pv_ml = None
    print("\n== Maximal lottery on a random margin matrix (no Condorcet winner forced), median ms per call")
    print(f"{'m':>4} {'current':>9} {'linprog path':>13} {'ratio':>7} {'pref_voting':>12} {'ratio':>7}")
    rng = np.random.default_rng(0)
    for m in sizes:
        X = rng.integers(1, 101, size=(m, m)).astype(float)
        S = np.triu(X, 1) + np.triu(101 - X, 1).T  # supports summing to 101 per pair: no tied pair
        np.fill_diagonal(S, 50.5)
        names = [f"a{i}" for i in range(m)]
        pm = PreferenceMatrix(pd.DataFrame(S / 101.0, index=names, columns=names))
        repeat = 25 if m <= 50 else 5
        current, _ = timed(lambda: lotteries.maximal_lottery(pm), repeat)
        lotteries._any_maximal_lottery, saved = lotteries._any_maximal_lottery_scipy, lotteries._any_maximal_lottery
        try:
            naive, _ = timed(lambda: lotteries.maximal_lottery(pm), repeat)
        finally:
            lotteries._any_maximal_lottery = saved
        peer = "-"
        ratio = "-"
        if pv_ml is not None:
            M = (S - S.T).astype(int)
            edges = [(a, b, int(M[a, b])) for a in range(m) for b in range(m) if M[a, b] > 0]
            graph = MarginGraph(list(range(m)), edges)
            pv_ml(graph)
            peer_s, _ = timed(lambda: pv_ml(graph), repeat)
            peer, ratio = f"{peer_s * 1e3:12.2f}", f"{peer_s / current:6.1f}x"
        print(
            f"{m:>4} {current * 1e3:9.2f} {naive * 1e3:13.2f} {naive / current:6.1f}x {peer:>12} {ratio:>7}", flush=True
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--m", type=int, default=50)
    ap.add_argument("--k", type=int, nargs="+", default=[2, 4, 8])
    ap.add_argument(
        "--naive-k",
        type=int,
        nargs="*",
        default=[2, 4, 8],
        help="the k for which the naive (exact-Jacobian) path is also timed",
    )
    ap.add_argument(
        "--rules",
        nargs="+",
        default=[
            "borda",
            "copeland",
            "maximal_lottery",
            "plurality",
            "dowdall",
            "instant_runoff",
            "coombs",
            "mpne",
            "robust",
        ],
    )
    ap.add_argument("--budget", type=float, default=5.0)
    ap.add_argument("--sizes", type=int, nargs="+", default=[3, 5, 10, 20, 50, 100, 200])
    ap.add_argument("--processes", type=int, default=None, help="the table's worker processes (default: one a core)")
    ap.add_argument("--only", choices=["games", "properties", "table", "lottery"])
    args = ap.parse_args()
    if args.only in (None, "games"):
        games(args.n, args.m, args.k, set(args.naive_k))
    if args.only in (None, "properties"):
        properties(args.n, args.m, args.rules, args.budget)
    if args.only in (None, "table"):
        table(args.n, args.m, args.processes)
    if args.only in (None, "lottery"):
        maximal_lottery_sizes(args.sizes)


if __name__ == "__main__":
    main()
