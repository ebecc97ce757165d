"""Entry point and home page of the dashboard (start it with `scripts/dashboard`).

Runs on every rerun of every page: page set-up, ``st.navigation`` over the pages in ``pages/``,
the shared state and the link, the sidebar; then the chosen page; then the link is written back.
"""

import streamlit as st

from ui import explain, reports, scenarios, shell, state, tour, urls, widgets
from ui.text import md
from aggregation.experiments import EXPERIMENTS


#: One line per page for the "Start here" tiles.
PAGE_LINES = {
    "population": "Who votes: pick a scenario, generate voters with a seed, edit rankings or user types, import or export.",
    "rules": "Every rule on the same voters, the majority margins and the Condorcet winner.",
    "yee": "Candidates in a plane and voters around every point: the map each rule draws.",
    "sampling": "How the sampling distribution of compared responses steers DPO.",
    "testtime": "Sample k answers and keep the best: which policy still wins against every rival?",
    "properties": "Which rule keeps which promise on this population, with the counterexample when it breaks one.",
    "ranked-choice": "Choices from a set of answers: MNL against Mallows-RMJ, next to this population.",
    "fine-tuning": "Train a small model on this population and compare it with the theory.",
    "experiments": "The papers' experiments, one click each, with the spread across seeds.",
}
GALLERY_COLUMNS = 3


def scenario_card(scenario) -> None:
    """One failure case: title, one line, the property at stake, the source, the constructed-example
    mark; its button loads the scenario and opens its page with a link that reproduces it."""
    spec = scenarios.page_of(scenario)
    with st.container(border=True, key=f"card_{scenario.id}"):
        st.markdown(f"**{scenario.title}**")
        st.markdown(scenario.summary)
        widgets.scenario_provenance(scenario, compact=True)
        link = "/" + spec.url_path + "?" + "&".join(f"{k}={v}" for k, v in urls.scenario_params(scenario).items())
        if st.button(
            f"Open on {spec.title}",
            key=f"open_{scenario.id}",
            icon=spec.icon,
            type="primary",
            help=f"Loads the scenario and opens {link}",
        ):
            urls.open_scenario(scenario)


def experiment_card(experiment) -> None:
    """One of the papers' experiments: title, what it shows, its source; the button opens it (with its
    settings) on the Experiments page, whose button runs it."""
    spec = shell.page("experiments")
    with st.container(border=True, key=f"xcard_{experiment.name}"):
        st.markdown(f"**{experiment.title}**")
        st.markdown(experiment.summary)
        st.caption(experiment.reference)
        if st.button(
            "Open the experiment",
            key=f"xopen_{experiment.name}",
            icon=spec.icon,
            type="primary",
            help=f"Opens /{spec.url_path}?experiment={experiment.name}",
        ):
            st.switch_page(shell.ROOT / spec.path, query_params={"experiment": experiment.name})


def home() -> None:
    shell.page_header(
        "Which social choice rule is your alignment method?",
        "RLHF with a Bradley–Terry reward ranks responses like **Borda**; DPO like the **normalized Borda "
        "count** under the distribution its compared responses were sampled from; Nash learning from human "
        "feedback converges to the **maximal lottery**; a model sampled k times at test time should be the "
        "**multi-player Nash equilibrium** of a (k+1)-player game. This dashboard lets you define a population "
        "of voters and see, side by side, what each rule makes of it and where each one fails.",
    )

    st.subheader("Failure-case library")
    st.caption(
        "Each card loads a population from the papers (or constructed to show their point) and opens the "
        "page that shows the failure best. The address bar then holds a link that reproduces the screen."
    )
    gallery = scenarios.available()
    for start in range(0, len(gallery), GALLERY_COLUMNS):
        for col, scenario in zip(st.columns(GALLERY_COLUMNS), gallery[start : start + GALLERY_COLUMNS]):
            with col:
                scenario_card(scenario)

    st.subheader("The papers' experiments")
    st.caption(
        "Each card opens an experiment of the papers with its own settings on the Experiments page; its "
        "button there runs it (every run a fine-tuning job) and shows the spread across seeds."
    )
    cards = list(EXPERIMENTS.values())
    for col, experiment in zip(st.columns(len(cards)), cards):
        with col:
            experiment_card(experiment)

    st.subheader("Start here")
    tiles = [(spec, PAGE_LINES[spec.url_path]) for spec in shell.PAGES]
    for start in range(0, len(tiles), 4):
        for col, (spec, text) in zip(st.columns(4), tiles[start : start + 4]):
            with col.container(border=True):
                st.page_link(shell.ROOT / spec.path, label=spec.title, icon=spec.icon)
                st.caption(text)

    model = state.population()
    st.subheader("At a glance: the current population")
    st.caption(md(state.origin().title))
    widgets.glance(model)

    st.subheader("Papers behind it")
    st.markdown(explain.papers_behind())
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
            "- **k-sample win rate** against a rival answer y: the chance that a random voter likes the best of k "
            "independent samples at least as much as y (ties, and a sample equal to y, count for the samples); "
            "the robust rate f(k) is its minimum over y. In the game behind MPNE_k an answer scores only when "
            "strictly preferred to all k others.\n"
            "- Rankings that leave out responses put them tied last."
        )


shell.configure()
nav = shell.navigation(home)
state.ensure_session()
urls.apply_inbound_link()
export_slot = st.sidebar.container()  # filled after the page has run: the report holds what it drew
shell.sidebar()
tour.show(nav.url_path or None)  # a first visit's guided tour, above the page
nav.run()
reports.download_button(export_slot)
urls.sync_outbound_link()
