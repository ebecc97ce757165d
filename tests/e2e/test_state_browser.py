"""Nothing lost: an edited population survives a reload (F5) and a server restart, and the address bar is a link
that reproduces the screen in a fresh browser (issue 13, item 9; ui/links.py)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from .conftest import SCREENSHOTS, dashboard_server, open_page, wait_for_app

EDITED = "4: R > G > B\n3: B > R > G\n"


def _metric(page, label: str):
    return page.get_by_test_id("stMetric").filter(has_text=label).get_by_test_id("stMetricValue")


def _rankings_text(page):
    return page.get_by_test_id("stTextArea").locator("textarea")


def _shots(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in ((1366, 768), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(300)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}x{height}.png"), full_page=True)
    page.set_viewport_size({"width": 1400, "height": 1000})


def _same_screen(page) -> None:
    expect(_rankings_text(page)).to_have_value(EDITED)
    expect(_metric(page, "Condorcet winner")).to_have_text("R")
    expect(page.get_by_test_id("stSidebar")).to_contain_text("Edited from Jackpot paper, Figure 1")


def test_an_edit_survives_a_reload_a_restart_and_a_copied_link(browser, tmp_path):
    with dashboard_server(tmp_path / "first.log") as url:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        open_page(page, url, "population")
        expect(_metric(page, "Condorcet winner")).to_have_text("B")
        _rankings_text(page).fill(EDITED)
        page.get_by_role("button", name="Apply text").click()
        wait_for_app(page)
        expect(_metric(page, "Condorcet winner")).to_have_text("R")
        page.wait_for_url(re.compile(r"[?&]pop=z"))
        link = page.url
        page.reload()
        page.get_by_role("heading", level=1).wait_for(state="visible")
        wait_for_app(page)
        _same_screen(page)
        assert page.url == link
        _shots(page, "state-after-reload")
        context.close()
    # a new server on another port: the link's path and query are all it gets
    query = link.split("/", 3)[3]
    with dashboard_server(tmp_path / "second.log") as url:
        fresh = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = fresh.new_page()
        open_page(page, url, query)
        _same_screen(page)
        expect(page.get_by_test_id("stSidebar")).to_contain_text("this population included")
        _shots(page, "state-link-in-a-fresh-browser")
        fresh.close()
