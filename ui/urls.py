"""Shareable links: what the URL carries and how it is read and written.

The page is the URL path (``/rules``). The query string carries small controls and, when the population
is not a library scenario or the default as they are, the population itself (``pop``, :mod:`ui.links`):

* ``beta`` and ``k``: bound to the β and k widgets with ``bind="query-params"`` (same key on
  every page that shows them, so the value is shared); Streamlit writes and restores them, and
  leaves them out of the URL while they hold their defaults (β = 1, k = 4).
* ``scenario`` (a scenario id), ``temperature`` (the annotator temperature of a reward
  population) and ``D`` (the sampling distribution, comma-separated in the order of the
  alternatives): they belong to the shared state rather than to one widget, so the entry point
  applies them to the state when the URL brings a new value (a first request, or a link inside
  the app) and writes the state back after every run.

* ``pop``: a population edited by hand, imported or generated, with its title (:mod:`ui.links`: inside
  the link when small, else stored by the server under an id). Because the state is written into the
  URL after every run, a reload (F5) and a server restart keep the population, and the address bar is
  always a link that reproduces the screen.

A link opened on a fresh server reproduces exactly what the URL encodes: the scenario (or the
default population), the population of ``pop`` when there is one, plus these controls.

The Rules page's step-by-step view adds ``trace`` (a rule id) and ``step`` (from 1); :mod:`ui.steps` reads
and writes them.

A link is user input: each parameter is read by one decoder here (:func:`decode_k`, :func:`decode_beta`,
:func:`decode_temperature`, :func:`decode_scenario`, :func:`decode_sampling`, :func:`decode_job`,
:func:`decode_trace`, :func:`decode_step`), which
returns a valid value or raises :class:`AggregationError` (the page then keeps its state and says so,
quoting the parameter as text). No parameter longer than :data:`aggregation.bounds.MAX_PARAM_CHARS`
characters is read.
"""

from __future__ import annotations


import re

import pandas as pd
import streamlit as st

from aggregation import USER_TYPES, AggregationError, bounds
from aggregation.validate import distribution, short

from . import files, links, scenarios, state
from .page_index import ROOT
from .text import md

BETA_KEY = "beta"
K_KEY = "k"
DEFAULT_BETA = 1.0
DEFAULT_K = 4
#: Largest k the controls offer (the core accepts up to 1000; the curves re-solve MPNE_k for each k).
MAX_K = files.MAX_K
#: The β control's range.
BETA_RANGE = files.BETA_RANGE
#: The annotator temperature a link may set (the reward editor's smallest step is 0.001).
TEMPERATURE_RANGE = (1e-3, 1e3)
_SCENARIO_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,99}$")
_JOB_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_RULE_ID = re.compile(r"^[a-z0-9_]{1,64}$")
#: The largest step a link may name (a trace has far fewer; the page shows its last step beyond it).
MAX_STEP = 10_000
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
SCENARIO_PARAM = "scenario"
TEMPERATURE_PARAM = "temperature"
SAMPLING_PARAM = "D"
POPULATION_PARAM = "pop"
_SEEN_KEY = "_link_params_seen"
_ENCODED_KEY = "_link_population_encoded"
_PARAMS = (SCENARIO_PARAM, POPULATION_PARAM, TEMPERATURE_PARAM, SAMPLING_PARAM)


#: What each link parameter accepts, in words: every notice about a bad value says it (:func:`bad_value`).
ACCEPTED = {
    K_KEY: f"a whole number from 1 to {MAX_K}",
    BETA_KEY: f"a number from {BETA_RANGE[0]:g} to {BETA_RANGE[1]:g}",
    TEMPERATURE_PARAM: (
        f"a number from {TEMPERATURE_RANGE[0]:g} to {TEMPERATURE_RANGE[1]:g}, for a population of reward types"
    ),
    SAMPLING_PARAM: "one probability per alternative, in their order, separated by commas, summing to 1",
    SCENARIO_PARAM: "the id of a scenario of the library (as its gallery card links it)",
    POPULATION_PARAM: "a population written by this dashboard (z…) or the id of one this server stores (s…)",
    "trace": "the id of a rule that applies to this population",
    "step": f"a whole number from 1 to {MAX_STEP:,}",
    "job": "a job id (letters, digits, '_' and '-', at most 64 characters) of a job you can see",
    "experiment": "the name of one of the papers' experiments",
}


def bad_value(param: str, value, problem, fallback: str) -> str:
    """The one notice for a link parameter whose value cannot be used, whichever parameter it is: it names
    the parameter and the value (as text), says why, what is accepted and what is shown instead (the
    default, or what the session had)."""
    reason = str(problem).rstrip(".")
    accepted = ACCEPTED.get(param)
    return (
        f"The link's {param}={short(str(value)[: bounds.MAX_PARAM_CHARS])} was not used: {reason}. "
        + (f"Accepted: {accepted}. " if accepted else "")
        + f"Showing {fallback} instead."
    )


def encode_sampling(D) -> str:
    """``0.2,0.3,0.5``: probabilities in the order of the alternatives (10 significant digits)."""
    return ",".join(format(float(p), ".10g") for p in D)


def _param(text, name: str) -> str:
    """A link parameter as text of at most :data:`~aggregation.bounds.MAX_PARAM_CHARS` characters."""
    if not isinstance(text, str):
        raise AggregationError(f"the link's {name} must be text, got {type(text).__name__}")
    bounds.check("MAX_PARAM_CHARS", len(text), f"the link's {name}", found=f"{len(text):,} characters")
    return text.strip()


def _number(text, name: str, low: float, high: float) -> float:
    """A plain decimal number (no ``nan``, ``inf`` or ``1_000``) between ``low`` and ``high``."""
    text = _param(text, name)
    if len(text) > 40 or not _NUMBER.match(text):
        raise AggregationError(f"the link's {name} {short(text)} is not a number")
    value = float(text)
    if not low <= value <= high:
        raise AggregationError(f"the link's {name} must be between {low:g} and {high:g}, got {value:g}")
    return value


def decode_k(text) -> int:
    """``k`` from a link: a whole number from 1 to :data:`MAX_K`."""
    value = _number(text, "k", 1, MAX_K)
    if not value.is_integer():
        raise AggregationError(f"the link's k must be a whole number, got {value:g}")
    return int(value)


def decode_beta(text) -> float:
    """``beta`` from a link: a number in :data:`BETA_RANGE` (the β control's range)."""
    return _number(text, "β", *BETA_RANGE)


def decode_temperature(text) -> float:
    """``temperature`` from a link: a number in :data:`TEMPERATURE_RANGE`."""
    return _number(text, "annotator temperature", *TEMPERATURE_RANGE)


def decode_scenario(text) -> str:
    """``scenario`` from a link: a scenario id (lower-case letters, digits, ``_`` and ``-``); whether the
    library has it is for :func:`ui.scenarios.load` to say."""
    text = _param(text, "scenario")
    if not _SCENARIO_ID.match(text):
        raise AggregationError(
            f"the link's scenario {short(text)} is not a scenario id (lower-case letters, digits, '_' and '-')"
        )
    return text


def decode_job(text) -> str:
    """``job`` from a link: a job id (letters, digits, ``_`` and ``-``, at most 64 characters)."""
    text = _param(text, "job")
    if not _JOB_ID.match(text):
        raise AggregationError(f"the link's job {short(text)} is not a job id")
    return text


def decode_trace(text) -> str:
    """``trace`` from a link: a rule id (lower-case letters, digits and ``_``); whether the registry has it
    and whether it applies to the population is for the Rules page to say."""
    text = _param(text, "rule")
    if not _RULE_ID.match(text):
        raise AggregationError(f"the link's rule {short(text)} is not a rule id (lower-case letters, digits and '_')")
    return text


def decode_step(text) -> int:
    """``step`` from a link: a whole number from 1 to :data:`MAX_STEP`."""
    value = _number(text, "step", 1, MAX_STEP)
    if not value.is_integer():
        raise AggregationError(f"the link's step must be a whole number, got {value:g}")
    return int(value)


def decode_sampling(text: str, alternatives) -> pd.Series:
    """Inverse of :func:`encode_sampling`, validated by the core."""
    text = _param(text, "sampling distribution D")
    bounds.check(
        "MAX_ALTERNATIVES",
        text.count(",") + 1,
        "the link's sampling distribution D",
        found=f"{text.count(',') + 1:,} numbers",
    )
    parts = [p.strip() for p in text.split(",")]
    if not all(len(p) <= 40 and _NUMBER.match(p) for p in parts):
        raise AggregationError(f"the link's sampling distribution D={short(text)} must be numbers separated by commas")
    values = [float(p) for p in parts]
    if len(values) != len(alternatives):
        raise AggregationError(
            f"the link's sampling distribution D has {len(values)} numbers but the population has "
            f"{len(alternatives)} alternatives ({', '.join(alternatives)})"
        )
    return distribution(values, alternatives, what="the link's sampling distribution D")


def apply_inbound_link() -> None:
    """Apply ``scenario``, ``temperature`` and ``D`` from the URL when they differ from what this
    session last saw there. Problems become notices; the state stays valid."""
    state.ensure_session()
    _drop_bad_controls()
    seen = st.session_state.setdefault(_SEEN_KEY, {})
    incoming = {p: st.query_params.get(p) for p in _PARAMS}
    changed = {p: v for p, v in incoming.items() if v is not None and v != seen.get(p)}
    seen.update(incoming)
    if SCENARIO_PARAM in changed:
        try:
            apply_scenario(scenarios.load(decode_scenario(changed[SCENARIO_PARAM])))
            _keep_link_controls()
        except AggregationError as exc:
            state.notice(bad_value(SCENARIO_PARAM, changed[SCENARIO_PARAM], exc, "the current population"))
    if POPULATION_PARAM in changed:
        _apply_population(changed[POPULATION_PARAM], scenario=SCENARIO_PARAM in changed)
    if TEMPERATURE_PARAM in changed:
        _apply_temperature(changed[TEMPERATURE_PARAM])
    if SAMPLING_PARAM in changed:
        try:
            state.set_sampling(decode_sampling(changed[SAMPLING_PARAM], state.population().alternatives))
        except AggregationError as exc:
            state.notice(
                bad_value(
                    SAMPLING_PARAM,
                    changed[SAMPLING_PARAM],
                    exc,
                    "the sampling distribution D you had"
                    if state.sampling() is not None
                    else "uniform sampling (the default)",
                )
            )


def apply_scenario(scenario, origin: state.Origin | None = None) -> None:
    """Load a scenario: its population, sampling distribution, β, k and ranked-choice set-up (fields
    of ``presets.Scenario``). ``origin`` defaults to the scenario itself (title and id, so that a link
    can name it); pass another one for a scenario that is not the library's (an upload)."""
    generator = getattr(scenario, "generator", None)
    state.set_population(scenario.population, origin or state.Origin(scenario.title, scenario.id, generator=generator))
    state.set_sampling(getattr(scenario, "sampling", None))
    state.set_choice_setup(getattr(scenario, "choice", None))
    beta = getattr(scenario, "beta", None)
    if beta is not None:
        st.session_state[BETA_KEY] = float(beta)
    k = getattr(scenario, "k", None)
    if k is not None:
        st.session_state[K_KEY] = int(k)


def _drop_bad_controls() -> None:
    """Remove a ``k`` or ``beta`` the controls cannot hold from the URL before the widgets bound to it are
    drawn (Streamlit's own reading of a bound number fails on ``k=1e999``), with a notice."""
    for key, decode in ((BETA_KEY, decode_beta), (K_KEY, decode_k)):
        text = st.query_params.get(key)
        if text is None:
            continue
        try:
            decode(text)
        except AggregationError as exc:
            del st.query_params[key]
            default = DEFAULT_BETA if key == BETA_KEY else DEFAULT_K
            value = st.session_state.get(key)
            state.notice(
                bad_value(
                    key,
                    text,
                    exc,
                    f"{key} = {default:g} (the default)"
                    if value in (None, default)
                    else f"{key} = {float(value):g} (the value you had)",
                )
            )


def _keep_link_controls() -> None:
    """A link that names a scenario *and* β or k means those values, not the scenario's: write them
    into the state, so that the bound widgets (which read the URL when they first appear) and the
    state agree. Values the widgets would refuse are left to them (they drop such parameters)."""
    for key, decode in ((BETA_KEY, decode_beta), (K_KEY, decode_k)):
        text = st.query_params.get(key)
        if text is None:
            continue
        try:
            st.session_state[key] = decode(text)
        except AggregationError:
            continue


def scenario_params(scenario) -> dict[str, str]:
    """The query string of a link that opens ``scenario`` (its id, and its β and k where they are
    not the defaults; its sampling distribution and temperature follow from the id)."""
    params = {SCENARIO_PARAM: scenario.id}
    if float(scenario.beta) != DEFAULT_BETA:
        params[BETA_KEY] = format(float(scenario.beta), "g")
    if int(scenario.k) != DEFAULT_K:
        params[K_KEY] = str(int(scenario.k))
    return params


def open_scenario(scenario) -> None:
    """Load ``scenario`` and go to its page, with a URL that reproduces it (never returns)."""
    apply_scenario(scenario)
    seen = st.session_state.setdefault(_SEEN_KEY, {})
    seen.update(desired_params())  # the next run must not load it a second time
    params = {**scenario_params(scenario), **{p: v for p, v in desired_params().items() if v is not None}}
    st.switch_page(ROOT / scenarios.page_of(scenario).path, query_params=params)


def current_beta() -> float:
    """β as the β widget shows it, or as the URL carries it on pages without the widget."""
    return float(_control(BETA_KEY, DEFAULT_BETA))


def current_k() -> int:
    """k as the k widget shows it, or as the URL carries it on pages without the widget."""
    return int(_control(K_KEY, DEFAULT_K))


def _control(key: str, default: float) -> float:
    """The control's value in this session, else the link's (when valid), else the default."""
    value = st.session_state.get(key)
    if value is None and key in st.query_params:
        try:
            value = (decode_k if key == K_KEY else decode_beta)(st.query_params[key])
        except AggregationError:
            value = None
    return default if value is None else value


def current_params() -> dict[str, str]:
    """The query string that reproduces the current screen (for links inside the app)."""
    params = {p: v for p, v in desired_params().items() if v is not None}
    for key, default in ((BETA_KEY, DEFAULT_BETA), (K_KEY, DEFAULT_K)):
        value = _control(key, default)
        if float(value) != default:
            params[key] = format(float(value), "g")
    return params


def _apply_temperature(text: str) -> None:
    model = state.population()
    if model.kind != USER_TYPES:
        state.notice(
            bad_value(
                TEMPERATURE_PARAM, text, "the current population is not one of reward types", "the current population"
            )
        )
        return
    try:
        value = decode_temperature(text)
        state.set_population(model.with_temperature(value), state.origin())
    except AggregationError as exc:
        state.notice(bad_value(TEMPERATURE_PARAM, text, exc, f"temperature = {model.temperature:g}"))


def _apply_population(text: str, *, scenario: bool) -> None:
    try:
        linked = links.decode(text)
    except AggregationError as exc:
        state.notice(
            bad_value(POPULATION_PARAM, text[:40] + ("…" if len(text) > 40 else ""), exc, "the current population")
        )
        return
    current = state.origin()
    state.set_population(
        linked.population, state.Origin(linked.title, current.scenario if scenario else None, edited=linked.edited)
    )
    st.session_state[_ENCODED_KEY] = (_population_key(), text)  # the same link: nothing to write back


def _population_key():
    origin = state.origin()
    return (state.population().fingerprint, origin.title, origin.edited)


def population_param() -> str | None:
    """``pop`` for the current population: ``None`` for the default population and for a library scenario
    as they are (their own parameters reproduce them), else :func:`ui.links.encode` (computed once per
    population)."""
    origin = state.origin()
    if not origin.edited and (origin.scenario or origin == state.DEFAULT_ORIGIN):
        return None
    key = _population_key()
    cached = st.session_state.get(_ENCODED_KEY)
    if cached is not None and cached[0] == key:
        return cached[1]
    token = links.encode(state.population(), origin.title, origin.edited)
    st.session_state[_ENCODED_KEY] = (key, token)
    return token


def desired_params() -> dict[str, str | None]:
    """The query parameters that describe the current state (``None``: absent)."""
    model = state.population()
    D = state.sampling()
    return {
        SCENARIO_PARAM: state.origin().scenario,
        POPULATION_PARAM: population_param(),
        TEMPERATURE_PARAM: format(model.temperature, ".10g") if model.kind == USER_TYPES else None,
        SAMPLING_PARAM: encode_sampling(D) if D is not None else None,
    }


def sync_outbound_link() -> None:
    """Write the state's ``scenario``, ``temperature`` and ``D`` into the URL (only what changed)."""
    seen = st.session_state.setdefault(_SEEN_KEY, {})
    for param, value in desired_params().items():
        if value is None:
            if param in st.query_params:
                del st.query_params[param]
        elif st.query_params.get(param) != value:
            st.query_params[param] = value
        seen[param] = value


def link_scope() -> str:
    """One sentence saying what a copied link reproduces."""
    origin = state.origin()
    if not origin.edited and (origin.scenario or origin == state.DEFAULT_ORIGIN):
        base = f"the scenario “{md(origin.title)}”" if origin.scenario else "the default population"
        return f"The address bar is a link that reproduces this screen: {base}, β, k and the sampling distribution."
    where = (
        "inside the link"
        if (population_param() or "").startswith(links.INLINE)
        else f"on this server, which keeps it for {bounds.MAX_LINK_AGE_DAYS} days after its last use"
    )
    return (
        "The address bar is a link that reproduces this screen, this population included (kept "
        f"{where}); a reload keeps it too."
    )
