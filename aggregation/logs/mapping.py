"""Which columns of a comparison log say what: :class:`LogMapping`, confirmed by the user before an import.

Two styles of log are read:

* **winner** style (Chatbot Arena's battles, Chiang et al. 2024): one column names response A, one names
  response B, and a winner column says who won, with values such as ``model_a``, ``model_b``, ``tie`` and
  ``tie (bothbad)`` (which values mean what is part of the mapping);
* **chosen / rejected** style (preference datasets such as those DPO trains on): one column names the
  preferred response, one the other; every row is a win, there are no ties.

Either style may name an annotator column (Arena's ``judge``): the counts are then kept per annotator,
and :func:`aggregation.bootstrap` resamples annotators as clusters. A tie counts half a win for each side
in ``P`` (DESIGN.md's convention).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from ..errors import AggregationError
from ..validate import short

WINNER, CHOSEN = "winner", "chosen / rejected"
#: Values of a winner column read as "A won", "B won" and "a tie" unless the mapping says otherwise
#: (Chatbot Arena's battles use exactly these four).
A_WINS, B_WINS, TIES = ("model_a",), ("model_b",), ("tie", "tie (bothbad)")
#: Column names read as an annotator id when :func:`guess_mapping` proposes a mapping.
ANNOTATOR_NAMES = ("judge", "annotator", "annotator_id", "voter", "user", "user_id", "worker_id", "rater", "labeler")


def _values(values, what: str) -> tuple[str, ...]:
    if isinstance(values, str):
        values = (values,)
    try:
        out = tuple(str(v).strip().lower() for v in values)
    except TypeError:
        raise AggregationError(f"the mapping's {what} must be a list of values, got {short(values)}") from None
    if any(not v for v in out):
        raise AggregationError(f"the mapping's {what} holds an empty value")
    return out


@dataclass(frozen=True)
class LogMapping:
    """The columns of a log and the meaning of its winner values.

    Winner style: ``model_a``, ``model_b`` and ``winner`` name columns, and ``a_wins``, ``b_wins`` and
    ``ties`` list the winner values of each outcome (compared without case and surrounding spaces).
    Chosen / rejected style: ``chosen`` and ``rejected`` name columns. ``annotator`` optionally names the
    annotator column in either style. A row whose winner value is in none of the lists, whose names are
    empty, or that compares a response with itself is refused, naming the row and the column.
    """

    model_a: str | None = None
    model_b: str | None = None
    winner: str | None = None
    chosen: str | None = None
    rejected: str | None = None
    annotator: str | None = None
    a_wins: tuple[str, ...] = A_WINS
    b_wins: tuple[str, ...] = B_WINS
    ties: tuple[str, ...] = TIES

    def __post_init__(self):
        for f in ("model_a", "model_b", "winner", "chosen", "rejected", "annotator"):
            value = getattr(self, f)
            if value is not None and (not isinstance(value, str) or not value.strip()):
                raise AggregationError(f"the mapping's {f} must be a column name, got {short(value)}")
        for f in ("a_wins", "b_wins", "ties"):
            object.__setattr__(self, f, _values(getattr(self, f), f))
        if not self.a_wins or not self.b_wins:
            raise AggregationError("the mapping needs at least one winner value for A and one for B")
        seen: dict[str, str] = {}
        for f in ("a_wins", "b_wins", "ties"):
            for v in getattr(self, f):
                if v in seen and seen[v] != f:
                    raise AggregationError(f"the winner value {v!r} is listed under both {seen[v]} and {f}")
                seen[v] = f
        winner = [self.model_a, self.model_b, self.winner]
        chosen = [self.chosen, self.rejected]
        if any(winner) and any(chosen):
            raise AggregationError(
                "the mapping mixes the two styles: give model_a, model_b and winner, or chosen and rejected, not both"
            )
        if any(winner) and not all(winner):
            missing = [n for n, v in zip(("model_a", "model_b", "winner"), winner) if not v][0]
            raise AggregationError(
                f"the mapping has no {missing} column (winner style needs model_a, model_b and winner)"
            )
        if any(chosen) and not all(chosen):
            missing = "chosen" if not self.chosen else "rejected"
            raise AggregationError(f"the mapping has no {missing} column (chosen / rejected style needs both)")
        if not any(winner) and not any(chosen):
            raise AggregationError(
                "the mapping names no columns: give model_a, model_b and winner (an arena log), "
                "or chosen and rejected (a preference dataset)"
            )
        used = [c for c in self.columns.values()]
        twice = next((c for i, c in enumerate(used) if c in used[:i]), None)
        if twice is not None:
            roles = [r for r, c in self.columns.items() if c == twice]
            raise AggregationError(f"the column {twice!r} is mapped twice ({' and '.join(roles)})")

    @property
    def style(self) -> str:
        """:data:`WINNER` or :data:`CHOSEN`."""
        return WINNER if self.winner else CHOSEN

    @property
    def columns(self) -> dict[str, str]:
        """Role -> column name, for the roles this mapping uses."""
        roles = ("model_a", "model_b", "winner", "annotator") if self.winner else ("chosen", "rejected", "annotator")
        return {r: getattr(self, r) for r in roles if getattr(self, r)}

    def resolved(self, found: list[str]) -> LogMapping:
        """The same mapping with each column matched to one of the file's columns ``found``: exactly, or else
        ignoring case when that picks one column; a column not found is refused, listing those found."""
        changes = {}
        for role, column in self.columns.items():
            if column in found:
                continue
            loose = [c for c in found if c.strip().lower() == column.strip().lower()]
            if len(loose) == 1:
                changes[role] = loose[0]
                continue
            shown = ", ".join(repr(c) for c in found[:30]) + (", …" if len(found) > 30 else "")
            raise AggregationError(f"the log has no column {column!r} (mapped as {role}); columns found: {shown}")
        return LogMapping(**{**{f.name: getattr(self, f.name) for f in fields(self)}, **changes}) if changes else self

    def describe(self) -> str:
        """The mapping in words (for a report or a message)."""
        who = f"; annotator: {self.annotator}" if self.annotator else "; no annotator column"
        if self.style == CHOSEN:
            return f"chosen: {self.chosen}; rejected: {self.rejected}{who}"
        return (
            f"A: {self.model_a}; B: {self.model_b}; winner: {self.winner} (A wins: {', '.join(self.a_wins)}; "
            f"B wins: {', '.join(self.b_wins)}; tie: {', '.join(self.ties) or 'none'}){who}"
        )


#: Chatbot Arena's battles (``model_a``, ``model_b``, ``winner``, ``judge``).
ARENA = LogMapping("model_a", "model_b", "winner", annotator="judge")
#: A preference dataset (``chosen``, ``rejected``).
PREFERENCES = LogMapping(chosen="chosen", rejected="rejected")


def guess_mapping(columns: list[str]) -> LogMapping | None:
    """A mapping proposed from a file's column names (the user confirms or changes it): an arena log's
    ``model_a``, ``model_b``, ``winner``; else ``chosen``, ``rejected``; with an annotator column named as in
    :data:`ANNOTATOR_NAMES`. None when neither style's columns are there."""
    lower = {c.strip().lower(): c for c in reversed(columns)}
    annotator = next((lower[n] for n in ANNOTATOR_NAMES if n in lower), None)
    if all(n in lower for n in ("model_a", "model_b", "winner")):
        return LogMapping(lower["model_a"], lower["model_b"], lower["winner"], annotator=annotator)
    if all(n in lower for n in ("chosen", "rejected")):
        return LogMapping(chosen=lower["chosen"], rejected=lower["rejected"], annotator=annotator)
    return None
