"""Claims: machine-checkable statements of a scenario's expected outcome, written as data.

A claim is a TOML table with a ``kind`` and the fields that kind needs, e.g.::

    [[claims]]
    kind = "winner"          # "Borda winner is R"
    rule = "borda"
    equals = "R"

Each kind is one class, with its fields, its sentence (:attr:`Claim.text`) and its evaluation
through the public core API together; defining the class registers it in :data:`KINDS`:

* :mod:`.outcomes`: ``winner``, ``ranking``, ``order``, ``score``, ``probability``, ``support_size``;
* :mod:`.majority`: ``condorcet_winner``, ``majority_winner``, ``smith_set``, ``smith_set_size``,
  ``maximal_lottery_unique``;
* :mod:`.testtime`: ``kwin_rate``, ``robust_rate``;
* :mod:`.choice`: ``choice_probability``;
* :mod:`.misfit`: ``bt_misfit``, ``cycle_product``;
* :mod:`.base`: the :class:`Claim` base class, the field checkers, the NUMBER comparators
  (:class:`NumberClaim`) and the scenario :class:`Variant` a claim is evaluated in.

The vocabulary with an example sentence per kind is ``presets/README.md`` (a test checks that it
lists exactly :data:`KINDS`, their fields and the registry's rule ids). Rules are named by their
registry id (:data:`aggregation.RULES`), policies by the id of a registry rule whose output is a
lottery or a policy (:data:`POLICIES`) or written out (``{ y1 = 1, y2 = 0 }``); a rule's words in a
sentence are its registry label. Winners, ties and supports are decided by
:mod:`aggregation.outcome`, as on every page.

Optional on every kind but ``choice_probability``, a variant of the scenario to evaluate the claim
in: ``restrict_to`` (a list of alternatives: the same voters over fewer alternatives, for IIA),
``temperature`` (user types only), ``sampling`` (a distribution D), ``beta`` and ``k``.

When the core refuses a computation (an ``AggregationError``: say, a game too large to solve
exactly), the claim is reported as failed with the core's message, and the other claims are still
checked.

Adding a kind: one subclass of :class:`Claim` (or :class:`NumberClaim`) in the module of its
family, with ``kind``, ``schema``, ``render`` and ``observe``, and its row in ``presets/README.md``.
"""

from __future__ import annotations

# The kind modules register their classes on import; this order is the order of KINDS (and of the
# kinds an error message lists).
# isort: off
from . import outcomes, majority, testtime, choice, misfit  # noqa: F401

# isort: on
from .base import (
    COMPARATORS,
    DEFAULT_TOLERANCE,
    KINDS,
    MODIFIERS,
    POLICIES,
    Claim,
    ClaimResult,
    Context,
    NumberClaim,
    Variant,
    evaluate_claims,
)

__all__ = [
    "Claim",
    "NumberClaim",
    "ClaimResult",
    "Context",
    "Variant",
    "KINDS",
    "POLICIES",
    "COMPARATORS",
    "MODIFIERS",
    "DEFAULT_TOLERANCE",
    "evaluate_claims",
]
