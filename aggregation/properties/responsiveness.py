"""Responsiveness: monotonicity and later-no-harm.

* **monotonicity** (Jackpot paper, appendix A.2: "whenever x is elected ..., x keeps being elected
  if some voters increase their support for x (i.e. x moves higher up in their ranking) keeping
  everything else constant"; Smith 1973; Felsenthal 2011). The check takes each winner x (for a
  lottery, each alternative it uses), each ranking that does not already put x alone on top, each
  higher place for x in it (just above, or tied with, each tie group above x, and just above the
  others of its own tie group) and every number of the voters with that ranking (1, 2, ..., all),
  and moves x up in their rankings, the order of the others unchanged. Winner version: x still wins;
  probabilistic (read for lotteries the way the appendix's sentence reads for a winner): x's
  probability does not fall.
* **later-no-harm** (Woodall 1997): listing a later preference cannot harm an alternative already
  listed. A ranking is compared with its truncation after its first t tie groups (the rest left
  unranked, which the core reads as tied last: the convention for incomplete rankings in
  :mod:`aggregation.populations.profile`): if some of its voters had submitted the truncation and x
  (listed in it) would then win, x must still win when they list the rest. Probabilistic (the same
  reading for lotteries): listing the rest does not lower the probability of an alternative already
  listed.
"""

from __future__ import annotations

import numpy as np

from ..papers import Reference
from ..outcome import PROBABILITY_TOLERANCE, support
from ..populations.base import RANKINGS
from ..populations.profile import Profile
from .base import FAIL, PASS, SEED, Context, Property, names_text, prob, max_variations
from .variations import Space, change, count_of, counts_axis, ranking_text, scope_text, voters_text, whole


ONLY_RANKINGS = (
    "it changes some voters' rankings, which only a population of rankings has; user types, comparison "
    "tables and preference matrices do not record each voter's ranking"
)


def _rows(ctx: Context) -> Profile:
    return ctx.memo("rows", lambda: ctx.population.compressed())


def dense(levels) -> np.ndarray:
    """Levels renumbered 0, 1, 2, ... keeping order and ties."""
    _, inverse = np.unique(np.asarray(levels, dtype=float), return_inverse=True)
    return inverse.astype(np.int64).reshape(-1)


def lifted(row: np.ndarray, j: int, slot: int) -> np.ndarray | None:
    """Row ``row`` with alternative ``j`` raised: slot 2t puts it just above tie group t, slot 2t+1
    ties it with group t, for groups t above its own; slot 2L (its own group L) puts it just above
    the others of its group. None when the slot is not a raise."""
    level = int(row[j])
    t, join = divmod(slot, 2)
    new = row.astype(float).copy()
    if t < level:
        new[j] = t if join else t - 0.5
    elif t == level and not join and int((row == level).sum()) > 1:
        new[j] = level - 0.5
    else:
        return None
    return dense(new)


# ============================================================================ monotonicity
def _monotonicity_space(profile: Profile, targets: list[str]) -> Space:
    names = profile.alternatives
    m = len(names)
    counts, complete = counts_axis(profile.weights)

    def build(x, i, slot, c):
        row = profile.levels[i]
        new = lifted(row, names.index(x), slot)
        s = count_of(profile.weights[i], c)
        if new is None or s is None:
            return None
        return x, i, new, s

    return Space([targets, range(profile.n_rankings), range(2 * m), counts], build, complete)


def _monotonicity_plan(population) -> int:
    if population.kind != RANKINGS:
        return 0
    profile = population.compressed()
    return min(_monotonicity_space(profile, profile.alternatives).size, max_variations(population))


def check_monotonicity(ctx: Context):
    profile, name, out = _rows(ctx), ctx.name, ctx.out
    names = profile.alternatives
    targets = support(out) if ctx.probabilistic else ctx.winners(out)
    space = _monotonicity_space(profile, targets)
    tried = 0
    for x, i, new, s in space.explore(max_variations(ctx.population), SEED):
        raised = change(profile, i, s, new)
        after = ctx.compute(raised)
        tried += 1
        if ctx.probabilistic:
            harmed = float(after[x]) < float(out[x]) - PROBABILITY_TOLERANCE
            result = f"{x}'s probability falls from {prob(out[x])} to {prob(after[x])}"
        else:
            harmed = x not in ctx.winners(after)
            result = f"{x} no longer wins: {name} picks {names_text(ctx.winners(after))}"
        if harmed:
            old = ranking_text(profile.levels[i], names)
            who = voters_text(s, profile.weights[i], old)
            verb = "raises" if whole(s) and int(s) == 1 else "raise"
            return ctx.result(
                "monotonicity",
                FAIL,
                f"{name} picks {ctx.picks(out)}. If {who} {verb} {x} ({old} becomes "
                f"{ranking_text(new, names)}), nothing else changing, {result}.",
                {
                    "alternative": x,
                    "ranking": old,
                    "raised": ranking_text(new, names),
                    "voters": float(s),
                    "before": out,
                    "after": after,
                    "population": raised,
                },
                tried=tried,
                exhaustive=False,
                scope=scope_text(space, tried, max_variations(ctx.population), "raise"),
            )
    exhaustive = space.exhaustive(max_variations(ctx.population))
    whom = f"an alternative {name} uses" if ctx.probabilistic else f"the winner ({names_text(ctx.winners(out))})"
    effect = "lowers its probability" if ctx.probabilistic else "makes it lose"
    return ctx.result(
        "monotonicity",
        PASS,
        f"Raising {whom} in some voters' rankings never {effect} "
        f"({'every raise tried' if exhaustive else f'{tried:,} raises tried'}).",
        tried=tried,
        exhaustive=exhaustive,
        scope=scope_text(space, tried, max_variations(ctx.population), "raise of a winner by some voters"),
    )


# ============================================================================ later-no-harm
def truncated(row: np.ndarray, t: int) -> np.ndarray | None:
    """The ranking cut after its first ``t`` tie groups (the rest tied last); None when nothing is cut."""
    groups = int(row.max()) + 1
    if not 1 <= t <= groups - 2:
        return None
    return np.minimum(row, t)


def _later_space(profile: Profile) -> Space:
    m = len(profile.alternatives)
    counts, complete = counts_axis(profile.weights)

    def build(i, t, c):
        cut = truncated(profile.levels[i], t)
        s = count_of(profile.weights[i], c)
        if cut is None or s is None:
            return None
        return i, t, cut, s

    return Space([range(profile.n_rankings), range(1, max(m - 1, 1)), counts], build, complete)


def _later_plan(population) -> int:
    if population.kind != RANKINGS:
        return 0
    return min(_later_space(population.compressed()).size, max_variations(population))


def check_later_no_harm(ctx: Context):
    profile, name, out = _rows(ctx), ctx.name, ctx.out
    names = profile.alternatives
    space = _later_space(profile)
    tried = 0
    for i, t, cut, s in space.explore(max_variations(ctx.population), SEED):
        shorter = change(profile, i, s, cut)
        before = ctx.compute(shorter)
        tried += 1
        row = profile.levels[i]
        listed = [names[j] for j in np.flatnonzero(row < t)]
        if ctx.probabilistic:
            harmed = [x for x in listed if float(out[x]) < float(before[x]) - PROBABILITY_TOLERANCE]
        else:
            harmed = [x for x in listed if x in ctx.winners(before) and x not in ctx.winners(out)]
        if harmed:
            x = harmed[0]
            full = ranking_text(row, names)
            who = voters_text(s, profile.weights[i], full)
            rest = [names[j] for j in np.flatnonzero(row >= t)]
            if ctx.probabilistic:
                effect = f"{x}'s probability falls from {prob(before[x])} to {prob(out[x])}"
                would = f"{name} would give {x} probability {prob(before[x])}"
            else:
                effect = f"{name} picks {names_text(ctx.winners(out))} instead"
                would = f"{name} would pick {names_text(ctx.winners(before))}"
            kept = ranking_text(row[row < t], listed)
            return ctx.result(
                "later_no_harm",
                FAIL,
                f"If {who} had listed only {kept} "
                f"(leaving {', '.join(rest)} unranked, tied last), {would}. Listing the rest of their "
                f"ranking harms {x}, whom they had listed: {effect}.",
                {
                    "alternative": x,
                    "ranking": full,
                    "truncated": ranking_text(cut, names),
                    "voters": float(s),
                    "before": before,
                    "after": out,
                    "population": shorter,
                },
                tried=tried,
                exhaustive=False,
            )
    exhaustive = space.exhaustive(max_variations(ctx.population))
    return ctx.result(
        "later_no_harm",
        PASS,
        f"Listing later preferences never harms an alternative already listed "
        f"({'every truncation tried' if exhaustive else f'{tried:,} truncations tried'}).",
        tried=tried,
        exhaustive=exhaustive,
        scope=scope_text(space, tried, max_variations(ctx.population), "truncation of some voters' rankings"),
    )


# ============================================================================ registry entries
ENTRIES = [
    Property(
        "monotonicity",
        "Monotonicity",
        "Monotonicity",
        "If some voters raise a winner x in their rankings, nothing else changing, x still wins.",
        "If some voters raise x in their rankings, nothing else changing, x's probability does not fall.",
        "responsiveness",
        (Reference("jackpot", "appendix A.2 (Monotonicity)"), Reference("smith"), Reference("felsenthal")),
        (Reference("jackpot", "appendix A.2 (Monotonicity), read for lotteries"),),
        "every winner raised to every higher place by every number of the voters sharing a ranking (1,000 "
        "random raises when there are more)",
        check_monotonicity,
        plan=_monotonicity_plan,
        needs=(RANKINGS,),
        refusal=ONLY_RANKINGS,
    ),
    Property(
        "later_no_harm",
        "Later-no-harm",
        "Later-no-harm",
        "Listing later preferences cannot make an alternative already listed lose.",
        "Listing later preferences cannot lower the probability of an alternative already listed.",
        "responsiveness",
        (Reference("woodall"),),
        (Reference("woodall", "read for lotteries"),),
        "every truncation of every ranking by every number of its voters (1,000 random ones when there are more)",
        check_later_no_harm,
        plan=_later_plan,
        needs=(RANKINGS,),
        refusal=ONLY_RANKINGS,
        min_alternatives=3,
    ),
]
