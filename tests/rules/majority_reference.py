"""Slow, obviously-correct references for the majority, margin, Kemeny and set rules: each follows
the rule's definition literally (all permutations, all orders, all paths, all subsets, all swap
sequences), on small profiles only."""

from __future__ import annotations

import itertools
from collections import deque

import numpy as np

TOL = 1e-9


def margins_by_voters(rankings, weights, names):
    """M[a, b] as a share: weight with a above b minus weight with b above a, over the total."""
    m = len(names)
    level = [{a: i for i, g in enumerate(r) for a in g} for r in rankings]
    M = np.zeros((m, m))
    for lv, w in zip(level, weights):
        for i, a in enumerate(names):
            for j, b in enumerate(names):
                M[i, j] += w * ((lv[a] < lv[b]) - (lv[a] > lv[b]))
    return M / float(sum(weights))


def kemeny_by_permutations(M):
    """(best score, every optimal order): the score of an order is the sum of M over its pairs."""
    m = M.shape[0]
    scored = [
        (sum(M[o[i], o[j]] for i in range(m) for j in range(i + 1, m)), o) for o in itertools.permutations(range(m))
    ]
    best = max(s for s, _ in scored)
    return best, [o for s, o in scored if s >= best - 1e-9]


def slater_by_permutations(M):
    G = np.sign(np.where(np.abs(M) > TOL, M, 0.0))
    return kemeny_by_permutations(G)


def ranked_pairs_by_definition(M):
    """Winners of ranked pairs over every order of equal-margin pairs (the product of the
    permutations of each group), locking a pair unless a path back already exists."""
    m = M.shape[0]
    edges = [(M[a, b], a, b) for a in range(m) for b in range(m) if M[a, b] > TOL]
    values = sorted({round(v, 9) for v, _, _ in edges}, reverse=True)
    groups = [[(a, b) for v, a, b in edges if round(v, 9) == value] for value in values]
    winners = set()
    for orders in itertools.product(*(itertools.permutations(g) for g in groups)):
        locked = set()
        for group in orders:
            for a, b in group:
                if not _path(locked, b, a, m):
                    locked.add((a, b))
        winners |= {x for x in range(m) if not any(v == x for _, v in locked)}
    return sorted(winners)


def _path(edges, start, goal, m):
    seen, todo = {start}, [start]
    while todo:
        u = todo.pop()
        if u == goal:
            return True
        for a, b in edges:
            if a == u and b not in seen:
                seen.add(b)
                todo.append(b)
    return False


def strongest_path_by_enumeration(M, a, b):
    """The strongest path a -> b over positive margins, by listing every simple path (0: none)."""
    m = M.shape[0]
    best = 0.0
    others = [x for x in range(m) if x not in (a, b)]
    for k in range(len(others) + 1):
        for middle in itertools.permutations(others, k):
            path = (a, *middle, b)
            links = [M[path[i], path[i + 1]] for i in range(len(path) - 1)]
            if all(v > TOL for v in links):
                best = max(best, min(links))
    return best


def schulze_by_paths(M):
    m = M.shape[0]
    p = np.array([[strongest_path_by_enumeration(M, a, b) if a != b else 0.0 for b in range(m)] for a in range(m)])
    return sorted(a for a in range(m) if all(p[a, b] >= p[b, a] - TOL for b in range(m) if b != a))


def split_cycle_by_cycles(M):
    """b defeats a unless M[b, a] is a weakest link of some simple majority cycle through b -> a."""
    m = M.shape[0]
    defeated = set()
    for b in range(m):
        for a in range(m):
            if M[b, a] > TOL:
                back = strongest_path_by_enumeration(M, a, b)
                if not back >= M[b, a] - TOL:
                    defeated.add(a)
    return sorted(set(range(m)) - defeated)


def stable_voting_by_recursion(M, alive=None):
    m = M.shape[0]
    alive = list(range(m)) if alive is None else alive
    if len(alive) == 1:
        return set(alive)
    sub = M[np.ix_(alive, alive)]
    undefeated = {alive[i] for i in split_cycle_by_cycles(sub)}
    matches = sorted(((M[a, b], a, b) for a in alive for b in alive if a != b), key=lambda t: -t[0])
    won, level = set(), None
    for value, a, b in matches:
        if level is not None and value < level - TOL:
            break
        if a in undefeated and a in stable_voting_by_recursion(M, [x for x in alive if x != b]):
            won.add(a)
            level = value if level is None else level
    return won


def schwartz_by_closure(M):
    """x is in the Schwartz set when everyone reaching x by strict majorities is reached back."""
    m = M.shape[0]
    edges = {(a, b) for a in range(m) for b in range(m) if M[a, b] > TOL}
    reach = [[_path(edges, a, b, m) for b in range(m)] for a in range(m)]
    return sorted(x for x in range(m) if all(reach[x][y] for y in range(m) if y != x and reach[y][x]))


def uncovered_by_definition(M, definition):
    m = M.shape[0]
    beats = lambda x, y: M[x, y] > TOL  # noqa: E731
    D = [{z for z in range(m) if beats(z, x)} for x in range(m)]
    Dw = [{z for z in range(m) if not beats(x, z)} for x in range(m)]  # beats or ties x, x itself included
    covered = set()
    for y in range(m):
        for x in range(m):
            if x == y:
                continue
            gill = beats(x, y) and D[x] <= D[y]
            bord = beats(x, y) and Dw[x] <= Dw[y]
            fish = D[x] < D[y]
            if {"gillies": gill, "bordes": bord, "mckelvey": gill and bord, "fishburn": fish}[definition]:
                covered.add(y)
    return sorted(set(range(m)) - covered)


def banks_by_sequences(M):
    """Tops of maximal transitive chains, by listing every sequence of distinct alternatives."""
    m = M.shape[0]
    chains = []
    for k in range(1, m + 1):
        for seq in itertools.permutations(range(m), k):
            if all(M[seq[i], seq[j]] > TOL for i in range(k) for j in range(i + 1, k)):
                chains.append((frozenset(seq), seq[0]))
    return sorted({top for s, top in chains if not any(s < other for other, _ in chains)})


def dodgson_by_search(rankings, weights, names):
    """Fewest adjacent swaps making each alternative a Condorcet winner, by breadth-first search over
    the voters' ballots (weights expanded into single voters; tiny profiles only)."""
    voters = tuple(tuple(r) for r, w in zip(rankings, weights) for _ in range(int(w)))
    out = {}
    for x in names:

        def wins(ballots):
            return all(
                sum((b.index(x) < b.index(y)) - (b.index(x) > b.index(y)) for b in ballots) > 0 for y in names if y != x
            )

        start = voters
        seen, todo = {start: 0}, deque([start])
        while todo:
            state = todo.popleft()
            if wins(state):
                out[x] = seen[state]
                break
            for i, b in enumerate(state):
                j = b.index(x)
                if j > 0:
                    nb = b[: j - 1] + (x, b[j - 1]) + b[j + 1 :]
                    new = tuple(sorted(state[:i] + (nb,) + state[i + 1 :]))
                    if new not in seen:
                        seen[new] = seen[state] + 1
                        todo.append(new)
    return out


def young_by_subsets(levels, weights, names):
    """The largest number of voters among whom each alternative is a weak Condorcet winner (weights
    expanded into single voters)."""
    voters = [row for row, w in zip(levels, weights) for _ in range(int(w))]
    n, m = len(voters), len(names)
    out = {}
    for x in range(m):
        best = 0
        for k in range(n, -1, -1):
            if any(
                all(sum((v[x] < v[y]) - (v[x] > v[y]) for v in sub) >= 0 for y in range(m) if y != x)
                for sub in itertools.combinations(voters, k)
            ):
                best = k
                break
        out[names[x]] = best
    return out
