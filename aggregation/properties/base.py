"""What a property is, what a check reports, and what every check shares.

* :class:`Property`: one property (axiom) of a rule, self-describing: its definition in the winner
  and in the probabilistic version, where each comes from (:class:`~aggregation.papers.Reference`),
  which populations it reads, what the check explores (its *space* of variations of the population)
  and the check itself. Each family module of :mod:`aggregation.properties` lists its properties in
  ``ENTRIES``; :mod:`.registry` gathers them (as the rule registry gathers the rules).
* :class:`AxiomCheck`: the verdict of one property of one rule on one population: ``status``
  (:data:`PASS`, :data:`FAIL`, :data:`NOT_APPLICABLE`, or :data:`DEFERRED` when it would take too
  long unasked), ``message`` in words, ``counterexample`` (the numbers, and the changed population),
  and how far the check looked: ``exhaustive`` (a pass is a proof on this population: every
  variation the property allows was tried) or not (a pass only says that no counterexample was
  found among the ``tried`` variations named in ``scope``).
* :class:`Context`: one rule on one population (its output computed once), with the shared readings
  of an outcome (winners, lotteries, how much a voter gains) and the counter of re-computations.

How outcomes are read and compared
----------------------------------
* **Winner version** (rules that output scores, a ranking or a set): the winners are the
  alternatives tied for the top value (:func:`aggregation.outcome.winners`).
* **Probabilistic version** (rules that output a lottery or a policy): the probabilities, equal
  within :data:`aggregation.outcome.PROBABILITY_TOLERANCE`.
* **Whether a voter (or a group of like-minded voters) gains** from a change of outcome, as the
  properties about voters who stay home, misreport or split (participation, manipulation) need:
  a voter compares two lotteries p (before) and q (after) by the *pairwise-comparison* (PC)
  preference, ``q^T phi p > 0`` where ``phi[a, b]`` is +1 if the voter ranks a above b, -1 if
  below, 0 if tied: the chance that a draw from q beats a draw from p for this voter minus the
  chance of the reverse. This is the skew-symmetric bilinear preference over lotteries that the
  Jackpot paper assumes in appendix A.3.1 (continuity, convexity, symmetry; Brandl & Brandt 2020)
  and the one under which Brandl, Brandt & Hofbauer (2019) prove that maximal lotteries entice
  participation (cited in the Jackpot paper, section 5.2). In the winner version a tie for first
  place is read as an even-chance lottery among the tied winners, so that a voter who prefers A
  to B gains when the outcome goes from "A and B tied" to "A alone", and one winner against another
  is simply which of the two the voter ranks higher. The margin ``q^T phi p`` (between -1 and 1)
  is reported as "by how much".
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from ..errors import AggregationError, report
from ..outcome import PROBABILITY_TOLERANCE, TIE_RELATIVE, winners
from ..papers import Reference, cite
from ..populations.base import COMPARISONS, MATRIX, RANKINGS, USER_TYPES, Population
from ..rules.rule import Rule, RuleParams

PASS, FAIL, NOT_APPLICABLE, DEFERRED = "pass", "fail", "not applicable", "not checked"
WINNER, PROBABILISTIC = "winner", "probabilistic"
#: Which populations a property reads (``Property.needs``).
ALL_KINDS = (RANKINGS, USER_TYPES, COMPARISONS, MATRIX)
#: Property families, in display order (``Property.family``).
FAMILIES = ("majority", "independence", "symmetry", "variable electorate", "responsiveness", "strategy")
#: The most variations (re-computations of the rule) one check tries on a population. A property
#: whose space of variations is larger is checked on this many, drawn at random with a fixed seed,
#: and its pass says "no counterexample found within these bounds" instead of being a proof.
MAX_VARIATIONS = 1000
#: On a large population fewer: each variation re-computes the rule on about as many (row x alternative) cells
#: as the population has, so a check tries at most VARIATION_CELLS / cells variations, never fewer than
#: MIN_VARIATIONS: 100,000 distinct rankings over 50 alternatives get 40 (issue 12: "property checks on that
#: population in seconds"); populations up to 200,000 cells keep all MAX_VARIATIONS. The scope text says how
#: many were tried.
VARIATION_CELLS = 200_000_000
MIN_VARIATIONS = 40


def max_variations(population) -> int:
    """How many variations a check tries on ``population``: :data:`MAX_VARIATIONS`, fewer on a large one
    (:data:`VARIATION_CELLS`, :data:`MIN_VARIATIONS`)."""
    cells = max(int(population.n_rows) * len(population.alternatives), 1)
    return int(max(MIN_VARIATIONS, min(MAX_VARIATIONS, VARIATION_CELLS // cells)))


#: The seed of those random draws (every check is reproducible).
SEED = 0
#: A gain (PC margin) above this counts (the solvers behind some lotteries are accurate to ~1e-9).
GAIN_TOLERANCE = PROBABILITY_TOLERANCE


@dataclass(frozen=True, eq=False)
class AxiomCheck:
    """The outcome of one property check of one rule on one population.

    ``tried``: how many variations of the population the check computed the rule on;
    ``exhaustive``: whether those were every variation the property allows here (a pass is then a
    proof on this population); ``scope``: what was explored, in words (the stated bounds)."""

    rule: str
    axiom: str
    version: str
    status: str
    message: str
    counterexample: dict | None = None
    tried: int = 0
    exhaustive: bool = True
    scope: str = ""

    @property
    def property_id(self) -> str:
        return self.axiom

    @property
    def passed(self) -> bool:
        return self.status == PASS

    @property
    def failed(self) -> bool:
        return self.status == FAIL

    @property
    def proof(self) -> bool:
        """A pass that covered every variation the property allows on this population."""
        return self.status == PASS and self.exhaustive

    def light(self) -> AxiomCheck:
        """The same check without the changed populations in its counterexample (the numbers and the words
        stay): what a cache or another process keeps. At 100,000 rankings x 50 one population pickles to
        about 11 MB; the check that found it builds it again on request."""
        if not self.counterexample:
            return self
        kept = {key: value for key, value in self.counterexample.items() if not isinstance(value, Population)}
        return self if len(kept) == len(self.counterexample) else replace(self, counterexample=kept)


@dataclass(frozen=True)
class Property:
    """One property of a rule, self-describing. ``check(ctx)`` returns an :class:`AxiomCheck`;
    ``plan(population)`` an upper bound on the number of re-computations of the rule the check
    makes (at most :data:`MAX_VARIATIONS` variations, times ``evaluations`` per variation), which
    decides whether the check runs unasked; ``needs``: the population kinds it reads (others get
    "not applicable" with ``refusal``); ``searched``: what the check explores, in words;
    ``min_alternatives``: the fewest alternatives on which it can fail (for the paradox search); ``probe``: see
    the field."""

    id: str
    name: str
    short: str
    winner_version: str
    probabilistic_version: str
    family: str
    references: tuple[Reference, ...]
    probabilistic_references: tuple[Reference, ...]
    searched: str
    _check: Callable = field(repr=False)
    plan: Callable = field(repr=False, default=lambda population: 0)
    #: ``probe(ctx)``: one variation built as the check builds them (None: the population itself); the time
    #: budget times the rule on it, plus what building it cost once (:func:`.axioms.run`).
    probe: Callable | None = field(repr=False, default=None)
    needs: tuple[str, ...] = ALL_KINDS
    refusal: str = ""
    min_alternatives: int = 2

    def __post_init__(self):
        if self.family not in FAMILIES:
            raise AggregationError(f"property {self.id!r}: unknown family {self.family!r}")
        if set(self.needs) - set(ALL_KINDS):
            raise AggregationError(f"property {self.id!r}: unknown population kind in {self.needs!r}")

    @property
    def source(self) -> str:
        return cite(self.references)

    @property
    def probabilistic_source(self) -> str:
        return cite(self.probabilistic_references)

    def definition(self, version: str) -> str:
        return self.probabilistic_version if version == PROBABILISTIC else self.winner_version

    def check(self, ctx: "Context") -> AxiomCheck:
        if ctx.population.kind not in self.needs:
            return ctx.result(self.id, NOT_APPLICABLE, self.refusal)
        return self._check(ctx)


class Context:
    """One rule on one population: its output (computed once, timed), the version it is read in,
    and what every check shares. ``evaluations`` counts the re-computations."""

    def __init__(self, population: Population, rule: Rule, params: RuleParams, version: str | None):
        self.population, self.rule, self.params = population, rule, params
        self.name = rule.name_with(params)
        self.kind = population.kind
        if version is None:
            version = PROBABILISTIC if rule.is_distribution else WINNER
        if version not in (WINNER, PROBABILISTIC):
            raise AggregationError(f"version must be {WINNER!r} or {PROBABILISTIC!r}, got {version!r}")
        self.version = version
        self.probabilistic = version == PROBABILISTIC
        self.version_refusal = (
            None
            if version == WINNER or rule.is_distribution
            else f"{self.name} outputs scores, not probabilities; check its winner version instead"
        )
        ok, self.rule_refusal = rule.applies_to(population, params)
        self._out = None
        self.base_selection = None  # how the rule chose its answer here, when that answer is not unique
        self.selection = None  # the same, for the variation the current check computed last
        self._recent: list = []
        self.seconds = None  # how long computing the rule once took here
        self.evaluations = 0
        self._cache: dict = {}
        #: ``progress(fraction) -> bool`` asked before each re-computation (False: stop with Cancelled).
        self.progress = None

    # ------------------------------------------------------------------ computing
    @property
    def out(self) -> pd.Series:
        if self._out is None:
            start = time.perf_counter()
            result = self.rule.compute(self.population, self.params)
            self.seconds = time.perf_counter() - start
            self._out = result.values
            self.base_selection = _selection(result)
        return self._out

    @property
    def computed(self) -> pd.Series | None:
        """The rule's output if it has been computed, else None."""
        return self._out

    def compute(self, population: Population, params: RuleParams | None = None, *, joint: bool = False) -> pd.Series:
        """The rule on a variation of the population (counted in :attr:`evaluations`); ``joint``: this
        computation belongs to the same variation as the previous one (reinforcement's second group)."""
        report(self.progress, 0.0)  # a cancelled check stops here (Cancelled), between re-computations
        self.evaluations += 1
        result = self.rule.compute(population, params or self.params)
        self._recent = (self._recent if joint else []) + [_selection(result)]
        self.selection = next((s for s in self._recent if s), None)
        return result.values

    def start_check(self) -> None:
        """Before each property: forget which variations had an answer that is not unique."""
        self._recent, self.selection = [], None

    def memo(self, key, make):
        """A value computed once per context (a compressed profile, the Smith set, ...)."""
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    # ------------------------------------------------------------------ reading outcomes
    def winners(self, values: pd.Series) -> list[str]:
        return winners(values)

    def lottery(self, values: pd.Series) -> pd.Series:
        """The outcome as a lottery over ``values.index``: the probabilities (probabilistic version)
        or an even chance among the tied winners (winner version)."""
        return pd.Series(self._lottery(values.to_numpy(float)), index=values.index)

    def _lottery(self, v: np.ndarray) -> np.ndarray:
        if self.probabilistic:
            p = np.clip(v, 0.0, None)
        else:
            p = top_mask(v).astype(float)
        return p / p.sum()

    def same(self, before: pd.Series, after: pd.Series) -> bool:
        """Whether two outcomes over the same alternatives are the same (winner sets, or
        probabilities within the tolerance)."""
        if list(after.index) != list(before.index):
            after = after.reindex(before.index)
        b, a = before.to_numpy(float), after.to_numpy(float)
        if self.probabilistic:
            return float(np.abs(b - a).max()) <= PROBABILITY_TOLERANCE
        return bool((top_mask(b) == top_mask(a)).all())

    def picks(self, values: pd.Series) -> str:
        """The outcome in words: "B", "A and B (tied)", or a lottery "A 0.50, B 0.50"."""
        if self.probabilistic:
            return lottery_text(values)
        return names_text(winners(values))

    def gain(self, levels_row: np.ndarray, names: list[str], before: pd.Series, after: pd.Series) -> float:
        """How much a voter with ranking ``levels_row`` (over ``names``; smaller is better) gains when
        the outcome goes from ``before`` to ``after``: the PC margin ``q^T phi p`` (module docstring)."""
        if list(before.index) != list(names):
            before = before.reindex(names).fillna(0.0)
        if list(after.index) != list(names):
            after = after.reindex(names).fillna(0.0)
        p = self._lottery(before.to_numpy(float))
        q = self._lottery(after.to_numpy(float))
        levels = np.asarray(levels_row, dtype=float)
        phi = np.sign(levels[None, :] - levels[:, None])  # +1 where the row's alternative is ranked higher
        return float(q @ phi @ p)

    # ------------------------------------------------------------------ verdicts
    def result(
        self,
        axiom: str,
        status: str,
        message: str,
        counterexample: dict | None = None,
        *,
        tried: int = 0,
        exhaustive: bool = True,
        scope: str = "",
    ) -> AxiomCheck:
        if status == FAIL and tried:
            scope = f"stopped at the first counterexample, after {count_text(tried, 're-computation')}"
        chosen = self.selection or self.base_selection
        if status == FAIL and chosen:
            message += (
                f" (Here {self.name}'s answer is not unique; it returns the {chosen}, so this failure may "
                "be about that choice.)"
            )
        return AxiomCheck(self.rule.id, axiom, self.version, status, message, counterexample, tried, exhaustive, scope)


def top_mask(values: np.ndarray) -> np.ndarray:
    """Which entries are tied for the top value: the first group of :func:`aggregation.outcome.tie_groups`
    (values within :func:`aggregation.outcome.tie_tolerance` of the largest), computed on an array."""
    v = np.asarray(values, dtype=float)
    finite = v[np.isfinite(v)]
    tol = TIE_RELATIVE * max(1.0, float(np.abs(finite).max()) if finite.size else 1.0)
    best = np.nanmax(v) if np.isfinite(v).any() or np.isinf(v).any() else np.nan
    return (v == best) | (best - v <= tol)


def _selection(result) -> str | None:
    """How a rule chose among several equally good answers (a certificate that says it is not unique)."""
    certificate = getattr(result, "certificate", None)
    if certificate is not None and getattr(certificate, "unique", True) is False:
        return getattr(certificate, "selection", "one of several equally good answers")
    return None


# ============================================================================ wording
def pct(x: float) -> str:
    x = float(x)
    if abs(x) < 1e-9 or abs(1.0 - x) < 1e-9:
        return f"{round(x) * 100}%"
    return f"{100 * x:.3g}%"


def prob(x: float) -> str:
    """A probability in words; never rounded to 0 or 1 unless it is (within the tolerance)."""
    x = float(x)
    if abs(x) <= PROBABILITY_TOLERANCE:
        return "0"
    if abs(1.0 - x) <= PROBABILITY_TOLERANCE:
        return "1"
    return f"{x:.2f}" if 0.005 <= x <= 0.995 else f"{x:.2g}"


def join(items) -> str:
    items = [str(i) for i in items]
    if not items:
        return "nothing"
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def names_text(items) -> str:
    """A winner set in words: "R", or "R and B (tied)"."""
    items = list(items)
    return join(items) + (" (tied)" if len(items) > 1 else "")


def values_text(series: pd.Series) -> str:
    label = series.name or "value"
    return f"{label}: " + ", ".join(f"{a} {float(v):.4g}" for a, v in series.items())


def shares_text(series: pd.Series) -> str:
    return ", ".join(f"{a} {pct(v)}" for a, v in series.items())


def lottery_text(values: pd.Series) -> str:
    """The alternatives a lottery uses, with their probabilities: "A 0.50, B 0.50"."""
    used = [(a, float(v)) for a, v in values.items() if float(v) > PROBABILITY_TOLERANCE]
    return ", ".join(f"{a} {prob(v)}" for a, v in used) or "nothing"


def count_text(n: int, noun: str, plural: str | None = None) -> str:
    return f"{n:,} {noun if n == 1 else (plural or noun + 's')}"


def gain_text(margin: float) -> str:
    """How much a voter gains, in words (the PC margin of the module docstring)."""
    return (
        f"they gain {margin:.2f} on a scale from -1 to 1 (the chance that a draw from the new outcome beats a "
        "draw from the old one in their ranking, minus the reverse)"
    )


def sentence(text: str) -> str:
    """``text`` with its first letter in upper case (the rest untouched, names keep their case)."""
    return text[:1].upper() + text[1:]
