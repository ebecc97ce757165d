"""The frame around every page: page list, navigation, sidebar and page header.

``app.py`` calls :func:`configure`, :func:`navigation`, :func:`sidebar` and then runs the page;
each page script starts with :func:`page_header`, which also initialises the shared state, so a
page never depends on the entry point having run first.

The pages live in ``pages/`` next to ``app.py``; Streamlit would treat that folder as a legacy
multipage app on the first request of a server's life (see ``ui/launch.py``, which the README's
start command uses). ``st.navigation`` below is the only page list.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from aggregation import PROPERTIES, RULES, AggregationError

from . import numbers, scenarios, state, urls, widgets

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class PageSpec:
    path: str        # relative to the repository root (AppTest's switch_page takes this path)
    title: str
    icon: str
    url_path: str
    help: str


PAGES = (
    PageSpec("pages/population.py", "Population", ":material/groups:", "population",
             "Who the voters are: rankings with weights or user types with rewards, a scenario from the library "
             "or a seeded generator. Edit, import, export; every other page reads this population."),
    PageSpec("pages/rules.py", "Rules side by side", ":material/balance:", "rules",
             "Every rule of the registry on the current population ("
             + ", ".join(rule.name for rule in RULES.values()) + "), with the majority margins."),
    PageSpec("pages/sampling.py", "Sampling distribution", ":material/change_history:", "sampling",
             "How the distribution of compared responses steers DPO: NBC under D, the ternary map of winners, "
             "and the smallest change of D that flips the order."),
    PageSpec("pages/testtime.py", "Test-time scaling", ":material/casino:", "testtime",
             "Sample a policy k times and keep the best answer: the robust win rate f(k) of each policy against "
             "k/(k+1), MPNE_k and the robust policy with their certificates."),
    PageSpec("pages/properties.py", "Properties", ":material/fact_check:", "properties",
             "Which rule keeps which promise (" + ", ".join(p.name.lower() for p in PROPERTIES.values())
             + ") on this population, with the counterexample when it does not; the smallest paradox of any rule "
             "and property, found on demand."),
    PageSpec("pages/ranked_choice.py", "Ranked choice", ":material/format_list_numbered:", "ranked-choice",
             "Choices from a set of answers: MNL against Mallows-RMJ first-choice and top-k probabilities, next "
             "to what this population answers."),
    PageSpec("pages/fine_tuning.py", "Fine-tuning", ":material/model_training:", "fine-tuning",
             "Train a small language model on comparisons drawn from the population and see where it lands "
             "next to the theory."),
)


def page(url_path: str) -> PageSpec:
    return next(p for p in PAGES if p.url_path == url_path)


def configure() -> None:
    st.set_page_config(page_title="Aggregation rules for alignment", page_icon="🗳️", layout="wide",
                       initial_sidebar_state="expanded")


def navigation(home: Callable[[], None]):
    """``st.navigation`` over the home page (a function of ``app.py``) and the files in ``pages/``."""
    pages = [st.Page(home, title="Home", icon=":material/home:", default=True)]
    pages += [st.Page(ROOT / p.path, title=p.title, icon=p.icon, url_path=p.url_path, help=p.help)
              for p in PAGES]
    return st.navigation(pages, position="sidebar", expanded=True)


def sidebar() -> None:
    """The current population in one glance, and what a link to this page reproduces."""
    model = state.population()
    origin = state.origin()
    with st.sidebar:
        st.markdown("**Current population**")
        edited = " · edited by hand" if origin.edited else ""
        st.caption(f"{origin.title}{edited}")
        rows = model.n_rows
        count = f"{rows:,} {model.noun if rows == 1 else model.nouns}"
        weight = f" · total weight {numbers.weight(model.total_weight)}" if model.total_weight is not None else ""
        st.caption(f"{len(model.alternatives)} alternatives · {count}{weight}")
        if origin.scenario and not origin.edited:
            try:
                spec = scenarios.page_of(scenarios.load(origin.scenario))
            except AggregationError:      # not a scenario of the library: no page to point to
                spec = None
            if spec is not None:
                st.page_link(ROOT / spec.path, label=f"Its page: {spec.title}", icon=spec.icon,
                             query_params=urls.current_params())
        D = state.sampling()
        st.caption("Sampling distribution D: " + ("uniform" if D is None else
                   ", ".join(f"{a} {numbers.decimal(p)}" for a, p in D.items())))
        st.caption(urls.link_scope())


def page_header(title: str, intro: str, *, url_path: str | None = None) -> None:
    """Title, a short plain-words introduction, any pending notices and, when a scenario of the
    library is loaded, its story (open on the scenario's own page, ``url_path``)."""
    state.ensure_session()
    st.title(title)
    st.markdown(intro)
    widgets.notices()
    widgets.scenario_story(expanded_on=url_path)
