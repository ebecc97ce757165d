"""The warm trainer: a fork server that imports torch, transformers, peft and the trainer once per worker,
then forks one child per job, so a job no longer pays the 3-6 s of imports (``python -m worker.forkserver``,
started by the worker; :class:`ForkServer` is the worker's side).

* Every job still runs in a process of its own (a fresh fork of the warm server, in its own session, its
  output going to the job's ``trainer.log``), running exactly :func:`worker.train.main` with the arguments
  the cold path passes to ``python -m worker.train``: the same files, events, exit statuses and time
  limits. A crash, an out-of-memory kill or a cancel kills that child only; the server goes on.
* The server never touches torch's thread pools or CUDA before forking (the imports start neither), so the
  children initialise them themselves, as a cold trainer does.
* Protocol, one JSON object per line over a socket pair: the worker sends ``{"argv": [...], "log": path}``;
  the server answers ``{"pid": N}`` (or ``{"error": ...}``) and, when the child ends, ``{"pid": N, "rc": R}``
  (R negative: killed by that signal, as :class:`subprocess.Popen` says it). ``{"ready": true}`` once the
  imports are done.
* The server exits when the worker that started it is gone (its children notice their parent is gone and
  exit too: ``--parent-pid``). If the server dies, the worker starts a new one for the next job; if it
  cannot, the job runs the cold way (``AGGREGATION_WARM_TRAINER=0`` always does).
"""

from __future__ import annotations

import argparse
import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time

READY_TIMEOUT_S = 120.0


# ------------------------------------------------------------------ the server
def serve(sock: socket.socket, parent_pid: int) -> int:
    import numpy  # noqa: F401 - the warm imports: everything a job imports
    import torch  # noqa: F401
    import transformers  # noqa: F401
    import peft  # noqa: F401
    import tokenizers  # noqa: F401
    from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast  # noqa: F401
    from peft import LoraConfig, get_peft_model  # noqa: F401
    import aggregation  # noqa: F401
    from aggregation import training_methods  # noqa: F401
    from . import methods, models, spec, train  # noqa: F401

    def send(obj):
        sock.sendall((json.dumps(obj) + "\n").encode())

    send({"ready": True, "pid": os.getpid()})
    children: set[int] = set()
    buffer = b""
    while True:
        if os.getppid() != parent_pid:
            for pid in children:
                _kill(pid)
            return 0
        readable, _, _ = select.select([sock], [], [], 0.05)
        if readable:
            chunk = sock.recv(65536)
            if not chunk:  # the worker closed its end
                for pid in children:
                    _kill(pid)
                return 0
            buffer += chunk
            *lines, buffer = buffer.split(b"\n")
            for line in lines:
                try:
                    request = json.loads(line)
                    pid = _fork_job(request["argv"], request["log"], sock)
                except Exception as exc:  # noqa: BLE001 - a bad request or a failed fork: say so, keep serving
                    send({"error": f"{type(exc).__name__}: {exc}"})
                    continue
                children.add(pid)
                send({"pid": pid})
        while children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            children.discard(pid)
            send({"pid": pid, "rc": os.waitstatus_to_exitcode(status)})


def _kill(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _fork_job(argv: list[str], log: str, sock: socket.socket) -> int:
    if not isinstance(argv, list) or not all(isinstance(a, str) for a in argv):
        raise ValueError("argv must be a list of strings")
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    pid = os.fork()
    if pid:
        os.close(fd)
        return pid
    # the child: its own session (the worker kills the job's process group), output to the job's log
    code = 1
    try:
        os.setsid()
        sock.close()
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.close(fd)
        os.close(null)
        sys.stdout = open(1, "w", buffering=1, closefd=False)
        sys.stderr = open(2, "w", buffering=1, closefd=False)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        from . import train

        train.PROCESS_START = time.perf_counter()  # the job's start-up is its own, not the server's
        if "--parent-pid" in argv:  # this child's parent is the server, which lives as long as the worker
            i = argv.index("--parent-pid")
            argv = argv[:i] + argv[i + 2 :]
        code = train.main([*argv, "--parent-pid", str(os.getppid())])
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:  # noqa: BLE001
        import traceback

        traceback.print_exc()
        code = 1
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m worker.forkserver", description=__doc__.splitlines()[0])
    parser.add_argument("--fd", type=int, required=True, help="this end of the worker's socket pair")
    parser.add_argument("--parent-pid", type=int, required=True, help="exit when this process is gone")
    args = parser.parse_args(argv)
    sock = socket.socket(fileno=args.fd)
    return serve(sock, args.parent_pid)


# ------------------------------------------------------------------ the worker's side
class ForkedJob:
    """A job forked by the server, with the part of :class:`subprocess.Popen`'s interface the worker uses:
    ``pid``, ``poll()``, ``wait(timeout)``, ``returncode``."""

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None
        self._done = threading.Event()

    def _exited(self, rc: int) -> None:
        self.returncode = rc
        self._done.set()

    def poll(self):
        return self.returncode

    def wait(self, timeout: float | None = None):
        if not self._done.wait(timeout):
            raise subprocess.TimeoutExpired(f"job {self.pid}", timeout)
        return self.returncode


class ForkServer:
    """Starts and talks to the warm server; :meth:`spawn` forks a job (None: use the cold path)."""

    def __init__(self, log_path=None):
        self.log_path = log_path
        self._lock = threading.Lock()
        self._proc: subprocess.Popen | None = None
        self._sock: socket.socket | None = None
        self._ready = threading.Event()
        self._replies: list[dict] = []
        self._reply = threading.Condition()
        self._jobs: dict[int, ForkedJob] = {}
        self._early: dict[int, int] = {}
        self.starts = 0

    def start(self) -> None:
        """Start the server (in the background: its imports take seconds) unless it is running."""
        with self._lock:
            if self._proc is not None and self._proc.poll() is None:
                return
            mine, theirs = socket.socketpair()
            log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL
            try:
                self._proc = subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "worker.forkserver",
                        "--fd",
                        str(theirs.fileno()),
                        "--parent-pid",
                        str(os.getpid()),
                    ],
                    pass_fds=(theirs.fileno(),),
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=log,
                    start_new_session=True,
                    cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                )
            finally:
                theirs.close()
                if log is not subprocess.DEVNULL:
                    log.close()
            self._sock = mine
            self._ready = threading.Event()
            self.starts += 1
            threading.Thread(target=self._read, args=(mine, self._ready), name="forkserver-reader", daemon=True).start()

    def alive(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def stop(self) -> None:
        with self._lock:
            if self._proc is not None and self._proc.poll() is None:
                try:
                    os.killpg(self._proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
                try:
                    self._proc.wait(5)
                except subprocess.TimeoutExpired:
                    os.killpg(self._proc.pid, signal.SIGKILL)
                    self._proc.wait()
            if self._sock is not None:
                self._sock.close()
            self._proc, self._sock = None, None

    def _read(self, sock: socket.socket, ready: threading.Event) -> None:
        buffer = b""
        while True:
            try:
                chunk = sock.recv(65536)
            except OSError:
                chunk = b""
            if not chunk:
                with self._reply:  # the server is gone: its running jobs are gone too
                    for job in list(self._jobs.values()):
                        job._exited(-signal.SIGKILL)
                    self._jobs.clear()
                    self._replies.append({"error": "the warm trainer stopped"})
                    self._reply.notify_all()
                return
            buffer += chunk
            *lines, buffer = buffer.split(b"\n")
            for line in lines:
                message = json.loads(line)
                if message.get("ready"):
                    ready.set()
                elif "rc" in message:
                    with self._reply:
                        job = self._jobs.pop(message["pid"], None)
                        if job is None:
                            self._early[message["pid"]] = message["rc"]
                        else:
                            job._exited(message["rc"])
                else:
                    with self._reply:
                        self._replies.append(message)
                        self._reply.notify_all()

    def wait_ready(self, timeout: float) -> bool:
        """Whether the server has finished its imports, waiting at most ``timeout`` seconds (starting it when it
        is not running); False also when it cannot start."""
        if not self.alive():
            try:
                self.start()
            except OSError:
                return False
        return self._ready.wait(timeout) and self.alive()

    def spawn(self, argv: list[str], log_path) -> ForkedJob | None:
        """Fork a trainer for ``argv`` (the arguments of ``python -m worker.train``) writing to ``log_path``;
        None when the server is not available (the caller runs the cold path)."""
        if not self.alive():
            try:
                self.start()
            except OSError:
                return None
        if not self._ready.wait(READY_TIMEOUT_S) or not self.alive():
            return None
        with self._lock:
            with self._reply:
                self._replies.clear()
                try:
                    self._sock.sendall((json.dumps({"argv": argv, "log": str(log_path)}) + "\n").encode())
                except OSError:
                    return None
                if not self._reply.wait_for(lambda: self._replies, timeout=30.0):
                    return None
                reply = self._replies.pop(0)
                if "pid" not in reply:
                    return None
                job = ForkedJob(reply["pid"])
                if reply["pid"] in self._early:
                    job._exited(self._early.pop(reply["pid"]))
                else:
                    self._jobs[reply["pid"]] = job
                return job


if __name__ == "__main__":
    sys.exit(main())
