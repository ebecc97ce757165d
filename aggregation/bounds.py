"""The one table of input limits: how large a population, a file or a setting may be.

Every entry point (text, PrefLib, CSV and comparison files, population dicts and JSON, scenario
files, generators, job specs, link parameters) checks its input against these limits *before* it
allocates memory for it: a header that declares 99,999,999,999 alternatives, or a line of 50,000
names, is refused after reading a few bytes, never by running out of memory. The dashboard states
each limit where a user meets it (the upload widget, the editors, the generator form) and the README
lists them all (``python -m tests.test_readme`` keeps that list in step with :data:`LIMITS`).

A violation raises :class:`LimitError`, an :class:`~aggregation.AggregationError` whose message
names where the input is, the value found, and the limit (its value and its name here), e.g.
``line 7: 50,000 alternatives; at most 1,000 are accepted (aggregation.bounds.MAX_ALTERNATIVES)``.

Why these values: DESIGN.md calls 100,000 weighted rankings over 50 alternatives an ordinary input,
so every limit leaves room for it; above them the pages' computations (an m x m preference matrix,
one m x m matrix per user type, a linear program over m alternatives) stop being interactive long
before memory runs out, and a file of 50 MiB is larger than any PrefLib data set.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import AggregationError


@dataclass(frozen=True)
class Limit:
    """One limit: its constant's ``name`` in this module, its ``value``, the ``unit`` counted and, in
    words, ``what`` is limited (as the README and the dashboard say it)."""

    name: str
    value: int | float
    unit: str
    what: str

    def __str__(self) -> str:
        return f"{_number(self.value)} {self.unit}".rstrip()


#: Alternatives (responses, candidates) in one population.
MAX_ALTERNATIVES = 1_000
#: Characters in one name (an alternative, a user type, a voter).
MAX_NAME_CHARS = 200
#: Rankings in one population, counted before identical rankings are merged (lines of a text or
#: PrefLib file, rows of a table, rankings of a population file or a generator's voters).
MAX_RANKINGS = 1_000_000
#: Rankings x alternatives: the cells of a population's ranking matrix (100,000 x 50 is 5,000,000).
MAX_CELLS = 50_000_000
#: User types in one population.
MAX_TYPES = 10_000
#: User types x alternatives x alternatives: the cells of the per-type preference matrices.
MAX_TYPE_CELLS = 10_000_000
#: Rows of a comparison table.
MAX_COMPARISONS = 1_000_000
#: Total weight of a population's rankings or user types (beyond it whole numbers stop being exact in
#: floating point, and two weights of 1e308 would add up to infinity).
MAX_TOTAL_WEIGHT = 1e15
#: Size of one uploaded file, in MiB (the dashboard's upload widget and Streamlit's
#: ``server.maxUploadSize`` use this value).
MAX_FILE_MB = 50
#: Characters of text one reader accepts (a file's decoded text, a text box, a scenario).
MAX_TEXT_CHARS = MAX_FILE_MB * 2**20
#: Lines of one text (blank lines and comments included).
MAX_LINES = 2_000_000
#: Columns of a CSV table or fields of a JSONL row.
MAX_COLUMNS = 100
#: Dimensions of a spatial generator's points.
MAX_DIMENSIONS = 100
#: Largest seed of a generator (numpy's generators take any whole number; a seed this large is a typo).
MAX_SEED = 2**64 - 1
#: Characters of one link parameter (``D`` over 1,000 alternatives needs about 18,000).
MAX_PARAM_CHARS = 20_000
#: Characters of a population carried inside a link (zlib + base64url); a larger one is kept by the server
#: under an id (``ui/links.py``), so that the link stays short enough for every browser and chat program.
MAX_LINK_POPULATION_CHARS = 4_000
#: Populations the server keeps for links and reloads (the oldest unused ones are removed first; one not
#: used for :data:`MAX_LINK_AGE_DAYS` days is removed too).
MAX_STORED_POPULATIONS = 2_000
#: Days a stored population lives without being opened.
MAX_LINK_AGE_DAYS = 90
#: Bytes of one job spec written as JSON (100,000 rankings over 50 alternatives take about 32 MB).
MAX_SPEC_BYTES = 64_000_000
#: Characters of a job's prompt.
MAX_PROMPT_CHARS = 2_000
#: Characters of the prompt once ``{options}`` is replaced by the alternatives' names.
MAX_RENDERED_PROMPT_CHARS = 20_000
#: Characters of a job's name.
MAX_JOB_NAME_CHARS = 200
#: Characters of a model's name (a folder in the operator's model folders).
MAX_MODEL_NAME_CHARS = 200
#: Layer names in a job's ``lora.target_modules``, and characters in one of them.
MAX_TARGET_MODULES, MAX_TARGET_MODULE_CHARS = 64, 100
#: Candidates of a Yee diagram (a pixel's voters' rankings are coded in base m, m! kinds at most).
MAX_YEE_CANDIDATES = 8
#: Pixels per side of a Yee diagram.
MAX_YEE_GRID = 300
#: Voters around each pixel of a Yee diagram.
MAX_YEE_VOTERS = 2_000
#: Pixels x voters of a Yee diagram (100 x 100 pixels with 500 voters; each voter is m distances).
MAX_YEE_CELLS = 5_000_000
#: Size of a comparison log uploaded in the browser, in MiB: the server's one upload limit (about a million
#: arena-style CSV rows). A larger log is imported from a local file instead, where no upload limit applies:
#: ``aggregation.read_comparison_log(path, mapping)`` or ``python -m aggregation.cli import-log PATH``.
MAX_LOG_UPLOAD_MB = MAX_FILE_MB
#: Rows of a comparison log read from a local file. The import streams the file (DuckDB), so memory grows
#: with the counts kept (:data:`MAX_COUNT_CELLS`), not with the rows; this bounds the time (3 to 5 seconds
#: per ten million rows on two cores, ``bench/bench_logs.py``) and keeps every count exact in int64 and float64.
MAX_LOG_ROWS = 10_000_000_000
#: Cells of a population of comparison counts: distinct (pair of responses, annotator) combinations, each
#: holding three counts (about 30 bytes each in memory).
MAX_COUNT_CELLS = 5_000_000
#: Distinct annotators of a comparison log (their ids are kept as names).
MAX_ANNOTATORS = 1_000_000

#: Every limit, in the order the README lists them.
LIMITS: dict[str, Limit] = {
    limit.name: limit
    for limit in (
        Limit("MAX_ALTERNATIVES", MAX_ALTERNATIVES, "alternatives", "alternatives in one population"),
        Limit("MAX_NAME_CHARS", MAX_NAME_CHARS, "characters", "characters in one name (alternative, user type, voter)"),
        Limit("MAX_RANKINGS", MAX_RANKINGS, "rankings", "rankings in one population, before identical ones are merged"),
        Limit("MAX_CELLS", MAX_CELLS, "cells", "rankings × alternatives"),
        Limit("MAX_TYPES", MAX_TYPES, "user types", "user types in one population"),
        Limit("MAX_TYPE_CELLS", MAX_TYPE_CELLS, "cells", "user types × alternatives × alternatives"),
        Limit("MAX_COMPARISONS", MAX_COMPARISONS, "comparisons", "rows of a comparison table"),
        Limit("MAX_TOTAL_WEIGHT", MAX_TOTAL_WEIGHT, "", "total weight of the rankings or user types"),
        Limit("MAX_FILE_MB", MAX_FILE_MB, "MiB", "size of one uploaded file (enforced by the server too)"),
        Limit("MAX_TEXT_CHARS", MAX_TEXT_CHARS, "characters", "characters of text one reader accepts"),
        Limit("MAX_LINES", MAX_LINES, "lines", "lines of one text, blank lines and comments included"),
        Limit("MAX_COLUMNS", MAX_COLUMNS, "columns", "columns of a CSV table or fields of a JSONL row"),
        Limit("MAX_DIMENSIONS", MAX_DIMENSIONS, "dimensions", "dimensions of a spatial generator"),
        Limit("MAX_SEED", MAX_SEED, "", "a generator's seed"),
        Limit("MAX_PARAM_CHARS", MAX_PARAM_CHARS, "characters", "characters of one link parameter"),
        Limit(
            "MAX_LINK_POPULATION_CHARS",
            MAX_LINK_POPULATION_CHARS,
            "characters",
            "characters of a population carried inside a link (a larger one is stored by the server under an id)",
        ),
        Limit(
            "MAX_STORED_POPULATIONS",
            MAX_STORED_POPULATIONS,
            "populations",
            "populations the server keeps for links and reloads (oldest unused removed first)",
        ),
        Limit("MAX_LINK_AGE_DAYS", MAX_LINK_AGE_DAYS, "days", "days a stored population lives without being opened"),
        Limit("MAX_SPEC_BYTES", MAX_SPEC_BYTES, "bytes", "size of one job spec (JSON)"),
        Limit("MAX_PROMPT_CHARS", MAX_PROMPT_CHARS, "characters", "characters of a job's prompt"),
        Limit(
            "MAX_RENDERED_PROMPT_CHARS",
            MAX_RENDERED_PROMPT_CHARS,
            "characters",
            "characters of a job's prompt once `{options}` is replaced by the names",
        ),
        Limit("MAX_JOB_NAME_CHARS", MAX_JOB_NAME_CHARS, "characters", "characters of a job's name"),
        Limit(
            "MAX_MODEL_NAME_CHARS", MAX_MODEL_NAME_CHARS, "characters", "characters of a model's name (a model folder)"
        ),
        Limit("MAX_TARGET_MODULES", MAX_TARGET_MODULES, "layers", "layer names in a job's LoRA target modules"),
        Limit("MAX_TARGET_MODULE_CHARS", MAX_TARGET_MODULE_CHARS, "characters", "characters of one LoRA layer name"),
        Limit("MAX_YEE_CANDIDATES", MAX_YEE_CANDIDATES, "candidates", "candidates of a Yee diagram"),
        Limit("MAX_YEE_GRID", MAX_YEE_GRID, "pixels", "pixels per side of a Yee diagram"),
        Limit("MAX_YEE_VOTERS", MAX_YEE_VOTERS, "voters", "voters around each pixel of a Yee diagram"),
        Limit("MAX_YEE_CELLS", MAX_YEE_CELLS, "voters", "pixels × voters per pixel of a Yee diagram"),
        Limit(
            "MAX_LOG_UPLOAD_MB",
            MAX_LOG_UPLOAD_MB,
            "MiB",
            "size of a comparison log uploaded in the browser (larger logs: import the local file from Python or "
            "the command line)",
        ),
        Limit("MAX_LOG_ROWS", MAX_LOG_ROWS, "rows", "rows of a comparison log imported from a local file (streamed)"),
        Limit(
            "MAX_COUNT_CELLS",
            MAX_COUNT_CELLS,
            "cells",
            "distinct (pair, annotator) cells of a population of comparison counts",
        ),
        Limit("MAX_ANNOTATORS", MAX_ANNOTATORS, "annotators", "distinct annotators of a comparison log"),
    )
}


class LimitError(AggregationError):
    """An input beyond one of the :data:`LIMITS`: ``limit`` (the :class:`Limit`), ``value`` (what was
    found) and ``where`` (the input's place, as in every message of the core)."""

    def __init__(self, limit: Limit, value, where: str = "", *, line: int | None = None, found: str | None = None):
        self.limit, self.value, self.where = limit, value, where
        found = found or f"{_number(value)} {limit.unit}".rstrip()
        message = (
            f"{where + ': ' if where else ''}{found}; at most {limit} "
            f"{'are' if limit.unit.endswith('s') else 'is'} accepted (aggregation.bounds.{limit.name})"
        )
        super().__init__(message, line=line)


def check(name: str, value, where: str = "", *, line: int | None = None, found: str | None = None):
    """``value`` when it is at most the limit ``name``, else :class:`LimitError`. ``found`` words the
    value in the message (default: the value and the limit's unit)."""
    limit = LIMITS[name]
    if value > limit.value:
        raise LimitError(limit, value, where, line=line, found=found)
    return value


def limits_markdown() -> str:
    """The table of :data:`LIMITS` as markdown (the README's copy is generated from it)."""
    rows = ["| limit | value | what it bounds |", "| --- | --- | --- |"]
    rows += [f"| `{limit.name}` | {limit} | {limit.what} |" for limit in LIMITS.values()]
    return "\n".join(rows) + "\n"


_SURROGATE = re.compile("[\ud800-\udfff]")


def text(value, where: str = "the text", *, max_chars: int | None = None) -> str:
    """``value`` as text a reader may parse: a ``str`` (bytes and ``None`` are refused, not printed),
    at most :data:`MAX_TEXT_CHARS` characters and :data:`MAX_LINES` lines, without lone surrogates
    (they cannot be written back as UTF-8), and without a leading byte-order mark (removed)."""
    if not isinstance(value, str):
        kind = "bytes (decode them as UTF-8 first)" if isinstance(value, (bytes, bytearray)) else type(value).__name__
        raise AggregationError(f"{where} must be text (a str), got {kind}")
    if max_chars is not None and len(value) > max_chars:
        raise AggregationError(f"{where}: {len(value):,} characters; at most {max_chars:,} are accepted")
    check("MAX_TEXT_CHARS", len(value), where, found=f"{len(value):,} characters")
    check("MAX_LINES", line_count(value), where)
    if m := _SURROGATE.search(value):
        line = value.count("\n", 0, m.start()) + 1
        raise AggregationError(
            f"{where}: character {m.start() + 1} is a lone surrogate (U+{ord(m.group()):04X}), which is not text",
            line=line,
        )
    return value.removeprefix("\ufeff")


#: What ``str.splitlines`` splits on, besides "\n" and "\r".
_OTHER_BREAKS = "\v\f\x1c\x1d\x1e\x85\u2028\u2029"


def line_count(value: str) -> int:
    """How many lines ``value.splitlines()`` would give (at most one more), counted without splitting."""
    breaks = value.count("\n") + value.count("\r") - value.count("\r\n")
    breaks += sum(value.count(c) for c in _OTHER_BREAKS)
    return breaks + 1


def _number(x) -> str:
    if isinstance(x, float) and not x.is_integer():
        return f"{x:g}"
    if isinstance(x, float) and x >= 1e15:
        return f"{x:.0e}".replace("e+", "e")
    return f"{int(x):,}"
