"""Every reader fails cleanly: on random bytes, random text, the wrong format and broken real files.

The only acceptable outcomes of ``read_path(path, fmt=reader)`` are a list of
``Document``/``Failure`` objects that keep the span invariants, or an
``ExtractorError`` with a message. Anything else (``KeyError``,
``UnicodeDecodeError``, ``zipfile.BadZipFile``, a pdfminer exception, ...)
fails with the reader, the source file and the mutation named, so the reader's
owner can reproduce it. Examples are derandomized so CI sees the same inputs.
"""

from __future__ import annotations

import csv
import os
import signal
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from conftest import CORPUS, SHARED, invariant_problems, shared_path, write
from extractor.errors import ExtractorError
from extractor.readers import READER_MODULES, detect_format, read_path, reader_module
from extractor.readers.base import Limits
from extractor.types import Document, Failure

pytestmark = pytest.mark.slow  # `make test-fast` leaves these out; `make test` runs them

FORMATS = SHARED / "formats"
HOUSEKEEPING = {"README.md", "PROVENANCE.md", "INDEX.md"}
# Mutated articles are slow to parse: only these two small real ones (plus the repo's own example
# and the small hostile PDFs).
MUTATED_PDFS = {"pdf_articles/cermine_example1_IntPsychogeriatr2014.pdf", "slides/zivich_SER2023_data_combination_intro_beamer.pdf"}
SCALE = float(os.environ.get("EXTRACTOR_PROPERTY_SCALE", "1"))
SECONDS_PER_CALL = 30  # a reader that takes longer on a small broken file is hanging
LIMITS = Limits(max_pages=5)  # pages past the fifth add time, not new ways to break

PROPERTY_SETTINGS = settings(
    deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow]
)


# ---------------------------------------------------------------- input files


def shared_files() -> list[str]:
    """Real files under ../shared/formats, relative to it (a placeholder that skips when absent)."""
    if not FORMATS.is_dir():
        return ["(../shared/formats missing)"]
    return sorted(
        str(path.relative_to(FORMATS))
        for path in FORMATS.rglob("*")
        if path.is_file() and path.name not in HOUSEKEEPING
    )


def corpus_files() -> list[str]:
    return sorted(path.name for path in CORPUS.iterdir() if path.is_file() and path.name not in HOUSEKEEPING)


def derived_workbook(target: Path) -> Path:
    """The corpus's screening CSV saved as .xlsx: the only real workbook is 1.5 MB, too slow to
    mutate often, and a small one gets its zip directory hit far more often."""
    import openpyxl

    workbook = openpyxl.Workbook()
    with open(CORPUS / "example_screening.csv", newline="", encoding="utf-8") as handle:
        for row in csv.reader(handle):
            workbook.active.append(row)
    target.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(target)
    return target


def real_file(origin: str, scratch: Path) -> Path:
    """``shared:<rel>``, ``corpus:<name>`` or ``derived:<name>`` as a path (skips when ../shared is absent)."""
    where, _, relative = origin.partition(":")
    if where == "corpus":
        return CORPUS / relative
    if where == "derived":
        return derived_workbook(scratch / relative)
    if relative.startswith("("):
        shared_path("formats")
    return shared_path("formats", *relative.split("/"))


ALL_REAL = [f"shared:{name}" for name in shared_files()] + [f"corpus:{name}" for name in corpus_files()]
if (CORPUS / "example_screening.csv").exists():
    ALL_REAL.append("derived:example_screening.xlsx")


def worth_mutating(origin: str) -> bool:
    """Every real file except most article PDFs and the empty one (nothing to mutate)."""
    where, _, relative = origin.partition(":")
    if where == "derived":
        return True
    if relative.lower().endswith(".pdf") and not relative.startswith("hostile/"):
        return where == "corpus" or relative in MUTATED_PDFS
    path = (CORPUS if where == "corpus" else FORMATS) / relative
    return not path.exists() or path.stat().st_size > 0


MUTATED_REAL = [origin for origin in ALL_REAL if worth_mutating(origin)]


def examples_for(path: Path) -> int:
    """How many mutants of one file to try: fewer for the files that are slow to read.

    ``EXTRACTOR_PROPERTY_SCALE=10`` tries ten times as many (for a deeper run by hand).
    """
    size = path.stat().st_size
    slow = path.suffix.lower() in {".pdf", ".pptx", ".xlsx"}
    if slow:
        examples = 3 if size > 1_000_000 else 8 if size > 100_000 else 40
    else:
        examples = 6 if size > 300_000 else 20 if size > 50_000 else 40
    return scaled(examples)


def scaled(examples: int) -> int:
    return max(1, round(examples * SCALE))


# ---------------------------------------------------------------- the property


class ReaderHung(BaseException):
    """Raised by the alarm; a BaseException so no reader's ``except Exception`` hides it."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    def on_alarm(signum: int, frame: Any) -> None:
        raise ReaderHung(f"no answer after {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def assert_fails_cleanly(reader: str | None, path: Path, source: str, mutation: str) -> list[Document | Failure]:
    """Read ``path`` with ``reader`` (None: sniff); fail naming reader, source and mutation unless clean."""
    where = f"reader {reader or '(sniffed)'!r} on {source} [{mutation}]"
    escaped = ""
    try:
        with time_limit(SECONDS_PER_CALL):
            items = list(read_path(path, limits=LIMITS, fmt=reader))
    except ExtractorError as error:
        assert str(error.message).strip(), f"{where}: {type(error).__name__} with an empty message"
        return []
    except ReaderHung as error:
        escaped = str(error)
    except Exception as error:  # noqa: BLE001 - the point of the test is to catch whatever escapes
        stack = "".join(traceback.format_exception(error, chain=False)[-7:])
        escaped = f"{type(error).__module__}.{type(error).__name__}: {error}\n{stack}"
    if escaped:  # failed outside the except block, so pytest does not print the chained exceptions
        pytest.fail(f"{where}: {escaped}\n(the input is kept at {path})", pytrace=False)
    for item in items:
        assert isinstance(item, Document | Failure), f"{where}: yielded a {type(item).__name__}"
        if isinstance(item, Failure):
            assert item.message.strip(), f"{where}: a Failure with an empty message"
        else:
            problems = invariant_problems(item)
            assert not problems, f"{where}: document {item.doc_id!r}: " + "; ".join(problems)
    return items


def sniffed(path: Path, source: str, mutation: str) -> str | None:
    """The reader ``detect_format`` picks, None when it refuses the file cleanly."""
    escaped = ""
    try:
        with time_limit(SECONDS_PER_CALL):
            return detect_format(path, LIMITS)
    except ExtractorError:
        return None
    except (Exception, ReaderHung) as error:  # noqa: BLE001
        stack = "".join(traceback.format_exception(error, chain=False)[-5:])
        escaped = f"{type(error).__module__}.{type(error).__name__}: {error}\n{stack}"
    pytest.fail(f"sniffing {source} [{mutation}] (detect_format): {escaped}", pytrace=False)


# ---------------------------------------------------------------- mutations


@dataclass(frozen=True)
class Mutation:
    """One way to break a file, printed in failures so it can be redone by hand."""

    kind: str  # truncate, delete, overwrite, duplicate, zero_fill
    start: int
    length: int = 0
    payload: bytes = b""
    insert_at: int = 0

    def apply(self, data: bytes) -> bytes:
        start, end = self.start, self.start + self.length
        if self.kind == "truncate":
            return data[:start]
        if self.kind == "delete":
            return data[:start] + data[end:]
        if self.kind == "overwrite":
            return data[:start] + self.payload + data[start + len(self.payload) :]
        if self.kind == "duplicate":
            return data[: self.insert_at] + data[start:end] + data[self.insert_at :]
        if self.kind == "zero_fill":
            return data[:start] + b"\x00" * len(data[start:end]) + data[end:]
        raise AssertionError(self.kind)

    def __str__(self) -> str:
        if self.kind == "truncate":
            return f"truncated to its first {self.start} bytes"
        if self.kind == "overwrite":
            return f"bytes {self.start}..{self.start + len(self.payload)} overwritten with {self.payload!r}"
        if self.kind == "duplicate":
            return f"bytes {self.start}..{self.start + self.length} copied to offset {self.insert_at}"
        verb = "deleted" if self.kind == "delete" else "zero-filled"
        return f"bytes {self.start}..{self.start + self.length} {verb}"


# Where a format keeps its structure: zip headers, PDF objects and tables, record starts, tags.
ZIP_LANDMARKS = [b"PK\x03\x04", b"PK\x01\x02", b"PK\x05\x06", b"PK\x07\x08"]
# Versions, flags, method, sizes, name and extra lengths, offsets of local and central headers.
ZIP_FIELD_OFFSETS = [4, 6, 8, 10, 16, 18, 20, 22, 24, 26, 28, 30, 32, 42]
PDF_LANDMARKS = [
    b" obj", b"endobj", b"stream", b"xref", b"trailer", b"startxref", b"/Type", b"/Kids", b"/MediaBox",
    b"/Font", b"/Encrypt", b"/Length", b"/Filter", b"<<", b"%%EOF",
]
TEXT_LANDMARKS = [
    b"\nTY  -", b"\nER  -", b"\nPMID-", b"\nAB  -", b"\nTI  -", b"\n@", b"={", b"= {", b"\n\n", b"\r", b"\t",
    b'"', b"<?xml", b"<!DOCTYPE", b"<PubmedArticle>", b"<Abstract", b"<article", b"<front", b"<body", b"<title",
    b"&", b"\xef\xbb\xbf",
]


def landmarks(data: bytes, most: int = 400) -> list[int]:
    """Offsets of structural markers in ``data`` (an even sample of at most ``most``)."""
    if data.startswith(b"PK"):
        markers = ZIP_LANDMARKS  # the members are compressed: text markers there are noise
    elif b"%PDF" in data[:1024]:
        markers = PDF_LANDMARKS
    else:
        markers = TEXT_LANDMARKS
    found: set[int] = set()
    for marker in markers:
        start = data.find(marker)
        while start != -1 and len(found) < 50_000:
            found.add(start)
            start = data.find(marker, start + 1)
    offsets = sorted(found)
    step = max(1, len(offsets) // most)
    return offsets[::step][:most]


def mutations(data: bytes) -> st.SearchStrategy[Mutation]:
    """Mutations of ``data``: at structural markers (signatures, zip directories, PDF xref
    tables, record starts), at its head and tail, and anywhere."""
    size = len(data)
    last = max(size - 1, 0)
    anchors = [min(offset, last) for offset in landmarks(data)] or [0]
    shift = st.integers(0, 32)
    if data.startswith(b"PK"):  # also land exactly on the header fields zipfile checks
        shift = st.one_of(st.sampled_from(ZIP_FIELD_OFFSETS), shift)
    position = st.one_of(
        st.builds(lambda anchor, shift: min(anchor + shift, last), st.sampled_from(anchors), shift),
        st.integers(0, min(last, 1024)),
        st.integers(max(0, size - 1024), last),
        st.integers(0, last),
    )
    length = st.one_of(st.integers(1, 16), st.integers(1, max(1, min(size, 4096))))
    return st.one_of(
        st.builds(Mutation, kind=st.just("truncate"), start=position),
        st.builds(Mutation, kind=st.just("delete"), start=position, length=length),
        st.builds(Mutation, kind=st.just("overwrite"), start=position, payload=st.binary(min_size=1, max_size=64)),
        st.builds(Mutation, kind=st.just("duplicate"), start=position, length=length, insert_at=position),
        st.builds(Mutation, kind=st.just("zero_fill"), start=position, length=length),
    )


# Pieces of each format, so random text gets past the first check of a reader now and then.
FORMAT_TOKENS = [
    "TY  - JOUR\n", "ER  - \n", "TI  - ", "AB  - ", "AU  - ", "PY  - 2020\n", "DO  - 10.1000/x\n",
    "PMID- 12345678\n", "TI  - ", "      continued\n", "AB  - ", "FAU - Doe, J\n", "SO  - ",
    "@article{key,\n", "title = {", "{", "}", "author = \"", "\",\n", "@string{", "@comment{",
    "<?xml version=\"1.0\"?>", "<PubmedArticleSet>", "<PubmedArticle>", "<MedlineCitation>", "<PMID>1</PMID>",
    "<ArticleTitle>", "</ArticleTitle>", "<AbstractText Label=\"X\">", "</AbstractText>", "<article>",
    "<front>", "<article-title>", "<abstract>", "<sec><title>", "</title>", "<p>", "</p>", "&amp;", "&#x",
    "title,abstract,doi\n", "Title\tAbstract\n", "\"", ",", "\t", "\r", "\n", "\n\n", "\ufeff",
    "TITLE=", "AUTHOR=", "ABSTRACT=", "Abstract\n", "Background: ", "doi: 10.1/ab", "PMID: 1", "NCT01234567",
    "%PDF-1.4\n", "PK\x03\x04", "Title:", "Methods", "Results", "\u00e9", "\u2013", "\U0001f600",
]
format_text = st.lists(st.one_of(st.sampled_from(FORMAT_TOKENS), st.text(max_size=20)), max_size=60).map("".join)
EXTENSIONS = ["", ".txt", ".ris", ".nbib", ".bib", ".xml", ".nxml", ".csv", ".tsv", ".xlsx", ".pdf", ".pptx"]


# ---------------------------------------------------------------- tests


@pytest.mark.parametrize("reader", READER_MODULES)
def test_reader_module_exists_and_follows_the_contract(reader: str) -> None:
    module = reader_module(reader)
    assert isinstance(module.FORMAT, str) and module.FORMAT
    assert callable(module.sniff) and callable(module.read)


@pytest.mark.parametrize("reader", READER_MODULES)
def test_sniff_never_raises_and_stays_between_0_and_1(reader: str, tmp_path: Path) -> None:
    module = reader_module(reader)

    @settings(PROPERTY_SETTINGS, max_examples=scaled(150))
    @given(head=st.one_of(st.binary(max_size=512), format_text.map(lambda text: text.encode("utf-8", "surrogatepass"))),
           extension=st.sampled_from(EXTENSIONS))
    def check(head: bytes, extension: str) -> None:
        path = write(tmp_path, f"input{extension}", head)  # some sniffers look into the file itself
        escaped = ""
        try:
            score = module.sniff(head, path)
        except Exception as error:  # noqa: BLE001
            escaped = f"{type(error).__module__}.{type(error).__name__}: {error}"
        if escaped:
            pytest.fail(f"reader {reader!r}: sniff({head[:120]!r}, {path.name!r}) raised {escaped}", pytrace=False)
        assert isinstance(score, int | float) and 0 <= score <= 1, f"reader {reader!r}: sniff gave {score!r}"

    check()


@pytest.mark.parametrize("reader", READER_MODULES)
def test_random_bytes_fail_cleanly(reader: str, tmp_path: Path) -> None:
    reader_module(reader)

    @settings(PROPERTY_SETTINGS, max_examples=scaled(60))
    @given(data=st.binary(max_size=2048), extension=st.sampled_from(EXTENSIONS))
    def check(data: bytes, extension: str) -> None:
        path = write(tmp_path, f"random{extension}", data)
        assert_fails_cleanly(reader, path, f"random bytes in random{extension}", f"{data[:120]!r}")

    check()


@pytest.mark.parametrize("reader", READER_MODULES)
def test_random_text_fails_cleanly(reader: str, tmp_path: Path) -> None:
    reader_module(reader)

    @settings(PROPERTY_SETTINGS, max_examples=scaled(80))
    @given(text=st.one_of(st.text(max_size=500), format_text), encoding=st.sampled_from(["utf-8", "utf-16", "cp1252"]),
           extension=st.sampled_from(EXTENSIONS))
    def check(text: str, encoding: str, extension: str) -> None:
        data = text.encode(encoding, errors="replace")
        path = write(tmp_path, f"random{extension}", data)
        assert_fails_cleanly(reader, path, f"random text ({encoding}) in random{extension}", f"{text[:120]!r}")

    check()


@pytest.mark.parametrize("reader", READER_MODULES)
@pytest.mark.parametrize("origin", ALL_REAL)
def test_real_file_given_to_every_reader_fails_cleanly(origin: str, reader: str, tmp_path: Path) -> None:
    """The wrong format on purpose: a PDF to the RIS reader, a deck to the BibTeX reader, ..."""
    path = real_file(origin, tmp_path)
    assert_fails_cleanly(reader, path, origin, "unmodified")


@pytest.mark.parametrize("origin", MUTATED_REAL)
def test_broken_real_file_fails_cleanly(origin: str, tmp_path: Path) -> None:
    """Truncated, cut, overwritten, duplicated and zero-filled copies of real files, read by
    the reader the original is sniffed as and by whatever the sniffer picks for the copy."""
    original = real_file(origin, tmp_path / "original")
    data = original.read_bytes()
    native = sniffed(original, origin, "unmodified")

    examples = examples_for(original)
    # Shrinking re-reads a slow file hundreds of times; for those the failing mutation as found will do.
    phases = [phase for phase in Phase if phase is not Phase.shrink or examples > scaled(8)]

    @settings(PROPERTY_SETTINGS, max_examples=examples, phases=phases)
    @given(mutation=mutations(data))
    def check(mutation: Mutation) -> None:
        path = write(tmp_path, original.name, mutation.apply(data))
        label = f"{mutation}; {mutation!r}"
        if native is not None:
            assert_fails_cleanly(native, path, origin, label)
        detected = sniffed(path, origin, label)
        if detected is not None and detected != native:
            assert_fails_cleanly(detected, path, origin, label)

    check()


# (header signature, offset, width, field) of the zip fields zipfile reads and acts upon
ZIP_FIELDS = [
    (b"PK\x03\x04", 4, 2, "local: version needed"),
    (b"PK\x03\x04", 6, 2, "local: flags"),
    (b"PK\x03\x04", 8, 2, "local: compression method"),
    (b"PK\x03\x04", 18, 4, "local: compressed size"),
    (b"PK\x03\x04", 26, 2, "local: name length"),
    (b"PK\x03\x04", 28, 2, "local: extra length"),
    (b"PK\x01\x02", 6, 1, "central: version needed"),
    (b"PK\x01\x02", 8, 2, "central: flags"),
    (b"PK\x01\x02", 10, 2, "central: compression method"),
    (b"PK\x01\x02", 20, 4, "central: compressed size"),
    (b"PK\x01\x02", 24, 4, "central: uncompressed size"),
    (b"PK\x01\x02", 28, 2, "central: name length"),
    (b"PK\x01\x02", 30, 2, "central: extra length"),
    (b"PK\x01\x02", 42, 4, "central: local header offset"),
    (b"PK\x05\x06", 10, 2, "end: entry count"),
    (b"PK\x05\x06", 16, 4, "end: directory offset"),
]
SMALL_ZIPS = [origin for origin in ALL_REAL if origin.endswith((".pptx", ".xlsx")) and not origin.startswith("shared:")]


@pytest.mark.parametrize("fill", [b"\x00", b"\xff"], ids=["zeros", "ones"])
@pytest.mark.parametrize("field", ZIP_FIELDS, ids=[field[3] for field in ZIP_FIELDS])
@pytest.mark.parametrize("origin", SMALL_ZIPS)
def test_zip_header_field_out_of_range_fails_cleanly(origin: str, field: tuple[bytes, int, int, str], fill: bytes,
                                                     tmp_path: Path) -> None:
    """Every header of one kind with one field set to all zeros or all ones: what random
    mutation rarely hits (``zipfile`` raises NotImplementedError, RuntimeError, ... on these)."""
    original = real_file(origin, tmp_path / "original")
    signature, offset, width, name = field
    data = bytearray(original.read_bytes())
    start = data.find(signature)
    while start != -1:
        data[start + offset : start + offset + width] = fill * width
        start = data.find(signature, start + 1)
    mutation = f"{name} set to {fill.hex() * width} in every header"
    path = write(tmp_path, original.name, bytes(data))
    native = sniffed(original, origin, "unmodified")
    if native is not None:
        assert_fails_cleanly(native, path, origin, mutation)
    detected = sniffed(path, origin, mutation)
    if detected is not None and detected != native:
        assert_fails_cleanly(detected, path, origin, mutation)
