"""Every colour a chart gives a rule, a policy, a model or an alternative: one assignment, used by every
figure builder, so that a rule has the same colour on every page (issue 13, item 3).

* **Rules and policies**, keyed by the registry's rule id (:data:`aggregation.RULES`): the policies that
  charts compare side by side (RLHF / DPO, NBC, the maximal lottery, the average-reward policy, MPNE_k,
  the robust policy, the uniform baseline) get the Okabe–Ito colours (Okabe and Ito 2008, "Color Universal
  Design"), told apart under the common colour-vision deficiencies; every other rule of the registry gets
  a colour of Paul Tol's colour-blind-safe "muted" scheme, in registry order.
* **Series labels** as the core and the pages name them ("NLHF (maximal lottery)", "MPNE_k", "NBC under
  D", ...) map to their rule (:data:`SERIES_RULES`); a variant of the same rule under the uniform sampling
  distribution keeps the rule's colour and is hatched (:func:`series_style`). Series that are no rule
  (the sampling distribution D, the choice models of the Ranked choice page) have their own colours.
* **Alternatives**: :func:`alternative_colours` (named after a colour when every name is one: R, G, B).
"""

from __future__ import annotations

import itertools
import zlib
from collections.abc import Sequence

from aggregation import RULES, TRAINING_METHODS

#: Okabe–Ito: blue, orange, bluish green, reddish purple, sky blue, vermillion, yellow, black.
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
#: Paul Tol's "muted" scheme (colour-blind safe), for the rules beyond the ones compared side by side.
TOL_MUTED = ["#332288", "#88CCEE", "#44AA99", "#117733", "#999933", "#DDCC77", "#CC6677", "#882255", "#AA4499"]
#: The uniform baseline: a neutral grey.
BASELINE = "#999999"
PALETTE = OKABE_ITO

#: The policies that charts compare side by side, each with an Okabe–Ito colour of its own.
_FIXED = {
    "rlhf": "#E69F00",  # orange
    "maximal_lottery": "#0072B2",  # blue
    "average_reward": "#009E73",  # bluish green
    "mpne": "#CC79A7",  # reddish purple
    "robust": "#D55E00",  # vermillion
    "nbc": "#56B4E9",  # sky blue
    "uniform": BASELINE,
}


def _rule_colours() -> dict[str, str]:
    others = itertools.cycle(TOL_MUTED)
    return {rule_id: _FIXED.get(rule_id) or next(others) for rule_id in RULES}


#: One colour per rule id of the registry.
RULE_COLOURS: dict[str, str] = _rule_colours()

#: Series labels used by the core and the pages, and the rule each one shows.
SERIES_RULES = {
    "RLHF / DPO (Borda-like)": "rlhf",
    "RLHF / DPO policy under D": "rlhf",
    "RLHF / DPO policy, uniform D": "rlhf",
    "NLHF (maximal lottery)": "maximal_lottery",
    "NLHF": "maximal_lottery",
    "average reward": "average_reward",
    "average-reward policy": "average_reward",
    "MPNE_k": "mpne",
    "robust policy_k": "robust",
    "uniform": "uniform",
    "NBC under D": "nbc",
    "NBC, uniform D": "nbc",
}
#: Series that are no rule, with their own colours (none is a rule's colour of :data:`_FIXED`).
OTHER_SERIES = {
    "D": "#F0E442",  # the sampling distribution: yellow
    "MNL": "#332288",  # the Ranked choice page's choice models
    "Mallows-RMJ": "#117733",
    "this population": "#000000",
}
#: Series drawn hatched: the same rule as another series of the chart, under the uniform D.
_HATCHED = {"RLHF / DPO policy, uniform D", "NBC, uniform D"}


def rule_colour(rule_id: str) -> str:
    """The colour of a rule of the registry (``KeyError`` for an id the registry does not have)."""
    return RULE_COLOURS[rule_id]


def series_colour(label: str) -> str:
    """The colour of a chart's series: its rule's (:data:`SERIES_RULES`, or a rule id or a rule's registry
    name), else :data:`OTHER_SERIES`; ``MPNE_3`` and the like are MPNE_k. A label none of these knows gets a
    colour of Tol's scheme chosen by its text (stable across pages and runs); add a new series here so that it
    gets the colour of its rule."""
    if label in OTHER_SERIES:
        return OTHER_SERIES[label]
    rule_id = SERIES_RULES.get(label) or (label if label in RULES else None) or _BY_NAME.get(label)
    if rule_id is None and label.startswith("MPNE_"):
        rule_id = "mpne"
    if rule_id is None:
        return TOL_MUTED[zlib.crc32(str(label).encode("utf-8")) % len(TOL_MUTED)]
    return RULE_COLOURS[rule_id]


def series_style(label: str) -> tuple[str, str]:
    """``(colour, pattern)`` of a bar series: the pattern is ``"/"`` for the uniform-D variant of a rule
    shown next to the same rule under D, else ``""``."""
    return series_colour(label), "/" if label in _HATCHED else ""


_BY_NAME = {rule.name: rule_id for rule_id, rule in RULES.items()}

#: One colour per training method (:data:`aggregation.TRAINING_METHODS`), for charts of trained policies:
#: Tol's muted scheme in the registry's order (a trained policy is drawn apart from its theory's rule).
METHOD_COLOURS: dict[str, str] = dict(zip(TRAINING_METHODS, itertools.cycle(TOL_MUTED)))


def method_colour(method_id: str) -> str | None:
    """The colour of a training method (``None`` for an id that is not one: an experiment's own arm)."""
    return METHOD_COLOURS.get(method_id)


#: Alternatives named after a colour (the Jackpot examples use R, G, B) are drawn in that colour.
NAMED_COLOURS = {
    "r": "#D55E00",
    "red": "#D55E00",
    "g": "#009E73",
    "green": "#009E73",
    "b": "#0072B2",
    "blue": "#0072B2",
    "y": "#E6B800",
    "yellow": "#E6B800",
    "o": "#E69F00",
    "orange": "#E69F00",
    "p": "#CC79A7",
    "purple": "#8E5BA8",
    "pink": "#CC79A7",
}


def alternative_colours(names: Sequence[str]) -> dict[str, str]:
    """A stable colour per alternative: its own colour when *every* name is a distinct colour's name
    (the Jackpot examples use R, G, B), else the palette in order (repeating past eight)."""
    named = {n: NAMED_COLOURS.get(str(n).strip().lower()) for n in names}
    colours = list(named.values())
    if None in colours or len(set(colours)) != len(colours):
        named = {n: None for n in names}  # generic names, or two names for one colour: the palette
    free = itertools.cycle([c for c in PALETTE if c not in named.values()] or PALETTE)
    return {n: named[n] or next(free) for n in names}
