"""The "Export this page" report in a real browser (issue 13): the sidebar's button downloads one HTML file;
opened from disk with the network cut off, it draws every chart of the page (plotly.js is inside) and shows
the population, the settings and the tables. Screenshots: report-rules-*.png."""

from __future__ import annotations

from playwright.sync_api import expect

from .conftest import SCREENSHOTS, open_page

LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


def test_the_rules_page_exports_a_report_that_opens_offline(page, server, tmp_path):
    page.set_viewport_size(LAPTOP)
    open_page(page, server, "rules?scenario=jackpot_majority")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "report-sidebar-laptop.png")
    with page.expect_download() as info:
        page.get_by_test_id("stSidebar").get_by_role("button", name="Export this page (HTML report)").click()
    download = info.value
    assert download.suggested_filename.startswith("report-rules-side-by-side-")
    path = tmp_path / "report.html"
    download.save_as(path)
    assert path.stat().st_size > 1_000_000  # plotly.js is inside
    report = page.context.new_page()
    report.route("http*://**", lambda route: route.abort())  # offline: anything fetched would fail
    report.set_viewport_size(LAPTOP)
    report.goto(path.as_uri())
    report.wait_for_function("document.querySelectorAll('.main-svg').length >= 3", timeout=30_000)
    expect(report.get_by_role("heading", level=1)).to_have_text("Rules side by side")
    expect(report.get_by_text("The majority wants B, RLHF picks R").first).to_be_visible()
    expect(report.get_by_role("cell", name="uniform")).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    report.screenshot(path=SCREENSHOTS / "report-rules-laptop.png")
    report.locator(".figure").first.scroll_into_view_if_needed()
    report.screenshot(path=SCREENSHOTS / "report-rules-laptop-figure.png")
    report.set_viewport_size(PHONE)
    report.screenshot(path=SCREENSHOTS / "report-rules-phone.png")
