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

How each violation was found (``found_by``; entries written before this field read as ``"search"``):
``"search"``, the search above within the file's bounds (``seconds``: how long it took); or
``"hand"``, an example entered by hand (:data:`KNOWN`) for a pair whose violation needs more voters than
the bounds allow: the entry says so in ``bounds`` and ``source`` (where the example comes from), keeps
what the search had searched, is never called minimal, and is confirmed by the live property check
whenever it is written (``seconds``: how long that check took). Add them to an existing file without
searching again::

    python -m aggregation.properties.paradox_table --known-only        # rewrites presets/paradoxes.json
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
from .axioms import run
from .base import FAIL, Context
from .paradox import MAX_ALTERNATIVES, MAX_VOTERS, ParadoxSearch, narrative, profile_of, search
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
#: How a violation was found (the entry's ``found_by``).
BY_SEARCH, BY_HAND = "search", "hand"

#: The elimination rules that share instant runoff's monotonicity failure on three alternatives (with three
#: alternatives in a majority cycle each of them eliminates the plurality loser, then takes the majority winner
#: of the last two).
_IRV_LIKE = (
    "instant_runoff",
    "instant_runoff_put",
    "instant_runoff_ranking",
    "plurality_with_runoff",
    "benham",
    "tideman_alternative_smith",
    "tideman_alternative_schwartz",
)
#: Instant runoff's monotonicity failure ("more is less") with no tie in any count that decides anything.
_MORE_IS_LESS = "5: A > C > B\n6: B > A > C\n6: C > B > A\n"
_MORE_IS_LESS_SOURCE = (
    "entered by hand, not found by the table's search: instant runoff's monotonicity failure (Smith 1973; "
    "Fishburn & Brams 1983, 'Paradoxes of preferential voting', the more-is-less paradox; Felsenthal 2011), "
    "derived for this table as a 3-alternative example with no tie in any elimination or runoff, before or "
    "after the change. By hand: A 5, B 6, C 6 first places, A is eliminated and its 5 voters go to C, C beats "
    "B 11 to 6. If 2 voters with B > A > C put C first (C > B > A), the first places become A 5, B 4, C 8; B is "
    "eliminated, its 4 voters go to A, and A beats C 9 to 8. The majorities form a cycle before and after "
    "(B beats A 12-5, C beats B 11-6 then 13-4, A beats C 11-6 then 9-8), so the rules that look for a "
    "Condorcet winner first (Benham, Tideman's alternative methods) run the same eliminations"
)
#: Hand-entered violations: (rule, property, population as text, where the example comes from). Each is
#: checked again with the live property check whenever the table is written (:func:`known_entry`).
KNOWN = tuple((rule, "monotonicity", _MORE_IS_LESS, _MORE_IS_LESS_SOURCE) for rule in _IRV_LIKE)
#: What a table's command says once :data:`KNOWN` was put into it without searching again.
KNOWN_COMMAND = "; then --known-only (the hand-entered examples, each marked as such)"
#: How a hand-entered entry's bounds go on to say what the search had searched.
SEARCHED_NONE = "The table's search found none: "


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
        "seconds": round(result.seconds, 2),
    }
    if result.refusal:
        return {**row, "status": NOT_APPLICABLE, "reason": result.refusal}
    if result.paradox is None:
        return {**row, "status": NONE_FOUND}
    p = result.paradox
    return {
        **row,
        "status": FOUND,
        "found_by": BY_SEARCH,
        "voters": p.voters,
        "alternatives": p.alternatives,
        "minimal": p.minimal,
        "population": p.population.to_text(),
        "narrative": p.narrative,
    }


def known_entry(searched: dict | None, rule_id: str, prop_id: str, population: str, source: str) -> dict:
    """The entry of a hand-entered violation (:data:`KNOWN`): the live check of ``prop_id`` is run on the
    population and must fail (else :class:`AggregationError`); the narrative is the one the search would
    write. ``searched``: what the search had searched for the pair (its entry's bounds and budget, kept)."""
    rule = get_rule(rule_id)
    profile = Profile.parse(population)
    start = time.perf_counter()
    ctx = Context(profile, rule, RuleParams(), None)
    result = run(ctx, prop_id)
    seconds = time.perf_counter() - start
    if result.status != FAIL:
        raise AggregationError(
            f"the hand-entered example for {rule_id} x {prop_id} does not violate it: {result.status}, {result.message}"
        )
    searched = searched or {}
    within = searched.get("bounds")
    return {
        "rule": rule.id,
        "property": prop_id,
        "version": ctx.version,
        "max_alternatives": searched.get("max_alternatives"),
        "max_voters": searched.get("max_voters"),
        "max_evaluations": searched.get("max_evaluations"),
        "seed": searched.get("seed"),
        "evaluations": searched.get("evaluations"),
        "bounds": f"{source}. {SEARCHED_NONE}{within}" if within else f"{source}.",
        "checks_exhaustive": searched.get("checks_exhaustive", True),
        "seconds": round(seconds, 2),
        "status": FOUND,
        "found_by": BY_HAND,
        "source": source,
        "voters": int(round(profile.total_weight)),
        "alternatives": len(profile.alternatives),
        "minimal": False,
        "population": profile.to_text(),
        "narrative": narrative(rule, profile, result, ctx.computed, ctx.version),
    }


def with_known(table: dict, known=KNOWN) -> dict:
    """``table`` with the hand-entered violations in place of the pairs the search found none for (a pair
    the search itself found keeps its entry; a pair the table lacks is added; one entered by hand before is
    written again from what its search had searched)."""
    entries = list(table["entries"])
    for rule_id, prop_id, population, source in known:
        at = next((i for i, row in enumerate(entries) if row["rule"] == rule_id and row["property"] == prop_id), None)
        row = entries[at] if at is not None else None
        searched = None
        if row is not None and row["status"] == FOUND and row.get("found_by", BY_SEARCH) == BY_SEARCH:
            continue
        if row is not None and row["status"] == NONE_FOUND:
            searched = row
        elif row is not None and row.get("found_by") == BY_HAND:
            before = row["bounds"].split(SEARCHED_NONE, 1)
            searched = {**row, "bounds": before[1] if len(before) == 2 else None}
        new = known_entry(searched, rule_id, prop_id, population, source)
        if at is None:
            entries.append(new)
        else:
            entries[at] = new
    return {**table, "entries": entries}


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
    table = {
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
    return with_known(table, [k for k in KNOWN if k[0] in rules and k[1] in properties])


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
    parser.add_argument(
        "--known-only",
        action="store_true",
        help="only put the hand-entered violations (KNOWN) into the table at --out, searching nothing",
    )
    args = parser.parse_args(argv)
    if args.known_only:
        table = with_known(json.loads(Path(args.out).read_text(encoding="utf-8")))
        if KNOWN_COMMAND not in table["command"]:
            table["command"] += KNOWN_COMMAND
        write(table, args.out)
        print(f"wrote {len(KNOWN)} hand-entered entries into {args.out}")
        return 0
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
