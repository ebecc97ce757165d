"""Rules that weigh the head-to-head margins: minimax (Simpson-Kramer), Schulze (beat path), ranked
pairs, Split Cycle and Stable Voting. Every one needs only the preference matrix, so it accepts any
population; margins are ``M = P - P.T`` (a share of the voters' weight), equal within
:data:`~.majority.TOL` (see :mod:`.majority`).

Ties, as the literature handles them (each is stated again at its function):

* minimax scores an alternative by its largest defeat *margin* (not winning votes or pairwise
  opposition, which agree with margins on strict rankings only); all alternatives with the smallest
  largest defeat win.
* Schulze uses margins as the strength of a link, only positive margins form paths, and an
  alternative wins unless some other one has a strictly stronger path to it than it has back.
* ranked pairs uses parallel-universe tie-breaking (every order of equal-margin pairs; the winners
  are every alternative that wins in some order: Tideman 1987's rule made neutral, as pref_voting
  does). That is NP-hard in general (Brill & Fischer 2012): the search is exact up to
  :data:`RANKED_PAIRS_MAX_STATES` distinct states and refuses beyond.
* Split Cycle and Stable Voting follow Holliday & Pacuit's definitions (margins; all alternatives
  winning at the first winning margin of Stable Voting are kept). Stable Voting's recursion over
  subsets is exact up to :data:`STABLE_VOTING_MAX_STATES` subsets and refuses beyond.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from ..errors import AggregationError
from ..outcome import winners
from ..papers import Reference
from ..populations.base import Population
from .majority import TOL, fmt, layers, margin_matrix, margin_unit, margins_table, ranking_values, set_values
from .result import RANKING, SCORES, SET, RuleResult
from .rule import ANY, Rule, Step

#: Ranked pairs with parallel-universe tie-breaking explores at most this many distinct states (a
#: locked graph plus the equal-margin pairs still to place); beyond, it refuses.
RANKED_PAIRS_MAX_STATES = 20_000
#: Stable Voting's recursion solves at most this many distinct sub-elections; beyond, it refuses.
STABLE_VOTING_MAX_STATES = 20_000


class _TooLarge(Exception):
    """A search ran past its stated budget."""


# ---------------------------------------------------------------------------- widest paths
def widest_paths(M: np.ndarray) -> np.ndarray:
    """``S[a, b]``: the strength of the strongest path from a to b, a path's strength being its
    weakest link and a link a -> b existing when ``M[a, b] > 0`` (Floyd-Warshall on (max, min), as in
    Schulze 2011). 0 means no path. The values are margins of ``M`` (no arithmetic)."""
    S = np.where(M > TOL, M, 0.0)
    np.fill_diagonal(S, 0.0)
    for k in range(S.shape[0]):
        np.maximum(S, np.minimum(S[:, k : k + 1], S[k : k + 1, :]), out=S)
    np.fill_diagonal(S, 0.0)
    return S


# ---------------------------------------------------------------------------- minimax
def minimax(population: Population) -> pd.Series:
    """Minimax (Simpson 1969; Kramer 1977): each alternative scores minus its largest defeat margin
    (0 when nobody beats it), in voters (the total weight) or, for populations without weights, as a
    share; the largest score wins, tied alternatives all win. Margins, not winning votes: the two
    agree on strict rankings."""
    M, names = margin_matrix(population)
    factor, _ = margin_unit(population)
    worst = np.maximum(M.max(axis=0), 0.0)  # largest margin by which anyone beats each column
    worst[worst <= TOL] = 0.0
    scaled = np.round(worst * factor, 9) if factor != 1.0 else worst  # whole voters stay whole numbers
    return pd.Series(-scaled + 0.0, index=names, name="minimax score")


def minimax_trace(population: Population, params=None) -> list[Step]:
    M, names = margin_matrix(population)
    factor, unit = margin_unit(population)
    score = minimax(population)
    rows = []
    for j, b in enumerate(names):
        col = M[:, j]
        worst = col.max()
        who = [names[i] for i in np.flatnonzero(col >= worst - TOL)] if worst > TOL else []
        rows.append(
            {
                "alternative": b,
                "largest defeat": fmt(max(worst, 0.0) * factor),
                "by": ", ".join(who) if who else "nobody beats it",
            }
        )
    table = pd.DataFrame(rows).set_index("alternative")
    top = winners(score)
    return [
        Step(
            "Head-to-head margins",
            f"Margins in {unit}: positive when the row beats the column.",
            margins_table(population, M, names),
        ),
        Step(
            "Worst defeats",
            "Each alternative's largest defeat (the biggest margin anyone beats it by).",
            table,
            tuple(top),
        ),
        Step(
            "Winner",
            f"The smallest worst defeat wins: {', '.join(top)} "
            f"({'never beaten' if score[top[0]] == 0 else 'beaten by at most ' + fmt(-score[top[0]])}).",
            highlight=tuple(top),
        ),
    ]


# ---------------------------------------------------------------------------- Schulze
def _schulze_relation(M: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    S = widest_paths(M)
    return S, S > S.T + TOL


def schulze(population: Population) -> RuleResult:
    """Schulze's beat-path method with margins (Schulze 2011): a beats b when the
    strongest path from a to b is strictly stronger than the strongest path from b to a. That
    relation is a strict partial order (Schulze 2011 proves it transitive); the winners are the alternatives
    nobody beats (several when paths tie). The ranking lists them first, then the alternatives beaten
    only by those, and so on (the layers of the partial order), so its first tie group is exactly
    the winner set; where the relation is complete it is Schulze's own ranking."""
    M, names = margin_matrix(population)
    _, beats = _schulze_relation(M)
    groups = layers(beats)
    return RuleResult(
        ranking_values(groups, names, "Schulze ranking"),
        method="strongest paths by Floyd-Warshall on (max, min) over positive margins",
    )


def schulze_trace(population: Population, params=None) -> list[Step]:
    M, names = margin_matrix(population)
    factor, unit = margin_unit(population)
    S, beats = _schulze_relation(M)
    groups = layers(beats)
    top = tuple(names[i] for i in groups[0])
    strengths = pd.DataFrame(np.round(S * factor, 9) + 0.0, index=names, columns=names)
    pairs = [
        f"{names[a]} > {names[b]} ({fmt(S[a, b] * factor)} vs {fmt(S[b, a] * factor)})"
        for a, b in zip(*np.nonzero(beats))
    ]
    return [
        Step(
            "Links",
            f"A link from a to b when a beats b head-to-head; its strength is the margin (in {unit}).",
            margins_table(population, M, names).clip(lower=0),
        ),
        Step(
            "Strongest paths",
            "The strength of a path is its weakest link; each cell is the strongest path "
            "from the row to the column (0: no path).",
            strengths,
        ),
        Step(
            "Compare paths",
            "a beats b when its strongest path to b is stronger than b's back: "
            + ("; ".join(pairs) if pairs else "no pair is decided")
            + ".",
            highlight=top,
        ),
        Step(
            "Ranking",
            "Winners first (nobody beats them), then those beaten only by the winners, and so on: "
            + " > ".join(" = ".join(names[i] for i in g) for g in groups)
            + ".",
            highlight=top,
        ),
    ]


# ---------------------------------------------------------------------------- ranked pairs
def _edge_groups(M: np.ndarray) -> list[list[tuple[int, int]]]:
    """Pairs with a positive margin, strongest first, equal margins (within TOL) in one group."""
    a, b = np.nonzero(M > TOL)
    order = np.argsort(-M[a, b], kind="stable")
    groups: list[list[tuple[int, int]]] = []
    anchor = None
    for i in order:
        value = M[a[i], b[i]]
        if anchor is None or anchor - value > TOL:
            groups.append([])
            anchor = value
        groups[-1].append((int(a[i]), int(b[i])))
    return groups


def _lock(R: np.ndarray, a: int, b: int) -> np.ndarray:
    """The reachability closure ``R`` after locking a -> b (a copy)."""
    R = R.copy()
    rows = R[:, a].copy()
    rows[a] = True
    cols = R[b].copy()
    cols[b] = True
    R[rows] |= cols
    return R


def _on_cycles(R: np.ndarray, edges: list[tuple[int, int]]) -> np.ndarray:
    """For each of ``edges`` (none decided by the closure ``R`` yet): whether it lies on a cycle of
    R's relation plus ``edges``. Edge e leads to edge f when R takes e's head to f's tail (or they
    meet); e is on a cycle exactly when it leads back to itself (Floyd-Warshall on the k edges)."""
    heads = np.array([b for _, b in edges])
    tails = np.array([a for a, _ in edges])
    T = R[np.ix_(heads, tails)] | (heads[:, None] == tails[None, :])
    for k in range(len(edges)):
        T |= T[:, k : k + 1] & T[k : k + 1, :]
    return np.diag(T).copy()


def ranked_pairs_universes(M: np.ndarray, max_states: int | None = None) -> list[np.ndarray]:
    """Every distinct final locked relation (as its reachability closure) of ranked pairs over all
    orders of equal-margin pairs (Tideman 1987 with parallel-universe tie-breaking). Pairs are
    taken strongest margin first; a pair is locked unless it closes a cycle with the pairs already
    locked. Raises :class:`_TooLarge` beyond ``max_states`` distinct states.

    Within a group of equal margins only the pairs lying on a cycle of (locked pairs + the group's
    pairs) depend on the order: a pair on no such cycle is locked in every order, and it lies on no
    path that closes a cycle with another pair (that path plus the pair would be a cycle through it),
    so it is locked at once; the search branches only over the order of the others."""
    m = M.shape[0]
    max_states = RANKED_PAIRS_MAX_STATES if max_states is None else max_states
    groups = _edge_groups(M)
    seen: set = set()
    finals: dict[bytes, np.ndarray] = {}

    def settle(R: np.ndarray, pending: frozenset) -> tuple[np.ndarray, frozenset]:
        """Drop pairs already decided, lock every pair on no cycle; what is left needs branching."""
        while pending:
            live = sorted(e for e in pending if not R[e[1], e[0]] and not R[e[0], e[1]])
            if not live:
                return R, frozenset()
            # one undecided pair closes no cycle (R does not take its head back to its tail)
            cyclic = _on_cycles(R, live) if len(live) > 1 else [False]
            free = [e for e, c in zip(live, cyclic) if not c]
            pending = frozenset(e for e, c in zip(live, cyclic) if c)
            if not free:
                break
            for a, b in free:
                if not R[a, b]:
                    R = _lock(R, a, b)
        return R, pending

    def visit(g: int, R: np.ndarray, pending: frozenset):
        R, pending = settle(R, pending)
        while not pending and g < len(groups):
            R, pending = settle(R, frozenset(groups[g]))
            g += 1
        key = (g, R.tobytes(), pending)
        if key in seen:
            return
        seen.add(key)
        if len(seen) > max_states:
            raise _TooLarge
        if not pending:
            finals.setdefault(R.tobytes(), R)
            return
        for a, b in sorted(pending):  # branch: which pair of the group comes next
            rest = pending - {(a, b)}
            visit(g, R if R[b, a] or R[a, b] else _lock(R, a, b), rest)

    visit(0, np.zeros((m, m), dtype=bool), frozenset())
    return list(finals.values())


@functools.lru_cache(maxsize=32)
def _ranked_pairs_cached(key: bytes, m: int) -> tuple:
    M = np.frombuffer(key, dtype=float).reshape(m, m)
    try:
        return tuple(r.tobytes() for r in ranked_pairs_universes(M)), None
    except _TooLarge:
        return (), (
            f"ranked pairs with parallel-universe tie-breaking is exact up to {RANKED_PAIRS_MAX_STATES:,} "
            "distinct lock-in states; equal margins here need more (deciding its winners is NP-hard in "
            "general, Brill & Fischer 2012)"
        )


def _universes(M: np.ndarray) -> list[np.ndarray]:
    m = M.shape[0]
    finals, refusal = _ranked_pairs_cached(np.ascontiguousarray(M, dtype=float).tobytes(), m)
    if refusal:
        raise AggregationError(refusal)
    return [np.frombuffer(f, dtype=bool).reshape(m, m) for f in finals]


def _sources(R: np.ndarray) -> set[int]:
    return set(np.flatnonzero(~R.any(axis=0)).tolist())


def ranked_pairs_winners(M: np.ndarray) -> list[int]:
    """The alternatives that come out on top (no locked pair against them) in some order of the
    equal-margin pairs."""
    return sorted(set().union(*(_sources(R) for R in _universes(M))))


def ranked_pairs(population: Population) -> RuleResult:
    """Ranked pairs (Tideman 1987) with parallel-universe tie-breaking: lock the head-to-head results
    from the largest margin down, skipping any that would close a cycle with those already locked;
    equal margins are tried in every order, and the winners are every alternative that comes out on
    top in some order (margin-0 pairs lock nothing; pref_voting locks them last both ways, which
    changes no winner). The ranking: when every order locks the same relation, its layers (with no
    exact majority ties, Tideman's linear order); otherwise the winners first, then the ranked-pairs
    winners of the remaining alternatives, and so on. Its first tie group is the winner set."""
    M, names = margin_matrix(population)
    finals = _universes(M)
    if len(finals) == 1:
        groups = layers(finals[0])
    else:
        groups, left = [], np.arange(len(names))
        while left.size:
            top = ranked_pairs_winners(M[np.ix_(left, left)])
            groups.append([int(left[i]) for i in top])
            left = np.delete(left, top)
    return RuleResult(
        ranking_values(groups, names, "ranked pairs ranking"),
        method=f"lock-in over {len(finals)} distinct outcome(s) of the equal-margin orders",
        notes=()
        if len(finals) == 1
        else (
            f"equal margins give {len(finals)} different lock-in outcomes; the winners are every "
            "alternative that wins in one of them (parallel-universe tie-breaking)",
        ),
    )


def ranked_pairs_limit(population: Population, params=None) -> str | None:
    M, _ = margin_matrix(population)
    try:
        _universes(M)
    except AggregationError as exc:
        return str(exc)
    return None


def ranked_pairs_trace(population: Population, params=None) -> list[Step]:
    M, names = margin_matrix(population)
    factor, unit = margin_unit(population)
    groups = _edge_groups(M)
    # one lock-in run, equal margins in the order listed (alphabetical by winner, then loser)
    R = np.zeros(M.shape, dtype=bool)
    rows = []
    for g in groups:
        for a, b in sorted(g, key=lambda e: (names[e[0]], names[e[1]])):
            if R[b, a]:
                verdict = "skipped: it would close a cycle"
            else:
                verdict = "locked"
                if not R[a, b]:
                    R = _lock(R, a, b)
            rows.append(
                {
                    "pair": f"{names[a]} > {names[b]}",
                    f"margin ({unit})": fmt(M[a, b] * factor),
                    "equal margins": len(g),
                    "verdict": verdict,
                }
            )
    table = pd.DataFrame(rows) if rows else None
    finals = _universes(M)
    winners = ranked_pairs_winners(M)
    top = tuple(names[i] for i in winners)
    equal = any(len(g) > 1 for g in groups)
    steps = [
        Step(
            "Sort the majorities",
            f"Every head-to-head majority, largest margin first ({len(rows)} pairs; margin-0 pairs lock nothing).",
            table,
        ),
        Step(
            "Lock in",
            "Going down the list, each pair is locked unless it contradicts (closes a cycle with) "
            "pairs locked before it."
            + (
                " Pairs with equal margins are listed in alphabetical order here; the rule tries every order."
                if equal
                else ""
            ),
            table,
            top,
        ),
    ]
    if len(finals) > 1:
        steps.append(
            Step(
                "Every order of equal margins",
                f"The orders of equal-margin pairs lead to {len(finals)} "
                f"different outcomes; whoever wins in one of them wins: "
                f"{', '.join(top)}.",
                highlight=top,
            )
        )
    result = ranked_pairs(population)
    steps.append(
        Step(
            "Ranking",
            "Nobody is locked above the winners: " + " > ".join(" = ".join(g) for g in result.tie_groups) + ".",
            highlight=top,
        )
    )
    return steps


# ---------------------------------------------------------------------------- Split Cycle
def split_cycle_defeats(M: np.ndarray) -> np.ndarray:
    """``D[b, a]``: b defeats a in Split Cycle (Holliday & Pacuit 2023a; pref_voting's statement of it):
    ``M[b, a] > 0`` and no path from a back to b has every link at least that margin,
    i.e. the margin exceeds the strongest path from a to b."""
    S = widest_paths(M)
    return (M > TOL) & (M > S.T + TOL)


def split_cycle(population: Population) -> pd.Series:
    """Split Cycle (Holliday & Pacuit 2023a): in every majority cycle the weakest links (smallest
    margins) are discarded; an alternative wins when it is defeated by no one along what remains.
    A set: 1 for the undefeated alternatives (every one of them, ties kept)."""
    M, names = margin_matrix(population)
    defeated = split_cycle_defeats(M).any(axis=0)
    return set_values(np.flatnonzero(~defeated), names, "Split Cycle winners")


def split_cycle_trace(population: Population, params=None) -> list[Step]:
    M, names = margin_matrix(population)
    factor, unit = margin_unit(population)
    S = widest_paths(M)
    D = split_cycle_defeats(M)
    rows = []
    for b, a in zip(*np.nonzero(M > TOL)):
        rows.append(
            {
                "majority": f"{names[b]} > {names[a]}",
                f"margin ({unit})": fmt(M[b, a] * factor),
                f"strongest path back ({unit})": fmt(S[a, b] * factor),
                "verdict": "defeat" if D[b, a] else "in a cycle where it is a weakest link: discarded",
            }
        )
    winners = tuple(names[i] for i in np.flatnonzero(~D.any(axis=0)))
    return [
        Step("Head-to-head margins", f"Margins in {unit}.", margins_table(population, M, names)),
        Step(
            "Defeats",
            "A majority counts as a defeat unless there is a path back whose every link is at least "
            "as strong (then it is the weakest link of a cycle).",
            pd.DataFrame(rows) if rows else None,
        ),
        Step("Winners", f"Undefeated: {', '.join(winners)}.", highlight=winners),
    ]


# ---------------------------------------------------------------------------- Stable Voting
def stable_voting_winners(M: np.ndarray, max_states: int | None = None) -> list[int]:
    """Stable Voting (Holliday & Pacuit 2023b): with one alternative it wins; otherwise go
    through the matches (a, b) by decreasing margin of a over b (all margins, negative ones too); a
    wins when a is undefeated in Split Cycle and a wins Stable Voting without b; the winners are every
    a that wins at the first margin where one does (equal margins within TOL). Memoised over subsets;
    raises :class:`_TooLarge` beyond ``max_states`` sub-elections."""
    m = M.shape[0]
    max_states = STABLE_VOTING_MAX_STATES if max_states is None else max_states
    memo: dict[int, frozenset] = {}

    def solve(mask: int) -> frozenset:
        if mask in memo:
            return memo[mask]
        if len(memo) >= max_states:
            raise _TooLarge
        alive = [i for i in range(m) if mask >> i & 1]
        if len(alive) == 1:
            memo[mask] = frozenset(alive)
            return memo[mask]
        sub = M[np.ix_(alive, alive)]
        undefeated = {alive[i] for i in np.flatnonzero(~split_cycle_defeats(sub).any(axis=0))}
        if len(undefeated) == 1:
            memo[mask] = frozenset(undefeated)
            return memo[mask]
        matches = sorted(((M[a, b], a, b) for a in undefeated for b in alive if a != b), key=lambda t: -t[0])
        won: set[int] = set()
        level = None
        for value, a, b in matches:
            if level is not None and level - value > TOL:
                break
            if a in won:
                continue
            if a in solve(mask & ~(1 << b)):
                won.add(a)
                if level is None:
                    level = value
        memo[mask] = frozenset(won)
        return memo[mask]

    return sorted(solve((1 << m) - 1))


@functools.lru_cache(maxsize=32)
def _stable_cached(key: bytes, m: int):
    M = np.frombuffer(key, dtype=float).reshape(m, m)
    try:
        return tuple(stable_voting_winners(M)), None
    except _TooLarge:
        return (), (
            f"Stable Voting's recursion is exact up to {STABLE_VOTING_MAX_STATES:,} sub-elections; "
            "this population needs more"
        )


def _stable(M: np.ndarray) -> list[int]:
    winners, refusal = _stable_cached(np.ascontiguousarray(M, dtype=float).tobytes(), M.shape[0])
    if refusal:
        raise AggregationError(refusal)
    return list(winners)


def stable_voting(population: Population) -> pd.Series:
    """Stable Voting (Holliday & Pacuit 2023b) with margins: see :func:`stable_voting_winners`. A set:
    1 for every winner (alternatives winning at the same first margin are all kept)."""
    M, names = margin_matrix(population)
    return set_values(_stable(M), names, "Stable Voting winners")


def stable_voting_limit(population: Population, params=None) -> str | None:
    M, _ = margin_matrix(population)
    try:
        _stable(M)
    except AggregationError as exc:
        return str(exc)
    return None


def stable_voting_trace(population: Population, params=None) -> list[Step]:
    M, names = margin_matrix(population)
    factor, unit = margin_unit(population)
    winners = _stable(M)
    m = len(names)
    D = split_cycle_defeats(M)
    undefeated = [i for i in range(m) if not D[:, i].any()]
    steps = [
        Step("Head-to-head margins", f"Margins in {unit}.", margins_table(population, M, names)),
        Step(
            "Split Cycle first",
            "Only alternatives undefeated in Split Cycle can win: " + ", ".join(names[i] for i in undefeated) + ".",
            highlight=tuple(names[i] for i in undefeated),
        ),
    ]
    if len(undefeated) > 1:
        rows = []
        for value, a, b in sorted(
            ((M[a, b], a, b) for a in undefeated for b in range(m) if a != b), key=lambda t: -t[0]
        ):
            rest = [i for i in range(m) if i != b]
            wins = a in {rest[i] for i in stable_voting_winners(M[np.ix_(rest, rest)])}
            rows.append(
                {
                    "match": f"{names[a]} vs {names[b]}",
                    f"margin of the first ({unit})": fmt(value * factor),
                    f"does {names[a]} win without {names[b]}?": "yes" if wins else "no",
                }
            )
            if wins:
                break
        steps.append(
            Step(
                "Matches by margin",
                "Going down the matches by margin, the first alternative that also "
                "wins the election without its opponent wins.",
                pd.DataFrame(rows),
            )
        )
    top = tuple(names[i] for i in winners)
    steps.append(Step("Winner", f"Stable Voting elects {', '.join(top)}.", highlight=top))
    return steps


#: The registry entries of this family (see :mod:`.rule`).
ENTRIES = [
    Rule(
        "minimax",
        "Minimax (Simpson-Kramer)",
        "minimax",
        "Find each alternative's worst head-to-head defeat (by margin); the smallest worst defeat wins, ties all win.",
        SCORES,
        "minus the largest defeat margin",
        "majority",
        (Reference("simpson"), Reference("kramer"), Reference("handbook", "chapter 4 (weighted tournament solutions)")),
        (),
        ANY,
        lambda m, p: minimax(m),
        trace=minimax_trace,
    ),
    Rule(
        "schulze",
        "Schulze (beat path)",
        "Schulze's method",
        "Chain head-to-head wins into paths as strong as their weakest link; a beats b if its strongest path to b "
        "beats b's strongest path back.",
        RANKING,
        "alternatives ranked below",
        "majority",
        (Reference("schulze"),),
        (),
        ANY,
        lambda m, p: schulze(m),
        trace=schulze_trace,
    ),
    Rule(
        "ranked_pairs",
        "Ranked pairs",
        "ranked pairs",
        "Lock in head-to-head results from the largest margin down, skipping any that contradict those already "
        "locked; equal margins are tried in every order, and whoever ends on top in one of them wins.",
        RANKING,
        "alternatives ranked below",
        "majority",
        (Reference("tideman"), Reference("brill_fischer", "parallel-universe tie-breaking")),
        (),
        ANY,
        lambda m, p: ranked_pairs(m),
        trace=ranked_pairs_trace,
        limit=ranked_pairs_limit,
    ),
    Rule(
        "split_cycle",
        "Split Cycle",
        "Split Cycle",
        "In every majority cycle, discard the weakest head-to-head wins; the alternatives nobody still defeats win.",
        SET,
        "1 = winner",
        "majority",
        (Reference("split_cycle"),),
        (),
        ANY,
        lambda m, p: split_cycle(m),
        trace=split_cycle_trace,
    ),
    Rule(
        "stable_voting",
        "Stable Voting",
        "Stable Voting",
        "Take head-to-head matches from the largest margin down; the first winner of a match who also wins the "
        "election without the loser wins (all such winners at that margin).",
        SET,
        "1 = winner",
        "majority",
        (Reference("stable_voting"),),
        (),
        ANY,
        lambda m, p: stable_voting(m),
        trace=stable_voting_trace,
        limit=stable_voting_limit,
    ),
]
