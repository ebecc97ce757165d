"""The settings form of the Fine-tuning page: method, model and settings, the start button, and the
theory preview next to them.

The method's widgets follow the core's table (:data:`aggregation.TRAINING_METHODS`): each method
shows the settings it reads (``TrainingMethod.fields``), with the defaults the worker fills in
(:data:`aggregation.training_methods.DEFAULTS`). The worker validates the spec; a refusal is written
under the field its message names (``ft_refusal`` in the session state: field, message and the
settings it was refused for) and kept until the settings change.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pandas as pd
import streamlit as st

from aggregation import TRAINING_METHODS, population_to_dict
from aggregation.rules.heterogeneous import VARIANCES
from aggregation.training_methods import DEFAULT_K, DEFAULTS, DEVICES, MAX_JOINT_TYPES

from .. import page_index, urls, widgets
from ..compute import HASH_FUNCS
from ..numbers import decimal
from ..text import md
from . import figures, text, theory

REFUSAL_KEY = "ft_refusal"
TINY = DEFAULTS["model"]
#: The form fields a validation message can point at (the first word of the worker's message).
FORM_FIELDS = (
    "method",
    "model",
    "sampling",
    "beta",
    "k",
    "dataset_size",
    "steps",
    "learning_rate",
    "seed",
    "display_size",
    "top_k",
    "dispersion",
    "phi",
    "batch_size",
    "samples_per_step",
    "exploration",
    "device",
    "name",
    "lora.r",
    "lora.alpha",
    "lora.dropout",
    "alpha",
    "variance",
    "log_eps",
    "correction_clip",
    "joint_types",
    "joint_steps",
    "joint_learning_rate",
)
#: How the dispersion choices of Mallows-RMJ-PO read in the form (RCPO Appendix D's proxy first: the default).
DISPERSION_LABELS = {"entropy": "entropy proxy (RCPO)", "fixed": "fixed φ"}
#: How the variance choices of corrected DPO read in the form.
VARIANCE_LABELS = {"estimated": "estimated by J", "known": "known exactly"}
_FIELD = re.compile(r"^(lora\.[a-z_]+|[a-z_]+)")


def error_field(message: str) -> str | None:
    """The form field a validation message names (``"steps must be ..."`` -> ``"steps"``), or None."""
    match = _FIELD.match(message)
    return match.group(1) if match and match.group(1) in FORM_FIELDS else None


@st.cache_resource(hash_funcs=HASH_FUNCS, max_entries=4, show_spinner=False)
def population_payload(model) -> dict:
    """The population as a job carries it (:func:`aggregation.population_to_dict`), built once per
    population: 100,000 rankings take about 2 s. Shared, never mutated."""
    return population_to_dict(model)


def build_spec(population: dict, method: str, settings: dict) -> dict:
    """A job spec (not yet validated: the client's ``submit`` does that) from the population dict, the
    method and the form's settings; settings left at None are omitted, so the worker's defaults apply."""
    spec = {"population": population, "method": method}
    lora = {k: settings.pop(f"lora_{k}") for k in ("r", "alpha", "dropout") if f"lora_{k}" in settings}
    spec.update({k: v for k, v in settings.items() if v is not None})
    if lora:
        spec["lora"] = {k: v for k, v in lora.items() if v is not None}
    return spec


def sampling_dict(D: pd.Series | None) -> dict | None:
    return None if D is None else {str(a): float(p) for a, p in D.items()}


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


def settings_form(model, D, errors: FieldErrors, models=()) -> tuple[str, dict]:
    """Method, model and settings widgets; returns the method and the settings (spec field -> value,
    None for "the worker's default"). ``models``: the names of the models in the operator's model folders
    (the client's ``models()``), offered besides the built-in tiny model; nothing else can be chosen."""
    method = st.selectbox(
        "Method",
        list(TRAINING_METHODS),
        key="ft_method",
        format_func=text.method_name,
        help="Every method trains the same model on data drawn from the current population.",
    )
    errors.slot("method")
    entry = TRAINING_METHODS[method]
    fields = entry.fields
    with st.container(border=True, key="ft_method_text"):
        st.markdown(text.method_box(method))

    # the folders' models (a choice made when there were some stays, so a model that vanished is refused, not
    # silently replaced by the tiny one)
    kinds = ["tiny", "checkpoint"] if models or st.session_state.get("ft_model_kind") == "checkpoint" else ["tiny"]
    kind = st.radio(
        "Model",
        kinds,
        key="ft_model_kind",
        horizontal=True,
        format_func={"tiny": "built-in tiny model", "checkpoint": "a model from the model folders"}.get,
    )
    if kind == "checkpoint":
        model_name = (
            st.selectbox(
                "Model",
                list(models),
                key="ft_checkpoint",
                help="The subfolders holding a config.json in the operator's model folders "
                "(AGGREGATION_MODEL_DIRS); the worker loads them from its own folders.",
            )
            or ""
        )
    else:
        model_name = TINY
    st.caption(text.models_caption(len(models)))
    errors.slot("model")

    st.markdown("**Settings**")
    row = st.columns(3)
    settings = {"model": model_name}
    settings["beta"] = _number(
        row[0],
        errors,
        "β (KL strength)",
        "beta",
        f"ft_beta_{method}",
        entry.default_beta,
        step=0.01,
        format="%g",
        help="How strongly the policy is held to the untrained model. Each method has its own "
        "default (self-play uses a small β: its theory is the β → 0 limit).",
    )
    settings["dataset_size"] = _number(
        row[1],
        errors,
        "Dataset size (rows)",
        "dataset_size",
        "ft_dataset_size",
        DEFAULTS["dataset_size"],
        step=256,
        help="Labelled examples drawn from the population before training.",
    )
    settings["steps"] = _number(
        row[2],
        errors,
        "Steps",
        "steps",
        "ft_steps",
        DEFAULTS["steps"],
        step=50,
        help="Optimiser steps (Adam). The tiny model needs about 200.",
    )
    row = st.columns(3)
    settings["learning_rate"] = _number(
        row[0],
        errors,
        "Learning rate",
        "learning_rate",
        f"ft_lr_{kind}",
        DEFAULTS["learning_rate"][kind],
        step=1e-3 if kind == "tiny" else 1e-5,
        format="%g",
    )
    settings["seed"] = _number(
        row[1],
        errors,
        "Seed",
        "seed",
        "ft_seed",
        DEFAULTS["seed"],
        step=1,
        help="Draws the dataset and initialises the tiny model; same seed, same run.",
    )
    if "k" in fields:
        settings["k"] = _number(row[2], errors, "k (samples shown at test time)", "k", "ft_k", DEFAULTS["k"], step=1)
    if "display_size" in fields:
        positive = len(model.alternatives) if D is None else int((D > 0).sum())
        row = st.columns(3)
        settings["display_size"] = _number(
            row[0],
            errors,
            "Responses shown per question",
            "display_size",
            "ft_display_size",
            min(DEFAULTS["display_size"], positive),
            step=1,
        )
        settings["top_k"] = _number(
            row[1], errors, "Ranked by the voter (top k)", "top_k", "ft_top_k", DEFAULTS["top_k"], step=1
        )
        if "phi" in fields:
            dispersion = row[2].radio(
                "Mallows dispersion",
                list(DISPERSION_LABELS),
                key="ft_dispersion",
                index=list(DISPERSION_LABELS).index(DEFAULTS["dispersion"]),
                format_func=DISPERSION_LABELS.get,
                help="RCPO's own choice (Appendix D): one φ per question from the reference "
                "model's token entropies on the answers shown; or one fixed φ.",
            )
            settings["dispersion"] = dispersion
            if dispersion == "fixed":
                settings["phi"] = _number(
                    row[2],
                    errors,
                    "Mallows dispersion φ",
                    "phi",
                    "ft_phi",
                    DEFAULTS["phi"],
                    step=0.05,
                    format="%g",
                    help="Strictly between 0 and 1; smaller is more decisive.",
                )
    why = defaults_note(entry, "k" in fields)
    if why:
        st.caption(why)
    if "variance" in fields:
        _correction_fields(model, settings, errors)
    D_text = "uniform" if D is None else ", ".join(f"{md(a)} {decimal(float(p))}" for a, p in D.items())
    st.markdown(f"**Sampling distribution D** (the responses compared or shown are drawn from it): {D_text}")
    st.page_link(page_index.target("sampling"), label="Change D on the Sampling page", icon=":material/change_history:")
    errors.slot("sampling")
    settings["sampling"] = sampling_dict(D)
    settings["name"] = st.text_input("Name (optional, for the job list)", key="ft_name").strip() or None
    errors.slot("name")

    with st.expander("Advanced: LoRA, batches, device"):
        lora = DEFAULTS["lora"]
        row = st.columns(3)
        settings["lora_r"] = _number(row[0], errors, "LoRA rank r", "lora.r", "ft_lora_r", lora["r"], step=1)
        settings["lora_alpha"] = _number(
            row[1], errors, "LoRA alpha", "lora.alpha", "ft_lora_alpha", float(lora["alpha"]), step=1.0, format="%g"
        )
        settings["lora_dropout"] = _number(
            row[2], errors, "LoRA dropout", "lora.dropout", "ft_lora_dropout", lora["dropout"], step=0.05, format="%g"
        )
        row = st.columns(3)
        if "samples_per_step" in fields:
            settings["samples_per_step"] = _number(
                row[0],
                errors,
                "Samples per step",
                "samples_per_step",
                "ft_samples_per_step",
                DEFAULTS["samples_per_step"],
                step=8,
            )
            settings["exploration"] = _number(
                row[1],
                errors,
                "Exploration share",
                "exploration",
                "ft_exploration",
                DEFAULTS["exploration"],
                step=0.05,
                format="%g",
                help="Share of the samples drawn uniformly instead of from the policy.",
            )
        if "batch_size" in fields:
            settings["batch_size"] = _number(
                row[0], errors, "Batch size (empty: the whole dataset)", "batch_size", "ft_batch_size", None, step=32
            )
        with row[2]:
            settings["device"] = st.selectbox(
                "Device", list(DEVICES), key="ft_device", help="auto: the worker's GPU when it has one, else its CPU."
            )
            errors.slot("device")
        if settings.get("variance") == "estimated" and model.has_full_rankings:  # else the worker refuses it
            _joint_fields(model, settings, errors)
        st.caption(
            f"LoRA defaults r = {lora['r']}, alpha = {lora['alpha']:g}, dropout {lora['dropout']:g} as in the "
            "Jackpot paper's experiments."
        )
    return method, settings


def defaults_note(entry, has_k: bool) -> str:
    """Why this form's β (and k) start where they do when the other pages start elsewhere (β = 1, k = 4):
    one sentence, empty when they agree."""
    parts = []
    if float(entry.default_beta) != urls.DEFAULT_BETA:
        reason = (
            "self-play's theory is the β → 0 limit (the maximal lottery, MPNE_k), so a small β lets the "
            "policy get there"
            if entry.family == "self-play"
            else "the value fine-tuning recipes use for this loss: the policy moves well away from the untrained "
            "model within a few hundred steps"
        )
        parts.append(
            f"β starts at {entry.default_beta:g} here, not {urls.DEFAULT_BETA:g} as on the theory pages: {reason}"
        )
    if has_k and DEFAULTS["k"] != urls.DEFAULT_K:
        parts.append(
            f"k starts at {DEFAULTS['k']} here, not {urls.DEFAULT_K}: each training step plays k + 1 samples "
            "of the policy against each other, so a small k trains fastest, and k = 2 is the smallest game "
            "that differs from NLHF's (k = 1)"
        )
    if not parts:
        return ""
    return (
        "Defaults: " + "; ".join(parts) + ". The theory shown next to the run uses this form's values; set them to "
        "the other pages' to compare like with like."
    )


def _correction_fields(model, settings: dict, errors: FieldErrors) -> None:
    """First-order corrected DPO (Shirali et al., section 5): alpha, where V comes from, the stable log's floor
    and (estimated V) the clip of the correction."""
    row = st.columns(3)
    settings["alpha"] = _number(
        row[0],
        errors,
        "α (correction strength)",
        "alpha",
        "ft_alpha",
        DEFAULTS["alpha"],
        step=0.5,
        format="%g",
        help="0 is DPO exactly; 1 is the theory's value (section 5.1).",
    )
    with row[1]:
        options = list(VARIANCES) if model.has_rewards else ["estimated"]
        if st.session_state.get("ft_variance") not in options:  # "known" chosen for another population
            st.session_state.pop("ft_variance", None)
        settings["variance"] = st.selectbox(
            "Variance V",
            options,
            key="ft_variance",
            format_func=VARIANCE_LABELS.get,
            help="The spread of the voters' reward differences in the correction "
            "term: estimated by a joint model J fitted on pairs of comparisons "
            "labelled by one annotator (Lemma 5.3), or known exactly from the "
            "user types (a reference; needs rewards).",
        )
        errors.slot("variance")
    settings["log_eps"] = _number(
        row[2],
        errors,
        "Floor ε of the stable log",
        "log_eps",
        "ft_log_eps",
        DEFAULTS["log_eps"],
        step=1e-6,
        format="%g",
        help="log(max(z, ε)) as in section 5.1: a likelihood below ε counts as ε.",
    )
    if settings["variance"] == "estimated":
        row = st.columns(3)
        settings["correction_clip"] = _number(
            row[0],
            errors,
            "Clip of the correction",
            "correction_clip",
            "ft_correction_clip",
            DEFAULTS["correction_clip"]["estimated"],
            step=0.05,
            format="%g",
            help="|σ''(h)·V/2| is capped here before α multiplies it, as in the authors' code (0.1); the estimated "
            "V divides by σ'(h)², so without a cap the loss has no minimum.",
        )


def _joint_fields(model, settings: dict, errors: FieldErrors) -> None:
    """The joint model J's size and training (the estimated variance only)."""
    types = len(model.types) if model.has_rewards else model.compressed().n_rankings
    row = st.columns(3)
    settings["joint_types"] = _number(
        row[0],
        errors,
        "J: latent types",
        "joint_types",
        "ft_joint_types",
        min(types, MAX_JOINT_TYPES),
        step=1,
        help="The joint model is a mixture of this many Bradley–Terry types.",
    )
    settings["joint_steps"] = _number(
        row[1], errors, "J: Adam steps", "joint_steps", "ft_joint_steps", DEFAULTS["joint_steps"], step=100
    )
    settings["joint_learning_rate"] = _number(
        row[2],
        errors,
        "J: learning rate",
        "joint_learning_rate",
        "ft_joint_learning_rate",
        DEFAULTS["joint_learning_rate"],
        step=1e-3,
        format="%g",
    )


def start_button(
    client, model, method: str, settings: dict, errors: FieldErrors, on_started: Callable[[str], None]
) -> None:
    """The button that queues the job through ``client`` (the person's view of the jobs, a
    :class:`worker.client.UserJobs`, or None when the queue cannot be opened: the button is then disabled),
    with the person's limits stated next to it and checked before anything is sent (the client checks them
    again where it accepts the job). A refusal (the worker's validation message, or a limit) is written under
    the field it names and kept until the settings change; nothing is queued then."""
    snapshot = json.dumps({"method": method, **settings}, sort_keys=True, default=str)
    clicked = st.button(
        "Start training",
        key="ft_start",
        type="primary",
        icon=":material/play_arrow:",
        disabled=client is None,
        help=None if client is not None else "The job queue is not available (see above).",
    )
    limits = st.container()  # filled once the click is handled, so it counts the job just queued
    general = st.container()
    if clicked:
        st.session_state.pop(REFUSAL_KEY, None)
        steps = settings.get("steps")
        over = client.refusal(steps) if isinstance(steps, int) and steps > 0 else None
        try:
            if over:
                raise client.LimitReached(over)
            job_id = client.submit(build_spec(population_payload(model), method, dict(settings)))
        except client.JobSpecError as exc:
            st.session_state[REFUSAL_KEY] = (error_field(str(exc)), f"Not queued: {exc}", snapshot)
        except client.LimitReached as exc:
            st.session_state[REFUSAL_KEY] = ("steps" if "steps" in str(exc) else None, f"Not queued: {exc}.", snapshot)
        except client.QueueUnavailable as exc:
            st.session_state[REFUSAL_KEY] = (
                None,
                f"Not queued: {exc}. The page keeps working; try again once the queue is back.",
                snapshot,
            )
        else:
            on_started(job_id)
            st.toast("Job queued", icon=":material/check:")
    refusal = st.session_state.get(REFUSAL_KEY)
    if refusal and refusal[2] == snapshot:
        errors.show(refusal[0], refusal[1], general)
    if client is not None:
        with limits:
            limits_caption(client)


def limits_caption(client) -> None:
    """The person's limits and what they use now, under the start button (nothing on a dashboard that is not
    shared); and a warning when no worker is running."""
    quota = client.quota
    if quota is not None and (quota.max_queued_jobs or quota.max_total_steps):
        jobs, steps = client.usage()
        st.caption(text.limits_text(quota.max_queued_jobs, quota.max_total_steps, jobs, steps))
    elif client.operator and client.owner is not None:
        st.caption("You are an operator here: no limits, and the job list shows everyone's jobs.")
    worker = client.worker_status()
    if not worker.alive:
        st.warning(text.no_worker(worker.seconds_ago), icon=":material/cloud_off:")


def _correction_preview(settings: dict) -> dict:
    """Corrected DPO's settings for the preview, where they are valid numbers (else the defaults)."""
    if "variance" not in settings:
        return {}
    out = {"variance": settings["variance"]}
    for key, low in (("alpha", 0.0), ("log_eps", 0.0), ("correction_clip", 0.0)):
        value = settings.get(key)
        if isinstance(value, (int, float)) and low <= value < float("inf") and (key == "alpha" or value > 0):
            out[key] = float(value)
    return out


def theory_preview(model, method: str, settings: dict) -> None:
    """Where theory says the chosen method should land on the current population, before training
    (uniform reference policy; a finished job uses the model's real one)."""
    beta, k = settings.get("beta"), settings.get("k")
    if not isinstance(beta, (int, float)) or not 0 < beta < float("inf"):
        st.caption("Set a positive β to see where theory says this method lands.")
        return
    k = k if isinstance(k, int) and 1 <= k <= 64 else DEFAULT_K
    view = theory.preview(
        model,
        method,
        {
            "beta": beta,
            "sampling": settings.get("sampling"),
            "k": k,
            "display_size": settings.get("display_size"),
            "top_k": settings.get("top_k"),
            **_correction_preview(settings),
        },
    )
    target = view.target
    order = ([target] if target in view.policies else []) + [key for key in view.policies if key != target]
    if not order:
        st.caption("The core has no policy to show for this population.")
        return
    table = pd.DataFrame({text.label(view, key): view.policies[key] for key in order}).T
    title = f"Where theory says {text.method_name(method)} lands" if target in view.policies else "What theory predicts"
    widgets.chart(
        figures.policy_bars(table, title=title, emphasise=1 if target in view.policies else 0),
        key="ft_preview_chart",
        file_name="fine-tuning-theory",
    )
    st.caption(
        "Exact, from the population (uniform reference policy here; a finished job is compared with the "
        f"limits for its own untrained model). Borda: {md(text.order_text(view.borda))}. "
        f"NBC under D: {md(text.order_text(view.nbc))}."
    )
    correction = text.correction_caption(view)
    if correction:
        st.caption(correction)
    for key, reason in view.unavailable.items():
        st.caption(f"{text.label(view, key)}: not available here ({md(reason)}).")
