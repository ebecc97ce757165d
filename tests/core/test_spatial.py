"""Yee diagrams (issue 14, "Pictures teachers use"): symmetric placements give symmetric maps, Condorcet
methods agree wherever a Condorcet winner exists, the vectorised forms equal the registry's rules pixel by
pixel, and bad settings are refused with the reason."""

import numpy as np
import pytest

from aggregation import RULES, AggregationError, RuleParams, yee_map, yee_maps, yee_rules
from aggregation.spatial import MAX_CANDIDATES, VECTORISED, voter_cloud

#: Symmetric about the vertical axis x = 0: A and B mirror each other, C sits on the axis.
SYMMETRIC = {"A": (-0.5, -0.3), "B": (0.5, -0.3), "C": (0.0, 0.6)}
#: Condorcet-consistent rules of the registry (each elects the Condorcet winner whenever there is one).
CONDORCET_METHODS = [
    "copeland",
    "maximal_lottery",
    "baldwin",
    "nanson",
    "weak_nanson",
    "benham",
    "tideman_alternative_smith",
    "tideman_alternative_schwartz",
]


def test_the_cloud_is_symmetric_about_both_axes():
    offsets = voter_cloud(10, 0.5, "gaussian", seed=3)
    assert offsets.shape == (12, 2)  # rounded up to quadruples
    for flip in ([-1, 1], [1, -1], [-1, -1]):
        mirrored = offsets * flip
        assert sorted(map(tuple, mirrored)) == sorted(map(tuple, offsets))
    disc = voter_cloud(400, 0.3, "disc", seed=1)
    assert np.hypot(disc[:, 0], disc[:, 1]).max() <= 0.3


@pytest.mark.parametrize("grid", [(17, 9), (16, 8)])
def test_a_symmetric_placement_gives_a_symmetric_map(grid):
    """Mirroring x -> -x swaps A and B and keeps C: the map read right to left, with A and B swapped, is
    the map itself, pixel by pixel (the grid and the cloud are mirror images to the last bit, so the winners
    are exactly equal; a lottery from the linear program, on the axis, to rounding)."""
    rules = ["borda", "plurality", "copeland", "maximal_lottery", "instant_runoff", "coombs"]
    maps = yee_maps(SYMMETRIC, rules, grid=grid, voters=60, spread=0.6, seed=5)
    swap = [1, 0, 2]
    for rule_id, m in maps.items():
        np.testing.assert_allclose(m.shares[:, ::-1, :][:, :, swap], m.shares, rtol=0, atol=1e-12, err_msg=rule_id)
        mirrored_winner = np.where(m.winner[:, ::-1] >= 0, np.array(swap)[m.winner[:, ::-1]], -1)
        np.testing.assert_array_equal(mirrored_winner, m.winner, err_msg=rule_id)
        assert (m.winner == 0).any() and (m.winner == 1).any() and (m.winner == 2).any(), rule_id


def test_condorcet_methods_agree_where_a_condorcet_winner_exists():
    """Three candidates placed off any symmetry: wherever the pixel's voters have a Condorcet winner, every
    Condorcet method elects it (the maximal lottery with probability 1). The cloud is centrally symmetric,
    so the pixel's centre is a median in every direction and a Condorcet winner, when there is one, is the
    candidate nearest the pixel (Davis, DeGroot & Hinich 1972)."""
    candidates = {"A": (-0.6, -0.2), "B": (0.3, -0.5), "C": (0.2, 0.55)}
    maps = yee_maps(candidates, CONDORCET_METHODS, grid=14, voters=40, spread=0.7, seed=2)
    cw = maps["copeland"].condorcet
    assert (cw >= 0).mean() > 0.8 and len(set(cw[cw >= 0].ravel())) == 3
    for rule_id, m in maps.items():
        np.testing.assert_array_equal(m.winner[cw >= 0], cw[cw >= 0], err_msg=rule_id)
    points = np.array(list(candidates.values()))
    X, Y = np.meshgrid(maps["copeland"].xs, maps["copeland"].ys)
    nearest = np.argmin((X[..., None] - points[:, 0]) ** 2 + (Y[..., None] - points[:, 1]) ** 2, axis=-1)
    np.testing.assert_array_equal(cw[cw >= 0], nearest[cw >= 0])


def test_the_vectorised_forms_are_the_registry_rules():
    """Every vectorised rule equals the registry's function called on each pixel's own population, with
    ties (C and D placed at the same point: every voter ties them), custom points and a custom D."""
    candidates = {"A": (-0.5, 0.1), "B": (0.4, -0.4), "C": (0.2, 0.5), "D": (0.2, 0.5)}
    params = RuleParams(weights=(4, 2, 1), sampling={"A": 0.1, "B": 0.2, "C": 0.3, "D": 0.4})
    kwargs = dict(grid=(7, 6), voters=24, spread=0.5, seed=4, params=params)
    fast = yee_maps(candidates, VECTORISED, **kwargs)
    slow = yee_maps(candidates, VECTORISED, vectorise=False, **kwargs)
    for rule_id in VECTORISED:
        assert fast[rule_id].calls <= slow[rule_id].calls and slow[rule_id].calls > 0, rule_id
        np.testing.assert_allclose(fast[rule_id].shares, slow[rule_id].shares, atol=1e-9, err_msg=rule_id)
    # C and D tie for every voter: they share every win
    shares = fast["borda"].shares
    np.testing.assert_array_equal(shares[..., 2], shares[..., 3])
    assert "vectorised" in fast["borda"].method and fast["borda"].calls == 0


def test_rules_that_need_only_p_run_on_p():
    maps = yee_maps(SYMMETRIC, ["rlhf", "instant_runoff"], grid=5, voters=20, seed=1)
    assert "preference matrix" in maps["rlhf"].method and "rankings" in maps["instant_runoff"].method
    assert 0 < maps["rlhf"].calls <= 25


def test_a_tight_cloud_elects_the_nearest_candidate():
    """Voters within 0.001 of the pixel's centre all rank like the centre: every rule elects the nearest
    candidate (pixels near a bisector excepted)."""
    m = yee_map({"L": (-1.0, 0.0), "R": (1.0, 0.0)}, "plurality", grid=(4, 2), spread=0.001, voters=8, cloud="disc")
    np.testing.assert_allclose(m.xs, [-0.75, -0.25, 0.25, 0.75])
    np.testing.assert_allclose(m.ys, [-0.5, 0.5])
    assert m.winner.tolist() == [[0, 0, 1, 1], [0, 0, 1, 1]]
    assert m.area().to_dict() == {"L": 0.5, "R": 0.5, "shared": 0.0}


def test_yee_rules_and_refusals():
    kinds = yee_rules()
    assert kinds["borda"] == "vectorised" and kinds["instant_runoff"] == "per pixel"
    assert kinds["mpne"] == "game per pixel" and "average_reward" not in kinds
    assert set(kinds) == {r for r, rule in RULES.items() if rule.needs != "rewards"}
    with pytest.raises(AggregationError, match="Average-reward policy: it needs user types"):
        yee_map(SYMMETRIC, "average_reward", grid=4)
    with pytest.raises(AggregationError, match="candidate 'A': the position"):
        yee_map({"A": ("x", 1), "B": (0, 0)}, "borda", grid=4)
    with pytest.raises(AggregationError, match="must be finite"):
        yee_map({"A": (np.nan, 1), "B": (0, 0)}, "borda", grid=4)
    with pytest.raises(AggregationError, match="at least two candidates"):
        yee_map({"A": (0, 1)}, "borda", grid=4)
    with pytest.raises(
        AggregationError,
        match=f"candidates: 9 candidates; at most {MAX_CANDIDATES} candidates are "
        r"accepted \(aggregation.bounds.MAX_YEE_CANDIDATES\)",
    ):
        yee_map({f"c{i}": (i, 0) for i in range(MAX_CANDIDATES + 1)}, "borda", grid=4)
    with pytest.raises(AggregationError, match="duplicate"):
        yee_map({"A": (0, 1), " A": (1, 0)}, "borda", grid=4)
    with pytest.raises(AggregationError, match="grid: the number of columns"):
        yee_map(SYMMETRIC, "borda", grid=1)
    with pytest.raises(AggregationError, match="spread must be a positive number"):
        yee_map(SYMMETRIC, "borda", grid=4, spread=0)
    with pytest.raises(AggregationError, match="voters: a whole number"):
        yee_map(SYMMETRIC, "borda", grid=4, voters=0)
    with pytest.raises(AggregationError, match="MAX_YEE_VOTERS"):
        yee_map(SYMMETRIC, "borda", grid=4, voters=2001)
    with pytest.raises(AggregationError, match="MAX_YEE_GRID"):
        yee_map(SYMMETRIC, "borda", grid=301)
    with pytest.raises(AggregationError, match="seed must be a whole number"):
        yee_map(SYMMETRIC, "borda", grid=4, seed=-1)
    with pytest.raises(AggregationError, match="voters each .*: 180,000,000 voters; at most 5,000,000"):
        yee_map(SYMMETRIC, "borda", grid=300, voters=2000)
    with pytest.raises(AggregationError, match="x_min < x_max"):
        yee_map(SYMMETRIC, "borda", grid=4, extent=(1, -1, -1, 1))
    with pytest.raises(AggregationError, match="unknown rule"):
        yee_map(SYMMETRIC, "no_such_rule", grid=4)
