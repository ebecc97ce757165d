"""Numpy reference losses: hand values, reductions to DPO, exact limits and minimisers.

The RCPO losses are checked against the paper (Tang & Feng, arXiv 2510.23631): Table 1's
formulas written out literally, the gradients of Appendix F, the exact likelihoods of
equations (8) and (11) (through brute-force enumeration of rankings), and Appendix D's entropy
proxy of the dispersion.
"""

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from aggregation import (
    AggregationError,
    consistent_loss,
    dpo_loss,
    entropy_phi_proxy,
    ipo_loss,
    mallows_rmj_loss,
    mallows_rmj_topk_table,
    mnl_loss,
    mnl_topk_probability,
    mnl_topk_table,
)

from .reference import mallows_rmj_rankings, marginalise


def sigmoid(x):
    return 1.0 / (1.0 + math.exp(-x))


# ----------------------------------------------------------------- DPO and IPO by hand
def test_dpo_and_ipo_by_hand():
    c, r = np.array([1.0, 2.0]), np.array([0.0, 3.0])
    expected = (-math.log(sigmoid(0.5)) - math.log(sigmoid(-0.5))) / 2
    assert dpo_loss(c, r, 0.5) == pytest.approx(expected, abs=1e-15)
    assert dpo_loss(c, r, 0.5) == pytest.approx(math.log(1 + math.exp(-0.5)) / 2 + math.log(1 + math.exp(0.5)) / 2)
    # IPO: (1 - 1/(2 * 0.5))^2 = 0 and (-1 - 1)^2 = 4
    assert ipo_loss(c, r, 0.5) == pytest.approx(2.0, abs=1e-15)
    assert dpo_loss(np.array([800.0]), np.array([0.0]), 1.0) == pytest.approx(0.0, abs=1e-300)
    assert dpo_loss(np.array([0.0]), np.array([800.0]), 1.0) == pytest.approx(800.0)  # no overflow


# ----------------------------------------------------------------- MNL-PO
lr_rows = arrays(np.float64, st.tuples(st.integers(1, 6), st.just(2)), elements=st.floats(-20, 20))


@settings(max_examples=40, deadline=None)
@given(lr_rows, st.floats(0.01, 5.0), st.booleans())
def test_mnl_with_two_responses_and_single_best_is_dpo(lr, beta, first_wins):
    w = 0 if first_wins else 1
    top = np.full((lr.shape[0], 1), w)
    assert mnl_loss(lr, top, beta) == pytest.approx(dpo_loss(lr[:, w], lr[:, 1 - w], beta), rel=1e-12, abs=1e-12)


def test_mnl_loss_is_the_negative_log_of_the_plackett_luce_probability():
    rng = np.random.default_rng(3)
    names = list("abcde")
    for K, k in [(3, 1), (4, 2), (5, 3), (5, 5)]:
        lr = rng.normal(size=(6, K))
        top = np.stack([rng.permutation(K)[:k] for _ in range(6)])
        beta = 0.7
        expected = np.mean(
            [
                -math.log(mnl_topk_probability(dict(zip(names, beta * row)), names[:K], [names[j] for j in t]))
                for row, t in zip(lr, top)
            ]
        )
        assert mnl_loss(lr, top, beta) == pytest.approx(expected, rel=1e-12)


def test_mnl_by_hand_and_full_ranking_equals_top_k_minus_one():
    lr = np.array([[0.0, math.log(2.0), math.log(3.0)]])  # beta = 1: weights 1, 2, 3
    assert mnl_loss(lr, np.array([[2]]), 1.0) == pytest.approx(-math.log(3 / 6))
    assert mnl_loss(lr, np.array([[1, 0]]), 1.0) == pytest.approx(-math.log(2 / 6 * 1 / 4))
    assert mnl_loss(lr, np.array([[1, 0, 2]]), 1.0) == pytest.approx(mnl_loss(lr, np.array([[1, 0]]), 1.0))


def table_1_mnl(r, top):
    """RCPO Table 1, row "MNL, Top-k Choice", written out term by term (k = 1: "Single-Best"):
    -sum_i log sigmoid(-log sum_{j in S minus {y_1..y_i}} exp(f(y_j, y_i))), f = reward difference."""
    total = 0.0
    for i in range(len(top)):
        rest = [j for j in range(len(r)) if j not in top[: i + 1]]
        if not rest:  # the empty sum: log sigmoid(+inf) = 0
            continue
        inner = sum(math.exp(r[j] - r[top[i]]) for j in rest)
        total -= math.log(sigmoid(-math.log(inner)))
    return total


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 5), st.integers(0, 10_000), st.floats(0.05, 3.0))
def test_mnl_loss_is_table_1_written_out(K, seed, beta):
    rng = np.random.default_rng(seed)
    lr = rng.normal(size=(3, K)) * 2
    k = int(rng.integers(1, K + 1))
    top = np.stack([rng.permutation(K)[:k] for _ in range(3)])
    expected = np.mean([table_1_mnl(beta * row, list(t)) for row, t in zip(lr, top)])
    assert mnl_loss(lr, top, beta) == pytest.approx(expected, rel=1e-10, abs=1e-12)


def test_mnl_table_1_by_hand():
    # weights 1, 2, 3; top (2, 1): -log sigmoid(-log (1/3 + 2/3)) - log sigmoid(-log (1/2)) = log 2 + log 3/2
    lr = np.array([[0.0, math.log(2.0), math.log(3.0)]])
    assert mnl_loss(lr, np.array([[2, 1]]), 1.0) == pytest.approx(math.log(2.0) + math.log(1.5), abs=1e-15)


def mnl_gradient_appendix_f(r, top, beta):
    """d loss / d lr from RCPO Appendix F.1.3, eq. (19): -beta sum_i sigma(log sum_{j in R_i} exp f(j, i)) *
    [e_{y_i} - sum_{j in R_i} e_{y_j} / sum_{j' in R_i} exp f(j', j)], R_i = S minus {y_1..y_i}."""
    g = np.zeros(len(r))
    for i in range(len(top)):
        rest = [j for j in range(len(r)) if j not in top[: i + 1]]
        if not rest:
            continue
        weight = sigmoid(math.log(sum(math.exp(r[j] - r[top[i]]) for j in rest)))
        g[top[i]] -= beta * weight
        for j in rest:
            g[j] += beta * weight / sum(math.exp(r[jj] - r[j]) for jj in rest)
    return g


@pytest.mark.parametrize("K, k", [(2, 1), (4, 1), (4, 2), (5, 5)])
def test_mnl_gradient_is_appendix_f(K, k):
    rng = np.random.default_rng(K * 10 + k)
    beta = 0.6
    lr = rng.normal(size=K)
    top = list(rng.permutation(K)[:k])
    numeric = _gradient(lambda x: mnl_loss(x[None, :], np.array([top]), beta), lr)
    np.testing.assert_allclose(numeric, mnl_gradient_appendix_f(beta * lr, top, beta), atol=1e-8)


@settings(max_examples=30, deadline=None)
@given(st.integers(2, 5), st.integers(0, 10_000), st.floats(-30, 30))
def test_mnl_loss_ignores_column_order_and_a_per_row_shift(K, seed, shift):
    rng = np.random.default_rng(seed)
    lr = rng.normal(size=(4, K)) * 3
    k = int(rng.integers(1, K + 1))
    top = np.stack([rng.permutation(K)[:k] for _ in range(4)])
    perm = rng.permutation(K)  # new column j holds old column perm[j]
    inverse = np.argsort(perm)
    base = mnl_loss(lr, top, 0.9)
    assert mnl_loss(lr[:, perm], inverse[top], 0.9) == pytest.approx(base, rel=1e-12)
    assert mnl_loss(lr + shift, top, 0.9) == pytest.approx(base, rel=1e-9, abs=1e-9)


def _expected_loss(loss, x, rows):
    """sum_i weight_i * loss(x[items_i] as one row, top_i) over the exact data distribution ``rows``."""
    return sum(w * loss(x[items][None, :], np.array([top])) for items, top, w in rows)


def _data_distribution(table_of, m, K, k):
    """Every (assortment, top-k) with its probability: uniform assortments, tops from ``table_of(S)``.

    Alternatives are named "0", "1", ...; the rows hold their indices.
    """
    rows = []
    subsets = list(itertools.combinations(range(m), K))
    for S in subsets:
        for top, p in table_of([str(i) for i in S]).items():
            rows.append((np.array(S), [S.index(int(a)) for a in top], p / len(subsets)))
    return rows


def _gradient(f, x, h=1e-5):
    g = np.zeros_like(x)
    for i in range(x.size):
        e = np.zeros_like(x)
        e[i] = h
        g[i] = (f(x + e) - f(x - e)) / (2 * h)
    return g


@pytest.mark.parametrize("K, k", [(2, 1), (3, 1), (3, 2), (4, 2)])
def test_expected_mnl_loss_is_stationary_and_minimal_at_the_true_utilities(K, k):
    beta = 0.5
    u = np.array([0.4, -0.3, 1.1, 0.0, -0.8])
    rows = _data_distribution(lambda S: mnl_topk_table(dict(zip(map(str, range(5)), u)), S, k), 5, K, k)
    assert sum(w for *_, w in rows) == pytest.approx(1.0)
    expected = lambda lr: _expected_loss(lambda x, t: mnl_loss(x, t, beta), lr, rows)
    truth = u / beta  # log-ratios whose induced rewards beta * lr are the true utilities
    assert np.abs(_gradient(expected, truth)).max() < 1e-7
    off = truth + np.array([0.3, 0.0, 0.0, -0.2, 0.1])
    assert np.abs(_gradient(expected, off)).max() > 1e-3  # the check can fail away from the truth
    rng = np.random.default_rng(0)
    for _ in range(5):
        assert expected(truth) < expected(truth + rng.normal(scale=0.3, size=5))


# ----------------------------------------------------------------- Mallows-RMJ-PO
def psi(n, phi):
    """psi(n, phi) = prod_{i=1..n} (1 + phi + ... + phi^(i-1)) (RCPO, below eq. 11)."""
    return math.prod(sum(phi**j for j in range(i)) for i in range(1, n + 1))


def test_mallows_pairwise_is_table_1_and_its_gradient_is_reweighted_dpo():
    phi, beta = 0.3, 1.0
    lr_w, lr_l = 0.4, -0.9
    loss = mallows_rmj_loss(np.array([[lr_w, lr_l]]), np.array([[0]]), beta, phi)
    # Table 1, "Mallows-RMJ, Pairwise": -log phi * sigma(f(y_l, y_w)); eq. (14) smoothed
    assert loss == pytest.approx(-math.log(phi) * sigmoid(lr_l - lr_w), abs=1e-15)
    h = lr_w - lr_l
    f_m = lambda d: mallows_rmj_loss(np.array([[d, 0.0]]), np.array([[0]]), beta, phi)
    f_d = lambda d: dpo_loss(np.array([d]), np.array([0.0]), beta)
    g_m = (f_m(h + 1e-6) - f_m(h - 1e-6)) / 2e-6
    g_d = (f_d(h + 1e-6) - f_d(h - 1e-6)) / 2e-6
    assert g_m == pytest.approx(g_d * (-math.log(phi)) * sigmoid(h), rel=1e-6)  # Appendix F.2.1
    assert mallows_rmj_loss(np.array([[lr_w, lr_l]]), np.array([[0]]), beta, phi) != pytest.approx(
        dpo_loss(np.array([lr_w]), np.array([lr_l]), beta)
    )


def test_mallows_single_best_and_top_k_are_table_1_by_hand():
    phi, beta = 0.5, 2.0
    lr = np.array([[0.3, -0.1, 0.9, 0.2]])
    r = beta * lr[0]
    # Table 1, "Single-Best", y_w = response 1: -log phi * sum_{i != w} sigma(f(y_i, y_w))
    single = -math.log(phi) * (sigmoid(r[0] - r[1]) + sigmoid(r[2] - r[1]) + sigmoid(r[3] - r[1]))
    assert mallows_rmj_loss(lr, np.array([[1]]), beta, phi) == pytest.approx(single, abs=1e-14)
    # Table 1, "Top-k", (y_1, y_2, y_3) = (2, 0, 3), |S| = 4: weights |S| - i = 3, 2, then response 1 vs y_3
    e = 3 * sigmoid(r[0] - r[2]) + 2 * sigmoid(r[3] - r[0]) + sigmoid(r[1] - r[3])
    assert mallows_rmj_loss(lr, np.array([[2, 0, 3]]), beta, phi) == pytest.approx(-math.log(phi) * e, abs=1e-14)
    # ties: every comparison is sigma(0) = 1/2
    assert mallows_rmj_loss(np.zeros((1, 3)), np.array([[0, 1]]), 1.0, 0.5) == pytest.approx(
        math.log(2.0) * (2 * 0.5 + 0.5), abs=1e-15
    )


def test_mallows_loss_plus_the_dropped_constant_is_the_exact_likelihood_in_the_sharp_limit():
    """Far-apart rewards make every sigmoid 0 or 1 (the indicators of eqs. 10 and 12); adding back the
    constant log psi(|S|, phi) / psi(|S| - k, phi) that the proofs of Theorems 3-4 drop gives
    -log P(top | S), here computed by enumerating every ranking of S (eq. 6)."""
    rng = np.random.default_rng(7)
    names = list("abcde")
    for K, k in [(2, 1), (3, 1), (4, 2), (5, 3), (5, 5)]:
        for _ in range(4):
            lr = rng.permutation(K).astype(float)[None, :] + rng.uniform(0, 0.3, size=(1, K))
            top = rng.permutation(K)[:k][None, :]
            phi = float(rng.uniform(0.05, 0.95))
            central = [names[j] for j in np.argsort(-lr[0])]  # higher reward = ranked higher
            exact = marginalise(mallows_rmj_rankings(central, phi), names[:K], k)[tuple(names[j] for j in top[0])]
            constant = math.log(psi(K, phi) / psi(K - k, phi))
            assert mallows_rmj_loss(lr, top, 100.0, phi) + constant == pytest.approx(-math.log(exact), abs=1e-9)


def mallows_gradient_appendix_f(r, top, beta, phi):
    """d loss / d lr from RCPO Appendix F.2.3: beta (-log phi) [sum_{i<k} (|S| - i) s'(f(y_{i+1}, y_i))
    (e_{y_{i+1}} - e_{y_i}) + sum_{j not in top} s'(f(y_j, y_k)) (e_{y_j} - e_{y_k})], s' = sigma (1 - sigma)."""
    K, k = len(r), len(top)
    ds = lambda x: sigmoid(x) * (1 - sigmoid(x))
    g = np.zeros(K)
    for i in range(k - 1):
        w = (K - (i + 1)) * ds(r[top[i + 1]] - r[top[i]])
        g[top[i + 1]] += w
        g[top[i]] -= w
    for j in (j for j in range(K) if j not in top):
        w = ds(r[j] - r[top[-1]])
        g[j] += w
        g[top[-1]] -= w
    return beta * -math.log(phi) * g


@pytest.mark.parametrize("K, k", [(2, 1), (4, 1), (4, 2), (5, 3), (5, 5)])
def test_mallows_gradient_is_appendix_f(K, k):
    rng = np.random.default_rng(K * 10 + k)
    beta, phi = 0.8, 0.35
    lr = rng.normal(size=K)
    top = list(rng.permutation(K)[:k])
    numeric = _gradient(lambda x: mallows_rmj_loss(x[None, :], np.array([top]), beta, phi), lr)
    np.testing.assert_allclose(numeric, mallows_gradient_appendix_f(beta * lr, top, beta, phi), atol=1e-8)


def test_mallows_per_row_phi_uniform_phi_and_full_rankings():
    rng = np.random.default_rng(2)
    lr = rng.normal(size=(3, 4))
    top = np.array([[0, 1], [3, 2], [1, 0]])
    phis = np.array([0.2, 0.6, 0.9])
    per_row = np.mean([mallows_rmj_loss(lr[i : i + 1], top[i : i + 1], 1.3, phis[i]) for i in range(3)])
    assert mallows_rmj_loss(lr, top, 1.3, phis) == pytest.approx(per_row, rel=1e-13)
    # phi = 1 (uniform rankings): -log phi = 0, no signal whatever the policy
    assert mallows_rmj_loss(lr, top, 1.3, 1.0) == 0.0
    # a full ranking and its first K - 1 places are the same list: the last weight is |S| - (K - 1) = 1
    full = np.array([[2, 0, 3, 1]])
    assert mallows_rmj_loss(lr[:1], full, 1.3, 0.4) == pytest.approx(mallows_rmj_loss(lr[:1], full[:, :3], 1.3, 0.4))


def test_expected_exact_mallows_likelihood_is_best_at_the_true_central_ranking():
    phi, m, K, k = 0.4, 4, 3, 2
    truth = [2, 0, 3, 1]  # best first
    rows = _data_distribution(lambda S: mallows_rmj_topk_table([str(i) for i in truth], S, k, phi), m, K, k)
    scores = {}
    for ranking in itertools.permutations(range(m)):
        lr = np.empty(m)
        lr[list(ranking)] = -np.arange(m, dtype=float)  # rewards that order the responses as `ranking`
        # beta = 1000: every sigmoid is 0 or 1, so this is the unsmoothed objective (12)
        scores[ranking] = _expected_loss(lambda x, t: mallows_rmj_loss(x, t, 1000.0, phi), lr, rows)
    best = min(scores, key=scores.get)
    assert list(best) == truth
    assert sorted(scores.values())[1] - scores[best] > 1e-3


# ----------------------------------------------------------------- Appendix D: the entropy proxy of phi
def test_entropy_proxy_by_hand():
    V = 4
    log_v = math.log(V)
    # two responses of two tokens each: H = (log 4, log 2) and (0.5 log 4, 0)
    H = np.array([[[log_v, math.log(2.0)], [0.5 * log_v, 0.0]]])
    phi = entropy_phi_proxy(H, np.array([[2, 2]]), V)
    # sum = 1 + 1/2 + 1/2 + 0 = 2 (in units of log 4), divided by |S| N = 2 * 2
    assert phi.shape == (1,) and phi[0] == pytest.approx(0.5, abs=1e-15)
    # |S| = 2 is Chen et al.'s pairwise version, eqs. (15)-(16): -log( (1/2) sum_i sum_j H / log V^N )
    assert -math.log(phi[0]) == pytest.approx(-math.log(0.5 * H.sum() / (2 * log_v)), abs=1e-15)


def test_entropy_proxy_uniform_model_gives_phi_one_and_a_peaked_one_a_large_weight():
    """Appendix D: -log phi -> 0 when the next-token distribution is uniform (H = log n), and grows as it
    collapses to a point mass (H -> 0)."""
    V, K, T = 7, 3, 4
    logits = np.zeros((1, K, T, V))  # uniform
    p = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    H = -(p * np.log(p)).sum(-1)
    assert entropy_phi_proxy(H, np.full((1, K), T), V)[0] == pytest.approx(1.0, abs=1e-15)
    weights = []
    for sharp in (0.0, 2.0, 8.0):
        logits = np.zeros((1, K, T, V))
        logits[..., 0] = sharp
        p = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
        weights.append(-math.log(entropy_phi_proxy(-(p * np.log(p)).sum(-1), np.full((1, K), T), V)[0]))
    assert weights[0] == pytest.approx(0.0, abs=1e-12) and weights[0] < weights[1] < weights[2]


def test_entropy_proxy_counts_each_response_to_its_length_and_divides_by_the_longest():
    V = 10
    H = np.array(
        [
            [[1.0, 2.0, 9.9], [0.5, 99.0, 99.0]],  # the 99s lie past the second response's length
            [[1.0, 1.0, 1.0], [1.0, 1.0, 1.0]],
        ]
    )
    lengths = np.array([[2, 1], [3, 3]])
    phi = entropy_phi_proxy(H, lengths, V)
    # row 0: (1 + 2 + 0.5) / (|S| = 2 * N = 2 * log 10); row 1: 6 / (2 * 3 * log 10)
    np.testing.assert_allclose(phi, [3.5 / (4 * math.log(10)), 6 / (6 * math.log(10))], rtol=1e-14)


@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda: entropy_phi_proxy(np.ones((2, 3)), np.ones((2, 3), dtype=int), 5),
            r"token_entropies must have shape \(B, K, T\)",
        ),
        (
            lambda: entropy_phi_proxy(np.ones((1, 2, 3)), np.ones((2, 2), dtype=int), 5),
            r"lengths must have shape \(1, 2\)",
        ),
        (
            lambda: entropy_phi_proxy(np.ones((1, 2, 3)), np.array([[1, 4]]), 5),
            r"lengths\[0, 1\] = 4 is not a token count in 1..3",
        ),
        (lambda: entropy_phi_proxy(np.ones((1, 2, 3)), np.array([[1, 0]]), 5), r"lengths\[0, 1\] = 0"),
        (lambda: entropy_phi_proxy(np.ones((1, 2, 3)), np.array([[1.0, 2.0]]), 5), "lengths must hold whole numbers"),
        (
            lambda: entropy_phi_proxy(np.ones((1, 2, 3)), np.array([[1, 2]]), 1),
            "vocabulary_size must be a whole number >= 2",
        ),
        (
            lambda: entropy_phi_proxy(np.ones((1, 2, 3)), np.array([[1, 2]]), 2.5),
            "vocabulary_size must be a whole number >= 2",
        ),
        (
            lambda: entropy_phi_proxy(np.full((1, 2, 3), -0.1), np.array([[1, 2]]), 5),
            r"token_entropies\[0, 0, 0\] = -0.1 is not an entropy",
        ),
        (lambda: entropy_phi_proxy(np.full((1, 2, 3), 2.0), np.array([[1, 2]]), 5), r"is not an entropy over 5 tokens"),
        (
            lambda: entropy_phi_proxy(np.full((1, 2, 3), np.nan), np.array([[1, 2]]), 5),
            r"token_entropies\[0, 0, 0\] is nan",
        ),
        (lambda: entropy_phi_proxy(np.zeros((1, 2, 3)), np.array([[1, 2]]), 5), "row 0: every token entropy is 0"),
    ],
)
def test_entropy_proxy_bad_input_is_named(call, message):
    with pytest.raises(AggregationError, match=message):
        call()


# ----------------------------------------------------------------- consistent loss
def test_consistent_loss_by_hand_and_the_second_branch_is_minus_n_h():
    a, b = np.array([1.0, 0.0, 2.0, 0.5]), np.array([0.0, 0.0, 1.0, 1.5])
    votes = np.array([3, 1, 0, 0])
    beta, n = 0.5, 3
    h = beta * (a - b)
    expected = (-math.log(sigmoid(n * h[0])) + 0.0 - math.log(sigmoid(-n * h[2])) - math.log(sigmoid(-n * h[3]))) / 4
    assert consistent_loss(a, b, votes, n, beta) == pytest.approx(expected, abs=1e-15)
    typo = (-math.log(sigmoid(n * h[0])) - math.log(sigmoid(n * (1 - h[2]))) - math.log(sigmoid(n * (1 - h[3])))) / 4
    assert consistent_loss(a, b, votes, n, beta) != pytest.approx(typo, rel=1e-3)
    assert consistent_loss(a[1:2], b[1:2], votes[1:2], n, beta) == 0.0  # a split pair carries no signal


@settings(max_examples=30, deadline=None)
@given(
    arrays(np.float64, 5, elements=st.floats(-10, 10)),
    arrays(np.float64, 5, elements=st.floats(-10, 10)),
    arrays(np.int64, 5, elements=st.integers(0, 1)),
    st.floats(0.05, 3.0),
)
def test_consistent_loss_with_one_type_is_dpo(a, b, votes, beta):
    chosen = np.where(votes == 1, a, b)
    rejected = np.where(votes == 1, b, a)
    assert consistent_loss(a, b, votes, 1, beta) == pytest.approx(
        dpo_loss(chosen, rejected, beta), rel=1e-12, abs=1e-12
    )


# ----------------------------------------------------------------- errors
LR = np.zeros((2, 3))
TOP = np.array([[0], [2]])


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: dpo_loss([1.0, 2.0], [1.0], 1.0), r"lr_chosen has shape \(2,\) but lr_rejected has shape \(1,\)"),
        (lambda: dpo_loss([[1.0]], [[1.0]], 1.0), r"lr_chosen must have shape \(B,\)"),
        (lambda: dpo_loss([], [], 1.0), "lr_chosen is empty"),
        (lambda: dpo_loss([1.0, np.nan], [1.0, 0.0], 1.0), r"lr_chosen\[1\] is nan"),
        (lambda: ipo_loss([1.0], [0.0], 0.0), "beta must be a positive number"),
        (lambda: mnl_loss(np.zeros(3), TOP, 1.0), r"lr must have shape \(B, K\)"),
        (lambda: mnl_loss(LR, np.array([0, 2]), 1.0), r"top must have shape \(2, k\)"),
        (lambda: mnl_loss(LR, np.array([[0], [3]]), 1.0), r"top\[1, 0\] = 3 is not a position in 0..2"),
        (lambda: mnl_loss(LR, np.array([[0, 0], [1, 2]]), 1.0), r"row 0 of top repeats a response: \[0, 0\]"),
        (lambda: mnl_loss(LR, np.array([[0.0], [1.0]]), 1.0), "top must hold integer positions"),
        (lambda: mnl_loss(LR, np.zeros((2, 4), dtype=int), 1.0), "top lists 4 responses but only K = 3 were shown"),
        (lambda: mallows_rmj_loss(LR, TOP, 1.0, 0.0), r"phi\[0\] = 0.0 is outside \(0, 1\]"),
        (lambda: mallows_rmj_loss(LR, TOP, 1.0, [0.5, 1.2]), r"phi\[1\] = 1.2 is outside \(0, 1\]"),
        (lambda: mallows_rmj_loss(LR, TOP, 1.0, [0.5, 0.5, 0.5]), r"phi must be a number or an array of shape \(2,\)"),
        (lambda: mallows_rmj_loss(LR, TOP, 1.0, np.nan), "phi is nan"),
        (lambda: consistent_loss([1.0], [0.0], [3], 2, 1.0), r"votes_for_a\[0\] = 3 is outside 0..2"),
        (lambda: consistent_loss([1.0], [0.0], [0.5], 2, 1.0), "votes_for_a must hold whole numbers"),
        (lambda: consistent_loss([1.0], [0.0], [1], 0, 1.0), "n_types must be a whole number >= 1"),
        (lambda: consistent_loss([1.0, 2.0], [0.0, 1.0], [1], 2, 1.0), r"votes_for_a has shape \(1,\)"),
    ],
)
def test_bad_input_is_named(call, message):
    with pytest.raises(AggregationError, match=message):
        call()
