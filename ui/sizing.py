"""Charts and tables that stay readable from 3 to 200 alternatives (issue 13, "Readable at any size").

Plain functions, no Streamlit, no plotly: :mod:`ui.figures` asks them which alternatives to draw, how to
label them and whether a label fits, so that the rules are tested on their own at 3, 20, 100 and 200
alternatives (``tests/ui/test_sizing.py``).

* **Top-N with the rest grouped**: a bar chart draws at most :data:`TOP_N` alternatives (those the user
  picked, else the best ones by that chart's own score) and one more bar, "32 others", for the rest
  (:func:`pick`).
* **Short labels**: a tick label holds at most :data:`LABEL_CHARS` characters (:func:`short_labels`; unique,
  since plotly merges equal category names); the full name is in the hover.
* **Labels that fit by construction**: a horizontal tick label is used only when its estimated width fits
  its slot on a laptop's plot (:data:`PLOT_PX`); otherwise it is turned upright (:func:`tick_angle`), and the
  slot is never narrower than a line of text because the bars are capped. Value labels on bars only when
  they fit (:func:`values_fit`).
* **Heatmaps**: ordered by a rule's order and capped at :data:`MAX_SIDE` rows and columns
  (:func:`heatmap_side`); the full matrix is a CSV download next to it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

#: Bars a chart draws per group before grouping the rest into "N others".
TOP_N = 12
#: Rows and columns a heatmap draws (ordered; the rest is in the CSV download).
MAX_SIDE = 25
#: Rule panels per row of the small multiples: four on a laptop; two on a phone, whose plot is about
#: :data:`PHONE_PLOT_PX` wide (390-pixel screen, sidebar closed, the page's padding taken off).
PANELS_PER_ROW = 4
PHONE_PANELS_PER_ROW = 2
PHONE_PLOT_PX = 350
#: Characters of a tick label (longer names end in "…"; hover shows the whole name).
LABEL_CHARS = 14
#: Width in pixels of a full-width plot on a 1366-pixel laptop screen with the sidebar open (the smallest
#: laptop the dashboard is designed for; measured: about 890), and the average width of a character relative to the font size.
PLOT_PX = 860
CHAR_EM = 0.6
#: A value label is written on a bar only when the bar's slot is at least this many characters wide.
VALUE_CHARS = 5
#: Rows a table shows before it scrolls (st.dataframe's height in pixels for that many rows).
TABLE_ROWS = 15
ROW_PX = 35
#: Alternatives above which the pages offer a search box to pick which ones to show.
SEARCH_FROM = 15


def others_label(count: int) -> str:
    return f"{count} other" + ("" if count == 1 else "s")


def pick(values: pd.Series, *, chosen: Sequence[str] = (), n: int = TOP_N) -> tuple[list[str], list[str]]:
    """``(shown, rest)``: the alternatives a bar chart of ``values`` (indexed by alternative) draws one by one,
    and those it groups. Nothing is grouped when all fit (``n`` bars, or ``n + 1``: grouping one is no gain).
    ``chosen`` (the user's pick, in their order) wins over the ranking; otherwise the ``n`` highest values,
    ties and NaN in the order of ``values``. ``shown`` keeps the order of ``values``' index."""
    names = list(values.index)
    if chosen:
        keep = set(chosen) & set(names)
    elif len(names) <= n + 1:
        return names, []
    else:
        order = np.argsort(-np.nan_to_num(values.to_numpy(float), nan=-np.inf), kind="stable")
        keep = {names[i] for i in order[:n]}
    shown = [a for a in names if a in keep]
    return shown, [a for a in names if a not in keep]


def short(name: str, limit: int = LABEL_CHARS) -> str:
    name = str(name)
    return name if len(name) <= limit else name[: limit - 1] + "…"


def is_phone(user_agent: str | None) -> bool:
    """Whether the browser says it is a phone: "Mobi" in its User-Agent (the test MDN recommends; tablets and
    desktops, even in a narrow window, get the laptop's layout)."""
    return "Mobi" in str(user_agent or "")


def panel_columns(count: int, phone: bool) -> int:
    """How many rule panels go side by side: :data:`PANELS_PER_ROW`, or :data:`PHONE_PANELS_PER_ROW` on a phone."""
    return max(1, min(count, PHONE_PANELS_PER_ROW if phone else PANELS_PER_ROW))


def fit_chars(width_px: float, font: float) -> int:
    """How many characters of a ``font``-pixel line fit in ``width_px`` pixels (at least 4)."""
    return max(4, int(width_px / (CHAR_EM * font)))


def short_labels(names: Sequence[str], limit: int = LABEL_CHARS) -> list[str]:
    """Each name cut to ``limit`` characters with "…", made unique (a cut that collides gets "…2", "…3")."""
    out, seen = [], set()
    for name in names:
        label = short(name, limit)
        count = 1
        while label in seen:
            count += 1
            tail = f"…{count}"
            label = str(name)[: max(limit - len(tail), 1)] + tail
        seen.add(label)
        out.append(label)
    return out


def text_px(label: str, font: float) -> float:
    """Estimated width in pixels of ``label`` at ``font`` pixels."""
    return len(str(label)) * CHAR_EM * font


def tick_angle(labels: Sequence[str], slot_px: float, font: float) -> int:
    """0 (horizontal) when every label fits its slot, else -90 (upright: it needs a line's height)."""
    widest = max((text_px(label, font) for label in labels), default=0.0)
    return 0 if widest <= 0.9 * slot_px else -90


def label_room(labels: Sequence[str], angle: int, font: float) -> float:
    """Pixels below the axis that the tick labels take (their width when upright, a line otherwise)."""
    if angle == 0:
        return 1.4 * font
    return max((text_px(label, font) for label in labels), default=0.0) + 0.5 * font


def values_fit(bars: int, slot_px: float, font: float) -> bool:
    """Whether a value label (up to :data:`VALUE_CHARS` characters) fits above each of ``bars`` bars."""
    return bars > 0 and slot_px / 1 >= VALUE_CHARS * CHAR_EM * font


def heatmap_side(count: int) -> int:
    return min(count, MAX_SIDE)


def ordered(names: Sequence[str], scores: pd.Series | None) -> list[str]:
    """``names`` best first by ``scores`` (a rule's scores; ties and NaN keep the given order), or as given."""
    if scores is None:
        return list(names)
    values = np.nan_to_num(scores.reindex(names).to_numpy(float), nan=-np.inf)
    return [names[i] for i in np.argsort(-values, kind="stable")]


def table_height(rows: int) -> int | str:
    """``height=`` for st.dataframe: its content up to :data:`TABLE_ROWS` rows, then a scrolling box."""
    return "content" if rows <= TABLE_ROWS else (TABLE_ROWS + 1) * ROW_PX + 3


def search(names: Sequence[str], text: str) -> list[str]:
    """The names containing ``text`` (case-insensitive; every name for an empty text)."""
    needle = str(text).strip().casefold()
    return [n for n in names if needle in str(n).casefold()] if needle else list(names)


#: The grouped "N others" bar's colour (a neutral grey: it is no alternative's colour).
OTHERS_COLOUR = "#BBBBBB"


def tick_font(slot_px: float, font: float, angle: int) -> float:
    """The tick labels' font: ``font``, or smaller when upright labels would be closer than a line apart."""
    return font if angle == 0 else max(8.0, min(font, slot_px / 1.25))


#: A region's label on the ternary map (at most ~10 characters at 17 px on a ~420-pixel triangle) as a box
#: of half-width and half-height in units of the triangle's side, and a marker's radius (size 20) likewise.
TERNARY_LABEL_HALF = (0.10, 0.035)
TERNARY_MARKER_RADIUS = 0.03


def ternary_xy(point: Sequence[float]) -> tuple[float, float]:
    """A point (a, b, c) of the simplex in the plane (side 1): a at the top, b bottom left, c bottom right."""
    a, b, c = (float(v) for v in point)
    return 0.5 * a + c, (3**0.5 / 2) * a


def clearance(label_at: Sequence[float], markers: Sequence[Sequence[float]]) -> float:
    """How far (in triangle sides) a label centred at ``label_at`` stays clear of the nearest marker: negative
    when a marker overlaps the label's box."""
    x, y = ternary_xy(label_at)
    w, h = TERNARY_LABEL_HALF
    r = TERNARY_MARKER_RADIUS
    gaps = [max(abs(x - mx) - w - r, abs(y - my) - h - r) for mx, my in (ternary_xy(m) for m in markers)]
    return min(gaps, default=float("inf"))


def ternary_label_spot(polygon: np.ndarray, markers: Sequence[Sequence[float]]) -> np.ndarray:
    """Where a region's label goes: inside the (convex) region, at the candidate (its centroid, and points
    35 % and 60 % of the way from it to each corner) that stays furthest from every marker, the centroid when
    none is near."""
    centre = polygon.mean(axis=0)
    candidates = [centre] + [centre + t * (v - centre) for v in polygon for t in (0.35, 0.6)]
    best = max(range(len(candidates)), key=lambda i: (min(clearance(candidates[i], markers), 0.05), -i))
    return candidates[best]
