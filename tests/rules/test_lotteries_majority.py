"""The C1 maximal lottery and proportional Borda (aggregation/rules/lotteries.py)."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings

from aggregation import PreferenceMatrix, Profile, RULES
from aggregation.rules.lotteries import c1_maximal_lottery, proportional_borda
from aggregation.rules.majority import margin_matrix

from ..core.strategies import weak_order_profiles

CYCLE = Profile.parse("4: a > b > c\n3: b > c > a\n2: c > a > b")  # margins 3, 5, 1 around the cycle


def test_c1_ignores_margin_sizes():
    # the maximal lottery of the margins is (5, 1, 3) / 9 (the opposite margin of each alternative);
    # the C1 lottery sees only who wins: a 3-cycle tournament, uniform
    assert RULES["maximal_lottery"].compute(CYCLE).values.to_numpy() == pytest.approx([5 / 9, 1 / 9, 3 / 9])
    result = c1_maximal_lottery(CYCLE)
    assert result.values.to_numpy() == pytest.approx([1 / 3, 1 / 3, 1 / 3])
    assert result.certificate.unique and result.method.startswith("the maximal lottery of sign(M)")


def test_c1_on_the_regular_five_tournament():
    # each alternative beats the next two (a > b, c; b > c, d; ...): every alternative wins 2 and loses 2; the
    # C1 lottery is uniform, whatever the margins (here a > b by 0.4, the other majorities by 0.2)
    names = ["a", "b", "c", "d", "e"]
    P = np.full((5, 5), 0.5)
    for i in range(5):
        for step in (1, 2):
            j = (i + step) % 5
            P[i, j], P[j, i] = 0.6, 0.4
    P[0, 1], P[1, 0] = 0.7, 0.3
    matrix = PreferenceMatrix(pd.DataFrame(P, index=names, columns=names))
    assert c1_maximal_lottery(matrix).values.to_numpy() == pytest.approx(np.full(5, 0.2))
    assert RULES["maximal_lottery"].compute(matrix).values["a"] != pytest.approx(0.2)  # the margins matter there


def test_c1_with_a_majority_tie_is_not_unique():
    p = Profile.parse("a > b > c\nb > a > c")  # a and b tie; both beat c: any mix of a and b is optimal
    result = c1_maximal_lottery(p)
    assert not result.certificate.unique and result.certificate.essential_set == ("a", "b")
    assert result.values.to_dict() == pytest.approx({"a": 0.5, "b": 0.5, "c": 0.0})  # the maximum-entropy member


def test_proportional_borda_by_hand():
    # Borda a 10, b 10, c 7 of 27 (= 9 voters x 3 points)
    assert proportional_borda(CYCLE).to_dict() == pytest.approx({"a": 10 / 27, "b": 10 / 27, "c": 7 / 27})
    # ties share positions: a = b > c gives 1.5, 1.5, 0 of 3
    assert proportional_borda(Profile.parse("a = b > c")).to_dict() == pytest.approx({"a": 0.5, "b": 0.5, "c": 0.0})
    assert proportional_borda(Profile.parse("a")).to_dict() == {"a": 1.0}


@settings(max_examples=40, deadline=None)
@given(weak_order_profiles(max_m=5, max_n=6))
def test_c1_lottery_is_maximal_for_the_majority_relation(p):
    M, _ = margin_matrix(p)
    G = np.sign(np.where(np.abs(M) > 1e-9, M, 0.0))
    q = c1_maximal_lottery(p).values.to_numpy()
    assert q.sum() == pytest.approx(1.0) and (q >= 0).all()
    assert (q @ G).min() >= -1e-9  # no alternative beats it in expectation
    assert c1_maximal_lottery(PreferenceMatrix(p.preference_matrix())).values.to_numpy() == pytest.approx(q)
