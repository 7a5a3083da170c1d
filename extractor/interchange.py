"""The interchange record of ``../shared/eval/FORMAT.md``: one JSON object per document."""

from __future__ import annotations

import json
from typing import Any, TextIO

from .types import Document


def interchange_record(document: Document) -> dict[str, Any]:
    """The FORMAT.md record for a document; fields not extracted yet are null or empty."""
    return {
        "doc_id": document.doc_id,
        "title": document.title,
        "studies": [
            {
                "label": None,
                "design": None,
                "sample_size": None,
                "outcomes": [],
                "effects": [],
                "registrations": document.registrations,
            }
        ],
    }


def write_jsonl_line(handle: TextIO, record: dict[str, Any]) -> None:
    handle.write(json.dumps(record, ensure_ascii=False) + "\n")
