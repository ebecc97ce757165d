"""Properties: which rule keeps which promise on the current population, with a counterexample when it
does not; and, for any rule and property, the smallest population on which the rule breaks it."""

import streamlit as st

from aggregation import PROPERTIES
from ui import properties_panels, shell, state

shell.page_header(
    "Properties",
    "Social choice theory asks of a rule a few promises: pick the majority's favourite, pick the alternative "
    "that wins every head-to-head vote, never pick an alternative everybody likes less than another, do not "
    "change because an irrelevant alternative leaves or a near-copy joins, never reward a voter for staying "
    f"home or for lying, and more: {len(PROPERTIES)} in all. The first tab checks every promise of every rule "
    "**on this population**; the others find the smallest population on which a rule breaks a promise.",
    url_path="properties",
)

here, finder, table = st.tabs(["On this population", "Paradoxes on demand", "The table of paradoxes"])
with here:
    beta, k = properties_panels.on_this_population(state.population(), state.sampling())
with finder:
    properties_panels.finder(beta, k)
with table:
    properties_panels.paradox_table()
