"""Study design: one label per study from ``vocabulary.DESIGNS``.

The rule cues (``rules``) find the design the text states; the trained classifier is consulted
when they state none or are unsure.
"""

from __future__ import annotations

import json
from typing import Any

from ...types import ExtractedValue
from ..registry import FieldSpec, ModelHook, UnitContext
from ..vocabulary import DESIGNS
from .rules import find_design


def _find(context: UnitContext) -> list[ExtractedValue]:
    document = context.document
    return find_design(
        context.layer, context.start, context.end,
        title_span=document.title_span if context.single else None,
        publication_types=document.metadata.publication_types if context.single else (),
    )


def _strongest(candidates: list[ExtractedValue], context: UnitContext) -> list[ExtractedValue]:
    """The highest-confidence candidate (the rules list their choice first, so ties keep it)."""
    return [max(candidates, key=lambda c: c.confidence)] if candidates else []


def _from_model(candidates: list[ExtractedValue], context: UnitContext) -> list[ExtractedValue]:
    """The trained classifier's label for a study whose text states no design explicitly."""
    from ...models import design as classifier

    document, start, end = context.document, context.start, context.end
    text = document.text[start:end]
    if context.single and document.title and document.title_span and not (start <= document.title_span[0] < end):
        text = f"{document.title}\n\n{text}"
    label, probability = classifier.predict_design(text)[0]
    return [ExtractedValue("design", label, None, None, round(probability, 3),
                           f"model:{classifier.NAME}@{classifier.VERSION}",
                           attributes={"phrase": None, "reason": "no explicit cue; trained classifier"})]


def _parse(text: str, previous: Any = None) -> str:
    """``RCT``, ``cluster rct``, ``"cohort"``: the label, checked against the vocabulary by the spec."""
    try:
        as_json = json.loads(text)
    except json.JSONDecodeError:
        as_json = None
    return as_json if isinstance(as_json, str) else text.lower().replace(" ", "_").replace("-", "_")


def _csv(values: list[ExtractedValue], recorded: Any) -> dict[str, Any]:
    return {"design": recorded, "design_confidence": values[0].confidence if values else None}


SPEC = FieldSpec(
    name="design", record_key="design", multiple=False, title="Design", vocabulary=DESIGNS,
    find=_find, select=_strongest,
    models=(ModelHook("design", "unsure", _from_model),),
    rule_floor="design_min_confidence", model_floor="design_model_min_probability", trusted="design_rule_trusted",
    parse=_parse, short=str, csv=_csv, csv_columns=("design", "design_confidence"), style="black on bright_cyan",
)
