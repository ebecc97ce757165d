"""Test-time scaling: k-sample win rates, robust rates, the (k+1)-player Nash equilibrium (MPNE),
the policy with the best k-sample guarantee, the k-output policy of Theorem 3.1, a fixed
policy sampled l times (Theorem 4.5) and opponents that sample l responses (appendix D.7).

Source: Y. Cai and W. Zheng, *Asymptotic Universal Alignment: A New Alignment Framework via
Test-Time Scaling*, arXiv 2601.08777 (``shared/papers/asymptotic-universal-alignment-test-time-scaling.md``).
A k-output model answers with k independent draws from a single-output policy ``pi`` (the
product policy ``pi^k``, section 2) and the user keeps the one they like best. The model is
*(k, f(k))-robustly aligned* (Definition 1.1) when its win rate against every single-output
policy, equivalently against every single response y, is at least f(k). Every symmetric Nash
equilibrium of the (k+1)-player alignment game (Definition 4.2, utility (3)) reaches
f(k) = k/(k+1) (Theorem 4.3, proof in D.2); no method beats that rate in general
(Propositions 3.2 and 3.3, proofs in C.2 and C.3); NLHF's maximal lottery can stay at
1/2 + eps for every k (Proposition 4.1, proof in D.1).

Conventions (DESIGN.md; they decide the numbers):

* **Rankings** (section 2.1, "Population of Rankings"): sets compare by their best members;
  ``1[y >=_i y']`` counts an identical response (and, in this project, an indifference) for
  the left side. The k-sample win rate of ``pi`` against y is the probability that a random
  voter likes the best of the k draws *at least as much as* y: with ``B_i(y)`` the policy's mass
  strictly below y for voter i, it is ``1 - E_i[B_i(y)^k]``. The MPNE player's utility is the
  probability of being *strictly* preferred to all k draws of the others, ``U(y; pi) =
  E_i[B_i(y)^k]``; so for k = 1 the MPNE need not be the maximal lottery (which gives half a
  point for indifference).
* **User types** (``RewardPopulation``; section 2.1, "Mixtures of Plackett-Luce Models"):
  multisets compare by summed weights ``w_i(y) = exp(r_i(y) / T)``,
  ``P_i[S > S'] = W_i(S) / (W_i(S) + W_i(S'))``. Duplicates count and a response against
  itself gets one half (a response inside the k draws does *not* win outright). The win rate
  against y is ``1 - U(y; pi)`` with ``U(y; pi) = E_i E_{S ~ pi^k}[w_i(y) / (w_i(y) + W_i(S))]``,
  the deviation utility; for k = 1 this is NLHF's game (eq. (1)) on the Bradley-Terry matrix,
  so MPNE_1 is the maximal lottery. See :mod:`.plackett_luce` for the integral form,
  the derivatives and the proof that the game is monotone.
* **Comparison tables and preference matrices** hold only P, read as having no indifference
  between distinct responses: k = 1 only (win rate ``pi_y + sum_{z != y} pi_z P[z, y]``); for
  k > 1 P does not determine how a voter ranks the k draws among themselves, so those
  populations are refused with a message saying why.

In all cases the **robust rate** is ``1 - max_y U(y; pi)``, and at a symmetric equilibrium
``max_y U(y; pi) = E_{y~pi} U(y; pi) <= 1/(k+1)`` (Property 1 (2)): the guarantee is at least
k/(k+1).

How each number is obtained is stated in the result's ``method`` (and an absolute error bound in
its ``error``, 0 where exact):

* rankings: exact closed form, vectorised over voters (each voter's alternatives in worst-first
  order, prepared once per profile; a cumulative sum of the policy gives every ``B_i(y)``);
* user types: exact by enumerating every multiset of k draws from the policy's support with its
  multinomial probability while (multisets x challengers x types) stays within
  :data:`ENUMERATION_BUDGET`; beyond it, numerical integration of the one-dimensional integral
  of :mod:`.plackett_luce` with a stated error bound ("numerical integration, error < ...");
* MPNE and robust policy (:mod:`.games`): an interior-point path-following method for monotone
  variational inequalities (:mod:`.complementarity`) with a Newton polish on the support. Both
  games are monotone (rankings: summation by parts over each voter's levels; user types: the
  integration by parts in :mod:`.plackett_luce`), so the equilibrium set is convex and the
  central path ends in its relative interior, a canonical, relabelling-neutral member when
  there are several. The certificate is the exploitability gap
  ``max_y U(y; pi) - E_{y~pi} U(y; pi)``; for user types it is re-evaluated at the returned
  policy by exact enumeration where that is cheap (the certificate's ``evaluated_by`` says how).

Every worst case (a robust rate's worst opponent, a certificate's) lists *all* the responses tied
for it (:func:`aggregation.outcome.lowest`), in the population's order.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import multisets as _multisets, plackett_luce as _pl_game
from .ranking_game import prepared
from ..validate import distribution, sample_count
from ..errors import AggregationError
from ..populations.base import RANKINGS, USER_TYPES, Population
from ..populations.matrix import as_population
from ..outcome import lowest
from ..populations.preference import matrix_and_names
from ..rules.result import RuleResult, values_of

EXACT_CLOSED_FORM = "exact (closed form)"
EXACT_ENUMERATION = "exact (enumeration)"
NUMERICAL_INTEGRATION = "numerical integration"

#: User types: exact enumeration while (multisets of k draws) x (challengers) x (types) stays below this.
ENUMERATION_BUDGET = 2e7
#: Appendix D.7: opponents' l-response sets are enumerated up to this many.
MAX_OPPONENT_SETS = 20_000
#: ... and while (opponent sets) x (distinct rankings) stays below this (rankings).
OPPONENT_CELLS = 60_000_000


# ============================================================================ win rates
@dataclass(frozen=True, eq=False)
class WinRates:
    """The k-sample win rate of a policy against every response y: ``rates`` (a Series indexed by
    the opponent y), ``method`` (``"exact (closed form)"``, ``"exact (enumeration)"`` or
    ``"numerical integration, error < ..."``), ``error`` (an absolute bound on every entry's error;
    0.0 when exact) and ``k``; ``rates_obj["y"]`` is the rate against y."""

    rates: pd.Series
    method: str
    error: float
    k: int

    def __getitem__(self, opponent) -> float:
        return float(self.rates[opponent])

    @property
    def worst_opponents(self) -> tuple[str, ...]:
        """Every response tied for the lowest rate (:func:`aggregation.outcome.lowest`)."""
        return tuple(str(a) for a in lowest(self.rates))


def kwin_rate(population: Population, policy, k: int) -> WinRates:
    """The k-sample win rate of ``policy`` (a distribution, or a policy :class:`~aggregation.rules.result.RuleResult`)
    against every response y, as :class:`WinRates`."""
    population = as_population(population)
    k = sample_count(k)
    names = population.alternatives
    pi = distribution(values_of(policy), names, what="policy").to_numpy()
    error = 0.0
    if population.kind == RANKINGS:
        rate, method = 1.0 - prepared(population).power_sum(pi, k), EXACT_CLOSED_FORM
    elif population.kind == USER_TYPES:
        U, method, error = _pl_beaten(population, pi, k)
        rate = 1.0 - U
    elif k == 1:
        rate, method = _pairwise_rate(population, pi), EXACT_CLOSED_FORM
    else:
        raise _only_pairwise(population, k)
    out = pd.Series(np.clip(rate, 0.0, 1.0), index=names, name=f"{k}-sample win rate")
    out.index.name = "opponent"
    return WinRates(out, method, float(error), k)


@dataclass(frozen=True, eq=False)
class RobustRate:
    """The worst case of a k-sample win rate: ``rate = min_y kwin_rate(y)``, reached at every one of
    ``worst_opponents`` (all the tied responses, in the population's order); ``error`` bounds the
    error of every rate (0.0 when exact); ``rates`` against every response."""

    rate: float
    worst_opponents: tuple[str, ...]
    method: str
    error: float
    k: int
    rates: pd.Series


def robust_rate(population: Population, policy, k: int) -> RobustRate:
    """The minimum over opponents of :func:`kwin_rate`, with every opponent attaining it."""
    rates = kwin_rate(population, policy, k)
    return RobustRate(
        rate=float(rates.rates.min()),
        worst_opponents=rates.worst_opponents,
        method=rates.method,
        error=rates.error,
        k=rates.k,
        rates=rates.rates,
    )


def _pairwise_rate(population, pi: np.ndarray) -> np.ndarray:
    """k = 1 from P alone (no indifference between distinct responses): pi_y + sum_{z != y} pi_z P[z, y]."""
    P, _ = matrix_and_names(population)
    A = P.copy()
    np.fill_diagonal(A, 1.0)  # an identical response counts for the sampled side
    return pi @ A


def _only_pairwise(population, k: int) -> AggregationError:
    return AggregationError(
        f"k = {k}: this population holds only pairwise win rates (a comparison table or a preference matrix). "
        "Which of k > 1 sampled responses a voter likes best depends on how that voter ranks all of them, "
        "which pairwise rates do not determine; use rankings or user types, or k = 1."
    )


# ---------------------------------------------------------------- user types (Plackett-Luce sets)
def _pl_beaten(population, pi: np.ndarray, k: int, alpha: np.ndarray | None = None) -> tuple[np.ndarray, str, float]:
    """``U[c] = E_i E_{S ~ pi^k}[a_ic / (a_ic + W_i(S))]`` for challengers with log-weights ``alpha``
    (types x C; default: every single response), with how it was obtained and an error bound."""
    rho = _pl_game.log_weights(population)
    alpha = rho if alpha is None else alpha
    shares = population.shares
    size = _pl_game.enumeration_size(pi, k) * alpha.shape[1] * len(shares)
    if size <= ENUMERATION_BUDGET:
        return _pl_game.beaten_exact(rho, shares, pi, k, alpha), EXACT_ENUMERATION, 0.0
    U, error = _pl_game.beaten_by_integration(rho, shares, pi, k, alpha)
    return U, integration_method(error), error


def integration_method(error: float) -> str:
    """``"numerical integration, error < 1e-14"``: the bound rounded up to a power of ten."""
    return f"{NUMERICAL_INTEGRATION}, error < 1e{math.ceil(math.log10(max(error, 1e-300)))}"


def resampling_bound(k: int, l: int) -> float:
    """Theorem 4.5: a policy with the (k, k/(k+1)) guarantee, sampled l times, still wins at
    least ``min(k, l) / (k + 1)`` against every response."""
    k, l = sample_count(k), sample_count(l, "l (the number of samples)")
    return min(k, l) / (k + 1)


def resampling_curve(population: Population, policy, k: int, ls: Iterable[int]) -> pd.DataFrame:
    """A policy computed for k (such as MPNE_k) sampled l times, for each l in ``ls``: its robust
    rate (:func:`robust_rate` with l draws) and Theorem 4.5's bound ``min(k, l)/(k+1)``
    (columns ``"robust rate"``, ``"worst opponent"`` (tied ones joined by ", "),
    ``"bound min(k, l)/(k+1)"``, ``"method"``, ``"error"``; index ``l``)."""
    k = sample_count(k)
    ls = [sample_count(l, "l (the number of samples)") for l in ls]
    if not ls:
        raise AggregationError("resampling_curve needs at least one value of l")
    rows = []
    for l in ls:
        rr = robust_rate(population, policy, l)
        rows.append(
            {
                "robust rate": rr.rate,
                "worst opponent": ", ".join(rr.worst_opponents),
                "bound min(k, l)/(k+1)": min(k, l) / (k + 1),
                "method": rr.method,
                "error": rr.error,
            }
        )
    return pd.DataFrame(rows, index=pd.Index(ls, name="l"))


@dataclass(frozen=True, eq=False)
class OpponentSetsRate:
    """Appendix D.7 (Definition D.4): the worst case, over an opponent's multisets S' of l
    responses, of ``P[pi^k >= S']``; ``bound`` is Theorem D.6's ``(k+1-l)/(k+1)`` (guaranteed for
    MPNE_k) and ``pl_limit`` the appendix's Plackett-Luce limit ``k/(k+l)`` (no method guarantees
    more on every population). ``worst_opponents``: every opponent set tied for the worst case."""

    rate: float
    worst_opponents: tuple[str, ...]
    method: str
    error: float
    k: int
    l: int
    bound: float
    pl_limit: float
    n_sets: int
    rates: pd.Series


def opponent_sets_rate(population: Population, policy, k: int, l: int) -> OpponentSetsRate:
    """The robust rate of ``policy`` sampled k times against opponents that answer with l responses
    (Definition D.4): ``min_{S'} P[pi^k >= S'] = 1 - max_{S'} P[S' > pi^k]`` (antisymmetry).

    Rankings: ``P[S' > pi^k] = E_i[B_i(S')^k]`` with ``B_i(S')`` the policy's mass strictly below
    voter i's favourite in S' (ties go to our side, as in Proposition 2.2's definitions); only
    the *distinct* responses of S' matter and adding one never helps our side, so the worst
    opponents are the sets of ``min(l, m)`` distinct responses. User types:
    ``E_i E_{S ~ pi^k}[W_i(S') / (W_i(S') + W_i(S))]``; duplicates matter, so every multiset of l
    responses is an opponent (exact enumeration or numerical integration, as for
    :func:`kwin_rate`). Enumerated up to :data:`MAX_OPPONENT_SETS` opponent sets; refused beyond.
    """
    population = as_population(population)
    k = sample_count(k)
    l = sample_count(l, "l (the opponent's number of responses)")
    names = population.alternatives
    m = len(names)
    pi = distribution(values_of(policy), names, what="policy").to_numpy()
    bound, pl_limit = (k + 1 - l) / (k + 1), k / (k + l)
    if population.kind == RANKINGS:
        size = min(l, m)
        n_sets = math.comb(m, size)
        prof = population.compressed()
        _refuse_opponents(n_sets, l, m, "sets of distinct responses")
        if n_sets * prof.n_rankings > OPPONENT_CELLS:
            raise AggregationError(
                f"opponents with {l} responses: {n_sets:,} sets x {prof.n_rankings:,} distinct rankings is more than "
                f"the {OPPONENT_CELLS:,} cells computed here; use a smaller l"
            )
        combos = np.array(list(itertools.combinations(range(m), size)), dtype=np.intp)
        U = _ranking_sets_beat(prof, pi, k, combos)
        counts = np.zeros((n_sets, m), dtype=np.int64)
        np.put_along_axis(counts, combos, 1, axis=1)
        method, error = EXACT_CLOSED_FORM, 0.0
    elif population.kind == USER_TYPES:
        n_sets = _multisets.count(m, l)
        _refuse_opponents(n_sets, l, m, "multisets")
        counts = _multisets.compositions(l, m)
        alpha = _pl_game.set_log_weights(_pl_game.log_weights(population), counts)
        U, method, error = _pl_beaten(population, pi, k, alpha)
    elif k == 1 and l == 1:
        counts = np.eye(m, dtype=np.int64)
        n_sets = m
        U, method, error = 1.0 - _pairwise_rate(population, pi), EXACT_CLOSED_FORM, 0.0
    else:
        raise AggregationError(
            f"k = {k}, l = {l}: this population holds only pairwise win rates; comparing sets of responses needs "
            "each voter's full ranking. Use rankings or user types, or k = l = 1."
        )
    rates = pd.Series(
        np.clip(1.0 - U, 0.0, 1.0),
        index=_multisets.labels(counts, names),
        name=f"{k}-sample win rate against {l} responses",
    )
    rates.index.name = "opponent set"
    return OpponentSetsRate(
        rate=float(rates.min()),
        worst_opponents=tuple(lowest(rates)),
        method=method,
        error=error,
        k=k,
        l=l,
        bound=bound,
        pl_limit=pl_limit,
        n_sets=n_sets,
        rates=rates,
    )


def opponent_sets_curve(population: Population, policy, k: int, ls: Iterable[int]) -> pd.DataFrame:
    """:func:`opponent_sets_rate` for each l in ``ls`` (index ``l``; columns ``"robust rate"``,
    ``"worst opponent set"`` (tied ones joined by ", "), ``"Thm D.6 bound (k+1-l)/(k+1)"``,
    ``"PL limit k/(k+l)"``, ``"method"``, ``"error"``)."""
    rows, index = [], []
    for l in ls:
        r = opponent_sets_rate(population, policy, k, l)
        index.append(r.l)
        rows.append(
            {
                "robust rate": r.rate,
                "worst opponent set": ", ".join(r.worst_opponents),
                "Thm D.6 bound (k+1-l)/(k+1)": r.bound,
                "PL limit k/(k+l)": r.pl_limit,
                "method": r.method,
                "error": r.error,
            }
        )
    if not rows:
        raise AggregationError("opponent_sets_curve needs at least one value of l")
    return pd.DataFrame(rows, index=pd.Index(index, name="l"))


def _refuse_opponents(n_sets: int, l: int, m: int, what: str) -> None:
    if n_sets > MAX_OPPONENT_SETS:
        raise AggregationError(
            f"opponents with {l} responses: there are {n_sets:,} {what} of {l} out of {m} responses, more than the "
            f"{MAX_OPPONENT_SETS:,} enumerated here; use a smaller l"
        )


def _ranking_sets_beat(prof, pi: np.ndarray, k: int, combos: np.ndarray) -> np.ndarray:
    """``E_i[B_i(S')^k]`` for each set S' (rows of ``combos``), ``B_i(S')`` the policy's mass strictly
    below voter i's favourite in S'."""
    lv = prof.levels.astype(np.intp)
    n, m = lv.shape
    w = prof.weights / prof.weights.sum()
    flat = (np.arange(n)[:, None] * m + lv).ravel()
    per_level = np.bincount(flat, weights=np.broadcast_to(pi, (n, m)).ravel(), minlength=n * m).reshape(n, m)
    below = pi.sum() - np.cumsum(per_level, axis=1)  # mass at levels > L
    U = np.zeros(len(combos))
    block = max(1, 2_000_000 // max(1, n * combos.shape[1]))
    for start in range(0, len(combos), block):
        best = lv[:, combos[start : start + block]].min(axis=2)  # (n, b)
        U[start : start + block] = w @ np.take_along_axis(below, best, axis=1) ** k
    return U


# ============================================================================ curves
#: A policy for every k (a Series or a policy result), or a family re-solved for each k (``k -> policy``).
PolicyLike = pd.Series | RuleResult | Callable[[int], pd.Series | RuleResult]


@dataclass(frozen=True, eq=False)
class WinRateCurve:
    """Robust k-sample win rates per k (rows) and policy (columns) in ``rates``, which also has the
    column ``"k/(k+1)"``; ``methods`` says how each cell was computed and ``errors`` bounds its
    error (0 where exact)."""

    rates: pd.DataFrame
    methods: pd.DataFrame
    errors: pd.DataFrame


def kwin_curve(population: Population, policies: Mapping[str, PolicyLike], ks: Iterable[int]) -> WinRateCurve:
    """Robust k-sample win rate per k and policy (:class:`WinRateCurve`).

    A policy is a Series or a policy result (the same policy for every k) or a function
    ``k -> policy`` (a family such as MPNE_k, re-solved for each k).
    """
    ks = [sample_count(k) for k in ks]
    if not ks:
        raise AggregationError("kwin_curve needs at least one value of k")
    if not policies:
        raise AggregationError("kwin_curve needs at least one policy")
    rates = pd.DataFrame(index=pd.Index(ks, name="k"), columns=list(policies), dtype=float)
    methods = pd.DataFrame(index=rates.index, columns=list(policies), dtype=object)
    errors = pd.DataFrame(0.0, index=rates.index, columns=list(policies))
    for name, policy in policies.items():
        for k in ks:
            rr = robust_rate(population, policy(k) if callable(policy) else policy, k)
            rates.loc[k, name] = rr.rate
            methods.loc[k, name] = rr.method
            errors.loc[k, name] = rr.error
    rates["k/(k+1)"] = [k / (k + 1) for k in ks]
    return WinRateCurve(rates, methods, errors)


# ============================================================================ helpers
