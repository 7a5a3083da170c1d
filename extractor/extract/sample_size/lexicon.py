"""The sample-size lexicon (``extractor/data/sample_size.json``): unit nouns, words that are never units,
patterns that reject a number, and the role cues.

Loaded once; patterns are compiled lower-cased because the scan runs them on lower-cased text.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

_DATA = Path(__file__).resolve().parents[2] / "data" / "sample_size.json"


@dataclass(frozen=True)
class Cues:
    """Role cues of one kind of count: one pattern with a group per role, tried in the data file's order."""

    roles: tuple[str, ...]
    combined: re.Pattern[str]
    each: dict[str, re.Pattern[str]]


@dataclass(frozen=True)
class Lexicon:
    """The data file, ready to use: unit nouns by kind, word sets, and compiled lower-case patterns."""

    units: dict[str, str]  # lower-case noun -> kind (person, cluster, study, report, *_singular)
    english: dict[str, str]  # lower-case noun of another language -> the English unit it is written as
    compound_heads: tuple[str, ...]  # German plural unit nouns that head a compound ("...studien"), longest first
    not_units: frozenset[str]
    modifiers: frozenset[str]
    stop_words: frozenset[str]
    age_noun: re.Pattern[str]
    rejected_before: re.Pattern[str]
    time_before: re.Pattern[str]
    year_rejected_before: re.Pattern[str]
    approximate_before: re.Pattern[str]
    derived_study: re.Pattern[str]  # "a secondary analysis of the", "data from a": another study is named next
    person_cues: Cues
    study_cues: Cues
    arm_words: re.Pattern[str]
    control_words: re.Pattern[str]
    each_after: re.Pattern[str]
    section_weight: dict[str, float]


@cache
def load_lexicon() -> Lexicon:
    """The lexicon, read and compiled on first use."""
    data = json.loads(_DATA.read_text(encoding="utf-8"))
    units: dict[str, str] = {}
    for kind, nouns in data["units"].items():
        for noun in nouns:
            units.setdefault(noun.split()[-1].lower(), kind)

    def lower(pattern: str) -> re.Pattern[str]:
        # Patterns run on lower-cased text: a case-sensitive search is many times faster than IGNORECASE.
        return re.compile(pattern.lower())

    def cues(table: dict[str, str]) -> Cues:
        roles = tuple(table)
        # every cue starts a word: the leading \b turns most positions away before any alternative is tried
        combined = "|".join(f"(?P<c{order}>{pattern.lower()})" for order, pattern in enumerate(table.values()))
        return Cues(roles, re.compile(rf"\b(?:{combined})"), {role: lower(p) for role, p in table.items()})

    english = {noun.lower(): unit for noun, unit in data.get("units_in_english", {}).items()}
    german = {noun.lower() for noun in data["units"]["person"] + data["units"]["study"] if noun[:1].isupper()}
    heads = sorted((noun for noun in german if noun in english and len(noun) >= 5 and units.get(noun) in (
        "person", "study")), key=len, reverse=True)
    return Lexicon(
        units=units,
        english=english,
        compound_heads=tuple(heads),
        not_units=frozenset(word.lower() for word in data["not_units"]),
        modifiers=frozenset(word.lower() for word in data["modifier_words_ending_in_s"]),
        stop_words=frozenset(data["stop_words"]),
        age_noun=lower(data["age_nouns"]),
        rejected_before=lower(data["number_rejected_before"]),
        time_before=lower(data["time_rejected_before"]),
        year_rejected_before=lower(data["year_rejected_before"]),
        approximate_before=lower(data["approximate_before"]),
        derived_study=lower(data["derived_study_before"]),
        person_cues=cues(data["role_cues"]),
        study_cues=cues(data["study_cues"]),
        arm_words=lower(data["arm_words"]),
        control_words=lower(data["control_words"]),
        each_after=lower(data["each_after"]),
        section_weight=data["section_weight"],
    )
