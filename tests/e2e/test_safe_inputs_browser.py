"""Issue 10 in a real browser: hostile names and link parameters render as plain text (no link, no image, no
formula, no tag; no request leaves the page), and the server refuses an upload above the limit the page
states. Screenshots at a laptop and a phone size land in test-output/screenshots/safe-inputs-*.png."""

from __future__ import annotations

import http.client
import json
import re
import urllib.parse

import pytest
from playwright.sync_api import expect

from aggregation import bounds
from ui import shell
from ui.text import shown

from .conftest import CHARTS, SCREENSHOTS, open_page, wait_for_app, wait_for_charts

LINK = "[Session expired: click](https://example.com)"
IMAGE = "![t](http://host/x.png)"
LATEX = "$x$"
TAG = "<a href=x>y</a>"
BOLD = "**b**"
#: User types whose answers and type names are all hostile (any one-line name is a valid user type name).
HOSTILE_FILE = json.dumps(
    {
        "kind": "rewards",
        "alternatives": [LINK, IMAGE, LATEX, TAG],
        "temperature": 0.5,
        "types": [
            {"name": BOLD, "weight": 2, "rewards": {LINK: 1, IMAGE: 0, LATEX: 2, TAG: -1}},
            {"name": ":red[T]", "weight": 1, "rewards": {LINK: 0, IMAGE: 2, LATEX: 1, TAG: 0.5}},
        ],
    }
)
FILE_NAME = "[evil](https://example.com).json"
SIZES = {"laptop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}


def watch_requests(page, server: str) -> list[str]:
    """Every request the page makes to anywhere but the dashboard's own server (data: and blob: excepted)."""
    away: list[str] = []
    page.on(
        "request",
        lambda request: (
            away.append(request.url) if not request.url.startswith((server, "data:", "blob:", "about:")) else None
        ),
    )
    return away


def assert_nothing_live(page) -> None:
    """No link to example.com, no image from host, no rendered formula, no anchor made of a name."""
    assert page.locator("a[href^='https://example.com']").count() == 0
    assert page.locator("img[src^='http://host']").count() == 0
    assert page.locator("[href='x'], [*|href='x']").count() == 0
    assert page.locator(".katex").count() == 0
    expect(page.get_by_test_id("stException")).to_have_count(0)


def population_uploader(page):
    """The Population page's population-file uploader (the comparison-log uploader sits below it)."""
    return page.get_by_test_id("stFileUploader").filter(has_text="Import a population file")


def upload(page, name: str, data: bytes) -> None:
    population_uploader(page).get_by_test_id("stFileUploaderDropzoneInput").set_input_files(
        {"name": name, "mimeType": "application/json", "buffer": data}
    )
    page.get_by_test_id("stFileChip").first.wait_for()
    wait_for_app(page)


def test_hostile_names_render_as_text_on_every_page(page, server):
    away = watch_requests(page, server)
    open_page(page, server, "population")
    upload(page, FILE_NAME, HOSTILE_FILE.encode())
    page.get_by_role("button", name="Import (replaces the current population)").click()
    wait_for_app(page)
    # the title, as typed, in its own editable field (an input's value is never rendered as markdown)
    expect(page.get_by_role("textbox", name="Title of this population")).to_have_value(
        f"imported from {FILE_NAME} (population file (JSON))"
    )
    for title in [
        "Population",
        "Rules side by side",
        "Sampling distribution",
        "Test-time scaling",
        "Properties",
        "Ranked choice",
        "Fine-tuning",
        "Home",
    ]:
        page.get_by_test_id("stSidebarNav").get_by_role("link", name=re.compile(re.escape(title) + "$")).click()
        wait_for_app(page)
        path = "" if title == "Home" else next(p.url_path for p in shell.PAGES if p.title == title)
        wait_for_charts(page, CHARTS[path] if path != "ranked-choice" else 0)
        assert_nothing_live(page)
        # the sidebar shows the origin (the uploaded file's name) literally
        expect(
            page.get_by_test_id("stSidebar").get_by_text(shown(f"imported from {FILE_NAME}"), exact=False).first
        ).to_be_visible()
        if path == "rules":
            expect(page.get_by_text(f"the Condorcet winner is {LATEX}", exact=False)).to_be_visible()
            expect(page.get_by_text(shown(LINK), exact=False).first).to_be_visible()
            svg = page.locator("[data-testid='stPlotlyChart'] .main-svg").first.inner_html()
            # tick labels are cut to ui.sizing.LABEL_CHARS characters (the full name is in the hover): the
            # name's start shows as text, and no link element exists
            assert "&lt;a href=x&gt;" in svg and "<a href" not in svg
            for size, viewport in SIZES.items():
                page.set_viewport_size(viewport)
                page.wait_for_timeout(400)
                page.screenshot(path=str(SCREENSHOTS / f"safe-inputs-rules-{size}.png"))
                chart = page.get_by_test_id("stPlotlyChart").nth(1)  # the margins, names on both axes
                chart.scroll_into_view_if_needed()
                page.wait_for_timeout(400)
                page.screenshot(path=str(SCREENSHOTS / f"safe-inputs-rules-chart-{size}.png"))
            page.set_viewport_size({"width": 1400, "height": 1000})
    assert away == [], away


@pytest.mark.parametrize("param", ["job", "scenario", "D", "temperature"])
def test_a_crafted_link_shows_its_parameter_as_text(page, server, param):
    away = watch_requests(page, server)
    open_page(page, server, f"fine-tuning?{param}={LINK}")
    assert_nothing_live(page)
    expect(page.get_by_text(shown("Session expired: click](https://example.com)"), exact=False).first).to_be_visible()
    if param == "job":
        notice = page.get_by_test_id("stAlert").filter(has_text="Session expired").first
        for size, viewport in SIZES.items():
            page.set_viewport_size(viewport)
            notice.scroll_into_view_if_needed()
            page.wait_for_timeout(400)
            page.screenshot(path=str(SCREENSHOTS / f"safe-inputs-job-link-{size}.png"))
    assert away == [], away


def put(url: str, headers: dict, size: int, *, chunked: bool = False, send: int | None = None) -> int:
    """An upload request to the dashboard's own upload endpoint, as a browser or a script would send it: a
    multipart body with ``size`` bytes of file (``send`` of them actually sent, when the declared length
    alone must be refused), with the session's XSRF cookie and header; returns the HTTP status."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    boundary = headers["content-type"].split("boundary=")[1]
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.txt"\r\n'
        "Content-Type: text/plain\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    connection.putrequest("PUT", parts.path)
    for key in ("cookie", "x-xsrftoken", "content-type", "origin"):
        connection.putheader(key, headers[key])
    if chunked:
        connection.putheader("Transfer-Encoding", "chunked")
    else:
        connection.putheader("Content-Length", str(len(head) + size + len(tail)))
    connection.endheaders()

    def chunk(data: bytes) -> None:
        connection.send(f"{len(data):x}\r\n".encode() + data + b"\r\n" if chunked else data)

    try:
        chunk(head)
        sent, block = 0, b"x" * 2**20
        while sent < (size if send is None else send):
            chunk(block[: size - sent])
            sent += len(block)
        chunk(tail)
        if chunked:
            connection.send(b"0\r\n\r\n")
    except (BrokenPipeError, ConnectionResetError):  # the server may stop reading once it has refused
        pass
    status = connection.getresponse().status
    connection.close()
    return status


def test_the_server_refuses_an_upload_above_the_stated_limit(page, server):
    """The widget states the limit (aggregation.bounds.MAX_FILE_MB); the server enforces the same one, whatever
    the browser does: a request declaring one MiB more is refused from its Content-Length (413), one that
    streams it without a length is cut off (413), and a file within the limit is stored (204). The session,
    its upload URL and its XSRF token come from a real upload in the browser."""
    open_page(page, server, "population")
    uploader = population_uploader(page)
    expect(uploader).to_contain_text(f"{bounds.MAX_FILE_MB}MB per file")
    stated = page.get_by_text(f"Limits: files up to {bounds.MAX_FILE_MB} MiB", exact=False)
    expect(stated).to_be_visible()
    for size, viewport in SIZES.items():  # the import panel states the limits where the file goes in
        page.set_viewport_size(viewport)
        uploader.scroll_into_view_if_needed()
        page.wait_for_timeout(400)
        page.screenshot(path=str(SCREENSHOTS / f"safe-inputs-uploader-{size}.png"))
    page.set_viewport_size({"width": 1400, "height": 1000})
    seen = {}

    def note(route):
        if route.request.method == "PUT":
            seen["url"], seen["headers"] = route.request.url, route.request.headers
        route.continue_()

    page.route("**/_stcore/upload_file/**", note)
    upload(page, "small.txt", b"2: R > G > B\n3: B > R > G\n")
    over = (bounds.MAX_FILE_MB + 1) * 2**20
    assert put(seen["url"], seen["headers"], over, send=2**20) == 413
    assert put(seen["url"], seen["headers"], over, chunked=True) == 413
    assert put(seen["url"], seen["headers"], 2**20) == 204
    page.unroute_all(behavior="ignoreErrors")
