"""presets/README.md's claim vocabulary cannot drift from the code: its table lists exactly the
registered claim kinds with their fields, every example sentence is a claim of the library, and
its list of rule ids is generated from the registry (``python -m tests.presets.test_readme``
rewrites it)."""
import re
from pathlib import Path

import presets
from aggregation import RULES
from aggregation.rules.rule import REWARDS
from presets.claims import KINDS, POLICIES

README = Path(__file__).resolve().parents[2] / "presets" / "README.md"
ROW = re.compile(r"^\| `(\w+)` \[([^\]]*)\] \| (.+?) \|$", re.M)
RULES_BLOCK = re.compile(r"(<!-- claim rules: [^\n]*-->\n)(.*?)(<!-- end of claim rules -->)", re.S)


def documented_fields(kind_cls) -> str:
    """How the table writes a kind's fields: required ones (NUMBER for the comparators), then the optional."""
    required = [key for key in kind_cls.schema if key not in kind_cls.optional]
    required += ["NUMBER"] if kind_cls.numeric else []
    optional = f"; optional: {', '.join(kind_cls.optional)}" if kind_cls.optional else ""
    return ", ".join(required) + optional


def claim_rules_markdown() -> str:
    """The README's list of what ``rule`` and ``policy`` may name, from the registry."""
    def word(rule_id):
        return f"`{rule_id}`" + (" (user types only)" if RULES[rule_id].needs == REWARDS else "")
    return (f"- `rule`: {', '.join(word(r) for r in RULES)}\n"
            f"- `policy`: {', '.join(word(r) for r in POLICIES)}\n")


def test_the_table_lists_every_claim_kind_with_its_fields():
    rows = ROW.findall(README.read_text(encoding="utf-8"))
    assert [kind for kind, _, _ in rows] == list(KINDS)
    for kind, fields, _ in rows:
        assert fields == documented_fields(KINDS[kind]), kind


def test_every_example_is_the_sentence_of_a_library_claim_of_its_kind():
    said = {(c.kind, c.text) for s in presets.list() for c in s.claims}
    for kind, _, example in ROW.findall(README.read_text(encoding="utf-8")):
        assert (kind, example) in said, f"{kind}: {example!r} is not a claim of the library"


def test_the_rule_ids_are_the_registrys():
    match = RULES_BLOCK.search(README.read_text(encoding="utf-8"))
    assert match, "presets/README.md has no generated list of rule ids"
    assert match.group(2) == claim_rules_markdown(), "stale: run python -m tests.presets.test_readme"


def rewrite() -> None:
    text = README.read_text(encoding="utf-8")
    README.write_text(RULES_BLOCK.sub(lambda m: m.group(1) + claim_rules_markdown() + m.group(3), text),
                      encoding="utf-8")


if __name__ == "__main__":
    rewrite()
