"""Helpers shared by the Fine-tuning page tests: a private data folder for the job queue, and
readers for what the page shows (its policies table, its charts, its status heading)."""

from __future__ import annotations

import json
import time

import pandas as pd

from ui import shell

from .conftest import open_page
from .markdown import rendered

PAGE = "fine-tuning"


def warnings_but_no_worker(at) -> str:
    """The page's warnings other than the notice that no worker is running (tests without a worker)."""
    return "\n".join(rendered(w.value) for w in at.warning if not w.value.startswith("No worker is running"))


def open_fine_tuning(at):
    return open_page(at, PAGE)


def texts(elements) -> str:
    """The elements' text as rendered (user text in them is escaped markdown)."""
    return "\n".join(rendered(e.value) for e in elements)


def frame(at, key: str) -> pd.DataFrame:
    return at.get_by_key(key).dataframe[0].value


def charts(at) -> dict[str, dict]:
    """The page's plotly charts by title (its first line: the second names the population)."""
    out = {}
    for element in at.get("plotly_chart"):
        spec = json.loads(element.proto.spec)
        title = ((spec.get("layout") or {}).get("title") or {}).get("text") or ""
        out[title.split("<br>")[0]] = spec
    return out


def values(array) -> list:
    """A plotly JSON array as a list (plotly writes numpy arrays as ``{"dtype", "bdata"}``)."""
    if isinstance(array, dict) and "bdata" in array:
        import base64

        import numpy as np

        data = np.frombuffer(base64.b64decode(array["bdata"]), dtype=np.dtype(array["dtype"]))
        return data.reshape(array["shape"]).tolist() if "shape" in array else data.tolist()
    return list(array)


def status_heading(at) -> str:
    """The job panel's heading, e.g. ``#### Running on **cpu** (worker host:pid)`` ("" when none)."""
    return next((m.value for m in at.markdown if m.value.startswith("#### ")), "")


def run_until(at, predicate, *, timeout: float = 240.0, what: str = "condition", interval: float = 0.3):
    """Re-run the page (as the polling fragment would in a browser) until ``predicate(at)`` holds;
    returns the headings seen on the way. A safety timeout, not a speed test."""
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        at.run()
        assert not at.exception, at.exception
        heading = status_heading(at)
        if not seen or seen[-1] != heading:
            seen.append(heading)
        if predicate(at):
            return seen
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}; headings seen: {seen}")


def number_input_column(at, key: str):
    """The innermost column that holds the number input ``key`` (the field's refusal is written there)."""
    holding = [column for column in at.columns if any(n.key == key for n in column.number_input)]
    assert holding, f"no column holds {key}"
    return holding[-1]  # the tree is walked outside-in


def page_path() -> str:
    return shell.page(PAGE).path
