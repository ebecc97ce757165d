"""Typed results of the rules, defined once: :class:`RuleResult` and its certificates.

A rule whose output carries more than the numbers (a certificate of optimality, a guarantee, how
the numbers were computed, a caveat) returns a :class:`RuleResult`; a rule that outputs plain
scores or a plain lottery (Borda, plurality, Copeland, NBC, random dictatorship, the average-reward
policy, the uniform policy) returns a ``pd.Series`` and the registry wraps it. Pages, claims,
property checks and the worker read every result the same way: ``result.values`` (a Series indexed
by alternative), ``result.certificate`` (one of the dataclasses below, or None), ``result.method``
and ``result.notes``. No meaning travels in ``Series.attrs``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Union

import pandas as pd

from ..outcome import support, tie_groups, winners

if TYPE_CHECKING:  # pragma: no cover - annotations only
    from .alignment import BTMisfit

SCORES, LOTTERY, POLICY, SET, RANKING = "scores", "lottery", "policy", "set", "ranking"


@dataclass(frozen=True, eq=False)
class LotteryCertificate:
    """How :func:`~aggregation.maximal_lottery` chose its answer.

    ``unique``: whether the maximal lottery is unique; ``selection``: which member is returned, in
    words; ``essential_set``: the alternatives some maximal lottery uses; ``value``:
    ``min_b (p^T M)_b`` at the returned ``p`` (0 up to rounding: nothing beats it on average)."""

    unique: bool
    selection: str
    essential_set: tuple[str, ...]
    value: float


@dataclass(frozen=True, eq=False)
class EquilibriumCertificate:
    """What certifies MPNE_k (Cai & Zheng, Definition 4.2, Theorem 4.3).

    ``gap``: the exploitability ``max_y U(y; pi) - E_{y~pi} U(y; pi)``, computed afresh at the
    returned policy; ``converged``: ``gap <= tol`` (when False the policy is **not** an equilibrium,
    only the best point found); ``guarantee``: its robust k-sample win rate ``1 - max_y U`` (at least
    ``k/(k+1) - gap``); ``worst_opponents``: every response attaining the guarantee (ties all
    listed); ``equilibrium_utility``: ``E_{y~pi} U(y; pi)``; ``evaluated_by``: how ``gap`` and
    ``guarantee`` were evaluated (``"exact (closed form)"``, ``"exact (enumeration)"`` or
    ``"numerical integration, error < ..."``); ``iterations`` of the solver."""

    k: int
    gap: float
    converged: bool
    guarantee: float
    worst_opponents: tuple[str, ...]
    equilibrium_utility: float
    iterations: int
    evaluated_by: str


@dataclass(frozen=True, eq=False)
class RobustCertificate:
    """What certifies the robust policy (the best k-sample guarantee of a single-output policy).

    ``guarantee``: its robust rate; ``best_possible``: a certified upper bound on any policy's
    robust rate (from the duality gap); ``optimality_gap``: their difference; ``converged``:
    ``optimality_gap <= tol``; ``opponent_mix``: the optimal mix of opponents (a Series);
    ``worst_opponents``: every response attaining the guarantee; ``evaluated_by`` and
    ``iterations`` as for :class:`EquilibriumCertificate`."""

    k: int
    guarantee: float
    best_possible: float
    optimality_gap: float
    converged: bool
    opponent_mix: pd.Series
    worst_opponents: tuple[str, ...]
    iterations: int
    evaluated_by: str


@dataclass(frozen=True, eq=False)
class MultiOutputCertificate:
    """What certifies the best k-output policy (Cai & Zheng, Theorem 3.1 and game (2)).

    ``guarantee``: the LP value ``min_y P[sigma >= y]`` (at least k/(k+1)); ``best_possible``:
    ``max_S P[S >= lam]`` against the opponent mix ``lam`` (no k-output policy does better, by weak
    duality); ``gap``: their difference; ``opponent_mix``: ``lam``; ``worst_opponents``: every
    response attaining the guarantee; ``n_multisets``: how many multisets the LP ranges over."""

    k: int
    guarantee: float
    best_possible: float
    gap: float
    opponent_mix: pd.Series
    worst_opponents: tuple[str, ...]
    n_multisets: int


@dataclass(frozen=True, eq=False)
class RewardFit:
    """The Bradley-Terry reward RLHF fits (:func:`~aggregation.bt_reward`), by unanimity levels.

    ``reward``: finite, centred rewards on the top level and ``-inf`` below (the limit policy gives
    those probability 0); ``level`` (0 = top) and ``within_level`` (the reward fitted inside each
    level) keep the full order; ``infinite_gaps``: whether some level lies below another (some
    response is ranked below another by every voter). ``beta`` is set when the fit sits behind a
    policy (:func:`~aggregation.rlhf_policy`), ``misfit`` when the registry's RLHF / DPO rule also
    measured how far one Bradley-Terry model is from ``P`` (:func:`~aggregation.bt_misfit`)."""

    reward: pd.Series
    level: pd.Series
    within_level: pd.Series
    beta: float | None = None
    misfit: BTMisfit | None = None

    @property
    def infinite_gaps(self) -> bool:
        return bool(self.level.max() > 0)

    def __getitem__(self, alternative) -> float:
        return float(self.reward[alternative])

    def order_key(self) -> pd.Series:
        """A finite score with the same order as :attr:`reward` (lower levels placed a step below)."""
        if not self.infinite_gaps:
            return self.reward.astype(float)
        span = float(self.within_level.max() - self.within_level.min()) + 1.0
        return self.within_level - self.level * span * 2


Certificate = Union[LotteryCertificate, EquilibriumCertificate, RobustCertificate, MultiOutputCertificate, RewardFit]


@dataclass(frozen=True, eq=False)
class RuleResult:
    """A rule's output: ``values`` (a Series indexed by alternative, or by multiset for a k-output
    policy), what certifies it, how it was computed and any caveat; ``rule`` and ``output``
    (``"scores"``, ``"lottery"``, ``"policy"`` or ``"set"``) are filled in by the registry."""

    values: pd.Series
    certificate: Certificate | None = None
    method: str = ""
    notes: tuple[str, ...] = ()
    rule: str | None = None
    output: str | None = None

    def __getitem__(self, alternative) -> float:
        return float(self.values[alternative])

    @property
    def alternatives(self) -> list:
        return list(self.values.index)

    @property
    def winners(self) -> list[str]:
        """The alternatives tied for the top value (:func:`aggregation.outcome.winners`)."""
        return winners(self.values)

    @property
    def tie_groups(self) -> list[list[str]]:
        """Best to worst, tied alternatives together (:func:`aggregation.outcome.tie_groups`)."""
        return tie_groups(self.values)

    @property
    def support(self) -> list[str]:
        """The alternatives a lottery or policy uses (:func:`aggregation.outcome.support`)."""
        return support(self.values)

    def labelled(self, rule: str, output: str) -> RuleResult:
        """The same result, saying which registry rule produced it and what it outputs."""
        return replace(self, rule=rule, output=output)


def values_of(result) -> pd.Series:
    """The Series of a :class:`RuleResult`; anything else (a Series, a mapping) as it is."""
    return result.values if isinstance(result, RuleResult) else result
