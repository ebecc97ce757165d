"""Issue 13, item 6: every link parameter whose value cannot be used gets the same notice: the parameter and the
value, why, what is accepted, and what is shown instead (the default or the session's own value)."""

from __future__ import annotations

import re

import pytest

from ui import state, urls

from .conftest import open_page
from .markdown import rendered

CASES = [
    ("rules", "k", "1000", "k = 4 (the default)"),
    ("testtime", "k", "1000", "k = 4 (the default)"),
    ("rules", "k", "2.5", "k = 4 (the default)"),
    ("rules", "beta", "0.001", "beta = 1 (the default)"),
    ("sampling", "beta", "nan", "beta = 1 (the default)"),
    ("rules", "D", "0.5,0.5", "uniform sampling (the default)"),
    ("rules", "temperature", "0.5", "the current population"),
    ("rules", "scenario", "nope", "the current population"),
    ("rules", "pop", "zzz", "the current population"),
    ("experiments", "experiment", "nope", "the first experiment"),
]


@pytest.mark.parametrize("path, param, value, fallback", CASES)
def test_every_bad_link_value_gets_the_same_notice(app, path, param, value, fallback):
    app.query_params[param] = value
    at = open_page(app, path)
    assert not at.exception
    notices = [rendered(w.value) for w in at.warning if "was not used" in rendered(w.value)]
    pattern = (
        rf"The link's {re.escape(param)}='{re.escape(value)}' was not used: .+\. "
        rf"Accepted: {re.escape(urls.ACCEPTED[param])}\. Showing {re.escape(fallback)} instead\."
    )
    assert len(notices) == 1 and re.fullmatch(pattern, notices[0]), notices
    assert at.session_state[state.POPULATION_KEY].fingerprint == state.default_population().fingerprint


def test_a_bad_value_falls_back_to_what_the_session_had_when_it_had_something():
    assert urls.bad_value("k", "1000", "too large", "k = 6 (the value you had)") == (
        "The link's k='1000' was not used: too large. Accepted: a whole number from 1 to 32. "
        "Showing k = 6 (the value you had) instead."
    )
