"""PubMed MEDLINE text and .nbib exports (``PMID- 123``, padded 4-character tags, indented continuations)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..identifiers import find_registrations
from ..types import Document, Metadata
from .base import (
    Limits,
    RecordFailure,
    citation_numbers,
    first_year,
    looks_whole,
    make_document,
    partial_failure,
    read_records,
    squash,
)
from .ris import head_lines, iter_lines, normalise_doi

FORMAT = "medline"

_TAG = re.compile(r"^([A-Z][A-Z0-9]{1,3}) *- ?(.*)$")
_PMID_LINE = re.compile(r"^PMID- ?\d")

Record = dict[str, list[str]]  # tag -> values (continuations joined), in file order
_FREE_TEXT = {"TI", "BTI", "TT", "AB", "AD", "OT", "MH", "GR", "CI", "CN", "FAU", "AU"}


class CutRecord(dict):  # type: ignore[type-arg]
    """The last record of a file cut off before its ``SO`` line (every PubMed record ends with one)."""

    last_tag = ""


def sniff(head: bytes, path: Path) -> float:
    """0.95 when the first non-blank line is ``PMID- <digits>``; 0.8 when such a line comes later."""
    try:
        lines = head_lines(head)
        bonus = 0.03 if path.suffix.lower() in (".nbib", ".medline") else 0.0
        first = next((line for line in lines if line.strip()), "")
        if _PMID_LINE.match(first):
            return 0.95 + bonus
        if any(_PMID_LINE.match(line) for line in lines):
            return 0.8 + bonus
        return 0.0
    except Exception:  # a sniffer never raises
        return 0.0


def iter_records(lines: Iterable[str], ends_cleanly: bool = True) -> Iterator[Record]:
    """Raw records: a record starts at ``PMID-`` or at the first tag after a blank line. The last one is a
    ``CutRecord`` when it has no ``SO`` line though the records before it had one, or though the file does not
    end with a line end (``ends_cleanly`` False): the file was cut in it."""
    record: Record = {}
    last: list[str] | None = None
    wrapped: list[str] = []  # continuation lines of last[-1], joined once (joining line by line is quadratic)

    def join_wrapped() -> None:
        if last and wrapped:
            last[-1] = " ".join([last[-1], *wrapped]).strip()  # wrapped lines: joined with a space
            wrapped.clear()

    after_blank = True
    last_tag = ""
    seen_source = False
    for raw in lines:
        line = raw.rstrip()
        if not line:
            after_blank = True
            continue
        match = None if line[:1].isspace() else _TAG.match(line)
        if match:
            join_wrapped()
            tag, value = match.group(1), match.group(2).strip()
            if record and (tag == "PMID" or after_blank):
                seen_source = seen_source or "SO" in record
                yield record
                record = {}
            last = record.setdefault(tag, [])
            last_tag = tag
            last.append(value)
        elif last is not None and record:
            wrapped.append(line.strip())
        after_blank = False
    join_wrapped()
    if record and "SO" not in record and (seen_source or not ends_cleanly):
        cut = CutRecord(record)
        cut.last_tag = last_tag
        yield cut
    elif record:
        yield record


def read(path: Path, limits: Limits) -> Iterator[Document | RecordFailure]:
    """One document per MEDLINE record; a record with no title and no abstract is a RecordFailure."""
    yield from read_records(
        iter_records(iter_lines(path, limits), _ends_with_line_end(path)),
        lambda record, index: (_salvage(record, path, index, limits) if isinstance(record, CutRecord)
                               else record_to_document(record, path, index, limits)),
        "no MEDLINE records found (no 'PMID- ' or 'XXXX- ' tag lines)",
    )


def _ends_with_line_end(path: Path) -> bool:
    """Whether the file's last byte is a line end (a gzip file is taken to end cleanly: its stream says)."""
    with path.open("rb") as handle:
        if handle.read(2) == b"\x1f\x8b":
            return True
        handle.seek(0, 2)
        size = handle.tell()
        handle.seek(max(0, size - 1))
        return handle.read(1) in (b"\n", b"\r")


def _salvage(record: CutRecord, path: Path, index: int, limits: Limits) -> Iterator[Document | RecordFailure]:
    """A record the end of the file cut off: a document of its whole fields (its last field left out when it is
    free text that does not end like a sentence), a warning, and a ``partial`` failure."""
    fields: Record = {tag: list(values) for tag, values in record.items()}
    lost = ""
    tag = record.last_tag
    if tag in _FREE_TEXT and fields.get(tag) and not looks_whole(fields[tag][-1]):
        lost = f" (its last field, {tag}, is cut in the middle and left out)"
        fields[tag] = fields[tag][:-1]
        if not fields[tag]:
            del fields[tag]
    pmid = _first(fields, "PMID")
    name = f"record {index}" + (f" (PMID {pmid})" if pmid else "")
    document = record_to_document(fields, path, index, limits)
    if isinstance(document, RecordFailure):
        yield RecordFailure(record=name, kind="malformed",
                            message=f"MEDLINE record {index} is cut off (the file ends early) and holds no whole "
                                    "title or abstract",
                            hint="the file ends early: export it again")
        return
    document.warnings.append(f"MEDLINE record {index} is cut off before its SO line; its whole fields were read{lost}")
    yield document
    yield partial_failure(name, f"MEDLINE record {index} is cut off before its SO line (the file ends early); the "
                                f"fields before the cut were read{lost}",
                          "export the file again to get the rest of the record")


def record_to_document(record: Record, path: Path, index: int, limits: Limits) -> Document | RecordFailure:
    """Map one raw MEDLINE record onto a Document."""
    title = squash(_first(record, "TI", "BTI", "TT"))
    abstract = _first(record, "AB")
    if not title and not abstract:
        pmid = _first(record, "PMID")
        return RecordFailure(
            record=f"record {index}" + (f" (PMID {pmid})" if pmid else ""),
            kind="malformed",
            message=f"MEDLINE record {index} has neither a title (TI) nor an abstract (AB)",
            hint="check the export includes titles and abstracts",
        )
    return make_document(
        fmt=FORMAT,
        path=path,
        title=title or None,
        abstract=abstract or None,
        metadata=_metadata(record),
        record_index=index,
        limits=limits,
    )


def _metadata(record: Record) -> Metadata:
    pmid = re.sub(r"\D", "", _first(record, "PMID")) or None
    pmcid = _first(record, "PMC").strip().upper() or None
    registrations = [value for value in record.get("SI", []) if find_registrations(value)]
    extra: dict[str, object] = citation_numbers(_first(record, "VI"), _first(record, "IP"), _first(record, "PG"))
    if registrations:
        extra["registrations"] = registrations
    if record.get("STAT"):
        extra["status"] = record["STAT"][0]
    return Metadata(
        authors=_unique(record.get("FAU") or record.get("AU") or record.get("CN") or []),
        year=first_year(_first(record, "DP", "DEP", "DA", "EDAT")),
        journal=squash(_first(record, "JT", "TA")) or None,
        doi=_doi(record),
        pmid=pmid,
        pmcid=pmcid if pmcid and pmcid.startswith("PMC") else None,
        publication_types=_unique(record.get("PT", [])),
        keywords=_unique(record.get("MH", []) + record.get("OT", [])),
        language=_first(record, "LA") or None,
        extra=extra,
    )


def _first(record: Record, *tags: str) -> str:
    for tag in tags:
        for value in record.get(tag, []):
            if value.strip():
                return value
    return ""


def _unique(values: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for value in values:
        if squash(value):
            seen.setdefault(squash(value), None)
    return list(seen)


def _doi(record: Record) -> str | None:
    for tag in ("LID", "AID"):
        for value in record.get(tag, []):
            if value.rstrip().endswith("[doi]"):
                return normalise_doi(value.rstrip()[: -len("[doi]")])
    return None
