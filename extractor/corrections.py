"""Annotators' corrections: append-only, and applied over machine values whenever records are read.

A correction names a document, a study (by index), a field, the value it replaces
(``value_before``; None when it adds a value the tool missed) and the value after
(None when it rejects a value). Re-running extraction replaces machine values
only; corrections live in their own table and win every time records are read,
so a correction is never lost and never overwritten by a re-run.
"""

from __future__ import annotations

from dataclasses import replace

from .types import Correction, ExtractedValue, StudyUnit

SINGLE_VALUED = {"design", "sample_size"}  # one chosen value per study; the rest are lists


def apply_corrections(units: list[StudyUnit], corrections: list[Correction]) -> list[StudyUnit]:
    """The study units with each correction applied in the order it was made."""
    by_index = {unit.index: replace(unit, values=list(unit.values)) for unit in units}
    for correction in corrections:
        unit = by_index.get(correction.study_index)
        if unit is None:
            continue
        if correction.field in SINGLE_VALUED:
            for value in unit.values:
                if value.field == correction.field:
                    value.chosen = False
        elif correction.value_before is not None:
            for value in unit.values:
                if value.field == correction.field and value.chosen and value.value == correction.value_before:
                    value.chosen = False
                    break
        if correction.value_after is not None:
            unit.values.append(ExtractedValue(
                field=correction.field, value=correction.value_after, start=correction.start, end=correction.end,
                confidence=1.0, source=f"annotator:{correction.annotator}", chosen=True,
                attributes={"corrected_at": correction.created_at, "reason": correction.reason},
            ))
    return [by_index[unit.index] for unit in units]
