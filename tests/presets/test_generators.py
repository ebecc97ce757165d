"""Seeded population generators: reproducible, valid, and right in distribution.

Statistical checks use fixed seeds (so they are deterministic) and tolerances stated from the
sampling error: 4 binomial standard errors for shares, or a chi-square p-value above 1e-4 against
an exact distribution (prefsampling's theoretical distributions where it has one).
"""

import importlib
import itertools
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import softmax
from scipy.stats import chisquare

from aggregation import (
    GENERATORS,
    AggregationError,
    Profile,
    RewardPopulation,
    default_names,
    euclidean,
    generate,
    impartial_culture,
    mallows,
    plackett_luce,
    reward_mixture,
    single_peaked,
    urn,
)
from aggregation.populations.generators import MAX_CELLS

# prefsampling's package re-exports each sampler under its module's name, so load the modules
ps_mallows = importlib.import_module("prefsampling.ordinal.mallows")
ps_plackettluce = importlib.import_module("prefsampling.ordinal.plackettluce")
ps_singlepeaked = importlib.import_module("prefsampling.ordinal.singlepeaked")

ORDINAL = {
    "impartial_culture": dict(n_voters=300, alternatives=5),
    "mallows": dict(n_voters=300, alternatives=5, phi=0.6),
    "plackett_luce": dict(n_voters=300, utilities={"a": 1.0, "b": 0.2, "c": -0.5, "d": 0.0}),
    "urn": dict(n_voters=300, alternatives=5, alpha=0.3),
    "single_peaked": dict(n_voters=300, alternatives=6),
    "euclidean": dict(n_voters=300, alternatives=5, dimensions=2),
}


def _counts(profile: Profile) -> dict:
    """Total weight of each strict ranking, as a tuple of names best first."""
    out: dict = {}
    for i, w in enumerate(profile.weights):
        key = tuple(g[0] for g in profile.ranking(i))
        out[key] = out.get(key, 0.0) + w
    return out


def _chisquare_p(profile: Profile, expected: dict) -> float:
    counts = _counts(profile)
    assert set(counts) <= set(expected)
    keys = sorted(expected)
    n = profile.total_weight
    return chisquare([counts.get(k, 0.0) for k in keys], [expected[k] * n for k in keys]).pvalue


def _shares_close(observed: pd.Series, expected, n: float, z: float = 4.0) -> None:
    expected = np.asarray(expected, dtype=float)
    se = np.sqrt(expected * (1 - expected) / n)
    assert np.all(np.abs(observed.to_numpy() - expected) <= z * se), (observed.to_numpy(), expected, se)


# ----------------------------------------------------------------------------- every generator
@pytest.mark.parametrize("model", ORDINAL)
def test_same_seed_same_population_other_seed_other_population(model):
    a = generate(model, seed=11, **ORDINAL[model])
    b = generate(model, seed=11, **ORDINAL[model])
    c = generate(model, seed=12, **ORDINAL[model])
    assert a.fingerprint == b.fingerprint
    assert a.fingerprint != c.fingerprint
    assert a.total_weight == 300 and not a.has_ties
    assert (np.sort(a.levels, axis=1) == np.arange(len(a.alternatives))).all()  # strict rankings


def test_reward_mixture_is_reproducible_and_varies_with_the_seed():
    a = reward_mixture(4, 3, seed=5, model="spatial", weights="dirichlet")
    assert a.fingerprint == reward_mixture(4, 3, seed=5, model="spatial", weights="dirichlet").fingerprint
    assert a.fingerprint != reward_mixture(4, 3, seed=6, model="spatial", weights="dirichlet").fingerprint
    assert a.types == ["type 1", "type 2", "type 3", "type 4"] and a.alternatives == ["A", "B", "C"]


def test_every_generator_is_reachable_by_name():
    assert set(GENERATORS) == set(ORDINAL) | {"reward_mixture"}
    assert isinstance(generate("reward_mixture", n_types=2, alternatives=2, seed=0), RewardPopulation)


@settings(max_examples=25, deadline=None)
@given(model=st.sampled_from(sorted(ORDINAL)), n=st.integers(1, 40), m=st.integers(1, 7), seed=st.integers(0, 2**32))
def test_generated_profiles_are_valid_for_any_size(model, n, m, seed):
    params = dict(ORDINAL[model], n_voters=n)
    if model == "plackett_luce":
        params["utilities"] = list(np.linspace(-1, 1, m))
    else:
        params["alternatives"] = m
    p = generate(model, seed=seed, **params)
    assert p.total_weight == n and p.alternatives == default_names(m)
    assert len({tuple(row) for row in p.levels}) == p.n_rankings  # identical rankings merged
    assert p.fingerprint == generate(model, seed=seed, **params).fingerprint


def test_default_names_are_letters_then_numbered_letters():
    assert default_names(3) == ["A", "B", "C"]
    names = default_names(60)
    assert names[25:28] == ["Z", "A1", "B1"] and names[52:54] == ["A2", "B2"] and len(set(names)) == 60


def test_identical_rankings_are_merged_in_order_of_first_appearance():
    p = mallows(50, ["x", "y", "z"], phi=0.0, seed=1)
    assert p.n_rankings == 1 and p.weights.tolist() == [50.0] and p.ranking(0) == [["x"], ["y"], ["z"]]
    big = urn(20_000, 6, alpha=0.05, seed=3)
    reference = Profile.from_orders(np.argsort(big.levels, axis=1), big.alternatives, big.weights).compressed()
    assert big.fingerprint == reference.fingerprint and big.total_weight == 20_000


# ----------------------------------------------------------------------------- in distribution
def test_impartial_culture_first_places_are_uniform_within_binomial_error():
    n, m = 60_000, 6
    p = impartial_culture(n, m, seed=2024)
    _shares_close(p.first_place_distribution(), np.full(m, 1 / m), n)
    all_rankings = {r: 1 / math.factorial(4) for r in itertools.permutations("ABCD")}
    assert _chisquare_p(impartial_culture(24_000, 4, seed=7), all_rankings) > 1e-4


def test_mallows_with_dispersion_zero_is_the_central_ranking():
    p = mallows(1000, ["c", "a", "b", "d"], phi=0.0, seed=3)
    assert p.n_rankings == 1 and p.ranking(0) == [["c"], ["a"], ["b"], ["d"]] and p.total_weight == 1000


@pytest.mark.parametrize("phi", [0.3, 0.8, 1.0])
def test_mallows_matches_prefsamplings_exact_distribution(phi):
    names = ["A", "B", "C", "D"]
    exact = ps_mallows.theoretical_distribution(4, phi)  # central ranking 0 > 1 > 2 > 3
    expected = {tuple(names[i] for i in r): p for r, p in exact.items()}
    assert _chisquare_p(mallows(30_000, names, phi, seed=int(phi * 10)), expected) > 1e-4


def test_mallows_central_ranking_is_the_order_given():
    p = mallows(20_000, ["d", "b", "a", "c"], phi=0.5, seed=4)
    # P(first = central top) = 1 / (1 + phi + phi^2 + phi^3) for Mallows with m = 4
    _shares_close(p.first_place_distribution()[["d", "b", "a", "c"]], np.array([1, 0.5, 0.25, 0.125]) / 1.875, 20_000)


def test_plackett_luce_first_places_are_the_softmax_of_the_utilities():
    u = {"a": 1.0, "b": 0.2, "c": -0.5, "d": 0.0}
    n = 40_000
    p = plackett_luce(n, u, seed=8)
    _shares_close(p.first_place_distribution(), softmax(list(u.values())), n)
    exact = ps_plackettluce.theoretical_distribution(np.exp(list(u.values())), num_candidates=4)
    expected = {tuple("abcd"[i] for i in r): q for r, q in exact.items()}
    assert _chisquare_p(p, expected) > 1e-4


def test_urn_with_alpha_zero_is_impartial_culture():
    all_rankings = {r: 1 / 24 for r in itertools.permutations("ABCD")}
    assert _chisquare_p(urn(24_000, 4, alpha=0.0, seed=9), all_rankings) > 1e-4
    assert urn(500, 8, alpha=0.0, seed=9).n_rankings > 480  # every voter draws afresh (8! = 40320 rankings)


def test_urn_copies_earlier_voters_at_the_polya_rate():
    # voter i draws afresh with probability 1 / (1 + i alpha); the number of fresh draws among n
    # voters has mean sum_i 1 / (1 + i alpha); with 10! rankings, fresh draws are distinct.
    n, alpha = 2000, 0.5
    mean = sum(1 / (1 + i * alpha) for i in range(n))
    var = sum((1 / (1 + i * alpha)) * (1 - 1 / (1 + i * alpha)) for i in range(n))
    distinct = [urn(n, 10, alpha=alpha, seed=s).n_rankings for s in range(40)]
    assert abs(np.mean(distinct) - mean) <= 4 * math.sqrt(var / 40)


def _is_single_peaked(ranking, axis) -> bool:
    """Every top-t set is an interval of the axis."""
    pos = [axis.index(a) for a in ranking]
    return all(max(pos[:t]) - min(pos[:t]) == t - 1 for t in range(1, len(pos) + 1))


@pytest.mark.parametrize("model", ["walsh", "conitzer"])
def test_single_peaked_rankings_follow_the_axis_and_the_models_distribution(model):
    axis = ["w", "x", "y", "z", "v"]
    p = single_peaked(20_000, axis, seed=13, model=model)
    assert all(_is_single_peaked([g[0] for g in p.ranking(i)], axis) for i in range(p.n_rankings))
    exact = (
        ps_singlepeaked.walsh_theoretical_distribution(5)
        if model == "walsh"
        else ps_singlepeaked.conitzer_theoretical_distribution(5)
    )
    expected = {tuple(axis[i] for i in r): q for r, q in exact.items()}
    assert sum(expected.values()) == pytest.approx(1.0)
    assert _chisquare_p(p, expected) > 1e-4


def test_euclidean_in_one_dimension_is_single_peaked_and_symmetric_in_two_alternatives():
    p = euclidean(3000, 6, seed=21, dimensions=1)
    rankings = [[g[0] for g in p.ranking(i)] for i in range(p.n_rankings)]
    # the axis is the alternatives' left-to-right order, unknown here: some axis must fit them all
    assert any(
        all(_is_single_peaked(r, list(axis)) for r in rankings) for axis in itertools.permutations(p.alternatives)
    )
    # the two alternatives play the same role, so over seeds L is first for half the voters on average
    shares = [euclidean(200, ["L", "R"], seed=s).first_place_distribution()["L"] for s in range(200)]
    assert abs(np.mean(shares) - 0.5) <= 4 * np.std(shares) / math.sqrt(200)


@pytest.mark.parametrize("distribution", ["uniform", "gaussian"])
def test_euclidean_seeds_give_distinct_profiles_and_voters_do_not_sit_on_alternatives(distribution):
    # prefsampling 0.1.24 gives voter i the position of candidate i (same seed for both) and one
    # profile for every seed in its Gaussian ball (pref_voting issue #186): not here.
    profiles = {euclidean(5, 9, seed=900_000 + i, distribution=distribution).fingerprint for i in range(100)}
    assert len(profiles) == 100


def test_reward_mixture_models():
    g = reward_mixture(4000, 3, seed=1, model="gaussian", scale=2.0)
    r = g.rewards.to_numpy()
    assert abs(r.mean()) <= 4 * 2.0 / math.sqrt(r.size)
    assert abs(r.std() - 2.0) <= 4 * 2.0 / math.sqrt(2 * r.size)
    assert g.shares == pytest.approx(np.full(4000, 1 / 4000))
    s = reward_mixture(50, 4, seed=2, model="spatial", scale=3.0, dimensions=2)
    assert (s.rewards.to_numpy() <= 0).all() and (s.rewards.to_numpy() >= -3.0 * 2 * math.sqrt(2)).all()
    d = reward_mixture(5, 2, seed=3, weights="dirichlet", temperature=0.5)
    assert d.shares.sum() == pytest.approx(1.0) and len(set(np.round(d.shares, 9))) == 5 and d.temperature == 0.5
    w = reward_mixture(2, 2, seed=3, weights=[3, 1])
    assert w.shares.tolist() == [0.75, 0.25]


# ----------------------------------------------------------------------------- bad arguments
@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: impartial_culture(0, 3), "n_voters must be at least 1, got 0"),
        (lambda: impartial_culture(2.5, 3), "n_voters must be a whole number, got 2.5"),
        (lambda: impartial_culture(True, 3), "n_voters must be a whole number, got True"),
        (lambda: impartial_culture(5, 0), "alternatives must be at least 1, got 0"),
        (lambda: impartial_culture(5, ["a", "a"]), "duplicate alternative 'a'"),
        (lambda: impartial_culture(5, "abc"), "alternatives must be a count or a list of names"),
        (lambda: impartial_culture(5, 3, seed=-1), "seed must be at least 0, got -1"),
        (lambda: impartial_culture(5, 3, seed="x"), "seed must be a whole number, got 'x'"),
        (lambda: impartial_culture(MAX_CELLS, 2), "n_voters = 50000000 is too large"),
        (lambda: mallows(5, 3, phi=1.5), "phi must be a number between 0 and 1, got 1.5"),
        (lambda: mallows(5, 3, phi=float("nan")), "phi must be a number between 0 and 1"),
        (lambda: urn(5, 3, alpha=-0.1), "alpha must be a number at least 0, got -0.1"),
        (lambda: plackett_luce(5, {"a": 1.0, "b": float("inf")}), "the utility of 'b' is inf, not a finite number"),
        (lambda: plackett_luce(5, "ab"), "utilities must map alternative names to numbers"),
        (lambda: single_peaked(5, 3, model="flat"), "model must be 'walsh' or 'conitzer', got 'flat'"),
        (lambda: euclidean(5, 3, dimensions=0), "dimensions must be at least 1, got 0"),
        (lambda: euclidean(5, 3, distribution="cauchy"), "distribution must be 'uniform' or 'gaussian'"),
        (lambda: reward_mixture(3, 2, model="student"), "model must be 'gaussian' or 'spatial'"),
        (lambda: reward_mixture(3, 2, scale=0), "scale must be a number above 0, got 0"),
        (lambda: reward_mixture(2, 2, weights=[1, -1]), "type 2 has weight -1"),
        (lambda: reward_mixture(2, 2, weights="equal"), "weights must be None, 'dirichlet' or numbers"),
        (lambda: generate("mallow", n_voters=3), "unknown generator 'mallow' (known: impartial_culture, "),
        (
            lambda: generate("mallows", n_voters=3, alternatives=3, dispersion=0.5),
            "mallows: unknown parameter 'dispersion'",
        ),
        (lambda: generate("mallows", n_voters=3, alternatives=3), "mallows: parameter 'phi' is missing"),
    ],
)
def test_bad_arguments_are_reported_with_what_and_where(call, message):
    with pytest.raises(AggregationError) as err:
        call()
    assert message in str(err.value)
