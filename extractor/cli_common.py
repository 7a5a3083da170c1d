"""What every command module of the CLI shares: the stderr console, ``--db`` and opening the store.

Kept apart from ``cli.py`` so that command modules (``cli_review``, ``cli_triage``, ...) can use it
without importing the command group that imports them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click


def stderr_console() -> Any:
    """A rich console on stderr (status, progress and tables the user did not ask for as data)."""
    from rich.console import Console

    return Console(stderr=True, highlight=False)


def db_option(function: Callable[..., Any]) -> Callable[..., Any]:
    """``--db FILE`` for commands that write the store (``extract``, ``load``): created when missing."""
    return click.option("--db", "db_path", required=True, type=click.Path(dir_okay=False),
                        help="SQLite database file (created when missing).")(function)


def existing_db_option(function: Callable[..., Any]) -> Callable[..., Any]:
    """``--db FILE`` for commands that read a database made already (they refuse a missing file)."""
    return click.option("--db", "db_path", required=True, type=click.Path(dir_okay=False),
                        help="SQLite database made by `extractor extract`; it must exist (a missing file is "
                             "an error, not created).")(function)


def open_store(db_path: str, must_exist: bool = False) -> Any:
    """The store in ``db_path``; a click error (one line) when it is missing or not a database."""
    from .store import SQLiteDatabaseError, Store

    if must_exist and not Path(db_path).exists():
        raise click.ClickException(f"{db_path}: no such database; create it with `extractor extract ... --db {db_path}`")
    try:
        return Store(db_path)
    except SQLiteDatabaseError as error:
        raise click.ClickException(f"{db_path}: not a usable SQLite database ({error}); "
                                   "give a new file name or a database made by extractor") from None
