"""Structure of a laid-out PDF article: title, section headings, abstract and sections.

Pure functions over the lines and blocks ``pdf_layout`` produces, so they can be tested without
a PDF. ``title_run`` finds the largest print near the top of a page; ``heading_test`` decides
which lines are headings (major ones by name, minor ones by emphasis, only between the front
matter and the references); ``add_page`` puts a page's blocks into the canonical text and keeps
where each one landed (``Placed``), from which ``find_abstract`` and ``heading_sections`` work.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ..types import Section, Span
from .base import TextBuilder, clean_text, squash
from .pdf_layout import Block, BodyStyle, Line

_MAJOR = (
    r"abstract|summary|background|introduction|methods?|materials?\s+and\s+methods|patients\s+and\s+methods|"
    r"methods\s+and\s+materials|methodology|results|results\s+and\s+discussion|findings|discussion|"
    r"conclusions?|discussion\s+and\s+conclusions?|limitations|references|bibliography|acknowledge?ments?|"
    r"funding|keywords|key\s*words|conflicts?\s+of\s+interests?|competing\s+interests|declarations?|"
    r"authors?['’]?\s+contributions|abbreviations|supplementary\s+materials?|supporting\s+information|"
    r"data\s+availability|trial\s+registration|ethics\s+statement"
)
_NUMBER = r"(?:\d{1,2}(?:\.\d{1,2})*\.?|[IVX]{1,4}\.)"
_MAJOR_HEADING = re.compile(rf"^(?:{_NUMBER}\s*)?(?:{_MAJOR})\s*[:.]?$", re.I)
_NUMBERED = re.compile(rf"^{_NUMBER}\s+\S")
_BACK_MATTER = re.compile(r"^(?:\d{1,2}\.?\s*)?(references|bibliography|literature\s+cited)\s*[:.]?$", re.I)
_ABSTRACT_HEADING = re.compile(r"^(abstract|summary)\b\s*[:.]?\s*", re.I)
_BACKGROUND_HEADING = re.compile(r"^background\s*[:.]?$", re.I)
_STRUCTURED_START = re.compile(
    r"^(background|objectives?|aims?|purpose|context|importance|introduction)\s*[:.]\s*\S", re.I
)
_ABSTRACT_STOP = re.compile(
    rf"^(?:{_NUMBER}\s*)?(introduction|keywords?|key\s*words|abbreviations|references|main\s+text|index\s+terms|mesh)\b",
    re.I,
)
_LABEL = re.compile(
    r"^(?:(?:original|research|review|clinical|brief|short|special|invited|systematic|full)\s+)*"
    r"(?:article|paper|research|report|review|communication|study|letter|editorial|commentary|protocol)?"
    r"(?:\s*open\s+access)?$",
    re.I,
)
_BOILERPLATE = re.compile(r"©|copyright|licen[cs]e|creative\s*commons|correspondence|e-?mail|@", re.I)

MAX_ABSTRACT_CHARS = 6000


@dataclass
class Placed:
    """A block with its place in the canonical text."""

    block: Block
    start: int
    end: int
    page: int


def _letters(text: str) -> int:
    """How many letters ``text`` holds."""
    return sum(ch.isalpha() for ch in text)


def title_run(lines: list[Line], height: float, top_share: float, min_size: float) -> list[int]:
    """Indexes of the largest-print lines near the top that read as one title."""
    candidates = [
        i
        for i, line in enumerate(lines)
        if not line.margin
        and line.top < top_share * height
        and _letters(line.text) >= 3
        and not _LABEL.match(line.text)
    ]
    if not candidates:
        return []
    biggest = max(lines[i].size for i in candidates)
    if biggest < min_size:
        return []
    first = next(i for i in candidates if lines[i].size >= biggest - 0.6)
    run = [first]
    for index in range(first + 1, min(len(lines), first + 6)):
        line, previous = lines[index], lines[run[-1]]
        if line.margin or line.size < biggest - 0.6 or _LABEL.match(line.text):
            break
        if line.top - previous.bottom > 1.2 * biggest:
            break
        run.append(index)
    return run


def heading_test(style: BodyStyle) -> Callable[[list[Line], int], bool]:
    """A predicate on lines[index] for headings, called in reading order.

    Major headings (Introduction, Methods...) need only some emphasis. Minor
    ones (subsections) count between the front matter and the references,
    and only when bold or larger than running text and followed by a line in
    another style that reads as text.
    """
    state = {"front": True, "back": False}

    def is_heading(lines: list[Line], index: int) -> bool:
        line = lines[index]
        text = line.text
        if line.margin or not 3 <= len(text) <= 90 or _letters(text) < 3:
            return False
        numbered = bool(_NUMBERED.match(text))
        emphasised = line.bold or line.size >= style.size + 0.5
        if _MAJOR_HEADING.match(text):
            if not (emphasised or text.isupper() or numbered or line.font != style.font):
                return False
            if not _ABSTRACT_HEADING.match(text):
                state["front"] = False
            state["back"] = bool(_BACK_MATTER.match(text))
            return True
        distinct = line.font != style.font and line.size >= style.size + 0.4
        if state["front"] or state["back"] or not (line.bold or line.size >= style.size + 0.8 or distinct):
            return False
        if line.size > style.size + 8 or len(text.split()) > 12:
            return False
        if text[-1] in ".,;:" or not (text[0].isupper() or numbered):
            return False
        following = next((other for other in lines[index + 1 : index + 2] if not other.margin), None)
        if following is None:
            return False
        same_style = following.font == line.font and abs(following.size - line.size) < 0.4
        reads_as_text = _letters(following.text) >= 0.5 * len(following.text.replace(" ", ""))
        return not same_style and reads_as_text

    return is_heading


def _page_text(blocks: list[Block]) -> tuple[str, list[tuple[Block, int, int]]]:
    """Blocks joined (a heading's text follows it on the next line); offsets are page-relative."""
    parts: list[str] = []
    placed: list[tuple[Block, int, int]] = []
    length = 0
    for index, block in enumerate(blocks):
        if index:
            separator = "\n" if blocks[index - 1].kind == "heading" else "\n\n"
            parts.append(separator)
            length += len(separator)
        parts.append(block.text)
        placed.append((block, length, length + len(block.text)))
        length += len(block.text)
    return "".join(parts), placed


def add_page(builder: TextBuilder, number: int, blocks: list[Block], kind: str = "page") -> list[Placed]:
    """Add a page's blocks to the text; where each block landed, or [] when cleaning moved them."""
    text, placed = _page_text(blocks)
    cleaned = clean_text(text).strip()
    span = builder.add_page(number, cleaned, kind=kind)
    if span is None or cleaned != text:
        return []  # the page is in the text, its blocks just cannot be pointed at
    return [Placed(block, span[0] + start, span[0] + end, number) for block, start, end in placed]


def heading_sections(placed: list[Placed], text: str) -> list[Section]:
    """One section per heading block, running to the next heading (trailing space trimmed)."""
    headings = [p for p in placed if p.block.kind == "heading"]
    sections: list[Section] = []
    for index, entry in enumerate(headings):
        limit = headings[index + 1].start if index + 1 < len(headings) else len(text)
        end = len(text[:limit].rstrip())
        sections.append(Section(heading=squash(entry.block.text), start=entry.start, end=max(end, entry.end)))
    return sections


def find_abstract(placed: list[Placed]) -> Span | None:
    """After an Abstract/Summary (else Background) heading; else a structured start; else a long paragraph."""
    if not placed:
        return None
    early = [p for p in placed if p.page <= placed[0].page + 1]
    after_title = next((i + 1 for i, p in enumerate(early) if p.block.kind == "title"), 0)
    for pattern, pages in ((_ABSTRACT_HEADING, 2), (_BACKGROUND_HEADING, 1)):
        for index, entry in enumerate(early):
            if entry.page >= placed[0].page + pages:
                break
            match = pattern.match(entry.block.text)
            if not match or entry.block.kind not in ("heading", "text"):
                continue
            if match.end() == len(entry.block.text):
                span = _collect_abstract(early, index + 1, None)
            elif (
                entry.block.kind == "text"
                and pattern is _ABSTRACT_HEADING
                and match.group(1).lower() == "abstract"
            ):
                span = _collect_abstract(early, index, entry.start + match.end())
            else:
                continue
            if span:
                return span
    for index, entry in enumerate(early[after_title:], after_title):
        if entry.block.kind == "text" and _STRUCTURED_START.match(entry.block.text):
            span = _collect_abstract(early, index, None)
            if span:
                return span
    for entry in early[after_title:]:
        block = entry.block
        if (
            block.kind == "text"
            and len(block.text.split()) >= 80
            and not _BOILERPLATE.search(block.text[:300])
        ):
            return (entry.start, entry.end)
    return None


def _collect_abstract(entries: list[Placed], start_index: int, start_at: int | None) -> Span | None:
    """Blocks from start_index on, while they keep the abstract's print size and page."""
    chosen: list[Placed] = []
    size: float | None = None
    total = 0
    for entry in entries[start_index:]:
        block = entry.block
        if chosen and entry.page != chosen[0].page:
            break
        if block.kind in ("title", "margin"):
            if chosen:
                break
            continue
        if _ABSTRACT_STOP.match(block.text) and not (start_at is not None and entry is entries[start_index]):
            break
        if block.kind == "heading":
            if size is not None and abs(block.size - size) > 0.4:
                break
            if _NUMBERED.match(block.text):
                break
        elif size is None:
            size = block.size
        elif abs(block.size - size) > 0.4:
            break
        chosen.append(entry)
        total += entry.end - entry.start
        if total > MAX_ABSTRACT_CHARS:
            break
    while chosen and chosen[-1].block.kind == "heading":
        chosen.pop()
    if not chosen or size is None:
        return None
    start = start_at if start_at is not None else chosen[0].start
    return (start, chosen[-1].end) if chosen[-1].end > start else None
