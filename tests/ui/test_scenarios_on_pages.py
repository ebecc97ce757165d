"""Every scenario of the library on every page (AppTest, from app.py), and the numbers its claims name
shown on the page that shows them.

The expected numbers are read from ``presets.evaluate(scenario)`` (each claim's ``observed`` value,
computed through the core and checked against the scenario's own expectation, which the scenario
files derive by hand). A claim that evaluates a variant of the scenario is shown the way a user
would get it: ``beta``, ``k``, ``sampling`` and ``temperature`` through the link's query parameters,
``restrict_to`` by replacing the population with the same voters over fewer alternatives.
"""

from __future__ import annotations

import json
from collections import defaultdict

import pandas as pd
import pytest

import presets
from ui import explain, numbers, shell, state, urls

from .conftest import open_page
from .markdown import rendered

SCENARIOS = presets.list()
PAGE_TITLES = {None: "Which social choice rule is your alignment method?", **{p.url_path: p.title for p in shell.PAGES}}
ROW_OF_RULE = {rule_id: text.label for rule_id, text in explain.RULES.items()}
#: The Test-time page's row for each claim policy (the core's standard_policies names).
TESTTIME_ROW = {
    "rlhf": "RLHF / DPO (Borda-like)",
    "maximal_lottery": "NLHF (maximal lottery)",
    "average_reward": "average reward",
    "mpne": "MPNE_k",
    "uniform": "uniform",
    "robust": "robust policy_k",
}
VARIANT_FIELDS = ("restrict_to", "temperature", "sampling", "beta", "k")
TIE = 1e-9


def texts(elements) -> str:
    """The elements' text as rendered (user text in them is escaped markdown)."""
    return "\n".join(rendered(e.value) for e in elements)


def table(at, key: str) -> pd.DataFrame:
    return at.get_by_key(key).dataframe[0].value


def page_of_claim(claim) -> str | None:
    """The page that shows a claim's number; None for a policy written out as a distribution in the
    file (no page draws it; tests/presets checks those claims by brute force)."""
    f = claim.fields
    if isinstance(f.get("policy"), dict):
        return None
    if claim.kind in ("kwin_rate", "robust_rate"):
        return "testtime"
    if claim.kind == "choice_probability":
        return "ranked-choice"
    if f.get("rule") == "uniform" or f.get("policy") == "uniform":
        return "testtime"
    return "rules"


def variant_key(claim) -> tuple:
    f = claim.fields
    return tuple((name, json.dumps(f[name], sort_keys=True)) for name in VARIANT_FIELDS if name in f)


def claim_groups():
    """(scenario, variant, claim results) for every variant of every scenario, one AppTest each."""
    out = []
    for scenario in SCENARIOS:
        groups = defaultdict(list)
        for result in presets.evaluate(scenario):
            assert result.passed, (scenario.id, result.text, result.observed_text)
            groups[variant_key(result.claim)].append(result)
        for key, results in groups.items():
            out.append(
                pytest.param(
                    scenario, dict(key), results, id=f"{scenario.id}[{','.join(n for n, _ in key) or 'as is'}]"
                )
            )
    return out


def open_variant(app, scenario, fields: dict):
    """Open the scenario through its link, with the variant's controls in the query string."""
    fields = {name: json.loads(value) for name, value in fields.items()}
    app.query_params["scenario"] = scenario.id
    if "beta" in fields:
        app.query_params["beta"] = str(fields["beta"])
    app.query_params["k"] = str(fields.get("k", scenario.k))
    if "temperature" in fields and "restrict_to" not in fields:
        app.query_params["temperature"] = str(fields["temperature"])
    if "sampling" in fields and "restrict_to" not in fields:
        D = fields["sampling"]
        app.query_params["D"] = urls.encode_sampling([float(D[a]) for a in scenario.alternatives])
    at = open_page(app, None)
    if "restrict_to" in fields:  # the same voters over fewer alternatives
        population = scenario.population.restrict(fields["restrict_to"])
        if "temperature" in fields:
            population = population.with_temperature(float(fields["temperature"]))
        at.session_state[state.POPULATION_KEY] = population
        D = fields.get("sampling")
        at.session_state[state.SAMPLING_KEY] = (
            None if D is None else pd.Series({a: float(D[a]) for a in population.alternatives})
        )
        at.run()
    return at


def winners(row: pd.Series) -> list[str]:
    top = float(row.max())
    return [a for a, v in row.items() if v >= top - TIE * max(1.0, abs(top))]


def groups_of(row: pd.Series) -> str:
    tol = TIE * max(1.0, float(row.abs().max()))
    out, previous = [], None
    for name, value in row.sort_values(ascending=False, kind="stable").items():
        if previous is not None and previous - value <= tol:
            out[-1].append(name)
        else:
            out.append([name])
        previous = value
    order = {a: i for i, a in enumerate(row.index)}
    return " > ".join(" = ".join(sorted(g, key=order.__getitem__)) for g in out)


# ----------------------------------------------------------------------------- checks per page
def check_on_rules_page(at, result) -> None:
    claim, observed, f = result.claim, result.observed, result.claim.fields
    rules = table(at, "rules_table").drop(columns="unit")
    page = texts(at.markdown)
    rule = f.get("rule", f.get("policy"))
    row = None if rule is None else rules.loc[ROW_OF_RULE[rule]].astype(float)
    if claim.kind == "winner":
        top = winners(row)
        assert (top[0] if len(top) == 1 else "none") == observed, (result.text, row.to_dict())
    elif claim.kind == "ranking":
        assert groups_of(row) == observed, (result.text, row.to_dict())
    elif claim.kind == "order":
        assert row[f["higher"]] > row[f["lower"]], (result.text, row.to_dict())
        assert {a: row[a] for a in observed} == pytest.approx(observed, abs=1e-12)
    elif claim.kind in ("score", "probability"):
        assert row[f["alternative"]] == pytest.approx(observed, abs=1e-9), result.text
    elif claim.kind == "support_size":
        assert int((row > 1e-9).sum()) == observed, result.text
    elif claim.kind == "condorcet_winner":
        assert f"**Condorcet winner:** {observed}" in page, result.text
    elif claim.kind == "majority_winner":
        shown = "**majority winner** (first for more than half)"
        assert (f"{shown}: {observed}" in page) if observed != "none" else (shown not in page), result.text
    elif claim.kind == "smith_set":
        assert "**Smith set:** {" + ", ".join(observed) + "}" in page, result.text
    elif claim.kind == "smith_set_size":
        smith = page.split("**Smith set:** {", 1)[1].split("}", 1)[0]
        assert len(smith.split(", ")) == observed, result.text
    elif claim.kind == "maximal_lottery_unique":
        assert ("The maximal lottery is **not unique**" in texts(at.info)) == (not observed), result.text
    elif claim.kind in ("bt_misfit", "cycle_product"):  # the sentence next to the RLHF / DPO row
        fit = texts(at.get_by_key("rules_bt_fit").caption)
        if claim.kind == "cycle_product":
            assert numbers.decimal(observed) in fit and all(a in fit for a in f["cycle"]), (result.text, fit)
        elif observed <= 1e-9:
            assert "One reward model explains these comparisons" in fit, (result.text, fit)
        else:
            assert f"off by up to {numbers.decimal(observed)}" in fit, (result.text, fit)
    else:  # pragma: no cover - a new claim kind must get a check here
        raise AssertionError(f"no check on the Rules page for a {claim.kind!r} claim")


def check_on_testtime_page(at, result) -> None:
    claim, observed, f = result.claim, result.observed, result.claim.fields
    row = TESTTIME_ROW[f["policy"]]
    if claim.kind == "robust_rate":
        assert table(at, "testtime_summary").at[row, "robust rate f(k)"] == pytest.approx(observed, abs=1e-9), (
            result.text
        )
    elif claim.kind == "kwin_rate":
        assert table(at, "testtime_rates").at[row, f["opponent"]] == pytest.approx(observed, abs=1e-9), result.text
    else:  # pragma: no cover
        raise AssertionError(f"no check on the Test-time page for a {claim.kind!r} claim")


def check_on_ranked_choice_page(at, result, scenario) -> None:
    f = result.claim.fields
    version = at.session_state[state.VERSION_KEY]
    assortment = f.get("assortment", list(scenario.choice.assortment))
    at.multiselect(key=f"choice_assortment_{version}").set_value(assortment)
    at.number_input(key=f"choice_top_{version}").set_value(len(f["top"]))
    at.run()
    column = {"mnl": "MNL", "mallows_rmj": "Mallows-RMJ"}[f["model"]]
    assert table(at, "choice_lists").at[" > ".join(f["top"]), column] == pytest.approx(result.observed, abs=1e-12)


# ----------------------------------------------------------------------------- the tests
@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.id)
def test_every_page_renders_every_scenario(app, scenario):
    app.query_params["scenario"] = scenario.id
    at = open_page(app, None)
    assert at.session_state[state.ORIGIN_KEY] == state.Origin(scenario.title, scenario.id, generator=scenario.generator)
    assert at.session_state[state.POPULATION_KEY].fingerprint == scenario.population.fingerprint
    for url_path, title in PAGE_TITLES.items():
        if url_path is not None:
            at.switch_page(shell.page(url_path).path).run()
        assert not at.exception, (url_path, at.exception)
        assert not at.error, (url_path, texts(at.error))
        assert at.title[0].value == title
        assert scenario.title in texts(at.sidebar.caption)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.id)
def test_the_scenario_page_tells_its_story_and_checks_its_claims(app, scenario):
    app.query_params["scenario"] = scenario.id
    at = open_page(app, scenarios_page(scenario))
    story = at.expander[0]
    assert story.label == f"Scenario: {scenario.title}"
    shown = texts(story.markdown)
    assert scenario.narrative.strip()[:60] in shown
    for result in presets.evaluate(scenario):
        assert f":green[:material/check_circle:] {result.text}" in shown


def scenarios_page(scenario) -> str:
    from ui import scenarios

    return scenarios.page_of(scenario).url_path


@pytest.mark.parametrize("scenario, variant, results", claim_groups())
def test_the_numbers_the_claims_name_are_on_the_pages(app, scenario, variant, results):
    at = open_variant(app, scenario, variant)
    by_page = defaultdict(list)
    for result in results:
        by_page[page_of_claim(result.claim)].append(result)
    by_page.pop(None, None)
    for url_path, page_results in by_page.items():
        at.switch_page(shell.page(url_path).path).run()
        assert not at.exception and not at.error, (url_path, texts(at.error))
        for result in page_results:
            if url_path == "rules":
                check_on_rules_page(at, result)
            elif url_path == "testtime":
                check_on_testtime_page(at, result)
            else:
                check_on_ranked_choice_page(at, result, scenario)


def test_every_claim_kind_of_the_library_is_checked_on_a_page():
    kinds = {r.claim.kind for s in SCENARIOS for r in presets.evaluate(s)}
    assert kinds <= {
        "winner",
        "ranking",
        "order",
        "score",
        "probability",
        "support_size",
        "condorcet_winner",
        "majority_winner",
        "smith_set",
        "smith_set_size",
        "maximal_lottery_unique",
        "kwin_rate",
        "robust_rate",
        "choice_probability",
        "bt_misfit",
        "cycle_product",
    }
