"""The scenarios the dashboard can open by id: the home gallery and the ``scenario`` URL parameter.

The one seam between the dashboard and the failure-case library (:mod:`presets`): everything
else reads scenarios through :func:`available` and :func:`load`. A scenario provides the fields
the dashboard reads: ``id``, ``title``, ``summary``, ``narrative``, ``property``, ``source``,
``constructed`` and ``note``, ``population``, ``sampling``, ``beta``, ``k``, ``page``, ``claims``
and ``choice`` (see :func:`ui.urls.apply_scenario`).
"""

from __future__ import annotations

import presets
from aggregation import AggregationError

from .page_index import PageSpec, page

#: Dashboard URL path of each ``Scenario.page`` (they coincide; kept explicit so that a renamed
#: page fails here, at import, rather than on a card).
PAGE_PATHS = {
    "rules": "rules",
    "sampling": "sampling",
    "testtime": "testtime",
    "properties": "properties",
    "ranked-choice": "ranked-choice",
}


def available() -> list:
    """The scenarios shown as cards in the home gallery, in teaching order."""
    return presets.list()


def load(scenario_id: str):
    """The scenario named ``scenario_id``; :class:`AggregationError` when there is none."""
    return presets.load(scenario_id)


def page_of(scenario) -> PageSpec:
    """The :class:`~ui.page_index.PageSpec` of the page that shows the scenario best."""
    return page(PAGE_PATHS[scenario.page])


def short_source(scenario) -> str:
    """``Authors Year, section`` for a card: the paper's short citation and the section."""
    entry = scenario.source.entry
    return ", ".join(part for part in (entry.short if entry else "", scenario.source.section.strip()) if part)


def is_library_scenario(scenario) -> bool:
    """Whether ``scenario`` is exactly the library's scenario of the same id (a link can name it)."""
    try:
        return load(scenario.id) == scenario
    except AggregationError:
        return False
