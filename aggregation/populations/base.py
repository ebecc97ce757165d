"""The one population interface: what every kind of voter data offers, and the words for its kind.

Four kinds of population reach the core (DESIGN.md, "Conventions"):

==============================  ============================  ==========================================
kind (:attr:`Population.kind`)  class                         what it holds
==============================  ============================  ==========================================
:data:`RANKINGS`                :class:`~.profile.Profile`    weighted rankings (weak orders)
:data:`USER_TYPES`              :class:`~.user_types.RewardPopulation`  user types with rewards
:data:`COMPARISONS`             :class:`~.comparisons.PairwiseData`     a table of pairwise comparisons
:data:`COMPARISONS`             :class:`~.counts.ComparisonCounts`      a comparison log as counts per pair
:data:`MATRIX`                  :class:`~.matrix.PreferenceMatrix`     a preference matrix P, given as is
==============================  ============================  ==========================================

These four words are the only vocabulary for a population's kind in the code and on screen; the
population *files* keep their own words (``"rewards"`` for user types, ``"matrix"``), translated in
one table, :data:`aggregation.formats.FILE_KINDS`.

What a rule may read is said by capabilities, not by the class: :attr:`Population.has_full_rankings`
(each voter's whole order is known: rankings and user types, so favourites, Pareto dominance and
k > 1 test-time games are defined) and :attr:`Population.has_rewards` (user types). Anything else
reads only the preference matrix.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import ClassVar

import numpy as np
import pandas as pd

from ..errors import AggregationError

RANKINGS = "rankings"
USER_TYPES = "user types"
COMPARISONS = "comparisons"
MATRIX = "preference matrix"
#: Every kind, in the order the dashboard lists them.
KINDS = (RANKINGS, USER_TYPES, COMPARISONS, MATRIX)


class Population(ABC):
    """Voters (or only their pairwise preferences) over named alternatives.

    Every population has ``alternatives``, a ``fingerprint`` (a digest of its content, a cache
    key), its ``preference_matrix()`` ``P[a, b]`` (the probability that a random voter prefers a
    to b, plus half the probability of indifference), ``restrict(alternatives)`` (the same voters
    over fewer alternatives), ``total_weight`` (None where voters carry no weights), ``n_rows``
    (distinct rankings, user types, comparisons, or rows of P) and a ``noun`` naming one row.
    """

    #: One of :data:`KINDS`.
    kind: ClassVar[str]
    #: What one of :attr:`n_rows` is, for display ("distinct ranking", "user type", ...), and its plural.
    noun: ClassVar[str]
    nouns: ClassVar[str]
    #: Each voter's whole (weak) order is known: favourites, Pareto dominance and the k > 1 games.
    has_full_rankings: ClassVar[bool] = False
    #: Voters are user types with reward functions (the average reward is defined).
    has_rewards: ClassVar[bool] = False

    @property
    @abstractmethod
    def alternatives(self) -> list[str]:
        """The alternatives' names, in order."""

    @property
    @abstractmethod
    def fingerprint(self) -> str:
        """A digest of everything that decides a number (a cache key)."""

    @abstractmethod
    def preference_matrix(self) -> pd.DataFrame:
        """``P[a, b]`` over :attr:`alternatives` (rows and columns in that order)."""

    @abstractmethod
    def restrict(self, alternatives: Sequence[str]) -> Population:
        """The same voters over a subset of the alternatives (in the order given)."""

    @property
    @abstractmethod
    def n_rows(self) -> int:
        """How many distinct rows the population has (see :attr:`noun`)."""

    @property
    def total_weight(self) -> float | None:
        """The voters' total weight; None for populations whose voters carry no weights."""
        return None

    def margins(self) -> pd.DataFrame:
        """``M = P - P.T``: the majority margin as a share of the voters."""
        P = self.preference_matrix()
        return P - P.T

    def draw_voters(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` voters drawn by weight (indices: a ranking's row, a user type's position); populations
        without voters refuse."""
        raise AggregationError(
            f"a population of kind {self.kind!r} has no voters to draw (only its pairwise "
            "preferences): it needs rankings or user types"
        )

    def draw_labels(
        self, a: np.ndarray, b: np.ndarray, coin: np.ndarray, rng: np.random.Generator, voters: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """For pairs ``(a[i], b[i])`` (alternative indices): whether a random voter picks ``a[i]``
        and who that voter was. ``coin`` holds one uniform draw per pair. This default reads only
        ``P`` (the label is ``coin < P[a, b]``; no voter is recorded); populations with voters
        draw one voter per pair (:meth:`draw_voters`), or take ``voters`` (one per pair) when given,
        and let it judge."""
        if voters is not None:
            self.draw_voters(len(a), rng)  # refuses: no voters here
        P = self.preference_matrix().to_numpy(float)
        return coin < P[a, b], np.full(len(a), None, dtype=object)
