"""The record page's content: the text cut into highlighted segments, and every field per study unit."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from ..corrections import display_value
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


@dataclass
class UnitView:
    """One study unit's fields, each with its chosen values and the candidates left out."""

    index: int
    number: int
    label: str | None
    fields: list[tuple[str, list[ValueView], list[ValueView]]]


def _view(unit: StudyUnit, position: int, value: ExtractedValue, text: str) -> ValueView:
    inside = value.start is not None and value.end is not None and 0 <= value.start < value.end <= len(text)
    return ValueView(
        id=f"u{unit.index}-v{position}", field=value.field, shown=display_value(value.field, value.value),
        before=json.dumps(value.value, ensure_ascii=False), confidence=value.confidence, source=value.source,
        role=value.role, start=value.start if inside else None, end=value.end if inside else None,
        evidence=text[value.start : value.end] if inside else None, corrected=value.source.startswith("annotator:"),
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
        views.append(UnitView(unit.index, number, unit.label, fields))
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
