"""Every aggregation rule behind one call: ``RULES[id].compute(model, params) -> pd.Series``.

Modelled on OpenSpiel's ``python/voting`` (one base interface, one result type, every method
called the same way). Each :class:`Rule` describes itself (display name, a one-sentence
explanation for a newcomer, what it outputs, the populations it needs, the paper it comes from)
so that the dashboard can render its "rules side by side" table from :data:`RULES` alone.

Outputs (``Rule.output``):

* ``"scores"``: a number per alternative, larger is better (Borda, plurality, Copeland, NBC);
* ``"lottery"``: a probability distribution chosen by a social-choice rule (maximal lottery,
  random dictatorship);
* ``"policy"``: a probability distribution a trained language model would sample from
  (RLHF / DPO limit, average-reward policy, MPNE_k, robust policy_k).

Parameters travel in one :class:`RuleParams` (``beta``, ``sampling``, ``k``); each rule reads
only those listed in ``Rule.params``.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from ..populations.base import Population
from ..populations.matrix import as_population
from ..testtime import games as testtime
from ..validate import distribution, sample_count
from ..errors import AggregationError
from .alignment import average_reward_policy, nbc, rlhf_policy
from .lotteries import maximal_lottery
from .lotteries import random_dictatorship
from .result import LOTTERY, POLICY, SCORES, RuleResult
from .majority import copeland
from .scoring import borda, plurality



@dataclass(frozen=True)
class RuleParams:
    """Parameters of the rules: ``beta`` (KL strength of RLHF / DPO and the average-reward
    policy), ``sampling`` (the distribution D the compared responses are drawn from; a mapping
    or Series over alternatives, None = uniform), ``k`` (number of test-time samples)."""

    beta: float = 1.0
    sampling: Mapping | pd.Series | None = None
    k: int = 4

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
    to show a reason instead of an error."""

    id: str
    name: str
    explanation: str
    output: str
    applies: str
    paper: str
    params: tuple[str, ...]
    _compute: Callable = field(repr=False)
    _refusal: Callable = field(repr=False)

    def label(self, params: RuleParams | None = None) -> str:
        """The display name with the parameters that shape the output, e.g. "MPNE_k (k = 4)"."""
        params = params or RuleParams()
        shown = [f"{p} = {getattr(params, p):g}" for p in self.params if p in ("beta", "k")]
        if "sampling" in self.params and params.sampling is not None:
            shown.append("custom sampling")
        return f"{self.name} ({', '.join(shown)})" if shown else self.name

    def applies_to(self, population: Population, params: RuleParams | None = None) -> tuple[bool, str]:
        """``(True, "")`` or ``(False, reason a newcomer understands)``."""
        reason = self._refusal(as_population(population), params or RuleParams())
        return (reason is None, reason or "")

    def compute(self, population: Population, params: RuleParams | None = None) -> RuleResult:
        """The rule's output over the alternatives as a :class:`~.result.RuleResult` (``rule`` and
        ``output`` filled in); ``AggregationError`` (with the reason) when it does not apply to this
        population."""
        population = as_population(population)
        params = params or RuleParams()
        reason = self._refusal(population, params)
        if reason is not None:
            raise AggregationError(f"{self.name}: {reason}")
        out = self._compute(population, params)
        if not isinstance(out, RuleResult):         # plain scores or a plain lottery
            out = RuleResult(out)
        return out.labelled(self.id, self.output)


# ---------------------------------------------------------------------------- refusals
def _any(population: Population, params: RuleParams) -> str | None:
    return None


def _needs_favourites(population: Population, params: RuleParams) -> str | None:
    if population.has_full_rankings:
        return None
    return ("it needs each voter's favourite response, but a comparison table or a preference matrix "
            "only records who won each pair")


def _needs_user_types(population: Population, params: RuleParams) -> str | None:
    if population.has_rewards:
        return None
    return "it needs user types with reward functions; rankings and pairwise comparisons carry no reward scale"


def _needs_game(population: Population, params: RuleParams) -> str | None:
    k = params.k
    if population.has_full_rankings or k == 1:
        return None
    return (f"with k = {k} it needs each voter's full ranking (which of k sampled responses a voter likes best), "
            "but a comparison table or a preference matrix only records pairwise wins; use k = 1")


# ---------------------------------------------------------------------------- the rules
def _rule(id, name, explanation, output, applies, paper, params, compute, refusal) -> Rule:
    return Rule(id, name, explanation, output, applies, paper, tuple(params), compute, refusal)


_ALL = [
    _rule("borda", "Borda",
          "Each voter gives m-1 points to their favourite, m-2 to the next, ..., 0 to the last; the most points wins. "
          "RLHF with a Bradley-Terry reward ranks responses this way.",
          SCORES, "any population (it only needs pairwise preferences)",
          "J.-C. de Borda (1781); RLHF ranks like Borda: Siththaranjan, Laidlaw & Hadfield-Menell, "
          "Distributional Preference Learning (ICLR 2024)",
          [], lambda m, p: borda(m), _any),
    _rule("plurality", "Plurality",
          "Count how many voters put each alternative first; the most first places wins.",
          SCORES, "rankings or user types (it needs each voter's favourite)",
          "classical (first-past-the-post)",
          [], lambda m, p: plurality(m), _needs_favourites),
    _rule("copeland", "Copeland",
          "Run every head-to-head majority vote; an alternative scores one point per opponent it beats "
          "(half a point per exact tie).",
          SCORES, "any population", "A. H. Copeland (1951)",
          [], lambda m, p: copeland(m), _any),
    _rule("maximal_lottery", "Maximal lottery (NLHF)",
          "The lottery that no alternative beats in a head-to-head vote on average; it picks the Condorcet winner "
          "whenever there is one. Nash learning from human feedback converges to it.",
          LOTTERY, "any population",
          "Kreweras (1965), Fishburn (1984); NLHF as a maximal lottery: Maura-Rivero, Lanctot, Visin & Larson, "
          "Jackpot! Alignment as a Maximal Lottery, arXiv 2501.19266",
          [], lambda m, p: maximal_lottery(m), _any),
    _rule("rlhf", "RLHF / DPO limit",
          "The policy RLHF or DPO converges to with unlimited data: fit a Bradley-Terry reward on pairs drawn from "
          "the sampling distribution, then tilt a uniform reference policy by exp(reward / beta).",
          POLICY, "any population",
          "Ouyang et al. (2022); Rafailov et al., DPO, arXiv 2305.18290; its order is the normalized Borda count "
          "under the sampling distribution",
          ["beta", "sampling"], lambda m, p: rlhf_policy(m, beta=p.beta, sampling=p.sampling_over(m.alternatives), misfit=True), _any),
    _rule("nbc", "Normalized Borda count",
          "An alternative's average chance of winning a head-to-head comparison against a response drawn from "
          "the sampling distribution; DPO ranks responses in this order.",
          SCORES, "any population",
          "Siththaranjan, Laidlaw & Hadfield-Menell (ICLR 2024) for uniform sampling; DESIGN.md for general D",
          ["sampling"], lambda m, p: nbc(m, p.sampling_over(m.alternatives)), _any),
    _rule("average_reward", "Average-reward policy",
          "Tilt a uniform reference policy by exp(average reward / beta), averaging the rewards of all user types.",
          POLICY, "user types only",
          "the KL-regularised optimum for the population's average reward; see Goelz, Haghtalab & Yang, "
          "Distortion of AI Alignment, arXiv 2505.23749",
          ["beta"], lambda m, p: average_reward_policy(m, beta=p.beta), _needs_user_types),
    _rule("mpne", "MPNE_k",
          "The policy that is a symmetric equilibrium of a (k+1)-player game in which each player wants its answer "
          "to beat the other k; sampling it k times guarantees a k-sample win rate of at least k/(k+1).",
          POLICY, "rankings or user types (any k), comparisons or matrices (k = 1)",
          "Cai & Zheng, Asymptotic Universal Alignment via Test-Time Scaling, arXiv 2601.08777 (Definition 4.2, "
          "Theorem 4.3)",
          ["k"], lambda m, p: testtime.mpne(m, p.k), _needs_game),
    _rule("robust", "Robust policy_k",
          "The policy whose k sampled answers have the highest worst-case chance of containing one the user likes "
          "at least as much as any fixed alternative answer.",
          POLICY, "rankings or user types (any k), comparisons or matrices (k = 1)",
          "the (k, f(k))-robust alignment objective of Cai & Zheng, arXiv 2601.08777 (Definition 1.1), maximised "
          "directly over single-output policies",
          ["k"], lambda m, p: testtime.robust_policy(m, p.k), _needs_game),
    _rule("random_dictatorship", "Random dictatorship",
          "Pick a random voter and return their favourite; a pretrained model imitating a random person behaves "
          "like this.",
          LOTTERY, "rankings or user types (it needs each voter's favourite)",
          "A. Gibbard, Manipulation of schemes that mix voting with chance (Econometrica 1977)",
          [], lambda m, p: random_dictatorship(m), _needs_favourites),
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


def rules_table(model=None, params: RuleParams | None = None) -> pd.DataFrame:
    """One row per rule: name, output, explanation, populations, paper, parameters, and, for a
    given population, whether it applies and why not."""
    rows = []
    for rule in RULES.values():
        row = {"id": rule.id, "name": rule.name, "output": rule.output, "explanation": rule.explanation,
               "applies to": rule.applies, "paper": rule.paper, "parameters": ", ".join(rule.params)}
        if model is not None:
            ok, reason = rule.applies_to(model, params)
            row["applies"] = ok
            row["reason"] = reason
        rows.append(row)
    return pd.DataFrame(rows).set_index("id")


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
