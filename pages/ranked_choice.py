"""Ranked choice: MNL against Mallows-RMJ choice and top-k probabilities for an assortment, next to the population."""

import pandas as pd
import streamlit as st

from aggregation import AggregationError
from ui import compute, explain, figures, numbers, shell, state, widgets
from ui.text import md, md_list

shell.page_header("Ranked choice", explain.RANKED_CHOICE, url_path="ranked-choice")
st.caption(explain.RANKED_CHOICE_FORMULAS)

model = state.population()
names = list(model.alternatives)
setup = state.choice_setup()
try:
    defaults = compute.choice_defaults(model)
except AggregationError as exc:
    widgets.error(exc)
    st.stop()
if setup is not None:
    utilities = setup.utilities.reindex(names)
    central, phi, assortment = setup.central_ranking, setup.phi, setup.assortment
    source = "the scenario's choice models"
else:
    utilities, central, phi, assortment = (
        defaults.utilities,
        defaults.central_ranking,
        defaults.phi,
        defaults.assortment,
    )
    source = defaults.source

v = state.version()
left, right = st.columns([3, 2], gap="large")
with left:
    chosen = st.multiselect(
        "Assortment: the answers shown to the user", names, default=list(assortment), key=f"choice_assortment_{v}"
    )
    c1, c2 = st.columns(2)
    top = int(
        c1.number_input(
            "Length of the ranked list (1 = the favourite only)",
            min_value=1,
            value=min(2, max(1, len(assortment))),
            step=1,
            key=f"choice_top_{v}",
        )
    )
    phi_value = float(
        c2.number_input(
            "Mallows-RMJ dispersion φ",
            min_value=0.0,
            max_value=1.0,
            value=float(phi),
            step=0.05,
            format="%.3f",
            key=f"choice_phi_{v}",
            help="The paper's range is 0 < φ < 1; near 0 = always the central ranking, "
            "1 = every order equally likely (the limit, allowed here).",
        )
    )
    central_text = st.text_input(
        "Mallows-RMJ central ranking (best first)",
        value=" > ".join(central),
        key=f"choice_central_{v}",
        help="Every answer of the assortment, separated by '>', no ties.",
    )
with right:
    edited = st.data_editor(
        pd.DataFrame({"answer": names, "utility": utilities.to_numpy(float)}),
        key=f"choice_utilities_{v}",
        hide_index=True,
        num_rows="fixed",
        disabled=["answer"],
        width="stretch",
        column_config={
            "utility": st.column_config.NumberColumn(
                "MNL utility", format="%.4g", help="Choice odds are proportional to exp(utility)."
            )
        },
    )
    st.caption(f"Starting values: {md(source)}. Edit them to see how each model answers.")

pairs = tuple(zip(edited["answer"], pd.to_numeric(edited["utility"], errors="coerce").astype(float)))
if not chosen:
    widgets.error("pick at least one answer for the assortment", prefix="Nothing to show: ")
    st.stop()
try:
    view = compute.choice_view(model, pairs, central_text, phi_value, tuple(chosen), top)
except AggregationError as exc:
    widgets.error(exc, prefix="Not computed: ")
    st.caption("Fix the input above; the population and the other pages are unchanged.")
    st.stop()

first = view.first
st.markdown(
    "**First choice** from \\{"
    + md_list(view.assortment)
    + "\\}: MNL "
    + ", ".join(f"{md(a)} {numbers.decimal(p)}" for a, p in first[compute.MNL_COLUMN].items())
    + "; Mallows-RMJ "
    + ", ".join(f"{md(a)} {numbers.decimal(p)}" for a, p in first[compute.RMJ_COLUMN].items())
    + "."
)
widgets.chart(
    figures.grouped_bars(first, yaxis="probability of being chosen first"),
    key="choice_first",
    file_name="first-choice",
    title="First choice under MNL and Mallows-RMJ",
)
if view.population_note:
    st.caption(f"This population's own choices are not shown: {md(view.population_note)}.")
else:
    st.caption(
        "“this population”: a random voter's own choice from the assortment (rankings: ties broken at "
        "random; user types: Plackett–Luce with rewards / T). " + explain.CHART_DOWNLOAD
    )

st.subheader(f"Every ordered top-{view.top} list")
lists = view.lists
highlight = {name: [c for c in lists.columns if lists[c].max() - lists.at[name, c] <= 1e-12] for name in lists.index}
widgets.table(
    widgets.styled(lists, numbers.decimal, highlight),
    key="choice_lists",
    width="stretch",
    height=min(38 + 35 * len(lists), 600),
)
st.caption("Each row: the user's top list in order (“A > B”: A first, then B). Tinted: each model's most likely list.")
widgets.csv_download(
    lists, file_name=f"top-{view.top}-lists.csv", key="choice_lists_csv", label="Download the table as CSV"
)
