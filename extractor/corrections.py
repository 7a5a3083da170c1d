"""Annotators' corrections: append-only, and applied over machine values whenever records are read.

A correction names a document, a study (by index), a field, the value it replaces
(``value_before``; None when it adds a value the tool missed) and the value after
(None when it rejects a value). Re-running extraction replaces machine values
only; corrections live in their own table and win every time records are read,
so a correction is never lost and never overwritten by a re-run.

An undo is one more appended row naming the correction it reverts (the store
leaves both out when it reads corrections). Accepting a value is a correction
whose value after equals the value before.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any

from .errors import ExtractorError
from .types import Correction, ExtractedValue, StudyUnit

SINGLE_VALUED = {"design", "sample_size"}  # one chosen value per study; the rest are lists
FIELDS = ("design", "sample_size", "outcome", "effect", "registration")
DESIGNS = (
    "rct", "cluster_rct", "non_randomised_trial", "cohort", "case_control", "cross_sectional", "qualitative",
    "mixed_methods", "systematic_review", "meta_analysis", "umbrella_review", "case_report", "protocol", "other",
)  # fmt: skip
MEASURES = (
    "d", "g", "SMD", "ES", "MD", "OR", "RR", "HR", "RD", "r", "beta", "b", "t", "F", "chi2", "z", "eta2", "other",
)  # fmt: skip


class CorrectionError(ExtractorError):
    """A correction that cannot be made: a bad value, an unknown field or study, a second undo."""

    kind = "correction"
    hint = "check the value against the field's format (see `extractor correct --help`)"


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
        else:
            for target in (correction.value_before, correction.value_after):
                # the value replaced, and any chosen copy of the value after (two annotators adding the same
                # outcome give one outcome, not two)
                if target is None:
                    continue
                for value in unit.values:
                    if value.field == correction.field and value.chosen and value.value == target:
                        value.chosen = False
                        break
        if correction.value_after is not None:
            unit.values.append(ExtractedValue(
                field=correction.field, value=correction.value_after, start=correction.start, end=correction.end,
                confidence=1.0, source=f"annotator:{correction.annotator}", chosen=True,
                role=_stated_role(unit.values, correction),
                attributes={"corrected_at": correction.created_at, "reason": correction.reason},
            ))
    return [by_index[unit.index] for unit in units]


def _stated_role(values: list[ExtractedValue], correction: Correction) -> str | None:
    """The role (randomised, analysed, ...) of the corrected sample size, where the text states that count.

    A correction gives a count, not its role; the machine candidate stating the
    same count (the one under the annotator's evidence span first) says which
    count it is. None when no candidate states it.
    """
    after = correction.value_after
    if correction.field != "sample_size" or not isinstance(after, dict):
        return None
    same = [value for value in values
            if value.field == "sample_size" and value.role and not value.source.startswith("annotator:")
            and isinstance(value.value, dict) and value.value.get("n") == after.get("n")]
    if correction.start is not None and correction.end is not None:
        same = [value for value in same if value.start is not None and value.end is not None
                and value.start < correction.end and correction.start < value.end] or same
    return same[0].role if same else None


def corrections_of(corrections: list[Correction], annotators: set[str]) -> list[Correction]:
    """The corrections made by the given annotators, in the order made."""
    return [correction for correction in corrections if correction.annotator in annotators]


def chosen_values(unit: StudyUnit, field: str) -> list[Any]:
    """A study's chosen values of one field, in order (at most one for a single-valued field)."""
    values = [value.value for value in unit.values if value.field == field and value.chosen]
    return values[:1] if field in SINGLE_VALUED else values


_NUMBER = r"[-−+]?\d+(?:\.\d+)?(?:e-?\d+)?"
_EFFECT = re.compile(
    rf"^\s*(?P<measure>[A-Za-z][A-Za-z0-9]*)\s*[=:]?\s*(?P<value>{_NUMBER})\s*"
    rf"(?:[\[(]\s*(?P<low>{_NUMBER})\s*(?:,|to|;)\s*(?P<high>{_NUMBER})\s*[\])])?\s*"
    rf"(?:[,;]?\s*p\s*(?:=|<|<=|≤)\s*(?P<p>{_NUMBER}))?\s*$",
    re.IGNORECASE,
)
_REGISTRATION = re.compile(r"^[A-Z][A-Z0-9/\-]{4,39}$")


def _number(text: str) -> float:
    return float(text.replace("−", "-"))


def parse_value(field: str, text: str, previous: Any = None) -> Any:
    """The value an annotator typed for a field, checked against FORMAT.md; CorrectionError when it is not one.

    ``text`` may be JSON or the short form shown in the review app: ``rct``; ``240`` or
    ``240 mothers`` (the unit of ``previous`` is kept when none is typed); ``PHQ-9``;
    ``MD -1.6 [-2.7, -0.5] p=0.004``; ``NCT01234567``.
    """
    if field not in FIELDS:
        raise CorrectionError(f"{field!r} is not a field", hint=f"use one of {', '.join(FIELDS)}")
    text = (text or "").strip()
    if not text:
        raise CorrectionError(f"no value given for {field}", hint="type a value, or reject the value instead")
    if len(text) > 500:
        raise CorrectionError(f"the {field} value is {len(text)} characters long", hint="keep it under 500")
    try:
        as_json = json.loads(text)
    except json.JSONDecodeError:
        as_json = None
    if field == "design":
        label = as_json if isinstance(as_json, str) else text.lower().replace(" ", "_").replace("-", "_")
        if label not in DESIGNS:
            raise CorrectionError(f"{text!r} is not a design", hint=f"use one of {', '.join(DESIGNS)}")
        return label
    if field == "sample_size":
        return _sample_size(text, as_json, previous)
    if field == "effect":
        return _effect(text, as_json)
    if field == "registration":
        value = (as_json if isinstance(as_json, str) else text).upper().replace(" ", "")
        if not _REGISTRATION.match(value):
            raise CorrectionError(f"{text!r} is not a registry identifier", hint="e.g. NCT01234567, CRD42019123456")
        return value
    return as_json if isinstance(as_json, str) else " ".join(text.split())


def _sample_size(text: str, as_json: Any, previous: Any) -> dict[str, Any]:
    unit = previous.get("unit") if isinstance(previous, dict) else None
    if isinstance(as_json, dict):
        n, unit = as_json.get("n"), as_json.get("unit", unit)
    else:
        match = re.match(r"^\s*n?\s*=?\s*([\d,]+)\s*([A-Za-z][A-Za-z \-]*)?$", text)
        if not match:
            raise CorrectionError(f"{text!r} is not a sample size", hint="type a count and a unit, e.g. 240 mothers")
        n, unit = match.group(1).replace(",", ""), (match.group(2) or unit or "").strip() or None
    try:
        n = int(n)
    except (TypeError, ValueError):
        n = None
    if n is None or n <= 0:
        raise CorrectionError(f"{text!r} is not a sample size", hint="n must be a whole number above 0")
    return {"n": n, "unit": unit}


def _effect(text: str, as_json: Any) -> dict[str, Any]:
    if isinstance(as_json, dict):
        try:
            ci = as_json.get("ci")
            effect = {"measure": str(as_json["measure"]), "value": float(as_json["value"]),
                      "ci": [float(ci[0]), float(ci[1])] if ci else None,
                      "p": None if as_json.get("p") is None else float(as_json["p"])}
        except (KeyError, TypeError, ValueError, IndexError):
            raise CorrectionError(f"{text!r} is not an effect",
                                  hint='give measure and value, e.g. {"measure": "MD", "value": -1.6}') from None
    else:
        match = _EFFECT.match(text)
        if not match:
            raise CorrectionError(f"{text!r} is not an effect", hint="type e.g. MD -1.6 [-2.7, -0.5] p=0.004")
        low, high, p = match.group("low"), match.group("high"), match.group("p")
        effect = {"measure": match.group("measure"), "value": _number(match.group("value")),
                  "ci": [_number(low), _number(high)] if low is not None else None,
                  "p": _number(p) if p is not None else None}
    measure = next((m for m in MEASURES if m.lower() == effect["measure"].lower()), None)
    if measure is None:
        raise CorrectionError(f"{effect['measure']!r} is not an effect measure", hint=f"use one of {', '.join(MEASURES)}")
    if effect["p"] is not None and not 0 <= effect["p"] <= 1:
        raise CorrectionError(f"p = {effect['p']} is not a probability", hint="p must lie between 0 and 1")
    return {**effect, "measure": measure}


def display_value(field: str, value: Any) -> str:
    """A value in the short form ``parse_value`` reads back."""
    if value is None:
        return ""
    if field == "sample_size" and isinstance(value, dict):
        return f"{value.get('n')} {value.get('unit') or ''}".strip()
    if field == "effect" and isinstance(value, dict):
        text = f"{value.get('measure')} {value.get('value')}"
        if value.get("ci"):
            text += f" [{value['ci'][0]}, {value['ci'][1]}]"
        if value.get("p") is not None:
            text += f" p={value['p']}"
        return text
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
