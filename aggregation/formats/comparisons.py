"""Tables of pairwise comparisons (``chosen``, ``rejected``, optionally who judged) as CSV or JSONL."""
from __future__ import annotations

import json
import math
import re

import numpy as np
import pandas as pd

from ..errors import AggregationError
from ..populations.comparisons import PairwiseData
from .csv import read_csv_table


# ---------------------------------------------------------------------------- comparisons
def read_comparisons(text: str, fmt: str = "csv", prompt: str | None = None) -> PairwiseData:
    """A table of comparisons (CSV or JSONL) with columns ``chosen``, ``rejected`` and optionally
    ``prompt`` and ``voter`` / ``annotator`` / ``type``. A file with several prompts needs
    ``prompt`` to pick one (the dashboard compares responses to a single prompt)."""
    fmt = fmt.lower().lstrip(".")
    if fmt == "csv":
        table = read_csv_table(text)
        table["__line"] = np.arange(len(table)) + 2  # the header is line 1
    elif fmt in ("jsonl", "json"):
        rows = []
        for lineno, line in enumerate(str(text).splitlines(), start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise AggregationError(f"not valid JSON ({exc.msg})", line=lineno) from None
            if not isinstance(obj, dict):
                raise AggregationError("each line must be a JSON object", line=lineno)
            rows.append({**obj, "__line": lineno})
        table = pd.DataFrame(rows)
    else:
        raise AggregationError(f"unknown comparison format {fmt!r}: use csv or jsonl")
    if table.empty:
        raise AggregationError("the comparison file has no rows")
    for col in ("chosen", "rejected"):
        if col not in table.columns:
            raise AggregationError(
                f"the comparison file has no {col!r} column (columns found: "
                f"{', '.join(str(c) for c in table.columns if c != '__line')})")
    if "prompt" in table.columns:
        prompts = list(dict.fromkeys(table["prompt"].astype(str)))
        if prompt is not None:
            if prompt not in prompts:
                raise AggregationError(f"no comparison has the prompt {prompt!r}")
            table = table[table["prompt"].astype(str) == prompt]
        elif len(prompts) > 1:
            shown = "; ".join(repr(p[:60]) for p in prompts[:3])
            raise AggregationError(
                f"the file has {len(prompts)} different prompts ({shown}{'; ...' if len(prompts) > 3 else ''}); pick one")
    table = table.reset_index(drop=True)
    lines = table.pop("__line").to_numpy()
    try:
        return PairwiseData(table)
    except AggregationError as exc:
        if m := re.match(r"row (\d+): (.*)", str(exc)):
            raise AggregationError(m.group(2), line=int(lines[int(m.group(1)) - 1])) from None
        raise


def write_comparisons(data: PairwiseData, fmt: str = "csv") -> str:
    table = data.table
    if fmt == "csv":
        return table.to_csv(index=False)
    if fmt == "jsonl":
        return "".join(json.dumps({k: (None if isinstance(v, float) and math.isnan(v) else v)
                                   for k, v in row.items()}) + "\n"
                       for row in table.to_dict(orient="records"))
    raise AggregationError(f"unknown comparison format {fmt!r}: use csv or jsonl")
