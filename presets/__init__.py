"""The failure-case library: scenario files (data, not code) and a small loader.

::

    import presets
    for s in presets.list():                 # teaching order
        print(s.id, s.title, s.page)
    s = presets.load("jackpot_majority")
    for r in presets.evaluate(s):
        print(r.passed, r.text, "| observed:", r.observed_text)
    text = presets.dumps(s)                  # TOML, the format of presets/scenarios/*.toml
    assert presets.loads(text) == s

A scenario holds a population built through the core (:mod:`aggregation`), the settings that
matter for it (sampling distribution, beta, k), a narrative, its source, and *claims*:
machine-checkable statements of the expected outcome, each evaluated through the public core
API (vocabulary in :mod:`presets.claims`). The file format is described in
``presets/README.md``. Imports only :mod:`aggregation`, never Streamlit.
"""

from __future__ import annotations

from aggregation import AggregationError

from .claims import Claim, ClaimResult, evaluate_claims
from .library import TEACHING_ORDER, list_scenarios, load, load_file
from .reader import read_scenario
from .scenario import PAGES, ChoiceSetup, Scenario, Source
from .writer import write_scenario

list = list_scenarios  # noqa: A001 - the contract's name; shadows the builtin inside this module only


def evaluate(scenario: Scenario) -> list[ClaimResult]:
    """Check every claim of ``scenario`` through the core; one result per claim, in order."""
    return evaluate_claims(scenario)


def dumps(scenario: Scenario) -> str:
    """The scenario as TOML text (re-imported by :func:`loads`)."""
    return write_scenario(scenario)


def loads(text: str, name: str = "uploaded scenario") -> Scenario:
    """A scenario from TOML text; errors start with ``name`` and name the field."""
    return read_scenario(text, name)


def custom(
    population,
    *,
    title: str = "My population",
    sampling=None,
    beta: float = 1.0,
    k: int = 4,
    page: str = "rules",
    narrative: str = "",
    summary: str = "A population defined in the dashboard",
    id: str = "custom",
) -> Scenario:  # noqa: A002 - matches the Scenario field
    """A scenario for a user's own population (no source, no claims), ready for :func:`dumps`."""
    return Scenario(
        id=id,
        title=title,
        summary=summary,
        narrative=narrative,
        property="",
        source=Source("", ""),
        constructed=True,
        note="defined by the user",
        population=population,
        sampling=sampling,
        beta=beta,
        k=k,
        page=page,
    )


__all__ = [
    "list",
    "load",
    "load_file",
    "evaluate",
    "dumps",
    "loads",
    "custom",
    "Scenario",
    "Source",
    "ChoiceSetup",
    "Claim",
    "ClaimResult",
    "PAGES",
    "TEACHING_ORDER",
    "AggregationError",
]
