"""Plotly figures of the Fine-tuning page: a job's trajectory (probability of each answer over the
training steps, with the theory's limit as dashed lines; :func:`trajectory_frames` reads it from a
result or from progress events) and policies side by side as stacked bars. Plain data in,
``go.Figure`` out; no Streamlit (see :mod:`ui.figures` for the shared style)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ..figures import FONT_SIZE, GRID, _base, alternative_colours
from ..numbers import decimal
from ..text import html

#: Segments narrower than this share of a bar carry no text label (the hover still shows it).
MIN_LABELLED_SHARE = 0.07


def trajectory_frames(result_or_events) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """(policy over steps, mixture over steps or None) from a result's trajectory (which starts at
    step 0 with the untrained reference policy) or from a list of progress events."""
    if isinstance(result_or_events, dict):
        start = {"step": 0, "policy": result_or_events["reference_policy"]}
        if result_or_events.get("mixture"):
            start["mixture"] = result_or_events["reference_policy"]
        events = [start, *result_or_events["trajectory"]]
    else:
        events = result_or_events
    if not events:
        return pd.DataFrame(), None
    steps = [e["step"] for e in events]
    policy = pd.DataFrame([e["policy"] for e in events], index=pd.Index(steps, name="step"))
    mixture = (
        pd.DataFrame([e["mixture"] for e in events], index=pd.Index(steps, name="step"))
        if all(e.get("mixture") for e in events)
        else None
    )
    return policy, mixture


def trajectory(
    policy: pd.DataFrame,
    *,
    mixture: pd.DataFrame | None = None,
    target: pd.Series | None = None,
    target_label: str | None = None,
    title: str | None = None,
    height: int = 440,
) -> go.Figure:
    """One line per alternative: the policy's probability of answering it at each logged step
    (``policy``: steps x alternatives; step 0 is the untrained model when given). ``mixture``
    (self-play) is drawn dotted; ``target`` (the theory's limit) as a dashed horizontal line per
    alternative, named ``target_label`` in its hover text (say what the line styles mean in the
    chart's caption)."""
    names = list(policy.columns)
    colours = alternative_colours(names)
    steps = policy.index.to_numpy()
    traces = []
    for name in names:
        shown = html(name)
        traces.append(
            dict(
                type="scatter",
                x=steps,
                y=policy[name].to_numpy(float),
                mode="lines",
                name=shown,
                legendgroup=name,
                line=dict(color=colours[name], width=3),
                hovertemplate=f"{shown}: %{{y:.4f}} at step %{{x}}<extra>trained model</extra>",
            )
        )
        if mixture is not None and name in mixture:
            traces.append(
                dict(
                    type="scatter",
                    x=steps,
                    y=mixture[name].to_numpy(float),
                    mode="lines",
                    name=f"{shown}, mixture of iterates",
                    legendgroup=name,
                    showlegend=False,
                    line=dict(color=colours[name], width=2, dash="dot"),
                    hovertemplate=f"{shown}: %{{y:.4f}} at step %{{x}}<extra>mixture of iterates</extra>",
                )
            )
        if target is not None and len(steps) and np.isfinite(target.get(name, np.nan)):
            value = float(target[name])
            traces.append(
                dict(
                    type="scatter",
                    x=[steps[0], steps[-1]],
                    y=[value, value],
                    mode="lines",
                    name=f"{shown}, {html(target_label)}",
                    legendgroup=name,
                    showlegend=False,
                    line=dict(color=colours[name], width=2, dash="dash"),
                    opacity=0.8,
                    hovertemplate=f"{shown}: {decimal(value)}<extra>{html(target_label)}</extra>",
                )
            )
    fig = go.Figure(
        data=traces,
        layout=dict(
            xaxis=dict(title=dict(text="training step"), gridcolor=GRID, zeroline=False),
            yaxis=dict(
                title=dict(text="probability of answering"), range=[-0.02, 1.02], gridcolor=GRID, zeroline=False
            ),
            legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0),
        ),
    )
    fig = _base(fig, height=height, title=title, top=40, left=70, bottom=50, right=20)
    fig.update_layout(showlegend=True, margin=dict(t=95 if title else 40))
    return fig


def policy_bars(table: pd.DataFrame, *, title: str | None = None, emphasise: int = 0) -> go.Figure:
    """Stacked horizontal bars, one per policy (rows of ``table``, drawn top to bottom), each split
    into its alternatives (columns) in their colours: policies that agree look alike. Segments are
    labelled with the alternative and its probability (narrow ones on hover only), so there is no
    legend. The first ``emphasise`` rows are written in bold."""
    names = list(table.columns)
    colours = alternative_colours(names)
    rows = list(table.index)
    labels = [f"<b>{html(r)}</b>" if i < emphasise else html(r) for i, r in enumerate(rows)]
    traces = []
    for name in names:
        values = table[name].to_numpy(float)
        shown = html(name)
        text = [f"{shown} {decimal(v, 2)}" if np.isfinite(v) and v >= MIN_LABELLED_SHARE else "" for v in values]
        traces.append(
            dict(
                type="bar",
                orientation="h",
                y=labels,
                x=np.nan_to_num(values),
                name=shown,
                marker=dict(color=colours[name], line=dict(color="white", width=1)),
                text=text,
                textposition="inside",
                insidetextanchor="middle",
                textfont=dict(size=FONT_SIZE - 1),
                hovertemplate=f"{shown}: %{{x:.4f}}<extra>%{{y}}</extra>",
            )
        )
    fig = go.Figure(
        data=traces,
        layout=dict(
            barmode="stack",
            bargap=0.3,
            xaxis=dict(title=dict(text="probability"), range=[0, 1], gridcolor=GRID, tickformat=".1f"),
            yaxis=dict(autorange="reversed", tickfont=dict(size=FONT_SIZE - 2), ticksuffix=" "),
        ),
    )
    left = 10 + 7 * max(len(r) for r in rows)
    return _base(
        fig, height=90 + 40 * len(rows) + (40 if title else 0), title=title, top=20, left=left, bottom=50, right=20
    )
