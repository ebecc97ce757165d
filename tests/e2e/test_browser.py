"""The dashboard in a real browser: deep links on a fresh server, gallery cards, table edits, URL sync,
downloads, screenshots (saved under test-output/screenshots/ for people to look at)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

import presets
from aggregation import Profile, write_rankings_csv
from ui import shell

from .conftest import CHARTS, SCREENSHOTS, open_page, wait_for_app, wait_for_charts

FIGURE_1 = Profile.parse("2: R > G > B\n3: B > R > G")
TITLES = {"": "Which social choice rule is your alignment method?", **{p.url_path: p.title for p in shell.PAGES}}
#: The scenario each page is photographed with (one that shows what the page is for).
SHOWCASE = {
    "": None,
    "population": "clone_plurality",
    "rules": "jackpot_majority",
    "yee": None,
    "sampling": "hetero_sampling",
    "testtime": "testtime_nlhf_collapse",
    "properties": "jackpot_iia",
    "ranked-choice": "ranked_choice_mnl_mallows",
    "fine-tuning": None,
    "experiments": None,
}
NAV = [re.compile(re.escape(title) + "$") for title in ["Home"] + [p.title for p in shell.PAGES]]  # after the icon


def metric(page, label: str):
    return page.get_by_test_id("stMetric").filter(has_text=label).get_by_test_id("stMetricValue")


def sidebar_captions(page) -> str:
    return "\n".join(page.get_by_test_id("stSidebar").get_by_test_id("stCaptionContainer").all_inner_texts())


def go_to(page, title: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()
    wait_for_app(page)


@pytest.mark.parametrize("path", list(TITLES))
def test_a_deep_link_renders_fully_as_the_first_request_of_a_fresh_server(page, fresh_server, path):
    open_page(page, fresh_server, path)
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLES[path])
    # app.py ran before the page: its navigation (not the legacy pages/ listing) and its sidebar
    expect(page.get_by_test_id("stSidebarNav").get_by_role("link")).to_have_text(NAV)
    assert "Jackpot paper, Figure 1" in sidebar_captions(page)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    assert page.url == f"{fresh_server}/{path}"


def test_a_deep_link_with_controls_on_a_fresh_server(page, fresh_server):
    open_page(page, fresh_server, "sampling?beta=0.5&D=0.2,0.2,0.6")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sampling distribution")
    expect(page.get_by_label("β (KL strength of RLHF / DPO)", exact=True)).to_have_value("0.50")
    assert "Sampling distribution D: R 0.2, G 0.2, B 0.6" in sidebar_captions(page)
    # NBC(R) = NBC(B) = 0.54 under this D (by hand), so the page reports a tie at the top
    expect(page.get_by_text("Under this D, NBC (and so RLHF / DPO) puts R = B first.")).to_be_visible()
    assert "beta=0.5" in page.url and "D=0.2,0.2,0.6" in page.url


def test_editing_a_weight_in_the_table_changes_the_winner(page, server):
    open_page(page, server, "population")
    expect(metric(page, "Condorcet winner")).to_have_text("B")
    grid = page.get_by_test_id("stDataFrame").first
    grid.locator("canvas").first.wait_for()
    box = grid.bounding_box()
    # header row and data rows are 35 px high; the weight column is the last one
    grid.dblclick(position={"x": box["width"] - 30, "y": 35 + 17})
    cell = page.get_by_test_id("portal").locator("input, textarea").first
    cell.wait_for(state="visible")
    expect(cell).to_have_value("2")
    cell.fill("4")
    cell.press("Enter")
    page.get_by_test_id("stApp").click(position={"x": 5, "y": 5})
    wait_for_app(page)
    expect(metric(page, "Condorcet winner")).to_have_text("R")
    expect(metric(page, "Maximal lottery (NLHF) picks")).to_have_text("R (certain)")
    text = page.get_by_test_id("stTextArea").locator("textarea")
    expect(text).to_have_count(1, timeout=30_000)  # the editor before the edit leaves once the run has finished
    expect(text).to_have_value("4: R > G > B\n3: B > R > G\n")
    go_to(page, "Rules side by side")  # the population persists across pages
    wait_for_charts(page, CHARTS["rules"])
    expect(page.get_by_text(re.compile(r"Condorcet winner: R"))).to_be_visible()


def test_controls_write_the_url(page, server):
    open_page(page, server, "rules")
    beta = page.get_by_label("β (KL strength of RLHF / DPO)", exact=True)
    beta.fill("0.5")
    beta.press("Enter")
    wait_for_app(page)
    page.wait_for_url(re.compile(r"beta=0\.5"))
    go_to(page, "Sampling distribution")  # β is shared: the next page shows it and keeps it in the URL
    wait_for_charts(page, CHARTS["sampling"])
    expect(page.get_by_label("β (KL strength of RLHF / DPO)", exact=True)).to_have_value("0.50")
    assert "/sampling" in page.url and "beta=0.5" in page.url
    page.get_by_role("button", name=re.compile("Apply it")).click()
    wait_for_app(page)
    page.wait_for_url(re.compile(r"D=0\.47666"))
    expect(page.get_by_text("Under this D, NBC (and so RLHF / DPO) puts B first.")).to_be_visible()
    wait_for_charts(page, CHARTS["sampling"])
    page.set_viewport_size({"width": 1400, "height": 2600})
    _screenshot(page, "sampling-after-the-flip")


def test_downloads_a_population_file_and_a_chart(page, server):
    open_page(page, server, "population")
    with page.expect_download() as download:
        page.get_by_role("button", name="Rankings table (.csv)").click()
    assert download.value.suggested_filename == "population.csv"
    assert Path(download.value.path()).read_text() == write_rankings_csv(FIGURE_1)
    open_page(page, server, "rules")
    chart = page.get_by_test_id("stPlotlyChart").first
    chart.hover()
    with page.expect_download() as download:
        chart.get_by_role("button", name="Download plot as a PNG").click()
    assert download.value.suggested_filename == "rules-side-by-side.png"
    assert Path(download.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def _screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.locator("[data-testid='stMain']").evaluate("element => element.scrollTo(0, 0)")
    page.wait_for_timeout(500)  # let plotly finish its transitions
    page.screenshot(path=path, animations="disabled")
    return path


def test_a_screenshot_of_every_page(page, server):
    # Streamlit scrolls an inner container, so a full-page screenshot needs a tall viewport
    page.set_viewport_size({"width": 1400, "height": 2600})
    for path in TITLES:
        scenario = SHOWCASE[path]
        open_page(page, server, path + (f"?scenario={scenario}" if scenario else ""))
        expect(page.get_by_test_id("stException")).to_have_count(0)
        expect(page.get_by_test_id("stAlertContentError")).to_have_count(0)
        if scenario:
            expect(page.get_by_text(f"Scenario: {presets.load(scenario).title}")).to_be_visible()
        if path == "properties":  # its quick table runs in the background: the grid once it has landed
            page.locator(".st-key-properties_quick_job").wait_for(state="detached", timeout=120_000)
            wait_for_app(page)
        shot = _screenshot(page, path or "home")
        assert shot.stat().st_size > 20_000


# ----------------------------------------------------------------------------- phase 2
def test_a_scenario_link_with_k_on_a_fresh_server(page, fresh_server):
    open_page(page, fresh_server, "testtime?scenario=testtime_nlhf_collapse&k=16")
    expect(page.get_by_role("heading", level=1)).to_have_text("Test-time scaling")
    expect(page.get_by_label("k (samples drawn at test time)", exact=True)).to_have_value("16")
    assert "Sampling NLHF four times gains nothing" in sidebar_captions(page)
    # 16/17 = 0.9412; the maximal lottery stays at 0.55 against y2 whatever k
    expect(page.get_by_text("With k = 16 samples the guarantee is k/(k+1) = 0.9412.", exact=False)).to_be_visible()
    expect(page.get_by_text("only 0.55 (its worst rival: y2)", exact=False)).to_be_visible()
    assert "scenario=testtime_nlhf_collapse" in page.url and "k=16" in page.url


def test_a_gallery_card_opens_its_page_with_its_scenario(page, server):
    open_page(page, server)
    card = page.locator(".st-key-card_testtime_uniform_permutations")
    expect(card).to_contain_text("When everyone disagrees, k samples win k/(k+1) at best")
    expect(card).not_to_contain_text("Constructed example")  # the construction of Proposition 3.3's proof
    card.get_by_role("button", name="Open on Test-time scaling").click()
    page.wait_for_url(re.compile(r"/testtime\?"))
    page.get_by_role("heading", level=1, name="Test-time scaling").wait_for()
    wait_for_app(page)
    wait_for_charts(page, CHARTS["testtime"])
    assert "scenario=testtime_uniform_permutations" in page.url and "k=2" in page.url
    expect(page.get_by_label("k (samples drawn at test time)", exact=True)).to_have_value("2")
    assert "When everyone disagrees, k samples win k/(k+1) at best" in sidebar_captions(page)
    # the scenario's claim, on screen: the uniform policy wins 25/32 = 0.7812 with two samples
    expect(page.get_by_test_id("stExpander").first).to_contain_text("Robust rate of the uniform policy at k = 2")


def test_changing_k_writes_the_url_and_follows_to_other_pages(page, server):
    open_page(page, server, "testtime?scenario=testtime_nlhf_collapse")
    k = page.get_by_label("k (samples drawn at test time)", exact=True)
    expect(k).to_have_value("4")
    assert "k=" not in page.url  # the default is left out of the link
    k.fill("3")
    k.press("Enter")
    wait_for_app(page)
    page.wait_for_url(re.compile(r"k=3"))
    expect(page.get_by_text("With k = 3 samples the guarantee is k/(k+1) = 0.75.", exact=False)).to_be_visible()
    go_to(page, "Rules side by side")
    wait_for_charts(page, CHARTS["rules"])
    expect(page.get_by_label("k (samples drawn at test time)", exact=True)).to_have_value("3")
    assert "/rules" in page.url and "k=3" in page.url and "scenario=testtime_nlhf_collapse" in page.url


def test_downloads_a_scenario_file_and_a_table(page, server):
    open_page(page, server, "population?scenario=hetero_sampling")
    with page.expect_download() as download:
        page.get_by_role("button", name="Scenario file (.toml): population and settings").click()
    assert download.value.suggested_filename == "hetero_sampling.toml"
    text = Path(download.value.path()).read_text()
    assert presets.loads(text) == presets.load("hetero_sampling")
    open_page(page, server, "testtime?scenario=testtime_nlhf_collapse")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download this table as CSV").click()
    assert download.value.suggested_filename == "robust-rates-k4.csv"
    rows = Path(download.value.path()).read_text().splitlines()
    assert rows[0] == ",robust rate,worst opponent,method,error"
    assert rows[2].startswith("NLHF (maximal lottery),0.55,")
