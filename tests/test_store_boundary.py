"""The store owns its SQL: no module outside the store modules touches the database connection.

Every module under ``extractor/`` is parsed with ``ast``. Outside the store modules these fail,
each reported as ``file:line``: an attribute ``.db`` or ``.conn``, an import of ``sqlite3`` or
``sqlite_utils``, and a call of ``.execute(``, ``.executemany(``, ``.executescript(`` or ``.query(``.
Inside the store modules ``.db`` / ``.conn`` hang off ``self`` only (a store's own connection).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "extractor"
STORE_MODULES = {"extractor/store.py", "extractor/store_triage.py"}
ALLOWED: set[str] = set()  # none: a module that needs the database asks the store for a method
CONNECTION_ATTRIBUTES = {"db", "conn"}
SQL_CALLS = {"execute", "executemany", "executescript", "query"}
DRIVERS = {"sqlite3", "sqlite_utils"}


def _root_name(node: ast.AST) -> str | None:
    """The name an attribute chain starts from (``self`` for ``self.db.conn``), None for anything else."""
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def boundary_violations(source: str, name: str) -> list[str]:
    """``name:line: what`` for every use of the connection, the driver or raw SQL calls that ``name`` may not make."""
    if name in ALLOWED:
        return []
    in_store = name in STORE_MODULES
    found: list[str] = []
    for node in ast.walk(ast.parse(source, filename=name)):
        if isinstance(node, ast.Import | ast.ImportFrom) and not in_store:
            modules = [alias.name for alias in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            found += [f"{name}:{node.lineno}: imports {module}" for module in modules
                      if module.split(".")[0] in DRIVERS]
        elif isinstance(node, ast.Attribute) and node.attr in CONNECTION_ATTRIBUTES:
            if not in_store or _root_name(node.value) != "self":
                found.append(f"{name}:{node.lineno}: .{node.attr} on {ast.unparse(node.value)}")
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in SQL_CALLS
              and not in_store):
            found.append(f"{name}:{node.lineno}: .{node.func.attr}() call")
    return sorted(found, key=lambda line: (int(line.split(":")[1]), line))


def test_no_module_outside_the_store_touches_its_connection() -> None:
    violations = [
        line
        for path in sorted(PACKAGE.rglob("*.py"))
        for line in boundary_violations(path.read_text(encoding="utf-8"), path.relative_to(PACKAGE.parent).as_posix())
    ]
    assert not violations, "SQL outside the store modules:\n" + "\n".join(violations)


def test_the_allow_list_names_only_existing_modules() -> None:
    for name in ALLOWED | STORE_MODULES:
        assert (PACKAGE.parent / name).is_file(), name


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("rows = store.db.query('select 1')", ["extractor/x.py:1: .db on store", "extractor/x.py:1: .query() call"]),
        ("import sqlite3", ["extractor/x.py:1: imports sqlite3"]),
        ("from sqlite_utils import Database", ["extractor/x.py:1: imports sqlite_utils"]),
        ("connection = store.conn", ["extractor/x.py:1: .conn on store"]),
        ("\ncursor.executescript('drop table t')", ["extractor/x.py:2: .executescript() call"]),
        ("rows = store.documents()", []),
    ],
)
def test_a_module_outside_the_store_is_caught(source: str, expected: list[str]) -> None:
    assert boundary_violations(source, "extractor/x.py") == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("self.db.execute('select 1')", []),
        ("connection = self.db.conn", []),
        ("import sqlite3", []),
        ("other.db.execute('select 1')", ["extractor/store.py:1: .db on other"]),
    ],
)
def test_the_store_modules_use_only_their_own_connection(source: str, expected: list[str]) -> None:
    assert boundary_violations(source, "extractor/store.py") == expected
