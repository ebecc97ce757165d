"""The README's table of rules is generated from the registry (aggregation.RULES): a new rule appears
in the docs without editing them by hand. ``python -m tests.test_readme`` rewrites the table."""
import re
from pathlib import Path

from aggregation.rules.registry import rules_markdown

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCK = re.compile(r"(<!-- rules table: [^\n]*-->\n)(.*?)(<!-- end of rules table -->)", re.S)


def test_the_readme_lists_every_rule_of_the_registry():
    match = BLOCK.search(README.read_text(encoding="utf-8"))
    assert match, "README.md has no generated rules table"
    assert match.group(2) == rules_markdown(), "README's rules table is stale: run python -m tests.test_readme"


def rewrite() -> None:
    text = README.read_text(encoding="utf-8")
    README.write_text(BLOCK.sub(lambda m: m.group(1) + rules_markdown() + m.group(3), text), encoding="utf-8")


if __name__ == "__main__":
    rewrite()
