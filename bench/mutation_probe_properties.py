"""A mutation probe of the property checks and the paradox search (issue 14): plant one small bug at a time
in a copy of the repository, run the property tests on it, and report which bugs the tests catch.

    .venv/bin/python -m bench.mutation_probe_properties            # every mutant, about 10-15 minutes here
    .venv/bin/python -m bench.mutation_probe_properties --only 3 7  # some of them

Not a test (it never fails): it prints one line per mutant and the count caught. A mutant whose
replacement text is no longer in the file is reported as "stale" (the code moved on; update the list).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TESTS = ["tests/axioms/test_properties.py", "tests/axioms/test_paradox.py", "tests/axioms/test_axioms.py"]

#: (what the bug does, file, text to replace, replacement)
MUTANTS = [
    (
        "a voter's gain has the wrong sign",
        "aggregation/properties/base.py",
        "phi = np.sign(levels[None, :] - levels[:, None])",
        "phi = np.sign(levels[:, None] - levels[None, :])",
    ),
    (
        "two winner sets are the same when they share one winner",
        "aggregation/properties/base.py",
        "return bool((top_mask(b) == top_mask(a)).all())",
        "return bool((top_mask(b) & top_mask(a)).any())",
    ),
    (
        "a tie for first place is read as the first tied winner for sure",
        "aggregation/properties/base.py",
        "p = top_mask(v).astype(float)",
        "p = (np.arange(len(v)) == np.argmax(v)).astype(float)",
    ),
    (
        "participation looks for losses instead of gains",
        "aggregation/properties/electorate.py",
        "        if margin > GAIN_TOLERANCE:\n            who = voters_text(s, profile.weights[i], ranking_text(row, n",
        "        if margin < -GAIN_TOLERANCE:\n            who = voters_text(s, profile.weights[i], ranking_text(row, n",
    ),
    (
        "voter counts start at 2 (a single voter never moves)",
        "aggregation/properties/variations.py",
        "        s = minimum + c\n",
        "        s = minimum + c + 1\n",
    ),
    (
        "reinforcement only fails when the shared winners lose",
        "aggregation/properties/electorate.py",
        "if shared and set(shared) != set(whole_w):",
        "if shared and not set(shared) <= set(whole_w):",
    ),
    (
        "reinforcement skips the splits into equal halves",
        "aggregation/properties/electorate.py",
        "if tuple(first) > tuple(second):",
        "if tuple(first) >= tuple(second):",
    ),
    (
        "monotonicity lowers the winner instead of raising it",
        "aggregation/properties/responsiveness.py",
        "    if t < level:\n",
        "    if t > level:\n",
    ),
    (
        "monotonicity ignores a winner that ends up tied",
        "aggregation/properties/responsiveness.py",
        "harmed = x not in ctx.winners(after)",
        "harmed = x not in ctx.winners(after) and len(ctx.winners(after)) == 1",
    ),
    (
        "later-no-harm keeps one tie group too many",
        "aggregation/properties/responsiveness.py",
        "return np.minimum(row, t)",
        "return np.minimum(row, t + 1)",
    ),
    (
        "manipulation only tries the sincere report",
        "aggregation/properties/strategic.py",
        "            if tuple(profile.levels[i].tolist()) == tuple(report):\n                return None\n",
        "            if tuple(profile.levels[i].tolist()) != tuple(report):\n                return None\n",
    ),
    (
        "a coalition needs three voters",
        "aggregation/properties/strategic.py",
        'return _check(ctx, "coalition_manipulation", 2)',
        'return _check(ctx, "coalition_manipulation", 3)',
    ),
    (
        "a weak majority makes a majority loser",
        "aggregation/properties/majoritarian.py",
        "return population.alternatives[j] if shares[j] > 0.5 + MARGIN_TOLERANCE else None",
        "return population.alternatives[j] if shares[j] >= 0.5 else None",
    ),
    (
        "a Condorcet loser may tie some duels",
        "aggregation/properties/majoritarian.py",
        "losers = np.flatnonzero((M < -MARGIN_TOLERANCE).all(axis=1))",
        "losers = np.flatnonzero((M <= MARGIN_TOLERANCE).all(axis=1))",
    ),
    (
        "the Smith criterion only looks at the first winner",
        "aggregation/properties/majoritarian.py",
        "outside = [a for a in w if a not in S]",
        "outside = [a for a in w[:1] if a not in S]",
    ),
    (
        "ISDA forgets the first Smith-dominated alternative",
        "aggregation/properties/majoritarian.py",
        "dominated = [a for a in names if a not in S]",
        "dominated = [a for a in names if a not in S][1:]",
    ),
    (
        "anonymity never fails",
        "aggregation/properties/symmetry.py",
        "        if not ctx.same(out, after):\n            return fail(after, how)",
        "        if False:\n            return fail(after, how)",
    ),
    (
        "neutrality compares with the outcome before renaming",
        "aggregation/properties/symmetry.py",
        "expected = pd.Series([float(out[names[p]]) for p in perm]",
        "expected = pd.Series([float(out[names[j]]) for j, p in enumerate(perm)]",
    ),
    (
        "homogeneity adds t to every weight instead of multiplying",
        "aggregation/properties/symmetry.py",
        "        return population.scaled(t)\n",
        "        return Profile.from_levels(population.levels, population.alternatives, population.weights + t)\n",
    ),
    (
        "the paradox search calls every paradox minimal",
        "aggregation/properties/paradox.py",
        "minimal = all(level.exhaustive for level in self.levels[:-1])",
        "minimal = True",
    ),
    (
        "the paradox search lists profiles up to renaming wrongly (one class per multiset)",
        "aggregation/properties/paradox.py",
        "        seen.add(_canonical((0,) + rest, m))",
        "        seen.add((0,) + rest)",
    ),
    (
        "a pass that tried a sample is reported as a proof",
        "aggregation/properties/variations.py",
        "        return self.complete and self.size <= cap",
        "        return True",
    ),
]


def run(only=None) -> int:
    caught = 0
    chosen = [(i, m) for i, m in enumerate(MUTANTS, 1) if not only or i in only]
    for i, (what, path, old, new) in chosen:
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / "repo"
            shutil.copytree(
                ROOT, copy, ignore=shutil.ignore_patterns(".git", ".venv*", "test-output", "__pycache__", ".hypothesis")
            )
            target = copy / path
            text = target.read_text()
            if text.count(old) != 1:
                print(f"{i:2d} stale   {what} ({path}: the text to replace occurs {text.count(old)} times)")
                continue
            target.write_text(text.replace(old, new))
            start = time.perf_counter()
            proc = subprocess.run(
                [sys.executable, "-m", "pytest", *TESTS, "-x", "-q", "-p", "no:cacheprovider", "--hypothesis-seed=0"],
                cwd=copy,
                capture_output=True,
                text=True,
                timeout=1800,
            )
            seconds = time.perf_counter() - start
            killed = proc.returncode != 0
            caught += killed
            failed = next((line for line in proc.stdout.splitlines() if line.startswith("FAILED")), "")
            print(f"{i:2d} {'caught ' if killed else 'MISSED '} {what} ({seconds:.0f} s) {failed[:110]}", flush=True)
    print(f"{caught} of {len(chosen)} planted bugs caught by {', '.join(TESTS)}")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="*", type=int, help="mutant numbers (1-based)")
    sys.exit(run(parser.parse_args().only))
