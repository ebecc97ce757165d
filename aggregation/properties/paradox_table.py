"""The table of paradoxes: for every rule x property of the registries, the smallest violation the
search of :mod:`.paradox` finds within stated bounds, precomputed offline into a data file.

Regenerate it (all rules and properties; a minute or so per rule on the development machine)::

    python -m aggregation.properties.paradox_table                 # writes presets/paradoxes.json
    python -m aggregation.properties.paradox_table --seconds 5 --rules borda plurality --out /tmp/p.json

Each pair gets the same size bounds (``--alternatives``, ``--voters``) and a budget of re-computations
of the rule worth about ``--seconds`` seconds (the rule's speed is measured once, on small profiles;
the budget is recorded in the entry, so that :func:`refind` repeats the very same search). The file
records its bounds, the date and, per entry: whether a violation was found (with the population, the
counterexample in words, the narrative and whether it is minimal), or none within the bounds, or why
the pair does not apply, and the sizes searched (in words, ``bounds``).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import statistics
import sys
import time
from pathlib import Path

from ..errors import AggregationError
from ..populations.profile import Profile
from ..rules.registry import RULES, get_rule
from ..rules.rule import RuleParams
from .base import Context
from .paradox import MAX_ALTERNATIVES, MAX_VOTERS, ParadoxSearch, profile_of, search
from .registry import PROPERTIES

#: The file's format (a reader refuses another).
FORMAT = 1
#: Where the dashboard reads the table (written by ``python -m aggregation.properties.paradox_table``).
DEFAULT_PATH = Path(__file__).resolve().parents[2] / "presets" / "paradoxes.json"
#: The default time per pair (seconds) that sets each pair's budget of re-computations.
SECONDS_PER_PAIR = 12.0
#: Budgets are rounded to these and kept between the first and the last.
BUDGETS = (250, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000)
FOUND, NONE_FOUND, NOT_APPLICABLE = "violation", "none found", "not applicable"
#: A pair whose rule turns out slower on the searched profiles than on the calibration ones stops after
#: this many times its seconds (its bounds then say so).
TIME_CAP = 3


def seconds_per_evaluation(rule, params: RuleParams | None = None) -> float:
    """How long one check-sized re-computation of ``rule`` takes here: the median over a few small
    profiles of strict rankings (3 and 4 alternatives, with and without a majority cycle)."""
    rule, params = get_rule(rule), params or RuleParams()
    samples = [
        profile_of(ms, m)
        for ms, m in (((0, 0, 3), 3), ((0, 3, 4), 3), ((0, 1, 5, 5), 3), ((0, 7, 14, 21), 4), ((0, 0, 9, 17, 22), 4))
    ]
    times = []
    for profile in samples:
        start = time.perf_counter()
        try:
            Context(profile, rule, params, None).out
        except AggregationError:
            continue
        times.append(time.perf_counter() - start)
    return statistics.median(times) if times else 1.0


def budget_for(seconds_each: float, seconds: float) -> int:
    """The budget of re-computations worth about ``seconds`` (each re-computation ~3x the bare rule:
    the property's bookkeeping), rounded down to one of :data:`BUDGETS`."""
    raw = seconds / max(3 * seconds_each, 1e-6)
    chosen = [b for b in BUDGETS if b <= raw]
    return chosen[-1] if chosen else BUDGETS[0]


def entry(result: ParadoxSearch) -> dict:
    """One pair of the table as plain data."""
    row = {
        "rule": result.rule,
        "property": result.property,
        "version": result.version,
        "max_alternatives": result.max_alternatives,
        "max_voters": result.max_voters,
        "max_evaluations": result.max_evaluations,
        "seed": result.seed,
        "evaluations": result.evaluations,
        "bounds": result.bounds_text(),
        "checks_exhaustive": result.checks_exhaustive,
    }
    if result.refusal:
        return {**row, "status": NOT_APPLICABLE, "reason": result.refusal}
    if result.paradox is None:
        return {**row, "status": NONE_FOUND}
    p = result.paradox
    return {
        **row,
        "status": FOUND,
        "voters": p.voters,
        "alternatives": p.alternatives,
        "minimal": p.minimal,
        "population": p.population.to_text(),
        "narrative": p.narrative,
    }


def generate(
    rules=None,
    properties=None,
    *,
    alternatives: int = MAX_ALTERNATIVES,
    voters: int = MAX_VOTERS,
    seconds: float = SECONDS_PER_PAIR,
    seed: int = 0,
    log=None,
) -> dict:
    """The table for ``rules`` x ``properties`` (default: every one of the registries)."""
    rules = list(rules) if rules is not None else list(RULES)
    properties = list(properties) if properties is not None else list(PROPERTIES)
    entries = []
    for rule_id in rules:
        each = seconds_per_evaluation(rule_id)
        budget = budget_for(each, seconds)
        for prop in properties:
            start = time.perf_counter()
            result = search(
                rule_id, prop, alternatives, voters, max_evaluations=budget, seed=seed, max_seconds=TIME_CAP * seconds
            )
            entries.append(entry(result))
            if log is not None:
                what = (
                    f"{result.paradox.voters} voters, {result.paradox.alternatives} alternatives"
                    if result.paradox
                    else result.refusal or "none found"
                )
                log(
                    f"{rule_id} x {prop}: {what} ({result.evaluations:,} of {budget:,} re-computations, "
                    f"{time.perf_counter() - start:.1f} s)"
                )
    return {
        "format": FORMAT,
        "generated": _dt.date.today().isoformat(),
        "command": "python -m aggregation.properties.paradox_table",
        "bounds": {
            "max_alternatives": alternatives,
            "max_voters": voters,
            "seconds_per_pair": seconds,
            "seed": seed,
            "profiles": "strict rankings with whole-number weights, up to renaming the alternatives",
        },
        "entries": entries,
    }


def write(table: dict, path: Path | str = DEFAULT_PATH) -> None:
    Path(path).write_text(json.dumps(table, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def read(path: Path | str = DEFAULT_PATH) -> dict:
    """The table from its file, checked (format, fields); :class:`AggregationError` naming the problem."""
    path = Path(path)
    try:
        table = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise AggregationError(f"{path.name}: cannot be read ({exc.strerror})") from None
    except json.JSONDecodeError as exc:
        raise AggregationError(f"{path.name}: not valid JSON (line {exc.lineno}: {exc.msg})") from None
    if not isinstance(table, dict) or table.get("format") != FORMAT:
        raise AggregationError(f"{path.name}: not a table of paradoxes of format {FORMAT}")
    for i, row in enumerate(table.get("entries", [])):
        missing = [k for k in ("rule", "property", "status", "bounds") if k not in row]
        if missing:
            raise AggregationError(f"{path.name}: entry {i + 1} has no {missing[0]!r}")
        if row["status"] == FOUND:
            row["population"] = Profile.parse(row["population"])
    return table


def lookup(table: dict, rule: str, prop: str) -> dict | None:
    """The entry of one pair, or None when the table does not have it (a rule added since)."""
    return next((row for row in table["entries"] if row["rule"] == rule and row["property"] == prop), None)


def refind(row: dict) -> ParadoxSearch:
    """The search an entry records, run again with the same bounds, budget and seed (an entry whose search
    was stopped by the time cap is repeated up to the same budget, so it may search further)."""
    return search(
        row["rule"],
        row["property"],
        row["max_alternatives"],
        row["max_voters"],
        max_evaluations=row["max_evaluations"],
        seed=row["seed"],
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m aggregation.properties.paradox_table",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--out", default=str(DEFAULT_PATH), help="where to write the table (JSON)")
    parser.add_argument("--rules", nargs="*", help="rule ids (default: every rule of the registry)")
    parser.add_argument("--properties", nargs="*", help="property ids (default: every property)")
    parser.add_argument("--alternatives", type=int, default=MAX_ALTERNATIVES)
    parser.add_argument("--voters", type=int, default=MAX_VOTERS)
    parser.add_argument("--seconds", type=float, default=SECONDS_PER_PAIR, help="time worth of budget per pair")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    table = generate(
        args.rules,
        args.properties,
        alternatives=args.alternatives,
        voters=args.voters,
        seconds=args.seconds,
        seed=args.seed,
        log=lambda line: print(line, flush=True),
    )
    write(table, args.out)
    print(f"wrote {len(table['entries'])} entries to {args.out}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
