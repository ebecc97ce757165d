"""Scenario files: malformed ones fail naming the file and the field; dumps / loads round-trip;
claims that do not hold are reported as failed, with what was observed."""

import dataclasses
import tomllib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import presets
from aggregation import AggregationError, Profile, RewardPopulation, impartial_culture
from presets.library import SCENARIO_DIR

MAJORITY = (SCENARIO_DIR / "jackpot_majority.toml").read_text(encoding="utf-8")
TYRANNY = (SCENARIO_DIR / "hetero_tyranny.toml").read_text(encoding="utf-8")


def _write(tmp_path, text, name="jackpot_majority.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _with_claims(base: str, claims: str) -> str:
    """``base`` with its claims replaced by ``claims`` (TOML text)."""
    return base[: base.index("[[claims]]")] + claims


def _error(tmp_path, text, name="jackpot_majority.toml") -> str:
    path = _write(tmp_path, text, name)
    with pytest.raises(AggregationError) as err:
        presets.load_file(path)
    message = str(err.value)
    assert message.startswith(f"{path}: "), message
    return message[len(f"{path}: ") :]


# ----------------------------------------------------------------------------- malformed files
def test_a_missing_claim_field_names_the_file_and_the_claim(tmp_path):
    parts = MAJORITY.split("[[claims]]")
    parts[3] = parts[3].replace('equals = "R"\n', "")  # claims[2]: Borda winner is R
    assert _error(tmp_path, "[[claims]]".join(parts)) == "claims[2].equals is missing"


def test_a_library_file_reports_its_path_from_the_repository_root():
    from presets.library import display_path

    assert display_path(SCENARIO_DIR / "jackpot_majority.toml") == "presets/scenarios/jackpot_majority.toml"


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda t: t.replace('title = "The majority wants B, RLHF picks R"\n', ""), "title is missing"),
        (
            lambda t: t.replace('title = "', 'title = ', 1),
            "not a valid TOML file: Invalid value (at line 18, column 9)",
        ),
        (lambda t: t.replace("title =", "titel ="), "titel: unknown field"),
        (
            lambda t: t.replace('page = "rules"', 'page = "home"'),
            "page must be one of rules, sampling, testtime, properties, ranked-choice, got 'home'",
        ),
        (
            lambda t: t.replace("constructed = false", 'constructed = "no"'),
            "constructed must be true or false, got 'no'",
        ),
        (lambda t: t.replace('[source]\npaper', '[source]\nauthor'), "source.author: unknown field"),
        (
            lambda t: t.replace('paper = "jackpot"', 'paper = "Maura-Rivero et al."'),
            "source.paper: unknown paper 'Maura-Rivero et al.'; name it by its key",
        ),
        (
            lambda t: t.replace('[source]\n', '[source]\nurl = "https://example.org"\n'),
            "source.url: the link comes from the papers table",
        ),
        (lambda t: t.replace("2: R > G > B", "2: R > > B"), "population.text, line 1: a name is missing"),
        (lambda t: t.replace("3: B > R > G", "3: B > R > Y"), "population.text, line 2: unknown alternative 'Y'"),
        (
            lambda t: t.replace('kind = "rankings"', 'kind = "votes"'),
            "population.kind must be 'rankings', 'rewards' or 'generated', got 'votes'",
        ),
        (lambda t: t.replace("k = 4", "k = 0"), "settings.k must be a whole number >= 1, got 0"),
        (lambda t: t.replace("beta = 1.0", "beta = -1"), "settings.beta must be a positive number, got -1"),
        (
            lambda t: t.replace("k = 4", "k = 4\nsampling = { R = 0.5, G = 0.5, B = 0.5 }"),
            "settings.sampling: probabilities sum to 1.5, not 1",
        ),
        (lambda t: t.replace("k = 4", "k = 4\nsampling = { R = 0.5, G = 0.5 }"), "settings.sampling.B is missing"),
        (
            lambda t: t.replace('rule = "borda"\nalternative = "R"', 'rule = "borda"\nalternative = "Z"'),
            "claims[0].alternative: unknown alternative 'Z' (known: R, G, B)",
        ),
        (lambda t: t.replace('kind = "score"', 'kind = "scores"', 1), "claims[0].kind: unknown claim kind 'scores'"),
        (lambda t: t.replace('rule = "borda"', 'rule = "kemeny"', 1), "claims[0].rule: unknown rule 'kemeny'"),
        (lambda t: t.replace("equals = 7", "equals = 7\ntolerance = -1"), "claims[0].tolerance must be >= 0"),
        (
            lambda t: t.replace("equals = 7", 'equals = "7/0"'),
            'claims[0].equals must be a number or a fraction such as "5/9", got \'7/0\'',
        ),
        (lambda t: t.replace("equals = 7", "at_lest = 7"), "claims[0].at_lest: unknown field for a 'score' claim"),
        (
            lambda t: t.replace("equals = 7\n", ""),
            "claims[0]: give the expected value with one of equals, at_least, at_most, above, below",
        ),
        (
            lambda t: t.replace(
                'equals = "B"\n\n[[claims]]\nkind = "probability"', 'equals = ["B"]\n\n[[claims]]\nkind = "probability"'
            ),
            "claims[5].equals: unknown alternative ['B']",
        ),
    ],
)
def test_malformed_files_name_the_file_and_the_field(tmp_path, change, message):
    text = change(MAJORITY)
    assert text != MAJORITY
    assert message in _error(tmp_path, text)


@pytest.mark.parametrize(
    "claims, message",
    [
        (
            '[[claims]]\nkind = "winner"\nrule = "average_reward"\nequals = "R"\n',
            "claims[0].rule: 'average_reward' needs user types with rewards, and this population is rankings",
        ),
        (
            '[[claims]]\nkind = "winner"\nrule = "borda"\ntemperature = 2\nequals = "R"\n',
            "claims[0].temperature applies to user types with rewards only",
        ),
        (
            '[[claims]]\nkind = "winner"\nrule = "borda"\nrestrict_to = ["R", "Q"]\nequals = "R"\n',
            "claims[0].restrict_to: unknown alternative 'Q'",
        ),
        (
            '[[claims]]\nkind = "winner"\nrule = "borda"\nrestrict_to = ["R", "B"]\nequals = "G"\n',
            "claims[0].equals: unknown alternative 'G' (known: R, B)",
        ),
        (
            '[[claims]]\nkind = "ranking"\nrule = "borda"\nequals = "R > B"\n',
            "claims[0].equals must rank every alternative exactly once; 'G' is missing",
        ),
        (
            '[[claims]]\nkind = "probability"\npolicy = "borda"\nalternative = "R"\nequals = 1\n',
            "claims[0].policy: unknown policy 'borda'",
        ),
        (
            '[[claims]]\nkind = "probability"\npolicy = { R = 0.5, G = 0.6 }\nalternative = "R"\nequals = 1\n',
            "claims[0].policy: no probability given for 'B'",
        ),
        (
            '[[claims]]\nkind = "robust_rate"\npolicy = "maximal_lottery"\nk = 0\nat_least = 0.5\n',
            "claims[0].k must be a whole number >= 1, got 0",
        ),
        (
            '[[claims]]\nkind = "choice_probability"\nmodel = "mnl"\ntop = ["R"]\nequals = 0.5\n',
            "claims[0].model: a choice_probability claim needs the scenario's [choice] table",
        ),
        ('[[claims]]\nkind = "smith_set"\nequals = ["R", "R"]\n', "claims[0].equals lists an alternative twice"),
        (
            '[[claims]]\nkind = "maximal_lottery_unique"\nequals = "yes"\n',
            "claims[0].equals must be true or false, got 'yes'",
        ),
        ('[[claims]]\nrule = "borda"\n', "claims[0].kind is missing"),
        (
            '[[claims]]\nkind = "cycle_product"\ncycle = ["R", "G"]\nequals = 0.1\n',
            'claims[0].cycle must list three alternatives, e.g. ["y1", "y2", "y3"]',
        ),
        (
            '[[claims]]\nkind = "cycle_product"\ncycle = ["R", "G", "Q"]\nequals = 0.1\n',
            "claims[0].cycle[2]: unknown alternative 'Q'",
        ),
        (
            '[[claims]]\nkind = "bt_misfit"\nrule = "rlhf"\nequals = 0\n',
            "claims[0].rule: unknown field for a 'bt_misfit' claim",
        ),
    ],
)
def test_malformed_claims_name_the_claim_and_the_field(tmp_path, claims, message):
    assert message in _error(tmp_path, _with_claims(MAJORITY, claims))


def test_claims_must_be_tables(tmp_path):
    text = "claims = [1]\n" + _with_claims(MAJORITY, "")
    assert _error(tmp_path, text) == "claims[0] must be a table with a 'kind' field"
    text = 'claims = "none"\n' + _with_claims(MAJORITY, "")
    assert _error(tmp_path, text) == "claims must be a list of tables ([[claims]])"


def test_a_claim_that_restricts_the_alternatives_needs_its_own_sampling_when_the_scenario_has_one(tmp_path):
    text = MAJORITY.replace("k = 4", "k = 4\nsampling = { R = 0.2, G = 0.2, B = 0.6 }")
    claims = '[[claims]]\nkind = "winner"\nrule = "nbc"\nrestrict_to = ["R", "B"]\nequals = "B"\n'
    assert "claims[0].restrict_to changes the alternatives: give this claim its own sampling" in _error(
        tmp_path, _with_claims(text, claims)
    )
    fixed = claims.replace('equals = "B"', 'sampling = { R = 0.5, B = 0.5 }\nequals = "B"')
    assert presets.evaluate(presets.load_file(_write(tmp_path, _with_claims(text, fixed))))[0].passed is True


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda t: t.replace("weight = 0.1", "weight = -0.1"), "population: weights: user type 'B' has weight -0.1"),
        (
            lambda t: t.replace("weight = 0.1", 'weight = "0.1"'),
            "population.types[1].weight must be a int or float, got '0.1'",
        ),
        (
            lambda t: t.replace("rewards = { y1 = 0.5, y2 = -10 }", "rewards = { y1 = 0.5 }"),
            "population: user type 'B' has no reward for 'y2'",
        ),
        (
            lambda t: t.replace("temperature = 1.0", "temperature = 0"),
            "population: temperature must be a positive number, got 0",
        ),
        (lambda t: t.replace("temperature = 1.0", "temprature = 1.0"), "population.temprature: unknown field"),
        (lambda t: t.replace('name = "B"', 'nom = "B"'), "population.types[1].nom: unknown field"),
    ],
)
def test_malformed_reward_populations_name_the_field(tmp_path, change, message):
    text = change(TYRANNY)
    assert text != TYRANNY
    assert message in _error(tmp_path, text, name="hetero_tyranny.toml")


@pytest.mark.parametrize(
    "population, message",
    [
        ('generator = "impartial"\nn_voters = 5\nalternatives = 3\n', "population: unknown generator 'impartial'"),
        (
            'generator = "mallows"\nn_voters = 5\nalternatives = 3\nphi = 2\n',
            "population: phi must be a number between 0 and 1, got 2",
        ),
        (
            'generator = "mallows"\nn_voters = 5\nalternatives = 3\nphi = 0.5\nspread = 1\n',
            "population: mallows: unknown parameter 'spread'",
        ),
        ('n_voters = 5\n', "population.generator is missing"),
    ],
)
def test_malformed_generated_populations_name_the_problem(tmp_path, population, message):
    text = MAJORITY[: MAJORITY.index("[population]")] + '[population]\nkind = "generated"\n' + population
    assert message in _error(tmp_path, text)


def test_the_id_must_match_the_file_name(tmp_path):
    assert (
        _error(tmp_path, MAJORITY, name="majority.toml")
        == "id is 'jackpot_majority' but the file is named 'majority.toml'; they must agree"
    )


def test_unreadable_files_and_uploads_are_reported(tmp_path):
    path = tmp_path / "jackpot_majority.toml"
    path.write_bytes(b"id = \"\xff\"\n")
    with pytest.raises(AggregationError, match="cannot read the file"):
        presets.load_file(path)
    with pytest.raises(AggregationError, match=r"^my scenario.toml: id must be lower-case letters"):
        presets.loads(MAJORITY.replace('id = "jackpot_majority"', 'id = "Jackpot Majority"'), name="my scenario.toml")
    with pytest.raises(AggregationError, match=r"^uploaded scenario: a scenario must be text"):
        presets.loads(b"id = 'x'")


def test_ranked_choice_setup_is_validated(tmp_path):
    text = (SCENARIO_DIR / "ranked_choice_mnl_mallows.toml").read_text(encoding="utf-8")
    name = "ranked_choice_mnl_mallows.toml"
    assert "choice.phi is missing" in _error(tmp_path, text.replace("phi = 0.5\n", ""), name)
    assert "choice.phi must be a number in (0, 1], got 0" in _error(
        tmp_path, text.replace("phi = 0.5", "phi = 0"), name
    )
    assert "choice.central_ranking must list every alternative once" in _error(
        tmp_path, text.replace("phi = 0.5", 'phi = 0.5\ncentral_ranking = ["A", "B"]'), name
    )
    two_types = text.replace(
        '[[population.types]]\nname = "everyone"\nweight = 1',
        '[[population.types]]\nname = "other"\nweight = 1\nrewards = { A = 0, B = 0, C = 1 }\n\n'
        '[[population.types]]\nname = "everyone"\nweight = 1',
    )
    assert "choice.utilities is missing" in _error(tmp_path, two_types, name)


# ----------------------------------------------------------------------------- round trips
@pytest.mark.parametrize("scenario", presets.list(), ids=[s.id for s in presets.list()])
def test_library_scenarios_round_trip_through_text(scenario):
    text = presets.dumps(scenario)
    back = presets.loads(text)
    assert back == scenario
    assert back.population.fingerprint == scenario.population.fingerprint
    assert [c.text for c in back.claims] == [c.text for c in scenario.claims]
    assert presets.dumps(back) == text
    assert tomllib.loads(text)["id"] == scenario.id


def test_a_generated_population_is_written_as_its_recipe_unless_it_was_edited():
    s = presets.load("impartial_culture_smith")
    text = presets.dumps(s)
    assert 'kind = "generated"' in text and "seed = 2" in text and len(text) < 4000
    edited = dataclasses.replace(s, population=impartial_culture(1001, 20, seed=3), claims=())
    text = presets.dumps(edited)
    assert 'kind = "rankings"' in text and 'kind = "generated"' not in text
    assert presets.loads(text).population.fingerprint == impartial_culture(1001, 20, seed=3).fingerprint


names = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r"), max_size=60)


@settings(max_examples=40, deadline=None)
@given(
    title=names.filter(str.strip),
    narrative=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300),
    summary=names,
    beta=st.floats(0.01, 100),
    k=st.integers(1, 64),
)
def test_any_text_and_settings_round_trip(title, narrative, summary, beta, k):
    s = presets.custom(
        Profile.parse("1: A > B\n2: B > A"),
        title=title,
        narrative=narrative,
        summary=summary,
        beta=beta,
        k=k,
        sampling={"A": 0.3, "B": 0.7},
    )
    back = presets.loads(presets.dumps(s))
    assert (back.title, back.narrative, back.summary, back.beta, back.k) == (title, narrative, summary, beta, k)
    assert back.sampling.to_dict() == pytest.approx({"A": 0.3, "B": 0.7}, abs=1e-15)
    assert back == s


def test_user_populations_round_trip_exactly():
    profile = Profile.from_rankings(
        [["x y", ["Zoë's", "b"]], ["b", "x y", "Zoë's"]], [1 / 3, 2.5e-7], alternatives=["x y", "Zoë's", "b"]
    )
    s = presets.custom(profile, page="properties", sampling={"x y": 0.1, "Zoë's": 0.2, "b": 0.7})
    back = presets.loads(presets.dumps(s))
    assert back.population.fingerprint == profile.fingerprint and back == s
    assert back.population.weights.tolist() == [1 / 3, 2.5e-7]
    rewards = RewardPopulation(
        {"type one": {"a": 0.1 + 0.2, "b": -1e-300}, "t2": {"a": 3.0, "b": 2.0}},
        {"type one": 0.7, "t2": 1 / 7},
        temperature=0.3,
    )
    back = presets.loads(presets.dumps(presets.custom(rewards)))
    assert back.population.fingerprint == rewards.fingerprint
    assert back.population.rewards.loc["type one", "a"] == 0.1 + 0.2


def test_a_byte_order_mark_is_ignored():
    s = presets.load("jackpot_cycle")
    assert presets.loads("\ufeff" + presets.dumps(s)) == s


def test_a_scenario_checks_its_own_fields():
    p = Profile.parse("A > B")
    with pytest.raises(AggregationError, match="unknown alternative 'C'"):
        presets.custom(p, sampling={"A": 0.5, "C": 0.5})
    with pytest.raises(AggregationError, match="page must be one of"):
        presets.custom(p, page="home")
    with pytest.raises(AggregationError, match="k must be a whole number >= 1, got 0"):
        presets.custom(p, k=0)
    with pytest.raises(AggregationError, match="must be a Profile or a RewardPopulation, got DataFrame"):
        presets.custom(p.preference_matrix())


# ----------------------------------------------------------------------------- claims that fail
def test_a_claim_that_does_not_hold_is_reported_failed_with_what_was_observed(tmp_path):
    claims = (
        '[[claims]]\nkind = "winner"\nrule = "borda"\nequals = "B"\n\n'
        '[[claims]]\nkind = "probability"\npolicy = "maximal_lottery"\nalternative = "B"\nbelow = 0.5\n\n'
        '[[claims]]\nkind = "order"\nrule = "nbc"\nhigher = "G"\nlower = "R"\n\n'
        '[[claims]]\nkind = "condorcet_winner"\nequals = "none"\n\n'
        '[[claims]]\nkind = "ranking"\nrule = "borda"\nequals = "R > G > B"\n\n'
        '[[claims]]\nkind = "smith_set_size"\nat_least = 2\n\n'
        '[[claims]]\nkind = "score"\nrule = "copeland"\nalternative = "B"\nequals = 2\n'
    )
    s = presets.load_file(_write(tmp_path, _with_claims(MAJORITY, claims)))
    results = presets.evaluate(s)
    assert [r.passed for r in results] == [False, False, False, False, False, False, True]
    assert [r.observed for r in results[:6]] == ["R", 1.0, {"G": 0.3, "R": 1.9 / 3}, "B", "R > B > G", 1]
    assert results[0].text == "Borda winner is B" and results[0].observed_text == "R; R 7, B 6, G 2"
    assert results[1].text == "The maximal lottery (NLHF) puts probability below 0.5 on B"
    assert results[4].observed_text == "R > B > G; R 7, B 6, G 2"


def test_ties_at_the_top_are_no_winner_and_tolerances_are_honoured(tmp_path):
    text = MAJORITY.replace("2: R > G > B\n3: B > R > G", "1: R > G > B\n1: G > B > R\n1: B > R > G")
    claims = (
        '[[claims]]\nkind = "winner"\nrule = "nbc"\nequals = "none"\n\n'
        '[[claims]]\nkind = "probability"\npolicy = "maximal_lottery"\nalternative = "R"\nequals = 0.3333\ntolerance = 1e-4\n\n'
        '[[claims]]\nkind = "probability"\npolicy = "maximal_lottery"\nalternative = "R"\nequals = 0.3333\n\n'
        '[[claims]]\nkind = "probability"\npolicy = "random_dictatorship"\nalternative = "G"\nat_least = "1/3"\nat_most = "1/3"\n'
    )
    results = presets.evaluate(presets.load_file(_write(tmp_path, _with_claims(text, claims))))
    assert [r.passed for r in results] == [True, True, False, True]
    assert results[0].observed_text.startswith("none (tied: R, G, B)")
    assert (
        results[3].text
        == "Random dictatorship (the pretrained-model analogue) puts probability between 1/3 and 1/3 on G"
    )


def test_claims_evaluate_variants_of_the_scenario():
    s = presets.load("hetero_temperature")
    base, hot = presets.evaluate(s)[4:6]
    assert base.observed == 1.0 and hot.observed == 1.0
    assert base.observed_text.startswith("1; y2 1") and hot.observed_text.startswith("1; y2 1")
    assert base.text == "The maximal lottery (NLHF) puts probability 1 on y2"
    assert hot.text == "The maximal lottery (NLHF) puts probability 1 on y2 at annotator temperature 2"
    rlhf, rlhf_hot = presets.evaluate(s)[6:8]
    assert rlhf.observed == "y1" and rlhf_hot.observed == "y2"  # the learned order flips with T
    assert s.claims[1].text == "NBC ranks y2 above y1 at annotator temperature 2"
    assert presets.load("jackpot_iia").claims[0].text == "Borda winner is B without G"


def test_claim_accepts_checks_every_comparator():
    claim = presets.load("testtime_nlhf_collapse").claims[2]  # robust rate ... at most 0.55
    assert claim.accepts(0.55) and claim.accepts(0.55 + 5e-13) and not claim.accepts(0.5501)
    fraction = presets.load("clone_plurality").claims[4]  # ... probability 5/9 on A
    assert fraction.accepts(5 / 9 + 5e-7) and not fraction.accepts(5 / 9 + 2e-6)
    with pytest.raises(AggregationError, match="a 'winner' claim does not state a number"):
        presets.load("jackpot_majority").claims[2].accepts(1.0)
    assert np.isclose(presets.evaluate(presets.load("clone_plurality"))[4].observed, 5 / 9)


def test_a_claim_the_core_refuses_fails_alone_with_the_cores_message(tmp_path):
    claims = (
        '[[claims]]\nkind = "winner"\nrule = "borda"\nequals = "R"\n\n'
        '[[claims]]\nkind = "probability"\npolicy = "rlhf"\nalternative = "R"\nsampling = { R = 0.5, G = 0.5, B = 0 }\n'
        'at_least = 0\n'
    )
    results = presets.evaluate(presets.load_file(_write(tmp_path, _with_claims(MAJORITY, claims))))
    assert results[0].passed is True
    assert results[1].passed is False and results[1].observed is None
    assert results[1].observed_text == (
        "could not be evaluated: sampling distribution: 'B' has probability 0; "
        "every alternative needs a positive probability here"
    )


def test_a_generator_whose_own_parameter_is_called_model_round_trips():
    """The file names the generator with ``generator``, so reward_mixture's ``model`` parameter fits."""
    from dataclasses import replace

    from aggregation import generate
    from presets.scenario import GeneratorSpec

    params = {"n_types": 3, "alternatives": 4, "model": "spatial", "seed": 5}
    population = generate("reward_mixture", **params)
    scenario = replace(
        presets.custom(population, title="A spatial mixture"),
        generator=GeneratorSpec("reward_mixture", params, population.fingerprint),
    )
    text = presets.dumps(scenario)
    assert 'generator = "reward_mixture"' in text and 'model = "spatial"' in text
    again = presets.loads(text)
    assert again.population.fingerprint == population.fingerprint
    assert again.generator.name == "reward_mixture" and dict(again.generator.params) == params
