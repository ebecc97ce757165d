"""Uncertainty of estimated answers: the bootstrap of every rule on a population of comparisons.

When ``P`` is estimated from comparisons, every rule's answer is an estimate too (DESIGN.md: "every
estimate from samples is shown with its uncertainty"). :func:`bootstrap` redraws the data ``replicates``
times and recomputes each rule on every redraw (Efron & Tibshirani 1993, chapters 6 and 13):

* **per pair** (no annotator ids): each pair keeps its number of comparisons ``n_ab`` and redraws its
  wins, losses and ties from the multinomial of their observed shares (the comparisons of a pair are
  resampled with replacement; pairs are independent);
* **annotators as clusters** (ids known, :class:`~aggregation.ComparisonCounts` from a log with an
  annotator column): the annotators are resampled with replacement, each bringing all of their
  comparisons, so that an annotator's judgements, which share a taste, move together (the intervals are
  then wider than per pair when annotators disagree).

Every redraw is vectorised over replicates (numpy's multinomial, or one sparse product of annotator
multiplicities with their counts); each rule then runs on each redraw's counts, except Borda, Copeland,
NBC under uniform sampling and the Condorcet winner, which are computed for all redraws at once from the
stack of matrices (identical to the rules' own code, checked by the tests). A 50-response matrix takes a
few milliseconds per rule per replicate (the maximal lottery's linear program the most).

What comes back (:class:`BootstrapResult`): percentile intervals (``level``, default 95%) for every
score and lottery probability; the share of redraws in which each response is the rule's winner (a
tie among k shares 1/k) and the Condorcet winner; and the rules whose winner on the data wins in fewer
than ``level`` of the redraws (a tie on the data must tie again): answers the data cannot decide.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import sparse

from .errors import AggregationError
from .outcome import MARGIN_TOLERANCE, TIE_RELATIVE
from .populations.comparisons import PairwiseData
from .populations.counts import ComparisonCounts
from .populations.matrix import as_population
from .rules.alignment import rlhf_policy
from .rules.registry import RULES, get_rule
from .rules.rule import RuleParams

#: Replicates when none are given, and the most accepted.
REPLICATES, MAX_REPLICATES = 1000, 100_000
#: The share of redraws the winner must hold for an answer to count as decided (and the intervals' level).
LEVEL = 0.95
#: Sequential Elo is bootstrapped only while comparisons x replicates stays below this (it reads every
#: comparison of every redraw one by one).
ELO_BUDGET = 20_000_000
#: Replicates drawn at a time (bounds the memory of the redraws).
CHUNK = 250
#: Annotators x pair outcomes up to which the cluster redraw multiplies dense matrices (BLAS) instead of sparse.
DENSE_CELLS = 20_000_000
PER_PAIR, CLUSTERS = "comparisons resampled per pair", "annotators resampled as clusters"


@dataclass(frozen=True, eq=False)
class BootstrapResult:
    """The bootstrap of some rules on one population of comparisons (see the module's docstring).

    ``estimates``: alternatives x rules, each rule on the data; ``samples[rule]``: replicates x
    alternatives; ``lower`` / ``upper``: the percentile interval at ``level``; ``winner_share``: the share
    of redraws in which each alternative is the rule's winner (a tie among k shares 1/k);
    ``condorcet_share``: the share in which each is the Condorcet winner (``no_condorcet_share``: none is);
    ``skipped``: rules left out, with the reason."""

    alternatives: list[str]
    rule_ids: list[str]
    replicates: int
    seed: int | None
    level: float
    method: str
    estimates: pd.DataFrame
    samples: dict[str, np.ndarray]
    lower: pd.DataFrame
    upper: pd.DataFrame
    winner_share: pd.DataFrame
    condorcet_share: pd.Series
    no_condorcet_share: float
    agreement: dict[str, float] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0

    def winners(self, rule_id: str) -> list[str]:
        """The rule's winners on the data."""
        values = self.estimates[rule_id]
        return list(values.index[_top(values.to_numpy()[None, :])[0]])

    def winner_support(self, rule_id: str) -> float:
        """The share of redraws whose winners are exactly the rule's winners on the data (a tie on the data
        must be a tie again)."""
        return self.agreement[rule_id]

    def decided(self, rule_id: str) -> bool:
        """Whether the rule's winner on the data wins in at least ``level`` of the redraws."""
        return self.winner_support(rule_id) >= self.level

    @property
    def undecided(self) -> list[str]:
        """The rules whose answer the data cannot decide (winner in fewer than ``level`` of the redraws)."""
        return [r for r in self.rule_ids if not self.decided(r)]

    def interval(self, rule_id: str) -> pd.DataFrame:
        """One rule: estimate, interval and winner share per alternative."""
        pct = f"{self.level:.0%}"
        return pd.DataFrame(
            {
                "estimate": self.estimates[rule_id],
                f"{pct} low": self.lower[rule_id],
                f"{pct} high": self.upper[rule_id],
                "winner share": self.winner_share[rule_id],
            }
        )

    def summary(self) -> pd.DataFrame:
        """One row per rule: its winner(s) on the data, the share of redraws they win, decided or not."""
        rows = [
            {
                "rule": r,
                "winner": ", ".join(self.winners(r)),
                "winner share": self.winner_support(r),
                "decided": self.decided(r),
            }
            for r in self.rule_ids
        ]
        return pd.DataFrame(rows).set_index("rule")


def _top(values: np.ndarray) -> np.ndarray:
    """Rows x alternatives -> which alternatives are tied for the top of each row (outcome's tolerance)."""
    finite = np.where(np.isfinite(values), np.abs(values), 0.0)
    tol = TIE_RELATIVE * np.maximum(1.0, finite.max(axis=1, initial=0.0))
    top = np.nanmax(values, axis=1)
    return (values == top[:, None]) | (top[:, None] - values <= tol[:, None])


def _counts_of(population) -> ComparisonCounts:
    population = as_population(population)
    if isinstance(population, ComparisonCounts):
        return population
    if isinstance(population, PairwiseData):
        return ComparisonCounts.from_pairwise(population)
    raise AggregationError(
        f"the bootstrap resamples comparisons; a population of kind {population.kind!r} has "
        "none (its P is exact, not estimated)"
    )


class _Redraws:
    """Draws replicate pair counts (replicates x pairs x 3) per pair or by annotator clusters."""

    def __init__(self, counts: ComparisonCounts, clusters: bool, rng: np.random.Generator):
        self.rng = rng
        self.first, self.second, self.pairs = counts.pair_counts()
        self.clusters = clusters
        if clusters:
            _, _, annotator, C = counts.cells
            pair = counts.pair_of_cell()
            n_pairs = len(self.first)
            self.n_annotators = counts.n_annotators
            rows = np.repeat(annotator.astype(np.int64), 3)
            cols = (pair.astype(np.int64)[:, None] * 3 + np.arange(3)[None, :]).reshape(-1)
            self.S = sparse.csr_matrix(
                (C.reshape(-1).astype(float), (rows, cols)), shape=(self.n_annotators, n_pairs * 3)
            )
            if self.n_annotators * n_pairs * 3 <= DENSE_CELLS:
                self.S = self.S.toarray()
        else:
            n = self.pairs.sum(axis=1)
            self.n = n
            self.p = self.pairs / n[:, None]

    def draw(self, r: int) -> np.ndarray:
        if self.clusters:
            A = self.n_annotators
            weights = self.rng.multinomial(A, np.full(A, 1.0 / A), size=r).astype(float)
            out = (
                weights @ self.S
                if isinstance(self.S, np.ndarray)
                else np.asarray((sparse.csr_matrix(weights) @ self.S).todense())
            )
            return np.rint(out).astype(np.int64).reshape(r, -1, 3)
        return self.rng.multinomial(self.n, self.p, size=(r, len(self.n)))


def _matrices(first, second, counts: np.ndarray, m: int) -> np.ndarray:
    """Replicates x pairs x 3 counts -> replicates x m x m matrices P (1/2 for a pair not compared)."""
    r = counts.shape[0]
    n = counts.sum(axis=2).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(n > 0, (counts[:, :, 0] + counts[:, :, 2] / 2) / np.where(n > 0, n, 1), 0.5)
    P = np.full((r, m, m), 0.5)
    P[:, first, second] = p
    P[:, second, first] = 1.0 - p
    return P


#: Rules computed for all redraws at once from the stack of matrices (``(P, params) -> values``; None
#: when the parameters call for the rule's own code).
def _borda(P, params):
    return P.sum(axis=2) - 0.5


def _copeland(P, params):
    M = P - np.swapaxes(P, 1, 2)
    return (M > MARGIN_TOLERANCE).sum(axis=2) + 0.5 * ((np.abs(M) <= MARGIN_TOLERANCE).sum(axis=2) - 1)


def _nbc(P, params):
    return None if params.sampling is not None else P.mean(axis=2)


_FAST = {"borda": _borda, "copeland": _copeland, "nbc": _nbc}


#: Rules recomputed on each redraw by a cheaper call with the same values (the registry's RLHF / DPO entry
#: also measures the Bradley-Terry misfit, which only its certificate carries).
def _rlhf(counts, params):
    return rlhf_policy(counts, beta=params.beta, sampling=params.sampling_over(counts.alternatives)).values


_VALUES = {"rlhf": _rlhf}


def _condorcet(P: np.ndarray) -> np.ndarray:
    """Replicates x m: 1 where the alternative beats every other by a strict majority."""
    M = P - np.swapaxes(P, 1, 2)
    m = P.shape[1]
    M[:, np.arange(m), np.arange(m)] = 1.0
    return (M > MARGIN_TOLERANCE).all(axis=2)


def bootstrap(
    population,
    rule_ids=None,
    replicates: int = REPLICATES,
    seed: int | None = 0,
    *,
    params: RuleParams | None = None,
    clusters: bool | None = None,
    level: float = LEVEL,
) -> BootstrapResult:
    """Bootstrap the rules ``rule_ids`` (default: every rule of the registry that applies) on a population
    of comparisons (:class:`~aggregation.ComparisonCounts` or :class:`~aggregation.PairwiseData`):
    ``replicates`` redraws with ``seed``, annotators as clusters when the counts know them (``clusters``
    None) or when asked, else comparisons per pair. See the module's docstring."""
    start = time.perf_counter()
    counts = _counts_of(population)
    params = params or RuleParams()
    try:
        replicates = int(replicates)
    except (TypeError, ValueError):
        raise AggregationError(f"replicates must be a whole number, got {replicates!r}") from None
    if not 10 <= replicates <= MAX_REPLICATES:
        raise AggregationError(f"replicates must be between 10 and {MAX_REPLICATES:,}, got {replicates:,}")
    if not (isinstance(level, float) and 0.5 <= level < 1):
        raise AggregationError(f"the level must be a number in [0.5, 1), got {level!r}")
    if clusters is None:
        clusters = counts.has_annotators and counts.n_annotators > 1
    elif clusters and not counts.has_annotators:
        raise AggregationError("resampling annotators as clusters needs annotator ids; these comparisons have none")
    names = counts.alternatives
    m = len(names)
    wanted = list(RULES) if rule_ids is None else [get_rule(r).id for r in rule_ids]
    rules, skipped, estimates = [], {}, {}
    for rule_id in wanted:
        rule = RULES[rule_id]
        ok, reason = rule.applies_to(counts, params)
        if not ok:
            skipped[rule_id] = reason
            continue
        if rule_id == "elo" and counts.n_comparisons * replicates > ELO_BUDGET:
            skipped[rule_id] = (
                f"sequential Elo reads every comparison of every redraw one by one: "
                f"{counts.n_comparisons:,} x {replicates:,} updates is beyond the budget of "
                f"{ELO_BUDGET:,}; the Bradley-Terry rating is its order-free counterpart"
            )
            continue
        values = rule.compute(counts, params).values
        if list(values.index) != names:
            skipped[rule_id] = "its answer is not one number per response (a policy over multisets)"
            continue
        rules.append(rule_id)
        estimates[rule_id] = values.astype(float)
    if not rules:
        raise AggregationError("no rule to bootstrap" + (f": {next(iter(skipped.values()))}" if skipped else ""))
    rng = np.random.default_rng(seed)
    redraws = _Redraws(counts, clusters, rng)
    first, second = redraws.first, redraws.second
    samples = {r: np.empty((replicates, m)) for r in rules}
    condorcet = np.empty((replicates, m), dtype=bool)
    done = 0
    while done < replicates:
        r = min(CHUNK, replicates - done)
        drawn = redraws.draw(r)
        P = _matrices(first, second, drawn, m)
        condorcet[done : done + r] = _condorcet(P)
        slow = []
        for rule_id in rules:
            fast = _FAST.get(rule_id)
            out = fast(P, params) if fast is not None else None
            if out is None:
                slow.append(rule_id)
            else:
                samples[rule_id][done : done + r] = out
        if slow:
            for i in range(r):
                keep = drawn[i].sum(axis=1) > 0
                replica = ComparisonCounts(
                    names, first[keep], second[keep], drawn[i, keep, 0], drawn[i, keep, 1], drawn[i, keep, 2]
                )
                for rule_id in slow:
                    values = (
                        _VALUES[rule_id](replica, params)
                        if rule_id in _VALUES
                        else RULES[rule_id].compute(replica, params).values
                    )
                    samples[rule_id][done + i] = values.to_numpy(float)
        done += r
    alpha = (1 - level) / 2
    lower = pd.DataFrame({r: np.quantile(samples[r], alpha, axis=0) for r in rules}, index=names)
    upper = pd.DataFrame({r: np.quantile(samples[r], 1 - alpha, axis=0) for r in rules}, index=names)
    share, agreement = {}, {}
    for rule_id in rules:
        top = _top(samples[rule_id])
        share[rule_id] = (top / top.sum(axis=1, keepdims=True)).mean(axis=0)
        on_data = _top(estimates[rule_id].to_numpy()[None, :])
        agreement[rule_id] = float((top == on_data).all(axis=1).mean())
    any_condorcet = condorcet.any(axis=1)
    method = (
        f"{CLUSTERS} ({counts.n_annotators:,} annotators)"
        if clusters
        else f"{PER_PAIR} (multinomial, {len(first):,} pairs)"
    )
    return BootstrapResult(
        names,
        rules,
        replicates,
        seed,
        level,
        method,
        pd.DataFrame(estimates, index=names),
        samples,
        lower,
        upper,
        pd.DataFrame(share, index=names),
        pd.Series(condorcet.mean(axis=0), index=names, name="Condorcet winner share"),
        float(1 - any_condorcet.mean()),
        agreement,
        skipped,
        time.perf_counter() - start,
    )
