"""Sharing, tried the way an attacker on the same network and the people of a classroom would: real servers
started the way the README starts them (``python -m ui.launch``, ``python -m worker.local -- ...``), Debian's
chromium, the real SQLite job queue.

* The default binds loopback only: the machine's network address refuses the connection, and a foreign
  ``Host`` (a browser made to resolve another name to this machine, as DNS rebinding does) gets neither the
  page nor the WebSocket.
* Shared (``--share``) with passwords: without a sign-in nothing starts and no job is listed; two signed-in
  people see and cancel only their own jobs; the operator sees and cancels all; the limit refuses with the
  words stated next to the button.
* A dashboard orphaned by a killed ``scripts/dashboard`` says no worker is running, and the next one stops it
  and serves on the same port.

Screenshots (laptop 1366x768 and phone 390x844) go to test-output/screenshots/sharing-*.png.
"""

from __future__ import annotations

import base64
import json
import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager

import pytest
from playwright.sync_api import expect

from ui import access, launch
from tests.worker.conftest import process_alive
from worker.client import JobClient

from .conftest import CHROMIUM_ARGS, ROOT, SCREENSHOTS, _free_port, _healthy, wait_for_app

pytestmark = pytest.mark.slow
LAPTOP, PHONE = {"width": 1366, "height": 768}, {"width": 390, "height": 844}
PASSWORDS = {"ana": "ana-password-1", "ben": "ben-password-2", "teacher": "teacher-password-3"}


def environment(data_dir, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AGGREGATION_", "STREAMLIT_"))}
    env.update(AGGREGATION_DATA_DIR=str(data_dir), PYTHONPATH=str(ROOT), **extra)
    return env


@contextmanager
def server(command: list[str], env: dict, log_path, port: int):
    """Start ``python -m <command>`` and wait until 127.0.0.1:port answers; stop it (SIGTERM to its PID) after.
    Its log must hold no traceback."""
    log = open(log_path, "w")
    proc = subprocess.Popen([sys.executable, "-m", *command], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None and not _healthy(url):
        time.sleep(0.1)
    if proc.poll() is not None or not _healthy(url):
        proc.kill()
        pytest.fail("the dashboard did not start:\n" + log_path.read_text())
    try:
        yield proc, url
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        log.close()
    assert "Traceback" not in log_path.read_text(), log_path.read_text()


def upgrade_status(port: int, host: str) -> str:
    """The status line the server answers a WebSocket upgrade to /_stcore/stream with this Host and Origin."""
    key = base64.b64encode(os.urandom(16)).decode()
    request = (
        f"GET /_stcore/stream HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: streamlit\r\n"
        f"Origin: http://{host}\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(request.encode())
        return s.recv(200).split(b"\r\n")[0].decode()


def http_status(port: int, host: str, path: str = "/") -> tuple[int, str]:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body.decode(errors="replace")


def network_addresses() -> list[str]:
    return [h for h in launch.machine_hosts() if h[:1].isdigit() and not launch.is_loopback(h)]


def open_fine_tuning(page, url: str) -> None:
    page.goto(f"{url}/fine-tuning")
    page.get_by_role("heading", level=1).wait_for(state="visible", timeout=30_000)
    wait_for_app(page)


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(400)
    page.screenshot(path=str(SCREENSHOTS / f"sharing-{name}.png"))


# ------------------------------------------------------------------ local by default
def test_the_default_binds_loopback_only_and_refuses_foreign_host_names(
    tmp_path, browser_type, browser_type_launch_args
):
    port = _free_port()
    command = ["ui.launch", "--server.headless=true", f"--server.port={port}", "--server.runOnSave=false"]
    with server(command, environment(tmp_path / "data"), tmp_path / "server.log", port):
        addresses = network_addresses()
        if not addresses:
            pytest.skip("this machine has no non-loopback address to try")
        for address in addresses:
            with pytest.raises(OSError):
                socket.create_connection((address, port), timeout=5).close()
        assert http_status(port, f"localhost:{port}", "/_stcore/health") == (200, "ok")
        assert http_status(port, f"evil.example.com:{port}") == (403, "This host name is not served here.")
        assert http_status(port, f"evil.example.com:{port}", "/_stcore/health")[0] == 403
        assert upgrade_status(port, f"evil.example.com:{port}").startswith("HTTP/1.1 403")
        assert upgrade_status(port, f"127.0.0.1:{port}").startswith("HTTP/1.1 101")

        # a real browser told that evil.example.com is this machine (what a rebinding DNS answer does)
        rebinding = browser_type.launch(
            **{
                **browser_type_launch_args,
                "args": [*CHROMIUM_ARGS, "--host-resolver-rules=MAP evil.example.com 127.0.0.1"],
            }
        )
        try:
            page = rebinding.new_page(viewport=LAPTOP)
            response = page.goto(f"http://evil.example.com:{port}/fine-tuning")
            assert response.status == 403
            expect(page.locator("body")).to_have_text("This host name is not served here.")
            assert page.get_by_test_id("stApp").count() == 0
            page.goto(f"http://localhost:{port}/")  # the same browser under the machine's own name: served
            page.get_by_role("heading", level=1).wait_for(state="visible", timeout=30_000)
            expect(page.get_by_test_id("stSidebar")).not_to_contain_text("Sign in")  # local: nobody signs in
        finally:
            rebinding.close()


def test_an_unshared_dashboard_refuses_to_listen_on_the_network(tmp_path):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "ui.launch",
            "--server.headless=true",
            "--server.address=0.0.0.0",
            f"--server.port={_free_port()}",
        ],
        cwd=ROOT,
        env=environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert "--server.address=0.0.0.0 would let other machines reach this dashboard" in done.stderr


# ------------------------------------------------------------------ shared, with passwords
@pytest.fixture
def shared_dashboard(tmp_path, browser_type_launch_args):
    """A dashboard started with --share (listening on 127.0.0.1 here, so the test machine's network never
    sees it), passwords for ana, ben and the operator teacher, at most one job and 5,000 steps per person, and
    no worker: jobs stay queued. Yields (url, data folder)."""
    secrets = tmp_path / "secrets.toml"
    accounts = "\n".join(f'{name} = "{access.hash_secret(pw)}"' for name, pw in PASSWORDS.items())
    secrets.write_text(
        '[access]\nlogin = "password"\noperators = ["teacher"]\nmax_queued_jobs = 1\n'
        f'max_total_steps = 5000\n\n[access.accounts]\n{accounts}\n'
    )
    port = _free_port()
    command = [
        "ui.launch",
        "--share",
        "--server.address=127.0.0.1",
        "--server.headless=true",
        f"--server.port={port}",
        "--server.runOnSave=false",
        f"--secrets.files={secrets}",
    ]
    with server(command, environment(tmp_path / "data"), tmp_path / "server.log", port) as (_, url):
        yield url, tmp_path / "data"


def sign_in(page, url: str, name: str) -> None:
    open_fine_tuning(page, url)
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Password or token").fill(PASSWORDS[name])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("stSidebar")).to_contain_text("Signed in as", timeout=30_000)
    expect(page.get_by_test_id("stSidebar").get_by_test_id("stText")).to_have_text(name)
    wait_for_app(page)


def start_job(page) -> None:
    page.get_by_role("button", name="Start training").click()
    expect(page.get_by_role("heading", name="Queued")).to_be_visible(timeout=30_000)
    wait_for_app(page)


def listed(page) -> str:
    """The job list as the page offers it for download (the table itself is drawn on a canvas)."""
    button = page.get_by_role("button", name="Job list as CSV")
    button.wait_for(state="visible", timeout=30_000)
    with page.expect_download() as download:
        button.click()
    return open(download.value.path(), encoding="utf-8").read()


def test_shared_two_people_and_the_operator(shared_dashboard, browser):
    url, data = shared_dashboard
    anonymous, ana, ben, teacher = (browser.new_context(viewport=LAPTOP).new_page() for _ in range(4))

    # without a sign-in: the form, no start button, no job list (the theory still works)
    open_fine_tuning(anonymous, url)
    expect(anonymous.get_by_role("button", name="Sign in")).to_be_visible()
    assert anonymous.get_by_role("button", name="Start training").count() == 0
    expect(anonymous.get_by_text("Sign in (above) to see your jobs.")).to_be_visible()
    anonymous.get_by_test_id("stForm").scroll_into_view_if_needed()
    shot(anonymous, "sign-in-laptop")
    anonymous.set_viewport_size(PHONE)
    anonymous.get_by_role("button", name="Sign in").scroll_into_view_if_needed()
    shot(anonymous, "sign-in-phone")
    anonymous.get_by_label("Name", exact=True).fill("ana")
    anonymous.get_by_label("Password or token").fill("not-her-password")
    anonymous.get_by_role("button", name="Sign in").click()
    expect(anonymous.get_by_text("Wrong name or password.")).to_be_visible(timeout=30_000)

    sign_in(ana, url, "ana")
    expect(ana.get_by_text("Limits per person: 1 job queued or running, 5,000 steps across them.")).to_be_visible()
    start_job(ana)
    sign_in(ben, url, "ben")
    start_job(ben)
    client = JobClient(data_dir=data)
    owners = {r.owner: r.job_id for r in client.list_jobs()}
    assert set(owners) == {"ana", "ben"}
    ana.reload()
    sign_in(ana, url, "ana")  # a reload is a new session: sign in again
    assert owners["ana"] in listed(ana) and owners["ben"] not in listed(ana)
    assert owners["ben"] in listed(ben) and owners["ana"] not in listed(ben)
    ana.get_by_role("button", name="Start training").scroll_into_view_if_needed()
    shot(ana, "signed-in-laptop")
    ana.set_viewport_size(PHONE)
    ana.get_by_role("button", name="Start training").scroll_into_view_if_needed()
    shot(ana, "signed-in-phone")
    ana.set_viewport_size(LAPTOP)

    # the limit refuses with the words stated next to the button
    ana.get_by_role("button", name="Start training").click()
    expect(
        ana.get_by_text(
            "Not queued: you already have 1 job queued or running, and each person may have at "
            "most 1 at a time; wait for one to finish or cancel one."
        ).first
    ).to_be_visible(timeout=30_000)
    assert len(client.list_jobs()) == 2

    # a link to ben's job opens nothing of his for ana, and she has no way to cancel it
    ana.goto(f"{url}/fine-tuning?job={owners['ben']}")
    ana.get_by_role("heading", level=1).wait_for(state="visible", timeout=30_000)
    wait_for_app(ana)
    expect(ana.get_by_role("button", name="Sign in")).to_be_visible()  # a new session, not signed in
    assert owners["ben"] not in ana.content()
    ana.get_by_label("Name", exact=True).fill("ana")
    ana.get_by_label("Password or token").fill(PASSWORDS["ana"])
    ana.get_by_role("button", name="Sign in").click()
    expect(ana.get_by_text("The link's job=")).to_be_visible(timeout=30_000)
    expect(ana.get_by_text("it is not among your jobs")).to_be_visible()
    assert owners["ben"] not in listed(ana)
    assert client.status(owners["ben"]).state == "queued"

    # the operator sees both, with their owners, and cancels ben's (the newest job, on screen first)
    sign_in(teacher, url, "teacher")
    expect(teacher.get_by_text("You are an operator here")).to_be_visible()
    assert owners["ana"] in listed(teacher) and owners["ben"] in listed(teacher)
    expect(teacher.get_by_role("button", name="Cancel")).to_be_visible(timeout=30_000)
    teacher.locator(".st-key-ft_jobs_table").scroll_into_view_if_needed()
    shot(teacher, "operator-laptop")
    teacher.get_by_role("button", name="Cancel").click()
    deadline = time.monotonic() + 30
    while client.status(owners["ben"]).state != "cancelled" and time.monotonic() < deadline:
        time.sleep(0.2)
    assert client.status(owners["ben"]).state == "cancelled" and client.status(owners["ana"]).state == "queued"
    for page in (ana, ben, teacher, anonymous):
        expect(page.get_by_test_id("stException")).to_have_count(0)


# ------------------------------------------------------------------ jobs never vanish
def test_a_dashboard_orphaned_by_a_killed_supervisor_says_no_worker_runs_and_the_next_one_takes_over(tmp_path, page):
    port = _free_port()
    env = environment(tmp_path / "data", AGGREGATION_STALE_AFTER_S="4")
    command = [
        "worker.local",
        "--",
        sys.executable,
        "-m",
        "ui.launch",
        "--server.headless=true",
        f"--server.port={port}",
        "--server.runOnSave=false",
    ]
    client = JobClient(data_dir=tmp_path / "data", stale_after_s=4)
    page.set_viewport_size(LAPTOP)
    log = open(tmp_path / "first.log", "w")
    first = subprocess.Popen([sys.executable, "-m", *command], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (_healthy(url) and client.worker_status().alive):
            time.sleep(0.2)
        assert client.worker_status().alive, (tmp_path / "first.log").read_text()
        open_fine_tuning(page, url)
        assert page.get_by_text("No worker is running").count() == 0
        record = json.loads(next((tmp_path / "data" / "dashboards").glob("*.json")).read_text())
        os.kill(first.pid, signal.SIGKILL)  # scripts/dashboard killed outright
        first.wait(10)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and client.worker_status().alive:
            time.sleep(0.2)
        assert _healthy(url)  # the orphaned dashboard still serves ...
        page.reload()
        page.get_by_role("heading", level=1).wait_for(state="visible", timeout=30_000)
        wait_for_app(page)
        warning = page.get_by_text("No worker is running")  # ... and says that no worker runs
        expect(warning).to_be_visible(timeout=30_000)
        warning.scroll_into_view_if_needed()
        shot(page, "no-worker-laptop")

        second_log = tmp_path / "second.log"
        with open(second_log, "w") as log2:  # the next scripts/dashboard, on the same port
            second = subprocess.Popen(
                [sys.executable, "-m", *command], cwd=ROOT, env=env, stdout=log2, stderr=subprocess.STDOUT
            )
            try:
                deadline = time.monotonic() + 60
                while time.monotonic() < deadline and "stopped pid" not in second_log.read_text():
                    time.sleep(0.1)
                assert f"stopped pid {record['pid']}, a dashboard left running" in second_log.read_text()
                assert not process_alive(record["pid"])  # the orphan is gone
                while time.monotonic() < deadline and not (_healthy(url) and client.worker_status().alive):
                    time.sleep(0.2)
                assert second.poll() is None and _healthy(url) and client.worker_status().alive
                open_fine_tuning(page, url)
                assert page.get_by_text("No worker is running").count() == 0
            finally:
                second.send_signal(signal.SIGTERM)
                second.wait(30)
        assert "Traceback" not in second_log.read_text(), second_log.read_text()
    finally:
        log.close()
        if first.poll() is None:
            first.kill()
        try:
            os.kill(record["pid"], signal.SIGTERM)
        except (OSError, NameError):
            pass
