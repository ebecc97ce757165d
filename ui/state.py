"""Session state shared by every page: the population, where it came from, the sampling distribution,
the ranked-choice set-up of a scenario, and the expensive computations the user asked for.

The population lives under a plain session-state key (not a widget key), so it persists while
the user moves between pages. Every page reads it through :func:`population`; everything that
replaces it goes through :func:`set_population`, which also bumps :func:`version` so that the
editors on the Population page rebuild from the new population.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import streamlit as st

from aggregation import Profile
from aggregation.validate import distribution

POPULATION_KEY = "population"
ORIGIN_KEY = "population_origin"
SAMPLING_KEY = "sampling"
VERSION_KEY = "population_version"
NOTICES_KEY = "notices"
CHOICE_KEY = "choice_setup"
REQUESTS_KEY = "requests"

#: The Jackpot paper's Figure 1 (Maura-Rivero, Lanctot, Visin, Larson, arXiv 2501.19266):
#: Borda (hence RLHF) picks R, a majority picks B, the maximal lottery is B with probability 1.
JACKPOT_FIGURE_1 = "2: R > G > B\n3: B > R > G\n"


@dataclass(frozen=True)
class Origin:
    """Where the current population came from: a title for people, the scenario id a link can
    carry (``None`` for imports and hand-built populations), whether it was edited since, and
    how it was generated (a ``presets`` generator spec: model, parameters and the fingerprint of
    the population it made), so that a scenario file can describe it in a few lines."""

    title: str
    scenario: str | None = None
    edited: bool = False
    generator: object | None = None


DEFAULT_ORIGIN = Origin("Jackpot paper, Figure 1 (2 × R > G > B, 3 × B > R > G)")


def default_population() -> Profile:
    return Profile.parse(JACKPOT_FIGURE_1)


def ensure_session() -> None:
    """Initialise the shared state once per session; cheap and idempotent (every page calls it)."""
    ss = st.session_state
    if POPULATION_KEY not in ss:
        ss[POPULATION_KEY] = default_population()
        ss[ORIGIN_KEY] = DEFAULT_ORIGIN
    ss.setdefault(ORIGIN_KEY, Origin("a population set before the session started"))
    ss.setdefault(SAMPLING_KEY, None)
    ss.setdefault(VERSION_KEY, 0)
    ss.setdefault(NOTICES_KEY, [])
    ss.setdefault(CHOICE_KEY, None)
    ss.setdefault(REQUESTS_KEY, set())


def population():
    ensure_session()
    return st.session_state[POPULATION_KEY]


def origin() -> Origin:
    ensure_session()
    return st.session_state[ORIGIN_KEY]


def population_title() -> str:
    """The current population in a few words, as figures and captions name it (user text: escape it).
    After an edit it is "Edited from <the original title>", or the title the user gave it."""
    return origin().title


#: Characters of a population's title (the Population page's title field).
MAX_TITLE_CHARS = 300


def edited_origin(current: Origin) -> Origin:
    """The origin of a population edited from ``current``: "Edited from <title>" the first time (a title
    the user typed is kept), marked edited (the link then carries the population)."""
    if current.edited:
        return current
    return replace(current, title=f"Edited from {current.title}"[:MAX_TITLE_CHARS], edited=True)


def rename(title: str) -> None:
    """Give the current population the user's own title (stripped, at most :data:`MAX_TITLE_CHARS`
    characters; a blank title is refused with a notice). The population counts as edited from then on,
    so that links and saved files carry the new title."""
    ensure_session()
    title = " ".join(str(title).split())[:MAX_TITLE_CHARS]
    if not title:
        notice("A population needs a title: the blank title was not applied.")
        return
    current = st.session_state[ORIGIN_KEY]
    if title != current.title:
        st.session_state[ORIGIN_KEY] = replace(current, title=title, edited=True)


def version() -> int:
    """Bumped whenever the population or the sampling distribution is replaced."""
    ensure_session()
    return st.session_state[VERSION_KEY]


def set_population(model, new_origin: Origin | None = None) -> None:
    """Replace the population. Without ``new_origin`` the current origin is marked as edited by
    hand (:func:`edited_origin`). A custom sampling distribution survives when the alternatives stay the same; when they
    change it is reset to uniform, with a notice."""
    ensure_session()
    ss = st.session_state
    ss[POPULATION_KEY] = model
    ss[ORIGIN_KEY] = new_origin if new_origin is not None else edited_origin(ss[ORIGIN_KEY])
    choice = ss[CHOICE_KEY]
    if choice is not None and sorted(choice.utilities.index) != sorted(model.alternatives):
        ss[CHOICE_KEY] = None  # the ranked-choice set-up named other alternatives
    D = ss[SAMPLING_KEY]
    if D is not None and list(D.index) != list(model.alternatives):
        if set(D.index) == set(model.alternatives):
            ss[SAMPLING_KEY] = D.reindex(list(model.alternatives))  # same alternatives, new order
        else:
            ss[SAMPLING_KEY] = None
            notice("The sampling distribution D was reset to uniform because the alternatives changed.")
    ss[VERSION_KEY] += 1


def sampling() -> pd.Series | None:
    """The sampling distribution D over the current alternatives; ``None`` means uniform."""
    ensure_session()
    return st.session_state[SAMPLING_KEY]


def sampling_or_uniform() -> pd.Series:
    D = sampling()
    return D if D is not None else distribution(None, population().alternatives)


def set_sampling(values) -> None:
    """Set D (validated by the core; a uniform D is stored as ``None``). Raises AggregationError."""
    ensure_session()
    alternatives = population().alternatives
    D = None if values is None else distribution(values, alternatives)
    if D is not None and np.allclose(D.to_numpy(), 1.0 / len(alternatives), rtol=0, atol=1e-15):
        D = None
    st.session_state[SAMPLING_KEY] = D
    st.session_state[VERSION_KEY] += 1


def notice(text: str) -> None:
    """A message shown at the top of every page until the user dismisses it."""
    ensure_session()
    if text not in st.session_state[NOTICES_KEY]:
        st.session_state[NOTICES_KEY].append(text)


def notices() -> list[str]:
    ensure_session()
    return list(st.session_state[NOTICES_KEY])


def dismiss_notices() -> None:
    st.session_state[NOTICES_KEY] = []


def choice_setup():
    """The ranked-choice set-up (``presets.ChoiceSetup``) of the scenario loaded, or ``None``."""
    ensure_session()
    return st.session_state[CHOICE_KEY]


def set_choice_setup(setup) -> None:
    ensure_session()
    st.session_state[CHOICE_KEY] = setup


def request(name: str, key) -> None:
    """Remember that the user asked for an expensive computation (``name`` for ``key``, e.g. the
    population's fingerprint and k), so that later reruns show it (from the cache) without asking again."""
    ensure_session()
    st.session_state[REQUESTS_KEY].add((name, key))


def unrequest(name: str, key) -> None:
    """Forget that the user asked (a cancelled computation: the button shows again)."""
    ensure_session()
    st.session_state[REQUESTS_KEY].discard((name, key))


def requested(name: str, key) -> bool:
    ensure_session()
    return (name, key) in st.session_state[REQUESTS_KEY]
