"""MNL and Mallows-RMJ top-k probabilities against brute-force enumeration and hand values.

Equations are those of RCPO (Tang & Feng, arXiv 2510.23631): (6) the ranked-choice marginal of a
Mallows-type law over all rankings of the universe, (8) the MNL top-k probability, (9) and (11)
the Mallows-RMJ choice and top-k probabilities.
"""

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aggregation import (
    AggregationError,
    Profile,
    RewardPopulation,
    mallows_rmj_topk_probability,
    mallows_rmj_topk_table,
    mnl_topk_probability,
    mnl_topk_table,
    population_topk_table,
)

from .reference import (
    mallows_rmj_rankings,
    marginalise,
    plackett_luce_rankings,
    rmj_distance,
    tie_broken_rankings,
)

UNIVERSE = ["d", "a", "e", "b", "c"]  # the central ranking used below: d best, c worst


def _subsets_in_shuffled_order(names, rng):
    for size in range(1, len(names) + 1):
        for subset in itertools.combinations(names, size):
            yield list(rng.permutation(list(subset)))


# ----------------------------------------------------------------- the RMJ distance itself
def test_rmj_distance_by_hand():
    central = ["a", "b", "c", "d"]
    assert rmj_distance(central, central) == 0
    assert rmj_distance(["d", "c", "b", "a"], central) == 3 + 2 + 1  # every position is a descent
    assert rmj_distance(["b", "a", "c", "d"], central) == 3  # one descent at t = 1 costs m - 1
    assert rmj_distance(["a", "b", "d", "c"], central) == 1  # at t = 3 it costs m - 3


@pytest.mark.parametrize("phi", [0.2, 0.7])
def test_rmj_normaliser_is_the_product_of_q_integers(phi):
    for m in range(1, 6):
        names = [str(i) for i in range(m)]
        Z = sum(phi ** rmj_distance(r, names) for r in itertools.permutations(names))
        assert Z == pytest.approx(math.prod(sum(phi**j for j in range(i)) for i in range(1, m + 1)), rel=1e-12)


# ----------------------------------------------------------------- Mallows-RMJ vs enumeration
@pytest.mark.parametrize("phi", [0.3, 0.85, 1.0])
def test_mallows_rmj_tables_equal_the_marginals_of_all_rankings_of_the_universe(phi):
    rankings = mallows_rmj_rankings(UNIVERSE, phi)
    rng = np.random.default_rng(0)
    checked = 0
    for S in _subsets_in_shuffled_order(UNIVERSE, rng):
        for k in range(1, len(S) + 1):
            expected = marginalise(rankings, S, k)
            table = mallows_rmj_topk_table(UNIVERSE, S, k, phi)
            assert len(table) == math.perm(len(S), k) == len(expected)
            for top, p in expected.items():
                assert table[top] == pytest.approx(p, abs=1e-13)
                checked += 1
    # every subset of the 5 names, every k: sum over sizes s of C(5, s) * sum_k s!/(s-k)! lists
    assert checked == 5 * 1 + 10 * (2 + 2) + 10 * (3 + 6 + 6) + 5 * (4 + 12 + 24 + 24) + (5 + 20 + 60 + 120 + 120)


def paper_eq_11(central, S, top, phi):
    """RCPO eq. (11) as printed: psi(|S|-k)/psi(|S|) * phi^d(mu^k, S), with
    d = sum_{i<k} [mu0^-1(y_i) > mu0^-1(y_{i+1})] (|S| - i) + sum_{y_j in S minus top} [mu0^-1(y_k) > mu0^-1(y_j)]."""
    pos = {a: i for i, a in enumerate(central)}
    psi = lambda n: math.prod(sum(phi**j for j in range(i)) for i in range(1, n + 1))
    m, k = len(S), len(top)
    d = sum((m - i) for i in range(1, k) if pos[top[i - 1]] > pos[top[i]])
    d += sum(1 for y in S if y not in top and pos[top[-1]] > pos[y])
    return psi(m - k) / psi(m) * phi**d


def test_equation_11_as_printed_is_the_marginal_of_equation_6_and_the_table():
    phi = 0.45
    rankings = mallows_rmj_rankings(UNIVERSE, phi)
    for S in (["a", "c", "e"], ["c", "d", "b", "a"], UNIVERSE):
        for k in range(1, len(S) + 1):
            table = mallows_rmj_topk_table(UNIVERSE, S, k, phi)
            for top, p in marginalise(rankings, S, k).items():
                assert paper_eq_11(UNIVERSE, S, top, phi) == pytest.approx(p, abs=1e-14)
                assert table[top] == pytest.approx(p, abs=1e-14)
    # k = 1 is eq. (9): phi^(number of items of S above y) / (1 + phi + ... + phi^(|S|-1))
    S = ["e", "a", "c"]  # central order inside S: a > e > c
    assert paper_eq_11(UNIVERSE, S, ("c",), phi) == pytest.approx(phi**2 / (1 + phi + phi**2), abs=1e-15)
    # |S| = 2 is eq. (13): the better item is chosen with probability 1 / (1 + phi)
    assert mallows_rmj_topk_probability(UNIVERSE, ["b", "a"], "a", phi) == pytest.approx(1 / (1 + phi), abs=1e-15)


def test_mallows_rmj_single_choice_is_geometric_in_the_rank_within_the_assortment():
    phi = 0.4
    S = ["c", "a", "b"]  # central order a > b > c inside S
    bracket = 1 + phi + phi**2
    assert mallows_rmj_topk_probability("a > x > b > y > c", S, "a", phi) == pytest.approx(1 / bracket)
    assert mallows_rmj_topk_probability("a > x > b > y > c", S, ["b"], phi) == pytest.approx(phi / bracket)
    assert mallows_rmj_topk_probability("a > x > b > y > c", S, ("c",), phi) == pytest.approx(phi**2 / bracket)


def test_mallows_rmj_top_two_by_hand():
    phi = 0.5
    # top (c, a) of a > b > c: a descent at t = 1 costs m - 1 = 2; no unlisted item is above a
    expected = phi**2 / ((1 + phi + phi**2) * (1 + phi))
    assert mallows_rmj_topk_probability(["a", "b", "c"], ["a", "b", "c"], ["c", "a"], phi) == pytest.approx(expected)
    # top (a, c): no descent, one unlisted item (b) above c
    assert mallows_rmj_topk_probability(["a", "b", "c"], ["a", "b", "c"], ["a", "c"], phi) == pytest.approx(
        phi / ((1 + phi + phi**2) * (1 + phi))
    )


def test_mallows_rmj_limits():
    S = ["b", "c", "a", "d"]
    uniform = mallows_rmj_topk_table("a > b > c > d", S, 2, 1.0)
    np.testing.assert_allclose(uniform.to_numpy(), 1 / 12)
    sharp = mallows_rmj_topk_table("a > b > c > d", S, 2, 1e-9)
    assert sharp[("a", "b")] == pytest.approx(1.0, abs=1e-8)


# ----------------------------------------------------------------- MNL vs enumeration
def test_mnl_tables_equal_the_marginals_of_plackett_luce_over_the_universe():
    u = dict(zip(UNIVERSE, [0.3, -1.2, 2.0, 0.0, 0.7]))
    rankings = plackett_luce_rankings(u)
    rng = np.random.default_rng(1)
    for S in _subsets_in_shuffled_order(UNIVERSE, rng):
        for k in range(1, len(S) + 1):
            expected = marginalise(rankings, S, k)
            table = mnl_topk_table(pd.Series(u), S, k)
            for top, p in expected.items():
                assert table[top] == pytest.approx(p, abs=1e-12)


def test_mnl_single_choice_is_the_softmax_and_top_two_by_hand():
    u = {"x": 0.0, "y": np.log(2.0), "z": np.log(3.0)}  # weights 1, 2, 3
    assert mnl_topk_probability(u, ["x", "y", "z"], "z") == pytest.approx(3 / 6)
    assert mnl_topk_probability(u, ["x", "y", "z"], ["y", "x"]) == pytest.approx(2 / 6 * 1 / 4)
    assert mnl_topk_probability(u, ["x", "y"], ["x"]) == pytest.approx(1 / 3)
    table = mnl_topk_table(u, ["z", "x", "y"], 1)
    np.testing.assert_allclose(table.loc[[("x",), ("y",), ("z",)]].to_numpy(), [1 / 6, 2 / 6, 3 / 6])


# ----------------------------------------------------------------- properties
NAMES = list("abcdef")


@st.composite
def assortments_with_k(draw, max_m=5):
    m = draw(st.integers(1, max_m))
    S = draw(st.permutations(NAMES))[:m]
    k = draw(st.integers(1, m))
    return S, k


@settings(max_examples=40, deadline=None)
@given(
    assortments_with_k(),
    st.lists(st.floats(-4, 4), min_size=6, max_size=6),
    st.floats(0.01, 1.0),
    st.permutations(NAMES),
)
def test_tables_sum_to_one_and_marginalise_to_shorter_lists(Sk, utilities, phi, central):
    S, k = Sk
    u = pd.Series(utilities, index=NAMES)
    for table in (mnl_topk_table(u, S, k), mallows_rmj_topk_table(central, S, k, phi)):
        assert table.sum() == pytest.approx(1.0, abs=1e-12)
        assert (table >= 0).all()
        if k > 1:
            shorter = {}
            for top, p in table.items():
                shorter[top[:-1]] = shorter.get(top[:-1], 0.0) + p
            previous = (
                mnl_topk_table(u, S, k - 1)
                if table.name.startswith("MNL")
                else mallows_rmj_topk_table(central, S, k - 1, phi)
            )
            for top, p in previous.items():
                assert shorter[top] == pytest.approx(p, abs=1e-12)


@settings(max_examples=30, deadline=None)
@given(assortments_with_k(), st.lists(st.floats(-4, 4), min_size=6, max_size=6), st.floats(-50, 50))
def test_mnl_ignores_a_common_shift_and_items_outside_the_assortment(Sk, utilities, shift):
    S, k = Sk
    u = pd.Series(utilities, index=NAMES)
    outside = u.copy()
    outside[[a for a in NAMES if a not in S]] += 3.0
    base = mnl_topk_table(u, S, k)
    np.testing.assert_allclose(mnl_topk_table(u + shift, S, k).to_numpy(), base.to_numpy(), atol=1e-12)
    np.testing.assert_allclose(mnl_topk_table(outside, S, k).to_numpy(), base.to_numpy(), atol=1e-15)


@settings(max_examples=30, deadline=None)
@given(assortments_with_k(max_m=4), st.permutations(NAMES), st.floats(0.05, 1.0))
def test_mallows_rmj_depends_only_on_the_order_inside_the_assortment(Sk, central, phi):
    S, k = Sk
    inside = [a for a in central if a in S]
    np.testing.assert_allclose(
        mallows_rmj_topk_table(central, S, k, phi).to_numpy(),
        mallows_rmj_topk_table(inside, S, k, phi).to_numpy(),
        atol=1e-15,
    )


# ----------------------------------------------------------------- populations
def test_profile_table_with_ties_equals_tie_breaking_enumeration():
    profile = Profile.parse("2: a > b = c > d\n1: c > a > d > b\n3: d = b > a\n0.5: b > a > c > d")
    groups = [profile.ranking(i) for i in range(profile.n_rankings)]
    rankings = tie_broken_rankings(groups, profile.weights)
    for S in (["a", "b", "c", "d"], ["b", "d", "c"], ["c", "b"]):
        for k in range(1, len(S) + 1):
            table = population_topk_table(profile, S, k)
            expected = marginalise(rankings, S, k)
            for top in table.index:
                assert table[top] == pytest.approx(expected.get(top, 0.0), abs=1e-13)


def test_population_tables_agree_with_the_core_on_pairs_and_first_places():
    profile = Profile.parse("2: R > G > B\n3: B > R = G\n1: G > B > R")
    rewards = RewardPopulation(
        {"u": {"R": 1.0, "G": 0.0, "B": -0.5}, "v": {"R": -1.0, "G": 0.5, "B": 2.0}}, weights=[3, 1], temperature=0.7
    )
    for model in (profile, rewards):
        P = model.preference_matrix()
        for a, b in itertools.permutations(["R", "G", "B"], 2):
            # a pairwise single choice is P[a, b] (half of the indifferent weight goes each way)
            assert population_topk_table(model, [a, b], 1)[(a,)] == pytest.approx(P.loc[a, b], abs=1e-12)
        S = ["B", "G", "R"]
        firsts = model.restrict(S).first_place_distribution()
        table = population_topk_table(model, S, 1)
        for a in S:
            assert table[(a,)] == pytest.approx(firsts[a], abs=1e-12)


def test_reward_population_table_is_the_mixture_of_plackett_luce_types():
    pop = RewardPopulation(
        {"u": {"a": 0.0, "b": 1.0, "c": 2.0}, "v": {"a": 1.5, "b": 0.0, "c": -1.0}}, weights=[1, 3], temperature=2.0
    )
    mix = {}
    for t, share in zip(pop.types, pop.shares):
        for top, p in marginalise(
            plackett_luce_rankings((pop.rewards.loc[t] / 2.0).to_dict()), ["c", "a", "b"], 2
        ).items():
            mix[top] = mix.get(top, 0.0) + share * p
    table = population_topk_table(pop, ["c", "a", "b"], 2)
    for top, p in mix.items():
        assert table[top] == pytest.approx(p, abs=1e-13)


# ----------------------------------------------------------------- errors
@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda: mnl_topk_probability({"a": 0, "b": 1}, ["a", "b"], ["c"]),
            r"top item 'c' is not in the assortment \(a, b\)",
        ),
        (lambda: mnl_topk_probability({"a": 0, "b": 1}, ["a", "b"], ["a", "a"]), "the top list repeats 'a'"),
        (lambda: mnl_topk_probability({"a": 0, "b": 1}, ["a", "b"], []), "the top list is empty"),
        (
            lambda: mnl_topk_probability({"a": 0, "b": 1}, ["a", "b", "a"], ["a"]),
            "assortment: duplicate alternative 'a'",
        ),
        (lambda: mnl_topk_probability({"a": 0, "b": 1}, ["a", "z"], ["a"]), "assortment: unknown alternative 'z'"),
        (lambda: mnl_topk_probability({"a": 0, "b": float("nan")}, ["a", "b"], ["a"]), "utility of 'b' is nan"),
        (lambda: mnl_topk_probability([0.0, 1.0], ["a", "b"], ["a"]), "utilities must be a Series or a mapping"),
        (lambda: mnl_topk_probability({"a": 0, "b": 1}, "ab", ["a"]), "an assortment is a list of names"),
        (lambda: mnl_topk_table({"a": 0, "b": 1}, ["a", "b"], 3), r"k = 3 is larger than the assortment \(2 items\)"),
        (lambda: mnl_topk_table({"a": 0, "b": 1}, ["a", "b"], 0), "k must be a whole number >= 1"),
        (lambda: mnl_topk_table({str(i): 0.0 for i in range(12)}, [str(i) for i in range(12)], 6), "a table may hold"),
        (lambda: mallows_rmj_topk_probability("a > b", ["a", "b"], ["a"], 0.0), r"phi must be in \(0, 1\]"),
        (lambda: mallows_rmj_topk_probability("a > b", ["a", "b"], ["a"], 1.5), r"phi must be in \(0, 1\]"),
        (lambda: mallows_rmj_topk_probability("a > b", ["a", "b"], ["a"], float("nan")), r"phi must be in \(0, 1\]"),
        (lambda: mallows_rmj_topk_probability("a > b", ["a", "b"], ["a"], "high"), "phi must be a number"),
        (lambda: mallows_rmj_topk_probability("a > b = c", ["a", "b"], ["a"], 0.5), "central ranking must be strict"),
        (lambda: mallows_rmj_topk_probability(["a", "b", "a"], ["a", "b"], ["a"], 0.5), "central ranking: duplicate"),
        (lambda: mallows_rmj_topk_probability("a > b", ["a", "c"], ["a"], 0.5), "assortment: unknown alternative 'c'"),
        (lambda: population_topk_table(pd.DataFrame(), ["a"], 1), "expected a Profile or a RewardPopulation"),
    ],
)
def test_bad_input_is_named(call, message):
    with pytest.raises(AggregationError, match=message):
        call()
