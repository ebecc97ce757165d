"""Every page at 3, 20 and 100 alternatives, at a laptop's size (1366 x 768) and a phone's (390 x 844), in a
real browser (issue 13, "Readable at any size"): no exception, no error, and screenshots saved under
test-output/screenshots/sizes-<m>-<page>-<laptop|phone>.png for people to look at. The populations come from
the Population page's generator (impartial culture, 200 voters, seed 0); the pages are opened through the
sidebar, so the session keeps the population.

Marked slow: at 100 alternatives the Rules page alone computes 49 rules (about 20 s on two shared cores)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from ui import shell

from .conftest import SCREENSHOTS, open_page, wait_for_app

LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
PAGES = [("", "Home")] + [(p.url_path, p.title) for p in shell.PAGES]


def _generate(page, m: int) -> None:
    page.get_by_role("tab", name="Generate voters").click()
    page.get_by_role("spinbutton", name="Voters", exact=True).fill("200")
    page.get_by_role("textbox", name="Alternatives (a number, or names separated by commas)").fill(str(m))
    page.get_by_role("button", name="Generate (replaces the current population)").click()
    wait_for_app(page, timeout=120_000)
    expect(page.get_by_test_id("stSidebar").get_by_text(f"{m} alternatives")).to_be_attached()


def _shots(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    main = page.locator("[data-testid='stMain']")
    charts = page.locator("[data-testid='stPlotlyChart']")
    for size, viewport in (("laptop", LAPTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        main.evaluate("element => element.scrollTo(0, 0)")
        page.wait_for_timeout(400)
        page.screenshot(path=SCREENSHOTS / f"sizes-{name}-{size}.png", animations="disabled")
        if charts.count():
            charts.first.scroll_into_view_if_needed()
            page.wait_for_timeout(400)
            page.screenshot(path=SCREENSHOTS / f"sizes-{name}-{size}-chart.png", animations="disabled")
        if charts.count() > 1:  # the Rules page's heatmap, the Sampling page's map
            charts.nth(charts.count() - 1).scroll_into_view_if_needed()
            page.wait_for_timeout(400)
            page.screenshot(path=SCREENSHOTS / f"sizes-{name}-{size}-last-chart.png", animations="disabled")
    page.set_viewport_size(LAPTOP)


@pytest.mark.slow
@pytest.mark.parametrize("m", [3, 20, 100])
def test_every_page_at_m_alternatives(page, server, m):
    page.set_default_timeout(180_000)
    page.set_viewport_size(LAPTOP)
    open_page(page, server, "population")
    if m != 3:  # the default population has 3 (R, G, B)
        _generate(page, m)
    for path, title in PAGES:
        page.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True).click()
        page.get_by_role("heading", level=1).wait_for(state="visible")
        wait_for_app(page, timeout=180_000)
        expect(page.get_by_test_id("stException")).to_have_count(0)
        expect(page.get_by_test_id("stAlertContentError")).to_have_count(0)
        _shots(page, f"{m}-{path or 'home'}")


def test_on_a_phone_rule_panels_sit_two_a_row_and_no_chart_title_touches_anything(browser, server):
    """A phone (an iPhone's User-Agent, 390 x 844, touch) gets the rule panels two a row; in the real browser
    no two panel titles of the Rules page overlap (their drawn boxes), on the phone and on a laptop; and the
    Test-time page's curves keep their title clear of their legend, within the phone's screen."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    phone = browser.new_context(
        viewport=PHONE,
        user_agent=(
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
            "Version/17.0 Mobile/15E148 Safari/604.1"
        ),
        is_mobile=True,
        has_touch=True,
    )
    laptop = browser.new_context(viewport=LAPTOP)
    try:
        for name, context in (("phone", phone), ("laptop", laptop)):
            page = context.new_page()
            page.set_default_timeout(120_000)
            open_page(page, server, "rules")
            chart = page.locator("[data-testid='stPlotlyChart']").first
            chart.scroll_into_view_if_needed()
            titles = chart.locator("g.annotation")
            expect(titles.first).to_be_visible()
            boxes = [titles.nth(i).bounding_box() for i in range(titles.count())]
            page.screenshot(path=SCREENSHOTS / f"rules-panels-{name}.png", animations="disabled")
            tops = sorted({round(b["y"]) for b in boxes})
            first_row = [b for b in boxes if round(b["y"]) == tops[0]]
            assert len(first_row) == (2 if name == "phone" else 4), (name, boxes[:6])
            for a, b in zip(boxes, boxes[1:]):
                if abs(a["y"] - b["y"]) < 1:  # same row, left to right
                    assert a["x"] + a["width"] <= b["x"] + 1, (name, a, b)
            # the Test-time page's curves: the title stays clear of the legend (below the plot on a phone)
            open_page(page, server, "testtime")
            chart = page.locator("[data-testid='stPlotlyChart']").first
            chart.scroll_into_view_if_needed()
            title, legend = chart.locator("g.g-gtitle").first, chart.locator("g.legend").first
            expect(legend).to_be_visible()
            page.wait_for_timeout(300)
            page.screenshot(path=SCREENSHOTS / f"testtime-curves-{name}.png", animations="disabled")
            t, g = title.bounding_box(), legend.bounding_box()
            assert t["y"] + t["height"] <= g["y"] or g["y"] + g["height"] <= t["y"], (name, t, g)
            assert t["x"] + t["width"] <= PHONE["width"] if name == "phone" else True, (name, t)
        # 20 alternatives on the phone: the margin heatmap's top labels never touch (upright when needed)
        page = phone.pages[0]
        open_page(page, server, "population")
        _generate(page, 20)
        page.goto(page.url.replace("/population", "/rules"))  # the address bar carries the population (pop=)
        wait_for_app(page, timeout=180_000)
        expect(page.get_by_text("20 alternatives").first).to_be_attached()
        heatmap = page.locator(".st-key-rules_margins [data-testid='stPlotlyChart']")
        heatmap.scroll_into_view_if_needed()
        ticks = heatmap.locator("g.xtick text")
        expect(ticks.first).to_be_visible()
        page.wait_for_timeout(300)
        page.screenshot(path=SCREENSHOTS / "rules-heatmap-20-phone.png", animations="disabled")
        boxes = sorted((ticks.nth(i).bounding_box() for i in range(ticks.count())), key=lambda b: b["x"])
        assert len(boxes) == 20
        for a, b in zip(boxes, boxes[1:]):
            assert a["x"] + a["width"] <= b["x"] + 0.5, (a, b)
    finally:
        phone.close()
        laptop.close()
