"""The theory a job stores with its result (worker.theory): its JSON shape is fixed (job records on disk
read it back), and it is built from the core's typed results."""
import json

import numpy as np
import pytest

from aggregation import Profile, RewardPopulation
from worker.theory import theory_for

FIGURE_1 = Profile.parse("2: R > G > B\n3: B > R > G")        # Jackpot paper, Figure 1


def test_shape_and_numbers_by_hand():
    spec = {"beta": 1.0, "sampling": None}
    out = theory_for(FIGURE_1, spec, np.full(3, 1 / 3))
    assert set(out) == {"notes", "borda", "nbc", "rlhf_policy", "maximal_lottery", "maximal_lottery_unique"}
    assert out["borda"] == {"R": 7.0, "G": 2.0, "B": 6.0} and out["notes"] == {}
    assert out["maximal_lottery"] == {"R": 0.0, "G": 0.0, "B": 1.0} and out["maximal_lottery_unique"] is True
    assert sum(out["rlhf_policy"].values()) == pytest.approx(1.0)
    json.dumps(out, allow_nan=False)                                 # plain JSON


def test_a_tied_lottery_is_flagged_and_refusals_are_noted():
    tied = Profile.parse("a > b > c\nb > a > c")
    out = theory_for(tied, {"beta": 1.0, "sampling": {"a": 0.5, "b": 0.5, "c": 0.0}}, np.full(3, 1 / 3))
    assert out["maximal_lottery_unique"] is False
    assert out["rlhf_policy"] is None and "probability 0" in out["notes"]["rlhf_policy"]


def test_user_types_add_the_average_reward_policy():
    pop = RewardPopulation({"u": {"a": 1.0, "b": 0.0}, "v": {"a": 0.0, "b": 3.0}}, [3, 1])
    out = theory_for(pop, {"beta": 1.0, "sampling": None}, np.full(2, 0.5))
    # by hand: E_u r = (0.75, 0.75): the uniform reference tilted by equal rewards stays uniform
    assert out["average_reward_policy"] == pytest.approx({"a": 0.5, "b": 0.5})
