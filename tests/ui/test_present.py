"""Presentation mode (issue 13, "For the classroom and the meeting room"): a link with ``present=1`` or the
sidebar's toggle; larger type, the introduction and the story folded to one line each, the sidebar closed."""

from __future__ import annotations

import json

import streamlit as st

from ui import explain, present

from streamlit.testing.v1 import AppTest

from .conftest import APP, open_page


def intro_expander(at):
    return [e for e in at.expander if e.label == "What this page shows"]


def story(at):
    return next(e for e in at.expander if e.label.startswith("Scenario: "))


def test_a_link_with_present_1_folds_the_introduction_and_the_story_and_enlarges_the_type(app):
    app.query_params["scenario"] = "jackpot_majority"  # a Rules-page scenario: its story is open there
    app.query_params[present.PARAM] = "1"
    at = open_page(app, "rules")
    assert not at.exception
    assert at.toggle(key=present.TOGGLE_KEY).value is True
    intro = intro_expander(at)
    assert len(intro) == 1 and not intro[0].proto.expanded
    assert explain.RULES_INTRO[:60] in intro[0].markdown[0].value
    assert not story(at).proto.expanded  # one line: the scenario's title
    assert story(at).label == "Scenario: The majority wants B, RLHF picks R"
    assert any("font-size: 20px" in h.proto.body for h in at.get("html"))
    assert at.query_params[present.PARAM] == "1"  # the URL keeps the mode for a copied link
    # the failure in one sentence (the browser test checks it is above the fold at 1366x768)
    assert any(
        m.value.startswith("On this population, Borda (the RLHF reward's order) puts **R** first") for m in at.markdown
    )


def test_without_the_link_the_page_is_as_before_and_the_toggle_switches_the_mode_on_and_off(app):
    app.query_params["scenario"] = "jackpot_majority"
    at = open_page(app, "rules")
    assert at.toggle(key=present.TOGGLE_KEY).value is False
    assert not intro_expander(at) and story(at).proto.expanded
    assert not any("font-size: 20px" in h.proto.body for h in at.get("html"))
    assert present.PARAM not in at.query_params
    at.toggle(key=present.TOGGLE_KEY).set_value(True).run()
    assert not at.exception
    assert intro_expander(at) and not story(at).proto.expanded
    assert at.query_params[present.PARAM] == "1"
    at.toggle(key=present.TOGGLE_KEY).set_value(False).run()
    assert not intro_expander(at) and present.PARAM not in at.query_params


def test_the_sidebar_is_closed_on_phones_and_while_presenting(app, monkeypatch):
    """``initial_sidebar_state``: "auto" (Streamlit keeps it closed on a narrow screen; the browser test
    checks a phone) or "collapsed" while presenting; never "expanded", which opens it over a phone's content."""
    seen = []
    original = st.set_page_config
    monkeypatch.setattr(st, "set_page_config", lambda **kw: (seen.append(kw["initial_sidebar_state"]), original(**kw)))
    app.run()
    assert seen[-1] == "auto"
    linked = AppTest.from_file(str(APP), default_timeout=60)
    linked.query_params[present.PARAM] = "1"
    linked.run()
    assert seen[-1] == "collapsed"


def test_every_chart_is_drawn_with_larger_type_while_presenting(app):
    app.query_params[present.PARAM] = "1"
    at = open_page(app, "rules")
    charts = at.get("plotly_chart")
    assert charts
    for chart in charts:
        layout = json.loads(chart.proto.spec)["layout"]
        assert layout["font"]["size"] == present.CHART_FONT_SIZE
