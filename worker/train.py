"""The trainer: ``python -m worker.train --config run.json --run-dir DIR [--parent-pid PID]``.

The one job contract shared by every queue backend. The trainer reads a job spec (validated
again here: nothing is trusted), fine-tunes the policy, and writes

* one JSON line per event to stdout and to ``DIR/metrics.jsonl``:
  ``{"event": "start", ...}``, then ``{"event": "progress", "step", "total_steps", "loss",
  "policy": {alternative: probability}, "outside_mass", "elapsed_s"}`` (self-play adds
  ``"mixture"`` and ``"mean_reward"``) about 100 times per run, then ``{"event": "done"}``
  or ``{"event": "error", "message": ...}``;
* ``DIR/result.json`` when it finishes (see :func:`train` for its fields).

Exit status: 0 finished, 2 refused (bad spec, model not available), 1 crashed. With
``--parent-pid`` it exits as soon as that process is gone, so a killed worker never leaves
an orphaned trainer behind.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
import traceback
from pathlib import Path

PROCESS_START = time.perf_counter()
EVENTS_PER_RUN = 100
MAX_GRAD_NORM = 1.0  # gradient clipping, as TRL's default max_grad_norm


class Emitter:
    """Writes events as JSON lines to stdout and ``metrics.jsonl`` (flushed at once)."""

    def __init__(self, run_dir: Path):
        self.file = open(run_dir / "metrics.jsonl", "a", encoding="utf-8")

    def __call__(self, event: dict) -> None:
        line = json.dumps(event, allow_nan=False)
        self.file.write(line + "\n")
        self.file.flush()
        print(line, flush=True)


def watch_parent(parent_pid: int, interval: float = 0.5) -> None:
    """Exit the whole process when ``parent_pid`` is no longer our parent (it died)."""

    def loop():
        while True:
            if os.getppid() != parent_pid:
                os._exit(3)
            time.sleep(interval)

    threading.Thread(target=loop, name="parent-watchdog", daemon=True).start()


def _dist(names, values) -> dict:
    return {a: float(v) for a, v in zip(names, values)}


def train(spec: dict, emit, population=None) -> dict:
    """Fine-tune the policy of ``spec`` (already validated; ``population`` is the object built from
    ``spec["population"]`` when the caller has it) and return the result dict:

    ``settings`` (the spec without its population, which the job record keeps), ``alternatives``, ``policy``
    and ``outside_mass`` (last iterate),
    ``mixture`` (self-play: uniform mixture of iterates, else null), ``reference_policy``
    and ``reference_outside_mass``, ``trajectory`` (the progress events), ``dataset`` (kind,
    rows, empirical preference matrix with standard errors and counts), ``theory`` (what the
    core predicts for the population with this method, beta, D and reference policy, computed once
    here by :func:`aggregation.training_methods.theory`: the RLHF/DPO limit, the maximal lottery,
    MPNE_k, the method's own limit, Borda and NBC, ...; :meth:`~aggregation.TheoryResult.to_json`),
    method extras (``reward_model``, ``dataset_optimum``), ``model``
    (parameter counts, prompt), ``device``, ``timings`` and ``versions``.
    """
    import numpy as np
    import torch

    from aggregation import population_from_dict
    from aggregation import game_affordable
    from aggregation.training_methods import DEFAULT_K, theory
    from .methods import make_method
    from .models import TABULAR, TINY, CandidatePolicy, TabularPolicy, pick_device, render_prompt

    threads = spec["cpu_threads"] or (1 if spec["model"] in (TINY, TABULAR) else None)
    if threads:
        torch.set_num_threads(threads)
    device = pick_device(spec["device"])
    if population is None:
        population = population_from_dict(spec["population"])
    alts = population.alternatives
    contexts = spec.get("contexts", 1)
    prompt = render_prompt(spec["prompt"], alts)

    t_setup = time.perf_counter()
    torch.manual_seed(spec["seed"])
    if spec["model"] == TABULAR:
        policy = TabularPolicy(alts, contexts, device)
    else:
        policy = CandidatePolicy(spec["model"], alts, prompt, spec["lora"], spec["seed"], device)
    methods = [make_method(context_spec(spec, c, contexts), population, alts, device) for c in range(contexts)]
    method = methods[0]
    stacked = type(method).stacked(methods, len(alts)) if contexts > 1 else None
    params = policy.trainable_parameters()
    optimizer = torch.optim.Adam(params, lr=spec["learning_rate"])
    ref = policy.reference_logprobs()
    for m in methods:
        m.prepare(policy)
    p_ref, out_ref = policy.readout()
    reference = p_ref.double().cpu().numpy()
    setup_s = time.perf_counter() - t_setup
    total = spec["steps"]
    emit(
        {
            "event": "start",
            "total_steps": total,
            "alternatives": alts,
            "device": str(device),
            "model": spec["model"],
            "reference_policy": _dist(alts, reference),
            "reference_outside_mass": out_ref,
            "startup_s": round(time.perf_counter() - PROCESS_START, 3),
        }
    )

    log_every = max(1, total // EVENTS_PER_RUN)
    trajectory = []
    t_train = time.perf_counter()
    for step in range(1, total + 1):
        logp = policy.logprobs()
        if contexts == 1:
            current = policy.readout()[0] if method.self_play else None
            loss, info = method.loss(logp, ref, current)
        elif stacked is not None:  # every prompt's rows in one loss over the flattened table (a mean over rows)
            loss, info = stacked.loss(logp.reshape(-1), ref.reshape(-1), None)
        else:  # one table row and one dataset per prompt; the loss is the mean over prompts (uniform prompts)
            current = torch.softmax(policy.table.detach(), -1) if method.self_play else [None] * contexts
            parts = [m.loss(logp[c], ref[c], current[c]) for c, m in enumerate(methods)]
            loss = torch.stack([part[0] for part in parts]).mean()
            info = {key: float(np.mean([part[1][key] for part in parts])) for key in parts[0][1]}
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, MAX_GRAD_NORM)
        optimizer.step()
        if step % log_every == 0 or step == total:
            p, outside = policy.readout()
            event = {
                "event": "progress",
                "step": step,
                "total_steps": total,
                "loss": float(loss.item()),
                "policy": _dist(alts, p.tolist()),
                "outside_mass": outside,
                "elapsed_s": round(time.perf_counter() - t_train, 3),
                **info,
            }
            if method.self_play:
                event["mixture"] = _dist(alts, np.mean([m.mixture() for m in methods], axis=0))
            emit(event)
            trajectory.append({k: v for k, v in event.items() if k != "event"})
    if device.type == "cuda":
        torch.cuda.synchronize()
    train_s = time.perf_counter() - t_train
    final, outside = policy.readout()
    final = final.double().cpu().numpy()

    out = {
        "settings": {k: v for k, v in spec.items() if k != "population"},  # the job record keeps the population
        "alternatives": alts,
        "policy": _dist(alts, final),
        "outside_mass": outside,
        "mixture": _dist(alts, np.mean([m.mixture() for m in methods], axis=0)) if method.self_play else None,
        "reference_policy": _dist(alts, reference),
        "reference_outside_mass": out_ref,
        "trajectory": trajectory,
        "dataset": method.dataset()
        if contexts == 1
        else {
            **method.dataset(),
            "contexts": contexts,
            "note": f"one dataset per prompt ({contexts} prompts, {spec['dataset_size'] // contexts} rows each); "
            "the summary above is the first prompt's",
        },
        # Theory is the same for every prompt: the population is read relative to the prompt. MPNE_k, which
        # only the MPNE method needs, is shown next to the others only where the game is within the budget
        # the pages solve without asking (aggregation.game_affordable; about 20 s for 100,000 rankings of
        # 50 alternatives otherwise).
        "theory": theory(
            population,
            spec["method"],
            spec,
            reference=_dist(alts, reference),
            with_mpne=game_affordable(population, int(spec.get("k") or DEFAULT_K)),
        ).to_json(),
        "model": {
            "name": spec["model"],
            "parameters": policy.info.parameters,
            "trainable_parameters": policy.info.trainable_parameters,
            "vocabulary": policy.info.vocabulary,
            "prompt": prompt,
            "prompt_tokens": policy.info.prompt_tokens,
            "response_tokens": dict(zip(alts, policy.info.response_tokens)),
        },
        "device": str(device),
        "torch_threads": torch.get_num_threads(),
        "timings": {
            "startup_s": round(t_train - PROCESS_START, 3),
            "setup_s": round(setup_s, 3),
            "train_s": round(train_s, 3),
            "ms_per_step": round(1000 * train_s / total, 2),
            "total_s": round(time.perf_counter() - PROCESS_START, 3),
        },
        "versions": _versions(),
    }
    if contexts == 1:
        out.update(method.extras(reference))
    else:
        rows = policy.by_context()
        out["policy_by_context"] = rows.tolist()
        out["policy_se"] = _dist(alts, rows.std(0, ddof=1) / np.sqrt(contexts))
    return out


def context_spec(spec: dict, context: int, contexts: int) -> dict:
    """The spec one prompt's method reads: its share of the rows and its own seed (one prompt: the spec)."""
    if contexts == 1:
        return spec
    import numpy as np

    seed = int(np.random.SeedSequence([spec["seed"], context]).generate_state(1)[0])
    return {**spec, "dataset_size": spec["dataset_size"] // contexts, "seed": seed}


def _versions() -> dict:
    """Package versions, read from their metadata (importing transformers and peft here would cost seconds)."""
    from importlib import metadata

    out = {"python": sys.version.split()[0]}
    for name in ("torch", "transformers", "peft", "numpy"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def _write_json(path: Path, data: dict) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, allow_nan=False), encoding="utf-8")
    os.replace(tmp, path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m worker.train", description=__doc__.splitlines()[0])
    parser.add_argument("--config", required=True, help="the job spec (JSON)")
    parser.add_argument("--run-dir", required=True, help="folder for metrics.jsonl and result.json")
    parser.add_argument("--parent-pid", type=int, default=None, help="exit when this process dies")
    args = parser.parse_args(argv)
    if args.parent_pid:
        watch_parent(args.parent_pid)
    run_dir = Path(args.run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    emit = Emitter(run_dir)

    from aggregation import AggregationError
    from .models import ModelUnavailable
    from .spec import validate_spec_and_population

    try:
        try:
            raw = json.loads(Path(args.config).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise AggregationError(f"cannot read the job spec {args.config}: {exc}") from None
        spec, population = validate_spec_and_population(raw)
        result = train(spec, emit, population)
        _write_json(run_dir / "result.json", result)
        emit({"event": "done", "total_s": result["timings"]["total_s"]})
        return 0
    except (AggregationError, ModelUnavailable) as exc:
        emit({"event": "error", "message": str(exc)})
        return 2
    except Exception as exc:  # noqa: BLE001 - the traceback goes to the log; the job's error names only its kind
        traceback.print_exc()
        emit(
            {
                "event": "error",
                "message": f"the trainer crashed ({type(exc).__name__}); the traceback is in "
                f"{run_dir.name}/trainer.log in the worker's runs folder",
            }
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
