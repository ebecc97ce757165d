"""Elimination rules: instant runoff (Hare) and its parallel-universe variant, plurality with runoff,
Coombs, Baldwin, Nanson (strict and weak), Benham, Tideman's alternative (Smith and Schwartz), and the
social welfare order of instant runoff.

Each rule removes alternatives round by round and recounts among those left. The voters' ballots are
read as :mod:`.ballots` says (weak orders; user types through their Plackett-Luce rankings); Baldwin
and Nanson read only Borda scores among the remaining alternatives, which need only the preference
matrix, so they apply to any population.

Conventions (all stated in the registry's explanations and pinned by the tests):

* **First and last places among the remaining** alternatives: a voter whose top (bottom) group among
  them has j alternatives gives each ``1/j`` of its weight, the core's plurality convention (the
  "split" count of pref_voting's weak-order instant runoff).
* **Ties for elimination: every tied alternative goes at once** (pref_voting's convention for
  ``instant_runoff``, ``coombs``, ``baldwin``, ``benham`` and the Tideman alternatives); when that would
  remove every alternative left, they all win. ``instant_runoff_put`` instead follows *parallel-universe
  tie-breaking* (Conitzer, Rognlie & Xia 2009): one tied alternative at a time, in every possible
  order, and the winners are every alternative that wins in some universe.
* **Majority**: more than half of the total weight, beyond the tie tolerance of
  :mod:`aggregation.outcome` (for whole-number weights, pref_voting's ``strict_maj_size``). A
  **Condorcet winner** beats every other remaining alternative by a positive margin (beyond
  :data:`~aggregation.outcome.MARGIN_TOLERANCE`). Ties in tallies are decided with the same relative
  tolerance as every winner of the core.
* Winner sets are returned as 1 (winner) or 0; the instant-runoff ranking as the round in which each
  alternative was eliminated (the winners one round after the last).

Round tallies are kept up to date as alternatives leave (only the voters whose top group lost a member
are recounted), so a whole instant runoff over n voters and m alternatives costs about ``O(n m)``
array work rather than ``O(n m^2)``; a profile remembers them by set of remaining alternatives, so the
property checks' variations that move a few voters recount only those voters (:class:`_Places`).
"""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.sparse.csgraph import connected_components

from ..errors import AggregationError
from ..outcome import MARGIN_TOLERANCE
from ..papers import Reference
from ..populations.base import Population
from ..populations.matrix import as_population
from ..populations.profile import Profile
from .ballots import ballots, ballots_refusal, more_than_half, names_text, number_text, tolerance
from .result import RANKING, SET
from .rule import ANY, VOTERS, Rule, Step

#: Parallel-universe instant runoff explores at most this many sets of remaining alternatives (each a
#: recount over every voter); beyond it, the rule refuses the population instead of running for long.
PUT_MAX_STATES = 5_000
#: A trace shows at most this many of the parallel universes' states.
PUT_TRACE_STATES = 25


# ============================================================================ the machinery
#: A profile remembers its tallies by set of remaining alternatives (:meth:`Profile.tallies
#: <aggregation.populations.profile.Profile.tallies>`), m floats each, up to this many floats per kind (first
#: or last places): 8 MB, 20,000 sets of 50 alternatives.
REMEMBERED_FLOATS = 1_000_000


class _Places:
    """Each voter's first places (or, with ``bottom``, last places) among the remaining alternatives,
    and their tally: a voter whose top group among the remaining has j members gives each ``w/j``.
    :meth:`remove` updates only the voters whose top group lost a member.

    Every tally is remembered by its set of remaining alternatives (:meth:`Profile.tallies`). On a
    profile derived from another by moving a few voters (the property checks' variations:
    :attr:`Profile.origin`), a tally the other profile has counted is that tally plus the moved rows'
    (O(m) per changed row, the voters never read); only when the rounds reach a set it never counted are
    this profile's rankings read, once, and the count goes on from there as usual."""

    def __init__(self, profile: Profile, bottom: bool = False, remaining: np.ndarray | None = None):
        self.profile, self.bottom = profile, bottom
        m = len(profile.alternatives)
        self.remaining = np.ones(m, dtype=bool) if remaining is None else np.asarray(remaining, dtype=bool).copy()
        kind = "last places" if bottom else "first places"
        self.known = profile.tallies(kind)
        origin = profile.origin
        self.source = None if origin is None else (origin, origin.profile.tallies(kind))
        self.levels = None
        self.tally = self._recalled()
        if self.tally is None:
            self._count()

    def _recalled(self) -> np.ndarray | None:
        """The tally of the current remaining set from what this profile or its origin has counted, else None."""
        key = self.remaining.tobytes()
        if key in self.known:
            return self.known[key].copy()
        if self.source is None:
            return None
        origin, remembered = self.source
        tally = origin.tally(remembered, self.remaining, lambda row, remaining: _top_share(row, remaining, self.bottom))
        if tally is not None:
            self._remember(tally)
        return tally

    def _remember(self, tally: np.ndarray) -> None:
        if (len(self.known) + 1) * len(tally) <= REMEMBERED_FLOATS:
            self.known[self.remaining.tobytes()] = tally.copy()

    def _count(self) -> None:
        """Read the voters (once): each one's top group among the remaining, and the tally."""
        lv = self.profile.levels.astype(np.int32)
        self.levels = lv.max(axis=1, keepdims=True) - lv if self.bottom else lv
        self.by_alternative = None  # one row per alternative (fast lookups), made at the first removal
        self.w = self.profile.weights
        m = len(self.remaining)
        masked = self.levels if self.remaining.all() else np.where(self.remaining, self.levels, np.iinfo(np.int32).max)
        self.best = masked.min(axis=1)
        top = masked == self.best[:, None]
        self.count = top.sum(axis=1)
        self.tally = _spread(top, self.w / self.count, m)
        self._remember(self.tally)

    def remove(self, gone) -> None:
        gone = np.asarray(gone, dtype=np.intp)
        if gone.size == 0:
            return
        before = self.remaining.copy()
        self.remaining[gone] = False
        self.tally[gone] = 0.0
        if not self.remaining.any():
            return
        if self.levels is None:  # nothing read yet: recalled, or read from here on
            self.tally = self._recalled()
            if self.tally is None:
                self._count()
            return
        if self.by_alternative is None:
            self.by_alternative = np.ascontiguousarray(self.levels.T)
        hit = np.flatnonzero((self.by_alternative[gone] == self.best[None, :]).any(axis=0))
        if hit.size:
            lv = self.levels[hit]
            m = len(self.remaining)
            old = (lv == self.best[hit, None]) & before
            self.tally -= _spread(old, self.w[hit] / self.count[hit], m)
            masked = np.where(self.remaining, lv, np.iinfo(np.int32).max)
            best = masked.min(axis=1)
            new = masked == best[:, None]
            count = new.sum(axis=1)
            self.tally += _spread(new, self.w[hit] / count, m)
            self.tally[~self.remaining] = 0.0
            self.best[hit], self.count[hit] = best, count
        self._remember(self.tally)

    def without(self, gone) -> "_Places":
        """A copy with ``gone`` removed too (the parallel universes branch): the voters' arrays are shared,
        each voter's top group and the tally copied and updated, O(n) instead of a recount's O(n m)."""
        if self.levels is not None and self.by_alternative is None:
            self.by_alternative = np.ascontiguousarray(self.levels.T)  # made once, shared by every branch
        other = copy.copy(self)
        other.remaining, other.tally = self.remaining.copy(), self.tally.copy()
        if self.levels is not None:
            other.best, other.count = self.best.copy(), self.count.copy()
        other.remove(gone)
        return other

    def of(self, idx: np.ndarray) -> np.ndarray:
        """The tally of the alternatives ``idx`` (clipped at 0: the running update rounds)."""
        return np.maximum(self.tally[idx], 0.0)


def _top_share(row: np.ndarray, remaining: np.ndarray, bottom: bool) -> np.ndarray:
    """One ranking's unit vote among the ``remaining``: ``1/j`` to each of its j best (``bottom``: worst)."""
    levels = np.where(remaining, row.astype(np.int32), np.iinfo(np.int32).min if bottom else np.iinfo(np.int32).max)
    top = levels == (levels.max() if bottom else levels.min())
    return top / top.sum()


def _spread(mask: np.ndarray, share: np.ndarray, m: int) -> np.ndarray:
    """``sum_i share[i] * mask[i, a]`` for every column a, over the true entries only (no n x m floats)."""
    rows, cols = np.nonzero(mask)
    return np.bincount(cols, weights=share[rows], minlength=m)


def _tally_among(profile: Profile, idx: np.ndarray) -> np.ndarray:
    """First places among the alternatives ``idx`` only (the split convention): remembered, recalled or
    counted as :class:`_Places` does."""
    remaining = np.zeros(len(profile.alternatives), dtype=bool)
    remaining[idx] = True
    return np.maximum(_Places(profile, remaining=remaining).tally[idx], 0.0)


def _lowest(values: np.ndarray) -> np.ndarray:
    """Positions of the values tied (within the tie tolerance) for the smallest."""
    return np.flatnonzero(values <= values.min() + tolerance(values))


def _highest(values: np.ndarray) -> np.ndarray:
    return np.flatnonzero(values >= values.max() - tolerance(values))


def _margins(population: Population) -> tuple[np.ndarray, list[str]]:
    P = as_population(population).preference_matrix()
    return (P - P.T).to_numpy(float), list(P.index)


def _pair_margin(profile: Profile, a: int, b: int) -> float:
    """``M[a, b]`` of one pair from the ballots: (weight preferring a to b - weight preferring b to a) / W."""
    la, lb = profile.levels[:, a], profile.levels[:, b]
    w = profile.weights
    return float((w @ (la < lb) - w @ (la > lb)) / profile.total_weight)


def _support(population: Population) -> tuple[np.ndarray, float]:
    """``S = W * P`` (weight preferring a to b, plus half the indifferent weight) and ``W``; for
    populations without voter weights, those of one average voter (``W = 1``), as :func:`~.scoring.borda`."""
    population = as_population(population)
    if isinstance(population, Profile):
        return np.asarray(population.support_matrix(), dtype=float), population.total_weight
    W = population.total_weight if population.total_weight is not None else 1.0
    return W * population.preference_matrix().to_numpy(float), W


def _source_components(beats: np.ndarray) -> list[np.ndarray]:
    """The strongly connected components of the graph ``i -> j when beats[i, j]`` that no outside
    vertex points into (in index order)."""
    count, label = connected_components(beats.astype(np.int8), directed=True, connection="strong")
    out = []
    for c in range(count):
        inside = label == c
        if not beats[np.ix_(~inside, inside)].any():
            out.append(np.flatnonzero(inside))
    return out


def smith_indices(M: np.ndarray) -> np.ndarray:
    """The Smith set of margins ``M`` (positions): the smallest non-empty set whose members all beat
    every outsider by a positive margin; the source component of the "beats or ties" graph."""
    (smith,) = _source_components(M >= -MARGIN_TOLERANCE)
    return smith


def schwartz_indices(M: np.ndarray) -> np.ndarray:
    """The Schwartz set (GOCHA) of margins ``M`` (positions): the union of the minimal sets that no
    outsider beats by a positive margin; the union of the source components of the "beats" graph."""
    return np.sort(np.concatenate(_source_components(M > MARGIN_TOLERANCE)))


def condorcet_index(M: np.ndarray) -> int | None:
    """The position of the alternative that beats every other one by a positive margin, if any."""
    wins = (M > MARGIN_TOLERANCE) | np.eye(len(M), dtype=bool)
    found = np.flatnonzero(wins.all(axis=1))
    return int(found[0]) if found.size else None


@dataclass
class Round:
    """One round of an elimination rule: the alternatives still in, the numbers that decided it
    (``columns``, each one value per remaining alternative, or a ready table), who left (or won) and
    why, in words. ``moved``: the weight each remaining alternative gained since the previous round
    (instant runoff's transfers). The :attr:`table` is built only when a trace asks for it."""

    remaining: list[str]
    columns: dict | pd.DataFrame
    eliminated: list[str]
    text: str
    moved: np.ndarray | None = None

    @property
    def table(self) -> pd.DataFrame:
        if isinstance(self.columns, pd.DataFrame):
            return self.columns
        table = pd.DataFrame(self.columns, index=self.remaining)
        if self.moved is not None:
            tol = tolerance(table.iloc[:, 0].to_numpy(float))
            table["moved in"] = [f"+{number_text(d)}" if d > tol else "" for d in self.moved]
        return table


@dataclass
class Elimination:
    """How an elimination rule ran: ``winners``, the ``rounds`` and the groups eliminated, in order."""

    winners: list[str]
    rounds: list[Round] = field(default_factory=list)
    order: list[list[str]] = field(default_factory=list)


def _winner_set(names: list[str], winners: list[str], name: str) -> pd.Series:
    won = set(winners)
    return pd.Series([1.0 if a in won else 0.0 for a in names], index=names, name=name)


# ============================================================================ instant runoff
def instant_runoff_rounds(population: Population, *, to_the_end: bool = False) -> Elimination:
    """Instant runoff (Hare 1859; the alternative vote): count first places among the remaining
    alternatives; if one has more than half of the weight it wins; otherwise every alternative tied
    for the fewest first places is eliminated and its voters count for their next choice among those
    left. When every remaining alternative is tied for fewest, they all win. ``to_the_end``: do not
    stop at a majority (the elimination order of :func:`instant_runoff_ranking`)."""
    profile = ballots(population)
    names = profile.alternatives
    places = _Places(profile)
    out = Elimination([])
    previous = None
    while True:
        idx = np.flatnonzero(places.remaining)
        tally = places.of(idx)
        here = [names[i] for i in idx]
        columns = {"first places": tally}
        moved = None if previous is None else tally - previous
        if len(idx) == 1:
            out.winners = [names[idx[0]]]
            out.rounds.append(Round(here, columns, [], f"Only {names[idx[0]]} is left: it wins.", moved))
            return out
        majority = np.flatnonzero(more_than_half(tally, profile.total_weight))
        if majority.size and not to_the_end:
            out.winners = [names[idx[majority[0]]]]
            out.rounds.append(
                Round(
                    here,
                    columns,
                    [],
                    (
                        f"{out.winners[0]} has {number_text(tally[majority[0]])} first places, more than half of the total "
                        f"weight ({number_text(profile.total_weight)}): it wins."
                    ),
                    moved,
                )
            )
            return out
        low = _lowest(tally)
        gone = [names[idx[i]] for i in low]
        if len(low) == len(idx):
            out.winners = gone
            out.rounds.append(
                Round(
                    here,
                    columns,
                    [],
                    (
                        f"All of {names_text(gone)} are tied with {number_text(tally[low[0]])} first places: they all win."
                    ),
                    moved,
                )
            )
            return out
        out.order.append(gone)
        out.rounds.append(
            Round(
                here,
                columns,
                gone,
                moved=moved,
                text=(
                    f"Fewest first places: {names_text(gone)} ({number_text(tally[low[0]])}), eliminated"
                    + (" together (tied)" if len(gone) > 1 else "")
                    + "; "
                    + (
                        "their voters count for their next choice among those left."
                        if len(gone) > 1
                        else "its voters count for their next choice among those left."
                    )
                ),
            )
        )
        previous = np.delete(tally, low)
        places.remove(idx[low])


def instant_runoff(population: Population) -> pd.Series:
    """Instant runoff winners (1) and the others (0): see :func:`instant_runoff_rounds` (all alternatives
    tied for the fewest first places are eliminated together)."""
    result = instant_runoff_rounds(population)
    return _winner_set(as_population(population).alternatives, result.winners, "instant-runoff winner")


def instant_runoff_ranking(population: Population) -> pd.Series:
    """The social welfare order of instant runoff: the reverse of its elimination order, run to the end
    (no stop at a majority; pref_voting's ``instant_runoff_ranking``). Values: the round in which each
    alternative was eliminated (those eliminated together tie), the winners one more than the last round."""
    result = instant_runoff_rounds(population, to_the_end=True)
    value = {a: float(r) for r, group in enumerate(result.order, start=1) for a in group}
    value.update({a: float(len(result.order) + 1) for a in result.winners})
    names = as_population(population).alternatives
    return pd.Series([value[a] for a in names], index=names, name="instant-runoff round eliminated")


@dataclass
class _Universes:
    """The parallel-universe search: the winners, or None when it exceeded :data:`PUT_MAX_STATES`; the
    states visited (remaining alternatives, their first places, what happened)."""

    winners: list[str] | None
    states: list[tuple[list[str], np.ndarray, str]]
    visited: int


#: Parallel-universe searches kept (by the profile's fingerprint: a cache keyed by the profile object itself
#: kept the last few populations, however large, and everything derived from them, alive for the server's life).
_UNIVERSES_SIZE = 8
_UNIVERSES: OrderedDict[str, _Universes] = OrderedDict()
_UNIVERSES_LOCK = threading.Lock()  # pages compute in background threads (ui.background)


def _universes(profile: Profile) -> _Universes:
    """The parallel-universe search of ``profile``, remembered for the last :data:`_UNIVERSES_SIZE` profiles
    by fingerprint (the result holds names and small tallies only, never the profile)."""
    key = profile.fingerprint
    with _UNIVERSES_LOCK:
        if key in _UNIVERSES:
            _UNIVERSES.move_to_end(key)
            return _UNIVERSES[key]
    result = _search_universes(profile)
    with _UNIVERSES_LOCK:
        _UNIVERSES[key] = result
        while len(_UNIVERSES) > _UNIVERSES_SIZE:
            _UNIVERSES.popitem(last=False)
    return result


def _search_universes(profile: Profile) -> _Universes:
    names = profile.alternatives
    m = len(names)
    W = profile.total_weight
    winners: set[int] = set()
    seen: set[int] = set()
    states = []
    stack = [((1 << m) - 1, None)]  # (the remaining as bits, the first places among the set it came from)
    while stack:
        key, came_from = stack.pop()
        if key in seen:
            continue
        seen.add(key)
        if len(seen) > PUT_MAX_STATES:
            return _Universes(None, states, len(seen) - 1)
        remaining = np.array([key >> i & 1 for i in range(m)], dtype=bool)
        idx = np.flatnonzero(remaining)
        places = (
            _Places(profile)
            if came_from is None
            else came_from.without(np.flatnonzero(came_from.remaining & ~remaining))
        )
        tally = places.of(idx)
        here = [names[i] for i in idx]
        if len(idx) == 1:
            winners.add(int(idx[0]))
            what = f"only {names[idx[0]]} is left: it wins in this universe"
        elif (majority := np.flatnonzero(more_than_half(tally, W))).size:
            winners.add(int(idx[majority[0]]))
            what = f"{names[idx[majority[0]]]} has more than half of the first places: it wins in this universe"
        else:
            zero = np.flatnonzero(tally <= tolerance([W]))  # never all: the tallies add up to W
            if zero.size:  # nobody's first choice: every order removes them all first
                stack.append((key & ~sum(1 << int(idx[i]) for i in zero), places))
                what = (
                    f"{names_text([here[i] for i in zero])} {'has' if zero.size == 1 else 'have'} no first "
                    "places: removed (in every universe)"
                )
            else:
                low = _lowest(tally)
                for i in low[::-1]:
                    stack.append((key & ~(1 << int(idx[i])), places))
                what = f"fewest first places: {names_text([here[i] for i in low])}" + (
                    " (tied: one universe per choice of who goes)" if len(low) > 1 else ", eliminated"
                )
        if len(states) < PUT_TRACE_STATES:
            states.append((here, tally, what))
    return _Universes([names[i] for i in sorted(winners)], states, len(seen))


def _put_refusal(population: Population, params=None) -> str | None:
    reason = ballots_refusal(population, params)
    if reason is not None:
        return reason
    search = _universes(ballots(population))
    if search.winners is None:
        return (
            f"its ties branch into more than {PUT_MAX_STATES:,} sets of remaining alternatives here; the "
            "instant runoff that eliminates tied alternatives together applies"
        )
    return None


def instant_runoff_put(population: Population) -> pd.Series:
    """Instant runoff with parallel-universe tie-breaking (Conitzer, Rognlie & Xia 2009): when several
    alternatives tie for the fewest first places, one of them is eliminated, in every possible way; an
    alternative wins if it wins in some universe (a majority holder wins at once; alternatives with no
    first places leave first in every universe). Refused beyond :data:`PUT_MAX_STATES` explored sets."""
    population = as_population(population)
    reason = _put_refusal(population)
    if reason is not None:
        raise AggregationError(f"instant runoff (parallel universes): {reason}")
    search = _universes(ballots(population))
    return _winner_set(population.alternatives, search.winners, "instant-runoff (parallel universes) winner")


# ============================================================================ plurality with runoff
def plurality_with_runoff_rounds(population: Population) -> Elimination:
    """Plurality with runoff: the two alternatives with the most first places meet head-to-head, the
    majority of the whole weight deciding (margin > 0; a tied runoff elects both). Ties for the two
    places are resolved by parallel universes, as pref_voting's ``plurality_with_runoff_put``: if one
    alternative leads, it meets each alternative tied for second; if several tie for the lead, every
    pair of them meets. A majority holder of first places would win its runoff anyway."""
    profile = ballots(population)
    names = profile.alternatives
    tally = _tally_among(profile, np.arange(len(names)))
    table = {"first places": tally}
    out = Elimination([])
    if len(names) == 1:
        out.winners = list(names)
        out.rounds.append(Round(list(names), table, [], f"{names[0]} is the only alternative."))
        return out
    first = _highest(tally)
    if len(first) > 1:
        pairs = [(a, b) for i, a in enumerate(first) for b in first[i + 1 :]]
        why = f"{names_text([names[i] for i in first])} tie for the most first places: every pair of them meets"
    else:
        rest = np.delete(np.arange(len(names)), first)
        second = rest[_highest(tally[rest])]
        pairs = [(first[0], b) for b in second]
        why = (
            f"{names[first[0]]} has the most first places; "
            + names_text([names[i] for i in second])
            + (" tie for second" if len(second) > 1 else " comes second")
        )
    runoff = sorted({int(i) for pair in pairs for i in pair})
    out.order.append([names[i] for i in range(len(names)) if i not in runoff])
    out.rounds.append(Round(list(names), table, out.order[0], why + ("; the others are out." if out.order[0] else ".")))
    W = profile.total_weight
    margin = {(a, b): _pair_margin(profile, a, b) for a, b in pairs}  # only the runoffs: O(n) each
    won, lines = set(), []
    for a, b in pairs:
        d = margin[a, b]
        support = (1 + d) / 2 * W
        if d > MARGIN_TOLERANCE:
            won.add(a)
            lines.append(f"{names[a]} beats {names[b]} ({number_text(support)} to {number_text(W - support)})")
        elif d < -MARGIN_TOLERANCE:
            won.add(b)
            lines.append(f"{names[b]} beats {names[a]} ({number_text(W - support)} to {number_text(support)})")
        else:
            won.update((a, b))
            lines.append(f"{names[a]} and {names[b]} tie ({number_text(support)} each): both win")
    table = pd.DataFrame(
        {
            "first": [names[a] for a, _ in pairs],
            "second": [names[b] for _, b in pairs],
            "weight for the first": [(1 + margin[a, b]) / 2 * W for a, b in pairs],
            "weight for the second": [(1 - margin[a, b]) / 2 * W for a, b in pairs],
        }
    )
    out.winners = [names[i] for i in sorted(won)]
    out.rounds.append(Round([names[i] for i in runoff], table, [], "Runoff: " + "; ".join(lines) + "."))
    return out


def plurality_with_runoff(population: Population) -> pd.Series:
    """Plurality with runoff winners (1) and the others (0): see :func:`plurality_with_runoff_rounds`."""
    result = plurality_with_runoff_rounds(population)
    return _winner_set(as_population(population).alternatives, result.winners, "plurality-with-runoff winner")


# ============================================================================ Coombs
def coombs_rounds(population: Population) -> Elimination:
    """Coombs (1964): if an alternative has more than half of the first places among the remaining, it
    wins; otherwise every alternative tied for the most last places (among the remaining; a bottom tie
    of j splits the voter's weight, 1/j each) is eliminated, and the count repeats. When that would
    eliminate every remaining alternative, they all win."""
    profile = ballots(population)
    names = profile.alternatives
    tops, bottoms = _Places(profile), _Places(profile, bottom=True)
    out = Elimination([])
    while True:
        idx = np.flatnonzero(tops.remaining)
        first, last = tops.of(idx), bottoms.of(idx)
        here = [names[i] for i in idx]
        table = {"first places": first, "last places": last}
        majority = np.flatnonzero(more_than_half(first, profile.total_weight))
        if majority.size:
            out.winners = [names[idx[majority[0]]]]
            out.rounds.append(
                Round(
                    here,
                    table,
                    [],
                    (
                        f"{out.winners[0]} has {number_text(first[majority[0]])} first places, more than half of the total "
                        f"weight ({number_text(profile.total_weight)}): it wins."
                    ),
                )
            )
            return out
        most = _highest(last)
        gone = [names[idx[i]] for i in most]
        if len(most) == len(idx):
            out.winners = gone
            out.rounds.append(
                Round(
                    here,
                    table,
                    [],
                    (
                        f"No majority, and {names_text(gone)} tie for the most last places "
                        f"({number_text(last[most[0]])}): they all win."
                    ),
                )
            )
            return out
        out.order.append(gone)
        out.rounds.append(
            Round(
                here,
                table,
                gone,
                (
                    f"No alternative has more than half of the first places ({number_text(profile.total_weight / 2)}); "
                    f"most last places: {names_text(gone)} ({number_text(last[most[0]])}), eliminated"
                    + (" together (tied)." if len(gone) > 1 else ".")
                ),
            )
        )
        tops.remove(idx[most])
        bottoms.remove(idx[most])


def coombs(population: Population) -> pd.Series:
    """Coombs winners (1) and the others (0): see :func:`coombs_rounds`."""
    result = coombs_rounds(population)
    return _winner_set(as_population(population).alternatives, result.winners, "Coombs winner")


# ============================================================================ Baldwin and Nanson
def borda_rounds(population: Population, which: str) -> Elimination:
    """Borda among the remaining alternatives (``W * (sum of P over the remaining) - W/2``, i.e. points
    m'-1 .. 0 over the m' remaining, tied alternatives sharing the average) and eliminate: ``"baldwin"``
    every alternative tied for the lowest; ``"nanson"`` every one strictly below the average;
    ``"weak_nanson"`` every one at or below the average."""
    S, W = _support(population)
    names = as_population(population).alternatives
    remaining = np.arange(len(names))
    out = Elimination([])
    while True:
        sub = S[np.ix_(remaining, remaining)]
        borda = sub.sum(axis=1) - W / 2.0
        here = [names[i] for i in remaining]
        table = {"Borda score": borda}
        if len(remaining) == 1:
            out.winners = here
            out.rounds.append(Round(here, table, [], f"Only {here[0]} is left: it wins."))
            return out
        tol = tolerance(borda)
        average = float(borda.mean())
        if which == "baldwin":
            low = _lowest(borda)
            rule = f"Lowest Borda score ({number_text(borda[low[0]])})"
        elif which == "nanson":
            low = np.flatnonzero(borda < average - tol)
            rule = f"Borda score below the average ({number_text(average)})"
        else:
            low = np.flatnonzero(borda <= average + tol)
            rule = f"Borda score at or below the average ({number_text(average)})"
        if low.size == 0 or low.size == len(remaining):
            out.winners = here
            out.rounds.append(
                Round(
                    here,
                    table,
                    [],
                    (f"Every remaining alternative has the same Borda score ({number_text(borda[0])}): they all win."),
                )
            )
            return out
        gone = [here[i] for i in low]
        out.order.append(gone)
        out.rounds.append(Round(here, table, gone, f"{rule}: {names_text(gone)}, eliminated."))
        remaining = np.delete(remaining, low)


def baldwin(population: Population) -> pd.Series:
    """Baldwin (1926): repeatedly eliminate the alternative(s) with the lowest Borda score among the
    remaining (all tied lowest at once; if all remaining tie, they all win). Borda among the remaining is
    read from the preference matrix, so Baldwin applies to any population."""
    result = borda_rounds(population, "baldwin")
    return _winner_set(as_population(population).alternatives, result.winners, "Baldwin winner")


def nanson(population: Population) -> pd.Series:
    """Strict Nanson (the variant Schwartz 1986 studied; pref_voting's ``strict_nanson``): repeatedly
    eliminate every alternative whose Borda score among the remaining is strictly below their average;
    when none is (all equal), the remaining all win."""
    result = borda_rounds(population, "nanson")
    return _winner_set(as_population(population).alternatives, result.winners, "Nanson (strict) winner")


def weak_nanson(population: Population) -> pd.Series:
    """Weak Nanson, Nanson's own 1882 rule: repeatedly eliminate every alternative whose Borda score among
    the remaining is at or below their average; if that is all of them (all equal), they all win."""
    result = borda_rounds(population, "weak_nanson")
    return _winner_set(as_population(population).alternatives, result.winners, "Nanson (weak) winner")


# ============================================================================ Benham and Tideman
def benham_rounds(population: Population) -> Elimination:
    """Benham (Green-Armytage 2011): if an alternative beats every other remaining one head-to-head
    (positive margin), it wins; otherwise instant runoff eliminates every alternative tied for the
    fewest first places among the remaining, and the check repeats. If all remaining tie for fewest,
    they all win."""
    profile = ballots(population)
    names = profile.alternatives
    M, _ = _margins(profile)
    places = _Places(profile)
    out = Elimination([])
    while True:
        idx = np.flatnonzero(places.remaining)
        tally = places.of(idx)
        here = [names[i] for i in idx]
        table = {"first places": tally}
        cw = condorcet_index(M[np.ix_(idx, idx)])
        if cw is not None:
            out.winners = [names[idx[cw]]]
            out.rounds.append(
                Round(
                    here,
                    table,
                    [],
                    (
                        f"{out.winners[0]} beats every other remaining alternative head-to-head (a Condorcet winner): "
                        "it wins."
                    ),
                )
            )
            return out
        low = _lowest(tally)
        gone = [names[idx[i]] for i in low]
        if len(low) == len(idx):
            out.winners = gone
            out.rounds.append(
                Round(
                    here,
                    table,
                    [],
                    (f"No Condorcet winner, and {names_text(gone)} tie for the fewest first places: they all win."),
                )
            )
            return out
        out.order.append(gone)
        out.rounds.append(
            Round(
                here,
                table,
                gone,
                (
                    f"No remaining alternative beats all the others head-to-head; fewest first places: {names_text(gone)} "
                    f"({number_text(tally[low[0]])}), eliminated" + (" together (tied)." if len(gone) > 1 else ".")
                ),
            )
        )
        places.remove(idx[low])


def benham(population: Population) -> pd.Series:
    """Benham winners (1) and the others (0): see :func:`benham_rounds`."""
    result = benham_rounds(population)
    return _winner_set(as_population(population).alternatives, result.winners, "Benham winner")


def tideman_rounds(population: Population, which: str = "smith") -> Elimination:
    """Tideman's alternative (Tideman 2006; Green-Armytage 2011): eliminate, for good, every alternative
    outside the Smith set (``which="smith"``) or the Schwartz set (``"schwartz"``) of the remaining; if
    one is left it wins; otherwise eliminate every alternative tied for the fewest first places among
    them (if all tie, they all win), and repeat."""
    profile = ballots(population)
    names = profile.alternatives
    M, _ = _margins(profile)
    top_set = smith_indices if which == "smith" else schwartz_indices
    label = "Smith" if which == "smith" else "Schwartz"
    places = _Places(profile)
    out = Elimination([])
    while True:
        idx = np.flatnonzero(places.remaining)
        inside = idx[top_set(M[np.ix_(idx, idx)])]
        outside = np.setdiff1d(idx, inside)
        if outside.size:
            gone = [names[i] for i in outside]
            out.order.append(gone)
            table = {f"in the {label} set": [i in inside for i in idx]}
            out.rounds.append(
                Round(
                    [names[i] for i in idx],
                    table,
                    gone,
                    (
                        f"The {label} set of the remaining is {{{', '.join(names[i] for i in inside)}}}: "
                        f"{names_text(gone)} {'is' if len(gone) == 1 else 'are'} outside it, eliminated."
                    ),
                )
            )
            places.remove(outside)
            idx = inside
        tally = places.of(idx)
        here = [names[i] for i in idx]
        table = {"first places": tally}
        if len(idx) == 1:
            out.winners = [names[idx[0]]]
            out.rounds.append(Round(here, table, [], f"Only {names[idx[0]]} is left: it wins."))
            return out
        low = _lowest(tally)
        gone = [names[idx[i]] for i in low]
        if len(low) == len(idx):
            out.winners = gone
            out.rounds.append(
                Round(here, table, [], (f"{names_text(gone)} tie for the fewest first places: they all win."))
            )
            return out
        out.order.append(gone)
        out.rounds.append(
            Round(
                here,
                table,
                gone,
                (
                    f"Fewest first places among the {label} set: {names_text(gone)} ({number_text(tally[low[0]])}), "
                    "eliminated" + (" together (tied)." if len(gone) > 1 else ".")
                ),
            )
        )
        places.remove(idx[low])


def tideman_alternative_smith(population: Population) -> pd.Series:
    """Tideman's alternative with the Smith set: winners (1) and the others (0); see :func:`tideman_rounds`."""
    result = tideman_rounds(population, "smith")
    return _winner_set(as_population(population).alternatives, result.winners, "Tideman (Smith) winner")


def tideman_alternative_schwartz(population: Population) -> pd.Series:
    """Tideman's alternative with the Schwartz set: winners (1) and the others (0); see :func:`tideman_rounds`."""
    result = tideman_rounds(population, "schwartz")
    return _winner_set(as_population(population).alternatives, result.winners, "Tideman (Schwartz) winner")


# ============================================================================ traces
def _steps(result: Elimination, rule: str) -> list[Step]:
    steps = [Step(f"Round {i}", r.text, r.table, tuple(r.eliminated)) for i, r in enumerate(result.rounds, start=1)]
    steps.append(
        Step(
            "Winner" if len(result.winners) == 1 else "Winners",
            f"{rule} elects {names_text(result.winners)}.",
            None,
            tuple(result.winners),
        )
    )
    return steps


def _ranking_steps(population, params) -> list[Step]:
    result = instant_runoff_rounds(population, to_the_end=True)
    steps = _steps(result, "Instant runoff, run to the end,")
    order = [" = ".join(result.winners)] + [" = ".join(g) for g in reversed(result.order)]
    steps.append(
        Step(
            "Ranking",
            "The ranking is the elimination order reversed: " + " > ".join(order) + ".",
            None,
            tuple(result.winners),
        )
    )
    return steps


def _put_steps(population, params) -> list[Step]:
    search = _universes(ballots(population))
    steps = []
    for i, (here, tally, what) in enumerate(search.states, start=1):
        table = pd.DataFrame({"first places": tally}, index=here)
        steps.append(Step(f"Universe state {i}", f"Remaining {{{', '.join(here)}}}: {what}.", table))
    more = search.visited - len(search.states)
    steps.append(
        Step(
            "Winners",
            (
                f"Every universe explored ({search.visited} sets of remaining alternatives"
                + (f"; {more} more than shown" if more > 0 else "")
                + "); the winners of some "
                f"universe: {names_text(search.winners)}."
            ),
            None,
            tuple(search.winners),
        )
    )
    return steps


_IRV = (Reference("hare", "the single transferable vote"), Reference("fishburn_brams", "its paradoxes"))
_TIDEMAN = (Reference("tideman_2006"), Reference("green_armytage"))

#: The registry entries of this family (see :mod:`.rule`).
ENTRIES = [
    Rule(
        "instant_runoff",
        "Instant runoff (Hare)",
        "instant runoff",
        "Count first places; while nobody has a majority, eliminate the alternative with the fewest (all tied "
        "ones at once) and move its voters to their next choice.",
        SET,
        "winner (1) or not (0)",
        "elimination",
        _IRV,
        (),
        VOTERS,
        lambda m, p: instant_runoff(m),
        reads="each voter's whole ranking",
        trace=lambda m, p: _steps(instant_runoff_rounds(m), "Instant runoff"),
        limit=ballots_refusal,
    ),
    Rule(
        "instant_runoff_put",
        "Instant runoff (PUT)",
        "instant runoff with parallel universes",
        "Instant runoff with parallel-universe tie-breaking (PUT): a tie for fewest first places eliminates one of "
        "the tied at a time, in every possible order; whoever wins in some order is a winner.",
        SET,
        "winner (1) or not (0)",
        "elimination",
        (*_IRV, Reference("put")),
        (),
        VOTERS,
        lambda m, p: instant_runoff_put(m),
        reads="each voter's whole ranking",
        trace=_put_steps,
        limit=_put_refusal,
    ),
    Rule(
        "instant_runoff_ranking",
        "Instant-runoff ranking",
        "the instant-runoff ranking",
        "Run instant runoff to the end; the later an alternative is eliminated, the higher it ranks (the winner "
        "first).",
        RANKING,
        "round eliminated (winners: one more)",
        "elimination",
        _IRV,
        (),
        VOTERS,
        lambda m, p: instant_runoff_ranking(m),
        reads="each voter's whole ranking",
        trace=_ranking_steps,
        limit=ballots_refusal,
    ),
    Rule(
        "plurality_with_runoff",
        "Plurality with runoff",
        "plurality with runoff",
        "The two alternatives with the most first places meet head-to-head and the majority decides (ties for "
        "the two places: every possible pair meets).",
        SET,
        "winner (1) or not (0)",
        "elimination",
        (Reference("fishburn_brams", "plurality with runoff"),),
        (),
        VOTERS,
        lambda m, p: plurality_with_runoff(m),
        reads="each voter's favourite response",
        trace=lambda m, p: _steps(plurality_with_runoff_rounds(m), "Plurality with runoff"),
        limit=ballots_refusal,
    ),
    Rule(
        "coombs",
        "Coombs",
        "Coombs",
        "If an alternative has a majority of first places it wins; otherwise eliminate the one ranked last by "
        "the most voters (all tied at once) and recount.",
        SET,
        "winner (1) or not (0)",
        "elimination",
        (Reference("coombs"),),
        (),
        VOTERS,
        lambda m, p: coombs(m),
        reads="each voter's whole ranking",
        trace=lambda m, p: _steps(coombs_rounds(m), "Coombs"),
        limit=ballots_refusal,
    ),
    Rule(
        "baldwin",
        "Baldwin",
        "Baldwin",
        "Compute Borda scores among the alternatives left and eliminate the lowest (all tied at once); repeat "
        "until one is left.",
        SET,
        "winner (1) or not (0)",
        "elimination",
        (Reference("baldwin"),),
        (),
        ANY,
        lambda m, p: baldwin(m),
        trace=lambda m, p: _steps(borda_rounds(m, "baldwin"), "Baldwin"),
    ),
    Rule(
        "nanson",
        "Nanson (strict)",
        "strict Nanson",
        "Compute Borda scores among the alternatives left and eliminate every one strictly below their "
        "average; repeat until one is left or all are equal.",
        SET,
        "winner (1) or not (0)",
        "elimination",
        (Reference("nanson"), Reference("schwartz")),
        (),
        ANY,
        lambda m, p: nanson(m),
        trace=lambda m, p: _steps(borda_rounds(m, "nanson"), "Strict Nanson"),
    ),
    Rule(
        "weak_nanson",
        "Nanson (weak)",
        "weak Nanson",
        "Nanson's own rule: compute Borda scores among the alternatives left and eliminate every one at or "
        "below their average; repeat until one is left.",
        SET,
        "winner (1) or not (0)",
        "elimination",
        (Reference("nanson"), Reference("niou")),
        (),
        ANY,
        lambda m, p: weak_nanson(m),
        trace=lambda m, p: _steps(borda_rounds(m, "weak_nanson"), "Weak Nanson"),
    ),
    Rule(
        "benham",
        "Benham",
        "Benham",
        "If an alternative beats every other one left head-to-head it wins; otherwise eliminate the one with "
        "the fewest first places (all tied at once) and check again.",
        SET,
        "winner (1) or not (0)",
        "elimination",
        (Reference("green_armytage"),),
        (),
        VOTERS,
        lambda m, p: benham(m),
        reads="each voter's whole ranking",
        trace=lambda m, p: _steps(benham_rounds(m), "Benham"),
        limit=ballots_refusal,
    ),
    Rule(
        "tideman_alternative_smith",
        "Alternative Smith",
        "Tideman's alternative (Smith)",
        "Tideman's alternative: keep only the Smith set (the smallest group beating everyone outside); eliminate "
        "the one with the fewest first places among them (all tied at once); repeat until one is left.",
        SET,
        "winner (1) or not (0)",
        "elimination",
        _TIDEMAN,
        (),
        VOTERS,
        lambda m, p: tideman_alternative_smith(m),
        reads="each voter's whole ranking",
        trace=lambda m, p: _steps(tideman_rounds(m, "smith"), "Tideman's alternative (Smith)"),
        limit=ballots_refusal,
    ),
    Rule(
        "tideman_alternative_schwartz",
        "Alternative Schwartz",
        "Tideman's alternative (Schwartz)",
        "As Alternative Smith, but keeping the Schwartz set: the smallest groups that nobody outside beats "
        "head-to-head (an exact tie is not a defeat).",
        SET,
        "winner (1) or not (0)",
        "elimination",
        _TIDEMAN,
        (),
        VOTERS,
        lambda m, p: tideman_alternative_schwartz(m),
        reads="each voter's whole ranking",
        trace=lambda m, p: _steps(tideman_rounds(m, "schwartz"), "Tideman's alternative (Schwartz)"),
        limit=ballots_refusal,
    ),
]
