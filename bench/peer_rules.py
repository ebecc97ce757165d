"""pref_voting's side of bench/bench_rules.py (runs in .venv-bench; imports nothing of ours).

    .venv-bench/bin/python bench/peer_rules.py PROFILES.npz RULES.json OUT.json [--cap SECONDS]

For each profile of PROFILES.npz (``orders_<key>``: distinct rankings as candidate indices best first,
``counts_<key>``: their counts) and each pref_voting function named in RULES.json, times building
pref_voting's Profile plus the rule (median of up to 50 runs while they total under 0.3 s; one when a run
takes longer) and records the winners. A rule that runs past ``--cap`` seconds on one size (SIGALRM) is not run on the
larger ones of the same number of voters.
"""
from __future__ import annotations

import importlib
import json
import signal
import statistics
import sys
import time

import numpy as np
from pref_voting.profiles import Profile


class _Cap(Exception):
    pass


def _alarm(signum, frame):
    raise _Cap


def main() -> None:
    path, rules_path, out_path = sys.argv[1:4]
    cap = int(sys.argv[sys.argv.index("--cap") + 1]) if "--cap" in sys.argv else 120
    data = np.load(path)
    keys = sorted({k.split("_", 1)[1] for k in data.files}, key=lambda k: tuple(int(x) for x in k.split("x"))[::-1])
    rules = json.loads(open(rules_path).read())
    signal.signal(signal.SIGALRM, _alarm)
    warm = Profile([[0, 1, 2], [1, 2, 0], [2, 0, 1]])
    results, capped = {}, set()
    for rule_id, (module, name, max_m) in rules.items():
        fn = getattr(importlib.import_module(f"pref_voting.{module}"), name)
        try:
            fn(warm)
        except Exception:        # noqa: BLE001 - a warm-up only
            pass
        for key in keys:
            m, n = (int(x) for x in key.split("x"))
            if (rule_id, n) in capped or m > max_m:
                continue
            orders, counts = data[f"orders_{key}"].tolist(), data[f"counts_{key}"].tolist()
            times, winners = [], None
            try:
                while len(times) < 50 and (not times or sum(times) < 0.3):
                    signal.alarm(cap)
                    start = time.perf_counter()
                    out = fn(Profile(orders, rcounts=counts))
                    times.append(time.perf_counter() - start)
                    signal.alarm(0)
                winners = sorted(int(c) for c in (out if isinstance(out, list) else
                                                  [c for c, p in out.items() if p > 1e-9]))
                results[f"{rule_id}|{key}"] = {"seconds": statistics.median(times), "winners": winners}
            except _Cap:
                capped.add((rule_id, n))
                results[f"{rule_id}|{key}"] = {"seconds": None, "note": f"over {cap} s"}
            except Exception as exc:   # noqa: BLE001 - reported, not hidden
                signal.alarm(0)
                results[f"{rule_id}|{key}"] = {"seconds": None, "note": f"{type(exc).__name__}: {exc}"[:120]}
            print(rule_id, key, results[f"{rule_id}|{key}"].get("seconds"), flush=True, file=sys.stderr)
    with open(out_path, "w") as fh:
        json.dump(results, fh)


if __name__ == "__main__":
    main()
