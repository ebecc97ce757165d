"""Symmetry: anonymity (voters' names do not matter), neutrality (alternatives' names do not
matter) and homogeneity (replicating the electorate changes nothing).

* **anonymity** (Jackpot paper, appendix A.3.2; May 1952): listing the same voters in another order,
  or writing a ranking of weight w as w separate voters, leaves the outcome unchanged. Every order
  of the rows is tried when there are at most 6 of them (720 orders), else random orders.
* **neutrality** (May 1952): renaming the alternatives renames the outcome: when every voter's data
  about x is given to y and vice versa, the rule's output for y is its old output for x. Every
  renaming is tried for up to 6 alternatives (720), else random ones. The sampling distribution D,
  if set, is renamed with them.
* **homogeneity** (Smith 1973): replicating every voter t times (every weight multiplied by t)
  leaves the outcome unchanged; t = 2, 3 and 7 are tried (never a proof: that would need every t).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from ..errors import AggregationError
from ..papers import Reference
from ..populations.base import COMPARISONS, RANKINGS, USER_TYPES
from ..populations.counts import ComparisonCounts
from ..populations.profile import Profile
from ..populations.user_types import RewardPopulation
from ..rules.rule import RuleParams
from .base import FAIL, NOT_APPLICABLE, PASS, SEED, Context, Property, max_variations
from .variations import Permutations, Space, relabelled, reordered_voters, scope_text

#: Rankings of whole-number weight are also written out one voter per row when the total is at most this.
MAX_EXPANDED = 5_000
#: The replication factors homogeneity tries.
REPLICATIONS = (2, 3, 7)


def _outcome(ctx: Context, values: pd.Series) -> str:
    return ctx.picks(values)


# ============================================================================ anonymity
def _voter_rows(population) -> int:
    """Rows whose order anonymity varies: rankings, user types, comparisons; for counts of comparisons
    (which keep no order of their own) their cells."""
    if isinstance(population, ComparisonCounts):
        return population.n_cells
    return population.n_rankings if population.kind == RANKINGS else population.n_rows


def _expanded(profile: Profile) -> Profile | None:
    w = profile.weights
    if not np.all(w == np.round(w)) or w.sum() > MAX_EXPANDED or np.all(w == 1):
        return None
    reps = w.astype(int)
    return Profile.from_levels(np.repeat(profile.levels, reps, axis=0), profile.alternatives, np.ones(int(reps.sum())))


def _anonymity_space(population) -> Space:
    n = _voter_rows(population)
    return Space([Permutations(n)], lambda order: None if _identity(order) else order)


def _identity(order) -> bool:
    return bool((np.asarray(order) == np.arange(len(order))).all())


def _anonymity_plan(population) -> int:
    if population.kind not in (RANKINGS, USER_TYPES, COMPARISONS):
        return 0
    return min(_anonymity_space(population).size, max_variations(population)) + 2


def check_anonymity(ctx: Context):
    population, name, out = ctx.population, ctx.name, ctx.out
    what = {RANKINGS: "rankings", USER_TYPES: "user types", COMPARISONS: "comparisons"}[ctx.kind]
    variations = []
    if ctx.kind == RANKINGS:
        expanded = _expanded(population)
        if expanded is not None:
            variations.append(
                (
                    expanded,
                    f"writing each ranking of weight w as w voters of weight 1 "
                    f"({expanded.n_rankings} rows instead of {population.n_rankings})",
                )
            )
        compressed = population.compressed()
        if compressed.n_rankings != population.n_rankings:
            variations.append(
                (
                    compressed,
                    f"merging identical rankings ({compressed.n_rankings} rows instead of {population.n_rankings})",
                )
            )
    space = _anonymity_space(population)
    tried = orders = 0

    def fail(after, how, order=None):
        return ctx.result(
            "anonymity",
            FAIL,
            f"{how.capitalize()} should change nothing, but {name} goes from "
            f"{_outcome(ctx, out)} to {_outcome(ctx, after)}.",
            {"before": out, "after": after, "order": order},
            tried=tried,
            exhaustive=False,
        )

    for variation, how in variations:
        after = ctx.compute(variation)
        tried += 1
        if not ctx.same(out, after):
            return fail(after, how)
    for order in space.explore(max_variations(ctx.population), SEED):
        after = ctx.compute(reordered_voters(population, order))
        tried += 1
        orders += 1
        if not ctx.same(out, after):
            shown = ", ".join(str(i + 1) for i in order[:12]) + (", ..." if len(order) > 12 else "")
            return fail(after, f"listing the {what} in the order {shown}", list(order))
    exhaustive = space.exhaustive(max_variations(ctx.population))
    scope = scope_text(space, orders, max_variations(ctx.population), f"other order of the {what}")
    if variations:
        scope += "; " + "; ".join(how for _, how in variations)
    return ctx.result(
        "anonymity",
        PASS,
        f"Listing the {what} in any other order"
        f"{' or writing them differently' if variations else ''} leaves {name}'s outcome unchanged "
        f"({'every order tried' if exhaustive else f'{tried:,} variations tried'}).",
        tried=tried,
        exhaustive=exhaustive,
        scope=scope,
    )


# ============================================================================ neutrality
def _renamed_params(ctx: Context, perm) -> RuleParams:
    D = ctx.params.sampling_over(ctx.population.alternatives)
    if D is None:
        return ctx.params
    names = ctx.population.alternatives
    return replace(ctx.params, sampling=pd.Series([float(D[names[p]]) for p in perm], index=names))


def _neutrality_space(population) -> Space:
    m = len(population.alternatives)
    return Space([Permutations(m)], lambda perm: None if list(perm) == list(range(m)) else perm)


def _neutrality_plan(population) -> int:
    return min(_neutrality_space(population).size, max_variations(population))


def check_neutrality(ctx: Context):
    population, name, out = ctx.population, ctx.name, ctx.out
    names = population.alternatives
    space = _neutrality_space(population)
    tried = 0
    for perm in space.explore(max_variations(ctx.population), SEED):
        try:
            after = ctx.compute(relabelled(population, perm), _renamed_params(ctx, perm))
        except AggregationError as exc:
            return ctx.result("neutrality", NOT_APPLICABLE, f"renaming the alternatives is not possible here: {exc}")
        tried += 1
        expected = pd.Series([float(out[names[p]]) for p in perm], index=names, name=out.name)
        if not ctx.same(expected, after):
            swaps = ", ".join(f"{names[p]}→{names[j]}" for j, p in enumerate(perm) if p != j)
            return ctx.result(
                "neutrality",
                FAIL,
                f"Renaming the alternatives ({swaps}: each takes over every voter's opinion of the "
                f"other) should rename {name}'s outcome to {_outcome(ctx, expected)}, but it gives "
                f"{_outcome(ctx, after)}.",
                {
                    "renaming": {names[p]: names[j] for j, p in enumerate(perm)},
                    "expected": expected,
                    "after": after,
                    "before": out,
                },
                tried=tried,
                exhaustive=False,
            )
    exhaustive = space.exhaustive(max_variations(ctx.population))
    return ctx.result(
        "neutrality",
        PASS,
        f"Renaming the alternatives renames {name}'s outcome and changes nothing else "
        f"({'every renaming' if exhaustive else f'{tried:,} renamings'} of the {len(names)} "
        "alternatives tried).",
        tried=tried,
        exhaustive=exhaustive,
        scope=scope_text(space, tried, max_variations(ctx.population), "renaming of the alternatives"),
    )


# ============================================================================ homogeneity
def replicated(population, t: int):
    if population.kind == RANKINGS:
        return population.scaled(t)
    return RewardPopulation(population.rewards, population.weights.to_numpy(float) * t, population.temperature)


def check_homogeneity(ctx: Context):
    name, out = ctx.name, ctx.out
    tried = 0
    voters = "voter" if ctx.kind == RANKINGS else "user type's weight"
    for t in REPLICATIONS:
        after = ctx.compute(replicated(ctx.population, t))
        tried += 1
        if not ctx.same(out, after):
            return ctx.result(
                "homogeneity",
                FAIL,
                f"Replicating every {voters} {t} times should change nothing, but {name} goes from "
                f"{_outcome(ctx, out)} to {_outcome(ctx, after)}.",
                {"factor": t, "before": out, "after": after},
                tried=tried,
                exhaustive=False,
            )
    shown = ", ".join(str(t) for t in REPLICATIONS)
    return ctx.result(
        "homogeneity",
        PASS,
        f"Replicating every {voters} {shown} times leaves {name}'s outcome unchanged.",
        tried=tried,
        exhaustive=False,
        scope=f"every weight multiplied by {shown}; a pass means no counterexample among these factors",
    )


# ============================================================================ registry entries
_MAY = Reference("may")
ENTRIES = [
    Property(
        "anonymity",
        "Anonymity",
        "Anonymity",
        "Listing the voters in another order (or writing a ranking of weight w as w voters) does not change "
        "the winners.",
        "Listing the voters in another order does not change the lottery.",
        "symmetry",
        (Reference("jackpot", "appendix A.3.2 (Anonymity)"), _MAY),
        (Reference("jackpot", "appendix A.3.2 (Anonymity)"),),
        "every order of the voters' rows for up to 6 rows (else 1,000 random orders), and each ranking of "
        "whole weight w written as w voters",
        check_anonymity,
        plan=_anonymity_plan,
        needs=(RANKINGS, USER_TYPES, COMPARISONS),
        refusal="a preference matrix has no voters to list in another order",
    ),
    Property(
        "neutrality",
        "Neutrality",
        "Neutrality",
        "Renaming the alternatives renames the winners and changes nothing else.",
        "Renaming the alternatives renames the lottery's probabilities and changes nothing else.",
        "symmetry",
        (_MAY,),
        (Reference("rolling_dice"),),
        "every renaming of up to 6 alternatives (else 1,000 random renamings)",
        check_neutrality,
        plan=_neutrality_plan,
    ),
    Property(
        "homogeneity",
        "Homogeneity",
        "Homogeneity",
        "Replicating every voter t times does not change the winners.",
        "Replicating every voter t times does not change the lottery.",
        "symmetry",
        (Reference("smith"),),
        (Reference("maximal_lotteries"),),
        "every weight multiplied by 2, 3 and 7 (bounded: a pass is no proof for every factor)",
        check_homogeneity,
        plan=lambda population: len(REPLICATIONS),
        needs=(RANKINGS, USER_TYPES),
        refusal="a comparison table or a preference matrix only holds shares, which replicating the voters "
        "leaves exactly as they are",
    ),
]
