"""Job specs: defaults, and a clear refusal naming the field for every kind of malformed spec."""

import math

import pytest

from aggregation import AggregationError, RewardPopulation, population_to_dict
from worker.spec import DEFAULT_PROMPT, JobSpecError, describe_spec, spec_for, validate_spec

from .conftest import FIGURE_1


def test_minimal_dpo_spec_gets_every_default(figure_1):
    spec = validate_spec({"population": figure_1, "method": "dpo"})
    assert spec == {
        "method": "dpo",
        "population": figure_1,
        "model": "tiny",
        "sampling": None,
        "beta": 0.1,
        "dataset_size": 2048,
        "steps": 200,
        "learning_rate": 5e-3,
        "lora": {"r": 8, "alpha": 32.0, "dropout": 0.1, "target_modules": None},
        "contexts": 1,
        "seed": 0,
        "device": "auto",
        "cpu_threads": None,
        "time_limit_s": 3600.0,
        "prompt": DEFAULT_PROMPT,
        "name": None,
        "batch_size": None,
    }


def test_method_specific_defaults_and_irrelevant_settings_dropped(figure_1):
    nash = validate_spec({"population": figure_1, "method": "nash", "phi": 0.3})
    assert (nash["beta"], nash["samples_per_step"], nash["exploration"]) == (0.01, 64, 0.1)
    assert "phi" not in nash and "batch_size" not in nash
    mallows = validate_spec({"population": figure_1, "method": "mallows"})  # RCPO Appendix D's proxy by default
    assert (mallows["display_size"], mallows["top_k"], mallows["dispersion"]) == (3, 1, "entropy")
    assert "phi" not in mallows
    fixed = validate_spec({"population": figure_1, "method": "mallows", "phi": 0.3})  # a phi given: fixed
    assert (fixed["dispersion"], fixed["phi"]) == ("fixed", 0.3)
    tabular = validate_spec({"population": figure_1, "method": "mallows", "model": "tabular"})  # no tokens
    assert (tabular["dispersion"], tabular["phi"]) == ("fixed", 0.5)
    with pytest.raises(JobSpecError, match="the tabular model has none"):
        validate_spec({"population": figure_1, "method": "mallows", "model": "tabular", "dispersion": "entropy"})
    proxy = validate_spec({"population": figure_1, "method": "mallows", "dispersion": "entropy"})
    assert proxy["dispersion"] == "entropy" and "phi" not in proxy
    assert validate_spec(proxy) == proxy
    assert "dispersion" not in validate_spec({"population": figure_1, "method": "mnl", "dispersion": "entropy"})
    assert validate_spec({"population": figure_1, "method": "mpne"})["k"] == 2
    assert validate_spec({"population": figure_1, "method": "dpo", "model": "qwen-0.5b"})["learning_rate"] == 1e-4


def test_spec_is_validated_again_idempotently(figure_1):
    spec = validate_spec(
        {"population": figure_1, "method": "mnl", "top_k": 2, "sampling": {"R": 0.5, "G": 0.25, "B": 0.25}}
    )
    assert validate_spec(spec) == spec


@pytest.mark.parametrize(
    "change, message",
    [
        (
            {"method": "ppo"},
            "method must be one of dpo, ipo, rlhf, nash, mpne, mnl, mallows, consistent, consistent_b3, "
            "corrected_dpo; got 'ppo'",
        ),
        ({"stpes": 10}, "unknown setting 'stpes'"),
        ({"steps": 0}, "steps must be a whole number between 1 and 100,000, got 0"),
        ({"steps": "200"}, "steps must be a whole number between 1 and 100,000, got '200'"),
        ({"steps": True}, "steps must be a whole number"),
        ({"beta": -1}, "beta must be > 0 and <= 10000, got -1"),
        ({"beta": 0}, "beta must be > 0"),
        ({"beta": 10**400}, "beta must be > 0 and <= 10000, got inf"),  # beyond any float (found by the fuzzer)
        ({"learning_rate": -(10**400)}, "learning_rate must be > 0"),
        ({"learning_rate": "fast"}, "learning_rate must be a number, got 'fast'"),
        ({"dataset_size": 2.5}, "dataset_size must be a whole number"),
        ({"device": "gpu"}, "device must be one of auto, cpu, cuda; got 'gpu'"),
        ({"lora": {"r": 0}}, "lora.r must be a whole number between 1 and 1,024, got 0"),
        ({"lora": {"rank": 4}}, "lora.rank is not a LoRA setting"),
        ({"lora": {"dropout": 1.0}}, "lora.dropout must be >= 0 and < 1, got 1"),
        ({"lora": {"target_modules": "c_attn"}}, "lora.target_modules must be null or a list of 1 to 64 layer names"),
        ({"lora": {"target_modules": ["x"] * 65}}, "lora.target_modules must be null or a list of 1 to 64 layer names"),
        ({"lora": {"target_modules": ["x" * 101]}}, "of at most 100 characters each"),
        ({"sampling": {"R": 0.5, "X": 0.5}}, "sampling: unknown alternative 'X'"),
        ({"sampling": {"R": 0.5, "G": 0.2, "B": 0.2}}, "sampling: probabilities sum to 0.9, not 1"),
        ({"sampling": {"R": 1.0, "G": 0.0, "B": 0.0}}, "sampling must give positive probability to at least two"),
        ({"prompt": ""}, "prompt must be a non-empty text"),
        ({"prompt": "x" * 2001}, "prompt has 2,001 characters; at most 2,000 are accepted"),
        ({"name": "x" * 201}, "name must be a text of at most 200 characters"),
        ({"model": ""}, "model must be 'tiny', 'tabular' or the name of a model in the operator's model folders"),
        ({"time_limit_s": math.inf}, "the job spec is not plain JSON"),
    ],
)
def test_malformed_specs_are_refused_naming_the_field(figure_1, change, message):
    with pytest.raises(JobSpecError) as err:
        validate_spec({"population": figure_1, "method": "dpo", **change})
    assert message in str(err.value)
    assert isinstance(err.value, AggregationError)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"method": "nash", "beta": 0}, None),
        ({"method": "mpne", "k": 64}, "k (64) must be smaller than samples_per_step (64)"),
        ({"method": "mnl", "top_k": 4}, "top_k must be a whole number between 1 and 3, got 4"),
        ({"method": "mnl", "display_size": 4}, "display_size must be a whole number between 2 and 3, got 4"),
        ({"method": "mallows", "phi": 1}, "phi must be > 0 and < 1, got 1"),
        ({"method": "mallows", "dispersion": "learned"}, "dispersion must be one of fixed, entropy; got 'learned'"),
        (
            {"method": "mallows", "dispersion": "entropy", "phi": 0.5},
            "phi is set, but dispersion 'entropy' estimates it from the reference model (RCPO Appendix D)",
        ),
        (
            {"method": "mnl", "display_size": 3, "sampling": {"R": 0.5, "G": 0.5, "B": 0}},
            "display_size must be a whole number between 2 and 2, got 3",
        ),
    ],
)
def test_method_settings(figure_1, change, message):
    if message is None:
        assert validate_spec({"population": figure_1, **change})["beta"] == 0.0
    else:
        with pytest.raises(JobSpecError, match=message.replace("(", r"\(").replace(")", r"\)")):
            validate_spec({"population": figure_1, **change})


def test_population_errors_name_the_field():
    bad = {"kind": "rankings", "rankings": [{"ranking": "R > G", "weight": 1}, {"ranking": "G > R", "weight": -2}]}
    with pytest.raises(JobSpecError, match=r"population.rankings\[1\]"):
        validate_spec({"population": bad, "method": "dpo"})
    with pytest.raises(JobSpecError, match="population is missing"):
        validate_spec({"method": "dpo"})
    with pytest.raises(JobSpecError, match="at least two alternatives"):
        validate_spec({"population": {"kind": "rankings", "text": "3: A"}, "method": "dpo"})


def test_methods_needing_voters_refuse_a_bare_matrix():
    matrix = {"kind": "matrix", "alternatives": ["a", "b"], "matrix": [[0.5, 0.7], [0.3, 0.5]]}
    assert validate_spec({"population": matrix, "method": "nash"})["method"] == "nash"
    for method in ("mnl", "mallows", "mpne", "consistent", "consistent_b3", "corrected_dpo"):
        with pytest.raises(JobSpecError, match=f"method '{method}' needs voters' rankings or user types"):
            validate_spec({"population": matrix, "method": method})


def test_not_a_dict_or_not_json():
    with pytest.raises(JobSpecError, match="must be a JSON object"):
        validate_spec([1, 2])
    with pytest.raises(JobSpecError, match="not plain JSON"):
        validate_spec({"population": object(), "method": "dpo"})


def test_spec_for_a_population_object_and_its_summary():
    users = RewardPopulation({"u": {"x": 1.0, "y": 0.0}, "v": {"x": 0.0, "y": 2.0}}, {"u": 2, "v": 1})
    spec = spec_for(users, "mpne", k=3, steps=50)
    assert spec["population"] == population_to_dict(users)
    assert describe_spec(spec) == "mpne · tiny · 50 steps · beta 0.01 · 2,048 rows · k 3"
    assert (
        describe_spec(spec_for(FIGURE_1, "mallows", top_k=2))
        == "mallows · tiny · 200 steps · beta 0.1 · 2,048 rows · top-2 of 3"
    )


def test_each_method_reads_the_fields_the_core_table_lists(figure_1):
    """aggregation.TRAINING_METHODS is the one place a method's fields, default beta and needs are written:
    the spec keeps exactly the common fields plus the method's own (the others are dropped)."""
    from aggregation import TRAINING_METHODS
    from worker.spec import COMMON_FIELDS

    for method, entry in TRAINING_METHODS.items():
        spec = validate_spec({"population": figure_1, "method": method, "batch_size": 16, "k": 2, "phi": 0.5})
        assert set(spec) == set(COMMON_FIELDS) | set(entry.fields)
        assert spec["beta"] == entry.default_beta


USERS = RewardPopulation(
    {"u": {"x": 1.0, "y": 0.0, "z": 2.0}, "v": {"x": 0.0, "y": 2.0, "z": 1.0}, "w": {"x": 2.0, "y": 1.0, "z": 0.0}}
)


def test_corrected_dpo_defaults_follow_the_paper_and_the_authors_code(figure_1):
    """alpha 1 (the theory's value), the estimated variance clipped at 0.1 (arashne/dahp), J with as many
    latent types as the population has types (the authors' choice), 1,000 Adam steps at 1e-2."""
    users = population_to_dict(USERS)
    spec = validate_spec({"population": users, "method": "corrected_dpo"})
    assert {
        k: spec[k]
        for k in (
            "alpha",
            "variance",
            "log_eps",
            "correction_clip",
            "joint_types",
            "joint_steps",
            "joint_learning_rate",
        )
    } == {
        "alpha": 1.0,
        "variance": "estimated",
        "log_eps": 1e-6,
        "correction_clip": 0.1,
        "joint_types": 3,
        "joint_steps": 1000,
        "joint_learning_rate": 0.01,
    }
    assert validate_spec(spec) == spec
    known = validate_spec({"population": users, "method": "corrected_dpo", "variance": "known", "joint_types": 5})
    assert known["correction_clip"] is None and "joint_types" not in known  # J is not fitted
    off = validate_spec({"population": users, "method": "corrected_dpo", "correction_clip": None})
    assert off["correction_clip"] is None and validate_spec(off) == off  # an explicit null stays off
    assert validate_spec({"population": figure_1, "method": "corrected_dpo"})["joint_types"] == 2  # 2 rankings
    assert describe_spec(known) == "corrected_dpo · tiny · 200 steps · beta 0.1 · 2,048 rows · alpha 1 · known V"
    assert "alpha" not in validate_spec({"population": users, "method": "dpo", "alpha": 2.0})


@pytest.mark.parametrize(
    "change, message",
    [
        ({"alpha": -0.5}, "alpha must be >= 0 and <= 1000, got -0.5"),
        ({"alpha": "one"}, "alpha must be a number, got 'one'"),
        ({"variance": "learned"}, "variance must be one of estimated, known; got 'learned'"),
        ({"log_eps": 0}, "log_eps must be > 0 and < 0.5, got 0"),
        ({"log_eps": 0.5}, "log_eps must be > 0 and < 0.5, got 0.5"),
        ({"correction_clip": 0}, "correction_clip must be > 0 and <= 10, got 0"),
        ({"correction_clip": "none"}, "correction_clip must be a number, got 'none'"),
        ({"joint_types": 0}, "joint_types must be a whole number between 1 and 64, got 0"),
        ({"joint_steps": 1.5}, "joint_steps must be a whole number between 1 and 100,000, got 1.5"),
        ({"joint_learning_rate": 0}, "joint_learning_rate must be > 0 and <= 10, got 0"),
    ],
)
def test_corrected_dpo_settings_are_refused_naming_the_field(change, message):
    with pytest.raises(JobSpecError) as err:
        validate_spec({"population": population_to_dict(USERS), "method": "corrected_dpo", **change})
    assert str(err.value) == message


def test_the_known_variance_needs_user_types(figure_1):
    with pytest.raises(JobSpecError) as err:
        validate_spec({"population": figure_1, "method": "corrected_dpo", "variance": "known"})
    assert str(err.value) == (
        "variance 'known' needs user types with rewards (it is Var_u of the reward "
        "difference); a population of kind 'rankings' has no reward scale: use variance "
        "'estimated'"
    )


@pytest.mark.parametrize(
    "model",
    [
        "/root/.ssh",
        "../models/x",
        "models/x",
        "~/x",
        ".hidden",
        "..",
        "a b",
        "https://example.com/m",
        "[Session expired](https://example.com)",
        "x" * 201,
        7,
        None,
    ],
)
def test_a_model_is_a_folder_name_and_a_refusal_never_echoes_it(figure_1, model):
    with pytest.raises(JobSpecError) as err:
        validate_spec({"population": figure_1, "method": "dpo", "model": model})
    message = str(err.value)
    assert message == (
        "model must be 'tiny', 'tabular' or the name of a model in the operator's model folders (a folder name of "
        "at most 200 letters, digits, '.', '_', '+' or '-'; paths and hub ids are not accepted)"
    )


def test_the_prompt_is_bounded_once_the_names_are_filled_in():
    """The prompt template is at most 2,000 characters, and at most 20,000 once {options} holds the names: 100
    alternatives of 190 characters join to 100 * 190 + 99 * 2 = 19,198 characters."""
    names = [f"{i:03d}" + "x" * 187 for i in range(100)]
    population = {"kind": "rankings", "alternatives": names, "rankings": [{"ranking": " > ".join(names), "weight": 1}]}
    once = "{options}?"
    assert validate_spec({"population": population, "method": "dpo", "prompt": once})["prompt"] == once
    with pytest.raises(
        JobSpecError,
        match=r"prompt has 38,398 characters once \{options\} is replaced by the "
        r"alternatives' names; at most 20,000 are accepted",
    ):
        validate_spec({"population": population, "method": "dpo", "prompt": once + once})  # 2 * (19,198 + 1)
