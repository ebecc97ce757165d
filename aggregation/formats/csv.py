"""Rankings as a CSV table (columns ``ranking`` and ``weight``)."""
from __future__ import annotations

import io
import math
import re

import pandas as pd

from ..errors import AggregationError
from ..populations.profile import Profile, format_weight, parse_ranking


# ---------------------------------------------------------------------------- CSV rankings
def read_rankings_csv(text: str) -> Profile:
    """A CSV table with a ``ranking`` column (text syntax ``B > R = G``) and an optional ``weight``."""
    table = read_csv_table(text)
    if "ranking" not in table.columns:
        raise AggregationError(f"the CSV has no 'ranking' column (columns found: {', '.join(table.columns)})")
    rankings, weights, labels = [], [], []
    for i, row in table.iterrows():
        lineno = int(i) + 2  # header is line 1
        cell = row["ranking"]
        if not isinstance(cell, str) or not cell.strip():
            raise AggregationError("the ranking is empty", line=lineno)
        try:
            rankings.append(parse_ranking(cell))
        except AggregationError as exc:
            raise AggregationError(str(exc), line=lineno) from None
        weights.append(_number(row.get("weight", "1"), "weight", lineno) if "weight" in table.columns else 1.0)
        labels.append(f"line {lineno}")
    if not rankings:
        raise AggregationError("the CSV has no rows")
    return Profile.from_rankings(rankings, weights, labels=labels)


def write_rankings_csv(profile: Profile) -> str:
    return profile.to_frame().assign(weight=lambda d: d["weight"].map(format_weight)).to_csv(index=False)


def read_csv_table(text: str) -> pd.DataFrame:
    try:
        table = pd.read_csv(io.StringIO(str(text)), dtype=str, skipinitialspace=True, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        msg = str(exc).strip().splitlines()[0] if str(exc).strip() else "empty file"
        m = re.search(r"line (\d+)", msg)
        raise AggregationError(f"cannot read the CSV: {msg}", line=int(m.group(1)) if m else None) from None
    table.columns = [str(c).strip().lower() for c in table.columns]
    return table


def _number(cell, what: str, lineno: int) -> float:
    try:
        value = float(str(cell).strip())
    except ValueError:
        raise AggregationError(f"the {what} {cell!r} is not a number", line=lineno) from None
    if not math.isfinite(value) or value <= 0:
        raise AggregationError(f"the {what} {cell!r} must be a positive number", line=lineno)
    return value
