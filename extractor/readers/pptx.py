"""PowerPoint decks (.pptx), read with python-pptx: one document per deck.

Each slide becomes a page (kind "slide") and a section headed by its title;
its text is the title, then every shape's text top to bottom and left to
right (groups opened, tables as tab-separated rows, SmartArt text from the
diagram's data part), then the speaker notes as "Notes: ...". Footer, date
and slide-number placeholders are left out: they repeat on every slide.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from lxml import etree

from ..errors import EmptyDocument, MalformedDocument
from ..types import Document, Metadata, Section, Span
from .base import Limits, TextBuilder, clean_text, clip_span, squash
from .packages import bounded_copy, is_markup

FORMAT = "pptx"

_DIAGRAM_URI = "http://schemas.openxmlformats.org/drawingml/2006/diagram"
_NS = {
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "dgm": _DIAGRAM_URI,
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
}
_BLANK_LINE = re.compile(r"\n\s*\n")
_DIAGRAM_DATA = etree.XPath(".//a:graphicData/dgm:relIds/@r:dm", namespaces=_NS)
_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_BOILERPLATE_PLACEHOLDERS = {"FOOTER", "SLIDE_NUMBER", "DATE"}
_TITLE_PLACEHOLDERS = {"TITLE", "CENTER_TITLE", "VERTICAL_TITLE"}
# python-pptx holds every XML part as an lxml tree, some 16 times the XML's size for dense text (scripts/
# bench_bombs.py), so a deck's XML is bounded tighter than other zip parts: one part to an eighth of
# Limits.max_part_bytes (8 MiB; real slides take kilobytes), all of them together to half (32 MiB).
XML_PART_SHARE = 8
XML_TOTAL_SHARE = 2


def sniff(head: bytes, path: Path) -> float:
    """0.95 for a zip holding ``ppt/presentation.xml``, else 0."""
    if not head.startswith(b"PK\x03\x04"):
        return 0.0
    if b"ppt/presentation.xml" in head:
        return 0.95
    try:
        with zipfile.ZipFile(path) as archive:
            return 0.95 if "ppt/presentation.xml" in archive.namelist() else 0.0
    except (OSError, zipfile.BadZipFile, ValueError, NotImplementedError, EOFError):
        return 0.0


def read(path: Path, limits: Limits) -> Iterator[Document]:
    """The deck as one Document; raises a typed ExtractorError when it cannot be read."""
    yield read_deck(Path(path), limits)


def _open(path: Path, limits: Limits) -> Any:
    from pptx import Presentation

    with open(path, "rb") as handle:
        head = handle.read(8)
    if not head:
        raise EmptyDocument("the file is empty (0 bytes)")
    if head == _OLE_SIGNATURE:
        raise MalformedDocument(
            "an OLE file, not a .pptx: a legacy .ppt or a password-protected deck",
            hint="save it as an unprotected .pptx and run again",
        )
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError) as error:
        raise MalformedDocument(f"not a readable zip file, so not a .pptx deck ({error})") from None
    if "ppt/presentation.xml" not in names:
        raise MalformedDocument("a zip file but not a PowerPoint deck (no ppt/presentation.xml)")
    # python-pptx loads every part of the package into memory: it is given a copy holding only the XML,
    # each part unpacked within the limits, with pictures, video and embedded files left empty.
    package = bounded_copy(path, limits, is_markup, part_limit=limits.max_part_bytes // XML_PART_SHARE,
                           total_limit=limits.max_part_bytes // XML_TOTAL_SHARE)
    try:
        return Presentation(package)
    except Exception as error:  # python-pptx and lxml raise many types on damaged parts
        raise MalformedDocument(f"the deck cannot be opened ({type(error).__name__}: {error})") from None


def read_deck(path: Path, limits: Limits) -> Document:
    """Every slide (up to the page limit) as a page and a section of one document."""
    presentation = _open(path, limits)
    warnings: list[str] = []
    try:
        slides = list(presentation.slides)
        height = int(presentation.slide_height or 6858000)
    except Exception as error:  # a broken slide list or size
        raise MalformedDocument(
            f"the deck's slides cannot be listed ({type(error).__name__}: {error})"
        ) from None
    if len(slides) > limits.max_pages:
        warnings.append(f"read the first {limits.max_pages} of {len(slides)} slides (page limit)")
    builder = TextBuilder()
    sections: list[Section] = []
    title_span: Span | None = None
    fallback_span: Span | None = None
    for number, slide in enumerate(slides[: limits.max_pages], 1):
        if builder.length >= limits.max_chars:
            warnings.append(f"text cut at {limits.max_chars} characters: slides {number}-{len(slides)} not read")
            break
        try:
            title, body, notes, unread = _slide_parts(slide, height)
        except Exception as error:  # one damaged slide must not lose the deck
            warnings.append(f"slide {number} could not be read ({type(error).__name__}: {error}); skipped")
            continue
        if unread:
            warnings.append(f"slide {number}: {unread} shape(s) could not be read and were left out")
        lines = [title] if title else []
        lines += body
        if notes:
            lines.append(f"Notes: {notes}")
        span = builder.add_page(number, "\n".join(lines), kind="slide")
        if span is None:
            continue
        first_line = _first_line(lines)  # the title, when the slide has one
        heading = title or squash(first_line)[:120] or f"Slide {number}"
        sections.append(Section(heading=heading, start=span[0], end=span[1]))
        if title and title_span is None:
            title_span = (span[0], span[0] + len(first_line))
        if fallback_span is None:
            fallback_span = (span[0], span[0] + len(first_line))
    text = builder.text()
    if not text:
        raise EmptyDocument("the deck has no text on any slide")
    if len(text) > limits.max_chars:
        text = text[: limits.max_chars].rstrip()
        warnings.append(f"text cut at {limits.max_chars} characters")
        sections = [replace(s, end=min(s.end, len(text))) for s in sections if s.start < len(text)]
        builder.pages[:] = [replace(p, end=min(p.end, len(text))) for p in builder.pages if p.start < len(text)]
    title_span = clip_span(title_span or fallback_span, len(text))
    return Document(
        doc_id="",
        source_path=str(path),
        format=FORMAT,
        text=text,
        title=squash(text[title_span[0] : title_span[1]]) if title_span else None,
        abstract=None,
        title_span=title_span,
        sections=sections,
        pages=builder.pages,
        metadata=_metadata(presentation),
        warnings=warnings,
    )


def _first_line(lines: list[str]) -> str:
    """The first line of a slide's text as TextBuilder stores it (cleaned, stripped)."""
    return clean_text("\n".join(lines)).strip().split("\n", 1)[0]


def _metadata(presentation: Any) -> Metadata:
    extra: dict[str, Any] = {}
    try:
        properties = presentation.core_properties
        found = {"title": properties.title, "author": properties.author, "subject": properties.subject}
    except Exception:  # missing or broken docProps: nothing to report
        found = {}
    # The file's own title and author are often a template's; kept aside, not as the article's.
    kept = {key: squash(str(value)) for key, value in found.items() if value and squash(str(value))}
    if kept:
        extra["pptx_properties"] = kept
    return Metadata(extra=extra)


def _placeholder_type(shape: Any) -> str | None:
    if not getattr(shape, "is_placeholder", False):
        return None
    try:
        kind = shape.placeholder_format.type
    except Exception:  # a placeholder without a readable type is just text
        return None
    return getattr(kind, "name", None) if kind is not None else None


def _slide_parts(slide: Any, height: int) -> tuple[str, list[str], str, int]:
    """(title, body texts in reading order, speaker notes, shapes that could not be read) of a slide."""
    title_shape = None
    for shape in slide.shapes:
        if _placeholder_type(shape) in _TITLE_PLACEHOLDERS and shape.has_text_frame:
            title_shape = shape
            break
    title, body, unread = "", [], 0
    if title_shape is not None:
        # a blank line inside the title placeholder sets off a byline, which is body text
        head, *rest = _BLANK_LINE.split(
            _frame_text(title_shape.text_frame, keep_blank=True).strip(), maxsplit=1
        )
        title = squash(head)
        if rest and rest[0].strip():
            body.append(rest[0].strip())
    for shape in _reading_order(slide.shapes, height):
        if title_shape is not None and shape._element is title_shape._element:
            continue
        if _placeholder_type(shape) in _BOILERPLATE_PLACEHOLDERS:
            continue
        try:
            body.extend(_shape_texts(shape, slide, height))
        except Exception:  # one damaged shape (chart, diagram...) must not lose the slide
            unread += 1
    notes = ""
    if slide.has_notes_slide:
        frame = slide.notes_slide.notes_text_frame
        if frame is not None:
            notes = clean_text(_frame_text(frame)).strip()
    return title, body, notes, unread


def _reading_order(shapes: Iterable[Any], height: int) -> list[Any]:
    """Top to bottom; shapes whose tops are level (within 3% of the slide) left to right."""
    placed = sorted(shapes, key=lambda s: (_coordinate(s, "top"), _coordinate(s, "left")))
    rows: list[list[Any]] = []
    tolerance = 0.03 * height
    for shape in placed:
        if rows and _coordinate(shape, "top") - _coordinate(rows[-1][0], "top") <= tolerance:
            rows[-1].append(shape)
        else:
            rows.append([shape])
    return [shape for row in rows for shape in sorted(row, key=lambda s: _coordinate(s, "left"))]


def _coordinate(shape: Any, name: str) -> int:
    try:
        value = getattr(shape, name)
    except Exception:  # inherited positions can be missing in damaged layouts
        return 0
    return int(value) if value is not None else 0


def _frame_text(frame: Any, keep_blank: bool = False) -> str:
    """A text frame's paragraphs, one per line; soft line breaks become new lines."""
    paragraphs = [paragraph.text.replace("\v", "\n") for paragraph in frame.paragraphs]
    return "\n".join(p for p in paragraphs if keep_blank or p.strip())


def _shape_texts(shape: Any, slide: Any, height: int) -> list[str]:
    """The text a shape shows: its frame, table, SmartArt, or its group's members."""
    if getattr(shape, "shape_type", None) is not None and shape.shape_type.name == "GROUP":
        texts: list[str] = []
        for member in _reading_order(shape.shapes, height):
            texts.extend(_shape_texts(member, slide, height))
        return texts
    if getattr(shape, "has_table", False) and shape.has_table:
        rows = []
        for row in shape.table.rows:
            cells = [squash(_frame_text(cell.text_frame)) for cell in row.cells]
            if any(cells):
                rows.append("\t".join(cells))
        return ["\n".join(rows)] if rows else []
    if getattr(shape, "has_chart", False) and shape.has_chart:
        chart = shape.chart
        return [squash(_frame_text(chart.chart_title.text_frame))] if chart.has_title else []
    if getattr(shape, "has_text_frame", False) and shape.has_text_frame:
        text = _frame_text(shape.text_frame).strip()
        return [text] if text else []
    diagram = _diagram_text(shape, slide)
    return [diagram] if diagram else []


def _diagram_text(shape: Any, slide: Any) -> str:
    """Text of a SmartArt diagram, kept in its data part rather than in the slide."""
    relation_ids = _DIAGRAM_DATA(shape._element)
    if not relation_ids:
        return ""
    try:
        data = etree.fromstring(slide.part.related_part(relation_ids[0]).blob)
    except Exception:  # a missing or broken diagram part only loses the diagram
        return ""
    texts: list[str] = []
    for point in data.iter(f"{{{_DIAGRAM_URI}}}pt"):
        if point.get("type", "node") not in ("node", "asst"):
            continue
        for paragraph in point.iterfind(".//a:p", _NS):
            text = "".join(paragraph.itertext()).strip()
            if text:
                texts.append(text)
    return "\n".join(texts)
