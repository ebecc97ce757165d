"""Entry point and home page of the dashboard (start it with `scripts/dashboard`).

Runs on every rerun of every page: page set-up, ``st.navigation`` over the pages in ``pages/``,
the shared state and the link, the sidebar; then the chosen page; then the link is written back.
"""
import streamlit as st

from ui import explain, scenarios, shell, state, urls, widgets


def home() -> None:
    shell.page_header(
        "Which social choice rule is your alignment method?",
        "RLHF with a Bradley–Terry reward ranks responses like **Borda**; DPO like the **normalized Borda "
        "count** under the distribution its compared responses were sampled from; Nash learning from human "
        "feedback converges to the **maximal lottery**. This dashboard lets you define a population of "
        "voters and see, side by side, what each rule makes of it and where each one fails.")

    st.subheader("Start here")
    steps = st.columns(4)
    for col, (spec, text) in zip(steps, [
        (shell.page("population"), "Who votes: edit rankings or user types, import or export a file."),
        (shell.page("rules"), "Every rule on the same voters, the majority margins and the Condorcet winner."),
        (shell.page("sampling"), "How the sampling distribution of compared responses steers DPO."),
        (shell.page("fine-tuning"), "Train a small model on this population and compare it with the theory."),
    ]):
        with col.container(border=True):
            st.page_link(shell.ROOT / spec.path, label=spec.title, icon=spec.icon)
            st.caption(text)

    model = state.population()
    st.subheader("At a glance: the current population")
    st.caption(state.origin().title + (" · edited by hand" if state.origin().edited else ""))
    widgets.glance(model)

    st.subheader("Failure-case gallery")
    gallery = scenarios.available()
    if not gallery:
        st.info("The gallery of failure cases (majority and Condorcet, independence of irrelevant alternatives, "
                "clones, mediocrity, tyranny of the majority, sensitivity to the sampling distribution, collapse "
                "under test-time sampling) arrives with the scenario library. Until then every session starts from "
                "the Jackpot paper's Figure 1 (2 × R > G > B, 3 × B > R > G), where Borda and RLHF pick R although "
                "a majority prefers B to every other colour.",
                icon=":material/info:")

    st.subheader("Papers behind it")
    st.markdown("\n".join(f"- {p.link()}: *{p.title}*" for p in explain.PAPERS.values()))
    with st.expander("Conventions that decide every number"):
        st.markdown(
            "- **P[a, b]**: the share of voters strictly preferring a to b, plus half of those indifferent; "
            "P[a, a] = 1/2 and P + Pᵀ = 1. The margin is M = P − Pᵀ.\n"
            "- **Borda** gives m−1, …, 0 points; tied responses share the average of their positions.\n"
            "- **NBC** under a sampling distribution D: NBC(y; D) = Σ_y' D(y') P[y, y'], y' = y included.\n"
            "- **RLHF / DPO** with unlimited data: the Bradley–Terry reward fitted on pairs from D × D; the "
            "policy is π_ref · exp(r / β), normalised, with π_ref uniform here.\n"
            "- **Maximal lottery**: the maximin strategy of the zero-sum game M; when several exist the "
            "maximum-entropy one is shown, and the page says so.\n"
            "- Rankings that leave out responses put them tied last.")


shell.configure()
nav = shell.navigation(home)
state.ensure_session()
urls.apply_inbound_link()
shell.sidebar()
nav.run()
urls.sync_outbound_link()
