"""The Fine-tuning page without a worker: it renders for every preset and population kind, explains
every method, shows where theory says the chosen method lands, refuses malformed settings with the
worker's message under the field (queueing nothing), and keeps working when the queue is
unreachable, misconfigured, or a link names an unknown job.

Expected numbers for the default population (Jackpot Figure 1, 2 x R > G > B, 3 x B > R > G):
B is the Condorcet winner, so the maximal lottery is B with probability 1; the RLHF / DPO limit is
the core's ``rlhf_policy`` (R first, Borda's order)."""

from __future__ import annotations

import uuid

import numpy as np
import pandas as pd
import pytest

import presets
from aggregation import TRAINING_METHODS, Profile, RewardPopulation, ipo_policy, mpne, rlhf_policy, sample_comparisons
from aggregation.training_methods import theory
from aggregation.validate import distribution
from ui import state
from ui.numbers import decimal
from ui.training import form, history, result, text
from ui.training import theory as page_theory
from aggregation import population_to_dict
from worker.client import JobClient
from worker.spec import validate_spec

from .fine_tuning_helpers import (
    charts,
    frame,
    number_input_column,
    open_fine_tuning,
    texts,
    values,
    warnings_but_no_worker,
)

FIGURE_1 = Profile.parse(state.JACKPOT_FIGURE_1)


def preview(at) -> dict[str, dict[str, float]]:
    """The theory preview chart as {policy label: {alternative: probability}}."""
    spec = next(s for t, s in charts(at).items() if t.startswith(("Where theory says", "What theory predicts")))
    out: dict[str, dict[str, float]] = {}
    for trace in spec["data"]:
        for label, x in zip(values(trace["y"]), values(trace["x"])):
            out.setdefault(label.replace("<b>", "").replace("</b>", ""), {})[trace["name"]] = x
    return out


def test_the_page_renders_for_the_default_population(app, data_dir):
    at = open_fine_tuning(app)
    assert not at.exception and not at.error
    assert at.title[0].value == "Fine-tuning"
    assert at.selectbox(key="ft_method").options == [m.name for m in TRAINING_METHODS.values()]
    assert at.selectbox(key="ft_method").value == "dpo"
    assert "No jobs yet." in texts(at.info)
    assert at.button(key="ft_start").disabled is False
    # where theory says DPO lands: the RLHF / DPO limit first, then the maximal lottery and MPNE_2
    shown = preview(at)
    assert list(shown) == [
        "RLHF / DPO limit (β = 0.1)",
        "maximal lottery (Nash self-play)",
        "MPNE_2 (multi-player self-play)",
    ]
    assert shown["RLHF / DPO limit (β = 0.1)"] == pytest.approx(rlhf_policy(FIGURE_1, 0.1).values.to_dict(), abs=1e-12)
    assert shown["maximal lottery (Nash self-play)"] == pytest.approx({"R": 0, "G": 0, "B": 1}, abs=1e-9)
    assert shown["MPNE_2 (multi-player self-play)"] == pytest.approx(mpne(FIGURE_1, 2).values.to_dict(), abs=1e-9)
    assert "Borda: R 7 > B 6 > G 2. NBC under D: R 0.6333 > B 0.5667 > G 0.3." in texts(at.caption)
    assert "Nothing is downloaded here" in texts(at.caption)
    assert JobClient(data_dir=data_dir).list_jobs() == []


@pytest.mark.parametrize("method", list(TRAINING_METHODS))
def test_every_method_says_what_it_optimises_and_where_theory_lands(app, data_dir, method):
    at = open_fine_tuning(app)
    at.selectbox(key="ft_method").set_value(method).run()
    assert not at.exception and not at.error
    entry = TRAINING_METHODS[method]
    box = texts(at.get_by_key("ft_method_text").markdown)
    assert entry.explanation in box and entry.lands_on.split(":", 1)[1].strip() in box
    shown = preview(at)
    if method == "ipo":  # IPO's own limit is added and drawn first
        assert next(iter(shown)) == "IPO limit (β = 0.1)"
        assert shown["IPO limit (β = 0.1)"] == pytest.approx(ipo_policy(FIGURE_1, 0.1).to_dict(), abs=1e-12)
    if method == "nash":
        assert next(iter(shown)) == "maximal lottery (Nash self-play)"
    if method == "mpne":
        assert next(iter(shown)) == "MPNE_2 (multi-player self-play)"
        at.number_input(key="ft_k").set_value(3).run()
        assert next(iter(preview(at))) == "MPNE_3 (multi-player self-play)"
        assert preview(at)["MPNE_3 (multi-player self-play)"] == pytest.approx(
            mpne(FIGURE_1, 3).values.to_dict(), abs=1e-9
        )
    if method in ("mnl", "mallows"):
        assert "first-place shares (random dictatorship)" in shown
        assert shown["first-place shares (random dictatorship)"] == pytest.approx({"R": 0.4, "G": 0, "B": 0.6})


def test_method_defaults_follow_the_worker(app, data_dir, model_folder):
    at = open_fine_tuning(app)
    for method in TRAINING_METHODS:
        at.selectbox(key="ft_method").set_value(method).run()
        worker_default = validate_spec({"population": population_to_dict(FIGURE_1), "method": method})["beta"]
        assert at.number_input(key=f"ft_beta_{method}").value == worker_default
    assert at.number_input(key="ft_dataset_size").value == 2048
    assert at.number_input(key="ft_steps").value == 200
    assert at.number_input(key="ft_lr_tiny").value == 5e-3
    at.radio(key="ft_model_kind").set_value("checkpoint").run()
    assert at.number_input(key="ft_lr_checkpoint").value == 1e-4


PRESETS = presets.list()


@pytest.mark.parametrize("scenario", PRESETS, ids=[s.id for s in PRESETS])
def test_the_page_renders_for_every_preset(app, data_dir, scenario):
    model = scenario.population
    app.session_state[state.POPULATION_KEY] = model
    app.session_state[state.ORIGIN_KEY] = state.Origin(scenario.title, scenario.id)
    if scenario.sampling is not None:
        app.session_state[state.SAMPLING_KEY] = distribution(scenario.sampling, model.alternatives)
    at = open_fine_tuning(app)
    assert not at.exception and not at.error, (texts(at.error), [e.stack_trace for e in at.exception])
    assert f"**Population**: {scenario.title}" in texts(at.markdown)
    shown = preview(at)
    assert all(sum(p.values()) == pytest.approx(1.0) for p in shown.values())
    if isinstance(model, RewardPopulation):
        assert any(label.startswith("average-reward policy") for label in shown)
    D = app.session_state[state.SAMPLING_KEY] if scenario.sampling is not None else None
    rlhf = rlhf_policy(model, 0.1, None if D is None else D.to_dict())
    assert shown["RLHF / DPO limit (β = 0.1)"] == pytest.approx(rlhf.values.to_dict(), abs=1e-9)


def test_a_comparison_table_population_renders_and_methods_needing_voters_are_refused(app, data_dir):
    app.session_state[state.POPULATION_KEY] = sample_comparisons(FIGURE_1, 400, seed=3)
    at = open_fine_tuning(app)
    assert not at.exception and not at.error
    at.selectbox(key="ft_method").set_value("mpne").run()
    at.button(key="ft_start").click().run()
    message = (
        "Not queued: method 'mpne' needs voters' rankings or user types; a population of kind 'comparisons' "
        "only has pairwise preferences (use dpo, ipo, rlhf or nash)"
    )
    assert texts(at.error) == message
    assert JobClient(data_dir=data_dir).list_jobs() == []
    at.selectbox(key="ft_method").set_value("corrected_dpo").run()  # its J needs voters too
    assert not at.exception and "ft_joint_types" not in [n.key for n in at.number_input]
    assert (
        "corrected DPO (α = 1, β = 0.1): not available here (Var_u[P_u(a > b)] needs each voter's preferences"
        in texts(at.caption)
    )


@pytest.mark.parametrize(
    "key, value, field_message",
    [
        ("ft_steps", 0, "steps must be a whole number between 1 and 100,000, got 0"),
        ("ft_dataset_size", -5, "dataset_size must be a whole number between 1 and 1,000,000, got -5"),
        ("ft_beta_dpo", 0.0, "beta must be > 0 and <= 10000, got 0"),
        ("ft_lr_tiny", 50.0, "learning_rate must be > 0 and <= 10, got 50"),
    ],
)
def test_a_malformed_setting_is_refused_under_its_field_and_queues_nothing(app, data_dir, key, value, field_message):
    at = open_fine_tuning(app)
    at.number_input(key=key).set_value(value).run()
    at.button(key="ft_start").click().run()
    assert not at.exception
    assert texts(at.error) == f"Not queued: {field_message}"
    assert texts(number_input_column(at, key).error) == f"Not queued: {field_message}"  # in place
    assert texts(number_input_column(at, "ft_seed").error) == ""
    assert JobClient(data_dir=data_dir).list_jobs() == []
    at.run()  # the message stays while the setting is unchanged ...
    assert texts(at.error) == f"Not queued: {field_message}"
    at.number_input(key="ft_seed").set_value(4).run()  # ... and goes when the settings change
    assert texts(at.error) == ""


def test_cross_field_and_model_settings_are_refused_with_the_workers_message(app, data_dir, model_folder):
    at = open_fine_tuning(app)
    at.selectbox(key="ft_method").set_value("mpne").run()
    at.number_input(key="ft_k").set_value(64).run()
    at.button(key="ft_start").click().run()
    assert (
        texts(number_input_column(at, "ft_k").error) == "Not queued: k (64) must be smaller than samples_per_step (64)"
    )
    at.selectbox(key="ft_method").set_value("dpo").run()
    at.radio(key="ft_model_kind").set_value("checkpoint").run()
    assert at.selectbox(key="ft_checkpoint").options == ["demo-model"]  # what the folders hold, nothing typed
    assert "1 model found there." in texts(at.caption)
    (model_folder / "demo-model" / "config.json").unlink()  # gone before the button is pressed: refused, not
    at.button(key="ft_start").click().run()  # silently replaced by the tiny model
    assert at.selectbox(key="ft_checkpoint").options == []
    assert texts(at.error) == (
        "Not queued: model must be 'tiny', 'tabular' or the name of a model in the operator's model folders "
        "(a folder name of at most 200 letters, digits, '.', '_', '+' or '-'; paths and hub ids "
        "are not accepted)"
    )
    assert JobClient(data_dir=data_dir).list_jobs() == []


def test_without_model_folders_only_the_tiny_model_is_offered(app, data_dir):
    at = open_fine_tuning(app)
    assert at.radio(key="ft_model_kind").options == ["built-in tiny model"]
    assert "None is configured on this dashboard, so only the tiny model is offered." in texts(at.caption)
    assert not [t for t in at.text_input if t.key == "ft_checkpoint"]  # no path can be typed anywhere


def test_the_page_says_when_no_worker_is_running(app, data_dir):
    at = open_fine_tuning(app)
    assert texts(at.warning).startswith(
        "No worker is running (no worker has spoken yet): a job started now waits in the queue until one starts."
    )
    JobClient(data_dir=data_dir).channel.put_worker_beat("gpu-box:42")  # a worker speaks
    at.run()
    assert not [w for w in at.warning if w.value.startswith("No worker is running")]


def test_an_unreachable_queue_is_reported_and_nothing_is_recorded(app, data_dir, monkeypatch):
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("AGGREGATION_QUEUE_URL", f"redis://:secret@127.0.0.1:{port}/0")
    at = open_fine_tuning(app)
    assert not at.exception and not at.error
    at.button(key="ft_start").click().run()
    assert not at.exception
    message = texts(at.error)
    assert message.startswith(f"Not queued: could not queue the job on the Redis queue redis://127.0.0.1:{port}/0")
    assert "secret" not in message and "The page keeps working" in message
    assert JobClient(data_dir=data_dir, queue_url=f"redis://:secret@127.0.0.1:{port}/0").list_jobs() == []
    assert preview(at)  # the rest of the page still works


def test_a_misconfigured_queue_disables_training_but_not_the_page(app, data_dir, monkeypatch):
    monkeypatch.setenv("AGGREGATION_QUEUE_URL", "http://localhost:6379")
    at = open_fine_tuning(app)
    assert not at.exception
    assert texts(at.error).startswith(
        "The job queue cannot be opened (QueueConfigError: AGGREGATION_QUEUE_URL must start with redis:// or rediss://"
    )
    assert at.button(key="ft_start").disabled is True
    assert preview(at)


def finished_job(data_dir, theory_json, reference, method: str = "dpo", dataset: dict | None = None, **settings) -> str:
    """A finished job on Figure 1 written straight into the dashboard's records (no worker), with the
    fields of a result the page reads and ``theory_json`` as its stored theory."""
    client = JobClient(data_dir=data_dir)
    spec = validate_spec({"population": population_to_dict(FIGURE_1), "method": method, **settings})
    job_id = uuid.uuid4().hex
    client.store.insert(job_id, spec)
    result = {
        "settings": {k: v for k, v in spec.items() if k != "population"},
        "alternatives": ["R", "G", "B"],
        "policy": {"R": 0.9, "G": 0.0, "B": 0.1},
        "outside_mass": 0.0,
        "mixture": None,
        "reference_policy": reference,
        "trajectory": [{"step": 200, "policy": {"R": 0.9, "G": 0.0, "B": 0.1}}],
        "dataset": dataset or {},
        "theory": theory_json,
        "device": "cpu",
        "worker": "test:1",
        "timings": {"train_s": 1.0, "ms_per_step": 5.0},
        "model": {"name": "tiny"},
    }
    client.store.update(job_id, state="finished", step=200, started_at=1.0, finished_at=2.0, result=result)
    return job_id


def test_a_job_stored_in_the_old_shape_still_opens_with_the_full_theory(app, data_dir):
    """A result stored before the theory was stored whole (worker/theory.py's keys only, no MPNE_k, no
    misfit): the page computes the theory itself for the job's population, β and untrained model."""
    reference = {"R": 0.5, "G": 0.2, "B": 0.3}
    old = {
        "notes": {},
        "borda": {"R": 7.0, "G": 2.0, "B": 6.0},
        "nbc": {"R": 0.6333, "G": 0.3, "B": 0.5667},
        "rlhf_policy": rlhf_policy(FIGURE_1, 0.1, None, reference).values.to_dict(),
        "maximal_lottery": {"R": 0.0, "G": 0.0, "B": 1.0},
        "maximal_lottery_unique": True,
    }
    finished_job(data_dir, old, reference)
    at = open_fine_tuning(app)
    assert not at.exception and not at.error
    table = frame(at, "ft_policies_table")
    assert table.loc["RLHF / DPO limit (β = 0.1)", ["R", "G", "B"]].to_dict() == pytest.approx(
        rlhf_policy(FIGURE_1, 0.1, None, reference).values.to_dict(), abs=1e-12
    )
    assert table.loc["MPNE_2 (multi-player self-play)", ["R", "G", "B"]].to_dict() == pytest.approx(
        mpne(FIGURE_1, 2).values.to_dict(), abs=1e-9
    )
    assert "off by up to 0.1757" in texts(at.get_by_key("ft_bt_fit").caption)
    assert texts(at.get_by_key("ft_headline").markdown).startswith(
        "DPO landed on **R** (probability 0.9), as theory predicts"
    )


def test_the_page_reads_the_theory_the_job_stored(app, data_dir):
    """The stored theory is what the page shows: here one computed (by the core) for another untrained
    model than the result's, so that recomputing on the page would show other numbers."""
    stored_reference, result_reference = {"R": 0.1, "G": 0.1, "B": 0.8}, {"R": 0.5, "G": 0.2, "B": 0.3}
    stored = theory(FIGURE_1, "dpo", {"beta": 0.1}, reference=stored_reference).to_json()
    finished_job(data_dir, stored, result_reference)
    at = open_fine_tuning(app)
    assert not at.exception and not at.error
    shown = frame(at, "ft_policies_table").loc["RLHF / DPO limit (β = 0.1)", ["R", "G", "B"]].to_dict()
    assert shown == stored["rlhf_policy"]
    assert shown != pytest.approx(rlhf_policy(FIGURE_1, 0.1, None, result_reference).values.to_dict(), abs=1e-3)
    assert "Borda R 7 > B 6 > G 2" in texts(at.markdown)


def test_a_self_play_job_without_kl_pull_shows_its_theory(app, data_dir):
    """β = 0 is a valid self-play setting; the tilted policies have no limit then and say why (this view
    used to fail on it: the theory was built with the rules' β, which must be positive)."""
    reference = {"R": 0.5, "G": 0.2, "B": 0.3}
    stored = theory(FIGURE_1, "nash", {"beta": 0.0}, reference=reference).to_json()
    finished_job(data_dir, stored, reference, "nash", beta=0.0)
    at = open_fine_tuning(app)
    assert not at.exception and not at.error
    assert "**RLHF / DPO limit (β = 0)** is not shown: beta must be a positive number, got 0.0." in texts(at.caption)
    assert frame(at, "ft_policies_table").loc["maximal lottery (Nash self-play)", "B"] == pytest.approx(1.0)


def test_a_link_to_an_unknown_job_says_so(app, data_dir):
    app.query_params["job"] = "no-such-job"
    at = open_fine_tuning(app)
    assert not at.exception
    assert warnings_but_no_worker(at) == (
        "The link's job='no-such-job' was not used: it is not among the jobs in this dashboard's records. Accepted: "
        "a job id (letters, digits, '_' and '-', at most 64 characters) of a job you can see. Showing the newest job "
        "instead."
    )
    assert "No jobs yet." in texts(at.info)
    at.run()  # said once per link
    assert warnings_but_no_worker(at) == ""


# ------------------------------------------------------------------ building blocks
def test_error_field_reads_the_field_a_message_names():
    assert form.error_field("steps must be a whole number between 1 and 100,000, got 0") == "steps"
    assert form.error_field("lora.r must be a whole number between 1 and 1,024, got 0") == "lora.r"
    assert form.error_field("k (3) must be smaller than samples_per_step (2)") == "k"
    assert form.error_field("population: training needs at least two alternatives") is None
    assert form.error_field("the job spec is too large (70.0 MB; the limit is 64 MB)") is None


def test_build_spec_omits_defaults_and_groups_lora():
    spec = form.build_spec(
        {"kind": "x"},
        "dpo",
        {"steps": 5, "batch_size": None, "lora_r": 4, "lora_alpha": 16.0, "lora_dropout": None, "sampling": None},
    )
    assert spec == {"population": {"kind": "x"}, "method": "dpo", "steps": 5, "lora": {"r": 4, "alpha": 16.0}}


def test_order_text_and_the_empirical_matrix_with_standard_errors():
    import pandas as pd

    assert text.order_text(pd.Series({"R": 7.0, "G": 2.0, "B": 6.0})) == "R 7 > B 6 > G 2"
    assert text.order_text(pd.Series({"a": 0.5, "b": 0.5, "c": 0.1})) == "a 0.5 = b 0.5 > c 0.1"
    summary = {
        "alternatives": ["x", "y", "z"],
        "matrix": [[0.5, 0.75, 0.5], [0.25, 0.5, 0.5], [0.5, 0.5, 0.5]],
        "standard_errors": [[0.0, 0.0433, None], [0.0433, 0.0, None], [None, None, 0.0]],
        "comparisons": [[0, 100, 0], [100, 0, 0], [0, 0, 0]],
    }
    exact = pd.DataFrame([[0.5, 0.8, 0.5], [0.2, 0.5, 0.5], [0.5, 0.5, 0.5]], index=list("xyz"), columns=list("xyz"))
    pairs = result.empirical_pairs(summary, exact)
    assert list(pairs.index) == ["x vs y", "x vs z", "y vs z"]
    assert pairs.loc["x vs y"].to_dict() == pytest.approx(
        {
            "estimate P̂[a, b]": 0.75,
            "standard error": 0.0433,
            "comparisons": 100,
            "exact P[a, b]": 0.8,
            "distance (standard errors)": 0.05 / 0.0433,
        }
    )
    never = pairs.loc["y vs z"]  # never compared: no estimate, no distance
    assert (
        np.isnan(never["estimate P̂[a, b]"])
        and never["comparisons"] == 0
        and np.isnan(never["distance (standard errors)"])
    )


def test_seed_spread_is_the_mean_and_sample_standard_deviation_across_runs():
    runs = [
        {"alternatives": ["a", "b"], "policy": {"a": 0.9, "b": 0.1}, "mixture": None},
        {"alternatives": ["a", "b"], "policy": {"a": 0.7, "b": 0.3}, "mixture": None},
        {"alternatives": ["a", "b"], "policy": {"a": 0.0, "b": 1.0}, "mixture": {"a": 0.8, "b": 0.2}},
    ]
    spread = history.seed_spread(runs)
    assert spread.loc["a", "mean"] == pytest.approx(0.8)  # the mixture counts for self-play
    assert spread.loc["a", "standard deviation"] == pytest.approx(0.1)
    assert (spread.loc["b", "min"], spread.loc["b", "max"]) == pytest.approx((0.1, 0.3))
    assert history.seed_spread(runs[:1]) is None


def test_the_headline_says_when_a_run_has_not_reached_the_theory():
    view = theory(FIGURE_1, "dpo", {"beta": 0.1})
    spec = {"method": "dpo", "beta": 0.1, "sampling": None}
    run = {"alternatives": ["R", "G", "B"], "policy": {"R": 0.2, "G": 0.1, "B": 0.7}, "mixture": None}
    lines = result.headline(run, spec, view)
    assert lines == [
        f"DPO put most probability on **B** (0.7), but theory predicts **R** (the RLHF / DPO limit "
        f"(β = 0.1) is **R** {decimal(view.policies['rlhf_policy']['R'], 3)}, **B** "
        f"{decimal(view.policies['rlhf_policy']['B'], 3)}): this run has not got there; more steps, "
        "another learning rate or a larger dataset may help."
    ]
    landed = result.headline({**run, "policy": {"R": 0.9, "G": 0.0, "B": 0.1}}, spec, view)
    assert landed[0].startswith("DPO landed on **R** (probability 0.9), as theory predicts")
    assert landed[1] == (
        "The majority's **B** (it beats every other answer head-to-head) is where Nash self-play "
        "lands: the maximal lottery puts probability 1 on it."
    )


def test_reward_fitting_methods_carry_the_bradley_terry_misfit():
    # Figure 1 under uniform D: the same error e on R > G, G > B, B > R with
    # logit(1 - e) + logit(2/5 - e) + logit(3/5 - e) = 0, e = 0.1756898 (tests/ui/test_pages.py)
    for method in ("dpo", "rlhf"):
        fit = theory(FIGURE_1, method, {"beta": 0.1}).bt_fit
        assert fit.max_error == pytest.approx(0.1756898, abs=1e-7) and fit.cycle == ("R", "G", "B")
    assert theory(FIGURE_1, "nash", {"beta": 0.1}).bt_fit is None


def test_total_variation():
    import pandas as pd

    p = pd.Series({"a": 0.5, "b": 0.5})
    assert result.total_variation(p, pd.Series({"b": 1.0, "a": 0.0})) == 0.5
    assert np.isclose(result.total_variation(p, p), 0.0)


def test_the_preview_solves_mpne_within_the_core_game_budget(monkeypatch):
    """The fine-tuning preview reads the core's one game estimate and budget (it used to count m! rankings
    for user types against 400,000 cells): 12 responses of one user type, k = 2, are 920 x 12 cells."""
    from aggregation.testtime import cost

    types = RewardPopulation(pd.DataFrame([[0.0] * 12], index=["u"], columns=[f"y{i}" for i in range(12)]))
    assert cost.game_cells(types, 2) == 920 * 12
    assert "mpne" in page_theory.preview(types, "dpo", {"beta": 0.1}).policies
    monkeypatch.setattr(cost, "GAME_BUDGET", cost.game_seconds(types, 2) * 0.999)
    assert "mpne" not in page_theory.preview(types, "dpo", {"beta": 0.1}).policies
    assert "mpne" in page_theory.preview(types, "mpne", {"beta": 0.1}).policies  # its own limit, always


def test_corrected_dpo_shows_its_settings_and_its_limit(app, data_dir):
    """Shirali et al., section 5: alpha, the variance (only the estimated one for rankings), the stable log's
    floor and the clip, with the worker's defaults; the preview's first policy is the core's corrected-DPO
    limit for these settings, and alpha = 0 turns it into the RLHF / DPO limit."""
    from aggregation import corrected_dpo_policy

    at = open_fine_tuning(app)
    at.selectbox(key="ft_method").set_value("corrected_dpo").run()
    assert not at.exception and not at.error
    assert at.selectbox(key="ft_variance").options == [form.VARIANCE_LABELS["estimated"]]
    worker = validate_spec({"population": population_to_dict(FIGURE_1), "method": "corrected_dpo"})
    for key in ("alpha", "log_eps", "correction_clip", "joint_types", "joint_steps", "joint_learning_rate"):
        assert at.number_input(key=f"ft_{key}").value == worker[key]
    shown = preview(at)
    label = "corrected DPO (α = 1, β = 0.1)"
    assert next(iter(shown)) == label
    assert shown[label] == pytest.approx(
        corrected_dpo_policy(FIGURE_1, 0.1, 1.0, variance="estimated", clip=0.1).to_dict(), abs=1e-12
    )
    assert (
        "Corrected-DPO limit: α = 1, V as eq. (16) gives it from the exact joint likelihood J (what the fitted "
        "J estimates with unlimited data), the correction clipped at 0.1, floor ε = 1e-06"
    ) in texts(at.caption)
    at.number_input(key="ft_alpha").set_value(0.0).run()
    shown = preview(at)
    assert shown["corrected DPO (α = 0, β = 0.1)"] == pytest.approx(shown["RLHF / DPO limit (β = 0.1)"], abs=1e-12)
    at.number_input(key="ft_alpha").set_value(-1.0).run()
    at.button(key="ft_start").click().run()
    assert texts(number_input_column(at, "ft_alpha").error) == "Not queued: alpha must be >= 0 and <= 1000, got -1"
    assert JobClient(data_dir=data_dir).list_jobs() == []


def test_user_types_offer_the_known_variance(app, data_dir):
    users = RewardPopulation(
        {"u": {"x": 2.0, "y": 0.5, "z": 3.0}, "v": {"x": 0.0, "y": 3.0, "z": 1.0}, "w": {"x": 1.5, "y": 1.5, "z": 1.0}}
    )
    app.session_state[state.POPULATION_KEY] = users
    at = open_fine_tuning(app)
    at.selectbox(key="ft_method").set_value("corrected_dpo").run()
    assert at.selectbox(key="ft_variance").options == [form.VARIANCE_LABELS[v] for v in ("estimated", "known")]
    at.selectbox(key="ft_variance").set_value("known").run()
    assert not at.exception and not at.error
    assert "ft_correction_clip" not in [n.key for n in at.number_input]  # the known V needs no clip
    assert "the known variance V = Var_u[(r_u(a) − r_u(b))/T], no clip" in texts(at.caption)
    from aggregation import corrected_dpo_policy

    shown = preview(at)
    assert shown["corrected DPO (α = 1, β = 0.1)"] == pytest.approx(
        corrected_dpo_policy(users, 0.1, 1.0, variance="known").to_dict(), abs=1e-12
    )
    # back on rankings the known variance is not offered, and the page does not fail on the stale choice
    at.session_state[state.POPULATION_KEY] = FIGURE_1
    at.run()
    assert not at.exception and at.selectbox(key="ft_variance").value == "estimated"


def test_a_finished_corrected_dpo_job_says_where_its_variance_came_from(app, data_dir):
    from worker.data import empirical_matrix

    reference = {"R": 0.5, "G": 0.2, "B": 0.3}
    stored = theory(FIGURE_1, "corrected_dpo", {"beta": 0.1}, reference=reference).to_json()
    W = np.array([[0.0, 60.0, 40.0], [0.0, 0.0, 45.0], [55.0, 50.0, 0.0]])
    variance = {
        "source": "joint likelihood model J",
        "joint_types": 2,
        "steps": 1000,
        "cross_entropy_start": 0.72,
        "cross_entropy_end": 0.51,
        "preference_variance": [[0, 0, 0.23], [0, 0, 0.25], [0.23, 0.25, 0]],
        "exact_preference_variance": [[0, 0, 0.24], [0, 0, 0.24], [0.24, 0.24, 0]],
        "largest_error": 0.0123,
    }
    dataset = {
        "kind": "pairs of comparisons, each pair labelled by one annotator",
        "rows": 125,
        "comparisons": 250,
        "preference_matrix": empirical_matrix(W, ["R", "G", "B"]),
        "variance": variance,
    }
    finished_job(data_dir, stored, reference, "corrected_dpo", dataset=dataset)
    at = open_fine_tuning(app)
    assert not at.exception and not at.error
    assert "corrected DPO (α = 1, β = 0.1)" in frame(at, "ft_policies_table").index
    caption = texts(at.caption)
    assert (
        "The correction used V from a **joint model J** (2 latent Bradley–Terry types, 1,000 Adam steps; "
        "cross-entropy 0.72 → 0.51)"
    ) in caption
    assert "its largest error over the pairs is 0.0123." in caption


def test_defaults_that_differ_from_the_theory_pages_say_why(app, data_dir):
    """Issue 13, item 8: the form starts at β = 0.1 (DPO) and k = 2 (MPNE_k) while the other pages start at β = 1
    and k = 4; the form says so, and why, next to the settings."""
    at = open_fine_tuning(app)
    captions = texts(at.caption)
    assert "β starts at 0.1 here, not 1 as on the theory pages" in captions and "k starts at" not in captions
    at.selectbox(key="ft_method").set_value("mpne").run()
    captions = texts(at.caption)
    assert "β starts at 0.01 here, not 1 as on the theory pages: self-play's theory is the β → 0 limit" in captions
    assert "k starts at 2 here, not 4: each training step plays k + 1 samples" in captions
