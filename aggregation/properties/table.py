"""Every rule x property on one population at once, in parallel processes, each verdict as it lands (issue 12).

The checks of the whole table are independent: one task per (rule, property), run by a pool of worker
processes that each hold the population once (sent when the worker starts) and one
:class:`~.base.Context` per rule (the rule computed once per worker, the checks' shared variations
remembered), so a worker pays for a population's tallies (its preference matrix, its prepared rankings, a
game's solution the variations start from) once, not once per check. The tasks go cheapest first by
:func:`.cost.check_costs` (most of the table lands within seconds; the few long checks come last, one
per free core), and each finished check comes back at once, without the changed populations in its
counterexample (:meth:`~.base.AxiomCheck.light`), through ``on_check``.

With ``processes=1``, a single check, or by default a table predicted small (:data:`IN_PROCESS_CELLS`), the
table runs in this process, in the same order. Starting the
workers costs under a second the first time (the fork server imports the package once) and about 0.05 s
after. Cancelling (``progress`` returning False) stops the workers at once (a check under way
included: the pool is terminated), so the CPU is free, and raises :class:`~aggregation.errors.Cancelled`. One
pool runs at a time in a process: a second table asked for meanwhile (another session of the dashboard) waits
for the first one's workers to end, so their memory is that of one table.

Workers are started by a fork server (``spawn`` where there is none), never forked from the process that
asks: the dashboard is a threaded server, and a forked child of a threaded process can inherit a lock some
other thread held. A worker that dies (killed for memory) ends the table with an error instead of a hang
(``concurrent.futures`` notices). Each worker runs one BLAS thread (the table already uses every core it was
given).
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Collection, Iterable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

import pandas as pd

from ..errors import AggregationError, report
from ..populations.base import Population
from ..populations.matrix import as_population
from ..rules.registry import RULES, RuleParams, get_rule
from .axioms import run
from .base import AxiomCheck, Context
from .cost import check_costs
from .registry import PROPERTIES

#: Worker processes at most by default (each holds the population and what its checks remember of it: up to
#: about 1.3 GB at 100,000 rankings x 50); the environment variable :data:`PROCESSES_ENV` sets the number.
MAX_PROCESSES = 8
PROCESSES_ENV = "AGGREGATION_PROCESSES"
#: A table predicted to read at most this many cells in all runs in this process unless told otherwise (starting
#: workers, whose first calls import what the rules use, would cost more than the checks).
IN_PROCESS_CELLS = 20_000_000
#: Seconds between two looks at ``progress`` while a worker is busy (how soon a cancel is seen).
POLL_S = 0.25
#: One pool of workers at a time in a process (a dashboard's sessions asking at once take turns), so that the
#: workers' memory stays that of one table.
_POOL = threading.Lock()


def default_processes() -> int:
    """:data:`PROCESSES_ENV` when set (a whole number >= 1), else the cores this process may use (its CPU affinity
    where the system says), at most :data:`MAX_PROCESSES`."""
    chosen = os.environ.get(PROCESSES_ENV, "").strip()
    if chosen:
        if not chosen.isdigit() or int(chosen) < 1:
            raise AggregationError(f"{PROCESSES_ENV} must be a whole number of processes, at least 1; got {chosen!r}")
        return int(chosen)
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on every system
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_PROCESSES))


def tasks(population: Population, rules: Iterable, properties: Iterable[str], k: int) -> list[tuple[str, str, int]]:
    """The (rule id, property id, predicted cells) of the table, cheapest first (ties in table order)."""
    costs = check_costs(population, rules, list(properties), k)
    return sorted(((rule, prop, cells) for (rule, prop), cells in costs.items()), key=lambda t: t[2])


def check_table(
    population: Population,
    rules: Iterable | None = None,
    params: RuleParams | None = None,
    properties: Iterable[str] | None = None,
    *,
    version: str | None = None,
    time_budget: float | None = None,
    max_cells: int | None = None,
    skip: Collection[tuple[str, str]] = (),
    processes: int | None = None,
    progress: Callable[[float], bool] | None = None,
    on_check: Callable[[AxiomCheck], None] | None = None,
) -> dict[str, list[AxiomCheck]]:
    """Every property (or those listed) of every rule (or those listed) on ``population``: rule id -> its checks
    in property order, each :meth:`~.base.AxiomCheck.light`, the same verdicts, words and bounds as
    :func:`.axioms.check_rule` gives rule by rule. ``time_budget`` as there (per check); ``max_cells``: a check
    predicted to read more cells (:func:`.cost.properties_cost`) comes back "not checked" without computing
    anything (:func:`.axioms.run`); ``skip``: (rule id, property id) pairs known already, not checked (and absent
    from the result); ``processes``: worker
    processes (None: :func:`default_processes`, or this process for a table predicted to read at most
    :data:`IN_PROCESS_CELLS`; 1: this process); ``on_check(check)``
    is called as each check finishes; ``progress(fraction) -> bool`` with the share of checks done (False stops
    every worker and raises :class:`~aggregation.errors.Cancelled`)."""
    population = as_population(population)
    params = params or RuleParams()
    rule_ids = [get_rule(r).id for r in (RULES if rules is None else rules)]
    prop_ids = list(PROPERTIES) if properties is None else [PROPERTIES[p].id for p in properties]
    skip = set(skip)
    todo = [t for t in tasks(population, rule_ids, prop_ids, params.k) if (t[0], t[1]) not in skip]
    if processes is None:
        processes = 1 if sum(t[2] for t in todo) <= IN_PROCESS_CELLS else default_processes()
    processes = max(1, int(processes))
    found: dict[tuple[str, str], AxiomCheck] = {}

    def land(check: AxiomCheck) -> None:
        found[(check.rule, check.axiom)] = check
        if on_check is not None:
            on_check(check)
        report(progress, len(found) / len(todo))

    report(progress, 0.0 if todo else 1.0)
    if processes == 1 or len(todo) <= 1:

        def ask():
            report(progress, len(found) / len(todo))

        checker = _Checker(population, params, version, (time_budget, max_cells), ask)
        for task in todo:
            land(checker(task))
    else:
        _in_workers(
            todo, min(processes, len(todo)), (population, params, version, (time_budget, max_cells)), land, progress
        )
    return {rule: [found[(rule, prop)] for prop in prop_ids if (rule, prop) in found] for rule in rule_ids}


def check_all(
    population: Population,
    params: RuleParams | None = None,
    rules: Iterable | None = None,
    axioms: Iterable[str] | None = None,
    *,
    time_budget: float | None = None,
    processes: int | None = None,
) -> pd.DataFrame:
    """Every rule x property on ``population`` (:func:`check_table`) as a table: columns rule, axiom, version,
    status, message, exhaustive, tried, scope, in rule then property order."""
    table = check_table(population, rules, params, axioms, time_budget=time_budget, processes=processes)
    rows = [
        {
            "rule": c.rule,
            "axiom": c.axiom,
            "version": c.version,
            "status": c.status,
            "message": c.message,
            "exhaustive": c.exhaustive,
            "tried": c.tried,
            "scope": c.scope,
        }
        for checks in table.values()
        for c in checks
    ]
    return pd.DataFrame(rows, columns=["rule", "axiom", "version", "status", "message", "exhaustive", "tried", "scope"])


def _in_workers(todo: list, processes: int, initargs: tuple, land: Callable, progress) -> None:
    """The checks ``todo`` (rule, property, predicted cells) in that order over ``processes`` workers, each landing
    as it finishes; the workers are stopped (a check under way included) when this returns or raises: done, a check
    failed, or cancelled."""
    while not _POOL.acquire(timeout=POLL_S):  # another table's workers run: wait for them (a cancel is seen)
        report(progress, 0.0)
    try:
        _pool_checks(todo, processes, initargs, land, progress)
    finally:
        _POOL.release()


def _pool_checks(todo: list, processes: int, initargs: tuple, land: Callable, progress) -> None:
    pool = ProcessPoolExecutor(processes, mp_context=_context(), initializer=_start, initargs=initargs)
    try:
        pending = {pool.submit(_check, task) for task in todo}
        while pending:
            done, pending = wait(pending, timeout=POLL_S, return_when=FIRST_COMPLETED)
            for future in done:
                land(future.result())
            if not done:  # a check under way: a cancel is seen meanwhile
                report(progress, 1.0 - len(pending) / len(todo))
    except BrokenProcessPool as exc:
        raise AggregationError(
            "a worker process of the property table ended abruptly (killed for memory? fewer workers: set "
            f"{PROCESSES_ENV})"
        ) from exc
    finally:
        workers = list((getattr(pool, "_processes", None) or {}).values())  # the executor has no public kill
        pool.shutdown(wait=False, cancel_futures=True)
        for worker in workers:
            if worker.is_alive():
                worker.terminate()


def _context():
    """``forkserver`` where the system has it (workers forked from a small server that imported this module, never
    from the threaded process that asks, and without importing its ``__main__``), else ``spawn``."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([__name__])
        return context
    return multiprocessing.get_context("spawn")


class _Checker:
    """One check at a time on one population, one :class:`~.base.Context` per rule (the rule computed once, the
    checks' shared variations remembered); ``budgets``: (time budget, max cells) for :func:`.axioms.run`; ``ask()``
    before each re-computation (it raises to cancel)."""

    def __init__(self, population, params, version, budgets, ask=None):
        self.population, self.params, self.version, self.budgets = population, params, version, budgets
        self.ask = ask
        self.contexts: dict[str, Context] = {}

    def __call__(self, task: tuple[str, str, int]) -> AxiomCheck:
        rule_id, prop, cells = task
        ctx = self.contexts.get(rule_id)
        if ctx is None:
            ctx = Context(self.population, get_rule(rule_id), self.params, self.version)
            self.contexts[rule_id] = ctx
        ctx.progress = None if self.ask is None else (lambda _fraction: self.ask() or True)
        return run(ctx, prop, *self.budgets, cells=cells).light()


#: A worker process's checker (set by :func:`_start` when the pool starts it).
_WORKER: list[_Checker] = []


def _start(population, params, version, budgets) -> None:
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
    _WORKER[:] = [_Checker(population, params, version, budgets)]


def _check(task: tuple[str, str, int]) -> AxiomCheck:
    return _WORKER[0](task)
