"""Timings of fine-tuning jobs through the real queue, worker and trainer (prints, asserts nothing).

    python bench/worker_jobs.py [--steps 200] [--method dpo]

Measures, with one local worker on a temporary SQLite queue: a default tiny-model job from submit
to finished (and the trainer's own start-up / training split), the time from submit to "running"
for a job behind an idle worker, and the latency of cancelling a running job (from ``cancel()``
to the record saying "cancelled", polling every 50 ms). Reports the machine's load, since on a
shared machine per-step times vary by an order of magnitude.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from aggregation import Profile, population_to_dict  # noqa: E402
from worker.client import JobClient  # noqa: E402


def wait(predicate, interval=0.05, timeout=600):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return time.monotonic()
        time.sleep(interval)
    raise TimeoutError


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--method", default="dpo")
    args = parser.parse_args()
    data = Path(tempfile.mkdtemp(prefix="worker-bench-"))
    env = dict(os.environ, AGGREGATION_DATA_DIR=str(data), PYTHONPATH=str(REPO))
    env.pop("AGGREGATION_QUEUE_URL", None)
    log = open(data / "consumer.log", "wb")
    worker = subprocess.Popen(
        [sys.executable, "-m", "worker.consumer"],
        env=env,
        cwd=REPO,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        client = JobClient(data_dir=data)
        population = population_to_dict(Profile.parse("2: R > G > B\n3: B > R > G"))
        print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at start")

        t0 = time.monotonic()
        job = client.submit({"population": population, "method": args.method, "steps": args.steps})
        t_running = wait(lambda: client.status(job).state != "queued")
        t_done = wait(lambda: client.status(job).done, interval=0.2)
        s, r = client.status(job), client.result(job)
        print(
            f"{args.method}, {args.steps} steps, tiny model: {s.state}; submit -> running {t_running - t0:.2f} s, "
            f"submit -> finished {t_done - t0:.1f} s"
        )
        if r:
            t = r["timings"]
            print(
                f"  trainer: start-up {t['startup_s']:.1f} s (imports, model, data), training {t['train_s']:.1f} s "
                f"({t['ms_per_step']:.1f} ms/step, {r['torch_threads']} torch thread(s), {r['device']})"
            )
            print(f"  final policy {', '.join(f'{a} {p:.3f}' for a, p in r['policy'].items())}")

        long_job = client.submit({"population": population, "method": "dpo", "steps": 100_000})
        wait(lambda: client.status(long_job).step > 0, interval=0.2)
        t1 = time.monotonic()
        client.cancel(long_job)
        t2 = wait(lambda: client.status(long_job).state == "cancelled")
        print(f"cancel of a running job: {t2 - t1:.2f} s until the record says cancelled")
        print(f"load average {os.getloadavg()[0]:.2f} at the end")
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(30)
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
