"""Profiles: construction, parsing, the preference matrix and derived profiles."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings

from aggregation import AggregationError, Profile, preference_matrix

from .reference import preference_matrix_by_voters
from .strategies import weak_order_profiles

FIGURE_1 = "2: R > G > B\n3: B > R > G"


def test_parse_weights_ties_comments_and_blank_lines():
    p = Profile.parse("""
        # the Jackpot paper, Figure 1
        2: R > G > B

        3: B > R = G   # B first, R and G tied
        G > B > R
    """)
    assert p.alternatives == ["R", "G", "B"]
    assert p.weights.tolist() == [2.0, 3.0, 1.0]
    assert p.ranking(1) == [["B"], ["R", "G"]]
    assert p.total_weight == 6.0


def test_preference_matrix_of_figure_1_by_hand():
    P = Profile.parse(FIGURE_1).preference_matrix()
    # R > G for all 5 voters; R > B for the 2; G > B for the 2
    expected = pd.DataFrame(
        [[0.5, 1.0, 0.4], [0.0, 0.5, 0.4], [0.6, 0.6, 0.5]], index=["R", "G", "B"], columns=["R", "G", "B"]
    )
    pd.testing.assert_frame_equal(P, expected)


def test_ties_give_half_credit():
    P = Profile.parse("1: A = B > C\n1: A > B > C").preference_matrix()
    assert P.loc["A", "B"] == pytest.approx(0.75)
    assert P.loc["B", "A"] == pytest.approx(0.25)


def test_unlisted_alternatives_share_the_last_place():
    p = Profile.parse("A > B > C > D\nB")
    assert p.ranking(1) == [["B"], ["A", "C", "D"]]
    assert p.preference_matrix().loc["A", "C"] == pytest.approx(0.75)


@settings(max_examples=60, deadline=None)
@given(weak_order_profiles(integer_weights=False))
def test_preference_matrix_equals_voter_by_voter_reference(p):
    expected = preference_matrix_by_voters(p.rankings, p.weights, p.alternatives)
    np.testing.assert_allclose(p.preference_matrix().to_numpy(), expected, atol=1e-12)


@settings(max_examples=60, deadline=None)
@given(weak_order_profiles())
def test_preference_matrix_is_complementary(p):
    P = p.preference_matrix().to_numpy()
    np.testing.assert_allclose(P + P.T, 1.0, atol=1e-12)
    np.testing.assert_allclose(np.diag(P), 0.5)
    np.testing.assert_allclose(p.margins().to_numpy(), P - P.T, atol=1e-12)


def test_large_profile_matches_its_compressed_form():
    rng = np.random.default_rng(0)
    orders = np.argsort(rng.random((3000, 4)), axis=1)
    p = Profile.from_orders(orders, list("abcd"))
    c = p.compressed()
    assert c.n_rankings <= 24 and c.total_weight == 3000
    np.testing.assert_allclose(p.preference_matrix(), c.preference_matrix(), atol=1e-12)
    ranks = np.argsort(orders, axis=1)
    above = (ranks[:, 0] < ranks[:, 1]).mean()
    assert p.preference_matrix().loc["a", "b"] == pytest.approx(above)


@settings(max_examples=40, deadline=None)
@given(weak_order_profiles())
def test_text_round_trip(p):
    q = Profile.parse(p.to_text(), alternatives=p.alternatives)
    assert q.rankings == p.rankings
    assert q.weights.tolist() == p.weights.tolist()


def test_from_orders_and_from_levels_agree_with_from_rankings():
    a = Profile.from_rankings([["x", "y", "z"], ["z", "x", "y"]], [1, 2])
    b = Profile.from_orders([[0, 1, 2], [2, 0, 1]], ["x", "y", "z"], [1, 2])
    c = Profile.from_levels([[10, 20, 30], [5, 9, 1]], ["x", "y", "z"], [1, 2])
    assert a.rankings == b.rankings == c.rankings


def test_restrict_keeps_voters_and_their_order():
    p = Profile.parse(FIGURE_1).restrict(["R", "B"])
    assert p.alternatives == ["R", "B"]
    assert p.rankings == [[["R"], ["B"]], [["B"], ["R"]]]
    assert p.weights.tolist() == [2.0, 3.0]


def test_with_clone_sits_right_below_the_original():
    p = Profile.parse("2: R > G > B\n3: B > R = G").with_clone("R", "R2")
    assert p.alternatives == ["R", "R2", "G", "B"]
    assert p.ranking(0) == [["R"], ["R2"], ["G"], ["B"]]
    assert p.ranking(1) == [["B"], ["R"], ["R2"], ["G"]] or p.ranking(1) == [["B"], ["R", "G"], ["R2"]]
    P = p.preference_matrix()
    assert P.loc["R", "R2"] == 1.0


def test_clone_of_tied_alternative_goes_below_its_tie_group():
    p = Profile.parse("B > R = G").with_clone("R", "R2")
    assert p.ranking(0) == [["B"], ["R", "G"], ["R2"]]


def test_first_place_distribution_splits_ties_at_the_top():
    p = Profile.parse("2: A = B > C\n1: C > A > B")
    np.testing.assert_allclose(p.first_place_distribution().to_numpy(), [1 / 3, 1 / 3, 1 / 3])
    np.testing.assert_allclose(p.unique_first_shares().to_numpy(), [0, 0, 1 / 3])


@pytest.mark.parametrize(
    "text, message, line",
    [
        ("2: A > B\nx: B > A", "weight 'x' before ':' is not a number", 2),
        ("0: A > B", "weight 0 must be a positive number", 1),
        ("-1: A > B", "weight -1 must be a positive number", 1),
        ("nan: A > B", "weight 'nan' before ':' is not a number", 1),
        ("A > B\n\n3: A > B > A", "alternative 'A' appears twice", 3),
        ("A > > B", "a name is missing", 1),
        ("2:   ", "the ranking after the weight is empty", 1),
        ("A = > B", "a name is missing", 1),
    ],
)
def test_parse_errors_name_the_line_and_the_problem(text, message, line):
    with pytest.raises(AggregationError, match=message) as info:
        Profile.parse(text)
    assert info.value.line == line
    assert str(info.value).startswith(f"line {line}:")


def test_parse_with_known_alternatives_rejects_unknown_names():
    with pytest.raises(AggregationError, match=r"line 2: unknown alternative 'Gren' \(known: R, G, B\)"):
        Profile.parse("R > G > B\nGren > R", alternatives=["R", "G", "B"])


@pytest.mark.parametrize(
    "rankings, weights, message",
    [
        ([], None, "the population is empty"),
        ([["A", "B"], []], None, "ranking 2: the ranking is empty"),
        ([["A", []]], None, "ranking 1: a tie group is empty"),
        ([["A", "B"]], [0], "ranking 1 has weight 0;"),
        ([["A", "B"]], [-2], "ranking 1 has weight -2;"),
        ([["A", "B"]], [float("nan")], "ranking 1 has weight nan"),
        ([["A", "B"], ["B", "A"]], [1], "got 1 weights for 2 items"),
        ([["A", 3]], None, "3 is neither a name nor a tie group"),
    ],
)
def test_from_rankings_errors(rankings, weights, message):
    with pytest.raises(AggregationError, match=message):
        Profile.from_rankings(rankings, weights)


def test_duplicate_alternatives_are_rejected():
    with pytest.raises(AggregationError, match="duplicate alternative 'A'"):
        Profile.from_rankings([["A", "B"]], alternatives=["A", "B", "A"])


def test_bad_orders_and_bad_restrictions():
    with pytest.raises(AggregationError, match="ranking 2 is not a permutation"):
        Profile.from_orders([[0, 1], [1, 1]], ["a", "b"])
    p = Profile.parse(FIGURE_1)
    with pytest.raises(AggregationError, match="restrict: unknown alternative 'Y'"):
        p.restrict(["R", "Y"])
    with pytest.raises(AggregationError, match="already exists"):
        p.with_clone("R", "G")


def test_a_matrix_is_accepted_and_validated():
    P = Profile.parse(FIGURE_1).preference_matrix()
    pd.testing.assert_frame_equal(preference_matrix(P), P)
    bad = P.copy()
    bad.loc["R", "G"] = 0.7
    with pytest.raises(AggregationError, match=r"P\[R, G\] \+ P\[G, R\] = 0.7, but it must be 1"):
        preference_matrix(bad)
