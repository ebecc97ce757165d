"""Presentation mode and small screens in a real browser (issue 13): on a phone the sidebar starts closed (it
used to open over the content); a link with ``present=1`` shows the failure itself (the Rules page's first
sentence and its table) above the fold of a 1366 x 768 screen, with larger type and the sidebar closed.
Screenshots under test-output/screenshots/ (present-*.png) for people to look at."""

from __future__ import annotations

from playwright.sync_api import expect

from .conftest import SCREENSHOTS, open_page

LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


def _shot(page, name: str) -> None:
    page.wait_for_timeout(500)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", animations="disabled")


def test_on_a_phone_the_sidebar_starts_closed_and_the_page_is_readable(page, server):
    page.set_viewport_size(PHONE)
    open_page(page, server, "rules?scenario=jackpot_majority")
    expect(page.get_by_test_id("stSidebar")).to_have_attribute("data-collapsed", "true")
    expect(page.get_by_role("heading", level=1)).to_be_in_viewport()
    _shot(page, "present-phone-rules-sidebar-closed")


def test_on_a_laptop_the_sidebar_still_starts_open(page, server):
    page.set_viewport_size(LAPTOP)
    open_page(page, server, "rules")
    expect(page.get_by_test_id("stSidebar")).to_have_attribute("data-collapsed", "false")


def test_present_1_puts_the_failure_above_the_fold_with_larger_type(page, server):
    page.set_viewport_size(LAPTOP)
    open_page(page, server, "rules?scenario=jackpot_majority&present=1")
    expect(page.get_by_test_id("stSidebar")).to_have_attribute("data-collapsed", "true")
    headline = page.get_by_text("On this population, Borda (the RLHF reward's order) puts")
    expect(headline).to_be_in_viewport()
    box = headline.bounding_box()
    assert box["y"] + box["height"] <= LAPTOP["height"], box
    size = headline.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert size >= 19, size  # 16 px outside presentation mode
    _shot(page, "present-laptop-rules")
    page.set_viewport_size(PHONE)
    _shot(page, "present-phone-rules")
    # the mode follows the session to another page, and the address keeps present=1
    page.set_viewport_size(LAPTOP)
    open_page(page, server, "testtime?scenario=testtime_nlhf_collapse&present=1")
    assert "present=1" in page.url
    _shot(page, "present-laptop-testtime")
