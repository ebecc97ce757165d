"""Small Streamlit helpers every page uses the same way: charts, tables, downloads, errors."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from aggregation import AggregationError, EquilibriumCertificate, RobustCertificate, outcome
from aggregation.formats import to_csv

from . import compute, explain, figures, numbers, present, reports, scenarios, state, urls
from .text import md


#: Formats the charts' camera icon downloads, chosen once for every chart (the sidebar's "Chart downloads").
IMAGE_FORMATS = ("png", "svg")
IMAGE_FORMAT_KEY = "chart_format"


def image_format() -> str:
    """The download format the sidebar names (PNG unless SVG is chosen)."""
    value = st.session_state.get(IMAGE_FORMAT_KEY)
    return value if value in IMAGE_FORMATS else IMAGE_FORMATS[0]


def chart(fig: go.Figure, *, key: str, file_name: str, title: str | None = None, population: str | None = None) -> None:
    """Every chart of the dashboard: a plotly chart with a visible title, ``title`` (what it shows, naming the
    rule; default the figure's own) over the ``population`` it is about (default: the current population), so
    that a downloaded image says what it is (:func:`ui.figures.titled`). Its toolbar's camera icon downloads it
    as ``file_name`` in the format chosen in the sidebar (:func:`image_format`: PNG at twice the screen's
    resolution, or SVG)."""
    fmt = image_format()
    fig = figures.titled(
        fig, title, state.population_title() if population is None else population, phone=present.on_a_phone()
    )
    if present.active():  # presentation mode: larger type in the chart too
        fig.update_layout(font_size=present.CHART_FONT_SIZE)
    reports.add_figure(title if title is not None else file_name, fig)  # the page's exported report
    st.plotly_chart(
        fig,
        key=key,
        width="stretch",
        theme=None,
        config={
            "displaylogo": False,
            "toImageButtonOptions": {"format": fmt, "filename": file_name, "scale": 2 if fmt == "png" else 1},
            "modeBarButtonsToRemove": ["lasso2d", "select2d"],
        },
    )


def csv_download(
    frame: pd.DataFrame, *, file_name: str, key: str, label: str = "Download as CSV", index: bool = True
) -> None:
    """A download button for a table, full precision and formula-safe (a cell such as ``=HYPERLINK(…)``
    is written as text: :func:`aggregation.formats.to_csv`). Every CSV download of the dashboard is this."""
    st.download_button(
        label,
        data=to_csv(frame, index=index),
        file_name=file_name,
        mime="text/csv",
        key=key,
        icon=":material/download:",
        on_click="ignore",
    )


def table(data, *, key: str, **kwargs) -> None:
    """A read-only table inside a container keyed ``key`` (tests and the browser find it by that key); the
    page's exported report holds it too (:mod:`ui.reports`)."""
    reports.add_table(key, data)
    with st.container(key=key):
        st.dataframe(data, **kwargs)


def error(exc: AggregationError | str, *, prefix: str = "") -> None:
    """The core's message, shown in place (never a stack trace) and as text: it may echo a name, a line
    of a file or a link parameter (:func:`ui.text.md`)."""
    st.error(md(f"{prefix}{exc}"), icon=":material/error:")


def styled(
    frame: pd.DataFrame,
    formatter: Callable[[float], str] | Mapping[str, Callable],
    highlight: Mapping[object, Sequence[str]] | None = None,
):
    """A Styler that writes numbers with ``formatter`` and bolds/tints the ``highlight`` cells
    (row label -> column labels)."""
    style = frame.style.format(formatter, na_rep="–")
    if highlight:

        def tint(row: pd.Series) -> list[str]:
            cols = set(highlight.get(row.name, []))
            return ["font-weight: 700; background-color: rgba(184,134,11,0.22)" if c in cols else "" for c in row.index]

        style = style.apply(tint, axis=1)
    return style


def beta_input(*, container=None) -> float:
    """The β control (KL strength). Same key on every page, bound to the URL's ``beta``."""
    target = container or st
    return float(
        target.number_input(
            "β (KL strength of RLHF / DPO)",
            min_value=0.01,
            max_value=100.0,
            value=1.0,
            step=0.1,
            format="%.2f",
            key=urls.BETA_KEY,
            bind="query-params",
            help="The policy is π_ref · exp(reward / β): small β follows the reward greedily, large β stays "
            "close to the uniform reference policy π_ref. β changes probabilities, never the order.",
        )
    )


#: Marks in markdown (material icons are bundled with Streamlit: they render without an emoji font).
PASS_MARK = ":green[:material/check_circle:]"
FAIL_MARK = ":red[:material/cancel:]"


def k_input(*, container=None) -> int:
    """The k control (number of test-time samples). Same key on every page, bound to the URL's ``k``."""
    target = container or st
    return int(
        target.number_input(
            "k (samples drawn at test time)",
            min_value=1,
            max_value=urls.MAX_K,
            value=urls.DEFAULT_K,
            step=1,
            key=urls.K_KEY,
            bind="query-params",
            help="The model answers with k independent samples and the user keeps the best one. MPNE_k is the "
            "equilibrium of the (k+1)-player game; the robust policy maximises the worst-case k-sample win rate.",
        )
    )


def certificate_text(certificate: EquilibriumCertificate | RobustCertificate) -> str:
    """The solver's certificate of MPNE_k or of the robust policy in words (every worst-case response
    tied for the guarantee is named)."""
    k = certificate.k
    worst = explain.opponents(certificate.worst_opponents)
    if isinstance(certificate, EquilibriumCertificate):
        gap = certificate.gap
        head = (
            f"an equilibrium to solver accuracy (exploitability gap {numbers.decimal(gap, 2)})"
            if certificate.converged
            else f"**not converged**: a player deviating gains up to {numbers.decimal(gap, 3)}; shown is the best "
            "point found, not an equilibrium"
        )
        return (
            f"{head}; sampled {k} times it wins at least **{numbers.decimal(certificate.guarantee)}** of "
            f"the time against every response (worst: {worst}; k/(k+1) = {numbers.decimal(k / (k + 1))})."
        )
    head = (
        "optimal to solver accuracy"
        if certificate.converged
        else f"**not converged** (optimality gap {numbers.decimal(certificate.optimality_gap, 3)})"
    )
    return (
        f"{head}: it guarantees **{numbers.decimal(certificate.guarantee)}** against every response "
        f"(worst: {worst}), and no policy can guarantee more than {numbers.decimal(certificate.best_possible)}."
    )


def on_request(name: str, key, *, label: str, explanation: str, button_key: str, on_click=None) -> bool:
    """Whether an expensive computation (``name`` for ``key``) should run: the user asked for it now
    (a button under ``explanation``) or earlier in the session (then it comes from the cache). The click is
    recorded in the button's callback, so the run it starts already knows (a page computes nothing twice), and
    ``on_click()`` runs there too (e.g. forgetting a cancelled job, so that asking again starts afresh)."""
    if state.requested(name, key):
        return True
    st.info(explanation, icon=":material/hourglass_empty:")

    def asked():
        state.request(name, key)
        if on_click is not None:
            on_click()

    return st.button(label, key=button_key, icon=":material/play_arrow:", on_click=asked)


def scenario_provenance(scenario, *, compact: bool) -> None:
    """The property at stake, the source (linked) and the constructed-example mark of a scenario;
    ``compact`` (gallery cards) shows the source as a caption."""
    st.markdown(f":violet[:material/gavel: **At stake:** {scenario.property}]")
    source = scenarios.short_source(scenario)
    cited = f"[{source}]({scenario.source.url})" if scenario.source.url else source
    if compact:
        st.caption(f"Source: {cited}")
    else:
        st.markdown(f"**Source:** {cited}")
    if scenario.constructed:
        st.caption(f":orange-badge[:material/construction: Constructed example] {scenario.note}")


def scenario_story(*, expanded_on: str | None = None) -> None:
    """When a library scenario is loaded: its story, source and what to look for (each claim checked
    through the core), open on the scenario's own page (``expanded_on``, a URL path) unless presenting
    (:mod:`ui.present`: the story is one line, the title, until opened)."""
    origin = state.origin()
    if not origin.scenario:
        return
    try:
        scenario = scenarios.load(origin.scenario)
    except AggregationError:
        return
    own_page = scenarios.page_of(scenario).url_path == expanded_on and not present.active()
    edited = " (edited by hand: the story describes the original)" if origin.edited else ""
    with st.expander(
        f"Scenario: {scenario.title}{edited}", expanded=own_page and not origin.edited, icon=":material/menu_book:"
    ):
        st.markdown(scenario.narrative)
        scenario_provenance(scenario, compact=False)
        comparison = compute.scenario_comparison(scenario.id)
        if comparison is not None:
            removed, table_ = comparison
            st.markdown(
                f"**With and without {md(', '.join(removed))}** (the comparison this scenario is about; "
                "each rule computed on both populations):"
            )
            table(table_, key="scenario_comparison", width="stretch")
        results = compute.scenario_claims(scenario.id)
        if results:
            st.markdown(
                "**What to look for** (each statement checked by the core on this scenario):\n"
                + "\n".join(
                    f"- {PASS_MARK if ok else FAIL_MARK} {text}" + ("" if ok else f" — found: {seen}")
                    for text, ok, seen in results
                )
            )


def notices() -> None:
    """Messages from links and state changes, until dismissed."""
    messages = state.notices()
    if not messages:
        return
    for message in messages:
        st.warning(md(message), icon=":material/info:")  # they may quote a link's parameters
    st.button("Dismiss these messages", key="dismiss_notices", on_click=state.dismiss_notices)


def glance(model) -> None:
    """Three numbers a newcomer looks at first: the Borda (RLHF) winner, the Condorcet winner and
    the maximal lottery, for ``model``."""
    try:
        view = compute.rules_view(model, 1.0, None)
    except AggregationError as exc:
        error(exc)
        return
    cols = st.columns(3)
    borda = view.winners.get("borda")
    cols[0].metric("Borda / RLHF reward picks", " = ".join(md(a) for a in borda) if borda else "–")
    cols[1].metric("Condorcet winner", md(view.condorcet_winner) if view.condorcet_winner else "none")
    lottery = view.scores.loc["maximal_lottery"]
    support = [(a, lottery[a]) for a in outcome.support(lottery)]
    cols[2].metric(
        "Maximal lottery (NLHF) picks",
        f"{md(support[0][0])} (certain)"
        if len(support) == 1
        else ", ".join(f"{md(a)} {numbers.decimal(p, 3)}" for a, p in support),
    )
