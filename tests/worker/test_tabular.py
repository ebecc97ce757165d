"""The ``tabular`` model (worker.models.TabularPolicy): the same losses and optimizer as the language
models, on a softmax over the alternatives, agree with the core's theory to many digits."""

import numpy as np
import pytest
import torch

import pandas as pd

from aggregation import RewardPopulation, consistent_policy, maximal_lottery, population_to_dict, rlhf_policy
from aggregation.rules.result import values_of
from worker import losses
from worker.catalog import BUILT_IN, is_model_name
from worker.models import TabularPolicy
from worker.spec import JobSpecError, validate_spec
from worker.train import MAX_GRAD_NORM, train

from .conftest import FIGURE_1

ALTS = list(FIGURE_1.alternatives)


def run(population, **settings) -> dict:
    events = []
    result = train(
        validate_spec({"population": population_to_dict(population), "model": "tabular", **settings}), events.append
    )
    result["_events"] = events
    return result


def test_tabular_is_a_built_in_model_name_not_a_folder_name():
    assert "tabular" in BUILT_IN and not is_model_name("tabular")
    spec = validate_spec({"population": population_to_dict(FIGURE_1), "method": "dpo", "model": "tabular"})
    assert spec["model"] == "tabular" and spec["learning_rate"] == 0.05 and spec["contexts"] == 1


def test_contexts_are_for_the_tabular_model_only():
    with pytest.raises(JobSpecError, match=r"contexts \(4\) is for the tabular model only"):
        validate_spec({"population": population_to_dict(FIGURE_1), "method": "dpo", "contexts": 4})
    with pytest.raises(JobSpecError, match=r"dataset_size \(3\) must be at least contexts \(4\)"):
        validate_spec(
            {
                "population": population_to_dict(FIGURE_1),
                "method": "dpo",
                "model": "tabular",
                "contexts": 4,
                "dataset_size": 3,
            }
        )


@pytest.mark.parametrize("beta", [0.1, 0.5, 2.0])
def test_dpo_with_exact_expected_gradients_lands_on_rlhf_policy(beta):
    """The expected DPO loss under uniform D, sum over ordered pairs of P[a, b] * loss(a over b), minimised with
    the trainer's Adam and clipping on a tabular policy, is the core's rlhf_policy (Shirali et al., Prop. 4.2:
    pi_ref exp(r_BT / beta)); here to 1e-8 (Figure 1: R 0.629, B 0.342, G 0.029 at beta 0.5)."""
    P = FIGURE_1.preference_matrix().to_numpy(float)
    target = values_of(rlhf_policy(FIGURE_1, beta)).reindex(ALTS).to_numpy(float)
    policy = TabularPolicy(ALTS, 1, torch.device("cpu"))
    params = policy.trainable_parameters()
    optimizer = torch.optim.Adam(params, lr=0.05)
    ref = policy.reference_logprobs()
    pairs = [(a, b) for a in range(3) for b in range(3) if a != b]
    for _ in range(1500):
        lr = policy.logprobs() - ref
        loss = sum(P[a, b] / len(pairs) * losses.dpo_loss(lr[[a]], lr[[b]], beta) for a, b in pairs)
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, MAX_GRAD_NORM)
        optimizer.step()
    assert np.abs(policy.readout()[0].numpy() - target).max() < 1e-8
    if beta == 0.5:
        assert dict(zip(ALTS, np.round(target, 3).tolist())) == {"R": 0.629, "B": 0.342, "G": 0.029}


def test_dpo_job_lands_on_its_datasets_optimum_and_near_the_limit():
    """A tabular DPO job reaches the exact minimiser of its finite-data loss (the reference tilted by the
    dataset's Bradley-Terry MLE, whose tiny ridge is the only difference) to 1e-5, and with 20,000 rows the
    infinite-data limit to 0.03 (sampling noise)."""
    r = run(FIGURE_1, method="dpo", beta=0.5, steps=1500, dataset_size=20_000)
    p, optimum = r["policy"], r["dataset_optimum"]["policy"]
    assert max(abs(p[a] - optimum[a]) for a in ALTS) < 1e-5
    limit = r["theory"]["rlhf_policy"]
    assert max(abs(p[a] - limit[a]) for a in ALTS) < 0.03
    assert r["outside_mass"] == 0.0 and r["model"]["name"] == "tabular"
    assert [e["step"] for e in r["_events"] if e["event"] == "progress"][-1] == 1500


def test_rlhf_job_is_the_tilted_reward_model_exactly():
    r = run(FIGURE_1, method="rlhf", beta=1.0, steps=1500)
    p, optimum = r["policy"], r["dataset_optimum"]["policy"]
    assert max(abs(p[a] - optimum[a]) for a in ALTS) < 1e-5


def test_rlhf_with_beta_zero_has_no_tilted_optimum_and_goes_to_the_reward_argmax():
    r = run(FIGURE_1, method="rlhf", beta=0.0, steps=300)
    assert "dataset_optimum" not in r and r["policy"]["R"] > 0.99


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_nash_self_play_mixture_lands_on_the_maximal_lottery(seed):
    """Figure 1 has the Condorcet winner B, so the maximal lottery is B with probability 1 (Jackpot, Theorem 1);
    self-play without KL reaches it in the mixture of iterates and the last iterate."""
    assert values_of(maximal_lottery(FIGURE_1))["B"] == pytest.approx(1.0)
    r = run(FIGURE_1, method="nash", beta=0.0, steps=1000, seed=seed)
    assert r["policy"]["B"] > 0.99 and r["mixture"]["B"] > 0.9


def test_consistent_loss_lands_on_its_limit_for_user_types():
    """Prop. 6.1's loss on user types: the limit is the core's consistent_policy; with every pair labelled by
    both types (10,000 rows) the tabular job is within 0.02 of it."""
    pop = RewardPopulation(pd.DataFrame({"A": [2.0, 1.0], "B": [1.0, 2.0], "C": [0.0, 0.0]}, index=["u", "v"]))
    r = run(pop, method="consistent", beta=1.0, steps=1500, dataset_size=20_000)
    limit = values_of(consistent_policy(pop, 1.0)).to_dict()
    assert max(abs(r["policy"][a] - limit[a]) for a in limit) < 0.02, (r["policy"], limit)


def test_contexts_train_one_row_per_prompt_and_report_the_spread():
    r = run(FIGURE_1, method="dpo", beta=0.5, steps=400, dataset_size=400, contexts=4)
    rows = np.array(r["policy_by_context"])
    assert rows.shape == (4, 3) and np.allclose(rows.sum(1), 1.0)
    assert np.allclose(rows.mean(0), [r["policy"][a] for a in ALTS])
    se = rows.std(0, ddof=1) / 2.0
    assert np.allclose(se, [r["policy_se"][a] for a in ALTS])
    assert len({tuple(np.round(row, 6)) for row in rows}) == 4  # each prompt has its own data
    assert r["dataset"]["contexts"] == 4
