"""The command line of the core: comparison logs too large for the browser's upload limit.

``python -m aggregation.cli import-log PATH --model-a model_a --model-b model_b --winner winner
[--judge judge] --out counts.parquet`` reads a log (CSV, JSON lines or Parquet; streamed by DuckDB, see
:func:`aggregation.read_comparison_log`) and saves the compact population file of its counts
(:func:`aggregation.write_counts_file`), which the dashboard's Population page opens (or a population
file ``.json`` when ``--out`` ends so). ``--chosen`` / ``--rejected`` read a preference dataset instead.

``python -m aggregation.cli generate-log OUT --rows 10000000`` writes a seeded arena-style log
(:func:`aggregation.generate_log`) drawn from a population: a generator of :data:`aggregation.GENERATORS`
(default Mallows over 50 responses) or a population file (``--population FILE.json``).

Errors are the package's :class:`~aggregation.AggregationError` messages (naming the column and the row),
printed on one line with exit status 2.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
import json
import resource
import sys
import time
from pathlib import Path

from .errors import AggregationError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m aggregation.cli", description="Comparison logs at arena scale: import and generate."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    imp = sub.add_parser(
        "import-log",
        help="a comparison log (CSV, JSON lines, Parquet) as a counts file",
        description="Read a comparison log and save its counts per pair (and annotator).",
    )
    imp.add_argument("path", help="the log: .csv, .jsonl or .parquet (or give --format)")
    imp.add_argument("--format", dest="fmt", choices=["csv", "jsonl", "parquet"], help="the log's format")
    imp.add_argument("--model-a", help="column naming response A (winner style)")
    imp.add_argument("--model-b", help="column naming response B (winner style)")
    imp.add_argument("--winner", help="column saying who won (winner style)")
    imp.add_argument(
        "--a-wins", default="model_a", help="winner values meaning A won, comma-separated (default: model_a)"
    )
    imp.add_argument("--b-wins", default="model_b", help="winner values meaning B won (default: model_b)")
    imp.add_argument(
        "--ties",
        default="tie,tie (bothbad)",
        help="winner values meaning a tie (default: 'tie,tie (bothbad)'; a tie counts half for each side)",
    )
    imp.add_argument("--chosen", help="column naming the preferred response (chosen / rejected style)")
    imp.add_argument("--rejected", help="column naming the other response (chosen / rejected style)")
    imp.add_argument("--annotator", "--judge", dest="annotator", help="column of annotator ids (optional)")
    imp.add_argument(
        "--guess",
        action="store_true",
        help="guess the mapping from the column names (arena's model_a, model_b, winner, judge; or chosen, rejected)",
    )
    imp.add_argument("--threads", type=int, help="DuckDB's worker threads (default: one per core)")
    imp.add_argument("--out", required=True, help="the counts file to write (.parquet; or .json, a population file)")

    gen = sub.add_parser(
        "generate-log",
        help="a seeded arena-style log drawn from a population",
        description="Write a seeded arena-style comparison log (columns model_a, model_b, winner, "
        "judge, user_type) drawn from a population.",
    )
    gen.add_argument("out", help="the log to write: .csv, .jsonl or .parquet")
    gen.add_argument("--rows", type=int, default=1_000_000, help="rows (default 1,000,000)")
    gen.add_argument("--population", help="a population file (.json) saved by the dashboard")
    gen.add_argument(
        "--generator",
        default="mallows",
        help="a generator of aggregation.GENERATORS when no --population is given (default mallows)",
    )
    gen.add_argument("--alternatives", type=int, default=50, help="responses of the generated population (50)")
    gen.add_argument("--voters", type=int, default=1_000, help="voters (rankings) or user types (1,000)")
    gen.add_argument("--phi", type=float, default=0.8, help="Mallows' dispersion (0.8)")
    gen.add_argument("--annotators", type=int, default=1_000, help="annotator ids in the log (1,000)")
    gen.add_argument("--tie-probability", type=float, default=0.1, help="chance a row is a tie (0.1)")
    gen.add_argument("--seed", type=int, default=0, help="the seed (0)")
    gen.add_argument("--counts", help="also save the exact counts of what was written (.parquet)")
    return parser


def _values(text: str) -> list[str]:
    return [v for v in (part.strip() for part in text.split(",")) if v]


def _import(args) -> str:
    from .logs import LogMapping, guess_mapping, log_columns, read_comparison_log, write_counts_file
    from .formats.dicts import population_to_dict

    if args.guess:
        mapping = guess_mapping(log_columns(args.path, args.fmt))
        if mapping is None:
            raise AggregationError(
                "cannot guess the mapping: the log has neither model_a, model_b and winner nor "
                "chosen and rejected columns; name them with --model-a/--model-b/--winner or "
                "--chosen/--rejected"
            )
        if args.annotator:
            mapping = replace(mapping, annotator=args.annotator)
    else:
        mapping = LogMapping(
            args.model_a,
            args.model_b,
            args.winner,
            args.chosen,
            args.rejected,
            args.annotator,
            _values(args.a_wins),
            _values(args.b_wins),
            _values(args.ties),
        )
    out = Path(args.out)
    if out.suffix.lower() not in (".parquet", ".json"):
        raise AggregationError(
            f"--out must end in .parquet (a counts file) or .json (a population file), got {out.name!r}"
        )
    start = time.perf_counter()
    counts = read_comparison_log(args.path, mapping, fmt=args.fmt, threads=args.threads)
    seconds = time.perf_counter() - start
    if out.suffix.lower() == ".json":
        out.write_text(json.dumps(population_to_dict(counts), ensure_ascii=False) + "\n", encoding="utf-8")
    else:
        write_counts_file(counts, out)
    who = f", {counts.n_annotators:,} annotators" if counts.has_annotators else ""
    return (
        f"{counts.n_comparisons:,} comparisons ({counts.n_ties:,} ties) over {len(counts.alternatives)} responses"
        f"{who}: {counts.n_cells:,} count cells in {seconds:.2f} s (peak memory {_peak_mb():.0f} MB); "
        f"mapping: {mapping.describe()}; written to {out}"
    )


def _generate(args) -> str:
    from . import generate, generate_log, read_population_json, write_counts_file

    if args.population:
        population = read_population_json(Path(args.population).read_text(encoding="utf-8"), args.population)
    else:
        params = {"alternatives": args.alternatives, "seed": args.seed}
        if args.generator == "reward_mixture":
            params["n_types"] = args.voters
        else:
            params["n_voters"] = args.voters
        if args.generator == "mallows":
            params["phi"] = args.phi
        population = generate(args.generator, **params)
    start = time.perf_counter()
    log = generate_log(
        population,
        args.rows,
        args.out,
        tie_probability=args.tie_probability,
        annotators=args.annotators,
        seed=args.seed,
    )
    seconds = time.perf_counter() - start
    if args.counts:
        write_counts_file(log.counts, args.counts)
    return (
        f"{log.n_rows:,} rows over {len(population.alternatives)} responses, {args.annotators:,} annotators, "
        f"written to {log.path} ({log.fmt}) in {seconds:.1f} s"
    )


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        message = _import(args) if args.command == "import-log" else _generate(args)
    except AggregationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), file=sys.stderr)
        return 2
    print(message)
    return 0


if __name__ == "__main__":
    sys.exit(main())
