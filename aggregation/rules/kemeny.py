"""Rules whose definition is a search over rankings or over changed electorates: Kemeny-Young
(winners and ranking), Slater, Dodgson and Young. Each is exact up to a stated size (a named
constant below) and refuses beyond it with the reason; none approximates.

* **Kemeny-Young** (Kemeny 1959; Young & Levenglick 1978): the rankings that agree with the voters
  on the most (weighted) pairs, i.e. that minimise the total Kendall tau distance to the ballots (a
  ballot's tie against a strict order of the ranking costs one half). Only ``P`` matters, so it
  accepts any population. Computed by dynamic programming over subsets (the best ordering of each
  set of alternatives placed on top), ``O(2^m m)``, exact for m <= :data:`KEMENY_MAX_ALTERNATIVES`.
  Winners: the first alternatives of *all* optimal rankings (ties among optimal rankings are never
  broken). Ranking: the optimal ranking when it is unique; when several are optimal, alternatives
  whose places differ between optimal rankings share a tie group (the finest division into blocks of
  consecutive places that every optimal ranking respects).
* **Slater** (Slater 1961): the rankings reversing the fewest majority relations (a margin-0 pair
  costs nothing either way); winners as for Kemeny. Same search, exact up to the same size.
* **Dodgson** (Dodgson 1876; integer program of Bartholdi, Tovey & Trick 1989): an alternative's
  score is the fewest swaps of adjacent alternatives in the voters' rankings that make it beat every
  other one by a strict majority; fewest swaps wins. Defined on strict rankings with whole-number
  weights (a weight is a number of voters); refused for ties, truncated ballots, other weights and
  populations without ballots.
* **Young** (Young 1977): an alternative's score is the largest number of voters (weight) among whom
  it is a weak Condorcet winner (no alternative beats it head-to-head), i.e. the electorate minus the
  fewest voters to remove; most wins. Rankings may have ties (a voter indifferent between the two
  counts for neither). Whole-number weights; populations without ballots are refused. (The strict
  variant, where x must win every vote among the kept voters, is not offered.)

Dodgson and Young solve one integer program per alternative with HiGHS (``scipy.optimize.milp``,
relative gap 0): exact up to :data:`DODGSON_MAX_ALTERNATIVES` alternatives and
:data:`DODGSON_MAX_BALLOTS` distinct ballots (Dodgson), :data:`YOUNG_MAX_ALTERNATIVES` and
:data:`YOUNG_MAX_BALLOTS` (Young); a solve that does not prove optimality within
:data:`MILP_TIME_LIMIT` seconds is refused, never rounded.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from ..errors import AggregationError
from ..outcome import winners
from ..papers import Reference
from ..populations.base import RANKINGS, Population
from ..populations.matrix import as_population
from .majority import TOL, fmt, margin_matrix, ranking_values, set_values
from .result import RANKING, SCORES, SET, RuleResult
from .rule import ANY, VOTERS, Rule, Step

#: Kemeny-Young and Slater are exact (dynamic programming over 2^m subsets) up to this many alternatives.
KEMENY_MAX_ALTERNATIVES = 16
#: Dodgson's integer programs are solved exactly up to this many alternatives ...
DODGSON_MAX_ALTERNATIVES = 12
#: ... and this many distinct ballots;
DODGSON_MAX_BALLOTS = 5_000
#: Young's up to this many alternatives and distinct ballots (its program is the harder one to prove optimal:
#: about 2 s at the limit on impartial-culture ballots, against 30 s for 12 alternatives and 5,000 ballots).
YOUNG_MAX_ALTERNATIVES = 10
YOUNG_MAX_BALLOTS = 1_000
#: Seconds one integer program may take before the rule refuses (it never returns an unproven answer).
MILP_TIME_LIMIT = 20.0


# ---------------------------------------------------------------------------- the subset search
class OrderSearch:
    """Best orders by dynamic programming over subsets, for pair weights ``G[a, b]`` (what ranking a
    above b earns): ``top[S]`` is the best score of the pairs with at least one end in S when S takes
    the first |S| places, ``bottom[S]`` the best score of the pairs inside the complement; an order
    is optimal exactly when every prefix S satisfies ``top[S] + bottom[S] = best``."""

    def __init__(self, G: np.ndarray):
        m = G.shape[0]
        self.m, self.G = m, G
        size = 1 << m
        inside = np.zeros((m, size))  # inside[y, S] = sum_{z in S} G[y, z]
        for i in range(m):
            inside[:, 1 << i : 2 << i] = inside[:, : 1 << i] + G[:, i : i + 1]
        self.gain = G.sum(axis=1)[:, None] - inside  # gain[y, S]: y placed right after S earns this
        masks = np.arange(size)
        popcount = np.zeros(size, dtype=np.int64)
        for i in range(m):
            popcount += (masks >> i) & 1
        self.by_size = [masks[popcount == k] for k in range(m + 1)]
        top = np.full(size, -np.inf)
        top[0] = 0.0
        for k in range(1, m + 1):  # the last alternative y of the prefix S
            S = self.by_size[k]
            best = np.full(S.size, -np.inf)
            for y in range(m):
                has = (S >> y) & 1 == 1
                prev = S[has] ^ (1 << y)
                best[has] = np.maximum(best[has], top[prev] + self.gain[y, prev])
            top[S] = best
        bottom = np.full(size, -np.inf)
        bottom[size - 1] = 0.0
        for k in range(m - 1, -1, -1):  # the next alternative y after the prefix S
            S = self.by_size[k]
            best = np.full(S.size, -np.inf)
            for y in range(m):
                free = (S >> y) & 1 == 0
                s = S[free]
                best[free] = np.maximum(best[free], self.gain[y, s] + bottom[s | (1 << y)])
            bottom[S] = best
        self.top, self.bottom = top, bottom
        self.best = float(top[size - 1])
        self.tol = 1e-9 * max(1.0, abs(self.best), float(np.abs(G).sum()))

    def optimal_step(self, S, y) -> np.ndarray:
        """Whether placing y right after the prefix S (arrays) lies on an optimal order."""
        return self.top[S] + self.gain[y, S] + self.bottom[S | (1 << y)] >= self.best - self.tol

    def first(self) -> list[int]:
        """The alternatives some optimal order puts first."""
        return [y for y in range(self.m) if self.optimal_step(np.array([0]), y)[0]]

    def best_with_first(self, y: int) -> float:
        """The best score of an order that puts y first."""
        return float(self.gain[y, 0] + self.bottom[1 << y])

    def position_range(self) -> tuple[np.ndarray, np.ndarray]:
        """For each alternative, the first and last place (0-based) it takes in some optimal order."""
        lo, hi = np.full(self.m, self.m), np.full(self.m, -1)
        for k in range(self.m):
            S = self.by_size[k]
            S = S[self.top[S] + self.bottom[S] >= self.best - self.tol]
            for y in range(self.m):
                s = S[(S >> y) & 1 == 0]
                if s.size and self.optimal_step(s, y).any():
                    lo[y], hi[y] = min(lo[y], k), max(hi[y], k)
        return lo, hi

    def count(self) -> int:
        """How many optimal orders there are (counted along optimal steps; exact in float64 for m <= 16,
        as 16! < 2^53)."""
        size = 1 << self.m
        ways = np.zeros(size)
        ways[0] = 1.0
        for k in range(self.m):
            S = self.by_size[k]
            S = S[(self.top[S] + self.bottom[S] >= self.best - self.tol) & (ways[S] > 0)]
            for y in range(self.m):
                s = S[(S >> y) & 1 == 0]
                if s.size:
                    s = s[self.optimal_step(s, y)]
                    np.add.at(ways, s | (1 << y), ways[s])
        return int(round(ways[size - 1]))

    def an_order(self, first: int | None = None) -> list[int]:
        """One optimal order (with ``first`` on top: the best order that starts with it), following the
        lowest-numbered optimal choice at each place."""
        S, order = 0, []
        if first is not None:
            S, order = 1 << first, [first]
        while len(order) < self.m:
            for y in range(self.m):
                if not S >> y & 1 and self.gain[y, S] + self.bottom[S | (1 << y)] >= self.bottom[S] - self.tol:
                    order.append(y)
                    S |= 1 << y
                    break
        return order


def _check_size(population: Population, what: str) -> str | None:
    m = len(as_population(population).alternatives)
    if m > KEMENY_MAX_ALTERNATIVES:
        return (
            f"{what} is computed exactly only up to {KEMENY_MAX_ALTERNATIVES} alternatives (a search over "
            f"2^m sets of alternatives); this population has {m}"
        )
    return None


def kemeny_limit(population: Population, params=None) -> str | None:
    return _check_size(population, "Kemeny-Young")


def slater_limit(population: Population, params=None) -> str | None:
    return _check_size(population, "Slater's rule")


def _kemeny_search(population: Population) -> tuple[OrderSearch, list[str], np.ndarray]:
    refusal = kemeny_limit(population)
    if refusal:
        raise AggregationError(refusal)
    M, names = margin_matrix(population)
    return OrderSearch(M / 2.0), names, M


def kemeny_agreement(population: Population, order) -> float:
    """The weighted number of (voter, pair) agreements of a linear ``order`` (names or indices, best
    first) with the ballots, a tie counting one half: ``W * sum_{a above b} P[a, b]`` (with W = 1 for
    populations without weights). The Kendall tau distance is ``W * m(m-1)/2`` minus it."""
    population = as_population(population)
    P = population.preference_matrix()
    names = list(P.index)
    idx = [names.index(a) if isinstance(a, str) else int(a) for a in order]
    Pn = P.to_numpy(float)
    total = sum(Pn[idx[i], idx[j]] for i in range(len(idx)) for j in range(i + 1, len(idx)))
    W = population.total_weight
    return float(total * (W if W is not None else 1.0))


def kemeny_young(population: Population) -> RuleResult:
    """Kemeny-Young winners: the first alternatives of every ranking that agrees with the voters on
    the most pairs (see the module docstring). A set: 1 for the winners."""
    search, names, _ = _kemeny_search(population)
    return RuleResult(
        set_values(search.first(), names, "Kemeny-Young winners"),
        method=f"dynamic programming over the 2^{len(names)} sets of alternatives (exact)",
    )


def kemeny_ranking(population: Population) -> RuleResult:
    """The Kemeny ranking (see the module docstring): the optimal ranking when it is unique; otherwise
    alternatives whose places differ between optimal rankings share a tie group."""
    search, names, _ = _kemeny_search(population)
    lo, hi = search.position_range()
    groups = []
    order = np.argsort(lo, kind="stable")
    current, reach = [], -1
    for y in order:
        if current and lo[y] > reach:
            groups.append(current)
            current = []
        current.append(int(y))
        reach = max(reach, int(hi[y]))
    groups.append(current)
    count = search.count()
    notes = (
        ()
        if count == 1
        else (
            f"{count} rankings tie for the best agreement; alternatives whose places differ "
            "between them share a tie group",
        )
    )
    return RuleResult(
        ranking_values(groups, names, "Kemeny ranking"),
        method=f"dynamic programming over the 2^{len(names)} sets of alternatives (exact)",
        notes=notes,
    )


def slater(population: Population) -> RuleResult:
    """Slater's rule: the first alternatives of every ranking that reverses the fewest head-to-head
    majorities (margin-0 pairs cost nothing). A set: 1 for the winners."""
    refusal = slater_limit(population)
    if refusal:
        raise AggregationError(refusal)
    M, names = margin_matrix(population)
    G = np.sign(np.where(np.abs(M) > TOL, M, 0.0))
    search = OrderSearch(G)
    return RuleResult(
        set_values(search.first(), names, "Slater winners"),
        method=f"dynamic programming over the 2^{len(names)} sets of alternatives (exact)",
    )


def _order_text(order, names) -> str:
    return " > ".join(names[i] for i in order)


def kemeny_trace(population: Population, params=None) -> list[Step]:
    search, names, M = _kemeny_search(population)
    W = as_population(population).total_weight
    unit = "voter-pairs" if W is not None else "share of voter-pairs"
    m = len(names)
    pairs = (W if W is not None else 1.0) * m * (m - 1) / 2
    rows = []
    for y in range(m):
        order = search.an_order(first=y)
        agree = kemeny_agreement(population, order)
        rows.append(
            {
                "first": names[y],
                "best ranking with it first": _order_text(order, names),
                f"agreement ({unit})": fmt(agree),
                "Kendall tau distance": fmt(pairs - agree),
            }
        )
    table = pd.DataFrame(rows).set_index("first")
    best = search.an_order()
    best_agree = kemeny_agreement(population, best)
    firsts = search.first()
    others = [r for r in rows if r["first"] not in {names[i] for i in firsts}]
    runner = max(others, key=lambda r: float(r[f"agreement ({unit})"])) if others else None
    count = search.count()
    top = tuple(names[i] for i in firsts)
    text = (
        f"The best ranking, {_order_text(best, names)}, agrees with the ballots on {fmt(best_agree)} {unit} "
        f"(Kendall tau distance {fmt(pairs - best_agree)})"
        + (f"; {count} rankings tie for it" if count > 1 else "")
        + "."
    )
    if runner is not None:
        text += (
            f" The best ranking with another winner, {runner['best ranking with it first']}, agrees on "
            f"{runner[f'agreement ({unit})']}."
        )
    ranking = kemeny_ranking(population)
    return [
        Step(
            "Agreement of a ranking",
            f"A ranking earns, for every pair it orders a above b, the {unit[:-1]} of "
            "voters who prefer a to b (a voter indifferent between them counts one "
            "half). The Kemeny ranking earns the most.",
            None,
        ),
        Step(
            "Best ranking for each first place",
            "The best ranking that starts with each alternative (found by "
            "dynamic programming over sets of alternatives).",
            table,
            top,
        ),
        Step("Kemeny ranking", text, highlight=top),
        Step(
            "Result",
            "Ranking: "
            + " > ".join(" = ".join(g) for g in ranking.tie_groups)
            + f"; winner{'s' if len(top) > 1 else ''}: {', '.join(top)}.",
            highlight=top,
        ),
    ]


def slater_trace(population: Population, params=None) -> list[Step]:
    refusal = slater_limit(population)
    if refusal:
        raise AggregationError(refusal)
    M, names = margin_matrix(population)
    G = np.sign(np.where(np.abs(M) > TOL, M, 0.0))
    search = OrderSearch(G)
    m = len(names)
    majorities = int((G > 0).sum())
    rows = []
    for y in range(m):
        order = search.an_order(first=y)
        kept = sum(G[order[i], order[j]] > 0 for i in range(m) for j in range(i + 1, m))
        rows.append(
            {
                "first": names[y],
                "best ranking with it first": _order_text(order, names),
                "majorities reversed": int(majorities - kept),
            }
        )
    firsts = search.first()
    top = tuple(names[i] for i in firsts)
    best = search.an_order()
    return [
        Step(
            "Majority relation",
            f"{majorities} head-to-head majorities (margin-0 pairs are no majority and cost nothing).",
            pd.DataFrame(G.astype(int), index=names, columns=names),
        ),
        Step(
            "Best ranking for each first place",
            "The ranking starting with each alternative that reverses the fewest majorities.",
            pd.DataFrame(rows).set_index("first"),
            top,
        ),
        Step(
            "Winners",
            f"Fewest reversals: {_order_text(best, names)} and every ranking as good; their first "
            f"places: {', '.join(top)}.",
            highlight=top,
        ),
    ]


# ---------------------------------------------------------------------------- Dodgson and Young
def _ballots(population: Population, what: str, strict: bool, max_m: int, max_ballots: int) -> str | None:
    """Why ``population`` cannot be used by the integer programs (None when it can)."""
    population = as_population(population)
    if population.kind != RANKINGS:
        return f"{what} counts voters and changes their ballots, so it needs rankings (voters with ballots)"
    m = len(population.alternatives)
    if m > max_m:
        return f"{what} is computed exactly only up to {max_m} alternatives; this population has {m}"
    w = population.weights
    if not np.all(w == np.round(w)):
        return f"{what} counts voters, so every weight must be a whole number of voters"
    if strict and population.has_ties:
        return (
            f"{what} swaps adjacent alternatives of strict rankings; some ballots here have ties or leave "
            "alternatives unranked"
        )
    if population.n_rows > max_ballots:
        return (
            f"{what} is computed exactly only up to {max_ballots:,} distinct ballots; this population has "
            f"{population.n_rows:,}"
        )
    return None


def dodgson_limit(population: Population, params=None) -> str | None:
    return _ballots(population, "Dodgson's rule", True, DODGSON_MAX_ALTERNATIVES, DODGSON_MAX_BALLOTS)


def young_limit(population: Population, params=None) -> str | None:
    return _ballots(population, "Young's rule", False, YOUNG_MAX_ALTERNATIVES, YOUNG_MAX_BALLOTS)


def _solve(c, A, lo, hi, lb, ub, what: str) -> float:
    res = milp(
        c,
        constraints=LinearConstraint(A, lo, hi),
        integrality=np.ones(len(c)),
        bounds=Bounds(lb, ub),
        options={"mip_rel_gap": 0.0, "time_limit": MILP_TIME_LIMIT},
    )
    if res.status != 0 or res.x is None:
        raise AggregationError(
            f"{what}: the integer program did not prove an optimum ({res.message}); no answer is "
            "given rather than an approximate one"
        )
    return float(round(res.fun))


def dodgson_scores(population: Population) -> pd.Series:
    """Each alternative's Dodgson score: the fewest adjacent swaps (summed over voters) making it beat
    every other alternative by a strict majority (margin > 0). Integer program (Bartholdi, Tovey &
    Trick 1989): ``z[i, k]`` voters with ballot i move x up exactly k places; x gains a vote against
    every alternative it passes. Shortcut, exact: a swap wins one vote against one alternative, so
    the score is at least the votes needed in total; when enough voters have each alternative x
    must catch up on right above x, that many single swaps reach it and no program is solved."""
    refusal = dodgson_limit(population)
    if refusal:
        raise AggregationError(refusal)
    profile = as_population(population).compressed()
    L, w = profile.levels.astype(int), profile.weights
    names = profile.alternatives
    m = len(names)
    A = profile.above_counts()
    out = np.zeros(m)
    for x in range(m):
        need = {y: int(np.floor((A[y, x] - A[x, y]) / 2.0)) + 1 for y in range(m) if y != x and A[x, y] <= A[y, x]}
        if not need:
            continue
        # each swap wins x one vote against one alternative, so the score is at least sum(need); when enough voters
        # have each needy y right above x, that many single swaps (by different voters) reach it: exact, no program
        above = L == (L[:, [x]] - 1)  # above[i, y]: y sits right above x in ballot i
        if all(float(w[above[:, y]].sum()) >= d for y, d in need.items()):
            out[x] = float(sum(need.values()))
            continue
        ballot = np.repeat(np.arange(L.shape[0]), L[:, x])  # column j: ballot[j] moves x up shift[j]
        shift = np.concatenate([np.arange(1, k + 1) for k in L[:, x]]) if L[:, x].any() else np.zeros(0, int)
        cost = shift.astype(float)
        rows, cols = [], []
        lo = []
        for r, (y, d) in enumerate(need.items()):
            passes = (L[ballot, y] < L[ballot, x]) & (L[ballot, y] >= L[ballot, x] - shift)
            cols.append(np.flatnonzero(passes))
            rows.append(np.full(cols[-1].size, r))
            lo.append(d)
        n_need, n_cols = len(lo), len(cost)
        passing = sparse.csr_matrix(
            (np.ones(sum(c.size for c in cols)), (np.concatenate(rows), np.concatenate(cols))), shape=(n_need, n_cols)
        )
        cap = sparse.csr_matrix((np.ones(n_cols), (ballot, np.arange(n_cols))), shape=(L.shape[0], n_cols))
        Amat = sparse.vstack([passing, cap]).tocsr()
        lower = np.concatenate([lo, np.zeros(L.shape[0])])
        upper = np.concatenate([np.full(n_need, np.inf), w])
        out[x] = _solve(
            cost, Amat, lower, upper, np.zeros(n_cols), np.full(n_cols, np.inf), f"Dodgson score of {names[x]}"
        )
    return pd.Series(out, index=names, name="Dodgson score")


def dodgson(population: Population) -> RuleResult:
    """Dodgson's rule: minus the Dodgson score (larger is better; 0 for a Condorcet winner); the
    fewest swaps win, ties all win."""
    score = dodgson_scores(population)
    return RuleResult(
        (-score + 0.0).rename("minus Dodgson score"), method="one integer program per alternative (scipy HiGHS, exact)"
    )


def young_scores(population: Population) -> pd.Series:
    """Each alternative's Young score: the largest weight of voters among whom it is a weak Condorcet
    winner (nobody beats it), by an integer program over how many voters of each ballot are kept (ballots
    that rank x the same way against every other alternative merged into one variable)."""
    refusal = young_limit(population)
    if refusal:
        raise AggregationError(refusal)
    profile = as_population(population).compressed()
    L, w = profile.levels.astype(int), profile.weights
    names = profile.alternatives
    m = len(names)
    A = profile.above_counts()
    out = np.zeros(m)
    for x in range(m):
        if all(A[x, y] >= A[y, x] for y in range(m) if y != x):
            out[x] = float(w.sum())  # already unbeaten: keep everyone
            continue
        sign = np.sign(L[:, [y for y in range(m) if y != x]] - L[:, [x]])  # +1: x above y in ballot i
        # ballots that agree on x against every other alternative are interchangeable here: merge them
        pattern, group = np.unique(sign, axis=0, return_inverse=True)
        size = np.bincount(group.reshape(-1), weights=w)
        kept = _solve(
            -np.ones(len(size)),
            pattern.T,
            np.zeros(m - 1),
            np.full(m - 1, np.inf),
            np.zeros(len(size)),
            size,
            f"Young score of {names[x]}",
        )
        out[x] = -kept
    return pd.Series(out + 0.0, index=names, name="Young score")


def young(population: Population) -> RuleResult:
    """Young's rule: the Young score of each alternative (larger is better)."""
    return RuleResult(young_scores(population), method="one integer program per alternative (scipy HiGHS, exact)")


def dodgson_trace(population: Population, params=None) -> list[Step]:
    score = dodgson_scores(population)
    profile = as_population(population)
    A = profile.above_counts()
    names = profile.alternatives
    m = len(names)
    rows = []
    for x in range(m):
        short = {
            names[y]: int(np.floor((A[y, x] - A[x, y]) / 2.0)) + 1 for y in range(m) if y != x and A[x, y] <= A[y, x]
        }
        rows.append(
            {
                "alternative": names[x],
                "votes still needed against": ", ".join(f"{k} ({v})" for k, v in short.items()) or "none",
                "fewest swaps": int(score[names[x]]),
            }
        )
    top = tuple(winners(-score))
    return [
        Step(
            "Votes needed",
            "To beat y, x needs more voters ranking it above y than below; one swap of x with "
            "the alternative just above it in one ballot moves one vote.",
            None,
        ),
        Step(
            "Dodgson scores",
            "The fewest adjacent swaps (found by an integer program) that make each alternative beat every other one.",
            pd.DataFrame(rows).set_index("alternative"),
            top,
        ),
        Step("Winner", f"Fewest swaps: {', '.join(top)} ({fmt(score[top[0]])}).", highlight=top),
    ]


def young_trace(population: Population, params=None) -> list[Step]:
    score = young_scores(population)
    total = as_population(population).total_weight
    table = pd.DataFrame({"voters kept": score, "voters removed": total - score})
    top = tuple(winners(score))
    return [
        Step(
            "Young scores",
            "For each alternative, the largest group of voters among whom nobody beats it "
            "head-to-head (found by an integer program over how many voters of each ballot to "
            "keep).",
            table,
            top,
        ),
        Step(
            "Winner",
            f"Largest such group: {', '.join(top)} ({fmt(score[top[0]])} of {fmt(total)} voters).",
            highlight=top,
        ),
    ]


#: The registry entries of this family (see :mod:`.rule`).
ENTRIES = [
    Rule(
        "kemeny_young",
        "Kemeny-Young",
        "Kemeny-Young",
        "Find the ranking that agrees with the voters on the most pairs; its first place wins (all of them when "
        "several rankings are best).",
        SET,
        "1 = winner",
        "majority",
        (Reference("kemeny"), Reference("young_levenglick")),
        (),
        ANY,
        lambda m, p: kemeny_young(m),
        trace=kemeny_trace,
        limit=kemeny_limit,
    ),
    Rule(
        "kemeny_ranking",
        "Kemeny ranking",
        "the Kemeny ranking",
        "The ranking that agrees with the voters on the most pairs (alternatives whose places differ between "
        "equally good rankings are tied).",
        RANKING,
        "alternatives ranked below",
        "majority",
        (Reference("kemeny"), Reference("young_levenglick")),
        (),
        ANY,
        lambda m, p: kemeny_ranking(m),
        trace=kemeny_trace,
        limit=kemeny_limit,
    ),
    Rule(
        "slater",
        "Slater",
        "Slater's rule",
        "Find the rankings that reverse the fewest head-to-head majorities; their first places win (exact ties "
        "cost nothing).",
        SET,
        "1 = winner",
        "majority",
        (Reference("slater"), Reference("handbook", "chapter 3 (tournament solutions)")),
        (),
        ANY,
        lambda m, p: slater(m),
        trace=slater_trace,
        limit=slater_limit,
    ),
    Rule(
        "dodgson",
        "Dodgson",
        "Dodgson's rule",
        "Count the fewest swaps of neighbouring alternatives in the ballots that make each alternative beat all "
        "others head-to-head; the fewest wins, ties all win.",
        SCORES,
        "minus the swaps needed",
        "majority",
        (
            Reference("dodgson"),
            Reference("bartholdi", "the integer program"),
            Reference("handbook", "chapter 5 (Dodgson's rule and Young's rule)"),
        ),
        (),
        VOTERS,
        lambda m, p: dodgson(m),
        reads="each voter's strict ranking",
        trace=dodgson_trace,
        limit=dodgson_limit,
    ),
    Rule(
        "young",
        "Young",
        "Young's rule",
        "Find, for each alternative, the most voters among whom nobody beats it head-to-head (ties allowed); the "
        "most wins.",
        SCORES,
        "voters kept",
        "majority",
        (Reference("young"), Reference("handbook", "chapter 5 (Dodgson's rule and Young's rule)")),
        (),
        VOTERS,
        lambda m, p: young(m),
        reads="each voter's ranking",
        trace=young_trace,
        limit=young_limit,
    ),
]
