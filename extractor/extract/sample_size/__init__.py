"""Sample size: the headline count of a study as FORMAT.md defines it, with its role and details.

The rules (``rules``) find every count of participants with a role, unit and stage; ``choice``
picks the headline. With models, the rules' pick stands only when its confidence reaches
``sample_size_rule_trusted``; otherwise the trained ranker (``extractor.models.sample_size``) scores
every count, with the design and the rules' choice among its features, and its pick is kept when the
calibrated chance that it is right reaches ``sample_size_model_min_probability``, else the size is null
(both thresholds in ``data/combine.json``, tuned by cross-validation folded by document).
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any

from ...types import Correction, ExtractedValue
from ..registry import CorrectionError, FieldSpec, ModelHook, UnitContext
from ..thresholds import thresholds
from ..vocabulary import REVIEW_DESIGNS
from .records import STUDY_KINDS
from .rules import choose_sample_size, find_sample_sizes, sample_size_details


def _find(context: UnitContext) -> list[ExtractedValue]:
    return find_sample_sizes(context.layer, context.start, context.end)


def _headline(candidates: list[ExtractedValue], context: UnitContext) -> list[ExtractedValue]:
    """The rules' headline; with models, only when the rules are trusted (else the ranker decides)."""
    pick = choose_sample_size(candidates, context.chosen_value("design"))
    if pick is None:
        return []
    if context.use_models and pick.confidence < thresholds()["sample_size_rule_trusted"]:
        return []  # not trusted: the model hook below decides, or abstains
    return [pick]


def _from_model(candidates: list[ExtractedValue], context: UnitContext) -> list[ExtractedValue]:
    """The trained ranker's pick among every count, its confidence the calibrated chance that it is right;
    nothing under ``sample_size_model_min_probability`` (the size is then null rather than a guess)."""
    from ...models import sample_size as ranker

    design = context.chosen_value("design")
    pick, probability = ranker.choose_with_model(
        candidates, context.layer, threshold=thresholds()["sample_size_model_min_probability"], design=design)
    if pick is None:
        return []
    value = pick.value
    if design in REVIEW_DESIGNS and pick.attributes.get("kind") in STUDY_KINDS:
        value = {"n": value["n"], "unit": "studies"}  # FORMAT.md: a review counts studies
    return [replace(pick, value=value, confidence=round(probability, 3),
                    source=f"model:{ranker.NAME}@{ranker.VERSION}",
                    attributes={**pick.attributes, "rule_source": pick.source, "rule_confidence": pick.confidence})]


def _with_details(chosen: list[ExtractedValue], candidates: list[ExtractedValue]) -> None:
    """Per-arm counts, clusters and attrition travel with the headline size as fields of their own."""
    headline = chosen[0]
    headline.attributes = {**headline.attributes, "details": sample_size_details(candidates)}


def _parse(text: str, previous: Any = None) -> dict[str, Any]:
    """``240``, ``240 mothers``, ``{"n": 240, "unit": "mothers"}``; the unit of ``previous`` is kept when none is typed."""
    try:
        as_json = json.loads(text)
    except json.JSONDecodeError:
        as_json = None
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


def _short(value: Any) -> str:
    if isinstance(value, dict):
        return f"{value.get('n')} {value.get('unit') or ''}".strip()
    return json.dumps(value, ensure_ascii=False)


def _text(value: ExtractedValue) -> str:
    return f"{value.value['n']} {value.value.get('unit') or ''}".strip()


def _csv(values: list[ExtractedValue], recorded: Any) -> dict[str, Any]:
    size = recorded or {}
    return {"sample_size": size.get("n"), "sample_size_unit": size.get("unit")}


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


SPEC = FieldSpec(
    name="sample_size", record_key="sample_size", multiple=False, title="Sample size",
    find=_find, select=_headline, finish=_with_details,
    models=(ModelHook("sample_size", "abstain", _from_model),),
    rule_floor="sample_size_min_confidence",
    parse=_parse, short=_short, text=_text, comparable=lambda value: (
        {"n": value.get("n"), "unit": value.get("unit")} if isinstance(value, dict) else value),
    record=lambda value: {"n": value["n"], "unit": value.get("unit")},
    csv=_csv, csv_columns=("sample_size", "sample_size_unit"), style="black on bright_green",
    corrected_role=_stated_role,
)
