"""Signing in on a shared dashboard: who is using this session, the sign-in form (an operator's password or
token, or the organisation's OpenID Connect provider through Streamlit's ``st.login``), and the sidebar line.
The rules, hashes and limits are :mod:`ui.access`.

On a dashboard that is not shared (the default) everyone is :data:`LOCAL`: no form, no click. On a shared
one a session has no identity until it signs in; a password sign-in is kept in the session state (a new
tab or a reload signs in again), an OpenID Connect one in Streamlit's identity cookie (``st.user``).
Identities shown on screen are written with ``st.text`` (never read as markdown).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from . import access

#: The signed-in identity of this session (password sign-in).
IDENTITY_KEY = "access_identity"


@dataclass(frozen=True)
class Identity:
    """Who uses this session: ``owner`` (the name recorded on their jobs; None for the dashboard's own
    user when it is not shared), ``name`` (shown), ``operator`` (sees and cancels every job, no limits)
    and ``via`` (``"local"``, ``"password"`` or ``"oidc"``)."""

    owner: str | None
    name: str
    operator: bool
    via: str


LOCAL = Identity(None, "you", True, "local")


def _secrets() -> dict:
    try:
        return st.secrets.to_dict()
    except (StreamlitSecretNotFoundError, FileNotFoundError):
        return {}


@st.cache_resource(show_spinner=False)
def attempts() -> access.Attempts:
    """Failed sign-ins, shared by every session of this server."""
    return access.Attempts()


def settings() -> access.AccessConfig:
    return access.read_config(_secrets(), os.environ)


def identity(config: access.AccessConfig) -> Identity | None:
    """This session's identity: :data:`LOCAL` when the dashboard is not shared; on a shared one the signed-in
    person, or None."""
    if not config.shared:
        return LOCAL
    if not config.can_sign_in:
        return None
    if config.login == "oidc":
        user = st.user
        if not user.get("is_logged_in"):
            return None
        owner = access.owner_of_oidc_user(user)
        if owner is None:
            return None
        return Identity(owner, owner, owner in config.operators, "oidc")
    found = st.session_state.get(IDENTITY_KEY)
    if isinstance(found, Identity) and found.owner in config.accounts:  # an account removed since is signed out
        return found
    return None


def _client_address() -> str:
    try:
        return st.context.ip_address or "unknown"
    except Exception:  # noqa: BLE001 - no request context (tests): one shared bucket
        return "unknown"


def sign_in(config: access.AccessConfig, *, key: str, why: str) -> None:
    """The sign-in form (or the provider's button), saying ``why`` it is needed; on a shared dashboard whose
    sign-in is not configured, what the operator must do instead."""
    if not config.can_sign_in:
        st.warning(
            "Training is switched off on this shared dashboard: "
            + "; ".join(config.problems or ("no sign-in is configured",))
            + ".",
            icon=":material/lock:",
        )
        return
    if config.login == "oidc":
        st.info(why, icon=":material/lock:")
        if st.button(
            "Sign in with your organisation's account", key=f"{key}_oidc", icon=":material/login:", type="primary"
        ):
            st.login(config.provider)
        return
    with st.form(f"{key}_login", border=True, enter_to_submit=True, clear_on_submit=True):  # no password stays
        st.markdown(f"**Sign in** · {why}")
        name = st.text_input("Name", key=f"{key}_login_name", max_chars=64, autocomplete="username")
        secret = st.text_input(
            "Password or token",
            key=f"{key}_login_secret",
            type="password",
            max_chars=256,
            autocomplete="current-password",
        )
        pressed = st.form_submit_button("Sign in", icon=":material/login:", type="primary")
    if pressed:
        message = try_password(config, name.strip(), secret)
        if message is None:
            st.rerun()
        st.error(message, icon=":material/error:")


def try_password(config: access.AccessConfig, name: str, secret: str) -> str | None:
    """Sign this session in as ``name``; None on success, else the message to show (never which of name and
    password was wrong). Failures count per name and per address (:class:`ui.access.Attempts`)."""
    keys = (f"name:{name.lower()}", f"address:{_client_address()}")
    limiter = attempts()
    wait = limiter.wait_s(keys)
    if wait > 0:
        return (
            f"Too many failed sign-ins for this name or from this address; try again in "
            f"{max(1, round(wait / 60))} minute{'s' * (round(wait / 60) > 1)}."
        )
    if not access.verify_secret(secret, config.accounts.get(name)):
        limiter.failed(keys)
        return "Wrong name or password."
    limiter.succeeded(keys[:1])
    st.session_state[IDENTITY_KEY] = Identity(name, name, name.lower() in config.operators, "password")
    return None


def sign_out(config: access.AccessConfig) -> None:
    st.session_state.pop(IDENTITY_KEY, None)
    if config.login == "oidc":
        st.logout()


def sidebar(config: access.AccessConfig) -> None:
    """On a shared dashboard: who is signed in (and a sign-out button), or that training needs a sign-in."""
    if not config.shared:
        return
    who = identity(config)
    with st.sidebar:
        if who is None:
            st.caption("Shared dashboard: sign in on the Fine-tuning page to train and see your jobs.")
            return
        st.caption("Signed in as" + (" (operator: sees every job)" if who.operator else ""))
        st.text(who.name)
        st.button("Sign out", key="access_sign_out", icon=":material/logout:", on_click=sign_out, args=(config,))
