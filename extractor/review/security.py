"""Safety of the review app: trusted Host names, the access token, CSRF checks on every write, bounded form
bodies and strict response headers on every answer.

A page on any web site can make a browser send requests to 127.0.0.1 (and, by rebinding its own name to
127.0.0.1, read the answers as if they were its own). So the app answers only to the names it is served
under (loopback names and ``--host``), accepts writes only as small URL-encoded forms whose Origin is one
of those names on this server's port, and never reads a body it is going to refuse.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
from collections.abc import Iterable
from urllib.parse import quote, urlencode, urlsplit

from starlette.datastructures import Headers, QueryParams
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

TOKEN_COOKIE = "review_token"
TOKEN_HEADER = "x-review-token"
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")
FORM_TYPE = "application/x-www-form-urlencoded"
MAX_FORM_BYTES = 1_000_000  # the app's own forms send a few kilobytes
READ_ONLY_METHODS = ("GET", "HEAD", "OPTIONS")


def is_loopback(host: str) -> bool:
    """Whether a bind address only accepts connections from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def same(given: str | None, expected: str) -> bool:
    """Constant-time comparison of a token someone sent with the expected one."""
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


def trusted_hosts(bind_host: str | None = None) -> frozenset[str]:
    """The host names the app answers to: the loopback names, plus the address it was told to listen on."""
    names = {name.lower() for name in LOOPBACK_NAMES}
    if bind_host:
        names.add(bind_host.strip().strip("[]").lower())
    return frozenset(names)


def host_name(authority: str) -> str | None:
    """The name in a Host header (``name``, ``name:port``, ``[v6]:port``), lower case; None when malformed."""
    authority = authority.strip().lower()
    if authority.startswith("["):
        name, bracket, rest = authority[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else rest
    else:
        name, _, port = authority.partition(":")
        bracket = "]"
    if not bracket or not name or (port and not port.isdigit()):
        return None
    return name


def origin_problem(origin: str, hosts: Iterable[str], port: int | None) -> str | None:
    """Why a write's Origin header is foreign (another site, scheme or port), or None when it is this app.

    ``null`` is this app too: with ``Referrer-Policy: no-referrer`` browsers send ``Origin: null`` on their
    own form posts. The CSRF token still has to match.
    """
    if origin == "null":
        return None
    try:
        parts = urlsplit(origin)
        origin_port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    except ValueError:
        return f"a form from {origin[:100]} may not write here"
    if parts.scheme not in ("http", "https") or (parts.hostname or "") not in hosts or (
            port is not None and origin_port != port):
        return f"a form from {origin[:100]} may not write here"
    return None


def with_headers(response: Response) -> Response:
    """The response with the security headers every answer carries."""
    for key, value in HEADERS.items():
        response.headers.setdefault(key, value)
    return response


class GuardMiddleware:
    """Checked before any route runs, in this order:

    1. the Host header names this app (loopback or ``--host``), else 400, which defeats DNS rebinding;
    2. with ``--token``, the token: ``?token=`` once (moved into a cookie), the cookie or a header, else 401;
    3. a write is a URL-encoded form (multipart is refused with 415, so no upload is spooled to disk) of at
       most MAX_FORM_BYTES (413), counted as it is read whatever Content-Length says.

    Every answer, refusals included, carries the security headers.
    """

    def __init__(self, app: ASGIApp, hosts: frozenset[str], token: str | None) -> None:
        self.app = app
        self.hosts = hosts
        self.token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = Headers(raw=message.get("headers", []))
                extra = [(key.lower().encode(), value.encode()) for key, value in HEADERS.items()
                         if key not in headers]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        refusal = self.refusal(scope)
        if refusal is not None:
            await refusal(scope, receive, send_with_headers)
            return
        await self.app(scope, _bounded(receive, MAX_FORM_BYTES), send_with_headers)

    def refusal(self, scope: Scope) -> Response | None:
        """The answer to a request refused before its body is read, or None to let it through."""
        headers = Headers(scope=scope)
        name = host_name(headers.get("host", ""))
        if name is None or name not in self.hosts:
            return PlainTextResponse(
                "this review server answers only to the address `extractor review` printed "
                f"({', '.join(sorted(self.hosts))}); open that address", status_code=400)
        if self.token is not None:
            query = QueryParams(scope.get("query_string", b""))
            if same(query.get("token"), self.token):
                return _token_redirect(scope, query, self.token)
            cookie = Request(scope).cookies.get(TOKEN_COOKIE)
            if not same(cookie or headers.get(TOKEN_HEADER), self.token):
                return PlainTextResponse(
                    "this review server needs its access token: open the address `extractor review` printed "
                    "(it ends in ?token=...)", status_code=401)
        if scope["method"] not in READ_ONLY_METHODS:
            media_type = headers.get("content-type", "").partition(";")[0].strip().lower()
            if media_type != FORM_TYPE:
                return PlainTextResponse(
                    f"the review app takes only its own forms ({FORM_TYPE}), "
                    f"not {media_type[:60] or 'no body type'}",
                    status_code=415)
            length = headers.get("content-length", "0")
            if not length.isdigit() or int(length) > MAX_FORM_BYTES:
                return PlainTextResponse(f"a form may hold at most {MAX_FORM_BYTES:,} bytes", status_code=413)
        return None


def _token_redirect(scope: Scope, query: QueryParams, token: str) -> Response:
    # move the token from the address into a cookie, so it does not stay in history or links; the target
    # is a path on this site: '//evil.example/' must not become a protocol-relative address elsewhere
    raw_path = scope.get("raw_path") or scope["path"].encode()
    path = "/" + quote(raw_path.decode("latin-1"), safe="/%:@!$&'()*+,;=-._~").lstrip("/\\")
    rest = urlencode([(key, value) for key, value in query.multi_items() if key != "token"])
    response = RedirectResponse(path + (f"?{rest}" if rest else ""), status_code=303)
    response.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="strict")
    return response


def _bounded(receive: Receive, limit: int) -> Receive:
    """``receive`` that refuses (413) a body longer than ``limit`` bytes once it gets there."""
    seen = 0

    async def bounded_receive() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise HTTPException(413, f"a form may hold at most {limit:,} bytes")
        return message

    return bounded_receive


def csrf_problem(request: Request, form_token: str | None, csrf: str, hosts: Iterable[str]) -> str | None:
    """Why a write must be refused (a missing or wrong form token, a foreign origin), or None.

    The Origin is compared with the trusted host names and this server's port, never with the request's
    own Host header, which the sender chooses.
    """
    origin = request.headers.get("origin")
    if origin:
        server = request.scope.get("server")
        problem = origin_problem(origin, hosts, server[1] if server else None)
        if problem:
            return problem
    if not same(form_token, csrf):
        return "the form's security token is missing or stale; reload the page and try again"
    return None
