"""The Screening page of the review app: the next paper the triage session ranks first, and its decision.

``GET /screen`` shows the likeliest include not yet decided (title, year, journal,
abstract, design, sample size, outcomes, effects, criteria matches) with include /
exclude / maybe buttons and a reason box; ``POST /screen/decide`` appends the decision
through ``Session.decide`` as the app's annotator and answers with a redirect to the
next paper. Skipped papers travel in the address (``?skip=ID``), so skipping writes
nothing. ``?show=ID`` shows a paper already decided (the page links the last
decision so), to change a slip: the new decision is appended and replaces it, and
the decision history keeps both. A database without ``triage init`` gets a page
saying which command to run.
"""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ..errors import ExtractorError
from ..store import Store
from ..store_triage import DECISIONS

REASON_LIMIT = 500
SKIP_LIMIT = 200  # skipped papers kept in the address; older skips are forgotten

Page = Callable[[Request, str, dict[str, Any], int], Response]
ErrorPage = Callable[[Request, str, int], Response]
FormOf = Callable[[Request], Awaitable[dict[str, str]]]


@dataclass
class PaperView:
    """One paper as the Screening page shows it."""

    doc_id: str
    title: str
    year: int | None
    journal: str | None
    abstract: str
    design: str | None
    sample_size: int | None
    outcomes: list[str]
    effects: list[str]
    outcome_matches: list[str]
    population_matches: list[str]
    score: float
    ranked_by: str


def paper_view(session: Any, candidate: Any) -> PaperView:
    """What the page shows of a ranked candidate (the journal comes from the stored document)."""
    document = session.tstore.store.document(candidate.doc_id)
    journal = document.metadata.journal if document is not None else None
    evidence, verdict = candidate.evidence, candidate.verdict
    return PaperView(
        doc_id=candidate.doc_id,
        title=candidate.title or candidate.doc_id,
        year=candidate.year,
        journal=journal,
        abstract=candidate.abstract or "",
        design=evidence.design,
        sample_size=evidence.sample_size,
        outcomes=list(evidence.outcomes),
        effects=list(candidate.effects),
        outcome_matches=list(verdict.outcome_matches),
        population_matches=list(verdict.population_matches),
        score=candidate.score,
        ranked_by=session.settings_name() if session.ranker.fitted else "criteria only",
    )


def skipped_of(values: list[str]) -> list[str]:
    """The skipped ids, in order, without repeats, the latest SKIP_LIMIT only."""
    return list(dict.fromkeys(value for value in values if value))[-SKIP_LIMIT:]


def screen_query(skipped: list[str], **extra: str) -> str:
    return urlencode([*(("skip", doc_id) for doc_id in skipped), *extra.items()])


def initialised(store: Store) -> bool:
    """Whether ``triage init`` has set criteria on this database (checked without creating any table)."""
    return store.triage_initialised()


class Sessions:
    """One triage session per thread, rebuilt when the database changed under it (another process decided,
    merged, extracted or set new criteria), kept across requests otherwise: building one fits TF-IDF on every
    record."""

    def __init__(self, db_path: str | Path):
        self.db_path = db_path
        self.local = threading.local()

    def _state(self, session: Any) -> tuple[Any, ...]:
        return session.tstore.change_marker()

    def get(self) -> Any:
        from ..store_triage import TriageStore
        from ..triage.session import Session

        session = getattr(self.local, "session", None)
        if session is not None and self._state(session) == self.local.state:
            return session
        if session is not None:
            session.tstore.close()
        session = Session(TriageStore(self.db_path))
        self.local.session, self.local.state = session, self._state(session)
        return session

    def decided(self, session: Any) -> None:
        """After this session appended a decision itself: it is up to date, keep it."""
        self.local.state = self._state(session)


def screening_routes(
    db_path: str | Path,
    annotator: str,
    store: Callable[[], Store],
    page: Page,
    error_page: ErrorPage,
    form_of: FormOf,
) -> list[Route]:
    """The Screening routes, sharing the app's page rendering and CSRF-checked forms."""
    sessions = Sessions(db_path)

    def session_or_page(request: Request) -> Any:
        if not initialised(store()):
            return page(request, "screen.html", {"uninitialised": True, "db_path": str(db_path)}, 200)
        try:
            return sessions.get()
        except ExtractorError as error:
            return error_page(request, f"{error.message}; {error.hint}", 500)

    async def screen_page(request: Request) -> Response:
        session = session_or_page(request)
        if isinstance(session, Response):
            return session
        skipped = skipped_of(request.query_params.getlist("skip"))
        aside = set(skipped)
        ranked = session.ranked()
        again = request.query_params.get("show", "")
        if again in session.rows and again in session.decisions:  # a decided paper, to decide again
            shown = session.candidates[session.rows[again]]
        else:
            again = ""
            shown = next((candidate for candidate in ranked if candidate.doc_id not in aside), None)
        counts = session.progress()
        counts["screened"] = counts["include"] + counts["exclude"] + counts["maybe"]
        last = request.query_params.get("last", "")
        last_decision = request.query_params.get("decided", "")
        return page(
            request,
            "screen.html",
            {
                "uninitialised": False,
                "paper": paper_view(session, shown) if shown else None,
                "counts": counts,
                "skipped": skipped,
                "skipped_left": sum(c.doc_id in aside for c in ranked),
                "skip_query": screen_query(skipped + [shown.doc_id]) if shown else "",
                "keep_query": screen_query(skipped),
                "last": last if last_decision in DECISIONS else "",
                "last_decision": last_decision,
                "change_query": screen_query(skipped, show=last),
                "decided_before": session.decisions.get(again) if again else None,
            },
            200,
        )

    async def decide(request: Request) -> Response:
        values = await form_of(request)
        session = session_or_page(request)
        if isinstance(session, Response):
            return session
        doc_id = values.get("doc", "")
        decision = values.get("decision", "")
        if decision not in DECISIONS:
            return error_page(
                request, f"unknown decision {decision[:40]!r}; use include, exclude or maybe", 400
            )
        if doc_id not in session.rows:
            return error_page(
                request,
                f"{doc_id[:200]!r} is not a record to screen in this database "
                "(unknown, or merged into another record)",
                400,
            )
        reason = (values.get("reason") or "").strip()[:REASON_LIMIT] or None
        session.decide(doc_id, decision, annotator, reason)
        sessions.decided(session)
        skipped = [skip for skip in skipped_of(values.get("skip", "").split("\n")) if skip != doc_id]
        return RedirectResponse(
            "/screen?" + screen_query(skipped, last=doc_id, decided=decision), status_code=303
        )

    return [Route("/screen", screen_page), Route("/screen/decide", decide, methods=["POST"])]
