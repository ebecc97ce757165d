"""The seeded generators of ``aggregation.populations.generators`` as forms: each generator's parameters, a seed,
and a button that replaces the population (same parameters and seed, same population).

Each form field maps to one parameter of the core's generator; :func:`parameters` turns the
form's values into the keyword arguments of ``aggregation.generate`` and reports unreadable
entries as :class:`AggregationError` naming the field. The generated population remembers how it
was made (a ``presets`` generator spec), so that its scenario file stays a few lines long.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from aggregation import AggregationError, bounds, generate
from presets.scenario import GeneratorSpec

from . import state, widgets


@dataclass(frozen=True)
class Field:
    name: str  # the generator's parameter
    label: str
    kind: str  # "count", "number", "choice", "alternatives", "utilities"
    default: object
    help: str = ""
    low: float | None = None
    high: float | None = None
    options: tuple = ()


@dataclass(frozen=True)
class GeneratorForm:
    label: str
    explanation: str
    fields: tuple[Field, ...]
    rewards: bool = False  # makes user types rather than rankings


#: The most voters the form draws (the core accepts up to aggregation.bounds.MAX_RANKINGS).
MAX_VOTERS = 100_000
VOTERS = Field(
    "n_voters", "Voters", "count", 100, f"How many rankings to draw (up to {MAX_VOTERS:,} here).", 1, MAX_VOTERS
)
ALTERNATIVES = Field(
    "alternatives",
    "Alternatives (a number, or names separated by commas)",
    "alternatives",
    "4",
    "A number gives names A, B, C, …; for Mallows and single-peaked cultures the order of the names "
    f"matters (central ranking, axis). At most {bounds.MAX_ALTERNATIVES:,} alternatives, and voters × "
    f"alternatives at most {bounds.MAX_CELLS:,}.",
)

FORMS = {
    "impartial_culture": GeneratorForm(
        "Impartial culture",
        "Every strict ranking equally likely (Guilbaud 1952): no structure at all.",
        (VOTERS, ALTERNATIVES),
    ),
    "mallows": GeneratorForm(
        "Mallows",
        "Rankings scattered around a central ranking (the names in the order given): φ = 0 everyone "
        "agrees with it, φ = 1 is impartial culture (Mallows 1957).",
        (VOTERS, ALTERNATIVES, Field("phi", "Dispersion φ", "number", 0.5, "Between 0 and 1.", 0.0, 1.0)),
    ),
    "plackett_luce": GeneratorForm(
        "Plackett–Luce",
        "Each voter picks a favourite with probability proportional to exp(utility), then the next "
        "among the rest, and so on (Luce 1959, Plackett 1975).",
        (
            VOTERS,
            Field(
                "utilities",
                "Utilities (name = number, separated by commas)",
                "utilities",
                "A = 1, B = 0.5, C = 0, D = -0.5",
            ),
        ),
    ),
    "urn": GeneratorForm(
        "Pólya urn",
        "Voters copy earlier voters: each new voter draws a fresh random ranking with probability "
        "1 / (1 + i·α), otherwise repeats an earlier voter's ranking (Eggenberger & Pólya 1923).",
        (VOTERS, ALTERNATIVES, Field("alpha", "Contagion α", "number", 0.1, "0 is impartial culture.", 0.0, 1_000.0)),
    ),
    "single_peaked": GeneratorForm(
        "Single-peaked",
        "Every voter has a favourite on a left-to-right axis (the names in the order given) and "
        "likes answers less the further they are from it (Walsh 2015; Conitzer 2009).",
        (
            VOTERS,
            ALTERNATIVES,
            Field(
                "model",
                "Sampler",
                "choice",
                "walsh",
                "walsh: uniform over single-peaked rankings; conitzer: uniform peak.",
                options=("walsh", "conitzer"),
            ),
        ),
    ),
    "euclidean": GeneratorForm(
        "Euclidean",
        "Voters and answers are random points; each voter ranks answers by distance.",
        (
            VOTERS,
            ALTERNATIVES,
            Field("dimensions", "Dimensions", "count", 2, "", 1, 10),
            Field(
                "distribution",
                "Points drawn",
                "choice",
                "uniform",
                "uniform in a cube, or Gaussian",
                options=("uniform", "gaussian"),
            ),
        ),
    ),
    "reward_mixture": GeneratorForm(
        "User types with random rewards",
        "A few user types, each with a reward for every answer: Gaussian rewards, "
        "or minus the distance between a type's ideal point and each answer (spatial).",
        (
            Field(
                "n_types",
                "User types",
                "count",
                3,
                f"Up to 1,000 here; user types × alternatives² at most {bounds.MAX_TYPE_CELLS:,}.",
                1,
                1_000,
            ),
            ALTERNATIVES,
            Field("model", "Rewards", "choice", "gaussian", "", options=("gaussian", "spatial")),
            Field(
                "scale",
                "Reward scale",
                "number",
                1.0,
                "Standard deviation (Gaussian) or distance factor.",
                0.001,
                1_000.0,
            ),
            Field(
                "weights",
                "Type weights",
                "choice",
                "equal",
                "equal shares, or shares drawn uniformly at random",
                options=("equal", "dirichlet"),
            ),
            Field("temperature", "Annotator temperature T", "number", 1.0, "", 0.001, 1_000.0),
        ),
        rewards=True,
    ),
}


def _alternatives(text: str):
    text = bounds.text(str(text), "alternatives").strip()
    if text.isascii() and text.isdigit():
        return bounds.check(
            "MAX_ALTERNATIVES",
            int(text[-19:]) if len(text) <= 19 else 10**19,
            "alternatives",
            found=f"{text[:20]}{'…' if len(text) > 20 else ''} alternatives",
        )
    bounds.check("MAX_ALTERNATIVES", text.count(",") + 1, "alternatives", found=f"{text.count(',') + 1:,} names")
    names = [n.strip() for n in text.split(",") if n.strip()]
    if not names:
        raise AggregationError("give a number of alternatives or their names separated by commas")
    return names


def _utilities(text: str) -> dict[str, float]:
    out = {}
    text = bounds.text(str(text), "utilities")
    bounds.check("MAX_ALTERNATIVES", text.count(",") + 1, "utilities", found=f"{text.count(',') + 1:,} entries")
    for i, part in enumerate(p for p in text.split(",") if p.strip()):
        name, sep, value = part.partition("=")
        if not sep or not name.strip():
            raise AggregationError(f"utilities, entry {i + 1} ({part.strip()!r}): write name = number")
        try:
            out[name.strip()] = float(value)
        except ValueError:
            raise AggregationError(f"utilities, entry {i + 1}: {value.strip()!r} is not a number") from None
    if not out:
        raise AggregationError("utilities: give at least one entry such as A = 1")
    return out


def parameters(model: str, values: dict, seed: int) -> dict:
    """The keyword arguments of ``aggregation.generate(model, ...)`` from the form's values."""
    params = {}
    for f in FORMS[model].fields:
        value = values[f.name]
        if f.kind == "alternatives":
            value = _alternatives(value)
        elif f.kind == "utilities":
            value = _utilities(value)
        elif f.kind == "count":
            value = int(value)
        elif f.kind == "number":
            value = float(value)
        if f.name == "weights" and value == "equal":
            continue  # the generator's default: equal shares
        params[f.name] = value
    params["seed"] = int(seed)
    return params


def generate_population(model: str, params: dict):
    """``(population, origin)``: the generated population and where it came from."""
    population = generate(model, **params)
    title = f"{FORMS[model].label} generator, seed {params['seed']}"
    return population, state.Origin(title, generator=GeneratorSpec(model, dict(params), population.fingerprint))


def panel() -> None:
    """Choose a generator, fill its parameters and a seed, and generate (replaces the population)."""
    model = st.selectbox("Generator", list(FORMS), format_func=lambda m: FORMS[m].label, key="generator_model")
    form = FORMS[model]
    st.caption(form.explanation)
    with st.form(f"generator_form_{model}", border=False):
        values = {}
        columns = st.columns(3)
        for i, f in enumerate(form.fields):
            target = columns[i % 3]
            key = f"generator_{model}_{f.name}"
            if f.kind == "count":
                values[f.name] = target.number_input(
                    f.label,
                    min_value=int(f.low),
                    max_value=int(f.high),
                    value=int(f.default),
                    step=1,
                    key=key,
                    help=f.help or None,
                )
            elif f.kind == "number":
                values[f.name] = target.number_input(
                    f.label,
                    min_value=f.low,
                    max_value=f.high,
                    value=float(f.default),
                    key=key,
                    help=f.help or None,
                    format="%.4g",
                )
            elif f.kind == "choice":
                values[f.name] = target.selectbox(f.label, f.options, key=key, help=f.help or None)
            else:
                values[f.name] = target.text_input(f.label, value=str(f.default), key=key, help=f.help or None)
        seed = columns[len(form.fields) % 3].number_input(
            "Seed",
            min_value=0,
            value=0,
            step=1,
            key=f"generator_{model}_seed",
            help="The same parameters and seed always give the same population, on every machine.",
        )
        submitted = st.form_submit_button("Generate (replaces the current population)", icon=":material/casino:")
    if submitted:
        try:
            population, origin = generate_population(model, parameters(model, values, int(seed)))
        except AggregationError as exc:
            widgets.error(exc, prefix="Not generated: ")
            return
        state.set_population(population, origin)
        st.rerun()
