"""The bootstrap's intervals next to each rule's answer, for populations estimated from comparisons
(:func:`aggregation.bootstrap`): "winner in X% of resamples", a flag below 95%, the Condorcet winner's share
and each score's interval."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from aggregation import AggregationError
from aggregation.uncertainty import LEVEL, MAX_REPLICATES, REPLICATES

from . import compute, explain, numbers, widgets
from .text import md, md_list


def section(
    model,
    rule_ids: list[str],
    labels: dict[str, str] | None,
    beta: float,
    sampling: tuple | None,
    *,
    k: int = 1,
    key: str = "bootstrap",
    replicates: int = REPLICATES,
) -> None:
    """The bootstrap section of a page showing ``rule_ids`` (at ``k`` samples) on a comparison population.
    ``key`` keeps each page's widgets apart; ``replicates`` is the default number of resamples (pages whose
    rules solve a game per resample start lower). ``labels`` None: the registry's labels."""
    labels = labels or {r: explain.RULES[r].label for r in rule_ids}
    st.markdown(
        f"**Uncertainty.** P is estimated from {model.n_rows:,} comparisons (a tie counts half for each "
        "side), so every answer above is an estimate too. The bootstrap redraws the comparisons many times "
        "and recomputes each rule."
    )
    left, right, _ = st.columns([1, 1, 2])
    replicates = int(
        left.number_input(
            "Resamples", min_value=100, max_value=MAX_REPLICATES, value=replicates, step=100, key=f"{key}_replicates"
        )
    )
    seed = int(right.number_input("Seed", min_value=0, value=0, step=1, key=f"{key}_seed"))
    wanted = tuple(rule_ids)
    try:
        with st.spinner(f"Bootstrapping {len(wanted)} rules x {replicates:,} resamples…"):
            result = compute.bootstrap_view(model, wanted, float(beta), sampling, replicates, seed, int(k))
    except AggregationError as exc:
        widgets.error(exc)
        return
    pct = f"{LEVEL:.0%}"
    rows = []
    for r in result.rule_ids:
        support = result.winner_support(r)
        rows.append(
            {
                "rule": labels.get(r, r),
                "winner on the data": ", ".join(result.winners(r)),
                "winner in % of resamples": f"{100 * support:.1f}%",
                "decided": "yes" if support >= LEVEL else f"⚠ no (below {pct})",
            }
        )
    widgets.table(pd.DataFrame(rows).set_index("rule"), key=f"{key}_winners", width="stretch", height="content")
    undecided = [labels.get(r, r) for r in result.undecided]
    if undecided:
        st.warning(
            f"The data cannot decide the winner of {len(undecided)} rule(s) (below {pct} of resamples): "
            + md_list(undecided, ", ")
            + ".",
            icon=":material/warning:",
        )
    condorcet = result.condorcet_share[result.condorcet_share > 0].sort_values(ascending=False)
    shares = ", ".join(f"{md(a)} in {100 * s:.1f}%" for a, s in condorcet.head(5).items())
    st.markdown(
        "**Condorcet winner across resamples:** "
        + (shares + "; " if shares else "")
        + f"none in {100 * result.no_condorcet_share:.1f}%."
    )
    cells = pd.DataFrame(
        {
            labels.get(r, r): [
                f"{numbers.decimal(result.estimates.at[a, r])} "
                f"[{numbers.decimal(result.lower.at[a, r])}, "
                f"{numbers.decimal(result.upper.at[a, r])}]"
                for a in result.alternatives
            ]
            for r in result.rule_ids
        },
        index=result.alternatives,
    ).T
    st.markdown(f"**Each score with its {pct} interval** (percentiles of the resamples)")
    widgets.table(cells, key=f"{key}_intervals", width="stretch")
    st.caption(
        f"{md(result.method)}; {result.replicates:,} resamples, seed {result.seed}, "
        f"{numbers.decimal(result.seconds, 1)} s. A tie between winners in a resample shares its win. "
        + (
            "Rules left out: " + "; ".join(f"{md(labels.get(r, r))}: {md(why)}" for r, why in result.skipped.items())
            if result.skipped
            else ""
        )
    )
