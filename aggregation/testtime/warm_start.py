"""MPNE_k and the robust policy of a variation of a population already solved, from its solution.

The property checks re-compute a rule on hundreds of variations of one population of rankings:
a voter moved, added or taken away, the voters reordered, the alternatives renamed, every weight
scaled (:attr:`Profile.origin <aggregation.populations.profile.Profile.origin>`), or the voters
split into two groups (:meth:`Profile.with_weights`: ``reweighted_from``). Each variation's solution
lies next to the original's, so Newton's method on the original's support
(:func:`.complementarity.polish_from`) lands on it in a few evaluations instead of a whole
interior-point path. The values it iterates on are the variation's own and exact: for a variation
with an origin, ``U`` is the origin's (its prepared rankings, renamed and scaled) plus the changed
rows' own (:class:`NearbyGame`); for a group, the group's own rankings. Only the Newton matrix comes
from the original: its exact Jacobian at its solution (computed once), plus the changed rows'.

The answer must be the one the full solve returns, the limit of the central path, which is the
variation's solution when that solution is unique. So a warm answer is kept only when its gap
(exploitability or duality gap, from the exact values) is within the tolerance, the polish reached
rounding level, and the solution is certified unique; otherwise the variation is solved from
scratch, as always. Two certificates:

* **MPNE_k on strict rankings is always unique** (every voter of the variation ranks every response
  strictly). For a voter, list the responses worst first, ``c_j = k B_j^(k-1)`` at place j (B: the
  mass below, so c is non-decreasing) and, for a direction d with ``sum d = 0``, ``D_j`` the sum of d
  over the places below j. Summation by parts gives
  ``d^T J d = -1/2 sum_j c_j d_j^2 - 1/2 sum_j (c_j - c_(j-1)) D_j^2``. Two equilibria x', x'' of the
  monotone game give ``(F(x') - F(x'')) . (x' - x'') = 0``, so along the segment between them
  ``sum_i w_i sum_y c_i(y) d_y^2 = 0`` with ``d = x' - x''``: every y with ``d_y != 0`` has nothing
  below it for any voter. At least two responses have ``d_y != 0``, both in the support of the
  midpoint, and a voter who ranks one above the other puts mass below it: a contradiction, so d = 0.
  (With ties the sum only sees each tie group's total, and identical responses do share an
  equilibrium set.)
* **The robust policy on strict rankings, when the policy and the opponent mix have the same support
  S** and complementarity is strict (every entry of a support above :data:`MARGIN`, every other
  entry's slack above it too), is unique, and so is the opponent mix. Any optimal policy pi' has its
  support in S (strict complementarity of the policy's block: the objective, constant on the
  segment of optimal policies, would grow towards any other response), and ``U_y(pi') = v`` (the
  optimal value) on the opponent mix's support S while ``U(pi') <= v`` everywhere: pi' is a symmetric
  equilibrium, the unique one above. Any optimal opponent mix lives on S (strict complementarity of
  its block) and solves ``J_SS^T lam = c 1, sum lam = 1`` at that policy; by the identity above the
  symmetric part of ``-J_SS`` is positive definite on directions summing to zero (every response of
  S has, for some voter, mass below it once S has two responses), so that system has one solution.
* **Otherwise** (ties; the robust policy with different supports): strict complementarity and a
  nonsingular reduced Jacobian
  (:func:`.complementarity.bordered`) at the answer. Both games are monotone, so their solution sets
  are convex; a second solution would make the segment between the two, all of it near the answer
  on the same support, a null direction of that matrix. Its smallest singular value is at least the
  start's exact one minus how far the Jacobian can move between the start and the answer (Weyl's
  inequality): with ``d = ||pi - pi_0||_1``, each ``B_i(y)`` in [0, 1] moves by at most ``d / 2``
  (the policy's change sums to zero), so ``|dJ[y, z]| <= k (k - 1) (d / 2) A[y, z]`` entry by entry
  (``A``: the share of voters putting y strictly above z) and ``||dJ||_2 <= k (k - 1) (d / 2)
  ||A||_2``; for the robust policy's Hessian of the opponent mix ``lam``,
  ``|dH| <= k (k - 1) sum_y eps_y Q_y`` entry by entry, with ``eps_y = |lam_y - lam_0,y| + (k - 2)
  (d / 2) max(lam_y, lam_0,y)`` and ``Q_y[z, z']`` the share of voters putting y above both z and z'
  (positive semi-definite, so its 2-norm on the support S is at most its trace ``sum_(z in S) A[y, z]``).
  This needs the start's exact Jacobian, so it applies to variations with an origin (a group's
  Jacobian would cost a pass of O(n m^2) over its voters, as much as solving it); a group is solved
  afresh when neither theorem applies.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..populations.base import RANKINGS
from . import complementarity as _complementarity
from .ranking_game import RankingGame, SortedRankings, prepared

#: How a warm answer was computed, in words (the result's ``method``).
METHOD = (
    "Newton's method from the solution of the population this one varies, on the exact values of its own "
    "voters; kept only where the solution is certified unique (aggregation.testtime.warm_start), so it is the "
    "one the full interior-point solve returns"
)
#: Entries of a solution's support, and slacks off it, must exceed this for the Jacobian certificate
#: (strict complementarity well above rounding).
MARGIN = 1e-9
#: The certificate's singular-value bound keeps this share of the matrix's norm for rounding.
ROUNDING_SHARE = 1e-9


@dataclass
class Solved:
    """A full solve remembered for the variations: the solution ``x`` (the robust policy's: the policy and the
    opponent mix), its exact values there (``U``; ``grad``, ``J^T lam``, for the robust policy), the prepared
    rankings it was solved on, and the exact derivatives at ``x`` once a variation asked
    (:meth:`derivatives`). One record, replaced whole, so that a reader never mixes two solves."""

    x: np.ndarray
    U: np.ndarray
    grad: np.ndarray | None
    sorted: SortedRankings
    _derivatives: tuple | None = None

    def derivatives(self, profile, k: int) -> tuple[np.ndarray, np.ndarray | None]:
        """``profile``'s exact Jacobian at ``x`` (and, for the robust policy, the Hessian of its opponent mix),
        computed once (O(n m^2))."""
        if self._derivatives is None:
            merged = profile.compressed()
            game = RankingGame(merged.levels, merged.weights, k, sorted=self.sorted)
            m = len(profile.alternatives)
            H = game.hessian_of_mix(self.x[:m], self.x[m:]) if len(self.x) > m else None
            self._derivatives = (game.jacobian(self.x[:m]), H)
        return self._derivatives


def remember(
    population,
    key: tuple,
    x: np.ndarray,
    sorted_rankings: SortedRankings,
    U: np.ndarray,
    grad: np.ndarray | None = None,
) -> None:
    """Keep a full solve of the game ``key`` (``("mpne", k, tol)`` or ``("robust", k, tol)``) as a
    :class:`Solved` record for the variations of ``population`` (:meth:`Profile.tallies`: shared with the
    merged profile, never pickled). A record of the same solution is kept, with its derivatives."""
    if population.kind != RANKINGS:
        return
    memo = population.tallies(key)
    known = memo.get("solved")
    if known is None or not np.array_equal(known.x, x):
        memo["solved"] = Solved(np.array(x, dtype=float), np.array(U), grad, sorted_rankings)


def _remembered(profile, key: tuple) -> Solved | None:
    return profile.tallies(key).get("solved")


@dataclass
class _Start:
    """What a warm solve starts from: the exact values of the variation (``utility``, and for the robust
    policy ``mixed``: ``U`` and ``J^T lam``), the start, the exact derivatives there (``J``, ``H``; for a
    group, the original's at its solution: a Newton model), ``A`` for the Jacobian certificate (None: not
    available), whether every ranking is strict, and the values at the start when they follow from the
    original's without reading the voters (``U0``, ``grad0``; None for a group)."""

    utility: Callable
    mixed: Callable
    x0: np.ndarray
    J: np.ndarray
    H: np.ndarray | None
    A: np.ndarray | None
    strict: bool
    U0: np.ndarray | None = None
    grad0: np.ndarray | None = None


class NearbyGame:
    """The k-sample game of a variation read from its origin's solved game: the origin's voters
    (prepared rankings, renamed by ``perm`` and weighted by ``scale``) plus the changed rows."""

    def __init__(self, variation, solved: Solved, k: int):
        origin = variation.origin
        self.origin, self.k, self.solved = origin.profile, k, solved
        self.sorted: SortedRankings = solved.sorted
        self.perm = origin.perm
        total = float(variation.total_weight)
        self.scale = origin.factor * float(origin.profile.total_weight) / total
        self.rows = [(RankingGame(np.asarray(row)[None, :], np.ones(1), k), w / total) for row, w in origin.changes]
        self.m = len(variation.alternatives)
        # A[y, z]: the share of voters putting y strictly above z (the origin's, which its solve has read)
        self.A = self.scale * self._mine(np.asarray(origin.profile.above_counts(), float) / origin.profile.total_weight)
        for row, w in origin.changes:
            row = np.asarray(row)
            self.A += (w / total) * (row[:, None] < row[None, :])

    def _mine(self, values: np.ndarray) -> np.ndarray:
        """The origin's values per alternative (or a matrix of them) read through the renaming."""
        if self.perm is None:
            return values
        return values[self.perm] if values.ndim == 1 else values[np.ix_(self.perm, self.perm)]

    def _theirs(self, pi: np.ndarray) -> np.ndarray:
        if self.perm is None:
            return pi
        out = np.empty_like(pi)
        out[self.perm] = pi
        return out

    def utility(self, pi: np.ndarray) -> np.ndarray:
        U = self.scale * self._mine(self.sorted.power_sum(self._theirs(pi), self.k))
        for game, w in self.rows:
            U += w * game.utility(pi)
        return U

    def utility_and_mix_gradient(self, pi: np.ndarray, lam: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        U, g = self.sorted.power_sum_and_gradient(self._theirs(pi), self._theirs(lam), self.k)
        U, g = self.scale * self._mine(U), self.scale * self._mine(g)
        for game, w in self.rows:
            U += w * game.utility(pi)
            g += w * game.gradient_of_mix(pi, lam)
        return U, g

    def start(self) -> _Start:
        """The origin's solution read through the renaming, and the variation's exact derivatives there."""
        x, m = self.solved.x, self.m
        x0 = np.concatenate([self._mine(x[b : b + m]) for b in range(0, len(x), m)])
        J0, H0 = self.solved.derivatives(self.origin, self.k)
        J = self.scale * self._mine(J0)
        H = None if H0 is None else self.scale * self._mine(H0)
        U = self.scale * self._mine(self.solved.U)
        grad = None if self.solved.grad is None else self.scale * self._mine(self.solved.grad)
        pi = x0[:m]
        for game, w in self.rows:
            J += w * game.jacobian(pi)
            U += w * game.utility(pi)
            if H is not None:
                H += w * game.hessian_of_mix(pi, x0[m:])
                grad += w * game.gradient_of_mix(pi, x0[m:])
        strict = self.sorted.strict and all(int(g.levels.max()) == m - 1 for g, _ in self.rows)
        return _Start(self.utility, self.utility_and_mix_gradient, x0, J, H, self.A, strict, U, grad)


def _start(population, key: tuple) -> _Start | None:
    """Where a warm solve of ``population`` for the game ``key`` starts, or None (no solved population near)."""
    if population.kind != RANKINGS:
        return None
    k = key[1]
    origin = getattr(population, "origin", None)
    if origin is not None:
        if origin.clone is not None or (
            origin.perm is not None and len(origin.perm) != len(origin.profile.alternatives)
        ):
            return None  # alternatives removed or cloned: another game
        solved = _remembered(origin.profile, key)
        return None if solved is None else NearbyGame(population, solved, k).start()
    parent = getattr(population, "reweighted_from", None)
    solved = None if parent is None else _remembered(parent, key)
    if solved is None:
        return None
    own = prepared(population)
    if not own.strict:
        return None  # a group with ties: neither theorem applies, and its Jacobian would cost a solve
    J, H = solved.derivatives(parent, k)
    return _Start(
        lambda pi: own.power_sum(pi, k),
        lambda pi, lam: own.power_sum_and_gradient(pi, lam, k),
        solved.x,
        J,
        H,
        None,
        own.strict,
    )


# ============================================================================ the two games
def mpne(population, k: int, tol: float) -> tuple[np.ndarray, np.ndarray, int] | None:
    """MPNE_k of a variation from a solved population's: ``(pi, U(pi), Newton steps)`` (exact values), or
    None (solve it afresh)."""
    start = _start(population, ("mpne", k, tol))
    if start is None:
        return None
    J = start.J
    m = len(J)
    F0 = None if start.U0 is None else -start.U0
    found = _complementarity.polish_from(lambda z: -start.utility(z), lambda z: -J, [m], start.x0, F0)
    if found is None or not _solved(found.x, found.Fx, [m], tol):
        return None
    pi, U = found.x, -found.Fx
    if not start.strict:  # the Jacobian certificate
        S = pi > 0
        drift = _drift(k, float(np.abs(pi - start.x0).sum()), start.A, S, S)
        if not _strictly_complementary(pi, found.Fx, [m]) or not _isolated(
            _complementarity.bordered(-J, S, [m]), drift
        ):
            return None
    return pi, U, found.steps


def robust(population, k: int, tol: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int] | None:
    """The robust policy of a variation from a solved population's: ``(pi, lam, U(pi), J(pi)^T lam, Newton steps)``
    (exact values), or None (solve it afresh)."""
    start = _start(population, ("robust", k, tol))
    if start is None:
        return None
    J, H = start.J, start.H
    m = len(J)
    DF = np.block([[H, J.T], [-J, np.zeros((m, m))]])

    def F(z):
        U, grad = start.mixed(z[:m], z[m:])
        return np.concatenate([grad, -U])

    F0 = None if start.U0 is None else np.concatenate([start.grad0, -start.U0])
    found = _complementarity.polish_from(F, lambda z: DF, [m, m], start.x0, F0)
    if found is None or not _solved(found.x, found.Fx, [m, m], tol):
        return None
    x, Fx = found.x, found.Fx
    pi, lam = x[:m], x[m:]
    S, T = pi > 0, lam > 0
    if not _strictly_complementary(x, Fx, [m, m]):
        return None
    if not (start.strict and np.array_equal(S, T)):  # the Jacobian certificate
        if start.A is None:
            return None
        d = float(np.abs(pi - start.x0[:m]).sum())
        drift = _drift(k, d, start.A, T, S) + _hessian_drift(k, d, lam, start.x0[m:], start.A, S)
        if not _isolated(_complementarity.bordered(DF, x > 0, [m, m]), drift):
            return None
    return pi, lam, -Fx[m:], Fx[:m], found.steps


def _solved(x: np.ndarray, Fx: np.ndarray, sizes: list[int], tol: float) -> bool:
    """The gap (:func:`.complementarity.block_gap`) within ``tol``."""
    return _complementarity.block_gap(x, Fx, _complementarity.block_slices(sizes)) <= tol


def _strictly_complementary(x: np.ndarray, Fx: np.ndarray, sizes: list[int]) -> bool:
    """In each block every entry of the support above :data:`MARGIN`, and every other entry's ``F`` above
    the support's common value by more."""
    for b in _complementarity.block_slices(sizes):
        xb, Fb = x[b], Fx[b]
        used = xb > 0
        value = float(xb @ Fb)
        if xb[used].min() <= MARGIN or ((~used).any() and Fb[~used].min() - value <= MARGIN):
            return False
    return True


def _drift(k: int, moved: float, A: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> float:
    """A bound on how far the Jacobian's ``rows`` x ``cols`` block moves when the policy moves by ``moved``
    in 1-norm: ``k (k - 1) (moved / 2) ||A[rows, cols]||_2``."""
    block = A[np.ix_(rows, cols)]
    if k == 1 or block.size == 0:
        return 0.0
    return k * (k - 1) * (moved / 2) * float(np.linalg.norm(block, 2))


def _hessian_drift(k: int, moved: float, lam: np.ndarray, lam0: np.ndarray, A: np.ndarray, S: np.ndarray) -> float:
    """A bound on how far the Hessian of the opponent mix (on ``S`` x ``S``) moves from (``pi_0``, ``lam0``) to
    (``pi``, ``lam``) when the policy moves by ``moved`` in 1-norm: ``|dH| <= k (k-1) sum_y eps_y Q_y`` entry by
    entry, ``Q_y[z, z']`` the (positive semi-definite) share of voters putting y above both z and z', whose
    2-norm on S is at most its trace there, ``sum_(z in S) A[y, z]``."""
    eps = np.abs(lam - lam0) + max(k - 2, 0) * (moved / 2) * np.maximum(lam, lam0)
    return k * (k - 1) * float(eps @ A[:, S].sum(axis=1))


def _isolated(K: np.ndarray, drift: float) -> bool:
    """Whether every matrix within ``drift`` (2-norm) of ``K`` is nonsingular, with room for rounding."""
    singular = np.linalg.svd(K, compute_uv=False)
    return bool(singular[-1] > drift + ROUNDING_SHARE * singular[0])
