"""The batch: find input files, cut them into tasks, extract, write in batches.

Reading and extraction are one pure function of a task (a file, or a range of
records of a large PubMed XML file) whose events are plain picklable data:
``process_task`` runs the same in this process, in a process pool and on a Dask
cluster (``extractor.executors``). Workers return ready-to-insert rows, so the
single writer here only inserts them, one transaction per batch; a source file
is marked complete in the same or a later transaction than its last document,
so a killed run loses nothing it committed and a re-run resumes where it
stopped. The writer holds one batch at a time: memory stays flat as the corpus
grows. PubMed update files are honoured: a newer version of a record (same
PMID, later file) replaces the older one, and DeleteCitation marks it deleted.
"""

from __future__ import annotations

import glob
import hashlib
import itertools
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TextIO

from . import __version__
from .errors import DocumentTimeout, ExtractorError, LimitExceeded
from .extract.document import extraction_version
from .identifiers import attach_identifiers
from .interchange import interchange_record, write_jsonl_line
from .readers import detect_format, doc_stem, read_path
from .readers.base import Limits, RecordFailure
from .store import PreparedRecord, Store, prepare_record, record_file
from .types import Document, Failure, StudyUnit

# Files a folder walk passes over: repository housekeeping, not literature.
HOUSEKEEPING = {"readme", "license", "licence", "provenance", "index", "changelog", "manifest", "notice"}

Event = tuple[Any, ...]
IN_PROCESS_TASKS = 32  # a one-worker run of at most this many tasks extracts in this process


@dataclass
class ExtractOptions:
    """How a run reads and writes."""

    force: bool = False
    workers: int = 1
    limits: Limits = field(default_factory=Limits)
    batch_size: int = 500
    flush_seconds: float = 2.0
    use_models: bool = True  # False: rules alone (for ablations)
    executor: str = "local"  # "local" (this process or a process pool) or "dask"
    scheduler: str | None = None  # a Dask scheduler address; None with "dask": a LocalCluster here
    parquet_dir: str | None = None  # write records as Parquet parts there instead of into the store
    chunk_records: int = 250  # PubMed XML files with more records are cut into tasks of this many
    retries: int = 2  # how often a Dask task whose worker died is tried again
    tasks_per_worker: int = 100  # a pool worker (or our LocalCluster's) is replaced after this many tasks: no creep


@dataclass
class RunSummary:
    """What a run did, for the summary table and the ``runs`` row."""

    run_id: int = 0
    files_seen: int = 0
    files_skipped: int = 0
    files_failed: int = 0
    documents_written: int = 0
    documents_unchanged: int = 0
    failures: int = 0
    duration_s: float = 0.0
    status: str = "running"
    documents_superseded: int = 0  # older versions of a PubMed record that a newer one replaced
    documents_deleted: int = 0  # records marked deleted by an update file's DeleteCitation

    @property
    def documents(self) -> int:
        return self.documents_written + self.documents_unchanged

    def counts(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("run_id")
        for name in ("files_failed", "status", "documents_superseded", "documents_deleted"):
            data.pop(name)
        return data


class Progress:
    """Callbacks a front end implements to show a run; the default shows nothing."""

    def start(self, total_files: int, total_bytes: int) -> None: ...

    def file_done(self, path: str, size: int, documents: int) -> None: ...

    def failure(self, failure: Failure) -> None: ...

    def documents(self, count: int) -> None: ...

    def notice(self, message: str) -> None: ...


# ---------------------------------------------------------------- input files


def discover(inputs: list[str]) -> tuple[list[Path], list[Failure]]:
    """Files named by paths, folders (recursed) and globs, in a stable order."""
    files: dict[str, Path] = {}
    missing: list[Failure] = []
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and not _passed_over(p, path))
        elif path.is_file():
            found = [path]
        else:
            found = sorted(Path(p) for p in glob.glob(item, recursive=True) if Path(p).is_file())
            if not found:
                missing.append(Failure(item, "not_found", "no such file, folder or matching glob",
                                       "check the path (quote globs so the shell passes them on)"))
        for p in found:
            files.setdefault(str(p.resolve()), p)
    return list(files.values()), missing


def _passed_over(path: Path, root: Path) -> bool:
    relative = path.relative_to(root).parts
    if any(part.startswith(".") for part in relative):
        return True
    return path.stem.lower() in HOUSEKEEPING and path.suffix.lower() in {".md", ".txt", ""}


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# ---------------------------------------------------------------- tasks


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

    @property
    def records(self) -> str | None:
        """The record range for failure rows ("records 1001-2000"), None for a whole file."""
        if self.chunks == 1:
            return None
        return f"records {self.first}-{self.stop - 1}" if self.stop else f"records {self.first}-"


def plan_tasks(paths: Iterable[str], limits: Limits, chunk_records: int) -> Iterator[Task]:
    """Tasks in file order; PubMed XML files of more than ``chunk_records`` records are cut into pieces.

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
            yield Task(path, number, fmt)
            continue
        from .readers.pubmed_xml import split_records

        chunk = 0
        try:
            for first, data, last, lines_before in split_records(Path(path), chunk_records):
                number += 1
                chunk += 1
                if data is None:
                    yield Task(path, number, fmt)
                else:
                    yield Task(path, number, fmt, first, None if last else first + chunk_records, chunk,
                               chunk if last else 0, data, lines_before)
        except (ExtractorError, OSError):
            if not chunk:
                number += 1
                yield Task(path, number, fmt)  # unreadable from the start: the task reports it


# ---------------------------------------------------------------- per task work


@contextmanager
def _alarm(seconds: float) -> Iterator[Callable[[], None]]:
    """A per-document wall-clock limit: SIGALRM on the main thread, else an exception sent to the thread.

    Dask runs tasks in worker threads, where signals cannot reach; there a timer
    raises the same ``DocumentTimeout`` in the reading thread (between bytecodes).
    """
    if seconds <= 0:
        yield lambda: None
        return
    message = f"reading took longer than {seconds:g} s"
    if hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread():
        def on_alarm(signum: int, frame: Any) -> None:
            raise DocumentTimeout(message)

        previous = signal.signal(signal.SIGALRM, on_alarm)
        reset = lambda: signal.setitimer(signal.ITIMER_REAL, seconds)  # noqa: E731
        reset()
        try:
            yield reset
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
        return
    with _thread_alarm(seconds, message) as reset:
        yield reset


@contextmanager
def _thread_alarm(seconds: float, message: str) -> Iterator[Callable[[], None]]:
    import ctypes

    thread_id = threading.get_ident()
    timeout = type("DocumentTimeout", (DocumentTimeout,), {"__init__": lambda self: DocumentTimeout.__init__(
        self, message)})
    lock = threading.Lock()
    state: dict[str, Any] = {"timer": None, "generation": 0, "active": True}

    def fire(generation: int) -> None:
        with lock:
            if state["active"] and state["generation"] == generation:
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), ctypes.py_object(timeout))

    def reset() -> None:
        with lock:
            if state["timer"] is not None:
                state["timer"].cancel()
            state["generation"] += 1
            timer = threading.Timer(seconds, fire, args=(state["generation"],))
            timer.daemon = True
            state["timer"] = timer
            timer.start()

    reset()
    try:
        yield reset
    finally:
        with lock:
            state["active"] = False
            state["timer"].cancel()


def process_document(document: Document, use_models: bool = True) -> tuple[Document, list[StudyUnit]]:
    """Everything done to one document after reading: field extraction of its study units."""
    from .extract.document import extract_document

    return document, extract_document(document, use_models=use_models)


def prepare(document: Document, units: list[StudyUnit], record_version: str | None = None) -> PreparedRecord:
    """A document and its units as ready-to-insert rows (built in the worker, not by the writer)."""
    return prepare_record(document, units, record_version, interchange_record(document, units))


def process_task(task: Task, limits: Limits, use_models: bool = True, parquet_dir: str | None = None,
                 run_id: int = 0) -> Iterator[Event]:
    """Events of one task: ("record", PreparedRecord), ("failure", Failure), ("deleted", path, pmids),
    then ("done", path, format, documents, failures, chunks, task number).

    The one extraction function every executor runs (in this process, in worker
    processes, on a Dask cluster). With ``parquet_dir`` the records are written
    there as Parquet parts and ("parquet", count) events stand in for them.
    """
    path = task.path
    fmt = task.fmt
    documents = failures = 0
    deleted: list[str] = []
    pending: list[PreparedRecord] = []
    part = 0

    def flush_parquet() -> Event:
        nonlocal part, pending
        from .parquet import write_part

        part += 1
        write_part(parquet_dir, task, part, pending, run_id, extraction_version(use_models))
        count, pending = len(pending), []
        return ("parquet", count)

    try:
        with _alarm(limits.max_seconds) as reset:
            fmt = fmt or detect_format(Path(path), limits)
            items = _read_pubmed(task, limits, deleted) if fmt == "pubmed_xml" else read_path(path, limits, fmt)
            for item in items:
                if isinstance(item, Failure):
                    failures += 1
                    yield ("failure", item)
                else:
                    documents += 1
                    version = f"{Path(path).name}#{item.record_index or 0:09d}" if fmt == "pubmed_xml" else None
                    record = prepare(*process_document(item, use_models), version)
                    if parquet_dir is None:
                        yield ("record", record)
                    else:
                        pending.append(record)
                        if len(pending) >= 500:
                            yield flush_parquet()
                reset()
    except ExtractorError as error:
        failures += 1
        yield ("failure", Failure(path, error.kind, error.message, error.hint, record=task.records, page=error.page))
    except (OSError, MemoryError, RecursionError) as error:
        failures += 1
        yield ("failure", Failure(path, "io", f"{type(error).__name__}: {error}", "check the file can be read",
                                  record=task.records))
    except Exception as error:  # a bug of ours must not stop the batch either
        failures += 1
        yield ("failure", Failure(path, "internal", f"unexpected {type(error).__name__}: {error}",
                                  "report this file as a bug; the rest of the batch went on", record=task.records))
    if pending:
        yield flush_parquet()
    if deleted:
        if parquet_dir is not None:
            from .parquet import write_deletions

            write_deletions(parquet_dir, task, deleted)
        yield ("deleted", path, deleted)
    yield ("done", path, fmt, documents, failures, task.chunks, task.number)


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
    from .readers.pubmed_xml import read_range

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


# ---------------------------------------------------------------- the writer


class _Writer:
    """Collects events and writes them in batches, one transaction each.

    Holds at most one batch of records plus one entry per file still being read,
    so memory stays flat however large the corpus.
    """

    def __init__(self, store: Store, run_id: int, options: ExtractOptions, summary: RunSummary,
                 progress: Progress, jsonl: TextIO | None, sizes: dict[str, tuple[int, str]]):
        self.store, self.run_id, self.options = store, run_id, options
        self.summary, self.progress, self.jsonl, self.sizes = summary, progress, jsonl, sizes
        self.version = extraction_version(options.use_models)
        self.records: list[PreparedRecord] = []
        self.failures: list[Failure] = []
        self.sources: list[dict[str, Any]] = []
        self.deletions: list[tuple[str, list[str]]] = []
        self.files: dict[str, list[Any]] = {}  # path -> [format, documents, failures, chunks done]
        self.claimed: dict[str, str] = {}  # doc_id -> source path, within the current batch
        self.last_flush = time.monotonic()

    def handle(self, event: Event) -> None:
        kind = event[0]
        if kind == "record":
            self.records.append(event[1])
        elif kind == "parquet":
            self.summary.documents_written += event[1]
            self.progress.documents(event[1])
        elif kind == "failure":
            self.failures.append(event[1])
            self.summary.failures += 1
            self.progress.failure(event[1])
        elif kind == "deleted":
            self.deletions.append((event[1], event[2]))
        elif kind == "done":
            self._file_part_done(*event[1:])
        if len(self.records) >= self.options.batch_size or (
            time.monotonic() - self.last_flush > self.options.flush_seconds
            and (self.records or self.sources or self.failures or self.deletions)
        ):
            self.flush()

    def _file_part_done(self, path: str, fmt: str | None, documents: int, failures: int, chunks: int,
                        number: int) -> None:
        state = self.files.setdefault(path, [None, 0, 0, 0, 0])  # format, documents, failures, pieces done, of
        state[0] = state[0] or fmt
        state[1] += documents
        state[2] += failures
        state[3] += 1
        state[4] = chunks or state[4]  # known once the file's last piece is done
        if not state[4] or state[3] < state[4]:
            return
        del self.files[path]
        fmt, documents, failures = state[0], state[1], state[2]
        status = "complete" if not failures else ("partial" if documents else "failed")
        size, sha = self.sizes[path]
        self.sources.append({"path": path, "sha256": sha, "size": size, "format": fmt, "documents": documents,
                             "failures": failures, "status": status, "extraction_version": self.version})
        if status == "failed":
            self.summary.files_failed += 1
        self.progress.file_done(path, size, documents)

    def flush(self) -> None:
        records = self._unique_ids(self._latest_versions(self.records))
        ids = [r.doc_id for r in records]
        stored = {} if self.options.force else self.store.stored_hashes(ids)
        changed = [r for r in records if stored.get(r.doc_id) != (r.content_hash, r.extraction_version or self.version)]
        deleted = self._already_deleted(changed)
        self.store.write_records(changed, self.failures, self.sources, self.run_id, self.version, deleted)
        for path, pmids in self.deletions:
            self.summary.documents_deleted += self.store.record_deletions(path, pmids, self.run_id)
        self.summary.documents_deleted += len(deleted)
        self.summary.documents_written += len(changed)
        self.summary.documents_unchanged += len(records) - len(changed)
        if self.jsonl is not None:
            self._write_jsonl(records)
        self.progress.documents(len(self.records))
        self.records, self.failures, self.sources, self.deletions = [], [], [], []
        self.claimed = {}
        self.last_flush = time.monotonic()

    def _write_jsonl(self, records: list[PreparedRecord]) -> None:
        corrections = self.store.corrections_for(r.doc_id for r in records)
        for record in records:
            if record.doc_id in corrections or record.record is None:
                # What was just written, with annotators' corrections on top: humans win.
                document = self.store.document(record.doc_id)
                line = interchange_record(document, self.store.studies(record.doc_id)) if document else None
            else:
                line = {**record.record, "doc_id": record.doc_id}
            if line is not None:
                write_jsonl_line(self.jsonl, line)

    def _latest_versions(self, records: list[PreparedRecord]) -> list[PreparedRecord]:
        """PubMed revisions: one document per PMID, whatever order the copies arrive in.

        The newest copy (latest file, or later in one file) supplies the content;
        the doc_id is the smallest any copy had, unless a stored copy carries
        annotators' corrections, whose doc_id then stays. Older copies are dropped.
        """
        versioned = [r for r in records if r.record_version and r.pmid]
        if not versioned:
            return records
        batch: dict[str, list[PreparedRecord]] = {}
        for record in versioned:
            batch.setdefault(record.pmid, []).append(record)
        stored = self.store.versions_of_pmids(batch)
        corrected = set(self.store.corrections_for(d for copies in stored.values() for d, _ in copies))
        keep: set[int] = set()
        for pmid, copies in batch.items():
            newest = max(copies, key=lambda r: r.record_version)
            held = stored.get(pmid, [])
            ids = sorted({r.doc_id for r in copies} | {doc_id for doc_id, _ in held})
            target = min((doc_id for doc_id, _ in held if doc_id in corrected), default=ids[0])
            stale = [doc_id for doc_id, _ in held if doc_id != target]
            newest_held = max(held, key=lambda copy: copy[1], default=None)
            if newest_held is not None and newest_held[1] > newest.record_version:
                self.store.delete_documents([doc_id for doc_id in stale if doc_id != newest_held[0]])
                if newest_held[0] != target:
                    self.store.rename_document(newest_held[0], target)
                continue
            self.store.delete_documents(stale)
            newest.doc_id = target
            self.claimed[target] = newest.source_path
            keep.add(id(newest))
        kept = [r for r in records if not (r.record_version and r.pmid) or id(r) in keep]
        self.summary.documents_superseded += len(records) - len(kept)
        return kept

    def _already_deleted(self, records: list[PreparedRecord]) -> dict[str, str]:
        """doc_ids of records an update file (read before, but later in PubMed's order) deleted."""
        versioned = {r.pmid: r for r in records if r.record_version and r.pmid}
        if not versioned:
            return {}
        deleted: dict[str, str] = {}
        for pmid, (file_name, path) in self.store.deletions_of_pmids(versioned).items():
            record = versioned[pmid]
            if record_file(record.record_version) <= file_name:
                deleted[record.doc_id] = path
        return deleted

    def _unique_ids(self, records: list[PreparedRecord]) -> list[PreparedRecord]:
        """Two input files with the same name must not overwrite each other's documents."""
        if not records:
            return records
        ids = [r.doc_id for r in records]
        owners: dict[str, str] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            owners.update((row["doc_id"], row["source_path"]) for row in self.store.db.query(
                f"select doc_id, source_path from documents where doc_id in ({marks})", chunk))
        for record in records:
            base, number = record.doc_id, 1
            while True:
                owner = self.claimed.get(record.doc_id) or owners.get(record.doc_id)
                if owner is None or owner == record.source_path:
                    break
                number += 1
                record.doc_id = f"{base}~{number}"
                if record.doc_id not in owners:
                    row = next(iter(self.store.db.query(
                        "select source_path from documents where doc_id = ?", [record.doc_id])), None)
                    if row:
                        owners[record.doc_id] = row["source_path"]
            if number > 1:
                self.progress.notice(f"{record.source_path}: doc_id {base} is taken by another file; "
                                     f"stored as {record.doc_id}")
            self.claimed[record.doc_id] = record.source_path
        return records


def run_extract(inputs: list[str], store: Store, options: ExtractOptions | None = None,
                progress: Progress | None = None, jsonl: TextIO | None = None) -> RunSummary:
    """Read every input file into the store; the function behind ``extractor extract``."""
    options = options or ExtractOptions()
    progress = progress or Progress()
    started = time.monotonic()
    files, missing = discover(inputs)
    option_record = {"force": options.force, "workers": options.workers, "use_models": options.use_models,
                     "executor": options.executor, "scheduler": options.scheduler, "out_parquet": options.parquet_dir,
                     **asdict(options.limits)}
    run_id = store.start_run("extract", option_record, inputs, __version__)
    summary = RunSummary(run_id=run_id, files_seen=len(files))
    sizes: dict[str, tuple[int, str]] = {}
    to_read: list[str] = []
    skipped_sources: list[str] = []
    for path in files:
        key = str(path)
        try:
            size = path.stat().st_size
            sha = file_sha256(path)
        except OSError as error:
            missing.append(Failure(key, "io", f"cannot read the file: {error.strerror or error}",
                                   "check that it exists and is readable"))
            continue
        sizes[key] = (size, sha)
        known = store.source(key)
        if (not options.force and known and known["sha256"] == sha and known["status"] == "complete"
                and known.get("extraction_version") == extraction_version(options.use_models)):
            skipped_sources.append(key)
        else:
            to_read.append(key)
    writer = _Writer(store, run_id, options, summary, progress, jsonl, sizes)
    for failure in missing:
        writer.handle(("failure", failure))
    progress.start(len(to_read), sum(sizes[p][0] for p in to_read))
    summary.files_skipped = len(skipped_sources)
    if skipped_sources:
        unchanged = 0
        for key in skipped_sources:
            ids = store.doc_ids_for_source(key)
            unchanged += len(ids)
            if jsonl is not None:
                for doc_id in ids:
                    document = store.document(doc_id)
                    if document is not None:
                        write_jsonl_line(jsonl, interchange_record(document, store.studies(doc_id)))
        summary.documents_unchanged += unchanged
        progress.notice(f"{len(skipped_sources)} unchanged files skipped ({unchanged} documents); --force redoes them")
    status = "complete"
    try:
        from .executors import task_events

        tasks = plan_tasks(to_read, options.limits, options.chunk_records)
        # Worker processes pay off for two tasks or more; with one worker, only for a long run, where the
        # worker (recycled now and then) keeps this process's memory flat and the writer runs beside it.
        ahead = list(itertools.islice(tasks, IN_PROCESS_TASKS + 1))
        pool = len(ahead) > 1 if options.workers > 1 else len(ahead) > IN_PROCESS_TASKS
        for chunk in task_events(itertools.chain(ahead, tasks), options, run_id, progress.notice, parallel=pool):
            for event in chunk:
                writer.handle(event)
    except KeyboardInterrupt:
        status = "interrupted"
        raise
    except Exception:
        status = "failed"  # e.g. the Dask scheduler cannot be reached
        raise
    finally:
        with suppress(Exception):
            writer.flush()
        summary.duration_s = round(time.monotonic() - started, 3)
        summary.status = status
        store.finish_run(run_id, summary.counts(), status)
    return summary


def worker_count(requested: int | None) -> int:
    """``--workers 0`` means one per core."""
    if requested is None or requested < 0:
        return 1
    return requested or (os.cpu_count() or 1)
