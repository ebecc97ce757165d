"""Benchmarks for aggregation.testtime (prints timings and ratios; asserts nothing).

Run from the repository root:  .venv/bin/python -m bench.bench_testtime  [--quick]

1. kwin_rate on 100,000 strict rankings over 50 alternatives, k = 8 (target: milliseconds),
   against two naive references: the O(n m^2) pairwise formulation (compare every pair of
   alternatives for every voter) and a per-voter Python loop (timed on 2,000 voters and
   scaled up linearly).
2. mpne and robust_policy on 1,000 rankings over 20 alternatives, k = 8 (target: well under a
   second), against naive references: entropic mirror-prox (extragradient) self-play for the
   equilibrium, run until its exploitability reaches 1e-6 or 20 s pass, and cvxpy (Clarabel)
   on the conic form of the robust program.
3. User types (the Plackett-Luce set comparison): kwin_rate by exact multiset enumeration against
   the numerical integration, and mpne / robust_policy solved on the integral.

Timings are medians of repeated runs on whatever machine runs this; the development machine
has 2 shared cores, so read them as orders of magnitude.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from aggregation import Profile, kwin_rate, mpne, robust_policy
from aggregation.testtime.ranking_game import RankingGame
from bench.timing import timed


def fmt(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} us"
    if seconds < 1:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds:.2f} s"


def random_profile(n: int, m: int, seed: int) -> Profile:
    rng = np.random.default_rng(seed)
    orders = np.argsort(rng.random((n, m)), axis=1)
    return Profile.from_orders(orders, [f"y{j}" for j in range(m)])


# ---------------------------------------------------------------------------- naive references
def kwin_pairwise(levels: np.ndarray, w: np.ndarray, pi: np.ndarray, k: int) -> np.ndarray:
    """O(n m^2): for each opponent y, compare every alternative with y for every voter."""
    m = levels.shape[1]
    out = np.empty(m)
    for y in range(m):
        below = (levels > levels[:, y : y + 1]) @ pi
        out[y] = 1.0 - w @ below**k
    return out


def kwin_loop(levels: np.ndarray, w: np.ndarray, pi: np.ndarray, k: int) -> np.ndarray:
    """Per-voter Python loop over alternatives."""
    n, m = levels.shape
    loss = np.zeros(m)
    for i in range(n):
        order = np.argsort(levels[i])[::-1]  # worst first
        mass = 0.0
        for a in order:
            loss[a] += w[i] * mass**k
            mass += pi[a]
    return 1.0 - loss


def mirror_prox(game: RankingGame, limit_s: float, target: float) -> tuple[float, float, int]:
    """Entropic extragradient on the monotone game F = -U: (seconds to reach target or limit, gap, iterations)."""
    m = game.m
    x = np.full(m, 1.0 / m)
    eta = 1.0
    t0 = time.perf_counter()
    it = 0
    gap = np.inf
    while time.perf_counter() - t0 < limit_s:
        it += 1
        half = x * np.exp(eta * game.utility(x))
        half /= half.sum()
        x = x * np.exp(eta * game.utility(half))
        x /= x.sum()
        if it % 20 == 0:
            U = game.utility(x)
            gap = float(U.max() - x @ U)
            if gap <= target:
                break
    return time.perf_counter() - t0, gap, it


def robust_by_cvxpy(profile: Profile, k: int) -> float:
    import cvxpy as cp

    levels = profile.levels
    w = profile.weights / profile.total_weight
    m = levels.shape[1]
    pi = cp.Variable(m, nonneg=True)
    t = cp.Variable()
    cons = [cp.sum(pi) == 1]
    for y in range(m):
        cons.append(w @ cp.power((levels > levels[:, y : y + 1]).astype(float) @ pi, k) <= t)
    cp.Problem(cp.Minimize(t), cons).solve(solver=cp.CLARABEL)
    return float(t.value)


# ---------------------------------------------------------------------------- benches
def bench_kwin(quick: bool) -> None:
    n, m, k = (20_000 if quick else 100_000), 50, 8
    profile = random_profile(n, m, seed=1)
    pi = np.random.default_rng(2).dirichlet(np.ones(m))
    print(f"\n[kwin_rate] {n:,} strict rankings x {m} alternatives, k = {k}")
    t_first, _ = timed(lambda: kwin_rate(profile, pi, k), repeat=1)  # prepares the profile's orders once
    t_fast, rates = timed(lambda: kwin_rate(profile, pi, k), repeat=7)
    fresh = [random_profile(n, m, seed=10 + j) for j in range(3)]
    t_cold = statistics.median([timed(lambda p=p: kwin_rate(p, pi, k), repeat=1)[0] for p in fresh])
    levels = profile.levels.astype(np.intp)
    w = profile.weights / profile.total_weight
    t_pair, ref = timed(lambda: kwin_pairwise(levels, w, pi, k), repeat=3)
    sub = 2_000
    t_loop_sub, ref_loop = timed(lambda: kwin_loop(levels[:sub], np.full(sub, 1 / sub), pi, k), repeat=1)
    t_loop = t_loop_sub * n / sub
    print(
        f"  closed form (aggregation.kwin_rate):  {fmt(t_fast)} per call on a profile seen before; "
        f"{fmt(t_cold)} on a new profile (first call prepares its orders; this run's first: {fmt(t_first)})"
    )
    print(f"  O(n m^2) pairwise reference:          {fmt(t_pair)}   ratio {t_pair / t_fast:.1f}x")
    print(f"  per-voter Python loop (scaled):       {fmt(t_loop)}   ratio {t_loop / t_fast:.0f}x")
    sub_rates = kwin_rate(Profile.from_levels(levels[:sub], profile.alternatives), pi, k).rates.to_numpy()
    print(
        f"  max |difference| vs pairwise: {np.abs(rates.rates.to_numpy() - ref).max():.1e}; "
        f"vs loop (first {sub:,} voters): {np.abs(sub_rates - ref_loop).max():.1e}"
    )


def bench_games(quick: bool) -> None:
    n, m, k = 1_000, 20, 8
    profile = random_profile(n, m, seed=3)
    print(f"\n[mpne / robust_policy] {n:,} strict rankings x {m} alternatives, k = {k}")
    mpne(profile, k)  # warm-up
    t_eq, eq = timed(lambda: mpne(profile, k), repeat=5)
    t_rb, rb = timed(lambda: robust_policy(profile, k), repeat=3)
    print(
        f"  mpne:           {fmt(t_eq)}  gap {eq.certificate.gap:.1e}, guarantee {eq.certificate.guarantee:.6f} "
        f"(bound k/(k+1) = {k / (k + 1):.6f}), support {(eq.values > 0).sum()}"
    )
    print(
        f"  robust_policy:  {fmt(t_rb)}  optimality gap {rb.certificate.optimality_gap:.1e}, "
        f"guarantee {rb.certificate.guarantee:.6f}"
    )
    prof = profile.compressed()
    game = RankingGame(prof.levels, prof.weights, k)
    limit = 5.0 if quick else 20.0
    t_mp, gap_mp, it_mp = mirror_prox(game, limit, 1e-6)
    reached = "reached 1e-6" if gap_mp <= 1e-6 else f"stopped at the {limit:.0f} s limit with gap {gap_mp:.1e}"
    print(
        f"  mirror-prox reference for the equilibrium: {fmt(t_mp)} ({it_mp} iterations, {reached}); "
        f"ratio {t_mp / t_eq:.0f}x (and it certifies only 1e-6 vs 1e-9)"
    )
    if quick:
        print("  cvxpy reference skipped (--quick)")
        return
    t_cv, value = timed(lambda: robust_by_cvxpy(profile, k), repeat=1)
    print(
        f"  cvxpy (Clarabel) conic form of the robust program: {fmt(t_cv)}, ratio {t_cv / t_rb:.0f}x; "
        f"|guarantee difference| {abs((1 - value) - rb.certificate.guarantee):.1e}"
    )


def bench_user_types(quick: bool) -> None:
    """User types under the Plackett-Luce set comparison: exact multiset enumeration against the
    numerical integration (same numbers to ~1e-15), and the games solved on the integral."""
    import pandas as pd

    from aggregation import RewardPopulation
    from aggregation.testtime import rates as testtime

    types, m, k = 5, (12 if quick else 20), 4
    rng = np.random.default_rng(3)
    pop = RewardPopulation(
        pd.DataFrame(
            rng.normal(scale=2.0, size=(types, m)),
            index=[f"t{i}" for i in range(types)],
            columns=[f"y{j}" for j in range(m)],
        )
    )
    pi = rng.dirichlet(np.ones(m))
    print(f"\n[user types] {types} Plackett-Luce types x {m} alternatives, k = {k}")
    t_exact, exact = timed(lambda: kwin_rate(pop, pi, k), repeat=3)
    budget = testtime.ENUMERATION_BUDGET
    testtime.ENUMERATION_BUDGET = 0
    try:
        t_int, integrated = timed(lambda: kwin_rate(pop, pi, k), repeat=3)
    finally:
        testtime.ENUMERATION_BUDGET = budget
    print(f"  exact enumeration of every multiset:  {fmt(t_exact)}")
    print(
        f"  numerical integration:                {fmt(t_int)}   ratio {t_exact / t_int:.1f}x; "
        f"max |difference| {np.abs(exact.rates.to_numpy() - integrated.rates.to_numpy()).max():.1e} "
        f"({integrated.method})"
    )
    for kk in (k, 16):
        t_eq, eq = timed(lambda: mpne(pop, kk), repeat=3)
        t_rb, rb = timed(lambda: robust_policy(pop, kk), repeat=3)
        print(
            f"  k = {kk}: mpne {fmt(t_eq)} (gap {eq.certificate.gap:.1e}, guarantee {eq.certificate.guarantee:.6f}); "
            f"robust_policy {fmt(t_rb)} (optimality gap {rb.certificate.optimality_gap:.1e})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes and no cvxpy reference")
    args = parser.parse_args()
    print(f"numpy {np.__version__}; {'quick run' if args.quick else 'full run'}")
    bench_kwin(args.quick)
    bench_games(args.quick)
    bench_user_types(args.quick)


if __name__ == "__main__":
    main()
