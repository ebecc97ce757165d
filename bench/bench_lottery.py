"""The maximal lottery against pref_voting and against our path before the speed-up, m = 5 ... 200 (prints; never
asserts).

    .venv/bin/python -m bench.bench_lottery                       # pref_voting from .venv-bench (bench/run_peers)
    PEER_PYTHON=/path/to/python .venv/bin/python -m bench.bench_lottery --sizes 50 100 200 --repeat 21

Input: random margins with no tied pair and no Condorcet winner forced (the supports of each pair sum to 101,
the matrix of ``bench_scale``), one matrix per size, rebuilt from the same seed in both processes. Columns
(median ms per call):

* ``ours``: :func:`aggregation.maximal_lottery` as it is (HiGHS without presolve; uniqueness from one LU solve
  of the bordered system, ``lotteries._unique_on``);
* ``old``: the path before it (commit aff598a): the textbook LP ``max v s.t. (p^T M)_b >= v, sum p = 1``
  with HiGHS' presolve on (:func:`old_lp`, a copy), and ``_unique_on`` disabled so that the SVD rank test of
  ``lotteries._kernel`` decides; monkeypatched in this process;
* ``pref_voting``: ``pref_voting.probabilistic_methods.maximal_lottery`` on a ``MarginGraph`` of the same
  integer margins (scipy ``linprog``, one LP, no uniqueness test), timed in a separate process run with the
  peer environment's Python (``.venv-bench``, or ``PEER_PYTHON``; our core needs packages that environment
  lacks); that process stays up and times one call per request, so the three calls are interleaved round by
  round and a busy machine slows all three alike. This file run with ``--peer`` imports only numpy and
  pref_voting.

The last column checks that all three give the same lottery (largest difference; the lottery is unique for
these matrices). Our cache of recent lotteries is cleared before every call.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def margins(m: int, seed: int = 0) -> np.ndarray:
    """Integer supports S[a, b] in 1 ... 100 with S[a, b] + S[b, a] = 101 (P = S / 101): no tied pair."""
    rng = np.random.default_rng(seed)
    X = rng.integers(1, 101, size=(m, m)).astype(float)
    S = np.triu(X, 1) + np.triu(101 - X, 1).T
    np.fill_diagonal(S, 50.5)
    return S


def rounds(calls: dict, repeat: int) -> tuple[dict, dict]:
    """(median ms per call, each call's answer), the calls interleaved round by round (in rotated order) after one
    warm-up. A call
    returns its answer, or (ms, answer) when it timed itself (the peer process)."""
    answers = {k: f() for k, f in calls.items()}
    answers = {k: v[1] if isinstance(v, tuple) else v for k, v in answers.items()}
    times = {k: [] for k in calls}
    keys = list(calls)
    for r in range(repeat):
        for k in keys[r % len(keys) :] + keys[: r % len(keys)]:  # rotated: no call always runs after the peer's
            f = calls[k]
            start = time.perf_counter()
            out = f()
            times[k].append(out[0] / 1e3 if isinstance(out, tuple) else time.perf_counter() - start)
    return {k: statistics.median(v) * 1e3 for k, v in times.items()}, answers


def peer() -> None:
    """The pref_voting side (run with the peer Python): for each m read from stdin, times one call and prints
    {"ms": ..., "x": [...]} as one JSON line."""
    from pref_voting.probabilistic_methods import maximal_lottery
    from pref_voting.weighted_majority_graphs import MarginGraph

    graphs = {}
    for line in sys.stdin:
        m = int(line)
        if m not in graphs:
            S = margins(m)
            Mi = (S - S.T).astype(int)
            edges = [(a, b, int(Mi[a, b])) for a in range(m) for b in range(m) if Mi[a, b] > 0]
            graphs[m] = MarginGraph(list(range(m)), edges)
        start = time.perf_counter()
        x = maximal_lottery(graphs[m])
        ms = (time.perf_counter() - start) * 1e3
        print(json.dumps({"ms": ms, "x": [float(x.get(c, 0.0)) for c in range(m)]}), flush=True)


_OLD_HIGHS = None


def old_lp(M: np.ndarray) -> np.ndarray:
    """``lotteries._any_maximal_lottery`` as it was at commit aff598a (the textbook LP, HiGHS' presolve on)."""
    import highspy

    m = M.shape[0]
    A = np.zeros((m + 1, m + 1))
    A[:m, :m] = M.T
    A[:m, m] = -1.0
    A[m, :m] = 1.0
    mask = A.T != 0.0
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = m + 1, m + 1
    lp.col_cost_ = np.concatenate([np.zeros(m), [-1.0]])
    lp.col_lower_ = np.concatenate([np.zeros(m), [-1.0]])
    lp.col_upper_ = np.concatenate([np.full(m, highspy.kHighsInf), [1.0]])
    lp.row_lower_ = np.concatenate([np.zeros(m), [1.0]])
    lp.row_upper_ = np.concatenate([np.full(m, highspy.kHighsInf), [1.0]])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.concatenate([[0], np.cumsum(mask.sum(axis=1))]).astype(np.int32)
    lp.a_matrix_.index_ = np.nonzero(mask)[1].astype(np.int32)
    lp.a_matrix_.value_ = A.T[mask]
    global _OLD_HIGHS
    if _OLD_HIGHS is None:  # its own solver: ours keeps its options
        _OLD_HIGHS = highspy.Highs()
        _OLD_HIGHS.silent()
    h = _OLD_HIGHS
    h.clearModel()
    h.passModel(lp)
    h.run()
    p = np.clip(np.asarray(h.getSolution().col_value[:m], dtype=float), 0.0, None)
    return p / p.sum()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[5, 10, 20, 50, 100, 200])
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--peer", action="store_true", help=argparse.SUPPRESS)  # internal: the pref_voting process
    args = ap.parse_args()
    if args.peer:
        peer()
        return
    import pandas as pd

    from aggregation import PreferenceMatrix
    from aggregation.rules import lotteries

    def ours(pm):
        lotteries._RECENT.clear()
        return lotteries.maximal_lottery(pm).values.to_numpy()

    def old(pm):
        saved = lotteries._unique_on, lotteries._any_maximal_lottery
        lotteries._unique_on, lotteries._any_maximal_lottery = (lambda K: None), old_lp
        try:
            return ours(pm)
        finally:
            lotteries._unique_on, lotteries._any_maximal_lottery = saved

    peer_python = os.environ.get("PEER_PYTHON", str(ROOT / ".venv-bench" / "bin" / "python"))
    process = None
    if Path(peer_python).exists():
        process = subprocess.Popen(
            [peer_python, str(Path(__file__).resolve()), "--peer"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )

    def pv(m):
        process.stdin.write(f"{m}\n")
        process.stdin.flush()
        out = json.loads(process.stdout.readline())
        return out["ms"], np.array(out["x"])

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"Maximal lottery, random margins (no tie); median ms of {args.repeat} interleaved rounds; load average "
        f"{load:.2f}; "
        + (f"pref_voting via {peer_python}" if process else "no peer Python (set PEER_PYTHON): pref_voting skipped")
    )
    print(
        f"{'m':>4} {'ours':>9} {'old':>9} {'old/ours':>9} {'pref_voting':>12} {'pv/ours':>8} {'|E|':>4}  "
        "max |difference|"
    )
    try:
        for m in args.sizes:
            S = margins(m)
            names = [f"a{i}" for i in range(m)]
            pm = PreferenceMatrix(pd.DataFrame(S / 101.0, index=names, columns=names))
            calls = {"ours": lambda: ours(pm), "old": lambda: old(pm)}
            if process:
                calls["pref_voting"] = lambda: pv(m)
            med, answers = rounds(calls, args.repeat)
            peer_cell = " " * 21
            if process:
                peer_cell = f"{med['pref_voting']:12.2f} {med['pref_voting'] / med['ours']:7.1f}x"
            diff = max(float(np.abs(answers[k] - answers["ours"]).max()) for k in answers)
            support = int((answers["ours"] > 0).sum())
            print(
                f"{m:>4} {med['ours']:9.2f} {med['old']:9.2f} {med['old'] / med['ours']:8.1f}x {peer_cell} "
                f"{support:>4}  {diff:.1e}",
                flush=True,
            )
    finally:
        if process:
            process.stdin.close()
            process.wait(timeout=60)


if __name__ == "__main__":
    sys.exit(main())
