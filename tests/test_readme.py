"""The README's table of rules is generated from the registry (aggregation.RULES), and its table of input
limits from aggregation.bounds.LIMITS: a new rule or limit appears in the docs without editing them by
hand. ``python -m tests.test_readme`` rewrites both tables."""

import re
from pathlib import Path

from aggregation.bounds import limits_markdown
from aggregation.rules.registry import rules_markdown

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCK = re.compile(r"(<!-- rules table: [^\n]*-->\n)(.*?)(<!-- end of rules table -->)", re.S)
LIMITS_BLOCK = re.compile(r"(<!-- limits table: [^\n]*-->\n)(.*?)(<!-- end of limits table -->)", re.S)


def test_the_readme_lists_every_rule_of_the_registry():
    match = BLOCK.search(README.read_text(encoding="utf-8"))
    assert match, "README.md has no generated rules table"
    assert match.group(2) == rules_markdown(), "README's rules table is stale: run python -m tests.test_readme"


def test_the_readme_lists_every_input_limit():
    match = LIMITS_BLOCK.search(README.read_text(encoding="utf-8"))
    assert match, "README.md has no generated limits table"
    assert match.group(2) == limits_markdown(), "README's limits table is stale: run python -m tests.test_readme"


def rewrite() -> None:
    text = README.read_text(encoding="utf-8")
    text = BLOCK.sub(lambda m: m.group(1) + rules_markdown() + m.group(3), text)
    README.write_text(LIMITS_BLOCK.sub(lambda m: m.group(1) + limits_markdown() + m.group(3), text), encoding="utf-8")


if __name__ == "__main__":
    rewrite()
