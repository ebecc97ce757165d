"""Server-side rerun time of every dashboard page, per population (a benchmark, not a test).

Runs the real scripts in-process with Streamlit's AppTest, starting from ``app.py`` as the server
does (the ``pages/`` legacy flag cleared, as ``ui.launch`` clears it), for every scenario of the
failure-case library (opened through its link, ``?scenario=<id>``, so that its D, beta and k
apply) and a few larger populations, and prints for each page:

* cold: the first run after the caches were cleared (every core computation happens);
* warm: the median of ``--repeats`` reruns of the same page (what every click costs), and its
  ratio to the 0.5 s target of issue 5.

AppTest time is script time on the server: it leaves out the websocket and the browser's drawing.

    python -m bench.bench_pages [--repeats 5] [--quick] [--only TEXT] [--no-presets]

On large populations MPNE_k, the robust policy and the property checks wait for a button (see
``aggregation.testtime.cost.GAME_BUDGET`` and ``aggregation.properties.cost.PROPERTY_BUDGET``); the timings are those of the page as it
first shows, without pressing it.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402
from streamlit.runtime.pages_manager import PagesManager  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

import presets  # noqa: E402
from aggregation import Profile, RewardPopulation  # noqa: E402
from ui import shell, state  # noqa: E402

TARGET_S = 0.5


def _navigation_only() -> None:
    built = PagesManager.__init__

    def init(self, *args, **kwargs):
        built(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    PagesManager.__init__ = init


def populations(quick: bool) -> dict[str, object]:
    rng = np.random.default_rng(0)
    out = {"Jackpot Figure 1 (5 voters x 3)": state.default_population()}
    m = 8
    orders = np.argsort(rng.random((2_000, m)), axis=1)
    out["impartial culture, 2,000 voters x 8"] = Profile.from_orders(orders, [f"y{i}" for i in range(m)])
    types = {f"type {t}": {f"y{i}": float(v) for i, v in enumerate(rng.normal(size=6))} for t in range(12)}
    out["12 reward types x 6"] = RewardPopulation(types, rng.integers(1, 10, size=12), 1.0)
    if not quick:
        m = 50
        orders = np.argsort(rng.random((100_000, m)), axis=1)
        out["100,000 weighted rankings x 50"] = Profile.from_orders(
            orders, [f"y{i}" for i in range(m)], rng.integers(1, 5, size=100_000)
        )
    return out


def timed_run(at: AppTest) -> float:
    start = time.perf_counter()
    at.run()
    elapsed = time.perf_counter() - start
    if at.exception:
        raise RuntimeError(at.exception[0].value)
    return elapsed


def bench(model, url_path: str | None, repeats: int) -> tuple[float, float]:
    """``model`` is a population, or a scenario id (opened through its link)."""
    st.cache_data.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    if isinstance(model, str):
        at.query_params["scenario"] = model
    else:
        at.session_state[state.POPULATION_KEY] = model
        at.session_state[state.ORIGIN_KEY] = state.Origin("benchmark population")
    if url_path is None:
        cold = timed_run(at)
    else:
        at.run()
        at.switch_page(shell.page(url_path).path)
        cold = timed_run(at)
    warm = statistics.median(timed_run(at) for _ in range(repeats))
    return cold, warm


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="skip the 100,000 x 50 population")
    parser.add_argument("--only", help="run only the populations whose name contains this text")
    parser.add_argument("--no-presets", action="store_true", help="skip the scenarios of the library")
    args = parser.parse_args()
    _navigation_only()
    pages = [None] + [p.url_path for p in shell.PAGES]
    cases = {} if args.no_presets else {f"scenario {s.id}": s.id for s in presets.list()}
    cases.update(populations(args.quick))
    worst = (0.0, "")
    print(f"{'population':40s} {'page':14s} {'cold s':>8s} {'warm s':>8s} {'warm / 0.5 s':>13s}")
    for name, model in cases.items():
        if args.only and args.only not in name:
            continue
        for url_path in pages:
            cold, warm = bench(model, url_path, args.repeats)
            worst = max(worst, (warm, f"{name} / {url_path or 'home'}"))
            print(f"{name:40s} {url_path or 'home':14s} {cold:8.3f} {warm:8.3f} {warm / TARGET_S:13.2f}", flush=True)
    print(f"slowest warm rerun: {worst[0]:.3f} s ({worst[1]}), {worst[0] / TARGET_S:.2f} of the 0.5 s target")


if __name__ == "__main__":
    main()
