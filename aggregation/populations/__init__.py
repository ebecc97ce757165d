"""Populations of voters and their preference matrix, behind one interface.

* :mod:`.base`: :class:`Population` (alternatives, kind, fingerprint, preference matrix,
  restriction, total weight, capabilities) and the kind words :data:`KINDS`;
* :mod:`.profile`: weighted rankings (weak orders), :class:`Profile`;
* :mod:`.user_types`: user types with reward functions, :class:`RewardPopulation`;
* :mod:`.comparisons`: tables of pairwise comparisons, :class:`PairwiseData`, and drawing them;
* :mod:`.counts`: comparison logs reduced to counts per pair (and annotator), :class:`ComparisonCounts`;
* :mod:`.arena`: seeded arena-style comparison logs drawn from any population, at any size;
* :mod:`.matrix`: a preference matrix given as is, :class:`PreferenceMatrix`, and
  :func:`as_population`, the one way any input becomes a population;
* :mod:`.preference`: the one entry point from any population to ``P`` and ``M``;
* :mod:`.generators`: seeded statistical cultures and user types with drawn rewards.
"""

from .base import COMPARISONS, KINDS, MATRIX, RANKINGS, USER_TYPES, Population
from .comparisons import PairwiseData, sample_comparisons, sample_paired_comparisons, sample_pairs
from .counts import ComparisonCounts
from .matrix import PreferenceMatrix, as_population, check_preference_matrix, population_kind
from .profile import Profile
from .user_types import RewardPopulation

#: Every concrete population class (a cache keyed by exact type lists them all).
POPULATION_CLASSES = (Profile, RewardPopulation, PairwiseData, ComparisonCounts, PreferenceMatrix)
