"""Strategy: can a voter, or a group of like-minded voters, gain by misreporting?

* **manipulation** (one voter; Jackpot paper, appendix A.2, "Strategic voting paradox"; Gibbard
  1973, Satterthwaite 1975): no single voter gets an outcome they prefer by reporting a ranking other
  than their own. The check tries, for one voter of each ranking (a ranking whose weight is not a
  whole number acts as one voter), every report: every ranking with or without ties for up to 4
  alternatives, every strict ranking for more (1,000 random (voter, report) pairs when there are more).
* **coalition manipulation**: no group of voters who share a ranking (2 or more of them, up to all)
  gets an outcome they all prefer by reporting the same other ranking. Groups of voters with
  different rankings are not tried, so a pass says nothing about them.

"Prefer" is the comparison of :mod:`.base`: the voter's own ranking of the winners (a tie read as an
even chance); for a lottery, the pairwise-comparison preference of the Jackpot paper's appendix
A.3.1 (Brandt 2017 calls a rule that resists it PC-strategyproof). By the Gibbard-Satterthwaite
theorem every rule that is not a dictatorship and can elect any of three or more alternatives can be
manipulated on *some* population; the check says whether it can on *this* one.
"""

from __future__ import annotations

import numpy as np

from ..papers import Reference
from ..populations.base import RANKINGS
from ..populations.profile import Profile
from .base import FAIL, GAIN_TOLERANCE, NOT_APPLICABLE, PASS, SEED, Context, Property, sentence, max_variations
from .electorate import better_text
from .variations import Reports, Space, change, count_of, counts_axis, ranking_text, scope_text, voters_text, whole

ONLY_RANKINGS = (
    "it lets voters report another ranking, which only a population of rankings has; user types, "
    "comparison tables and preference matrices do not record each voter's ranking"
)


def _rows(ctx: Context) -> Profile:
    return ctx.memo("rows", lambda: ctx.population.compressed())


def _space(profile: Profile, minimum: int) -> Space:
    reports = Reports(len(profile.alternatives))
    if minimum == 1:

        def build(i, report):
            w = profile.weights[i]
            s = 1 if whole(w) else float(w)
            if tuple(profile.levels[i].tolist()) == tuple(report):
                return None
            return i, s, np.asarray(report)

        return Space([range(profile.n_rankings), reports], build)
    counts, complete = counts_axis(profile.weights, minimum)

    def build(i, c, report):
        s = count_of(profile.weights[i], c, minimum)
        if s is None or tuple(profile.levels[i].tolist()) == tuple(report):
            return None
        return i, s, np.asarray(report)

    return Space([range(profile.n_rankings), counts, reports], build, complete)


def _plan(minimum: int):
    def plan(population) -> int:
        if population.kind != RANKINGS:
            return 0
        return min(_space(population.compressed(), minimum).size, max_variations(population))

    return plan


def _check(ctx: Context, axiom: str, minimum: int):
    profile, name, out = _rows(ctx), ctx.name, ctx.out
    names = profile.alternatives
    if minimum > 1 and not all(whole(w) for w in profile.weights):
        return ctx.result(
            axiom,
            NOT_APPLICABLE,
            "the weights are not whole numbers of voters, so a group of several voters is not defined "
            "(the one-voter check treats each ranking's weight as one voter)",
        )
    if minimum > 1 and profile.weights.max() < minimum:
        return ctx.result(
            axiom,
            NOT_APPLICABLE,
            "no two voters share a ranking, so there is no group of like-minded voters (the one-voter "
            "check covers each voter alone)",
        )
    space = _space(profile, minimum)
    reports = Reports(len(names))
    tried = 0
    what = "misreport" if minimum == 1 else "group misreport"
    for i, s, report in space.explore(max_variations(ctx.population), SEED):
        lied = change(profile, i, s, report)
        after = ctx.compute(lied)
        tried += 1
        row = profile.levels[i]
        margin = ctx.gain(row, names, out, after)
        if margin > GAIN_TOLERANCE:
            sincere = ranking_text(row, names)
            who = voters_text(s, profile.weights[i], sincere)
            verb = "gains" if whole(s) and int(s) == 1 else "gain"
            return ctx.result(
                axiom,
                FAIL,
                f"{name} picks {ctx.picks(out)}. {sentence(who)} {verb} by reporting "
                f"{ranking_text(report, names)} instead: "
                f"{better_text(ctx, row, names, out, after, margin)}.",
                {
                    "ranking": sincere,
                    "report": ranking_text(report, names),
                    "voters": float(s),
                    "before": out,
                    "after": after,
                    "gain": margin,
                    "population": lied,
                },
                tried=tried,
                exhaustive=False,
                scope=scope_text(space, tried, max_variations(ctx.population), what),
            )
    exhaustive = space.exhaustive(max_variations(ctx.population))
    who = "No voter" if minimum == 1 else "No group of voters sharing a ranking"
    return ctx.result(
        axiom,
        PASS,
        f"{who} gets an outcome they prefer by reporting another ranking ({reports.words} tried"
        f"{'' if exhaustive else f', {tried:,} (voter, report) pairs drawn at random'}).",
        tried=tried,
        exhaustive=exhaustive,
        scope=scope_text(space, tried, max_variations(ctx.population), what) + f"; reports: {reports.words}",
    )


def check_manipulation(ctx: Context):
    return _check(ctx, "manipulation", 1)


def check_coalition_manipulation(ctx: Context):
    return _check(ctx, "coalition_manipulation", 2)


# ============================================================================ registry entries
_STRATEGIC = Reference("jackpot", "appendix A.2 (Strategic voting paradox)")
_PC = (
    Reference("jackpot", "appendix A.3.1 (preferences over lotteries)"),
    Reference("rolling_dice"),
    Reference("gibbard"),
)
ENTRIES = [
    Property(
        "manipulation",
        "Strategyproofness (one voter)",
        "Manipulation (1 voter)",
        "No voter gets a winner they prefer by reporting a ranking other than their own.",
        "No voter gets a lottery they prefer (pairwise-comparison preference) by misreporting.",
        "strategy",
        (_STRATEGIC, Reference("gibbard_1973"), Reference("satterthwaite")),
        _PC,
        "one voter of each ranking reporting every ranking (with or without ties up to 4 alternatives, strict "
        "above; 1,000 random (voter, report) pairs when there are more)",
        check_manipulation,
        plan=_plan(1),
        needs=(RANKINGS,),
        refusal=ONLY_RANKINGS,
    ),
    Property(
        "coalition_manipulation",
        "Strategyproofness (a group)",
        "Manipulation (group)",
        "No group of voters who share a ranking all gain by reporting the same other ranking.",
        "No group of voters who share a ranking all get a lottery they prefer by reporting the same other ranking.",
        "strategy",
        (_STRATEGIC, Reference("gibbard_1973")),
        _PC,
        "every number (2 or more) of the voters sharing a ranking reporting every other ranking (1,000 random "
        "ones when there are more); groups of voters with different rankings are not tried",
        check_coalition_manipulation,
        plan=_plan(2),
        needs=(RANKINGS,),
        refusal=ONLY_RANKINGS,
    ),
]
