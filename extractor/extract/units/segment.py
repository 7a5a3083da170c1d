"""Study units: one per study a document reports on.

A document that summarises several studies (a slide deck of reviews, a table
of included studies, a review of reviews) introduces each one by its citation
at the start of a line: "Fukkink (2008) included 29 studies ...", or a row
that opens with "Coates et al. (2017)", or by a name like "Study A:", or a table row that links to its source. When two or more distinct citations
open lines, each starts a unit that runs to the next one; otherwise the
document is one study.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ...types import Document

# "Fukkink (2008)", "Nievar et al. (2010)", "Mortensen and MasterGeorge (2014)", "Smith & Jones, 2019"
_NAME = r"[A-Z][A-Za-z'’\-]+(?:\s(?:van|von|de|der|den|da|di|le|la)\s[A-Z][A-Za-z'’\-]+)?"
_CITATION_START = re.compile(
    rf"^[ \t•*\-]*(?P<label>{_NAME}(?:(?:\s(?:and|&)\s{_NAME})|(?:\set\sal\.?))?,?\s\(?(?:19|20)\d\d[a-z]?\)?)"
    r"(?=[\s.,:;]|$)",
    re.M,
)
# "Study A: walking groups ...", "Trial 2 - ..." opening a line (slides, evidence tables).
_NAMED_START = re.compile(
    r"^[ \t•*\-]*(?P<label>(?:Study|Trial|Review|Evaluation|Cohort)\s(?:[A-Z]|\d{1,2}))\s*[:.–—-]\s*\S", re.M
)
# A row of an evidence table that links to its source: "CBT  https://...", "Family Nurse Partnership | https://...",
# or, in text flattened from a web table, the label glued to the link ("CBThttps://..."). Identifier and
# contact lines ("DOI: https://...", "ClinicalTrials.gov https://...") are not studies.
_LINKED_ROW = re.compile(
    r"^[ \t•*\-]*(?P<label>[A-Z][A-Za-z0-9'’\-]*(?:[ ][A-Za-z0-9'’\-]+){0,4})(?:[ \t]*[|\t:][ \t]*|[ \t]*)"
    r"(?=https?://)",
    re.M,
)
_NOT_STUDY_LABELS = frozenset(
    ["doi", "pmid", "pmcid", "url", "link", "links", "website", "web", "available", "email", "e-mail", "data", "code", "source", "registration", "registry", "isrctn", "prospero", "protocol", "funding", "contact", "online", "see", "at", "from", "here"]
)
_REFERENCES = re.compile(r"^[ \t]*(?:references|bibliography|literature cited|works cited)[ \t]*:?[ \t]*$", re.I | re.M)


@dataclass(frozen=True)
class UnitRange:
    """Where one study unit's text lies, and the citation that names it."""

    label: str | None
    start: int
    end: int


def study_units(document: Document) -> list[UnitRange]:
    """The study units of a document, in document order (one unnamed unit if it reports one study)."""
    text = document.text
    limit = len(text)
    references = _REFERENCES.search(text)
    if references:
        limit = references.start()
    starts: list[tuple[int, str]] = []
    seen: set[str] = set()
    for pattern in (_CITATION_START, _NAMED_START, _LINKED_ROW):
        for match in pattern.finditer(text, 0, limit):
            label = _normalise_label(match.group("label"))
            if pattern is _LINKED_ROW and not _is_row_label(label):
                continue
            if label in seen:
                continue  # a study mentioned again belongs to the unit already open
            seen.add(label)
            starts.append((match.start("label"), label))
    starts.sort()
    if len(starts) < 2:
        return [UnitRange(None, 0, len(text))]
    units = []
    for index, (start, label) in enumerate(starts):
        end = starts[index + 1][0] if index + 1 < len(starts) else limit
        units.append(UnitRange(label, start, len(text[:end].rstrip())))
    # The last unit has no next citation to end it: stop it where the document moves on,
    # at the first paragraph break past twice the usual unit length.
    lengths = sorted(u.end - u.start for u in units[:-1])
    cap = max(1500, 2 * lengths[len(lengths) // 2])
    last = units[-1]
    if last.end - last.start > cap:
        cut = text.find("\n\n", last.start + cap, last.end)
        if cut > 0:
            units[-1] = UnitRange(last.label, last.start, cut)
    return units


def _is_row_label(label: str) -> bool:
    """A linked table row names a study or programme, not an identifier scheme or a contact line."""
    words = label.casefold().split()
    return bool(words) and words[0] not in _NOT_STUDY_LABELS and words[-1] not in _NOT_STUDY_LABELS


def _normalise_label(label: str) -> str:
    """The citation as the document writes it, with spacing tidied and brackets balanced."""
    label = re.sub(r"\s+", " ", label).strip().rstrip(",")
    if label.count("(") > label.count(")"):
        label += ")"
    return label
