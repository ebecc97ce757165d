"""A finished job's result next to the theory: the headline a newcomer reads first, the trajectory with
the method's limit dashed, the trained policy beside every policy of the theory (with the total
variation distance), the orders, the Bradley-Terry misfit, the uncertainty, the spread across seeds and
the training data's estimates with their standard errors.

The theory is the one the worker stored with the result (:mod:`.theory`); nothing is re-derived here.
The client (the person's view of the jobs, a :class:`worker.client.UserJobs`) is handed in by the page.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import numpy as np
import pandas as pd
import streamlit as st

from aggregation import TRAINING_METHODS, TheoryResult
from aggregation.outcome import winners as top

from .. import compute, explain, widgets
from ..numbers import decimal, exact, matrix_denominator
from ..text import md
from . import figures, history, text, theory


# ------------------------------------------------------------------ reading a result
def total_variation(p: pd.Series, q: pd.Series) -> float:
    return 0.5 * float(np.abs(p.to_numpy(float) - q.reindex(p.index).to_numpy(float)).sum())


def trained_policies(result: dict) -> dict[str, pd.Series]:
    """The trained model's policies in a result: the last iterate, and for self-play the mixture of iterates."""
    alts = result["alternatives"]
    out = {"trained": pd.Series(result["policy"]).reindex(alts).astype(float)}
    if result.get("mixture"):
        out["mixture"] = pd.Series(result["mixture"]).reindex(alts).astype(float)
    return out


def comparison_table(result: dict, view: TheoryResult) -> pd.DataFrame:
    """Rows: the trained policies, the untrained reference, the exact optimum of the loss on this
    dataset (DPO, RLHF), then every theory policy; columns: the alternatives and the total-variation
    distance to the trained model (the mixture of iterates for self-play)."""
    alts = result["alternatives"]
    labels = text.TRAINED_LABELS
    trained = trained_policies(result)
    rows = {labels[k]: v for k, v in trained.items()}
    rows[labels["reference"]] = pd.Series(result["reference_policy"]).reindex(alts).astype(float)
    if result.get("dataset_optimum"):
        rows[labels["dataset_optimum"]] = pd.Series(result["dataset_optimum"]["policy"]).reindex(alts)
    for key, policy in view.policies.items():
        rows[text.label(view, key)] = policy
    table = pd.DataFrame(rows).T.astype(float)
    anchor = rows[labels["mixture" if "mixture" in trained else "trained"]]
    table["TV distance to the trained model"] = [total_variation(anchor, table.loc[r, alts]) for r in table.index]
    return table


def closest_theory(table: pd.DataFrame, view: TheoryResult) -> tuple[str, float] | None:
    theory_rows = [text.label(view, k) for k in view.policies]
    if not theory_rows:
        return None
    distances = table.loc[theory_rows, "TV distance to the trained model"]
    return str(distances.idxmin()), float(distances.min())


def headline(result: dict, spec: dict, view: TheoryResult) -> list[str]:
    """Two or three sentences a newcomer reads first: where the trained policy landed, whether that is
    where theory says this method lands, and what the contrasting method would have picked."""
    entry = TRAINING_METHODS[spec["method"]]
    trained = trained_policies(result)
    landed = trained.get("mixture", trained["trained"]) if entry.self_play else trained["trained"]
    which = " (mixture of iterates)" if "mixture" in trained else ""
    winners = top(landed)
    p_top = float(landed[winners[0]])
    lines = []
    target, target_policy = view.target, view.target_policy
    if target_policy is not None:
        expected = top(target_policy)
        name = text.label(view, target)
        ranks = ""
        if target in ("rlhf_policy", "ipo_policy"):
            ranks = " It ranks like Borda." if spec.get("sampling") is None else " It ranks like NBC under this D."
        if set(winners) & set(expected):
            lines.append(
                f"{entry.name}{which} landed on **{' = '.join(map(md, winners))}** (probability {decimal(p_top, 3)}), "
                f"as theory predicts: the {name} is {text.support(target_policy)}.{ranks}"
            )
        else:
            lines.append(
                f"{entry.name}{which} put most probability on **{' = '.join(map(md, winners))}** "
                f"({decimal(p_top, 3)}), but theory predicts **{' = '.join(map(md, expected))}** (the {name} is "
                f"{text.support(target_policy)}): this run has not got there; more steps, another learning "
                "rate or a larger dataset may help."
            )
    else:
        reason = view.unavailable.get(target) if target else None
        lines.append(
            f"{entry.name}{which} landed on **{' = '.join(map(md, winners))}** (probability {decimal(p_top, 3)}). "
            + (
                f"Theory has no limit to compare here: {md(reason)}."
                if reason
                else "Theory gives no closed-form limit for this setting; compare with the policies below."
            )
        )
    lottery = view.policies.get("maximal_lottery")
    rlhf = view.policies.get("rlhf_policy")
    if not entry.self_play and lottery is not None and not set(top(lottery)) & set(winners):
        if view.condorcet_winner:
            lines.append(
                f"The majority's **{md(view.condorcet_winner)}** (it beats every other answer head-to-head) "
                "is where Nash self-play lands: the maximal lottery puts probability 1 on it."
            )
        else:
            lines.append(f"Nash self-play would land elsewhere: the maximal lottery is {text.support(lottery)}.")
    if entry.self_play and rlhf is not None and not set(top(rlhf)) & set(winners):
        borda = " = ".join(map(md, top(view.borda))) if view.borda is not None else "not available"
        lines.append(
            f"DPO or RLHF on the same voters would land on **{' = '.join(map(md, top(rlhf)))}** "
            f"({text.support(rlhf)}; Borda's winner is {borda})."
        )
    return lines


def empirical_pairs(summary: dict, P_exact: pd.DataFrame) -> pd.DataFrame:
    """The dataset's preference estimates pair by pair (a before b in the alternatives' order): the
    estimate P̂[a, b], its binomial standard error, the number of comparisons, the population's exact
    P[a, b], and the distance between the two in standard errors (NaN where the error is 0 or the
    pair was never compared)."""
    alts = summary["alternatives"]
    P = np.asarray(summary["matrix"], dtype=float)
    se = np.array([[np.nan if x is None else x for x in row] for row in summary["standard_errors"]], dtype=float)
    n = np.asarray(summary["comparisons"], dtype=float)
    exact_P = P_exact.loc[alts, alts].to_numpy(float)
    i, j = np.triu_indices(len(alts), 1)
    compared = n[i, j] > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        distance = np.where(compared & (se[i, j] > 0), np.abs(P[i, j] - exact_P[i, j]) / se[i, j], np.nan)
    return pd.DataFrame(
        {
            "estimate P̂[a, b]": np.where(compared, P[i, j], np.nan),
            "standard error": np.where(compared, se[i, j], np.nan),
            "comparisons": n[i, j].astype(int),
            "exact P[a, b]": exact_P[i, j],
            "distance (standard errors)": distance,
        },
        index=pd.Index([f"{alts[a]} vs {alts[b]}" for a, b in zip(i, j)], name="a vs b"),
    )


# ------------------------------------------------------------------ the section
def result_section(client, record, records, current_model, on_started: Callable[[str], None]) -> None:
    """A finished job's result next to the theory (``record``: the job's record; ``records``: the jobs
    listed, for the spread across seeds; ``current_model``: the population on the other pages)."""
    result = history.result_of(client, record.job_id)
    if result is None:
        st.warning("This job is marked finished but its result is not available yet; reload in a moment.")
        return
    spec = record.spec
    model = theory.job_population(record.job_id, spec)
    view = theory.of_job(model, spec, result)
    alts = result["alternatives"]
    st.subheader("Result: the trained policy next to the theory")
    with st.container(key="ft_headline"):
        st.markdown(" ".join(headline(result, spec, view)))
    if getattr(current_model, "fingerprint", None) != getattr(model, "fingerprint", None):
        st.caption(
            "This job was trained on another population than the current one; everything below is for the "
            "job's own population."
        )
    st.caption(" · ".join(text.facts(result, spec)))

    table = comparison_table(result, view)
    target_policy = view.target_policy
    target_label = text.label(view, view.target) if target_policy is not None else None
    left, right = st.columns(2)
    with left:
        policy, mixture = figures.trajectory_frames(result)
        widgets.chart(
            figures.trajectory(
                policy,
                mixture=mixture,
                target=target_policy,
                target_label=target_label,
                title="Probability of each answer during training",
            ),
            key="ft_trajectory_chart",
            file_name="fine-tuning-trajectory",
        )
        st.caption(text.trajectory_caption(target_label, mixture is not None))
    with right:
        n_trained = 2 if "mixture" in trained_policies(result) else 1
        widgets.chart(
            figures.policy_bars(table[alts], title="Trained policy and theory", emphasise=n_trained),
            key="ft_policies_chart",
            file_name="fine-tuning-policies",
        )
    closest = closest_theory(table, view)
    if closest:
        st.markdown(
            f"Of the theory's policies, the trained model is closest to the **{closest[0]}** (total "
            f"variation distance {decimal(closest[1], 3)}; 0 means identical, 1 means no overlap)."
        )
    widgets.table(widgets.styled(table, decimal), key="ft_policies_table", width="stretch")
    downloads = st.columns(3)
    with downloads[0]:
        widgets.csv_download(
            table, file_name=f"job-{record.job_id[:8]}-policies.csv", key="ft_policies_csv", label="Policies as CSV"
        )
    with downloads[1]:
        widgets.csv_download(
            policy,
            file_name=f"job-{record.job_id[:8]}-trajectory.csv",
            key="ft_trajectory_csv",
            label="Trajectory as CSV",
        )
    with downloads[2]:
        st.download_button(
            "Result as JSON",
            data=json.dumps(result, indent=1),
            file_name=f"job-{record.job_id}.json",
            mime="application/json",
            key="ft_result_json",
            icon=":material/download:",
            on_click="ignore",
        )
    for key, reason in view.unavailable.items():
        st.caption(f"**{text.label(view, key)}** is not shown: {md(reason)}.")
    for note in text.notes(view):
        st.caption(md(note))
    correction = text.correction_caption(view)
    if correction:
        st.caption(correction)
    st.markdown(
        f"**Orders** on the job's population: Borda {md(text.order_text(view.borda))} · NBC under "
        f"{'uniform D' if spec.get('sampling') is None else 'the job’s D'} {md(text.order_text(view.nbc))}"
        + (
            f" · Condorcet winner **{md(view.condorcet_winner)}**"
            if view.condorcet_winner
            else " · no Condorcet winner"
        )
    )
    if view.bt_fit is not None:  # the reward this method fits (RLHF) or implies (DPO)
        with st.container(key="ft_bt_fit"):
            st.caption(explain.bt_fit_sentence(view.bt_fit))

    st.markdown("**Uncertainty.** " + text.uncertainty(spec))
    history.seed_runs(client, record, records, on_started)
    _dataset(result, model)


def _count(value) -> str:
    """A count from a job's result with thousands separators (as recorded when it is not a whole number)."""
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else md(str(value))


def _dataset(result: dict, model) -> None:
    data = result.get("dataset") or {}
    summary = data.get("preference_matrix")
    if not summary:
        return
    st.markdown(
        f"**The training data**: {_count(data.get('rows'))} rows ({data.get('kind')})"
        + (
            f", {data['unanimous_rows']} of them unanimous across {data['user_types']} user types"
            if "unanimous_rows" in data
            else ""
        )
        + "."
    )
    P = compute.population_summary(model).P
    pairs = empirical_pairs(summary, P)
    denominator = matrix_denominator(model)
    readable = pairs.assign(
        **{"distance (standard errors)": pairs["distance (standard errors)"].map(lambda x: decimal(x, 2))}
    )  # text: the grid would write an undefined distance as "None"
    shown = readable.style.format(
        {
            "estimate P̂[a, b]": decimal,
            "standard error": lambda x: decimal(x, 2),
            "exact P[a, b]": lambda x: exact(x, denominator),
        },
        na_rep="–",
    )
    widgets.table(shown, key="ft_empirical_table", width="stretch", height=min(400, 38 + 35 * len(pairs)))
    widgets.csv_download(
        pairs, file_name="training-data-estimates.csv", key="ft_empirical_csv", label="Estimates as CSV"
    )
    distances = pairs["distance (standard errors)"].dropna()
    st.caption(
        "P̂[a, b]: the share of the dataset's comparisons of a and b that a won, next to the population's "
        "exact P[a, b]. Standard error: the binomial √(P̂(1 − P̂)/n) (0 when every comparison of the pair "
        f"went the same way). {int((distances > 2).sum())} of {len(distances)} estimates lie more than 2 "
        "standard errors from the exact value (about 1 in 20 is expected by chance)."
        + (f" {data['note'][0].upper()}{data['note'][1:]}." if data.get("note") else "")
    )
    variance = text.variance_caption(data.get("variance") or {})
    if variance:
        st.caption(variance)
    reward = result.get("reward_model")
    if reward:
        text_ = ", ".join(
            f"{md(a)} {decimal(float(r), 3)} ± {decimal(float(reward['standard_errors'][a]), 2)}"
            for a, r in reward["reward"].items()
        )
        st.caption(
            f"RLHF's reward model (Bradley–Terry, centred, ± standard error from the Fisher information): {text_}."
        )
