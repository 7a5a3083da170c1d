"""The one writer of a run: events in, one SQLite transaction per batch.

A source file is marked complete in the same or a later transaction than its
last document, so a killed run loses nothing it committed and a re-run resumes
where it stopped. The writer holds one batch at a time: memory stays flat as
the corpus grows. PubMed update files are honoured: a newer version of a record
(same PMID, later file) replaces the older one, and DeleteCitation marks it
deleted.
"""

from __future__ import annotations

import time
from typing import Any, TextIO

from ..extract.version import extraction_version
from ..interchange import interchange_record, write_jsonl_line
from ..store import PreparedRecord, Store, record_file
from ..types import Failure
from .events import DocumentDone, DocumentKept, Event, Failed, PartWritten, RecordsDeleted, TaskDone
from .options import ExtractOptions, Progress, RunSummary


class Writer:
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
        self.kept: list[str] = []  # doc_ids read again and found stored unchanged (not extracted again)
        self.failures: list[Failure] = []
        self.sources: list[dict[str, Any]] = []
        self.deletions: list[tuple[str, list[str]]] = []
        self.files: dict[str, list[Any]] = {}  # path -> [format, documents, failures, chunks done]
        self.claimed: dict[str, str] = {}  # doc_id -> source path, within the current batch
        self.last_flush = time.monotonic()

    def handle(self, event: Event) -> None:
        """Take one event; write the batch once it is full or has waited ``flush_seconds``."""
        if isinstance(event, DocumentDone):
            self.records.append(event.record)
        elif isinstance(event, DocumentKept):
            self.kept.append(event.doc_id)
        elif isinstance(event, PartWritten):
            self.summary.documents_written += event.documents
            self.progress.documents(event.documents)
        elif isinstance(event, Failed):
            self.failures.append(event.failure)
            self.summary.failures += 1
            self.progress.failure(event.failure)
        elif isinstance(event, RecordsDeleted):
            self.deletions.append((event.path, event.pmids))
        elif isinstance(event, TaskDone):
            self._file_part_done(event)
        if len(self.records) + len(self.kept) >= self.options.batch_size or (
            time.monotonic() - self.last_flush > self.options.flush_seconds
            and (self.records or self.kept or self.sources or self.failures or self.deletions)
        ):
            self.flush()

    def _file_part_done(self, done: TaskDone) -> None:
        path = done.path
        state = self.files.setdefault(path, [None, 0, 0, 0, 0])  # format, documents, failures, pieces done, of
        state[0] = state[0] or done.format
        state[1] += done.documents
        state[2] += done.failures
        state[3] += 1
        state[4] = done.chunks or state[4]  # known once the file's last piece is done
        if not state[4] or state[3] < state[4]:
            return
        del self.files[path]
        self.summary.files_read += 1
        fmt, documents, failures = state[0], state[1], state[2]
        status = "complete" if not failures else ("partial" if documents else "failed")
        size, sha = self.sizes[path]
        self.sources.append({"path": path, "sha256": sha, "size": size, "format": fmt, "documents": documents,
                             "failures": failures, "status": status, "extraction_version": self.version})
        if status == "failed":
            self.summary.files_failed += 1
        self.progress.file_done(path, size, documents)

    def flush(self) -> None:
        """Write what the batch holds in one transaction, and the JSONL lines of its records."""
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
        self.summary.documents_unchanged += len(self.kept)
        if self.jsonl is not None:
            self._write_jsonl(records)
            self._write_kept_jsonl(self.kept)
        self.progress.documents(len(self.records) + len(self.kept))
        self.records, self.kept, self.failures, self.sources, self.deletions = [], [], [], [], []
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

    def _write_kept_jsonl(self, doc_ids: list[str]) -> None:
        """The JSONL lines of records stored unchanged, as stored (with annotators' corrections)."""
        for doc_id in doc_ids:
            document = self.store.document(doc_id)
            if document is not None:
                write_jsonl_line(self.jsonl, interchange_record(document, self.store.studies(doc_id)))

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
        for record, base in self.store.claim_doc_ids(records, self.claimed):
            self.progress.notice(f"{record.source_path}: doc_id {base} is taken by another file; "
                                 f"stored as {record.doc_id}")
        return records
