"""The Experiments page's parts: pick one of the papers' experiments (:mod:`worker.experiments`), run it (every
run a queued job of the signed-in person's, within their quota), watch its runs, and read the result grouped
by method with the spread across seeds next to the theory, with downloads.

The client (the person's view of the jobs, a :class:`worker.client.UserJobs`) is handed in by the page.
Session state: ``xp_name`` (the experiment picked; the URL's ``experiment`` parameter sets it),
``xp_backend``, ``xp_seeds``, ``xp_open`` (the submission on screen).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from aggregation import population_from_dict
from aggregation.experiments import (
    EXPERIMENTS,
    MAX_SEEDS,
    experiment_runs,
    figure4_deltas,
    mixture_robust_rates,
    mpne_robust_rate,
    run_of,
    runs_csv,
    summarize,
)

from .. import page_index, urls, widgets
from ..colours import method_colour, series_colour
from ..figures import _base, alternative_colours
from ..numbers import decimal
from ..text import md
from . import figures
from .history import result_of, when
from .live import NOTICE_KEY, POLL_S, STATE_LABELS

NAME_KEY, BACKEND_KEY, SEEDS_KEY, OPEN_KEY = "xp_name", "xp_backend", "xp_seeds", "xp_open"
PARAM = "experiment"
_PARAM_SEEN = "_xp_param_seen"


def apply_link() -> None:
    """Open the experiment named by the URL's ``experiment`` parameter (a gallery card's link)."""
    wanted = st.query_params.get(PARAM)
    if wanted and wanted != st.session_state.get(_PARAM_SEEN):
        st.session_state[_PARAM_SEEN] = wanted
        if wanted in EXPERIMENTS:
            st.session_state[NAME_KEY] = wanted
        else:
            st.session_state[NOTICE_KEY] = urls.bad_value(
                PARAM, wanted[:40], "no experiment has this name", "the first experiment"
            )


def write_link(name: str) -> None:
    """Name the experiment on screen in the URL (not before a link or a choice named one: a plain link to the
    page stays plain)."""
    if PARAM not in st.query_params and name == next(iter(EXPERIMENTS)):
        return
    if st.query_params.get(PARAM) != name:
        st.query_params[PARAM] = name
    st.session_state[_PARAM_SEEN] = name


# ------------------------------------------------------------------ picking and running
def picker() -> str:
    if st.session_state.get(NAME_KEY) not in EXPERIMENTS:
        st.session_state[NAME_KEY] = next(iter(EXPERIMENTS))
    name = st.selectbox("Experiment", list(EXPERIMENTS), key=NAME_KEY, format_func=lambda n: EXPERIMENTS[n].title)
    exp = EXPERIMENTS[name]
    st.markdown(md(exp.summary))
    st.caption(f"Source: {md(exp.reference)}")
    return name


def settings_table(runs) -> pd.DataFrame:
    """One row per group of runs (case, method, swept value): the settings its seeds share."""
    rows = {}
    for run in runs:
        s = run.spec
        key = run.group
        if key in rows:
            rows[key]["seeds"] += 1
            continue
        shown = {k: v for k, v in s.items() if k not in ("population", "name", "seed", "model")}
        rows[key] = {
            "runs": key,
            "method": s["method"],
            "seeds": 1,
            "settings": ", ".join(f"{k} {json.dumps(v)}" for k, v in sorted(shown.items()) if k != "method"),
        }
    return pd.DataFrame(list(rows.values()))


def run_form(client, name: str, on_started) -> None:
    exp = EXPERIMENTS[name]
    models = list(client.models()) if client is not None else []
    left, right = st.columns([3, 1])
    backends = ["tabular", "tiny", *models]
    labels = {"tabular": "tabular policy (seconds)", "tiny": "built-in tiny language model (slower)"}
    backend = left.radio(
        "Model",
        backends,
        key=BACKEND_KEY,
        horizontal=True,
        format_func=lambda b: labels.get(b, f"model {b}"),
        help="The tabular policy is a softmax over the answers, trained with the same losses; "
        "the tiny model a 2-layer GPT-2 with LoRA; the others are the operator's checkpoints.",
    )
    seeds = right.number_input(
        "Seeds",
        1,
        MAX_SEEDS,
        exp.seeds,
        key=SEEDS_KEY,
        help="Each method runs once per seed; the result shows the mean and a 95% interval.",
    )
    runs = experiment_runs(name, backend, int(seeds))
    st.caption(f"{len(runs)} runs, {sum(r.spec['steps'] for r in runs):,} steps together, each a queued job.")
    widgets.table(settings_table(runs), key="xp_settings", hide_index=True, width="stretch")
    if client is None:
        return
    if st.button(f"Run the experiment ({len(runs)} jobs)", key="xp_run", type="primary", icon=":material/play_arrow:"):
        try:
            experiment_id, _ = client.submit_experiment(name, backend, int(seeds))
        except (client.JobSpecError, client.LimitReached, client.QueueUnavailable) as exc:
            st.error(md(str(exc)), icon=":material/block:")
        else:
            on_started(experiment_id)


# ------------------------------------------------------------------ a submission: progress and result
def submission_picker(submissions, name: str):
    mine = [s for s in submissions if s.name == name]
    if not mine:
        return None
    labels = {s.id: f"{when(s.created_at)} · {s.backend} · {len(s.records)} runs" for s in mine}  # states: below
    if st.session_state.get(OPEN_KEY) not in labels:
        st.session_state[OPEN_KEY] = mine[0].id
    chosen = st.selectbox("Open a run of this experiment", list(labels), key=OPEN_KEY, format_func=labels.get)
    return next(s for s in mine if s.id == chosen)


def progress_view(client, submission) -> None:
    """The runs' states and steps, the running run's policy so far, cancel-all; a fragment polling while active."""
    active = not submission.done
    st.fragment(run_every=POLL_S if active else None)(_progress)(
        client, submission.id, [r.job_id for r in submission.records], active
    )


def _progress(client, experiment_id: str, job_ids: list[str], was_active: bool) -> None:
    try:
        statuses = {j: client.status(j) for j in job_ids}
    except Exception as exc:  # noqa: BLE001 - records or queue gone: say so, keep the page
        st.warning(
            f"Cannot read the runs right now ({type(exc).__name__}); the page keeps trying.", icon=":material/warning:"
        )
        return
    done = all(s.done for s in statuses.values())
    if was_active and done:
        st.rerun()
    records = {r.job_id: r for r in client.list_jobs() if r.job_id in statuses}
    steps = sum(s.step if not s.done or s.state != "finished" else s.total_steps for s in statuses.values())
    total = sum(s.total_steps for s in statuses.values())
    counts: dict[str, int] = {}
    for s in statuses.values():
        counts[s.state] = counts.get(s.state, 0) + 1
    with st.container(border=True, key="xp_progress"):
        head, button = st.columns([4, 1])
        head.markdown(
            "#### " + " · ".join(f"{n} {STATE_LABELS[state][1].lower()}" for state, n in sorted(counts.items()))
        )
        if not done:
            button.button(
                "Cancel all",
                key="xp_cancel",
                icon=":material/stop_circle:",
                on_click=_cancel_all,
                args=(client, job_ids),
                width="stretch",
            )
        st.progress(min(1.0, steps / max(total, 1)), text=f"{steps:,} of {total:,} steps")
        rows = []
        for j in job_ids:
            s, r = statuses[j], records.get(j)
            run = r.settings["experiment"]["run"] if r is not None else j
            rows.append(
                {
                    "run": run,
                    "state": s.state,
                    "step": f"{s.step} / {s.total_steps}",
                    "open": f"/{page_index.page('fine-tuning').url_path}?job={j}",
                }
            )
        st.dataframe(
            pd.DataFrame(rows),
            key="xp_runs",
            hide_index=True,
            width="stretch",
            column_config={"open": st.column_config.LinkColumn("open", display_text="open the job")},
        )
        running = [j for j in job_ids if statuses[j].state == "running"]
        if running:
            events = client.events(running[0])
            run = records[running[0]].settings["experiment"]["run"] if running[0] in records else running[0]
            if events:
                last = events[-1]
                st.caption(
                    f"Running: {md(run)} · step {last['step']} of {last['total_steps']} · loss "
                    f"{decimal(float(last['loss']))}"
                )
                record = records.get(running[0])
                if record is not None and record.settings["experiment"]["name"] == "testtime-selfplay":
                    k = int(record.settings["k"])
                    population = population_from_dict(record.spec["population"])
                    rate = mixture_robust_rates(population, [e["policy"] for e in events], k)[-1]
                    st.caption(
                        f"σ^T's {k}-sample robust rate so far: **{decimal(float(rate), 3)}** (MPNE_{k}: "
                        f"{decimal(_mpne_rate(record.spec_json, k), 3)}; the guarantee k/(k+1) = "
                        f"{decimal(k / (k + 1), 3)})"
                    )
                frames = figures.trajectory_frames(events)
                if frames[0].shape[1] <= 12:
                    widgets.chart(
                        figures.trajectory(
                            frames[0], mixture=frames[1], height=300, title="The running job's policy so far"
                        ),
                        key="xp_live_chart",
                        file_name="experiment-progress",
                    )
                else:
                    policy = pd.Series(last["policy"]).sort_values(ascending=False).head(8)
                    st.bar_chart(policy, height=220)


@st.cache_data(max_entries=16, show_spinner=False)
def _mpne_rate(spec_json: str, k: int) -> float:
    return mpne_robust_rate(population_from_dict(json.loads(spec_json)["population"]), k)


def _cancel_all(client, job_ids) -> None:
    for j in job_ids:
        try:
            client.cancel(j)
        except (client.QueueUnavailable, client.UnknownJob) as exc:
            st.session_state[NOTICE_KEY] = f"Not every cancel reached the queue: {exc}. Try again."


def result_view(client, submission) -> None:
    """Claims, the groups' mean and interval next to the theory, a figure, and downloads."""
    finished = [r for r in submission.records if r.status.state == "finished"]
    if not finished:
        st.info("No run has finished yet; the result appears here as they do.", icon=":material/hourglass_top:")
        return
    runs = [run_of(r) for r in finished]
    results = [result_of(client, r.job_id) for r in finished]
    summary = summarize(submission.name, runs, results)
    missing = len(submission.records) - len(finished)
    if missing:
        st.caption(
            f"{missing} of {len(submission.records)} runs have not finished (or failed); the summary uses "
            "the finished ones."
        )
    st.markdown("**What the paper says, and whether these runs show it**")
    for c in summary["claims"]:
        icon = {True: ":material/check_circle:", False: ":material/cancel:", None: ":material/help:"}[c["holds"]]
        word = {True: "shown", False: "not shown", None: "not enough runs"}[c["holds"]]
        st.markdown(f"{icon} {md(c['claim'])} — *{word}*")
    figure = experiment_figure(submission.name, summary)
    if figure is not None:
        widgets.chart(figure, key="xp_figure", file_name=f"{submission.name}")
    st.markdown("**By method, across seeds** (mean and 95% interval; one seed shows no interval)")
    table = groups_table(summary)
    widgets.table(table, key="xp_groups", hide_index=True, width="stretch")
    left, right = st.columns(2)
    left.download_button(
        "Runs as CSV",
        runs_csv(runs, results),
        file_name=f"{submission.name}-runs.csv",
        mime="text/csv",
        key="xp_csv",
        icon=":material/download:",
    )
    everything = {
        "experiment": submission.name,
        "id": submission.id,
        "summary": summary,
        "runs": [
            {
                "run": run.id,
                "settings": res["settings"],
                "policy": res["policy"],
                "mixture": res.get("mixture"),
                "trajectory": res["trajectory"],
            }
            for run, res in zip(runs, results)
        ],
    }
    right.download_button(
        "Everything as JSON (settings, trajectories, final policies)",
        json.dumps(everything, allow_nan=False),
        file_name=f"{submission.name}.json",
        mime="application/json",
        key="xp_json",
        icon=":material/download:",
    )


def groups_table(summary: dict) -> pd.DataFrame:
    rows = []
    for key, g in summary["groups"].items():
        if "policy" not in g:
            continue
        pol = g["policy"]
        mix = g.get("mixture")
        for i, a in enumerate(g["alternatives"]):
            row = {
                "runs": key,
                "answer": a,
                "seeds": pol["seeds"],
                "policy (mean)": pol["mean"][i],
                "95% interval": "–"
                if pol["low"] is None
                else f"{decimal(pol['low'][i], 3)} – {decimal(pol['high'][i], 3)}",
            }
            if mix is not None:
                row["mixture of iterates (mean)"] = mix["mean"][i]
            for limit, label in (
                ("rlhf_policy", "RLHF/DPO limit"),
                ("maximal_lottery", "maximal lottery"),
                ("average_reward_policy", "π* (average reward)"),
                ("mpne", "MPNE_k"),
            ):
                if limit in g.get("theory", {}):
                    row[label] = g["theory"][limit].get(a)
            rows.append(row)
    frame = pd.DataFrame(rows)
    if len(frame) > 400:  # Figure 4 has 40 answers per group: the figure shows them; the table keeps the sides
        frame = frame[frame["answer"].isin([str(d) for d in (-10, -5, 0, 5, 10)])]
    return frame


# ------------------------------------------------------------------ figures (plain data in, go.Figure out)
def experiment_figure(name: str, summary: dict) -> go.Figure | None:
    if name == "heterogeneous-figure4":
        return figure4(summary)
    if name == "testtime-selfplay":
        return robust_rates(summary)
    return grouped_bars(summary)


def grouped_bars(summary: dict) -> go.Figure:
    """One bar per answer and group (final policy, or the mixture of iterates for self-play), error bars the
    95% interval across seeds."""
    fig = go.Figure()
    colours = alternative_colours(sorted({a for g in summary["groups"].values() for a in g.get("alternatives", [])}))
    for key, g in summary["groups"].items():
        if "policy" not in g:
            continue
        what = g.get("mixture") or g["policy"]
        for i, a in enumerate(g["alternatives"]):
            err = (
                None
                if what["low"] is None
                else dict(
                    type="data",
                    symmetric=False,
                    array=[what["high"][i] - what["mean"][i]],
                    arrayminus=[what["mean"][i] - what["low"][i]],
                )
            )
            fig.add_bar(
                x=[key],
                y=[what["mean"][i]],
                name=a,
                marker_color=colours.get(a),
                error_y=err,
                legendgroup=a,
                showlegend=key == next(iter(summary["groups"])),
            )
    fig.update_layout(barmode="group", yaxis_title="probability (self-play: mixture of iterates)")
    return _legend(
        _base(
            fig,
            height=440,
            title="Final policies by population and method (mean across seeds, 95% interval)",
            bottom=60,
            left=70,
        )
    )


def figure4(summary: dict) -> go.Figure:
    """Figure 4: pi(delta) averaged over prompts and seeds, band = the standard error across prompts, next to
    pi* (the average-reward policy) and NBC rescaled to the same mean and spread."""
    deltas = [str(d) for d in figure4_deltas()]
    x = [int(d) for d in deltas]
    fig = go.Figure()
    se = summary.get("prompt_standard_errors", {})
    theory = {}
    for key, g in summary["groups"].items():
        if "policy" not in g:
            continue
        p = dict(zip(g["alternatives"], g["policy"]["mean"]))
        y = np.array([p[d] for d in deltas])
        s = np.array(se.get(key, [0.0] * len(deltas)))
        arm = key.split("/", 1)[1]
        fig.add_scatter(
            x=x,
            y=y,
            mode="lines",
            name=arm,
            line=dict(color=method_colour(arm.split("/")[0])),
            error_y=dict(type="data", array=s, visible=True, thickness=1),
        )
        theory = theory or g.get("theory", {})
    if "average_reward_policy" in theory:
        fig.add_scatter(
            x=x,
            y=[theory["average_reward_policy"][d] for d in deltas],
            mode="lines",
            name="π* (average reward)",
            line=dict(dash="dash", color=series_colour("average_reward")),
        )
    if "nbc" in theory:
        nbc = np.array([theory["nbc"][d] for d in deltas])
        ref = (
            np.array([theory["average_reward_policy"][d] for d in deltas])
            if "average_reward_policy" in theory
            else None
        )
        if ref is not None and nbc.std() > 0:
            scaled = ref.mean() + (nbc - nbc.mean()) / nbc.std() * ref.std()
            fig.add_scatter(
                x=x, y=scaled, mode="lines", name="NBC (rescaled)", line=dict(dash="dot", color=series_colour("nbc"))
            )
    fig.update_layout(xaxis_title="δ = y − x", yaxis_title="π(δ), averaged over prompts")
    return _legend(
        _base(
            fig,
            height=480,
            title="Figure 4: 1-D policies (error bars: standard error across the 40 prompts)",
            bottom=60,
            left=70,
        )
    )


def robust_rates(summary: dict) -> go.Figure:
    fig = go.Figure()
    for key, g in summary.get("robust_rates", {}).items():
        r = g["robust_rate"]
        fig.add_scatter(x=g["steps"], y=r["mean"], mode="lines", name=f"σ^T, k = {g['k']}")
        if r["low"] is not None:
            fig.add_scatter(
                x=g["steps"] + g["steps"][::-1],
                y=r["high"] + r["low"][::-1],
                fill="toself",
                line=dict(width=0),
                opacity=0.2,
                showlegend=False,
                hoverinfo="skip",
            )
        fig.add_hline(y=g["mpne_rate"], line_dash="dash", annotation_text=f"MPNE_{g['k']}")
        fig.add_hline(y=g["bound"], line_dash="dot", annotation_text=f"{g['k']}/{g['k'] + 1}")
    fig.update_layout(xaxis_title="step", yaxis_title="k-sample robust rate of the mixture of iterates")
    return _legend(
        _base(fig, height=460, title="σ^T's robust rate as the run proceeds (Proposition D.3)", bottom=60, left=70)
    )


def _legend(fig: go.Figure) -> go.Figure:
    fig.update_layout(showlegend=True, legend=dict(orientation="h", yanchor="top", y=-0.18, x=0))
    return fig
