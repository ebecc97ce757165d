"""Maximal lotteries: known examples, certificates, uniqueness and the canonical member."""

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from aggregation import Profile, RewardPopulation, condorcet_winner, maximal_lottery, smith_set

from .reference import max_entropy_maximal_lottery, ml_coordinate_range
from .strategies import weak_order_profiles


def test_condorcet_winner_of_figure_1_takes_everything():
    ml = maximal_lottery(Profile.parse("2: R > G > B\n3: B > R > G"))
    assert ml.values.to_dict() == {"R": 0.0, "G": 0.0, "B": 1.0}
    assert ml.certificate.unique is True


def test_jackpot_iia_tables_keep_b():
    assert maximal_lottery(Profile.parse("2: R > B\n3: B > R"))["B"] == 1.0
    assert maximal_lottery(Profile.parse("2: R > G > B\n3: B > R > G"))["B"] == 1.0


@pytest.mark.parametrize(
    "text",
    [
        "R > B > G\nG > R > B\nB > G > R",  # Jackpot Table 1: Ana, Bob, Carla
        "R > G > B\nG > B > R\nB > R > G",
    ],
)  # Figure 2 caption / A.8: the reverse cycle
def test_cycle_gives_the_uniform_lottery(text):
    ml = maximal_lottery(Profile.parse(text))
    np.testing.assert_allclose(ml.values.to_numpy(), [1 / 3] * 3, atol=1e-12)
    assert ml.certificate.unique


def test_weighted_cycle_solves_the_margin_game_by_hand():
    # margins a>b: 2/6, b>c: 4/6... solve p^T M = 0: p proportional to (M_bc, M_ca, M_ab)
    p = Profile.parse("3: a > b > c\n2: b > c > a\n1: c > a > b")
    M = p.margins().to_numpy()
    expected = np.array([M[1, 2], M[2, 0], M[0, 1]])
    expected /= expected.sum()
    np.testing.assert_allclose(maximal_lottery(p).values.to_numpy(), expected, atol=1e-12)


def test_openspiel_reference_example():
    assert maximal_lottery(Profile.parse("a > b > c\na > c > b\nb > a > c"))["a"] == pytest.approx(1.0)


def test_tied_pair_returns_the_maximum_entropy_member_and_says_so():
    ml = maximal_lottery(Profile.parse("a > b > c\nb > a > c"))
    np.testing.assert_allclose(ml.values.to_numpy(), [0.5, 0.5, 0.0], atol=1e-12)
    assert ml.certificate.unique is False
    assert "maximum-entropy" in ml.certificate.selection
    assert ml.certificate.essential_set == ("a", "b")


def test_all_margins_zero_gives_uniform():
    ml = maximal_lottery(Profile.parse("a>b>c>d\nb>a>d>c\nc>d>a>b\nd>c>b>a"))
    np.testing.assert_allclose(ml.values.to_numpy(), [0.25] * 4, atol=1e-12)
    assert ml.certificate.unique is False


def test_non_unique_set_with_a_face_the_entropy_must_choose_on():
    # a ties b and c; b beats c; every lottery putting x on a and the rest split so that b/c
    # balance is maximal: the optimal face is a segment, entropy picks an interior point
    p = Profile.parse("1: a > b > c\n1: b > c > a\n1: c > a > b\n1: a > c > b\n1: b > a > c\n1: c > b > a")
    ml = maximal_lottery(p)
    np.testing.assert_allclose(ml.values.to_numpy(), [1 / 3] * 3, atol=1e-10)
    assert ml.certificate.unique is False


@settings(max_examples=120, deadline=None)
@given(weak_order_profiles(max_m=6))
def test_certificate_support_and_uniqueness_flag(p):
    ml = maximal_lottery(p)
    M = p.margins().to_numpy()
    x = ml.values.to_numpy()
    assert x.min() >= 0 and x.sum() == pytest.approx(1.0, abs=1e-12)
    assert (x @ M).min() >= -1e-9  # nothing beats it
    assert set(ml.values.index[x > 1e-9]) <= set(smith_set(p))  # no mass outside the Smith set
    c = condorcet_winner(p)
    if c is not None:
        assert ml[c] == pytest.approx(1.0, abs=1e-9)
    ranges = [ml_coordinate_range(M, j) for j in range(len(x))]
    unique = all(hi - lo < 1e-7 for lo, hi in ranges)
    assert ml.certificate.unique == unique
    for (lo, hi), v in zip(ranges, x):
        assert lo - 1e-7 <= v <= hi + 1e-7
        if hi > 1e-7:  # the essential set gets positive mass
            assert v > 1e-9


@settings(max_examples=60, deadline=None)
@given(weak_order_profiles(max_m=5), st.randoms(use_true_random=False))
def test_relabelling_alternatives_relabels_the_lottery(p, rnd):
    perm = list(p.alternatives)
    rnd.shuffle(perm)
    q = Profile.from_levels(p.levels, p.alternatives, p.weights).restrict(perm)
    a, b = maximal_lottery(p).values, maximal_lottery(q).values
    np.testing.assert_allclose(a[perm].to_numpy(), b.to_numpy(), atol=1e-8)


@settings(max_examples=40, deadline=None)
@given(weak_order_profiles(max_m=5, max_n=4))
def test_maximum_entropy_member_beats_other_members(p):
    ml = maximal_lottery(p)
    if ml.certificate.unique:
        return
    M = p.margins().to_numpy()
    from scipy.optimize import linprog

    def entropy(x):
        x = x[x > 0]
        return -(x * np.log(x)).sum()

    rng = np.random.default_rng(0)
    m = len(ml.values)
    for _ in range(5):
        res = linprog(
            rng.normal(size=m),
            A_ub=M,
            b_ub=np.full(m, 1e-12),
            A_eq=np.ones((1, m)),
            b_eq=[1],
            bounds=[(0, None)] * m,
            method="highs",
        )
        other = np.clip(res.x, 0, None) / np.clip(res.x, 0, None).sum()
        assert entropy(ml.values.to_numpy()) >= entropy(0.5 * (other + ml.values.to_numpy())) - 1e-9


@pytest.mark.parametrize("scale", [1.0, 1e-6, 1e6])
def test_maximum_entropy_member_on_an_active_inequality_is_exact(scale):
    """39: b > c > a, 19: a > b > c, 20: c > a > b. a ties b (39 : 39), b beats c 58 : 20, c beats a
    59 : 19. (p^T M)_b >= 0 forces p(c) = 0; (p^T M)_c = (-40 p(a) + 38 p(b)) / 78 >= 0 gives
    p(a) <= 19/39. The optimal set is the segment of a-b mixtures with p(a) <= 19/39 < 1/2, and the
    entropy is largest at its end: p = (a 19/39, b 20/39), where c ties the lottery exactly."""
    p = Profile.parse(f"{39 * scale}: b > c > a\n{19 * scale}: a > b > c\n{20 * scale}: c > a > b")
    ml = maximal_lottery(p)
    assert abs(ml["a"] - 19 / 39) <= 1e-12 and abs(ml["b"] - 20 / 39) <= 1e-12 and ml["c"] == 0.0
    assert ml.certificate.unique is False and sorted(ml.certificate.essential_set) == ["a", "b"]
    assert abs(ml.certificate.value) <= 1e-12  # c ties it: the inequality is active


def _margins_to_matrix(M):
    import pandas as pd

    names = [chr(ord("a") + i) for i in range(len(M))]
    return pd.DataFrame(0.5 + M / 2, index=names, columns=names)


@st.composite
def tied_margin_matrices(draw, max_m=5):
    """Skew-symmetric margins with many zeros and small integer values (P = 1/2 + M/2 after scaling):
    optimal sets that are faces, with outside alternatives tying the lottery, are common."""
    m = draw(st.integers(3, max_m))
    M = np.zeros((m, m))
    for i in range(m):
        for j in range(i + 1, m):
            M[i, j] = draw(st.sampled_from([-2, -1, 0, 0, 0, 1, 2]))
            M[j, i] = -M[i, j]
    return M / 2.0


@settings(max_examples=80, deadline=None)
@given(
    st.one_of(
        tied_margin_matrices(), weak_order_profiles(min_m=3, max_m=5, max_n=4).map(lambda p: p.margins().to_numpy())
    )
)
# two outside alternatives (a, d) with the same constraint on the face: the polish's start holds one tight, the other
# is then tight only up to rounding (it once found no start and fell back to the convex solver's 1e-9 answer)
@example(M=np.array([[0, 1, -0.5, -1], [-1, 0, 0, -1], [0.5, 0, 0, 0.5], [1, 1, -0.5, 0]]))
def test_maximum_entropy_member_matches_enumerating_the_faces(M):
    """The returned member equals the reference that enumerates which outside alternatives tie with
    it and solves each face's entropy problem through its dual (tests/core/reference.py)."""
    ml = maximal_lottery(_margins_to_matrix(M))
    expected = max_entropy_maximal_lottery(M)
    np.testing.assert_allclose(ml.values.to_numpy(), expected, atol=1e-12, rtol=0)


def test_a_maximal_lottery_that_missed_the_exact_point_says_so(monkeypatch):
    """When the active-set polish does not settle, the convex solver's point is shown and a note says so."""
    from aggregation.rules import lotteries

    tied = Profile.parse("a > b > c\nb > a > c")
    exact = maximal_lottery(tied)
    assert exact.notes == () and "active-set polish" in exact.method
    monkeypatch.setattr(lotteries, "_active_set", lambda *args: None)
    monkeypatch.setattr(lotteries, "_RECENT", {})  # not the lottery computed above
    approx = maximal_lottery(tied)
    assert approx.notes == (lotteries.APPROXIMATE_NOTE,) and "polish" not in approx.method
    assert approx.certificate.unique is False
    np.testing.assert_allclose(approx.values.to_numpy(), [0.5, 0.5, 0.0], atol=1e-5)  # 1.4e-6 off here


@pytest.mark.parametrize("gap", [0.0, 1e-17, 2e-16, 1e-12, 1e-9, 4e-9, 5e-9, 1e-8, 3e-8, 1e-6])
def test_nearly_tied_margins_are_ties_or_a_condorcet_winner_consistently(gap):
    """One user type whose two rewards differ by ``gap``: the margin is tanh(gap / 2). Within the core's
    margin tolerance it is a tie (uniform lottery, no Condorcet winner); above it b is the Condorcet winner
    and takes the whole lottery. Found by hypothesis: a margin of 2.5e-10 made the LP and the rank test
    disagree (an infeasible maximum-entropy program), and 1e-12 gave 0.5000013 instead of either answer."""
    population = RewardPopulation({"u": {"a": 0.0, "b": gap}})
    winner = condorcet_winner(population)
    expected = {"a": 0.5, "b": 0.5} if winner is None else {"a": 0.0, "b": 1.0}
    assert (winner is None) == (np.tanh(gap / 2) <= 1e-9)
    got = maximal_lottery(population).values
    assert got.to_dict() == pytest.approx(expected, abs=1e-12)


def test_three_cycle_closed_form_by_hand():
    # 0.6 A over B, 0.7 B over C, 0.8 C over A: margins M[A,B] = 0.2, M[B,C] = 0.4, M[C,A] = 0.6, so the
    # maximal lottery is (M[B,C], M[C,A], M[A,B]) / 1.2 = (1/3, 1/2, 1/6) (the kernel of M)
    import pandas as pd
    from aggregation import PreferenceMatrix, maximal_lottery
    from aggregation.rules.lotteries import THREE_CYCLE

    P = pd.DataFrame([[0.5, 0.6, 0.2], [0.4, 0.5, 0.7], [0.8, 0.3, 0.5]], index=list("ABC"), columns=list("ABC"))
    result = maximal_lottery(PreferenceMatrix(P))
    np.testing.assert_allclose(result.values.to_numpy(), [1 / 3, 1 / 2, 1 / 6], atol=1e-15)
    assert result.method == THREE_CYCLE and result.certificate.unique


def test_direct_highs_agrees_with_scipy_linprog():
    from aggregation.rules import lotteries

    rng = np.random.default_rng(0)
    for m in (4, 7, 15, 40):
        X = rng.random((m, m))
        P = X / (X + X.T)
        M = P - P.T
        np.testing.assert_allclose(
            lotteries._any_maximal_lottery(M), lotteries._any_maximal_lottery_scipy(M), atol=1e-9
        )


def test_the_bordered_solve_finds_the_kernel_of_a_cycle_and_refuses_a_larger_kernel():
    """lotteries._unique_on: 3: a > b > c, 2: b > c > a, 2: c > a > b is a strict cycle with margins
    M_ab = 3/7, M_bc = 3/7, M_ca = 1/7; the only lottery in the kernel of M is (M_bc, M_ca, M_ab) / 1 =
    (3/7, 1/7, 3/7). The zero matrix has a three-dimensional kernel: the test must not decide (None)."""
    from aggregation.rules import lotteries

    M = Profile.parse("3: a > b > c\n2: b > c > a\n2: c > a > b").margins().to_numpy()
    np.testing.assert_allclose(lotteries._unique_on(M), [3 / 7, 1 / 7, 3 / 7], atol=1e-15, rtol=0)
    assert lotteries._unique_on(np.zeros((3, 3))) is None
    assert lotteries._unique_on(np.zeros((4, 4))) is None  # even size: a skew-symmetric bordered matrix is singular


@settings(max_examples=60, deadline=None)
@given(st.one_of(tied_margin_matrices(max_m=7), st.integers(0, 10_000).map(lambda s: _random_margins(s))))
def test_the_bordered_solve_agrees_with_the_svd_rank_test(M):
    """The fast uniqueness test (one LU solve) gives the lottery, the flag and the essential set of the SVD
    path it short-cuts (lotteries._kernel), on tied matrices (faces, larger kernels) and on random ones."""
    from aggregation.rules import lotteries

    fast = lotteries._maximal_lottery(M, [f"a{i}" for i in range(len(M))])
    saved = lotteries._unique_on
    lotteries._unique_on = lambda K: None
    try:
        slow = lotteries._maximal_lottery(M, [f"a{i}" for i in range(len(M))])
    finally:
        lotteries._unique_on = saved
    np.testing.assert_allclose(fast.values.to_numpy(), slow.values.to_numpy(), atol=1e-12, rtol=0)
    assert fast.certificate.unique == slow.certificate.unique
    assert fast.certificate.essential_set == slow.certificate.essential_set


def _random_margins(seed: int) -> np.ndarray:
    """Margins of a random preference matrix over 4 ... 40 alternatives, no exact tie (generic)."""
    rng = np.random.default_rng(seed)
    m = int(rng.integers(4, 41))
    X = rng.random((m, m))
    P = X / (X + X.T)
    return P - P.T
