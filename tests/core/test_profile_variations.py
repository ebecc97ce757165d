"""Variations of a profile whose pairwise counts and position counts follow in closed form (issue 12):
removing an alternative, adding a clone (below, or split half above / half below), renaming, reordering,
moving voters, scaling weights. Each closed form must equal the counts read from the variation's own
rankings, exactly (whole and half weights, and the thirds and halves of tie groups here, are summed exactly
or to the last bit in floating point), and the rankings built without sorting must be the sorted ones."""

import numpy as np
import pytest

from aggregation import Profile
from aggregation.populations.profile import dense_levels


def _profile(seed: int, ties: bool) -> Profile:
    rng = np.random.default_rng(seed)
    levels = rng.integers(0, 3, (40, 5)) if ties else np.argsort(rng.random((40, 5)), axis=1)
    return Profile.from_levels(levels, list("ABCDE"), rng.integers(1, 4, 40).astype(float))


def _variations(p: Profile):
    return {
        "restrict": p.restrict(["D", "A", "C"]),
        "restrict one out": p.restrict(["A", "B", "C", "E"]),
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
    p.position_counts()
    for what, q in _variations(p).items():
        seeded = q.above_counts(), q.position_counts()
        fresh = Profile.from_levels(q.levels, q.alternatives, q.weights)  # counts read from its rankings
        np.testing.assert_array_equal(seeded[0], fresh.above_counts(), err_msg=what)
        np.testing.assert_allclose(seeded[1], fresh.position_counts(), rtol=0, atol=1e-12, err_msg=what)


@pytest.mark.parametrize("ties", [False, True])
def test_positions_alone_give_a_variation_its_positions(ties):
    # a rule that reads only positions (Dowdall, Bucklin) never computes the pairwise counts
    p = _profile(4, ties)
    p.position_counts()
    q = p.moved(2, 1.0, [1, 0, 2, 2, 3])  # one voter of row 2 now votes B > A > C = D > E
    assert "above" not in q._cache and q._built is None  # nothing read from the voters yet
    by_hand = np.zeros((5, 5))
    by_hand[[1, 0, 4], [0, 1, 4]] = 1.0
    by_hand[[2, 3], 2] = by_hand[[2, 3], 3] = 0.5  # C = D share the 3rd and 4th places
    np.testing.assert_allclose(q.position_counts() - p.moved(2, 1.0).position_counts(), by_hand, atol=1e-12)
    assert q._built is None


@pytest.mark.parametrize("ties", [False, True])
@pytest.mark.parametrize("seed", range(6))
def test_removing_alternatives_without_sorting_gives_the_sorted_levels(seed, ties):
    rng = np.random.default_rng(seed)
    levels = rng.integers(0, 4, (60, 8)) if ties else np.argsort(rng.random((60, 8)), axis=1)
    p = Profile.from_levels(levels, list("ABCDEFGH"))
    for k in (1, 2, 4, 5, 7):  # up to 4 dropped without sorting, more by sorting
        keep = sorted(rng.choice(8, 8 - k, replace=False).tolist(), key=lambda _: rng.random())
        q = p.restrict([p.alternatives[j] for j in keep])
        np.testing.assert_array_equal(q.levels, dense_levels(p.levels[:, keep]), err_msg=f"{k} dropped")
    for j, name in enumerate(p.alternatives):
        doubled = 2 * p.levels.astype(int)  # the clone halfway between its original and the next group
        expected = dense_levels(np.insert(doubled, j + 1, doubled[:, j] + 1, axis=1))
        np.testing.assert_array_equal(p.with_clone(name, "X").levels, expected, err_msg=name)


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


@pytest.mark.parametrize("first", ["merged", "counted"])
def test_the_merged_profile_shares_the_counts_whichever_comes_first(first):
    # the checks vary the merged profile (identical rankings as one row); the rule counted the original
    p = Profile.parse("2: A > B > C\n1: B > C > A\n3: A > B > C\n1: C > A = B")
    if first == "merged":
        q = p.compressed()
    D, A = p.position_counts(), p.above_counts()
    q = p.compressed()
    assert q.n_rankings == 3 and q._cache["positions"] is D and q._cache["above"] is A
    r = q.moved(0, 5.0)  # the five A > B > C voters stay home: B > C > A and C > A = B are left
    assert r._built is None
    np.testing.assert_array_equal(r.position_counts(), [[0, 1 / 2, 3 / 2], [1, 1 / 2, 1 / 2], [1, 1, 0]])
    np.testing.assert_array_equal(r.above_counts(), [[0, 0, 0], [1, 0, 1], [2, 1, 0]])


def test_variations_of_distinct_rankings_stay_distinct_unless_moved_voters_join_another_ranking():
    # the merged form of a variation is the variation itself when no ranking repeats (MPNE_k's game reads it);
    # checked against merging from scratch
    rng = np.random.default_rng(5)
    p = Profile.from_levels(
        np.argsort(rng.random((30, 6)), axis=1), list("ABCDEF"), rng.integers(1, 3, 30).astype(float)
    )
    assert p.compressed() is p
    cases = {
        "a new ranking": p.moved(2, 1.0, [5, 4, 3, 2, 1, 0]),
        "to another's ranking": p.moved(2, 1.0, p.levels[7]),
        "all of a row to another's": p.moved(2, p.weights[2], p.levels[7]),
        "all of a row to its own": p.moved(2, p.weights[2], p.levels[2]),
        "part of a row to its own": p.moved(2, min(1.0, p.weights[2]), p.levels[2]),
        "stay home": p.moved(4, 1.0),
        "reordered": p.reordered(list(range(30))[::-1]),
        "renamed": p.relabelled([1, 2, 3, 4, 5, 0]),
        "scaled": p.scaled(0.5),
        "fewer rankings": p.with_weights(
            p.weights * (np.arange(30) % 3 == 0), above=np.ones((6, 6))
        ),  # (counts unread)
    }
    if p.weights[2] < 2:  # a weight-1 row moved whole: its own ranking comes back once
        cases.pop("part of a row to its own")
    for what, q in cases.items():
        fresh = Profile.from_levels(q.levels, q.alternatives, q.weights)
        expected = fresh.compressed()
        merged = q.compressed()
        assert merged.n_rankings == expected.n_rankings, what
        assert (merged is q) == (expected is fresh), what
        np.testing.assert_array_equal(merged.levels, expected.levels, err_msg=what)
        np.testing.assert_array_equal(merged.weights, expected.weights, err_msg=what)
