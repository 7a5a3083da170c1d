"""Annotators' corrections: the one service that makes them, append-only, applied whenever records are read.

A correction names a document, a study (by index), a field, the value it replaces
(``value_before``; None when it adds a value the tool missed) and the value after
(None when it rejects a value). Re-running extraction replaces machine values
only; corrections live in their own table and win every time records are read
(``extract.choice.apply_corrections``), so a correction is never lost and never
overwritten by a re-run.

Every way of correcting (``extractor correct``, the review app, annotation import, consensus)
calls ``record_correction``: the value is checked through the field's spec, and the run and the
extraction version are filled in. An undo is one more appended row naming the correction it
reverts (the store leaves both out when it reads corrections). Accepting a value is a correction
whose value after equals the value before.
"""

from __future__ import annotations

import json
from typing import Any

from .extract.choice import chosen_values
from .extract.fields import checked_spec
from .extract.registry import CorrectionError
from .store import Store, now
from .types import Correction

__all__ = ["CorrectionError", "chosen_values", "corrections_of", "display_value", "parse_value",
           "record_correction"]


def parse_value(field: str, text: str, previous: Any = None) -> Any:
    """The value an annotator typed for a field, checked through its spec; CorrectionError when it is not one.

    ``text`` may be JSON or the short form shown in the review app: ``rct``; ``240`` or
    ``240 mothers`` (the unit of ``previous`` is kept when none is typed); ``PHQ-9``;
    ``MD -1.6 [-2.7, -0.5] p=0.004``; ``NCT01234567``.
    """
    return checked_spec(field).check(text, previous)


def display_value(field: str, value: Any) -> str:
    """A value in the short form ``parse_value`` reads back."""
    if value is None:
        return ""
    return checked_spec(field).short(value)


def corrections_of(corrections: list[Correction], annotators: set[str]) -> list[Correction]:
    """The corrections made by the given annotators, in the order made."""
    return [correction for correction in corrections if correction.annotator in annotators]


def record_correction(store: Store, doc_id: str, study_index: int, field: str, before: Any, after: Any,
                      annotator: str, reason: str | None = None, start: int | None = None,
                      end: int | None = None) -> int:
    """Append one correction and return its id.

    The field must be registered, and a new value must pass the field's checks unless the study
    already holds it (a machine candidate, or another annotator's value: accepting what the tool
    found is always allowed). The correction records the latest run and the document's extraction
    version.
    """
    spec = checked_spec(field)
    if after is not None and after != before:
        try:
            spec.check(json.dumps(after, ensure_ascii=False), before)
        except CorrectionError:
            held = [value.value for unit in store.studies(doc_id) if unit.index == study_index
                    for value in unit.values if value.field == field]
            if after not in held:
                raise
    if not annotator or not annotator.strip():
        raise CorrectionError("no annotator given", hint="say who makes the correction (--annotator NAME)")
    return store.add_correction(Correction(
        doc_id=doc_id, study_index=study_index, field=field, value_before=before, value_after=after,
        annotator=annotator, created_at=now(), run_id=store.last_run_id(),
        model_versions={"extraction": store.extraction_version_of(doc_id) or ""},
        reason=reason, start=start, end=end))
