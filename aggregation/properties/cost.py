"""What checking every property of one rule costs, before it runs: each property plans how many
times it re-computes the rule on a variation of the population (:attr:`~.base.Property.plan`, at
most :data:`~.base.MAX_VARIATIONS` variations each), and each re-computation costs about as many
cells as the rule reads (:func:`_per_call`)."""

from __future__ import annotations

from ..populations.base import RANKINGS, Population
from ..populations.matrix import as_population
from ..rules.registry import get_rule
from ..rules.rule import ANY
from ..testtime.cost import game_cells

#: Property checks run without the user asking up to this many cells in all (:func:`properties_cost`): a check
#: that computes the rule once on 100,000 rankings x 50 (5.1 million cells) runs; one that re-computes a rule
#: reading every voter 40 times waits for the user (its time is then predicted from a timed variation:
#: :func:`.axioms.predicted_seconds`).
PROPERTY_BUDGET = 20_000_000


def planned_computations(population: Population, properties=None) -> int:
    """How many times checking the properties (all, or those listed) re-computes a rule at most."""
    from .registry import PROPERTIES, get_property

    population = as_population(population)
    chosen = PROPERTIES.values() if properties is None else [get_property(p) for p in properties]
    return 1 + sum(p.plan(population) for p in chosen if population.kind in p.needs)


def _per_call(population: Population, rule, k: int) -> int:
    """Cells one re-computation reads: a game's (with a clone); (rows) x (alternatives + 1) for a rule that reads
    the voters; (alternatives) x (alternatives + 1) for one that reads only P, which is all it reads of a matrix
    or of comparisons, and of the variations of rankings too (they carry their pairwise counts in closed form:
    :meth:`Profile._variation <aggregation.populations.profile.Profile._variation>`)."""
    m = len(population.alternatives)
    if rule.solves_game:
        return game_cells(population, k, extra=1)
    reads_voters = population.has_full_rankings and not (population.kind == RANKINGS and rule.needs == ANY)
    return (population.n_rows if reads_voters else m) * (m + 1)


def properties_cost(population: Population, rule, k: int, properties=None) -> int:
    """A rough cell count of checking every property (or those listed) of ``rule`` (a rule or its id) on
    ``population``: the planned re-computations (:func:`planned_computations`), each a game with a clone
    for the rules that solve the test-time game (:func:`aggregation.testtime.cost.game_cells`), else
    about (rows) x (alternatives + 1)."""
    population, rule = as_population(population), get_rule(rule)
    return planned_computations(population, properties) * _per_call(population, rule, k)


def check_costs(population: Population, rules, properties, k: int) -> dict[tuple[str, str], int]:
    """:func:`properties_cost` of each (rule id, property id) pair: each property's plan and each rule's
    per-call cells computed once (the whole table at 100,000 x 50 in about 0.2 s instead of 1.6)."""
    population = as_population(population)
    plans = {p: planned_computations(population, [p]) for p in properties}
    costs = {}
    for rule in rules:
        rule = get_rule(rule)
        per_call = _per_call(population, rule, k)
        costs.update({(rule.id, p): plan * per_call for p, plan in plans.items()})
    return costs


def properties_affordable(population: Population, rule, k: int) -> bool:
    """Whether :func:`properties_cost` is within :data:`PROPERTY_BUDGET`."""
    return properties_cost(population, rule, k) <= PROPERTY_BUDGET
