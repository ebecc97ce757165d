""" "Why" expanders in a real browser (issue 13): closed by default, one click opens the plain-words
explanation with the paper's section as a link. Screenshots: why-*.png (laptop and phone)."""

from __future__ import annotations

from playwright.sync_api import expect

from .conftest import SCREENSHOTS, open_page

LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


def test_the_rules_page_explains_the_condorcet_winner_on_request(page, server):
    page.set_viewport_size(LAPTOP)
    open_page(page, server, "rules?scenario=jackpot_majority")
    box = page.locator(".st-key-why_condorcet")
    expect(box.get_by_text("beats every other answer in a head-to-head majority vote")).to_be_hidden()
    box.get_by_text("Why: the Condorcet winner").click()
    expect(box.get_by_text("beats every other answer in a head-to-head majority vote")).to_be_visible()
    expect(box.get_by_role("link", name="Maura-Rivero et al. 2025").first).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    box.scroll_into_view_if_needed()
    page.wait_for_timeout(400)
    page.screenshot(path=SCREENSHOTS / "why-rules-laptop.png")
    page.set_viewport_size(PHONE)
    box.scroll_into_view_if_needed()
    page.wait_for_timeout(400)
    page.screenshot(path=SCREENSHOTS / "why-rules-phone.png")
