"""A run: find the input files, skip those already read, send the rest through an executor to the writer.

The function behind ``extractor extract``. Dependencies point one way:
``run`` -> ``executors`` -> ``tasks`` -> ``events``, and ``run`` -> ``writer``.
"""

from __future__ import annotations

import itertools
import time
from contextlib import suppress
from dataclasses import asdict
from pathlib import Path
from typing import TextIO

from .. import __version__
from ..errors import ExtractorError
from ..extract.version import extraction_version
from ..interchange import interchange_record, write_jsonl_line
from ..readers import detect_format
from ..store import Store
from ..types import Failure
from . import executors
from .discovery import discover, file_sha256
from .events import Failed
from .options import ExtractOptions, NothingToRead, Progress, RunCutShort, RunSummary
from .sizing import expected_records
from .tasks import plan_tasks
from .writer import Writer

IN_PROCESS_TASKS = 32  # a one-worker run of at most this many tasks extracts in this process


COUNTED_FILES = 20  # records are counted ahead (for the ETA) in runs of at most this many files


def _expected_records(paths: list[str], options: ExtractOptions) -> int | None:
    """About how many records a run of a few files holds (a byte scan each); None when any is not known."""
    if not paths or len(paths) > COUNTED_FILES:
        return None
    total = 0
    for path in paths:
        fmt = None
        with suppress(ExtractorError, OSError):
            fmt = detect_format(Path(path), options.limits)
        count = expected_records(Path(path), fmt)
        if count is None:
            return None
        total += count
    return total


def run_extract(inputs: list[str], store: Store, options: ExtractOptions | None = None,
                progress: Progress | None = None, jsonl: TextIO | None = None) -> RunSummary:
    """Read every input file into the store; the function behind ``extractor extract``."""
    options = options or ExtractOptions()
    progress = progress or Progress()
    started = time.monotonic()
    store.mark_interrupted_runs()  # runs killed outright (kill -9, power cut) before this one starts
    empty: list[str] = []
    files, missing = discover(inputs, options.follow_links, store.own_files(), progress.notice, empty)
    named_missing = [line for line in empty if line.endswith("no such file or folder")]
    if not files and empty and not named_missing and all(failure.kind == "not_found" for failure in missing):
        raise NothingToRead(empty)  # an empty folder, a glob matching nothing: no run is recorded
    for line in empty:
        if line not in named_missing and "matches" not in line:
            progress.notice(line)  # an empty folder among other inputs (a missing path is a failure already)
    option_record = {"force": options.force, "workers": options.workers, "use_models": options.use_models,
                     "executor": options.executor, "scheduler": options.scheduler, "out_parquet": options.parquet_dir,
                     **asdict(options.limits)}
    run_id = store.start_run("extract", option_record, inputs, __version__)
    summary = RunSummary(run_id=run_id, files_seen=len(files))
    sizes: dict[str, tuple[int, str]] = {}
    to_read: list[str] = []
    skipped_sources: list[str] = []
    known_sources = store.sources_of(str(path) for path in files)
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
        known = known_sources.get(key)
        if (not options.force and known and known["sha256"] == sha and known["status"] == "complete"
                and known.get("extraction_version") == extraction_version(options.use_models)):
            skipped_sources.append(key)
        else:
            to_read.append(key)
    writer = Writer(store, run_id, options, summary, progress, jsonl, sizes)
    for failure in missing:
        writer.handle(Failed(failure))
    progress.start(len(to_read), sum(sizes[p][0] for p in to_read))
    expected = _expected_records(to_read, options)
    if expected is not None:
        progress.records_expected(expected)
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
        version = extraction_version(options.use_models)
        resumable = (set() if options.force or options.parquet_dir is not None
                     else store.sources_with_documents(to_read))  # one query for the run, not two per file

        def kept_of(path: str) -> frozenset[tuple[str, str]]:
            """The file's records stored already by this extraction version (a run stopped part-way through it)."""
            if path not in resumable:
                return frozenset()
            stored = store.stored_hashes(store.doc_ids_for_source(path))
            return frozenset((doc_id, content) for doc_id, (content, made_by) in stored.items() if made_by == version)

        tasks = plan_tasks(to_read, options.limits, options.chunk_records, kept_of)
        # Worker processes pay off for two tasks or more; with one worker, only for a long run, where the
        # worker (recycled now and then) keeps this process's memory flat and the writer runs beside it.
        ahead = list(itertools.islice(tasks, IN_PROCESS_TASKS + 1))
        pool = len(ahead) > 1 if options.workers > 1 else len(ahead) > IN_PROCESS_TASKS
        events = executors.task_events(itertools.chain(ahead, tasks), options, run_id, progress.notice, parallel=pool,
                                       total_files=len(to_read), size_of=lambda path: sizes[path][0])
        for chunk in events:
            for event in chunk:
                writer.handle(event)
    except RunCutShort as error:
        progress.notice(f"the run stopped: {error}")
        status = "incomplete"
    except KeyboardInterrupt:
        status = "interrupted"
        raise
    except Exception:
        status = "failed"  # e.g. the Dask scheduler cannot be reached
        raise
    finally:
        with suppress(Exception):
            writer.flush()
        # Complete only when every file to read was read to its end: its documents stored or its failure recorded.
        summary.files_unread = len(to_read) - summary.files_read
        if status == "complete" and summary.files_unread:
            status = "incomplete"
        if status == "incomplete":
            progress.notice(f"{summary.files_unread} of {len(to_read)} files were not read to their end; "
                            "run the same command again to read them")
        summary.duration_s = round(time.monotonic() - started, 3)
        summary.status = status
        store.finish_run(run_id, summary.counts(), status)
    return summary
