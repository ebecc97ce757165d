"""A comparison log in the browser: upload it on the Population page, confirm the guessed mapping after the
20-row preview, and read every rule with its bootstrap on the Rules page (screenshots at laptop and phone size)."""

from __future__ import annotations

from playwright.sync_api import expect

import aggregation as ag

from .conftest import SCREENSHOTS, open_page, wait_for_app
from .test_browser import go_to


def test_upload_map_import_and_read_the_intervals(page, server, tmp_path):
    log = tmp_path / "arena.parquet"
    ag.generate_log(ag.reward_mixture(3, 6, seed=2), 20_000, log, tie_probability=0.1, annotators=30, seed=1)
    page.set_viewport_size({"width": 1366, "height": 768})
    open_page(page, server, "population")
    page.get_by_test_id("stFileUploader").filter(has_text="Comparison log").locator(
        "input[type='file']"
    ).set_input_files(str(log))
    wait_for_app(page)
    preview = page.locator(".st-key-log_preview")
    expect(preview).to_be_visible()
    expect(page.get_by_text("annotator: judge", exact=False)).to_be_visible()
    page.get_by_role("button", name="Import with this mapping").click()
    wait_for_app(page)
    expect(
        page.get_by_test_id("stSidebar").get_by_text("log arena.parquet (20,000 comparisons)", exact=True)
    ).to_be_visible()
    go_to(page, "Rules side by side")
    page.get_by_text("Condorcet winner across resamples").wait_for(timeout=120_000)
    wait_for_app(page, timeout=120_000)
    expect(page.locator(".st-key-bootstrap_winners")).to_be_visible()
    expect(page.locator(".st-key-bootstrap_intervals")).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.get_by_text("Uncertainty.").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "rules-bootstrap-laptop.png"))
    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_text("Uncertainty.").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "rules-bootstrap-phone.png"))
    # the same log on the Sampling and Test-time pages: their own rules with intervals (issue 12: "shown on every
    # page where a comparison-based population is on screen")
    page.set_viewport_size({"width": 1366, "height": 768})
    for title, key, name in (
        ("Sampling distribution", "sampling_bootstrap", "sampling"),
        ("Test-time scaling", "testtime_bootstrap", "testtime"),
    ):
        go_to(page, title)
        page.locator(f".st-key-{key}_winners").wait_for(timeout=180_000)
        wait_for_app(page, timeout=180_000)
        expect(page.get_by_test_id("stException")).to_have_count(0)
        expect(page.locator(f".st-key-{key}_intervals")).to_be_visible()
        for size, viewport in (("laptop", (1366, 768)), ("phone", (390, 844))):
            page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
            page.locator(f".st-key-{key}_winners").scroll_into_view_if_needed()
            page.screenshot(path=str(SCREENSHOTS / f"{name}-bootstrap-{size}.png"))
        page.set_viewport_size({"width": 1366, "height": 768})
