"""presets/README.md's claim vocabulary cannot drift from the code: its table lists exactly the
registered claim kinds with their fields, and every example sentence is a claim of the library. (The
rule ids a claim may name are the registry's, listed once: in the README's generated table of rules.)"""

import re
from pathlib import Path

import presets
from presets.claims import KINDS

README = Path(__file__).resolve().parents[2] / "presets" / "README.md"
ROW = re.compile(r"^\| `(\w+)` \[([^\]]*)\] \| (.+?) \|$", re.M)


def documented_fields(kind_cls) -> str:
    """How the table writes a kind's fields: required ones (NUMBER for the comparators), then the optional."""
    required = [key for key in kind_cls.schema if key not in kind_cls.optional]
    required += ["NUMBER"] if kind_cls.numeric else []
    optional = f"; optional: {', '.join(kind_cls.optional)}" if kind_cls.optional else ""
    return ", ".join(required) + optional


def test_the_table_lists_every_claim_kind_with_its_fields():
    rows = ROW.findall(README.read_text(encoding="utf-8"))
    assert [kind for kind, _, _ in rows] == list(KINDS)
    for kind, fields, _ in rows:
        assert fields == documented_fields(KINDS[kind]), kind


def test_every_example_is_the_sentence_of_a_library_claim_of_its_kind():
    said = {(c.kind, c.text) for s in presets.list() for c in s.claims}
    for kind, _, example in ROW.findall(README.read_text(encoding="utf-8")):
        assert (kind, example) in said, f"{kind}: {example!r} is not a claim of the library"
