"""The one table of fine-tuning methods (aggregation.training_methods) and the theory next to a job.

Expected numbers on the Jackpot paper's Figure 1 (2 x R > G > B, 3 x B > R > G): Borda R 7, G 2, B 6;
NBC under uniform D is the row mean of P: R (1/2 + 1 + 2/5) / 3 = 0.6333, G 0.3, B 0.5667; B is the
Condorcet winner, so the maximal lottery is B with probability 1 (section 5.1)."""

import pandas as pd
import pytest

from aggregation import (
    TRAINING_METHODS,
    AggregationError,
    Profile,
    RewardPopulation,
    TheoryResult,
    consistent_policy,
    ipo_policy,
    mpne,
    random_dictatorship,
    rlhf_policy,
)
from aggregation.papers import PAPERS, Reference
from aggregation.training_methods import FAMILIES, LIMITS, PAIRWISE, TrainingMethod, theory, training_method

FIGURE_1 = Profile.parse("2: R > G > B\n3: B > R > G")
USERS = RewardPopulation(
    {"majority": {"x": 2.0, "y": 0.0, "z": 1.0}, "minority": {"x": 0.0, "y": 3.0, "z": 1.5}}, [3, 1], temperature=1.0
)


def test_the_table_is_complete_and_consistent():
    assert list(TRAINING_METHODS) == [
        "dpo",
        "ipo",
        "rlhf",
        "nash",
        "mpne",
        "mnl",
        "mallows",
        "consistent",
        "consistent_b3",
        "corrected_dpo",
    ]
    for method_id, entry in TRAINING_METHODS.items():
        assert entry.id == method_id and entry.family in FAMILIES and entry.default_beta > 0
        assert entry.lands_on.startswith("Theory:") and entry.explanation
        assert entry.references and all(r.paper in PAPERS for r in entry.references)
        assert entry.theory is None or entry.theory in LIMITS
    families = {m.id: m.family for m in TRAINING_METHODS.values()}
    assert families == {
        "dpo": "pairwise",
        "ipo": "pairwise",
        "rlhf": "pairwise",
        "nash": "self-play",
        "mpne": "self-play",
        "mnl": "ranked choice",
        "mallows": "ranked choice",
        "consistent": "full information",
        "consistent_b3": "full information",
        "corrected_dpo": "pairwise",
    }
    assert [m.id for m in TRAINING_METHODS.values() if m.needs_voters] == [
        "mpne",
        "mnl",
        "mallows",
        "consistent",
        "consistent_b3",
        "corrected_dpo",
    ]
    assert {m.id: m.default_beta for m in TRAINING_METHODS.values() if m.self_play} == {"nash": 0.01, "mpne": 0.01}


def test_a_malformed_entry_or_an_unknown_method_is_refused():
    with pytest.raises(AggregationError, match="unknown family 'online'"):
        TrainingMethod("x", "X", "online", 0.1, (), "e", "Theory: t", (Reference("dpo"),), None)
    with pytest.raises(AggregationError, match="unknown limit 'borda_policy'"):
        TrainingMethod("x", "X", PAIRWISE, 0.1, (), "e", "Theory: t", (Reference("dpo"),), "borda_policy")
    with pytest.raises(
        AggregationError,
        match="method must be one of dpo, ipo, rlhf, nash, mpne, mnl, mallows, "
        "consistent, consistent_b3, corrected_dpo; got 'ppo'",
    ):
        training_method("ppo")


def test_figure_1_by_hand():
    view = theory(FIGURE_1, "dpo", {"beta": 0.1})
    assert view.borda.to_dict() == {"R": 7.0, "G": 2.0, "B": 6.0}
    assert view.nbc.to_dict() == pytest.approx({"R": 1.9 / 3, "G": 0.9 / 3, "B": 1.7 / 3}, abs=1e-15)
    assert view.policies["maximal_lottery"].to_dict() == pytest.approx({"R": 0, "G": 0, "B": 1}, abs=1e-9)
    assert view.condorcet_winner == "B" and view.lottery_unique is True
    assert view.target == "rlhf_policy" and list(view.policies) == ["rlhf_policy", "maximal_lottery", "mpne"]
    # each limit is the core function's own answer (uniform reference: None)
    assert view.policies["rlhf_policy"].equals(rlhf_policy(FIGURE_1, 0.1).values)
    assert view.policies["mpne"].equals(mpne(FIGURE_1, 2).values)
    # DPO implies one Bradley-Terry reward, off by 0.1757 on Figure 1 (tests/ui/test_pages.py)
    assert view.bt_fit.max_error == pytest.approx(0.1756898, abs=1e-7)
    assert theory(FIGURE_1, "ipo", {"beta": 0.1}).bt_fit is None


def test_each_method_gets_its_own_limit_and_the_ones_it_is_compared_with():
    reference = {"R": 0.5, "G": 0.3, "B": 0.2}
    D = {"R": 0.5, "G": 0.25, "B": 0.25}
    ipo = theory(FIGURE_1, "ipo", {"beta": 0.5, "sampling": D}, reference=reference)
    assert ipo.target == "ipo_policy" and ipo.policies["ipo_policy"].equals(ipo_policy(FIGURE_1, 0.5, D, reference))
    mnl = theory(FIGURE_1, "mnl", {"beta": 0.1, "display_size": 3, "top_k": 1})
    assert mnl.target is None  # no closed form showing 3 of 3
    assert mnl.policies["random_dictatorship"].equals(random_dictatorship(FIGURE_1).astype(float))
    assert theory(FIGURE_1, "mnl", {"display_size": 2, "top_k": 1}).target == "rlhf_policy"  # DPO's loss
    assert theory(FIGURE_1, "mnl", {"display_size": 2, "top_k": 2}).target is None
    assert theory(FIGURE_1, "mpne", {"k": 3}, with_mpne=False).policies["mpne"].equals(mpne(FIGURE_1, 3).values)
    assert "mpne" not in theory(FIGURE_1, "dpo", with_mpne=False).policies
    nash = theory(FIGURE_1, "nash")
    assert (nash.beta, nash.k, nash.target) == (0.01, 2, "maximal_lottery")  # the method's default beta


def test_the_consistent_loss_has_a_limit_for_user_types_only():
    on_rankings = theory(FIGURE_1, "consistent", {"beta": 0.1})
    assert on_rankings.target is None and "consistent_policy" not in on_rankings.policies
    assert on_rankings.unavailable["consistent_policy"].startswith("the consistent loss has a finite optimum only")
    reference = {"x": 0.2, "y": 0.3, "z": 0.5}
    on_types = theory(USERS, "consistent", {"beta": 0.1}, reference=reference)
    assert on_types.target == "consistent_policy"
    assert on_types.policies["consistent_policy"].equals(consistent_policy(USERS, 0.1, reference))
    assert list(on_types.policies) == [
        "rlhf_policy",
        "maximal_lottery",
        "mpne",
        "average_reward_policy",
        "consistent_policy",
    ]


def test_a_refused_limit_is_listed_with_the_cores_reason():
    no_kl = theory(FIGURE_1, "nash", {"beta": 0.0})  # valid for self-play; no tilted policy then
    assert no_kl.unavailable == {"rlhf_policy": "beta must be a positive number, got 0.0"}
    assert no_kl.policies["maximal_lottery"]["B"] == pytest.approx(1.0)
    zeros = theory(FIGURE_1, "dpo", {"beta": 0.1, "sampling": {"R": 0.5, "G": 0.5, "B": 0.0}})
    assert "rlhf_policy" not in zeros.policies and "probability 0" in zeros.unavailable["rlhf_policy"]
    assert zeros.bt_fit is None and zeros.target_policy is None
    restored = TheoryResult.from_json(zeros.to_json(), FIGURE_1.alternatives)
    assert restored.unavailable == zeros.unavailable and list(restored.policies) == list(zeros.policies)


def test_a_matrix_population_gets_the_limits_that_need_only_p():
    P = pd.DataFrame([[0.5, 0.7], [0.3, 0.5]], index=["a", "b"], columns=["a", "b"])
    view = theory(P, "dpo", {"beta": 1.0})
    assert view.policies["maximal_lottery"].to_dict() == pytest.approx({"a": 1.0, "b": 0.0}, abs=1e-9)
    assert "with k = 2 it needs each voter's full ranking" in view.unavailable["mpne"]


def test_corrected_dpo_gets_its_own_limit_with_the_jobs_settings():
    """The limit follows alpha, the variance, the floor and the clip of the settings (defaults: alpha 1,
    the estimated variance clipped at 0.1, the authors' value), and is stored with them."""
    from aggregation import corrected_dpo_policy
    from aggregation.training_methods import correction

    assert correction({}) == {"alpha": 1.0, "variance": "estimated", "log_eps": 1e-6, "correction_clip": 0.1}
    assert correction({"variance": "known"})["correction_clip"] is None
    assert correction({"variance": "estimated", "correction_clip": None})["correction_clip"] is None  # explicit: off
    reference = {"x": 0.2, "y": 0.3, "z": 0.5}
    view = theory(USERS, "corrected_dpo", {"beta": 0.5, "variance": "known", "alpha": 2.0}, reference=reference)
    assert view.target == "corrected_dpo_policy" and view.policies["corrected_dpo_policy"].equals(
        corrected_dpo_policy(USERS, 0.5, 2.0, None, reference, variance="known")
    )
    assert list(view.policies) == [
        "rlhf_policy",
        "maximal_lottery",
        "mpne",
        "average_reward_policy",
        "corrected_dpo_policy",
    ]
    back = TheoryResult.from_json(view.to_json(), USERS.alternatives)
    assert (
        back.correction
        == view.correction
        == {"alpha": 2.0, "variance": "known", "log_eps": 1e-6, "correction_clip": None}
    )
    assert back.policies["corrected_dpo_policy"].equals(view.policies["corrected_dpo_policy"])
    # alpha = 0 is DPO: the limit is the RLHF / DPO limit
    dpo = theory(USERS, "corrected_dpo", {"beta": 0.5, "alpha": 0.0, "variance": "known"})
    assert dpo.policies["corrected_dpo_policy"].to_numpy() == pytest.approx(
        dpo.policies["rlhf_policy"].to_numpy(), abs=1e-12
    )


def test_a_corrected_dpo_limit_the_core_refuses_is_listed_with_its_reason():
    on_rankings = theory(FIGURE_1, "corrected_dpo", {"beta": 0.1, "variance": "known"})
    assert on_rankings.unavailable["corrected_dpo_policy"].startswith(
        "the known variance Var_u[r_u(a) - r_u(b)] needs user types"
    )
    unclipped = theory(USERS, "corrected_dpo", {"beta": 0.1, "variance": "estimated", "correction_clip": None})
    assert "grows without bound" in unclipped.unavailable["corrected_dpo_policy"]
    # the estimated variance works on rankings (each ranking is a type): Figure 1 has a finite limit
    assert theory(FIGURE_1, "corrected_dpo", {"beta": 0.1}).policies["corrected_dpo_policy"].sum() == pytest.approx(1)


def test_the_prop_b3_loss_lands_where_prop_6_1_does():
    b3 = theory(USERS, "consistent_b3", {"beta": 0.1})
    assert b3.target == "consistent_policy"
    assert b3.policies["consistent_policy"].equals(consistent_policy(USERS, 0.1))
    assert theory(FIGURE_1, "consistent_b3", {"beta": 0.1}).target is None
