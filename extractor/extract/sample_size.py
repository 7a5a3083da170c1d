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
summed into a total of the same stage. ``choose_sample_size`` picks the
headline size as FORMAT.md defines it; ``sample_size_details`` gathers arms,
clusters, attrition and review counts.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

from ..textlayer import Sentence, TextLayer
from ..types import ExtractedValue
from .number_words import COUNT, WORD_COUNT, is_word_count, parse_count
from .numbers import DECIMAL

VERSION = 1
FIELD = "sample_size"
_DATA = Path(__file__).resolve().parents[1] / "data" / "sample_size.json"

ROLES = (
    "randomised", "enrolled", "analysed", "followed_up", "arm", "clusters", "included_studies",
    "screened", "eligible", "total",
)  # fmt: skip
REVIEWS = ("systematic_review", "meta_analysis", "umbrella_review")
CLUSTER_DESIGNS = ("cluster_rct",)
_STUDY_KINDS = ("study", "report")
_PERSON_KINDS = ("person", "unknown")


@dataclass(frozen=True)
class _Cues:
    """Role cues of one kind of count: one pattern with a group per role, tried in the data file's order."""

    roles: tuple[str, ...]
    combined: re.Pattern[str]
    each: dict[str, re.Pattern[str]]


@dataclass(frozen=True)
class _Lexicon:
    units: dict[str, str]  # lower-case noun -> kind (person, cluster, study, report, *_singular)
    not_units: frozenset[str]
    modifiers: frozenset[str]
    stop_words: frozenset[str]
    age_noun: re.Pattern[str]
    rejected_before: re.Pattern[str]
    time_before: re.Pattern[str]
    year_rejected_before: re.Pattern[str]
    approximate_before: re.Pattern[str]
    person_cues: _Cues
    study_cues: _Cues
    arm_words: re.Pattern[str]
    control_words: re.Pattern[str]
    each_after: re.Pattern[str]
    section_weight: dict[str, float]


@cache
def _lexicon() -> _Lexicon:
    data = json.loads(_DATA.read_text(encoding="utf-8"))
    units: dict[str, str] = {}
    for kind, nouns in data["units"].items():
        for noun in nouns:
            units.setdefault(noun.split()[-1].lower(), kind)

    def lower(pattern: str) -> re.Pattern[str]:
        # Patterns run on lower-cased text: a case-sensitive search is many times faster than IGNORECASE.
        return re.compile(pattern.lower())

    def cues(table: dict[str, str]) -> _Cues:
        roles = tuple(table)
        # every cue starts a word: the leading \b turns most positions away before any alternative is tried
        combined = "|".join(f"(?P<c{order}>{pattern.lower()})" for order, pattern in enumerate(table.values()))
        return _Cues(roles, re.compile(rf"\b(?:{combined})"), {role: lower(p) for role, p in table.items()})

    return _Lexicon(
        units=units,
        not_units=frozenset(word.lower() for word in data["not_units"]),
        modifiers=frozenset(word.lower() for word in data["modifier_words_ending_in_s"]),
        stop_words=frozenset(data["stop_words"]),
        age_noun=lower(data["age_nouns"]),
        rejected_before=lower(data["number_rejected_before"]),
        time_before=lower(data["time_rejected_before"]),
        year_rejected_before=lower(data["year_rejected_before"]),
        approximate_before=lower(data["approximate_before"]),
        person_cues=cues(data["role_cues"]),
        study_cues=cues(data["study_cues"]),
        arm_words=lower(data["arm_words"]),
        control_words=lower(data["control_words"]),
        each_after=lower(data["each_after"]),
        section_weight=data["section_weight"],
    )


# Where a count may start, found on the lower-cased text (a case-sensitive scan is many times faster than
# an IGNORECASE one); the full count is then matched from there.
_NUMBER_START = re.compile(
    r"\b(?<![.,/\-\u2010\u2011\u2212–—])(?:\d+|(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|"
    r"fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fourty|fifty|sixty|seventy|eighty|ninety|"
    r"hundred|a(?=[\s-]+hundred|[\s-]+thousand))\b)"
)
_COUNT_AT = re.compile(COUNT)
_DECIMAL_OR_PERCENT = re.compile(rf"(?:{DECIMAL}|,)\d|\s*%")  # "0.05", "0·10", "0•13", "1,24", "95%"
_LABEL_BEFORE = re.compile(r"(?<![\w])([nNkK])\.?\s*(?:=|:|\uff1d)\s*$")


@dataclass(slots=True)
class _Number:
    """A written number: its text, span, and the ``n =`` / ``K =`` label before it if any."""

    text: str
    start: int
    end: int
    symbol: str | None
    label_start: int


def _numbers(text: str, lower: str, start: int, end: int) -> list[_Number]:
    """Every number in ``text[start:end]`` that stands alone (not inside a word, decimal or hyphenated token)."""
    found: list[_Number] = []
    position = start
    while True:
        hit = _NUMBER_START.search(lower, position, end)
        if hit is None:
            return found
        at = hit.start()
        count = _COUNT_AT.match(text, at, end)
        if count is None or not count.group():
            position = hit.end()
            continue
        if _DECIMAL_OR_PERCENT.match(text, count.end()):
            position = count.end() + 1  # "0.05", "95%": never a count
            continue
        window = text[max(start, at - 4) : at]
        label = _LABEL_BEFORE.search(text, max(start, at - 8), at) if ("=" in window or ":" in window or "\uff1d" in window) else None
        found.append(_Number(count.group(), at, count.end(), label.group(1) if label else None,
                             label.start() if label else at))
        position = count.end()
_PERCENT_AFTER = re.compile(r"\s*[(\[]\s*(?P<p>\d+(?:[.,·]\d+)?)\s*%\s*[)\]]|\s*[,;]\s*(?P<q>\d+(?:[.,·]\d+)?)\s*%")
_PART_OF = re.compile(
    rf"\s*(?:(?:of|out\s+of)\s+(?:the\s+|all\s+|these\s+|those\s+)?(?:planned\s+|targeted\s+|intended\s+|original\s+|"
    rf"expected\s+|required\s+|initial\s+|enrolled\s+|randomi[sz]ed\s+|eligible\s+)?|/\s*)(?P<whole>{COUNT})(?![\d/])",
    re.I,
)
_NOT_A_COUNT_AFTER = re.compile(
    r"(?:\s*(?:years?|yrs?|months?|weeks?|days?)[\s\-]+olds?\b|\s*(?:%|percent\b|per\s*cent\b|‰)|[.,·]\d|\s*(?:-|–|—|to|‐)\s*\d|\s*:\s*\d|(?:st|nd|rd|th)\b|\s*[-‐‑]\s*[A-Za-z]|\s*[×x]\s*\d|"
    r"\s*(?:±|\+/-|\(\s*\d+(?:\.\d+)?\s*-\s*\d))",
    re.I,
)
_TOKEN = re.compile(
    r"\s*(?:(?P<word>[A-Za-z\u00C0-\u024F][\w'’\-\u2010\u2011]*|\d+(?:[-\u2010–]\d+)*(?:[-\u2010][A-Za-z][\w'’\-]*)+)|(?P<punct>\S))"
)
_ADJECTIVE = re.compile(r"(?:-free|-naive|-na\u00efve|-positive|-negative|ed|al|ic|ive|ous|ful|ant|ent|ary|ile)$", re.I)
_WORDS = re.compile(r"[A-Za-z\u00C0-\u024F][\w'’\-\u2010\u2011]*")
_VERB_AFTER = re.compile(
    r"\s*(?:(?:(?:were|was|had\s+been|have\s+been|are|will\s+be)\s+(?:then\s+|subsequently\s+|finally\s+|eventually\s+|"
    r"successfully\s+|actually\s+|ultimately\s+)?(?:randomi[sz]ed|randomly|enrolled|included|recruited|analy[sz]ed|allocated|"
    r"assigned|eligible|evaluable|available|followed|studied|treated)|randomi[sz]ed\s+to|(?:completed|met|participated|took\s+part|"
    r"agreed|consented|provided|contributed|remained|returned|finished|underwent|fulfilled|entered|qualified)\b))",
    re.I,
)
_VERB_BEFORE = re.compile(
    r"\b(?:enrolled|randomi[sz]ed|recruited|included|studied|analy[sz]ed|surveyed|interviewed|involved|involving)\s+"
    r"(?:a\s+total\s+of\s+|the\s+|all\s+)?$",
    re.I,
)
_PLANNED_BEFORE = re.compile(
    r"\b(?:planned|plans?\s+to\s+\w+|aim(?:s|ed|ing)?\s+to\s+\w+|target(?:ed|ing)?(?:\s+(?:sample|recruitment|enrol+ment|"
    r"accrual|population))?(?:\s+size)?|sample\s+size\s+(?:of|will\s+be|is)|powered\s+(?:for|to\s+\w+)|required|"
    r"needed)\s+(?:for\s+|of\s+|is\s+|a\s+total\s+of\s+|approximately\s+|about\s+|at\s+least\s+)*$|\b(?:will|would|shall)\b[^.;]{0,50}$",
    re.I,
)
_PLANNED_AFTER = re.compile(r"\s*(?:\([^)]*\)\s*)?(?:will|would|are\s+to|is\s+to)\s+be\b|\s*(?:are|were)\s+(?:needed|required)\b", re.I)
# "Sixty American Society of Anesthesiologists status I to II adult women, aged 18-70years were enrolled"
_STAGE_VERB = re.compile(
    r"\b(?:were|was)\s+(?:randomly\s+|then\s+|successfully\s+)?(?:enrolled|randomi[sz]ed|recruited|included|assigned|allocated|studied)\b",
    re.I,
)
# "92 were randomized to T + P and 42 to T + P + pac"
_NEXT_ARM = re.compile(rf"(?:,|;|\band\b)\s*(?:(?:the\s+)?(?:remaining|other)\s+)?(?P<count>{COUNT})\s+(?:(?:were|was)\s+)?(?:[\w-]+\s+){{0,2}}?(?:to|into)\b", re.I)
_JOIN = re.compile(r"^\s*(?:with|and(?:\s+their)?|including|comprising|involving|of\s+whom|\(|,)?\s*(?:a\s+total\s+of\s+)?$", re.I)
_CONTAINS = re.compile(r"^\s*(?:with|and\s+their|including|comprising|involving|containing)\s+(?:a\s+total\s+of\s+)?$", re.I)
_ARM_AFTER = re.compile(
    r"\s*(?:(?:were|was|will\s+be)\s+)?(?:(?:randomi[sz]ed|randomly\s+(?:assigned|allocated)|allocated|assigned|received|receiving)\s+)?"
    r"(?:to|in|into|within)\s+(?:the\s+|a\s+|an\s+)?(?P<label>[^,;()]{1,50}?)\s+(?:group|arm|condition|cohort)\b",
    re.I,
)
# "Of 84 patients randomly assigned to G-CSF throughout all chemotherapy cycles": one arm
_ARM_TO = re.compile(
    r"\s*(?:(?:were|was|had\s+been)\s+)?(?:randomly\s+)?(?:randomi[sz]ed|assigned|allocated)\s+(?:to|into)\s+"
    r"(?!(?:receive\s+|undergo\s+)?(?:either|both|one\s+of|two|three|four|each|the\s+two|the\s+three|one\s+or|\d)\b)"
    r"(?P<label>[^,;()]{1,80}?)(?=\s*(?:[,;(]|\.(?:\s+[A-Z]|$)|$))",
    re.I,
)
_ALTERNATIVE_WORDS = re.compile(
    r"\b(?:or|vs|versus|either|both|respectively|compared|comparison|placebo|control|usual\s+care)\b|/|"
    r"\band\s+(?:to\b|(?:the\s+)?(?:[\w-]+\s+){0,2}(?:group|arm|condition)s?\b)|\b(?:groups|arms)\b", re.I
)
_ALTERNATIVE_AFTER = re.compile(
    r"[^.;]{0,120}?\b(?:or|and|vs\.?|versus)\b[^.;\d]{0,80}?\b(?:groups?|arms?|controls?|placebo|usual\s+care|conditions?)\b",
    re.I,
)
# Labelled counts joined as alternatives: "B6 (N = 12) or B1+B6 (N = 15)"
_ALTERNATIVE_JOIN = re.compile(r"\b(?:or|vs|versus)\b", re.I)
_ALTERNATIVES = re.compile(r"\b(?:or|either|both|versus|vs|each|and)\b|^(?:two|three|four|five|\d+)\s", re.I)
_HEADING_ENROLLED = re.compile(r"^(?:participants?|subjects?|patients?|sample|population|study population|setting and participants|participants and setting|design, setting,? and participants)\b", re.I)
_STEM = re.compile(r"^(?:the|a|an|either|both|all|those|these|to|or|and|in|into)\s+", re.I)
_CONNECTOR = re.compile(
    r"\b(?:to|or|and|vs\.?|versus|either|in|into|of|between|than|receive|received|receiving|from|with|while|whereas)\b|[,;:]",
    re.I,
)


@dataclass
class _Count:
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


def find_sample_sizes(layer: TextLayer, start: int = 0, end: int | None = None) -> list[ExtractedValue]:
    """Every candidate count of participants, clusters or studies in ``[start, end)`` of the layer's text."""
    end = len(layer.text) if end is None else end
    sentences = layer.sentences_between(start, end) or [Sentence(start, end)]
    counts: list[_Count] = []
    lower = layer.text.lower()
    if len(lower) != len(layer.text):  # a few characters lower-case to two; keep offsets aligned
        lower = "".join(c if len(c.lower()) != 1 else c.lower() for c in layer.text)
    scan = _Scan(layer.text, lower, sentences, start, _lexicon(), counts)
    for index, sentence in enumerate(sentences):
        s_start, s_end = max(sentence.start, start), min(sentence.end, end)
        numbers = _numbers(layer.text, lower, s_start, s_end)
        if not numbers:
            continue
        found = _counts_in_sentence(scan, s_start, s_end, index, numbers)
        weight = _lexicon().section_weight.get(sentence.section or "", 1.0)
        for count in found:
            count.confidence = round(max(0.05, min(0.99, count.confidence * weight)), 3)
        counts.extend(found)
    counts.extend(_arm_sums(counts))
    return [_to_value(count) for count in counts]


# -- finding counts ---------------------------------------------------------------------------


@dataclass
class _Scan:
    """What every step of one scan needs: the text, its sentences, the lexicon, the counts so far."""

    text: str
    lower: str  # text lower-cased, same length
    sentences: list[Sentence]
    range_start: int
    lexicon: _Lexicon
    counts: list[_Count]


def _counts_in_sentence(scan: _Scan, s_start: int, s_end: int, index: int, numbers: list[_Number]) -> list[_Count]:
    """The counts of one sentence with their roles, arms marked, parallel and summing arms added."""
    sentences = scan.sentences
    counts: list[_Count] = []
    consumed = s_start  # wholes of "N of M" already taken
    for number in numbers:
        if number.start < consumed:
            continue
        count = _read_count(scan, s_start, s_end, number, index, counts)
        if count is None:
            continue
        for part in count if isinstance(count, list) else [count]:
            counts.append(part)
            consumed = max(consumed, part.np_end)
    if not counts:
        return []
    _assign_roles(scan, s_start, s_end, counts, sentences[index] if index < len(sentences) else None)
    counts = [c for c in counts if c.role is not None]
    counts.extend(_arms_named_after(scan, s_start, s_end, index, counts))
    _arms_by_sum(scan, s_start, s_end, index, counts, numbers)
    return sorted(counts, key=lambda c: c.start)


def _read_count(
    scan: _Scan, s_start: int, s_end: int, number: _Number, index: int, sentence_counts: list[_Count]
) -> _Count | list[_Count] | None:
    """The count a number stands for, with its unit, or None; "N of M" gives the part and the whole."""
    text, lexicon = scan.text, scan.lexicon
    count_text = number.text
    n = parse_count(count_text)
    if n is None:
        return None
    number_start, number_end = number.start, number.end
    after = text[number_end : min(s_end, number_end + 200)]
    symbol = number.symbol
    if symbol is None and (_NOT_A_COUNT_AFTER.match(after) or n <= 1):
        return None
    if symbol is not None and _DECIMAL_OR_PERCENT.match(after):
        return None
    attributes: dict[str, Any] = {}
    position = 0
    percent = _PERCENT_AFTER.match(after)
    if percent:
        attributes["percent"] = float((percent.group("p") or percent.group("q")).replace(",", ".").replace("·", "."))
        position = percent.end()
    evidence_start = number.label_start
    if symbol:
        if lexicon.approximate_before.search(scan.lower[max(s_start, number.label_start - 25) : number.label_start]):
            attributes["approximate"] = True
        head = _unit_after(after, position, n, lexicon)
        if isinstance(head, tuple) and head[1] != "unknown" and symbol in "nN":
            kind, unit, unit_from = head[1], head[0], "noun"  # "n = 770 four-year-olds"
        else:
            kind, unit, unit_from = _label_unit(scan, s_start, number_start, symbol, index, sentence_counts)
        return _Count(n, evidence_start, number_end, index, unit, kind, "label", attributes=attributes,
                      unit_from=unit_from, np_end=number_end)
    whole: int | None = None
    whole_span: tuple[int, int] | None = None
    if not percent:
        part = _PART_OF.match(after)
        if part and _valid_part(n, part, after):
            value = parse_count(part.group("whole"))
            if value is not None and value >= n:
                whole = value
                whole_span = (number_end + part.start("whole"), number_end + part.end("whole"))
                position = part.end()
                percent = _PERCENT_AFTER.match(after, position)
                if percent:
                    attributes["percent"] = float((percent.group("p") or percent.group("q")).replace(",", ".").replace("·", "."))
                    position = percent.end()
    head = _unit_after(after, position, n, lexicon)
    if head == "rejected":
        return None
    if head is None and whole is None and not _VERB_AFTER.match(after, position):
        head = _distant_unit(after, position, lexicon)
        if head is None:
            return None
    before = scan.lower[max(s_start, number_start - 30) : number_start]
    if not _plausible_number(n, count_text, before, after, lexicon) or (
            lexicon.time_before.search(before) and not isinstance(head, tuple)):
        return None  # "at week 12", but "On two days 60 COPD patients underwent"
    if lexicon.approximate_before.search(scan.lower[max(s_start, number.label_start - 25) : number.label_start]):
        attributes["approximate"] = True
    verb_before = bool(_VERB_BEFORE.search(text[max(s_start, number_start - 40) : number_start]))
    if head is not None:
        unit, kind, head_end, modifiers = head
        unit_from = "noun"
        np_end = number_end + head_end
        verb_after = _VERB_AFTER.match(text, _skip_brackets(text, np_end, s_end)) is not None
        stage_verb = _STAGE_VERB.search(after[head_end : head_end + 120])
        if stage_verb and _LONE_NUMBER_OR_BREAK.search(after, head_end, head_end + stage_verb.start()):
            stage_verb = None
        if kind == "unknown" and not (verb_after or verb_before or stage_verb):
            return None  # an unknown plural counts only with a role verb right after or before it
    else:
        if (whole is None or "/" in after[:position]) and not _VERB_AFTER.match(after, position):
            return None
        kind, unit, unit_from = _context_unit(scan, s_start, number_start, index, sentence_counts)
        np_end = number_end + position
        modifiers = ""
    if modifiers:
        attributes["phrase"] = modifiers
    if _PLANNED_BEFORE.search(text[max(s_start, number_start - 60) : number_start]) or _PLANNED_AFTER.match(after, np_end - number_end):
        attributes["planned"] = True  # a target ("planned for 250 patients", "200 women will be randomised")
    if whole is None:
        form = "noun" if head is not None else "verb"
        return _Count(n, number_start, np_end, index, unit, kind, form, attributes=attributes, unit_from=unit_from,
                      np_end=np_end)
    assert whole_span is not None
    part_count = _Count(n, number_start, max(np_end, whole_span[1]), index, unit, kind, "part",
                        attributes={**attributes, "of": whole}, unit_from=unit_from, np_end=np_end)
    whole_attributes: dict[str, Any] = {"part": n}
    if re.search(r"\b(?:planned|targeted|intended|expected|required)\b", after[: whole_span[0] - number_end], re.I):
        whole_attributes["planned"] = True
    if modifiers:
        whole_attributes["phrase"] = modifiers
    whole_count = _Count(whole, whole_span[0], whole_span[1], index, unit, kind, "whole",
                         attributes=whole_attributes, unit_from=unit_from, np_end=np_end)
    return [part_count, whole_count]


def _plausible_number(n: int, count_text: str, before: str, after: str, lexicon: _Lexicon) -> bool:
    """Whether a bare number may be a count: not a percentage, decimal, range, ordinal, age, score, ..."""
    if _NOT_A_COUNT_AFTER.match(after):
        # "770 four-year-olds" is a count even though a hyphen follows a number word elsewhere
        return False
    if lexicon.rejected_before.search(before):
        return False
    if (
        not is_word_count(count_text)
        and 1900 <= n <= 2099
        and len(count_text) == 4
        and (lexicon.year_rejected_before.search(before) or re.match(r"\s*[-–/)]", after))
    ):
        return False
    if n <= 1 or (count_text[0] == "0" and len(count_text) > 1):
        return False  # "SWOG 0307": a code
    return not re.match(r"\s*[-–]\s*(?:and|to)\s", after)


def _distant_unit(after: str, position: int, lexicon: _Lexicon) -> tuple[str, str, int, str] | None:
    """A person noun further on, before the verb that gives the count its role, with no count between."""
    window = after[position : position + 160]
    verb = _STAGE_VERB.search(window)
    if verb is None or _LONE_NUMBER_OR_BREAK.search(window, 0, verb.start()) or ". " in window[: verb.start()]:
        return None
    best = None
    for word in _WORDS.finditer(window[: verb.start()]):
        found = _noun_unit(word.group(), lexicon)
        if found is not None and found[0] == "person":
            best = (found[1], "person", position + word.end(), "")
    return best


def _valid_part(n: int, part: re.Match[str], after: str) -> bool:
    whole = parse_count(part.group("whole"))
    if whole is None or whole < n or whole == 0:
        return False
    if "/" in part.group(0):
        rest = after[part.end() :]
        if re.match(r"[/\-]\d", rest) or (n <= 12 and 1900 <= whole <= 2100):
            return False
    return not _NOT_A_COUNT_AFTER.match(after[part.end() :])


def _unit_after(after: str, position: int, n: int, lexicon: _Lexicon) -> tuple[str, str, int, str] | str | None:
    """The unit noun heading the phrase after a number: (unit, kind, end offset, modifiers), "rejected" or None."""
    modifiers: list[str] = []
    for _ in range(7):
        token = _TOKEN.match(after, position)
        if token is not None and token.group("punct") == "," and modifiers and _ADJECTIVE.search(modifiers[-1]):
            position = token.end()  # "400 cancer-free, postmenopausal women"
            continue
        if token is not None and token.group("punct") == "(" and modifiers:
            closing = after.find(")", token.end())
            inside = after[token.end() : closing] if closing != -1 else ""
            if 0 < len(inside) <= 25 and not re.search(r"[=%;]|\d", inside.replace("II", "")):
                position = closing + 1  # "30 non-insulin dependent (Type II) diabetic subjects"
                continue
        if token is None or token.group("word") is None:
            return None
        word = token.group("word")
        position = token.end()
        lower = word.lower().rstrip("'’")
        if lower.endswith(("'s", "’s")):
            modifiers.append(word)
            continue
        if lower == "aged" and modifiers and modifiers[-1].lower() == "middle":
            modifiers.append(word)
            continue
        if lower in lexicon.stop_words:
            return None
        if lexicon.age_noun.match(lower):
            age = _AGE_VALUE.match(lower)
            years = parse_count(age.group()) if age else None
            unit = "adolescents" if years is not None and years >= 13 and "month" not in lower else "children"
            return unit, "person", position, " ".join(modifiers)
        kind, unit = _unit_kind(lower, word, n, lexicon)
        if kind is not None and word[0].isupper() and _CAPITALISED_NEXT.match(after, position):
            modifiers.append(word)  # "four Veterans Affairs healthcare facilities": part of a name
            continue
        if kind == "not_unit":
            return "rejected"
        if kind is not None:
            if kind == "person" and unit == "analyses" and modifiers and modifiers[-1].lower() == "meta":
                kind, unit = "study", "meta-analyses"
            return unit, kind, position, " ".join(modifiers)
        modifiers.append(word)
    return None


def _unit_kind(lower: str, word: str, n: int, lexicon: _Lexicon) -> tuple[str | None, str]:
    """The kind of a head noun: person/cluster/study/report, "not_unit", "unknown" for other plurals, or None."""
    for candidate in (lower, _last_part(lower)):
        kind = lexicon.units.get(candidate)
        if kind is not None:
            if kind.endswith("_singular"):
                if n == 1:
                    return kind.removesuffix("_singular"), candidate
                continue
            return kind, "RCTs" if candidate == "rcts" else candidate
        if candidate in lexicon.not_units:
            return "not_unit", candidate
    if lower == "analyses":
        return None, lower
    if (
        len(lower) > 3
        and lower.endswith("s")
        and not lower.endswith(("ss", "us", "is", "ous", "ics"))
        and lower not in lexicon.modifiers
        and (not word.isupper() or word.endswith("S"))
    ):
        return "unknown", lower
    return None, lower


def _label_unit(
    scan: _Scan, s_start: int, number_start: int, symbol: str, index: int, sentence_counts: list[_Count]
) -> tuple[str, str, str]:
    """(kind, unit, where from) of an ``n = 38`` label: studies for ``K``, else the people it counts."""
    if symbol in "kK":
        return "study", "studies", "noun"
    # "51 studies (N = 6670)": a participant total inside a count of studies
    previous = scan.text[max(s_start, number_start - 60) : number_start]
    if re.search(r"\b(?:studies|trials|RCTs|articles|reports|papers)\s*[(\[,;]\s*(?:[nN]\s*[=:]\s*)?$", previous):
        return "person", "participants", "context"
    return _context_unit(scan, s_start, number_start, index, sentence_counts, prefer_person=True)


def _context_unit(
    scan: _Scan, s_start: int, number_start: int, index: int, sentence_counts: list[_Count],
    prefer_person: bool = False,
) -> tuple[str, str, str]:
    """The unit of a count that names none: a plural noun before it in its sentence, else the unit of
    the last count of people within three sentences, else a plural noun in those sentences.

    In "mothers with infants were randomized (n = 38)" the count is of the mothers: a person noun
    joined to an earlier one by "with" / "and their" yields the earlier one.
    """
    found = _noun_before(scan.text[s_start:number_start], scan.lexicon, prefer_person)
    if found is not None:
        return found[0], found[1], "context"
    earlier_start = scan.sentences[max(0, index - 3)].start
    for count in reversed(sentence_counts + scan.counts):
        if count.kind == "person" and count.unit_from == "noun" and count.start >= earlier_start:
            return count.kind, count.unit, "context"
    for back in range(index - 1, max(-1, index - 4), -1):
        sentence = scan.sentences[back]
        found = _noun_before(scan.text[max(sentence.start, scan.range_start) : sentence.end], scan.lexicon, prefer_person)
        if found is not None:
            return found[0], found[1], "context"
    return "person", "participants", "default"


def _noun_before(segment: str, lexicon: _Lexicon, prefer_person: bool) -> tuple[str, str] | None:
    words = _WORDS.findall(segment)
    for position in range(len(words) - 1, -1, -1):
        found = _noun_unit(words[position], lexicon)
        if found is None:
            continue
        following = words[position + 1] if position + 1 < len(words) else ""
        if words[position][0].isupper() and following[:1].isupper() and following[1:2].islower():
            continue  # part of a name: "Patient Health Questionnaire"
        kind, unit = found
        if kind != "person" and prefer_person:
            continue
        if kind == "person" and position >= 2 and words[position - 1].lower() in ("with", "and", "their"):
            back = position - 2 if words[position - 1].lower() != "their" else position - 3
            earlier = _noun_unit(words[back], lexicon) if back >= 0 else None
            if earlier is not None and earlier[0] == "person":
                unit = earlier[1]
        return kind, unit
    return None


def _last_part(word: str) -> str:
    """The last part of a hyphenated word: "mother-infant" -> "infant"."""
    if "-" not in word and "\u2010" not in word and "\u2011" not in word:
        return word
    return word.replace("\u2010", "-").replace("\u2011", "-").rsplit("-", 1)[-1]


def _noun_unit(word: str, lexicon: _Lexicon) -> tuple[str, str] | None:
    """(kind, plural unit) of a person, study or report noun written anywhere, or None."""
    lower = word.lower().rstrip("'’")
    for candidate in (lower, _last_part(lower)):
        kind = lexicon.units.get(candidate)
        if kind is None or candidate in lexicon.not_units:
            continue
        if kind.endswith("_singular"):
            return None  # "infant mental health", "patient education": a singular is a modifier
        return kind, "RCTs" if candidate == "rcts" else candidate
    return None


# -- roles ------------------------------------------------------------------------------------------


def _assign_roles(scan: _Scan, s_start: int, s_end: int, counts: list[_Count], sentence: Sentence | None) -> None:
    """Role of each count from the nearest cue: after it, inside its phrase, shared with the next count, before it."""
    text, lexicon = scan.text, scan.lexicon
    found: list[dict[str, tuple[str, int] | None]] = []
    in_sentence: dict[int, list[tuple[str, int, int]]] = {}  # every cue of the sentence, found once per cue table
    for position, count in enumerate(counts):
        cues = lexicon.study_cues if count.kind in _STUDY_KINDS else lexicon.person_cues
        if id(cues) not in in_sentence:
            in_sentence[id(cues)] = _cues_in(scan, s_start, s_end, cues)
        sentence_cues = in_sentence[id(cues)]
        after_start = _skip_brackets(text, count.np_end, s_end)
        following = next((c.start for c in counts[position + 1 :] if c.start >= after_start), s_end)
        after = text[after_start : min(following, after_start + 140)]
        stop = _CLAUSE_END.search(after)
        if stop:
            after = after[: stop.start()]
        if count.form == "label":
            before_from = max(s_start, count.start - 220)
        else:
            previous_end = max((c.np_end for c in counts[:position] if c.np_end <= count.start), default=s_start)
            before_from = max(previous_end, count.start - 125, s_start)
            numbers = list(_DIGITS.finditer(text, before_from, count.start))
            if numbers:
                before_from = numbers[-1].end()
        after_cues = [c for c in _within(sentence_cues, after_start - s_start, after_start + len(after) - s_start)
                      if not _OWN_NUMBER_BEFORE.search(after[: c[1]])]
        cues_of: dict[str, tuple[str, int] | None] = {
            "after": _main_cue(after, after_cues),
            "inside": _inside_cue(scan.lower[count.start : count.np_end], cues),
            "before": _last_cue(_within(sentence_cues, before_from - s_start, count.start - s_start),
                                count.start - before_from, cues),
            "stage_after": next(((r, p) for r, p, _ in after_cues if r in _STAGE_ROLES), None),
        }
        if cues_of["before"] is not None and cues_of["before"][0] == "total" and cues_of["before"][1] > 15:
            cues_of["before"] = None  # "a total of" belongs to the count right after it
        found.append(cues_of)
    heading = sentence is not None and sentence.heading is not None and _HEADING_ENROLLED.match(sentence.heading)
    for position in range(len(counts) - 1, -1, -1):
        count, cues_of = counts[position], found[position]
        if count.form == "whole":
            continue
        following = next((c for c in counts[position + 1 :] if c.form != "whole"), None)
        joined = following is not None and _joined(text[count.np_end : following.start], count, following)
        if joined and following is not None and following.kind == count.kind and _CONTAINS.match(text[count.np_end : following.start]):
            count.attributes["contains"] = following.n
            following.attributes["within"] = count.n
        after, adjacent = cues_of["after"], cues_of["before"]
        if (adjacent is not None and adjacent[0] in _STAGE_ROLES and (after is None or after[1] > 15)
                and (adjacent[1] <= 3 or count.attributes.get("approximate") and adjacent[1] <= 20)):
            after = None  # "We randomly allocated 867 women attending their final invited ... appointment"
        if after is not None and after[1] <= 60:
            role, cue, distance = after[0], "after", after[1]
        elif cues_of["inside"] is not None:
            role, cue, distance = cues_of["inside"][0], "inside", 0
        elif joined and following is not None and following.role is not None and following.cue in ("after", "inherited"):
            role, cue, distance = following.raw_role, "inherited", 0
        elif cues_of["before"] is not None and cues_of["before"][1] <= 120:
            role, cue, distance = cues_of["before"][0], "before", cues_of["before"][1]
        elif _BASE_BEFORE.search(text[s_start : count.start]) and re.match(r"[^,;]{0,40},", text[count.np_end : s_end]):
            role, cue, distance = "total", "base", 0  # "Of 625 patients, 297 ... and 310 ... were analysed"
        elif heading:
            role, cue, distance = "enrolled", "heading", 100
        elif after is not None:
            role, cue, distance = after[0], "after", after[1]
        else:
            role, cue, distance = None, "none", 999
        stage_after, before = cues_of["stage_after"], cues_of["before"]
        if role in ("total", "eligible") and cue != "after" and stage_after is not None:
            role, cue, distance = stage_after[0], "after", stage_after[1]  # "A total of 5,318 patients ... were randomly assigned"
        elif role == "eligible" and cue == "inside" and before is not None and before[1] <= 25 and before[0] in _STAGE_ROLES:
            role, cue, distance = before[0], "before", before[1]  # "After inclusion of 167 eligible patients"
        count.role, count.raw_role, count.cue = role, role, cue
        count.confidence = _confidence(count, cue, distance)
        if cue == "inherited" and following is not None:
            count.confidence = min(count.confidence, following.confidence)
    for count in counts:
        if count.form != "whole" and count.role is None and "contains" in count.attributes:
            inner = next((c for c in counts if c.attributes.get("within") == count.n and c.start > count.start), None)
            if inner is not None and inner.role is not None:
                count.role = count.raw_role = inner.raw_role
                count.cue, count.confidence = "inherited", inner.confidence - 0.05
    for count in counts:
        _settle_role(count, counts)
    _mark_arms(scan, s_start, s_end, counts)
    _screened_before_included(counts)


def _joined(join: str, count: _Count, following: _Count) -> bool:
    """Whether two counts are one phrase: "382 families with 488 children", "227/283 (80%) and 226/287"."""
    join = _PERCENT_IN_BRACKETS.sub(" ", join)
    if _JOIN.match(join):
        return True
    if following.kind == "cluster" and count.kind in _PERSON_KINDS and re.match(r"^\s*(?:from|in|at|across|within)\s+(?:the\s+)?$", join, re.I):
        return True  # "564 patients from two study centres in Sweden were enrolled"
    if join.lstrip().startswith("(") and ")" not in join:
        return True  # "286 families (149 NIM and 137 SAU, 367 children)": a breakdown inside brackets
    return count.form == "part" and bool(re.match(r"^\s*(?:[\w\-]+\s+){0,3}(?:and|or|,)\s*$", join))


# a number just before a cue owns it: "From a total sample of 247 patients, 14 withdrew"
_OWN_NUMBER_BEFORE = re.compile(rf"(?<![\w.,/\-])(?:\d[\d,]*|{WORD_COUNT})\s+(?:(?:were|was|had|have|then|also|subsequently)\s+){{0,2}}$", re.I)
_BASE_BEFORE = re.compile(r"^(?:[A-Z][\w ]{0,20},\s*)?of\s+(?:the\s+|all\s+|these\s+|a\s+total\s+of\s+)?$", re.I)
_STAGE_ROLES = ("randomised", "enrolled", "analysed", "followed_up", "included_studies", "excluded")
_AUXILIARY_BEFORE = re.compile(r"\b(?:were|was|are|is|been|be)\s+(?:\w+ly\s+)?$", re.I)


def _skip_brackets(text: str, position: int, limit: int) -> int:
    """The offset after a bracket that opens right at ``position`` ("259 patients (GET, n = 124; ...) were")."""
    opening = _OPENING.match(text, position, limit)
    if opening is None:
        return position
    depth = 0
    for offset in range(opening.end() - 1, limit):
        if text[offset] == "(":
            depth += 1
        elif text[offset] == ")":
            depth -= 1
            if depth == 0:
                return offset + 1
    return position


_ALLOCATION = re.compile(r"(?<!non-)\b(?:randomi[sz]ed|randomly|allocated|assigned|allocation)\b")
_LONE_NUMBER_OR_BREAK = re.compile(r"(?<![\w.\-])\d+(?![\w.%\-])|;")
_AGE_VALUE = re.compile(r"\d+|[a-z]+")
_CAPITALISED_NEXT = re.compile(r"\s+[A-Z][a-z]")
_DIGITS = re.compile(r"\d+")
_PERCENT_IN_BRACKETS = re.compile(r"\(\s*\d+(?:[.,·]\d+)?\s*%\s*\)")
_OPENING = re.compile(r"\s*\(")
_CLAUSE_VERB_ONLY = re.compile(r"(?:\s*(?:were|was|had|have|has|been|are|is|being|then|also|not|\w+ly))*\s*$")
_RELATIVE_ANYWHERE = re.compile(r"\b(?:who|whom|that|which|whose)\b")
_CLAUSE_END = re.compile(r";|\.\s")
_NAME_BEFORE = re.compile(r"\b[A-Z][a-z][\w-]*\s+$")


def _cues_in(scan: _Scan, start: int, end: int, cues: _Cues) -> list[tuple[str, int, int]]:
    """Every cue in ``[start, end)`` as (role, start, end) relative to ``start``, in text order; cue words inside a
    capitalised name are skipped."""
    found = []
    for match in cues.combined.finditer(scan.lower, start, end):
        if scan.text[match.start()].isupper() and _NAME_BEFORE.search(scan.text, max(start, match.start() - 40), match.start()):
            continue  # "the Japan Strategic Anti-cancer Randomized Trial"
        found.append((cues.roles[int(match.lastgroup[1:])], match.start() - start, match.end() - start))  # type: ignore[index]
    return found


def _main_cue(after: str, after_cues: list[tuple[str, int, int]]) -> tuple[str, int] | None:
    """The first cue after a count; past a relative clause the cue of the main verb ("women who completed
    treatment were randomized", "five dyads who were assigned ... were omitted")."""
    if not after_cues:
        return None
    relative = _RELATIVE_ANYWHERE.search(after, 0, after_cues[0][1])
    if relative:
        # inside the clause the verbs describe the people; the main verb carries the auxiliary
        for role, offset, _ in after_cues:
            own_verb = _CLAUSE_VERB_ONLY.match(after, relative.end(), offset)  # "who were assigned": the clause's own
            if offset > relative.start() and _AUXILIARY_BEFORE.search(after[:offset]) and not own_verb:
                return role, offset
        after_cues = [c for c in after_cues if c[0] != "excluded"]
        if not after_cues:
            return None
    return after_cues[0][0], after_cues[0][1]


_INSIDE_ROLES = ("randomised", "analysed", "enrolled", "eligible", "screened", "included_studies", "excluded")


def _inside_cue(inside: str, cues: _Cues) -> tuple[str, int] | None:
    for role in cues.roles:
        if role in _INSIDE_ROLES and cues.each[role].search(inside):
            return role, 0
    return None


def _within(found: list[tuple[str, int, int]], start: int, end: int) -> list[tuple[str, int, int]]:
    """The cues lying inside ``[start, end)`` (offsets relative to the sentence), re-based on ``start``."""
    return [(role, s - start, e - start) for role, s, e in found if s >= start and e <= end]


def _last_cue(found: list[tuple[str, int, int]], length: int, cues: _Cues) -> tuple[str, int] | None:
    """The cue nearest the end of a window of ``length`` characters, as (role, distance from the end)."""
    if not found:
        return None
    role, _, last = min(found, key=lambda item: (length - item[2], cues.roles.index(item[0])))
    return role, length - last


def _confidence(count: _Count, cue: str, distance: int) -> float:
    base = {"after": 0.85, "inside": 0.8, "before": 0.78, "heading": 0.6, "inherited": 0.75, "base": 0.5, "none": 0.35}[cue]
    if cue in ("after", "before"):
        base -= min(distance, 120) / 1200
    if count.kind == "unknown":
        base -= 0.2
    if count.unit_from == "context":
        base -= 0.05
    elif count.unit_from == "default":
        base -= 0.15
    if count.form == "verb" and cue == "none":
        base -= 0.2
    if count.form == "part" and count.raw_role is None:
        base -= 0.1  # "four of 75 children": the whole is the sample
    if count.form == "part" and count.raw_role in ("randomised", "enrolled"):
        base -= 0.3  # "correctly allocated 75 out of 92 (81.5%) patients": a share, not the sample
    return base


_PERSON_ROLE = {
    "randomised": "randomised", "enrolled": "enrolled", "enrolled_baseline": "enrolled", "analysed": "analysed",
    "followed_up": "followed_up", "screened": "screened", "eligible": "eligible", "total": "total",
}
# A count of studies that shares a person cue ("Fifteen trials with 7697 women were included").
_STUDY_ROLE = {
    "included_studies": "included_studies", "screened": "screened", "found": "included_studies", "total": "total",
    "enrolled": "included_studies", "analysed": "included_studies", "eligible": "included_studies",
}


def _settle_role(count: _Count, counts: list[_Count]) -> None:
    """Turn the cue found for a count into one of ``ROLES`` (or None to leave the count out)."""
    raw = count.raw_role
    if raw == "excluded":
        count.role = None
        return
    if count.form == "whole":
        part = next((c for c in counts if c.form == "part" and c.attributes.get("of") == count.n and c.np_end == count.np_end), None)
        if part is not None and part.role is None:
            count.role = None
            return
        count.role, count.cue = "total", "whole"
        count.confidence = 0.5 if part is None else max(0.3, part.confidence - 0.3)
        if count.attributes.get("planned"):
            count.confidence = 0.2  # "terminated at 338 of 2,150 planned patients"
        if count.kind == "cluster":
            count.attributes["stage"], count.role = "total", "clusters"
        return
    if count.kind in _STUDY_KINDS:
        if count.form == "label" and raw is None:
            raw = "included_studies"
        if raw == "found":
            count.attributes["found"] = True
            count.confidence -= 0.15
        count.role = _STUDY_ROLE.get(raw or "", "total")
        if raw is None or count.role == "total":
            count.confidence = min(count.confidence, 0.4)
        return
    if count.kind == "cluster":
        count.attributes["stage"] = _PERSON_ROLE.get(raw or "", "total")
        count.role = "clusters"
        return
    role = _PERSON_ROLE.get(raw or "")
    if role is None:
        if count.form == "verb":
            count.role = None
            return
        role = "total"
        if count.form == "label" and count.unit_from != "default":
            count.confidence = max(count.confidence, 0.45)
    if "percent" in count.attributes and role in ("total", "eligible", "screened") and count.form != "part":
        count.role = None  # "90 (16%) women had an adverse event": a subgroup
        return
    count.role = role


def _mark_arms(scan: _Scan, s_start: int, s_end: int, counts: list[_Count]) -> None:
    """Mark counts that are sizes of one arm: labelled counts side by side, "N ... randomised to the X group",
    "N of M" pairs whose wholes are the arms, counts "in each group"."""
    text, lower, lexicon = scan.text, scan.lower, scan.lexicon
    sentence_lower = lower[s_start:s_end]
    labels = [c for c in counts if c.form == "label" and c.kind in _PERSON_KINDS and c.role is not None]
    allocation = _ALLOCATION.search(sentence_lower)
    for count in counts:
        if count.role is None or count.kind not in _PERSON_KINDS:
            continue
        after = text[count.np_end : min(s_end, count.np_end + 80)]
        if lexicon.each_after.match(lower, count.np_end, s_end) or lexicon.each_after.match(lower, count.end, s_end):
            count.attributes["each"] = True
            count.attributes.setdefault("arm", "each")
            if count.role in ("randomised", "enrolled", "total"):
                count.role = "arm"
            continue
        bracketed = count.form == "noun" and text[max(s_start, count.start - 3) : count.start].rstrip().endswith("(")
        if count.form == "label" or bracketed:
            label = _label_before(text, s_start, count.start)
            near = text[max(s_start, count.start - 50) : count.start]
            arm_near = bool(label and lexicon.arm_words.search(label.lower())) or bool(lexicon.arm_words.search(near[-25:].lower()))
            several = len(labels) >= 2 and (allocation or lexicon.arm_words.search(sentence_lower) or any(
                _ALTERNATIVE_JOIN.search(text[a.end : b.start]) for a, b in zip(labels, labels[1:], strict=False)))
            group_word = re.search(r"\b(?:group|arm|condition)\s*[(,;]?\s*$", near)
            single_total = text[count.start] == "N" and len(labels) == 1 and not group_word
            others = [c.n for c in labels if c is not count]
            if len(others) >= 2 and (count.n == sum(others) or (text[count.start] == "N" and all(
                    text[c.start] == "n" for c in labels if c is not count))):
                continue  # "Women (N = 228) were randomly assigned to X (n = 114) or placebo (n = 114)"
            last_word = label.split()[-1] if label.split() else ""
            names_people = _noun_unit(last_word, lexicon) is not None and not lexicon.arm_words.search(label.lower())
            if (arm_near or several) and not single_total and label and not names_people:
                allocated = allocation is not None and allocation.start() < count.start - s_start
                _make_arm(count, label, lexicon, stage="randomised" if allocated else None, group="labels")
            continue
        if count.form == "whole":
            continue
        arm = _ARM_AFTER.match(after)
        if arm and (_ALTERNATIVE_AFTER.match(text[count.np_end : s_end], arm.end()) or _ALTERNATIVES.search(arm.group("label"))):
            arm = None  # "randomised into an intervention group (IG = 18) or control group"
        if arm is None and not _arms_follow(count, counts, text):
            arm = _ARM_TO.match(after)
            clause = text[count.np_end : s_end]
            while re.search(r"\([^()]*\)", clause):
                clause = re.sub(r"\([^()]*\)", " ", clause)
            clause = re.split(r";|\.(?:\s+(?=[A-Z][a-z])|$)", clause, maxsplit=1)[0][:160]
            if arm and _ALTERNATIVE_WORDS.search(clause):
                arm = None  # "randomly assigned to AC (n = 180) or AD (n = 183)"
        if arm and count.role in ("randomised", "enrolled", "total", "analysed", "followed_up"):
            _make_arm(count, arm.group("label"), lexicon, group="phrase")
    # "the per-protocol group (n = 33) ... than the control group (n = 35)": arms of one sentence share a stage
    arms = [c for c in counts if c.form == "label" and "arm" in c.attributes and not c.attributes.get("each")]
    stages = {c.role for c in arms} - {"arm", "total"}
    if len(arms) >= 2 and len(stages) == 1:
        stage = stages.pop()
        for count in arms:
            if count.role in ("arm", "total"):
                count.role = stage
                count.attributes.pop("stage", None)
    for count in counts:
        # "All 25 mothers and their 26 infants allocated into each group": both are per-group counts
        inner = next((c for c in counts if c.attributes.get("within") == count.n and c.start > count.start), None)
        if inner is not None and inner.attributes.get("each") and count.role is not None:
            count.attributes["each"] = True
            count.attributes.setdefault("arm", "each")
            if count.role in ("randomised", "enrolled", "total"):
                count.role = "arm"
    # "255 of 363 (70%) intervention and 240 of 359 (67%) control group women": wholes are arms
    wholes = [c for c in counts if c.form == "whole" and c.kind in _PERSON_KINDS]
    if len(wholes) >= 2:
        for whole in wholes:
            label = _whole_label(text, whole, s_end)
            if label:
                _make_arm(whole, label, lexicon, group="wholes")
                part = next((c for c in counts if c.form == "part" and c.attributes.get("of") == whole.n), None)
                if part is not None and part.role is not None:
                    part.attributes["arm"] = whole.attributes["arm"]
                    part.attributes["arm_kind"] = whole.attributes["arm_kind"]


def _arms_named_after(scan: _Scan, s_start: int, s_end: int, index: int, counts: list[_Count]) -> list[_Count]:
    """"92 were randomized to T + P and 42 to T + P + pac": the second number is an arm too."""
    new: list[_Count] = []
    for count in counts:
        chained = count.arm_group.startswith("next")
        if count.kind not in _PERSON_KINDS or count.raw_role != "randomised" or (
                "arm" in count.attributes and not chained and count.arm_group != "phrase"):
            continue
        after = scan.text[count.np_end : s_end]
        if not re.match(r"\s*(?:(?:were|was)\s+)?(?:randomly\s+)?(?:randomi[sz]ed|assigned|allocated)\s+(?:to|into)\b", after, re.I):
            continue
        following = _NEXT_ARM.search(after[:200])
        if following is None or re.search(r"[;]|\.\s", after[: following.start()]):
            continue
        n = parse_count(following.group("count"))
        start = count.np_end + following.start("count")
        if n is None or n <= 1:
            continue
        existing = next((c for c in counts + new if c.start <= start < max(c.np_end, c.end)), None)
        group = count.arm_group if chained else f"next{count.start}"
        _make_arm(count, _arm_label(scan.text, count.np_end, s_end), scan.lexicon, stage="randomised", group=group)
        if existing is not None:
            if existing.kind in _PERSON_KINDS:
                existing.role = "arm"
                _make_arm(existing, _arm_label(scan.text, existing.np_end, s_end), scan.lexicon, stage="randomised",
                          group=group)
            continue
        arm = _Count(n, start, count.np_end + following.end("count"), index, count.unit, count.kind, "bare",
                     role="arm", raw_role="randomised", cue="parallel", confidence=count.confidence - 0.05,
                     unit_from="context", np_end=count.np_end + following.end("count"))
        _make_arm(arm, _arm_label(scan.text, arm.np_end, s_end), scan.lexicon, stage="randomised", group=group)
        new.append(arm)
    return new


def _arms_by_sum(scan: _Scan, s_start: int, s_end: int, index: int, counts: list[_Count], found: list[_Number]) -> None:
    """Numbers of one sentence that add up to a count just before them are its arms ("403 patients were
    enrolled; 201 were assigned high-dose chemotherapy and 202 conventional treatment")."""
    earlier = [c for c in scan.counts if c.sentence >= index - 2] + counts
    totals = [c for c in earlier if c.kind in _PERSON_KINDS and c.form != "sum" and c.role in _TOTAL_ROLES]
    if not totals or not any(c.kind in _PERSON_KINDS and "arm" not in c.attributes for c in counts):
        return
    numbers: list[tuple[int, int, int, _Count | None]] = []
    for number in found:
        start = number.start
        owner = next((c for c in counts if c.start <= start < max(c.np_end, c.end)), None)
        if owner is not None:
            if owner.form not in ("whole", "sum") and (not numbers or numbers[-1][3] is not owner):
                numbers.append((owner.n, owner.start, owner.np_end, owner))
            continue
        n = parse_count(number.text)
        before = scan.text[max(s_start, start - 30) : start]
        after = scan.text[number.end : min(s_end, number.end + 200)]
        if n is not None and number.symbol is None and _plausible_number(n, number.text, before, after, scan.lexicon):
            numbers.append((n, start, number.end, None))
    for first in range(len(numbers)):
        head = numbers[first][3]
        if head is None or head.kind not in _PERSON_KINDS or "arm" in head.attributes:
            continue
        for size in (2, 3):
            group = numbers[first : first + size]
            if len(group) < size or any(b[1] - a[2] > 90 for a, b in zip(group, group[1:], strict=False)):
                break
            total = next((t for t in totals if t.n == sum(g[0] for g in group) and t.start < group[0][1]
                          and all(t is not g[3] for g in group)), None)
            if total is None:
                continue
            _mark_sum_arms(scan, s_end, index, counts, group, total)
            break


_TOTAL_ROLES = ("randomised", "enrolled", "total", "eligible", "analysed", "followed_up", "screened")


def _mark_sum_arms(scan: _Scan, s_end: int, index: int, counts: list[_Count],
                   group: list[tuple[int, int, int, _Count | None]], total: _Count) -> None:
    roles = {g[3].raw_role for g in group if g[3] is not None}
    if "randomised" in roles or total.role == "randomised":
        stage = "randomised"
    elif roles & {"analysed", "followed_up"}:
        stage = next(r for r in ("analysed", "followed_up") if r in roles)
    else:
        stage = total.role if total.role in ("enrolled", "total") else "total"
    for n, start, end, count in group:
        if count is None:
            count = _Count(n, start, end, index, total.unit, total.kind, "bare", role=None, cue="sum",
                           confidence=total.confidence - 0.1, unit_from="context", np_end=end)
            counts.append(count)
        count.role = None if stage in ("randomised", "enrolled", "total") else stage
        count.attributes.pop("arm", None)
        _make_arm(count, _arm_label(scan.text, count.np_end, s_end) or f"arm {len(count.attributes) + 1}",
                  scan.lexicon, stage=stage, group=f"sum{group[0][1]}")
    counts.sort(key=lambda c: c.start)


def _arm_label(text: str, position: int, limit: int) -> str:
    """The arm named after a count: "201 were assigned high-dose chemotherapy" -> "high-dose chemotherapy"."""
    after = text[position : min(limit, position + 80)]
    after = re.sub(r"^\s*(?:(?:were|was)\s+)?(?:randomly\s+)?(?:randomi[sz]ed|assigned|allocated|received|receiving)?\s*(?:to|into|in)?\s*(?:the\s+|a\s+)?", "", after, flags=re.I)
    label = re.split(r"\s*(?:[,;()]|\band\b|\bor\b|\bvs\b|\bversus\b|\bwhile\b|\bwhereas\b)", after, maxsplit=1)[0]
    return label.strip()[:60]


def _arms_follow(count: _Count, counts: list[_Count], text: str) -> bool:
    """Whether labelled arm counts follow a count in its sentence ("64 were randomized (n = 35, X; n = 29, Y)")."""
    later = [c for c in counts if c.start > count.start and c.kind in _PERSON_KINDS
             and (c.form == "label" or text[max(0, c.start - 2) : c.start].strip() == "(")]
    return len(later) >= 2


def _make_arm(count: _Count, label: str, lexicon: _Lexicon, stage: str | None = None, group: str = "phrase") -> None:
    """Mark a count as the size of one arm; arms of one group in one sentence are summed."""
    label = re.split(rf"\s+and\s+(?=\d|{WORD_COUNT})", label, maxsplit=1)[0]
    label = _STEM.sub("", label.strip(" ,;:(.").strip())
    label = _STEM.sub("", label).strip()
    if not label:
        return
    count.arm_group = group
    count.attributes["arm"] = label
    count.attributes["arm_kind"] = "control" if lexicon.control_words.search(label.lower()) else "intervention"
    if count.role in ("randomised", "enrolled", "total", "arm", None):
        count.attributes["stage"] = stage or count.attributes.get("stage") or count.role or "total"
        count.role = "arm"


def _label_before(text: str, s_start: int, label_start: int) -> str:
    """The arm name written before an ``(n = 38)``: inside its bracket, else back to the last connector."""
    before = text[max(s_start, label_start - 90) : label_start]
    opening = before.rfind("(")
    if opening != -1 and ")" not in before[opening:]:
        inside = before[opening + 1 :].strip(" ;,:")
        if inside and not re.fullmatch(r"[\d\s.,:;%-]*", inside):
            return inside
        before = before[:opening]
    before = before.rstrip(" ,;:")
    connectors = list(_CONNECTOR.finditer(before))
    tail = before[connectors[-1].end() :] if connectors else before
    tail = tail.strip(" ,;:(")
    return tail if len(tail) <= 60 else tail[-60:].split(" ", 1)[-1]


def _whole_label(text: str, whole: _Count, s_end: int) -> str:
    after = text[whole.end : min(s_end, whole.end + 60)]
    after = _PERCENT_AFTER.sub("", after, count=1) if _PERCENT_AFTER.match(after) else after
    words: list[str] = []
    for word in re.findall(r"[\w\-]+|[^\w\s]", after)[:4]:
        if not re.match(r"[\w\-]+$", word) or word.lower() in ("and", "or", "of", "in", "who", "were", "had", "with"):
            break
        if word.lower() == whole.unit:
            break
        words.append(word)
    return " ".join(words)


def _screened_before_included(counts: list[_Count]) -> None:
    """"Of the 842 studies identified, 83 met the criteria": the first count was screened, not included."""
    for position, count in enumerate(counts):
        if count.kind not in _STUDY_KINDS or not (
            count.role == "total" or (count.role == "included_studies" and count.attributes.get("found"))
        ):
            continue
        later = [c for c in counts[position + 1 :] if c.kind in _STUDY_KINDS and c.role == "included_studies" and c.n < count.n]
        if later:
            count.role = "screened"
            count.attributes.pop("found", None)


def _arm_sums(counts: list[_Count]) -> list[_Count]:
    """Arm counts of one sentence and one stage, added up into a total of that stage."""
    groups: dict[tuple[int, str, str, str], list[_Count]] = {}
    for count in counts:
        if "arm" not in count.attributes or count.attributes.get("each") or count.role is None:
            continue
        groups.setdefault((count.sentence, count.role, count.kind, count.arm_group), []).append(count)
    sums: list[_Count] = []
    for (sentence, role, kind, _), arms in groups.items():
        if len(arms) < 2:
            continue
        stage = role
        if role == "arm":
            stages = {a.attributes.get("stage") for a in arms}
            stage = "randomised" if "randomised" in stages or any(a.attributes.get("allocation") for a in arms) else "total"
            if stage == "total" and "enrolled" in stages:
                stage = "enrolled"
        unit = next((a.unit for a in arms if a.unit_from == "noun"), arms[0].unit)
        attributes = {"arms": [{"label": a.attributes.get("arm"), "n": a.n} for a in arms], "sum_of_arms": True}
        sums.append(_Count(
            sum(a.n for a in arms), arms[0].start, arms[-1].end, sentence, unit, kind, "sum", role=stage, cue="sum",
            confidence=min(a.confidence for a in arms) - 0.05, attributes=attributes,
            unit_from=min((a.unit_from for a in arms), key=("noun", "context", "default").index),
        ))
    return sums


def _to_value(count: _Count) -> ExtractedValue:
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


# -- choosing ---------------------------------------------------------------------------------------

_PERSON_TIERS = (
    ("randomised", False), ("randomised", True), ("enrolled", False), ("enrolled", True), ("total", False),
    ("eligible", False), ("total", True), ("analysed", False), ("analysed", True), ("followed_up", False),
    ("followed_up", True),
)


def choose_sample_size(candidates: list[ExtractedValue], design: str | None) -> ExtractedValue | None:
    """The headline size (FORMAT.md): randomised, else enrolled; individuals in a cluster trial; included studies in a review."""
    candidates = [c for c in candidates if c.field == FIELD and c.role is not None]
    if design in REVIEWS or (design is None and _looks_like_review(candidates)):
        return _choose_review(candidates)
    person = [c for c in candidates if c.attributes.get("kind") in _PERSON_KINDS]
    if design in CLUSTER_DESIGNS:
        # "382 families with 488 children were randomized": the children are the participants
        person = [c for c in person if not _contains_person(c, person)]
    else:
        person = [c for c in person if "within" not in c.attributes or not _has_container(c, person)]
    if design != "protocol":
        # a target ("planned for 250 patients") is the headline only of a protocol
        actual = [c for c in person if not c.attributes.get("planned")]
        person = actual if _best_in_tiers(actual) is not None else person
    chosen = _best_in_tiers(person)
    if chosen is None:
        clusters = [c for c in candidates if c.role == "clusters"]
        randomised = [c for c in clusters if c.attributes.get("stage") == "randomised"]
        pool = randomised or clusters
        chosen = _best(pool) if pool and (design in CLUSTER_DESIGNS or randomised) else None
    return chosen


def _best_in_tiers(candidates: list[ExtractedValue]) -> ExtractedValue | None:
    """The best count of people of the first tier that has one; one arm's count is never the headline."""
    for role, is_sum in _PERSON_TIERS:
        tier = _without_subsets([c for c in candidates if c.role == role and bool(c.attributes.get("sum_of_arms")) == is_sum
                                 and "arm" not in c.attributes], [c for c in candidates if c.role == role])
        if (role == "total" and not is_sum) or role == "eligible":
            strong = [c for c in tier if c.confidence >= (0.5 if role == "total" else 0.6)]
            if strong:
                return _best(strong)
            continue
        if tier:
            return _best(tier)
    weak = [c for c in candidates if c.role == "total" and not c.attributes.get("sum_of_arms")]
    return _best(weak) if weak else None


def _without_subsets(tier: list[ExtractedValue], same_role: list[ExtractedValue]) -> list[ExtractedValue]:
    """Leave out counts smaller than an earlier count of the same role: "Of 24 children randomized to the CBT
    arm" after "45 children were randomized" is a part of them."""
    return [c for c in tier if not any(
        o.start is not None and c.start is not None and o.start < c.start and o.value["n"] > c.value["n"]
        and o.confidence >= 0.5 for o in same_role)]


def _best(candidates: list[ExtractedValue]) -> ExtractedValue:
    """Most confident (to a tenth), then the first in the text."""
    return min(candidates, key=lambda c: (-round(c.confidence, 1), c.start if c.start is not None else 0))


def _contains_person(candidate: ExtractedValue, person: list[ExtractedValue]) -> bool:
    contains = candidate.attributes.get("contains")
    return contains is not None and any(
        c.value["n"] == contains and c.attributes.get("within") == candidate.value["n"] for c in person
    )


def _has_container(candidate: ExtractedValue, person: list[ExtractedValue]) -> bool:
    within = candidate.attributes.get("within")
    return any(c.value["n"] == within and c.attributes.get("contains") == candidate.value["n"] for c in person)


def _looks_like_review(candidates: list[ExtractedValue]) -> bool:
    included = [c for c in candidates if c.role == "included_studies" and c.confidence >= 0.6]
    people = [c for c in candidates if c.role in ("randomised", "enrolled") and c.attributes.get("kind") == "person"]
    return bool(included) and not people


def _choose_review(candidates: list[ExtractedValue]) -> ExtractedValue | None:
    studies = [c for c in candidates if c.attributes.get("kind") in _STUDY_KINDS]
    for role in ("included_studies", "total"):
        tier = [c for c in studies if c.role == role]
        if not tier:
            continue
        proper = [c for c in tier if c.attributes.get("kind") == "study"]
        best = _best(proper or tier)
        return replace(best, value={"n": best.value["n"], "unit": "studies"},
                       attributes={**best.attributes, "unit_as_written": best.value["unit"]})
    return None


# -- details ----------------------------------------------------------------------------------------


def sample_size_details(candidates: list[ExtractedValue]) -> dict[str, Any]:
    """Per-arm counts, clusters, analysed and followed-up counts, attrition and review counts, each as a field."""
    candidates = [c for c in candidates if c.field == FIELD and c.role is not None]
    person = [c for c in candidates if c.attributes.get("kind") in _PERSON_KINDS]
    studies = [c for c in candidates if c.attributes.get("kind") in _STUDY_KINDS]

    def pick(pool: list[ExtractedValue], role: str) -> dict[str, Any] | None:
        tier = [c for c in pool if c.role == role]
        if role == "clusters":
            tier = [c for c in tier if c.attributes.get("stage") == "randomised"] or tier
        if not tier:
            return None
        whole = _without_subsets([c for c in tier if "arm" not in c.attributes], tier)  # not one arm's count
        explicit = [c for c in whole if not c.attributes.get("sum_of_arms")]
        best = _best(explicit or whole or tier)
        picked = {"n": best.value["n"], "unit": best.value["unit"], "start": best.start, "end": best.end}
        if role == "clusters":
            picked["stage"] = best.attributes.get("stage")
        return picked

    arms = [c for c in person if c.role == "arm" and not c.attributes.get("each")]
    if not arms:
        arms = [c for c in person if "arm" in c.attributes and c.role in ("randomised", "enrolled") and not c.attributes.get("each")]
    first_sentence_arms: list[ExtractedValue] = []
    if arms:
        sums = [c for c in person if c.attributes.get("sum_of_arms") and c.start == arms[0].start]
        span_end = sums[0].end if sums else arms[0].end
        first_sentence_arms = [a for a in arms if a.start is not None and arms[0].start <= a.start <= (span_end or a.start)]
    randomised = pick(person, "randomised")
    followed_up = pick(person, "followed_up")
    details: dict[str, Any] = {
        "randomised": randomised,
        "enrolled": pick(person, "enrolled"),
        "arms": [
            {"label": a.attributes.get("arm"), "n": a.value["n"], "unit": a.value["unit"], "kind": a.attributes.get("arm_kind")}
            for a in first_sentence_arms
        ],
        "clusters": pick(candidates, "clusters"),
        "analysed": pick(person, "analysed"),
        "followed_up": followed_up,
        "attrition": None,
        "screened": pick(studies, "screened") or pick(person, "screened"),
        "eligible": pick(person, "eligible"),
        "included_studies": pick(studies, "included_studies"),
    }
    base = randomised or details["enrolled"]
    if base and followed_up and base["unit"] == followed_up["unit"] and base["n"] >= followed_up["n"] > 0:
        retained = followed_up["n"] / base["n"]
        details["attrition"] = {
            "followed_up": followed_up["n"], "randomised": base["n"], "retained": round(retained, 4),
            "lost": round(1 - retained, 4),
        }
    return details
