"""Where jobs live: the data folder, the queue, and the reliability settings.

Read from the environment by :meth:`WorkerConfig.from_env` (the dashboard, the local worker
and remote workers all use the same variables):

* ``AGGREGATION_DATA_DIR`` [``<repo>/data``]: the job records (``jobs.sqlite3``, dashboard
  side), the SQLite queue (``queue.sqlite3``), the local worker's PID file and log, and each
  run's folder (``runs/<job>-<attempt>/``, worker side).
* ``AGGREGATION_QUEUE_URL`` [unset: SQLite in the data folder]: ``redis://[:password@]host:port/db``
  (or ``rediss://`` for TLS) to share one queue between the dashboard and workers on other
  machines. A Redis queue must have a password: in the URL or in
  ``AGGREGATION_QUEUE_PASSWORD``.
* ``AGGREGATION_QUEUE_NAME`` [``aggregation-jobs``].
* ``AGGREGATION_STALE_AFTER_S`` [60]: a running job whose worker has not sent a heartbeat
  for this long is marked failed (or retried).
* ``AGGREGATION_JOB_RETRIES`` [0]: how many times a job whose worker was lost is queued again.
* ``AGGREGATION_MODEL_DIRS`` [unset: only the built-in tiny model]: the operator's model folders,
  separated by ``:``. Each subfolder holding a ``config.json`` is a model a job may name (by the
  subfolder's name, never by a path); the dashboard lists those of its own folders, and a worker
  loads a model only from its own folders (:mod:`worker.catalog`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_QUEUE_NAME = "aggregation-jobs"
REDIS_SCHEMES = ("redis", "rediss")


class QueueConfigError(ValueError):
    """The queue configuration cannot work (message says what to change)."""


@dataclass(frozen=True, repr=False)
class WorkerConfig:
    data_dir: Path = REPO_ROOT / "data"
    queue_url: str | None = None
    queue_password: str | None = None
    queue_name: str = DEFAULT_QUEUE_NAME
    stale_after_s: float = 60.0
    max_retries: int = 0
    heartbeat_s: float = 1.0
    model_dirs: tuple[Path, ...] = ()

    def __post_init__(self):
        object.__setattr__(self, "data_dir", Path(self.data_dir).expanduser().resolve())
        dirs = self.model_dirs.split(os.pathsep) if isinstance(self.model_dirs, str) else self.model_dirs
        object.__setattr__(self, "model_dirs", tuple(Path(d).expanduser().resolve() for d in dirs if str(d).strip()))
        if self.queue_url is not None and not str(self.queue_url).strip():
            object.__setattr__(self, "queue_url", None)
        if self.queue_url is not None:
            scheme = urlsplit(self.queue_url).scheme
            if scheme not in REDIS_SCHEMES:
                raise QueueConfigError(
                    f"AGGREGATION_QUEUE_URL must start with redis:// or rediss:// (got {scheme or 'no scheme'!r}); "
                    "leave it unset for the built-in SQLite queue"
                )
            if not self.password:
                raise QueueConfigError(
                    "a Redis queue must be used with a password: put it in the URL (redis://:PASSWORD@host:6379/0) "
                    "or in AGGREGATION_QUEUE_PASSWORD, and start redis-server with --requirepass"
                )
        if not self.stale_after_s > self.heartbeat_s:
            raise QueueConfigError("the stale-job limit must be longer than the heartbeat interval")
        if self.max_retries < 0:
            raise QueueConfigError("the number of retries cannot be negative")

    @classmethod
    def from_env(cls, environ=None, **overrides) -> "WorkerConfig":
        env = os.environ if environ is None else environ
        values: dict = {}
        if env.get("AGGREGATION_DATA_DIR"):
            values["data_dir"] = Path(env["AGGREGATION_DATA_DIR"])
        if env.get("AGGREGATION_QUEUE_URL"):
            values["queue_url"] = env["AGGREGATION_QUEUE_URL"]
        if env.get("AGGREGATION_QUEUE_PASSWORD"):
            values["queue_password"] = env["AGGREGATION_QUEUE_PASSWORD"]
        if env.get("AGGREGATION_QUEUE_NAME"):
            values["queue_name"] = env["AGGREGATION_QUEUE_NAME"]
        if env.get("AGGREGATION_MODEL_DIRS"):
            values["model_dirs"] = env["AGGREGATION_MODEL_DIRS"]
        for key, var, kind in (
            ("stale_after_s", "AGGREGATION_STALE_AFTER_S", float),
            ("max_retries", "AGGREGATION_JOB_RETRIES", int),
        ):
            if env.get(var):
                try:
                    values[key] = kind(env[var])
                except ValueError:
                    raise QueueConfigError(f"{var} must be a number, got {env[var]!r}") from None
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def __repr__(self) -> str:  # never shows the queue password
        return (
            f"WorkerConfig(data_dir={str(self.data_dir)!r}, queue={self.describe()!r}, "
            f"stale_after_s={self.stale_after_s}, max_retries={self.max_retries})"
        )

    def with_(self, **changes) -> "WorkerConfig":
        return replace(self, **changes)

    @property
    def backend(self) -> str:
        return "redis" if self.queue_url else "sqlite"

    @property
    def password(self) -> str | None:
        if self.queue_url is None:
            return None
        return urlsplit(self.queue_url).password or self.queue_password

    @property
    def queue_file(self) -> Path:
        return self.data_dir / "queue.sqlite3"

    @property
    def records_file(self) -> Path:
        return self.data_dir / "jobs.sqlite3"

    @property
    def runs_dir(self) -> Path:
        return self.data_dir / "runs"

    @property
    def pid_file(self) -> Path:
        return self.data_dir / "worker.pid"

    @property
    def dashboards_dir(self) -> Path:
        """One file per running ``worker.local`` supervisor, naming the dashboard it started."""
        return self.data_dir / "dashboards"

    @property
    def worker_silent_s(self) -> float:
        """After this long without a word from any worker, the dashboard says no worker is running."""
        return min(self.stale_after_s, 15.0)

    def describe(self) -> str:
        """The queue in words, without the password."""
        if self.queue_url is None:
            return f"SQLite queue {self.queue_file}"
        parts = urlsplit(self.queue_url)
        host = parts.hostname or ""
        netloc = f"{host}:{parts.port}" if parts.port else host
        return f"Redis queue {urlunsplit((parts.scheme, netloc, parts.path, '', ''))} ({self.queue_name})"
