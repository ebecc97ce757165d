"""Export the current page as a self-contained HTML report (issue 13): title, date, population, settings, every
chart (plotly.js embedded once, so that the file opens offline) and every table; user text escaped."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd

from ui import reports

from .conftest import open_page

NOW = dt.datetime(2026, 11, 27, 21, 5, tzinfo=dt.timezone.utc)


def test_the_rules_page_exports_its_charts_tables_population_and_settings(app):
    app.query_params["scenario"] = "jackpot_majority"
    at = open_page(app, "rules")
    assert not at.exception
    button = at.sidebar.get("download_button")
    assert [b.proto.label for b in button] == ["Export this page (HTML report)"]
    record = at.session_state[reports.RECORD_KEY]
    assert record.title == "Rules side by side"
    assert [title for title, _ in record.figures] == [
        "Every rule on the same voters",
        "Majority margins M[a, b]",
        "Majority graph",
    ]
    assert [name for name, _ in record.tables] == ["rules_table"]
    text = reports.build(
        record,
        population="The majority wants B, RLHF picks R",
        alternatives=["R", "G", "B"],
        settings={"β (KL strength of RLHF / DPO)": "1", "Sampling distribution D": "uniform"},
        now=NOW,
    )
    assert text.startswith("<!DOCTYPE html>")
    assert "<title>Rules side by side · The majority wants B, RLHF picks R · 2026-11-27 21:05 UTC</title>" in text
    assert "<p class='meta'>Exported 2026-11-27 21:05 UTC from the aggregation-rules dashboard.</p>" in text
    assert "<p>3 alternatives: R, G, B</p>" in text
    assert "<tr><th>β (KL strength of RLHF / DPO)</th><td>1</td></tr>" in text
    assert text.count("<div class='figure' title=") == 3
    assert "<h3>Rules table</h3>" in text
    assert text.count("Plotly.newPlot") == 3  # every chart drawn ...
    assert text.count("plotly.js v") == 1  # ... by one embedded copy of plotly.js
    assert not re.search(r"<script[^>]*\bsrc=", text)  # self-contained: no script to fetch
    assert not re.search(r"<link[^>]*\bhref=", text)
    # the table's numbers: Borda 7, 2, 6 (Figure 1 of the Jackpot paper, section 3.1)
    assert "<th>Borda</th>" in text and "<td>7</td>" in text and "<td>6</td>" in text


def test_user_text_in_a_report_is_escaped():
    hostile = "<script>alert(1)</script>"
    record = reports.Record("Rules side by side", "Intro with **bold** and [a link](https://example.com).")
    record.tables.append(("rules_table", pd.DataFrame({hostile: [1.0]}, index=["Borda"])))
    text = reports.build(record, population=hostile, alternatives=[hostile, "B"], settings={"D": hostile}, now=NOW)
    assert "<script>alert" not in text
    assert text.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 5  # title, population, list, setting, column
    assert "<p>Intro with bold and a link.</p>" in text


def test_every_page_starts_its_own_record(app):
    at = open_page(app, "properties")
    record = at.session_state[reports.RECORD_KEY]
    assert record.title == "Properties" and record.figures == []  # nothing left from another page
    at.switch_page("pages/sampling.py").run()
    record = at.session_state[reports.RECORD_KEY]
    assert record.title == "Sampling distribution" and len(record.figures) == 2
