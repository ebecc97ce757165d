"""Every property behind one call, and the one place a property is described.

Each family module (``majoritarian``, ``independence``, ``symmetry``, ``electorate``,
``responsiveness``, ``strategic``) lists its properties in ``ENTRIES`` next to their checks;
:data:`PROPERTIES` gathers them in the order of :data:`~.base.FAMILIES` (then module order). The
Properties page's grid, its definitions, the paradox search and its precomputed table are all
derived from :data:`PROPERTIES`: adding a property is writing its check and one entry.
"""

from __future__ import annotations

import pandas as pd

from ..errors import AggregationError
from . import electorate, independence, majoritarian, responsiveness, strategic, symmetry
from .base import FAMILIES, Property

#: The family modules whose ``ENTRIES`` make up the registry.
_FAMILY_MODULES = (majoritarian, independence, symmetry, electorate, responsiveness, strategic)


def _gather() -> list[Property]:
    entries = [p for module in _FAMILY_MODULES for p in module.ENTRIES]
    ids = [p.id for p in entries]
    duplicated = sorted({i for i in ids if ids.count(i) > 1})
    if duplicated:
        raise AggregationError(f"property ids registered twice: {', '.join(duplicated)}")
    return sorted(entries, key=lambda p: FAMILIES.index(p.family))


#: Every property by id, in display order.
PROPERTIES: dict[str, Property] = {p.id: p for p in _gather()}


def get_property(prop) -> Property:
    """A :class:`Property` from itself or its id."""
    if isinstance(prop, Property):
        return prop
    try:
        return PROPERTIES[prop]
    except (KeyError, TypeError):
        raise AggregationError(f"unknown property {prop!r} (known: {', '.join(PROPERTIES)})") from None


def properties_table() -> pd.DataFrame:
    """One row per property: name, family, both definitions, sources, what the check explores, which
    populations it reads."""
    rows = [
        {
            "id": p.id,
            "name": p.name,
            "short": p.short,
            "family": p.family,
            "winner version": p.winner_version,
            "probabilistic version": p.probabilistic_version,
            "source": p.source,
            "probabilistic source": p.probabilistic_source,
            "explores": p.searched,
            "populations": ", ".join(p.needs),
        }
        for p in PROPERTIES.values()
    ]
    return pd.DataFrame(rows).set_index("id")
