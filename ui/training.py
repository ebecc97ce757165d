"""The Fine-tuning page's building blocks that are not widgets: what each method does and where
theory says it lands, the job spec a form builds, the theory for a job (computed by the core),
the sentences a newcomer reads first, and the tables of a job's result.

Theory is computed by :mod:`aggregation` (the rule registry for Borda, NBC, the maximal lottery,
MPNE_k and random dictatorship; the limits module for the policies that need the job's reference
policy): nothing is re-derived here. The job side (spec fields, validation, results) belongs to
:mod:`worker.client`; this module only assembles a spec and reads results.

A trained policy is read exactly from the model (sequence log-probabilities normalised over the
alternatives), so it carries no sampling error; what is random is the run itself (dataset draw
and optimisation). One run has no across-seed error bar: runs of the same settings with other
seeds give one (:func:`seed_spread`).
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import streamlit as st

from aggregation import (USER_TYPES, AggregationError, RULES, BTMisfit, RuleParams, average_reward_policy, game_affordable,
                         condorcet_winner, consistent_policy, ipo_policy, population_from_dict, population_to_dict,
                         rlhf_policy)
from aggregation.outcome import ranking_text, winners as top
from aggregation.rules.result import values_of

from .compute import HASH_FUNCS
from .numbers import decimal
from .text import md

#: Seconds between two looks at a running job (the live panel polls only while a job is active).
POLL_S = 1.0
#: The MPNE_k shown next to a job whose method has no k of its own (the spec's default k).
DEFAULT_K = 2
#: Jobs listed on the page (newest first).
JOB_LIST_LIMIT = 100
TINY = "tiny"

@dataclass(frozen=True)
class MethodText:
    """How the page presents a training method: a short name, one plain sentence of what it
    optimises, one of where theory says it lands, the paper (a key of ``aggregation.papers.PAPERS``), and the
    theory policy it converges to
    (a key of :attr:`TheoryView.policies`; None when there is no closed form)."""
    name: str
    optimises: str
    lands_on: str
    paper: str
    target: str | None


METHOD_TEXT = {
    "dpo": MethodText(
        "DPO",
        "Raises the log-probability of the preferred response against the rejected one in each labelled pair "
        "(a logistic loss on the log-ratio to the reference model; no separate reward model).",
        "Theory: the RLHF / DPO limit π_ref·exp(r/β), r the Bradley–Terry reward of pairs drawn from D. It ranks "
        "like the normalized Borda count under D, which is Borda when D is uniform.",
        "dpo", "rlhf"),
    "ipo": MethodText(
        "IPO",
        "Pushes each pair's log-ratio gap towards the fixed target 1/(2β) (a squared loss), so no response is "
        "driven all the way to probability 0.",
        "Theory: π_ref·exp(NBC/β), the reference tilted by each response's win rate against D: NBC's order "
        "(Borda's under uniform D), with finite odds even for responses every voter ranks lower.",
        "ipo", "ipo"),
    "rlhf": MethodText(
        "RLHF",
        "Fits a Bradley–Terry reward model on the labelled pairs, then maximises expected reward minus β·KL to "
        "the reference model.",
        "Theory: the same limit as DPO, π_ref·exp(r/β): Borda's order under uniform D, NBC's under D.",
        "rlhf", "rlhf"),
    "nash": MethodText(
        "Nash self-play",
        "Plays the policy against itself: each sampled response is rewarded by how often voters prefer it to the "
        "policy's other samples (SPO-style), with a small β·KL pull to the reference.",
        "Theory: the maximal lottery (Nash learning from human feedback), the limit as β → 0. It picks the "
        "Condorcet winner when there is one; the mixture of iterates converges, the last iterate may cycle.",
        "spo", "maximal_lottery"),
    "mpne": MethodText(
        "Multi-player self-play (MPNE_k)",
        "Self-play in a (k+1)-player game: a sample is rewarded by its chance of beating k other samples of the "
        "policy (rankings: a random voter strictly prefers it to all k; user types: the Plackett–Luce set "
        "comparison of the test-time paper, exact over the types).",
        "Theory: MPNE_k, the policy to deploy when a user sees k samples and keeps the best (its k-sample win rate "
        "is at least k/(k+1)); the limit as β → 0.",
        "test_time", "mpne"),
    "mnl": MethodText(
        "MNL-PO (ranked choice)",
        "Voters see a few responses drawn from D and name their favourite (or their top k); the loss is the "
        "Plackett–Luce likelihood of those choices.",
        "Theory: with 2 shown responses and the favourite only it is exactly DPO (the RLHF / DPO limit); showing "
        "every response it fits the first-place shares (plurality's order); in between, in between.",
        "rcpo", None),
    "mallows": MethodText(
        "Mallows-RMJ-PO (ranked choice)",
        "Ranked choices as for MNL-PO, scored by a Mallows model (dispersion φ) centred on the policy's own order.",
        "Theory: no closed form here; it follows the order the voters' ranked choices imply. Compare it with Borda "
        "and with the first-place shares below.",
        "rcpo", None),
    "consistent": MethodText(
        "Consistent loss",
        "Shows each pair to every user type and learns only from pairs that all types agree on (Shirali et al., "
        "Proposition 6.1).",
        "Theory: for user types, π_ref·exp(mean reward/(β·T)) with every type counted once (the average-reward "
        "policy when types weigh the same); on rankings it only pushes down responses that every ranking puts "
        "below another.",
        "heterogeneous", "consistent"),
}

SELF_PLAY = ("nash", "mpne")
RANKED = ("mnl", "mallows")


def method_target(spec: dict, kind: str) -> str | None:
    """The theory policy ``spec``'s method converges to, when theory gives one for this setting."""
    method = spec["method"]
    if method == "mnl":
        return "rlhf" if spec.get("display_size") == 2 and spec.get("top_k") == 1 else None
    if method == "consistent" and kind != USER_TYPES:
        return None
    return METHOD_TEXT[method].target


# ------------------------------------------------------------------ spec
#: The form fields a validation message can point at (the first word of the worker's message).
FORM_FIELDS = ("method", "model", "sampling", "beta", "k", "dataset_size", "steps", "learning_rate", "seed",
               "display_size", "top_k", "phi", "batch_size", "samples_per_step", "exploration", "device", "name",
               "lora.r", "lora.alpha", "lora.dropout")
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
    """A job spec (not yet validated: :meth:`worker.client.JobClient.submit` does that) from the
    population dict, the method and the form's settings; settings left at None are omitted, so the
    worker's defaults apply."""
    spec = {"population": population, "method": method}
    lora = {k: settings.pop(f"lora_{k}") for k in ("r", "alpha", "dropout") if f"lora_{k}" in settings}
    spec.update({k: v for k, v in settings.items() if v is not None})
    if lora:
        spec["lora"] = {k: v for k, v in lora.items() if v is not None}
    return spec


def sampling_dict(D: pd.Series | None) -> dict | None:
    return None if D is None else {str(a): float(p) for a, p in D.items()}


# ------------------------------------------------------------------ theory
@dataclass
class TheoryView:
    """What the core says for a population and a job's settings. ``policies`` maps a key to a
    distribution over the alternatives (labels in ``labels``); ``unavailable`` maps a key to the
    core's reason; ``borda`` and ``nbc`` are scores (orders, not policies)."""
    alternatives: list[str]
    policies: dict[str, pd.Series]
    labels: dict[str, str]
    unavailable: dict[str, str]
    borda: pd.Series
    nbc: pd.Series
    condorcet_winner: str | None
    lottery_unique: bool | None
    k: int
    notes: list[str] = field(default_factory=list)
    bt_fit: BTMisfit | None = None     # DPO / RLHF: how far one Bradley-Terry reward is from P (under D)


#: Methods that fit a Bradley-Terry reward (RLHF) or imply one (DPO).
REWARD_FITTING = ("dpo", "rlhf")


@st.cache_data(hash_funcs=HASH_FUNCS, max_entries=64, show_spinner="Computing the theory for this population…")
def theory_view(model, method: str, beta: float, sampling: tuple | None, reference: tuple | None, k: int,
                kind: str, with_mpne: bool = True) -> TheoryView:
    """The theory next to a job: ``sampling`` and ``reference`` are D and π_ref in the order of the
    alternatives (None: uniform). Policies: the RLHF / DPO limit (β, D, π_ref), the maximal lottery,
    MPNE_k (unless ``with_mpne`` is false: it takes about 20 s for 100,000 rankings of 50
    alternatives), the average-reward policy (user types), and the method's own limit when it is
    none of these (IPO, the consistent loss), plus first-place shares for the ranked-choice methods."""
    names = list(model.alternatives)
    D = None if sampling is None else dict(zip(names, sampling))
    ref = None if reference is None else dict(zip(names, reference))
    params = RuleParams(beta=beta, sampling=D, k=k)
    labels = {
        "rlhf": f"RLHF / DPO limit (β = {beta:g})",
        "ipo": f"IPO limit (β = {beta:g})",
        "consistent": f"consistent-loss limit (β = {beta:g})",
        "maximal_lottery": "maximal lottery (Nash self-play)",
        "mpne": f"MPNE_{k} (multi-player self-play)",
        "average_reward": f"average-reward policy (β = {beta:g})",
        "random_dictatorship": "first-place shares (random dictatorship)",
    }
    calls = {
        "rlhf": lambda: rlhf_policy(model, beta, D, ref, misfit=method in REWARD_FITTING),
        "maximal_lottery": lambda: RULES["maximal_lottery"].compute(model, params),
    }
    if with_mpne or method == "mpne":
        calls["mpne"] = lambda: RULES["mpne"].compute(model, params)
    if kind == USER_TYPES:
        calls["average_reward"] = lambda: average_reward_policy(model, beta, ref)
    if method == "ipo":
        calls["ipo"] = lambda: ipo_policy(model, beta, D, ref)
    if method == "consistent":
        calls["consistent"] = lambda: consistent_policy(model, beta, ref)
    if method in RANKED:
        calls["random_dictatorship"] = lambda: RULES["random_dictatorship"].compute(model, params)
    policies, unavailable, raw = {}, {}, {}
    for key, call in calls.items():
        try:
            raw[key] = call()
        except AggregationError as exc:
            unavailable[key] = str(exc)
        else:
            policies[key] = values_of(raw[key]).reindex(names).astype(float)
    lottery = raw.get("maximal_lottery")
    fit = raw["rlhf"].certificate.misfit if "rlhf" in raw else None
    notes = []
    if method in SELF_PLAY and beta > 0:
        notes.append(f"Self-play here keeps a KL pull of β = {beta:g} to the reference, so it lands near (not "
                     "exactly on) the β → 0 limit shown.")
    return TheoryView(
        alternatives=names, policies=policies, labels={k_: labels[k_] for k_ in calls}, unavailable=unavailable,
        borda=RULES["borda"].compute(model, params).values.reindex(names),
        nbc=RULES["nbc"].compute(model, params).values.reindex(names),
        condorcet_winner=condorcet_winner(model),
        lottery_unique=None if lottery is None else bool(lottery.certificate.unique),
        k=k, notes=notes, bt_fit=fit)


def spec_theory(model, spec: dict, reference: dict | None, kind: str, with_mpne: bool = True) -> TheoryView:
    """:func:`theory_view` for a (normalised) job spec and the job's reference policy."""
    names = list(model.alternatives)
    D = spec.get("sampling")
    return theory_view(model, spec["method"], float(spec["beta"]),
                       None if D is None else tuple(float(D[a]) for a in names),
                       None if reference is None else tuple(float(reference[a]) for a in names),
                       int(spec.get("k") or DEFAULT_K), kind, with_mpne)


@st.cache_resource(max_entries=16, show_spinner=False)
def job_population(job_id: str, _spec: dict):
    """The population a job was trained on (parsed once per job: a job's spec never changes)."""
    return population_from_dict(_spec["population"])


def mpne_is_quick(model, k: int) -> bool:
    """Whether MPNE_k for ``model`` is solved without asking (the core's one game budget,
    :func:`aggregation.game_affordable`): the preview before training shows it then; a finished job
    always shows it, computed once."""
    return game_affordable(model, k)


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


TRAINED_LABELS = {"trained": "trained model (last iterate)", "mixture": "trained model (mixture of iterates)",
                  "reference": "untrained model (π_ref)", "dataset_optimum": "optimum on this dataset"}


def comparison_table(result: dict, view: TheoryView) -> pd.DataFrame:
    """Rows: the trained policies, the untrained reference, the exact optimum of the loss on this
    dataset (DPO, RLHF), then every theory policy; columns: the alternatives and the total-variation
    distance to the trained model (the mixture of iterates for self-play)."""
    alts = result["alternatives"]
    rows = {TRAINED_LABELS[k]: v for k, v in trained_policies(result).items()}
    rows[TRAINED_LABELS["reference"]] = pd.Series(result["reference_policy"]).reindex(alts).astype(float)
    if result.get("dataset_optimum"):
        rows[TRAINED_LABELS["dataset_optimum"]] = pd.Series(result["dataset_optimum"]["policy"]).reindex(alts)
    for key, policy in view.policies.items():
        rows[view.labels[key]] = policy
    table = pd.DataFrame(rows).T.astype(float)
    anchor = rows[TRAINED_LABELS["mixture" if "mixture" in trained_policies(result) else "trained"]]
    table["TV distance to the trained model"] = [total_variation(anchor, table.loc[r, alts]) for r in table.index]
    return table


def trajectory_frames(result_or_events) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """(policy over steps, mixture over steps or None) from a result's trajectory (which starts at
    step 0 with the untrained reference policy) or from a list of progress events."""
    if isinstance(result_or_events, dict):
        start = {"step": 0, "policy": result_or_events["reference_policy"]}
        if result_or_events.get("mixture"):
            start["mixture"] = result_or_events["reference_policy"]
        events = [start, *result_or_events["trajectory"]]
    else:
        events = result_or_events
    if not events:
        return pd.DataFrame(), None
    steps = [e["step"] for e in events]
    policy = pd.DataFrame([e["policy"] for e in events], index=pd.Index(steps, name="step"))
    mixture = (pd.DataFrame([e["mixture"] for e in events], index=pd.Index(steps, name="step"))
               if all(e.get("mixture") for e in events) else None)
    return policy, mixture


def trajectory_caption(target_label: str | None, self_play: bool) -> str:
    """What the line styles of the trajectory chart mean."""
    parts = ["Solid: the trained model's probability of each answer (step 0: the untrained model)"]
    if self_play:
        parts.append("dotted: the mixture of iterates (the average policy so far), the output self-play theory "
                     "speaks about")
    if target_label:
        parts.append(f"dashed: the {target_label}, where theory says this method lands")
    return "; ".join(parts) + "."


def order_text(scores: pd.Series) -> str:
    """``R 7 > B 6 > G 2`` (ties, as :mod:`aggregation.outcome` decides them, written with =)."""
    return ranking_text(scores, decimal)


def _support(policy: pd.Series) -> str:
    kept = [(a, p) for a, p in policy.sort_values(ascending=False).items() if p > 1e-3]
    if len(kept) == 1:
        return f"**{md(kept[0][0])}** with probability {decimal(float(kept[0][1]), 3)}"
    return ", ".join(f"**{md(a)}** {decimal(float(p), 3)}" for a, p in kept[:4])


def headline(result: dict, spec: dict, view: TheoryView, kind: str) -> list[str]:
    """Two or three sentences a newcomer reads first: where the trained policy landed, whether that is
    where theory says this method lands, and what the contrasting method would have picked."""
    method = spec["method"]
    name = METHOD_TEXT[method].name
    policies = trained_policies(result)
    landed = policies.get("mixture", policies["trained"]) if method in SELF_PLAY else policies["trained"]
    which = " (mixture of iterates)" if "mixture" in policies else ""
    winners = top(landed)
    p_top = float(landed[winners[0]])
    lines = []
    target = method_target(spec, kind)
    target_policy = view.policies.get(target) if target else None
    if target_policy is not None:
        expected = top(target_policy)
        label = view.labels[target]
        ranks = ""
        if target in ("rlhf", "ipo"):
            ranks = " It ranks like Borda." if spec.get("sampling") is None else " It ranks like NBC under this D."
        if set(winners) & set(expected):
            lines.append(f"{name}{which} landed on **{' = '.join(map(md, winners))}** (probability {decimal(p_top, 3)}), "
                         f"as theory predicts: the {label} is {_support(target_policy)}.{ranks}")
        else:
            lines.append(f"{name}{which} put most probability on **{' = '.join(map(md, winners))}** ({decimal(p_top, 3)}), "
                         f"but theory predicts **{' = '.join(map(md, expected))}** (the {label} is {_support(target_policy)}):"
                         " this run has not got there; more steps, another learning rate or a larger dataset may "
                         "help.")
    else:
        reason = view.unavailable.get(target) if target else None
        lines.append(f"{name}{which} landed on **{' = '.join(map(md, winners))}** (probability {decimal(p_top, 3)}). "
                     + (f"Theory has no limit to compare here: {md(reason)}." if reason else
                        "Theory gives no closed-form limit for this setting; compare with the policies below."))
    lottery = view.policies.get("maximal_lottery")
    rlhf = view.policies.get("rlhf")
    if method not in SELF_PLAY and lottery is not None and not set(top(lottery)) & set(winners):
        if view.condorcet_winner:
            lines.append(f"The majority's **{md(view.condorcet_winner)}** (it beats every other answer head-to-head) "
                         "is where Nash self-play lands: the maximal lottery puts probability 1 on it.")
        else:
            lines.append(f"Nash self-play would land elsewhere: the maximal lottery is {_support(lottery)}.")
    if method in SELF_PLAY and rlhf is not None and not set(top(rlhf)) & set(winners):
        borda = top(view.borda)
        lines.append(f"DPO or RLHF on the same voters would land on **{' = '.join(map(md, top(rlhf)))}** "
                     f"({_support(rlhf)}; Borda's winner is {' = '.join(map(md, borda))}).")
    return lines


def closest_theory(table: pd.DataFrame, view: TheoryView) -> tuple[str, float] | None:
    theory_rows = [view.labels[k] for k in view.policies]
    if not theory_rows:
        return None
    distances = table.loc[theory_rows, "TV distance to the trained model"]
    return str(distances.idxmin()), float(distances.min())


def empirical_pairs(summary: dict, P_exact: pd.DataFrame) -> pd.DataFrame:
    """The dataset's preference estimates pair by pair (a before b in the alternatives' order): the
    estimate P̂[a, b], its binomial standard error, the number of comparisons, the population's exact
    P[a, b], and the distance between the two in standard errors (NaN where the error is 0 or the
    pair was never compared)."""
    alts = summary["alternatives"]
    P = np.asarray(summary["matrix"], dtype=float)
    se = np.array([[np.nan if x is None else x for x in row] for row in summary["standard_errors"]], dtype=float)
    n = np.asarray(summary["comparisons"], dtype=float)
    exact = P_exact.loc[alts, alts].to_numpy(float)
    i, j = np.triu_indices(len(alts), 1)
    compared = n[i, j] > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        distance = np.where(compared & (se[i, j] > 0), np.abs(P[i, j] - exact[i, j]) / se[i, j], np.nan)
    return pd.DataFrame({
        "estimate P̂[a, b]": np.where(compared, P[i, j], np.nan),
        "standard error": np.where(compared, se[i, j], np.nan),
        "comparisons": n[i, j].astype(int),
        "exact P[a, b]": exact[i, j],
        "distance (standard errors)": distance,
    }, index=pd.Index([f"{alts[a]} vs {alts[b]}" for a, b in zip(i, j)], name="a vs b"))


# ------------------------------------------------------------------ job list
def when(t: float | None) -> str:
    return "–" if t is None else time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(t))


def duration(status) -> str:
    if status.started_at is None:
        return "–"
    end = status.finished_at or time.time()
    return f"{end - status.started_at:.0f} s"


def outcome_text(status, result: dict | None) -> str:
    """One line: where a finished job landed, why a job failed, or where it stands."""
    if status.state == "finished" and result:
        policy = pd.Series(result.get("mixture") or result["policy"])
        best = top(policy)
        return f"{' = '.join(best)} {decimal(float(policy[best[0]]), 3)}" + (" (mixture)" if result.get("mixture") else "")
    if status.state == "failed":
        return "failed: " + (status.error or "no reason recorded").splitlines()[0][:160]
    if status.state == "running":
        return f"step {status.step} of {status.total_steps}"
    return status.message or status.state


def jobs_frame(records, results: dict[str, dict | None]) -> pd.DataFrame:
    """One row per job (newest first): when, name, settings, state, device, outcome."""
    rows = []
    for r in records:
        s = r.status
        method = METHOD_TEXT[r.method].name if r.method in METHOD_TEXT else r.method
        rows.append({"created": when(s.created_at), "name": r.name or "", "method": method,
                     "settings": r.summary, "seed": r.settings.get("seed"), "state": s.state,
                     "device": s.device or "–", "time": duration(s), "outcome": outcome_text(s, results.get(r.job_id)),
                     "job id": r.job_id})
    return pd.DataFrame(rows)


def job_label(record) -> str:
    s = record.status
    name = f"“{record.name}” · " if record.name else ""
    return f"{when(s.created_at)} · {name}{record.summary} · seed {record.settings.get('seed')}"


def same_settings(a: dict, b: dict) -> bool:
    """Whether two jobs' settings (``JobRecord.settings``: the spec without the population, with
    the population's digest) differ at most in seed and name."""
    drop = ("seed", "name")
    return {k: v for k, v in a.items() if k not in drop} == {k: v for k, v in b.items() if k not in drop}


def seed_spread(results: list[dict]) -> pd.DataFrame | None:
    """Mean and standard deviation across runs (different seeds, same settings) of the trained
    policy (the mixture of iterates for self-play); None with fewer than two runs."""
    if len(results) < 2:
        return None
    alts = results[0]["alternatives"]
    values = np.array([[(r.get("mixture") or r["policy"])[a] for a in alts] for r in results], dtype=float)
    return pd.DataFrame({"mean": values.mean(0), "standard deviation": values.std(0, ddof=1),
                         "min": values.min(0), "max": values.max(0)}, index=alts)

