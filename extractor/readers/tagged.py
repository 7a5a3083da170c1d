"""Tagged citation exports: ``AUTHOR=... TITLE=... JOURNAL=... ABSTRACT=...``.

Publishers' "export citation" text files put every field on one line or on
lines of their own. A record starts again when a field it already has comes
back (or after a blank line between records). Abstracts in these exports often
lose the line break after their headings ("IntroductionThis study ..."); the
headings are split off again so each becomes a section of the canonical text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from ..types import Document, Metadata
from .base import (
    Limits,
    RecordFailure,
    TextBuilder,
    clip_span,
    first_year,
    read_text_file,
    split_keywords,
    squash,
)

FORMAT = "tagged"

KEYS = (
    "AUTHOR", "AUTHORS", "TITLE", "JOURNAL", "BOOKTITLE", "VOLUME", "NUMBER", "ISSUE", "PAGES",
    "YEAR", "MONTH", "URL", "DOI", "ISSN", "ISBN", "ABSTRACT", "KEYWORDS", "PUBLISHER", "EDITOR",
    "NOTE", "TYPE", "LANGUAGE", "PMID", "PMCID",
)  # fmt: skip
_KEY = re.compile(r"(?:^|(?<=\s))(" + "|".join(KEYS) + r")=", re.M)
_TAG_END = re.compile(r"[A-Z]=")

_GLUED_HEADING = re.compile(
    r"(?:(?<=^)|(?<=[a-z.)\]%0-9]))"
    r"(Introduction|Background|Objectives?|Aims?|Purpose|Context|Materials and [Mm]ethods|Methods?|"
    r"Results|Findings|Discussion|Conclusions?|(?:Clinical )?[Tt]rial [Rr]egistration|Registration)"
    r"(?=[A-Z0-9])"
)


def sniff(head: bytes, path: Path) -> float:
    """Two or more known ``KEY=`` tags, one of them TITLE or ABSTRACT."""
    sample = head[:8192].decode("utf-8", errors="ignore")
    if not _TAG_END.search(sample):  # every key ends in a capital before its "=": a fast test spares most files
        return 0.0
    keys = {match.group(1) for match in _KEY.finditer(sample)}
    if len(keys) >= 2 and keys & {"TITLE", "ABSTRACT"} and _KEY.match(sample.lstrip("\ufeff \n")):
        return 0.9
    return 0.0


def read(path: Path, limits: Limits) -> Iterator[Document | RecordFailure]:
    """One document per tagged record."""
    text, _ = read_text_file(path, limits)
    for index, fields in enumerate(_records(text), start=1):
        if not (fields.get("TITLE") or fields.get("ABSTRACT")):
            yield RecordFailure(
                record=f"record {index}",
                kind="malformed",
                message="the record has neither TITLE= nor ABSTRACT=",
                hint="check the export; each record needs a title or an abstract",
            )
            continue
        yield _document(fields, path, index, limits)


def _records(text: str) -> Iterator[dict[str, str]]:
    """Field dicts, splitting records when a tag repeats or at blank lines."""
    matches = list(_KEY.finditer(text))
    fields: dict[str, str] = {}
    for position, match in enumerate(matches):
        key = match.group(1)
        end = matches[position + 1].start() if position + 1 < len(matches) else len(text)
        gap = text[matches[position - 1].end() : match.start()] if position else ""
        if fields and (key in fields or re.search(r"\n\s*\n", gap[-40:] if gap else "")):
            yield fields
            fields = {}
        fields[key] = text[match.end() : end].strip()
    if fields:
        yield fields


def _document(fields: dict[str, str], path: Path, index: int, limits: Limits) -> Document:
    builder = TextBuilder()
    title = squash(fields.get("TITLE")) or None
    title_span = builder.add(title)
    abstract_span = None
    abstract = fields.get("ABSTRACT", "").strip()
    if abstract:
        before = len(builder.sections)
        for heading, body in split_glued_headings(abstract):
            builder.add_section(heading, body)
        added = builder.sections[before:]
        if added:
            abstract_span = (added[0].start, added[-1].end)
    text = builder.text()
    # (?<!\s): a split is tried from the start of a run of spaces only, not from each space in it (quadratic)
    authors = unique_authors(
        [squash(a) for a in re.split(r"(?<!\s)\s+,\s+|;\s*", fields.get("AUTHOR", fields.get("AUTHORS", ""))) if a.strip()]
    )
    metadata = Metadata(
        authors=authors,
        year=first_year(fields.get("YEAR")),
        journal=squash(fields.get("JOURNAL") or fields.get("BOOKTITLE")) or None,
        doi=(squash(fields.get("DOI")).lower().removeprefix("https://doi.org/") or None),
        pmid=squash(fields.get("PMID")) or None,
        pmcid=squash(fields.get("PMCID")) or None,
        keywords=split_keywords(fields.get("KEYWORDS")),
        url=squash(fields.get("URL")) or None,
        extra=_extra(fields),
    )
    sections = list(builder.sections)
    warnings: list[str] = []
    if len(text) > limits.max_chars:  # the record is cut, its spans with it; the file goes on
        text = text[: limits.max_chars].rstrip()
        warnings.append(f"text cut at {limits.max_chars} characters (the record is longer than the limit)")
        title_span, abstract_span = clip_span(title_span, len(text)), clip_span(abstract_span, len(text))
        title = squash(text[title_span[0] : title_span[1]]) if title_span else None
        sections = [replace(s, end=min(s.end, len(text))) for s in sections if s.start < len(text)]
    return Document(
        doc_id="",
        source_path=str(path),
        format=FORMAT,
        text=text,
        title=title,
        abstract=text[abstract_span[0] : abstract_span[1]] if abstract_span else None,
        title_span=title_span,
        abstract_span=abstract_span,
        sections=sections,
        metadata=metadata,
        record_index=index,
        warnings=warnings,
    )


def unique_authors(names: list[str]) -> list[str]:
    """Names without repeats, in first-seen order. Frontiers exports list a consortium's members after the
    authors, so an author comes twice, once with an initial fewer ("Riggs Jessica L." and "Riggs Jessica"):
    a name whose words begin the words of one already kept (or the other way round) is the same person."""
    kept: list[str] = []
    for name in names:
        words = [w.strip(".").lower() for w in name.split()]
        same = next((i for i, other in enumerate(kept)
                     if _same_person(words, [w.strip(".").lower() for w in other.split()])), None)
        if same is None:
            kept.append(name)
        elif len(name) > len(kept[same]):
            kept[same] = name  # the fuller form
    return kept


def _same_person(a: list[str], b: list[str]) -> bool:
    if not a or not b or a[0] != b[0]:
        return False
    shorter, longer = (a, b) if len(a) <= len(b) else (b, a)
    return all(x == y or (len(x) == 1 and y.startswith(x)) or (len(y) == 1 and x.startswith(y))
               for x, y in zip(shorter, longer, strict=False))


def _extra(fields: dict[str, str]) -> dict[str, object]:
    """Volume, issue and pages as numbers are written ("Volume 16 - 2025" is volume 16), ISSN and publisher."""
    extra: dict[str, object] = {k.lower(): squash(v) for k, v in fields.items() if k in {"ISSN", "PAGES", "PUBLISHER"}}
    volume = squash(fields.get("VOLUME"))
    if volume:
        number = re.match(r"^(?:vol(?:ume)?\.?\s*)?(\w+)(?:\s*[-–,]\s*(?:19|20)\d\d)?$", volume, re.I)
        extra["volume"] = number.group(1) if number else volume
    issue = squash(fields.get("NUMBER") or fields.get("ISSUE"))
    if issue:
        extra["issue"] = re.sub(r"^(?:no|issue)\.?\s*", "", issue, flags=re.I)
    return extra


def split_glued_headings(abstract: str) -> list[tuple[str | None, str]]:
    """``"IntroductionThis ...MethodUsing ..."`` -> ``[("Introduction", "This ..."), ("Method", "Using ...")]``."""
    cuts = list(_GLUED_HEADING.finditer(abstract))
    if not cuts:
        return [(None, abstract)]
    parts: list[tuple[str | None, str]] = []
    if abstract[: cuts[0].start()].strip():
        parts.append((None, abstract[: cuts[0].start()]))
    for position, cut in enumerate(cuts):
        end = cuts[position + 1].start() if position + 1 < len(cuts) else len(abstract)
        parts.append((cut.group(1), abstract[cut.end() : end]))
    return parts
