"""Property (axiom) checks of every registry rule, on the user's own population: the public calls.

Each check returns an :class:`~.base.AxiomCheck`: ``status`` is ``"pass"``, ``"fail"``, ``"not
applicable"`` or ``"not checked"`` (it would take too long unasked, see ``time_budget``), and
``message`` says why in words a newcomer understands; on failure it is the concrete counterexample
found on *this* population ("Removing G changes Borda's winner from R to B"; "If the 2 voters with
B > A > C stay home, A wins instead of B, whom they rank lower"), with the numbers (and the changed
population) in ``counterexample``. ``exhaustive`` and ``scope`` say whether a pass is a proof on this
population or only "no counterexample found within the stated bounds".

The properties are those of :data:`~.registry.PROPERTIES` (their definitions, sources and what each
check explores are in their entries and in the family modules); how outcomes are read and how a
voter compares two outcomes is in :mod:`.base`.

Versions
--------
Rules that output scores, a ranking or a set are checked in the *winner* version; rules that output
a lottery or a policy in the *probabilistic* version, the one probabilistic social choice uses
(F. Brandt, *Rolling the dice: Recent results in probabilistic social choice*, 2017) and under
which the Jackpot paper (Maura-Rivero, Lanctot, Visin and Larson, arXiv 2501.19266, Figure 1 and
Table 2) contrasts RLHF with the maximal lottery. Pass ``version="winner"`` to read a lottery by
its mode instead.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from ..errors import AggregationError, report
from ..outcome import winners  # noqa: F401 - re-exported: how every check reads a winner
from ..populations.base import Population
from ..populations.matrix import as_population
from ..rules.registry import RuleParams, get_rule
from .base import DEFERRED, NOT_APPLICABLE, AxiomCheck, Context, Property
from .cost import planned_computations, properties_cost
from .base import FAIL, PASS, PROBABILISTIC, WINNER  # noqa: F401 - re-exported: the checks' verdict words
from .independence import split_clone  # noqa: F401 - re-exported (the clone the check adds)
from .registry import PROPERTIES, get_property

#: The properties by id (the property registry; the old name of the public API).
AXIOMS = PROPERTIES
Axiom = Property


def check(
    population: Population, rule, axiom: str, params: RuleParams | None = None, version: str | None = None
) -> AxiomCheck:
    """Check one property of one rule on ``population``."""
    return run(Context(as_population(population), get_rule(rule), params or RuleParams(), version), axiom)


def check_rule(
    population: Population,
    rule,
    params: RuleParams | None = None,
    axioms: Iterable[str] | None = None,
    version: str | None = None,
    *,
    time_budget: float | None = None,
    progress=None,
) -> list[AxiomCheck]:
    """Check every property (or those listed) of one rule on ``population``; the rule is computed once.
    With ``time_budget`` (seconds), a check predicted to take longer (its planned re-computations times
    how long one computation took here) is not run: it comes back ``"not checked"`` saying so.

    ``progress``: an optional ``progress(fraction) -> bool``, called before each property and before
    every re-computation of the rule (with the fraction of properties done); when it returns False the
    checks stop with :class:`aggregation.errors.Cancelled` (a background runner's cancel button)."""
    ctx = Context(as_population(population), get_rule(rule), params or RuleParams(), version)
    ids = list(axioms) if axioms is not None else list(PROPERTIES)
    out = []
    for i, a in enumerate(ids):
        ctx.progress = None if progress is None else (lambda _f, done=i / len(ids): progress(done))
        report(progress, i / len(ids))
        out.append(run(ctx, a, time_budget))
    report(progress, 1.0)
    return out


def run(
    ctx: Context, axiom: str, time_budget: float | None = None, max_cells: int | None = None, cells: int | None = None
) -> AxiomCheck:
    """One property on a context: refusals first (the rule, the version, the population's kind), then
    the budgets (``max_cells``: a check predicted to read more cells, :func:`.cost.properties_cost` or ``cells``
    when the caller has it already, is not run and the rule is not even computed; ``time_budget``: see
    :func:`check_rule`), then the check."""
    prop = get_property(axiom)
    if ctx.rule_refusal:
        return ctx.result(prop.id, NOT_APPLICABLE, f"{ctx.name} does not apply here: {ctx.rule_refusal}")
    if ctx.version_refusal:
        return ctx.result(prop.id, NOT_APPLICABLE, ctx.version_refusal)
    if ctx.population.kind not in prop.needs:
        return ctx.result(prop.id, NOT_APPLICABLE, prop.refusal)
    if max_cells is not None:
        if cells is None:
            cells = properties_cost(ctx.population, ctx.rule, ctx.params.k, [prop.id])
        if cells > max_cells:
            times = planned_computations(ctx.population, [prop.id])
            how_often = (
                "once, on this population" if times == 1 else f"up to {times:,} times, on variations of this population"
            )
            return ctx.result(
                prop.id,
                DEFERRED,
                f"Checking this would compute {ctx.name} {how_often} (about {cells:,} cells read); it runs when you ask.",
                exhaustive=False,
            )
    try:
        if time_budget is not None:
            deferred = _over_budget(ctx, prop, time_budget)
            if deferred is not None:
                return deferred
        ctx.start_check()
        return prop.check(ctx)
    except AggregationError as exc:  # the rule refuses this population or a variation (a sampling D, a size limit)
        where = "this population" if ctx.computed is None else "a variation of this population"
        return ctx.result(
            prop.id,
            NOT_APPLICABLE,
            f"{ctx.name} could not be computed on {where}: {exc}",
            exhaustive=False,
        )


def _over_budget(ctx: Context, prop: Property, budget: float) -> AxiomCheck | None:
    """The check deferred when its predicted time exceeds ``budget``, else None. The prediction: the planned
    re-computations times one computation's time, measured on the property's probe when it has one (a
    variation built as the check builds them, so the time includes what each variation costs to prepare, e.g.
    its preference matrix, plus once what building the probe cost: blocks' counts the check then reuses),
    else on the population (a second run when the first, which may have paid for imports, predicts too much;
    its preference matrix is cached by then, which the variations of closed form share)."""
    planned = prop.plan(ctx.population)
    if not planned:
        return None
    predicted = predicted_seconds(ctx, prop, planned, budget)
    if predicted <= budget:
        return None
    return ctx.result(
        prop.id,
        DEFERRED,
        f"Checking this would re-compute {ctx.name} up to {planned:,} times on variations of this "
        f"population (about {predicted:,.0f} s here); it runs when you ask.",
        exhaustive=False,
    )


def predicted_seconds(ctx: Context, prop: Property, planned: int, budget: float = 0.0) -> float:
    """The time checking ``prop`` is predicted to take (see :func:`_over_budget`); ``budget``: below it, the
    population's own first computation is trusted without a second timing."""
    ctx.out  # computed (and timed) once
    if prop.probe is not None:
        start = time.perf_counter()
        variation = prop.probe(ctx)
        setup = time.perf_counter() - start
        return setup + planned * (ctx.seconds if variation is None else _timed(ctx, variation))
    seconds = ctx.seconds
    if planned * seconds > budget:  # the first call may have paid for imports: time a second one
        seconds = min(seconds, _timed(ctx))
        ctx.seconds = seconds
    return planned * seconds


def _timed(ctx: Context, population=None) -> float:
    start = time.perf_counter()
    ctx.rule.compute(ctx.population if population is None else population, ctx.params)
    return time.perf_counter() - start
