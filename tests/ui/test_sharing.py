"""A shared dashboard (``AGGREGATION_SHARE=1``, what ``python -m ui.launch --share`` sets) in AppTest, with the
real job records and SQLite queue (no worker): without a sign-in nothing is started or listed; a password or
token signs a session in; each person sees only their own jobs, the operator everyone's; the limits are
stated next to the start button and refuse with those words; failed sign-ins are limited; the OpenID Connect
branch as far as it goes without a provider. Browser tests of the same flows: tests/e2e/test_sharing_browser.py.
"""

from __future__ import annotations

import pytest

from aggregation import Profile, population_to_dict
from ui import access, login, state
from worker.client import JobClient

from .fine_tuning_helpers import open_fine_tuning, texts

FIGURE_1 = population_to_dict(Profile.parse(state.JACKPOT_FIGURE_1))
#: Fixed salts keep the test's hashes stable; the dashboard's own hashes get random salts.
ANA = access.hash_secret("ana-password", salt=b"a" * 16)
BEN = access.hash_secret("ben-token-xyz", salt=b"b" * 16)
TEACHER = access.hash_secret("teacher-password", salt=b"t" * 16)
PASSWORDS = {
    "access": {
        "login": "password",
        "operators": ["teacher"],
        "max_queued_jobs": 1,
        "max_total_steps": 300,
        "accounts": {"ana": ANA, "ben": BEN, "teacher": TEACHER},
    }
}


@pytest.fixture
def shared(monkeypatch, data_dir):  # noqa: F811
    monkeypatch.setenv(access.SHARE_ENV, "1")  # the failed sign-ins start afresh: tests/ui/conftest.py clears caches
    return data_dir


def submit_as(data_dir, owner, **settings):  # noqa: F811
    return JobClient(data_dir=data_dir).for_user(owner).submit({"population": FIGURE_1, "method": "dpo", **settings})


def sign_in(at, name: str, secret: str):
    at.text_input(key="ft_login_name").input(name)
    at.text_input(key="ft_login_secret").input(secret)
    at.form_submit_button[0].click().run()
    return at


def job_ids(at) -> list[str]:
    return list(at.get_by_key("ft_jobs_table").dataframe[0].value["job id"])


def test_shared_without_a_configured_sign_in_nothing_trains_and_no_job_is_listed(app, shared):
    submit_as(shared, "someone")
    at = open_fine_tuning(app)
    assert not at.exception
    assert texts(at.warning).startswith(
        "Training is switched off on this shared dashboard: no sign-in is configured: "
        "add an [access] section to .streamlit/secrets.toml"
    )
    assert not [b for b in at.button if b.key == "ft_start"] and "Sign in (above) to see your jobs." in texts(at.info)
    assert not [e for e in at.get("dataframe")]  # someone's job is not shown
    assert at.get("plotly_chart")  # the theory preview works for everyone


def test_shared_with_passwords_a_session_signs_in_and_sees_only_its_own_jobs(app, shared):
    ben_job = submit_as(shared, "ben")
    app.secrets.update(PASSWORDS)
    app.query_params["job"] = ben_job  # a link to another person's job
    at = open_fine_tuning(app)
    assert not at.exception and not [b for b in at.button if b.key == "ft_start"]
    assert "**Sign in** · training on this shared dashboard needs a sign-in" in texts(at.markdown)
    assert not [e for e in at.get("dataframe")]
    sign_in(at, "ana", "wrong")
    assert texts(at.error) == "Wrong name or password." and login.IDENTITY_KEY not in at.session_state
    sign_in(at, "nobody", "ana-password")
    assert texts(at.error) == "Wrong name or password."  # an unknown name reads the same
    sign_in(at, "ana", "ana-password")
    assert not at.exception and not at.error
    assert at.session_state[login.IDENTITY_KEY] == login.Identity("ana", "ana", False, "password")
    assert "ana" in [t.value for t in at.sidebar.text]
    assert "Limits per person: 1 job queued or running, 300 steps across them. You have none now." in texts(at.caption)
    assert "The link's job=" in texts(at.warning) and "not among your jobs" in texts(at.warning)
    at.button(key="ft_start").click().run()
    client = JobClient(data_dir=shared)
    mine = [r for r in client.list_jobs() if r.owner == "ana"]
    assert len(mine) == 1 and job_ids(at) == [mine[0].job_id]  # ben's job is not listed
    assert "owner" not in at.get_by_key("ft_jobs_table").dataframe[0].value.columns
    assert "You have 1 (200 steps)." in texts(at.caption)
    # the limit, stated next to the button, refuses with the same words (nothing is queued)
    at.button(key="ft_start").click().run()
    assert texts(at.error) == (
        "Not queued: you already have 1 job queued or running, and each person may have at "
        "most 1 at a time; wait for one to finish or cancel one."
    )
    assert len([r for r in client.list_jobs() if r.owner == "ana"]) == 1
    at.button(key="ft_cancel").click().run()
    at.number_input(key="ft_steps").set_value(400).run()
    at.button(key="ft_start").click().run()
    assert texts(at.error).startswith(
        "Not queued: this job's 400 steps would bring them to 400; each person may "
        "have at most 300 steps queued or running at a time"
    )
    at.button(key="access_sign_out").click().run()
    assert login.IDENTITY_KEY not in at.session_state and not [b for b in at.button if b.key == "ft_start"]


def test_a_token_signs_in_like_a_password_and_the_operator_sees_every_job_with_its_owner(app, shared):
    ana_job, ben_job = submit_as(shared, "ana"), submit_as(shared, "ben")
    app.secrets.update(PASSWORDS)
    at = sign_in(open_fine_tuning(app), "ben", "ben-token-xyz")
    assert job_ids(at) == [ben_job]
    at.button(key="access_sign_out").click().run()
    sign_in(at, "teacher", "teacher-password")
    assert at.session_state[login.IDENTITY_KEY].operator
    assert "You are an operator here: no limits, and the job list shows everyone's jobs." in texts(at.caption)
    table = at.get_by_key("ft_jobs_table").dataframe[0].value
    assert list(table["job id"]) == [ben_job, ana_job] and list(table["owner"]) == ["ben", "ana"]
    assert " · ben · dpo · tiny" in at.selectbox(key="ft_job").format_func(ben_job)
    assert "operator" in texts(at.sidebar.caption)


def test_failed_sign_ins_are_limited_per_name(app, shared):
    app.secrets.update(PASSWORDS)
    at = open_fine_tuning(app)
    for _ in range(access.MAX_FAILURES):
        sign_in(at, "ana", "guess")
        assert texts(at.error) == "Wrong name or password."
    sign_in(at, "ana", "ana-password")  # even the right password waits now
    assert texts(at.error) == "Too many failed sign-ins for this name or from this address; try again in 10 minutes."
    assert login.IDENTITY_KEY not in at.session_state


def test_openid_connect_shows_the_providers_button_and_maps_the_identity_to_an_owner(app, shared, monkeypatch):
    """What can be tested without a provider: the configuration, the button that calls st.login, and st.user
    (seeded by AppTest as a provider's identity would be) read as the owner of jobs, operators by e-mail. The
    redirect to a real provider and its callback are not exercised here."""
    monkeypatch.setattr(access, "authlib_installed", lambda: True)
    mine, theirs = submit_as(shared, "ana@example.org"), submit_as(shared, "ben@example.org")
    app.secrets.update(
        {
            "access": {"login": "oidc", "operators": ["Boss@Example.org"]},
            "auth": {
                "redirect_uri": "http://localhost:8501/oauth2callback",
                "cookie_secret": "x" * 32,
                "client_id": "dashboard",
                "client_secret": "s",
                "server_metadata_url": "https://id.example.org/.well-known/openid-configuration",
            },
        }
    )
    app.user = {"is_logged_in": False}
    at = open_fine_tuning(app)
    assert not at.exception
    assert at.button(key="ft_oidc").label == "Sign in with your organisation's account"
    assert not [b for b in at.button if b.key == "ft_start"]
    at.user = {"is_logged_in": True, "email": "Ana@Example.org", "sub": "1234"}
    at.run()
    assert not at.exception and job_ids(at) == [mine]
    at.user = {"is_logged_in": True, "email": "boss@example.org"}
    at.run()
    assert job_ids(at) == [theirs, mine]


def test_the_oidc_branch_says_what_is_missing(app, shared, monkeypatch):
    monkeypatch.setattr(access, "authlib_installed", lambda: False)
    app.secrets.update({"access": {"login": "oidc"}})
    at = open_fine_tuning(app)
    warning = texts(at.warning)
    assert "login = \"oidc\" needs Streamlit's [auth] section in .streamlit/secrets.toml" in warning
    assert "needs the Authlib package" in warning


def test_a_dashboard_that_is_not_shared_asks_nothing(app, data_dir, monkeypatch):  # noqa: F811
    monkeypatch.setenv(access.SHARE_ENV, "0")
    app.secrets.update(PASSWORDS)  # configured, but not shared: no sign-in, no limits, every job listed
    job = submit_as(data_dir, "ana")
    at = open_fine_tuning(app)
    assert at.button(key="ft_start") and job_ids(at) == [job]
    assert not [c for c in at.caption if c.value.startswith("Limits per person")]
    assert not [t for t in at.text_input if t.key == "ft_login_name"] and not at.sidebar.text
