"""Entry point of the dashboard (start it with `scripts/dashboard`)."""
import streamlit as st

st.set_page_config(page_title="Aggregation rules for alignment", page_icon="🗳️", layout="wide")
st.title("Which social choice rule is your alignment method?")
st.markdown(
    "RLHF with a Bradley-Terry reward ranks responses like **Borda**; DPO like the **normalized "
    "Borda count** under its sampling distribution; Nash learning from human feedback converges to "
    "the **maximal lottery**. This dashboard lets you define a population of voters and see, side "
    "by side, what each rule makes of it and which properties it breaks."
)
