"""Issue 10, "memory comes back", on a real server: a browser imports a large population file, closes, and
once ``server.disconnectedSessionTTL`` has passed the server holds neither the session nor its upload.

Read from the server's own ``/_stcore/metrics`` (open sessions; ``cache_memory_bytes`` of the uploaded-file
manager and of session state), so the test asserts state, not megabytes or seconds. Streamlit by itself
kept a disconnected session until some other browser disconnected, and never freed its upload (ui.memory);
with nobody else visiting, this test failed on it."""

from __future__ import annotations

import json
import time
import urllib.request

import numpy as np
import pytest

from .conftest import dashboard_server, wait_for_app

#: Seconds a disconnected session is kept in this test (Streamlit's default is 120).
TTL = 2
#: The population uploaded: distinct random rankings (a ~0.3 MB file: large enough to see, quick to import).
RANKINGS, ALTERNATIVES = 1000, 30


def held(url: str) -> dict[str, float]:
    """``{"active": open sessions, cache type: bytes}`` from the server's metrics."""
    with urllib.request.urlopen(f"{url}/_stcore/metrics", timeout=30) as response:
        text = response.read().decode()
    out: dict[str, float] = {}
    for line in text.splitlines():
        if line.startswith("cache_memory_bytes{"):
            kind = line.split('cache_type="', 1)[1].split('"', 1)[0]
            out[kind] = out.get(kind, 0.0) + float(line.rsplit(" ", 1)[1])
        elif line.startswith("active_sessions "):
            out["active"] = float(line.split()[1])
    return out


def population_file(path):
    rng = np.random.default_rng(0)
    names = [f"r{i:02d}" for i in range(ALTERNATIVES)]
    orders = np.argsort(rng.random((RANKINGS, ALTERNATIVES)), axis=1)
    rankings = [{"ranking": " > ".join(names[j] for j in order), "weight": 1} for order in orders]
    path.write_text(json.dumps({"kind": "rankings", "alternatives": names, "rankings": rankings}))
    return path


@pytest.fixture
def short_ttl_server(tmp_path, browser_type_launch_args):
    with dashboard_server(tmp_path / "server.log", (f"--server.disconnectedSessionTTL={TTL}",)) as url:
        yield url


def test_a_closed_session_and_its_upload_are_released(browser, short_ttl_server, tmp_path):
    url = short_ttl_server
    upload = population_file(tmp_path / "large-population.json")
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.goto(f"{url}/population")
    page.get_by_role("heading", level=1).wait_for(state="visible", timeout=30_000)
    wait_for_app(page)
    uploader = page.get_by_test_id("stFileUploader").filter(has_text="Import a population file")
    uploader.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(upload))
    uploader.get_by_test_id("stFileChip").first.wait_for()
    wait_for_app(page)
    page.get_by_role("button", name="Import (replaces the current population)").click()
    page.get_by_test_id("stSidebar").get_by_text(f"{RANKINGS:,} distinct rankings").wait_for(timeout=60_000)
    wait_for_app(page)

    during = held(url)
    assert during["active"] == 1
    assert during.get("UploadedFileManager", 0) >= upload.stat().st_size  # the upload is on the server
    assert during.get("st_session_state", 0) > 0

    context.close()
    deadline = time.monotonic() + 90  # a bound for a loaded machine, far above the TTL; state is asserted
    after = held(url)
    while time.monotonic() < deadline and (after.get("UploadedFileManager") or after.get("st_session_state")):
        time.sleep(0.5)
        after = held(url)
    assert after.get("active") == 0
    assert after.get("UploadedFileManager", 0) == 0, "the closed session's upload is still held"
    assert after.get("st_session_state", 0) == 0, "the closed session's state is still held"
