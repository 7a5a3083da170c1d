"""The text layer: sentences that survive abstracts, and the section each is in.

Sentence boundaries are found by rules written for research abstracts (``et
al.``, ``e.g.``, ``95% CI``, ``.23``, ``P = .03``, ``(n = 33)``, ``P =. 007``,
a short bracket held together, ``30 min. The``, item numbers, headings in
capitals, headings glued to the first sentence) and set on a spaCy blank
English ``Doc``, so trained components downstream see the same sentences.
``scripts/measure_sentence_splits.py`` counts the cuts that look wrong, by kind.
Every sentence carries its section role (background, objective, methods,
results, conclusions, registration, other) from the nearest heading before it.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from .types import Section

_DATA = Path(__file__).resolve().parent / "data" / "sections.json"


@dataclass(frozen=True)
class Sentence:
    """A sentence as a range of the document text, with its section role."""

    start: int
    end: int
    section: str | None = None  # background | objective | methods | results | conclusions | registration | other
    heading: str | None = None
    role_probability: float | None = None  # set when the role was predicted by the sentence-role model


@dataclass
class TextLayer:
    """Sentences and sections of one document text."""

    text: str
    sentences: list[Sentence] = field(default_factory=list)

    def sentences_between(self, start: int, end: int) -> list[Sentence]:
        """Sentences that overlap the range ``[start, end)``."""
        return [s for s in self.sentences if s.end > start and s.start < end]

    def sentence_at(self, offset: int) -> Sentence | None:
        """The sentence holding a character offset."""
        low, high = 0, len(self.sentences) - 1
        while low <= high:
            middle = (low + high) // 2
            sentence = self.sentences[middle]
            if offset < sentence.start:
                high = middle - 1
            elif offset >= sentence.end:
                low = middle + 1
            else:
                return sentence
        return None

    def sentence_text(self, sentence: Sentence) -> str:
        return self.text[sentence.start : sentence.end]


@cache
def _sections_lexicon() -> tuple[dict[str, str], re.Pattern[str], re.Pattern[str], frozenset[str]]:
    data = json.loads(_DATA.read_text(encoding="utf-8"))
    roles: dict[str, str] = {}
    for role, headings in data["roles"].items():
        for heading in headings:
            roles[heading.lower()] = role
    alternatives = "|".join(
        re.escape(h).replace("\\ ", r"\s+") for h in sorted(roles, key=len, reverse=True)
    )
    # Both are tried only where a heading can start (see _heading_matches): a line start,
    # or just after a sentence's closing punctuation.
    # "Methods:" / "METHODS" alone on a line ...
    line_heading = re.compile(rf"[ \t]*+(?P<h>(?i:{alternatives}))[ \t]*+[:.]?[ \t]*(?:\n|$)")
    # ... or "Methods: text" / "ResultsThe" starting a line or following a sentence.
    inline_heading = re.compile(
        rf"[ \t]*+(?P<h>(?i:{alternatives}))(?:[ \t]*[:.][ \t]*|[ \t]+[-–—][ \t]+|(?=[A-Z][a-z]))"
    )
    # Every heading starts with three letters: a cheap test that spares the two patterns above at the
    # many places where no heading can start (text such as "a.a.a." offers one at every other character).
    prefixes = frozenset(heading[:3].lower() for heading in roles)
    return roles, line_heading, inline_heading, prefixes


# Where a heading may start: the start of the text or of a line, or right after . ! ?
_HEADING_START = re.compile(r"(?:^|(?<=[.!?])\s?)(?=[ \t]*[A-Za-z])", re.M)
_AFTER_BREAK = re.compile(r"[\n.!?]")  # a match of _HEADING_START begins just after one (or at the text's start)
_LINE_SPACE = re.compile(r"[ \t]*")


@dataclass(frozen=True)
class _Heading:
    start: int  # where the heading word starts
    line_end: int | None  # for a heading alone on its line: where that line ends
    text: str


def _heading_matches(text: str, start: int, end: int) -> list[_Heading]:
    """Headings in ``text[start:end]``: alone on a line, or opening a line or a sentence."""
    _, line_heading, inline_heading, prefixes = _sections_lexicon()
    found: list[_Heading] = []
    last = -1
    for position in _heading_starts(text, start, end):
        at = position.end()
        if at == last or at >= end:
            continue
        last = at
        word = _LINE_SPACE.match(text, at, end).end()
        if text[word : word + 3].lower() not in prefixes:
            continue
        alone = line_heading.match(text, at, end)
        if alone and (at == 0 or text[at - 1] == "\n"):
            found.append(_Heading(alone.start("h"), alone.end(), alone.group("h")))
            continue
        inline = inline_heading.match(text, at, end)
        if inline:
            found.append(_Heading(inline.start("h"), None, inline.group("h")))
    return found


def _heading_starts(text: str, start: int, end: int) -> Iterator[re.Match[str]]:
    """``_HEADING_START.finditer(text, start, end)``, the same matches, tried only where one can begin: the
    pattern has no first character the regex engine could skip to, and would be tried at every position."""
    places = [start] if start == 0 or text[start - 1] in "\n.!?" else []
    places.extend(mark.end() for mark in _AFTER_BREAK.finditer(text, start, end))
    after = start
    for place in places:
        if place >= after and (match := _HEADING_START.match(text, place, end)):
            yield match
            after = match.end()


@lru_cache(maxsize=1024)
def section_role(heading: str | None) -> str | None:
    """The role of a heading (``"METHODS"`` -> ``"methods"``), or None when unknown."""
    if not heading:
        return None
    roles = _sections_lexicon()[0]
    key = _SPACES.sub(" ", heading.strip().rstrip(":.").lower())
    return roles.get(key)


# Abbreviations after which a sentence goes on ("e.g. Mood", "vs. B", "Fig. 2", "approx. 200", "No. of").
_ABBREVIATIONS = {
    "al", "e.g", "i.e", "eg", "ie", "vs", "v", "cf", "approx", "ca", "fig", "figs", "tab", "dr", "mr", "mrs",
    "ms", "prof", "no", "nos", "st", "incl", "resp", "vol", "pp", "ed", "eds", "dept", "univ", "est",
    "adj", "ref", "refs", "suppl", "p", "viz", "ci", "c.i", "d.f", "or", "rr", "u.s", "u.k", "co",
}
# Abbreviations that often close a sentence ("for 30 min. The", "mean (SD). Mothers ... etc. We"): they end
# one before a capitalised word, never before a number or a lower-case word ("30 min. after", "Dec. 2019").
_CLOSING_ABBREVIATIONS = {
    "min", "max", "msec", "mo", "mos", "yr", "yrs", "wk", "wks", "hr", "hrs", "sec", "etc", "inc", "ltd", "jr", "sr",
    "n.s", "ns", "s.d", "s.e", "s.e.m", "sem", "sd", "se", "i.q.r", "avg", "jan", "feb", "mar", "apr",
    "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
}

_ANY_ABBREVIATION = _ABBREVIATIONS | _CLOSING_ABBREVIATIONS | {"num", "nr"}

# A bracket whose two ends are at most this far apart holds its sentence together: "(P =. 007)",
# "(anxiety: d = .30. Depression: d = .40)". A longer one may hold whole sentences of its own.
BRACKET_SPAN = 250
# ... but a labelled item inside it still opens a sentence: "(anxiety: d = .30. Depression: d = .41)".
_LABEL_AHEAD = re.compile(r"\s+[A-Z][\w'’-]*(?:[ \t]+[\w'’-]+){0,3}[ \t]*:")
# A period that is a decimal point with a space beside it: after a statistic's sign ("P =. 007", "p < . 001",
# "r = . 45") or after a number with a space ("17 . 1 %", tokenised text).
_SPACED_DECIMAL = re.compile(r"(?:[=<>≤≥±]\s?|\d\s)$")
# An item number, with its period, opening a sentence or a line: "aims. 1. Reduce", "\n2. Improve", "iii."
_ITEM_NUMBER = re.compile(r"(?:^|(?<=[.!?])[\"'”’)\]]*\s+|\n[ \t]*)(?P<item>\(?(?:\d{1,2}|[a-z]|[ivxIVX]{2,4}))$")

# A sentence may end at . ! ? (optionally closed by quotes or brackets) before white space.
# Matched from the first mark of a run only, without backtracking: on a long run of marks
# with no space after it, trying every start in the run would take quadratic time.
# (the look-behind after the first mark: the scan skips to a . ! or ? instead of trying every position)
_END = re.compile(r"[.!?](?<![.!?].)[.!?]*+[\"'”’)\]]*+(?=\s)")
_PARAGRAPH = re.compile(r"\n[ \t]*\n\s*")
_BRACKET = re.compile(r"\(|\)|\[|\]|\n[ \t]*\n")  # (each branch opens with a literal: the scan skips to one)
_NON_SPACE = re.compile(r"\S")
# (compiled once: each is tried many times per text)
_NEWLINE = re.compile(r"\n")
_SPACES = re.compile(r"\s+")
_LINE_GOES_ON = re.compile(r"[,;(=<>≤≥±]$|\b(and|or|of|the|in|with|for|to|a|an)$")
_WORD_BEFORE_MARK = re.compile(r"([A-Za-z][A-Za-z.]*)$")
_ABBREVIATION_END = re.compile(r"([A-Za-z][A-Za-z.]*)\.$")
_DIGIT_END = re.compile(r"\d$")
_DIGIT = re.compile(r"\d")


def split_sentences(text: str, start: int = 0, end: int | None = None,
                    headings: list[_Heading] | None = None) -> list[tuple[int, int]]:
    """Sentence ranges of ``text[start:end]`` (absolute offsets, white space trimmed)."""
    end = len(text) if end is None else end
    if headings is None:
        headings = _heading_matches(text, start, end)
    cuts: set[int] = set()
    chunk = text[start:end]
    for match in _PARAGRAPH.finditer(chunk):
        cuts.add(start + match.start())
    for heading in headings:
        cuts.add(heading.start)
        if heading.line_end is not None:
            cuts.add(heading.line_end)
    held = _bracketed(chunk)  # (open, close) offsets in the chunk, sorted by open
    for match in _END.finditer(chunk):
        position = start + match.end()
        if _inside(held, match.end()) and not _LABEL_AHEAD.match(chunk, match.end()):
            continue
        item = _item_number(text, start + match.start(), start)
        if item is not None:
            cuts.add(item)  # the item's sentence starts at its number: "aims. | 1. Reduce anxiety."
        elif _is_sentence_end(text, start + match.start(), position, end):
            cuts.add(position)
    # A line that ends a sentence, or a short title-like line, also ends at the newline.
    for match in _NEWLINE.finditer(chunk):
        position = start + match.start()
        if _inside(held, match.start()):
            continue
        before = text[max(start, position - 120) : position].rstrip()
        line_start = text.rfind("\n", start, position) + 1
        line = text[max(line_start, start) : position].strip()
        following = text[position + 1 : position + 3].lstrip()
        if before.endswith(".") and _after_abbreviation(before, _ABBREVIATIONS):
            next_word = _NON_SPACE.search(text, position, end)
            if next_word is None or not text[next_word.start()].isupper():
                continue  # "by Vale et al.\n[16]", "measured.Fig.\n1 Schematic": the sentence goes on
        if before.endswith((".", "!", "?", ":")) or (
            line and len(line) < 70 and not _LINE_GOES_ON.search(line)
            and following[:1].isupper() and not line.endswith("-")
        ):
            cuts.add(position)
    bounds = sorted(c for c in cuts if start < c < end)
    ranges: list[tuple[int, int]] = []
    previous = start
    for cut in [*bounds, end]:
        piece_start, piece_end = _trim(text, previous, cut)
        if piece_end > piece_start:
            ranges.append((piece_start, piece_end))
        previous = cut
    return ranges


def _bracketed(chunk: str) -> list[tuple[int, int]]:
    """Where brackets hold a sentence together: the round and square brackets of ``chunk`` that close
    within ``BRACKET_SPAN`` characters with no blank line between, as disjoint ``(open, close)`` offsets."""
    spans: list[tuple[int, int]] = []
    if "(" not in chunk and "[" not in chunk:
        return spans
    rounds: list[int] = []
    squares: list[int] = []
    for match in _BRACKET.finditer(chunk):
        at = match.start()
        char = chunk[at]
        if char == "(":
            rounds.append(at)
        elif char == "[":
            squares.append(at)
        elif char == ")" or char == "]":
            stack = rounds if char == ")" else squares
            if stack:
                where = stack.pop()
                if at - where <= BRACKET_SPAN:
                    spans.append((where, at))
        else:  # a blank line ends every bracket left open before it
            rounds.clear()
            squares.clear()
    spans.sort()
    merged: list[tuple[int, int]] = []
    for open_at, close_at in spans:  # nested brackets fall inside their outer one
        if merged and open_at < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], close_at))
        else:
            merged.append((open_at, close_at))
    return merged


def _inside(spans: list[tuple[int, int]], offset: int) -> bool:
    """Whether ``offset`` falls strictly inside one of the disjoint ``spans``."""
    index = bisect.bisect_left(spans, (offset,)) - 1
    return index >= 0 and spans[index][0] < offset < spans[index][1]


def _is_sentence_end(text: str, mark: int, after: int, limit: int) -> bool:
    """Whether the punctuation at ``mark`` really ends a sentence."""
    next_word = _NON_SPACE.search(text, after, limit)
    if next_word is None:
        return True
    following = text[next_word.start() : min(limit, next_word.start() + 8)]  # its first characters are all that count
    first = following[0]
    if first.islower() or first in ",;:%)]" or (first == "." and following[1:2].isdigit()):
        return False  # no sentence opens with a lower-case word, a comma or a decimal point (".01")
    if text[mark] != ".":
        return True
    before = text[max(0, mark - 20) : mark]
    if first.isdigit() and _SPACED_DECIMAL.search(before):
        return False  # "P =. 007", "p < . 001", "17 . 1 %"
    word = _WORD_BEFORE_MARK.search(before[-12:])
    if word:
        token = _known_token(word.group(1))
        if token == "ms" and word.group(1) == "ms":
            token = "msec"  # milliseconds, not "Ms."
        if token in _ABBREVIATIONS:
            # "et al." ends a sentence only before a capitalised word that is not a year or bracket
            return token == "al" and first.isupper() and not re.match(r"\(?\d{4}", following)
        if token in _CLOSING_ABBREVIATIONS:
            return first.isupper() and text[mark + 1 : mark + 2].isspace()  # not "mean (s.d.) SDQ"
        if len(word.group(1)) == 1 and word.group(1).isupper():
            return False  # an initial: "J. Smith"
    if _DIGIT_END.search(before) and _DIGIT.match(following):
        return False
    return first.isupper() or first.isdigit() or first in "\"'“‘([" or not first.isalpha()


def _item_number(text: str, mark: int, floor: int) -> int | None:
    """Where an item number ends at the period ``mark`` ("1." opening "aims. 1. Reduce anxiety" or a
    line), or None: the number then opens its sentence instead of being one."""
    if text[mark] != "." or not text[mark + 1 : mark + 2].isspace() or not text[mark - 1 : mark].isalnum():
        return None
    if mark - 5 >= floor and text[mark - 5 : mark].isalnum():
        return None  # (a cheap test first: an item number is at most four characters, "iiii")
    next_word = _NON_SPACE.search(text, mark + 1, mark + 40)
    if next_word is None or not (text[next_word.start()].isupper() or text[next_word.start()] in "\"'“‘("):
        return None  # "1. the host website, 2. the rating": one sentence, as before
    low = max(floor, mark - 12)
    item = _ITEM_NUMBER.search(text[low:mark])
    if item is None or (item.start() == 0 and low > floor):
        return None
    at = low + item.start("item")
    if _after_abbreviation(text[max(floor, at - 12) : at].rstrip()):
        return None  # "Fig. 1. Trial profile", "No. 2."
    return at


def _after_abbreviation(text: str, abbreviations: frozenset[str] | set[str] | None = None) -> bool:
    """Whether ``text`` ends with an abbreviation and its period ("Fig.", "No.", "Vol."; by default any
    abbreviation the splitter knows)."""
    word = _ABBREVIATION_END.search(text[-14:])
    if abbreviations is None:
        abbreviations = _ANY_ABBREVIATION
    return bool(word) and _known_token(word.group(1)) in abbreviations


def _known_token(word: str) -> str:
    """The abbreviation a word before a period is, lower-cased: the whole word ("e.g", "u.s") when the
    splitter knows it, else its part after a glued period ("measured.Fig" -> "fig")."""
    token = word.lower().rstrip(".")
    if token in _ABBREVIATIONS or token in _CLOSING_ABBREVIATIONS or "." not in token:
        return token
    glued, last = token.rsplit(".", 1)
    return last if len(glued) >= 3 and len(last) >= 2 and "." not in glued else token  # not "i.v" -> "v"


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def analyse(text: str, sections: list[Section] | None = None, start: int = 0, end: int | None = None) -> TextLayer:
    """Sentences of ``text[start:end]`` with section roles from headings in the text and ``sections``."""
    end = len(text) if end is None else end
    found = _heading_matches(text, start, end)
    headings: list[tuple[int, str]] = [(h.start, h.text) for h in found]
    for section in sections or []:
        if section.heading and section_role(section.heading):
            headings.append((section.start, section.heading))
    headings.sort()
    sentences: list[Sentence] = []
    position = 0
    current: tuple[str | None, str | None] = (None, None)
    for sentence_start, sentence_end in split_sentences(text, start, end, found):
        while position < len(headings) and headings[position][0] <= sentence_start + 1:
            heading = headings[position][1]
            role = section_role(heading)
            if role:
                current = (role, _SPACES.sub(" ", heading.strip()))
            position += 1
        sentences.append(Sentence(sentence_start, sentence_end, current[0], current[1]))
    return TextLayer(text=text, sentences=sentences)


@cache
def blank_pipeline() -> Any:
    """spaCy's blank English (tokenizer only), loaded once per process."""
    import spacy

    return spacy.blank("en")


def spacy_doc(layer: TextLayer, start: int = 0, end: int | None = None) -> Any:
    """A spaCy ``Doc`` of ``text[start:end]`` whose sentence starts are the layer's.

    Token offsets in the Doc are relative to ``start``.
    """
    end = len(layer.text) if end is None else end
    doc = blank_pipeline().make_doc(layer.text[start:end])
    starts = {s.start - start for s in layer.sentences_between(start, end)}
    for token in doc:
        token.is_sent_start = token.i == 0 or token.idx in starts
    return doc


# -- table captions: read by the PDF table reader (tables split across pages) and the text tables alike ----------

_TABLE_NUMBER = re.compile(r"(?i)^\s*(?:table|tabla|tabelle|tableau|tabela)\s*([A-Z]?\d+[a-z]?|[IVXLC]+)\b")
_CONTINUED = re.compile(
    r"(?i)\b(?:continued|cont(?:['’]?d)?\.?|continuación|continuação|fortsetzung|suite)\s*\)?\s*[.:]?\s*$"
    r"|^\s*(?:table|tabla|tabelle|tableau|tabela)\s*\S+?[.:]?\s*\(?\s*(?:continued|cont(?:['’]?d)?\.?)(?:\W|$)"
)


def table_number(caption: str) -> str | None:
    """The number a caption gives its table ("Table 2 ..." -> "2", "Tabla iv" -> "IV"), or None."""
    match = _TABLE_NUMBER.match(caption)
    return match.group(1).upper() if match else None


def continues(caption: str) -> bool:
    """Whether a caption marks its table as the rest of one begun earlier ("Table 2 (Continued)", "Table 2.
    Cont'd", "Tabla 3 (continuación)")."""
    return bool(_CONTINUED.search(caption.strip()))
