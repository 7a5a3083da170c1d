"""The one place that chooses: every candidate is kept, one value per field is marked chosen.

Rules and (later) trained models both offer candidates with their source and
confidence; thresholds come from ``data/combine.json``. A value an annotator
corrected is never replaced: corrections are applied over the machine choice
when records are read back (see ``store.Store.studies``).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from ..types import ExtractedValue

_CONFIG = Path(__file__).resolve().parents[1] / "data" / "combine.json"


@cache
def thresholds() -> dict[str, Any]:
    """The combine thresholds, loaded once."""
    return json.loads(_CONFIG.read_text(encoding="utf-8"))


def choose_design(candidates: list[ExtractedValue]) -> ExtractedValue | None:
    """The highest-confidence design candidate (the extractor lists its choice first)."""
    if not candidates:
        return None
    best = max(candidates, key=lambda c: c.confidence)
    return best if best.confidence >= thresholds()["design_min_confidence"] else None


def choose_effects(candidates: list[ExtractedValue]) -> list[ExtractedValue]:
    """Effects at or above the threshold, once each, in text order."""
    floor = thresholds()["effect_min_confidence"]
    chosen: list[ExtractedValue] = []
    seen: set[tuple[Any, ...]] = set()
    for candidate in sorted(candidates, key=lambda c: (c.start or 0, -c.confidence)):
        if candidate.confidence < floor:
            continue
        value = candidate.value
        key = (value.get("measure"), value.get("value"), candidate.start)
        if key in seen:
            continue
        seen.add(key)
        chosen.append(candidate)
    return chosen


def outcome_choice_pool(candidates: list[ExtractedValue]) -> list[ExtractedValue]:
    """The outcome candidates the outcome choice reads: rule mentions at ``outcome_min_confidence``, spans
    found by the outcome-span model alone at ``outcome_model_min_probability`` (below it they stay unchosen)."""
    rule_floor = thresholds()["outcome_min_confidence"]
    model_floor = thresholds()["outcome_model_min_probability"]
    return [c for c in candidates
            if c.confidence >= (model_floor if c.source.startswith("model:") else rule_floor)]


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
