"""Populations as plain dicts (JSON-ready): the format of population files and job specs.

:func:`population_from_dict` checks the sizes of :mod:`aggregation.bounds` before it builds anything
(alternatives, rankings, user types, comparisons, rows of a matrix), and :func:`read_population_json`
reads a population file's text with the same limits (a file nested too deeply, or holding a number of
thousands of digits, gets a message instead of a crash).
"""

from __future__ import annotations

import json
import math
import numbers

import numpy as np
import pandas as pd

from .. import bounds
from ..validate import alternative_names, as_float, cell, positive_weights, short
from ..errors import AggregationError
from ..populations.base import COMPARISONS, MATRIX, RANKINGS, USER_TYPES, Population
from ..populations.comparisons import VOTER_COLUMNS, PairwiseData
from ..populations.counts import OUTCOMES, ComparisonCounts
from ..populations.matrix import PreferenceMatrix, as_population
from ..populations.profile import Profile
from ..populations.user_types import RewardPopulation


#: The ``kind`` words of population files (and job specs), and the population kind each one is read as:
#: the only place the files' vocabulary meets the core's (:data:`aggregation.populations.base.KINDS`).
FILE_KINDS = {"rankings": RANKINGS, "rewards": USER_TYPES, "comparisons": COMPARISONS, "matrix": MATRIX}
#: The file word each population kind is written with.
FILE_WORDS = {kind: word for word, kind in FILE_KINDS.items()}

#: Profiles with more rankings than this are written in the compact ``levels`` form.
COMPACT_ABOVE = 1000


def population_to_dict(population: Population, compact: bool | None = None) -> dict:
    """A JSON-ready description of a population (the inverse of :func:`population_from_dict`).

    Profiles are written as readable ``{weight, ranking}`` rows, or, when ``compact`` (default:
    more than ``COMPACT_ABOVE`` rankings), as a ``levels`` matrix (one row of tie-group indices
    per ranking, 0 = best) with a ``weights`` list, which reads back in vectorised code.
    """
    if not isinstance(population, (Population, pd.DataFrame)):
        raise AggregationError(f"cannot describe a {type(population).__name__} as a population")
    population = as_population(population)
    out = {"kind": FILE_WORDS[population.kind], "alternatives": population.alternatives}
    if population.kind == RANKINGS:
        if compact if compact is not None else population.n_rankings > COMPACT_ABOVE:
            return {**out, "levels": population.levels.tolist(), "weights": population.weights.tolist()}
        return {
            **out,
            "rankings": [
                {"weight": w, "ranking": text}
                for w, text in zip(population.weights.tolist(), population.ranking_texts())
            ],
        }
    if population.kind == USER_TYPES:
        R = population.rewards
        return {
            **out,
            "temperature": population.temperature,
            "types": [
                {"name": t, "weight": float(w), "rewards": {a: float(R.at[t, a]) for a in population.alternatives}}
                for t, w in population.weights.items()
            ],
        }
    if isinstance(population, ComparisonCounts):
        table = population.table()
        return {**out, "counts": {c: table[c].tolist() for c in table.columns}}
    if population.kind == COMPARISONS:
        cols = [c for c in ("chosen", "rejected", population.voter_column) if c]
        rows = population.table[cols].astype(object).where(population.table[cols].notna(), None)
        return {**out, "comparisons": rows.to_dict(orient="records")}
    return {**out, "matrix": population.preference_matrix().to_numpy().tolist()}


def read_population_json(text: str, where: str = "population") -> Population:
    """A population file's text (JSON, as written by :func:`population_to_dict`) as a population."""
    text = bounds.text(text, "the population file")
    try:
        content = json.loads(text)
    except json.JSONDecodeError as exc:
        raise AggregationError(f"not valid JSON ({exc.msg})", line=exc.lineno) from None
    except RecursionError:
        raise AggregationError("the JSON is nested too deeply to be a population file") from None
    except ValueError as exc:  # an integer of more than 4,300 digits
        raise AggregationError(f"not valid JSON ({str(exc)[:100]})") from None
    return population_from_dict(content, where)


def population_from_dict(d, where: str = "population") -> Population:
    """Build a population from a dict: ``kind`` (a word of :data:`FILE_KINDS`) is ``rankings`` (a
    ``rankings`` list of ``{weight, ranking}``, a ``text`` block, or a ``levels`` matrix with
    ``weights``), ``rewards`` (user types: ``types`` with ``name``, ``weight``, ``rewards``;
    ``temperature``), ``comparisons`` or ``matrix``. Errors name the field, e.g.
    ``population.rankings[2].weight``. Numbers must be numbers (``true`` is not one)."""
    if not isinstance(d, dict):
        raise AggregationError(f"{where} must be a table of fields (a JSON object), got {type(d).__name__}")
    kind = FILE_KINDS.get(d.get("kind")) if isinstance(d.get("kind"), str) else None
    alternatives = d.get("alternatives")
    try:
        if alternatives is not None:
            if not isinstance(alternatives, list):
                raise AggregationError(f"{where}.alternatives must be a list of names")
            alternatives = alternative_names(alternatives, what=f"{where}.alternatives")
        if kind == RANKINGS:
            if "text" in d:
                return Profile.parse(_field(d, "text", str, where), alternatives)
            if "levels" in d:
                return _profile_from_levels(d, alternatives, where)
            rows = _field(d, "rankings", list, where)
            bounds.check("MAX_RANKINGS", len(rows), f"{where}.rankings")
            weights, labels = [], []

            def rankings():
                for i, row in enumerate(rows):
                    here = f"{where}.rankings[{i}]"
                    if not isinstance(row, dict):
                        raise AggregationError(f"{here} must be an object with 'ranking' and 'weight'")
                    ranking = _field(row, "ranking", (str, list), here)
                    weights.append(_field(row, "weight", (int, float), here) if "weight" in row else 1.0)
                    labels.append(here)
                    yield ranking

            return Profile.from_rankings(rankings(), weights, alternatives, labels=labels)
        if kind == USER_TYPES:
            types = _field(d, "types", list, where)
            bounds.check("MAX_TYPES", len(types), f"{where}.types")
            rewards, weights = {}, {}
            for i, t in enumerate(types):
                here = f"{where}.types[{i}]"
                if not isinstance(t, dict):
                    raise AggregationError(f"{here} must be an object with 'name', 'weight' and 'rewards'")
                name = _field(t, "name", (str, int), here)
                if isinstance(name, int):
                    if abs(name) >= 10**18:
                        raise AggregationError(f"{here}.name: the number {short(name)} is too long to be a name")
                    name = str(name)
                cell(name, f"{here}.name")  # a lone surrogate is no text (pandas' Arrow strings refuse it)
                if name in rewards:
                    raise AggregationError(f"{here}.name: duplicate user type {name!r}")
                rewards[name] = _rewards(_field(t, "rewards", dict, here), f"{here}.rewards")
                weights[name] = _field(t, "weight", (int, float), here) if "weight" in t else 1.0
            if not rewards:
                raise AggregationError(f"{where}.types is empty")
            columns = (
                alternatives
                if alternatives is not None
                else list(dict.fromkeys(a for row in rewards.values() for a in row))
            )
            bounds.check("MAX_ALTERNATIVES", len(columns), f"{where}: the rewards")
            bounds.check(
                "MAX_TYPE_CELLS",
                len(rewards) * len(columns) ** 2,
                where,
                found=f"{len(rewards):,} user types x {len(columns):,}² alternatives",
            )
            if alternatives is not None:
                for name, row in rewards.items():
                    extra = [a for a in row if a not in alternatives]
                    if extra:
                        raise AggregationError(f"{where}: reward given for unknown alternative {extra[0]!r}")
            for name, row in rewards.items():
                missing = [a for a in columns if a not in row]
                if missing:
                    raise AggregationError(f"{where}: user type {name!r} has no reward for {missing[0]!r}")
            table = pd.DataFrame(
                [[row[a] for a in columns] for row in rewards.values()],
                index=list(rewards),
                columns=columns,
                dtype=float,
            )
            temperature = d.get("temperature", 1.0)
            if isinstance(temperature, bool) or not isinstance(temperature, numbers.Real):
                raise AggregationError(f"{where}.temperature must be a number, got {short(temperature)}")
            return RewardPopulation(table, weights, temperature)
        if kind == COMPARISONS and "counts" in d:
            return _counts(_field(d, "counts", dict, where), alternatives, f"{where}.counts")
        if kind == COMPARISONS:
            rows = _field(d, "comparisons", list, where)
            bounds.check("MAX_COMPARISONS", len(rows), f"{where}.comparisons")
            for i, row in enumerate(rows):
                if not isinstance(row, dict):
                    raise AggregationError(f"{where}.comparisons[{i}] must be an object with 'chosen' and 'rejected'")
                for key in ("chosen", "rejected", *VOTER_COLUMNS):
                    if key in row:
                        cell(row[key], f"{where}.comparisons[{i}].{key}")
            keys = set().union(*rows) if rows else set()
            columns = ["chosen", "rejected", *(c for c in VOTER_COLUMNS if c in keys)]
            return PairwiseData(pd.DataFrame(rows, columns=columns), alternatives)
        if kind == MATRIX:
            if alternatives is None:
                raise AggregationError(f"{where}.alternatives is required for a matrix")
            matrix = _field(d, "matrix", list, where)
            m = len(alternatives)
            if len(matrix) != m or any(not isinstance(row, list) or len(row) != m for row in matrix):
                raise AggregationError(f"{where}.matrix must be a square table of numbers, one row per alternative")
            for r, row in enumerate(matrix):
                for c, x in enumerate(row):
                    if isinstance(x, bool) or not isinstance(x, numbers.Real):
                        raise AggregationError(f"{where}.matrix[{r}][{c}] must be a number, got {short(x)}")
            try:
                frame = pd.DataFrame(np.asarray(matrix, dtype=float), index=alternatives, columns=alternatives)
            except (ValueError, TypeError, OverflowError):
                raise AggregationError(
                    f"{where}.matrix must be a square table of numbers, one row per alternative"
                ) from None
            return PreferenceMatrix(frame)
    except AggregationError as exc:
        if str(exc).startswith(where) or exc.line is not None:
            raise
        raise AggregationError(f"{where}: {exc}") from None
    raise AggregationError(f"{where}.kind must be {_words(FILE_KINDS)}, got {short(d.get('kind'))}")


def _rewards(row: dict, where: str) -> dict:
    """A user type's rewards: names to finite numbers (not ``true``)."""
    bounds.check("MAX_ALTERNATIVES", len(row), where)
    out = {}
    for a, r in row.items():
        if not isinstance(a, str):
            raise AggregationError(f"{where}: the alternative {short(a)} must be a name (text)")
        cell(a, f"{where}: the alternative")
        if isinstance(r, bool) or not isinstance(r, numbers.Real):
            raise AggregationError(f"{where}.{a[:60]} must be a number, got {short(r)}")
        value = as_float(r)
        if not math.isfinite(value):
            raise AggregationError(f"user type reward for {a[:60]!r} is {short(r)}, not a finite number")
        if a.strip() in out:
            raise AggregationError(f"{where}: duplicate alternative {a.strip()!r}")
        out[a.strip()] = value
    return out


def _words(options) -> str:
    quoted = [f"'{w}'" for w in options]
    return ", ".join(quoted[:-1]) + " or " + quoted[-1]


def _profile_from_levels(d: dict, alternatives, where: str) -> Profile:
    if alternatives is None:
        raise AggregationError(f"{where}.alternatives is required with levels")
    rows = _field(d, "levels", list, where)
    bounds.check("MAX_RANKINGS", len(rows), f"{where}.levels")
    bounds.check(
        "MAX_CELLS",
        len(rows) * len(alternatives),
        f"{where}.levels",
        found=f"{len(rows):,} rankings x {len(alternatives):,} alternatives",
    )
    if any(not isinstance(row, list) or len(row) != len(alternatives) for row in rows):
        raise AggregationError(
            f"{where}.levels must have one row per ranking and {len(alternatives)} columns (one per alternative)"
        )
    try:
        levels = np.asarray(rows, dtype=float)
    except (TypeError, ValueError, OverflowError, RecursionError):
        raise AggregationError(f"{where}.levels must be a table of whole numbers, one row per ranking") from None
    if levels.ndim != 2 or levels.shape[1] != len(alternatives):
        raise AggregationError(
            f"{where}.levels must have one row per ranking and {len(alternatives)} columns (one per alternative)"
        )
    bad = ~np.isfinite(levels) | (levels != np.round(levels)) | (levels < 0) | (levels > 2**31)
    if bad.any():
        r, c = np.argwhere(bad)[0]
        raise AggregationError(f"{where}.levels[{r}][{c}] must be a whole number >= 0")
    weights = _field(d, "weights", list, where) if "weights" in d else None
    if weights is not None and len(weights) != len(levels):
        raise AggregationError(f"{where}.weights has {len(weights)} entries for {len(levels)} rankings")
    label = lambda i: f"{where}.weights[{i}]"  # noqa: E731
    return Profile.from_levels(
        levels.astype(np.int64),
        alternatives,
        positive_weights(weights, len(levels), what=f"{where}.weights", label=label) if weights is not None else None,
    )


def _field(d: dict, key: str, types, where: str):
    if key not in d:
        raise AggregationError(f"{where}.{key} is missing")
    value = d[key]
    if isinstance(value, bool) or not isinstance(value, types):
        names = types.__name__ if isinstance(types, type) else " or ".join(t.__name__ for t in types)
        raise AggregationError(f"{where}.{key} must be a {names}, got {short(value)}")
    return value


def _counts(columns: dict, alternatives, where: str) -> ComparisonCounts:
    """The ``counts`` field of a population file (:class:`ComparisonCounts`, one list per column)."""
    wanted = ("first", "second", *OUTCOMES)
    missing = [c for c in wanted if c not in columns]
    if missing:
        raise AggregationError(f"{where} has no {missing[0]!r} list")
    names = [*wanted, *(["annotator"] if "annotator" in columns else [])]
    lengths = set()
    for c in names:
        if not isinstance(columns[c], list):
            raise AggregationError(f"{where}.{c} must be a list")
        bounds.check("MAX_COUNT_CELLS", len(columns[c]), f"{where}.{c}")
        lengths.add(len(columns[c]))
    if len(lengths) != 1:
        raise AggregationError(f"{where}: the lists have different lengths ({', '.join(map(str, sorted(lengths)))})")
    for c in ("first", "second", *(["annotator"] if "annotator" in columns else [])):
        bad = next((i for i, v in enumerate(columns[c]) if not isinstance(v, str)), None)
        if bad is not None:
            raise AggregationError(f"{where}.{c}[{bad}] must be text, got {short(columns[c][bad])}")
        for i, v in enumerate(columns[c]):
            cell(v, f"{where}.{c}[{i}]")  # no lone surrogate (pandas' Arrow strings refuse it)
    for c in OUTCOMES:
        bad = next((i for i, v in enumerate(columns[c]) if isinstance(v, bool) or not isinstance(v, int)), None)
        if bad is not None:
            raise AggregationError(f"{where}.{c}[{bad}] must be a whole number, got {short(columns[c][bad])}")
    return ComparisonCounts.from_frame(pd.DataFrame({c: columns[c] for c in names}), alternatives, where)
