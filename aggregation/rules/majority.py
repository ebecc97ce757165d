"""Rules that read the head-to-head majorities: Copeland and Llull, Black, the Condorcet and majority
winners, the Smith set and the majority graph; and the helpers the margin-based families share
(:mod:`.margins`, :mod:`.kemeny`, :mod:`.sets`). All but the majority winner need only the
preference matrix.

Margins: ``M = P - P.T`` (a share of the voters' weight, in [-1, 1]); a strictly positive margin
(above :data:`~aggregation.outcome.MARGIN_TOLERANCE`) is a majority, a margin within the tolerance
of 0 an exact majority tie. Traces show margins in the population's own unit: voters (the weight)
for rankings and user types, shares for a comparison table or a preference matrix.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.sparse.csgraph import connected_components

from ..outcome import MARGIN_TOLERANCE, tie_groups
from ..papers import Reference
from ..populations.base import Population
from ..populations.matrix import as_population
from ..populations.preference import matrix_and_names
from .result import SCORES, SET
from .rule import ANY, Rule, Step
from .scoring import borda, favourites

#: Two margins closer than this are equal; a margin above it is a strict majority.
TOL = MARGIN_TOLERANCE


# ---------------------------------------------------------------------------- shared helpers
def margin_matrix(population: Population) -> tuple[np.ndarray, list[str]]:
    """``M = P - P.T`` as a float array (0 on the diagonal) and the alternatives' names."""
    P, names = matrix_and_names(population)
    M = P - P.T
    np.fill_diagonal(M, 0.0)
    return M, names


def beats_matrix(M: np.ndarray) -> np.ndarray:
    """``B[a, b]``: a beats b by a strict majority (margin above :data:`TOL`)."""
    return M > TOL


def margin_unit(population: Population) -> tuple[float, str]:
    """How traces show a margin: ``(factor, unit)``, the total weight and "voters" for populations
    with voters, 1 and "share of the voters" for a comparison table or a preference matrix."""
    W = as_population(population).total_weight
    return (float(W), "voters") if W is not None else (1.0, "share of the voters")


def fmt(x: float) -> str:
    """A number for a trace: a whole number as such, anything else with 4 significant digits."""
    x = float(x)
    if abs(x - round(x)) < 1e-9 * max(1.0, abs(x)):
        return str(int(round(x)))
    return f"{x:.4g}"


def margins_table(population: Population, M: np.ndarray | None = None, names=None) -> pd.DataFrame:
    """The margins in the population's unit (:func:`margin_unit`), rows beat columns when positive."""
    if M is None:
        M, names = margin_matrix(population)
    factor, _ = margin_unit(population)
    return pd.DataFrame(np.round(M * factor, 9) + 0.0, index=names, columns=names)


def set_values(members, names, name: str) -> pd.Series:
    """A set as the registry's ``set`` output: 1 for members (indices or names), 0 for the others."""
    chosen = {names[i] if isinstance(i, (int, np.integer)) else i for i in members}
    return pd.Series([1.0 if a in chosen else 0.0 for a in names], index=list(names), name=name)


def ranking_values(groups, names, name: str) -> pd.Series:
    """A weak order (tie groups best first, of indices or names) as the registry's ``ranking``
    output: each alternative scores the number of alternatives ranked strictly below it."""
    value, below = {}, len(names)
    for group in groups:
        below -= len(group)
        for a in group:
            value[names[a] if isinstance(a, (int, np.integer)) else a] = float(below)
    return pd.Series([value[a] for a in names], index=list(names), name=name)


def layers(beats: np.ndarray) -> list[list[int]]:
    """The layers of an acyclic relation (``beats[a, b]``: a above b): the alternatives nobody beats,
    then those beaten only by the first layer, and so on."""
    left = np.ones(beats.shape[0], dtype=bool)
    out = []
    while left.any():
        top = left & ~beats[left].any(axis=0)
        if not top.any():  # pragma: no cover - callers pass acyclic relations
            raise AssertionError("layers() needs an acyclic relation")
        out.append([int(i) for i in np.flatnonzero(top)])
        left &= ~top
    return out


def _names(indices, names) -> str:
    return ", ".join(names[i] for i in indices) if len(indices) else "none"


# ---------------------------------------------------------------------------- the rules
def copeland(population: Population) -> pd.Series:
    """Pairwise majority wins, plus one half per exact majority tie (Copeland 1951; the (1, 1/2, 0)
    scoring; pref_voting's (1, 0, -1) scores are ``2 * ours - (m - 1)``, same order)."""
    M, names = margin_matrix(population)
    score = (M > TOL).sum(axis=1) + 0.5 * ((np.abs(M) <= TOL).sum(axis=1) - 1)
    return pd.Series(score.astype(float), index=names, name="Copeland score")


def llull(population: Population) -> pd.Series:
    """Llull's rule (Copeland with an exact majority tie counted as a win): the number of
    alternatives each one beats or ties in a head-to-head majority vote."""
    M, names = margin_matrix(population)
    score = (M > TOL).sum(axis=1) + (np.abs(M) <= TOL).sum(axis=1) - 1
    return pd.Series(score.astype(float), index=names, name="Llull score")


def majority_winner(population: Population) -> str | None:
    """The alternative that more than half of the weight ranks first and alone, if any."""
    shares = favourites(population, unique=True)
    top = shares.idxmax()
    return top if shares[top] > 0.5 + MARGIN_TOLERANCE else None


def condorcet_winner(population: Population) -> str | None:
    """The alternative that beats every other one in a pairwise majority vote, if any."""
    M, names = margin_matrix(population)
    np.fill_diagonal(M, 1.0)
    winners = np.flatnonzero((M > TOL).all(axis=1))
    return names[int(winners[0])] if winners.size else None


def smith_set(population: Population) -> list[str]:
    """The smallest non-empty set whose members all beat every outsider by a strict majority.

    Computed as the alternatives that reach every other one along "beats or ties" edges.
    """
    M, names = margin_matrix(population)
    return [names[i] for i in smith_indices(M)]


def smith_indices(M: np.ndarray) -> np.ndarray:
    """The Smith set of margins ``M``: the top strongly connected component of "beats or ties"."""
    weakly_beats = M >= -TOL
    n_comp, label = connected_components(weakly_beats.astype(np.int8), directed=True, connection="strong")
    # the top component is the one no outsider weakly beats
    for c in range(n_comp):
        inside = label == c
        if not weakly_beats[np.ix_(~inside, inside)].any():
            return np.flatnonzero(inside)
    raise AssertionError("a complete relation always has a top component")  # pragma: no cover


def majority_graph(population: Population) -> list[tuple[str, str, float]]:
    """Edges ``(a, b, margin)`` for every pair where a strict majority prefers a to b."""
    M, names = margin_matrix(population)
    return [(names[i], names[j], float(M[i, j])) for i, j in zip(*np.nonzero(M > TOL))]


def black(population: Population) -> pd.Series:
    """Black's rule (Black 1958): the Condorcet winner when there is one, otherwise every Borda
    winner (Borda with tied alternatives sharing the average of their positions; ties between Borda
    winners are all kept). A set: 1 for the winners."""
    M, names = margin_matrix(population)
    cw = condorcet_winner(population)
    if cw is not None:
        return set_values([cw], names, "Black winners")
    return set_values(tie_groups(borda(population))[0], names, "Black winners")


# ---------------------------------------------------------------------------- traces
def _head_to_head_step(population, M, names, title="Head-to-head margins") -> Step:
    factor, unit = margin_unit(population)
    return Step(
        title,
        f"Each cell is how many more {unit} prefer the row to the column (negative: the column "
        "wins that vote, 0: an exact tie).",
        margins_table(population, M, names),
    )


def copeland_trace(population: Population, params=None) -> list[Step]:
    M, names = margin_matrix(population)
    wins, ties = (M > TOL).sum(axis=1), (np.abs(M) <= TOL).sum(axis=1) - 1
    table = pd.DataFrame(
        {"wins": wins, "exact ties": ties, "losses": (M < -TOL).sum(axis=1), "Copeland score": wins + 0.5 * ties},
        index=names,
    )
    score = copeland(population)
    top = tie_groups(score)[0]
    return [
        _head_to_head_step(population, M, names),
        Step("Count wins", "One point per head-to-head win, half a point per exact tie.", table, tuple(top)),
        Step("Winner", f"Most points: {', '.join(top)} with {fmt(score[top[0]])}.", highlight=tuple(top)),
    ]


def llull_trace(population: Population, params=None) -> list[Step]:
    M, names = margin_matrix(population)
    wins, ties = (M > TOL).sum(axis=1), (np.abs(M) <= TOL).sum(axis=1) - 1
    table = pd.DataFrame({"wins": wins, "exact ties": ties, "Llull score": wins + ties}, index=names)
    score = llull(population)
    top = tie_groups(score)[0]
    return [
        _head_to_head_step(population, M, names),
        Step("Count wins and ties", "One point per head-to-head win and one per exact tie.", table, tuple(top)),
        Step("Winner", f"Most points: {', '.join(top)} with {fmt(score[top[0]])}.", highlight=tuple(top)),
    ]


def black_trace(population: Population, params=None) -> list[Step]:
    M, names = margin_matrix(population)
    steps = [_head_to_head_step(population, M, names)]
    cw = condorcet_winner(population)
    if cw is not None:
        return steps + [
            Step(
                "Condorcet winner",
                f"{cw} beats every other alternative head-to-head, so Black's rule elects {cw} (Borda is not needed).",
                highlight=(cw,),
            )
        ]
    score = borda(population)
    top = tie_groups(score)[0]
    return steps + [
        Step(
            "No Condorcet winner",
            "No alternative beats every other one head-to-head, so Black's rule falls back on Borda.",
        ),
        Step(
            "Borda count",
            "Borda scores (tied alternatives share positions); the "
            f"winner{'s' if len(top) > 1 else ''}: {', '.join(top)}.",
            score.to_frame("Borda score"),
            tuple(top),
        ),
    ]


#: The registry entries of this family (see :mod:`.rule`).
ENTRIES = [
    Rule(
        "copeland",
        "Copeland",
        "Copeland",
        "Run every head-to-head majority vote; an alternative scores one point per opponent it beats "
        "(half a point per exact tie).",
        SCORES,
        "head-to-head wins",
        "majority",
        (Reference("copeland"),),
        (),
        ANY,
        lambda m, p: copeland(m),
        trace=copeland_trace,
    ),
    Rule(
        "llull",
        "Llull",
        "Llull's rule",
        "Like Copeland, but an exact head-to-head tie counts as a full win: one point per opponent beaten or tied.",
        SCORES,
        "opponents beaten or tied",
        "majority",
        (Reference("llull"), Reference("handbook", "chapter 3 (tournament solutions)")),
        (),
        ANY,
        lambda m, p: llull(m),
        trace=llull_trace,
    ),
    Rule(
        "black",
        "Black",
        "Black's rule",
        "Elect the Condorcet winner (who beats everyone head-to-head) if there is one, otherwise the Borda winners "
        "(all of them when tied).",
        SET,
        "1 = winner",
        "majority",
        (Reference("black"),),
        (),
        ANY,
        lambda m, p: black(m),
        trace=black_trace,
    ),
]
