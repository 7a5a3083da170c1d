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
whose value after equals the value before. A correction also keeps its value's role (a count's
randomised, analysed, ...) and where its evidence comes from: the annotator's selection, the span
of the unchanged value it accepts, or none (entered by hand).
"""

from __future__ import annotations

import json
from typing import Any

from .extract.choice import chosen_values
from .extract.fields import checked_spec
from .extract.registry import CorrectionError
from .extract.sample_size.records import ROLES
from .store import Store, now
from .types import Correction, ExtractedValue

__all__ = ["CorrectionError", "checked_role", "chosen_values", "corrections_of", "current_value", "display_value",
           "parse_value", "record_correction", "role_choices"]


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


# The roles an annotator may give a field's value (only a count has roles one sets by hand).
ROLE_FIELDS = {"sample_size": ROLES}
EVIDENCE_KINDS = ("selection", "kept", "by hand")


def role_choices(field: str) -> tuple[str, ...]:
    """The roles an annotator may give a value of the field (none for most fields)."""
    return ROLE_FIELDS.get(field, ())


def checked_role(field: str, role: str | None) -> str | None:
    """A role an annotator chose, checked against the field's roles; None when none was chosen."""
    role = (role or "").strip() or None
    if role is not None and role not in role_choices(field):
        choices = role_choices(field)
        raise CorrectionError(f"{role!r} is not a role of a {field} value",
                              hint=f"use one of {', '.join(choices)}" if choices else f"{field} values have no role")
    return role


def current_value(store: Store, doc_id: str, study_index: int, field: str, value: Any) -> ExtractedValue | None:
    """The chosen value of a study equal to ``value`` (with its evidence and role), as records read now."""
    if value is None:
        return None
    for unit in store.studies(doc_id):
        if unit.index == study_index:
            return next((v for v in unit.values if v.field == field and v.chosen and v.value == value), None)
    return None


def record_correction(store: Store, doc_id: str, study_index: int, field: str, before: Any, after: Any,
                      annotator: str, reason: str | None = None, start: int | None = None,
                      end: int | None = None, role: str | None = None, evidence: str | None = None) -> int:
    """Append one correction and return its id.

    The field must be registered, and a new value must pass the field's checks unless the study
    already holds it (a machine candidate, or another annotator's value: accepting what the tool
    found is always allowed). The correction records the latest run and the document's extraction
    version.

    Evidence stays honest: a span given (``start``/``end``) is the annotator's selection. Without
    one, a value left as it was (accepted, or only its role changed) keeps the evidence of the value
    it replaces; a changed value has none and is marked as entered by hand, never given the quote
    of the value it replaced. ``evidence`` names the kind when the caller knows it (an imported
    file says). The role stays the one of the value replaced unless ``role`` changes it.
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
    if evidence is not None and evidence not in EVIDENCE_KINDS:
        raise CorrectionError(f"{evidence!r} is not a kind of evidence", hint=f"use one of {', '.join(EVIDENCE_KINDS)}")
    if after is None:
        start = end = role = evidence = None
    else:
        replaced = current_value(store, doc_id, study_index, field, before)
        if role is not None and not (replaced is not None and role == replaced.role):
            role = checked_role(field, role)  # a role the annotator chose (the one kept needs no check)
        if role is None and replaced is not None:
            role = replaced.role  # the role stays what it was unless the annotator changes it
        if start is not None and end is not None:
            evidence = evidence or "selection"
        elif after == before and replaced is not None and replaced.start is not None and evidence != "by hand":
            start, end, evidence = replaced.start, replaced.end, "kept"
        elif after == before and replaced is not None and evidence is None:
            start = end = None
            evidence = (replaced.attributes or {}).get("evidence") if replaced.source.startswith("annotator:") \
                else None
        else:
            start, end, evidence = None, None, "by hand"
    return store.add_correction(Correction(
        doc_id=doc_id, study_index=study_index, field=field, value_before=before, value_after=after,
        annotator=annotator, created_at=now(), run_id=store.last_run_id(),
        model_versions={"extraction": store.extraction_version_of(doc_id) or ""},
        reason=reason, start=start, end=end, role=role, evidence=evidence))
