"""PubMed MEDLINE text and .nbib exports (``PMID- 123``, padded 4-character tags, indented continuations)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..identifiers import find_registrations
from ..types import Document, Metadata
from .base import Limits, RecordFailure, first_year, make_document, read_records, squash
from .ris import head_lines, iter_lines, normalise_doi

FORMAT = "medline"

_TAG = re.compile(r"^([A-Z][A-Z0-9]{1,3}) *- ?(.*)$")
_PMID_LINE = re.compile(r"^PMID- ?\d")

Record = dict[str, list[str]]  # tag -> values (continuations joined), in file order


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


def iter_records(lines: Iterable[str]) -> Iterator[Record]:
    """Raw records: a record starts at ``PMID-`` or at the first tag after a blank line."""
    record: Record = {}
    last: list[str] | None = None
    wrapped: list[str] = []  # continuation lines of last[-1], joined once (joining line by line is quadratic)

    def join_wrapped() -> None:
        if last and wrapped:
            last[-1] = " ".join([last[-1], *wrapped]).strip()  # wrapped lines: joined with a space
            wrapped.clear()

    after_blank = True
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
                yield record
                record = {}
            last = record.setdefault(tag, [])
            last.append(value)
        elif last is not None and record:
            wrapped.append(line.strip())
        after_blank = False
    join_wrapped()
    if record:
        yield record


def read(path: Path, limits: Limits) -> Iterator[Document | RecordFailure]:
    """One document per MEDLINE record; a record with no title and no abstract is a RecordFailure."""
    yield from read_records(
        iter_records(iter_lines(path, limits)),
        lambda record, index: record_to_document(record, path, index, limits),
        "no MEDLINE records found (no 'PMID- ' or 'XXXX- ' tag lines)",
    )


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
    extra: dict[str, object] = {}
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
