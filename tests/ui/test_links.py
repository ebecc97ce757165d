"""The population inside a link (ui/links.py): it reads back exactly, stays inline when small, is stored under
an id when large, the store is bounded, and a damaged or hostile value gets a message, never a crash."""

from __future__ import annotations

import base64
import os
import zlib

import pytest

from aggregation import AggregationError, Profile, RewardPopulation, bounds, generate
from ui import links

EDITED = Profile.parse("4: R > G > B\n3: B > R > G\n")


def test_a_small_population_travels_inside_the_link_and_reads_back_exactly(tmp_path):
    token = links.encode(EDITED, "Edited from Jackpot paper, Figure 1", True, store=tmp_path)
    assert token.startswith("z") and len(token) < 400
    assert list(tmp_path.iterdir()) == []  # nothing stored for a small one
    back = links.decode(token, store=tmp_path)
    assert back.population.fingerprint == EDITED.fingerprint
    assert (back.title, back.edited) == ("Edited from Jackpot paper, Figure 1", True)


def test_reward_types_keep_their_temperature():
    import pandas as pd

    model = RewardPopulation(
        pd.DataFrame([[1.0, 0.0], [0.0, 2.0]], index=["u", "v"], columns=["A", "B"]), weights=[2, 3], temperature=0.25
    )
    back = links.decode(links.encode(model, "two types", True)).population
    assert back.fingerprint == model.fingerprint and back.temperature == 0.25


def test_a_large_population_is_stored_under_an_id_that_its_content_decides(tmp_path):
    model = generate("impartial_culture", n_voters=3000, alternatives=[f"a{i}" for i in range(12)], seed=1)
    token = links.encode(model, "3000 voters", False, store=tmp_path)
    assert token.startswith("s") and len(token) == 33
    assert links.encode(model, "3000 voters", False, store=tmp_path) == token  # same content, same link
    assert len(list(tmp_path.iterdir())) == 1
    assert links.decode(token, store=tmp_path).population.fingerprint == model.fingerprint
    with pytest.raises(AggregationError, match="not stored on this server"):
        links.decode("s" + "0" * 32, store=tmp_path)


def test_two_sessions_storing_the_same_population_at_once(tmp_path, monkeypatch):
    """Sessions are threads of one server: two storing the same large population at the same moment both
    write before either moves its file in place (forced here with a barrier); neither may fail."""
    import threading

    model = generate("impartial_culture", n_voters=3000, alternatives=[f"a{i}" for i in range(12)], seed=2)
    barrier, real_replace = threading.Barrier(2, timeout=30), os.replace

    def replace(source, target):
        barrier.wait()  # both threads have written their temporary file
        return real_replace(source, target)

    monkeypatch.setattr(links.os, "replace", replace)
    results, errors = [], []

    def store():
        try:
            results.append(links.encode(model, "3000 voters", False, store=tmp_path))
        except Exception as exc:  # noqa: BLE001 - the assertion below names it
            errors.append(exc)

    threads = [threading.Thread(target=store) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == [] and len(set(results)) == 1
    assert [p.name for p in tmp_path.iterdir()] == [f"{results[0]}.json.z"]  # no temporary file left


def test_the_store_keeps_the_most_recently_opened_and_drops_the_expired(tmp_path, monkeypatch):
    monkeypatch.setattr(bounds, "MAX_STORED_POPULATIONS", 2)
    now = 1_000_000_000.0
    for i, age_days in enumerate([1, 2, 3, bounds.MAX_LINK_AGE_DAYS + 1]):
        path = tmp_path / f"s{i:032x}.json.z"
        path.write_bytes(b"x")
        os.utime(path, (now - age_days * 86_400,) * 2)
    links.prune(tmp_path, now=now)
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"s{0:032x}.json.z", f"s{1:032x}.json.z"]


@pytest.mark.parametrize(
    "value, message",
    [
        ("hello", "neither a population"),
        ("z!!!", "neither a population"),
        ("zAAAA", "does not decompress"),
        ("z" + base64.urlsafe_b64encode(zlib.compress(b"[1, 2]")).decode().rstrip("="), "format"),
        (
            "z"
            + base64.urlsafe_b64encode(zlib.compress(b"{\"v\": 1, \"title\": \"t\", \"population\": {\"kind\": 3}}"))
            .decode()
            .rstrip("="),
            "the link's population",
        ),
        ("s../../etc/passwd", "neither a population"),
    ],
)
def test_a_bad_value_gets_a_message(value, message, tmp_path):
    with pytest.raises(AggregationError, match=message):
        links.decode(value, store=tmp_path)


def test_a_stored_zip_bomb_is_refused_before_it_is_inflated(tmp_path):
    (tmp_path / f"s{7:032x}.json.z").write_bytes(zlib.compress(b" " * (bounds.MAX_TEXT_CHARS + 10), 9))
    with pytest.raises(AggregationError, match="once decompressed"):
        links.decode(f"s{7:032x}", store=tmp_path)
