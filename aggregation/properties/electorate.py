"""A variable electorate: participation (the no-show paradox) and reinforcement (consistency across
two electorates).

* **participation** (Jackpot paper, appendix A.2, "No show paradox"; Fishburn & Brams 1983;
  Moulin 1988): voters never gain by staying home. The check lets every number of the voters who
  share a ranking stay home (1, 2, ..., all of them; a ranking whose weight is not a whole number
  stays home as one group) and asks whether they prefer the outcome without them (the comparison
  of :mod:`.base`: their ranking of the winners, a tie read as an even chance; for a lottery the
  pairwise-comparison preference of the Jackpot paper's appendix A.3.1, under which Brandl, Brandt
  & Hofbauer 2019 prove that maximal lotteries satisfy participation, as the Jackpot paper recalls
  in section 5.2). A group of one voter is the classic single-voter version.
* **reinforcement** (Young 1975; Smith 1973; for lotteries Brandl, Brandt & Seedig 2016, cited in
  the Jackpot paper, section 5.2): when the voters are split into two groups and both groups have a
  winner in common, the whole electorate's winners are exactly the winners both groups share
  (probabilistic: when both groups get the same lottery, so does the whole). The check splits every
  ranking's voters between the two groups in every way (each of the w voters of a ranking may go to
  either group; a weight that is not a whole number goes whole), each split counted once. Above
  :data:`BLOCK_SPLIT_ROWS` distinct rankings it tries up to :data:`BLOCK_SPLITS` splits of whole blocks of
  rankings instead (as many as the other checks try variations, :func:`~.base.max_variations`: 40 at 100,000
  rankings over 50 alternatives; :class:`BlockSplits`: each block's pairwise and position counts computed once,
  each group's summed from them, so a rule that reads only P or the positions costs O(m^2) per group; 100,000
  rankings over 50 alternatives: about a second against 40 minutes, bench/bench_reinforcement.py).
"""

from __future__ import annotations

import itertools
import math
import random

import numpy as np

from ..papers import Reference
from ..populations.base import RANKINGS
from ..populations.profile import Profile
from .base import FAIL, GAIN_TOLERANCE, PASS, SEED, Context, Property, gain_text, join, names_text, max_variations
from .variations import (
    HUGE,
    Space,
    change,
    count_of,
    counts_axis,
    profile_text,
    ranking_text,
    reweighted,
    scope_text,
    voters_text,
    whole,
)

ONLY_RANKINGS = (
    "it needs voters who can stay home or be split into groups, which only rankings with weights "
    "have; user types, comparison tables and preference matrices describe shares, not voters"
)


def _rows(ctx: Context) -> Profile:
    return ctx.memo("rows", lambda: ctx.population.compressed())


def better_text(ctx: Context, levels_row, names, before, after, margin: float) -> str:
    """Why a group prefers ``after`` to ``before``, in words."""
    if ctx.probabilistic:
        return f"{ctx.name}'s lottery goes from {ctx.picks(before)} to {ctx.picks(after)}; {gain_text(margin)}"
    w0, w1 = ctx.winners(before), ctx.winners(after)
    if len(w0) == 1 and len(w1) == 1:
        return f"{w1[0]} wins instead of {w0[0]}, whom they rank lower"
    return (
        f"{names_text(w1)} {'win' if len(w1) > 1 else 'wins'} instead of {names_text(w0)}; reading a tie as an "
        f"even chance, {gain_text(margin)}"
    )


# ============================================================================ participation
def _participation_space(profile: Profile) -> Space:
    counts, complete = counts_axis(profile.weights)
    total = profile.total_weight

    def build(i, c):
        s = count_of(profile.weights[i], c)
        if s is None or s >= total - 1e-12:
            return None
        return i, s

    return Space([range(profile.n_rankings), counts], build, complete)


def _participation_plan(population) -> int:
    if population.kind != RANKINGS:
        return 0
    return min(_participation_space(population.compressed()).size, max_variations(population))


def check_participation(ctx: Context):
    profile, name, out = _rows(ctx), ctx.name, ctx.out
    names = profile.alternatives
    space = _participation_space(profile)
    tried = 0
    for i, s in space.explore(max_variations(ctx.population), SEED):
        without = change(profile, i, s)
        after = ctx.compute(without)
        tried += 1
        row = profile.levels[i]
        margin = ctx.gain(row, names, out, after)
        if margin > GAIN_TOLERANCE:
            who = voters_text(s, profile.weights[i], ranking_text(row, names))
            verb = "stays" if whole(s) and int(s) == 1 else "stay"
            return ctx.result(
                "participation",
                FAIL,
                f"With everybody voting, {name} picks {ctx.picks(out)}. If {who} {verb} home, "
                f"{better_text(ctx, row, names, out, after, margin)}: they gain by not voting.",
                {
                    "ranking": ranking_text(row, names),
                    "abstainers": float(s),
                    "before": out,
                    "after": after,
                    "gain": margin,
                    "population": without,
                },
                tried=tried,
                exhaustive=False,
                scope=scope_text(space, tried, max_variations(ctx.population), "group of abstainers"),
            )
    exhaustive = space.exhaustive(max_variations(ctx.population))
    return ctx.result(
        "participation",
        PASS,
        f"No group of voters sharing a ranking gets an outcome they prefer by staying home "
        f"({'every such group tried' if exhaustive else f'{tried:,} groups tried'}).",
        tried=tried,
        exhaustive=exhaustive,
        scope=scope_text(space, tried, max_variations(ctx.population), "group of abstainers sharing a ranking"),
    )


# ============================================================================ reinforcement
class Splits:
    """Every way to split each ranking's voters between two groups: a tuple with, per ranking, the
    weight that goes to the first group (0..w for a whole weight w; 0 or w otherwise)."""

    def __init__(self, weights: np.ndarray):
        self.weights = np.asarray(weights, dtype=float)
        self.options = [range(int(w) + 1) if whole(w) else (0.0, float(w)) for w in self.weights]
        sizes = [len(o) for o in self.options]
        self.count = math.prod(sizes) if sum(math.log10(s) for s in sizes) < 100 else HUGE

    def __iter__(self):
        return itertools.product(*self.options)

    def sample(self, rnd: random.Random):
        return tuple(o[rnd.randrange(len(o))] for o in self.options)


def _reinforcement_space(profile: Profile) -> Space:
    w = profile.weights.astype(float)
    total = float(w.sum())

    def build(split):
        first = np.asarray(split, dtype=float)
        second = w - first
        if first.sum() <= 1e-12 or second.sum() <= 1e-12:
            return None
        if tuple(first) > tuple(second):  # the same split with the groups swapped
            return None
        return first, second

    return Space([Splits(w)], build) if total > 0 else Space([], build)


#: Above this many distinct rankings, reinforcement splits whole blocks of rankings (:class:`BlockSplits`) ...
BLOCK_SPLIT_ROWS = 2_000
#: ... of this many fixed blocks ...
SPLIT_BLOCKS = 32
#: ... and tries this many splits.
BLOCK_SPLITS = 100


class BlockSplits:
    """Splits of a large profile (more than :data:`BLOCK_SPLIT_ROWS` distinct rankings) that keep each of
    :data:`SPLIT_BLOCKS` blocks of rankings whole: the rankings are dealt into the blocks by a seeded random
    permutation, each block's pairwise and position counts are computed once (one pass over the voters, O(n m^2)
    in all), and a split puts every block in one of the two groups, so each group's counts are a sum of blocks
    (O(blocks m^2)) and each group is a variation that builds its rankings only if the rule reads them
    (:meth:`Profile.with_weights`). A rule that reads only P (Borda, the maximal lottery, RLHF) or the positions
    (Dowdall, Bucklin) then costs O(m^2) per group instead of O(n m^2). Up to ``splits`` distinct splits are
    drawn (block 0 always in the first group, so each split is drawn once); every one is exact, but they are a
    bounded sample of the splits of whole blocks, not of every split of the voters, and the check says so."""

    def __init__(self, profile: Profile, splits: int = BLOCK_SPLITS):
        self.profile, self.splits = profile, splits
        self.weights = profile.weights.astype(float)
        rng = np.random.default_rng(SEED)
        self.block = rng.permutation(profile.n_rankings) % SPLIT_BLOCKS
        blocks = [profile.with_weights(np.where(self.block == j, self.weights, 0.0)) for j in range(SPLIT_BLOCKS)]
        self.above = np.stack([b.above_counts() for b in blocks])
        self.positions = np.stack([b.position_counts() for b in blocks])

    def __iter__(self):
        """(first group, second group) profiles, up to ``splits`` of them, always the same."""
        rng = np.random.default_rng(SEED + 1)
        seen: set = set()
        for _ in range(20 * self.splits):
            if len(seen) >= self.splits:
                break
            pick = rng.random(SPLIT_BLOCKS) < 0.5
            pick[0] = True
            if pick.all() or pick.tobytes() in seen:
                continue
            seen.add(pick.tobytes())
            first = np.where(pick[self.block], self.weights, 0.0)
            yield (
                reweighted(self.profile, first, self.above[pick].sum(axis=0), self.positions[pick].sum(axis=0)),
                reweighted(
                    self.profile, self.weights - first, self.above[~pick].sum(axis=0), self.positions[~pick].sum(axis=0)
                ),
            )

    def scope(self, tried: int) -> str:
        per = self.profile.n_rankings / SPLIT_BLOCKS
        return (
            f"{tried:,} splits drawn at random (seed {SEED}) among those keeping each of {SPLIT_BLOCKS} fixed blocks "
            f"of about {per:,.0f} distinct rankings whole ({2 ** (SPLIT_BLOCKS - 1) - 1:,} such splits); a pass means "
            "no counterexample was found within these bounds"
        )


def _block_splits(population) -> int:
    """How many block splits: :data:`BLOCK_SPLITS`, fewer on a population so large that a check tries fewer
    variations (:func:`~.base.max_variations`: a split re-computes the rule on two groups that add up to
    the population, as one variation re-computes it once on all of it)."""
    return min(BLOCK_SPLITS, max_variations(population))


def _large(profile: Profile) -> bool:
    return profile.n_rankings > BLOCK_SPLIT_ROWS


def _reinforcement_plan(population) -> int:
    if population.kind != RANKINGS:
        return 0
    profile = population.compressed()
    if _large(profile):
        return 2 * _block_splits(population)
    return 2 * min(_reinforcement_space(profile).size, max_variations(population))


def _reinforcement_splits(ctx: Context):
    """(the splits as pairs of profiles, the scope in words given how many were tried, exhaustive?)."""
    profile = _rows(ctx)
    if _large(profile):
        blocks = ctx.memo("block splits", lambda: BlockSplits(profile, _block_splits(ctx.population)))
        return iter(blocks), lambda tried, what="split": blocks.scope(tried), False
    space = _reinforcement_space(profile)
    pairs = (
        (reweighted(profile, first), reweighted(profile, second))
        for first, second in space.explore(max_variations(ctx.population), SEED)
    )
    exhaustive = space.exhaustive(max_variations(ctx.population))
    return pairs, lambda tried, what="split": scope_text(space, tried, max_variations(ctx.population), what), exhaustive


def _reinforcement_probe(ctx: Context):
    """The first group of the first split, built as the check builds it (for large profiles after the blocks'
    counts, which the check then reuses): the time budget times the rule on it (:func:`.axioms.run`)."""
    pairs, _, _ = _reinforcement_splits(ctx)
    first = next(pairs, None)
    return None if first is None else first[0]


def check_reinforcement(ctx: Context):
    out, name = ctx.out, ctx.name
    pairs, scope, exhaustive = _reinforcement_splits(ctx)
    tried = 0
    whole_w = ctx.winners(out)
    for one, two in pairs:
        a, b = ctx.compute(one), ctx.compute(two, joint=True)
        tried += 1
        if ctx.probabilistic:
            if ctx.same(a, b) and not ctx.same(a, out):
                return ctx.result(
                    "reinforcement",
                    FAIL,
                    f"Split the voters into two groups, {_groups(one, two)}: {name} gives each group the same "
                    f"lottery ({ctx.picks(a)}), yet the whole electorate gets {ctx.picks(out)}.",
                    {"first": one, "second": two, "first_outcome": a, "second_outcome": b, "outcome": out},
                    tried=tried,
                    exhaustive=False,
                    scope=scope(tried),
                )
            continue
        wa, wb = ctx.winners(a), ctx.winners(b)
        shared = [x for x in wa if x in wb]
        if shared and set(shared) != set(whole_w):
            each = (
                f"{name} picks {names_text(wa)} in each group"
                if wa == wb
                else f"{name} picks {names_text(wa)} in the first group and {names_text(wb)} in the second, "
                f"so both pick {join(shared)}"
            )
            return ctx.result(
                "reinforcement",
                FAIL,
                f"Split the voters into two groups, {_groups(one, two)}: {each}, yet the whole electorate "
                f"gets {names_text(whole_w)}.",
                {
                    "first": one,
                    "second": two,
                    "first_winners": wa,
                    "second_winners": wb,
                    "winners": whole_w,
                    "outcome": out,
                },
                tried=tried,
                exhaustive=False,
                scope=scope(tried),
            )
    return ctx.result(
        "reinforcement",
        PASS,
        f"However the voters are split into two groups, whenever both groups' "
        f"{'lotteries agree' if ctx.probabilistic else 'winners overlap'}, the whole electorate gets "
        f"{'that lottery' if ctx.probabilistic else 'exactly the winners they share'} "
        f"({'every split tried' if exhaustive else f'{tried:,} splits tried'}).",
        tried=tried,
        exhaustive=exhaustive,
        scope=scope(tried, "split of the voters into two groups"),
    )


def _groups(one: Profile, two: Profile) -> str:
    """The two groups in words (only for a counterexample: it reads the rankings)."""
    return f"{{{profile_text(one)}}} and {{{profile_text(two)}}}"


# ============================================================================ registry entries
ENTRIES = [
    Property(
        "participation",
        "Participation (no-show paradox)",
        "Participation",
        "Voters never get a winner they prefer by staying home (any number of voters who share a ranking).",
        "Voters never get a lottery they prefer (pairwise-comparison preference) by staying home.",
        "variable electorate",
        (Reference("jackpot", "appendix A.2 (No show paradox)"), Reference("fishburn_brams"), Reference("moulin")),
        (
            Reference("jackpot", "appendix A.3.1 (preferences over lotteries) and section 5.2"),
            Reference("participation"),
        ),
        "every number of the voters sharing a ranking staying home (counts spread from 1 to all above 200 "
        "voters; 1,000 random groups when there are more)",
        check_participation,
        plan=_participation_plan,
        needs=(RANKINGS,),
        refusal=ONLY_RANKINGS,
    ),
    Property(
        "reinforcement",
        "Reinforcement (consistency)",
        "Reinforcement",
        "If two groups of voters pick a winner in common, together they pick exactly the winners they share.",
        "If two groups of voters get the same lottery, together they get it too.",
        "variable electorate",
        (Reference("young_scoring"), Reference("smith")),
        (Reference("jackpot", "section 5.2"), Reference("maximal_lotteries")),
        "every split of the voters into two groups (each voter of a ranking to either group; 1,000 random "
        "splits when there are more; above 2,000 distinct rankings, 100 random splits of 32 fixed blocks of "
        "rankings, each block whole)",
        check_reinforcement,
        plan=_reinforcement_plan,
        probe=_reinforcement_probe,
        needs=(RANKINGS,),
        refusal=ONLY_RANKINGS,
    ),
]
