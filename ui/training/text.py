"""The Fine-tuning page's words: what each method does and where theory says it lands (from the core's
table, :data:`aggregation.TRAINING_METHODS`), the labels of the theory's policies, and the captions
around a job (the headline next to a finished job is :func:`ui.training.result.headline`).

A trained policy is read exactly from the model (sequence log-probabilities normalised over the
alternatives), so it carries no sampling error; what is random is the run itself (dataset draw and
optimisation). One run has no across-seed error bar: runs of the same settings with other seeds
give one (:func:`ui.training.history.seed_spread`).
"""

from __future__ import annotations

import pandas as pd

from aggregation import TRAINING_METHODS, TheoryResult
from aggregation.outcome import ranking_text

from ..explain import reference
from ..numbers import decimal
from ..text import md

PAGE_INTRO = (
    "Train a small language model on preference data drawn from the current population, then see where the "
    "trained policy lands next to what theory predicts: DPO and RLHF follow Borda (NBC under the sampling "
    "distribution), Nash self-play the maximal lottery. Jobs run in a background worker; this page never waits "
    "for them."
)
TINY_MODEL = (
    "The tiny model is a random 2-layer GPT-2 with a word vocabulary built on the spot; it trains on a "
    "CPU in seconds. **Nothing is downloaded here**: other models are the ones the operator put in the "
    "model folders (AGGREGATION_MODEL_DIRS, one subfolder with a config.json per model)."
)


def models_caption(count: int) -> str:
    """What the model choice offers, under it."""
    if count:
        return TINY_MODEL + f" {count} model{'s' * (count != 1)} found there."
    return TINY_MODEL + " None is configured on this dashboard, so only the tiny model is offered."


def limits_text(max_jobs: int | None, max_steps: int | None, jobs: int, steps: int) -> str:
    """The person's limits and what they use now, e.g. ``Limits per person: 2 jobs queued or running, 20,000
    steps across them. You have 1 (200 steps).``"""
    parts = ([f"{max_jobs} job{'s' * (max_jobs != 1)} queued or running"] if max_jobs else []) + (
        [f"{max_steps:,} steps across {'them' if max_jobs else 'your queued and running jobs'}"] if max_steps else []
    )
    now = f"You have {jobs} ({steps:,} steps)." if jobs else "You have none now."
    return f"Limits per person: {', '.join(parts)}. {now}"


def no_worker(seconds_ago: float | None) -> str:
    """Why a job would wait: no worker has spoken lately."""
    when = "no worker has spoken yet" if seconds_ago is None else f"the last one spoke {seconds_ago:.0f} s ago"
    return (
        f"No worker is running ({when}): a job started now waits in the queue until one starts. "
        "`scripts/dashboard` starts one with the dashboard; start it again, or run `scripts/worker` (README, "
        "“Fine-tuning jobs”)."
    )


NO_JOBS = (
    "No jobs yet. Choose a method and press **Start training**: the job appears here with its progress, "
    "and its result next to the theory when it finishes."
)


def queue_unavailable(exc: Exception) -> str:
    """Why training is off: the job queue could not be opened."""
    return (
        f"The job queue cannot be opened ({type(exc).__name__}: {exc}). Training is unavailable until that is "
        "fixed (see README, “Fine-tuning jobs”); the theory on this page still works."
    )


# ------------------------------------------------------------------ the methods
def method_name(method_id: str) -> str:
    """The method's display name (the id itself for a method the table does not know, e.g. an old job's)."""
    entry = TRAINING_METHODS.get(method_id)
    return entry.name if entry else method_id


def method_box(method_id: str) -> str:
    """What the method optimises and where theory says it lands, with its references (papers linked)."""
    entry = TRAINING_METHODS[method_id]
    head, rest = entry.lands_on.split(":", 1)
    sources = "; ".join(reference(r) for r in entry.references)
    return f"**What it optimises.** {entry.explanation}  \n**{head}:**{rest} ({sources})"


# ------------------------------------------------------------------ the theory
def label(view: TheoryResult, key: str) -> str:
    """How a policy of the theory (a key of :data:`aggregation.training_methods.LIMITS`) is named on screen."""
    beta, k = f"{view.beta:g}", view.k
    return {
        "rlhf_policy": f"RLHF / DPO limit (β = {beta})",
        "ipo_policy": f"IPO limit (β = {beta})",
        "consistent_policy": f"consistent-loss limit (β = {beta})",
        "maximal_lottery": "maximal lottery (Nash self-play)",
        "mpne": f"MPNE_{k} (multi-player self-play)",
        "average_reward_policy": f"average-reward policy (β = {beta})",
        "random_dictatorship": "first-place shares (random dictatorship)",
        "corrected_dpo_policy": _corrected_label(view),
        "borda": "Borda scores",
        "nbc": "NBC under D",
    }[key]


def _corrected_label(view: TheoryResult) -> str:
    alpha = (view.correction or {}).get("alpha")
    return f"corrected DPO ({'' if alpha is None else f'α = {alpha:g}, '}β = {view.beta:g})"  # short: a chart label


def correction_caption(view: TheoryResult) -> str | None:
    """How the corrected-DPO limit next to a job was computed (its settings are in the stored theory)."""
    c = view.correction
    if not c or "corrected_dpo_policy" not in view.policies:
        return None
    if c["variance"] == "known":
        source = "the known variance V = Var_u[(r_u(a) − r_u(b))/T]"
    else:
        source = (
            "V as eq. (16) gives it from the exact joint likelihood J (what the fitted J estimates with unlimited data)"
        )
    clip = "no clip" if c.get("correction_clip") is None else f"the correction clipped at {c['correction_clip']:g}"
    return (
        f"Corrected-DPO limit: α = {c['alpha']:g}, {source}, {clip}, floor ε = {c['log_eps']:g} (Shirali et "
        "al., section 5); the local minimum of the expected loss reached from the DPO limit."
    )


def variance_caption(variance: dict) -> str | None:
    """What corrected DPO used for the variance term V (a finished job's ``dataset.variance``)."""
    if "reward_variance" in variance:
        return (
            "The correction used the **known** variance V[a, b] = Var_u[(r_u(a) − r_u(b))/T] of the user types "
            "(Shirali et al., eq. 14)."
        )
    if "preference_variance" not in variance:
        return None
    text = (
        f"The correction used V from a **joint model J** ({variance['joint_types']} latent Bradley–Terry types, "
        f"{variance['steps']:,} Adam steps; cross-entropy {decimal(variance['cross_entropy_start'], 3)} → "
        f"{decimal(variance['cross_entropy_end'], 3)}) fitted on the paired comparisons: J's Var_u[P_u(a ≻ b)], "
        "divided by σ'(h)² at the policy's h (Lemma 5.3, eq. 16)."
    )
    if variance.get("largest_error") is not None:
        text += (
            f" Against the population's exact Var_u[P_u(a ≻ b)] its largest error over the pairs is "
            f"{decimal(variance['largest_error'], 3)}."
        )
    return text


def notes(view: TheoryResult) -> list[str]:
    """Caveats about reading the trained policy against the theory."""
    if TRAINING_METHODS[view.method].self_play and view.beta > 0:
        return [
            f"Self-play here keeps a KL pull of β = {view.beta:g} to the reference, so it lands near (not "
            "exactly on) the β → 0 limit shown."
        ]
    return []


def order_text(scores: pd.Series | None) -> str:
    """``R 7 > B 6 > G 2`` (ties, as :mod:`aggregation.outcome` decides them, written with =); plain text
    (markdown needs :func:`ui.text.md` around it)."""
    return "not available" if scores is None else ranking_text(scores, decimal)


#: Row labels of the trained model and its companions in the comparison table.
TRAINED_LABELS = {
    "trained": "trained model (last iterate)",
    "mixture": "trained model (mixture of iterates)",
    "reference": "untrained model (π_ref)",
    "dataset_optimum": "optimum on this dataset",
}


def trajectory_caption(target_label: str | None, self_play: bool) -> str:
    """What the line styles of the trajectory chart mean."""
    parts = ["Solid: the trained model's probability of each answer (step 0: the untrained model)"]
    if self_play:
        parts.append(
            "dotted: the mixture of iterates (the average policy so far), the output self-play theory speaks about"
        )
    if target_label:
        parts.append(f"dashed: the {target_label}, where theory says this method lands")
    return "; ".join(parts) + "."


def support(policy: pd.Series) -> str:
    """``**B** with probability 1`` or ``**R** 0.45, **B** 0.55``: where a policy puts its probability."""
    kept = [(a, p) for a, p in policy.sort_values(ascending=False).items() if p > 1e-3]
    if len(kept) == 1:
        return f"**{md(kept[0][0])}** with probability {decimal(float(kept[0][1]), 3)}"
    return ", ".join(f"**{md(a)}** {decimal(float(p), 3)}" for a, p in kept[:4])


# ------------------------------------------------------------------ a finished job
def facts(result: dict, spec: dict) -> list[str]:
    """Where and how the job ran, in one caption."""
    timings = result.get("timings", {})
    model = result.get("model", {})
    out = [
        f"ran on **{md(result.get('device', '?'))}** (worker {md(result.get('worker', '?'))})",
        f"{spec['steps']:,} steps in {decimal(float(timings.get('train_s', float('nan'))), 3)} s "
        f"({decimal(float(timings.get('ms_per_step', float('nan'))), 3)} ms per step)",
        f"model {md(model.get('name', spec['model']))}: {model.get('trainable_parameters', '?'):,} of "
        f"{model.get('parameters', '?'):,} parameters trained (LoRA r = {spec['lora']['r']})"
        if isinstance(model.get("parameters"), int)
        else f"model {md(spec['model'])}",
        f"β = {spec['beta']:g}, {spec['dataset_size']:,} rows, learning rate {spec['learning_rate']:g}, "
        f"seed {spec['seed']}",
    ]
    outside = result.get("outside_mass")
    if outside is not None and outside > 1e-3:
        out.append(
            f"the model put {float(outside):.2%} of its probability outside these answers; the policy "
            "shown is renormalised over them"
        )
    return out


def uncertainty(spec: dict) -> str:
    """What is exact and what is random in a job's result."""
    return (
        "Every policy here is read exactly from the model (sequence log-probabilities normalised over the "
        "answers), not sampled, and the theory is exact. What is random is the run: the dataset of "
        f"{spec['dataset_size']:,} rows drawn with seed {spec['seed']}"
        + (" and the responses sampled during self-play" if TRAINING_METHODS[spec["method"]].self_play else "")
        + ". **A single run has no across-seed error bar**: run the same settings with other seeds to see "
        "how much the outcome moves. The dataset's own estimates carry their standard errors below."
    )
