"""A shared dashboard's job side, on the real SQLite queue (and real worker processes where a worker matters):
owners, per-person quotas checked where the job is accepted, the operator's view, the model folders, queue
entries that vanish, records that cannot be read, and whether any worker is alive."""

import json
import sqlite3
import threading

import pytest

from worker.client import JobClient, JobSpecError, LimitReached, Quota, UnknownJob
from worker.records import JobStore, UnreadableRecord

from .conftest import stop_worker, wait_for

LOST = (
    "its entry in the queue is gone: the queue was emptied or restarted without keeping its data (e.g. Redis "
    "without persistence) before a worker took the job; nothing ran. Start it again"
)


def spec(population, **settings):
    return {"population": population, "method": "dpo", "dataset_size": 64, **settings}


def test_each_person_sees_opens_and_cancels_only_their_own_jobs_and_the_operator_all(tmp_path, figure_1):
    client = JobClient(data_dir=tmp_path)
    ana, ben = client.for_user("ana"), client.for_user("ben")
    teacher = client.for_user("teacher", operator=True)
    a, b = ana.submit(spec(figure_1, name="ana's")), ben.submit(spec(figure_1, name="ben's"))
    t = teacher.submit(spec(figure_1))
    assert [r.job_id for r in ana.list_jobs()] == [a] and [r.job_id for r in ben.list_jobs()] == [b]
    assert [r.job_id for r in teacher.list_jobs()] == [t, b, a]
    assert [r.owner for r in teacher.list_jobs()] == ["teacher", "ben", "ana"]
    for call in (ana.status, ana.events, ana.result, ana.record, ana.cancel):
        with pytest.raises(UnknownJob, match=f"no job with id '{b}' in this dashboard's records"):
            call(b)  # another person's job is as unknown as one that never existed
    assert ben.status(b).state == "queued"  # ana's cancel did nothing
    assert teacher.cancel(b) and ben.status(b).state == "cancelled"
    assert ana.cancel(a) and ana.status(a).state == "cancelled"
    # without a login (local mode) the page uses the whole client: every job, owner or not
    assert {r.job_id for r in client.list_jobs()} == {a, b, t}
    assert client.for_user(None, operator=True).list_jobs()[0].job_id == t


def test_quotas_refuse_with_the_stated_words_and_the_operator_is_not_limited(tmp_path, figure_1):
    client = JobClient(data_dir=tmp_path)
    ana = client.for_user("ana", quota=Quota(max_queued_jobs=2, max_total_steps=500))
    first = ana.submit(spec(figure_1, steps=200))
    assert ana.usage() == (1, 200) and ana.refusal(200) is None
    ana.submit(spec(figure_1, steps=250))
    jobs = (
        "you already have 2 jobs queued or running, and each person may have at most 2 at a time; wait for one "
        "to finish or cancel one"
    )
    assert ana.refusal(10) == jobs
    with pytest.raises(LimitReached) as err:
        ana.submit(spec(figure_1, steps=10))
    assert str(err.value) == jobs
    ana.cancel(first)
    steps = (
        "your queued and running jobs have 250 steps, so this job's 300 steps would bring them to 550; each "
        "person may have at most 500 steps queued or running at a time"
    )
    assert ana.refusal(300) == steps
    with pytest.raises(LimitReached, match="would bring them to 550"):
        ana.submit(spec(figure_1, steps=300))
    assert len(ana.list_jobs()) == 2  # nothing was recorded for the refused ones
    ana.submit(spec(figure_1, steps=250))  # exactly at the limit is fine
    operator = client.for_user("teacher", operator=True, quota=Quota(1, 1))
    for _ in range(3):
        operator.submit(spec(figure_1, steps=1000))
    assert client.usage("teacher") == (3, 3000) and client.usage("ana") == (2, 500)
    other = client.for_user("ben", quota=Quota(max_queued_jobs=2))  # one person's jobs never count for another
    assert other.refusal(100_000) is None


def test_the_quota_is_checked_where_the_job_is_accepted_so_concurrent_sessions_cannot_slip_past_it(tmp_path, figure_1):
    """Eight sessions of one person press start at the same moment under a limit of three jobs: the check and
    the insert are one transaction, so exactly three are recorded and queued."""
    client = JobClient(data_dir=tmp_path)
    start = threading.Barrier(8)
    outcomes = []

    def press():
        session = JobClient(data_dir=tmp_path).for_user("ana", quota=Quota(max_queued_jobs=3))
        start.wait()
        try:
            outcomes.append(session.submit(spec(figure_1)))
        except LimitReached as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=press) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sum(isinstance(o, str) for o in outcomes) == 3 and sum(isinstance(o, LimitReached) for o in outcomes) == 5
    assert client.usage("ana") == (3, 600) and client.huey.pending_count() == 3


def test_only_models_in_the_model_folders_are_offered_and_accepted(tmp_path, figure_1):
    first, second = tmp_path / "models-a", tmp_path / "models-b"
    for folder, names in ((first, ["qwen-0.5b", "no-config", ".hidden"]), (second, ["qwen-0.5b", "smol"])):
        for name in names:
            (folder / name).mkdir(parents=True)
            if name != "no-config":
                (folder / name / "config.json").write_text("{}")
    (second / "notes.txt").write_text("not a model")
    client = JobClient(data_dir=tmp_path / "data", model_dirs=f"{first}:{tmp_path / 'missing'}:{second}")
    assert client.models() == ["qwen-0.5b", "smol"]
    assert client.record(client.submit(spec(figure_1, model="smol"))).spec["model"] == "smol"
    for model in ("no-config", "ssh", "notes.txt"):
        with pytest.raises(JobSpecError) as err:
            client.submit(spec(figure_1, model=model))
        assert str(err.value) == (
            "model must be 'tiny', 'tabular' or one of the models offered here (the subfolders holding a "
            "config.json in the operator's model folders, AGGREGATION_MODEL_DIRS)"
        )
    assert JobClient(data_dir=tmp_path / "data").models() == []  # no folders configured: only the tiny model


def test_a_queued_job_whose_queue_entry_is_gone_is_marked_failed_with_the_reason(tmp_path, figure_1, workers):
    client = JobClient(data_dir=tmp_path)
    lost = client.submit(spec(figure_1))
    client.huey.flush()  # the queue is emptied (what a restarted Redis without persistence looks like)
    kept = client.submit(spec(figure_1, steps=3))
    status = client.status(lost)
    assert (status.state, status.error, status.message) == ("failed", LOST, None)
    assert status.finished_at is not None
    assert [r.status.state for r in client.list_jobs()] == ["queued", "failed"]
    workers(tmp_path)
    wait_for(lambda: client.status(kept).state == "finished", what="the job that kept its queue entry")
    assert client.status(lost).state == "failed"  # and the lost one stays failed, never silently revived


def test_one_unreadable_record_is_skipped_and_reported_not_hiding_the_others(tmp_path, figure_1):
    client = JobClient(data_dir=tmp_path)
    ids = [client.submit(spec(figure_1, seed=i)) for i in range(3)]
    with sqlite3.connect(tmp_path / "jobs.sqlite3") as con:
        con.execute("UPDATE jobs SET settings = '{not json' WHERE id = ?", (ids[0],))
        con.execute("UPDATE jobs SET state = 'exploded' WHERE id = ?", (ids[1],))
    listed = client.list_jobs()
    assert [r.job_id for r in listed] == [ids[2]]
    assert [job for job, _ in listed.unreadable] == [ids[1], ids[0]]
    reasons = dict(listed.unreadable)
    assert reasons[ids[1]] == "unknown state 'exploded'"
    assert reasons[ids[0]].startswith("JSONDecodeError: ")
    with pytest.raises(UnreadableRecord):
        client.status(ids[1])


def test_records_written_before_owners_existed_are_upgraded_when_opened(tmp_path, figure_1):
    old = JobClient(data_dir=tmp_path).submit(spec(figure_1))
    with sqlite3.connect(tmp_path / "jobs.sqlite3") as con:  # the file as the previous release wrote it
        con.execute("ALTER TABLE jobs DROP COLUMN owner")
        con.execute("ALTER TABLE jobs DROP COLUMN queue_marked")
    JobStore(tmp_path / "jobs.sqlite3")
    client = JobClient(data_dir=tmp_path)
    [record] = client.list_jobs()
    assert record.job_id == old and record.owner is None and record.status.state == "queued"
    assert client.for_user("ana").list_jobs() == []  # an unowned job is nobody's but the operator's
    assert [r.job_id for r in client.for_user("teacher", operator=True).list_jobs()] == [old]


def test_the_dashboard_knows_whether_a_worker_is_alive(tmp_path, workers):
    client = JobClient(data_dir=tmp_path, stale_after_s=4)
    assert client.worker_status().alive is False and client.worker_status().seconds_ago is None
    proc = workers(tmp_path, AGGREGATION_STALE_AFTER_S="4")
    alive = wait_for(lambda: client.worker_status().alive and client.worker_status(), what="the worker's first beat")
    assert alive.worker.endswith(f":{proc.pid}") and alive.seconds_ago < 4
    stop_worker(proc)
    gone = wait_for(
        lambda: not client.worker_status().alive and client.worker_status(),
        timeout=30,
        what="the dashboard to notice the worker is gone",
    )
    assert gone.seconds_ago > 4


def test_a_job_spec_in_the_queue_is_plain_json_with_no_owner_in_it(tmp_path, figure_1):
    """The owner lives in the dashboard's records only: a worker never needs to know who asked."""
    client = JobClient(data_dir=tmp_path)
    job = client.for_user("ana").submit(spec(figure_1))
    [message] = client.huey.storage.enqueued_items()
    assert b"ana" not in message and json.loads(message)["__huey_message__"][6][0] == job
