"""Plotly figure builders. Each takes plain data (Series, DataFrames, lists) and returns a
``go.Figure``; none calls Streamlit, so they are testable on their own and AppTest can read
their JSON spec. Sizes and fonts are chosen to stay legible on a projector.

Plotly renders a subset of HTML in every label; names (alternatives, policies, columns) enter a figure
only through :func:`ui.text.html`, so a name such as ``<a href=x>y</a>`` is drawn as typed.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from .colours import alternative_colours, series_colour, series_style
from . import sizing
from .numbers import decimal
from .text import html

FONT_SIZE = 15
#: A legend in one row above the plot (a phone moves it below: :func:`titled`).
LEGEND_ABOVE = dict(orientation="h", yanchor="bottom", y=1.02, x=0)
#: Every series colour comes from :mod:`ui.colours` (one assignment per rule id and per alternative);
#: pages and tests read the palettes from there.
WINNER = "#B8860B"
GRID = "rgba(0,0,0,0.08)"


def _base(
    fig: go.Figure,
    *,
    height: int,
    title: str | None = None,
    top: int = 30,
    left: int = 10,
    bottom: int = 10,
    right: int = 10,
) -> go.Figure:
    fig.update_layout(
        height=height,
        font=dict(size=FONT_SIZE, family="Source Sans Pro, Arial, sans-serif", color="#222"),
        margin=dict(l=left, r=right, t=70 if title else top, b=bottom),
        paper_bgcolor="white",
        title=dict(text=title, x=0, xanchor="left", font=dict(size=FONT_SIZE + 3)) if title else None,
        plot_bgcolor="white",
        showlegend=False,
    )
    return fig


def rule_panels(
    scores: pd.DataFrame,
    titles: Mapping[str, str],
    units: Mapping[str, str],
    winners: Mapping[str, Sequence[str]],
    *,
    chosen: Sequence[str] = (),
    phone: bool = False,
) -> go.Figure:
    """One small bar chart per rule (rows of ``scores``), each in its own unit, the winners starred.

    Four panels side by side, two on a phone (``phone``: :func:`ui.sizing.is_phone`); a panel's title and
    unit are cut to the panel's width (the whole title is in the title's hover), so neighbours never overlap.

    Readable at any size (:mod:`ui.sizing`): a panel draws at most ``sizing.TOP_N`` alternatives (``chosen``,
    else that rule's best) and one grey bar "N others" as high as the best of the rest; tick labels are cut
    to ``sizing.LABEL_CHARS`` characters (the hover has the name) and turned upright when they would not fit
    side by side; values are written on the bars only where they fit.

    The grid is laid out by hand (axis domains, titles as annotations) and the figure is built in
    one go: plotly's ``make_subplots`` and per-panel updates cost ~0.1 s on every rerun.
    """
    rules = list(scores.index)
    names = list(scores.columns)
    colours = alternative_colours(names)
    columns = sizing.panel_columns(len(rules), phone)
    rows = math.ceil(len(rules) / columns)
    h_gap = 0.06
    width = (1 - h_gap * (columns - 1)) / columns
    panel_px = (sizing.PHONE_PLOT_PX if phone else sizing.PLOT_PX) * width
    title_chars, unit_chars = sizing.fit_chars(panel_px, FONT_SIZE + 1), sizing.fit_chars(panel_px, 13)
    panels = []
    for rule in rules:
        shown, rest = sizing.pick(scores.loc[rule], chosen=chosen)
        labels = [html(label) for label in sizing.short_labels(shown)]
        values = scores.loc[rule, shown].to_numpy(float)
        best = set(winners.get(rule, []))
        marker_colours = [colours[n] for n in shown]
        lines = [WINNER if n in best else "rgba(0,0,0,0)" for n in shown]
        full = [html(n) for n in shown]
        text = [("★ " if n in best else "") + decimal(float(v)) for n, v in zip(shown, values)]
        if rest:
            others = scores.loc[rule, rest].to_numpy(float)
            finite_rest = others[np.isfinite(others)]
            high = float(finite_rest.max()) if finite_rest.size else float("nan")
            labels.append(sizing.others_label(len(rest)))
            values = np.append(values, high)
            marker_colours.append(sizing.OTHERS_COLOUR)
            lines.append("rgba(0,0,0,0)")
            full.append(f"{sizing.others_label(len(rest))} (the best of them)")
            text.append(("≤ " + decimal(high)) if np.isfinite(high) else "")
        slot = panel_px / len(labels)
        angle = sizing.tick_angle(labels, slot, FONT_SIZE + 2)
        font = sizing.tick_font(slot, FONT_SIZE + 2, angle)
        panels.append(
            (
                rule,
                labels,
                values,
                marker_colours,
                lines,
                full,
                text,
                angle,
                font,
                sizing.values_fit(len(labels), slot, FONT_SIZE),
            )
        )
    room = max(sizing.label_room(p[1], p[7], p[8]) for p in panels)
    plot_px, gap_px, top_px, bottom_px = 240, 60 + room, 80, 20 + room
    total = rows * plot_px + (rows - 1) * gap_px
    height = plot_px / total
    v_gap = gap_px / total
    traces, layout, annotations = [], {}, []
    for i, (rule, labels, values, marker_colours, lines, full, text, angle, font, fits) in enumerate(panels):
        row, col = divmod(i, columns)
        x0 = col * (width + h_gap)
        y1 = 1 - row * (height + v_gap)
        suffix = str(i + 1) if i else ""
        traces.append(
            dict(
                type="bar",
                x=labels,
                y=values,
                xaxis=f"x{suffix}",
                yaxis=f"y{suffix}",
                name=html(titles[rule]),
                customdata=full,
                marker=dict(color=marker_colours, line=dict(color=lines, width=3)),
                text=text if fits else None,
                textposition="outside",
                cliponaxis=False,
                constraintext="none",
                textfont=dict(size=FONT_SIZE),
                hovertemplate="%{customdata}: %{y:.6g}<extra>" + html(titles[rule]) + "</extra>",
            )
        )
        finite = values[np.isfinite(values)]
        top = max(float(finite.max()), 0.0) if finite.size else 1.0
        low = min(float(finite.min()), 0.0) if finite.size else 0.0  # negative scores (minimax, Dodgson)
        span = max(top - low, 1e-9)
        layout[f"xaxis{suffix}"] = dict(
            domain=[max(x0, 0.0), min(x0 + width, 1.0)],
            anchor=f"y{suffix}",
            tickfont=dict(size=font),
            tickangle=angle,
            automargin=False,
            tickmode="array",
            tickvals=labels,
        )  # every label: they fit
        layout[f"yaxis{suffix}"] = dict(
            domain=[max(0.0, y1 - height), min(1.0, y1)],
            anchor=f"x{suffix}",  # rounding
            range=[low - 0.3 * span if low < 0 else 0, top + 0.3 * span],
            showticklabels=False,
            gridcolor=GRID,
            zeroline=True,
            zerolinecolor="#999",
        )
        annotations.append(
            dict(
                text=f"<b>{html(sizing.short(titles[rule], title_chars))}</b><br>"
                f"<span style='font-size:13px'>{html(sizing.short(units[rule], unit_chars))}</span>",
                hovertext=html(f"{titles[rule]}: {units[rule]}"),
                x=x0 + width / 2,
                y=y1,
                xref="paper",
                yref="paper",
                xanchor="center",
                yanchor="bottom",
                showarrow=False,
                font=dict(size=FONT_SIZE),
            )
        )
    fig = go.Figure(data=traces, layout=dict(layout, annotations=annotations))
    return _base(fig, height=int(total + top_px + bottom_px), top=top_px, bottom=int(bottom_px))


def margin_heatmap(
    M: pd.DataFrame,
    text: pd.DataFrame,
    *,
    condorcet: str | None = None,
    smith: Sequence[str] = (),
    order: pd.Series | None = None,
    phone: bool = False,
) -> go.Figure:
    """The majority margin matrix, rows against columns, on a diverging scale centred at 0.

    Rows and columns follow ``order`` (a rule's scores, best first; default: as given) and at most
    ``sizing.MAX_SIDE`` of them are drawn (the first ones in that order; the page offers the whole matrix as
    a CSV). Labels are cut to ``sizing.LABEL_CHARS`` characters (the hover names both in full), turned
    upright on the top axis when they do not fit side by side, and the margins are written in the cells up
    to 12 alternatives. Above 12 it assumes the full width of the page (``sizing.PLOT_PX``, on a phone
    ``sizing.PHONE_PLOT_PX``, where the labels turn upright sooner): the Rules page then draws it alone on its
    row."""
    names = sizing.ordered(list(M.index), order)[: sizing.heatmap_side(len(M))]
    z = M.loc[names, names].to_numpy(float)
    short = dict(zip(names, sizing.short_labels(names)))
    labels = [
        f"★ {html(short[n])}"
        if n == condorcet
        else (f"{html(short[n])} ◆" if n in smith and len(smith) < len(M) else html(short[n]))
        for n in names
    ]
    show_text = len(names) <= 12
    cell = 70 if show_text else 26  # row height; above 12 the page gives it the full width
    font = FONT_SIZE + 2 if show_text else 12
    left = 20 + sizing.text_px(max(labels, key=len), font)
    plot_px = sizing.PHONE_PLOT_PX if phone else sizing.PLOT_PX
    slot = cell if show_text else max(plot_px - left - 100, 1.0) / len(names)  # 100: the colour bar
    angle = sizing.tick_angle(labels, slot, font)
    hover = [[f"{html(a)} vs {html(b)}" for b in names] for a in names]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=labels,
            y=labels,
            zmin=-1,
            zmax=1,
            colorscale="PRGn",
            customdata=hover,
            text=text.loc[names, names].to_numpy() if show_text else None,
            texttemplate="%{text}" if show_text else None,
            textfont=dict(size=FONT_SIZE + 1),
            xgap=2 if show_text else 1,
            ygap=2 if show_text else 1,
            colorbar=dict(thickness=14, len=0.8, tickvals=[-1, -0.5, 0, 0.5, 1]),
            hovertemplate="%{customdata}: margin %{z:.4g}<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed", tickfont=dict(size=font), ticksuffix="  ")
    fig.update_xaxes(side="top", tickfont=dict(size=font), tickangle=angle, tickmode="array", tickvals=labels)
    fig.update_yaxes(tickmode="array", tickvals=labels)
    room = sizing.label_room(labels, angle, font)
    return _base(fig, height=max(340, cell * len(names) + 90 + int(room)), top=20 + int(room), left=int(left))


def majority_graph(
    names: Sequence[str],
    edges: Sequence[tuple[str, str, float]],
    *,
    condorcet: str | None,
    smith: Sequence[str],
    edge_text: Mapping[tuple[str, str], str] | None = None,
) -> go.Figure:
    """Alternatives on a circle; an arrow a → b when a strict majority prefers a to b, labelled with the
    margin. The Condorcet winner is gold, Smith set members are ringed."""
    m = len(names)
    angle = np.pi / 2 - 2 * np.pi * np.arange(m) / m
    pos = {n: (float(np.cos(t)), float(np.sin(t))) for n, t in zip(names, angle)}
    colours = alternative_colours(names)
    annotations = []  # built as plain dicts and set once: add_annotation per edge is ~10 ms each
    for a, b, margin in edges:
        (x0, y0), (x1, y1) = pos[a], pos[b]
        shrink = 0.16
        dx, dy = x1 - x0, y1 - y0
        length = math.hypot(dx, dy)
        ux, uy = dx / length, dy / length
        annotations.append(
            dict(
                x=x1 - ux * shrink,
                y=y1 - uy * shrink,
                ax=x0 + ux * shrink,
                ay=y0 + uy * shrink,
                xref="x",
                yref="y",
                axref="x",
                ayref="y",
                showarrow=True,
                arrowhead=3,
                arrowsize=1.4,
                arrowwidth=2.2,
                arrowcolor="#555",
                text="",
            )
        )
        label = html(edge_text.get((a, b)) if edge_text else decimal(margin))
        annotations.append(
            dict(
                x=(x0 + x1) / 2,
                y=(y0 + y1) / 2,
                text=label,
                showarrow=False,
                font=dict(size=FONT_SIZE - 1, color="#333"),
                bgcolor="rgba(255,255,255,0.85)",
            )
        )
    fig = go.Figure(layout=dict(annotations=annotations))
    in_smith = set(smith) if len(smith) < m else set()
    fig.add_trace(
        go.Scatter(
            x=[pos[n][0] for n in names],
            y=[pos[n][1] for n in names],
            mode="markers+text",
            text=[html(n) for n in names],
            textfont=dict(size=FONT_SIZE + 3, color="white"),
            marker=dict(
                size=54,
                color=[WINNER if n == condorcet else colours[n] for n in names],
                line=dict(width=[6 if n in in_smith else 1 for n in names], color="#222"),
            ),
            hovertemplate="%{text}<extra></extra>",
        )
    )
    fig.update_xaxes(visible=False, range=[-1.45, 1.45])
    fig.update_yaxes(visible=False, range=[-1.35, 1.35], scaleanchor="x")
    return _base(fig, height=420)


def grouped_bars(table: pd.DataFrame, *, yaxis: str, title: str | None = None, chosen: Sequence[str] = ()) -> go.Figure:
    """Bars per alternative (rows of ``table``), one bar per column (a rule, a policy or a model, in its
    colour of :func:`ui.colours.series_style`), with values written on them
    (shorter and smaller when the bars are many, none where they would not fit: the hover still shows them).

    Readable at any size (:mod:`ui.sizing`): at most ``sizing.TOP_N`` alternatives (``chosen``, else those with
    the highest bar) and one grey group "N others" holding the highest value of the rest per column; tick
    labels cut to ``sizing.LABEL_CHARS`` characters (full names in the hover), upright when they do not fit."""
    shown, rest = sizing.pick(table.max(axis=1), chosen=chosen)
    labels = [html(label) for label in sizing.short_labels(shown)]
    full = [html(a) for a in shown]
    body = table.loc[shown]
    if rest:
        labels.append(sizing.others_label(len(rest)))
        full.append(f"{sizing.others_label(len(rest))} (the highest of them)")
        body = pd.concat([body, table.loc[rest].max(axis=0).to_frame(labels[-1]).T])
    bars = body.size
    digits, size = (4, FONT_SIZE) if bars <= 6 else (3, FONT_SIZE - 3)
    slot = sizing.PLOT_PX / max(len(labels), 1)
    write = bars <= 40 and sizing.values_fit(bars, slot / max(len(table.columns), 1), size)  # one bar's slot
    angle = sizing.tick_angle(labels, slot, FONT_SIZE + 3)
    font = sizing.tick_font(slot, FONT_SIZE + 3, angle)
    traces = [
        dict(
            type="bar",
            x=labels,
            y=body[column].to_numpy(float),
            name=html(column),
            customdata=full,
            marker=dict(color=series_style(column)[0], pattern=dict(shape=series_style(column)[1])),
            textposition="outside",
            cliponaxis=False,
            text=[decimal(float(v), digits) for v in body[column].to_numpy(float)] if write else None,
            textfont=dict(size=size),
            hovertemplate="%{customdata}: %{y:.6g}<extra>" + html(column) + "</extra>",
        )
        for column in table.columns
    ]
    fig = go.Figure(
        data=traces,
        layout=dict(
            barmode="group",
            legend=LEGEND_ABOVE,
            yaxis=dict(title=dict(text=yaxis), gridcolor=GRID, rangemode="tozero", automargin=True),
            xaxis=dict(tickfont=dict(size=font), tickangle=angle, tickmode="array", tickvals=labels),
        ),
    )
    room = sizing.label_room(labels, angle, font)
    fig = _base(
        fig,
        height=420 + int(room),
        title=None if title is None else html(title),
        top=60,
        left=90,
        bottom=int(30 + room),
    )
    fig.update_layout(showlegend=True)
    return fig


def nbc_ternary(
    names: Sequence[str], regions: Sequence[np.ndarray], markers: Sequence[tuple[str, Sequence[float], str]]
) -> go.Figure:
    """The simplex of sampling distributions D over three alternatives, coloured by the alternative
    NBC puts first; ``markers`` are ``(label, D, symbol)`` points drawn on top (D in ``names`` order;
    the first marker is drawn last, on top). Each region's label sits where no marker covers it
    (:func:`ui.sizing.ternary_label_spot`)."""
    colours = alternative_colours(names)
    traces = []
    for name, polygon in zip(names, regions):
        if len(polygon) == 0:
            continue
        closed = np.vstack([polygon, polygon[:1]])
        traces.append(
            dict(
                type="scatterternary",
                a=closed[:, 0],
                b=closed[:, 1],
                c=closed[:, 2],
                mode="lines",
                fill="toself",
                fillcolor=colours[name],
                opacity=0.35,
                line=dict(color=colours[name], width=1),
                name=f"{html(name)} first",
                hoverinfo="name",
            )
        )
        centre = sizing.ternary_label_spot(polygon, [D for _, D, _ in markers])  # never under a marker
        traces.append(
            dict(
                type="scatterternary",
                a=[centre[0]],
                b=[centre[1]],
                c=[centre[2]],
                mode="text",
                text=[f"<b>{html(name)} first</b>"],
                textfont=dict(size=FONT_SIZE + 2, color="#222"),
                showlegend=False,
                hoverinfo="skip",
            )
        )
    for label, D, symbol in reversed(markers):
        traces.append(
            dict(
                type="scatterternary",
                a=[D[0]],
                b=[D[1]],
                c=[D[2]],
                mode="markers",
                name=html(label),
                marker=dict(symbol=symbol, size=20, color="#111", line=dict(width=2, color="white")),
                hovertemplate=f"{html(label)}<br>{html(names[0])} %{{a:.4f}}<br>{html(names[1])} %{{b:.4f}}<br>"
                f"{html(names[2])} %{{c:.4f}}<extra></extra>",
            )
        )
    axis = dict(
        min=0, linewidth=2, ticks="outside", tickformat=".1f", gridcolor=GRID, tickfont=dict(size=FONT_SIZE - 2)
    )
    fig = go.Figure(
        data=traces,
        layout=dict(
            ternary=dict(
                sum=1,
                aaxis=dict(title=dict(text=f"D({html(names[0])})"), **axis),
                baxis=dict(title=dict(text=f"D({html(names[1])})"), **axis),
                caxis=dict(title=dict(text=f"D({html(names[2])})"), **axis),
                bgcolor="white",
            )
        ),
    )
    fig = _base(fig, height=560)
    fig.update_layout(
        showlegend=True, legend=dict(orientation="v", yanchor="top", y=1, x=1.02), margin=dict(l=70, r=40, t=60, b=70)
    )
    return fig


def kwin_curves(curve: pd.DataFrame, k: int, marker: tuple[str, float] | None = None) -> go.Figure:
    """Robust k-sample win rate f(k) of each policy (columns of ``curve``, rows = k) against the
    k/(k+1) guarantee (the column ``"k/(k+1)"``, dashed); a vertical line at the chosen ``k`` and,
    optionally, one more point there (``marker``). Every rate is exact or integrated to far below
    a pixel, so no error bars are drawn."""
    ks = [int(x) for x in curve.index]
    traces = []
    policies = [c for c in curve.columns if c != "k/(k+1)"]
    for name in policies:
        traces.append(
            dict(
                type="scatter",
                x=ks,
                y=curve[name].to_numpy(float),
                name=html(name),
                mode="lines+markers",
                line=dict(color=series_colour(name), width=3),
                marker=dict(size=8),
                hovertemplate="k = %{x}: %{y:.4f}<extra>" + html(name) + "</extra>",
            )
        )
    traces.append(
        dict(
            type="scatter",
            x=ks,
            y=curve["k/(k+1)"].to_numpy(float),
            name="k/(k+1) guarantee",
            mode="lines",
            line=dict(color="#111", width=2, dash="dash"),
            hovertemplate="k = %{x}: k/(k+1) = %{y:.4f}<extra></extra>",
        )
    )
    if marker is not None:
        label, value = marker
        traces.append(
            dict(
                type="scatter",
                x=[k],
                y=[value],
                name=label,
                mode="markers",
                marker=dict(symbol="star", size=18, color=WINNER, line=dict(width=1, color="#222")),
                hovertemplate=f"{label}: %{{y:.4f}}<extra></extra>",
            )
        )
    return _curves(traces, ks, k, "k (samples drawn, the best one kept)", "robust k-sample win rate f(k)", 460)


def resampling_curve(table: pd.DataFrame, k: int) -> go.Figure:
    """Theorem 4.5: a policy computed for ``k`` sampled l times (rows of ``table``, columns
    ``"robust rate"`` and ``"bound min(k, l)/(k+1)"``, dashed), with a vertical line at l = k."""
    ls = [int(x) for x in table.index]
    traces = [
        dict(
            type="scatter",
            x=ls,
            y=table["robust rate"].to_numpy(float),
            name=f"MPNE_{k} sampled l times",
            mode="lines+markers",
            line=dict(color=series_colour("mpne"), width=3),
            marker=dict(size=8),
            hovertemplate="l = %{x}: %{y:.4f}<extra></extra>",
        ),
        dict(
            type="scatter",
            x=ls,
            y=table["bound min(k, l)/(k+1)"].to_numpy(float),
            name="min(k, l)/(k+1) (Theorem 4.5)",
            mode="lines",
            line=dict(color="#111", width=2, dash="dash"),
            hovertemplate="l = %{x}: bound %{y:.4f}<extra></extra>",
        ),
    ]
    return _curves(traces, ls, k, "l (samples drawn at test time)", "robust win rate", 380)


def _curves(traces: list, ticks: list[int], k: int, x_title: str, y_title: str, height: int) -> go.Figure:
    """The layout the win-rate curves share: a tick per sample count, rates from 0 to 1, a dotted line at
    ``k`` and the legend above the plot."""
    fig = go.Figure(
        data=traces,
        layout=dict(
            xaxis=dict(title=dict(text=x_title), tickmode="array", tickvals=ticks, gridcolor=GRID),
            yaxis=dict(title=dict(text=y_title), gridcolor=GRID, range=[0, 1.02]),
            shapes=[
                dict(
                    type="line",
                    x0=k,
                    x1=k,
                    y0=0,
                    y1=1,
                    xref="x",
                    yref="paper",
                    line=dict(color="#999", width=1, dash="dot"),
                )
            ],
            legend=LEGEND_ABOVE,
        ),
    )
    fig = _base(fig, height=height, top=70, left=70, bottom=60)
    fig.update_layout(showlegend=True)
    return fig


# ---------------------------------------------------------------------------- titles, rule colours, Yee diagrams
#: Extra room at the top of a titled figure (the title and the population's first line) ...
TITLE_ROOM = 68
#: ... and for each further line of the population (wrapped at :data:`TITLE_WRAP` characters, so that it fits
#: a half-width chart on a laptop and a phone's screen).
TITLE_LINE = 18
TITLE_WRAP = 52
#: On a phone: characters of a title line (a 350-pixel plot at the title's bold 17 pixels), and the height of a
#: legend entry moved below the plot.
PHONE_TITLE_WRAP = 32
LEGEND_LINE = 22


def titled(fig: go.Figure, title: str | None, population: str, *, phone: bool = False) -> go.Figure:
    """A copy of ``fig`` with a visible title, so that a downloaded image says what it shows: ``title``
    (what the chart shows, naming the rule; default: the figure's own title) over a line naming the
    ``population``. Both are user text as far as plotly is concerned (escaped with :func:`ui.text.html`);
    the figure grows by :data:`TITLE_ROOM` pixels so that its plot keeps its size.

    On a phone (``phone``) the title is wrapped to the screen's width too (:data:`PHONE_TITLE_WRAP`), and a
    legend drawn above the plot moves below it, one entry a line, where its lines cannot run into the title."""
    out = go.Figure(fig)
    own = out.layout.title.text if out.layout.title and out.layout.title.text else None
    if title is None and not own:
        raise ValueError("a chart needs a title (what it shows, naming the rule)")
    top = out.layout.margin.t if out.layout.margin and out.layout.margin.t is not None else 30
    height = out.layout.height or 450
    heading = html(title) if title is not None else own
    extra = 0
    if phone and title is not None:
        wrapped = textwrap.wrap(str(title), PHONE_TITLE_WRAP, break_long_words=False, break_on_hyphens=False)
        heading = "<br>".join(html(line) for line in wrapped) or heading
        extra += TITLE_LINE * (len(wrapped) - 1)
    if phone and out.layout.showlegend and out.layout.legend.orientation == "h":
        entries = sum(1 for trace in out.data if trace.showlegend is not False and trace.name)
        below = LEGEND_LINE * entries + 10
        bottom = out.layout.margin.b if out.layout.margin.b is not None else 10
        out.update_layout(
            legend=dict(orientation="v", yref="container", y=0, yanchor="bottom", x=0, xanchor="left"),
            margin=dict(b=bottom + below),
        )
        height += below
    wrap = PHONE_TITLE_WRAP if phone else TITLE_WRAP
    lines = textwrap.wrap(str(population), wrap, break_long_words=False, break_on_hyphens=False) or [""]
    room = TITLE_ROOM + TITLE_LINE * (len(lines) - 1) + extra
    small = "<br>".join(f"<span style='font-size:{FONT_SIZE - 1}px;color:#555'>{html(line)}</span>" for line in lines)
    out.update_layout(
        title=dict(
            text=f"{heading}<br>{small}",
            x=0,
            xanchor="left",
            xref="container",
            y=1,
            yanchor="top",
            yref="container",
            pad=dict(t=14, l=10),
            font=dict(size=FONT_SIZE + 2, weight="bold"),
        ),
        margin=dict(t=top + room),
        height=height + room,
    )
    return out


#: Each family of rules has a colour (a Streamlit markdown colour and its hex value): a step-by-step
#: trace highlights the alternatives it talks about in its rule's colour.
FAMILY_COLOURS = {
    "scoring": ("blue", "#1C83E1"),
    "elimination": ("orange", "#E07B00"),
    "majority": ("green", "#21A354"),
    "sets": ("green", "#21A354"),
    "lotteries": ("violet", "#803DF5"),
    "ratings": ("gray", "#808495"),
    "alignment": ("red", "#E0393E"),
    "test time": ("violet", "#803DF5"),
    "baselines": ("gray", "#808495"),
}


def rule_colour(family: str) -> tuple[str, str]:
    """``(markdown colour name, hex)`` of a rule family (:data:`FAMILY_COLOURS`; gray for an unknown one)."""
    return FAMILY_COLOURS.get(family, ("gray", "#808495"))


def _rgb(hex_colour: str) -> np.ndarray:
    return np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)], dtype=float)


def yee_diagram(yee, *, size: int = 420) -> go.Figure:
    """A Yee diagram (:class:`aggregation.YeeMap`): each pixel in its winner's colour (the colours of
    :func:`alternative_colours`), a tie or a lottery in the mix of its candidates' colours weighted by their
    shares, the candidates drawn on top. Exact: one image pixel per map pixel."""
    names = yee.names
    colours = alternative_colours(names)
    palette = np.array([_rgb(colours[n]) for n in names])  # (m, 3)
    rgb = np.clip(np.rint(yee.shares @ palette), 0, 255).astype(np.uint8)  # (rows, cols, 3), rows by ascending y
    dx = float(yee.xs[1] - yee.xs[0]) if len(yee.xs) > 1 else 1.0
    dy = float(yee.ys[1] - yee.ys[0]) if len(yee.ys) > 1 else 1.0
    points = yee.candidates
    fig = go.Figure(
        [
            go.Image(
                z=rgb,
                x0=float(yee.xs[0]),
                dx=dx,
                y0=float(yee.ys[0]),
                dy=dy,
                colormodel="rgb",
                hovertemplate="x %{x:.2f}, y %{y:.2f}<extra></extra>",
            ),
            go.Scatter(
                x=points["x"],
                y=points["y"],
                mode="markers+text",
                text=[html(n) for n in names],
                textposition="top center",
                cliponaxis=False,
                textfont=dict(size=FONT_SIZE + 1, color="#111", weight="bold"),
                marker=dict(size=15, color=[colours[n] for n in names], line=dict(width=2.5, color="#111")),
                hovertemplate="%{text}: (%{x:.2f}, %{y:.2f})<extra></extra>",
            ),
        ]
    )
    half_x, half_y = dx / 2, dy / 2
    fig.update_xaxes(
        range=[float(yee.xs[0]) - half_x, float(yee.xs[-1]) + half_x],
        showgrid=False,
        zeroline=False,
        constrain="domain",
        tickfont=dict(size=FONT_SIZE - 2),
    )
    fig.update_yaxes(
        range=[float(yee.ys[0]) - half_y, float(yee.ys[-1]) + half_y],
        autorange=False,
        showgrid=False,
        zeroline=False,
        scaleanchor="x",
        scaleratio=1,
        constrain="domain",
        tickfont=dict(size=FONT_SIZE - 2),
    )
    return _base(fig, height=size, top=20, left=45, bottom=30)
