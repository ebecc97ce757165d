"""Paradoxes on demand: the smallest population on which a rule violates a property.

:func:`find_paradox` (and :func:`search`, which also reports what was searched) looks through small
populations of strict rankings with whole-number weights (anonymous profiles: multisets of rankings)
in the order *fewest voters first, then fewest alternatives*, and runs the property's own check
(:mod:`.axioms`) on each until one fails; the failure (with its counterexample in words) is the
paradox.

How each size (n voters, m alternatives) is searched
----------------------------------------------------
* **Exhaustively** while it is affordable: every multiset of n strict rankings of m alternatives, up
  to renaming the alternatives (each profile stands for the m! profiles that rename it, which is
  exact for a neutral rule; every rule of the registry is checked for neutrality, and the table of
  paradoxes says which pass it), in a fixed order. Profiles are written with their rankings merged
  (weight = number of voters).
* **Guided random search** beyond that, with a fixed seed: random profiles of 2 to 4 distinct
  rankings, then hill-climbing (one voter at a time changes ranking) towards profiles on which the
  rule's top two alternatives are close to a tie (scores) or its lottery is spread out: where a small
  change of the voters can change the outcome, which is where paradoxes live.

A size is searched exhaustively when its profiles times the re-computations each check needs fit in
the part of the evaluation budget left for it; otherwise it gets its share of the budget for the
random search. The result says, size by size, what was searched; a paradox is *minimal* (no smaller
one exists, up to renaming) only when every smaller size was searched exhaustively.
"""

from __future__ import annotations

import itertools
import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from ..errors import AggregationError
from ..outcome import winners
from ..populations.base import RANKINGS
from ..populations.profile import Profile
from ..rules.registry import get_rule
from ..rules.rule import RuleParams
from .axioms import run
from .base import FAIL, NOT_APPLICABLE, PASS, PROBABILISTIC, AxiomCheck, Context, lottery_text, names_text, top_mask
from .registry import get_property
from .variations import profile_text

#: The names of the alternatives of a searched profile.
NAMES = ("A", "B", "C", "D", "E", "F")
#: A size whose multisets (containing the first ranking) exceed this is never listed: random search only.
ENUMERATION_LIMIT = 200_000
#: Default bounds of :func:`find_paradox`.
MAX_ALTERNATIVES, MAX_VOTERS, MAX_EVALUATIONS = 4, 7, 20_000
#: Hill-climbing steps from one random start.
CLIMB_STEPS = 12
#: What a population the search skips counts as (``unique_outcome``).
SKIPPED = AxiomCheck("", "", "", NOT_APPLICABLE, "skipped: the rule's answer is not unique")


def _unique(ctx: Context) -> bool:
    """Whether the rule's answer on the context's population is unique: a single winner (winner version),
    a lottery its certificate does not call one of several (probabilistic)."""
    if ctx.probabilistic:
        ctx.out
        return ctx.base_selection is None
    return int(top_mask(ctx.out.to_numpy(float)).sum()) == 1


@dataclass(frozen=True)
class Level:
    """What was searched at one size: ``voters`` x ``alternatives``; ``profiles``: how many distinct
    profiles (up to renaming) the size has (None when too many to count); ``checked``: how many were
    checked; ``method``: ``"exhaustive"``, ``"partial"`` (the budget ran out while listing them) or
    ``"random"`` (guided random search, seed ``seed``)."""

    voters: int
    alternatives: int
    profiles: int | None
    checked: int
    method: str
    seed: int | None = None

    @property
    def exhaustive(self) -> bool:
        return self.method == "exhaustive"

    def text(self) -> str:
        size = f"{self.voters} voter{'s' if self.voters != 1 else ''}, {self.alternatives} alternatives"
        if self.exhaustive:
            return f"{size}: all {self.profiles:,} profiles"
        if self.method == "partial":
            return f"{size}: {self.checked:,} of {self.profiles:,} profiles (budget spent)"
        total = f" of {self.profiles:,}" if self.profiles else ""
        return f"{size}: {self.checked:,}{total} profiles by guided random search (seed {self.seed})"


@dataclass(frozen=True, eq=False)
class Paradox:
    """A violation found by search: the ``population`` (a :class:`Profile`), the failed ``check`` (its
    message is the counterexample in words), its size, whether it is ``minimal`` (every smaller size
    was searched exhaustively) and a ``narrative``."""

    rule: str
    property: str
    version: str
    population: Profile
    check: AxiomCheck
    voters: int
    alternatives: int
    minimal: bool
    narrative: str


@dataclass(frozen=True, eq=False)
class ParadoxSearch:
    """Everything a search did: its bounds, the sizes searched (:class:`Level`), the re-computations
    spent (``evaluations``), why it stopped, and the ``paradox`` (None when none was found within the
    bounds, or when the rule or the property does not apply to rankings: ``refusal``)."""

    rule: str
    property: str
    version: str
    max_alternatives: int
    max_voters: int
    max_evaluations: int
    seed: int
    paradox: Paradox | None
    unique_outcome: bool = False
    levels: tuple[Level, ...] = ()
    evaluations: int = 0
    stopped: str = ""
    refusal: str = ""
    checks_exhaustive: bool = True
    seconds: float = 0.0

    @property
    def found(self) -> bool:
        return self.paradox is not None

    def bounds_text(self) -> str:
        """What was searched, in words (the stated bounds)."""
        if self.refusal:
            return f"not searched: {self.refusal}"
        single = "; only populations on which the rule's answer is unique" if self.unique_outcome else ""
        head = (
            f"strict rankings of at most {self.max_alternatives} alternatives by at most {self.max_voters} "
            f"voters, up to renaming the alternatives{single}; at most {self.max_evaluations:,} "
            f"re-computations of the rule (seed {self.seed}); {self.stopped}"
        )
        sizes = "; ".join(level.text() for level in self.levels)
        return f"{head}. Searched: {sizes}." if sizes else head + "."


# ============================================================================ profiles
@lru_cache(maxsize=None)
def _rankings(m: int) -> tuple[tuple[int, ...], ...]:
    return tuple(itertools.permutations(range(m)))


@lru_cache(maxsize=None)
def _relabel_table(m: int) -> tuple[tuple[int, ...], ...]:
    """``table[s][r]``: the index of ranking r after renaming the alternatives by permutation s."""
    perms = _rankings(m)
    index = {p: i for i, p in enumerate(perms)}
    return tuple(tuple(index[tuple(s[a] for a in p)] for p in perms) for s in perms)


def _canonical(multiset: tuple[int, ...], m: int) -> tuple[int, ...]:
    return min(tuple(sorted(row[i] for i in multiset)) for row in _relabel_table(m))


def _enumerable(n: int, m: int) -> bool:
    return math.comb(math.factorial(m) + n - 2, n - 1) <= ENUMERATION_LIMIT


def approximate_count(n: int, m: int) -> float:
    """About how many profiles of n voters over m alternatives there are up to renaming (multisets / m!)."""
    return math.comb(math.factorial(m) + n - 1, n) / math.factorial(m)


@lru_cache(maxsize=64)
def canonical_profiles(n: int, m: int) -> tuple[tuple[int, ...], ...]:
    """Every multiset of n strict rankings of m alternatives up to renaming, as sorted tuples of ranking
    indices (lexicographically smallest representative), in increasing order. Every class contains a
    multiset with the identity ranking (index 0), so only those are listed."""
    seen = set()
    for rest in itertools.combinations_with_replacement(range(math.factorial(m)), n - 1):
        seen.add(_canonical((0,) + rest, m))
    return tuple(sorted(seen))


def profile_of(multiset, m: int) -> Profile:
    """The profile of a multiset of ranking indices: each distinct ranking once, weighted by its count."""
    values, counts = np.unique(np.asarray(multiset), return_counts=True)
    orders = np.asarray([_rankings(m)[v] for v in values], dtype=np.int64)
    return Profile.from_orders(orders, list(NAMES[:m]), counts.astype(float))


# ============================================================================ search
def find_paradox(
    rule_id, property_id, max_alternatives: int = MAX_ALTERNATIVES, max_voters: int = MAX_VOTERS, **options
) -> Paradox | None:
    """The smallest population (fewest voters, then fewest alternatives) of at most ``max_voters``
    voters with strict rankings of at most ``max_alternatives`` alternatives on which ``rule_id``
    violates ``property_id``, or None when none was found within the bounds (:func:`search` returns the
    bounds searched as well). Options as for :func:`search`."""
    return search(rule_id, property_id, max_alternatives, max_voters, **options).paradox


def search(
    rule_id,
    property_id,
    max_alternatives: int = MAX_ALTERNATIVES,
    max_voters: int = MAX_VOTERS,
    *,
    params: RuleParams | None = None,
    version: str | None = None,
    max_evaluations: int = MAX_EVALUATIONS,
    max_seconds: float | None = None,
    seed: int = 0,
    unique_outcome: bool = False,
    progress: Callable[[float, str], None] | None = None,
) -> ParadoxSearch:
    """Search for a paradox (module docstring) and say what was searched. ``max_evaluations`` bounds the
    re-computations of the rule (deterministic); ``max_seconds``, if given, also stops the search after
    that long (the bounds then say how far it got); ``unique_outcome`` skips the populations on which the
    rule's answer is not unique (a tie for first place; a lottery its certificate says is one of several), as
    textbook examples do; ``progress(fraction, text)`` is called as it goes."""
    rule, prop = get_rule(rule_id), get_property(property_id)
    params = params or RuleParams()
    if not 2 <= int(max_alternatives) <= len(NAMES):
        raise AggregationError(f"max_alternatives must be between 2 and {len(NAMES)}, got {max_alternatives!r}")
    if not 1 <= int(max_voters) <= 50:
        raise AggregationError(f"max_voters must be between 1 and 50, got {max_voters!r}")
    if int(max_evaluations) < 1:
        raise AggregationError(f"max_evaluations must be positive, got {max_evaluations!r}")
    max_alternatives, max_voters, max_evaluations = int(max_alternatives), int(max_voters), int(max_evaluations)
    probe = Context(profile_of((0, 1), 2), rule, params, version)
    base = dict(
        rule=rule.id,
        property=prop.id,
        version=probe.version,
        max_alternatives=max_alternatives,
        max_voters=max_voters,
        max_evaluations=max_evaluations,
        seed=seed,
        unique_outcome=bool(unique_outcome),
    )
    refusal = _refusal(rule, prop, params, probe)
    if refusal:
        return ParadoxSearch(**base, paradox=None, stopped="not searched", refusal=refusal)
    return _Search(
        rule,
        prop,
        params,
        probe.version,
        max_alternatives,
        max_voters,
        max_evaluations,
        max_seconds,
        seed,
        progress,
        base,
    ).run()


def _refusal(rule, prop, params, probe) -> str:
    if RANKINGS not in prop.needs:
        return f"{prop.name} is not defined for rankings"
    if probe.version_refusal:
        return probe.version_refusal
    ok, reason = rule.applies_to(profile_of((0, 1, 2), 3), params)
    if not ok:
        return f"{rule.name} does not apply to small populations of rankings: {reason}"
    return ""


class _Search:
    def __init__(self, rule, prop, params, version, max_m, max_n, budget, max_seconds, seed, progress, base):
        self.rule, self.prop, self.params, self.version = rule, prop, params, version
        self.max_m, self.max_n, self.budget, self.max_seconds = max_m, max_n, budget, max_seconds
        self.seed, self.progress, self.base = seed, progress, base
        self.spent = 0
        self.levels: list[Level] = []
        self.checks_exhaustive = True
        self.per_profile: dict[int, float] = {}  # running mean of re-computations per profile, by m
        self.start = time.perf_counter()

    # ------------------------------------------------------------------ helpers
    def out_of_time(self) -> bool:
        return self.max_seconds is not None and time.perf_counter() - self.start > self.max_seconds

    def out_of_budget(self) -> bool:
        return self.spent >= self.budget or self.out_of_time()

    def check(self, profile: Profile, m: int) -> tuple[AxiomCheck, pd.Series | None]:
        ctx = Context(profile, self.rule, self.params, self.version)
        if self.base["unique_outcome"] and not _unique(ctx):
            self.spent += 1
            return SKIPPED, ctx.computed
        result = run(ctx, self.prop.id)
        cost = 1 + ctx.evaluations
        self.spent += cost
        seen = self.per_profile.get(m)
        self.per_profile[m] = cost if seen is None else 0.9 * seen + 0.1 * cost
        if result.status == PASS and not result.exhaustive:
            self.checks_exhaustive = False
        return result, ctx.computed

    def report(self, text: str) -> None:
        if self.progress is not None:
            self.progress(min(1.0, self.spent / self.budget), text)

    def done(self, paradox: Paradox | None, stopped: str) -> ParadoxSearch:
        return ParadoxSearch(
            **self.base,
            paradox=paradox,
            levels=tuple(self.levels),
            evaluations=self.spent,
            stopped=stopped,
            checks_exhaustive=self.checks_exhaustive,
            seconds=time.perf_counter() - self.start,
        )

    def found(self, profile: Profile, result: AxiomCheck, n: int, m: int, out) -> ParadoxSearch:
        minimal = all(level.exhaustive for level in self.levels[:-1])
        paradox = Paradox(
            self.rule.id,
            self.prop.id,
            self.version,
            profile,
            result,
            n,
            m,
            minimal,
            narrative(self.rule, profile, result, out, self.version, self.params),
        )
        return self.done(paradox, "stopped at the first violation")

    # ------------------------------------------------------------------ the search
    def run(self) -> ParadoxSearch:
        sizes = [
            (n, m) for n in range(1, self.max_n + 1) for m in range(max(2, self.prop.min_alternatives), self.max_m + 1)
        ]
        for k, (n, m) in enumerate(sizes):
            if self.out_of_budget():
                return self.done(
                    None,
                    "the evaluation budget was spent"
                    if self.spent >= self.budget
                    else f"stopped after {self.max_seconds:g} s",
                )
            self.report(f"{n} voters, {m} alternatives")
            remaining = self.budget - self.spent
            share = max(1, remaining // (len(sizes) - k))
            estimate = self.per_profile.get(m, 1 + self.prop.plan(profile_of((0,) * n, m)))
            affordable = max(share, 0.6 * remaining)
            listed = None
            if _enumerable(n, m) and approximate_count(n, m) * estimate <= 1.5 * affordable:
                listed = canonical_profiles(n, m)
            if listed is not None and len(listed) * estimate <= affordable:
                hit = self.exhaustive(listed, n, m)
            else:
                hit = self.random(n, m, share, len(listed) if listed is not None else None)
            if hit is not None:
                return hit
        if self.spent >= self.budget:
            return self.done(None, "the evaluation budget was spent")
        if all(level.exhaustive for level in self.levels):
            return self.done(None, "every size within the bounds was searched")
        return self.done(None, "every size within the bounds was visited, some only by random sampling")

    def exhaustive(self, listed, n: int, m: int) -> ParadoxSearch | None:
        checked = 0
        for multiset in listed:
            if self.out_of_budget():
                self.levels.append(Level(n, m, len(listed), checked, "partial"))
                return None
            profile = profile_of(multiset, m)
            result, out = self.check(profile, m)
            checked += 1
            if result.status == FAIL:  # the first violation of this size, in the listing order
                self.levels.append(Level(n, m, len(listed), checked, "exhaustive"))
                return self.found(profile, result, n, m, out)
            if checked % 200 == 0:
                self.report(f"{n} voters, {m} alternatives: {checked:,} of {len(listed):,} profiles")
        self.levels.append(Level(n, m, len(listed), checked, "exhaustive"))
        return None

    def random(self, n: int, m: int, share: int, total: int | None) -> ParadoxSearch | None:
        seed = self.seed * 10_007 + n * 101 + m
        rnd = random.Random(seed)
        T = math.factorial(m)
        stop_at = self.spent + share
        seen: set[tuple[int, ...]] = set()
        checked = 0

        def visit(multiset):
            nonlocal checked
            key = _canonical(multiset, m)
            if key in seen:
                return None, None
            seen.add(key)
            profile = profile_of(key, m)
            result, out = self.check(profile, m)
            checked += 1
            return (profile, result, out), closeness(out, self.version)

        while self.spent < stop_at and not self.out_of_budget():
            k = rnd.randint(1, min(4, n, T))
            kinds = rnd.sample(range(T), k)
            cuts = sorted(rnd.sample(range(1, n), k - 1)) if k > 1 else []
            parts = [b - a for a, b in zip([0] + cuts, cuts + [n])]
            current = tuple(sorted(x for kind, c in zip(kinds, parts) for x in [kind] * c))
            visited, score = visit(current)
            if visited is None:
                continue
            for _ in range(CLIMB_STEPS):
                if visited[1].status == FAIL:
                    self.levels.append(Level(n, m, total, checked, "random", seed))
                    return self.found(visited[0], visited[1], n, m, visited[2])
                if self.spent >= stop_at or self.out_of_budget():
                    break
                neighbour = list(current)
                neighbour[rnd.randrange(n)] = rnd.randrange(T)  # one voter changes ranking
                neighbour = tuple(sorted(neighbour))
                candidate, candidate_score = visit(neighbour)
                if candidate is None:
                    continue
                if candidate[1].status == FAIL or candidate_score >= score:
                    current, visited, score = neighbour, candidate, candidate_score
        self.levels.append(Level(n, m, total, checked, "random", seed))
        return None


def closeness(values: pd.Series | None, version: str) -> float:
    """How close the outcome is to changing (higher is closer): for scores, minus the gap between the
    top two values relative to their size (0 when the top is tied); for a lottery, one minus its largest
    probability."""
    if values is None or len(values) < 2:
        return -1.0
    v = np.sort(values.to_numpy(float))[::-1]
    if version == PROBABILISTIC:
        return 1.0 - float(v[0])
    return -float(v[0] - v[1]) / (abs(float(v[0])) + abs(float(v[1])) + 1e-12)


# ============================================================================ narrative
def narrative(
    rule, profile: Profile, check: AxiomCheck, out: pd.Series | None, version: str, params: RuleParams | None = None
) -> str:
    """The paradox in a few sentences: who the voters are, what the rule does, and the counterexample."""
    n = int(round(profile.total_weight))
    voters = f"These {n} voter{'s' if n != 1 else ''} ({profile_text(profile)})"
    if out is None:
        return f"{voters}: {check.message}"
    if version == PROBABILISTIC:
        does = f"get the lottery {lottery_text(out)} from {rule.label}"
    else:
        does = f"elect {names_text(winners(out))} under {rule.label}"
    message = check.message
    for opening in ("With everybody voting, ", ""):  # the message's own first sentence says it again
        start = f"{opening}{rule.name_with(params)} picks "
        if message.startswith(start) and ". " in message:
            message = message.split(". ", 1)[1]
            break
    return f"{voters} {does}. {message[:1].upper()}{message[1:]}"
