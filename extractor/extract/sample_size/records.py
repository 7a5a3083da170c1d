"""The records of one sample-size scan: a ``Count`` found in a sentence, the ``Scan`` every stage shares, and
the ``ExtractedValue`` a count becomes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...textlayer import Sentence
from ...types import ExtractedValue
from .lexicon import Lexicon

VERSION = 1
FIELD = "sample_size"

ROLES = (
    "randomised", "enrolled", "analysed", "followed_up", "arm", "clusters", "included_studies",
    "screened", "eligible", "total",
)  # fmt: skip
STUDY_KINDS = ("study", "report")
PERSON_KINDS = ("person", "unknown")


@dataclass
class Count:
    """A count found in a sentence, before it becomes an ``ExtractedValue``."""

    n: int
    start: int
    end: int
    sentence: int
    unit: str
    kind: str  # person, cluster, study, report, unknown
    form: str  # noun, label, part, verb
    role: str | None = None
    raw_role: str | None = None  # the cue's role before it is settled into ROLES
    cue: str = "none"  # after, inside, before, heading, inherited, none
    confidence: float = 0.5
    attributes: dict[str, Any] = field(default_factory=dict)
    unit_from: str = "noun"  # noun, context, default
    np_end: int = 0
    arm_group: str = ""  # arms marked together ("labels", "wholes", "sum<offset>", ...) are summed together


@dataclass
class Scan:
    """What every step of one scan needs: the text, its sentences, the lexicon, the counts so far."""

    text: str
    lower: str  # text lower-cased, same length
    sentences: list[Sentence]
    range_start: int
    lexicon: Lexicon
    counts: list[Count]
    # abbreviations the text defines for people: "breast cancer survivors (BCS)" -> {"BCS": "survivors"}
    abbreviations: dict[str, str] = field(default_factory=dict)


def to_value(count: Count) -> ExtractedValue:
    """The candidate a count becomes: value, evidence span, role, and how it was read in ``attributes``."""
    attributes = {key: value for key, value in count.attributes.items() if key not in ("found",)}
    attributes.update({"kind": count.kind, "form": count.form, "cue": count.cue, "unit_from": count.unit_from})
    rule = {"label": "label", "part": "part_of", "whole": "part_of", "sum": "arm_sum", "verb": "verb", "noun": "noun",
            "bare": "arm"}[count.form]
    return ExtractedValue(
        field=FIELD,
        value={"n": count.n, "unit": count.unit},
        start=count.start,
        end=count.end,
        confidence=round(max(0.05, min(0.99, count.confidence)), 3),
        source=f"rule:sample_size.{rule}.v{VERSION}",
        role=count.role,
        attributes=attributes,
    )
