"""Cached calls into the core, one per screen: pure functions of (population, controls).

Streamlit reruns the page script on every interaction, so each screen asks for one cached
"view" object. The cache key is the population's ``fingerprint`` (a digest of alternatives,
rankings and weights, computed once per population object) plus the controls; a view holds only
what the core returned, already named, so pages just draw it. No rule logic lives here: a rule
the core cannot apply to this kind of population is reported with the core's own message.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
import streamlit as st

import presets
from aggregation import RULES as REGISTRY
from aggregation import (
    COMPARISONS,
    POPULATION_CLASSES,
    AggregationError,
    BootstrapResult,
    BTMisfit,
    bootstrap,
    LotteryCertificate,
    Profile,
    RuleParams,
    RuleResult,
    SamplingFlip,
    average_reward_policy,
    bt_reward,
    condorcet_winner,
    format_ranking,
    game_seconds,
    kwin_curve,
    majority_graph,
    majority_winner,
    mallows_rmj_topk_table,
    min_tv_flip,
    mnl_topk_table,
    mpne,
    multi_output_policy,
    nbc,
    opponent_sets_curve,
    population_topk_table,
    preference_matrix,
    resampling_curve,
    rlhf_policy,
    robust_policy,
    robust_rate,
    smith_set,
    standard_policies,
    yee_maps,
)
from aggregation.outcome import winners as top
from aggregation.properties import paradox_table as paradox_tables
from aggregation.rules.result import values_of

from . import numbers
from .simplex import nbc_regions


def _population_classes(classes=POPULATION_CLASSES) -> set:
    """The population classes and every subclass of them (the core derives some populations lazily, e.g.
    the closed-form variations of a profile)."""
    out = set()
    for cls in classes:
        out |= {cls} | _population_classes(cls.__subclasses__())
    return out


#: Streamlit hashes a cached function's arguments by exact type: every population class by its fingerprint.
HASH_FUNCS = {cls: (lambda m: m.fingerprint) for cls in _population_classes()}
_CACHE = dict(hash_funcs=HASH_FUNCS, max_entries=64, show_spinner=False)

#: Rules compared side by side: every rule of the registry, in its display order.
RULE_KEYS = tuple(REGISTRY)
#: How far past the tie the one-click "apply the smallest flip" moves NBC (win-rate units).
FLIP_NUDGE = 0.005


def sampling_series(sampling: tuple | None, names) -> pd.Series | None:
    """D as a Series over ``names`` from the tuple the cached views take (None: uniform)."""
    return None if sampling is None else pd.Series(list(sampling), index=list(names), dtype=float)


# ---------------------------------------------------------------------------- rules side by side
@dataclass
class RulesView:
    alternatives: list[str]
    scores: pd.DataFrame  # rule id x alternative; NaN rows where unavailable or deferred
    unavailable: dict[str, str]  # rule id -> the core's reason
    winners: dict[str, list[str]]  # rule id -> top alternatives
    lottery: LotteryCertificate | None  # how the maximal lottery was chosen (None: not computed)
    P: pd.DataFrame
    M: pd.DataFrame
    condorcet_winner: str | None
    smith_set: list[str]
    majority_edges: list[tuple[str, str, float]]
    majority_winner: str | None = None
    rlhf_infinite_gaps: bool = False
    deferred: list[str] = field(default_factory=list)  # game rules not computed (too costly unasked)
    certificates: dict[str, object] = field(default_factory=dict)  # mpne / robust: the solver's certificate
    notes: dict[str, tuple[str, ...]] = field(default_factory=dict)  # rule id -> the core's caveats
    k: int | None = None
    bt_fit: BTMisfit | None = None  # the best single Bradley-Terry model under D (None: RLHF refused)


def rules_view(model, beta: float, sampling: tuple | None, k: int = 4, games: bool = False) -> RulesView:
    """Every rule of the registry on ``model``; ``sampling`` is D in alternative order (None: uniform).

    MPNE_k and the robust policy are solved only with ``games=True`` (otherwise listed in
    ``deferred``), so that a view of the cheap rules never waits for a large game; ``k`` only
    matters for them.
    """
    return _rules_view(model, float(beta), sampling, int(k) if games else None)


def rules_games(model, beta: float, sampling: tuple | None, k: int, progress) -> None:
    """:func:`rules_view` with the games, for a background run (:mod:`ui.background`): ``progress`` follows
    MPNE_k's and the robust policy's solves (half each) and stops them when it returns False; the view lands in
    the cache the page reads."""
    _rules_view(model, float(beta), sampling, int(k), _progress=progress)


@st.cache_data(**_CACHE)
def _rules_view(model, beta: float, sampling: tuple | None, k: int | None, _progress=None) -> RulesView:
    P = preference_matrix(model)
    names = list(P.index)
    params = RuleParams(beta=beta, sampling=sampling_series(sampling, names), k=k or 1)
    games = [rule_id for rule_id, rule in REGISTRY.items() if rule.solves_game]
    rows, unavailable, results, deferred = {}, {}, {}, []
    for rule_id, rule in REGISTRY.items():
        rows[rule_id] = np.full(len(names), np.nan)
        if rule.solves_game and k is None:
            deferred.append(rule_id)
            continue
        if rule.solves_game and _progress is not None:  # each game's share of the progress bar
            done, share = games.index(rule_id), 1 / len(games)
            rule_params = replace(params, progress=lambda f, done=done: _progress((done + f) * share))
        else:
            rule_params = params
        try:
            results[rule_id] = rule.compute(model, rule_params)  # refuses with the reason when it does not apply
        except AggregationError as exc:
            unavailable[rule_id] = str(exc).removeprefix(f"{rule.name}: ")
            continue
        rows[rule_id] = results[rule_id].values.reindex(names).to_numpy(float)
    scores = pd.DataFrame.from_dict(rows, orient="index", columns=names)
    winners = {r: top(scores.loc[r]) for r in RULE_KEYS if r in results}
    lottery = results.get("maximal_lottery")
    try:
        maj = majority_winner(model)
    except AggregationError:
        maj = None
    rlhf = results.get("rlhf")
    certificates = {r: results[r].certificate for r in results if REGISTRY[r].solves_game}
    return RulesView(
        alternatives=names,
        scores=scores,
        unavailable=unavailable,
        winners=winners,
        lottery=None if lottery is None else lottery.certificate,
        P=P,
        M=P - P.T,
        condorcet_winner=condorcet_winner(model),
        smith_set=smith_set(model),
        majority_edges=majority_graph(model),
        majority_winner=maj,
        rlhf_infinite_gaps=bool(rlhf is not None and rlhf.certificate.infinite_gaps),
        deferred=deferred,
        certificates=certificates,
        k=k,
        bt_fit=None if rlhf is None else rlhf.certificate.misfit,
        notes={r: result.notes for r, result in results.items() if result.notes},
    )


@st.cache_data(**_CACHE)
def bootstrap_view(
    model, rule_ids: tuple[str, ...], beta: float, sampling: tuple | None, replicates: int, seed: int, k: int = 1
) -> BootstrapResult:
    """The bootstrap of ``rule_ids`` (at ``k`` samples) on a population of comparisons (:func:`aggregation.bootstrap`)."""
    names = model.alternatives
    params = RuleParams(beta=beta, sampling=sampling_series(sampling, names), k=k)
    return bootstrap(model, list(rule_ids), replicates, seed, params=params)


@dataclass
class SamplingView:
    alternatives: list[str]
    D: pd.Series
    table: pd.DataFrame  # one column per quantity, one row per alternative
    unavailable: dict[str, str]  # column -> the core's reason
    nbc_top: list[str]
    flip: SamplingFlip | None  # the exact boundary (NBC ties the pair)
    flip_applied: SamplingFlip | None  # the same move nudged FLIP_NUDGE past the tie
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
        "RLHF / DPO policy under D": lambda: rlhf_policy(model, beta=beta, sampling=D).values,
        "RLHF / DPO policy, uniform D": lambda: rlhf_policy(model, beta=beta).values,
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
    return SamplingView(
        alternatives=names,
        D=D,
        table=table,
        unavailable=unavailable,
        nbc_top=top(columns["NBC under D"]),
        flip=flip,
        flip_applied=flip_applied,
        regions=regions,
        P=P,
    )


@dataclass
class PopulationSummary:
    kind: str  # aggregation.KINDS
    alternatives: list[str]
    rows: int  # distinct rankings, user types, comparisons (population.n_rows)
    total_weight: float | None
    P: pd.DataFrame
    standard_errors: pd.DataFrame | None  # comparisons only: binomial SE of each P entry
    unobserved_pairs: list[tuple[str, str]]


@st.cache_data(**_CACHE)
def population_summary(model) -> PopulationSummary:
    estimated = model.kind == COMPARISONS  # P is estimated from counts: with its standard errors
    return PopulationSummary(
        model.kind,
        model.alternatives,
        model.n_rows,
        model.total_weight,
        model.preference_matrix(),
        model.standard_errors() if estimated else None,
        model.unobserved_pairs() if estimated else [],
    )


@st.cache_data(**_CACHE)
def rankings_frame(model: Profile, limit: int | None = None) -> pd.DataFrame:
    """Distinct rankings with their total weights (the Population page's table), in text syntax;
    only the first ``limit`` of them when given (writing 100,000 rankings as text takes seconds)."""
    compact = model.compressed()
    n = compact.n_rankings if limit is None else min(limit, compact.n_rankings)
    return pd.DataFrame(
        {"ranking": [format_ranking(compact.ranking(i)) for i in range(n)], "weight": compact.weights[:n]}
    )


# ---------------------------------------------------------------------------- test-time scaling
#: The curve of robust rates always spans k = 1..CURVE_MIN_K (and up to the chosen k).
CURVE_MIN_K = 8
ROBUST = "robust policy_k"
MPNE = "MPNE_k"


#: Theorem 4.5: MPNE_k is sampled l = 1 .. max(RESAMPLING_MIN_L, k + 4) times.
RESAMPLING_MIN_L = 8
#: Appendix D.7: rivals answering with l = 1 .. min(k + 1, OPPONENT_MAX_L) responses.
OPPONENT_MAX_L = 4


@dataclass
class TesttimeView:
    alternatives: list[str]
    kind: str  # "rankings", "user types", "comparisons" or "preference matrix"
    k: int  # the k of the tables (1 when the population supports only k = 1)
    curve: pd.DataFrame  # k x policy: robust rate; plus the column "k/(k+1)"
    curve_methods: pd.DataFrame  # k x policy: how each number was obtained
    summary: pd.DataFrame  # policy -> robust rate, worst opponent, method, error bound
    rates: pd.DataFrame  # policy x opponent: the k-sample win rate
    policies: pd.DataFrame  # policy x alternative: the policy sampled k times
    mpne: RuleResult | None  # with the solver's certificate
    robust: RuleResult | None
    multi_output: RuleResult | None = None  # Theorem 3.1: the best k-output policy (multiset -> probability)
    resampling: pd.DataFrame | None = None  # Theorem 4.5: MPNE_k sampled l times
    opponent_sets: pd.DataFrame | None = None  # appendix D.7: MPNE_k against rivals with l responses
    refusal: str | None = None  # the core's reason when k > 1 or the games are refused
    beyond_notes: list[str] = field(default_factory=list)  # why a Theorem 3.1 / 4.5 / D.7 table is missing
    deferred: bool = False  # the games were too large to solve unasked
    notes: list[str] = field(default_factory=list)


def testtime_view(model, beta: float, sampling: tuple | None, k: int, games: bool) -> TesttimeView:
    """Robust k-sample win rates of the standard policies (``aggregation.standard_policies``) for
    k = 1..max(8, k), and at ``k``: every policy's win rate against every response, its worst-case
    opponent, MPNE_k and the robust policy with their certificates, the best k-output policy
    (Theorem 3.1), MPNE_k sampled l times (Theorem 4.5) and against rivals answering with l
    responses (appendix D.7) (``games=True`` only for the last five)."""
    return _testtime_view(model, float(beta), sampling, int(k), bool(games))


def testtime_seconds(model, k: int) -> float:
    """Predicted seconds of the Test-time page's games: MPNE_k for every k of the curve (about half of
    :func:`aggregation.game_seconds` each, which counts MPNE_k and the robust policy) and the robust policy."""
    solves = 1 if not model.has_full_rankings else max(CURVE_MIN_K, k)
    return game_seconds(model, k) * (solves + 1) / 2


def testtime_games(model, beta: float, sampling: tuple | None, k: int, progress) -> None:
    """:func:`testtime_view` with the games, for a background run (:mod:`ui.background`): ``progress``
    follows the solves and stops them (``aggregation.Cancelled``) when it returns False; the view lands
    in the cache the page reads."""
    _testtime_view(model, float(beta), sampling, int(k), True, _progress=progress)


@st.cache_data(**_CACHE)
def _testtime_view(model, beta: float, sampling: tuple | None, k: int, games: bool, _progress=None) -> TesttimeView:
    names = list(model.alternatives)
    refusal, notes = None, []
    pairwise_only = not model.has_full_rankings
    if pairwise_only and k > 1:
        try:
            kwin_curve(model, {"uniform": pd.Series(1.0 / len(names), index=names)}, [k])
        except AggregationError as exc:
            refusal = str(exc)
        k = 1
    ks = [1] if pairwise_only else list(range(1, max(CURVE_MIN_K, k) + 1))
    D = sampling_series(sampling, names)
    try:
        policies = standard_policies(model, beta=beta, sampling=D)
    except AggregationError as exc:  # e.g. a sampling distribution that leaves a response out
        notes.append(f"The RLHF / DPO policy is shown for uniform sampling: under the current D, {exc}.")
        policies = standard_policies(model, beta=beta)
    family = policies.pop(MPNE, None)
    solved: dict[int, RuleResult] = {}
    solves = len(ks) + 2  # MPNE_k for every k of the curve (and k), the robust policy

    def share(done: int):
        """The progress of one solve, as a share of all of them (None without a background run)."""
        if _progress is None:
            return None
        return lambda f: _progress((done + f) / solves)

    def mpne_k(kk: int) -> RuleResult:
        if kk not in solved:
            solved[kk] = mpne(model, kk, progress=share(len(solved)))
        return solved[kk]

    if games and family is not None:
        policies = {
            **{n: p for n, p in policies.items() if n != "uniform"},
            MPNE: mpne_k,
            "uniform": policies["uniform"],
        }
    curve = kwin_curve(model, policies, ks)
    mp = rb = multi = resampling = opponents = None
    beyond: list[str] = []
    if games:
        try:
            mp = mpne_k(k)
            rb = robust_policy(model, k, progress=share(solves - 1))
        except AggregationError as exc:
            refusal = refusal or str(exc)
        try:
            multi = multi_output_policy(model, k)
        except AggregationError as exc:
            beyond.append(f"Best {k}-output policy: {exc}.")
        if mp is not None and not pairwise_only:
            resampling = resampling_curve(model, mp, k, range(1, max(RESAMPLING_MIN_L, k + 4) + 1))
            rows = []
            for l in range(1, min(k + 1, OPPONENT_MAX_L) + 1):
                try:
                    rows.append(opponent_sets_curve(model, mp, k, [l]))
                except AggregationError as exc:
                    beyond.append(f"Rivals with {l} responses: {exc}.")
                    break
            opponents = pd.concat(rows) if rows else None
    at_k = {name: (p(k) if callable(p) else p) for name, p in policies.items()}
    if mp is not None and MPNE not in at_k:
        at_k = {**{n: p for n, p in at_k.items() if n != "uniform"}, MPNE: mp, "uniform": at_k["uniform"]}
    if rb is not None:
        at_k[ROBUST] = rb
    summary, rates = {}, {}
    for name, policy in at_k.items():
        rr = robust_rate(model, policy, k)
        summary[name] = {
            "robust rate": rr.rate,
            "worst opponent": ", ".join(rr.worst_opponents),
            "method": rr.method,
            "error": rr.error,
            "worst opponents": tuple(rr.worst_opponents),
        }
        rates[name] = rr.rates
    return TesttimeView(
        alternatives=names,
        kind=model.kind,
        k=k,
        curve=curve.rates,
        curve_methods=curve.methods,
        summary=pd.DataFrame(summary).T,
        rates=pd.DataFrame(rates).T.reindex(columns=names),
        policies=pd.DataFrame({n: values_of(p).reindex(names).to_numpy(float) for n, p in at_k.items()}, index=names).T,
        mpne=mp,
        robust=rb,
        multi_output=multi,
        resampling=resampling,
        opponent_sets=opponents,
        refusal=refusal,
        beyond_notes=beyond,
        deferred=not games,
        notes=notes,
    )


# ---------------------------------------------------------------------------- properties
#: The Properties page's quick table (started by itself, in the background) leaves out every check predicted to
#: take longer than this (seconds) or to read more than ``PROPERTY_BUDGET`` cells; they wait for the button.
CHECK_SECONDS = 4.0


@st.cache_data(show_spinner=False)
def paradox_table():
    """The precomputed table of paradoxes (``presets/paradoxes.json``), or the reason it cannot be read."""
    try:
        return paradox_tables.read()
    except AggregationError as exc:
        return str(exc)


# ---------------------------------------------------------------------------- ranked choice
#: Assortments offered by default: every response up to this many, else the best ones by utility.
DEFAULT_ASSORTMENT = 5


@dataclass(frozen=True)
class ChoiceDefaults:
    utilities: pd.Series
    central_ranking: tuple[str, ...]
    phi: float
    assortment: tuple[str, ...]
    source: str  # where the defaults come from, in words


@st.cache_data(**_CACHE)
def choice_defaults(model) -> ChoiceDefaults:
    """Starting values of the ranked-choice models for a population without a scenario set-up:
    MNL utilities = the Bradley-Terry reward RLHF fits on uniform pairs (a response that every voter
    ranks below another is placed a step lower, as a finite number), central ranking = their order."""
    reward = bt_reward(model).order_key()
    utilities = pd.Series(reward.to_numpy(float), index=list(model.alternatives), name="utility")
    central = tuple(utilities.sort_values(ascending=False, kind="stable").index)
    assortment = tuple(a for a in model.alternatives if a in central[:DEFAULT_ASSORTMENT])
    return ChoiceDefaults(
        utilities,
        central,
        0.5,
        assortment,
        "the Bradley–Terry reward RLHF would fit on this population (uniform pairs)",
    )


@dataclass
class ChoiceView:
    assortment: list[str]
    top: int
    first: pd.DataFrame  # response x model: first-choice probability
    lists: pd.DataFrame  # ordered top list ("A > B") x model: probability
    population_note: str | None = None  # why the population's own column is missing


MNL_COLUMN, RMJ_COLUMN, POPULATION_COLUMN = "MNL", "Mallows-RMJ", "this population"


@st.cache_data(**_CACHE)
def choice_view(model, utilities: tuple, central: str, phi: float, assortment: tuple, top: int) -> ChoiceView:
    """MNL (``utilities``: (name, value) pairs) and Mallows-RMJ (``central``: "A > B > C", ``phi``)
    probabilities of every ordered top list of ``assortment``, next to the population's own."""
    u = pd.Series(dict(utilities), dtype=float)
    S = list(assortment)
    note = None

    def tables(size: int) -> pd.DataFrame:
        nonlocal note
        columns = {MNL_COLUMN: mnl_topk_table(u, S, size), RMJ_COLUMN: mallows_rmj_topk_table(central, S, size, phi)}
        try:
            columns[POPULATION_COLUMN] = population_topk_table(model, S, size)
        except AggregationError as exc:
            note = str(exc)
        frame = pd.DataFrame(columns)
        frame.index = [" > ".join(t) for t in frame.index]
        return frame

    first = tables(1)
    return ChoiceView(S, int(top), first, tables(int(top)), note)


# ---------------------------------------------------------------------------- scenarios
@st.cache_data(show_spinner=False)
def scenario_claims(scenario_id: str) -> list[tuple[str, bool, str]]:
    """Each claim of a library scenario checked through the core: (text, passed, what was observed)."""
    return [(r.text, bool(r.passed), r.observed_text) for r in presets.evaluate(presets.load(scenario_id))]


@st.cache_data(**_CACHE)
def scenario_comparison(scenario_id: str) -> tuple[list[str], pd.DataFrame] | None:
    """A scenario whose claims compare the population with and without some alternatives (their
    ``restrict_to``, e.g. a clone): ``(the removed alternatives, a table)`` with one row per rule the claims
    name and its answer without them and with them (winners; a lottery's probabilities). ``None`` when the
    claims make no such comparison (or several different ones)."""
    scenario = presets.load(scenario_id)
    subsets = {tuple(c.fields["restrict_to"]) for c in scenario.claims if "restrict_to" in c.fields}
    if len(subsets) != 1:
        return None
    kept = list(next(iter(subsets)))
    model = scenario.population
    removed = [a for a in model.alternatives if a not in kept]
    rules = list(
        dict.fromkeys(
            c.fields.get("rule") or c.fields.get("policy")
            for c in scenario.claims
            if (c.fields.get("rule") or c.fields.get("policy")) in REGISTRY
        )
    )
    beta = float(scenario.beta)
    views = {"without": rules_view(model.restrict(kept), beta, None), "with": rules_view(model, beta, None)}

    def answer(view, rule_id):
        if REGISTRY[rule_id].family == "lotteries" or REGISTRY[rule_id].unit == "probability":
            row = view.scores.loc[rule_id].dropna()
            return ", ".join(f"{a} {numbers.decimal(float(p))}" for a, p in row.items())
        winners = view.winners.get(rule_id) or []
        return " = ".join(winners) + (" (tied)" if len(winners) > 1 else "")

    label = ", ".join(removed)
    table = pd.DataFrame(
        {
            f"without {label}": [answer(views["without"], r) for r in rules],
            f"with {label}": [answer(views["with"], r) for r in rules],
        },
        index=pd.Index([REGISTRY[r].name for r in rules], name="rule"),
    )
    return removed, table


# ---------------------------------------------------------------------------- step by step, Yee diagrams
@st.cache_data(**_CACHE)
def rule_steps(model, rule_id: str, beta: float, sampling: tuple | None, k: int) -> list:
    """How ``rule_id`` reached its answer on ``model`` (``Rule.steps``: its trace or the fallback);
    ``AggregationError`` with the core's reason when the rule does not apply."""
    names = model.alternatives
    params = RuleParams(beta=beta, sampling=sampling_series(sampling, names), k=k)
    return REGISTRY[rule_id].steps(model, params)


@st.cache_data(max_entries=16, show_spinner=False)
def yee_view(candidates: tuple, rule_ids: tuple, grid: int, spread: float, voters: int, cloud: str, seed: int) -> dict:
    """Yee diagrams of ``rule_ids`` (:func:`aggregation.yee_maps`) for ``candidates``, a tuple of
    ``(name, x, y)``; the rules keep their default parameters."""
    positions = {name: (x, y) for name, x, y in candidates}
    if len(positions) != len(candidates):
        raise AggregationError("candidates: two rows have the same name")
    return yee_maps(positions, list(rule_ids), grid=grid, spread=spread, voters=voters, cloud=cloud, seed=seed)
