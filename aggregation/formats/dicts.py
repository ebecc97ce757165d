"""Reading and writing populations: PrefLib files, CSV tables, comparison tables and plain dicts.

Every reader raises :class:`AggregationError` naming the line (or field) and the problem.
PrefLib files go through ``preflibtools`` (the PrefLib project's own library) after a
validating pass that locates errors, since the library itself reports them without lines.
"""
from __future__ import annotations

import io
import json
import math
import re
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from ..validate import positive_weights
from ..errors import AggregationError
from ..populations.comparisons import PairwiseData
from ..populations.preference import check_preference_matrix
from ..populations.profile import Profile, format_weight, parse_ranking
from ..populations.user_types import RewardPopulation

PREFLIB_TYPES = ("soc", "soi", "toc", "toi")
_ALT_NAME = re.compile(r"^#\s*ALTERNATIVE NAME\s+(\d+)\s*:\s*(.*)$")
_DATA_TYPE = re.compile(r"^#\s*DATA TYPE\s*:\s*(\S+)")
_NUM_ALTS = re.compile(r"^#\s*NUMBER ALTERNATIVES\s*:\s*(\d+)")
_TOKEN = re.compile(r"\{[^{}]*\}|[^,{}]+")


# ---------------------------------------------------------------------------- PrefLib
def read_preflib(text: str, data_type: str | None = None) -> Profile:
    """A PrefLib ordinal file (``soc``, ``soi``, ``toc``, ``toi``) as a :class:`Profile`.

    ``data_type`` defaults to the file's ``# DATA TYPE`` header (pass the file extension when
    there is none). Alternatives a ``soi``/``toi`` line leaves out share its last place.
    """
    from preflibtools.instances import OrdinalInstance

    lines = str(text).splitlines()
    names: dict[int, str] = {}
    declared_type, n_alts = None, None
    for lineno, line in enumerate(lines, start=1):
        s = line.strip()
        if not s.startswith("#"):
            continue
        if m := _ALT_NAME.match(s):
            names[int(m.group(1))] = m.group(2).strip()
        elif m := _DATA_TYPE.match(s):
            declared_type = m.group(1).lower()
        elif m := _NUM_ALTS.match(s):
            n_alts = int(m.group(1))
    kind = (data_type or declared_type or "").lower().lstrip(".")
    if kind not in PREFLIB_TYPES:
        raise AggregationError(
            f"unknown PrefLib data type {kind or '(none)'!r}: expected one of {', '.join(PREFLIB_TYPES)} "
            "(from the '# DATA TYPE' header or the file extension)")
    if not names:
        if n_alts is None:
            raise AggregationError("the file declares no alternatives ('# ALTERNATIVE NAME i: name' "
                                   "or '# NUMBER ALTERNATIVES: m' header lines)")
        names = {i: str(i) for i in range(1, n_alts + 1)}
    complete = kind in ("soc", "toc")
    strict = kind in ("soc", "soi")
    n_orders = 0
    for lineno, line in enumerate(lines, start=1):
        s = "".join(line.split())
        if not s or s.startswith("#"):
            continue
        _check_preflib_line(s, lineno, names, complete=complete, strict=strict)
        n_orders += 1
    if n_orders == 0:
        raise AggregationError("the file holds no preference lines (e.g. '3: 1,2,{3,4}')")

    instance = OrdinalInstance()
    try:
        instance.parse_str(str(text), kind)
    except (ValueError, TypeError) as exc:  # the pass above should make this unreachable
        raise AggregationError(f"PrefLib parser: {exc}") from None
    alt_ids = sorted(names)
    rankings = [[[names[a] for a in group] for group in order] for order in instance.orders]
    weights = [instance.multiplicity[order] for order in instance.orders]
    return Profile.from_rankings(rankings, weights, alternatives=[names[a] for a in alt_ids])


def _check_preflib_line(s: str, lineno: int, names: dict[int, str], *, complete: bool, strict: bool) -> None:
    if ":" not in s:
        raise AggregationError("expected 'count: order', e.g. '3: 1,2,{3,4}'", line=lineno)
    count, order = s.split(":", 1)
    if not count.isdigit() or int(count) <= 0:
        raise AggregationError(f"the count {count!r} must be a positive whole number", line=lineno)
    if order.count("{") != order.count("}"):
        raise AggregationError("unbalanced braces '{' '}'", line=lineno)
    seen: set[int] = set()
    tokens = _TOKEN.findall(order)
    if not tokens:
        raise AggregationError("the order is empty", line=lineno)
    for token in tokens:
        tie = token.startswith("{")
        if tie and strict:
            raise AggregationError(f"ties {token} are not allowed in a strict-order file", line=lineno)
        for item in (token.strip("{}").split(",") if tie else [token]):
            if not item.isdigit():
                raise AggregationError(f"{item!r} is not an alternative number", line=lineno)
            a = int(item)
            if a not in names:
                raise AggregationError(f"alternative {a} is not declared in the header", line=lineno)
            if a in seen:
                raise AggregationError(f"alternative {a} ({names[a]}) appears twice", line=lineno)
            seen.add(a)
    if complete and len(seen) != len(names):
        missing = sorted(set(names) - seen)[0]
        raise AggregationError(
            f"a complete-order file must rank every alternative; {missing} ({names[missing]}) is missing", line=lineno)


def write_preflib(profile: Profile, title: str = "") -> tuple[str, str]:
    """``(text, data_type)``: ``soc`` when no ranking has ties, else ``toc``."""
    from preflibtools.instances import OrdinalInstance

    compact = profile.compressed()
    kind = "toc" if compact.has_ties else "soc"
    instance = OrdinalInstance()
    instance.data_type = kind
    instance.title = title
    instance.file_name = f"population.{kind}"
    alts = compact.alternatives
    instance.alternatives_name = {i + 1: a for i, a in enumerate(alts)}
    instance.num_alternatives = len(alts)
    if not all(float(w).is_integer() for w in compact.weights):
        raise AggregationError("PrefLib files need whole-number counts; this population has fractional weights "
                               "(export it as CSV instead)")
    for i, w in enumerate(compact.weights):
        order = tuple(tuple(alts.index(a) + 1 for a in group) for group in compact.ranking(i))
        instance.orders.append(order)
        instance.multiplicity[order] = int(w)
    instance.num_unique_orders = len(instance.orders)
    instance.num_voters = int(sum(instance.multiplicity.values()))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"population.{kind}"
        instance.write(str(path))
        return path.read_text(encoding="utf-8"), kind


# ---------------------------------------------------------------------------- CSV rankings
def read_rankings_csv(text: str) -> Profile:
    """A CSV table with a ``ranking`` column (text syntax ``B > R = G``) and an optional ``weight``."""
    table = _read_csv(text)
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


# ---------------------------------------------------------------------------- comparisons
def read_comparisons(text: str, fmt: str = "csv", prompt: str | None = None) -> PairwiseData:
    """A table of comparisons (CSV or JSONL) with columns ``chosen``, ``rejected`` and optionally
    ``prompt`` and ``voter`` / ``annotator`` / ``type``. A file with several prompts needs
    ``prompt`` to pick one (the dashboard compares responses to a single prompt)."""
    fmt = fmt.lower().lstrip(".")
    if fmt == "csv":
        table = _read_csv(text)
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


# ---------------------------------------------------------------------------- plain dicts
#: Profiles with more rankings than this are written in the compact ``levels`` form.
COMPACT_ABOVE = 1000


def population_to_dict(model, compact: bool | None = None) -> dict:
    """A JSON-ready description of a population (the inverse of :func:`population_from_dict`).

    Profiles are written as readable ``{weight, ranking}`` rows, or, when ``compact`` (default:
    more than ``COMPACT_ABOVE`` rankings), as a ``levels`` matrix (one row of tie-group indices
    per ranking, 0 = best) with a ``weights`` list, which reads back in vectorised code.
    """
    if isinstance(model, Profile):
        if compact if compact is not None else model.n_rankings > COMPACT_ABOVE:
            return {"kind": "rankings", "alternatives": model.alternatives,
                    "levels": model.levels.tolist(), "weights": model.weights.tolist()}
        return {"kind": "rankings", "alternatives": model.alternatives,
                "rankings": [{"weight": w, "ranking": text}
                             for w, text in zip(model.weights.tolist(), model.ranking_texts())]}
    if isinstance(model, RewardPopulation):
        R = model.rewards
        return {"kind": "rewards", "alternatives": model.alternatives, "temperature": model.temperature,
                "types": [{"name": t, "weight": float(w), "rewards": {a: float(R.at[t, a]) for a in model.alternatives}}
                          for t, w in model.weights.items()]}
    if isinstance(model, PairwiseData):
        cols = [c for c in ("chosen", "rejected", model.voter_column) if c]
        rows = model.table[cols].astype(object).where(model.table[cols].notna(), None)
        return {"kind": "comparisons", "alternatives": model.alternatives,
                "comparisons": rows.to_dict(orient="records")}
    if isinstance(model, pd.DataFrame):
        P = check_preference_matrix(model)
        return {"kind": "matrix", "alternatives": list(P.index), "matrix": P.to_numpy().tolist()}
    raise AggregationError(f"cannot describe a {type(model).__name__} as a population")


def population_from_dict(d, where: str = "population"):
    """Build a population from a dict: ``kind`` is ``rankings`` (a ``rankings`` list of
    ``{weight, ranking}``, a ``text`` block, or a ``levels`` matrix with ``weights``), ``rewards`` (``types`` with ``name``,
    ``weight``, ``rewards``; ``temperature``), ``comparisons`` or ``matrix``.
    Errors name the field, e.g. ``population.rankings[2].weight``."""
    if not isinstance(d, dict):
        raise AggregationError(f"{where} must be a table of fields (a JSON object)")
    kind = d.get("kind")
    alternatives = d.get("alternatives")
    if alternatives is not None and not isinstance(alternatives, list):
        raise AggregationError(f"{where}.alternatives must be a list of names")
    try:
        if kind == "rankings":
            if "text" in d:
                return Profile.parse(_field(d, "text", str, where), alternatives)
            if "levels" in d:
                return _profile_from_levels(d, alternatives, where)
            rows = _field(d, "rankings", list, where)
            rankings, weights, labels = [], [], []
            for i, row in enumerate(rows):
                here = f"{where}.rankings[{i}]"
                if not isinstance(row, dict):
                    raise AggregationError(f"{here} must be an object with 'ranking' and 'weight'")
                rankings.append(_field(row, "ranking", (str, list), here))
                weights.append(_field(row, "weight", (int, float), here) if "weight" in row else 1.0)
                labels.append(here)
            return Profile.from_rankings(rankings, weights, alternatives, labels=labels)
        if kind == "rewards":
            types = _field(d, "types", list, where)
            rewards, weights = {}, {}
            for i, t in enumerate(types):
                here = f"{where}.types[{i}]"
                if not isinstance(t, dict):
                    raise AggregationError(f"{here} must be an object with 'name', 'weight' and 'rewards'")
                name = str(_field(t, "name", (str, int), here))
                if name in rewards:
                    raise AggregationError(f"{here}.name: duplicate user type {name!r}")
                rewards[name] = _field(t, "rewards", dict, here)
                weights[name] = _field(t, "weight", (int, float), here) if "weight" in t else 1.0
            if not rewards:
                raise AggregationError(f"{where}.types is empty")
            table = pd.DataFrame(rewards).T
            if alternatives is not None:
                extra = [a for a in table.columns if a not in alternatives]
                if extra:
                    raise AggregationError(f"{where}: reward given for unknown alternative {extra[0]!r}")
                missing = [a for a in alternatives if a not in table.columns]
                if missing:
                    raise AggregationError(f"{where}: no reward given for {missing[0]!r}")
                table = table[alternatives]
            gaps = table.isna().stack()
            if gaps.any():
                t, a = gaps[gaps].index[0]
                raise AggregationError(f"{where}: user type {t!r} has no reward for {a!r}")
            return RewardPopulation(table, weights, d.get("temperature", 1.0))
        if kind == "comparisons":
            rows = _field(d, "comparisons", list, where)
            return PairwiseData(pd.DataFrame(rows), alternatives)
        if kind == "matrix":
            if alternatives is None:
                raise AggregationError(f"{where}.alternatives is required for a matrix")
            matrix = _field(d, "matrix", list, where)
            try:
                frame = pd.DataFrame(np.asarray(matrix, dtype=float), index=alternatives, columns=alternatives)
            except (ValueError, TypeError):
                raise AggregationError(f"{where}.matrix must be a square table of numbers, one row per alternative") from None
            return check_preference_matrix(frame)
    except AggregationError as exc:
        if str(exc).startswith(where) or exc.line is not None:
            raise
        raise AggregationError(f"{where}: {exc}") from None
    raise AggregationError(f"{where}.kind must be 'rankings', 'rewards', 'comparisons' or 'matrix', got {kind!r}")


def _profile_from_levels(d: dict, alternatives, where: str) -> Profile:
    if alternatives is None:
        raise AggregationError(f"{where}.alternatives is required with levels")
    rows = _field(d, "levels", list, where)
    try:
        levels = np.asarray(rows, dtype=float)
    except (TypeError, ValueError):
        raise AggregationError(f"{where}.levels must be a table of whole numbers, one row per ranking") from None
    if levels.ndim != 2 or levels.shape[1] != len(alternatives):
        raise AggregationError(f"{where}.levels must have one row per ranking and {len(alternatives)} columns "
                               f"(one per alternative)")
    bad = ~np.isfinite(levels) | (levels != np.round(levels)) | (levels < 0)
    if bad.any():
        r, c = np.argwhere(bad)[0]
        raise AggregationError(f"{where}.levels[{r}][{c}] must be a whole number >= 0")
    weights = _field(d, "weights", list, where) if "weights" in d else None
    if weights is not None and len(weights) != len(levels):
        raise AggregationError(f"{where}.weights has {len(weights)} entries for {len(levels)} rankings")
    label = lambda i: f"{where}.weights[{i}]"  # noqa: E731
    return Profile.from_levels(levels.astype(np.int64), alternatives,
                               positive_weights(weights, len(levels), what=f"{where}.weights", label=label)
                               if weights is not None else None)


def _field(d: dict, key: str, types, where: str):
    if key not in d:
        raise AggregationError(f"{where}.{key} is missing")
    value = d[key]
    if isinstance(value, bool) or not isinstance(value, types):
        names = types.__name__ if isinstance(types, type) else " or ".join(t.__name__ for t in types)
        raise AggregationError(f"{where}.{key} must be a {names}, got {value!r}")
    return value


def _read_csv(text: str) -> pd.DataFrame:
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
