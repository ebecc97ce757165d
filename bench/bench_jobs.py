"""Submit -> result through the real queue and worker, warm trainer against cold (prints, asserts nothing).

    python bench/bench_jobs.py [--repeats 3]

For each mode (the warm trainer, :mod:`worker.forkserver`, and the cold path, ``AGGREGATION_WARM_TRAINER=0``:
a new interpreter per job) it starts one local worker on a temporary SQLite queue, waits until the worker
is up (and, warm, until its first job has run, so the imports are paid), then times a default tiny-model
job (DPO on Jackpot's Figure 1, 200 steps) and a default tabular job from ``submit()`` until ``status()``
says finished and ``result()`` returns, polling every 50 ms as a fast dashboard would. Prints the median of
``--repeats`` jobs per kind, the trainer's own start-up, and the ratio cold / warm. The targets: a tiny job
under 3 s, a tabular one under 1 s. On this shared 2-core machine the load average is printed with them.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from aggregation import Profile, population_to_dict  # noqa: E402
from worker.client import JobClient  # noqa: E402

POPULATION = population_to_dict(Profile.parse("2: R > G > B\n3: B > R > G"))
KINDS = {"tiny": {"method": "dpo"}, "tabular": {"method": "dpo", "model": "tabular"}}


def wait(predicate, interval=0.05, timeout=600):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return time.monotonic()
        time.sleep(interval)
    raise TimeoutError


def one_job(client: JobClient, settings: dict) -> tuple[float, dict]:
    t0 = time.monotonic()
    job = client.submit({"population": POPULATION, **settings})
    wait(lambda: client.status(job).done)
    result = client.result(job)
    elapsed = time.monotonic() - t0
    if result is None:
        raise RuntimeError(f"job {job} ended {client.status(job).state}: {client.status(job).error}")
    return elapsed, result


def run_mode(warm: bool, repeats: int) -> dict:
    data = Path(tempfile.mkdtemp(prefix="bench-jobs-"))
    env = dict(
        os.environ, AGGREGATION_DATA_DIR=str(data), PYTHONPATH=str(REPO), AGGREGATION_WARM_TRAINER="1" if warm else "0"
    )
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
        wait(lambda: client.worker_status().alive, timeout=120)
        first, _ = one_job(client, KINDS["tabular"])  # warm: waits for the server's imports, as an idle worker has
        out = {"first_job_s": first}
        for kind, settings in KINDS.items():
            times, startups = [], []
            for _ in range(repeats):
                elapsed, result = one_job(client, settings)
                times.append(elapsed)
                startups.append(result["timings"]["startup_s"])
            out[kind] = {
                "median_s": statistics.median(times),
                "all_s": times,
                "trainer_startup_s": statistics.median(startups),
            }
        return out
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
        log.close()
        shutil.rmtree(data, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at start")
    results = {mode: run_mode(mode == "warm", args.repeats) for mode in ("warm", "cold")}
    for kind in KINDS:
        warm, cold = results["warm"][kind], results["cold"][kind]
        print(
            f"{kind:8s} submit -> result: warm {warm['median_s']:.2f} s (trainer start-up "
            f"{warm['trainer_startup_s']:.2f} s), cold {cold['median_s']:.2f} s (start-up "
            f"{cold['trainer_startup_s']:.2f} s); cold / warm = {cold['median_s'] / warm['median_s']:.1f}x; "
            f"all warm {[round(t, 2) for t in warm['all_s']]}, cold {[round(t, 2) for t in cold['all_s']]}"
        )
    print(
        f"first job after the worker started: warm {results['warm']['first_job_s']:.2f} s, "
        f"cold {results['cold']['first_job_s']:.2f} s"
    )
    print(f"load average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
