"""Sample size: the headline count of a study as FORMAT.md defines it, with its role and details.

The rules (``rules``) find every count of participants with a role, unit and stage; ``choice``
picks the headline; the trained ranker picks among the rules' counts when they pick none.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any

from ...types import Correction, ExtractedValue
from ..registry import CorrectionError, FieldSpec, ModelHook, UnitContext
from ..vocabulary import REVIEW_DESIGNS
from .rules import choose_sample_size, find_sample_sizes, sample_size_details


def _find(context: UnitContext) -> list[ExtractedValue]:
    return find_sample_sizes(context.layer, context.start, context.end)


def _headline(candidates: list[ExtractedValue], context: UnitContext) -> list[ExtractedValue]:
    pick = choose_sample_size(candidates, context.chosen_value("design"))
    return [pick] if pick is not None else []


def _not_a_review(context: UnitContext) -> bool:
    return context.chosen_value("design") not in REVIEW_DESIGNS


def _from_model(candidates: list[ExtractedValue], context: UnitContext) -> list[ExtractedValue]:
    """The trained ranker's pick among the rules' counts (it abstains when unsure)."""
    from ...models import sample_size as ranker

    pick, probability = ranker.choose_with_model(candidates, context.layer)
    if pick is None:
        return []
    return [replace(pick, confidence=round(probability, 3), source=f"model:{ranker.NAME}@{ranker.VERSION}",
                    attributes={**pick.attributes, "rule_source": pick.source})]


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
    models=(ModelHook("sample_size", "abstain", _from_model, applies=_not_a_review),),
    rule_floor="sample_size_min_confidence",
    parse=_parse, short=_short, text=_text, comparable=lambda value: (
        {"n": value.get("n"), "unit": value.get("unit")} if isinstance(value, dict) else value),
    record=lambda value: {"n": value["n"], "unit": value.get("unit")},
    csv=_csv, csv_columns=("sample_size", "sample_size_unit"), style="black on bright_green",
    corrected_role=_stated_role,
)
