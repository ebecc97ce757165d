"""A worker: ``python -m worker.consumer [--workers N] [--exit-with-parent] [--verbose]``.

Runs Huey's consumer (exactly what ``huey_consumer worker.consumer.huey -k thread -w N`` runs)
on the queue configured by the environment (:mod:`worker.config`), after checking that the
queue can be reached. One worker thread runs one job at a time, in submission order; start one
consumer per GPU (``CUDA_VISIBLE_DEVICES=i``) on each GPU machine. Stop it with SIGTERM or
Ctrl-C: a job still running is stopped and reported failed ("the worker was shut down").
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
import time

from .config import QueueConfigError, WorkerConfig
from .queue import beat_forever, make_huey, warm_enabled, warm_trainer

MAX_POLL_DELAY_S = 1.0  # an idle SQLite consumer polls at least once a second (Redis blocks instead)

try:
    CONFIG = WorkerConfig.from_env()
except QueueConfigError as _exc:  # importing for huey_consumer: say what is wrong, plainly
    sys.stderr.write(f"worker configuration error: {_exc}\n")
    raise SystemExit(2) from None
huey = make_huey(CONFIG)


def check_queue(huey_instance, config: WorkerConfig) -> None:
    """Fail early, with a plain message, when the queue cannot be used."""
    try:
        huey_instance.pending_count()
    except Exception as exc:  # noqa: BLE001 - any failure here means "cannot reach the queue"
        raise SystemExit(f"cannot use the {config.describe()}: {type(exc).__name__}: {exc}") from None


def exit_with_parent(interval: float = 0.5, parent: int | None = None) -> None:
    """Shut down (as on SIGTERM) when the process that started us (``parent``, default: our parent now) is
    gone; at once if it is gone already (it may die while this process is still starting)."""
    parent = os.getppid() if parent is None else parent

    def loop():
        while os.getppid() == parent:
            time.sleep(interval)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=loop, name="parent-watchdog", daemon=True).start()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m worker.consumer", description=__doc__.splitlines()[0])
    parser.add_argument("--workers", "-w", type=int, default=1, help="jobs run at the same time (default 1)")
    parser.add_argument("--exit-with-parent", action="store_true", help="stop when the parent process exits")
    parser.add_argument(
        "--parent-pid",
        type=int,
        default=None,
        help="the parent --exit-with-parent watches "
        "(default: the parent at start-up, which may already have been replaced)",
    )
    parser.add_argument("--verbose", "-v", action="store_true")
    args = parser.parse_args(argv)
    check_queue(huey, CONFIG)
    logger = logging.getLogger("huey")
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("[%(asctime)s] %(levelname)s:%(name)s:%(threadName)s:%(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG if args.verbose else logging.INFO)
    logger.info("worker pid %d on the %s, data in %s", os.getpid(), CONFIG.describe(), CONFIG.data_dir)
    if args.exit_with_parent:
        exit_with_parent(parent=args.parent_pid)
    beat_forever(huey)  # the dashboard says "no worker is running" when no worker has spoken for a while
    if warm_enabled():  # import torch and transformers now, once, not per job (worker.forkserver)
        warm_trainer(CONFIG).start()
    consumer = huey.create_consumer(
        workers=args.workers, worker_type="thread", periodic=False, max_delay=MAX_POLL_DELAY_S
    )
    consumer.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
