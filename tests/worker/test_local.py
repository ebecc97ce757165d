"""The dashboard's embedded worker: started with the command, one per data folder (PID file),
stopped when the command ends; ``scripts/dashboard`` goes through it."""
import subprocess
import sys

import pytest

from worker.client import JobClient

from .conftest import REPO, process_alive, wait_for, worker_env

pytestmark = pytest.mark.slow

WAIT_FOR_FLAG = "import os, sys, time\nwhile not os.path.exists(sys.argv[1]): time.sleep(0.1)\nprint('command done')"


def supervisor(data_dir, flag):
    return subprocess.Popen([sys.executable, "-m", "worker.local", "--", sys.executable, "-c", WAIT_FOR_FLAG, str(flag)],
                            cwd=REPO, env=worker_env(data_dir), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


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
    done = subprocess.run([sys.executable, "-m", "worker.local", "--", sys.executable, "-c", "print('ran')"],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == "ran"
    assert "no local worker" in done.stderr and not (tmp_path / "worker.pid").exists()
