"""ui.memory: disconnected sessions are shut down (their uploads released) once their TTL has passed, and
the storage stays bounded. Streamlit's own storage only forgets an expired session when another one is
written, and never calls ``AppSession.shutdown()`` on it (ui.memory's docstring; measured in
bench/load_sessions.py)."""

from __future__ import annotations

import asyncio
import threading
import time
from types import SimpleNamespace

import pytest

from ui import memory


class FakeSession:
    def __init__(self, session_id: str):
        self.id, self.shutdowns = session_id, 0

    def shutdown(self):
        self.shutdowns += 1


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def _run(coroutine_function):
    """``asyncio.run`` in a thread of its own: the browser tests of the same pytest process leave an event loop
    running in the main thread, where ``asyncio.run`` refuses to start another."""
    outcome = {}

    def target():
        try:
            outcome["value"] = asyncio.run(coroutine_function())
        except BaseException as exc:  # noqa: BLE001 - handed to the test's thread
            outcome["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(120)
    assert not thread.is_alive(), "the event loop did not finish"
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def info(session_id: str):
    return SimpleNamespace(session=FakeSession(session_id), client=None, script_run_count=0)


def storage(clock, **kwargs):
    released = []
    store = memory.ReleasingSessionStorage(timer=clock, on_released=released.append, **kwargs)
    return store, released


def test_a_stored_session_is_kept_for_its_ttl_then_shut_down():
    clock = Clock()
    store, released = storage(clock, ttl_seconds=120)
    a = info("a")
    store.save(a)
    clock.now += 119.9
    assert store.get("a") is a and a.session.shutdowns == 0
    clock.now += 0.1  # exactly the TTL: gone, as Streamlit's TTLCache (expired when now >= deadline)
    assert store.get("a") is None
    assert a.session.shutdowns == 1 and store.released == 1 and released == [1] and len(store) == 0
    assert store.list() == [] and a.session.shutdowns == 1  # released once


def test_reaping_needs_no_other_session():
    """The leak: Streamlit's storage reaps only on a later write; here ``list()`` (what the metrics page and
    the runtime's shutdown read) or a timer reaps by itself."""
    clock = Clock()
    store, _ = storage(clock, ttl_seconds=10)
    a, b = info("a"), info("b")
    store.save(a)
    clock.now += 5
    store.save(b)
    clock.now += 5
    assert store.list() == [b] and (a.session.shutdowns, b.session.shutdowns) == (1, 0)
    clock.now += 5
    assert store.reap() == 1 and b.session.shutdowns == 1


def test_delete_forgets_without_shutting_down():
    """A reconnecting tab takes its session back (``delete`` after ``get``): it must keep running."""
    clock = Clock()
    store, released = storage(clock)
    a = info("a")
    store.save(a)
    store.delete("a")
    store.delete("never stored")  # no KeyError: Streamlit's callers check first, a timer may have reaped
    clock.now += 1000
    assert store.reap() == 0 and a.session.shutdowns == 0 and released == []


def test_saving_again_restarts_the_ttl():
    clock = Clock()
    store, _ = storage(clock, ttl_seconds=10)
    a = info("a")
    store.save(a)
    clock.now += 8
    store.save(a)
    clock.now += 8
    assert store.get("a") is a and a.session.shutdowns == 0


def test_the_storage_is_bounded_and_releases_the_oldest():
    clock = Clock()
    store, released = storage(clock, maxsize=2)
    a, b, c = info("a"), info("b"), info("c")
    for x in (a, b, c):
        store.save(x)
        clock.now += 1
    assert [x.session.id for x in store.list()] == ["b", "c"]
    assert (a.session.shutdowns, b.session.shutdowns, c.session.shutdowns) == (1, 0, 0) and released == [1]


def test_a_broken_session_does_not_keep_the_others():
    clock = Clock()
    store, _ = storage(clock, ttl_seconds=1)
    bad, good = info("bad"), info("good")
    bad.session.shutdown = lambda: 1 / 0
    store.save(bad)
    store.save(good)
    clock.now += 2
    assert store.reap() == 2 and good.session.shutdowns == 1 and len(store) == 0


def test_a_timer_on_the_event_loop_releases_without_any_access():
    """On the server the storage is used from the event loop; the release must not wait for a visitor."""
    released = []
    store = memory.ReleasingSessionStorage(ttl_seconds=0.05, on_released=released.append)
    a, b = info("a"), info("b")

    async def scenario():
        store.save(a)
        store.save(b)
        deadline = time.monotonic() + 30  # a generous bound for a loaded machine: the assertion is on state
        while len(store) and time.monotonic() < deadline:
            await asyncio.sleep(0.02)

    _run(scenario)
    assert (a.session.shutdowns, b.session.shutdowns) == (1, 1) and sum(released) == 2
    assert store._handle is None  # no timer left behind


def test_other_threads_never_shut_sessions_down():
    """The metrics route lists the storage from a worker thread: an expired session is hidden there, and
    shut down only on the event loop that stored it (as Streamlit's close_session requires)."""
    clock = Clock()
    store, released = storage(clock, ttl_seconds=10)
    a = info("a")

    async def stored_from_the_loop():
        store.save(a)

    _run(stored_from_the_loop)
    clock.now += 20
    seen = []
    reader = threading.Thread(target=lambda: seen.append((store.list(), store.get("a"))))
    reader.start()
    reader.join(30)
    assert seen == [([], None)] and a.session.shutdowns == 0 and len(store) == 1 and released == []
    assert store.reap() == 1 and a.session.shutdowns == 1


def test_install_replaces_streamlits_storage(monkeypatch):
    from streamlit.runtime import memory_session_storage
    from streamlit.web.server import server

    monkeypatch.setattr(server, "MemorySessionStorage", server.MemorySessionStorage)
    monkeypatch.setattr(memory_session_storage, "MemorySessionStorage", memory_session_storage.MemorySessionStorage)
    assert memory.install()
    assert server.MemorySessionStorage is memory.ReleasingSessionStorage
    assert memory_session_storage.MemorySessionStorage is memory.ReleasingSessionStorage
    # built the way Streamlit builds it
    assert server.MemorySessionStorage(ttl_seconds=7).ttl_seconds == 7


def test_arenas_are_left_alone_when_the_environment_chose():
    assert memory.limit_arenas({"MALLOC_ARENA_MAX": "4"}) is None


@pytest.mark.skipif(memory._glibc() is None, reason="glibc only")
def test_trim_calls_glibc():
    assert memory.trim() is True
    memory.release()


def test_a_replaced_population_is_not_kept_alive_by_any_cache():
    """Every rule of the registry, and the cached Rules view, on a population; once the session lets it go
    (a new import replaces it, or the session ends) nothing may hold it. The parallel-universe search used
    to be an ``lru_cache`` keyed by the profile object, which kept the last 8 populations alive for good."""
    import gc
    import weakref

    from aggregation import RULES, AggregationError, Profile, RuleParams
    from ui import compute

    model = Profile.parse("2: a > b > c > d\n3: b > c > a > d\n2: c = a > b > d\n1: d > c > b > a\n")
    alive = weakref.ref(model)
    computed = 0
    for rule in RULES.values():
        try:
            rule.compute(model, RuleParams(k=2))
            computed += 1
        except AggregationError:
            pass  # rules for other kinds of population (Elo reads a comparison log, ...)
    view = compute.rules_view(model, 1.0, None, k=2, games=True)
    assert computed >= 20 and not view.unavailable.keys() - {"dodgson", "elo", "average_reward"}
    del model
    gc.collect()
    assert alive() is None


def test_an_ended_background_job_keeps_neither_its_computation_nor_a_long_history(monkeypatch):
    """ui.background: a job that ended holds no reference to what it computed on (the population its
    closure read), and at most MAX_ENDED_JOBS ended jobs are remembered; a running one is never forgotten."""
    import gc
    import threading
    import weakref

    from ui import background

    monkeypatch.setattr(background, "_JOBS", {})
    monkeypatch.setattr(background, "MAX_ENDED_JOBS", 3)

    class Population:  # stands for a large population the computation reads
        pass

    population = Population()
    alive = weakref.ref(population)

    def compute(progress, population=population):
        progress(0.5)

    job = background.start(("memory", 0), "a job", compute)
    job.thread.join(30)
    del population, compute
    gc.collect()
    assert job.state == background.DONE and alive() is None

    release = threading.Event()
    running = background.start(("memory", "running"), "a running job", lambda progress: release.wait(30))
    for i in range(1, 6):
        background.start(("memory", i), "a job", lambda progress: None).thread.join(30)
    try:
        kept = [key[1] for key in background._JOBS]
        # pruned when a job starts: 3 ended ones (2, 3, 4) beside the one just started (5) and the running one
        assert kept == ["running", 2, 3, 4, 5] and background.get(("memory", "running")) is running
    finally:
        release.set()
        running.thread.join(30)


def test_ended_jobs_with_findings_are_remembered_fewer(monkeypatch):
    """ui.background: the Properties page's tables keep their checks in the job (Job.found, up to about 0.65 MB
    each at 100,000 x 50): at most MAX_ENDED_FINDINGS of those ended jobs stay, the oldest go first, and jobs
    without findings still count against MAX_ENDED_JOBS only."""
    from ui import background

    monkeypatch.setattr(background, "_JOBS", {})
    monkeypatch.setattr(background, "MAX_ENDED_FINDINGS", 2)

    def finding(i):
        return lambda progress, i=i: found[i].update({("borda", "majority"): "a check"})

    found = {i: {} for i in range(4)}
    for i in range(4):
        background.start(("table", i), "a table", finding(i), found[i]).thread.join(30)
        background.start(("plain", i), "a job", lambda progress: None).thread.join(30)
    kept = list(background._JOBS)
    # pruned whenever a job starts: after the last start the two newest tables stay, and every plain job
    assert [k for k in kept if k[0] == "table"] == [("table", 2), ("table", 3)]
    assert [k for k in kept if k[0] == "plain"] == [("plain", i) for i in range(4)]
    assert background.get(("table", 3)).found == {("borda", "majority"): "a check"}


def test_the_launcher_bounds_every_cached_result_together():
    """``server.maxCacheDataSize`` as the launcher passes it, read the way Streamlit reads it (256 MiB)."""
    from streamlit.runtime.caching.global_cache_budget import config_max_cache_data_size_to_bytes

    from ui import launch

    assert f"--server.maxCacheDataSize={launch.MAX_CACHE_DATA}" in launch.DEFAULT_OPTIONS
    assert config_max_cache_data_size_to_bytes(launch.MAX_CACHE_DATA) == 256 * 2**20


def test_the_dashboard_runs_one_blas_thread_unless_the_environment_chose():
    from threadpoolctl import threadpool_info, threadpool_limits

    from ui import launch

    def blas_threads() -> set[int]:
        return {i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"}

    with threadpool_limits(limits=None, user_api="blas"):  # the suite's own setting comes back afterwards
        before = blas_threads()
        assert launch.single_threaded_blas({"OPENBLAS_NUM_THREADS": "4"}) is False and blas_threads() == before
        assert launch.single_threaded_blas({}) is True and blas_threads() == {1}
    assert blas_threads() == before
