"""Side by side with pref_voting on identical profiles (prints; never asserts).

    bench/run_peers            # builds .venv-bench with pref_voting, then runs this

For m = 5 ... 200 alternatives and n = 1000 voters drawn from impartial culture (the same
rankings for both libraries), it times, as a median of repeated runs after a warm-up (numba JIT):
(a) the margin matrix from raw rankings (profile construction included), (b) Borda scores on
the built profile, (c) the maximal lottery on the built profile, and (d) all three end to end.
It checks that both give the same margins and Borda scores exactly, and maximal lotteries that
agree (L1 <= 1e-6 when the lottery is unique; otherwise both must be maximal: certificate >= -1e-9).
"""

from __future__ import annotations

import statistics
import sys
import time

import numpy as np

from aggregation import Profile, borda, maximal_lottery

try:
    from pref_voting.probabilistic_methods import maximal_lottery as pv_maximal_lottery
    from pref_voting.profiles import Profile as PVProfile
except ImportError:  # pragma: no cover
    sys.exit("pref_voting is not installed here: run bench/run_peers (it builds .venv-bench)")

SIZES = (5, 10, 20, 50, 100, 200)
N = 1000


def median_time(fn, budget=20.0, max_repeat=5):
    times, out = [], None
    start = time.perf_counter()
    while len(times) < max_repeat and (not times or time.perf_counter() - start < budget):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def main() -> None:
    warm = np.argsort(np.random.default_rng(0).random((20, 4)), axis=1)
    pv_warm = PVProfile(warm.tolist())
    pv_warm.borda_scores()
    pv_maximal_lottery(pv_warm)

    print(f"n = {N} voters, impartial culture; times are medians; ratio = pref_voting / ours\n")
    header = (
        f"{'m':>4} | {'margins ours':>12} {'pv':>9} {'ratio':>6} | {'Borda ours':>10} {'pv':>9} {'ratio':>6} | "
        f"{'ML ours':>9} {'pv':>9} {'ratio':>6} | {'end-to-end ours':>15} {'pv':>9} {'ratio':>6} | agree"
    )
    print(header)
    print("-" * len(header))
    for m in SIZES:
        rng = np.random.default_rng(12345 + m)
        orders = np.argsort(rng.random((N, m)), axis=1)
        names = [str(i) for i in range(m)]
        lists = orders.tolist()

        t_m_ours, ours = median_time(lambda: (lambda p: (p, p.margins()))(Profile.from_orders(orders, names)))
        prof, M_ours = ours
        t_m_pv, pv = median_time(lambda: (lambda q: (q, q.margin_matrix))(PVProfile(lists)))
        pvprof, M_pv = pv
        t_b_ours, b_ours = median_time(lambda: borda(prof))
        t_b_pv, b_pv = median_time(lambda: pvprof.borda_scores())
        P = prof.preference_matrix()
        t_l_ours, ml_ours = median_time(lambda: maximal_lottery(P))
        t_l_pv, ml_pv = median_time(lambda: pv_maximal_lottery(pvprof))

        def ours_all():
            p = Profile.from_orders(orders, names)
            return p.margins(), borda(p), maximal_lottery(p)

        def pv_all():
            q = PVProfile(lists)
            return q.margin_matrix, q.borda_scores(), pv_maximal_lottery(q)

        t_e_ours, _ = median_time(ours_all)
        t_e_pv, _ = median_time(pv_all)

        same_margins = np.array_equal(np.rint(M_ours.to_numpy() * N).astype(int), np.asarray(M_pv))
        same_borda = all(abs(b_ours[str(c)] - b_pv[c]) < 1e-9 for c in range(m))
        x_pv = np.array([ml_pv.get(c, 0.0) for c in range(m)])
        Mn = M_ours.to_numpy()
        if ml_ours.certificate.unique:
            same_ml = np.abs(ml_ours.values.to_numpy() - x_pv).sum() <= 1e-6
        else:
            same_ml = (x_pv @ Mn).min() >= -1e-9 and ml_ours.certificate.value >= -1e-9
        agree = (
            "yes"
            if (same_margins and same_borda and same_ml)
            else f"NO (margins {same_margins}, Borda {same_borda}, ML {same_ml})"
        )
        print(
            f"{m:>4} | {t_m_ours * 1e3:>10.2f}ms {t_m_pv * 1e3:>7.1f}ms {t_m_pv / t_m_ours:>5.0f}x | "
            f"{t_b_ours * 1e3:>8.2f}ms {t_b_pv * 1e3:>7.1f}ms {t_b_pv / t_b_ours:>5.1f}x | "
            f"{t_l_ours * 1e3:>7.2f}ms {t_l_pv * 1e3:>7.1f}ms {t_l_pv / t_l_ours:>5.1f}x | "
            f"{t_e_ours * 1e3:>13.1f}ms {t_e_pv * 1e3:>7.0f}ms {t_e_pv / t_e_ours:>5.1f}x | {agree}"
        )


if __name__ == "__main__":
    main()
