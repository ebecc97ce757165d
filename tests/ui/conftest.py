"""AppTest harness: every test starts from app.py (the entry point) and switches pages from there.

AppTest resets ``PagesManager.uses_pages_directory`` to None at the start of every ``run()``, and
the PagesManager it then builds sets it to True because ``pages/`` exists next to ``app.py``. In
that legacy mode a run on the home page still executes ``app.py`` (its ``st.navigation`` wins),
but a run after ``switch_page`` executes the page file *alone*: no sidebar, no link handling.
That is the very pitfall ``ui/launch.py`` removes for the real server, so the fixture below does
for AppTest what the launcher does for the server: it clears the flag once the PagesManager is
built, so every run executes ``app.py`` and then the page, exactly as in the browser.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import streamlit as st
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app.py"


@pytest.fixture(autouse=True)
def navigation_only(monkeypatch):
    built = PagesManager.__init__

    def init(self, *args, **kwargs):
        built(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)


@pytest.fixture(autouse=True)
def fresh_caches():
    st.cache_data.clear()
    st.cache_resource.clear()
    yield


@pytest.fixture
def app():
    """A fresh session of the dashboard (not yet run), on a server with no background jobs of earlier tests: those
    still running are cancelled (outside a server no closed session stops them; the Properties page starts its
    quick table by itself), and the ended ones forgotten (a finished job's findings are shared by every session
    asking for the same computation)."""
    from ui import background

    for key, job in list(background._JOBS.items()):
        background.cancel(key)
        if job.thread is not None:
            job.thread.join(30)
        background.forget(key)
    return AppTest.from_file(str(APP), default_timeout=60)


def open_page(at: AppTest, url_path: str | None) -> AppTest:
    """Run the app and switch to a page by its URL path (None: home). Returns ``at`` after the run."""
    from ui import shell

    at.run()
    if url_path is not None:
        at.switch_page(shell.page(url_path).path).run()
    return at


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    """The dashboard's job records and SQLite queue in a folder of this test only (no developer
    queue settings leak in)."""
    for key in list(os.environ):
        if key.startswith("AGGREGATION_"):
            monkeypatch.delenv(key)
    folder = tmp_path / "data"
    monkeypatch.setenv("AGGREGATION_DATA_DIR", str(folder))
    return folder


@pytest.fixture
def model_folder(tmp_path, monkeypatch):
    """An operator's model folder holding one model, ``demo-model`` (a subfolder with a config.json), set
    as the dashboard's AGGREGATION_MODEL_DIRS (a worker started by a test does not get it)."""
    folder = tmp_path / "models"
    (folder / "demo-model").mkdir(parents=True)
    (folder / "demo-model" / "config.json").write_text("{}")
    monkeypatch.setenv("AGGREGATION_MODEL_DIRS", str(folder))
    return folder
