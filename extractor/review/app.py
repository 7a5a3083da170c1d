"""The review app's routes: queue, record page, corrections, undo, done-and-next, agreement and consensus.

Pages are rendered on the server (Jinja2, autoescaped); ``static/review.js`` adds the
keyboard. Every write is a form POST carrying the CSRF token and is answered with a
redirect, so reloading never repeats it.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import jinja2
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from ..annotations import CONSENSUS_PREFIX, agreement, annotator_studies, annotators, settle
from ..corrections import (
    CorrectionError,
    checked_role,
    chosen_values,
    parse_value,
    record_correction,
    role_choices,
)
from ..extract.fields import names, spec_of
from ..extract.vocabulary import DESIGNS, MEASURES
from ..store import DatabaseBusy, Store
from .queue import PAGE_SIZE, QueueFilters, next_document, queue_rows
from .record import field_keys, field_names, segments, unit_views, value_of_parts
from .screening import screening_routes
from .security import GuardMiddleware, csrf_problem, new_secret, trusted_hosts, with_headers

HERE = Path(__file__).parent


class BadForm(Exception):
    """A form value the app cannot use; shown to the annotator as a 400 with the message."""


def create_app(db_path: str | Path, annotator: str, token: str | None = None, host: str | None = None) -> Starlette:
    """The review app over one database, writing corrections as ``annotator``.

    It answers to the loopback names and to ``host`` (the address it listens on) only.
    """
    if not annotator or annotator.startswith(CONSENSUS_PREFIX):
        raise ValueError(f"annotator name {annotator!r} is empty or reserved")
    local = threading.local()
    csrf = new_secret()
    hosts = trusted_hosts(host)
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True)
    environment.globals.update(field_names=field_names(), field_keys=field_keys(), designs=DESIGNS, measures=MEASURES, fields=names(),
                               single_fields={name for name in names() if not spec_of(name).multiple},
                               annotator=annotator, csrf=csrf, quote=quote, role_choices=role_choices)
    templates = Jinja2Templates(env=environment)

    def store() -> Store:
        # one connection per thread: SQLite connections may not cross threads
        if getattr(local, "store", None) is None:
            local.store = Store(db_path)
        return local.store

    def page(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
        return templates.TemplateResponse(request, name, context, status_code=status)

    def error_page(request: Request, message: str, status: int) -> Response:
        return page(request, "error.html", {"message": message, "status": status}, status)

    async def form_of(request: Request) -> dict[str, str]:
        form = await request.form()
        values = {key: value for key, value in form.items() if isinstance(value, str)}
        problem = csrf_problem(request, values.get("csrf"), csrf, hosts)
        if problem:
            raise HTTPException(403, problem)
        return values

    def integer(values: dict[str, str], key: str, required: bool = True) -> int | None:
        text = values.get(key, "").strip()
        if not text and not required:
            return None
        try:
            return int(text)
        except ValueError:
            raise BadForm(f"{key} must be a whole number, not {text[:40]!r}") from None

    def record_url(doc_id: str, filters_query: str = "", anchor: str = "") -> str:
        return f"/doc/{quote(doc_id, safe='/')}" + (f"?{filters_query}" if filters_query else "") + anchor

    # ------------------------------------------------------------ pages

    async def queue_page(request: Request) -> Response:
        filters = QueueFilters.from_params(request.query_params)
        rows, total = queue_rows(store(), filters, annotator)
        pages = max(1, -(-total // PAGE_SIZE))
        return page(request, "queue.html", {"rows": rows, "total": total, "filters": filters, "pages": pages,
                                            "filters_query": filters.query_string()})

    async def record_page(request: Request, message: str | None = None, status: int = 200) -> Response:
        doc_id = request.path_params["doc_id"]
        document = store().document(doc_id)
        if document is None:
            return error_page(request, f"{doc_id}: no such document in this database", 404)
        units = annotator_studies(store(), doc_id, {annotator})
        views = unit_views(document, units)
        history = store().correction_rows(doc_id)
        others = sorted({row["annotator"] for row in history if row["annotator"] != annotator})
        filters = QueueFilters.from_params(request.query_params)
        reviewed = annotator in store().reviewed_documents().get(doc_id, set())
        return page(request, "record.html", {
            "document": document, "units": views, "segments": segments(document.text, views), "history": history,
            "others": others, "filters_query": filters.query_string(), "reviewed": reviewed, "message": message,
            "record_url": record_url(doc_id, filters.query_string()),
        }, status)

    async def next_page(request: Request) -> Response:
        filters = QueueFilters.from_params(request.query_params)
        following = next_document(store(), filters, annotator, request.query_params.get("after", ""))
        if following is None:
            return RedirectResponse(f"/?{filters.query_string()}", status_code=303)
        return RedirectResponse(record_url(following, filters.query_string()), status_code=303)

    # ------------------------------------------------------------ writes

    async def correct(request: Request) -> Response:
        values = await form_of(request)
        doc_id = values.get("doc", "")
        request.scope["path_params"] = {"doc_id": doc_id}
        try:
            anchor = make_correction(doc_id, values)
        except (BadForm, CorrectionError) as error:
            message = error.message + f" ({error.hint})" if isinstance(error, CorrectionError) else str(error)
            return await record_page(request, message, 400)
        except DatabaseBusy as error:  # the store waited and retried; say so instead of a 500
            return await record_page(request, f"{error.message} ({error.hint})", 503)
        return RedirectResponse(record_url(doc_id, values.get("queue", ""), anchor), status_code=303)

    def make_correction(doc_id: str, values: dict[str, str]) -> str:
        if store().document(doc_id) is None:
            raise BadForm(f"{doc_id!r} is not a document in this database")
        action = values.get("action", "")
        if action not in ("accept", "edit", "reject", "add"):
            raise BadForm(f"unknown action {action[:40]!r}; use accept, edit, reject or add")
        field = values.get("field", "")
        if field not in names():
            raise BadForm(f"unknown field {field[:40]!r}; use one of {', '.join(names())}")
        study_index = integer(values, "study")
        units = annotator_studies(store(), doc_id, {annotator})
        unit = next((unit for unit in units if unit.index == study_index), None)
        if unit is None:
            raise BadForm(f"{doc_id} has no study {study_index}")
        before: Any = None
        match = None  # the value corrected, as the annotator's record holds it
        start = integer(values, "start", required=False)
        end = integer(values, "end", required=False)
        if action != "add":
            try:
                before = json.loads(values.get("before", ""))
            except (ValueError, RecursionError):  # RecursionError: thousands of nested brackets
                raise BadForm("the value to correct is missing; reload the page and try again") from None
            match = next((v for v in unit.values if v.field == field and v.chosen and v.value == before), None)
            if match is None:
                raise BadForm("that value is no longer in the record (it changed meanwhile); reload the page")
        elif not spec_of(field).multiple:
            current = [v for v in unit.values if v.field == field and v.chosen][:1]
            before, match = (current[0].value, current[0]) if current else (None, None)
        text_length = len(store().document(doc_id).text)  # type: ignore[union-attr]
        if (start is not None or end is not None) and (
                start is None or end is None or not 0 <= start < end <= text_length):
            raise BadForm(f"the evidence span {start}..{end} is not inside the text (0..{text_length})")
        # the role stays the one of the value corrected unless the annotator chose another
        role = checked_role(field, values.get("role")) or (match.role if match is not None else None)
        evidence = None
        if action == "reject":
            after = None
        elif action == "accept":
            after = before
            if start is None and match is not None and match.start is not None:
                start, end, evidence = match.start, match.end, "kept"  # accepted as it is: its evidence stays
        else:
            typed = value_of_parts(field, values)
            after = parse_value(field, values.get("value", "") if typed is None else typed, before)
            if after == before and start is None and match is not None and match.start is not None:
                start, end, evidence = match.start, match.end, "kept"  # only the role changed
        # an edited value without a selection keeps no evidence: record_correction marks it entered by hand
        record_correction(store(), doc_id, unit.index, field, before, after, annotator,
                          (values.get("reason") or "").strip()[:500] or None, start, end, role, evidence)
        return f"#f-{unit.index}-{field}"

    async def undo(request: Request) -> Response:
        values = await form_of(request)
        doc_id = values.get("doc", "")
        request.scope["path_params"] = {"doc_id": doc_id}
        try:
            chosen = integer(values, "correction", required=False)
            rows = [row for row in store().correction_rows(doc_id)
                    if row["annotator"] == annotator and row["undoes"] is None and not row["undone"]]
            if chosen is None:
                if not rows:
                    raise BadForm("nothing of yours to undo on this record")
                chosen = rows[-1]["id"]
            elif chosen not in {row["id"] for row in rows}:
                raise BadForm(f"correction {chosen} is not one of your corrections on this record that can be undone")
            store().undo_correction(chosen, annotator)
        except (BadForm, CorrectionError) as error:
            return await record_page(request, getattr(error, "message", str(error)), 400)
        except DatabaseBusy as error:
            return await record_page(request, f"{error.message} ({error.hint})", 503)
        return RedirectResponse(record_url(doc_id, values.get("queue", "")), status_code=303)

    async def done(request: Request) -> Response:
        values = await form_of(request)
        doc_id = values.get("doc", "")
        if store().document(doc_id) is None:
            return error_page(request, f"{doc_id!r} is not a document in this database", 400)
        filters = QueueFilters.from_params(_params(values.get("queue", "")))
        following = next_document(store(), filters, annotator, doc_id)  # before the mark moves it out of "todo"
        store().mark_reviewed(doc_id, annotator, "reopened" if values.get("reopen") else "done")
        if values.get("reopen"):
            return RedirectResponse(record_url(doc_id, filters.query_string()), status_code=303)
        if following is None or following == doc_id:
            return RedirectResponse(f"/?{filters.query_string()}", status_code=303)
        return RedirectResponse(record_url(following, filters.query_string()), status_code=303)

    async def agreement_page(request: Request, message: str | None = None, status: int = 200) -> Response:
        names = annotators(store())
        first = request.query_params.get("first") or (names[0] if names else "")
        second = request.query_params.get("second") or (names[1] if len(names) > 1 else "")
        result = agreement(store(), first, second) if first and second and first != second else None
        return page(request, "agreement.html", {"names": names, "first": first, "second": second, "result": result,
                                                "message": message}, status)

    async def consensus(request: Request) -> Response:
        values = await form_of(request)
        first, second = values.get("first", ""), values.get("second", "")
        back = "/agreement?" + urlencode({"first": first, "second": second})
        try:
            doc_id = values.get("doc", "")
            field = values.get("field", "")
            if field not in names():
                raise BadForm(f"unknown field {field[:40]!r}")
            study_index = integer(values, "study")
            choice = values.get("choice", "")
            if choice in ("first", "second"):
                who = first if choice == "first" else second
                units = annotator_studies(store(), doc_id, {who})
                unit = next((unit for unit in units if unit.index == study_index), None)
                if unit is None:
                    raise BadForm(f"{doc_id!r} has no study {study_index}")
                chosen = chosen_values(unit, field)
            elif choice == "custom":
                lines = [line for line in values.get("value", "").splitlines() if line.strip()]
                if not spec_of(field).multiple and len(lines) > 1:
                    raise BadForm(f"{spec_of(field).title} takes one value; type one line")
                chosen = [parse_value(field, line) for line in lines]
            else:
                raise BadForm("choose the first annotator's value, the second's, or type one")
            settle(store(), doc_id, study_index, field, chosen, annotator, [first, second])
        except (BadForm, CorrectionError) as error:
            message = error.message + f" ({error.hint})" if isinstance(error, CorrectionError) else str(error)
            request.scope["query_string"] = urlencode({"first": first, "second": second}).encode()
            return await agreement_page(Request(request.scope), message, 400)
        return RedirectResponse(back, status_code=303)

    async def http_error(request: Request, error: Exception) -> Response:
        status = getattr(error, "status_code", 500)
        detail = getattr(error, "detail", "") or "not found"
        return error_page(request, str(detail), status)

    async def server_error(request: Request, error: Exception) -> Response:
        # Starlette sends this outside every middleware, so the security headers are added here
        message = ("the review app failed on this request (a bug: the server's output has the details); "
                   "go back and try again")
        try:
            return with_headers(error_page(request, message, 500))
        except Exception:  # the page itself could not be drawn
            return with_headers(PlainTextResponse(message, status_code=500))

    routes = [
        Route("/", queue_page),
        Route("/doc/{doc_id:path}", record_page),
        Route("/next", next_page),
        Route("/correct", correct, methods=["POST"]),
        Route("/undo", undo, methods=["POST"]),
        Route("/done", done, methods=["POST"]),
        Route("/agreement", agreement_page),
        Route("/consensus", consensus, methods=["POST"]),
        *screening_routes(db_path, annotator, store, page, error_page, form_of),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    return Starlette(routes=routes, middleware=[Middleware(GuardMiddleware, hosts=hosts, token=token)],
                     exception_handlers={HTTPException: http_error, Exception: server_error})


def _params(query: str) -> dict[str, str]:
    from urllib.parse import parse_qsl

    return dict(parse_qsl(query))
