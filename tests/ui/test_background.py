"""The background runner (ui/background.py) outside a server: a job reports progress, finishes, and a
cancel stops it at the core's next progress call (the thread then ends)."""

import threading
import time

import numpy as np

from aggregation import Profile, mpne
from ui import background


def test_a_job_runs_to_the_end_with_its_progress():
    seen = []

    def fn(progress):
        for i in range(5):
            seen.append(progress(i / 5))

    job = background.start(("test", "done"), "a test job", fn)
    job.thread.join(10)
    assert job.state == background.DONE and job.fraction == 1.0 and seen == [True] * 5
    assert not job.alive


def test_cancel_stops_a_game_solve_and_its_thread_ends():
    rng = np.random.default_rng(0)
    profile = Profile.from_levels(np.argsort(rng.random((3000, 9)), axis=1), [f"a{i}" for i in range(9)])
    entered = threading.Event()

    def fn(progress):
        def slow(f):
            entered.set()
            time.sleep(0.05)  # a slow solve: time to press Cancel
            return progress(f)

        for k in range(1, 50):
            mpne(profile, k, progress=slow, derivative_rows=10**9)

    key = ("test", "cancel")
    job = background.start(key, "a long solve", fn)
    assert entered.wait(30)
    background.cancel(key)
    job.thread.join(30)
    assert job.state == background.CANCELLED and not job.alive
    background.forget(key)
    assert background.get(key) is None
