"""The record page's content: the text cut into highlighted segments, and every field per study unit."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ..corrections import CorrectionError, display_value, role_choices
from ..extract.fields import names, spec_of, specs
from ..types import Document, ExtractedValue, StudyUnit


def field_names() -> dict[str, str]:
    """Each registered field's name as the pages show it."""
    return {spec.name: spec.title for spec in specs()}


def field_keys() -> dict[str, str]:
    """The key that jumps to each field on the record page: 1, 2, ... in record order (the first nine)."""
    return {name: str(number) for number, name in enumerate(names(), 1) if number <= 9}


@dataclass
class Segment:
    """A run of the text with the same highlights; ``start`` is its offset in the document text."""

    start: int
    text: str
    fields: list[str] = field(default_factory=list)
    value_ids: list[str] = field(default_factory=list)


@dataclass
class ValueView:
    """One chosen (or candidate) value as the page shows it, with what a form needs to correct it."""

    id: str
    field: str
    shown: str
    before: str  # the value as JSON, sent back when the annotator corrects it
    confidence: float
    source: str
    role: str | None
    start: int | None
    end: int | None
    evidence: str | None
    corrected: bool
    origin: str | None = None  # an annotator's value: "selection", "kept" or "by hand" (typed, no evidence)
    parts: dict[str, str] = field(default_factory=dict)  # the edit form's inputs for a value of parts
    roles: tuple[str, ...] = ()  # the roles the annotator may give it


@dataclass
class UnitView:
    """One study unit's fields, each with its chosen values and the candidates left out."""

    index: int
    number: int
    label: str | None
    fields: list[tuple[str, list[ValueView], list[ValueView]]]
    outcomes: list[str] = field(default_factory=list)  # the study's chosen outcomes, offered for an effect's link


def _number(number: Any) -> str:
    """A number as the edit form shows it (``-2.4``, ``0.002``; whole floats without ``.0``)."""
    if number is None:
        return ""
    if isinstance(number, float) and number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    return str(number)


def parts_of(field_name: str, value: Any) -> dict[str, str]:
    """The parts an annotator edits one by one: an effect's measure, value, CI, p and outcome; a count and its
    unit. Empty for a field edited as one value."""
    if not isinstance(value, dict):
        return {}
    if field_name == "effect":
        ci = value.get("ci") or [None, None]
        return {"measure": str(value.get("measure") or ""), "value": _number(value.get("value")),
                "ci_low": _number(ci[0]), "ci_high": _number(ci[1]), "p": _number(value.get("p")),
                "outcome": str(value.get("outcome") or "")}
    if field_name == "sample_size":
        return {"n": _number(value.get("n")), "unit": str(value.get("unit") or "")}
    return {}


PART_PREFIX = "part-"


def _part_number(name: str, text: str) -> float | None:
    text = text.strip().replace("\u2212", "-")
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        raise CorrectionError(f"the {name} {text[:40]!r} is not a number", hint="type a number such as -1.6") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise CorrectionError(f"the {name} {text[:40]!r} is not a number", hint="type a number such as -1.6")
    return number


def value_of_parts(field_name: str, form: dict[str, str]) -> str | None:
    """The value an edit form's parts make (``part-measure``, ``part-value``, ... or ``part-n``, ``part-unit``),
    as JSON for the field's spec to check; None when the form has no parts. An empty outcome clears the
    effect's link; an empty CI or p leaves it out."""
    parts = {key[len(PART_PREFIX):]: value for key, value in form.items() if key.startswith(PART_PREFIX)}
    if not parts:
        return None
    if field_name == "effect":
        measure = parts.get("measure", "").strip()
        if not measure:
            raise CorrectionError("no measure given for the effect", hint="choose a measure such as MD or OR")
        number = _part_number("value", parts.get("value", ""))
        if number is None:
            raise CorrectionError("no value given for the effect", hint="type the estimate, e.g. -1.6")
        low, high = _part_number("CI low", parts.get("ci_low", "")), _part_number("CI high", parts.get("ci_high", ""))
        if (low is None) != (high is None):
            raise CorrectionError("only one end of the confidence interval given",
                                  hint="give both ends of the CI, or leave both empty")
        if low is not None and high is not None and low > high:
            raise CorrectionError(f"the CI {low} to {high} runs backwards", hint="the low end comes first")
        outcome = " ".join(parts.get("outcome", "").split()) or None
        return json.dumps({"measure": measure, "value": number, "ci": None if low is None else [low, high],
                           "p": _part_number("p", parts.get("p", "")), "outcome": outcome}, ensure_ascii=False)
    if field_name == "sample_size":
        count = parts.get("n", "").strip().replace(",", "")
        if not count.isdigit():
            raise CorrectionError(f"the count {count[:40]!r} is not a whole number", hint="type a count such as 68")
        return json.dumps({"n": int(count), "unit": " ".join(parts.get("unit", "").split()) or None},
                          ensure_ascii=False)
    raise CorrectionError(f"{field_name} is edited as one value, not in parts", hint="type the value in one box")


def _view(unit: StudyUnit, position: int, value: ExtractedValue, text: str) -> ValueView:
    inside = value.start is not None and value.end is not None and 0 <= value.start < value.end <= len(text)
    corrected = value.source.startswith("annotator:")
    return ValueView(
        id=f"u{unit.index}-v{position}", field=value.field, shown=display_value(value.field, value.value),
        before=json.dumps(value.value, ensure_ascii=False), confidence=value.confidence, source=value.source,
        role=value.role, start=value.start if inside else None, end=value.end if inside else None,
        evidence=text[value.start : value.end] if inside else None, corrected=corrected,
        origin=(value.attributes or {}).get("evidence") if corrected else None,
        parts=parts_of(value.field, value.value), roles=role_choices(value.field),
    )


def unit_views(document: Document, units: list[StudyUnit]) -> list[UnitView]:
    """Every registered field of every study unit in record order, chosen values first and candidates apart."""
    views = []
    for number, unit in enumerate(units, 1):
        fields = []
        for name in names():
            single = not spec_of(name).multiple
            chosen = [_view(unit, i, v, document.text) for i, v in enumerate(unit.values) if v.field == name and v.chosen]
            seen = {view.before for view in chosen}
            candidates = []
            for i, value in enumerate(unit.values):
                if value.field == name and not value.chosen and single:
                    view = _view(unit, i, value, document.text)
                    if view.before not in seen and not view.corrected:
                        seen.add(view.before)
                        candidates.append(view)
            fields.append((name, chosen, candidates))
        outcomes = [str(value.value) for value in unit.values if value.field == "outcome" and value.chosen]
        views.append(UnitView(unit.index, number, unit.label, fields, outcomes))
    return views


def segments(text: str, views: list[UnitView]) -> list[Segment]:
    """The text cut at every evidence boundary; each piece lists the fields and values whose evidence covers it."""
    spans = [(value.start, value.end, value.field, value.id)
             for unit in views for _, chosen, _ in unit.fields for value in chosen
             if value.start is not None and value.end is not None]
    cuts = sorted({0, len(text), *(start for start, *_ in spans), *(end for _, end, *_ in spans)})
    pieces = []
    for start, end in zip(cuts, cuts[1:], strict=False):
        covering = [(e - s, f, v) for s, e, f, v in spans if s <= start and end <= e]
        covering.sort()  # the narrowest evidence decides the colour
        pieces.append(Segment(start, text[start:end], [f for _, f, _ in covering], [v for *_, v in covering]))
    return pieces
