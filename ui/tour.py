"""A guided tour for a first visit (issue 13): five steps through the Jackpot example (Figure 1 of the Jackpot
paper, the scenario ``jackpot_majority``), each on the page that shows it. Dismissible, and never shown again
to that browser.

"Never again" is a cookie, :data:`COOKIE`: Streamlit has no storage of its own in the browser, but it reads the
request's cookies (``st.context.cookies``, fixed for a session), and a component's iframe is same-origin
(sandbox ``allow-same-origin allow-scripts``), so a two-line script in ``st.components.v1.html`` can set one
for the dashboard's origin. Dismissing the tour (or finishing it) hides it for the session at once
(:data:`DONE_KEY`) and writes the cookie; every later visit from that browser reads it and shows no tour.

The tour starts only on the home page of a first visit; once started it follows the visitor from page to page
(its Next button opens the next step's page with the example loaded) until finished or dismissed.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st
import streamlit.components.v1 as components

from .page_index import ROOT, page

COOKIE = "aggregation_tour_done"
#: A year, in seconds.
COOKIE_AGE = 365 * 24 * 3600
STEP_KEY = "tour_step"
DONE_KEY = "tour_done"
SCENARIO = "jackpot_majority"


@dataclass(frozen=True)
class Step:
    title: str
    text: str
    url_path: str | None  # the page it is shown on (None: home)


STEPS = (
    Step(
        "Five voters, three answers",
        "The Jackpot paper's first example (Figure 1, section 3.1): two people rank R > G > B, three rank "
        "B > R > G. **B** is the first choice of a majority. Next loads these voters and opens the page that "
        "compares every rule on them.",
        None,
    ),
    Step(
        "RLHF picks R",
        "In the table, **Borda** (the order of a reward model trained with Bradley–Terry, so of RLHF and DPO) "
        "gives R 7 points and B 6: R is never ranked last. The ★ marks each rule's top answer.",
        "rules",
    ),
    Step(
        "The majority wants B",
        "Scroll to **Head-to-head majorities**: B beats R and G 3 to 2 each, so B is the **Condorcet winner**; "
        "the **maximal lottery**, the answer of Nash learning from human feedback (NLHF), puts probability 1 "
        "on B (section 6.3.1).",
        "rules",
    ),
    Step(
        "Which promises each rule keeps",
        "This page checks each rule against the axioms (majority, Condorcet, independence of irrelevant "
        "alternatives, clones, …) on these voters and shows the counterexample wherever a rule breaks one.",
        "properties",
    ),
    Step(
        "Your turn",
        "Pick another failure case from the home page's library, or define your own voters on the "
        "**Population** page. This tour will not show again in this browser.",
        "population",
    ),
)


def _seen_before() -> bool:
    try:
        return COOKIE in (st.context.cookies or {})
    except Exception:  # no request (a bare script run): treat as a first visit
        return False


def _remember() -> None:
    """Write the cookie (an invisible component; it runs once, when drawn)."""
    components.html(
        f"<script>document.cookie = '{COOKIE}=1; max-age={COOKIE_AGE}; path=/; SameSite=Lax';</script>", height=0
    )


def _dismiss() -> None:
    st.session_state[DONE_KEY] = True
    st.session_state.pop(STEP_KEY, None)


def active() -> bool:
    return STEP_KEY in st.session_state and not st.session_state.get(DONE_KEY)


def show(url_path: str | None) -> None:
    """The tour's box on top of the page ``url_path`` (None: home), when it applies; called by ``app.py``."""
    if st.session_state.get(DONE_KEY):
        if not st.session_state.get("_tour_cookie_written"):
            st.session_state["_tour_cookie_written"] = True
            _remember()
        return
    if STEP_KEY not in st.session_state:
        if url_path is not None or _seen_before():
            return
        st.session_state[STEP_KEY] = 0
    index = st.session_state[STEP_KEY]
    step = STEPS[index]
    with st.container(border=True, key="tour"):
        st.markdown(f"**Guided tour · step {index + 1} of {len(STEPS)}: {step.title}**")
        st.markdown(step.text)
        back, forward, close = st.columns([1, 1, 2])
        if index > 0 and back.button("Back", key="tour_back", icon=":material/arrow_back:"):
            _go(index - 1)
        last = index == len(STEPS) - 1
        if forward.button(
            "Finish" if last else "Next",
            key="tour_next",
            type="primary",
            icon=":material/check:" if last else ":material/arrow_forward:",
        ):
            if last:
                _dismiss()
                st.rerun()
            _go(index + 1)
        close.button(
            "Close the tour, don't show it again", key="tour_close", on_click=_dismiss, icon=":material/close:"
        )


def _go(index: int) -> None:
    """Step ``index``, on its page with the example loaded (the home step stays on the current page)."""
    st.session_state[STEP_KEY] = index
    target = STEPS[index].url_path
    if target is None:
        st.rerun()
    st.switch_page(ROOT / page(target).path, query_params={"scenario": SCENARIO})
