"""Effect estimates: measure, value, confidence interval and p-value, each with what it is about.

The rules (``rules``) find every estimate and test result with a confidence; those at or above the
floor are reported once each, in text order.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ...types import ExtractedValue
from ..registry import CorrectionError, FieldSpec, UnitContext
from ..vocabulary import MEASURES
from .links import outcome_phrase
from .outcome_names import mentioned_outcome, study_outcome, with_instrument
from .rules import find_effects


def _find(context: UnitContext) -> list[ExtractedValue]:
    return find_effects(context.layer, context.start, context.end)


def _once_each(candidates: list[ExtractedValue], context: UnitContext) -> list[ExtractedValue]:
    """Each estimate once (the most confident reading of a place; an estimate printed again with the same
    interval once), in text order, its outcome named as the study's outcomes name it."""
    chosen: list[ExtractedValue] = []
    seen: set[tuple[Any, ...]] = set()
    outcomes = [str(value.value) for value in context.chosen.get("outcome", [])]
    for candidate in sorted(candidates, key=lambda c: (c.start or 0, -c.confidence)):
        value = candidate.value
        key = (value.get("measure"), value.get("value"), candidate.start)
        # the same estimate with the same interval printed again (a translation, a repeated line) is one estimate
        repeat = (
            (value.get("measure"), value.get("value"), tuple(value["ci"]), value.get("p"))
            if value.get("ci")
            else None
        )
        if key in seen or (repeat is not None and repeat in seen):
            continue
        seen.add(key)
        if repeat is not None:
            seen.add(repeat)
        outcome = _linked_outcome(candidate, outcomes, context)
        if outcome:
            value["outcome"] = outcome
        chosen.append(candidate)
    return chosen


def _linked_outcome(candidate: ExtractedValue, outcomes: list[str], context: UnitContext) -> str | None:
    """The outcome an estimate measures as the study's outcomes name it: the first phrase its clause ties to it
    that names a study outcome (else that phrase as written); with no phrase, the one study outcome its
    sentence names before it. None when its sentence does not say."""
    phrases = candidate.attributes.get("outcome_candidates") or [candidate.attributes.get("outcome")]
    phrases = [phrase for phrase in phrases if phrase]
    sentence = context.layer.sentence_at(candidate.start or 0)
    before = (
        context.layer.text[sentence.start : candidate.start]
        if sentence is not None and candidate.start is not None
        else ""
    )
    if phrases:
        named = study_outcome(phrases, outcomes)
    elif before:
        named = mentioned_outcome(before, outcomes)
    else:
        return None
    if not named:
        return None
    # the study's outcome list may name the outcome with its population ("women who developed X"): X; a
    # subscale takes the instrument its own sentence names ("CBCL ... externalizing" -> "CBCL externalizing")
    return with_instrument(outcome_phrase(named), before)


_NUMBER = r"[-−+]?\d+(?:\.\d+)?(?:e-?\d+)?"
_EFFECT = re.compile(
    rf"^\s*(?P<measure>[A-Za-z][A-Za-z0-9]*)\s*[=:]?\s*(?P<value>{_NUMBER})\s*"
    rf"(?:[\[(]\s*(?P<low>{_NUMBER})\s*(?:,|to|;)\s*(?P<high>{_NUMBER})\s*[\])])?\s*"
    rf"(?:[,;]?\s*p\s*(?:=|<|<=|≤)\s*(?P<p>{_NUMBER}))?\s*(?:\bon\s+(?P<outcome>\S.*?))?\s*$",
    re.IGNORECASE,
)


def _number(text: str) -> float:
    return float(text.replace("−", "-"))


def _parse(text: str, previous: Any = None) -> dict[str, Any]:
    """``MD -1.6 [-2.7, -0.5] p=0.004 on SDQ-TD`` or ``{"measure": "MD", "value": -1.6, "ci": [...], "p": ...,
    "outcome": ...}``; with no outcome given, the previous value's outcome is kept."""
    try:
        as_json = json.loads(text)
    except json.JSONDecodeError:
        as_json = None
    if isinstance(as_json, dict):
        try:
            ci = as_json.get("ci")
            effect = {
                "measure": str(as_json["measure"]),
                "value": float(as_json["value"]),
                "ci": [float(ci[0]), float(ci[1])] if ci else None,
                "p": None if as_json.get("p") is None else float(as_json["p"]),
            }
            if "outcome" in as_json:  # null clears the link
                effect["outcome"] = (
                    None if as_json["outcome"] is None else str(as_json["outcome"]).strip() or None
                )
        except (KeyError, TypeError, ValueError, IndexError):
            raise CorrectionError(
                f"{text!r} is not an effect",
                hint='give measure and value, e.g. {"measure": "MD", "value": -1.6}',
            ) from None
    else:
        match = _EFFECT.match(text)
        if not match:
            raise CorrectionError(
                f"{text!r} is not an effect", hint="type e.g. MD -1.6 [-2.7, -0.5] p=0.004 on SDQ-TD"
            )
        low, high, p = match.group("low"), match.group("high"), match.group("p")
        effect = {
            "measure": match.group("measure"),
            "value": _number(match.group("value")),
            "ci": [_number(low), _number(high)] if low is not None else None,
            "p": _number(p) if p is not None else None,
        }
        if match.group("outcome"):
            effect["outcome"] = " ".join(match.group("outcome").split())
    measure = next((m for m in MEASURES if m.lower() == effect["measure"].lower()), None)
    if measure is None:
        raise CorrectionError(
            f"{effect['measure']!r} is not an effect measure", hint=f"use one of {', '.join(MEASURES)}"
        )
    if effect["p"] is not None and not 0 <= effect["p"] <= 1:
        raise CorrectionError(f"p = {effect['p']} is not a probability", hint="p must lie between 0 and 1")
    if "outcome" not in effect and isinstance(previous, dict) and previous.get("outcome"):
        effect["outcome"] = previous["outcome"]  # a corrected number keeps the estimate's outcome link
    if not effect.get("outcome"):
        effect.pop("outcome", None)
    return {**effect, "measure": measure}


def _written(effect: dict[str, Any], between: str, p_operator: str = "=") -> str:
    """``MD<between>-1.6 [-2.7, -0.5] p<p_operator>0.004 on SDQ-TD``."""
    text = f"{effect.get('measure')}{between}{effect.get('value')}"
    if effect.get("ci"):
        text += f" [{effect['ci'][0]}, {effect['ci'][1]}]"
    if effect.get("p") is not None:
        text += f" p{p_operator}{effect['p']}"
    if effect.get("outcome"):
        text += f" on {effect['outcome']}"
    return text


def _short(value: Any) -> str:
    return _written(value, " ") if isinstance(value, dict) else json.dumps(value, ensure_ascii=False)


def _text(value: ExtractedValue) -> str:
    return _written(value.value, " = ", value.attributes.get("p_operator", "="))


def _compared(value: Any) -> Any:
    """What two effects are compared on: measure, value, CI, p and the outcome linked (no link is None)."""
    return (
        {key: value.get(key) for key in ("measure", "value", "ci", "p", "outcome")}
        if isinstance(value, dict)
        else value
    )


def _numbers(value: Any) -> Any:
    """What names an estimate across re-runs: its measure, value, CI and p (its outcome link may change)."""
    return {key: value.get(key) for key in ("measure", "value", "ci", "p")} if isinstance(value, dict) else value


SPEC = FieldSpec(
    name="effect",
    record_key="effects",
    multiple=True,
    title="Effects",
    find=_find,
    select=_once_each,
    rule_floor="effect_min_confidence",
    parse=_parse,
    short=_short,
    text=_text,
    comparable=_compared,
    identity=_numbers,
    record=lambda value: {
        "measure": value["measure"],
        "value": value["value"],
        "ci": value.get("ci"),
        "p": value.get("p"),
        "outcome": value.get("outcome"),
    },
    csv=lambda values, recorded: {"effects": "; ".join(_written(effect, "=") for effect in recorded)},
    csv_columns=("effects",),
    style="black on bright_yellow",
)
