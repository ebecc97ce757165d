"""The frame around every page: page list, navigation, sidebar and page header.

``app.py`` calls :func:`configure`, :func:`navigation`, :func:`sidebar` and then runs the page;
each page script starts with :func:`page_header`, which also initialises the shared state, so a
page never depends on the entry point having run first.

The pages live in ``pages/`` next to ``app.py``; Streamlit would treat that folder as a legacy
multipage app on the first request of a server's life (see ``ui/launch.py``, which the README's
start command uses). ``st.navigation`` below lists the pages of :mod:`ui.page_index` (plain data,
re-exported here as ``PAGES``, ``page``, ``ROOT`` and ``PageSpec``).
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from aggregation import AggregationError

from . import login, numbers, present, reports, scenarios, state, urls, widgets
from .page_index import PAGES, ROOT, PageSpec, page
from .text import md

__all__ = ["PAGES", "ROOT", "PageSpec", "page", "configure", "navigation", "sidebar", "page_header"]


def configure() -> None:
    st.set_page_config(
        page_title="Aggregation rules for alignment",
        page_icon="🗳️",
        layout="wide",
        initial_sidebar_state=present.sidebar_state(),
    )


def navigation(home: Callable[[], None]):
    """``st.navigation`` over the home page (a function of ``app.py``) and the files in ``pages/``."""
    pages = [st.Page(home, title="Home", icon=":material/home:", default=True)]
    pages += [st.Page(ROOT / p.path, title=p.title, icon=p.icon, url_path=p.url_path, help=p.help) for p in PAGES]
    return st.navigation(pages, position="sidebar", expanded=True)


def sidebar() -> None:
    """The current population in one glance, and what a link to this page reproduces."""
    model = state.population()
    origin = state.origin()
    with st.sidebar:
        present.toggle()
        st.markdown("**Current population**")
        st.caption(md(origin.title))
        rows = model.n_rows
        count = f"{rows:,} {model.noun if rows == 1 else model.nouns}"
        weight = f" · total weight {numbers.weight(model.total_weight)}" if model.total_weight is not None else ""
        st.caption(f"{len(model.alternatives)} alternatives · {count}{weight}")
        if origin.scenario and not origin.edited:
            try:
                spec = scenarios.page_of(scenarios.load(origin.scenario))
            except AggregationError:  # not a scenario of the library: no page to point to
                spec = None
            if spec is not None:
                st.page_link(
                    ROOT / spec.path,
                    label=f"Its page: {spec.title}",
                    icon=spec.icon,
                    query_params=urls.current_params(),
                )
        D = state.sampling()
        st.caption(
            "Sampling distribution D: "
            + ("uniform" if D is None else ", ".join(f"{md(a)} {numbers.decimal(p)}" for a, p in D.items()))
        )
        st.caption(urls.link_scope())
        st.segmented_control(
            "Chart downloads",
            widgets.IMAGE_FORMATS,
            format_func=str.upper,
            default="png",
            key=widgets.IMAGE_FORMAT_KEY,
            help="What the camera icon in a chart's toolbar saves: a PNG picture or an SVG drawing "
            "(scales without blurring), titled with the chart and the population.",
        )
    login.sidebar(login.settings())


def page_header(title: str, intro: str, *, url_path: str | None = None) -> None:
    """Title, a short plain-words introduction, any pending notices and, when a scenario of the
        library is loaded, its story (open on the scenario's own page, ``url_path``). In presentation mode
    (:mod:`ui.present`) the introduction and the story are folded to one line each."""
    state.ensure_session()
    present.apply()
    reports.start(title, intro)
    st.title(title)
    if present.active():  # presentation mode: the introduction folded to one line
        with st.expander("What this page shows", icon=":material/info:", key="page_intro"):
            st.markdown(intro)
    else:
        st.markdown(intro)
    widgets.notices()
    widgets.scenario_story(expanded_on=url_path)
