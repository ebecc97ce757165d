"""Properties about majorities: the majority and Condorcet winners (Jackpot paper, Definitions 1
and 2), the majority and Condorcet losers, the Smith set (Jackpot appendix A.4) and independence
of Smith-dominated alternatives.

Readings (the same as in the rest of the core): x is ranked first (or last) "by a majority" when
more than half of the weight ranks it first (last) *and alone*; the Jackpot paper's Definition 1
writes ">= #P/2", but its Figure 1 example and its claim that a majority winner is a Condorcet
winner need a strict majority, which is the reading used here. Head-to-head majorities are read
on P (margins within :data:`aggregation.outcome.MARGIN_TOLERANCE` are ties), so these checks apply
to every kind of population except where they need who ranks x first or last.
"""

from __future__ import annotations

import numpy as np

from ..errors import AggregationError
from ..outcome import MARGIN_TOLERANCE, PROBABILITY_TOLERANCE
from ..papers import Reference
from ..populations.base import RANKINGS, USER_TYPES
from ..populations.preference import matrix_and_names
from ..rules.majority import condorcet_winner, majority_winner, smith_set
from .base import (
    FAIL,
    NOT_APPLICABLE,
    PASS,
    Context,
    Property,
    join,
    lottery_text,
    names_text,
    pct,
    prob,
    sentence,
    values_text,
)

FULL = "a comparison table or a preference matrix does not say who each voter's favourite is"


# ============================================================================ must pick / must not pick
def must_pick(ctx: Context, axiom: str, x: str, why: str):
    """The verdict of a property that requires the rule to pick ``x`` (single winner; probability 1)."""
    name, out = ctx.name, ctx.out
    if ctx.probabilistic:
        p = float(out[x])
        if p >= 1.0 - PROBABILITY_TOLERANCE:
            return ctx.result(axiom, PASS, f"{why}, and {name} gives it probability 1.")
        return ctx.result(
            axiom,
            FAIL,
            f"{why}, but {name} gives it probability {prob(p)} instead of 1.",
            {"alternative": x, "probability": p, "outcome": out},
        )
    w = ctx.winners(out)
    if w == [x]:
        return ctx.result(axiom, PASS, f"{why}, and {name} picks {x}.")
    if x in w:
        msg = f"{why}, but {name} only ties {x} with {join(a for a in w if a != x)} for first place"
    else:
        msg = f"{why}, but {name} picks {names_text(w)}"
    return ctx.result(axiom, FAIL, f"{msg} ({values_text(out)}).", {"alternative": x, "winners": w, "outcome": out})


def must_not_pick(ctx: Context, axiom: str, x: str, why: str):
    """The verdict of a property that forbids picking ``x`` (not a winner; probability 0)."""
    name, out = ctx.name, ctx.out
    if ctx.probabilistic:
        p = float(out[x])
        if p <= PROBABILITY_TOLERANCE:
            return ctx.result(axiom, PASS, f"{why}, and {name} gives it probability 0.")
        return ctx.result(
            axiom,
            FAIL,
            f"{why}, yet {name} gives it probability {prob(p)} instead of 0.",
            {"alternative": x, "probability": p, "outcome": out},
        )
    w = ctx.winners(out)
    if x not in w:
        return ctx.result(axiom, PASS, f"{why}, and {name} picks {names_text(w)}, not {x}.")
    tied = " among its tied winners" if len(w) > 1 else ""
    return ctx.result(
        axiom,
        FAIL,
        f"{why}, yet {name} picks {x}{tied} ({values_text(out)}).",
        {"alternative": x, "winners": w, "outcome": out},
    )


def _voters(ctx: Context) -> str:
    return "the voters" if ctx.kind == RANKINGS else "the annotators (Plackett-Luce first choices)"


# ============================================================================ majority and Condorcet winners
def check_majority(ctx: Context):
    if not ctx.population.has_full_rankings:
        return ctx.result("majority", NOT_APPLICABLE, FULL)
    x = majority_winner(ctx.population)
    if x is None:
        return ctx.result(
            "majority",
            NOT_APPLICABLE,
            f"no alternative is ranked first (and alone) by more than half of {_voters(ctx)}, "
            "so the property says nothing here",
        )
    share = float(ctx.population.unique_first_shares()[x])
    return must_pick(ctx, "majority", x, f"{x} is ranked first by {pct(share)} of {_voters(ctx)} (a majority)")


def check_condorcet(ctx: Context):
    x = condorcet_winner(ctx.population)
    if x is None:
        return ctx.result(
            "condorcet",
            NOT_APPLICABLE,
            "no alternative beats every other one in head-to-head majority votes "
            "(there is no Condorcet winner), so the property says nothing here",
        )
    return must_pick(ctx, "condorcet", x, f"{x} beats every other alternative head-to-head ({_duels(ctx, x)})")


def _duels(ctx: Context, x: str, word: str = "") -> str:
    """``x``'s first three head-to-head shares against the others, in words ("B by 60% to 40%, ... and 2 more")."""
    P = ctx.population.preference_matrix()
    others = [b for b in P.index if b != x]
    duels = ", ".join(f"{word}{b} by {pct(P.loc[x, b])} to {pct(P.loc[b, x])}" for b in others[:3])
    return duels + (f" and {len(others) - 3} more" if len(others) > 3 else "")


# ============================================================================ losers
def condorcet_loser(population) -> str | None:
    """The alternative that loses every head-to-head majority vote, if any."""
    P, names = matrix_and_names(population)
    M = P - P.T
    np.fill_diagonal(M, -1.0)
    losers = np.flatnonzero((M < -MARGIN_TOLERANCE).all(axis=1))
    return names[int(losers[0])] if losers.size and len(names) > 1 else None


def majority_loser(population) -> str | None:
    """The alternative that more than half of the weight ranks last and alone, if any (rankings)."""
    levels, weights = population.levels, population.weights
    last = levels == levels.max(axis=1, keepdims=True)
    alone = last & (last.sum(axis=1) == 1)[:, None] & (levels.max(axis=1) > 0)[:, None]
    shares = (alone * weights[:, None]).sum(axis=0) / weights.sum()
    j = int(np.argmax(shares))
    return population.alternatives[j] if shares[j] > 0.5 + MARGIN_TOLERANCE else None


def check_condorcet_loser(ctx: Context):
    x = condorcet_loser(ctx.population)
    if x is None:
        return ctx.result(
            "condorcet_loser",
            NOT_APPLICABLE,
            "no alternative loses every head-to-head majority vote (there is no Condorcet loser), "
            "so the property says nothing here",
        )
    return must_not_pick(ctx, "condorcet_loser", x, f"{x} loses every head-to-head vote ({_duels(ctx, x, 'to ')})")


def check_majority_loser(ctx: Context):
    x = majority_loser(ctx.population)
    if x is None:
        return ctx.result(
            "majority_loser",
            NOT_APPLICABLE,
            "no alternative is ranked last (and alone) by more than half of the voters, so the "
            "property says nothing here",
        )
    levels, weights = ctx.population.levels, ctx.population.weights
    j = ctx.population.alternatives.index(x)
    last = (levels[:, j] == levels.max(axis=1)) & ((levels == levels.max(axis=1, keepdims=True)).sum(axis=1) == 1)
    share = float(weights[last].sum() / weights.sum())
    return must_not_pick(ctx, "majority_loser", x, f"{x} is ranked last by {pct(share)} of the voters (a majority)")


# ============================================================================ Smith
def _smith(ctx: Context) -> list[str]:
    return ctx.memo("smith", lambda: smith_set(ctx.population))


def check_smith(ctx: Context):
    S = _smith(ctx)
    names = ctx.population.alternatives
    if len(S) == len(names):
        return ctx.result(
            "smith",
            NOT_APPLICABLE,
            "the Smith set holds every alternative (no group beats all the others head-to-head), so "
            "the property says nothing here",
        )
    name, out = ctx.name, ctx.out
    why = (
        f"the Smith set is {{{', '.join(S)}}}: each of {join(S)} beats every other alternative head-to-head"
        if len(S) > 1
        else f"the Smith set is {{{S[0]}}}: {S[0]} beats every other alternative head-to-head"
    )
    if ctx.probabilistic:
        outside = {a: float(out[a]) for a in names if a not in S and float(out[a]) > PROBABILITY_TOLERANCE}
        if not outside:
            return ctx.result("smith", PASS, f"{sentence(why)}, and {name} gives the others probability 0.")
        b = max(outside, key=outside.get)
        return ctx.result(
            "smith",
            FAIL,
            f"{sentence(why)}, yet {name} gives {b}, outside it, probability {prob(outside[b])}.",
            {"smith_set": S, "alternative": b, "probability": outside[b], "outcome": out},
        )
    w = ctx.winners(out)
    outside = [a for a in w if a not in S]
    if not outside:
        return ctx.result("smith", PASS, f"{sentence(why)}, and {name} picks {names_text(w)}, inside it.")
    return ctx.result(
        "smith",
        FAIL,
        f"{sentence(why)}, yet {name} picks {names_text(w)}: {join(outside)} "
        f"{'is' if len(outside) == 1 else 'are'} outside it ({values_text(out)}).",
        {"smith_set": S, "winners": w, "outcome": out},
    )


def _isda_plan(population) -> int:
    return len(population.alternatives)


def check_isda(ctx: Context):
    S = _smith(ctx)
    names = ctx.population.alternatives
    dominated = [a for a in names if a not in S]
    if not dominated:
        return ctx.result(
            "isda",
            NOT_APPLICABLE,
            "the Smith set holds every alternative, so no alternative is Smith-dominated and the "
            "property says nothing here",
        )
    name, out = ctx.name, ctx.out
    w = ctx.winners(out)
    removals = (
        [[x] for x in dominated if x not in w]
        + [[x] for x in dominated if x in w]  # non-winners first
        + ([dominated] if len(dominated) > 1 else [])
    )
    tried, skipped = 0, []
    for removed in removals:
        rest = [a for a in names if a not in removed]
        try:
            after = ctx.compute(ctx.population.restrict(rest), ctx.params.restricted(rest))
        except AggregationError as exc:  # the rule cannot run without them: said, not hidden
            skipped.append(f"{join(removed)} ({exc})")
            continue
        tried += 1
        what = f"Removing {join(removed)}, which the Smith set {{{', '.join(S)}}} dominates,"
        if ctx.probabilistic:
            kept = out[rest]
            before = kept / kept.sum() if kept.sum() > PROBABILITY_TOLERANCE else kept
            change = float((after - before).abs().max())
            if change > PROBABILITY_TOLERANCE:
                return ctx.result(
                    "isda",
                    FAIL,
                    f"{what} changes {name}'s lottery from {lottery_text(before)} to {lottery_text(after)}.",
                    {"removed": removed, "before": out, "after": after, "largest_change": change},
                    tried=tried,
                )
            continue
        w_before = [a for a in ctx.winners(out) if a not in removed]
        w_after = ctx.winners(after)
        if w_after != w_before:
            return ctx.result(
                "isda",
                FAIL,
                f"{what} changes {name}'s winner from {names_text(ctx.winners(out))} to "
                f"{names_text(w_after)} (before: {values_text(out)}; after: {values_text(after)}).",
                {
                    "removed": removed,
                    "winners_before": ctx.winners(out),
                    "winners_after": w_after,
                    "before": out,
                    "after": after,
                },
                tried=tried,
            )
    note = f" (not checked: removing {', '.join(skipped)})" if skipped else ""
    return ctx.result(
        "isda",
        PASS,
        f"Removing any alternative outside the Smith set {{{', '.join(S)}}} (each "
        f"alone{' and all together' if len(dominated) > 1 else ''}) leaves {name}'s "
        f"{'lottery' if ctx.probabilistic else 'winner'} unchanged{note}.",
        tried=tried,
        exhaustive=not skipped,
        scope=f"each of the {len(dominated)} Smith-dominated alternatives removed alone, and all of them together",
    )


# ============================================================================ registry entries
_MAJORITY = Reference("jackpot", "section 3.2, Definition 1")
_CONDORCET = Reference("jackpot", "section 3.2, Definition 2")
_PROB = Reference("jackpot", "section 5.1 (the maximal lottery gives a Condorcet winner probability 1)")
_ROLLING = Reference("rolling_dice")

ENTRIES = [
    Property(
        "majority",
        "Majority consistency",
        "Majority",
        "If more than half of the voters rank x first, x is the single winner.",
        "If more than half of the voters rank x first, x gets probability 1.",
        "majority",
        (_MAJORITY,),
        (_PROB,),
        "the population as it is (no variation: a pass is a proof on this population)",
        check_majority,
        needs=(RANKINGS, USER_TYPES),
        refusal=FULL,
    ),
    Property(
        "condorcet",
        "Condorcet consistency",
        "Condorcet",
        "If x beats every other alternative head-to-head, x is the single winner.",
        "If x beats every other alternative head-to-head, x gets probability 1.",
        "majority",
        (_CONDORCET, Reference("condorcet")),
        (_PROB,),
        "the population as it is (no variation: a pass is a proof on this population)",
        check_condorcet,
    ),
    Property(
        "condorcet_loser",
        "Condorcet loser criterion",
        "Condorcet loser",
        "An alternative that loses every head-to-head majority vote is never a winner.",
        "An alternative that loses every head-to-head majority vote gets probability 0.",
        "majority",
        (Reference("condorcet"), Reference("felsenthal")),
        (_ROLLING,),
        "the population as it is (no variation: a pass is a proof on this population)",
        check_condorcet_loser,
    ),
    Property(
        "majority_loser",
        "Majority loser criterion",
        "Majority loser",
        "If more than half of the voters rank x last, x is not a winner.",
        "If more than half of the voters rank x last, x gets probability 0.",
        "majority",
        (Reference("felsenthal"), Reference("woodall")),
        (_ROLLING,),
        "the population as it is (no variation: a pass is a proof on this population)",
        check_majority_loser,
        needs=(RANKINGS,),
        refusal="it needs each voter's ranking to know who ranks an alternative last; user types, comparison "
        "tables and preference matrices do not say it",
    ),
    Property(
        "smith",
        "Smith criterion",
        "Smith",
        "The winners are in the Smith set (the smallest group that beats every outsider head-to-head).",
        "Only alternatives of the Smith set get positive probability.",
        "majority",
        (Reference("smith"), Reference("jackpot", "appendix A.4 (Smith sets)")),
        (_ROLLING,),
        "the population as it is (no variation: a pass is a proof on this population)",
        check_smith,
        min_alternatives=3,
    ),
    Property(
        "isda",
        "Independence of Smith-dominated alternatives",
        "Smith-dominated",
        "Removing an alternative outside the Smith set does not change the winners.",
        "Removing an alternative outside the Smith set does not change the lottery (conditioned on the rest).",
        "majority",
        (Reference("schulze"),),
        (_ROLLING,),
        "each alternative outside the Smith set removed alone, and all of them together",
        check_isda,
        plan=_isda_plan,
        min_alternatives=3,
    ),
]
