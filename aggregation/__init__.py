"""The aggregation core: populations, preference matrices, rules, lotteries and alignment limits.

Pure numerics (numpy, scipy, pandas, cvxpy); no Streamlit, no plotting; usable from a notebook::

    from aggregation import Profile, borda, maximal_lottery
    p = Profile.parse("2: R > G > B\\n3: B > R > G")
    borda(p)                    # R 7, G 2, B 6
    maximal_lottery(p).values   # B with probability 1 (its certificate says it is unique)

Map of the packages (everything public is importable from here):

======================  ==========================================================================
``errors``              :class:`AggregationError` (bad input), :class:`Cancelled` (a stopped computation)
``bounds``              the one table of input limits (:data:`LIMITS`) and :class:`LimitError`
``outcome``             who is on top: one tolerance, winners and tie groups, supports
``validate``            checks of names, weights, distributions and sample counts
``papers``              the one table of papers and :class:`~papers.Reference` (a place in a paper)
``populations/``        the :class:`Population` interface and its kinds: rankings (``profile``), user
                        types (``user_types``), comparison tables (``comparisons``), a given
                        preference matrix (``matrix``, with :func:`as_population`); ``preference``
                        (P and M of any population); seeded ``generators``
``formats/``            PrefLib, CSV rankings, comparison tables, plain dicts; the files' kind words
                        (``FILE_KINDS``)
``rules/``              the rules by family: ``scoring``, ``elimination``, ``majority`` (and the
                        margin-based ``margins``, the search-based ``kemeny``), ``sets`` (tournament
                        solutions), ``lotteries``,
                        ``alignment`` (RLHF / DPO / IPO limits), ``heterogeneous`` (corrected DPO's and
                        Prop. B.3's limits), ``sampling`` (the flip of D); ``ballots`` (what rules reading
                        whole rankings see); ``result`` (the typed results and certificates);
                        ``registry`` (every rule, self-describing: the single vocabulary of rules)
``testtime/``           test-time scaling: ``rates`` (k-sample win rates), ``games`` (MPNE_k, the
                        robust policy), ``multi_output`` (Theorem 3.1), ``cost`` (one estimate and one
                        budget for the games), and their machinery
``properties/``         the property registry (``registry``, one entry per property in its family module),
                        the checks of every rule (``axioms``), what they cost (``cost``), paradoxes
                        found on demand (``paradox``) and their precomputed table (``paradox_table``)
``choice/``             ranked choices (RCPO): exact ``models``, seeded ``samplers``
``logs/``               comparison logs at arena scale: the column ``mapping``, the DuckDB ``reader``
                        (:func:`read_comparison_log`, a :class:`ComparisonCounts`), the compact
                        ``counts_file`` (Parquet) and the seeded arena-style ``generator``
``cli``                 ``python -m aggregation.cli import-log`` / ``generate-log`` (logs beyond the upload limit)
``uncertainty``         uncertainty of estimated answers: :func:`bootstrap` of every rule on comparisons
                        (per pair, or annotators as clusters), :class:`BootstrapResult`
``losses``              numpy references of the fine-tuning losses
``training_methods``    the fine-tuning methods as one table (name, family, default beta, spec fields,
                        explanation, references, the limit each converges to) and :func:`theory`,
                        the theory next to a job (:class:`TheoryResult`, stored with its result)
``spatial``             Yee diagrams: voters spread around each point of a 2-D issue space, each pixel
                        coloured by a rule's winner (:func:`yee_map`, :func:`yee_maps`)
======================  ==========================================================================

Conventions (see DESIGN.md): ``P[a, b]`` is the probability that a random voter strictly
prefers a to b plus half the probability of indifference; distributions and scores are pandas
Series indexed by alternative name; rules whose output carries more than numbers return a
:class:`RuleResult` (``values``, ``certificate``, ``method``, ``notes``); bad input raises
:class:`AggregationError` with a message naming the problem and where it is.
"""

from . import bounds, outcome, papers
from .bounds import LIMITS, LimitError
from .errors import AggregationError, Cancelled
from .outcome import tie_groups, winners

# populations and their preference matrix
from .populations import (
    COMPARISONS,
    KINDS,
    MATRIX,
    POPULATION_CLASSES,
    RANKINGS,
    USER_TYPES,
    PairwiseData,
    Population,
    PreferenceMatrix,
    Profile,
    RewardPopulation,
    as_population,
    check_preference_matrix,
    population_kind,
    sample_comparisons,
    sample_paired_comparisons,
    sample_pairs,
)
from .populations.counts import ComparisonCounts
from .populations.profile import format_ranking, parse_ranking
from .populations.preference import margins, preference_matrix
from .populations.generators import (
    GENERATORS,
    default_names,
    euclidean,
    generate,
    impartial_culture,
    mallows,
    plackett_luce,
    reward_mixture,
    single_peaked,
    urn,
)
from .formats import (
    FILE_KINDS,
    population_from_dict,
    population_to_dict,
    read_comparisons,
    read_population_json,
    read_preflib,
    read_rankings_csv,
    write_comparisons,
    write_preflib,
    write_rankings_csv,
)

# rules, their typed results and the registry
from .rules.result import (
    EquilibriumCertificate,
    LotteryCertificate,
    MultiOutputCertificate,
    RewardFit,
    RobustCertificate,
    RuleResult,
)
from .rules.scoring import anti_plurality, borda, bucklin, dowdall, plurality, positional, simplified_bucklin
from .rules.elimination import (
    baldwin,
    benham,
    coombs,
    instant_runoff,
    instant_runoff_put,
    instant_runoff_ranking,
    nanson,
    plurality_with_runoff,
    tideman_alternative_schwartz,
    tideman_alternative_smith,
    weak_nanson,
)
from .rules.majority import black, condorcet_winner, copeland, llull, majority_graph, majority_winner, smith_set
from .rules.margins import minimax, ranked_pairs, schulze, split_cycle, stable_voting
from .rules.kemeny import dodgson, kemeny_ranking, kemeny_young, slater, young
from .rules.sets import uncovered_set
from .rules.lotteries import (
    c1_maximal_lottery,
    maximal_lottery,
    proportional_borda,
    random_dictatorship,
    uniform_policy,
)
from .rules.alignment import (
    BTMisfit,
    average_reward_policy,
    bt_misfit,
    bt_reward,
    consistent_policy,
    ipo_policy,
    nbc,
    reward_order_key,
    rlhf_policy,
)
from .rules.heterogeneous import consistent_b3_policy, corrected_dpo_policy, preference_variance, reward_variance
from .rules.sampling import SamplingFlip, min_tv_flip
from .rules.registry import RULES, AllRules, Rule, RuleParams, compute_all, get_rule, rules_table

# test-time scaling, property checks and what they cost
from .testtime import (
    OpponentSetsRate,
    RobustRate,
    WinRateCurve,
    WinRates,
    kwin_curve,
    kwin_rate,
    mpne,
    multi_output_policy,
    opponent_sets_curve,
    opponent_sets_rate,
    resampling_bound,
    resampling_curve,
    robust_policy,
    robust_rate,
    standard_policies,
)
from .testtime.cost import game_affordable, game_cells, game_cells_unit, game_seconds
from .properties.axioms import AXIOMS, AxiomCheck, check, check_rule
from .properties.table import check_all, check_table
from .properties.base import Property
from .properties.registry import PROPERTIES, get_property, properties_table
from .properties.paradox import Paradox, ParadoxSearch, find_paradox
from .properties.paradox import search as search_paradox
from .properties.cost import properties_affordable, properties_cost

# ranked-choice models (RCPO) and the reference losses of the fine-tuning methods
from .choice.models import (
    mallows_rmj_topk_probability,
    mallows_rmj_topk_table,
    mnl_topk_probability,
    mnl_topk_table,
    population_topk_table,
)
from .choice.samplers import ranked_choice_arrays, sample_mallows_rmj_choices, sample_mnl_choices, sample_ranked_choices
from .losses import (
    b3_integral,
    consistent_b3_loss,
    consistent_loss,
    corrected_dpo_loss,
    dpo_loss,
    entropy_phi_proxy,
    ipo_loss,
    joint_likelihood,
    joint_likelihood_loss,
    joint_variance,
    mallows_rmj_loss,
    mnl_loss,
)
from . import training_methods
from . import logs
from .uncertainty import BootstrapResult, bootstrap
from .logs import (
    GeneratedLog,
    LogMapping,
    generate_log,
    guess_mapping,
    log_columns,
    preview_log,
    read_comparison_log,
    read_counts_file,
    write_counts_file,
)
from .training_methods import TRAINING_METHODS, TheoryResult, TrainingMethod

# Yee diagrams
from .spatial import YeeMap, yee_map, yee_maps, yee_rules

__all__ = [
    "AggregationError",
    "Cancelled",
    "LimitError",
    "LIMITS",
    "bounds",
    "outcome",
    "papers",
    "winners",
    "tie_groups",
    # populations
    "Population",
    "Profile",
    "RewardPopulation",
    "PairwiseData",
    "PreferenceMatrix",
    "as_population",
    "population_kind",
    "KINDS",
    "RANKINGS",
    "USER_TYPES",
    "COMPARISONS",
    "MATRIX",
    "POPULATION_CLASSES",
    "sample_comparisons",
    "sample_paired_comparisons",
    "sample_pairs",
    "preference_matrix",
    "margins",
    "check_preference_matrix",
    "parse_ranking",
    "format_ranking",
    "impartial_culture",
    "mallows",
    "plackett_luce",
    "urn",
    "single_peaked",
    "euclidean",
    "reward_mixture",
    "generate",
    "GENERATORS",
    "default_names",
    "read_preflib",
    "write_preflib",
    "read_rankings_csv",
    "write_rankings_csv",
    "read_comparisons",
    "write_comparisons",
    "population_to_dict",
    "population_from_dict",
    "read_population_json",
    "FILE_KINDS",
    # rules and results
    "borda",
    "plurality",
    "anti_plurality",
    "dowdall",
    "bucklin",
    "simplified_bucklin",
    "positional",
    "instant_runoff",
    "instant_runoff_put",
    "instant_runoff_ranking",
    "plurality_with_runoff",
    "coombs",
    "baldwin",
    "nanson",
    "weak_nanson",
    "benham",
    "tideman_alternative_smith",
    "tideman_alternative_schwartz",
    "copeland",
    "random_dictatorship",
    "condorcet_winner",
    "majority_winner",
    "smith_set",
    "majority_graph",
    "maximal_lottery",
    "uniform_policy",
    "llull",
    "black",
    "minimax",
    "schulze",
    "ranked_pairs",
    "split_cycle",
    "stable_voting",
    "kemeny_young",
    "kemeny_ranking",
    "slater",
    "dodgson",
    "young",
    "uncovered_set",
    "c1_maximal_lottery",
    "proportional_borda",
    "nbc",
    "bt_reward",
    "reward_order_key",
    "rlhf_policy",
    "average_reward_policy",
    "min_tv_flip",
    "SamplingFlip",
    "ipo_policy",
    "consistent_policy",
    "bt_misfit",
    "BTMisfit",
    "corrected_dpo_policy",
    "consistent_b3_policy",
    "reward_variance",
    "preference_variance",
    "RuleResult",
    "LotteryCertificate",
    "EquilibriumCertificate",
    "RobustCertificate",
    "MultiOutputCertificate",
    "RewardFit",
    "RULES",
    "Rule",
    "RuleParams",
    "get_rule",
    "rules_table",
    "compute_all",
    "AllRules",
    # test time, properties, costs
    "kwin_rate",
    "robust_rate",
    "RobustRate",
    "WinRates",
    "WinRateCurve",
    "mpne",
    "robust_policy",
    "kwin_curve",
    "standard_policies",
    "multi_output_policy",
    "resampling_bound",
    "resampling_curve",
    "opponent_sets_rate",
    "opponent_sets_curve",
    "OpponentSetsRate",
    "game_cells",
    "game_cells_unit",
    "game_seconds",
    "game_affordable",
    "properties_cost",
    "properties_affordable",
    "AXIOMS",
    "AxiomCheck",
    "check",
    "check_all",
    "check_table",
    "check_rule",
    "PROPERTIES",
    "Property",
    "get_property",
    "properties_table",
    "find_paradox",
    "search_paradox",
    "Paradox",
    "ParadoxSearch",
    # ranked choice and losses
    "mnl_topk_probability",
    "mallows_rmj_topk_probability",
    "mnl_topk_table",
    "mallows_rmj_topk_table",
    "population_topk_table",
    "sample_ranked_choices",
    "sample_mnl_choices",
    "sample_mallows_rmj_choices",
    "ranked_choice_arrays",
    "dpo_loss",
    "ipo_loss",
    "mnl_loss",
    "mallows_rmj_loss",
    "entropy_phi_proxy",
    "consistent_loss",
    "consistent_b3_loss",
    "b3_integral",
    "corrected_dpo_loss",
    "joint_likelihood",
    "joint_likelihood_loss",
    "joint_variance",
    # fine-tuning methods and the theory next to a job
    "training_methods",
    "TRAINING_METHODS",
    "TrainingMethod",
    "TheoryResult",
    # Yee diagrams
    "YeeMap",
    "yee_map",
    "yee_maps",
    "yee_rules",
    # comparison logs at arena scale
    "logs",
    "ComparisonCounts",
    "LogMapping",
    "guess_mapping",
    "read_comparison_log",
    "log_columns",
    "preview_log",
    "read_counts_file",
    "write_counts_file",
    "generate_log",
    "GeneratedLog",
    "bootstrap",
    "BootstrapResult",
]
