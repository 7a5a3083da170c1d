"""Annotators' records as training examples: the ``annotations/*.jsonl`` files joined to their documents.

An annotation file holds records in the interchange format plus spans (see
``extractor.annotations.load_annotation_records``) but not the documents' text:
the repository keeps no third-party text. The trainers find each record's
document again in the places they are given (an extractor database, or files
and folders to read) by its content hash, falling back to its doc_id when the
record names no hash. A record whose document cannot be found is counted and
left out, never guessed.

Annotated examples always go to the training split: the held-out splits stay
the public data's own, so figures stay comparable from one retraining to the
next. When an annotated document is also a public example, the annotation wins.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..types import Document, Failure

DATABASE_SUFFIXES = (".db", ".sqlite", ".sqlite3")


@dataclass(frozen=True)
class AnnotatedStudy:
    """One study of an annotated record, with the text it covers."""

    doc_id: str
    annotation_file: str
    title: str | None
    text: str  # the study's own range of the document, or title and abstract when the record gives none
    study: dict[str, Any]  # the interchange study: design, sample_size, outcomes, effects, ...
    spans: list[dict[str, Any]] = field(default_factory=list)  # offsets relative to ``text``


@dataclass
class AnnotatedSet:
    """The annotated studies found, and counts of what was read and what was left out."""

    studies: list[AnnotatedStudy]
    counts: Counter

    def info(self) -> dict[str, Any]:
        return dict(sorted(self.counts.items()))


def _documents_in(places: Iterable[Path]) -> Iterator[Document]:
    from ..readers import read_path

    for place in places:
        place = Path(place)
        if place.suffix.lower() in DATABASE_SUFFIXES and place.is_file():
            from ..store import Store

            yield from Store(place).documents()
            continue
        files = sorted(p for p in place.rglob("*") if p.is_file()) if place.is_dir() else [place]
        for path in files:
            if path.name.startswith(("README", "PROVENANCE", ".")):
                continue
            try:
                for document in read_path(path):
                    if not isinstance(document, Failure):
                        yield document
            except Exception:  # noqa: BLE001 - an unreadable file holds no annotated document
                continue


def _study_text(document: Document, study: dict[str, Any]) -> tuple[str, int]:
    """The text a study covers and where it starts in the document."""
    start, end = study.get("start"), study.get("end")
    if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(document.text):
        text = document.text[start:end]
        if document.title and document.title_span and not (start <= document.title_span[0] < end):
            return f"{document.title}\n\n{text}", start - len(document.title) - 2
        return text, start
    abstract = document.abstract_span
    if abstract and document.title_span and document.title_span[0] < abstract[0]:
        return document.text[document.title_span[0]:abstract[1]], document.title_span[0]
    return document.text, 0


def annotated_studies(annotations: Path, documents: Sequence[Path]) -> AnnotatedSet:
    """Every annotated study whose document is found in ``documents`` (databases, files or folders)."""
    from ..annotations import load_annotation_records

    counts: Counter = Counter()
    records = list(load_annotation_records(Path(annotations))) if Path(annotations).is_dir() else []
    counts["records"] = len(records)
    if not records:
        return AnnotatedSet([], counts)
    wanted_hashes = {r["content_hash"] for r in records if r.get("content_hash")}
    wanted_ids = {str(r["doc_id"]) for r in records if not r.get("content_hash")}
    by_hash: dict[str, Document] = {}
    by_id: dict[str, Document] = {}
    for document in _documents_in(documents):
        digest = document.content_hash
        if digest in wanted_hashes:
            by_hash.setdefault(digest, document)
        if document.doc_id in wanted_ids:
            by_id.setdefault(document.doc_id, document)
    studies: list[AnnotatedStudy] = []
    for record in records:
        document = by_hash.get(record.get("content_hash") or "") or by_id.get(str(record["doc_id"]))
        if document is None:
            counts["records without their document"] += 1
            continue
        counts["records matched"] += 1
        for study in record.get("studies") or []:
            text, offset = _study_text(document, study)
            spans = []
            for span in study.get("spans") or []:
                if isinstance(span.get("start"), int) and isinstance(span.get("end"), int):
                    start, end = span["start"] - offset, span["end"] - offset
                    if 0 <= start < end <= len(text):
                        spans.append({**span, "start": start, "end": end})
            studies.append(AnnotatedStudy(str(record["doc_id"]), record.get("annotation_file", ""),
                                          record.get("title") or document.title, text, study, spans))
            counts["studies"] += 1
    return AnnotatedSet(studies, counts)
