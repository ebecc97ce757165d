"""Seeded arena-style comparison logs drawn from any population, at any size, written in chunks.

Each row of a generated log is one judgement, drawn the way an arena collects them (Chiang et al. 2024,
Chatbot Arena, section 3): an **annotator** (``judge``) drawn uniformly from ``annotators`` ids, each of
whom is one voter of the population drawn once by weight (a ranking, or a user type: its name is the
``user_type`` column), so that one annotator's judgements share a taste (clusters, as in a real log); a
**pair** ``(model_a, model_b)`` from the sampling distribution ``D x D`` conditioned on distinct
(:func:`aggregation.sample_pairs`; uniform by default); and the **winner** from that voter's preference:
a ranking's strict preference, a user type's Bradley-Terry draw ``sigmoid((r(a) - r(b)) / T)``, or for a
population without voters (a preference matrix) a draw from ``P``. A row is a **tie** with probability
``tie_probability`` (whatever the voter thinks), and, with ``indifference_ties``, whenever a ranking
voter is indifferent between the two (otherwise an indifferent voter flips a coin). Half of the ties
are written ``tie`` and half ``tie (bothbad)``, as in Arena's battles.

The counts of what was written come back exactly (:attr:`GeneratedLog.counts`), so an import can be
tested against them. Rows are produced and written ``chunk_rows`` at a time (memory does not grow with
the size of the log); the same seed gives the same log whatever the format.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import AggregationError
from ..populations.comparisons import sample_pairs
from ..populations.counts import ComparisonCounts
from ..populations.matrix import as_population
from ..validate import distribution
from .mapping import LogMapping

#: The columns of a generated log, in order.
LOG_COLUMNS = ("model_a", "model_b", "winner", "judge", "user_type")
#: The winner values written (Arena's).
WINNER_VALUES = ("model_a", "model_b", "tie", "tie (bothbad)")
#: The formats written.
WRITE_FORMATS = ("csv", "jsonl", "parquet")
#: Rows produced at a time.
CHUNK_ROWS = 500_000


@dataclass(frozen=True)
class GeneratedLog:
    """A generated log: where it was written (None when only counted), its format, how many rows, the
    mapping that reads it, and the exact counts of what it holds."""

    path: str | None
    fmt: str | None
    n_rows: int
    mapping: LogMapping
    counts: ComparisonCounts


def _positive_int(value, what: str, minimum: int = 1) -> int:
    try:
        out = int(value)
    except (TypeError, ValueError):
        raise AggregationError(f"{what} must be a whole number, got {value!r}") from None
    if out != value or out < minimum:
        raise AggregationError(f"{what} must be a whole number of at least {minimum}, got {value!r}")
    return out


def _chunks(
    population,
    n_rows: int,
    annotators: int,
    D: pd.Series,
    tie_probability: float,
    indifference_ties: bool,
    chunk_rows: int,
    seed,
):
    """Yield ``(a, b, outcome, judge, voter_label)`` arrays per chunk; outcome 0 A wins, 1 B wins, 2 tie,
    3 tie (bothbad)."""
    rng = np.random.default_rng(seed)
    has_voters = population.has_full_rankings
    voter_of = population.draw_voters(annotators, rng) if has_voters else None
    levels = (
        getattr(population, "levels", None)
        if (indifference_ties and has_voters and not population.has_rewards)
        else None
    )
    done = 0
    while done < n_rows:
        n = min(chunk_rows, n_rows - done)
        a, b = sample_pairs(D, n, rng)
        judge = rng.integers(0, annotators, size=n)
        coin = rng.random(n)
        if has_voters:
            a_wins, label = population.draw_labels(a, b, coin, rng, voters=voter_of[judge])
        else:
            a_wins, label = population.draw_labels(a, b, coin, rng)
        tie = rng.random(n) < tie_probability
        if levels is not None:
            voter = voter_of[judge]
            tie |= levels[voter, a] == levels[voter, b]
        outcome = np.where(a_wins, 0, 1).astype(np.int8)
        outcome[tie] = 2 + (rng.random(int(tie.sum())) < 0.5)
        yield a, b, outcome, judge, label
        done += n


def generate_log(
    population,
    n_rows: int,
    path=None,
    *,
    fmt: str | None = None,
    sampling=None,
    tie_probability: float = 0.0,
    indifference_ties: bool = True,
    annotators: int = 100,
    chunk_rows: int = CHUNK_ROWS,
    seed=0,
) -> GeneratedLog:
    """Draw ``n_rows`` arena-style judgements from ``population`` (see the module's docstring) and write
    them to ``path`` (CSV, JSON lines or Parquet: ``fmt`` or the file's ending; nothing is written when
    ``path`` is None) in chunks, with columns :data:`LOG_COLUMNS`. Returns the exact counts."""
    from .reader import log_format

    population = as_population(population)
    alts = population.alternatives
    if len(alts) < 2:
        raise AggregationError("a comparison log needs at least two alternatives")
    n_rows = _positive_int(n_rows, "the number of rows")
    annotators = _positive_int(annotators, "the number of annotators")
    chunk_rows = _positive_int(chunk_rows, "the rows per chunk")
    try:
        tie_probability = float(tie_probability)
    except (TypeError, ValueError):
        raise AggregationError(f"the tie probability must be a number, got {tie_probability!r}") from None
    if not 0.0 <= tie_probability < 1.0:
        raise AggregationError(f"the tie probability must be in [0, 1), got {tie_probability!r}")
    D = distribution(sampling, alts)
    if path is not None:
        fmt = log_format(path, fmt)
        if fmt not in WRITE_FORMATS:
            raise AggregationError(f"cannot write a log as {fmt!r}: use {', '.join(WRITE_FORMATS)}")
    m = len(alts)
    width = len(str(annotators))
    judges = np.asarray([f"annotator-{i + 1:0{width}d}" for i in range(annotators)], dtype=object)
    names = np.asarray(alts, dtype=object)
    values = np.asarray(WINNER_VALUES, dtype=object)
    # counts per (annotator, a, b, outcome): a dense table when small, else merged per chunk
    dense = annotators * m * m * 3 <= 20_000_000
    total = np.zeros(annotators * m * m * 3, np.int64) if dense else None
    keys_acc, counts_acc = np.zeros(0, np.int64), np.zeros(0, np.int64)
    writer = _Writer(path, fmt) if path is not None else None
    try:
        for a, b, outcome, judge, label in _chunks(
            population, n_rows, annotators, D, tie_probability, indifference_ties, chunk_rows, seed
        ):
            key = ((judge.astype(np.int64) * m + a) * m + b) * 3 + np.minimum(outcome, 2)
            if dense:
                total += np.bincount(key, minlength=total.size)
            else:
                k, c = np.unique(key, return_counts=True)
                keys_acc, inverse = np.unique(np.concatenate([keys_acc, k]), return_inverse=True)
                merged = np.zeros(len(keys_acc), np.int64)
                np.add.at(merged, inverse, np.concatenate([counts_acc, c]))
                counts_acc = merged
            if writer is not None:
                labels = (
                    np.asarray(["" if v is None else str(v) for v in label], dtype=object)
                    if not population.has_full_rankings
                    else None
                )
                if labels is None:
                    # voters are few: name them once
                    label = np.asarray(label)
                    uniq, inv = np.unique(label.astype(str), return_inverse=True)
                    labels = uniq.astype(object)[inv]
                writer.write(
                    pd.DataFrame(
                        {
                            "model_a": names[a],
                            "model_b": names[b],
                            "winner": values[outcome],
                            "judge": judges[judge],
                            "user_type": labels,
                        }
                    )
                )
    finally:
        if writer is not None:
            writer.close()
    if dense:
        keys_acc = np.flatnonzero(total)
        counts_acc = total[keys_acc]
    cell, outcome = keys_acc // 3, keys_acc % 3
    judge, rest = cell // (m * m), cell % (m * m)
    a, b = rest // m, rest % m
    C = np.zeros((len(cell), 3), np.int64)
    C[np.arange(len(cell)), outcome] = counts_acc
    used = np.unique(judge)
    code = np.searchsorted(used, judge)
    counts = ComparisonCounts(alts, a, b, C[:, 0], C[:, 1], C[:, 2], code, list(judges[used]))
    mapping = LogMapping("model_a", "model_b", "winner", annotator="judge")
    return GeneratedLog(None if path is None else str(path), fmt, n_rows, mapping, counts)


class _Writer:
    """Appends chunks (DataFrames of text) to a CSV, JSON lines or Parquet file."""

    def __init__(self, path, fmt: str):
        self.path, self.fmt = Path(os.fspath(path)), fmt
        self._parquet = None
        self._csv = None
        self._file = None

    def write(self, frame: pd.DataFrame) -> None:
        import pyarrow as pa

        if self.fmt == "jsonl":
            if self._file is None:
                self._file = open(self.path, "w", encoding="utf-8")
            text = frame.to_json(orient="records", lines=True, force_ascii=False)
            self._file.write(text if text.endswith("\n") or not text else text + "\n")
            return
        table = pa.Table.from_pandas(frame, preserve_index=False).cast(
            pa.schema([(c, pa.string()) for c in frame.columns])
        )
        if self.fmt == "parquet":
            import pyarrow.parquet as pq

            if self._parquet is None:
                self._parquet = pq.ParquetWriter(str(self.path), table.schema, compression="zstd")
            self._parquet.write_table(table)
        else:
            import pyarrow.csv as pcsv

            if self._csv is None:
                self._csv = pcsv.CSVWriter(str(self.path), table.schema)
            self._csv.write_table(table)

    def close(self) -> None:
        for handle in (self._parquet, self._csv, self._file):
            if handle is not None:
                handle.close()
