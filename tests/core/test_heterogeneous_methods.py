"""The methods of Shirali et al., "Direct Alignment with Heterogeneous Preferences" (arXiv 2502.16320),
that the core adds: first-order corrected DPO (section 5), its joint likelihood model J and variance
estimate (section 5.3, Lemma 5.3), the consistent loss of Proposition B.3, the paired-comparison
sampler, and the infinite-data limits. Every expected number is derived by hand here, from the paper's
statements (Lemma 5.3, eqs. 14-16 and 21), or by brute force (numerical integration and minimisation)."""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.integrate import quad
from scipy.optimize import minimize, minimize_scalar
from scipy.special import expit

from aggregation import (
    AggregationError,
    PreferenceMatrix,
    Profile,
    RewardPopulation,
    b3_integral,
    consistent_b3_loss,
    consistent_b3_policy,
    consistent_loss,
    consistent_policy,
    corrected_dpo_loss,
    corrected_dpo_policy,
    dpo_loss,
    joint_likelihood,
    joint_likelihood_loss,
    joint_variance,
    preference_matrix,
    preference_variance,
    reward_variance,
    rlhf_policy,
    sample_paired_comparisons,
)

FIGURE_1 = Profile.parse("2: R > G > B\n3: B > R > G")


def sigmoid(x):
    return 1.0 / (1.0 + math.exp(-x))


# ----------------------------------------------------------------- corrected DPO (section 5.1)
@settings(max_examples=40, deadline=None)
@given(
    arrays(np.float64, 6, elements=st.floats(-20, 20)),
    arrays(np.float64, 6, elements=st.floats(-20, 20)),
    arrays(np.float64, 6, elements=st.floats(0, 50)),
    st.floats(0.05, 3.0),
    st.sampled_from([None, 0.05, 0.1]),
)
def test_alpha_zero_is_dpo_exactly(c, r, V, beta, clip):
    """Section 5.1: 'our theory suggests alpha = 1 while DPO uses alpha = 0'. Without the floor (eps = 0)
    every row is DPO's, bit for bit; with it, every row whose sigmoid(h) stays above eps."""
    assert corrected_dpo_loss(c, r, V, beta, alpha=0.0, eps=0.0, clip=clip) == dpo_loss(c, r, beta)
    above = expit(beta * (c - r)) >= 1e-6
    if above.any():
        assert corrected_dpo_loss(c[above], r[above], V[above], beta, alpha=0.0, clip=clip) == dpo_loss(
            c[above], r[above], beta
        )


def test_corrected_likelihood_by_hand():
    # h = 1: s = sigmoid(1), sigma''(1) = s (1 - s)(1 - 2 s); V = 2, alpha = 1: z = s + sigma''(1)
    s = sigmoid(1.0)
    d2 = s * (1 - s) * (1 - 2 * s)
    assert d2 == pytest.approx(-0.0908577476729, abs=1e-12)
    one, zero = np.array([1.0]), np.array([0.0])
    assert corrected_dpo_loss(one, zero, 2.0, 1.0, alpha=1.0) == pytest.approx(-math.log(s + d2), abs=1e-15)
    assert corrected_dpo_loss(one, zero, 2.0, 1.0, alpha=3.0) == pytest.approx(-math.log(s + 3 * d2), abs=1e-15)
    # beta scales h: lr gap 2 at beta 0.5 is h = 1
    assert corrected_dpo_loss(np.array([2.0]), zero, 2.0, 0.5) == pytest.approx(-math.log(s + d2), abs=1e-15)
    # the authors' clip bounds sigma'' V / 2 = -0.0909 at -0.05 before alpha multiplies it
    assert corrected_dpo_loss(one, zero, 2.0, 1.0, alpha=3.0, clip=0.05) == pytest.approx(-math.log(s - 0.15))
    # the stable log: V = 40 makes z = s + 20 sigma''(1) < 0, so the row sits on the floor -log eps
    assert s + 20 * d2 < 0
    assert corrected_dpo_loss(one, zero, 40.0, 1.0) == pytest.approx(-math.log(1e-6))
    assert corrected_dpo_loss(one, zero, 40.0, 1.0, eps=0.01) == pytest.approx(-math.log(0.01))
    assert corrected_dpo_loss(one, zero, 40.0, 1.0, eps=0.0) == math.inf


@settings(max_examples=40, deadline=None)
@given(st.floats(-15, 15), st.floats(0, 15), st.floats(0, 1.0))
def test_the_corrected_likelihood_of_the_two_orders_adds_to_one(h, V, alpha):
    """sigma''(-h) = -sigma''(h), so z(h) + z(-h) = 1: a probability wherever it lies in (0, 1), which
    holds for every h when alpha V < 16 (z = s (1 + alpha (1 - s)(1 - 2 s) V / 2), the factor >= -alpha V / 16)."""
    a, b = np.array([h]), np.array([0.0])
    forward = math.exp(-corrected_dpo_loss(a, b, V, 1.0, alpha=alpha, eps=0.0))
    backward = math.exp(-corrected_dpo_loss(b, a, V, 1.0, alpha=alpha, eps=0.0))
    assert forward + backward == pytest.approx(1.0, abs=1e-12)
    assert 0 < forward < 1


def test_eq_14_is_the_second_order_expansion_of_the_mixture():
    """Eq. (14): E_u sigmoid(Delta_u) = sigmoid(mean) + sigma''(mean) Var / 2 + O(third moment). For two
    equally weighted types at mean m +- d the remainder is O(d^4): corrected DPO's likelihood with the
    known variance is that much closer to the population's P than DPO's sigmoid(m)."""
    m = 0.7
    for d in (0.2, 0.1, 0.05):
        truth = (sigmoid(m + d) + sigmoid(m - d)) / 2
        corrected = math.exp(-corrected_dpo_loss(np.array([m]), np.array([0.0]), d * d, 1.0))
        assert abs(corrected - truth) < 0.01 * d**4 < abs(sigmoid(m) - truth)


# ----------------------------------------------------------------- J and Lemma 5.3 (section 5.3)
def two_types(delta_1, delta_2, w=0.5):
    """Two user types over {a, b} with reward differences r(a) - r(b) = delta_1, delta_2 and weights w, 1 - w."""
    return np.array([[delta_1, 0.0], [delta_2, 0.0]]), np.log([w, 1 - w])


def test_the_true_joint_likelihood_by_hand():
    """J(a, b, c, d) = E_u[P_u(a > b) P_u(c > d)], written out for two types."""
    R, log_w = two_types(1.0, -2.0, w=0.3)
    a, b = np.array([0, 0, 1]), np.array([1, 1, 0])
    c, d = np.array([0, 1, 1]), np.array([1, 0, 0])
    s1, s2 = sigmoid(1.0), sigmoid(-2.0)
    expected = [
        0.3 * s1 * s1 + 0.7 * s2 * s2,
        0.3 * s1 * (1 - s1) + 0.7 * s2 * (1 - s2),
        0.3 * (1 - s1) ** 2 + 0.7 * (1 - s2) ** 2,
    ]
    np.testing.assert_allclose(joint_likelihood(R, log_w, a, b, c, d), expected, rtol=1e-14)
    # the cross-entropy against o * o' ("both"), by hand
    both = np.array([1, 0, 1])
    by_hand = -(math.log(expected[0]) + math.log(1 - expected[1]) + math.log(expected[2])) / 3
    assert joint_likelihood_loss(R, log_w, a, b, c, d, both) == pytest.approx(by_hand, rel=1e-14)


def test_the_joint_cross_entropy_does_not_round_to_log_zero():
    R = np.array([[800.0, 0.0]])
    zero, one = np.array([0]), np.array([1])
    assert joint_likelihood_loss(R, np.zeros(1), zero, one, zero, one, np.array([1])) == pytest.approx(0.0, abs=1e-300)
    # 1 - J = sigmoid(-800) + sigmoid(800) sigmoid(-800) = 2 e^-800 (to rounding)
    assert joint_likelihood_loss(R, np.zeros(1), zero, one, zero, one, np.array([0])) == pytest.approx(
        800.0 - math.log(2.0), rel=1e-15
    )
    assert joint_likelihood_loss(R, np.zeros(1), one, zero, one, zero, np.array([1])) == pytest.approx(1600.0)


def test_lemma_5_3_recovers_the_variance_from_the_true_j():
    """Proof of Lemma 5.3: J1 + J2 = E_u P_u(a > b) = P[a, b] and J1 - (J1 + J2)^2 = Var_u P_u(a > b); for
    two types with weights w, 1 - w the latter is w (1 - w) (s1 - s2)^2. Divided by sigma'(mean)^2 it is
    Var_u[Delta] = w (1 - w) (delta_1 - delta_2)^2 up to the third-order term the proof neglects; for a
    symmetric pair (m + d, m - d) that term vanishes and V - d^2 = d^4 (1 - 6 s (1 - s)) / 3 + O(d^6),
    s = sigmoid(m) (from the Taylor series of sigmoid(m + d) - sigmoid(m - d))."""
    a, b = np.array([0]), np.array([1])
    R, log_w = two_types(1.5, -0.5, w=0.25)
    j1 = joint_likelihood(R, log_w, a, b, a, b)[0]
    j2 = joint_likelihood(R, log_w, a, b, b, a)[0]
    s1, s2 = sigmoid(1.5), sigmoid(-0.5)
    assert j1 + j2 == pytest.approx(0.25 * s1 + 0.75 * s2, abs=1e-15)
    assert j1 - (j1 + j2) ** 2 == pytest.approx(0.25 * 0.75 * (s1 - s2) ** 2, abs=1e-15)
    mean = 0.25 * 1.5 - 0.75 * 0.5
    sp = sigmoid(mean) * (1 - sigmoid(mean))
    assert joint_variance(j1, j2, mean) == pytest.approx(0.25 * 0.75 * (s1 - s2) ** 2 / sp**2, rel=1e-13)
    m = 0.7
    s = sigmoid(m)
    for d in (0.1, 0.03, 0.01):
        R, log_w = two_types(m + d, m - d)
        j1 = joint_likelihood(R, log_w, a, b, a, b)[0]
        j2 = joint_likelihood(R, log_w, a, b, b, a)[0]
        V = float(joint_variance(j1, j2, m))
        assert (V - d * d) / d**4 == pytest.approx((1 - 6 * s * (1 - s)) / 3, abs=0.02)
    # sigma' is even: the variance of (b, a) is that of (a, b)
    assert joint_variance(j1, j2, -m) == joint_variance(j1, j2, m)


def test_the_estimated_correction_clamps_a_negative_numerator_and_checks_its_inputs():
    assert joint_variance(0.2, 0.3, 0.0) == 0.0  # 0.2 - 0.5^2 < 0: a fitted J may do that
    with pytest.raises(AggregationError, match=r"j1 \+ j2 = 1.2 is not a probability"):
        joint_variance(0.6, 0.6, 0.0)
    with pytest.raises(AggregationError, match=r"j1\[1\] = -0.1 is not a probability"):
        joint_variance([0.1, -0.1], [0.1, 0.1], [0.0, 0.0])


# ----------------------------------------------------------------- Proposition B.3
def authors_i(n, x):
    """The closed forms of I in the authors' code (arashne/dahp, solvers/shirali_et_al.py, i_func_1..4),
    which leave out the constant that makes I(1) = 0."""
    return {
        1: -x + math.log(x),
        2: x - 2 * math.log(x) - 1 / x,
        3: -x + 3 * math.log(x) + 3 / x - 1 / 2 / x**2,
        4: x - 4 * math.log(x) - 6 / x + 2 / x**2 - 1 / 3 / x**3,
    }[n]


@pytest.mark.filterwarnings("ignore::scipy.integrate.IntegrationWarning")  # quad's own rounding at 1e-13
@pytest.mark.parametrize("n", [1, 2, 3, 4, 6, 12, 40])
def test_b3_integral_against_quadrature_and_the_authors_closed_forms(n):
    thetas = np.array([1e-3, 0.05, 0.3, 0.5, 0.7, 0.95, 0.999999, 1.0])
    got = b3_integral(thetas, n)
    for theta, value in zip(thetas, got):
        exact = quad(lambda t: (1 / t - 1) ** n, 1.0, theta, epsabs=0, epsrel=1e-13, limit=200)[0]
        assert value == pytest.approx(exact, rel=1e-9, abs=1e-14)
        if n <= 4:
            assert value == pytest.approx(authors_i(n, theta) - authors_i(n, 1.0), rel=1e-9, abs=1e-12)
    assert got[-1] == 0.0


def test_the_expanded_closed_form_cancels_where_the_recurrence_does_not():
    """For n = 40 at theta = 0.6 the terms of the expanded polynomial reach 1e10 while I is about -3e-9."""
    n, theta = 40, 0.6
    expanded = sum(
        math.comb(n, k) * (-1) ** k * (theta ** (k - n + 1) - 1) / (k - n + 1) for k in range(n + 1) if k != n - 1
    ) + math.comb(n, n - 1) * (-1) ** (n - 1) * math.log(theta)
    exact = quad(lambda t: (1 / t - 1) ** n, 1.0, theta, epsrel=1e-13)[0]
    assert abs(expanded - exact) > 1e-3
    assert b3_integral(theta, n) == pytest.approx(exact, rel=1e-9)


@settings(max_examples=30, deadline=None)
@given(
    arrays(np.float64, 5, elements=st.floats(-10, 10)),
    arrays(np.float64, 5, elements=st.floats(-10, 10)),
    arrays(np.int64, 5, elements=st.integers(0, 1)),
    st.floats(0.05, 3.0),
)
def test_b3_with_one_type_is_dpo_minus_one(a, b, votes, beta):
    """'In both examples, loss functions reduce to the standard DPO loss when |U| = 1' (section 6): with
    n = 1, -s - I(s) = -log s - 1."""
    chosen, rejected = np.where(votes == 1, a, b), np.where(votes == 1, b, a)
    assert consistent_b3_loss(a, b, votes, 1, beta) == pytest.approx(dpo_loss(chosen, rejected, beta) - 1, abs=1e-12)


def test_b3_loss_by_hand_and_split_pairs_carry_nothing():
    # n = 2: I(s) = s - 2 log s - 1/s (+ 0, since 1 - 0 - 1 = 0); h = 0.5 (0.5 * (1 - 0))
    s = sigmoid(0.5)
    row = -s - (s - 2 * math.log(s) - 1 / s)
    other = -(1 - s) - ((1 - s) - 2 * math.log(1 - s) - 1 / (1 - s))
    a, b = np.array([1.0, 1.0, 1.0]), np.array([0.0, 0.0, 0.0])
    assert consistent_b3_loss(a, b, np.array([2, 0, 1]), 2, 0.5) == pytest.approx((row + other) / 3, rel=1e-13)


def expected_pair_loss(loss, h, z):
    """The expected loss of one pair whose user types prefer a with probabilities z (each labels it once):
    all prefer a with probability prod z, none with prod (1 - z), the rest carries no signal."""
    n = len(z)
    lr = np.array([h])
    return np.prod(z) * loss(lr, np.zeros(1), np.array([n]), n, 1.0) + np.prod(1 - z) * loss(
        lr, np.zeros(1), np.array([0]), n, 1.0
    )


@pytest.mark.parametrize("seed", range(4))
def test_the_minimisers_of_propositions_b3_and_6_1_are_sigmoid_of_the_mean(seed):
    """Proof of Prop. B.3, eq. (21): s* = 1 / (1 + prod(1/z_u - 1)^(1/|U|)) = sigmoid(mean Delta_u) for
    Bradley-Terry types (z_u = sigmoid(Delta_u)); Prop. 6.1's loss has the same minimiser. Minimised
    numerically over h with the loss functions themselves."""
    rng = np.random.default_rng(seed)
    deltas = rng.normal(size=int(rng.integers(1, 5))) * 1.5
    z = expit(deltas)
    closed = 1 / (1 + np.prod(1 / z - 1) ** (1 / len(z)))
    assert closed == pytest.approx(sigmoid(deltas.mean()), rel=1e-12)
    for loss in (consistent_b3_loss, consistent_loss):
        h = minimize_scalar(
            lambda x: expected_pair_loss(loss, x, z), bounds=(-8, 8), method="bounded", options={"xatol": 1e-11}
        ).x
        assert sigmoid(h) == pytest.approx(closed, abs=1e-7)


# ----------------------------------------------------------------- the variances of the population
def test_reward_variance_and_preference_variance_by_hand():
    users = RewardPopulation({"u": {"x": 1.0, "y": 0.0}, "v": {"x": 0.0, "y": 3.0}}, [1, 3], temperature=2.0)
    # Delta(x, y) / T: u 0.5, v -1.5 with weights 1/4, 3/4: Var = (1/4)(3/4)(2)^2 = 0.75
    np.testing.assert_allclose(reward_variance(users).to_numpy(), [[0, 0.75], [0.75, 0]], atol=1e-15)
    s_u, s_v = sigmoid(0.5), sigmoid(-1.5)
    assert preference_variance(users).loc["x", "y"] == pytest.approx(0.25 * 0.75 * (s_u - s_v) ** 2, abs=1e-15)
    # Figure 1: R > G for every voter (variance 0); R vs B and G vs B split 2 : 3 (0.4 * 0.6 = 0.24)
    V = preference_variance(FIGURE_1)
    assert V.loc["R", "G"] == 0 and V.loc["R", "B"] == pytest.approx(0.24) and V.loc["G", "B"] == pytest.approx(0.24)
    # a tie is a voter's 1/2: "a = b" and "a > b" once each: P_u = 1/2, 1; Var = 1/16
    tied = Profile.parse("a = b\na > b")
    assert preference_variance(tied).loc["a", "b"] == pytest.approx(1 / 16)
    with pytest.raises(AggregationError, match="needs user types with rewards"):
        reward_variance(FIGURE_1)
    matrix = PreferenceMatrix(pd.DataFrame([[0.5, 0.6], [0.4, 0.5]], index=["a", "b"], columns=["a", "b"]))
    with pytest.raises(AggregationError, match="needs each voter's preferences"):
        preference_variance(matrix)


# ----------------------------------------------------------------- paired comparisons (section 5.3)
def test_paired_comparisons_come_from_one_annotator_each():
    data = sample_paired_comparisons(FIGURE_1, 400, seed=5)
    table = data.table
    assert len(table) == 800 and list(table["annotator"]) == [i // 2 + 1 for i in range(800)]
    assert (table["voter"].to_numpy()[0::2] == table["voter"].to_numpy()[1::2]).all()
    rankings = {1: ["R", "G", "B"], 2: ["B", "R", "G"]}  # a ranking's labels are its own order
    for chosen, rejected, voter in zip(table["chosen"], table["rejected"], table["voter"]):
        assert rankings[voter].index(chosen) < rankings[voter].index(rejected)
    assert set(table["voter"]) == {1, 2}
    again = sample_paired_comparisons(FIGURE_1, 400, seed=5)
    assert again.table.equals(table)


def test_paired_labels_of_a_type_are_two_independent_draws():
    """Over two alternatives both comparisons are of x and y; the chance that an annotator picks x both
    times is E_u P_u(x > y)^2 = J(x, y, x, y), not P[x, y]^2 (what unpaired labels would give)."""
    users = RewardPopulation({"u": {"x": 2.0, "y": 0.0}, "v": {"x": -1.0, "y": 0.0}}, [1, 1])
    n = 20_000
    table = sample_paired_comparisons(users, n, seed=11).table
    x_first = (table["chosen"] == "x").to_numpy().reshape(n, 2)
    both = x_first.all(axis=1).mean()
    j1 = (sigmoid(2.0) ** 2 + sigmoid(-1.0) ** 2) / 2
    P = (sigmoid(2.0) + sigmoid(-1.0)) / 2
    se = math.sqrt(j1 * (1 - j1) / n)
    assert abs(both - j1) < 4 * se and abs(both - P**2) > 10 * se


def test_paired_comparisons_need_voters():
    matrix = PreferenceMatrix(pd.DataFrame([[0.5, 0.6], [0.4, 0.5]], index=["a", "b"], columns=["a", "b"]))
    with pytest.raises(AggregationError, match="paired comparisons need voters"):
        sample_paired_comparisons(matrix, 10)
    with pytest.raises(AggregationError, match="has no voters to draw"):
        matrix.draw_labels(np.array([0]), np.array([1]), np.array([0.5]), np.random.default_rng(0), voters=[0])


# ----------------------------------------------------------------- the limits
def random_types(rng, m, types=3):
    names = [f"a{i}" for i in range(m)]
    rewards = pd.DataFrame(rng.normal(size=(types, m)), index=[f"u{i}" for i in range(types)], columns=names)
    return RewardPopulation(rewards, rng.random(types) + 0.2, temperature=float(rng.uniform(0.5, 1.5))), names


@pytest.mark.parametrize("seed", range(3))
def test_alpha_zero_is_the_dpo_limit(seed):
    rng = np.random.default_rng(seed)
    model, names = random_types(rng, int(rng.integers(2, 6)))
    D, ref = dict(zip(names, rng.dirichlet(np.ones(len(names))))), dict(zip(names, rng.dirichlet(np.ones(len(names)))))
    dpo = rlhf_policy(model, 0.7, D, ref).values
    for variance in ("known", "estimated"):
        got = corrected_dpo_policy(model, 0.7, 0.0, D, ref, variance=variance, clip=0.1)
        np.testing.assert_allclose(got.to_numpy(), dpo.to_numpy(), atol=1e-12)


def brute_force_corrected(model, alpha, D, variance, clip):
    """Minimise the expected corrected-DPO loss, written with the batch loss itself (one weighted row per
    ordered pair, the chosen first), by BFGS with numerical gradients from zero."""
    P = preference_matrix(model).to_numpy(float)
    m = len(D)
    chosen, rejected = np.array([(a, b) for a in range(m) for b in range(m) if a != b]).T
    weights = D[chosen] * D[rejected] * P[chosen, rejected]
    V = (reward_variance(model) if variance == "known" else preference_variance(model)).to_numpy(float)

    def loss(r):
        total = 0.0
        for i, (a, b) in enumerate(zip(chosen, rejected)):
            if variance == "known":
                v = V[a, b]
            else:
                j1 = V[a, b] + P[a, b] ** 2  # E_u P_u^2
                v = joint_variance(j1, P[a, b] - j1, r[a] - r[b])
            total += weights[i] * corrected_dpo_loss(r[a : a + 1], r[b : b + 1], v, 1.0, alpha, clip=clip)
        return total + 0.5 * r.sum() ** 2

    r = minimize(loss, np.zeros(m), method="BFGS", options={"gtol": 1e-11}).x
    return r - r.mean(), loss


@pytest.mark.parametrize("seed, variance", [(0, "known"), (1, "known"), (2, "estimated"), (3, "estimated")])
def test_the_corrected_limit_minimises_the_expected_loss(seed, variance):
    """Brute force on small populations (alpha V moderate, so the minimiser is the one from DPO's start).
    The estimated variance is eq. (16) with the true J: j1 = E_u P_u^2 = Var + P^2, j2 = P - j1."""
    rng = np.random.default_rng(40 + seed)
    model, names = random_types(rng, 3)
    D = rng.dirichlet(np.ones(3))
    got = corrected_dpo_policy(model, 1.0, 1.0, dict(zip(names, D)), variance=variance, clip=0.1)
    r, loss = brute_force_corrected(model, 1.0, D, variance, 0.1)
    expected = np.exp(r) / np.exp(r).sum()
    np.testing.assert_allclose(got.to_numpy(), expected, atol=1e-5)
    mine = np.log(got.to_numpy())
    assert loss(mine - mine.mean()) <= loss(r) + 1e-12  # at least as low as brute force


@pytest.mark.parametrize("seed", range(3))
def test_the_b3_limit_is_the_consistent_policy(seed):
    """Prop. B.3: its loss is consistent for pi*, the same policy as Prop. 6.1's (every type counted once)."""
    rng = np.random.default_rng(70 + seed)
    model, names = random_types(rng, int(rng.integers(2, 5)), types=int(rng.integers(1, 4)))
    D, ref = dict(zip(names, rng.dirichlet(np.ones(len(names))))), dict(zip(names, rng.dirichlet(np.ones(len(names)))))
    beta = float(rng.uniform(0.3, 2.0))
    np.testing.assert_allclose(
        consistent_b3_policy(model, beta, D, ref).to_numpy(), consistent_policy(model, beta, ref).to_numpy(), atol=1e-7
    )


def test_limits_the_core_refuses_say_why():
    users, _ = random_types(np.random.default_rng(0), 3)
    with pytest.raises(AggregationError, match="grows without bound"):
        corrected_dpo_policy(users, variance="estimated", clip=None)
    with pytest.raises(AggregationError, match="needs user types with rewards"):
        corrected_dpo_policy(FIGURE_1, variance="known")
    unanimous = Profile.parse("2: a > b > c\nb > a > c")  # c below everything for every voter
    with pytest.raises(AggregationError, match="no finite limit here"):
        corrected_dpo_policy(unanimous, variance="estimated", clip=0.1)
    with pytest.raises(AggregationError, match="variance must be one of estimated, known"):
        corrected_dpo_policy(users, variance="exact")
    with pytest.raises(AggregationError, match="alpha must be a number >= 0"):
        corrected_dpo_policy(users, alpha=-1)
    with pytest.raises(AggregationError, match="finite optimum only for user types"):
        consistent_b3_policy(FIGURE_1)


def figure_4_environment() -> RewardPopulation:
    """Section 7.2 with the values of the authors' code (arashne/dahp, run_offline_simulator_trainer.py):
    n = 40, types shifted -10, 0, 10, R_u(d) = scale_u max(0, 1 - rate_u d), rates (0.075, 0.1, 0.075),
    scales (4, 1.5, 4), circular distance. Rewards depend on y - x only, so with a policy per prompt each
    prompt's limit is this one-prompt problem over the offsets delta = y - x (d0 .. d39; d30 is -10)."""
    n = 40
    rewards = {}
    for shift, rate, scale in zip((-10, 0, 10), (0.075, 0.1, 0.075), (4.0, 1.5, 4.0)):
        dist = np.minimum((np.arange(n) - shift) % n, (shift - np.arange(n)) % n)
        rewards[f"u{shift}"] = dict(zip([f"d{i}" for i in range(n)], scale * np.maximum(0.0, 1.0 - rate * dist)))
    return RewardPopulation(rewards)


def test_figure_4_environment_in_the_limit():
    """Uniform D and pi_ref, beta = 1 (section 7.2). DPO peaks at delta = 0 (NBC's order, Prop. 4.2) while
    pi* peaks at +-10; corrected DPO moves mass towards +-10. The probabilities are this limit's, pinned
    (the paper's Figure 4 is finite training): with the known variance alpha = 1 nearly levels 0 and
    +-10 and alpha = 2 falls back (alpha V reaches 21 > 16, where the corrected likelihood leaves (0, 1));
    with the estimated variance clipped at 0.1 (the authors' setting) alpha = 2 puts +-10 on top."""
    env = figure_4_environment()
    pick = ["d0", "d10", "d30"]
    dpo = rlhf_policy(env, 1.0).values
    assert dpo.idxmax() == "d0" and dpo[pick].to_numpy() == pytest.approx([0.0304, 0.0273, 0.0273], abs=5e-5)
    star = consistent_b3_policy(env, 1.0)
    assert set(star.nlargest(2).index) == {"d10", "d30"}
    assert star[pick].to_numpy() == pytest.approx([0.0285, 0.0336, 0.0336], abs=5e-5)
    expected = {
        ("known", 1.0): [0.0312, 0.0310],
        ("known", 2.0): [0.0284, 0.0266],
        ("estimated", 1.0): [0.0322, 0.0298],
        ("estimated", 2.0): [0.0327, 0.0334],
    }
    for (variance, alpha), (at_0, at_10) in expected.items():
        p = corrected_dpo_policy(env, 1.0, alpha, variance=variance, clip=0.1 if variance == "estimated" else None)
        assert p["d10"] == pytest.approx(p["d30"], abs=1e-9)  # the environment is symmetric
        assert [p["d0"], p["d10"]] == pytest.approx([at_0, at_10], abs=5e-5)
    known_1 = corrected_dpo_policy(env, 1.0, 1.0, variance="known")
    assert known_1["d10"] / known_1["d0"] > dpo["d10"] / dpo["d0"] + 0.09  # 0.994 against DPO's 0.898
