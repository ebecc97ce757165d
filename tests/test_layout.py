"""DESIGN.md's layout table, enforced: who may import what.

| package       | may import (besides the standard library and third-party numerics)          |
| ------------- | ---------------------------------------------------------------------------- |
| aggregation/  | nothing of ours; no Streamlit, plotting or training stack                    |
| presets/      | aggregation                                                                  |
| ui/           | aggregation, presets (never the worker: the page passes the client in)      |
| pages/        | ui, aggregation, presets, and the worker's client API (``worker.client``)    |
| app.py        | ui, aggregation, presets                                                     |
| worker/       | aggregation (never the dashboard)                                            |

and no module reaches into another package's private names (``from aggregation._x import``,
``from aggregation.y import _z``). Imports are read with ``ast``, so an import inside a function counts.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
OURS = ("aggregation", "presets", "ui", "pages", "worker", "app", "bench", "tests")
UI_STACK = ("streamlit", "plotly", "kaleido")
TRAINING_STACK = ("torch", "transformers", "peft", "tokenizers", "safetensors", "accelerate")

#: package -> (our packages it may import, third-party top-level names it must not import)
RULES = {
    "aggregation": ((), UI_STACK + TRAINING_STACK + ("huey", "redis")),
    "presets": (("aggregation",), UI_STACK + TRAINING_STACK),
    "ui": (("aggregation", "presets"), TRAINING_STACK),
    "pages": (("ui", "aggregation", "presets", "worker.client"), TRAINING_STACK),
    "app": (("ui", "aggregation", "presets"), TRAINING_STACK),
    "worker": (("aggregation",), UI_STACK),
}


def _files(package: str) -> list[Path]:
    if package == "app":
        return [ROOT / "app.py"]
    return sorted((ROOT / package).rglob("*.py"))


def _imports(path: Path) -> list[tuple[int, str, list[str]]]:
    """(line, module, names) for every import in the file, absolute module names."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package_parts = path.relative_to(ROOT).with_suffix("").parts[:-1]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(package_parts[: len(package_parts) - node.level + 1])
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            out.append((node.lineno, module, [alias.name for alias in node.names]))
    return out


def _ours(module: str) -> str | None:
    top = module.split(".")[0]
    return top if top in OURS else None


@pytest.mark.parametrize("package", list(RULES))
def test_imports_follow_the_layout(package):
    allowed, forbidden = RULES[package]
    problems = []
    for path in _files(package):
        for line, module, names in _imports(path):
            where = f"{path.relative_to(ROOT)}:{line} imports {module}"
            top = module.split(".")[0]
            if top in forbidden:
                problems.append(f"{where} (no {top} in {package}/)")
            ours = _ours(module)
            if ours is None or ours == package:
                continue
            if not any(module == a or module.startswith(a + ".") for a in allowed):
                problems.append(f"{where} ({package}/ may import only {', '.join(allowed) or 'nothing of ours'})")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("package", list(RULES) + ["bench", "tests"])
def test_no_private_names_across_packages(package):
    problems = []
    for path in _files(package):
        for line, module, names in _imports(path):
            ours = _ours(module)
            if ours is None or ours == package:
                continue
            private_module = any(part.startswith("_") and part != "__init__" for part in module.split("."))
            private_names = [n for n in names if n.startswith("_")]
            if private_module or private_names:
                problems.append(f"{path.relative_to(ROOT)}:{line} imports {module} {private_names or ''}".rstrip())
    assert not problems, "private names used across packages:\n" + "\n".join(problems)


def test_only_the_pages_that_queue_jobs_import_the_worker():
    """Fine-tuning and Experiments hand the worker's client to the ui.training blocks; nothing else reaches it."""
    users = sorted(
        {
            str(path.relative_to(ROOT))
            for package in ("pages", "ui", "presets", "aggregation", "app")
            for path in _files(package)
            for _, module, _ in _imports(path)
            if module.split(".")[0] == "worker"
        }
    )
    assert users == ["pages/experiments.py", "pages/fine_tuning.py"]


def test_ruff_finds_nothing():
    """The lint settings of pyproject.toml (pyflakes: unused or undefined names, redefinitions; syntax errors) hold
    for the whole repository."""
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", str(ROOT)], capture_output=True, text=True, cwd=ROOT
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_tree_is_formatted():
    """Every Python file is as `ruff format` (pyproject.toml's settings) writes it: run `ruff format .` to fix."""
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", "--no-cache", str(ROOT)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stdout + done.stderr
