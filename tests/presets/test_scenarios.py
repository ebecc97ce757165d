"""The library: every scenario is complete, self-explaining, and every claim holds."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import minimize_scalar

import presets
from aggregation import Profile, RewardPopulation, maximal_lottery
from presets.library import SCENARIO_DIR

from .reference import kwin_rates_by_enumeration, kwin_rates_plackett_luce, two_response_mpne, two_response_robust_rate

SCENARIOS = presets.list()
IDS = [s.id for s in SCENARIOS]

#: Asked for by issue 4, by id.
REQUIRED = {
    "jackpot_majority",
    "jackpot_iia",
    "jackpot_cycle",
    "hetero_sampling",
    "hetero_temperature",
    "hetero_mediocrity",
    "hetero_iia",
    "hetero_tyranny",
    "hetero_bt_mixture",
    "testtime_nlhf_collapse",
    "testtime_plackett_luce",
    "testtime_uniform_permutations",
    "ranked_choice_mnl_mallows",
    "clone_plurality",
    "impartial_culture_smith",
    "opinion_scale_groups",
}


# ----------------------------------------------------------------------------- the collection
def test_the_library_holds_the_required_scenarios_in_teaching_order():
    assert set(IDS) == REQUIRED
    assert IDS == list(presets.TEACHING_ORDER)
    assert sorted(p.stem for p in SCENARIO_DIR.glob("*.toml")) == sorted(IDS)


def test_load_returns_the_listed_scenario_and_rejects_unknown_ids():
    assert presets.load("jackpot_cycle") is SCENARIOS[IDS.index("jackpot_cycle")]
    with pytest.raises(presets.AggregationError, match=r"unknown scenario 'jackpot' \(known: jackpot_majority, "):
        presets.load("jackpot")


@pytest.mark.parametrize("scenario", SCENARIOS, ids=IDS)
def test_each_scenario_explains_itself(scenario):
    assert scenario.title.strip() and len(scenario.title) <= 80
    assert scenario.summary.strip() and "\n" not in scenario.summary and len(scenario.summary) <= 120
    words = scenario.narrative.split()
    assert 60 <= len(words) <= 160, len(words)  # one paragraph a newcomer reads in a minute
    assert "\n\n" not in scenario.narrative.strip()
    assert scenario.property.strip()
    assert "arXiv" in scenario.source.entry.venue and scenario.source.section.strip()
    assert scenario.source.url.startswith("https://arxiv.org/abs/")
    assert scenario.page in presets.PAGES
    assert scenario.note.strip()
    if scenario.constructed:
        assert any(w in scenario.note.lower() for w in ("constructed", "made-up", "seeded"))
    assert len(scenario.claims) >= 5
    assert all(c.text and not c.text[0].islower() for c in scenario.claims)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=IDS)
def test_each_scenario_file_starts_with_its_derivation(scenario):
    text = (SCENARIO_DIR / f"{scenario.id}.toml").read_text(encoding="utf-8")
    comments = [line for line in text.splitlines()[:12] if line.startswith("#")]
    assert len(comments) >= 3


def test_pages_match_what_the_scenarios_demonstrate():
    by_page = {s.id: s.page for s in SCENARIOS}
    assert {i for i, p in by_page.items() if p == "testtime"} == {
        "testtime_nlhf_collapse",
        "testtime_plackett_luce",
        "testtime_uniform_permutations",
    }
    assert by_page["hetero_sampling"] == "sampling"
    assert by_page["ranked_choice_mnl_mallows"] == "ranked-choice"
    for s in SCENARIOS:
        assert any(_is_test_time(c) for c in s.claims) == (s.page == "testtime")


def test_the_core_never_pulls_in_streamlit():
    code = "import sys, presets; presets.list(); sys.exit('streamlit' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).parents[2]).returncode == 0


# ----------------------------------------------------------------------------- claims
def _is_test_time(claim) -> bool:
    """Claims about k-sample win rates or the k-sample policies."""
    f = claim.fields
    return (
        claim.kind in ("kwin_rate", "robust_rate")
        or f.get("policy") in ("mpne", "robust")
        or f.get("rule") in ("mpne", "robust")
    )


@pytest.mark.parametrize("scenario", SCENARIOS, ids=IDS)
def test_every_claim_holds(scenario):
    results = presets.evaluate(scenario)
    assert [r.text for r in results] == [c.text for c in scenario.claims]
    for result in results:
        assert result.passed is True, f"{result.text}: observed {result.observed_text}"


TESTTIME = [s for s in SCENARIOS if any(_is_test_time(c) for c in s.claims)]


# ----------------------------------------------------------------------------- test-time numbers by brute force
def _reference_policy(scenario, name, k):
    names = scenario.alternatives
    if isinstance(name, dict):
        return {a: float(name[a]) for a in names}
    if name == "maximal_lottery":
        return maximal_lottery(scenario.population).values.to_dict()
    if name == "uniform":
        return dict.fromkeys(names, 1.0 / len(names))
    if name in ("mpne", "robust") and scenario.id == "testtime_nlhf_collapse":
        share = float(scenario.population.preference_matrix().loc["y1", "y2"])
        if name == "mpne":
            q = two_response_mpne(share, k)
        else:  # maximise the robust rate over the one free probability
            q = minimize_scalar(
                lambda p: -two_response_robust_rate(share, p, k),
                bounds=(0, 1),
                method="bounded",
                options={"xatol": 1e-12},
            ).x
        return {"y1": q, "y2": 1 - q}
    if name in ("mpne", "robust"):
        # every response plays the same role in these two populations: the uniform policy is a
        # symmetric equilibrium, and the best robust policy (the problem is concave and
        # symmetric; see test_uniform_is_optimal_on_the_symmetric_populations; with equal
        # Plackett-Luce rewards every policy wins exactly k/(k+1), Proposition 3.2)
        return dict.fromkeys(names, 1.0 / len(names))
    raise AssertionError(name)


def _reference_rates(scenario, policy, k):
    pop = scenario.population
    if isinstance(pop, Profile):
        return kwin_rates_by_enumeration(pop, policy, k)
    assert isinstance(pop, RewardPopulation)
    return kwin_rates_plackett_luce(pop, policy, k)


TESTTIME_CLAIMS = [(s, c) for s in TESTTIME for c in s.claims if _is_test_time(c)]


@pytest.mark.parametrize("scenario, claim", TESTTIME_CLAIMS, ids=[f"{s.id}: {c.text}" for s, c in TESTTIME_CLAIMS])
def test_test_time_claims_agree_with_brute_force(scenario, claim):
    f = claim.fields
    k = f.get("k", scenario.k)
    policy = _reference_policy(scenario, f["policy"], k)
    if claim.kind == "probability":
        value = policy[f["alternative"]]
    else:
        rates = _reference_rates(scenario, policy, k)
        value = rates[f["opponent"]] if claim.kind == "kwin_rate" else min(rates.values())
    assert claim.accepts(value), f"reference value {value!r}"


def test_brute_force_reference_matches_hand_derivations():
    s = presets.load("testtime_uniform_permutations")
    uniform = dict.fromkeys(s.alternatives, 0.25)
    assert kwin_rates_by_enumeration(s.population, uniform, 2)["C"] == pytest.approx(25 / 32, abs=1e-15)
    assert kwin_rates_by_enumeration(s.population, uniform, 4)["A"] == pytest.approx(463 / 512, abs=1e-15)
    nlhf = presets.load("testtime_nlhf_collapse")
    rates = kwin_rates_by_enumeration(nlhf.population, {"y1": 1.0, "y2": 0.0}, 16)
    assert rates == pytest.approx({"y1": 1.0, "y2": 0.55}, abs=1e-15)
    q = two_response_mpne(0.55, 4)
    assert q == pytest.approx(1 / (1 + (0.45 / 0.55) ** 0.25), abs=1e-12)
    assert two_response_mpne(0.55, 1) == pytest.approx(0.55, abs=1e-12)  # MPNE_1 is not the maximal lottery
    # Proposition 3.2 (C.2): five equally rewarded answers, any policy, four draws: exactly 4/5
    pl = presets.load("testtime_plackett_luce")
    for policy in (
        dict.fromkeys("ABCDE", 0.2),
        {"A": 1.0, "B": 0, "C": 0, "D": 0, "E": 0},
        {"A": 0.5, "B": 0.3, "C": 0.2, "D": 0, "E": 0},
    ):
        assert kwin_rates_plackett_luce(pl.population, policy, 4) == pytest.approx(
            dict.fromkeys("ABCDE", 0.8), abs=1e-13
        )
    # unequal weights by hand: w = (1, 2), pi = (1/2, 1/2), k = 2 against the first response:
    # 1/4 * 2/3 + 1/2 * 3/4 + 1/4 * 4/5 = 89/120
    two = RewardPopulation({"u": {"a": 0.0, "b": float(np.log(2.0))}})
    assert kwin_rates_plackett_luce(two, {"a": 0.5, "b": 0.5}, 2)["a"] == pytest.approx(89 / 120, abs=1e-15)


@pytest.mark.parametrize("scenario_id, k", [("testtime_uniform_permutations", 2), ("testtime_uniform_permutations", 1)])
def test_uniform_is_optimal_on_the_symmetric_populations(scenario_id, k):
    s = presets.load(scenario_id)
    names = s.alternatives
    best = min(kwin_rates_by_enumeration(s.population, dict.fromkeys(names, 1 / len(names)), k).values())
    rng = np.random.default_rng(0)
    for _ in range(60):
        p = rng.dirichlet(np.full(len(names), rng.choice([0.5, 5.0, 50.0])))
        rate = min(kwin_rates_by_enumeration(s.population, dict(zip(names, p)), k).values())
        assert rate <= best + 1e-12


def test_ranked_choice_claims_agree_with_enumerating_every_ranking():
    from tests.choice.reference import marginalise, mallows_rmj_rankings, plackett_luce_rankings

    s = presets.load("ranked_choice_mnl_mallows")
    utilities = s.choice.utilities.to_dict()
    rankings = {
        "mnl": plackett_luce_rankings(utilities),
        "mallows_rmj": mallows_rmj_rankings(list(s.choice.central_ranking), s.choice.phi),
    }
    for claim in s.claims:
        if claim.kind != "choice_probability":
            continue
        top = tuple(claim.fields["top"])
        value = marginalise(rankings[claim.fields["model"]], list(s.choice.assortment), len(top))[top]
        assert claim.accepts(value), (claim.text, value)
