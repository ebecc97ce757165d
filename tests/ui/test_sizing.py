"""Readable at any size (issue 13): the figure builders at 3, 20, 100 and 200 alternatives. Shapes (bars per
panel, heatmap side), label counts and lengths, and no overlap by construction: a horizontal tick label is no
wider than its slot on a laptop's plot (ui.sizing.PLOT_PX), an upright one no taller than its slot, values are
written only where they fit, the ternary map's region labels stay clear of its markers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import presets
from ui import figures, numbers, simplex, sizing

SIZES = (3, 20, 100, 200)


def names(m: int) -> list[str]:
    """Long names with a shared prefix: cutting them to 14 characters must keep them apart."""
    return ["R", "G", "B"] if m == 3 else [f"response number {i:03d} of the model" for i in range(m)]


def scores(m: int, rules=("borda", "plurality", "copeland", "maximal_lottery", "rlhf")) -> pd.DataFrame:
    rng = np.random.default_rng(m)
    return pd.DataFrame(rng.random((len(rules), m)), index=list(rules), columns=names(m))


def margins(m: int) -> pd.DataFrame:
    rng = np.random.default_rng(m)
    P = rng.random((m, m))
    P = (P + (1 - P.T)) / 2
    np.fill_diagonal(P, 0.5)
    return pd.DataFrame(P - P.T, index=names(m), columns=names(m))


def no_overlap(labels, angle, font, slot):
    if angle == 0:
        return max(sizing.text_px(label, font) for label in labels) <= slot
    return font * 1.25 <= slot + 1e-9  # upright: a line's height per slot


@pytest.mark.parametrize("m", SIZES)
def test_rule_panels_draw_the_best_twelve_and_group_the_rest(m):
    table = scores(m)
    fig = figures.rule_panels(
        table,
        {r: r for r in table.index},
        {r: "points" for r in table.index},
        {r: [table.loc[r].idxmax()] for r in table.index},
    )
    width = (1 - 0.06 * 3) / 4
    for trace, rule in zip(fig.data, table.index):
        bars = len(trace.x)
        assert bars == (m if m <= sizing.TOP_N + 1 else sizing.TOP_N + 1)
        if m > sizing.TOP_N + 1:
            assert trace.x[-1] == f"{m - sizing.TOP_N} others"
            best = table.loc[rule].sort_values(ascending=False)
            assert set(trace.customdata[:-1]) == set(best.index[: sizing.TOP_N])
            assert trace.y[-1] == pytest.approx(best.iloc[sizing.TOP_N])  # the best of the rest
        assert all(len(label) <= sizing.LABEL_CHARS for label in trace.x[: sizing.TOP_N])
        assert len(set(trace.x)) == bars  # plotly merges equal names
        axis = fig.layout["xaxis" + ("" if rule == "borda" else str(list(table.index).index(rule) + 1))]
        slot = sizing.PLOT_PX * width / bars
        assert no_overlap(trace.x, axis.tickangle or 0, axis.tickfont.size, slot)
        written = trace.text is not None
        assert written == (m == 3)  # only where they fit
    assert fig.layout.height < 1600


def test_rule_panels_show_the_alternatives_picked():
    table = scores(100)
    picked = [names(100)[7], names(100)[42]]
    fig = figures.rule_panels(table, {r: r for r in table.index}, {r: "" for r in table.index}, {}, chosen=picked)
    assert list(fig.data[0].customdata) == [*picked, "98 others (the best of them)"]
    assert list(fig.data[0].text) == [
        numbers.decimal(table.iloc[0, 7]),
        numbers.decimal(table.iloc[0, 42]),
        "≤ " + numbers.decimal(table.iloc[0].drop(picked).max()),
    ]


IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.0 Mobile/15E148 Safari/604.1"
)
PIXEL = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36"
)
DESKTOP = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"
IPAD = (
    "Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/604.1"
)


def test_phones_are_told_apart_by_their_user_agent():
    assert sizing.is_phone(IPHONE) and sizing.is_phone(PIXEL)
    assert not sizing.is_phone(DESKTOP) and not sizing.is_phone(IPAD) and not sizing.is_phone(None)
    assert [sizing.panel_columns(n, False) for n in (1, 3, 4, 49)] == [1, 3, 4, 4]
    assert [sizing.panel_columns(n, True) for n in (1, 3, 49)] == [1, 2, 2]


@pytest.mark.parametrize("phone", [False, True])
def test_rule_panel_titles_never_reach_their_neighbours(phone):
    """Long rule names (the registry's longest) in four panels a row on a laptop, two on a phone: every title
    and unit line is cut to its panel's width, so no two titles of a row overlap; the hover has the whole."""
    table = scores(3, rules=("a", "b", "c", "d", "e"))
    titles = {r: f"Minimax (Simpson-Kramer) with a long explanation {r}" for r in table.index}
    units = {r: "minus the largest defeat by any other alternative" for r in table.index}
    fig = figures.rule_panels(table, titles, units, {}, phone=phone)
    columns = 2 if phone else 4
    domains = [fig.layout["xaxis" + ("" if i == 0 else str(i + 1))].domain for i in range(5)]
    assert [d[0] for d in domains[:columns]] == sorted({d[0] for d in domains})  # columns per row
    plot_px = sizing.PHONE_PLOT_PX if phone else sizing.PLOT_PX
    for note, (x0, x1) in zip(fig.layout.annotations, domains):
        title, unit = note.text.split("<br>")
        title = title.removeprefix("<b>").removesuffix("</b>")
        unit = unit.split(">", 1)[1].removesuffix("</span>")
        assert title.endswith("…") and unit.endswith("…")
        assert sizing.text_px(title, figures.FONT_SIZE + 1) <= (x1 - x0) * plot_px
        assert sizing.text_px(unit, 13) <= (x1 - x0) * plot_px
        assert note.hovertext.startswith("Minimax (Simpson-Kramer) with a long explanation")


def test_on_a_phone_the_heatmaps_top_labels_turn_upright_where_they_would_touch():
    """20 alternatives named "10" to "29": side by side they fit a laptop's slots (about 36 pixels each) but not
    a phone's (about 10 pixels), where they are turned upright, a line's height apart at most."""
    labels = [str(i) for i in range(10, 30)]
    M = pd.DataFrame(0.0, index=labels, columns=labels)
    laptop = figures.margin_heatmap(M, M.astype(str))
    phone = figures.margin_heatmap(M, M.astype(str), phone=True)
    assert laptop.layout.xaxis.tickangle == 0
    assert phone.layout.xaxis.tickangle == -90


@pytest.mark.parametrize("m", SIZES)
def test_margin_heatmap_is_ordered_capped_and_labelled_readably(m):
    M = margins(m)
    order = M.sum(axis=1)  # any rule's scores
    fig = figures.margin_heatmap(M, numbers.format_matrix(M, None), order=order)
    side = min(m, sizing.MAX_SIDE)
    trace = fig.data[0]
    assert np.shape(trace.z) == (side, side)
    expected = list(order.sort_values(ascending=False, kind="stable").index[:side])
    assert [row[0].split(" vs ")[0] for row in trace.customdata] == expected  # hover: full names, in order
    np.testing.assert_array_equal(trace.z, M.loc[expected, expected].to_numpy())
    assert all(len(label) <= sizing.LABEL_CHARS for label in trace.x) and len(set(trace.x)) == side
    assert (trace.text is not None) == (m <= 12)
    slot = 70 if m <= 12 else (sizing.PLOT_PX - fig.layout.margin.l - 100) / side  # full width above 12
    assert no_overlap(trace.x, fig.layout.xaxis.tickangle or 0, fig.layout.xaxis.tickfont.size, slot)
    assert fig.layout.height <= 1100  # was 4,000 pixels at 50 alternatives


@pytest.mark.parametrize("m", SIZES)
def test_grouped_bars_group_the_rest_and_write_values_only_where_they_fit(m):
    rng = np.random.default_rng(m)
    table = pd.DataFrame(rng.random((m, 3)), index=names(m), columns=["RLHF", "NLHF", "MPNE"])
    fig = figures.grouped_bars(table, yaxis="probability")
    groups = m if m <= sizing.TOP_N + 1 else sizing.TOP_N + 1
    assert all(len(t.x) == groups for t in fig.data)
    if m > sizing.TOP_N + 1:
        assert fig.data[0].x[-1] == f"{m - sizing.TOP_N} others"
        rest = table.loc[[n for n in table.index if n not in set(fig.data[0].customdata)]]
        assert [t.y[-1] for t in fig.data] == pytest.approx(list(rest.max(axis=0)))
    slot = sizing.PLOT_PX / groups
    assert no_overlap(fig.data[0].x, fig.layout.xaxis.tickangle or 0, fig.layout.xaxis.tickfont.size, slot)
    assert (fig.data[0].text is not None) == (m == 3)


@pytest.mark.parametrize("scenario", ["jackpot_majority", "hetero_sampling", "jackpot_cycle"])
def test_the_ternary_maps_labels_never_sit_under_its_markers(scenario):
    """The Sampling page's markers: the current D and uniform D (both the centre for these scenarios). The
    region's centroid, where the label used to be, is under the uniform marker for jackpot_majority."""
    population = presets.load(scenario).population
    P = population.preference_matrix().to_numpy()
    regions = simplex.nbc_regions(P)
    markers = [[1 / 3] * 3, [0.2, 0.2, 0.6]]
    fig = figures.nbc_ternary(
        population.alternatives, regions, [("current D", markers[0], "star"), ("other", markers[1], "circle")]
    )
    spots = [t for t in fig.data if t.mode == "text"]
    assert len(spots) == sum(len(r) > 0 for r in regions)
    for spot in spots:
        assert sizing.clearance([spot.a[0], spot.b[0], spot.c[0]], markers) > 0


def test_helpers_cut_names_apart_and_search_ignores_case():
    assert sizing.short_labels(["response number 1", "response number 2", "R"]) == [
        "response numb…",
        "response num…2",
        "R",
    ]
    assert sizing.search(["Alpha", "beta", "ALPINE"], "alp") == ["Alpha", "ALPINE"]
    values = pd.Series([3.0, np.nan, 5.0], index=list("abc"))
    assert sizing.pick(values, n=2) == (["a", "b", "c"], [])  # grouping one alone is no gain
    assert sizing.pick(values, n=1) == (["c"], ["a", "b"])  # NaN last
    assert sizing.table_height(10) == "content" and sizing.table_height(200) == 16 * 35 + 3


def test_the_rules_page_at_20_alternatives_offers_a_search_and_caps_its_table_and_charts(app):
    import json

    from aggregation import generate
    from ui import state

    from .conftest import open_page

    model = generate("impartial_culture", n_voters=200, alternatives=20, seed=1)
    app.session_state[state.POPULATION_KEY] = model
    at = open_page(app, "rules")
    assert not at.exception
    search = at.multiselect(key=f"focus_{model.fingerprint}")
    assert search.label == "Alternatives to show (20 in all; type to search)"
    charts = {
        json.loads(c.proto.spec)["layout"]["title"]["text"].split("<br>")[0]: json.loads(c.proto.spec)
        for c in at.get("plotly_chart")
    }
    bars = next(v for k, v in charts.items() if "Every rule" in k)
    assert {len(t["x"]) for t in bars["data"]} == {sizing.TOP_N + 1}
    assert all(t["x"][-1] == "8 others" for t in bars["data"])
    heat = next(v for k, v in charts.items() if "Majority margins" in k)
    assert heat["data"][0]["z"]["shape"] == "20, 20"
    assert "in Copeland order" in " ".join(c.value for c in at.caption)
    picked = list(model.alternatives[:2])
    search.set_value(picked).run()
    assert list(at.get_by_key("rules_table").dataframe[0].value.columns) == ["unit", *picked]
    bars = next(
        json.loads(c.proto.spec)
        for c in at.get("plotly_chart")
        if "Every rule" in json.loads(c.proto.spec)["layout"]["title"]["text"]
    )
    assert bars["data"][0]["customdata"] == [*picked, "18 others (the best of them)"]


def test_on_a_phone_a_chart_title_wraps_and_its_legend_moves_below_the_plot():
    """A long title and a legend of four entries above the plot: on a laptop as built; on a phone the title is
    cut into lines of at most PHONE_TITLE_WRAP characters and the legend goes below, one entry a line, the
    figure taller by the legend's lines so that the plot keeps its height."""
    import plotly.graph_objects as go

    fig = go.Figure(
        [go.Scatter(x=[1, 2], y=[1, 2], name=f"policy number {i}") for i in range(4)],
        layout=dict(
            height=400,
            showlegend=True,
            legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0),
            margin=dict(b=40),
        ),
    )
    title = "Robust k-sample win rate f(k) of each policy"
    laptop = figures.titled(fig, title, "Impartial culture generator, seed 0")
    phone = figures.titled(fig, title, "Impartial culture generator, seed 0", phone=True)
    assert laptop.layout.title.text.startswith(title + "<br>")
    heading = phone.layout.title.text.split("<br><span")[0].split("<br>")
    assert heading == ["Robust k-sample win rate f(k) of", "each policy"]
    assert laptop.layout.legend.orientation == "h" and laptop.layout.legend.y == 1.02
    assert (
        phone.layout.legend.orientation == "v"
        and phone.layout.legend.y == 0
        and phone.layout.legend.yref == "container"
    )
    below = figures.LEGEND_LINE * 4 + 10
    assert phone.layout.margin.b == 40 + below
    # one more line for the title and one for the population's name (35 characters: two lines of at most 32)
    assert phone.layout.height == laptop.layout.height + below + 2 * figures.TITLE_LINE
