"""Sample size: the headline count of a study as FORMAT.md defines it, with its role and details.

The rules (``rules``) find every count of participants with a role, unit and stage; ``choice``
picks the headline. With models, the trained ranker (``extractor.models.sample_size``) scores every
count, with the design and the rules' choice among its features; the rules' pick stands when its
confidence reaches ``sample_size_rule_trusted`` (stored with its calibrated chance of being right) and
the ranker does not find another count more likely by ``sample_size_model_overrules_margin``;
otherwise the ranker's top count is kept when its calibrated chance reaches
``sample_size_model_min_probability``, else the size is null (both thresholds in ``data/combine.json``,
tuned by cross-validation folded by document: ``scripts/tune_sample_size.py``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from typing import Any

from ...textlayer import TextLayer
from ...types import Correction, ExtractedValue
from ..registry import CorrectionError, FieldSpec, ModelHook, UnitContext
from ..thresholds import thresholds
from ..vocabulary import REVIEW_DESIGNS
from .records import STUDY_KINDS
from .rules import choose_sample_size, find_sample_sizes, sample_size_details


def _find(context: UnitContext) -> list[ExtractedValue]:
    return find_sample_sizes(context.layer, context.start, context.end)


def _headline(candidates: list[ExtractedValue], context: UnitContext) -> list[ExtractedValue]:
    """The rules' headline when no model is used; with models the model hook decides (``decide``)."""
    if context.use_models:
        return []
    pick = choose_sample_size(candidates, context.chosen_value("design"))
    return [pick] if pick is not None else []


@dataclass
class Decision:
    """What the chooser weighs for one study unit: the rules' headline with the calibrated chance that it is
    right (from its rule confidence), the ranker's chance for the same count (None when the ranker did not
    run), and the ranker's top count with its calibrated chance."""

    rule: ExtractedValue | None
    rule_chance: float | None
    top: ExtractedValue | None
    top_chance: float
    rule_rank_chance: float | None = None


def weigh(candidates: list[ExtractedValue], layer: TextLayer, design: str | None, model: Any = None,
          trusted: float | None = None) -> Decision:
    """The rules' headline (among the counts at the rule floor) and the ranker's scores of every count
    (``model``: the committed ranker by default). With ``trusted``, the ranker is not run when the rules'
    pick reaches it (its answer could not change the choice)."""
    from ...models import sample_size as ranker

    floor = thresholds()["sample_size_min_confidence"]
    rule = choose_sample_size([c for c in candidates if c.confidence >= floor], design)
    model = model or ranker.load()
    rule_chance = None
    if rule is not None:
        rule_chance = ranker.calibrated(rule.confidence, model.metadata.get("rule_calibration"))
    if trusted is not None and rule is not None and rule.confidence >= trusted:
        return Decision(rule, rule_chance, None, 0.0)
    ranked = ranker.rank_sample_sizes(candidates, layer, model, design=design)
    if not ranked:
        return Decision(rule, rule_chance, None, 0.0)
    calibration = model.metadata.get("calibration")
    rule_rank_chance = None
    if rule is not None:
        same = [p for c, p in ranked if c.value["n"] == rule.value["n"]]
        rule_rank_chance = ranker.calibrated(max(same), calibration) if same else None
    top, score = ranked[0]
    return Decision(rule, rule_chance, top, ranker.calibrated(score, calibration), rule_rank_chance)


def decide(decision: Decision, design: str | None, trusted: float, floor: float,
           margin: float = float("inf")) -> ExtractedValue | None:
    """The headline: the rules' when their confidence reaches ``trusted`` (stored with its calibrated chance)
    and the ranker does not find another count more likely by ``margin`` or more, else the ranker's top count
    when its calibrated chance reaches ``floor``, else None (null rather than a guess)."""
    from ...models import sample_size as ranker

    rule = decision.rule
    overruled = (rule is not None and decision.top is not None and decision.rule_rank_chance is not None
                 and decision.top.value["n"] != rule.value["n"]
                 and decision.top_chance - decision.rule_rank_chance >= margin)
    if rule is not None and rule.confidence >= trusted and not overruled:
        if decision.rule_chance is None:
            return rule
        return replace(rule, confidence=round(decision.rule_chance, 3),
                       attributes={**rule.attributes, "rule_confidence": rule.confidence})
    pick = decision.top
    if pick is None or decision.top_chance < floor:
        return None
    value = pick.value
    if design in REVIEW_DESIGNS and pick.attributes.get("kind") in STUDY_KINDS:
        value = {"n": value["n"], "unit": "studies"}  # FORMAT.md: a review counts studies
    return replace(pick, value=value, confidence=round(decision.top_chance, 3),
                   source=f"model:{ranker.NAME}@{ranker.VERSION}",
                   attributes={**pick.attributes, "rule_source": pick.source, "rule_confidence": pick.confidence})


def _from_model(candidates: list[ExtractedValue], context: UnitContext) -> list[ExtractedValue]:
    """The chooser with the trained ranker (``weigh`` then ``decide``, thresholds from ``data/combine.json``)."""
    limits = thresholds()
    design = context.chosen_value("design")
    trusted, margin = limits["sample_size_rule_trusted"], limits["sample_size_model_overrules_margin"]
    # a chance is at most 1: with a margin of 1 or more the ranker never overrules a trusted pick, so it is
    # not run for one
    decision = weigh(candidates, context.layer, design, trusted=trusted if margin >= 1.0 else None)
    pick = decide(decision, design, trusted, limits["sample_size_model_min_probability"], margin)
    if pick is None:
        return []
    rule = decision.rule
    if rule is not None and pick.source == rule.source and pick.start == rule.start and pick.value == rule.value \
            and any(candidate is rule for candidate in candidates):
        # the rules' own candidate is chosen (with the calibrated confidence), not a copy beside it
        rule.confidence, rule.attributes = pick.confidence, pick.attributes
        return [rule]
    return [pick]


def judge(gold: dict[str, Any], chosen: list[ExtractedValue]) -> list[tuple[float | None, bool]]:
    """A gold study's sample size against the chosen one: [(stored confidence or None when null, right)];
    nothing when the gold has no size (for per-field reliability reports)."""
    size = gold.get("sample_size")
    if not isinstance(size, dict) or size.get("n") is None:
        return []
    value = chosen[0] if chosen else None
    return [(value.confidence if value else None,
             value is not None and isinstance(value.value, dict) and value.value.get("n") == size["n"])]


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
