"""Exports of stored records: interchange JSONL (effects with their conversions), a flat CSV with one row
per study, and the effects as metafor or RevMan CSV."""

from __future__ import annotations

from typing import Any, TextIO

from .extract.fields import specs
from .interchange import chosen_by_field, interchange_record, write_jsonl_line
from .spreadsheet import DictWriter
from .store import Store
from .types import Document, StudyUnit

_DOCUMENT_COLUMNS = (
    "format", "title", "year", "journal", "authors", "doi", "pmid", "pmcid", "publication_types", "keywords",
    "abstract", "source_path", "record_index",
)  # fmt: skip


def csv_columns() -> list[str]:
    """The CSV header: the study's place, each registered field's columns, then the document's."""
    return ["doc_id", "study", "label", *(column for spec in specs() for column in spec.csv_columns),
            *_DOCUMENT_COLUMNS]


def export_records(store: Store, fmt: str, handle: TextIO) -> int:
    """Write every stored record to ``handle`` as ``jsonl`` (one per document), ``csv`` (one per study),
    or its effect estimates as ``metafor`` or ``revman`` CSV (see ``extractor.synthesis.exports``)."""
    if fmt in {"metafor", "revman"}:
        from .synthesis.exports import write_metafor, write_revman
        from .synthesis.records import effect_records

        if fmt == "metafor":
            return write_metafor(effect_records(store), handle)
        return write_revman(effect_records(store), handle)[0]
    count = 0
    writer = None
    if fmt == "csv":
        writer = DictWriter(handle, fieldnames=csv_columns())
        writer.writeheader()
    for document in store.documents():
        studies = store.studies(document.doc_id)
        record = interchange_record(document, studies)
        if writer is None:
            add_conversions(record, document, studies)
            write_jsonl_line(handle, record)
            count += 1
            continue
        for index, study in enumerate(record["studies"]):
            writer.writerow(study_row(document, studies[index] if studies else None, index, study))
            count += 1
    return count


def add_conversions(record: dict[str, Any], document: Document, studies: list[StudyUnit]) -> None:
    """Give each effect of an interchange record its evidence, outcome link and conversion (``synthesis``)."""
    if not studies:
        return
    from dataclasses import asdict

    from .synthesis.convert import convert
    from .synthesis.records import estimate_of, usable_effect

    for unit, study in zip(studies, record["studies"], strict=True):
        chosen = [value for value in unit.values if value.field == "effect" and value.chosen]
        for value, effect in zip(chosen, study["effects"], strict=True):
            if not usable_effect(value.value):
                continue
            conversion = convert(estimate_of(value, unit, document))
            has_span = value.start is not None and value.end is not None
            effect.update({
                "outcome": value.value.get("outcome"), "source": value.source,  # the stored link, not its phrase
                "evidence": {"start": value.start, "end": value.end,
                             "text": document.text[value.start : value.end] if has_span else None},
                "synthesis": {**asdict(conversion), "vi": conversion.vi},
            })


def study_row(document: Document, unit: StudyUnit | None, index: int, study: dict[str, Any]) -> dict[str, Any]:
    """One CSV row: a study's chosen values beside its document's bibliographic columns."""
    meta = document.metadata
    chosen = chosen_by_field(unit) if unit else {}
    row: dict[str, Any] = {"doc_id": document.doc_id, "study": index + 1, "label": study["label"]}
    for spec in specs():
        row.update(spec.csv_cells(chosen.get(spec.name, []), study[spec.record_key]))
    row.update({
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
        "abstract": document.abstract,
        "source_path": document.source_path,
        "record_index": document.record_index,
    })
    return row
