"""Who may do what on a shared dashboard: the sign-in configuration, password hashes, and the limit on
failed sign-ins. Plain Python (the widgets are :mod:`ui.login`); also a small command line for operators::

    python -m ui.access password NAME      # asks for a password twice, prints the line to add
    python -m ui.access token NAME         # makes a random token for NAME, prints it and the line to add

**Local by default.** ``python -m ui.launch`` (``scripts/dashboard``) serves on 127.0.0.1 and sets
``AGGREGATION_SHARE=0``: nobody else can reach the dashboard, and nothing asks its user to sign in.
Started with ``--share`` (``AGGREGATION_SHARE=1``), it listens on the network, and everything that
spends compute or shows someone's jobs (starting, listing, opening and cancelling jobs) needs a
sign-in; the theory pages stay open to everyone.

**Configuration** (``.streamlit/secrets.toml``, never committed)::

    [access]
    login = "password"            # or "oidc": Streamlit's OpenID Connect login, configured in [auth]
    operators = ["teacher"]       # names (or, with oidc, e-mail addresses) that see and cancel every job
    max_queued_jobs = 2           # per person, jobs queued or running at once (0: no limit)
    max_total_steps = 20000       # per person, their steps together (0: no limit)

    [access.accounts]             # login = "password": one line per person, from `python -m ui.access`
    teacher = "scrypt$16384$8$1$<salt>$<hash>"

Only salted scrypt hashes are stored; a sign-in is compared in constant time, and an unknown name
costs the same scrypt as a known one. :class:`Attempts` refuses sign-ins for a name or from an
address after :data:`MAX_FAILURES` failures within :data:`FAILURE_WINDOW_S` seconds.
"""

from __future__ import annotations

import argparse
import base64
import getpass
import hashlib
import hmac
import importlib.util
import os
import re
import secrets
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

#: The environment variable ``ui.launch`` sets: "1" when the dashboard is shared.
SHARE_ENV = "AGGREGATION_SHARE"
LOGINS = ("password", "oidc")
#: Limits per person when ``[access]`` names none (a shared dashboard is never unlimited by accident).
DEFAULT_MAX_QUEUED_JOBS = 2
DEFAULT_MAX_TOTAL_STEPS = 20_000
#: Failed sign-ins allowed per name and per address within the window.
MAX_FAILURES = 5
FAILURE_WINDOW_S = 600.0
#: scrypt's cost (n = 2^14, r = 8: 16 MiB and about 50 ms per sign-in).
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}")


def truthy(value) -> bool:
    return str(value or "").strip().lower() in ("1", "true", "yes", "on")


def shared(environ: Mapping[str, str] | None = None) -> bool:
    """Whether the dashboard was started to be shared (``--share`` / ``AGGREGATION_SHARE=1``)."""
    return truthy((os.environ if environ is None else environ).get(SHARE_ENV))


# ------------------------------------------------------------------ hashes
def hash_secret(
    secret: str, *, salt: bytes | None = None, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P
) -> str:
    """``scrypt$n$r$p$salt$hash`` (base64) of a password or token, with a random 16-byte salt."""
    salt = os.urandom(16) if salt is None else salt
    digest = hashlib.scrypt(secret.encode(), salt=salt, n=n, r=r, p=p, dklen=32, maxmem=64 * 2**20)
    b64 = lambda b: base64.b64encode(b).decode()  # noqa: E731
    return f"scrypt${n}${r}${p}${b64(salt)}${b64(digest)}"


def _parse_hash(stored: str):
    parts = stored.split("$") if isinstance(stored, str) else []
    if len(parts) != 6 or parts[0] != "scrypt":
        return None
    try:
        n, r, p = (int(x) for x in parts[1:4])
        salt, digest = base64.b64decode(parts[4], validate=True), base64.b64decode(parts[5], validate=True)
    except ValueError:
        return None
    if not (
        2 <= n <= 2**20
        and n & (n - 1) == 0
        and 1 <= r <= 32
        and 1 <= p <= 16
        and len(salt) >= 8
        and len(digest) >= 16
        and n * r * 128 <= 64 * 2**20
    ):
        return None
    return n, r, p, salt, digest


def is_hash(stored) -> bool:
    return _parse_hash(stored) is not None


_DUMMY = hash_secret("not a password", salt=b"\0" * 16)


def verify_secret(secret: str, stored: str | None) -> bool:
    """Whether ``secret`` matches ``stored`` (constant-time compare; a missing or malformed hash costs the
    same scrypt and never matches)."""
    parsed = _parse_hash(stored) if stored is not None else None
    n, r, p, salt, digest = parsed or _parse_hash(_DUMMY)
    computed = hashlib.scrypt(secret.encode(), salt=salt, n=n, r=r, p=p, dklen=len(digest), maxmem=64 * 2**20)
    return hmac.compare_digest(computed, digest) and parsed is not None


# ------------------------------------------------------------------ configuration
@dataclass(frozen=True)
class AccessConfig:
    """How the dashboard is shared: ``shared`` (listening on the network), ``login`` (None: no sign-in is
    configured, so nobody can train on a shared dashboard), the accounts (name -> hash), the operators,
    the per-person limits (None: no limit), the OIDC provider's name (None: ``[auth]`` itself) and the
    ``problems`` found in the configuration, in words for the page."""

    shared: bool = False
    login: str | None = None
    accounts: Mapping[str, str] = field(default_factory=dict)
    operators: frozenset[str] = frozenset()
    max_queued_jobs: int | None = None
    max_total_steps: int | None = None
    provider: str | None = None
    problems: tuple[str, ...] = ()

    @property
    def can_sign_in(self) -> bool:
        return self.login is not None and not self.problems


def read_config(secrets_: Mapping, environ: Mapping[str, str] | None = None) -> AccessConfig:
    """The :class:`AccessConfig` from the secrets (``[access]``, and ``[auth]`` for OIDC) and the environment."""
    is_shared = shared(environ)
    if not is_shared:
        return AccessConfig()
    section = secrets_.get("access") if isinstance(secrets_, Mapping) else None
    if section is None:
        return AccessConfig(
            shared=True,
            problems=(
                "no sign-in is configured: add an [access] section to .streamlit/secrets.toml (README, “Sharing the "
                "dashboard”)",
            ),
        )
    if not isinstance(section, Mapping):
        return AccessConfig(shared=True, problems=("[access] in .streamlit/secrets.toml must be a table",))
    problems = []
    login = section.get("login")
    if login not in LOGINS:
        problems.append(f"[access] login must be \"password\" or \"oidc\" (got {str(login)[:40]!r})")
        login = None
    accounts: dict[str, str] = {}
    if login == "password":
        raw = section.get("accounts")
        if not isinstance(raw, Mapping) or not raw:
            problems.append("[access.accounts] lists no accounts: add one with python -m ui.access password NAME")
        else:
            for name, stored in raw.items():
                if not _NAME.fullmatch(str(name)):
                    problems.append(
                        f"[access.accounts]: {str(name)[:40]!r} is not a usable name (letters, digits "
                        "and . _ @ + -, at most 64)"
                    )
                elif not is_hash(stored):
                    problems.append(
                        f"[access.accounts] {name}: not a hash made by python -m ui.access (it must start with scrypt$)"
                    )
                else:
                    accounts[str(name)] = stored
    provider = section.get("provider")
    if login == "oidc":
        auth = secrets_.get("auth")
        if not isinstance(auth, Mapping):
            problems.append(
                "login = \"oidc\" needs Streamlit's [auth] section in .streamlit/secrets.toml "
                "(redirect_uri, cookie_secret, client_id, client_secret, server_metadata_url)"
            )
        elif provider is not None and not isinstance(auth.get(str(provider)), Mapping):
            problems.append(f"[access] provider = {str(provider)[:40]!r} but there is no [auth.{str(provider)[:40]}]")
        if not authlib_installed():
            problems.append(
                "Streamlit's OpenID Connect login needs the Authlib package (pip install "
                "'streamlit[auth]'), which is not installed here"
            )
    operators = section.get("operators", [])
    if not isinstance(operators, (list, tuple)) or not all(isinstance(o, str) for o in operators):
        problems.append("[access] operators must be a list of names")
        operators = []
    limits = {}
    for key, default in (("max_queued_jobs", DEFAULT_MAX_QUEUED_JOBS), ("max_total_steps", DEFAULT_MAX_TOTAL_STEPS)):
        value = section.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            problems.append(f"[access] {key} must be a whole number >= 0 (0: no limit), got {repr(value)[:40]}")
            value = default
        limits[key] = value or None
    return AccessConfig(
        shared=True,
        login=login,
        accounts=accounts,
        operators=frozenset(o.strip().lower() for o in operators),
        provider=provider,
        problems=tuple(problems),
        **limits,
    )


def authlib_installed() -> bool:
    """Whether the package Streamlit's ``st.login`` needs is installed."""
    return importlib.util.find_spec("authlib") is not None


def owner_of_oidc_user(user: Mapping) -> str | None:
    """The owner name of an OpenID Connect identity (``st.user``): its e-mail address in lower case, else
    ``oidc:<sub>``; None when it carries neither."""
    email = user.get("email")
    if isinstance(email, str) and email.strip():
        return email.strip().lower()
    sub = user.get("sub")
    return f"oidc:{sub}" if isinstance(sub, str) and sub else None


# ------------------------------------------------------------------ failed sign-ins
class Attempts:
    """Failed sign-ins per key (a name, an address), remembered for ``window_s``; a key with
    ``max_failures`` failures in the window is refused until the oldest one leaves it. Thread-safe (one
    per server: every session shares it)."""

    def __init__(self, max_failures: int = MAX_FAILURES, window_s: float = FAILURE_WINDOW_S, clock=time.monotonic):
        self.max_failures, self.window_s, self.clock = max_failures, window_s, clock
        self._failures: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> list[float]:
        kept = [t for t in self._failures.get(key, []) if now - t < self.window_s]
        if kept:
            self._failures[key] = kept
        else:
            self._failures.pop(key, None)
        return kept

    def wait_s(self, keys) -> float:
        """Seconds until a sign-in for ``keys`` may be tried again (0: now)."""
        now = self.clock()
        with self._lock:
            waits = [
                recent[-self.max_failures] + self.window_s - now
                for key in keys
                if len(recent := self._recent(key, now)) >= self.max_failures
            ]
        return max(waits, default=0.0)

    def failed(self, keys) -> None:
        now = self.clock()
        with self._lock:
            for key in keys:
                self._failures.setdefault(key, []).append(now)

    def succeeded(self, keys) -> None:
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)


# ------------------------------------------------------------------ the operator's command line
def _line(name: str, secret: str) -> str:
    return f'{name} = "{hash_secret(secret)}"'


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ui.access", description="Make the [access.accounts] line for a person of a shared dashboard."
    )
    parser.add_argument(
        "kind",
        choices=["password", "token"],
        help="password: type one (asked twice); token: a random one is made and printed once",
    )
    parser.add_argument("name", help="the person's sign-in name (letters, digits and . _ @ + -)")
    args = parser.parse_args(argv)
    if not _NAME.fullmatch(args.name):
        parser.error("a name is letters, digits and . _ @ + -, at most 64 characters")
    if args.kind == "token":
        secret = secrets.token_urlsafe(18)
        print(f"token for {args.name} (give it to them; it is not stored anywhere): {secret}", file=sys.stderr)
    else:
        secret = getpass.getpass(f"password for {args.name}: ")
        if len(secret) < 8:
            parser.error("use at least 8 characters")
        if getpass.getpass("again: ") != secret:
            parser.error("the two passwords differ")
    print("# add under [access.accounts] in .streamlit/secrets.toml:", file=sys.stderr)
    print(_line(args.name, secret))
    return 0


if __name__ == "__main__":
    sys.exit(main())
