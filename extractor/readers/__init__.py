"""Readers: sniff a file's format from its content and turn it into Documents.

Each format has a module here exposing ``FORMAT``, ``sniff(head, path)`` and
``read(path, limits)``. ``read_path`` picks the module, gives each document its
``doc_id`` and its identifiers, and turns record-level failures into
``Failure`` rows so that one bad record never stops the file.
"""

from __future__ import annotations

import gzip
import importlib
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

from ..errors import EmptyDocument, ExtractorError, LimitExceeded, UnsupportedFormat
from ..identifiers import attach_identifiers
from ..types import Document, Failure
from .base import Limits, RecordFailure
from .citation import fill_metadata

# Formats whose metadata is read from the text (citation line, byline, title slide) where the reader had none.
TEXT_METADATA_FORMATS = {"text", "pdf", "pdf_slides", "pptx"}

# Order matters only to break ties between equal sniff scores.
READER_MODULES = (
    "pdf",
    "pptx",
    "table",
    "pubmed_xml",
    "jats",
    "medline",
    "ris",
    "bibtex",
    "tagged",
    "text",
)

HEAD_BYTES = 64 * 1024
_loaded: dict[str, ModuleType] = {}


def reader_module(name: str) -> ModuleType:
    """Import a reader module on first use (keeps CLI start-up fast)."""
    if name not in _loaded:
        _loaded[name] = importlib.import_module(f"{__name__}.{name}")
    return _loaded[name]


def read_head(path: Path, size: int = HEAD_BYTES) -> bytes:
    """The first bytes of a file, decompressed when it is gzip."""
    with open(path, "rb") as handle:
        head = handle.read(size)
    if head.startswith(b"\x1f\x8b"):
        try:
            with gzip.open(path, "rb") as handle:
                return handle.read(size)
        except (OSError, EOFError):
            return head
    return head


def detect_format(path: Path, limits: Limits | None = None) -> str:
    """The name of the reader whose sniffer is surest about this file."""
    limits = limits or Limits()
    size = path.stat().st_size
    if size == 0:
        raise EmptyDocument("the file is empty (0 bytes)")
    if size > limits.max_bytes:
        raise LimitExceeded(f"the file is {size / 1e6:.0f} MB, over the {limits.max_bytes / 1e6:.0f} MB limit")
    head = read_head(path)
    best_name, best_score = "", 0.0
    for name in READER_MODULES:
        score = reader_module(name).sniff(head, path)
        if score > best_score:
            best_name, best_score = name, score
    if best_score <= 0:
        raise UnsupportedFormat("the file's format is not one this tool reads")
    return best_name


def doc_stem(path: Path) -> str:
    """The file name without its last extension."""
    name = path.name
    return name.rsplit(".", 1)[0] if "." in name.lstrip(".") else name


def record_key(document: Document, index: int) -> str:
    """PMID, else DOI, else the 1-based record index."""
    return document.metadata.pmid or document.metadata.doi or str(index)


def read_path(path: Path | str, limits: Limits | None = None, fmt: str | None = None) -> Iterator[Document | Failure]:
    """Documents and record failures from one file, in file order.

    Raises ``ExtractorError`` when the file as a whole cannot be read; a
    failure part-way through a multi-record file is yielded as a ``Failure``
    for the file and ends it, keeping the documents already yielded.
    """
    path = Path(path)
    limits = limits or Limits()
    fmt = fmt or detect_format(path, limits)
    module = reader_module(fmt)
    stem = doc_stem(path)
    held: Document | None = None
    records = 0
    keys_used: set[str] = set()

    def finish(document: Document, multi: bool) -> Document:
        if document.format in TEXT_METADATA_FORMATS:
            fill_metadata(document, guessed=document.format == "text")
        attach_identifiers(document)
        if multi:
            key = record_key(document, document.record_index or records)
            if key in keys_used:
                key = str(document.record_index)
            keys_used.add(key)
            document.record_key = key
            document.doc_id = f"{stem}/{key}"
        else:
            document.doc_id = stem
        return document

    items = module.read(path, limits)
    try:
        for item in items:
            records += 1
            if records > limits.max_records:
                raise LimitExceeded(f"more than {limits.max_records} records in one file")
            if isinstance(item, RecordFailure):
                yield Failure(str(path), item.kind, item.message, item.hint, record=item.record)
            else:
                if item.record_index is None:
                    item.record_index = records
                item.format = item.format or fmt
                if records == 1:
                    held = item
                    continue
                if held is not None:
                    yield finish(held, multi=True)
                    held = None
                yield finish(item, multi=True)
    except ExtractorError as error:
        if held is not None:
            yield finish(held, multi=False)
            held = None
        if records <= 1:
            raise
        yield Failure(str(path), error.kind, f"stopped after record {records}: {error.message}", error.hint)
    finally:
        close = getattr(items, "close", None)
        if close:
            close()
    if held is not None:
        yield finish(held, multi=False)
