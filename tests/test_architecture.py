"""The package's shape: its modules import one another without cycles.

The import graph is built statically (ast), from every ``import`` and
``from ... import`` in a module, those inside functions and under
``TYPE_CHECKING`` included: an import put off to dodge a cycle is still a
cycle. ``from package import name`` counts as an import of the submodule
``package.name`` when there is one, else of ``package``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import extractor

PACKAGE_DIR = Path(extractor.__file__).resolve().parent


def module_files(package_dir: Path = PACKAGE_DIR) -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its own name, for its ``__init__``)."""
    modules = {}
    for path in sorted(package_dir.rglob("*.py")):
        parts = list(path.relative_to(package_dir.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def imported_modules(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The package's modules that module ``name`` (at ``path``) imports anywhere in its source."""
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                # a package's __init__ is its own base; a module's base is the package it sits in
                base = name.split(".")[: len(name.split(".")) - node.level + (1 if is_package else 0)]
                origin = ".".join(base + ([node.module] if node.module else []))
            else:
                origin = node.module or ""
            targets = [f"{origin}.{alias.name}" if f"{origin}.{alias.name}" in modules else origin
                       for alias in node.names]
        else:
            continue
        for target in targets:
            # `import a.b.c` of a module outside the table (a name in it, a third-party module) counts as
            # the nearest enclosing module of the package
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def import_graph() -> dict[str, set[str]]:
    """Module -> the package modules it imports."""
    modules = module_files()
    return {name: imported_modules(name, path, modules) for name, path in modules.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    counter = 0

    def visit(node: str) -> None:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for successor in sorted(graph.get(node, ())):
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return components


def cycle_path(graph: dict[str, set[str]], component: list[str]) -> list[str]:
    """One concrete cycle inside a component, as the modules in import order (first repeated at the end)."""
    members = set(component)
    start = component[0]
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for successor in sorted(graph[node] & members):
            if successor == start:
                return paths[node] + [start]
            if successor not in paths:
                paths[successor] = paths[node] + [successor]
                queue.append(successor)
    return component


@pytest.mark.parametrize(
    ("graph", "expected"),
    [
        ({"a": {"b"}, "b": {"c"}, "c": set()}, []),
        ({"a": {"b"}, "b": {"a"}, "c": {"a"}}, [["a", "b"]]),
        ({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"d"}}, [["a", "b", "c"]]),
    ],
)
def test_cycles_finds_each_group_of_modules_that_import_one_another(graph: dict[str, set[str]],
                                                                    expected: list[list[str]]) -> None:
    assert cycles(graph) == expected


@pytest.mark.parametrize(
    ("source", "name", "is_package", "expected"),
    [
        ("from .store import Store", "extractor.cli", False, {"extractor.store"}),
        ("from .. import store", "extractor.batch.run", False, {"extractor.store"}),
        ("from . import tasks", "extractor.batch", True, {"extractor.batch.tasks"}),
        ("def f():\n    from ..readers.base import Limits", "extractor.batch.tasks", False,
         {"extractor.readers.base"}),
        ("import extractor.store\nimport json", "extractor.cli", False, {"extractor.store"}),
        ("from extractor.batch.tasks import Task", "extractor.cli", False, {"extractor.batch.tasks"}),
    ],
)
def test_imports_are_resolved_to_the_package_modules_they_load(tmp_path: Path, source: str, name: str,
                                                                 is_package: bool, expected: set[str]) -> None:
    path = tmp_path / ("__init__.py" if is_package else "module.py")
    path.write_text(source, encoding="utf-8")
    modules = dict.fromkeys(["extractor", "extractor.cli", "extractor.store", "extractor.batch",
                             "extractor.batch.run", "extractor.batch.tasks", "extractor.readers",
                             "extractor.readers.base"], Path())
    assert imported_modules(name, path, modules) == expected


def test_the_package_has_no_import_cycles() -> None:
    graph = import_graph()
    assert "extractor.store" in graph and graph["extractor.cli"], "the graph was not built"
    found = [f"{', '.join(component)} (e.g. {' -> '.join(cycle_path(graph, component))})"
             for component in cycles(graph)]
    assert not found, "import cycles: " + "; ".join(found)
