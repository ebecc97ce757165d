"""Every parser returns either a population or the package's error (issue 10).

Each test feeds one reader hostile inputs and asserts that nothing but :class:`AggregationError` escapes
(``JobSpecError``, ``LimitError`` and the presets' errors are subclasses), that no input takes longer than
the profile's deadline (a hang fails), and that every accepted population survives export and re-import in
every format that can hold it (``roundtrip.check``; a population identical to one already checked is not
checked twice).

An example is a batch: hypothesis draws an input that is almost valid (``strategies``) and a random
source, and the test also parses :data:`MUTANTS` random edits of it (a character deleted, a token
inserted, a line doubled, swapped or dropped, other line breaks, a number replaced, the text cut short;
for structures, a field removed, added or replaced). Every parsed input counts towards ``FUZZ_EXAMPLES``
(``conftest.py``), which keeps a run of 100,000 inputs within a few minutes.
"""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

import presets
from aggregation import (
    AggregationError,
    Profile,
    population_from_dict,
    read_comparisons,
    read_population_json,
    read_preflib,
    read_rankings_csv,
)
from ui import files, generator_panel, urls
from worker.spec import validate_spec

from . import roundtrip
from .conftest import ACCEPTED, COUNTS, fuzz_settings
from .strategies import (
    comparison_csvs,
    jsonl_texts,
    json_values,
    mutate_text,
    mutate_value,
    names,
    number_texts,
    population_dicts,
    preflib_texts,
    ranking_texts,
    rankings_csvs,
    scenario_tomls,
)

#: Random edits of each drawn input parsed with it (each one counts as an input).
MUTANTS = 9
#: Populations already round-tripped (kind and fingerprint): an identical one is not checked again.
CHECKED: set[tuple[str, str]] = set()


def attempt(reader: str, parse):
    """``parse()``'s result, or None when it raised the package's error; anything else fails the test."""
    COUNTS[reader] += 1
    try:
        result = parse()
    except AggregationError:
        return None
    ACCEPTED[reader] += 1
    return result


def survives(reader: str, parse) -> None:
    """``parse()`` gives the package's error or a population that survives every round trip."""
    population = attempt(reader, parse)
    if population is None:
        return
    key = (population.kind, population.fingerprint)
    if key not in CHECKED:
        roundtrip.check(population)
        if len(CHECKED) > 100_000:
            CHECKED.clear()
        CHECKED.add(key)


def batch(reader: str, seed: str, rnd, read) -> None:
    """``read`` the drawn text and :data:`MUTANTS` random edits of it."""
    survives(reader, lambda: read(seed))
    for _ in range(MUTANTS):
        text = mutate_text(seed, rnd)
        survives(reader, lambda: read(text))


def structure_batch(reader: str, seed, rnd, read) -> None:
    survives(reader, lambda: read(seed))
    for _ in range(MUTANTS):
        value = mutate_value(seed, rnd)
        survives(reader, lambda: read(value))


RANDOM = st.randoms(use_true_random=False)


@fuzz_settings("ranking_text", MUTANTS)
@given(st.one_of(ranking_texts(), st.text(max_size=40)), RANDOM)
def test_ranking_text(text, rnd):
    batch("ranking_text", text, rnd, Profile.parse)


@fuzz_settings("preflib", MUTANTS)
@given(
    st.one_of(preflib_texts(), st.text(max_size=40)), st.sampled_from([None, None, None, "soc", ".TOC", "bad"]), RANDOM
)
def test_preflib(text, data_type, rnd):
    batch("preflib", text, rnd, lambda t: read_preflib(t, data_type))


@fuzz_settings("rankings_csv", MUTANTS)
@given(st.one_of(rankings_csvs(), st.text(max_size=40)), RANDOM)
def test_rankings_csv(text, rnd):
    batch("rankings_csv", text, rnd, read_rankings_csv)


@fuzz_settings("comparisons_csv", MUTANTS)
@given(st.one_of(comparison_csvs(), st.text(max_size=40)), st.sampled_from([None, None, None, "p", "q", "nan"]), RANDOM)
def test_comparisons_csv(text, prompt, rnd):
    batch("comparisons_csv", text, rnd, lambda t: read_comparisons(t, "csv", prompt=prompt))


@fuzz_settings("comparisons_jsonl", MUTANTS)
@given(jsonl_texts(), st.sampled_from([None, None, "p"]), RANDOM)
def test_comparisons_jsonl(text, prompt, rnd):
    batch("comparisons_jsonl", text, rnd, lambda t: read_comparisons(t, "jsonl", prompt=prompt))


@fuzz_settings("population_dict", MUTANTS)
@given(st.one_of(population_dicts(), population_dicts(), json_values()), RANDOM)
def test_population_dict(d, rnd):
    structure_batch("population_dict", d, rnd, population_from_dict)


@fuzz_settings("population_json", MUTANTS)
@given(
    st.one_of(
        population_dicts().map(json.dumps),
        json_values().map(json.dumps),
        st.text(max_size=30),
        st.sampled_from(["[" * 100_000, '{"kind": ' * 5000, "1" * 5000, "\ufeff{}", '{"kind": NaN}']),
    ),
    RANDOM,
)
def test_population_json(text, rnd):
    batch("population_json", text, rnd, read_population_json)


@fuzz_settings("scenario_toml", MUTANTS)
@given(scenario_tomls(), RANDOM)
def test_scenario_toml(text, rnd):
    batch("scenario_toml", text, rnd, lambda t: presets.loads(t).population)


SPEC_FIELDS = (
    "method",
    "model",
    "sampling",
    "beta",
    "k",
    "dataset_size",
    "steps",
    "learning_rate",
    "lora",
    "seed",
    "device",
    "cpu_threads",
    "time_limit_s",
    "prompt",
    "name",
    "batch_size",
    "samples_per_step",
    "exploration",
    "display_size",
    "top_k",
    "dispersion",
    "phi",
    "unknown",
)


@st.composite
def job_specs(draw):
    spec = {
        "population": draw(st.one_of(population_dicts(), st.just({"kind": "rankings", "text": "A > B\nB > A"}))),
        "method": draw(
            st.sampled_from(["dpo", "ipo", "rlhf", "nash", "mpne", "mnl", "mallows", "consistent", "x", None])
        ),
    }
    for key in draw(st.lists(st.sampled_from(SPEC_FIELDS), max_size=4, unique=True)):
        spec[key] = draw(
            st.one_of(
                json_values(4),
                number_texts(),
                st.integers(-2, 10**6),
                st.floats(allow_nan=True),
                st.text(max_size=3000),
            )
        )
    if draw(st.integers(0, 10)) == 0:
        spec = draw(st.sampled_from([None, [], "spec", {1: 2}, {"population": [[[[]]]]}]))
    return spec


def read_spec(spec):
    normalised = validate_spec(spec)
    assert json.loads(json.dumps(normalised)) == normalised  # plain JSON for the queue
    return population_from_dict(normalised["population"])


@fuzz_settings("job_spec", MUTANTS)
@given(job_specs(), RANDOM)
def test_job_spec(spec, rnd):
    structure_batch("job_spec", spec, rnd, read_spec)


DECODERS = {
    "k": urls.decode_k,
    "beta": urls.decode_beta,
    "temperature": urls.decode_temperature,
    "scenario": urls.decode_scenario,
    "job": urls.decode_job,
    "D": lambda text: urls.decode_sampling(text, ["R", "G", "B"]),
}


@fuzz_settings("url_params", MUTANTS)
@given(
    st.sampled_from(sorted(DECODERS)),
    st.one_of(
        number_texts(),
        names(),
        st.text(max_size=30),
        st.lists(number_texts(), max_size=5).map(",".join),
        st.sampled_from(["a" * 30_000, "0.5,0.5,0", ",", "1e999,0,0", "0.2,0.3,0.5", "jackpot_cycle"]),
    ),
    RANDOM,
)
def test_url_params(param, text, rnd):
    attempt("url_params", lambda: DECODERS[param](text))
    for _ in range(MUTANTS):
        mutant = mutate_text(text, rnd)
        attempt("url_params", lambda: DECODERS[param](mutant))


@fuzz_settings("uploads", 2)
@given(
    st.sampled_from(["x.txt", "x.soc", "x.toi", "x.csv", "x.jsonl", "x.json", "x.toml", "x.exe", "x", ".csv"]),
    st.one_of(
        ranking_texts(), preflib_texts(), comparison_csvs(), jsonl_texts(), scenario_tomls(), st.text(max_size=40)
    ).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.sampled_from(["4", "A, B, C", "", "²", "9" * 5000, ",".join("x" * 5), "A = 1, B = x"]),
)
def test_uploads_and_form_fields(name, data, form_text):
    """The dashboard's own entry points: an uploaded file by name and bytes (any extension, any encoding), a
    scenario upload, and the generator form's alternatives and utilities fields."""
    if files.is_scenario_file(name):
        attempt("uploads", lambda: files.read_scenario_file(name, data))
    else:
        survives("uploads", lambda: files.read_population_file(name, data)[0])
    attempt("uploads", lambda: generator_panel.parameters("plackett_luce", {"n_voters": 5, "utilities": form_text}, 0))
    attempt(
        "uploads",
        lambda: generator_panel.generate_population(
            "impartial_culture",
            generator_panel.parameters("impartial_culture", {"n_voters": 5, "alternatives": form_text}, 0),
        ),
    )


def test_the_suite_has_its_budget():
    """The readers' shares add up to FUZZ_EXAMPLES (within rounding): 100,000 inputs by default."""
    from .conftest import SHARES, TOTAL, inputs

    assert abs(sum(inputs(r) for r in SHARES) - TOTAL) <= len(SHARES)
