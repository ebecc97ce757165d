"""A :class:`Scenario` as TOML text, in the layout of the library's files (so that a user's own
scenario downloaded from the dashboard reads like the presets and loads back unchanged).

The standard library reads TOML but does not write it; the few value types a scenario holds
(text, numbers, booleans, lists, small tables) are written here. Floats are written with
``repr``, so numbers round-trip exactly; populations as the ranking text syntax of
:meth:`Profile.parse` or as one ``[[population.types]]`` table per user type.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping

import numpy as np

from aggregation import RANKINGS, format_ranking
from aggregation.formats import FILE_WORDS

from .scenario import Scenario

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def write_scenario(s: Scenario) -> str:
    out = [
        _pair("id", s.id),
        _pair("title", s.title),
        _pair("summary", s.summary),
        _pair("property", s.property),
        _pair("page", s.page),
        _pair("constructed", s.constructed),
        _pair("note", s.note),
        _pair("narrative", s.narrative),
        "",
        "[source]",
        _pair("paper", s.source.paper),
        _pair("section", s.source.section),
        "",
        "[settings]",
        _pair("beta", s.beta),
        _pair("k", s.k),
    ]
    if s.sampling is not None:
        out.append(_pair("sampling", {a: float(p) for a, p in s.sampling.items()}))
    out += ["", *_population(s)]
    if s.choice is not None:
        c = s.choice
        out += [
            "",
            "[choice]",
            _pair("utilities", {a: float(u) for a, u in c.utilities.items()}),
            _pair("central_ranking", list(c.central_ranking)),
            _pair("phi", c.phi),
            _pair("assortment", list(c.assortment)),
        ]
    for claim in s.claims:
        out += ["", "[[claims]]", *(_pair(k, v) for k, v in claim.to_dict().items())]
    return "\n".join(out) + "\n"


def _population(s: Scenario) -> list[str]:
    pop = s.population
    if s.generator is not None and s.generator.fingerprint == pop.fingerprint:
        return [
            "[population]",
            _pair("kind", "generated"),
            _pair("generator", s.generator.name),
            *(_pair(k, v) for k, v in s.generator.params.items()),
        ]
    if pop.kind == RANKINGS:
        lines = [f"{_number(w)}: {format_ranking(pop.ranking(i))}" for i, w in enumerate(pop.weights)]
        return [
            "[population]",
            _pair("kind", FILE_WORDS[pop.kind]),
            _pair("alternatives", pop.alternatives),
            _pair("text", "\n".join(lines) + "\n"),
        ]
    out = [
        "[population]",
        _pair("kind", FILE_WORDS[pop.kind]),
        _pair("alternatives", pop.alternatives),
        _pair("temperature", pop.temperature),
    ]
    rewards = pop.rewards
    for t, w in pop.weights.items():
        out += [
            "",
            "[[population.types]]",
            _pair("name", t),
            _pair("weight", float(w)),
            _pair("rewards", {a: float(rewards.at[t, a]) for a in pop.alternatives}),
        ]
    return out


# ----------------------------------------------------------------------------- values
def _pair(key: str, value) -> str:
    return f"{_key(key)} = {_value(value, top=True)}"


def _key(key: str) -> str:
    return key if _BARE_KEY.match(key) else _basic(key)


def _value(value, top: bool = False) -> str:
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (int, float, np.integer, np.floating)):
        return _number(value)
    if isinstance(value, str):
        return _multiline(value) if top and "\n" in value else _basic(value)
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{_key(str(k))} = {_value(v)}" for k, v in value.items()) + " }" if value else "{}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} to a scenario file")


def _number(x) -> str:
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    x = float(x)
    if not math.isfinite(x):
        raise ValueError(f"cannot write {x!r} to a scenario file")
    return str(int(x)) if x.is_integer() and abs(x) < 2**53 else repr(x)


def _basic(s: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's, except that TOML also forbids a raw DEL)."""
    return json.dumps(s, ensure_ascii=False).replace("\x7f", "\\u007f")


def _multiline(s: str) -> str:
    """A multi-line literal string (no escapes: what you see is the text) where the text allows."""
    if "'''" in s or _CONTROL.search(s) or "\r" in s or s.endswith("'"):
        return _basic(s)
    return "'''\n" + s + "'''"
