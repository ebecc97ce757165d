"""Where the methods of Shirali et al., "Direct Alignment with Heterogeneous Preferences" (arXiv
2502.16320), land with infinite data: first-order corrected DPO (section 5) and the consistent loss of
Proposition B.3, each the minimiser of its expected loss over pairs from ``D x D``.

* ``reward_variance(population)``: ``V[a, b] = Var_u[(r_u(a) - r_u(b)) / T]`` over the user types
  (weighted by their shares): the variance term of eq. (14), known exactly from the population.
* ``preference_variance(population)``: ``Var_u[P_u(a > b)]`` over the voters (user types, or
  rankings where each voter is a type: ``P_u`` is 1, 1/2 or 0), the numerator of Lemma 5.3's eq. (16):
  ``J(a, b, a, b) - (J(a, b, a, b) + J(a, b, b, a))^2`` for the true joint likelihood J.
* ``corrected_dpo_policy(population, beta, alpha, D, reference, variance=...)``: the policy that
  minimises the expected corrected-DPO loss (:func:`aggregation.losses.corrected_dpo_loss`)
  ``sum_{a != b} D(a) D(b) P[a, b] l(r_a - r_b)`` over rewards ``r = beta log pi / pi_ref``, then
  ``pi_ref exp(r / beta)`` normalised. ``variance="known"``: ``V = reward_variance`` (user types).
  ``"estimated"``: the paper's estimate of section 5.3 with the true J, i.e. eq. (16) with the
  policy's own ``h``: ``V = preference_variance / sigma'(h)^2``; it needs ``clip`` (see below).
* ``consistent_b3_policy(population, beta, D, reference)``: the minimiser of the expected Prop. B.3
  loss (every user type labels each pair; only unanimous pairs count, types counted once). The
  proof of Prop. B.3 (eq. 21) says it is :func:`~.alignment.consistent_policy`, the average-reward
  policy when types weigh the same; this computes it by minimisation, so that statement is tested.

The corrected loss is not convex in general (for ``alpha V > 4`` the corrected likelihood is not
even monotone in h), so the minimiser need not be unique: the one returned is the local minimum
L-BFGS reaches from the DPO limit (``alpha = 0``, the Bradley-Terry reward of
:func:`~.alignment.bt_reward`), with the gradient checked at the end. With ``variance="estimated"``
and no clip the corrected likelihood ``s + (alpha/2) (1 - 2s) Var_u[P_u] / (s (1 - s))`` grows without
bound as ``s -> 0``, so a pair's expected loss is unbounded below and no limit is computed; the
authors' code clips the correction to [-0.1, 0.1] (``EstVarCorrectedDPO``), which bounds it.

On the section 7.2 environment (one prompt: the rewards depend on ``y - x`` only, so with a policy
per prompt every prompt's limit is the same 1-D problem over the 40 offsets) this gives, with
uniform D and pi_ref and beta = 1: DPO 0.0304 at offset 0 and 0.0273 at +-10; corrected with known
V and alpha = 1, 0.0312 and 0.0310 (mass moves towards +-10 but 0 stays on top), alpha = 2, 0.0284
and 0.0266; with the estimated V clipped at 0.1, alpha = 1, 0.0322 and 0.0298, alpha = 2, 0.0327
and 0.0334; pi* 0.0285 and 0.0336 (tests/core/test_heterogeneous_limits.py). The paper's Figure 4(b)
comes from finite training (the authors' code: an MLP policy over prompts, 10,000 steps, the
correction switched on after 8,000 DPO steps), not from this limit.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import minimize

from ..errors import AggregationError
from ..losses import STABLE_LOG_EPS, _b3_terms, _correction_settings, _corrected_terms
from ..populations.base import Population
from ..populations.matrix import as_population
from ..populations.preference import matrix_and_names
from ..validate import distribution
from .alignment import _bt_mle, _tilt, _unanimity_levels

#: The variance term of the corrected likelihood: known from the population, or estimated (eq. 16).
VARIANCES = ("estimated", "known")
#: The expected loss's gradient must be this small (relative to the pair weights) at the answer.
GRADIENT_TOLERANCE = 1e-8


def reward_variance(population: Population) -> pd.DataFrame:
    """``V[a, b] = Var_u[(r_u(a) - r_u(b)) / T]`` over the user types, weighted by their shares (eq. 14's
    variance term, in the Bradley-Terry units of the annotators: rewards over the temperature T)."""
    population = as_population(population)
    if not population.has_rewards:
        raise AggregationError(
            "the known variance Var_u[r_u(a) - r_u(b)] needs user types with rewards; rankings "
            "and comparisons carry no reward scale (use the estimated variance)"
        )
    R = population.rewards.to_numpy(float) / population.temperature
    w = population.shares
    d = R[:, :, None] - R[:, None, :]
    mean = np.tensordot(w, d, axes=(0, 0))
    V = np.maximum(np.tensordot(w, (d - mean) ** 2, axes=(0, 0)), 0.0)
    names = population.alternatives
    return pd.DataFrame(V, index=names, columns=names)


def preference_variance(population: Population) -> pd.DataFrame:
    """``Var_u[P_u(a > b)]`` over the voters: user types (``P_u`` their Bradley-Terry probability) or
    rankings (each ranking a type, ``P_u`` 1, 1/2 on a tie, or 0), weighted: Lemma 5.3's numerator."""
    population = as_population(population)
    if population.has_rewards:
        Q = population.type_preference_matrices()
        second = np.tensordot(population.shares, Q**2, axes=(0, 0))
    elif population.has_full_rankings:
        A = population.above_counts() / population.total_weight  # strictly above
        ties = 1.0 - A - A.T
        second = A + 0.25 * ties
    else:
        raise AggregationError(
            "Var_u[P_u(a > b)] needs each voter's preferences (rankings or user types); a "
            f"population of kind {population.kind!r} only has P"
        )
    P = population.preference_matrix().to_numpy(float)
    V = np.maximum(second - P**2, 0.0)
    np.fill_diagonal(V, 0.0)
    names = population.alternatives
    return pd.DataFrame(V, index=names, columns=names)


def corrected_dpo_policy(
    population: Population,
    beta: float = 1.0,
    alpha: float = 1.0,
    sampling=None,
    reference=None,
    *,
    variance: str = "known",
    eps: float = STABLE_LOG_EPS,
    clip: float | None = None,
) -> pd.Series:
    """First-order corrected DPO with infinite data (see the module docstring): the reward minimising
    ``sum_{a != b} D(a) D(b) P[a, b] (-log max(z(r_a - r_b), eps))`` with ``z`` the corrected likelihood of
    section 5.1, then ``pi_ref exp(r / beta)`` normalised. ``alpha = 0`` is the RLHF / DPO limit."""
    population = as_population(population)
    if variance not in VARIANCES:
        raise AggregationError(f"variance must be one of {', '.join(VARIANCES)}; got {variance!r}")
    alpha, eps, clip = _correction_settings(alpha, eps, clip)
    P, names = matrix_and_names(population)
    D = distribution(sampling, names, allow_zero=False).to_numpy()
    if variance == "known":
        V = reward_variance(population).to_numpy(float)
    else:
        V = preference_variance(population).to_numpy(float)
        if clip is None and alpha > 0:
            raise AggregationError(
                "with the estimated variance (eq. 16) and no clip the corrected likelihood grows without bound as "
                "sigmoid(h) -> 0, so the expected loss has no minimum; set a clip (the authors' code clips the "
                "correction at 0.1)"
            )
    if _unanimity_levels(P).max() > 0:
        raise AggregationError(
            "every voter ranks some response below another, so the loss pushes that pair "
            "infinitely apart: corrected DPO has no finite limit here"
        )
    start = _bt_mle(P, D)
    joint = variance == "estimated"

    def terms(h):
        return _corrected_terms(h, V, alpha, eps, clip, joint=joint)

    reward = _minimise(np.outer(D, D) * P, terms, start, "corrected DPO")
    return _tilt(pd.Series(reward, index=names), beta, reference, name="corrected-DPO policy")


def consistent_b3_policy(population: Population, beta: float = 1.0, sampling=None, reference=None) -> pd.Series:
    """The consistent loss of Proposition B.3 with infinite data: the reward minimising
    ``sum_{a != b} D(a) D(b) A[a, b] (-s - I(s))``, ``s = sigmoid(r_a - r_b)``, ``A[a, b] = prod_u P_u(a > b)``
    (every type prefers a; types counted once), then ``pi_ref exp(r / beta)`` normalised. Equal to
    :func:`~.alignment.consistent_policy` (eq. 21); user types only."""
    population = as_population(population)
    if not population.has_rewards:
        raise AggregationError(
            "the consistent loss has a finite optimum only for user types with rewards; on rankings it pushes "
            "every response that all rankings put below another one towards probability 0"
        )
    names = population.alternatives
    D = distribution(sampling, names, allow_zero=False).to_numpy()
    Q = population.type_preference_matrices()
    n = Q.shape[0]
    A = Q.prod(axis=0)
    reward = _minimise(np.outer(D, D) * A, lambda h: _b3_terms(h, n), np.zeros(len(names)), "the Prop. B.3 loss")
    return _tilt(pd.Series(reward, index=names), beta, reference, name="Prop. B.3 consistent-loss policy")


def _minimise(W: np.ndarray, terms, start: np.ndarray, what: str) -> np.ndarray:
    """Minimise ``sum_{a != b} W[a, b] row(r_a - r_b)`` (``terms(h) -> (row, d row / d h)``) over ``r``,
    centred; the shift is fixed by adding ``(sum r)^2 / 2``, zero at the centred answer."""
    W = np.array(W, dtype=float)
    np.fill_diagonal(W, 0.0)
    scale = W.sum()

    def f(r):
        h = r[:, None] - r[None, :]
        row, slope = terms(h)
        Ws = W * slope
        total = r.sum()
        return float((W * row).sum() / scale + 0.5 * total**2), (Ws.sum(1) - Ws.sum(0)) / scale + total

    res = minimize(
        f, start - start.mean(), jac=True, method="L-BFGS-B", options={"maxiter": 20_000, "gtol": 1e-12, "ftol": 1e-15}
    )
    reward = res.x - res.x.mean()
    gradient = f(reward)[1]
    if not np.all(np.isfinite(reward)) or np.abs(gradient).max() > GRADIENT_TOLERANCE:
        raise AggregationError(
            f"the minimisation of {what} did not converge (largest gradient "
            f"{np.abs(gradient).max():.2g}): {res.message}"
        )
    return reward
