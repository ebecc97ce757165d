"""Fine-tuning: train a language model on data drawn from the current population, watch the job,
and read the trained policy next to the theory. Jobs go to the worker through worker.client (this page
is the only module that imports it; the ui.training modules are handed the client).

On a shared dashboard (``python -m ui.launch --share``) everything here that spends compute or shows
jobs needs a sign-in (ui.login); the ui.training modules then get the signed-in person's view of the
jobs (``JobClient.for_user``): their own jobs only (an operator's: everyone's), within their limits."""

import streamlit as st

from ui import login, page_index, shell, state
from ui.text import md, md_list
from ui.training import connection, form, history, live, result, text
from worker.client import Quota, get_client

shell.page_header("Fine-tuning", text.PAGE_INTRO)
live.notice()
queue = connection.connect(get_client, Quota)
access, who, client, jobs = queue.access, queue.who, queue.client, queue.jobs

model = state.population()
D = state.sampling()
ss = st.session_state


def opened(job_id: str) -> None:
    """A job was queued from this page: show it (the picker below is not drawn yet in this run)."""
    ss[history.JOB_KEY] = job_id


st.subheader("1. What to train")
origin = state.origin()
st.markdown(
    f"**Population**: {md(origin.title)} · "
    f"{len(model.alternatives)} answers ({md_list(model.alternatives[:12])}"
    f"{', …' if len(model.alternatives) > 12 else ''})"
)
st.page_link(page_index.target("population"), label="Change it on the Population page", icon=":material/groups:")
left, right = st.columns([3, 2], gap="large")
errors = form.FieldErrors()
with left:
    method, settings = form.settings_form(model, D, errors, models=jobs.models() if jobs is not None else ())
    if who is None:
        login.sign_in(
            access,
            key="ft",
            why="training on this shared dashboard needs a sign-in; each person sees and cancels only their own jobs.",
        )
    else:
        form.start_button(jobs, model, method, settings, errors, opened)
with right:
    form.theory_preview(model, method, settings)

st.subheader("2. The job")
records = []
if who is None:
    st.info("Sign in (above) to see your jobs.", icon=":material/lock:")
elif jobs is not None:
    try:
        records = jobs.list_jobs(limit=history.JOB_LIST_LIMIT)
    except Exception as exc:  # noqa: BLE001 - the records file cannot be read: say so, keep the page
        st.error(f"The job records cannot be read ({type(exc).__name__}).", icon=":material/error:")
    else:
        history.unreadable_notice(records.unreadable)
by_id = {r.job_id: r for r in records}
if jobs is not None:
    history.apply_job_link(jobs, list(by_id))
live.notice()
if ss.get(history.JOB_KEY) not in by_id:
    ss.pop(history.JOB_KEY, None)
viewed = by_id.get(ss.get(history.JOB_KEY)) or (records[0] if records else None)
if viewed is None:
    if who is not None:
        st.info(text.NO_JOBS, icon=":material/model_training:")
else:
    live.job_view(jobs, viewed)
    if viewed.status.state == "finished":
        result.result_section(jobs, viewed, records, model, opened)

st.subheader("3. Past jobs")
if records:
    st.caption("Kept by the worker's job records, so they survive a restart of the dashboard. Pick one to open it.")
    history.job_picker(jobs, records)
    history.write_job_link(viewed.job_id if viewed else None)
elif who is not None:
    st.caption("Jobs stay listed here, with their settings and outcome, across restarts of the dashboard.")
