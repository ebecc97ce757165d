"""The warm trainer (worker.forkserver): jobs are forked from one server that imported torch once; each
job is still a process of its own, so a killed or crashing job leaves the server serving the next one."""

import json
import os
import signal
import subprocess
import sys

import pytest

from worker.forkserver import ForkServer
from worker.spec import validate_spec

from .conftest import REPO, wait_for


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """One server for the module (its imports take a few seconds)."""
    s = ForkServer(tmp_path_factory.mktemp("forkserver") / "forkserver.log")
    s.start()
    yield s
    s.stop()


def job_files(tmp_path, name, figure_1, **settings):
    run_dir = tmp_path / name
    run_dir.mkdir()
    (run_dir / "run.json").write_text(
        json.dumps(validate_spec({"population": figure_1, "method": "dpo", "model": "tabular", **settings}))
    )
    return ["--config", str(run_dir / "run.json"), "--run-dir", str(run_dir), "--parent-pid", "1"], run_dir


def test_a_forked_job_runs_the_trainer_and_writes_its_result(tmp_path, server, figure_1):
    argv, run_dir = job_files(tmp_path, "a", figure_1, steps=50)
    job = server.spawn(argv, run_dir / "trainer.log")
    assert job is not None and job.wait(120) == 0
    result = json.loads((run_dir / "result.json").read_text())
    assert result["settings"]["steps"] == 50 and result["policy"]["R"] > result["policy"]["G"]
    events = [json.loads(line)["event"] for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    assert events[0] == "start" and events[-1] == "done"
    assert os.getpgid(server._proc.pid) != os.getpgid(0)


def test_a_killed_job_does_not_take_the_server_with_it(tmp_path, server, figure_1):
    argv, run_dir = job_files(tmp_path, "long", figure_1, steps=100_000)
    job = server.spawn(argv, run_dir / "trainer.log")
    wait_for(
        lambda: (run_dir / "metrics.jsonl").exists() and "progress" in (run_dir / "metrics.jsonl").read_text(),
        what="the long job to make progress",
    )
    assert os.getpgid(job.pid) == job.pid  # its own session: the worker kills its process group
    os.killpg(job.pid, signal.SIGKILL)
    assert job.wait(30) == -signal.SIGKILL
    server_pid, starts = server._proc.pid, server.starts
    argv, run_dir = job_files(tmp_path, "next", figure_1, steps=5)
    assert server.spawn(argv, run_dir / "trainer.log").wait(60) == 0
    assert server._proc.pid == server_pid and server.starts == starts


def test_a_refused_spec_exits_2_and_a_dead_server_is_started_again(tmp_path, server, figure_1):
    run_dir = tmp_path / "bad"
    run_dir.mkdir()
    (run_dir / "run.json").write_text(json.dumps({"population": figure_1, "method": "dpo", "steps": 0}))
    job = server.spawn(["--config", str(run_dir / "run.json"), "--run-dir", str(run_dir)], run_dir / "trainer.log")
    assert job.wait(60) == 2
    assert "steps must be a whole number" in (run_dir / "metrics.jsonl").read_text()
    starts = server.starts
    os.killpg(server._proc.pid, signal.SIGKILL)
    server._proc.wait()
    argv, run_dir = job_files(tmp_path, "again", figure_1, steps=5)
    assert server.spawn(argv, run_dir / "trainer.log").wait(120) == 0 and server.starts == starts + 1


def test_the_server_exits_with_the_worker_that_started_it(tmp_path):
    code = (
        "import sys, time; sys.path.insert(0, %r)\n"
        "from worker.forkserver import ForkServer\n"
        "s = ForkServer(); s.start(); s._ready.wait(120); print(s._proc.pid, flush=True)\n" % str(REPO)
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=180)
    pid = int(proc.stdout.split()[0])

    def gone():
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split()[2] == "Z"

    wait_for(gone, timeout=30, what="the server to exit")
