"""Every aggregation rule behind one call, and the one place a rule is described:
``RULES[id].compute(population, params) -> RuleResult``.

Modelled on OpenSpiel's ``python/voting`` (one base interface, one result type, every method
called the same way). A :class:`~.rule.Rule` holds everything about a rule (see :mod:`.rule`); each
family module (``scoring``, ``majority``, ``lotteries``, ``alignment``, ``testtime_policies``, ...)
lists its rules in ``ENTRIES`` next to their functions, and :data:`RULES` gathers them in the
order of :data:`~.rule.FAMILIES` (then the order of each module). The dashboard's tables and
explanations, the claim vocabulary of the scenario files, the property grid and the README's table
of rules are all derived from :data:`RULES`: adding a rule is writing its function and one entry.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..errors import AggregationError
from ..populations.base import Population
from ..populations.matrix import as_population
from . import alignment, elimination, kemeny, lotteries, majority, margins, ratings, scoring, sets, testtime_policies
from .result import RuleResult
from .rule import FAMILIES, Rule, RuleParams

#: The family modules whose ``ENTRIES`` make up the registry.
_FAMILY_MODULES = (
    scoring,
    elimination,
    majority,
    margins,
    kemeny,
    sets,
    lotteries,
    ratings,
    alignment,
    testtime_policies,
)


def _gather() -> list[Rule]:
    entries = [rule for module in _FAMILY_MODULES for rule in module.ENTRIES]
    ids = [rule.id for rule in entries]
    duplicated = sorted({i for i in ids if ids.count(i) > 1})
    if duplicated:
        raise AggregationError(f"rule ids registered twice: {', '.join(duplicated)}")
    return sorted(entries, key=lambda rule: FAMILIES.index(rule.family))  # stable: module order within a family


_ALL = _gather()

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
        row = {
            "id": rule.id,
            "name": rule.name,
            "label": rule.label,
            "family": rule.family,
            "output": rule.output,
            "unit": rule.unit,
            "explanation": rule.explanation,
            "applies to": rule.applies,
            "paper": rule.source,
            "parameters": ", ".join(rule.params),
        }
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
        lines.append(
            f"| `{rule.id}` | {rule.name} | {rule.family} | {rule.output} ({rule.unit}) | {rule.applies} | "
            f"{rule.source} |"
        )
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


if __name__ == "__main__":  # pragma: no cover - prints the README's table of rules
    print(rules_markdown(), end="")
