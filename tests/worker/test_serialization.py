"""Huey's messages travel as JSON: nothing a job carries is pickled or unpickled."""

import datetime
import json
import pickle
import sqlite3

import pytest
from huey.registry import Message

from worker.config import QueueConfigError, WorkerConfig
from worker.queue import JobChannel, make_huey
from worker.serialization import JsonSerializer


def test_a_task_message_round_trips_through_json():
    s = JsonSerializer()
    eta = datetime.datetime(2026, 11, 22, 8, 30, 5, 123456)
    callback = Message("cb", "worker.queue.run_job", None, 0, 0, None, ["x"], {}, None, None, None, None, None, None, 0)
    message = Message(
        "id-1",
        "worker.queue.run_job",
        eta,
        2,
        5,
        None,
        ["job", {"steps": 3, "lora": {"r": 8}}, 1],
        {},
        callback,
        None,
        None,
        None,
        None,
        None,
        0,
    )
    raw = s.serialize(message)
    assert json.loads(raw)["__huey_message__"][0] == "id-1"
    back = s.deserialize(raw)
    assert isinstance(back, Message) and isinstance(back.on_complete, Message)
    assert back.eta == eta and back.args == ["job", {"steps": 3, "lora": {"r": 8}}, 1]
    assert back._replace(args=message.args, on_complete=None) == message._replace(on_complete=None)


@pytest.mark.parametrize("value", [object(), {1: "a"}, float("nan"), {"__datetime__": "reserved"}, b"bytes"])
def test_anything_but_plain_json_is_refused(value):
    with pytest.raises(TypeError):
        JsonSerializer().serialize(value)


def test_a_pickle_is_never_loaded():
    class Boom:
        def __reduce__(self):
            return (print, ("unpickled!",))

    with pytest.raises(ValueError):  # UnicodeDecodeError or JSONDecodeError, both ValueErrors
        JsonSerializer().deserialize(pickle.dumps(Boom()))


def test_the_sqlite_queue_holds_json(tmp_path, figure_1):
    huey = make_huey(WorkerConfig(data_dir=tmp_path))
    huey.enqueue(huey.run_job.s("job-1", {"population": figure_1, "method": "dpo"}, 1, id="job-1-1"))
    JobChannel(huey).put_state("job-1", {"state": "running", "beat": 3})
    with sqlite3.connect(tmp_path / "queue.sqlite3") as con:
        ((task,),) = con.execute("SELECT data FROM task").fetchall()
        ((kv,),) = con.execute("SELECT value FROM kv").fetchall()
    message = json.loads(task)["__huey_message__"]
    assert message[0] == "job-1-1" and message[1] == "worker.queue.run_job"
    assert message[6] == ["job-1", {"population": figure_1, "method": "dpo"}, 1]
    assert json.loads(kv) == {"state": "running", "beat": 3}
    assert huey.pending_count() == 1 and JobChannel(huey).state("job-1")["beat"] == 3


def test_configuration_from_the_environment(tmp_path):
    cfg = WorkerConfig.from_env(
        {"AGGREGATION_DATA_DIR": str(tmp_path), "AGGREGATION_STALE_AFTER_S": "5", "AGGREGATION_JOB_RETRIES": "2"}
    )
    assert (cfg.data_dir, cfg.backend, cfg.stale_after_s, cfg.max_retries) == (tmp_path, "sqlite", 5.0, 2)
    assert cfg.queue_file == tmp_path / "queue.sqlite3" and cfg.records_file == tmp_path / "jobs.sqlite3"
    redis_cfg = WorkerConfig.from_env({"AGGREGATION_QUEUE_URL": "redis://:s3cret@gpu-box:6380/2"})
    assert redis_cfg.backend == "redis" and redis_cfg.password == "s3cret"
    assert redis_cfg.describe() == "Redis queue redis://gpu-box:6380/2 (aggregation-jobs)"
    assert "s3cret" not in repr(redis_cfg) + redis_cfg.describe()
    separate = WorkerConfig.from_env(
        {"AGGREGATION_QUEUE_URL": "redis://gpu-box:6380/0", "AGGREGATION_QUEUE_PASSWORD": "pw"}
    )
    assert separate.password == "pw"


@pytest.mark.parametrize(
    "env, message",
    [
        ({"AGGREGATION_QUEUE_URL": "redis://127.0.0.1:6379/0"}, "a Redis queue must be used with a password"),
        ({"AGGREGATION_QUEUE_URL": "amqp://guest@host"}, "must start with redis:// or rediss://"),
        ({"AGGREGATION_STALE_AFTER_S": "soon"}, "AGGREGATION_STALE_AFTER_S must be a number"),
        ({"AGGREGATION_STALE_AFTER_S": "0.5"}, "longer than the heartbeat"),
    ],
)
def test_unusable_configurations_are_refused(env, message):
    with pytest.raises(QueueConfigError, match=message):
        WorkerConfig.from_env(env)


def test_job_listing_keeps_the_population_out_until_asked(tmp_path):
    """A job list reads each job's settings (spec minus population, plus the population's digest);
    the full spec is parsed only when a caller asks for it."""
    from worker.records import JobStore, record_from_row

    store = JobStore(tmp_path / "jobs.sqlite3")
    population = {"kind": "rankings", "alternatives": ["R", "B"], "rankings": [{"weight": 2, "ranking": "R > B"}]}
    spec = {
        "method": "dpo",
        "model": "tiny",
        "steps": 10,
        "beta": 0.1,
        "dataset_size": 64,
        "seed": 3,
        "population": population,
    }
    store.insert("a", spec)
    store.insert("b", {**spec, "seed": 4})
    store.insert("c", {**spec, "population": {**population, "rankings": [{"weight": 3, "ranking": "R > B"}]}})
    records = {r.job_id: r for r in map(record_from_row, store.rows())}
    a = records["a"]
    assert "population" not in a.settings and a.settings["seed"] == 3 and a.method == "dpo"
    assert "spec" not in a.__dict__  # not parsed by listing
    assert a.spec == spec and "spec" in a.__dict__  # parsed on demand, once
    assert records["b"].settings["population_digest"] == a.settings["population_digest"]
    assert records["c"].settings["population_digest"] != a.settings["population_digest"]
