"""Memory comes back: what a closed browser session held is released, and the freed memory is returned to
the operating system (issue 10, "Safe to share").

**Why this module exists.** A browser that closes (or loses its connection) leaves its session on the
server for ``server.disconnectedSessionTTL`` seconds, so that a reconnecting tab finds its state again.
Streamlit 1.67 keeps those sessions in a ``MemorySessionStorage``, a ``TTLCache`` that *forgets* an expired
session only when something else is written to it later (another browser disconnecting), and then just
drops it, without ``AppSession.shutdown()``. So, measured with ``bench/load_sessions.py``:

* after the last browser closed, the last sessions stayed alive for good (nothing wrote to the storage
  again): their ``st.session_state`` (a large imported population and what the pages derived from it);
* even a dropped session never released its uploaded files: ``MemoryUploadedFileManager`` frees a
  session's files only in ``shutdown()`` (the population file's bytes, kept for the life of the server);
* what Python freed stayed in glibc's malloc arenas (up to 8 per core, one per busy thread), so the
  server's resident memory did not go down either.

**What it does.** :class:`ReleasingSessionStorage` replaces Streamlit's storage (the launcher installs it
with :func:`install`): a disconnected session is kept for the same TTL, and when the TTL has passed (a
timer on the server's event loop, so nothing waits for another visitor) or the storage is full, the session
is shut down the way Streamlit closes a session (its uploaded files and media released, its script run
stopped) and dropped; then :func:`release` collects cycles and asks glibc to give free memory back
(``malloc_trim(0)``). :func:`limit_arenas` caps glibc's arenas (``M_ARENA_MAX``, the knob the environment
variable ``MALLOC_ARENA_MAX`` sets) at start-up, unless the environment already chose a value.

Measured (``bench/load_sessions.py``, ten sessions each importing 100,000 rankings x 50 alternatives, figures
in ``bench/README.md``): the server's VmRSS 2.6 GB at the peak and 1.18 GB for good after the browsers
closed (312 MB of it uploads) without this module; 2.1 GB, then 0.79 GB, then 0.37 GB once the TTL had passed
(258 MB after a warm-up session) with it.

Everything here is a no-op where it cannot apply (another C library, another Streamlit storage).
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import gc
import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

try:  # Streamlit's store of disconnected sessions, which install() replaces; another Streamlit may have none
    from streamlit.runtime import memory_session_storage
    from streamlit.web.server import server
except ImportError:
    memory_session_storage = server = None

_LOG = logging.getLogger(__name__)

#: glibc's ``mallopt`` parameter for the number of arenas (``M_ARENA_MAX`` in ``malloc.h``).
M_ARENA_MAX = -8
#: Arenas kept by :func:`limit_arenas`: one per core of a small server, at least two (glibc's default is
#: eight per core, each keeping its own freed pages).
ARENAS = max(2, min(os.cpu_count() or 2, 4))
#: Sessions kept for reconnection at most (Streamlit's own default); the least recently stored one is
#: released first.
MAX_STORED_SESSIONS = 128
#: Seconds after a release before cycles are collected and memory is trimmed (the released session's script
#: thread needs a moment to stop and drop its frames).
TRIM_DELAY_S = 1.0

_libc = None
_libc_lock = threading.Lock()


def _glibc():
    """glibc (``None`` elsewhere: musl, macOS, Windows)."""
    global _libc
    with _libc_lock:
        if _libc is None:
            try:
                lib = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
                _libc = lib if hasattr(lib, "malloc_trim") and hasattr(lib, "mallopt") else False
            except OSError:
                _libc = False
        return _libc or None


def trim() -> bool:
    """Ask glibc to return free heap memory to the system (``malloc_trim(0)``); False without glibc."""
    libc = _glibc()
    if libc is None:
        return False
    libc.malloc_trim(0)
    return True


def release() -> None:
    """Collect reference cycles, then :func:`trim` (after sessions or a population were let go)."""
    gc.collect()
    trim()


def limit_arenas(environ=os.environ) -> int | None:
    """Cap glibc's malloc arenas at :data:`ARENAS` (before the server starts its threads); None when the
    environment sets ``MALLOC_ARENA_MAX`` itself (glibc then read it at start-up) or without glibc.

    What it trades: threads allocating at the same time share arenas (a little lock contention); with
    Streamlit's one script thread per running session and numpy doing the heavy work outside malloc, that
    cost did not show in the load bench, while each arena no longer keeps its own freed pages."""
    if environ.get("MALLOC_ARENA_MAX"):
        return None
    libc = _glibc()
    if libc is None or libc.mallopt(M_ARENA_MAX, ARENAS) != 1:
        return None
    return ARENAS


def _shutdown(info) -> None:
    """Close a stored session as Streamlit's ``close_session`` does: ``AppSession.shutdown()`` (idempotent)
    releases its uploaded files, media and dataframe sources and stops its script run."""
    try:
        info.session.shutdown()
    except Exception:  # noqa: BLE001 - one broken session must not keep the others
        _LOG.exception("releasing a disconnected session failed")


class ReleasingSessionStorage:
    """Streamlit's ``SessionStorage`` for disconnected sessions that *releases* them: an entry older than
    ``ttl_seconds`` (or the oldest one beyond ``maxsize``) is shut down and dropped, by a timer on the
    event loop that stored it, and at every access. ``delete`` (a reconnect, or Streamlit closing the
    session itself) only forgets it: the caller owns the session then.

    Streamlit calls ``save``, ``get`` and ``delete`` on its event-loop thread (under its storage lock), and
    ``list`` from others too (the ``/_stcore/metrics`` route reads it in a worker thread). Sessions are shut
    down only on the event loop that stored them (as Streamlit's own ``close_session`` requires; outside any
    loop, e.g. in tests, on the caller's thread); elsewhere an expired session is just not returned. A lock
    keeps the entries consistent across threads."""

    def __init__(
        self,
        maxsize: int = MAX_STORED_SESSIONS,
        ttl_seconds: float = 120,
        timer: Callable[[], float] = time.monotonic,
        on_released: Callable[[int], None] | None = None,
    ) -> None:
        self.maxsize, self.ttl_seconds, self._timer = int(maxsize), float(ttl_seconds), timer
        self._on_released = on_released if on_released is not None else self._schedule_release
        self._entries: OrderedDict[str, tuple[float, object]] = OrderedDict()  # id -> (deadline, SessionInfo)
        self._lock = threading.RLock()
        self.released = 0  # sessions shut down by this storage (the tests read it)
        self._handle: asyncio.TimerHandle | None = None
        self._loop: asyncio.AbstractEventLoop | None = None  # the loop sessions were stored from

    # ---------------------------------------------------------------- SessionStorage
    def get(self, session_id: str):
        if self._may_release():
            self.reap()
        with self._lock:
            entry = self._entries.get(session_id)
            return None if entry is None or entry[0] <= self._timer() else entry[1]

    def save(self, session_info) -> None:
        try:
            self._loop = asyncio.get_running_loop()
        except RuntimeError:
            pass
        gone = []
        with self._lock:
            self._entries.pop(session_info.session.id, None)
            gone += self._expired()
            while len(self._entries) >= self.maxsize:
                gone.append(self._entries.popitem(last=False)[1][1])
            self._entries[session_info.session.id] = (self._timer() + self.ttl_seconds, session_info)
        self._release(gone)
        self._reap_later()

    def delete(self, session_id: str) -> None:
        with self._lock:
            self._entries.pop(session_id, None)

    def list(self) -> list:
        if self._may_release():
            self.reap()
        now = self._timer()
        with self._lock:
            return [info for deadline, info in self._entries.values() if deadline > now]

    def _may_release(self) -> bool:
        """Whether this thread may shut sessions down: the loop's own thread, or any thread without a loop."""
        if self._loop is None:
            return True
        try:
            return asyncio.get_running_loop() is self._loop
        except RuntimeError:
            return False

    # ---------------------------------------------------------------- releasing
    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def _expired(self) -> list:
        """Pop the entries past their deadline (caller holds the lock); entries are in deadline order."""
        now, out = self._timer(), []
        while self._entries:
            session_id, (deadline, info) = next(iter(self._entries.items()))
            if deadline > now:
                break
            del self._entries[session_id]
            out.append(info)
        return out

    def reap(self) -> int:
        """Release every session past its TTL now; how many."""
        with self._lock:
            gone = self._expired()
        self._release(gone)
        return len(gone)

    def _release(self, infos: list) -> None:
        if not infos:
            return
        for info in infos:
            _shutdown(info)
        self.released += len(infos)
        self._on_released(len(infos))

    def _reap_later(self) -> None:
        """One timer on the running event loop, for the oldest deadline (none outside a loop: then the
        next access reaps)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        with self._lock:
            if not self._entries:
                return
            delay = max(0.0, next(iter(self._entries.values()))[0] - self._timer()) + 0.05
        when = loop.time() + delay
        handle = self._handle
        if handle is not None and not handle.cancelled() and handle.when() <= when:
            return  # an earlier timer is set; it sets the next one
        if handle is not None:
            handle.cancel()
        self._handle = loop.call_at(when, self._tick)

    def _tick(self) -> None:
        self._handle = None
        self.reap()
        self._reap_later()

    def _schedule_release(self, count: int) -> None:
        """After sessions were shut down: collect and trim (off the event loop) once their script threads
        have had a moment to stop."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            release()
            return
        loop.call_later(TRIM_DELAY_S, lambda: loop.run_in_executor(None, release))


def install() -> bool:
    """Make the Streamlit server keep disconnected sessions in :class:`ReleasingSessionStorage` (call
    before the server starts); False when this Streamlit has no such hook."""
    if memory_session_storage is None or server is None:
        return False
    if not hasattr(server, "MemorySessionStorage") or not hasattr(memory_session_storage, "MemorySessionStorage"):
        return False
    server.MemorySessionStorage = ReleasingSessionStorage  # `streamlit run` (server.Server)
    memory_session_storage.MemorySessionStorage = ReleasingSessionStorage  # the ASGI app imports it late
    return True
