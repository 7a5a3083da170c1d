"""The SQLite store: schema by migrations, one writer, batches in transactions.

Tables: ``runs`` (one row per extract run), ``sources`` (one row per input
file, with its content hash, so unchanged files are skipped), ``documents``
(canonical text, metadata, full-text search over title and abstract),
``identifiers`` (DOIs, PMIDs, registrations with their spans) and ``failures``, then
studies, extracted values, corrections and the review app's tables.

The store owns its SQL: other modules call its methods and never touch the connection
(``tests/test_store_boundary.py``). The ``triage_`` tables are ``store_triage``'s.
"""

from __future__ import annotations

import json
import os
import re
import socket
import sqlite3
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, TypeVar

from .errors import ExtractorError
from .types import (
    Correction,
    Document,
    ExtractedValue,
    Failure,
    Identifier,
    Metadata,
    Page,
    Section,
    StudyUnit,
)

# sqlite_utils imports pandas, when it is installed, only to type pandas.Timestamp columns, which the store
# never inserts; hidden while it loads, it saves a third of a second at every start (each worker's too).
_HIDE_PANDAS = "pandas" not in sys.modules
if _HIDE_PANDAS:
    sys.modules["pandas"] = None  # type: ignore[assignment]  # import pandas raises ImportError meanwhile
try:
    import sqlite_utils  # noqa: E402
    from sqlite_utils import Migrations  # noqa: E402
finally:
    if _HIDE_PANDAS:
        del sys.modules["pandas"]  # whoever imports pandas later gets it

migrations = Migrations("extractor")

# The driver's exceptions, for the callers that turn them into one line (only the store imports sqlite3).
SQLiteError = sqlite3.Error
SQLiteDatabaseError = sqlite3.DatabaseError


@migrations()
def m001_documents(db: sqlite_utils.Database) -> None:
    db["runs"].create(
        {
            "id": int,
            "started_at": str,
            "finished_at": str,
            "version": str,
            "command": str,
            "options": str,
            "inputs": str,
            "files_seen": int,
            "files_skipped": int,
            "documents_written": int,
            "documents_unchanged": int,
            "failures": int,
            "duration_s": float,
            "status": str,
        },
        pk="id",
    )
    db["sources"].create(
        {
            "path": str,
            "sha256": str,
            "size": int,
            "format": str,
            "documents": int,
            "failures": int,
            "status": str,  # complete | failed | partial
            "run_id": int,
            "updated_at": str,
        },
        pk="path",
        foreign_keys=[("run_id", "runs", "id")],
    )
    db["documents"].create(
        {
            "doc_id": str,
            "source_path": str,
            "format": str,
            "record_index": int,
            "title": str,
            "abstract": str,
            "text": str,
            "title_start": int,
            "title_end": int,
            "abstract_start": int,
            "abstract_end": int,
            "sections": str,
            "pages": str,
            "authors": str,
            "year": int,
            "journal": str,
            "doi": str,
            "pmid": str,
            "pmcid": str,
            "publication_types": str,
            "keywords": str,
            "metadata": str,
            "warnings": str,
            "content_hash": str,
            "run_id": int,
            "created_at": str,
            "updated_at": str,
        },
        pk="doc_id",
        foreign_keys=[("run_id", "runs", "id")],
    )
    db["documents"].create_index(["source_path"])
    db["documents"].create_index(["doi"])
    db["documents"].create_index(["pmid"])
    db["documents"].enable_fts(["title", "abstract"], create_triggers=True, tokenize="porter")
    db["identifiers"].create(
        {"id": int, "doc_id": str, "scheme": str, "value": str, "start": int, "end": int, "source": str},
        pk="id",
        foreign_keys=[("doc_id", "documents", "doc_id")],
    )
    db["identifiers"].create_index(["doc_id"])
    db["identifiers"].create_index(["scheme", "value"])
    db["failures"].create(
        {
            "id": int,
            "run_id": int,
            "path": str,
            "record": str,
            "page": int,
            "kind": str,
            "message": str,
            "hint": str,
            "created_at": str,
        },
        pk="id",
        foreign_keys=[("run_id", "runs", "id")],
    )
    db["failures"].create_index(["run_id"])


@migrations()
def m002_studies_and_values(db: sqlite_utils.Database) -> None:
    db["studies"].create(
        {
            "study_id": str,  # "<doc_id>#<index>"
            "doc_id": str,
            "study_index": int,
            "label": str,
            "start": int,
            "end": int,
            "run_id": int,
            "extraction_version": str,
        },
        pk="study_id",
        foreign_keys=[("doc_id", "documents", "doc_id"), ("run_id", "runs", "id")],
    )
    db["studies"].create_index(["doc_id"])
    db["documents"].add_column("extraction_version", str)
    db["sources"].add_column("extraction_version", str)
    db["extracted_values"].create(
        {
            "id": int,
            "study_id": str,
            "doc_id": str,
            "field": str,
            "value": str,  # JSON
            "start": int,
            "end": int,
            "evidence": str,
            "confidence": float,
            "source": str,
            "chosen": int,
            "role": str,
            "attributes": str,  # JSON
            "run_id": int,
        },
        pk="id",
        foreign_keys=[("study_id", "studies", "study_id")],
    )
    db["extracted_values"].create_index(["study_id", "field"])
    db["extracted_values"].create_index(["doc_id"])
    db["extracted_values"].create_index(["field", "chosen"])
    # Typed views for joins downstream (synthesis, triage, review app).
    db.execute("""
        create view sample_sizes as
        select id as value_id, study_id, doc_id, chosen, role,
               json_extract(value, '$.n') as n, json_extract(value, '$.unit') as unit,
               json_extract(attributes, '$.arm') as arm, start, "end", evidence, confidence, source
        from extracted_values where field = 'sample_size'""")
    db.execute("""
        create view outcomes as
        select id as value_id, study_id, doc_id, chosen, role as priority,
               json_extract(value, '$') as name, json_extract(attributes, '$.instrument') as instrument,
               json_extract(attributes, '$.construct') as construct,
               json_extract(attributes, '$.timepoints') as timepoints, start, "end", evidence, confidence, source
        from extracted_values where field = 'outcome'""")
    db.execute("""
        create view effects as
        select id as value_id, study_id, doc_id, chosen,
               json_extract(value, '$.measure') as measure, json_extract(value, '$.value') as value,
               json_extract(value, '$.ci[0]') as ci_low, json_extract(value, '$.ci[1]') as ci_high,
               json_extract(value, '$.p') as p, json_extract(attributes, '$.p_operator') as p_operator,
               json_extract(attributes, '$.adjusted') as adjusted, json_extract(attributes, '$.outcome') as outcome,
               json_extract(attributes, '$.comparison') as comparison, start, "end", evidence, confidence, source
        from extracted_values where field = 'effect'""")
    db.execute("""
        create view designs as
        select id as value_id, study_id, doc_id, chosen, json_extract(value, '$') as design,
               start, "end", evidence, confidence, source
        from extracted_values where field = 'design'""")


@migrations()
def m003_corrections(db: sqlite_utils.Database) -> None:
    db["corrections"].create(
        {
            "id": int,
            "doc_id": str,
            "study_index": int,
            "field": str,
            "value_before": str,  # JSON; null when the annotator added a value
            "value_after": str,  # JSON; null when the annotator rejected the value
            "start": int,
            "end": int,
            "annotator": str,
            "created_at": str,
            "run_id": int,
            "model_versions": str,  # JSON
            "reason": str,
        },
        pk="id",
    )
    db["corrections"].create_index(["doc_id"])
    # Append-only: the rows a correction writes can never be changed or removed.
    db.execute("""create trigger corrections_no_update before update on corrections
                  begin select raise(abort, 'corrections are append-only'); end""")
    db.execute("""create trigger corrections_no_delete before delete on corrections
                  begin select raise(abort, 'corrections are append-only'); end""")


@migrations()
def m004_review(db: sqlite_utils.Database) -> None:
    """The review app: undo, a decision log filled by trigger, reviewed marks and consensus decisions."""
    # An undo is a new row naming the correction it reverts; both then stop applying.
    db["corrections"].add_column("undoes", int)
    db["corrections"].create_index(["undoes"])
    # What each correction did, written by the database itself (ASReview's decision_changes).
    db["decision_changes"].create(
        {"id": int, "correction_id": int, "doc_id": str, "study_index": int, "field": str, "action": str,
         "annotator": str, "created_at": str},
        pk="id",
    )
    db["decision_changes"].create_index(["doc_id"])
    db.execute("""create trigger corrections_decision_log after insert on corrections
                  begin insert into decision_changes
                    (correction_id, doc_id, study_index, field, action, annotator, created_at)
                  values (new.id, new.doc_id, new.study_index, new.field,
                    case when new.undoes is not null then 'undo'
                         when new.value_before is null then 'add'
                         when new.value_after is null then 'reject'
                         when new.value_before = new.value_after then 'accept'
                         else 'edit' end,
                    new.annotator, new.created_at); end""")
    # An annotator marks a document reviewed (status "done") or opens it again ("reopened").
    db["reviews"].create({"id": int, "doc_id": str, "annotator": str, "status": str, "created_at": str}, pk="id")
    db["reviews"].create_index(["doc_id", "annotator"])
    # A settled disagreement between annotators: the value agreed (JSON), who settled it, between whom.
    db["consensus"].create(
        {"id": int, "doc_id": str, "study_index": int, "field": str, "value": str, "annotator": str,
         "annotators": str, "created_at": str},
        pk="id",
    )
    db["consensus"].create_index(["doc_id"])
    for table in ("decision_changes", "reviews", "consensus"):
        for event in ("update", "delete"):
            db.execute(f"""create trigger {table}_no_{event} before {event} on {table}
                           begin select raise(abort, '{table} is append-only'); end""")


@migrations()
def m005_scale(db: sqlite_utils.Database) -> None:
    """PubMed update files: which version of a record is stored, and records deleted by a later file."""
    # "<file name>#<record number>": a record from a later file (or later in one file) is the newer version.
    db["documents"].add_column("record_version", str)
    db["documents"].add_column("deleted_at", str)
    db["documents"].add_column("deleted_by", str)  # the update file whose DeleteCitation named the record
    db["deletions"].create(
        {"pmid": str, "source_path": str, "file_name": str, "run_id": int, "created_at": str},
        pk=("pmid", "source_path"),
    )


@migrations()
def m006_run_owner(db: sqlite_utils.Database) -> None:
    """Which process runs a run, so a later run can tell a run killed outright from one still going."""
    db["runs"].add_column("pid", int)
    db["runs"].add_column("host", str)
    db["runs"].add_column("process_started", str)  # the kernel's start time of ``pid``: a reused pid is told apart


@migrations()
def m007_correction_parts(db: sqlite_utils.Database) -> None:
    """A correction keeps its value's role and where its evidence comes from; the ``effects`` view gives each
    estimate's stored outcome link (the outcome as the study names it), the phrase it was read from beside it."""
    db["corrections"].add_column("role", str)
    db["corrections"].add_column("evidence", str)  # "selection", "kept" or "by hand" (types.Correction)
    db.execute("drop view if exists effects")
    db.execute("""
        create view effects as
        select id as value_id, study_id, doc_id, chosen,
               json_extract(value, '$.measure') as measure, json_extract(value, '$.value') as value,
               json_extract(value, '$.ci[0]') as ci_low, json_extract(value, '$.ci[1]') as ci_high,
               json_extract(value, '$.p') as p, json_extract(attributes, '$.p_operator') as p_operator,
               json_extract(attributes, '$.adjusted') as adjusted, json_extract(value, '$.outcome') as outcome,
               json_extract(attributes, '$.outcome') as outcome_phrase,
               json_extract(attributes, '$.comparison') as comparison, start, "end", evidence, confidence, source
        from extracted_values where field = 'effect'""")


@migrations()
def m008_identifier_role(db: sqlite_utils.Database) -> None:
    """Whose an identifier is: null or "own" for the document's, "cited" for one in its reference list."""
    db["identifiers"].add_column("role", str)


class _HasSource(Protocol):
    doc_id: str
    source_path: str


Owned = TypeVar("Owned", bound=_HasSource)  # a record that names its doc_id and the file it came from


def now() -> str:
    """The time stamp of every stored row (runs, corrections, decisions, exports): UTC, to the second."""
    return datetime.now(UTC).isoformat(timespec="seconds")


_FTS_PIECE = re.compile(r'"[^"]*"|[^\s"]+')


def _fts_phrases(query: str) -> str:
    """A search box's text as FTS5 phrases: "quoted words" stay one phrase, every other word is one, a stray
    quote is dropped. FTS5 reads its query up to a NUL and fails on an empty one, so neither reaches it."""
    pieces = [piece.strip('"') for piece in _FTS_PIECE.findall(query.replace("\x00", " "))]
    return " ".join(f'"{piece}"' for piece in pieces if piece.strip()) or '""'  # '""' matches nothing


# A correction in force: neither an undo nor undone (m004).
_ACTIVE_CORRECTION = "undoes is null and id not in (select undoes from corrections where undoes is not null)"

# How long a connection waits for another's write transaction before SQLite gives up with "database is locked".
# A batch writer holds the lock for one batch at a time (well under a second); a minute leaves room for slow disks.
BUSY_TIMEOUT_MS = 60_000
# Writes a person waits on (corrections, reviews) are tried this many times more when the lock still is not free.
LOCKED_RETRIES = 3


class DatabaseBusy(ExtractorError):
    """The database stayed locked by another process for longer than the store waits."""

    kind = "database_busy"
    hint = "another process holds the database; nothing was recorded, so try again when it is done"


def is_locked(error: BaseException) -> bool:
    """Whether a driver error means another connection holds the lock (worth waiting for, not a bad database)."""
    return isinstance(error, sqlite3.OperationalError) and (
        "locked" in str(error) or "busy" in str(error))


def _process_start(pid: int) -> str | None:
    """The kernel's start time of a process (Linux ``/proc``), which tells a reused pid apart; None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return None if fields[0] == "Z" else fields[19]  # a zombie has ended: only its exit status is left


def _process_alive(pid: int, started: str | None) -> bool:
    """Whether process ``pid`` of this host, started at ``started`` (when known), is still running."""
    if os.name == "nt":
        return True  # os.kill(pid, 0) would end the process there: never mark a run we cannot check
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        pass  # PermissionError: it exists, under another user
    if Path("/proc").is_dir():
        now_started = _process_start(pid)
        if now_started is None:
            return False  # gone between the two checks, or a zombie
        return started is None or now_started == started
    return True


class Store:
    """The project's SQLite database.

    Several processes may use it at once (two batches, the review app, ``extractor correct``): WAL lets
    readers go on beside the one writer, every write transaction takes the write lock when it begins
    (``_writing``), and a connection waits up to ``BUSY_TIMEOUT_MS`` for it.
    """

    def __init__(self, path: Path | str):
        self.path = str(path)
        self.db = sqlite_utils.Database(self.path)
        self.db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA foreign_keys=ON")
        if migrations.pending(self.db):
            # Under the write lock: two processes opening a database at once must not both migrate it.
            with self._writing():
                migrations.apply(self.db)

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """One write transaction that holds the write lock from its first statement (``BEGIN IMMEDIATE``).

        A deferred transaction that reads first and writes later cannot wait for the lock: when another
        connection committed in between, SQLite answers "database is locked" at once, whatever the busy
        timeout. Taking the lock up front lets the busy timeout do its work. Nested: a savepoint.
        """
        if self.db.conn.in_transaction:
            with self.db.atomic():
                yield
            return
        self.db.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
            self.db.conn.execute("COMMIT")
        except BaseException:
            if self.db.conn.in_transaction:
                self.db.conn.execute("ROLLBACK")
            raise

    def _patiently(self, write: Callable[[], Any], what: str) -> Any:
        """Run a write a person waits on; when the lock stays taken past the busy timeout, try again.

        A correction or review mark is never dropped because a batch was writing: after
        ``LOCKED_RETRIES`` more waits it is refused as ``DatabaseBusy``, with nothing half-written.
        """
        for attempt in range(LOCKED_RETRIES + 1):
            try:
                return write()
            except sqlite3.OperationalError as error:
                if not is_locked(error):
                    raise
                if attempt == LOCKED_RETRIES:
                    raise DatabaseBusy(f"{self.path}: the database stayed locked; the {what} was not recorded") \
                        from None
                time.sleep(0.05 * 2**attempt)
        raise AssertionError("unreachable")

    # integrity
    def own_files(self) -> list[Path]:
        """The files SQLite keeps for this database (itself, its WAL, shared memory and rollback journal)."""
        base = Path(self.path)
        return [base, *(base.with_name(base.name + suffix) for suffix in ("-wal", "-shm", "-journal"))]

    def integrity_problem(self) -> str | None:
        """What ``PRAGMA quick_check`` finds wrong with the database file; None when it is sound."""
        try:
            rows = [row[0] for row in self.db.execute("PRAGMA quick_check(3)").fetchall()]
        except sqlite3.DatabaseError as error:
            return str(error)
        if rows == ["ok"]:
            return None
        lines = [line for row in rows for line in str(row).splitlines() if line and not line.startswith("***")]
        return "; ".join(lines) or "quick_check failed"

    # runs
    def start_run(self, command: str, options: dict[str, Any], inputs: list[str], version: str) -> int:
        """Record the start of a run, with the process running it, and return its id."""
        pid = os.getpid()
        with self._writing():
            table = self.db["runs"]
            table.insert(
                {
                    "started_at": now(),
                    "version": version,
                    "command": command,
                    "options": json.dumps(options, sort_keys=True),
                    "inputs": json.dumps(inputs),
                    "status": "running",
                    "pid": pid,
                    "host": socket.gethostname(),
                    "process_started": _process_start(pid),
                }
            )
            return int(table.last_pk)

    def finish_run(self, run_id: int, counts: dict[str, Any], status: str) -> None:
        """Record a run's counts and how it ended."""
        with self._writing():
            self.db["runs"].update(run_id, {**counts, "finished_at": now(), "status": status})

    def mark_interrupted_runs(self) -> list[int]:
        """Mark ``interrupted`` the runs still ``running`` whose process on this host is gone; returns their ids.

        A run killed outright (``kill -9``, a power cut) never records how it ended. A run whose process
        is alive (another batch on this database now) or that ran on another host, or before runs
        recorded their process, is left as it is: only a run known to be dead is marked.
        """
        host = socket.gethostname()
        with self._writing():
            dead = [row["id"] for row in self.db.query(
                "select id, pid, process_started from runs where status = 'running' and host = ? "
                "and pid is not null", [host]) if not _process_alive(row["pid"], row["process_started"])]
            for run_id in dead:
                self.db.execute("update runs set status = 'interrupted' where id = ?", [run_id])
        return dead

    # sources
    def source(self, path: str) -> dict[str, Any] | None:
        """The stored state of an input file, or None when it was never seen."""
        rows = list(self.db.query("select * from sources where path = ?", [path]))
        return rows[0] if rows else None

    def sources_of(self, paths: Iterable[str]) -> dict[str, dict[str, Any]]:
        """The stored state of each of ``paths`` that was seen before (one query per 500 paths, not one each)."""
        found: dict[str, dict[str, Any]] = {}
        for chunk, marks in _in_chunks(paths):
            for row in self.db.query(f"select * from sources where path in ({marks})", chunk):
                found[row["path"]] = row
        return found

    def sources_with_documents(self, paths: Iterable[str]) -> set[str]:
        """Which of ``paths`` have documents stored (a run's planner asks for all its files at once)."""
        found: set[str] = set()
        for chunk, marks in _in_chunks(paths):
            found.update(row[0] for row in self.db.conn.execute(
                f"select distinct source_path from documents where source_path in ({marks})", chunk))
        return found

    # documents
    def stored_hashes(self, doc_ids: Iterable[str]) -> dict[str, tuple[str, str]]:
        """(content hash, extraction version) of the given documents that are stored already."""
        found: dict[str, tuple[str, str]] = {}
        for chunk, marks in _in_chunks(doc_ids):
            for row in self.db.query(
                f"select doc_id, content_hash, extraction_version from documents where doc_id in ({marks})", chunk
            ):
                found[row["doc_id"]] = (row["content_hash"], row["extraction_version"])
        return found

    def document(self, doc_id: str) -> Document | None:
        """One stored document, rebuilt as a Document."""
        rows = list(self.db.query("select * from documents where doc_id = ?", [doc_id]))
        if not rows:
            return None
        identifiers = [
            Identifier(row["scheme"], row["value"], row["start"], row["end"], row["source"], row["role"] or "own")
            for row in self.db.query("select * from identifiers where doc_id = ? order by id", [doc_id])
        ]
        return document_from_row(rows[0], identifiers)

    def documents(self, where: str | None = None, params: list[Any] | None = None,
                  include_deleted: bool = False) -> Iterator[Document]:
        """Stored documents in insertion order, optionally filtered by a SQL condition; records a PubMed
        update file deleted are left out unless ``include_deleted``."""
        conditions = [f"({where})"] if where else []
        if not include_deleted:
            conditions.append("deleted_at is null")
        sql = "select * from documents" + (f" where {' and '.join(conditions)}" if conditions else "") + " order by rowid"
        for row in self.db.query(sql, params or []):
            identifiers = [
                Identifier(r["scheme"], r["value"], r["start"], r["end"], r["source"], r["role"] or "own")
                for r in self.db.query("select * from identifiers where doc_id = ? order by id", [row["doc_id"]])
            ]
            yield document_from_row(row, identifiers)

    def studies(self, doc_id: str) -> list[StudyUnit]:
        """A document's study units with every stored value; annotators' corrections are applied on top."""
        units = self.machine_studies(doc_id)
        if not units:
            return units
        from .extract.choice import apply_corrections  # the extraction code, only when a study is read back

        return apply_corrections(units, self.corrections(doc_id))

    def machine_studies(self, doc_id: str) -> list[StudyUnit]:
        """A document's study units with the values extraction stored, before any correction."""
        units: list[StudyUnit] = []
        for row in self.db.query("select * from studies where doc_id = ? order by study_index", [doc_id]):
            values = [
                ExtractedValue(
                    field=v["field"], value=json.loads(v["value"]), start=v["start"], end=v["end"],
                    confidence=v["confidence"], source=v["source"], chosen=bool(v["chosen"]), role=v["role"],
                    attributes=json.loads(v["attributes"] or "{}"),
                )
                for v in self.db.query("select * from extracted_values where study_id = ? order by id",
                                       [row["study_id"]])
            ]
            units.append(StudyUnit(index=row["study_index"], label=row["label"], start=row["start"],
                                   end=row["end"], values=values))
        return units

    def add_correction(self, correction: Correction) -> int:
        """Append an annotator's correction; returns its id (waits for a batch's write lock, never drops it)."""
        return self._patiently(lambda: self._add_correction(correction), "correction")

    def _add_correction(self, correction: Correction) -> int:
        with self._writing():
            table = self.db["corrections"]
            table.insert({
                "doc_id": correction.doc_id, "study_index": correction.study_index, "field": correction.field,
                "value_before": None if correction.value_before is None else json.dumps(correction.value_before),
                "value_after": None if correction.value_after is None else json.dumps(correction.value_after),
                "start": correction.start, "end": correction.end, "annotator": correction.annotator,
                "created_at": correction.created_at, "run_id": correction.run_id,
                "model_versions": json.dumps(correction.model_versions), "reason": correction.reason,
                "role": correction.role, "evidence": correction.evidence,
            })
            return int(table.last_pk)

    def corrections(self, doc_id: str) -> list[Correction]:
        """A document's corrections in the order they were made."""
        return self.corrections_for([doc_id]).get(doc_id, [])

    def corrections_for(self, doc_ids: Iterable[str]) -> dict[str, list[Correction]]:
        """Corrections of several documents (one query per 500), each list in the order made."""
        loads = lambda text: None if text is None else json.loads(text)  # noqa: E731
        ids = list(doc_ids)
        found: dict[str, list[Correction]] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            # An undo row and the correction it reverts both stop applying (m004).
            for row in self.db.query(f"select * from corrections where doc_id in ({marks}) and undoes is null "
                                     "and id not in (select undoes from corrections where undoes is not null) "
                                     "order by id", chunk):
                found.setdefault(row["doc_id"], []).append(Correction(
                    doc_id=row["doc_id"], study_index=row["study_index"], field=row["field"],
                    value_before=loads(row["value_before"]), value_after=loads(row["value_after"]),
                    annotator=row["annotator"], created_at=row["created_at"], run_id=row["run_id"],
                    model_versions=json.loads(row["model_versions"] or "{}"), reason=row["reason"],
                    start=row["start"], end=row["end"], role=row["role"], evidence=row["evidence"]))
        return found

    # review app (m004)
    def correction_rows(self, doc_id: str) -> list[dict[str, Any]]:
        """A document's correction rows oldest first, each with its action and whether it was undone."""
        return list(self.db.query(
            """select c.*, d.action, exists(select 1 from corrections u where u.undoes = c.id) as undone
               from corrections c left join decision_changes d on d.correction_id = c.id
               where c.doc_id = ? order by c.id""", [doc_id]))

    def undo_correction(self, correction_id: int, annotator: str) -> int:
        """Append a row that reverts an earlier correction (which then stops applying); returns its id."""
        return self._patiently(lambda: self._undo_correction(correction_id, annotator), "undo")

    def _undo_correction(self, correction_id: int, annotator: str) -> int:
        from .extract.registry import CorrectionError

        with self._writing():
            rows = list(self.db.query(
                "select *, exists(select 1 from corrections u where u.undoes = c.id) as undone "
                "from corrections c where id = ?", [correction_id]))
            if not rows:
                raise CorrectionError(f"correction {correction_id}: no such correction")
            row = rows[0]
            if row["undoes"] is not None or row["undone"]:
                raise CorrectionError(f"correction {correction_id} is an undo or was undone already",
                                      hint="make the correction again instead")
            table = self.db["corrections"]
            table.insert({
                "doc_id": row["doc_id"], "study_index": row["study_index"], "field": row["field"],
                "value_before": row["value_after"], "value_after": row["value_before"], "start": row["start"],
                "end": row["end"], "annotator": annotator, "created_at": now(), "run_id": row["run_id"],
                "model_versions": row["model_versions"], "reason": f"undo of correction {correction_id}",
                "undoes": correction_id,
            })
            return int(table.last_pk)

    def mark_reviewed(self, doc_id: str, annotator: str, status: str = "done") -> None:
        """Record that an annotator finished a document (``done``) or opened it again (``reopened``)."""
        def mark() -> None:
            with self._writing():
                self.db["reviews"].insert({"doc_id": doc_id, "annotator": annotator, "status": status,
                                           "created_at": now()})

        self._patiently(mark, "review mark")

    def reviewed_documents(self) -> dict[str, set[str]]:
        """For each reviewed document, the annotators whose latest mark on it is ``done``."""
        found: dict[str, set[str]] = {}
        for row in self.db.query(
            """select doc_id, annotator from reviews r where status = 'done' and id =
               (select max(id) from reviews l where l.doc_id = r.doc_id and l.annotator = r.annotator)"""
        ):
            found.setdefault(row["doc_id"], set()).add(row["annotator"])
        return found

    def add_consensus(self, doc_id: str, study_index: int, field: str, value: Any, annotator: str,
                      annotators: list[str]) -> int:
        """Record the value annotators settled on for one field of one study; returns its id."""
        def settle() -> int:
            with self._writing():
                table = self.db["consensus"]
                table.insert({"doc_id": doc_id, "study_index": study_index, "field": field,
                              "value": json.dumps(value, ensure_ascii=False), "annotator": annotator,
                              "annotators": json.dumps(sorted(annotators)), "created_at": now()})
                return int(table.last_pk)

        return self._patiently(settle, "consensus decision")

    def consensus_rows(self) -> list[dict[str, Any]]:
        """Every consensus decision, oldest first."""
        return list(self.db.query("select * from consensus order by id"))

    def doc_ids_for_source(self, path: str) -> list[str]:
        return [row["doc_id"] for row in self.db.query(
            "select doc_id from documents where source_path = ? order by rowid", [path]
        )]

    def doc_ids_like(self, fragment: str, limit: int = 5) -> list[str]:
        """Up to ``limit`` stored doc_ids containing ``fragment`` (suggestions for a doc_id not found)."""
        return [row["doc_id"] for row in self.db.query(
            "select doc_id from documents where doc_id like ? limit ?", [f"%{fragment}%", limit])]

    def has_document(self, doc_id: str) -> bool:
        """Whether a document with this doc_id is stored (deleted ones included)."""
        return next(iter(self.db.query("select 1 from documents where doc_id = ?", [doc_id])), None) is not None

    def extraction_version_of(self, doc_id: str) -> str | None:
        """The extraction version that produced a stored document's values; None when unknown."""
        row = next(iter(self.db.query("select extraction_version v from documents where doc_id = ?", [doc_id])), None)
        return row["v"] if row else None

    def content_hashes(self) -> dict[str, str]:
        """Every stored document's content hash by doc_id."""
        return {row["doc_id"]: row["content_hash"] for row in self.db.query("select doc_id, content_hash from documents")}

    def last_run_id(self) -> int | None:
        """The id of the latest run; None before the first."""
        return next(iter(self.db.query("select max(id) id from runs")), {"id": None})["id"]

    def run_failures(self, run_id: int | None) -> list[dict[str, Any]]:
        """A run's ``failures`` rows in the order they were met."""
        return list(self.db.query("select * from failures where run_id = ? order by id", [run_id]))

    # annotators (corrections and reviews, m003/m004)
    def annotator_names(self) -> list[str]:
        """Everyone who corrected or reviewed a record, in order of first appearance (correctors first)."""
        return [row["annotator"] for row in self.db.query(
            "select annotator from (select annotator, min(id) first from corrections group by annotator "
            "union all select annotator, 1e12 + min(id) from reviews group by annotator) group by annotator "
            "order by min(first)")]

    def corrected_by(self, annotator: str) -> set[str]:
        """The doc_ids an annotator corrected (undone corrections included)."""
        return {row["doc_id"] for row in self.db.query(
            "select distinct doc_id from corrections where annotator = ?", [annotator])}

    def active_correction_authors(self) -> list[tuple[str, str]]:
        """(doc_id, annotator) for every annotator with a correction in force (neither an undo nor undone)."""
        return [(row["doc_id"], row["annotator"]) for row in self.db.query(
            f"select distinct doc_id, annotator from corrections where {_ACTIVE_CORRECTION}")]

    def corrected_documents(self) -> Iterator[Document]:
        """Stored documents with a correction in force, in insertion order."""
        return self.documents(f"doc_id in (select doc_id from corrections where {_ACTIVE_CORRECTION})")

    # the review app's queue
    def review_queue_page(self, annotator: str, q: str = "", design: str = "", field: str = "",
                          reviewed: bool | None = None, limit: int = 50, offset: int = 0
                          ) -> tuple[list[dict[str, Any]], int]:
        """One page of the review queue (lowest confidence first) and how many documents match in all.

        ``q`` is a full-text query over title and abstract; ``field`` keeps documents with a chosen value
        of that field (confidence then counts that field's only); ``reviewed`` keeps documents ``annotator``
        marked done (True) or not (False).
        """
        sql, params = self._review_queue_sql(annotator, q, design, field, reviewed)
        total = next(self.db.query(f"select count(*) n from ({sql})", params))["n"]
        rows = list(self.db.query(f"{sql} limit ? offset ?", [*params, limit, offset]))
        return rows, total

    def review_queue_doc_ids(self, annotator: str, q: str = "", design: str = "", field: str = "",
                             reviewed: bool | None = None) -> list[str]:
        """Every doc_id of the review queue, in queue order (the filters as for ``review_queue_page``)."""
        sql, params = self._review_queue_sql(annotator, q, design, field, reviewed)
        return [row["doc_id"] for row in self.db.query(f"select doc_id from ({sql})", params)]

    def _review_queue_sql(self, annotator: str, q: str, design: str, field: str,
                          reviewed: bool | None) -> tuple[str, list[Any]]:
        # Each figure is one grouped pass over its table, joined by doc_id: correlated subqueries made
        # SQLite scan every value of a field once per document (minutes on 20,000 documents).
        field_clause = "and field = ?" if field else ""
        params: list[Any] = [field] if field else []
        params += [annotator]
        active = "c.undoes is null and not exists (select 1 from corrections u where u.undoes = c.id)"
        sql = f"""
        with confidence as (select doc_id, min(confidence) as confidence from extracted_values
                            where chosen = 1 {field_clause} group by doc_id),
        machine_design as (select doc_id, json_extract(value, '$') as design, min(id) from extracted_values
                           where field = 'design' and chosen = 1 group by doc_id),
        active as (select * from corrections c where {active}),
        corrected_design as (select doc_id, json_extract(value_after, '$') as design, max(id) from active
                             where field = 'design' group by doc_id),
        counted as (select doc_id, count(*) as corrections from active group by doc_id),
        latest as (select doc_id, annotator, status, max(id) from reviews group by doc_id, annotator),
        mine as (select doc_id, status = 'done' as reviewed from latest where annotator = ?),
        reviewers as (select doc_id, group_concat(annotator, ', ') as reviewers from latest
                      where status = 'done' group by doc_id)
        select d.rowid as position, d.doc_id, d.title, d.format, d.year, confidence.confidence,
          case when corrected_design.doc_id is not null then corrected_design.design
               else machine_design.design end as design,
          coalesce(counted.corrections, 0) as corrections, coalesce(mine.reviewed, 0) as reviewed,
          reviewers.reviewers
        from documents d
          left join confidence on confidence.doc_id = d.doc_id
          left join machine_design on machine_design.doc_id = d.doc_id
          left join corrected_design on corrected_design.doc_id = d.doc_id
          left join counted on counted.doc_id = d.doc_id
          left join mine on mine.doc_id = d.doc_id
          left join reviewers on reviewers.doc_id = d.doc_id"""
        where: list[str] = []
        if q:
            where.append("d.rowid in (select rowid from documents_fts where documents_fts match ?)")
            params.append(_fts_phrases(q))
        outer: list[str] = []
        if field:
            outer.append("confidence is not null")
        if design:
            outer.append("design = ?")
            params.append(design)
        if reviewed is not None:
            outer.append("reviewed = ?")
            params.append(1 if reviewed else 0)
        sql += (" where " + " and ".join(where) if where else "")
        sql = f"select * from ({sql})" + (" where " + " and ".join(outer) if outer else "")
        # lowest confidence first; documents with nothing extracted last
        sql += " order by confidence is null, confidence, position"
        return sql, params

    # triage (the triage tables themselves belong to store_triage.TriageStore)
    def triage_initialised(self) -> bool:
        """Whether ``triage init`` has set criteria on this database (checked without creating any table)."""
        if "triage_reviews" not in self.db.table_names():
            return False
        return next(iter(self.db.query("select 1 from triage_reviews limit 1")), None) is not None

    def screening_export_rows(self) -> list[dict[str, Any]]:
        """doc_id, title, abstract, authors (JSON), year, doi and pmid of every document, in insertion order."""
        return list(self.db.query(
            "select doc_id, title, abstract, authors, year, doi, pmid from documents order by rowid"))

    def screening_match_rows(self) -> list[dict[str, Any]]:
        """doc_id, title, doi, pmid and metadata (JSON) of every document, in insertion order."""
        return list(self.db.query("select doc_id, title, doi, pmid, metadata from documents order by rowid"))

    def dedup_rows(self) -> list[dict[str, Any]]:
        """doc_id, title, year, doi, pmid and abstract length (``chars``) of every document, in insertion order."""
        return list(self.db.query(
            "select doc_id, title, year, doi, pmid, length(coalesce(abstract, '')) chars from documents order by rowid"))

    # ready-made rows (the scale path: workers build rows, this process only inserts them)
    def write_records(self, records: list[PreparedRecord], failures: list[Failure], sources: list[dict[str, Any]],
                      run_id: int, extraction_version: str, deleted: dict[str, str] | None = None) -> None:
        """Write prepared records, failures and finished sources in one transaction.

        ``deleted`` maps doc_ids to the update file whose DeleteCitation already removed them.
        """
        stamp = now()
        deleted = deleted or {}
        columns = ("doc_id", *DOCUMENT_FIELDS, "run_id", "created_at", "updated_at", "extraction_version",
                   "record_version", "deleted_at", "deleted_by")
        updates = ", ".join(f'"{c}" = excluded."{c}"' for c in columns if c not in ("doc_id", "created_at"))
        quoted = ", ".join(f'"{c}"' for c in columns)
        with self._writing():
            if records:
                connection = self.db.conn
                ids = [record.doc_id for record in records]
                for start in range(0, len(ids), 500):
                    chunk = ids[start : start + 500]
                    marks = ",".join("?" * len(chunk))
                    for table in ("identifiers", "extracted_values", "studies"):
                        connection.execute(f"delete from {table} where doc_id in ({marks})", chunk)
                connection.executemany(
                    f"insert into documents ({quoted}) "
                    f"values ({','.join('?' * len(columns))}) on conflict(doc_id) do update set {updates}",
                    ((r.doc_id, *r.document, run_id, stamp, stamp, r.extraction_version or extraction_version,
                      r.record_version,
                      stamp if r.doc_id in deleted else None, deleted.get(r.doc_id)) for r in records),
                )
                connection.executemany(
                    'insert into identifiers (doc_id, scheme, value, start, "end", source, role) values (?,?,?,?,?,?,?)',
                    ((r.doc_id, *row) for r in records for row in r.identifiers),
                )
                connection.executemany(
                    'insert into studies (study_id, doc_id, study_index, label, start, "end", run_id, '
                    "extraction_version) values (?,?,?,?,?,?,?,?)",
                    ((f"{r.doc_id}#{row[0]}", r.doc_id, *row, run_id, r.extraction_version or extraction_version)
                     for r in records for row in r.studies),
                )
                connection.executemany(
                    'insert into extracted_values (study_id, doc_id, field, value, start, "end", evidence, '
                    "confidence, source, chosen, role, attributes, run_id) values (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    ((f"{r.doc_id}#{row[0]}", r.doc_id, *row[1:], run_id) for r in records for row in r.values),
                )
            if failures:
                self.db["failures"].insert_all(
                    {**asdict(failure), "run_id": run_id, "created_at": stamp} for failure in failures
                )
            if sources:
                # One plain statement for the batch (sqlite_utils' upsert_all costs more than the insert itself).
                names = (*SOURCE_FIELDS, "run_id", "updated_at")
                self.db.conn.executemany(
                    f"insert into sources ({', '.join(names)}) values ({','.join('?' * len(names))}) "
                    f"on conflict(path) do update set {', '.join(f'{n} = excluded.{n}' for n in names[1:])}",
                    ((*(source.get(n) for n in SOURCE_FIELDS), run_id, stamp) for source in sources),
                )

    def claim_doc_ids(self, records: Sequence[Owned], claimed: dict[str, str]) -> list[tuple[Owned, str]]:
        """Rename records whose doc_id another input file holds, to ``<doc_id>~2`` (``~3``, ...), in place.

        Two input files with the same name must not overwrite each other's documents. ``records`` are
        PreparedRecords or Documents; ``claimed`` maps doc_ids to the source path that took them earlier
        in the batch being written, and gains every record's. Returns each renamed record with the doc_id
        it asked for.
        """
        if not records:
            return []
        owners = self.source_paths(r.doc_id for r in records)
        renamed: list[tuple[Owned, str]] = []
        for record in records:
            base, number = record.doc_id, 1
            while True:
                owner = claimed.get(record.doc_id) or owners.get(record.doc_id)
                if owner is None or owner == record.source_path:
                    break
                number += 1
                record.doc_id = f"{base}~{number}"
                if record.doc_id not in owners:
                    owners.update(self.source_paths([record.doc_id]))
            if number > 1:
                renamed.append((record, base))
            claimed[record.doc_id] = record.source_path
        return renamed

    def delete_documents(self, doc_ids: list[str]) -> None:
        """Remove documents with their identifiers, studies and values (an older copy of a PubMed record)."""
        if not doc_ids:
            return
        marks = ",".join("?" * len(doc_ids))
        with self._writing():
            for table in ("identifiers", "extracted_values", "studies", "documents"):
                self.db.execute(f"delete from {table} where doc_id in ({marks})", doc_ids)

    def rename_document(self, old: str, new: str) -> None:
        """Give a stored document (and its rows) another doc_id."""
        with self._writing():
            self.db.execute("PRAGMA defer_foreign_keys = ON")  # parent and children change in one transaction
            self.db.execute("update documents set doc_id = ? where doc_id = ?", [new, old])
            self.db.execute("update identifiers set doc_id = ? where doc_id = ?", [new, old])
            for table in ("studies", "extracted_values"):
                self.db.execute(f"update {table} set doc_id = ?, study_id = ? || substr(study_id, ?) where doc_id = ?",
                                [new, new, len(old) + 1, old])

    def versions_of_pmids(self, pmids: Iterable[str]) -> dict[str, list[tuple[str, str]]]:
        """(doc_id, record_version) of stored PubMed XML records per PMID (only versioned ones)."""
        found: dict[str, list[tuple[str, str]]] = {}
        ids = list(dict.fromkeys(pmids))
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for row in self.db.query(f"select doc_id, pmid, record_version from documents where pmid in ({marks}) "
                                     "and record_version is not null", chunk):
                found.setdefault(row["pmid"], []).append((row["doc_id"], row["record_version"]))
        return found

    def deletions_of_pmids(self, pmids: Iterable[str]) -> dict[str, tuple[str, str]]:
        """For each PMID some update file deleted: (file name, path) of the latest such file."""
        found: dict[str, tuple[str, str]] = {}
        ids = list(dict.fromkeys(pmids))
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for row in self.db.query(f"select pmid, file_name, source_path from deletions where pmid in ({marks})",
                                     chunk):
                if row["pmid"] not in found or found[row["pmid"]][0] < row["file_name"]:
                    found[row["pmid"]] = (row["file_name"], row["source_path"])
        return found

    def record_deletions(self, path: str, pmids: list[str], run_id: int) -> int:
        """Remember an update file's deleted PMIDs and mark stored records from earlier files deleted.

        Returns how many stored documents were newly marked deleted.
        """
        stamp = now()
        file_name = Path(path).name
        marked = 0
        with self._writing():
            self.db["deletions"].upsert_all(
                ({"pmid": pmid, "source_path": path, "file_name": file_name, "run_id": run_id, "created_at": stamp}
                 for pmid in pmids), pk=("pmid", "source_path"))
            for versions in self.versions_of_pmids(pmids).values():
                for doc_id, version in versions:
                    if record_file(version) <= file_name:
                        cursor = self.db.execute(
                            "update documents set deleted_at = ?, deleted_by = ? where doc_id = ? and deleted_at is null",
                            [stamp, path, doc_id])
                        marked += cursor.rowcount
        return marked

    def search(self, query: str, limit: int = 20) -> list[dict[str, Any]]:
        """Documents whose title or abstract match a full-text query, best first."""
        return list(self.db["documents"].search(query, columns=["doc_id", "title"], limit=limit))

    def stats(self) -> dict[str, Any]:
        """Counts for the ``stats`` command."""
        db = self.db
        last_run = next(iter(db.query("select * from runs order by id desc limit 1")), None)
        return {
            "documents": db["documents"].count,
            "deleted": next(db.query("select count(*) n from documents where deleted_at is not null"))["n"],
            "sources": db["sources"].count,
            "runs": db["runs"].count,
            "failures_total": db["failures"].count,
            "by_format": {r["format"]: r["n"] for r in db.query(
                "select format, count(*) n from documents group by format order by n desc"
            )},
            "with_abstract": next(db.query(
                "select count(*) n from documents where abstract is not null and abstract != ''"
            ))["n"],
            "registrations": next(db.query(
                "select count(distinct value) n from identifiers where scheme not in ('doi','pmid','pmcid') "
                "and coalesce(role, 'own') = 'own'"
            ))["n"],
            "by_design": self._chosen_counts("design", "json_extract(value, '$')"),
            "by_measure": self._chosen_counts("effect", "json_extract(value, '$.measure')"),
            "corrected": next(db.query(
                f"select count(*) corrections, count(distinct doc_id) documents from corrections "
                f"where {_ACTIVE_CORRECTION}"
            )),
            "last_run": last_run,
            "last_run_failures": list(db.query(
                "select path, record, kind, message from failures where run_id = ? order by id",
                [last_run["id"]] if last_run else [0],
            )),
        }

    def _chosen_counts(self, field: str, label_sql: str) -> dict[str, int]:
        """Chosen values of a field counted by label (a design, an effect's measure), corrections in force applied.

        Each study's last correction of a single-valued field (design) replaces its machine value; a
        correction of a multi-valued field (effect) takes away the value it replaces and adds its own.
        """
        counts: dict[str, int] = {row["label"] or "unknown": row["n"] for row in self.db.query(
            f"select {label_sql} label, count(*) n from extracted_values where field = ? and chosen = 1 "
            "group by label order by n desc", [field])}

        def label(value: Any) -> str | None:
            if field == "effect":
                return value.get("measure") if isinstance(value, dict) else None
            return value if isinstance(value, str) else None

        rows = list(self.db.query(f"select doc_id, study_index, value_before, value_after from corrections "
                                  f"where field = ? and {_ACTIVE_CORRECTION} order by id", [field]))
        if field == "design":  # one design per study: its last correction counts
            rows = list({(row["doc_id"], row["study_index"]): row for row in rows}.values())
        for row in rows:
            before = label(json.loads(row["value_before"])) if row["value_before"] else None
            after = label(json.loads(row["value_after"])) if row["value_after"] else None
            if before and counts.get(before):
                counts[before] -= 1
            if after:
                counts[after] = counts.get(after, 0) + 1
        return dict(sorted(((k, v) for k, v in counts.items() if v > 0), key=lambda item: (-item[1], item[0])))

    # --- batch runs ---

    def source_paths(self, doc_ids: Iterable[str]) -> dict[str, str]:
        """The source file of each stored document among ``doc_ids`` (deleted ones too), by doc_id."""
        ids = list(doc_ids)
        owners: dict[str, str] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            owners.update((row["doc_id"], row["source_path"]) for row in self.db.query(
                f"select doc_id, source_path from documents where doc_id in ({marks})", chunk))
        return owners


# json.dumps(..., ensure_ascii=False) builds a new encoder at every call; the rows of a document call it dozens
# of times in the worker, so the two encoders are built once (the text they give is the same).
_to_json = json.JSONEncoder(ensure_ascii=False).encode
_to_json_or_text = json.JSONEncoder(ensure_ascii=False, default=str).encode


def value_row(value: ExtractedValue, study_id: str, document: Document, run_id: int) -> dict[str, Any]:
    """An ExtractedValue as an ``extracted_values`` row, with its evidence text."""
    evidence = document.text[value.start : value.end] if value.start is not None and value.end is not None else None
    return {
        "study_id": study_id,
        "doc_id": document.doc_id,
        "field": value.field,
        "value": _to_json(value.value),
        "start": value.start,
        "end": value.end,
        "evidence": evidence,
        "confidence": value.confidence,
        "source": value.source,
        "chosen": int(value.chosen),
        "role": value.role,
        "attributes": _to_json_or_text(value.attributes),
        "run_id": run_id,
    }


def document_row(document: Document, run_id: int, stamp: str) -> dict[str, Any]:
    """A Document as a ``documents`` row."""
    metadata = document.metadata
    return {
        "doc_id": document.doc_id,
        "source_path": document.source_path,
        "format": document.format,
        "record_index": document.record_index,
        "title": document.title,
        "abstract": document.abstract,
        "text": document.text,
        "title_start": document.title_span[0] if document.title_span else None,
        "title_end": document.title_span[1] if document.title_span else None,
        "abstract_start": document.abstract_span[0] if document.abstract_span else None,
        "abstract_end": document.abstract_span[1] if document.abstract_span else None,
        "sections": json.dumps([asdict(s) for s in document.sections]),
        "pages": json.dumps([asdict(p) for p in document.pages]),
        "authors": _to_json(metadata.authors),
        "year": metadata.year,
        "journal": metadata.journal,
        "doi": metadata.doi,
        "pmid": metadata.pmid,
        "pmcid": metadata.pmcid,
        "publication_types": _to_json(metadata.publication_types),
        "keywords": _to_json(metadata.keywords),
        "metadata": json.dumps({"url": metadata.url, "language": metadata.language, **metadata.extra},
                               ensure_ascii=False, default=str),
        "warnings": _to_json(document.warnings),
        "content_hash": document.content_hash,
        "run_id": run_id,
        "created_at": stamp,
        "updated_at": stamp,
    }


# The ``sources`` columns the writer gives for a file it finished (``write_records`` adds the run and the stamp).
SOURCE_FIELDS = ("path", "sha256", "size", "format", "documents", "failures", "status", "extraction_version")

# The ``documents`` columns a record carries itself (the writer adds doc_id, run, stamps and versions).
DOCUMENT_FIELDS = tuple(
    name for name in document_row(Document("", "", "", ""), 0, "") if name not in {"doc_id", "run_id", "created_at",
                                                                                   "updated_at"}
)


@dataclass
class PreparedRecord:
    """One document with its study units as ready-to-insert rows, built where it was extracted.

    Rows leave out the doc_id (the writer may still rename a document) and the run.
    ``document`` follows ``DOCUMENT_FIELDS``; ``identifiers`` are (scheme, value, start, end, source, role);
    ``studies`` (index, label, start, end); ``values`` (study index, field, value JSON, start, end,
    evidence, confidence, source, chosen, role, attributes JSON). ``record`` is the interchange record.
    """

    doc_id: str
    source_path: str
    content_hash: str
    pmid: str | None
    record_version: str | None
    document: tuple[Any, ...]
    identifiers: list[tuple[Any, ...]]
    studies: list[tuple[Any, ...]]
    values: list[tuple[Any, ...]]
    record: dict[str, Any] | None = None
    extraction_version: str | None = None  # set when the record was extracted by another run (Parquet parts)


def prepare_record(document: Document, units: list[StudyUnit], record_version: str | None = None,
                   record: dict[str, Any] | None = None) -> PreparedRecord:
    """A document and its study units as the rows ``Store.write_records`` inserts."""
    row = document_row(document, 0, "")
    text = document.text
    values = []
    for unit in units:
        for value in unit.values:  # the cells of ``value_row``, straight into a tuple
            start, end = value.start, value.end
            values.append((unit.index, value.field, _to_json(value.value), start, end,
                           text[start:end] if start is not None and end is not None else None, value.confidence,
                           value.source, int(value.chosen), value.role, _to_json_or_text(value.attributes)))
    return PreparedRecord(
        doc_id=document.doc_id, source_path=document.source_path, content_hash=row["content_hash"],
        pmid=document.metadata.pmid, record_version=record_version,
        document=tuple(row[name] for name in DOCUMENT_FIELDS),
        identifiers=[(i.scheme, i.value, i.start, i.end, i.source, i.role) for i in document.identifiers],
        studies=[(unit.index, unit.label, unit.start, unit.end) for unit in units],
        values=values, record=record,
    )


def record_file(record_version: str) -> str:
    """The file name part of a ``record_version`` ("<file name>#<record number>")."""
    return record_version.rsplit("#", 1)[0]


def document_from_row(row: dict[str, Any], identifiers: list[Identifier]) -> Document:
    """A ``documents`` row as a Document."""
    extra = json.loads(row["metadata"] or "{}")
    metadata = Metadata(
        authors=json.loads(row["authors"] or "[]"),
        year=row["year"],
        journal=row["journal"],
        doi=row["doi"],
        pmid=row["pmid"],
        pmcid=row["pmcid"],
        publication_types=json.loads(row["publication_types"] or "[]"),
        keywords=json.loads(row["keywords"] or "[]"),
        url=extra.pop("url", None),
        language=extra.pop("language", None),
        extra=extra,
    )
    span = lambda a, b: (row[a], row[b]) if row[a] is not None else None  # noqa: E731
    return Document(
        doc_id=row["doc_id"],
        source_path=row["source_path"],
        format=row["format"],
        text=row["text"],
        title=row["title"],
        abstract=row["abstract"],
        title_span=span("title_start", "title_end"),
        abstract_span=span("abstract_start", "abstract_end"),
        sections=[Section(**s) for s in json.loads(row["sections"] or "[]")],
        pages=[Page(**p) for p in json.loads(row["pages"] or "[]")],
        metadata=metadata,
        identifiers=identifiers,
        record_index=row["record_index"],
        warnings=json.loads(row["warnings"] or "[]"),
    )


def is_sqlite_error(error: BaseException) -> bool:
    return isinstance(error, sqlite3.Error)


def _in_chunks(values: Iterable[str], size: int = 500) -> Iterator[tuple[list[str], str]]:
    """``values`` in chunks of ``size`` with their ``?,?,...`` placeholders, for ``in (...)`` queries."""
    wanted = list(values)
    for start in range(0, len(wanted), size):
        chunk = wanted[start : start + size]
        yield chunk, ",".join("?" * len(chunk))
