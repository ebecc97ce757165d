"""Input checks shared by the core: names, weights and distributions over alternatives."""

from __future__ import annotations

import math
import re
import reprlib
from collections.abc import Mapping, Sequence, Sized

import numpy as np
import pandas as pd

from . import bounds
from .errors import AggregationError

#: A distribution must sum to one within this tolerance.
SUM_TOLERANCE = 1e-6

#: Largest number of sampled responses (k, l) accepted.
MAX_K = 1000


#: Characters no name may hold: control characters (line breaks among them), the line and paragraph
#: separators, the byte-order mark and lone surrogates. A name prints on one line, survives every file
#: format's line splitting and can be written as UTF-8.
_BAD_NAME_CHARS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff]")
#: The signs of the ranking text syntax (``3: B > R = G  # comment``): a ranked alternative's name
#: cannot hold them, or the population could not be written as text, CSV or a scenario file and read back.
RANKING_SIGNS = (">", "=", "#")


def name(value, what: str, *, signs: Sequence[str] = ()) -> str:
    """One name, stripped: a non-empty string of at most :data:`~aggregation.bounds.MAX_NAME_CHARS`
    characters on one line (see ``_BAD_NAME_CHARS``) and without any of ``signs``."""
    if not isinstance(value, str) or not value.strip():
        raise AggregationError(f"{what}: every name must be a non-empty string, got {_short(value)}")
    value = value.strip()
    bounds.check("MAX_NAME_CHARS", len(value), f"{what}: the name {_short(value)}", found=f"{len(value):,} characters")
    if m := _BAD_NAME_CHARS.search(value):
        raise AggregationError(
            f"{what}: the name {_short(value)} holds the control character "
            f"U+{ord(m.group()):04X}; names must be printable text on one line"
        )
    for sign in signs:
        if sign in value:
            raise AggregationError(
                f"{what}: the name {_short(value)} holds {sign!r}, a sign of the ranking syntax "
                f"({' '.join(signs)} cannot be part of a ranked alternative's name)"
            )
    return value


_SURROGATE = re.compile("[\ud800-\udfff]")


def cell(value, what: str):
    """One cell of a table read from JSON or built by a caller: ``None``, a number (not ``True``) or text
    without lone surrogates (which no table, file or page can hold); anything else is refused."""
    if value is None or (
        isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))
    ):
        return value
    if isinstance(value, str):
        if _SURROGATE.search(value):
            raise AggregationError(f"{what}: {short(value)} holds a lone surrogate character, which is not text")
        return value
    raise AggregationError(f"{what} must be text or a number, got {short(value)}")


def alternative_names(
    names, *, what: str = "alternatives", limit: str = "MAX_ALTERNATIVES", signs: Sequence[str] = ()
) -> list[str]:
    """Check a list of alternative names: non-empty strings (see :func:`name`), no duplicates, at least
    one, at most the limit ``limit`` of :mod:`aggregation.bounds` (checked before the names are read
    when ``names`` has a length)."""
    if isinstance(names, Sized):
        bounds.check(limit, len(names), what)
    out: list[str] = []
    seen: set[str] = set()
    for raw in names:
        value = name(raw, what, signs=signs)
        if value in seen:
            raise AggregationError(f"{what}: duplicate alternative {value!r}")
        seen.add(value)
        out.append(value)
        if len(out) > bounds.LIMITS[limit].value:
            bounds.check(limit, len(out), what, found=f"more than {bounds.LIMITS[limit]}")
    if not out:
        raise AggregationError(f"{what}: there are no alternatives")
    return out


_REPR = reprlib.Repr()
_REPR.maxlevel, _REPR.maxstring, _REPR.maxother = 2, 60, 60
_REPR.maxlist = _REPR.maxtuple = _REPR.maxdict = _REPR.maxset = _REPR.maxfrozenset = _REPR.maxdeque = 4
_REPR.maxlong = 40


def short(value) -> str:
    """``repr(value)`` cut short (a message may echo an input, never all of a large one)."""
    try:
        return _REPR.repr(value)
    except ValueError:  # an integer of more than 4,300 digits has no repr
        return "a whole number of thousands of digits"


_short = short


def as_float(value) -> float:
    """``float(value)`` for a real number, a whole number beyond every float read as +-inf (``float`` raises
    OverflowError on it), so that a finiteness or range check can refuse it with its own message."""
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def positive_weights(weights, n: int, *, what: str = "weights", label=None) -> np.ndarray:
    """Weights as a float array of length ``n``: finite, strictly positive numbers (not ``True``), whose
    total is at most :data:`~aggregation.bounds.MAX_TOTAL_WEIGHT` (two weights of 1e308 would add up
    to infinity, and every share of the voters with them).

    ``label(i)`` names item ``i`` in error messages (default: "ranking i+1").
    """
    label = label or (lambda i: f"ranking {i + 1}")
    if weights is None:
        return np.ones(n)
    if isinstance(weights, (list, tuple)):
        flags = [i for i, w in enumerate(weights) if isinstance(w, (bool, np.bool_))]
        if flags:
            raise AggregationError(
                f"{what}: {label(flags[0])} has weight {weights[flags[0]]!r}; weights must be numbers"
            )
    try:
        arr = np.asarray(weights)
        if arr.dtype == bool:
            raise AggregationError(f"{what} must be numbers, not true / false")
        arr = arr.astype(float).reshape(-1)
    except (TypeError, ValueError, OverflowError) as exc:
        raise AggregationError(f"{what} must be numbers: {exc}") from None
    if arr.shape[0] != n:
        raise AggregationError(f"{what}: got {arr.shape[0]} weights for {n} items")
    bad = np.flatnonzero(~np.isfinite(arr) | (arr <= 0))
    if bad.size:
        i = int(bad[0])
        raise AggregationError(f"{what}: {label(i)} has weight {float(arr[i]):g}; weights must be positive numbers")
    with np.errstate(over="ignore"):
        total = float(arr.sum())
    if not total <= bounds.MAX_TOTAL_WEIGHT:
        shown = f"{total:g}" if np.isfinite(total) else "more than the largest floating-point number (1.8e308)"
        bounds.check("MAX_TOTAL_WEIGHT", total, what, found=f"the weights add up to {shown}")
    return arr


def distribution(
    values, alternatives: Sequence[str], *, what: str = "sampling distribution", allow_zero: bool = True
) -> pd.Series:
    """A probability distribution over ``alternatives`` as a Series; ``None`` means uniform.

    Accepts a mapping or Series keyed by name, or a sequence in the order of ``alternatives``.
    Entries must be finite and non-negative (strictly positive if ``allow_zero`` is false) and
    sum to one within ``SUM_TOLERANCE``; the result is renormalised to sum exactly to one.
    """
    alts = list(alternatives)
    if values is None:
        return pd.Series(np.full(len(alts), 1.0 / len(alts)), index=alts, name=what)
    if isinstance(values, (Mapping, pd.Series)):
        keys = list(values.keys())
        known = set(alts)
        unknown = [k for k in keys if k not in known]
        if unknown:
            raise AggregationError(
                f"{what}: unknown alternative {short(unknown[0])} (known: {', '.join(alts[:20])}"
                f"{', …' if len(alts) > 20 else ''})"
            )
        missing = [a for a in alts if a not in set(keys)]
        if missing:
            raise AggregationError(f"{what}: no probability given for {missing[0]!r}")
        arr = [values[a] for a in alts]
    else:
        if not isinstance(values, (list, tuple, np.ndarray)):
            raise AggregationError(
                f"{what} must be a list of probabilities or a table of them by name, got {short(values)}"
            )
        arr = list(values)
        if len(arr) != len(alts):
            raise AggregationError(f"{what}: got {len(arr)} probabilities for {len(alts)} alternatives")
    wrong = [v for v in arr if isinstance(v, (bool, np.bool_, str, bytes))]
    if wrong:
        raise AggregationError(f"{what}: probabilities must be numbers, got {short(wrong[0])}")
    try:
        p = np.asarray(arr, dtype=float)
    except (TypeError, ValueError, OverflowError):
        raise AggregationError(f"{what}: probabilities must be numbers") from None
    if p.ndim != 1:
        raise AggregationError(f"{what}: probabilities must be numbers, one per alternative")
    for a, v in zip(alts, p):
        if not np.isfinite(v) or v < 0:
            raise AggregationError(f"{what}: probability of {a!r} is {float(v):g}; it must be a number >= 0")
        if not allow_zero and v == 0:
            raise AggregationError(
                f"{what}: {a!r} has probability 0; every alternative needs a positive probability here"
            )
    total = p.sum()
    if abs(total - 1.0) > SUM_TOLERANCE:
        raise AggregationError(f"{what}: probabilities sum to {total:.6g}, not 1")
    return pd.Series(p / total, index=alts, name=what)


def sample_count(k, what: str = "k (the number of sampled responses)") -> int:
    """A number of sampled responses (k or l) as an int between 1 and :data:`MAX_K`; a float that is a
    whole number is accepted, a bool is not."""
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        if isinstance(k, float) and k.is_integer():
            k = int(k)
        else:
            raise AggregationError(f"{what} must be a whole number, got {k!r}")
    k = int(k)
    if not 1 <= k <= MAX_K:
        raise AggregationError(f"{what} must be between 1 and {MAX_K}, got {k}")
    return k
