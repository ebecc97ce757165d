"""Scoring rules: Borda and plurality. Every rule takes a population (see
:mod:`aggregation.populations.base`) and returns a Series indexed by alternative.

Borda reads only pairwise majorities, so it accepts any population; plurality needs each voter's
favourite, so it needs rankings or user types (:attr:`~aggregation.populations.base.Population.has_full_rankings`).
"""
from __future__ import annotations

import pandas as pd

from ..errors import AggregationError
from ..populations.base import RANKINGS, Population
from ..populations.matrix import as_population
from .rule import ANY, VOTERS, Rule
from .result import SCORES
from ..papers import Reference

#: Why a rule that needs each voter's favourite refuses a comparison table or a preference matrix.
NEEDS_FAVOURITES = ("this rule needs each voter's favourite, so it needs rankings or user types, "
                    "not only pairwise comparisons")


def borda(population: Population) -> pd.Series:
    """Borda scores m-1, ..., 0 (tied alternatives share the average of their positions),
    summed over voters with their weights. For a population with no voter weights (a
    comparison table or a matrix) the score is that of an average voter.

    Equals ``W * (sum_b P[a, b] - 1/2)``, so it needs only the preference matrix.
    """
    population = as_population(population)
    if population.kind == RANKINGS:  # exact for whole-number weights
        S = population.support_matrix()
        return pd.Series(S.sum(axis=1) - population.total_weight / 2.0, index=population.alternatives,
                         name="Borda score")
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


#: The registry entries of this family (see :mod:`.rule`).
ENTRIES = [
    Rule("borda", "Borda", "Borda",
         "Each voter gives m-1 points to their favourite, m-2 to the next, ..., 0 to the last; the most points wins. "
         "RLHF with a Bradley-Terry reward ranks responses this way.",
         SCORES, "points", "scoring",
         (Reference("borda"), Reference("jackpot", "section 3.1 and Theorem 2 (appendix A.9): RLHF orders like Borda"),
          Reference("hidden_context", "Theorem 3.1")),
         (), ANY, lambda m, p: borda(m)),
    Rule("plurality", "Plurality", "plurality",
         "Count how many voters put each alternative first; the most first places wins.",
         SCORES, "first places", "scoring", (Reference("jackpot", "section 2.2 (scoring rules)"),),
         (), VOTERS, lambda m, p: plurality(m)),
]
