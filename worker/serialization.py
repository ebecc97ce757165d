"""A JSON serializer for Huey: nothing a job carries is ever unpickled.

Huey pickles its messages by default. :class:`JsonSerializer` writes them as JSON instead:
a task message (Huey's ``Message`` namedtuple) becomes ``{"__huey_message__": [...]}``, a
datetime ``{"__datetime__": "ISO 8601"}``, tuples become lists; anything else that is not
plain JSON (numbers, strings, booleans, null, lists, objects with string keys) is refused
when it is written. Reading only ever calls :func:`json.loads`, so a message planted in the
queue can at worst name a task that is not registered (Huey then refuses it).
"""

from __future__ import annotations

import datetime
import json
import math

from huey.registry import Message
from huey.serializer import Serializer

_MESSAGE, _DATETIME = "__huey_message__", "__datetime__"


def _encode(value):
    if isinstance(value, Message):
        return {_MESSAGE: [_encode(v) for v in value]}
    if isinstance(value, datetime.datetime):
        return {_DATETIME: value.isoformat()}
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise TypeError(f"cannot put {value!r} into a job message (not valid JSON)")
        return value
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise TypeError(f"job messages need text keys, got {k!r}")
            if k in (_MESSAGE, _DATETIME):
                raise TypeError(f"{k!r} is reserved in job messages")
            out[k] = _encode(v)
        return out
    raise TypeError(f"cannot put a {type(value).__name__} into a job message: only plain JSON is allowed")


def _decode(obj: dict):
    if len(obj) == 1 and _MESSAGE in obj:
        return Message(*obj[_MESSAGE])
    if len(obj) == 1 and _DATETIME in obj:
        return datetime.datetime.fromisoformat(obj[_DATETIME])
    return obj


class JsonSerializer(Serializer):
    """Huey serializer that reads and writes JSON only (UTF-8 bytes)."""

    def _serialize(self, data) -> bytes:
        return json.dumps(_encode(data), separators=(",", ":"), allow_nan=False).encode("utf-8")

    def _deserialize(self, data: bytes):
        text = data if isinstance(data, str) else bytes(data).decode("utf-8")
        return json.loads(text, object_hook=_decode)
