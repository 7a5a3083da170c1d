"""RIS citation exports (Embase, Scopus, Web of Science, Lens, EndNote, Ovid, Zotero).

One document per ``TY  -`` ... ``ER  -`` record, read line by line. Also home of
``open_text``, the decoding text stream the other citation readers share.
"""

from __future__ import annotations

import gzip
import html
import io
import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import TextIO

from ..errors import BadEncoding, EmptyDocument, MalformedDocument, TruncatedDocument
from ..types import Document, Metadata
from .base import (
    BoundedReader,
    Limits,
    RecordFailure,
    citation_numbers,
    decode_bytes,
    first_year,
    looks_whole,
    make_document,
    partial_failure,
    read_records,
    split_keywords,
    squash,
)

FORMAT = "ris"

WHOLE_FILE_BYTES = 50 * 1024 * 1024  # decoded in one go below this; streamed above it
HEAD_BYTES = 64 * 1024

_TAG = re.compile(r"^([A-Z][A-Z0-9]) {1,2}-(?= |$) ?(.*)$")
_RECORD_NUMBER = re.compile(r"^\s*\d+\.?\s*$")
_FILE_TAGS = {"EF", "FN", "VR"}  # Web of Science file header and trailer, not records
_DOI_IN = re.compile(r"(10\.\d{4,9}/\S+)")
_MARKUP = re.compile(r"</?[A-Za-z][\w:.-]*(?:\s[^<>]*)?/?>")
# An AbstractText start tag, then its Label attribute looked for inside it: one pattern for both rescans
# the tag from every Label="..." when the tag never closes (quadratic).
_ABSTRACT_TEXT_TAG = re.compile(r"<(?:jats:)?AbstractText\b([^<>]*+)>", re.I)
_LABEL_ATTRIBUTE = re.compile(r"\bLabel=\"([^\"]+)\"", re.I)
_CLOSING_TAG = re.compile(r"</[A-Za-z][\w:.-]*>")
_BLOCK_END = re.compile(r"</(?:jats:)?(?:p|sec|title|AbstractText)>", re.I)

Record = list[tuple[str, list[str]]]  # (tag, value lines) in file order
_FREE_TEXT = {"TI", "T1", "T2", "ST", "CT", "AB", "N2", "N1", "AD", "KW", "JF", "JO"}


class CutRecord(list):  # type: ignore[type-arg]
    """The last record of a file that uses ``TY``/``ER``, cut off before its ``ER`` (the file ends in it)."""


def open_text(path: Path, newline: str | None = None, limits: Limits | None = None) -> TextIO:
    """The file as a text stream, decoded as ``base.decode_bytes`` would (BOMs, UTF-8, cp1252).

    Files under ``WHOLE_FILE_BYTES`` are decoded whole; larger or gzipped ones are
    streamed in an encoding chosen from their first 64 KiB, so memory stays flat.
    ``newline`` is passed on as for ``open`` (None: every line end becomes ``\\n``).
    """
    with path.open("rb") as handle:
        gzipped = handle.read(2) == b"\x1f\x8b"
    if not gzipped and path.stat().st_size <= WHOLE_FILE_BYTES:
        data = path.read_bytes()
        _check_text(data)
        return io.StringIO(decode_bytes(data, path), newline=newline)
    try:
        with gzip.open(path, "rb") if gzipped else path.open("rb") as handle:
            head = handle.read(HEAD_BYTES)
    except (OSError, EOFError) as exc:
        raise MalformedDocument(f"the compressed file cannot be read: {exc}") from None
    _check_text(head)
    # The caller closes the returned stream, and with it this handle. What it unpacks is bounded, and so
    # is a line (a gzip bomb of one endless line would otherwise become one string).
    limits = limits or Limits()
    binary = gzip.open(path, "rb") if gzipped else path.open("rb")  # noqa: SIM115
    bounded = BoundedReader(binary, "the file", limits.max_unpacked_bytes, limits.max_part_bytes, (b"\n", b"\r"),
                            "line end")
    return io.TextIOWrapper(io.BufferedReader(bounded), encoding=_encoding_of(head), errors="replace",
                            newline=newline)


def iter_lines(path: Path, limits: Limits | None = None) -> Iterator[str]:
    """The file's lines without their line ends (LF, CRLF or bare CR), read as a stream."""
    with open_text(path, limits=limits) as stream:
        try:
            for line in stream:
                yield line.rstrip("\n")
        except (OSError, EOFError) as exc:  # a gzip stream damaged part-way
            raise TruncatedDocument(f"the compressed file is damaged or ends early: {exc}") from None


def _check_text(data: bytes) -> None:
    if not data.strip():
        raise EmptyDocument("the file is empty")
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise BadEncoding("binary content where text was expected")


def _encoding_of(head: bytes) -> str:
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 3:  # not just a character cut at the end of the head
            return "cp1252"
    return "utf-8"


_HEAD_LINES = 200  # lines of a head kept for the sniffers (the most any of them reads)


def head_lines(head: bytes, count: int = 60) -> list[str]:
    """The first lines of a file head, decoded leniently, BOM dropped."""
    if count > _HEAD_LINES:
        return _decoded_lines(head, count)
    return list(_head_lines(head)[:count])


@lru_cache(maxsize=2)
def _head_lines(head: bytes) -> tuple[str, ...]:
    """The head's first lines, decoded once for every sniffer that asks (``detect_format`` asks them in turn)."""
    return tuple(_decoded_lines(head, _HEAD_LINES))


def _decoded_lines(head: bytes, count: int) -> list[str]:
    encoding = "utf-16" if head.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8"
    text = head[:16384].decode(encoding, errors="replace").lstrip("\ufeff")
    return re.split(r"\r\n|\r|\n", text, maxsplit=count)[:count]


def sniff(head: bytes, path: Path) -> float:
    """0.95 when the first tag line is ``TY  -``; less when RIS tags start later."""
    try:
        lines = head_lines(head)
        bonus = 0.03 if path.suffix.lower() == ".ris" else 0.0
        for line in lines:
            if not line.strip() or _RECORD_NUMBER.match(line):
                continue
            if line.startswith("TY  -"):
                return 0.95 + bonus
            break
        if any(line.startswith("TY  -") for line in lines):
            return 0.8 + bonus
        tags = [m.group(1) for m in map(_TAG.match, lines) if m]
        if len(tags) >= 3 and "ER" in tags:
            return 0.6 + bonus
        return 0.0
    except Exception:  # a sniffer never raises
        return 0.0


def iter_records(lines: Iterable[str]) -> Iterator[Record]:
    """Raw records, each from ``TY`` (or, in a file without TY, its first tag) to ``ER``.

    Lines that are not tags continue the tag before them. In a file that uses TY,
    tags between ``ER`` and the next ``TY`` still belong to the record before
    (Ovid writes ``NL`` there); other lines outside records are skipped.
    """
    record: Record = []
    closed = uses_ty = False
    for line in lines:
        match = _TAG.match(line.rstrip())
        if match:
            tag, value = match.group(1), match.group(2).strip()
            if tag == "TY":
                if record:
                    yield record
                record, closed, uses_ty = [(tag, [value])], False, True
            elif tag == "ER":
                if uses_ty:
                    closed = True  # yielded at the next TY, so trailing tags still join it
                elif record:
                    yield record
                    record = []
            elif tag in _FILE_TAGS and (closed or not record):
                continue
            elif record or not uses_ty:
                record.append((tag, [value]))
        elif record and not closed and line.strip():
            record[-1][1].append(line.strip())
    if record:
        yield CutRecord(record) if uses_ty and not closed else record


def read(path: Path, limits: Limits) -> Iterator[Document | RecordFailure]:
    """One document per RIS record; a record with no title and no abstract is a RecordFailure."""
    yield from read_records(
        iter_records(iter_lines(path, limits)),
        lambda record, index: (_salvage(record, path, index, limits) if isinstance(record, CutRecord)
                               else record_to_document(record, path, index, limits)),
        "no RIS records found (no 'TY  - ' or other 'XX  - ' tag lines)",
    )


def _salvage(record: CutRecord, path: Path, index: int, limits: Limits) -> Iterator[Document | RecordFailure]:
    """A record the end of the file cut off before its ``ER``: a document of its whole fields (its last field is
    left out when it is free text that does not end like a sentence), a warning, and a ``partial`` failure."""
    fields = list(record)
    lost = ""
    if fields and fields[-1][0] in _FREE_TEXT and not looks_whole(" ".join(fields[-1][1])):
        lost = f" (its last field, {fields[-1][0]}, is cut in the middle and left out)"
        fields = fields[:-1]
    document = record_to_document(fields, path, index, limits)
    if isinstance(document, RecordFailure):
        yield RecordFailure(record=f"record {index}", kind="malformed",
                            message=f"RIS record {index} is cut off before its ER line and holds no whole title or "
                                    "abstract",
                            hint="the file ends early: export it again")
        return
    document.warnings.append(f"RIS record {index} is cut off before its ER line; its whole fields were read{lost}")
    yield document
    yield partial_failure(f"record {index}",
                          f"RIS record {index} is cut off before its ER line (the file ends early); the fields "
                          f"before the cut were read{lost}",
                          "export the file again to get the rest of the record")


def record_to_document(record: Record, path: Path, index: int, limits: Limits) -> Document | RecordFailure:
    """Map one raw RIS record onto a Document."""
    fields: dict[str, list[str]] = {}
    for tag, lines in record:
        fields.setdefault(tag, []).append("\n".join(line for line in lines if line))
    title = squash(strip_markup(_first(fields, "TI", "T1", "ST", "CT")))
    abstract = strip_markup(_first(fields, "AB", "N2"))
    if not title and not abstract:
        return RecordFailure(
            record=f"record {index}",
            kind="malformed",
            message=f"RIS record {index} has neither a title (TI/T1) nor an abstract (AB/N2)",
            hint="check the export includes titles and abstracts",
        )
    return make_document(
        fmt=FORMAT,
        path=path,
        title=title or None,
        abstract=abstract or None,
        metadata=_metadata(fields),
        record_index=index,
        limits=limits,
    )


def _metadata(fields: dict[str, list[str]]) -> Metadata:
    authors = _lines(fields, "AU", "A1") or _lines(fields, "A2")
    accession = squash(_first(fields, "AN", "ID")) or None
    provider = " ".join(fields.get("DP", []) + fields.get("DB", [])).lower()
    pmid = None
    if accession and accession.isdigit() and any(name in provider for name in ("nlm", "pubmed", "medline")):
        pmid = accession
    keywords: dict[str, None] = {}
    for value in fields.get("KW", []):
        for keyword in split_keywords(value) if ("\n" in value or ";" in value) else [squash(value)]:
            if keyword:
                keywords.setdefault(keyword, None)
    extra: dict[str, object] = citation_numbers(_first(fields, "VL"), _first(fields, "IS", "CP"),
                                                _first(fields, "SP"), _first(fields, "EP"))
    if fields.get("TY"):
        extra["ris_type"] = squash(fields["TY"][0])
    if accession:
        extra["accession"] = accession
    if fields.get("N1"):
        extra["notes"] = [value for value in fields["N1"] if value.strip()]
    return Metadata(
        authors=authors,
        year=first_year(_first(fields, "PY", "Y1", "DA", "Y2")),
        journal=squash(_first(fields, "JF", "JO", "T2", "JA", "J2")) or None,
        doi=_doi(fields),
        pmid=pmid,
        publication_types=_lines(fields, "M3", "PT"),
        keywords=list(keywords),
        url=squash(_first(fields, "UR")) or None,
        language=squash(_first(fields, "LA")) or None,
        extra=extra,
    )


def _first(fields: dict[str, list[str]], *tags: str) -> str:
    for tag in tags:
        for value in fields.get(tag, []):
            if value.strip():
                return value
    return ""


def _lines(fields: dict[str, list[str]], *tags: str) -> list[str]:
    """Every non-blank line of the given tags, in order, without repeats."""
    seen: dict[str, None] = {}
    for tag in tags:
        for value in fields.get(tag, []):
            for line in value.split("\n"):
                if squash(line):
                    seen.setdefault(squash(line), None)
    return list(seen)


def _doi(fields: dict[str, list[str]]) -> str | None:
    for tag in ("DO", "DI", "L2", "UR", "M3"):
        for value in fields.get(tag, []):
            if tag not in ("DO", "DI") and "doi.org/" not in value:
                continue
            match = _DOI_IN.search(value)
            if match:
                return normalise_doi(match.group(1))
    return None


def normalise_doi(raw: str) -> str:
    """A DOI lower-case, without a resolver prefix or trailing punctuation."""
    doi = re.sub(r"^(?:https?://)?(?:dx\.)?doi\.org/|^doi:\s*", "", raw.strip(), flags=re.I)
    return doi.rstrip(".,;").lower()


def _label_heading(tag: re.Match[str]) -> str:
    """A labelled AbstractText start tag as a heading line ("\nMETHODS: "); an unlabelled one unchanged."""
    labels = _LABEL_ATTRIBUTE.findall(tag.group(1))
    return f"\n{labels[-1]}: " if labels else tag.group(0)


def strip_markup(value: str) -> str:
    """Plain text from an abstract that may hold JATS/PubMed XML markup (as Lens exports do)."""
    if not value or not _CLOSING_TAG.search(value):
        return value  # "<5 years" alone is not markup
    value = _ABSTRACT_TEXT_TAG.sub(_label_heading, value)
    value = _BLOCK_END.sub("\n", value)
    value = html.unescape(_MARKUP.sub("", value))
    return re.sub(r"(?<![ \t])[ \t]*\n\s*", "\n", value).strip()  # (?<!): linear on long runs of blanks
