"""What every reader shares: limits, record failures, text decoding, and the
builder that assembles one canonical text with spans into it."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ..errors import BadEncoding, EmptyDocument, MalformedDocument
from ..types import Document, Metadata, Page, Section, Span


@dataclass(frozen=True)
class Limits:
    """Bounds that keep one hostile file from stalling a batch."""

    max_bytes: int = 512 * 1024 * 1024  # whole file on disk
    max_pages: int = 400  # PDF pages or slides read per document
    max_seconds: float = 120.0  # wall time per file
    max_chars: int = 2_000_000  # canonical text per document; the rest is cut with a warning
    max_records: int = 10_000_000  # documents per file


@dataclass
class RecordFailure:
    """One record of a multi-record file that could not be read; the file goes on."""

    record: str
    kind: str
    message: str
    hint: str


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


def squash(text: str | None) -> str:
    """Collapse all runs of white space to one space (for titles and metadata)."""
    if not text:
        return ""
    return re.sub(r"\s+", " ", _CONTROL.sub("", text)).strip()


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


def read_text_file(path: Path, limits: Limits) -> str:
    """The whole file as clean text, or a typed error when it is empty or binary."""
    data = path.read_bytes()
    if not data.strip():
        raise EmptyDocument("the file is empty")
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise BadEncoding("binary content where text was expected")
    return clean_text(decode_bytes(data, path))


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
        part = clean_text(part).strip()
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
        body_clean = clean_text(body or "").strip()
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
    if limits is not None and len(text) > limits.max_chars:
        text = text[: limits.max_chars]
        warnings.append(f"text cut at {limits.max_chars} characters")
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
        sections=[s for s in builder.sections if s.end <= len(text)],
        pages=[],
        metadata=metadata or Metadata(),
        record_index=record_index,
        warnings=warnings,
    )


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
    to_document: Callable[[object, int], Document | RecordFailure],
    nothing_found: str,
) -> Iterator[Document | RecordFailure]:
    """Documents of a tagged multi-record file, numbered from 1; MalformedDocument when it holds none."""
    index = 0
    for index, record in enumerate(records, start=1):
        yield to_document(record, index)
    if index == 0:
        raise MalformedDocument(nothing_found)


def first_year(value: str | None) -> int | None:
    """The first plausible publication year (1800-2099) in a string."""
    if not value:
        return None
    match = re.search(r"\b(1[89]\d\d|20\d\d)\b", value)
    return int(match.group(1)) if match else None


def split_keywords(value: str | None) -> list[str]:
    """Keywords from a ';' or ',' separated field, without blanks or repeats."""
    if not value:
        return []
    parts = re.split(r"\s*[;\n]\s*", value) if ";" in value or "\n" in value else value.split(",")
    seen: dict[str, None] = {}
    for part in parts:
        part = squash(part).strip(" .")
        if part:
            seen.setdefault(part, None)
    return list(seen)
