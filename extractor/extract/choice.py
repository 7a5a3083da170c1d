"""The one place that chooses: rule and model candidates meet here, every candidate is kept, and the
chosen values are marked; an annotator's correction outranks any of them when records are read.

For each field of a study unit, ``choose`` gathers the rules' candidates (``FieldSpec.find``),
consults the field's trained models as its spec says (``ModelHook.consult``), keeps the candidates
that reach the field's floors (``eligible``), lets the field's ``select`` pick among them, and
returns every candidate beside the chosen ones. Thresholds come from ``data/combine.json``.

``score`` is the seam for a learned chooser: every floor and every comparison between a rule's and
a model's candidate reads it. For a field with a calibration (``models/<field>/calibration.json``,
``extractor.models.calibration``) it is the probability that the candidate is right, and that
probability becomes the candidate's stored confidence (the raw one kept as ``raw_confidence``);
otherwise it is the candidate's own confidence. A calibration that ``applies`` to the stored confidence
only (outcomes) is left out of ``score``: the field is chosen on raw confidences, and ``choose`` then
stores every candidate's probability (``stored_probabilities``), so it changes no choice.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..models.calibration import calibration
from ..types import Correction, ExtractedValue, StudyUnit
from .fields import multiple, spec_of
from .registry import FieldSpec, UnitContext
from .thresholds import thresholds


def score(spec: FieldSpec, candidate: ExtractedValue, context: UnitContext | None = None) -> float:
    """How strongly a candidate is believed, on the scale of the field's floors: its calibrated
    probability of being right where the field has a calibration that applies to the choice (and
    ``calibrated`` has not yet stored it); its raw confidence where the calibration applies to the stored
    confidence only; else its own confidence."""
    table = calibration(spec.name)
    if table is not None and table.applies == "stored":  # chosen on the raw confidence, stored calibrated
        return float((candidate.attributes or {}).get("raw_confidence", candidate.confidence))
    if table is None or "raw_confidence" in (candidate.attributes or {}):
        return candidate.confidence
    probability = table.probability(candidate.source, candidate.confidence)
    return candidate.confidence if probability is None else probability


def calibrated(spec: FieldSpec, candidates: list[ExtractedValue], context: UnitContext | None = None
               ) -> list[ExtractedValue]:
    """The candidates with their ``score`` stored as their confidence (the raw one kept in ``raw_confidence``)."""
    table = calibration(spec.name)
    if table is None or table.applies != "choice":
        return candidates
    return [_with_probability(candidate, score(spec, candidate, context)) for candidate in candidates]


def _with_probability(candidate: ExtractedValue, probability: float | None) -> ExtractedValue:
    """A copy of the candidate storing ``probability`` as its confidence, the raw one kept in ``raw_confidence``
    (the candidate itself when there is none or it is the same)."""
    if probability is None or probability == candidate.confidence:
        return candidate
    attributes = {**(candidate.attributes or {}), "raw_confidence": candidate.confidence}
    return replace(candidate, confidence=round(probability, 3), attributes=attributes)


def stored_probabilities(spec: FieldSpec, candidates: list[ExtractedValue], chosen: list[ExtractedValue]
                         ) -> tuple[list[ExtractedValue], list[ExtractedValue]]:
    """(candidates, chosen) with each value's calibrated probability as its stored confidence, for a field whose
    calibration ``applies`` to the stored confidence only; a value in both lists stays one object."""
    table = calibration(spec.name)
    if table is None or table.applies != "stored":
        return candidates, chosen
    mapped: dict[int, ExtractedValue] = {}
    for value in [*candidates, *chosen]:
        if id(value) not in mapped:
            raw = "raw_confidence" in (value.attributes or {})
            mapped[id(value)] = value if raw else _with_probability(
                value, table.probability(value.source, value.confidence))
    return [mapped[id(value)] for value in candidates], [mapped[id(value)] for value in chosen]


def uncalibrated(values: list[ExtractedValue]) -> list[ExtractedValue]:
    """The values with the raw confidence they were chosen on (``raw_confidence``) as their confidence, for code
    that replays a choice on extracted values (trainers); values never calibrated are returned as they are."""
    return [replace(value, confidence=float(value.attributes["raw_confidence"]))
            if "raw_confidence" in (value.attributes or {}) else value for value in values]


def is_model(candidate: ExtractedValue) -> bool:
    """Whether a trained model (not a rule, not an annotator) proposed the candidate."""
    return candidate.source.startswith("model:")


def eligible(spec: FieldSpec, candidates: list[ExtractedValue], context: UnitContext | None = None
             ) -> list[ExtractedValue]:
    """The candidates at or above the field's floor: the model floor for model candidates, else the rule floor."""
    limits = thresholds()
    kept = []
    for candidate in candidates:
        name = spec.model_floor if is_model(candidate) and spec.model_floor else spec.rule_floor
        if name is None or score(spec, candidate, context) >= limits[name]:
            kept.append(candidate)
    return kept


def choose(spec: FieldSpec, context: UnitContext) -> tuple[list[ExtractedValue], list[ExtractedValue]]:
    """(every candidate of the field, the chosen ones) for one study unit.

    A model consulted when the rules abstain re-ranks the rules' candidates: its pick is a copy
    carrying the model's source, and it joins the unit's values only when chosen (``mark_chosen``).
    """
    limits = thresholds()
    candidates = calibrated(spec, spec.find(context), context)
    hooks = [hook for hook in spec.models if context.use_models and hook.applies(context)]
    for hook in hooks:
        if hook.consult == "join":
            candidates = candidates + calibrated(spec, hook.propose(candidates, context), context)
    chosen = spec.select(eligible(spec, candidates, context), context)
    for hook in hooks:
        if hook.consult == "unsure":
            trusted = limits[spec.trusted] if spec.trusted else float("inf")
            if chosen and score(spec, chosen[0], context) >= trusted:
                continue
            proposed = calibrated(spec, hook.propose(candidates, context), context)
            candidates = candidates + proposed
            best = max(proposed, key=lambda c: score(spec, c, context), default=None)
            if best is not None and spec.model_floor and score(spec, best, context) >= limits[spec.model_floor] and (
                not chosen or score(spec, best, context) > score(spec, chosen[0], context)
            ):
                chosen = [best]
        elif hook.consult == "abstain" and not chosen:
            chosen = calibrated(spec, hook.propose(candidates, context), context)[:1]
    if chosen and spec.finish is not None:
        spec.finish(chosen, candidates)
    return stored_probabilities(spec, candidates, chosen)


def mark_chosen(candidates: list[ExtractedValue], chosen: list[ExtractedValue | None]) -> None:
    """Set ``chosen`` on exactly the candidates picked; a chooser's merged value joins the list."""
    picked = {id(value) for value in chosen if value is not None}
    known = {id(candidate) for candidate in candidates}
    for candidate in candidates:
        candidate.chosen = id(candidate) in picked
    for value in chosen:
        if value is not None and id(value) not in known:
            value.chosen = True
            candidates.append(value)


def apply_corrections(units: list[StudyUnit], corrections: list[Correction]) -> list[StudyUnit]:
    """The study units with each correction applied in the order it was made: the annotator's value is
    chosen over every machine value (for a one-value field, in place of it), with the role the correction
    keeps (else the one its spec reads from the candidates) and where its evidence came from."""
    by_index = {unit.index: replace(unit, values=list(unit.values)) for unit in units}
    for correction in corrections:
        unit = by_index.get(correction.study_index)
        if unit is None:
            continue
        replaced = _replaced(unit, correction)
        if not multiple(correction.field):
            for value in unit.values:
                if value.field == correction.field:
                    value.chosen = False
        else:
            if replaced is not None:
                replaced.chosen = False
            if correction.value_after is not None:
                # any chosen copy of the value after (two annotators adding the same outcome give one, not two)
                for value in unit.values:
                    if value.field == correction.field and value.chosen and value.value == correction.value_after:
                        value.chosen = False
                        break
        if correction.value_after is not None:
            start, end, evidence = correction.start, correction.end, correction.evidence
            if evidence is None and replaced is not None and correction.value_after != correction.value_before \
                    and start is not None and (start, end) == (replaced.start, replaced.end):
                # made before evidence was kept: an edit copied the quote of the value it replaced
                start, end, evidence = None, None, "by hand"
            if correction.role is not None:
                role = correction.role
            elif replaced is not None:
                role = replaced.role  # the role stays what it was unless the annotator changed it
            else:
                role = _corrected_role(unit.values, correction)
            unit.values.append(ExtractedValue(
                field=correction.field, value=correction.value_after, start=start, end=end,
                confidence=1.0, source=f"annotator:{correction.annotator}", chosen=True, role=role,
                attributes={"corrected_at": correction.created_at, "reason": correction.reason,
                            **({"evidence": evidence} if evidence else {})},
            ))
    return [by_index[unit.index] for unit in units]


def _replaced(unit: StudyUnit, correction: Correction) -> ExtractedValue | None:
    """The chosen value a correction replaces: the one equal to its value before; failing that, where the
    field's spec says what names a value (an effect's numbers), the one machine value so named, so that a
    re-run which changed another of its parts (an effect's outcome link) leaves no second copy beside the
    correction. None when it adds a value, or nothing (or more than one value) matches."""
    before = correction.value_before
    if before is None:
        return None
    chosen = [value for value in unit.values if value.field == correction.field and value.chosen]
    exact = next((value for value in chosen if value.value == before), None)
    if exact is not None:
        return exact
    try:
        identity = spec_of(correction.field).identity
    except KeyError:
        return None
    if identity is None:
        return None
    same = [value for value in chosen if not value.source.startswith("annotator:")
            and identity(value.value) == identity(before)]
    return same[0] if len(same) == 1 else None


def _corrected_role(values: list[ExtractedValue], correction: Correction) -> str | None:
    """The role the field's spec gives a corrected value (a sample size's randomised, analysed, ...)."""
    try:
        spec = spec_of(correction.field)
    except KeyError:
        return None
    return spec.corrected_role(values, correction) if spec.corrected_role is not None else None


def chosen_values(unit: StudyUnit, field: str) -> list[Any]:
    """A study's chosen values of one field, in order (at most one for a one-value field)."""
    values = [value.value for value in unit.values if value.field == field and value.chosen]
    return values if multiple(field) else values[:1]
