"""PrefLib ordinal files (``soc``, ``soi``, ``toc``, ``toi``), read through ``preflibtools`` (the PrefLib
project's own library) after a validating pass that locates errors by line, since the library
itself reports them without lines."""
from __future__ import annotations

import re
import tempfile
from pathlib import Path

from ..errors import AggregationError
from ..populations.profile import Profile


PREFLIB_TYPES = ("soc", "soi", "toc", "toi")


_ALT_NAME = re.compile(r"^#\s*ALTERNATIVE NAME\s+(\d+)\s*:\s*(.*)$")


_DATA_TYPE = re.compile(r"^#\s*DATA TYPE\s*:\s*(\S+)")


_NUM_ALTS = re.compile(r"^#\s*NUMBER ALTERNATIVES\s*:\s*(\d+)")


_TOKEN = re.compile(r"\{[^{}]*\}|[^,{}]+")


# ---------------------------------------------------------------------------- PrefLib
def read_preflib(text: str, data_type: str | None = None) -> Profile:
    """A PrefLib ordinal file (``soc``, ``soi``, ``toc``, ``toi``) as a :class:`Profile`.

    ``data_type`` defaults to the file's ``# DATA TYPE`` header (pass the file extension when
    there is none). Alternatives a ``soi``/``toi`` line leaves out share its last place.
    """
    from preflibtools.instances import OrdinalInstance

    lines = str(text).splitlines()
    names: dict[int, str] = {}
    declared_type, n_alts = None, None
    for lineno, line in enumerate(lines, start=1):
        s = line.strip()
        if not s.startswith("#"):
            continue
        if m := _ALT_NAME.match(s):
            names[int(m.group(1))] = m.group(2).strip()
        elif m := _DATA_TYPE.match(s):
            declared_type = m.group(1).lower()
        elif m := _NUM_ALTS.match(s):
            n_alts = int(m.group(1))
    kind = (data_type or declared_type or "").lower().lstrip(".")
    if kind not in PREFLIB_TYPES:
        raise AggregationError(
            f"unknown PrefLib data type {kind or '(none)'!r}: expected one of {', '.join(PREFLIB_TYPES)} "
            "(from the '# DATA TYPE' header or the file extension)")
    if not names:
        if n_alts is None:
            raise AggregationError("the file declares no alternatives ('# ALTERNATIVE NAME i: name' "
                                   "or '# NUMBER ALTERNATIVES: m' header lines)")
        names = {i: str(i) for i in range(1, n_alts + 1)}
    complete = kind in ("soc", "toc")
    strict = kind in ("soc", "soi")
    n_orders = 0
    for lineno, line in enumerate(lines, start=1):
        s = "".join(line.split())
        if not s or s.startswith("#"):
            continue
        _check_preflib_line(s, lineno, names, complete=complete, strict=strict)
        n_orders += 1
    if n_orders == 0:
        raise AggregationError("the file holds no preference lines (e.g. '3: 1,2,{3,4}')")

    instance = OrdinalInstance()
    try:
        instance.parse_str(str(text), kind)
    except (ValueError, TypeError) as exc:  # the pass above should make this unreachable
        raise AggregationError(f"PrefLib parser: {exc}") from None
    alt_ids = sorted(names)
    rankings = [[[names[a] for a in group] for group in order] for order in instance.orders]
    weights = [instance.multiplicity[order] for order in instance.orders]
    return Profile.from_rankings(rankings, weights, alternatives=[names[a] for a in alt_ids])


def _check_preflib_line(s: str, lineno: int, names: dict[int, str], *, complete: bool, strict: bool) -> None:
    if ":" not in s:
        raise AggregationError("expected 'count: order', e.g. '3: 1,2,{3,4}'", line=lineno)
    count, order = s.split(":", 1)
    if not count.isdigit() or int(count) <= 0:
        raise AggregationError(f"the count {count!r} must be a positive whole number", line=lineno)
    if order.count("{") != order.count("}"):
        raise AggregationError("unbalanced braces '{' '}'", line=lineno)
    seen: set[int] = set()
    tokens = _TOKEN.findall(order)
    if not tokens:
        raise AggregationError("the order is empty", line=lineno)
    for token in tokens:
        tie = token.startswith("{")
        if tie and strict:
            raise AggregationError(f"ties {token} are not allowed in a strict-order file", line=lineno)
        for item in (token.strip("{}").split(",") if tie else [token]):
            if not item.isdigit():
                raise AggregationError(f"{item!r} is not an alternative number", line=lineno)
            a = int(item)
            if a not in names:
                raise AggregationError(f"alternative {a} is not declared in the header", line=lineno)
            if a in seen:
                raise AggregationError(f"alternative {a} ({names[a]}) appears twice", line=lineno)
            seen.add(a)
    if complete and len(seen) != len(names):
        missing = sorted(set(names) - seen)[0]
        raise AggregationError(
            f"a complete-order file must rank every alternative; {missing} ({names[missing]}) is missing", line=lineno)


def write_preflib(profile: Profile, title: str = "") -> tuple[str, str]:
    """``(text, data_type)``: ``soc`` when no ranking has ties, else ``toc``."""
    from preflibtools.instances import OrdinalInstance

    compact = profile.compressed()
    kind = "toc" if compact.has_ties else "soc"
    instance = OrdinalInstance()
    instance.data_type = kind
    instance.title = title
    instance.file_name = f"population.{kind}"
    alts = compact.alternatives
    instance.alternatives_name = {i + 1: a for i, a in enumerate(alts)}
    instance.num_alternatives = len(alts)
    if not all(float(w).is_integer() for w in compact.weights):
        raise AggregationError("PrefLib files need whole-number counts; this population has fractional weights "
                               "(export it as CSV instead)")
    for i, w in enumerate(compact.weights):
        order = tuple(tuple(alts.index(a) + 1 for a in group) for group in compact.ranking(i))
        instance.orders.append(order)
        instance.multiplicity[order] = int(w)
    instance.num_unique_orders = len(instance.orders)
    instance.num_voters = int(sum(instance.multiplicity.values()))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"population.{kind}"
        instance.write(str(path))
        return path.read_text(encoding="utf-8"), kind
