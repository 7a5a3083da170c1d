"""The review queue: documents to review, filtered and ordered in SQL so it stays quick on large stores."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from ..corrections import DESIGNS, FIELDS
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
                   field=field if field in FIELDS else "", status=status if status in STATUSES else "all", page=page)

    def query(self, **changes: Any) -> str:
        """These filters (with changes) as a query string, empty values left out."""
        values = {"q": self.q, "design": self.design, "field": self.field, "status": self.status, **changes}
        values = {key: value for key, value in values.items() if value not in ("", None, "all", 1)}
        return urlencode(values)


def _sql(store: Store, filters: QueueFilters, annotator: str) -> tuple[str, list[Any]]:
    field_clause = "and v.field = ?" if filters.field else ""
    params: list[Any] = [filters.field] if filters.field else []
    params += [annotator]
    sql = f"""
        select d.rowid as position, d.doc_id, d.title, d.format, d.year,
          (select min(v.confidence) from extracted_values v
           where v.doc_id = d.doc_id and v.chosen = 1 {field_clause}) as confidence,
          case when exists (select 1 from corrections c where c.doc_id = d.doc_id and c.field = 'design' and {_ACTIVE})
               then (select json_extract(c.value_after, '$') from corrections c
                     where c.doc_id = d.doc_id and c.field = 'design' and {_ACTIVE} order by c.id desc limit 1)
               else (select json_extract(v.value, '$') from extracted_values v
                     where v.doc_id = d.doc_id and v.field = 'design' and v.chosen = 1 order by v.id limit 1)
          end as design,
          (select count(*) from corrections c where c.doc_id = d.doc_id and {_ACTIVE}) as corrections,
          coalesce((select r.status = 'done' from reviews r where r.doc_id = d.doc_id and r.annotator = ?
                    order by r.id desc limit 1), 0) as reviewed,
          (select group_concat(annotator, ', ') from (select distinct r.annotator from reviews r
           where r.doc_id = d.doc_id and r.status = 'done')) as reviewers
        from documents d"""
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
