"""``extract --out-parquet DIR``: records as partitioned Parquet; ``extractor load DIR``: into SQLite later.

Each task (a file, or a chunk of a PubMed XML file) writes its own parts where
it runs, so records never travel back to one process:

    DIR/documents/<part>.parquet         one row per document (the ``documents`` columns)
    DIR/studies/<part>.parquet           doc_id, study_index, label, start, end
    DIR/extracted_values/<part>.parquet  doc_id, study_index, field, value (JSON), evidence, ...
    DIR/identifiers/<part>.parquet       doc_id, scheme, value, start, end, source, role
    DIR/deletions/<part>.parquet         pmid, source_path, file_name (PubMed update files)

``<part>`` is ``<hash of the path>-<chunk>-<part>``, so a re-run overwrites its
own parts. A part is written to a temporary name and renamed, documents last,
so ``load`` never sees half a part. ``load`` feeds the parts through the same
writer as ``extract`` (revisions, deletions, unchanged records skipped).
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..errors import ExtractorError
from ..store import DOCUMENT_FIELDS, PreparedRecord, Store
from .events import DocumentDone, RecordsDeleted
from .options import ExtractOptions, Progress, RunSummary
from .writer import Writer

if TYPE_CHECKING:
    import pyarrow as pa

_INTEGER_FIELDS = {"record_index", "title_start", "title_end", "abstract_start", "abstract_end", "year"}
STUDY_COLUMNS = ("doc_id", "study_index", "label", "start", "end")
VALUE_COLUMNS = ("doc_id", "study_index", "field", "value", "start", "end", "evidence", "confidence", "source",
                 "chosen", "role", "attributes")
IDENTIFIER_COLUMNS = ("doc_id", "scheme", "value", "start", "end", "source", "role")


class NotAParquetFolder(ExtractorError):
    kind = "parquet"
    hint = "give the folder that `extractor extract ... --out-parquet DIR` wrote"


def _schemas() -> dict[str, pa.Schema]:
    import pyarrow as pa

    text, integer, real = pa.string(), pa.int64(), pa.float64()
    return {
        "documents": pa.schema([("doc_id", text), ("record_version", text), ("run_id", integer),
                                ("extraction_version", text)]
                               + [(name, integer if name in _INTEGER_FIELDS else text) for name in DOCUMENT_FIELDS]),
        "studies": pa.schema([("doc_id", text), ("study_index", integer), ("label", text), ("start", integer),
                              ("end", integer)]),
        "extracted_values": pa.schema([("doc_id", text), ("study_index", integer), ("field", text), ("value", text),
                                       ("start", integer), ("end", integer), ("evidence", text), ("confidence", real),
                                       ("source", text), ("chosen", integer), ("role", text), ("attributes", text)]),
        "identifiers": pa.schema([("doc_id", text), ("scheme", text), ("value", text), ("start", integer),
                                  ("end", integer), ("source", text), ("role", text)]),
        "deletions": pa.schema([("pmid", text), ("source_path", text), ("file_name", text)]),
    }


def part_name(path: str, chunk: int, part: int) -> str:
    """``<hash of the path>-<chunk>-<part>``: stable across runs, unique across files (``chunk``: a task's piece)."""
    digest = hashlib.sha1(path.encode("utf-8")).hexdigest()[:12]
    return f"{digest}-{chunk:05d}-{part:04d}"


def _write(directory: Path, table_name: str, name: str, rows: list[tuple[Any, ...]]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = _schemas()[table_name]
    columns = list(zip(*rows, strict=True)) if rows else [[] for _ in schema.names]
    table = pa.table({field.name: pa.array(list(column), type=field.type)
                      for field, column in zip(schema, columns, strict=True)}, schema=schema)
    folder = directory / table_name
    folder.mkdir(parents=True, exist_ok=True)
    temporary = folder / f".{name}.{os.getpid()}.tmp"
    pq.write_table(table, temporary, compression="zstd")
    os.replace(temporary, folder / f"{name}.parquet")


def write_part(directory: str | Path, name: str, records: list[PreparedRecord], run_id: int,
               extraction_version: str) -> None:
    """One part of a task's records (``name``: see ``part_name``), as the four tables."""
    directory = Path(directory)
    _write(directory, "studies", name, [(r.doc_id, *row) for r in records for row in r.studies])
    _write(directory, "extracted_values", name, [(r.doc_id, *row) for r in records for row in r.values])
    _write(directory, "identifiers", name, [(r.doc_id, *row) for r in records for row in r.identifiers])
    _write(directory, "documents", name,
           [(r.doc_id, r.record_version, run_id, extraction_version, *r.document) for r in records])


def write_deletions(directory: str | Path, name: str, path: str, pmids: list[str]) -> None:
    """The PMIDs an update file (``path``) deletes, as part ``name``."""
    file_name = Path(path).name
    _write(Path(directory), "deletions", name, [(pmid, path, file_name) for pmid in pmids])


def _rows(path: Path) -> list[dict[str, Any]]:
    import pyarrow.parquet as pq

    return pq.read_table(path).to_pylist() if path.exists() else []


def records_of_part(directory: Path, name: str) -> list[PreparedRecord]:
    """The records of one part, rebuilt from its four tables."""
    children: dict[str, dict[str, list[tuple[Any, ...]]]] = {}
    for table_name, columns in (("studies", STUDY_COLUMNS), ("extracted_values", VALUE_COLUMNS),
                                ("identifiers", IDENTIFIER_COLUMNS)):
        for row in _rows(directory / table_name / f"{name}.parquet"):
            rows = children.setdefault(row["doc_id"], {}).setdefault(table_name, [])
            rows.append(tuple(row.get(c) for c in columns[1:]))  # .get: parts written before a column was added
    records = []
    for row in _rows(directory / "documents" / f"{name}.parquet"):
        mine = children.get(row["doc_id"], {})
        records.append(PreparedRecord(
            doc_id=row["doc_id"], source_path=row["source_path"], content_hash=row["content_hash"], pmid=row["pmid"],
            record_version=row["record_version"], extraction_version=row["extraction_version"],
            document=tuple(row[name] for name in DOCUMENT_FIELDS),
            identifiers=mine.get("identifiers", []), studies=mine.get("studies", []),
            values=mine.get("extracted_values", []),
        ))
    return records


def load_parquet(directory: str | Path, store: Store, options: ExtractOptions | None = None,
                 progress: Progress | None = None) -> RunSummary:
    """Merge every part under ``directory`` into the store; the function behind ``extractor load``."""
    directory = Path(directory)
    options = options or ExtractOptions()
    progress = progress or Progress()
    parts = sorted((directory / "documents").glob("*.parquet"))
    if not directory.is_dir() or not (parts or (directory / "deletions").is_dir()):
        raise NotAParquetFolder(f"{directory}: no documents/*.parquet parts here")
    started = time.monotonic()
    run_id = store.start_run("load", {"force": options.force, "use_models": options.use_models},
                             [str(directory)], __version__)
    summary = RunSummary(run_id=run_id, files_seen=len(parts))
    writer = Writer(store, run_id, options, summary, progress, None, {})
    progress.start(len(parts), sum(part.stat().st_size for part in parts))
    status = "complete"
    try:
        for deletions in sorted((directory / "deletions").glob("*.parquet")):
            by_path: dict[str, list[str]] = {}
            for row in _rows(deletions):
                by_path.setdefault(row["source_path"], []).append(row["pmid"])
            for path, pmids in by_path.items():
                writer.handle(RecordsDeleted(path, pmids))
        for part in parts:
            records = records_of_part(directory, part.stem)
            for record in records:
                writer.handle(DocumentDone(record))
            progress.file_done(str(part), part.stat().st_size, len(records))
    except KeyboardInterrupt:
        status = "interrupted"
        raise
    finally:
        writer.flush()
        summary.duration_s = round(time.monotonic() - started, 3)
        summary.status = status
        store.finish_run(run_id, summary.counts(), status)
    return summary
