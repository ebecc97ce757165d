"""The compact population file of comparison counts: one Parquet file (columnar, compressed), the form a
large log is saved in after its import and opened by the dashboard.

Columns: ``first``, ``second`` (names, dictionary-encoded), ``annotator`` (ids; only when the log named
annotators), ``first_wins``, ``second_wins``, ``ties`` (int64), one row per (pair, annotator) cell. The
file's metadata (key ``aggregation``, JSON) holds the format word, its version and the alternatives in
order (so that responses never compared are kept). Ten million arena rows over 50 responses and 1,000
annotators make at most 1.2 million cells, a file of a few MB. Reading it checks the limits of
:mod:`aggregation.bounds` from the file's footer before any column is read; nothing in it is executed.
"""

from __future__ import annotations

import io
import json
import os

import pyarrow as pa
import pyarrow.parquet as pq

from .. import bounds
from ..errors import AggregationError
from ..populations.counts import ComparisonCounts

#: The metadata key and format word of a counts file.
METADATA_KEY = b"aggregation"
COUNTS_FILE_FORMAT = "comparison counts"
VERSION = 1


def write_counts_file(counts: ComparisonCounts, target=None) -> bytes | None:
    """``counts`` as a Parquet file at ``target`` (a path or a binary file object); its bytes when
    ``target`` is None."""
    if not isinstance(counts, ComparisonCounts):
        raise AggregationError(f"a counts file holds ComparisonCounts, got {type(counts).__name__}")
    first, second, annotator, C = counts.cells
    names = pa.array(counts.alternatives, pa.string())
    columns = {
        "first": pa.DictionaryArray.from_arrays(pa.array(first, pa.int32()), names),
        "second": pa.DictionaryArray.from_arrays(pa.array(second, pa.int32()), names),
    }
    if annotator is not None:
        columns["annotator"] = pa.DictionaryArray.from_arrays(
            pa.array(annotator, pa.int32()), pa.array(counts.annotators, pa.string())
        )
    for j, column in enumerate(("first_wins", "second_wins", "ties")):
        columns[column] = pa.array(C[:, j], pa.int64())
    meta = {
        "format": COUNTS_FILE_FORMAT,
        "version": VERSION,
        "kind": "comparisons",
        "alternatives": counts.alternatives,
        "comparisons": counts.n_comparisons,
        "annotators": counts.n_annotators,
    }
    table = pa.table(columns).replace_schema_metadata({METADATA_KEY: json.dumps(meta, ensure_ascii=False).encode()})
    if target is None:
        sink = io.BytesIO()
        pq.write_table(table, sink, compression="zstd")
        return sink.getvalue()
    pq.write_table(table, target if not isinstance(target, os.PathLike) else str(target), compression="zstd")
    return None


def is_counts_file(source) -> bool:
    """Whether ``source`` (a path, bytes or a binary file) is a Parquet file written by :func:`write_counts_file`."""
    try:
        return METADATA_KEY in (_parquet(source).schema_arrow.metadata or {})
    except AggregationError:
        return False


def _parquet(source) -> pq.ParquetFile:
    if isinstance(source, (bytes, bytearray)):
        source = io.BytesIO(source)
    elif isinstance(source, os.PathLike):
        source = str(source)
    try:
        return pq.ParquetFile(source)
    except (OSError, pa.ArrowException, ValueError, TypeError) as exc:
        raise AggregationError(
            f"not a Parquet file ({str(exc).splitlines()[0][:200] if str(exc) else 'unreadable'})"
        ) from None


def read_counts_file(source, where: str = "the counts file") -> ComparisonCounts:
    """The :class:`~aggregation.ComparisonCounts` of a file written by :func:`write_counts_file` (a path, its
    bytes or a binary file). A Parquet file without this package's metadata is refused: a raw comparison
    log is imported with :func:`~aggregation.read_comparison_log` instead."""
    f = _parquet(source)
    meta = (f.schema_arrow.metadata or {}).get(METADATA_KEY)
    if meta is None:
        raise AggregationError(
            f"{where} is a Parquet file but not a population file of comparison counts (it has no "
            "'aggregation' metadata); a comparison log is imported with read_comparison_log (or "
            "the Population page's log import)"
        )
    text = bounds.text(meta.decode("utf-8", errors="replace"), f"{where}'s metadata")
    try:
        info = json.loads(text)
    except (json.JSONDecodeError, RecursionError, ValueError):
        raise AggregationError(f"{where}'s metadata is not valid JSON") from None
    if not isinstance(info, dict) or info.get("format") != COUNTS_FILE_FORMAT:
        raise AggregationError(f"{where}'s metadata does not describe comparison counts")
    if info.get("version") != VERSION:
        raise AggregationError(f"{where} has version {info.get('version')!r}; this dashboard reads version {VERSION}")
    alternatives = info.get("alternatives")
    if not isinstance(alternatives, list):
        raise AggregationError(f"{where}'s metadata lists no alternatives")
    bounds.check("MAX_COUNT_CELLS", f.metadata.num_rows, where, found=f"{f.metadata.num_rows:,} cells")
    bounds.check("MAX_ALTERNATIVES", len(alternatives), f"{where}'s alternatives")
    wanted = ["first", "second", "first_wins", "second_wins", "ties"]
    missing = [c for c in wanted if c not in f.schema_arrow.names]
    if missing:
        raise AggregationError(f"{where} has no column {missing[0]!r}")
    columns = wanted + (["annotator"] if "annotator" in f.schema_arrow.names else [])
    try:
        frame = f.read(columns=columns).to_pandas()
    except (OSError, pa.ArrowException, ValueError, TypeError) as exc:
        raise AggregationError(
            f"cannot read {where}: {str(exc).splitlines()[0][:200] if str(exc) else 'unreadable'}"
        ) from None
    return ComparisonCounts.from_frame(frame, alternatives, where)
