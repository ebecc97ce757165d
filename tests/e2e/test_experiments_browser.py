"""The Experiments page in a real browser, on a fresh dashboard with its embedded worker (as
``scripts/dashboard`` starts it): open the experiment from its gallery card on Home, press the button, watch
the progress, see the grouped result. Screenshots (1366x768 and 390x844) go to test-output/screenshots/."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from .conftest import SCREENSHOTS, open_page, wait_for_app

pytestmark = pytest.mark.slow


def progress(page) -> tuple[int, int] | None:
    bars = page.get_by_test_id("stProgress")
    text = bars.first.inner_text() if bars.count() else ""
    match = re.search(r"([\d,]+) of ([\d,]+) steps", text)
    return None if not match else (int(match.group(1).replace(",", "")), int(match.group(2).replace(",", "")))


def test_open_from_the_gallery_run_watch_and_see_the_grouped_result(page, dashboard_with_worker):
    url, data = dashboard_with_worker
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1366, "height": 768})
    open_page(page, url, "")
    card = page.locator(".st-key-xcard_jackpot-figure2")
    card.scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "experiments-gallery-1366.png"))
    card.get_by_role("button", name="Open the experiment").click()
    expect(page.get_by_role("heading", name="Experiments", level=1)).to_be_visible(timeout=30_000)
    wait_for_app(page)
    assert "experiment=jackpot-figure2" in page.url
    run = page.get_by_role("button", name=re.compile(r"^Run the experiment \(18 jobs\)"))
    expect(run).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "experiments-open-1366.png"))
    run.click()

    seen = []
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        p = progress(page)
        if p is not None and (not seen or p != seen[-1]):
            seen.append(p)
        if len(seen) == 2:
            page.locator(".st-key-xp_progress").screenshot(path=str(SCREENSHOTS / "experiments-live.png"))
        if page.get_by_text("What the paper says, and whether these runs show it").count() and p and p[0] == p[1]:
            break
        page.wait_for_timeout(300)
    assert len(seen) >= 2 and seen == sorted(seen), seen
    expect(page.get_by_text("three colours: RLHF ends on R", exact=False)).to_be_visible(timeout=60_000)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    wait_for_app(page)
    page.get_by_text("What the paper says").scroll_into_view_if_needed()
    page.wait_for_timeout(800)
    page.screenshot(path=str(SCREENSHOTS / "experiments-result-1366.png"))
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(1200)
    page.get_by_text("What the paper says").scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    page.screenshot(path=str(SCREENSHOTS / "experiments-result-390.png"))
    page.get_by_role("heading", name="Experiments", level=1).scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    page.screenshot(path=str(SCREENSHOTS / "experiments-top-390.png"))
