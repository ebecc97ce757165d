"""The Population page's comparison-log import: the mapping step (guessed columns, a 20-row preview, confirm)
turns an uploaded log into counts every page reads; a row the mapping cannot read is named."""

from __future__ import annotations

import pytest

from aggregation import AggregationError, ComparisonCounts, LogMapping
from ui import files, state

from .conftest import open_page
from .test_pages import table, texts

LOG = (
    b"model_a,model_b,winner,judge\nA,B,model_a,u1\nB,A,model_b,u2\nA,B,tie,u1\nB,A,model_a,u1\nC,B,tie (bothbad),u3\n"
)


def test_the_files_helpers_preview_and_import():
    columns, preview = files.log_preview("arena.csv", LOG)
    assert columns == ["model_a", "model_b", "winner", "judge"] and len(preview) == 5
    counts = files.import_log("arena.csv", LOG, LogMapping("model_a", "model_b", "winner", annotator="judge"))
    # by hand: A-B: A wins twice, one tie, B once -> P[A, B] = 5/8
    assert counts.preference_matrix().loc["A", "B"] == 5 / 8 and counts.n_annotators == 3
    with pytest.raises(AggregationError, match="a .csv, .jsonl or .parquet file"):
        files.log_preview("arena.xlsx", LOG)
    with pytest.raises(AggregationError, match="is a comparison log"):
        files.read_population_file("arena.csv", LOG)


def test_upload_map_preview_and_confirm(app, monkeypatch):
    # AppTest cannot drive a file uploader: the uploaded file is stood in for at the panel's one read
    class Uploaded:
        name = "arena.csv"

        def getvalue(self):
            return LOG

    import streamlit as st

    real = st.file_uploader
    monkeypatch.setattr(
        st, "file_uploader", lambda label, *a, **k: Uploaded() if k.get("key") == "log_file" else real(label, *a, **k)
    )
    at = open_page(app, "population")
    assert not at.exception and not at.error, texts(at.error)
    assert len(table(at, "log_preview")) == 5
    assert at.selectbox(key="log_model_a").value == "model_a"
    assert at.selectbox(key="log_annotator").value == "judge"
    assert "a tie counts half a win for each side" in texts(at.markdown)
    at.button(key="log_import_button").click().run()
    assert not at.exception and not at.error, texts(at.error)
    model = at.session_state[state.POPULATION_KEY]
    assert isinstance(model, ComparisonCounts) and model.n_comparisons == 5
    assert model.preference_matrix().loc["A", "B"] == 5 / 8
    # a winner value the mapping does not read: the row and column are named, the population is kept
    at.text_input(key="log_ties").set_value("tie").run()
    at.button(key="log_import_button").click().run()
    assert "row 5: the column 'winner' holds 'tie (bothbad)'" in texts(at.error)
    assert at.session_state[state.POPULATION_KEY].fingerprint == model.fingerprint
