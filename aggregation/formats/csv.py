"""Rankings as a CSV table (columns ``ranking`` and ``weight``), and what every CSV written here shares:
a bounded reader and formula neutralisation.

Spreadsheet programs run a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
as a formula ("CSV injection", OWASP); a name such as ``=HYPERLINK(...)`` or ``-2+3+cmd|...`` must not
become one. :func:`formula_safe` puts an apostrophe before such a text cell (the spreadsheet then shows
the text as typed; numbers such as ``-0.25`` stay numbers), every CSV this package writes goes through
it (so does every CSV download of the dashboard), and :func:`read_csv_table` removes that apostrophe
again, so that a downloaded file imports back unchanged.
"""

from __future__ import annotations

import csv
import io
import math
import re

import pandas as pd

from .. import bounds
from ..errors import AggregationError
from ..populations.profile import Profile, format_weight, parse_ranking

#: First characters that make a spreadsheet read a cell as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
#: A cell that starts with a formula sign, after any apostrophes (so that a name such as ``'-x`` survives).
_FORMULA = re.compile("^'*[=+\\-@\t\r]")
#: A cell :func:`neutralise` wrote: one apostrophe more than the name had.
_NEUTRALISED = re.compile("^''*[=+\\-@\t\r]")


def neutralise(value):
    """One cell as a spreadsheet may open it: text that starts with a formula sign (after any apostrophes)
    gets one more leading apostrophe; numbers, and text that is a plain number (``-0.25``), are returned
    as they are. :func:`read_csv_table` removes that one apostrophe."""
    if isinstance(value, str) and _FORMULA.match(value) and not _PLAIN_NUMBER.match(value):
        return "'" + value
    return value


def _needs(values) -> bool:
    return any(isinstance(v, str) and _FORMULA.match(v) for v in values)


def formula_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its text cells, index labels and column labels :func:`neutralise`-d (a copy when
    anything changes, else ``frame`` itself)."""
    out = frame
    for i, (column, dtype) in enumerate(zip(frame.columns, frame.dtypes)):
        if (dtype == object or pd.api.types.is_string_dtype(dtype)) and _needs(frame.iloc[:, i].tolist()):
            out = out.copy() if out is frame else out
            out.iloc[:, i] = [neutralise(v) for v in frame.iloc[:, i].tolist()]
    for axis in ("index", "columns"):
        labels = getattr(frame, axis)
        if labels.nlevels == 1 and _needs(labels.tolist()):
            out = out.copy() if out is frame else out
            setattr(out, axis, pd.Index([neutralise(v) for v in labels.tolist()], name=labels.name))
    return out


def to_csv(frame: pd.DataFrame, *, index: bool = True) -> str:
    """``frame`` as CSV text, formula-safe (the one way this package and the dashboard write CSV)."""
    return formula_safe(frame).to_csv(index=index)


# ---------------------------------------------------------------------------- CSV rankings
def read_rankings_csv(text: str) -> Profile:
    """A CSV table with a ``ranking`` column (text syntax ``B > R = G``) and an optional ``weight``."""
    table = read_csv_table(text, limit="MAX_RANKINGS")
    if "ranking" not in table.columns:
        raise AggregationError(f"the CSV has no 'ranking' column (columns found: {', '.join(table.columns)})")
    has_weight = "weight" in table.columns
    weights, labels = [], []

    def rankings():
        for i, (cell, weight) in enumerate(
            zip(table["ranking"], table["weight"] if has_weight else [None] * len(table))
        ):
            lineno = i + 2  # header is line 1
            if not isinstance(cell, str) or not cell.strip():
                raise AggregationError("the ranking is empty", line=lineno)
            try:
                groups = parse_ranking(cell)
            except AggregationError as exc:
                raise exc.at_line(lineno) from None
            weights.append(_number(weight, "weight", lineno) if has_weight else 1.0)
            labels.append(f"line {lineno}")
            yield groups

    if table.empty:
        raise AggregationError("the CSV has no rows")
    return Profile.from_rankings(rankings(), weights, labels=labels)


def write_rankings_csv(profile: Profile) -> str:
    """Columns ``weight`` and ``ranking`` (formula-safe; the same text :func:`to_csv` writes for the table)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["weight", "ranking"])
    writer.writerows(
        [format_weight(w), neutralise(text)] for w, text in zip(profile.weights.tolist(), profile.ranking_texts())
    )
    return out.getvalue()


def read_csv_table(text: str, *, limit: str = "MAX_COMPARISONS") -> pd.DataFrame:
    """A CSV table of text cells (every cell a ``str``, nothing read as NaN), with lower-case column
    names; at most :data:`~aggregation.bounds.MAX_COLUMNS` columns and as many rows as the limit
    ``limit`` allows (no more rows are read). A cell written by :func:`formula_safe` gets its text back."""
    max_rows = bounds.LIMITS[limit].value
    text = bounds.text(text, "the CSV file")
    first = text.lstrip("\r\n").split("\n", 1)[0]
    bounds.check("MAX_COLUMNS", first.count(",") + 1, "the CSV header", line=1)
    try:
        table = pd.read_csv(
            io.StringIO(text), dtype=str, skipinitialspace=True, keep_default_na=False, nrows=max_rows + 1
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, ValueError) as exc:
        msg = str(exc).strip().splitlines()[0] if str(exc).strip() else "empty file"
        m = re.search(r"line (\d+)", msg)
        raise AggregationError(f"cannot read the CSV: {msg[:200]}", line=int(m.group(1)) if m else None) from None
    if len(table) > max_rows:
        bounds.check(limit, len(table), "the CSV file", found=f"more than {bounds.LIMITS[limit]}")
    table.columns = [str(c).strip().lower() for c in table.columns]
    twice = [c for i, c in enumerate(table.columns) if c in table.columns[:i]]
    if twice:
        raise AggregationError(f"the CSV has the column {twice[0][:40]!r} twice", line=1)
    for i in range(table.shape[1]):
        cells = table.iloc[:, i].tolist()
        if any(_NEUTRALISED.match(c) for c in cells):
            table.iloc[:, i] = [c[1:] if _NEUTRALISED.match(c) else c for c in cells]
    return table


def _number(cell, what: str, lineno: int) -> float:
    text = str(cell).strip()
    if len(text) > 40 or not _PLAIN_NUMBER.match(text):
        raise AggregationError(f"the {what} {text[:40]!r} is not a number", line=lineno)
    value = float(text)
    if not math.isfinite(value) or value <= 0:
        raise AggregationError(f"the {what} {text!r} must be a positive number", line=lineno)
    return value
