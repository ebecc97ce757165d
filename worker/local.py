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
"""
from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys

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
        self.proc = subprocess.Popen([sys.executable, "-m", "worker.consumer", "--exit-with-parent"],
                                     stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     start_new_session=True, cwd=str(REPO_ROOT), env=env)
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


def run(command: list[str], config: WorkerConfig | None = None) -> int:
    config = config or WorkerConfig.from_env()
    worker = LocalWorker(config)
    if os.environ.get("AGGREGATION_LOCAL_WORKER", "1").strip().lower() in ("0", "false", "no", "off"):
        print("AGGREGATION_LOCAL_WORKER is off: no local worker (jobs wait for workers elsewhere)",
              file=sys.stderr, flush=True)
    elif worker.start():
        print(f"started a local worker (pid {worker.proc.pid}) on the {config.describe()}; "
              f"log: {config.data_dir / 'worker.log'}", file=sys.stderr, flush=True)
    else:
        print(f"a local worker is already running for {config.data_dir} (see {config.pid_file}); "
              "not starting another", file=sys.stderr, flush=True)
    child = subprocess.Popen(command)

    def forward(signum, frame):
        if child.poll() is None:
            child.send_signal(signum)
    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the terminal's Ctrl-C reaches the command itself
    try:
        return child.wait()
    finally:
        worker.stop()


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
