"""The teaching views in a real browser: a link to a step reopens that step, Next writes the step into the
address bar, the Yee page draws its maps, a chart downloads as SVG with its title; screenshots of the
stepper and of the Yee page at a laptop size (1366 x 768) and a phone size (390 x 844), saved under
test-output/screenshots/ for people to look at."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import expect

from .conftest import SCREENSHOTS, open_page, wait_for_app, wait_for_charts

LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


def _shot(page, name: str, near: str | None = None) -> Path:
    """A screenshot of the viewport, scrolled to the element ``near`` (a CSS selector) first."""
    if near is not None:
        page.locator(near).first.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=path, animations="disabled")
    return path


def _open_on_a_phone(page, server, path: str) -> None:
    """``path`` on a phone's screen, where the sidebar starts closed (ui.present.sidebar_state)."""
    page.set_viewport_size(PHONE)
    open_page(page, server, path)
    expect(page.get_by_test_id("stSidebar")).to_have_attribute("data-collapsed", "true")


def test_a_link_reopens_the_step_and_next_writes_it(page, server):
    page.set_viewport_size(LAPTOP)
    open_page(page, server, "rules?trace=maximal_lottery&step=3")
    nav = page.locator(".st-key-steps_nav")
    expect(nav).to_contain_text("Step 3 of 4")
    expect(nav).to_contain_text("The certificate")
    expect(page.locator(".st-key-steps_body")).to_contain_text("best responses are those at the minimum, 0: B")
    _shot(page, "steps-laptop", near=".st-key-steps_expander")
    nav.get_by_role("button", name="Next").click()
    wait_for_app(page)
    expect(nav).to_contain_text("Step 4 of 4")
    page.wait_for_function("window.location.search.includes('step=4')")
    assert "trace=maximal_lottery" in page.url
    path = page.url.split(server + "/")[1]
    fresh = page.context.new_page()  # the copied link, in a new session, on a phone
    _open_on_a_phone(fresh, server, path)
    expect(fresh.locator(".st-key-steps_nav")).to_contain_text("Step 4 of 4")
    fresh.get_by_role("button", name="Previous").click()
    wait_for_app(fresh)
    expect(fresh.locator(".st-key-steps_nav")).to_contain_text("Step 3 of 4")
    _shot(fresh, "steps-phone", near=".st-key-steps_nav")
    _shot(fresh, "steps-phone-table", near=".st-key-steps_table")
    fresh.close()


def test_the_yee_page_and_an_svg_download(page, server):
    page.set_viewport_size(LAPTOP)
    open_page(page, server, "yee")
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(page.get_by_test_id("stAlertContentError")).to_have_count(0)
    _shot(page, "yee-laptop")
    _shot(page, "yee-laptop-maps", near="[data-testid='stPlotlyChart']")
    page.get_by_test_id("stPlotlyChart").nth(3).scroll_into_view_if_needed()
    _shot(page, "yee-laptop-borda-copeland")
    page.get_by_test_id("stSidebar").get_by_text("SVG", exact=True).click()
    wait_for_app(page)
    wait_for_charts(page, 4)
    chart = page.get_by_test_id("stPlotlyChart").first
    chart.hover()
    with page.expect_download() as download:
        chart.get_by_role("button", name=re.compile("Download plot")).click()
    assert download.value.suggested_filename == "yee-plurality.svg"
    svg = Path(download.value.path()).read_text()
    assert svg.startswith("<svg") and "Yee diagram: Plurality" in svg and "voters around each point" in svg
    phone = page.context.new_page()
    _open_on_a_phone(phone, server, "yee")
    _shot(phone, "yee-phone")
    _shot(phone, "yee-phone-maps", near="[data-testid='stPlotlyChart']")
    phone.close()
