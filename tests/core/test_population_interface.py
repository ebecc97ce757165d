"""The one population interface (aggregation.populations.base): kinds, capabilities, as_population,
the wrapped preference matrix, and the file words mapped in one table."""

import numpy as np
import pandas as pd
import pytest

from aggregation import (
    COMPARISONS,
    KINDS,
    ComparisonCounts,
    MATRIX,
    POPULATION_CLASSES,
    RANKINGS,
    USER_TYPES,
    AggregationError,
    PairwiseData,
    Population,
    PreferenceMatrix,
    Profile,
    RewardPopulation,
    as_population,
    borda,
    maximal_lottery,
    population_from_dict,
    population_kind,
    population_to_dict,
    sample_comparisons,
)
from aggregation.formats import FILE_KINDS, FILE_WORDS

FIGURE_1 = Profile.parse("2: R > G > B\n3: B > R > G")  # Jackpot paper, Figure 1
TYPES = RewardPopulation({"u": {"a": 1.0, "b": 0.0, "c": 0.0}, "v": {"a": 0.0, "b": 2.0, "c": 0.0}}, [1, 3])
PAIRS = PairwiseData(pd.DataFrame({"chosen": ["a", "a", "b", "a"], "rejected": ["b", "b", "a", "c"]}))


def test_every_class_is_a_population_of_one_kind_with_its_capabilities():
    matrix = PreferenceMatrix(FIGURE_1.preference_matrix())
    rows = [
        (FIGURE_1, RANKINGS, True, False),
        (TYPES, USER_TYPES, True, True),
        (PAIRS, COMPARISONS, False, False),
        (ComparisonCounts.from_pairwise(PAIRS), COMPARISONS, False, False),
        (matrix, MATRIX, False, False),
    ]
    assert [type(p) for p, *_ in rows] == list(POPULATION_CLASSES)
    for population, kind, full, rewards in rows:
        assert isinstance(population, Population) and population.kind == kind and kind in KINDS
        assert population.has_full_rankings is full and population.has_rewards is rewards
        assert population_kind(population) == kind


def test_rows_nouns_and_weights_by_hand():
    doubled = Profile.parse("1: R > G > B\n1: R > G > B\n3: B > R > G")
    assert doubled.n_rows == 2 and doubled.n_rankings == 3 and doubled.noun == "distinct ranking"
    assert (TYPES.n_rows, TYPES.total_weight, TYPES.nouns) == (2, 4.0, "user types")
    assert (PAIRS.n_rows, PAIRS.total_weight, PAIRS.noun) == (4, None, "comparison")
    matrix = PreferenceMatrix(FIGURE_1.preference_matrix())
    assert (matrix.n_rows, matrix.total_weight) == (3, None)


def test_as_population_wraps_a_matrix_and_names_anything_else():
    P = FIGURE_1.preference_matrix()
    wrapped = as_population(P)
    assert isinstance(wrapped, PreferenceMatrix) and wrapped.alternatives == ["R", "G", "B"]
    assert as_population(FIGURE_1) is FIGURE_1
    pd.testing.assert_frame_equal(wrapped.preference_matrix(), P)
    with pytest.raises(
        AggregationError,
        match="expected a Profile, RewardPopulation, PairwiseData, ComparisonCounts or preference matrix, got list",
    ):
        as_population([1, 2])
    with pytest.raises(AggregationError, match=r"P\[R, G\] \+ P\[G, R\] = 1.2, but it must be 1"):
        as_population(pd.DataFrame([[0.5, 0.6], [0.6, 0.5]], index=["R", "G"], columns=["R", "G"]))


def test_a_matrix_restricts_and_fingerprints_like_a_population():
    matrix = as_population(FIGURE_1.preference_matrix())
    small = matrix.restrict(["B", "R"])
    # by hand: 3 of 5 voters put B above R
    assert small.alternatives == ["B", "R"] and small.preference_matrix().loc["B", "R"] == pytest.approx(0.6)
    assert matrix.fingerprint == as_population(FIGURE_1.preference_matrix()).fingerprint != small.fingerprint
    assert borda(matrix).to_dict() == pytest.approx({"R": 1.4, "G": 0.4, "B": 1.2})  # an average voter: 7/5, 2/5, 6/5
    with pytest.raises(AggregationError, match="restrict: unknown alternative 'X'"):
        matrix.restrict(["X", "R"])


def test_comparisons_restrict_to_the_comparisons_between_the_kept_alternatives():
    small = PAIRS.restrict(["a", "b"])
    assert small.n_comparisons == 3 and small.alternatives == ["a", "b"]
    pd.testing.assert_frame_equal(small.preference_matrix(), PAIRS.preference_matrix().loc[["a", "b"], ["a", "b"]])
    assert PAIRS.unobserved_pairs() == [("b", "c")]
    with pytest.raises(AggregationError, match="no comparison is left between b, c"):
        PAIRS.restrict(["b", "c"])


def test_the_file_words_meet_the_kinds_in_one_table():
    assert FILE_KINDS == {"rankings": RANKINGS, "rewards": USER_TYPES, "comparisons": COMPARISONS, "matrix": MATRIX}
    for population in (FIGURE_1, TYPES, PAIRS, as_population(FIGURE_1.preference_matrix())):
        d = population_to_dict(population)
        assert d["kind"] == FILE_WORDS[population.kind]
        assert population_from_dict(d).kind == population.kind


def test_a_matrix_labels_pairs_from_p_and_records_no_voter():
    data = sample_comparisons(FIGURE_1.preference_matrix(), 2000, seed=1)
    assert set(data.table["voter"].map(lambda v: v is None)) == {True}
    # P[B, R] = 0.6: the share of B-vs-R comparisons B wins is near it (binomial, about 670 pairs)
    wins = data.wins()
    share = wins.at["B", "R"] / (wins.at["B", "R"] + wins.at["R", "B"])
    assert abs(share - 0.6) < 0.06


def test_a_population_passes_to_every_rule_unchanged():
    ml = maximal_lottery(as_population(FIGURE_1.preference_matrix()))
    assert ml["B"] == pytest.approx(1.0)
    assert np.isclose(borda(FIGURE_1)["R"], 7)
