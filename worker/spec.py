"""Job specs: plain JSON objects, validated (and completed with defaults) before they are queued.

A spec names the population (the dict format of :func:`aggregation.population_to_dict`), the
method and its settings; :func:`validate_spec` returns the normalised spec that the queue, the
trainer and the job records carry, or raises :class:`JobSpecError` (an
:class:`~aggregation.AggregationError`) whose message names the field, e.g.
``steps must be a whole number between 1 and 100,000, got 0``.

Fields (defaults in brackets, from :data:`aggregation.training_methods.DEFAULTS`; fields that do
not apply to the chosen method, i.e. not in its ``TrainingMethod.fields``, are dropped):

* ``population`` (required): ``{"kind": "rankings" | "rewards" | "comparisons" | "matrix", ...}``.
* ``method`` (required): an id of :data:`aggregation.training_methods.TRAINING_METHODS` (the one
  table of methods: family, default beta, the fields below that each method reads, its theory).
* ``model`` [``"tiny"``]: the built-in tiny GPT-2, the built-in ``"tabular"`` policy (a softmax over the
  alternatives, one table row per prompt: no language model; :class:`worker.models.TabularPolicy`), or the
  name of a model in the operator's model folders (``AGGREGATION_MODEL_DIRS``; :mod:`worker.catalog`): a folder name, never a path.
* ``sampling`` [uniform]: the distribution D the compared responses are drawn from,
  ``{alternative: probability}``.
* ``beta`` [per method, ``TrainingMethod.default_beta``]: DPO-style temperature; for RLHF and the
  self-play methods, the weight of the KL penalty to the reference policy.
* ``k`` [2] (``mpne``): the number of samples drawn at test time (a (k+1)-player game).
* ``dataset_size`` [2048]: rows of training data drawn from the population.
* ``steps`` [200], ``learning_rate`` [5e-3 for the tiny model, 5e-2 for the tabular one, 1e-4 otherwise] (Adam).
* ``contexts`` [1] (``tabular`` only): the number of prompts. The population's alternatives are then read
  *relative to the prompt* (e.g. ``delta = y - x`` in the circular environment of Shirali et al.,
  section 7.2), every prompt gets its own table row and its own ``dataset_size // contexts`` rows of data
  (uniform prompts, stratified), and the result reports the policy averaged over prompts with its standard
  error across prompts (``policy_by_context``, ``policy_se``).
* ``batch_size`` [null: the whole dataset every step] (the offline losses; RLHF's policy step
  takes the exact expectation over the candidates instead).
* ``samples_per_step`` [64], ``exploration`` [0.1] (self-play: responses sampled per step,
  share of them drawn uniformly, as in appendix A.8 of the Jackpot paper).
* ``display_size`` [min(4, m)], ``top_k`` [1] (``mnl``, ``mallows``): responses shown per
  question and how many of them the voter ranks (1 = single best).
* ``dispersion`` [``"entropy"``; ``"fixed"`` when ``phi`` is given or the model is ``tabular``] (``mallows``):
  where the Mallows-RMJ dispersion comes from. ``"entropy"`` (RCPO's own choice): one value per row from the
  token-level entropy proxy of RCPO Appendix D (:func:`aggregation.entropy_phi_proxy`), computed once from the
  reference model on the responses shown in that row; ``phi`` must then be left out. ``"fixed"``: the number
  ``phi`` [0.5], strictly between 0 and 1, for every row. The tabular model has no tokens (its uniform
  reference would give the proxy phi = 1, a zero loss), so it takes ``"fixed"`` only.
* ``alpha`` [1] (``corrected_dpo``): the strength of the first-order correction of Shirali et al.,
  section 5.1, a number >= 0 (0: DPO exactly; 1: the theory's value).
* ``variance`` [``"estimated"``] (``corrected_dpo``): the variance term V of the correction.
  ``"estimated"``: from a joint likelihood model J fitted first on the paired data (section 5.3,
  Lemma 5.3's eq. 16), with V divided by the policy's ``sigma'(h)^2`` as the paper writes it.
  ``"known"``: ``Var_u[(r_u(a) - r_u(b)) / T]`` computed exactly from the user types (a reference;
  user types only). Either way the data are ``dataset_size`` annotators with two comparisons each.
* ``log_eps`` [1e-6] (``corrected_dpo``): the floor of the stable logarithm ``log(max(z, eps))`` of
  section 5.1, > 0 and < 0.5.
* ``correction_clip`` [0.1 for ``"estimated"``, null for ``"known"``] (``corrected_dpo``): the bound
  on ``|sigma''(h) V / 2|`` before it is multiplied by alpha, as in the authors' code (arashne/dahp);
  without it the estimated correction is unbounded (see :mod:`aggregation.losses`). An explicit
  ``null`` switches it off.
* ``joint_types`` [the population's number of user types (distinct rankings), at most 16],
  ``joint_steps`` [1000], ``joint_learning_rate`` [0.01] (``corrected_dpo`` with ``"estimated"``):
  J is a mixture of that many Bradley-Terry latent types (the authors' model, which they give the
  true number of types), trained by full-batch Adam on the cross-entropy against ``o * o'``.
* ``lora`` [``{"r": 8, "alpha": 32, "dropout": 0.1, "target_modules": null}``] (the
  Jackpot paper's settings; ``target_modules`` null: the tiny model's attention and MLP
  layers, or peft's default for a real architecture).
* ``seed`` [0], ``device`` [``"auto"``: CUDA when present, else CPU], ``cpu_threads`` [null:
  1 for the tiny model, torch's default otherwise], ``time_limit_s`` [3600].
* ``prompt`` [:data:`DEFAULT_PROMPT`]: ``{options}`` is replaced by the alternatives' names; at most
  :data:`MAX_PROMPT_CHARS` characters, and :data:`MAX_RENDERED_PROMPT_CHARS` once the names are in.
* ``name`` [null]: a label for the job list, at most :data:`MAX_JOB_NAME_CHARS` characters.
* ``experiment`` [null]: set by :meth:`worker.client.JobClient.submit_experiment` for the runs of one of
  the papers' experiments (:mod:`worker.experiments`): ``{"name": experiment, "id": the submission's id
  (hex), "run": the run's id, e.g. "three/rlhf/seed=0"}``; the trainer ignores it, the Experiments page
  groups the jobs by it.

Every size is bounded (the limits below and each field's range), so that no spec can make a worker
allocate without bound. The prompt and name limits carry the names of the core's limits table
(``aggregation.bounds``) that another branch adds; they live here until it lands.
"""

from __future__ import annotations

import json
import math
import numbers

from aggregation import AggregationError, bounds, population_from_dict, population_to_dict
from aggregation.rules.heterogeneous import VARIANCES
from aggregation.training_methods import DEFAULTS, DEVICES, MAX_JOINT_TYPES, TRAINING_METHODS, training_method
from aggregation.validate import as_float, distribution, short

from .catalog import BUILT_IN, TABULAR, TINY, is_model_name

DEFAULT_PROMPT = "Which one do you like best: {options}? My favourite colour is"
DEFAULT_LORA = DEFAULTS["lora"]
TINY_LEARNING_RATE = DEFAULTS["learning_rate"]["tiny"]
TABULAR_LEARNING_RATE = DEFAULTS["learning_rate"]["tabular"]
MAX_CONTEXTS = 1000
PRETRAINED_LEARNING_RATE = DEFAULTS["learning_rate"]["checkpoint"]
MAX_SPEC_BYTES = bounds.MAX_SPEC_BYTES  # 100,000 rankings over 50 alternatives take about 32 MB
DISPERSIONS = ("fixed", "entropy")  # the Mallows-RMJ dispersion: a given phi, or RCPO Appendix D's proxy

COMMON_FIELDS = (
    "population",
    "method",
    "model",
    "sampling",
    "beta",
    "dataset_size",
    "steps",
    "learning_rate",
    "lora",
    "seed",
    "device",
    "contexts",
    "cpu_threads",
    "time_limit_s",
    "prompt",
    "name",
)
OPTIONAL_FIELDS = ("experiment",)  # kept only when given
ALL_FIELDS = set(COMMON_FIELDS) | set(OPTIONAL_FIELDS) | {f for m in TRAINING_METHODS.values() for f in m.fields}


class JobSpecError(AggregationError):
    """A malformed job spec; the message names the field."""


def validate_spec(spec) -> dict:
    """The normalised spec (plain JSON, defaults filled in), or :class:`JobSpecError`."""
    return validate_spec_and_population(spec)[0]


def validate_spec_and_population(spec) -> tuple[dict, object]:
    """:func:`validate_spec` and the population object it built (parsing a large one is slow)."""
    if not isinstance(spec, dict):
        raise JobSpecError(f"a job spec must be a JSON object (a dict), got {type(spec).__name__}")
    try:
        size = len(json.dumps(spec, allow_nan=False).encode())
    except RecursionError:
        raise JobSpecError("the job spec is not plain JSON: it is nested too deeply") from None
    except (TypeError, ValueError) as exc:
        raise JobSpecError(f"the job spec is not plain JSON: {str(exc)[:200]}") from None
    if size > MAX_SPEC_BYTES:
        raise JobSpecError(
            f"the job spec is too large ({size / 1e6:.1f} MB; at most {MAX_SPEC_BYTES / 1e6:.0f} MB "
            "are accepted (aggregation.bounds.MAX_SPEC_BYTES))"
        )
    unknown = [key for key in spec if key not in ALL_FIELDS]
    if unknown:
        raise JobSpecError(f"unknown setting {short(unknown[0])} (known settings: {', '.join(sorted(ALL_FIELDS))})")

    method = spec.get("method")
    try:
        entry = training_method(method)
    except AggregationError:
        raise JobSpecError(f"method must be one of {', '.join(TRAINING_METHODS)}; got {short(method)}") from None
    if "population" not in spec:
        raise JobSpecError("population is missing")
    try:
        population = population_from_dict(spec["population"], where="population")
    except AggregationError as exc:
        raise JobSpecError(str(exc)) from None
    alts = population.alternatives
    if len(alts) < 2:
        raise JobSpecError("population: training needs at least two alternatives")
    kind = spec["population"]["kind"]
    if entry.needs_voters and not population.has_full_rankings:
        usable = [m.id for m in TRAINING_METHODS.values() if not m.needs_voters]
        raise JobSpecError(
            f"method {method!r} needs voters' rankings or user types; a population of kind {kind!r} "
            f"only has pairwise preferences (use {', '.join(usable[:-1])} or {usable[-1]})"
        )
    if len({" ".join(a.split()) for a in alts}) < len(alts):
        raise JobSpecError(
            "population.alternatives: two names differ only in spacing; the model cannot tell them apart"
        )

    out: dict = {"method": method, "population": spec["population"]}  # valid as given (re-writing it is slow)
    model = spec.get("model", DEFAULTS["model"])
    if model not in BUILT_IN and not is_model_name(
        model
    ):  # never echoed: it may be a path, and a refusal says nothing of the disk
        raise JobSpecError(
            f"model must be 'tiny', 'tabular' or the name of a model in the operator's model folders (a folder name "
            f"of at most {bounds.MAX_MODEL_NAME_CHARS} letters, digits, '.', '_', '+' or '-'; paths and hub ids "
            "are not accepted)"
        )
    out["model"] = model
    try:
        D = None if spec.get("sampling") is None else distribution(spec["sampling"], alts, what="sampling")
    except AggregationError as exc:
        raise JobSpecError(str(exc)) from None
    if D is not None and (D > 0).sum() < 2:
        raise JobSpecError("sampling must give positive probability to at least two alternatives")
    out["sampling"] = None if D is None else {a: float(p) for a, p in D.items()}
    positive = len(alts) if D is None else int((D > 0).sum())

    out["beta"] = _number(spec, "beta", entry.default_beta, low=0.0, low_open=not entry.beta_may_be_zero, high=1e4)
    out["dataset_size"] = _integer(spec, "dataset_size", DEFAULTS["dataset_size"], 1, 1_000_000)
    out["steps"] = _integer(spec, "steps", DEFAULTS["steps"], 1, 100_000)
    default_lr = {TINY: TINY_LEARNING_RATE, TABULAR: TABULAR_LEARNING_RATE}.get(out["model"], PRETRAINED_LEARNING_RATE)
    out["learning_rate"] = _number(spec, "learning_rate", default_lr, low=0.0, low_open=True, high=10.0)
    out["lora"] = _lora(spec.get("lora"))
    out["contexts"] = _integer(spec, "contexts", DEFAULTS["contexts"], 1, MAX_CONTEXTS)
    if out["contexts"] > 1 and model != TABULAR:
        raise JobSpecError(
            f"contexts ({out['contexts']}) is for the tabular model only; a language model sees one prompt"
        )
    if out["dataset_size"] < out["contexts"]:
        raise JobSpecError(
            f"dataset_size ({out['dataset_size']}) must be at least contexts ({out['contexts']}): "
            "every prompt needs a row of data"
        )
    out["seed"] = _integer(spec, "seed", DEFAULTS["seed"], 0, 2**32 - 1)
    device = spec.get("device", DEFAULTS["device"])
    if device not in DEVICES:
        raise JobSpecError(f"device must be one of {', '.join(DEVICES)}; got {short(device)}")
    out["device"] = device
    out["cpu_threads"] = _integer(spec, "cpu_threads", None, 1, 256)
    out["time_limit_s"] = _number(spec, "time_limit_s", 3600.0, low=0.0, low_open=True, high=7 * 24 * 3600.0)
    prompt = spec.get("prompt", DEFAULT_PROMPT)
    if not isinstance(prompt, str) or not prompt.strip():
        raise JobSpecError(f"prompt must be a non-empty text, got {short(prompt)}")
    if len(prompt) > bounds.MAX_PROMPT_CHARS:
        raise JobSpecError(
            f"prompt has {len(prompt):,} characters; at most {bounds.MAX_PROMPT_CHARS:,} are accepted "
            "(aggregation.bounds.MAX_PROMPT_CHARS)"
        )
    rendered = len(prompt) + prompt.count("{options}") * (sum(map(len, alts)) + 2 * len(alts) - len("{options}") - 2)
    if rendered > bounds.MAX_RENDERED_PROMPT_CHARS:
        raise JobSpecError(
            f"prompt has {rendered:,} characters once {{options}} is replaced by the alternatives' names; "
            f"at most {bounds.MAX_RENDERED_PROMPT_CHARS:,} are accepted "
            "(aggregation.bounds.MAX_RENDERED_PROMPT_CHARS)"
        )
    out["prompt"] = prompt
    name = spec.get("name")
    if name is not None and (not isinstance(name, str) or len(name) > bounds.MAX_JOB_NAME_CHARS):
        raise JobSpecError(
            f"name must be a text of at most {bounds.MAX_JOB_NAME_CHARS} characters "
            "(aggregation.bounds.MAX_JOB_NAME_CHARS)"
        )
    out["name"] = name
    if spec.get("experiment") is not None:
        out["experiment"] = _experiment(spec["experiment"])

    fields = entry.fields
    if "batch_size" in fields:
        out["batch_size"] = _integer(spec, "batch_size", None, 1, 1_000_000)
    if "samples_per_step" in fields:
        out["samples_per_step"] = _integer(spec, "samples_per_step", DEFAULTS["samples_per_step"], 2, 100_000)
        out["exploration"] = _number(spec, "exploration", DEFAULTS["exploration"], low=0.0, high=1.0, high_open=True)
    if "k" in fields:
        out["k"] = _integer(spec, "k", DEFAULTS["k"], 1, 64)
        if out["k"] >= out["samples_per_step"]:
            raise JobSpecError(f"k ({out['k']}) must be smaller than samples_per_step ({out['samples_per_step']})")
    if "display_size" in fields:
        out["display_size"] = _integer(spec, "display_size", min(DEFAULTS["display_size"], positive), 2, positive)
        out["top_k"] = _integer(spec, "top_k", DEFAULTS["top_k"], 1, out["display_size"])
    if "dispersion" in fields:
        default = "fixed" if spec.get("phi") is not None or model == TABULAR else DEFAULTS["dispersion"]
        dispersion = spec.get("dispersion", default)
        if dispersion not in DISPERSIONS:
            raise JobSpecError(f"dispersion must be one of {', '.join(DISPERSIONS)}; got {short(dispersion)}")
        if dispersion == "entropy" and model == TABULAR:
            raise JobSpecError(
                "dispersion 'entropy' reads a language model's token entropies (RCPO Appendix D); the "
                "tabular model has none (its proxy would be phi = 1, a zero loss): use dispersion "
                "'fixed' with a phi"
            )
        out["dispersion"] = dispersion
        if dispersion == "fixed":
            out["phi"] = _number(spec, "phi", DEFAULTS["phi"], low=0.0, low_open=True, high=1.0, high_open=True)
        elif spec.get("phi") is not None:
            raise JobSpecError(
                "phi is set, but dispersion 'entropy' estimates it from the reference model "
                "(RCPO Appendix D); leave phi out or use dispersion 'fixed'"
            )
    if "variance" in fields:
        out.update(_correction(spec, population))
    return out, population


_HEX = set("0123456789abcdef")


def _experiment(value) -> dict:
    from aggregation.experiments import EXPERIMENTS

    if not isinstance(value, dict) or set(value) != {"name", "id", "run"}:
        raise JobSpecError("experiment must be an object with exactly name, id and run")
    if value["name"] not in EXPERIMENTS:
        raise JobSpecError(f"experiment.name must be one of {', '.join(EXPERIMENTS)}; got {short(value['name'])}")
    if not isinstance(value["id"], str) or not 0 < len(value["id"]) <= 32 or not set(value["id"]) <= _HEX:
        raise JobSpecError("experiment.id must be 1 to 32 lowercase hexadecimal digits")
    if not isinstance(value["run"], str) or not 0 < len(value["run"]) <= 200:
        raise JobSpecError("experiment.run must be a text of 1 to 200 characters")
    return {"name": value["name"], "id": value["id"], "run": value["run"]}


def _correction(spec: dict, population) -> dict:
    """Corrected DPO's settings (Shirali et al., section 5): alpha, variance, log_eps, correction_clip and,
    for the estimated variance, the joint model's size and training."""
    out = {"alpha": _number(spec, "alpha", DEFAULTS["alpha"], low=0.0, high=1000.0)}
    variance = spec.get("variance", DEFAULTS["variance"])
    if variance not in VARIANCES:
        raise JobSpecError(f"variance must be one of {', '.join(VARIANCES)}; got {variance!r}")
    if variance == "known" and not population.has_rewards:
        raise JobSpecError(
            f"variance 'known' needs user types with rewards (it is Var_u of the reward difference); "
            f"a population of kind {spec['population']['kind']!r} has no reward scale: use variance "
            "'estimated'"
        )
    out["variance"] = variance
    out["log_eps"] = _number(spec, "log_eps", DEFAULTS["log_eps"], low=0.0, low_open=True, high=0.5, high_open=True)
    clip = spec.get("correction_clip", DEFAULTS["correction_clip"][variance])
    out["correction_clip"] = (
        None
        if clip is None
        else _number({"correction_clip": clip}, "correction_clip", None, low=0.0, low_open=True, high=10.0)
    )
    if variance == "estimated":
        types = len(population.types) if population.has_rewards else population.compressed().n_rankings
        out["joint_types"] = _integer(spec, "joint_types", min(types, MAX_JOINT_TYPES), 1, 64)
        out["joint_steps"] = _integer(spec, "joint_steps", DEFAULTS["joint_steps"], 1, 100_000)
        out["joint_learning_rate"] = _number(
            spec, "joint_learning_rate", DEFAULTS["joint_learning_rate"], low=0.0, low_open=True, high=10.0
        )
    return out


def describe_spec(spec: dict) -> str:
    """One line for a job list, e.g. ``dpo · tiny · 200 steps · beta 0.1 · 2,048 rows``."""
    parts = [
        spec["method"],
        spec["model"],
        f"{spec['steps']:,} steps",
        f"beta {spec['beta']:g}",
        f"{spec['dataset_size']:,} rows",
    ]
    fields = training_method(spec["method"]).fields
    if "k" in fields:
        parts.append(f"k {spec['k']}")
    if "top_k" in fields:
        parts.append(f"top-{spec['top_k']} of {spec['display_size']}")
    if "variance" in fields:
        parts.append(f"alpha {spec['alpha']:g} · {spec['variance']} V")
    if spec.get("contexts", 1) > 1:
        parts.append(f"{spec['contexts']} prompts")
    return " · ".join(parts)


def spec_for(population, method: str, **settings) -> dict:
    """A validated spec for a population object (Profile, RewardPopulation, ...) and a method."""
    return validate_spec({"population": population_to_dict(population), "method": method, **settings})


# ------------------------------------------------------------------ field checks
def _integer(spec: dict, key: str, default, low: int, high: int):
    value = spec.get(key, default)
    if value is None and default is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not low <= value <= high:
        raise JobSpecError(f"{key} must be a whole number between {low:,} and {high:,}, got {short(value)}")
    return int(value)


def _number(
    spec: dict, key: str, default, *, low: float, high: float, low_open: bool = False, high_open: bool = False
) -> float:
    value = spec.get(key, default)
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise JobSpecError(f"{key} must be a number, got {short(value)}")
    if not isinstance(value, numbers.Integral) and not math.isfinite(value):
        raise JobSpecError(f"{key} must be a number, got {short(value)}")
    value = as_float(value)  # a whole number beyond every float: +-inf, beyond every range below
    if value < low or (low_open and value == low) or value > high or (high_open and value == high):
        lo = f"{'>' if low_open else '>='} {low:g}"
        hi = f"{'<' if high_open else '<='} {high:g}"
        raise JobSpecError(f"{key} must be {lo} and {hi}, got {value:g}")
    return value


def _lora(value) -> dict:
    if value is None:
        return dict(DEFAULT_LORA)
    if not isinstance(value, dict):
        raise JobSpecError(f"lora must be an object with r, alpha, dropout and target_modules, got {short(value)}")
    unknown = [key for key in value if key not in DEFAULT_LORA]
    if unknown:
        raise JobSpecError(f"lora.{str(unknown[0])[:40]} is not a LoRA setting (known: {', '.join(DEFAULT_LORA)})")
    merged = {**DEFAULT_LORA, **value}
    try:
        out = {
            "r": _integer(merged, "r", DEFAULT_LORA["r"], 1, 1024),
            "alpha": _number(merged, "alpha", DEFAULT_LORA["alpha"], low=0.0, low_open=True, high=1e4),
            "dropout": _number(merged, "dropout", DEFAULT_LORA["dropout"], low=0.0, high=1.0, high_open=True),
            "target_modules": merged["target_modules"],
        }
    except JobSpecError as exc:
        raise JobSpecError(f"lora.{exc}") from None
    tm = out["target_modules"]
    if tm is not None and (
        not isinstance(tm, list)
        or not 0 < len(tm) <= bounds.MAX_TARGET_MODULES
        or not all(isinstance(t, str) and 0 < len(t) <= bounds.MAX_TARGET_MODULE_CHARS for t in tm)
    ):
        raise JobSpecError(
            f"lora.target_modules must be null or a list of 1 to {bounds.MAX_TARGET_MODULES} layer names "
            f"of at most {bounds.MAX_TARGET_MODULE_CHARS} characters each"
        )
    return out
