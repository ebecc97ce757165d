"""Comparison logs at arena scale: import (CSV, JSON lines, Parquet; streamed by DuckDB), the compact
population file of their counts (Parquet), and a seeded generator of arena-style logs from any population.

* :mod:`.mapping`: :class:`LogMapping`, which columns say what (arena ``model_a, model_b, winner`` or
  ``chosen, rejected``; an optional annotator), and :func:`guess_mapping`;
* :mod:`.reader`: :func:`read_comparison_log` (a log as :class:`~aggregation.ComparisonCounts`),
  :func:`log_columns`, :func:`preview_log`;
* :mod:`.counts_file`: :func:`write_counts_file` / :func:`read_counts_file`, the compact population file
  (Parquet: counts and annotators) the dashboard opens;
* :mod:`.generator`: :func:`generate_log`, arena-like logs drawn from any population at any size, written
  in chunks, with their exact counts.
"""

from .counts_file import COUNTS_FILE_FORMAT, read_counts_file, write_counts_file
from .generator import LOG_COLUMNS, GeneratedLog, generate_log
from .mapping import ARENA, CHOSEN, PREFERENCES, WINNER, LogMapping, guess_mapping
from .reader import FORMATS, PREVIEW_ROWS, log_columns, log_format, preview_log, read_comparison_log

__all__ = [
    "LogMapping",
    "ARENA",
    "PREFERENCES",
    "WINNER",
    "CHOSEN",
    "guess_mapping",
    "read_comparison_log",
    "log_columns",
    "log_format",
    "preview_log",
    "FORMATS",
    "PREVIEW_ROWS",
    "write_counts_file",
    "read_counts_file",
    "COUNTS_FILE_FORMAT",
    "generate_log",
    "GeneratedLog",
    "LOG_COLUMNS",
]
