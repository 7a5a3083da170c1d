"""Reading order for PDF pages: words to lines, columns and paragraphs.

Pure functions over word boxes (as pdfplumber returns them), so the layout
rules can be tested without a PDF. Coordinates are PDF points with y growing
downwards. A page is read as: running header, then body zones from top to
bottom, then footer. A body zone is either full-width (rows crossing the
column gutter: titles, spanning headers, floats) or a band of columns, read
left column first; small-print notes at the foot of a column wait until the
columns of their zone are done, so they never split a sentence that runs on
into the next column.
"""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from .base import clean_text

_CID = re.compile(r"\(cid:\d+\)")
_SPACES = re.compile(r"\s+")
_BOLD_FONT = re.compile(r"bold|black|heavy|demi|\.B$|[-,]B$", re.I)
_SENTENCE_END = re.compile(r"[.!?:][\"'”’)\]]*$")
_LINE_HYPHENS = ("-", "\u2010", "\u00ad")

MAX_DEPTH = 3  # gutters inside gutters (sidebar next to two columns)
MIN_GUTTER = 5.0  # points


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


def _leaf(words: list[Word]) -> list[Line]:
    lines = build_rows(words)
    if lines:
        left = min(line.x0 for line in lines)
        right = max(line.x1 for line in lines)
        for line in lines:
            line.col_left, line.col_right = left, right
    return lines


def _segments(words: list[Word]) -> list[tuple[float, float]]:
    """Horizontal extents of runs of words on one row with no gap wider than an em."""
    extents: list[tuple[float, float]] = []
    for row in build_rows(words):
        start, end = row.words[0].x0, row.words[0].x1
        for previous, word in pairwise(row.words):
            if word.x0 - previous.x1 > max(previous.size, word.size):
                extents.append((start, end))
                start = word.x0
            end = max(end, word.x1)
        extents.append((start, end))
    return extents


def _crossing_profile(extents: list[tuple[float, float]], start: float, bins: int) -> list[int]:
    """How many extents cross each 1-point strip from ``start`` on."""
    diff = [0] * (bins + 2)
    for x0, x1 in extents:
        first = max(0, math.floor(x0 - start))
        last = min(bins, math.ceil(x1 - start))
        if last > first:
            diff[first] += 1
            diff[last] -= 1
    counts: list[int] = []
    running = 0
    for index in range(bins):
        running += diff[index]
        counts.append(running)
    return counts


def _low_runs(counts: list[int], ceiling: int) -> list[tuple[int, int]]:
    """(start, length) of the runs of strips crossed by at most ``ceiling`` words, widest first."""
    runs: list[tuple[int, int]] = []
    index = 0
    while index < len(counts):
        if counts[index] <= ceiling:
            start = index
            while index < len(counts) and counts[index] <= ceiling:
                index += 1
            runs.append((start, index - start))
        else:
            index += 1
    return sorted(runs, key=lambda run: -run[1])


@dataclass
class _Zone:
    """A horizontal slice of a region: full-width words, or the words left and right of the gutter."""

    full: list[Word] = field(default_factory=list)
    left: list[Word] = field(default_factory=list)
    right: list[Word] = field(default_factory=list)


def _zones(words: list[Word], gutter: tuple[float, float]) -> list[_Zone]:
    """Slice a region at the rows that span the gutter; the rest falls to one side or the other.

    A word spans the gutter when it covers at least half of it (or 3 points);
    one merely grazing its edge goes to the side holding its centre.
    """
    g0, g1 = gutter
    middle = (g0 + g1) / 2
    reach = min(3.0, 0.5 * (g1 - g0))
    spanning = [w for w in words if min(w.x1, g1) - max(w.x0, g0) >= reach]
    bands: list[list[float]] = []
    for top, bottom in sorted((w.top, w.bottom) for w in spanning):
        if bands and top <= bands[-1][1]:
            bands[-1][1] = max(bands[-1][1], bottom)
        else:
            bands.append([top, bottom])
    slots: dict[int, _Zone] = {}
    for word in words:
        slot = -1
        for index, (top, bottom) in enumerate(bands):
            if min(bottom, word.bottom) - max(top, word.top) >= 0.4 * word.height:
                slot = 2 * index + 1
                break
        if slot >= 0:
            slots.setdefault(slot, _Zone()).full.append(word)
            continue
        slot = 2 * sum(1 for top, _ in bands if top <= word.middle)
        zone = slots.setdefault(slot, _Zone())
        (zone.left if (word.x0 + word.x1) / 2 < middle else zone.right).append(word)
    return [slots[slot] for slot in sorted(slots)]


def _side_by_side(zone: _Zone) -> bool:
    """Three or more lines of the left column stand level with a line of the right one."""
    if len(zone.left) < 6 or len(zone.right) < 6:
        return False
    left, right = build_rows(zone.left), build_rows(zone.right)
    paired = sum(1 for a in left if any(min(a.bottom, b.bottom) > max(a.top, b.top) for b in right))
    return paired >= 3


def column_zones(words: list[Word]) -> list[_Zone] | None:
    """The region sliced into zones at its column gutter, or None when it has no columns.

    The gutter is sought in the middle 60% of the words' horizontal extent,
    among the strips crossed by the fewest runs of running-text words (titles
    in large print may span it). It must be MIN_GUTTER wide and, in some zone,
    have columns standing side by side; a chance alignment of word spaces in
    one column does not.
    """
    if len(words) < 12:
        return None
    low = min(w.x0 for w in words)
    width = max(w.x1 for w in words) - low
    if width < 60:
        return None
    sizes = sorted(w.size for w in words)
    running_text = [w for w in words if w.size <= 1.25 * sizes[len(sizes) // 2]]
    band_low = low + 0.2 * width
    counts = _crossing_profile(_segments(running_text), band_low, int(0.6 * width))
    fewest = min(counts)
    for start, length in _low_runs(counts, fewest + 1 + fewest // 10):
        if length < MIN_GUTTER:
            break
        zones = _zones(words, (band_low + start, band_low + start + length))
        if any(_side_by_side(zone) for zone in zones):
            return zones
    return None


def _split_tail(lines: list[Line]) -> tuple[list[Line], list[Line]]:
    """Footnotes: trailing lines in smaller print, set off by a gap, at a column's foot."""
    if len(lines) < 4:
        return lines, []
    size = weighted_size(lines)
    cut = len(lines)
    while cut > 1 and lines[cut - 1].size < 0.88 * size:
        cut -= 1
    if cut == len(lines) or cut < 2:
        return lines, []
    gap = lines[cut].top - lines[cut - 1].bottom
    if gap < 0.5 * lines[cut].size:
        return lines, []
    return lines[:cut], lines[cut:]


def order_lines(words: list[Word], depth: int = 0) -> list[Line]:
    """The lines of a region in reading order, columns read one after another."""
    zones = column_zones(words) if depth < MAX_DEPTH else None
    if zones is None:
        return _leaf(words)
    lines: list[Line] = []
    for zone in zones:
        if zone.full:
            lines.extend(_leaf(zone.full))
            continue
        left, left_notes = _split_tail(order_lines(zone.left, depth + 1))
        right, right_notes = _split_tail(order_lines(zone.right, depth + 1))
        for part in (left, right, left_notes, right_notes):
            if part:
                part[0].column_start = True
                lines.extend(part)
    return lines


def split_margins(
    words: list[Word], height: float, header: bool = True
) -> tuple[list[Word], list[Word], list[Word]]:
    """(header, body, footer) words: top or bottom bands set off by a clear gap."""
    if not words:
        return [], [], []
    sizes = sorted(w.size for w in words)
    gap_needed = max(6.0, sizes[len(sizes) // 2])
    spans: list[list[float]] = []
    for top, bottom in sorted((w.top, w.bottom) for w in words):
        if spans and top <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], bottom)
        else:
            spans.append([top, bottom])
    head_cut = -math.inf
    if header:
        for index in range(len(spans) - 1):
            if spans[index][1] > 0.12 * height:
                break
            if spans[index + 1][0] - spans[index][1] >= gap_needed:
                head_cut = spans[index][1]
    foot_cut = math.inf
    for index in range(len(spans) - 1, 0, -1):
        if spans[index][0] < 0.88 * height:
            break
        if spans[index][0] - spans[index - 1][1] >= gap_needed:
            foot_cut = spans[index][0]
    head = [w for w in words if w.bottom <= head_cut]
    foot = [w for w in words if w.top >= foot_cut]
    body = [w for w in words if head_cut < w.bottom and w.top < foot_cut]
    if not body:
        return [], words, []
    return head, body, foot


def page_lines(words: list[Word], height: float, header: bool = True) -> list[Line]:
    """All lines of a page in reading order: header, body, footer."""
    head, body, foot = split_margins(words, height, header=header)
    lines: list[Line] = []
    for part, margin in ((head, True), (body, False), (foot, True)):
        ordered = _leaf(part) if margin else order_lines(part)
        for line in ordered:
            line.margin = margin
        lines.extend(ordered)
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
