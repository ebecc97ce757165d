"""The Population page's comparison-log import: upload, the column mapping (pick columns, a preview of the
first 20 rows, confirm), then the counts replace the population. The core does the reading
(:func:`aggregation.read_comparison_log`, DuckDB) and names the row and column of anything it cannot read."""

from __future__ import annotations

import hashlib

import streamlit as st

from aggregation import AggregationError, LogMapping, bounds, guess_mapping
from aggregation.logs import PREVIEW_ROWS
from aggregation.logs.mapping import A_WINS, B_WINS, TIES

from . import files, state, widgets
from .text import md

NONE = "(none)"
WINNER_STYLE, CHOSEN_STYLE = "winner column (arena: model_a, model_b, winner)", "chosen / rejected"


@st.cache_data(max_entries=4, show_spinner=False)
def _preview(name: str, digest: str, _data: bytes):
    return files.log_preview(name, _data)


def _values(text: str) -> list[str]:
    return [v.strip() for v in text.split(",") if v.strip()]


def panel() -> None:
    """Upload a log, map its columns, preview, confirm."""
    st.markdown(
        "**Import a comparison log** (CSV, JSON lines or Parquet: one row per comparison, e.g. an arena's "
        "model_a, model_b, winner, judge or a preference dataset's chosen, rejected). It is kept as counts "
        "per pair (and annotator); a tie counts half a win for each side in P."
    )
    uploaded = st.file_uploader(
        "Comparison log",
        type=list(files.LOG_TYPES),
        key="log_file",
        max_upload_size=bounds.MAX_LOG_UPLOAD_MB,
        help=f"Logs up to {bounds.MAX_LOG_UPLOAD_MB} MiB here (about a million arena rows as "
        "CSV). Larger logs: python -m aggregation.cli import-log PATH --model-a ... "
        "--out counts.parquet, then import that counts file above.",
    )
    st.caption(
        f"Up to {bounds.MAX_LOG_UPLOAD_MB} MiB in the browser; larger logs are imported from Python "
        "(aggregation.read_comparison_log) or the command line (python -m aggregation.cli import-log), "
        "which write a counts file (.parquet) this page opens."
    )
    if uploaded is None:
        return
    data = uploaded.getvalue()
    try:
        columns, preview = _preview(uploaded.name, hashlib.sha256(data).hexdigest(), data)
    except AggregationError as exc:
        widgets.error(exc, prefix=f"{uploaded.name}: ")
        return
    guess = guess_mapping(columns)
    style = st.radio(
        "Which style of log",
        [WINNER_STYLE, CHOSEN_STYLE],
        horizontal=True,
        key="log_style",
        index=1 if guess is not None and guess.chosen else 0,
    )

    def pick(label: str, key: str, default: str | None, optional: bool = False) -> str | None:
        options = ([NONE] if optional else []) + columns
        index = options.index(default) if default in options else 0
        chosen = st.selectbox(label, options, index=index, key=key)
        return None if chosen == NONE else chosen

    cols = st.columns(4)
    if style == WINNER_STYLE:
        with cols[0]:
            a = pick("Response A", "log_model_a", guess.model_a if guess else None)
        with cols[1]:
            b = pick("Response B", "log_model_b", guess.model_b if guess else None)
        with cols[2]:
            w = pick("Winner", "log_winner", guess.winner if guess else None)
        with cols[3]:
            ann = pick("Annotator (optional)", "log_annotator", guess.annotator if guess else None, optional=True)
        v = st.columns(3)
        a_wins = v[0].text_input("Winner values meaning A won", ", ".join(A_WINS), key="log_a_wins")
        b_wins = v[1].text_input("… B won", ", ".join(B_WINS), key="log_b_wins")
        ties = v[2].text_input("… a tie (counts half for each)", ", ".join(TIES), key="log_ties")
    else:
        with cols[0]:
            chosen = pick("Chosen (preferred)", "log_chosen", guess.chosen if guess else None)
        with cols[1]:
            rejected = pick("Rejected", "log_rejected", guess.rejected if guess else None)
        with cols[2]:
            ann = pick("Annotator (optional)", "log_annotator_c", guess.annotator if guess else None, optional=True)
    st.markdown(f"**Preview** (first {min(PREVIEW_ROWS, len(preview))} rows, as text)")
    widgets.table(preview, key="log_preview", hide_index=True, width="stretch", height=260)
    try:
        if style == WINNER_STYLE:
            mapping = LogMapping(
                a, b, w, annotator=ann, a_wins=_values(a_wins), b_wins=_values(b_wins), ties=_values(ties)
            )
        else:
            mapping = LogMapping(chosen=chosen, rejected=rejected, annotator=ann)
    except AggregationError as exc:
        widgets.error(exc, prefix="The mapping: ")
        return
    st.caption("Mapping: " + md(mapping.describe()))
    if st.button(
        "Import with this mapping (replaces the current population)",
        key="log_import_button",
        icon=":material/upload:",
        type="primary",
    ):
        try:
            with st.spinner("Reading the log…"):
                counts = files.import_log(uploaded.name, data, mapping)
        except AggregationError as exc:
            widgets.error(exc, prefix=f"{uploaded.name}: ")
            return
        state.set_population(counts, state.Origin(f"log {uploaded.name} ({counts.n_comparisons:,} comparisons)"))
        st.rerun()
