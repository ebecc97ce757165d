"""Files: PrefLib, CSV rankings, comparison tables and population dicts; errors name the line."""

import json

import numpy as np
import pytest

from aggregation import (
    AggregationError,
    Profile,
    RewardPopulation,
    population_from_dict,
    population_to_dict,
    read_comparisons,
    read_preflib,
    read_rankings_csv,
    sample_comparisons,
    write_comparisons,
    write_preflib,
    write_rankings_csv,
)

HEADER = """# FILE NAME: test.{kind}
# DATA TYPE: {kind}
# NUMBER ALTERNATIVES: 3
# ALTERNATIVE NAME 1: Red
# ALTERNATIVE NAME 2: Green
# ALTERNATIVE NAME 3: Blue
"""


def test_read_soc_and_toi():
    p = read_preflib(HEADER.format(kind="soc") + "2: 1,2,3\n3: 3,1,2\n")
    assert p.alternatives == ["Red", "Green", "Blue"]
    assert p.rankings == [[["Red"], ["Green"], ["Blue"]], [["Blue"], ["Red"], ["Green"]]]
    assert p.weights.tolist() == [2, 3]
    q = read_preflib(HEADER.format(kind="toi") + "4: {1,2}\n1: 3\n")
    assert q.rankings == [[["Red", "Green"], ["Blue"]], [["Blue"], ["Red", "Green"]]]


def test_preflib_round_trip_with_ties():
    p = Profile.parse("2: A > B = C\n1: C > A > B")
    text, kind = write_preflib(p)
    assert kind == "toc"
    q = read_preflib(text)
    np.testing.assert_allclose(q.preference_matrix(), p.preference_matrix())
    assert write_preflib(Profile.parse("A > B"))[1] == "soc"


@pytest.mark.parametrize(
    "kind, body, message, line",
    [
        ("soc", "2: 1,2\n", "a complete-order file must rank every alternative; 3 \\(Blue\\) is missing", 7),
        ("soc", "2: 1,{2,3}\n", "ties \\{2,3\\} are not allowed in a strict-order file", 7),
        ("toc", "1: 1,2,3\nx: 1,2,3\n", "the count 'x' must be a positive whole number", 8),
        ("soi", "1: 1,4\n", "alternative 4 is not declared", 7),
        ("soi", "1: 1,1\n", "alternative 1 \\(Red\\) appears twice", 7),
        ("toi", "1: {1,2\n", "unbalanced braces", 7),
        ("soi", "1 1,2\n", "expected 'count: order'", 7),
    ],
)
def test_preflib_errors_name_the_line(kind, body, message, line):
    with pytest.raises(AggregationError, match=message) as info:
        read_preflib(HEADER.format(kind=kind) + body)
    assert info.value.line == line


def test_preflib_without_a_data_type():
    with pytest.raises(AggregationError, match="unknown PrefLib data type"):
        read_preflib("# ALTERNATIVE NAME 1: a\n1: 1\n")
    assert read_preflib("# ALTERNATIVE NAME 1: a\n# ALTERNATIVE NAME 2: b\n1: 2,1\n", "soc").rankings == [
        [["b"], ["a"]]
    ]


def test_csv_rankings_round_trip_and_errors():
    p = Profile.parse("2.5: A > B = C\n1: C > A > B")
    text = write_rankings_csv(p)
    assert text.splitlines()[0] == "weight,ranking"
    q = read_rankings_csv(text)
    assert q.rankings == p.rankings and q.weights.tolist() == [2.5, 1.0]
    with pytest.raises(AggregationError, match="line 3: the weight 'lots' is not a number"):
        read_rankings_csv("weight,ranking\n1,A > B\nlots,B > A\n")
    with pytest.raises(AggregationError, match="no 'ranking' column"):
        read_rankings_csv("weight,order\n1,A > B\n")
    with pytest.raises(AggregationError, match="line 2: alternative 'A' appears twice"):
        read_rankings_csv("ranking\nA > B > A\n")


def test_comparison_files():
    csv = "prompt,chosen,rejected,annotator\nq,a,b,x\nq,b,c,y\nq,a,c,x\n"
    data = read_comparisons(csv, "csv")
    assert data.preference_matrix().loc["a", "b"] == 1.0 and data.voter_column == "annotator"
    jsonl = "".join(json.dumps(r) + "\n" for r in [{"chosen": "a", "rejected": "b"}, {"chosen": "b", "rejected": "a"}])
    assert read_comparisons(jsonl, "jsonl").preference_matrix().loc["a", "b"] == 0.5
    again = read_comparisons(write_comparisons(data, "jsonl"), "jsonl")
    assert again.wins().equals(data.wins())


@pytest.mark.parametrize(
    "text, fmt, message, line",
    [
        ("chosen,rejected\na,b\nc,c\n", "csv", "a response is compared with itself", 3),
        (
            '{"chosen": "a", "rejected": "b"}\n\n{"chosen": "a", "rejected": "a"}\n',
            "jsonl",
            "a response is compared with itself",
            3,
        ),
        ('{"chosen": "a", "rejected": "b"}\nnot json\n', "jsonl", "not valid JSON", 2),
        ("winner,loser\na,b\n", "csv", "no 'chosen' column \\(columns found: winner, loser\\)", None),
        ("prompt,chosen,rejected\np1,a,b\np2,b,c\n", "csv", "2 different prompts", None),
    ],
)
def test_comparison_errors(text, fmt, message, line):
    with pytest.raises(AggregationError, match=message) as info:
        read_comparisons(text, fmt)
    assert info.value.line == line


def test_population_dicts_round_trip():
    p = Profile.parse("2: A > B = C\n1: C > A > B")
    assert population_from_dict(json.loads(json.dumps(population_to_dict(p)))).rankings == p.rankings
    pop = RewardPopulation({"u": {"a": 1.0, "b": 0.0}, "v": {"a": 0.0, "b": 2.0}}, [1, 3], temperature=2.0)
    back = population_from_dict(json.loads(json.dumps(population_to_dict(pop))))
    np.testing.assert_allclose(back.preference_matrix(), pop.preference_matrix())
    data = sample_comparisons(p, 50, seed=0)
    assert population_from_dict(json.loads(json.dumps(population_to_dict(data)))).wins().equals(data.wins())
    P = p.preference_matrix()
    np.testing.assert_allclose(population_from_dict(population_to_dict(P)).preference_matrix(), P)
    assert population_from_dict({"kind": "rankings", "text": "2: x > y"}).weights.tolist() == [2.0]


@pytest.mark.parametrize(
    "d, message",
    [
        ({"kind": "votes"}, "population.kind must be 'rankings', 'rewards', 'comparisons' or 'matrix'"),
        ({"kind": "rankings"}, "population.rankings is missing"),
        (
            {"kind": "rankings", "rankings": [{"ranking": "a > b", "weight": "two"}]},
            "population.rankings\\[0\\].weight must be a int or float",
        ),
        (
            {"kind": "rankings", "rankings": [{"ranking": "a > b"}, {"ranking": "b > b"}]},
            "population.rankings\\[1\\]: alternative 'b' appears twice",
        ),
        (
            {"kind": "rewards", "types": [{"name": "u", "rewards": {"a": 1}}, {"name": "v", "rewards": {"b": 1}}]},
            "user type 'u' has no reward for 'b'",
        ),
        (
            {"kind": "rewards", "types": [{"name": "u", "rewards": {"a": 1}}], "temperature": 0},
            "temperature must be a positive number",
        ),
    ],
)
def test_population_dict_errors_name_the_field(d, message):
    with pytest.raises(AggregationError, match=message):
        population_from_dict(d)


def test_large_profiles_use_the_compact_levels_form():
    rng = np.random.default_rng(3)
    p = Profile.from_orders(np.argsort(rng.random((1500, 6)), axis=1), list("abcdef"), rng.integers(1, 4, 1500))
    d = population_to_dict(p)
    assert set(d) == {"kind", "alternatives", "levels", "weights"}
    q = population_from_dict(json.loads(json.dumps(d)))
    assert np.array_equal(q.levels, p.levels) and q.weights.tolist() == p.weights.tolist()
    tied = Profile.parse("2: A > B = C\n1: C")
    assert population_from_dict(population_to_dict(tied, compact=True)).rankings == tied.rankings


@pytest.mark.parametrize(
    "d, message",
    [
        (
            {"kind": "rankings", "alternatives": ["a", "b"], "levels": [[0, 1], [0, -1]]},
            "population.levels\\[1\\]\\[1\\] must be a whole number >= 0",
        ),
        (
            {"kind": "rankings", "alternatives": ["a", "b"], "levels": [[0, 1]], "weights": [0]},
            "population.weights\\[0\\] has weight 0",
        ),
        ({"kind": "rankings", "alternatives": ["a", "b"], "levels": [[0, 1, 2]]}, "2 columns"),
        ({"kind": "rankings", "levels": [[0, 1]]}, "alternatives is required with levels"),
    ],
)
def test_compact_form_errors_name_the_field(d, message):
    with pytest.raises(AggregationError, match=message):
        population_from_dict(d)
