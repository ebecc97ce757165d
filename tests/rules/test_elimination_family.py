"""The elimination family (aggregation/rules/elimination.py) on textbook examples and paradoxes, against
exact one-ballot-at-a-time references (tests/rules/reference.py) on hypothesis profiles with ties, and as
properties (Condorcet winner, Smith set, majority)."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings

from aggregation import AggregationError, PairwiseData, Profile, RewardPopulation, RuleParams, smith_set
from aggregation.rules import elimination as E
from aggregation.rules.registry import RULES

from ..core.strategies import reward_populations, weak_order_profiles
from . import reference as ref

# The "Tennessee capital" example of Wikipedia's voting-method articles (weights are percentages).
TENNESSEE = Profile.parse("42: M > N > C > K\n26: N > C > K > M\n15: C > K > N > M\n17: K > C > N > M")
# Monotonicity and participation failures in the pattern of Fishburn & Brams (1983), numbers derived here:
# 21 voters elect C (B is eliminated first, its 6 voters move to C: 13 to 8).
RUNOFF = Profile.parse("8: A > B > C\n7: C > A > B\n6: B > C > A")
# 3 of the A > B > C voters move C, the winner, to the top: A is eliminated first, its 5 voters move
# to B, and B beats C 11 to 10: raising the winner made it lose.
RUNOFF_RAISED = Profile.parse("5: A > B > C\n10: C > A > B\n6: B > C > A")
# The same 3 voters stay home instead: A is eliminated first (5), B beats C 11 to 7, and B is their
# second choice, better for them than C (their last): the no-show paradox.
RUNOFF_ABSTAIN = Profile.parse("5: A > B > C\n7: C > A > B\n6: B > C > A")
# Jackpot, Table 1 (Ana, Bob, Carla): Condorcet's paradox.
CYCLE = Profile.parse("R > B > G\nG > R > B\nB > G > R")

SET_RULES = [
    "instant_runoff",
    "instant_runoff_put",
    "plurality_with_runoff",
    "coombs",
    "baldwin",
    "nanson",
    "weak_nanson",
    "benham",
    "tideman_alternative_smith",
    "tideman_alternative_schwartz",
]


def winners(rule_id, population, params=None):
    return RULES[rule_id].compute(population, params).winners


def test_tennessee():
    # IRV: C (15) out, its voters go to K (32); N (26) out, its voters go to K (58 > 50): Knoxville
    assert winners("instant_runoff", TENNESSEE) == ["K"] == winners("instant_runoff_put", TENNESSEE)
    # ranking: K (never eliminated) > M (round 3) > N (round 2) > C (round 1)
    assert RULES["instant_runoff_ranking"].compute(TENNESSEE).values.to_dict() == {
        "M": 3.0,
        "N": 2.0,
        "C": 1.0,
        "K": 4.0,
    }
    assert RULES["instant_runoff_ranking"].compute(TENNESSEE).tie_groups == [["K"], ["M"], ["N"], ["C"]]
    # runoff M (42) vs N (26): N 58 to 42
    assert winners("plurality_with_runoff", TENNESSEE) == ["N"]
    # Coombs: M has the most last places (58) and goes; N then has 68 first places
    assert winners("coombs", TENNESSEE) == ["N"]
    # Nashville is the Condorcet winner: every Condorcet-consistent rule here elects it
    for rule_id in (
        "baldwin",
        "nanson",
        "weak_nanson",
        "benham",
        "tideman_alternative_smith",
        "tideman_alternative_schwartz",
    ):
        assert winners(rule_id, TENNESSEE) == ["N"], rule_id


def test_tennessee_rounds():
    rounds = E.borda_rounds(TENNESSEE, "baldwin").rounds
    assert [r.table["Borda score"].to_dict() for r in rounds] == [
        {"M": 126.0, "N": 194.0, "C": 173.0, "K": 107.0},  # 3, 2, 1, 0 points
        {"M": 84.0, "N": 126.0, "C": 90.0},  # 2, 1, 0 among M, N, C
        {"N": 68.0, "C": 32.0},
        {"N": 0.0},
    ]
    assert [r.eliminated for r in rounds] == [["K"], ["M"], ["C"], []]
    rounds = E.borda_rounds(TENNESSEE, "nanson").rounds  # average 150: M and K below; then C below 50
    assert [r.eliminated for r in rounds] == [["M", "K"], ["C"], []]
    irv = E.instant_runoff_rounds(TENNESSEE)
    assert [r.table["first places"].to_dict() for r in irv.rounds] == [
        {"M": 42.0, "N": 26.0, "C": 15.0, "K": 17.0},
        {"M": 42.0, "N": 26.0, "K": 32.0},
        {"M": 42.0, "K": 58.0},
    ]
    assert irv.order == [["C"], ["N"]]


def test_monotonicity_failure_of_runoff_and_instant_runoff():
    for rule_id in ("instant_runoff", "plurality_with_runoff"):
        assert winners(rule_id, RUNOFF) == ["C"]
        assert winners(rule_id, RUNOFF_RAISED) == ["B"], rule_id  # C was raised and lost


def test_no_show_paradox_of_instant_runoff():
    assert winners("instant_runoff", RUNOFF) == ["C"]
    assert winners("instant_runoff", RUNOFF_ABSTAIN) == ["B"]  # the abstainers (A > B > C) get B, not C


def test_parallel_universes_differ_from_eliminating_ties_together():
    p = Profile.parse("3: A > B > C\n2: B > C > A\n2: C > B > A")
    # B and C tie for fewest (2): together they go and A wins (though both beat A 4 to 3) ...
    assert winners("instant_runoff", p) == ["A"]
    # ... one at a time: without B, C has 4 of 7; without C, B has 4 of 7
    assert winners("instant_runoff_put", p) == ["B", "C"]
    steps = RULES["instant_runoff_put"].trace(p, RuleParams())
    assert "tied: one universe per choice of who goes" in steps[0].text and steps[-1].highlight == ("B", "C")


def test_strict_and_weak_nanson_differ():
    # Borda A 6, B 5, C 4, average 5; B beats A 3 to 2
    p = Profile.parse("2: A > C > B\n2: B > A > C\n1: C > B > A")
    assert winners("nanson", p) == ["B"]  # only C is below the average; then B beats A
    assert winners("weak_nanson", p) == ["A"]  # B (at the average) and C go together
    assert winners("baldwin", p) == ["B"]


def test_tideman_smith_and_schwartz_differ():
    # A beats B 3 to 1; A-C and B-C are exact ties: Smith {A, B, C}, Schwartz {A, C}
    p = Profile.parse("1: A > B > C\n1: B > A > C\n2: C > A > B")
    M = p.margins().to_numpy()
    assert E.smith_indices(M).tolist() == [0, 1, 2] and E.schwartz_indices(M).tolist() == [0, 2]
    assert winners("tideman_alternative_smith", p) == ["C"]  # A and B (1 first place each) go
    assert winners("tideman_alternative_schwartz", p) == ["A", "C"]  # among {A, C}: 2 first places each
    steps = RULES["tideman_alternative_schwartz"].trace(p, RuleParams())
    assert steps[0].text == "The Schwartz set of the remaining is {A, C}: B is outside it, eliminated."


def test_condorcet_paradox_elects_everyone():
    for rule_id in SET_RULES:
        assert winners(rule_id, CYCLE) == ["R", "B", "G"], rule_id  # every alternative (population order)
    assert RULES["instant_runoff_ranking"].compute(CYCLE).tie_groups == [["R", "B", "G"]]


def test_ties_inside_ballots_split_first_and_last_places():
    # first places: A 1, B 1 + 1, C 1 (the A = B ballots split); no majority of 4; A and C go: B wins
    # (counting a top tie fully for each, "approval", would eliminate C alone and tie A and B)
    p = Profile.parse("2: A = B > C\n1: C > A > B\n1: B > C > A")
    assert E.instant_runoff_rounds(p).rounds[0].table["first places"].to_dict() == {"A": 1.0, "B": 2.0, "C": 1.0}
    assert winners("instant_runoff", p) == ["B"]
    # Coombs: last places A 1 + 1/2 + 1/2... (the C > A = B ballot splits its last place)
    q = Profile.parse("1: C > A = B\n1: A > B > C\n1: B > C > A")
    assert E.coombs_rounds(q).rounds[0].table["last places"].to_dict() == {"A": 1.5, "B": 0.5, "C": 1.0}
    assert winners("coombs", q) == ["B"]  # A goes; B then beats C 2 to 1 in first places


def test_a_majority_stops_the_count_exactly_above_half():
    # 2 of 4 first places is not a majority: instant runoff goes on (B and C, 1 each, go together) ...
    p = Profile.parse("2: A > B > C\n1: B > C > A\n1: C > B > A")
    assert len(E.instant_runoff_rounds(p).rounds) == 2 and winners("instant_runoff", p) == ["A"]
    # ... and so does Coombs, where it matters: A and C have 2 last places each and go; B wins
    assert winners("coombs", p) == ["B"]
    assert winners("coombs", Profile.parse("3: A > B > C\n2: B > C > A")) == ["A"]  # 3 of 5 at once


@settings(max_examples=120, deadline=None)
@given(weak_order_profiles(max_m=5, max_n=7))
def test_every_rule_equals_its_reference(p):
    b, alts = ref.ballots_of(p), p.alternatives
    expected = {
        "instant_runoff": ref.instant_runoff(b, alts),
        "instant_runoff_put": ref.instant_runoff_put(b, alts),
        "plurality_with_runoff": ref.plurality_with_runoff(b, alts),
        "coombs": ref.coombs(b, alts),
        "baldwin": ref.borda_elimination(b, alts, "baldwin"),
        "nanson": ref.borda_elimination(b, alts, "nanson"),
        "weak_nanson": ref.borda_elimination(b, alts, "weak_nanson"),
        "benham": ref.benham(b, alts),
        "tideman_alternative_smith": ref.tideman(b, alts, "smith"),
        "tideman_alternative_schwartz": ref.tideman(b, alts, "schwartz"),
    }
    for rule_id, want in expected.items():
        assert sorted(winners(rule_id, p)) == sorted(want), rule_id
    ranking = RULES["instant_runoff_ranking"].compute(p).tie_groups
    assert [sorted(g) for g in ranking] == ref.instant_runoff_order(b, alts)


@settings(max_examples=40, deadline=None)
@given(weak_order_profiles(max_m=4, max_n=6, integer_weights=False))
def test_fractional_weights_equal_the_reference(p):
    b, alts = ref.ballots_of(p), p.alternatives
    assert sorted(winners("instant_runoff", p)) == ref.instant_runoff(b, alts)
    assert sorted(winners("coombs", p)) == ref.coombs(b, alts)
    assert sorted(winners("baldwin", p)) == ref.borda_elimination(b, alts, "baldwin")


@settings(max_examples=25, deadline=None)
@given(reward_populations(min_m=3, max_m=4, max_types=3))
def test_user_types_run_on_their_plackett_luce_rankings(pop):
    # the reference reads the rankings of the expansion, whose weights are checked against Plackett-Luce here
    expansion = pop.plackett_luce_profile()
    rewards = pop.rewards / pop.temperature
    for groups, weight in zip(expansion.rankings, expansion.weights):
        order = [g[0] for g in groups]
        want = sum(
            share * ref.plackett_luce_probability(order, {a: np.exp(r) for a, r in rewards.loc[t].items()})
            for share, t in zip(pop.shares, pop.types)
        )
        assert weight == pytest.approx(pop.total_weight * want, rel=1e-9)
    assert expansion.total_weight == pytest.approx(pop.total_weight)
    assert np.allclose(expansion.preference_matrix(), pop.preference_matrix(), atol=1e-12)
    # probabilities that are equal in theory (equal rewards) differ in the last bit as floats: the reference
    # reads them as the nearest fractions with denominators up to 10^9, where they are equal again
    # Sums can tie in theory too (u0 a=-1, b=0 and u1 a=1, b=0 put a above b with probability 1/2 exactly, so IRV
    # ties a and b after c leaves): the rule's tolerance sees that tie, the rounded fractions may not; so the
    # reference's winners must be among ours, and ours are exactly the expansion's.
    b = [(w.limit_denominator(10**9), groups) for w, groups in ref.ballots_of(expansion)]
    for rule_id, reference in [("instant_runoff", ref.instant_runoff), ("coombs", ref.coombs), ("benham", ref.benham)]:
        ours = sorted(winners(rule_id, pop))
        assert ours == sorted(winners(rule_id, expansion)), rule_id
        assert set(reference(b, pop.alternatives)) <= set(ours), rule_id
        if len(ours) == 1:
            assert reference(b, pop.alternatives) == ours, rule_id


@settings(max_examples=100, deadline=None)
@given(weak_order_profiles(max_m=6, max_n=7))
def test_condorcet_smith_and_majority_properties(p):
    M = p.margins().to_numpy()
    cw = E.condorcet_index(M)
    smith = set(smith_set(p))
    first = p.unique_first_shares()
    majority = [a for a, s in first.items() if s > 0.5 + 1e-9]
    for rule_id in (
        "baldwin",
        "nanson",
        "weak_nanson",
        "benham",
        "tideman_alternative_smith",
        "tideman_alternative_schwartz",
    ):
        got = winners(rule_id, p)
        if cw is not None:  # Condorcet-consistent
            assert got == [p.alternatives[cw]], rule_id
        if rule_id != "benham":  # Smith-efficient (Benham is not)
            assert set(got) <= smith, rule_id
    for rule_id in SET_RULES:  # majority criterion
        if majority:
            assert winners(rule_id, p) == majority, rule_id


def _relabel(p: Profile, mapping: dict) -> Profile:
    return Profile(p.levels, [mapping[a] for a in p.alternatives], p.weights)


FAMILY_RULES = [r for r, rule in RULES.items() if rule.family in ("scoring", "elimination")]


@settings(max_examples=40, deadline=None)
@given(weak_order_profiles(min_m=3, max_m=5, max_n=6))
def test_anonymity_neutrality_and_weights_as_repeated_ballots(p):
    n = p.n_rankings
    rng = np.random.default_rng(n * 7 + len(p.alternatives))
    order = rng.permutation(n)
    shuffled = Profile(p.levels[order], p.alternatives, p.weights[order])
    names = p.alternatives
    renamed = {a: f"x{k}" for a, k in zip(names, rng.permutation(len(names)))}
    relabelled = _relabel(p, renamed)
    repeated = Profile(np.repeat(p.levels, p.weights.astype(int), axis=0), names)
    for rule_id in FAMILY_RULES:
        rule = RULES[rule_id]
        if not rule.applies_to(p)[0]:
            continue
        base = rule.compute(p).values
        assert rule.compute(shuffled).values.to_numpy() == pytest.approx(base.to_numpy(), abs=1e-9), rule_id
        moved = rule.compute(relabelled).values
        assert [moved[renamed[a]] for a in names] == pytest.approx(base.to_list(), abs=1e-9), rule_id
        assert rule.compute(repeated).values.to_numpy() == pytest.approx(base.to_numpy(), abs=1e-9), rule_id


def test_parallel_universes_refuse_beyond_their_budget():
    m = 16  # a Latin square: every alternative first for one voter
    orders = [[(i + j) % m for j in range(m)] for i in range(m)]
    p = Profile.from_orders(np.array(orders), [f"a{i}" for i in range(m)])
    ok, reason = RULES["instant_runoff_put"].applies_to(p)
    assert not ok and f"more than {E.PUT_MAX_STATES:,} sets of remaining alternatives" in reason
    with pytest.raises(AggregationError, match="ties branch into more than"):
        E.instant_runoff_put(p)
    assert winners("instant_runoff", p) == p.alternatives  # all tied: all win


def test_who_applies_to_what():
    data = PairwiseData(pd.DataFrame({"chosen": ["a", "b", "c"], "rejected": ["b", "c", "a"]}))
    for rule_id in ("baldwin", "nanson", "weak_nanson"):  # Borda among the remaining reads P only
        assert RULES[rule_id].applies_to(data) == (True, "")
    assert winners("baldwin", data) == ["a", "b", "c"]  # a cycle of single comparisons
    P = TENNESSEE.preference_matrix()
    assert winners("baldwin", P) == ["N"] and winners("weak_nanson", P) == ["N"]
    for rule_id in set(SET_RULES) - {"baldwin", "nanson", "weak_nanson"}:
        ok, reason = RULES[rule_id].applies_to(data)
        assert not ok and "only records who won each pair" in reason, rule_id
    wide = RewardPopulation(pd.DataFrame(np.zeros((1, 9)), columns=list("abcdefghi")))
    assert not RULES["coombs"].applies_to(wide)[0] and RULES["baldwin"].applies_to(wide)[0]


def test_traces():
    steps = RULES["instant_runoff"].trace(TENNESSEE, RuleParams())
    assert [s.title for s in steps] == ["Round 1", "Round 2", "Round 3", "Winner"]
    assert steps[0].text.startswith("Fewest first places: C (15), eliminated") and steps[0].highlight == ("C",)
    assert steps[1].table["moved in"].to_dict() == {"M": "", "N": "", "K": "+15"}
    assert steps[2].table["moved in"].to_dict() == {"M": "", "K": "+26"}
    assert "K has 58 first places, more than half of the total weight (100): it wins." == steps[2].text
    assert steps[-1].text == "Instant runoff elects K." and steps[-1].highlight == ("K",)
    ranking = RULES["instant_runoff_ranking"].trace(TENNESSEE, RuleParams())
    assert ranking[-1].text == "The ranking is the elimination order reversed: K > M > N > C."
    runoff = RULES["plurality_with_runoff"].trace(TENNESSEE, RuleParams())
    assert runoff[0].highlight == ("C", "K")  # out before the runoff
    assert runoff[1].text == "Runoff: N beats M (58 to 42)."
    coombs = RULES["coombs"].trace(TENNESSEE, RuleParams())
    assert "most last places: M (58), eliminated." in coombs[0].text
    benham = RULES["benham"].trace(RUNOFF, RuleParams())
    assert benham[0].text.startswith(
        "No remaining alternative beats all the others head-to-head; fewest first places: B (6)"
    )
    tideman = RULES["tideman_alternative_smith"].trace(TENNESSEE, RuleParams())
    assert tideman[0].text == "The Smith set of the remaining is {N}: M, C and K are outside it, eliminated."
    for rule_id in ("baldwin", "nanson", "weak_nanson"):
        assert RULES[rule_id].trace(TENNESSEE, RuleParams())[-1].highlight == ("N",)
    put = RULES["instant_runoff_put"].trace(TENNESSEE, RuleParams())
    assert put[-1].highlight == ("K",) and put[0].text.startswith("Remaining {M, N, C, K}: fewest first places: C")


def test_equal_rewards_tie_everyone():
    # one user type indifferent in reward: its Plackett-Luce rankings are uniform, equal up to rounding
    pop = RewardPopulation({"u": {"a": 0.0, "b": 0.0, "c": 0.0}}, temperature=0.7)
    for rule_id in [*SET_RULES, "simplified_bucklin"]:
        assert winners(rule_id, pop) == ["a", "b", "c"], rule_id
    assert RULES["instant_runoff_ranking"].compute(pop).tie_groups == [["a", "b", "c"]]


def test_a_tie_of_sums_in_plackett_luce_rankings_is_a_tie():
    """u0 (a -1, b 0, c 0) and u1 (a 1, b 0, c -1), equal shares: c has the fewest first places
    (e^0/(e^-1+2) / 2 + e^-1/(e^1+1+e^-1) / 2 = 0.2562 of the weight), and once it leaves a is above b with
    probability sigma(-1)/2 + sigma(1)/2 = 1/2 exactly: IRV ties a and b."""
    pop = RewardPopulation(
        pd.DataFrame([[-1.0, 0.0, 0.0], [1.0, 0.0, -1.0]], index=["u0", "u1"], columns=["a", "b", "c"])
    )
    assert winners("instant_runoff", pop) == ["a", "b"]
