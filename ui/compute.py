"""Cached calls into the core, one per screen: pure functions of (population, controls).

Streamlit reruns the page script on every interaction, so each screen asks for one cached
"view" object. The cache key is the population's ``fingerprint`` (a digest of alternatives,
rankings and weights, computed once per population object) plus the controls; a view holds only
what the core returned, already named, so pages just draw it. No rule logic lives here: a rule
the core cannot apply to this kind of population is reported with the core's own message.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import streamlit as st

from aggregation import (AggregationError, PairwiseData, Profile, RewardPopulation, SamplingFlip,
                         average_reward_policy, borda, condorcet_winner, copeland, format_ranking, majority_graph,
                         majority_winner, maximal_lottery, min_tv_flip, nbc, plurality, preference_matrix,
                         random_dictatorship, rlhf_policy, smith_set)
from aggregation._validate import TIE_TOLERANCE

from .simplex import nbc_regions

HASH_FUNCS = {
    Profile: lambda m: m.fingerprint,
    RewardPopulation: lambda m: m.fingerprint,
    PairwiseData: lambda m: m.fingerprint,
}
_CACHE = dict(hash_funcs=HASH_FUNCS, max_entries=64, show_spinner=False)

#: Rules compared side by side, in the order of the table (keys used by ui.explain).
RULE_KEYS = ("borda", "plurality", "copeland", "rlhf", "maximal_lottery", "average_reward",
             "random_dictatorship")

#: How far past the tie the one-click "apply the smallest flip" moves NBC (win-rate units).
FLIP_NUDGE = 0.005


def top(scores: pd.Series) -> list[str]:
    """The alternatives with the highest value (several when they tie within TIE_TOLERANCE)."""
    best = scores.max()
    return [a for a, v in scores.items() if v >= best - TIE_TOLERANCE]


@dataclass
class RulesView:
    alternatives: list[str]
    scores: pd.DataFrame                      # rule key x alternative; NaN rows where unavailable
    unavailable: dict[str, str]               # rule key -> the core's reason
    winners: dict[str, list[str]]             # rule key -> top alternatives
    lottery_unique: bool | None
    lottery_selection: str
    essential_set: list[str]
    P: pd.DataFrame
    M: pd.DataFrame
    condorcet_winner: str | None
    smith_set: list[str]
    majority_edges: list[tuple[str, str, float]]
    majority_winner: str | None = None
    rlhf_infinite_gaps: bool = False


@st.cache_data(**_CACHE)
def rules_view(model, beta: float, sampling: tuple | None) -> RulesView:
    """Every rule of the Rules page on ``model``; ``sampling`` is D in alternative order (None: uniform)."""
    P = preference_matrix(model)
    names = list(P.index)
    D = list(sampling) if sampling is not None else None
    calls = {
        "borda": lambda: borda(model),
        "plurality": lambda: plurality(model),
        "copeland": lambda: copeland(model),
        "rlhf": lambda: rlhf_policy(model, beta=beta, sampling=D),
        "maximal_lottery": lambda: maximal_lottery(model),
        "average_reward": lambda: average_reward_policy(model, beta=beta),
        "random_dictatorship": lambda: random_dictatorship(model),
    }
    rows, unavailable, results = {}, {}, {}
    for key, call in calls.items():
        try:
            results[key] = call()
            rows[key] = results[key].reindex(names).to_numpy(float)
        except AggregationError as exc:
            unavailable[key] = str(exc)
            rows[key] = np.full(len(names), np.nan)
    scores = pd.DataFrame.from_dict(rows, orient="index", columns=names).loc[list(RULE_KEYS)]
    winners = {k: top(scores.loc[k]) for k in RULE_KEYS if k not in unavailable}
    lottery = results.get("maximal_lottery")
    try:
        maj = majority_winner(model)
    except AggregationError:
        maj = None
    rlhf = results.get("rlhf")
    return RulesView(
        alternatives=names, scores=scores, unavailable=unavailable, winners=winners,
        lottery_unique=None if lottery is None else bool(lottery.attrs["unique"]),
        lottery_selection="" if lottery is None else lottery.attrs["selection"],
        essential_set=[] if lottery is None else list(lottery.attrs["essential_set"]),
        P=P, M=P - P.T,
        condorcet_winner=condorcet_winner(model), smith_set=smith_set(model),
        majority_edges=majority_graph(model), majority_winner=maj,
        rlhf_infinite_gaps=bool(rlhf is not None and rlhf.attrs["reward"].attrs.get("infinite_gaps")),
    )


@dataclass
class SamplingView:
    alternatives: list[str]
    D: pd.Series
    table: pd.DataFrame                       # one column per quantity, one row per alternative
    unavailable: dict[str, str]               # column -> the core's reason
    nbc_top: list[str]
    flip: SamplingFlip | None                 # the exact boundary (NBC ties the pair)
    flip_applied: SamplingFlip | None         # the same move nudged FLIP_NUDGE past the tie
    regions: list[np.ndarray] = field(default_factory=list)  # m = 3 only: NBC-first polygons
    P: pd.DataFrame | None = None


@st.cache_data(**_CACHE)
def sampling_view(model, beta: float, sampling: tuple | None) -> SamplingView:
    """NBC, the RLHF/DPO limit and the average-reward policy under D, the smallest flipping change of
    D, and (three alternatives) the regions of the simplex where each alternative is NBC-first."""
    P = preference_matrix(model)
    names = list(P.index)
    D = pd.Series(sampling if sampling is not None else np.full(len(names), 1 / len(names)), index=names)
    columns, unavailable = {}, {}
    columns["D"] = D
    columns["NBC under D"] = nbc(model, D)
    columns["NBC, uniform D"] = nbc(model)
    for name, call in {
        "RLHF / DPO policy under D": lambda: rlhf_policy(model, beta=beta, sampling=D),
        "RLHF / DPO policy, uniform D": lambda: rlhf_policy(model, beta=beta),
        "average-reward policy": lambda: average_reward_policy(model, beta=beta),
    }.items():
        try:
            columns[name] = call()
        except AggregationError as exc:
            unavailable[name] = str(exc)
            columns[name] = pd.Series(np.nan, index=names)
    table = pd.DataFrame({k: v.reindex(names).to_numpy(float) for k, v in columns.items()}, index=names)
    base = D.to_numpy()
    flip = min_tv_flip(model, base=base)
    flip_applied = min_tv_flip(model, margin=FLIP_NUDGE, base=base) if flip is not None else None
    regions = nbc_regions(P.to_numpy(float)) if len(names) == 3 else []
    return SamplingView(alternatives=names, D=D, table=table, unavailable=unavailable,
                        nbc_top=top(columns["NBC under D"]), flip=flip, flip_applied=flip_applied,
                        regions=regions, P=P)


@dataclass
class PopulationSummary:
    kind: str
    alternatives: list[str]
    rows: int                                  # distinct rankings, user types or comparisons
    total_weight: float | None
    P: pd.DataFrame
    standard_errors: pd.DataFrame | None       # comparisons only: binomial SE of each P entry
    unobserved_pairs: list[tuple[str, str]]


@st.cache_data(**_CACHE)
def population_summary(model) -> PopulationSummary:
    P = preference_matrix(model)
    if isinstance(model, Profile):
        return PopulationSummary("rankings", model.alternatives, model.compressed().n_rankings,
                                 model.total_weight, P, None, [])
    if isinstance(model, RewardPopulation):
        return PopulationSummary("rewards", model.alternatives, len(model.types), model.total_weight, P, None, [])
    return PopulationSummary("comparisons", model.alternatives, model.n_comparisons, None, P,
                             model.standard_errors(), list(P.attrs.get("unobserved_pairs", [])))


@st.cache_data(**_CACHE)
def rankings_frame(model: Profile, limit: int | None = None) -> pd.DataFrame:
    """Distinct rankings with their total weights (the Population page's table), in text syntax;
    only the first ``limit`` of them when given (writing 100,000 rankings as text takes seconds)."""
    compact = model.compressed()
    n = compact.n_rankings if limit is None else min(limit, compact.n_rankings)
    return pd.DataFrame({"ranking": [format_ranking(compact.ranking(i)) for i in range(n)],
                         "weight": compact.weights[:n]})
