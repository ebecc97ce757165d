"""Sampling distribution: how the distribution of compared responses steers RLHF and DPO."""

import pandas as pd
import streamlit as st

from aggregation import COMPARISONS, AggregationError, outcome
from ui import compute, explain, figures, numbers, readable, shell, sizing, state, uncertainty, why, widgets
from ui.text import md, md_list

shell.page_header(
    "Sampling distribution",
    "RLHF and DPO learn from pairs of responses drawn from a **sampling distribution D**. With unlimited data "
    "they rank responses by the **normalized Borda count under D**, NBC(y; D) = Σ D(y′) P[y, y′]: the chance "
    "that a random voter prefers y to a response drawn from D. No voter changes their mind, yet changing D can "
    f"change the winner ({explain.link('heterogeneous')}, section 4.3).",
    url_path="sampling",
)

model = state.population()
names = list(model.alternatives)


def _apply_sampling(values) -> None:
    try:
        state.set_sampling(values)
    except AggregationError as exc:
        state.notice(f"D was not changed: {exc}")


left, right = st.columns([2, 3], gap="large")
with left:
    st.markdown("**Edit D** (relative weights; they are normalised to sum to 1)")
    D_now = state.sampling_or_uniform()
    frame = pd.DataFrame({"response": names, "weight": D_now.to_numpy()})
    edited = st.data_editor(
        frame,
        key=f"sampling_table_{state.version()}",
        hide_index=True,
        num_rows="fixed",
        width="stretch",
        disabled=["response"],
        column_config={"weight": st.column_config.NumberColumn("sampling weight", min_value=0.0, format="%.4g")},
    )
    weights = pd.to_numeric(edited["weight"], errors="coerce").to_numpy(float)
    if list(weights) != list(D_now.to_numpy()):
        total = weights.sum()
        if not (total > 0) or (weights < 0).any() or pd.isna(weights).any():
            widgets.error(
                "every sampling weight must be a number ≥ 0, and at least one must be positive", prefix="Not applied: "
            )
        else:
            state.set_sampling(weights / total)
            st.rerun()
    st.button(
        "Reset D to uniform",
        key="sampling_reset",
        icon=":material/restart_alt:",
        disabled=state.sampling() is None,
        on_click=_apply_sampling,
        args=(None,),
    )
    beta = widgets.beta_input()

D = state.sampling()
sampling = None if D is None else tuple(D.to_numpy())
try:
    view = compute.sampling_view(model, beta, sampling)
except AggregationError as exc:
    widgets.error(exc)
    st.stop()

with right:
    st.markdown(f"Under this D, NBC (and so RLHF / DPO) puts **{md_list(view.nbc_top, ' = ')}** first.")
    policies = view.table[[c for c in view.table.columns if "policy" in c and c not in view.unavailable]]
    chosen = readable.focus(names, fingerprint=model.fingerprint)  # many alternatives: which ones to draw
    widgets.chart(
        figures.grouped_bars(policies, yaxis="probability", chosen=chosen),
        key="sampling_policies",
        file_name="policies-under-D",
        title="The policies under this sampling distribution D",
    )

shown = view.table.drop(columns=list(view.unavailable))
leaders = {c: outcome.winners(shown[c]) for c in shown.columns if c != "D"}
highlight = {a: [c for c, top in leaders.items() if a in top] for a in names}
if chosen:
    shown = shown.loc[chosen]
widgets.table(
    widgets.styled(shown, numbers.decimal, highlight),
    key="sampling_table_view",
    width="stretch",
    height=sizing.table_height(len(shown)),
)
for column, reason in view.unavailable.items():
    st.caption(f"**{md(column.capitalize())}** is not shown: {md(reason)}.")
widgets.csv_download(view.table, file_name="sampling.csv", key="sampling_csv", label="Download the table as CSV")
if model.kind == COMPARISONS:  # P is estimated: NBC's order and the RLHF / DPO limit under this D are too
    uncertainty.section(model, ["nbc", "rlhf"], None, beta, sampling, key="sampling_bootstrap")
why.why("nbc")

st.subheader("The smallest change of D that changes the order")
if view.flip is None:
    st.markdown("No sampling distribution changes the NBC order of any two responses on this population.")
else:
    a, b = (md(x) for x in view.flip.pair)
    st.markdown(
        f"Moving **{numbers.decimal(view.flip.distance)}** of the sampling probability (total variation "
        f"distance) makes NBC tie **{a}** and **{b}**; any further step puts {b} ahead of {a}. The distribution at "
        "the tie: " + ", ".join(f"{md(x)} {numbers.decimal(p)}" for x, p in view.flip.sampling.items()) + "."
    )
    applied = view.flip_applied
    if applied is not None:
        st.button(
            f"Apply it, {numbers.decimal(compute.FLIP_NUDGE)} past the tie ({b} ahead of {a})",
            key="sampling_apply_flip",
            icon=":material/swap_horiz:",
            on_click=_apply_sampling,
            args=(tuple(applied.sampling.to_numpy()),),
            type="primary",
        )

if len(names) == 3:
    st.subheader("Which response NBC puts first, for every D")
    st.caption(
        "Each point of the triangle is a sampling distribution over the three responses (corners: always "
        "sample that one). Regions are exact: the boundaries are where NBC ties two responses."
    )
    markers = [("current D (uniform)" if D is None else "current D", list(view.D.to_numpy()), "star")]
    if D is not None:
        markers.append(("uniform D", [1 / 3] * 3, "circle"))
    if view.flip is not None:
        markers.append(("smallest flip (tie)", list(view.flip.sampling.to_numpy()), "diamond"))
    widgets.chart(
        figures.nbc_ternary(names, view.regions, markers),
        key="sampling_ternary",
        file_name="nbc-regions",
        title="Which response NBC (DPO's order) puts first, for each D",
    )
    missing = [n for n, r in zip(names, view.regions) if len(r) == 0]
    if missing:
        st.caption(f"{md_list(missing)}: first under no sampling distribution (or only on a boundary).")
else:
    st.caption("The map of winners over all sampling distributions is drawn for exactly three responses.")
st.caption(explain.CHART_DOWNLOAD)
