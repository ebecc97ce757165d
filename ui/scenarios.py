"""The scenarios the dashboard can open by id: the home gallery and the ``scenario`` URL parameter.

This is the one seam between the dashboard and the scenario library (``presets``, issue 4):
everything else reads scenarios through :func:`available` and :func:`load`. Phase 1 ships
before that library, so there are no scenarios yet and the default population is the Jackpot
paper's Figure 1 profile (see :mod:`ui.state`). Phase 2 makes these two functions return
``presets.list()`` and ``presets.load(id)``; a scenario then provides the fields the dashboard
reads: ``id``, ``title``, ``summary``, ``property``, ``population``, ``sampling``, ``beta``,
``page`` (see :func:`ui.urls.apply_scenario`).
"""
from __future__ import annotations

from aggregation import AggregationError


def available() -> list:
    """The scenarios to show as cards in the home gallery (none before the scenario library)."""
    return []


def load(scenario_id: str):
    """The scenario named ``scenario_id``; :class:`AggregationError` when there is none."""
    known = {s.id: s for s in available()}
    if scenario_id not in known:
        listing = ", ".join(sorted(known)) or "none yet: the scenario library is not installed"
        raise AggregationError(f"unknown scenario {scenario_id!r} (known scenarios: {listing})")
    return known[scenario_id]
