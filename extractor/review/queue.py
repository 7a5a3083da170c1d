"""The review queue: documents to review, filtered and ordered by the store (in SQL, so it stays quick on large
stores)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from ..extract.fields import names
from ..extract.vocabulary import DESIGNS
from ..store import Store

PAGE_SIZE = 50
LAST_PAGE = 10**9  # far past any queue; a bigger page number would overflow SQLite's OFFSET
STATUSES = ("all", "todo", "done")


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
            page = min(LAST_PAGE, max(1, int(params.get("page", "1"))))
        except ValueError:
            page = 1
        return cls(q=params.get("q", "").strip()[:200], design=design if design in DESIGNS else "",
                   field=field if field in names() else "", status=status if status in STATUSES else "all", page=page)

    def query_string(self, **changes: Any) -> str:
        """These filters (with changes) as a query string, empty values left out."""
        values = {"q": self.q, "design": self.design, "field": self.field, "status": self.status, **changes}
        values = {key: value for key, value in values.items() if value not in ("", None, "all", 1)}
        return urlencode(values)


def _filters(filters: QueueFilters) -> dict[str, Any]:
    """The filters as the store's review-queue arguments."""
    reviewed = None if filters.status == "all" else filters.status == "done"
    return {"q": filters.q, "design": filters.design, "field": filters.field, "reviewed": reviewed}


def queue_rows(store: Store, filters: QueueFilters, annotator: str) -> tuple[list[dict[str, Any]], int]:
    """One page of the queue and the number of documents that match in all."""
    return store.review_queue_page(annotator, **_filters(filters), limit=PAGE_SIZE,
                                   offset=(filters.page - 1) * PAGE_SIZE)


def next_document(store: Store, filters: QueueFilters, annotator: str, after: str) -> str | None:
    """The document that follows ``after`` in the queue (the first one when ``after`` is not in it)."""
    ids = store.review_queue_doc_ids(annotator, **_filters(filters))
    if after in ids:
        position = ids.index(after)
        rest = ids[position + 1 :]
        return rest[0] if rest else None
    return ids[0] if ids else None
