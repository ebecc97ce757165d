"""The dashboard's embedded worker: started with the command, one per data folder (PID file),
stopped when the command ends; ``scripts/dashboard`` goes through it."""

import json
import subprocess
import sys

import pytest

from worker.client import JobClient

from .conftest import REPO, process_alive, wait_for, worker_env

pytestmark = pytest.mark.slow

WAIT_FOR_FLAG = "import os, sys, time\nwhile not os.path.exists(sys.argv[1]): time.sleep(0.1)\nprint('command done')"


def supervisor(data_dir, flag):
    return subprocess.Popen(
        [sys.executable, "-m", "worker.local", "--", sys.executable, "-c", WAIT_FOR_FLAG, str(flag)],
        cwd=REPO,
        env=worker_env(data_dir),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def consumer_pid(data_dir):
    try:
        text = (data_dir / "worker.pid").read_text().strip()
    except FileNotFoundError:
        return None
    return int(text) if text else None


def test_the_command_runs_with_one_local_worker_that_stops_with_it(tmp_path, figure_1):
    first = supervisor(tmp_path, tmp_path / "stop-1")
    pid = wait_for(lambda: consumer_pid(tmp_path), what="the PID file")
    assert process_alive(pid)
    assert "worker.consumer" in open(f"/proc/{pid}/cmdline").read()

    second = supervisor(tmp_path, tmp_path / "stop-2")  # a second dashboard on the same data folder
    (tmp_path / "stop-2").touch()
    out, err = second.communicate(timeout=60)
    assert second.returncode == 0 and out.strip() == "command done"
    assert "a local worker is already running" in err
    assert consumer_pid(tmp_path) == pid and process_alive(pid)  # the first one's worker is untouched

    client = JobClient(data_dir=tmp_path)
    job = client.submit({"population": figure_1, "method": "dpo", "steps": 3, "dataset_size": 64})
    wait_for(lambda: client.status(job).state == "finished", what="the embedded worker to run the job")

    (tmp_path / "stop-1").touch()
    out, err = first.communicate(timeout=60)
    assert first.returncode == 0 and out.strip() == "command done"
    assert f"started a local worker (pid {pid})" in err
    wait_for(lambda: not process_alive(pid), timeout=30, what="the worker to stop")
    assert not (tmp_path / "worker.pid").exists()


def test_scripts_dashboard_starts_the_dashboard_through_the_local_worker():
    script = (REPO / "scripts" / "dashboard").read_text()
    launch = [line for line in script.splitlines() if line.startswith("exec ")]
    assert launch == ['exec "$VENV/bin/python" -m worker.local -- "$VENV/bin/python" -m ui.launch "$@"']


def test_the_local_worker_can_be_switched_off(tmp_path):
    env = worker_env(tmp_path, AGGREGATION_LOCAL_WORKER="0")
    done = subprocess.run(
        [sys.executable, "-m", "worker.local", "--", sys.executable, "-c", "print('ran')"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0 and done.stdout.strip() == "ran"
    assert "no local worker" in done.stderr and not (tmp_path / "worker.pid").exists()


SERVE_FOREVER = "import time\nwhile True: time.sleep(0.2)"


def test_after_the_supervisor_is_killed_the_next_one_stops_the_orphaned_dashboard_and_starts_a_worker(tmp_path):
    """scripts/dashboard killed outright leaves its dashboard running (it keeps serving, with no worker) and
    a stale worker.pid; the next scripts/dashboard on the same data folder stops that orphan (so its port
    is free again) and starts a worker of its own instead of failing."""
    import os
    import signal

    first = subprocess.Popen(
        [sys.executable, "-m", "worker.local", "--", sys.executable, "-c", SERVE_FOREVER],
        cwd=REPO,
        env=worker_env(tmp_path),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    worker = wait_for(lambda: consumer_pid(tmp_path), what="the first worker")
    record = wait_for(lambda: list((tmp_path / "dashboards").glob("*.json")), what="the supervisor's record")
    orphan = wait_for(lambda: json.loads(record[0].read_text() or "{}").get("pid"), what="the command's pid")
    assert process_alive(orphan)
    os.kill(first.pid, signal.SIGKILL)
    first.wait(10)
    wait_for(lambda: not process_alive(worker), timeout=30, what="the worker to notice its supervisor is gone")
    assert process_alive(orphan) and (tmp_path / "worker.pid").exists()  # the dashboard serves on, stale PID file

    second = supervisor(tmp_path, tmp_path / "stop")
    new_worker = wait_for(
        lambda: consumer_pid(tmp_path) not in (None, worker) and consumer_pid(tmp_path), what="a new worker"
    )
    assert not process_alive(orphan) and process_alive(new_worker)
    (tmp_path / "stop").touch()
    out, err = second.communicate(timeout=60)
    assert second.returncode == 0 and out.strip() == "command done"
    assert f"stopped pid {orphan}, a dashboard left running by an earlier scripts/dashboard" in err
    assert f"started a local worker (pid {new_worker})" in err
    assert list((tmp_path / "dashboards").glob("*.json")) == []


def test_a_live_supervisors_dashboard_is_never_stopped(tmp_path):
    first = supervisor(tmp_path, tmp_path / "stop-1")
    record = wait_for(lambda: list((tmp_path / "dashboards").glob("*.json")), what="the first record")
    command = wait_for(lambda: json.loads(record[0].read_text() or "{}").get("pid"), what="the command's pid")
    second = supervisor(tmp_path, tmp_path / "stop-2")
    (tmp_path / "stop-2").touch()
    out, err = second.communicate(timeout=60)
    assert second.returncode == 0 and "stopped pid" not in err and process_alive(command)
    (tmp_path / "stop-1").touch()
    assert first.communicate(timeout=60)[0].strip() == "command done"
