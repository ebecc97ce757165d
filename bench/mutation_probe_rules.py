"""A mutation probe of the rules added for issue 14 (majority-graph and margin rules, Kemeny/Slater/
Dodgson/Young, tournament solutions, lotteries): plant one small, realistic bug at a time in a copy of
the repository, run the rule tests on it, and report which bugs the tests catch.

    .venv/bin/python -m bench.mutation_probe_rules                       # every mutant (about 20-40 minutes here)
    .venv/bin/python -m bench.mutation_probe_rules --family sets         # one family
    .venv/bin/python -m bench.mutation_probe_rules --only 3 7            # some of them (1-based)
    .venv/bin/python -m bench.mutation_probe_rules --check               # only check that every snippet is found

Not a test (it never fails): it prints one line per mutant, then a table of planted/caught per family. A
survivor listed in :data:`EQUIVALENT` (a change no population can reach, with the argument and the check
that shows it) is counted as "equivalent", not missed.
A mutant whose text to replace is no longer in the file exactly once is reported as "stale" (the code
moved on, or a reformat changed it: update the list). Each mutant runs the tests closest to its family
first (so that a caught bug stops early, ``-x``), then the rest of :data:`TESTS`; the hypothesis seed is
fixed, so a run is reproducible.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: Every mutant runs all of these (the rule tests, the peer-reference comparisons, the axiom checks).
TESTS = ["tests/rules", "tests/test_peer_reference_file.py", "tests/axioms"]
#: ... after the files closest to its family (pytest collects a file named twice once).
FIRST = {
    "majority": ["tests/rules/test_majority.py", "tests/rules/test_peer_majority.py"],
    "kemeny": ["tests/rules/test_kemeny.py", "tests/rules/test_peer_majority.py"],
    "sets": ["tests/rules/test_sets.py", "tests/rules/test_peer_majority.py"],
    # the maximal lottery's own tests live with the core (tests/core/test_lottery.py)
    "lotteries": ["tests/rules/test_lotteries_majority.py", "tests/core/test_lottery.py"],
}

MAJ, MAR, KEM = "aggregation/rules/majority.py", "aggregation/rules/margins.py", "aggregation/rules/kemeny.py"
SETS, LOT = "aggregation/rules/sets.py", "aggregation/rules/lotteries.py"

#: Mutants shown to change nothing (no population reaches the difference), with the reason; a survivor listed
#: here is reported as "equivalent", not as a gap in the tests. Keyed by the mutant's description.
EQUIVALENT = {
    "ranked pairs locks a pair even when it closes a cycle": (
        "the branch only ever picks pairs that settle() has just found undecided (neither a -> b nor b -> a in the "
        "closure), so the guard R[b, a] is never true there (checked: 15,297 branch steps on 3,000 random "
        "profiles of 3-5 alternatives, none decided)"
    ),
    "the Kemeny ranking splits blocks that merely touch (>= instead of >)": (
        "lo[y] == reach cannot happen: the current block's members all have their places in [start, reach] and "
        "one of them reaches place reach, so they are at least reach - start + 1 and fill [start, reach] "
        "whenever y is not there; y at place reach would leave them reach - start places (checked: 918 random "
        "profiles with several optimal rankings, no case)"
    ),
}

#: (family, what the bug does, file, text to replace, replacement)
MUTANTS = [
    # ------------------------------------------------------------ majority-graph and margin rules
    (
        "majority",
        "Copeland counts an exact tie as a full win (Llull)",
        MAJ,
        "score = (M > TOL).sum(axis=1) + 0.5 * ((np.abs(M) <= TOL).sum(axis=1) - 1)",
        "score = (M > TOL).sum(axis=1) + 1.0 * ((np.abs(M) <= TOL).sum(axis=1) - 1)",
    ),
    (
        "majority",
        "Copeland counts the diagonal as a tie (every score half a point too high)",
        MAJ,
        "score = (M > TOL).sum(axis=1) + 0.5 * ((np.abs(M) <= TOL).sum(axis=1) - 1)",
        "score = (M > TOL).sum(axis=1) + 0.5 * (np.abs(M) <= TOL).sum(axis=1)",
    ),
    (
        "majority",
        "Llull counts the diagonal as a tie (every score one point too high)",
        MAJ,
        "score = (M > TOL).sum(axis=1) + (np.abs(M) <= TOL).sum(axis=1) - 1\n",
        "score = (M > TOL).sum(axis=1) + (np.abs(M) <= TOL).sum(axis=1)\n",
    ),
    (
        "majority",
        "the Condorcet winner only needs to beat or tie everyone (a weak Condorcet winner)",
        MAJ,
        "winners = np.flatnonzero((M > TOL).all(axis=1))",
        "winners = np.flatnonzero((M >= -TOL).all(axis=1))",
    ),
    (
        "majority",
        "a majority winner needs only half of the first places (>= instead of >)",
        MAJ,
        "return top if shares[top] > 0.5 + MARGIN_TOLERANCE else None",
        "return top if shares[top] >= 0.5 - MARGIN_TOLERANCE else None",
    ),
    (
        "majority",
        "Black keeps only the first of tied Borda winners",
        MAJ,
        "return set_values(tie_groups(borda(population))[0], names, \"Black winners\")",
        "return set_values(tie_groups(borda(population))[0][:1], names, \"Black winners\")",
    ),
    (
        "majority",
        "minimax reads the largest win instead of the largest defeat (rows for columns)",
        MAR,
        "worst = np.maximum(M.max(axis=0), 0.0)",
        "worst = np.maximum(M.max(axis=1), 0.0)",
    ),
    (
        "majority",
        "minimax adds up the defeats instead of taking the largest",
        MAR,
        "worst = np.maximum(M.max(axis=0), 0.0)",
        "worst = np.where(M > TOL, M, 0.0).sum(axis=0)",
    ),
    (
        "majority",
        "a path is as strong as its strongest link (max instead of min)",
        MAR,
        "np.maximum(S, np.minimum(S[:, k : k + 1], S[k : k + 1, :]), out=S)",
        "np.maximum(S, np.maximum(S[:, k : k + 1], S[k : k + 1, :]), out=S)",
    ),
    (
        "majority",
        "Schulze's links point the wrong way (transposed margins)",
        MAR,
        "S = np.where(M > TOL, M, 0.0)\n    np.fill_diagonal(S, 0.0)\n    for k",
        "S = np.where(M.T > TOL, M.T, 0.0)\n    np.fill_diagonal(S, 0.0)\n    for k",
    ),
    (
        "majority",
        "Schulze: a beats b when its path is at least as strong (>= instead of >)",
        MAR,
        "return S, S > S.T + TOL",
        "return S, (S >= S.T - TOL) & (S > TOL)",
    ),
    (
        "majority",
        "ranked pairs locks the weakest margins first",
        MAR,
        'order = np.argsort(-M[a, b], kind="stable")',
        'order = np.argsort(M[a, b], kind="stable")',
    ),
    (
        "majority",
        "ranked pairs breaks equal margins by index order (no parallel universes)",
        MAR,
        "if anchor is None or anchor - value > TOL:",
        "if anchor is None or anchor - value >= 0.0:",
    ),
    (
        "majority",
        "ranked pairs locks a pair even when it closes a cycle",
        MAR,
        "visit(g, R if R[b, a] or R[a, b] else _lock(R, a, b), rest)",
        "visit(g, R if R[a, b] else _lock(R, a, b), rest)",
    ),
    (
        "majority",
        "ranked pairs misses equal-margin pairs that meet head to tail (locks a cycle's pair at once)",
        MAR,
        "T = R[np.ix_(heads, tails)] | (heads[:, None] == tails[None, :])",
        "T = R[np.ix_(heads, tails)]",
    ),
    (
        "majority",
        "Split Cycle: a majority tied with the path back still defeats (>= instead of >)",
        MAR,
        "return (M > TOL) & (M > S.T + TOL)",
        "return (M > TOL) & (M >= S.T - TOL)",
    ),
    (
        "majority",
        "Split Cycle compares the margin with the path forward instead of back (transposed)",
        MAR,
        "return (M > TOL) & (M > S.T + TOL)",
        "return (M > TOL) & (M > S + TOL)",
    ),
    (
        "majority",
        "Stable Voting takes the matches smallest margin first",
        MAR,
        "matches = sorted(((M[a, b], a, b) for a in undefeated for b in alive if a != b), key=lambda t: -t[0])",
        "matches = sorted(((M[a, b], a, b) for a in undefeated for b in alive if a != b), key=lambda t: t[0])",
    ),
    (
        "majority",
        "Stable Voting stops at the first winner (drops others at the same margin)",
        MAR,
        "            if level is not None and level - value > TOL:\n                break\n",
        "            if level is not None:\n                break\n",
    ),
    # ------------------------------------------------------------ Kemeny, Slater, Dodgson, Young
    (
        "kemeny",
        "Kemeny scores a ranking by the transposed margins (finds the worst ranking)",
        KEM,
        "return OrderSearch(M / 2.0), names, M",
        "return OrderSearch(M.T / 2.0), names, M",
    ),
    (
        "kemeny",
        "Kemeny-Young keeps only the first of several optimal first places",
        KEM,
        "return [y for y in range(self.m) if self.optimal_step(np.array([0]), y)[0]]",
        "return [y for y in range(self.m) if self.optimal_step(np.array([0]), y)[0]][:1]",
    ),
    (
        "kemeny",
        "the Kemeny ranking splits blocks that merely touch (>= instead of >)",
        KEM,
        "if current and lo[y] > reach:",
        "if current and lo[y] >= reach:",
    ),
    (
        "kemeny",
        "the Kemeny ranking's block forgets the reach of its earlier members",
        KEM,
        "reach = max(reach, int(hi[y]))",
        "reach = int(hi[y])",
    ),
    (
        "kemeny",
        "the number of optimal Kemeny rankings counts prefixes, not the ways to reach them",
        KEM,
        "np.add.at(ways, s | (1 << y), ways[s])",
        "np.add.at(ways, s | (1 << y), 1.0)",
    ),
    (
        "kemeny",
        "Kemeny agreement counts each alternative against itself",
        KEM,
        "for i in range(len(idx)) for j in range(i + 1, len(idx)))",
        "for i in range(len(idx)) for j in range(i, len(idx)))",
    ),
    (
        "kemeny",
        "Slater weighs the majorities by their margins (becomes Kemeny)",
        KEM,
        "    G = np.sign(np.where(np.abs(M) > TOL, M, 0.0))\n    search = OrderSearch(G)\n    return RuleResult(",
        "    G = M\n    search = OrderSearch(G)\n    return RuleResult(",
    ),
    (
        "kemeny",
        "Dodgson: an exact tie needs no extra vote (ceil instead of floor + 1)",
        KEM,
        "need = {y: int(np.floor((A[y, x] - A[x, y]) / 2.0)) + 1 for y in range(m) if y != x and A[x, y] <= A[y, x]}",
        "need = {y: int(np.ceil((A[y, x] - A[x, y]) / 2.0)) for y in range(m) if y != x and A[x, y] <= A[y, x]}",
    ),
    (
        "kemeny",
        "Dodgson: a tied head-to-head vote need not be won (< instead of <=)",
        KEM,
        "need = {y: int(np.floor((A[y, x] - A[x, y]) / 2.0)) + 1 for y in range(m) if y != x and A[x, y] <= A[y, x]}",
        "need = {y: int(np.floor((A[y, x] - A[x, y]) / 2.0)) + 1 for y in range(m) if y != x and A[x, y] < A[y, x]}",
    ),
    (
        "kemeny",
        "Dodgson's shortcut counts anyone above x, not only the one right above",
        KEM,
        "above = L == (L[:, [x]] - 1)",
        "above = L < L[:, [x]]",
    ),
    (
        "kemeny",
        "Dodgson: moving x up k places passes one alternative too few (off by one)",
        KEM,
        "passes = (L[ballot, y] < L[ballot, x]) & (L[ballot, y] >= L[ballot, x] - shift)",
        "passes = (L[ballot, y] < L[ballot, x]) & (L[ballot, y] > L[ballot, x] - shift)",
    ),
    (
        "kemeny",
        "Young reads x's place against the others with the wrong sign",
        KEM,
        "sign = np.sign(L[:, [y for y in range(m) if y != x]] - L[:, [x]])",
        "sign = np.sign(L[:, [x]] - L[:, [y for y in range(m) if y != x]])",
    ),
    (
        "kemeny",
        "Young demands a strict win among the kept voters (the strict variant)",
        KEM,
        "            np.zeros(m - 1),\n            np.full(m - 1, np.inf),",
        "            np.ones(m - 1),\n            np.full(m - 1, np.inf),",
    ),
    # ------------------------------------------------------------ tournament solutions (sets)
    (
        "sets",
        "the Smith set takes the bottom component instead of the top",
        MAJ,
        "if not weakly_beats[np.ix_(~inside, inside)].any():",
        "if not weakly_beats[np.ix_(inside, ~inside)].any():",
    ),
    (
        "sets",
        "the Smith set ignores exact ties (strict majorities only)",
        MAJ,
        "weakly_beats = M >= -TOL",
        "weakly_beats = M > TOL",
    ),
    (
        "sets",
        "the Schwartz set counts an exact tie as an edge (becomes the Smith set)",
        SETS,
        "    B = beats_matrix(M)\n    n_comp, label",
        "    B = M >= -TOL\n    n_comp, label",
    ),
    (
        "sets",
        "the Schwartz set takes the components that reach nobody (transposed)",
        SETS,
        "if not B[np.ix_(~inside, inside)].any():",
        "if not B[np.ix_(inside, ~inside)].any():",
    ),
    (
        "sets",
        "covering reads who x beats instead of who beats x (transposed dominators)",
        SETS,
        "D = B.T.astype(np.int64)",
        "D = B.astype(np.int64)",
    ),
    (
        "sets",
        "Gillies covering forgets that x must beat y",
        SETS,
        "gillies = B & subset",
        "gillies = subset & off",
    ),
    (
        "sets",
        "Fishburn covering accepts equal dominators (subset, not proper subset)",
        SETS,
        "return subset & ~subset.T & off",
        "return subset & off",
    ),
    (
        "sets",
        "Bordes covering forgets that x must beat y",
        SETS,
        "bordes = B & ((Dw @ (1 - Dw).T) == 0)",
        "bordes = ((Dw @ (1 - Dw).T) == 0) & off",
    ),
    (
        "sets",
        "McKelvey covering takes either sense instead of both",
        SETS,
        'return bordes if definition == "bordes" else gillies & bordes',
        'return bordes if definition == "bordes" else gillies | bordes',
    ),
    (
        "sets",
        "the Banks set takes the bottoms of the chains",
        SETS,
        "top[member & (wins == size - 1)] = a",
        "top[member & (wins == 0)] = a",
    ),
    (
        "sets",
        "the Banks set keeps chains that can be extended",
        SETS,
        "maximal = chain & ~extendable",
        "maximal = chain",
    ),
    # ------------------------------------------------------------ lotteries
    (
        "lotteries",
        "the Condorcet shortcut picks the alternative everyone beats (axis 0 for 1)",
        LOT,
        "beats_all = ((M > MARGIN_TOLERANCE) | np.eye(m, dtype=bool)).all(axis=1)",
        "beats_all = ((M > MARGIN_TOLERANCE) | np.eye(m, dtype=bool)).all(axis=0)",
    ),
    (
        "lotteries",
        "the three-cycle closed form pairs each alternative with the wrong margin",
        LOT,
        "q = np.array([M[1, 2], M[2, 0], M[0, 1]])",
        "q = np.array([M[0, 1], M[1, 2], M[2, 0]])",
    ),
    (
        "lotteries",
        "the linear program reads the margin game transposed (the minimal lottery)",
        LOT,
        "A[:m, :m] = M.T\n",
        "A[:m, :m] = M\n",
    ),
    (
        "lotteries",
        "the essential set is taken as the LP's support even when an outsider ties",
        LOT,
        "if not ((~used) & (slack <= _SLACK)).any():",
        "if True:",
    ),
    (
        "lotteries",
        "a kernel of any dimension is called a unique lottery",
        LOT,
        "if kernel.shape[1] == 1:",
        "if kernel.shape[1] >= 1:",
    ),
    (
        "lotteries",
        "maximum entropy forgets that outsiders must not beat the lottery",
        LOT,
        "    if outside.size:\n        constraints.append(",
        "    if False:\n        constraints.append(",
    ),
    (
        "lotteries",
        "random dictatorship drops voters whose first place is tied (no split)",
        LOT,
        'return favourites(population).rename("random dictatorship")',
        'return favourites(population, unique=True).rename("random dictatorship")',
    ),
    (
        "lotteries",
        "proportional Borda normalised by the largest score instead of the total",
        LOT,
        'return (score / total).rename("proportional Borda")',
        'return (score / float(score.max())).rename("proportional Borda")',
    ),
    (
        "lotteries",
        "the C1 lottery uses the margins, not their signs (becomes the maximal lottery)",
        LOT,
        "PreferenceMatrix(pd.DataFrame((1.0 + signs) / 2.0, index=names, columns=names))",
        "PreferenceMatrix(pd.DataFrame((1.0 + M) / 2.0, index=names, columns=names))",
    ),
]


def stale(path: str, old: str) -> int:
    """How many times the text to replace occurs in ``path`` (1 when the mutant still applies)."""
    return (ROOT / path).read_text().count(old)


def run(only=None, family=None, check=False) -> int:
    chosen = [(i, m) for i, m in enumerate(MUTANTS, 1) if (not only or i in only) and (not family or m[0] == family)]
    planted, caught, equivalent, missed = Counter(), Counter(), Counter(), []
    for i, (fam, what, path, old, new) in chosen:
        count = stale(path, old)
        if count != 1:
            print(f"{i:2d} {fam:9s} stale   {what} ({path}: the text to replace occurs {count} times)", flush=True)
            continue
        if check:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / "repo"
            shutil.copytree(
                ROOT,
                copy,
                ignore=shutil.ignore_patterns(".git", ".venv*", "test-output", "__pycache__", ".hypothesis"),
            )
            target = copy / path
            target.write_text(target.read_text().replace(old, new))
            start = time.perf_counter()
            proc = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pytest",
                    *FIRST[fam],
                    *TESTS,
                    "-x",
                    "-q",
                    "-p",
                    "no:cacheprovider",
                    "--hypothesis-seed=0",
                ],
                cwd=copy,
                capture_output=True,
                text=True,
                timeout=1800,
            )
            seconds = time.perf_counter() - start
        killed = proc.returncode != 0
        same = not killed and what in EQUIVALENT
        planted[fam] += 1
        caught[fam] += killed
        equivalent[fam] += same
        if not killed and not same:
            missed.append((i, fam, what))
        verdict = "caught " if killed else "equival" if same else "MISSED "
        failed = next((line for line in proc.stdout.splitlines() if line.startswith(("FAILED", "ERROR"))), "")
        print(f"{i:2d} {fam:9s} {verdict} {what} ({seconds:.0f} s) {failed[:110]}", flush=True)
    if check:
        print(f"{len(chosen)} mutants checked")
        return 0
    print()
    print(f"{'family':10s} {'planted':>7s} {'caught':>7s} {'equivalent':>10s} {'missed':>7s}")
    for fam in FIRST:
        if planted[fam]:
            left = planted[fam] - caught[fam] - equivalent[fam]
            print(f"{fam:10s} {planted[fam]:7d} {caught[fam]:7d} {equivalent[fam]:10d} {left:7d}")
    total = [sum(c.values()) for c in (planted, caught, equivalent)]
    print(f"{'total':10s} {total[0]:7d} {total[1]:7d} {total[2]:10d} {total[0] - total[1] - total[2]:7d}")
    for i, fam, what in missed:
        print(f"survived: {i:2d} {fam}: {what}")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="*", type=int, help="mutant numbers (1-based)")
    parser.add_argument("--family", choices=sorted(FIRST), help="only this family's mutants")
    parser.add_argument("--check", action="store_true", help="only check that every snippet is still found")
    args = parser.parse_args()
    sys.exit(run(args.only, args.family, args.check))
