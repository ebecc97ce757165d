"""Variations of a profile whose pairwise counts follow in closed form (issue 12): removing an
alternative, adding a clone (below, or split half above / half below), renaming, reordering,
moving voters, scaling weights. Each closed form must equal the counts read from the variation's
own rankings, exactly (whole and half weights are summed exactly in floating point)."""

import numpy as np
import pytest

from aggregation import Profile


def _profile(seed: int, ties: bool) -> Profile:
    rng = np.random.default_rng(seed)
    levels = rng.integers(0, 3, (40, 5)) if ties else np.argsort(rng.random((40, 5)), axis=1)
    return Profile.from_levels(levels, list("ABCDE"), rng.integers(1, 4, 40).astype(float))


def _variations(p: Profile):
    return {
        "restrict": p.restrict(["D", "A", "C"]),
        "with_clone": p.with_clone("B", "B'"),
        "split_clone": p.split_clone("C", "C'"),
        "relabelled": p.relabelled([2, 0, 1, 4, 3]),
        "reordered": p.reordered(list(range(39, -1, -1))),
        "moved": p.moved(3, 1.0),
        "moved all": p.moved(3, p.weights[3]),
        "moved to": p.moved(5, 1.0, [4, 3, 2, 1, 0]),
        "moved all to": p.moved(7, p.weights[7], [0, 0, 1, 1, 2]),
        "scaled": p.scaled(3),
    }


@pytest.mark.parametrize("ties", [False, True])
@pytest.mark.parametrize("seed", [0, 1])
def test_closed_form_counts_equal_the_counts_of_the_rankings(seed, ties):
    p = _profile(seed, ties)
    p.above_counts()  # the closed forms start from computed counts
    for what, q in _variations(p).items():
        seeded = q.above_counts()
        fresh = Profile.from_levels(q.levels, q.alternatives, q.weights)  # counts read from its rankings
        np.testing.assert_array_equal(seeded, fresh.above_counts(), err_msg=what)


@pytest.mark.parametrize("ties", [False, True])
def test_a_variation_is_the_same_profile_with_or_without_the_closed_form(ties):
    fast, slow = _profile(3, ties), _profile(3, ties)
    fast.above_counts()  # slow never computed its counts: built eagerly
    for (what, a), b in zip(_variations(fast).items(), _variations(slow).values()):
        assert a.alternatives == b.alternatives, what
        np.testing.assert_array_equal(a.levels, b.levels, err_msg=what)
        np.testing.assert_array_equal(a.weights, b.weights, err_msg=what)
        np.testing.assert_array_equal(a.preference_matrix().to_numpy(), b.preference_matrix().to_numpy(), err_msg=what)


def test_split_clone_by_hand():
    # 3: A > B, 1: B > A; a clone A' of A, half just above A and half just below:
    # A beats A' for half the weight, A' beats B wherever A does (3 of 4), A beats B likewise
    p = Profile.parse("3: A > B\n1: B > A")
    p.above_counts()
    q = p.split_clone("A", "A'")
    assert q.alternatives == ["A", "A'", "B"]
    np.testing.assert_array_equal(q.above_counts(), [[0, 2, 3], [2, 0, 3], [1, 1, 0]])
    assert q.n_rankings == 4 and q.total_weight == 4
