"""What a reader sees of markdown source: the page escapes user text (``ui.text.md``), and a test that reads
a message compares the text as rendered, not its backslashes."""

import re

#: CommonMark's backslash escapes: a backslash before ASCII punctuation shows the punctuation.
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def rendered(source: str) -> str:
    """``source`` with its backslash escapes resolved (``\\[x\\]`` -> ``[x]``) and without the invisible word
    joiners that keep ``https://`` from becoming a link."""
    return _ESCAPE.sub(r"\1", str(source)).replace("\u2060", "")
