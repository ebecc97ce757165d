"""What the rules that read whole rankings see of the voters: one weighted profile of weak orders.

The positional scoring rules beyond Borda and plurality (anti-plurality, Dowdall, Bucklin, custom
points) and the elimination rules (instant runoff, Coombs, Benham, ...) read each voter's ranking:
its positions, and its first and last places among the alternatives still in the race.

* **Rankings** are read as they are. A tie group is read as the uniform mixture of its orderings
  (*random tie-breaking in expectation*): the j alternatives of a group that occupies positions
  ``p, ..., p + j - 1`` each hold every one of those positions with probability ``1/j``. This is the
  convention of the core's Borda (tied alternatives share the average of their positions) and
  plurality (a tie at the top splits the voter's weight), extended to every position; a truncated
  ballot is a weak order whose unranked alternatives share its last places.
* **User types** are read as their annotators' rankings under Plackett-Luce (DESIGN.md, "Reward
  populations"): :meth:`~aggregation.populations.user_types.RewardPopulation.plackett_luce_profile`
  lists every strict ranking with its exact probability, up to
  :data:`~aggregation.populations.user_types.PLACKETT_LUCE_PROFILE_MAX` alternatives; beyond that the
  rules refuse user types (:func:`ballots_refusal`, the rules' ``limit``) rather than approximate.
* **Comparison tables and preference matrices** do not record rankings: the rules that need them say
  so (``Rule.needs = VOTERS``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import AggregationError
from ..outcome import TIE_RELATIVE
from ..populations.base import RANKINGS, USER_TYPES, Population
from ..populations.matrix import as_population
from ..populations.profile import Profile
from ..populations.user_types import PLACKETT_LUCE_PROFILE_MAX


def ballots(population: Population) -> Profile:
    """The weighted weak orders a ranking-based rule reads (see the module docstring); refused, with
    the reason, for populations that record no rankings or user types beyond the exact limit."""
    population = as_population(population)
    if population.kind == RANKINGS:
        return population
    if population.kind == USER_TYPES:
        return population.plackett_luce_profile()
    raise AggregationError(
        "this rule reads each voter's whole ranking, so it needs rankings or user types, not only pairwise comparisons"
    )


def ballots_refusal(population: Population, params=None) -> str | None:
    """The ``limit`` of the rules that read whole rankings: user types over more than
    :data:`PLACKETT_LUCE_PROFILE_MAX` alternatives are refused (their exact ranking distribution has m!
    rankings); None otherwise."""
    m = len(population.alternatives)
    if population.kind == USER_TYPES and m > PLACKETT_LUCE_PROFILE_MAX:
        return (
            f"for user types it reads the exact Plackett-Luce distribution over all {m}! rankings, which is "
            f"computed only up to {PLACKETT_LUCE_PROFILE_MAX} alternatives; this population has {m}"
        )
    return None


def ordinal(p: int) -> str:
    """``1st``, ``2nd``, ``3rd``, ``4th``, ..., ``11th``, ``21st``."""
    suffix = "th" if 10 <= p % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(p % 10, "th")
    return f"{p}{suffix}"


def tolerance(values) -> float:
    """The tie tolerance of tallies (``outcome``'s relative tolerance): values this close are tied."""
    v = np.asarray(values, dtype=float)
    finite = v[np.isfinite(v)]
    return TIE_RELATIVE * max(1.0, float(np.abs(finite).max()) if finite.size else 1.0)


def more_than_half(tally: np.ndarray, total: float) -> np.ndarray:
    """Which tallies exceed half of ``total`` by more than the tie tolerance (a strict majority)."""
    return np.asarray(tally, dtype=float) > total / 2.0 + tolerance([total])


def number_text(x: float) -> str:
    """A number in a trace: whole numbers without decimals, others with up to 6 significant digits."""
    x = float(x)
    return str(int(round(x))) if abs(x - round(x)) <= 1e-9 * max(1.0, abs(x)) else f"{x:.6g}"


def names_text(names) -> str:
    """``"A"``, ``"A and B"``, ``"A, B and C"``."""
    names = [str(n) for n in names]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def top_names(values: pd.Series) -> list[str]:
    """The alternatives tied (within the tie tolerance) for the largest value, in index order."""
    v = values.to_numpy(float)
    return [a for a, x in zip(values.index, v) if x >= v.max() - tolerance(v)]
