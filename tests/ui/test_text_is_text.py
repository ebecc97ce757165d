"""Text is text (issue 10): user-controlled strings render literally on every page, never as markdown,
LaTeX or HTML, in every message and every chart.

Every page is rendered (AppTest, from ``app.py``) with hostile alternative names, user type names, a
hostile origin title (what an uploaded file's name becomes) and hostile link parameters. Every element
that renders markdown (markdown, captions, alerts, titles, metric labels and values, widget labels,
radio options) is read: wherever a hostile string appears, it appears escaped (``ui.text.md``), and none
of the markup it carries (a link to example.com, an image from host, ``$x$``, a tag, bold) is left in the
source. Every plotly chart's strings hold names only HTML-escaped (``ui.text.html``). The browser test
(``tests/e2e/test_safe_inputs_browser.py``) checks the rendered DOM and the network.
"""

from __future__ import annotations

import json

import pytest

from aggregation import ComparisonCounts, Profile, RewardPopulation
from ui import state
from ui.text import html, md

from .conftest import open_page

LINK = "[Session expired: click](https://example.com)"
IMAGE = "![t](http://host/x.png)"
LATEX = "$x$"
TAG = "<a href=x>y</a>"
BOLD = "**b**"
HOSTILE = (LINK, IMAGE, LATEX, TAG, BOLD)
#: What must never be left in markdown source (after the escaped occurrences are removed).
MARKUP = ("](https://example.com)", "![t](", "$x$", "<a href", "**b**", ":red[")

POPULATIONS = {
    "user types with hostile names": (
        RewardPopulation(
            {
                ":red[T]": {LINK: 1.0, IMAGE: 0.0, LATEX: 2.0, TAG: -1.0},
                BOLD: {LINK: 0.0, IMAGE: 2.0, LATEX: 1.0, TAG: 0.5},
            },
            [2, 1],
            0.5,
        )
    ),
    "rankings with hostile names": Profile.parse(
        f"2: {LINK} > {IMAGE} > {LATEX}\n3: {LATEX} > {LINK} > {IMAGE}\n1: {BOLD} > {IMAGE}"
    ),
    "comparison counts with hostile names": ComparisonCounts(
        [LINK, IMAGE, LATEX, TAG],
        [0, 0, 1, 2],
        [1, 2, 2, 3],
        [30, 12, 9, 20],
        [10, 12, 11, 5],
        [2, 0, 1, 0],
        [0, 1, 0, 1],
        [BOLD, ":red[U]"],
    ),
}
PAGES = [None, "population", "rules", "sampling", "testtime", "properties", "ranked-choice", "fine-tuning"]
#: Elements whose text Streamlit renders as markdown, and the attributes that hold it.
MARKDOWN_ELEMENTS = {
    "markdown": ("value",),
    "caption": ("value",),
    "error": ("value",),
    "warning": ("value",),
    "info": ("value",),
    "success": ("value",),
    "title": ("value",),
    "header": ("value",),
    "subheader": ("value",),
    "metric": ("label", "value"),
    "expander": ("label",),
    "button": ("label",),
    "download_button": ("label",),
    "page_link": ("label",),
    "radio": ("label", "options"),
    "checkbox": ("label",),
    "toggle": ("label",),
    "selectbox": ("label",),
    "multiselect": ("label",),
    "number_input": ("label",),
    "text_input": ("label",),
    "text_area": ("label",),
    "slider": ("label",),
    "button_group": ("label", "options"),
    "tab": ("label",),
}


def walk(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from walk(child)


def markdown_sources(at) -> list[tuple[str, str]]:
    """``(element type, markdown source)`` of every element of the app that renders markdown."""
    out = []
    for node in walk(at._tree):
        attrs = MARKDOWN_ELEMENTS.get(getattr(node, "type", None), ())
        for attr in attrs:
            try:
                value = getattr(node, attr)
            except (AttributeError, ValueError, TypeError):
                continue
            for text in value if isinstance(value, (list, tuple)) else [value]:
                if isinstance(text, str):
                    out.append((node.type, text))
    return out


def chart_strings(at) -> list[str]:
    """Every string inside every plotly chart's spec."""
    strings = []

    def collect(value):
        if isinstance(value, str):
            strings.append(value)
        elif isinstance(value, dict):
            for key, item in value.items():
                collect(key)
                collect(item)
        elif isinstance(value, list):
            for item in value:
                collect(item)

    for node in walk(at._tree):
        if getattr(node, "type", None) == "plotly_chart":
            collect(json.loads(node.proto.spec))
    return strings


def assert_literal(at, hostile=HOSTILE) -> int:
    """Every hostile string shown in markdown is escaped, and no markup is left; returns how many
    escaped occurrences were found (the test must see the names, or it proves nothing)."""
    seen = 0
    for kind, source in markdown_sources(at):
        rest = source
        for text in sorted(hostile, key=len, reverse=True):
            seen += rest.count(md(text))
            rest = rest.replace(md(text), "")
        for markup in MARKUP:
            assert markup not in rest, f"{kind} renders {markup!r} as markdown: {source[:300]!r}"
    for text in chart_strings(at):
        assert "<a href" not in text and "$x$" not in text, f"a chart renders {text[:200]!r} as HTML or LaTeX"
    return seen


@pytest.mark.parametrize("population", list(POPULATIONS))
@pytest.mark.parametrize("url_path", PAGES)
def test_hostile_names_render_literally_on_every_page(app, population, url_path):
    app.session_state[state.POPULATION_KEY] = POPULATIONS[population]
    app.session_state[state.ORIGIN_KEY] = state.Origin(f"imported from {LINK}.txt (rankings in the text syntax)")
    at = open_page(app, url_path)
    assert not at.exception
    assert assert_literal(at) > 0
    if url_path in ("rules", "sampling", "testtime", "ranked-choice") and not at.error:
        # (ranked choice: a central ranking "A > B" cannot name an answer whose name holds ">"; it says so)
        strings = chart_strings(at)
        assert any(html(TAG) in s or html(LATEX) in s or html(LINK) in s for s in strings)


@pytest.mark.parametrize("param", ["scenario", "D", "temperature", "k", "beta", "job"])
def test_hostile_link_parameters_render_literally(app, param):
    """A crafted link (``/fine-tuning?job=[Session expired: click](https://example.com)``) leaves a notice that
    quotes the parameter as text, and the page keeps its state."""
    app.query_params[param] = LINK
    at = open_page(app, "fine-tuning")
    assert not at.exception
    assert assert_literal(at, (LINK, "Session expired: click")) > 0
    warnings = " ".join(w.value for w in at.warning)
    assert "example" in warnings and "https\\:\u2060//example\\.com" in warnings


def test_the_escaping_helpers():
    """md escapes every markdown, GFM and Streamlit sign; html every HTML sign and plotly's $; both work
    character by character, and line breaks become spaces."""
    assert md(LINK) == r"\[Session expired\: click\]\(https\:" + "\u2060" + r"//example\.com\)"
    assert md(IMAGE) == r"\!\[t\]\(http\:" + "\u2060" + r"//host/x\.png\)"
    assert md("www.x.org a@b.co") == "www\u2060\\.x\\.org a\\@\u2060b\\.co"  # no literal autolink either
    assert md(TAG) == r"\<a href\=x\>y\</a\>"
    assert md("a\nb\r\nc\u2028d") == "a b c d"
    assert md(LINK + TAG) == md(LINK) + md(TAG)
    assert html(TAG) == "&lt;a href=x&gt;y&lt;/a&gt;"
    assert html("$x$ & y") == "&#36;x&#36; &amp; y"
    assert md(3) == "3" and html(None) == "None"
