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
        raise AggregationError(
            f"token_entropies must have shape (B, K, T) (rows, responses, tokens), got {H.shape}")
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
            f"(it must lie in [0, log {V}] = [0, {log_v:.6g}])")
    total = np.where(inside, H, 0.0).sum(axis=(1, 2))
    phi = total / (K * L.max(axis=1) * log_v)
    zero = np.flatnonzero(phi <= 0)
    if zero.size:
        raise AggregationError(
            f"row {zero[0]}: every token entropy is 0 (the model is certain of each token), so the proxy "
            "-log phi is infinite")
    return np.minimum(phi, 1.0)


def consistent_loss(lr_a, lr_b, votes_for_a, n_types, beta) -> float:
    """Consistent loss of Shirali et al. (Prop. 6.1): only unanimous pairs count (see the module docstring)."""
    a, b = _pair(lr_a, lr_b, "lr_a", "lr_b")
    beta = _beta(beta)
    try:
        n = int(n_types)
    except (TypeError, ValueError):
        raise AggregationError(f"n_types must be a whole number >= 1, got {n_types!r}") from None
    if n != n_types or n < 1:
        raise AggregationError(f"n_types must be a whole number >= 1, got {n_types!r}")
    votes = np.asarray(votes_for_a)
    if votes.shape != a.shape:
        raise AggregationError(f"votes_for_a has shape {votes.shape}, but lr_a has shape {a.shape}")
    if not (np.issubdtype(votes.dtype, np.integer) or np.issubdtype(votes.dtype, np.bool_)):
        as_float = votes.astype(float)
        if not np.all(np.isfinite(as_float) & (as_float == np.round(as_float))):
            raise AggregationError("votes_for_a must hold whole numbers (how many user types prefer a)")
    votes = votes.astype(np.int64)
    bad = np.flatnonzero((votes < 0) | (votes > n))
    if bad.size:
        raise AggregationError(f"votes_for_a[{bad[0]}] = {votes[bad[0]]} is outside 0..{n} (n_types = {n})")
    h = beta * (a - b)
    loss = np.where(votes == n, np.logaddexp(0.0, -n * h), 0.0)
    loss = np.where(votes == 0, np.logaddexp(0.0, n * h), loss)
    return float(np.mean(loss))


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
