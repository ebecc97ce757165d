"""Presentation mode: the dashboard on a projector or a shared screen (issue 13, "For the classroom and the
meeting room").

A teacher switches it on with the sidebar's toggle or with a link carrying ``present=1``. It then holds for
the session (every page) and the URL keeps ``present=1`` so that a copied link opens in the same mode:

* larger type, on the page (:data:`CSS`) and in every chart (:data:`CHART_FONT_SIZE`, applied by
  :func:`ui.widgets.chart`);
* the page's introduction and the scenario's story collapsed to one line each (an expander the presenter
  opens when asked), so that the failure itself (the first sentence and the table of the Rules page, say)
  is above the fold of a 1366x768 screen;
* the sidebar starts closed (:func:`sidebar_state`), on every screen.

Outside presentation mode the sidebar is ``"auto"``: open on a laptop, closed on a phone (where an open
sidebar would cover the content).
"""

from __future__ import annotations

import streamlit as st

from ui import sizing

#: The link parameter (``present=1`` switches the mode on; ``true`` is read too).
PARAM = "present"
#: The session's mode (set from the link on a session's first run, then by the toggle).
MODE_KEY = "present_mode"
#: The sidebar toggle's widget key.
TOGGLE_KEY = "present_toggle"
#: Every chart's font size in presentation mode (plotly's default is 12).
CHART_FONT_SIZE = 18
#: The page's type and spacing in presentation mode: Streamlit sizes its text in rem, so a larger root
#: size scales headings, text, tables and widgets together; the top padding shrinks to keep the page's
#: first lines on screen.
CSS = """
<style>
html { font-size: 20px; }
.stMainBlockContainer, .block-container { padding-top: 4rem; padding-bottom: 2rem; }
h1 { font-size: 2.1rem !important; padding-top: 0 !important; }
</style>
"""
_ON = ("1", "true", "yes", "on")


def _from_link() -> bool:
    return str(st.query_params.get(PARAM, "")).strip().lower() in _ON


def active() -> bool:
    """Whether this session is in presentation mode (the link's ``present`` on its first run, later the toggle)."""
    if MODE_KEY not in st.session_state:
        st.session_state[MODE_KEY] = _from_link()
    return bool(st.session_state[MODE_KEY])


def sidebar_state() -> str:
    """``initial_sidebar_state`` for :func:`ui.shell.configure`: closed while presenting, otherwise
    ``"auto"`` (Streamlit opens it on wide screens and keeps it closed on phones)."""
    return "collapsed" if active() else "auto"


def on_a_phone() -> bool:
    """Whether this session's browser says it is a phone (:func:`ui.sizing.is_phone` on its User-Agent); the
    charts that lay panels side by side use fewer columns there. False without a request (AppTest)."""
    try:
        return sizing.is_phone(st.context.headers.get("User-Agent"))
    except Exception:  # noqa: BLE001 - no request context (AppTest): the laptop's layout
        return False


def _flip() -> None:
    st.session_state[MODE_KEY] = bool(st.session_state[TOGGLE_KEY])
    sync_link()


def sync_link() -> None:
    """Keep ``present=1`` in the URL while presenting, and no ``present`` otherwise."""
    if active():
        if st.query_params.get(PARAM) != "1":
            st.query_params[PARAM] = "1"
    elif PARAM in st.query_params:
        del st.query_params[PARAM]


def toggle() -> None:
    """The sidebar's switch."""
    st.session_state[TOGGLE_KEY] = active()
    st.toggle(
        "Presentation mode",
        key=TOGGLE_KEY,
        on_change=_flip,
        help="For a projector or a meeting: larger type, the introduction and the story folded to one "
        "line each, the sidebar closed. A link with present=1 opens a page this way.",
    )


def apply() -> None:
    """Called at the top of every page (:func:`ui.shell.page_header`): the larger type while presenting, and
    ``present=1`` in the URL (a page switch drops parameters the link did not name)."""
    sync_link()
    if active():
        st.html(CSS)
