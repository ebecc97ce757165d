"""The pieces of a shared dashboard that need no page: salted scrypt hashes, the [access] configuration and
its problems in words, the limit on failed sign-ins, the launcher's address and host-name rules, and the
operators' command line."""

from __future__ import annotations

import base64
import hashlib
import subprocess
import sys

import pytest

from ui import access, launch

from .conftest import ROOT


def test_a_hash_is_salted_scrypt_and_only_the_right_secret_matches():
    stored = access.hash_secret("correct horse", salt=b"s" * 16)
    n, r, p, salt, digest = stored.split("$")[1:]
    assert stored.startswith("scrypt$16384$8$1$") and base64.b64decode(salt) == b"s" * 16
    # the digest is RFC 7914 scrypt itself (hashlib's), 32 bytes
    assert base64.b64decode(digest) == hashlib.scrypt(b"correct horse", salt=b"s" * 16, n=16384, r=8, p=1, dklen=32)
    assert access.verify_secret("correct horse", stored)
    assert not access.verify_secret("correct horse ", stored) and not access.verify_secret("", stored)
    assert access.hash_secret("correct horse") != access.hash_secret("correct horse")  # a fresh salt each time
    for broken in (
        None,
        "",
        "plain-text-password",
        "scrypt$16384$8$1$c2FsdA==",
        "scrypt$3$8$1$c2FsdHNhbHQ=$AAAA",
        stored.replace("scrypt", "bcrypt"),
    ):
        assert not access.verify_secret("correct horse", broken)


def test_no_sign_in_is_asked_when_the_dashboard_is_not_shared():
    assert access.read_config({"access": {"login": "password"}}, {}) == access.AccessConfig()
    assert access.read_config({}, {access.SHARE_ENV: "0"}).shared is False


def test_the_configuration_of_a_shared_dashboard_and_its_problems_in_words():
    good = access.hash_secret("pw-for-ana", salt=b"a" * 16)
    config = access.read_config(
        {
            "access": {
                "login": "password",
                "operators": ["Teacher"],
                "max_total_steps": 0,
                "accounts": {"ana": good, "teacher": good},
            }
        },
        {access.SHARE_ENV: "1"},
    )
    assert config.can_sign_in and config.accounts == {"ana": good, "teacher": good}
    assert config.operators == frozenset({"teacher"})
    assert (config.max_queued_jobs, config.max_total_steps) == (access.DEFAULT_MAX_QUEUED_JOBS, None)  # 0: no limit
    env = {access.SHARE_ENV: "1"}
    assert access.read_config({}, env).problems == (
        "no sign-in is configured: add an [access] section to .streamlit/secrets.toml (README, “Sharing the "
        "dashboard”)",
    )
    bad = access.read_config(
        {"access": {"login": "password", "max_queued_jobs": -1, "accounts": {"ana": "hunter2", "bad name": good}}}, env
    )
    assert bad.problems == (
        "[access.accounts] ana: not a hash made by python -m ui.access (it must start with scrypt$)",
        "[access.accounts]: 'bad name' is not a usable name (letters, digits and . _ @ + -, at most 64)",
        "[access] max_queued_jobs must be a whole number >= 0 (0: no limit), got -1",
    )
    assert not bad.can_sign_in and bad.accounts == {}  # a plain-text password is never accepted
    assert access.read_config({"access": {"login": "ldap"}}, env).problems == (
        "[access] login must be \"password\" or \"oidc\" (got 'ldap')",
    )
    assert access.read_config({"access": {"login": "password"}}, env).problems == (
        "[access.accounts] lists no accounts: add one with python -m ui.access password NAME",
    )


def test_an_openid_identity_is_owned_by_its_email_in_lower_case_else_its_subject():
    assert access.owner_of_oidc_user({"email": " Ana@Example.ORG ", "sub": "1"}) == "ana@example.org"
    assert access.owner_of_oidc_user({"sub": "1234"}) == "oidc:1234"
    assert access.owner_of_oidc_user({"is_logged_in": True}) is None


def test_failed_sign_ins_wait_until_the_oldest_leaves_the_window():
    now = [1000.0]
    attempts = access.Attempts(max_failures=3, window_s=60, clock=lambda: now[0])
    keys = ("name:ana", "address:10.0.0.7")
    for t in (0, 10, 20):
        now[0] = 1000.0 + t
        assert attempts.wait_s(keys) == 0
        attempts.failed(keys)
    assert attempts.wait_s(keys) == 40.0  # the first failure leaves the window at t = 60
    assert attempts.wait_s(("name:ben", "address:10.0.0.7")) == 40.0  # the same address, another name
    assert attempts.wait_s(("name:ben", "address:10.0.0.8")) == 0
    now[0] = 1061.0
    assert attempts.wait_s(keys) == 0
    attempts.failed(keys)
    attempts.succeeded(keys[:1])
    assert attempts.wait_s(keys[:1]) == 0


@pytest.mark.parametrize(
    "args, env, address, hosts, shared",
    [
        ([], {}, "127.0.0.1", ["localhost", "127.0.0.1", "::1"], False),
        (["--server.address", "::1"], {}, "::1", ["localhost", "127.0.0.1", "::1"], False),
        (["--server.address=localhost", "--server.allowedHosts=dash.local"], {}, "localhost", ["dash.local"], False),
        (["--share"], {}, "0.0.0.0", None, True),
        (
            [],
            {"AGGREGATION_SHARE": "1", "AGGREGATION_ALLOWED_HOSTS": "dash.example.org, 10.1.2.3"},
            "0.0.0.0",
            None,
            True,
        ),
        (
            ["--share", "--server.address=10.1.2.3", "--server.allowedHosts", "dash.example.org"],
            {},
            "10.1.2.3",
            ["dash.example.org"],
            True,
        ),
    ],
)
def test_the_launcher_binds_loopback_unless_asked_to_share(args, env, address, hosts, shared):
    options, accepted, is_shared = launch.server_options(args, env)
    assert is_shared is shared and "--share" not in options
    assert launch.option(options, "server.address") == address
    if hosts is not None:
        assert accepted == hosts
    else:
        assert accepted[:3] == ["localhost", "127.0.0.1", "::1"] and len(accepted) > 3  # plus this machine's names
        assert all(h in accepted for h in env.get("AGGREGATION_ALLOWED_HOSTS", "").replace(" ", "").split(",") if h)
    given = [a for a in options if a.startswith("--server.allowedHosts")]
    assert len(given) == len(accepted) or "--server.allowedHosts" in options


@pytest.mark.parametrize("address", ["0.0.0.0", "::", "192.0.2.2", "dash.example.org"])
def test_an_unshared_dashboard_refuses_a_network_address(address):
    with pytest.raises(launch.LaunchError) as err:
        launch.server_options([f"--server.address={address}"], {})
    assert str(err.value).startswith(f"--server.address={address} would let other machines reach this dashboard")
    assert "--share" in str(err.value)


def test_the_operators_command_line_prints_a_line_that_signs_in():
    done = subprocess.run(
        [sys.executable, "-m", "ui.access", "token", "ana"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0
    token = done.stderr.split("it is not stored anywhere): ", 1)[1].split()[0]
    name, stored = done.stdout.strip().split(" = ")
    assert name == "ana" and access.verify_secret(token, stored.strip('"'))
    refused = subprocess.run(
        [sys.executable, "-m", "ui.access", "token", "../etc"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert refused.returncode == 2 and "a name is letters, digits" in refused.stderr
