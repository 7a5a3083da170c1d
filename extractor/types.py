"""The record types every layer converts to and from.

One canonical text per document: every span anywhere in the tool is a pair of
character offsets into ``Document.text``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any

Span = tuple[int, int]


@dataclass
class Section:
    """A headed part of the document text (``Methods``, ``Results``, a slide title)."""

    heading: str
    start: int
    end: int


@dataclass
class Page:
    """A page of a PDF or a slide of a deck, as a range of the document text."""

    number: int
    start: int
    end: int
    kind: str = "page"  # "page" or "slide"


@dataclass
class Metadata:
    """Bibliographic facts a reader found outside the running text."""

    authors: list[str] = field(default_factory=list)
    year: int | None = None
    journal: str | None = None
    doi: str | None = None
    pmid: str | None = None
    pmcid: str | None = None
    publication_types: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    url: str | None = None
    language: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Identifier:
    """A DOI, PMID, PMCID or trial/review registration, with where it was found.

    ``start``/``end`` are ``None`` when the identifier came from metadata that
    is not part of the canonical text.
    """

    scheme: str  # doi, pmid, pmcid, or a registry name: nct, isrctn, prospero, ...
    value: str
    start: int | None = None
    end: int | None = None
    source: str = "rule:identifiers.v1"
    role: str = "own"  # "own": the document's; "cited": found in its reference list (another paper's)

    @property
    def is_registration(self) -> bool:
        return self.scheme not in {"doi", "pmid", "pmcid"}

    @property
    def cited(self) -> bool:
        return self.role == "cited"


@dataclass
class Document:
    """One document as read from a file: canonical text plus what the reader knew."""

    doc_id: str
    source_path: str
    format: str
    text: str
    title: str | None = None
    abstract: str | None = None
    title_span: Span | None = None
    abstract_span: Span | None = None
    sections: list[Section] = field(default_factory=list)
    pages: list[Page] = field(default_factory=list)
    metadata: Metadata = field(default_factory=Metadata)
    identifiers: list[Identifier] = field(default_factory=list)
    record_index: int | None = None  # 1-based position in a multi-record file
    record_key: str | None = None  # PMID, DOI or index used in a multi-record doc_id
    warnings: list[str] = field(default_factory=list)

    @property
    def content_hash(self) -> str:
        """A hash of everything a reader produced, so unchanged documents can be skipped."""
        payload = json.dumps(
            {
                "format": self.format,
                "text": self.text,
                "title": self.title,
                "abstract": self.abstract,
                "metadata": asdict(self.metadata),
            },
            sort_keys=True,
            ensure_ascii=False,
        )
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()

    @property
    def registrations(self) -> list[str]:
        """The document's own registry identifiers (not those of papers it cites) in first-seen order, upper
        case, without repeats."""
        seen: dict[str, None] = {}
        for identifier in self.identifiers:
            if identifier.is_registration and not identifier.cited:
                seen.setdefault(identifier.value.upper(), None)
        return list(seen)

    def span_text(self, span: Span) -> str:
        return self.text[span[0] : span[1]]


@dataclass
class ExtractedValue:
    """A candidate or chosen value for one field of one study, tied to its evidence."""

    field: str  # design, sample_size, outcome, effect, registration, ...
    value: Any  # JSON-serialisable
    start: int | None
    end: int | None
    confidence: float
    source: str  # "rule:effects.ci.v1", "model:design@2", "annotator:NAME"
    chosen: bool = False
    role: str | None = None  # e.g. randomised / analysed for a sample size
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass
class StudyUnit:
    """One study reported in a document; a single-study document has exactly one."""

    index: int
    label: str | None
    start: int
    end: int
    values: list[ExtractedValue] = field(default_factory=list)


@dataclass
class Correction:
    """An annotator's change to a value: append-only, and it outranks any machine value."""

    doc_id: str
    study_index: int
    field: str
    value_before: Any
    value_after: Any
    annotator: str
    created_at: str
    run_id: int | None = None
    model_versions: dict[str, str] = field(default_factory=dict)
    reason: str | None = None
    start: int | None = None  # evidence span of the value after, when the annotator marked one
    end: int | None = None
    role: str | None = None  # the value after's role (a count's randomised, analysed, ...), as the annotator left it
    # where the value after's evidence comes from: "selection" (the annotator's), "kept" (the tool's own evidence
    # of this same value, as when a value is accepted), "by hand" (none: the value was typed); None in corrections
    # made before it was kept
    evidence: str | None = None


@dataclass
class Failure:
    """Input that could not be read, recorded instead of stopping the batch."""

    path: str
    kind: str
    message: str
    hint: str
    record: str | None = None
    page: int | None = None

    def one_line(self) -> str:
        where = self.path
        if self.record:
            where += f" [{self.record}]"
        if self.page is not None:
            where += f" (page {self.page})"
        return f"{where}: {self.message}; {self.hint}"
