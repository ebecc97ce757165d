"""How the dashboard's modules import each other (read with ast, nothing is imported): no import hides
inside a function (the old way to dodge the shell -> widgets -> urls -> shell circle), the modules of
``ui`` form no cycle, the page index is plain data, and only the job pages (Fine-tuning, Experiments) import the worker's
client (the ``ui.training`` modules are handed the client)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
UI = sorted((ROOT / "ui").rglob("*.py"))


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path) -> list[tuple[str, ast.AST]]:
    """(absolute module name, node) of every import in the file, relative ones resolved; ``from . import x``
    counts as importing the submodule ``x``."""
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [(alias.name, node) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([node.module] if node.module else []))
            out.append((base, node))
            out += [(f"{base}.{alias.name}", node) for alias in node.names]
    return out


def test_no_import_hides_inside_a_function():
    nested = []
    for path in UI:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                nested += [
                    f"{path.relative_to(ROOT)}:{inner.lineno}"
                    for inner in ast.walk(node)
                    if isinstance(inner, (ast.Import, ast.ImportFrom))
                ]
    assert nested == []


def test_the_ui_modules_form_no_cycle():
    modules = {module_name(p): p for p in UI}
    graph = {name: {m for m, _ in imported(path) if m in modules and m != name} for name, path in modules.items()}
    done, active, cycles = set(), [], []

    def visit(name):
        if name in active:
            cycles.append(active[active.index(name) :] + [name])
            return
        if name in done:
            return
        active.append(name)
        for other in sorted(graph[name]):
            visit(other)
        active.pop()
        done.add(name)

    for name in sorted(graph):
        visit(name)
    assert cycles == []


def test_the_page_index_is_plain_data():
    assert not [m for m, _ in imported(ROOT / "ui" / "page_index.py") if m == "ui" or m.startswith("ui.")]


def test_only_the_job_pages_import_the_worker():
    files = UI + sorted((ROOT / "pages").glob("*.py")) + [ROOT / "app.py"]
    importers = {
        str(p.relative_to(ROOT)) for p in files for m, _ in imported(p) if m == "worker" or m.startswith("worker.")
    }
    assert importers == {"pages/fine_tuning.py", "pages/experiments.py"}
