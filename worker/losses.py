"""Training losses as plain torch functions of per-response log-probabilities.

Conventions shared with the numpy references in ``aggregation/losses.py`` (same names, same
argument order): ``lr`` is the log-ratio ``log pi(y) - log pi_ref(y)`` of a response's
*sequence* probability under the policy and under the reference model, **not** multiplied by
``beta``; every tensor is batch-first; every loss returns the mean over the batch.

* :func:`dpo_loss`: Rafailov et al. 2023, eq. 7: ``-log sigmoid(beta (lr_c - lr_r))``.
* :func:`ipo_loss`: Azar et al. 2024 (IPO), eq. 17: ``(lr_c - lr_r - 1/(2 beta))^2``.
* :func:`mnl_loss`: MNL-PO of RCPO (Tang & Feng, arXiv 2510.23631, section 4.1): the
  Plackett-Luce negative log-likelihood of the ranked top-k among the K shown responses, with
  scores ``beta * lr``; ``k = 1`` is the single-best (multinomial logit) case and K = 2,
  k = 1 is DPO.
* :func:`mallows_rmj_loss`: Mallows-RMJ-PO of RCPO (section 4.2), see its docstring.
* :func:`consistent_loss`: the consistent loss of Proposition 6.1 of "Direct alignment with
  heterogeneous preferences" (one label per user type; only unanimous pairs carry a signal).
* :func:`bradley_terry_loss`, :func:`kl_regularized_policy_loss`,
  :func:`policy_gradient_loss`, :func:`restricted_kl`: the pieces of RLHF and of the
  self-play methods (policies restricted to the finite set of candidate responses).
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F

__all__ = [
    "dpo_loss", "ipo_loss", "mnl_loss", "mallows_rmj_loss", "consistent_loss",
    "bradley_terry_loss", "restricted_kl", "kl_regularized_policy_loss", "policy_gradient_loss",
]


def dpo_loss(lr_chosen: torch.Tensor, lr_rejected: torch.Tensor, beta: float) -> torch.Tensor:
    """DPO: mean of ``-log sigmoid(beta * (lr_chosen - lr_rejected))``."""
    return -F.logsigmoid(beta * (lr_chosen - lr_rejected)).mean()


def ipo_loss(lr_chosen: torch.Tensor, lr_rejected: torch.Tensor, beta: float) -> torch.Tensor:
    """IPO: mean of ``(lr_chosen - lr_rejected - 1 / (2 beta))^2``."""
    return ((lr_chosen - lr_rejected - 1.0 / (2.0 * beta)) ** 2).mean()


def _take(x: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
    """``x[b, index[b]]`` for a (B, K) tensor and a (B,) index."""
    return x.gather(1, index.unsqueeze(1)).squeeze(1)


def mnl_loss(lr: torch.Tensor, top: torch.Tensor, beta: float) -> torch.Tensor:
    """Plackett-Luce NLL of the ranked top-k with scores ``beta * lr``.

    ``lr`` (B, K): log-ratios of the K shown responses; ``top`` (B, k): indices into K of the
    responses ranked first, second, ... k-th. Row loss:
    ``sum_j [logsumexp_{y in S_j} s(y) - s(top_j)]`` with ``S_j`` the shown responses not among
    ``top_1 .. top_{j-1}``.
    """
    s = beta * lr
    top = top.long()
    remaining = torch.ones_like(s, dtype=torch.bool)
    total = torch.zeros(s.shape[0], dtype=s.dtype, device=s.device)
    for j in range(top.shape[1]):
        chosen = top[:, j]
        masked = s.masked_fill(~remaining, float("-inf"))
        total = total + torch.logsumexp(masked, dim=1) - _take(s, chosen)
        remaining = remaining.scatter(1, chosen.unsqueeze(1), False)
    return total.mean()


def mallows_rmj_loss(lr: torch.Tensor, top: torch.Tensor, beta: float, phi: float) -> torch.Tensor:
    """Mallows-RMJ-PO: the ranked-choice NLL of the Mallows model with the Reverse Major Index
    distance (Feng & Tang, arXiv 2207.01783), central ranking given by the scores ``beta * lr``
    and rank positions smoothed by sigmoids (Tang & Feng, arXiv 2510.23631, section 4.2).

    Under Mallows-RMJ with dispersion ``0 < phi < 1``, the best of a shown set ``S`` is ``y``
    with probability ``phi^(pos(y) - 1) (1 - phi) / (1 - phi^|S|)``, where ``pos(y)`` is y's
    position in ``S`` under the central ranking; a ranked top-k is a sequence of such choices
    from the shrinking sets ``S_j`` (``S`` without the j-1 responses already ranked). The
    position ``pos(y) - 1 = sum_{y' in S_j, y' != y} 1[s(y') > s(y)]`` is smoothed to
    ``sum sigmoid(s(y') - s(y))``. Row loss (the exact NLL when the sigmoids are 0/1):
    ``sum_j [-(pos_j - 1) log phi - log(1 - phi) + log(1 - phi^|S_j|)]``.
    """
    if not 0.0 < phi < 1.0:
        raise ValueError(f"phi must lie strictly between 0 and 1, got {phi}")
    s = beta * lr
    top = top.long()
    K = s.shape[1]
    remaining = torch.ones_like(s, dtype=torch.bool)
    total = torch.zeros(s.shape[0], dtype=s.dtype, device=s.device)
    log_phi, log_1m_phi = math.log(phi), math.log1p(-phi)
    for j in range(top.shape[1]):
        chosen = top[:, j]
        remaining = remaining.scatter(1, chosen.unsqueeze(1), False)  # the others still in S_j
        ahead = torch.sigmoid(s - _take(s, chosen).unsqueeze(1)) * remaining
        size = K - j
        total = total - ahead.sum(1) * log_phi - log_1m_phi + math.log1p(-phi ** size)
    return total.mean()


def consistent_loss(lr_a: torch.Tensor, lr_b: torch.Tensor, votes_for_a: torch.Tensor,
                    n_types: int, beta: float) -> torch.Tensor:
    """Proposition 6.1's consistent loss, with ``h = beta (lr_a - lr_b)``:
    ``-log sigmoid(|U| h)`` where all ``|U| = n_types`` user types prefer a,
    ``-log sigmoid(-|U| h)`` where none does, and 0 where the types disagree."""
    h = beta * (lr_a - lr_b)
    votes = votes_for_a.to(h.dtype)
    all_a = votes == n_types
    none_a = votes == 0
    per_row = torch.where(all_a, -F.logsigmoid(n_types * h),
                          torch.where(none_a, -F.logsigmoid(-n_types * h), torch.zeros_like(h)))
    return per_row.mean()


def bradley_terry_loss(r_chosen: torch.Tensor, r_rejected: torch.Tensor) -> torch.Tensor:
    """Reward-model loss of RLHF: mean of ``-log sigmoid(r_chosen - r_rejected)``."""
    return -F.logsigmoid(r_chosen - r_rejected).mean()


def restricted_kl(logp: torch.Tensor, logp_ref: torch.Tensor) -> torch.Tensor:
    """``KL(p || p_ref)`` of the two distributions over the candidate responses obtained by
    normalising the sequence log-probabilities ``logp`` and ``logp_ref`` (last axis)."""
    lp = torch.log_softmax(logp, -1)
    lq = torch.log_softmax(logp_ref, -1)
    return (lp.exp() * (lp - lq)).sum(-1)


def kl_regularized_policy_loss(logp: torch.Tensor, logp_ref: torch.Tensor, reward: torch.Tensor,
                               beta: float) -> torch.Tensor:
    """RLHF's policy objective, negated: ``-(E_p[r] - beta KL(p || p_ref))`` with ``p`` the
    policy restricted to the candidate responses; its minimiser is ``p_ref exp(r / beta)``
    normalised. The expectation is exact (the candidates are enumerated), so this is the
    zero-variance policy gradient."""
    p = torch.softmax(logp, -1)
    return -(p * reward).sum(-1) + beta * restricted_kl(logp, logp_ref)


def policy_gradient_loss(logp_samples: torch.Tensor, advantages: torch.Tensor,
                         weights: torch.Tensor | None = None) -> torch.Tensor:
    """REINFORCE surrogate: mean of ``-w * A * log p(y)`` over sampled responses, whose
    gradient is the (importance-weighted) policy gradient; ``advantages`` and ``weights`` are
    treated as constants."""
    adv = advantages.detach()
    if weights is not None:
        adv = adv * weights.detach()
    return -(adv * logp_samples).mean()
