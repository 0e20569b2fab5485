"""No import cycles among the modules of indexer/, service/ and eval/: data flows one way. And no
test file imports another: what tests share lives in tests/utils/.

Every import counts, wherever it stands: at module level, under `if TYPE_CHECKING:` and inside a
function (an import moved into a function to dodge a cycle is still the cycle).
"""
from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("indexer", "service", "eval")

# Cycles known and tolerated, each as the sorted tuple of its modules: none.
ALLOWED_CYCLES: set[tuple[str, ...]] = set()


def module_files(root: Path = REPO, packages: tuple[str, ...] = PACKAGES) -> dict[str, Path]:
    """Dotted module name -> file, for every module of the packages (a package is its __init__)."""
    files = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            files[".".join(parts)] = path
    return files


def imported_modules(module: str, path: Path, known: set[str]) -> set[str]:
    """The known modules that `module` imports, wherever the import statement stands."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            # `from pkg import sub` imports the module pkg.sub; `from pkg import name`, pkg itself
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != module:
                found.add(target)
    return found


def import_graph(root: Path = REPO) -> dict[str, set[str]]:
    files = module_files(root)
    return {m: imported_modules(m, p, set(files)) for m, p in files.items()}


def cycles(graph: dict[str, set[str]]) -> list[tuple[str, ...]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[tuple[str, ...]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(tuple(sorted(component)))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(found)


def test_the_finder_sees_a_cycle_through_a_function_level_import(tmp_path):
    pkg = tmp_path / "indexer"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from .b import f\n")
    (pkg / "b.py").write_text("def f():\n    from indexer.a import g\n")
    (pkg / "c.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from . import d\n")
    (pkg / "d.py").write_text("from indexer import c\n")
    (pkg / "e.py").write_text("from indexer import a\n")
    files = module_files(tmp_path, ("indexer",))
    graph = {m: imported_modules(m, p, set(files)) for m, p in files.items()}
    assert graph["indexer.e"] == {"indexer.a"}  # a submodule, not the package
    assert cycles(graph) == [("indexer.a", "indexer.b"), ("indexer.c", "indexer.d")]


def test_no_import_cycles_among_indexer_service_and_eval():
    graph = import_graph()
    assert {"service.app", "service.routes.openai_chat", "indexer.build", "eval.runner"} <= set(graph)
    assert [c for c in cycles(graph) if c not in ALLOWED_CYCLES] == []


def test_no_test_file_imports_another():
    tests = Path(__file__).resolve().parent
    test_modules = {p.stem for p in tests.rglob("test_*.py")}
    found = []
    for path in sorted(tests.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""] + [a.name for a in node.names] * (node.module in (None, "tests"))
            else:
                continue
            found += [f"{path.relative_to(tests)}: {n}" for n in names if n.rpartition(".")[2] in test_modules]
    assert found == []
