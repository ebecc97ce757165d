"""Paradoxes on demand: find_paradox finds the classic examples by search (none comes from a hand-made
file), reports minimality and its bounds honestly, and the precomputed table (presets/paradoxes.json)
is what the search finds, except the entries marked as entered by hand (``found_by: "hand"``), which
the live property check confirms here.

Each population the search returns is checked here by hand (or by recomputing the rule directly), so a
search that returned a wrong "paradox" would fail:

* Borda, majority: 2 x A > B > C, 1 x B > C > A. A is first for 2 of 3 voters; Borda A 2+2+0 = 4,
  B 1+1+2 = 4: A only ties. With 1 or 2 voters, or 2 alternatives, a majority favourite always wins alone.
* Condorcet's paradox (Condorcet 1785; Jackpot paper, Table 1): A > B > C, B > C > A, C > A > B. Each
  alternative beats one and loses to one by 2 to 1; the maximal lottery is uniform (and unique). Without
  A, B beats C 2 to 1 and gets probability 1: Luce's IIA (Jackpot appendix A.7) asks for 1/2 each.
* Borda's clone dependence (Tideman 1987): 3 x A > B > C, 1 x B > C > A. Borda A 6, B 5, C 1. A clone C'
  next to C (half of each ranking's weight above C, half below) scores like C, and pushes A and B up one
  point wherever they are above C: A 6 + 3 = 9, B 5 + 4 = 9 (3 + 1 of the B voter's). A tie replaces A.
* Instant runoff's monotonicity failure (Smith 1973; Fishburn & Brams 1983's more-is-less paradox),
  entered by hand: 5 x A > C > B, 6 x B > A > C, 6 x C > B > A. First places A 5, B 6, C 6: A is
  eliminated, its 5 voters go to C, and C beats B 11 to 6. When 2 of the B > A > C voters put C first
  (C > B > A): A 5, B 4, C 8; B is eliminated, its 4 voters go to A, and A beats C 9 to 8. No count ties.
"""

import json

import pytest

from aggregation import RULES, AggregationError, Profile, find_paradox, get_rule, search_paradox
from aggregation.properties import paradox_table
from aggregation.properties.paradox import canonical_profiles, profile_of


def registered(rule_id: str):
    return pytest.mark.skipif(rule_id not in RULES, reason=f"rule {rule_id!r} is not in the registry yet")


def same_profile(a: Profile, b: Profile) -> bool:
    return sorted(a.compressed().to_text().splitlines()) == sorted(b.compressed().to_text().splitlines())


# ---------------------------------------------------------------- the search space
def test_profiles_up_to_renaming():
    # 3 voters, 3 alternatives: the 56 multisets of 6 rankings fall into 10 classes under the 6 renamings
    assert len(canonical_profiles(3, 3)) == 10
    assert len(canonical_profiles(2, 3)) == 5 and len(canonical_profiles(1, 4)) == 1
    cycle = profile_of((0, 3, 4), 3)  # A > B > C, B > C > A, C > A > B
    assert same_profile(cycle, Profile.parse("A > B > C\nB > C > A\nC > A > B"))


# ---------------------------------------------------------------- classic examples, found by search
def test_borda_majority_failure_is_found_and_minimal():
    p = find_paradox("borda", "majority")
    assert (p.voters, p.alternatives, p.minimal) == (3, 3, True)
    assert same_profile(p.population, Profile.parse("2: A > B > C\n1: B > C > A"))
    assert p.narrative.startswith("These 3 voters (2 × A > B > C, 1 × B > C > A) elect A and B (tied) under Borda.")


def test_condorcet_paradox_appears_by_search():
    result = search_paradox("maximal_lottery", "iia", unique_outcome=True)
    p = result.paradox
    assert (p.voters, p.alternatives, p.minimal) == (3, 3, True)
    assert same_profile(p.population, Profile.parse("A > B > C\nB > C > A\nC > A > B"))
    assert p.check.counterexample["after"].to_dict() == pytest.approx({"B": 1.0, "C": 0.0})
    assert "the lottery A 0.33, B 0.33, C 0.33" in p.narrative
    assert all(level.exhaustive for level in result.levels)


def test_borda_clone_dependence_appears_by_search():
    # B and C are adjacent in both rankings, so C is already a clone of B (the clone check tries the clones a
    # population holds, issue 13): Borda (2, 1, 0) gives A 2, B 3, C 1, so B; without C, A and B tie 1-1.
    p = find_paradox("borda", "clones", max_alternatives=3, unique_outcome=True)
    assert (p.voters, p.alternatives, p.minimal) == (2, 3, True)
    assert same_profile(p.population, Profile.parse("1: A > B > C\n1: B > C > A"))
    assert p.check.counterexample["after"].to_dict() == {"A": 2.0, "B": 3.0, "C": 1.0}
    assert p.check.counterexample["before"].to_dict() == {"A": 1.0, "B": 1.0}


def test_condorcet_rules_no_show_paradox_needs_four_alternatives():
    # Moulin 1988: Condorcet-consistent rules have a no-show paradox once there are four alternatives
    p = find_paradox("copeland", "participation", max_alternatives=4, max_voters=5)
    assert p is not None and p.alternatives == 4
    # checked directly on the rule: the abstainers prefer what happens without them
    c = p.check.counterexample
    before = RULES["copeland"].compute(p.population).winners
    after = RULES["copeland"].compute(c["population"]).winners
    assert before != after and set(after) < set(before)
    ranking = c["ranking"].split(" > ")
    assert min(ranking.index(a) for a in after) <= min(ranking.index(a) for a in before)


def test_a_paradox_after_a_sampled_size_is_not_called_minimal():
    # plurality, manipulation: 3 voters over 4 alternatives cost too much to list every profile (each check tries
    # 74 reports per ranking), so that size is sampled; the paradox found with 4 voters over 3 alternatives may
    # then not be the smallest
    result = search_paradox("plurality", "manipulation", max_evaluations=6000, max_voters=5)
    p = result.paradox
    assert (p.voters, p.alternatives) == (4, 3) and not p.minimal
    assert [lv.method for lv in result.levels if (lv.voters, lv.alternatives) == (3, 4)] == ["random"]
    assert "by guided random search (seed" in result.bounds_text()


def test_nothing_found_says_what_was_searched():
    result = search_paradox("plurality", "majority", max_alternatives=3, max_voters=5)
    assert result.paradox is None and find_paradox("plurality", "majority", 3, 5) is None
    assert result.stopped == "every size within the bounds was searched"
    assert [(lv.voters, lv.alternatives) for lv in result.levels][:3] == [(1, 2), (1, 3), (2, 2)]
    assert all(level.exhaustive for level in result.levels)
    text = result.bounds_text()
    assert "at most 3 alternatives by at most 5 voters" in text and "5 voters, 3 alternatives: all 42 profiles" in text


def test_the_search_is_reproducible_and_bounded():
    a = search_paradox("copeland", "monotonicity", max_evaluations=400, seed=3)
    b = search_paradox("copeland", "monotonicity", max_evaluations=400, seed=3)
    assert a.paradox is None and b.paradox is None
    assert [lv.text() for lv in a.levels] == [lv.text() for lv in b.levels]
    assert a.evaluations <= 400 + 200 and a.stopped == "the evaluation budget was spent"


def test_refusals_and_bad_bounds():
    assert search_paradox("average_reward", "majority").refusal.startswith("Average-reward policy does not apply")
    assert search_paradox("borda", "majority", version="probabilistic").refusal.startswith("Borda outputs scores")
    with pytest.raises(AggregationError, match="max_alternatives"):
        find_paradox("borda", "majority", max_alternatives=9)
    with pytest.raises(AggregationError, match="unknown property"):
        find_paradox("borda", "transitivity")


@registered("instant_runoff")
def test_no_show_paradox_of_instant_runoff_appears_by_search():
    p = find_paradox("instant_runoff", "participation", max_alternatives=3, max_voters=9)
    assert p is not None and p.alternatives == 3
    assert "stay" in p.narrative and "home" in p.narrative


@registered("plurality_with_runoff")
def test_monotonicity_failure_of_runoff_appears_by_search():
    p = find_paradox("plurality_with_runoff", "monotonicity", max_alternatives=3, max_voters=9)
    assert p is not None and p.alternatives == 3 and "raise" in p.narrative


# ---------------------------------------------------------------- the precomputed table
@pytest.fixture(scope="module")
def TABLE():
    return paradox_table.read()


def test_the_table_names_its_bounds_and_known_pairs(TABLE):
    assert TABLE["format"] == paradox_table.FORMAT and TABLE["generated"]
    assert TABLE["bounds"]["max_alternatives"] >= 3 and TABLE["bounds"]["max_voters"] >= 5
    pairs = {(row["rule"], row["property"]) for row in TABLE["entries"]}
    assert len(pairs) == len(TABLE["entries"])
    assert {("borda", "majority"), ("plurality", "clones"), ("maximal_lottery", "condorcet")} <= pairs
    for row in TABLE["entries"]:
        assert row["status"] in (paradox_table.FOUND, paradox_table.NONE_FOUND, paradox_table.NOT_APPLICABLE)
        if row["status"] == paradox_table.FOUND:
            assert row["narrative"].startswith(f"These {row['voters']} voter")
            assert round(row["population"].total_weight) == row["voters"]


@pytest.mark.parametrize(
    "rule, prop",
    [("borda", "majority"), ("borda", "iia"), ("plurality", "clones"), ("random_dictatorship", "condorcet")],
)
def test_table_entries_are_found_again(TABLE, rule, prop):
    row = paradox_table.lookup(TABLE, rule, prop)
    again = paradox_table.refind(row)
    assert row["status"] == paradox_table.FOUND and again.paradox is not None
    assert same_profile(again.paradox.population, row["population"])
    assert again.paradox.narrative == row["narrative"] and again.bounds_text() == row["bounds"]


def test_a_table_not_found_is_refused_by_name(tmp_path):
    bad = tmp_path / "paradoxes.json"
    bad.write_text(json.dumps({"format": 99}))
    with pytest.raises(AggregationError, match="not a table of paradoxes"):
        paradox_table.read(bad)
    with pytest.raises(AggregationError, match="cannot be read"):
        paradox_table.read(tmp_path / "missing.json")


# ---------------------------------------------------------------- entered by hand
MORE_IS_LESS = "5: A > C > B\n6: B > A > C\n6: C > B > A\n"
MORE_IS_LESS_AFTER = "5: A > C > B\n4: B > A > C\n8: C > B > A\n"  # 2 of the B > A > C voters put C first
IRV_LIKE = (
    "instant_runoff",
    "instant_runoff_put",
    "instant_runoff_ranking",
    "plurality_with_runoff",
    "benham",
    "tideman_alternative_smith",
    "tideman_alternative_schwartz",
)


@pytest.mark.parametrize("rule", IRV_LIKE)
def test_instant_runoff_more_is_less_by_hand(rule):
    # the module docstring's counts: C wins before (A out, C 11 - B 6), A after (B out, A 9 - C 8)
    before = get_rule(rule).compute(Profile.parse(MORE_IS_LESS))
    after = get_rule(rule).compute(Profile.parse(MORE_IS_LESS_AFTER))
    assert before.winners == ["C"] and after.winners == ["A"]


def test_hand_entered_entries_are_violations_the_live_check_confirms(TABLE):
    hand = [row for row in TABLE["entries"] if row.get("found_by") == paradox_table.BY_HAND]
    assert {(row["rule"], row["property"]) for row in hand} == {(r, "monotonicity") for r in IRV_LIKE}
    for row in hand:
        assert row["status"] == paradox_table.FOUND and row["minimal"] is False
        assert row["bounds"].startswith("entered by hand, not found by the table's search")
        assert "Smith 1973" in row["source"] and "Fishburn & Brams 1983" in row["source"]
        assert paradox_table.SEARCHED_NONE + "strict rankings of at most 4 alternatives by at most 7" in row["bounds"]
        assert (row["voters"], row["alternatives"]) == (17, 3) and same_profile(
            row["population"], Profile.parse(MORE_IS_LESS)
        )
        again = paradox_table.known_entry(
            {"bounds": "x"}, row["rule"], row["property"], row["population"].to_text(), row["source"]
        )
        assert again["narrative"] == row["narrative"]
        assert "If 2 of the 6 voters with B > A > C raise C (B > A > C becomes C > B > A)" in row["narrative"]
        assert row["narrative"].endswith("picks A.")


def test_hand_entered_examples_never_replace_a_search_and_must_be_violations():
    searched = {"rule": "borda", "property": "monotonicity", "status": paradox_table.NONE_FOUND, "bounds": "b"}
    found = {"rule": "coombs", "property": "monotonicity", "status": paradox_table.FOUND, "bounds": "c"}
    table = {"entries": [searched, found]}
    source = "a test"
    # Borda is monotonic: the example is refused, by name
    with pytest.raises(AggregationError, match="borda x monotonicity does not violate it"):
        paradox_table.with_known(table, [("borda", "monotonicity", MORE_IS_LESS, source)])
    # a pair the search found keeps the search's entry; a pair without one gets the example
    out = paradox_table.with_known(table, [("coombs", "monotonicity", MORE_IS_LESS, source)])
    assert out["entries"][1] is found
    out = paradox_table.with_known({"entries": []}, [("instant_runoff", "monotonicity", MORE_IS_LESS, source)])
    (row,) = out["entries"]
    assert row["found_by"] == "hand" and row["bounds"] == "a test." and row["max_voters"] is None
    # written again, a hand entry keeps what the search had searched
    first = paradox_table.with_known(
        {"entries": [{**searched, "rule": "instant_runoff"}]},
        [("instant_runoff", "monotonicity", MORE_IS_LESS, source)],
    )
    again = paradox_table.with_known(first, [("instant_runoff", "monotonicity", MORE_IS_LESS, source)])
    assert again["entries"][0]["bounds"] == first["entries"][0]["bounds"] == "a test. The table's search found none: b"
