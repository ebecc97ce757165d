"""Long computations off the page's thread: a small runner with progress and cancel (issue 12).

A computation is ``fn(progress)``, where ``progress(fraction) -> bool`` is the callback the core's long
loops call (the interior-point solver, the property checks); it returns False once the user pressed
Cancel or the browser session that asked for it has ended, and the core then stops with
:class:`aggregation.Cancelled`, so the thread ends and the CPU is free. Jobs are keyed by what they
compute (the population's fingerprint and the parameters), one thread each, shared by every session
asking for the same key (results land in the ``st.cache_data`` caches the page reads, or in the job's own
:attr:`Job.found` as they come). The page shows a job with :func:`panel`: a fragment that polls every
:data:`POLL_S` seconds only while the job runs, with a progress bar and a Cancel button, reruns the page
when the job's findings grew (every :data:`REFRESH_S` seconds at most) and once when it ends.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import streamlit as st
from streamlit.runtime import Runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

from aggregation import AggregationError, Cancelled

from . import state
from .text import md

#: Seconds between two looks at a running job.
POLL_S = 0.5
#: Seconds at least between two reruns of the page while a job's findings grow (each shows what landed).
REFRESH_S = 5.0
RUNNING, DONE, CANCELLED, FAILED = "running", "done", "cancelled", "failed"


@dataclass(eq=False)
class Job:
    key: tuple
    label: str
    sessions: set = field(default_factory=set)
    fraction: float = 0.0
    state: str = RUNNING
    error: str = ""
    cancel_requested: bool = False
    started: float = field(default_factory=time.monotonic)
    thread: threading.Thread | None = None
    #: What the computation has found so far, when it says (:func:`start`'s ``found``): the page shows it while
    #: the job runs, and :func:`panel` reruns the page as it grows.
    found: dict = field(default_factory=dict)

    @property
    def alive(self) -> bool:
        return self.thread is not None and self.thread.is_alive()


_JOBS: dict[tuple, Job] = {}
_LOCK = threading.Lock()
#: Ended jobs remembered at most (the oldest are forgotten first): a job is small (its key, label, state and
#: the ids of the sessions that asked; its thread drops the computation when it ends), but one is kept per
#: distinct computation asked for since the server started. A forgotten job that a page asks about again
#: just runs again, and finds its result in the cache.
MAX_ENDED_JOBS = 256
#: Ended jobs with findings (:attr:`Job.found`) remembered at most, the oldest forgotten first: the Properties
#: page's whole table is about 0.65 MB of checks. A page whose job was forgotten starts it again.
MAX_ENDED_FINDINGS = 32


def _session_id() -> str | None:
    try:
        ctx = get_script_run_ctx(suppress_warning=True)
        return None if ctx is None else ctx.session_id
    except Exception:  # noqa: BLE001 - outside a Streamlit run (tests, notebooks)
        return None


def _any_session_alive(sessions: set) -> bool:
    """Whether some session that asked for the job is still open (True outside a server)."""
    if not sessions:
        return True
    try:
        if not Runtime.exists():
            return True
        runtime = Runtime.instance()
        return any(runtime.is_active_session(s) for s in sessions)
    except Exception:  # noqa: BLE001
        return True


def start(key: tuple, label: str, fn: Callable, found: dict | None = None) -> Job:
    """Run ``fn(progress)`` in a background thread under ``key`` (the running job for ``key`` if there is
    one; a finished or cancelled one is replaced). ``found``: a dict ``fn`` fills as it goes (kept as
    :attr:`Job.found`)."""
    session = _session_id()
    with _LOCK:
        job = _JOBS.get(key)
        if job is not None and job.state == RUNNING and not job.cancel_requested:
            if session:
                job.sessions.add(session)
            return job
        job = Job(key, label, {session} if session else set(), found={} if found is None else found)
        _JOBS.pop(key, None)
        _JOBS[key] = job  # newest last
        _prune()
    last_look = [0.0]

    def progress(fraction: float) -> bool:
        job.fraction = max(job.fraction, float(fraction))
        if job.cancel_requested:
            return False
        now = time.monotonic()
        if now - last_look[0] > 1.0:  # the sessions are looked at once a second at most
            last_look[0] = now
            if not _any_session_alive(job.sessions):
                job.cancel_requested = True
                return False
        return True

    def target():
        try:
            fn(progress)
            job.fraction, job.state = 1.0, DONE
        except Cancelled:
            job.state = CANCELLED
        except AggregationError as exc:
            job.state, job.error = FAILED, str(exc)
        except Exception as exc:  # noqa: BLE001 - shown on the page, never raised into a thread's void
            job.state, job.error = FAILED, f"{type(exc).__name__}: {exc}"

    job.thread = threading.Thread(target=target, name=f"background {label}", daemon=True)
    job.thread.start()
    return job


def when_asked(request: tuple, key: tuple, label: str, fn: Callable, found: dict | None = None) -> bool:
    """For a computation the user asked for with a button (``ui.state.requested(*request)``): True once
    its background job ``key`` is done (the page then reads the result from the cache); else starts it
    (the first time) or, after a cancel or a failure, forgets the request so that the button shows
    again; False. ``found``: as for :func:`start`."""
    if not state.requested(*request):
        return False
    job = get(key)
    if job is not None and job.state == DONE:
        return True
    if job is not None and job.state in (CANCELLED, FAILED):
        state.unrequest(*request)
    elif job is None:
        start(key, label, fn, found)
    return False


#: A computation predicted to take longer than this runs in the background (a progress bar, Cancel), not in the
#: page's own run (issue 12: "anything that can still take more than a second runs off the page's thread").
INLINE_SECONDS = 1.0


def games_ready(request: tuple, key: tuple, label: str, fn: Callable, *, seconds: float, affordable: bool) -> bool:
    """Whether the page can read its games (MPNE_k, the robust policy) now. Beyond the budget (``affordable``
    False: :func:`aggregation.game_affordable`): once the user asked with the page's button, then in the
    background (:func:`when_asked`). Within it and predicted to take at most :data:`INLINE_SECONDS`
    (``seconds``): yes, the page solves them in its run; longer: started in the background without asking. True once the job is done; a
    cancelled or failed job stays so (the page shows its panel and the button) until the user asks again."""
    if not affordable:
        return when_asked(request, key, label, fn)
    if seconds <= INLINE_SECONDS:
        return True
    job = get(key)
    if job is None:
        start(key, label, fn)
        return False
    return job.state == DONE


def _prune() -> None:
    """Forget the oldest ended jobs beyond :data:`MAX_ENDED_JOBS`, and those with findings beyond
    :data:`MAX_ENDED_FINDINGS` (the caller holds the lock)."""
    ended = [k for k, j in _JOBS.items() if j.state != RUNNING and not j.alive]
    found = [k for k in ended if _JOBS[k].found]
    for k in set(ended[: max(0, len(ended) - MAX_ENDED_JOBS)]) | set(found[: max(0, len(found) - MAX_ENDED_FINDINGS)]):
        del _JOBS[k]


def get(key: tuple) -> Job | None:
    return _JOBS.get(key)


def cancel(key: tuple) -> None:
    job = _JOBS.get(key)
    if job is not None:
        job.cancel_requested = True


def forget(key: tuple) -> None:
    """Drop a job that has ended (so that asking again starts afresh)."""
    with _LOCK:
        job = _JOBS.get(key)
        if job is not None and not job.alive:
            del _JOBS[key]


def running_threads() -> int:
    """How many background computations are running now (the browser test reads it from the page)."""
    return sum(1 for job in list(_JOBS.values()) if job.alive)


def panel(key: tuple, widget_key: str) -> None:
    """The job under ``key`` on the page: while it runs, a progress bar and a Cancel button in a fragment
    that polls every :data:`POLL_S` seconds; when it ends, one rerun of the whole page."""
    job = get(key)
    if job is None:
        return
    running = job.alive
    st.fragment(run_every=POLL_S if running else None)(_live)(key, widget_key, running, len(job.found))


def _live(key: tuple, widget_key: str, was_running: bool, shown: int) -> None:
    """The fragment's body; ``shown``: how many findings the page showed when it last ran whole."""
    job = get(key)
    if job is None:
        return
    if was_running and not job.alive:
        st.rerun()
    refreshed = f"{widget_key}_refreshed"  # when this session's page last reran for new findings
    if job.alive and len(job.found) > shown and time.monotonic() - st.session_state.get(refreshed, 0.0) >= REFRESH_S:
        st.session_state[refreshed] = time.monotonic()
        st.rerun()  # the page shows what has landed since
    if job.state == DONE:  # its results are on the page: nothing to say (an empty frame before)
        return
    with st.container(border=True, key=f"{widget_key}_job"):
        if job.alive:
            head, button = st.columns([4, 1])
            seconds = time.monotonic() - job.started
            head.progress(
                min(job.fraction, 1.0),
                text=f"{job.label}: {100 * job.fraction:.0f}% ({seconds:.0f} s); the page stays usable meanwhile",
            )
            button.button(
                "Cancel",
                key=f"{widget_key}_cancel",
                icon=":material/stop_circle:",
                on_click=cancel,
                args=(key,),
                width="stretch",
                disabled=job.cancel_requested,
            )
        elif job.state == CANCELLED:
            n = running_threads()
            st.info(
                f"{job.label}: cancelled; {n} background computation{'' if n == 1 else 's'} running now.",
                icon=":material/cancel:",
            )
        elif job.state == FAILED:
            st.error(f"{job.label} failed: {md(job.error)}", icon=":material/error:")
