"""The phase-2 screens through AppTest (from app.py): the gallery, scenarios and generators on
Population, MPNE_k and the robust policy on Rules, Test-time scaling, Properties, Ranked choice;
links that carry k; and the messages for bad input.

Hand-derived numbers used below:

* ``testtime_nlhf_collapse`` (55 voters y1 > y2, 45 voters y2 > y1). The uniform policy sampled k
  times loses to a rival y only when all k samples are the other answer and the voter prefers y:
  against y1 that is (1/2)^k * 0.55, against y2 (1/2)^k * 0.45. So f(1) = 1 - 0.275 = 0.725 and
  f(4) = 1 - 0.55/16 = 0.965625, both against y1; the maximal lottery (always y1) wins 0.55
  against y2 for every k.
* Jackpot, Figure 1 (2 x R > G > B, 3 x B > R > G): a random voter's first choice from {R, G, B}
  is R 2/5, B 3/5; its top-2 list is R > G (2/5) or B > R (3/5). Without G, Borda gives R 2 and
  B 3, so removing G flips Borda's winner from R to B.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import presets
from aggregation import (
    PROPERTIES,
    PairwiseData,
    Profile,
    RewardPopulation,
    check_rule,
    mpne,
    population_topk_table,
    reward_mixture,
    robust_policy,
    sample_comparisons,
)
from aggregation.properties import cost as property_cost
from aggregation.testtime import cost as game_cost
from ui import compute, explain, files, generator_panel, shell, state, urls

from .conftest import open_page


def finish_background(at) -> None:
    """Wait for the computations the page started in the background (ui.background), then rerun it."""
    from ui import background

    for job in list(background._JOBS.values()):
        if job.thread is not None:
            job.thread.join(120)
    at.run()


from .markdown import rendered

FIGURE_1 = Profile.parse(state.JACKPOT_FIGURE_1)


def texts(elements) -> str:
    """The elements' text as rendered (user text in them is escaped markdown)."""
    return "\n".join(rendered(e.value) for e in elements)


def table(at, key: str) -> pd.DataFrame:
    return at.get_by_key(key).dataframe[0].value


def rules_row(at, label: str) -> pd.Series:
    return table(at, "rules_table").drop(columns="unit").loc[label].astype(float)


def with_population(app, model, title: str = "a test population"):
    app.session_state[state.POPULATION_KEY] = model
    app.session_state[state.ORIGIN_KEY] = state.Origin(title)
    return app


# ----------------------------------------------------------------------------- home: the gallery
def test_the_gallery_shows_one_card_per_scenario(app):
    at = open_page(app, None)
    for scenario in presets.list():
        card = at.get_by_key(f"card_{scenario.id}")
        shown = texts(card.markdown) + "\n" + texts(card.caption)
        assert f"**{scenario.title}**" in shown and scenario.summary in shown
        assert f"**At stake:** {scenario.property}" in shown
        assert f"]({scenario.source.url})" in shown
        assert ("Constructed example" in shown) == scenario.constructed
        if scenario.constructed:
            assert scenario.note in shown
        button = at.button(key=f"open_{scenario.id}")
        assert button.label == f"Open on {shell.page(scenario.page).title}"


def test_a_card_opens_its_page_with_the_scenario_and_a_link_that_reproduces_it(app):
    at = open_page(app, None)
    at.button(key="open_testtime_uniform_permutations").click().run()
    scenario = presets.load("testtime_uniform_permutations")
    assert at.title[0].value == "Test-time scaling"
    assert dict(at.query_params) == {"scenario": "testtime_uniform_permutations", "k": "2"}  # k = 2 in the file
    assert at.number_input(key=urls.K_KEY).value == 2
    assert at.session_state[state.ORIGIN_KEY] == state.Origin(scenario.title, scenario.id)
    # the scenario's own claim: the uniform policy over 24 opposed voters reaches 25/32 with two samples
    assert table(at, "testtime_summary").at["uniform", "robust rate f(k)"] == pytest.approx(25 / 32, abs=1e-12)


def test_a_card_reloads_its_scenario_after_hand_edits(app):
    # a session that loaded jackpot_majority through its link, then edited the population by hand
    # (AppTest cannot switch back to a home page defined as a function, so the session starts there)
    app.query_params["scenario"] = "jackpot_majority"
    app.session_state["_link_params_seen"] = {"scenario": "jackpot_majority", "temperature": None, "D": None}
    app.session_state[state.POPULATION_KEY] = Profile.parse("4: R > G > B\n3: B > R > G")
    app.session_state[state.ORIGIN_KEY] = state.Origin(
        presets.load("jackpot_majority").title, "jackpot_majority", edited=True
    )
    at = open_page(app, None)
    assert at.session_state[state.ORIGIN_KEY].edited  # the link named the scenario the session already had
    at.button(key="open_jackpot_majority").click().run()
    assert at.title[0].value == "Rules side by side"
    assert not at.session_state[state.ORIGIN_KEY].edited
    assert at.session_state[state.POPULATION_KEY].to_text() == "2: R > G > B\n3: B > R > G\n"


# ----------------------------------------------------------------------------- links carrying k
def test_a_link_with_a_scenario_and_k_opens_that_k(app):
    app.query_params["scenario"] = "testtime_nlhf_collapse"
    app.query_params["k"] = "16"
    at = open_page(app, "testtime")
    assert at.number_input(key=urls.K_KEY).value == 16
    summary = table(at, "testtime_summary")
    assert summary.at["NLHF (maximal lottery)", "robust rate f(k)"] == pytest.approx(0.55, abs=1e-12)
    assert summary.at["NLHF (maximal lottery)", "worst-case opponent"] == "y2"
    # the curve spans k = 1..16 and carries the k/(k+1) reference
    curve_keys = [c for c in at.get("plotly_chart")]
    assert curve_keys, "the curve is drawn"
    assert f"With **k = 16** samples the guarantee is k/(k+1) = **{16 / 17:.4f}**" in texts(at.markdown)


@pytest.mark.parametrize("params", [{"k": "abc"}, {"k": "0"}, {"beta": "-3"}, {"k": "500"}])
def test_bad_controls_in_a_link_fall_back_to_the_defaults(app, params):
    for key, value in params.items():
        app.query_params[key] = value
    at = open_page(app, "testtime")
    assert not at.exception and not at.error
    assert at.number_input(key=urls.K_KEY).value == 4
    assert at.number_input(key=urls.BETA_KEY).value == 1.0


# ----------------------------------------------------------------------------- rules: MPNE_k, robust policy
def test_rules_show_mpne_and_the_robust_policy_with_their_certificates(app):
    app.query_params["k"] = "1"
    at = open_page(app, "rules")
    mp, rb = mpne(FIGURE_1, 1), robust_policy(FIGURE_1, 1)
    assert rules_row(at, "MPNE_k").to_dict() == pytest.approx(mp.values.to_dict(), abs=1e-12)
    assert rules_row(at, "Robust policy_k").to_dict() == pytest.approx(rb.values.to_dict(), abs=1e-12)
    assert table(at, "rules_table").at["MPNE_k", "unit"] == "probability, k = 1"
    captions = texts(at.caption)
    assert "**MPNE_k** (k = 1): an equilibrium to solver accuracy" in captions
    assert f"wins at least **{mp.certificate.guarantee:.4g}**" in captions
    assert "**Robust policy_k** (k = 1): optimal to solver accuracy" in captions
    assert [p.proto.page for p in at.get("page_link") if p.proto.label == "Train on this population"] == ["fine-tuning"]


def test_large_games_wait_for_the_user(app, monkeypatch):
    monkeypatch.setattr(game_cost, "GAME_BUDGET", 0)  # every game counts as large (the core's one budget)
    at = open_page(app, "rules")
    assert "MPNE_k" not in table(at, "rules_table").index
    assert "solve a game over 6 (ranking × response) cells" in texts(at.info)  # 2 distinct rankings x 3
    at.button(key="rules_games").click().run()
    finish_background(at)  # asked for, it is solved in the background
    assert rules_row(at, "MPNE_k").to_dict() == pytest.approx(mpne(FIGURE_1, 4).values.to_dict(), abs=1e-12)
    at.switch_page(shell.page("testtime").path).run()  # the request holds for this population and k
    finish_background(at)  # the test-time page solves it in the background
    assert "MPNE_k" in table(at, "testtime_summary").index
    assert "testtime_games" not in {b.key for b in at.button}


def test_games_over_a_second_start_in_the_background_unasked(app, monkeypatch):
    """Within the budget but predicted to take more than a second (here: every game, the inline limit set to
    0), the Rules page starts MPNE_k and the robust policy in the background without a button; the page runs
    meanwhile without them (no game rule in its table), then shows them once the job is done."""
    import threading

    from ui import background, compute

    monkeypatch.setattr(background, "INLINE_SECONDS", -1.0)
    monkeypatch.setattr(background, "_JOBS", {})  # no job of an earlier test of this process
    gate, solve = threading.Event(), compute.rules_games  # the job waits until the page's run is checked
    monkeypatch.setattr(compute, "rules_games", lambda *args: (gate.wait(60), solve(*args)))
    at = open_page(app, "rules")
    assert "MPNE_k" not in table(at, "rules_table").index
    assert "rules_games" not in {b.key for b in at.button}  # not asked: it started by itself
    jobs = [job for key, job in background._JOBS.items() if key[0] == "rules_games"]
    assert len(jobs) == 1 and jobs[0].label == "Solving MPNE_4 and the robust policy" and jobs[0].alive
    gate.set()
    finish_background(at)
    assert rules_row(at, "MPNE_k").to_dict() == pytest.approx(mpne(FIGURE_1, 4).values.to_dict(), abs=1e-12)


# ----------------------------------------------------------------------------- test-time scaling
def test_testtime_numbers_by_hand(app):
    app.query_params["scenario"] = "testtime_nlhf_collapse"
    app.query_params["k"] = "1"
    at = open_page(app, "testtime")
    summary = table(at, "testtime_summary")
    assert summary.at["uniform", "robust rate f(k)"] == pytest.approx(0.725, abs=1e-12)
    assert summary.at["uniform", "worst-case opponent"] == "y1"
    assert summary.at["uniform", "how it is computed"] == "exact (closed form)"
    rates = table(at, "testtime_rates")
    assert rates.loc["uniform"].to_dict() == pytest.approx({"y1": 0.725, "y2": 0.775}, abs=1e-12)
    at.number_input(key=urls.K_KEY).set_value(4).run()
    summary = table(at, "testtime_summary")
    assert summary.at["uniform", "robust rate f(k)"] == pytest.approx(1 - 0.55 / 16, abs=1e-12)
    assert summary.at["NLHF (maximal lottery)", "robust rate f(k)"] == pytest.approx(0.55, abs=1e-12)
    assert "ties go to the model" in texts(at.markdown)
    assert "MPNE_4** (the equilibrium of the 5-player game)" in texts(at.markdown)


def test_pairwise_comparisons_are_shown_for_k_1_with_the_core_reason(app):
    with_population(app, sample_comparisons(FIGURE_1, 200, seed=3), "comparisons")
    at = open_page(app, "testtime")
    assert "k = 4: this population holds only pairwise win rates" in texts(
        at.warning
    ) and "The numbers below are for k = 1." in texts(at.warning)
    assert list(table(at, "testtime_summary").index)[:2] == ["RLHF / DPO (Borda-like)", "NLHF (maximal lottery)"]
    assert not at.exception and not at.error


def test_user_types_over_nine_answers_get_mpne(app):
    # the former limit of 8 alternatives (all m! rankings) is gone: the Plackett-Luce game is integrated
    with_population(app, reward_mixture(2, 9, seed=1))
    at = open_page(app, "testtime")
    summary = table(at, "testtime_summary")
    # Plackett-Luce: E_{y~pi} U(y; pi) = 1/(k+1) for every pi, so an equilibrium guarantees exactly k/(k+1)
    assert summary.at["MPNE_k", "robust rate f(k)"] == pytest.approx(4 / 5, abs=1e-9)
    assert "Plackett–Luce set comparison" in texts(at.markdown)
    assert not at.exception and not at.error


def test_large_user_populations_are_integrated_with_a_stated_error(app):
    with_population(app, reward_mixture(2, 30, seed=3))
    app.query_params["k"] = "6"
    at = open_page(app, "testtime")
    summary = table(at, "testtime_summary")
    # the uniform policy spreads over all 30 answers: C(35, 6) multisets of 6 samples are too many to enumerate
    assert summary.at["uniform", "how it is computed"].startswith("numerical integration, error < 1e-1")
    assert "± standard error" not in summary.columns
    rates = table(at, "testtime_rates")
    assert 0 < float(rates.at["uniform", "A"]) < 1


def test_beyond_one_policy_by_hand(app):
    """Proposition 4.1's population (55 voters y1 > y2, 45 y2 > y1) at k = 4. Theorem 3.1: the
    4-output policy that shows both answers contains everyone's favourite: it wins always. Theorem
    4.5: MPNE_4 (q = 0.512539 on y1) sampled once loses to y1 when it draws y2 and the voter
    prefers y1: 1 - 0.55 (1 - q). Appendix D.7: against the rival set {y1, y2} it loses when all four
    draws are the voter's second choice: 1 - 0.55 (1 - q)^4 - 0.45 q^4."""
    app.query_params["scenario"] = "testtime_nlhf_collapse"
    at = open_page(app, "testtime")
    multi = table(at, "testtime_multi_output")
    assert multi["probability"].sum() == pytest.approx(1.0) and all("y1" in s and "y2" in s for s in multi.index)
    assert "best 4-output policy wins at least **1** against every rival answer" in texts(at.markdown)
    q = float(mpne(Profile.from_rankings([["y1", "y2"], ["y2", "y1"]], [0.55, 0.45]), 4)["y1"])
    resampling = table(at, "testtime_resampling_table")
    assert list(resampling.index) == list(range(1, 9))
    assert resampling.at[1, "robust rate"] == pytest.approx(1 - 0.55 * (1 - q), abs=1e-12)
    assert resampling.at[1, "bound min(k, l)/(k+1)"] == pytest.approx(1 / 5)
    opponents = table(at, "testtime_opponent_sets")
    assert list(opponents.index) == [1, 2, 3, 4]
    assert opponents.at[2, "robust rate"] == pytest.approx(1 - 0.55 * (1 - q) ** 4 - 0.45 * q**4, abs=1e-12)
    assert opponents.at[2, "worst opponent set"] == "y1 + y2"
    assert opponents.at[2, "Thm D.6 bound (k+1-l)/(k+1)"] == pytest.approx(3 / 5)
    assert opponents.at[2, "PL limit k/(k+l)"] == pytest.approx(4 / 6)
    text = texts(at.markdown)
    for theorem in ("Theorem 3.1", "Theorem 4.5", "Theorem D.6"):
        assert theorem in text


# ----------------------------------------------------------------------------- properties
def open_properties(app):
    """The Properties page once its quick table (started by itself, in the background) has ended."""
    at = open_page(app, "properties")
    finish_background(at)
    return at


def test_the_quick_table_runs_in_the_background_and_the_rest_waits_for_the_button(app, monkeypatch):
    from ui import background, properties_panels

    at = open_page(app, "properties")  # the page's own run computes no check: the quick table starts
    model = at.session_state[state.POPULATION_KEY]
    quick_key, full_key = properties_panels.table_keys(model, 1.0, None, 4)
    assert background.get(quick_key) is not None and background.get(full_key) is None
    finish_background(at)
    grid = table(at, "properties_grid")
    assert grid.at["Borda", "Condorcet"] == "✘ fail" and grid.at["Maximal lottery (NLHF)", "Condorcet"] == "✔ pass"
    monkeypatch.setattr(compute, "CHECK_SECONDS", 0.0)  # a new quick table would now leave every re-computation out
    background.forget(quick_key)
    at.run()
    finish_background(at)
    grid = table(at, "properties_grid")
    assert grid.at["Borda", "Condorcet"] == "✘ fail"  # no re-computation: runs
    assert grid.at["Borda", "Participation"] == "… not checked"
    assert "They are checked when you ask" in texts(at.info)
    settled = {pair for pair, c in background.get(quick_key).found.items() if c.status != "not checked"}
    at.button(key="properties_run").click().run()
    assert background.get(full_key) is not None
    finish_background(at)
    assert table(at, "properties_grid").at["Borda", "Participation"] == "✔ pass"
    # the full table checked only what the quick one left: together, every cell once
    full = background.get(full_key).found
    assert settled and not settled & set(full) and len(settled) + len(full) == len(compute.RULE_KEYS) * len(PROPERTIES)


def test_properties_of_the_jackpot_iia_scenario(app):
    app.query_params["scenario"] = "jackpot_iia"
    at = open_properties(app)
    grid = table(at, "properties_grid")
    assert grid.at["Borda", "Irrelevant alternatives"] == "✘ fail"
    assert grid.at["Maximal lottery (NLHF)", "Irrelevant alternatives"] == "✔ pass"
    assert grid.at["Maximal lottery (NLHF)", "Condorcet"] == "✔ pass"
    assert grid.at["Average-reward policy", "Majority"] == "– n/a"
    borda = next(e for e in at.expander if e.label.startswith("Borda: breaks "))
    assert (
        "**Independence of irrelevant alternatives** (winner version). Removing G changes Borda's winner from R "
        "to B" in texts(borda.markdown)
    )
    # every cell is the core's verdict on this population (a pass that was not exhaustive says "none found")
    expected = {
        c.axiom: ("bounded" if c.status == "pass" and not c.exhaustive else c.status)
        for c in check_rule(FIGURE_1, "rlhf")
    }
    shown = grid.loc["RLHF / DPO limit"]
    assert list(shown.index) == [PROPERTIES[a].short for a in expected]
    assert [shown[col].split(" ", 1)[1] for col in shown.index] == [
        {"pass": "pass", "bounded": "none found", "fail": "fail", "not applicable": "n/a"}[expected[a]]
        for a in expected
    ]
    assert grid.at["Borda", "Later-no-harm"] == "✘ fail" and grid.at["Plurality", "Participation"] == "✔ pass"
    assert grid.at["Borda", "Homogeneity"] == "✔ none found"  # 3 factors tried, never a proof


def test_plurality_fails_independence_of_clones(app):
    app.query_params["scenario"] = "clone_plurality"
    at = open_properties(app)
    assert table(at, "properties_grid").at["Plurality", "Clones"] == "✘ fail"
    plurality = next(e for e in at.expander if e.label.startswith("Plurality: breaks "))
    assert "**Independence of clones** (winner version). Adding a clone of B" in texts(plurality.markdown)


def test_a_rule_that_cannot_be_computed_is_not_applicable_with_the_reason(app):
    app.query_params["D"] = "1,0,0"  # RLHF / DPO needs every answer sampled with positive probability
    at = open_properties(app)
    assert not at.error and not at.exception
    assert set(table(at, "properties_grid").loc["RLHF / DPO limit"]) == {"– n/a"}
    others = next(e for e in at.expander if e.label.startswith("Why the other cells pass or do not apply"))
    reasons = [line for line in texts(others.markdown).splitlines() if line.startswith("- **RLHF / DPO limit — ")]
    assert len(reasons) == len(PROPERTIES) and all(
        "(– n/a): RLHF / DPO limit (beta = 1, custom sampling) could not be computed on this population: sampling "
        "distribution: 'G' has probability 0" in line
        for line in reasons
    )  # the core's words, shown as typed (texts() reads the rendered text)
    assert table(at, "properties_grid").at["Borda", "Condorcet"] == "✘ fail"


def block_ids(node) -> list[str]:
    """The ids of every container below ``node`` (a keyed container's id ends with its key)."""
    ids = []
    for child in node.children.values() if isinstance(getattr(node, "children", None), dict) else []:
        if type(child).__name__ == "Block":
            ids.append(child.proto.id)
        ids += block_ids(child)
    return ids


def test_expensive_property_checks_wait_for_the_user(app, monkeypatch):
    monkeypatch.setattr(property_cost, "PROPERTY_BUDGET", 0)  # every check reads more cells than that
    at = open_properties(app)
    assert not {"✘ fail", "✔ pass", "✔ none found"} & set(table(at, "properties_grid").to_numpy().ravel())
    at.button(key="properties_run").click().run()
    finish_background(at)
    grid = table(at, "properties_grid")
    assert grid.at["Borda", "Condorcet"] == "✘ fail" and grid.at["Copeland", "Condorcet"] == "✔ pass"
    # the finished job leaves no frame behind (an empty bordered box sat above the table), and no button
    assert not [i for i in block_ids(at.main) if i.endswith("properties_background_job")]
    assert not [b for b in at.button if b.key == "properties_run"]


def test_paradox_finder_searches_shows_and_loads(app):
    at = open_page(app, "properties")
    at.selectbox(key="paradox_rule").set_value("borda")
    at.selectbox(key="paradox_property").set_value("majority").run()
    assert "From the precomputed table" in texts(at.markdown)
    at.number_input(key="paradox_m").set_value(3)
    at.number_input(key="paradox_n").set_value(4).run()
    at.button(key="paradox_search").click().run()
    shown = texts(at.markdown)
    assert "**Searched now**" in shown and "These 3 voters (2 × A > B > C, 1 × B > C > A)" in shown
    assert "2: A > B > C\n1: B > C > A" in texts(at.code)
    at.button(key="paradox_load_search").click().run()
    model = at.session_state[state.POPULATION_KEY]
    assert sorted(model.to_text().splitlines()) == ["1: B > C > A", "2: A > B > C"]
    assert at.session_state[state.ORIGIN_KEY].title == "Paradox: Borda and majority consistency (3 voters)"
    assert not at.exception


def test_a_hand_entered_paradox_says_so_in_the_finder(app):
    at = open_page(app, "properties")
    at.selectbox(key="paradox_rule").set_value("instant_runoff")
    at.selectbox(key="paradox_property").set_value("monotonicity").run()
    assert "5: A > C > B\n6: B > A > C\n6: C > B > A" in texts(at.code)
    captions = texts(at.caption)
    assert "Entered by hand and confirmed by the property check; not claimed to be the smallest." in captions
    assert "Some smaller sizes were only sampled" not in captions


def test_the_table_of_paradoxes_states_its_bounds(app):
    at = open_page(app, "properties")
    frame = table(at, "paradox_table")
    assert list(frame.columns) == [p.short for p in PROPERTIES.values()]
    assert frame.at["Borda", "Majority"] == "✘ 3 v · 3 a"
    assert frame.at["Plurality", "Majority"] == "✔ none found"
    assert frame.at["Average-reward policy", "Majority"] == "– n/a"
    # instant runoff's monotonicity failure: the 17-voter textbook example entered by hand (presets/paradoxes.json)
    assert frame.at["Instant runoff (Hare)", "Monotonicity"] == "✘ 17 v · 3 a†"
    captions = texts(at.caption)
    assert "† : a textbook example entered by hand and confirmed by the property check" in captions
    assert "Precomputed on " in captions and "python -m aggregation.properties.paradox_table" in captions


# ----------------------------------------------------------------------------- ranked choice
def test_ranked_choice_defaults_and_the_population_column(app):
    at = open_page(app, "ranked-choice")
    lists = table(at, "choice_lists")
    assert lists["this population"].to_dict() == pytest.approx(
        {"R > G": 0.4, "R > B": 0.0, "G > R": 0.0, "G > B": 0.0, "B > R": 0.6, "B > G": 0.0}, abs=1e-12
    )
    assert explain.RANKED_CHOICE_FORMULAS in texts(at.caption)
    assert "equation (11)" in explain.RANKED_CHOICE_FORMULAS
    assert "Starting values: the Bradley–Terry reward RLHF would fit on this population" in texts(at.caption)
    version = at.session_state[state.VERSION_KEY]
    at.number_input(key=f"choice_top_{version}").set_value(1).run()
    assert table(at, "choice_lists")["this population"].to_dict() == pytest.approx(
        {"R": 0.4, "G": 0.0, "B": 0.6}, abs=1e-12
    )


def test_one_plackett_luce_type_answers_like_its_mnl_model(app):
    app.query_params["scenario"] = "ranked_choice_mnl_mallows"
    at = open_page(app, "ranked-choice")
    lists = table(at, "choice_lists")
    np.testing.assert_allclose(lists["this population"], lists["MNL"], rtol=0, atol=1e-12)
    scenario = presets.load("ranked_choice_mnl_mallows")
    assert lists["this population"].to_dict() == pytest.approx(
        {" > ".join(k): v for k, v in population_topk_table(scenario.population, list("ABC"), 2).items()}
    )


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("phi", 0.0, "Not computed: phi must be in (0, 1]"),
        ("central", "A > B = C", "Not computed: the central ranking must be strict, but it ties B = C"),
        ("central", "A > B", "Not computed: assortment: unknown alternative 'C'"),
        ("top", 4, "Not computed: k = 4 is larger than the assortment (3 items)"),
        ("assortment", [], "Nothing to show: pick at least one answer for the assortment"),
    ],
)
def test_ranked_choice_bad_input_shows_a_message_and_keeps_the_population(app, field, value, message):
    app.query_params["scenario"] = "ranked_choice_mnl_mallows"
    at = open_page(app, "ranked-choice")
    version = at.session_state[state.VERSION_KEY]
    widget = {"phi": at.number_input, "top": at.number_input, "central": at.text_input, "assortment": at.multiselect}[
        field
    ](key=f"choice_{field}_{version}")
    widget.set_value(value).run()
    assert message in texts(at.error)
    assert not at.exception
    assert (
        at.session_state[state.POPULATION_KEY].fingerprint
        == presets.load("ranked_choice_mnl_mallows").population.fingerprint
    )


def test_bad_utilities_name_the_answer(app):
    at = open_page(app, "ranked-choice")
    version = at.session_state[state.VERSION_KEY]
    at.session_state[f"choice_utilities_{version}"] = {
        "edited_rows": {1: {"utility": None}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert "Not computed: the utility of 'G' is nan, not a finite number" in texts(at.error)


# ----------------------------------------------------------------------------- population: scenarios, generators, files
def test_load_a_scenario_from_the_picker(app):
    at = open_page(app, "population")
    at.selectbox(key="scenario_choice").set_value("hetero_sampling")
    at.button(key="scenario_load").click().run()
    scenario = presets.load("hetero_sampling")
    assert at.session_state[state.POPULATION_KEY].fingerprint == scenario.population.fingerprint
    assert at.session_state[state.SAMPLING_KEY].to_dict() == pytest.approx(scenario.sampling.to_dict())
    assert at.query_params["scenario"] == "hetero_sampling"
    assert [p.proto.page for p in at.get("page_link") if p.proto.label.startswith("See “")] == ["sampling"]


def generate(at, generator: str, seed: int, **values):
    """Fill the generator's form (its widgets are keyed generator_<name>_<parameter>) and submit it."""
    at.selectbox(key="generator_model").set_value(generator).run()
    kinds = {f.name: f.kind for f in generator_panel.FORMS[generator].fields}
    for name, value in values.items():
        widget = {"count": at.number_input, "number": at.number_input, "choice": at.selectbox}.get(
            kinds[name], at.text_input
        )
        widget(key=f"generator_{generator}_{name}").set_value(value)
    at.number_input(key=f"generator_{generator}_seed").set_value(seed)
    at.button(key=f"FormSubmitter:generator_form_{generator}-Generate (replaces the current population)").click().run()
    return at.session_state[state.POPULATION_KEY]


def test_the_same_seed_gives_the_same_population(app):
    at = open_page(app, "population")
    first = generate(at, "mallows", 7, n_voters=500, alternatives="A, B, C, D", phi=0.4)
    again = generate(at, "mallows", 7, n_voters=500, alternatives="A, B, C, D", phi=0.4)
    other = generate(at, "mallows", 8, n_voters=500, alternatives="A, B, C, D", phi=0.4)
    assert first.fingerprint == again.fingerprint != other.fingerprint
    assert first.total_weight == 500 and first.alternatives == ["A", "B", "C", "D"]
    assert at.session_state[state.ORIGIN_KEY].title == "Mallows generator, seed 8"
    from aggregation import mallows

    assert first.fingerprint == mallows(500, ["A", "B", "C", "D"], 0.4, seed=7).fingerprint


def test_generated_user_types(app):
    at = open_page(app, "population")
    model = generate(at, "reward_mixture", 3, n_types=4, alternatives="5", model="spatial", weights="dirichlet")
    assert isinstance(model, RewardPopulation) and model.types == ["type 1", "type 2", "type 3", "type 4"]
    assert model.fingerprint == reward_mixture(4, 5, seed=3, model="spatial", weights="dirichlet").fingerprint
    # the scenario file keeps the generator and its parameters (its own "model" parameter included)
    # rather than the drawn rewards, and re-imports to the same population
    text = presets.dumps(files.scenario_for_download(model, at.session_state[state.ORIGIN_KEY], None, 1.0, 4, None))
    assert 'kind = "generated"' in text and 'generator = "reward_mixture"' in text and 'model = "spatial"' in text
    assert presets.loads(text).population.fingerprint == model.fingerprint


def test_bad_generator_input_names_the_entry(app):
    at = open_page(app, "population")
    before = at.session_state[state.POPULATION_KEY].fingerprint
    generate(at, "plackett_luce", 0, utilities="A = 1, B = x")
    assert "Not generated: utilities, entry 2: 'x' is not a number" in texts(at.error)
    assert at.session_state[state.POPULATION_KEY].fingerprint == before


def upload(at, name: str, text: str):
    at.file_uploader(key="import_file").upload(name, text.encode())
    at.run()
    at.button(key="import_button").click().run()
    return at


def test_a_scenario_file_reimports_to_the_same_screen(app):
    app.query_params["scenario"] = "hetero_sampling"
    at = open_page(app, "population")
    scenario = files.scenario_for_download(
        at.session_state[state.POPULATION_KEY],
        at.session_state[state.ORIGIN_KEY],
        at.session_state[state.SAMPLING_KEY],
        1.0,
        4,
        None,
    )
    assert scenario == presets.load("hetero_sampling")  # unedited, same settings: the library's file
    at.button(key="population_reset").click().run()
    upload(at, "hetero_sampling.toml", presets.dumps(scenario))
    assert at.session_state[state.ORIGIN_KEY] == state.Origin(scenario.title, scenario.id)
    assert at.session_state[state.POPULATION_KEY].fingerprint == scenario.population.fingerprint
    assert at.session_state[state.SAMPLING_KEY].to_dict() == pytest.approx(scenario.sampling.to_dict())


def test_hand_edits_and_generators_are_saved_as_custom_scenarios(app):
    at = open_page(app, "population")
    version = at.session_state[state.VERSION_KEY]
    at.text_area(key=f"rankings_text_{version}").set_value("4: R > G > B\n3: B > R > G\n")
    at.button(key=f"rankings_text_apply_{version}").click().run()
    edited = files.scenario_for_download(
        at.session_state[state.POPULATION_KEY],
        at.session_state[state.ORIGIN_KEY],
        pd.Series({"R": 0.5, "G": 0.25, "B": 0.25}),
        2.0,
        3,
        None,
    )
    assert (edited.id, edited.title, edited.beta, edited.k) == (
        "custom",
        f"Edited from {state.DEFAULT_ORIGIN.title}",
        2.0,
        3,
    )
    back = presets.loads(presets.dumps(edited))
    assert back.population.to_text() == "4: R > G > B\n3: B > R > G\n" and back.sampling["R"] == 0.5
    generated = generate(at, "impartial_culture", 5, n_voters=1000, alternatives="6")
    text = presets.dumps(files.scenario_for_download(generated, at.session_state[state.ORIGIN_KEY], None, 1.0, 4, None))
    assert 'kind = "generated"' in text and 'generator = "impartial_culture"' in text and "seed = 5" in text
    upload(at, "mine.toml", text)
    assert at.session_state[state.POPULATION_KEY].fingerprint == generated.fingerprint
    assert at.session_state[state.ORIGIN_KEY].title == "Impartial culture generator, seed 5 (from mine.toml)"
    assert at.session_state[state.ORIGIN_KEY].scenario is None  # not a library scenario: no link to it


def test_a_bad_scenario_file_names_the_file_and_the_field(app):
    at = open_page(app, "population")
    broken = presets.dumps(presets.load("jackpot_majority")).replace('page = "rules"', 'page = "nowhere"')
    upload(at, "broken.toml", broken)
    assert (
        "broken.toml: page must be one of rules, sampling, testtime, properties, ranked-choice, got 'nowhere'"
        in texts(at.error)
    )
    assert at.session_state[state.POPULATION_KEY].fingerprint == FIGURE_1.fingerprint
    upload(at, "bad.toml", "title = 'no closing quote")
    assert "bad.toml: not a valid TOML file" in texts(at.error)


def test_the_scenario_download_is_offered(app):
    at = open_page(app, "population")
    assert "Scenario file (.toml): population and settings" in {b.label for b in at.download_button}
    with_population(app, sample_comparisons(FIGURE_1, 20, seed=1))
    at = open_page(app, "population")
    assert "A comparison table cannot be saved as a scenario file" in texts(at.caption)
    assert isinstance(at.session_state[state.POPULATION_KEY], PairwiseData)


def test_tied_worst_opponents_are_all_named_the_same_way_everywhere(app):
    """Issue 13, item 4: in a Condorcet cycle of three equally weighted rankings every response is a worst opponent
    of the uniform policy (the cyclic symmetry A -> B -> C -> A maps the population onto itself, so the three win
    rates are equal), and every place that names worst opponents names all three, as "A, B, C (tied)"."""
    cycle = Profile.parse("1: A > B > C\n1: B > C > A\n1: C > A > B")
    at = open_page(with_population(app, cycle), "testtime")
    summary = table(at, "testtime_summary")
    assert summary.at["uniform", "worst-case opponent"] == "A, B, C (tied)"
    assert explain.opponents(("y2",)) == "y2"
    certificates = [m for m in texts(at.markdown).splitlines() if "worst:" in m]
    assert certificates and all("worst: A, B, C (tied)" in m for m in certificates), certificates


def test_the_clone_card_opens_a_page_that_shows_its_own_comparison_and_agrees_with_it(app):
    """Issue 13, item 2: the card says the clone breaks Borda's tie; its Properties page shows the card's
    comparison (with and without A2) and Borda failing independence of clones on it."""
    app.query_params["scenario"] = "clone_plurality"
    at = open_properties(app)
    comparison = table(at, "scenario_comparison")
    assert list(comparison.columns) == ["without A2", "with A2"]
    assert comparison.loc["Borda"].tolist() == ["A = B (tied)", "A"]
    assert comparison.loc["Plurality"].tolist() == ["A", "B"]
    assert comparison.loc["Maximal lottery (NLHF)", "without A2"] == "A 0.5556, B 0.1111, C 0.3333"
    grid = table(at, "properties_grid")
    assert grid.at["Borda", "Clones"] == "✘ fail"
    assert grid.at["Maximal lottery (NLHF)", "Clones"].startswith("✔")
