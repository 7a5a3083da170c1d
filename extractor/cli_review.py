"""``extractor review`` (the review app) and ``extractor annotations`` (export, import, agreement).

Heavy modules (starlette, uvicorn, the store) are imported inside the commands,
so importing the CLI stays fast.
"""

from __future__ import annotations

import getpass
import sys
from pathlib import Path

import click

from .cli_common import existing_db_option
from .cli_common import open_store as _open_store
from .cli_common import stderr_console as _stderr
from .errors import ExtractorError


def _default_annotator() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "annotator"


@click.command()
@existing_db_option
@click.option("--annotator", default=_default_annotator, show_default="your login name",
              help="Name written with every correction made in this session.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on, and the one name besides 127.0.0.1, localhost and [::1] the app "
                   "answers to (open it under that name); anything but loopback needs --token.")
@click.option("--port", type=click.IntRange(0, 65535), default=0, show_default=True,
              help="Port to listen on (0 = a free port).")
@click.option("--token", help="Access token every request must carry (required off loopback).")
def review(db_path: str, annotator: str, host: str, port: int, token: str | None) -> None:
    """Start the review app on the database and print its address.

    Annotators open the queue, check each record's values against the
    highlighted evidence and accept, edit, reject or add values, all from the
    keyboard (press ? in the app). Corrections are append-only and survive
    re-extraction.
    """
    from .review.server import serve

    if not annotator.strip() or annotator.startswith("consensus:"):
        raise click.ClickException(f"--annotator {annotator!r}: give a name (not starting with consensus:)")
    _open_store(db_path, must_exist=True).close()
    console = _stderr()
    try:
        serve(db_path, annotator.strip(), host, port, token,
              announce=lambda url: (click.echo(url), console.print(
                  f"review app for {db_path} as {annotator}: open {url} (Ctrl+C stops it)")))
    except ExtractorError as error:
        raise click.ClickException(f"{error.message}; {error.hint}") from None
    except KeyboardInterrupt:
        pass


@click.group()
def annotations() -> None:
    """Export, import and compare annotators' corrected records."""


@annotations.command("export")
@existing_db_option
@click.option("--out", "out_path", type=click.Path(dir_okay=False, writable=True),
              help="File to write, e.g. annotations/NAME.jsonl (default stdout).")
@click.option("--annotator", "names", multiple=True,
              help="Only this annotator's corrections (repeat for several); default everyone's and consensus.")
@click.option("--all", "everything", is_flag=True, help="Every record, not only those with corrections.")
def export_annotations_command(db_path: str, out_path: str | None, names: tuple[str, ...], everything: bool) -> None:
    """Write corrected records as interchange JSONL plus evidence spans (what `extractor train` reads)."""
    from .annotations import export_annotations

    store = _open_store(db_path, must_exist=True)
    if out_path:
        Path(out_path).parent.mkdir(parents=True, exist_ok=True)
    handle = open(out_path, "w", encoding="utf-8") if out_path else sys.stdout  # noqa: SIM115
    try:
        count = export_annotations(store, handle, set(names) if names else None, everything)
    finally:
        if out_path:
            handle.close()
    _stderr().print(f"{count} records written" + (f" to {out_path}" if out_path else ""))


@annotations.command("import")
@click.argument("path", type=click.Path(dir_okay=False))
@existing_db_option
@click.option("--annotator", help="Name for the corrections (default: the file's annotator, else import:FILE).")
def import_annotations_command(path: str, db_path: str, annotator: str | None) -> None:
    """Load an annotation file: each record's values become corrections in the database.

    Documents must be extracted into the database first. Importing the same file
    again adds nothing.
    """
    from .annotations import import_annotations

    store = _open_store(db_path, must_exist=True)
    try:
        summary = import_annotations(store, Path(path), annotator)
    except ExtractorError as error:
        raise click.ClickException(f"{error.message}; {error.hint}") from None
    console = _stderr()
    for line in summary.skipped:
        console.print(f"skipped {line}")
    console.print(f"{summary.records} records read, {summary.corrections} corrections added from {path}")


@annotations.command("agreement")
@existing_db_option
@click.argument("first", required=False)
@click.argument("second", required=False)
def agreement_command(db_path: str, first: str | None, second: str | None) -> None:
    """Per-field Cohen's kappa and percent agreement between two annotators (default: the first two)."""
    from .annotations import agreement, agreement_table, annotators

    store = _open_store(db_path, must_exist=True)
    names = annotators(store)
    first = first or (names[0] if names else None)
    second = second or (names[1] if len(names) > 1 else None)
    if not first or not second or first == second:
        raise click.ClickException(f"agreement needs two different annotators; {db_path} has "
                                   f"{', '.join(names) or 'none'}")
    for name in (first, second):
        if name not in names:
            raise click.ClickException(f"{name}: no corrections or reviews by this annotator in {db_path}; "
                                       f"known: {', '.join(names) or 'none'}")
    click.echo(agreement_table(agreement(store, first, second)))
