"""The rule registry: complete, self-describing, one call for every rule."""

import numpy as np
import pandas as pd
import pytest

from aggregation import (
    RULES,
    AggregationError,
    Profile,
    RewardPopulation,
    RuleParams,
    borda,
    compute_all,
    copeland,
    get_rule,
    maximal_lottery,
    mpne,
    nbc,
    plurality,
    population_kind,
    random_dictatorship,
    rlhf_policy,
    robust_policy,
    rules_table,
    sample_comparisons,
)
from aggregation.papers import PAPERS
from aggregation.rules.registry import FAMILIES
from aggregation.rules.result import values_of

FIGURE_1 = Profile.parse("2: R > G > B\n3: B > R > G")
TYPES = RewardPopulation({"u1": {"R": 1.0, "G": 0.0, "B": 2.0}, "u2": {"R": 2.0, "G": 1.0, "B": 0.0}})


def test_every_rule_is_registered_and_described():
    known = [
        "borda",
        "plurality",
        "copeland",
        "maximal_lottery",
        "random_dictatorship",
        "rlhf",
        "nbc",
        "average_reward",
        "mpne",
        "robust",
        "uniform",
    ]
    assert [rule_id for rule_id in RULES if rule_id in known] == known  # in display order; a new rule may join
    assert [FAMILIES.index(rule.family) for rule in RULES.values()] == sorted(
        FAMILIES.index(rule.family) for rule in RULES.values()
    )  # grouped by family, in family order
    for rule in RULES.values():
        assert rule.name and rule.label and rule.unit and rule.references and rule.applies
        assert rule.family in FAMILIES and all(r.paper in PAPERS for r in rule.references)
        assert rule.explanation.endswith(".") and len(rule.explanation) < 260
        assert rule.output in ("scores", "lottery", "policy", "set", "ranking")
        assert set(rule.params) <= {"beta", "sampling", "k", "weights"}
    outputs = {rule.id: rule.output for rule in RULES.values()}
    assert outputs["borda"] == "scores" and outputs["maximal_lottery"] == "lottery" and outputs["mpne"] == "policy"


def test_compute_is_the_core_function():
    params = RuleParams(beta=0.5, sampling={"R": 0.5, "G": 0.25, "B": 0.25}, k=3)
    expected = {
        "borda": borda(FIGURE_1),
        "plurality": plurality(FIGURE_1),
        "copeland": copeland(FIGURE_1),
        "maximal_lottery": maximal_lottery(FIGURE_1),
        "random_dictatorship": random_dictatorship(FIGURE_1),
        "rlhf": rlhf_policy(FIGURE_1, beta=0.5, sampling={"R": 0.5, "G": 0.25, "B": 0.25}),
        "nbc": nbc(FIGURE_1, {"R": 0.5, "G": 0.25, "B": 0.25}),
        "mpne": mpne(FIGURE_1, 3),
        "robust": robust_policy(FIGURE_1, 3),
    }
    for rule_id, series in expected.items():
        out = RULES[rule_id].compute(FIGURE_1, params)
        np.testing.assert_allclose(out.values.to_numpy(), values_of(series).to_numpy(), atol=1e-12, err_msg=rule_id)
        assert out.alternatives == ["R", "G", "B"]
        assert out.rule == rule_id and out.output == RULES[rule_id].output


def test_applicability_with_reasons():
    data = sample_comparisons(FIGURE_1, 100, seed=0)
    assert (
        population_kind(data) == "comparisons" and population_kind(FIGURE_1.preference_matrix()) == "preference matrix"
    )
    ok, reason = RULES["plurality"].applies_to(data)
    assert not ok and "favourite" in reason
    ok, reason = RULES["average_reward"].applies_to(FIGURE_1)
    assert not ok and "reward" in reason
    assert RULES["average_reward"].applies_to(TYPES) == (True, "")
    ok, reason = RULES["mpne"].applies_to(data, RuleParams(k=2))
    assert not ok and "use k = 1" in reason
    assert RULES["mpne"].applies_to(data, RuleParams(k=1)) == (True, "")
    with pytest.raises(AggregationError, match="^Plurality: it needs each voter's favourite"):
        RULES["plurality"].compute(data)


def test_user_types_run_every_rule():
    table = compute_all(TYPES, RuleParams(k=2))
    # every rule but those that count and change ballots (Dodgson, Young: their own refusal, with the reason) and
    # sequential Elo, which reads a log of comparisons in order
    assert list(table.values.columns) == [r for r in RULES if r not in table.skipped]
    assert "not a log" in table.skipped["elo"]
    assert all(
        RULES[r].limit is not None and "needs rankings" in reason for r, reason in table.skipped.items() if r != "elo"
    )
    distributions = [r for r in table.values.columns if RULES[r].output in ("lottery", "policy")]
    assert np.allclose(table.values[distributions].sum(), 1.0)


def test_compute_all_lists_what_it_skips():
    table = compute_all(FIGURE_1)
    assert "average_reward" not in table.values.columns
    assert "reward" in table.skipped["average_reward"]
    assert table.values.loc["B", "maximal_lottery"] == 1.0


def test_rules_table_for_the_dashboard():
    table = rules_table(FIGURE_1)
    assert list(table.index) == list(RULES)
    assert {"name", "output", "explanation", "applies to", "paper", "parameters", "applies", "reason"} <= set(table)
    assert table.loc["average_reward", "applies"] == False  # noqa: E712 - numpy bool
    assert table.loc["rlhf", "parameters"] == "beta, sampling"
    assert "applies" not in rules_table().columns


def test_params_validation_and_transport():
    with pytest.raises(AggregationError, match="beta must be a positive number"):
        RuleParams(beta=0)
    with pytest.raises(AggregationError, match="between 1 and"):
        RuleParams(k=0)
    with pytest.raises(AggregationError, match="map alternative names"):
        RuleParams(sampling=[0.5, 0.5])
    p = RuleParams(sampling={"R": 0.5, "G": 0.25, "B": 0.25})
    restricted = p.restricted(["R", "B"])
    assert dict(restricted.sampling) == pytest.approx({"R": 2 / 3, "B": 1 / 3})
    cloned = p.cloned("R", "R'")
    assert dict(cloned.sampling) == pytest.approx({"R": 0.25, "G": 0.25, "B": 0.25, "R'": 0.25})
    with pytest.raises(AggregationError, match="no probability"):
        RuleParams(sampling={"R": 1.0, "G": 0.0, "B": 0.0}).restricted(["G", "B"])
    assert RuleParams().restricted(["R"]).sampling is None


def test_labels_show_the_parameters():
    assert get_rule("mpne").name_with(RuleParams(k=4)) == "MPNE_k (k = 4)"
    assert get_rule("rlhf").name_with(RuleParams(beta=0.5)) == "RLHF / DPO limit (beta = 0.5)"
    assert get_rule("borda").name_with() == "Borda"
    # mid-sentence, as claims say them
    assert (
        get_rule("mpne").mid_sentence(3) == "MPNE_3"
        and get_rule("maximal_lottery").mid_sentence() == "the maximal lottery (NLHF)"
    )
    assert get_rule("robust").mid_sentence(2) == "the robust policy for k = 2"
    assert get_rule("robust").mid_sentence(2, k_in_sentence=True) == "the robust policy"
    with pytest.raises(AggregationError, match="unknown rule 'kemeny'"):
        get_rule("kemeny")


def test_bad_population():
    with pytest.raises(AggregationError, match="expected a Profile"):
        RULES["borda"].compute(pd.Series([1, 2]))
