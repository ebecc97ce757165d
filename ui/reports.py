"""The current page as a self-contained report (issue 13, "Export the current page"): one HTML file with the
page's title, the date, the population, the settings, every chart (interactive, plotly.js embedded once, so
that the file opens offline) and every table, for a slide deck or an e-mail.

How it works: :func:`start` (from :func:`ui.shell.page_header`, at the top of every page) opens an empty
record for this run; :func:`ui.widgets.chart` and :func:`ui.widgets.table` add each titled figure and each
table to it as they draw them; after the page has run, ``app.py`` calls :func:`download_button`, whose data is
built only when clicked (:func:`build`). A page that stops early (an error) exports what it drew.

PDF: no PDF library is installed (no kaleido, weasyprint or reportlab in the environment), so the report is
made for the browser's print dialog: open the HTML file and print it to PDF (its print style sheet keeps each
chart and table on one page).

Everything a user typed (population title, alternative names, column labels) is escaped: plotly labels were
escaped when the figures were built (:func:`ui.text.html`), table cells by pandas' ``to_html(escape=True)``,
the rest here.
"""

from __future__ import annotations

import datetime as dt
import html as html_lib
import re
from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from . import numbers, state, urls

RECORD_KEY = "_report_record"
#: The report's file name: ``report-<page>-<UTC date and time>.html``.
FILE_PATTERN = "report-{page}-{stamp}.html"
CSS = """
body { font-family: "Source Sans Pro", Arial, sans-serif; color: #222; max-width: 1100px; margin: 2rem auto;
       padding: 0 1rem; line-height: 1.45; }
h1 { margin-bottom: 0.2rem; } .meta { color: #555; margin-top: 0; }
table { border-collapse: collapse; font-size: 0.9rem; margin: 0.5rem 0 1.5rem; }
th, td { border: 1px solid #ddd; padding: 0.25rem 0.5rem; text-align: right; }
th { background: #f6f6f6; } td:first-child, th:first-child { text-align: left; }
.figure, .table { page-break-inside: avoid; break-inside: avoid; margin-bottom: 1.5rem; }
.note { color: #555; font-size: 0.9rem; }
@media print { body { margin: 0; max-width: none; } .noprint { display: none; } }
"""


@dataclass
class Record:
    title: str
    intro: str = ""
    figures: list[tuple[str, go.Figure]] = field(default_factory=list)
    tables: list[tuple[str, pd.DataFrame]] = field(default_factory=list)


def start(title: str, intro: str = "") -> None:
    """A fresh record for this run of the page ``title``."""
    st.session_state[RECORD_KEY] = Record(title, intro)


def current() -> Record | None:
    return st.session_state.get(RECORD_KEY)


def add_figure(title: str, fig: go.Figure) -> None:
    record = current()
    if record is not None:
        record.figures.append((title, fig))


def add_table(name: str, data) -> None:
    """A table as drawn (a DataFrame, or a pandas Styler: its data)."""
    record = current()
    if record is None:
        return
    frame = getattr(data, "data", data)  # a Styler keeps its frame in .data
    if isinstance(frame, pd.DataFrame):
        record.tables.append((name, frame))
    elif isinstance(frame, pd.Series):
        record.tables.append((name, frame.to_frame()))


def _text(value) -> str:
    return html_lib.escape(str(value), quote=True)


def _markdown_to_text(text: str) -> str:
    """The page's introduction without markdown marks (``**bold**``, links ``[a](b)`` keep their words)."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", str(text))
    return re.sub(r"(\*\*|__|\*|`)", "", text)


def build(
    record: Record, *, population: str, alternatives, settings: dict[str, str], now: dt.datetime | None = None
) -> str:
    """The report as one HTML document (UTF-8 text): title, date, population, settings, figures, tables."""
    now = now or dt.datetime.now(dt.timezone.utc)
    date = now.strftime("%Y-%m-%d %H:%M UTC")
    names = list(alternatives)
    shown = ", ".join(_text(a) for a in names[:50]) + (f", … ({len(names)} in all)" if len(names) > 50 else "")
    parts = [
        "<!DOCTYPE html>",
        "<html lang='en'><head><meta charset='utf-8'>",
        f"<title>{_text(record.title)} · {_text(population)} · {date}</title>",
        f"<style>{CSS}</style></head><body>",
        f"<h1>{_text(record.title)}</h1>",
        f"<p class='meta'>Exported {date} from the aggregation-rules dashboard.</p>",
    ]
    if record.intro:
        parts.append(f"<p>{_text(_markdown_to_text(record.intro))}</p>")
    parts += [
        "<h2>Population</h2>",
        f"<p><b>{_text(population)}</b></p>",
        f"<p>{len(names)} alternatives: {shown}</p>",
        "<h2>Settings</h2>",
        "<table>",
    ]
    parts += [f"<tr><th>{_text(k)}</th><td>{_text(v)}</td></tr>" for k, v in settings.items()]
    parts.append("</table>")
    if record.figures:
        parts.append("<h2>Figures</h2>")
        for i, (title, fig) in enumerate(record.figures):
            body = fig.to_html(
                full_html=False, include_plotlyjs=(i == 0), default_width="100%", config={"displaylogo": False}
            )
            parts.append(f"<div class='figure' title='{_text(title)}'>{body}</div>")  # the chart shows its title
    if record.tables:
        parts.append("<h2>Tables</h2>")
        for name, frame in record.tables:
            parts.append(
                f"<div class='table'><h3>{_text(name.replace('_', ' ').capitalize())}</h3>"
                f"{frame.to_html(escape=True, float_format=lambda v: format(v, '.6g'), na_rep='–')}</div>"
            )
    parts.append(
        "<p class='note noprint'>For a PDF, print this page from the browser (File → Print → Save as "
        "PDF).</p></body></html>"
    )
    return "\n".join(parts)


def settings() -> dict[str, str]:
    """The controls that decide the page's numbers, as text: β, k, the sampling distribution, and the link
    parameters that reproduce the screen."""
    D = state.sampling()
    params = urls.current_params()
    return {
        "β (KL strength of RLHF / DPO)": numbers.decimal(urls.current_beta()),
        "k (samples drawn at test time)": str(urls.current_k()),
        "Sampling distribution D": "uniform"
        if D is None
        else ", ".join(f"{a} {numbers.decimal(p)}" for a, p in D.items()),
        "Link parameters": "&".join(f"{k}={v}" for k, v in params.items()) or "(none)",
    }


def download_button(container) -> None:
    """The "Export this page" button in ``container`` (the sidebar's slot): the report of what this run drew,
    built when clicked."""
    record = current()
    if record is None:
        return
    model = state.population()
    population, alternatives, values = state.population_title(), list(model.alternatives), settings()
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%d-%H%M")
    page = re.sub(r"[^a-z0-9]+", "-", record.title.lower()).strip("-") or "page"
    container.download_button(
        "Export this page (HTML report)",
        key="export_report",
        icon=":material/download:",
        on_click="ignore",
        data=lambda: build(record, population=population, alternatives=alternatives, settings=values),
        file_name=FILE_PATTERN.format(page=page, stamp=stamp),
        mime="text/html",
        help="One self-contained HTML file: this page's title, the date, the population, the settings, every "
        "chart (interactive, works offline) and every table. For a PDF, open it and print it from the "
        "browser (Save as PDF).",
    )
