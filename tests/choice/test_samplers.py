"""Samplers of ranked-choice data: their frequencies match the exact tables within error bars."""

import itertools
import math

import numpy as np
import pandas as pd
import pytest

from aggregation import (
    AggregationError,
    Profile,
    RewardPopulation,
    mallows_rmj_topk_table,
    mnl_topk_table,
    population_topk_table,
    ranked_choice_arrays,
    sample_mallows_rmj_choices,
    sample_mnl_choices,
    sample_ranked_choices,
)

PROFILE = Profile.parse("2: a > b = c > d\n1: c > a > d > b\n3: d = b > a\n1: b > a > c > d")
REWARDS = RewardPopulation(
    {"u": {"a": 0.0, "b": 1.0, "c": 2.0, "d": -1.0}, "v": {"a": 1.5, "b": 0.0, "c": -1.0, "d": 0.5}},
    weights=[1, 2],
    temperature=0.8,
)


def _assert_matches(data: pd.DataFrame, exact_table, z=5.0):
    """Per assortment, every top-k list's frequency is within z binomial standard errors of its probability."""
    cells = 0
    for S, group in data.groupby("assortment"):
        counts = group["top"].value_counts()
        table = exact_table(list(S))
        n = len(group)
        assert set(counts.index) <= set(table.index)
        for top, p in table.items():
            freq = counts.get(top, 0) / n
            assert abs(freq - p) <= z * math.sqrt(p * (1 - p) / n) + 1e-12, (S, top, freq, p, n)
            cells += 1
    return cells


def test_profile_choices_follow_the_voters_with_ties_broken_at_random():
    data = sample_ranked_choices(PROFILE, 40_000, assortment_size=3, k=2, seed=5)
    assert _assert_matches(data, lambda S: population_topk_table(PROFILE, S, 2)) == 4 * 6
    assert set(data["voter"]) == {1, 2, 3, 4}  # 1-based ranking numbers
    # the voter column is consistent with each row: voter 2 has no ties (c > a > d > b)
    rows = data[data["voter"] == 2]
    expected = rows["assortment"].map(lambda S: tuple(a for a in "cadb" if a in S)[:2])
    assert (rows["top"] == expected).all()


def test_reward_population_choices_are_plackett_luce_draws_of_a_random_type():
    data = sample_ranked_choices(REWARDS, 40_000, assortment_size=3, k=2, seed=8)
    _assert_matches(data, lambda S: population_topk_table(REWARDS, S, 2))
    assert set(data["voter"]) == {"u", "v"}
    share_v = (data["voter"] == "v").mean()
    assert abs(share_v - 2 / 3) <= 5 * math.sqrt(2 / 9 / 40_000)


def test_mnl_sampler_matches_the_mnl_table():
    u = pd.Series({"a": 0.0, "b": 1.0, "c": -0.5, "d": 2.0})
    data = sample_mnl_choices(u, 40_000, assortment_size=3, k=3, seed=2)
    assert _assert_matches(data, lambda S: mnl_topk_table(u, S, 3)) == 4 * 6
    assert data["voter"].isna().all()


@pytest.mark.parametrize("phi, K, k", [(0.3, 4, 2), (0.8, 3, 3), (0.55, 5, 1), (1.0, 4, 3)])
def test_mallows_rmj_sampler_matches_the_closed_form(phi, K, k):
    central = ["c", "e", "a", "d", "b"]
    data = sample_mallows_rmj_choices(central, phi, 30_000, assortment_size=K, k=k, seed=int(phi * 100) + K)
    _assert_matches(data, lambda S: mallows_rmj_topk_table(central, S, k, phi))


def test_assortments_are_distinct_draws_from_d_conditioned_on_distinct():
    D = {"a": 0.4, "b": 0.3, "c": 0.2, "d": 0.1}
    n = 50_000
    data = sample_ranked_choices(PROFILE, n, assortment_size=2, k=1, sampling=D, seed=4)
    weights = {S: D[S[0]] * D[S[1]] for S in itertools.combinations("abcd", 2)}
    total = sum(weights.values())
    counts = data["assortment"].value_counts()
    for S, w in weights.items():
        p = w / total
        assert abs(counts.get(S, 0) / n - p) <= 5 * math.sqrt(p * (1 - p) / n)
    triples = sample_mnl_choices(pd.Series(0.0, index=list("abcd")), n, assortment_size=3, sampling=D, seed=6)
    weights = {S: D[S[0]] * D[S[1]] * D[S[2]] for S in itertools.combinations("abcd", 3)}
    total = sum(weights.values())
    counts = triples["assortment"].value_counts()
    for S, w in weights.items():
        p = w / total
        assert abs(counts.get(S, 0) / n - p) <= 5 * math.sqrt(p * (1 - p) / n)


def test_uniform_assortments_and_zero_probability_alternatives():
    data = sample_mnl_choices(pd.Series(0.0, index=list("abcde")), 30_000, assortment_size=3, seed=1)
    counts = data["assortment"].value_counts()
    assert len(counts) == 10
    p = 1 / 10
    assert (np.abs(counts.to_numpy() / 30_000 - p) <= 5 * math.sqrt(p * (1 - p) / 30_000)).all()
    D = {"a": 0.5, "b": 0.0, "c": 0.25, "d": 0.25, "e": 0.0}
    only = sample_mnl_choices(pd.Series(0.0, index=list("abcde")), 500, assortment_size=3, sampling=D, seed=1)
    assert set(only["assortment"]) == {("a", "c", "d")}


def test_table_shape_is_plain_and_seeded():
    data = sample_ranked_choices(PROFILE, 200, assortment_size=3, k=2, seed=9)
    assert list(data.columns) == ["assortment", "top", "voter"]
    assert all(isinstance(S, tuple) and len(S) == 3 for S in data["assortment"])
    assert all(list(S) == sorted(S, key="abcd".index) for S in data["assortment"])  # the model's order
    assert all(
        isinstance(t, tuple) and len(t) == 2 and set(t) <= set(S) for S, t in zip(data["assortment"], data["top"])
    )
    assert data.equals(sample_ranked_choices(PROFILE, 200, assortment_size=3, k=2, seed=9))
    assert not data.equals(sample_ranked_choices(PROFILE, 200, assortment_size=3, k=2, seed=10))


def test_large_population_is_vectorised():
    rng = np.random.default_rng(0)
    names = [f"y{i}" for i in range(50)]
    orders = np.argsort(rng.random((100_000, 50)), axis=1)
    big = Profile.from_orders(orders, names)
    data = sample_ranked_choices(big, 20_000, assortment_size=4, k=2, seed=3)
    assert len(data) == 20_000
    # each row's top is that voter's own order restricted to the assortment
    for _, row in data.head(50).iterrows():
        ranking = [names[j] for j in orders[row["voter"] - 1]]
        assert row["top"] == tuple(a for a in ranking if a in row["assortment"])[:2]


def test_arrays_for_the_losses_round_trip():
    data = sample_mallows_rmj_choices("b > a > d > c", 0.5, 100, assortment_size=3, k=2, seed=0)
    alts = ["a", "b", "c", "d"]
    items, top = ranked_choice_arrays(data, alts)
    assert items.shape == (100, 3) and top.shape == (100, 2)
    for (S, t), its, tp in zip(zip(data["assortment"], data["top"]), items, top):
        assert tuple(alts[j] for j in its) == S
        assert tuple(S[p] for p in tp) == t


@pytest.mark.parametrize(
    "table, message",
    [
        (pd.DataFrame({"assortment": [("a", "b")], "top": [("c",)]}), r"row 1: top item 'c' is not in the assortment"),
        (
            pd.DataFrame({"assortment": [("a", "b"), ("a", "a")], "top": [("a",), ("a",)]}),
            "row 2: assortment: duplicate alternative 'a'",
        ),
        (pd.DataFrame({"assortment": [("a", "b", "c")], "top": [("a", "a")]}), "row 1: the top list repeats 'a'"),
        (pd.DataFrame({"assortment": [("a", "x")], "top": [("a",)]}), "row 1: assortment: unknown alternative 'x'"),
        (pd.DataFrame({"assortment": [("a", "b"), ("a", "b", "c")], "top": [("a",), ("a",)]}), "row 2: 3 items"),
        (pd.DataFrame({"assortment": [("a", "b")], "best": [("a",)]}), "no 'top' column"),
        (pd.DataFrame({"assortment": [], "top": []}), "the ranked-choice table is empty"),
    ],
)
def test_bad_tables(table, message):
    with pytest.raises(AggregationError, match=message):
        ranked_choice_arrays(table, ["a", "b", "c", "d"])


@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda: sample_ranked_choices(PROFILE, 10, assortment_size=3, k=4),
            r"k = 4 is larger than the assortment \(3 items\)",
        ),
        (
            lambda: sample_ranked_choices(PROFILE, 10, assortment_size=5),
            r"assortment size 5 is larger than the number of alternatives \(4\)",
        ),
        (lambda: sample_ranked_choices(PROFILE, 10, assortment_size=1), "assortment size must be a whole number >= 2"),
        (lambda: sample_ranked_choices(PROFILE, 0, assortment_size=2), "must be a positive whole number"),
        (
            lambda: sample_ranked_choices(
                PROFILE, 10, assortment_size=3, sampling={"a": 0.5, "b": 0.5, "c": 0, "d": 0}
            ),
            "positive probability to 2 alternatives, fewer than the assortment size 3",
        ),
        (
            lambda: sample_ranked_choices(pd.DataFrame(), 10, assortment_size=2),
            "expected a Profile or a RewardPopulation",
        ),
        (lambda: sample_mallows_rmj_choices("a > b > c", 2.0, 10, assortment_size=2), r"phi must be in \(0, 1\]"),
        (lambda: sample_mnl_choices({"a": 0.0, "b": np.inf}, 10, assortment_size=2), "utility of 'b' is inf"),
    ],
)
def test_bad_sampler_input(call, message):
    with pytest.raises(AggregationError, match=message):
        call()
