"""The papers' experiments on the tabular backend reproduce each paper's qualitative outcome from a fixed
seed set (worker.experiments); the CLI prints every run's final policy as JSON."""

import json
import subprocess
import sys

import numpy as np
import pytest

from aggregation import AggregationError
from worker.experiments import (
    EXPERIMENTS,
    experiment_runs,
    figure4_population,
    interval,
    run_local,
    runs_csv,
    summarize,
)

from .conftest import REPO, worker_env


def test_every_experiment_lists_runs_with_valid_specs():
    from worker.spec import validate_spec

    for name in EXPERIMENTS:
        runs = experiment_runs(name, "tabular", 2)
        assert len({r.id for r in runs}) == len(runs)
        for run in runs[:4]:
            assert validate_spec(run.spec)["model"] == "tabular"
    jackpot = experiment_runs("jackpot-figure2", "tabular", 2)
    assert [r.id for r in jackpot[:4]] == [
        "three/rlhf/seed=0",
        "three/rlhf/seed=1",
        "three/self-play/seed=0",
        "three/self-play/seed=1",
    ]
    fig4 = {r.group for r in experiment_runs("heterogeneous-figure4", "tabular", 1)}
    assert {
        "fig4/dpo",
        "fig4/consistent",
        "fig4/consistent_b3",
        "fig4/corrected/alpha=1",
        "fig4/corrected/alpha=2",
    } <= fig4
    with pytest.raises(AggregationError, match="seeds must be a whole number between 1 and 20"):
        experiment_runs("jackpot-figure2", "tabular", 0)
    with pytest.raises(AggregationError, match="unknown experiment 'nope'"):
        experiment_runs("nope")


def test_checkpoint_backend_uses_appendix_a8_settings():
    runs = {r.arm: r.spec for r in experiment_runs("jackpot-figure2", "gemma-2-2b", 1)}
    assert runs["self-play"]["learning_rate"] == 1e-4 and runs["rlhf"]["learning_rate"] == 5e-4
    assert runs["self-play"]["samples_per_step"] == 128 and runs["self-play"]["exploration"] == 0.1
    assert runs["rlhf"]["dataset_size"] == 2048 and runs["rlhf"]["lora"] == {"r": 8, "alpha": 32, "dropout": 0.1}
    assert runs["rlhf"]["beta"] == 0.0 and runs["self-play"]["beta"] == 0.0 and runs["rlhf"]["model"] == "gemma-2-2b"


def test_interval_is_mean_and_t_interval_across_seeds():
    out = interval([[0.2, 0.8], [0.4, 0.6]])
    assert out["mean"] == pytest.approx([0.3, 0.7])
    half = 12.706204736174707 * np.std([0.2, 0.4], ddof=1) / np.sqrt(2)  # t_{0.975, 1} = 12.7062
    assert out["low"][0] == pytest.approx(0.3 - half) and out["high"][1] == pytest.approx(0.7 + half)
    assert interval([[0.5, 0.5]])["low"] is None  # one seed: no interval is claimed


def test_jackpot_figure2_reproduces_figure_2_on_the_tabular_backend():
    """Jackpot, section 6.3: three colours, RLHF on R and self-play on B; two colours, both on B; the cycle,
    self-play near 1/3 each while RLHF collapses."""
    runs, results = run_local("jackpot-figure2", "tabular", 3)
    summary = summarize("jackpot-figure2", runs, results)
    assert len(summary["claims"]) == 6
    assert all(c["holds"] for c in summary["claims"]), summary["claims"]
    three = summary["groups"]["three/rlhf"]
    assert three["policy"]["seeds"] == 3 and three["alternatives"] == ["R", "G", "B"]
    table = runs_csv(runs, results).splitlines()  # a header, then one row per run and alternative
    assert len(table) == 1 + 6 * 3 + 6 * 2 + 6 * 3 and table[1].startswith("three/rlhf/seed=0,three,rlhf,rlhf,0,,R,")


def test_figure4_population_is_section_7_2():
    """R_u(d) = scale_u max(0, 1 - rate_u d), shifts -10, 0, 10: at delta = 0 the types give 4 * (1 - 0.75) = 1,
    1.5 and 1; at delta = 10 they give 0, 0 (d = 10 at rate 0.1) and 4; circular: delta = -20 is 10 from 10."""
    pop = figure4_population()
    R = pop.rewards
    assert R["0"].tolist() == pytest.approx([1.0, 1.5, 1.0])
    assert R["10"].tolist() == pytest.approx([0.0, 0.0, 4.0])
    assert R["-20"].tolist() == pytest.approx([1.0, 0.0, 1.0])
    assert pop.shares.tolist() == pytest.approx([1 / 3] * 3) and len(pop.alternatives) == 40


def test_heterogeneous_figure4_dpo_follows_nbc_and_the_consistent_loss_reaches_pi_star():
    """Shirali et al., section 7.2, Figure 4 (a) and (c) on the 40 x 40 tabular policy: DPO peaks at delta near 0
    and ranks like NBC; the consistent loss (Prop. 6.1) peaks near -10 / 10 and is closer to pi* than DPO."""
    runs, results = run_local("heterogeneous-figure4", "tabular", 1, arms=("dpo", "consistent"))
    summary = summarize("heterogeneous-figure4", runs, results)
    assert len(summary["claims"]) == 3 and all(c["holds"] for c in summary["claims"]), summary["claims"]
    se = summary["prompt_standard_errors"]["fig4/dpo"]
    assert len(se) == 40 and 0 < max(se) < 0.005


def test_testtime_selfplay_mixture_reaches_the_robust_rate():
    """Cai & Zheng, Proposition D.3: sigma^T's k-sample robust rate reaches k/(k+1) (less the average regret),
    and here MPNE_k's rate within 0.05, for k = 1, 2."""
    runs, results = run_local("testtime-selfplay", "tabular", 1)
    runs, results = zip(*[(r, res) for r, res in zip(runs, results) if r.sweep_value in (1, 2)])
    summary = summarize("testtime-selfplay", list(runs), list(results))
    assert len(summary["claims"]) == 2 and all(c["holds"] for c in summary["claims"]), summary["claims"]
    curve = summary["robust_rates"]["figure1/mpne/k=2"]
    assert curve["bound"] == pytest.approx(2 / 3) and len(curve["steps"]) == len(curve["robust_rate"]["mean"])


def test_the_robust_rate_of_a_mixture_of_iterates_is_exact():
    """Jackpot Table 1's cycle (Ana R>B>G, Bob G>R>B, Carla B>G>R), k = 1, iterates pure R then pure G. A voter
    'likes the sample at least as much' as the rival (ties count for the sample): R alone wins 1 against R,
    1/3 against G (Bob and Carla prefer G), 2/3 against B, so its robust rate is 1/3; the mixture of R and G
    gets (1 + 1/3)/2 = 2/3 against R, (1/3 + 1)/2 = 2/3 against G and (2/3 + 1/3)/2 = 1/2 against B: 1/2."""
    from aggregation import population_from_dict
    from aggregation.experiments import CYCLE, mixture_robust_rates

    rates = mixture_robust_rates(
        population_from_dict(CYCLE), [{"R": 1.0, "B": 0.0, "G": 0.0}, {"R": 0.0, "B": 0.0, "G": 1.0}], 1
    )
    assert rates.tolist() == pytest.approx([1 / 3, 1 / 2], abs=1e-12)


def test_cli_prints_every_runs_final_policy_as_json(tmp_path):
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "worker.experiments",
            "jackpot-figure2",
            "--seeds",
            "1",
            "--out",
            str(tmp_path),
            "--timing",
        ],
        cwd=REPO,
        env=worker_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    report = json.loads(proc.stdout)
    assert report["experiment"] == "jackpot-figure2" and report["backend"] == "tabular"
    assert [r["run"] for r in report["runs"]] == [
        f"{c}/{a}/seed=0" for c in ("three", "two", "cycle") for a in ("rlhf", "self-play")
    ]
    for row in report["runs"]:
        assert sum(row["policy"].values()) == pytest.approx(1.0) and row["timing"]["ms_per_step"] > 0
    assert {p.name for p in tmp_path.iterdir()} >= {"runs.json", "summary.json", "runs.csv"}
    assert len(json.loads((tmp_path / "runs.json").read_text())[0]["result"]["trajectory"]) > 10


@pytest.mark.slow
def test_heterogeneous_figure4_corrected_dpo_moves_mass_to_the_sides():
    """Figure 4 (b): corrected DPO with alpha = 1, 2 puts more mass per response near -10 and 10 than near 0
    (the full experiment, one seed; about a minute)."""
    runs, results = run_local("heterogeneous-figure4", "tabular", 1)
    summary = summarize("heterogeneous-figure4", runs, results)
    assert all(c["holds"] for c in summary["claims"]), summary["claims"]
    assert sum("corrected DPO, alpha" in c["claim"] for c in summary["claims"]) == 2


@pytest.mark.slow
def test_jackpot_figure2_on_the_tiny_language_model():
    """The same claims with the tiny GPT-2 and LoRA (one seed; a few minutes on a CPU)."""
    runs, results = run_local("jackpot-figure2", "tiny", 1)
    summary = summarize("jackpot-figure2", runs, results)
    assert all(c["holds"] for c in summary["claims"]), summary["claims"]


@pytest.mark.parametrize(
    "tag, message",
    [
        (
            {"name": "jackpot-figure2", "id": "ab12", "run": "x", "more": 1},
            "experiment must be an object with exactly name, id and run",
        ),
        (
            {"name": "nope", "id": "ab12", "run": "x"},
            "experiment.name must be one of jackpot-figure2, heterogeneous-figure4, testtime-selfplay; got 'nope'",
        ),
        (
            {"name": "jackpot-figure2", "id": "XYZ", "run": "x"},
            "experiment.id must be 1 to 32 lowercase hexadecimal digits",
        ),
        ({"name": "jackpot-figure2", "id": "ab12", "run": ""}, "experiment.run must be a text of 1 to 200 characters"),
    ],
)
def test_the_experiment_tag_of_a_spec_is_checked(tag, message):
    from worker.spec import JobSpecError, validate_spec
    from worker.experiments import FIGURE_1

    with pytest.raises(JobSpecError) as err:
        validate_spec({"population": FIGURE_1, "method": "dpo", "experiment": tag})
    assert str(err.value) == message


@pytest.mark.slow
def test_an_experiment_is_submitted_as_queued_jobs_of_its_owner_and_grouped_back(tmp_path, workers):
    """Experiment submission goes through the real queue and worker, as one person's jobs within their quota;
    the job records group back into the experiment and summarise like the local run."""
    from worker.client import JobClient, Quota
    from worker.experiments import run_of, submitted_experiments

    client = JobClient(data_dir=tmp_path)
    ann = client.for_user("ann", quota=Quota(max_queued_jobs=2))
    with pytest.raises(
        ann.LimitReached,
        match="this experiment has 6 runs, each a job; you have 0 queued or "
        "running, and each person may have at most 2 at a time",
    ):
        ann.submit_experiment("jackpot-figure2", "tabular", 1)
    assert client.list_jobs() == []  # nothing of a refused set is recorded
    bob = client.for_user("bob", quota=Quota(max_queued_jobs=10, max_total_steps=100_000))
    experiment_id, job_ids = bob.submit_experiment("jackpot-figure2", "tabular", 1)
    assert len(job_ids) == 6 and client.usage("bob")[0] == 6
    assert ann.list_jobs() == []  # bob's runs are bob's
    workers(tmp_path)
    from .conftest import wait_for

    wait_for(lambda: all(bob.status(j).done for j in job_ids), what="the experiment's runs")
    [submitted] = submitted_experiments(bob.list_jobs())
    assert (submitted.id, submitted.name, submitted.backend) == (experiment_id, "jackpot-figure2", "tabular")
    assert submitted.states == {"finished": 6} and submitted.done
    runs = [run_of(r) for r in submitted.records]
    assert [r.id for r in runs] == [f"{c}/{a}/seed=0" for c in ("three", "two", "cycle") for a in ("rlhf", "self-play")]
    summary = summarize("jackpot-figure2", runs, [bob.result(r.job_id) for r in submitted.records])
    assert summary["groups"]["three/self-play"]["finished"] == 1
    assert {c["claim"].split(":")[0] for c in summary["claims"]} == {"three colours", "two colours", "cycle"}
