"""Numpy reference losses for preference fine-tuning: the contract ``worker/losses.py`` mirrors in torch.

Conventions (every function): inputs are batch-first numpy arrays; ``lr`` is the log-ratio
``log(pi(y) / pi_ref(y))`` of a response, *not* multiplied by ``beta``; the induced reward is
``r = beta * lr``; each loss returns the mean over the whole batch as a Python float (rows
that carry no signal count as 0 in that mean). ``sigmoid(x) = 1 / (1 + exp(-x))`` and
``-log sigmoid(x)`` is computed as ``log(1 + exp(-x))`` (``logaddexp(0, -x)``). Bad input raises
:class:`AggregationError`.

``dpo_loss(lr_chosen, lr_rejected, beta)`` (Rafailov et al. 2023), shapes (B,)::

    mean_b  -log sigmoid(beta * (lr_chosen[b] - lr_rejected[b]))

``ipo_loss(lr_chosen, lr_rejected, beta)`` (Azar et al., AISTATS 2024, the IPO loss with tau = beta), shapes (B,)::

    mean_b  (lr_chosen[b] - lr_rejected[b] - 1 / (2 beta)) ** 2

RCPO losses (Tang & Feng, "Beyond Pairwise: Empowering LLM Alignment with (Ranked) Choice
Modeling", arXiv 2510.23631, Table 1; probabilities in :mod:`aggregation.choice`). ``lr`` (B, K)
holds the log-ratios of the K responses shown (the assortment ``S``, in any order) and ``top``
(B, k) the positions in ``0..K-1`` of the ranked top-k, best first (k = 1: single best; k = K: a
full ranking). Table 1 writes ``f(x, y, y') = beta log pi(y)/pi_ref(y) - beta log pi(y')/pi_ref(y')``,
here ``f(y, y') = r[y] - r[y']`` with ``r = beta * lr``.

``mnl_loss(lr, top, beta)``: MNL-PO, Table 1 rows "MNL" (Theorem 1, eq. 7, for k = 1; Theorem 2
for top-k)::

    loss[b] = - sum_{t=1..k} log sigmoid( -log sum_{j in S minus {a_1..a_t}} exp(f(j, a_t)) )
            = sum_{t=1..k} ( -r[b, a_t] + logsumexp_{j in R_t} r[b, j] ),   R_t = S minus {a_1..a_{t-1}}
    mean_b  loss[b]

the negative log of equation (8) (the two lines are equal: ``-log sigmoid(-log A) = log(1 + A)``;
for t = K the inner sum is empty and the term is 0). For K = 2, k = 1 it equals ``dpo_loss``
(Table 1's first row: DPO is the pairwise MNL / Bradley-Terry case).

``mallows_rmj_loss(lr, top, beta, phi)``: Mallows-RMJ-PO, Table 1 rows "Mallows-RMJ": the
objectives (14) (pairwise, Theorem 5), (10) (single best, Theorem 3) and (12) (top-k, Theorem 4),
with every indicator ``I{x < 0}`` replaced by ``sigmoid(-x)`` (Appendix D, "Sigmoid-Smoothed
Objectives")::

    E[b]    = sum_{t=1..k-1} (K - t) * sigmoid(r[b, a_{t+1}] - r[b, a_t])     # smoothed descents
            + sum_{j in S minus top} sigmoid(r[b, j] - r[b, a_k])              # smoothed "j above a_k"
    loss[b] = -log(phi[b]) * E[b]
    mean_b  loss[b]

``E`` is the exponent ``d(mu^k, S)`` of equation (11) with the central ranking read off the
rewards (Theorem 3's proof: ``-mu_0^{-1}(y) = beta log pi(y)/pi_ref(y) + beta log Z``) and each
rank comparison smoothed. Single best (k = 1): ``-log(phi) * sum_{j != a_1} sigmoid(r_j - r_{a_1})``;
pairwise (K = 2, k = 1): ``-log(phi) * sigmoid(r_l - r_w)``, whose gradient in
``h = r_w - r_l`` is DPO's multiplied by ``-log(phi) * sigmoid(h)`` (Appendix F.2.1): a bounded
sigmoid loss that does not reduce to DPO. The paper drops the policy-independent term
``log psi(K, phi) / psi(K - k, phi)`` of the negative log-likelihood (proofs of Theorems 3 and 4),
and so does this loss: ``exp(-loss)`` is not a probability; without the smoothing, loss plus that
term is exactly ``-log`` of equation (11). Readings: Table 1's top-k row writes the weight as
``(S - i)``; equations (11) and (12) give ``|S| - i``, used here. Equal rewards give
``sigmoid(0) = 1/2`` (the unsmoothed indicator ``I{x < 0}`` gives 0 at a tie).
``phi`` is a float or an array (B,) (one dispersion per row, e.g. :func:`entropy_phi_proxy`), in
(0, 1]: the paper's range is ``0 < phi < 1``; ``phi = 1`` (uniform rankings) gives a zero loss.

``entropy_phi_proxy(token_entropies, lengths, vocabulary_size)``: the token-level entropy proxy
of the dispersion ``-log phi``, RCPO Appendix D (the last display before "Sigmoid-Smoothed
Objectives"; it extends Chen et al., "MallowsPO", ICLR 2025, quoted there as eqs. 15-16, from
two responses to ``|S|``), for a row whose assortment holds the responses ``Y_1..Y_K``::

    -log phi = -log( sum_{i=1..K} sum_j H_ij / (K * N * log V) ),   N = max_i |Y_i|

``H_ij`` is the Shannon entropy (nats) of the model's next-token distribution at the ``j``-th
token of response ``i`` given the prompt and the tokens before it, ``V`` the vocabulary size (the
paper's ``n = V ** N``, so ``log n = N log V``) and the model is the reference (pretrained or SFT)
policy. Returns ``phi`` (B,), in (0, 1]. Readings: the paper writes the inner sum as
``sum_{j=1..N-1} H(Y^{j+1} | Y^j = Y_i^j)``, N - 1 terms, but motivates (15) by ``H = log n`` for the
uniform distribution on ``n = V ** N`` sequences, which the chain rule gives only with all N
terms, the first token's included; this sums every token of each response (j = 1..|Y_i|), as the
public MallowsPO trainer (github.com/haoxian-chen/MallowsPO, ``get_batch_logps``) that RCPO says
it adopts does. Shorter responses contribute nothing past their own length (the padded positions
of a batch), and the denominator uses the longest response as RCPO's display says (the MallowsPO
trainer divides each response by its own length instead; the two agree when the responses are
equally long). No gradient flows through the proxy: it is a property of the reference model.

``consistent_loss(lr_a, lr_b, votes_for_a, n_types, beta)``: the consistent loss of Shirali et
al., "Direct Alignment with Heterogeneous Preferences" (arXiv 2502.16320, Prop. 6.1), on pairs
labelled by every one of the ``n_types`` user types (|U| = n_types); ``votes_for_a`` (B,)
integers in ``0..n_types``. With ``h = beta * (lr_a - lr_b)``::

    loss[b] = -log sigmoid( n_types * h[b])   if votes_for_a[b] == n_types  (every type prefers a)
            = -log sigmoid(-n_types * h[b])   if votes_for_a[b] == 0        (every type prefers b)
            = 0                               otherwise (the pair carries no signal)
    mean_b  loss[b]

The authors' code (arashne/dahp) writes the second branch as ``sigmoid(e * (1 - h))``, which reads
as a typo for ``-e * h`` (their probability-space variant uses ``1 - s``, which is consistent);
this implements ``-n_types * h``.

``consistent_b3_loss(lr_a, lr_b, votes_for_a, n_types, beta)``: the other consistent loss of
Shirali et al., Proposition B.3, on the same data as ``consistent_loss`` (n = n_types,
``s = sigmoid(h)``, ``h = beta * (lr_a - lr_b)``)::

    loss[b] = -s[b] - I(s[b])                 if votes_for_a[b] == n   (every type prefers a)
            = -(1 - s[b]) - I(1 - s[b])       if votes_for_a[b] == 0   (every type prefers b)
            = 0                               otherwise
    I(theta) = int_1^theta (1/t - 1)^n dt     (b3_integral(theta, n), theta in (0, 1])

``1 - s`` is ``sigmoid(-h)``, the paper's ``sigma(h(y2, y1))``. Its minimiser per pair is
``s* = sigmoid(mean_u Delta r_u)`` (the proof of Prop. B.3, eq. 21). With ``t = sigmoid(u)`` the
integrand is ``exp(-n u)``, so ``-s - I(s) = -s + F_n(exp(-h))`` with
``F_n(Y) = int_0^Y x^n / (1 + x)^2 dx``, computed by the recurrence
``F_k = G_{k-1} - F_{k-1}``, ``G_k = (hi^k - lo^k) / k - G_{k-1}`` (``G_k = int x^k / (1 + x)``)
on ``[0, min(Y, 1)]`` and ``[1, Y]``: every step subtracts a term no larger than the result, so
the absolute error stays near ``n`` roundings (the expanded closed form, which the authors' code
writes out for n <= 4, cancels catastrophically for larger n). For n = 1 the row is DPO's minus
1. The loss grows like ``exp((n - 1) |h|)`` when the policy contradicts a unanimous vote; ``h``
below ``-700 / n`` is evaluated at ``-700 / n`` (the row exceeds 1e300 there) so that it stays
finite in float64. Its slope is ``d loss / d h = -sigmoid(h) sigmoid(-h) (1 + exp(-n h))``.

First-order corrected DPO (Shirali et al., section 5). ``h = beta * (lr_chosen - lr_rejected)`` is
the induced-reward difference of eq. (15) oriented towards the chosen response, ``s = sigmoid(h)``,
``sigma''(h) = s (1 - s) (1 - 2 s)``.

``corrected_dpo_loss(lr_chosen, lr_rejected, variance, beta, alpha=1, eps=1e-6, clip=None)``: the
negative stable log of the corrected likelihood of section 5.1, with ``V = variance`` (a number or
(B,), in reward units: ``Var_u[Delta r_u]`` with ``Delta r_u = (r_u(chosen) - r_u(rejected)) / T``)::

    k[b]    = (1/2) sigma''(h[b]) V[b]            clipped to [-clip, clip] when clip is set
    z[b]    = sigmoid(h[b]) + alpha * k[b]        (eq. 14 with Var_u estimated by V)
    loss[b] = -log(max(z[b], eps))                (the stable logarithm of section 5.1)
    mean_b  loss[b]

``alpha = 0`` is DPO exactly wherever ``sigmoid(h) >= eps`` (below it the floor holds the row at
``-log eps`` with no gradient; ``eps = 0`` turns the floor off); ``alpha = 1`` is the theory's value.
``z`` of the two orders of a pair add to 1, so it is a probability while it lies in (0, 1); with a
known ``V`` that holds for every ``h`` when ``alpha V < 16`` (``z = s (1 + alpha k / s)`` and
``k / s = (1 - s)(1 - 2 s) V / 2`` lies in ``[-V/16, V/2)``); beyond, the floor matters.
The clip is not in the paper: the authors' code (arashne/dahp, ``EstVarCorrectedDPO``) clamps ``k``
to [-0.1, 0.1] before multiplying by alpha and has no floor; the clip makes the estimated variance
below usable (see there).

``joint_likelihood(type_rewards, log_shares, a, b, c, d)`` and ``joint_likelihood_loss(...,
both)``: the joint likelihood model J of section 5.3 as the authors build it (a mixture of K
Bradley-Terry latent types, ``MultiTabularRewardBasedJointLikelihoodModel``), rewards
``type_rewards`` (K, m) and mixing weights ``exp(log_shares)`` (K,)::

    J(a, b, c, d) = sum_k w_k sigmoid(R_k[a] - R_k[b]) sigmoid(R_k[c] - R_k[d])
    loss          = mean_b -[both log J + (1 - both) log(1 - J)]      (weighted by ``weights`` if given)

the probability that one annotator prefers a to b *and* c to d, trained by cross-entropy on
``both`` (the paper's ``o * o'``). Orientation: the paper's ``J(x, y1, y2, x', y1', y2')`` with
``o = 1{y2 > y1}`` is ``J(y2, y1, y2', y1')`` here. ``log J`` and ``log(1 - J)`` are log-sum-exps
(``1 - s s' = sigmoid(-x) + s sigmoid(-y)``), so neither rounds to log 0.

``joint_variance(j1, j2, h)``: Lemma 5.3, eq. (16), for a pair (a, b) with ``j1 = J(a, b, a, b)``
(``= E_u P_u(a > b)^2``) and ``j2 = J(a, b, b, a)`` (``= E_u P_u(a > b) P_u(b > a)``)::

    V = max(j1 - (j1 + j2)^2, 0) / sigma'(h)^2,      sigma'(h) = s (1 - s)

``j1 + j2`` is ``P(a > b)``, so the numerator is ``Var_u[P_u(a > b)]`` (exact for the true J), and
dividing by ``sigma'`` squared turns it into ``Var_u[Delta r_u]`` to first order (the proof of
Lemma 5.3; for a symmetric two-type population the error is fourth order in the spread). Eq. (16)
writes ``sigma'`` at the mean reward difference and section 5.3 substitutes the policy's ``h``
(eq. 11), as the authors' code does (with the gradient flowing through it); the numerator is
clamped at 0 as there (a fitted J may give a slightly negative one). With this V the correction
is ``(alpha / 2) (1 - 2 s) Var_u[P_u] / (s (1 - s))``, unbounded as s -> 0 or 1: unclipped, a row
whose chosen response the policy already finds unlikely can lower its loss without bound by
making it less likely still, so the expected loss need not have a minimum; the authors' clip
bounds it.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import expit, logsumexp

from .errors import AggregationError


def dpo_loss(lr_chosen, lr_rejected, beta) -> float:
    """``mean -log sigmoid(beta (lr_chosen - lr_rejected))`` (see the module docstring)."""
    c, r = _pair(lr_chosen, lr_rejected, "lr_chosen", "lr_rejected")
    beta = _beta(beta)
    return float(np.mean(np.logaddexp(0.0, -beta * (c - r))))


def ipo_loss(lr_chosen, lr_rejected, beta) -> float:
    """``mean (lr_chosen - lr_rejected - 1 / (2 beta))**2`` (see the module docstring)."""
    c, r = _pair(lr_chosen, lr_rejected, "lr_chosen", "lr_rejected")
    beta = _beta(beta)
    return float(np.mean((c - r - 1.0 / (2.0 * beta)) ** 2))


def mnl_loss(lr, top, beta) -> float:
    """MNL-PO of RCPO Table 1: the negative log of equation (8) (see the module docstring)."""
    lr, top = _listwise(lr, top)
    r = _beta(beta) * lr
    B, K = r.shape
    rows = np.arange(B)
    remaining = np.ones((B, K), dtype=bool)
    loss = np.zeros(B)
    for t in range(top.shape[1]):
        loss += logsumexp(np.where(remaining, r, -np.inf), axis=1) - r[rows, top[:, t]]
        remaining[rows, top[:, t]] = False
    return float(np.mean(loss))


def mallows_rmj_loss(lr, top, beta, phi) -> float:
    """Mallows-RMJ-PO of RCPO Table 1, sigmoid-smoothed as in Appendix D (formula in the module docstring)."""
    lr, top = _listwise(lr, top)
    r = _beta(beta) * lr
    B, K = r.shape
    k = top.shape[1]
    phi = _phi_batch(phi, B)
    rows = np.arange(B)[:, None]
    listed = r[rows, top]  # (B, k)
    exponent = np.zeros(B)
    if k > 1:
        weights = K - np.arange(1, k)  # |S| - t for t = 1..k-1
        exponent += (weights * expit(listed[:, 1:] - listed[:, :-1])).sum(axis=1)
    unlisted = np.ones((B, K), dtype=bool)
    unlisted[rows, top] = False
    above_last = expit(r - listed[:, -1:])
    exponent += np.where(unlisted, above_last, 0.0).sum(axis=1)
    return float(np.mean(-np.log(phi) * exponent))


def entropy_phi_proxy(token_entropies, lengths, vocabulary_size) -> np.ndarray:
    """RCPO Appendix D's entropy proxy of the Mallows dispersion, one ``phi`` per row (module docstring).

    ``token_entropies`` (B, K, T): entry ``[b, i, j]`` is the entropy (nats) of the reference
    model's distribution of token ``j + 1`` of response ``i`` of row ``b`` (0-based ``j``: the
    first entry is the distribution of the first response token given the prompt); ``lengths``
    (B, K): the number of tokens of each response (1..T; entries past it are ignored);
    ``vocabulary_size``: the number of tokens each distribution ranges over (at least 2).
    """
    H = _array(token_entropies, "token_entropies")
    if H.ndim != 3:
        raise AggregationError(f"token_entropies must have shape (B, K, T) (rows, responses, tokens), got {H.shape}")
    B, K, T = H.shape
    L = np.asarray(lengths)
    if L.shape != (B, K):
        raise AggregationError(f"lengths must have shape ({B}, {K}) (tokens per response), got {L.shape}")
    if not np.issubdtype(L.dtype, np.integer):
        raise AggregationError(f"lengths must hold whole numbers (tokens per response), got dtype {L.dtype}")
    L = L.astype(np.int64)
    bad = np.argwhere((L < 1) | (L > T))
    if bad.size:
        b, i = (int(v) for v in bad[0])
        raise AggregationError(f"lengths[{b}, {i}] = {L[b, i]} is not a token count in 1..{T}")
    if isinstance(vocabulary_size, bool):
        raise AggregationError(f"vocabulary_size must be a whole number >= 2, got {vocabulary_size!r}")
    try:
        V = int(vocabulary_size)
    except (TypeError, ValueError):
        raise AggregationError(f"vocabulary_size must be a whole number >= 2, got {vocabulary_size!r}") from None
    if V != vocabulary_size or V < 2:
        raise AggregationError(f"vocabulary_size must be a whole number >= 2, got {vocabulary_size!r}")
    log_v = math.log(V)
    inside = np.arange(T)[None, None, :] < L[:, :, None]
    # an entropy over V tokens lies in [0, log V]; float32 logits may overshoot by rounding
    bad = np.argwhere(inside & ((H < 0) | (H > log_v * (1 + 1e-6))))
    if bad.size:
        b, i, j = (int(v) for v in bad[0])
        raise AggregationError(
            f"token_entropies[{b}, {i}, {j}] = {float(H[b, i, j])!r} is not an entropy over {V} tokens "
            f"(it must lie in [0, log {V}] = [0, {log_v:.6g}])"
        )
    total = np.where(inside, H, 0.0).sum(axis=(1, 2))
    phi = total / (K * L.max(axis=1) * log_v)
    zero = np.flatnonzero(phi <= 0)
    if zero.size:
        raise AggregationError(
            f"row {zero[0]}: every token entropy is 0 (the model is certain of each token), so the proxy "
            "-log phi is infinite"
        )
    return np.minimum(phi, 1.0)


def consistent_loss(lr_a, lr_b, votes_for_a, n_types, beta) -> float:
    """Consistent loss of Shirali et al. (Prop. 6.1): only unanimous pairs count (see the module docstring)."""
    a, b = _pair(lr_a, lr_b, "lr_a", "lr_b")
    beta = _beta(beta)
    n, votes = _votes(votes_for_a, n_types, a.shape)
    h = beta * (a - b)
    loss = np.where(votes == n, np.logaddexp(0.0, -n * h), 0.0)
    loss = np.where(votes == 0, np.logaddexp(0.0, n * h), loss)
    return float(np.mean(loss))


def consistent_b3_loss(lr_a, lr_b, votes_for_a, n_types, beta) -> float:
    """The consistent loss of Shirali et al., Proposition B.3: ``-s - I(s)`` on unanimous pairs (module docstring)."""
    a, b = _pair(lr_a, lr_b, "lr_a", "lr_b")
    beta = _beta(beta)
    n, votes = _votes(votes_for_a, n_types, a.shape)
    h = beta * (a - b)
    loss = np.where(votes == n, _b3_terms(h, n)[0], 0.0)
    loss = np.where(votes == 0, _b3_terms(-h, n)[0], loss)
    return float(np.mean(loss))


def b3_integral(theta, n_types) -> np.ndarray:
    """``I(theta) = int_1^theta (1/t - 1)^n dt`` of Proposition B.3 for ``theta`` in (0, 1] (n = n_types),
    by the stable recurrence of the module docstring (``I(theta) = -F_n((1 - theta) / theta)``)."""
    theta = _array(theta, "theta")
    bad = np.flatnonzero(~((theta > 0) & (theta <= 1)).ravel())
    if bad.size:
        raise AggregationError(f"theta must lie in (0, 1], got {float(theta.ravel()[bad[0]])!r}")
    n = _n_types(n_types)
    return -_b3_tail((1.0 - theta) / theta, n)


#: The floor of the stable logarithm ``log(max(z, eps))`` of Shirali et al., section 5.1 (the paper
#: gives no value; the authors' code has no floor and clips the correction instead).
STABLE_LOG_EPS = 1e-6


def corrected_dpo_loss(lr_chosen, lr_rejected, variance, beta, alpha=1.0, eps=STABLE_LOG_EPS, clip=None) -> float:
    """First-order corrected DPO (Shirali et al., section 5.1): ``mean -log max(sigmoid(h) + alpha k, eps)``,
    ``k = sigma''(h) V / 2`` (clipped to ``[-clip, clip]`` when ``clip`` is set); see the module docstring."""
    c, r = _pair(lr_chosen, lr_rejected, "lr_chosen", "lr_rejected")
    beta = _beta(beta)
    V = _nonnegative_batch(variance, "variance", c.shape[0])
    alpha, eps, clip = _correction_settings(alpha, eps, clip)
    return float(np.mean(_corrected_terms(beta * (c - r), V, alpha, eps, clip)[0]))


def joint_likelihood(type_rewards, log_shares, a, b, c, d) -> np.ndarray:
    """The joint likelihood model J of section 5.3 as a mixture of Bradley-Terry latent types: the
    probability that one annotator prefers ``a`` to ``b`` and ``c`` to ``d`` (module docstring)."""
    R, log_w, rows = _joint_inputs(type_rewards, log_shares, (a, b, c, d))
    x = R[:, rows[0]] - R[:, rows[1]]
    y = R[:, rows[2]] - R[:, rows[3]]
    return np.exp(logsumexp(log_w[:, None] + _log_sigmoid(x) + _log_sigmoid(y), axis=0))


def joint_likelihood_loss(type_rewards, log_shares, a, b, c, d, both, weights=None) -> float:
    """Cross-entropy of J against ``both`` (1: the annotator preferred a to b and c to d; the paper's
    ``o * o'``), section 5.3; see the module docstring. ``weights`` (B,), positive: a weighted mean
    (e.g. counts of identical rows), else the plain mean."""
    R, log_w, rows = _joint_inputs(type_rewards, log_shares, (a, b, c, d))
    label = np.asarray(both)
    if label.shape != rows[0].shape:
        raise AggregationError(f"both has shape {label.shape}, but a has shape {rows[0].shape}")
    bad = np.flatnonzero((label != 0) & (label != 1))
    if bad.size:
        raise AggregationError(
            f"both[{bad[0]}] = {label[bad[0]]!r} is not 0 or 1 (did the annotator prefer a to b and c to d?)"
        )
    x = R[:, rows[0]] - R[:, rows[1]]
    y = R[:, rows[2]] - R[:, rows[3]]
    log_j = logsumexp(log_w[:, None] + _log_sigmoid(x) + _log_sigmoid(y), axis=0)
    log_not = logsumexp(log_w[:, None] + np.logaddexp(_log_sigmoid(-x), _log_sigmoid(x) + _log_sigmoid(-y)), axis=0)
    label = label.astype(float)
    rows = -(label * log_j + (1.0 - label) * log_not)
    if weights is None:
        return float(np.mean(rows))
    w = _array(weights, "weights")
    if w.shape != rows.shape or (w <= 0).any():
        raise AggregationError(f"weights must be positive numbers of shape {rows.shape}")
    return float(np.sum(w * rows) / np.sum(w))


def joint_variance(j1, j2, h) -> np.ndarray:
    """Lemma 5.3, eq. (16): ``max(j1 - (j1 + j2)^2, 0) / sigma'(h)^2`` (module docstring)."""
    j1 = _array(j1, "j1")
    j2 = _array(j2, "j2")
    h = _array(h, "h")
    try:
        j1, j2, h = np.broadcast_arrays(j1, j2, h)
    except ValueError:
        raise AggregationError(
            f"j1, j2 and h have shapes {j1.shape}, {j2.shape} and {h.shape}, which do not match"
        ) from None
    for name, arr in (("j1", j1), ("j2", j2), ("j1 + j2", j1 + j2)):
        bad = np.flatnonzero((arr < 0) | (arr > 1 + 1e-12))
        if bad.size:
            where = f"[{bad[0]}]" if arr.ndim else ""
            raise AggregationError(f"{name}{where} = {float(arr.ravel()[bad[0]]):g} is not a probability")
    numerator = np.maximum(j1 - (j1 + j2) ** 2, 0.0)
    return numerator * np.exp(-2.0 * (_log_sigmoid(h) + _log_sigmoid(-h)))


# ------------------------------------------------------------------ the rows, with their slopes
def _correction_settings(alpha, eps, clip) -> tuple[float, float, float | None]:
    """Check the corrected-DPO settings: ``alpha >= 0``, ``eps`` in [0, 1), ``clip`` None or positive."""
    try:
        a = float(alpha)
    except (TypeError, ValueError):
        raise AggregationError(f"alpha must be a number >= 0, got {alpha!r}") from None
    if not (np.isfinite(a) and a >= 0):
        raise AggregationError(f"alpha must be a number >= 0, got {alpha!r}")
    try:
        e = float(eps)
    except (TypeError, ValueError):
        raise AggregationError(f"eps must be a number in [0, 1), got {eps!r}") from None
    if not (np.isfinite(e) and 0 <= e < 1):
        raise AggregationError(f"eps must be a number in [0, 1), got {eps!r}")
    if clip is not None:
        clip = _positive(clip, "clip")
    return a, e, clip


def _corrected_terms(h, variance, alpha: float, eps: float, clip: float | None, *, joint: bool = False):
    """Each row's corrected-DPO loss ``-log max(z, eps)`` and its slope ``d loss / d h`` (arrays like ``h``).

    ``variance`` is V (``joint=False``), or with ``joint=True`` the numerator ``Var_u[P_u]`` of eq. (16),
    V then being that over ``sigma'(h)^2`` (the slope includes V's dependence on h). Settings unchecked
    (see :func:`_correction_settings`)."""
    h = np.asarray(h, dtype=float)
    log_s, log_t = _log_sigmoid(h), _log_sigmoid(-h)
    s, t = np.exp(log_s), np.exp(log_t)
    st = np.exp(log_s + log_t)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        if joint:
            inv_st = np.exp(-(log_s + log_t))
            k = 0.5 * (t - s) * variance * inv_st
            dk = -0.5 * variance * (t / s + s / t)
        else:
            k = 0.5 * st * (t - s) * variance
            dk = 0.5 * variance * st * (1.0 - 6.0 * st)
        clipped = np.zeros(h.shape, dtype=bool) if clip is None else np.abs(k) > clip
        if clip is not None:
            k = np.clip(k, -clip, clip)
            dk = np.where(clipped, 0.0, dk)
        z = s + alpha * k
        log_z = _log_s_plus(log_s, s, alpha * k)
        if joint:
            slope_over_z = (st + alpha * dk) / z
        else:
            # z = s (1 + c) unclipped: log z = log s + log1p(c), as in _log_s_plus
            c = alpha * 0.5 * t * (t - s) * variance
            slope_over_z = np.where(clipped, st / z, t * (1.0 + alpha * 0.5 * variance * (1.0 - 6.0 * st)) / (1.0 + c))
    floor = -np.inf if eps == 0 else math.log(eps)
    on_floor = log_z <= floor
    loss = -np.maximum(log_z, floor)
    slope = np.where(on_floor, 0.0, -slope_over_z)
    return loss, slope


def _log_s_plus(log_s, s, x):
    """``log(s + x)`` (``-inf`` where it is <= 0): ``log s + log1p(x / s)`` for ``x < 0`` (then ``s > 1/2`` in
    the corrected likelihood) and ``logaddexp(log s, log x)`` for ``x >= 0``, so ``x = 0`` gives ``log s``
    exactly and a tiny ``s`` does not overflow ``x / s``."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ratio = np.where(x < 0, x / np.where(x < 0, s, 1.0), 0.0)
        ok = ratio > -1.0
        negative = np.where(ok, log_s + np.log1p(np.where(ok, ratio, 0.0)), -np.inf)
        positive = np.logaddexp(log_s, np.log(np.where(x > 0, x, 0.0)))
    return np.where(x < 0, negative, positive)


#: ``h`` below ``-B3_EXPONENT / n`` is evaluated there (the Prop. B.3 row then exceeds 1e300).
B3_EXPONENT = 700.0


def _b3_terms(h, n: int):
    """Each row's Proposition B.3 loss ``-s - I(s)`` (``s = sigmoid(h)``, every type preferring the first
    response) and its slope ``-s (1 - s)(1 + exp(-n h))`` (module docstring)."""
    h = np.maximum(np.asarray(h, dtype=float), -B3_EXPONENT / n)
    log_s, log_t = _log_sigmoid(h), _log_sigmoid(-h)
    loss = -np.exp(log_s) + _b3_tail(np.exp(-h), n)
    slope = -(np.exp(log_s + log_t) + np.exp(log_s + log_t - n * h))
    return loss, slope


def _b3_tail(Y: np.ndarray, n: int) -> np.ndarray:
    """``F_n(Y) = int_0^Y x^n / (1 + x)^2 dx`` by the forward recurrence on [0, min(Y, 1)] and [1, Y]."""
    Y = np.asarray(Y, dtype=float)
    low = _b3_recurrence(np.zeros_like(Y), np.minimum(Y, 1.0), n)
    high = np.where(Y > 1.0, _b3_recurrence(np.ones_like(Y), np.maximum(Y, 1.0), n), 0.0)
    return low + high


def _b3_recurrence(lo: np.ndarray, hi: np.ndarray, n: int) -> np.ndarray:
    F = 1.0 / (1.0 + lo) - 1.0 / (1.0 + hi)  # int x^0 / (1 + x)^2
    G = np.log1p(hi) - np.log1p(lo)  # int x^0 / (1 + x)
    for k in range(1, n + 1):
        F = G - F  # x^k / (1+x)^2 = x^(k-1) [1/(1+x) - 1/(1+x)^2]
        G = (hi**k - lo**k) / k - G  # x^k / (1+x) = x^(k-1) - x^(k-1) / (1+x)
    return F


def _log_sigmoid(x):
    return -np.logaddexp(0.0, -np.asarray(x, dtype=float))


# ----------------------------------------------------------------- validation
def _array(x, name: str) -> np.ndarray:
    try:
        arr = np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        raise AggregationError(f"{name} must be an array of numbers") from None
    if arr.size == 0:
        raise AggregationError(f"{name} is empty: the batch needs at least one row")
    if not np.isfinite(arr).all():
        if arr.ndim == 0:
            raise AggregationError(f"{name} is {float(arr)!r}, not a finite number")
        where = tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0])
        raise AggregationError(f"{name}{list(where)} is {float(arr[where])!r}, not a finite number")
    return arr


def _pair(x, y, x_name: str, y_name: str) -> tuple[np.ndarray, np.ndarray]:
    a, b = _array(x, x_name), _array(y, y_name)
    if a.ndim != 1:
        raise AggregationError(f"{x_name} must have shape (B,), got {a.shape}")
    if a.shape != b.shape:
        raise AggregationError(f"{x_name} has shape {a.shape} but {y_name} has shape {b.shape}")
    return a, b


def _positive(value, name: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise AggregationError(f"{name} must be a positive number, got {value!r}") from None
    if not (np.isfinite(v) and v > 0):
        raise AggregationError(f"{name} must be a positive number, got {value!r}")
    return v


def _beta(beta) -> float:
    return _positive(beta, "beta")


def _n_types(n_types) -> int:
    if isinstance(n_types, bool):
        raise AggregationError(f"n_types must be a whole number >= 1, got {n_types!r}")
    try:
        n = int(n_types)
    except (TypeError, ValueError):
        raise AggregationError(f"n_types must be a whole number >= 1, got {n_types!r}") from None
    if n != n_types or n < 1:
        raise AggregationError(f"n_types must be a whole number >= 1, got {n_types!r}")
    return n


def _votes(votes_for_a, n_types, shape) -> tuple[int, np.ndarray]:
    n = _n_types(n_types)
    votes = np.asarray(votes_for_a)
    if votes.shape != shape:
        raise AggregationError(f"votes_for_a has shape {votes.shape}, but lr_a has shape {shape}")
    if not (np.issubdtype(votes.dtype, np.integer) or np.issubdtype(votes.dtype, np.bool_)):
        as_float = votes.astype(float)
        if not np.all(np.isfinite(as_float) & (as_float == np.round(as_float))):
            raise AggregationError("votes_for_a must hold whole numbers (how many user types prefer a)")
    votes = votes.astype(np.int64)
    bad = np.flatnonzero((votes < 0) | (votes > n))
    if bad.size:
        raise AggregationError(f"votes_for_a[{bad[0]}] = {votes[bad[0]]} is outside 0..{n} (n_types = {n})")
    return n, votes


def _nonnegative_batch(x, name: str, B: int) -> np.ndarray:
    arr = _array(x, name)
    if arr.ndim == 0:
        arr = np.full(B, float(arr))
    elif arr.shape != (B,):
        raise AggregationError(f"{name} must be a number or an array of shape ({B},), got shape {arr.shape}")
    bad = np.flatnonzero(arr < 0)
    if bad.size:
        raise AggregationError(f"{name}[{bad[0]}] = {float(arr[bad[0]])!r} is negative (a variance is >= 0)")
    return arr


def _joint_inputs(type_rewards, log_shares, rows):
    R = _array(type_rewards, "type_rewards")
    if R.ndim != 2:
        raise AggregationError(f"type_rewards must have shape (K, m) (latent types, alternatives), got {R.shape}")
    K, m = R.shape
    log_w = np.asarray(log_shares, dtype=float)
    if log_w.shape != (K,):
        raise AggregationError(f"log_shares must have shape ({K},) (one per latent type), got {log_w.shape}")
    if np.isnan(log_w).any() or np.isposinf(log_w).any() or abs(float(logsumexp(log_w))) > 1e-9:
        raise AggregationError("log_shares must be the logarithms of weights that sum to 1")
    out = []
    for name, x in zip("abcd", rows):
        idx = np.asarray(x)
        if idx.ndim != 1 or (out and idx.shape != out[0].shape):
            raise AggregationError(f"{name} must have shape (B,) like a, got {idx.shape}")
        if not np.issubdtype(idx.dtype, np.integer):
            raise AggregationError(f"{name} must hold alternative indices (integers), got dtype {idx.dtype}")
        bad = np.flatnonzero((idx < 0) | (idx >= m))
        if bad.size:
            raise AggregationError(f"{name}[{bad[0]}] = {idx[bad[0]]} is not an alternative index in 0..{m - 1}")
        out.append(idx.astype(np.intp))
    if out[0].size == 0:
        raise AggregationError("a is empty: the batch needs at least one row")
    return R, log_w, out


def _phi_batch(phi, B: int) -> np.ndarray:
    arr = _array(phi, "phi")
    if arr.ndim == 0:
        arr = np.full(B, float(arr))
    elif arr.shape != (B,):
        raise AggregationError(f"phi must be a number or an array of shape ({B},), got shape {arr.shape}")
    bad = np.flatnonzero((arr <= 0) | (arr > 1))
    if bad.size:
        raise AggregationError(f"phi[{bad[0]}] = {float(arr[bad[0]])!r} is outside (0, 1]")
    return arr


def _listwise(lr, top) -> tuple[np.ndarray, np.ndarray]:
    lr = _array(lr, "lr")
    if lr.ndim != 2:
        raise AggregationError(f"lr must have shape (B, K) (log-ratios of the K responses shown), got {lr.shape}")
    B, K = lr.shape
    top = np.asarray(top)
    if top.ndim != 2 or top.shape[0] != B:
        raise AggregationError(f"top must have shape ({B}, k) (positions of the ranked top-k), got {top.shape}")
    if top.shape[1] == 0:
        raise AggregationError("top is empty: each row needs at least its best response")
    if top.shape[1] > K:
        raise AggregationError(f"top lists {top.shape[1]} responses but only K = {K} were shown")
    if not np.issubdtype(top.dtype, np.integer):
        raise AggregationError(f"top must hold integer positions in 0..{K - 1}, got dtype {top.dtype}")
    bad = np.argwhere((top < 0) | (top >= K))
    if bad.size:
        i, j = (int(v) for v in bad[0])
        raise AggregationError(f"top[{i}, {j}] = {top[i, j]} is not a position in 0..{K - 1}")
    s = np.sort(top, axis=1)
    repeat = np.flatnonzero((s[:, 1:] == s[:, :-1]).any(axis=1))
    if repeat.size:
        raise AggregationError(f"row {repeat[0]} of top repeats a response: {top[repeat[0]].tolist()}")
    return lr, top.astype(np.intp)
