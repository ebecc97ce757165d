"""The Fine-tuning page with real jobs: a real SQLite queue, a real worker process
(``python -m worker.consumer``, started by the test on a temporary data folder) and the real tiny
model. Re-running the page plays the part of the browser's polling fragment (``run_every`` does
not tick in AppTest).

Expected outcomes on the default population (Jackpot Figure 1: 2 x R > G > B, 3 x B > R > G):
DPO follows Borda and lands on R; Nash self-play lands on the Condorcet winner B, the maximal
lottery (the worker's own tests check both with margins over seeds)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from aggregation import Profile, maximal_lottery, mpne, rlhf_policy
from tests.worker.conftest import start_worker, stop_worker
from ui import state
from worker import client as client_module
from worker.client import JobClient

from .conftest import APP
from .fine_tuning_helpers import charts, frame, open_fine_tuning, run_until, status_heading, texts, values

pytestmark = pytest.mark.slow

FIGURE_1 = Profile.parse(state.JACKPOT_FIGURE_1)
TRAINED = "trained model (last iterate)"
MIXTURE = "trained model (mixture of iterates)"


@pytest.fixture
def worker(data_dir):
    """Start a real worker on the page's data folder with ``worker()``; stopped after the test."""
    started = []

    def start():
        started.append(start_worker(data_dir))
        return started[-1]

    yield start
    for proc in started:
        stop_worker(proc)


def finished(at) -> bool:
    return status_heading(at).startswith("#### Finished")


def test_a_real_job_goes_from_queued_to_finished_and_shows_the_trained_policy_next_to_the_theory(app, data_dir, worker):
    at = open_fine_tuning(app)
    at.text_input(key="ft_name").input("figure 1").run()
    at.button(key="ft_start").click().run()
    assert not at.exception and not at.error
    client = JobClient(data_dir=data_dir)
    [record] = client.list_jobs()
    assert record.spec["method"] == "dpo" and record.spec["steps"] == 200 and record.name == "figure 1"
    assert record.spec["population"]["kind"] == "rankings"
    # no worker yet: the job waits in the queue, and the page says so
    assert status_heading(at) == "#### Queued"
    assert "waiting for a worker" in texts(at.caption)
    assert at.query_params["job"] == record.job_id  # a reload or a shared link opens this job

    worker()
    seen = run_until(at, finished, what="the job to finish")
    assert seen[0] == "#### Queued" and seen[-1].startswith("#### Finished on **cpu** (worker ")
    assert any(h.startswith("#### Running") for h in seen)
    assert not at.error

    result = client.result(record.job_id)
    reference = result["reference_policy"]
    table = frame(at, "ft_policies_table")
    alts = ["R", "G", "B"]
    assert table.loc[TRAINED, alts].to_dict() == result["policy"]
    assert table.loc["untrained model (π_ref)", alts].to_dict() == reference
    # the theory next to it, computed by the core with the job's beta, D and reference policy
    rlhf = rlhf_policy(FIGURE_1, 0.1, None, reference)
    assert table.loc["RLHF / DPO limit (β = 0.1)", alts].to_dict() == pytest.approx(rlhf.values.to_dict(), abs=1e-12)
    assert table.loc["RLHF / DPO limit (β = 0.1)", alts].to_dict() == pytest.approx(
        result["theory"]["rlhf_policy"], abs=1e-12
    )  # the worker's own read-out agrees
    assert table.loc["maximal lottery (Nash self-play)", alts].to_dict() == pytest.approx(
        maximal_lottery(FIGURE_1).values.to_dict(), abs=1e-9
    )
    assert table.loc["MPNE_2 (multi-player self-play)", alts].to_dict() == pytest.approx(
        mpne(FIGURE_1, 2).values.to_dict(), abs=1e-9
    )
    tv = 0.5 * sum(abs(result["policy"][a] - rlhf[a]) for a in alts)
    assert table.loc["RLHF / DPO limit (β = 0.1)", "TV distance to the trained model"] == pytest.approx(tv)

    headline = texts(at.get_by_key("ft_headline").markdown)
    assert headline.startswith(
        f"DPO landed on **R** (probability {training_decimal(result['policy']['R'])}), "
        "as theory predicts: the RLHF / DPO limit (β = 0.1) is **R**"
    )
    assert "The majority's **B** (it beats every other answer head-to-head) is where Nash self-play lands" in headline
    page = texts(at.caption)
    assert f"ran on **cpu** (worker {result['worker']})" in page and "200 steps in" in page
    # DPO implies one Bradley-Terry reward; on Figure 1 it is off by 0.1757 (see tests/ui/test_pages.py)
    assert "off by up to 0.1757" in texts(at.get_by_key("ft_bt_fit").caption)
    assert "A single run has no across-seed error bar" in texts(at.markdown)

    # the trajectory: one line per answer over the logged steps, the theory's limit dashed
    trajectory = charts(at)["Probability of each answer during training"]
    lines = {t["name"]: t for t in trajectory["data"]}
    assert values(lines["R"]["x"]) == [0] + [e["step"] for e in result["trajectory"]]  # 0: the untrained model
    assert values(lines["R"]["y"]) == pytest.approx([reference["R"]] + [e["policy"]["R"] for e in result["trajectory"]])
    assert values(lines["R, RLHF / DPO limit (β = 0.1)"]["y"]) == pytest.approx([rlhf["R"]] * 2)
    # the dataset's preference estimates, with their standard errors, next to the exact P
    summary = result["dataset"]["preference_matrix"]
    pairs = frame(at, "ft_empirical_table")
    i, j = summary["alternatives"].index("R"), summary["alternatives"].index("B")
    row = pairs.loc["R vs B"]
    assert row.drop("distance (standard errors)").to_dict() == pytest.approx(
        {
            "estimate P̂[a, b]": summary["matrix"][i][j],
            "standard error": summary["standard_errors"][i][j],
            "comparisons": summary["comparisons"][i][j],
            "exact P[a, b]": 0.4,
        }
    )
    assert row["distance (standard errors)"] == training_decimal(
        abs(summary["matrix"][i][j] - 0.4) / summary["standard_errors"][i][j], 2
    )
    # every voter puts R above G: estimate 1 with standard error 0, so no distance
    assert pairs.loc["R vs G", "estimate P̂[a, b]"] == 1.0 and pairs.loc["R vs G", "distance (standard errors)"] == "–"

    # the job list survives a restart: a new client (the module's cache emptied) and a new session
    client_module._CLIENTS.clear()
    again = open_fine_tuning(AppTest.from_file(str(APP), default_timeout=60))
    assert not again.exception
    jobs = frame(again, "ft_jobs_table")
    assert jobs["job id"].tolist() == [record.job_id]
    row = jobs.iloc[0]
    assert (row["name"], row["method"], row["state"], row["device"]) == ("figure 1", "DPO", "finished", "cpu")
    assert row["settings"] == "dpo · tiny · 200 steps · beta 0.1 · 2,048 rows"
    assert row["outcome"] == f"R {training_decimal(result['policy']['R'])}"
    assert finished(again)  # the newest job opens with its result
    assert frame(again, "ft_policies_table").loc[TRAINED, alts].to_dict() == result["policy"]


def training_decimal(x: float, digits: int = 3) -> str:
    from ui.numbers import decimal

    return decimal(x, digits)


def test_cancel_a_running_job_from_the_page(app, data_dir, worker):
    worker()
    at = open_fine_tuning(app)
    at.number_input(key="ft_steps").set_value(100_000).run()
    at.button(key="ft_start").click().run()
    client = JobClient(data_dir=data_dir)
    [record] = client.list_jobs()
    run_until(at, lambda a: client.status(record.job_id).step > 0, what="the job to make progress")
    assert status_heading(at).startswith("#### Running on **cpu**")
    at.button(key="ft_cancel").click().run()
    assert not at.exception
    run_until(at, lambda a: status_heading(a).startswith("#### Cancelled"), what="the cancel")
    assert texts(at.info) == "cancelled while running"
    assert "cancelled while running" not in texts(at.caption)  # said once, not twice (issue 13, item 7)
    assert not [m for m in at.markdown if "landed on" in m.value]  # no result for a cancelled job
    status = client.status(record.job_id)
    assert status.state == "cancelled" and 0 < status.step < 100_000
    assert frame(at, "ft_jobs_table").iloc[0]["outcome"] == "cancelled while running"


def test_a_failed_job_shows_its_reason_and_the_page_keeps_working(app, data_dir, model_folder, worker):
    """The dashboard lists the operator's model folder; this worker was started without it (a worker
    configured differently from the dashboard), so the job fails, and says so without naming any path."""
    worker()
    at = open_fine_tuning(app)
    at.radio(key="ft_model_kind").set_value("checkpoint").run()
    at.selectbox(key="ft_checkpoint").set_value("demo-model").run()
    at.button(key="ft_start").click().run()
    run_until(at, lambda a: status_heading(a).startswith("#### Failed"), what="the job to fail")
    error = texts(at.error)
    assert error.startswith(
        "The job failed: model 'demo-model' is not in this worker's model folders (AGGREGATION_MODEL_DIRS)"
    ), error
    assert str(model_folder) not in error
    assert (
        frame(at, "ft_jobs_table")
        .iloc[0]["outcome"]
        .startswith("failed: model 'demo-model' is not in this worker's model folders")
    )
    at.radio(key="ft_model_kind").set_value("tiny").run()  # the page still works
    assert not at.exception


def test_self_play_shows_the_mixture_and_the_last_iterate_and_a_second_seed_gives_a_spread(app, data_dir, worker):
    worker()
    at = open_fine_tuning(app)
    at.selectbox(key="ft_method").set_value("nash").run()
    at.number_input(key="ft_steps").set_value(150).run()
    at.button(key="ft_start").click().run()
    run_until(at, finished, what="the self-play job")
    client = JobClient(data_dir=data_dir)
    [first] = client.list_jobs()
    result = client.result(first.job_id)
    table = frame(at, "ft_policies_table")
    alts = ["R", "G", "B"]
    assert table.loc[TRAINED, alts].to_dict() == result["policy"]
    assert table.loc[MIXTURE, alts].to_dict() == result["mixture"]
    headline = texts(at.get_by_key("ft_headline").markdown)
    assert headline.startswith("Nash self-play (mixture of iterates) landed on **B**")
    assert "as theory predicts: the maximal lottery (Nash self-play) is **B** with probability 1" in headline
    assert "DPO or RLHF on the same voters would land on **R**" in headline
    trajectory = charts(at)["Probability of each answer during training"]
    mixture_line = next(t for t in trajectory["data"] if t["name"] == "B, mixture of iterates")
    assert values(mixture_line["y"]) == pytest.approx(
        [result["reference_policy"]["B"]] + [e["mixture"]["B"] for e in result["trajectory"]]
    )

    # the across-seed error bar comes from running the same settings again with another seed
    at.button(key="ft_rerun_seed").click().run()
    run_until(
        at,
        lambda a: finished(a) and len(frame(a, "ft_jobs_table")) == 2 and "Across seeds" in texts(a.markdown),
        what="the second seed",
    )
    second = client.list_jobs()[0]
    assert second.spec["seed"] == 1 and {k: v for k, v in second.spec.items() if k != "seed"} == {
        k: v for k, v in first.spec.items() if k != "seed"
    }
    spread = frame(at, "ft_seed_table")
    b = [client.result(first.job_id)["mixture"]["B"], client.result(second.job_id)["mixture"]["B"]]
    assert spread.loc["B", "mean"] == pytest.approx(sum(b) / 2)
    assert spread.loc["B", "standard deviation"] == pytest.approx(abs(b[0] - b[1]) / 2**0.5)
    # any past job opens from the list
    assert at.selectbox(key="ft_job").value == second.job_id
    at.selectbox(key="ft_job").set_value(first.job_id).run()
    assert frame(at, "ft_policies_table").loc[MIXTURE, alts].to_dict() == result["mixture"]
    assert at.query_params["job"] == first.job_id


def test_user_types_with_the_consistent_loss_show_its_limit_and_the_average_reward_policy(app, data_dir, worker):
    from aggregation import RewardPopulation, average_reward_policy, consistent_policy

    users = RewardPopulation(
        {"majority": {"x": 2.0, "y": 0.0, "z": 1.0}, "minority": {"x": 0.0, "y": 3.0, "z": 1.5}},
        [3, 1],
        temperature=1.0,
    )
    app.session_state[state.POPULATION_KEY] = users
    worker()
    at = open_fine_tuning(app)
    at.selectbox(key="ft_method").set_value("consistent").run()
    at.number_input(key="ft_steps").set_value(60).run()
    at.button(key="ft_start").click().run()
    run_until(at, finished, what="the consistent-loss job")
    assert not at.error
    [record] = JobClient(data_dir=data_dir).list_jobs()
    result = JobClient(data_dir=data_dir).result(record.job_id)
    ref = result["reference_policy"]
    table = frame(at, "ft_policies_table")
    alts = ["x", "y", "z"]
    assert table.loc["consistent-loss limit (β = 0.1)", alts].to_dict() == pytest.approx(
        consistent_policy(users, 0.1, ref).to_dict(), abs=1e-12
    )
    assert table.loc["average-reward policy (β = 0.1)", alts].to_dict() == pytest.approx(
        average_reward_policy(users, 0.1, ref).to_dict(), abs=1e-12
    )
    assert "**The training data**: 2,048 rows (pairs labelled by every user type)" in texts(at.markdown)
