"""Population files in and out, dispatching to the core's readers and writers by file type.

Nothing here executes or unpickles what a user uploads: text is decoded as UTF-8 and handed to
the core's parsers (PrefLib, CSV via pandas, JSON via ``json``), which raise :class:`AggregationError`
naming the line or field and check the limits of :mod:`aggregation.bounds` before they allocate. The
file's size is checked before it is decoded; the server refuses larger uploads before they reach the
page (``server.maxUploadSize``, set to the same limit by ``ui/launch.py`` and ``.streamlit/config.toml``).
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import PurePath

import numpy as np
import pandas as pd

import presets
from aggregation import (
    COMPARISONS,
    RANKINGS,
    USER_TYPES,
    AggregationError,
    ComparisonCounts,
    Profile,
    bounds,
    log_columns,
    population_to_dict,
    preview_log,
    read_comparison_log,
    read_comparisons,
    read_counts_file,
    read_population_json,
    read_preflib,
    read_rankings_csv,
    sample_comparisons,
    write_comparisons,
    write_counts_file,
    write_preflib,
    write_rankings_csv,
)
from aggregation.formats import PREFLIB_TYPES, uncompared

#: Uploads above this size are refused: by the server (``server.maxUploadSize``), by the browser (the
#: uploader's limit) and here, before the file is decoded. The core's one value.
MAX_UPLOAD_MB = bounds.MAX_FILE_MB
#: The range of β and the largest k the dashboard's controls accept (a scenario file beyond them is refused).
BETA_RANGE = (0.01, 100.0)
MAX_K = 32
IMPORT_TYPES = (*PREFLIB_TYPES, "csv", "jsonl", "json", "txt", "toml", "parquet")
#: A population file of comparison counts (:func:`aggregation.write_counts_file`): binary, never decoded as text.
COUNTS_TYPE = "parquet"
SCENARIO_TYPE = "toml"


def limits_sentence(*names: str) -> str:
    """The limits ``names`` of :data:`aggregation.bounds.LIMITS` in words, for the help of a widget:
    "at most 1,000 alternatives, 1,000,000 rankings"."""
    return "at most " + ", ".join(str(bounds.LIMITS[name]) for name in names)


#: What the import widget says about sizes (the server refuses a larger file before it arrives).
IMPORT_LIMITS = (
    f"files up to {MAX_UPLOAD_MB} MiB; "
    + limits_sentence("MAX_ALTERNATIVES", "MAX_RANKINGS", "MAX_TYPES", "MAX_COMPARISONS")
    + f" per population (a counts file: {bounds.LIMITS['MAX_COUNT_CELLS']}), "
    f"names of up to {bounds.MAX_NAME_CHARS} characters on one line (ranked "
    "alternatives without >, = or #)."
)


def read_population_file(name: str, data: bytes, *, prompt: str | None = None):
    """``(population, what it was read as)`` from an uploaded file's name and bytes.

    ``.soc .soi .toc .toi``: PrefLib; ``.csv``: comparisons when the header has ``chosen`` and
    ``rejected``, else rankings (``ranking``, ``weight``); ``.jsonl``: comparisons; ``.json``: a
    population file written by this dashboard; ``.txt``: the text syntax (``3: B > R = G``).
    """
    if PurePath(str(name)).suffix.lower().lstrip(".") == COUNTS_TYPE and isinstance(data, (bytes, bytearray)):
        _checked_size(data)
        return read_counts_file(bytes(data), where=str(name)[:200]), "comparison counts (Parquet)"
    ext, text = _decoded(name, data)
    if ext == SCENARIO_TYPE:
        raise AggregationError("a scenario file (.toml) holds settings too: read it with read_scenario_file")
    if ext in PREFLIB_TYPES:
        return read_preflib(text, ext), f"PrefLib {ext} file"
    if ext == "csv":
        first = text.lstrip("\r\n").split("\n", 1)[0][:10_000]
        try:
            header = next(csv.reader(io.StringIO(first)), [])
        except csv.Error:
            header = first.split(",")
        columns = {c.strip().lower() for c in header}
        if {"model_a", "model_b", "winner"} <= columns:
            raise AggregationError(
                "this is a comparison log (columns model_a, model_b, winner): import it under "
                "'Import a comparison log', which asks which columns say what"
            )
        if {"chosen", "rejected"} <= columns:
            return read_comparisons(text, "csv", prompt=prompt), "comparison table (CSV)"
        return read_rankings_csv(text), "rankings table (CSV)"
    if ext == "jsonl":
        return read_comparisons(text, "jsonl", prompt=prompt), "comparison table (JSONL)"
    if ext == "json":
        return read_population_json(text), "population file (JSON)"
    return Profile.parse(text), "rankings in the text syntax"


def is_scenario_file(name: str) -> bool:
    return PurePath(name).suffix.lower().lstrip(".") == SCENARIO_TYPE


def read_scenario_file(name: str, data: bytes):
    """A scenario (``presets.Scenario``) from an uploaded ``.toml`` file written by this dashboard or
    found in ``presets/scenarios/``; errors name the file and the field."""
    _, text = _decoded(name, data)
    scenario = presets.loads(text, name)
    low, high = BETA_RANGE
    if not low <= scenario.beta <= high:
        raise AggregationError(
            f"{name}: settings.beta is {scenario.beta:g}; the dashboard's β control goes from {low:g} to {high:g}"
        )
    if scenario.k > MAX_K:
        raise AggregationError(f"{name}: settings.k is {scenario.k}; the dashboard's k control goes up to {MAX_K}")
    return scenario


def _decoded(name: str, data: bytes) -> tuple[str, str]:
    """The file's extension and its text, after the size, type and encoding checks."""
    if not isinstance(data, (bytes, bytearray)):
        raise AggregationError(f"the file's content must be bytes, got {type(data).__name__}")
    if not isinstance(name, str):
        raise AggregationError(f"the file's name must be text, got {type(name).__name__}")
    _checked_size(data)
    ext = PurePath(name).suffix.lower().lstrip(".")
    if ext not in IMPORT_TYPES or ext == COUNTS_TYPE:
        raise AggregationError(
            f"unsupported file type '.{ext[:20]}': use one of " + ", ".join(f".{t}" for t in IMPORT_TYPES)
        )
    try:
        return ext, data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AggregationError(f"the file is not UTF-8 text (byte {exc.start} cannot be decoded)") from None


def _checked_size(data: bytes) -> None:
    size_mb = len(data) / 2**20
    if size_mb > MAX_UPLOAD_MB:
        raise AggregationError(
            f"the file is {math.floor(size_mb * 10) / 10:.1f} MB; files up to {MAX_UPLOAD_MB} MB "
            "are accepted (aggregation.bounds.MAX_FILE_MB; for bigger populations, merge identical "
            "rankings into weights first, or import a comparison log from Python or the "
            "command line: python -m aggregation.cli import-log)"
        )


def scenario_for_download(model, origin, sampling: pd.Series | None, beta: float, k: int, choice=None):
    """The current screen as a scenario (``presets.Scenario``) whose file re-imports to the same state.

    An unedited library scenario under its own settings is written as it is (story and claims
    included). Anything else becomes a custom scenario (``presets.custom``) with the current
    population, D, β and k; a generated population that was not edited keeps its generator spec
    (the file then says how to draw it again instead of listing every ranking).
    """
    if origin.scenario and not origin.edited:
        library = presets.load(origin.scenario)
        if _same_settings(library, sampling, beta, k) and library.population.fingerprint == model.fingerprint:
            return library
    title = origin.title
    scenario = presets.custom(
        model,
        title=title,
        sampling=sampling,
        beta=float(beta),
        k=int(k),
        summary=f"A population saved from the dashboard ({title})",
    )
    generator = getattr(origin, "generator", None)
    if generator is not None and generator.fingerprint == model.fingerprint:
        scenario = replace(scenario, generator=generator)
    if choice is not None:
        scenario = replace(scenario, choice=choice)
    return scenario


def _same_settings(scenario, sampling, beta: float, k: int) -> bool:
    same_d = (scenario.sampling is None and sampling is None) or (
        scenario.sampling is not None
        and sampling is not None
        and np.allclose(scenario.sampling.to_numpy(float), np.asarray(sampling, dtype=float), rtol=0, atol=1e-12)
    )
    return same_d and float(scenario.beta) == float(beta) and int(scenario.k) == int(k)


def scenario_text(scenario) -> str:
    return presets.dumps(scenario)


@dataclass(frozen=True)
class Export:
    label: str
    file_name: str
    mime: str
    make: Callable[[], str]  # called only when the user clicks download


def population_json(model) -> str:
    return json.dumps(population_to_dict(model), indent=1, ensure_ascii=False) + "\n"


def exports(model, stem: str = "population") -> tuple[list[Export], list[str]]:
    """Every file this population can be saved as (each re-imports here), and notes on formats
    that do not apply to it."""
    files = [Export("Population file (.json)", f"{stem}.json", "application/json", lambda: population_json(model))]
    notes: list[str] = []
    if model.kind == RANKINGS:
        files.append(
            Export("Rankings table (.csv)", f"{stem}.csv", "text/csv", lambda: write_rankings_csv(model.compressed()))
        )
        files.append(Export("Text syntax (.txt)", f"{stem}.txt", "text/plain", lambda: model.compressed().to_text()))
        if is_whole(model.weights):
            kind = "toc" if model.has_ties else "soc"
            files.append(
                Export(
                    f"PrefLib (.{kind})", f"{stem}.{kind}", "text/plain", lambda: write_preflib(model, title=stem)[0]
                )
            )
        else:
            notes.append("PrefLib files hold whole-number counts only; this population has fractional weights.")
    elif isinstance(model, ComparisonCounts):
        files.append(
            Export(
                "Counts file (.parquet)",
                f"{stem}.parquet",
                "application/vnd.apache.parquet",
                lambda: write_counts_file(model),
            )
        )
    elif model.kind == COMPARISONS:
        left_out = uncompared(model)
        if left_out:
            notes.append(
                f"A comparison table (.csv, .jsonl) holds only the responses that were compared; "
                f"{len(left_out)} never were ({', '.join(left_out[:5])}{', …' if len(left_out) > 5 else ''}): "
                "save a population file (.json) to keep them."
            )
        else:
            files.append(
                Export("Comparison table (.csv)", f"{stem}.csv", "text/csv", lambda: write_comparisons(model, "csv"))
            )
            files.append(
                Export(
                    "Comparison table (.jsonl)",
                    f"{stem}.jsonl",
                    "application/jsonl",
                    lambda: write_comparisons(model, "jsonl"),
                )
            )
    elif model.kind == USER_TYPES:
        notes.append("Reward types are saved as a population file (.json); ranking formats cannot hold rewards.")
    return files, notes


#: The formats of a comparison log imported in the browser (the core reads them with DuckDB).
LOG_TYPES = ("csv", "jsonl", "parquet")


def _log_file(name: str, data: bytes):
    """The uploaded log as a temporary file (the core reads files, out of core); removed by the caller."""
    if not isinstance(data, (bytes, bytearray)):
        raise AggregationError(f"the file's content must be bytes, got {type(data).__name__}")
    size_mb = len(data) / 2**20
    if size_mb > bounds.MAX_LOG_UPLOAD_MB:
        raise AggregationError(
            f"the log is {math.floor(size_mb * 10) / 10:.1f} MB; logs up to "
            f"{bounds.MAX_LOG_UPLOAD_MB} MB are imported here (aggregation.bounds.MAX_LOG_UPLOAD_MB): "
            "import a larger one with python -m aggregation.cli import-log and open the counts "
            "file (.parquet) it writes"
        )
    ext = PurePath(str(name)).suffix.lower().lstrip(".")
    if ext not in LOG_TYPES:
        raise AggregationError(f"a comparison log is a .csv, .jsonl or .parquet file, not '.{ext[:20]}'")
    handle, path = tempfile.mkstemp(suffix=f".{ext}", prefix="log-upload-")
    with os.fdopen(handle, "wb") as f:
        f.write(data)
    return path


def log_preview(name: str, data: bytes) -> tuple[list[str], pd.DataFrame]:
    """The columns of an uploaded log and its first rows (:data:`aggregation.logs.PREVIEW_ROWS`), as text."""
    path = _log_file(name, data)
    try:
        return log_columns(path), preview_log(path)
    finally:
        os.unlink(path)


def import_log(name: str, data: bytes, mapping) -> ComparisonCounts:
    """An uploaded log as counts (:func:`aggregation.read_comparison_log` with the confirmed ``mapping``)."""
    path = _log_file(name, data)
    try:
        return read_comparison_log(path, mapping)
    finally:
        os.unlink(path)


def sampled_comparisons(model, n: int, sampling, seed: int, fmt: str) -> str:
    """``n`` comparisons drawn from the population the way the Jackpot paper builds its datasets
    (pairs from D x D, a random voter labels each), written as CSV or JSONL."""
    return write_comparisons(sample_comparisons(model, n, sampling=sampling, seed=seed), fmt)


def is_whole(weights) -> bool:
    w = np.asarray(weights, dtype=float)
    return bool(np.all(w == np.round(w)))
