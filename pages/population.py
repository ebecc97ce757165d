"""Population: who the voters are. Every other page reads the population chosen or edited here."""

import streamlit as st

from aggregation import COMPARISONS, RANKINGS, USER_TYPES

from ui import generator_panel
from ui import population_editor as editor
from ui import log_import, shell, state

shell.page_header(
    "Population",
    "Voters are described either by **rankings** (best first; “>” means preferred, “=” tied) with a weight each, or "
    "by **user types** with a reward for every response and a weight. Start from a scenario of the library, draw "
    "voters from a seeded generator, or build your own. Every other page reads the population defined here, and "
    "it stays while you move between pages.",
)

model = state.population()
origin = state.origin()
editor.title_field(origin)

source, generated = st.tabs(["A scenario from the library", "Generate voters"])
with source:
    editor.scenario_picker()
with generated:
    generator_panel.panel()

top = st.columns([3, 1])
with top[0]:
    editor.kind_switch(model)
with top[1]:
    editor.reset_button()

if model.kind == RANKINGS:
    table, text = st.columns([3, 2])
    with table:
        st.markdown("**Distinct rankings** (add or delete rows at the table's edge; edits apply at once)")
        editor.rankings_editor(model)
    with text:
        st.markdown("**The same as text**")
        editor.rankings_text(model)
elif model.kind == USER_TYPES:
    st.markdown(
        "**User types**: each row is a group of annotators with its weight and its reward for each "
        "response. Annotators compare two responses by Bradley–Terry with temperature T."
    )
    editor.rewards_editor(model)
elif model.kind == COMPARISONS:
    editor.comparisons_view(model)

st.subheader("Summary")
editor.summary(model)

st.subheader("Import and export")
left, right = st.columns(2)
with left:
    editor.import_panel()
with right:
    st.markdown("**Save this population** (each file imports again here)")
    editor.export_panel(model)

st.divider()
log_import.panel()
