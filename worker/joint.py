"""The joint likelihood model J of Shirali et al., section 5.3, fitted on paired preferences before
first-order corrected DPO trains the policy.

J is the authors' model (arashne/dahp, ``MultiTabularRewardBasedJointLikelihoodModel``): a mixture of
K Bradley-Terry latent types, rewards ``R`` (K, m) drawn from a standard normal and mixing weights
``softmax(logits)`` from zero logits, so that
``J(a, b, c, d) = sum_k w_k sigmoid(R_k[a] - R_k[b]) sigmoid(R_k[c] - R_k[d])`` is the probability that
one annotator prefers a to b and c to d. It is fitted by full-batch Adam on the cross-entropy against
``o * o'`` (:func:`worker.losses.joint_likelihood_loss`) over each annotator's two comparisons in their
four orientations (:meth:`worker.data.PairedDataset.joint_rows`), identical rows merged into one
with their count (the same mean; a step then costs the number of distinct rows, at most 2 m^4).
Lemma 5.3 then reads, for every pair (a, b), ``J1 = J(a, b, a, b)`` and ``J2 = J(a, b, b, a)``:
``J1 + J2`` estimates ``P[a, b]`` and ``J1 - (J1 + J2)^2`` the numerator ``Var_u[P_u(a > b)]`` of
eq. (16). The fit runs on the CPU in float64 whatever device the policy uses (J has K (m + 1) numbers).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from . import losses
from .data import PairedDataset


@dataclass
class JointFit:
    """A fitted J: ``rewards`` (K, m), ``log_shares`` (K,), and the cross-entropy before and after."""

    rewards: np.ndarray
    log_shares: np.ndarray
    loss_start: float
    loss_end: float
    steps: int

    def tables(self) -> tuple[np.ndarray, np.ndarray]:
        """``J1[a, b] = J(a, b, a, b)`` and ``J2[a, b] = J(a, b, b, a)`` for every pair (m x m)."""
        R = torch.as_tensor(self.rewards)
        log_w = torch.as_tensor(self.log_shares)
        m = R.shape[1]
        a = torch.arange(m).repeat_interleave(m)
        b = torch.arange(m).repeat(m)
        with torch.no_grad():
            j1 = losses.joint_likelihood(R, log_w, a, b, a, b).reshape(m, m).numpy()
            j2 = losses.joint_likelihood(R, log_w, a, b, b, a).reshape(m, m).numpy()
        return j1, j2

    def summary(self, alternatives: list[str], exact_numerator: np.ndarray | None) -> dict:
        """Plain JSON: the fit, the estimated ``Var_u[P_u(a > b)]`` for every pair and, when the population
        gives it, the exact one and the largest difference."""
        j1, j2 = self.tables()
        numerator = np.maximum(j1 - (j1 + j2) ** 2, 0.0)
        np.fill_diagonal(numerator, 0.0)
        out = {
            "source": "joint likelihood model J fitted on the paired comparisons (Shirali et al., section 5.3; "
            "Lemma 5.3, eq. 16)",
            "alternatives": list(alternatives),
            "joint_types": int(self.rewards.shape[0]),
            "steps": self.steps,
            "cross_entropy_start": self.loss_start,
            "cross_entropy_end": self.loss_end,
            "latent_shares": np.exp(self.log_shares).tolist(),
            "preference_variance": numerator.tolist(),
            "preference": (j1 + j2).tolist(),
        }
        if exact_numerator is not None:
            out["exact_preference_variance"] = exact_numerator.tolist()
            out["largest_error"] = float(np.abs(numerator - exact_numerator).max())
        return out


def fit_joint_model(data: PairedDataset, m: int, types: int, steps: int, learning_rate: float, seed: int) -> JointFit:
    """Fit J with ``types`` latent types on ``data`` (see the module docstring)."""
    generator = torch.Generator().manual_seed(int(seed))
    R = torch.randn(types, m, generator=generator, dtype=torch.float64).requires_grad_()
    logits = torch.zeros(types, dtype=torch.float64, requires_grad=True)
    rows, counts = np.unique(np.stack(data.joint_rows()).astype(np.int64), axis=1, return_counts=True)
    a, b, c, d, both = (torch.as_tensor(row) for row in rows)  # identical rows once, with their count
    weights = torch.as_tensor(counts, dtype=torch.float64)
    optimizer = torch.optim.Adam([R, logits], lr=learning_rate)

    def loss():
        return losses.joint_likelihood_loss(R, torch.log_softmax(logits, 0), a, b, c, d, both, weights)

    start = float(loss().item())
    for _ in range(steps):
        value = loss()
        optimizer.zero_grad(set_to_none=True)
        value.backward()
        optimizer.step()
    with torch.no_grad():
        end = float(loss().item())
        return JointFit(R.detach().numpy().copy(), torch.log_softmax(logits, 0).numpy().copy(), start, end, steps)
