"""The bootstrap of rules on comparisons: fast paths identical to the rules' own code, coverage of 95%
intervals on a simulated population, decided and undecided answers by hand, clusters, refusals."""

from __future__ import annotations

import numpy as np
import pytest

import aggregation as ag
from aggregation import AggregationError, ComparisonCounts, bootstrap
from aggregation import uncertainty as bootstrap_module


def test_the_vectorised_rules_equal_the_rules_own_code(monkeypatch):
    counts = ag.generate_log(
        ag.mallows(80, 6, 0.7, seed=1), 3_000, None, tie_probability=0.15, annotators=12, seed=2
    ).counts
    rules = ["borda", "copeland", "nbc", "rlhf"]
    fast = bootstrap(counts, rules, 40, seed=5)
    dense = bootstrap(counts, rules, 40, seed=5, clusters=True)
    monkeypatch.setattr(bootstrap_module, "_FAST", {})
    monkeypatch.setattr(bootstrap_module, "_VALUES", {})
    monkeypatch.setattr(bootstrap_module, "DENSE_CELLS", 0)  # the sparse product of the cluster redraw
    slow = bootstrap(counts, rules, 40, seed=5)
    sparse = bootstrap(counts, rules, 40, seed=5, clusters=True)
    for rule in rules:
        assert np.allclose(fast.samples[rule], slow.samples[rule], atol=1e-12, rtol=0)
        assert np.allclose(dense.samples[rule], sparse.samples[rule], atol=1e-12, rtol=0)
    assert fast.estimates.equals(slow.estimates)


def test_95_percent_intervals_cover_the_truth_about_95_percent_of_the_time():
    # a known P over four responses; each simulation draws 60 comparisons per pair (no ties) and asks for the
    # 95% percentile interval of every Borda score (sum_b P[a, b] - 1/2). 300 simulations x 4 scores: the
    # coverage of a correct 95% interval lies in [0.90, 0.99] with overwhelming probability (binomial sd 0.6%;
    # percentile intervals undercover slightly at this sample size).
    P = np.array([[0.5, 0.6, 0.7, 0.55], [0.4, 0.5, 0.65, 0.3], [0.3, 0.35, 0.5, 0.45], [0.45, 0.7, 0.55, 0.5]])
    names = ["A", "B", "C", "D"]
    truth = P.sum(axis=1) - 0.5
    rng = np.random.default_rng(0)
    first, second = np.triu_indices(4, 1)
    covered = []
    for sim in range(300):
        wins = rng.binomial(60, P[first, second])
        counts = ComparisonCounts(names, first, second, wins, 60 - wins)
        result = bootstrap(counts, ["borda"], 300, seed=sim)
        covered.append((result.lower["borda"].to_numpy() <= truth) & (truth <= result.upper["borda"].to_numpy()))
    coverage = np.mean(covered)
    assert 0.90 <= coverage <= 0.99, coverage


def test_decided_and_undecided_by_hand():
    # A beat B 400 times out of 400: A wins every redraw. C and D split 50 / 50: each wins about half of them.
    sure = ComparisonCounts(["A", "B"], [0], [1], [400], [0])
    result = bootstrap(sure, ["borda", "maximal_lottery"], 100, seed=1)
    assert result.winners("borda") == ["A"] and result.winner_support("borda") == 1.0
    assert result.undecided == [] and result.condorcet_share["A"] == 1.0 and result.no_condorcet_share == 0.0
    assert (result.lower["maximal_lottery"]["A"], result.upper["maximal_lottery"]["A"]) == (1.0, 1.0)
    coin = ComparisonCounts(["C", "D"], [0], [1], [50], [50])
    result = bootstrap(coin, ["borda"], 400, seed=1)
    assert result.undecided == ["borda"]
    # a tie on the data: C and D share the win; in a redraw exactly 50-50 (probability C(100, 50) / 2^100, about
    # 8%) they share it again
    assert result.winners("borda") == ["C", "D"]
    assert result.winner_share["borda"].sum() == pytest.approx(1.0)
    assert 0.4 < result.winner_share.loc["C", "borda"] < 0.6
    assert 0.4 < result.no_condorcet_share + result.condorcet_share.sum() <= 1.0 + 1e-12


def test_annotators_as_clusters_widen_the_intervals_when_they_disagree():
    # two kinds of annotators with opposite tastes; each annotator judges many comparisons, so which kinds
    # the redraw holds moves every comparison at once
    population = ag.Profile.parse("1: A > B > C\n1: C > B > A")
    counts = ag.generate_log(population, 20_000, None, annotators=20, seed=3).counts
    clustered = bootstrap(counts, ["borda"], 300, seed=1)
    per_pair = bootstrap(counts, ["borda"], 300, seed=1, clusters=False)
    assert clustered.method.startswith("annotators resampled as clusters (20 annotators)")
    assert per_pair.method.startswith("comparisons resampled per pair")
    width = lambda r: (r.upper["borda"] - r.lower["borda"]).mean()  # noqa: E731
    assert width(clustered) > 3 * width(per_pair)


def test_refusals_and_skips():
    with pytest.raises(AggregationError, match="its P is exact"):
        bootstrap(ag.mallows(10, 3, 0.5, seed=1))
    counts = ComparisonCounts(["A", "B"], [0], [1], [3], [1])
    with pytest.raises(AggregationError, match="needs annotator ids"):
        bootstrap(counts, clusters=True)
    with pytest.raises(AggregationError, match="replicates must be between 10"):
        bootstrap(counts, replicates=5)
    result = bootstrap(counts, ["plurality", "borda", "elo"], 20)
    assert result.rule_ids == ["borda", "elo"] and "favourite" in result.skipped["plurality"]
    data = ag.sample_comparisons(ag.mallows(30, 4, 0.5, seed=1), 500, seed=1)
    assert bootstrap(data, ["borda"], 20).estimates["borda"].equals(ag.borda(data).astype(float))
