"""Training data drawn from a population, as the Jackpot paper builds it (Maura-Rivero et al.,
arXiv 2501.19266, section 5 and appendix A.8), and the empirical preference matrix of each
dataset with its standard errors.

* :func:`pair_dataset`: pairs of distinct responses from the sampling distribution D
  (``D x D`` conditioned on distinct), a random voter, that voter's label; this is
  :func:`aggregation.sample_comparisons` itself.
* :func:`ranked_choice_dataset`: for the RCPO losses, a shown set of K distinct responses
  (i.i.d. from D conditioned on distinct), a random voter, and that voter's top-k of the set
  (ties in a ranking broken uniformly at random; a user type ranks by Plackett-Luce).
* :func:`unanimity_dataset`: for the consistent losses (Propositions 6.1 and B.3), pairs from D
  and one label per user type (a profile's distinct rankings are its types), counted as
  ``votes_for_a``.
* :func:`paired_dataset`: for first-order corrected DPO, pairs of comparisons labelled by the same
  annotator (Shirali et al., section 5.3): :func:`aggregation.sample_paired_comparisons` itself,
  with the rows J trains on (each annotator's two comparisons in their four orientations).
* :func:`ranking_sample`: for multi-player self-play on rankings, the full rankings of N random
  voters, which decide how likely a response is to be strictly preferred to a set of others;
* :class:`PlackettLuceJudges`: for multi-player self-play on user types, no sample at all: the
  probability that a response beats a set of others is the Plackett-Luce set comparison of the
  test-time paper (Cai & Zheng, arXiv 2601.08777, section 2.1), exact over the types.

Alternatives are addressed by their index in ``alternatives`` throughout.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from aggregation import (
    RANKINGS,
    USER_TYPES,
    AggregationError,
    PairwiseData,
    RewardPopulation,
    sample_comparisons,
    sample_paired_comparisons,
)
from aggregation.validate import distribution
from aggregation.populations.comparisons import sample_pairs

_MAX_REJECTION_ROUNDS = 200
#: Reward differences (over T) are clipped here in the set comparison (the ratio is then < e^-600).
_MAX_EXPONENT = 600.0


@dataclass
class PairDataset:
    chosen: np.ndarray
    rejected: np.ndarray
    data: PairwiseData

    def wins(self) -> np.ndarray:
        return self.data.wins().to_numpy(float)


@dataclass
class PairedDataset:
    """Annotator ``i`` chose ``chosen[i, 0]`` over ``rejected[i, 0]`` and ``chosen[i, 1]`` over
    ``rejected[i, 1]`` (alternative indices, shape (n, 2))."""

    chosen: np.ndarray
    rejected: np.ndarray
    data: PairwiseData

    def wins(self) -> np.ndarray:
        return self.data.wins().to_numpy(float)

    def joint_rows(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The rows the joint model J trains on, ``(a, b, c, d, both)``: each annotator's two comparisons
        in their four orientations (the first read as "a over b" or "b over a", the second likewise),
        ``both`` = 1 for the orientation the annotator chose (a over b and c over d), else 0. An
        orientation is a labelling choice, so each is a valid row of the cross-entropy on ``o * o'``
        (section 5.3); together they use every label."""
        c1, r1, c2, r2 = self.chosen[:, 0], self.rejected[:, 0], self.chosen[:, 1], self.rejected[:, 1]
        a = np.concatenate([c1, r1, c1, r1])
        b = np.concatenate([r1, c1, r1, c1])
        c = np.concatenate([c2, c2, r2, r2])
        d = np.concatenate([r2, r2, c2, c2])
        both = np.concatenate([np.ones(len(c1)), np.zeros(3 * len(c1))])
        return a, b, c, d, both


@dataclass
class RankedChoiceDataset:
    shown: np.ndarray  # (n, K) alternative indices
    top: np.ndarray  # (n, k) positions into `shown`, best first

    def wins(self, m: int) -> np.ndarray:
        """Implied pairwise wins: each ranked response beats every shown response ranked below it."""
        n, K = self.shown.shape
        W = np.zeros((m, m))
        below = np.ones((n, K), dtype=bool)
        rows = np.arange(n)
        for j in range(self.top.shape[1]):
            winner = self.shown[rows, self.top[:, j]]
            below[rows, self.top[:, j]] = False
            for c in range(K):
                sel = below[:, c]
                np.add.at(W, (winner[sel], self.shown[sel, c]), 1.0)
        return W


@dataclass
class UnanimityDataset:
    a: np.ndarray
    b: np.ndarray
    votes_for_a: np.ndarray
    n_types: int

    def wins(self, m: int) -> np.ndarray:
        W = np.zeros((m, m))
        np.add.at(W, (self.a, self.b), self.votes_for_a)
        np.add.at(W, (self.b, self.a), self.n_types - self.votes_for_a)
        return W


@dataclass
class RankingSample:
    levels: np.ndarray  # (n, m): smaller is better, equal is a tie

    def wins(self, m: int) -> np.ndarray:
        L = self.levels
        above = (L[:, :, None] < L[:, None, :]).sum(0).astype(float)
        ties = (L[:, :, None] == L[:, None, :]).sum(0).astype(float)
        W = above + 0.5 * ties
        np.fill_diagonal(W, 0.0)
        return W

    def strictly_best_rate(self, y: np.ndarray, others: np.ndarray) -> np.ndarray:
        """Share of the sampled voters who rank ``y[i]`` strictly above every response in
        ``others[i, ...]`` (0 when one of the others is ``y[i]`` itself: an identical response
        counts for the other side)."""
        L = self.levels  # (N, m)
        ly = L[:, y]  # (N, n)
        lo = L[:, others.reshape(len(y), -1)]  # (N, n, k)
        return (ly[:, :, None] < lo).all(-1).mean(0)


@dataclass
class PlackettLuceJudges:
    """User types judging a response against a multiset of others by the Plackett-Luce set
    comparison (Cai & Zheng, section 2.1): type i prefers y to the set O with probability
    ``w_i(y) / (w_i(y) + sum_{o in O} w_i(o))``, ``w_i = exp(r_i / T)``; duplicates in O count and
    an identical response gets its share like any other (y against {y} is one half)."""

    log_weights: np.ndarray  # (types, m): r_i / T
    shares: np.ndarray  # (types,)

    @classmethod
    def of(cls, population: RewardPopulation) -> "PlackettLuceJudges":
        return cls(population.rewards.to_numpy(float) / population.temperature, population.shares)

    def beats_rate(self, y: np.ndarray, others: np.ndarray) -> np.ndarray:
        """``E_i[w_i(y[j]) / (w_i(y[j]) + sum_o w_i(others[j, o]))]`` for every row j, exact over the types."""
        others = others.reshape(len(y), -1)
        out = np.zeros(len(y))
        for r, share in zip(self.log_weights, self.shares):
            ratio = np.exp(np.minimum(r[others] - r[y][:, None], _MAX_EXPONENT)).sum(1)  # sum_o w(o) / w(y)
            out += share / (1.0 + ratio)
        return out


# ------------------------------------------------------------------ builders
def pair_dataset(model, n: int, sampling, seed: int) -> PairDataset:
    data = sample_comparisons(model, n, sampling, seed=seed)
    index = {a: i for i, a in enumerate(data.alternatives)}
    table = data.table
    return PairDataset(
        table["chosen"].map(index).to_numpy(np.int64), table["rejected"].map(index).to_numpy(np.int64), data
    )


def paired_dataset(model, n: int, sampling, seed: int) -> PairedDataset:
    """``n`` annotators, two comparisons each (:func:`aggregation.sample_paired_comparisons`)."""
    data = sample_paired_comparisons(model, n, sampling, seed=seed)
    index = {a: i for i, a in enumerate(data.alternatives)}
    table = data.table
    return PairedDataset(
        table["chosen"].map(index).to_numpy(np.int64).reshape(n, 2),
        table["rejected"].map(index).to_numpy(np.int64).reshape(n, 2),
        data,
    )


def distinct_draws(D: np.ndarray, n: int, size: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` rows of ``size`` i.i.d. draws from ``D`` conditioned on being distinct (by rejection)."""
    if (D > 0).sum() < size:
        raise AggregationError(
            f"the sampling distribution gives positive probability to {(D > 0).sum()} "
            f"alternatives; {size} distinct responses cannot be shown"
        )
    out = np.empty((n, size), dtype=np.int64)
    todo = np.arange(n)
    for _ in range(_MAX_REJECTION_ROUNDS):
        draws = rng.choice(len(D), size=(max(len(todo), 64) * 4, size), p=D)
        s = np.sort(draws, axis=1)
        ok = draws[(s[:, 1:] != s[:, :-1]).all(1)]
        take = min(len(ok), len(todo))
        out[todo[:take]] = ok[:take]
        todo = todo[take:]
        if not len(todo):
            return out
    raise AggregationError(
        f"the sampling distribution is too concentrated to draw {size} distinct responses "
        "in reasonable time; spread it over more alternatives or show fewer responses"
    )


def ranked_choice_dataset(model, n: int, sampling, display_size: int, top_k: int, seed: int) -> RankedChoiceDataset:
    alts = list(model.alternatives)
    D = distribution(sampling, alts).to_numpy(float)
    rng = np.random.default_rng(seed)
    shown = distinct_draws(D, n, display_size, rng)
    if model.kind == RANKINGS:
        voter = rng.choice(model.n_rankings, size=n, p=model.weights / model.total_weight)
        key = model.levels[voter[:, None], shown].astype(float) + rng.random(shown.shape) * 0.5  # random tie-break
    elif model.kind == USER_TYPES:
        voter = rng.choice(len(model.types), size=n, p=model.shares)
        R = model.rewards.to_numpy(float) / model.temperature
        key = -(R[voter[:, None], shown] + rng.gumbel(size=shown.shape))  # Plackett-Luce by Gumbel-max
    else:
        raise AggregationError("ranked choices need a population of rankings or of user types")
    order = np.argsort(key, axis=1, kind="stable")
    return RankedChoiceDataset(shown, order[:, :top_k])


def population_types(model) -> tuple[int, callable]:
    """Number of user types and a function ``prefers_a(a, b, rng) -> (n, types) bool``."""
    if model.kind == RANKINGS:
        levels = model.compressed().levels.astype(np.int64)

        def prefers(a, b, rng):
            la, lb = levels[:, a].T, levels[:, b].T
            return (la < lb) | ((la == lb) & (rng.random(la.shape) < 0.5))

        return levels.shape[0], prefers
    if model.kind == USER_TYPES:
        Q = model.type_preference_matrices()

        def prefers(a, b, rng):
            q = Q[:, a, b].T
            return rng.random(q.shape) < q

        return len(model.types), prefers
    raise AggregationError("the consistent loss needs a population of rankings or of user types")


def unanimity_dataset(model, n: int, sampling, seed: int) -> UnanimityDataset:
    alts = list(model.alternatives)
    D = distribution(sampling, alts)
    rng = np.random.default_rng(seed)
    a, b = sample_pairs(D, n, rng)
    n_types, prefers = population_types(model)
    votes = np.zeros(n, dtype=np.int64)
    for start in range(0, n, 256):  # bounded memory for populations with many types
        sl = slice(start, start + 256)
        votes[sl] = prefers(a[sl], b[sl], rng).sum(1)
    return UnanimityDataset(a.astype(np.int64), b.astype(np.int64), votes, n_types)


def ranking_sample(model, n: int, seed: int) -> RankingSample:
    """The rankings (weak orders) of ``n`` voters drawn from a profile by weight. User types need
    no sample: multi-player self-play judges them exactly (:class:`PlackettLuceJudges`)."""
    if model.kind != RANKINGS:
        raise AggregationError("a sample of voters' rankings needs a population of rankings")
    rng = np.random.default_rng(seed)
    voter = rng.choice(model.n_rankings, size=n, p=model.weights / model.total_weight)
    return RankingSample(model.levels[voter].astype(np.int64))


def empirical_matrix(W: np.ndarray, alternatives: list[str]) -> dict:
    """``P[a, b] = W[a, b] / (W[a, b] + W[b, a])`` (1/2 where a pair was never compared) with its
    binomial standard error ``sqrt(P (1 - P) / n)`` (null where never compared), as plain JSON."""
    N = W + W.T
    with np.errstate(invalid="ignore", divide="ignore"):
        P = np.where(N > 0, W / np.where(N > 0, N, 1), 0.5)
        se = np.where(N > 0, np.sqrt(P * (1 - P) / np.where(N > 0, N, 1)), np.nan)
    np.fill_diagonal(P, 0.5)
    np.fill_diagonal(se, 0.0)
    np.fill_diagonal(N, 0)
    return {
        "alternatives": list(alternatives),
        "matrix": P.tolist(),
        "standard_errors": [[None if np.isnan(x) else float(x) for x in row] for row in se],
        "comparisons": N.tolist(),
    }
