"""The aggregation core: populations, preference matrices, rules, lotteries and alignment limits.

Pure numerics (numpy, scipy, pandas, cvxpy); no Streamlit, no plotting; usable from a notebook::

    from aggregation import Profile, borda, maximal_lottery
    p = Profile.parse("2: R > G > B\\n3: B > R > G")
    borda(p)            # R 7, G 2, B 6
    maximal_lottery(p)  # B with probability 1

Conventions (see DESIGN.md): ``P[a, b]`` is the probability that a random voter strictly
prefers a to b plus half the probability of indifference; distributions and scores are pandas
Series indexed by alternative name; matrices are DataFrames; bad input raises
:class:`AggregationError` with a message naming the problem and where it is.
"""
from .errors import AggregationError
from . import outcome
from .outcome import tie_groups, winners

# populations and their preference matrix
from .populations.profile import Profile, format_ranking, parse_ranking
from .populations.user_types import RewardPopulation
from .populations.comparisons import PairwiseData, sample_comparisons
from .populations import (
    COMPARISONS, KINDS, MATRIX, POPULATION_CLASSES, RANKINGS, USER_TYPES, Population, PreferenceMatrix, as_population,
    check_preference_matrix, population_kind,
)
from .populations.preference import margins, preference_matrix
from .populations.generators import (
    GENERATORS, default_names, euclidean, generate, impartial_culture, mallows, plackett_luce,
    reward_mixture, single_peaked, urn,
)
from .formats import (
    population_from_dict, population_to_dict, read_comparisons, read_preflib, read_rankings_csv,
    write_comparisons, write_preflib, write_rankings_csv,
)

# rules, lotteries and the alignment limits
from .rules.scoring import borda, plurality
from .rules.majority import condorcet_winner, copeland, majority_graph, majority_winner, smith_set
from .rules.lotteries import maximal_lottery
from .rules.alignment import average_reward_policy, bt_reward, nbc, reward_order_key, rlhf_policy
from .rules.sampling import SamplingFlip, min_tv_flip
from .rules.alignment import BTMisfit, bt_misfit, consistent_policy, ipo_policy

# test-time scaling, the rule registry and property checks
from .testtime import (
    OpponentSetsRate, RobustRate, WinRateCurve, WinRates, kwin_curve, kwin_rate, mpne, multi_output_policy, opponent_sets_curve,
    opponent_sets_rate, resampling_bound, resampling_curve, robust_policy, robust_rate, standard_policies,
)
from .rules.lotteries import random_dictatorship, uniform_policy
from .rules.registry import RULES, AllRules, Rule, RuleParams, compute_all, get_rule, rules_table
from .rules.result import (
    EquilibriumCertificate, LotteryCertificate, MultiOutputCertificate, RewardFit, RobustCertificate, RuleResult,
)
from .properties.axioms import AXIOMS, AxiomCheck, check_all, check_rule
from .properties.cost import properties_affordable, properties_cost
from .testtime.cost import game_affordable, game_cells, game_cells_unit

# ranked-choice models (RCPO) and the reference losses of the fine-tuning methods
from .choice.models import (
    mallows_rmj_topk_probability, mallows_rmj_topk_table, mnl_topk_probability, mnl_topk_table, population_topk_table,
)
from .choice.samplers import ranked_choice_arrays, sample_mallows_rmj_choices, sample_mnl_choices, sample_ranked_choices
from .losses import consistent_loss, dpo_loss, entropy_phi_proxy, ipo_loss, mallows_rmj_loss, mnl_loss

__all__ = [
    "AggregationError",
    "Profile", "RewardPopulation", "PairwiseData", "sample_comparisons", "preference_matrix", "margins",
    "check_preference_matrix", "parse_ranking", "format_ranking",
    "impartial_culture", "mallows", "plackett_luce", "urn", "single_peaked", "euclidean", "reward_mixture",
    "generate", "GENERATORS", "default_names",
    "read_preflib", "write_preflib", "read_rankings_csv", "write_rankings_csv",
    "read_comparisons", "write_comparisons", "population_to_dict", "population_from_dict",
    "borda", "plurality", "copeland", "random_dictatorship", "condorcet_winner", "majority_winner",
    "smith_set", "majority_graph", "maximal_lottery",
    "nbc", "bt_reward", "reward_order_key", "rlhf_policy", "average_reward_policy", "min_tv_flip", "SamplingFlip",
    "kwin_rate", "robust_rate", "RobustRate", "mpne", "robust_policy", "kwin_curve", "standard_policies",
    "uniform_policy", "multi_output_policy", "resampling_bound", "resampling_curve", "opponent_sets_rate",
    "opponent_sets_curve", "OpponentSetsRate",
    "RULES", "Rule", "RuleParams", "get_rule", "rules_table", "compute_all", "population_kind",
    "AXIOMS", "AxiomCheck", "check_all", "check_rule",
    "mnl_topk_probability", "mallows_rmj_topk_probability", "mnl_topk_table", "mallows_rmj_topk_table",
    "population_topk_table", "sample_ranked_choices", "sample_mnl_choices", "sample_mallows_rmj_choices",
    "ranked_choice_arrays",
    "dpo_loss", "ipo_loss", "mnl_loss", "mallows_rmj_loss", "entropy_phi_proxy", "consistent_loss",
    "ipo_policy", "consistent_policy", "bt_misfit", "BTMisfit",
]
