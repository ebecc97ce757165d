"""The rules against pref_voting, each library in its own environment, on the same profiles (prints;
never asserts).

    .venv/bin/python -m bench.bench_rules [--quick] [--m 5,10] [--n 1000]
                                          [--peer-python .venv-bench/bin/python] [--cap 120]

Impartial-culture profiles for m = 5 ... 200 alternatives and n = 1,000 and 100,000 voters are drawn
once, compressed to distinct rankings with counts and saved to a temporary ``.npz``; this process times
our side (building the :class:`~aggregation.Profile` from the rankings plus the registry rule, median
of up to 50 runs while they total under 0.3 s), ``bench/peer_rules.py`` times pref_voting's side in
``.venv-bench`` (its Profile plus its function). Both are end to end from the same rankings. The ratio
is pref_voting's time over ours; the last column says whether the winner sets agree (for a lottery: its
support). Rules exponential in m (Kemeny, Slater, Banks, Dodgson, and pref_voting's enumeration for
the C1 lottery and the bipartisan set) run on pref_voting's side only up to the size in :data:`RULES`;
a pref_voting call past ``--cap`` seconds stops that rule's larger sizes for the same number of voters.
"""
from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from aggregation import Profile, RULES as REGISTRY

ROOT = Path(__file__).resolve().parents[1]
SIZES_M = (5, 10, 20, 50, 100, 200)
SIZES_N = (1_000, 100_000)
#: our rule id -> (pref_voting module, function, largest m to run)
RULES = {
    "copeland": ("c1_methods", "copeland", 200),
    "llull": ("c1_methods", "llull", 200),
    "minimax": ("margin_based_methods", "minimax", 200),
    "schulze": ("margin_based_methods", "beat_path", 200),
    "ranked_pairs": ("margin_based_methods", "ranked_pairs", 200),
    "split_cycle": ("margin_based_methods", "split_cycle", 200),
    "stable_voting": ("margin_based_methods", "stable_voting", 200),
    "black": ("combined_methods", "blacks", 200),
    "smith_set": ("c1_methods", "top_cycle", 200),
    "schwartz_set": ("c1_methods", "gocha", 200),
    "uncovered_set": ("c1_methods", "uc_gill", 200),
    "essential_set": ("margin_based_methods", "essential", 200),
    "proportional_borda": ("probabilistic_methods", "pr_borda", 200),
    "c1_maximal_lottery": ("probabilistic_methods", "c1_maximal_lottery", 10),
    "bipartisan_set": ("c1_methods", "bipartisan", 10),
    "kemeny_young": ("other_methods", "kemeny_young", 5),
    "slater": ("c1_methods", "slater", 5),
    "banks_set": ("c1_methods", "banks", 5),
    "dodgson": ("other_methods", "dodgson", 10),
}


def median_time(fn, budget=0.3, repeat=50):
    """Median over repeated calls: up to ``repeat`` of them while the total stays under ``budget`` seconds
    (at least one), so that sub-millisecond timings are not one noisy sample."""
    times, out = [], None
    while len(times) < repeat and (not times or sum(times) < budget):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def profiles(sizes_m, sizes_n):
    out = {}
    for n in sizes_n:
        for m in sizes_m:
            rng = np.random.default_rng(1000 * m + n)
            orders = np.argsort(rng.random((n, m)), axis=1)
            uniq, counts = np.unique(orders, axis=0, return_counts=True)
            out[f"{m}x{n}"] = (uniq, counts)
    return out


def main() -> None:
    quick = "--quick" in sys.argv
    peer = sys.argv[sys.argv.index("--peer-python") + 1] if "--peer-python" in sys.argv else \
        str(ROOT / ".venv-bench" / "bin" / "python")
    cap = sys.argv[sys.argv.index("--cap") + 1] if "--cap" in sys.argv else "120"
    sizes_m, sizes_n = ((5, 20, 50), (1_000,)) if quick else (SIZES_M, SIZES_N)
    if "--m" in sys.argv:
        sizes_m = tuple(int(x) for x in sys.argv[sys.argv.index("--m") + 1].split(","))
    if "--n" in sys.argv:
        sizes_n = tuple(int(x) for x in sys.argv[sys.argv.index("--n") + 1].split(","))
    data = profiles(sizes_m, sizes_n)
    with tempfile.TemporaryDirectory() as tmp:
        npz, spec, result = Path(tmp) / "profiles.npz", Path(tmp) / "rules.json", Path(tmp) / "peer.json"
        np.savez(npz, **{f"orders_{k}": o for k, (o, _) in data.items()},
                 **{f"counts_{k}": c for k, (_, c) in data.items()})
        spec.write_text(json.dumps(RULES))
        started = time.perf_counter()
        peer_run = subprocess.run([peer, str(ROOT / "bench" / "peer_rules.py"), str(npz), str(spec), str(result),
                                   "--cap", cap], capture_output=True, text=True)
        if peer_run.returncode != 0:
            sys.exit(f"the peer process failed:\n{peer_run.stderr[-3000:]}")
        theirs = json.loads(result.read_text())
        peer_seconds = time.perf_counter() - started
    print(f"impartial culture; times end to end from the same distinct rankings (median); ratio = pref_voting / ours; "
          f"peer process {peer_seconds:.0f} s\n")
    print(f"{'rule':>20} {'m':>4} {'n':>7} | {'ours':>10} {'pref_voting':>12} {'ratio':>8} | agree")
    for rule_id, (_, _, max_m) in RULES.items():
        rule = REGISTRY[rule_id]
        for key, (orders, counts) in data.items():
            m, n = (int(x) for x in key.split("x"))
            if m > max_m and m > 20:
                continue
            names = [str(i) for i in range(m)]

            def ours():
                p = Profile.from_orders(orders, names, counts)
                ok, why = rule.applies_to(p)
                return rule.compute(p) if ok else why

            t, out = median_time(ours)
            if isinstance(out, str):
                print(f"{rule_id:>20} {m:>4} {n:>7} | {'refused':>10} ({out[:70]})")
                continue
            got = sorted(int(a) for a in (out.support if rule.output == "lottery" else out.winners))
            peer = theirs.get(f"{rule_id}|{key}")
            if peer is None or peer.get("seconds") is None:
                note = peer["note"] if peer is not None else (
                    f"pref_voting not run beyond m = {max_m} (exponential in m)" if m > max_m else
                    "pref_voting not run: a smaller m ran past the cap")
                print(f"{rule_id:>20} {m:>4} {n:>7} | {t * 1e3:>8.1f}ms {'-':>12} {'-':>8} | {note}")
                continue
            agree = "yes" if got == peer["winners"] else f"NO (ours {got[:6]}, theirs {peer['winners'][:6]})"
            print(f"{rule_id:>20} {m:>4} {n:>7} | {t * 1e3:>8.1f}ms {peer['seconds'] * 1e3:>10.1f}ms "
                  f"{peer['seconds'] / t:>7.1f}x | {agree}", flush=True)


if __name__ == "__main__":
    main()
