"""How numbers are written on screen: exact fractions where they are exact, else 4 significant digits.

DESIGN.md asks that every number be exact or carry its uncertainty. A profile with whole-number
weights and total weight W has a preference matrix whose entries are multiples of 1/(2W), so
they are written as fractions ("2/5"); everything else is rounded to 4 significant digits on
screen while downloads keep full precision.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pandas as pd

from aggregation import RANKINGS

#: Largest denominator written as a fraction; beyond it a decimal is easier to read.
MAX_DENOMINATOR = 1000


#: Largest magnitude written in full with thousands separators (beyond it, scientific notation).
MAX_PLAIN = 1e15


def decimal(x: float, digits: int = 4) -> str:
    """``x`` with ``digits`` significant digits, no trailing zeros: 0.4, 0.3333, 7, 1e-06; numbers from
    1,000 on are written in full with thousands separators (100,000; 123,457); and a number that is not
    whole is never rounded to a whole number (0.99997 stays 0.99997, not 1: a probability is written as
    1 or 0 only when it is exactly that)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    x = float(x)
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    if x == 0:
        return "0"
    if 1000 <= abs(x) < MAX_PLAIN:
        places = 0 if x.is_integer() else 2
        text = f"{x:,.{places}f}"
        while not x.is_integer() and float(text.replace(",", "")).is_integer() and places < 12:
            places += 1
            text = f"{x:,.{places}f}"
        text = text.rstrip("0").rstrip(".") if "." in text else text
        return "−" + text[1:] if text.startswith("-") else text
    text = f"{x:.{digits}g}"
    while float(text).is_integer() and not x.is_integer() and digits < 17:
        digits += 1
        text = f"{x:.{digits}g}"
    return "−" + text[1:] if text.startswith("-") else text


def exact(x: float, denominator: int | None) -> str:
    """``x`` as a fraction when it is one with a denominator dividing ``denominator`` (within
    1e-12) and that denominator is at most :data:`MAX_DENOMINATOR`; otherwise :func:`decimal`."""
    if denominator is None or x is None or not math.isfinite(x):
        return decimal(x)
    f = Fraction(float(x)).limit_denominator(int(denominator))
    if abs(float(f) - x) > 1e-12 or int(denominator) % f.denominator or f.denominator > MAX_DENOMINATOR:
        return decimal(x)
    sign = "−" if f < 0 else ""
    if f.denominator == 1:
        return f"{sign}{abs(f.numerator)}"
    return f"{sign}{abs(f.numerator)}/{f.denominator}"


def matrix_denominator(model) -> int | None:
    """The denominator that makes ``P`` (and ``P - P.T``) exact for ``model``, if there is one.

    Rankings with whole-number weights and total weight W: ``P = S / W`` with ``2 S`` whole,
    so ``2W`` works. Anything else (reward types, fractional weights, comparison tables) has
    no small exact denominator: ``None``.
    """
    if model.kind != RANKINGS:
        return None
    w = np.asarray(model.weights, dtype=float)
    if not np.all(w == np.round(w)):
        return None
    total = int(round(w.sum()))
    return 2 * total if 2 * total <= MAX_DENOMINATOR else None


def format_matrix(matrix: pd.DataFrame, denominator: int | None) -> pd.DataFrame:
    """A DataFrame of strings, each entry written by :func:`exact`."""
    return matrix.apply(lambda col: col.map(lambda v: exact(float(v), denominator)))


def weight(w: float) -> str:
    """A voter weight: whole numbers without a decimal point, others with up to 6 digits."""
    return f"{int(w):,}" if float(w).is_integer() else decimal(float(w), 6)
