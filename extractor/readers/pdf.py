"""PDF articles and slide decks, read with pdfplumber into one canonical text.

Each page's words are put in reading order by ``pdf_layout`` (columns,
full-width blocks, running headers), joined into paragraphs and added to the
document page by page. Articles get their title (largest print near the top
of page 1), abstract and section headings; a PDF whose pages are slides is
read as a deck (format ``pdf_slides``), one slide per page. pdfminer and
pdfplumber exceptions never leave this module: they become typed errors, or
warnings on a document that could still be read.
"""

from __future__ import annotations

import logging
import re
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
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
from .base import Limits, TextBuilder, clean_text, squash
from .pdf_layout import (
    Block,
    BodyStyle,
    Line,
    Word,
    body_style,
    join_lines,
    make_blocks,
    page_lines,
    vocabulary,
    words_from_pdfplumber,
)

FORMAT = "pdf"
DECK_FORMAT = "pdf_slides"

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
_DAMAGE = re.compile(r"corrupt|data-loss|decompress|damaged|invalid|cannot\s+(?:locate|find)|error", re.I)
_NOT_TEXT = re.compile(r"[\W\d_]+")

MAX_ABSTRACT_CHARS = 6000


@dataclass
class _PageWords:
    number: int
    width: float
    height: float
    words: list[Word]


@dataclass
class _Placed:
    """A block with its place in the canonical text."""

    block: Block
    start: int
    end: int
    page: int


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
    metadata = Metadata(extra={"pdf_info": info} if info else {})
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
        return loaded, _info(pdf), bool(getattr(pdf.doc, "encryption", None))
    finally:
        pdf.close()


def _page_words(page: Any, number: int) -> _PageWords:
    raw = page.extract_words(x_tolerance_ratio=0.15, y_tolerance=3, extra_attrs=["size", "fontname"])
    width, height = float(page.width), float(page.height)
    return _PageWords(number, width, height, words_from_pdfplumber(raw, width, height))


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


def _looks_like_slides(pages: list[_PageWords]) -> bool:
    """Landscape pages with few words in big print (Beamer, PowerPoint exports)."""
    landscape = sum(1 for p in pages if p.width > 1.15 * p.height)
    if landscape < 0.8 * len(pages):
        return False
    words_per_page = statistics.median(len(p.words) for p in pages)
    relative = [w.size / p.height for p in pages for w in p.words]
    return words_per_page <= 150 and bool(relative) and statistics.median(relative) >= 0.025


def _letters(text: str) -> int:
    return sum(ch.isalpha() for ch in text)


def _title_run(lines: list[Line], height: float, top_share: float, min_size: float) -> list[int]:
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


def _heading_test(style: BodyStyle) -> Callable[[list[Line], int], bool]:
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


def _add_page(builder: TextBuilder, number: int, blocks: list[Block], kind: str = "page") -> list[_Placed]:
    text, placed = _page_text(blocks)
    cleaned = clean_text(text).strip()
    span = builder.add_page(number, cleaned, kind=kind)
    if span is None or cleaned != text:
        return []  # the page is in the text, its blocks just cannot be pointed at
    return [_Placed(block, span[0] + start, span[0] + end, number) for block, start, end in placed]


def _read_article(path: Path, pages: list[_PageWords], metadata: Metadata) -> Document:
    # the first half of the pages: long reference lists in small print must not set the norm
    style = body_style([word for page in pages[: max(1, (len(pages) + 1) // 2)] for word in page.words])
    is_heading = _heading_test(style)
    builder = TextBuilder()
    placed: list[_Placed] = []
    title_span: Span | None = None
    first_page = True
    laid_out = [(page, page_lines(page.words, page.height)) for page in pages]
    known = vocabulary([line for _, lines in laid_out for line in lines])
    for page, lines in laid_out:
        if not lines:
            continue
        forced: set[int] = set()
        if first_page:
            forced = set(_title_run(lines, page.height, 0.6, style.size * 1.15))
        blocks = make_blocks(lines, is_heading, forced, known)
        page_placed = _add_page(builder, page.number, blocks)
        if first_page:
            title_span = next(((p.start, p.end) for p in page_placed if p.block.kind == "title"), None)
            first_page = False
        placed.extend(page_placed)
    text = builder.text()
    abstract_span = _abstract_span(placed)
    return Document(
        doc_id="",
        source_path=str(path),
        format=FORMAT,
        text=text,
        title=squash(text[title_span[0] : title_span[1]]) if title_span else None,
        abstract=text[abstract_span[0] : abstract_span[1]] if abstract_span else None,
        title_span=title_span,
        abstract_span=abstract_span,
        sections=_sections(placed, text),
        pages=builder.pages,
        metadata=metadata,
    )


def _sections(placed: list[_Placed], text: str) -> list[Section]:
    headings = [p for p in placed if p.block.kind == "heading"]
    sections: list[Section] = []
    for index, entry in enumerate(headings):
        limit = headings[index + 1].start if index + 1 < len(headings) else len(text)
        end = len(text[:limit].rstrip())
        sections.append(Section(heading=squash(entry.block.text), start=entry.start, end=max(end, entry.end)))
    return sections


def _abstract_span(placed: list[_Placed]) -> Span | None:
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


def _collect_abstract(entries: list[_Placed], start_index: int, start_at: int | None) -> Span | None:
    """Blocks from start_index on, while they keep the abstract's print size and page."""
    chosen: list[_Placed] = []
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
        run = _title_run(lines, page.height, share, 0.0)
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
