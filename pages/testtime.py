"""Test-time scaling: sample a policy k times, keep the best answer; which policy still wins against every rival?"""

import pandas as pd
import streamlit as st

from aggregation import COMPARISONS, RANKINGS, AggregationError, game_affordable, game_cells, game_cells_unit, outcome
from aggregation.outcome import PROBABILITY_TOLERANCE
from ui import background, compute, explain, figures, numbers, readable, shell, state, uncertainty, why, widgets
from ui.text import md

shell.page_header("Test-time scaling", explain.TEST_TIME + f" ({explain.link('test_time')})", url_path="testtime")

model = state.population()
D = state.sampling()
controls = st.columns([1, 1, 3], gap="medium")
k = widgets.k_input(container=controls[0])
beta = widgets.beta_input(container=controls[1])
kind = model.kind
with controls[2]:
    st.markdown(explain.TESTTIME_CONVENTION[kind])

sampling = None if D is None else tuple(D.to_numpy())
job_key = ("games", model.fingerprint, k, float(beta), sampling)
games = background.games_ready(
    ("games", (model.fingerprint, k)),
    job_key,
    f"Solving MPNE_k and the robust policy (k = {k})",
    lambda progress: compute.testtime_games(model, beta, sampling, k, progress),
    seconds=compute.testtime_seconds(model, k),
    affordable=game_affordable(model, k),
)
try:
    view = compute.testtime_view(model, beta, sampling, k, games)
except AggregationError as exc:
    widgets.error(exc)
    st.stop()

if view.refusal and view.k != k:
    st.warning(f"{md(view.refusal)} The numbers below are for k = {view.k}.", icon=":material/info:")
elif view.refusal:
    st.info(f"MPNE_{k} and the robust policy are not available here: {md(view.refusal)}", icon=":material/info:")
for note in view.notes:
    st.caption(md(note))
job = background.get(job_key)
if view.deferred and job is not None and job.state == background.DONE:
    st.rerun()  # it ended while this run drew the page without it: the next run reads it
if view.deferred and job is not None and job.alive:
    background.panel(job_key, "testtime_background")
elif view.deferred:
    size = game_cells(model, k)
    if job is not None:
        background.panel(job_key, "testtime_background")  # how the last run ended (cancelled, failed)
    if widgets.on_request(
        "games",
        (model.fingerprint, k),
        button_key="testtime_games",
        on_click=lambda: background.forget(job_key),
        label=f"Solve MPNE_k for k = 1 to {max(compute.CURVE_MIN_K, k)} and the robust policy",
        explanation=f"MPNE_k and the robust policy solve a game over {size:,} "
        f"{game_cells_unit(model, k)} on this population, which can take from seconds to "
        "minutes; they are computed when you ask. The other policies are shown below. They run "
        "in the background, with a progress bar and a Cancel button.",
    ):
        st.rerun()  # the job started above, at the top of this run

kk = view.k
summary = view.summary
guarantee = kk / (kk + 1)
robust_rates = summary["robust rate"].astype(float)
best = robust_rates.idxmax()
worst = robust_rates.idxmin()
leaders = outcome.winners(robust_rates)


def rate_text(name: str) -> str:
    return numbers.decimal(float(summary.at[name, "robust rate"]))


if len(leaders) == len(robust_rates):
    comparison = (
        f"Every policy shown wins **{rate_text(best)}** of the time against its worst rival answer: "
        "on this population they are equally robust."
    )
else:
    comparison = (
        f"**{best}** wins at least **{rate_text(best)}** of the time against every rival answer; "
        f"**{worst}** only **{rate_text(worst)}** (its worst rival: **{explain.opponents(summary.at[worst, 'worst opponents'])}**)."
    )
st.markdown(f"With **k = {kk}** samples the guarantee is k/(k+1) = **{numbers.decimal(guarantee)}**. " + comparison)

marker = None
if view.robust is not None:
    marker = (f"robust policy at k = {kk}", float(view.robust.certificate.guarantee))
widgets.chart(
    figures.kwin_curves(view.curve, kk, marker),
    key="testtime_curve",
    file_name="robust-win-rate-curves",
    title="Robust k-sample win rate f(k) of each policy",
)
st.caption(
    "Each line: a policy's worst-case k-sample win rate as k grows (MPNE_k is solved again for every k; "
    "the others stay the same policy); lines that coincide are drawn over each other. Dashed: k/(k+1). "
    + explain.CHART_DOWNLOAD
)
why.why_row("kwin", "mpne")

st.subheader(f"Each policy at k = {kk}")
shown = pd.DataFrame(
    {
        "robust rate f(k)": summary["robust rate"].astype(float),
        "worst-case opponent": [explain.opponents(w) for w in summary["worst opponents"]],
        "how it is computed": [explain.METHODS.get(m, m) for m in summary["method"]],
    }
)
widgets.table(
    widgets.styled(shown, {"robust rate f(k)": numbers.decimal}, {name: ["robust rate f(k)"] for name in leaders}),
    key="testtime_summary",
    width="stretch",
)
widgets.csv_download(
    summary.drop(columns="worst opponents"),
    file_name=f"robust-rates-k{kk}.csv",
    key="testtime_summary_csv",
    label="Download this table as CSV",
)

left, right = st.columns(2, gap="large")
with left:
    st.markdown(f"**MPNE_{kk}** (the equilibrium of the {kk + 1}-player game)")
    if view.mpne is not None:
        certificate = view.mpne.certificate
        st.markdown(widgets.certificate_text(certificate))
        st.caption(
            f"Solver: {view.mpne.method}; {certificate.iterations} iterations; "
            f"certificate: {explain.METHODS.get(certificate.evaluated_by, certificate.evaluated_by)}."
        )
    else:
        st.caption("Not computed (see above).")
with right:
    st.markdown(f"**Robust policy** (the best worst-case {kk}-sample win rate)")
    if view.robust is not None:
        st.markdown(widgets.certificate_text(view.robust.certificate))
        mix = view.robust.certificate.opponent_mix
        st.caption(
            "Worst-case opponents (the rival answers that hold it down): "
            + ", ".join(f"{md(a)} {numbers.decimal(p)}" for a, p in mix.items() if p > PROBABILITY_TOLERANCE)
            + "."
        )
    else:
        st.caption("Not computed (see above).")

chosen = readable.focus(list(view.policies.columns), fingerprint=model.fingerprint)  # many alternatives
widgets.chart(
    figures.grouped_bars(view.policies.T, yaxis="probability of answering", chosen=chosen),
    key="testtime_policies",
    file_name=f"policies-k{kk}",
    title=f"What each policy answers (k = {kk})",
)
st.caption("Each policy's probability of giving each response; sampled k times, the user keeps the best sample.")

st.subheader(f"Win rate against every rival answer, k = {kk}")
st.caption(
    f"Row: the policy sampled k times. Column: the rival answer y. Entry: {explain.WIN_RATE_ENTRY[kind]}. "
    "The row's minimum is its robust rate."
)
rates = view.rates
lowest = {name: [str(rates.loc[name].idxmin())] for name in rates.index}
widgets.table(
    widgets.styled(rates[chosen] if chosen else rates, numbers.decimal, lowest), key="testtime_rates", width="stretch"
)
widgets.csv_download(
    rates, file_name=f"win-rates-k{kk}.csv", key="testtime_rates_csv", label="Download the win rates as CSV"
)
widgets.csv_download(
    view.curve, file_name="robust-win-rate-curves.csv", key="testtime_curve_csv", label="Download the curves as CSV"
)
if kind == COMPARISONS:  # P is estimated; pairwise data support k = 1 alone, where MPNE_1 solves a small game
    uncertainty.section(
        model,
        ["rlhf", "maximal_lottery", "mpne", "robust"],
        None,
        beta,
        sampling,
        k=1,
        key="testtime_bootstrap",
        replicates=200,
    )

# ---------------------------------------------------------------------------- beyond one policy sampled k times
st.subheader("Beyond one policy sampled k times")
st.markdown(explain.MULTI_OUTPUT)
if view.multi_output is not None:
    mo = view.multi_output.certificate
    versus = (
        f"; MPNE_{kk} sampled {kk} times reaches {numbers.decimal(view.mpne.certificate.guarantee)}"
        if view.mpne is not None
        else ""
    )
    st.markdown(
        f"Here the best {kk}-output policy wins at least **{numbers.decimal(mo.guarantee)}** against every "
        f"rival answer (worst: {explain.opponents(mo.worst_opponents)}; k/(k+1) = "
        f"{numbers.decimal(guarantee)}){versus}."
    )
    sets = pd.DataFrame(
        {"probability": view.multi_output.values.to_numpy()},
        index=pd.Index(view.multi_output.values.index, name="set of answers"),
    )
    widgets.table(widgets.styled(sets, numbers.decimal), key="testtime_multi_output", width="stretch")
    mix = ", ".join(f"{md(a)} {numbers.decimal(p)}" for a, p in mo.opponent_mix.items() if p > PROBABILITY_TOLERANCE)
    st.caption(
        f"How: {view.multi_output.method}. Certificate: against rival answers drawn as ({mix}), no set of {kk} "
        f"answers wins more than {numbers.decimal(mo.best_possible)}, so no {kk}-output policy does better."
    )
elif view.deferred:
    st.caption("Computed with MPNE_k (see the button above).")

st.markdown(explain.RESAMPLING)
if view.resampling is not None:
    widgets.chart(
        figures.resampling_curve(view.resampling, kk),
        key="testtime_resampling",
        file_name=f"mpne-{kk}-sampled-l-times",
        title=f"MPNE_{kk} sampled l times (Theorem 4.5)",
    )
    widgets.table(
        widgets.styled(
            view.resampling[["robust rate", "bound min(k, l)/(k+1)", "worst opponent"]],
            {"robust rate": numbers.decimal, "bound min(k, l)/(k+1)": numbers.decimal},
        ),
        key="testtime_resampling_table",
        width="stretch",
    )
elif view.deferred or view.mpne is None:
    st.caption(f"Needs MPNE_{kk} and a population of rankings or user types.")

st.markdown(explain.OPPONENT_SETS)
if view.opponent_sets is not None:
    columns = ["robust rate", "Thm D.6 bound (k+1-l)/(k+1)", "PL limit k/(k+l)", "worst opponent set"]
    widgets.table(
        widgets.styled(view.opponent_sets[columns], {c: numbers.decimal for c in columns[:3]}),
        key="testtime_opponent_sets",
        width="stretch",
    )
    st.caption(
        f"Row l: MPNE_{kk} sampled {kk} times against the worst set of l rival answers. "
        + (
            "With rankings only the distinct answers of the rival's set matter. "
            if kind == RANKINGS
            else "With Plackett–Luce user types the rival's duplicates count. "
        )
        + "The PL limit is the most any method can guarantee on every population (equal-reward Plackett–Luce "
        "types hold every policy to it); a particular population may allow more."
        + (" A bound below 0 says nothing." if (view.opponent_sets["Thm D.6 bound (k+1-l)/(k+1)"] < 0).any() else "")
    )
elif view.deferred or view.mpne is None:
    st.caption(f"Needs MPNE_{kk} and a population of rankings or user types.")
for note in view.beyond_notes:
    st.caption(md(note))
