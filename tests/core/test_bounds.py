"""Bounded inputs (issue 10): one table of limits, checked before memory is allocated, at every entry point.

Each hostile case of the issue gets the package's error naming the limit, the value and where, and costs
less than :data:`MEMORY_CAP` of Python and numpy allocations (``tracemalloc`` peak while it is read; the
input itself is built before the measurement starts). Before the limits, the 57-byte PrefLib file made a
dict of 99,999,999,999 names (the process ran out of memory), the 20,000-alternative header a profile
whose P matrix alone is 3.2 GB, and the 60,000-alternative scenario and the 50,000-name line populations
of 60,000 and 50,000 alternatives.
"""

from __future__ import annotations

import gc
import re
import tracemalloc

import pytest

import presets
from aggregation import (
    LIMITS,
    AggregationError,
    LimitError,
    Profile,
    bounds,
    generate,
    population_from_dict,
    read_comparisons,
    read_population_json,
    read_preflib,
    read_rankings_csv,
    yee_map,
)
from ui import files, generator_panel
from worker.spec import validate_spec

#: "A few MB": what refusing one hostile input may cost at most.
MEMORY_CAP = 4 * 2**20

FIFTY_THOUSAND_NAMES = " > ".join(f"A{i}" for i in range(50_000))
SCENARIO_60000 = """id = "big"
title = "t"
summary = "s"
narrative = "n"
property = "p"
page = "rules"
constructed = true
note = ""

[source]
paper = ""
section = ""

[population]
kind = "generated"
generator = "impartial_culture"
n_voters = 1
alternatives = 60000
"""


def peak(read, data) -> tuple[int, BaseException | None]:
    """The tracemalloc peak (bytes) while ``read(data)`` runs (``data`` is built before), and the
    AggregationError it raised."""
    gc.collect()
    tracemalloc.start()
    tracemalloc.reset_peak()
    error = None
    try:
        read(data)
    except AggregationError as exc:
        error = exc
    finally:
        top = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return top, error


def levels(n: int, m: int) -> dict:
    row = [0] * m
    return {"kind": "rankings", "alternatives": [f"A{i}" for i in range(m)], "levels": [row] * n}


#: name: (the input, built outside the measurement; the reader; the limit; where the message says it is)
HOSTILE = {
    # the four cases, and the weights that overflow
    "PrefLib, 57 bytes, 99,999,999,999 alternatives": (
        lambda: "# DATA TYPE: soc\n# NUMBER ALTERNATIVES: 99999999999\n1: 1\n",
        read_preflib,
        "MAX_ALTERNATIVES",
        "line 2: the header declares 99,999,999,999 alternatives",
    ),
    "PrefLib declaring 20,000 alternatives": (
        lambda: "# DATA TYPE: soc\n# NUMBER ALTERNATIVES: 20000\n1: 1\n",
        read_preflib,
        "MAX_ALTERNATIVES",
        "line 2: the header declares 20,000 alternatives",
    ),
    "TOML scenario generating 60,000 alternatives": (
        lambda: SCENARIO_60000,
        lambda text: presets.loads(text, "big.toml"),
        "MAX_ALTERNATIVES",
        "big.toml: population: alternatives = 60,000",
    ),
    "a 50,000-name line (text)": (
        lambda: "1: " + FIFTY_THOUSAND_NAMES,
        Profile.parse,
        "MAX_ALTERNATIVES",
        "line 1: the ranking 'A0 > A1 > .*: 50,000 names",
    ),
    "a 50,000-name line (CSV upload)": (
        lambda: ("ranking\n" + FIFTY_THOUSAND_NAMES + "\n").encode(),
        lambda data: files.read_population_file("big.csv", data),
        "MAX_ALTERNATIVES",
        "line 2: the ranking .*: 50,000 names",
    ),
    "a 50,000-name line (population file)": (
        lambda: '{"kind": "rankings", "rankings": [{"ranking": "' + FIFTY_THOUSAND_NAMES + '"}]}',
        read_population_json,
        "MAX_ALTERNATIVES",
        r"population.rankings\[0\]: the ranking .*: 50,000 names",
    ),
    "two rankings of weight 1e308": (
        lambda: "1e308: A > B\n1e308: B > A",
        Profile.parse,
        "MAX_TOTAL_WEIGHT",
        "weights: the weights add up to more than the largest floating-point number",
    ),
    # more of the same kind
    "20,000 names in a population file": (
        lambda: {"kind": "rankings", "alternatives": [f"A{i}" for i in range(20_000)], "text": "A0 > A1"},
        population_from_dict,
        "MAX_ALTERNATIVES",
        "population.alternatives: 20,000 alternatives",
    ),
    "a generator asked for 10**12 voters": (
        lambda: 10**12,
        lambda n: generate("impartial_culture", n_voters=n, alternatives=3),
        "MAX_RANKINGS",
        "n_voters = 1000000000000 is too large",
    ),
    "the generator form asked for 60,000 alternatives": (
        lambda: "60000",
        lambda text: generator_panel.parameters("impartial_culture", {"n_voters": 1, "alternatives": text}, 0),
        "MAX_ALTERNATIVES",
        "alternatives: 60000 alternatives",
    ),
    "reward types x alternatives² beyond the limit": (
        lambda: 10_000,
        lambda n: generate("reward_mixture", n_types=n, alternatives=100),
        "MAX_TYPE_CELLS",
        "n_types = 10000 is too large for 100 alternatives",
    ),
    "a ranking matrix beyond the cells limit": (
        lambda: levels(60_000, 1000),
        population_from_dict,
        "MAX_CELLS",
        r"population.levels: 60,000 rankings x 1,000 alternatives",
    ),
    "a 1 MB name": (lambda: "A > " + "B" * 1_000_000, Profile.parse, "MAX_NAME_CHARS", "the name 'BBBB"),
    "2,000,001 lines": (lambda: "\n" * 2_000_001, Profile.parse, "MAX_LINES", "the rankings: 2,000,002 lines"),
    "a comparison table of 1,000,001 rows": (
        lambda: '{"chosen": "a", "rejected": "b"}\n' * 1_000_002,
        lambda text: read_comparisons(text, "jsonl"),
        "MAX_COMPARISONS",
        r"the JSONL file: 1,000,00\d lines \(one comparison each\)",
    ),
    "a CSV header of 1,000 columns": (
        lambda: ",".join(f"c{i}" for i in range(1000)) + "\n",
        read_rankings_csv,
        "MAX_COLUMNS",
        "line 1: the CSV header: 1,000 columns",
    ),
    "a Yee map of 300 x 300 pixels with 2,000 voters each": (
        lambda: 2000,
        lambda n: yee_map({"A": (0, 0), "B": (1, 0)}, "borda", grid=300, voters=n),
        "MAX_YEE_CELLS",
        "300 x 300 pixels with 2000 voters each",
    ),
    "a job prompt of 100,000 characters": (
        lambda: {"method": "dpo", "population": {"kind": "rankings", "text": "A > B\nB > A"}, "prompt": "x" * 100_000},
        validate_spec,
        "MAX_PROMPT_CHARS",
        "prompt has 100,000 characters",
    ),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_each_hostile_input_is_refused_naming_the_limit_within_a_few_mb(case, record_property):
    make, read, limit, where = HOSTILE[case]
    used, error = peak(read, make())
    record_property("peak_bytes", used)
    print(f"{case}: peak {used / 2**20:.2f} MiB")
    assert error is not None, "accepted"
    assert f"aggregation.bounds.{limit}" in str(error), str(error)
    assert f"at most {LIMITS[limit]}" in str(error) or limit == "MAX_PROMPT_CHARS", str(error)
    assert re.search(where, str(error)), str(error)
    assert used < MEMORY_CAP, f"{case}: {used / 2**20:.1f} MiB"


def test_a_limit_error_carries_the_limit_the_value_and_where():
    with pytest.raises(LimitError) as info:
        read_preflib("# DATA TYPE: soc\n# NUMBER ALTERNATIVES: 20000\n1: 1\n")
    error = info.value
    assert (error.limit.name, error.value, error.line) == ("MAX_ALTERNATIVES", 20_000, 2)
    assert str(error) == (
        "line 2: the header declares 20,000 alternatives; at most 1,000 alternatives are accepted "
        "(aggregation.bounds.MAX_ALTERNATIVES)"
    )
    assert isinstance(error, AggregationError)


def test_inputs_at_the_limits_are_accepted():
    """The limits refuse what is beyond them, not what reaches them."""
    names = [f"A{i}" for i in range(bounds.MAX_ALTERNATIVES)]
    assert len(Profile.parse(" > ".join(names)).alternatives) == bounds.MAX_ALTERNATIVES
    assert len(read_preflib("# DATA TYPE: soi\n# NUMBER ALTERNATIVES: 1000\n1: 1\n").alternatives) == 1000
    with pytest.raises(LimitError):
        Profile.parse(" > ".join(names + ["B"]))
    assert Profile.parse("A > " + "B" * bounds.MAX_NAME_CHARS).alternatives[1] == "B" * bounds.MAX_NAME_CHARS
    assert Profile.parse(f"{bounds.MAX_TOTAL_WEIGHT:g}: A > B").total_weight == bounds.MAX_TOTAL_WEIGHT


def test_an_ordinary_large_population_parses_in_a_small_multiple_of_its_size():
    """DESIGN.md's ordinary input, 100,000 rankings over 50 alternatives, as text: the rows are built one
    at a time (before, a list of every ranking's names took 1.25 GB for this 22 MB text; now about 6 times
    the text)."""
    from aggregation import impartial_culture

    text = impartial_culture(2_000, 50, seed=1).to_text()  # a fiftieth of it (tracemalloc slows every allocation)
    used, error = peak(Profile.parse, text)
    assert error is None
    assert used < 8 * len(text), f"{used / 2**20:.1f} MiB for {len(text) / 2**20:.1f} MiB of text"


def test_the_table_of_limits():
    """One table, each limit once, under the name of its constant; the upload limit is the server's."""
    assert list(LIMITS) == [name for name in vars(bounds) if name.startswith("MAX_") and name in LIMITS]
    for name, limit in LIMITS.items():
        assert getattr(bounds, name) == limit.value and limit.name == name
    assert files.MAX_UPLOAD_MB == bounds.MAX_FILE_MB
    assert bounds.MAX_TEXT_CHARS == bounds.MAX_FILE_MB * 2**20
