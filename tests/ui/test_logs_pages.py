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


def _open(app, counts, page):
    app.session_state[state.POPULATION_KEY] = counts
    app.session_state[state.ORIGIN_KEY] = state.Origin("a log")
    at = open_page(app, page)
    assert not at.exception and not at.error, texts(at.error)
    return at


def test_the_sampling_page_bootstraps_nbc_and_the_rlhf_limit_on_a_log(app):
    # A beat B 400 of 400 (every resample keeps it); C and D split 60-60; pairs never compared count 1/2. NBC
    # under uniform D (Shirali et al. 2025, Definition 4.1): A (1 + 1/2 + 1/2 + 1/2) / 4 = 0.625 against at most
    # (3/2 + P[C, D]) / 4 < 0.625 for C or D while P[C, D] < 1: A wins every resample.
    counts = ComparisonCounts(["A", "B", "C", "D"], [0, 2], [1, 3], [400, 60], [0, 60])
    at = _open(app, counts, "sampling")
    frame = table(at, "sampling_bootstrap_winners")
    assert list(frame.index) == ["Normalized Borda count", "RLHF / DPO limit"]
    assert list(frame["winner on the data"]) == ["A", "A"]
    assert list(frame["winner in % of resamples"]) == ["100.0%", "100.0%"]
    assert "comparisons resampled per pair" in texts(at.caption)


def test_the_testtime_page_bootstraps_its_k_1_policies_on_a_log(app):
    # C beat D and E 50 of 50 each, D and E split 25-25: in every resample C is the Condorcet winner, so the
    # maximal lottery, MPNE_1 (= the maximal lottery, Cai & Zheng Prop. 3.2) and the robust policy put all their
    # mass on it, and RLHF's reward ranks it first.
    counts = ComparisonCounts(["C", "D", "E"], [0, 0, 1], [1, 2, 2], [50, 50, 25], [0, 0, 25])
    at = _open(app, counts, "testtime")
    frame = table(at, "testtime_bootstrap_winners")
    assert set(frame.index) == {"RLHF / DPO limit", "Maximal lottery (NLHF)", "MPNE_k", "Robust policy_k"}
    assert set(frame["winner on the data"]) == {"C"}
    assert set(frame["decided"]) == {"yes"}
    assert at.get_by_key("testtime_bootstrap_replicates").value == 200


def test_the_properties_page_says_its_verdicts_are_for_the_estimate(app):
    counts = ComparisonCounts(["C", "D", "E"], [0, 0, 1], [1, 2, 2], [50, 50, 25], [0, 0, 25])
    at = _open(app, counts, "properties")
    assert "P is estimated from 150 comparisons: each verdict below holds for that estimate." in texts(at.info)
