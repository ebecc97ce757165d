"""The parts of the Properties page: the rule x property grid on the current population, the
definitions, the paradox finder and the precomputed table of paradoxes. Every word about a property
comes from the property registry (``aggregation.PROPERTIES``), every rule from the rule registry."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from aggregation import COMPARISONS, PROPERTIES, RULES, AggregationError, RuleParams, check_table, search_paradox
from aggregation.properties import cost as property_cost
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
#: The grid's two background computations (:func:`table_keys`), as their progress bars name them.
QUICK_LABEL, FULL_LABEL = "Checking every cell that takes seconds", "Checking the remaining cells"
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
    quick_key, full_key = table_keys(model, beta, sampling, k)
    if background.get(quick_key) is None:  # the quick table starts by itself (the first visit, or a forgotten one)
        quick_found: dict = {}
        quick_table = _table(model, rules, beta, sampling, k, quick_found, compute.CHECK_SECONDS)
        background.start(quick_key, QUICK_LABEL, quick_table, quick_found)
    quick = background.get(quick_key)
    settled = {pair for pair, c in dict(quick.found).items() if c.status != "not checked"}  # a copy: it grows
    full_found: dict = {}
    full_table = _table(model, rules, beta, sampling, k, full_found, None, settled)
    background.when_asked(("properties", (model.fingerprint, k)), full_key, FULL_LABEL, full_table, full_found)
    full = background.get(full_key)
    results = landed({**quick.found, **(full.found if full else {})}, rules)
    deferred = [
        LABELS[r]
        for r in rules
        if len(results.get(r, [])) < len(PROPERTIES) or any(c.status == "not checked" for c in results[r])
    ]
    if full is not None and full.alive:
        background.panel(full_key, "properties_background")
    else:
        if quick.alive or (full is None and quick.state != background.DONE):
            background.panel(quick_key, "properties_quick")  # its progress, or how it ended (cancelled, failed)
        if deferred:
            many = (
                "re-run the rule many times (each voter misreporting, staying home, each split of the electorate, ...)"
            )
            if quick.alive:
                explanation = (
                    f"Every cell that takes seconds is being checked now (the bar above); the others {many} and wait "
                    "until you ask. Asking now checks every cell that is left"
                )
            else:
                explanation = (
                    f"Some checks {many}; on this population that takes a while for {', '.join(deferred)}. They are "
                    "checked when you ask"
                )
            widgets.on_request(
                "properties",
                (model.fingerprint, k),
                button_key="properties_run",
                label="Check the remaining cells",
                explanation=explanation + ", in the background, one worker process per core, each cell shown as it "
                "lands, with a progress bar and a Cancel button; the page stays usable meanwhile.",
                on_click=lambda: (background.cancel(quick_key), background.forget(full_key)),
            )
        if full is not None:
            background.panel(full_key, "properties_background")  # how the last run ended (cancelled, failed)
    frame, report = grid(results, rules)
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


def table_keys(model, beta: float, sampling: tuple | None, k: int) -> tuple[tuple, tuple]:
    """The background jobs' keys of the grid on ``model``: the quick table (every check predicted to take seconds,
    started by itself) and the full one (every check, on the button)."""
    full = ("properties", model.fingerprint, k, beta, sampling)
    return (*full, "quick"), full


def _table(model, rules, beta, sampling, k, found: dict, time_budget: float | None, settled=()):
    """A background computation of the grid (``aggregation.check_table`` in worker processes, cheapest checks
    first): each check into ``found`` under (rule, property) as it lands, so that the grid fills while it runs.
    ``time_budget`` (seconds) and :data:`~aggregation.properties.cost.PROPERTY_BUDGET` (cells): the quick table's
    bounds per check (None: the full table, which leaves out the (rule, property) pairs ``settled`` already)."""
    params = RuleParams(beta=beta, sampling=compute.sampling_series(sampling, list(model.alternatives)), k=k)
    max_cells = None if time_budget is None else property_cost.PROPERTY_BUDGET

    def run(progress):
        def land(check):
            found[(check.rule, check.axiom)] = check

        check_table(
            model,
            rules,
            params,
            time_budget=time_budget,
            max_cells=max_cells,
            skip=settled,
            progress=progress,
            on_check=land,
        )

    return run


def landed(found: dict, rules: list[str]) -> dict:
    """The checks landed so far (``found``: (rule, property) -> check) as rule -> checks in property order."""
    merged = {}
    for rule_id in rules:
        checks = [found[(rule_id, p)] for p in PROPERTIES if (rule_id, p) in found]
        if checks:
            merged[rule_id] = checks
    return merged


def grid(results: dict, rules: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The grid (rule labels x property short names) and the report (one row per check)."""
    frame = pd.DataFrame(PENDING, index=[LABELS[r] for r in rules], columns=[SHORT[p] for p in PROPERTIES])
    rows = []
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
        "property says nothing here or the rule does not apply. … not checked: it would take a while and "
        "runs when you ask, or it has not landed yet while the checks above run (each cell shows as it lands)."
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
