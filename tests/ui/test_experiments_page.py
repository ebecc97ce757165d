"""The Experiments page: a gallery card on Home opens an experiment by its link; its button queues every run
as a job (a real SQLite queue and a real worker process, started by the test); the page then shows the runs'
progress and the result grouped by method with the spread across seeds, and offers the downloads. Re-running
the page plays the part of the browser's polling fragment."""

from __future__ import annotations

import time

import pytest

from aggregation.experiments import EXPERIMENTS
from tests.worker.conftest import start_worker, stop_worker
from worker.client import JobClient

from .conftest import open_page
from .fine_tuning_helpers import texts
from .markdown import rendered

PAGE = "experiments"


def test_home_has_a_card_per_experiment_that_opens_it(app, data_dir):
    at = app.run()
    assert not at.exception
    for name, experiment in EXPERIMENTS.items():
        assert at.button(key=f"xopen_{name}").label == "Open the experiment"
        assert experiment.title in texts(at.markdown)
    at.button(key="xopen_heterogeneous-figure4").click().run()
    assert not at.exception
    assert at.query_params["experiment"] == "heterogeneous-figure4"
    assert at.selectbox(key="xp_name").value == "heterogeneous-figure4"
    settings = at.get_by_key("xp_settings").dataframe[0].value
    assert "fig4/corrected/alpha=2" in settings["runs"].tolist()
    assert "contexts 40" in settings.loc[settings["runs"] == "fig4/dpo", "settings"].item()


def test_a_link_names_the_experiment_and_a_wrong_one_is_said(app, data_dir):
    app.query_params["experiment"] = "testtime-selfplay"
    at = open_page(app, PAGE)
    assert at.selectbox(key="xp_name").value == "testtime-selfplay"
    assert "has not been run here yet" in texts(at.info)


@pytest.mark.slow
def test_run_an_experiment_watch_it_and_read_the_grouped_result(app, data_dir):
    at = open_page(app, PAGE)
    at.selectbox(key="xp_name").select("jackpot-figure2").run()
    at.number_input(key="xp_seeds").set_value(2).run()
    assert "12 runs" in texts(at.caption)
    at.button(key="xp_run").click().run()
    assert not at.exception and not at.error
    client = JobClient(data_dir=data_dir)
    assert len(client.list_jobs()) == 12
    assert "12 queued" in rendered(at.get_by_key("xp_progress").markdown[0].value)
    worker = start_worker(data_dir)
    try:
        deadline = time.monotonic() + 240
        states = []
        while time.monotonic() < deadline:
            at.run()
            assert not at.exception, at.exception
            states.append(rendered(at.get_by_key("xp_progress").markdown[0].value))
            if all(r.status.done for r in client.list_jobs()):
                at.run()
                break
            time.sleep(0.3)
    finally:
        stop_worker(worker)
    assert any("running" in s for s in states)
    shown = texts(at.markdown)
    assert "three colours: RLHF ends on R" in shown and "shown" in shown
    table = at.get_by_key("xp_groups").dataframe[0].value
    row = table[(table["runs"] == "three/self-play") & (table["answer"] == "B")].iloc[0]
    assert row["seeds"] == 2 and row["95% interval"] != "–"
    assert at.get_by_key("xp_csv") is not None and at.get_by_key("xp_json") is not None
