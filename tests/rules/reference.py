"""Slow, obviously-correct references for the scoring and elimination rules: exact fractions, one
ballot at a time, straight from each rule's definition (no incremental tallies, no vectorisation).

A ballot is ``(weight, groups)``: tie groups best first, every alternative listed. Ties inside a
ballot follow the core's convention (aggregation/rules/ballots.py): a tie group is the uniform
mixture of its orderings. For positional scores this reference *enumerates every ordering* of the
ballot and averages, rather than averaging the points of the places a group spans (the formula the
core uses), so the two check each other.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction


def ballots_of(profile) -> list[tuple[Fraction, list[list[str]]]]:
    return [(Fraction(float(w)), [list(g) for g in groups]) for w, groups in zip(profile.weights, profile.rankings)]


def linearizations(groups):
    """Every strict ordering consistent with the weak order (each group in every order)."""
    for parts in itertools.product(*[itertools.permutations(g) for g in groups]):
        yield [a for part in parts for a in part]


def positional_scores(ballots, alternatives, points) -> dict[str, Fraction]:
    """Points by place, each ballot averaged over its linearizations."""
    score = dict.fromkeys(alternatives, Fraction(0))
    for w, groups in ballots:
        orders = list(linearizations(groups))
        for order in orders:
            for place, a in enumerate(order):
                score[a] += w * Fraction(points[place]) / len(orders)
    return score


def top_r_counts(ballots, alternatives, r) -> dict[str, Fraction]:
    return positional_scores(ballots, alternatives, [1] * r + [0] * (len(alternatives) - r))


def bucklin(ballots, alternatives, simplified=False) -> list[str]:
    W = sum(w for w, _ in ballots)
    for r in range(1, len(alternatives) + 1):
        counts = top_r_counts(ballots, alternatives, r)
        over = [a for a in alternatives if counts[a] > W / 2]
        if over:
            if simplified:
                return sorted(over)
            best = max(counts.values())
            return sorted(a for a in alternatives if counts[a] == best)
    raise AssertionError("round m always has a majority")


def restricted(groups, remaining):
    out = [[a for a in g if a in remaining] for g in groups]
    return [g for g in out if g]


def first_places(ballots, remaining) -> dict[str, Fraction]:
    tally = dict.fromkeys(remaining, Fraction(0))
    for w, groups in ballots:
        top = restricted(groups, remaining)[0]
        for a in top:
            tally[a] += w / len(top)
    return tally


def last_places(ballots, remaining) -> dict[str, Fraction]:
    tally = dict.fromkeys(remaining, Fraction(0))
    for w, groups in ballots:
        bottom = restricted(groups, remaining)[-1]
        for a in bottom:
            tally[a] += w / len(bottom)
    return tally


def margin(ballots, a, b) -> Fraction:
    """Weight preferring a to b minus weight preferring b to a."""
    total = Fraction(0)
    for w, groups in ballots:
        level = {x: i for i, g in enumerate(groups) for x in g}
        total += w * ((level[a] < level[b]) - (level[a] > level[b]))
    return total


def borda_among(ballots, remaining) -> dict[str, Fraction]:
    """Borda over the remaining alternatives: strictly-below count plus half the tied others, per ballot."""
    score = dict.fromkeys(remaining, Fraction(0))
    for w, groups in ballots:
        groups = restricted(groups, remaining)
        below = len(remaining)
        for g in groups:
            below -= len(g)
            for a in g:
                score[a] += w * (below + Fraction(len(g) - 1, 2))
    return score


def majority_holder(ballots, remaining):
    W = sum(w for w, _ in ballots)
    tally = first_places(ballots, remaining)
    over = [a for a in remaining if tally[a] > W / 2]
    return over[0] if over else None


def instant_runoff(ballots, alternatives) -> list[str]:
    remaining = list(alternatives)
    while True:
        holder = majority_holder(ballots, remaining)
        if holder is not None:
            return [holder]
        tally = first_places(ballots, remaining)
        low = min(tally.values())
        gone = [a for a in remaining if tally[a] == low]
        if len(gone) == len(remaining):
            return sorted(gone)
        remaining = [a for a in remaining if a not in gone]


def instant_runoff_order(ballots, alternatives) -> list[list[str]]:
    """Tie groups best first: the reverse elimination order, run to the end (no majority stop)."""
    remaining, order = list(alternatives), []
    while True:
        tally = first_places(ballots, remaining)
        low = min(tally.values())
        gone = sorted(a for a in remaining if tally[a] == low)
        order.append(gone)
        if len(gone) == len(remaining):
            return order[::-1]
        remaining = [a for a in remaining if a not in gone]


def instant_runoff_put(ballots, alternatives) -> list[str]:
    """Every elimination order of one tied-lowest alternative at a time (no shortcuts but the majority)."""

    def run(remaining):
        if len(remaining) == 1:
            return set(remaining)
        holder = majority_holder(ballots, remaining)
        if holder is not None:
            return {holder}
        tally = first_places(ballots, remaining)
        low = min(tally.values())
        out = set()
        for a in remaining:
            if tally[a] == low:
                out |= run(tuple(x for x in remaining if x != a))
        return out

    return sorted(run(tuple(alternatives)))


def plurality_with_runoff(ballots, alternatives) -> list[str]:
    if len(alternatives) == 1:
        return list(alternatives)
    tally = first_places(ballots, alternatives)
    best = max(tally.values())
    first = [a for a in alternatives if tally[a] == best]
    if len(first) > 1:
        pairs = list(itertools.combinations(first, 2))
    else:
        second_score = max(v for a, v in tally.items() if a not in first)
        pairs = [(first[0], b) for b in alternatives if b not in first and tally[b] == second_score]
    winners = set()
    for a, b in pairs:
        d = margin(ballots, a, b)
        winners |= {a} if d > 0 else {b} if d < 0 else {a, b}
    return sorted(winners)


def coombs(ballots, alternatives) -> list[str]:
    remaining = list(alternatives)
    while True:
        holder = majority_holder(ballots, remaining)
        if holder is not None:
            return [holder]
        tally = last_places(ballots, remaining)
        most = max(tally.values())
        gone = [a for a in remaining if tally[a] == most]
        if len(gone) == len(remaining):
            return sorted(gone)
        remaining = [a for a in remaining if a not in gone]


def borda_elimination(ballots, alternatives, which) -> list[str]:
    remaining = list(alternatives)
    while len(remaining) > 1:
        score = borda_among(ballots, remaining)
        average = sum(score.values()) / len(remaining)
        if which == "baldwin":
            gone = [a for a in remaining if score[a] == min(score.values())]
        elif which == "nanson":
            gone = [a for a in remaining if score[a] < average]
        else:
            gone = [a for a in remaining if score[a] <= average]
        if not gone or len(gone) == len(remaining):
            return sorted(remaining)
        remaining = [a for a in remaining if a not in gone]
    return remaining


def condorcet_winner(ballots, remaining):
    for a in remaining:
        if all(margin(ballots, a, b) > 0 for b in remaining if b != a):
            return a
    return None


def benham(ballots, alternatives) -> list[str]:
    remaining = list(alternatives)
    while True:
        cw = condorcet_winner(ballots, remaining)
        if cw is not None:
            return [cw]
        tally = first_places(ballots, remaining)
        low = min(tally.values())
        gone = [a for a in remaining if tally[a] == low]
        if len(gone) == len(remaining):
            return sorted(gone)
        remaining = [a for a in remaining if a not in gone]


def smith_set(ballots, remaining) -> list[str]:
    """The smallest non-empty subset whose members beat every outsider (by enumeration)."""
    for size in range(1, len(remaining) + 1):
        for subset in itertools.combinations(remaining, size):
            if all(margin(ballots, a, b) > 0 for a in subset for b in remaining if b not in subset):
                return list(subset)
    raise AssertionError


def schwartz_set(ballots, remaining) -> list[str]:
    """The union of the minimal subsets that no outsider beats (by enumeration)."""
    undominated = [
        set(s)
        for size in range(1, len(remaining) + 1)
        for s in itertools.combinations(remaining, size)
        if not any(margin(ballots, b, a) > 0 for a in s for b in remaining if b not in s)
    ]
    minimal = [s for s in undominated if not any(t < s for t in undominated)]
    return [a for a in remaining if any(a in s for s in minimal)]


def tideman(ballots, alternatives, which) -> list[str]:
    top_set = smith_set if which == "smith" else schwartz_set
    remaining = list(alternatives)
    while True:
        remaining = top_set(ballots, remaining)
        if len(remaining) == 1:
            return remaining
        tally = first_places(ballots, remaining)
        low = min(tally.values())
        gone = [a for a in remaining if tally[a] == low]
        if len(gone) == len(remaining):
            return sorted(gone)
        remaining = [a for a in remaining if a not in gone]


def plackett_luce_probability(order, weights) -> float:
    """``prod_j w(y_j) / sum_{l >= j} w(y_l)`` for a strict order (names) and weights by name."""
    p = 1.0
    for j, a in enumerate(order):
        p *= weights[a] / math.fsum(weights[b] for b in order[j:])
    return p
