"""The population inside a link: what keeps an edited, imported or generated population across a reload
(F5), a server restart and a copied link.

Why the URL (and not a cookie or the browser's local storage): Streamlit already writes the state into the
query string after every run (:mod:`ui.urls`), a reload re-sends that URL, and a link pasted for a class
must carry the population anyway; one mechanism then covers reload, restart and sharing, with no script in
the browser and nothing to expire for a small population.

* A small population travels **in the link**: ``pop=z…``, its JSON (:func:`aggregation.population_to_dict`,
  with the title) compressed with zlib and written in base64url, when that takes at most
  :data:`aggregation.bounds.MAX_LINK_POPULATION_CHARS` characters.
* A larger one is **stored by the server** (a file under ``$AGGREGATION_DATA_DIR/links``, the data folder
  of the job records) and the link carries its id: ``pop=s`` and 32 hexadecimal digits of the SHA-256 of the
  compressed content (the same population always gets the same link; the id cannot be guessed from
  anything but the content). The store is bounded (:data:`~aggregation.bounds.MAX_STORED_POPULATIONS`
  files, the least recently opened removed first; a file unopened for
  :data:`~aggregation.bounds.MAX_LINK_AGE_DAYS` days is removed too).

Reading a link is reading user input: the text is decoded with a limit on the decompressed size
(:data:`~aggregation.bounds.MAX_TEXT_CHARS`) and read by the core's population reader, with its limits;
no pickle, no code. Problems raise :class:`AggregationError`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import re
import threading
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

from aggregation import AggregationError, bounds, population_from_dict, population_to_dict

INLINE, STORED = "z", "s"
_STORED_ID = re.compile(r"^s[0-9a-f]{32}$")
_INLINE = re.compile(r"^z[A-Za-z0-9_-]+$")
#: Characters of a population's title kept in a link.
MAX_TITLE_CHARS = 300
_ROOT = Path(__file__).resolve().parents[1]


def store_dir() -> Path:
    """Where stored populations live: ``links/`` in the data folder (``AGGREGATION_DATA_DIR``, by default
    ``<repository>/data``, as for the job records)."""
    return Path(os.environ.get("AGGREGATION_DATA_DIR") or _ROOT / "data").expanduser() / "links"


@dataclass(frozen=True)
class Linked:
    """A population read from a link, with the title and the "edited" mark it had."""

    population: object
    title: str
    edited: bool


def _payload(model, title: str, edited: bool) -> bytes:
    content = {
        "v": 1,
        "title": str(title)[:MAX_TITLE_CHARS],
        "edited": bool(edited),
        "population": population_to_dict(model),
    }
    return zlib.compress(json.dumps(content, separators=(",", ":"), ensure_ascii=False).encode("utf-8"), 9)


def encode(model, title: str, edited: bool, *, store: Path | None = None) -> str:
    """The ``pop`` value of a link for ``model`` (inline when small, else stored under an id)."""
    packed = _payload(model, title, edited)
    token = INLINE + base64.urlsafe_b64encode(packed).decode("ascii").rstrip("=")
    if len(token) <= bounds.MAX_LINK_POPULATION_CHARS:
        return token
    ident = STORED + hashlib.sha256(packed).hexdigest()[:32]
    folder = store or store_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{ident}.json.z"
    if path.exists():
        os.utime(path)
    else:
        # one temporary file per thread: sessions run in threads of one server, and two storing the same
        # population at once must not move each other's file away (the load bench met that)
        temporary = path.with_suffix(f".tmp{os.getpid()}-{threading.get_ident()}")
        temporary.write_bytes(packed)
        os.replace(temporary, path)
        prune(folder)
    return ident


def prune(folder: Path | None = None, *, now: float | None = None) -> None:
    """Keep at most :data:`~aggregation.bounds.MAX_STORED_POPULATIONS` stored populations, none unopened
    for more than :data:`~aggregation.bounds.MAX_LINK_AGE_DAYS` days (least recently opened removed first)."""
    folder = folder or store_dir()
    now = time.time() if now is None else now
    entries = []
    for path in folder.glob("s*.json.z"):
        try:
            entries.append((path.stat().st_mtime, path))
        except FileNotFoundError:
            continue
    entries.sort(reverse=True)
    oldest = now - bounds.MAX_LINK_AGE_DAYS * 86_400
    for i, (mtime, path) in enumerate(entries):
        if i >= bounds.MAX_STORED_POPULATIONS or mtime < oldest:
            path.unlink(missing_ok=True)


def decode(text, *, store: Path | None = None) -> Linked:
    """The population a ``pop`` value names; :class:`AggregationError` says what is wrong with it."""
    if not isinstance(text, str):
        raise AggregationError(f"the link's population must be text, got {type(text).__name__}")
    bounds.check("MAX_PARAM_CHARS", len(text), "the link's population", found=f"{len(text):,} characters")
    text = text.strip()
    if _STORED_ID.match(text):
        path = (store or store_dir()) / f"{text}.json.z"
        try:
            packed = path.read_bytes()
        except FileNotFoundError:
            raise AggregationError(
                f"the link's population {text} is not stored on this server (stored "
                f"populations unopened for {bounds.MAX_LINK_AGE_DAYS} days are removed)"
            ) from None
        os.utime(path)  # opened: it lives on
    elif _INLINE.match(text):
        try:
            packed = base64.urlsafe_b64decode(text[1:] + "=" * (-(len(text) - 1) % 4))
        except (binascii.Error, ValueError):
            raise AggregationError("the link's population is not valid base64url text") from None
    else:
        raise AggregationError(
            "the link's population is neither a population written by this dashboard "
            "(z…) nor the id of a stored one (s and 32 hexadecimal digits)"
        )
    inflater = zlib.decompressobj()
    try:
        raw = inflater.decompress(packed, bounds.MAX_TEXT_CHARS + 1)
    except zlib.error:
        raise AggregationError("the link's population is damaged (it does not decompress)") from None
    if len(raw) > bounds.MAX_TEXT_CHARS or inflater.unconsumed_tail:
        raise AggregationError(
            f"the link's population is larger than {bounds.MAX_TEXT_CHARS:,} characters once decompressed"
        )
    try:
        content = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise AggregationError("the link's population is damaged (not JSON once decompressed)") from None
    if not isinstance(content, dict) or content.get("v") != 1:
        raise AggregationError("the link's population is not in this dashboard's format (version 1)")
    title = content.get("title")
    if not isinstance(title, str) or not title.strip():
        raise AggregationError("the link's population has no title")
    model = population_from_dict(content.get("population"), "the link's population")
    return Linked(model, title.strip()[:MAX_TITLE_CHARS], bool(content.get("edited")))
