"""Instrument mentions of one sentence: defined abbreviations, lexicon names and tokens, instrument-shaped names."""

from __future__ import annotations

import re
from collections.abc import Iterable

from rapidfuzz import fuzz

from .definitions import Definitions
from .languages import instrument_names
from .lexicon import (
    Instrument,
    fold,
    folded_words,
    fuzzy_instrument,
    has_head,
    instrument_key,
    lexicon,
    lookup_token,
    may_hold_name,
    name_hits,
    stem_of,
    vocabulary,
)
from .sentences import MEASURE_CUE, Mention, SentenceContext

_TOKEN = re.compile(r"\b(?:[A-Z0-9]|[a-z][a-z0-9]*[A-Z])[A-Za-z0-9]*(?:[-:/.][A-Za-z0-9]+)*")  # PHQ-9, eGFR
_NAME_RUN = re.compile(
    r"(?:[A-Z][\w'’]*(?:-[A-Za-z][\w'’]*)*)(?:(?:\s+(?:of|for|and|the|in|on|to|&)\s+|[\s-]+|\s*/\s*)"
    r"(?:[A-Z][\w'’]*(?:-[A-Za-z0-9][\w'’]*)*|[IVX]{1,4}\b|\d+(?:\.\d)?\b))*")
_SCORED_AFTER = re.compile(r"[\s)\]]*(?:total\s+|overall\s+|mean\s+)?(?:scores?|ratings?)\b")
_NAME_SPLIT = re.compile(r"[\s/]+")
_NAME_JOINT = re.compile(r"\s+(?:and|&)\s+(?:the\s+)?")
_LEADING_WORDS = {"The", "A", "An", "Using", "On", "In", "With", "By", "And", "Both", "Our", "Mothers", "Parents"}


def _is_head(token: str) -> bool:
    """An instrument head noun, misspelt or not (``Questionaire``)."""
    return token[:1].isupper() and token.split("-")[-1].lower().startswith(vocabulary().head_prefixes)


def _shaped_names(chunk: str) -> Iterable[tuple[int, int, str]]:
    """Capitalised runs that hold an instrument head noun (``Maternal Self-Efficacy Scale``).

    A run joined by ``and`` is cut after a head noun: ``the X Scale and the Y Questionnaire`` holds two.
    """
    voc = vocabulary()
    for match in _NAME_RUN.finditer(chunk):
        pieces: list[tuple[int, int]] = []
        position = match.start()
        for joint in _NAME_JOINT.finditer(chunk, match.start(), match.end()):
            before = chunk[position : joint.start()].split()
            if before and _is_head(before[-1]):
                pieces.append((position, joint.start()))
                position = joint.end()
        pieces.append((position, match.end()))
        for start, end in pieces:
            phrase = chunk[start:end]
            tokens = _NAME_SPLIT.split(phrase)
            if len(tokens) < 2 or not any(_is_head(t) for t in tokens):
                continue
            if any(t.lower() in voc.not_instrument for t in tokens):
                continue
            while tokens and tokens[0] in _LEADING_WORDS:
                phrase = phrase[len(tokens[0]) :].lstrip()
                tokens = tokens[1:]
            if len(tokens) >= 2:
                yield end - len(phrase), end, phrase


_BRACKETED_ABBREVIATION = re.compile(r"\s*[(\[]\s*([A-Z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*)\s*[)\]]")


def _defined_alike(name: str, defined: Definitions) -> str | None:
    """The abbreviation of an instrument the text defines with a long form spelled much like ``name``."""
    folded = fold(name)
    if len(folded.split()) < 4:
        return None
    for definition in defined.naming:  # the definition's long form may hold words before the name
        if fuzz.token_set_ratio(folded, fold(definition.long)) >= 90:
            return definition.short
    return None


def instrument_mentions(text: str, context: SentenceContext, defined: Definitions,
                        heads_in_text: bool = True) -> list[Mention]:
    """Instruments named in one sentence.

    ``heads_in_text`` is False when no capitalised head noun (``Scale``, ``Questionnaire``) occurs
    anywhere in the text, so no sentence of it holds an instrument-shaped name.
    """
    sentence, chunk = context.sentence, context.chunk
    named, vetoed = defined.named, defined.vetoed
    found: list[Mention] = []

    def add(start: int, end: int, display: str, key: str, matched: str, confidence: float,
            instrument: Instrument | None, abbreviation: str | None) -> None:
        found.append(Mention(start, end, display, key, "instrument", matched, matched, confidence, sentence,
                             instrument, abbreviation, instrument.construct if instrument else None))

    for definition in defined.naming:
        if sentence.start <= definition.short_start < sentence.end:
            key, instrument = named[definition.short]
            add(definition.long_start, definition.short_end, definition.short, key, "definition", 0.85, instrument,
                definition.short)
    words = folded_words(chunk, sentence.start) if may_hold_name(context.tokens) else []
    for first, stop, instrument in name_hits(words) if words else ():
        start, end = words[first][1], words[stop - 1][2]
        if not any(m.start <= start < m.end for m in found):
            surface = text[start:end]
            abbreviated = surface == surface.upper()
            add(start, end, surface, instrument_key(instrument, surface), "lexicon", 0.85, instrument,
                surface if abbreviated else None)
    lex = lexicon()
    by_form, stems = lex.by_form, lex.stems
    scan = named or not context.tokens.isdisjoint(lex.stems_lower)
    for match in _TOKEN.finditer(chunk) if scan else ():
        token = match.group()
        if token not in by_form and token not in named and stem_of(token) not in stems:
            continue
        start = sentence.start + match.start()
        if any(m.start <= start < m.end for m in found):
            continue
        if token in named and token not in by_form:
            key, instrument = named[token]
            add(start, start + len(token), token, key, "definition", 0.85, instrument, token)
            continue
        looked_up = lookup_token(token)
        if not looked_up or looked_up[1] in vetoed or looked_up[1].split("-")[0] in vetoed:
            continue
        instrument, display = looked_up
        is_name = display.lower() == instrument.name.lower()
        confidence = 0.85
        if instrument.ambiguous and display not in named:
            near = chunk[max(0, match.start() - 40) : match.end() + 40]
            confidence = 0.7 if MEASURE_CUE.search(near) else 0.25
        add(start, start + len(display), display, instrument_key(instrument, display), "lexicon", confidence,
            instrument, None if is_name else display)
    shaped = heads_in_text and vocabulary().capital_heads.search(chunk) is not None
    for start, end, phrase in _shaped_names(chunk) if shaped else ():
        start, end = sentence.start + start, sentence.start + end
        if any(m.start < end and start < m.end for m in found):
            continue
        instrument = fuzzy_instrument(phrase)
        if instrument is not None:
            add(start, end, phrase, f"lex:{instrument.abbreviation}", "fuzzy", 0.8, instrument, None)
        elif has_head(phrase, strict=True) and MEASURE_CUE.search(chunk):
            add(start, end, phrase, "name:" + fold(phrase), "name", 0.6, None, None)
    # "escala de ideación suicida de Roberts", "Depressionsskala", "...量表"
    if context.foreign_cues:
        for start, end, name in instrument_names(chunk):
            bracket = _BRACKETED_ABBREVIATION.match(chunk, end)
            start, end = sentence.start + start, sentence.start + end
            if any(m.start < end and start < m.end for m in found):
                continue
            if bracket:  # "Inventario de Depresión de Beck-IA (BDI-IA)": the page's abbreviation names it
                short = bracket.group(1)
                looked_up = lookup_token(short)
                key = instrument_key(looked_up[0], short) if looked_up else "name:" + short
                add(start, sentence.start + bracket.end(), short, key, "name", 0.85,
                    looked_up[0] if looked_up else None, short)
                continue
            defined_as = _defined_alike(name, defined)
            if defined_as is not None:  # the page's name, defined elsewhere in it with an abbreviation
                key, instrument = named[defined_as]
                add(start, end, defined_as, key, "name", 0.7, instrument, defined_as)
                continue
            add(start, end, name, "name:" + fold(name), "name", 0.7, None, None)
    for mention in found:
        if mention.instrument is not None and mention.instrument.appraisal:
            # an appraisal tool is an outcome only where its score is analysed ("AMSTAR score and impact factor"),
            # not where it rates the evidence ("according to AMSTAR-2, 79% were of low quality")
            after = text[mention.end : mention.end + 25].lower()
            scored = _SCORED_AFTER.match(after) is not None
            mention.confidence = 0.65 if scored else 0.3
        if context.eligibility:
            mention.confidence = min(mention.confidence, 0.35)
        mention.confidence *= context.weight
        mention.timepoints = context.timepoints
    return found
