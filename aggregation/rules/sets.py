"""Tournament solutions: sets of alternatives read from the head-to-head majorities (family "sets",
output "set": 1 for members, 0 for the others). All accept any population (they read only ``P``).

* **Smith set** (top cycle, GETCHA; Smith 1973): the smallest non-empty set whose members all beat
  every outsider. A margin-0 pair counts as "beats or ties" both ways.
* **Schwartz set** (GOCHA; Schwartz 1986): the union of the minimal sets that no outsider beats;
  a margin-0 pair is no edge. Always inside the Smith set.
* **Uncovered set**, four definitions (Duggan 2013 surveys them; all coincide when no head-to-head
  vote is tied). Write ``D(x)`` for the alternatives that beat x. The registry's entry is Gillies':

  - ``"gillies"`` (Gillies 1959; on tournaments Miller 1980's): y is covered when some x beats y and
    everyone who beats x also beats y (``D(x) ⊆ D(y)``);
  - ``"fishburn"`` (Fishburn 1977): y is covered when some x has ``D(x)`` a proper subset of ``D(y)``
    (x need not beat y);
  - ``"bordes"`` (Bordes 1983): as Gillies with "beats or ties" in place of "beats": some x beats y
    and everyone who beats or ties x beats or ties y;
  - ``"mckelvey"`` (McKelvey 1986): y is covered in both Gillies' and Bordes' sense by the same x.
* **Banks set** (Banks 1985): the tops of the maximal chains, sets of alternatives strictly ordered
  by the majority (every member beats every member below it) that no further alternative extends.
  Finding it is NP-hard; exact up to :data:`BANKS_MAX_ALTERNATIVES` (all 2^m subsets are checked).
* **Essential set** (Dutta & Laslier 1999): the alternatives some maximal lottery of the margins
  uses (:func:`~.lotteries.maximal_lottery`, its certificate's ``essential_set``).
* **Bipartisan set** (Laffond, Laslier & Le Breton 1993): the support of the maximal lottery of the
  majority relation alone (C1: ``sign(M)``); on a tournament that lottery is unique, and with
  majority ties the set is the essential set of ``sign(M)`` (every alternative some optimal
  strategy uses), as Dutta & Laslier 1999 extend it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.sparse.csgraph import connected_components

from ..errors import AggregationError
from ..papers import Reference
from ..populations.base import Population
from ..populations.matrix import as_population
from .lotteries import c1_maximal_lottery, maximal_lottery
from .majority import TOL, beats_matrix, margin_matrix, margins_table, set_values, smith_indices
from .result import SET, RuleResult
from .rule import ANY, Rule, Step

#: The Banks set is computed exactly (every subset checked) up to this many alternatives.
BANKS_MAX_ALTERNATIVES = 16
#: The uncovered-set definitions :func:`uncovered_set` knows.
UNCOVERED_DEFINITIONS = ("gillies", "fishburn", "bordes", "mckelvey")


def smith(population: Population) -> pd.Series:
    """The Smith set (top cycle) as a set output."""
    M, names = margin_matrix(population)
    return set_values(smith_indices(M), names, "Smith set")


def schwartz_indices(M: np.ndarray) -> np.ndarray:
    """The Schwartz set: the strongly connected components of the strict majority graph that no
    outsider reaches (its top components)."""
    B = beats_matrix(M)
    n_comp, label = connected_components(B.astype(np.int8), directed=True, connection="strong")
    members = []
    for c in range(n_comp):
        inside = label == c
        if not B[np.ix_(~inside, inside)].any():
            members.extend(np.flatnonzero(inside).tolist())
    return np.array(sorted(members), dtype=int)


def schwartz(population: Population) -> pd.Series:
    """The Schwartz set (GOCHA) as a set output."""
    M, names = margin_matrix(population)
    return set_values(schwartz_indices(M), names, "Schwartz set")


def covering(M: np.ndarray, definition: str = "gillies") -> np.ndarray:
    """``C[x, y]``: x covers y under ``definition`` (one of :data:`UNCOVERED_DEFINITIONS`)."""
    if definition not in UNCOVERED_DEFINITIONS:
        raise AggregationError(
            f"unknown uncovered-set definition {definition!r} (known: {', '.join(UNCOVERED_DEFINITIONS)})"
        )
    B = beats_matrix(M)
    m = B.shape[0]
    D = B.T.astype(np.int64)  # D[x, z]: z beats x
    not_D = 1 - D
    subset = (D @ not_D.T) == 0  # subset[x, y]: D(x) ⊆ D(y)
    off = ~np.eye(m, dtype=bool)
    if definition == "fishburn":
        return subset & ~subset.T & off
    gillies = B & subset
    if definition == "gillies":
        return gillies
    Dw = (~B).astype(np.int64)  # Dw[x, z]: z beats or ties x (z = x included)
    bordes = B & ((Dw @ (1 - Dw).T) == 0)
    return bordes if definition == "bordes" else gillies & bordes


def uncovered_set(population: Population, definition: str = "gillies") -> pd.Series:
    """The uncovered set under ``definition`` (see the module docstring) as a set output."""
    M, names = margin_matrix(population)
    covered = covering(M, definition).any(axis=0)
    return set_values(np.flatnonzero(~covered), names, f"uncovered set ({definition})")


def _popcount(x: np.ndarray) -> np.ndarray:
    x = x.astype(np.int64)
    count = np.zeros_like(x)
    while x.any():
        count += x & 1
        x >>= 1
    return count


def banks_indices(M: np.ndarray) -> np.ndarray:
    """The Banks set by checking every subset: a subset is a chain when its members' numbers of wins
    inside it are exactly 0, 1, ..., k-1 (then every pair is decided and there is no cycle); a chain is
    maximal when adding any outsider breaks that; the Banks set is the tops of the maximal chains."""
    B = beats_matrix(M)
    m = B.shape[0]
    if m > BANKS_MAX_ALTERNATIVES:
        raise AggregationError(_banks_refusal(m))
    masks = np.arange(1 << m, dtype=np.int64)
    size = _popcount(masks)
    beats_of = [int(sum(1 << int(j) for j in np.flatnonzero(B[a]))) for a in range(m)]
    bits = np.zeros(1 << m, dtype=np.int64)
    top = np.full(1 << m, -1)
    for a in range(m):
        member = (masks >> a) & 1 == 1
        wins = _popcount(masks & beats_of[a])
        bits[member] |= np.left_shift(1, wins[member])
        top[member & (wins == size - 1)] = a
    chain = bits == (np.left_shift(1, size) - 1)
    chain[0] = False
    extendable = np.zeros(1 << m, dtype=bool)
    for z in range(m):
        out = (masks >> z) & 1 == 0
        extendable[out] |= chain[masks[out] | (1 << z)]
    maximal = chain & ~extendable
    return np.unique(top[maximal])


def _banks_refusal(m: int) -> str:
    return (
        f"the Banks set is computed exactly only up to {BANKS_MAX_ALTERNATIVES} alternatives (every one of the "
        f"2^m sets is checked; finding it is NP-hard); this population has {m}"
    )


def banks_limit(population: Population, params=None) -> str | None:
    m = len(as_population(population).alternatives)
    return _banks_refusal(m) if m > BANKS_MAX_ALTERNATIVES else None


def banks(population: Population) -> pd.Series:
    """The Banks set as a set output."""
    M, names = margin_matrix(population)
    return set_values(banks_indices(M), names, "Banks set")


def essential(population: Population) -> RuleResult:
    """The essential set: every alternative some maximal lottery uses."""
    result = maximal_lottery(population)
    names = result.alternatives
    return RuleResult(
        set_values(list(result.certificate.essential_set), names, "essential set"),
        method="support of the maximal lotteries: " + result.method,
    )


def bipartisan(population: Population) -> RuleResult:
    """The bipartisan set: every alternative some maximal lottery of ``sign(M)`` uses."""
    result = c1_maximal_lottery(population)
    names = result.alternatives
    return RuleResult(
        set_values(list(result.certificate.essential_set), names, "bipartisan set"),
        method="support of the maximal lotteries of the majority relation: " + result.method,
    )


# ---------------------------------------------------------------------------- traces
def _margins_step(population, M, names) -> Step:
    return Step(
        "Head-to-head margins",
        "Positive: the row beats the column; 0: an exact tie.",
        margins_table(population, M, names),
    )


def smith_trace(population: Population, params=None) -> list[Step]:
    M, names = margin_matrix(population)
    members = [names[i] for i in smith_indices(M)]
    outside = [a for a in names if a not in members]
    text = (
        f"{', '.join(members)} each beat every alternative outside ({', '.join(outside)}), and no smaller set does."
        if outside
        else "No smaller set beats everyone outside it: the Smith set is every alternative."
    )
    return [_margins_step(population, M, names), Step("Smith set", text, highlight=tuple(members))]


def schwartz_trace(population: Population, params=None) -> list[Step]:
    M, names = margin_matrix(population)
    members = [names[i] for i in schwartz_indices(M)]
    return [
        _margins_step(population, M, names),
        Step(
            "Schwartz set",
            "Follow strict majorities only (ties are no edge): the alternatives that everyone "
            f"reaching them is also reached by: {', '.join(members)}.",
            highlight=tuple(members),
        ),
    ]


def uncovered_trace(population: Population, params=None) -> list[Step]:
    M, names = margin_matrix(population)
    C = covering(M, "gillies")
    rows = [
        {"covered": names[y], "covered by": ", ".join(names[x] for x in np.flatnonzero(C[:, y]))}
        for y in range(len(names))
        if C[:, y].any()
    ]
    members = tuple(names[i] for i in np.flatnonzero(~C.any(axis=0)))
    return [
        _margins_step(population, M, names),
        Step(
            "Covering",
            "x covers y when x beats y and everyone who beats x also beats y (Gillies).",
            pd.DataFrame(rows).set_index("covered") if rows else None,
        ),
        Step("Uncovered set", f"Nobody covers {', '.join(members)}.", highlight=members),
    ]


def banks_trace(population: Population, params=None) -> list[Step]:
    M, names = margin_matrix(population)
    members = tuple(names[i] for i in banks_indices(M))
    return [
        _margins_step(population, M, names),
        Step(
            "Banks set",
            "A chain is a set ordered by strict majorities (each member beats every one below it) "
            "that no other alternative can join; the tops of all such chains: "
            f"{', '.join(members)}.",
            highlight=members,
        ),
    ]


def _lottery_trace(result: RuleResult, what: str, matrix: pd.DataFrame, population) -> list[Step]:
    p = result.values
    members = tuple(result.certificate.essential_set)
    return [
        Step("The game", f"A zero-sum game on {what}: the row player's payoff against the column.", matrix),
        Step(
            "Optimal strategy",
            "An optimal (maximal) lottery; " + result.certificate.selection + ".",
            p.to_frame("probability"),
            members,
        ),
        Step("Set", f"Every alternative some optimal strategy uses: {', '.join(members)}.", highlight=members),
    ]


def essential_trace(population: Population, params=None) -> list[Step]:
    M, names = margin_matrix(population)
    return _lottery_trace(maximal_lottery(population), "the margins", margins_table(population, M, names), population)


def bipartisan_trace(population: Population, params=None) -> list[Step]:
    M, names = margin_matrix(population)
    G = np.sign(np.where(np.abs(M) > TOL, M, 0.0))
    return _lottery_trace(
        c1_maximal_lottery(population),
        "the majority relation (+1 win, -1 loss, 0 tie)",
        pd.DataFrame(G.astype(int), index=names, columns=names),
        population,
    )


#: The registry entries of this family (see :mod:`.rule`).
ENTRIES = [
    Rule(
        "smith_set",
        "Smith set (top cycle)",
        "the Smith set",
        "The smallest group of alternatives that each beat everyone outside the group head-to-head.",
        SET,
        "1 = member",
        "sets",
        (Reference("smith"), Reference("handbook", "chapter 3 (tournament solutions)")),
        (),
        ANY,
        lambda m, p: smith(m),
        trace=smith_trace,
    ),
    Rule(
        "schwartz_set",
        "Schwartz set",
        "the Schwartz set",
        "The alternatives not beaten, through any chain of strict head-to-head wins, by someone they cannot beat "
        "back the same way.",
        SET,
        "1 = member",
        "sets",
        (Reference("schwartz"), Reference("handbook", "chapter 3 (tournament solutions)")),
        (),
        ANY,
        lambda m, p: schwartz(m),
        trace=schwartz_trace,
    ),
    Rule(
        "uncovered_set",
        "Uncovered set (Gillies)",
        "the uncovered set",
        "Drop every alternative y that some x beats while everyone beating x also beats y; the rest is uncovered.",
        SET,
        "1 = member",
        "sets",
        (Reference("gillies"), Reference("miller"), Reference("duggan", "the Gillies covering relation")),
        (),
        ANY,
        lambda m, p: uncovered_set(m),
        trace=uncovered_trace,
    ),
    Rule(
        "banks_set",
        "Banks set",
        "the Banks set",
        "The top alternatives of the longest-possible chains in which each alternative beats every one after it.",
        SET,
        "1 = member",
        "sets",
        (Reference("banks"), Reference("handbook", "chapter 3 (tournament solutions)")),
        (),
        ANY,
        lambda m, p: banks(m),
        trace=banks_trace,
        limit=banks_limit,
    ),
    Rule(
        "bipartisan_set",
        "Bipartisan set",
        "the bipartisan set",
        "The alternatives used by the optimal mixed strategy of the win/loss game on head-to-head majorities.",
        SET,
        "1 = member",
        "sets",
        (Reference("bipartisan"), Reference("essential")),
        (),
        ANY,
        lambda m, p: bipartisan(m),
        trace=bipartisan_trace,
    ),
    Rule(
        "essential_set",
        "Essential set",
        "the essential set",
        "The alternatives some maximal lottery uses: the support of the optimal strategies of the margin game.",
        SET,
        "1 = member",
        "sets",
        (Reference("essential"), Reference("fishburn")),
        (),
        ANY,
        lambda m, p: essential(m),
        trace=essential_trace,
    ),
]
