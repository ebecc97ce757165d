"""The reinforcement check on a large population (prints; never asserts): issue 12's target, 100,000 rankings over
50 alternatives (impartial culture), for Borda, the maximal lottery and RLHF, with the check's time-budget
prediction next to the time it took.

    .venv/bin/python -m bench.bench_reinforcement                 # n = 100,000, m = 50
    .venv/bin/python -m bench.bench_reinforcement --eager         # the path before: every split's groups built
                                                                  # from their rankings (slow: minutes per rule)

Above ``electorate.BLOCK_SPLIT_ROWS`` distinct rankings the check splits whole blocks of rankings
(``electorate.BlockSplits``): one pass computes each block's pairwise counts, and each group's counts are a sum of
blocks. ``--eager`` turns the closed forms off (``Profile.closed_form_variations = False``): the groups are then
built from their rankings and their preference matrices counted again, as every split of the path before did
(the splits themselves stay the block splits, so the two columns time the same 100 splits; the path before drew
1,000 splits of single voters, ten times as many, each as costly). Columns: the rule's own answer and the distinct
rankings (paid before any property); "predicted", what ``check_rule``'s ``time_budget`` compares: the probe's
setup (the blocks' counts, kept for the check) + planned re-computations x the rule on one group; "probe", how
long that prediction took; "check", the check after it; "probe+check" is what the prediction stands for.
"""

from __future__ import annotations

import argparse
import time

from aggregation.populations.generators import impartial_culture
from aggregation.populations.profile import Profile
from aggregation.properties import axioms
from aggregation.properties.base import Context
from aggregation.properties.registry import get_property
from aggregation.rules.registry import get_rule
from aggregation.rules.rule import RuleParams


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--m", type=int, default=50)
    ap.add_argument("--rules", nargs="+", default=["borda", "maximal_lottery", "rlhf"])
    ap.add_argument("--eager", action="store_true")
    args = ap.parse_args()
    Profile.closed_form_variations = not args.eager
    print(
        f"reinforcement, impartial culture n = {args.n:,}, m = {args.m}"
        + (" (eager groups: the path before)" if args.eager else "")
    )
    print(
        f"{'rule':18} {'rule+rows s':>12} {'predicted s':>12} {'probe s':>8} {'check s':>8} {'probe+check':>12} "
        f"{'splits':>7}  verdict"
    )
    for rule in args.rules:
        profile = impartial_culture(args.n, args.m, seed=1)  # fresh: nothing cached
        ctx = Context(profile, get_rule(rule), RuleParams(), None)
        prop = get_property("reinforcement")
        start = time.perf_counter()
        ctx.out  # the rule's own answer, and the distinct rankings (the plan): paid before any property
        planned = prop.plan(profile)
        before = time.perf_counter() - start
        start = time.perf_counter()
        predicted = axioms.predicted_seconds(ctx, prop, planned)  # builds the blocks (kept) and times one group
        probe = time.perf_counter() - start
        ctx.start_check()
        start = time.perf_counter()
        result = prop.check(ctx)
        seconds = time.perf_counter() - start
        print(
            f"{rule:18} {before:12.2f} {predicted:12.2f} {probe:8.2f} {seconds:8.2f} {probe + seconds:12.2f} "
            f"{result.tried:>7}  {result.status}",
            flush=True,
        )


if __name__ == "__main__":
    main()
