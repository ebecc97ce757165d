"""PrefLib ordinal files (``soc``, ``soi``, ``toc``, ``toi``): read by a validating parser that names the
line of every problem and checks the limits of :mod:`aggregation.bounds` before it allocates (a
57-byte header declaring 99,999,999,999 alternatives is refused after reading it); written through
``preflibtools`` (the PrefLib project's own library).

The reader does not hand the file to ``preflibtools``: its parser reports errors without lines, and
without ``autocorrect`` it keeps the count of the *last* of two identical orders for both (``2: 1,2``
and ``3: 1,2`` became two rankings of weight 3, a total of 6 voters instead of 5).
"""

from __future__ import annotations

import atexit
import functools
import re
import shutil
import tempfile
import uuid
from pathlib import Path

from .. import bounds
from ..errors import AggregationError
from ..populations.profile import Profile


PREFLIB_TYPES = ("soc", "soi", "toc", "toi")


_ALT_NAME = re.compile(r"^#\s*ALTERNATIVE NAME\s+([0-9]+)\s*:\s*(.*)$")


_DATA_TYPE = re.compile(r"^#\s*DATA TYPE\s*:\s*(\S+)")


_NUM_ALTS = re.compile(r"^#\s*NUMBER ALTERNATIVES\s*:\s*([0-9]+)")


_TOKEN = re.compile(r"\{[^{}]*\}|[^,{}]+")


_DIGITS = re.compile(r"[0-9]+")


# ---------------------------------------------------------------------------- PrefLib
def read_preflib(text: str, data_type: str | None = None) -> Profile:
    """A PrefLib ordinal file (``soc``, ``soi``, ``toc``, ``toi``) as a :class:`Profile`.

    ``data_type`` defaults to the file's ``# DATA TYPE`` header (pass the file extension when
    there is none). Alternatives a ``soi``/``toi`` line leaves out share its last place.
    Identical orders on several lines add up.
    """
    lines = bounds.text(text, "the PrefLib file").splitlines()
    names: dict[int, str] = {}
    declared_type, n_alts = None, None
    for lineno, line in enumerate(lines, start=1):
        s = line.strip()
        if not s.startswith("#"):
            continue
        if m := _ALT_NAME.match(s):
            names[_alternative_number(m.group(1), lineno)] = m.group(2).strip()
        elif m := _DATA_TYPE.match(s):
            declared_type = m.group(1).lower()
        elif m := _NUM_ALTS.match(s):
            n_alts = _alternative_number(m.group(1), lineno, declared=True)
    if data_type is not None and not isinstance(data_type, str):
        raise AggregationError(f"the PrefLib data type must be text such as 'soc', got {type(data_type).__name__}")
    kind = (data_type or declared_type or "").lower().lstrip(".")
    if kind not in PREFLIB_TYPES:
        raise AggregationError(
            f"unknown PrefLib data type {kind[:20] or '(none)'!r}: expected one of {', '.join(PREFLIB_TYPES)} "
            "(from the '# DATA TYPE' header or the file extension)"
        )
    if not names:
        if n_alts is None:
            raise AggregationError(
                "the file declares no alternatives ('# ALTERNATIVE NAME i: name' "
                "or '# NUMBER ALTERNATIVES: m' header lines)"
            )
        names = {i: str(i) for i in range(1, n_alts + 1)}
    complete = kind in ("soc", "toc")
    strict = kind in ("soc", "soi")
    alt_ids = sorted(names)
    weights: list[int] = []
    labels: list[str] = []

    def orders():
        for lineno, line in enumerate(lines, start=1):
            s = "".join(line.split())
            if not s or s.startswith("#"):
                continue
            count, groups = _preflib_line(s, lineno, names, complete=complete, strict=strict)
            weights.append(count)
            labels.append(f"line {lineno}")
            yield [[names[a] for a in group] for group in groups]

    try:
        return Profile.from_rankings(orders(), weights, alternatives=[names[a] for a in alt_ids], labels=labels)
    except AggregationError as exc:
        if str(exc) == "the population is empty: there are no rankings":
            raise AggregationError("the file holds no preference lines (e.g. '3: 1,2,{3,4}')") from None
        raise


def _alternative_number(digits: str, lineno: int, *, declared: bool = False) -> int:
    """A header's alternative number (or count, ``declared``), refused beyond the limit before it is used."""
    what = "the header declares" if declared else "the header numbers an alternative"
    value = int(digits) if len(digits) <= 18 else 10**18
    shown = f"{value:,}" if len(digits) <= 18 else f"a number of {len(digits):,} digits"
    bounds.check(
        "MAX_ALTERNATIVES", value, line=lineno, found=f"{what} {shown}" + (" alternatives" if declared else "")
    )
    return value


def _preflib_line(
    s: str, lineno: int, names: dict[int, str], *, complete: bool, strict: bool
) -> tuple[int, list[list[int]]]:
    """``(count, order as groups of alternative numbers)`` of one preference line, checked."""
    if ":" not in s:
        raise AggregationError("expected 'count: order', e.g. '3: 1,2,{3,4}'", line=lineno)
    count, order = s.split(":", 1)
    if not _DIGITS.fullmatch(count) or not count.strip("0"):
        raise AggregationError(f"the count {count[:20]!r} must be a positive whole number", line=lineno)
    if len(count.lstrip("0")) > 16:
        bounds.check(
            "MAX_TOTAL_WEIGHT", float("inf"), line=lineno, found=f"a count of {len(count.lstrip('0')):,} digits"
        )
    if order.count("{") != order.count("}"):
        raise AggregationError("unbalanced braces '{' '}'", line=lineno)
    tokens = _TOKEN.findall(order)
    if not tokens:
        raise AggregationError("the order is empty", line=lineno)
    if ",".join(tokens) != order:
        raise AggregationError(
            f"cannot read the order {order[:60]!r}: write numbers separated by commas, ties in "
            "braces, e.g. 1,2,{3,4}",
            line=lineno,
        )
    bounds.check(
        "MAX_ALTERNATIVES",
        order.count(",") + 1,
        line=lineno,
        found=f"{order.count(',') + 1:,} alternatives in one order",
    )
    seen: set[int] = set()
    groups: list[list[int]] = []
    for token in tokens:
        tie = token.startswith("{")
        if tie and strict:
            raise AggregationError(f"ties {token[:40]} are not allowed in a strict-order file", line=lineno)
        group = []
        for item in token[1:-1].split(",") if tie else [token]:
            if not _DIGITS.fullmatch(item):
                raise AggregationError(f"{item[:20]!r} is not an alternative number", line=lineno)
            a = int(item) if len(item) <= 18 else -1
            if a not in names:
                raise AggregationError(f"alternative {item[:20]} is not declared in the header", line=lineno)
            if a in seen:
                raise AggregationError(f"alternative {a} ({names[a]}) appears twice", line=lineno)
            seen.add(a)
            group.append(a)
        groups.append(group)
    if complete and len(seen) != len(names):
        missing = min(set(names) - seen)
        raise AggregationError(
            f"a complete-order file must rank every alternative; {missing} ({names[missing]}) is missing", line=lineno
        )
    return int(count), groups


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
        raise AggregationError(
            "PrefLib files need whole-number counts; this population has fractional weights (export it as CSV instead)"
        )
    for i, w in enumerate(compact.weights):
        order = tuple(tuple(alts.index(a) + 1 for a in group) for group in compact.ranking(i))
        instance.orders.append(order)
        instance.multiplicity[order] = int(w)
    instance.num_unique_orders = len(instance.orders)
    instance.num_voters = int(sum(instance.multiplicity.values()))
    path = _scratch() / f"{uuid.uuid4().hex}.{kind}"  # preflibtools writes files only
    try:
        instance.write(str(path))
        return path.read_text(encoding="utf-8"), kind
    finally:
        path.unlink(missing_ok=True)


@functools.cache
def _scratch() -> Path:
    """One scratch folder per process for :func:`write_preflib` (removed at exit; creating and removing a
    folder per file cost more than writing it)."""
    folder = Path(tempfile.mkdtemp(prefix="preflib-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder
