"""Property (axiom) checks for every registry rule, on the user's own population.

Each check returns an :class:`AxiomCheck`: ``status`` is ``"pass"``, ``"fail"`` or
``"not applicable"``, and ``message`` says why in words a newcomer understands; on failure it
is the concrete counterexample found on *this* population ("Removing G changes Borda's winner
from R to B"), with the numbers in ``counterexample``.

How an outcome is read
----------------------
* **Winners** of a rule: the alternatives whose score (or, for a lottery or policy, whose
  probability: the mode) ties the top value (:func:`aggregation.outcome.winners`). A tie for first
  place is a *set* of winners: a property that asks the rule to pick x passes only when x is
  the single winner, and one that asks the winner not to change compares the winner sets.
* **Probabilities** of a lottery or policy are compared with tolerance
  :data:`aggregation.outcome.PROBABILITY_TOLERANCE` (the iterative solvers behind MPNE and the robust policy are
  accurate to about 1e-9).

Versions
--------
Rules that output scores are checked in the *winner* version; rules that output a lottery or
a policy in the *probabilistic* version, the one probabilistic social choice uses (F. Brandt,
*Rolling the dice: Recent results in probabilistic social choice*, 2017) and under which the
Jackpot paper (Maura-Rivero, Lanctot, Visin and Larson, arXiv 2501.19266, Figure 1 and
Table 2) contrasts RLHF with the maximal lottery. The paper states majority consistency, the
Condorcet winner and IIA in section 3.2 (Definitions 1, 2 and 4), Pareto efficiency in appendix
A.1.2, clone consistency in appendix A.2 and the probabilistic (Luce) reading of IIA in appendix
A.7; the definitions below follow them. Pass ``version="winner"`` to read a lottery by
its mode instead.

* **majority**: if more than half of the voters rank x first (and alone), the rule picks x
  (winner version: x is the single winner; probabilistic: x gets probability 1).
* **condorcet**: if x beats every other alternative in a head-to-head majority vote, the rule
  picks x (single winner; probability 1).
* **pareto**: if every voter likes a at least as much as b and some voter strictly more (for
  user types: every type's reward for a is at least that for b, some strictly), b is not
  picked (b is not among the winners; b gets probability 0: ex-post efficiency).
* **iia** (independence of irrelevant alternatives), removing each alternative x in turn:
  winner version: removing an alternative that is not a winner leaves the winners unchanged;
  probabilistic: the others keep their relative probabilities (Luce's choice axiom: the
  lottery on the smaller population equals the old one conditioned on the remaining
  alternatives; a removal of an alternative that had probability 1 imposes nothing).
* **clones** (independence of clones), adding a clone x' of each alternative x in turn:
  winner version: the winners do not change (x and x' count as one); probabilistic: every other
  alternative keeps its probability and x and x' together get what x had. For rankings the
  clone is put right next to x by every voter, *half of each ranking's weight just above x
  and half just below* (a neutral clone that splits x's first places, as vote splitting does);
  for user types the clone gets exactly x's rewards. The sampling distribution, if given,
  splits x's probability equally between x and x'.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import AggregationError
from ..outcome import PROBABILITY_TOLERANCE, winners
from ..populations.base import RANKINGS, USER_TYPES, Population
from ..populations.matrix import as_population
from ..populations.profile import Profile
from ..rules.registry import RULES, Rule, RuleParams, get_rule
from ..rules.majority import condorcet_winner, majority_winner

PASS, FAIL, NOT_APPLICABLE = "pass", "fail", "not applicable"
WINNER, PROBABILISTIC = "winner", "probabilistic"



@dataclass(frozen=True)
class Axiom:
    id: str
    name: str
    winner_version: str
    probabilistic_version: str


AXIOMS: dict[str, Axiom] = {a.id: a for a in [
    Axiom("majority", "Majority consistency",
          "If more than half of the voters rank x first, x is the single winner.",
          "If more than half of the voters rank x first, x gets probability 1."),
    Axiom("condorcet", "Condorcet consistency",
          "If x beats every other alternative head-to-head, x is the single winner.",
          "If x beats every other alternative head-to-head, x gets probability 1."),
    Axiom("pareto", "Pareto efficiency",
          "An alternative that another one Pareto-dominates (no voter prefers it, some prefer the other) is never a winner.",
          "An alternative that another one Pareto-dominates gets probability 0."),
    Axiom("iia", "Independence of irrelevant alternatives",
          "Removing an alternative that is not a winner does not change the winners.",
          "Removing an alternative does not change the relative probabilities of the others."),
    Axiom("clones", "Independence of clones",
          "Adding a near-copy (clone) of an alternative does not change the winner (a clone of the winner may share its place).",
          "Adding a clone of x leaves every other probability unchanged; x and its clone share what x had."),
]}


@dataclass(frozen=True, eq=False)
class AxiomCheck:
    """The outcome of one property check of one rule on one population."""

    rule: str
    axiom: str
    version: str
    status: str
    message: str
    counterexample: dict | None = None

    @property
    def passed(self) -> bool:
        return self.status == PASS

    @property
    def failed(self) -> bool:
        return self.status == FAIL


# ============================================================================ public API
def check(population: Population, rule, axiom: str, params: RuleParams | None = None, version: str | None = None) -> AxiomCheck:
    """Check one property of one rule on ``population``."""
    return _Checker(as_population(population), get_rule(rule), params or RuleParams(), version).run(axiom)


def check_rule(population: Population, rule, params: RuleParams | None = None, axioms: Iterable[str] | None = None,
               version: str | None = None) -> list[AxiomCheck]:
    """Check every property (or those listed) of one rule on ``population``; the rule is computed once."""
    checker = _Checker(as_population(population), get_rule(rule), params or RuleParams(), version)
    return [checker.run(a) for a in (list(axioms) if axioms is not None else list(AXIOMS))]


def check_all(population: Population, params: RuleParams | None = None, rules: Iterable | None = None,
              axioms: Iterable[str] | None = None) -> pd.DataFrame:
    """Every rule x property on ``population``: columns rule, axiom, version, status, message."""
    population = as_population(population)
    rows = []
    for rule in (list(rules) if rules is not None else list(RULES)):
        for c in check_rule(population, rule, params, axioms):
            rows.append({"rule": c.rule, "axiom": c.axiom, "version": c.version, "status": c.status,
                         "message": c.message})
    return pd.DataFrame(rows, columns=["rule", "axiom", "version", "status", "message"])


# ============================================================================ the checks
class _Checker:
    def __init__(self, population: Population, rule: Rule, params: RuleParams, version: str | None):
        self.population, self.rule, self.params = population, rule, params
        self.name = rule.name_with(params)
        self.kind = population.kind
        probabilistic_output = rule.is_distribution
        if version is None:
            version = PROBABILISTIC if probabilistic_output else WINNER
        if version not in (WINNER, PROBABILISTIC):
            raise AggregationError(f"version must be {WINNER!r} or {PROBABILISTIC!r}, got {version!r}")
        self.version = version
        self.version_refusal = (None if version == WINNER or probabilistic_output else
                                f"{self.name} outputs scores, not probabilities; check its winner version instead")
        ok, self.rule_refusal = rule.applies_to(population, params)
        self._out = None

    @property
    def out(self) -> pd.Series:
        if self._out is None:
            self._out = self.rule.compute(self.population, self.params).values
        return self._out

    def run(self, axiom: str) -> AxiomCheck:
        if axiom not in AXIOMS:
            raise AggregationError(f"unknown property {axiom!r} (known: {', '.join(AXIOMS)})")
        if self.rule_refusal:
            return self._result(axiom, NOT_APPLICABLE, f"{self.name} does not apply here: {self.rule_refusal}")
        if self.version_refusal:
            return self._result(axiom, NOT_APPLICABLE, self.version_refusal)
        return getattr(self, f"_{axiom}")()

    def _result(self, axiom, status, message, counterexample=None) -> AxiomCheck:
        return AxiomCheck(self.rule.id, axiom, self.version, status, message, counterexample)

    # ------------------------------------------------------------------ majority / Condorcet
    def _majority(self) -> AxiomCheck:
        if not self.population.has_full_rankings:
            return self._result("majority", NOT_APPLICABLE,
                                "a comparison table or a preference matrix does not say who each voter's favourite is")
        voters = "the voters" if self.kind == RANKINGS else "the annotators (Plackett-Luce first choices)"
        x = majority_winner(self.population)
        if x is None:
            return self._result("majority", NOT_APPLICABLE,
                                f"no alternative is ranked first (and alone) by more than half of {voters}, "
                                "so the property says nothing here")
        share = float(self.population.unique_first_shares()[x])
        why = f"{x} is ranked first by {_pct(share)} of {voters} (a majority)"
        return self._must_pick("majority", x, why)

    def _condorcet(self) -> AxiomCheck:
        x = condorcet_winner(self.population)
        if x is None:
            return self._result("condorcet", NOT_APPLICABLE,
                                "no alternative beats every other one in head-to-head majority votes "
                                "(there is no Condorcet winner), so the property says nothing here")
        P = self.population.preference_matrix()
        others = [b for b in P.index if b != x]
        duels = ", ".join(f"{b} by {_pct(P.loc[x, b])} to {_pct(P.loc[b, x])}" for b in others[:3])
        more = f" and {len(others) - 3} more" if len(others) > 3 else ""
        why = f"{x} beats every other alternative head-to-head ({duels}{more})"
        return self._must_pick("condorcet", x, why)

    def _must_pick(self, axiom: str, x: str, why: str) -> AxiomCheck:
        name, out = self.name, self.out
        if self.version == PROBABILISTIC:
            p = float(out[x])
            if p >= 1.0 - PROBABILITY_TOLERANCE:
                return self._result(axiom, PASS, f"{why}, and {name} gives it probability 1.")
            return self._result(axiom, FAIL, f"{why}, but {name} gives it probability {_prob(p)} instead of 1.",
                                {"alternative": x, "probability": p, "outcome": out})
        w = winners(out)
        if w == [x]:
            return self._result(axiom, PASS, f"{why}, and {name} picks {x}.")
        if x in w:
            msg = f"{why}, but {name} only ties {x} with {_join(a for a in w if a != x)} for first place"
        else:
            msg = f"{why}, but {name} picks {_names(w)}"
        return self._result(axiom, FAIL, f"{msg} ({_values(out)}).", {"alternative": x, "winners": w, "outcome": out})

    # ------------------------------------------------------------------ Pareto
    def _pareto(self) -> AxiomCheck:
        pairs = _pareto_dominated(self.population)
        if pairs is None:
            return self._result("pareto", NOT_APPLICABLE,
                                "Pareto dominance needs each voter's preferences; a comparison table or a preference "
                                "matrix only has totals")
        who = "user type" if self.kind == USER_TYPES else "voter"
        if not pairs:
            return self._result("pareto", NOT_APPLICABLE,
                                f"no alternative is Pareto-dominated here (for every pair, some {who} prefers each "
                                "one, or all are indifferent), so the property says nothing")
        name, out = self.name, self.out
        if self.version == PROBABILISTIC:
            worst = max(pairs, key=lambda ab: out[ab[1]])
            a, b = worst
            if out[b] <= PROBABILITY_TOLERANCE:
                return self._result("pareto", PASS,
                                    f"Every Pareto-dominated alternative ({_names(sorted({q for _, q in pairs}))}) "
                                    f"gets probability 0 from {name}.")
            return self._result("pareto", FAIL,
                                f"Every {who} likes {a} at least as much as {b}, and some strictly more, yet {name} "
                                f"gives {b} probability {_prob(out[b])} (Pareto efficiency requires 0).",
                                {"dominating": a, "dominated": b, "probability": float(out[b]), "outcome": out})
        w = winners(out)
        for a, b in pairs:
            if b in w:
                return self._result("pareto", FAIL,
                                    f"Every {who} likes {a} at least as much as {b}, and some strictly more, yet {name} "
                                    f"picks {b}{' among its tied winners' if len(w) > 1 else ''} ({_values(out)}).",
                                    {"dominating": a, "dominated": b, "winners": w, "outcome": out})
        return self._result("pareto", PASS,
                            f"{name} picks {_names(w)}, which no other alternative Pareto-dominates.")

    # ------------------------------------------------------------------ IIA
    def _iia(self) -> AxiomCheck:
        names = list(self.out.index)
        name, out = self.name, self.out
        if len(names) < 3:
            return self._result("iia", NOT_APPLICABLE,
                                "with two alternatives, removing one leaves nothing to compare")
        w = winners(out)
        skipped = []
        for x in names:
            rest = [a for a in names if a != x]
            if self.version == WINNER and x in w:
                continue
            try:
                after = self.rule.compute(self.population.restrict(rest), self.params.restricted(rest)).values
            except AggregationError as exc:
                skipped.append(f"{x} ({exc})")
                continue
            if self.version == WINNER:
                w_after = winners(after)
                if w_after != [a for a in w if a != x]:
                    return self._result("iia", FAIL,
                                        f"Removing {x} changes {name}'s winner from {_names(w)} to {_names(w_after)} "
                                        f"(before: {_values(out)}; without {x}: {_values(after)}).",
                                        {"removed": x, "winners_before": w, "winners_after": w_after,
                                         "before": out, "after": after})
                continue
            kept = out[rest]
            if kept.sum() <= PROBABILITY_TOLERANCE:
                continue
            conditional = kept / kept.sum()
            change = float((after - conditional).abs().max())
            if change > PROBABILITY_TOLERANCE:
                return self._result("iia", FAIL,
                                    f"Removing {x} changes how {name} shares its probability among the others: "
                                    f"before, they got {_shares(conditional)} of what {x} left; without {x}, "
                                    f"{_shares(after)}.",
                                    {"removed": x, "conditional_before": conditional, "after": after,
                                     "before": out, "largest_change": change})
        note = f" (not checked: removing {', '.join(skipped)})" if skipped else ""
        if self.version == WINNER:
            return self._result("iia", PASS,
                                f"Removing any alternative other than the winner ({_names(w)}) leaves {name}'s "
                                f"winner unchanged{note}.")
        return self._result("iia", PASS,
                            f"Removing any one alternative leaves the relative probabilities {name} gives the "
                            f"others unchanged{note}.")

    # ------------------------------------------------------------------ clones
    def _clones(self) -> AxiomCheck:
        if not self.population.has_full_rankings:
            return self._result("clones", NOT_APPLICABLE,
                                "a clone needs voters' rankings or user types; a comparison table or a preference "
                                "matrix has no entries for a response nobody compared")
        name, out = self.name, self.out
        names = list(out.index)
        w = winners(out)
        how = ("every voter ranks it right next to {x}, half of them just above and half just below"
               if self.kind == RANKINGS else "every user type gives it exactly {x}'s reward")
        for x in names:
            clone = _clone_name(x, names)
            try:
                after = self.rule.compute(_with_clone(self.population, x, clone), self.params.cloned(x, clone)).values
            except AggregationError as exc:
                return self._result("clones", NOT_APPLICABLE, f"adding a clone of {x} is not possible here: {exc}")
            merged = after.drop(clone)
            merged[x] = after[x] + after[clone]
            described = f"Adding a clone of {x} ({clone}: {how.format(x=x)})"
            if self.version == WINNER:
                w_after = [x if a == clone else a for a in winners(after)]
                w_after = [a for a in names if a in set(w_after)]
                if w_after != w:
                    return self._result("clones", FAIL,
                                        f"{described} changes {name}'s winner from {_names(w)} to {_names(w_after)} "
                                        f"({_values(after)}).",
                                        {"cloned": x, "clone": clone, "winners_before": w, "winners_after": w_after,
                                         "before": out, "after": after})
                continue
            diff = (merged - out).abs()
            if float(diff.max()) > PROBABILITY_TOLERANCE:
                others = diff.drop(x)
                if len(others) and float(others.max()) > PROBABILITY_TOLERANCE:
                    b = str(others.idxmax())
                    what = f"{b} goes from {_prob(out[b])} to {_prob(after[b])}"
                else:
                    what = f"{x} and {clone} together get {_prob(merged[x])} instead of {x}'s {_prob(out[x])}"
                return self._result("clones", FAIL, f"{described} changes {name}'s probabilities: {what}.",
                                    {"cloned": x, "clone": clone, "before": out, "after": after,
                                     "largest_change": float(diff.max())})
        if self.version == WINNER:
            return self._result("clones", PASS,
                                f"Adding a clone of any alternative leaves {name}'s winner unchanged "
                                "(a clone of the winner may share its place).")
        return self._result("clones", PASS,
                            f"Adding a clone of any alternative leaves every other probability of {name} unchanged, "
                            "and the alternative and its clone share what it had.")


# ============================================================================ populations
def _pareto_dominated(population: Population) -> list[tuple[str, str]] | None:
    """Pairs (a, b) where a Pareto-dominates b, in alternative order; None when undefined."""
    if population.kind == RANKINGS:
        A = population.above_counts()
        dom = (A.T == 0) & (A > 0)             # nobody puts b above a, somebody puts a above b
    elif population.kind == USER_TYPES:
        R = population.rewards.to_numpy(float)
        dom = (R[:, :, None] >= R[:, None, :]).all(axis=0) & (R[:, :, None] > R[:, None, :]).any(axis=0)
    else:
        return None
    names = population.alternatives
    return [(names[a], names[b]) for a, b in zip(*np.nonzero(dom))]


def split_clone(profile: Profile, original: str, clone: str) -> Profile:
    """``profile`` with ``clone`` added next to ``original`` in every ranking: half of each
    ranking's weight puts it just below ``original``, the other half just above."""
    below = profile.with_clone(original, clone)
    names = below.alternatives
    j, c = names.index(original), names.index(clone)
    above = below.levels.copy()
    above[:, [j, c]] = above[:, [c, j]]
    levels = np.vstack([below.levels, above])
    weights = np.concatenate([below.weights, below.weights]) / 2.0
    return Profile.from_levels(levels, names, weights)


def _with_clone(population: Population, original: str, clone: str) -> Population:
    """Rankings: the neutral clone of :func:`split_clone`; user types: the clone gets the rewards."""
    if population.kind == RANKINGS:
        return split_clone(population, original, clone)
    return population.with_clone(original, clone)


def _clone_name(x: str, names: list[str]) -> str:
    clone = x + "'"
    while clone in names:
        clone += "'"
    return clone


# ============================================================================ wording
def _pct(x: float) -> str:
    x = float(x)
    if abs(x) < 1e-9 or abs(1.0 - x) < 1e-9:
        return f"{round(x) * 100}%"
    return f"{100 * x:.3g}%"


def _prob(x: float) -> str:
    x = float(x)
    return f"{x:.2f}" if 0.005 <= x <= 0.995 or x in (0.0, 1.0) else f"{x:.2g}"


def _join(items) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _names(items) -> str:
    """A winner set in words: "R", or "R and B (tied)"."""
    items = list(items)
    return _join(items) + (" (tied)" if len(items) > 1 else "")


def _values(series: pd.Series) -> str:
    label = series.name or "value"
    return f"{label}: " + ", ".join(f"{a} {float(v):.4g}" for a, v in series.items())


def _shares(series: pd.Series) -> str:
    return ", ".join(f"{a} {_pct(v)}" for a, v in series.items())
