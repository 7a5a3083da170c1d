"""What the terminal shows: the progress bar, the run summary, a record, stats."""

from __future__ import annotations

import time
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from .batch.options import Progress as ProgressCallbacks
from .batch.options import RunSummary
from .types import Document, ExtractedValue, Failure, StudyUnit


class _RateColumn(ProgressColumn):
    """Documents stored so far and documents per second."""

    def render(self, task: Task) -> Text:
        documents = task.fields.get("documents", 0)
        elapsed = max(time.monotonic() - task.fields.get("started", time.monotonic()), 1e-6)
        return Text(f"{documents / elapsed:,.1f} records/s", style="cyan")


class _DoneColumn(ProgressColumn):
    """Records done of those expected (a run whose records were counted ahead), else files done and documents."""

    def render(self, task: Task) -> Text:
        fields = task.fields
        if fields.get("records"):
            return Text(f"{fields.get('documents', 0):,}/{fields['records']:,} records")
        return Text(f"{fields.get('files', 0)}/{fields.get('total_files', 0)} files  "
                    f"{fields.get('documents', 0):,} records")


class RichProgress(ProgressCallbacks):
    """A rich progress bar on stderr: records (or files) done, records/s and the ETA.

    The bar counts records when the run's files were counted ahead (a few files: one large XLSX, RIS or
    CSV export shows its records, not "0/1 files"), else bytes of the files done.
    """

    def __init__(self, console: Console, quiet: bool = False):
        self.console = console
        self.quiet = quiet
        self.bar = Progress(
            SpinnerColumn(),
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            _DoneColumn(),
            _RateColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=True,
            disable=quiet,
        )
        self.task_id: Any = None
        self.by_records = False

    def __enter__(self) -> RichProgress:
        self.bar.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.bar.__exit__(*exc)

    def start(self, total_files: int, total_bytes: int) -> None:
        self.task_id = self.bar.add_task("extracting", total=max(total_bytes, 1), files=0,
                                         total_files=total_files, documents=0, records=0, started=time.monotonic())

    def records_expected(self, total: int) -> None:
        if self.task_id is not None and total > 0:
            self.by_records = True
            self.bar.update(self.task_id, total=total, completed=0, records=total)

    def file_done(self, path: str, size: int, documents: int) -> None:
        if self.task_id is not None:
            files = self.bar.tasks[0].fields["files"] + 1
            self.bar.update(self.task_id, advance=0 if self.by_records else size, files=files)

    def documents(self, count: int) -> None:
        if self.task_id is not None:
            self.bar.update(self.task_id, documents=self.bar.tasks[0].fields["documents"] + count,
                            advance=count if self.by_records else 0)

    def failure(self, failure: Failure) -> None:
        # A salvaged file's lost part is a failure of kind "partial": the rest of it was stored.
        label = "[yellow]partly read[/]" if failure.kind == "partial" else "[red]failed[/]"
        self.console.print(f"{label} {escape(failure.one_line())}", soft_wrap=True)

    def notice(self, message: str) -> None:
        if not self.quiet:
            self.console.print(f"[yellow]note[/] {escape(message)}", soft_wrap=True)


def summary_table(summary: RunSummary, db_path: str, jsonl_path: str | None) -> Table:
    """The table printed at the end of ``extract``."""
    table = Table(title=f"run {summary.run_id}: {summary.status}", show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column(justify="right")
    rate = summary.documents / summary.duration_s if summary.duration_s else 0.0
    rows = [
        ("files seen", summary.files_seen),
        ("files skipped (unchanged)", summary.files_skipped),
        ("files failed", summary.files_failed),
        *([("files not read (run again)", summary.files_unread)] if summary.files_unread else []),
        ("documents written", summary.documents_written),
        ("documents unchanged", summary.documents_unchanged),
        ("failures (files and records)", summary.failures),
        ("seconds", f"{summary.duration_s:.2f}"),
        ("documents/s", f"{rate:,.1f}"),
        ("database", db_path),
    ]
    if jsonl_path:
        rows.append(("jsonl", jsonl_path))
    for name, value in rows:
        style = "red" if (name.startswith("failures") and summary.failures) or name.startswith("files not") else None
        table.add_row(name, Text(str(value), style=style or ""))
    return table


_SPAN_STYLES = {"title": "bold magenta", "abstract": "", "registration": "black on yellow",
                "doi": "underline", "pmid": "underline", "pmcid": "underline"}


def _style(kind: str) -> str:
    """The style of an evidence span: a registered field's own, else that of a title or identifier."""
    from .extract.fields import spec_of  # the field registry loads every field's rules: only when showing

    try:
        return spec_of(kind).style
    except KeyError:
        return _SPAN_STYLES.get(kind, "")


def _value_text(value: ExtractedValue) -> str:
    from .extract.fields import spec_of

    try:
        return spec_of(value.field).show(value)
    except KeyError:  # a field stored by an extension that is not registered now
        return str(value.value)


def render_studies(console: Console, document: Document, studies: list[StudyUnit], candidates: bool = False) -> None:
    """Each study unit's chosen values (all candidates with ``candidates``) with confidence, source, evidence."""
    for unit in studies:
        table = Table(title=f"study {unit.index + 1}" + (f": {unit.label}" if unit.label else ""),
                      title_justify="left")
        for column in ("field", "value", "role", "conf.", "source", "evidence"):
            table.add_column(column, overflow="fold")
        for value in unit.values:
            if not (value.chosen or candidates):
                continue
            evidence = document.text[value.start : value.end] if value.start is not None else (
                "(entered by hand)" if (value.attributes or {}).get("evidence") == "by hand" else "(metadata)")
            style = _style(value.field)
            table.add_row(Text(value.field, style=style), _value_text(value), value.role or "",
                          f"{value.confidence:.2f}", value.source,
                          Text(evidence[:120], style="dim" if not value.chosen else ""))
        console.print(table)


def render_document(console: Console, document: Document, full: bool = False,
                    studies: list[StudyUnit] | None = None, candidates: bool = False) -> None:
    """A document's record, with each identifier's evidence highlighted in the text."""
    meta = document.metadata
    header = Table(show_header=False, box=None)
    header.add_column(style="bold")
    header.add_column()
    rows = [
        ("doc_id", document.doc_id),
        ("title", document.title or "-"),
        ("format", document.format),
        ("source", document.source_path + (f" [record {document.record_index}]" if document.record_index else "")),
        ("authors", ", ".join(meta.authors[:6]) + (" et al." if len(meta.authors) > 6 else "")),
        ("journal", f"{meta.journal or '-'} ({meta.year or 'n.d.'})"),
        ("DOI / PMID / PMCID", f"{meta.doi or '-'} / {meta.pmid or '-'} / {meta.pmcid or '-'}"),
        ("publication types", "; ".join(meta.publication_types) or "-"),
        ("keywords", "; ".join(meta.keywords) or "-"),
        ("registrations", ", ".join(document.registrations) or "-"),
        ("sections", ", ".join(s.heading for s in document.sections if s.heading)[:200] or "-"),
        ("pages/slides", str(len(document.pages)) if document.pages else "-"),
    ]
    for name, value in rows:
        header.add_row(name, Text(value))
    console.print(header)
    for warning in document.warnings:
        console.print(f"[yellow]warning[/] {escape(warning)}")
    if full:
        start, end = 0, len(document.text)
    else:
        spans = [s for s in (document.title_span, document.abstract_span) if s]
        start = min((s[0] for s in spans), default=0)
        end = max((s[1] for s in spans), default=min(len(document.text), 3000))
    if studies:
        render_studies(console, document, studies, candidates)
        spans = [(u.start, u.end) for u in studies]
        if not full:
            start = min([start, *(s for s, _ in spans)])
            end = max([end, *(e for _, e in spans)])
    console.rule("evidence")
    console.print(highlighted(document, start, end, studies or []))


def highlighted(document: Document, start: int, end: int, studies: list[StudyUnit] | None = None) -> Text:
    """The text from ``start`` to ``end`` with title, identifier and chosen-value spans styled."""
    text = Text(document.text[start:end])
    marks: list[tuple[int, int, str]] = []
    for unit in studies or []:
        for value in unit.values:
            if value.chosen and value.start is not None and value.end is not None:
                marks.append((value.start, value.end, value.field))
    if document.title_span:
        marks.append((*document.title_span, "title"))
    for identifier in document.identifiers:
        if identifier.start is not None and identifier.end is not None:
            marks.append((identifier.start, identifier.end, "registration" if identifier.is_registration else identifier.scheme))
    for mark_start, mark_end, kind in marks:
        if mark_end > start and mark_start < end and _style(kind):
            text.stylize(_style(kind), max(mark_start, start) - start, min(mark_end, end) - start)
    return text


def stats_tables(figures: dict[str, Any]) -> list[Table]:
    """Tables for ``extractor stats``."""
    overview = Table(title="store", show_header=False, title_justify="left")
    overview.add_column(style="bold")
    overview.add_column(justify="right")
    for name in ("documents", "deleted", "with_abstract", "sources", "registrations", "runs", "failures_total"):
        overview.add_row(name.replace("_", " "), str(figures[name]))
    corrected = figures.get("corrected") or {}
    overview.add_row("corrected values", f"{corrected.get('corrections', 0)} in {corrected.get('documents', 0)} documents")
    tables = [overview]
    for key, title, column, unit in (("by_format", "documents by format", "format", "documents"),
                                     ("by_design", "studies by design (chosen or corrected)", "design", "studies"),
                                     ("by_measure", "effects by measure (chosen or corrected)", "measure", "effects")):
        table = Table(title=title, title_justify="left")
        table.add_column(column)
        table.add_column(unit, justify="right")
        for label, count in (figures.get(key) or {}).items():
            table.add_row(str(label), str(count))
        if not figures.get(key):
            table.add_row("(none)", "0")
        tables.append(table)
    run = figures.get("last_run")
    if run:
        last = Table(title=f"last run ({run['id']}, {run['status']}, {run['started_at']})", show_header=False,
                     title_justify="left")
        last.add_column(style="bold")
        last.add_column(justify="right")
        for name in ("files_seen", "files_skipped", "documents_written", "documents_unchanged", "failures",
                     "duration_s"):
            last.add_row(name.replace("_", " "), str(run.get(name)))
        tables.append(last)
        if figures["last_run_failures"]:
            failed = Table(title="failures in the last run", title_justify="left")
            for column in ("path", "record", "kind", "message"):
                failed.add_column(column, overflow="fold")
            for row in figures["last_run_failures"][:50]:
                failed.add_row(row["path"], row["record"] or "", row["kind"], row["message"])
            tables.append(failed)
    return tables
