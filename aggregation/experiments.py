"""The papers' experiments as data: each a set of runs (cases x methods x seeds x one swept setting) with its
own settings per model, what each must show (its claims), and how finished runs are grouped (mean and 95%
interval across seeds, next to the theory). Nothing here trains: :mod:`worker.experiments` runs them in one
process (``python -m worker.experiments NAME``), :meth:`worker.client.JobClient.submit_experiment` queues them
as jobs, and the Experiments page groups the jobs back (:func:`submitted_experiments`, :func:`summarize`).

Experiments (:data:`EXPERIMENTS`):

* ``jackpot-figure2``: Maura-Rivero et al. (Jackpot), section 6 and Appendix A.8, Figure 2: three
  populations (Figure 1's with three colours, the same with only R and B, the Condorcet cycle of Table 1),
  RLHF and SPO-style self-play on 2048 rows, no KL term (A.8: ``init_kl_coef`` 0.0), self-play with 10%
  uniform exploration and 128 samples per step (A.8's batch size); on a checkpoint A.8's learning rates (SPO
  1e-4, PPO 5e-4) and LoRA 8/32/0.1. A.8 states no step count: 200 steps on a checkpoint. Claims: three
  colours, RLHF ends on R and self-play on B; two colours, both on B; the cycle, self-play's mixture stays
  near 1/3 each while RLHF collapses on one colour.
* ``heterogeneous-figure4``: Shirali et al., section 7.2, Figure 4: 40 prompts and 40 responses, circular
  distance, three equally weighted user types with shifts -10, 0, 10 and rewards
  ``R_u(d) = scale_u max(0, 1 - rate_u d)`` (rates 0.075, 0.1, 0.075; scales 4, 1.5, 4), BT annotators,
  beta = 1, uniform reference, prompts and responses (a tabular policy over 40 x 40, read relative to the
  prompt: ``delta = y - x``; 5,000 rows per prompt). Methods: DPO, the consistent losses of Propositions
  6.1 and B.3, and first-order corrected DPO for alpha in 1 and 2 (alpha = 4 with the clip
  dominating flattens the policy rather than sharpening it; the paper's V is estimated and unclipped by J).
  The paper estimates V with a joint model J (section 5.3); here corrected DPO uses the *known* variance
  of the user types with the correction clipped at 0.1 as the authors' code clips it (the estimated V
  would fit a J per prompt, 40 fits per run; the
  spec's ``variance: "estimated"`` remains available). Claims: DPO peaks near delta = 0 and ranks like NBC;
  the consistent loss lands near pi*; corrected DPO with alpha >= 1 puts more mass near -10 and 10 than
  near 0.
* ``testtime-selfplay``: Cai & Zheng, Appendix D.6, Proposition D.3: multi-player self-play for k in
  1, 2, 3 reports sigma^T, the uniform mixture over the iterates of the product policies (pi^t)^(x k),
  whose k-sample robust rate is computed exactly (the k-sample win rate of a mixture of product policies
  is the average of the iterates' rates; here over the logged iterates, about 100 per run) and shown as
  the run proceeds next to MPNE_k's and k/(k+1). Claim: sigma^T's robust rate ends at least at k/(k+1)
  less 0.05, and within 0.05 of MPNE_k's.

A method of an experiment that is not (yet) in :data:`aggregation.TRAINING_METHODS` is left out of its runs.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .errors import AggregationError
from .formats.dicts import population_to_dict
from .populations import Profile, RewardPopulation

BACKENDS = ("tabular", "tiny")  # and a checkpoint's name (or, on the command line, its folder)
MAX_SEEDS = 20


@dataclass(frozen=True)
class Case:
    """One population of an experiment."""

    id: str
    label: str
    population: dict


@dataclass(frozen=True)
class Arm:
    """One method of an experiment with its settings per backend (``"tabular"``, ``"tiny"``, ``"checkpoint"``)."""

    id: str
    label: str
    method: str
    settings: dict = field(default_factory=dict)
    by_backend: dict = field(default_factory=dict)

    def spec_settings(self, backend_kind: str) -> dict:
        return {**self.settings, **self.by_backend.get(backend_kind, {})}


@dataclass(frozen=True)
class Experiment:
    name: str
    title: str
    reference: str
    summary: str
    cases: tuple[Case, ...]
    arms: tuple[Arm, ...]
    seeds: int = 3
    sweep: tuple[str, tuple] | None = None  # (setting, values): applies to the arms whose method reads it
    claims: Callable[[dict], list[dict]] | None = None
    extra: Callable[["Experiment", list[dict], list[dict]], dict] | None = None
    common: dict = field(default_factory=dict)  # settings of every run, per backend kind


def backend_kind(backend: str) -> str:
    return backend if backend in BACKENDS else "checkpoint"


@dataclass(frozen=True)
class Run:
    """One run of an experiment: ``id`` ``case/arm[/setting=value]/seed=N``, and its job spec (not yet validated)."""

    id: str
    case: str
    arm: str
    seed: int
    sweep_value: float | None
    spec: dict

    @property
    def group(self) -> str:
        return self.id.rsplit("/seed=", 1)[0]


def experiment_runs(
    name: str, backend: str = "tabular", seeds: int | None = None, *, arms: tuple[str, ...] | None = None
) -> list[Run]:
    """Every run of experiment ``name`` on ``backend`` (``tabular``, ``tiny`` or a model's name) with seeds
    0 .. seeds-1 (default: the experiment's own count); ``arms``: only these methods (ids of its arms)."""
    exp = get_experiment(name)
    seeds = exp.seeds if seeds is None else seeds
    if isinstance(seeds, bool) or not isinstance(seeds, int) or not 1 <= seeds <= MAX_SEEDS:
        raise AggregationError(f"seeds must be a whole number between 1 and {MAX_SEEDS}, got {seeds!r}")
    kind = backend_kind(backend)
    from .training_methods import TRAINING_METHODS

    runs = []
    for case in exp.cases:
        for arm in exp.arms:
            if arm.method not in TRAINING_METHODS or (arms is not None and arm.id not in arms):
                continue  # (a method of the table only: one another branch adds is included once merged)
            values: tuple = (None,)
            if exp.sweep is not None and (
                exp.sweep[0] in TRAINING_METHODS[arm.method].fields or exp.sweep[0] == "beta"
            ):
                values = exp.sweep[1]
            for value in values:
                for seed in range(seeds):
                    settings = {**exp.common.get(kind, {}), **arm.spec_settings(kind)}
                    if value is not None:
                        settings[exp.sweep[0]] = value
                    group = f"{case.id}/{arm.id}" + ("" if value is None else f"/{exp.sweep[0]}={value:g}")
                    spec = {
                        "population": case.population,
                        "method": arm.method,
                        "model": backend,
                        "seed": seed,
                        "name": f"{exp.name}: {group}/seed={seed}",
                        **settings,
                    }
                    runs.append(Run(f"{group}/seed={seed}", case.id, arm.id, seed, value, spec))
    return runs


def get_experiment(name: str) -> Experiment:
    try:
        return EXPERIMENTS[name]
    except KeyError:
        raise AggregationError(f"unknown experiment {str(name)[:60]!r}; known: {', '.join(EXPERIMENTS)}") from None


# ------------------------------------------------------------------ summaries
def interval(values) -> dict:
    """Mean and a 95% interval across seeds (t quantiles; null for one seed: no spread to show)."""
    x = np.asarray(values, dtype=float)
    mean = x.mean(0)
    if len(x) < 2:
        return {"mean": mean.tolist(), "low": None, "high": None, "seeds": int(len(x))}
    from scipy.stats import t

    half = t.ppf(0.975, len(x) - 1) * x.std(0, ddof=1) / math.sqrt(len(x))
    return {"mean": mean.tolist(), "low": (mean - half).tolist(), "high": (mean + half).tolist(), "seeds": int(len(x))}


def summarize(name: str, runs: list[Run], results: list[dict | None]) -> dict:
    """Runs grouped by case, method and swept value: the final policy (and mixture) across seeds as mean and
    95% interval per alternative, the theory of the group's first result, the experiment's own extras and
    its claims (each ``{"claim", "holds"}``; ``holds`` null where the runs it needs are missing)."""
    exp = get_experiment(name)
    groups: dict[str, dict] = {}
    for run, result in zip(runs, results):
        g = groups.setdefault(
            run.group, {"case": run.case, "arm": run.arm, "sweep_value": run.sweep_value, "results": []}
        )
        if result is not None:
            g["results"].append(result)
    out = {}
    for key, g in groups.items():
        res = g.pop("results")
        entry = {**g, "finished": len(res)}
        if res:
            alts = res[0]["alternatives"]
            entry["alternatives"] = alts
            entry["policy"] = interval([[r["policy"][a] for a in alts] for r in res])
            if res[0].get("mixture"):
                entry["mixture"] = interval([[r["mixture"][a] for a in alts] for r in res])
            theory = res[0]["theory"]
            entry["theory"] = {
                key: theory[key]
                for key in (
                    "rlhf_policy",
                    "maximal_lottery",
                    "mpne",
                    "average_reward_policy",
                    "consistent_policy",
                    "corrected_dpo_policy",
                    "nbc",
                    "borda",
                )
                if isinstance(theory.get(key), dict)
            }
        out[key] = entry
    summary = {"experiment": exp.name, "title": exp.title, "reference": exp.reference, "groups": out}
    if exp.extra is not None:
        summary.update(exp.extra(exp, [r.__dict__ for r in runs], results))
    summary["claims"] = exp.claims(summary) if exp.claims else []
    return summary


def _mean(summary: dict, group: str, what: str = "policy") -> dict | None:
    g = summary["groups"].get(group)
    if not g or what not in g:
        return None
    return dict(zip(g["alternatives"], g[what]["mean"]))


def _claim(text: str, holds) -> dict:
    return {"claim": text, "holds": None if holds is None else bool(holds)}


# ------------------------------------------------------------------ Jackpot, Figure 2 (section 6, Appendix A.8)
def _jackpot_claims(summary: dict) -> list[dict]:
    def check(group, what, test):
        p = _mean(summary, group, what)
        return None if p is None else test(p)

    top = lambda p: max(p, key=p.get)  # noqa: E731
    return [
        _claim("three colours: RLHF ends on R (Borda's side)", check("three/rlhf", "policy", lambda p: top(p) == "R")),
        _claim(
            "three colours: self-play ends on B, the Condorcet winner",
            check("three/self-play", "mixture", lambda p: top(p) == "B"),
        ),
        _claim("two colours: RLHF ends on B", check("two/rlhf", "policy", lambda p: top(p) == "B")),
        _claim("two colours: self-play ends on B", check("two/self-play", "mixture", lambda p: top(p) == "B")),
        _claim(
            "cycle: self-play's mixture stays near 1/3 each (every colour within 0.1 of 1/3)",
            check("cycle/self-play", "mixture", lambda p: max(abs(v - 1 / 3) for v in p.values()) < 0.1),
        ),
        _claim(
            "cycle: RLHF collapses (one colour above 0.8 in every seed's final policy)",
            _collapsed(summary, "cycle/rlhf"),
        ),
    ]


def _collapsed(summary: dict, group: str):
    value = summary.get("seed_max_min", {}).get(group)
    return None if value is None else value > 0.8


def _jackpot_extra(exp, runs, results) -> dict:
    """The lowest across seeds of each seed's largest final probability (RLHF's collapse is to *some* colour,
    a different one per seed, so the mean across seeds would hide it), and the colours' trajectories."""
    by_group: dict[str, list] = {}
    for run, result in zip(runs, results):
        if result is not None:
            by_group.setdefault(run["id"].rsplit("/seed=", 1)[0], []).append(max(result["policy"].values()))
    return {"seed_max_min": {g: min(v) for g, v in by_group.items()}}


FIGURE_1 = population_to_dict(Profile.parse("2: R > G > B\n3: B > R > G"))
TWO_COLOURS = population_to_dict(Profile.parse("2: R > B\n3: B > R"))
CYCLE = population_to_dict(Profile.parse("1: R > B > G\n1: G > R > B\n1: B > G > R"))  # Table 1 (Ana, Bob, Carla)

JACKPOT = Experiment(
    name="jackpot-figure2",
    title="RLHF against self-play on three populations (Jackpot, Figure 2)",
    reference="Maura-Rivero et al., Jackpot! Alignment as a maximal lottery: section 6, Figure 2, Appendix A.8",
    summary="RLHF follows Borda and ends on R where a majority prefers B; self-play (SPO) ends on B; without G "
    "both end on B (RLHF violates IIA); on a cycle self-play stays near a third each while RLHF collapses.",
    cases=(
        Case("three", "three colours: 2 x R>G>B, 3 x B>R>G (Figure 1)", FIGURE_1),
        Case("two", "two colours: 2 x R>B, 3 x B>R (Table 2a)", TWO_COLOURS),
        Case("cycle", "cycle: R>B>G, G>R>B, B>G>R (Table 1)", CYCLE),
    ),
    arms=(
        Arm(
            "rlhf",
            "RLHF (BT reward, then the policy step; no KL)",
            "rlhf",
            {"beta": 0.0},
            {"tabular": {"steps": 300}, "tiny": {"steps": 200}, "checkpoint": {"steps": 200, "learning_rate": 5e-4}},
        ),
        Arm(
            "self-play",
            "SPO-style self-play (10% uniform exploration, no KL)",
            "nash",
            {"beta": 0.0, "exploration": 0.1, "samples_per_step": 128},
            {
                "tabular": {"steps": 600, "learning_rate": 0.01},
                "tiny": {"steps": 300, "learning_rate": 3e-4},
                "checkpoint": {"steps": 200, "learning_rate": 1e-4},
            },
        ),
    ),
    seeds=3,
    common={
        "tabular": {"dataset_size": 2048},
        "tiny": {"dataset_size": 2048},
        "checkpoint": {"dataset_size": 2048, "lora": {"r": 8, "alpha": 32, "dropout": 0.1}},
    },
    claims=_jackpot_claims,
    extra=_jackpot_extra,
)


# ------------------------------------------------------------------ Shirali et al., Figure 4 (section 7.2)
N_FIGURE4 = 40
SHIFTS = (-10, 0, 10)
RATES = (0.075, 0.1, 0.075)
SCALES = (4.0, 1.5, 4.0)


def circular_distance(a: int, b: int, n: int = N_FIGURE4) -> int:
    d = abs(a - b) % n
    return min(d, n - d)


def figure4_deltas(n: int = N_FIGURE4) -> list[int]:
    """The responses relative to the prompt, ``delta = y - x`` taken in ``-n/2 .. n/2 - 1``."""
    return list(range(-(n // 2), n - n // 2))


def figure4_population(n: int = N_FIGURE4) -> RewardPopulation:
    """The three user types of section 7.2 over the responses ``delta = y - x``: type u's reward for delta is
    ``R_u(dist(x + u, y)) = scale_u max(0, 1 - rate_u circ(delta - u))``; BT annotators (temperature 1)."""
    import pandas as pd

    deltas = figure4_deltas(n)
    rows = {
        f"u={u}": [s * max(0.0, 1.0 - r * circular_distance(d, u, n)) for d in deltas]
        for u, r, s in zip(SHIFTS, RATES, SCALES)
    }
    frame = pd.DataFrame(rows, index=[str(d) for d in deltas]).T
    return RewardPopulation(frame, temperature=1.0)


def _figure4_claims(summary: dict) -> list[dict]:
    deltas = [int(d) for d in figure4_deltas()]
    dpo = _mean(summary, "fig4/dpo")
    theory = summary["groups"].get("fig4/dpo", {}).get("theory", {})
    pi_star, nbc = theory.get("average_reward_policy"), theory.get("nbc")
    claims = []
    if dpo is not None:
        peak = int(max(dpo, key=dpo.get))
        claims.append(_claim(f"DPO peaks near delta = 0 (|peak| <= 2; peak at {peak})", abs(peak) <= 2))
        if nbc is not None:
            from scipy.stats import spearmanr

            x = [dpo[str(d)] for d in deltas]
            y = [nbc[str(d)] for d in deltas]
            rho = float(spearmanr(x, y)[0])
            claims.append(_claim(f"DPO ranks like NBC (Spearman {rho:.2f} >= 0.9)", rho >= 0.9))
    else:
        claims.append(_claim("DPO peaks near delta = 0", None))
    consistent = _mean(summary, "fig4/consistent")
    if consistent is not None and pi_star is not None:
        tv = 0.5 * sum(abs(consistent[a] - pi_star[a]) for a in pi_star)
        tv_dpo = None if dpo is None else 0.5 * sum(abs(dpo[a] - pi_star[a]) for a in pi_star)
        peak = int(max(consistent, key=consistent.get))
        claims.append(
            _claim(
                f"the consistent loss (Prop. 6.1) lands near pi* (peak at {peak}, |peak| within 3 of 10; "
                f"total variation to pi* {tv:.3f}" + ("" if tv_dpo is None else f" < DPO's {tv_dpo:.3f}") + ")",
                abs(abs(peak) - 10) <= 3 and (tv_dpo is None or tv < tv_dpo),
            )
        )
    else:
        claims.append(_claim("the consistent loss lands near pi*", None))
    for key, g in sorted(summary["groups"].items()):
        if g["arm"] != "corrected" or "policy" not in g or g["sweep_value"] is None or g["sweep_value"] < 1:
            continue
        p = dict(zip(g["alternatives"], g["policy"]["mean"]))
        sides = sum(p[str(d)] for d in deltas if 8 <= abs(d) <= 12) / 10
        middle = sum(p[str(d)] for d in deltas if abs(d) <= 2) / 5
        claims.append(
            _claim(
                f"corrected DPO, alpha = {g['sweep_value']:g}: more mass per response near -10 and 10 "
                f"({sides:.4f}) than near 0 ({middle:.4f})",
                sides > middle,
            )
        )
    return claims


def _figure4_extra(exp, runs, results) -> dict:
    """Figure 4's 1-D policies: each group's pi(delta) averaged over prompts and seeds, with the standard error
    across prompts (the paper's error bars) averaged over seeds."""
    out: dict[str, dict] = {}
    for run, result in zip(runs, results):
        if result is None or "policy_se" not in result:
            continue
        g = out.setdefault(run["id"].rsplit("/seed=", 1)[0], {"se": []})
        g["se"].append([result["policy_se"][a] for a in result["alternatives"]])
    return {"prompt_standard_errors": {k: np.mean(v["se"], axis=0).tolist() for k, v in out.items()}}


FIGURE4 = population_to_dict(figure4_population())

HETEROGENEOUS = Experiment(
    name="heterogeneous-figure4",
    title="DPO, the consistent loss and corrected DPO on three user types (Shirali et al., Figure 4)",
    reference="Shirali et al., Direct alignment with heterogeneous preferences: section 7.2, Figures 3 and 4, "
    "Propositions 6.1 and B.3, section 5 (first-order correction)",
    summary="Three user types prefer responses 10 before, at, or 10 after the prompt. DPO peaks at delta = 0 and "
    "follows NBC, although the average reward (pi*) peaks at -10 and 10; the consistent loss lands near "
    "pi*; corrected DPO with alpha >= 1 moves mass to -10 and 10.",
    cases=(Case("fig4", "40 prompts x 40 responses, user types u = -10, 0, 10 (section 7.2)", FIGURE4),),
    arms=(
        Arm("dpo", "DPO", "dpo"),
        Arm("consistent", "consistent loss (Prop. 6.1)", "consistent"),
        Arm("consistent_b3", "consistent loss (Prop. B.3)", "consistent_b3"),
        Arm(
            "corrected",
            "corrected DPO (known variance, correction clipped at 0.1)",
            "corrected_dpo",
            {"variance": "known", "correction_clip": 0.1},
        ),
    ),
    seeds=2,
    sweep=("alpha", (1.0, 2.0)),  # alpha = 4 with the clipped known variance flattens the policy (the clip dominates)
    common={
        kind: {
            "beta": 1.0,
            "contexts": N_FIGURE4,
            "dataset_size": N_FIGURE4 * 5_000,
            "steps": 150,
            "learning_rate": 0.1,
        }
        for kind in ("tabular",)
    },
    claims=_figure4_claims,
    extra=_figure4_extra,
)


# ------------------------------------------------------------------ Cai & Zheng, Appendix D.6
def mixture_robust_rates(population, policies, k: int) -> np.ndarray:
    """For each prefix of ``policies`` (the iterates pi^1 .. pi^t, dicts over the alternatives), the k-sample
    robust rate of sigma^t, the mixture that draws s uniformly from 1..t and plays (pi^s)^(x k): the minimum
    over opponents y of the average over s of kwin_rate(pi^s, k)[y] (exact; Cai & Zheng, Proposition D.3)."""
    from .testtime.rates import kwin_rate

    names = list(population.alternatives)
    if not policies:
        return np.zeros(0)
    rates = np.array([[kwin_rate(population, p, k).rates[a] for a in names] for p in policies])
    return (np.cumsum(rates, 0) / np.arange(1, len(rates) + 1)[:, None]).min(1)


def mpne_robust_rate(population, k: int) -> float:
    """MPNE_k's k-sample robust rate (the value sigma^T is compared with)."""
    from .rules.result import values_of
    from .testtime.games import mpne
    from .testtime.rates import robust_rate

    return float(robust_rate(population, values_of(mpne(population, k)), k).rate)


def _testtime_extra(exp, runs, results) -> dict:
    """sigma^T's k-sample robust rate along each run: at every logged iterate t, the minimum over opponents y of
    the average over the iterates so far of kwin_rate(pi^s, k)[y] (exact: a mixture of product policies), and
    MPNE_k's robust rate and k/(k+1) next to it (Proposition D.3)."""
    from .formats.dicts import population_from_dict

    curves: dict[str, dict] = {}
    cache: dict = {}
    for run, result in zip(runs, results):
        if result is None:
            continue
        k = int(result["settings"]["k"])
        population = population_from_dict(run["spec"]["population"])
        if k not in cache:
            cache[k] = mpne_robust_rate(population, k)
        running = mixture_robust_rates(population, [e["policy"] for e in result["trajectory"]], k)
        g = curves.setdefault(
            run["id"].rsplit("/seed=", 1)[0],
            {
                "k": k,
                "steps": [e["step"] for e in result["trajectory"]],
                "robust_rate": [],
                "mpne_rate": cache[k],
                "bound": k / (k + 1),
            },
        )
        g["robust_rate"].append(running.tolist())
    for g in curves.values():
        g["robust_rate"] = interval(g["robust_rate"])
    return {"robust_rates": curves}


def _testtime_claims(summary: dict) -> list[dict]:
    claims = []
    for key, g in sorted(summary.get("robust_rates", {}).items()):
        final = g["robust_rate"]["mean"][-1]
        k = g["k"]
        claims.append(
            _claim(
                f"k = {k}: sigma^T's {k}-sample robust rate ends at {final:.3f}: at least k/(k+1) = "
                f"{g['bound']:.3f} less 0.05, and within 0.05 of MPNE_{k}'s {g['mpne_rate']:.3f}",
                final >= g["bound"] - 0.05 and abs(final - g["mpne_rate"]) <= 0.05,
            )
        )
    return claims or [_claim("sigma^T's robust rate reaches k/(k+1)", None)]


TESTTIME = Experiment(
    name="testtime-selfplay",
    title="Multi-player self-play: the mixture of iterates and its k-sample robust rate (Cai & Zheng, D.6)",
    reference="Cai & Zheng, Asymptotic universal alignment via test-time scaling: Definition 4.2, Theorem 4.4, "
    "Appendix D.6 (Proposition D.3)",
    summary="Self-play in the (k+1)-player game; the uniform mixture over iterates sigma^T is guaranteed a "
    "k-sample robust rate of k/(k+1) minus the average regret; shown as the run proceeds next to MPNE_k's.",
    cases=(Case("figure1", "2 x R>G>B, 3 x B>R>G (Jackpot, Figure 1)", FIGURE_1),),
    arms=(
        Arm(
            "mpne",
            "multi-player self-play",
            "mpne",
            {"beta": 0.0, "samples_per_step": 64},
            {
                "tabular": {"steps": 300, "dataset_size": 256},
                "tiny": {"steps": 200},
                "checkpoint": {"steps": 200, "learning_rate": 1e-4},
            },
        ),
    ),
    seeds=3,
    sweep=("k", (1, 2, 3)),
    claims=_testtime_claims,
    extra=_testtime_extra,
)

EXPERIMENTS: dict[str, Experiment] = {e.name: e for e in (JACKPOT, HETEROGENEOUS, TESTTIME)}


# ------------------------------------------------------------------ submitted experiments (queued jobs)
@dataclass
class Submitted:
    """One submission of an experiment, as the job records hold it: its jobs, newest submission first."""

    id: str
    name: str
    backend: str
    created_at: float
    records: list

    @property
    def states(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for r in self.records:
            out[r.status.state] = out.get(r.status.state, 0) + 1
        return out

    @property
    def done(self) -> bool:
        return all(r.status.done for r in self.records)


def submitted_experiments(records) -> list[Submitted]:
    """Group job records (:class:`worker.records.JobRecord`) by their spec's ``experiment`` id."""
    groups: dict[str, Submitted] = {}
    for r in records:
        tag = r.settings.get("experiment")
        if not isinstance(tag, dict) or tag.get("name") not in EXPERIMENTS:
            continue
        g = groups.get(tag["id"])
        if g is None:
            g = groups[tag["id"]] = Submitted(tag["id"], tag["name"], r.settings.get("model", "?"), r.created_at, [])
        g.records.append(r)
        g.created_at = min(g.created_at, r.created_at)
    for g in groups.values():
        g.records.sort(key=lambda r: r.created_at)
    return sorted(groups.values(), key=lambda g: g.created_at, reverse=True)


def run_of(record) -> Run:
    """The :class:`Run` a job record is (its id is ``case/arm[/setting=value]/seed=N``)."""
    run_id = record.settings["experiment"]["run"]
    parts = run_id.split("/")
    value = None
    if len(parts) == 4:
        value = float(parts[2].split("=", 1)[1])
    return Run(run_id, parts[0], parts[1], int(parts[-1].split("=", 1)[1]), value, record.spec)


def runs_csv(runs: list[Run], results: list[dict | None]) -> str:
    """One row per run and alternative: the run's settings, its final policy and mixture."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["run", "case", "arm", "method", "seed", "sweep_value", "alternative", "policy", "mixture"])
    for run, result in zip(runs, results):
        if result is None:
            continue
        for a in result["alternatives"]:
            writer.writerow(
                [
                    run.id,
                    run.case,
                    run.arm,
                    run.spec["method"],
                    run.seed,
                    "" if run.sweep_value is None else run.sweep_value,
                    a,
                    result["policy"][a],
                    "" if not result.get("mixture") else result["mixture"][a],
                ]
            )
    return buf.getvalue()
