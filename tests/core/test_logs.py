"""Comparison logs: import through DuckDB (CSV, JSON lines, Parquet) into ComparisonCounts, exact against the
seeded generator's own counts; the P convention (a tie counts half, DESIGN.md); mapping errors naming the
column and the row; the compact counts file and the population file."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import aggregation as ag
from aggregation import AggregationError, ComparisonCounts, LogMapping, read_comparison_log
from aggregation.logs import ARENA, PREFERENCES, guess_mapping


def write(path, text: str):
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
@pytest.mark.parametrize("population", ["rankings", "user types", "matrix"])
def test_import_equals_the_generators_exact_counts(tmp_path, fmt, population):
    pop = {
        "rankings": ag.mallows(60, 5, 0.5, seed=4),
        "user types": ag.reward_mixture(3, 4, seed=5),
        "matrix": ag.PreferenceMatrix(ag.mallows(60, 5, 0.5, seed=4).preference_matrix()),
    }[population]
    log = ag.generate_log(
        pop, 12_345, tmp_path / f"log.{fmt}", tie_probability=0.2, annotators=17, chunk_rows=4_000, seed=11
    )
    counts = read_comparison_log(log.path, log.mapping)
    assert counts.fingerprint == log.counts.fingerprint
    assert counts.n_comparisons == 12_345
    assert counts.n_annotators == 17
    assert counts.alternatives == pop.alternatives
    # the same seed draws the same log whatever the format or chunking
    again = ag.generate_log(pop, 12_345, None, tie_probability=0.2, annotators=17, chunk_rows=4_000, seed=11)
    assert again.counts.fingerprint == log.counts.fingerprint


def test_fifty_responses_import_sorted_with_the_same_counts(tmp_path):
    # an import lists responses sorted by name; the generator keeps the population's order (..., Z, A1, B1)
    pop = ag.mallows(40, 50, 0.9, seed=1)
    log = ag.generate_log(pop, 20_000, tmp_path / "log.parquet", tie_probability=0.1, annotators=30, seed=4)
    counts = read_comparison_log(log.path, log.mapping)
    assert counts.alternatives == sorted(pop.alternatives)
    order = counts.alternatives
    pd.testing.assert_frame_equal(counts.preference_matrix(), log.counts.preference_matrix().loc[order, order])
    pd.testing.assert_frame_equal(counts.ties(), log.counts.ties().loc[order, order])
    # every (pair, annotator) count, once both list the responses in the same order
    assert log.counts.restrict(order).fingerprint == counts.fingerprint


def test_generated_rows_follow_the_population(tmp_path):
    # 40,000 rows over 3 responses from one ranking A > B > C (no ties asked): A always beats B and C
    pop = ag.Profile.parse("1: A > B > C")
    log = ag.generate_log(pop, 40_000, tmp_path / "log.parquet", annotators=5, seed=0)
    P = log.counts.preference_matrix()
    assert P.loc["A", "B"] == 1.0 and P.loc["A", "C"] == 1.0 and P.loc["B", "C"] == 1.0
    frame = pd.read_parquet(tmp_path / "log.parquet")
    assert list(frame.columns) == list(ag.logs.LOG_COLUMNS)
    assert set(frame["winner"]) == {"model_a", "model_b"}
    assert set(frame["user_type"]) == {"1"}  # the ranking's row, 1-based


def test_indifference_makes_ties(tmp_path):
    pop = ag.Profile.parse("1: A = B > C")
    log = ag.generate_log(pop, 3_000, None, annotators=3, seed=2)
    assert log.counts.ties().loc["A", "B"] == log.counts.comparison_counts().loc["A", "B"] > 0
    assert log.counts.preference_matrix().loc["A", "B"] == 0.5
    flipped = ag.generate_log(pop, 3_000, None, annotators=3, seed=2, indifference_ties=False)
    assert flipped.counts.n_ties == 0


def test_a_tie_counts_half_for_each_side_by_hand(tmp_path):
    # A-B: A wins twice, one tie, B wins once -> P[A, B] = (2 + 1/2) / 4 = 5/8; B-C: one tie -> 1/2;
    # A-C never compared -> 1/2 and listed. Standard error of P[A, B]: scores 1, 1, 1/2, 0 have mean 5/8 and
    # second moment (1 + 1 + 1/4 + 0) / 4 = 9/16, so se = sqrt((9/16 - 25/64) / 4) = sqrt(11/256).
    path = write(
        tmp_path / "arena.csv",
        "model_a,model_b,winner,judge\n"
        "A,B,model_a,u1\nB,A,model_b,u2\nA,B,tie,u1\nB,A,model_a,u1\nC,B,tie (bothbad),u3\n",
    )
    counts = read_comparison_log(path, ARENA)
    P = counts.preference_matrix()
    assert P.loc["A", "B"] == 5 / 8 and P.loc["B", "A"] == 3 / 8
    assert P.loc["B", "C"] == 0.5 and P.loc["A", "C"] == 0.5
    assert counts.unobserved_pairs() == [("A", "C")]
    assert counts.standard_errors().loc["A", "B"] == pytest.approx(np.sqrt(11 / 256), abs=1e-15)
    assert counts.annotators == ["u1", "u2", "u3"]
    assert counts.n_ties == 2 and counts.n_comparisons == 5


def test_chosen_rejected_jsonl_and_case_insensitive_columns(tmp_path):
    path = write(
        tmp_path / "prefs.jsonl",
        '{"Chosen": "x", "Rejected": "y", "prompt": "p"}\n'
        '{"Chosen": "y", "Rejected": "x", "prompt": "p"}\n'
        '{"Chosen": "x", "Rejected": "z", "prompt": "q"}\n',
    )
    counts = read_comparison_log(path, PREFERENCES)
    assert not counts.has_annotators
    P = counts.preference_matrix()
    assert P.loc["x", "y"] == 0.5 and P.loc["x", "z"] == 1.0
    assert guess_mapping(ag.log_columns(path)) == LogMapping(chosen="Chosen", rejected="Rejected")


def test_custom_winner_values(tmp_path):
    path = write(tmp_path / "log.csv", "left,right,result\nA,B,LEFT\nA,B,draw\nB,A,right\n")
    mapping = LogMapping("left", "right", "result", a_wins=["left"], b_wins=["right"], ties=["draw"])
    P = read_comparison_log(path, mapping).preference_matrix()
    assert P.loc["A", "B"] == (2 + 0.5) / 3


@pytest.mark.parametrize(
    "text, mapping, message",
    [
        (
            "model_a,model_b,winner,judge\nA,B,model_a,j\nB,C,tie,j\nC,A,draw,j\n",
            ARENA,
            "row 3: the column 'winner' holds 'draw'",
        ),
        (
            "model_a,model_b,winner,judge\nA,B,model_a,j\nB,B,tie,j\n",
            ARENA,
            "row 2: 'model_a' and 'model_b' are both 'B'",
        ),
        ("model_a,model_b,winner,judge\nA,B,model_a,j\nA,,model_a,j\n", ARENA, "row 2: the column 'model_b' is empty"),
        (
            "model_a,model_b,winner,judge\nA,B,model_a,j\nA,C,model_a,\n",
            ARENA,
            "row 2: the annotator column 'judge' is empty",
        ),
        ("model_a,model_b,outcome\nA,B,model_a\n", ARENA, "the log has no column 'winner' (mapped as winner)"),
        ("model_a,model_b,winner,judge\nA,B\x07,model_a,j\n", ARENA, "row 1, column 'model_b'"),
    ],
)
def test_mapping_errors_name_the_column_and_the_row(tmp_path, text, mapping, message):
    path = write(tmp_path / "log.csv", text)
    with pytest.raises(AggregationError, match=None) as info:
        read_comparison_log(path, mapping)
    assert message in str(info.value)


def test_mapping_itself_is_checked():
    with pytest.raises(AggregationError, match="mixes the two styles"):
        LogMapping("a", "b", "w", chosen="c", rejected="r")
    with pytest.raises(AggregationError, match="no winner column"):
        LogMapping("a", "b")
    with pytest.raises(AggregationError, match="'a' is mapped twice"):
        LogMapping("a", "a", "w")
    with pytest.raises(AggregationError, match="listed under both a_wins and ties"):
        LogMapping("a", "b", "w", ties=["model_a"])


def test_unknown_format_and_missing_file(tmp_path):
    with pytest.raises(AggregationError, match="cannot tell the format"):
        read_comparison_log(write(tmp_path / "log.xlsx", "x"), ARENA)
    with pytest.raises(AggregationError, match="no such file"):
        read_comparison_log(tmp_path / "absent.csv", ARENA)


def test_count_cells_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(ag.bounds, "MAX_COUNT_CELLS", 2)
    monkeypatch.setitem(
        ag.bounds.LIMITS,
        "MAX_COUNT_CELLS",
        ag.bounds.LIMITS["MAX_COUNT_CELLS"].__class__("MAX_COUNT_CELLS", 2, "cells", "test"),
    )
    path = write(tmp_path / "log.csv", "model_a,model_b,winner,judge\nA,B,tie,1\nB,C,tie,1\nA,C,tie,1\n")
    with pytest.raises(AggregationError, match="MAX_COUNT_CELLS|3 distinct"):
        read_comparison_log(path, ARENA)


def test_counts_file_and_population_file_round_trip(tmp_path):
    counts = ag.generate_log(
        ag.mallows(30, 4, 0.7, seed=1), 2_000, None, tie_probability=0.1, annotators=7, seed=3
    ).counts
    ag.write_counts_file(counts, tmp_path / "c.parquet")
    assert ag.read_counts_file(tmp_path / "c.parquet").fingerprint == counts.fingerprint
    again = ag.read_population_json(json.dumps(ag.population_to_dict(counts)))
    assert isinstance(again, ComparisonCounts) and again.fingerprint == counts.fingerprint
    raw = tmp_path / "raw.parquet"
    pd.DataFrame({"model_a": ["A"], "model_b": ["B"], "winner": ["tie"]}).to_parquet(raw)
    with pytest.raises(AggregationError, match="not a population file of comparison counts"):
        ag.read_counts_file(raw)


def test_counts_population_matches_pairwise_data():
    data = ag.sample_comparisons(ag.mallows(40, 5, 0.6, seed=2), 3_000, seed=1)
    counts = ComparisonCounts.from_pairwise(data)
    assert np.array_equal(counts.preference_matrix().to_numpy(), data.preference_matrix().to_numpy())
    assert np.allclose(counts.standard_errors().to_numpy(), data.standard_errors().to_numpy(), equal_nan=True)
    assert counts.restrict(["A", "C"]).preference_matrix().loc["A", "C"] == data.preference_matrix().loc["A", "C"]
    assert ag.borda(counts).equals(ag.borda(data))


@pytest.mark.parametrize(
    "counts, message",
    [
        (
            {"first": ["A"], "second": ["B"], "first_wins": [True], "second_wins": [0], "ties": [0]},
            "counts.first_wins[0] must be a whole number, got True",
        ),
        (
            {"first": ["A"], "second": ["B"], "first_wins": [-1], "second_wins": [0], "ties": [0]},
            "must not be negative",
        ),
        (
            {"first": ["A"], "second": [7], "first_wins": [1], "second_wins": [0], "ties": [0]},
            "counts.second[0] must be text, got 7",
        ),
        (
            {"first": ["A", "B"], "second": ["B"], "first_wins": [1], "second_wins": [0], "ties": [0]},
            "the lists have different lengths",
        ),
        ({"first": ["A"], "second": ["A"], "first_wins": [1], "second_wins": [0], "ties": [0]}, "compared with itself"),
        ({"first": ["A"], "second": ["B"], "first_wins": [1], "ties": [0]}, "has no 'second_wins' list"),
        ({"first": ["A"], "second": ["B\nC"], "first_wins": [1], "second_wins": [0], "ties": [0]}, "line"),
    ],
)
def test_a_population_file_of_counts_refuses_bad_cells(counts, message):
    with pytest.raises(AggregationError) as info:
        ag.population_from_dict({"kind": "comparisons", "counts": counts})
    assert message in str(info.value)


@pytest.mark.parametrize("data", [b"", b"PAR1garbage", b"\x00" * 100, "not bytes"])
def test_a_counts_file_that_is_not_one_is_refused(data):
    with pytest.raises(AggregationError):
        ag.read_counts_file(data if isinstance(data, bytes) else data.encode())
