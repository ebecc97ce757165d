"""Elimination rules on a variation that moves a few voters, scales the weights, renames, removes or clones
alternatives (issue 12): the rounds' tallies are recalled from the tallies the original profile counted
(scaled, read through the renaming), plus the moved rows', instead of re-reading every voter
(:class:`aggregation.rules.elimination._Places`). Whatever is recalled, the whole run (every round's
numbers, who leaves, who wins) must be the run on the same rankings read afresh."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from aggregation import Profile
from aggregation.rules import elimination as E

RUNS = {
    "instant runoff": E.instant_runoff_rounds,
    "instant runoff to the end": lambda p: E.instant_runoff_rounds(p, to_the_end=True),
    "plurality with runoff": E.plurality_with_runoff_rounds,
    "Coombs": E.coombs_rounds,
    "Benham": E.benham_rounds,
    "Tideman (Smith)": E.tideman_rounds,
}


def _run(rule, profile):
    out = RUNS[rule](profile)
    rounds = [(r.remaining, r.eliminated, r.table) for r in out.rounds]
    return out.winners, out.order, rounds


def _fresh(q: Profile) -> Profile:
    return Profile.from_levels(np.asarray(q.levels), q.alternatives, q.weights)  # no origin, nothing remembered


def _same(rule, q):
    (w1, o1, r1), (w2, o2, r2) = _run(rule, q), _run(rule, _fresh(q))
    assert (w1, o1) == (w2, o2)
    for (here1, gone1, table1), (here2, gone2, table2) in zip(r1, r2, strict=True):
        assert (here1, gone1) == (here2, gone2)
        pd.testing.assert_frame_equal(table1, table2, check_exact=False, rtol=0, atol=1e-9)


@st.composite
def moves(draw):
    m = draw(st.integers(3, 6))
    n = draw(st.integers(2, 12))
    ties = draw(st.booleans())
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    levels = rng.integers(0, m - 1, (n, m)) if ties else np.argsort(rng.random((n, m)), axis=1)
    weights = rng.integers(1, 5, n).astype(float)
    i = draw(st.integers(0, n - 1))
    count = float(draw(st.integers(1, int(weights[i]))))
    new = None if draw(st.booleans()) else rng.integers(0, m, m)
    return Profile.from_levels(levels, [f"a{j}" for j in range(m)], weights), i, count, new


@pytest.mark.parametrize("rule", list(RUNS))
@settings(max_examples=60, deadline=None)
@given(moves())
def test_a_run_on_moved_voters_is_the_run_on_their_rankings(rule, case):
    p, i, count, new = case
    RUNS[rule](p)  # the original's tallies, remembered
    q = p.moved(i, count, new)
    if q is not None:
        _same(rule, q)
        r = q.moved(0, min(1.0, q.weights[0]))  # a variation of a variation (its origin: q)
        if r is not None:
            _same(rule, r)
    _same(rule, p.reordered(list(range(p.n_rankings))[::-1]))
    m = len(p.alternatives)
    _same(rule, p.relabelled([(j + 1) % m for j in range(m)]))  # a renaming: the tallies read through it
    _same(rule, p.relabelled(list(range(m))[::-1]))
    _same(rule, p.scaled(2.5))  # every tally 2.5 times the original's
    out = RUNS[rule](p).order
    if out:  # without the first eliminated: the original's second round onwards, renumbered
        _same(rule, p.restrict([a for a in p.alternatives if a not in out[0]]))
    _same(rule, p.restrict(p.alternatives[1:][::-1]))
    for x in (p.alternatives[0], p.alternatives[-1]):  # a clone next to x: half of x's tally each, or all of it
        _same(rule, p.split_clone(x, "clone"))


@settings(max_examples=60, deadline=None)
@given(moves())
def test_parallel_universes_on_moved_voters_are_those_of_their_rankings(case):
    p, i, count, new = case
    E._search_universes(p)
    m = len(p.alternatives)
    for q in (p.moved(i, count, new), p.relabelled([(j + 2) % m for j in range(m)]), p.split_clone("a1", "clone")):
        if q is None:
            continue
        a, b = E._search_universes(q), E._search_universes(_fresh(q))
        assert (a.winners, a.visited) == (b.winners, b.visited)
        for (h1, t1, w1), (h2, t2, w2) in zip(a.states, b.states, strict=True):
            assert (h1, w1) == (h2, w2)
            np.testing.assert_allclose(t1, t2, rtol=0, atol=1e-9)


def test_a_variation_that_follows_the_original_never_reads_its_voters():
    rng = np.random.default_rng(0)
    p = Profile.from_levels(np.argsort(rng.random((3000, 8)), axis=1), [f"a{j}" for j in range(8)])
    before = E.instant_runoff_rounds(p)
    q = p.moved(5, 1.0)  # one voter of 3,000 stays home: the same rounds, each tally one less or the same
    after = E.instant_runoff_rounds(q)
    assert q._built is None  # every round recalled: p's tallies minus the voter's first place among those left
    assert after.order == before.order and after.winners == before.winners
    first = [np.asarray(r.columns["first places"]) for r in before.rounds]
    moved = [np.asarray(r.columns["first places"]) for r in after.rounds]
    assert all(x.sum() - y.sum() == 1.0 and ((x - y) >= 0).all() for x, y in zip(first, moved))
    E.coombs_rounds(q)  # Coombs never ran on p: nothing to recall, the voters are read
    assert q._built is not None
    r = p.restrict([a for a in p.alternatives if a not in before.order[0]])  # IIA's variation: the same rounds
    assert E.instant_runoff_rounds(r).winners == before.winners and r._built is None
    s = p.scaled(3)  # homogeneity's
    assert E.instant_runoff_rounds(s).order == before.order and s._built is None


def test_remembered_tallies_are_not_pickled():
    import pickle

    p = Profile.parse("2: A > B > C\n1: C > B > A")
    E.instant_runoff_rounds(p)
    assert p.tallies("first places")
    assert "tallies" not in pickle.loads(pickle.dumps(p))._cache


def test_what_a_profile_remembers_is_bounded_and_a_variation_beyond_it_reads_its_voters(monkeypatch):
    monkeypatch.setattr(E, "REMEMBERED_FLOATS", 3 * 6)  # three tallies of six alternatives
    rng = np.random.default_rng(1)
    p = Profile.from_levels(np.argsort(rng.random((500, 6)), axis=1), list("ABCDEF"))
    E.instant_runoff_rounds(p, to_the_end=True)  # five rounds
    assert len(p.tallies("first places")) == 3
    q = p.moved(0, 1.0)
    _same("instant runoff to the end", q)
    assert q._built is not None  # the fourth round was not remembered: q's voters were read from there
