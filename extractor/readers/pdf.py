"""PDF articles and slide decks, read with pdfplumber into one canonical text.

Each page's words are put in reading order by ``pdf_layout`` (columns,
full-width blocks, running headers), joined into paragraphs and added to the
document page by page. Articles get their title (largest print near the top
of page 1), abstract and section headings from ``pdf_structure``; a PDF whose
pages are slides is read as a deck (format ``pdf_slides``), one slide per
page. pdfminer and pdfplumber exceptions never leave this module: they become
typed errors, or warnings on a document that could still be read.
"""

from __future__ import annotations

import logging
import re
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import (
    DocumentTimeout,
    EmptyDocument,
    EncryptedPDF,
    MalformedDocument,
    NoTextLayer,
    TruncatedDocument,
)
from ..types import Document, Metadata, Page, Section, Span
from .base import Limits, TextBuilder, clean_text, document_from_spans, squash
from .citation import pdf_metadata
from .pdf_columns import page_lines
from .pdf_layout import (
    Line,
    Word,
    body_style,
    join_lines,
    make_blocks,
    vocabulary,
    words_from_pdfplumber,
)
from .pdf_structure import Placed, add_page, find_abstract, heading_sections, heading_test, title_run
from .pdf_tables import join_continued, ruled_tables, unruled_tables

FORMAT = "pdf"
DECK_FORMAT = "pdf_slides"

_DAMAGE = re.compile(r"corrupt|data-loss|decompress|damaged|invalid|cannot\s+(?:locate|find)|error", re.I)


@dataclass
class _PageWords:
    number: int
    width: float
    height: float
    words: list[Word]
    # tables (articles only): caption or heading, rows tab-separated, the box they cover
    tables: list[tuple[str, str, tuple]] = field(default_factory=list)


def sniff(head: bytes, path: Path) -> float:
    """0.95 when the PDF signature is in the first KiB, else 0."""
    return 0.95 if b"%PDF-" in head[:1024] else 0.0


def read(path: Path, limits: Limits) -> Iterator[Document]:
    """One document per PDF: an article, or a deck when its pages are slides."""
    yield read_pdf(Path(path), limits)


def read_pdf(path: Path, limits: Limits) -> Document:
    """The whole PDF as one Document; raises a typed ExtractorError when it cannot be read."""
    if path.stat().st_size == 0:
        raise EmptyDocument("the file is empty (0 bytes)")
    warnings: list[str] = []
    with _pdfminer_messages() as messages:
        pages, info, encrypted = _load_pages(path, limits, warnings)
    damage = sorted({m for m in messages if _DAMAGE.search(m)})
    if damage:
        warnings.append(f"the PDF has damaged content ({'; '.join(damage[:3])}); some text may be missing")
    truncated = _cut_off(path)
    if not pages:
        if truncated:
            raise TruncatedDocument("the PDF ends early (no %%EOF marker) and no page of it can be read")
        raise MalformedDocument("no page of the PDF could be read")
    if truncated:
        warnings.append("the file seems truncated (no %%EOF marker); text may be incomplete")
    characters = sum(sum(ch.isalnum() for ch in word.text) for page in pages for word in page.words)
    if characters < 16 * len(pages):
        if encrypted:
            raise EncryptedPDF("the PDF is encrypted and no text could be read from it")
        raise NoTextLayer(
            f"only {characters} characters of text on {len(pages)} page(s): the PDF has no usable text layer"
        )
    blank = [str(p.number) for p in pages if not p.words]
    if blank:
        warnings.append(
            f"page(s) {', '.join(blank[:20])} have no text layer (images only?); run OCR to read them"
        )
    unmapped = sum(word.text.count("\ufffd") for page in pages for word in page.words)
    if unmapped:
        warnings.append(f"{unmapped} glyphs could not be mapped to text (shown as U+FFFD)")
    xmp = info.pop("\x00xmp", None)
    metadata = pdf_metadata(info, xmp)
    if info:
        metadata.extra["pdf_info"] = info
    if _looks_like_slides(pages):
        document = _read_deck(path, pages, metadata)
    else:
        document = _read_article(path, pages, metadata)
    document.warnings = warnings + document.warnings
    return _apply_char_limit(document, limits)


@contextmanager
def _pdfminer_messages() -> Iterator[list[str]]:
    """Collect pdfminer's warnings (damaged streams...) instead of printing them."""
    messages: list[str] = []

    class _Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            messages.append(record.getMessage())

    logger = logging.getLogger("pdfminer")
    handler = _Collect(level=logging.WARNING)
    propagate = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield messages
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


def _describe(error: BaseException) -> str:
    message = str(error).strip() or type(error).__name__
    return message[:200]


def _file_ends(path: Path, size: int = 65536) -> bytes:
    with open(path, "rb") as handle:
        head = handle.read(size)
        handle.seek(0, 2)
        length = handle.tell()
        handle.seek(max(0, length - size))
        return head + handle.read()


def _has_eof_marker(path: Path) -> bool:
    with open(path, "rb") as handle:
        handle.seek(0, 2)
        handle.seek(max(0, handle.tell() - 2048))
        return b"%%EOF" in handle.read()


def _cut_off(path: Path) -> bool:
    """Complete objects, then no %%EOF at the end: a real PDF cut short, not a mere stub."""
    return not _has_eof_marker(path) and b"endobj" in _file_ends(path)


def _open_error(path: Path, error: Exception) -> Exception:
    """The typed error for a PDF that pdfplumber could not open."""
    cause: BaseException = error
    if error.args and isinstance(error.args[0], BaseException):
        cause = error.args[0]  # pdfplumber wraps pdfminer's exception
    names = {cls.__name__ for cls in type(cause).__mro__}
    if names & {"PDFPasswordIncorrect", "PDFEncryptionError"} or "password" in str(cause).lower():
        return EncryptedPDF("the PDF is password-protected")
    if b"/Encrypt" in _file_ends(path):
        return EncryptedPDF(f"the PDF is encrypted and could not be opened ({_describe(cause)})")
    if _cut_off(path):
        return TruncatedDocument(
            f"the PDF ends early (no %%EOF marker) and cannot be opened ({_describe(cause)})"
        )
    return MalformedDocument(f"not a readable PDF ({_describe(cause)})")


def _load_pages(
    path: Path, limits: Limits, warnings: list[str]
) -> tuple[list[_PageWords], dict[str, str], bool]:
    """Words of each page (up to the page limit), the info dictionary, and whether it is encrypted."""
    import pdfplumber

    started = time.monotonic()
    try:
        pdf = pdfplumber.open(path, unicode_norm="NFC")
    except Exception as error:  # pdfminer raises many unrelated types on bad input
        raise _open_error(path, error) from None
    try:
        try:
            all_pages = pdf.pages
        except Exception as error:
            raise MalformedDocument(f"the PDF's page tree cannot be read ({_describe(error)})") from None
        if not all_pages:
            if _cut_off(path):
                raise TruncatedDocument("the PDF ends early (no %%EOF marker) and no page can be read")
            raise MalformedDocument(
                "the PDF has no readable pages (its cross-reference table may be damaged)"
            )
        if len(all_pages) > limits.max_pages:
            warnings.append(f"read the first {limits.max_pages} of {len(all_pages)} pages (page limit)")
        loaded: list[_PageWords] = []
        for number, page in enumerate(all_pages[: limits.max_pages], 1):
            if time.monotonic() - started > limits.max_seconds:
                raise DocumentTimeout(
                    f"reading took over {limits.max_seconds:.0f} s (stopped at page {number})"
                )
            try:
                loaded.append(_page_words(page, number))
            except Exception as error:  # a damaged page must not lose the rest
                warnings.append(f"page {number} could not be read ({_describe(error)}); skipped")
            finally:
                page.close()
        info = _info(pdf)
        xmp = _xmp(pdf)
        if xmp:
            info["\x00xmp"] = xmp  # handed to read_pdf beside the info dictionary, never stored
        return loaded, info, bool(getattr(pdf.doc, "encryption", None))
    finally:
        _close_quietly(pdf)


def _close_quietly(pdf: Any) -> None:
    """Close a PDF without letting a damaged page tree replace the typed error already raised."""
    try:
        pdf.close()
    except Exception:  # closing walks the page tree again; on a damaged file that can fail too
        stream = getattr(pdf, "stream", None)
        if stream is not None and not getattr(stream, "closed", True):
            stream.close()


def _page_words(page: Any, number: int) -> _PageWords:
    raw = page.extract_words(x_tolerance_ratio=0.15, y_tolerance=3, extra_attrs=["size", "fontname"])
    width, height = float(page.width), float(page.height)
    words = words_from_pdfplumber(raw, width, height)
    return _PageWords(number, width, height, words, _page_tables(page, raw, words, number))


def _page_tables(page: Any, raw: list[dict[str, Any]], words: list[Word], number: int) -> list[tuple[str, str, tuple]]:
    """The page's ruled tables, then those printed without rules under a "Table N" caption."""
    ruled = ruled_tables(page, raw, number)
    try:
        return ruled + unruled_tables(words, [box for _, _, box in ruled])
    except Exception:  # a damaged page's odd word boxes must not lose its text: its tables stay running text
        return ruled


def _inside(word: Word, box: tuple) -> bool:
    x0, top, x1, bottom = box
    return x0 <= (word.x0 + word.x1) / 2 <= x1 and top <= word.middle <= bottom


def _info(pdf: Any) -> dict[str, str]:
    """The document information dictionary's text fields (often junk: kept aside in ``extra``)."""
    info: dict[str, str] = {}
    try:
        raw = dict(pdf.metadata)
    except Exception:  # a broken info dictionary is not worth a warning
        return info
    for key in ("Title", "Author", "Subject", "Keywords", "Creator", "Producer"):
        value = raw.get(key)
        if isinstance(value, bytes):
            value = value.decode("latin-1", "replace")
        text = squash(str(value)) if value is not None else ""
        if text:
            info[key.lower()] = text
    return info


def _xmp(pdf: Any) -> str | None:
    """The XMP metadata packet as text (at most 1 MB), or None; read as text, never parsed as XML."""
    try:
        from pdfminer.pdftypes import resolve1

        stream = resolve1(pdf.doc.catalog.get("Metadata"))
        if stream is None or not hasattr(stream, "get_data") or stream.attrs.get("Filter"):
            return None  # XMP is stored uncompressed; a compressed one is not unpacked (it could be a bomb)
        data = stream.get_data()
    except Exception:  # a broken metadata stream is not worth a warning
        return None
    return data[: 1 << 20].decode("utf-8", "replace") if data else None


def _looks_like_slides(pages: list[_PageWords]) -> bool:
    """Landscape pages with few words in big print (Beamer, PowerPoint exports)."""
    landscape = sum(1 for p in pages if p.width > 1.15 * p.height)
    if landscape < 0.8 * len(pages):
        return False
    words_per_page = statistics.median(len(p.words) for p in pages)
    relative = [w.size / p.height for p in pages for w in p.words]
    return words_per_page <= 150 and bool(relative) and statistics.median(relative) >= 0.025


def _read_article(path: Path, pages: list[_PageWords], metadata: Metadata) -> Document:
    # the first half of the pages: long reference lists in small print must not set the norm
    style = body_style([word for page in pages[: max(1, (len(pages) + 1) // 2)] for word in page.words])
    is_heading = heading_test(style)
    builder = TextBuilder()
    placed: list[Placed] = []
    title_span: Span | None = None
    first_page = True
    # a ruled table's words are read as its rows (added after its page), not as running text
    laid_out = [
        (page, page_lines([w for w in page.words if not any(_inside(w, t[2]) for t in page.tables)], page.height))
        for page in pages
    ]
    known = vocabulary([line for _, lines in laid_out for line in lines])
    # a table split over pages is read as one, after the page it begins on
    at_top = [[not any(line.top < box[1] and not line.margin for line in lines) for _, _, box in page.tables]
              for page, lines in laid_out]
    joined = join_continued([page.tables for page in pages], at_top)
    for (page, lines), tables in zip(laid_out, joined, strict=True):
        if not lines:
            for caption, rows, _ in tables:
                _add_table(builder, caption, rows)
            continue
        forced: set[int] = set()
        if first_page:
            forced = set(title_run(lines, page.height, 0.6, style.size * 1.15))
        blocks = make_blocks(lines, is_heading, forced, known)
        page_placed = add_page(builder, page.number, blocks)
        for caption, rows, _ in tables:
            _add_table(builder, caption, rows)
        if first_page:
            title_span = next(((p.start, p.end) for p in page_placed if p.block.kind == "title"), None)
            first_page = False
        placed.extend(page_placed)
    text = builder.text()
    abstract_span = find_abstract(placed)
    return document_from_spans(
        fmt=FORMAT,
        path=path,
        text=text,
        title_span=title_span,
        abstract_span=abstract_span,
        sections=heading_sections(placed, text),
        pages=builder.pages,
        metadata=metadata,
    )


def _add_table(builder: TextBuilder, caption: str, rows: str) -> None:
    """A table after its page's text: its caption line, then its rows. One part, not a headed section, whose
    body would be stripped of the tab that leaves a header's first cell (over the row labels) empty."""
    builder.add(f"{squash(caption)}\n{rows}")


def _normalise_margin(text: str) -> str:
    return re.sub(r"\d+", "#", squash(text).lower())


def _no_heading(lines: list[Line], index: int) -> bool:
    """Slide bodies have no section headings: the slide title heads the slide."""
    return False


def _near_edge(line: Line, height: float) -> bool:
    return line.bottom > 0.85 * height or line.top < 0.1 * height


def _read_deck(path: Path, pages: list[_PageWords], metadata: Metadata) -> Document:
    """One slide per page: the slide title first, then its other lines in reading order."""
    laid_out = [(page, page_lines(page.words, page.height, header=False)) for page in pages]
    counts: dict[str, int] = {}
    for page, lines in laid_out:
        for key in {_normalise_margin(line.text) for line in lines if _near_edge(line, page.height)}:
            counts[key] = counts.get(key, 0) + 1
    # footers and logos repeated on most slides, like the footer placeholders of a .pptx
    repeated = {key for key, count in counts.items() if count >= max(3, len(pages) // 2)}
    builder = TextBuilder()
    sections: list[Section] = []
    title_span: Span | None = None
    for page, lines in laid_out:
        lines = [
            line
            for line in lines
            if not (_near_edge(line, page.height) and _normalise_margin(line.text) in repeated)
        ]
        if not lines:
            continue
        share = 0.6 if not builder.pages else 0.35
        run = title_run(lines, page.height, share, 0.0)
        title = clean_text(join_lines([lines[i].text for i in run])).strip()
        rest = [line for i, line in enumerate(lines) if i not in run]
        body = [block.text for block in make_blocks(rest, _no_heading)]
        slide_text = clean_text("\n".join([title, *body] if title else body)).strip()
        span = builder.add_page(page.number, slide_text, kind="slide")
        if span is None:
            continue
        heading = squash(title) or squash(slide_text.split("\n", 1)[0])[:120]
        sections.append(Section(heading=heading, start=span[0], end=span[1]))
        if title_span is None:
            first_line = len(slide_text.split("\n", 1)[0])
            title_span = (
                span[0],
                span[0] + (len(title) if title and slide_text.startswith(title) else first_line),
            )
    text = builder.text()
    return Document(
        doc_id="",
        source_path=str(path),
        format=DECK_FORMAT,
        text=text,
        title=squash(text[title_span[0] : title_span[1]]) if title_span else None,
        abstract=None,
        title_span=title_span,
        sections=sections,
        pages=builder.pages,
        metadata=metadata,
    )


def _apply_char_limit(document: Document, limits: Limits) -> Document:
    """Cut the text at max_chars, dropping or clipping what pointed past the cut."""
    limit = limits.max_chars
    if len(document.text) <= limit:
        return document
    document.text = document.text[:limit]
    document.warnings.append(f"text cut at {limit} characters")
    if document.title_span and document.title_span[1] > limit:
        document.title, document.title_span = None, None
    if document.abstract_span and document.abstract_span[1] > limit:
        document.abstract, document.abstract_span = None, None
    document.pages = [
        Page(p.number, p.start, min(p.end, limit), p.kind) for p in document.pages if p.start < limit
    ]
    document.sections = [
        Section(s.heading, s.start, min(s.end, limit)) for s in document.sections if s.start < limit
    ]
    return document
