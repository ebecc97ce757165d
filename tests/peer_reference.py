"""pref_voting's answers on seeded random profiles, for testing the core against the peer (issue 14).

``load()`` returns the parsed ``tests/data/pref_voting_reference.json.gz`` (pure json + gzip; this
module never imports pref_voting). Regenerate the file with ``bench/make_peer_reference.py`` in the
peer environment (see ``bench/README.md``). Layout::

    {"peer": "pref_voting", "version": "1.18.2", "numpy": ..., "seed": ..., "generated_by": ...,
     "general": "<how profiles were given to pref_voting>",
     "conventions": {rule_id: "<pref_voting's tie / truncation / weight handling>"},
     "pref_voting_functions": {rule_id: "<module.function>"},
     "not_in_peer": {rule_id: "<why there is no pref_voting answer>"},
     "truncation_representation_check": {...},
     "profiles": [{"id", "family", "kind" ("linear" | "weak" | "truncated"), "alternatives", "num_voters",
                   "text" ("count: a > b = c" lines, total weak orders),
                   "answers": {rule_id: {"winners": [...], "scores"?: {...}} | {"ranking": [[...], ...]}
                               | {"lottery": {...}} | {"not_applicable": "..."}}}]}

Kemeny / Slater answers also carry ``num_rankings`` and, when there are at most 24, ``rankings``
(every optimal linear order); lotteries may carry a ``note`` with what pref_voting printed or warned.
Read ``conventions[rule_id]`` before comparing: e.g. pref_voting's Copeland scores are (1, 0, -1)
and its Borda scores on weak orders are symmetric (#below - #above).
"""

from __future__ import annotations

import functools
import gzip
import json
from pathlib import Path

PATH = Path(__file__).resolve().parent / "data" / "pref_voting_reference.json.gz"


@functools.lru_cache(maxsize=1)
def _load_cached() -> str:
    with gzip.open(PATH, "rt", encoding="utf-8") as fh:
        return fh.read()


def load() -> dict:
    """The whole reference file as a fresh dict (callers may modify it)."""
    return json.loads(_load_cached())


def answered(data: dict, rule_id: str):
    """``(profile, answer)`` for every profile on which pref_voting answered ``rule_id``."""
    for prof in data["profiles"]:
        ans = prof["answers"].get(rule_id)
        if ans is not None and "not_applicable" not in ans:
            yield prof, ans
