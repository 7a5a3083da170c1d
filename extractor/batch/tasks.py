"""Tasks: a whole file, or a range of records of a large PubMed XML file, and the work done on one.

Reading and extraction are one pure function of a task, ``process_task``,
whose events (``events``) are plain picklable data: it runs the same in this
process, in a process pool and on a Dask cluster (``executors``). Workers
return ready-to-insert rows, so the one writer only inserts them. PubMed update
files are honoured: each record carries its version (file and position), and
DeleteCitation lists the PMIDs it deletes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import suppress
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..errors import ExtractorError, LimitExceeded
from ..extract.version import extraction_version
from ..identifiers import attach_identifiers
from ..interchange import interchange_record
from ..readers import detect_format, doc_stem, read_path
from ..readers.base import Limits, RecordFailure
from ..readers.pubmed_xml import read_range, split_records
from ..store import PreparedRecord, prepare_record
from ..types import Document, Failure, StudyUnit
from .alarm import document_alarm
from .events import DocumentDone, DocumentKept, Event, Failed, PartWritten, RecordsDeleted, TaskDone
from .parquet import part_name, write_deletions, write_part

PARQUET_PART_RECORDS = 500  # a task writes its records as Parquet parts of this many


@dataclass(frozen=True)
class Task:
    """One unit of work: a whole file, or a piece of a large PubMed XML file (records ``first`` to ``stop - 1``)."""

    path: str
    number: int  # position in the run
    fmt: str | None = None
    first: int = 1
    stop: int | None = None  # None: to the end of the file
    chunk: int = 1  # 1-based piece of the file
    chunks: int = 1  # how many pieces the file was cut into; 0 until the last piece is planned
    data: bytes | None = field(default=None, repr=False)  # the piece itself (a well-formed PubmedArticleSet)
    lines_before: int = 0  # lines of the file between its header and the piece (errors name the file's lines)
    failure: Failure | None = None  # what stopped planning after this piece (the rest of the file is not read)
    # (doc_id, content hash) of the file's records stored already with this extraction version: read, not extracted
    kept: frozenset[tuple[str, str]] = field(default=frozenset(), repr=False)

    @property
    def records(self) -> str | None:
        """The record range for failure rows ("records 1001-2000"), None for a whole file."""
        if self.chunks == 1:
            return None
        return f"records {self.first}-{self.stop - 1}" if self.stop else f"records {self.first}-"


def plan_tasks(paths: Iterable[str], limits: Limits, chunk_records: int,
               kept_of: Callable[[str], frozenset[tuple[str, str]]] | None = None) -> Iterator[Task]:
    """Tasks in file order; PubMed XML files of more than ``chunk_records`` records are cut into pieces.

    ``kept_of`` gives a file's records stored already (doc_id, content hash), which its task reads but does
    not extract again: a run stopped part-way through a large table, RIS or CSV file resumes at the first
    record not yet stored. (PubMed XML pieces, whose records carry versions, are extracted again.)

    A generator: a 30,000-record baseline file is cut (a byte scan, no
    parsing) only as the workers get ready for its pieces, and at most a
    bounded number of pieces wait in the executor's queue.
    """
    number = 0
    for path in paths:
        fmt = None
        with suppress(ExtractorError):  # the task itself reports the file
            fmt = detect_format(Path(path), limits)
        if fmt != "pubmed_xml" or chunk_records <= 0:
            number += 1
            kept = kept_of(path) if kept_of is not None and fmt != "pubmed_xml" else frozenset()
            yield Task(path, number, fmt, kept=kept)
            continue
        chunk = 0
        held: Task | None = None  # each piece waits for the next, so damage found while cutting joins the last
        try:
            for first, data, last, lines_before in split_records(Path(path), chunk_records, limits):
                number += 1
                chunk += 1
                if held is not None:
                    yield held
                if data is None:
                    held = Task(path, number, fmt)
                else:
                    held = Task(path, number, fmt, first, None if last else first + chunk_records, chunk,
                                chunk if last else 0, data, lines_before)
        except (ExtractorError, OSError) as error:
            if held is None:
                number += 1
                yield Task(path, number, fmt)  # unreadable from the start: the task reports it
                continue
            if held.data is not None:  # (a file read whole reports its own damage)
                # The pieces before the damage are read; the rest of the file is recorded as failed, on the last.
                kind, message, hint = ((error.kind, error.message, error.hint) if isinstance(error, ExtractorError)
                                       else ("io", f"cannot read the file: {error}", "check the file can be read"))
                failure = Failure(path, kind, f"read up to the damage, then stopped: {message}", hint)
                held = replace(held, failure=failure, chunks=held.chunk)
        if held is not None:
            yield held


def process_document(document: Document, use_models: bool = True) -> tuple[Document, list[StudyUnit]]:
    """Everything done to one document after reading: field extraction of its study units.

    The extraction code (spaCy, every field's rules) is imported here, in the process that extracts, not by the
    parent of a worker pool, which only plans tasks and writes their records.
    """
    from ..extract.document import extract_document

    return document, extract_document(document, use_models=use_models)


def prepare(document: Document, units: list[StudyUnit], record_version: str | None = None) -> PreparedRecord:
    """A document and its units as ready-to-insert rows (built in the worker, not by the writer)."""
    return prepare_record(document, units, record_version, interchange_record(document, units))


def process_task(task: Task, limits: Limits, use_models: bool = True, parquet_dir: str | None = None,
                 run_id: int = 0) -> Iterator[Event]:
    """Events of one task: ``DocumentDone``, ``Failed`` and ``RecordsDeleted`` as it reads, then ``TaskDone``.

    The one extraction function every executor runs (in this process, in worker
    processes, on a Dask cluster). With ``parquet_dir`` the records are written
    there as Parquet parts and ``PartWritten`` events stand in for them.
    """
    path = task.path
    fmt = task.fmt
    documents = failures = 0
    deleted: list[str] = []
    pending: list[PreparedRecord] = []
    part = 0
    met: set[str] = set()  # doc_ids read so far in this task

    def flush_parquet() -> PartWritten:
        nonlocal part, pending
        part += 1
        write_part(parquet_dir, part_name(task.path, task.chunk, part), pending, run_id,
                   extraction_version(use_models))
        count, pending = len(pending), []
        return PartWritten(count)

    try:
        with document_alarm(limits.max_seconds) as reset:
            fmt = fmt or detect_format(Path(path), limits)
            items = _read_pubmed(task, limits, deleted) if fmt == "pubmed_xml" else read_path(path, limits, fmt)
            for item in items:
                if isinstance(item, Failure):
                    failures += 1
                    yield Failed(item)
                elif (task.kept and parquet_dir is None and item.doc_id not in met
                      and (item.doc_id, item.content_hash) in task.kept):
                    met.add(item.doc_id)
                    documents += 1
                    yield DocumentKept(item.doc_id)  # stored before the last run stopped: not extracted again
                else:
                    met.add(item.doc_id)  # a later copy of a doc_id in the file is always written (it wins)
                    documents += 1
                    version = f"{Path(path).name}#{item.record_index or 0:09d}" if fmt == "pubmed_xml" else None
                    record = prepare(*process_document(item, use_models), version)
                    if parquet_dir is None:
                        yield DocumentDone(record)
                    else:
                        pending.append(record)
                        if len(pending) >= PARQUET_PART_RECORDS:
                            yield flush_parquet()
                reset()
    except ExtractorError as error:
        failures += 1
        yield Failed(Failure(path, error.kind, error.message, error.hint, record=task.records, page=error.page))
    except (OSError, MemoryError, RecursionError) as error:
        failures += 1
        yield Failed(Failure(path, "io", f"{type(error).__name__}: {error}", "check the file can be read",
                             record=task.records))
    except Exception as error:  # a bug of ours must not stop the batch either
        failures += 1
        yield Failed(Failure(path, "internal", f"unexpected {type(error).__name__}: {error}",
                             "report this file as a bug; the rest of the batch went on", record=task.records))
    if task.failure is not None:
        failures += 1
        yield Failed(task.failure)
    if pending:
        yield flush_parquet()
    if deleted:
        if parquet_dir is not None:
            write_deletions(parquet_dir, part_name(task.path, task.chunk, 0), task.path, deleted)
        yield RecordsDeleted(path, deleted)
    yield TaskDone(path, fmt, documents, failures, task.chunks, task.number)


def run_task(task: Task, limits: Limits, use_models: bool = True, parquet_dir: str | None = None,
             run_id: int = 0) -> list[Event]:
    """``process_task`` as one list: what a Dask task returns."""
    return list(process_task(task, limits, use_models, parquet_dir, run_id))


def process_file(path: str, limits: Limits, use_models: bool = True) -> Iterator[Event]:
    """Events for one whole file (see ``process_task``)."""
    return process_task(Task(path, 1), limits, use_models)


def _read_pubmed(task: Task, limits: Limits, deleted: list[str]) -> Iterator[Document | Failure]:
    """A PubMed XML file (or one chunk of it) as ``read_path`` gives it, collecting deleted PMIDs.

    doc_ids are ``<stem>/<PMID>`` (a one-record file: ``<stem>``); a record
    repeated in one file keeps its doc_id and the later copy wins in the store.
    """
    source = Path(task.path)
    stem = doc_stem(source)
    multi = task.data is not None or task.chunks > 1
    held: Document | None = None
    last = task.first - 1  # the last record number seen

    def finish(document: Document, many: bool) -> Document:
        attach_identifiers(document)
        if many:
            document.record_key = document.metadata.pmid or document.metadata.doi or str(document.record_index)
            document.doc_id = f"{stem}/{document.record_key}"
        else:
            document.doc_id = stem
        return document

    try:
        for number, item in read_range(source, limits, task.first, task.stop, deleted, task.data, task.lines_before):
            last = number
            if number > limits.max_records:
                raise LimitExceeded(f"more than {limits.max_records} records in one file")
            if item is None:
                continue
            if isinstance(item, RecordFailure):
                yield Failure(task.path, item.kind, item.message, item.hint, record=item.record)
                continue
            item.format = item.format or "pubmed_xml"
            if number == 1 and not multi:
                held = item
                continue
            if held is not None:
                yield finish(held, many=True)
                held = None
            yield finish(item, many=True)
    except ExtractorError as error:
        if task.data is None and task.chunk > 1 and last < task.first:
            return  # the damage lies before this chunk: the chunk before it reports it
        if held is not None:
            yield finish(held, many=False)
            held = None
        if last <= 1:
            raise
        yield Failure(task.path, error.kind, f"stopped after record {last}: {error.message}", error.hint,
                      record=task.records)
    if held is not None:
        yield finish(held, many=False)


def crashed(task: Task, message: str) -> list[Event]:
    """What a task that never reported back leaves: one failure and its end."""
    failure = Failure(task.path, "crash", message, "report this file as a bug; the rest of the batch went on",
                      record=task.records)
    return [Failed(failure), TaskDone(task.path, task.fmt, 0, 1, task.chunks, task.number)]
