"""The ``extractor`` command line: thin click commands over library functions.

stdout carries data (JSONL, CSV, tables asked for); progress and status go to
stderr. Heavy libraries are imported inside the commands that need them, so
``--help``, ``show`` and ``stats`` start fast.
"""

from __future__ import annotations

import json
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from . import __version__
from .cli_common import db_option, existing_db_option, open_store, stderr_console

_stderr = stderr_console
_open_store = open_store


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="extractor")
def cli() -> None:
    """Turn research literature into structured study records in SQLite."""


def _terminated(signum: int, frame: Any) -> None:
    """SIGTERM during a batch: unwind as Ctrl-C does (the writer flushes, workers stop, the run is marked)."""
    raise KeyboardInterrupt


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@db_option
@click.option("--jsonl", "jsonl_path", type=click.Path(dir_okay=False, writable=True),
              help="Also write one interchange record per document (FORMAT.md) to this file.")
@click.option("--workers", type=int, default=1, show_default=True,
              help="Worker processes reading files in parallel (0 = one per core).")
@click.option("--force", is_flag=True, help="Redo files and documents that are unchanged since the last run.")
@click.option("--max-mb", type=float, default=512, show_default=True, help="Skip files larger than this.")
@click.option("--max-pages", type=int, default=400, show_default=True, help="Read at most this many PDF pages or slides.")
@click.option("--timeout", type=float, default=120, show_default=True,
              help="Seconds allowed to read one document before it is recorded as failed.")
@click.option("--rules-only", is_flag=True, help="Extract with the rules alone, without trained models.")
@click.option("--worker-memory", "worker_memory_mb", type=int, default=1024, show_default=True, metavar="MB",
              help="A worker process whose memory grew this much over its level after its first batch is replaced "
                   "by a fresh one (0: never).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar or summary table.")
@click.option("--executor", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="Where extraction runs: worker processes here, or a Dask cluster (a LocalCluster of --workers "
                   "processes unless --dask-scheduler is given).")
@click.option("--dask-scheduler", "scheduler", metavar="ADDRESS",
              help="Run on the Dask cluster whose scheduler is at ADDRESS (tcp://host:8786); implies --executor dask.")
@click.option("--out-parquet", "parquet_dir", type=click.Path(file_okay=False),
              help="Write records as partitioned Parquet to this folder instead of the database "
                   "(which keeps runs, sources and failures); merge them later with `extractor load`.")
@click.option("--follow-links", is_flag=True,
              help="Read the files and folders that links inside an input folder lead to outside it "
                   "(skipped by default, with a note naming them).")
def extract(paths: tuple[str, ...], db_path: str, jsonl_path: str | None, workers: int, force: bool,
            max_mb: float, max_pages: int, timeout: float, rules_only: bool, quiet: bool, worker_memory_mb: int = 1024,
            executor: str = "local", scheduler: str | None = None, parquet_dir: str | None = None,
            follow_links: bool = False) -> None:
    """Read files, folders (recursed) and globs into the database.

    Unchanged files are skipped on a re-run, so a killed run resumes where it
    stopped. Unreadable files are reported once each and recorded in the
    ``failures`` table.

    \b
    Exit status:
      0    every file was read and stored
      1    the run finished, and some files or records failed (see `extractor failures`)
      2    nothing was read: the inputs give no file (an empty folder, a glob matching nothing), or the
           database cannot be used (damaged, locked, not an extractor database)
      3    the run did not finish: some files were not read (workers kept dying); run the same command again
      130  interrupted (Ctrl-C or SIGTERM); run the same command again to resume
    """
    from .batch.options import ExtractOptions, NothingToRead, worker_count
    from .batch.run import run_extract
    from .readers.base import Limits
    from .reporting import RichProgress, summary_table

    console = _stderr()
    options = ExtractOptions(
        force=force,
        workers=worker_count(workers),
        limits=Limits(max_bytes=int(max_mb * 1024 * 1024), max_pages=max_pages, max_seconds=timeout),
        use_models=not rules_only,
        worker_memory_mb=worker_memory_mb,
        executor="dask" if scheduler else executor,
        scheduler=scheduler,
        parquet_dir=str(Path(parquet_dir).resolve()) if parquet_dir else None,
        follow_links=follow_links,
    )
    if parquet_dir and jsonl_path:
        raise click.UsageError("--jsonl needs the records in the database; leave out --out-parquet or --jsonl")
    store = _open_store(db_path)
    problem = store.integrity_problem()
    if problem:  # writing on would bury the damage under new rows
        store.close()
        refusal = click.ClickException(f"{db_path}: the database is damaged ({problem[:200]}), so extract will not "
                                       "write into it; restore it from a copy, or give a new --db file")
        refusal.exit_code = 2  # as for any database error (main)
        raise refusal
    progress = RichProgress(console, quiet=quiet)
    handle = open(jsonl_path, "w", encoding="utf-8") if jsonl_path else None  # noqa: SIM115
    previous = signal.signal(signal.SIGTERM, _terminated)  # `kill` stops like Ctrl-C: workers stopped, run recorded
    try:
        with progress:
            summary = run_extract(list(paths), store, options, progress, handle)
    except KeyboardInterrupt:
        console.print("[yellow]interrupted[/]: everything committed so far is kept; run the same command to resume")
        sys.exit(130)
    except NothingToRead as nothing:
        for line in nothing.lines:
            click.echo(f"error: {line}", err=True)
        click.echo("error: nothing to read; give files, folders holding files, or globs that match some "
                   "(quote globs so the shell passes them on)", err=True)
        sys.exit(2)
    finally:
        signal.signal(signal.SIGTERM, previous)
        if handle:
            handle.close()
        store.close()
    if not quiet:
        console.print(summary_table(summary, db_path, jsonl_path))
    if summary.status != "complete":
        console.print(f"[red]incomplete[/]: {summary.files_unread} files were not read; run the same command "
                      "again to read them")
        sys.exit(3)
    if summary.failures:
        sys.exit(1)


@cli.command()
@click.argument("doc_id")
@existing_db_option
@click.option("--json", "as_json", is_flag=True, help="Print the stored record as JSON instead.")
@click.option("--full", is_flag=True, help="Print the whole text, not only title and abstract.")
@click.option("--candidates", is_flag=True, help="List every candidate value, not only the chosen ones.")
def show(doc_id: str, db_path: str, as_json: bool, full: bool, candidates: bool) -> None:
    """Print one document's record with its evidence highlighted."""
    from .reporting import render_document

    store = _open_store(db_path, must_exist=True)
    document = store.document(doc_id)
    if document is None:
        close = store.doc_ids_like(doc_id, limit=5)
        hint = f"; did you mean {', '.join(close)}?" if close else "; list them with `extractor export`"
        raise click.ClickException(f"{doc_id}: no such document in {db_path}{hint}")
    studies = store.studies(doc_id)
    if as_json:
        from dataclasses import asdict

        from .interchange import interchange_record

        record = {**asdict(document), "record": interchange_record(document, studies),
                  "studies": [asdict(unit) for unit in studies]}
        click.echo(json.dumps(record, ensure_ascii=False, indent=2))
        return
    from rich.console import Console

    render_document(Console(), document, full=full, studies=studies, candidates=candidates)


@cli.command()
@existing_db_option
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "metafor", "revman"]), default="jsonl",
              show_default=True, help="jsonl: interchange records, each effect with its conversion; csv: one row "
              "per study; metafor: one row per effect with yi, vi and its source; revman: generic inverse variance.")
@click.option("--out", "out_path", type=click.Path(dir_okay=False, writable=True), help="File to write (default stdout).")
def export(db_path: str, fmt: str, out_path: str | None) -> None:
    """Write every stored record as interchange JSONL or CSV, or its effects for metafor or RevMan."""
    from .exporting import export_records

    store = _open_store(db_path, must_exist=True)
    handle = open(out_path, "w", encoding="utf-8", newline="") if out_path else sys.stdout  # noqa: SIM115
    try:
        count = export_records(store, fmt, handle)
    finally:
        if out_path:
            handle.close()
    _stderr().print(f"{count} records written" + (f" to {out_path}" if out_path else ""))


@cli.command()
@existing_db_option
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def stats(db_path: str, as_json: bool) -> None:
    """Counts of documents, formats, designs, effect measures, corrected values, runs and the last run's failures."""
    store = _open_store(db_path, must_exist=True)
    figures = store.stats()
    if as_json:
        click.echo(json.dumps(figures, ensure_ascii=False, indent=2, default=str))
        return
    from rich.console import Console

    from .reporting import stats_tables

    for table in stats_tables(figures):
        Console().print(table)


@cli.command()
@existing_db_option
@click.option("--run", "run_id", type=int, help="Failures of this run (default: the last run).")
def failures(db_path: str, run_id: int | None) -> None:
    """List the files and records a run could not read, one line each."""
    store = _open_store(db_path, must_exist=True)
    if run_id is None:
        run_id = store.last_run_id()
    rows = store.run_failures(run_id)
    for row in rows:
        where = row["path"] + (f" [{row['record']}]" if row["record"] else "")
        click.echo(f"{where}\t{row['kind']}\t{row['message']}; {row['hint']}")
    if not rows:
        click.echo("no failures" + (f" in run {run_id}" if run_id is not None else ": no run yet"), err=True)


class FieldChoice(click.ParamType):
    """A registered field's name (the registry is read when the command runs, so added fields count)."""

    name = "field"

    def get_metavar(self, param: click.Parameter, *args: Any, **kwargs: Any) -> str:
        from .extract.fields import names

        return "[" + "|".join(names()) + "]"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        from .extract.fields import names

        if value not in names():
            self.fail(f"{value!r} is not a field; use one of {', '.join(names())}", param, ctx)
        return value


@cli.command()
@click.argument("doc_id")
@click.argument("field", type=FieldChoice())
@click.argument("value", required=False)
@existing_db_option
@click.option("--annotator", required=True, help="Who makes the correction.")
@click.option("--study", "study_number", type=int, default=1, show_default=True, help="Which study of the document (1 = first).")
@click.option("--replaces", help="For outcomes, effects and registrations: the value (JSON or text) this one replaces.")
@click.option("--reject", is_flag=True, help="Reject the value given by --replaces (or the field's value) instead.")
@click.option("--reason", help="Why, for the record.")
@click.option("--role", help="For a sample size: the count's role (randomised, analysed, ...); without it the "
                             "role stays what it was. With --role and no VALUE only the role changes.")
def correct(doc_id: str, field: str, value: str | None, db_path: str, annotator: str, study_number: int,
            replaces: str | None, reject: bool, reason: str | None, role: str | None) -> None:
    """Correct one value of a study; the correction is kept whatever is re-run later.

    VALUE is checked against the field: a design label (``rct``), a count with its unit (``73 mothers`` or
    ``{"n": 73, "unit": "mothers"}``), an outcome (``PHQ-9``), an effect (``MD 1.4 [-0.6, 3.5] p=0.17 on
    SDQ-TD`` or JSON with measure, value, ci, p and outcome; ``"outcome": null`` removes the link; without an
    outcome the link stays), a registration (``NCT01234567``). A changed value has no evidence in the text
    (it is marked as entered by hand); its role stays unless --role changes it. Corrections are append-only;
    ``show`` and ``export`` return the corrected value from then on.
    """
    from .corrections import CorrectionError, parse_value, record_correction
    from .extract.fields import spec_of

    def parse(text: str | None) -> Any:
        if text is None:
            return None
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            return text

    if (value is None) != reject and not (value is None and role and not reject):
        raise click.ClickException("give either a VALUE, --role or --reject")
    store = _open_store(db_path, must_exist=True)
    studies = store.studies(doc_id)
    if not studies:
        raise click.ClickException(f"{doc_id}: no such document (or not extracted yet) in {db_path}")
    if not 1 <= study_number <= len(studies):
        raise click.ClickException(f"{doc_id} has {len(studies)} stud{'y' if len(studies) == 1 else 'ies'}; "
                                   f"--study must be 1..{len(studies)}")
    unit = studies[study_number - 1]
    before = parse(replaces)
    if before is None and not spec_of(field).multiple:
        before = next((v.value for v in unit.values if v.field == field and v.chosen), None)
    try:
        after = None if reject else before if value is None else parse_value(field, value, before)
        if after is None and not reject:
            raise CorrectionError(f"{doc_id} study {study_number} has no {field} to give a role",
                                  hint="give the value too")
        correction_id = record_correction(store, doc_id, unit.index, field, before, after, annotator, reason,
                                          role=role)
    except CorrectionError as error:
        raise click.ClickException(f"{error.message}; {error.hint}") from None
    _stderr().print(f"correction {correction_id} recorded for {doc_id} study {study_number} {field}")


def _shared_option(function: Callable[..., Any]) -> Callable[..., Any]:
    import os

    default = os.environ.get("EXTRACTOR_SHARED", str(Path(__file__).resolve().parents[2] / "shared"))
    return click.option("--shared", "shared_path", default=default, show_default=True,
                        type=click.Path(file_okay=False),
                        help="The shared folder with data/, gold/, corpus/ and eval/.")(function)


@cli.command()
@_shared_option
@click.option("--annotations", "annotations_path", type=click.Path(file_okay=False),
              help="Folder of annotators' *.jsonl files (default: the repository's annotations/).")
@click.option("--documents", "document_paths", multiple=True, type=click.Path(exists=True),
              help="Database, file or folder holding the annotated documents (repeatable; default: corpus/ "
                   "and the shared corpus/).")
@click.argument("names", nargs=-1)
def train(shared_path: str, annotations_path: str | None, document_paths: tuple[str, ...],
          names: tuple[str, ...]) -> None:
    """Rebuild the models (all, or the NAMES given) from the shared data and annotators' records, with fixed seeds.

    Each model's trainer writes its files, model card and held-out figures under models/<name>/.
    """
    from .training import TRAINERS
    from .training import train as train_models

    if not Path(shared_path).is_dir():
        raise click.ClickException(f"{shared_path}: no such folder; pass --shared or set EXTRACTOR_SHARED")
    try:
        results = train_models(Path(shared_path), list(names) or None, annotations_path, list(document_paths))
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    for name, status in results:
        click.echo(f"{name}\t{'rebuilt' if status == 0 else f'failed (exit {status})'}", err=True)
    if not results:
        raise click.ClickException(f"no trainers found (known: {', '.join(TRAINERS) or 'none'})")
    if any(status for _, status in results):
        sys.exit(1)


@cli.command()
@_shared_option
@click.option("--no-gold", is_flag=True, help="Only the models' held-out figures, not the field scores.")
def evaluate(shared_path: str, no_gold: bool) -> None:
    """Print each model's held-out figures and the field scores on the shared dev gold."""
    from .evaluation import (
        gold_calibration,
        gold_calibration_text,
        gold_scores,
        model_figures,
        public_outcome_reliability,
        public_reliability,
    )

    for row in model_figures():
        parts = [f"{row['model']} v{row.get('version')} ({row.get('trained')})"]
        for split in ("test", "heldout", "held_out", "medline", "dev"):
            if split in row:
                figures = ", ".join(f"{key} {value:.3f}" for key, value in row[split].items())
                parts.append(f"{split}: {figures}")
        click.echo("\n  ".join(parts))
    click.echo(public_reliability())
    shared = Path(shared_path)
    outcomes = public_outcome_reliability(shared)
    if outcomes:
        click.echo(outcomes)
    if no_gold:
        return
    if not (shared / "gold").is_dir():
        raise click.ClickException(f"{shared}: no gold/ folder; pass --shared or set EXTRACTOR_SHARED")
    click.echo(gold_scores(shared))
    click.echo(gold_calibration_text(gold_calibration(shared)))


@cli.command()
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
@db_option
@click.option("--force", is_flag=True, help="Rewrite records that are stored unchanged already.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar or summary table.")
def load(folder: str, db_path: str, force: bool, quiet: bool) -> None:
    """Merge the Parquet parts that `extract --out-parquet FOLDER` wrote into the database."""
    from .batch.options import ExtractOptions
    from .batch.parquet import load_parquet
    from .reporting import RichProgress, summary_table

    console = _stderr()
    store = _open_store(db_path)
    try:
        with RichProgress(console, quiet=quiet) as progress:
            summary = load_parquet(folder, store, ExtractOptions(force=force), progress)
    finally:
        store.close()
    if not quiet:
        console.print(summary_table(summary, db_path, None))


from .cli_review import annotations, review  # noqa: E402  (they use the helpers above)

cli.add_command(review)
cli.add_command(annotations)


def main() -> None:
    """Console entry point: no traceback reaches the user for a bad input or database."""
    from .errors import ExtractorError

    try:
        cli(standalone_mode=True)
    except ExtractorError as error:
        click.echo(f"error: {error.message}; {error.hint}", err=True)
        sys.exit(2)
    except Exception as error:
        if not _database_error(error):
            raise
        click.echo(f"error: database: {error}; check the --db file is an extractor database and not in use", err=True)
        sys.exit(2)


def _database_error(error: Exception) -> bool:
    """Whether the error came from the database. The store (and sqlite_utils, numpy below it) is not imported to
    ask: ``--help`` and commands that never open a database start without it, and only the store opens one."""
    store = sys.modules.get(f"{__package__}.store")
    return store is not None and isinstance(error, store.SQLiteError)


from .cli_synthesis import synthesize  # noqa: E402  (its heavy imports are inside the command)

cli.add_command(synthesize)

from .cli_triage import triage  # noqa: E402  (its heavy imports are inside the commands)

cli.add_command(triage)


if __name__ == "__main__":
    main()
