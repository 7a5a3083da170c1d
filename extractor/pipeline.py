"""The batch: find input files, read them (in worker processes), write in batches.

Reading and extraction are pure functions of a file path (plus limits) whose
events are plain picklable data, so the same ``process_file`` runs in this
process, in a process pool, or later on a cluster. Only this module's writer
loop talks to SQLite, one transaction per batch; a source file is marked
complete in the same or a later transaction than its last document, so a
killed run loses nothing it committed and a re-run resumes where it stopped.
"""

from __future__ import annotations

import glob
import hashlib
import multiprocessing
import os
import queue
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TextIO

from . import __version__
from .corrections import apply_corrections
from .errors import DocumentTimeout, ExtractorError
from .extraction import extraction_version
from .interchange import interchange_record, write_jsonl_line
from .readers import detect_format, read_path
from .readers.base import Limits
from .store import Store
from .types import Document, Failure, StudyUnit

# Files a folder walk passes over: repository housekeeping, not literature.
HOUSEKEEPING = {"readme", "license", "licence", "provenance", "index", "changelog", "manifest", "notice"}

Event = tuple[Any, ...]


@dataclass
class ExtractOptions:
    """How a run reads and writes."""

    force: bool = False
    workers: int = 1
    limits: Limits = field(default_factory=Limits)
    batch_size: int = 500
    flush_seconds: float = 2.0
    use_models: bool = True  # False: rules alone (for ablations)


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

    @property
    def documents(self) -> int:
        return self.documents_written + self.documents_unchanged

    def counts(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("run_id")
        data.pop("files_failed")
        data.pop("status")
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


# ---------------------------------------------------------------- per file work


@contextmanager
def _alarm(seconds: float) -> Iterator[Callable[[], None]]:
    """A per-document wall-clock limit, as SIGALRM (main thread only; else no limit)."""
    usable = seconds > 0 and hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield lambda: None
        return

    def on_alarm(signum: int, frame: Any) -> None:
        raise DocumentTimeout(f"reading took longer than {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    reset = lambda: signal.setitimer(signal.ITIMER_REAL, seconds)  # noqa: E731
    reset()
    try:
        yield reset
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def process_document(document: Document, use_models: bool = True) -> tuple[Document, list[StudyUnit]]:
    """Everything done to one document after reading: field extraction of its study units."""
    from .extraction import extract_document

    return document, extract_document(document, use_models=use_models)


def process_file(path: str, limits: Limits, use_models: bool = True) -> Iterator[Event]:
    """Events for one file: ("document", Document), ("failure", Failure), then ("done", ...)."""
    fmt: str | None = None
    documents = failures = 0
    try:
        with _alarm(limits.max_seconds) as reset:
            fmt = detect_format(Path(path), limits)
            for item in read_path(path, limits, fmt):
                if isinstance(item, Failure):
                    failures += 1
                    yield ("failure", item)
                else:
                    documents += 1
                    yield ("document", *process_document(item, use_models))
                reset()
    except ExtractorError as error:
        failures += 1
        yield ("failure", Failure(path, error.kind, error.message, error.hint, page=error.page))
    except (OSError, MemoryError, RecursionError) as error:
        failures += 1
        yield ("failure", Failure(path, "io", f"{type(error).__name__}: {error}", "check the file can be read"))
    except Exception as error:  # a bug of ours must not stop the batch either
        failures += 1
        yield ("failure", Failure(path, "internal", f"unexpected {type(error).__name__}: {error}",
                                  "report this file as a bug; the rest of the batch went on"))
    status = "complete" if not failures else ("partial" if documents else "failed")
    yield ("done", path, fmt, documents, failures, status)


def _worker(tasks: Any, results: Any, limits: Limits, worker_id: int, use_models: bool = True) -> None:
    """A worker process: read files from ``tasks``, send event lists to ``results``."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    while True:
        path = tasks.get()
        if path is None:
            return
        results.put([("start", worker_id, path)])
        chunk: list[Event] = []
        for event in process_file(path, limits, use_models):
            chunk.append(event)
            if len(chunk) >= 50 or event[0] == "done":
                results.put(chunk)
                chunk = []


def _local_events(paths: list[str], limits: Limits, use_models: bool = True) -> Iterator[list[Event]]:
    for path in paths:
        yield [("start", 0, path)]
        chunk: list[Event] = []
        for event in process_file(path, limits, use_models):
            chunk.append(event)
            if len(chunk) >= 50:
                yield chunk
                chunk = []
        if chunk:
            yield chunk


def _pool_events(paths: list[str], limits: Limits, workers: int, notice: Callable[[str], None],
                 use_models: bool = True) -> Iterator[list[Event]]:
    """Events from a pool of worker processes; a worker that dies is reported and replaced."""
    context = multiprocessing.get_context("spawn")
    tasks = context.Queue()
    results = context.Queue(maxsize=8 * workers)
    for path in paths:
        tasks.put(path)
    for _ in range(workers):
        tasks.put(None)
    processes: dict[int, Any] = {}
    current: dict[int, str | None] = {}
    next_id = 0

    def spawn() -> None:
        nonlocal next_id
        process = context.Process(target=_worker, args=(tasks, results, limits, next_id, use_models), daemon=True)
        process.start()
        processes[next_id] = process
        current[next_id] = None
        next_id += 1

    for _ in range(workers):
        spawn()
    remaining = len(paths)
    try:
        while remaining:
            try:
                chunk = results.get(timeout=0.5)
            except queue.Empty:
                for worker_id, process in list(processes.items()):
                    if process.is_alive():
                        continue
                    del processes[worker_id]
                    path = current.pop(worker_id, None)
                    if path is not None and process.exitcode != 0:
                        failure = Failure(path, "crash", f"the reader crashed (worker exit code {process.exitcode})",
                                          "report this file as a bug; the rest of the batch went on")
                        yield [("failure", failure), ("done", path, None, 0, 1, "failed")]
                        remaining -= 1
                        spawn()
                        tasks.put(None)
                if not processes and remaining:
                    notice("all workers stopped before the batch ended")
                    return
                continue
            for event in chunk:
                if event[0] == "start":
                    current[event[1]] = event[2]
                elif event[0] == "done":
                    remaining -= 1
                    for worker_id, path in current.items():
                        if path == event[1]:
                            current[worker_id] = None
            yield chunk
    finally:
        for process in processes.values():
            if process.is_alive():
                process.terminate()
        for process in processes.values():
            process.join(timeout=5)


# ---------------------------------------------------------------- the run


class _Writer:
    """Collects events and writes them in batches, one transaction each."""

    def __init__(self, store: Store, run_id: int, options: ExtractOptions, summary: RunSummary,
                 progress: Progress, jsonl: TextIO | None, sizes: dict[str, tuple[int, str]]):
        self.store, self.run_id, self.options = store, run_id, options
        self.summary, self.progress, self.jsonl, self.sizes = summary, progress, jsonl, sizes
        self.documents: list[Document] = []
        self.failures: list[Failure] = []
        self.sources: list[dict[str, Any]] = []
        self.claimed: dict[str, str] = {}  # doc_id -> source path, for this run
        self.pending_studies: list[list[StudyUnit]] = []
        self.last_flush = time.monotonic()

    def handle(self, event: Event) -> None:
        kind = event[0]
        if kind == "document":
            self.documents.append(event[1])
            self.pending_studies.append(event[2])
        elif kind == "failure":
            self.failures.append(event[1])
            self.summary.failures += 1
            self.progress.failure(event[1])
        elif kind == "done":
            _, path, fmt, documents, failures, status = event
            size, sha = self.sizes[path]
            self.sources.append({"path": path, "sha256": sha, "size": size, "format": fmt,
                                 "documents": documents, "failures": failures, "status": status,
                                 "extraction_version": extraction_version(self.options.use_models)})
            if status == "failed":
                self.summary.files_failed += 1
            self.progress.file_done(path, size, documents)
        if len(self.documents) >= self.options.batch_size or (
            time.monotonic() - self.last_flush > self.options.flush_seconds and (self.documents or self.sources)
        ):
            self.flush()

    def flush(self) -> None:
        documents = self._unique_ids(self.documents)
        studies = {d.doc_id: units for d, units in zip(documents, self.pending_studies, strict=True)}
        stored = {} if self.options.force else self.store.stored_hashes(d.doc_id for d in documents)
        version = extraction_version(self.options.use_models)
        changed = [d for d in documents if stored.get(d.doc_id) != (d.content_hash, version)]
        self.store.write_batch(changed, self.failures, self.sources, self.run_id, studies, version)
        self.summary.documents_written += len(changed)
        self.summary.documents_unchanged += len(documents) - len(changed)
        if self.jsonl is not None:
            corrections = self.store.corrections_for(d.doc_id for d in documents)
            for document in documents:
                # What was just written, with annotators' corrections on top: humans win.
                units = apply_corrections(studies[document.doc_id], corrections.get(document.doc_id, []))
                write_jsonl_line(self.jsonl, interchange_record(document, units))
        self.progress.documents(len(documents))
        self.documents, self.failures, self.sources, self.pending_studies = [], [], [], []
        self.last_flush = time.monotonic()

    def _unique_ids(self, documents: list[Document]) -> list[Document]:
        """Two input files with the same name must not overwrite each other's documents."""
        if not documents:
            return documents
        ids = [d.doc_id for d in documents]
        marks = ",".join("?" * len(ids))
        owners = {row["doc_id"]: row["source_path"] for row in self.store.db.query(
            f"select doc_id, source_path from documents where doc_id in ({marks})", ids)}
        for document in documents:
            base, number = document.doc_id, 1
            while True:
                owner = self.claimed.get(document.doc_id) or owners.get(document.doc_id)
                if owner is None or owner == document.source_path:
                    break
                number += 1
                document.doc_id = f"{base}~{number}"
                if document.doc_id not in owners:
                    row = next(iter(self.store.db.query(
                        "select source_path from documents where doc_id = ?", [document.doc_id])), None)
                    if row:
                        owners[document.doc_id] = row["source_path"]
            if number > 1:
                self.progress.notice(f"{document.source_path}: doc_id {base} is taken by another file; "
                                     f"stored as {document.doc_id}")
            self.claimed[document.doc_id] = document.source_path
        return documents


def run_extract(inputs: list[str], store: Store, options: ExtractOptions | None = None,
                progress: Progress | None = None, jsonl: TextIO | None = None) -> RunSummary:
    """Read every input file into the store; the function behind ``extractor extract``."""
    options = options or ExtractOptions()
    progress = progress or Progress()
    started = time.monotonic()
    files, missing = discover(inputs)
    option_record = {"force": options.force, "workers": options.workers, "use_models": options.use_models,
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
        if options.workers > 1 and len(to_read) > 1:
            chunks = _pool_events(to_read, options.limits, min(options.workers, len(to_read)), progress.notice,
                                  options.use_models)
        else:
            chunks = _local_events(to_read, options.limits, options.use_models)
        for chunk in chunks:
            for event in chunk:
                writer.handle(event)
    except KeyboardInterrupt:
        status = "interrupted"
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
