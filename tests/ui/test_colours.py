"""Issue 13, item 3: one colour per rule or policy on every chart (ui/colours.py), colour-blind safe, and no figure
builder with a palette of its own."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from aggregation import RULES, Profile
from ui import colours, compute, figures

UI = Path(__file__).resolve().parents[2] / "ui"
FIGURE_1 = Profile.parse("2: R > G > B\n3: B > R > G")


def _trace_colours(fig) -> dict[str, str]:
    out = {}
    for trace in fig.data:
        colour = trace.line.color if trace.type == "scatter" else trace.marker.color
        out[trace.name] = colour
    return out


def test_the_test_time_curves_and_bars_give_each_policy_the_same_colour():
    """The complaint: NLHF orange in the lines and light blue in the bars, MPNE_k green and orange."""
    view = compute.testtime_view(FIGURE_1, 1.0, None, 2, True)
    lines = _trace_colours(figures.kwin_curves(view.curve, 2))
    bars = _trace_colours(figures.grouped_bars(view.policies.T, yaxis="probability"))
    shared = set(lines) & set(bars)
    assert {"NLHF (maximal lottery)", "MPNE_k", "RLHF / DPO (Borda-like)", "uniform"} <= shared
    for name in shared:
        assert lines[name] == bars[name] == colours.series_colour(name), name
    assert lines["NLHF (maximal lottery)"] == colours.RULE_COLOURS["maximal_lottery"] == "#0072B2"
    assert lines["MPNE_k"] == colours.RULE_COLOURS["mpne"]
    resampling = figures.resampling_curve(
        pd.DataFrame({"robust rate": [0.5, 0.6], "bound min(k, l)/(k+1)": [0.5, 0.6]}, index=[1, 2]), 2
    )
    assert resampling.data[0].line.color == colours.RULE_COLOURS["mpne"]


def test_the_sampling_page_draws_a_rule_under_uniform_d_in_its_colour_hatched():
    table = pd.DataFrame(
        {
            c: [0.5, 0.5]
            for c in [
                "D",
                "NBC under D",
                "NBC, uniform D",
                "RLHF / DPO policy under D",
                "RLHF / DPO policy, uniform D",
                "average-reward policy",
            ]
        },
        index=["A", "B"],
    )
    bars = {t.name: t.marker for t in figures.grouped_bars(table, yaxis="p").data}
    assert bars["NBC under D"].color == bars["NBC, uniform D"].color == colours.RULE_COLOURS["nbc"]
    assert bars["NBC, uniform D"].pattern.shape == "/" and bars["NBC under D"].pattern.shape in ("", None)
    assert bars["RLHF / DPO policy under D"].color == colours.RULE_COLOURS["rlhf"]
    assert bars["D"].color not in {colours.RULE_COLOURS[r] for r in ("nbc", "rlhf", "average_reward")}


def test_every_rule_has_one_colour_and_the_compared_policies_are_okabe_ito():
    assert set(colours.RULE_COLOURS) == set(RULES)
    compared = ["rlhf", "maximal_lottery", "average_reward", "mpne", "robust", "nbc"]
    assert len({colours.RULE_COLOURS[r] for r in compared}) == len(compared)
    assert all(colours.RULE_COLOURS[r] in colours.OKABE_ITO for r in compared)
    assert all(c in colours.OKABE_ITO + colours.TOL_MUTED + [colours.BASELINE] for c in colours.RULE_COLOURS.values())
    assert colours.series_colour("MPNE_3") == colours.RULE_COLOURS["mpne"]
    assert colours.series_colour("Borda") == colours.RULE_COLOURS["borda"]


def test_no_figure_builder_keeps_a_palette_of_its_own():
    series = {c.upper() for c in colours.OKABE_ITO + colours.TOL_MUTED}
    for path in UI.rglob("*.py"):
        if path.name == "colours.py":
            continue
        found = {h.upper() for h in re.findall(r"#[0-9A-Fa-f]{6}\b", path.read_text(encoding="utf-8"))}
        assert not found & series, (path, found & series)
