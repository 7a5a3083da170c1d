"""Outcome measures: instruments and measured constructs a study reports.

The rules (``rules``) find every mention; the trained outcome-span tagger adds spans the rules
miss (and notes those it agrees with); ``choice`` groups mentions of one outcome and reports them.
"""

from __future__ import annotations

from ...types import ExtractedValue
from ..registry import FieldSpec, ModelHook, UnitContext
from ..thresholds import thresholds
from .rules import choose_outcomes, find_outcomes


def _find(context: UnitContext) -> list[ExtractedValue]:
    return find_outcomes(context.layer, context.start, context.end)


def _report(candidates: list[ExtractedValue], context: UnitContext) -> list[ExtractedValue]:
    return choose_outcomes(candidates)


def _from_model(candidates: list[ExtractedValue], context: UnitContext) -> list[ExtractedValue]:
    """Model spans fold into the rule mentions they overlap; the others are new candidates."""
    from ...models.outcome_spans import model_outcome_candidates

    return model_outcome_candidates(context.layer.text, context.start, context.end, candidates,
                                    thresholds()["outcome_min_confidence"])


SPEC = FieldSpec(
    name="outcome", record_key="outcomes", multiple=True, title="Outcomes",
    find=_find, select=_report,
    models=(ModelHook("outcome_spans", "join", _from_model),),
    rule_floor="outcome_min_confidence", model_floor="outcome_model_min_probability",
    csv_columns=("outcomes",), style="black on bright_magenta",
)
