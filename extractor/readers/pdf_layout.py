"""Words to lines and lines to paragraphs, for PDF pages.

Pure functions over word boxes (as pdfplumber returns them), so the layout
rules can be tested without a PDF. Coordinates are PDF points with y growing
downwards. The order in which a page's lines are read (margins, columns) is
``pdf_columns``'s work.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from .base import clean_text

_CID = re.compile(r"\(cid:\d+\)")
_SPACES = re.compile(r"\s+")
_BOLD_FONT = re.compile(r"bold|black|heavy|demi|\.B$|[-,]B$", re.I)
_SENTENCE_END = re.compile(r"[.!?:][\"'”’)\]]*$")
_LINE_HYPHENS = ("-", "\u2010", "\u00ad")



@dataclass
class Word:
    """One word box on a page."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    font: str

    @property
    def height(self) -> float:
        return max(self.bottom - self.top, 0.1)

    @property
    def middle(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass
class Line:
    """Words on one baseline within one column, joined into text."""

    words: list[Word]
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    font: str
    col_left: float = 0.0
    col_right: float = 0.0
    column_start: bool = False  # first line read after a jump to another column or zone
    margin: bool = False  # running header or footer

    @property
    def bold(self) -> bool:
        return bool(_BOLD_FONT.search(self.font))

    @property
    def short(self) -> bool:
        """Ends well before its column's right edge (a paragraph's last line)."""
        return self.x1 < self.col_right - max(2.0 * self.size, 0.2 * (self.col_right - self.col_left))


@dataclass
class Block:
    """A paragraph, heading, title or margin line group, in reading order."""

    lines: list[Line]
    text: str
    kind: str = "text"  # text, heading, title, margin

    @property
    def size(self) -> float:
        return weighted_size(self.lines)


@dataclass
class BodyStyle:
    """The document's running-text font, against which headings stand out."""

    size: float = 10.0
    font: str = ""


def words_from_pdfplumber(raw_words: list[dict[str, Any]], width: float, height: float) -> list[Word]:
    """Word boxes from ``page.extract_words(extra_attrs=["size", "fontname"])``.

    Drops rotated words (margin stamps) when upright text exists and words
    lying outside the page; unmapped glyphs ``(cid:N)`` become U+FFFD.
    """
    upright = [w for w in raw_words if w.get("upright", True)]
    chosen = upright or raw_words
    words: list[Word] = []
    seen: set[tuple[str, int, int]] = set()
    for raw in chosen:
        text = clean_text(_CID.sub("\ufffd", str(raw.get("text", "")))).strip()
        if not text:
            continue
        x0, x1, top, bottom = (float(raw[k]) for k in ("x0", "x1", "top", "bottom"))
        if x1 < -1 or x0 > width + 1 or bottom < -1 or top > height + 1:
            continue
        key = (text, round(x0), round(top))
        if key in seen:  # text drawn twice to fake bold
            continue
        seen.add(key)
        size = float(raw.get("size") or (bottom - top) or 1.0)
        words.append(Word(text, x0, x1, top, bottom, size, str(raw.get("fontname", ""))))
    return words


def weighted_size(lines: list[Line]) -> float:
    """The font size carrying most characters of these lines."""
    counts: Counter[float] = Counter()
    for line in lines:
        for word in line.words:
            counts[round(word.size, 1)] += len(word.text)
    return counts.most_common(1)[0][0] if counts else 0.0


def body_style(words: list[Word]) -> BodyStyle:
    """The most used size and font across the document's words."""
    sizes: Counter[float] = Counter()
    fonts: Counter[str] = Counter()
    for word in words:
        sizes[round(word.size, 1)] += len(word.text)
    if not sizes:
        return BodyStyle()
    size = sizes.most_common(1)[0][0]
    for word in words:
        if abs(word.size - size) < 0.3:
            fonts[word.font] += len(word.text)
    return BodyStyle(size=size, font=fonts.most_common(1)[0][0] if fonts else "")


def make_line(words: list[Word]) -> Line:
    """Join words left to right; glyphs that touch are one word (ligatures, font changes)."""
    ordered = sorted(words, key=lambda w: w.x0)
    parts: list[str] = []
    previous: Word | None = None
    for word in ordered:
        if previous is not None:
            gap = word.x0 - previous.x1
            parts.append("" if gap < 0.1 * min(word.size, previous.size) else " ")
        parts.append(word.text)
        previous = word
    text = clean_text(_SPACES.sub(" ", "".join(parts))).strip()
    fonts: Counter[str] = Counter()
    for word in ordered:
        fonts[word.font] += len(word.text)
    line = Line(
        words=ordered,
        text=text,
        x0=min(w.x0 for w in ordered),
        x1=max(w.x1 for w in ordered),
        top=min(w.top for w in ordered),
        bottom=max(w.bottom for w in ordered),
        size=0.0,
        font=fonts.most_common(1)[0][0],
    )
    line.size = weighted_size([line])
    return line


def build_rows(words: list[Word]) -> list[Line]:
    """Group words into lines by vertical overlap, top to bottom.

    A row's extent is that of its tallest word, so superscripts join their
    line without letting the row grow into the next one.
    """
    rows: list[list[Word]] = []
    cores: list[tuple[float, float, float]] = []  # top, bottom, height of the tallest word
    for word in sorted(words, key=lambda w: (w.top, w.x0)):
        best, best_overlap = -1, 0.0
        for index in range(len(rows) - 1, max(-1, len(rows) - 4), -1):
            top, bottom, height = cores[index]
            overlap = min(bottom, word.bottom) - max(top, word.top)
            if overlap > 0.3 * min(word.height, height) and overlap > best_overlap:
                best, best_overlap = index, overlap
        if best < 0:
            rows.append([word])
            cores.append((word.top, word.bottom, word.height))
            continue
        rows[best].append(word)
        if word.height > cores[best][2]:
            cores[best] = (word.top, word.bottom, word.height)
    order = sorted(range(len(rows)), key=lambda i: (cores[i][0], min(w.x0 for w in rows[i])))
    lines = [make_line(rows[i]) for i in order]
    return [line for line in lines if line.text]


def leaf_lines(words: list[Word]) -> list[Line]:
    lines = build_rows(words)
    if lines:
        left = min(line.x0 for line in lines)
        right = max(line.x1 for line in lines)
        for line in lines:
            line.col_left, line.col_right = left, right
    return lines


_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


def vocabulary(lines: list[Line]) -> set[str]:
    """Lower-case words (hyphenated compounds whole) seen inside lines, not at their ends."""
    words: set[str] = set()
    for line in lines:
        words.update(match.lower() for match in _WORD.findall(line.text.rstrip("-\u2010\u00ad")))
    return words


def join_lines(texts: list[str], known: set[str] | None = None) -> str:
    """Lines of one paragraph as running text, undoing hyphens split across lines.

    A word broken at a line end (``random-`` + ``isation``) is rejoined;
    ``population-`` + ``based`` keeps its hyphen when ``known`` (the
    document's vocabulary) has ``population-based`` and not
    ``populationbased``; ``COVID-`` + ``19`` keeps it too. A spaced dash
    (`` -``) is punctuation, not a break.
    """
    out = ""
    for text in texts:
        if not out:
            out = text
        elif out.endswith("\u00ad"):
            out = out[:-1] + text
        elif out.endswith(_LINE_HYPHENS) and len(out) > 1 and not out[-2].isspace():
            out = out[:-1] + text if _drops_hyphen(out[:-1], text, known) else out + text
        else:
            out = out + " " + text
    return out


def _drops_hyphen(before: str, after: str, known: set[str] | None) -> bool:
    head = re.search(r"[^\W\d_]+$", before)
    tail = re.match(r"[^\W\d_]+", after)
    if not head or not tail or not head.group()[-1].islower() or not after[:1].islower():
        return False
    if known:
        joined = (head.group() + tail.group()).lower()
        return f"{head.group()}-{tail.group()}".lower() not in known or joined in known
    return True


def _pitch(lines: list[Line]) -> float:
    pitches = [
        b.top - a.top
        for a, b in pairwise(lines)
        if not b.column_start and abs(a.size - b.size) < 0.5 and 0 < b.top - a.top < 3 * b.size
    ]
    return statistics.median(pitches) if pitches else 0.0


def _new_paragraph(previous: Line, line: Line, pitch: float) -> bool:
    if previous.margin != line.margin:
        return True
    if abs(previous.size - line.size) > max(0.4, 0.05 * line.size):
        return True
    ended = bool(_SENTENCE_END.search(previous.text))
    if line.column_start and line.top < previous.bottom:  # read on at the top of the next column
        return ended and previous.short
    step = line.top - previous.top
    if step <= 0 or (pitch and step > 1.35 * pitch + 0.5) or (not pitch and step > 1.6 * line.size):
        return True
    indented = line.x0 > line.col_left + 0.8 * line.size and previous.x0 <= line.col_left + 0.5 * line.size
    return ended and (previous.short or indented)


def _ends_block(previous: Line, previous_kind: str, line: Line, kind: str, pitch: float) -> bool:
    if kind != previous_kind or kind == "heading":
        return True
    if kind == "text":
        return _new_paragraph(previous, line, pitch)
    return kind == "margin" and line.top - previous.bottom > line.size


def make_blocks(
    lines: list[Line],
    is_heading: Callable[[list[Line], int], bool],
    forced: set[int] | None = None,
    known: set[str] | None = None,
) -> list[Block]:
    """Paragraphs from lines in reading order; headings and forced runs stand alone.

    ``forced`` holds indexes of lines that must form one block of their own
    (the title), whatever their spacing; ``known`` is the vocabulary that
    decides which line-end hyphens to keep.
    """
    forced = forced or set()
    pitch = _pitch([line for line in lines if not line.margin])
    blocks: list[Block] = []
    current: list[Line] = []
    current_kind = "text"

    def flush() -> None:
        nonlocal current, current_kind
        if current:
            text = clean_text(join_lines([line.text for line in current], known)).strip()
            if text:
                blocks.append(Block(current, text, current_kind))
        current, current_kind = [], "text"

    for index, line in enumerate(lines):
        kind = (
            "title"
            if index in forced
            else "margin"
            if line.margin
            else "heading"
            if is_heading(lines, index)
            else "text"
        )
        if current and _ends_block(current[-1], current_kind, line, kind, pitch):
            flush()
        current.append(line)
        current_kind = kind
    flush()
    return blocks
