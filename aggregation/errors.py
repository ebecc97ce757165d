"""The exception the core raises for bad input, and the one a cancelled computation raises."""

from __future__ import annotations


class AggregationError(ValueError):
    """Bad input to the aggregation core.

    The message names the problem and where it is (a line, a row, an alternative, a field),
    so that a user interface can show it as is. ``line`` is the 1-based line or row number
    when the problem comes from text or a table, otherwise ``None``.
    """

    def __init__(self, message: str, *, line: int | None = None):
        self.line = line
        self.message = message
        super().__init__(f"line {line}: {message}" if line is not None else message)

    def at_line(self, line: int) -> "AggregationError":
        """The same error (same class, same fields), located at ``line`` of a text or table."""
        located = type(self).__new__(type(self))  # no __init__: subclasses take other arguments
        located.__dict__.update(self.__dict__)
        located.line = line
        located.args = (f"line {line}: {self.message}",)
        return located


class Cancelled(Exception):
    """A long computation stopped because its ``progress(fraction) -> bool`` callback returned False
    (the user cancelled, or the session that asked for it ended). Not an error in the input."""


def report(progress, fraction: float) -> None:
    """Tell ``progress`` (a callable or None) how far a computation is (0..1); raise :class:`Cancelled`
    when it answers False."""
    if progress is not None and progress(min(max(float(fraction), 0.0), 1.0)) is False:
        raise Cancelled("cancelled")
