"""Construct phrases: list items split, cleaned to a short name, distributed, keyed for grouping."""

from __future__ import annotations

import re
from functools import lru_cache

from .outcome_lexicon import fold, vocabulary
from .outcome_sentences import SPACES, TIME_HINTS, TIME_PHRASE

_ITEM_SEPARATORS = re.compile(r"[;,]|\b(?:and/or|and|or|as well as)\b|&")
_ITEM_SEPARATORS_SEMICOLON = re.compile(r";|\b(?:and/or|and|or|as well as)\b|&")
_ITEM_SEPARATORS_ENUMERATED = re.compile(r"[;,]|\b(?:and/or|and|or|as well as)\b|&|\s+(?=\(?[a-h]\)\s)")
OPERATOR = re.compile(r"[<>=≤≥]")
_ENUMERATOR = re.compile(r"^\s*(?:\(?(?:[a-h]|[ivx]{1,4}|\d{1,2})\)|\d{1,2}\.)\s+", re.I)
_STATISTICS = re.compile(r"\b(?:relative risk|odds ratios?|mean differences?|confidence intervals?|effect sizes?|"
                         r"regression|p-values?|standard deviations?|hazard ratios?|risk ratios?)\b", re.I)
_TAIL = re.compile(r"\s+(?:(?:post|pre)\s|expressed|defined|identified|measured|assessed|reported|observed|"
                   r"evaluated|as|using|via|"
                   r"post[- ]?(?:intervention|treatment|test|randomi[sz]ation|baseline|childbirth|delivery|birth)|"
                   r"after)\b.*$", re.I)
_CUT_WORDS = {"among", "in", "for", "of", "across", "at", "after", "during", "from", "within", "over", "between",
              "by", "relative", "versus", "vs", "vs.", "to"}
_DANGLING = {"at", "by", "after", "over", "until", "to", "up", "within", "of", "in", "from", "during", "on", "for",
             "and", "or", "the", "with", "post", "pre"}
_ALWAYS_CUT = {"among", "across", "between", "versus", "vs", "vs.", "after", "during", "within"}
_LONG_CUT = {"for", "in", "among", "from", "at", "during", "within", "to", "with", "by", "regarding"}
_SPACED_HYPHEN = re.compile(r"\s+-\s*")
_HEDGE = re.compile(r"\w+fold|almost|nearly|approximately|about")
_ABBREVIATION = re.compile(r"[A-Z][A-Za-z0-9-]{1,9}")
_BAD_START = re.compile(r"(?:\d|[a-z]\)|to\b|of\b|for\b|in\b|on\b|with\b|by\b|at\b|from\b|than\b|it\b|its\b)")
_CLAUSE_WORDS = frozenset({"was", "were", "is", "are", "be", "been", "had", "has", "have", "did", "showed", "found",
                           "we", "our"})
_THREE_LETTERS = re.compile(r"[a-z]{3}")
_KEEP_ING = {"wellbeing", "functioning", "bullying", "parenting", "breastfeeding", "drinking", "smoking",
             "schooling", "caregiving", "self-harming", "gambling", "sleeping", "feeding", "reading", "writing"}
_ADJECTIVE = re.compile(r"(?:al|ive|ic|ary|ory|ous|ar|ful|less|ent|ant|ed)$|^(?:language|motor|speech|weight|height)$")


def split_items(masked: str, start: int, end: int) -> list[tuple[int, int]]:
    """Item spans of a list ``X, Y and Z`` (semicolons first when the list uses them), blanks trimmed."""
    segment = masked[start:end]
    if ";" in segment and "," not in segment.split(";")[0]:
        pattern = _ITEM_SEPARATORS_SEMICOLON
    else:
        pattern = _ITEM_SEPARATORS_ENUMERATED if ")" in segment else _ITEM_SEPARATORS
    spans: list[tuple[int, int]] = []
    position = start
    for match in pattern.finditer(segment):
        spans.append((position, start + match.start()))
        position = start + match.end()
    spans.append((position, end))
    trimmed = []
    for item_start, item_end in spans:
        piece = masked[item_start:item_end]
        stripped = piece.strip()
        if stripped:
            item_start += len(piece) - len(piece.lstrip())
            trimmed.append((item_start, item_start + len(stripped)))
    return trimmed


@lru_cache(maxsize=4096)
def clean_phrase(phrase: str) -> str | None:
    """A short construct name from a list item, or None when the item names nothing measurable."""
    voc = vocabulary()
    phrase = _ENUMERATOR.sub("", SPACES.sub(" ", phrase)).strip(" ,;:-–—'\"")
    phrase = _SPACED_HYPHEN.sub("-", phrase)
    if any(map(phrase.lower().__contains__, TIME_HINTS)):
        phrase = TIME_PHRASE.sub(" ", phrase)
    phrase = _TAIL.sub("", phrase)
    words = phrase.strip(" ,;:-").split()
    while len(words) > 1 and words[-1].lower() in _DANGLING:
        words = words[:-1]
    counted = False  # "incidents of X": X is counted, so an event noun is fine as head
    changed = True
    while changed and len(words) > 1:
        changed = False
        lowered_words = [w.lower() for w in words]
        for lead in voc.lead_phrases.get(lowered_words[0], ()):
            if len(words) > len(lead) and tuple(lowered_words[: len(lead)]) == lead:
                rest = words[len(lead) :]
                if lead[-2:] == ("quality", "of") and rest[0].lower() in voc.keep_after_quality:
                    continue
                counted = counted or lead[0] in {"incidents", "incidence", "number", "rate", "rates", "occurrence",
                                                 "frequency"}
                words, changed = rest, True
                break
        first = words[0].lower().strip(",")
        if not changed and len(words) > 1 and (first in voc.lead_words or _HEDGE.fullmatch(first)):
            words, changed = words[1:], True
    for index in range(1, len(words)):
        word = words[index].lower()
        if word in _CUT_WORDS:
            following = words[index + 1].lower().strip(",.;") if index + 1 < len(words) else ""
            if word in _ALWAYS_CUT or following in voc.population or following[:1].isdigit():
                words = words[:index]
                break
    while len(words) > 6:
        cut = max((i for i in range(2, len(words)) if words[i].lower() in _LONG_CUT), default=None)
        if cut is None:
            break
        words = words[:cut]
    while len(words) > 1 and words[-1].lower() in _DANGLING:
        words = words[:-1]
    while len(words) > 1 and words[-1].lower() in voc.trail_words:
        if len(words) == 2 and words[-1].lower() in {"outcome", "outcomes"} and \
                words[0].lower() in voc.keep_trail_after:
            break  # "child outcomes"
        if len(words) == 2 and _ADJECTIVE.search(words[0].lower()):
            break  # "cognitive scores" is not "cognitive"
        words = words[:-1]
    phrase = " ".join(words).strip(" ,;:-'\"")
    lowered = phrase.lower()
    if not phrase or len(words) > 7 or lowered in voc.generic:
        return None
    if OPERATOR.search(phrase) or _STATISTICS.search(phrase):
        return None
    if _ABBREVIATION.fullmatch(phrase) and sum(c.isupper() for c in phrase) >= 2:
        return phrase  # an abbreviation: kept only when the text defines it
    if _BAD_START.match(lowered):
        return None
    if set(lowered.split()) & _CLAUSE_WORDS:
        return None
    head = words[-1].lower().strip(".,")
    if (head in voc.reject_heads and not counted) or head in voc.lead_words or head in voc.generic and len(words) == 1:
        return None
    if len(words) == 1 and (len(phrase) < 4 or lowered.endswith(("ed", "ly", "ing")) and lowered not in _KEEP_ING):
        return None
    if not _THREE_LETTERS.search(lowered):
        return None
    return phrase


def distribute(items: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """``cognitive, language and motor development`` -> each with ``development``."""
    voc = vocabulary()
    out = list(items)
    for index, (phrase, _, _) in enumerate(items):
        words = phrase.split()
        if len(words) != 2 or words[1].lower() not in voc.distributable:
            continue
        first = index
        while first > 0 and len(items[first - 1][0].split()) == 1 and _ADJECTIVE.search(items[first - 1][0].lower()):
            first -= 1
        for single in range(first, index):
            single_phrase, single_start, single_end = items[single]
            out[single] = (f"{single_phrase} {words[1]}", single_start, single_end)
    return out


def sentence_case(phrase: str) -> str:
    """``Maternal sensitivity`` (capital from the sentence start) -> ``maternal sensitivity``; labels keep theirs."""
    first, _, rest = phrase.partition(" ")
    if first[:1].isupper() and first[1:].islower() and rest and rest == rest.lower():
        return first.lower() + " " + rest
    return phrase


def construct_key(phrase: str) -> str:
    return "c:" + " ".join(_stem(w) for w in fold(phrase).split())


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 4 and word.endswith("s") and not word.endswith("ss") else word


@lru_cache(maxsize=8192)
def core_stems(phrase: str) -> frozenset[str]:
    """Prefix stems of the words naming what is measured (``maternal depressive symptoms`` -> depres)."""
    modifiers = vocabulary().modifiers
    return frozenset(w[:6] for w in fold(phrase.replace("-", " ")).split() if w not in modifiers and len(w) > 2)
