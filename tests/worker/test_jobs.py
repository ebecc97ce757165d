"""Jobs through the real SQLite queue, real worker processes and the real trainer: results, order,
cancel, killed and stopped workers, retries, malformed specs, and a dashboard restart."""

import os
import signal
import time

import pytest

from worker.client import JobClient, JobSpecError, UnknownJob
from worker.queue import JobChannel

from .conftest import process_alive, wait_for

pytestmark = pytest.mark.slow

LONG = 100_000  # steps: a job that runs until it is stopped


def spec(population, **settings):
    return {"population": population, "method": "dpo", "dataset_size": 256, **settings}


def running_with_progress(client, job_id):
    s = client.status(job_id)
    return s.state == "running" and s.step > 0


def trainer_pid(client, job_id):
    return JobChannel(client.huey).state(job_id)["trainer_pid"]


def test_jobs_run_in_order_finish_and_survive_a_dashboard_restart(tmp_path, figure_1, workers):
    client = JobClient(data_dir=tmp_path)
    ids = [
        client.submit(spec(figure_1, steps=30, name="first")),
        client.submit(spec(figure_1, steps=3, method="nash")),
        client.submit(spec(figure_1, steps=3, seed=7)),
    ]
    assert [client.status(j).state for j in ids] == ["queued"] * 3
    assert client.status(ids[2]).message == "waiting for a worker (2 jobs ahead)"
    workers(tmp_path)
    wait_for(lambda: all(client.status(j).done for j in ids), what="three jobs")
    statuses = [client.status(j) for j in ids]
    assert [s.state for s in statuses] == ["finished"] * 3
    assert all(s.fraction == 1.0 and s.step == s.total_steps for s in statuses)
    # one worker, one job at a time, in submission order
    assert statuses[0].finished_at <= statuses[1].started_at and statuses[1].finished_at <= statuses[2].started_at
    events = client.events(ids[0])
    assert [e["step"] for e in events] == list(range(1, 31))
    assert set(events[-1]["policy"]) == {"R", "G", "B"} and "loss" in events[-1] and "outside_mass" in events[-1]
    result = client.result(ids[0])
    assert result["policy"] == events[-1]["policy"] and result["job_id"] == ids[0]
    assert client.result(ids[1])["mixture"] is not None

    restarted = JobClient(data_dir=tmp_path)  # a fresh dashboard process on the same data folder
    listed = restarted.list_jobs()
    assert [r.job_id for r in listed] == ids[::-1]  # newest first
    assert listed[-1].spec["steps"] == 30 and listed[-1].name == "first" and listed[-1].status.state == "finished"
    assert listed[-1].summary == "dpo · tiny · 30 steps · beta 0.1 · 256 rows"
    assert restarted.result(ids[0]) == result and restarted.events(ids[0]) == events
    with pytest.raises(UnknownJob):
        restarted.status("no-such-job")


def test_cancel_a_running_job_kills_the_trainer(tmp_path, figure_1, workers):
    client = JobClient(data_dir=tmp_path)
    workers(tmp_path)
    long_job = client.submit(spec(figure_1, steps=LONG))
    after = client.submit(spec(figure_1, steps=2))
    wait_for(lambda: running_with_progress(client, long_job), what="the long job to make progress")
    pid = trainer_pid(client, long_job)
    assert process_alive(pid)
    assert client.cancel(long_job) is True
    assert client.status(long_job).message == "cancelling..."
    wait_for(lambda: client.status(long_job).state == "cancelled", what="the cancel")
    assert not process_alive(pid)
    s = client.status(long_job)
    assert s.message == "cancelled while running" and 0 < s.step < LONG and client.result(long_job) is None
    assert len(client.events(long_job)) > 0
    wait_for(lambda: client.status(after).state == "finished", what="the next job")  # the worker is free again
    assert client.cancel(after) is False  # already over


def test_cancel_a_queued_job_before_any_worker_sees_it(tmp_path, figure_1, workers):
    client = JobClient(data_dir=tmp_path)
    doomed = client.submit(spec(figure_1, steps=2))
    assert client.cancel(doomed) is True
    s = client.status(doomed)
    assert (s.state, s.message) == ("cancelled", "cancelled before it started")
    kept = client.submit(spec(figure_1, steps=2))
    workers(tmp_path)
    wait_for(lambda: client.status(kept).state == "finished", what="the job behind it")
    assert client.status(doomed).state == "cancelled"
    assert not (tmp_path / "runs" / f"{doomed}-1").exists()  # it never ran


def test_a_killed_worker_leaves_the_job_failed_with_the_reason(tmp_path, figure_1, workers):
    client = JobClient(data_dir=tmp_path, stale_after_s=4)
    worker = workers(tmp_path)
    job = client.submit(spec(figure_1, steps=LONG))
    wait_for(lambda: running_with_progress(client, job), what="the job to make progress")
    pid = trainer_pid(client, job)
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait()
    wait_for(lambda: client.status(job).state == "failed", what="the job to be marked failed")
    s = client.status(job)
    assert "stopped sending heartbeats" in s.error and "probably killed" in s.error
    assert s.worker in s.error and s.finished_at is not None
    wait_for(lambda: not process_alive(pid), timeout=30, what="the orphaned trainer to exit")


def test_a_killed_worker_job_is_retried_when_configured(tmp_path, figure_1, workers):
    client = JobClient(data_dir=tmp_path, stale_after_s=4, max_retries=1)
    first = workers(tmp_path)
    job = client.submit(spec(figure_1, steps=300))
    wait_for(lambda: running_with_progress(client, job), what="the job to make progress")
    os.kill(first.pid, signal.SIGKILL)
    first.wait()
    wait_for(lambda: client.status(job).state == "queued", what="the job to be queued again")
    s = client.status(job)
    assert s.attempt == 2 and s.message.startswith("queued again: the worker") and s.step == 0
    workers(tmp_path)
    wait_for(lambda: client.status(job).done, what="the second attempt")
    s = client.status(job)
    assert (s.state, s.attempt) == ("finished", 2) and client.result(job)["run_dir"].endswith(f"{job}-2")


def test_a_stopped_worker_reports_the_interrupted_job_at_once(tmp_path, figure_1, workers):
    client = JobClient(data_dir=tmp_path)  # default stale limit (60 s): the report must not depend on it
    worker = workers(tmp_path)
    job = client.submit(spec(figure_1, steps=LONG))
    wait_for(lambda: running_with_progress(client, job), what="the job to make progress")
    pid = trainer_pid(client, job)
    worker.send_signal(signal.SIGTERM)
    worker.wait(30)
    wait_for(lambda: client.status(job).state == "failed", timeout=20, what="the interrupted job's report")
    assert client.status(job).error == "the worker was shut down while this job was running"
    assert not process_alive(pid)


def test_a_malformed_spec_is_refused_before_it_is_queued(tmp_path, figure_1):
    client = JobClient(data_dir=tmp_path)
    with pytest.raises(JobSpecError, match="learning_rate must be > 0"):
        client.submit(spec(figure_1, learning_rate=0))
    with pytest.raises(JobSpecError, match=r"population.rankings\[0\]"):
        client.submit(spec({"kind": "rankings", "rankings": [{"ranking": "R > R"}]}))
    assert client.huey.pending_count() == 0 and client.list_jobs() == []


def test_status_calls_do_not_wait_for_a_worker(tmp_path, figure_1):
    client = JobClient(data_dir=tmp_path)
    job = client.submit(spec(figure_1, steps=5))
    t0 = time.perf_counter()
    for _ in range(20):
        client.status(job), client.events(job), client.result(job), client.list_jobs()
    assert client.status(job).state == "queued"  # nothing runs it, and nothing waited for it
    print(f"80 polling calls: {time.perf_counter() - t0:.3f} s")
