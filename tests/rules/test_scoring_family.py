"""The scoring family (aggregation/rules/scoring.py): anti-plurality, Dowdall, Bucklin, simplified Bucklin
and the positional rule with custom points, on textbook examples, against a reference that averages
over every ordering of each ballot, and on user types against Plackett-Luce enumerated by hand."""

import itertools
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aggregation import AggregationError, PairwiseData, Profile, RewardPopulation, RuleParams, borda, plurality
from aggregation.rules.registry import RULES
from aggregation.rules.rule import DEFAULT_WEIGHTS, score_vector
from aggregation.rules.scoring import (
    anti_plurality,
    bucklin,
    bucklin_counts,
    dowdall,
    points_for,
    positional,
    simplified_bucklin,
)

from ..core.strategies import reward_populations, weak_order_profiles
from . import reference as ref

# The "Tennessee capital" example used throughout Wikipedia's voting-method articles (Memphis, Nashville,
# Chattanooga, Knoxville; percentages as weights). Every number below is derived by hand in the comments.
TENNESSEE = Profile.parse("42: M > N > C > K\n26: N > C > K > M\n15: C > K > N > M\n17: K > C > N > M")


def exact(series: pd.Series) -> dict:
    return {a: Fraction(v).limit_denominator(1000) for a, v in series.items()}


def test_tennessee_anti_plurality_dowdall_bucklin():
    # last places: K by the 42 Memphis voters, M by the other 58
    assert anti_plurality(TENNESSEE).to_dict() == {"M": 42.0, "N": 100.0, "C": 100.0, "K": 58.0}
    # Dowdall: M 42 + 58/4; N 26 + 42/2 + 32/3; C 15 + 43/2 + 42/3; K 17 + 15/2 + 26/3 + 42/4
    assert exact(dowdall(TENNESSEE)) == {
        "M": Fraction(113, 2),
        "N": Fraction(173, 3),
        "C": Fraction(101, 2),
        "K": Fraction(131, 3),
    }
    # Bucklin: round 1 nobody over 50 (M 42); round 2 top-2 counts M 42, N 42+26, C 26+15+17, K 15+17
    F, r = bucklin_counts(TENNESSEE)
    assert r == 2 and F["top 1"].to_dict() == {"M": 42.0, "N": 26.0, "C": 15.0, "K": 17.0}
    assert bucklin(TENNESSEE).to_dict() == {"M": 42.0, "N": 68.0, "C": 58.0, "K": 32.0}
    # simplified Bucklin elects every majority holder of round 2: Nashville (68) and Chattanooga (58)
    assert simplified_bucklin(TENNESSEE).to_dict() == {"M": 0.0, "N": 1.0, "C": 1.0, "K": 0.0}
    assert RULES["bucklin"].compute(TENNESSEE).winners == ["N"]
    assert RULES["simplified_bucklin"].compute(TENNESSEE).winners == ["N", "C"]


def test_positional_special_cases():
    # (3, 2, 1) over four places is Borda's vector (3, 2, 1, 0)
    assert (
        positional(TENNESSEE, (3, 2, 1)).to_dict()
        == borda(TENNESSEE).to_dict()
        == {"M": 126.0, "N": 194.0, "C": 173.0, "K": 107.0}
    )
    assert positional(TENNESSEE, (1,)).to_dict() == plurality(TENNESSEE).to_dict()
    assert positional(TENNESSEE, (1, 1)).to_dict() == bucklin(TENNESSEE).to_dict()  # 2-approval
    assert positional(TENNESSEE, (1, 1, 1)).to_dict() == anti_plurality(TENNESSEE).to_dict()
    # a vector longer than m is cut: (5, 4, 3, 2, 1) over 4 places is (5, 4, 3, 2), Borda shifted by 2
    assert positional(TENNESSEE, (5, 4, 3, 2, 1)).to_dict() == {a: v + 200 for a, v in borda(TENNESSEE).items()}
    assert points_for((2, 1), 4).tolist() == [2, 1, 0, 0] and points_for((5, 4, 3), 2).tolist() == [5, 4]


def test_ties_inside_a_ballot_share_the_points_of_their_places():
    p = Profile.parse("A = B > C")
    assert exact(dowdall(p)) == {"A": Fraction(3, 4), "B": Fraction(3, 4), "C": Fraction(1, 3)}
    assert anti_plurality(Profile.parse("A > B = C")).to_dict() == {"A": 1.0, "B": 0.5, "C": 0.5}
    # a truncated ballot: the unranked alternatives share its last places
    assert anti_plurality(Profile.parse("A", alternatives=["A", "B", "C"])).to_dict() == {"A": 1.0, "B": 0.5, "C": 0.5}
    # Bucklin: a tie straddling place 2 counts half of each tied alternative in the top 2
    F, r = bucklin_counts(Profile.parse("A > B = C > D"))
    assert F["top 2"].to_dict() == {"A": 1.0, "B": 0.5, "C": 0.5, "D": 0.0} and r == 1
    D = Profile.parse("2: A = B = C\n1: C > A = B").position_counts()
    assert np.allclose(
        D, [[2 / 3, 2 / 3 + 1 / 2, 2 / 3 + 1 / 2], [2 / 3, 2 / 3 + 1 / 2, 2 / 3 + 1 / 2], [2 / 3 + 1, 2 / 3, 2 / 3]]
    )


def test_user_types_read_plackett_luce_exactly():
    # two alternatives, weights 1 and 3: y is first with probability 3/4
    pop = RewardPopulation({"u": {"x": 0.0, "y": np.log(3.0)}})
    assert dowdall(pop).to_dict() == pytest.approx({"x": 1 / 4 + 3 / 4 / 2, "y": 3 / 4 + 1 / 4 / 2}, abs=1e-15)
    assert anti_plurality(pop).to_dict() == pytest.approx({"x": 0.25, "y": 0.75}, abs=1e-15)
    # three alternatives and two types, against Plackett-Luce enumerated ranking by ranking
    types = {"u": {"a": 0.3, "b": 1.2, "c": -0.4}, "v": {"a": 2.0, "b": 0.0, "c": 0.5}}
    pop = RewardPopulation(types, weights=[1.0, 3.0], temperature=0.7)
    expected = dict.fromkeys("abc", 0.0)
    for share, t in zip([0.25, 0.75], types.values()):
        w = {a: np.exp(r / 0.7) for a, r in t.items()}
        for order in itertools.permutations("abc"):
            for place, a in enumerate(order):
                expected[a] += 4.0 * share * ref.plackett_luce_probability(order, w) / (place + 1)
    assert dowdall(pop).to_dict() == pytest.approx(expected, rel=1e-12)


@settings(max_examples=40, deadline=None)
@given(reward_populations(max_m=4, max_types=3))
def test_user_types_positional_equals_its_ranking_expansion(pop):
    weights = {
        t: dict(zip(pop.alternatives, row / pop.temperature)) for t, row in zip(pop.types, pop.rewards.to_numpy())
    }
    m = len(pop.alternatives)
    points = [3.0, 2.0, 1.0][:m] + [0.0] * max(0, m - 3)
    expected = dict.fromkeys(pop.alternatives, 0.0)
    for share, t in zip(pop.shares, pop.types):
        w = {a: np.exp(v - max(weights[t].values())) for a, v in weights[t].items()}
        for order in itertools.permutations(pop.alternatives):
            prob = ref.plackett_luce_probability(order, w)
            for place, a in enumerate(order):
                expected[a] += pop.total_weight * share * prob * points[place]
    assert positional(pop).to_dict() == pytest.approx(expected, rel=1e-9, abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(weak_order_profiles(max_m=5, max_n=6), st.lists(st.integers(0, 6), min_size=1, max_size=6))
def test_positional_rules_equal_the_average_over_every_ordering(p, raw):
    ballots = ref.ballots_of(p)
    m = len(p.alternatives)
    points = sorted(raw, reverse=True)
    if points[0] == 0:
        points[0] = 1
    full = (points + [0] * m)[:m]
    for got, want in [
        (positional(p, points), ref.positional_scores(ballots, p.alternatives, full)),
        (dowdall(p), ref.positional_scores(ballots, p.alternatives, [Fraction(1, k) for k in range(1, m + 1)])),
        (anti_plurality(p), ref.positional_scores(ballots, p.alternatives, [1] * (m - 1) + [0])),
    ]:
        assert got.to_numpy() == pytest.approx([float(want[a]) for a in p.alternatives], abs=1e-9)
    assert sorted(RULES["bucklin"].compute(p).winners) == ref.bucklin(ballots, p.alternatives)
    assert sorted(RULES["simplified_bucklin"].compute(p).winners) == ref.bucklin(
        ballots, p.alternatives, simplified=True
    )


@settings(max_examples=40, deadline=None)
@given(weak_order_profiles(max_m=6, max_n=7, integer_weights=False))
def test_borda_and_plurality_are_positional_rules(p):
    m = len(p.alternatives)
    assert positional(p, range(m - 1, -1, -1)).to_numpy() == pytest.approx(borda(p).to_numpy(), abs=1e-9)
    assert positional(p, (1,)).to_numpy() == pytest.approx(plurality(p).to_numpy(), abs=1e-9)
    D = p.position_counts()
    assert D.sum(axis=0) == pytest.approx([p.total_weight] * m) and D.sum(axis=1) == pytest.approx([p.total_weight] * m)


def test_bucklin_needs_more_than_half():
    # exactly half is not a majority: 1 A > B, 1 B > A stops only at round 2, where both have 2
    assert bucklin_counts(Profile.parse("A > B\nB > A"))[1] == 2
    assert simplified_bucklin(Profile.parse("A > B\nB > A")).to_dict() == {"A": 1.0, "B": 1.0}
    # 3 of 5 is: round 1
    assert bucklin(Profile.parse("3: A > B > C\n2: B > C > A")).to_dict() == {"A": 3.0, "B": 2.0, "C": 0.0}


def test_score_vector_checks_and_the_registry_parameter():
    assert score_vector([3, 2, 1]) == (3.0, 2.0, 1.0) and RuleParams().weights == DEFAULT_WEIGHTS
    for bad, message in [
        ([1, 2], "must not increase: place 2 gets 2 points, more than place 1"),
        ([], "weights is empty"),
        ([0, 0], "all 0"),
        ("3,2,1", "list of points"),
        ([1, -1], "place 2 gets -1.0 points"),
        ([float("nan")], "place 1 gets nan"),
        (["a"], "list of numbers"),
        (3, "list of points"),
    ]:
        with pytest.raises(AggregationError, match=message):
            RuleParams(weights=bad)
    rule = RULES["positional"]
    assert rule.name_with(RuleParams(weights=(5, 3, 1))) == "Positional (custom points) (points 5, 3, 1)"
    assert rule.compute(TENNESSEE, RuleParams(weights=(1, 1))).values.to_dict() == bucklin(TENNESSEE).to_dict()
    assert rule.compute(TENNESSEE).values.to_dict() == positional(TENNESSEE, DEFAULT_WEIGHTS).to_dict()


def test_refusals_with_reasons():
    data = PairwiseData(pd.DataFrame({"chosen": ["a", "b"], "rejected": ["b", "c"]}))
    for rule_id in ("anti_plurality", "dowdall", "positional", "bucklin", "simplified_bucklin"):
        ok, reason = RULES[rule_id].applies_to(data)
        assert not ok and "only records who won each pair" in reason
        with pytest.raises(AggregationError, match="only records who won each pair"):
            RULES[rule_id].compute(data)
    with pytest.raises(AggregationError, match="whole ranking"):
        dowdall(data)
    wide = RewardPopulation(pd.DataFrame(np.zeros((2, 9)), columns=list("abcdefghi")))
    ok, reason = RULES["dowdall"].applies_to(wide)
    assert not ok and "9! rankings" in reason and "up to 8 alternatives" in reason
    with pytest.raises(AggregationError, match="beyond the exact limit of 8"):
        dowdall(wide)
    assert RULES["dowdall"].applies_to(RewardPopulation(pd.DataFrame(np.zeros((2, 8)), columns=list("abcdefgh"))))[0]


def test_traces_show_the_places_and_the_rounds():
    steps = RULES["positional"].trace(TENNESSEE, RuleParams(weights=(2, 1)))
    places = steps[0].table
    assert list(places.columns) == ["1st", "2nd", "3rd", "4th"]
    assert places.loc["points"].tolist() == [2, 1, 0, 0] and places.loc["N", "2nd"] == 42
    # 2 points a first place, 1 a second: M 2*42; N 2*26 + 42; C 2*15 + 26 + 17; K 2*17 + 15
    assert steps[-1].table["score"].to_dict() == {"M": 84.0, "N": 94.0, "C": 73.0, "K": 49.0}
    assert steps[-1].highlight == ("N",) and "picks N (94)" in steps[-1].text
    steps = RULES["bucklin"].trace(TENNESSEE, RuleParams())
    assert [s.title for s in steps] == ["Round 1", "Round 2", "Winner"]
    assert "Half the total weight is 50: nobody has more" in steps[0].text
    assert "N and C have more" in steps[1].text and steps[1].highlight == ("N", "C")
    assert steps[2].text == "Bucklin elects the largest count at round 2: N (68)."
    assert RULES["simplified_bucklin"].trace(TENNESSEE, RuleParams())[-1].highlight == ("N", "C")
    anti = RULES["anti_plurality"].trace(TENNESSEE, RuleParams())
    assert anti[0].table.loc["points"].tolist() == [1, 1, 1, 0] and anti[-1].highlight == ("N", "C")
