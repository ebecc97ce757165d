"""Numpy reference losses for preference fine-tuning: the contract ``worker/losses.py`` mirrors in torch.

Conventions (every function): inputs are batch-first numpy arrays; ``lr`` is the log-ratio
``log(pi(y) / pi_ref(y))`` of a response, *not* multiplied by ``beta``; the induced reward is
``r = beta * lr``; each function returns the mean over the whole batch as a Python float
(rows that carry no signal count as 0 in that mean). ``sigmoid(x) = 1 / (1 + exp(-x))`` and
``-log sigmoid(x)`` is computed as ``log(1 + exp(-x))`` (``logaddexp(0, -x)``). Bad input raises
:class:`AggregationError`.

``dpo_loss(lr_chosen, lr_rejected, beta)`` (Rafailov et al. 2023), shapes (B,)::

    mean_b  -log sigmoid(beta * (lr_chosen[b] - lr_rejected[b]))

``ipo_loss(lr_chosen, lr_rejected, beta)`` (Azar et al., AISTATS 2024, the IPO loss with tau = beta), shapes (B,)::

    mean_b  (lr_chosen[b] - lr_rejected[b] - 1 / (2 beta)) ** 2

``mnl_loss(lr, top, beta)``: MNL-PO (RCPO, Tang & Feng, arXiv 2510.23631), ``lr`` (B, K) the
log-ratios of the K responses shown (assortment order), ``top`` (B, k) integer positions in
``0..K-1`` of the ranked top-k, best first (k = 1: single best; k = K: a full ranking). The
Plackett-Luce negative log-likelihood with scores ``r = beta * lr``::

    mean_b  sum_{t=1..k} ( -r[b, a_t] + logsumexp_{j in R_t} r[b, j] ),   R_t = {0..K-1} minus {a_1..a_{t-1}}

For K = 2, k = 1 it equals ``dpo_loss`` (RCPO: DPO is the pairwise MNL / Bradley-Terry case).

``mallows_rmj_loss(lr, top, beta, phi, temperature=1.0)``: Mallows-RMJ-PO, same ``lr`` and
``top``; ``phi`` in (0, 1] is a float or an array (B,) (one dispersion per row). It is the
negative log of the Mallows-RMJ top-k probability (see :mod:`aggregation.choice`) whose central
ranking orders the K responses by ``r``, with every rank comparison ``[r_x > r_y]`` replaced by
``s(r_x - r_y)``, ``s(x) = sigmoid(x / temperature)``::

    E[b]    = sum_{t=1..k-1} (K - t) * s(r[b, a_{t+1}] - r[b, a_t])      # descents of the list
            + sum_{j not in top} s(r[b, j] - r[b, a_k])                   # unlisted items above a_k
    loss[b] = -log(phi[b]) * E[b] + sum_{i=K-k+1..K} log((1 - phi[b]**i) / (1 - phi[b]))
    mean_b  loss[b]

(the last sum is the log normaliser, ``log i`` per term at phi = 1; it does not depend on the
policy). Special cases: single best (k = 1):
``-log(phi) * sum_{j != a_1} s(r_j - r_{a_1}) + log((1 - phi**K) / (1 - phi))``; pairwise
(K = 2, k = 1): ``-log(phi) * sigmoid((r_l - r_w) / temperature) + log(1 + phi)``, whose gradient
in ``h = r_w - r_l`` (temperature 1) is DPO's gradient multiplied by ``-log(phi) * sigmoid(h)``:
it is a bounded sigmoid loss, not a log-sigmoid, and does not reduce to DPO. As temperature -> 0
(distinct log-ratios) the loss tends to the exact ``-log P_RMJ(top | S)``.
Provenance: issue 3 describes RCPO's Table 1 as listing Mallows-RMJ-PO (pairwise, single-best,
top-k) with a sigmoid smoothing of rank positions; the paper's exact objective and its handling of
phi could not be read here (no stored text, no public code), so this objective is derived from the
Mallows-RMJ model (exact likelihood, each rank indicator
smoothed by a sigmoid of the reward gap, ``temperature`` an added knob whose default 1 gives
``sigmoid(beta * (lr_x - lr_y))``), and phi is a given constant (it then only scales the
policy-dependent part).

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

import numpy as np
from scipy.special import expit, logsumexp

from .choice import _rmj_log_normalizer
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
    """MNL-PO: Plackett-Luce negative log-likelihood of the ranked top-k (see the module docstring)."""
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


def mallows_rmj_loss(lr, top, beta, phi, temperature: float = 1.0) -> float:
    """Mallows-RMJ-PO with sigmoid-smoothed rank comparisons (exact formula in the module docstring)."""
    lr, top = _listwise(lr, top)
    r = _beta(beta) * lr
    B, K = r.shape
    k = top.shape[1]
    phi = _phi_batch(phi, B)
    temperature = _positive(temperature, "temperature")
    rows = np.arange(B)[:, None]
    listed = r[rows, top]  # (B, k)
    exponent = np.zeros(B)
    if k > 1:
        weights = K - np.arange(1, k)
        exponent += (weights * expit((listed[:, 1:] - listed[:, :-1]) / temperature)).sum(axis=1)
    unlisted = np.ones((B, K), dtype=bool)
    unlisted[rows, top] = False
    above_last = expit((r - listed[:, -1:]) / temperature)
    exponent += np.where(unlisted, above_last, 0.0).sum(axis=1)
    loss = -np.log(phi) * exponent + _rmj_log_normalizer(K, k, phi)
    return float(np.mean(loss))


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
