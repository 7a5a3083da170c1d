"""The review queue: documents to review, filtered and ordered in SQL so it stays quick on large stores."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from ..extract.fields import names
from ..extract.vocabulary import DESIGNS
from ..store import Store

PAGE_SIZE = 50
STATUSES = ("all", "todo", "done")
_ACTIVE = "c.undoes is null and not exists (select 1 from corrections u where u.undoes = c.id)"


@dataclass
class QueueFilters:
    """What the annotator asked the queue for; every value is checked against the allowed ones."""

    q: str = ""
    design: str = ""
    field: str = ""
    status: str = "all"
    page: int = 1

    @classmethod
    def from_params(cls, params: Any) -> QueueFilters:
        """Filters from query parameters; unknown values fall back to no filter instead of failing."""
        design = params.get("design", "")
        field = params.get("field", "")
        status = params.get("status", "all")
        try:
            page = max(1, int(params.get("page", "1")))
        except ValueError:
            page = 1
        return cls(q=params.get("q", "").strip()[:200], design=design if design in DESIGNS else "",
                   field=field if field in names() else "", status=status if status in STATUSES else "all", page=page)

    def query(self, **changes: Any) -> str:
        """These filters (with changes) as a query string, empty values left out."""
        values = {"q": self.q, "design": self.design, "field": self.field, "status": self.status, **changes}
        values = {key: value for key, value in values.items() if value not in ("", None, "all", 1)}
        return urlencode(values)


def _sql(store: Store, filters: QueueFilters, annotator: str) -> tuple[str, list[Any]]:
    # Each figure is one grouped pass over its table, joined by doc_id: correlated subqueries made
    # SQLite scan every value of a field once per document (minutes on 20,000 documents).
    field_clause = "and field = ?" if filters.field else ""
    params: list[Any] = [filters.field] if filters.field else []
    params += [annotator]
    sql = f"""
        with confidence as (select doc_id, min(confidence) as confidence from extracted_values
                            where chosen = 1 {field_clause} group by doc_id),
        machine_design as (select doc_id, json_extract(value, '$') as design, min(id) from extracted_values
                           where field = 'design' and chosen = 1 group by doc_id),
        active as (select * from corrections c where {_ACTIVE}),
        corrected_design as (select doc_id, json_extract(value_after, '$') as design, max(id) from active
                             where field = 'design' group by doc_id),
        counted as (select doc_id, count(*) as corrections from active group by doc_id),
        latest as (select doc_id, annotator, status, max(id) from reviews group by doc_id, annotator),
        mine as (select doc_id, status = 'done' as reviewed from latest where annotator = ?),
        reviewers as (select doc_id, group_concat(annotator, ', ') as reviewers from latest
                      where status = 'done' group by doc_id)
        select d.rowid as position, d.doc_id, d.title, d.format, d.year, confidence.confidence,
          case when corrected_design.doc_id is not null then corrected_design.design
               else machine_design.design end as design,
          coalesce(counted.corrections, 0) as corrections, coalesce(mine.reviewed, 0) as reviewed,
          reviewers.reviewers
        from documents d
          left join confidence on confidence.doc_id = d.doc_id
          left join machine_design on machine_design.doc_id = d.doc_id
          left join corrected_design on corrected_design.doc_id = d.doc_id
          left join counted on counted.doc_id = d.doc_id
          left join mine on mine.doc_id = d.doc_id
          left join reviewers on reviewers.doc_id = d.doc_id"""
    where: list[str] = []
    if filters.q:
        where.append("d.rowid in (select rowid from documents_fts where documents_fts match ?)")
        params.append(store.db.quote_fts(filters.q))
    outer: list[str] = []
    if filters.field:
        outer.append("confidence is not null")
    if filters.design:
        outer.append("design = ?")
        params.append(filters.design)
    if filters.status != "all":
        outer.append("reviewed = ?")
        params.append(1 if filters.status == "done" else 0)
    sql += (" where " + " and ".join(where) if where else "")
    sql = f"select * from ({sql})" + (" where " + " and ".join(outer) if outer else "")
    # lowest confidence first; documents with nothing extracted last
    sql += " order by confidence is null, confidence, position"
    return sql, params


def queue_rows(store: Store, filters: QueueFilters, annotator: str) -> tuple[list[dict[str, Any]], int]:
    """One page of the queue and the number of documents that match in all."""
    sql, params = _sql(store, filters, annotator)
    total = next(store.db.query(f"select count(*) n from ({sql})", params))["n"]
    rows = list(store.db.query(f"{sql} limit ? offset ?", [*params, PAGE_SIZE, (filters.page - 1) * PAGE_SIZE]))
    return rows, total


def next_document(store: Store, filters: QueueFilters, annotator: str, after: str) -> str | None:
    """The document that follows ``after`` in the queue (the first one when ``after`` is not in it)."""
    sql, params = _sql(store, filters, annotator)
    ids = [row["doc_id"] for row in store.db.query(f"select doc_id from ({sql})", params)]
    if after in ids:
        position = ids.index(after)
        rest = ids[position + 1 :]
        return rest[0] if rest else None
    return ids[0] if ids else None
