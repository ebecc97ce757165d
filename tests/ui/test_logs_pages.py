"""Pages on a population of comparison counts (an imported log): the Rules page shows the bootstrap next
to each rule (winner in X% of resamples, a flag below 95%, intervals) and the ratings family."""

from __future__ import annotations

from aggregation import ComparisonCounts
from ui import state

from .conftest import open_page
from .test_pages import table, texts


def _open_rules(app, counts):
    app.session_state[state.POPULATION_KEY] = counts
    app.session_state[state.ORIGIN_KEY] = state.Origin("a log")
    at = open_page(app, "rules")
    assert not at.exception and not at.error, texts(at.error)
    return at


def test_a_certain_answer_is_decided_and_an_even_one_is_flagged(app):
    # A beat B 400 times of 400; C and D split 60-60 and never met A or B; every pair not compared gets 1/2
    counts = ComparisonCounts(["A", "B", "C", "D"], [0, 2], [1, 3], [400, 60], [0, 60])
    at = _open_rules(app, counts)
    frame = table(at, "bootstrap_winners")
    assert frame.loc["Borda", "winner on the data"] == "A"
    assert frame.loc["Borda", "winner in % of resamples"] == "100.0%"
    assert frame.loc["Borda", "decided"] == "yes"
    # the ratings family on the log (their numbers are pinned by tests/rules/test_ratings.py)
    assert frame.loc["Bradley-Terry rating (Elo scale)", "winner on the data"] == "A"
    assert "Elo (online, arena)" in frame.index
    assert "Condorcet winner across resamples:** none in" in texts(at.markdown)
    assert "comparisons resampled per pair" in texts(at.caption)
    assert "an arena leaderboard (Bradley–Terry on the Elo scale) puts **A** first" in texts(at.markdown)


def test_an_undecided_winner_is_flagged(app):
    counts = ComparisonCounts(["C", "D"], [0], [1], [50], [50])
    at = _open_rules(app, counts)
    assert "The data cannot decide the winner" in texts(at.warning)
