"""Abbreviations the text defines (Schwartz-Hearst), and which of them name instruments."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz

from ...textlayer import Sentence
from .lexicon import (
    HEAD_SPLIT,
    Instrument,
    fold,
    folded_words,
    fuzzy_instrument,
    has_head,
    instrument_key,
    lookup_token,
    name_hits,
)


@dataclass(frozen=True)
class Definition:
    """``Long Form (LF)``: both forms with their absolute offsets."""

    short: str
    long: str
    long_start: int
    long_end: int
    short_start: int
    short_end: int


Named = dict[str, tuple[str, Instrument | None]]  # defined abbreviation -> (group key, lexicon entry)


@dataclass(frozen=True)
class Definitions:
    """What a text defines, read once per study unit."""

    all: list[Definition]  # in text order
    named: Named  # abbreviations that name instruments
    vetoed: set[str]  # abbreviations defined as something else than the lexicon instrument of the same letters
    naming: list[Definition]  # the definitions of ``named``, in text order


def read_definitions(sentences: Iterable[tuple[Sentence, str]]) -> Definitions:
    """The abbreviations defined in ``(sentence, its text)`` pairs, and which of them name instruments."""
    found = find_definitions(sentences)
    named, vetoed = classify_definitions(found)
    return Definitions(found, named, vetoed, [d for d in found if d.short in named])


_SHORT_FORM = re.compile(r"[A-Za-z0-9][\w:/.&+-]{0,14}")
_VERSION_TAIL = re.compile(r"(?:[- ]?(?:\d+[A-Za-z]?|[IVX]{1,4}|R|SF))+$")
_NOT_SHORT_FORMS = {"CI", "OR", "RR", "SD", "SE", "HR", "IQR", "SMD", "MD", "ES", "NS"}


def _is_short_form(token: str) -> bool:
    return (token != token.lower() and _SHORT_FORM.fullmatch(token) is not None
            and sum(c.isalpha() for c in token) >= 2 and token.upper() not in _NOT_SHORT_FORMS)


def _best_long_form(short: str, before: str) -> str | None:
    """Schwartz-Hearst: the shortest end of ``before`` whose letters spell ``short`` in order."""
    s_index, l_index = len(short) - 1, len(before) - 1
    while s_index >= 0:
        char = short[s_index].lower()
        if not char.isalnum():
            s_index -= 1
            continue
        while l_index >= 0 and (
            before[l_index].lower() != char or (s_index == 0 and l_index > 0 and before[l_index - 1].isalnum())
        ):
            l_index -= 1
        if l_index < 0:
            return None
        l_index -= 1
        s_index -= 1
    return before[before.rfind(" ", 0, l_index + 1) + 1 :]


_DEFINITION_STOPS = frozenset({"was", "were", "is", "are", "included", "includes", "including", "been", "had", "has",
                               "have", "than", "versus", "vs"})
_PARENTHESIS = re.compile(r"\(([^()]{2,90})\)")
_INNER_DEFINITION = re.compile(r"\s*(?P<lf>[^,;]{3,80}?),\s*(?P<sf>\S+)\s*")
_FIRST_IN_PARENTHESIS = re.compile(r"\s*(?P<sf>[^\s,;]+)\s*(?:[,;]|$)")


def find_definitions(sentences: Iterable[tuple[Sentence, str]]) -> list[Definition]:
    """Abbreviations defined in ``(sentence, its text)`` pairs.

    ``Long Form (LF)``, ``Long Form (LF; ...)`` and ``(Long Form, LF)``.
    """
    found: list[Definition] = []
    for sentence, chunk in sentences:
        if "(" not in chunk:
            continue
        for match in _PARENTHESIS.finditer(chunk):
            content = match.group(1)
            inner = _INNER_DEFINITION.fullmatch(content)
            if inner and _is_short_form(inner.group("sf")) and " " in inner.group("lf").strip():
                short, before = inner.group("sf"), inner.group("lf")
                before_start = sentence.start + match.start(1) + inner.start("lf")
                short_start = sentence.start + match.start(1) + inner.start("sf")
            elif (first := _FIRST_IN_PARENTHESIS.match(content)) and _is_short_form(first.group("sf")):
                short = first.group("sf")
                window_start = max(0, match.start() - 200)
                before = chunk[window_start : match.start()].rstrip()
                before_start = sentence.start + window_start
                short_start = sentence.start + match.start(1) + first.start("sf")
            else:
                continue
            definition = _define(short, before, before_start, short_start)
            if definition:
                found.append(definition)
    return found


def _define(short: str, before: str, before_start: int, short_start: int) -> Definition | None:
    core = _VERSION_TAIL.sub("", short)
    for spelled in (short, core) if core and core != short else (short,):
        if sum(c.isalpha() for c in spelled) < 2:
            continue
        words = before.split()
        window = " ".join(words[-min(len(spelled) + 5, 2 * len(spelled) + 1) :])
        long_form = _best_long_form(spelled, window)
        long_form = (long_form or "").lstrip("([{\"'“ ").strip(" ,;:-")
        if not long_form or "(" in long_form or ")" in long_form:
            continue
        if _DEFINITION_STOPS.intersection(long_form.lower().split()):
            continue
        if len(long_form) <= len(short) or len(long_form.split()) > len(spelled) + 5:
            continue
        long_start = before_start + before.rfind(long_form)
        return Definition(short, long_form, long_start, long_start + len(long_form), short_start,
                          short_start + len(short))
    return None


def _spelled_by_initials(short: str, long: str) -> bool:
    """Whether the letters of ``short`` are initials of successive words of ``long`` (a sure definition)."""
    initials = iter(word[0].lower() for word in HEAD_SPLIT.split(long) if word[:1].isalpha())
    return all(any(letter == initial for initial in initials) for letter in short.lower() if letter.isalpha())


def classify_definitions(definitions: list[Definition]) -> tuple[Named, set[str]]:
    """Which defined abbreviations name instruments (their group key), and which veto a lexicon reading."""
    named: Named = {}
    vetoed: set[str] = set()
    for definition in definitions:
        found = lookup_token(definition.short)
        entry = found[0] if found else None
        if entry is not None:
            score = fuzz.token_set_ratio(fold(definition.long), fold(entry.name))
            if score >= 60 or has_head(definition.long):
                named[definition.short] = (instrument_key(entry, definition.short), entry)
            elif _spelled_by_initials(definition.short, definition.long):
                vetoed.add(definition.short)  # "Perinatal Support Service (PSS)"
            continue
        entry = fuzzy_instrument(definition.long) if has_head(definition.long) else None
        if entry is None:
            entry = next((instrument for _, _, instrument in name_hits(folded_words(definition.long))), None)
        if entry is not None:
            named[definition.short] = (f"lex:{entry.abbreviation}|{definition.short}", entry)
        elif has_head(definition.long, strict=True):
            named[definition.short] = (f"def:{definition.short}", None)
    return named, vetoed
