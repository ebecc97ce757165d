"""The queue and the signed-in person's view of the jobs, as the Fine-tuning and Experiments pages open them.

The pages hand in the worker's ``get_client`` and ``Quota`` (only pages import the worker), so that both
connect, sign in and apply the per-person limits the same way."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from .. import login
from . import text


@dataclass
class Connection:
    access: object  # ui.access.AccessConfig: the sign-in settings and the per-person limits
    who: object | None  # the signed-in person (None: nobody is signed in on a shared dashboard)
    client: object | None  # the queue's client (None: it cannot be reached, and the page said why)
    jobs: object | None  # the person's view of the jobs (client.for_user), None without client or person


def connect(get_client, quota) -> Connection:
    """Sign-in settings, the person, the queue's client (an error shown when it cannot be reached, the page
    goes on) and that person's jobs within their limits (``quota(max_queued_jobs, max_total_steps)``)."""
    access = login.settings()
    who = login.identity(access)
    try:
        client = get_client()
    except Exception as exc:  # noqa: BLE001 - configuration, disk or queue errors: say so, keep the page
        client = None
        st.error(text.queue_unavailable(exc), icon=":material/cloud_off:")
    jobs = (
        None
        if client is None or who is None
        else client.for_user(
            who.owner, operator=who.operator, quota=quota(access.max_queued_jobs, access.max_total_steps)
        )
    )
    return Connection(access, who, client, jobs)
