"""The Fine-tuning page's form for first-order corrected DPO (Shirali et al., section 5) in a real browser, at
a laptop and a phone size: the method's settings appear with their labels and the preview draws its limit.
Screenshots go to test-output/screenshots/ for people to look at."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import SCREENSHOTS, open_page, wait_for_app, wait_for_charts

SIZES = {"laptop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}


@pytest.mark.parametrize("size", list(SIZES))
def test_corrected_dpo_settings_and_preview(page, server, size):
    page.set_viewport_size(SIZES[size])
    open_page(page, server, "fine-tuning")
    if size == "phone":  # on a phone's screen the sidebar starts closed (ui.present.sidebar_state)
        expect(page.get_by_test_id("stSidebar")).to_have_attribute("data-collapsed", "true")
    page.get_by_test_id("stSelectbox").filter(has_text="Method").click()
    page.get_by_role("option", name="First-order corrected DPO").click()
    wait_for_app(page)
    wait_for_charts(page, 1)
    for label in ("α (correction strength)", "Floor ε of the stable log", "Clip of the correction"):
        expect(page.get_by_label(label, exact=True)).to_be_visible()
    expect(page.get_by_role("combobox", name="Variance V")).to_have_value("estimated by J")
    expect(page.get_by_text("Where theory says First-order corrected DPO lands")).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.get_by_label("α (correction strength)", exact=True).scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / f"fine-tuning-corrected-dpo-{size}.png"))
    page.locator("[data-testid='stPlotlyChart']").first.scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / f"fine-tuning-corrected-dpo-preview-{size}.png"))
