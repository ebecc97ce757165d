"""aggregation.outcome: the one place that decides winners and tie groups (by hand)."""

import numpy as np
import pandas as pd
import pytest

from aggregation import outcome


def series(**values):
    return pd.Series(values, dtype=float)


def test_relative_tolerance_by_hand():
    assert outcome.tie_tolerance(series(a=0.3, b=0.7)) == 1e-9  # values in [0, 1]: 1e-9
    assert outcome.tie_tolerance(series(a=-2e6, b=5.0, c=np.inf)) == pytest.approx(2e-3)  # finite values only
    assert outcome.MARGIN_TOLERANCE == outcome.TIE_RELATIVE


def test_groups_are_anchored_on_their_best_value():
    # 1e6-scale scores: tolerance 1e-3. b is 0.0009 below a (tied), c 0.0015 below a (not tied, although only
    # 0.0006 below b: groups do not chain)
    s = series(c=1e6 - 0.0015, a=1e6, b=1e6 - 0.0009, d=3.0)
    assert outcome.tie_groups(s) == [["a", "b"], ["c"], ["d"]]
    assert outcome.winners(s) == ["a", "b"] and outcome.lowest(s) == ["d"]


def test_ties_are_listed_in_the_population_order():
    s = series(R=7.0, G=2.0, B=7.0 - 1e-12, Y=2.0)
    assert outcome.tie_groups(s) == [["R", "B"], ["G", "Y"]]
    assert outcome.ranking_text(s) == "R = B > G = Y"
    assert outcome.ranking_text(series(R=7.0, G=2.0, B=6.0), lambda x: f"{x:g}") == "R 7 > B 6 > G 2"


def test_infinite_values_tie_with_each_other():
    s = series(a=0.0, b=-np.inf, c=-np.inf)
    assert outcome.tie_groups(s) == [["a"], ["b", "c"]] and outcome.lowest(s) == ["b", "c"]


def test_support_threshold():
    assert outcome.support(series(a=0.5, b=1e-9, c=0.5 - 1e-9, d=2e-9)) == ["a", "c", "d"]
