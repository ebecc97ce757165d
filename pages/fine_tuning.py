"""Fine-tuning: train a language model on data drawn from the current population, watch the job,
and read the trained policy next to the theory. Jobs go to the worker through worker.client."""
import streamlit as st

from ui import shell, state, training, training_panels as panels
from ui.text import md, md_list

shell.page_header(
    "Fine-tuning",
    "Train a small language model on preference data drawn from the current population, then see where the "
    "trained policy lands next to what theory predicts: DPO and RLHF follow Borda (NBC under the sampling "
    "distribution), Nash self-play the maximal lottery. Jobs run in a background worker; this page never waits "
    "for them.")
panels.notice()
client, unavailable = panels.connect()
if unavailable:
    st.error(unavailable, icon=":material/cloud_off:")

model = state.population()
D = state.sampling()
kind = model.kind
ss = st.session_state


def opened(job_id: str) -> None:
    """A job was queued from this page: show it (the picker below is not drawn yet in this run)."""
    ss[panels.JOB_KEY] = job_id


st.subheader("1. What to train")
origin = state.origin()
st.markdown(f"**Population**: {md(origin.title)}{' (edited by hand)' if origin.edited else ''} · "
            f"{len(model.alternatives)} answers ({md_list(model.alternatives[:12])}"
            f"{', …' if len(model.alternatives) > 12 else ''})")
st.page_link(shell.ROOT / shell.page("population").path, label="Change it on the Population page",
             icon=":material/groups:")
form, preview = st.columns([3, 2], gap="large")
errors = panels.FieldErrors()
with form:
    method, settings = panels.settings_form(model, D, errors)
    panels.start_button(client, model, method, settings, errors, opened)
with preview:
    panels.theory_preview(model, method, settings, D, kind)

st.subheader("2. The job")
records = []
if client is not None:
    try:
        records = client.list_jobs(limit=training.JOB_LIST_LIMIT)
    except Exception as exc:  # noqa: BLE001 - the records file cannot be read: say so, keep the page
        st.error(f"The job records cannot be read ({type(exc).__name__}: {md(exc)}).", icon=":material/error:")
by_id = {r.job_id: r for r in records}
if client is not None:
    panels.apply_job_link(client, list(by_id))
panels.notice()
if ss.get(panels.JOB_KEY) not in by_id:
    ss.pop(panels.JOB_KEY, None)
viewed = by_id.get(ss.get(panels.JOB_KEY)) or (records[0] if records else None)
if viewed is None:
    st.info("No jobs yet. Choose a method and press **Start training**: the job appears here with its progress, "
            "and its result next to the theory when it finishes.", icon=":material/model_training:")
else:
    panels.job_view(client, viewed)
    if viewed.status.state == "finished":
        panels.result_section(client, viewed, records, model, opened)

st.subheader("3. Past jobs")
if records:
    st.caption("Kept by the worker's job records, so they survive a restart of the dashboard. Pick one to open it.")
    panels.job_picker(client, records)
    panels.write_job_link(viewed.job_id if viewed else None)
else:
    st.caption("Jobs stay listed here, with their settings and outcome, across restarts of the dashboard.")
