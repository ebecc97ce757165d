"""Weighted rankings (weak orders) over named alternatives.

Internally a profile is a matrix of *levels*: ``levels[i, a]`` is the index of the tie group
that holds alternative ``a`` in ranking ``i`` (0 = best group), plus one positive weight per
ranking. Every computation is vectorised over rankings and alternatives.

Convention for incomplete rankings (PrefLib ``soi``/``toi`` files, text lines that omit some
alternatives): the alternatives a ranking does not mention share its last place.

Every constructor checks the limits of :mod:`aggregation.bounds` (alternatives, rankings, rankings x
alternatives, total weight) before it allocates, and rankings given as text or lists are turned into
rows of levels one at a time (no list of every ranking's names is kept): 100,000 rankings over 50
alternatives parse in a few seconds and a few tens of MB.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import bounds
from ..errors import AggregationError
from ..validate import RANKING_SIGNS, alternative_names, name as check_name, positive_weights, short
from .base import RANKINGS, Population

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def parse_ranking(text: str) -> list[list[str]]:
    """``"B > R = G > Y"`` -> ``[["B"], ["R", "G"], ["Y"]]``: ``>`` strict, ``=`` tie.

    A ranking of more names than :data:`~aggregation.bounds.MAX_ALTERNATIVES` is refused before it is
    split (a line of 50,000 names costs no memory)."""
    if not isinstance(text, str):
        raise AggregationError(f"a ranking must be text such as 'B > R = G', got {type(text).__name__}")
    names = text.count(">") + text.count("=") + 1
    bounds.check(
        "MAX_ALTERNATIVES",
        names,
        f"the ranking {text.strip()[:40]!r}…" if len(text.strip()) > 40 else f"the ranking {text.strip()!r}",
        found=f"{names:,} names",
    )
    groups = []
    for part in text.split(">"):
        names = [n.strip() for n in part.split("=")]
        if any(not n for n in names):
            where = "between '>' signs" if part.strip() else "(nothing between two '>' signs or at an end)"
            raise AggregationError(f"a name is missing {where} in {text.strip()[:200]!r}")
        groups.append(names)
    return groups


def format_ranking(groups: Sequence[Sequence[str]]) -> str:
    """Inverse of :func:`parse_ranking`."""
    return " > ".join(" = ".join(g) for g in groups)


def format_weight(w: float) -> str:
    """A weight as text that reads back to the same float: ``3``, ``2.5``, ``0.1``, ``1e-05``."""
    w = float(w)
    return str(int(w)) if w.is_integer() and abs(w) < 2**53 else repr(w)


def dense_levels(levels: np.ndarray) -> np.ndarray:
    """Renumber each row's levels to 0, 1, 2, ... keeping order and ties."""
    if levels.size == 0:
        return levels.astype(np.int32)
    order = np.argsort(levels, axis=1, kind="stable")
    sorted_vals = np.take_along_axis(levels, order, axis=1)
    steps = np.zeros_like(sorted_vals, dtype=np.int32)
    steps[:, 1:] = (np.diff(sorted_vals, axis=1) > 0).astype(np.int32)
    dense_sorted = np.cumsum(steps, axis=1, dtype=np.int32)
    out = np.empty_like(dense_sorted)
    np.put_along_axis(out, order, dense_sorted, axis=1)
    return out


def _above_counts(levels: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """``A[a, b]`` = total weight of rankings that put ``a`` strictly above ``b``.

    O(n m^2) work as one matrix-vector product per alternative. Whole-number weights whose
    total stays below 2**24 are summed in float32, which is exact there and twice as fast;
    anything else in float64.
    """
    n, m = levels.shape
    exact32 = bool(np.all(weights == np.round(weights))) and weights.sum() < 2**24
    dtype = np.float32 if exact32 else np.float64
    w = weights.astype(dtype)
    A = np.empty((m, m))
    for a in range(m):
        A[a] = w @ (levels[:, a : a + 1] < levels).astype(dtype)
    return A


def group_positions(levels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For dense levels (rankings x alternatives): ``start[i, a]``, how many alternatives ranking i puts
    strictly above a (a's first position, from 0), and ``size[i, a]``, the size of a's tie group."""
    n, m = levels.shape
    lv = levels.astype(np.intp)
    counts = np.bincount((np.arange(n)[:, None] * m + lv).ravel(), minlength=n * m).reshape(n, m)
    before = np.cumsum(counts, axis=1) - counts
    return np.take_along_axis(before, lv, axis=1), np.take_along_axis(counts, lv, axis=1)


def _position_counts(levels: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """``D[a, p]`` of dense ``levels`` (see :meth:`Profile.position_counts`): one pass over the voters."""
    n, m = levels.shape
    alt = np.broadcast_to(np.arange(m), (n, m))
    if (levels.max(axis=1) == m - 1).all():  # strict rankings: the level is the position
        return np.bincount((alt * m + levels).ravel(), weights=np.repeat(weights, m), minlength=m * m).reshape(m, m)
    start, size = group_positions(levels)
    share = (weights[:, None] / size).ravel()
    width = m + 1  # difference array over positions 0 .. m
    diff = np.bincount((alt * width + start).ravel(), weights=share, minlength=m * width) - np.bincount(
        (alt * width + start + size).ravel(), weights=share, minlength=m * width
    )
    return np.cumsum(diff.reshape(m, width), axis=1)[:, :m]


def _without(levels: np.ndarray, drop: Sequence[int]) -> np.ndarray:
    """Dense levels with the alternatives ``drop`` removed (all columns kept, those of ``drop`` meaningless):
    a removed alternative alone in its tie group closes that group, so every level below it moves up one.
    O(rankings x alternatives) per removed alternative, no sort (:func:`dense_levels` sorts every row)."""
    lv = levels.astype(np.int32)
    for x in sorted(drop, reverse=True):
        col = lv[:, x : x + 1]
        alone = (lv == col).sum(axis=1, keepdims=True) == 1
        lv = lv - (alone & (lv > col))
        lv[:, x] = -1  # out of every later comparison
    return lv


#: The counts a profile keeps that are sums over its voters: shared with its merged form
#: (:meth:`Profile.compressed`), carried by its variations in closed form (:meth:`Profile._variation`).
COUNTS = ("above", "positions")

#: Restricting to a subset that drops at most this many alternatives renumbers levels with :func:`_without`;
#: dropping more sorts each row once (:func:`dense_levels`).
FEW_DROPPED = 4


class Profile(Population):
    """Weighted rankings over named alternatives; rankings may contain ties.

    Build with :meth:`from_rankings`, :meth:`parse`, :meth:`from_orders` or :meth:`from_levels`.
    Profiles are immutable; derived quantities are computed once and cached.
    """

    kind = RANKINGS
    noun, nouns = "distinct ranking", "distinct rankings"
    has_full_rankings = True

    def __init__(self, levels: np.ndarray, alternatives: Sequence[str], weights=None, *, _dense: bool = False):
        alts = alternative_names(alternatives, signs=RANKING_SIGNS)
        lv = np.asarray(levels)
        if lv.ndim != 2 or lv.shape[1] != len(alts):
            raise AggregationError(f"levels must be a (rankings x {len(alts)}) array, got shape {lv.shape}")
        if lv.shape[0] == 0:
            raise AggregationError("the population is empty: there are no rankings")
        if not np.issubdtype(lv.dtype, np.integer):
            raise AggregationError("levels must be integers")
        bounds.check("MAX_RANKINGS", lv.shape[0], "the population")
        bounds.check(
            "MAX_CELLS",
            lv.size,
            "the population",
            found=f"{lv.shape[0]:,} rankings x {lv.shape[1]:,} alternatives = {lv.size:,} cells",
        )
        self._alternatives = tuple(alts)
        dtype = np.int16 if len(alts) < 2**15 else np.int32
        self._levels = (lv if _dense else dense_levels(lv)).astype(dtype, copy=False)
        self._levels.setflags(write=False)
        self._weights = positive_weights(weights, lv.shape[0])
        self._weights.setflags(write=False)
        self._cache: dict[str, object] = {}

    # ----------------------------------------------------------------- constructors
    @classmethod
    def from_rankings(
        cls,
        rankings: Iterable,
        weights=None,
        alternatives: Sequence[str] | None = None,
        *,
        labels: Sequence | None = None,
    ) -> "Profile":
        """Rankings best-first: each item a name or a tie group (a list of names).

        ``alternatives`` fixes the set and order of alternatives (unknown names are errors);
        by default it is every name in order of first appearance. Names a ranking leaves out
        share its last place. ``labels`` (internal) names each ranking in error messages.
        """
        rows = _Rows(None if alternatives is None else alternative_names(alternatives, signs=RANKING_SIGNS))
        for i, ranking in enumerate(rankings):
            where = labels[i] if labels is not None else f"ranking {i + 1}"
            rows.add(_as_groups(ranking, where), where)
        levels, alts = rows.finish()
        label = (lambda i: labels[i]) if labels is not None else None
        w = positive_weights(weights, levels.shape[0], label=label) if weights is not None else None
        return cls(levels, alts, w)

    @classmethod
    def parse(cls, text: str, alternatives: Sequence[str] | None = None) -> "Profile":
        """Parse lines such as ``3: B > R = G > Y`` (weight, colon, ranking).

        ``>`` is strict preference, ``=`` indifference; the weight and colon may be left out
        (weight 1). Blank lines and ``#`` comments are ignored. Errors name the line.
        """
        text = bounds.text(text, "the rankings")
        rows = _Rows(None if alternatives is None else alternative_names(alternatives, signs=RANKING_SIGNS))
        weights, lines = [], []
        for lineno, raw in enumerate(text.splitlines(), start=1):
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            if ":" in line:
                head, body = line.split(":", 1)
                head = head.strip()
                if len(head) > 40 or not _NUMBER.match(head):
                    raise AggregationError(f"the weight {head!r} before ':' is not a number", line=lineno)
                weight = float(head)
                if not np.isfinite(weight) or weight <= 0:
                    raise AggregationError(f"weight {head} must be a positive number", line=lineno)
            else:
                body, weight = line, 1.0
            if not body.strip():
                raise AggregationError("the ranking after the weight is empty", line=lineno)
            try:
                groups = parse_ranking(body)
            except AggregationError as exc:
                raise exc.at_line(lineno) from None
            rows.add(groups, f"line {lineno}")
            weights.append(weight)
            lines.append(lineno)
        if not weights:
            raise AggregationError("no rankings found: write one ranking per line, e.g. '3: B > R = G'")
        levels, alts = rows.finish()
        return cls(levels, alts, positive_weights(weights, len(weights), label=lambda i: f"line {lines[i]}"))

    @classmethod
    def from_orders(cls, orders, alternatives: Sequence[str], weights=None) -> "Profile":
        """Strict rankings as an integer array: row ``i`` lists alternative indices best-first."""
        arr = np.asarray(orders)
        m = len(alternatives)
        if arr.ndim != 2 or arr.shape[1] != m or not np.issubdtype(arr.dtype, np.integer):
            raise AggregationError(f"orders must be a (rankings x {m}) integer array, got shape {arr.shape}")
        if arr.size and (arr.min() < 0 or arr.max() >= m):
            raise AggregationError(f"orders must hold alternative indices 0..{m - 1}")
        levels = np.full(arr.shape, -1, dtype=np.int32)
        np.put_along_axis(levels, arr.astype(np.intp), np.broadcast_to(np.arange(m, dtype=np.int32), arr.shape), axis=1)
        bad = np.flatnonzero((levels < 0).any(axis=1))
        if bad.size:  # some index repeated, so another one never appears
            raise AggregationError(f"ranking {int(bad[0]) + 1} is not a permutation of 0..{m - 1}")
        return cls(levels, alternatives, weights, _dense=True)

    @classmethod
    def from_levels(cls, levels, alternatives: Sequence[str], weights=None) -> "Profile":
        """Weak orders as an integer array: ``levels[i, a]`` smaller = better, equal = tie."""
        return cls(np.asarray(levels), alternatives, weights)

    # ----------------------------------------------------------------- attributes
    @property
    def alternatives(self) -> list[str]:
        return list(self._alternatives)

    @property
    def weights(self) -> np.ndarray:
        return self._weights

    @property
    def levels(self) -> np.ndarray:
        return self._levels

    @property
    def total_weight(self) -> float:
        return float(self._weights.sum())

    @property
    def n_rankings(self) -> int:
        return len(self._weights)

    @property
    def has_ties(self) -> bool:
        if "has ties" not in self._cache:
            self._cache["has ties"] = bool((self._levels.max(axis=1) < len(self._alternatives) - 1).any())
        return self._cache["has ties"]

    @property
    def n_rows(self) -> int:
        """The number of distinct rankings (identical rankings counted once)."""
        if "n_rows" not in self._cache:
            self._cache["n_rows"] = self.compressed().n_rankings
        return self._cache["n_rows"]

    def __len__(self) -> int:
        return self.n_rankings

    def __repr__(self) -> str:
        return (
            f"Profile({self.n_rankings} rankings over {len(self._alternatives)} alternatives, "
            f"total weight {format_weight(self.total_weight)})"
        )

    @property
    def fingerprint(self) -> str:
        """A digest of the alternatives, rankings and weights (a cache key)."""
        if "fingerprint" not in self._cache:
            h = hashlib.sha256()
            h.update("\x1f".join(self._alternatives).encode())
            h.update(np.ascontiguousarray(self._levels).tobytes())
            h.update(np.ascontiguousarray(self._weights).tobytes())
            self._cache["fingerprint"] = "profile:" + h.hexdigest()
        return self._cache["fingerprint"]

    def ranking(self, i: int) -> list[list[str]]:
        """Ranking ``i`` as tie groups, best first."""
        return self._groups(slice(i, i + 1))[0]

    @property
    def rankings(self) -> list[list[list[str]]]:
        return self._groups(slice(None))

    def _groups(self, rows: slice) -> list[list[list[str]]]:
        """Tie groups of many rankings at once: one argsort, then plain list work per row."""
        levels = self._levels[rows]
        order = np.argsort(levels, axis=1, kind="stable")
        sorted_levels = np.take_along_axis(levels, order, axis=1)
        names = self._alternatives
        out = []
        for row_order, row_levels in zip(order.tolist(), sorted_levels.tolist()):
            groups, previous = [], None
            for a, lvl in zip(row_order, row_levels):
                if lvl != previous:
                    groups.append([])
                    previous = lvl
                groups[-1].append(names[a])
            out.append(groups)
        return out

    def ranking_texts(self) -> list[str]:
        """Every ranking in the text syntax (``B > R = G``), in order."""
        m = len(self._alternatives)
        strict = self._levels.max(axis=1) == m - 1
        out: list[str] = [""] * self.n_rankings
        if strict.any():  # no ties: the names in order, joined by " > "
            idx = np.flatnonzero(strict)
            order = np.argsort(self._levels[idx], axis=1)
            for i, row in zip(idx.tolist(), np.asarray(self._alternatives, dtype=object)[order].tolist()):
                out[i] = " > ".join(row)
        for i in np.flatnonzero(~strict).tolist():
            out[i] = format_ranking(self.ranking(i))
        return out

    def to_text(self) -> str:
        """The profile in the text syntax of :meth:`parse`, one ranking per line."""
        return "".join(f"{format_weight(w)}: {text}\n" for w, text in zip(self._weights.tolist(), self.ranking_texts()))

    def to_frame(self) -> pd.DataFrame:
        """One row per ranking: ``weight`` and ``ranking`` (text syntax)."""
        return pd.DataFrame({"weight": self._weights, "ranking": self.ranking_texts()})

    # ----------------------------------------------------------------- derived
    def compressed(self) -> "Profile":
        """Identical rankings merged into one, their weights added (order of first appearance); computed once."""
        if "compressed" not in self._cache:
            uniq, first, inverse = np.unique(self._levels, axis=0, return_index=True, return_inverse=True)
            if uniq.shape[0] == self.n_rankings:
                self._cache["compressed"] = self
            else:
                weights = np.bincount(inverse.reshape(-1), weights=self._weights, minlength=uniq.shape[0])
                order = np.argsort(first)
                merged = Profile(uniq[order], self._alternatives, weights[order], _dense=True)
                merged._cache.update({k: self._cache[k] for k in COUNTS if k in self._cache})
                merged._cache["tallies"] = self._tallies()
                self._cache["compressed"] = merged
        return self._cache["compressed"]

    def _counted(self, key: str, count) -> np.ndarray:
        """The counts ``key`` (computed by ``count(levels, weights)`` once, read-only), shared with the merged
        profile (:meth:`compressed`: the same voters) so that its variations find them too."""
        if key not in self._cache:
            counts = count(self._levels, self._weights)
            counts.setflags(write=False)
            self._cache[key] = counts
            merged = self._cache.get("compressed")
            if merged is not None and merged is not self:
                merged._cache.setdefault(key, counts)
        return self._cache[key]

    def _tallies(self) -> dict:
        return self._cache.setdefault("tallies", {})

    def tallies(self, key) -> dict:
        """A rule's remembered sums over this profile's voters under ``key`` (instant runoff's first places by
        set of remaining alternatives): a dict the rule fills and reads, shared with the merged profile
        (:meth:`compressed`: the same voters), so that a variation of either (:attr:`origin`) can start from
        them. Never pickled (:meth:`__getstate__`)."""
        return self._tallies().setdefault(key, {})

    #: How this profile was derived from another by moving voters or renaming alternatives (:class:`Origin`):
    #: a rule's sums over its voters follow from the other's (:meth:`tallies`). None for a profile built
    #: from its rankings.
    origin: "Origin | None" = None
    #: The profile whose rankings this one reweights (:meth:`with_weights`: a group of its voters), whose
    #: solutions are a good start for this one's (:mod:`aggregation.testtime.warm_start`); None otherwise.
    reweighted_from: "Profile | None" = None

    def __getstate__(self):
        """Pickled (``st.cache_data``) without the rules' remembered tallies (:meth:`tallies`) and the rankings'
        hashes (:meth:`_holds`): both are rebuilt when needed; nor the profile it was derived from
        (:attr:`origin`, :attr:`reweighted_from`: shortcuts, not its voters)."""
        state = self.__dict__.copy()
        state["_cache"] = {k: v for k, v in self._cache.items() if k not in ("tallies", "row hashes")}
        state.pop("origin", None)
        state.pop("reweighted_from", None)
        return state

    def above_counts(self) -> np.ndarray:
        """``A[a, b]``: total weight of rankings with ``a`` strictly above ``b``."""
        return self._counted("above", _above_counts)

    def position_counts(self) -> np.ndarray:
        """``D[a, p]``: the weight of voters that put alternative a in position p + 1 (p = 0 .. m-1), a tie
        group of j alternatives spreading each member's weight evenly, ``1/j``, over the j positions it spans
        (random tie-breaking in expectation). Every positional scoring rule is ``D @ points``; each row and
        each column sums to the total weight; column 0 over the total is the first-place distribution."""
        return self._counted("positions", _position_counts)

    def support_matrix(self) -> np.ndarray:
        """``S[a, b]``: weight strictly preferring a to b plus half the weight indifferent (``W * P``)."""
        if "S" not in self._cache:
            A = self.above_counts()
            S = (self.total_weight + A - A.T) / 2.0
            np.fill_diagonal(S, self.total_weight / 2.0)
            S.setflags(write=False)
            self._cache["S"] = S
        return self._cache["S"]

    def preference_matrix(self) -> pd.DataFrame:
        """``P[a, b]``: share of weight strictly preferring a to b, plus half the share indifferent."""
        P = self.support_matrix() / self.total_weight
        np.fill_diagonal(P, 0.5)
        return pd.DataFrame(P, index=self.alternatives, columns=self.alternatives)

    def first_place_distribution(self) -> pd.Series:
        """Share of weight ranking each alternative first (a tie at the top splits the weight)."""
        dist = self.position_counts()[:, 0] / self.total_weight
        return pd.Series(dist, index=self.alternatives, name="first-place share")

    def unique_first_shares(self) -> pd.Series:
        """Share of weight ranking each alternative first and alone (no tie at the top)."""
        top = self._levels == 0
        alone = top & (top.sum(axis=1) == 1)[:, None]
        dist = (alone * self._weights[:, None]).sum(axis=0) / self.total_weight
        return pd.Series(dist, index=self.alternatives, name="unique first-place share")

    def draw_voters(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` rankings drawn by weight (their 0-based rows)."""
        return rng.choice(self.n_rankings, size=n, p=self._weights / self.total_weight)

    def draw_labels(
        self, a: np.ndarray, b: np.ndarray, coin: np.ndarray, rng: np.random.Generator, voters: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """One voter per pair, drawn by weight (or ``voters``, 0-based rows, when given; reported by its
        1-based row), prefers ``a[i]`` when its ranking puts it strictly above ``b[i]``; an indifferent
        voter flips ``coin``."""
        voter = self.draw_voters(len(a), rng) if voters is None else np.asarray(voters)
        la, lb = self._levels[voter, a], self._levels[voter, b]
        return (la < lb) | ((la == lb) & (coin < 0.5)), voter + 1

    # Variations of a profile whose pairwise counts (``above_counts``, O(n m^2)) and position counts
    # (``position_counts``, O(n m)) follow from this one's in closed form. Whichever of the two this profile
    # has computed, a variation gets without reading the voters, and its rankings are only built if something
    # reads them (:class:`_Variation`): a rule that reads only P or only the positions costs O(m^2) on it (the
    # property checks re-compute rules on up to a thousand variations of a population of 100,000 rankings).
    #: Whether variations use the closed forms (False only in ``bench/bench_scale.py``'s naive path).
    closed_form_variations = True

    def _variation(self, make_levels, alternatives, weights, above, positions=None, origin=None) -> "Profile":
        """A variation built by ``make_levels`` (when read); ``above`` and ``positions`` map this profile's
        counts to the variation's (``positions`` None: no closed form, they are read from its rankings);
        ``origin``: ``(changes, perm[, factor])`` of :class:`Origin` when the variation is this profile's voters
        with a few rows added (or taken away), their weights scaled, the alternatives renamed or removed."""
        known = {}
        if Profile.closed_form_variations:
            for key, derive in zip(COUNTS, (above, positions)):
                if derive is not None and key in self._cache:
                    known[key] = derive(self._cache[key])
        if not Profile.closed_form_variations or (not known and origin is None):
            return Profile(make_levels(), alternatives, weights, _dense=True)
        bounds.check("MAX_RANKINGS", len(weights), "the population")
        bounds.check("MAX_CELLS", len(weights) * len(alternatives), "the population")
        variation = _Variation(make_levels, alternatives, weights, known)
        if origin is not None:
            variation.origin = Origin(self, *origin)
        return variation

    def _distinct_too(self, variation: "Profile | None") -> "Profile | None":
        """``variation`` (the same rankings, fewer, reordered, renamed or reweighted), marked as its own merged
        form when this profile's rankings are all distinct (:meth:`compressed`: then no re-sort)."""
        if variation is not None and self._cache.get("compressed") is self and Profile.closed_form_variations:
            variation._cache["compressed"] = variation
        return variation

    def with_weights(self, weights, above: np.ndarray | None = None, positions: np.ndarray | None = None):
        """The same rankings with new ``weights`` (rows of weight 0 dropped; None when none is left). ``above`` and
        ``positions``: the result's pairwise and position counts when the caller has them (reinforcement sums
        them over blocks of rankings): its rankings are then built only if something reads them
        (:class:`_Variation`), so a rule that reads only P or the positions costs O(m^2) on it."""
        w = np.asarray(weights, dtype=float)
        keep = w > 1e-12
        if not keep.any():
            return None
        known = {k: v for k, v in zip(COUNTS, (above, positions)) if v is not None}
        if not known or not Profile.closed_form_variations:
            group = Profile.from_levels(self._levels[keep], self._alternatives, w[keep])
        else:
            group = self._distinct_too(_Variation(lambda: self._levels[keep], self._alternatives, w[keep], known))
        if Profile.closed_form_variations:
            group.reweighted_from = self
        return group

    def restrict(self, alternatives: Sequence[str]) -> "Profile":
        """The same voters over a subset of alternatives (their order follows ``alternatives``)."""
        keep = alternative_names(alternatives, what="restrict")
        idx = [self._index(a, "restrict") for a in keep]
        drop = sorted(set(range(len(self._alternatives))) - set(idx))

        def levels():
            if len(drop) <= FEW_DROPPED:
                return _without(self._levels, drop)[:, idx]
            return dense_levels(self._levels[:, idx])

        return self._variation(levels, keep, self._weights, lambda A: A[np.ix_(idx, idx)], origin=([], np.asarray(idx)))

    def with_clone(self, alternative: str, name: str) -> "Profile":
        """Add ``name``, a clone ranked right below ``alternative`` (in a tie group of its own)."""
        j = self._index(alternative, "with_clone")
        if not isinstance(name, str) or not name.strip():
            raise AggregationError("with_clone: the clone needs a non-empty name")
        name = name.strip()
        if name in self._alternatives:
            raise AggregationError(f"with_clone: an alternative named {name!r} already exists")
        alts = list(self._alternatives)
        alts.insert(j + 1, name)
        alternative_names(alts, signs=RANKING_SIGNS)
        total = self.total_weight

        def levels():  # every tie group below the original's moves down one to make room for the clone's
            lv = self._levels.astype(np.int32)
            col = lv[:, j : j + 1]
            return np.insert(lv + (lv > col), j + 1, col[:, 0] + 1, axis=1)

        def above(A):
            # the clone beats y exactly where the original beats y strictly; y beats the clone wherever y
            # is at least as good as the original (W - A[x, y]); the original beats the clone everywhere
            B = np.insert(np.insert(A, j + 1, 0.0, axis=0), j + 1, 0.0, axis=1)
            B[j + 1, :] = np.insert(A[j], j + 1, 0.0)
            B[:, j + 1] = np.insert(total - A[j], j + 1, 0.0)
            B[j, j + 1], B[j + 1, j], B[j + 1, j + 1] = total, 0.0, 0.0
            return B

        return self._variation(levels, alts, self._weights, above)

    def split_clone(self, original: str, clone: str) -> "Profile":
        """``clone`` added next to ``original`` in every ranking: half of each ranking's weight puts it
        just below ``original`` (:meth:`with_clone`), the other half just above (the two swapped)."""
        below = self.with_clone(original, clone)
        names = below.alternatives
        j, c = names.index(original), names.index(clone)
        swap = list(range(len(names)))
        swap[j], swap[c] = c, j

        def levels():
            return np.vstack([below.levels, below.levels[:, swap]])

        weights = np.concatenate([below.weights, below.weights]) / 2.0
        variation = below._variation(
            levels,
            names,
            weights,
            lambda A: (A + A[np.ix_(swap, swap)]) / 2.0,
            lambda D: (D + D[swap]) / 2.0,
        )
        if Profile.closed_form_variations and not self.has_ties:  # its tallies follow from this profile's
            perm = np.array([i if i <= j else i - 1 for i in range(len(names))], dtype=np.intp)
            perm[c] = j
            variation.origin = Origin(self, [], perm, clone=(j, c))
        return variation

    def relabelled(self, perm: Sequence[int]) -> "Profile":
        """The alternative named ``names[j]`` gets the place of ``names[perm[j]]`` in every ranking."""
        perm = np.asarray(perm, dtype=np.intp)
        return self._distinct_too(
            self._variation(
                lambda: self._levels[:, perm],
                self._alternatives,
                self._weights,
                lambda A: A[np.ix_(perm, perm)],
                lambda D: D[perm],
                ([], perm),
            )
        )

    def reordered(self, order: Sequence[int]) -> "Profile":
        """The same rankings listed in another ``order`` (a permutation of the rows)."""
        order = np.asarray(order, dtype=np.intp)

        def same(counts):  # the same voters, listed in another order
            return counts

        return self._distinct_too(
            self._variation(
                lambda: self._levels[order], self._alternatives, self._weights[order], same, same, ([], None)
            )
        )

    def moved(self, i: int, count: float, new_levels=None) -> "Profile | None":
        """``count`` of the weight of row ``i`` removed (the row dropped when nothing is left of it) and,
        with ``new_levels``, put back as a new last row with that ranking; None when nobody is left."""
        weights = self._weights.astype(float).copy()
        weights[i] -= count
        keep = weights > 1e-12
        new = None if new_levels is None else dense_levels(np.asarray(new_levels)[None, :]).astype(self._levels.dtype)
        if new is not None:
            weights = np.append(weights[keep], float(count))
        else:
            weights = weights[keep]
        if len(weights) == 0:
            return None

        def levels():
            lv = self._levels[keep]  # already dense: only the new row is renumbered (an O(n m) copy, no sort)
            return lv if new is None else np.vstack([lv, new])

        old = self._levels[i : i + 1]

        def above(A):
            B = A - count * (old.T < old)
            return B if new is None else B + count * (new.T < new)

        def positions(D):
            D = D - count * _position_counts(old, np.ones(1))
            return D if new is None else D + count * _position_counts(new, np.ones(1))

        changes = [(old[0], -float(count))] + ([] if new is None else [(new[0], float(count))])
        variation = self._variation(levels, self._alternatives, weights, above, positions, (changes, None))
        joins = (
            new is not None and self._cache.get("compressed") is self and self._holds(new[0], None if keep[i] else i)
        )
        return variation if joins else self._distinct_too(variation)

    def _holds(self, row: np.ndarray, unless: int | None = None) -> bool:
        """Whether some ranking of this profile other than row ``unless`` is ``row``: its hash looked up among
        the rankings' hashes (computed once, 8 bytes a ranking), the candidates compared in full."""
        if "row hashes" not in self._cache:
            n, m = self._levels.shape
            mult = np.random.default_rng(0).integers(1, 2**62, m, dtype=np.int64)
            hashes = np.empty(n, dtype=np.int64)
            for start in range(0, n, 8192):  # int64 arithmetic wraps: a hash, not a number
                hashes[start : start + 8192] = self._levels[start : start + 8192].astype(np.int64) @ mult
            self._cache["row hashes"] = (mult, hashes)
        mult, hashes = self._cache["row hashes"]
        candidates = np.flatnonzero(hashes == np.asarray(row, dtype=np.int64) @ mult)
        return any(c != unless and np.array_equal(self._levels[c], row) for c in candidates.tolist())

    def scaled(self, factor: float) -> "Profile":
        """Every weight multiplied by ``factor`` (> 0)."""

        def times(counts):
            return counts * factor

        return self._distinct_too(
            self._variation(
                lambda: self._levels, self._alternatives, self._weights * factor, times, times, ([], None, factor)
            )
        )

    def _index(self, name: str, where: str) -> int:
        try:
            return self._alternatives.index(name)
        except ValueError:
            raise AggregationError(
                f"{where}: unknown alternative {name!r} (known: {', '.join(self._alternatives)})"
            ) from None


@dataclass(frozen=True)
class Origin:
    """A profile's voters are ``profile``'s, their weights times ``factor``, with ``changes`` added,
    ``[(levels row, signed weight), ...]`` (a negative weight takes voters away), and its alternative j is
    ``profile``'s alternative ``perm[j]`` (``perm`` None: the same alternatives; a renaming, or a subset when
    alternatives were removed). A sum over the voters by alternative, such as a tally of first places among
    a set S, is then ``factor`` times the origin's tally among ``perm[S]``, read through ``perm``, plus the
    changed rows' own."""

    profile: Profile
    changes: list
    perm: np.ndarray | None = None
    factor: float = 1.0
    #: ``(x, c)``: alternative c is a clone of x (:meth:`Profile.split_clone` of a profile without ties: next to x
    #: in every ranking, above it for half of each ranking's weight, below for the other half; ``perm[c] ==
    #: perm[x]``). Among a set holding both, each has half of the first (or last) places x has in the origin
    #: without c; holding one of them, it has x's. (With ties it would not: the clone sits in a tie group of its
    #: own, where x may share one.)
    clone: tuple[int, int] | None = None

    def tally(self, remembered: dict, remaining: np.ndarray, row_tally) -> np.ndarray | None:
        """The tally among ``remaining`` from the origin's ``remembered`` tallies (by remaining set) and
        ``row_tally(levels row, remaining)`` of each changed row; None when the origin never counted that set."""
        mine = np.asarray(remaining, dtype=bool)
        if self.clone is not None:
            return self._clone_tally(remembered, mine)
        theirs = mine
        if self.perm is not None:
            theirs = np.zeros(len(self.profile.alternatives), dtype=bool)
            theirs[self.perm] = mine
        base = remembered.get(theirs.tobytes())
        if base is None:
            return None
        tally = (base if self.perm is None else base[self.perm]) * self.factor
        for row, weight in self.changes:
            tally += weight * row_tally(row, mine)
        return tally

    def _clone_tally(self, remembered: dict, mine: np.ndarray) -> np.ndarray | None:
        x, c = self.clone
        theirs = np.zeros(len(self.profile.alternatives), dtype=bool)
        theirs[self.perm[mine]] = True  # the clone alone stands for x
        base = remembered.get(theirs.tobytes())
        if base is None:
            return None
        tally = base[self.perm] * self.factor
        tally[~mine] = 0.0
        if mine[x] and mine[c]:
            tally[x] = tally[c] = tally[x] / 2.0
        return tally


class _Variation(Profile):
    """A profile derived from another in closed form (:meth:`Profile.restrict`, ``with_clone``,
    ``split_clone``, ``relabelled``, ``reordered``, ``moved``, ``scaled``, ``with_weights``): its pairwise
    and/or position counts are given (``known``), its rankings are built by ``make_levels`` the first time
    anything reads them. Behaves as the profile it stands for."""

    def __init__(self, make_levels, alternatives, weights, known: dict[str, np.ndarray]):
        self._make, self._built = make_levels, None
        self._alternatives = tuple(alternatives)
        w = np.asarray(weights, dtype=float)
        w.setflags(write=False)
        self._weights = w
        self._cache = {}
        for key, counts in known.items():
            counts = np.ascontiguousarray(counts, dtype=float)
            counts.setflags(write=False)
            self._cache[key] = counts

    def __reduce__(self):
        """Pickled (``st.cache_data`` stores results that hold a variation) as the plain profile it stands for."""
        known = {k: self._cache[k] for k in COUNTS if k in self._cache}
        return (_plain_profile, (np.asarray(self.levels), self._alternatives, self._weights, known))

    @property
    def _levels(self) -> np.ndarray:
        if self._built is None:
            lv = np.asarray(self._make())
            dtype = np.int16 if len(self._alternatives) < 2**15 else np.int32
            lv = lv.astype(dtype, copy=False)
            lv.setflags(write=False)
            self._built, self._make = lv, None
        return self._built


def _plain_profile(levels, alternatives, weights, known) -> Profile:
    profile = Profile(levels, alternatives, weights, _dense=True)
    profile._cache.update(known)
    return profile


class _Rows:
    """Rankings (tie groups of names) turned into rows of a levels matrix one at a time, so that no
    list of every ranking's names is kept. With ``alternatives`` the names are fixed (others are
    errors); without, they are numbered in order of first appearance. The matrix grows by doubling
    and never beyond the limits of :mod:`aggregation.bounds`, which are checked before it grows.
    A ranking leaves the alternatives it does not mention at -1 until :meth:`finish` puts them in its
    last place."""

    def __init__(self, alternatives: list[str] | None = None):
        self.fixed = alternatives is not None
        self.names: list[str] = list(alternatives or [])
        self.index = {a: j for j, a in enumerate(self.names)}
        self.buffer = np.full((64, max(len(self.names), 8)), -1, dtype=np.int16)
        self.depth: list[int] = []

    def add(self, groups: list[list[str]], where: str) -> None:
        n = len(self.depth)
        bounds.check("MAX_RANKINGS", n + 1, "the population", found=f"more than {bounds.LIMITS['MAX_RANKINGS']}")
        columns, levels = [], []
        for level, group in enumerate(groups):
            for name in group:
                j = self.index.get(name)
                if j is None:
                    if self.fixed:
                        known = ", ".join(self.names[:20]) + (", …" if len(self.names) > 20 else "")
                        raise _located(f"unknown alternative {name[:200]!r} (known: {known})", where)
                    j = self._new(name, where)
                columns.append(j)
                levels.append(level)
        if len(set(columns)) != len(columns):
            seen: set[int] = set()
            twice = next(j for j in columns if j in seen or seen.add(j))
            raise _located(f"alternative {self.names[twice]!r} appears twice", where)
        bounds.check(
            "MAX_CELLS",
            (n + 1) * len(self.names),
            "the population",
            found=f"{n + 1:,} rankings x {len(self.names):,} alternatives",
        )
        if n == self.buffer.shape[0]:
            grown = np.full((2 * n, self.buffer.shape[1]), -1, dtype=np.int16)
            grown[:n] = self.buffer
            self.buffer = grown
        self.buffer[n, columns] = levels
        self.depth.append(len(groups))

    def _new(self, name: str, where: str) -> int:
        try:
            name = check_name(name, "alternatives", signs=RANKING_SIGNS)
        except AggregationError as exc:
            raise _located(exc, where) from None
        j = len(self.names)
        bounds.check("MAX_ALTERNATIVES", j + 1, where, found=f"more than {bounds.LIMITS['MAX_ALTERNATIVES']}")
        bounds.check(
            "MAX_CELLS",
            len(self.depth) * (j + 1),
            "the population",
            found=f"{len(self.depth):,} rankings x {j + 1:,} alternatives",
        )
        if j == self.buffer.shape[1]:
            grown = np.full((self.buffer.shape[0], 2 * j), -1, dtype=np.int16)
            grown[:, :j] = self.buffer
            self.buffer = grown
        self.names.append(name)
        self.index[name] = j
        return j

    def finish(self) -> tuple[np.ndarray, list[str]]:
        """The levels matrix (rankings x alternatives) and the alternatives, in order."""
        n = len(self.depth)
        if n == 0:
            raise AggregationError("the population is empty: there are no rankings")
        levels = self.buffer[:n, : len(self.names)]
        self.buffer = None
        missing = levels < 0
        if missing.any():
            levels = np.where(missing, np.asarray(self.depth, dtype=np.int16)[:, None], levels)
        return levels, self.names


def _located(message, where: str) -> AggregationError:
    """``message`` (text, or an error whose class is kept) located at ``where`` ("line 3", "row 2", a field)."""
    error = message if isinstance(message, AggregationError) else AggregationError(message)
    if where.startswith("line "):
        return error.at_line(int(where.split()[1]))
    located = error.at_line(0)
    located.line, located.args = None, (f"{where}: {error.message}",)
    located.message = located.args[0]
    return located


def _as_groups(ranking, where: str) -> list[list[str]]:
    if isinstance(ranking, str):
        try:
            return parse_ranking(ranking)
        except AggregationError as exc:
            raise _located(exc, where) from None
    if not isinstance(ranking, (list, tuple)):
        raise _located(f"a ranking must be a list of names or tie groups, got {short(ranking)}", where)
    if not ranking:
        raise _located("the ranking is empty", where)
    groups, count = [], 0
    for item in ranking:
        if isinstance(item, str):
            group = [item]
        elif isinstance(item, (set, frozenset)):
            group = sorted(item, key=str)
        elif isinstance(item, (list, tuple)):
            group = list(item)
        else:
            raise _located(f"{short(item)} is neither a name nor a tie group (a list of names)", where)
        if not group:
            raise _located("a tie group is empty", where)
        count += len(group)
        bounds.check(
            "MAX_ALTERNATIVES", count, where, found=f"more than {bounds.LIMITS['MAX_ALTERNATIVES']} in one ranking"
        )
        for name in group:
            if not isinstance(name, str) or not name.strip():
                raise _located(f"alternative names must be non-empty strings, got {short(name)}", where)
        groups.append([name.strip() for name in group])
    return groups
