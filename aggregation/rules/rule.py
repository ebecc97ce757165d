"""What a rule is: :class:`Rule` (the one description of a rule), :class:`RuleParams` (the
parameters every rule call takes) and :class:`Step` (one step of a rule's step-by-step trace).

Each family module of :mod:`aggregation.rules` (``scoring``, ``majority``, ``lotteries``, ...)
defines its functions and, at its end, ``ENTRIES``: the :class:`Rule` of each, so that adding a
rule is writing its function and one entry next to it; :mod:`.registry` gathers the families in
the order of :data:`FAMILIES`.

Outputs (``Rule.output``):

* ``"scores"``: a number per alternative, larger is better (Borda, plurality, Copeland, NBC);
* ``"lottery"``: a probability distribution chosen by a social-choice rule (maximal lottery,
  random dictatorship);
* ``"policy"``: a probability distribution a trained language model would sample from
  (RLHF / DPO limit, average-reward policy, MPNE_k, robust policy_k, the uniform baseline);
* ``"set"``: a set of alternatives (1 for members, 0 for the others), e.g. a winner set or the Smith set;
* ``"ranking"``: a social welfare order, as scores whose order is the ranking (tied alternatives
  share a score).

Parameters travel in one :class:`RuleParams` (``beta``, ``sampling``, ``k``, ``weights``); each rule
reads only those listed in ``Rule.params``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from ..errors import AggregationError
from ..papers import Reference, cite
from ..populations.base import COMPARISONS, Population
from ..populations.matrix import as_population
from ..validate import distribution, sample_count
from .result import LOTTERY, POLICY, RANKING, SCORES, SET, RuleResult

#: What a rule needs from a population (``Rule.needs``): nothing but P; each voter's order (rankings or
#: user types); reward functions (user types); each voter's order unless k = 1 (the test-time games).
ANY, VOTERS, REWARDS, GAME = "any population", "voters' orders", "rewards", "voters' orders for k > 1"
#: ... or a log of comparisons read one by one (sequential Elo): comparison tables and counts only.
LOG = "a log of comparisons"
#: The number of test-time samples when none is given.
RULE_K = 4
#: The positional scoring rule's points for a voter's 1st, 2nd, 3rd place (0 below) when none are given.
DEFAULT_WEIGHTS = (3.0, 2.0, 1.0)
#: Families of rules, in display order (``Rule.family``).
FAMILIES = ("scoring", "elimination", "majority", "sets", "lotteries", "ratings", "alignment", "test time", "baselines")
#: What ``Rule.applies`` says, by need.
_APPLIES = {
    ANY: "any population (it only needs pairwise preferences)",
    VOTERS: "rankings or user types (it needs {reads})",
    REWARDS: "user types only",
    GAME: "rankings or user types (any k), comparisons or matrices (k = 1)",
    LOG: "comparison tables and logs (it reads the comparisons one by one, in order)",
}


@dataclass(frozen=True)
class RuleParams:
    """Parameters of the rules: ``beta`` (KL strength of RLHF / DPO and the average-reward
    policy), ``sampling`` (the distribution D the compared responses are drawn from; a mapping
    or Series over alternatives, None = uniform), ``k`` (number of test-time samples), ``weights``
    (the score vector ``w_1 >= w_2 >= ...`` of the positional scoring rule, points for a voter's 1st,
    2nd, ... place, Maura-Rivero et al. 2025, section 2.2; places beyond its length score 0 and a
    vector longer than the number of alternatives is cut to it; default :data:`DEFAULT_WEIGHTS`);
    ``progress`` (see the field)."""

    beta: float = 1.0
    sampling: Mapping | pd.Series | None = None
    k: int = RULE_K
    weights: tuple[float, ...] = DEFAULT_WEIGHTS
    #: Follows the rules that solve a game (MPNE_k, the robust policy): called with the share done, in [0, 1];
    #: returning False stops the solve (:class:`aggregation.Cancelled`). Not a parameter of the answer.
    progress: Callable[[float], bool] | None = field(default=None, compare=False, repr=False)

    def __post_init__(self):
        object.__setattr__(self, "weights", score_vector(self.weights))
        try:
            beta = float(self.beta)
        except (TypeError, ValueError):
            raise AggregationError(f"beta must be a number, got {self.beta!r}") from None
        if not np.isfinite(beta) or beta <= 0:
            raise AggregationError(f"beta must be a positive number, got {self.beta!r}")
        object.__setattr__(self, "beta", beta)
        object.__setattr__(self, "k", sample_count(self.k))
        if self.sampling is not None and not isinstance(self.sampling, (Mapping, pd.Series)):
            raise AggregationError("sampling must map alternative names to probabilities (or be None for uniform)")

    def sampling_over(self, alternatives) -> pd.Series | None:
        """The sampling distribution as a validated Series over ``alternatives`` (None = uniform)."""
        if self.sampling is None:
            return None
        return distribution(self.sampling, list(alternatives))

    def restricted(self, alternatives) -> "RuleParams":
        """The same parameters for a population reduced to ``alternatives``: D is conditioned
        on them (renormalised); impossible when D gives them no mass at all."""
        if self.sampling is None:
            return self
        D = pd.Series(dict(self.sampling), dtype=float)
        kept = D.reindex(list(alternatives)).fillna(0.0)
        if kept.sum() <= 0:
            raise AggregationError("the sampling distribution gives the remaining alternatives no probability")
        return replace(self, sampling=kept / kept.sum())

    def cloned(self, original: str, clone: str) -> "RuleParams":
        """The same parameters after adding ``clone`` next to ``original``: D(original) is split
        equally between the two (the sampler draws the pair as often as it drew the original)."""
        if self.sampling is None:
            return self
        D = pd.Series(dict(self.sampling), dtype=float)
        half = D[original] / 2.0
        D[original] = half
        D[clone] = half
        return replace(self, sampling=D)


def score_vector(weights) -> tuple[float, ...]:
    """A positional score vector as a tuple of floats: finite, non-negative, non-increasing (a better
    place never scores less, Maura-Rivero et al. 2025, section 2.2) and not all 0 (places beyond the
    list score 0, so shifting every entry by a constant, which changes no ranking, is not needed);
    refused, naming the problem, otherwise."""
    if isinstance(weights, (str, bytes, Mapping)) or not hasattr(weights, "__iter__"):
        raise AggregationError(f"weights must be a list of points by position, got {weights!r}")
    try:
        vector = tuple(float(w) for w in weights)
    except (TypeError, ValueError):
        raise AggregationError(f"weights must be a list of numbers (points by position), got {weights!r}") from None
    if not vector:
        raise AggregationError("weights is empty: give the points for the 1st place, the 2nd, ...")
    for i, w in enumerate(vector):
        if not np.isfinite(w) or w < 0:
            raise AggregationError(f"weights: place {i + 1} gets {w!r} points; points must be finite and not negative")
        if i and w > vector[i - 1]:
            raise AggregationError(
                f"weights must not increase: place {i + 1} gets {w:g} points, more than place {i} ({vector[i - 1]:g})"
            )
    if vector[0] == 0:
        raise AggregationError("weights are all 0: the rule would separate nothing")
    return vector


@dataclass(frozen=True)
class Step:
    """One step of a rule's step-by-step trace (what a teacher projects): a ``title``, the ``text``
    (plain words with the numbers), an optional ``table`` and the alternatives to ``highlight``."""

    title: str
    text: str
    table: pd.DataFrame | None = None
    highlight: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rule:
    """One aggregation rule, self-describing. Call :meth:`compute`; check :meth:`applies_to` first
    to show a reason instead of an error.

    ``label`` is the rule mid-sentence; a ``{k}`` in it is filled in by :meth:`mid_sentence`.
    ``reads`` says what a rule that ``needs`` :data:`VOTERS` reads of each voter (it goes into the
    refusal a comparison table gets). ``solves_game``: the rule solves the (k+1)-player game, whose
    cost grows with the population (:mod:`aggregation.testtime.cost`)."""

    id: str
    name: str
    label: str
    explanation: str
    output: str
    unit: str
    family: str
    references: tuple[Reference, ...]
    params: tuple[str, ...]
    needs: str
    _compute: Callable = field(repr=False)
    reads: str = "each voter's favourite response"
    solves_game: bool = False
    #: Optional: ``trace(population, params) -> list[Step]``, how the rule reached its answer.
    trace: Callable | None = field(default=None, repr=False)
    #: Optional: ``limit(population, params) -> str | None``, a refusal of the rule's own beyond what
    #: ``needs`` says (e.g. an exact search that is only affordable up to a stated size).
    limit: Callable | None = field(default=None, repr=False)

    def __post_init__(self):
        if self.family not in FAMILIES:
            raise AggregationError(f"rule {self.id!r}: unknown family {self.family!r} (known: {', '.join(FAMILIES)})")
        if self.needs not in _APPLIES:
            raise AggregationError(f"rule {self.id!r}: unknown need {self.needs!r}")
        if self.output not in (SCORES, LOTTERY, POLICY, SET, RANKING):
            raise AggregationError(f"rule {self.id!r}: unknown output {self.output!r}")

    @property
    def is_distribution(self) -> bool:
        """Whether the rule outputs a probability distribution (a lottery or a policy)."""
        return self.output in (LOTTERY, POLICY)

    @property
    def applies(self) -> str:
        """Which populations the rule applies to, in words."""
        return _APPLIES[self.needs].format(reads=self.reads)

    @property
    def source(self) -> str:
        """The rule's references in running text."""
        return cite(self.references)

    def name_with(self, params: RuleParams | None = None) -> str:
        """The display name with the parameters that shape the output, e.g. "MPNE_k (k = 4)"."""
        params = params or RuleParams()
        shown = [f"{p} = {getattr(params, p):g}" for p in self.params if p in ("beta", "k")]
        if "weights" in self.params:
            shown.append("points " + ", ".join(f"{w:g}" for w in params.weights))
        if "sampling" in self.params and params.sampling is not None:
            shown.append("custom sampling")
        return f"{self.name} ({', '.join(shown)})" if shown else self.name

    def mid_sentence(self, k: int = RULE_K, *, k_in_sentence: bool = False) -> str:
        """The label mid-sentence with its k: "MPNE_4", "the robust policy for k = 4" (without the k
        when the sentence already says it, ``k_in_sentence``)."""
        if "{k}" in self.label:
            return self.label.format(k=k)
        if "k" in self.params and not k_in_sentence:
            return f"{self.label} for k = {k}"
        return self.label

    def refusal(self, population: Population, params: RuleParams) -> str | None:
        """Why the rule does not apply to this population (None when it does)."""
        if self.needs == VOTERS and not population.has_full_rankings:
            return (
                f"it needs {self.reads}, but a comparison table or a preference matrix only records who won each pair"
            )
        if self.needs == REWARDS and not population.has_rewards:
            return "it needs user types with reward functions; rankings and pairwise comparisons carry no reward scale"
        if self.needs == LOG and population.kind != COMPARISONS:
            return (
                "it reads a log of comparisons one by one, in order; rankings, user types and a preference "
                "matrix are not a log (draw a comparison dataset from them, or read the Bradley-Terry rating, "
                "which needs no order)"
            )
        if self.needs == GAME and not population.has_full_rankings and params.k != 1:
            return (
                f"with k = {params.k} it needs each voter's full ranking (which of k sampled responses a voter "
                "likes best), but a comparison table or a preference matrix only records pairwise wins; use k = 1"
            )
        if self.limit is None:
            return None
        try:
            return self.limit(population, params)
        except AggregationError as exc:  # the limit could not even be measured (e.g. user types whose names hold '>')
            return str(exc)

    def applies_to(self, population: Population, params: RuleParams | None = None) -> tuple[bool, str]:
        """``(True, "")`` or ``(False, reason a newcomer understands)``."""
        reason = self.refusal(as_population(population), params or RuleParams())
        return (reason is None, reason or "")

    def steps(self, population: Population, params: RuleParams | None = None) -> list[Step]:
        """How the rule reached its answer on ``population``, step by step (what a teacher projects):
        its own :attr:`trace` or, for a rule without one, :func:`fallback_steps` (what it computes
        and its answer). ``AggregationError`` (with the reason) when it does not apply."""
        population = as_population(population)
        params = params or RuleParams()
        reason = self.refusal(population, params)
        if reason is not None:
            raise AggregationError(f"{self.name}: {reason}")
        steps = list(self.trace(population, params)) if self.trace is not None else []
        return steps or fallback_steps(self, population, params)

    def compute(self, population: Population, params: RuleParams | None = None) -> RuleResult:
        """The rule's output over the alternatives as a :class:`~.result.RuleResult` (``rule`` and
        ``output`` filled in); ``AggregationError`` (with the reason) when it does not apply to this
        population."""
        population = as_population(population)
        params = params or RuleParams()
        reason = self.refusal(population, params)
        if reason is not None:
            raise AggregationError(f"{self.name}: {reason}")
        out = self._compute(population, params)
        if not isinstance(out, RuleResult):  # plain scores or a plain lottery
            out = RuleResult(out)
        return out.labelled(self.id, self.output)


def answer_highlight(result: RuleResult) -> tuple[str, ...]:
    """The alternatives a step shows as the answer: the tied top of scores, a ranking or a set; the
    alternatives a lottery or policy uses when that is not all of them, else its most likely ones."""
    if result.output in (LOTTERY, POLICY):
        used = result.support
        if len(used) < len(result.alternatives):
            return tuple(used)
    return tuple(result.winners)


def fallback_steps(rule: Rule, population: Population, params: RuleParams) -> list[Step]:
    """The step-by-step account of a rule without a trace of its own: what it computes (its
    explanation and sources) and its values on ``population``, with how they were computed."""
    result = rule.compute(population, params)
    shown = answer_highlight(result)
    what = {
        SCORES: "a score for each alternative (larger is better)",
        LOTTERY: "a lottery over the alternatives",
        POLICY: "a policy: the probability of answering each alternative",
        SET: "a set of alternatives (1 for members)",
        RANKING: "a ranking, as scores whose order is the ranking",
    }[rule.output]
    how = f" Computed by {result.method}." if result.method else ""
    notes = "".join(f" Note: {note}." for note in result.notes)
    answer = ", ".join(str(a) for a in shown)
    return [
        Step(
            "What it computes",
            f"{rule.name}: {rule.explanation} It returns {what} (unit: {rule.unit}). Sources: {rule.source}.",
        ),
        Step(
            "Its answer",
            f"{rule.name_with(params)} on this population.{how}{notes} "
            f"{'Top' if rule.output in (SCORES, RANKING) else 'Chosen'}: {answer}.",
            result.values.to_frame(rule.unit),
            shown,
        ),
    ]
