"""k-curves and the standard policy set."""

import numpy as np
import pandas as pd
import pytest

from aggregation import (
    AggregationError,
    Profile,
    RewardPopulation,
    kwin_curve,
    mpne,
    robust_rate,
    sample_comparisons,
    standard_policies,
    uniform_policy,
)

FIGURE_1 = Profile.parse("2: R > G > B\n3: B > R > G")


def test_figure_1_curves():
    policies = standard_policies(FIGURE_1)
    assert list(policies) == ["RLHF / DPO (Borda-like)", "NLHF (maximal lottery)", "MPNE_k", "uniform"]
    curve = kwin_curve(FIGURE_1, policies, range(1, 7))
    assert list(curve.rates.index) == [1, 2, 3, 4, 5, 6]
    assert list(curve.rates.columns) == [*policies, "k/(k+1)"]
    np.testing.assert_allclose(curve.rates["k/(k+1)"], [k / (k + 1) for k in range(1, 7)])
    # NLHF puts everything on B: the R-first voters (40%) never get what they prefer
    np.testing.assert_allclose(curve.rates["NLHF (maximal lottery)"], 0.6, atol=1e-15)
    # the MPNE family is re-solved for each k
    for k in range(1, 7):
        assert curve.rates.loc[k, "MPNE_k"] == pytest.approx(mpne(FIGURE_1, k).certificate.guarantee, abs=1e-12)
        assert curve.rates.loc[k, "MPNE_k"] >= k / (k + 1)
    # fixed policies improve with k
    for name in ("RLHF / DPO (Borda-like)", "uniform"):
        assert (np.diff(curve.rates[name].to_numpy()) >= -1e-15).all()
    assert (curve.methods == "exact (closed form)").all().all()
    assert (curve.errors == 0.0).all().all()


def test_uniform_policy_curve_by_hand():
    # uniform over R, G, B against G: the R>G>B voters lose only if all k draws are B: (1/3)^k
    curve = kwin_curve(FIGURE_1, {"uniform": uniform_policy(FIGURE_1)}, [1, 2, 3])
    for k in (1, 2, 3):
        rates = robust_rate(FIGURE_1, uniform_policy(FIGURE_1), k).rates
        assert rates["G"] == pytest.approx(1 - 0.4 * (1 / 3) ** k, abs=1e-15)
        assert curve.rates.loc[k, "uniform"] == pytest.approx(rates.min(), abs=1e-15)


def test_user_types_get_the_average_reward_policy():
    pop = RewardPopulation({"u1": {"a": 0.0, "b": 1.0, "c": 2.0}, "u2": {"a": 2.0, "b": 0.5, "c": -1.0}}, [1, 2])
    policies = standard_policies(pop, k=3)
    assert "average reward" in policies and isinstance(policies["MPNE_k"].values, pd.Series)
    curve = kwin_curve(pop, policies, [2, 3])
    assert (curve.methods == "exact (enumeration)").all().all()
    assert curve.rates.loc[3, "MPNE_k"] == pytest.approx(0.75, abs=1e-12)  # exactly k/(k+1) for Plackett-Luce


def test_integrated_cells_carry_their_error_bounds():
    rng = np.random.default_rng(0)
    names = [f"r{j}" for j in range(30)]
    pop = RewardPopulation(pd.DataFrame(rng.normal(size=(2, 30)), index=["x", "y"], columns=names))
    policies = standard_policies(pop)
    assert callable(policies["MPNE_k"])  # 30 alternatives: the game is solved for every k
    curve = kwin_curve(pop, {"uniform": policies["uniform"]}, [1, 10])
    methods = curve.methods["uniform"]
    assert methods[1] == "exact (enumeration)" and methods[10].startswith("numerical integration, error < ")
    errors = curve.errors["uniform"]
    assert errors[1] == 0.0 and 0 < errors[10] < 1e-12
    # Property 1 (2) holds with equality for Plackett-Luce; the uniform policy's worst case is below it
    assert curve.rates.loc[10, "uniform"] <= 10 / 11 + 1e-12


def test_comparison_tables_only_have_k_1():
    data = sample_comparisons(FIGURE_1, 300, seed=2)
    policies = standard_policies(data)
    assert "MPNE_k" not in policies
    assert kwin_curve(data, policies, [1]).rates.shape == (1, len(policies) + 1)
    with pytest.raises(AggregationError, match="only pairwise win rates"):
        kwin_curve(data, policies, [1, 2])


def test_bad_curve_input():
    with pytest.raises(AggregationError, match="at least one value of k"):
        kwin_curve(FIGURE_1, {"u": uniform_policy(FIGURE_1)}, [])
    with pytest.raises(AggregationError, match="at least one policy"):
        kwin_curve(FIGURE_1, {}, [1])
    with pytest.raises(AggregationError, match="between 1 and"):
        kwin_curve(FIGURE_1, {"u": uniform_policy(FIGURE_1)}, [0, 1])
