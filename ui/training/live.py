"""The job on screen while it is queued or running: status, progress, the policy so far and a cancel
button; and the page's notices (a message left by the last action, shown once).

Nothing here waits for a worker: the live panel is a fragment that reruns every :data:`POLL_S`
seconds while the job on screen is queued or running, and is declared without a timer otherwise (so
an idle page does not poll); when the job ends it reruns the whole page once so the result appears.
The client (the person's view of the jobs, a :class:`worker.client.UserJobs`) is handed in by the page.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from .. import widgets
from ..numbers import decimal
from ..text import md
from . import figures

#: Seconds between two looks at a running job (the live panel polls only while a job is active).
POLL_S = 1.0
#: A message from the last action (a refused cancel, an unreachable queue, a link to an unknown job).
NOTICE_KEY = "ft_notice"

STATE_LABELS = {
    "queued": (":material/schedule:", "Queued"),
    "running": (":material/progress_activity:", "Running"),
    "finished": (":material/check_circle:", "Finished"),
    "failed": (":material/error:", "Failed"),
    "cancelled": (":material/cancel:", "Cancelled"),
}


def notice() -> None:
    """The message left by the last action, shown once."""
    message = st.session_state.pop(NOTICE_KEY, None)
    if message:
        st.warning(md(message), icon=":material/warning:")  # it may quote a link's job parameter


def job_view(client, record) -> None:
    """The live panel of ``record``'s job, polling while the job is active."""
    active = not record.status.done
    st.fragment(run_every=POLL_S if active else None)(live_panel)(client, record.job_id, active, record.status.state)


def live_panel(client, job_id: str, was_active: bool, page_state: str | None = None) -> None:
    """Status, progress, the policy so far and a cancel button; run as a fragment that polls while
    the job is active. When the job ends it reruns the whole page once (the result then shows and
    the polling stops); so it does when the job's state moves on from the one the rest of the page was
    drawn with (queued -> running), so the job list never says "queued" about a running job."""
    try:
        status = client.status(job_id)
        events = client.events(job_id)
    except client.UnknownJob as exc:
        st.warning(f"{md(exc)}.", icon=":material/help:")
        return
    except Exception as exc:  # noqa: BLE001 - the records file or the queue went away
        st.warning(
            f"Cannot read this job right now ({type(exc).__name__}: {md(exc)}); the page keeps trying.",
            icon=":material/warning:",
        )
        return
    if (was_active and status.done) or (page_state is not None and status.state != page_state):
        st.rerun()
    icon, label = STATE_LABELS[status.state]
    with st.container(border=True, key="ft_status"):
        head, button = st.columns([4, 1])
        where = f" on **{md(status.device)}**" if status.device else ""
        worker = f" (worker {md(status.worker)})" if status.worker else ""
        head.markdown(f"#### {label}{where}{worker}", help=f"job id {job_id}")
        if not status.done:
            button.button(
                "Cancel",
                key="ft_cancel",
                icon=":material/stop_circle:",
                on_click=_cancel,
                args=(client, job_id),
                width="stretch",
            )
        st.progress(status.fraction, text=f"Step {status.step:,} of {status.total_steps:,}")
        # a cancelled job's message is the box below; a finished one's is its result
        details = [status.message] if status.message and status.state not in ("finished", "cancelled") else []
        if status.attempt > 1:
            details.append(f"attempt {status.attempt}")
        if details:
            st.caption(md(" · ".join(details)))
        if status.state == "failed":
            st.error(f"The job failed: {md(status.error or 'no reason was recorded')}", icon=":material/error:")
        if status.state == "cancelled":
            st.info(md(status.message or "Cancelled."), icon=":material/cancel:")
        if events and status.state != "finished":
            last = events[-1]
            policy = pd.Series(last["policy"])
            shown = policy.sort_values(ascending=False).head(6)
            cols = st.columns(len(shown) + 1)
            cols[0].metric("loss", decimal(float(last["loss"])))
            for col, (name, p) in zip(cols[1:], shown.items()):
                col.metric(f"P({md(name)})", decimal(float(p), 3))
            frames = figures.trajectory_frames(events)
            widgets.chart(
                figures.trajectory(frames[0], mixture=frames[1], height=340, title="The policy so far"),
                key="ft_live_chart",
                file_name="fine-tuning-progress",
            )


def _cancel(client, job_id: str) -> None:
    try:
        client.cancel(job_id)
    except client.QueueUnavailable as exc:
        st.session_state[NOTICE_KEY] = f"The cancel did not reach the queue: {exc}. Try again."
    except client.UnknownJob as exc:
        st.session_state[NOTICE_KEY] = f"{exc}."
