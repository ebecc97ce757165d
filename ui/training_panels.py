"""Streamlit panels of the Fine-tuning page: the settings form and its start button, the live job
panel, a finished job's result next to the theory, and the list of past jobs.

The page talks to the worker only through :mod:`worker.client` (``get_client``, ``submit``,
``status``, ``events``, ``result``, ``cancel``, ``list_jobs``, ``record``). Nothing here waits for
a worker: the live panel is a fragment that reruns every :data:`ui.training.POLL_S` seconds while
the job on screen is queued or running, and is declared without a timer otherwise (so an idle page
does not poll); when the job ends it reruns the whole page once so the result appears.

Session state (all keys start with ``ft_``): the widgets' values, ``ft_job`` (the job on screen,
the job picker's key), ``ft_refusal`` (the last refused start: field, message and the settings it
was refused for) and ``ft_notice`` (a message from the last action). The URL's ``job`` parameter
names the job on screen, so a reload or a shared link opens it again.
"""
from __future__ import annotations

import json
import os
from collections.abc import Callable

import pandas as pd
import streamlit as st

from worker.client import (DEFAULT_BETA, METHODS, JobSpecError, QueueUnavailable, UnknownJob, get_client)

from aggregation import AggregationError

from . import compute, explain, shell, training, training_figures, urls, widgets
from .numbers import decimal, exact, matrix_denominator
from .text import md
from .training import METHOD_TEXT, RANKED, SELF_PLAY, TINY

JOB_KEY = "ft_job"
REFUSAL_KEY = "ft_refusal"
NOTICE_KEY = "ft_notice"
JOB_PARAM = "job"
_JOB_PARAM_SEEN = "_ft_job_param_seen"

STATE_LABELS = {
    "queued": (":material/schedule:", "Queued"),
    "running": (":material/progress_activity:", "Running"),
    "finished": (":material/check_circle:", "Finished"),
    "failed": (":material/error:", "Failed"),
    "cancelled": (":material/cancel:", "Cancelled"),
}


# ------------------------------------------------------------------ connection and notices
def connect():
    """``(client, None)``, or ``(None, message)`` when the job queue cannot be opened."""
    try:
        return get_client(), None
    except Exception as exc:  # noqa: BLE001 - configuration, disk or queue errors: say so, keep the page
        return None, (f"The job queue cannot be opened ({type(exc).__name__}: {md(exc)}). Training is unavailable "
                      "until that is fixed (see README, “Fine-tuning jobs”); the theory on this page still works.")


def notice() -> None:
    """The message left by the last action (a refused cancel, an unreachable queue), shown once."""
    message = st.session_state.pop(NOTICE_KEY, None)
    if message:
        st.warning(md(message), icon=":material/warning:")


# ------------------------------------------------------------------ the form
class FieldErrors:
    """A slot under each form field where a refusal naming that field is written."""

    def __init__(self):
        self.slots: dict[str, object] = {}

    def slot(self, field: str, container=None) -> None:
        self.slots[field] = (container or st).empty()

    def show(self, field: str | None, message: str, fallback) -> None:
        target = self.slots.get(field) if field else None
        (target or fallback).error(md(message), icon=":material/error:")


def _number(container, errors: FieldErrors, label: str, field: str, key: str, value, **kwargs):
    with container:
        out = st.number_input(label, value=value, key=key, **kwargs)
        errors.slot(field)
    return out


def settings_form(model, D, errors: FieldErrors) -> tuple[str, dict]:
    """Method, model and settings widgets; returns the method and the settings (spec field -> value,
    None for "the worker's default")."""
    method = st.selectbox("Method", list(METHODS), key="ft_method", format_func=lambda m: METHOD_TEXT[m].name,
                          help="Every method trains the same model on data drawn from the current population.")
    errors.slot("method")
    text = METHOD_TEXT[method]
    with st.container(border=True, key="ft_method_text"):
        st.markdown(f"**What it optimises.** {text.optimises}  \n**{text.lands_on.split(':', 1)[0]}:**"
                    f"{text.lands_on.split(':', 1)[1]} ({explain.link(text.paper)})")

    kind = st.radio("Model", ["tiny", "checkpoint"], key="ft_model_kind", horizontal=True,
                    format_func={"tiny": "built-in tiny model", "checkpoint": "a local checkpoint"}.get)
    if kind == "checkpoint":
        model_name = st.text_input("Checkpoint folder or hub id", key="ft_checkpoint",
                                   placeholder="/models/Qwen2.5-0.5B-Instruct")
        if model_name.strip():
            where = ("found on this machine" if os.path.isdir(model_name.strip()) else
                     "not a folder on this machine: it must exist on the worker, or be in its Hugging Face cache")
            st.caption(f"{md(model_name.strip())}: {where}.")
    else:
        model_name = TINY
    st.caption("The tiny model is a random 2-layer GPT-2 with a word vocabulary built on the spot; it trains on a "
               "CPU in seconds. **Nothing is downloaded here**: a checkpoint must be a folder on the worker's "
               "machine (or already in its Hugging Face cache), else the job fails and says so.")
    errors.slot("model")

    st.markdown("**Settings**")
    row = st.columns(3)
    settings = {"model": model_name}
    settings["beta"] = _number(row[0], errors, "β (KL strength)", "beta", f"ft_beta_{method}",
                               DEFAULT_BETA[method], step=0.01, format="%g",
                               help="How strongly the policy is held to the untrained model. Each method has its own "
                                    "default (self-play uses a small β: its theory is the β → 0 limit).")
    settings["dataset_size"] = _number(row[1], errors, "Dataset size (rows)", "dataset_size", "ft_dataset_size", 2048,
                                       step=256, help="Labelled examples drawn from the population before training.")
    settings["steps"] = _number(row[2], errors, "Steps", "steps", "ft_steps", 200, step=50,
                                help="Optimiser steps (Adam). The tiny model needs about 200.")
    row = st.columns(3)
    default_lr = 5e-3 if kind == "tiny" else 1e-4
    settings["learning_rate"] = _number(row[0], errors, "Learning rate", "learning_rate", f"ft_lr_{kind}", default_lr,
                                        step=1e-3 if kind == "tiny" else 1e-5, format="%g")
    settings["seed"] = _number(row[1], errors, "Seed", "seed", "ft_seed", 0, step=1,
                               help="Draws the dataset and initialises the tiny model; same seed, same run.")
    if method == "mpne":
        settings["k"] = _number(row[2], errors, "k (samples shown at test time)", "k", "ft_k", training.DEFAULT_K,
                                step=1)
    if method in RANKED:
        positive = len(model.alternatives) if D is None else int((D > 0).sum())
        row = st.columns(3)
        settings["display_size"] = _number(row[0], errors, "Responses shown per question", "display_size",
                                           "ft_display_size", min(4, positive), step=1)
        settings["top_k"] = _number(row[1], errors, "Ranked by the voter (top k)", "top_k", "ft_top_k", 1, step=1)
        if method == "mallows":
            settings["phi"] = _number(row[2], errors, "Mallows dispersion φ", "phi", "ft_phi", 0.5, step=0.05,
                                      format="%g", help="Strictly between 0 and 1; smaller is more decisive.")
    D_text = "uniform" if D is None else ", ".join(f"{md(a)} {decimal(float(p))}" for a, p in D.items())
    st.markdown(f"**Sampling distribution D** (the responses compared or shown are drawn from it): {D_text}")
    st.page_link(shell.ROOT / shell.page("sampling").path, label="Change D on the Sampling page",
                 icon=":material/change_history:")
    errors.slot("sampling")
    settings["sampling"] = training.sampling_dict(D)
    settings["name"] = st.text_input("Name (optional, for the job list)", key="ft_name").strip() or None
    errors.slot("name")

    with st.expander("Advanced: LoRA, batches, device"):
        row = st.columns(3)
        settings["lora_r"] = _number(row[0], errors, "LoRA rank r", "lora.r", "ft_lora_r", 8, step=1)
        settings["lora_alpha"] = _number(row[1], errors, "LoRA alpha", "lora.alpha", "ft_lora_alpha", 32.0, step=1.0,
                                         format="%g")
        settings["lora_dropout"] = _number(row[2], errors, "LoRA dropout", "lora.dropout", "ft_lora_dropout", 0.1,
                                           step=0.05, format="%g")
        row = st.columns(3)
        if method in SELF_PLAY:
            settings["samples_per_step"] = _number(row[0], errors, "Samples per step", "samples_per_step",
                                                   "ft_samples_per_step", 64, step=8)
            settings["exploration"] = _number(row[1], errors, "Exploration share", "exploration", "ft_exploration",
                                              0.1, step=0.05, format="%g",
                                              help="Share of the samples drawn uniformly instead of from the policy.")
        elif method != "rlhf":
            settings["batch_size"] = _number(row[0], errors, "Batch size (empty: the whole dataset)", "batch_size",
                                             "ft_batch_size", None, step=32)
        with row[2]:
            settings["device"] = st.selectbox("Device", ["auto", "cpu", "cuda"], key="ft_device",
                                              help="auto: the worker's GPU when it has one, else its CPU.")
            errors.slot("device")
        st.caption("LoRA defaults r = 8, alpha = 32, dropout 0.1 as in the Jackpot paper's experiments.")
    return method, settings


def start_button(client, model, method: str, settings: dict, errors: FieldErrors,
                 on_started: Callable[[str], None]) -> None:
    """The button that queues the job. A refusal (the worker's validation message) is written under
    the field it names and kept until the settings change; nothing is queued then."""
    snapshot = json.dumps({"method": method, **settings}, sort_keys=True, default=str)
    clicked = st.button("Start training", key="ft_start", type="primary", icon=":material/play_arrow:",
                        disabled=client is None,
                        help=None if client is not None else "The job queue is not available (see above).")
    general = st.container()
    if clicked:
        st.session_state.pop(REFUSAL_KEY, None)
        spec = training.build_spec(training.population_payload(model), method, dict(settings))
        try:
            job_id = client.submit(spec)
        except JobSpecError as exc:
            st.session_state[REFUSAL_KEY] = (training.error_field(str(exc)), f"Not queued: {exc}", snapshot)
        except QueueUnavailable as exc:
            st.session_state[REFUSAL_KEY] = (None, f"Not queued: {exc}. The page keeps working; try again once "
                                                   "the queue is back.", snapshot)
        else:
            on_started(job_id)
            st.toast("Job queued", icon=":material/check:")
    refusal = st.session_state.get(REFUSAL_KEY)
    if refusal and refusal[2] == snapshot:
        errors.show(refusal[0], refusal[1], general)


def theory_preview(model, method: str, settings: dict, D, kind: str) -> None:
    """Where theory says the chosen method should land on the current population, before training
    (uniform reference policy; a finished job uses the model's real one)."""
    beta, k = settings.get("beta"), settings.get("k")
    if not isinstance(beta, (int, float)) or not 0 < beta < float("inf"):
        st.caption("Set a positive β to see where theory says this method lands.")
        return
    k = k if isinstance(k, int) and 1 <= k <= 64 else training.DEFAULT_K
    spec = {"method": method, "beta": beta, "sampling": settings.get("sampling"), "k": k,
            "display_size": settings.get("display_size"), "top_k": settings.get("top_k")}
    view = training.spec_theory(model, spec, None, kind, with_mpne=training.mpne_is_quick(model, k))
    target = training.method_target(spec, kind)
    order = ([target] if target in view.policies else []) + [key for key in view.policies if key != target]
    if not order:
        st.caption("The core has no policy to show for this population.")
        return
    table = pd.DataFrame({view.labels[key]: view.policies[key] for key in order}).T
    title = f"Where theory says {METHOD_TEXT[method].name} lands" if target in view.policies else "What theory predicts"
    widgets.chart(training_figures.policy_bars(table, title=title, emphasise=1 if target in view.policies else 0),
                  key="ft_preview_chart", file_name="fine-tuning-theory")
    st.caption("Exact, from the population (uniform reference policy here; a finished job is compared with the "
               f"limits for its own untrained model). Borda: {md(training.order_text(view.borda))}. "
               f"NBC under D: {md(training.order_text(view.nbc))}.")
    for key, reason in view.unavailable.items():
        st.caption(f"{view.labels[key]}: not available here ({md(reason)}).")


# ------------------------------------------------------------------ the job on screen
def live_panel(client, job_id: str, was_active: bool) -> None:
    """Status, progress, the policy so far and a cancel button; run as a fragment that polls while
    the job is active. When the job ends it reruns the whole page once (the result then shows and
    the polling stops)."""
    try:
        status = client.status(job_id)
        events = client.events(job_id)
    except UnknownJob as exc:
        st.warning(f"{md(exc)}.", icon=":material/help:")
        return
    except Exception as exc:  # noqa: BLE001 - the records file or the queue went away
        st.warning(f"Cannot read this job right now ({type(exc).__name__}: {md(exc)}); the page keeps trying.",
                   icon=":material/warning:")
        return
    if was_active and status.done:
        st.rerun()
    icon, label = STATE_LABELS[status.state]
    with st.container(border=True, key="ft_status"):
        head, button = st.columns([4, 1])
        where = f" on **{md(status.device)}**" if status.device else ""
        worker = f" (worker {md(status.worker)})" if status.worker else ""
        head.markdown(f"#### {label}{where}{worker}", help=f"job id {job_id}")
        if not status.done:
            button.button("Cancel", key="ft_cancel", icon=":material/stop_circle:", on_click=_cancel,
                          args=(client, job_id), width="stretch")
        st.progress(status.fraction, text=f"Step {status.step} of {status.total_steps}")
        details = [status.message] if status.message and status.state != "finished" else []
        if status.attempt > 1:
            details.append(f"attempt {status.attempt}")
        if details:
            st.caption(md(" · ".join(details)))
        if status.state == "failed":
            st.error(f"The job failed: {md(status.error or 'no reason was recorded')}", icon=":material/error:")
        if status.state == "cancelled":
            st.info(md(status.message or "Cancelled."), icon=":material/cancel:")
        if events and status.state != "finished":
            last = events[-1]
            policy = pd.Series(last["policy"])
            shown = policy.sort_values(ascending=False).head(6)
            cols = st.columns(len(shown) + 1)
            cols[0].metric("loss", decimal(float(last["loss"])))
            for col, (name, p) in zip(cols[1:], shown.items()):
                col.metric(f"P({md(name)})", decimal(float(p), 3))
            frames = training.trajectory_frames(events)
            widgets.chart(training_figures.trajectory(frames[0], mixture=frames[1], height=340,
                                                      title="The policy so far"),
                          key="ft_live_chart", file_name="fine-tuning-progress")


def _cancel(client, job_id: str) -> None:
    try:
        client.cancel(job_id)
    except QueueUnavailable as exc:
        st.session_state[NOTICE_KEY] = f"The cancel did not reach the queue: {exc}. Try again."
    except UnknownJob as exc:
        st.session_state[NOTICE_KEY] = f"{exc}."


def job_view(client, record) -> None:
    active = not record.status.done
    st.fragment(run_every=training.POLL_S if active else None)(live_panel)(client, record.job_id, active)


# ------------------------------------------------------------------ a finished job
@st.cache_resource(max_entries=256, show_spinner=False)
def finished_result(_client, records_file: str, job_id: str) -> dict | None:
    """A finished job's result (read once: it never changes). Shared and read-only."""
    return _client.result(job_id)


def result_of(client, job_id: str) -> dict | None:
    return finished_result(client, str(client.config.records_file), job_id)


def result_section(client, record, records, current_model, on_started: Callable[[str], None]) -> None:
    result = result_of(client, record.job_id)
    if result is None:
        st.warning("This job is marked finished but its result could not be read yet; reload in a moment.")
        return
    spec = record.spec
    model = training.job_population(record.job_id, spec)
    kind = model.kind
    view = training.spec_theory(model, spec, result["reference_policy"], kind)
    alts = result["alternatives"]
    st.subheader("Result: the trained policy next to the theory")
    with st.container(key="ft_headline"):
        st.markdown(" ".join(training.headline(result, spec, view, kind)))
    if getattr(current_model, "fingerprint", None) != getattr(model, "fingerprint", None):
        st.caption("This job was trained on another population than the current one; everything below is for the "
                   "job's own population.")
    facts = _facts(result, spec)
    st.caption(" · ".join(facts))

    table = training.comparison_table(result, view)
    target = training.method_target(spec, kind)
    left, right = st.columns(2)
    with left:
        policy, mixture = training.trajectory_frames(result)
        target_policy = view.policies.get(target) if target else None
        widgets.chart(training_figures.trajectory(policy, mixture=mixture, target=target_policy,
                                                  target_label=view.labels.get(target) if target else None,
                                                  title="Probability of each answer during training"),
                      key="ft_trajectory_chart", file_name="fine-tuning-trajectory")
        st.caption(training.trajectory_caption(view.labels.get(target) if target_policy is not None else None,
                                               mixture is not None))
    with right:
        n_trained = 2 if "mixture" in training.trained_policies(result) else 1
        widgets.chart(training_figures.policy_bars(table[alts], title="Trained policy and theory", emphasise=n_trained),
                      key="ft_policies_chart", file_name="fine-tuning-policies")
    closest = training.closest_theory(table, view)
    if closest:
        st.markdown(f"Of the theory's policies, the trained model is closest to the **{closest[0]}** (total "
                    f"variation distance {decimal(closest[1], 3)}; 0 means identical, 1 means no overlap).")
    widgets.table(widgets.styled(table, decimal), key="ft_policies_table", width="stretch")
    downloads = st.columns(3)
    with downloads[0]:
        widgets.csv_download(table, file_name=f"job-{record.job_id[:8]}-policies.csv", key="ft_policies_csv",
                             label="Policies as CSV")
    with downloads[1]:
        widgets.csv_download(policy, file_name=f"job-{record.job_id[:8]}-trajectory.csv", key="ft_trajectory_csv",
                             label="Trajectory as CSV")
    with downloads[2]:
        st.download_button("Result as JSON", data=json.dumps(result, indent=1), file_name=f"job-{record.job_id}.json",
                           mime="application/json", key="ft_result_json", icon=":material/download:",
                           on_click="ignore")
    for key, reason in view.unavailable.items():
        st.caption(f"**{view.labels[key]}** is not shown: {md(reason)}.")
    for note in view.notes:
        st.caption(md(note))
    st.markdown(f"**Orders** on the job's population: Borda {md(training.order_text(view.borda))} · NBC under "
                f"{'uniform D' if spec.get('sampling') is None else 'the job’s D'} {md(training.order_text(view.nbc))}"
                + (f" · Condorcet winner **{md(view.condorcet_winner)}**" if view.condorcet_winner else
                   " · no Condorcet winner"))
    if view.bt_fit is not None:          # the reward this method fits (RLHF) or implies (DPO)
        with st.container(key="ft_bt_fit"):
            st.caption(explain.bt_fit_sentence(view.bt_fit))

    st.markdown("**Uncertainty.** " + _uncertainty(result, spec))
    _seed_runs(client, record, records, on_started)
    _dataset(result, model)


def _facts(result: dict, spec: dict) -> list[str]:
    timings = result.get("timings", {})
    model = result.get("model", {})
    facts = [f"ran on **{md(result.get('device', '?'))}** (worker {md(result.get('worker', '?'))})",
             f"{spec['steps']} steps in {decimal(float(timings.get('train_s', float('nan'))), 3)} s "
             f"({decimal(float(timings.get('ms_per_step', float('nan'))), 3)} ms per step)",
             f"model {md(model.get('name', spec['model']))}: {model.get('trainable_parameters', '?'):,} of "
             f"{model.get('parameters', '?'):,} parameters trained (LoRA r = {spec['lora']['r']})"
             if isinstance(model.get("parameters"), int) else f"model {md(spec['model'])}",
             f"β = {spec['beta']:g}, {spec['dataset_size']} rows, learning rate {spec['learning_rate']:g}, "
             f"seed {spec['seed']}"]
    outside = result.get("outside_mass")
    if outside is not None and outside > 1e-3:
        facts.append(f"the model put {float(outside):.2%} of its probability outside these answers; the policy "
                     "shown is renormalised over them")
    return facts


def _uncertainty(result: dict, spec: dict) -> str:
    return ("Every policy here is read exactly from the model (sequence log-probabilities normalised over the "
            "answers), not sampled, and the theory is exact. What is random is the run: the dataset of "
            f"{spec['dataset_size']} rows drawn with seed {spec['seed']}"
            + (" and the responses sampled during self-play" if spec["method"] in SELF_PLAY else "")
            + ". **A single run has no across-seed error bar**: run the same settings with other seeds to see "
              "how much the outcome moves. The dataset's own estimates carry their standard errors below.")


def _seed_runs(client, record, records, on_started) -> None:
    siblings = [r for r in records if r.status.state == "finished" and training.same_settings(r.settings, record.settings)]
    results = [res for res in (result_of(client, r.job_id) for r in siblings) if res]
    spread = training.seed_spread(results)
    if spread is not None:
        seeds = sorted(r.settings["seed"] for r in siblings)
        which = "mixture of iterates" if record.method in SELF_PLAY else "final policy"
        st.markdown(f"**Across seeds** ({len(results)} finished runs of these settings, seeds "
                    f"{', '.join(map(str, seeds))}): the {which}'s mean and standard deviation per answer.")
        widgets.table(widgets.styled(spread, decimal), key="ft_seed_table")
    used = {r.settings["seed"] for r in records if training.same_settings(r.settings, record.settings)}
    next_seed = max(used | {record.settings["seed"]}) + 1
    if st.button(f"Run these settings again with seed {next_seed}", key="ft_rerun_seed", icon=":material/replay:"):
        try:
            on_started(client.submit({**record.spec, "seed": next_seed}))
        except (JobSpecError, QueueUnavailable) as exc:
            st.error(f"Not queued: {md(exc)}", icon=":material/error:")
        else:
            st.rerun()


def _dataset(result: dict, model) -> None:
    data = result.get("dataset") or {}
    summary = data.get("preference_matrix")
    if not summary:
        return
    st.markdown(f"**The training data**: {data.get('rows')} rows ({data.get('kind')})"
                + (f", {data['unanimous_rows']} of them unanimous across {data['user_types']} user types"
                   if "unanimous_rows" in data else "") + ".")
    P = compute.population_summary(model).P
    pairs = training.empirical_pairs(summary, P)
    denominator = matrix_denominator(model)
    readable = pairs.assign(**{"distance (standard errors)": pairs["distance (standard errors)"].map(
        lambda x: decimal(x, 2))})  # text: the grid would write an undefined distance as "None"
    shown = readable.style.format({"estimate P̂[a, b]": decimal, "standard error": lambda x: decimal(x, 2),
                                   "exact P[a, b]": lambda x: exact(x, denominator)}, na_rep="–")
    widgets.table(shown, key="ft_empirical_table", width="stretch", height=min(400, 38 + 35 * len(pairs)))
    widgets.csv_download(pairs, file_name="training-data-estimates.csv", key="ft_empirical_csv",
                         label="Estimates as CSV")
    distances = pairs["distance (standard errors)"].dropna()
    st.caption("P̂[a, b]: the share of the dataset's comparisons of a and b that a won, next to the population's "
               "exact P[a, b]. Standard error: the binomial √(P̂(1 − P̂)/n) (0 when every comparison of the pair "
               f"went the same way). {int((distances > 2).sum())} of {len(distances)} estimates lie more than 2 "
               "standard errors from the exact value (about 1 in 20 is expected by chance)."
               + (f" {data['note'][0].upper()}{data['note'][1:]}." if data.get("note") else ""))
    reward = result.get("reward_model")
    if reward:
        text = ", ".join(f"{md(a)} {decimal(float(r), 3)} ± {decimal(float(reward['standard_errors'][a]), 2)}"
                         for a, r in reward["reward"].items())
        st.caption(f"RLHF's reward model (Bradley–Terry, centred, ± standard error from the Fisher information): {text}.")


# ------------------------------------------------------------------ the job list
def job_picker(client, records) -> None:
    """The past jobs (from the worker's durable records) as a table, and a picker that opens one."""
    results = {r.job_id: result_of(client, r.job_id) for r in records if r.status.state == "finished"}
    frame = training.jobs_frame(records, results)
    widgets.table(frame, key="ft_jobs_table", width="stretch", hide_index=True)
    labels = {r.job_id: training.job_label(r) for r in records}
    st.selectbox("Open a job", list(labels), key=JOB_KEY, format_func=labels.get,
                 help="Its status, and its result when it has finished, appear above.")
    widgets.csv_download(frame, file_name="fine-tuning-jobs.csv", key="ft_jobs_csv", label="Job list as CSV",
                         index=False)


def apply_job_link(client, ids: list[str]) -> None:
    """Open the job named by the URL's ``job`` parameter when the URL brings a new one."""
    wanted = st.query_params.get(JOB_PARAM)
    if not wanted or wanted == st.session_state.get(_JOB_PARAM_SEEN):
        return
    st.session_state[_JOB_PARAM_SEEN] = wanted
    try:
        wanted = urls.decode_job(wanted)
    except AggregationError as exc:
        st.session_state[NOTICE_KEY] = f"{str(exc)[:1].upper()}{str(exc)[1:]}; showing the newest job instead."
        return
    if wanted in ids:
        st.session_state[JOB_KEY] = wanted
        return
    try:
        client.record(wanted)
    except UnknownJob:
        st.session_state[NOTICE_KEY] = (f"This link names job {wanted!r}, which is not in this dashboard's records "
                                        f"({client.config.records_file}); showing the newest job instead.")
    else:
        st.session_state[NOTICE_KEY] = (f"Job {wanted!r} is older than the {training.JOB_LIST_LIMIT} jobs listed "
                                        "here; showing the newest job instead.")


def write_job_link(job_id: str | None) -> None:
    if job_id is None:
        if JOB_PARAM in st.query_params:
            del st.query_params[JOB_PARAM]
        return
    if st.query_params.get(JOB_PARAM) != job_id:
        st.query_params[JOB_PARAM] = job_id
    st.session_state[_JOB_PARAM_SEEN] = job_id

