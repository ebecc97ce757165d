"""What RLHF and DPO converge to with infinite data, and how the sampling distribution steers it.

* ``nbc(population, D)``: normalized Borda count ``NBC(y; D) = sum_y' D(y') P[y, y']`` (y' = y included).
* ``bt_reward(population, D)``: the Bradley-Terry maximum-likelihood reward fitted on pairs drawn
  from ``D x D`` with labels from ``P``. Its first-order condition reads
  ``sum_b D_b sigmoid(r_a - r_b) = NBC(a; D)``, so its order is exactly the NBC order.
* ``rlhf_policy``: ``pi_ref * exp(r / beta)`` normalized; also DPO's policy in the limit.
* ``average_reward_policy``: ``pi_ref * exp(E_u r_u / beta)`` normalized (user types only).
* ``ipo_policy``: ``pi_ref * exp(NBC(y; D) / beta)`` normalized: what IPO converges to.
* ``consistent_policy``: ``pi_ref * exp(mean_u r_u / (beta T))`` normalized, every user type
  counted once: what the consistent loss of Shirali et al. converges to (user types only).
* ``bt_misfit``: how far the best single Bradley-Terry model (the reward ``bt_reward`` fits) is
  from the population's ``P``: the homogeneity assumption of Shirali et al. (section 3,
  Proposition B.1) made measurable.

When some alternatives are preferred to others by *every* voter (P = 1), the likelihood has no
finite maximiser: those gaps are infinite. The reward is then reported by *levels*: the top
level gets finite, centred rewards and every lower level ``-inf`` (the limit policy gives it
probability 0); the :class:`~.result.RewardFit`'s ``level`` and ``within_level`` keep the full order.
``bt_reward`` returns that :class:`~.result.RewardFit`; ``rlhf_policy`` returns a
:class:`~.result.RuleResult` whose certificate is it (with ``beta``, and the misfit when asked).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy.sparse.csgraph import connected_components
from scipy.special import expit, logsumexp

from ..outcome import MARGIN_TOLERANCE
from ..validate import distribution
from ..errors import AggregationError
from ..populations.base import Population
from ..populations.matrix import as_population
from ..populations.preference import matrix_and_names
from .result import RewardFit, RuleResult
from .rule import ANY, REWARDS, Rule, RuleParams
from .result import POLICY, SCORES
from ..papers import Reference
from .ballots import names_text, number_text, top_names
from .rule import Step


def nbc(population: Population, sampling=None) -> pd.Series:
    """Normalized Borda count under the sampling distribution (default uniform)."""
    P, names = matrix_and_names(population)
    D = distribution(sampling, names)
    return pd.Series(P @ D.to_numpy(), index=names, name="NBC")


def bt_reward(population: Population, sampling=None) -> RewardFit:
    """Bradley-Terry maximum-likelihood reward on pairs from ``D x D`` (default uniform), centred.

    ``D`` must give every alternative positive probability (a response never sampled gets no
    reward signal). See the module docstring for populations with unanimous preferences.
    """
    P, names = matrix_and_names(population)
    D = distribution(sampling, names, allow_zero=False).to_numpy()
    levels = _unanimity_levels(P)
    within = np.zeros(len(names))
    for lvl in range(levels.max() + 1):
        idx = np.flatnonzero(levels == lvl)
        if idx.size > 1:
            r = _bt_mle(P[np.ix_(idx, idx)], D[idx])
            within[idx] = r - r.mean()
    reward = np.where(levels == 0, within, -np.inf)
    return RewardFit(
        reward=pd.Series(reward, index=names, name="Bradley-Terry reward"),
        level=pd.Series(levels, index=names, name="level"),
        within_level=pd.Series(within, index=names, name="reward within level"),
    )


def reward_order_key(fit: RewardFit) -> pd.Series:
    """A finite score with the same order as a (possibly level-structured) Bradley-Terry reward
    (:meth:`RewardFit.order_key`)."""
    return fit.order_key()


def rlhf_policy(
    population: Population, beta: float = 1.0, sampling=None, reference=None, *, misfit: bool = False
) -> RuleResult:
    """``pi_ref * exp(r / beta)`` normalized, with ``r = bt_reward(population, sampling)``.

    This is both the KL-regularised RLHF optimum and DPO's policy in the infinite-data limit
    (Shirali et al., Proposition 4.2: it orders the responses like NBC under D). The certificate is
    the :class:`~.result.RewardFit` with ``beta``; with ``misfit=True`` it also carries
    :func:`bt_misfit` (how far this one Bradley-Terry model is from ``P``), computed from the same fit.
    """
    P, names = matrix_and_names(population)
    fit = bt_reward(population, sampling)
    policy = _tilt(fit.reward, beta, reference, name="RLHF / DPO policy")
    if misfit:
        fit = replace(fit, misfit=_misfit(P, names, fit, distribution(sampling, names, allow_zero=False).to_numpy()))
    return RuleResult(
        policy,
        replace(fit, beta=float(beta)),
        "Bradley-Terry maximum likelihood (Newton) on D x D, then pi_ref * exp(r / beta)",
    )


def average_reward_policy(population: Population, beta: float = 1.0, reference=None) -> pd.Series:
    """``pi_ref * exp(E_u r_u / beta)`` normalized: the best single policy for heterogeneous user types."""
    population = as_population(population)
    if not population.has_rewards:
        raise AggregationError(
            "the average-reward policy needs user types with reward functions; rankings and comparisons carry no reward scale"
        )
    return _tilt(population.average_reward(), beta, reference, name="average-reward policy")


def ipo_policy(population: Population, beta: float = 1.0, sampling=None, reference=None) -> pd.Series:
    """``pi_ref * exp(NBC(y; D) / beta)`` normalized: IPO's policy in the infinite-data limit.

    IPO (Azar et al., "A General Theoretical Paradigm to Understand Learning from Human
    Preferences", AISTATS 2024, Psi = identity, eq. 8 with tau = beta) maximises
    ``E_{y~pi, y'~D} P[y, y'] - beta KL(pi || pi_ref)``, whose maximiser tilts the reference by the
    win rate against D, i.e. NBC under D. Its loss ``(h - 1/(2 beta))^2`` on pairs from ``D x D``
    reaches the same point: the least-squares fit of ``h(a, b) = (2 P[a, b] - 1) / (2 beta)``
    weighted by ``D(a) D(b)`` gives ``log pi(a) / pi_ref(a) = NBC(a; D) / beta + const``. Unlike
    the RLHF / DPO limit it stays finite when every voter ranks one response below another.
    """
    return _tilt(nbc(population, sampling), beta, reference, name="IPO policy")


def consistent_policy(population: Population, beta: float = 1.0, reference=None) -> pd.Series:
    """``pi_ref * exp(mean_u r_u / (beta T))`` normalized, the mean taken over user types *unweighted*:
    the infinite-data policy of the consistent loss (Shirali et al., "Direct Alignment with
    Heterogeneous Preferences", arXiv 2502.16320, Proposition 6.1).

    Every user type labels each pair once (Bradley-Terry with temperature T) and only unanimous
    pairs count: ``-log sigmoid(|U| h)`` when all types prefer a, ``-log sigmoid(-|U| h)`` when
    none does, ``h = beta (log pi/pi_ref (a) - log pi/pi_ref (b))``. Per pair the minimiser has
    ``sigmoid(|U| h) = A / (A + B)`` with ``A = prod_u sigmoid(d_u / T)`` and
    ``B = prod_u sigmoid(-d_u / T)``, ``d_u = r_u(a) - r_u(b)``; ``A / B = exp(sum_u d_u / T)``, so
    ``h = mean_u d_u / T``: a difference of potentials, hence reachable by one policy (every pair
    must have positive probability under the sampling distribution). The type weights do not
    enter; with equal weights this is :func:`average_reward_policy` at ``beta * T``. Rankings have
    no finite optimum (a pair all rankings agree on is pushed infinitely apart), so they are refused.
    """
    population = as_population(population)
    if not population.has_rewards:
        raise AggregationError(
            "the consistent loss has a finite optimum only for user types with rewards; on rankings it pushes "
            "every response that all rankings put below another one towards probability 0"
        )
    reward = population.rewards.mean(axis=0) / population.temperature
    return _tilt(reward, beta, reference, name="consistent-loss policy")


def _tilt(reward: pd.Series, beta, reference, *, name: str) -> pd.Series:
    try:
        beta = float(beta)
    except (TypeError, ValueError):
        raise AggregationError(f"beta must be a number, got {beta!r}") from None
    if not np.isfinite(beta) or beta <= 0:
        raise AggregationError(f"beta must be a positive number, got {beta!r}")
    ref = distribution(reference, list(reward.index), what="reference policy").to_numpy()
    with np.errstate(divide="ignore"):
        logits = np.log(ref) + reward.to_numpy(float) / beta
    if not np.isfinite(logits).any():
        raise AggregationError("the reference policy gives probability 0 to every alternative with a finite reward")
    return pd.Series(np.exp(logits - logsumexp(logits)), index=reward.index, name=name)


def _unanimity_levels(P: np.ndarray) -> np.ndarray:
    """Split alternatives into levels such that every voter prefers each level to all lower ones.

    Levels are the strongly connected components of "a is sometimes preferred to b"
    (P[a, b] > 0); they are totally ordered, 0 = top.
    """
    sometimes = P > MARGIN_TOLERANCE
    np.fill_diagonal(sometimes, True)
    n_comp, label = connected_components(sometimes.astype(np.int8), directed=True, connection="strong")
    if n_comp == 1:
        return np.zeros(P.shape[0], dtype=int)
    # a component's rank = number of components that can never beat it
    never_beats = np.zeros(n_comp, dtype=int)
    for c in range(n_comp):
        for d in range(n_comp):
            if c != d and not sometimes[np.ix_(label == d, label == c)].any():
                never_beats[c] += 1
    order = np.argsort(-never_beats, kind="stable")
    rank = np.empty(n_comp, dtype=int)
    rank[order] = np.arange(n_comp)
    return rank[label]


def _bt_mle(
    P: np.ndarray,
    D: np.ndarray,
    tol: float = 1e-13,
    max_iter: int = 200,
    *,
    weights: np.ndarray | None = None,
    ridge: float = 0.0,
) -> np.ndarray:
    """Newton's method for max sum_ab W_ab P_ab log sigmoid(r_a - r_b) - ridge / 2 sum_a r_a^2, with pair
    weights ``W = D D^T`` (pairs drawn from D x D) unless ``weights`` gives them (e.g. how often each pair
    was compared, :mod:`.ratings`). Finite when the weighted "sometimes beats" graph is strongly
    connected, or ``ridge > 0``."""
    m = len(D)
    W = np.outer(D, D) if weights is None else np.asarray(weights, dtype=float)
    target = W * P
    gauge = np.outer(D, D)

    def loss(r):
        diff = r[:, None] - r[None, :]
        return -(target * -np.logaddexp(0.0, -diff)).sum() + ridge / 2 * (r @ r)

    r = np.zeros(m)
    current = loss(r)
    for _ in range(max_iter):
        diff = r[:, None] - r[None, :]
        s = expit(diff)
        grad = -(target - W * s).sum(axis=1) + ridge * r  # d loss / d r_a
        h = W * s * (1 - s)
        H = np.diag(h.sum(axis=1) + ridge) - h
        if not ridge:
            H += gauge  # fixes the shift invariance (sum-to-zero gauge)
        step = np.linalg.solve(H, grad)
        if np.abs(grad).max() < tol:
            # converged; one more full Newton step (quadratic convergence) takes the error from
            # about tol / (D_a D_b) down to rounding, so that a Bradley-Terry P is fitted exactly
            r = r - step
            break
        t = 1.0
        while True:
            candidate = r - t * step
            value = loss(candidate)
            if value <= current + 1e-15 * abs(current) or t < 1e-12:
                break
            t *= 0.5
        r, current = candidate, value
    else:  # pragma: no cover
        raise AggregationError("the Bradley-Terry fit did not converge")
    return r


#: ``P`` is reproduced "exactly" by a Bradley-Terry model when no entry is off by more than this
#: (the fit itself is accurate to rounding: a single Bradley-Terry type is fitted to about 1e-15).
FIT_TOLERANCE = 1e-9


@dataclass(frozen=True)
class BTMisfit:
    """How far the best single Bradley-Terry model is from the population's preference matrix.

    ``reward`` is :func:`bt_reward` under ``D x D`` and ``fitted[a, b] = sigmoid(r_a - r_b)`` (1 or
    0 across unanimity levels, where the reward gap is infinite). ``max_error`` is the largest
    ``|P[a, b] - fitted[a, b]|``, reached at ``max_pair`` (oriented so that ``P[a, b] > fitted``);
    ``mean_error`` its average over the pairs the fit sees, ``a != b`` drawn from ``D x D``.
    ``cycle`` is the triple ``(a, b, c)`` whose cycle products ``forward = P[a,b] P[b,c] P[c,a]``
    and ``backward = P[a,c] P[c,b] P[b,a]`` differ most (oriented so that ``forward >= backward``);
    a Bradley-Terry model makes them equal for every triple (both are ``prod_i e^{r_i}`` over the
    same denominators: the proof of Shirali et al., Proposition B.1). None with fewer than three
    alternatives (any two-alternative ``P`` is a Bradley-Terry model).
    """

    reward: pd.Series
    fitted: pd.DataFrame
    sampling: pd.Series
    max_error: float
    max_pair: tuple[str, str] | None
    mean_error: float
    cycle: tuple[str, str, str] | None
    forward: float | None
    backward: float | None

    @property
    def cycle_gap(self) -> float:
        return 0.0 if self.cycle is None else self.forward - self.backward

    def fits_exactly(self, tol: float = FIT_TOLERANCE) -> bool:
        """Whether one Bradley-Terry model reproduces ``P`` (every entry within ``tol``)."""
        return self.max_error <= tol

    def to_dict(self) -> dict:
        """Plain JSON (a job's stored theory carries it): the ``-inf`` rewards below the top level
        are written as null; :meth:`from_dict` reads it back exactly."""
        names = [str(a) for a in self.fitted.index]
        return {
            "alternatives": names,
            "reward": [float(r) if np.isfinite(r) else None for r in self.reward.reindex(names)],
            "fitted": self.fitted.loc[names, names].to_numpy(float).tolist(),
            "sampling": self.sampling.reindex(names).astype(float).tolist(),
            "max_error": float(self.max_error),
            "max_pair": None if self.max_pair is None else list(self.max_pair),
            "mean_error": float(self.mean_error),
            "cycle": None if self.cycle is None else list(self.cycle),
            "forward": None if self.forward is None else float(self.forward),
            "backward": None if self.backward is None else float(self.backward),
        }

    @classmethod
    def from_dict(cls, data: dict) -> BTMisfit:
        """The inverse of :meth:`to_dict`."""
        names = list(data["alternatives"])
        return cls(
            reward=pd.Series([-np.inf if r is None else float(r) for r in data["reward"]], index=names, dtype=float),
            fitted=pd.DataFrame(data["fitted"], index=names, columns=names, dtype=float),
            sampling=pd.Series(data["sampling"], index=names, name="D", dtype=float),
            max_error=float(data["max_error"]),
            max_pair=None if data["max_pair"] is None else tuple(data["max_pair"]),
            mean_error=float(data["mean_error"]),
            cycle=None if data["cycle"] is None else tuple(data["cycle"]),
            forward=data["forward"],
            backward=data["backward"],
        )


def bt_misfit(population: Population, sampling=None) -> BTMisfit:
    """The best single Bradley-Terry model next to the population's ``P`` (see :class:`BTMisfit`).

    Shirali et al. (arXiv 2502.16320, section 3 and Proposition B.1): a mixture of Bradley-Terry
    user types is in general not a Bradley-Terry model, so the reward RLHF fits (and the one DPO's
    policy induces) cannot reproduce the population's comparisons; its order is NBC's under ``D``
    (Proposition 4.2). ``D`` as in :func:`bt_reward` (default uniform, every alternative positive).
    For a single Bradley-Terry type the fit is exact and every cycle product pair is equal.
    """
    P, names = matrix_and_names(population)
    fit = bt_reward(population, sampling)
    return _misfit(P, names, fit, distribution(sampling, names, allow_zero=False).to_numpy())


def _misfit(P: np.ndarray, names: list[str], fit: RewardFit, D: np.ndarray) -> BTMisfit:
    levels = fit.level.to_numpy()
    within = fit.within_level.to_numpy(float)
    fitted = expit(within[:, None] - within[None, :])
    fitted = np.where(levels[:, None] < levels[None, :], 1.0, np.where(levels[:, None] > levels[None, :], 0.0, fitted))
    error = np.abs(P - fitted)
    np.fill_diagonal(error, 0.0)
    m = len(names)
    if m > 1:
        a, b = np.unravel_index(int(error.argmax()), error.shape)
        if P[a, b] < fitted[a, b]:
            a, b = b, a
        max_pair = (names[a], names[b])
        W = np.outer(D, D)
        np.fill_diagonal(W, 0.0)
        mean_error = float((W * error).sum() / W.sum())
    else:
        max_pair, mean_error = None, 0.0
    cycle = forward = backward = None
    if m >= 3:
        cycle, forward, backward = _widest_cycle(P, names)
    return BTMisfit(
        reward=fit.reward,
        fitted=pd.DataFrame(fitted, index=names, columns=names),
        sampling=pd.Series(D, index=names, name="D"),
        max_error=float(error.max()),
        max_pair=max_pair,
        mean_error=mean_error,
        cycle=cycle,
        forward=forward,
        backward=backward,
    )


def _widest_cycle(P: np.ndarray, names: list[str]) -> tuple[tuple[str, str, str], float, float]:
    """The triple maximising ``P[a,b] P[b,c] P[c,a] - P[a,c] P[c,b] P[b,a]`` (a rotation of a
    triple has the same products, so ``a`` is its first alternative; O(m^3) time, O(m^2) memory)."""
    m = len(names)
    best, best_gap = (0, 1, 2), -np.inf
    for a in range(m - 2):
        rest = np.arange(a + 1, m)
        Q = P[np.ix_(rest, rest)]
        forward = P[a, rest][:, None] * Q * P[rest, a][None, :]  # [b, c]: a > b > c > a
        gap = forward - forward.T  # minus the reverse cycle a > c > b > a
        np.fill_diagonal(gap, -np.inf)
        i, j = np.unravel_index(int(gap.argmax()), gap.shape)
        if gap[i, j] > best_gap + 1e-15:
            best, best_gap = (a, int(rest[i]), int(rest[j])), float(gap[i, j])
    a, b, c = best
    return (names[a], names[b], names[c]), float(P[a, b] * P[b, c] * P[c, a]), float(P[a, c] * P[c, b] * P[b, a])


def _sampling(population: Population, params: RuleParams) -> pd.Series | None:
    return params.sampling_over(population.alternatives)


# ---------------------------------------------------------------------------- traces
def _sampling_words(D: pd.Series, uniform: bool) -> str:
    return "the uniform distribution" if uniform else "D = " + ", ".join(f"{a} {number_text(x)}" for a, x in D.items())


def _tilt_step(reward: pd.Series, policy: pd.Series, beta: float, what: str, source: str) -> Step:
    finite = np.isfinite(reward.to_numpy(float))
    table = pd.DataFrame({what: reward, f"{what} / beta": reward / beta, "policy": policy})
    zero = "" if finite.all() else " A reward of -inf gets probability 0."
    best = top_names(policy)
    return Step(
        "The policy",
        f"Tilt the uniform reference policy: pi(y) is proportional to exp({what}(y) / beta) "
        f"with beta = {number_text(beta)}, then normalised ({source}). A smaller beta follows the {what} more "
        f"greedily; beta changes the probabilities, never the order.{zero} Most likely: {names_text(best)} "
        f"({number_text(policy.max())}).",
        table,
        tuple(best),
    )


def nbc_trace(population: Population, params: RuleParams) -> list[Step]:
    """NBC under D: the preference matrix, D, and each row of P averaged under D (Shirali et al.,
    Definition 4.1; the sum includes y' = y, where P[y, y] = 1/2)."""
    P, names = matrix_and_names(population)
    D = distribution(_sampling(population, params), names)
    scores = nbc(population, _sampling(population, params))
    table = pd.DataFrame(P, index=names, columns=names)
    table["NBC"] = scores
    best = top_names(scores)
    return [
        Step(
            "Head-to-head win rates",
            "P[y, y']: the chance that a random voter prefers the row to the column "
            "(indifferent voters count half; P[y, y] = 1/2).",
            pd.DataFrame(P, index=names, columns=names),
        ),
        Step(
            "Average against D",
            f"NBC(y; D) = sum over y' of D(y') P[y, y'], y' = y included: the chance that y "
            f"beats a response drawn from {_sampling_words(D, params.sampling is None)} (Shirali et al., "
            f"Definition 4.1). DPO ranks responses in this order (Proposition 4.2). Highest: {names_text(best)} "
            f"({number_text(scores.max())}).",
            table,
            tuple(best),
        ),
    ]


def rlhf_trace(population: Population, params: RuleParams) -> list[Step]:
    """The RLHF / DPO limit step by step: the comparisons seen, the Bradley-Terry fit (its rewards and
    first-order condition, NBC under D), how far one Bradley-Terry model is from P, and the tilt."""
    P, names = matrix_and_names(population)
    sampling = _sampling(population, params)
    D = distribution(sampling, names, allow_zero=False)
    result = rlhf_policy(population, beta=params.beta, sampling=sampling, misfit=True)
    fit = result.certificate
    misfit = fit.misfit
    policy = result.values
    reward = fit.reward
    data = pd.DataFrame(P, index=names, columns=names)
    data["D"] = D
    steps = [
        Step(
            "The comparisons",
            "With unlimited data the reward model sees each pair (a, b) with probability "
            f"D(a) D(b) (pairs drawn from D x D, with {_sampling_words(D, sampling is None)}), labelled "
            "'a wins' with probability P[a, b] (the table: P, and D in the last column).",
            data,
        )
    ]
    if fit.infinite_gaps:
        table = pd.DataFrame({"level": fit.level, "reward within its level": fit.within_level, "reward": reward})
        top_level = [a for a in names if fit.level[a] == 0]
        steps.append(
            Step(
                "The Bradley-Terry fit",
                "Every voter puts some responses below others, so the likelihood "
                "has no finite maximum across those levels: the gap between levels is infinite. Inside each "
                "level the fit is finite; the top level (" + names_text(top_level) + ") keeps finite, "
                "centred rewards and every lower level gets -inf.",
                table,
                tuple(top_level),
            )
        )
    else:
        r = reward.to_numpy(float)
        condition = (D.to_numpy()[None, :] * expit(r[:, None] - r[None, :])).sum(axis=1)
        table = pd.DataFrame(
            {"reward r": reward, "sum_b D(b) sigmoid(r_a - r_b)": condition, "NBC(a; D)": nbc(population, sampling)}
        )
        best = top_names(reward)
        steps.append(
            Step(
                "The Bradley-Terry fit",
                "The reward r maximises the likelihood sum D(a) D(b) P[a, b] "
                "log sigmoid(r_a - r_b) (centred: rewards sum to 0). At the maximum, sum_b D(b) "
                "sigmoid(r_a - r_b) = NBC(a; D) for every a, the two right columns, so the reward orders "
                "the responses like NBC under D (Shirali et al., Proposition 4.2). Highest reward: "
                f"{names_text(best)} ({number_text(reward.max())}).",
                table,
                tuple(best),
            )
        )
    if misfit is not None and len(names) > 1:
        error = pd.DataFrame(P, index=names, columns=names) - misfit.fitted
        text = (
            "The fitted model predicts sigmoid(r_a - r_b) for each pair; the table shows P minus that prediction. "
            f"Largest error {number_text(misfit.max_error)}"
        )
        text += f", at {misfit.max_pair[0]} against {misfit.max_pair[1]}" if misfit.max_pair else ""
        text += f"; average over the pairs D x D draws {number_text(misfit.mean_error)}."
        if misfit.cycle is not None:
            a, b, c = misfit.cycle
            text += (
                f" A single Bradley-Terry model makes P[a,b] P[b,c] P[c,a] equal to P[a,c] P[c,b] P[b,a] for "
                f"every triple (Shirali et al., Proposition B.1); here for {a}, {b}, {c} they are "
                f"{number_text(misfit.forward)} and {number_text(misfit.backward)}."
            )
        text += (
            " One reward reproduces P exactly."
            if misfit.fits_exactly()
            else " One reward cannot reproduce these voters' comparisons."
        )
        steps.append(Step("How well one reward fits", text, error))
    steps.append(
        _tilt_step(
            reward, policy, params.beta, "reward", "the KL-regularised RLHF optimum, and DPO's policy in the limit"
        )
    )
    return steps


def average_reward_trace(population: Population, params: RuleParams) -> list[Step]:
    """The average-reward policy: the user types' rewards, their weighted average, the tilt (Shirali et
    al., eq. (10))."""
    population = as_population(population)
    rewards = population.rewards
    table = rewards.copy()
    table.insert(0, "weight", population.weights)
    average = population.average_reward()
    best = top_names(average)
    policy = average_reward_policy(population, beta=params.beta)
    return [
        Step("The user types", "Each row is a user type: its weight, then its reward for each response.", table),
        Step(
            "The average reward",
            "E_u r_u(y): each response's reward averaged over the user types, weighted by "
            f"their weights. Highest: {names_text(best)} ({number_text(average.max())}).",
            average.to_frame("average reward"),
            tuple(best),
        ),
        _tilt_step(average, policy, params.beta, "average reward", "Shirali et al., eq. (10)"),
    ]


#: The registry entries of this family (see :mod:`.rule`).
ENTRIES = [
    Rule(
        "rlhf",
        "RLHF / DPO limit",
        "the RLHF / DPO policy",
        "The policy RLHF or DPO converges to with unlimited data: fit a Bradley-Terry reward on pairs drawn from "
        "the sampling distribution, then tilt a uniform reference policy by exp(reward / beta).",
        POLICY,
        "probability",
        "alignment",
        (
            Reference("rlhf"),
            Reference("dpo"),
            Reference("heterogeneous", "Proposition 4.2: its order is NBC's under D"),
        ),
        ("beta", "sampling"),
        ANY,
        lambda m, p: rlhf_policy(m, beta=p.beta, sampling=_sampling(m, p), misfit=True),
        trace=rlhf_trace,
    ),
    Rule(
        "nbc",
        "Normalized Borda count",
        "NBC",
        "An alternative's average chance of winning a head-to-head comparison against a response drawn from "
        "the sampling distribution; DPO ranks responses in this order.",
        SCORES,
        "win rate against D",
        "alignment",
        (Reference("heterogeneous", "Definition 4.1"), Reference("hidden_context", "uniform sampling")),
        ("sampling",),
        ANY,
        lambda m, p: nbc(m, _sampling(m, p)),
        trace=nbc_trace,
    ),
    Rule(
        "average_reward",
        "Average-reward policy",
        "the average-reward policy",
        "Tilt a uniform reference policy by exp(average reward / beta), averaging the rewards of all user types.",
        POLICY,
        "probability",
        "alignment",
        (Reference("heterogeneous", "eq. (10)"), Reference("distortion")),
        ("beta",),
        REWARDS,
        lambda m, p: average_reward_policy(m, beta=p.beta),
        trace=average_reward_trace,
    ),
]
