"""Experiments: the papers' experiments, one click each (worker.experiments). Pick one (a gallery card on Home
opens it by its link), run it as a set of queued jobs of the signed-in person's, watch the runs, and read the
result grouped by method with the spread across seeds next to the theory; downloads as CSV and JSON. Jobs go
to the worker through worker.client (this page and Fine-tuning are the only modules importing it)."""

import streamlit as st

from ui import login, shell
from ui.text import md
from ui.training import experiments as xp
from ui.training import connection, live
from worker.client import Quota, get_client
from aggregation.experiments import submitted_experiments

shell.page_header(
    "Experiments",
    "The papers' experiments with their own settings: each is a set of runs "
    "(methods × seeds × one swept setting), every run a queued fine-tuning job. The result shows "
    "each method's spread across seeds (never a single seed as the result) next to the theory.",
)
xp.apply_link()
live.notice()
queue = connection.connect(get_client, Quota)
access, who, client, jobs = queue.access, queue.who, queue.client, queue.jobs
ss = st.session_state


def opened(experiment_id: str) -> None:
    ss[xp.OPEN_KEY] = experiment_id


st.subheader("1. The experiment")
name = xp.picker()
xp.write_link(name)
if who is None:
    login.sign_in(
        access,
        key="xp",
        why="running experiments on this shared dashboard needs a sign-in; each person "
        "sees and cancels only their own runs.",
    )
xp.run_form(jobs, name, opened)

st.subheader("2. Its runs")
submission = None
if jobs is not None:
    try:
        submissions = submitted_experiments(jobs.list_jobs())
    except Exception as exc:  # noqa: BLE001 - the records file cannot be read: say so, keep the page
        submissions = []
        st.error(f"The job records cannot be read ({type(exc).__name__}: {md(exc)}).", icon=":material/error:")
    submission = xp.submission_picker(submissions, name)
if submission is None:
    st.info("This experiment has not been run here yet: press the button above.", icon=":material/science:")
else:
    xp.progress_view(jobs, submission)
    st.subheader("3. The result")
    xp.result_view(jobs, submission)
