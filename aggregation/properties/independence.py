"""Pareto efficiency and independence: of irrelevant alternatives, and of clones.

* **pareto**: if every voter likes a at least as much as b and some voter strictly more (for user
  types: every type's reward for a is at least that for b, some strictly), b is not picked (b is
  not among the winners; b gets probability 0: ex-post efficiency, Brandt 2017). The Jackpot paper
  states Pareto efficiency for social welfare functions in appendix A.1.2 and for lotteries in
  A.3.2.
* **iia** (Jackpot paper, section 3.2, Definition 4), removing each alternative x in turn: winner
  version: removing an alternative that is not a winner leaves the winners unchanged;
  probabilistic: the others keep their relative probabilities (Luce's choice axiom, the reading of
  appendix A.7: the lottery on the smaller population equals the old one conditioned on the
  remaining alternatives; a removal of an alternative that had probability 1 imposes nothing).
* **clones** (Jackpot appendix A.2; Tideman 1987), adding a clone x' of each alternative x in turn:
  winner version: the winners do not change (x and x' count as one); probabilistic: every other
  alternative keeps its probability and x and x' together get what x had. For rankings the clone
  is put right next to x by every voter, *half of each ranking's weight just above x and half just
  below* (a neutral clone that splits x's first places, as vote splitting does); for user types the
  clone gets exactly x's rewards. The sampling distribution, if given, splits x's probability
  equally between x and x'. Only this one clone of each alternative is tried, so a pass is no
  proof that no other clone (another split of the voters) changes the outcome. Then the
  clones **already in the population** are tried the other way round (:func:`existing_clones`): a pair
  {x, y} that no voter separates (every other alternative is above both or below both, in every
  ranking; for user types, equal rewards) is a clone set in Tideman's sense, and removing y must not
  change the outcome either. That is the comparison of a scenario such as ``clone_plurality``, whose
  clone splits x's first places unevenly.
"""

from __future__ import annotations

import numpy as np

from ..errors import AggregationError
from ..outcome import PROBABILITY_TOLERANCE
from ..papers import Reference
from ..populations.base import RANKINGS, USER_TYPES, Population
from ..populations.profile import Profile
from .base import FAIL, NOT_APPLICABLE, PASS, Context, Property, names_text, prob, shares_text, values_text


# ============================================================================ Pareto
def pareto_dominated(population: Population) -> list[tuple[str, str]] | None:
    """Pairs (a, b) where a Pareto-dominates b, in alternative order; None when undefined."""
    if population.kind == RANKINGS:
        A = population.above_counts()
        dom = (A.T == 0) & (A > 0)  # nobody puts b above a, somebody puts a above b
    elif population.kind == USER_TYPES:
        R = population.rewards.to_numpy(float)
        dom = (R[:, :, None] >= R[:, None, :]).all(axis=0) & (R[:, :, None] > R[:, None, :]).any(axis=0)
    else:
        return None
    names = population.alternatives
    return [(names[a], names[b]) for a, b in zip(*np.nonzero(dom))]


def check_pareto(ctx: Context):
    pairs = pareto_dominated(ctx.population)
    if pairs is None:
        return ctx.result(
            "pareto",
            NOT_APPLICABLE,
            "Pareto dominance needs each voter's preferences; a comparison table or a preference "
            "matrix only has totals",
        )
    who = "user type" if ctx.kind == USER_TYPES else "voter"
    if not pairs:
        return ctx.result(
            "pareto",
            NOT_APPLICABLE,
            f"no alternative is Pareto-dominated here (for every pair, some {who} prefers each "
            "one, or all are indifferent), so the property says nothing",
        )
    name, out = ctx.name, ctx.out
    if ctx.probabilistic:
        a, b = max(pairs, key=lambda ab: out[ab[1]])
        if out[b] <= PROBABILITY_TOLERANCE:
            return ctx.result(
                "pareto",
                PASS,
                f"Every Pareto-dominated alternative ({names_text(sorted({q for _, q in pairs}))}) "
                f"gets probability 0 from {name}.",
            )
        return ctx.result(
            "pareto",
            FAIL,
            f"Every {who} likes {a} at least as much as {b}, and some strictly more, yet {name} "
            f"gives {b} probability {prob(out[b])} (Pareto efficiency requires 0).",
            {"dominating": a, "dominated": b, "probability": float(out[b]), "outcome": out},
        )
    w = ctx.winners(out)
    for a, b in pairs:
        if b in w:
            return ctx.result(
                "pareto",
                FAIL,
                f"Every {who} likes {a} at least as much as {b}, and some strictly more, yet {name} "
                f"picks {b}{' among its tied winners' if len(w) > 1 else ''} ({values_text(out)}).",
                {"dominating": a, "dominated": b, "winners": w, "outcome": out},
            )
    return ctx.result("pareto", PASS, f"{name} picks {names_text(w)}, which no other alternative Pareto-dominates.")


# ============================================================================ IIA
def check_iia(ctx: Context):
    names = list(ctx.out.index)
    name, out = ctx.name, ctx.out
    if len(names) < 3:
        return ctx.result("iia", NOT_APPLICABLE, "with two alternatives, removing one leaves nothing to compare")
    w = ctx.winners(out)
    skipped, tried = [], 0
    for x in names:
        rest = [a for a in names if a != x]
        if not ctx.probabilistic and x in w:
            continue
        try:
            after = ctx.compute(ctx.population.restrict(rest), ctx.params.restricted(rest))
        except AggregationError as exc:
            skipped.append(f"{x} ({exc})")
            continue
        tried += 1
        if not ctx.probabilistic:
            w_after = ctx.winners(after)
            if w_after != [a for a in w if a != x]:
                return ctx.result(
                    "iia",
                    FAIL,
                    f"Removing {x} changes {name}'s winner from {names_text(w)} to {names_text(w_after)} "
                    f"(before: {values_text(out)}; without {x}: {values_text(after)}).",
                    {"removed": x, "winners_before": w, "winners_after": w_after, "before": out, "after": after},
                    tried=tried,
                )
            continue
        kept = out[rest]
        if kept.sum() <= PROBABILITY_TOLERANCE:
            continue
        conditional = kept / kept.sum()
        change = float((after - conditional).abs().max())
        if change > PROBABILITY_TOLERANCE:
            return ctx.result(
                "iia",
                FAIL,
                f"Removing {x} changes how {name} shares its probability among the others: "
                f"before, they got {shares_text(conditional)} of what {x} left; without {x}, "
                f"{shares_text(after)}.",
                {
                    "removed": x,
                    "conditional_before": conditional,
                    "after": after,
                    "before": out,
                    "largest_change": change,
                },
                tried=tried,
            )
    note = f" (not checked: removing {', '.join(skipped)})" if skipped else ""
    scope = "each alternative removed in turn" + ("" if ctx.probabilistic else " (the winners excepted)")
    if not ctx.probabilistic:
        return ctx.result(
            "iia",
            PASS,
            f"Removing any alternative other than the winner ({names_text(w)}) leaves {name}'s winner unchanged{note}.",
            tried=tried,
            exhaustive=not skipped,
            scope=scope,
        )
    return ctx.result(
        "iia",
        PASS,
        f"Removing any one alternative leaves the relative probabilities {name} gives the others unchanged{note}.",
        tried=tried,
        exhaustive=not skipped,
        scope=scope,
    )


# ============================================================================ clones
def check_clones(ctx: Context):
    if not ctx.population.has_full_rankings:
        return ctx.result(
            "clones",
            NOT_APPLICABLE,
            "a clone needs voters' rankings or user types; a comparison table or a preference "
            "matrix has no entries for a response nobody compared",
        )
    name, out = ctx.name, ctx.out
    names = list(out.index)
    w = ctx.winners(out)
    how = (
        "every voter ranks it right next to {x}, half of them just above and half just below"
        if ctx.kind == RANKINGS
        else "every user type gives it exactly {x}'s reward"
    )
    tried = 0
    scope = _scope(ctx)
    for x in names:
        clone = clone_name(x, names)
        try:
            after = ctx.compute(with_clone(ctx.population, x, clone), ctx.params.cloned(x, clone))
        except AggregationError as exc:
            return ctx.result("clones", NOT_APPLICABLE, f"adding a clone of {x} is not possible here: {exc}")
        tried += 1
        merged = after.drop(clone)
        merged[x] = after[x] + after[clone]
        described = f"Adding a clone of {x} ({clone}: {how.format(x=x)})"
        if not ctx.probabilistic:
            w_after = [x if a == clone else a for a in ctx.winners(after)]
            w_after = [a for a in names if a in set(w_after)]
            if w_after != w:
                return ctx.result(
                    "clones",
                    FAIL,
                    f"{described} changes {name}'s winner from {names_text(w)} to {names_text(w_after)} "
                    f"({values_text(after)}).",
                    {
                        "cloned": x,
                        "clone": clone,
                        "winners_before": w,
                        "winners_after": w_after,
                        "before": out,
                        "after": after,
                    },
                    tried=tried,
                    exhaustive=False,
                    scope=scope,
                )
            continue
        diff = (merged - out).abs()
        if float(diff.max()) > PROBABILITY_TOLERANCE:
            others = diff.drop(x)
            if len(others) and float(others.max()) > PROBABILITY_TOLERANCE:
                b = str(others.idxmax())
                what = f"{b} goes from {prob(out[b])} to {prob(after[b])}"
            else:
                what = f"{x} and {clone} together get {prob(merged[x])} instead of {x}'s {prob(out[x])}"
            return ctx.result(
                "clones",
                FAIL,
                f"{described} changes {name}'s probabilities: {what}.",
                {"cloned": x, "clone": clone, "before": out, "after": after, "largest_change": float(diff.max())},
                tried=tried,
                exhaustive=False,
                scope=scope,
            )
    failure, tried = _existing_clone_failure(ctx, tried)
    if failure is not None:
        return failure
    if not ctx.probabilistic:
        return ctx.result(
            "clones",
            PASS,
            f"Adding a clone of any alternative leaves {name}'s winner unchanged "
            "(a clone of the winner may share its place).",
            tried=tried,
            exhaustive=False,
            scope=scope,
        )
    return ctx.result(
        "clones",
        PASS,
        f"Adding a clone of any alternative leaves every other probability of {name} unchanged, "
        "and the alternative and its clone share what it had.",
        tried=tried,
        exhaustive=False,
        scope=scope,
    )


def _existing_clone_failure(ctx: Context, tried: int):
    """The first clone already in the population whose removal changes the outcome (a failure result), or
    ``(None, tried)``; see :func:`existing_clones`."""
    name, out = ctx.name, ctx.out
    names = list(out.index)
    w = ctx.winners(out)
    for x, y in existing_clones(ctx.population):
        rest = [a for a in names if a != y]
        try:
            without = ctx.compute(ctx.population.restrict(rest), ctx.params.restricted(rest))
        except AggregationError:
            continue
        tried += 1
        described = (
            f"{y} is already a clone of {x} here (no voter ranks another alternative between them, or "
            f"tied with one but not the other); without {y}"
        )
        if not ctx.probabilistic:
            w_with = [a for a in names if a in {x if b == y else b for b in w}]
            w_without = ctx.winners(without)
            if w_with != w_without:
                return (
                    ctx.result(
                        "clones",
                        FAIL,
                        f"{described}, {name}'s winner is {names_text(w_without)}; with it, "
                        f"{names_text(w_with)} ({values_text(out)}).",
                        {
                            "cloned": x,
                            "clone": y,
                            "existing": True,
                            "winners_before": w_without,
                            "winners_after": w_with,
                            "before": without,
                            "after": out,
                        },
                        tried=tried,
                        exhaustive=False,
                        scope=_scope(ctx),
                    ),
                    tried,
                )
            continue
        merged = out.drop(y)
        merged[x] = out[x] + out[y]
        diff = (merged - without.reindex(merged.index)).abs()
        if float(diff.max()) > PROBABILITY_TOLERANCE:
            b = str(diff.idxmax())
            return (
                ctx.result(
                    "clones",
                    FAIL,
                    f"{described}, {name} gives {b} {prob(without[b])}; with it, "
                    f"{prob(merged[b])}{f' ({x} and {y} together)' if b == x else ''}.",
                    {
                        "cloned": x,
                        "clone": y,
                        "existing": True,
                        "before": without,
                        "after": out,
                        "largest_change": float(diff.max()),
                    },
                    tried=tried,
                    exhaustive=False,
                    scope=_scope(ctx),
                ),
                tried,
            )
    return None, tried


def _scope(ctx: Context) -> str:
    made = (
        "one clone of each alternative, put next to it by every voter, half just above and half just below"
        if ctx.kind == RANKINGS
        else "one clone of each alternative, with exactly its rewards"
    )
    return made + "; then the clones already in the population, each removed in turn"


def existing_clones(population: Population) -> list[tuple[str, str]]:
    """Pairs ``(x, y)`` (x first in the population's order) that form a clone set: in every ranking of
    positive weight each other alternative is strictly above both or strictly below both (Tideman 1987's
    definition, for weak orders); for user types, equal rewards for x and y in every type. Empty for other
    populations."""
    names = list(population.alternatives)
    if population.kind == RANKINGS:
        # a necessary condition first, from the pairwise counts (O(m^3) in all): in a clone set {x, y} every
        # voter puts each other z above both or below both, so A[z, x] = A[z, y] and A[x, z] = A[y, z]; only
        # the pairs that pass it read the rankings (100,000 x 50: 1,225 pairs read every ranking before)
        A = np.asarray(population.above_counts(), dtype=float)
        slack = 1e-9 * max(float(population.total_weight or 0.0), 1.0)
        L = None
        pairs = []
        for i in range(len(names)):
            for j in range(i + 1, len(names)):
                rest = [z for z in range(len(names)) if z not in (i, j)]
                if np.abs(A[rest, i] - A[rest, j]).max(initial=0.0) > slack or (
                    np.abs(A[i, rest] - A[j, rest]).max(initial=0.0) > slack
                ):
                    continue
                if L is None:
                    L = np.asarray(population.compressed().levels, dtype=np.int64)  # (rankings, m)
                lo, hi = np.minimum(L[:, i], L[:, j])[:, None], np.maximum(L[:, i], L[:, j])[:, None]
                others = np.delete(L, [i, j], axis=1)
                if bool(((others < lo) | (others > hi)).all()):
                    pairs.append((names[i], names[j]))
        return pairs
    if population.kind == USER_TYPES:
        R = population.rewards.to_numpy(float)
        return [
            (names[i], names[j])
            for i in range(len(names))
            for j in range(i + 1, len(names))
            if np.array_equal(R[:, i], R[:, j])
        ]
    return []


def split_clone(profile: Profile, original: str, clone: str) -> Profile:
    """``profile`` with ``clone`` added next to ``original`` in every ranking: half of each
    ranking's weight puts it just below ``original``, the other half just above
    (:meth:`~aggregation.populations.profile.Profile.split_clone`)."""
    return profile.split_clone(original, clone)


def with_clone(population: Population, original: str, clone: str) -> Population:
    """Rankings: the neutral clone of :func:`split_clone`; user types: the clone gets the rewards."""
    if population.kind == RANKINGS:
        return split_clone(population, original, clone)
    return population.with_clone(original, clone)


def clone_name(x: str, names: list[str]) -> str:
    clone = x + "'"
    while clone in names:
        clone += "'"
    return clone


def _removals(population) -> int:
    return len(population.alternatives)


# ============================================================================ registry entries
ENTRIES = [
    Property(
        "pareto",
        "Pareto efficiency",
        "Pareto",
        "An alternative that another one Pareto-dominates (no voter prefers it, some prefer the other) is never "
        "a winner.",
        "An alternative that another one Pareto-dominates gets probability 0.",
        "independence",
        (Reference("jackpot", "appendix A.1.2"),),
        (Reference("jackpot", "appendix A.3.2"), Reference("rolling_dice")),
        "the population as it is (no variation: a pass is a proof on this population)",
        check_pareto,
    ),
    Property(
        "iia",
        "Independence of irrelevant alternatives",
        "Irrelevant alternatives",
        "Removing an alternative that is not a winner does not change the winners.",
        "Removing an alternative does not change the relative probabilities of the others.",
        "independence",
        (Reference("jackpot", "section 3.2, Definition 4"),),
        (Reference("jackpot", "appendix A.7 (IIA in Luce's sense)"),),
        "each alternative removed in turn",
        check_iia,
        plan=_removals,
        min_alternatives=3,
    ),
    Property(
        "clones",
        "Independence of clones",
        "Clones",
        "Adding a near-copy (clone) of an alternative does not change the winner (a clone of the winner may "
        "share its place).",
        "Adding a clone of x leaves every other probability unchanged; x and its clone share what x had.",
        "independence",
        (Reference("jackpot", "appendix A.2"), Reference("tideman")),
        (Reference("jackpot", "appendix A.2"), Reference("maximal_lotteries")),
        "one clone of each alternative (for rankings put next to it by every voter, half just above and half "
        "just below; for user types with exactly its rewards); other clones are not tried",
        check_clones,
        plan=_removals,
    ),
]
