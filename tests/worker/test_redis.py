"""The shared-queue mode against a real redis-server (127.0.0.1, with a password), started here.

Skipped when the ``redis-server`` binary is absent (``scripts/test`` installs it)."""

import shutil
import socket
import subprocess
import time

import pytest
import redis

from worker.client import JobClient, QueueUnavailable
from worker.config import QueueConfigError

from .conftest import wait_for

pytestmark = pytest.mark.slow
PASSWORD = "test-only-5f2c9e"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (scripts/test installs it)")
    port, folder = free_port(), tmp_path_factory.mktemp("redis")
    proc = subprocess.Popen(
        [
            binary,
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--requirepass",
            PASSWORD,
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(folder),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    conn = redis.Redis(host="127.0.0.1", port=port, password=PASSWORD)
    deadline = time.monotonic() + 20
    while True:
        try:
            conn.ping()
            break
        except redis.exceptions.ConnectionError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                raise
            time.sleep(0.1)
    yield f"redis://:{PASSWORD}@127.0.0.1:{port}/0"
    proc.terminate()
    proc.wait(10)


def test_jobs_run_through_a_shared_redis_queue(tmp_path, redis_url, figure_1, workers):
    # the dashboard and the worker share nothing but the queue: separate data folders
    dashboard, gpu_box = tmp_path / "dashboard", tmp_path / "gpu-box"
    client = JobClient(data_dir=dashboard, queue_url=redis_url, queue_name="jobs-test-1")
    assert client.config.backend == "redis"
    done = client.submit({"population": figure_1, "method": "nash", "steps": 20, "dataset_size": 256})
    stopped = client.submit({"population": figure_1, "method": "dpo", "steps": 100_000, "dataset_size": 256})
    workers(gpu_box, AGGREGATION_QUEUE_URL=redis_url, AGGREGATION_QUEUE_NAME="jobs-test-1")
    wait_for(lambda: client.status(done).state == "finished", what="the job on the Redis queue")
    result = client.result(done)
    assert result["mixture"]["B"] > result["mixture"]["G"]
    assert result["run_dir"].startswith(str(gpu_box)) and not (dashboard / "runs").exists()
    assert [e["step"] for e in client.events(done)] == list(range(1, 21))
    wait_for(lambda: client.status(stopped).step > 0, what="the second job to run")
    client.cancel(stopped)
    wait_for(lambda: client.status(stopped).state == "cancelled", what="the cancel over Redis")
    # the records stay on the dashboard's side
    assert [r.job_id for r in JobClient(data_dir=dashboard, queue_url=redis_url).list_jobs()] == [stopped, done]


def test_a_wrong_password_is_reported_plainly(tmp_path, redis_url, figure_1, workers):
    wrong = redis_url.replace(PASSWORD, "not-the-password")
    client = JobClient(data_dir=tmp_path, queue_url=wrong)
    with pytest.raises(QueueUnavailable, match="could not queue the job on the Redis queue redis://127.0.0.1"):
        client.submit({"population": figure_1, "method": "dpo"})
    assert client.list_jobs() == []
    worker = workers(tmp_path / "w", AGGREGATION_QUEUE_URL=wrong)
    assert worker.wait(60) != 0
    log = (tmp_path / "w" / "consumer-0.log").read_text()
    assert "cannot use the Redis queue redis://127.0.0.1" in log and "not-the-password" not in log


def test_redis_without_a_password_is_refused(tmp_path, redis_url):
    bare = redis_url.replace(f":{PASSWORD}@", "")
    with pytest.raises(QueueConfigError, match="a Redis queue must be used with a password"):
        JobClient(data_dir=tmp_path, queue_url=bare)
    assert JobClient(data_dir=tmp_path, queue_url=bare, queue_password=PASSWORD).huey.pending_count() == 0


def test_an_unreachable_queue_does_not_break_the_dashboard(tmp_path, redis_url, figure_1):
    job = JobClient(data_dir=tmp_path, queue_url=redis_url).submit({"population": figure_1, "method": "dpo"})
    dead = f"redis://:{PASSWORD}@127.0.0.1:{free_port()}/0"  # nothing listens there
    client = JobClient(data_dir=tmp_path, queue_url=dead)
    s = client.status(job)
    assert s.state == "queued" and s.message.startswith("cannot reach the Redis queue redis://127.0.0.1")
    assert PASSWORD not in s.message
    back = JobClient(data_dir=tmp_path, queue_url=redis_url).status(job)  # the queue is back
    assert back.message == "waiting for a worker"
    assert [r.job_id for r in client.list_jobs()] == [job] and client.events(job) == []
    with pytest.raises(QueueUnavailable, match="could not queue the job"):
        client.submit({"population": figure_1, "method": "dpo"})


def start_redis(port: int, folder) -> subprocess.Popen:
    """A redis-server without persistence (nothing survives a restart), as in the fixture above."""
    proc = subprocess.Popen(
        [
            shutil.which("redis-server"),
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--requirepass",
            PASSWORD,
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(folder),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    conn = redis.Redis(host="127.0.0.1", port=port, password=PASSWORD)
    wait_for(lambda: _pings(conn) or proc.poll() is not None, timeout=20, what="redis-server")
    assert proc.poll() is None
    return proc


def _pings(conn) -> bool:
    try:
        return bool(conn.ping())
    except redis.exceptions.ConnectionError:
        return False


def test_a_restart_without_persistence_fails_the_lost_jobs_with_the_reason_and_a_new_worker_runs_new_ones(
    tmp_path, redis_url, figure_1, workers
):
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    port = free_port()
    url = f"redis://:{PASSWORD}@127.0.0.1:{port}/0"
    proc = start_redis(port, tmp_path)
    try:
        client = JobClient(data_dir=tmp_path / "dashboard", queue_url=url, queue_name="jobs-restart")
        lost = client.submit({"population": figure_1, "method": "dpo", "steps": 3, "dataset_size": 64})
        assert client.status(lost).state == "queued"
        proc.terminate()
        proc.wait(10)
        proc = start_redis(port, tmp_path)  # back, empty
        status = client.status(lost)
        assert status.state == "failed" and status.error.startswith(
            "its entry in the queue is gone: the queue was emptied or restarted without keeping its data"
        )
        fresh = client.submit({"population": figure_1, "method": "dpo", "steps": 3, "dataset_size": 64})
        workers(tmp_path / "gpu-box", AGGREGATION_QUEUE_URL=url, AGGREGATION_QUEUE_NAME="jobs-restart")
        wait_for(lambda: client.status(fresh).state == "finished", what="a job queued after the restart")
        assert client.worker_status().alive
        assert [r.status.state for r in client.list_jobs()] == ["finished", "failed"]
    finally:
        proc.terminate()
        proc.wait(10)
