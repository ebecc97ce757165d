"""Comparison tables: estimates with standard errors, and sampling them from populations."""

import numpy as np
import pandas as pd
import pytest

from aggregation import AggregationError, PairwiseData, Profile, RewardPopulation, sample_comparisons

FIGURE_1 = Profile.parse("2: R > G > B\n3: B > R > G")


def test_counts_estimates_and_standard_errors_by_hand():
    data = PairwiseData(pd.DataFrame({"chosen": ["a", "a", "b", "a"], "rejected": ["b", "b", "a", "c"]}))
    assert data.wins().loc["a", "b"] == 2 and data.wins().loc["b", "a"] == 1
    P = data.preference_matrix()
    assert P.loc["a", "b"] == pytest.approx(2 / 3)
    assert P.loc["b", "c"] == 0.5 and data.unobserved_pairs() == [("b", "c")]
    se = data.standard_errors()
    assert se.loc["a", "b"] == pytest.approx(np.sqrt(2 / 3 * 1 / 3 / 3))
    assert np.isnan(se.loc["b", "c"])


def test_sampled_comparisons_converge_to_the_population_within_their_error_bars():
    data = sample_comparisons(FIGURE_1, 40_000, seed=7)
    P = data.preference_matrix().to_numpy()
    se = data.standard_errors().to_numpy()
    truth = FIGURE_1.preference_matrix().to_numpy()
    off = ~np.eye(3, dtype=bool) & (se > 0)
    assert (np.abs(P - truth)[off] <= 5 * se[off]).all()
    assert P[0, 1] == 1.0  # every voter prefers R to G: never sampled the other way


def test_sampling_follows_the_sampling_distribution_and_is_seeded():
    D = {"R": 0.7, "G": 0.0, "B": 0.3}
    data = sample_comparisons(FIGURE_1, 5000, sampling=D, seed=3)
    t = data.table
    assert not ((t["chosen"] == "G") | (t["rejected"] == "G")).any()
    assert t.equals(sample_comparisons(FIGURE_1, 5000, sampling=D, seed=3).table)
    # a pair of distinct alternatives from D x D: with G impossible, every pair is {R, B}
    assert set(map(frozenset, zip(t["chosen"], t["rejected"]))) == {frozenset({"R", "B"})}


def test_pair_frequencies_are_proportional_to_d_times_d():
    D = np.array([0.5, 0.3, 0.2])
    data = sample_comparisons(FIGURE_1, 60_000, sampling=D, seed=11)
    counts = data.comparison_counts().to_numpy()[np.triu_indices(3, 1)]
    expected = np.array([D[0] * D[1], D[0] * D[2], D[1] * D[2]])
    expected /= expected.sum()
    np.testing.assert_allclose(counts / counts.sum(), expected, atol=0.01)


def test_reward_population_labels_are_bradley_terry_draws():
    pop = RewardPopulation({"u": {"x": 0.0, "y": 1.0}}, temperature=0.5)
    data = sample_comparisons(pop, 20_000, seed=1)
    p = data.preference_matrix().loc["y", "x"]
    assert abs(p - 1 / (1 + np.exp(-2.0))) < 4 * data.standard_errors().loc["y", "x"]
    assert set(data.table["voter"]) == {"u"}


@pytest.mark.parametrize(
    "table, message",
    [
        (pd.DataFrame({"chosen": ["a"], "loser": ["b"]}), "no 'rejected' column"),
        (pd.DataFrame({"chosen": ["a", "b"], "rejected": ["b", "b"]}), "row 2: a response is compared with itself"),
        (pd.DataFrame({"chosen": ["a", ""], "rejected": ["b", "a"]}), "row 2: chosen is empty"),
        (pd.DataFrame({"chosen": [], "rejected": []}), "the comparison table is empty"),
    ],
)
def test_bad_tables(table, message):
    with pytest.raises(AggregationError, match=message):
        PairwiseData(table)


def test_bad_sample_sizes_and_distributions():
    with pytest.raises(AggregationError, match="must be positive"):
        sample_comparisons(FIGURE_1, 0)
    with pytest.raises(AggregationError, match="at least two alternatives"):
        sample_comparisons(FIGURE_1, 10, sampling={"R": 1.0, "G": 0.0, "B": 0.0})
