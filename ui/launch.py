"""Start the dashboard: ``python -m ui.launch [--share] [streamlit options]``.

**Local by default.** Without ``--share`` the server listens on 127.0.0.1 only (``--server.address``
may name another loopback address, nothing else: a dashboard bound to the network without a sign-in
would let anyone on it train and read jobs) and answers only to the host names ``localhost``,
``127.0.0.1`` and ``::1``. Nothing asks its user to sign in.

**Shared** with ``--share`` (or ``AGGREGATION_SHARE=1``): it listens on ``--server.address``
(default 0.0.0.0, every IPv4 interface) and answers to this machine's host names and addresses,
plus those in ``AGGREGATION_ALLOWED_HOSTS`` (comma-separated) or, instead of all of these, the ones
given with ``--server.allowedHosts``. The app then asks for a sign-in before anything spends compute
or shows someone's jobs (:mod:`ui.access`, :mod:`ui.login`); the launcher tells it through
``AGGREGATION_SHARE``.

**Host names.** A request whose ``Host`` header names anything else (the shape of a DNS-rebinding
attack, where a foreign page makes the browser talk to this port under the foreign name) is
refused: Streamlit itself refuses the WebSocket (``server.allowedHosts``), and the launcher adds the
same check, with Streamlit's own matching rules, in front of every HTTP route (403), so not even the
page's shell is served under a foreign name.

**Pages.** Streamlit treats an app whose entry point sits next to a folder named ``pages/`` as a
legacy multipage app until some session has executed ``st.navigation``; on a fresh server the
*first* request that deep-links to a page would then skip ``app.py``. ``st.navigation`` itself
clears that flag, so the launcher clears it before the server starts: ``app.py`` then always
runs and lists the pages with ``st.navigation`` (a browser test proves deep links work on the
very first request).

It also sets ``server.maxUploadSize`` to the core's file limit (:data:`aggregation.bounds.MAX_FILE_MB`):
Streamlit checks an upload's size on the server (Content-Length first, then the bytes as they arrive),
so the limit the import widget states is the one enforced, whatever a browser or script sends.

**BLAS threads.** The server runs one BLAS thread (:func:`single_threaded_blas`) unless the environment chose a
number: its matrices are small (a game's Newton system is about 2m x 2m), while its sessions and their background
computations are many Python threads; OpenBLAS's own threads then only wait for a free core. Measured on this
2-core machine with another process busy on the second core: the robust policy on 100,000 rankings x 50 in
1.2 s instead of 1.9 s (its Newton steps' solves took 12-70 ms instead of well under one); alone on the machine
the same 1.3 s either way, and the preference matrix of that population 0.10 s either way.

**Memory.** A closed browser's session is released once ``server.disconnectedSessionTTL`` has passed
(Streamlit itself kept it, and its uploaded files, until another browser disconnected, or for good), and
the freed memory goes back to the system (:mod:`ui.memory`); cached results are bounded in bytes as well as in
entries (``server.maxCacheDataSize``, :data:`MAX_CACHE_DATA`).
"""

from __future__ import annotations

import ipaddress
import os
import socket
import sys
from collections.abc import Mapping
from pathlib import Path

from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse
from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli
from streamlit.web.server.starlette import starlette_app, starlette_websocket
from threadpoolctl import threadpool_limits

from . import memory
from .access import SHARE_ENV, truthy

from aggregation.bounds import MAX_FILE_MB

APP = Path(__file__).resolve().parent.parent / "app.py"
#: Streamlit's bound on all cached results together (``server.maxCacheDataSize``).
MAX_CACHE_DATA = "256mb"

DEFAULT_OPTIONS = [
    "--browser.gatherUsageStats=false",
    "--server.fileWatcherType=none",
    # Streamlit's upload limit (MiB, enforced by the server: a larger request gets HTTP 413) is the core's
    # one value, the limit the import widget states
    f"--server.maxUploadSize={MAX_FILE_MB}",
    # every st.cache_data entry of every function and session together (serialized bytes; the least recently
    # used go first): besides each function's max_entries, a bound in bytes (the load bench measured 0.4 MB)
    f"--server.maxCacheDataSize={MAX_CACHE_DATA}",
]
SHARE_FLAG = "--share"
ALLOWED_HOSTS_ENV = "AGGREGATION_ALLOWED_HOSTS"
LOCAL_ADDRESS = "127.0.0.1"
SHARED_ADDRESS = "0.0.0.0"
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")


class LaunchError(SystemExit):
    """The options ask for something unsafe or impossible (the message says what to do instead)."""


def option(args: list[str], name: str) -> str | None:
    """The value of ``--name=value`` or ``--name value`` in ``args`` (the last one given), else None."""
    value = None
    for i, arg in enumerate(args):
        if arg.startswith(f"--{name}="):
            value = arg.split("=", 1)[1]
        elif arg == f"--{name}" and i + 1 < len(args):
            value = args[i + 1]
    return value


def is_loopback(address: str) -> bool:
    host = address.strip().strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def machine_hosts(address: str | None = None) -> list[str]:
    """This machine's names and addresses (what people on the network may type to reach it), loopback first."""
    names = list(LOCAL_HOSTS)
    hostname = socket.gethostname()
    names += [hostname, socket.getfqdn()]
    try:
        names += [info[4][0] for info in socket.getaddrinfo(hostname, None)]
    except OSError:
        pass
    for family, probe in ((socket.AF_INET, ("192.0.2.1", 9)), (socket.AF_INET6, ("2001:db8::1", 9))):
        try:  # the address of the interface a packet to the network would leave by (nothing is sent)
            with socket.socket(family, socket.SOCK_DGRAM) as s:
                s.connect(probe)
                names.append(s.getsockname()[0])
        except OSError:
            pass
    if address and address not in ("0.0.0.0", "::"):
        names.append(address)
    return list(dict.fromkeys(n.strip("[]").lower() for n in names if n))


def server_options(args: list[str], environ: Mapping[str, str]) -> tuple[list[str], list[str], bool]:
    """``(streamlit options, the host names accepted, shared)`` for the launcher's arguments (``--share``
    removed, the address and ``server.allowedHosts`` added unless given); :class:`LaunchError` when the
    options would expose an unshared dashboard."""
    share = SHARE_FLAG in args or truthy(environ.get(SHARE_ENV))
    args = [a for a in args if a != SHARE_FLAG]
    address = option(args, "server.address") or environ.get("STREAMLIT_SERVER_ADDRESS")
    given_hosts = [args[i + 1] for i, a in enumerate(args[:-1]) if a == "--server.allowedHosts"]
    given_hosts += [a.split("=", 1)[1] for a in args if a.startswith("--server.allowedHosts=")]
    extra: list[str] = []
    if not share:
        if address is None:
            address = LOCAL_ADDRESS
            extra.append(f"--server.address={LOCAL_ADDRESS}")
        elif not is_loopback(address):
            raise LaunchError(
                f"--server.address={address} would let other machines reach this dashboard, which has no sign-in "
                f"when it is not shared. To share it, add {SHARE_FLAG} (or set {SHARE_ENV}=1) and configure a "
                "sign-in: README, “Sharing the dashboard”. To keep it on this machine, leave --server.address out."
            )
        hosts = given_hosts or list(LOCAL_HOSTS)
    else:
        if address is None:
            address = SHARED_ADDRESS
            extra.append(f"--server.address={SHARED_ADDRESS}")
        extra_hosts = [h.strip() for h in environ.get(ALLOWED_HOSTS_ENV, "").split(",") if h.strip()]
        hosts = given_hosts or list(dict.fromkeys(machine_hosts(address) + extra_hosts))
    if not given_hosts:
        extra += [f"--server.allowedHosts={h}" for h in hosts]
    return args + extra, hosts, share


class HostCheck:
    """ASGI middleware: a request (HTTP or WebSocket) whose ``Host`` header is not in ``server.allowedHosts``
    is refused before any route sees it (Streamlit's own matching: ports ignored, ``*.`` wildcards)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] in ("http", "websocket"):
            host = next((v.decode("latin-1") for k, v in scope.get("headers", ()) if k == b"host"), None)
            if not starlette_websocket.is_host_allowed(host):
                if scope["type"] == "websocket":
                    await send({"type": "websocket.close", "code": 1008})
                    return
                await PlainTextResponse("This host name is not served here.", status_code=403)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def install_host_check() -> bool:
    """Put :class:`HostCheck` in front of Streamlit's middleware (Streamlit 1.67's server builds its stack with
    ``starlette_app.create_streamlit_middleware``); False when that hook is missing (then only the
    WebSocket is checked, by Streamlit)."""
    build = getattr(starlette_app, "create_streamlit_middleware", None)
    if build is None or getattr(build, "host_checked", False):
        return build is not None

    def with_host_check():
        return [Middleware(HostCheck), *build()]

    with_host_check.host_checked = True
    starlette_app.create_streamlit_middleware = with_host_check
    return True


#: The environment variables that choose a number of BLAS threads: when one is set, the launcher leaves it be.
BLAS_THREADS_ENV = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def single_threaded_blas(environ: Mapping[str, str] = os.environ) -> bool:
    """One BLAS thread for this process (see the module docstring), unless ``environ`` chose a number; whether
    it was set here."""
    if any(environ.get(name) for name in BLAS_THREADS_ENV):
        return False
    threadpool_limits(1, user_api="blas")
    return True


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    options, hosts, share = server_options(args, os.environ)
    os.environ[SHARE_ENV] = "1" if share else "0"  # the app reads it (ui.access.shared)
    if not install_host_check():
        print(
            "warning: this Streamlit version has no middleware hook; only its WebSocket checks host names",
            file=sys.stderr,
        )
    if share:
        address = option(options, "server.address")
        print(
            f"Sharing the dashboard: listening on {address}; it answers to {', '.join(hosts)} (add names with "
            f"{ALLOWED_HOSTS_ENV}=name1,name2). Training and the job list need a sign-in (README, “Sharing the "
            "dashboard”).",
            file=sys.stderr,
            flush=True,
        )
    PagesManager.uses_pages_directory = False
    memory.limit_arenas()
    single_threaded_blas()
    if not memory.install():
        print(
            "warning: this Streamlit version keeps disconnected sessions its own way; their memory may not come back",
            file=sys.stderr,
        )
    sys.argv = ["streamlit", "run", str(APP), *DEFAULT_OPTIONS, *options]
    cli.main()


if __name__ == "__main__":
    main()
