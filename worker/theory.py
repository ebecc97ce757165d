"""What the core predicts for a job's population, stored with the job's result so the trained
policy can be read next to the theory (all computed by :mod:`aggregation`, nothing re-derived).

* ``borda``: Borda scores; ``nbc``: normalized Borda count under the job's sampling distribution;
* ``rlhf_policy``: the infinite-data limit of RLHF and DPO, ``pi_ref exp(r_BT / beta)`` with
  the job's reference policy (the untrained model restricted to the alternatives) and beta;
* ``maximal_lottery`` (with ``maximal_lottery_unique``): the limit of Nash self-play as
  beta goes to 0;
* ``average_reward_policy`` (user types only).

An entry the core refuses for this population (e.g. a sampling distribution with zeros for
the Bradley-Terry reward) is null, with the reason under ``notes``.
"""
from __future__ import annotations

import numpy as np

from aggregation import AggregationError, average_reward_policy, borda, maximal_lottery, nbc, rlhf_policy


def _plain(series) -> dict:
    return {str(k): float(v) for k, v in series.items()}


def theory_for(population, spec: dict, reference: np.ndarray) -> dict:
    alts = population.alternatives
    ref = dict(zip(alts, np.asarray(reference, float)))
    beta = spec["beta"]
    out: dict = {"notes": {}}
    lottery = {}

    def ml():
        lottery["result"] = maximal_lottery(population)
        return _plain(lottery["result"].values)
    jobs = {
        "borda": lambda: _plain(borda(population)),
        "nbc": lambda: _plain(nbc(population, spec["sampling"])),
        "rlhf_policy": lambda: _plain(rlhf_policy(population, beta, spec["sampling"], ref).values),
        "maximal_lottery": ml,
    }
    if population.has_rewards:
        jobs["average_reward_policy"] = lambda: _plain(average_reward_policy(population, beta, ref))
    for key, compute in jobs.items():
        try:
            out[key] = compute()
        except AggregationError as exc:
            out[key] = None
            out["notes"][key] = str(exc)
    if "result" in lottery:
        out["maximal_lottery_unique"] = bool(lottery["result"].certificate.unique)
    return out
