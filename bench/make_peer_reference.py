"""Reference answers from pref_voting for the rules the dashboard implements (issue 14).

    .venv-bench/bin/python bench/make_peer_reference.py            # writes tests/data/pref_voting_reference.json.gz
    .venv-bench/bin/python bench/make_peer_reference.py --limit 40 --out /tmp/x.json.gz   # a quick try

Runs in the peer environment (``.venv-bench``, built by ``bench/run_peers``: pref_voting 1.18.2 with
numpy 2.3.5). Standalone on purpose: it imports neither ``aggregation`` nor anything else of ours,
so the file it writes is an independent reference that survives restructuring of the core.

What it does
1. Generates seeded random profiles (numpy ``default_rng(SEED)``): strict linear orders
   (impartial culture and Mallows), weak orders with ties, truncated linear orders, and profiles
   built to have Condorcet cycles, exact ties (all margins zero, plurality ties) and Condorcet
   winners; m = 3..7 alternatives (a few with 8..10, for the cheap rules only), n = 1..40 voters,
   integer weights (one line per distinct ballot with its count).
2. Writes each profile in the dashboard's text syntax, ``count: a > b = c > d``, as a *total* weak
   order: a truncated ballot becomes its ranked part followed by one bottom tie group holding the
   unranked alternatives (the dashboard's convention). pref_voting gets the equivalent ballot:
   a ``Profile`` for linear orders; a ``ProfileWithTies`` for weak orders (every alternative
   ranked) and for truncated ballots (unranked alternatives left out of the ``Ranking``), always
   after ``use_extended_strict_preference()`` so that an unranked alternative counts as below
   every ranked one. The script checks, for every profile, that pref_voting's margins equal the
   margins computed here from the text (a voter tied on a pair counts for neither side).
3. Runs every pref_voting rule that matches one of our rule ids on every profile where the rule
   applies and records winners (sorted names), rankings (tie groups), lotteries and the scores
   the method exposes. Exceptions are recorded as ``{"not_applicable": "<type>: <message>"}``.
   A rule whose declared ``input_types`` exclude weak or truncated ballots is not run on them
   (``not_applicable`` says so) unless noted in ``CONVENTIONS``.
4. Writes ``tests/data/pref_voting_reference.json.gz`` with the peer's version, the seed and one
   convention sentence per rule id (read from pref_voting's code; see ``CONVENTIONS``).
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import io
import itertools
import json
import math
import os
import platform
import random
import signal
import sys
import time
import warnings
from importlib.metadata import version

import numpy as np

try:
    import pref_voting  # noqa: F401
    from pref_voting.c1_methods import (
        banks,
        bipartisan,
        condorcet,
        copeland,
        copeland_ranking,
        gocha,
        llull,
        slater,
        slater_rankings,
        top_cycle,
        uc_bordes,
        uc_fish,
        uc_gill,
        uc_mckelvey,
        weak_condorcet,
    )
    from pref_voting.combined_methods import blacks
    from pref_voting.iterative_methods import (
        baldwin,
        baldwin_put,
        benham,
        benham_put,
        coombs,
        coombs_put,
        instant_runoff,
        instant_runoff_for_truncated_linear_orders,
        instant_runoff_put,
        instant_runoff_ranking,
        plurality_with_runoff_put,
        strict_nanson,
        tideman_alternative_gocha,
        tideman_alternative_smith,
        weak_nanson,
    )
    from pref_voting.margin_based_methods import (
        beat_path,
        essential,
        minimax,
        minimax_scores,
        ranked_pairs,
        ranked_pairs_tb,
        ranked_pairs_zt,
        split_cycle,
        stable_voting,
    )
    from pref_voting.other_methods import (
        bradley_terry,
        bradley_terry_ranking,
        bt_mle,
        bucklin,
        bucklin_for_truncated_linear_orders,
        bucklin_with_explanation,
        dodgson,
        kemeny_young,
        kemeny_young_rankings,
        kendalltau_dist_for_rankings_with_ties,
        simplified_bucklin,
    )
    from pref_voting.probabilistic_methods import c1_maximal_lottery, maximal_lottery, pr_borda, random_dictator
    from pref_voting.profiles import Profile
    from pref_voting.profiles_with_ties import ProfileWithTies
    from pref_voting.rankings import Ranking
    from pref_voting.scoring_methods import (
        anti_plurality,
        anti_plurality_ranking,
        borda,
        borda_for_profile_with_ties,
        borda_ranking,
        dowdall,
        plurality,
        plurality_ranking,
        symmetric_borda_scores,
    )
except ImportError:  # pragma: no cover
    sys.exit(
        "pref_voting is not installed here: build .venv-bench with bench/run_peers and run this with "
        ".venv-bench/bin/python"
    )

SEED = 20261127
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_OUT = os.path.join(ROOT, "tests", "data", "pref_voting_reference.json.gz")
CALL_TIMEOUT_S = 30  # one rule on one profile; past this it is recorded as not applicable
MAX_TIE_ORDERS = 50_000  # ranked pairs enumerates every order of equal-margin edges; skip beyond this
MAX_LISTED_RANKINGS = 24  # Kemeny / Slater: list the optimal orders when there are at most this many
LINEAR, WEAK, TRUNCATED = "linear", "weak", "truncated"
ALL_KINDS = (LINEAR, WEAK, TRUNCATED)
SMALL_M = 7  # rules marked "small" run only for m <= SMALL_M (8..10 get the cheap rules)


# --------------------------------------------------------------------------------------------
# Profiles
# --------------------------------------------------------------------------------------------
def names_for(m: int) -> list[str]:
    return [chr(ord("a") + i) for i in range(m)]


def mallows_order(rng, m: int, phi: float) -> list[int]:
    """One draw from Mallows(reference = identity, phi) by repeated insertion."""
    order: list[int] = []
    for i in range(m):
        w = phi ** np.arange(i, -1, -1)  # inserting at position j costs i - j inversions
        j = int(rng.choice(i + 1, p=w / w.sum()))
        order.insert(j, i)
    return order


def strict_orders(rng, m: int, n: int, culture: str) -> list[list[int]]:
    if culture == "ic":
        return [list(map(int, rng.permutation(m))) for _ in range(n)]
    perm = rng.permutation(m)  # hide the reference order behind a random relabelling
    phi = float(rng.uniform(0.3, 0.85))
    return [[int(perm[c]) for c in mallows_order(rng, m, phi)] for _ in range(n)]


def ballot_to_levels(order: list[int], breaks: list[bool], m: int) -> list[int]:
    """Strict order plus 'a new group starts before position i' flags -> level of each alternative."""
    levels = [0] * m
    lvl = 0
    for i, c in enumerate(order):
        if i > 0 and breaks[i]:
            lvl += 1
        levels[c] = lvl
    return levels


def truncated_levels(order: list[int], k: int, m: int) -> list[int]:
    """Top k ranked strictly; the rest tied at level k (k <= m - 2, else it is a linear order)."""
    levels = [0] * m
    for i, c in enumerate(order):
        levels[c] = min(i, k)
    return levels


def aggregate(ballots: list[tuple[int, ...]]) -> tuple[list[tuple[int, ...]], list[int]]:
    """Distinct level vectors in order of first appearance, with counts."""
    counts: dict[tuple[int, ...], int] = {}
    for b in ballots:
        counts[b] = counts.get(b, 0) + 1
    return list(counts), list(counts.values())


def dense(levels) -> tuple[int, ...]:
    uniq = sorted(set(levels))
    pos = {v: i for i, v in enumerate(uniq)}
    return tuple(pos[v] for v in levels)


def classify(ballots, m: int) -> str:
    if all(len(set(b)) == m for b in ballots):
        return LINEAR

    def truncated_shape(b):
        top = max(b)
        return (
            top >= 1
            and sum(1 for x in b if x == top) >= 2
            and all(sum(1 for x in b if x == lv) == 1 for lv in range(top))
        )

    return TRUNCATED if all(len(set(b)) == m or truncated_shape(b) for b in ballots) else WEAK


def generate_profiles(seed: int, limit: int | None = None) -> list[dict]:
    rng = np.random.default_rng(seed)
    plan: list[tuple[str, int]] = []  # (family, m)

    def add(family, count, ms):
        for _ in range(count):
            plan.append((family, int(rng.choice(ms))))

    small = list(range(3, 8))
    big = [8, 9, 10]
    add("ic", 260, small)
    add("mallows", 260, small)
    add("weak", 270, small)
    add("truncated", 270, small)
    add("cycle", 50, small)
    add("zero_margins", 40, small)
    add("plurality_tie", 20, small)
    add("condorcet_winner", 50, small)
    add("single_voter", 15, small)
    add("weak_special", 15, small)
    add("ic", 30, big)
    add("weak", 25, big)
    add("truncated", 25, big)
    if limit is not None:
        idx = rng.permutation(len(plan))[:limit]
        plan = [plan[i] for i in sorted(idx)]

    profiles = []
    for pid, (family, m) in enumerate(plan):
        n = int(rng.integers(1, 41))
        ballots: list[tuple[int, ...]] = []
        if family in ("ic", "mallows"):
            ballots = [dense(ballot_to_levels(o, [True] * m, m)) for o in strict_orders(rng, m, n, family)]
        elif family == "weak":
            culture = "ic" if rng.random() < 0.5 else "mallows"
            p_tie = float(rng.uniform(0.15, 0.6))
            for o in strict_orders(rng, m, n, culture):
                breaks = [True] + [bool(rng.random() >= p_tie) for _ in range(m - 1)]
                ballots.append(dense(ballot_to_levels(o, breaks, m)))
        elif family == "truncated":
            culture = "ic" if rng.random() < 0.5 else "mallows"
            for o in strict_orders(rng, m, n, culture):
                k = int(rng.integers(1, m + 1))  # 1..m ranked; m - 1 or m = a full linear order
                ballots.append(dense(truncated_levels(o, k if k <= m - 2 else m, m)))
        elif family == "cycle":
            # rotations of a base order (a Condorcet cycle through all m), random counts, some noise
            base = list(map(int, rng.permutation(m)))
            for r in range(m):
                rot = base[r:] + base[:r]
                for _ in range(int(rng.integers(1, max(2, 40 // (m + 1))))):
                    ballots.append(dense(ballot_to_levels(rot, [True] * m, m)))
            for o in strict_orders(rng, m, int(rng.integers(0, 4)), "ic"):
                ballots.append(dense(ballot_to_levels(o, [True] * m, m)))
        elif family == "zero_margins":
            # each ballot with its reverse, same count: every margin is 0
            for _ in range(int(rng.integers(1, 11))):
                o = list(map(int, rng.permutation(m)))
                for _ in range(int(rng.integers(1, 3))):
                    ballots.append(dense(ballot_to_levels(o, [True] * m, m)))
                    ballots.append(dense(ballot_to_levels(o[::-1], [True] * m, m)))
            ballots = ballots[:40]  # appended in pairs, so this keeps them paired
        elif family == "plurality_tie":
            # every alternative on top equally often (plurality, IRV first round all tied)
            reps = int(rng.integers(1, max(2, 40 // m) + 1))
            for _ in range(reps):
                for top in range(m):
                    rest = [int(c) for c in rng.permutation(m) if c != top]
                    ballots.append(dense(ballot_to_levels([top] + rest, [True] * m, m)))
        elif family == "condorcet_winner":
            w = int(rng.integers(m))
            k = n // 2 + 1
            for i in range(n):
                o = list(map(int, rng.permutation(m)))
                if i < k:
                    o.remove(w)
                    o = [w] + o
                ballots.append(dense(ballot_to_levels(o, [True] * m, m)))
        elif family == "single_voter":
            o = list(map(int, rng.permutation(m)))
            ballots = [dense(ballot_to_levels(o, [True] * m, m))]
        elif family == "weak_special":
            # fully indifferent ballots, top ties, pairs of opposite weak orders
            for _ in range(n):
                kind = int(rng.integers(3))
                o = list(map(int, rng.permutation(m)))
                if kind == 0:
                    ballots.append(tuple([0] * m))
                elif kind == 1:
                    ballots.append(dense(ballot_to_levels(o, [True, False] + [True] * (m - 2), m)))
                else:
                    ballots.append(
                        dense(ballot_to_levels(o, [True] + [bool(rng.random() < 0.5) for _ in range(m - 1)], m))
                    )
        else:  # pragma: no cover
            raise AssertionError(family)
        if not ballots:
            o = list(map(int, rng.permutation(m)))
            ballots = [dense(ballot_to_levels(o, [True] * m, m))]
        distinct, counts = aggregate(ballots)
        profiles.append(
            {
                "id": f"p{pid:04d}",
                "family": family,
                "m": m,
                "ballots": distinct,
                "counts": counts,
                "kind": classify(distinct, m),
            }
        )
    return profiles


def ballot_text(levels: tuple[int, ...], names: list[str]) -> str:
    groups = [[names[c] for c in range(len(levels)) if levels[c] == lv] for lv in range(max(levels) + 1)]
    return " > ".join(" = ".join(g) for g in groups)


def profile_text(p: dict, names: list[str]) -> str:
    return "\n".join(f"{c}: {ballot_text(b, names)}" for b, c in zip(p["ballots"], p["counts"]))


def to_pref_voting(p: dict):
    m, ballots, counts = p["m"], p["ballots"], p["counts"]
    if p["kind"] == LINEAR:
        orders = [sorted(range(m), key=lambda c: b[c]) for b in ballots]
        return Profile(orders, rcounts=counts)
    rankings = []
    for b in ballots:
        top = max(b)
        bottom_is_unranked = p["kind"] == TRUNCATED and sum(1 for x in b if x == top) >= 2
        rankings.append({c: b[c] + 1 for c in range(m) if not (bottom_is_unranked and b[c] == top)})
    prof = ProfileWithTies(rankings, rcounts=counts, candidates=list(range(m)))
    prof.use_extended_strict_preference()
    return prof


def margins_from_levels(p: dict) -> np.ndarray:
    m = p["m"]
    M = np.zeros((m, m), dtype=int)
    for b, c in zip(p["ballots"], p["counts"]):
        for x in range(m):
            for y in range(m):
                if b[x] < b[y]:
                    M[x, y] += c
                    M[y, x] -= c
    return M


# --------------------------------------------------------------------------------------------
# Running rules
# --------------------------------------------------------------------------------------------
class Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise Timeout(f"took longer than {CALL_TIMEOUT_S} s")


def num(x):
    """JSON-friendly number: ints stay ints, floats are rounded to 12 significant digits."""
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, (int, np.integer)):
        return int(x)
    f = float(x)
    if f.is_integer() and abs(f) < 2**53:
        return int(f)
    return float(f"{f:.12g}")


def names_of(cands, names):
    return sorted(names[int(c)] for c in cands)


def ranking_groups(r: Ranking, names):
    ranks = sorted(set(r.rmap.values()))
    return [sorted(names[int(c)] for c, v in r.rmap.items() if v == k) for k in ranks]


def scores_of(d, names):
    return {names[int(c)]: num(v) for c, v in sorted(d.items())}


def lottery_of(d, names, m):
    out = {names[c]: 0.0 for c in range(m)}
    for c, v in d.items():
        out[names[int(c)]] = float(f"{float(v):.12g}")
    return out


def tie_orders(prof, m) -> int:
    """How many tie-breaking orders pref_voting's ranked_pairs would enumerate (no Condorcet winner)."""
    strengths: dict[int, int] = {}
    for a in range(m):
        for b in range(m):
            if a != b and prof.margin(a, b) >= 0:
                s = int(prof.margin(a, b))
                strengths[s] = strengths.get(s, 0) + 1
    return math.prod(math.factorial(k) for k in strengths.values())


def kemeny_answer(prof, p, names):
    m = p["m"]
    out = {"winners": names_of(kemeny_young(prof), names)}
    if p["kind"] == LINEAR:
        orders, dist = kemeny_young_rankings(prof)
        out["kendall_tau_distance"] = num(dist)
    elif m <= 6:
        # pref_voting's Kendall tau distance for weak orders (a tie against a strict preference costs 1/2)
        rankings, rcounts = prof.rankings_counts
        cands = list(range(m))
        best, orders = math.inf, []
        for perm in itertools.permutations(cands):
            r = Ranking({c: i + 1 for i, c in enumerate(perm)})
            d = sum(n * kendalltau_dist_for_rankings_with_ties(cands, rk, r) for rk, n in zip(rankings, rcounts))
            if d < best - 1e-9:
                best, orders = d, [perm]
            elif abs(d - best) <= 1e-9:
                orders.append(perm)
        out["kendall_tau_distance"] = num(best)
    else:
        return out
    orders = sorted(set(tuple(int(c) for c in o) for o in orders))
    out["num_rankings"] = len(orders)
    if len(orders) <= MAX_LISTED_RANKINGS:
        out["rankings"] = [[names[c] for c in o] for o in orders]
    if sorted({names[o[0]] for o in orders}) != out["winners"]:  # two pref_voting functions disagree
        out["note"] = "the first alternatives of the optimal rankings differ from kemeny_young's winners"
    return out


def slater_answer(prof, p, names):
    orders, dist = slater_rankings(prof)
    out = {"winners": names_of(slater(prof), names), "distance": num(dist)}
    orders = sorted(set(tuple(int(c) for c in o) for o in orders))
    out["num_rankings"] = len(orders)
    if len(orders) <= MAX_LISTED_RANKINGS:
        out["rankings"] = [[names[c] for c in o] for o in orders]
    return out


def ranked_pairs_answer(prof, p, names):
    m = p["m"]
    if prof.condorcet_winner() is None:
        k = tie_orders(prof, m)
        if k > MAX_TIE_ORDERS:
            raise RuntimeError(
                f"ranked_pairs would enumerate {k} tie-breaking orders of equal-margin edges "
                f"(skipped above {MAX_TIE_ORDERS})"
            )
    return {"winners": names_of(ranked_pairs(prof), names)}


def bt_answer(prof, p, names):
    m = p["m"]
    cands = list(range(m))
    pm = np.zeros((m, m))
    for i in cands:
        for j in cands:
            if i != j:
                pm[i][j] = prof.support(i, j) / prof.num_voters
    params = bt_mle(pm)  # the same call bradley_terry makes; raises if it does not converge
    return {"winners": names_of(bradley_terry(prof), names), "scores": {names[c]: num(params[c]) for c in cands}}


def bucklin_answer(prof, p, names):
    if p["kind"] == LINEAR:
        ws, sc = bucklin_with_explanation(prof)
        assert ws == bucklin(prof)
        return {"winners": names_of(ws, names), "scores": scores_of(sc, names)}
    # truncated: the function compares Ranking.rmap to (rank - 1), i.e. it expects ranks that start at 0,
    # while pref_voting's own Rankings start at 1 (normalize_ranks); call it on a 0-based copy.
    m = p["m"]
    rankings0 = [{c: v - 1 for c, v in r.rmap.items()} for r in prof.rankings_counts[0]]
    prof0 = ProfileWithTies(rankings0, rcounts=prof.rcounts, candidates=list(range(m)))
    prof0.use_extended_strict_preference()
    return {"winners": names_of(bucklin_for_truncated_linear_orders(prof0), names)}


def ml_answer(fn):
    def run(prof, p, names):
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf), warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            lot = fn(prof)
        out = {"lottery": lottery_of(lot, names, p["m"])}
        printed = buf.getvalue().strip()
        msgs = sorted({str(w.message).strip().splitlines()[0] for w in caught if str(w.message).strip()})
        if printed or msgs:
            out["note"] = "; ".join(([printed.replace("\n", " | ")] if printed else []) + msgs)[:400]
        return out

    return run


def winners(fn, **kw):
    return lambda prof, p, names: {"winners": names_of(fn(prof, **kw), names)}


def with_scores(fn, score_fn):
    return lambda prof, p, names: {"winners": names_of(fn(prof), names), "scores": scores_of(score_fn(prof), names)}


def swf(fn):
    return lambda prof, p, names: {"ranking": ranking_groups(fn(prof), names)}


def pwt_or_profile(profile_fn, pwt_fn):
    return lambda prof, p, names: (profile_fn if p["kind"] == LINEAR else pwt_fn)(prof, p, names)


# Each rule: id -> (runner, kinds it is run on, "all" or "small" (m <= SMALL_M), pref_voting name, convention)
# The conventions were read from pref_voting 1.18.2's source (site-packages/pref_voting/*.py).
LIN = (LINEAR,)
TIES = ALL_KINDS
RULES: dict[str, tuple] = {}


def rule(rid, runner, kinds, size, pv_name, convention):
    RULES[rid] = (runner, kinds, size, pv_name, convention)


rule(
    "plurality",
    with_scores(plurality, lambda q: q.plurality_scores()),
    TIES,
    "all",
    "scoring_methods.plurality",
    "Score = weighted count of first places (Profile.plurality_scores; ProfileWithTies.plurality_scores); "
    "winners = all alternatives with the top score. A ballot with a tie at the top makes "
    "ProfileWithTies.plurality_scores raise ValueError (recorded as not applicable): pref_voting neither "
    "splits (1/j each) nor gives 1 each here; see plurality_split for the split count. A truncated ballot "
    "counts for its first-ranked alternative. Declared for linear and truncated linear profiles; run on weak "
    "orders too, where it answers only when no ballot ties at the top.",
)
rule(
    "plurality_split",
    lambda q, p, names: (
        lambda s: {
            "winners": sorted(names[c] for c in s if abs(s[c] - max(s.values())) <= 1e-9),
            "scores": scores_of(s, names),
        }
    )(q.tops_scores(score_type="split")),
    (WEAK, TRUNCATED),
    "all",
    "ProfileWithTies.tops_scores(score_type='split')",
    "Not a pref_voting VotingMethod: ProfileWithTies.tops_scores(score_type='split') gives each of the j "
    "alternatives tied at a ballot's top weight/j; winners here are the alternatives with the largest such "
    "score (max within 1e-9). Run on weak and truncated profiles only (for linear orders it equals plurality).",
)
rule(
    "borda",
    pwt_or_profile(
        with_scores(borda, lambda q: q.borda_scores()),
        lambda q, p, names: {
            "winners": names_of(borda_for_profile_with_ties(q), names),
            "scores": scores_of(symmetric_borda_scores(q), names),
        },
    ),
    TIES,
    "all",
    "scoring_methods.borda (Profile) / scoring_methods.borda_for_profile_with_ties (ProfileWithTies)",
    "Linear orders (Profile.borda_scores): m-1, ..., 0 points by position, weighted by count; equals ours. "
    "Weak/truncated ballots (borda_for_profile_with_ties, symmetric_borda_scores): per ballot, the number of "
    "alternatives strictly below minus the number strictly above, using extended strict preference "
    "(an unranked alternative is below every ranked one and tied with the other unranked ones); these scores "
    "sum to 0. Ours (tied alternatives share the average of their positions) = W*(m-1)/2 + theirs/2, where W "
    "is the total weight, so the winners are the same. borda_for_profile_with_ties is declared for truncated "
    "linear orders; it is run on weak orders too, where the symmetric score is the standard extension "
    "(Terzopoulou & Endriss, the reference in its docstring).",
)
rule(
    "anti_plurality",
    winners(anti_plurality),
    LIN,
    "all",
    "scoring_methods.anti_plurality",
    "Winners = alternatives ranked last by the smallest weight (no scores exposed). Declared for linear "
    "orders only (input_types=[PROFILE]); not run on weak/truncated ballots.",
)
rule(
    "dowdall",
    winners(dowdall),
    LIN,
    "all",
    "scoring_methods.dowdall",
    "Scoring rule 1, 1/2, 1/3, ... by position (scoring_rule with score 1/rank, floats compared with ==). "
    "Linear orders only (input_types=[PROFILE]).",
)
rule(
    "bucklin",
    pwt_or_profile(bucklin_answer, bucklin_answer),
    (LINEAR, TRUNCATED),
    "all",
    "other_methods.bucklin (Profile) / other_methods.bucklin_for_truncated_linear_orders (truncated)",
    "For r = 1, 2, ...: score = weight ranking the alternative in the top r; stop at the first r where some "
    "score >= strict_maj_size (floor(W/2)+1 for integer W, i.e. more than half the total weight); winners = "
    "alternatives with the maximum score at that r (so at most the largest-score ones, not every majority "
    "holder). Scores recorded are those at the stopping r (bucklin_with_explanation). Truncated ballots: "
    "bucklin_for_truncated_linear_orders, unranked alternatives never counted, threshold = strict majority "
    "of non-empty ballots; if no r reaches it, winners = max cumulative score at r = m. NOTE pref_voting bug: "
    "that function counts rank r as Ranking.rmap == r-1 (0-based) although pref_voting's Rankings are 1-based, "
    "so it is called here on a copy whose ranks start at 0 (the intended reading). Weak orders with ties: "
    "not run (no pref_voting Bucklin for them).",
)
rule(
    "simplified_bucklin",
    winners(simplified_bucklin),
    LIN,
    "all",
    "other_methods.simplified_bucklin",
    "Same rounds as bucklin, but winners = every alternative whose cumulative top-r weight reaches the strict "
    "majority at the first r where any does (can be several with different scores). Linear orders only.",
)
rule(
    "instant_runoff",
    winners(instant_runoff),
    TIES,
    "all",
    "iterative_methods.instant_runoff",
    "Linear orders (algorithm 'basic'): stop when some alternative has >= strict_maj_size first places among "
    "the remaining; otherwise eliminate ALL alternatives tied for the fewest first places at once; if that "
    "would eliminate everyone, the last tied group are all winners. ProfileWithTies: score_method 'approval' "
    "(each alternative in a ballot's top tie group among the remaining gets the ballot's full weight; a "
    "truncated ballot with none of the remaining ranked counts for nobody), no majority stop, eliminate all "
    "tied-lowest; if all remaining are tied they all win. Exhausted truncated ballots vs a bottom tie group: "
    "both add the same amount to every remaining alternative, so the winners agree.",
)
rule(
    "instant_runoff_split",
    winners(instant_runoff, score_method="split"),
    (WEAK, TRUNCATED),
    "all",
    "iterative_methods.instant_runoff(score_method='split')",
    "As instant_runoff on ProfileWithTies but a ballot's weight is split 1/j over the j alternatives tied at "
    "its top among the remaining (tops_scores 'split', ties within 1e-12). Weak/truncated profiles only.",
)
rule(
    "instant_runoff_put",
    winners(instant_runoff_put),
    TIES,
    "all",
    "iterative_methods.instant_runoff_put",
    "Parallel-universe tie-breaking: winners = union over every order of eliminating one of the tied-lowest "
    "at a time. Linear orders: returns the strict-majority holder at once if any; alternatives with 0 first "
    "places are removed first. ProfileWithTies: 'approval' tops scores, recursion without the majority stop.",
)
rule(
    "instant_runoff_truncated",
    winners(instant_runoff_for_truncated_linear_orders),
    (TRUNCATED,),
    "all",
    "iterative_methods.instant_runoff_for_truncated_linear_orders",
    "Truncated linear orders only: empty ballots dropped; stop when the top first-place count among the "
    "remaining reaches a strict majority of the still non-empty ballots; else eliminate all tied-lowest; if "
    "all remaining are tied, winners = those with the maximum first-place count.",
)
rule(
    "plurality_with_runoff_put",
    winners(plurality_with_runoff_put),
    LIN,
    "all",
    "iterative_methods.plurality_with_runoff_put",
    "pref_voting has only the parallel-universe version: if one alternative has the top plurality score, "
    "it meets every alternative with the second-highest score; if several share the top score, every pair "
    "of them meets; each head-to-head is won by the positive margin, both win on margin 0; winners = union. "
    "No majority shortcut (a majority holder still faces the runner-up and wins). Linear orders only.",
)
rule(
    "coombs",
    winners(coombs),
    LIN,
    "all",
    "iterative_methods.coombs",
    "Stop when some remaining alternative has >= strict_maj_size first places (of the whole weight); "
    "otherwise eliminate ALL alternatives ranked last by the largest weight at once; if everyone would be "
    "eliminated, the last tied group wins. Linear orders only.",
)
rule(
    "coombs_put",
    winners(coombs_put),
    LIN,
    "all",
    "iterative_methods.coombs_put",
    "Coombs with parallel-universe tie-breaking: majority check, then union over eliminating each "
    "alternative tied for most last places. Linear orders only.",
)
rule(
    "baldwin",
    winners(baldwin),
    LIN,
    "all",
    "iterative_methods.baldwin",
    "Repeatedly eliminate ALL alternatives with the lowest Borda score (recomputed on the remaining "
    "alternatives); if all remaining share the lowest score they all win. Linear orders only.",
)
rule(
    "baldwin_put",
    winners(baldwin_put),
    LIN,
    "all",
    "iterative_methods.baldwin_put",
    "Baldwin with parallel-universe tie-breaking (union over eliminating each lowest-Borda alternative one "
    "at a time). Linear orders only.",
)
rule(
    "nanson",
    winners(strict_nanson),
    LIN,
    "all",
    "iterative_methods.strict_nanson",
    "Strict Nanson: eliminate every alternative whose Borda score (on the remaining) is strictly BELOW the "
    "average; stop when nobody is below average (all remaining win) or one remains. Linear orders only.",
)
rule(
    "weak_nanson",
    winners(weak_nanson),
    LIN,
    "all",
    "iterative_methods.weak_nanson",
    "Weak Nanson: eliminate every alternative whose Borda score is AT OR BELOW the average; if that would "
    "remove all remaining (all equal), they all win. Linear orders only.",
)
rule(
    "benham",
    winners(benham),
    LIN,
    "all",
    "iterative_methods.benham",
    "If the remaining alternatives have a Condorcet winner (strict, margin > 0 against all) it wins; "
    "otherwise eliminate ALL alternatives tied for fewest first places (among the remaining) and repeat; if "
    "everyone would be eliminated the last tied group wins. Linear orders only.",
)
rule(
    "benham_put",
    winners(benham_put),
    LIN,
    "all",
    "iterative_methods.benham_put",
    "Benham with parallel-universe tie-breaking. Linear orders only.",
)
rule(
    "tideman_alternative_smith",
    winners(tideman_alternative_smith),
    LIN,
    "all",
    "iterative_methods.tideman_alternative_smith",
    "Restrict to the Smith set (top_cycle) of the remaining; if all Smith members tie in plurality score "
    "(first places among the Smith set) they all win; otherwise eliminate ALL Smith members with the fewest "
    "first places (counted among the Smith set only) and repeat on the rest. Linear orders only.",
)
rule(
    "tideman_alternative_schwartz",
    winners(tideman_alternative_gocha),
    LIN,
    "all",
    "iterative_methods.tideman_alternative_gocha",
    "As tideman_alternative_smith with the Schwartz set (gocha) in place of the Smith set. Linear orders only.",
)
rule(
    "copeland",
    with_scores(copeland, lambda q: q.copeland_scores()),
    TIES,
    "all",
    "c1_methods.copeland",
    "copeland_scores with (win, tie, loss) = (1, 0, -1) on majority margins; winners = max score. Ours "
    "(1, 1/2, 0) = (theirs + m - 1)/2, same winners.",
)
rule(
    "llull",
    with_scores(llull, lambda q: q.copeland_scores(scores=(1, 1, 0))),
    TIES,
    "all",
    "c1_methods.llull",
    "copeland_scores with (1, 1, 0): a majority tie counts as a win.",
)
rule(
    "minimax",
    with_scores(minimax, lambda q: minimax_scores(q)),
    TIES,
    "all",
    "margin_based_methods.minimax",
    "Score = largest margin by which the alternative is beaten (0 if unbeaten; margins, not winning votes); "
    "winners = smallest score. 'scores' are minimax_scores(score_method='margins') = minus that number.",
)
rule(
    "schulze",
    winners(beat_path),
    TIES,
    "all",
    "margin_based_methods.beat_path",
    "Beat path / Schulze with margins (algorithm floyd_warshall): only positive-margin edges form paths; "
    "a wins unless some b has a strictly stronger path to a than a has to b.",
)
rule(
    "ranked_pairs",
    ranked_pairs_answer,
    TIES,
    "small",
    "margin_based_methods.ranked_pairs",
    "Condorcet winner if any; otherwise parallel-universe: for every order of the edges with equal margin "
    "(margin-0 pairs enter as edges both ways), lock edges by decreasing margin skipping those that create a "
    "cycle; winners = union of the resulting tops. Skipped (not applicable) when the number of such orders "
    f"exceeds {MAX_TIE_ORDERS}.",
)
rule(
    "ranked_pairs_tb",
    winners(ranked_pairs_tb),
    TIES,
    "all",
    "margin_based_methods.ranked_pairs_tb",
    "Ranked pairs with a fixed tie-breaker: equal-margin edges ordered lexicographically by (winner, loser) "
    "along the alphabetical order of the alternatives (a < b < ...); one winner.",
)
rule(
    "ranked_pairs_zt",
    winners(ranked_pairs_zt),
    LIN,
    "all",
    "margin_based_methods.ranked_pairs_zt",
    "Zavist-Tideman: ranked_pairs_tb with the tie-breaker = the first ballot of the profile, i.e. the FIRST "
    "LINE of 'text'. Linear orders only.",
)
rule(
    "split_cycle",
    winners(split_cycle),
    TIES,
    "all",
    "margin_based_methods.split_cycle",
    "a is defeated by b iff margin(b,a) > 0 and there is no path from a back to b whose every edge has "
    "margin >= margin(b,a); winners = undefeated (algorithm 'basic').",
)
rule(
    "stable_voting",
    winners(stable_voting),
    TIES,
    "all",
    "margin_based_methods.stable_voting",
    "Condorcet winner if any; else consider matches (a, b) by decreasing margin(a, b) (ties in any order, "
    "zero and negative margins included); a wins if a is a Split Cycle winner and a wins Stable Voting "
    "without b; all a's that win at the first such margin are winners (algorithm "
    "'with_condorcet_check_and_early_termination').",
)
rule(
    "black",
    winners(blacks),
    LIN,
    "all",
    "combined_methods.blacks",
    "Condorcet winner if any, else the Borda winners. Linear orders only.",
)
rule(
    "kemeny_young",
    kemeny_answer,
    TIES,
    "small",
    "other_methods.kemeny_young (+ kemeny_young_rankings)",
    "Winners: first alternatives of all linear orders maximising the sum of margins they agree with "
    "(algorithm 'marginal'). 'rankings' (when num_rankings <= 24) / 'num_rankings' / 'kendall_tau_distance': "
    "all optimal linear orders and their total weighted Kendall tau distance, from kemeny_young_rankings "
    "(linear orders) or, for weak/truncated ballots with m <= 6, a loop over all orders with "
    "kendalltau_dist_for_rankings_with_ties (extended preferences, a tie against a strict preference costs "
    "1/2). Ties among optimal orders are all listed, never broken.",
)
rule(
    "slater",
    slater_answer,
    TIES,
    "small",
    "c1_methods.slater (+ slater_rankings)",
    "Linear orders minimising the number of majority edges they reverse (margin-0 pairs cost nothing); "
    "winners = their first alternatives; 'distance' is that number.",
)
rule(
    "top_cycle",
    winners(top_cycle),
    TIES,
    "all",
    "c1_methods.top_cycle",
    "Smith set: top strongly connected component of the weak majority graph (margin >= 0 edges, so a "
    "margin-0 pair counts both ways).",
)
rule(
    "smith_set",
    winners(top_cycle),
    TIES,
    "all",
    "c1_methods.smith_set (alias of top_cycle)",
    "Same function as top_cycle in pref_voting (alias).",
)
rule(
    "schwartz_set",
    winners(gocha),
    TIES,
    "all",
    "c1_methods.gocha (schwartz_set alias)",
    "GOCHA: union of the top cycles of the strict majority graph's transitive closure (margin-0 pairs are no edge).",
)
rule(
    "uncovered_set_gillies",
    winners(uc_gill),
    TIES,
    "all",
    "c1_methods.uc_gill",
    "y is covered if some x with margin(x,y) > 0 has dominators(x) subset-of dominators(y) (everyone beating "
    "x also beats y); winners = uncovered (Gillies).",
)
rule(
    "uncovered_set_fishburn",
    winners(uc_fish),
    TIES,
    "all",
    "c1_methods.uc_fish",
    "y is covered if some x != y has dominators(x) a proper subset of dominators(y) (x need not beat y).",
)
rule(
    "uncovered_set_bordes",
    winners(uc_bordes),
    TIES,
    "all",
    "c1_methods.uc_bordes",
    "As Gillies but with 'beats or ties' sets (each alternative's set includes those tied with it and itself): "
    "y is covered if some x beating y has that set subset-of y's.",
)
rule(
    "uncovered_set_mckelvey",
    winners(uc_mckelvey),
    TIES,
    "all",
    "c1_methods.uc_mckelvey",
    "y is covered if some x beating y covers it both in the Gillies sense and in the Bordes sense.",
)
rule(
    "banks",
    winners(banks),
    TIES,
    "small",
    "c1_methods.banks",
    "Tops of maximal transitive chains (sequences in which every earlier alternative strictly beats every "
    "later one) of the strict majority graph; exhaustive over all sequences.",
)
rule(
    "condorcet",
    winners(condorcet),
    TIES,
    "all",
    "c1_methods.condorcet",
    "The Condorcet winner (margin > 0 against all others) if there is one; otherwise ALL alternatives.",
)
rule(
    "weak_condorcet",
    winners(weak_condorcet),
    TIES,
    "all",
    "c1_methods.weak_condorcet",
    "All weak Condorcet winners (nobody beats them by a positive margin); if none, ALL alternatives.",
)
rule(
    "maximal_lottery",
    ml_answer(maximal_lottery),
    TIES,
    "all",
    "probabilistic_methods.maximal_lottery",
    "algorithm 'lp' (default): one optimal strategy of the margin game from scipy linprog(method='highs'), "
    "clipped at 0 and renormalised; when the maximal lottery is not unique this is an arbitrary vertex (no "
    "uniqueness flag); if the LP fails it silently returns the uniform lottery. Compare by checking "
    "maximality (p^T M >= 0) when ours reports non-uniqueness.",
)
rule(
    "c1_maximal_lottery",
    ml_answer(c1_maximal_lottery),
    TIES,
    "small",
    "probabilistic_methods.c1_maximal_lottery",
    "Maximal lottery of sign(margins) with algorithm 'enumeration' (default here): nashpy vertex enumeration, "
    "support enumeration if that fails, AVERAGE of all equilibria found, entries < 1e-10 zeroed, "
    "renormalised; uniform if nothing is found. 'note' records anything it printed or warned.",
)
rule(
    "essential_set",
    winners(essential),
    TIES,
    "all",
    "margin_based_methods.essential",
    "Support (p > 1e-7) of maximal_lottery with the default 'lp' algorithm, so when the maximal lottery is "
    "not unique this can be smaller than the essential set (union of all supports).",
)
rule(
    "bipartisan",
    winners(bipartisan),
    TIES,
    "small",
    "c1_methods.bipartisan",
    "Support (p > 1e-7) of c1_maximal_lottery (enumeration; average of the equilibria found).",
)
rule(
    "random_dictatorship",
    lambda q, p, names: {"lottery": lottery_of(random_dictator(q), names, p["m"])},
    TIES,
    "all",
    "probabilistic_methods.random_dictator",
    "Probability = plurality score / total; with ProfileWithTies it uses plurality_scores, which raises "
    "ValueError when a ballot has a tie at the top (recorded as not applicable).",
)
rule(
    "proportional_borda",
    lambda q, p, names: {"lottery": lottery_of(pr_borda(q), names, p["m"])},
    LIN,
    "all",
    "probabilistic_methods.pr_borda",
    "Probability = Borda score (m-1..0) / total Borda score. Linear orders only (on ProfileWithTies the "
    "symmetric Borda scores sum to 0).",
)
rule(
    "dodgson",
    winners(dodgson),
    LIN,
    "small",
    "other_methods.dodgson",
    "Dodgson score = fewest adjacent swaps (an integer program solved with OR-Tools SCIP) making the "
    "alternative beat every other by a strict majority of voters (>= strict_maj_size, not just margin > 0); "
    "winners = smallest score. Linear orders only.",
)
rule(
    "bradley_terry",
    bt_answer,
    LIN,
    "all",
    "other_methods.bradley_terry",
    "Bradley-Terry strengths by bt_mle (Zermelo/MM iteration, at most 100 steps, stop when the max change "
    "< 1e-6, normalised to mean 1; RuntimeError if not converged) on P[i][j] = support(i,j)/n; winners = "
    "strengths within 1e-5 of the max. 'scores' = those strengths. Linear orders only.",
)
rule(
    "borda_ranking",
    swf(borda_ranking),
    TIES,
    "all",
    "scoring_methods.borda_ranking",
    "Alternatives ordered by Borda score, equal scores tied (Profile: positional; ProfileWithTies: "
    "symmetric scores, same order).",
)
rule(
    "plurality_ranking",
    swf(plurality_ranking),
    TIES,
    "all",
    "scoring_methods.plurality_ranking",
    "Ordered by plurality score, equal scores tied; raises on ProfileWithTies with a top tie.",
)
rule(
    "anti_plurality_ranking",
    swf(anti_plurality_ranking),
    LIN,
    "all",
    "scoring_methods.anti_plurality_ranking",
    "Ordered by number of last places, FEWEST first; equal tied. Linear orders only.",
)
rule(
    "copeland_ranking",
    swf(copeland_ranking),
    TIES,
    "all",
    "c1_methods.copeland_ranking",
    "Ordered by Copeland score (1, 0, -1), equal scores tied.",
)
rule(
    "instant_runoff_ranking",
    swf(instant_runoff_ranking),
    LIN,
    "all",
    "iterative_methods.instant_runoff_ranking",
    "Reverse elimination order of instant runoff without a majority stop: each round the tied-lowest "
    "plurality group goes below everything eliminated later; the final all-tied group is one tie group on "
    "top. Linear orders only.",
)
rule(
    "bradley_terry_ranking",
    swf(bradley_terry_ranking),
    LIN,
    "all",
    "other_methods.bradley_terry_ranking",
    "Ordered by Bradley-Terry strength; strengths within 1e-5 of the current max form a tie group. Linear orders only.",
)

NOT_IN_PEER = {
    "plurality_with_runoff": "pref_voting 1.18.2 has only plurality_with_runoff_put (parallel-universe); see that id.",
    "young": "pref_voting 1.18.2 has no Young rule.",
    "elo": "pref_voting 1.18.2 has no Elo rating (neither for profiles nor PairwiseProfile).",
    "kemeny_ranking": "No Kemeny social welfare function; the optimal orders are under kemeny_young 'rankings'.",
    "bradley_terry_pairwise": "bradley_terry is defined on linear-order profiles only (no PairwiseProfile version).",
}

GENERAL = (
    "Profiles: 'text' lines are 'count: a > b = c' (one line per distinct ballot, every alternative listed: a "
    "truncated ballot's unranked alternatives form its bottom tie group). 'kind' = linear (all ballots strict), "
    "weak (ties anywhere; pref_voting got a ProfileWithTies with every alternative ranked) or truncated "
    "(ballots are strict on a top part and tie the rest at the bottom; pref_voting got those alternatives "
    "UNRANKED). Every ProfileWithTies had use_extended_strict_preference() applied, and the script checked "
    "that pref_voting's margins equal the margins of 'text' read with unranked = tied last. pref_voting "
    "rules declared for linear orders only (input_types=[PROFILE]) were not run on weak/truncated profiles "
    "('not_applicable' says so). Rules marked small ran only for m <= 7. Names are compared as strings; "
    "alternatives a, b, c... are pref_voting candidates 0, 1, 2..."
)


def as_ranked_bottom_group(p: dict):
    """A truncated profile given to pref_voting the other way: the unranked alternatives RANKED as a bottom tie."""
    m = p["m"]
    prof = ProfileWithTies(
        [{c: b[c] + 1 for c in range(m)} for b in p["ballots"]], rcounts=p["counts"], candidates=list(range(m))
    )
    prof.use_extended_strict_preference()
    return prof


def call(runner, prof, p, names):
    signal.alarm(CALL_TIMEOUT_S)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            return runner(prof, p, names)
    except Timeout as exc:
        return {"not_applicable": f"Timeout: {exc}"}
    except Exception as exc:  # noqa: BLE001 - the peer's exception is the recorded answer
        return {"not_applicable": f"{type(exc).__name__}: {str(exc)[:300]}"}
    finally:
        signal.alarm(0)


TRUNCATED_ONLY = {"instant_runoff_truncated", "bucklin"}  # these assert that no ballot has a tie


def run_profile(p: dict) -> dict:
    m = p["m"]
    names = names_for(m)
    prof = to_pref_voting(p)
    M = margins_from_levels(p)
    pvM = np.array([[prof.margin(a, b) for b in range(m)] for a in range(m)])
    if not np.array_equal(M, pvM):
        raise AssertionError(f"{p['id']}: pref_voting's margins differ from the text's:\n{M}\n{pvM}")
    answers = {}
    timings = {}
    for rid, (runner, kinds, size, _, _) in RULES.items():
        if p["kind"] not in kinds:
            answers[rid] = {
                "not_applicable": f"not run on {p['kind']} ballots: pref_voting defines this rule "
                f"for {'/'.join(kinds)} profiles"
            }
            continue
        if size == "small" and m > SMALL_M:
            answers[rid] = {"not_applicable": f"not run for m > {SMALL_M} (exhaustive or slow in pref_voting)"}
            continue
        t0 = time.perf_counter()
        answers[rid] = call(runner, prof, p, names)
        timings[rid] = time.perf_counter() - t0
    # Diagnostic, not written per profile: does giving the unranked alternatives to pref_voting as a ranked
    # bottom tie group (instead of leaving them unranked) change any answer?
    changed = {}
    if p["kind"] == TRUNCATED:
        alt = as_ranked_bottom_group(p)
        for rid, (runner, kinds, size, _, _) in RULES.items():
            if (
                rid in TRUNCATED_ONLY
                or "not_applicable" in answers[rid]
                and answers[rid]["not_applicable"].startswith("not run")
            ):
                continue
            other = call(runner, alt, p, names)
            strip = lambda a: {k: v for k, v in a.items() if k != "note"}
            changed[rid] = strip(other) != strip(answers[rid])
        # bucklin_for_truncated_linear_orders on pref_voting's own 1-based ranks (see the bucklin convention)
        one_based = call(winners(bucklin_for_truncated_linear_orders), prof, p, names)
        changed["bucklin (1-based ranks vs the 0-based copy recorded)"] = one_based != answers["bucklin"]
    return (
        {
            "id": p["id"],
            "family": p["family"],
            "kind": p["kind"],
            "alternatives": names,
            "num_voters": int(sum(p["counts"])),
            "text": profile_text(p, names),
            "answers": answers,
        },
        timings,
        changed,
    )


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=DEFAULT_OUT)
    ap.add_argument("--limit", type=int, default=None, help="only this many profiles (a seeded subset)")
    ap.add_argument("--seed", type=int, default=SEED)
    args = ap.parse_args(argv)

    random.seed(args.seed)
    np.random.seed(args.seed % 2**32)
    signal.signal(signal.SIGALRM, _alarm)
    warnings.simplefilter("ignore")
    start = time.perf_counter()
    profiles = generate_profiles(args.seed, args.limit)
    out_profiles, rule_time = [], {rid: 0.0 for rid in RULES}
    representation = {}  # rule id -> [truncated profiles compared, answers that changed]
    for i, p in enumerate(profiles):
        rec, t, changed = run_profile(p)
        out_profiles.append(rec)
        for rid, s in t.items():
            rule_time[rid] += s
        for rid, ch in changed.items():
            c = representation.setdefault(rid, [0, 0])
            c[0] += 1
            c[1] += int(ch)
        if (i + 1) % 100 == 0:
            print(f"{i + 1}/{len(profiles)} profiles, {time.perf_counter() - start:.0f} s", file=sys.stderr)
    elapsed = time.perf_counter() - start
    doc = {
        "peer": "pref_voting",
        "version": version("pref_voting"),
        "numpy": np.__version__,
        "scipy": version("scipy"),
        "nashpy": version("nashpy"),
        "ortools": version("ortools"),
        "python": platform.python_version(),
        "generated_by": "bench/make_peer_reference.py",
        "seed": args.seed,
        "general": GENERAL,
        "conventions": {rid: spec[4] for rid, spec in RULES.items()},
        "pref_voting_functions": {rid: spec[3] for rid, spec in RULES.items()},
        "not_in_peer": NOT_IN_PEER,
        "truncation_representation_check": {
            "what": "For each rule, [truncated profiles compared, answers that changed] when pref_voting is given "
            "the unranked alternatives as a RANKED bottom tie group instead of leaving them unranked "
            "(both with extended strict preference). 0 changes = pref_voting reads both the same way. "
            "The bucklin entry instead compares bucklin_for_truncated_linear_orders on pref_voting's "
            "1-based Rankings with the 0-based copy whose answers are recorded.",
            "counts": representation,
        },
        "profiles": out_profiles,
    }
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    raw = json.dumps(doc, separators=(",", ":"), sort_keys=False).encode()
    # no file name and a fixed mtime in the gzip header: the same content gives the same bytes
    with open(args.out, "wb") as fh, gzip.GzipFile(filename="", fileobj=fh, mode="wb", compresslevel=9, mtime=0) as gz:
        gz.write(raw)
    size = os.path.getsize(args.out)

    print(
        f"{len(out_profiles)} profiles in {elapsed:.0f} s; {args.out}: {size / 1e6:.2f} MB gzip "
        f"({len(raw) / 1e6:.1f} MB JSON)"
    )
    kinds = {}
    for rec in out_profiles:
        kinds[rec["kind"]] = kinds.get(rec["kind"], 0) + 1
    print("kinds:", ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))
    print(f"{'rule':32} {'answered':>8} {'n/a':>6} {'not run':>8} {'seconds':>8}  truncated: compared/changed")
    for rid in RULES:
        ans = [rec["answers"][rid] for rec in out_profiles]
        ok = sum(1 for a in ans if "not_applicable" not in a)
        skipped = sum(1 for a in ans if a.get("not_applicable", "").startswith("not run"))
        rep = representation.get(rid)
        print(
            f"{rid:32} {ok:>8} {len(ans) - ok - skipped:>6} {skipped:>8} {rule_time[rid]:>8.1f}  "
            + (f"{rep[0]}/{rep[1]}" if rep else "")
        )


if __name__ == "__main__":
    main()
