"""The one exception type the core raises for bad input."""
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
        located = type(self).__new__(type(self))      # no __init__: subclasses take other arguments
        located.__dict__.update(self.__dict__)
        located.line = line
        located.args = (f"line {line}: {self.message}",)
        return located
