"""Each rule shared with pref_voting, timed against it on identical profiles (prints; never asserts).

    .venv/bin/python -m bench.bench_rules                       # m = 5 ... 200, n = 1,000 and 100,000
    .venv/bin/python -m bench.bench_rules --sizes 5,20 --voters 1000 --rules instant_runoff,coombs

Two environments, one set of profiles: impartial-culture rankings (seeded) are written to a temporary
folder; our rules are timed in this process (``.venv``), pref_voting's in a separate process run with
the peer environment's Python (``.venv-bench``, built by ``bench/run_peers``; another one can be named
with ``PEER_PYTHON=/path/to/python``), which loads the same files and never imports our code (this
file, run as ``python bench/bench_rules.py --peer FOLDER``, imports only numpy and pref_voting).

What is timed, per rule and profile (median of up to 3 runs while they fit the budget):

* ours, end to end: ``Profile.from_orders`` on the raw rankings and the registry's ``compute``; a
  fresh profile each run, so nothing cached (e.g. the margins) is reused;
* pref_voting: building its ``Profile`` (once per profile; it precomputes every pairwise tally) and the
  rule on the built profile. The "end to end" ratio is ``(build + rule) / ours``; the "rule" ratio
  leaves pref_voting's build out (a lower bound of the gap).

A pref_voting call longer than ``--budget`` seconds is interrupted (SIGALRM) and reported as ``>``
the budget; that rule is then skipped at larger m for that n. Parallel-universe instant runoff is
exponential in the worst case (NP-hard, Conitzer, Rognlie & Xia 2009): it is timed only up to
m = 20. Winners are compared on every cell (pref_voting's ``tideman_alternative_gocha`` may differ
from ours where a margin is exactly 0: see tests/rules/test_peer_scoring_elimination.py); for a lottery,
its support. The rules whose exact computation is exponential (ranked pairs and Stable Voting with
their tie handling, Kemeny, Slater, Banks, Dodgson) refuse beyond their stated sizes: such cells read
"ours: refused" and the reasons are listed under the table.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SIZES = (5, 10, 20, 50, 100, 200)
VOTERS = (1_000, 100_000)
SEED = 20261127
#: our rule id -> (pref_voting module, function, largest m it is timed at or None)
PEER = {
    "anti_plurality": ("scoring_methods", "anti_plurality", None),
    "dowdall": ("scoring_methods", "dowdall", None),
    "bucklin": ("other_methods", "bucklin", None),
    "simplified_bucklin": ("other_methods", "simplified_bucklin", None),
    "instant_runoff": ("iterative_methods", "instant_runoff", None),
    "instant_runoff_put": ("iterative_methods", "instant_runoff_put", 20),
    "instant_runoff_ranking": ("iterative_methods", "instant_runoff_ranking", None),
    "plurality_with_runoff": ("iterative_methods", "plurality_with_runoff_put", None),
    "coombs": ("iterative_methods", "coombs", None),
    "baldwin": ("iterative_methods", "baldwin", None),
    "nanson": ("iterative_methods", "strict_nanson", None),
    "weak_nanson": ("iterative_methods", "weak_nanson", None),
    "benham": ("iterative_methods", "benham", None),
    "tideman_alternative_smith": ("iterative_methods", "tideman_alternative_smith", None),
    "tideman_alternative_schwartz": ("iterative_methods", "tideman_alternative_gocha", None),
    # majority, margin, Kemeny, set and lottery rules (aggregation/rules/{majority,margins,kemeny,sets,lotteries}.py)
    "copeland": ("c1_methods", "copeland", None),
    "llull": ("c1_methods", "llull", None),
    "black": ("combined_methods", "blacks", None),
    "minimax": ("margin_based_methods", "minimax", None),
    "schulze": ("margin_based_methods", "beat_path", None),
    "ranked_pairs": ("margin_based_methods", "ranked_pairs", None),  # both parallel-universe: exponential worst case
    "split_cycle": ("margin_based_methods", "split_cycle", None),
    "stable_voting": ("margin_based_methods", "stable_voting", None),  # both recursive over subsets
    "smith_set": ("c1_methods", "top_cycle", None),
    "schwartz_set": ("c1_methods", "gocha", None),
    "uncovered_set": ("c1_methods", "uc_gill", None),
    "essential_set": ("margin_based_methods", "essential", None),
    "proportional_borda": ("probabilistic_methods", "pr_borda", None),
    "c1_maximal_lottery": ("probabilistic_methods", "c1_maximal_lottery", 10),  # pref_voting enumerates equilibria
    "bipartisan_set": ("c1_methods", "bipartisan", 10),
    "kemeny_young": ("other_methods", "kemeny_young", 10),  # pref_voting: every permutation; ours: 2^m subsets
    "slater": ("c1_methods", "slater", 10),
    "banks_set": ("c1_methods", "banks", 10),
    "dodgson": ("other_methods", "dodgson", 10),
}


class OverBudget(Exception):
    pass


def _alarm(signum, frame):
    raise OverBudget


def timed(fn, budget: float, repeat: int = 3):
    """``(median seconds, result)`` over up to ``repeat`` runs while the total stays under ``budget``;
    ``(None, None)`` when one run exceeds it (interrupted)."""
    signal.signal(signal.SIGALRM, _alarm)
    times, out, start = [], None, time.perf_counter()
    while len(times) < repeat and (not times or time.perf_counter() - start + times[-1] < budget):
        signal.setitimer(signal.ITIMER_REAL, budget)
        try:
            t = time.perf_counter()
            out = fn()
            times.append(time.perf_counter() - t)
        except OverBudget:
            return None, None
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    return statistics.median(times), out


def profile_files(folder: Path, sizes, voters) -> list[dict]:
    files = []
    for n in voters:
        for m in sizes:
            rng = np.random.default_rng(SEED + 1000 * m + n)
            orders = np.argsort(rng.random((n, m)), axis=1).astype(np.int16)
            path = folder / f"ic_n{n}_m{m}.npy"
            np.save(path, orders)
            files.append({"n": n, "m": m, "path": str(path)})
    return files


# ---------------------------------------------------------------------------- the peer's side
def peer(folder: Path, rules, budget: float) -> dict:
    """Runs in the peer environment: pref_voting on every profile file listed in ``folder/cells.json``."""
    import importlib

    from pref_voting.profiles import Profile as PVProfile

    cells = json.loads((folder / "cells.json").read_text())
    warm = PVProfile(np.argsort(np.random.default_rng(0).random((7, 4)), axis=1).tolist())
    functions = {}
    for rule in rules:
        module, name, _ = PEER[rule]
        functions[rule] = getattr(importlib.import_module(f"pref_voting.{module}"), name)
        functions[rule](warm)  # numba JIT and imports out of the timings
    out, given_up = {}, set()
    for cell in cells:
        n, m = cell["n"], cell["m"]
        orders = np.load(cell["path"]).astype(int).tolist()
        t_build, prof = timed(lambda: PVProfile(orders), 6 * budget, repeat=1)
        key = f"{n}:{m}"
        out[key] = {"build": t_build, "rules": {}}
        print(
            f"  pref_voting n = {n:,} m = {m}: build {'> %gs' % (6 * budget) if t_build is None else '%.3fs' % t_build}",
            file=sys.stderr,
            flush=True,
        )
        for rule in rules:
            cap = PEER[rule][2]
            if prof is None or (rule, n) in given_up or (cap is not None and m > cap):
                out[key]["rules"][rule] = {"skipped": True}
                continue
            t, answer = timed(lambda: functions[rule](prof), budget)
            if t is None:
                given_up.add((rule, n))
                out[key]["rules"][rule] = {"over": budget}
                continue
            if hasattr(answer, "first"):  # a Ranking (instant_runoff_ranking)
                answer = sorted(answer.first())
            elif isinstance(answer, dict):  # a lottery: compare its support
                answer = [c for c, p in answer.items() if p > 1e-9]
            out[key]["rules"][rule] = {"time": t, "winners": sorted(int(c) for c in answer)}
    return out


# ---------------------------------------------------------------------------- our side and the table
def _forget_searches() -> None:
    """Clear the caches of the searches whose refusal (``Rule.limit``) runs them before ``compute`` (ranked pairs,
    Stable Voting), so that every timed run does the whole search."""
    from aggregation.rules import margins

    margins._ranked_pairs_cached.cache_clear()
    margins._stable_cached.cache_clear()


def ours(cells, rules, budget: float) -> dict:
    from aggregation import Profile
    from aggregation.rules.registry import RULES

    out = {}
    for cell in cells:
        orders = np.load(cell["path"])
        names = [str(i) for i in range(cell["m"])]
        key = f"{cell['n']}:{cell['m']}"
        out[key] = {}
        for rule in rules:
            cap = PEER[rule][2]
            if cap is not None and cell["m"] > cap:
                continue

            def run():
                _forget_searches()
                return RULES[rule].compute(Profile.from_orders(orders, names))

            ok, reason = RULES[rule].applies_to(Profile.from_orders(orders, names))
            if not ok:  # a stated exact-size limit (Kemeny, Dodgson, ...)
                out[key][rule] = {"refused": reason}
                continue
            t, result = timed(run, budget)
            chosen = None if t is None else (result.support if RULES[rule].output == "lottery" else result.winners)
            out[key][rule] = None if t is None else {"time": t, "winners": sorted(int(a) for a in chosen)}
    return out


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--voters", default=",".join(map(str, VOTERS)))
    parser.add_argument("--rules", default=",".join(PEER))
    parser.add_argument("--budget", type=float, default=30.0, help="seconds one pref_voting call may take")
    parser.add_argument("--peer", metavar="FOLDER", help=argparse.SUPPRESS)  # internal: the peer's process
    parser.add_argument("--json", metavar="PATH", help="also write the raw timings here")
    args = parser.parse_args(argv)
    rules = [r for r in args.rules.split(",") if r]
    unknown = [r for r in rules if r not in PEER]
    if unknown:
        parser.error(f"unknown rule {unknown[0]!r} (known: {', '.join(PEER)})")
    if args.peer:
        folder = Path(args.peer)
        (folder / "peer.json").write_text(json.dumps(peer(folder, rules, args.budget)))
        return

    peer_python = os.environ.get("PEER_PYTHON", str(ROOT / ".venv-bench" / "bin" / "python"))
    if not Path(peer_python).exists():
        sys.exit(
            f"no peer environment at {peer_python}: run bench/run_peers once (it builds .venv-bench), "
            "or set PEER_PYTHON"
        )
    sizes = [int(s) for s in args.sizes.split(",")]
    voters = [int(v) for v in args.voters.split(",")]
    with tempfile.TemporaryDirectory(prefix="bench-rules-") as tmp:
        folder = Path(tmp)
        cells = profile_files(folder, sizes, voters)
        (folder / "cells.json").write_text(json.dumps(cells))
        print(f"timing ours on {len(cells)} profiles ...", file=sys.stderr, flush=True)
        mine = ours(cells, rules, args.budget)
        print("timing pref_voting (separate process) ...", file=sys.stderr, flush=True)
        subprocess.run(
            [
                peer_python,
                str(Path(__file__).resolve()),
                "--peer",
                tmp,
                "--rules",
                ",".join(rules),
                "--budget",
                str(args.budget),
            ],
            check=True,
            cwd=tmp,
        )
        theirs = json.loads((folder / "peer.json").read_text())
    if args.json:
        Path(args.json).write_text(json.dumps({"ours": mine, "pref_voting": theirs}, indent=1))

    print("\nimpartial culture; ours: Profile.from_orders + rule; pref_voting: build its Profile + rule;")
    print(
        "ratio = pref_voting / ours (end to end; in brackets: pref_voting's rule alone); '>' = pref_voting "
        f"interrupted at {args.budget:g} s\n"
    )
    for n in voters:
        print(f"n = {n:,} voters")
        header = f"{'rule':<30}" + "".join(f"{'m = ' + str(m):>22}" for m in sizes)
        print(header)
        print("-" * len(header))
        for rule in rules:
            row = f"{rule:<30}"
            for m in sizes:
                key = f"{n}:{m}"
                ours_cell, pv = mine[key].get(rule), theirs[key]["rules"].get(rule, {})
                build = theirs[key]["build"]
                if rule not in mine[key]:
                    text = "-"  # beyond the rule's largest m
                elif ours_cell is None:
                    text = "ours > budget"
                elif "refused" in ours_cell:
                    text = "ours: refused"
                elif build is None:
                    text = f"{ours_cell['time'] * 1e3:.1f}ms >{6 * args.budget / ours_cell['time']:.0f}x(build)"
                elif pv.get("skipped"):
                    text = f"{ours_cell['time'] * 1e3:.1f}ms (pv skip)"
                elif "over" in pv:
                    text = f"{ours_cell['time'] * 1e3:.1f}ms >{(pv['over'] + build) / ours_cell['time']:.0f}x"
                else:
                    agree = "" if pv["winners"] == ours_cell["winners"] else "!"
                    text = (
                        f"{ours_cell['time'] * 1e3:.1f}ms {(pv['time'] + build) / ours_cell['time']:.0f}x"
                        f"({pv['time'] / ours_cell['time']:.1f}){agree}"
                    )
                row += f"{text:>22}"
            print(row)
        builds = "  ".join(
            f"m={m}: " + ("> budget" if theirs[f'{n}:{m}']['build'] is None else f"{theirs[f'{n}:{m}']['build']:.2f}s")
            for m in sizes
        )
        print(f"pref_voting Profile build: {builds}\n")
    print(
        "'!' marks a cell where the winners differ (for a lottery: its support). 'ours: refused' is a rule's stated "
        "exact-size limit:"
    )
    for rule in rules:
        reasons = {
            cell.get("refused")
            for cells in mine.values()
            for r, cell in cells.items()
            if r == rule and cell and "refused" in cell
        }
        for reason in sorted(reasons):
            print(f"  {rule}: {reason}")


if __name__ == "__main__":
    main()
