"""The real tiny model, trained: DPO lands on Borda's side, Nash self-play on the maximal lottery;
every method runs; the trainer process keeps its JSON-lines contract."""

import json
import subprocess
import sys

import numpy as np
import pytest

from worker.spec import validate_spec
from worker.train import train

from .conftest import REPO, worker_env

pytestmark = pytest.mark.slow


def run(figure_1, **settings) -> dict:
    events = []
    result = train(validate_spec({"population": figure_1, **settings}), events.append)
    result["_events"] = events
    return result


@pytest.mark.parametrize("seed", [0, 1])
def test_dpo_on_figure_1_ranks_red_above_blue_like_borda(figure_1, seed):
    """2 x R>G>B, 3 x B>R>G: Borda (and NBC under uniform D) puts R first although a majority
    prefers B; DPO follows Borda (Jackpot paper, Figure 1)."""
    r = run(figure_1, method="dpo", seed=seed)
    p = r["policy"]
    assert p["R"] > p["B"] + 0.5 and p["B"] > p["G"]
    # it reaches this dataset's own optimum: the reference tilted by its Bradley-Terry MLE reward
    optimum = r["dataset_optimum"]["policy"]
    assert max(abs(p[a] - optimum[a]) for a in p) < 0.05
    assert r["theory"]["nbc"]["R"] > r["theory"]["nbc"]["B"]


@pytest.mark.parametrize("seed", [0, 1])
def test_nash_self_play_on_figure_1_puts_blue_first_like_the_maximal_lottery(figure_1, seed):
    r = run(figure_1, method="nash", seed=seed)
    assert r["theory"]["maximal_lottery"] == {"R": 0.0, "G": 0.0, "B": 1.0}
    last, mixture = r["policy"], r["mixture"]
    assert last["B"] > 0.8 and last["B"] > last["R"] + 0.6
    assert mixture["B"] > 0.7 and mixture["B"] > mixture["R"] + 0.5
    # the mixture of iterates is the running average the trajectory reports
    assert r["trajectory"][-1]["mixture"] == mixture


@pytest.mark.parametrize(
    "settings",
    [
        {"method": "ipo"},
        {"method": "rlhf"},
        {"method": "mnl", "top_k": 1},
        {"method": "mnl", "top_k": 2, "batch_size": 256},
        {"method": "mallows", "top_k": 2, "phi": 0.3},
        {"method": "mallows", "top_k": 2, "dispersion": "entropy", "batch_size": 128},
        {"method": "consistent"},
        {"method": "consistent_b3"},
        {"method": "corrected_dpo", "joint_steps": 200},
        {"method": "mpne", "k": 2, "samples_per_step": 32},
    ],
)
def test_every_method_trains_and_reports(figure_1, settings):
    r = run(figure_1, steps=40, dataset_size=512, **settings)
    alts = ["R", "G", "B"]
    assert r["alternatives"] == alts and sum(r["policy"].values()) == pytest.approx(1.0)
    assert 0.0 <= r["outside_mass"] <= 1.0
    assert [e["step"] for e in r["trajectory"]] == list(range(1, 41))
    assert all(set(e["policy"]) == set(alts) for e in r["trajectory"])
    progress = [e for e in r["_events"] if e["event"] == "progress"]
    assert len(progress) == 40 and r["_events"][0]["event"] == "start"
    P = np.array(r["dataset"]["preference_matrix"]["matrix"])
    np.testing.assert_allclose(P + P.T, 1.0)
    assert r["settings"]["method"] == settings["method"] and r["timings"]["ms_per_step"] > 0
    assert (r["mixture"] is not None) == (settings["method"] == "mpne")
    if settings["method"] == "rlhf":  # the fitted reward ranks like NBC: R > B > G
        reward = r["reward_model"]["reward"]
        assert reward["R"] > reward["B"] > reward["G"]
    if settings["method"] == "mallows":  # RCPO Appendix D's proxy lies in (0, 1]; a fixed phi is reported as given
        dispersion = r["dataset"]["dispersion"]
        if settings.get("dispersion") == "entropy":
            assert 0.0 < dispersion["phi_min"] <= dispersion["phi_mean"] <= dispersion["phi_max"] <= 1.0
        else:
            assert dispersion == {"source": "fixed", "phi": 0.3}
    if settings["method"] == "corrected_dpo":  # 512 annotators, two comparisons each; J read against the exact
        assert r["dataset"]["comparisons"] == 1024 and r["dataset"]["rows"] == 512
        variance = r["dataset"]["variance"]
        assert variance["joint_types"] == 2 and variance["cross_entropy_end"] < variance["cross_entropy_start"]
        assert variance["exact_preference_variance"][0][2] == pytest.approx(0.24)  # R vs B: 2 : 3
        assert r["theory"]["correction"] == {
            "alpha": 1.0,
            "variance": "estimated",
            "log_eps": 1e-6,
            "correction_clip": 0.1,
        }
    if settings["method"] in ("consistent", "consistent_b3"):  # only R > G is unanimous: R gains on G
        ref = r["reference_policy"]
        assert r["policy"]["R"] / r["policy"]["G"] > 10 * ref["R"] / ref["G"]
        assert r["dataset"]["unanimous_rows"] > 0 and r["dataset"]["user_types"] == 2


def test_user_type_population_and_a_sampling_distribution(figure_1):
    users = {
        "kind": "rewards",
        "alternatives": ["x", "y"],
        "temperature": 1.0,
        "types": [
            {"name": "u", "weight": 3, "rewards": {"x": 1.0, "y": 0.0}},
            {"name": "v", "weight": 1, "rewards": {"x": 0.0, "y": 1.0}},
        ],
    }
    r = run(users, method="dpo", steps=60, dataset_size=1000)
    assert r["policy"]["x"] > r["reference_policy"]["x"]
    assert r["theory"]["average_reward_policy"] is not None


def test_mpne_self_play_on_user_types_uses_the_set_comparison():
    """User types need no sampled voters: each sample's reward is its exact Plackett-Luce chance of
    beating k others (Cai & Zheng, section 2.1). All samples come from the same distribution, so
    the k + 1 are exchangeable and the mean reward is exactly 1/(k+1) in expectation."""
    users = {
        "kind": "rewards",
        "alternatives": ["x", "y", "z"],
        "temperature": 1.0,
        "types": [
            {"name": "u", "weight": 3, "rewards": {"x": 1.0, "y": 0.0, "z": -1.0}},
            {"name": "v", "weight": 1, "rewards": {"x": -1.0, "y": 2.0, "z": 0.0}},
        ],
    }
    r = run(users, method="mpne", k=2, steps=40, samples_per_step=32)
    assert r["dataset"]["rows"] == 2 and "no data drawn" in r["dataset"]["kind"]
    assert r["mixture"] is not None and sum(r["policy"].values()) == pytest.approx(1.0)
    rewards = [e["mean_reward"] for e in r["trajectory"] if "mean_reward" in e]
    assert rewards and abs(np.mean(rewards) - 1 / 3) < 0.03


def _trainer(tmp_path, spec: dict, *extra):
    (tmp_path / "run.json").write_text(json.dumps(spec))
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "worker.train",
            "--config",
            str(tmp_path / "run.json"),
            "--run-dir",
            str(tmp_path / "run"),
            *extra,
        ],
        cwd=REPO,
        env=worker_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_trainer_process_contract(tmp_path, figure_1):
    done = _trainer(tmp_path, {"population": figure_1, "method": "dpo", "steps": 5, "dataset_size": 64})
    assert done.returncode == 0, done.stderr
    lines = (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()
    assert done.stdout.splitlines() == lines  # the same JSON lines on stdout and in metrics.jsonl
    events = [json.loads(line) for line in lines]
    assert [e["event"] for e in events] == ["start"] + ["progress"] * 5 + ["done"]
    assert [e["step"] for e in events[1:-1]] == [1, 2, 3, 4, 5]
    result = json.loads((tmp_path / "run" / "result.json").read_text())
    assert result["settings"]["steps"] == 5 and set(result["policy"]) == {"R", "G", "B"}


def test_trainer_refuses_a_bad_spec_and_a_missing_model(tmp_path, figure_1):
    bad = _trainer(tmp_path, {"population": figure_1, "method": "dpo", "steps": -1})
    assert bad.returncode == 2
    assert json.loads(bad.stdout.splitlines()[-1]) == {
        "event": "error",
        "message": "steps must be a whole number between 1 and 100,000, got -1",
    }
    missing = _trainer(tmp_path, {"population": figure_1, "method": "dpo", "model": "no-such-model"})
    assert missing.returncode == 2
    assert json.loads(missing.stdout.splitlines()[-1])["message"] == (
        "model 'no-such-model' is not in this worker's model folders (AGGREGATION_MODEL_DIRS); only the models listed "
        "on the Fine-tuning page can be trained (nothing is downloaded)"
    )
    path = _trainer(tmp_path, {"population": figure_1, "method": "dpo", "model": str(tmp_path)})
    assert path.returncode == 2 and str(tmp_path) not in path.stdout  # a path is refused before any look at the disk


def test_trainer_exits_when_its_parent_is_gone(tmp_path, figure_1):
    """--parent-pid names the worker; a trainer whose parent is not (or no longer) that
    process stops at once instead of running on as an orphan."""
    orphan = _trainer(tmp_path, {"population": figure_1, "method": "dpo", "steps": 100000}, "--parent-pid", "1")
    assert orphan.returncode == 3


THREE_TYPES = {
    "kind": "rewards",
    "alternatives": ["x", "y", "z"],
    "temperature": 1.0,
    "types": [
        {"name": "u", "weight": 1, "rewards": {"x": 2.0, "y": 0.5, "z": 3.0}},
        {"name": "v", "weight": 1, "rewards": {"x": 0.0, "y": 3.0, "z": 1.0}},
        {"name": "w", "weight": 1, "rewards": {"x": 1.5, "y": 1.5, "z": 1.0}},
    ],
}


def _tv(p: dict, q: dict) -> float:
    return 0.5 * sum(abs(p[a] - q[a]) for a in p)


@pytest.mark.parametrize("seed", [0, 1])
def test_corrected_dpo_with_the_known_variance_lands_on_its_own_limit(seed):
    """Shirali et al., section 5.1 with V = Var_u[Delta r] known, alpha = 1, beta = 1: the trained policy is
    within 0.04 (total variation) of the core's corrected-DPO limit (with the untrained model as pi_ref)
    and at least 0.06 from the RLHF / DPO limit, which that limit differs from by about 0.1 here."""
    r = run(THREE_TYPES, method="corrected_dpo", variance="known", beta=1.0, seed=seed)
    theory = r["theory"]
    assert theory["target"] == "corrected_dpo_policy"
    assert _tv(theory["corrected_dpo_policy"], theory["rlhf_policy"]) > 0.08
    assert _tv(r["policy"], theory["corrected_dpo_policy"]) < 0.04
    assert _tv(r["policy"], theory["rlhf_policy"]) > 0.06
    x_minus_y = [1.5, -3.0, 0.0]  # per type
    assert r["dataset"]["variance"]["reward_variance"][0][1] == pytest.approx(np.var(x_minus_y))


def test_corrected_dpo_with_the_estimated_variance_fits_j_then_the_policy():
    r = run(THREE_TYPES, method="corrected_dpo", beta=1.0)
    variance = r["dataset"]["variance"]
    assert variance["joint_types"] == 3 and variance["steps"] == 1000
    assert variance["largest_error"] < 0.05  # Var_u[P_u(a > b)] read from J
    assert _tv(r["policy"], r["theory"]["corrected_dpo_policy"]) < 0.04


def test_the_two_consistent_losses_land_together():
    """Propositions 6.1 and B.3 share their limit (eq. 21) and here their data (same seed): the trained
    policies agree within 0.01 and lie within 0.06 of the consistent-loss limit (about 290 of the 2048
    pairs are unanimous)."""
    b3 = run(THREE_TYPES, method="consistent_b3", beta=1.0)
    six = run(THREE_TYPES, method="consistent", beta=1.0)
    assert b3["theory"]["target"] == six["theory"]["target"] == "consistent_policy"
    assert _tv(b3["policy"], six["policy"]) < 0.01
    assert _tv(b3["policy"], b3["theory"]["consistent_policy"]) < 0.06
