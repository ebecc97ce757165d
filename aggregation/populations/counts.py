"""Comparison counts: a comparison log reduced to how often each response beat each other one, and how
often they tied, per annotator when the log names them.

A comparison log (an arena's battles, a preference dataset) has one row per judgement. Everything the
rules read from it is in the counts: for each unordered pair ``{a, b}`` (stored with ``a`` before ``b``
in the alternatives' order) and each annotator, the number of comparisons ``a`` won, ``b`` won and
tied. :class:`ComparisonCounts` keeps only those, so ten million rows over 50 responses and 1,000
annotators take a few megabytes (1,225 pairs x 1,000 annotators x three counts at most), and every page
works on it as on any other population of kind :data:`~.base.COMPARISONS`.

The preference matrix follows DESIGN.md's convention: ``P[a, b] = (wins of a over b + ties / 2) /
comparisons of the pair`` (a tie counts half for each side); a pair never compared gets 1/2 and is listed
by :meth:`~ComparisonCounts.unobserved_pairs`. Its standard error is that of a mean of the scores
1, 1/2, 0 (win, tie, loss) of independent comparisons; :func:`aggregation.bootstrap` gives the intervals
of every rule's answer, resampling annotators as clusters when they are known.

The row order of the log is not kept (counts only): Elo, which reads comparisons in order, runs on a
seeded random order of the comparisons (:meth:`ComparisonCounts.comparisons`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .. import bounds
from ..errors import AggregationError
from ..validate import _BAD_NAME_CHARS, alternative_names, short
from .base import COMPARISONS, Population

#: The three counts of a cell, in the order of :attr:`ComparisonCounts.counts`' columns.
OUTCOMES = ("first_wins", "second_wins", "ties")
#: The columns of :meth:`ComparisonCounts.table` (``annotator`` only when the log names annotators).
TABLE_COLUMNS = ("first", "second", "annotator", *OUTCOMES)


def _whole(values, what: str) -> np.ndarray:
    """``values`` as a 1-D int64 array of whole numbers (floats that are whole are accepted; bools are not)."""
    try:
        arr = np.asarray(values)
    except (TypeError, ValueError) as exc:
        raise AggregationError(f"{what} must be whole numbers: {exc}") from None
    if arr.ndim != 1:
        raise AggregationError(f"{what} must be a list of whole numbers, got an array of shape {arr.shape}")
    if arr.dtype == bool:
        raise AggregationError(f"{what} must be whole numbers, not true / false")
    if np.issubdtype(arr.dtype, np.integer):
        return arr.astype(np.int64, copy=False)
    try:
        as_float = arr.astype(float)
    except (TypeError, ValueError, OverflowError):
        raise AggregationError(f"{what} must be whole numbers, got {short(arr[:3].tolist())}") from None
    bad = np.flatnonzero(~np.isfinite(as_float) | (as_float != np.round(as_float)) | (np.abs(as_float) > 2**62))
    if bad.size:
        raise AggregationError(f"{what}: entry {int(bad[0]) + 1} is {short(arr[bad[0]])}, not a whole number")
    return as_float.astype(np.int64)


def annotator_names(names, what: str = "annotators") -> list[str]:
    """Annotator ids as names: text on one line of at most :data:`~aggregation.bounds.MAX_NAME_CHARS`
    characters, stripped, distinct, at most :data:`~aggregation.bounds.MAX_ANNOTATORS` of them. Checked
    in bulk (a million ids take a fraction of a second)."""
    names = list(names)
    bounds.check("MAX_ANNOTATORS", len(names), what)
    if not names:
        raise AggregationError(f"{what}: there are no annotator ids")
    out = [n.strip() if isinstance(n, str) else n for n in names]
    wrong = next((i for i, n in enumerate(out) if not isinstance(n, str) or not n), None)
    if wrong is not None:
        raise AggregationError(
            f"{what}: annotator {wrong + 1} is {short(names[wrong])}; every id must be non-empty text"
        )
    longest = max(range(len(out)), key=lambda i: len(out[i]))
    bounds.check(
        "MAX_NAME_CHARS",
        len(out[longest]),
        f"{what}: the id {short(out[longest])}",
        found=f"{len(out[longest]):,} characters",
    )
    if _BAD_NAME_CHARS.search("".join(out)):
        bad = next(n for n in out if _BAD_NAME_CHARS.search(n))
        raise AggregationError(
            f"{what}: the id {short(bad)} holds a control character; ids must be printable text on one line"
        )
    if len(set(out)) != len(out):
        seen: set[str] = set()
        twice = next(n for n in out if n in seen or seen.add(n))
        raise AggregationError(f"{what}: the id {short(twice)} appears twice")
    return out


def _factorized(column: pd.Series, where: str) -> tuple[np.ndarray, list[str]]:
    """Codes and names (as text, stripped; names equal once stripped merged) of a column of names."""
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    if (codes < 0).any():
        raise AggregationError(f"{where}: row {int(np.flatnonzero(codes < 0)[0]) + 1} is empty")
    index: dict[str, int] = {}
    remap = np.asarray([index.setdefault(str(u).strip(), len(index)) for u in uniques], dtype=np.int64)
    return remap[codes], list(index)


class ComparisonCounts(Population):
    """Counts of pairwise comparisons: for each cell (pair ``first < second`` in the alternatives' order,
    and annotator when known) how many comparisons ``first`` won, ``second`` won, and were ties.

    Build it with the constructor (index arrays and counts), :meth:`from_frame` (a table of names and
    counts), :meth:`from_pairwise` (a :class:`~.comparisons.PairwiseData`), or by importing a log
    (:func:`aggregation.read_comparison_log`). Cells of the same pair and annotator are added up, cells
    given as ``first > second`` are turned around, cells without any comparison are dropped.
    """

    kind = COMPARISONS
    noun, nouns = "comparison", "comparisons"

    def __init__(
        self,
        alternatives: Sequence[str],
        first,
        second,
        first_wins,
        second_wins,
        ties=None,
        annotator=None,
        annotators: Sequence[str] | None = None,
    ):
        alts = alternative_names(alternatives)
        m = len(alts)
        first, second = _whole(first, "first"), _whole(second, "second")
        n = len(first)
        bounds.check("MAX_COUNT_CELLS", n, "the comparison counts")
        counts = [
            _whole(first_wins, "first_wins"),
            _whole(second_wins, "second_wins"),
            _whole(np.zeros(n, np.int64) if ties is None else ties, "ties"),
        ]
        for what, arr in zip(("second", *OUTCOMES), (second, *counts)):
            if len(arr) != n:
                raise AggregationError(f"the comparison counts: {what} has {len(arr):,} entries, first has {n:,}")
        if n == 0:
            raise AggregationError("the comparison counts are empty: there is no comparison")
        for what, arr in (("first", first), ("second", second)):
            bad = np.flatnonzero((arr < 0) | (arr >= m))
            if bad.size:
                raise AggregationError(
                    f"cell {int(bad[0]) + 1}: {what} = {int(arr[bad[0]])} is not the index of "
                    f"one of the {m} alternatives"
                )
        same = np.flatnonzero(first == second)
        if same.size:
            raise AggregationError(
                f"cell {int(same[0]) + 1}: a response is compared with itself ({alts[int(first[same[0]])]!r})"
            )
        C = np.stack(counts, axis=1)
        negative = np.flatnonzero((C < 0).any(axis=1))
        if negative.size:
            raise AggregationError(
                f"cell {int(negative[0]) + 1}: counts must not be negative, got {C[negative[0]].tolist()}"
            )
        total = int(C.sum(dtype=np.int64)) if C.size else 0
        bounds.check("MAX_TOTAL_WEIGHT", total, "the comparison counts", found=f"{total:,} comparisons")
        # canonical orientation: first < second
        flip = first > second
        first, second = np.where(flip, second, first), np.where(flip, first, second)
        C[flip] = C[flip][:, [1, 0, 2]]
        if annotators is not None or annotator is not None:
            if annotators is None or annotator is None:
                raise AggregationError("annotator ids need both the codes (annotator) and their names (annotators)")
            names = annotator_names(annotators)
            codes = _whole(annotator, "annotator")
            if len(codes) != n:
                raise AggregationError(f"the comparison counts: annotator has {len(codes):,} entries, first has {n:,}")
            bad = np.flatnonzero((codes < 0) | (codes >= len(names)))
            if bad.size:
                raise AggregationError(
                    f"cell {int(bad[0]) + 1}: annotator = {int(codes[bad[0]])} is not the index of "
                    f"one of the {len(names):,} annotators"
                )
        else:
            names, codes = None, np.zeros(n, np.int64)
        # merge repeated cells, drop empty ones, sort by (annotator, first, second)
        key = (codes * m + first) * m + second
        keys, inverse = np.unique(key, return_inverse=True)
        merged = np.zeros((len(keys), 3), np.int64)
        np.add.at(merged, inverse, C)
        keep = merged.sum(axis=1) > 0
        keys, merged = keys[keep], merged[keep]
        if len(keys) == 0:
            raise AggregationError("the comparison counts hold no comparison (every count is 0)")
        self._alternatives = tuple(alts)
        self._first = (keys // m % m).astype(np.int32)
        self._second = (keys % m).astype(np.int32)
        self._counts = merged
        if names is not None:
            used = np.unique(keys // (m * m))
            remap = np.full(len(names), -1, np.int64)
            remap[used] = np.arange(len(used))
            self._annotator = remap[keys // (m * m)].astype(np.int32)
            self._annotators = tuple(names[i] for i in used)
        else:
            self._annotator, self._annotators = None, None
        for arr in (self._first, self._second, self._counts, *(() if names is None else (self._annotator,))):
            arr.setflags(write=False)
        self._cache: dict[str, object] = {}

    # ----------------------------------------------------------------- constructors
    @classmethod
    def from_frame(
        cls, frame: pd.DataFrame, alternatives: Sequence[str] | None = None, where: str = "the counts table"
    ) -> ComparisonCounts:
        """From a table with columns ``first``, ``second`` (names), ``first_wins``, ``second_wins``,
        ``ties`` and optionally ``annotator`` (ids, read as text): the form :meth:`table` writes.
        Without ``alternatives`` they are the names found, sorted."""
        if not isinstance(frame, pd.DataFrame):
            raise AggregationError(f"{where} must be a table (DataFrame)")
        missing = [c for c in ("first", "second", *OUTCOMES) if c not in frame.columns]
        if missing:
            raise AggregationError(
                f"{where} has no {missing[0]!r} column (columns found: {', '.join(map(str, list(frame.columns)[:20]))})"
            )
        bounds.check("MAX_COUNT_CELLS", len(frame), where)
        first, first_names = _factorized(frame["first"], f"{where}: first")
        second, second_names = _factorized(frame["second"], f"{where}: second")
        found = list(dict.fromkeys(first_names + second_names))
        if alternatives is None:
            alts = sorted(alternative_names(found, what=f"{where}: the alternatives"))
        else:
            alts = alternative_names(alternatives)
            known = set(alts)
            unknown = next((a for a in found if a not in known), None)
            if unknown is not None:
                column, names, codes = (
                    (frame["first"], first_names, first)
                    if unknown in first_names
                    else (frame["second"], second_names, second)
                )
                row = int(np.flatnonzero(codes == names.index(unknown))[0])
                raise AggregationError(
                    f"{where}: row {row + 1}: unknown alternative {short(unknown)} (known: "
                    f"{', '.join(alts[:20])}{', …' if len(alts) > 20 else ''})"
                )
        position = {a: i for i, a in enumerate(alts)}
        first = np.asarray([position[a] for a in first_names], dtype=np.int64)[first]
        second = np.asarray([position[a] for a in second_names], dtype=np.int64)[second]
        annotator = annotators = None
        if "annotator" in frame.columns:
            annotator, annotators = _factorized(frame["annotator"], f"{where}: annotator")
        try:
            return cls(
                alts,
                first,
                second,
                frame["first_wins"].to_numpy(),
                frame["second_wins"].to_numpy(),
                frame["ties"].to_numpy(),
                annotator,
                annotators,
            )
        except AggregationError as exc:
            raise AggregationError(f"{where}: {str(exc).replace('cell ', 'row ', 1)}") from None

    @classmethod
    def from_pairwise(cls, data) -> ComparisonCounts:
        """The counts of a :class:`~.comparisons.PairwiseData` (no ties; its voter column, when every row
        has one, as annotators)."""
        alts = data.alternatives
        position = {a: i for i, a in enumerate(alts)}
        table = data.table
        chosen = table["chosen"].map(position).to_numpy(np.int64)
        rejected = table["rejected"].map(position).to_numpy(np.int64)
        ones, zeros = np.ones(len(chosen), np.int64), np.zeros(len(chosen), np.int64)
        voter = data.voter_column
        if voter is not None and table[voter].notna().all():
            codes, uniques = pd.factorize(table[voter].astype(str).str.strip())
            return cls(alts, chosen, rejected, ones, zeros, zeros, codes, list(uniques))
        return cls(alts, chosen, rejected, ones, zeros, zeros)

    # ----------------------------------------------------------------- what it holds
    @property
    def alternatives(self) -> list[str]:
        return list(self._alternatives)

    @property
    def annotators(self) -> list[str] | None:
        """The annotators' ids (None when the log named none)."""
        return None if self._annotators is None else list(self._annotators)

    @property
    def has_annotators(self) -> bool:
        return self._annotators is not None

    @property
    def n_annotators(self) -> int:
        return 0 if self._annotators is None else len(self._annotators)

    @property
    def cells(self) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray]:
        """``(first, second, annotator, counts)``: alternative indices (first < second), annotator codes
        (None without annotators) and the ``cells x 3`` counts (first wins, second wins, ties). Read-only."""
        return self._first, self._second, self._annotator, self._counts

    @property
    def n_cells(self) -> int:
        return len(self._first)

    @property
    def n_comparisons(self) -> int:
        if "total" not in self._cache:
            self._cache["total"] = int(self._counts.sum(dtype=np.int64))
        return self._cache["total"]

    @property
    def n_rows(self) -> int:
        return self.n_comparisons

    @property
    def n_ties(self) -> int:
        return int(self._counts[:, 2].sum(dtype=np.int64))

    def __len__(self) -> int:
        return self.n_comparisons

    def __repr__(self) -> str:
        who = f", {self.n_annotators:,} annotators" if self.has_annotators else ""
        return f"ComparisonCounts({self.n_comparisons:,} comparisons over {len(self._alternatives)} alternatives{who})"

    @property
    def fingerprint(self) -> str:
        if "fingerprint" not in self._cache:
            h = hashlib.sha256()
            h.update("\x1f".join(self._alternatives).encode())
            for arr in (self._first, self._second, self._counts):
                h.update(np.ascontiguousarray(arr).tobytes())
            if self._annotators is not None:
                h.update("\x1f".join(self._annotators).encode())
                h.update(np.ascontiguousarray(self._annotator).tobytes())
            self._cache["fingerprint"] = "counts:" + h.hexdigest()
        return self._cache["fingerprint"]

    def table(self, limit: int | None = None) -> pd.DataFrame:
        """The cells as a table of names and counts (columns :data:`TABLE_COLUMNS`, ``annotator`` only with
        annotators); only the first ``limit`` cells when given. :meth:`from_frame` reads it back."""
        rows = slice(None) if limit is None else slice(0, int(limit))
        names = np.asarray(self._alternatives, dtype=object)
        out = {"first": names[self._first[rows]], "second": names[self._second[rows]]}
        if self._annotators is not None:
            out["annotator"] = np.asarray(self._annotators, dtype=object)[self._annotator[rows]]
        for j, column in enumerate(OUTCOMES):
            out[column] = self._counts[rows, j]
        return pd.DataFrame(out)

    # ----------------------------------------------------------------- pairs
    def pair_counts(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(first, second, counts)`` summed over annotators: one row per pair compared (first < second)."""
        if "pairs" not in self._cache:
            m = len(self._alternatives)
            key = self._first.astype(np.int64) * m + self._second
            keys, inverse = np.unique(key, return_inverse=True)
            counts = np.zeros((len(keys), 3), np.int64)
            np.add.at(counts, inverse, self._counts)
            self._cache["pairs"] = ((keys // m).astype(np.int32), (keys % m).astype(np.int32), counts)
            self._cache["pair_of_cell"] = inverse.astype(np.int32)
        return self._cache["pairs"]

    def pair_of_cell(self) -> np.ndarray:
        """For each cell, its row in :meth:`pair_counts`."""
        self.pair_counts()
        return self._cache["pair_of_cell"]

    def _matrices(self) -> tuple[np.ndarray, np.ndarray]:
        """``W`` (``W[a, b]``: comparisons a won against b) and ``T`` (ties, symmetric), as floats."""
        if "matrices" not in self._cache:
            m = len(self._alternatives)
            first, second, counts = self.pair_counts()
            W = np.zeros((m, m))
            T = np.zeros((m, m))
            W[first, second] = counts[:, 0]
            W[second, first] = counts[:, 1]
            T[first, second] = T[second, first] = counts[:, 2]
            self._cache["matrices"] = (W, T)
        return self._cache["matrices"]

    def _frame(self, X: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame(X.copy(), index=self.alternatives, columns=self.alternatives)

    def wins(self) -> pd.DataFrame:
        """``wins[a, b]``: comparisons in which a was preferred to b (ties not counted)."""
        return self._frame(self._matrices()[0])

    def ties(self) -> pd.DataFrame:
        """``ties[a, b]``: comparisons of a and b judged a tie (symmetric)."""
        return self._frame(self._matrices()[1])

    def comparison_counts(self) -> pd.DataFrame:
        """``n[a, b]``: comparisons of a and b, either way and ties included."""
        W, T = self._matrices()
        return self._frame(W + W.T + T)

    def preference_matrix(self) -> pd.DataFrame:
        """``P[a, b] = (W[a, b] + T[a, b] / 2) / n[a, b]``: a tie counts half for each side; 1/2 for a pair
        never compared."""
        if "P" not in self._cache:
            W, T = self._matrices()
            N = W + W.T + T
            with np.errstate(invalid="ignore", divide="ignore"):
                P = np.where(N > 0, (W + T / 2) / np.where(N > 0, N, 1), 0.5)
            np.fill_diagonal(P, 0.5)
            P.setflags(write=False)
            self._cache["P"] = P
        return self._frame(self._cache["P"])

    def standard_errors(self) -> pd.DataFrame:
        """The standard error of each ``P[a, b]``: that of the mean score (1 a win, 1/2 a tie, 0 a loss) of
        ``n[a, b]`` independent comparisons, ``sqrt((E[s^2] - P^2) / n)``; without ties it is the binomial
        ``sqrt(P (1 - P) / n)``. NaN for pairs never compared, 0 on the diagonal. Annotators who judge many
        comparisons make the comparisons dependent: :func:`aggregation.bootstrap` resamples them as clusters."""
        W, T = self._matrices()
        N = W + W.T + T
        P = self.preference_matrix().to_numpy()
        with np.errstate(invalid="ignore", divide="ignore"):
            second_moment = (W + T / 4) / np.where(N > 0, N, 1)
            se = np.where(N > 0, np.sqrt(np.clip(second_moment - P**2, 0, None) / np.where(N > 0, N, 1)), np.nan)
        np.fill_diagonal(se, 0.0)
        return self._frame(se)

    def unobserved_pairs(self) -> list[tuple[str, str]]:
        """The pairs ``(a, b)`` (a before b in the alternatives' order) never compared; their ``P`` is 1/2."""
        W, T = self._matrices()
        N = W + W.T + T
        i, j = np.nonzero(np.triu(N == 0, 1))
        return [(self._alternatives[a], self._alternatives[b]) for a, b in zip(i.tolist(), j.tolist())]

    def restrict(self, alternatives: Sequence[str]) -> ComparisonCounts:
        """The comparisons between the given alternatives only (each entry of ``P`` depends only on its own
        pair's comparisons)."""
        keep = alternative_names(alternatives, what="restrict")
        unknown = [a for a in keep if a not in self._alternatives]
        if unknown:
            raise AggregationError(
                f"restrict: unknown alternative {unknown[0]!r} (known: {', '.join(self._alternatives[:20])})"
            )
        new = np.full(len(self._alternatives), -1, np.int64)
        new[[self._alternatives.index(a) for a in keep]] = np.arange(len(keep))
        rows = (new[self._first] >= 0) & (new[self._second] >= 0)
        if not rows.any():
            raise AggregationError(f"restrict: no comparison is left between {', '.join(keep[:20])}")
        annotator = None if self._annotator is None else self._annotator[rows]
        return ComparisonCounts(
            keep,
            new[self._first[rows]],
            new[self._second[rows]],
            self._counts[rows, 0],
            self._counts[rows, 1],
            self._counts[rows, 2],
            annotator,
            self._annotators,
        )

    # ----------------------------------------------------------------- single comparisons
    def comparisons(self, seed: int | None = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every comparison once, as ``(a, b, score)``: alternative indices and a's score (1 a win, 1/2 a
        tie, 0 a loss), in a random order drawn with ``seed`` (the log's own order is not kept by the
        counts). With ``seed=None`` the order is by pair (first wins, then second wins, then ties)."""
        first, second, counts = self.pair_counts()
        total = counts.sum(axis=1)
        small = np.int16 if len(self._alternatives) < 2**15 else np.int32
        a = np.repeat(first.astype(small), total)
        b = np.repeat(second.astype(small), total)
        outcome = np.repeat(np.tile(np.array([1.0, 0.0, 0.5], np.float32), len(total)), counts.reshape(-1))
        if seed is not None:
            order = np.random.default_rng(seed).permutation(len(a))
            a, b, outcome = a[order], b[order], outcome[order]
        return a, b, outcome
