"""Study design: one label per study from ``vocabulary.DESIGNS``.

The rule cues (``rules``) find the design the text states; the trained classifier is consulted
when they state none or are unsure.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ...identifiers import reference_heading
from ...types import ExtractedValue
from ..registry import FieldSpec, ModelHook, UnitContext
from ..vocabulary import DESIGNS, REVIEW_DESIGNS
from .rules import article_type_lines, find_design


def _find(context: UnitContext) -> list[ExtractedValue]:
    document = context.document
    types = (article_type_lines(document.text, document.title_span[0])
             if context.single and document.title_span else [])
    found = find_design(
        context.layer, context.start, context.end,
        title_span=document.title_span if context.single else None,
        publication_types=[*document.metadata.publication_types, *(name for _, name in types)]
        if context.single else (),
        type_lines=[span for span, _ in types],
    )
    if found or not context.single:
        return found
    # The abstract found may be only its first paragraph ("Question: ..." before "Study selection and
    # analysis: ..."): with no cue there, the rest of the text up to its references is read. Beyond the
    # analysed scope a cue counts half (``rules._place``: no sentence known), so it rarely outweighs the model.
    text = document.text
    after = reference_heading(text, context.end)
    stop = len(text) if after is None else after
    if stop - context.end < MIN_MODEL_TEXT:
        return found
    return find_design(context.layer, context.end, stop)


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
    ranked = classifier.predict_design(text)
    reason = "no explicit cue; trained classifier"
    if not any(c.value in REVIEW_DESIGNS for c in candidates):  # a review states itself
        ranked = classifier.primary_designs(ranked)
        reason = "no explicit cue; trained classifier (no review cue, so a primary design)"
    if ranked[0][0] == "case_report" and not _CASE_DESCRIBED.search(text):
        # A case report describes a patient or a case; without one the model's case_report is a narrative review
        # or an essay it has no label for (public dev: 3 of 3 such picks wrong, 0 of 35 case reports lost).
        ranked = [pair for pair in ranked if pair[0] != "case_report"]
        reason = f"{reason}; no patient or case described, so not a case report"
    label, probability = ranked[0]
    return [ExtractedValue("design", label, None, None, round(probability, 3),
                           f"model:{classifier.NAME}@{classifier.VERSION}",
                           attributes={"phrase": None, "reason": reason})]


def rechoose(candidates: list[ExtractedValue], limits: dict[str, float]) -> list[ExtractedValue]:
    """The design ``choice.choose`` picks from a unit's candidates (calibrated confidences) under ``limits``
    (the three design thresholds of ``data/combine.json``), when every candidate was collected: the strongest
    rule candidate at or above the rule floor; below the trusted level, the model's label instead when it
    reaches the model floor and is more probable; nothing (null) when neither reaches its floor."""
    rules = [c for c in candidates if c.source.startswith("rule:") and c.confidence >= limits["design_min_confidence"]]
    chosen = max(rules, key=lambda c: c.confidence) if rules else None
    if chosen is None or chosen.confidence < limits["design_rule_trusted"]:
        models = [c for c in candidates if c.source.startswith("model:")]
        best = max(models, key=lambda c: c.confidence) if models else None
        if best is not None and best.confidence >= limits["design_model_min_probability"] and (
            chosen is None or best.confidence > chosen.confidence
        ):
            chosen = best
    return [chosen] if chosen is not None else []


def threshold_grid() -> list[dict[str, float]]:
    """The design thresholds tried when they are tuned (``extractor evaluate``, 5-fold CV by document); higher
    floors first, so that of settings with the same figures the one that abstains more is kept."""
    return [{"design_min_confidence": floor, "design_rule_trusted": trusted, "design_model_min_probability": model}
            for floor in (0.6, 0.5, 0.4, 0.3, 0.2, 0.0) for trusted in (0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
            for model in (0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.0)]  # fmt: skip


# Words without which a text describes no patient or case (243 of the 246 case reports of the public train and dev
# splits have one; the three without describe a vein, a nodule and "a young healthy male" plainly).
_CASE_DESCRIBED = re.compile(
    r"\b(?:cases?|patients?|\d+[- ](?:year|month|week|day)s?[- ]old|man|woman|male|female|boy|girl|infant|neonate|"
    r"presented|presenting|admitted|diagnosed)\b", re.I)
MIN_MODEL_TEXT = 100  # characters of study text the model needs (it was trained on abstracts of 100+)


def _enough_text(context: UnitContext) -> bool:
    """The model is asked only about a study with text to read: a bare title is not what it learned from."""
    return context.end - context.start >= MIN_MODEL_TEXT


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
    models=(ModelHook("design", "unsure", _from_model, applies=_enough_text),),
    rule_floor="design_min_confidence", model_floor="design_model_min_probability", trusted="design_rule_trusted",
    parse=_parse, short=str, csv=_csv, csv_columns=("design", "design_confidence"), style="black on bright_cyan",
)
