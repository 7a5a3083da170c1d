"""Decisions to and from ASReview, so a team can move between the tools.

- CSV / TSV: one row per record with ``record_id``, ``title``, ``abstract``, ``authors``,
  ``year``, ``doi``, ``pmid`` and ``included`` (1 include, 0 exclude, empty not seen), the
  columns ASReview reads and writes.
- RIS: one record per paper with ``N1  - ASReview_relevant`` / ``ASReview_irrelevant`` /
  ``ASReview_not_seen``, as ASReview's RIS export marks them.

"maybe" has no ASReview counterpart: it is exported as not seen. Import reads any file
the readers know; records are matched to stored ones by id, DOI, PMID or exact title,
and records not stored yet are extracted and added.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from ..spreadsheet import Writer
from ..store import now
from ..store_triage import Decision, TriageStore
from ..types import Document, Failure
from .dedup import normalise_title
from .errors import BadLabels

FORMATS = ("csv", "tsv", "ris")
NOTE = {"include": "ASReview_relevant", "exclude": "ASReview_irrelevant"}
NOT_SEEN = "ASReview_not_seen"


def asreview_note_label(notes: Sequence[str]) -> int | None:
    """1 / 0 / None from ASReview's RIS N1 notes (ASReview_relevant / _irrelevant / _not_seen)."""
    joined = " ".join(notes)
    if "ASReview_relevant" in joined:
        return 1
    if "ASReview_irrelevant" in joined:
        return 0
    return None


def included_value(decision: str | None) -> str:
    """ASReview's ``included`` cell for one of our decisions."""
    return {"include": "1", "exclude": "0"}.get(decision or "", "")


def export_decisions(tstore: TriageStore, handle: TextIO, fmt: str) -> int:
    """Write every record still in the screening pool with its decision; returns the count."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}")
    decisions = tstore.current_decisions()
    merged = tstore.merged_away()
    rows = [row for row in tstore.store.screening_export_rows() if row["doc_id"] not in merged]
    if fmt == "ris":
        for row in rows:
            _write_ris(handle, row, decisions.get(row["doc_id"]))
        return len(rows)
    writer = Writer(handle, delimiter="\t" if fmt == "tsv" else ",")
    writer.writerow(["record_id", "title", "abstract", "authors", "year", "doi", "pmid", "included"])
    for row in rows:
        writer.writerow([row["doc_id"], row["title"] or "", row["abstract"] or "",
                         "; ".join(json.loads(row["authors"] or "[]")), row["year"] or "", row["doi"] or "",
                         row["pmid"] or "", included_value(decisions.get(row["doc_id"]))])
    return len(rows)


def _write_ris(handle: TextIO, row: dict, decision: str | None) -> None:
    one_line = lambda text: " ".join(str(text).split())  # noqa: E731
    lines = ["TY  - JOUR", f"ID  - {row['doc_id']}"]
    if row["title"]:
        lines.append(f"TI  - {one_line(row['title'])}")
    lines += [f"AU  - {one_line(name)}" for name in json.loads(row["authors"] or "[]")]
    if row["year"]:
        lines.append(f"PY  - {row['year']}")
    if row["doi"]:
        lines.append(f"DO  - {row['doi']}")
    if row["abstract"]:
        lines.append(f"AB  - {one_line(row['abstract'])}")
    lines.append(f"N1  - {NOTE.get(decision or '', NOT_SEEN)}")
    handle.write("\n".join(lines) + "\nER  - \n\n")


@dataclass
class ImportSummary:
    """What an import did."""

    records: int = 0
    matched: int = 0
    added: int = 0
    decisions: int = 0
    unchanged: int = 0
    not_seen: int = 0
    unreadable: int = 0
    notices: list[str] = field(default_factory=list)  # records stored under another doc_id, and why


def _label(document: Document) -> int | None:
    extra = document.metadata.extra
    label = extra.get("label")
    if label in (0, 1):
        return int(label)
    return asreview_note_label(extra.get("notes", []))


def import_decisions(tstore: TriageStore, path: Path | str, who: str, use_models: bool = True) -> ImportSummary:
    """Read an ASReview file (CSV/TSV/XLSX/RIS), add unknown records, append their decisions."""
    from ..errors import ExtractorError
    from ..readers import read_path

    path = Path(path)
    if not path.is_file():
        raise BadLabels(f"{path}: no such file")
    try:
        fmt = interchange_format(path)
        items = list(read_path(path, fmt=fmt))
    except ExtractorError as error:
        raise BadLabels(f"{path}: {error.message}", hint=error.hint) from None
    documents = [item for item in items if isinstance(item, Document)]
    failures = [item for item in items if not isinstance(item, Document)]
    if not documents:
        first = failures[0] if failures else None
        raise BadLabels(f"{path}: {first.message if first else 'no records'}",
                        hint=first.hint if first else BadLabels.hint)
    summary = ImportSummary(records=len(documents), unreadable=len(failures))
    # Doc_ids as an extraction run of the file would give them: one that a file of the same name elsewhere
    # holds becomes "<doc_id>~2", so it neither matches nor overwrites that file's paper.
    wanted = {id(document): doc_id for document, doc_id in tstore.store.claim_doc_ids(documents, {})}
    index = _StoredIndex(tstore)
    to_add: list[Document] = []
    pairs: list[tuple[str, int | None]] = []
    for document in documents:
        match = index.match(document)
        if match is None:
            to_add.append(document)
            index.add(document)
            match = document.doc_id
        else:
            summary.matched += 1
        pairs.append((match, _label(document)))
    if to_add:
        _add_documents(tstore, to_add, failures, path, fmt, use_models)
        summary.added = len(to_add)
        summary.notices = [f"{document.source_path}: doc_id {wanted[id(document)]} is taken by another file; "
                           f"stored as {document.doc_id}" for document in to_add if id(document) in wanted]
    current = tstore.current_decisions()
    stamp = now()
    new: list[Decision] = []
    for doc_id, label in pairs:
        if label is None:
            summary.not_seen += 1
            continue
        decision = "include" if label == 1 else "exclude"
        if current.get(doc_id) == decision:
            summary.unchanged += 1
            continue
        current[doc_id] = decision
        new.append(Decision(doc_id, decision, who, stamp, None, f"import:{path.name}"))
    tstore.decide_many(new)
    summary.decisions = len(new)
    return summary


def interchange_format(path: Path) -> str:
    """``ris`` or ``table``: the reader for an ASReview file (sniffed; the name decides a plain-text guess)."""
    from ..readers import detect_format

    sniffed = detect_format(path)
    if sniffed in ("ris", "table"):
        return sniffed
    if path.suffix.lower() == ".ris":
        return "ris"
    if path.suffix.lower() in (".csv", ".tsv", ".tab", ".txt", ".xlsx"):
        return "table"
    raise BadLabels(f"{path}: read as {sniffed}, not a CSV/TSV/XLSX table or RIS file")


class _StoredIndex:
    """Stored documents by id, DOI, PMID and normalised title, for matching imported records."""

    def __init__(self, tstore: TriageStore):
        self.by_key: dict[tuple[str, str], str] = {}
        for row in tstore.store.screening_match_rows():
            accession = json.loads(row["metadata"] or "{}").get("accession")
            self._keys(row["doc_id"], row["title"], row["doi"], row["pmid"], accession)

    def _keys(self, doc_id: str, title: str | None, doi: str | None, pmid: str | None,
              accession: str | None) -> None:
        for key in self._candidates(doc_id, title, doi, pmid, accession):
            self.by_key.setdefault(key, doc_id)

    @staticmethod
    def _candidates(doc_id: str, title: str | None, doi: str | None, pmid: str | None,
                    accession: str | None) -> Iterable[tuple[str, str]]:
        yield ("id", doc_id)
        if accession:
            yield ("id", accession)
        if doi:
            yield ("doi", doi.lower())
        if pmid:
            yield ("pmid", pmid)
        if normalise_title(title):
            yield ("title", normalise_title(title))

    def match(self, document: Document) -> str | None:
        extra = document.metadata.extra
        record_id = extra.get("accession") or extra.get("record_id")
        keys = [("id", record_id)] if record_id else []
        keys += list(self._candidates(document.doc_id, document.title, document.metadata.doi,
                                      document.metadata.pmid, None))
        return next((self.by_key[key] for key in keys if key in self.by_key), None)

    def add(self, document: Document) -> None:
        self._keys(document.doc_id, document.title, document.metadata.doi, document.metadata.pmid, None)


def _add_documents(tstore: TriageStore, documents: list[Document], failures: list[Failure], path: Path,
                   fmt: str, use_models: bool) -> None:
    """Extract and store records that were not in the database yet, as an extraction run writes them.

    One run and one transaction through the store's writer: the records, the file's unreadable rows and
    its ``sources`` row (so an extraction run of the file later finds it done).
    """
    from .. import __version__
    from ..batch.discovery import file_sha256
    from ..batch.tasks import process_document
    from ..extract.document import extraction_version
    from ..store import prepare_record

    store = tstore.store
    version = extraction_version(use_models)
    run_id = store.start_run("triage import", {"use_models": use_models}, [str(path)], __version__)
    records = [prepare_record(*process_document(document, use_models)) for document in documents]
    status = "complete" if not failures else "partial"
    source = {"path": str(path), "sha256": file_sha256(path), "size": path.stat().st_size, "format": fmt,
              "documents": len(records), "failures": len(failures), "status": status, "extraction_version": version}
    store.write_records(records, failures, [source], run_id, version)
    store.finish_run(run_id, {"documents_written": len(records), "failures": len(failures)}, "complete")
