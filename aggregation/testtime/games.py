"""The (k+1)-player alignment game (Cai & Zheng, arXiv 2601.08777, Definition 4.2): its symmetric Nash
equilibrium MPNE_k (Theorem 4.3) and the single-output policy with the best k-sample guarantee,
both solved by the interior-point method of :mod:`.complementarity` (see :mod:`.rates` for the
conventions that decide the numbers)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..populations.base import RANKINGS, USER_TYPES, Population
from ..populations.matrix import as_population
from ..outcome import winners
from ..populations.preference import matrix_and_names
from ..validate import sample_count
from ..rules.alignment import average_reward_policy, rlhf_policy
from ..rules.lotteries import maximal_lottery, uniform_policy
from ..rules.result import EquilibriumCertificate, RobustCertificate, RuleResult
from .rates import EXACT_CLOSED_FORM, PolicyLike, _only_pairwise, _pl_beaten
from . import complementarity as _complementarity, plackett_luce as _pl_game
from .ranking_game import MatrixGame, RankingGame, prepared
from . import warm_start as _warm


#: Default accuracy of ``mpne`` and ``robust_policy`` (exploitability / duality gap).
GAP_TOLERANCE = 1e-9
#: Games with more rows than this (distinct rankings, or user types) take the Newton steps' derivatives
#: from a weighted sample of this many rows (see :func:`mpne`); the values are always exact.
DERIVATIVE_ROWS = 2048


# ============================================================================ the games
@dataclass
class _Game:
    """A game object (``utility``, ``jacobian``, ``gradient_of_mix``, ``hessian_of_mix``), the
    population it is solved over in words, and how the certificate is evaluated at the end;
    ``derivatives``: the game whose ``jacobian`` and ``hessian_of_mix`` the Newton steps use (the
    game itself, or the same game on a weighted sample of its rows: :func:`_derivative_game`)."""

    game: object
    over: str
    certify: Callable[[np.ndarray], tuple[np.ndarray, str]]
    derivatives: object = None

    def __post_init__(self):
        if self.derivatives is None:
            self.derivatives = self.game

    @property
    def sampled(self) -> str:
        """Words for the explanation when the Newton steps differentiate a sample ('' otherwise)."""
        if self.derivatives is self.game:
            return ""
        rows = self.derivatives.n if isinstance(self.derivatives, RankingGame) else len(self.derivatives.rho)
        return (
            f" (the steps' Jacobian from a weighted sample of {rows:,} of them; every value and the certificate exact)"
        )


def systematic_sample(weights: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """A deterministic weighted sample of ``size`` draws from rows with ``weights``: the rows
    holding the points ``(j + 1/2) / size`` of the cumulative normalised weights (systematic
    sampling, unbiased for any sum over rows), as (distinct row indices, how many draws each)."""
    w = np.asarray(weights, float)
    cum = np.cumsum(w / w.sum())
    points = (np.arange(size) + 0.5) / size
    rows = np.minimum(np.searchsorted(cum, points, side="right"), len(w) - 1)
    return np.unique(rows, return_counts=True)


def _derivative_game(population, game, k: int, rows: int | None):
    """The game the Newton steps differentiate. Up to ``rows`` rows (default :data:`DERIVATIVE_ROWS`):
    the game itself. Beyond: the same game on a systematic weighted sample of ``rows`` of its rows
    (rankings or user types), so that a Jacobian or Hessian costs O(rows m^2) instead of O(n m^2).

    Why the answer does not change: the solver's iterates, its centring test, the polish's residual
    and the certificate all evaluate the exact utility ``U`` (O(n m)); the Jacobian only chooses the
    direction of each step (an inexact Newton method). The sampled game is itself a population, so
    its Jacobian is monotone like the exact one, and it differs from the exact one by about
    ``1/sqrt(rows)``, which slows Newton's quadratic convergence to a fast linear one. The points
    the path aims at (``x_i s_i = mu`` with the exact ``F``) and the final polish (``F_S(x) = c``
    with the exact ``F``) are those of the exact path; ``tests/testtime/test_scale.py`` checks
    that both paths agree to 1e-9.
    """
    limit = DERIVATIVE_ROWS if rows is None else int(rows)
    if population.kind == RANKINGS:
        if game.n <= limit:
            return game
        idx, counts = systematic_sample(game.w, limit)
        return RankingGame(game.levels[idx], counts.astype(float), k)
    if isinstance(game, _pl_game.SetGame):
        if len(game.rho) <= limit:
            return game
        idx, counts = systematic_sample(game.shares, limit)
        return _pl_game.SetGame(game.rho[idx], counts.astype(float), k)
    return game


def _game(population, k: int, derivative_rows: int | None = None) -> _Game:
    g = _exact_game(population, k)
    g.derivatives = _derivative_game(population, g.game, k, derivative_rows)
    return g


def _exact_game(population, k: int) -> _Game:
    if population.kind == RANKINGS:
        prof = population.compressed()
        game = RankingGame(prof.levels, prof.weights, k, sorted=prepared(prof))
        return _Game(
            game,
            f"the {prof.n_rankings} distinct rankings of the profile",
            lambda pi: (game.utility(pi), EXACT_CLOSED_FORM),
        )
    if population.kind == USER_TYPES:
        if k == 1:
            P = population.preference_matrix().to_numpy(float)  # a response against itself: one half
            game = MatrixGame(P)
            return _Game(
                game,
                "the Bradley-Terry preference matrix of the user types (for k = 1 the Plackett-Luce "
                "set comparison is a pairwise comparison: NLHF's game, eq. (1))",
                lambda pi: (game.utility(pi), EXACT_CLOSED_FORM),
            )
        game = _pl_game.SetGame(_pl_game.log_weights(population), population.shares, k)

        def certify(pi):
            U, method, error = _pl_beaten(population, pi, k)
            return U, method

        n = len(population.types)
        return _Game(
            game,
            f"the Plackett-Luce set comparison of the {n} user type{'s' if n != 1 else ''} "
            f"(section 2.1), integrated over t with {game.nodes:,} Gauss-Legendre nodes",
            certify,
        )
    if k == 1:
        P, _ = matrix_and_names(population)
        A = P.copy()
        np.fill_diagonal(A, 0.0)  # strict preference only (no indifference between distinct responses)
        game = MatrixGame(A)
        return _Game(
            game,
            "the pairwise preference matrix (k = 1 needs nothing more)",
            lambda pi: (game.utility(pi), EXACT_CLOSED_FORM),
        )
    raise _only_pairwise(population, k)


def mpne(
    population: Population, k: int, *, tol: float = GAP_TOLERANCE, derivative_rows: int | None = None, progress=None
) -> RuleResult:
    """The symmetric Nash equilibrium policy of the (k+1)-player alignment game (Definition 4.2),
    with its :class:`~aggregation.rules.result.EquilibriumCertificate`: the exploitability ``gap``
    (computed afresh at the returned policy; ``converged`` when ``gap <= tol``, otherwise the policy
    is **not** an equilibrium, only the best point found), the ``guarantee`` (its robust k-sample win
    rate, at least ``k/(k+1) - gap`` by Theorem 4.3) and every response attaining it. When several
    equilibria exist, the limit of the central path is returned: a point of the relative interior
    of the (convex) equilibrium set, the same one whatever the order or names of the alternatives.

    Large populations: every value the solver and the certificate use is exact and costs O(n m)
    (n distinct rankings or user types, m responses); the Newton steps' Jacobian is taken from a
    weighted sample of ``derivative_rows`` rows (default :data:`DERIVATIVE_ROWS`) when the
    population has more (:func:`_derivative_game` says why the answer is the same); pass a number
    at least the row count to differentiate the whole population (the exact path). Should the
    sampled Jacobian fail to make progress, the solver continues with the exact one. A variation of a
    population solved before (the property checks': a voter moved, a group of voters, the alternatives
    renamed) starts from that solution, and the answer is kept only where it is certified to be the
    same (:mod:`.warm_start`).

    ``progress``: an optional ``progress(fraction) -> bool`` called as the solver advances; when it
    returns False the solve stops with :class:`aggregation.errors.Cancelled`.
    """
    population = as_population(population)
    k = sample_count(k)
    names = population.alternatives
    m = len(names)
    warm = _warm.mpne(population, k, tol) if m > 1 else None
    if warm is not None:
        pi, U, iterations = warm
        evaluated_by, method = EXACT_CLOSED_FORM, _warm.METHOD
    else:
        g = _game(population, k, derivative_rows)
        if m == 1:
            pi, iterations = np.ones(1), 0
        else:
            sol = _complementarity.solve(
                lambda x: -g.game.utility(x),
                lambda x: -g.derivatives.jacobian(x),
                [m],
                tol=tol,
                progress=progress,
                exact_DF=None if g.derivatives is g.game else lambda x: -g.game.jacobian(x),
            )
            pi, iterations = _clean(sol.x), sol.iterations
        U, evaluated_by = g.certify(pi)
        if m > 1:
            _remember(population, ("mpne", k, tol), pi, g, U=U)
        method = f"interior-point path following + Newton polish (monotone game) over {g.over}{g.sampled}"
    gap = max(float(U.max() - pi @ U), 0.0)
    certificate = EquilibriumCertificate(
        k=k,
        gap=gap,
        converged=bool(gap <= tol),
        guarantee=float(1.0 - U.max()),
        worst_opponents=_attaining(U, names),
        equilibrium_utility=float(pi @ U),
        iterations=iterations,
        evaluated_by=evaluated_by,
    )
    return RuleResult(
        pd.Series(pi, index=names, name=f"MPNE (k = {k})"),
        certificate,
        method,
    )


def robust_policy(
    population: Population, k: int, *, tol: float = GAP_TOLERANCE, derivative_rows: int | None = None, progress=None
) -> RuleResult:
    """The single-output policy whose k-sample robust win rate is largest.

    Solves ``min_pi max_y U(y; pi)``. Each ``U(y; pi)`` is convex in ``pi`` on the simplex
    (rankings: a sum of k-th powers of linear functions; user types: an integral of
    ``phi(t)^k`` with ``phi`` linear and non-negative), so this is a convex program. It is solved
    as the saddle point of ``sum_y lam_y U(y; pi)`` (convex in ``pi``, linear in the opponent mix
    ``lam``) by the same interior-point method as :func:`mpne` (much faster than a generic conic
    solver here; ``tests/testtime`` checks it against cvxpy).

    Its :class:`~aggregation.rules.result.RobustCertificate`: the ``guarantee`` (the robust rate of
    the returned policy), ``best_possible`` (a certified upper bound on any policy's robust rate,
    from the duality gap), ``optimality_gap``, ``converged`` (``optimality_gap <= tol``), the
    optimal ``opponent_mix`` and every response attaining the guarantee. Its guarantee is at least
    the MPNE's (the MPNE is one candidate policy). ``derivative_rows`` and variations of a population solved
    before: as for :func:`mpne`.
    """
    population = as_population(population)
    k = sample_count(k)
    names = population.alternatives
    m = len(names)
    warm = _warm.robust(population, k, tol) if m > 1 else None
    if warm is not None:
        pi, lam, U, grad, iterations = warm
        return _robust_result(names, k, tol, pi, lam, U, grad, iterations, EXACT_CLOSED_FORM, _warm.METHOD)
    g = _game(population, k, derivative_rows)
    game, deriv = g.game, g.derivatives
    if m == 1:
        pi, lam, iterations = np.ones(1), np.ones(1), 0
    else:

        def F(z):
            U, grad = _value_and_mix_gradient(g, z[:m], z[m:])
            return np.concatenate([grad, -U])

        def derivative(game_):
            def DF(z):
                p, q = z[:m], z[m:]
                J = game_.jacobian(p)
                return np.block([[game_.hessian_of_mix(p, q), J.T], [-J, np.zeros((m, m))]])

            return DF

        sol = _complementarity.solve(
            F,
            derivative(deriv),
            [m, m],
            tol=tol,
            progress=progress,
            exact_DF=None if deriv is game else derivative(game),
        )
        pi, lam, iterations = _clean(sol.x[:m]), _clean(sol.x[m:]), sol.iterations
    U, evaluated_by = g.certify(pi)
    grad = _value_and_mix_gradient(g, pi, lam)[1]
    if m > 1:
        _remember(population, ("robust", k, tol), np.concatenate([pi, lam]), g, U=U, grad=grad)
    method = f"convex program min_pi max_y U(y; pi), interior-point saddle-point solver over {g.over}{g.sampled}"
    return _robust_result(names, k, tol, pi, lam, U, grad, iterations, evaluated_by, method)


def _robust_result(names, k, tol, pi, lam, U, grad, iterations, evaluated_by, method) -> RuleResult:
    """The robust policy's result and certificate from ``U(pi)`` and the gradient ``J(pi)^T lam``."""
    lower = float(lam @ U + grad.min() - grad @ pi)  # min over policies of the linearised lam-mix
    gap = max(float(U.max()) - lower, 0.0)
    certificate = RobustCertificate(
        k=k,
        guarantee=float(1.0 - U.max()),
        best_possible=float(1.0 - lower),
        optimality_gap=gap,
        converged=bool(gap <= tol),
        opponent_mix=pd.Series(lam, index=names, name="worst-case opponent mix"),
        worst_opponents=_attaining(U, names),
        iterations=iterations,
        evaluated_by=evaluated_by,
    )
    return RuleResult(
        pd.Series(pi, index=names, name=f"robust policy (k = {k})"),
        certificate,
        method,
    )


def _remember(population, key: tuple, x: np.ndarray, g: _Game, **values) -> None:
    """Keep a full solve of a population of rankings, and its exact values there, for its variations
    (:mod:`.warm_start`)."""
    if isinstance(g.game, RankingGame):
        _warm.remember(population, key, x, g.game.sorted, **values)


def _value_and_mix_gradient(g: _Game, pi: np.ndarray, lam: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``U(pi)`` and ``J(pi)^T lam``: for rankings on the large-population path in one O(n m) pass
    (:meth:`SortedRankings.power_sum_and_gradient`); otherwise the game's own two methods (the exact
    path, as it always was)."""
    game = g.game
    if isinstance(game, RankingGame) and g.derivatives is not game:
        return game.sorted.power_sum_and_gradient(pi, lam, game.k)
    return game.utility(pi), game.gradient_of_mix(pi, lam)


def _attaining(U: np.ndarray, names: list[str]) -> tuple[str, ...]:
    """Every response whose deviation utility ties the largest: the opponents attaining the guarantee."""
    return tuple(winners(pd.Series(U, index=names)))


def _clean(x: np.ndarray) -> np.ndarray:
    x = np.where(x > 0, x, 0.0)
    return x / x.sum()


def standard_policies(
    population: Population, *, beta: float = 1.0, sampling=None, k: int | None = None
) -> dict[str, PolicyLike]:
    """The policies the dashboard compares under test-time sampling, by display name:

    * ``"RLHF / DPO (Borda-like)"``: :func:`rlhf_policy` with ``beta`` and the sampling
      distribution (ranks like NBC under it; like Borda when uniform);
    * ``"NLHF (maximal lottery)"``: :func:`maximal_lottery`;
    * ``"average reward"``: :func:`average_reward_policy` (user types only);
    * ``"MPNE_k"``: :func:`mpne` for the given ``k`` (its result, with the certificate), or, with
      ``k=None``, the function ``k -> mpne(population, k)`` so that a curve re-solves it per k
      (rankings and user types only: pairwise data support k = 1 alone);
    * ``"uniform"``.

    The others are plain distributions (Series).
    """
    population = as_population(population)
    out: dict[str, PolicyLike] = {
        "RLHF / DPO (Borda-like)": rlhf_policy(population, beta=beta, sampling=sampling).values,
        "NLHF (maximal lottery)": maximal_lottery(population).values,
    }
    if population.has_rewards:
        out["average reward"] = average_reward_policy(population, beta=beta)
    if population.has_full_rankings:
        out["MPNE_k"] = (lambda kk: mpne(population, kk)) if k is None else mpne(population, k)
    out["uniform"] = uniform_policy(population)
    return out
