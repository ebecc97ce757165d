"""The whole rule x property table in worker processes (``aggregation.check_table``, issue 12): the same verdicts,
words and bounds as ``check_rule`` rule by rule, each check landing once as it finishes, the changed populations
left out of what comes back, and a cancel that stops every worker."""

from __future__ import annotations

import multiprocessing
import time

import pytest

from aggregation import PROPERTIES, Profile, RuleParams, check_all, check_rule, check_table
from aggregation.errors import Cancelled
from aggregation.populations.generators import impartial_culture
from aggregation.properties.base import AxiomCheck
from aggregation.properties.cost import properties_cost
from aggregation.properties.table import tasks

#: Rules of every kind the table runs: positional, elimination (recalled tallies), majority graph, lottery, the
#: two games (their variations start warm from the population's solution, a worker's own).
RULES = ["borda", "plurality", "instant_runoff", "copeland", "ranked_pairs", "maximal_lottery", "mpne", "robust"]
#: 7 voters over 4 alternatives, with a tie: plurality's manipulation check fails there with a changed population.
POPULATION = Profile.parse("3: A > B > C > D\n2: B > C > A > D\n2: C > B ~ D > A")


def fields(check: AxiomCheck) -> tuple:
    return (
        check.rule,
        check.axiom,
        check.version,
        check.status,
        check.message,
        check.tried,
        check.exhaustive,
        check.scope,
    )


@pytest.fixture(scope="module")
def reference() -> dict:
    params = RuleParams(k=2)
    return {rule: check_rule(POPULATION, rule, params) for rule in RULES}


@pytest.mark.parametrize("processes", [1, 2])
def test_the_table_gives_check_rules_verdicts_each_landing_once(reference, processes):
    landed, shares = [], []
    table = check_table(
        POPULATION,
        RULES,
        RuleParams(k=2),
        processes=processes,
        on_check=landed.append,
        progress=lambda f: shares.append(f) or True,
    )
    assert list(table) == RULES
    for rule in RULES:
        assert [fields(c) for c in table[rule]] == [fields(c) for c in reference[rule]]
    assert sorted((c.rule, c.axiom) for c in landed) == sorted((r, p) for r in RULES for p in PROPERTIES)
    assert shares[-1] == 1.0 and shares == sorted(shares)


def test_what_comes_back_leaves_the_changed_population_out(reference):
    lied = reference["plurality"][list(PROPERTIES).index("manipulation")]
    assert lied.status == "fail" and isinstance(lied.counterexample["population"], Profile)
    light = check_table(POPULATION, ["plurality"], RuleParams(k=2), ["manipulation"], processes=2)["plurality"][0]
    assert "population" not in light.counterexample
    assert sorted(light.counterexample) == sorted(k for k in lied.counterexample if k != "population")
    assert light.counterexample["report"] == lied.counterexample["report"]
    assert fields(light) == fields(lied)
    untouched = reference["borda"][0]
    assert untouched.light() is untouched  # nothing to leave out: the same object


def test_cheapest_checks_go_first():
    population = impartial_culture(200, 6, seed=2)
    order = tasks(population, RULES, list(PROPERTIES), 4)
    cells = [t[2] for t in order]
    assert cells == sorted(cells) and len(order) == len(RULES) * len(PROPERTIES)
    assert all(c == properties_cost(population, rule, 4, [prop]) for rule, prop, c in order)
    # a rule reading only P costs m (m + 1) cells a call, one reading the voters n (m + 1), a game more
    first_borda = next(t for t in order if t[0] == "borda")
    first_irv = next(t for t in order if t[0] == "instant_runoff" and t[1] == "participation")
    assert order.index(first_borda) < order.index(first_irv)


def test_cancel_stops_every_worker_a_check_under_way_included():
    population = impartial_culture(20_000, 10, seed=4)  # the robust policy's participation check: about 12 s here
    started = time.monotonic()
    before = set(multiprocessing.active_children())
    with pytest.raises(Cancelled):
        check_table(
            population,
            ["robust"],
            RuleParams(k=2),
            ["participation", "anonymity"],
            processes=2,
            progress=lambda _f: time.monotonic() - started < 3.0,  # the user cancels after 3 s
        )
    workers = set(multiprocessing.active_children()) - before
    for worker in workers:
        worker.join(2)
    assert workers and not [w for w in workers if w.is_alive()]  # ended, not left to finish the check


def test_check_all_is_the_table_in_rows():
    frame = check_all(POPULATION, RuleParams(k=2), rules=["borda", "copeland"], processes=2)
    assert len(frame) == 2 * len(PROPERTIES)
    expected = [c.status for rule in ("borda", "copeland") for c in check_rule(POPULATION, rule, RuleParams(k=2))]
    assert frame["status"].tolist() == expected


def test_the_number_of_workers_comes_from_the_environment_when_set(monkeypatch):
    from aggregation import AggregationError
    from aggregation.properties.table import MAX_PROCESSES, PROCESSES_ENV, default_processes

    monkeypatch.setenv(PROCESSES_ENV, "3")
    assert default_processes() == 3
    monkeypatch.delenv(PROCESSES_ENV)
    assert 1 <= default_processes() <= MAX_PROCESSES
    for bad in ("0", "two", "-1", "1.5"):
        monkeypatch.setenv(PROCESSES_ENV, bad)
        with pytest.raises(AggregationError, match=f"{PROCESSES_ENV} must be a whole number of processes.*{bad!r}"):
            default_processes()


def test_pairs_known_already_are_skipped_and_cells_over_budget_wait(reference):
    skip = {("borda", "majority"), ("copeland", "iia")}
    table = check_table(POPULATION, ["borda", "copeland"], RuleParams(k=2), skip=skip, processes=1)
    assert [c.axiom for c in table["borda"]] == [p for p in PROPERTIES if p != "majority"]
    assert [c.axiom for c in table["copeland"]] == [p for p in PROPERTIES if p != "iia"]
    assert check_table(POPULATION, ["borda"], skip={("borda", p) for p in PROPERTIES}, processes=1) == {"borda": []}
    # a budget of 0 cells: every check that would compute the rule waits; the refusals (the population's kind, the
    # version) still say why, and nothing is computed
    waiting = check_table(POPULATION, ["borda", "maximal_lottery"], RuleParams(k=2), max_cells=0, processes=1)
    statuses = []
    for rule in ("borda", "maximal_lottery"):
        for got, ref in zip(waiting[rule], reference[rule]):
            statuses.append(got.status)
            if got.status == "not applicable":
                assert fields(got) == fields(ref)
            else:
                assert got.status == "not checked" and "cells read); it runs when you ask" in got.message
                assert got.tried == 0
    assert statuses.count("not checked") >= len(PROPERTIES)
    assert "compute Borda once, on this population (about 30 cells read)" in waiting["borda"][0].message


def test_tables_asked_at_once_take_turns_with_their_workers():
    import threading

    events = []
    first = threading.Thread(
        target=lambda: (
            check_table(
                impartial_culture(3_000, 8, seed=5), ["robust"], RuleParams(k=2), ["participation", "iia"], processes=2
            ),
            events.append("first ended"),
        )
    )
    first.start()
    deadline = time.monotonic() + 60
    while not multiprocessing.active_children() and time.monotonic() < deadline:  # the first table's workers start
        time.sleep(0.05)
    assert multiprocessing.active_children()
    check_table(
        POPULATION,
        ["borda"],
        RuleParams(k=2),
        ["majority", "condorcet"],
        processes=2,
        on_check=lambda c: events.append("second landed"),
    )
    first.join()
    assert events == ["first ended", "second landed", "second landed"]
