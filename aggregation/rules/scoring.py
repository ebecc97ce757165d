"""Scoring rules: Borda, plurality, anti-plurality (veto), Dowdall, Bucklin (and simplified Bucklin)
and positional scoring with any points by place. Every rule takes a population (see
:mod:`aggregation.populations.base`) and returns a Series indexed by alternative.

Borda reads only pairwise majorities, so it accepts any population; the others read each voter's
places, so they need rankings or user types (:attr:`~aggregation.populations.base.Population.has_full_rankings`).

A *positional scoring rule* (Maura-Rivero et al. 2025, section 2.2; Young 1975) gives ``w_p`` points to
the alternative a voter puts in place p, with ``w_1 >= w_2 >= ... >= w_m`` and ``w_1 > w_m``; the most
points wins. Ties inside a ballot follow one convention throughout (:mod:`.ballots`): a tie group read
as the uniform mixture of its orderings, so each of j tied alternatives gets the average of the points
of the j places the group spans (the core's Borda and plurality already read ties this way; a truncated
ballot's unranked alternatives share its last places). All of them are ``D @ w`` for the matrix ``D`` of
:meth:`~aggregation.populations.profile.Profile.position_counts` (weight by alternative and place),
computed in one pass over the voters and, for the property checks' variations, in closed form.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import AggregationError
from ..papers import Reference
from ..populations.base import RANKINGS, USER_TYPES, Population
from ..populations.matrix import as_population
from .ballots import (
    ballots,
    ballots_refusal,
    more_than_half,
    names_text,
    number_text,
    ordinal,
    top_names,
)
from .result import SCORES, SET
from .rule import ANY, DEFAULT_WEIGHTS, VOTERS, Rule, Step, score_vector

#: Why a rule that needs each voter's favourite refuses a comparison table or a preference matrix.
NEEDS_FAVOURITES = (
    "this rule needs each voter's favourite, so it needs rankings or user types, not only pairwise comparisons"
)


def borda(population: Population) -> pd.Series:
    """Borda scores m-1, ..., 0 (tied alternatives share the average of their positions),
    summed over voters with their weights. For a population with no voter weights (a
    comparison table or a matrix) the score is that of an average voter.

    Equals ``W * (sum_b P[a, b] - 1/2)``, so it needs only the preference matrix.
    """
    population = as_population(population)
    if population.kind == RANKINGS:  # exact for whole-number weights
        S = population.support_matrix()
        return pd.Series(
            S.sum(axis=1) - population.total_weight / 2.0, index=population.alternatives, name="Borda score"
        )
    P = population.preference_matrix()
    weight = population.total_weight if population.total_weight is not None else 1.0
    return pd.Series(weight * (P.to_numpy(float).sum(axis=1) - 0.5), index=list(P.index), name="Borda score")


def favourites(population: Population, *, unique: bool = False) -> pd.Series:
    """Share of the weight whose favourite each alternative is (``unique``: first and alone), for
    populations whose voters' orders are known; refused, with the reason, otherwise."""
    population = as_population(population)
    if not population.has_full_rankings:
        raise AggregationError(NEEDS_FAVOURITES)
    return population.unique_first_shares() if unique else population.first_place_distribution()


def plurality(population: Population) -> pd.Series:
    """Weight of voters ranking each alternative first (a tie at the top splits the weight);
    for user types, the expected number of first choices under Plackett-Luce."""
    population = as_population(population)
    return (favourites(population) * population.total_weight).rename("plurality score")


def points_for(weights, m: int) -> np.ndarray:
    """The score vector over m places: ``weights`` (checked by :func:`~.rule.score_vector`) cut to m
    places, or followed by 0s up to m."""
    w = np.asarray(score_vector(weights), dtype=float)[:m]
    return np.concatenate([w, np.zeros(m - len(w))])


def positional(population: Population, weights=DEFAULT_WEIGHTS) -> pd.Series:
    """Positional scoring rule with points ``weights`` for a voter's 1st, 2nd, ... place (0 beyond the
    list; cut to the number of alternatives): every voter gives those points, a tie group of j
    alternatives giving each the average of the j places it spans; the most points wins
    (Maura-Rivero et al. 2025, section 2.2). For user types, the expectation under Plackett-Luce."""
    profile = ballots(population)
    w = points_for(weights, len(profile.alternatives))
    return pd.Series(profile.position_counts() @ w, index=profile.alternatives, name="positional score")


def anti_plurality(population: Population) -> pd.Series:
    """Anti-plurality (veto): each voter vetoes its last place (a bottom tie of j alternatives splits the
    veto, 1/j each); an alternative scores the weight that does not veto it, i.e. the positional rule
    with points ``(1, ..., 1, 0)``. For user types, the expected weight under Plackett-Luce."""
    profile = ballots(population)
    D = profile.position_counts()
    return pd.Series(profile.total_weight - D[:, -1], index=profile.alternatives, name="anti-plurality score")


def dowdall(population: Population) -> pd.Series:
    """Dowdall (the Nauru rule): ``1/p`` points for place p, so 1, 1/2, 1/3, ... (Fraenkel & Grofman
    2014); a tie group shares the average of its places' points."""
    profile = ballots(population)
    m = len(profile.alternatives)
    return pd.Series(
        profile.position_counts() @ (1.0 / np.arange(1, m + 1)), index=profile.alternatives, name="Dowdall score"
    )


def bucklin_counts(population: Population) -> tuple[pd.DataFrame, int]:
    """Bucklin's rounds: ``F[a, r]`` (columns ``top 1, top 2, ...``), the weight of voters that put a in
    their top r places (a tie group straddling place r counts the share of it inside the top r), and
    the deciding round: the first r at which some alternative's count is more than half the total
    weight (a strict majority; it always happens by r = m, when every count is the total weight)."""
    profile = ballots(population)
    m = len(profile.alternatives)
    F = np.cumsum(profile.position_counts(), axis=1)
    F[:, -1] = profile.total_weight  # exactly (the cumulative sum rounds)
    r = next(r for r in range(m) if more_than_half(F[:, r], profile.total_weight).any())
    return pd.DataFrame(F, index=profile.alternatives, columns=[f"top {i}" for i in range(1, m + 1)]), r + 1


def bucklin(population: Population) -> pd.Series:
    """Bucklin: add voters' 2nd places to their 1st, then 3rd places, ..., until some alternative is in
    the top r places of more than half the weight; its score is that count, and the largest count at
    that round wins (as pref_voting's ``bucklin``; Erdelyi et al. 2015). Returns every alternative's count at
    the deciding round."""
    F, r = bucklin_counts(population)
    return F[f"top {r}"].rename("Bucklin score")


def simplified_bucklin(population: Population) -> pd.Series:
    """Simplified Bucklin: at the first round r at which some alternative is in the top r places of more
    than half the weight, *every* alternative that is wins (Erdelyi et al. 2015), whatever its count.
    A winner set: 1 for winners, 0 for the others."""
    profile = ballots(population)
    F, r = bucklin_counts(profile)
    won = more_than_half(F[f"top {r}"].to_numpy(), profile.total_weight)
    return pd.Series(won.astype(float), index=F.index, name="simplified Bucklin winner")


# ---------------------------------------------------------------------------- traces
def _positional_steps(population: Population, points: np.ndarray, name: str, scores: pd.Series) -> list[Step]:
    population = as_population(population)
    profile = ballots(population)
    m = len(profile.alternatives)
    table = pd.DataFrame(
        profile.position_counts(), index=profile.alternatives, columns=[ordinal(p) for p in range(1, m + 1)]
    )
    table.loc["points"] = points
    tie_note = (
        " A tie group of j alternatives spreads each member over the j places it spans (1/j each)."
        if profile.has_ties
        else ""
    )
    voters = (
        "the annotators (their Plackett-Luce rankings, expected weight)"
        if population.kind == USER_TYPES
        else f"the voters (total weight {number_text(profile.total_weight)})"
    )
    best = top_names(scores)
    return [
        Step(
            "Places",
            f"How much of {voters} puts each alternative in each place; the last row is the points "
            f"each place earns ({', '.join(number_text(p) for p in points)}).{tie_note}",
            table,
        ),
        Step(
            "Points",
            f"Each alternative's score is its weight in each place times that place's points, summed. "
            f"{name} picks {names_text(best)} ({number_text(scores.max())}).",
            scores.to_frame("score"),
            tuple(best),
        ),
    ]


def _positional_trace(population, params):
    profile = ballots(population)
    points = points_for(params.weights, len(profile.alternatives))
    return _positional_steps(population, points, "The positional rule", positional(profile, params.weights))


def _anti_plurality_trace(population, params):
    profile = ballots(population)
    m = len(profile.alternatives)
    return _positional_steps(population, np.r_[np.ones(m - 1), 0.0], "Anti-plurality", anti_plurality(profile))


def _dowdall_trace(population, params):
    profile = ballots(population)
    m = len(profile.alternatives)
    return _positional_steps(population, 1.0 / np.arange(1, m + 1), "Dowdall", dowdall(profile))


def _bucklin_steps(population, simplified: bool) -> list[Step]:
    profile = ballots(population)
    F, r = bucklin_counts(profile)
    half = profile.total_weight / 2
    steps = []
    for i in range(1, r + 1):
        col = F[f"top {i}"]
        over = [a for a, ok in zip(col.index, more_than_half(col.to_numpy(), profile.total_weight)) if ok]
        text = (
            f"Round {i}: the weight that puts each alternative among its top {i} place{'s' if i > 1 else ''}"
            + (f" (a tie straddling place {i} counts the share inside)" if profile.has_ties else "")
            + f". Half the total weight is {number_text(half)}: "
        )
        text += (
            f"{names_text(over)} {'has' if len(over) == 1 else 'have'} more, so the count stops here."
            if over
            else "nobody has more, so the next places are added."
        )
        steps.append(Step(f"Round {i}", text, col.to_frame("count"), tuple(over)))
    col = F[f"top {r}"]
    if simplified:
        over = [a for a, ok in zip(col.index, more_than_half(col.to_numpy(), profile.total_weight)) if ok]
        steps.append(
            Step(
                "Winners",
                f"Simplified Bucklin elects every alternative over half at round {r}: {names_text(over)}.",
                None,
                tuple(over),
            )
        )
    else:
        best = top_names(col)
        steps.append(
            Step(
                "Winner",
                f"Bucklin elects the largest count at round {r}: {names_text(best)} ({number_text(col.max())}).",
                None,
                tuple(best),
            )
        )
    return steps


def _head_to_head_borda(population: Population, scores: pd.Series) -> Step:
    """Borda from the head-to-head votes: ``S[a, b]``, the weight preferring a to b (indifferent voters
    count half), summed over the opponents b; it equals the positional count (each voter gives a one
    point for every alternative it ranks below a, half a point for every one tied with it)."""
    population = as_population(population)
    P = population.preference_matrix()
    weight = population.total_weight if population.total_weight is not None else 1.0
    table = P * weight
    names = list(P.index)
    for a in names:
        table.loc[a, a] = np.nan
    table["Borda score"] = scores.reindex(names)
    who = (
        "how much of the voters' weight prefers"
        if population.total_weight is not None
        else "the share of the voters that prefers (a comparison table or a matrix has no voter count)"
    )
    return Step(
        "Head to head",
        f"The same score from the head-to-head votes: each cell is {who} the row to the "
        "column (indifferent voters count half); a row's sum is its Borda score, because a voter gives an "
        "alternative one point for each alternative below it and half a point for each one tied with it. "
        "Averaging a row of P (itself included, at 1/2) gives NBC under the uniform distribution, whose order "
        "RLHF's Bradley-Terry reward follows (Jackpot paper, Theorem 2; Shirali et al., Proposition 4.2).",
        table,
        tuple(top_names(scores)),
    )


def _borda_trace(population, params):
    population = as_population(population)
    scores = borda(population)
    if population.has_full_rankings and ballots_refusal(population) is None:
        m = len(population.alternatives)
        steps = _positional_steps(population, np.arange(m - 1, -1, -1, dtype=float), "Borda", scores)
        return steps[:1] + [_head_to_head_borda(population, scores)] + steps[1:]
    best = top_names(scores)
    return [
        _head_to_head_borda(population, scores),
        Step(
            "Points",
            f"Borda picks {names_text(best)} ({number_text(scores.max())}).",
            scores.to_frame("score"),
            tuple(best),
        ),
    ]


def _plurality_trace(population, params):
    population = as_population(population)
    shares = favourites(population)
    counts = plurality(population)
    best = top_names(counts)
    tie = (
        " A voter whose top place is a tie splits its weight equally among the tied alternatives."
        if population.kind == RANKINGS and population.has_ties
        else ""
    )
    pl = (
        " For user types: the expected first places of their annotators (Plackett-Luce: a type puts y first "
        "with probability exp(r(y)/T) over the sum over all responses)."
        if population.kind == USER_TYPES
        else ""
    )
    table = pd.DataFrame({"first places": counts, "share": shares})
    return [
        Step(
            "First places",
            f"Count the weight of the voters that put each alternative first (total weight "
            f"{number_text(population.total_weight)}).{tie}{pl}",
            table,
        ),
        Step(
            "Winner",
            f"Plurality picks the most first places: {names_text(best)} "
            f"({number_text(counts.max())}, a share of {number_text(shares.max())}).",
            table,
            tuple(best),
        ),
    ]


#: Sources of this family (see :mod:`aggregation.papers`).
_SCORING = Reference("jackpot", "section 2.2 (scoring rules)")
_BUCKLIN = (Reference("hoag_hallett"), Reference("erdelyi_bucklin", "section 2 (Bucklin and simplified Bucklin)"))

#: The registry entries of this family (see :mod:`.rule`).
ENTRIES = [
    Rule(
        "borda",
        "Borda",
        "Borda",
        "Each voter gives m-1 points to their favourite, m-2 to the next, ..., 0 to the last; the most points wins. "
        "RLHF with a Bradley-Terry reward ranks responses this way.",
        SCORES,
        "points",
        "scoring",
        (
            Reference("borda"),
            Reference("jackpot", "section 3.1 and Theorem 2 (appendix A.9): RLHF orders like Borda"),
            Reference("hidden_context", "Theorem 3.1"),
        ),
        (),
        ANY,
        lambda m, p: borda(m),
        trace=_borda_trace,
    ),
    Rule(
        "plurality",
        "Plurality",
        "plurality",
        "Count how many voters put each alternative first; the most first places wins.",
        SCORES,
        "first places",
        "scoring",
        (Reference("jackpot", "section 2.2 (scoring rules)"),),
        (),
        VOTERS,
        lambda m, p: plurality(m),
        trace=_plurality_trace,
    ),
    Rule(
        "anti_plurality",
        "Anti-plurality (veto)",
        "anti-plurality",
        "Every voter vetoes their last place (a tie at the bottom splits the veto); the alternative the fewest "
        "voters veto wins.",
        SCORES,
        "voters not vetoing it",
        "scoring",
        (_SCORING, Reference("young_scoring")),
        (),
        VOTERS,
        lambda m, p: anti_plurality(m),
        reads="each voter's last place",
        trace=_anti_plurality_trace,
        limit=ballots_refusal,
    ),
    Rule(
        "dowdall",
        "Dowdall",
        "Dowdall",
        "A voter's 1st place gets 1 point, the 2nd 1/2, the 3rd 1/3, ... (tied places share their points); "
        "the most points wins. Nauru elects its parliament this way.",
        SCORES,
        "points",
        "scoring",
        (Reference("fraenkel_grofman"), _SCORING),
        (),
        VOTERS,
        lambda m, p: dowdall(m),
        reads="each voter's whole ranking",
        trace=_dowdall_trace,
        limit=ballots_refusal,
    ),
    Rule(
        "positional",
        "Positional (custom points)",
        "the positional scoring rule",
        "Each voter gives the points you choose to their 1st, 2nd, 3rd ... place (3, 2, 1 unless changed; "
        "tied places share their points); the most points wins.",
        SCORES,
        "points",
        "scoring",
        (_SCORING, Reference("young_scoring")),
        ("weights",),
        VOTERS,
        lambda m, p: positional(m, p.weights),
        reads="each voter's whole ranking",
        trace=_positional_trace,
        limit=ballots_refusal,
    ),
    Rule(
        "bucklin",
        "Bucklin",
        "Bucklin",
        "Count first places; if nobody has a majority, add second places, then third ...; at the first round "
        "where someone has a majority, the largest count wins.",
        SCORES,
        "count in the top r (deciding r)",
        "scoring",
        _BUCKLIN,
        (),
        VOTERS,
        lambda m, p: bucklin(m),
        reads="each voter's whole ranking",
        trace=lambda m, p: _bucklin_steps(m, False),
        limit=ballots_refusal,
    ),
    Rule(
        "simplified_bucklin",
        "Simplified Bucklin",
        "simplified Bucklin",
        "As Bucklin, but at the first round where someone has a majority, every alternative with a majority wins.",
        SET,
        "winner (1) or not (0)",
        "scoring",
        _BUCKLIN,
        (),
        VOTERS,
        lambda m, p: simplified_bucklin(m),
        reads="each voter's whole ranking",
        trace=lambda m, p: _bucklin_steps(m, True),
        limit=ballots_refusal,
    ),
]
