"""Input checks shared by the core: names, weights and distributions over alternatives."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from .errors import AggregationError

#: A distribution must sum to one within this tolerance.
SUM_TOLERANCE = 1e-6

#: Largest number of sampled responses (k, l) accepted.
MAX_K = 1000


def alternative_names(names, *, what: str = "alternatives") -> list[str]:
    """Check a list of alternative names: non-empty strings, no duplicates, at least one."""
    out: list[str] = []
    seen: set[str] = set()
    for name in names:
        if not isinstance(name, str) or not name.strip():
            raise AggregationError(f"{what}: every name must be a non-empty string, got {name!r}")
        name = name.strip()
        if name in seen:
            raise AggregationError(f"{what}: duplicate alternative {name!r}")
        seen.add(name)
        out.append(name)
    if not out:
        raise AggregationError(f"{what}: there are no alternatives")
    return out


def positive_weights(weights, n: int, *, what: str = "weights", label=None) -> np.ndarray:
    """Weights as a float array of length ``n``: finite and strictly positive.

    ``label(i)`` names item ``i`` in error messages (default: "ranking i+1").
    """
    label = label or (lambda i: f"ranking {i + 1}")
    if weights is None:
        return np.ones(n)
    try:
        arr = np.asarray(weights, dtype=float).reshape(-1)
    except (TypeError, ValueError) as exc:
        raise AggregationError(f"{what} must be numbers: {exc}") from None
    if arr.shape[0] != n:
        raise AggregationError(f"{what}: got {arr.shape[0]} weights for {n} items")
    bad = np.flatnonzero(~np.isfinite(arr) | (arr <= 0))
    if bad.size:
        i = int(bad[0])
        raise AggregationError(f"{what}: {label(i)} has weight {float(arr[i]):g}; weights must be positive numbers")
    return arr


def distribution(values, alternatives: Sequence[str], *, what: str = "sampling distribution",
                 allow_zero: bool = True) -> pd.Series:
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
        unknown = [k for k in keys if k not in set(alts)]
        if unknown:
            raise AggregationError(f"{what}: unknown alternative {unknown[0]!r} (known: {', '.join(alts)})")
        missing = [a for a in alts if a not in set(keys)]
        if missing:
            raise AggregationError(f"{what}: no probability given for {missing[0]!r}")
        arr = [values[a] for a in alts]
    else:
        arr = list(values)
        if len(arr) != len(alts):
            raise AggregationError(f"{what}: got {len(arr)} probabilities for {len(alts)} alternatives")
    try:
        p = np.asarray(arr, dtype=float)
    except (TypeError, ValueError):
        raise AggregationError(f"{what}: probabilities must be numbers") from None
    for a, v in zip(alts, p):
        if not np.isfinite(v) or v < 0:
            raise AggregationError(f"{what}: probability of {a!r} is {float(v):g}; it must be a number >= 0")
        if not allow_zero and v == 0:
            raise AggregationError(f"{what}: {a!r} has probability 0; every alternative needs a positive probability here")
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
