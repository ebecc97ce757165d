"""Integrity of tests/data/pref_voting_reference.json.gz (pref_voting's answers, issue 14).

The file is read with a tiny parser written here (not the core, which is being restructured), and
its answers are checked for shape and against quantities recomputed from each profile's text:
Borda scores (pref_voting's positional m-1..0 on linear orders; symmetric #below - #above on weak
and truncated ballots), Copeland scores (1, 0, -1), plurality scores and the Condorcet winner. So a
file whose texts and answers came apart (wrong name mapping, truncated ballots read differently)
fails here.
"""

from __future__ import annotations

import math
import re

import pytest

from tests.peer_reference import PATH, answered, load

LINE = re.compile(r"^\s*(\d+)\s*:\s*(.+?)\s*$")


def parse_profile(text: str, alternatives: list[str]) -> list[tuple[int, list[list[str]]]]:
    """``count: a > b = c`` lines -> [(count, tie groups)]; each line must rank every alternative once."""
    out = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        mt = LINE.match(line)
        assert mt, f"line {lineno} is not 'count: ranking': {line!r}"
        count = int(mt.group(1))
        assert count >= 1, f"line {lineno}: count {count}"
        groups = [[name.strip() for name in part.split("=")] for part in mt.group(2).split(">")]
        flat = [name for g in groups for name in g]
        assert all(flat), f"line {lineno}: empty name in {line!r}"
        assert sorted(flat) == sorted(alternatives), (
            f"line {lineno} is not a total weak order over {alternatives}: {line!r}"
        )
        out.append((count, groups))
    assert out, "empty profile"
    return out


def levels(groups: list[list[str]]) -> dict[str, int]:
    return {name: i for i, g in enumerate(groups) for name in g}


def margins(ballots, alts):
    M = {(x, y): 0 for x in alts for y in alts}
    for count, groups in ballots:
        lv = levels(groups)
        for x in alts:
            for y in alts:
                if lv[x] < lv[y]:
                    M[x, y] += count
                    M[y, x] -= count
    return M


@pytest.fixture(scope="module")
def data():
    return load()


@pytest.fixture(scope="module")
def parsed(data):
    return {p["id"]: parse_profile(p["text"], p["alternatives"]) for p in data["profiles"]}


def test_the_parser_here_rejects_what_is_not_a_total_weak_order():
    assert parse_profile("2: a > b = c\n1: c > a > b", ["a", "b", "c"]) == [
        (2, [["a"], ["b", "c"]]),
        (1, [["c"], ["a"], ["b"]]),
    ]
    for bad in ("2: a > b", "2: a > b > b > c", "a > b > c", "0: a > b > c", "2: a > > c"):
        with pytest.raises(AssertionError):
            parse_profile(bad, ["a", "b", "c"])


def test_header_names_the_peer_and_every_rule_has_a_convention(data):
    assert data["peer"] == "pref_voting"
    assert re.fullmatch(r"\d+\.\d+\.\d+", data["version"])
    assert data["generated_by"] == "bench/make_peer_reference.py"
    assert isinstance(data["seed"], int)
    rule_ids = {rid for p in data["profiles"] for rid in p["answers"]}
    assert rule_ids <= set(data["conventions"])
    assert all(isinstance(v, str) and len(v) > 20 for v in data["conventions"].values())
    for rid in (
        "plurality",
        "borda",
        "instant_runoff",
        "copeland",
        "minimax",
        "schulze",
        "ranked_pairs",
        "split_cycle",
        "kemeny_young",
        "maximal_lottery",
        "c1_maximal_lottery",
        "random_dictatorship",
    ):
        assert rid in rule_ids, rid


def test_enough_profiles_of_every_kind_size_and_weight(data, parsed):
    profs = data["profiles"]
    assert len(profs) >= 1000
    assert len({p["id"] for p in profs}) == len(profs)
    kinds = {k: sum(1 for p in profs if p["kind"] == k) for k in ("linear", "weak", "truncated")}
    assert min(kinds.values()) >= 200, kinds
    assert {len(p["alternatives"]) for p in profs} == set(range(3, 11))
    for p in profs:
        ballots = parsed[p["id"]]
        n = sum(c for c, _ in ballots)
        assert 1 <= n <= 40 and n == p["num_voters"], p["id"]
        assert p["alternatives"] == [chr(ord("a") + i) for i in range(len(p["alternatives"]))]
        texts = [" > ".join(" = ".join(g) for g in groups) for _, groups in ballots]
        assert len(set(texts)) == len(texts), f"{p['id']}: a ballot is listed twice"
        strict = all(len(g) == 1 for _, groups in ballots for g in groups)
        assert (p["kind"] == "linear") == strict, p["id"]
        if p["kind"] == "truncated":  # strict top part, then at most one tie group, at the bottom
            assert all(all(len(g) == 1 for g in groups[:-1]) for _, groups in ballots), p["id"]


def test_answers_have_a_known_shape_and_name_only_known_alternatives(data):
    for p in data["profiles"]:
        alts = p["alternatives"]
        for rid, ans in p["answers"].items():
            where = f"{p['id']} {rid}"
            keys = set(ans) - {"scores", "note", "num_rankings", "rankings", "kendall_tau_distance", "distance"}
            assert len(keys) == 1 and keys <= {"winners", "ranking", "lottery", "not_applicable"}, where
            if "not_applicable" in ans:
                assert isinstance(ans["not_applicable"], str) and ans["not_applicable"], where
                continue
            if "winners" in ans:
                w = ans["winners"]
                assert w and w == sorted(set(w)) and set(w) <= set(alts), where
            if "ranking" in ans:
                flat = [x for g in ans["ranking"] for x in g]
                assert all(ans["ranking"]) and sorted(flat) == alts, where
            if "scores" in ans:
                assert sorted(ans["scores"]) == alts, where
                assert all(isinstance(v, (int, float)) and math.isfinite(v) for v in ans["scores"].values()), where
            if "rankings" in ans:
                assert len(ans["rankings"]) == ans["num_rankings"] >= 1, where
                assert all(sorted(r) == alts for r in ans["rankings"]), where
                assert sorted({r[0] for r in ans["rankings"]}) == ans["winners"], where
            if "lottery" in ans:
                lot = ans["lottery"]
                assert sorted(lot) == alts, where
                assert all(0.0 <= v <= 1.0 for v in lot.values()), where
                assert math.isclose(sum(lot.values()), 1.0, abs_tol=1e-9), where


def test_peer_scores_match_the_profile_text(data, parsed):
    """Borda, Copeland and plurality scores recomputed here from the text equal pref_voting's."""
    checked = {"borda": 0, "copeland": 0, "plurality": 0}
    for p in data["profiles"]:
        alts, ballots = p["alternatives"], parsed[p["id"]]
        m = len(alts)
        M = margins(ballots, alts)
        ans = p["answers"]
        if "scores" in ans["borda"]:
            if p["kind"] == "linear":  # Profile.borda_scores: m-1, ..., 0 by position
                expect = {x: sum(c * (m - 1 - levels(g)[x]) for c, g in ballots) for x in alts}
            else:  # symmetric_borda_scores: #strictly below - #strictly above
                expect = {
                    x: sum(
                        c
                        * (
                            sum(levels(g)[y] > levels(g)[x] for y in alts)
                            - sum(levels(g)[y] < levels(g)[x] for y in alts)
                        )
                        for c, g in ballots
                    )
                    for x in alts
                }
            assert ans["borda"]["scores"] == expect, p["id"]
            checked["borda"] += 1
        if "scores" in ans["copeland"]:
            expect = {x: sum((M[x, y] > 0) - (M[x, y] < 0) for y in alts if y != x) for x in alts}
            assert ans["copeland"]["scores"] == expect, p["id"]
            checked["copeland"] += 1
        if "scores" in ans["plurality"]:
            expect = {x: sum(c for c, g in ballots if g[0] == [x]) for x in alts}
            assert ans["plurality"]["scores"] == expect, p["id"]
            checked["plurality"] += 1
    assert min(checked.values()) >= 900, checked


def test_condorcet_answers_match_the_margins_of_the_text(data, parsed):
    """pref_voting's ``condorcet`` returns the Condorcet winner, or every alternative when there is none."""
    with_cw = 0
    for p, ans in answered(data, "condorcet"):
        alts = p["alternatives"]
        M = margins(parsed[p["id"]], alts)
        cw = [x for x in alts if all(M[x, y] > 0 for y in alts if y != x)]
        assert ans["winners"] == (cw or alts), p["id"]
        with_cw += bool(cw)
    assert with_cw >= 300


def test_the_file_has_cycles_ties_and_condorcet_winners(data):
    profs = {p["id"]: p for p in data["profiles"]}
    smith_all = sum(1 for p, a in answered(data, "smith_set") if len(a["winners"]) == len(p["alternatives"]))
    smith_cycle = sum(1 for p, a in answered(data, "smith_set") if len(a["winners"]) >= 3)
    ties = sum(1 for p in profs.values() if p["family"] == "zero_margins")
    assert smith_cycle >= 100 and smith_all >= 50 and ties >= 30


def test_the_data_file_is_small():
    assert PATH.stat().st_size < 2_000_000
