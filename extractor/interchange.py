"""The interchange record of ``../shared/eval/FORMAT.md``: one JSON object per document.

A study entry holds ``label`` and then each registered field's entry under its record key
(``design``, ``sample_size``, ``outcomes``, ``effects``, ``registrations``, and any field a user
registers), in registry order.

The field registry (which imports every field's rules) is imported when a record is built, not with this module:
workers build the records of what they extract, so the parent of a worker pool imports it only when it writes
a stored record again (corrected, or unchanged since an earlier run).
"""

from __future__ import annotations

import json
from typing import Any, TextIO

from .types import Document, ExtractedValue, StudyUnit


def interchange_record(document: Document, studies: list[StudyUnit] | None = None) -> dict[str, Any]:
    """The FORMAT.md record of a document from its study units' chosen values."""
    from .extract.fields import specs

    if not studies:
        empty: dict[str, Any] = {"label": None}
        for spec in specs():
            empty[spec.record_key] = spec.without_units(document) if spec.without_units else spec.interchange([])
        return {"doc_id": document.doc_id, "title": document.title, "studies": [empty]}
    return {
        "doc_id": document.doc_id,
        "title": document.title,
        "studies": [study_record(unit, multi=len(studies) > 1) for unit in studies],
    }


def chosen_by_field(unit: StudyUnit) -> dict[str, list[ExtractedValue]]:
    """A study's chosen values grouped by field, in order."""
    chosen: dict[str, list[ExtractedValue]] = {}
    for value in unit.values:
        if value.chosen:
            chosen.setdefault(value.field, []).append(value)
    return chosen


def study_record(unit: StudyUnit, multi: bool) -> dict[str, Any]:
    """One entry of ``studies``."""
    from .extract.fields import specs

    chosen = chosen_by_field(unit)
    record: dict[str, Any] = {"label": unit.label if multi else None}
    for spec in specs():
        record[spec.record_key] = spec.interchange(chosen.get(spec.name, []))
    return record


def write_jsonl_line(handle: TextIO, record: dict[str, Any]) -> None:
    handle.write(json.dumps(record, ensure_ascii=False) + "\n")
