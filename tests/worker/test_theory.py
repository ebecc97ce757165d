"""The theory a job stores with its result (computed by the core, aggregation.training_methods.theory, and
stored as TheoryResult.to_json): the keys of the shape stored before keep their meaning and values (job
records on disk read them back), the new keys are added, and a result stored in the old shape still
opens on the page (the page then computes the theory itself)."""

import json

import numpy as np
import pytest

from aggregation import Profile, RewardPopulation, TheoryResult
from aggregation.training_methods import theory

FIGURE_1 = Profile.parse("2: R > G > B\n3: B > R > G")  # Jackpot paper, Figure 1
UNIFORM_3 = {"R": 1 / 3, "G": 1 / 3, "B": 1 / 3}
#: The keys a job stored before the theory was stored whole (worker/theory.py until issue 15).
OLD_KEYS = {"notes", "borda", "nbc", "rlhf_policy", "maximal_lottery", "maximal_lottery_unique"}


def stored(population, method, settings, reference):
    return theory(population, method, settings, reference=reference).to_json()


def test_shape_and_numbers_by_hand():
    out = stored(FIGURE_1, "nash", {"beta": 1.0, "sampling": None}, UNIFORM_3)
    assert set(out) == OLD_KEYS | {"version", "method", "beta", "k", "target", "condorcet_winner", "bt_misfit", "mpne"}
    assert out["borda"] == {"R": 7.0, "G": 2.0, "B": 6.0} and out["notes"] == {}
    assert out["maximal_lottery"] == {"R": 0.0, "G": 0.0, "B": 1.0} and out["maximal_lottery_unique"] is True
    assert sum(out["rlhf_policy"].values()) == pytest.approx(1.0)
    assert (out["method"], out["beta"], out["k"], out["target"]) == ("nash", 1.0, 2, "maximal_lottery")
    assert out["condorcet_winner"] == "B" and out["bt_misfit"] is None  # nash fits no reward
    json.dumps(out, allow_nan=False)  # plain JSON


def test_a_tied_lottery_is_flagged_and_refusals_are_noted():
    tied = Profile.parse("a > b > c\nb > a > c")
    out = stored(
        tied, "dpo", {"beta": 1.0, "sampling": {"a": 0.5, "b": 0.5, "c": 0.0}}, {"a": 1 / 3, "b": 1 / 3, "c": 1 / 3}
    )
    assert out["maximal_lottery_unique"] is False
    assert out["rlhf_policy"] is None and "probability 0" in out["notes"]["rlhf_policy"]
    assert out["bt_misfit"] is None  # no fit, no misfit


def test_user_types_add_the_average_reward_policy():
    pop = RewardPopulation({"u": {"a": 1.0, "b": 0.0}, "v": {"a": 0.0, "b": 3.0}}, [3, 1])
    out = stored(pop, "dpo", {"beta": 1.0, "sampling": None}, {"a": 0.5, "b": 0.5})
    # by hand: E_u r = (0.75, 0.75): the uniform reference tilted by equal rewards stays uniform
    assert out["average_reward_policy"] == pytest.approx({"a": 0.5, "b": 0.5})


def test_the_stored_theory_reads_back_exactly():
    """What the worker writes (JSON text) is what the page reads: every number bit for bit, including the
    Bradley-Terry misfit whose reward is -inf below the top level (X: every voter puts it last)."""
    population = Profile.parse("2: R > G > B > X\n3: B > R > G > X")
    reference = {"R": 0.4, "G": 0.2, "B": 0.3, "X": 0.1}
    view = theory(
        population, "dpo", {"beta": 0.1, "sampling": {"R": 0.4, "G": 0.2, "B": 0.2, "X": 0.2}}, reference=reference
    )
    assert view.bt_fit.reward["X"] == -np.inf and view.bt_fit.cycle == ("R", "G", "B")
    back = TheoryResult.from_json(json.loads(json.dumps(view.to_json(), allow_nan=False)), population.alternatives)
    assert list(back.policies) == list(view.policies) == ["rlhf_policy", "maximal_lottery", "mpne"]
    for key in view.policies:
        assert back.policies[key].equals(view.policies[key])
    assert back.borda.equals(view.borda) and back.nbc.equals(view.nbc)
    assert (back.method, back.beta, back.k, back.target) == ("dpo", 0.1, 2, "rlhf_policy")
    assert (back.condorcet_winner, back.lottery_unique, back.unavailable) == ("B", True, {})
    fit, fit_back = view.bt_fit, back.bt_fit
    assert fit_back.reward.equals(fit.reward) and fit_back.fitted.equals(fit.fitted)
    assert fit_back.sampling.equals(fit.sampling)
    assert (
        fit_back.max_error,
        fit_back.max_pair,
        fit_back.mean_error,
        fit_back.cycle,
        fit_back.forward,
        fit_back.backward,
    ) == (fit.max_error, fit.max_pair, fit.mean_error, fit.cycle, fit.forward, fit.backward)


def test_a_result_stored_in_the_old_shape_is_recognised():
    old = {
        "notes": {},
        "borda": {"R": 7.0, "G": 2.0, "B": 6.0},
        "nbc": {"R": 0.6, "G": 0.3, "B": 0.5},
        "rlhf_policy": {"R": 0.9, "G": 0.0, "B": 0.1},
        "maximal_lottery": {"R": 0.0, "G": 0.0, "B": 1.0},
        "maximal_lottery_unique": True,
    }
    assert TheoryResult.from_json(old, FIGURE_1.alternatives) is None  # the page computes it then
    assert TheoryResult.from_json(None, FIGURE_1.alternatives) is None
