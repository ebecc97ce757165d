"""The guided tour (issue 13): shown on the home page of a first visit, five steps through the Jackpot example
on the pages that show them, dismissible; a browser that has dismissed it (its cookie) never sees it again
(the browser test checks the cookie across a reload)."""

from __future__ import annotations

from ui import tour

from .conftest import open_page


def header(at) -> str:
    return next(m.value for m in at.get_by_key("tour").markdown if m.value.startswith("**Guided tour"))


def test_a_first_visit_walks_through_the_jackpot_example_in_five_steps(app):
    at = open_page(app, None)
    assert not at.exception
    assert header(at) == "**Guided tour · step 1 of 5: Five voters, three answers**"
    at.button(key="tour_next").click().run()
    assert not at.exception
    assert at.title[0].value == "Rules side by side"
    assert header(at) == "**Guided tour · step 2 of 5: RLHF picks R**"
    assert at.query_params["scenario"] == tour.SCENARIO  # the example is loaded
    assert "puts **R** first" in " ".join(m.value for m in at.markdown)
    at.button(key="tour_next").click().run()
    assert header(at) == "**Guided tour · step 3 of 5: The majority wants B**"
    at.button(key="tour_back").click().run()
    assert header(at).startswith("**Guided tour · step 2 of 5")
    at.button(key="tour_next").click().run()
    assert header(at).startswith("**Guided tour · step 3 of 5")
    at.button(key="tour_next").click().run()
    assert at.title[0].value == "Properties" and header(at).startswith("**Guided tour · step 4 of 5")
    at.button(key="tour_next").click().run()
    assert at.title[0].value == "Population"
    assert header(at) == "**Guided tour · step 5 of 5: Your turn**"
    at.button(key="tour_next").click().run()  # Finish
    assert not at.exception
    assert at.session_state[tour.DONE_KEY] is True
    with_no_tour = [c for c in at.main.children.values() if getattr(c, "key", None) == "tour"]
    assert not with_no_tour
    assert len(at.get("iframe")) == 1  # the script that writes the cookie


def test_closing_the_tour_hides_it_and_it_starts_only_on_the_home_page(app):
    from ui import shell

    at = app.switch_page(shell.page("rules").path).run()  # a link to a page is the first request
    assert at.title[0].value == "Rules side by side"
    try:
        at.get_by_key("tour")
        shown = True
    except KeyError:
        shown = False
    assert not shown  # a link to a page: no tour over it
    from streamlit.testing.v1 import AppTest

    from .conftest import APP

    at = open_page(AppTest.from_file(str(APP), default_timeout=60), None)
    at.button(key="tour_close").click().run()
    assert at.session_state[tour.DONE_KEY] is True
    at.run()
    try:
        at.get_by_key("tour")
        shown = True
    except KeyError:
        shown = False
    assert not shown
