"""Tables of pairwise comparisons (``chosen``, ``rejected``, optionally who judged) as CSV or JSONL."""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pandas as pd

from .. import bounds
from ..errors import AggregationError
from ..populations.comparisons import VOTER_COLUMNS, PairwiseData
from ..validate import cell, short
from .csv import read_csv_table, to_csv


# ---------------------------------------------------------------------------- comparisons
#: The columns a comparison file may hold; any other column is left out when it is read.
COLUMNS = ("prompt", "chosen", "rejected", *VOTER_COLUMNS)


def read_comparisons(text: str, fmt: str = "csv", prompt: str | None = None) -> PairwiseData:
    """A table of comparisons (CSV or JSONL) with columns ``chosen``, ``rejected`` and optionally
    ``prompt`` and ``voter`` / ``annotator`` / ``type``. A file with several prompts needs
    ``prompt`` to pick one (the dashboard compares responses to a single prompt). In JSONL every
    line is one JSON object; ``chosen`` and ``rejected`` are names (text, or a number read as text)."""
    if not isinstance(fmt, str):
        raise AggregationError(f"the comparison format must be 'csv' or 'jsonl', got {type(fmt).__name__}")
    if prompt is not None and not isinstance(prompt, str):
        raise AggregationError(f"the prompt to pick must be text, got {type(prompt).__name__}")
    fmt = fmt.lower().lstrip(".")
    if fmt == "csv":
        table = read_csv_table(text, limit="MAX_COMPARISONS")
        found = list(table.columns)
        table = table[[c for c in table.columns if c in COLUMNS]].copy()
        table["__line"] = np.arange(len(table)) + 2  # the header is line 1
    elif fmt in ("jsonl", "json"):
        rows, found = _jsonl_rows(text)
        table = pd.DataFrame(rows)
    else:
        raise AggregationError(f"unknown comparison format {fmt[:20]!r}: use csv or jsonl")
    if table.empty:
        raise AggregationError("the comparison file has no rows")
    for col in ("chosen", "rejected"):
        if col not in table.columns:
            raise AggregationError(
                f"the comparison file has no {col!r} column (columns found: "
                f"{', '.join(str(c)[:40] for c in found[:20]) or 'none'})"
            )
    if "prompt" in table.columns:
        texts = table["prompt"].map(lambda p: "" if p is None or p != p else str(p))
        prompts = list(dict.fromkeys(texts))
        if prompt is not None:
            if prompt not in prompts:
                raise AggregationError(f"no comparison has the prompt {prompt[:60]!r}")
            table = table[texts == prompt]
        elif len(prompts) > 1:
            shown = "; ".join(repr(p[:60]) for p in prompts[:3])
            raise AggregationError(
                f"the file has {len(prompts)} different prompts ({shown}{'; ...' if len(prompts) > 3 else ''}); pick one"
            )
    table = table.reset_index(drop=True)
    lines = table.pop("__line").to_numpy()
    try:
        return PairwiseData(table)
    except AggregationError as exc:
        if m := re.match(r"row (\d+): (.*)", str(exc), re.DOTALL):
            raise AggregationError(m.group(2), line=int(lines[int(m.group(1)) - 1])) from None
        raise


#: Lines of a JSONL file end with LF, CRLF or a lone CR (a JSON string cannot hold any of them unescaped;
#: it can hold U+2028, where ``str.splitlines`` would split).
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _jsonl_rows(text: str) -> tuple[list[dict], list[str]]:
    """The rows of a JSONL comparison file (one JSON object per line, only the columns of :data:`COLUMNS`,
    at most :data:`~aggregation.bounds.MAX_COMPARISONS` of them) and the first fields found."""
    rows, found = [], {}
    text = bounds.text(text, "the JSONL file")
    lines = bounds.line_count(text)  # one comparison per line: the lines bound the rows before any is read
    if lines > bounds.MAX_COMPARISONS + 1:
        bounds.check("MAX_COMPARISONS", lines, "the JSONL file", found=f"{lines:,} lines (one comparison each)")
    for lineno, line in enumerate(_LINE_BREAK.split(text), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise AggregationError(f"not valid JSON ({exc.msg})", line=lineno) from None
        except RecursionError:
            raise AggregationError("the JSON is nested too deeply", line=lineno) from None
        except ValueError as exc:  # e.g. an integer of more than 4,300 digits
            raise AggregationError(f"not valid JSON ({str(exc)[:80]})", line=lineno) from None
        if not isinstance(obj, dict):
            raise AggregationError("each line must be a JSON object", line=lineno)
        bounds.check("MAX_COLUMNS", len(obj), "this JSON object", line=lineno, found=f"{len(obj):,} fields")
        if len(found) < 20:
            found.update(dict.fromkeys(obj))
        row = {"__line": lineno}
        for key in COLUMNS:
            if key in obj:
                try:
                    value = cell(obj[key], key)
                except AggregationError as exc:
                    raise AggregationError(str(exc), line=lineno) from None
                if isinstance(value, int) and abs(value) >= 10**18:
                    raise AggregationError(f"{key}: the number {short(value)} is too long to be a name", line=lineno)
                row[key] = value
        rows.append(row)
        bounds.check(
            "MAX_COMPARISONS", len(rows), "the JSONL file", found=f"more than {bounds.LIMITS['MAX_COMPARISONS']}"
        )
    return rows, list(found)


def write_comparisons(data: PairwiseData, fmt: str = "csv") -> str:
    """The comparisons as CSV (formula-safe, see :func:`~aggregation.formats.csv.formula_safe`) or JSONL.
    A comparison table holds only the alternatives that were compared: :func:`uncompared` lists the
    others (a population file keeps them)."""
    table = data.table[[c for c in data.table.columns if c in COLUMNS]]
    if fmt == "csv":
        return to_csv(table, index=False)
    if fmt == "jsonl":
        return "".join(
            json.dumps({k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()}) + "\n"
            for row in table.astype(object).to_dict(orient="records")
        )
    raise AggregationError(f"unknown comparison format {fmt!r}: use csv or jsonl")


def uncompared(data: PairwiseData) -> list[str]:
    """The alternatives of ``data`` that appear in no comparison (a comparison table cannot hold them)."""
    seen = set(data.table["chosen"]) | set(data.table["rejected"])
    return [a for a in data.alternatives if a not in seen]
