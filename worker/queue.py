"""The queue: a Huey instance per configuration, the channel between dashboard and workers, and
the task that runs one job.

Engine: ``SqliteHuey`` (one file in the data folder) by default, ``RedisHuey`` when a queue URL
is configured; both with :class:`~worker.serialization.JsonSerializer` and ``results=False``
(job outcomes never go through Huey's result store, which pops values on read).

Everything a worker tells the dashboard goes through Huey's key-value store, so a worker on
another machine needs nothing but the queue (no shared disk):

* ``job:<id>:state``: ``{"state", "attempt", "step", "total_steps", "message", "error",
  "started_at", "finished_at", "beat", "n_events", "worker", "trainer_pid", "device"}``; the worker rewrites it at
  least every ``heartbeat_s`` while the job runs (``beat`` counts up; the dashboard marks a
  job failed when ``beat`` stops changing for ``stale_after_s``);
* ``job:<id>:events``: the progress events so far (a list), ``job:<id>:result``: the result;
* ``job:<id>:cancel``: set by the dashboard; the worker polls it every 0.25 s;
* ``job:<id>:queued``: ``{"attempt"}``, set by the dashboard with the task: when a queued job's
  marker is gone, so is its task (the queue was emptied, e.g. Redis restarted without persistence);
* ``workers:beat``: ``{"worker", "at"}``, rewritten by every idle or busy worker every
  :data:`WORKER_BEAT_S` seconds (the last writer wins: the dashboard only asks whether *some*
  worker spoke lately).

The task (:func:`execute_job`) runs the trainer as a child process in its own session
(``python -m worker.train --config run.json --run-dir DIR --parent-pid <worker>``), follows
its ``metrics.jsonl``, and on cancel, time limit or worker shutdown kills the child's whole
process group (SIGTERM, then SIGKILL after 3 s). Huey cannot interrupt a running task
itself (huey issue 803), hence the child process.
"""

from __future__ import annotations

import json
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from huey import RedisHuey, SqliteHuey
from huey.signals import SIGNAL_INTERRUPTED

from .config import REPO_ROOT, WorkerConfig
from .serialization import JsonSerializer

TASK_NAME = "run_job"
POLL_S = 0.25
KILL_GRACE_S = 3.0
LOG_TAIL_CHARS = 1500
#: Seconds between two "I am here" beats of a worker (``workers:beat``).
WORKER_BEAT_S = 2.0
WORKER_BEAT_KEY = "workers:beat"

# jobs running in this worker process: job id -> (child process, reason it was stopped)
_RUNNING: dict[str, subprocess.Popen] = {}
_STOPPED_BY_SHUTDOWN: set[str] = set()
_LOCK = threading.Lock()
logger = logging.getLogger("worker.queue")


def make_huey(config: WorkerConfig):
    """The Huey instance for ``config``, with the job task registered (as ``worker.queue.run_job``)."""
    serializer = JsonSerializer()
    if config.backend == "sqlite":
        config.data_dir.mkdir(parents=True, exist_ok=True)
        huey = SqliteHuey(name=config.queue_name, filename=str(config.queue_file), results=False, serializer=serializer)
    else:
        from redis import ConnectionPool

        pool = ConnectionPool.from_url(
            config.queue_url,
            password=config.password,
            socket_connect_timeout=1,
            socket_timeout=5,
            health_check_interval=30,
        )
        huey = RedisHuey(name=config.queue_name, connection_pool=pool, results=False, serializer=serializer)

    @huey.task(name=TASK_NAME)
    def run_job(job_id: str, spec: dict, attempt: int):
        execute_job(huey, config, job_id, spec, attempt)

    @huey.signal(SIGNAL_INTERRUPTED)
    def on_interrupted(signal_name, task, *args, **kwargs):
        """The consumer is shutting down with this job still running: stop it and say so."""
        if task.args:
            stop_for_shutdown(huey, task.args[0], task.args[2] if len(task.args) > 2 else 1)

    huey.run_job = run_job
    return huey


class JobChannel:
    """The keys through which the dashboard and the workers talk (Huey's key-value store)."""

    def __init__(self, huey):
        self.huey = huey

    def _get(self, job_id: str, what: str):
        return self.huey.get(f"job:{job_id}:{what}", peek=True)

    def _put(self, job_id: str, what: str, value) -> None:
        self.huey.put(f"job:{job_id}:{what}", value)

    def state(self, job_id: str) -> dict | None:
        return self._get(job_id, "state")

    def put_state(self, job_id: str, state: dict) -> None:
        self._put(job_id, "state", state)

    def events(self, job_id: str) -> list:
        return self._get(job_id, "events") or []

    def put_events(self, job_id: str, events: list) -> None:
        self._put(job_id, "events", events)

    def result(self, job_id: str) -> dict | None:
        return self._get(job_id, "result")

    def put_result(self, job_id: str, result: dict) -> None:
        self._put(job_id, "result", result)

    def request_cancel(self, job_id: str) -> None:
        self._put(job_id, "cancel", {"at": time.time()})

    def cancel_requested(self, job_id: str) -> bool:
        return self._get(job_id, "cancel") is not None

    def mark_queued(self, job_id: str, attempt: int) -> None:
        self._put(job_id, "queued", {"attempt": attempt})

    def queued_mark(self, job_id: str) -> dict | None:
        return self._get(job_id, "queued")

    def put_worker_beat(self, worker: str) -> None:
        self.huey.put(WORKER_BEAT_KEY, {"worker": worker, "at": time.time()})

    def worker_beat(self) -> dict | None:
        return self.huey.get(WORKER_BEAT_KEY, peek=True)


def _worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def beat_forever(huey, interval: float = WORKER_BEAT_S) -> threading.Thread:
    """Start a daemon thread that tells the dashboard this worker is alive every ``interval`` seconds
    (a queue outage only skips beats)."""
    channel, name = JobChannel(huey), _worker_name()

    def loop():
        while True:
            try:
                channel.put_worker_beat(name)
            except Exception as exc:  # noqa: BLE001 - sqlite locked, redis gone: try again next time
                logger.warning("cannot reach the queue to say this worker is alive: %s", exc)
            time.sleep(interval)

    thread = threading.Thread(target=loop, name="worker-beat", daemon=True)
    thread.start()
    return thread


_WARM: dict = {}


def warm_enabled() -> bool:
    """The warm trainer (:mod:`worker.forkserver`) serves jobs unless ``AGGREGATION_WARM_TRAINER=0``."""
    return os.environ.get("AGGREGATION_WARM_TRAINER", "1").strip() != "0"


def warm_trainer(config: WorkerConfig):
    """This worker's fork server (started on first use; :func:`worker.consumer.main` starts it at once)."""
    from .forkserver import ForkServer

    with _LOCK:
        server = _WARM.get("server")
        if server is None:
            config.data_dir.mkdir(parents=True, exist_ok=True)
            server = _WARM["server"] = ForkServer(config.data_dir / "forkserver.log")
    return server


def _kill_group(proc) -> None:
    for sig, wait in ((signal.SIGTERM, KILL_GRACE_S), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(wait)
            return
        except subprocess.TimeoutExpired:
            continue


def stop_for_shutdown(huey, job_id: str, attempt: int) -> None:
    with _LOCK:
        proc = _RUNNING.get(job_id)
        _STOPPED_BY_SHUTDOWN.add(job_id)
    if proc is not None:
        _kill_group(proc)
    JobChannel(huey).put_state(
        job_id,
        {
            "state": "failed",
            "attempt": attempt,
            "worker": _worker_name(),
            "finished_at": time.time(),
            "error": "the worker was shut down while this job was running",
            "message": None,
        },
    )


class _EventReader:
    """Reads complete JSON lines appended to a file since the last call."""

    def __init__(self, path: Path):
        self.path, self.offset, self.buffer = path, 0, b""

    def read(self) -> list[dict]:
        try:
            with open(self.path, "rb") as f:
                f.seek(self.offset)
                chunk = f.read()
        except FileNotFoundError:
            return []
        self.offset += len(chunk)
        self.buffer += chunk
        *lines, self.buffer = self.buffer.split(b"\n")
        out = []
        for line in lines:
            try:
                obj = json.loads(line)
            except ValueError:
                continue
            if isinstance(obj, dict):
                out.append(obj)
        return out


_EXCEPTION_LINE = re.compile(r"^([A-Za-z_][\w.]*(?:Error|Exception|Interrupt|Exit))\b")


def _last_error(path: Path) -> str:
    """`` (MemoryError)``: the kind of the last exception in the trainer's log, or "" (never its message,
    which may quote file contents or paths)."""
    try:
        with open(path, "rb") as f:
            f.seek(max(0, f.seek(0, os.SEEK_END) - LOG_TAIL_CHARS))
            lines = f.read().decode("utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    kinds = [m.group(1).rsplit(".", 1)[-1] for line in lines if (m := _EXCEPTION_LINE.match(line))]
    return f" ({kinds[-1]})" if kinds else ""


def execute_job(huey, config: WorkerConfig, job_id: str, spec: dict, attempt: int) -> None:
    """Run one job to its end, reporting through :class:`JobChannel`. Never raises: an unexpected
    error is reported as the job's failure (the heartbeat check covers the case where even that
    report cannot reach the queue)."""
    try:
        _execute(huey, config, job_id, spec, attempt)
    except Exception as exc:  # noqa: BLE001
        logger.exception("job %s failed inside the worker", job_id)
        try:
            JobChannel(huey).put_state(
                job_id,
                {
                    "state": "failed",
                    "attempt": attempt,
                    "worker": _worker_name(),
                    "finished_at": time.time(),
                    "error": f"the worker failed ({type(exc).__name__}); see its log",
                },
            )
        except Exception:  # noqa: BLE001
            logger.exception("job %s: could not report the failure", job_id)


def _execute(huey, config: WorkerConfig, job_id: str, spec: dict, attempt: int) -> None:
    channel = JobChannel(huey)
    base = {"attempt": attempt, "worker": _worker_name()}

    def finish(state: str, **fields) -> None:
        channel.put_state(job_id, {**base, "state": state, "finished_at": time.time(), **fields})

    if channel.cancel_requested(job_id):
        finish("cancelled", message="cancelled before it started", started_at=None)
        return
    try:  # what this wrapper needs; the trainer validates the whole spec again itself
        total_steps, time_limit = int(spec["steps"]), float(spec["time_limit_s"])
    except (TypeError, KeyError, ValueError) as exc:
        finish("failed", error=f"the job spec was refused by the worker: {exc!r}")
        return

    run_dir = config.runs_dir / f"{job_id}-{attempt}"
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / "run.json").write_text(json.dumps(spec), encoding="utf-8")
    started = time.time()
    state = {
        **base,
        "state": "running",
        "step": 0,
        "total_steps": total_steps,
        "started_at": started,
        "message": "starting the trainer",
        "error": None,
        "beat": 0,
        "n_events": 0,
    }
    channel.put_state(job_id, state)

    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join([str(REPO_ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        PYTHONUNBUFFERED="1",
    )
    cmd = [
        sys.executable,
        "-m",
        "worker.train",
        "--config",
        str(run_dir / "run.json"),
        "--run-dir",
        str(run_dir),
        "--parent-pid",
        str(os.getpid()),
    ]
    log_path = run_dir / "trainer.log"
    proc = None
    if warm_enabled():
        from .forkserver import READY_TIMEOUT_S

        server, waited = warm_trainer(config), 0.0
        while not server.wait_ready(config.heartbeat_s) and waited < READY_TIMEOUT_S:
            waited += config.heartbeat_s  # its imports take seconds: keep beating, so the job is not taken for lost
            state["beat"] += 1
            channel.put_state(job_id, state)
        proc = server.spawn(cmd[3:], log_path)
    if proc is None:  # the cold path: a new interpreter imports torch and transformers for this job
        with open(log_path, "ab") as log:
            try:
                proc = subprocess.Popen(
                    cmd,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    start_new_session=True,
                    cwd=str(REPO_ROOT),
                    env=env,
                )
            except OSError as exc:
                logger.error("job %s: could not start the trainer: %s", job_id, exc)
                finish(
                    "failed",
                    error=f"could not start the trainer ({type(exc).__name__}); see the worker's log",
                    started_at=started,
                )
                return
    with _LOCK:
        _RUNNING[job_id] = proc
    state["trainer_pid"] = proc.pid
    reader = _EventReader(run_dir / "metrics.jsonl")
    events: list[dict] = []
    error_message = None
    outcome = None
    deadline = time.monotonic() + time_limit
    last_write = 0.0
    queue_seen = time.monotonic()

    def talk(fn, *args):
        """A queue call that a short outage must not break (the heartbeat just skips a beat)."""
        nonlocal queue_seen
        try:
            value = fn(*args)
        except Exception as exc:  # noqa: BLE001 - sqlite locked, redis connection reset, ...
            logger.warning("job %s: cannot reach the queue: %s", job_id, exc)
            return None
        queue_seen = time.monotonic()
        return value

    try:
        while True:
            rc = proc.poll()
            new_progress = False
            for ev in reader.read():
                kind = ev.pop("event", None)
                if kind == "progress":
                    events.append(ev)
                    state.update(step=ev.get("step", state["step"]), message="training")
                    new_progress = True
                elif kind == "start":
                    state.update(
                        message="training",
                        total_steps=ev.get("total_steps", state["total_steps"]),
                        device=ev.get("device"),
                    )
                elif kind == "error":
                    error_message = ev.get("message")
            if new_progress:
                talk(channel.put_events, job_id, events)
                state["n_events"] = len(events)
            if rc is not None:
                break
            if talk(channel.cancel_requested, job_id):
                _kill_group(proc)
                outcome = ("cancelled", {"message": "cancelled while running", "step": state["step"]})
                break
            if time.monotonic() > deadline:
                _kill_group(proc)
                outcome = (
                    "failed",
                    {"error": f"the job ran past its time limit of {time_limit:g} s", "step": state["step"]},
                )
                break
            if time.monotonic() - queue_seen > config.stale_after_s:
                _kill_group(proc)  # the dashboard has given up on this job by now
                outcome = ("failed", {"error": "the worker lost its connection to the queue", "step": state["step"]})
                break
            if new_progress or time.monotonic() - last_write >= config.heartbeat_s:
                state["beat"] += 1
                talk(channel.put_state, job_id, state)
                last_write = time.monotonic()
            time.sleep(POLL_S)
    finally:
        if proc.poll() is None:  # leaving by an unexpected error: never leave the trainer behind
            _kill_group(proc)
        with _LOCK:
            _RUNNING.pop(job_id, None)
            shut_down = job_id in _STOPPED_BY_SHUTDOWN
    if shut_down:
        return  # stop_for_shutdown has reported it
    keep = {
        "started_at": started,
        "total_steps": state["total_steps"],
        "n_events": len(events),
        "device": state.get("device"),
        "trainer_pid": proc.pid,
    }
    if outcome is not None:
        finish(outcome[0], **keep, **outcome[1])
        return
    rc = proc.returncode
    result_path = run_dir / "result.json"
    if rc == 0 and result_path.exists():
        try:
            result = json.loads(result_path.read_text(encoding="utf-8"))
        except ValueError as exc:
            finish("failed", error=f"the trainer wrote an unreadable result: {exc}", **keep)
            return
        result["job_id"] = job_id
        result["worker"] = base["worker"]
        result["run_dir"] = str(run_dir)
        channel.put_events(job_id, events)
        channel.put_result(job_id, result)
        finish("finished", message="finished", step=state["total_steps"], **keep)
        return
    if error_message is None:  # the log's words stay on the worker: they may quote files and paths
        how = f"was killed by signal {-rc}" if rc < 0 else f"exited with status {rc}"
        error_message = (
            f"the trainer {how}{_last_error(log_path)}; its output is in {run_dir.name}/trainer.log "
            "in the worker's runs folder"
        )
    finish("failed", error=error_message, step=state["step"], **keep)
