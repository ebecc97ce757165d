"""Past jobs: the job list (from the worker's durable records), the picker that opens one, the URL's
``job`` parameter (a reload or a shared link opens the same job), finished results (read once), and
the spread of the same settings across seeds.

The client (the person's view of the jobs, a :class:`worker.client.UserJobs`) is handed in by the page.
Session state: ``ft_job`` (the job on screen: the picker's key).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import pandas as pd
import streamlit as st

from aggregation import TRAINING_METHODS, AggregationError
from aggregation.outcome import winners as top

from .. import urls, widgets
from ..numbers import decimal
from ..text import md
from . import text
from .live import NOTICE_KEY

#: The job on screen (the job picker's key).
JOB_KEY = "ft_job"
#: The URL parameter naming the job on screen.
JOB_PARAM = "job"
_JOB_PARAM_SEEN = "_ft_job_param_seen"
#: Jobs listed on the page (newest first).
JOB_LIST_LIMIT = 100


# ------------------------------------------------------------------ finished results
@st.cache_resource(max_entries=64, show_spinner=False)
def finished_result(_client, records_file: str, scope: str, job_id: str) -> dict | None:
    """A finished job's result (read once: it never changes), per view of the jobs (``scope``: a person's
    own jobs, or everyone's), so a result is only ever served to a view that may read it. Shared and
    read-only."""
    return _client.result(job_id)


def result_of(client, job_id: str) -> dict | None:
    return finished_result(client, str(client.config.records_file), client.scope, job_id)


# ------------------------------------------------------------------ the job list
def when(t: float | None) -> str:
    return "–" if t is None else time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(t))


def duration(status) -> str:
    if status.started_at is None:
        return "–"
    end = status.finished_at or time.time()
    return f"{end - status.started_at:.0f} s"


def outcome_text(status, result: dict | None) -> str:
    """One line: where a finished job landed, why a job failed, or where it stands."""
    if status.state == "finished" and result:
        policy = pd.Series(result.get("mixture") or result["policy"])
        best = top(policy)
        mixture = " (mixture)" if result.get("mixture") else ""
        return f"{' = '.join(best)} {decimal(float(policy[best[0]]), 3)}{mixture}"
    if status.state == "failed":
        return "failed: " + (status.error or "no reason recorded").splitlines()[0][:160]
    if status.state == "running":
        return f"step {status.step:,} of {status.total_steps:,}"
    return status.message or status.state


def jobs_frame(records, results: dict[str, dict | None], owners: bool = False) -> pd.DataFrame:
    """One row per job (newest first): when, (whose, for an operator), name, settings, state, device, outcome."""
    rows = []
    for r in records:
        s = r.status
        whose = {"owner": r.owner or "–"} if owners else {}
        rows.append(
            {
                "created": when(s.created_at),
                **whose,
                "name": r.name or "",
                "method": text.method_name(r.method),
                "settings": r.summary,
                "seed": r.settings.get("seed"),
                "state": s.state,
                "device": s.device or "–",
                "time": duration(s),
                "outcome": outcome_text(s, results.get(r.job_id)),
                "job id": r.job_id,
            }
        )
    return pd.DataFrame(rows)


def job_label(record, owner: bool = False) -> str:
    s = record.status
    name = f"“{record.name}” · " if record.name else ""
    whose = f"{record.owner or '–'} · " if owner else ""
    return f"{when(s.created_at)} · {whose}{name}{record.summary} · seed {record.settings.get('seed')}"


def job_picker(client, records) -> None:
    """The past jobs (from the worker's durable records) as a table, and a picker that opens one."""
    results = {r.job_id: result_of(client, r.job_id) for r in records if r.status.state == "finished"}
    owners = client.operator and client.owner is not None  # an operator of a shared dashboard sees whose job
    frame = jobs_frame(records, results, owners=owners)
    widgets.table(frame, key="ft_jobs_table", width="stretch", hide_index=True)
    labels = {r.job_id: job_label(r, owners) for r in records}
    st.selectbox(
        "Open a job",
        list(labels),
        key=JOB_KEY,
        format_func=labels.get,
        help="Its status, and its result when it has finished, appear above.",
    )
    widgets.csv_download(
        frame, file_name="fine-tuning-jobs.csv", key="ft_jobs_csv", label="Job list as CSV", index=False
    )


# ------------------------------------------------------------------ links
def apply_job_link(client, ids: list[str]) -> None:
    """Open the job named by the URL's ``job`` parameter when the URL brings a new one."""
    wanted = st.query_params.get(JOB_PARAM)
    if not wanted or wanted == st.session_state.get(_JOB_PARAM_SEEN):
        return
    st.session_state[_JOB_PARAM_SEEN] = wanted
    try:
        wanted = urls.decode_job(wanted)
    except AggregationError as exc:
        st.session_state[NOTICE_KEY] = urls.bad_value(JOB_PARAM, wanted, exc, "the newest job")
        return
    if wanted in ids:
        st.session_state[JOB_KEY] = wanted
        return
    try:
        client.record(wanted)
    except client.UnknownJob:
        st.session_state[NOTICE_KEY] = urls.bad_value(
            JOB_PARAM,
            wanted,
            f"it is not among {'the' if client.operator else 'your'} jobs in this dashboard's records",
            "the newest job",
        )
    else:
        st.session_state[NOTICE_KEY] = (
            f"Job {wanted!r} is older than the {JOB_LIST_LIMIT} jobs listed here; showing the newest job instead."
        )


def unreadable_notice(unreadable) -> None:
    """Unreadable job records (skipped, so they hide no other job), named with the reason."""
    if unreadable:
        shown = "; ".join(f"{job[:40]} ({reason})" for job, reason in unreadable[:5])
        more = f" and {len(unreadable) - 5} more" if len(unreadable) > 5 else ""
        st.warning(
            f"{len(unreadable)} job record{'s' * (len(unreadable) != 1)} "
            f"{'are' if len(unreadable) != 1 else 'is'} unreadable and not listed: {shown}{more}. The other jobs are "
            "listed as usual.",
            icon=":material/report:",
        )


def write_job_link(job_id: str | None) -> None:
    if job_id is None:
        if JOB_PARAM in st.query_params:
            del st.query_params[JOB_PARAM]
        return
    if st.query_params.get(JOB_PARAM) != job_id:
        st.query_params[JOB_PARAM] = job_id
    st.session_state[_JOB_PARAM_SEEN] = job_id


# ------------------------------------------------------------------ seeds
def same_settings(a: dict, b: dict) -> bool:
    """Whether two jobs' settings (``JobRecord.settings``: the spec without the population, with
    the population's digest) differ at most in seed and name."""
    drop = ("seed", "name")
    return {k: v for k, v in a.items() if k not in drop} == {k: v for k, v in b.items() if k not in drop}


def seed_spread(results: list[dict]) -> pd.DataFrame | None:
    """Mean and standard deviation across runs (different seeds, same settings) of the trained
    policy (the mixture of iterates for self-play); None with fewer than two runs."""
    if len(results) < 2:
        return None
    alts = results[0]["alternatives"]
    values = np.array([[(r.get("mixture") or r["policy"])[a] for a in alts] for r in results], dtype=float)
    return pd.DataFrame(
        {
            "mean": values.mean(0),
            "standard deviation": values.std(0, ddof=1),
            "min": values.min(0),
            "max": values.max(0),
        },
        index=alts,
    )


def seed_runs(client, record, records, on_started: Callable[[str], None]) -> None:
    """The finished runs of ``record``'s settings with other seeds (mean and spread per answer), and a
    button that runs them again with the next seed."""
    siblings = [r for r in records if r.status.state == "finished" and same_settings(r.settings, record.settings)]
    results = [res for res in (result_of(client, r.job_id) for r in siblings) if res]
    spread = seed_spread(results)
    if spread is not None:
        seeds = sorted(r.settings["seed"] for r in siblings)
        entry = TRAINING_METHODS.get(record.method)
        which = "mixture of iterates" if entry is not None and entry.self_play else "final policy"
        st.markdown(
            f"**Across seeds** ({len(results)} finished runs of these settings, seeds "
            f"{', '.join(map(str, seeds))}): the {which}'s mean and standard deviation per answer."
        )
        widgets.table(widgets.styled(spread, decimal), key="ft_seed_table")
    used = {r.settings["seed"] for r in records if same_settings(r.settings, record.settings)}
    next_seed = max(used | {record.settings["seed"]}) + 1
    if st.button(f"Run these settings again with seed {next_seed}", key="ft_rerun_seed", icon=":material/replay:"):
        try:
            on_started(client.submit({**record.spec, "seed": next_seed}))
        except (client.JobSpecError, client.QueueUnavailable, client.LimitReached) as exc:
            st.error(f"Not queued: {md(exc)}", icon=":material/error:")
        else:
            st.rerun()
