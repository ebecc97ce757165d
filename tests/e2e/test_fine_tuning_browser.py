"""The Fine-tuning page in a real browser, on a fresh dashboard started the way ``scripts/dashboard``
starts it (``python -m worker.local -- python -m ui.launch``: the dashboard plus one embedded
worker) on a temporary data folder: press the button, watch the progress update, see the result
chart. Screenshots go to test-output/screenshots/ for people to look at."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from .conftest import SCREENSHOTS, open_page, wait_for_app

pytestmark = pytest.mark.slow

STEPS = 1500  # long enough (about 10-30 s on this machine) for several progress updates to be seen


def progress_step(page) -> int | None:
    text = page.get_by_test_id("stProgress").first.inner_text() if page.get_by_test_id("stProgress").count() else ""
    match = re.search(r"Step ([\d,]+) of ([\d,]+)", text)
    return int(match.group(1).replace(",", "")) if match else None


def test_press_the_button_watch_progress_and_see_the_result(page, dashboard_with_worker):
    url, data = dashboard_with_worker
    page.set_viewport_size({"width": 1400, "height": 1100})
    open_page(page, url, "fine-tuning")
    expect(page.get_by_text("No jobs yet.")).to_be_visible()
    steps = page.get_by_label("Steps", exact=True)
    steps.fill(str(STEPS))
    steps.press("Enter")
    wait_for_app(page)

    page.get_by_role("button", name="Start training").click()
    expect(page.get_by_text(f"of {STEPS:,}", exact=False).first).to_be_visible(timeout=30_000)
    assert "job=" in page.url  # a reload or a shared link opens this job again

    # the progress panel updates by itself (a polling fragment), no interaction needed
    seen: list[int] = []
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        step = progress_step(page)
        if step is not None and (not seen or step != seen[-1]):
            seen.append(step)
        if page.get_by_role("heading", name=re.compile("^Finished")).count():
            break
        page.wait_for_timeout(300)
        if len(seen) == 3:  # mid-run: the live panel, for people to look at
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.locator(".st-key-ft_status").screenshot(path=str(SCREENSHOTS / "fine-tuning-live.png"))
    intermediate = sorted({s for s in seen if 0 < s < STEPS})
    assert len(intermediate) >= 2, f"progress seen: {seen}"
    assert seen == sorted(seen)  # never goes backwards

    expect(page.get_by_role("heading", name=re.compile("^Finished on cpu"))).to_be_visible(timeout=60_000)
    result = page.get_by_role("heading", name="Result: the trained policy next to the theory")
    expect(result).to_be_visible(timeout=30_000)
    wait_for_app(page)
    # the preview, the trajectory with its theory lines, and the policies side by side
    page.wait_for_function(
        "document.querySelectorAll(\"[data-testid='stPlotlyChart'] .main-svg\").length >= 3", timeout=30_000
    )
    trajectory = page.locator(".st-key-ft_headline")
    expect(trajectory).to_contain_text("DPO landed on R")
    expect(trajectory).to_contain_text("as theory predicts")
    expect(page.get_by_text("A single run has no across-seed error bar")).to_be_visible()
    expect(page.get_by_text(re.compile(r"ran on cpu \(worker"))).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    result.evaluate("e => e.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(500)
    page.screenshot(path=str(SCREENSHOTS / "fine-tuning-result.png"))
    page.set_viewport_size({"width": 1400, "height": 3400})
    page.get_by_role("heading", level=1).scroll_into_view_if_needed()
    page.wait_for_timeout(800)
    page.screenshot(path=str(SCREENSHOTS / "fine-tuning-page.png"))
    assert (data / "jobs.sqlite3").exists()
