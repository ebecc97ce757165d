"""The infinite-data policies of IPO (the reference tilted by NBC under D, Azar et al. 2024) and of the
consistent loss (Shirali et al. 2025), each checked by hand or against a brute-force minimisation of the
expected loss."""

import numpy as np
import pandas as pd
import pytest

from aggregation import AggregationError, Profile, RewardPopulation, ipo_policy, nbc, preference_matrix

FIGURE_1 = Profile.parse("2: R > G > B\n3: B > R > G")


def test_figure_1_by_hand():
    # NBC under uniform D: R 1.9/3, G 0.9/3, B 1.7/3; the policy is exp(NBC / beta), normalised
    w = np.exp(np.array([1.9, 0.9, 1.7]) / 3 / 0.5)
    assert ipo_policy(FIGURE_1, beta=0.5).to_numpy() == pytest.approx(w / w.sum(), abs=1e-15)
    # unlike the RLHF / DPO limit, G (below R for every voter) keeps a positive probability
    assert ipo_policy(FIGURE_1, beta=0.1)["G"] > 0


def expected_ipo_minimiser(model, beta, D, reference):
    """Minimise E_{(a, b) ~ D x D, label ~ P} (h_chosen,rejected - 1/(2 beta))^2 over the log-ratios
    x = log pi - log pi_ref by weighted least squares, then pi = pi_ref exp(x) normalised."""
    P = preference_matrix(model).to_numpy(float)
    m = len(D)
    c = 1.0 / (2.0 * beta)
    rows, targets, weights = [], [], []
    for a in range(m):
        for b in range(m):
            if a == b:
                continue
            for chosen, rejected, p in ((a, b, P[a, b]), (b, a, P[b, a])):
                row = np.zeros(m)
                row[chosen], row[rejected] = 1.0, -1.0
                rows.append(row)
                targets.append(c)
                weights.append(D[a] * D[b] * p)
    sw = np.sqrt(np.array(weights))
    x, *_ = np.linalg.lstsq(np.array(rows) * sw[:, None], np.array(targets) * sw, rcond=None)
    logits = np.log(reference) + x
    p = np.exp(logits - logits.max())
    return p / p.sum()


@pytest.mark.parametrize("seed", range(6))
def test_it_minimises_the_expected_ipo_loss(seed):
    rng = np.random.default_rng(seed)
    m = int(rng.integers(2, 6))
    if seed % 2:
        rewards = pd.DataFrame(rng.normal(size=(3, m)), index=["u", "v", "w"], columns=[f"a{i}" for i in range(m)])
        model = RewardPopulation(rewards, rng.random(3) + 0.1, temperature=0.7)
    else:
        model = Profile.from_rankings(
            [[f"a{i}" for i in rng.permutation(m)] for _ in range(5)], weights=rng.random(5) + 0.1
        )
    names = list(model.alternatives)
    D = rng.dirichlet(np.ones(m))
    ref = rng.dirichlet(np.ones(m))
    beta = float(rng.uniform(0.05, 2.0))
    got = ipo_policy(model, beta=beta, sampling=dict(zip(names, D)), reference=dict(zip(names, ref)))
    np.testing.assert_allclose(got.to_numpy(), expected_ipo_minimiser(model, beta, D, ref), atol=1e-9)
    # the order is NBC's under the same D when the reference is uniform
    uniform = ipo_policy(model, beta=beta, sampling=dict(zip(names, D)))
    assert list(uniform.sort_values().index) == list(nbc(model, dict(zip(names, D))).sort_values().index)


def test_bad_beta_is_refused():
    with pytest.raises(AggregationError, match="beta must be a positive number"):
        ipo_policy(FIGURE_1, beta=0)


# ---------------------------------------------------------------- the consistent loss (Shirali et al.)
def expected_consistent_minimiser(population, beta, D, reference):
    """Minimise the expected consistent loss over pairs from D x D (one label per user type, only
    unanimous pairs count) numerically, then pi = pi_ref exp(x) normalised."""
    from scipy.optimize import minimize
    from scipy.special import log_expit

    Q = population.type_preference_matrices()
    n = Q.shape[0]
    A = Q.prod(axis=0)  # every type prefers a to b
    B = Q.transpose(0, 2, 1).prod(axis=0)  # no type does
    W = np.outer(D, D)
    np.fill_diagonal(W, 0.0)

    def loss(x):
        h = beta * (x[:, None] - x[None, :])
        return float(-(W * (A * log_expit(n * h) + B * log_expit(-n * h))).sum())

    x = minimize(loss, np.zeros(len(D)), method="BFGS", options={"gtol": 1e-12}).x
    logits = np.log(reference) + x
    p = np.exp(logits - logits.max())
    return p / p.sum()


@pytest.mark.parametrize("seed", range(4))
def test_consistent_policy_minimises_the_expected_consistent_loss(seed):
    from aggregation import average_reward_policy, consistent_policy

    rng = np.random.default_rng(100 + seed)
    m = int(rng.integers(2, 5))
    names = [f"a{i}" for i in range(m)]
    rewards = pd.DataFrame(rng.normal(size=(3, m)), index=["u", "v", "w"], columns=names)
    weights = rng.random(3) + 0.1
    model = RewardPopulation(rewards, weights, temperature=float(rng.uniform(0.5, 2.0)))
    D, ref = rng.dirichlet(np.ones(m)), rng.dirichlet(np.ones(m))
    beta = float(rng.uniform(0.2, 2.0))
    got = consistent_policy(model, beta=beta, reference=dict(zip(names, ref)))
    np.testing.assert_allclose(got.to_numpy(), expected_consistent_minimiser(model, beta, D, ref), atol=1e-5)
    # the type weights do not enter: with equal weights it is the average-reward policy at beta * T
    equal = RewardPopulation(rewards, None, temperature=model.temperature)
    np.testing.assert_allclose(
        got.to_numpy(),
        average_reward_policy(equal, beta * model.temperature, dict(zip(names, ref))).to_numpy(),
        atol=1e-12,
    )


def test_consistent_policy_refuses_rankings():
    from aggregation import consistent_policy

    with pytest.raises(AggregationError, match="finite optimum only for user types"):
        consistent_policy(FIGURE_1)
