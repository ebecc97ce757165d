"""What an accepted population must survive: a finite preference matrix, and export then re-import in every
format the dashboard offers for it (``ui.files.exports``: population file, CSV, text, PrefLib, comparison
tables) and, for voters with whole orders, as a scenario file (TOML), giving back the same population.

"The same" is the content, not the layout: the same alternatives (in any order, since a CSV lists them in
order of first appearance), the same rankings with the same total weight each (identical rankings merged),
the same user types with the same weights and rewards, the same comparisons.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

import presets
from aggregation import COMPARISONS, MATRIX, RANKINGS, USER_TYPES
from ui import files


def content(population):
    """A canonical, comparable description of a population."""
    alternatives = frozenset(population.alternatives)
    if population.kind == RANKINGS:
        compact = population.compressed()
        rankings = {
            tuple(tuple(sorted(group)) for group in compact.ranking(i)): float(w) for i, w in enumerate(compact.weights)
        }
        return RANKINGS, alternatives, rankings
    if population.kind == USER_TYPES:
        rewards = population.rewards
        types = {
            t: (float(w), tuple(float(rewards.at[t, a]) for a in sorted(population.alternatives)))
            for t, w in population.weights.items()
        }
        return USER_TYPES, alternatives, types, population.temperature
    if population.kind == COMPARISONS:
        table = population.table
        return COMPARISONS, alternatives, Counter(zip(table["chosen"], table["rejected"]))
    P = population.preference_matrix()
    order = sorted(population.alternatives)
    return MATRIX, alternatives, tuple(map(tuple, P.loc[order, order].to_numpy().tolist()))


def check(population) -> int:
    """Assert the round trips; the number of formats checked."""
    P = population.preference_matrix().to_numpy(float)
    assert np.isfinite(P).all(), "the preference matrix is not finite"
    assert np.allclose(P + P.T, 1.0), "P + P.T is not 1"
    expected = content(population)
    exported, _notes = files.exports(population)
    for export in exported:
        text = export.make()
        again, _what = files.read_population_file(export.file_name, text.encode("utf-8"))
        assert content(again) == expected, f"{export.file_name} does not re-import to the same population"
    checked = len(exported)
    if population.has_full_rankings:
        text = presets.dumps(presets.custom(population))
        assert content(presets.loads(text).population) == expected, "the scenario file does not re-import"
        checked += 1
    return checked
