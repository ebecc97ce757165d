"""The crash classes of issue 10, each as a named regression test: an input that once escaped a reader as
something other than the package's error (or was silently misread) now gets a message, or is read right.

The first group was listed in the issue; the second was found while fuzzing this suite (``test_fuzz_readers``)
and probing the link parameters. Before the fix, each input below raised the exception named in its test's
docstring (or returned the wrong population).
"""

from __future__ import annotations

import functools
import json

import numpy as np
import pandas as pd
import pytest

import presets
from aggregation import (
    AggregationError,
    LimitError,
    Profile,
    RewardPopulation,
    generate,
    population_from_dict,
    read_comparisons,
    read_population_json,
    read_preflib,
    read_rankings_csv,
)
from aggregation.formats import to_csv
from ui import files, generator_panel, urls
from worker.spec import JobSpecError, validate_spec

from . import roundtrip

SOC = "# DATA TYPE: soc\n# NUMBER ALTERNATIVES: 2\n"


def refused(call, message: str, error=AggregationError):
    with pytest.raises(error, match=message):
        call()


# ---------------------------------------------------------------------------- listed in the issue
@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: Profile.parse("A\ud800 > B"), r"character 2 is a lone surrogate \(U\+D800\)"),
        (lambda: read_comparisons('{"chosen": "\\ud800", "rejected": "b"}', "jsonl"), "lone surrogate"),
        (
            lambda: read_population_json(
                '{"kind": "comparisons", "comparisons": [{"chosen": "a", "rejected": "b", "voter": "\\udc00"}]}'
            ),
            r"comparisons\[0\]\.voter: .* lone surrogate",
        ),
        (
            lambda: population_from_dict({"kind": "rankings", "alternatives": ["A\udfff", "B"], "text": "A > B"}),
            "control character U\\+DFFF",
        ),
        # pandas stores text in Arrow strings once pyarrow is installed (it is, for the comparison logs): a lone
        # surrogate reaching a DataFrame raised UnicodeEncodeError (found by the fuzz suite)
        (
            lambda: population_from_dict(
                {"kind": "rewards", "types": [{"name": "\ud800", "rewards": {"A": 0, "B": 1}}]}
            ),
            r"types\[0\]\.name: .* lone surrogate",
        ),
        (
            lambda: population_from_dict(
                {"kind": "rewards", "types": [{"name": "u", "rewards": {"\ud800": 0, "B": 1}}]}
            ),
            r"types\[0\]\.rewards: the alternative: .* lone surrogate",
        ),
        (
            lambda: population_from_dict(
                {
                    "kind": "comparisons",
                    "counts": {
                        "first": ["\ud800"],
                        "second": ["B"],
                        "first_wins": [1],
                        "second_wins": [0],
                        "ties": [0],
                    },
                }
            ),
            r"counts\.first\[0\]: .* lone surrogate",
        ),
    ],
)
def test_surrogate_characters(call, message):
    """UnicodeEncodeError (fingerprints, pyarrow strings) before."""
    refused(call, message)


@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda: read_population_json(
                '{"kind": "rankings", "rankings": [{"ranking": "A > B", "weight": ' + "1" * 5000 + "}]}"
            ),
            "not valid JSON .*4300 digits",
        ),
        (lambda: presets.loads('id = "x"\nk = ' + "9" * 5000), "not a valid TOML file: .*4300 digits"),
        (lambda: read_preflib(SOC + "9" * 5000 + ": 1,2\n"), "line 3: a count of 5,000 digits.*MAX_TOTAL_WEIGHT"),
        (
            lambda: read_preflib("# DATA TYPE: soc\n# NUMBER ALTERNATIVES: " + "9" * 5000 + "\n1: 1\n"),
            "line 2: the header declares a number of 5,000 digits alternatives.*MAX_ALTERNATIVES",
        ),
        (
            lambda: population_from_dict({"kind": "rankings", "rankings": [{"ranking": "A > B", "weight": 10**5000}]}),
            "weights must be numbers",
        ),
        (
            lambda: population_from_dict({"kind": "rewards", "types": [{"name": 10**5000, "rewards": {"A": 1}}]}),
            r"types\[0\]\.name: the number .* is too long to be a name",
        ),
        (lambda: generate("impartial_culture", n_voters=10**5000, alternatives=3), "n_voters = a number of .* digits"),
    ],
)
def test_5000_digit_integers(call, message):
    """ValueError (int to str beyond 4,300 digits) or OverflowError (int to float) before."""
    refused(call, message)


def test_deep_nesting():
    """RecursionError from json, tomllib and json.dumps (job specs) before."""
    refused(lambda: read_population_json("[" * 100_000), "nested too deeply")
    refused(lambda: presets.loads("x = " + "[" * 5000 + "]" * 5000), "nested too deeply")
    nested = functools.reduce(lambda inner, _: [inner], range(5000), [])
    refused(
        lambda: validate_spec({"method": "dpo", "population": {}, "name": nested}), "nested too deeply", JobSpecError
    )
    refused(lambda: read_comparisons("[" * 100_000, "jsonl"), "line 1: the JSON is nested too deeply")


def test_cr_only_line_endings():
    """Every reader splits lines the same way, lone CR included (PrefLib's parser split only on LF)."""
    assert Profile.parse("2: A > B\r3: B > A").weights.tolist() == [2, 3]
    assert read_preflib(SOC + "1: 1,2\r2: 2,1\r".replace("\n", "\r")).weights.tolist() == [1, 2]
    assert read_comparisons('{"chosen": "a", "rejected": "b"}\r{"chosen": "b", "rejected": "a"}', "jsonl").n_rows == 2
    assert read_rankings_csv("ranking,weight\rA > B,2\rB > A,1\r").weights.tolist() == [2, 1]


def test_mixed_jsonl_rows():
    """A list or an object where a name belongs became a name such as "['a']"; now the line is named."""
    refused(
        lambda: read_comparisons('{"chosen": "a", "rejected": "b"}\n{"chosen": ["a"], "rejected": "b"}', "jsonl"),
        r"line 2: chosen must be text or a number, got \['a'\]",
    )
    refused(
        lambda: read_comparisons('{"chosen": "a", "rejected": "b", "prompt": {"x": 1}}', "jsonl"),
        "line 1: prompt must be text or a number",
    )
    refused(
        lambda: read_comparisons('{"chosen": "a", "rejected": "b"}\n[1, 2]\n', "jsonl"),
        "line 2: each line must be a JSON object",
    )
    mixed = read_comparisons('{"chosen": "a", "rejected": "b", "voter": "x"}\n{"chosen": 1, "rejected": "a"}', "jsonl")
    assert mixed.alternatives == ["1", "a", "b"] and roundtrip.check(mixed) == 3


def test_duplicate_reward_names():
    """Two rewards for one alternative (or two types of one name) are refused, not silently merged."""
    refused(
        lambda: RewardPopulation(pd.DataFrame([[1.0, 2.0]], index=["t"], columns=["A", "A"])),
        "duplicate alternative 'A'",
    )
    refused(
        lambda: RewardPopulation(pd.DataFrame([[1.0], [2.0]], index=["t", "t"], columns=["A"])),
        "duplicate user type 't'",
    )
    refused(
        lambda: population_from_dict({"kind": "rewards", "types": [{"name": "t", "rewards": {"A": 1, "A ": 2}}]}),
        "duplicate alternative 'A'",
    )
    refused(
        lambda: population_from_dict(
            {"kind": "rewards", "alternatives": [["A"]], "types": [{"name": "t", "rewards": {"A": 1}}]}
        ),
        r"population.alternatives: every name must be a non-empty string",
    )


@pytest.mark.parametrize(
    "d, message",
    [
        ({"kind": "rewards", "types": [{"name": "t", "rewards": {"A": True, "B": 0}}]}, r"rewards\.A must be a number"),
        (
            {"kind": "rewards", "temperature": True, "types": [{"name": "t", "rewards": {"A": 1, "B": 0}}]},
            "temperature must be a number, got True",
        ),
        (
            {"kind": "matrix", "alternatives": ["A", "B"], "matrix": [[0.5, True], [0, 0.5]]},
            r"matrix\[0\]\[1\] must be a number, got True",
        ),
        ({"kind": "rankings", "rankings": [{"ranking": "A > B", "weight": True}]}, "weight must be a int or float"),
        ({"kind": "rankings", "alternatives": ["A", "B"], "levels": [[0, 1]], "weights": [True]}, "weights"),
    ],
)
def test_true_as_a_number(d, message):
    """True was read as 1 (a reward, a temperature, a probability, a weight)."""
    refused(lambda: population_from_dict(d), message)
    refused(lambda: generate("impartial_culture", n_voters=True, alternatives=3), "n_voters must be a whole number")
    refused(lambda: urls.decode_sampling("True,0,0", ["A", "B", "C"]), "must be numbers separated by commas")


@pytest.mark.parametrize("value, kind", [(None, "NoneType"), (b"A > B", "bytes"), (5, "int")])
def test_bytes_or_none_as_text(value, kind):
    """Profile.parse(None) was the ranking "None"; bytes were the names "b'A" and "B'"."""
    for reader in (
        Profile.parse,
        read_preflib,
        read_rankings_csv,
        read_population_json,
        lambda v: read_comparisons(v, "jsonl"),
    ):
        refused(lambda: reader(value), f"must be text \\(a str\\), got {kind}")
    refused(lambda: presets.loads(value), "must be text")


def test_a_bom_kept_in_the_first_name():
    """ "\\ufeffA" was an alternative of its own (not "A")."""
    assert Profile.parse("\ufeffA > B\nA > B").alternatives == ["A", "B"]
    assert read_preflib("\ufeff" + SOC + "1: 1,2\n").alternatives == ["1", "2"]
    assert read_comparisons('\ufeff{"chosen": "A", "rejected": "B"}', "jsonl").alternatives == ["A", "B"]
    assert read_rankings_csv("\ufeffranking\nA > B\n").alternatives == ["A", "B"]
    refused(
        lambda: population_from_dict({"kind": "rankings", "rankings": [{"ranking": ["\ufeffA", "B"]}]}),
        "control character U\\+FEFF",
    )


@pytest.mark.parametrize("name, sign", [("A#B", "#"), ("A>B", ">"), ("A=B", "=")])
def test_names_with_ranking_signs_are_refused_for_rankings(name, sign):
    """ "A#B" was written to the text syntax and read back as "A" (a comment followed)."""
    refused(lambda: Profile.from_rankings([[name, "C"]]), f"holds '{sign}', a sign of the ranking syntax")
    refused(
        lambda: read_preflib(f"# DATA TYPE: soc\n# ALTERNATIVE NAME 1: {name}\n# ALTERNATIVE NAME 2: C\n1: 1,2\n"),
        "sign of the ranking syntax",
    )
    rewards = RewardPopulation({"t": {name: 1.0, "C": 0.0}})  # user types may carry any one-line name
    assert roundtrip.check(rewards) == 2


@pytest.mark.parametrize("name", ["A\nB", "A\rB", "A\u2028B", "A\x85B", "A\tB", "A\x00B"])
def test_names_with_line_breaks_are_refused(name):
    """A name with a line break was accepted and split in two by every line-based format."""
    refused(lambda: Profile.from_rankings([[name, "C"]]), "control character")
    refused(lambda: RewardPopulation({"t": {name: 1.0, "C": 0.0}}), "control character")
    refused(lambda: read_comparisons(json.dumps({"chosen": name, "rejected": "C"}), "jsonl"), "control character")


def test_names_that_survive_every_format():
    """What a name may hold: the text syntax's other signs, quotes, commas, formula signs, markup."""
    names = [
        "x:y",
        "A, B",
        '"q"',
        "-2+3",
        "+SUM(A1)",
        "'-x",
        "@me",
        "[x](https://example.com)",
        "$x$",
        "**b**",
        "{1,2}",
        "é😀",
        "a" * 200,
    ]
    profile = Profile.from_rankings([names, list(reversed(names))], [2, 1.5])
    assert roundtrip.check(profile) == 4  # JSON, CSV, text, scenario (no PrefLib: fractional weight)


def test_weights_whose_total_overflows():
    """Two rankings of weight 1e308 made every share NaN and crashed every page."""
    refused(
        lambda: Profile.parse("1e308: A > B\n1e308: B > A"),
        r"the weights add up to more than the largest floating-point number.*MAX_TOTAL_WEIGHT",
        LimitError,
    )
    refused(
        lambda: population_from_dict(
            {
                "kind": "rewards",
                "types": [
                    {"name": "a", "weight": 1e308, "rewards": {"A": 1, "B": 0}},
                    {"name": "b", "weight": 1e308, "rewards": {"A": 0, "B": 1}},
                ],
            }
        ),
        "MAX_TOTAL_WEIGHT",
    )
    assert Profile.parse("1e15: A > B").total_weight == 1e15


# ---------------------------------------------------------------------------- found by fuzzing and probing
def test_identical_preflib_orders_add_up():
    """preflibtools' parser kept the last count of a repeated order for both lines: 2 + 3 voters read as 6."""
    profile = read_preflib(SOC + "2: 1,2\n3: 1,2\n1: 2,1\n")
    assert profile.total_weight == 6 and profile.compressed().weights.tolist() == [5, 1]


def test_csv_columns_that_coincide():
    """ "Voter" and "voter" became one column name twice, and pandas returned a table for it (AttributeError)."""
    refused(
        lambda: read_comparisons("chosen,rejected,Voter,voter\na,b,x,y\n", "csv"),
        "line 1: the CSV has the column 'voter' twice",
    )


def test_a_csv_header_cell_over_128_kib():
    """The header sniffing of an upload used the csv module's field limit (csv.Error)."""
    refused(lambda: files.read_population_file("x.csv", b'"' + b"a" * 200_000 + b'"\n'), "no 'ranking' column")


@pytest.mark.parametrize("digit", ["\u00b2", "\u0663", "\uff11"])
def test_unicode_digits(digit):
    """str.isdigit() accepts "²" and "٣", int() does not (ValueError): PrefLib counts, the generator form."""
    refused(lambda: read_preflib(SOC + f"{digit}: 1,2\n"), "must be a positive whole number")
    params = generator_panel.parameters("impartial_culture", {"n_voters": 5, "alternatives": digit}, 0)
    assert params["alternatives"] == [digit]  # a name, not a count


def test_formula_cells_survive_a_download_and_an_import():
    """A name that starts with an apostrophe and a formula sign lost its apostrophe on re-import."""
    cells = ["-x", "'-x", "''=x", "=1+1", "@a", "+1", "-0.5", "'-0.5", "\tx", "ok"]
    text = to_csv(pd.DataFrame({"c": cells}), index=False)
    assert [line for line in text.splitlines()[1:]] == [
        "'-x",
        "''-x",
        "'''=x",
        "'=1+1",
        "'@a",
        "+1",
        "-0.5",
        "''-0.5",
        "'\tx",
        "ok",
    ]
    from aggregation.formats.csv import read_csv_table

    assert read_csv_table(text)["c"].tolist() == cells


@pytest.mark.parametrize(
    "param, value",
    [
        ("k", "1e999"),
        ("k", "9" * 40),
        ("k", "nan"),
        ("beta", "0"),
        ("beta", "-1"),
        ("beta", "nan"),
        ("temperature", "1e-320"),
        ("scenario", "../x"),
        ("job", "[x](https://example.com)"),
        ("D", "1e999,0,0"),
    ],
)
def test_bad_link_parameters(param, value):
    """k=1e999 crashed Streamlit's bound k widget (OverflowError); k=nan and beta=0 crashed the Population
    page's scenario download (ValueError, AggregationError); every parameter now has one decoder."""
    decode = {"D": lambda text: urls.decode_sampling(text, ["A", "B", "C"])}.get(param) or getattr(
        urls, f"decode_{param}"
    )
    refused(lambda: decode(value), "the link's")


def test_unhashable_generator_and_spec_fields():
    """A list as a generator's name or a job's method raised TypeError (unhashable) in a dict lookup."""
    refused(lambda: generate(["x"]), "unknown generator")
    refused(lambda: validate_spec({"method": ["dpo"], "population": {}}), "method must be one of", JobSpecError)
    refused(lambda: validate_spec({1: 2, "method": "dpo"}), "unknown setting 1", JobSpecError)


def test_a_finite_population_has_a_finite_preference_matrix():
    """Tiny weights keep P finite (what every page reads first); rewards whose ratio to the temperature
    overflows are refused (rewards / T = inf made P, the choice probabilities and the policies NaN)."""
    tiny = Profile.parse("5e-324: A > B\n1: B > A")
    assert np.isfinite(tiny.preference_matrix().to_numpy()).all()
    refused(
        lambda: RewardPopulation({"t": {"A": 1e300, "B": -1e300}}, temperature=1e-300), "rewards / temperature overflow"
    )
    assert np.isfinite(RewardPopulation({"t": {"A": 1e300, "B": -1e300}}).preference_matrix().to_numpy()).all()
