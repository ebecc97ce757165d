"""The dashboard's side of fine-tuning jobs: submit, watch, cancel, read results, list past jobs.

Usage (the Fine-tuning page polls these; none of them waits for a worker)::

    from worker.client import get_client, JobSpecError

    client = get_client()                      # configured from the environment (worker.config)
    try:
        job_id = client.submit({"population": population_to_dict(p), "method": "dpo", "steps": 200})
    except JobSpecError as exc:                # malformed spec: the message names the field
        st.error(str(exc))
    s = client.status(job_id)                  # JobStatus: state, step, total_steps, fraction, message, error, times
    client.events(job_id)                      # [{"step", "total_steps", "loss", "policy": {alt: p}, "outside_mass", ...}]
    client.cancel(job_id)                      # takes effect within about a second
    client.result(job_id)                      # dict once finished, else None
    client.list_jobs()                         # [JobRecord(job_id, spec, status)], newest first, across restarts

API (exact signatures):

* ``JobClient(data_dir=None, queue_url=None, *, config=None, **settings)``: ``config`` (a
  :class:`~worker.config.WorkerConfig`) wins; otherwise the environment, overridden by
  ``data_dir``, ``queue_url`` and any ``WorkerConfig`` field in ``settings``.
* ``submit(spec: dict) -> str``: validates (:func:`worker.spec.validate_spec`; raises
  :class:`JobSpecError`, an ``AggregationError``, naming the field), records and queues the job;
  raises :class:`QueueUnavailable` when the queue cannot be reached (nothing is recorded then).
* ``submit_experiment(name, backend="tabular", seeds=None, *, owner=None, quota=None) -> (experiment_id,
  job_ids)``: every run of one of the papers' experiments (:mod:`worker.experiments`) as a queued job, the
  set checked whole against the quota; the Experiments page groups jobs by their spec's ``experiment``.
* ``status(job_id) -> JobStatus``: ``state`` is one of ``queued``, ``running``, ``finished``,
  ``failed``, ``cancelled``; ``step``, ``total_steps``, ``fraction``, ``message`` / ``error``,
  ``created_at``, ``started_at``, ``finished_at``, ``updated_at`` (seconds since the epoch),
  ``attempt``, ``worker`` (``host:pid``), ``device``.
* ``events(job_id) -> list[dict]``: the progress events so far (at most about 100 per job):
  ``step``, ``total_steps``, ``loss``, ``policy`` (the policy restricted to the alternatives),
  ``outside_mass`` (probability the model puts outside the alternatives), ``elapsed_s``, and
  for self-play ``mixture`` (mixture of iterates) and ``mean_reward``.
* ``cancel(job_id) -> bool``: a queued job is cancelled at once; a running one within about a
  second (the worker kills the trainer's process group). False if it had already ended.
* ``result(job_id) -> dict | None``: see :func:`worker.train.train` for the fields (final
  policy and mixture, trajectory, the dataset's empirical preference matrix with standard
  errors, the core's theory for the population (``theory``: read it with
  :meth:`aggregation.TheoryResult.from_json`), settings, timings).
* ``list_jobs(limit=None) -> list[JobRecord]``: newest first; ``JobRecord.spec`` holds the
  settings, ``.summary`` a one-line description, ``.status`` the :class:`JobStatus`.
* ``models() -> list[str]``: the models a job may name besides ``"tiny"`` (the subfolders with a
  ``config.json`` of this machine's ``AGGREGATION_MODEL_DIRS``, :mod:`worker.catalog`); ``submit``
  refuses any other ``model``.
* ``worker_status() -> WorkerStatus``: whether some worker spoke within ``config.worker_silent_s``
  (every worker says so every 2 s), and how long ago the last one did.
* ``for_user(owner, *, operator=False, quota=None) -> UserJobs``: the same API as one person sees it
  on a shared dashboard: jobs it submits are recorded as ``owner``'s and checked against ``quota``
  (:class:`~worker.records.Quota`, unless ``operator``); it lists, opens and cancels only
  ``owner``'s jobs (an ``operator`` all of them); another person's job is an :class:`UnknownJob`.
  ``usage()`` and ``refusal(steps)`` give the numbers and the words of the quota.
* ``get_client() -> JobClient``: the client for the environment's configuration (cached).
* Spec helpers, re-exported from :mod:`worker.spec`: ``validate_spec(spec) -> dict`` (the
  normalised spec with every default, or :class:`JobSpecError`), ``spec_for(population, method,
  **settings) -> dict`` (from a ``Profile`` / ``RewardPopulation`` object) and
  ``describe_spec(spec) -> str``. The methods themselves (names, families, default beta, the
  fields each reads, their theory) are the core's table, :data:`aggregation.TRAINING_METHODS`.

Unknown job ids raise :class:`UnknownJob` (a ``LookupError``). If the queue is unreachable
(e.g. Redis down), ``status`` / ``events`` / ``list_jobs`` return what the records know with
a message saying so, instead of raising. ``list_jobs`` skips a record it cannot read and names it
in ``.unreadable`` (a :class:`~worker.records.JobList`), so one damaged row never hides the others.
A queued job whose entry the queue lost (emptied, or Redis restarted without persistence) is
marked failed with that reason; so is a running job whose state the queue lost and whose worker
stays silent for ``stale_after_s``.

The exceptions are also attributes of the client (``client.JobSpecError``,
``client.QueueUnavailable``, ``client.UnknownJob``, ``client.LimitReached``), so code handed a client
(the dashboard's ``ui.training`` modules) can catch them without importing this module: only the
page does.

Reliability: a worker sends a heartbeat every second while a job runs; a running job whose
heartbeat stops for ``stale_after_s`` (default 60 s) is marked failed with the reason, or queued
again when ``max_retries`` allows (attempt 2, 3, ...). Jobs run in submission order.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid

import redis.exceptions

from dataclasses import dataclass

from .catalog import BUILT_IN, available_models
from .config import WorkerConfig
from .queue import JobChannel, make_huey
from .records import (
    TERMINAL,
    JobList,
    JobRecord,
    JobStatus,
    JobStore,
    LimitReached,
    Quota,
    UnreadableRecord,
    record_from_row,
    set_refusal,
    status_from_row,
)
from .spec import JobSpecError, describe_spec, spec_for, validate_spec

__all__ = [
    "JobClient",
    "UserJobs",
    "JobStatus",
    "JobRecord",
    "JobList",
    "JobSpecError",
    "UnknownJob",
    "QueueUnavailable",
    "LimitReached",
    "Quota",
    "WorkerStatus",
    "get_client",
    "validate_spec",
    "spec_for",
    "describe_spec",
]

# what a queue that cannot be reached raises (the redis client's errors are not OSErrors)
_QUEUE_ERRORS = (OSError, sqlite3.OperationalError, redis.exceptions.RedisError)


_UNREACHABLE = "cannot reach the"
_CANCELLING = "cancelling..."


class UnknownJob(LookupError):
    def __init__(self, job_id: str):
        super().__init__(f"no job with id {job_id!r} in this dashboard's records")


class QueueUnavailable(RuntimeError):
    """The queue could not be reached (the message says which and why)."""


@dataclass(frozen=True)
class WorkerStatus:
    """Whether some worker spoke lately (``alive``), how many seconds ago the last one did (None: never,
    or the queue cannot be reached), and which one (``worker``, ``host:pid``)."""

    alive: bool
    seconds_ago: float | None
    worker: str | None = None


_LOST = (
    "its entry in the queue is gone: the queue was emptied or restarted without keeping its data "
    "(e.g. Redis without persistence) before a worker took the job; nothing ran. Start it again"
)


class JobClient:
    # the client's exceptions, reachable from an instance (see the module docstring)
    JobSpecError = JobSpecError
    QueueUnavailable = QueueUnavailable
    UnknownJob = UnknownJob
    LimitReached = LimitReached

    def __init__(self, data_dir=None, queue_url=None, *, config: WorkerConfig | None = None, **settings):
        self.config = config or WorkerConfig.from_env(data_dir=data_dir, queue_url=queue_url, **settings)
        self.store = JobStore(self.config.records_file)
        self.huey = make_huey(self.config)
        self.channel = JobChannel(self.huey)

    def __repr__(self) -> str:
        return f"JobClient({self.config.describe()}, records {self.config.records_file})"

    # ------------------------------------------------------------------ API
    def submit(self, spec: dict, *, owner: str | None = None, quota: Quota | None = None) -> str:
        """Validate, record (as ``owner``'s, within ``quota``: else :class:`LimitReached`) and queue a job."""
        normalized = validate_spec(spec)
        if normalized["model"] not in BUILT_IN and normalized["model"] not in self.models():
            raise JobSpecError(
                "model must be 'tiny', 'tabular' or one of the models offered here (the subfolders holding a "
                "config.json in the operator's model folders, AGGREGATION_MODEL_DIRS)"
            )
        job_id = uuid.uuid4().hex
        self.store.insert(job_id, normalized, owner=owner, quota=quota)
        try:
            self._enqueue(job_id, normalized, attempt=1)
        except _QUEUE_ERRORS as exc:
            self.store.delete(job_id)
            raise QueueUnavailable(f"could not queue the job on the {self.config.describe()}: {exc}") from None
        self.store.update(job_id, expect_state=None, queue_marked=1)
        return job_id

    def submit_experiment(
        self,
        name: str,
        backend: str = "tabular",
        seeds: int | None = None,
        *,
        owner: str | None = None,
        quota: Quota | None = None,
    ) -> tuple[str, list[str]]:
        """Submit every run of one of the papers' experiments (:mod:`worker.experiments`) as a queued job of
        ``owner``'s, each spec carrying ``experiment: {name, id, run}``; returns ``(experiment id, job ids)``.
        The set is checked whole against ``quota`` first (:class:`LimitReached` names the limit); if the queue
        fails part-way, the jobs already queued are cancelled and :class:`QueueUnavailable` is raised."""
        from aggregation.experiments import experiment_runs

        runs = experiment_runs(name, backend, seeds)
        experiment_id = uuid.uuid4().hex[:12]
        specs = [
            validate_spec({**run.spec, "experiment": {"name": name, "id": experiment_id, "run": run.id}})
            for run in runs
        ]
        refusal = set_refusal(quota, *self.usage(owner), len(specs), sum(s["steps"] for s in specs))
        if refusal:
            raise LimitReached(refusal)
        job_ids: list[str] = []
        try:
            for spec in specs:
                job_ids.append(self.submit(spec, owner=owner, quota=quota))
        except (QueueUnavailable, LimitReached):
            for job_id in job_ids:
                try:
                    self.cancel(job_id)
                except (QueueUnavailable, UnknownJob):
                    pass
            raise
        return experiment_id, job_ids

    def models(self) -> list[str]:
        """The model names a job may use besides the built-in ``"tiny"`` and ``"tabular"`` (this machine's model folders)."""
        return available_models(self.config.model_dirs)

    def worker_status(self) -> WorkerStatus:
        try:
            beat = self.channel.worker_beat()
        except _QUEUE_ERRORS:
            return WorkerStatus(False, None)
        if not isinstance(beat, dict) or not isinstance(beat.get("at"), (int, float)):
            return WorkerStatus(False, None)
        ago = max(0.0, time.time() - beat["at"])
        return WorkerStatus(ago <= self.config.worker_silent_s, ago, beat.get("worker"))

    def usage(self, owner: str | None) -> tuple[int, int]:
        """``(jobs, steps)`` of ``owner``'s jobs that are queued or running."""
        return self.store.usage(owner)

    def for_user(self, owner: str | None, *, operator: bool = False, quota: Quota | None = None) -> "UserJobs":
        return UserJobs(self, owner, operator=operator, quota=quota)

    def status(self, job_id: str, *, owner: str | None = None, everyone: bool = True) -> JobStatus:
        return status_from_row(self._synced_row(job_id, owner, everyone))

    def events(self, job_id: str, *, owner: str | None = None, everyone: bool = True) -> list[dict]:
        row = self._synced_row(job_id, owner, everyone)
        return json.loads(row["events"]) if row["events"] else []

    def result(self, job_id: str, *, owner: str | None = None, everyone: bool = True) -> dict | None:
        row = self._synced_row(job_id, owner, everyone)
        return json.loads(row["result"]) if row["state"] == "finished" and row["result"] else None

    def cancel(self, job_id: str, *, owner: str | None = None, everyone: bool = True) -> bool:
        row = self._synced_row(job_id, owner, everyone)
        if row["state"] in TERMINAL:
            return False
        try:
            self.channel.request_cancel(job_id)
            self.huey.revoke_by_id(_task_id(job_id, row["attempt"]))
        except _QUEUE_ERRORS as exc:
            raise QueueUnavailable(f"could not reach the {self.config.describe()} to cancel: {exc}") from None
        now = time.time()
        if self.store.update(
            job_id, expect_state="queued", state="cancelled", finished_at=now, message="cancelled before it started"
        ):
            return True
        self.store.update(job_id, expect_state="running", message=_CANCELLING)
        return True

    def list_jobs(self, limit: int | None = None, *, owner: str | None = None, everyone: bool = True) -> JobList:
        """Newest first (every job, or only ``owner``'s when not ``everyone``); a record that cannot be read
        is skipped and named in the list's ``unreadable``."""
        out = JobList()
        for row in self.store.rows(limit, owner, everyone=everyone):
            try:
                if row["state"] not in TERMINAL:
                    row = self._sync(row)
                out.append(record_from_row(row))
            except (UnreadableRecord, ValueError, TypeError, KeyError) as exc:
                out.unreadable.append((str(row["id"]), str(exc) or type(exc).__name__))
        return out

    def record(self, job_id: str, *, owner: str | None = None, everyone: bool = True) -> JobRecord:
        return record_from_row(self._synced_row(job_id, owner, everyone))

    # ------------------------------------------------------------------ syncing with the workers
    def _enqueue(self, job_id: str, spec: dict, attempt: int) -> None:
        self.channel.mark_queued(job_id, attempt)  # before the task: a worker may take it at once
        task = self.huey.run_job.s(job_id, spec, attempt, id=_task_id(job_id, attempt))
        self.huey.enqueue(task)

    def _row(self, job_id: str, owner: str | None = None, everyone: bool = True):
        row = self.store.row(job_id)
        if row is None or not (everyone or row["owner"] == owner):
            raise UnknownJob(job_id)  # another person's job is as unknown as a job that never existed
        return row

    def _synced_row(self, job_id: str, owner: str | None = None, everyone: bool = True):
        row = self._row(job_id, owner, everyone)
        return row if row["state"] in TERMINAL else self._sync(row)

    def _sync(self, row):
        """Bring a non-final record up to date with what the workers reported."""
        job_id = row["id"]
        try:
            kv = self.channel.state(job_id)
        except _QUEUE_ERRORS as exc:
            self.store.update(job_id, message=f"{_UNREACHABLE} {self.config.describe()}: {exc}")
            return self.store.row(job_id)
        if kv is None or kv.get("attempt", 1) != row["attempt"]:
            if row["state"] == "queued" and row["queue_marked"] and self._lost(row):
                self.store.update(
                    job_id,
                    expect_state="queued",
                    expect_attempt=row["attempt"],
                    state="failed",
                    finished_at=time.time(),
                    message=None,
                    error=_LOST,
                )
                return self.store.row(job_id)
            if (
                row["state"] == "running"
                and row["beat_seen_at"] is not None
                and time.time() - row["beat_seen_at"] > self.config.stale_after_s
            ):
                return self._worker_lost(row, {}, time.time())  # the queue lost its state and the worker is silent
            if row["state"] == "queued" and (row["message"] or "").startswith(("waiting for a worker", _UNREACHABLE)):
                ahead = self.store.queued_before(row["created_at"])
                msg = "waiting for a worker" + (f" ({ahead} job{'s' * (ahead != 1)} ahead)" if ahead else "")
                if msg != row["message"]:
                    self.store.update(job_id, expect_state="queued", message=msg)
                    return self.store.row(job_id)
            return row
        state = kv.get("state")
        values = {
            k: kv.get(k) for k in ("step", "total_steps", "started_at", "worker", "device") if kv.get(k) is not None
        }
        if kv.get("n_events", 0) != row["n_events"] or state in TERMINAL:
            try:
                events = self.channel.events(job_id)
                values.update(events=events, n_events=len(events))
            except _QUEUE_ERRORS:
                pass
        if state in TERMINAL:
            values.update(
                state=state,
                finished_at=kv.get("finished_at") or time.time(),
                message=kv.get("message"),
                error=kv.get("error"),
            )
            if state == "finished":
                try:
                    values["result"] = self.channel.result(job_id)
                except _QUEUE_ERRORS as exc:
                    self.store.update(job_id, message=f"finished; the result could not be fetched yet: {exc}")
                    return self.store.row(job_id)
            self.store.update(job_id, expect_attempt=row["attempt"], **values)
            return self.store.row(job_id)
        # running: heartbeat bookkeeping on this machine's clock
        now = time.time()
        beat = kv.get("beat")
        values["state"] = "running"
        if row["message"] != _CANCELLING:
            values["message"] = kv.get("message")
        if beat != row["beat"] or row["beat_seen_at"] is None:
            values.update(beat=beat, beat_seen_at=now)
            self.store.update(job_id, expect_attempt=row["attempt"], **values)
            return self.store.row(job_id)
        if now - row["beat_seen_at"] > self.config.stale_after_s:
            return self._worker_lost(row, kv, now)
        changed = {k: v for k, v in values.items() if row[k] != v}
        if changed:
            self.store.update(job_id, expect_attempt=row["attempt"], **changed)
            return self.store.row(job_id)
        return row

    def _lost(self, row) -> bool:
        """Whether the queue no longer holds this queued job's task (its marker went with it)."""
        try:
            mark = self.channel.queued_mark(row["id"])
        except _QUEUE_ERRORS:
            return False
        if mark is not None and mark.get("attempt") == row["attempt"]:
            return False
        try:  # a worker may have taken it between the two reads: then its state is there now
            kv = self.channel.state(row["id"])
        except _QUEUE_ERRORS:
            return False
        return kv is None or kv.get("attempt", 1) != row["attempt"]

    def _worker_lost(self, row, kv, now):
        job_id, attempt = row["id"], row["attempt"]
        silent = now - row["beat_seen_at"]
        reason = (
            f"the worker {kv.get('worker') or row['worker'] or '?'} stopped sending heartbeats {silent:.0f} s ago "
            f"(after step {row['step']} of {row['total_steps']}); it was probably killed or lost its connection"
        )
        if row["message"] == _CANCELLING:  # it was being cancelled anyway
            self.store.update(
                job_id,
                expect_state="running",
                expect_attempt=attempt,
                state="cancelled",
                finished_at=now,
                message=f"cancelled; its worker had stopped responding ({reason})",
            )
        elif attempt <= self.config.max_retries:
            if self.store.update(
                job_id,
                expect_state="running",
                expect_attempt=attempt,
                state="queued",
                attempt=attempt + 1,
                step=0,
                beat=None,
                beat_seen_at=None,
                started_at=None,
                worker=None,
                device=None,
                n_events=0,
                events=None,
                message=f"queued again: {reason}",
            ):
                spec = json.loads(row["spec"])
                try:
                    self._enqueue(job_id, spec, attempt + 1)
                except _QUEUE_ERRORS as exc:
                    self.store.update(
                        job_id, state="failed", finished_at=now, error=f"{reason}; re-queueing failed: {exc}"
                    )
        else:
            self.store.update(
                job_id,
                expect_state="running",
                expect_attempt=attempt,
                state="failed",
                finished_at=now,
                error=reason,
                message=None,
            )
        return self.store.row(job_id)


def _task_id(job_id: str, attempt: int) -> str:
    return f"{job_id}-{attempt}"


class UserJobs:
    """The job API as one person sees it (see :meth:`JobClient.for_user`): the same methods as
    :class:`JobClient`, bound to ``owner``; an ``operator`` sees and cancels every job."""

    JobSpecError = JobSpecError
    QueueUnavailable = QueueUnavailable
    UnknownJob = UnknownJob
    LimitReached = LimitReached

    def __init__(self, client: JobClient, owner: str | None, *, operator: bool = False, quota: Quota | None = None):
        self.client, self.owner, self.operator = client, owner, operator
        self.quota = None if operator else quota
        self.config = client.config
        self._view = {"owner": owner, "everyone": operator}

    def __repr__(self) -> str:
        who = "operator" if self.operator else "user"
        return f"UserJobs({self.owner!r}, {who}, {self.client!r})"

    @property
    def scope(self) -> str:
        """What this view may see, as a cache key: ``"*"`` for everyone's jobs, else ``"owner:<name>"``."""
        return "*" if self.operator else f"owner:{self.owner}"

    def submit(self, spec: dict) -> str:
        return self.client.submit(spec, owner=self.owner, quota=self.quota)

    def submit_experiment(self, name: str, backend: str = "tabular", seeds: int | None = None) -> tuple[str, list[str]]:
        """:meth:`JobClient.submit_experiment` as this person, within their quota (the whole set or nothing)."""
        return self.client.submit_experiment(name, backend, seeds, owner=self.owner, quota=self.quota)

    def status(self, job_id: str) -> JobStatus:
        return self.client.status(job_id, **self._view)

    def events(self, job_id: str) -> list[dict]:
        return self.client.events(job_id, **self._view)

    def result(self, job_id: str) -> dict | None:
        return self.client.result(job_id, **self._view)

    def cancel(self, job_id: str) -> bool:
        return self.client.cancel(job_id, **self._view)

    def record(self, job_id: str) -> JobRecord:
        return self.client.record(job_id, **self._view)

    def list_jobs(self, limit: int | None = None) -> JobList:
        return self.client.list_jobs(limit, **self._view)

    def models(self) -> list[str]:
        return self.client.models()

    def worker_status(self) -> WorkerStatus:
        return self.client.worker_status()

    def usage(self) -> tuple[int, int]:
        """``(jobs, steps)`` of this person's jobs that are queued or running."""
        return self.client.usage(self.owner)

    def refusal(self, steps: int) -> str | None:
        """Why a new job of ``steps`` steps would be refused by this person's quota (None: it fits); the
        same words :meth:`submit` raises with :class:`LimitReached`."""
        if self.quota is None:
            return None
        return self.quota.refusal(*self.usage(), steps)


_CLIENTS: dict[WorkerConfig, JobClient] = {}
_CLIENTS_LOCK = threading.Lock()


def get_client() -> JobClient:
    """The :class:`JobClient` for the configuration in the environment (one per configuration)."""
    config = WorkerConfig.from_env()
    with _CLIENTS_LOCK:
        if config not in _CLIENTS:
            _CLIENTS[config] = JobClient(config=config)
        return _CLIENTS[config]
