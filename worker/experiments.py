"""Running the papers' experiments (:mod:`aggregation.experiments`, where each is defined with its claims):

``python -m worker.experiments NAME [--backend tabular|tiny|PATH] [--seeds N] [--out DIR] [--timing]``
runs every run of experiment ``NAME`` in this process, one after the other, and prints one JSON object:
the settings of every run, its final policy (and, for self-play, the mixture of iterates), the grouped
summary (mean and interval across seeds, next to the theory) and the paper's qualitative claims with
whether this run reproduced them. ``--out DIR`` also writes ``runs.json`` (everything, trajectories
included), ``summary.json`` and ``runs.csv`` there. ``--backend PATH`` (a checkpoint folder saved with
``save_pretrained``) is the operator's way to name a model: its parent folder becomes this process's model
folder (``AGGREGATION_MODEL_DIRS``) and the runs name the model by the folder's name, as jobs do.
``--timing`` adds each run's seconds, milliseconds per step and device. The dashboard submits the same runs
as queued jobs (:meth:`worker.client.JobClient.submit_experiment`).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from aggregation import AggregationError
from aggregation.experiments import BACKENDS, EXPERIMENTS, Run, experiment_runs, runs_csv, summarize
from aggregation.experiments import (  # noqa: F401 - re-exported for the command line's callers
    MAX_SEEDS,
    Submitted,
    figure4_population,
    get_experiment,
    interval,
    run_of,
    submitted_experiments,
    FIGURE_1,
    CYCLE,
    TWO_COLOURS,
    FIGURE4,
)


# ------------------------------------------------------------------ running in this process
def run_local(
    name: str, backend: str = "tabular", seeds: int | None = None, *, arms=None, emit=None, on_result=None
) -> tuple[list[Run], list[dict]]:
    """Train every run of the experiment here, one after the other (:func:`worker.train.train`)."""
    from .spec import validate_spec_and_population
    from .train import train

    runs = experiment_runs(name, backend, seeds, arms=arms)
    results = []
    for run in runs:
        spec, population = validate_spec_and_population(run.spec)
        t0 = time.perf_counter()
        result = train(spec, emit or (lambda event: None), population)
        result["wall_s"] = round(time.perf_counter() - t0, 3)
        results.append(result)
        if on_result is not None:
            on_result(run, result)
    return runs, results


def _backend_from_argument(value: str) -> str:
    """``tabular``, ``tiny``, a model's name, or a checkpoint folder (its parent becomes the model folder)."""
    if value in BACKENDS:
        return value
    path = Path(value).expanduser()
    if path.is_dir() and (path / "config.json").is_file():
        folder = path.resolve()
        os.environ["AGGREGATION_MODEL_DIRS"] = os.pathsep.join(
            [str(folder.parent)] + [d for d in os.environ.get("AGGREGATION_MODEL_DIRS", "").split(os.pathsep) if d]
        )
        return folder.name
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m worker.experiments", description=__doc__.splitlines()[0])
    parser.add_argument("name", choices=list(EXPERIMENTS))
    parser.add_argument(
        "--backend", default="tabular", help="tabular (default), tiny, a model's name or a checkpoint folder"
    )
    parser.add_argument("--seeds", type=int, default=None, help="seeds per method (default: the experiment's)")
    parser.add_argument("--out", default=None, help="write runs.json, summary.json and runs.csv here")
    parser.add_argument("--timing", action="store_true", help="add seconds and ms per step of every run")
    args = parser.parse_args(argv)
    backend = _backend_from_argument(args.backend)
    try:
        runs, results = run_local(args.name, backend, args.seeds)
    except AggregationError as exc:
        print(json.dumps({"error": str(exc)}), flush=True)
        return 2
    summary = summarize(args.name, runs, results)
    report = {"experiment": args.name, "backend": backend, "claims": summary["claims"], "runs": []}
    for run, result in zip(runs, results):
        row = {
            "run": run.id,
            "settings": result["settings"],
            "policy": result["policy"],
            "mixture": result.get("mixture"),
        }
        if args.timing:
            row["timing"] = {
                "wall_s": result["wall_s"],
                "ms_per_step": result["timings"]["ms_per_step"],
                "device": result["device"],
            }
        report["runs"].append(row)
    report["summary"] = summary
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        (out / "runs.json").write_text(
            json.dumps([{"run": r.id, "spec": r.spec, "result": res} for r, res in zip(runs, results)], allow_nan=False)
        )
        (out / "summary.json").write_text(json.dumps(summary, allow_nan=False, indent=1))
        (out / "runs.csv").write_text(runs_csv(runs, results))
    print(json.dumps(report, allow_nan=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
