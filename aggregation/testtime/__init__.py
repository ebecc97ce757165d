"""Test-time scaling (Cai & Zheng, arXiv 2601.08777): a policy sampled k times.

* :mod:`.rates`: k-sample win rates, robust rates, opponents answering with l responses
  (appendix D.7), a policy sampled l times (Theorem 4.5), curves over k; the conventions that
  decide every number are in its docstring;
* :mod:`.games`: the (k+1)-player alignment game, MPNE_k (Definition 4.2, Theorem 4.3) and the
  robust policy, and the standard policies the dashboard compares;
* :mod:`.multi_output`: the best k-output policy (Theorem 3.1);
* :mod:`.cost`: what a game costs before it is solved;
* the machinery: :mod:`.ranking_game` (rankings), :mod:`.plackett_luce` (user types),
  :mod:`.multisets`, :mod:`.complementarity` (the interior-point solver), :mod:`.warm_start`
  (a variation of a solved population, from its solution, where the answer is certified the same).
"""

from .cost import GAME_BUDGET, game_affordable, game_cells, game_cells_unit, game_seconds
from .games import GAP_TOLERANCE, mpne, robust_policy, standard_policies
from .multi_output import multi_output_policy
from .rates import (
    ENUMERATION_BUDGET,
    OpponentSetsRate,
    RobustRate,
    WinRateCurve,
    WinRates,
    kwin_curve,
    kwin_rate,
    opponent_sets_curve,
    opponent_sets_rate,
    resampling_bound,
    resampling_curve,
    robust_rate,
)
