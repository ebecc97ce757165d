"""Test-time scaling: k-sample win rates, robust rates, the (k+1)-player Nash equilibrium (MPNE)
and the policy with the best k-sample guarantee.

Source: Y. Cai and W. Zheng, *Asymptotic Universal Alignment: A New Alignment Framework via
Test-Time Scaling*, arXiv 2601.08777 (2026). A k-output model answers with k independent
draws from a single-output policy ``pi`` and the user keeps the one they like best. The model
is *(k, f(k))-robustly aligned* when, against every single response y, a random user likes the
best of the k draws at least as much as y with probability at least f(k). The paper shows that
every symmetric Nash equilibrium of the (k+1)-player alignment game reaches f(k) = k/(k+1), that
no method beats this rate in general, and that NLHF's (often deterministic) policy can stay at
1/2 + epsilon for every k. Only the abstract was retrievable here; the statements tested in
``tests/testtime`` are re-derived (see their docstrings).

Conventions (DESIGN.md; ties matter):

* **k-sample win rate** of ``pi`` against y: the probability that a random voter likes the
  best of k independent draws from ``pi`` *at least as much as* y. An identical response and an
  indifference both count for the k-sample side. For voter i let ``B_i(y)`` be the policy's mass
  strictly below y; the rate is ``1 - E_i[B_i(y)^k]``. The **robust rate** is its minimum over y.
* **MPNE**: a player's utility is the probability of being *strictly* preferred to all k draws
  of the others, so deviating to y earns ``U(y; pi) = E_i[B_i(y)^k]`` and the win rate is
  ``1 - U``. At a symmetric equilibrium ``max_y U(y; pi) = E_{y~pi} U(y; pi)``, and
  ``(k+1) E_{y~pi} U(y; pi)`` is the probability that one of k+1 i.i.d. draws is strictly
  preferred to all the others, at most 1: the guarantee is at least k/(k+1). For k = 1 this is
  *not* the maximal lottery, which uses the half-credit matrix P.
* **User types** (``RewardPopulation``): a type-u annotator shown several responses picks by
  Plackett-Luce with weights ``exp(r_u / T)``, i.e. it draws one random ranking (the Gumbel
  random-utility model) and keeps its favourite; identical responses get the same utility. So a
  reward population is a mixture of rankings and every convention above applies unchanged.
* **Comparison tables and preference matrices** hold only P, read as having no indifference
  between distinct responses. For k = 1 the win rate is ``pi_y + sum_{z != y} pi_z P[z, y]``;
  for k > 1 P does not determine how a voter ranks the k draws among themselves, so those
  populations are refused with a message saying why.

How each number is obtained is stated in ``attrs["method"]``:

* rankings: exact closed form, vectorised over voters: each voter's alternatives in worst-first
  order (prepared once per profile and kept while it lives), a cumulative sum of the policy
  along that order gives every ``B_i(y)``, no enumeration of draws;
* user types, k > 1: exact by enumerating the possible *sets of distinct responses* among the
  k draws (each with its exact probability ``k! [x^k] prod_{z in S} (e^{pi_z x} - 1)``; this
  is the multiset enumeration grouped by the set the user actually sees) while that is cheap,
  otherwise Monte Carlo with a standard error per opponent (exact over user types, random
  over draws, seeded);
* MPNE and robust policy: an interior-point path-following method for monotone variational
  inequalities (see :mod:`aggregation._complementarity`) with a Newton polish on the support.
  The game is monotone: for every voter, the Jacobian of ``U`` has a negative semidefinite
  symmetric part on the simplex's tangent space (summation by parts over the voter's levels),
  so the set of equilibria is convex and the central path ends in its relative interior, a
  canonical, relabelling-neutral member when there are several. The certificate is the
  exploitability gap ``max_y U(y; pi) - E_{y~pi} U(y; pi)``; if it stays above the tolerance,
  ``attrs["converged"]`` is False and the gap says how far from an equilibrium the policy is.
"""
from __future__ import annotations

import itertools
import math
import weakref
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import _complementarity
from ._ranking_game import MatrixGame, RankingGame, SortedRankings
from ._validate import distribution
from .errors import AggregationError
from .preference import matrix_and_names

EXACT_CLOSED_FORM = "exact (closed form)"
EXACT_ENUMERATION = "exact (enumeration)"
MONTE_CARLO = "Monte Carlo"

#: Largest number of draws accepted.
MAX_K = 1000
#: Default accuracy of ``mpne`` and ``robust_policy`` (exploitability / duality gap).
GAP_TOLERANCE = 1e-9
#: User types are expanded into all m! rankings for the games when m! is at most this.
MAX_EXPANDED_RANKINGS = math.factorial(8)
#: Enumeration for user types is used while (#sets of distinct draws) x m x (#types) stays below this.
ENUMERATION_BUDGET = 2e7
#: Default number of Monte Carlo samples (each: k draws; exact over user types).
MC_SAMPLES = 20_000
#: Exponents are clipped here so that exp() stays finite (the ratio it feeds is then < e^-600).
_MAX_EXPONENT = 600.0


# ============================================================================ win rates
def kwin_rate(model, policy, k: int, *, samples: int = MC_SAMPLES, seed: int = 0) -> pd.Series:
    """The k-sample win rate of ``policy`` against every response y (a Series indexed by y).

    ``attrs["method"]`` is ``"exact (closed form)"``, ``"exact (enumeration)"`` or
    ``"Monte Carlo"``; ``attrs["standard_error"]`` is a Series for Monte Carlo, else None.
    ``samples`` and ``seed`` only matter for Monte Carlo (user types with many alternatives).
    """
    k = _check_k(k)
    names = _names(model)
    pi = distribution(policy, names, what="policy").to_numpy()
    se = None
    if hasattr(model, "levels"):
        rate, method = 1.0 - _sorted_rankings(model).power_sum(pi, k), EXACT_CLOSED_FORM
    elif k == 1:
        rate, method = _pairwise_rate(model, pi), EXACT_CLOSED_FORM
    elif hasattr(model, "rewards"):
        if _enumeration_size(pi, k) * len(names) * len(model.types) <= ENUMERATION_BUDGET:
            rate, method = 1.0 - _pl_opponent_wins_enumerated(model, pi, k), EXACT_ENUMERATION
        else:
            opp, opp_se = _pl_opponent_wins_monte_carlo(model, pi, k, samples, seed)
            rate, method = 1.0 - opp, MONTE_CARLO
            se = pd.Series(opp_se, index=names, name="standard error")
    else:
        raise _only_pairwise(model, k)
    out = pd.Series(np.clip(rate, 0.0, 1.0), index=names, name=f"{k}-sample win rate")
    out.index.name = "opponent"
    out.attrs = {"method": method, "standard_error": se, "k": k}
    return out


@dataclass(frozen=True, eq=False)
class RobustRate:
    """The worst case of a k-sample win rate: ``rate = min_y kwin_rate(y)``, reached at ``opponent``."""

    rate: float
    opponent: str
    method: str
    standard_error: float | None
    k: int
    rates: pd.Series


def robust_rate(model, policy, k: int, **options) -> RobustRate:
    """The minimum over opponents of :func:`kwin_rate` (ties: the first opponent in order).

    For Monte Carlo, ``standard_error`` is that of the minimising opponent's estimate (the
    minimum of noisy estimates is biased slightly downwards; compare it with the error bar).
    """
    rates = kwin_rate(model, policy, k, **options)
    opponent = str(rates.idxmin())
    se = rates.attrs["standard_error"]
    return RobustRate(rate=float(rates[opponent]), opponent=opponent, method=rates.attrs["method"],
                      standard_error=None if se is None else float(se[opponent]), k=rates.attrs["k"],
                      rates=rates)


#: Per-profile preparation of the closed form (worst-first orders), kept while the profile lives.
_PREPARED: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _sorted_rankings(profile) -> SortedRankings:
    prepared = _PREPARED.get(profile)
    if prepared is None:
        prepared = SortedRankings(profile.levels, profile.weights)
        _PREPARED[profile] = prepared
    return prepared


def _pairwise_rate(model, pi: np.ndarray) -> np.ndarray:
    """k = 1 from P alone (no indifference between distinct responses): pi_y + sum_{z != y} pi_z P[z, y]."""
    P, _ = matrix_and_names(model)
    A = P.copy()
    np.fill_diagonal(A, 1.0)            # an identical response counts for the sampled side
    return pi @ A


def _only_pairwise(model, k: int) -> AggregationError:
    return AggregationError(
        f"k = {k}: this population holds only pairwise win rates (a comparison table or a preference matrix). "
        "Which of k > 1 sampled responses a voter likes best depends on how that voter ranks all of them, "
        "which pairwise rates do not determine; use rankings or user types, or k = 1.")


# ---------------------------------------------------------------- user types (Plackett-Luce)
def _exp_differences(population) -> np.ndarray:
    """``E[u, y, z] = exp((r_u(z) - r_u(y)) / T)`` (clipped above so that it stays finite)."""
    R = population.rewards.to_numpy(float) / population.temperature
    return np.exp(np.minimum(R[:, None, :] - R[:, :, None], _MAX_EXPONENT))


def _enumeration_size(pi: np.ndarray, k: int) -> int:
    s = int((pi > 0).sum())
    return sum(math.comb(s, j) for j in range(1, min(k, s) + 1))


def _set_probabilities(p: np.ndarray, combos: np.ndarray, k: int) -> np.ndarray:
    """P(the distinct responses among k draws are exactly S) = k! [x^k] prod_{z in S} (e^{p_z x} - 1)."""
    orders = np.arange(k + 1)
    factorials = np.array([math.factorial(int(d)) for d in orders], dtype=float)
    series = p[combos][:, :, None] ** orders / factorials          # (N, j, k+1), entry d = p^d / d!
    series[:, :, 0] = 0.0
    poly = series[:, 0, :]
    for col in range(1, combos.shape[1]):
        nxt = series[:, col, :]
        new = np.zeros_like(poly)
        for d in range(2, k + 1):
            new[:, d] = (poly[:, 1:d] * nxt[:, d - 1:0:-1]).sum(axis=1)
        poly = new
    return math.factorial(k) * poly[:, k]


def _pl_opponent_wins_enumerated(population, pi: np.ndarray, k: int) -> np.ndarray:
    """Exact probability that y is strictly preferred to all k draws, for every y."""
    support = np.flatnonzero(pi > 0)
    E = _exp_differences(population)[:, :, support]                  # (types, m, s)
    shares = population.shares
    m = len(pi)
    opp = np.zeros(m)
    total = 0.0
    for size in range(1, min(k, len(support)) + 1):
        for combos in _combination_chunks(len(support), size):
            prob = _set_probabilities(pi[support], combos, k)
            total += prob.sum()
            present = np.zeros((len(combos), len(support)))
            np.put_along_axis(present, combos, 1.0, axis=1)
            for u, share in enumerate(shares):
                ratio = 1.0 / (1.0 + present @ E[u].T)                   # (N, m): y beats the set
                ratio[:, support] *= 1.0 - present                       # y among the draws: the draws win
                opp += share * (prob @ ratio)
    if abs(total - 1.0) > 1e-9:  # pragma: no cover - a bug guard, never a user error
        raise AggregationError(f"internal error: set probabilities sum to {total!r}")
    return opp


def _combination_chunks(s: int, size: int, chunk: int = 50_000):
    it = itertools.combinations(range(s), size)
    while True:
        block = list(itertools.islice(it, chunk))
        if not block:
            return
        yield np.array(block, dtype=np.intp).reshape(len(block), size)


def _pl_opponent_wins_monte_carlo(population, pi: np.ndarray, k: int, samples: int, seed: int):
    try:
        samples = int(samples)
    except (TypeError, ValueError):
        raise AggregationError(f"samples must be an integer, got {samples!r}") from None
    if samples < 2:
        raise AggregationError(f"samples must be at least 2, got {samples}")
    rng = np.random.default_rng(seed)
    m = len(pi)
    E = _exp_differences(population)
    acc = np.zeros(m)
    acc2 = np.zeros(m)
    done = 0
    while done < samples:
        n = min(5_000, samples - done)
        draws = rng.choice(m, size=(n, k), p=pi)
        present = np.zeros((n, m))
        np.put_along_axis(present, draws, 1.0, axis=1)
        value = np.zeros((n, m))
        for u, share in enumerate(population.shares):
            value += share / (1.0 + present @ E[u].T)
        value *= 1.0 - present
        acc += value.sum(axis=0)
        acc2 += (value ** 2).sum(axis=0)
        done += n
    mean = acc / samples
    var = np.maximum(acc2 / samples - mean ** 2, 0.0) * samples / (samples - 1)
    return mean, np.sqrt(var / samples)


def plackett_luce_profile(population, max_rankings: int = MAX_EXPANDED_RANKINGS):
    """Every strict ranking of a reward population's alternatives, weighted by its probability
    under the mixture of Plackett-Luce types (type shares times ``prod_j w_j / sum_{l >= j} w_l``
    with ``w = exp(r_u / T)``). Exact; limited to ``m! <= max_rankings`` rankings."""
    from .profile import Profile

    names = list(population.alternatives)
    m = len(names)
    if math.factorial(m) > max_rankings:
        raise AggregationError(
            f"expanding {m} alternatives into all {m}! = {math.factorial(m):,} rankings is too large "
            f"(limit {max_rankings:,}, i.e. at most 8 alternatives); use rankings sampled from the population instead")
    perms = np.array(list(itertools.permutations(range(m))), dtype=np.intp)
    R = population.rewards.to_numpy(float) / population.temperature          # (types, m)
    prob = np.zeros(len(perms))
    for u, share in enumerate(population.shares):
        r = R[u][perms]                                                        # (m!, m)
        tail = np.logaddexp.accumulate(r[:, ::-1], axis=1)[:, ::-1]            # logsumexp of r[j:]
        logp = (r - tail).sum(axis=1)
        prob += share * np.exp(logp)
    keep = prob > 0
    return Profile.from_orders(perms[keep], names, prob[keep])


# ============================================================================ the games
def _game(model, k: int):
    """The game object and a phrase saying which population it is solved over."""
    names = _names(model)
    if hasattr(model, "levels"):
        prof = model.compressed()
        return RankingGame(prof.levels, prof.weights, k), f"the {prof.n_rankings} distinct rankings of the profile"
    if k == 1:
        P, _ = matrix_and_names(model)
        A = P.copy()
        np.fill_diagonal(A, 0.0)             # strict preference only (no indifference between distinct responses)
        return MatrixGame(A), "the pairwise preference matrix (k = 1 needs nothing more)"
    if hasattr(model, "rewards"):
        if math.factorial(len(names)) > MAX_EXPANDED_RANKINGS:
            raise AggregationError(
                f"k = {k}: for user types the {k + 1}-player game is solved exactly over all rankings of the "
                f"alternatives, which is done up to 8 alternatives; this population has {len(names)}. "
                "Use k = 1, fewer alternatives, or a profile of rankings sampled from the population.")
        prof = plackett_luce_profile(model)
        return (RankingGame(prof.levels, prof.weights, k),
                f"all {prof.n_rankings} rankings of the Plackett-Luce user types, weighted by their probabilities")
    raise _only_pairwise(model, k)


def mpne(model, k: int, *, tol: float = GAP_TOLERANCE) -> pd.Series:
    """The symmetric Nash equilibrium policy of the (k+1)-player alignment game.

    ``attrs``: ``gap`` (exploitability: ``max_y U(y; pi) - E_{y~pi} U(y; pi)``, computed afresh
    at the returned policy), ``converged`` (``gap <= tol``; when False the policy is **not** an
    equilibrium, only the best point found, and ``gap`` says by how much a deviation gains),
    ``guarantee`` (its robust k-sample win rate, ``1 - max_y U``; at least ``k/(k+1) - gap``),
    ``equilibrium_utility``, ``opponent`` (the response attaining the guarantee), ``method``,
    ``k``, ``iterations``. When several equilibria exist, the limit of the central path is
    returned: a point of the relative interior of the (convex) equilibrium set, the same one
    whatever the order or names of the alternatives.
    """
    k = _check_k(k)
    names = _names(model)
    game, over = _game(model, k)
    m = len(names)
    if m == 1:
        pi, iterations = np.ones(1), 0
    else:
        sol = _complementarity.solve(lambda x: -game.utility(x), lambda x: -game.jacobian(x), [m], tol=tol)
        pi, iterations = _clean(sol.x), sol.iterations
    U = game.utility(pi)
    gap = max(float(U.max() - pi @ U), 0.0)
    out = pd.Series(pi, index=names, name=f"MPNE (k = {k})")
    out.attrs = {
        "k": k,
        "gap": gap,
        "converged": bool(gap <= tol),
        "guarantee": float(1.0 - U.max()),
        "opponent": names[int(U.argmax())],
        "equilibrium_utility": float(pi @ U),
        "iterations": iterations,
        "method": f"interior-point path following + Newton polish (monotone game) over {over}",
    }
    return out


def robust_policy(model, k: int, *, tol: float = GAP_TOLERANCE) -> pd.Series:
    """The single-output policy whose k-sample robust win rate is largest.

    Solves ``min_pi max_y U(y; pi)``: each ``U(y; pi) = E_i[B_i(y)^k]`` is a sum of k-th powers
    of linear functions of ``pi``, hence convex, so this is a convex program. It is solved as
    the saddle point of ``sum_y lam_y U(y; pi)`` (convex in ``pi``, linear in the opponent mix
    ``lam``) by the same interior-point method as :func:`mpne` (much faster than a generic conic
    solver here; ``tests/testtime`` checks it against cvxpy). For user types (k > 1) the program
    is solved exactly over all rankings of the Plackett-Luce types (up to 8 alternatives); for
    k = 1 over the pairwise matrix.

    ``attrs``: ``guarantee`` (the robust rate of the returned policy), ``best_possible`` (a
    certified upper bound on any policy's robust rate, from the duality gap),
    ``optimality_gap`` (``best_possible - guarantee``), ``converged`` (``optimality_gap <= tol``),
    ``worst_opponents`` (the optimal opponent mix ``lam``), ``opponent``, ``method``, ``k``.
    Its guarantee is at least the MPNE's (the MPNE is one candidate policy).
    """
    k = _check_k(k)
    names = _names(model)
    game, over = _game(model, k)
    m = len(names)
    if m == 1:
        pi, lam, iterations = np.ones(1), np.ones(1), 0
    else:
        def F(z):
            p, q = z[:m], z[m:]
            return np.concatenate([game.gradient_of_mix(p, q), -game.utility(p)])

        def DF(z):
            p, q = z[:m], z[m:]
            J = game.jacobian(p)
            return np.block([[game.hessian_of_mix(p, q), J.T], [-J, np.zeros((m, m))]])

        sol = _complementarity.solve(F, DF, [m, m], tol=tol)
        pi, lam, iterations = _clean(sol.x[:m]), _clean(sol.x[m:]), sol.iterations
    U = game.utility(pi)
    g = game.gradient_of_mix(pi, lam)
    lower = float(lam @ U + g.min() - g @ pi)       # min over policies of the linearised lam-mix
    gap = max(float(U.max()) - lower, 0.0)
    out = pd.Series(pi, index=names, name=f"robust policy (k = {k})")
    out.attrs = {
        "k": k,
        "guarantee": float(1.0 - U.max()),
        "best_possible": float(1.0 - lower),
        "optimality_gap": gap,
        "converged": bool(gap <= tol),
        "worst_opponents": pd.Series(lam, index=names, name="worst-case opponent mix"),
        "opponent": names[int(U.argmax())],
        "iterations": iterations,
        "method": f"convex program min_pi max_y U(y; pi), interior-point saddle-point solver over {over}",
    }
    return out


# ============================================================================ curves
PolicyLike = pd.Series | Callable[[int], pd.Series]


def kwin_curve(model, policies: Mapping[str, PolicyLike], ks: Iterable[int], **options) -> pd.DataFrame:
    """Robust k-sample win rate per k (rows) and policy (columns), plus the column ``"k/(k+1)"``.

    A policy is a Series (the same policy for every k) or a function ``k -> Series`` (a family
    such as MPNE_k, re-solved for each k). ``attrs["method"]`` is a DataFrame of the method
    used per cell; ``attrs["standard_error"]`` a DataFrame (NaN where exact) or None.
    """
    ks = [_check_k(k) for k in ks]
    if not ks:
        raise AggregationError("kwin_curve needs at least one value of k")
    if not policies:
        raise AggregationError("kwin_curve needs at least one policy")
    rates = pd.DataFrame(index=pd.Index(ks, name="k"), columns=list(policies), dtype=float)
    methods = pd.DataFrame(index=rates.index, columns=list(policies), dtype=object)
    errors = pd.DataFrame(np.nan, index=rates.index, columns=list(policies))
    for name, policy in policies.items():
        for k in ks:
            rr = robust_rate(model, policy(k) if callable(policy) else policy, k, **options)
            rates.loc[k, name] = rr.rate
            methods.loc[k, name] = rr.method
            if rr.standard_error is not None:
                errors.loc[k, name] = rr.standard_error
    rates["k/(k+1)"] = [k / (k + 1) for k in ks]
    rates.attrs = {"method": methods, "standard_error": errors if errors.notna().any().any() else None}
    return rates


def uniform_policy(model) -> pd.Series:
    names = _names(model)
    return pd.Series(np.full(len(names), 1.0 / len(names)), index=names, name="uniform")


def standard_policies(model, *, beta: float = 1.0, sampling=None, k: int | None = None) -> dict[str, PolicyLike]:
    """The policies the dashboard compares under test-time sampling, by display name:

    * ``"RLHF / DPO (Borda-like)"``: :func:`rlhf_policy` with ``beta`` and the sampling
      distribution (ranks like NBC under it; like Borda when uniform);
    * ``"NLHF (maximal lottery)"``: :func:`maximal_lottery`;
    * ``"average reward"``: :func:`average_reward_policy` (user types only);
    * ``"MPNE_k"``: :func:`mpne` for the given ``k``, or, with ``k=None``, the function
      ``k -> mpne(model, k)`` so that a curve re-solves it per k (left out where the game
      cannot be solved: pairwise-only populations, user types over more than 8 alternatives);
    * ``"uniform"``.
    """
    from .limits import average_reward_policy, rlhf_policy
    from .lottery import maximal_lottery

    out: dict[str, PolicyLike] = {
        "RLHF / DPO (Borda-like)": rlhf_policy(model, beta=beta, sampling=sampling),
        "NLHF (maximal lottery)": maximal_lottery(model),
    }
    if hasattr(model, "average_reward"):
        out["average reward"] = average_reward_policy(model, beta=beta)
    if _games_supported(model):
        out["MPNE_k"] = (lambda kk: mpne(model, kk)) if k is None else mpne(model, k)
    out["uniform"] = uniform_policy(model)
    return out


def _games_supported(model) -> bool:
    if hasattr(model, "levels"):
        return True
    if hasattr(model, "rewards"):
        return math.factorial(len(model.alternatives)) <= MAX_EXPANDED_RANKINGS
    return False


# ============================================================================ helpers
def _names(model) -> list[str]:
    if hasattr(model, "alternatives"):
        return list(model.alternatives)
    _, names = matrix_and_names(model)
    return names


def _check_k(k) -> int:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        if isinstance(k, float) and k.is_integer():
            k = int(k)
        else:
            raise AggregationError(f"k (the number of sampled responses) must be a whole number, got {k!r}")
    k = int(k)
    if not 1 <= k <= MAX_K:
        raise AggregationError(f"k (the number of sampled responses) must be between 1 and {MAX_K}, got {k}")
    return k


def _clean(x: np.ndarray) -> np.ndarray:
    x = np.where(x > 0, x, 0.0)
    return x / x.sum()
