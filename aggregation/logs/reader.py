"""Importing a comparison log (CSV, JSON lines or Parquet) as :class:`~aggregation.ComparisonCounts`.

The file is never loaded whole: DuckDB, an embedded analytical engine, scans it out of core (in parallel
for CSV and Parquet) and aggregates it with one SQL ``GROUP BY`` into counts per (pair, annotator); only
those counts reach Python. Ten million arena rows become counts in seconds with memory bounded by the
number of counts kept (:data:`~aggregation.bounds.MAX_COUNT_CELLS`), not by the rows.

Every value is read as text (a number in a name column is the name ``"12"``). Names are stripped of
surrounding spaces; winner values are compared without case. The first row that cannot be read is
named in the error with the column and the value: the aggregation counts bad rows on its way, and only
when there is one a second, ordered scan finds the first (so a clean import reads the file once).
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .. import bounds
from ..errors import AggregationError
from ..populations.counts import ComparisonCounts, annotator_names
from ..validate import alternative_names, short
from .mapping import CHOSEN, LogMapping

#: The formats read, and the file endings that select them (a trailing ``.gz`` or ``.zst`` is allowed).
FORMATS = {"csv": ("csv", "tsv", "txt"), "jsonl": ("jsonl", "ndjson", "json"), "parquet": ("parquet", "pq")}
#: Rows shown by :func:`preview_log` (the Population page's mapping step).
PREVIEW_ROWS = 20
#: Memory DuckDB may use before it spills to disk.
MEMORY_LIMIT = "2GB"
#: A CSV cell :func:`~aggregation.formats.csv.neutralise` wrote (one apostrophe before a formula sign).
_NEUTRALISED = re.compile("^'('*[=+\\-@\t\r])")


def log_format(path, fmt: str | None = None) -> str:
    """``"csv"``, ``"jsonl"`` or ``"parquet"``: ``fmt`` when given, else from the file's ending."""
    if fmt is not None:
        if not isinstance(fmt, str) or fmt.lower().lstrip(".") not in FORMATS:
            raise AggregationError(f"unknown log format {short(fmt)}: use {', '.join(FORMATS)}")
        return fmt.lower().lstrip(".")
    suffixes = [s.lower().lstrip(".") for s in Path(str(path)).suffixes]
    if suffixes and suffixes[-1] in ("gz", "zst"):
        suffixes = suffixes[:-1]
    ending = suffixes[-1] if suffixes else ""
    for name, endings in FORMATS.items():
        if ending in endings:
            return name
    raise AggregationError(
        f"cannot tell the format of {Path(str(path)).name!r} from its ending: name it .csv, .jsonl "
        "or .parquet, or give the format"
    )


def _path(path) -> str:
    if not isinstance(path, (str, os.PathLike)):
        raise AggregationError(f"the log must be a path to a file, got {type(path).__name__}")
    p = Path(path)
    if not p.is_file():
        raise AggregationError(f"no such file: {str(p)[:300]!r}")
    return str(p)


def _quote(column: str) -> str:
    return '"' + column.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _connect(threads: int | None = None, *, ordered: bool = False):
    try:
        import duckdb
    except ImportError:  # pragma: no cover - duckdb is pinned in requirements.txt
        raise AggregationError(
            "importing a comparison log needs the duckdb package (pip install -r requirements.txt)"
        ) from None
    con = duckdb.connect(
        config={
            "memory_limit": MEMORY_LIMIT,
            "temp_directory": str(Path(tempfile.gettempdir()) / "aggregation-duckdb"),
            "preserve_insertion_order": ordered,
        }
    )
    if threads is not None:
        con.execute(f"SET threads = {max(1, int(threads))}")
    return con


def _source(fmt: str, columns: list[str] | None = None) -> str:
    """The table function reading the file given as the first parameter; every column as text."""
    if fmt == "csv":
        return "read_csv(?, all_varchar = true, header = true)"
    if fmt == "parquet":
        return "read_parquet(?)"
    if columns:
        spec = ", ".join(f"{_literal(c)}: 'VARCHAR'" for c in columns)
        return f"read_json(?, format = 'auto', columns = {{{spec}}})"
    return "read_json(?, format = 'auto')"


def _failing(exc: Exception, what: str) -> AggregationError:
    text = str(exc).strip().splitlines()
    return AggregationError(f"cannot read the {what}: {(text[0] if text else type(exc).__name__)[:300]}")


def log_columns(path, fmt: str | None = None) -> list[str]:
    """The column names of a log (for the mapping step)."""
    import duckdb

    source, fmt = _path(path), log_format(path, fmt)
    con = _connect(1)
    try:
        described = con.execute(f"DESCRIBE SELECT * FROM {_source(fmt)}", [source]).fetchall()
    except duckdb.Error as exc:
        raise _failing(exc, f"{fmt} file") from None
    finally:
        con.close()
    columns = [str(row[0]) for row in described]
    bounds.check("MAX_COLUMNS", len(columns), "the log's header", found=f"{len(columns):,} columns")
    return columns


def preview_log(path, fmt: str | None = None, rows: int = PREVIEW_ROWS) -> pd.DataFrame:
    """The first ``rows`` rows of a log, every cell as text (at most :data:`~aggregation.bounds.MAX_COLUMNS`
    columns; long cells cut to 200 characters)."""
    import duckdb

    source, fmt = _path(path), log_format(path, fmt)
    columns = log_columns(source, fmt)
    con = _connect(1, ordered=True)
    cells = ", ".join(f"left(CAST({_quote(c)} AS VARCHAR), 200) AS {_quote(c)}" for c in columns)
    try:
        frame = con.execute(
            f"SELECT {cells} FROM {_source(fmt, columns if fmt == 'jsonl' else None)} LIMIT {int(rows)}", [source]
        ).df()
    except duckdb.Error as exc:
        raise _failing(exc, f"{fmt} file") from None
    finally:
        con.close()
    return frame.astype(object).where(frame.notna(), None)


@dataclass(frozen=True)
class _Plan:
    """The SQL of one import: ``rows`` projects each row to ``a, b, w, ann`` (text), ``counts`` aggregates."""

    rows: str
    counts: str
    params: list


def _plan(mapping: LogMapping, fmt: str, source: str, limit: int) -> _Plan:
    text = "trim(CAST({} AS VARCHAR))"
    read = _source(fmt, list(mapping.columns.values()) if fmt == "jsonl" else None)
    if mapping.style == CHOSEN:
        a, b, w = text.format(_quote(mapping.chosen)), text.format(_quote(mapping.rejected)), "'a'"
    else:
        a, b = text.format(_quote(mapping.model_a)), text.format(_quote(mapping.model_b))
        w = f"lower({text.format(_quote(mapping.winner))})"
    ann = text.format(_quote(mapping.annotator)) if mapping.annotator else "'-'"
    rows = f"SELECT {a} AS a, {b} AS b, {w} AS w, {ann} AS ann FROM {read}"
    a_wins, b_wins, ties = (
        (["a"], [], []) if mapping.style == CHOSEN else (list(mapping.a_wins), list(mapping.b_wins), list(mapping.ties))
    )
    counts = f"""
        WITH src AS ({rows} LIMIT {int(limit) + 1}),
        scored AS (
            SELECT least(a, b) AS lo, greatest(a, b) AS hi, ann,
                   CASE WHEN list_contains(CAST(? AS VARCHAR[]), w) THEN (CASE WHEN a <= b THEN 0 ELSE 1 END)
                        WHEN list_contains(CAST(? AS VARCHAR[]), w) THEN (CASE WHEN a <= b THEN 1 ELSE 0 END)
                        WHEN list_contains(CAST(? AS VARCHAR[]), w) THEN 2 ELSE 3 END AS outcome,
                   (a IS NULL OR b IS NULL OR a = '' OR b = '' OR a = b OR ann IS NULL OR ann = ''
                    OR w IS NULL) AS bad
            FROM src)
        SELECT lo, hi, ann, count(*) FILTER (WHERE outcome = 0 AND NOT bad) AS first_wins,
               count(*) FILTER (WHERE outcome = 1 AND NOT bad) AS second_wins,
               count(*) FILTER (WHERE outcome = 2 AND NOT bad) AS ties,
               count(*) FILTER (WHERE outcome = 3 OR bad) AS bad
        FROM scored GROUP BY lo, hi, ann"""
    return _Plan(rows, counts, [source, a_wins, b_wins, ties])


def read_comparison_log(
    path, mapping: LogMapping, *, fmt: str | None = None, threads: int | None = None
) -> ComparisonCounts:
    """A comparison log at ``path`` (CSV, JSON lines or Parquet; ``fmt`` or the file's ending says which) as
    counts per pair and annotator (:class:`~aggregation.ComparisonCounts`), read with the columns of
    ``mapping`` (:class:`~aggregation.logs.LogMapping`).

    Streamed by DuckDB (``threads``: its worker threads, default one per core): memory grows with the
    counts kept, not with the rows. A tie counts half for each side in ``P``. Errors name the column and
    the first row concerned (rows counted from 1 after a CSV's header): a winner value the mapping does not
    list, an empty name or annotator, a response compared with itself, a name that is not printable text
    on one line; and the limits of :mod:`aggregation.bounds` (rows, alternatives, annotators, cells).
    """
    import duckdb

    if not isinstance(mapping, LogMapping):
        raise AggregationError(f"the mapping must be a LogMapping, got {type(mapping).__name__}")
    source, fmt = _path(path), log_format(path, fmt)
    mapping = mapping.resolved(log_columns(source, fmt))
    plan = _plan(mapping, fmt, source, bounds.MAX_LOG_ROWS)
    con = _connect(threads)
    try:
        con.execute(f"CREATE TEMP TABLE counts AS {plan.counts}", plan.params)
        rows, bad, cells = con.execute(
            "SELECT sum(first_wins + second_wins + ties + bad), sum(bad), count(*) FROM counts"
        ).fetchone()
        if not rows:
            raise AggregationError("the log has no rows")
        bounds.check("MAX_LOG_ROWS", int(rows), "the log", found=f"more than {bounds.LIMITS['MAX_LOG_ROWS']}")
        if bad:
            raise _first_bad_row(source, fmt, mapping, plan)
        bounds.check(
            "MAX_COUNT_CELLS", int(cells), "the log's counts", found=f"{int(cells):,} distinct (pair, annotator) cells"
        )
        names = [r[0] for r in con.execute("SELECT lo FROM counts UNION SELECT hi FROM counts ORDER BY 1").fetchall()]
        n_annotators = con.execute("SELECT count(DISTINCT ann) FROM counts").fetchone()[0]
        bounds.check("MAX_ALTERNATIVES", len(names), "the log", found=f"{len(names):,} different responses")
        if mapping.annotator:
            bounds.check(
                "MAX_ANNOTATORS", int(n_annotators), "the log", found=f"{int(n_annotators):,} different annotators"
            )
        fetched = con.execute("""
            WITH names AS (SELECT name, (row_number() OVER (ORDER BY name)) - 1 AS i
                           FROM (SELECT lo AS name FROM counts UNION SELECT hi FROM counts)),
                 who AS (SELECT ann, (row_number() OVER (ORDER BY ann)) - 1 AS j FROM (SELECT DISTINCT ann FROM counts))
            SELECT f.i AS first, s.i AS second, who.j AS annotator, first_wins, second_wins, ties
            FROM counts JOIN names f ON counts.lo = f.name JOIN names s ON counts.hi = s.name
                 JOIN who ON counts.ann = who.ann""").fetchnumpy()
        annotators = (
            [r[0] for r in con.execute("SELECT DISTINCT ann FROM counts ORDER BY 1").fetchall()]
            if mapping.annotator
            else None
        )
    except duckdb.Error as exc:
        raise _failing(exc, f"{fmt} file") from None
    finally:
        con.close()
    if fmt == "csv":
        names = _restored(names, "response")
        annotators = None if annotators is None else _restored(annotators, "annotator")
    for values, check in (
        (names, lambda v: alternative_names(v, what="the log's responses")),
        (annotators, lambda v: annotator_names(v, "the log's annotators")),
    ):
        if values is None:
            continue
        try:
            check(values)
        except AggregationError as exc:
            raise _name_error(source, fmt, mapping, plan, values, check, exc) from None
    return ComparisonCounts(
        names,
        fetched["first"],
        fetched["second"],
        fetched["first_wins"],
        fetched["second_wins"],
        fetched["ties"],
        fetched["annotator"] if annotators is not None else None,
        annotators,
    )


def _restored(names: list[str], what: str) -> list[str]:
    """Names of a CSV with the apostrophe :func:`~aggregation.formats.csv.neutralise` put before a formula
    sign removed (a CSV this package wrote reads back unchanged)."""
    if not any(n.startswith("'") for n in names):
        return names
    out = [_NEUTRALISED.sub(r"\1", n) for n in names]
    if len(set(out)) != len(out):
        twice = next(n for i, n in enumerate(out) if n in out[:i])
        raise AggregationError(f"the log names the {what} {twice!r} both with and without a leading apostrophe")
    return out


def _scan(source: str, fmt: str, plan: _Plan, check) -> AggregationError | None:
    """Read the rows in file order (one thread) and return ``check(batch, offset)``'s first error."""
    con = _connect(1, ordered=True)
    try:
        reader = con.sql(plan.rows, params=[source]).to_arrow_reader(100_000)
        offset = 0
        for batch in reader:
            found = check(batch.to_pandas(), offset)
            if found is not None:
                return found
            offset += batch.num_rows
    finally:
        con.close()
    return None


def _first_bad_row(source: str, fmt: str, mapping: LogMapping, plan: _Plan) -> AggregationError:
    """The error naming the first row the import cannot read."""
    roles = mapping.columns
    a_col = roles.get("model_a", roles.get("chosen"))
    b_col = roles.get("model_b", roles.get("rejected"))
    known = set(mapping.a_wins) | set(mapping.b_wins) | set(mapping.ties)

    def check(frame: pd.DataFrame, offset: int) -> AggregationError | None:
        a, b, w, ann = (frame[c].to_numpy(object) for c in ("a", "b", "w", "ann"))
        empty_a = pd.isna(a) | (a == "")
        empty_b = pd.isna(b) | (b == "")
        empty_ann = pd.isna(ann) | (ann == "")
        same = ~empty_a & (a == b)
        unknown = (
            (pd.isna(w) | ~pd.Series(w).isin(known).to_numpy()) if mapping.style != CHOSEN else np.zeros(len(a), bool)
        )
        bad = empty_a | empty_b | empty_ann | same | unknown
        if not bad.any():
            return None
        i = int(np.flatnonzero(bad)[0])
        row = offset + i + 1
        if empty_a[i] or empty_b[i]:
            return AggregationError(
                f"row {row}: the column {a_col if empty_a[i] else b_col!r} is empty "
                "(every row must name both responses)"
            )
        if empty_ann[i]:
            return AggregationError(
                f"row {row}: the annotator column {mapping.annotator!r} is empty (give every row "
                "an annotator, or map no annotator column)"
            )
        if same[i]:
            return AggregationError(
                f"row {row}: {a_col!r} and {b_col!r} are both {short(a[i])} (a response compared with itself)"
            )
        shown = "nothing" if pd.isna(w[i]) else short(w[i])
        return AggregationError(
            f"row {row}: the column {mapping.winner!r} holds {shown}, which the mapping does not read (A wins: "
            f"{', '.join(mapping.a_wins)}; B wins: {', '.join(mapping.b_wins)}; tie: {', '.join(mapping.ties) or 'none'})"
        )

    found = _scan(source, fmt, plan, check)
    return found or AggregationError("the log has a row that cannot be read (not found again on a second reading)")


def _name_error(
    source: str, fmt: str, mapping: LogMapping, plan: _Plan, values, check, exc: AggregationError
) -> AggregationError:
    """``exc`` (a name ``check`` refuses) located at the first row holding the first name refused alone."""

    def refused(value) -> bool:
        try:
            check([value])
        except AggregationError:
            return True
        return False

    culprit = next((v for v in values if refused(v)), None)
    if culprit is None:  # each name is fine alone (e.g. two names equal once stripped)
        return exc
    text = str(exc)
    roles = mapping.columns

    def check(frame: pd.DataFrame, offset: int) -> AggregationError | None:
        for column, role in (
            ("a", roles.get("model_a", roles.get("chosen"))),
            ("b", roles.get("model_b", roles.get("rejected"))),
            ("ann", mapping.annotator),
        ):
            if role is None:
                continue
            values = frame[column].map(
                lambda v: _NEUTRALISED.sub(r"\1", v) if fmt == "csv" and isinstance(v, str) else v
            )
            hits = np.flatnonzero((values == culprit).to_numpy())
            if hits.size:
                return AggregationError(f"row {offset + int(hits[0]) + 1}, column {role!r}: {text}")
        return None

    return _scan(source, fmt, plan, check) or exc
