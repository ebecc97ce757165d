"""Yee diagrams: candidates in a 2-D issue space, voters spread around every point, each point coloured by
the winner of a rule; several rules side by side on the same voters."""

import pandas as pd
import streamlit as st

from aggregation import RULES, AggregationError, yee_rules
from aggregation.spatial import CLOUDS, MAX_CANDIDATES, MAX_CELLS, MAX_VOTERS
from ui import compute, explain, figures, numbers, shell, widgets
from ui.text import md

shell.page_header(
    "Yee diagrams",
    "Place candidates in a plane of two issues. Around every point of the map sit voters, each ranking the "
    "candidates by distance (nearer is better); the point takes the colour of the candidate a rule elects from "
    "those voters. Where rules differ, the maps differ: vote splitting, centre squeeze, the Condorcet winner "
    "(Yee, *Voting simulation visualizations*, 2005).",
    url_path="yee",
)

#: A centre candidate between two wings, and a fourth near one wing: plurality and instant runoff squeeze the
#: centre, Borda and the Condorcet methods do not.
DEFAULT = pd.DataFrame({"candidate": ["A", "B", "C", "D"], "x": [-0.55, 0.05, 0.5, 0.6], "y": [0.05, 0.1, 0.45, -0.25]})
DEFAULT_RULES = ["plurality", "instant_runoff", "borda", "copeland"]
KINDS = yee_rules()
OPTIONS = [r for r, kind in KINDS.items() if kind != "game per pixel"]

left, right = st.columns([2, 3], gap="medium")
with left:
    st.markdown(f"**Candidates** (x and y between −1 and 1; up to {MAX_CANDIDATES})")
    edited = st.data_editor(
        DEFAULT,
        key="yee_candidates",
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
        column_config={
            "candidate": st.column_config.TextColumn("candidate", required=True, max_chars=40),
            "x": st.column_config.NumberColumn("x", min_value=-1.0, max_value=1.0, step=0.05, required=True),
            "y": st.column_config.NumberColumn("y", min_value=-1.0, max_value=1.0, step=0.05, required=True),
        },
    )
with right:
    chosen = st.multiselect(
        "Rules",
        OPTIONS,
        default=DEFAULT_RULES,
        key="yee_rules",
        max_selections=6,
        format_func=lambda r: RULES[r].name + ("" if KINDS[r] == "vectorised" else " (slower: per pixel)"),
        help="Rules marked 'per pixel' run the registry's rule once for each point of the map (about a "
        "millisecond each); the others are computed for the whole map at once. The test-time games are not "
        "offered: they solve a game for every point.",
    )
    c1, c2, c3 = st.columns(3)
    spread = c1.slider(
        "Spread of the voters",
        0.05,
        1.0,
        0.5,
        0.05,
        key="yee_spread",
        help="Gaussian: the standard deviation on each axis; disc: its radius.",
    )
    cloud = c2.selectbox(
        "Voters spread as",
        CLOUDS,
        key="yee_cloud",
        format_func={"gaussian": "a Gaussian", "disc": "a uniform disc"}.get,
    )
    grid = c3.selectbox(
        "Pixels per side",
        [50, 80, 100, 150],
        index=1,
        key="yee_grid",
        help="A rule marked 'per pixel' takes a few seconds at 100 x 100 and about twice as long at "
        "150 x 150; the page remembers maps it has drawn.",
    )
    c4, c5 = st.columns(2)
    voters = int(
        c4.number_input(
            "Voters around each point",
            4,
            MAX_VOTERS,
            200,
            4,
            key="yee_voters",
            help="Drawn once and placed around every point, in mirror-image quadruples; at "
            f"most {MAX_CELLS:,} voters over all the points.",
        )
    )
    seed = int(c5.number_input("Seed", 0, 2**31 - 1, 0, 1, key="yee_seed"))

rows = edited.dropna(how="all")
try:
    if rows.isna().any().any():
        raise AggregationError("candidates: every row needs a name, x and y")
    candidates = tuple((str(r.candidate), float(r.x), float(r.y)) for r in rows.itertuples(index=False))
    if not chosen:
        st.info("Pick at least one rule.", icon=":material/info:")
        st.stop()
    with st.spinner("Drawing the maps…"):
        maps = compute.yee_view(candidates, tuple(chosen), grid, float(spread), voters, cloud, seed)
except AggregationError as exc:
    widgets.error(exc)
    st.stop()

first = next(iter(maps.values()))
population = (
    f"{'Gaussian' if cloud == 'gaussian' else 'Uniform-disc'} voters around each point (spread "
    f"{spread:g}, {first.voters} per pixel, seed {seed}); candidates "
    + ", ".join(f"{name} ({x:g}, {y:g})" for name, x, y in candidates)
)
per_row = 2 if len(maps) > 1 else 1
items = list(maps.items())
for start in range(0, len(items), per_row):
    for col, (rule_id, yee) in zip(st.columns(per_row, gap="medium"), items[start : start + per_row]):
        with col:
            widgets.chart(
                figures.yee_diagram(yee),
                key=f"yee_{rule_id}",
                file_name=f"yee-{rule_id}",
                title=f"Yee diagram: {RULES[rule_id].name}",
                population=population,
            )
            area = yee.area()
            won = [
                f"{md(name)} {numbers.decimal(100 * share, 3)} %"
                for name, share in area.items()
                if name != "shared" and share > 0
            ]
            shared = (
                f"; shared by several (a tie or a lottery, drawn in their mixed colours) "
                f"{numbers.decimal(100 * area['shared'], 3)} %"
                if area["shared"] > 0
                else ""
            )
            st.caption(
                f"Share of the map won: {', '.join(won) or 'none outright'}{shared}. Computed "
                f"{md(yee.method)} in {numbers.decimal(yee.seconds, 2)} s."
            )

no_condorcet = float((first.condorcet < 0).mean())
st.caption(
    "Every cloud is symmetric about its centre, so the centre is a median in every direction: the candidate "
    "nearest a point is never beaten there head to head, and Condorcet methods draw the candidates' Voronoi cells "
    f"(Davis, DeGroot & Hinich 1972). Here {numbers.decimal(100 * no_condorcet, 3)} % of the points have no "
    "Condorcet winner (a head-to-head tie). " + explain.CHART_DOWNLOAD
)
