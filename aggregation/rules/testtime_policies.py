"""The test-time policies as rules: MPNE_k and the robust policy (Cai & Zheng; computed in
:mod:`aggregation.testtime.games`)."""
from __future__ import annotations

from ..papers import Reference
from ..testtime.games import mpne, robust_policy
from .result import POLICY
from .rule import GAME, Rule

#: The registry entries of this family (see :mod:`.rule`).
ENTRIES = [
    Rule("mpne", "MPNE_k", "MPNE_{k}",
         "The policy that is a symmetric equilibrium of a (k+1)-player game in which each player wants its answer "
         "to beat the other k; sampling it k times guarantees a k-sample win rate of at least k/(k+1).",
         POLICY, "probability", "test time", (Reference("test_time", "Definition 4.2, Theorem 4.3"),),
         ("k",), GAME, lambda m, p: mpne(m, p.k), solves_game=True),
    Rule("robust", "Robust policy_k", "the robust policy",
         "The policy whose k sampled answers have the highest worst-case chance of containing one the user likes "
         "at least as much as any fixed alternative answer.",
         POLICY, "probability", "test time",
         (Reference("test_time", "Definition 1.1, maximised directly over single-output policies"),),
         ("k",), GAME, lambda m, p: robust_policy(m, p.k), solves_game=True),
]
