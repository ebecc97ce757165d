"""Agreement with pref_voting 1.18.2 (tests/data/pref_voting_reference.json.gz, made by
bench/make_peer_reference.py) for the majority, margin, Kemeny, set and lottery rules of
aggregation/rules/{majority,margins,kemeny,sets,lotteries}.py, under the matching convention (the
file's ``conventions`` map; each difference is stated where it is compared).

Every profile pref_voting answered is compared for the cheap rules; the rules that solve a linear or
integer program per profile (Dodgson, the C1 maximal lottery, the bipartisan and essential sets) are
compared on every tenth profile here and on all of them in the ``slow`` test.
"""

import numpy as np
import pytest

from aggregation import Profile, RULES
from aggregation.rules.kemeny import OrderSearch, kemeny_agreement
from aggregation.rules.majority import margin_matrix
from aggregation.rules.sets import uncovered_set

from ..peer_reference import PATH, answered, load

pytestmark = pytest.mark.skipif(
    not PATH.exists(),
    reason="tests/data/pref_voting_reference.json.gz is not on this "
    "branch: regenerate it with bench/make_peer_reference.py",
)

#: pref_voting id -> ours, compared as winner sets (conventions identical: margins, ties kept, no tie-breaking).
SAME_WINNERS = {
    "copeland": "copeland",
    "llull": "llull",
    "minimax": "minimax",
    "schulze": "schulze",
    "ranked_pairs": "ranked_pairs",  # both parallel-universe; pref_voting skips > 50,000 orders
    "split_cycle": "split_cycle",
    "stable_voting": "stable_voting",
    "black": "black",
    "kemeny_young": "kemeny_young",
    "slater": "slater",
    "smith_set": "smith_set",
    "top_cycle": "smith_set",
    "schwartz_set": "schwartz_set",
    "banks": "banks_set",
    "bipartisan": "bipartisan_set",
    "dodgson": "dodgson",  # pref_voting: >= strict majority of voters; = margin > 0 on linear orders
}
EXPENSIVE = {"dodgson", "bipartisan", "c1_maximal_lottery", "essential_set"}


@pytest.fixture(scope="module")
def data():
    return load()


_PROFILES: dict = {}


def profile(prof) -> Profile:
    if prof["id"] not in _PROFILES:
        _PROFILES[prof["id"]] = Profile.parse(prof["text"], alternatives=prof["alternatives"])
    return _PROFILES[prof["id"]]


def winners(rule_id, p):
    result = RULES[rule_id].compute(p)
    return sorted(result.winners)


def _compare(data, theirs, ours, every):
    compared = 0
    for k, (prof, ans) in enumerate(answered(data, theirs)):
        if k % every:
            continue
        p = profile(prof)
        ok, reason = RULES[ours].applies_to(p)
        assert ok, (prof["id"], reason)
        assert winners(ours, p) == sorted(ans["winners"]), (theirs, prof["id"])
        compared += 1
    return compared


@pytest.mark.parametrize("theirs", sorted(set(SAME_WINNERS) - EXPENSIVE))
def test_same_winners(data, theirs):
    assert _compare(data, theirs, SAME_WINNERS[theirs], 1) >= 700  # 735 linear-only profiles, up to 1,330


@pytest.mark.parametrize("theirs", sorted(EXPENSIVE & set(SAME_WINNERS)))
def test_same_winners_sampled(data, theirs):
    assert _compare(data, theirs, SAME_WINNERS[theirs], 10) >= 70


@pytest.mark.slow
@pytest.mark.parametrize("theirs", sorted(EXPENSIVE & set(SAME_WINNERS)))
def test_same_winners_every_profile(data, theirs):
    assert _compare(data, theirs, SAME_WINNERS[theirs], 1) >= 700


def test_scores(data):
    """Copeland: theirs (1, 0, -1) = 2 * ours - (m - 1); Llull (1, 1, 0) equal; minimax: theirs = minus the largest
    defeat margin in voters, equal to ours."""
    for prof, ans in answered(data, "copeland"):
        m = len(prof["alternatives"])
        ours = RULES["copeland"].compute(profile(prof)).values
        assert {a: 2 * v - (m - 1) for a, v in ours.items()} == ans["scores"], prof["id"]
    for rule in ("llull", "minimax"):
        for prof, ans in answered(data, rule):
            assert RULES[rule].compute(profile(prof)).values.to_dict() == pytest.approx(ans["scores"], abs=1e-9)


def test_copeland_ranking(data):
    for prof, ans in answered(data, "copeland_ranking"):
        groups = RULES["copeland"].compute(profile(prof)).tie_groups
        assert [sorted(g) for g in groups] == [sorted(g) for g in ans["ranking"]], prof["id"]


def test_uncovered_sets_all_four_definitions(data):
    for definition in ("gillies", "fishburn", "bordes", "mckelvey"):
        for prof, ans in answered(data, f"uncovered_set_{definition}"):
            got = uncovered_set(profile(prof), definition)
            assert sorted(a for a, v in got.items() if v == 1) == sorted(ans["winners"]), (definition, prof["id"])


def test_kemeny_distance_and_every_optimal_ranking(data):
    """pref_voting's Kendall tau distance (a tie against a strict order costs 1/2) = W m(m-1)/2 minus our agreement;
    its list of every optimal ranking (when <= 24) has our count, and our ranking's tie groups are the blocks of
    places those rankings share."""
    checked = 0
    for prof, ans in answered(data, "kemeny_young"):
        if "kendall_tau_distance" not in ans:  # weak orders over more than 6 alternatives: winners only
            continue
        p = profile(prof)
        m, W = len(prof["alternatives"]), p.total_weight
        M, names = margin_matrix(p)
        search = OrderSearch(M / 2.0)
        best = [names[i] for i in search.an_order()]
        assert W * m * (m - 1) / 2 - kemeny_agreement(p, best) == pytest.approx(ans["kendall_tau_distance"])
        assert search.count() == ans["num_rankings"], prof["id"]
        if "rankings" in ans:
            place = 0
            for group in RULES["kemeny_ranking"].compute(p).tie_groups:
                spots = {r.index(a) for r in ans["rankings"] for a in group}
                assert spots == set(range(place, place + len(group))), prof["id"]
                place += len(group)
            checked += 1
    assert checked >= 1000


def test_slater_distance(data):
    for prof, ans in answered(data, "slater"):
        M, names = margin_matrix(profile(prof))
        G = np.sign(np.where(np.abs(M) > 1e-9, M, 0.0))
        search = OrderSearch(G)
        order = search.an_order()
        kept = sum(G[order[i], order[j]] > 0 for i in range(len(order)) for j in range(i + 1, len(order)))
        assert int((G > 0).sum()) - kept == ans["distance"], prof["id"]


def test_proportional_borda(data):
    """Linear orders only in pref_voting (Borda score over the total); ours on the same profiles."""
    for prof, ans in answered(data, "proportional_borda"):
        ours = RULES["proportional_borda"].compute(profile(prof)).values
        assert ours.to_dict() == pytest.approx({a: ans["lottery"].get(a, 0.0) for a in ours.index}, abs=1e-9)


def _c1_check(prof, ans):
    p = profile(prof)
    result = RULES["c1_maximal_lottery"].compute(p)
    theirs = np.array([ans["lottery"].get(a, 0.0) for a in result.alternatives])
    if result.certificate.unique:
        np.testing.assert_allclose(result.values.to_numpy(), theirs, atol=1e-6, err_msg=prof["id"])
        return True
    # not unique: pref_voting averages the equilibria it enumerates, we return the maximum-entropy one; both must
    # be optimal for sign(M), and theirs may only use alternatives of our essential set (the bipartisan set)
    M, _ = margin_matrix(p)
    G = np.sign(np.where(np.abs(M) > 1e-9, M, 0.0))
    assert (theirs @ G).min() >= -1e-6, prof["id"]
    assert {a for a, q in zip(result.alternatives, theirs) if q > 1e-6} <= set(result.certificate.essential_set)
    return False


def test_c1_maximal_lottery_sampled(data):
    outcomes = [
        _c1_check(prof, ans) for k, (prof, ans) in enumerate(answered(data, "c1_maximal_lottery")) if k % 10 == 0
    ]
    assert sum(outcomes) >= 80 and len(outcomes) - sum(outcomes) >= 5


def test_essential_set_contains_pref_votings_support(data):
    """pref_voting's essential_set is the support of ONE maximal lottery (its LP's vertex): a subset of ours
    (every alternative some maximal lottery uses), equal when the maximal lottery is unique."""
    for k, (prof, ans) in enumerate(answered(data, "essential_set")):
        if k % 10:
            continue
        p = profile(prof)
        ours = RULES["essential_set"].compute(p)
        got = sorted(ours.winners)
        assert set(ans["winners"]) <= set(got), prof["id"]
        if RULES["maximal_lottery"].compute(p).certificate.unique:
            assert got == sorted(ans["winners"]), prof["id"]


@pytest.mark.slow
def test_c1_maximal_lottery_every_profile(data):
    assert len([_c1_check(prof, ans) for prof, ans in answered(data, "c1_maximal_lottery")]) >= 1200
