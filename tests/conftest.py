"""Shared fixtures and helpers for the tests: where ../shared is, reading files once, and the
document invariants every reader test checks."""

from __future__ import annotations

import functools
import os
import tracemalloc
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

from extractor.readers import read_path
from extractor.readers.base import Limits, squash
from extractor.types import Document, Failure

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("EXTRACTOR_SHARED", REPO.parent / "shared")).resolve()
CORPUS = REPO / "corpus"


def shared_path(*parts: str) -> Path:
    """A path under ../shared, skipping the test when it is not there."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"needs ../shared ({path} not found); set EXTRACTOR_SHARED to its location")
    return path


def corpus_path(name: str) -> Path:
    """A file of corpus/ that scripts/make_corpus_examples.py makes, skipping the test when it is not made."""
    path = CORPUS / name
    if not path.exists():
        pytest.skip(f"run scripts/make_corpus_examples.py to make corpus/{name}")
    return path


@pytest.fixture
def shared() -> Path:
    """The ../shared folder (skips the test when absent)."""
    return shared_path()


# ---------------------------------------------------------------- reading files


@functools.cache
def _read_all(
    path: Path, limits: Limits | None, _mtime_ns: int, _size: int
) -> tuple[Document | Failure, ...]:
    return tuple(read_path(path, limits))


def read_all(path: Path, limits: Limits | None = None) -> tuple[Document | Failure, ...]:
    """Everything ``read_path`` yields for a file, read once per test session (PDFs and the
    large workbook are slow); read again only when the file has changed on disk."""
    stat = Path(path).stat()
    return _read_all(Path(path), limits, stat.st_mtime_ns, stat.st_size)


def read_shared(*parts: str) -> tuple[Document | Failure, ...]:
    """``read_all`` of a file under ../shared (skips the test when it is not there)."""
    return read_all(shared_path(*parts))


def documents_of(items: Iterable[object]) -> list[Document]:
    """The documents among what a reader yielded."""
    return [item for item in items if isinstance(item, Document)]


def failures_of(items: Iterable[object]) -> list[Failure]:
    """The record failures among what a reader yielded."""
    return [item for item in items if isinstance(item, Failure)]


def read_documents(path: Path) -> list[Document]:
    """The documents of a file that must give no record failures."""
    items = read_all(path)
    assert failures_of(items) == []
    return documents_of(items)


def only_document(path: Path, limits: Limits | None = None) -> Document:
    """The single document a file gives (and nothing else: no failures, no second document)."""
    items = read_all(path, limits)
    assert len(items) == 1 and isinstance(items[0], Document), items
    return items[0]


def shared_document(*parts: str) -> Document:
    """``only_document`` of a file under ../shared (skips the test when it is not there)."""
    return only_document(shared_path(*parts))


def write(directory: Path, name: str, data: bytes) -> Path:
    """``data`` written to ``directory/name``."""
    path = directory / name
    path.write_bytes(data)
    return path


def count_and_peak_memory(read: Callable[[Path, Limits], Iterable[object]], path: Path) -> tuple[int, int]:
    """How many items ``read(path, Limits())`` yields, and the peak memory traced while it ran."""
    tracemalloc.start()
    try:
        count = sum(1 for _ in read(path, Limits()))
        return count, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


# ---------------------------------------------------------------- document invariants


def invariant_problems(document: Document) -> list[str]:
    """The broken invariants of one document (empty when it keeps them all).

    Those of READER_CONTRACT.md and what the reader tests add to them:
    - a title or abstract has a span, and a span has a title or abstract;
    - each span lies inside ``document.text``; the title is its span's text with white space
      squashed; the abstract is its span's text exactly (so the two agree squashed too);
    - every section, page and identifier with a position lies inside the text, and an
      identifier other than a DOI is what the text holds there (ignoring case and spaces).
    """
    problems: list[str] = []
    text = document.text
    size = len(text)
    for name in ("title", "abstract"):
        value, span = getattr(document, name), getattr(document, f"{name}_span")
        if span is None:
            if value is not None:
                problems.append(f"{name} {value[:60]!r} has no span")
            continue
        start, end = span
        if not 0 <= start <= end <= size:
            problems.append(f"{name}_span {span} outside the text (length {size})")
            continue
        held = text[start:end]
        if value is None:
            problems.append(f"{name}_span {span} holds {held[:60]!r} but there is no {name}")
        elif squash(held) != squash(value):
            problems.append(f"{name}_span {span} holds {held[:60]!r}, {name} is {value[:60]!r}")
        elif name == "title" and " ".join(held.split()) != value:
            problems.append(f"title {value[:60]!r} is not its span's text {held[:60]!r} squashed")
        elif name == "abstract" and held != value:
            problems.append(f"abstract {value[:60]!r} is not exactly its span's text {held[:60]!r}")
    for section in document.sections:
        if not 0 <= section.start <= section.end <= size:
            where = f"section {section.heading!r} ({section.start}, {section.end})"
            problems.append(f"{where} outside the text ({size})")
    for page in document.pages:
        if not 0 <= page.start <= page.end <= size:
            problems.append(f"{page.kind} {page.number} ({page.start}, {page.end}) outside the text ({size})")
    for identifier in document.identifiers:
        if identifier.start is None:
            continue
        where = f"identifier {identifier.scheme} {identifier.value!r} ({identifier.start}, {identifier.end})"
        if identifier.end is None or not 0 <= identifier.start <= identifier.end <= size:
            problems.append(f"{where} outside the text ({size})")
            continue
        held = text[identifier.start : identifier.end]
        if identifier.scheme != "doi" and _comparable(held) != _comparable(identifier.value):
            problems.append(f"{where} points at {held!r}")
    return problems


def _comparable(identifier: str) -> str:
    """An identifier as compared with the text: upper case, without spaces."""
    return identifier.replace(" ", "").upper()


def assert_document_invariants(document: Document) -> None:
    """Fail naming every broken invariant of ``document`` (see ``invariant_problems``)."""
    problems = invariant_problems(document)
    assert not problems, f"document {document.doc_id!r}: " + "; ".join(problems)
