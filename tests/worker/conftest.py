"""Shared fixtures: an environment without any queue configuration, populations, and helpers to
start real worker processes (``python -m worker.consumer``) and wait for job states."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from aggregation import Profile, population_to_dict

REPO = Path(__file__).resolve().parents[2]
FIGURE_1 = Profile.parse("2: R > G > B\n3: B > R > G")  # Jackpot paper, Figure 1: Borda R, Condorcet B


@pytest.fixture(autouse=True)
def clean_queue_environment(monkeypatch):
    """Tests never pick up a developer's queue settings."""
    for key in list(os.environ):
        if key.startswith("AGGREGATION_"):
            monkeypatch.delenv(key)


@pytest.fixture
def figure_1() -> dict:
    return population_to_dict(FIGURE_1)


def worker_env(data_dir: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AGGREGATION_")}
    env.update(AGGREGATION_DATA_DIR=str(data_dir), PYTHONPATH=str(REPO), **extra)
    return env


def start_worker(data_dir: Path, log_name: str = "consumer.log", **extra_env) -> subprocess.Popen:
    """A real worker process on the queue of ``data_dir`` (its output goes to a log file there)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    log = open(data_dir / log_name, "ab")
    proc = subprocess.Popen(
        [sys.executable, "-m", "worker.consumer"],
        cwd=REPO,
        env=worker_env(data_dir, **extra_env),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    log.close()
    return proc


def stop_worker(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def wait_for(predicate, timeout: float = 120.0, interval: float = 0.2, what: str = "condition"):
    """Poll ``predicate`` until it returns something truthy (a safety timeout, not a speed test)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def process_alive(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False


@pytest.fixture
def workers():
    """Start workers with ``workers(data_dir)``; every one is stopped after the test."""
    started: list[subprocess.Popen] = []

    def start(data_dir: Path, **extra_env) -> subprocess.Popen:
        proc = start_worker(data_dir, log_name=f"consumer-{len(started)}.log", **extra_env)
        started.append(proc)
        return proc

    yield start
    for proc in started:
        stop_worker(proc)
