"""Exports of stored records: interchange JSONL and a flat CSV."""

from __future__ import annotations

import csv
from typing import TextIO

from .interchange import interchange_record, write_jsonl_line
from .store import Store

CSV_COLUMNS = [
    "doc_id", "format", "title", "year", "journal", "authors", "doi", "pmid", "pmcid",
    "publication_types", "keywords", "registrations", "abstract", "source_path", "record_index",
]  # fmt: skip


def export_records(store: Store, fmt: str, handle: TextIO) -> int:
    """Write every stored document to ``handle`` as ``jsonl`` or ``csv``; returns the count."""
    count = 0
    if fmt == "jsonl":
        for document in store.documents():
            write_jsonl_line(handle, interchange_record(document, store.studies(document.doc_id)))
            count += 1
        return count
    writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    for document in store.documents():
        meta = document.metadata
        writer.writerow(
            {
                "doc_id": document.doc_id,
                "format": document.format,
                "title": document.title,
                "year": meta.year,
                "journal": meta.journal,
                "authors": "; ".join(meta.authors),
                "doi": meta.doi,
                "pmid": meta.pmid,
                "pmcid": meta.pmcid,
                "publication_types": "; ".join(meta.publication_types),
                "keywords": "; ".join(meta.keywords),
                "registrations": "; ".join(document.registrations),
                "abstract": document.abstract,
                "source_path": document.source_path,
                "record_index": document.record_index,
            }
        )
        count += 1
    return count
