"""Outcome measures: instruments and measured constructs a study reports.

The rules (``rules``) find every mention; the trained outcome-span tagger adds spans the rules
miss (and notes those it agrees with); ``choice`` groups mentions of one outcome and reports them.
"""

from __future__ import annotations

from ...types import ExtractedValue
from ..registry import FieldSpec, ModelHook, UnitContext
from ..thresholds import thresholds
from .choice import STRONG
from .rules import choose_outcomes, find_outcomes, read_sentences


def _find(context: UnitContext) -> list[ExtractedValue]:
    return find_outcomes(context.layer, context.start, context.end)


def _report(candidates: list[ExtractedValue], context: UnitContext) -> list[ExtractedValue]:
    """The outcomes to report: the rules' strong (or weak) groups of mentions; with models on and the outcome
    scorer active, those its chooser believes, and the other groups it believes enough."""
    from ...models import outcome_scorer

    limits = thresholds()
    if context.use_models and outcome_scorer.active(limits) and outcome_scorer.has_group_model():
        keep = outcome_scorer.group_chooser(limits["outcome_group_keep_min_probability"],
                                            limits["outcome_group_add_min_probability"])
        return choose_outcomes(candidates, keep)
    return choose_outcomes(candidates)


def _from_model(candidates: list[ExtractedValue], context: UnitContext) -> list[ExtractedValue]:
    """Model spans fold into the rule mentions they overlap; the others are new candidates. With the outcome
    scorer active (``outcome_scorer.active``), every candidate is then scored by it, and the chunks of the unit's
    sentences that no candidate covers join as candidates of their own. With the chooser off and
    ``outcome_scorer_rescue_min_probability`` set, the scorer only rescues tagger spans below the tagger's floor
    (``_rescue``), and with ``outcome_scorer_rescue_rule_min_probability`` set, rule mentions the rules rate
    weak (``_rescue_rules``)."""
    from ...models import outcome_scorer
    from ...models.outcome_spans import (
        current_model,
        model_outcome_candidates,
        predict_tokens,
        spans_of_tokens,
    )

    text = context.layer.text
    model = current_model()
    words, starts, probabilities = predict_tokens(text, context.start, context.end, model)
    spans = spans_of_tokens(words, starts, probabilities, model.token_threshold)
    proposed = model_outcome_candidates(text, context.start, context.end, candidates,
                                        thresholds()["outcome_min_confidence"], model, spans)
    limits = thresholds()
    rescue = limits.get("outcome_scorer_rescue_min_probability")
    scoring = outcome_scorer.active(limits)
    if not scoring and (rescue is None or not outcome_scorer.available()):
        return proposed
    tokens = outcome_scorer.token_probabilities_of(words, starts, probabilities)
    sentences = read_sentences(context.layer, context.start, context.end)
    if scoring:
        return proposed + outcome_scorer.score_outcome_candidates(text, sentences, candidates, proposed, tokens)
    floor = limits["outcome_model_min_probability"]
    rule_rescue = limits.get("outcome_scorer_rescue_rule_min_probability")
    outcome_scorer.score_weak_candidates(text, sentences, candidates, proposed, tokens,
                                         STRONG if rule_rescue is not None else 0.0, floor)
    if rule_rescue is not None:
        _rescue_rules(candidates, rule_rescue)
    return _rescue(proposed, rescue, floor)


def _rescue_rules(candidates: list[ExtractedValue], rescue: float) -> None:
    """A rule mention the rules rate under ``STRONG`` (so reported only in a unit with nothing strong, or not at
    all) is raised to ``STRONG`` when the scorer's probability reaches ``rescue``; its own confidence is kept as
    ``rule_confidence``."""
    for candidate in candidates:
        if candidate.field != "outcome" or not candidate.source.startswith("rule:"):
            continue
        confidence = float(candidate.confidence)
        if confidence < STRONG and float(candidate.attributes.get("scorer_probability", 0.0)) >= rescue:
            candidate.attributes = {**candidate.attributes, "rescued": True, "rule_confidence": confidence}
            candidate.confidence = STRONG


def _rescue(proposed: list[ExtractedValue], rescue: float, floor: float) -> list[ExtractedValue]:
    """With the outcome chooser off, the scorer only lets a tagger span below the tagger's floor join: one
    whose scorer probability reaches ``rescue`` takes the floor as its confidence (``rescued``); every other
    span keeps its span probability. The scorer's chunks are not offered (on the dev gold they were table
    cells and links)."""
    for candidate in proposed:
        span = float(candidate.attributes.get("span_probability", candidate.confidence))
        candidate.confidence = span
        if span < floor and float(candidate.attributes.get("scorer_probability", 0.0)) >= rescue:
            candidate.confidence = floor
            candidate.attributes = {**candidate.attributes, "rescued": True}
    return proposed


SPEC = FieldSpec(
    name="outcome", record_key="outcomes", multiple=True, title="Outcomes",
    find=_find, select=_report,
    models=(ModelHook("outcome_spans", "join", _from_model),),
    rule_floor="outcome_min_confidence", model_floor="outcome_model_min_probability",
    csv_columns=("outcomes",), style="black on bright_magenta",
)
