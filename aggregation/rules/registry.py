"""Every aggregation rule behind one call, and the one place a rule is described:
``RULES[id].compute(population, params) -> RuleResult``.

Modelled on OpenSpiel's ``python/voting`` (one base interface, one result type, every method
called the same way). Each :class:`Rule` holds everything about a rule: its display ``name``, its
mid-sentence ``label`` (what a claim says: "the maximal lottery (NLHF)"), a one-sentence
``explanation`` for a newcomer, what it ``output``s and in which ``unit``, its ``family``, its
``references`` (keys of :data:`aggregation.papers.PAPERS` with the section or proposition), the
parameters it reads, what it ``needs`` from a population, and its computation. The dashboard's
tables and explanations, the claim vocabulary of the scenario files, the property grid and the
README's table of rules are all derived from :data:`RULES`: adding a rule is writing its function
and one entry below.

Outputs (``Rule.output``):

* ``"scores"``: a number per alternative, larger is better (Borda, plurality, Copeland, NBC);
* ``"lottery"``: a probability distribution chosen by a social-choice rule (maximal lottery,
  random dictatorship);
* ``"policy"``: a probability distribution a trained language model would sample from
  (RLHF / DPO limit, average-reward policy, MPNE_k, robust policy_k, the uniform baseline).

Parameters travel in one :class:`RuleParams` (``beta``, ``sampling``, ``k``); each rule reads
only those listed in ``Rule.params``.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from ..errors import AggregationError
from ..papers import Reference, cite
from ..populations.base import Population
from ..populations.matrix import as_population
from ..testtime.games import mpne, robust_policy
from ..validate import distribution, sample_count
from .alignment import average_reward_policy, nbc, rlhf_policy
from .lotteries import maximal_lottery, random_dictatorship, uniform_policy
from .majority import copeland
from .result import LOTTERY, POLICY, SCORES, RuleResult
from .scoring import borda, plurality

#: What a rule needs from a population (``Rule.needs``): nothing but P; each voter's order (rankings or
#: user types); reward functions (user types); each voter's order unless k = 1 (the test-time games).
ANY, VOTERS, REWARDS, GAME = "any population", "voters' orders", "rewards", "voters' orders for k > 1"
#: The number of test-time samples when none is given.
RULE_K = 4
#: Families of rules, in display order (``Rule.family``).
FAMILIES = ("scoring", "majority", "lotteries", "alignment", "test time", "baselines")
#: What ``Rule.applies`` says, by need.
_APPLIES = {ANY: "any population (it only needs pairwise preferences)",
            VOTERS: "rankings or user types (it needs {reads})",
            REWARDS: "user types only",
            GAME: "rankings or user types (any k), comparisons or matrices (k = 1)"}


@dataclass(frozen=True)
class RuleParams:
    """Parameters of the rules: ``beta`` (KL strength of RLHF / DPO and the average-reward
    policy), ``sampling`` (the distribution D the compared responses are drawn from; a mapping
    or Series over alternatives, None = uniform), ``k`` (number of test-time samples)."""

    beta: float = 1.0
    sampling: Mapping | pd.Series | None = None
    k: int = RULE_K

    def __post_init__(self):
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

    def __post_init__(self):
        if self.family not in FAMILIES:
            raise AggregationError(f"rule {self.id!r}: unknown family {self.family!r} (known: {', '.join(FAMILIES)})")
        if self.needs not in _APPLIES:
            raise AggregationError(f"rule {self.id!r}: unknown need {self.needs!r}")
        if self.output not in (SCORES, LOTTERY, POLICY):
            raise AggregationError(f"rule {self.id!r}: unknown output {self.output!r}")

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
            return (f"it needs {self.reads}, but a comparison table or a preference matrix "
                    "only records who won each pair")
        if self.needs == REWARDS and not population.has_rewards:
            return "it needs user types with reward functions; rankings and pairwise comparisons carry no reward scale"
        if self.needs == GAME and not population.has_full_rankings and params.k != 1:
            return (f"with k = {params.k} it needs each voter's full ranking (which of k sampled responses a voter "
                    "likes best), but a comparison table or a preference matrix only records pairwise wins; use k = 1")
        return None

    def applies_to(self, population: Population, params: RuleParams | None = None) -> tuple[bool, str]:
        """``(True, "")`` or ``(False, reason a newcomer understands)``."""
        reason = self.refusal(as_population(population), params or RuleParams())
        return (reason is None, reason or "")

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
        if not isinstance(out, RuleResult):         # plain scores or a plain lottery
            out = RuleResult(out)
        return out.labelled(self.id, self.output)


# ---------------------------------------------------------------------------- the rules
def _sampling(population: Population, params: RuleParams) -> pd.Series | None:
    return params.sampling_over(population.alternatives)


_ALL = [
    Rule("borda", "Borda", "Borda",
         "Each voter gives m-1 points to their favourite, m-2 to the next, ..., 0 to the last; the most points wins. "
         "RLHF with a Bradley-Terry reward ranks responses this way.",
         SCORES, "points", "scoring",
         (Reference("borda"), Reference("jackpot", "section 3.1 and Theorem 2 (appendix A.9): RLHF orders like Borda"),
          Reference("hidden_context", "Theorem 3.1")),
         (), ANY, lambda m, p: borda(m)),
    Rule("plurality", "Plurality", "plurality",
         "Count how many voters put each alternative first; the most first places wins.",
         SCORES, "first places", "scoring", (Reference("jackpot", "section 2.2 (scoring rules)"),),
         (), VOTERS, lambda m, p: plurality(m)),
    Rule("copeland", "Copeland", "Copeland",
         "Run every head-to-head majority vote; an alternative scores one point per opponent it beats "
         "(half a point per exact tie).",
         SCORES, "head-to-head wins", "majority", (Reference("copeland"),),
         (), ANY, lambda m, p: copeland(m)),
    Rule("maximal_lottery", "Maximal lottery (NLHF)", "the maximal lottery (NLHF)",
         "The lottery that no alternative beats in a head-to-head vote on average; it picks the Condorcet winner "
         "whenever there is one. Nash learning from human feedback converges to it.",
         LOTTERY, "probability", "lotteries",
         (Reference("kreweras"), Reference("fishburn"), Reference("jackpot", "section 5.1, eq. (1)"),
          Reference("jackpot", "section 5.3: NLHF converges to it")),
         (), ANY, lambda m, p: maximal_lottery(m)),
    Rule("rlhf", "RLHF / DPO limit", "the RLHF / DPO policy",
         "The policy RLHF or DPO converges to with unlimited data: fit a Bradley-Terry reward on pairs drawn from "
         "the sampling distribution, then tilt a uniform reference policy by exp(reward / beta).",
         POLICY, "probability", "alignment",
         (Reference("rlhf"), Reference("dpo"), Reference("heterogeneous", "Proposition 4.2: its order is NBC's under D")),
         ("beta", "sampling"), ANY,
         lambda m, p: rlhf_policy(m, beta=p.beta, sampling=_sampling(m, p), misfit=True)),
    Rule("nbc", "Normalized Borda count", "NBC",
         "An alternative's average chance of winning a head-to-head comparison against a response drawn from "
         "the sampling distribution; DPO ranks responses in this order.",
         SCORES, "win rate against D", "alignment",
         (Reference("heterogeneous", "Definition 4.1"), Reference("hidden_context", "uniform sampling")),
         ("sampling",), ANY, lambda m, p: nbc(m, _sampling(m, p))),
    Rule("average_reward", "Average-reward policy", "the average-reward policy",
         "Tilt a uniform reference policy by exp(average reward / beta), averaging the rewards of all user types.",
         POLICY, "probability", "alignment",
         (Reference("heterogeneous", "eq. (10)"), Reference("distortion")),
         ("beta",), REWARDS, lambda m, p: average_reward_policy(m, beta=p.beta)),
    Rule("mpne", "MPNE_k", "MPNE_{k}",
         "The policy that is a symmetric equilibrium of a (k+1)-player game in which each player wants its answer "
         "to beat the other k; sampling it k times guarantees a k-sample win rate of at least k/(k+1).",
         POLICY, "probability", "test time", (Reference("test_time", "Definition 4.2, Theorem 4.3"),),
         ("k",), GAME, lambda m, p: mpne(m, p.k), solves_game=True),
    Rule("robust", "Robust policy_k", "the robust policy",
         "The policy whose k sampled answers have the highest worst-case chance of containing one the user likes "
         "at least as much as any fixed alternative answer.",
         POLICY, "probability", "test time",
         (Reference("test_time", "Definition 1.1, maximised directly over single-output policies"),),
         ("k",), GAME, lambda m, p: robust_policy(m, p.k), solves_game=True),
    Rule("random_dictatorship", "Random dictatorship", "random dictatorship (the pretrained-model analogue)",
         "Pick a random voter and return their favourite; a pretrained model imitating a random person behaves "
         "like this.",
         LOTTERY, "probability", "lotteries", (Reference("gibbard"), Reference("jackpot", "appendix A.6")),
         (), VOTERS, lambda m, p: random_dictatorship(m)),
    Rule("uniform", "Uniform policy", "the uniform policy",
         "Every answer with the same probability, whatever the voters say: the baseline that ignores them.",
         POLICY, "probability", "baselines",
         (Reference("test_time", "section 1.1.1: sampled k times it is U-aligned, but slowly"),),
         (), ANY, lambda m, p: uniform_policy(m)),
]

#: Every rule by id, in display order.
RULES: dict[str, Rule] = {rule.id: rule for rule in _ALL}


def get_rule(rule) -> Rule:
    """A :class:`Rule` from itself or its id."""
    if isinstance(rule, Rule):
        return rule
    try:
        return RULES[rule]
    except (KeyError, TypeError):
        raise AggregationError(f"unknown rule {rule!r} (known: {', '.join(RULES)})") from None


def compute(rule, population: Population, params: RuleParams | None = None) -> RuleResult:
    """``get_rule(rule).compute(population, params)``."""
    return get_rule(rule).compute(population, params)


def rules_table(population: Population | None = None, params: RuleParams | None = None) -> pd.DataFrame:
    """One row per rule: name, label, family, output, unit, explanation, populations, paper (the
    references in words), parameters, and, for a given population, whether it applies and why not."""
    rows = []
    for rule in RULES.values():
        row = {"id": rule.id, "name": rule.name, "label": rule.label, "family": rule.family, "output": rule.output,
               "unit": rule.unit, "explanation": rule.explanation, "applies to": rule.applies, "paper": rule.source,
               "parameters": ", ".join(rule.params)}
        if population is not None:
            ok, reason = rule.applies_to(population, params)
            row["applies"] = ok
            row["reason"] = reason
        rows.append(row)
    return pd.DataFrame(rows).set_index("id")


def rules_markdown() -> str:
    """The README's table of rules (checked by ``tests/test_readme.py``)."""
    lines = ["| id | rule | family | output (unit) | applies to | sources |", "| --- | --- | --- | --- | --- | --- |"]
    for rule in RULES.values():
        lines.append(f"| `{rule.id}` | {rule.name} | {rule.family} | {rule.output} ({rule.unit}) | {rule.applies} | "
                     f"{rule.source} |")
    return "\n".join(lines) + "\n"


@dataclass(frozen=True, eq=False)
class AllRules:
    """Every applicable rule on one population: ``values`` (alternatives x rule ids), ``results`` (the
    typed result of each rule computed) and ``skipped`` (each rule left out, with its reason)."""

    values: pd.DataFrame
    results: dict[str, RuleResult]
    skipped: dict[str, str]


def compute_all(population: Population, params: RuleParams | None = None) -> AllRules:
    """Every applicable rule's output side by side (:class:`AllRules`)."""
    population = as_population(population)
    results, skipped = {}, {}
    for rule in RULES.values():
        ok, reason = rule.applies_to(population, params)
        if ok:
            results[rule.id] = rule.compute(population, params)
        else:
            skipped[rule.id] = reason
    return AllRules(pd.DataFrame({r: result.values for r, result in results.items()}), results, skipped)


if __name__ == "__main__":   # pragma: no cover - prints the README's table of rules
    print(rules_markdown(), end="")
