"""The text layer: sentences that survive abstracts, and the section each is in.

Sentence boundaries are found by rules written for research abstracts (``et
al.``, ``e.g.``, ``95% CI``, ``.23``, ``P = .03``, ``(n = 33)``, headings in
capitals, headings glued to the first sentence) and set on a spaCy blank
English ``Doc``, so trained components downstream see the same sentences.
Every sentence carries its section role (background, objective, methods,
results, conclusions, registration, other) from the nearest heading before it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
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
    for position in _HEADING_START.finditer(text, start, end):
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


def section_role(heading: str | None) -> str | None:
    """The role of a heading (``"METHODS"`` -> ``"methods"``), or None when unknown."""
    if not heading:
        return None
    roles = _sections_lexicon()[0]
    key = re.sub(r"\s+", " ", heading.strip().rstrip(":.").lower())
    return roles.get(key)


_ABBREVIATIONS = {
    "al", "e.g", "i.e", "eg", "ie", "vs", "v", "cf", "approx", "ca", "fig", "figs", "tab", "dr", "mr", "mrs",
    "ms", "prof", "no", "nos", "st", "jr", "sr", "inc", "ltd", "co", "incl", "resp", "min", "max", "mo", "mos",
    "yr", "yrs", "wk", "wks", "hr", "hrs", "sec", "vol", "pp", "ed", "eds", "etc", "dept", "univ", "est",
    "adj", "ref", "refs", "suppl", "n.s", "ns", "p", "s.d", "s.e", "s.e.m", "sem", "i.q.r", "avg", "viz", "u.s", "u.k", "jan", "feb", "mar",
    "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "sd", "se", "ci", "or", "rr",
}

# A sentence may end at . ! ? (optionally closed by quotes or brackets) before white space.
# Matched from the first mark of a run only, without backtracking: on a long run of marks
# with no space after it, trying every start in the run would take quadratic time.
_END = re.compile(r"(?<![.!?])[.!?]++[\"'”’)\]]*+(?=\s)")
_PARAGRAPH = re.compile(r"\n[ \t]*\n\s*")
_NON_SPACE = re.compile(r"\S")


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
    for match in _END.finditer(chunk):
        position = start + match.end()
        if _is_sentence_end(text, start + match.start(), position, end):
            cuts.add(position)
    # A line that ends a sentence, or a short title-like line, also ends at the newline.
    for match in re.finditer(r"\n", chunk):
        position = start + match.start()
        before = text[max(start, position - 120) : position].rstrip()
        line_start = text.rfind("\n", start, position) + 1
        line = text[max(line_start, start) : position].strip()
        following = text[position + 1 : position + 3].lstrip()
        if before.endswith((".", "!", "?", ":")) or (
            line and len(line) < 70 and not re.search(r"[,;(]$|\b(and|or|of|the|in|with|for|to|a|an)$", line)
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


def _is_sentence_end(text: str, mark: int, after: int, limit: int) -> bool:
    """Whether the punctuation at ``mark`` really ends a sentence."""
    next_word = _NON_SPACE.search(text, after, limit)
    if next_word is None:
        return True
    following = text[next_word.start() : min(limit, next_word.start() + 8)]  # its first characters are all that count
    first = following[0]
    if first.islower() or first in ",;:%)]":
        return False
    if text[mark] != ".":
        return True
    word = re.search(r"([A-Za-z][A-Za-z.]*)$", text[max(0, mark - 12) : mark])
    if word:
        token = word.group(1).lower().rstrip(".")
        if token in _ABBREVIATIONS:
            # "et al." ends a sentence only before a capitalised word that is not a year or bracket
            return token == "al" and first.isupper() and not re.match(r"\(?\d{4}", following)
        if len(word.group(1)) == 1 and word.group(1).isupper():
            return False  # an initial: "J. Smith"
    if re.search(r"\d$", text[max(0, mark - 1) : mark]) and re.match(r"\d", following):
        return False
    return first.isupper() or first.isdigit() or first in "\"'“‘([" or not first.isalpha()


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
                current = (role, re.sub(r"\s+", " ", heading.strip()))
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
