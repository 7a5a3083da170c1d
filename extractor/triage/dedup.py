"""Duplicates: one paper's records from several sources folded into one before screening.

Rules, strongest first: the same DOI, the same PMID, or titles alike at or above a
rapidfuzz ratio threshold with the same year (or one year apart, or a year missing).
Two records with different DOIs or PMIDs are never merged on their titles. The record
kept is the fullest one (abstract, DOI, PMID, then the earliest stored). Merges are
recorded in ``triage_merges`` and undone by ``TriageStore.unmerge``.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..store import Store

TITLE_THRESHOLD = 95.0
MIN_TITLE_CHARS = 20  # shorter titles ("Editorial", "Reply") match too easily


@dataclass(frozen=True)
class DedupRecord:
    """What deduplication looks at in a record."""

    doc_id: str
    title: str | None
    year: int | None = None
    doi: str | None = None
    pmid: str | None = None
    abstract_chars: int = 0
    order: int = 0


@dataclass(frozen=True)
class ProposedMerge:
    """Fold ``merged`` into ``kept`` because of ``rule`` (doi, pmid, title+year) at ``score``."""

    kept: str
    merged: str
    rule: str
    score: float


def normalise_title(title: str | None) -> str:
    """A title compared: accents dropped, lower case, letters and digits only, single spaces."""
    text = unicodedata.normalize("NFKD", title or "")
    text = "".join(char for char in text if not unicodedata.combining(char)).lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def _conflict(a: DedupRecord, b: DedupRecord) -> bool:
    """Records that name different DOIs or PMIDs are different papers."""
    return bool((a.doi and b.doi and a.doi.lower() != b.doi.lower()) or (a.pmid and b.pmid and a.pmid != b.pmid))


def _fullness(record: DedupRecord) -> tuple[int, int, int, int]:
    return (record.abstract_chars > 0, bool(record.doi), bool(record.pmid), -record.order)


def find_duplicates(records: Iterable[DedupRecord], threshold: float = TITLE_THRESHOLD) -> list[ProposedMerge]:
    """Merges to make, each group folded into its fullest record."""
    from rapidfuzz import fuzz, process

    records = list(records)
    parent = list(range(len(records)))
    why: dict[int, tuple[str, float]] = {}

    def find(index: int) -> int:
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    def union(a: int, b: int, rule: str, score: float) -> None:
        if _conflict(records[a], records[b]):
            return
        root_a, root_b = find(a), find(b)
        if root_a != root_b:
            parent[root_b] = root_a
            why.setdefault(b, (rule, score))
            why.setdefault(a, (rule, score))

    for key, rule in ((lambda r: r.doi.lower() if r.doi else None, "doi"), (lambda r: r.pmid, "pmid")):
        first: dict[str, int] = {}
        for index, record in enumerate(records):
            value = key(record)
            if value:
                if value in first:
                    union(first[value], index, rule, 100.0)
                else:
                    first[value] = index
    titles = [normalise_title(record.title) for record in records]
    by_year: dict[int | None, list[int]] = defaultdict(list)
    for index, record in enumerate(records):
        if len(titles[index]) >= MIN_TITLE_CHARS:
            by_year[record.year].append(index)
    years = sorted(year for year in by_year if year is not None)
    blocks = [(by_year[year], by_year[year] + by_year.get(year + 1, [])) for year in years]
    if by_year.get(None):
        every = [index for indexes in by_year.values() for index in indexes]
        blocks.append((by_year[None], every))
    for queries, choices in blocks:
        scores = process.cdist([titles[i] for i in queries], [titles[j] for j in choices], scorer=fuzz.ratio,
                               score_cutoff=threshold)
        for row, column in zip(*scores.nonzero(), strict=True):
            a, b = queries[int(row)], choices[int(column)]
            if a != b:
                union(a, b, "title+year", float(scores[row, column]))
    groups: dict[int, list[int]] = defaultdict(list)
    for index in range(len(records)):
        groups[find(index)].append(index)
    merges: list[ProposedMerge] = []
    for members in groups.values():
        if len(members) < 2:
            continue
        kept = max(members, key=lambda index: _fullness(records[index]))
        for index in sorted(members):
            if index != kept:
                rule, score = why.get(index, why.get(kept, ("title+year", threshold)))
                merges.append(ProposedMerge(records[kept].doc_id, records[index].doc_id, rule, score))
    return merges


def stored_records(store: Store, exclude: set[str] | None = None) -> list[DedupRecord]:
    """Dedup records of the stored documents, minus ``exclude``."""
    exclude = exclude or set()
    rows = store.dedup_rows()
    return [DedupRecord(row["doc_id"], row["title"], row["year"], row["doi"], row["pmid"], row["chars"], order)
            for order, row in enumerate(rows) if row["doc_id"] not in exclude]
