"""Durable job records on the dashboard side: one SQLite file (``jobs.sqlite3``) in the data folder.

Past jobs stay listed, with their settings, progress events and results, after the dashboard
restarts; Huey's own result store is never used as the record. Each call opens its own
connection (safe from Streamlit's threads); writes that decide a transition are conditional
(``UPDATE ... WHERE state = ? AND attempt = ?``) so two dashboard sessions polling the same
job cannot both act on it.

Every job has an ``owner`` (the signed-in person of a shared dashboard; null for jobs started on
a dashboard without a login). A :class:`Quota` (jobs queued or running at once, and their steps
together, per owner) is checked in the same transaction that inserts the job, so two sessions of
one person cannot both slip under it. Records written before a column existed are upgraded in
place when the file is opened.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from contextlib import closing
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path

TERMINAL = ("finished", "failed", "cancelled")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    created_at REAL NOT NULL,
    spec TEXT NOT NULL,
    settings TEXT,
    state TEXT NOT NULL,
    step INTEGER NOT NULL DEFAULT 0,
    total_steps INTEGER NOT NULL DEFAULT 0,
    message TEXT,
    error TEXT,
    started_at REAL,
    finished_at REAL,
    updated_at REAL NOT NULL,
    attempt INTEGER NOT NULL DEFAULT 1,
    beat INTEGER,
    beat_seen_at REAL,
    worker TEXT,
    device TEXT,
    n_events INTEGER NOT NULL DEFAULT 0,
    events TEXT,
    result TEXT,
    owner TEXT,
    queue_marked INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS jobs_created ON jobs (created_at);
"""
#: Columns added after the first release, with their definitions (added to older files when opened).
_ADDED_COLUMNS = {"owner": "TEXT", "queue_marked": "INTEGER NOT NULL DEFAULT 0"}
STATES = ("queued", "running", *TERMINAL)
ACTIVE = ("queued", "running")


@dataclass(frozen=True)
class Quota:
    """Per-owner limits on jobs that are queued or running: how many at once (``max_queued_jobs``) and
    their steps together (``max_total_steps``); None: no limit."""

    max_queued_jobs: int | None = None
    max_total_steps: int | None = None

    def refusal(self, jobs: int, steps: int, new_steps: int) -> str | None:
        """Why a new job of ``new_steps`` steps is refused when the owner has ``jobs`` jobs of ``steps``
        steps queued or running (None: accepted)."""
        if self.max_queued_jobs is not None and jobs + 1 > self.max_queued_jobs:
            return (
                f"you already have {jobs} job{'s' * (jobs != 1)} queued or running, and each person may have "
                f"at most {self.max_queued_jobs} at a time; wait for one to finish or cancel one"
            )
        if self.max_total_steps is not None and steps + new_steps > self.max_total_steps:
            now = f"your queued and running jobs have {steps:,} steps, so " if steps else ""
            return (
                f"{now}this job's {new_steps:,} steps would bring them to {steps + new_steps:,}; each person may "
                f"have at most {self.max_total_steps:,} steps queued or running at a time"
            )
        return None


def set_refusal(quota: "Quota | None", jobs: int, steps: int, new_jobs: int, new_steps: int) -> str | None:
    """Why a set of ``new_jobs`` jobs of ``new_steps`` steps together (an experiment) is refused by ``quota``
    when the owner has ``jobs`` jobs of ``steps`` steps queued or running (None: accepted). A set is accepted
    whole or not at all."""
    if quota is None:
        return None
    if quota.max_queued_jobs is not None and jobs + new_jobs > quota.max_queued_jobs:
        return (
            f"this experiment has {new_jobs} runs, each a job; you have {jobs} queued or running, and each "
            f"person may have at most {quota.max_queued_jobs} at a time. Use fewer seeds, or ask the operator "
            "to run it"
        )
    if quota.max_total_steps is not None and steps + new_steps > quota.max_total_steps:
        return (
            f"this experiment's runs have {new_steps:,} steps together; with your {steps:,} queued or running "
            f"that makes {steps + new_steps:,}, and each person may have at most {quota.max_total_steps:,}"
        )
    return None


class LimitReached(RuntimeError):
    """A job refused by the owner's :class:`Quota` (the message says which limit and what to do)."""


class UnreadableRecord(ValueError):
    """A job record that cannot be read (damaged JSON, an unknown state, ...)."""


class JobList(list):
    """The jobs listed (a list of :class:`JobRecord`), and ``unreadable``: ``(job id, reason)`` of the
    records that were skipped because they were unreadable."""

    def __init__(self, records=(), unreadable=()):
        super().__init__(records)
        self.unreadable: list[tuple[str, str]] = list(unreadable)


@dataclass(frozen=True)
class JobStatus:
    """Where a job stands. Times are seconds since the epoch (UTC); ``fraction`` is step / total
    (1 when finished); ``message`` says what is happening, ``error`` why it failed."""

    job_id: str
    state: str
    step: int
    total_steps: int
    fraction: float
    message: str | None
    error: str | None
    created_at: float
    started_at: float | None
    finished_at: float | None
    updated_at: float
    attempt: int = 1
    worker: str | None = None
    device: str | None = None
    owner: str | None = None

    @property
    def done(self) -> bool:
        return self.state in TERMINAL

    def to_dict(self) -> dict:
        return asdict(self)


def settings_of(spec: dict) -> dict:
    """A spec without its population (which can be megabytes), plus a digest of the population:
    enough to list a job and to tell whether two jobs trained on the same thing."""
    digest = hashlib.sha256(json.dumps(spec["population"], sort_keys=True).encode()).hexdigest()[:16]
    return {**{k: v for k, v in spec.items() if k != "population"}, "population_digest": digest}


@dataclass(frozen=True)
class JobRecord:
    """A job as listed: its id, its settings (the spec without the population), and its status.

    ``spec`` (the full normalised spec, population included) is parsed from its stored JSON only
    when asked for, so that listing many jobs on large populations stays cheap.
    """

    job_id: str
    settings: dict = field(repr=False)
    status: JobStatus
    spec_json: str = field(repr=False, default="{}")

    @cached_property
    def spec(self) -> dict:
        return json.loads(self.spec_json)

    @property
    def created_at(self) -> float:
        return self.status.created_at

    @property
    def method(self) -> str:
        return self.settings["method"]

    @property
    def name(self) -> str | None:
        return self.settings.get("name")

    @property
    def owner(self) -> str | None:
        return self.status.owner

    @property
    def summary(self) -> str:
        from .spec import describe_spec

        return describe_spec(self.settings)


class JobStore:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as con:
            con.execute("PRAGMA journal_mode=WAL")
            con.executescript(_SCHEMA)
            present = {row["name"] for row in con.execute("PRAGMA table_info(jobs)")}
            for column, definition in _ADDED_COLUMNS.items():
                if column not in present:
                    try:
                        con.execute(f"ALTER TABLE jobs ADD COLUMN {column} {definition}")
                    except sqlite3.OperationalError as exc:  # another process added it first
                        if "duplicate column" not in str(exc):
                            raise

    def _connect(self) -> sqlite3.Connection:
        con = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        con.row_factory = sqlite3.Row
        return con

    def insert(self, job_id: str, spec: dict, owner: str | None = None, quota: Quota | None = None) -> None:
        """Record a new queued job; with a ``quota``, only if the owner's queued and running jobs stay
        within it (checked in the same transaction), else :class:`LimitReached`."""
        now = time.time()
        with closing(self._connect()) as con:
            con.execute("BEGIN IMMEDIATE")
            try:
                if quota is not None:
                    jobs, steps = self._usage(con, owner)
                    refusal = quota.refusal(jobs, steps, int(spec["steps"]))
                    if refusal:
                        raise LimitReached(refusal)
                con.execute(
                    "INSERT INTO jobs (id, created_at, spec, settings, state, total_steps, message, updated_at, "
                    "owner) VALUES (?, ?, ?, ?, 'queued', ?, ?, ?, ?)",
                    (
                        job_id,
                        now,
                        json.dumps(spec),
                        json.dumps(settings_of(spec)),
                        spec["steps"],
                        "waiting for a worker",
                        now,
                        owner,
                    ),
                )
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")

    @staticmethod
    def _usage(con, owner: str | None) -> tuple[int, int]:
        row = con.execute(
            "SELECT COUNT(*), COALESCE(SUM(total_steps), 0) FROM jobs WHERE owner IS ? AND state IN "
            "('queued', 'running')",
            (owner,),
        ).fetchone()
        return int(row[0]), int(row[1])

    def usage(self, owner: str | None) -> tuple[int, int]:
        """``(jobs, steps)``: how many of ``owner``'s jobs are queued or running, and their steps together."""
        with closing(self._connect()) as con:
            return self._usage(con, owner)

    def delete(self, job_id: str) -> None:
        with closing(self._connect()) as con:
            con.execute("DELETE FROM jobs WHERE id = ?", (job_id,))

    def row(self, job_id: str) -> sqlite3.Row | None:
        with closing(self._connect()) as con:
            return con.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()

    def rows(self, limit: int | None = None, owner: str | None = None, *, everyone: bool = True) -> list[sqlite3.Row]:
        """Newest first: every job (``everyone``), or only ``owner``'s."""
        sql, args = "SELECT * FROM jobs", []
        if not everyone:
            sql += " WHERE owner IS ?"
            args.append(owner)
        sql += " ORDER BY created_at DESC"
        if limit:
            sql += " LIMIT ?"
            args.append(limit)
        with closing(self._connect()) as con:
            return con.execute(sql, args).fetchall()

    def queued_before(self, created_at: float) -> int:
        with closing(self._connect()) as con:
            return con.execute(
                "SELECT COUNT(*) FROM jobs WHERE state = 'queued' AND created_at < ?", (created_at,)
            ).fetchone()[0]

    def update(
        self, job_id: str, *, expect_state: str | None = None, expect_attempt: int | None = None, **values
    ) -> bool:
        """Set columns; with ``expect_*`` only if the row still has that state / attempt.
        Returns whether the row was changed."""
        values["updated_at"] = time.time()
        for key in ("events", "result"):
            if key in values and values[key] is not None and not isinstance(values[key], str):
                values[key] = json.dumps(values[key])
        sets = ", ".join(f"{k} = ?" for k in values)
        sql, args = f"UPDATE jobs SET {sets} WHERE id = ?", [*values.values(), job_id]
        if expect_state is not None:
            sql += " AND state = ?"
            args.append(expect_state)
        if expect_attempt is not None:
            sql += " AND attempt = ?"
            args.append(expect_attempt)
        with closing(self._connect()) as con:
            return con.execute(sql, args).rowcount > 0


def status_from_row(row: sqlite3.Row) -> JobStatus:
    if row["state"] not in STATES:
        raise UnreadableRecord(f"unknown state {str(row['state'])[:40]!r}")
    total = int(row["total_steps"] or 0)
    step = int(row["step"] or 0)
    fraction = 1.0 if row["state"] == "finished" else (min(step / total, 1.0) if total else 0.0)
    return JobStatus(
        job_id=row["id"],
        state=row["state"],
        step=step,
        total_steps=total,
        fraction=fraction,
        message=row["message"],
        error=row["error"],
        created_at=row["created_at"],
        started_at=row["started_at"],
        finished_at=row["finished_at"],
        updated_at=row["updated_at"],
        attempt=row["attempt"],
        worker=row["worker"],
        device=row["device"],
        owner=row["owner"],
    )


def record_from_row(row: sqlite3.Row) -> JobRecord:
    """The record of a row, or :class:`UnreadableRecord` saying what is wrong with it."""
    try:
        settings = json.loads(row["settings"]) if row["settings"] else settings_of(json.loads(row["spec"]))
        if not isinstance(settings, dict) or not isinstance(settings.get("method"), str):
            raise UnreadableRecord("its settings are not a job's settings")
        return JobRecord(job_id=row["id"], settings=settings, status=status_from_row(row), spec_json=row["spec"])
    except UnreadableRecord:
        raise
    except (ValueError, TypeError, KeyError) as exc:
        raise UnreadableRecord(f"{type(exc).__name__}: {str(exc)[:120]}") from None
