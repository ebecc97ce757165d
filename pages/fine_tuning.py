"""Fine-tuning: what it will do, and the policies the theory predicts for the current population."""
import pandas as pd
import streamlit as st

from aggregation import AggregationError
from ui import compute, explain, figures, numbers, shell, state, widgets

shell.page_header(
    "Fine-tuning",
    "This page will train a small language model on preference data drawn from the current population and "
    "show where the trained policy lands next to the theory.")

st.markdown(
    "**What it will do**\n"
    "1. Draw a comparison dataset from the population: pairs of responses sampled from D, each labelled by a "
    "random voter (the Population page can already download such a dataset).\n"
    "2. Fine-tune a small language model on it with DPO (and, for comparison, with a Nash-learning method) in a "
    "background worker, with progress, cancel and the result on this page.\n"
    "3. Draw the trained policy's answer frequencies, with their uncertainty, next to the limits below.\n\n"
    "The training worker is being built separately; this page is wired to it in the next version.")

model = state.population()
D = state.sampling()
st.subheader("Where the theory says a trained model should land")
beta = widgets.beta_input(container=st.columns(3)[0])
try:
    view = compute.rules_view(model, beta, None if D is None else tuple(D.to_numpy()))
except AggregationError as exc:
    widgets.error(exc)
    st.stop()
targets = {
    f"DPO limit (β = {numbers.decimal(beta)}, D {'uniform' if D is None else 'as set'})": "rlhf",
    "Nash learning limit (maximal lottery)": "maximal_lottery",
    "pretrained model (random dictatorship)": "random_dictatorship",
}
table = pd.DataFrame({label: view.scores.loc[key] for label, key in targets.items()
                      if key not in view.unavailable})
widgets.chart(figures.grouped_bars(table, yaxis="probability of answering"), key="fine_tuning_targets",
              file_name="fine-tuning-targets")
st.caption("Policies over the responses, computed exactly from the population. " + explain.CHART_DOWNLOAD)
