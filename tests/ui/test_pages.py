"""Every page through AppTest, started from app.py: key numbers, links, edits and error messages.

Expected numbers for the default population (Jackpot, Figure 1: 2 x R > G > B, 3 x B > R > G),
by hand: Borda R 2*2+3*1 = 7, G 2*1 = 2, B 3*2 = 6; plurality R 2, G 0, B 3; Copeland R 1 (beats
G 5-0), G 0, B 2 (beats R and G 3-2); B is the Condorcet winner, so the maximal lottery puts
probability 1 on it; random dictatorship R 2/5, G 0, B 3/5.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.special import softmax

from aggregation import Profile, RewardPopulation, generate_log, nbc, rlhf_policy, sample_comparisons
from ui import explain, shell, state, urls

from .conftest import open_page
from .markdown import rendered

FIGURE_1 = Profile.parse(state.JACKPOT_FIGURE_1)
LABELS = {text.label: rule_id for rule_id, text in explain.RULES.items()}  # row label -> registry id
PAGE_TITLES = {
    None: "Which social choice rule is your alignment method?",
    "population": "Population",
    "rules": "Rules side by side",
    "yee": "Yee diagrams",
    "sampling": "Sampling distribution",
    "testtime": "Test-time scaling",
    "properties": "Properties",
    "ranked-choice": "Ranked choice",
    "fine-tuning": "Fine-tuning",
}


def table(at, key: str) -> pd.DataFrame:
    return at.get_by_key(key).dataframe[0].value


def rules_table(at) -> pd.DataFrame:
    frame = table(at, "rules_table")
    return frame.drop(columns="unit").rename(index=LABELS)


def texts(elements) -> str:
    """The elements' text as rendered (user text in them is escaped markdown)."""
    return "\n".join(rendered(e.value) for e in elements)


@pytest.mark.parametrize("url_path", list(PAGE_TITLES))
def test_every_page_renders_without_exception(app, url_path):
    at = open_page(app, url_path)
    assert not at.exception
    assert not at.error
    assert at.title[0].value == PAGE_TITLES[url_path]
    # app.py ran before the page: the shared sidebar is there on every page
    assert "Jackpot paper, Figure 1" in texts(at.sidebar.caption)


def test_home_shows_the_key_outcomes(app):
    at = open_page(app, None)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Borda / RLHF reward picks"] == "R"
    assert metrics["Condorcet winner"] == "B"
    assert metrics["Maximal lottery (NLHF) picks"] == "B (certain)"


def test_rules_page_numbers_for_the_default_population(app):
    at = open_page(app, "rules")
    table = rules_table(at)
    assert table.loc["borda"].to_dict() == {"R": 7, "G": 2, "B": 6}
    assert table.loc["plurality"].to_dict() == {"R": 2, "G": 0, "B": 3}
    assert table.loc["copeland"].to_dict() == {"R": 1, "G": 0, "B": 2}
    assert table.loc["maximal_lottery"].to_dict() == pytest.approx({"R": 0, "G": 0, "B": 1}, abs=1e-12)
    assert table.loc["random_dictatorship"].to_dict() == pytest.approx({"R": 0.4, "G": 0, "B": 0.6})
    assert table.loc["rlhf"].to_dict() == pytest.approx(rlhf_policy(FIGURE_1, beta=1.0).values.to_dict())
    assert list(table.loc["rlhf"].sort_values(ascending=False).index) == ["R", "B", "G"]  # NBC's order
    assert "average_reward" not in table.index
    page = texts(at.markdown)
    assert "**Condorcet winner:** B" in page and "**Smith set:** {B}" in page
    assert "Borda (the RLHF reward's order) puts **R** first" in page
    assert "**Average-reward policy** does not apply here: it needs user types with reward functions" in texts(
        at.caption
    )
    # the registry's newer rules: NBC under uniform D is P's row mean (by hand: R (1/2 + 1 + 2/5) / 3 = 19/30)
    assert table.loc["nbc"].to_dict() == pytest.approx({"R": 19 / 30, "G": 0.3, "B": 17 / 30})
    # next to the RLHF / DPO row: no single Bradley-Terry model gives P[R, G] = 1 with G, B, R in one cycle of
    # "sometimes beats"; three alternatives and uniform D put the same error e on R > G, G > B, B > R with
    # logit(1 - e) + logit(2/5 - e) + logit(3/5 - e) = 0, e = 0.1757; the cycle products are 1 x 2/5 x 3/5 and 0
    fit = texts(at.get_by_key("rules_bt_fit").caption)
    assert fit.startswith("**RLHF / DPO limit:** **No single reward model reproduces these comparisons.**")
    assert "off by up to 0.1757" in fit and "R → G → B → R" in fit
    assert "multiply to 0.24, and the other way round to 0;" in fit


def test_one_bradley_terry_type_is_fitted_exactly_on_the_rules_page(app):
    at = open_page(app, "rules")
    at.session_state[state.POPULATION_KEY] = RewardPopulation({"only type": {"a": 0.0, "b": 1.0, "c": 3.0}})
    at.run()
    fit = texts(at.get_by_key("rules_bt_fit").caption)
    assert "**One reward model explains these comparisons.**" in fit and "off by" not in fit


def test_beta_from_the_url_changes_only_the_policy(app):
    app.query_params["beta"] = "0.5"
    at = open_page(app, "rules")
    assert at.number_input(key=urls.BETA_KEY).value == 0.5
    half = rules_table(at).loc["rlhf"].to_numpy(float)
    one = rlhf_policy(FIGURE_1, beta=1.0).values.to_numpy()
    # pi_beta is proportional to exp(r / beta): halving beta squares the beta = 1 policy
    np.testing.assert_allclose(half, one**2 / (one**2).sum(), rtol=1e-9)
    assert rules_table(at).loc["borda"].to_dict() == {"R": 7, "G": 2, "B": 6}


def test_sampling_distribution_from_the_url(app):
    app.query_params["D"] = "0.2,0.2,0.6"
    at = open_page(app, "sampling")
    frame = table(at, "sampling_table_view")
    # by hand: NBC(R) = .2*.5 + .2*1 + .6*.4 = .54 ; NBC(G) = .2*0 + .2*.5 + .6*.4 = .34 ; NBC(B) = .54
    assert frame["NBC under D"].to_dict() == pytest.approx({"R": 0.54, "G": 0.34, "B": 0.54})
    assert "puts **R = B** first" in texts(at.markdown)
    assert at.query_params["D"] == "0.2,0.2,0.6"  # the link keeps what it carried


def test_a_bad_link_leaves_a_message_and_a_valid_state(app):
    app.query_params["D"] = "0.5,0.5"
    app.query_params["scenario"] = "cyclic"
    at = open_page(app, "rules")
    warnings = texts(at.warning)
    assert (
        "the link's sampling distribution D has 2 numbers but the population has 3 alternatives (R, G, B)" in warnings
    )
    assert "unknown scenario 'cyclic'" in warnings
    assert not at.exception and not at.error
    assert at.session_state[state.SAMPLING_KEY] is None
    assert "scenario" not in at.query_params and "D" not in at.query_params  # the URL now matches the state
    at.button(key="dismiss_notices").click().run()
    assert not at.warning


def test_a_bad_ranking_line_names_the_line_and_keeps_the_population(app):
    at = open_page(app, "population")
    bad = "2: R > G > B\n3: B > > G\n"
    at.text_area(key="rankings_text_0").set_value(bad)
    at.button(key="rankings_text_apply_0").click().run()
    assert "Not applied: line 2: a name is missing" in texts(at.error)
    assert at.session_state[state.POPULATION_KEY].fingerprint == FIGURE_1.fingerprint
    assert at.text_area(key="rankings_text_0").value == bad  # nothing the user typed is lost


def test_text_applied_replaces_the_population(app):
    at = open_page(app, "population")
    at.text_area(key="rankings_text_0").set_value("4: R > G > B\n3: B > R > G\n")
    at.button(key="rankings_text_apply_0").click().run()
    assert not at.error
    assert at.session_state[state.POPULATION_KEY].to_text() == "4: R > G > B\n3: B > R > G\n"
    assert f"Edited from {state.DEFAULT_ORIGIN.title}" in texts(at.sidebar.caption)
    assert "this population included (kept inside the link)" in texts(at.sidebar.caption)
    assert at.query_params["pop"][0].startswith("z")  # the link (and a reload) carries the edit


def test_the_title_after_an_edit_says_edited_from_and_the_users_own_title_is_kept(app):
    """Issue 13 item 7: the title no longer claims the paper's figure after an edit, and it is editable."""
    at = open_page(app, "population")
    at.text_area(key="rankings_text_0").set_value("4: R > G > B\n3: B > R > G\n")
    at.button(key="rankings_text_apply_0").click().run()
    field = [t for t in at.text_input if t.label == "Title of this population"][0]
    assert field.value == f"Edited from {state.DEFAULT_ORIGIN.title}"
    field.set_value("My class example").run()
    assert at.session_state[state.ORIGIN_KEY].title == "My class example"
    assert "My class example" in texts(at.sidebar.caption)
    version = at.session_state[state.VERSION_KEY]
    at.text_area(key=f"rankings_text_{version}").set_value("5: R > G > B\n3: B > R > G\n")
    at.button(key=f"rankings_text_apply_{version}").click().run()
    assert at.session_state[state.ORIGIN_KEY].title == "My class example"  # a later edit keeps it


def test_editing_a_weight_in_the_table_changes_the_winner_on_every_page(app):
    at = open_page(app, "population")
    at.session_state["rankings_table_0"] = {"edited_rows": {0: {"weight": 4}}, "added_rows": [], "deleted_rows": []}
    at.run()
    assert not at.error
    assert at.session_state[state.POPULATION_KEY].to_text() == "4: R > G > B\n3: B > R > G\n"
    assert {m.label: m.value for m in at.metric}["Condorcet winner"] == "R"
    at.switch_page(shell.page("rules").path).run()
    table = rules_table(at)
    # 4 x R > G > B, 3 x B > R > G: R beats B 4-3, so R is now the Condorcet winner
    assert table.loc["borda"].to_dict() == {"R": 11, "G": 4, "B": 6}
    assert table.loc["maximal_lottery"].to_dict() == pytest.approx({"R": 1, "G": 0, "B": 0}, abs=1e-12)
    assert "**Condorcet winner:** R" in texts(at.markdown)


def test_adding_a_row_with_a_new_alternative(app):
    at = open_page(app, "population")
    at.session_state["rankings_table_0"] = {
        "edited_rows": {},
        "deleted_rows": [],
        "added_rows": [{"ranking": "Y > B", "weight": 1}],
    }
    at.run()
    assert at.session_state[state.POPULATION_KEY].alternatives == ["R", "G", "B"]  # asked first
    at.button(key="confirm_new_names_table").click().run()
    model = at.session_state[state.POPULATION_KEY]
    assert model.alternatives == ["R", "G", "B", "Y"]
    assert model.to_text() == "2: R > G > B > Y\n3: B > R > G > Y\n1: Y > B > R = G\n"


def test_a_bad_table_row_shows_the_core_message_and_keeps_the_population(app):
    at = open_page(app, "population")
    at.session_state["rankings_table_0"] = {
        "edited_rows": {1: {"ranking": "B > R > B"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert "Not applied: row 2: alternative 'B' appears twice" in texts(at.error)
    assert at.session_state[state.POPULATION_KEY].fingerprint == FIGURE_1.fingerprint
    at.switch_page(shell.page("rules").path).run()
    assert rules_table(at).loc["borda"].to_dict() == {"R": 7, "G": 2, "B": 6}


def test_switching_to_reward_types_adds_the_average_reward_policy(app):
    at = open_page(app, "population")
    at.button_group(key="population_kind_0").set_value("user types").run()
    model = at.session_state[state.POPULATION_KEY]
    # each ranking's Borda points become its type's rewards: R>G>B -> 2,1,0 (weight 2); B>R>G -> 1,0,2 (weight 3)
    assert model.rewards.to_dict(orient="index") == {
        "R > G > B": {"R": 2.0, "G": 1.0, "B": 0.0},
        "B > R > G": {"R": 1.0, "G": 0.0, "B": 2.0},
    }
    at.switch_page(shell.page("rules").path).run()
    table = rules_table(at)
    average = np.array([(2 * 2 + 3 * 1) / 5, (2 * 1 + 3 * 0) / 5, (2 * 0 + 3 * 2) / 5])  # 1.4, 0.4, 1.2
    np.testing.assert_allclose(table.loc["average_reward"].to_numpy(float), softmax(average), rtol=1e-12)
    assert "temperature" in at.query_params  # a reward population's temperature goes into the link


def test_switching_to_reward_types_keeps_the_condorcet_winner_and_says_how(app):
    """Issue 13, item 1: at temperature 1 the switch turned B (the Condorcet winner, the maximal lottery's pick)
    into R; the conversion's temperature keeps every majority, and the page says what it did."""
    at = open_page(app, "population")
    at.button_group(key="population_kind_0").set_value("user types").run()
    assert at.session_state[state.POPULATION_KEY].temperature == 0.144
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Condorcet winner"] == "B" and metrics["Maximal lottery (NLHF) picks"] == "B (certain)"
    assert "temperature T = 0.144, low enough that every entry of P moves by at most 0.001" in texts(at.warning)


def test_a_bad_reward_keeps_the_population(app):
    at = open_page(app, "population")
    at.button_group(key="population_kind_0").set_value("user types").run()
    before = at.session_state[state.POPULATION_KEY].fingerprint
    version = at.session_state[state.VERSION_KEY]
    at.session_state[f"rewards_table_{version}"] = {
        "edited_rows": {0: {"R": None}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert "Not applied: row 1: user type 'R > G > B' has no reward for 'R'" in texts(at.error)
    assert at.session_state[state.POPULATION_KEY].fingerprint == before


def test_applying_the_smallest_flip_changes_the_nbc_winner(app):
    at = open_page(app, "sampling")
    assert "puts **R** first" in texts(at.markdown)
    at.button(key="sampling_apply_flip").click().run()
    D = at.session_state[state.SAMPLING_KEY]
    # by hand: NBC(B) - NBC(R) = 0.1 D_R - 0.4 D_G + 0.1 D_B; from uniform, moving t from G to R gives
    # -0.2/3 + 0.5 t, which reaches the 0.005 nudge at t = 0.143333...
    assert D.to_dict() == pytest.approx({"R": 0.4766666666667, "G": 0.19, "B": 1 / 3}, abs=1e-9)
    assert "puts **B** first" in texts(at.markdown)
    assert nbc(FIGURE_1, D)["B"] - nbc(FIGURE_1, D)["R"] == pytest.approx(0.005, abs=1e-12)
    link = urls.decode_sampling(at.query_params["D"], ["R", "G", "B"])
    assert link.to_dict() == pytest.approx(D.to_dict(), abs=1e-9)
    at.button(key="sampling_reset").click().run()
    assert at.session_state[state.SAMPLING_KEY] is None and "D" not in at.query_params


def test_sampling_table_edit_and_bad_weights(app):
    at = open_page(app, "sampling")
    at.session_state["sampling_table_0"] = {"edited_rows": {2: {"weight": 2}}, "added_rows": [], "deleted_rows": []}
    at.run()
    D = at.session_state[state.SAMPLING_KEY]
    # weights 1/3, 1/3, 2 -> D = (1, 1, 6) / 8
    assert D.to_dict() == pytest.approx({"R": 0.125, "G": 0.125, "B": 0.75})
    version = at.session_state[state.VERSION_KEY]
    at.session_state[f"sampling_table_{version}"] = {
        "edited_rows": {0: {"weight": -1}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert "every sampling weight must be a number ≥ 0" in texts(at.error)
    assert at.session_state[state.SAMPLING_KEY].to_dict() == pytest.approx(D.to_dict())


def test_import_a_preflib_file_and_a_bad_one(app):
    at = open_page(app, "population")
    soc = (
        b"# DATA TYPE: soc\n# ALTERNATIVE NAME 1: Red\n# ALTERNATIVE NAME 2: Green\n"
        b"# ALTERNATIVE NAME 3: Blue\n2: 1,2,3\n3: 3,1,2\n"
    )
    at.file_uploader(key="import_file").upload("votes.soc", soc)
    at.run()
    at.button(key="import_button").click().run()
    model = at.session_state[state.POPULATION_KEY]
    assert model.alternatives == ["Red", "Green", "Blue"] and model.weights.tolist() == [2, 3]
    assert "imported from votes.soc (PrefLib soc file)" in texts(at.sidebar.caption)
    at.file_uploader(key="import_file").upload("bad.soc", soc.replace(b"3: 3,1,2", b"3: 3,1"))
    at.run()
    at.button(key="import_button").click().run()
    assert "bad.soc: line 6: a complete-order file must rank every alternative; 2 (Green) is missing" in texts(at.error)
    assert at.session_state[state.POPULATION_KEY].fingerprint == model.fingerprint


def test_every_export_is_offered(app):
    at = open_page(app, "population")
    labels = {b.label for b in at.download_button}
    assert {
        "Population file (.json)",
        "Rankings table (.csv)",
        "Text syntax (.txt)",
        "PrefLib (.soc)",
        "Download P as CSV",
        "Download (.csv)",
    } <= labels
    assert table(at, "population_matrix").loc["R", "B"] == "2/5"


UNUSUAL = {
    "one alternative": Profile.parse("3: A"),
    "everyone indifferent": Profile.parse("2: A = B = C"),
    "a cycle (no Condorcet winner)": Profile.parse("A > B > C\nB > C > A\nC > A > B"),
    "an even tie (maximal lottery not unique)": Profile.parse("A > B > C > D\nB > A > D > C"),
    "fractional weights, 5 alternatives": Profile.parse("0.5: a > b > c > d > e\n1.25: e > d = c > b > a"),
    "reward types": RewardPopulation({"u": {"x": 1.0, "y": 0.0}, "v": {"x": -1.0, "y": 2.0}}, [3, 1], 0.5),
    "comparisons": sample_comparisons(FIGURE_1, 50, seed=1),
    "comparison counts (a log with ties and annotators)": generate_log(
        FIGURE_1, 300, None, tie_probability=0.2, annotators=5, seed=1
    ).counts,
}


@pytest.mark.parametrize("name", list(UNUSUAL))
@pytest.mark.parametrize("url_path", list(PAGE_TITLES))
def test_every_page_renders_for_unusual_populations(app, name, url_path):
    app.session_state[state.POPULATION_KEY] = UNUSUAL[name]
    app.session_state[state.ORIGIN_KEY] = state.Origin(name)
    at = open_page(app, url_path)
    assert not at.exception
    assert not at.error, texts(at.error)
    assert at.title[0].value == PAGE_TITLES[url_path]


def test_a_non_unique_maximal_lottery_is_explained(app):
    app.session_state[state.POPULATION_KEY] = UNUSUAL["an even tie (maximal lottery not unique)"]
    at = open_page(app, "rules")
    assert "The maximal lottery is **not unique**" in texts(at.info)
    assert "maximum-entropy member of the optimal set" in texts(at.info)


def _load_a_scenario():
    from types import SimpleNamespace

    from aggregation import Profile
    from ui import state, urls

    state.set_sampling([0.2, 0.3, 0.5])
    # the fields of presets.Scenario that the dashboard reads (the scenario library is another branch)
    urls.apply_scenario(
        SimpleNamespace(
            id="two-voters", title="Two voters", population=Profile.parse("A > B"), sampling=[0.25, 0.75], beta=2.0
        )
    )
    urls.sync_outbound_link()


def test_applying_a_scenario_sets_population_sampling_beta_and_link():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_load_a_scenario).run()
    assert not at.exception
    assert at.session_state[state.POPULATION_KEY].to_text() == "1: A > B\n"
    assert at.session_state[state.ORIGIN_KEY] == state.Origin("Two voters", "two-voters")
    assert at.session_state[state.SAMPLING_KEY].to_dict() == {"A": 0.25, "B": 0.75}
    assert at.session_state[urls.BETA_KEY] == 2.0
    assert at.query_params["scenario"] == "two-voters" and at.query_params["D"] == "0.25,0.75"


@pytest.mark.parametrize(
    "url_path", [None] + [p.url_path for p in shell.PAGES if p.url_path not in ("fine-tuning", "experiments")]
)
def test_a_preference_matrix_population_renders_every_page(app, url_path):
    """A population file of kind "matrix" is a PreferenceMatrix now (it used to be a bare DataFrame that the
    pages could not describe): every page shows it, and the rules that need voters say why they do not apply."""
    from aggregation import as_population

    app.session_state[state.POPULATION_KEY] = as_population(FIGURE_1.preference_matrix())
    at = open_page(app, url_path)
    assert not at.exception
    if url_path == "rules":
        assert table(at, "rules_table").loc["Maximal lottery (NLHF)", "B"] == 1.0
        assert "**Plurality** does not apply here: it needs each voter's favourite response" in texts(at.caption)
    if url_path == "population":
        assert "This population is a preference matrix (imported)" in texts(at.info)


def test_a_typo_that_adds_an_answer_asks_first_and_keeps_the_text(app):
    """Issue 13, item 5: `3: B > R > X` would add a fourth answer X; the page says so and waits for a yes."""
    at = open_page(app, "population")
    typo = "2: R > G > B\n3: B > R > X\n"
    at.text_area(key="rankings_text_0").set_value(typo)
    at.button(key="rankings_text_apply_0").click().run()
    assert at.session_state[state.POPULATION_KEY].fingerprint == FIGURE_1.fingerprint  # nothing applied yet
    assert "This edit adds a new answer: “X” (the population has R, G, B)" in texts(at.warning)
    assert at.text_area(key="rankings_text_0").value == typo  # nothing typed is lost
    at.button(key="confirm_new_names_text").click().run()
    assert at.session_state[state.POPULATION_KEY].alternatives == ["R", "G", "B", "X"]
    assert not at.warning


def test_a_table_edit_that_adds_an_answer_asks_first_and_fixing_the_typo_applies_it(app):
    at = open_page(app, "population")
    at.session_state["rankings_table_0"] = {
        "edited_rows": {1: {"ranking": "B > R > Gx"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert at.session_state[state.POPULATION_KEY].fingerprint == FIGURE_1.fingerprint
    assert "This edit adds a new answer: “Gx”" in texts(at.warning)
    at.session_state["rankings_table_0"] = {"edited_rows": {1: {"weight": 4}}, "added_rows": [], "deleted_rows": []}
    at.run()
    assert at.session_state[state.POPULATION_KEY].to_text() == "2: R > G > B\n4: B > R > G\n"
