"""The Streamlit side of :mod:`ui.sizing`: the search box that picks which alternatives the charts and tables
show when there are many, and the sentences that say what a capped chart leaves out."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from . import sizing
from .text import md


def focus(names: Sequence[str], *, fingerprint: str, container=None) -> list[str]:
    """With more than :data:`ui.sizing.SEARCH_FROM` alternatives, a searchable multiselect (type to filter)
    naming the alternatives to show; empty: each chart shows its best :data:`ui.sizing.TOP_N` and groups the
    rest. Keyed by the population, so that a new population starts with no pick. Fewer alternatives: ``[]``."""
    if len(names) <= sizing.SEARCH_FROM:
        return []
    target = container or st
    return list(
        target.multiselect(
            f"Alternatives to show ({len(names)} in all; type to search)",
            list(names),
            key=f"focus_{fingerprint}",
            placeholder=f"each chart's best {sizing.TOP_N}, the rest grouped",
            help=f"With many alternatives each chart draws its best {sizing.TOP_N} and groups the rest into one grey "
            "bar (“N others”, as high as the best of them); pick alternatives here to draw exactly those, and "
            "the table shows only them.",
        )
    )


def heatmap_note(count: int, order_label: str) -> str:
    """What the margin heatmap shows of ``count`` alternatives, ordered by ``order_label``."""
    side = sizing.heatmap_side(count)
    cut = (
        f"; the first {side} of the {count} alternatives are drawn, the CSV below holds the whole matrix"
        if side < count
        else ""
    )
    return f"Rows and columns in {md(order_label)} order (best first){cut}."
