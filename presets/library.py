"""The failure-case library: one TOML file per scenario in ``presets/scenarios/``.

Files are read once per process (scenarios are immutable) and listed in teaching order: first
the ids of :data:`TEACHING_ORDER`, then any other file alphabetically.
"""

from __future__ import annotations

import functools
from pathlib import Path

from aggregation import AggregationError

from .reader import read_scenario
from .scenario import Scenario

SCENARIO_DIR = Path(__file__).resolve().parent / "scenarios"

#: The order a newcomer meets the scenarios in: the classic paradoxes of the Jackpot paper first,
#: then clones and large random populations, then user types with rewards (the heterogeneous-
#: preferences paper), then test-time scaling, then ranked choice.
TEACHING_ORDER = (
    "jackpot_majority",
    "jackpot_cycle",
    "jackpot_iia",
    "clone_plurality",
    "impartial_culture_smith",
    "hetero_bt_mixture",
    "hetero_tyranny",
    "hetero_mediocrity",
    "opinion_scale_groups",
    "hetero_temperature",
    "hetero_sampling",
    "hetero_iia",
    "testtime_nlhf_collapse",
    "testtime_uniform_permutations",
    "testtime_plackett_luce",
    "ranked_choice_mnl_mallows",
)


def load_file(path) -> Scenario:
    """Read one scenario file; its ``id`` must equal the file name (without ``.toml``)."""
    path = Path(path)
    where = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise AggregationError(f"{where}: cannot read the file ({exc})") from None
    scenario = read_scenario(text, where)
    if scenario.id != path.stem:
        raise AggregationError(f"{where}: id is {scenario.id!r} but the file is named {path.name!r}; they must agree")
    return scenario


def display_path(path: Path) -> str:
    """``presets/scenarios/x.toml`` for library files, the path as given otherwise."""
    try:
        return str(path.resolve().relative_to(SCENARIO_DIR.parent.parent))
    except ValueError:
        return str(path)


@functools.cache
def library() -> tuple[Scenario, ...]:
    files = sorted(SCENARIO_DIR.glob("*.toml"))
    scenarios = {f.stem: load_file(f) for f in files}
    rank = {scenario_id: i for i, scenario_id in enumerate(TEACHING_ORDER)}
    ordered = sorted(scenarios, key=lambda sid: (rank.get(sid, len(rank)), sid))
    return tuple(scenarios[sid] for sid in ordered)


def list_scenarios() -> list[Scenario]:
    """Every scenario of the library, in teaching order."""
    return list(library())


def load(scenario_id: str) -> Scenario:
    """The library scenario with this id."""
    for scenario in library():
        if scenario.id == scenario_id:
            return scenario
    known = ", ".join(s.id for s in library())
    raise AggregationError(f"unknown scenario {scenario_id!r} (known: {known})")
