"""Training data drawn from populations, the dataset summaries, and the Bradley-Terry fit."""

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="the training stack (requirements-train.txt) is not installed")
from scipy.optimize import minimize
from scipy.special import expit, softmax

from aggregation import (
    AggregationError,
    Profile,
    RewardPopulation,
    preference_variance,
    sample_comparisons,
    sample_paired_comparisons,
)
from worker.data import (
    PlackettLuceJudges,
    RankedChoiceDataset,
    RankingSample,
    distinct_draws,
    empirical_matrix,
    pair_dataset,
    paired_dataset,
    ranked_choice_dataset,
    ranking_sample,
    unanimity_dataset,
)
from worker.joint import fit_joint_model
from worker.methods import MPNEMethod, fit_bradley_terry
from worker.spec import spec_for

from .conftest import FIGURE_1

USERS = RewardPopulation(
    {"u": {"x": 2.0, "y": 0.0, "z": -1.0}, "v": {"x": -1.0, "y": 1.0, "z": 0.5}}, {"u": 3, "v": 1}, temperature=0.7
)


def test_pairs_are_the_cores_sample_comparisons():
    data = pair_dataset(FIGURE_1, 500, {"R": 0.5, "G": 0.2, "B": 0.3}, seed=4)
    table = sample_comparisons(FIGURE_1, 500, {"R": 0.5, "G": 0.2, "B": 0.3}, seed=4).table
    alts = FIGURE_1.alternatives
    assert [alts[i] for i in data.chosen] == list(table["chosen"])
    assert [alts[i] for i in data.rejected] == list(table["rejected"])


def test_distinct_draws_follow_D_conditioned_on_distinct():
    D = np.array([0.5, 0.3, 0.2])
    rows = distinct_draws(D, 30_000, 2, np.random.default_rng(1))
    assert (rows[:, 0] != rows[:, 1]).all()
    counts = np.zeros((3, 3))
    np.add.at(counts, (rows[:, 0], rows[:, 1]), 1)
    expected = np.outer(D, D)
    np.fill_diagonal(expected, 0)
    expected /= expected.sum()
    share = counts / len(rows)
    se = np.sqrt(expected * (1 - expected) / len(rows))
    assert (np.abs(share - expected) <= 5 * se + 1e-12).all()


def test_distinct_draws_need_enough_alternatives():
    with pytest.raises(AggregationError, match="3 distinct responses cannot be shown"):
        distinct_draws(np.array([0.5, 0.5, 0.0]), 10, 3, np.random.default_rng(0))


def test_ranked_choices_of_a_single_voter_are_its_ranking():
    one = Profile.parse("R > G > B > Y")
    data = ranked_choice_dataset(one, 200, None, display_size=3, top_k=2, seed=0)
    level = {a: i for i, a in enumerate(["R", "G", "B", "Y"])}
    alts = one.alternatives
    for shown, top in zip(data.shown, data.top):
        names = [alts[i] for i in shown]
        best_two = sorted(names, key=level.get)[:2]
        assert [names[j] for j in top] == best_two


def test_ranked_choices_break_ties_at_random():
    tied = Profile.parse("R = G > B")
    data = ranked_choice_dataset(tied, 4000, None, display_size=3, top_k=1, seed=3)
    first = np.array(tied.alternatives)[data.shown[np.arange(4000), data.top[:, 0]]]
    share_r = (first == "R").mean()
    assert set(first) == {"R", "G"} and abs(share_r - 0.5) < 5 * np.sqrt(0.25 / 4000)


def test_user_types_choose_by_plackett_luce():
    data = ranked_choice_dataset(USERS, 20_000, None, display_size=3, top_k=1, seed=5)
    first = data.shown[np.arange(len(data.shown)), data.top[:, 0]]
    expected = USERS.first_place_distribution().to_numpy()  # all three are always shown
    share = np.bincount(first, minlength=3) / len(first)
    assert np.abs(share - expected).max() < 5 * np.sqrt(0.25 / len(first))


def test_unanimity_labels_count_every_type():
    data = unanimity_dataset(FIGURE_1, 3000, None, seed=2)
    assert data.n_types == 2
    alts = FIGURE_1.alternatives
    for a, b, votes in zip(data.a[:300], data.b[:300], data.votes_for_a[:300]):
        pair = (alts[a], alts[b])
        expected = {("R", "G"): 2, ("G", "R"): 0, ("R", "B"): 1, ("B", "R"): 1, ("G", "B"): 1, ("B", "G"): 1}[pair]
        assert votes == expected
    W = data.wins(3)
    assert W[alts.index("R"), alts.index("G")] > 0 and W[alts.index("G"), alts.index("R")] == 0


def test_unanimity_labels_of_user_types_are_bradley_terry_draws():
    data = unanimity_dataset(USERS, 20_000, None, seed=8)
    Q = USERS.type_preference_matrices()
    expected = Q[:, data.a, data.b].sum(0)  # expected number of types preferring a
    assert abs(data.votes_for_a.mean() - expected.mean()) < 5 * np.sqrt(0.5 / len(data.a))


def test_strictly_best_rate_by_hand():
    sample = RankingSample(np.array([[0, 1, 2], [2, 0, 1], [0, 0, 1]]))
    # y = 0 against {1, 2}: voter 1 yes, voter 2 no (1 is better), voter 3 no (tied with 1)
    assert sample.strictly_best_rate(np.array([0]), np.array([[1, 2]])).tolist() == [pytest.approx(1 / 3)]
    # against itself: never strictly better
    assert sample.strictly_best_rate(np.array([0]), np.array([[0]])).tolist() == [0.0]
    # 1 above 2 for every voter; 2 above 0 only for voter 2
    assert sample.strictly_best_rate(np.array([1, 2]), np.array([[2], [0]])).tolist() == pytest.approx([1.0, 1 / 3])


def test_ranking_sample_is_for_rankings_only():
    with pytest.raises(AggregationError, match="needs a population of rankings"):
        ranking_sample(USERS, 10, seed=0)


def test_plackett_luce_judges_by_hand():
    """Cai & Zheng, section 2.1: type i prefers y to the multiset O with probability
    w_i(y) / (w_i(y) + sum_O w_i), w = exp(r / T). One type with w = (1, 2, 3) (T = 1)."""
    judges = PlackettLuceJudges.of(RewardPopulation({"u": {"a": 0.0, "b": np.log(2.0), "c": np.log(3.0)}}))
    rates = judges.beats_rate(np.array([0, 1, 2, 0]), np.array([[1, 2], [1, 1], [0, 0], [0, 0]]))
    # a vs {b, c}: 1/6; b vs {b, b}: 2/6 (duplicates count, an identical response takes its share);
    # c vs {a, a}: 3/5; a vs {a, a}: 1/3
    np.testing.assert_allclose(rates, [1 / 6, 1 / 3, 3 / 5, 1 / 3], atol=1e-15)
    # two types, shares 3/4 and 1/4 (USERS, T = 0.7): the mixture of the two formulas
    w = np.exp(USERS.rewards.to_numpy() / 0.7)
    expected = 0.75 * w[0, 0] / (w[0, 0] + w[0, 1] + w[0, 2]) + 0.25 * w[1, 0] / (w[1, 0] + w[1, 1] + w[1, 2])
    assert PlackettLuceJudges.of(USERS).beats_rate(np.array([0]), np.array([[1, 2]]))[0] == pytest.approx(
        expected, abs=1e-15
    )


def test_mpne_self_play_rewards_user_types_by_the_set_comparison():
    """With k + 1 samples every group of k others is the same set, so each sample's reward is
    exactly its Plackett-Luce probability of beating the rest (no Gumbel ranking drawn)."""
    spec = spec_for(USERS, "mpne", k=2, samples_per_step=3)
    method = MPNEMethod(spec, USERS, USERS.alternatives, torch.device("cpu"))
    y = np.array([0, 1, 1])  # x, y, y
    w = np.exp(USERS.rewards.to_numpy() / 0.7)
    shares = np.array([0.75, 0.25])
    expected = [
        shares @ (w[:, 0] / (w[:, 0] + 2 * w[:, 1])),
        shares @ (w[:, 1] / (w[:, 1] + w[:, 0] + w[:, 1])),
        shares @ (w[:, 1] / (w[:, 1] + w[:, 0] + w[:, 1])),
    ]
    np.testing.assert_allclose(method.rewards(y), expected, atol=1e-15)
    assert method.dataset()["rows"] == 2 and "preference_matrix" not in method.dataset()
    # rankings keep the strict-win reward (a sample of 5,000 voters of Figure 1): R is strictly
    # preferred to {G, B} by the R > G > B voters (2/5), G by nobody
    fig = MPNEMethod(
        spec_for(FIGURE_1, "mpne", k=2, samples_per_step=3, dataset_size=5000),
        FIGURE_1,
        FIGURE_1.alternatives,
        torch.device("cpu"),
    )
    rewards = fig.rewards(np.array([0, 1, 2]))
    assert rewards[1] == 0.0  # G is nobody's favourite of {R, G, B}
    assert abs(rewards[0] - 0.4) < 5 * np.sqrt(0.24 / 5000)


def test_ranking_sample_matrix_converges_to_the_population():
    sample = ranking_sample(FIGURE_1, 4000, seed=1)
    summary = empirical_matrix(sample.wins(3), FIGURE_1.alternatives)
    P = np.array(summary["matrix"])
    truth = FIGURE_1.preference_matrix().to_numpy()
    se = np.array([[0 if x is None else x for x in row] for row in summary["standard_errors"]])
    assert (np.abs(P - truth) <= 5 * se + 1e-12).all()


def test_empirical_matrix_by_hand():
    W = np.array([[0, 3, 0], [1, 0, 0], [0, 0, 0]], dtype=float)
    s = empirical_matrix(W, ["a", "b", "c"])
    assert s["matrix"][0][1] == 0.75 and s["matrix"][1][0] == 0.25 and s["matrix"][0][2] == 0.5
    assert s["standard_errors"][0][1] == pytest.approx(np.sqrt(0.75 * 0.25 / 4))
    assert s["standard_errors"][0][2] is None and s["comparisons"][0][1] == 4


def test_ranked_choices_imply_pairwise_wins():
    data = RankedChoiceDataset(shown=np.array([[2, 0, 1]]), top=np.array([[1]]))  # 0 is best of {2, 0, 1}
    W = data.wins(3)
    assert W.tolist() == [[0, 1, 1], [0, 0, 0], [0, 0, 0]]
    data2 = RankedChoiceDataset(shown=np.array([[2, 0, 1]]), top=np.array([[1, 0]]))  # then 2 beats 1
    assert data2.wins(3).tolist() == [[0, 1, 1], [0, 0, 0], [0, 1, 0]]


def test_bradley_terry_fit_matches_a_generic_optimiser():
    rng = np.random.default_rng(0)
    W = rng.integers(1, 40, size=(4, 4)).astype(float)
    np.fill_diagonal(W, 0)

    def nll(r):
        d = r[:, None] - r[None, :]
        return -(W * np.log(expit(d))).sum()

    ref = minimize(nll, np.zeros(4), method="BFGS", options={"gtol": 1e-10}).x
    r, se = fit_bradley_terry(W)
    np.testing.assert_allclose(r, ref - ref.mean(), atol=1e-4)
    assert (se > 0).all() and abs(r.sum()) < 1e-9


def test_first_place_helper_is_softmax():  # documents what the Plackett-Luce checks above rely on
    C = softmax(USERS.rewards.to_numpy() / USERS.temperature, axis=1)
    np.testing.assert_allclose(USERS.first_place_distribution().to_numpy(), USERS.shares @ C)


def test_every_method_of_the_core_table_has_a_worker_class():
    from aggregation import TRAINING_METHODS
    from worker.methods import METHOD_CLASSES, SelfPlayMethod

    assert set(METHOD_CLASSES) == set(TRAINING_METHODS)
    for method, entry in TRAINING_METHODS.items():  # the trainer reads self_play from the table
        assert issubclass(METHOD_CLASSES[method], SelfPlayMethod) == entry.self_play


def test_paired_rows_are_the_cores_paired_comparisons_and_j_sees_four_orientations():
    data = paired_dataset(FIGURE_1, 50, None, seed=2)
    table = sample_paired_comparisons(FIGURE_1, 50, seed=2).table
    alts = FIGURE_1.alternatives
    assert [alts[i] for i in data.chosen.reshape(-1)] == list(table["chosen"])
    assert data.chosen.shape == data.rejected.shape == (50, 2)
    a, b, c, d, both = data.joint_rows()
    assert len(a) == 200 and both.sum() == 50
    # the labelled orientation: the annotator's choices (a over b, c over d); the other three are 0
    np.testing.assert_array_equal(a[:50], data.chosen[:, 0])
    np.testing.assert_array_equal(d[:50], data.rejected[:, 1])
    np.testing.assert_array_equal(a[50:100], data.rejected[:, 0])  # b over a, c over d: not what happened
    np.testing.assert_array_equal(c[100:150], data.rejected[:, 1])


def test_the_joint_model_recovers_the_variance_numerator():
    """Section 5.3: J fitted by cross-entropy on o * o' estimates E_u[P_u P_u']; Lemma 5.3's numerator
    J1 - (J1 + J2)^2 is then Var_u[P_u(a > b)], here within 0.01 of the exact value for every pair
    (20,000 annotators, two types far apart, J with the true number of latent types)."""
    users = RewardPopulation({"u": {"x": 3.0, "y": 0.0, "z": 1.0}, "v": {"x": 0.0, "y": 2.0, "z": 2.5}}, [2, 1])
    data = paired_dataset(users, 20_000, None, seed=0)
    fit = fit_joint_model(data, 3, 2, 1000, 0.05, seed=0)
    assert fit.loss_end < fit.loss_start
    summary = fit.summary(users.alternatives, preference_variance(users).to_numpy())
    assert summary["largest_error"] < 0.01
    np.testing.assert_allclose(summary["preference"], users.preference_matrix().to_numpy(), atol=0.01)
    assert sorted(summary["latent_shares"]) == pytest.approx([1 / 3, 2 / 3], abs=0.06)
