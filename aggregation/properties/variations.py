"""Variations of a population that the property checks try, and how they are explored.

A check explores a :class:`Space`: a product of axes (which ranking, how many of its voters, which
report, ...), each an indexable sequence, and a ``build`` function that turns one index per axis
into a variation (or None where the combination means nothing, e.g. more voters than a ranking
has). A space of at most ``cap`` combinations is explored completely, in order (the check is then
exhaustive); a larger one is explored on ``cap`` combinations drawn uniformly at random (one draw
per axis) with a fixed seed, and the check says so.

Voters: a ranking of whole-number weight w stands for w voters (any 1..w of them may stay home,
misreport, raise an alternative); a ranking whose weight is not a whole number stands for one
indivisible group.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from ..errors import AggregationError
from ..populations.base import MATRIX, RANKINGS, USER_TYPES, Population
from ..populations.comparisons import PairwiseData
from ..populations.counts import ComparisonCounts
from ..populations.matrix import PreferenceMatrix
from ..populations.profile import Profile, format_ranking
from ..populations.user_types import RewardPopulation


# ============================================================================ spaces
class Permutations:
    """Every ordering of ``range(n)``: ``count`` of them, iterated in lexicographic order, or drawn
    uniformly at random (``sample``) without listing them."""

    def __init__(self, n: int):
        self.n = n
        self.count = math.factorial(n) if n <= 1000 else HUGE

    def __iter__(self):
        return itertools.permutations(range(self.n))

    def sample(self, rnd: random.Random) -> Sequence[int]:
        if self.n <= LAZY_PERMUTATIONS:
            order = list(range(self.n))
            rnd.shuffle(order)
            return tuple(order)
        return DrawnOrder(self.n, rnd.getrandbits(64))


#: Longer permutations are drawn by numpy from a seed (:class:`DrawnOrder`) instead of a Python shuffle.
LAZY_PERMUTATIONS = 1000


class DrawnOrder(Sequence):
    """A uniformly random ordering of ``range(n)`` for large n, known by its seed: built by numpy when
    read (a Python shuffle of 100,000 rows takes 60 ms), compared and hashed by the seed (two seeds
    giving the same ordering of more than 1,000 rows is beyond any chance that matters)."""

    def __init__(self, n: int, seed: int):
        self.n, self.seed = n, seed

    @property
    def array(self) -> np.ndarray:
        return np.random.default_rng(self.seed).permutation(self.n)

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i):
        return self.array[i].tolist()

    def __iter__(self):
        return iter(self.array.tolist())

    def __array__(self, dtype=None, copy=None):
        return self.array if dtype is None else self.array.astype(dtype)

    def __hash__(self) -> int:
        return hash((self.n, self.seed))

    def __eq__(self, other) -> bool:
        return isinstance(other, DrawnOrder) and (self.n, self.seed) == (other.n, other.seed)


@lru_cache(maxsize=None)
def weak_orders(m: int) -> tuple[tuple[int, ...], ...]:
    """Every weak order of m alternatives as a tuple of levels (0 = best, dense), strict orders
    first (in lexicographic order of the ranking), then those with ties (m <= 6: 4,683 at most)."""
    if m > 6:
        raise AggregationError("weak orders are listed for at most 6 alternatives")
    out = set()
    for levels in itertools.product(range(m), repeat=m):
        used = sorted(set(levels))
        if used == list(range(len(used))):
            out.add(levels)
    return tuple(sorted(out, key=lambda lv: (len(set(lv)) != m, lv)))


def strict_levels(order: Sequence[int], m: int) -> tuple[int, ...]:
    """The levels of a strict ranking given best-first as alternative indices."""
    levels = [0] * m
    for position, a in enumerate(order):
        levels[a] = position
    return tuple(levels)


class Reports:
    """The rankings a voter may report over m alternatives (as levels): every weak order when m <= 4
    (ties allowed, 75 at m = 4), otherwise every strict ranking (m!, drawn without listing them)."""

    def __init__(self, m: int):
        self.m = m
        self.with_ties = m <= 4
        self._orders = None if self.with_ties else Permutations(m)
        self.count = len(weak_orders(m)) if self.with_ties else self._orders.count

    def __iter__(self):
        if self.with_ties:
            return iter(weak_orders(self.m))
        return (strict_levels(order, self.m) for order in self._orders)

    def sample(self, rnd: random.Random) -> tuple[int, ...]:
        if self.with_ties:
            return rnd.choice(weak_orders(self.m))
        return strict_levels(self._orders.sample(rnd), self.m)

    @property
    def words(self) -> str:
        return "every ranking, with or without ties" if self.with_ties else "every strict ranking"


#: The size of a space too large to count (shown as "more than 10^100").
HUGE = 10**100


def axis_size(axis) -> int:
    return axis.count if hasattr(axis, "count") and not callable(axis.count) else len(axis)


def draw(axis, rnd: random.Random):
    if hasattr(axis, "sample"):
        return axis.sample(rnd)
    return axis[rnd.randrange(len(axis))]


@dataclass
class Space:
    """A product of ``axes`` and ``build(*items) -> variation | None``. An axis is a sequence, or an
    object with ``count``, iteration and ``sample(rnd)`` (:class:`Permutations`, :class:`Reports`)."""

    axes: list
    build: Callable
    #: Whether covering the whole product covers every variation the property allows (False when an
    #: axis is itself a bounded stand-in, e.g. spread voter counts for a very large weight).
    complete: bool = True

    @property
    def size(self) -> int:
        return math.prod(axis_size(a) for a in self.axes) if self.axes else 0

    def exhaustive(self, cap: int) -> bool:
        return self.complete and self.size <= cap

    def explore(self, cap: int, seed: int = 0):
        """Every variation (size <= cap), else up to ``cap`` random combinations (one uniform draw per
        axis, repeats skipped, at most 20 x cap draws); yields the built variations that are not None."""
        size = self.size
        if size == 0:
            return
        if size <= cap:
            for items in itertools.product(*self.axes):
                v = self.build(*items)
                if v is not None:
                    yield v
            return
        rnd = random.Random(seed)
        seen, produced = set(), 0
        for _ in range(20 * cap):
            if produced >= cap:
                break
            items = tuple(draw(a, rnd) for a in self.axes)
            if items in seen:
                continue
            seen.add(items)
            v = self.build(*items)
            if v is not None:
                produced += 1
                yield v


def size_text(n: int) -> str:
    return f"{n:,}" if n < 10**12 else "more than a trillion"


def plural(what: str) -> str:
    """The plural of a variation's name: its head noun takes the "s" ("other order of the rankings" ->
    "other orders of the rankings", "group misreport" -> "group misreports")."""
    head, of, rest = what.partition(" of ")
    return f"{head}s{of}{rest}"


def scope_text(space: Space, tried: int, cap: int, what: str, seed: int = 0) -> str:
    """The bounds of a check in words."""
    if space.exhaustive(cap):
        return f"every {what} ({tried:,} re-computation{'s' if tried != 1 else ''})"
    return (
        f"{tried:,} {plural(what) if tried != 1 else what} drawn at random (seed {seed}) out of "
        f"{size_text(space.size)} combinations; a pass "
        "means no counterexample was found within these bounds"
    )


# ============================================================================ voters
#: A ranking of weight above this is explored on this many voter counts spread from 1 to all.
MAX_COUNTS = 200


def whole(weight: float) -> bool:
    return float(weight).is_integer()


def counts_axis(weights: np.ndarray, minimum: int = 1) -> tuple[Sequence, bool]:
    """The axis of "how many voters of a ranking" (an index, mapped per ranking by :func:`count_of`)
    and whether it covers every count."""
    if all(whole(w) for w in weights):
        n = int(max(weights)) - minimum + 1
        return range(max(0, min(n, MAX_COUNTS))), n <= MAX_COUNTS
    return range(1 if minimum <= 1 else 0), True


def count_of(weight: float, c: int, minimum: int = 1) -> float | None:
    """The ``c``-th voter count of a ranking of this weight: ``minimum + c`` for whole weights up to
    :data:`MAX_COUNTS` (None beyond the weight), counts spread from ``minimum`` to the weight above
    that, the whole group for a weight that is not a whole number (``c == 0``)."""
    if not whole(weight):
        return float(weight) if c == 0 and minimum <= 1 else None
    w = int(weight)
    if w - minimum + 1 <= MAX_COUNTS:
        s = minimum + c
        return s if s <= w else None
    s = minimum + round(c * (w - minimum) / (MAX_COUNTS - 1))
    return s if s <= w else None


def rows(profile: Profile) -> Profile:
    """The profile with identical rankings merged (each row a distinct ranking)."""
    return profile.compressed()


def change(profile: Profile, i: int, count: float, new_levels=None) -> Profile | None:
    """``profile`` with ``count`` of the voters of row ``i`` removed, and (with ``new_levels``) put
    back with that ranking instead; None when nobody would be left."""
    return profile.moved(i, count, new_levels)


def reweighted(profile: Profile, weights: np.ndarray, above=None, positions=None) -> Profile | None:
    """The same rankings with new weights (rows of weight 0 dropped); None when none is left. ``above`` and
    ``positions``: the result's pairwise and position counts, when known (:meth:`Profile.with_weights`)."""
    return profile.with_weights(weights, above, positions)


def ranking_text(levels_row, names: Sequence[str]) -> str:
    """A ranking given by its levels in the text syntax, "B > A = C"."""
    levels = np.asarray(levels_row)
    groups = [[names[a] for a in np.flatnonzero(levels == lvl)] for lvl in sorted(set(levels.tolist()))]
    return format_ranking(groups)


def voters_text(count: float, weight: float, ranking: str) -> str:
    """Who, in words: "the 2 voters with B > A > C", "one voter with ...", "all 3 voters with ...",
    "the voters with ... (weight 0.4)"."""
    if not whole(weight):
        return f"the voters with {ranking} (weight {float(weight):g})"
    count, weight = int(count), int(weight)
    if count == 1:
        return f"{'the' if weight == 1 else 'one'} voter with {ranking}"
    if count == weight:
        return f"all {count} voters with {ranking}" if count > 2 else f"both voters with {ranking}"
    return f"{count} of the {weight} voters with {ranking}"


def profile_text(profile: Profile, limit: int = 6) -> str:
    """A short description of a profile: "3 × A > B > C, 2 × B > C > A"."""
    texts = profile.ranking_texts()
    parts = [f"{w:g} × {t}" for w, t in zip(profile.weights.tolist(), texts)]
    if len(parts) > limit:
        parts = parts[:limit] + [f"and {len(parts) - limit} more rankings"]
    return ", ".join(parts)


# ============================================================================ relabelling and reordering
def relabelled(population: Population, perm: Sequence[int]) -> Population:
    """The population in which the alternative named ``names[j]`` gets the data (rankings, rewards,
    row of P, comparisons) of ``names[perm[j]]``: a renaming of the alternatives."""
    names = population.alternatives
    perm = list(perm)
    if population.kind == RANKINGS:
        return population.relabelled(perm)
    if population.kind == USER_TYPES:
        table = population.rewards.iloc[:, perm]
        table.columns = names
        return RewardPopulation(table, population.weights.to_numpy(float), population.temperature)
    if population.kind == MATRIX:
        P = population.preference_matrix().to_numpy(float)[np.ix_(perm, perm)]
        return PreferenceMatrix(pd.DataFrame(P, index=names, columns=names))
    if isinstance(population, PairwiseData):
        rename = {names[perm[j]]: names[j] for j in range(len(names))}
        table = population.table
        for column in ("chosen", "rejected"):
            table[column] = table[column].map(rename)
        return PairwiseData(table, alternatives=names)
    if isinstance(population, ComparisonCounts):
        rename = {names[perm[j]]: names[j] for j in range(len(names))}
        table = population.table()
        for column in ("first", "second"):
            table[column] = table[column].map(rename)
        return ComparisonCounts.from_frame(table, alternatives=names)
    raise AggregationError(f"cannot relabel a population of kind {population.kind!r}")


def reordered_voters(population: Population, order: Sequence[int]) -> Population:
    """The same voters (rows) listed in another ``order``."""
    order = np.asarray(order, dtype=np.intp)
    if population.kind == RANKINGS:
        return population.reordered(order)
    if population.kind == USER_TYPES:
        table = population.rewards.iloc[order]
        return RewardPopulation(table, population.weights.to_numpy(float)[order], population.temperature)
    if isinstance(population, PairwiseData):
        return PairwiseData(population.table.iloc[order], alternatives=population.alternatives)
    if isinstance(population, ComparisonCounts):
        table = population.table().iloc[order]
        return ComparisonCounts.from_frame(table, alternatives=population.alternatives)
    raise AggregationError(f"a population of kind {population.kind!r} has no voters to reorder")


def n_voter_rows(population: Population) -> int:
    if population.kind == RANKINGS:
        return population.n_rankings
    return population.n_rows
