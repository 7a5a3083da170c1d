"""The interchange record of ``../shared/eval/FORMAT.md``: one JSON object per document."""

from __future__ import annotations

import json
from typing import Any, TextIO

from .types import Document, ExtractedValue, StudyUnit


def interchange_record(document: Document, studies: list[StudyUnit] | None = None) -> dict[str, Any]:
    """The FORMAT.md record of a document from its study units' chosen values."""
    if not studies:
        return {
            "doc_id": document.doc_id,
            "title": document.title,
            "studies": [{"label": None, "design": None, "sample_size": None, "outcomes": [], "effects": [],
                         "registrations": document.registrations}],
        }
    return {
        "doc_id": document.doc_id,
        "title": document.title,
        "studies": [study_record(unit, multi=len(studies) > 1) for unit in studies],
    }


def study_record(unit: StudyUnit, multi: bool) -> dict[str, Any]:
    """One entry of ``studies``."""
    chosen: dict[str, list[ExtractedValue]] = {}
    for value in unit.values:
        if value.chosen:
            chosen.setdefault(value.field, []).append(value)
    design = chosen.get("design", [None])[0]
    size = chosen.get("sample_size", [None])[0]
    return {
        "label": unit.label if multi else None,
        "design": design.value if design else None,
        "sample_size": {"n": size.value["n"], "unit": size.value.get("unit")} if size else None,
        "outcomes": [value.value for value in chosen.get("outcome", [])],
        "effects": [
            {"measure": v.value["measure"], "value": v.value["value"], "ci": v.value.get("ci"), "p": v.value.get("p")}
            for v in chosen.get("effect", [])
        ],
        "registrations": [value.value for value in chosen.get("registration", [])],
    }


def write_jsonl_line(handle: TextIO, record: dict[str, Any]) -> None:
    handle.write(json.dumps(record, ensure_ascii=False) + "\n")
