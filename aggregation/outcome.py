"""Who is on top: one tolerance and one function for winners and tie groups.

Every place that says which alternative a rule puts first (a star on a page, a claim's winner, a
property check, a worst-case opponent) reads it here, so that they cannot disagree.

* Two values tie when they differ by at most :func:`tie_tolerance` of their Series:
  ``TIE_RELATIVE * max(1, largest finite |value|)``. For values in [-1, 1] (probabilities, entries
  of P, majority margins, win rates) that is :data:`MARGIN_TOLERANCE` = ``TIE_RELATIVE`` itself.
* :func:`tie_groups` lists the alternatives from best to worst; a group holds the best value not
  yet placed and every value within the tolerance of it (anchored on the group's best, so a group
  never drifts by chaining near-ties); ties are listed in the population's order.
* :func:`winners` is the first group, :func:`lowest` the alternatives within the tolerance of the
  smallest value (a worst-case opponent, say).
* :func:`support`: the alternatives a lottery or policy uses (probability above
  :data:`SUPPORT_THRESHOLD`); :data:`PROBABILITY_TOLERANCE`: two probabilities closer than this are
  equal, a probability below it counts as 0 (the iterative solvers behind MPNE and the robust
  policy are accurate to about 1e-9).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Relative tolerance of ties: values within ``TIE_RELATIVE * max(1, max |value|)`` are tied.
TIE_RELATIVE = 1e-9
#: The tie tolerance of values in [-1, 1] (P, margins M = P - P.T, NBC, probabilities, win rates).
MARGIN_TOLERANCE = TIE_RELATIVE
#: A probability above this counts as used (the support of a lottery or policy).
SUPPORT_THRESHOLD = 1e-9
#: Two probabilities closer than this are equal; a probability below it counts as 0.
PROBABILITY_TOLERANCE = 1e-6


def tie_tolerance(values: pd.Series) -> float:
    """``TIE_RELATIVE * max(1, largest finite |value|)``."""
    v = np.asarray(values, dtype=float)
    finite = v[np.isfinite(v)]
    return TIE_RELATIVE * max(1.0, float(np.abs(finite).max()) if finite.size else 1.0)


def tie_groups(values: pd.Series) -> list[list[str]]:
    """The alternatives (index of ``values``) from the best value to the worst, tied ones grouped
    (see the module docstring); NaN values come last, each on its own."""
    tol = tie_tolerance(values)
    position = {name: i for i, name in enumerate(values.index)}
    ordered = values.astype(float).sort_values(ascending=False, kind="stable")
    groups: list[list] = []
    anchor = None
    for name, value in ordered.items():
        if anchor is not None and (value == anchor or anchor - value <= tol):
            groups[-1].append(name)
        else:
            groups.append([name])
            anchor = value
    return [sorted(g, key=position.__getitem__) for g in groups]


def winners(values: pd.Series) -> list[str]:
    """The alternatives tied for the highest value (population order)."""
    return tie_groups(values)[0]


def lowest(values: pd.Series) -> list[str]:
    """The alternatives tied for the lowest value (population order): within the tolerance of the
    minimum, e.g. every worst-case opponent of a policy."""
    return winners(-values.astype(float))


def support(probabilities: pd.Series) -> list[str]:
    """The alternatives with probability above :data:`SUPPORT_THRESHOLD` (population order)."""
    return [a for a, p in probabilities.items() if p > SUPPORT_THRESHOLD]


def ranking_text(values: pd.Series, fmt=None) -> str:
    """``"R > B = G"`` (or, with ``fmt``, ``"R 7 > B 6 = G 6"``): the tie groups in one line."""

    def item(a):
        return str(a) if fmt is None else f"{a} {fmt(float(values[a]))}"

    return " > ".join(" = ".join(item(a) for a in group) for group in tie_groups(values))
