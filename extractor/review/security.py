"""Safety of the review app: the access token, CSRF tokens on every write, and strict response headers."""

from __future__ import annotations

import hmac
import ipaddress
import secrets
from urllib.parse import urlencode

from starlette.datastructures import URL
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

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


class TokenMiddleware(BaseHTTPMiddleware):
    """With ``--token``, every request must carry it: ``?token=`` once (kept in a cookie), the cookie or a header."""

    def __init__(self, app: object, token: str | None) -> None:
        super().__init__(app)  # type: ignore[arg-type]
        self.token = token

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        if self.token is not None:
            in_query = request.query_params.get("token")
            if same(in_query, self.token):
                # move the token from the address into a cookie, so it does not stay in history or links
                rest = [(key, value) for key, value in request.query_params.multi_items() if key != "token"]
                target = URL(str(request.url.replace(query=urlencode(rest))))
                response: Response = RedirectResponse(str(target.path) + (f"?{target.query}" if target.query else ""),
                                                      status_code=303)
                response.set_cookie(TOKEN_COOKIE, self.token, httponly=True, samesite="strict")
                return _with_headers(response)
            given = request.cookies.get(TOKEN_COOKIE) or request.headers.get(TOKEN_HEADER)
            if not same(given, self.token):
                return _with_headers(PlainTextResponse(
                    "this review server needs its access token: open the address `extractor review` printed "
                    "(it ends in ?token=...)", status_code=401))
        return _with_headers(await call_next(request))


def _with_headers(response: Response) -> Response:
    for key, value in HEADERS.items():
        response.headers.setdefault(key, value)
    return response


def csrf_problem(request: Request, form_token: str | None, csrf: str) -> str | None:
    """Why a write must be refused (a missing or wrong form token, a foreign origin), or None."""
    origin = request.headers.get("origin")
    if origin and origin != "null":
        expected = f"{request.url.scheme}://{request.headers.get('host', '')}"
        if origin != expected:
            return f"a form from {origin} may not write here"
    if not same(form_token, csrf):
        return "the form's security token is missing or stale; reload the page and try again"
    return None
