"""The parts of the Properties page: the rule x property grid on the current population, the
definitions, the paradox finder and the precomputed table of paradoxes. Every word about a property
comes from the property registry (``aggregation.PROPERTIES``), every rule from the rule registry."""

from __future__ import annotations

import time

import pandas as pd
import streamlit as st

from aggregation import COMPARISONS, PROPERTIES, RULES, AggregationError, RuleParams, search_paradox
from aggregation.properties.cost import affordable_properties
from aggregation.properties import paradox_table as tables

from . import background, compute, explain, state, widgets
from .text import md

#: What a grid cell shows, by status (a pass that tried every variation is a proof on this population;
#: a bounded one found no counterexample within the stated bounds).
STATUS = {
    "pass": "✔ pass",
    "bounded": "✔ none found",
    "fail": "✘ fail",
    "not applicable": "– n/a",
    "not checked": "… not checked",
}
PENDING = STATUS["not checked"]
SHORT = {p.id: p.short for p in PROPERTIES.values()}
LABELS = {r: rule.name for r, rule in RULES.items()}
RESULT_KEY = "paradox_result"
#: Checked first when the page's unasked time runs out: the papers' rules (lotteries, alignment, test time).
FIRST_FAMILIES = ("lotteries", "alignment", "test time")
#: The live search's bounds on the page: re-computations and seconds.
SEARCH_EVALUATIONS, SEARCH_SECONDS = 20_000, 40.0


def cell(check) -> str:
    if check.status == "pass" and not check.exhaustive:
        return STATUS["bounded"]
    return STATUS[check.status]


def colour(value: str) -> str:
    if value.startswith("✘"):
        return "background-color: rgba(213,94,0,0.22); font-weight: 700"
    if value == STATUS["pass"]:
        return "background-color: rgba(0,158,115,0.16)"
    if value.startswith("✔"):
        return "background-color: rgba(0,158,115,0.07)"
    return "color: #777"


# ---------------------------------------------------------------------------- the grid
def on_this_population(model, D) -> tuple[float, int]:
    """The first tab: the controls, every rule x property on ``model`` (slow checks wait for the user), the
    counterexamples and the definitions. Returns the β and k chosen."""
    controls = st.columns([1, 1, 3], gap="medium")
    beta = float(widgets.beta_input(container=controls[0]))
    k = int(widgets.k_input(container=controls[1]))
    with controls[2]:
        st.caption(explain.PROPERTY_VERSIONS)
    if model.kind == COMPARISONS:  # issue 12: an estimated P makes every verdict an estimate too
        st.info(
            f"P is estimated from {model.n_rows:,} comparisons: each verdict below holds for that estimate. "
            "How sure each rule's winner is (the bootstrap's share of resamples, intervals) is on the Rules, "
            "Sampling and Test-time pages; a verdict that turns on a winner the data cannot decide may change "
            "with more data.",
            icon=":material/info:",
        )
    sampling = None if D is None else tuple(D.to_numpy())
    rules = list(compute.RULE_KEYS)
    job_key = ("properties", model.fingerprint, k, beta, sampling)
    asked = background.when_asked(
        ("properties", (model.fingerprint, k)),
        job_key,
        "Checking the remaining cells",
        _remaining(model, rules, beta, sampling, k),
    )
    results, errors = {}, {}
    bar = st.progress(0.0, text="Checking every property…")
    started = time.perf_counter()
    for i, rule_id in enumerate(sorted(rules, key=lambda r: RULES[r].family not in FIRST_FAMILIES)):
        bar.progress(i / len(rules), text=f"Checking every property of {LABELS[rule_id]}…")
        if not asked and time.perf_counter() - started > compute.PAGE_CHECK_SECONDS:
            continue  # the rest wait for the button (checked ones are cached)
        chosen = None if asked else tuple(affordable_properties(model, rule_id, k))
        if chosen == ():
            continue
        try:
            results[rule_id] = compute.property_checks(
                model, rule_id, beta, sampling, k, None if asked else compute.CHECK_SECONDS, chosen
            )
        except AggregationError as exc:
            errors[rule_id] = str(exc)
    bar.empty()
    deferred = [
        LABELS[r]
        for r in rules
        if r not in errors
        and (len(results.get(r, [])) < len(PROPERTIES) or any(c.status == "not checked" for c in results[r]))
    ]
    job = background.get(job_key)
    if job is not None and job.alive:
        background.panel(job_key, "properties_background")
    elif deferred and widgets.on_request(
        "properties",
        (model.fingerprint, k),
        button_key="properties_run",
        label="Check the remaining cells",
        explanation="Some checks re-run the rule many times (each voter misreporting, staying home, each split "
        "of the electorate, ...); on this population that takes a while for "
        + ", ".join(deferred)
        + ". They are checked when you ask. They run in the background, with a progress bar and a "
        "Cancel button; the page stays usable meanwhile.",
    ):
        background.forget(job_key)
        st.rerun()
    elif job is not None:
        background.panel(job_key, "properties_background")  # how the last run ended (cancelled, failed)
    for rule_id, message in errors.items():  # the rule itself cannot be computed here (e.g. a D with zeros)
        st.caption(f"**{LABELS[rule_id]}** cannot be checked on this population: {md(message)}.")
    frame, report = grid(results, errors, rules)
    show_grid(frame)
    widgets.csv_download(
        report,
        file_name="properties.csv",
        key="properties_csv",
        index=False,
        label="Download every check with its explanation (CSV)",
    )
    counterexamples(report)
    definitions()
    return beta, k


def _remaining(model, rules, beta, sampling, k):
    """The background computation behind "Check the remaining cells": every property of every rule, the
    papers' rules first, into the cache the grid reads (a rule that cannot be checked is shown why)."""
    order = sorted(rules, key=lambda r: RULES[r].family not in FIRST_FAMILIES)

    def run_all(progress):
        for i, rule_id in enumerate(order):
            try:
                compute.property_checks(
                    model,
                    rule_id,
                    beta,
                    sampling,
                    k,
                    None,
                    None,
                    _progress=lambda f, i=i: progress((i + f) / len(order)),
                )
            except AggregationError:
                continue

    return run_all


def grid(results: dict, errors: dict, rules: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The grid (rule labels x property short names) and the report (one row per check)."""
    frame = pd.DataFrame(PENDING, index=[LABELS[r] for r in rules], columns=[SHORT[p] for p in PROPERTIES])
    rows = []
    for rule_id in errors:
        frame.loc[LABELS[rule_id]] = STATUS["not applicable"]
    for rule_id, checks in results.items():
        for c in checks:
            frame.at[LABELS[rule_id], SHORT[c.axiom]] = cell(c)
            rows.append(
                {
                    "rule": LABELS[rule_id],
                    "property": PROPERTIES[c.axiom].name,
                    "version": c.version,
                    "status": c.status,
                    "proof": c.proof,
                    "explanation": c.message,
                    "explored": c.scope,
                }
            )
    report = pd.DataFrame(rows, columns=["rule", "property", "version", "status", "proof", "explanation", "explored"])
    return frame, report


def show_grid(frame: pd.DataFrame) -> None:
    widgets.table(
        frame.style.map(colour),
        key="properties_grid",
        width="stretch",
        height="content",
        column_config={
            SHORT[p]: st.column_config.TextColumn(SHORT[p], help=prop.name) for p, prop in PROPERTIES.items()
        },
    )
    st.caption(
        "✔ pass: every variation the property allows was tried on this population (a proof here). "
        "✔ none found: no counterexample within the stated bounds (the check tried a bounded sample; "
        "see each cell's explanation below). ✘ fail: a counterexample, spelled out below. – n/a: the "
        "property says nothing here or the rule does not apply. … not checked: it would take a while; "
        "it runs when you ask."
    )


def counterexamples(report: pd.DataFrame) -> None:
    """The counterexamples found on this population, one expander per rule (the label says how many)."""
    failures = report[report["status"] == "fail"]
    st.subheader(f"Counterexamples on this population ({len(failures)})")
    if failures.empty:
        st.markdown("No rule checked so far breaks a promise on this population.")
    for rule, rows in failures.groupby("rule", sort=False):
        checked = int((report["rule"] == rule).sum())
        with st.expander(f"{rule}: breaks {len(rows)} of {checked} properties here", icon=":material/cancel:"):
            for _, row in rows.iterrows():
                st.markdown(f"**{row['property']}** ({row['version']} version). {md(row['explanation'])}")
    others = report[report["status"] != "fail"]
    with st.expander(f"Why the other cells pass or do not apply ({len(others)})"):
        for _, row in others.iterrows():
            mark = STATUS["bounded"] if row["status"] == "pass" and not row["proof"] else STATUS[row["status"]]
            explored = f" *Explored: {md(row['explored'])}.*" if row["explored"] else ""
            st.markdown(f"- **{row['rule']} — {row['property']}** ({mark}): {md(row['explanation'])}{explored}")


def definitions() -> None:
    with st.expander(f"The {len(PROPERTIES)} properties, defined"):
        for prop in PROPERTIES.values():
            st.markdown(
                f"**{prop.name}.** *Winner version:* {prop.winner_version} *Probabilistic version:* "
                f"{prop.probabilistic_version}  \n"
                f"Sources: {'; '.join(explain.reference(r) for r in prop.references)}; for lotteries: "
                f"{'; '.join(explain.reference(r) for r in prop.probabilistic_references)}.  \n"
                f"The check explores: {prop.searched}."
            )
        st.caption(
            "How a voter compares two outcomes (participation, manipulation): by their own ranking of the "
            "winners, a tie read as an even chance; a lottery by the pairwise-comparison preference of the "
            "Jackpot paper's appendix A.3.1 (the chance that a draw from one beats a draw from the other, "
            "minus the reverse). Independence of clones: for rankings the clone sits right next to the "
            "original in every ranking, half of the voters putting it just above and half just below; for "
            "user types it gets exactly the original's rewards; the sampling distribution D, if set, splits "
            "the original's probability between the two."
        )


# ---------------------------------------------------------------------------- paradoxes on demand
def _load(profile, title: str) -> None:
    state.set_population(profile, state.Origin(title))


def _load_button(profile, rule_id: str, prop_id: str, key: str) -> None:
    n = int(round(profile.total_weight))
    title = f"Paradox: {LABELS[rule_id]} and {PROPERTIES[prop_id].name.lower()} ({n} voters)"
    st.button(
        f"Load these {n} voters as the current population",
        key=key,
        icon=":material/upload:",
        on_click=_load,
        args=(profile, title),
    )


def _show_paradox(
    narrative: str, profile, bounds: str, minimal: bool, rule_id: str, prop_id: str, key: str, by_hand: bool = False
):
    st.markdown(md(narrative))
    st.code(profile.to_text(), language=None)
    if by_hand:  # a textbook example entered by hand (its bounds name the source), confirmed by the live check
        st.caption(f"Entered by hand and confirmed by the property check; not claimed to be the smallest. {md(bounds)}")
    else:
        smallest = (
            "No smaller population violates it (every smaller size was searched exhaustively, up to renaming "
            "the alternatives)."
            if minimal
            else "Some smaller sizes were only sampled, so a smaller example may exist."
        )
        st.caption(f"{smallest} Searched: {md(bounds)}")
    _load_button(profile, rule_id, prop_id, key)


def finder(beta: float, k: int) -> None:
    st.markdown(
        "Pick a rule and a property: the smallest population on which the rule breaks the property "
        "(fewest voters, then fewest alternatives), searched now or from the precomputed table (the next "
        "tab). Load it with one click and every page shows it."
    )
    cols = st.columns([3, 3, 2, 2], gap="small")
    rule_id = cols[0].selectbox("Rule", list(RULES), format_func=LABELS.get, key="paradox_rule")
    prop_id = cols[1].selectbox(
        "Property", list(PROPERTIES), format_func=lambda p: PROPERTIES[p].name, key="paradox_property"
    )
    m = int(cols[2].number_input("Alternatives (at most)", min_value=2, max_value=5, value=4, step=1, key="paradox_m"))
    n = int(cols[3].number_input("Voters (at most)", min_value=1, max_value=9, value=7, step=1, key="paradox_n"))
    single = st.checkbox(
        "Only populations on which the rule's answer is unique (a single winner, a unique "
        "lottery), as textbook examples are",
        key="paradox_single",
    )

    params = RuleParams(beta=beta, k=k)
    key = (rule_id, prop_id, m, n, single, beta, k)
    if st.button(
        "Search now",
        key="paradox_search",
        icon=":material/search:",
        type="primary",
        help=f"Exhaustive over small populations while affordable, then a guided random search; at most "
        f"{SEARCH_EVALUATIONS:,} re-computations of the rule or {SEARCH_SECONDS:.0f} seconds.",
    ):
        bar = st.progress(0.0, text="Searching…")
        try:
            result = search_paradox(
                rule_id,
                prop_id,
                m,
                n,
                params=params,
                unique_outcome=single,
                max_evaluations=SEARCH_EVALUATIONS,
                max_seconds=SEARCH_SECONDS,
                progress=lambda f, text: bar.progress(f, text=f"Searching: {text}"),
            )
        except AggregationError as exc:
            bar.empty()
            widgets.error(exc)
            return
        bar.empty()
        st.session_state[RESULT_KEY] = (key, result)
    _searched(key, rule_id, prop_id)
    _from_table(rule_id, prop_id)


def _from_table(rule_id: str, prop_id: str) -> None:
    table = compute.paradox_table()
    row = tables.lookup(table, rule_id, prop_id) if isinstance(table, dict) else None
    if row is not None:
        st.markdown(f"**From the precomputed table** ({table['generated']}):")
        if row["status"] == tables.FOUND:
            _show_paradox(
                row["narrative"],
                row["population"],
                row["bounds"],
                row["minimal"],
                rule_id,
                prop_id,
                "paradox_load_table",
                by_hand=row.get("found_by") == tables.BY_HAND,
            )
        elif row["status"] == tables.NONE_FOUND:
            st.markdown(f"No violation found within the bounds. {md(row['bounds'])}")
        else:
            st.markdown(f"Not searched: {md(row['reason'])}.")
    elif isinstance(table, dict):
        st.caption(
            "This pair is not in the precomputed table (a rule or property added after it was generated): "
            "search it now."
        )


def _searched(key, rule_id: str, prop_id: str) -> None:
    stored = st.session_state.get(RESULT_KEY)
    if stored is None or stored[0] != key:
        return
    result = stored[1]
    st.markdown(f"**Searched now** ({result.evaluations:,} re-computations, {result.seconds:.1f} s):")
    if result.paradox is not None:
        p = result.paradox
        _show_paradox(
            p.narrative, p.population, result.bounds_text(), p.minimal, rule_id, prop_id, "paradox_load_search"
        )
    elif result.refusal:
        st.markdown(f"Not searched: {md(result.refusal)}.")
    else:
        st.markdown(f"No violation found. {md(result.bounds_text())}")


# ---------------------------------------------------------------------------- the table
def table_cell(row: dict | None) -> str:
    if row is None:
        return "· not in table"
    if row["status"] == tables.FOUND:
        mark = "†" if row.get("found_by") == tables.BY_HAND else ("" if row["minimal"] else "*")
        return f"✘ {row['voters']} v · {row['alternatives']} a{mark}"
    if row["status"] == tables.NONE_FOUND:
        return "✔ none found"
    return "– n/a"


def paradox_table() -> None:
    table = compute.paradox_table()
    if not isinstance(table, dict):
        st.warning(f"The precomputed table cannot be shown: {table}", icon=":material/warning:")
        return
    index = {(row["rule"], row["property"]): row for row in table["entries"]}
    frame = pd.DataFrame(
        {SHORT[p]: [table_cell(index.get((r, p))) for r in RULES] for p in PROPERTIES}, index=[LABELS[r] for r in RULES]
    )
    widgets.table(
        frame.style.map(colour),
        key="paradox_table",
        width="stretch",
        height="content",
        column_config={
            SHORT[p]: st.column_config.TextColumn(SHORT[p], help=prop.name) for p, prop in PROPERTIES.items()
        },
    )
    b = table["bounds"]
    st.caption(
        f"Precomputed on {table['generated']} by `{table['command']}`: {b['profiles']}, at most "
        f"{b['max_alternatives']} alternatives and {b['max_voters']} voters, a budget of about "
        f"{b['seconds_per_pair']:g} s of re-computations per pair (seed {b['seed']}); each entry states "
        "what it searched. ✘ n v · m a: the smallest violation found has n voters and m alternatives "
        "(* : some smaller sizes were only sampled, so a smaller one may exist; † : a textbook example entered "
        "by hand and confirmed by the property check, not claimed to be the smallest). ✔ none found: no violation "
        "within these bounds (not a proof that none exists). Pick the pair above to see and load it."
    )
    rows = pd.DataFrame([{k: v for k, v in row.items() if k not in ("levels",)} for row in table["entries"]])
    if "population" in rows:
        rows["population"] = rows["population"].map(lambda p: p.to_text() if hasattr(p, "to_text") else p)
    widgets.csv_download(
        rows,
        file_name="paradoxes.csv",
        key="paradoxes_csv",
        index=False,
        label="Download the table with every narrative and its bounds (CSV)",
    )
