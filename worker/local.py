"""Run a command (the dashboard) together with one local worker:
``python -m worker.local -- COMMAND [ARGS...]`` (what ``scripts/dashboard`` does).

* The worker is ``python -m worker.consumer --exit-with-parent`` in its own session (so the
  terminal's Ctrl-C reaches the dashboard, not a running job), logging to
  ``<data>/worker.log``.
* Singleton: the PID file ``<data>/worker.pid`` holds the worker's PID and is locked
  (``flock``) for as long as this supervisor lives. A second dashboard on the same data folder
  finds it locked and starts no second worker (its jobs go to the same SQLite queue). The
  lock dies with its process, so a crash never leaves a stale guard behind.
* ``AGGREGATION_LOCAL_WORKER=0`` starts no worker (when only remote GPU workers should train).
* When the command exits (or this supervisor gets SIGTERM, which it passes on), the worker
  is stopped with SIGTERM (SIGKILL after 10 s) and the PID file removed; if this supervisor
  is killed outright, the worker notices its parent is gone and stops itself.
* The command it started is left running when this supervisor is killed outright (a dashboard
  that keeps serving says that no worker is running). Each supervisor records its command's PID in
  ``<data>/dashboards/<supervisor pid>.json``, locked while it lives; the next supervisor on the
  same data folder finds such a file unlocked (its supervisor is gone), stops the command it names
  if that process still runs the same command line (SIGTERM, SIGKILL after 10 s), and removes the
  file. So a dashboard orphaned this way never keeps the port the next ``scripts/dashboard`` wants,
  and a stale PID file never blocks a new worker (the worker's lock died with its supervisor).
"""

from __future__ import annotations

import fcntl
import json
import os
import signal
import subprocess
import sys
import time

from .config import REPO_ROOT, WorkerConfig

STOP_GRACE_S = 10.0


class LocalWorker:
    def __init__(self, config: WorkerConfig):
        self.config = config
        self.proc: subprocess.Popen | None = None
        self._lock_fd: int | None = None

    def start(self) -> bool:
        """Start the worker unless another supervisor holds the PID file; True if started."""
        self.config.data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.config.pid_file, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._lock_fd = fd
        log = open(self.config.data_dir / "worker.log", "ab")
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])))
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "worker.consumer", "--exit-with-parent", "--parent-pid", str(os.getpid())],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            cwd=str(REPO_ROOT),
            env=env,
        )
        log.close()
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{self.proc.pid}\n".encode(), 0)
        return True

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(STOP_GRACE_S)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self._lock_fd is not None:
            try:
                os.unlink(self.config.pid_file)
            except FileNotFoundError:
                pass
            os.close(self._lock_fd)
            self._lock_fd = None


def _cmdline(pid: int) -> list[str] | None:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return [part.decode(errors="replace") for part in f.read().split(b"\0") if part]
    except OSError:
        return None


def _stop(pid: int, grace: float = STOP_GRACE_S) -> None:
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if _cmdline(pid) is None or _zombie(pid):
                return
            time.sleep(0.1)


def _zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return True


def recover_orphans(config: WorkerConfig) -> list[int]:
    """Stop the commands left running by supervisors of this data folder that died (their record file
    is no longer locked), and remove their records; returns the PIDs stopped."""
    stopped = []
    folder = config.dashboards_dir
    if not folder.is_dir():
        return stopped
    for path in sorted(folder.glob("*.json")):
        try:
            fd = os.open(path, os.O_RDWR)
        except OSError:
            continue
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # its supervisor is alive
            try:
                record = json.loads(os.pread(fd, 1 << 16, 0) or b"{}")
                pid, command = int(record["pid"]), list(record["command"])
            except (ValueError, KeyError, TypeError):
                pid, command = None, None
            if pid is not None and command and _cmdline(pid) == command and not _zombie(pid):
                _stop(pid)
                stopped.append(pid)
            os.unlink(path)
        finally:
            os.close(fd)
    return stopped


class CommandRecord:
    """``<data>/dashboards/<our pid>.json``: the command this supervisor runs, locked while it lives."""

    def __init__(self, config: WorkerConfig):
        self.path = config.dashboards_dir / f"{os.getpid()}.json"
        config.dashboards_dir.mkdir(parents=True, exist_ok=True)
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
        fcntl.flock(self.fd, fcntl.LOCK_EX)

    def write(self, pid: int, timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        command = _cmdline(pid)
        while not command and time.monotonic() < deadline:  # empty for a moment while the child execs
            time.sleep(0.01)
            command = _cmdline(pid)
        os.ftruncate(self.fd, 0)
        os.pwrite(self.fd, json.dumps({"pid": pid, "command": command}).encode(), 0)

    def close(self) -> None:
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass
        os.close(self.fd)


def run(command: list[str], config: WorkerConfig | None = None) -> int:
    config = config or WorkerConfig.from_env()
    for pid in recover_orphans(config):
        print(
            f"stopped pid {pid}, a dashboard left running by an earlier scripts/dashboard whose supervisor had "
            "died (it held the port and had no worker)",
            file=sys.stderr,
            flush=True,
        )
    record = CommandRecord(config)
    worker = LocalWorker(config)
    if os.environ.get("AGGREGATION_LOCAL_WORKER", "1").strip().lower() in ("0", "false", "no", "off"):
        print(
            "AGGREGATION_LOCAL_WORKER is off: no local worker (jobs wait for workers elsewhere)",
            file=sys.stderr,
            flush=True,
        )
    elif worker.start():
        print(
            f"started a local worker (pid {worker.proc.pid}) on the {config.describe()}; "
            f"log: {config.data_dir / 'worker.log'}",
            file=sys.stderr,
            flush=True,
        )
    else:
        print(
            f"a local worker is already running for {config.data_dir} (see {config.pid_file}); not starting another",
            file=sys.stderr,
            flush=True,
        )
    child = subprocess.Popen(command)

    def forward(signum, frame):
        if child.poll() is None:
            child.send_signal(signum)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the terminal's Ctrl-C reaches the command itself
    try:
        record.write(child.pid)
        return child.wait()
    finally:
        worker.stop()
        record.close()


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "--":
        args = args[1:]
    if not args:
        print("usage: python -m worker.local -- COMMAND [ARGS...]", file=sys.stderr)
        return 2
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
