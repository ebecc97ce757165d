"""Training losses as plain torch functions of per-response log-probabilities.

Conventions shared with the numpy references in ``aggregation/losses.py`` (same names, same
argument order): ``lr`` is the log-ratio ``log pi(y) - log pi_ref(y)`` of a response's
*sequence* probability under the policy and under the reference model, **not** multiplied by
``beta``; every tensor is batch-first; every loss returns the mean over the batch.

* :func:`dpo_loss`: Rafailov et al. 2023, eq. 7: ``-log sigmoid(beta (lr_c - lr_r))``.
* :func:`ipo_loss`: Azar et al. 2024 (IPO), eq. 17: ``(lr_c - lr_r - 1/(2 beta))^2``.
* :func:`mnl_loss`: MNL-PO of RCPO (Tang & Feng, arXiv 2510.23631, Table 1, Theorems 1-2):
  the negative log of equation (8), the probability of the ranked top-k among the K shown
  responses, with scores ``beta * lr``; ``k = 1`` is the single-best case (eq. 7) and K = 2,
  k = 1 is DPO.
* :func:`mallows_rmj_loss`: Mallows-RMJ-PO of RCPO (Table 1; eqs. 10, 12, 14 smoothed as in
  Appendix D), see its docstring.
* :func:`consistent_loss`: the consistent loss of Proposition 6.1 of "Direct alignment with
  heterogeneous preferences" (one label per user type; only unanimous pairs carry a signal).
* :func:`consistent_b3_loss`: the same paper's Proposition B.3 loss ``-s - I(s)`` on the same data.
* :func:`corrected_dpo_loss`, :func:`joint_likelihood`, :func:`joint_likelihood_loss`,
  :func:`joint_variance`: first-order corrected DPO (section 5), its joint likelihood model J
  (section 5.3) and Lemma 5.3's variance estimate (eq. 16). These and the Prop. B.3 loss compute in
  float64 (the result is float64; gradients reach float32 parameters through the cast), so that
  ``1 / sigma'(h)^2`` and ``exp(-n h)`` stay finite where float32 would overflow.
* :func:`bradley_terry_loss`, :func:`kl_regularized_policy_loss`,
  :func:`policy_gradient_loss`, :func:`restricted_kl`: the pieces of RLHF and of the
  self-play methods (policies restricted to the finite set of candidate responses).
"""

from __future__ import annotations

import math

import torch

__all__ = [
    "dpo_loss",
    "ipo_loss",
    "mnl_loss",
    "mallows_rmj_loss",
    "consistent_loss",
    "consistent_b3_loss",
    "corrected_dpo_loss",
    "joint_likelihood",
    "joint_likelihood_loss",
    "joint_variance",
    "bradley_terry_loss",
    "restricted_kl",
    "kl_regularized_policy_loss",
    "policy_gradient_loss",
]


def dpo_loss(lr_chosen: torch.Tensor, lr_rejected: torch.Tensor, beta: float) -> torch.Tensor:
    """DPO: mean of ``-log sigmoid(beta * (lr_chosen - lr_rejected))``."""
    return -_log_sigmoid(beta * (lr_chosen - lr_rejected)).mean()


def ipo_loss(lr_chosen: torch.Tensor, lr_rejected: torch.Tensor, beta: float) -> torch.Tensor:
    """IPO: mean of ``(lr_chosen - lr_rejected - 1 / (2 beta))^2``."""
    return ((lr_chosen - lr_rejected - 1.0 / (2.0 * beta)) ** 2).mean()


def _take(x: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
    """``x[b, index[b]]`` for a (B, K) tensor and a (B,) index."""
    return x.gather(1, index.unsqueeze(1)).squeeze(1)


def mnl_loss(lr: torch.Tensor, top: torch.Tensor, beta: float) -> torch.Tensor:
    """MNL-PO (RCPO Table 1): ``-log`` of equation (8) with scores ``s = beta * lr``.

    ``lr`` (B, K): log-ratios of the K shown responses; ``top`` (B, k): indices into K of the
    responses ranked first, second, ... k-th. Row loss:
    ``sum_j [logsumexp_{y in S_j} s(y) - s(top_j)]`` with ``S_j`` the shown responses not among
    ``top_1 .. top_{j-1}``, which equals Table 1's
    ``-sum_j log sigmoid(-log sum_{y in S_j minus top_j} exp(s(y) - s(top_j)))``.
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


def mallows_rmj_loss(lr: torch.Tensor, top: torch.Tensor, beta: float, phi: float | torch.Tensor) -> torch.Tensor:
    """Mallows-RMJ-PO, the torch mirror of :func:`aggregation.losses.mallows_rmj_loss`.

    RCPO Table 1 (Tang & Feng, arXiv 2510.23631): the objectives (14), (10) and (12) of
    Theorems 5, 3 and 4 with each indicator ``I{x < 0}`` replaced by ``sigmoid(-x)``
    (Appendix D), where ``r = beta * lr`` orders the K shown responses::

        E    = sum_{t=1..k-1} (K - t) sigmoid(r[a_{t+1}] - r[a_t])    # smoothed descents of the list
             + sum_{j not in top} sigmoid(r[j] - r[a_k])               # unlisted responses above a_k
        loss = -log(phi) * E

    ``E`` is the smoothed exponent ``d(mu^k, S)`` of equation (11); like the paper, the loss
    leaves out the policy-independent ``log psi(K, phi) / psi(K - k, phi)``. ``phi``: a number
    or a tensor (B,) (one dispersion per row, e.g. Appendix D's entropy proxy), in (0, 1]
    (the paper's range is (0, 1); ``phi = 1`` gives a zero loss).
    """
    r = beta * lr
    phi = torch.as_tensor(phi, dtype=r.dtype, device=r.device)
    if phi.dim() not in (0, 1) or (phi.dim() == 1 and phi.shape[0] != r.shape[0]):
        raise ValueError(f"phi must be a number or a tensor of shape ({r.shape[0]},), got shape {tuple(phi.shape)}")
    if not bool(((phi > 0) & (phi <= 1)).all()):
        raise ValueError(f"phi must lie in (0, 1], got {phi.tolist()}")
    top = top.long()
    K, k = r.shape[1], top.shape[1]
    listed = torch.gather(r, 1, top)
    exponent = torch.zeros(r.shape[0], dtype=r.dtype, device=r.device)
    if k > 1:
        weights = torch.arange(K - 1, K - k, -1, dtype=r.dtype, device=r.device)  # K-1, ..., K-k+1
        exponent = exponent + (weights * torch.sigmoid(listed[:, 1:] - listed[:, :-1])).sum(1)
    unlisted = torch.ones_like(r, dtype=torch.bool).scatter(1, top, False)
    above_last = torch.sigmoid(r - listed[:, -1:]) * unlisted
    exponent = exponent + above_last.sum(1)
    return (-torch.log(phi) * exponent).mean()


def consistent_loss(
    lr_a: torch.Tensor, lr_b: torch.Tensor, votes_for_a: torch.Tensor, n_types: int, beta: float
) -> torch.Tensor:
    """Proposition 6.1's consistent loss, with ``h = beta (lr_a - lr_b)``:
    ``-log sigmoid(|U| h)`` where all ``|U| = n_types`` user types prefer a,
    ``-log sigmoid(-|U| h)`` where none does, and 0 where the types disagree."""
    h = beta * (lr_a - lr_b)
    votes = votes_for_a.to(h.dtype)
    all_a = votes == n_types
    none_a = votes == 0
    per_row = torch.where(
        all_a, -_log_sigmoid(n_types * h), torch.where(none_a, -_log_sigmoid(-n_types * h), torch.zeros_like(h))
    )
    return per_row.mean()


def consistent_b3_loss(
    lr_a: torch.Tensor, lr_b: torch.Tensor, votes_for_a: torch.Tensor, n_types: int, beta: float
) -> torch.Tensor:
    """Proposition B.3's consistent loss, the torch mirror of :func:`aggregation.losses.consistent_b3_loss`:
    ``-s - I(s)`` (``s = sigmoid(h)``, ``h = beta (lr_a - lr_b)``) where all ``n_types`` types prefer a, the
    same in ``-h`` where none does, 0 otherwise. The value is computed by the stable recurrence (no
    graph) and the gradient is the exact slope ``-s (1 - s)(1 + exp(-n h))``."""
    h = beta * (lr_a.double() - lr_b.double())
    votes = votes_for_a.to(h.device)
    all_a = votes == n_types
    none_a = votes == 0
    per_row = torch.where(all_a, _b3_row(h, n_types), torch.where(none_a, _b3_row(-h, n_types), torch.zeros_like(h)))
    return per_row.mean()


#: As :data:`aggregation.losses.B3_EXPONENT`: h below ``-B3_EXPONENT / n`` is evaluated there.
B3_EXPONENT = 700.0


def _b3_row(h: torch.Tensor, n: int) -> torch.Tensor:
    with torch.no_grad():
        hc = torch.clamp(h, min=-B3_EXPONENT / n)
        ls, lt = _log_sigmoid(hc), _log_sigmoid(-hc)
        Y = torch.exp(-hc)
        low = _b3_recurrence(torch.zeros_like(Y), torch.clamp(Y, max=1.0), n)
        high = torch.where(Y > 1.0, _b3_recurrence(torch.ones_like(Y), torch.clamp(Y, min=1.0), n), torch.zeros_like(Y))
        value = -torch.exp(ls) + low + high
        slope = -(torch.exp(ls + lt) + torch.exp(ls + lt - n * hc))
    return value + slope * (h - h.detach())


def _b3_recurrence(lo: torch.Tensor, hi: torch.Tensor, n: int) -> torch.Tensor:
    """``int_lo^hi x^n / (1 + x)^2 dx`` (see :mod:`aggregation.losses`)."""
    f = 1.0 / (1.0 + lo) - 1.0 / (1.0 + hi)
    g = torch.log1p(hi) - torch.log1p(lo)
    for k in range(1, n + 1):
        f = g - f
        g = (hi**k - lo**k) / k - g
    return f


def corrected_dpo_loss(
    lr_chosen: torch.Tensor,
    lr_rejected: torch.Tensor,
    variance,
    beta: float,
    alpha: float = 1.0,
    eps: float = 1e-6,
    clip: float | None = None,
) -> torch.Tensor:
    """First-order corrected DPO (Shirali et al., section 5.1), the mirror of
    :func:`aggregation.losses.corrected_dpo_loss`: ``mean -log max(sigmoid(h) + alpha k, eps)`` with
    ``h = beta (lr_chosen - lr_rejected)``, ``k = sigma''(h) V / 2`` clipped to ``[-clip, clip]`` when
    ``clip`` is set, ``V = variance`` (a number or a tensor (B,), which may carry a gradient, e.g.
    :func:`joint_variance` of the same h). ``log z`` is ``log sigmoid(h)`` plus a log1p or a log-sum-exp,
    so ``alpha = 0`` is DPO exactly above the floor."""
    h = beta * (lr_chosen.double() - lr_rejected.double())
    V = torch.as_tensor(variance, dtype=h.dtype, device=h.device)
    log_s, log_t = _log_sigmoid(h), _log_sigmoid(-h)
    s, t = torch.exp(log_s), torch.exp(log_t)
    k = 0.5 * torch.exp(log_s + log_t) * (t - s) * V  # sigma''(h) V / 2
    if clip is not None:
        k = torch.clamp(k, -clip, clip)
    log_z = _log_s_plus(log_s, s, alpha * k)
    if eps > 0:
        log_z = torch.clamp(log_z, min=math.log(eps))
    return (-log_z).mean()


def _log_s_plus(log_s: torch.Tensor, s: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """``log(s + x)``, -inf where it is <= 0 (as :mod:`aggregation.losses`): ``log s + log1p(x / s)`` for
    x < 0, ``logaddexp(log s, log x)`` for x >= 0 (x = 0 gives log s exactly). Masked so that neither
    branch puts inf or nan into the gradient."""
    negative = x < 0
    ratio = torch.where(negative, x / torch.where(negative, s, torch.ones_like(s)), torch.zeros_like(x))
    ok = ratio > -1.0
    below = torch.where(
        ok, log_s + torch.log1p(torch.where(ok, ratio, torch.zeros_like(ratio))), torch.full_like(x, -math.inf)
    )
    above = torch.logaddexp(log_s, torch.log(torch.where(x > 0, x, torch.ones_like(x))))
    above = torch.where(x > 0, above, log_s)
    return torch.where(negative, below, above)


def joint_likelihood(
    type_rewards: torch.Tensor,
    log_shares: torch.Tensor,
    a: torch.Tensor,
    b: torch.Tensor,
    c: torch.Tensor,
    d: torch.Tensor,
) -> torch.Tensor:
    """J of section 5.3 as a mixture of Bradley-Terry latent types (mirror of
    :func:`aggregation.losses.joint_likelihood`): ``sum_k w_k sigmoid(R_k[a] - R_k[b]) sigmoid(R_k[c] - R_k[d])``,
    the probability that one annotator prefers a to b and c to d."""
    return torch.exp(_log_joint(type_rewards, log_shares, a, b, c, d)[0])


def joint_likelihood_loss(
    type_rewards: torch.Tensor,
    log_shares: torch.Tensor,
    a: torch.Tensor,
    b: torch.Tensor,
    c: torch.Tensor,
    d: torch.Tensor,
    both: torch.Tensor,
    weights: torch.Tensor | None = None,
) -> torch.Tensor:
    """Cross-entropy of J against ``both`` (1 where the annotator preferred a to b and c to d), with
    ``log J`` and ``log(1 - J)`` as log-sum-exps (mirror of :func:`aggregation.losses.joint_likelihood_loss`);
    ``weights``: a weighted mean (counts of identical rows)."""
    log_j, log_not = _log_joint(type_rewards, log_shares, a, b, c, d)
    label = both.to(log_j.dtype)
    rows = -(label * log_j + (1.0 - label) * log_not)
    if weights is None:
        return rows.mean()
    weights = weights.to(rows.dtype)
    return (weights * rows).sum() / weights.sum()


def _log_joint(R, log_w, a, b, c, d):
    x = R[:, a] - R[:, b]  # (K, B)
    y = R[:, c] - R[:, d]
    lw = log_w.unsqueeze(1)
    log_j = torch.logsumexp(lw + _log_sigmoid(x) + _log_sigmoid(y), dim=0)
    log_not = torch.logsumexp(lw + torch.logaddexp(_log_sigmoid(-x), _log_sigmoid(x) + _log_sigmoid(-y)), dim=0)
    return log_j, log_not


def joint_variance(j1: torch.Tensor, j2: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
    """Lemma 5.3, eq. (16): ``max(j1 - (j1 + j2)^2, 0) / sigma'(h)^2`` (the gradient flows through h)."""
    h = h.double()
    numerator = torch.clamp(j1.double() - (j1.double() + j2.double()) ** 2, min=0.0)
    return numerator * torch.exp(-2.0 * (_log_sigmoid(h) + _log_sigmoid(-h)))


def _log_sigmoid(x: torch.Tensor) -> torch.Tensor:
    """``log sigmoid(x)`` as ``-logaddexp(0, -x)``: exact, and unlike ``F.logsigmoid`` it does not stall on
    a busy CPU (torch 2's ``log_sigmoid_forward`` took 15 ms for 144 numbers with 2 threads on a loaded
    2-core machine, against 4 us for this)."""
    return -torch.logaddexp(torch.zeros_like(x), -x)


def bradley_terry_loss(r_chosen: torch.Tensor, r_rejected: torch.Tensor) -> torch.Tensor:
    """Reward-model loss of RLHF: mean of ``-log sigmoid(r_chosen - r_rejected)``."""
    return -_log_sigmoid(r_chosen - r_rejected).mean()


def restricted_kl(logp: torch.Tensor, logp_ref: torch.Tensor) -> torch.Tensor:
    """``KL(p || p_ref)`` of the two distributions over the candidate responses obtained by
    normalising the sequence log-probabilities ``logp`` and ``logp_ref`` (last axis)."""
    lp = torch.log_softmax(logp, -1)
    lq = torch.log_softmax(logp_ref, -1)
    return (lp.exp() * (lp - lq)).sum(-1)


def kl_regularized_policy_loss(
    logp: torch.Tensor, logp_ref: torch.Tensor, reward: torch.Tensor, beta: float
) -> torch.Tensor:
    """RLHF's policy objective, negated: ``-(E_p[r] - beta KL(p || p_ref))`` with ``p`` the
    policy restricted to the candidate responses; its minimiser is ``p_ref exp(r / beta)``
    normalised. The expectation is exact (the candidates are enumerated), so this is the
    zero-variance policy gradient."""
    p = torch.softmax(logp, -1)
    return -(p * reward).sum(-1) + beta * restricted_kl(logp, logp_ref)


def policy_gradient_loss(
    logp_samples: torch.Tensor, advantages: torch.Tensor, weights: torch.Tensor | None = None
) -> torch.Tensor:
    """REINFORCE surrogate: mean of ``-w * A * log p(y)`` over sampled responses, whose
    gradient is the (importance-weighted) policy gradient; ``advantages`` and ``weights`` are
    treated as constants."""
    adv = advantages.detach()
    if weights is not None:
        adv = adv * weights.detach()
    return -(adv * logp_samples).mean()
