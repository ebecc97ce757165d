"""Voting rules on the seed papers' examples, against brute force and as properties."""

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings

from aggregation import (
    AggregationError,
    PairwiseData,
    Profile,
    RewardPopulation,
    borda,
    bt_reward,
    condorcet_winner,
    copeland,
    majority_winner,
    nbc,
    plurality,
    random_dictatorship,
    reward_order_key,
    smith_set,
)

from .reference import borda_by_voters, smith_set_by_subsets
from .strategies import reward_populations, weak_order_profiles

FIGURE_1 = Profile.parse("2: R > G > B\n3: B > R > G")  # Jackpot, Figure 1
TABLE_2A = Profile.parse("2: R > B\n3: B > R")  # Jackpot, Table 2a
TABLE_2B = FIGURE_1  # Table 2b: Table 2a plus G
CYCLIC = Profile.parse("R > B > G\nG > R > B\nB > G > R")  # Jackpot, Table 1 (Ana, Bob, Carla)


def test_jackpot_figure_1():
    assert borda(FIGURE_1).to_dict() == {"R": 7.0, "G": 2.0, "B": 6.0}  # section 3.1: 7, 6, 2
    # "binary win counts" (section 3.1): voters x alternatives each beats, the same numbers
    wins = FIGURE_1.preference_matrix().to_numpy() * FIGURE_1.total_weight
    assert (wins.sum(axis=1) - FIGURE_1.total_weight / 2).tolist() == [7.0, 2.0, 6.0]
    assert borda(FIGURE_1).idxmax() == "R"
    assert majority_winner(FIGURE_1) == "B"
    assert condorcet_winner(FIGURE_1) == "B"
    assert smith_set(FIGURE_1) == ["B"]
    assert plurality(FIGURE_1).to_dict() == {"R": 2.0, "G": 0.0, "B": 3.0}
    assert random_dictatorship(FIGURE_1).to_dict() == {"R": 0.4, "G": 0.0, "B": 0.6}
    assert copeland(FIGURE_1).to_dict() == {"R": 1.0, "G": 0.0, "B": 2.0}


def test_jackpot_table_2_adding_g_flips_borda():
    assert borda(TABLE_2A).to_dict() == {"R": 2.0, "B": 3.0}
    assert borda(TABLE_2B)["R"] > borda(TABLE_2B)["B"]
    assert TABLE_2B.restrict(["R", "B"]).rankings == TABLE_2A.rankings


def test_jackpot_table_1_cycle():
    M = CYCLIC.margins()
    assert (M.loc["R", "B"], M.loc["B", "G"], M.loc["G", "R"]) == (1 / 3, 1 / 3, 1 / 3)  # R > B > G > R
    assert condorcet_winner(CYCLIC) is None
    assert majority_winner(CYCLIC) is None
    assert sorted(smith_set(CYCLIC)) == ["B", "G", "R"]
    assert borda(CYCLIC).to_dict() == {"R": 3.0, "G": 3.0, "B": 3.0}
    assert copeland(CYCLIC).to_dict() == {"R": 1.0, "G": 1.0, "B": 1.0}


def test_borda_with_ties_shares_positions():
    assert borda(Profile.parse("A = B > C")).to_dict() == {"A": 1.5, "B": 1.5, "C": 0.0}
    assert borda(Profile.parse("A > B = C = D")).to_dict() == {"A": 3.0, "B": 1.0, "C": 1.0, "D": 1.0}


def test_majority_winner_needs_a_strict_majority_of_first_places():
    assert majority_winner(Profile.parse("1: A > B\n1: B > A")) is None
    assert majority_winner(Profile.parse("2: A = B > C\n1: C > A > B")) is None


def test_rules_that_need_favourites_refuse_comparison_tables():
    data = PairwiseData(pd.DataFrame({"chosen": ["a", "b"], "rejected": ["b", "c"]}))
    with pytest.raises(AggregationError, match="needs each voter's favourite"):
        plurality(data)
    assert borda(data).to_dict() == {"a": 1.5, "b": 1.0, "c": 0.5}  # a: 1 vs b + 1/2 vs c (never compared)


def test_reward_population_favourites_follow_plackett_luce():
    pop = RewardPopulation({"u": {"x": 0.0, "y": np.log(3.0)}}, temperature=1.0)
    assert random_dictatorship(pop).to_dict() == pytest.approx({"x": 0.25, "y": 0.75})
    assert majority_winner(pop) == "y"


@settings(max_examples=60, deadline=None)
@given(weak_order_profiles(integer_weights=False))
def test_borda_equals_voter_by_voter_scores(p):
    np.testing.assert_allclose(borda(p).to_numpy(), borda_by_voters(p.rankings, p.weights, p.alternatives), atol=1e-9)


def _same_order(x, y, tol=1e-7):
    for i, j in itertools.combinations(range(len(x)), 2):
        dx, dy = x[i] - x[j], y[i] - y[j]
        if abs(dx) > tol or abs(dy) > tol:
            assert np.sign(dx) == np.sign(dy), (x, y)


@settings(max_examples=60, deadline=None)
@given(weak_order_profiles())
def test_borda_order_is_uniform_nbc_order_is_bt_reward_order(p):
    b = borda(p).to_numpy()
    _same_order(b, nbc(p).to_numpy())
    _same_order(b, reward_order_key(bt_reward(p)).to_numpy())


@settings(max_examples=40, deadline=None)
@given(reward_populations())
def test_same_orders_for_reward_populations(pop):
    _same_order(borda(pop).to_numpy(), reward_order_key(bt_reward(pop)).to_numpy())


@settings(max_examples=80, deadline=None)
@given(weak_order_profiles(max_m=6))
def test_smith_set_against_subset_enumeration(p):
    M = p.margins().to_numpy()
    assert sorted(smith_set(p)) == smith_set_by_subsets(M, p.alternatives)


@settings(max_examples=60, deadline=None)
@given(weak_order_profiles())
def test_majority_winner_is_the_condorcet_winner(p):
    w = majority_winner(p)
    if w is not None:
        assert condorcet_winner(p) == w
    c = condorcet_winner(p)
    assert (smith_set(p) == [c]) if c is not None else len(smith_set(p)) >= 1
