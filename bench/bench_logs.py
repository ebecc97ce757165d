"""Comparison logs at arena scale: import time and peak memory for 1e6 and 1e7 rows (CSV and Parquet), and the
bootstrap of every rule for 1,000 replicates at m = 50, with ratios against a naive pandas path.

    .venv/bin/python -m bench.bench_logs                   # 1e6 and 1e7 rows (the 1e7 CSV is about 0.5 GB)
    .venv/bin/python -m bench.bench_logs --rows 1000000    # 1e6 only
    .venv/bin/python -m bench.bench_logs --no-naive        # skip the pandas path (it holds the whole log)

Each import runs in a fresh process, so that its peak resident memory (``ru_maxrss``) is its own; the
baseline of such a process (Python with aggregation, DuckDB and pandas imported) is printed too. The naive
path is what one writes without DuckDB: ``pandas.read_csv`` / ``read_parquet`` of the whole log, then a
``groupby`` of (model_a, model_b, winner, judge). Its counts are checked equal to ours. The naive bootstrap
resamples the log's rows (a random index array per replicate, then ``bincount``) for Borda only; ours
redraws counts per pair (multinomial) or annotators as clusters and runs every rule.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def digest(counts) -> str:
    """A digest of the counts with the responses in sorted order (an import lists them sorted, the generator
    in the population's order; annotators are sorted by both)."""
    return counts.restrict(sorted(counts.alternatives)).fingerprint


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(mode: str, path: str) -> None:
    """Run one import in this process and print seconds, peak memory and a digest of the counts."""
    import numpy as np
    import pandas as pd

    import aggregation as ag

    baseline = _peak_mb()
    start = time.perf_counter()
    if mode == "ours":
        counts = ag.read_comparison_log(path, ag.logs.ARENA)
        found = digest(counts)
        cells = counts.n_cells
    elif mode == "naive":
        frame = pd.read_parquet(path) if path.endswith(".parquet") else pd.read_csv(path)
        grouped = frame.groupby(["model_a", "model_b", "winner", "judge"]).size()
        # the same counts as ComparisonCounts (first < second, outcome columns), to check the answer
        table = grouped.reset_index(name="n").sort_values("judge", kind="stable")
        a, b = table["model_a"].to_numpy(object), table["model_b"].to_numpy(object)
        w = table["winner"].to_numpy(object)
        swap = a > b
        first, second = np.where(swap, b, a), np.where(swap, a, b)
        a_won = w == "model_a"
        b_won = w == "model_b"
        first_wins = np.where(swap, b_won, a_won) * table["n"].to_numpy()
        second_wins = np.where(swap, a_won, b_won) * table["n"].to_numpy()
        ties = (~a_won & ~b_won) * table["n"].to_numpy()
        counts = ag.ComparisonCounts.from_frame(
            pd.DataFrame(
                {
                    "first": first,
                    "second": second,
                    "annotator": table["judge"].to_numpy(object),
                    "first_wins": first_wins,
                    "second_wins": second_wins,
                    "ties": ties,
                }
            )
        )
        found = digest(counts)
        cells = counts.n_cells
    else:  # the baseline: imports only
        found, cells = "", 0
    seconds = time.perf_counter() - start
    print(
        json.dumps(
            {"seconds": seconds, "peak_mb": _peak_mb(), "baseline_mb": baseline, "digest": found, "cells": cells}
        )
    )


def run_child(mode: str, path: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "bench.bench_logs", "--child", mode, path],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        return {"error": (out.stderr.strip().splitlines() or ["failed"])[-1][:200]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench_imports(rows_list: list[int], folder: Path, naive: bool) -> None:
    import aggregation as ag

    population = ag.mallows(1000, 50, 0.9, seed=0)
    base = run_child("baseline", "-")
    print(f"a fresh process with aggregation, duckdb and pandas imported: {base['peak_mb']:.0f} MB resident\n")
    print(
        f"{'rows':>12} {'format':>8} {'file MB':>8} {'generate s':>10} {'import s':>9} {'peak MB':>8} "
        f"{'naive s':>8} {'naive MB':>9} {'time ratio':>10} {'same':>5}"
    )
    for rows in rows_list:
        for fmt in ("parquet", "csv"):
            path = folder / f"log-{rows}.{fmt}"
            start = time.perf_counter()
            log = ag.generate_log(population, rows, path, tie_probability=0.1, annotators=1000, seed=1)
            generated = time.perf_counter() - start
            ours = run_child("ours", str(path))
            expected = digest(log.counts)
            same = ours.get("digest") == expected
            line = (
                f"{rows:>12,} {fmt:>8} {path.stat().st_size / 2**20:>8.0f} {generated:>10.1f} "
                f"{ours.get('seconds', float('nan')):>9.2f} {ours.get('peak_mb', float('nan')):>8.0f}"
            )
            if naive:
                theirs = run_child("naive", str(path))
                if "error" in theirs:
                    line += f"   naive failed: {theirs['error']}"
                else:
                    same = same and theirs["digest"] == expected
                    line += (
                        f" {theirs['seconds']:>8.2f} {theirs['peak_mb']:>9.0f} "
                        f"{theirs['seconds'] / ours['seconds']:>9.1f}x"
                    )
            print(line + f" {'yes' if same else 'NO':>5}", flush=True)
            path.unlink()


def bench_bootstrap(replicates: int, naive: bool) -> None:
    import numpy as np

    import aggregation as ag

    population = ag.mallows(1000, 50, 0.9, seed=0)
    counts = ag.generate_log(population, 1_000_000, None, tie_probability=0.1, annotators=1000, seed=1).counts
    print(
        f"\nbootstrap, {replicates:,} replicates, m = 50, counts of 1,000,000 comparisons "
        f"({counts.n_annotators:,} annotators):"
    )
    core = ["borda", "copeland", "nbc", "maximal_lottery", "bt_elo"]
    for rules, label in (
        (["borda"], "Borda only"),
        (core, "Borda, Copeland, NBC, maximal lottery, BT-Elo"),
        (None, "every applicable rule"),
    ):
        for clusters in (False, True):
            start = time.perf_counter()
            result = ag.bootstrap(counts, rules, replicates, seed=0, clusters=clusters)
            seconds = time.perf_counter() - start
            print(
                f"  {label:<48} {'clusters' if clusters else 'per pair':<9} {seconds:>7.2f} s "
                f"({len(result.rule_ids)} rules)",
                flush=True,
            )
            if rules == ["borda"] and not clusters:
                ours_borda = seconds
    if naive:
        # the naive path: resample the log's rows, recount, Borda; 50 replicates timed and scaled
        a, b, score = counts.comparisons(seed=0)
        n, m = len(a), len(counts.alternatives)
        rng = np.random.default_rng(0)
        reps = 50
        start = time.perf_counter()
        for _ in range(reps):
            i = rng.integers(0, n, size=n)
            aa, bb, ss = a[i], b[i], score[i]
            won = np.bincount(aa * m + bb, weights=ss, minlength=m * m) + np.bincount(
                bb * m + aa, weights=1 - ss, minlength=m * m
            )
            played = np.bincount(aa * m + bb, minlength=m * m) + np.bincount(bb * m + aa, minlength=m * m)
            W, N = won.reshape(m, m), played.reshape(m, m)
            with np.errstate(invalid="ignore", divide="ignore"):
                P = np.where(N > 0, W / np.where(N > 0, N, 1), 0.5)
            np.fill_diagonal(P, 0.5)
            P.sum(axis=1)
        seconds = (time.perf_counter() - start) / reps * replicates
        print(
            f"  naive row resampling (Borda only), scaled from {reps} replicates: {seconds:.1f} s "
            f"-> ours per pair is {seconds / ours_borda:.0f}x faster"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="*", default=[1_000_000, 10_000_000])
    parser.add_argument("--replicates", type=int, default=1000)
    parser.add_argument("--no-naive", action="store_true")
    parser.add_argument("--no-import", action="store_true")
    parser.add_argument("--child", nargs=2, metavar=("MODE", "PATH"))
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    print(f"{os.cpu_count()} cores; DuckDB's threads: one per core\n")
    if not args.no_import:
        with tempfile.TemporaryDirectory(prefix="bench-logs-") as folder:
            bench_imports(args.rows, Path(folder), not args.no_naive)
    bench_bootstrap(args.replicates, not args.no_naive)


if __name__ == "__main__":
    main()
