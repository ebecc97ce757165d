"""Step by step (issue 14): how a rule reached its answer on the current population, one step at a time.

A teacher picks a rule and steps through with Previous / Next. The rule and the step live in the URL
(``?trace=borda&step=3``, the step counted from 1), so a copied link reopens the same step of the same
rule: the URL is the state (read on every run, written by the widgets' callbacks), and a step beyond the
rule's last is shown as the last. Each step shows its words as plain text (names escaped, never read as
markdown), its table as a table, and the alternatives it is about in the colour of the rule's family
(:data:`ui.figures.FAMILY_COLOURS`). The steps come from the core (``Rule.steps``: the rule's own trace, or
its explanation and values for a rule without one).
"""

from __future__ import annotations

import math

import streamlit as st

from aggregation import RULES, AggregationError

from . import compute, figures, numbers, state, urls, widgets
from .text import md

TRACE_PARAM = "trace"
STEP_PARAM = "step"
#: The widget that picks the rule (kept equal to the URL's ``trace``).
RULE_KEY = "steps_rule"


def url_step() -> int:
    """The step the URL names (``step``, from 1; 1 when absent). A bad value is dropped from the URL, with a
    message."""
    text = st.query_params.get(STEP_PARAM)
    if text is None:
        return 1
    try:
        return urls.decode_step(text)
    except AggregationError as exc:
        st.query_params.pop(STEP_PARAM, None)
        st.warning(md(urls.bad_value(STEP_PARAM, text, exc, "the first step")), icon=":material/info:")
        return 1


def _set_step(step: int) -> None:
    if step <= 1:
        st.query_params.pop(STEP_PARAM, None)
    else:
        st.query_params[STEP_PARAM] = str(step)


def _picked() -> None:
    """The rule picker's callback: the URL names the new rule, from its first step."""
    rule_id = st.session_state.get(RULE_KEY)
    if rule_id is None:
        st.query_params.pop(TRACE_PARAM, None)
    else:
        st.query_params[TRACE_PARAM] = rule_id
    _set_step(1)


def step_table(step, colour: str):
    """The step's table for ``st.dataframe``: numbers to 6 significant digits (a rounding residue below
    1e-12 as 0, no value as "–"), the rows of highlighted alternatives tinted in ``colour`` and bold."""
    frame = step.table

    def number(v):
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            v = float(v)
            if math.isnan(v):
                return "–"
            return numbers.decimal(0.0 if abs(v) < 1e-12 else v, 6)
        return str(v)

    style = frame.style.format(number)
    marked = set(step.highlight)
    if marked:
        tint = f"background-color: {colour}33; font-weight: 700"
        style = style.apply(lambda row: [tint if row.name in marked else "" for _ in row], axis=1)
    return style


def show_step(rule, steps: list, index: int) -> None:
    """One step: "Step i of n" with its title, Previous / Next, the words, the alternatives in focus and
    the table."""
    n = len(steps)
    step = steps[index - 1]
    name, hex_colour = figures.rule_colour(rule.family)
    with st.container(key="steps_nav", horizontal=True, vertical_alignment="center"):
        st.button(
            "Previous",
            key="steps_previous",
            icon=":material/arrow_back:",
            disabled=index <= 1,
            on_click=_set_step,
            args=(index - 1,),
        )
        st.button(
            "Next",
            key="steps_next",
            icon=":material/arrow_forward:",
            disabled=index >= n,
            on_click=_set_step,
            args=(index + 1,),
            type="primary",
        )
        st.markdown(f"**Step {index} of {n}** · {md(step.title)}")
    with st.container(key="steps_body"):
        st.markdown(md(step.text))
        if step.highlight:
            st.markdown("In focus: " + " ".join(f":{name}-background[**{md(a)}**]" for a in step.highlight))
        if step.table is not None:
            widgets.table(
                step_table(step, hex_colour),
                key="steps_table",
                width="content",
                height="content" if len(step.table) <= 14 else 520,
            )


def stepper(model, *, beta: float, sampling: tuple | None, k: int, games: bool) -> None:
    """The step-by-step section of the Rules page: the rule picker and the current step, in an expander
    that is open when the URL names a rule. ``games``: whether MPNE_k and the robust policy may be solved
    now (as on the page)."""
    chosen, notice = st.query_params.get(TRACE_PARAM), None
    asked = chosen
    if chosen is not None:
        try:
            chosen = urls.decode_trace(chosen)
            if chosen not in RULES or not RULES[chosen].applies_to(model)[0]:
                raise AggregationError(f"{chosen!r} is not a rule that applies to this population")
        except AggregationError as exc:
            notice = urls.bad_value(TRACE_PARAM, asked, exc, "no steps (pick a rule below)")
            st.query_params.pop(TRACE_PARAM, None)
            st.query_params.pop(STEP_PARAM, None)
            chosen = None
    options = [r for r, rule in RULES.items() if rule.applies_to(model)[0]]
    if st.session_state.get(RULE_KEY) != chosen:
        st.session_state[RULE_KEY] = chosen  # before the widget exists: the URL decides
    with st.expander(
        "Step by step: how a rule reached its answer",
        expanded=chosen is not None,
        icon=":material/school:",
        key="steps_expander",
    ):
        if notice:
            st.warning(md(notice), icon=":material/info:")
        st.selectbox(
            "Rule",
            options,
            key=RULE_KEY,
            index=None,
            on_change=_picked,
            format_func=lambda r: RULES[r].name,
            placeholder="Pick a rule to see how it decides",
            help="The steps are in the address bar (trace=…&step=…): copy it to reopen this very step.",
        )
        if chosen is None:
            st.caption(
                "Pick a rule: its steps use the current population and the β, k and sampling distribution above."
            )
            return
        rule = RULES[chosen]
        if rule.solves_game and not games:
            if widgets.on_request(
                "games",
                (model.fingerprint, k),
                button_key="steps_games",
                label=f"Solve MPNE_{k} and the robust policy",
                explanation=f"{rule.name} solves a game on this population, which can take from "
                "seconds to minutes; its steps appear when you ask.",
            ):
                st.rerun()
            return
        try:
            steps = compute.rule_steps(model, chosen, beta, sampling, k)
        except AggregationError as exc:
            widgets.error(exc)
            return
        index = min(url_step(), len(steps))
        if STEP_PARAM in st.query_params and index != url_step():
            _set_step(index)
        show_step(rule, steps, index)
        st.caption(
            md(f"{rule.name}: {rule.explanation} Sources: {rule.source}. Population: {state.population_title()}.")
        )
