"""The teaching views of issue 14 through AppTest: the step-by-step stepper on the Rules page (its step in
the URL, Previous / Next, links that reopen a step), the Yee diagram page, and the titles and download
formats every chart carries.

Numbers of the default population (Jackpot, Figure 1: 2 x R > G > B, 3 x B > R > G), by hand: Borda
R 2*2 + 3 = 7, G 2, B 2*3 = 6; B beats R and G 3-2, so the maximal lottery is B for sure.
"""

from __future__ import annotations

import json
import re

import numpy as np
import plotly.graph_objects as go
import pytest

from ui import colours, figures, state
from ui.text import html

from .conftest import APP, open_page
from .markdown import rendered

POPULATION = state.DEFAULT_ORIGIN.title


def step_header(at) -> str:
    return next(rendered(m.value) for m in at.get_by_key("steps_nav").markdown).replace("**", "")


def body(at) -> str:
    return "\n".join(rendered(m.value) for m in at.get_by_key("steps_body").markdown)


def new_app():
    from streamlit.testing.v1 import AppTest

    return AppTest.from_file(str(APP), default_timeout=60)


def linked(app, params: dict, url_path: str = "rules"):
    """Open ``url_path`` the way a link does: the query string is there from the first run."""
    for key, value in params.items():
        app.query_params[key] = value
    return open_page(app, url_path)


def param(at, key: str) -> str | None:
    """A query parameter's value as the address bar shows it (AppTest may hold a list)."""
    value = at.query_params.get(key)
    return value[-1] if isinstance(value, list) else value


def charts(at) -> dict[str, dict]:
    """Each plotly chart's key -> its spec (``layout``, ``data``) and config."""
    out = {}
    for element in at.get("plotly_chart"):
        out[element.proto.id] = {"spec": json.loads(element.proto.spec), "config": json.loads(element.proto.config)}
    return out


def test_a_link_opens_the_step_it_names_and_next_previous_move_it(app):
    at = linked(app, {"trace": "borda", "step": "2"})
    assert not at.exception
    assert at.selectbox(key="steps_rule").value == "borda"
    assert step_header(at) == "Step 2 of 3 · Head to head"
    # the head-to-head table: R beats G with all 5 voters and B with 2; its row sum is the Borda score 7
    frame = at.get_by_key("steps_table").dataframe[0].value
    assert frame.loc["R", "Borda score"] == 7 and frame.loc["R", "G"] == 5 and np.isnan(frame.loc["R", "R"])
    at.button(key="steps_next").click().run()
    assert param(at, "step") == "3" and step_header(at) == "Step 3 of 3 · Points"
    assert "Borda picks R (7)." in body(at) and at.button(key="steps_next").disabled
    at.button(key="steps_previous").click().run()
    at.button(key="steps_previous").click().run()
    assert step_header(at) == "Step 1 of 3 · Places" and "step" not in at.query_params  # step 1 is the default
    assert at.button(key="steps_previous").disabled and param(at, "trace") == "borda"


def test_picking_a_rule_writes_the_link_and_starts_at_step_one(app):
    at = linked(app, {"trace": "borda", "step": "3"})
    at.selectbox(key="steps_rule").set_value("maximal_lottery").run()
    assert param(at, "trace") == "maximal_lottery" and "step" not in at.query_params
    assert step_header(at) == "Step 1 of 4 · The margin game"
    at.button(key="steps_next").click().run().button(key="steps_next").click().run()
    assert step_header(at) == "Step 3 of 4 · The certificate"
    text = body(at)
    assert "best responses are those at the minimum, 0: B" in text
    assert "In focus: :violet-background[**B**]" in text  # the lotteries' colour
    frame = at.get_by_key("steps_table").dataframe[0].value
    np.testing.assert_allclose(frame["p's margin over b"], [0.2, 0.2, 0.0], atol=1e-15)


def test_without_a_rule_nothing_is_computed_and_a_bad_link_is_explained(app):
    at = open_page(app, "rules")
    assert not at.exception and at.selectbox(key="steps_rule").value is None
    with pytest.raises(KeyError):
        at.get_by_key("steps_nav")
    assert not at.expander[0].proto.expanded
    at = linked(new_app(), {"trace": "no_such_rule", "step": "2"})
    assert not at.exception and "trace" not in at.query_params and "step" not in at.query_params
    assert any("'no_such_rule' is not a rule that applies" in rendered(w.value) for w in at.warning)
    at = linked(new_app(), {"trace": "<b>x</b>"})
    assert any("the link's rule '<b>x</b>' is not a rule id" in rendered(w.value) for w in at.warning)
    at = linked(new_app(), {"trace": "borda", "step": "two"})
    assert step_header(at) == "Step 1 of 3 · Places" and "step" not in at.query_params
    assert any(
        "The link's step='two' was not used: the link's step 'two' is not a number" in rendered(w.value)
        for w in at.warning
    )
    # a step beyond the last is the last
    at = linked(new_app(), {"trace": "plurality", "step": "9"})
    assert at.expander[0].proto.expanded
    assert step_header(at) == "Step 2 of 2 · Winner" and param(at, "step") == "2"


def test_a_rule_without_voters_is_not_offered_and_the_steps_follow_the_population(app):
    at = linked(app, {"trace": "average_reward"})
    assert "trace" not in at.query_params  # rankings carry no rewards
    assert "average_reward" not in at.selectbox(key="steps_rule").options


def test_every_chart_names_what_it_shows_and_the_population(app):
    at = open_page(app, "rules")
    specs = charts(at)
    titles = [c["spec"]["layout"]["title"]["text"] for c in specs.values()]
    assert any(t.startswith("Every rule on the same voters<br>") for t in titles)
    assert any(t.startswith("Majority margins M[a, b]<br>") for t in titles)
    lines = [" ".join(re.sub(r"<[^>]+>", " ", t).split()) for t in titles]  # the text, lines joined
    assert all(html(POPULATION) in line for line in lines), titles
    assert all(c["config"]["toImageButtonOptions"]["format"] == "png" for c in specs.values())
    names = {c["config"]["toImageButtonOptions"]["filename"] for c in specs.values()}
    assert {"rules-side-by-side", "majority-margins", "majority-graph"} <= names
    at.sidebar.button_group[0].set_value("svg").run()
    assert all(c["config"]["toImageButtonOptions"]["format"] == "svg" for c in charts(at).values())


def test_titled_escapes_and_makes_room():
    fig = go.Figure(layout=dict(height=300, margin=dict(t=30)))
    out = figures.titled(fig, "Yee diagram: <b>Borda</b>", "voters named $x$ & <i>co</i>")
    text = out.layout.title.text
    assert text.startswith("Yee diagram: &lt;b&gt;Borda&lt;/b&gt;<br>")
    assert "voters named &#36;x&#36; &amp; &lt;i&gt;co&lt;/i&gt;" in text
    assert out.layout.height == 300 + figures.TITLE_ROOM and out.layout.margin.t == 30 + figures.TITLE_ROOM
    long = figures.titled(fig, "T", "word " * 30)  # 150 characters: three lines
    assert long.layout.title.text.count("<br>") == 3
    assert long.layout.height == 300 + figures.TITLE_ROOM + 2 * figures.TITLE_LINE
    assert fig.layout.title.text is None  # the original is left alone
    own = figures.titled(go.Figure(layout=dict(title=dict(text="Trained policy"))), None, "P")
    assert own.layout.title.text.startswith("Trained policy<br>")
    with pytest.raises(ValueError):
        figures.titled(go.Figure(), None, "P")


def test_the_yee_page_draws_each_rule_with_its_title(app):
    at = open_page(app, "yee")
    assert not at.exception and not at.error
    specs = charts(at)
    titles = [c["spec"]["layout"]["title"]["text"] for c in specs.values()]
    assert len(titles) >= 2 and all(t.startswith("Yee diagram: ") for t in titles)
    assert all("voters around each point" in t for t in titles)
    names = [c["config"]["toImageButtonOptions"]["filename"] for c in specs.values()]
    assert all(n.startswith("yee-") for n in names)


def test_names_in_the_steps_are_text_not_markdown(app):
    """Alternative names are user text: the step's words, its chips and its table show them as typed."""
    from aggregation import Profile

    app.session_state[state.POPULATION_KEY] = Profile.parse(
        "2: *A* > [b](http://x.y) > C$1$\n1: C$1$ > *A* > [b](http://x.y)"
    )
    at = linked(app, {"trace": "plurality", "step": "2"})
    assert not at.exception
    words, chips = [m.value for m in at.get_by_key("steps_body").markdown]
    assert "\\*A\\*" in words and "picks the most first places: *A* (2, a share of 0.666667)." in rendered(words)
    assert chips == "In focus: :blue-background[**\\*A\\***]"  # the scoring rules' colour
    assert list(at.get_by_key("steps_table").dataframe[0].value.index) == ["*A*", "[b](http://x.y)", "C$1$"]


def test_yee_diagram_names_are_text_in_the_figure():
    from aggregation import yee_map

    yee = yee_map({"<b>x</b>": (-0.5, 0.0), "$y$": (0.5, 0.0)}, "plurality", grid=6, voters=8)
    fig = figures.yee_diagram(yee)
    assert list(fig.data[1].text) == ["&lt;b&gt;x&lt;/b&gt;", "&#36;y&#36;"]
    assert fig.data[0].z.shape == (6, 6, 3)
    # the left half is the first candidate's colour, the right half the second's
    left, right = (colours.alternative_colours(yee.names)[n] for n in yee.names)
    assert "#%02X%02X%02X" % tuple(fig.data[0].z[0, 0]) == left.upper()
    assert "#%02X%02X%02X" % tuple(fig.data[0].z[0, -1]) == right.upper()
