"""Ten people at once, each with a large population: page times and the server's memory before, during and
after (a benchmark, not a test: it prints, never asserts).

    python -m bench.load_sessions [--sessions 10] [--rankings 100000] [--alternatives 50] [--after 150]

Starts a fresh dashboard the way the README does (``python -m ui.launch``, on 127.0.0.1 and a free port,
no worker) and drives ``--sessions`` Debian-chromium sessions at the same time (Playwright, one browser
context each). Every session uploads the same population file (a population JSON of ``--rankings``
distinct random rankings over ``--alternatives`` alternatives, written once to a temporary folder),
imports it, then opens Rules side by side, Sampling distribution, Test-time scaling and Fine-tuning through
the sidebar (so the session and its population stay), each page timed from the click until its script run
has finished and its charts are drawn. Then every browser context is closed.

It prints the slowest page time (and every page's median and maximum), and the server's resident memory
(VmRSS of its process) before the sessions, its peak while they run, right after the browsers closed, and
then every ten seconds for ``--after`` seconds (a session left by its browser is kept for reconnection for
``server.disconnectedSessionTTL`` seconds: 120 by default, ``--ttl`` to change it), each time with what the
server says it holds (``/_stcore/metrics``: uploaded files, session state, cached results).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.async_api import async_playwright  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
#: The pages each session opens after the import, and a chart each draws on a large population.
PAGES = ["Rules side by side", "Sampling distribution", "Test-time scaling", "Fine-tuning"]


def population_file(folder: Path, n: int, m: int, seed: int = 0) -> Path:
    """A population JSON (the format this dashboard saves) of ``n`` distinct random rankings over ``m``."""
    rng = np.random.default_rng(seed)
    names = [f"a{i:02d}" for i in range(m)]
    orders = np.argsort(rng.random((n, m)), axis=1)
    rankings = [{"ranking": " > ".join(names[j] for j in order), "weight": 1} for order in orders]
    path = folder / f"population-{n}x{m}.json"
    path.write_text(json.dumps({"kind": "rankings", "alternatives": names, "rankings": rankings}))
    return path


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


class Sampler(threading.Thread):
    """The server's RSS every ``interval`` seconds, with its peak."""

    def __init__(self, pid: int, interval: float = 0.5):
        super().__init__(daemon=True)
        self.pid, self.interval, self.peak, self.running = pid, interval, 0.0, True
        self.load = os.getloadavg()[0]  # the machine's highest 1-minute load average while sampling

    def run(self):
        while self.running:
            try:
                self.peak = max(self.peak, rss_mb(self.pid))
                self.load = max(self.load, os.getloadavg()[0])
            except OSError:
                return
            time.sleep(self.interval)


def held(url: str) -> str:
    """What the server says it holds (its ``/_stcore/metrics``): open sessions, uploaded files, session state
    and ``st.cache_data`` / ``st.cache_resource`` entries (serialized sizes, MB)."""
    try:
        with urllib.request.urlopen(f"{url}/_stcore/metrics", timeout=30) as r:
            text = r.read().decode()
    except OSError as exc:
        return f"(no metrics: {exc})"
    sizes: dict[str, float] = {}
    active = "?"
    for line in text.splitlines():
        if line.startswith("cache_memory_bytes{"):
            kind = line.split('cache_type="', 1)[1].split('"', 1)[0]
            sizes[kind] = sizes.get(kind, 0.0) + float(line.rsplit(" ", 1)[1]) / 2**20
        elif line.startswith("active_sessions "):
            active = line.split()[1]
    names = {
        "UploadedFileManager": "uploads",
        "st_session_state": "session state",
        "st_cache_data": "cache_data",
        "st_cache_resource": "cache_resource",
    }
    parts = [f"{names.get(k, k)} {v:.1f}" for k, v in sorted(sizes.items(), key=lambda kv: -kv[1]) if v >= 0.05]
    return f"{active} connected; " + (", ".join(parts) if parts else "nothing held")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as r:
            return r.read().decode() == "ok"
    except OSError:
        return False


async def wait_for_app(page, timeout: float = 600_000) -> None:
    await page.wait_for_timeout(250)
    await page.locator("[data-testid='stApp'][data-test-connection-state='CONNECTED']").wait_for(
        state="attached", timeout=timeout
    )
    await page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(
        state="attached", timeout=timeout
    )


async def wait_for_charts(page, count: int, timeout: float = 600_000) -> None:
    await page.wait_for_function(
        f"document.querySelectorAll(\"[data-testid='stPlotlyChart'] .main-svg\").length >= {count}", timeout=timeout
    )


async def import_population(page, upload: Path, rankings: int, times: dict) -> None:
    """Upload ``upload`` on the Population page and import it (timed)."""
    start = time.perf_counter()
    # the population file's uploader (the comparison-log uploader sits below it); its chip shortens long names
    # ("popula...000x50.json"), so the upload is seen done when the chip appears
    uploader = page.get_by_test_id("stFileUploader").filter(has_text="Import a population file")
    await uploader.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(upload))
    await uploader.get_by_test_id("stFileChip").first.wait_for(state="visible", timeout=600_000)
    await wait_for_app(page)
    await page.get_by_role("button", name="Import (replaces the current population)").click()
    await page.get_by_test_id("stSidebar").get_by_text(f"{rankings:,} distinct rankings").wait_for(timeout=600_000)
    await wait_for_app(page)
    times.setdefault("Population (upload and import)", []).append(time.perf_counter() - start)


async def one_session(browser, url: str, upload: Path | None, rankings: int, times: dict, index: int) -> None:
    """One browser context: the Population page, the import of ``upload`` (none: the default population, a
    warm-up), then :data:`PAGES` through the sidebar; every step timed into ``times``."""
    context = await browser.new_context(viewport={"width": 1366, "height": 768})
    page = await context.new_page()
    start = time.perf_counter()
    await page.goto(f"{url}/population")
    await page.get_by_role("heading", level=1).wait_for(state="visible", timeout=600_000)
    await wait_for_app(page)
    times.setdefault("Population (first load)", []).append(time.perf_counter() - start)
    if upload is not None:
        await import_population(page, upload, rankings, times)
    for title in PAGES:
        start = time.perf_counter()
        await page.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()
        await page.get_by_role("heading", level=1, name=title).first.wait_for(timeout=600_000)
        await wait_for_app(page)
        await wait_for_charts(page, 1)
        times.setdefault(title, []).append(time.perf_counter() - start)
    if upload is not None:
        print(f"  session {index + 1} done", flush=True)
    await context.close()


async def drive(url: str, upload: Path | None, sessions: int, rankings: int) -> dict:
    times: dict[str, list[float]] = {}
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        await asyncio.gather(*(one_session(browser, url, upload, rankings, times, i) for i in range(sessions)))
        await browser.close()
    return times


def measure(url: str, pid: int, upload: Path, args, round_: int) -> None:
    """One round: the sessions at once (page times, peak memory), then the memory after they closed."""
    load_before = os.getloadavg()[0]
    sampler = Sampler(pid)
    sampler.start()
    started = time.perf_counter()
    times = asyncio.run(drive(url, upload, args.sessions, args.rankings))
    elapsed = time.perf_counter() - started
    sampler.running = False
    closed, closed_held = rss_mb(pid), held(url)
    print(
        f"round {round_}: all sessions done in {elapsed:.0f} s on {os.cpu_count()} CPUs; 1-minute load average "
        f"{load_before:.1f} before, at most {sampler.load:.1f} while they ran"
    )
    print("  page times (click until the run finished and its charts were drawn), s:")
    slowest = max((max(v), k) for k, v in times.items())
    for name, values in times.items():
        print(f"    {name:34s} median {statistics.median(values):6.1f}   max {max(values):6.1f}   (n = {len(values)})")
    print(f"  slowest page: {slowest[1]}, {slowest[0]:.1f} s")
    print(f"  {'peak while they ran':33s}{sampler.peak:7.0f}")
    print(f"  {'right after the browsers closed':33s}{closed:7.0f}   {closed_held}", flush=True)
    watch_start = time.monotonic()
    while time.monotonic() - watch_start < args.after:
        time.sleep(min(10.0, args.after))
        t = time.monotonic() - watch_start
        print(f"  {f'{t:.0f} s after':33s}{rss_mb(pid):7.0f}   {held(url)}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--rankings", type=int, default=100_000)
    parser.add_argument("--alternatives", type=int, default=50)
    parser.add_argument(
        "--after", type=float, default=150.0, help="seconds to watch the memory after the browsers close"
    )
    parser.add_argument(
        "--ttl", type=int, default=None, help="server.disconnectedSessionTTL, s (default: Streamlit's, 120)"
    )
    parser.add_argument("--rounds", type=int, default=1, help="times to run the sessions and watch (growth shows)")
    parser.add_argument(
        "--no-warmup",
        action="store_true",
        help="measure 'before' on the fresh server (by default one session first opens the same pages with the "
        "default population, so that modules imported once are not counted as the sessions' memory)",
    )
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout whose dashboard to start (to compare)")
    args = parser.parse_args(argv)

    folder = Path(tempfile.mkdtemp(prefix="load-sessions-"))
    upload = population_file(folder, args.rankings, args.alternatives)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AGGREGATION_")}
    env.update(AGGREGATION_DATA_DIR=str(folder / "data"), PYTHONPATH=str(args.root))
    log = open(folder / "server.log", "w")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ui.launch",
            "--server.headless=true",
            "--server.address=127.0.0.1",
            f"--server.port={port}",
            "--server.runOnSave=false",
            *([f"--server.disconnectedSessionTTL={args.ttl}"] if args.ttl is not None else []),
        ],
        cwd=args.root,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while not healthy(url):
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("the dashboard did not start:\n" + (folder / "server.log").read_text())
            time.sleep(0.2)
        fresh = rss_mb(server.pid)
        if not args.no_warmup:
            asyncio.run(drive(url, None, 1, args.rankings))
        before, before_held = rss_mb(server.pid), held(url)
        print(
            f"{args.sessions} sessions, each importing {upload.stat().st_size / 2**20:.1f} MiB "
            f"({args.rankings:,} rankings x {args.alternatives} alternatives) and opening "
            f"{len(PAGES) + 1} pages; server pid {server.pid}; VmRSS {fresh:.0f} MB when it started",
            flush=True,
        )
        print("server memory: VmRSS, MB, and what the server holds (its /_stcore/metrics, MB):")
        label = "before the sessions" if args.no_warmup else "after a warm-up session"
        print(f"  {label:33s}{before:7.0f}   {before_held}", flush=True)
        for round_ in range(1, args.rounds + 1):
            measure(url, server.pid, upload, args, round_)
    finally:
        server.terminate()
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
        text = (folder / "server.log").read_text()
        if "Traceback" in text:
            print("\nthe server log holds a traceback:\n" + text[-3000:])
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
