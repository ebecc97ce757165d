"""User text on screen: the one place that escapes it.

Streamlit renders markdown (with LaTeX between ``$`` signs, ``:red[...]`` directives, ``:icon:`` codes and
autolinks) in ``st.markdown``, ``st.caption``, alerts, titles, widget labels, radio and pill options, and
metric labels and values; plotly renders a subset of HTML (``<a href>``, ``<b>``, ``<br>``) in labels,
hover text, legends and titles. Anything a user controls (alternative, user type and voter names, file
names, titles of uploaded scenarios, link parameters, job names and errors, and error messages that echo
any of these) goes through :func:`md` before it is joined to markdown, and through :func:`html` before it
becomes a label of a figure, so that it shows exactly as typed: never a link, an image, a formula or a
tag. Tables (``st.dataframe``) and selectbox options show plain text already and need neither.

Both functions escape character by character, so escaping a whole sentence equals joining its escaped
pieces; line breaks become spaces (a name never starts a new markdown block).

Escapes alone do not stop GitHub-flavoured markdown's *literal autolinks*: Streamlit turns
``https://…``, ``www.…`` and ``name@host.tld`` in text into live links even when every ``:``, ``.`` and
``@`` is backslash-escaped (a browser test caught ``[evil](https://example.com).json`` as a file name
becoming a link). :func:`md` therefore also puts an invisible WORD JOINER (U+2060) inside ``://``, after
``www`` and after ``@``: the text looks the same and is no longer a link.
"""

from __future__ import annotations

import re

#: Every ASCII punctuation character markdown, GitHub-flavoured markdown (autolinks: ``.``, ``:``, ``@``) or
#: Streamlit's directives (``:red[...]``, ``:icon:``) may give a meaning to; CommonMark shows a
#: backslash-escaped punctuation character as itself.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&=@^])")
_LINE_BREAKS = re.compile("\r\n|[\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029]")
#: Where GFM's literal autolinks start ("scheme://", "www.", "local@domain"): a word joiner goes in.
_AUTOLINK = re.compile(r"(:)(?=//)|(?i:(www))(?=\.)|(@)")
WORD_JOINER = "\u2060"
_HTML_SPECIAL = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "$": "&#36;"}
_HTML = re.compile("[&<>$]")


def md(value) -> str:
    """``value`` (any object, shown as ``str(value)``) as markdown that renders it literally."""
    text = _AUTOLINK.sub(lambda m: m.group() + WORD_JOINER, _LINE_BREAKS.sub(" ", str(value)))
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def shown(value) -> str:
    """What :func:`md` renders to on screen: ``str(value)`` with the invisible word joiners (for tests that
    look for a name in a page)."""
    return _AUTOLINK.sub(lambda m: m.group() + WORD_JOINER, _LINE_BREAKS.sub(" ", str(value)))


def html(value) -> str:
    """``value`` as text for a plotly label, hover text, legend or title: ``&``, ``<`` and ``>`` as
    entities (no tag, no link), and ``$`` too (plotly reads text between ``$`` signs as LaTeX)."""
    return _HTML.sub(lambda m: _HTML_SPECIAL[m.group()], _LINE_BREAKS.sub(" ", str(value)))


def md_list(values, sep: str = ", ") -> str:
    """Several values, each escaped, joined by ``sep`` (markdown of the caller's choosing)."""
    return sep.join(md(v) for v in values)
