"""Browser tests: Playwright drives Debian's chromium (it never downloads a browser of its own) against a real
Streamlit server started the way the README starts it, ``python -m ui.launch``.

Everything here is marked ``e2e`` and is skipped cleanly when no chromium binary exists.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-output" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: Plotly charts each page draws once it has rendered (the tests wait for all of them).
CHARTS = {
    "": 0,
    "population": 0,
    "rules": 3,
    "yee": 4,
    "sampling": 2,
    "testtime": 3,
    "properties": 0,
    "ranked-choice": 1,
    "fine-tuning": 1,
    "experiments": 0,
}


def pytest_collection_modifyitems(items):
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.e2e)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as response:
            return response.read().decode() == "ok"
    except OSError:
        return False


@contextmanager
def dashboard_server(log_path: Path, options: tuple[str, ...] = ()):
    """A fresh server from ``python -m ui.launch`` on a free port (plus Streamlit ``options``); yields its
    URL. On exit it is stopped (SIGTERM to its own PID) and its log must hold no traceback."""
    for _ in range(3):
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        log = open(log_path, "w")
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "ui.launch",
                "--server.headless=true",
                "--server.address=127.0.0.1",
                f"--server.port={port}",
                "--server.runOnSave=false",
                *options,
            ],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None and not _healthy(url):
            time.sleep(0.1)
        if proc.poll() is None and _healthy(url):
            break
        proc.kill()
        proc.wait()
        log.close()
    else:
        pytest.fail("the dashboard did not start:\n" + log_path.read_text())
    try:
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
    text = log_path.read_text()
    assert "Traceback" not in text, text


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no chromium at {CHROMIUM} (install Debian's chromium; Playwright must not download its own)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1400, "height": 1000}, "accept_downloads": True}


@pytest.fixture(scope="session")
def server(tmp_path_factory, browser_type_launch_args):
    """One server shared by the tests that do not need a fresh one."""
    with dashboard_server(tmp_path_factory.mktemp("server") / "server.log") as url:
        yield url


@pytest.fixture
def fresh_server(tmp_path, browser_type_launch_args):
    """A server nobody has talked to yet: the test's request is its very first."""
    with dashboard_server(tmp_path / "server.log") as url:
        yield url


def wait_for_app(page, timeout: float = 30_000) -> None:
    """Wait until the websocket is connected and the script run has finished (Streamlit's own e2e way)."""
    page.wait_for_timeout(250)
    page.locator("[data-testid='stApp'][data-test-connection-state='CONNECTED']").wait_for(
        state="attached", timeout=timeout
    )
    page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(
        state="attached", timeout=timeout
    )


def wait_for_charts(page, count: int, timeout: float = 30_000) -> None:
    """Wait until ``count`` plotly charts have drawn (their SVG exists)."""
    page.wait_for_function(
        f"document.querySelectorAll(\"[data-testid='stPlotlyChart'] .main-svg\").length >= {count}", timeout=timeout
    )


def open_page(page, url: str, path: str = "") -> None:
    """Load a page as a new session and wait until its first run has finished and its charts are drawn.

    Right after ``goto`` the app reports "notRunning" before its first run has even started, so
    the page title (drawn by that run) is awaited first.
    """
    page.goto(f"{url}/{path}")
    page.get_by_role("heading", level=1).wait_for(state="visible", timeout=30_000)
    wait_for_app(page)
    wait_for_charts(page, CHARTS[path.split("?")[0]])


@pytest.fixture
def dashboard_with_worker(tmp_path, browser_type_launch_args):
    """A fresh dashboard and its embedded worker on an empty data folder; yields (url, data folder).
    Stopped with SIGTERM to the supervisor (which stops the server and the worker); neither log may
    hold a traceback."""
    data = tmp_path / "data"
    log_path = tmp_path / "dashboard.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AGGREGATION_")}
    env.update(AGGREGATION_DATA_DIR=str(data), PYTHONPATH=str(ROOT))
    for _ in range(3):
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        log = open(log_path, "w")
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "worker.local",
                "--",
                sys.executable,
                "-m",
                "ui.launch",
                "--server.headless=true",
                "--server.address=127.0.0.1",
                f"--server.port={port}",
                "--server.runOnSave=false",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None and not _healthy(url):
            time.sleep(0.1)
        if proc.poll() is None and _healthy(url):
            break
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
        log.close()
    else:
        pytest.fail("the dashboard did not start:\n" + log_path.read_text())
    try:
        yield url, data
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
    for path in (log_path, data / "worker.log"):
        text = path.read_text() if path.exists() else ""
        assert "Traceback" not in text, f"{path}:\n{text}"
    assert not (data / "worker.pid").exists()  # the embedded worker stopped with the dashboard
