"""Registrations: trial and review registry identifiers of a study (NCT, ISRCTN, PROSPERO CRD, ...).

The readers find them (``extractor.identifiers``) in the text and in metadata; a study unit takes
those stated inside it, and a single-study document also those from its metadata.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ...types import Document, ExtractedValue
from ..registry import CorrectionError, FieldSpec, UnitContext


def _find(context: UnitContext) -> list[ExtractedValue]:
    """Registry IDs of the unit: those stated in its text, and for one study those from metadata."""
    values: list[ExtractedValue] = []
    seen: set[str] = set()
    for identifier in context.document.identifiers:
        if not identifier.is_registration or identifier.cited:
            continue
        inside = identifier.start is not None and context.start <= identifier.start < context.end
        if not (context.single or inside):
            continue
        value = identifier.value.upper() if identifier.scheme != "jprn" else identifier.value
        if value in seen:
            continue
        seen.add(value)
        values.append(ExtractedValue(
            field="registration", value=value, start=identifier.start, end=identifier.end,
            confidence=0.99 if identifier.start is not None else 0.95, source=identifier.source,
            attributes={"scheme": identifier.scheme},
        ))
    return values


_REGISTRATION = re.compile(r"^[A-Z][A-Z0-9/\-]{4,39}$")


def _parse(text: str, previous: Any = None) -> str:
    try:
        as_json = json.loads(text)
    except json.JSONDecodeError:
        as_json = None
    value = (as_json if isinstance(as_json, str) else text).upper().replace(" ", "")
    if not _REGISTRATION.match(value):
        raise CorrectionError(f"{text!r} is not a registry identifier", hint="e.g. NCT01234567, CRD42019123456")
    return value


def _of_document(document: Document) -> list[str]:
    return document.registrations


SPEC = FieldSpec(
    name="registration", record_key="registrations", multiple=True, title="Registrations",
    find=_find, parse=_parse, without_units=_of_document, csv_columns=("registrations",),
    style="black on yellow",
)
