"""Populations of voters and their preference matrix.

* :mod:`.profile`: weighted rankings (weak orders), :class:`Profile`;
* :mod:`.user_types`: user types with reward functions, :class:`RewardPopulation`;
* :mod:`.comparisons`: tables of pairwise comparisons, :class:`PairwiseData`, and drawing them;
* :mod:`.preference`: the one entry point from any population to ``P`` and ``M``;
* :mod:`.generators`: seeded statistical cultures and user types with drawn rewards.
"""
