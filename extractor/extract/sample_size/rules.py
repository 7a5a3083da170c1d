"""Sample sizes: every count of people, clusters or studies, with its role, unit and evidence.

A count is a number (digits with thousands separators, or number words) that a
unit noun follows ("Sixty-eight mothers", "23 005 primary and high school
students"), an ``n = 38`` / ``K = 35`` label, a part of a whole ("255 of 363
(70%)", "227/283"), or a number a role verb follows ("83 met the criteria").
Percentages, ages, years, doses, durations, scores and counts of items,
sessions or visits have no unit noun, or a noun from ``not_units``, and are
left out. The role comes from the cue nearest the count: the verb after it
("were randomized"), a word inside the noun phrase ("evaluable patients"), or
one before it ("included 1070 adolescents"). Arm counts in one sentence are
summed into a total of the same stage. Counts written in Chinese are read by ``chinese``. ``choose_sample_size`` picks the
headline size as FORMAT.md defines it; ``sample_size_details`` gathers arms,
clusters, attrition and review counts.

The stages live in ``sample_size_*`` modules, in the order the scan runs them: ``numbers`` (reading
numbers), ``counts`` (counts and their unit nouns), ``roles`` (role cues), ``arms`` (arm counts and their
sums), ``parent`` (counts of the parent study of a secondary analysis or follow-up), ``choice`` (the headline and
the details); ``lexicon`` loads the data file and ``records`` holds the
``Count`` the stages pass on.
"""

from __future__ import annotations

from ...textlayer import Sentence, TextLayer
from ...types import ExtractedValue
from ..common.number_words import languages_present
from .arms import (
    arm_sums,
    arms_by_sum,
    arms_named_after,
    cases_and_controls,
    groups_sharing_a_verb,
    mark_arms,
    sexes,
)
from .chinese import chinese_counts, has_chinese
from .choice import CLUSTER_DESIGNS, REVIEWS, choose_sample_size, sample_size_details
from .counts import people_abbreviations, read_count
from .lexicon import load_lexicon
from .numbers import Number, find_numbers
from .parent import mark_parent_counts
from .records import FIELD, ROLES, VERSION, Count, Scan, to_value
from .roles import assign_roles, screened_before_included

__all__ = [
    "CLUSTER_DESIGNS", "FIELD", "REVIEWS", "ROLES", "VERSION", "choose_sample_size", "find_sample_sizes",
    "sample_size_details",
]  # fmt: skip


def find_sample_sizes(layer: TextLayer, start: int = 0, end: int | None = None) -> list[ExtractedValue]:
    """Every candidate count of participants, clusters or studies in ``[start, end)`` of the layer's text."""
    end = len(layer.text) if end is None else end
    sentences = layer.sentences_between(start, end) or [Sentence(start, end)]
    counts: list[Count] = []
    lower = layer.text.lower()
    if len(lower) != len(layer.text):  # a few characters lower-case to two; keep offsets aligned
        lower = "".join(c if len(c.lower()) != 1 else c.lower() for c in layer.text)
    scan = Scan(layer.text, lower, sentences, start, load_lexicon(), counts)
    scan.abbreviations = people_abbreviations(layer.text[start:end], scan.lexicon)
    languages = languages_present(lower, start, end)  # number words of other languages: "cuarenta y dos niños"
    for index, sentence in enumerate(sentences):
        s_start, s_end = max(sentence.start, start), min(sentence.end, end)
        numbers = find_numbers(layer.text, lower, s_start, s_end, languages)
        if not numbers:
            continue
        found = _counts_in_sentence(scan, s_start, s_end, index, numbers)
        weight = load_lexicon().section_weight.get(sentence.section or "", 1.0)
        for count in found:
            count.confidence = round(max(0.05, min(0.99, count.confidence * weight)), 3)
        counts.extend(found)
    counts.extend(arm_sums(counts))
    if has_chinese(layer.text[start:end]):
        counts.extend(chinese_counts(layer.text, start, end, 0))
    mark_parent_counts(scan, start, end)
    return [to_value(count) for count in counts]


def _counts_in_sentence(scan: Scan, s_start: int, s_end: int, index: int, numbers: list[Number]) -> list[Count]:
    """The counts of one sentence with their roles, arms marked, parallel and summing arms added."""
    sentences = scan.sentences
    counts: list[Count] = []
    consumed = s_start  # wholes of "N of M" already taken
    for number in numbers:
        if number.start < consumed:
            continue
        count = read_count(scan, s_start, s_end, number, index, counts)
        if count is None:
            continue
        for part in count if isinstance(count, list) else [count]:
            counts.append(part)
            consumed = max(consumed, part.np_end)
    if not counts:
        return []
    assign_roles(scan, s_start, s_end, counts, sentences[index] if index < len(sentences) else None)
    mark_arms(scan, s_start, s_end, counts)
    sexes(scan.text, counts, scan.lexicon)
    groups_sharing_a_verb(scan.text, counts, scan.lexicon)
    screened_before_included(counts)
    for count in counts:
        if count.attributes.get("responses"):
            # the questionnaires returned are the survey's participants (enrolled: those invited or eligible are
            # not), whatever cue stands near them
            count.role, count.confidence = "enrolled", max(count.confidence, 0.7)
    counts = [c for c in counts if c.role is not None]
    counts.extend(arms_named_after(scan, s_start, s_end, index, counts))
    arms_by_sum(scan, s_start, s_end, index, counts, numbers)
    counts.extend(cases_and_controls(scan.text, sorted(counts, key=lambda c: c.start)))
    return sorted(counts, key=lambda c: c.start)
