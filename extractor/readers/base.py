"""What every reader shares: limits, record failures, text decoding, and the
builder that assembles one canonical text with spans into it."""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Protocol

from ..errors import BadEncoding, EmptyDocument, LimitExceeded, MalformedDocument, PartiallyRead
from ..types import Document, Metadata, Page, Section, Span


@dataclass(frozen=True)
class Limits:
    """Bounds that keep one hostile file from stalling a batch."""

    max_bytes: int = 512 * 1024 * 1024  # whole file on disk
    max_pages: int = 400  # PDF pages or slides read per document
    max_seconds: float = 120.0  # wall time per file
    max_chars: int = 2_000_000  # canonical text per document; the rest is cut with a warning
    max_records: int = 10_000_000  # documents per file
    # Compressed input (gzip streams, the parts of .pptx/.xlsx zips) is checked as it is unpacked, so a
    # small file that unpacks to gigabytes fails at these bounds instead of filling memory.
    max_part_bytes: int = 64 * 1024 * 1024  # one zip part, or the bytes between two records of a stream
    max_unpacked_bytes: int = 1024 * 1024 * 1024  # everything unpacked from one file


@dataclass
class RecordFailure:
    """One record of a multi-record file that could not be read; the file goes on."""

    record: str
    kind: str
    message: str
    hint: str


PARTIAL = PartiallyRead.kind  # a failure whose file or record was read in part (a cut or damaged end)


def partial_failure(record: str, message: str, hint: str) -> RecordFailure:
    """The failure row of a salvage: what was read, and the part that is lost, named in ``message``."""
    return RecordFailure(record=record, kind=PARTIAL, message=message, hint=hint)


# Free-text fields whose last words a cut can take without a trace; such a field cut off at the end of a file is
# left out unless it ends like a whole sentence.
_SENTENCE_END = re.compile(r"[.?!)\]\"'”’]\s*$")


def looks_whole(value: str) -> bool:
    """Whether a value that ran to the end of a cut file ends like a whole sentence or title."""
    return bool(_SENTENCE_END.search(value or ""))


class Reader(Protocol):
    """A module in ``extractor.readers`` that reads one format."""

    FORMAT: str

    def sniff(self, head: bytes, path: Path) -> float:
        """How sure (0..1) the reader is that a file starting with ``head`` is its format."""

    def read(self, path: Path, limits: Limits) -> Iterator[Document | RecordFailure]:
        """Documents (and failed records) in file order; raises ExtractorError for the file."""


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")


def clean_text(text: str) -> str:
    """Unicode-normalise, unify line ends and drop control characters; keeps layout."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    return unicodedata.normalize("NFC", text)


def _trimmed(text: str) -> str:
    """``text`` without white space at its ends, except a leading tab: a table whose first header cell is
    empty starts with one, and it keeps the header's cells over their columns."""
    text = text.rstrip()
    head = text.lstrip(" \n")
    return head if head.startswith("\t") else text.lstrip()


def squash(text: str | None) -> str:
    """Collapse all runs of white space to one space (for titles and metadata)."""
    if not text:
        return ""
    # str.split() splits at exactly the characters ``\s`` matches (both ask Py_UNICODE_ISSPACE): the same result as
    # re.sub(r"\s+", " ", ...).strip(), in a third of the time (squash runs on every part of every byline tried)
    return " ".join(_CONTROL.sub("", text).split())


def decode_bytes(data: bytes, path: Path | str) -> str:
    """Decode text of unknown encoding: BOMs, UTF-8, UTF-16, then cp1252/Latin-1."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise BadEncoding(f"invalid UTF-16 text at byte {exc.start}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if data.count(b"\x00") > len(data) // 20:
        raise BadEncoding("binary content where text was expected")
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def read_text_file(path: Path, limits: Limits, max_chars: int | None = None) -> tuple[str, bool]:
    """The file as clean text and whether it was cut; a typed error when it is empty or binary.

    With ``max_chars`` at most that many characters are read from disk (a few
    more bytes than any encoding needs for them), so a huge file costs no
    more memory than the text that is kept.
    """
    with path.open("rb") as handle:
        if max_chars is None:
            data, cut = handle.read(), False
        else:
            data = handle.read(4 * max_chars + 4)  # UTF-8 needs at most 4 bytes a character
            cut = bool(handle.read(1))
    if not data.strip():
        raise EmptyDocument("the file is empty")
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise BadEncoding("binary content where text was expected")
    if cut:
        data = _whole_characters(data)
    text = clean_text(decode_bytes(data, path))
    if max_chars is not None and len(text) > max_chars:
        text, cut = text[:max_chars], True
    return text, cut


def _whole_characters(data: bytes) -> bytes:
    """``data`` cut by a read limit, without the partial character at its end (UTF-8 or UTF-16)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data[: len(data) - len(data) % 2]
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start >= len(data) - 3 and exc.reason == "unexpected end of data":
            return data[: exc.start]
    return data


class BoundedReader(io.RawIOBase):
    """A binary stream that raises LimitExceeded when it gives more than ``total`` bytes in all, or more
    than ``gap`` bytes without one of ``marks`` (record starts, a line end): the bound on what an
    unpacking reader may hold, checked on the bytes as they come rather than on a header's claim.

    Wrap it in ``io.BufferedReader`` where a buffered stream is needed (``io.TextIOWrapper``).
    """

    def __init__(self, raw: IO[bytes], what: str, total: int, gap: int | None = None,
                 marks: tuple[bytes, ...] = (), mark_name: str = "record start") -> None:
        super().__init__()
        self.raw = raw
        self.what = what
        self.total = total
        self.gap = gap if marks else None
        self.marks = marks
        self.mark_name = mark_name
        self.given = 0
        self.since_mark = 0
        self._tail = b""  # the last bytes of the previous block, so a mark cut in two is still seen

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        """Fill ``buffer`` from the stream within the bounds; 0 at the end."""
        block = self.raw.read(len(buffer))
        buffer[: len(block)] = block
        self._count(block)
        return len(block)

    def read(self, size: int = -1) -> bytes:
        """Up to ``size`` bytes (all that is left, within the bounds, when ``size`` is negative)."""
        if size is None or size < 0:
            return b"".join(iter(lambda: self.read(1 << 20), b""))
        block = self.raw.read(size)
        self._count(block)
        return block

    def _count(self, block: bytes) -> None:
        self.given += len(block)
        if self.given > self.total:
            raise LimitExceeded(f"{self.what} unpacks to more than {self.total / 2**20:.0f} MB", hint=_BOMB_HINT)
        if self.gap is None or not block:
            return
        window = self._tail + block
        last = max(window.rfind(mark) + len(mark) if mark in window else -1 for mark in self.marks)
        if last > len(self._tail):
            self.since_mark = len(window) - last
        else:
            self.since_mark += len(block)
        self._tail = window[-64:]
        if self.since_mark > self.gap:
            raise LimitExceeded(f"{self.what} has more than {self.gap / 2**20:.0f} MB without a {self.mark_name}",
                                hint=_BOMB_HINT)

    def close(self) -> None:
        self.raw.close()
        super().close()


_BOMB_HINT = "a compression bomb or a damaged file; if it is genuine, split it or unpack it first"


class TextBuilder:
    """Assembles a document's canonical text part by part, recording spans.

    Parts are joined with a blank line, so paragraphs stay apart and every span
    returned is exact: ``builder.text()[start:end] == part``.
    """

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._length = 0
        self.sections: list[Section] = []
        self.pages: list[Page] = []

    @property
    def length(self) -> int:
        return self._length

    def add(self, part: str | None, separator: str = "\n\n") -> Span | None:
        """Append ``part`` (stripped); returns its span, or None when it is empty."""
        if part is None:
            return None
        part = _trimmed(clean_text(part))
        if not part:
            return None
        if self._length:
            self._parts.append(separator)
            self._length += len(separator)
        start = self._length
        self._parts.append(part)
        self._length += len(part)
        return (start, self._length)

    def add_section(self, heading: str | None, body: str | None) -> Span | None:
        """Append a headed section; records it and returns the span of its body."""
        heading = squash(heading)
        body_clean = _trimmed(clean_text(body or ""))
        if not body_clean and not heading:
            return None
        start = self._length + (2 if self._length else 0)
        if heading:
            self.add(heading)
            body_span = self.add(body_clean, separator="\n") if body_clean else None
        else:
            body_span = self.add(body_clean)
        self.sections.append(Section(heading=heading or "", start=start, end=self._length))
        return body_span

    def add_page(self, number: int, text: str, kind: str = "page") -> Span | None:
        """Append the text of one page or slide and record its range."""
        span = self.add(text)
        if span is not None:
            self.pages.append(Page(number=number, start=span[0], end=span[1], kind=kind))
        return span

    def text(self) -> str:
        return "".join(self._parts)


def make_document(
    *,
    fmt: str,
    path: Path,
    title: str | None,
    abstract: str | None,
    body: list[tuple[str | None, str]] | None = None,
    metadata: Metadata | None = None,
    record_index: int | None = None,
    limits: Limits | None = None,
) -> Document:
    """Build a Document from structured parts: title, abstract, then headed body sections."""
    builder = TextBuilder()
    title_clean = squash(title) or None
    title_span = builder.add(title_clean)
    abstract_span = None
    if abstract and abstract.strip():
        abstract_span = builder.add_section("Abstract", abstract)
    for heading, text in body or []:
        builder.add_section(heading, text)
    text = builder.text()
    warnings: list[str] = []
    sections = builder.sections
    if limits is not None and len(text) > limits.max_chars:
        # One over-long field costs the rest of its own text, never its record or the file: every span
        # is cut to the text that is kept, so nothing downstream indexes past the end.
        text = text[: limits.max_chars].rstrip()
        warnings.append(f"text cut at {limits.max_chars} characters (the record is longer than the limit)")
        clipped = clip_span(title_span, len(text))
        if clipped != title_span:
            title_span, title_clean = clipped, squash(text[clipped[0] : clipped[1]]) if clipped else None
        abstract_span = clip_span(abstract_span, len(text))
        sections = [replace(s, end=min(s.end, len(text))) for s in sections if s.start < len(text)]
    abstract_text = text[abstract_span[0] : abstract_span[1]] if abstract_span else None
    return Document(
        doc_id="",
        source_path=str(path),
        format=fmt,
        text=text,
        title=title_clean,
        abstract=abstract_text,
        title_span=title_span,
        abstract_span=abstract_span,
        sections=sections,
        pages=[],
        metadata=metadata or Metadata(),
        record_index=record_index,
        warnings=warnings,
    )


def clip_span(span: Span | None, length: int) -> Span | None:
    """``span`` cut to a text of ``length`` characters; None when nothing of it is left."""
    if span is None or span[0] >= length:
        return None
    return (span[0], min(span[1], length))


def document_from_spans(
    *, fmt: str, path: Path | str, text: str, title_span: Span | None, abstract_span: Span | None, **fields: object
) -> Document:
    """A Document whose title and abstract are its own text at their spans (title with white space squashed)."""
    return Document(
        doc_id="",
        source_path=str(path),
        format=fmt,
        text=text,
        title=squash(text[title_span[0] : title_span[1]]) if title_span else None,
        abstract=text[abstract_span[0] : abstract_span[1]] if abstract_span else None,
        title_span=title_span,
        abstract_span=abstract_span,
        **fields,  # type: ignore[arg-type]
    )


def read_records(
    records: Iterator[object],
    to_document: Callable[[object, int], Document | RecordFailure | Iterator[Document | RecordFailure]],
    nothing_found: str,
) -> Iterator[Document | RecordFailure]:
    """Documents of a tagged multi-record file, numbered from 1; MalformedDocument when it holds none.
    ``to_document`` may give several items for one record (a salvaged record: a document and a failure)."""
    index = 0
    for index, record in enumerate(records, start=1):
        result = to_document(record, index)
        if isinstance(result, Document | RecordFailure):
            yield result
        else:  # a salvaged record: its document (if any) and the failure naming what is lost
            yield from result
    if index == 0:
        raise MalformedDocument(nothing_found)


def first_year(value: str | None) -> int | None:
    """The first plausible publication year (1800-2099) in a string."""
    if not value:
        return None
    match = re.search(r"\b(1[89]\d\d|20\d\d)\b", value)
    return int(match.group(1)) if match else None


def citation_numbers(volume: str | None = None, issue: str | None = None, first_page: str | None = None,
                     last_page: str | None = None) -> dict[str, str]:
    """Volume, issue and pages of a record as ``Metadata.extra`` keeps them: printed numbers, the empty left out
    ("436", "44" -> pages "436-44"; a range in ``first_page`` kept as it is)."""
    numbers: dict[str, str] = {}
    for key, value in (("volume", volume), ("issue", issue)):
        if squash(value):
            numbers[key] = squash(value)
    first, last = squash(first_page).replace("–", "-").replace("--", "-"), squash(last_page)
    if first:
        numbers["pages"] = f"{first}-{last}" if last and last != first and "-" not in first else first
    return numbers


def split_keywords(value: str | None) -> list[str]:
    """Keywords from a ';' or ',' separated field, without blanks or repeats."""
    if not value:
        return []
    # (?<!\s): a split is tried from the first space of a run only, not from each (quadratic on long runs)
    parts = re.split(r"(?<!\s)\s*[;\n]\s*", value) if ";" in value or "\n" in value else value.split(",")
    seen: dict[str, None] = {}
    for part in parts:
        part = squash(part).strip(" .")
        if part:
            seen.setdefault(part, None)
    return list(seen)
