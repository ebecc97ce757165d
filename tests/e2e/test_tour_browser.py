"""The guided tour in a real browser (issue 13): a first visit shows it, Next walks to the Rules page with the
Jackpot example loaded, closing it writes a cookie, and after a reload (a new session) it is gone for good in
that browser; another browser (a fresh context, no cookie) still gets it. Screenshots: tour-*.png."""

from __future__ import annotations

from playwright.sync_api import expect

from ui import tour

from .conftest import SCREENSHOTS, open_page, wait_for_app

LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


def _tour(page):
    return page.locator(".st-key-tour")


def test_first_visit_shows_the_tour_and_after_closing_it_a_reload_does_not(page, server, browser):
    page.set_viewport_size(LAPTOP)
    open_page(page, server, "")
    expect(_tour(page)).to_contain_text("Guided tour · step 1 of 5: Five voters, three answers")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "tour-step1-laptop.png")
    _tour(page).get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rules side by side")
    wait_for_app(page)
    expect(_tour(page)).to_contain_text("step 2 of 5: RLHF picks R")
    assert "scenario=jackpot_majority" in page.url
    page.screenshot(path=SCREENSHOTS / "tour-step2-laptop.png")
    _tour(page).get_by_role("button", name="Close the tour, don't show it again").click()
    expect(_tour(page)).to_have_count(0)
    page.wait_for_function(f"document.cookie.includes('{tour.COOKIE}=1')", timeout=15_000)
    open_page(page, server, "")  # a reload: a new session, same browser
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(_tour(page)).to_have_count(0)
    other = browser.new_context(viewport=PHONE).new_page()  # another browser (a phone) still gets it
    open_page(other, server, "")
    expect(_tour(other)).to_have_count(1)
    other.wait_for_timeout(500)
    other.screenshot(path=SCREENSHOTS / "tour-step1-phone.png")
    other.context.close()
