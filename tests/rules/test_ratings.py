"""The ratings family: sequential Elo by hand, the Bradley-Terry rating on the Elo scale (by hand, against
bt_reward, and its first-order condition on counts), and where each applies."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import aggregation as ag
from aggregation import ComparisonCounts, PairwiseData
from aggregation.rules.ratings import bt_elo, elo_ratings


def test_elo_by_hand_on_a_three_row_log():
    # rows in order: A beats B, B beats C, C beats A; K = 32, start 1000, base 10, scale 400
    log = PairwiseData(pd.DataFrame({"chosen": ["A", "B", "C"], "rejected": ["B", "C", "A"]}))
    result = elo_ratings(log, k_factor=32)
    # row 1: equal ratings, expected 1/2: A 1016, B 984
    a, b, c = 1016.0, 984.0, 1000.0
    # row 2: B (984) beats C (1000): E_B = 1 / (1 + 10^(16/400))
    e = 1 / (1 + 10 ** ((c - b) / 400))
    b, c = b + 32 * (1 - e), c - 32 * (1 - e)
    # row 3: C beats A
    e = 1 / (1 + 10 ** ((a - c) / 400))
    c, a = c + 32 * (1 - e), a - 32 * (1 - e)
    assert result.values.to_dict() == pytest.approx({"A": a, "B": b, "C": c}, abs=1e-9)
    assert result.values.sum() == pytest.approx(3000)  # Elo is zero-sum
    # the order matters: the same three rows reversed give other ratings
    reversed_log = PairwiseData(pd.DataFrame({"chosen": ["C", "B", "A"], "rejected": ["A", "C", "B"]}))
    assert elo_ratings(reversed_log, k_factor=32).values["A"] != pytest.approx(a)
    assert "Row order matters" in result.notes[0]


def test_elo_reads_counts_in_a_seeded_order_and_a_tie_scores_half():
    counts = ComparisonCounts(["A", "B"], [0], [1], [0], [0], [1])  # one tie: nobody moves
    assert elo_ratings(counts).values.tolist() == [1000.0, 1000.0]
    many = ag.generate_log(ag.mallows(50, 4, 0.5, seed=1), 2_000, None, tie_probability=0.2, seed=2).counts
    assert elo_ratings(many, seed=3).values.equals(elo_ratings(many, seed=3).values)
    assert not elo_ratings(many, seed=3).values.equals(elo_ratings(many, seed=4).values)
    assert not ag.RULES["elo"].applies_to(ag.mallows(5, 3, 0.5, seed=1))[0]
    assert ag.RULES["elo"].applies_to(many)[0]


def test_bradley_terry_on_the_elo_scale_by_hand():
    # A beats B twice, one tie, B beats A once: P[A, B] = 5/8, so r_A - r_B = ln(5/3) and the Elo gap is
    # 400 log10(5/3), centred on 1000
    counts = ComparisonCounts(["A", "B"], [0], [1], [2], [1], [1])
    gap = 400 * math.log10(5 / 3)
    assert bt_elo(counts).values.to_dict() == pytest.approx({"A": 1000 + gap / 2, "B": 1000 - gap / 2}, abs=1e-9)
    assert ag.RULES["bt_elo"].compute(counts).values["A"] == pytest.approx(1000 + gap / 2, abs=1e-9)


def test_bradley_terry_elo_is_bt_reward_rescaled_on_a_population():
    population = ag.mallows(200, 6, 0.7, seed=3)
    expected = 1000 + 400 / math.log(10) * ag.bt_reward(population).reward
    assert np.allclose(bt_elo(population).values, expected, atol=1e-9)


def test_bradley_terry_elo_weights_pairs_by_their_comparisons():
    counts = ag.generate_log(
        ag.mallows(60, 5, 0.6, seed=4),
        5_000,
        None,
        tie_probability=0.1,
        annotators=10,
        sampling={"A": 0.5, "B": 0.2, "C": 0.1, "D": 0.1, "E": 0.1},
        seed=5,
    ).counts
    r = (bt_elo(counts).values.to_numpy() - 1000) * math.log(10) / 400
    P = counts.preference_matrix().to_numpy()
    N = counts.comparison_counts().to_numpy()
    s = 1 / (1 + np.exp(-(r[:, None] - r[None, :])))
    # first-order condition of the count-weighted likelihood: sum_b n_ab (P_ab - sigmoid(r_a - r_b)) = 0
    assert np.abs((N * (P - s)).sum(axis=1)).max() < 1e-6


def test_a_response_that_always_wins_gets_a_finite_rating_and_a_note():
    counts = ComparisonCounts(["A", "B", "C"], [0, 1, 0], [1, 2, 2], [5, 3, 4], [0, 2, 0], [0, 0, 0])
    result = bt_elo(counts)
    assert np.isfinite(result.values).all() and result.values.idxmax() == "A"
    assert result.notes and "ridge prior" in result.notes[0]


def test_an_arena_leaderboard_and_the_maximal_lottery_disagree_on_figure_1():
    # Jackpot paper, Figure 1 (2: R > G > B, 3: B > R > G): the Bradley-Terry rating orders like Borda (R 7, B 6,
    # G 2) and puts R first; the maximal lottery is B, the Condorcet winner (section 2.1's point about RLHF)
    population = ag.Profile.parse("2: R > G > B\n3: B > R > G")
    assert bt_elo(population).winners == ["R"] and ag.maximal_lottery(population).winners == ["B"]
    # on a seeded arena-style log drawn from it (20,000 annotators, so that their mix is close to 2 : 3)
    counts = ag.generate_log(population, 200_000, None, annotators=20_000, seed=0).counts
    results = ag.compute_all(counts).results
    assert results["bt_elo"].winners == ["R"] and results["elo"].winners == ["R"]
    assert results["maximal_lottery"].winners == ["B"]


@pytest.mark.parametrize(
    "settings, message",
    [
        ({"k_factor": 0}, "the K-factor must be a positive number, got 0"),
        ({"k_factor": 10**400}, "the K-factor must be a positive number"),  # beyond every float: no OverflowError
        ({"scale": math.nan}, "the scale must be a positive number, got nan"),
        ({"base": 1}, "the base must be a number above 1, got 1"),
        ({"base": -(10**400)}, "the base must be a number above 1"),
    ],
)
def test_elo_settings_are_refused_with_their_name(settings, message):
    log = PairwiseData(pd.DataFrame({"chosen": ["A"], "rejected": ["B"]}))
    with pytest.raises(ag.AggregationError, match=message):
        elo_ratings(log, **settings)
