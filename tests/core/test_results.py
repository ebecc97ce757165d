"""Typed results (aggregation.rules.result): what a rule returns and how every reader reads it."""

import numpy as np
import pandas as pd
import pytest

from aggregation import (
    RULES,
    LotteryCertificate,
    Profile,
    RewardFit,
    RuleParams,
    RuleResult,
    bt_reward,
    maximal_lottery,
    reward_order_key,
    rlhf_policy,
)

FIGURE_1 = Profile.parse("2: R > G > B\n3: B > R > G")  # Jackpot paper, Figure 1


def test_the_registry_wraps_plain_scores_and_labels_every_result():
    borda = RULES["borda"].compute(FIGURE_1)
    assert isinstance(borda, RuleResult) and borda.certificate is None and borda.notes == ()
    assert (borda.rule, borda.output) == ("borda", "scores")
    assert borda["R"] == 7.0 and borda.winners == ["R"] and borda.tie_groups == [["R"], ["B"], ["G"]]
    ml = RULES["maximal_lottery"].compute(FIGURE_1)
    assert isinstance(ml.certificate, LotteryCertificate) and ml.output == "lottery" and ml.support == ["B"]


def test_a_lottery_certificate_by_hand():
    ml = maximal_lottery(FIGURE_1)
    # B beats R 3:2 and G 3:2, so p = B alone and min_b (p^T M)_b = 0 at b = B itself
    assert ml.certificate.unique and ml.certificate.essential_set == ("B",) and ml.certificate.value == 0.0
    assert ml.method.startswith("the Condorcet winner")  # B settles it without a linear program
    cycle = maximal_lottery(Profile.parse("A > B > C\nB > C > A\nC > A > B"))
    assert cycle.method.startswith("a strict three-cycle") and cycle.certificate.unique  # the kernel of M
    four = maximal_lottery(Profile.parse("A > B > C > D\nB > C > A > D\nC > A > B > D"))  # the cycle, D last
    assert four.method.startswith("linear programs") and four.certificate.unique
    assert four.values.to_dict() == pytest.approx({"A": 1 / 3, "B": 1 / 3, "C": 1 / 3, "D": 0.0}, abs=1e-12)


def test_the_reward_fit_keeps_its_levels():
    unanimous = Profile.parse("2: A > B > C\n1: A > C > B")  # every voter puts A first
    fit = bt_reward(unanimous)
    assert isinstance(fit, RewardFit) and fit.infinite_gaps and fit["A"] == 0.0 and fit["B"] == -np.inf
    key = reward_order_key(fit)
    assert list(key.sort_values(ascending=False).index) == ["A", "B", "C"] and np.isfinite(key).all()
    policy = rlhf_policy(unanimous, beta=2.0, misfit=True)
    assert policy.certificate.beta == 2.0 and policy.certificate.misfit is not None
    assert policy.values.to_dict() == {"A": 1.0, "B": 0.0, "C": 0.0}
    assert rlhf_policy(unanimous).certificate.misfit is None


def test_rlhf_rule_carries_the_misfit_of_the_same_fit():
    out = RULES["rlhf"].compute(FIGURE_1, RuleParams(beta=1.0))
    fit = out.certificate.misfit
    # README: the Figure 1 misfit is 0.1757 and the cycle products 0.24 vs 0 (Shirali et al., Prop. B.1's proof)
    assert fit.max_error == pytest.approx(0.1757, abs=5e-5) and fit.cycle_gap == pytest.approx(0.24, abs=1e-12)
    pd.testing.assert_series_equal(fit.reward, out.certificate.reward)
