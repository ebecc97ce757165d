"""The Properties page's checks run off the page's thread (issue 12): the quick table starts by itself, "Check the
remaining cells" may be asked for at once (the quick table stops), a progress bar and a Cancel button appear, the
page stays usable while it runs, and Cancel stops the computation (the page then reports that no background
computation runs, read from the runner's live threads; the worker processes end with it: tests/axioms/test_table)."""

from __future__ import annotations

import re

from .conftest import SCREENSHOTS, open_page, wait_for_app


def _generate(page, voters: int, alternatives: int) -> None:
    page.get_by_role("tab", name="Generate voters").click()
    page.get_by_label("Voters", exact=True).fill(str(voters))
    page.get_by_label("Alternatives (a number, or names separated by commas)", exact=True).fill(str(alternatives))
    page.get_by_role("button", name=re.compile("Generate")).click()
    wait_for_app(page, timeout=60_000)


def test_remaining_checks_run_in_the_background_and_cancel_frees_the_cpu(page, fresh_server):
    open_page(page, fresh_server, "population")
    _generate(page, 20_000, 8)
    page.get_by_role("link", name="Properties").first.click()
    wait_for_app(page, timeout=120_000)  # the page's own run computes no check: it starts the quick table
    quick = page.locator(".st-key-properties_quick_job")
    quick.get_by_text(re.compile("Checking every cell that takes seconds: \\d+%")).wait_for(timeout=30_000)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for name, size in (("laptop", (1366, 768)), ("phone", (390, 844))):
        page.set_viewport_size({"width": size[0], "height": size[1]})
        quick.scroll_into_view_if_needed()
        page.screenshot(path=str(SCREENSHOTS / f"properties-quick-running-{name}.png"))
    page.set_viewport_size({"width": 1400, "height": 1000})
    # the rest can be asked for at once: the quick table stops, what it found stays
    page.get_by_role("button", name=re.compile("Check the remaining cells")).click()
    quick.wait_for(state="detached", timeout=60_000)

    job = page.locator(".st-key-properties_background_job")
    job.wait_for(timeout=60_000)
    job.get_by_text(re.compile("Checking the remaining cells: \\d+%")).wait_for(timeout=30_000)
    assert job.locator("[data-testid='stProgress']").count() == 1
    for name, size in (("laptop", (1366, 768)), ("phone", (390, 844))):
        page.set_viewport_size({"width": size[0], "height": size[1]})
        job.scroll_into_view_if_needed()
        page.screenshot(path=str(SCREENSHOTS / f"properties-background-running-{name}.png"))
    page.set_viewport_size({"width": 1400, "height": 1000})

    # the page stays usable while the checks run: another tab of the page opens and shows its content
    page.get_by_role("tab", name="Paradoxes on demand").click()
    page.get_by_role("button", name="Search now").wait_for(timeout=30_000)
    page.get_by_role("tab").first.click()

    job.get_by_role("button", name="Cancel").click()
    page.get_by_text("Checking the remaining cells: cancelled; 0 background computations running now.").wait_for(
        timeout=60_000
    )
    page.get_by_role("button", name=re.compile("Check the remaining cells")).wait_for(timeout=30_000)
    page.screenshot(path=str(SCREENSHOTS / "properties-background-cancelled.png"))
