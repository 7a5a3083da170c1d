"""The review app against a hostile web page or client: DNS rebinding, foreign origins, an open redirect,
uploads, oversized forms and inputs that used to end in a 500 (issue 16)."""

from __future__ import annotations

import asyncio
import re
import sqlite3
import subprocess
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

with warnings.catch_warnings():  # starlette asks for httpx2, which is not a dependency
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from conftest import CORPUS
from extractor.cli import cli
from extractor.review.app import create_app
from extractor.review.security import MAX_FORM_BYTES, host_name, trusted_hosts
from extractor.store import Store

PAGE = "example_pubmed_page"
SIZE = '{"n": 240, "unit": "mothers"}'
SECURITY_HEADERS = ("content-security-policy", "x-content-type-options", "x-frame-options")


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("security") / "r.db"
    result = CliRunner().invoke(cli, ["extract", str(CORPUS / f"{PAGE}.txt"), "--db", str(path), "-q"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return path


@pytest.fixture
def db(extracted: Path, tmp_path: Path) -> Path:
    target = tmp_path / "x.db"
    with sqlite3.connect(extracted) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return target


def client_at(app: object, host: str = "127.0.0.1", **options: object) -> TestClient:
    return TestClient(app, base_url=f"http://{host}", **options)


@pytest.fixture
def client(db: Path) -> TestClient:
    return client_at(create_app(db, "ana"))


def csrf_of(client: TestClient) -> str:
    return re.search(r'name="csrf" content="([^"]+)"', client.get("/").text).group(1)


def edit_form(client: TestClient, value: str = "241") -> dict[str, str]:
    return {"csrf": csrf_of(client), "doc": PAGE, "study": "0", "field": "sample_size", "action": "edit",
            "before": SIZE, "value": value}


def corrections(db: Path) -> int:
    return Store(db).db["corrections"].count


def call(app: object, method: str, path: str, headers: dict[str, str], chunks: Iterator[bytes] | None = None,
         ) -> tuple[int, dict[str, str], int]:
    """Call the ASGI app directly: (status, response headers, body messages the app asked for)."""
    asked = 0
    chunks = chunks or iter([b""])
    sent: list[dict] = []

    async def receive() -> dict:
        nonlocal asked
        asked += 1
        chunk = next(chunks, None)
        return {"type": "http.request", "body": chunk or b"", "more_body": chunk is not None}

    async def send(message: dict) -> None:
        sent.append(message)

    raw_path, _, query = path.partition("?")
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
             "scheme": "http",
             "path": raw_path, "raw_path": raw_path.encode(), "query_string": query.encode(), "root_path": "",
             "headers": [(key.lower().encode(), value.encode()) for key, value in headers.items()],
             "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8123)}
    asyncio.run(app(scope, receive, send))  # type: ignore[operator]
    start = next(message for message in sent if message["type"] == "http.response.start")
    return start["status"], {k.decode(): v.decode() for k, v in start["headers"]}, asked


# ---------------------------------------------------------------- DNS rebinding


@pytest.mark.parametrize("host", ["evil.example:8123", "evil.example", "127.0.0.1.evil.example:8123",
                                  "localhost.evil.example", "[::1]x", "127.0.0.1:port", ""])
def test_dns_rebinding_a_foreign_host_is_refused_for_reads_and_writes(client: TestClient, db: Path,
                                                                       host: str) -> None:
    form = edit_form(client)  # the token a rebinding page would have read from the queue page
    page = client.get("/", headers={"host": host})
    assert page.status_code == 400 and 'name="csrf"' not in page.text
    write = client.post("/correct", data=form, headers={"host": host, "origin": f"http://{host}"})
    assert write.status_code == 400 and corrections(db) == 0
    assert all(name in page.headers for name in SECURITY_HEADERS)


@pytest.mark.parametrize(("bind", "host", "status"), [
    (None, "127.0.0.1:8123", 200), (None, "localhost:8123", 200), (None, "LOCALHOST", 200),
    (None, "[::1]:8123", 200), (None, "192.168.1.5:8123", 400),
    ("192.168.1.5", "192.168.1.5:8123", 200), ("review.lab.example", "review.lab.example:8123", 200),
    ("0.0.0.0", "0.0.0.0:8123", 200), ("0.0.0.0", "192.168.1.5:8123", 400),
])
def test_the_app_answers_to_loopback_names_and_its_bind_address(db: Path, bind: str | None, host: str,
                                                                  status: int) -> None:
    assert client_at(create_app(db, "ana", host=bind)).get("/", headers={"host": host}).status_code == status


@pytest.mark.parametrize(("authority", "name"), [
    ("127.0.0.1:80", "127.0.0.1"), ("LocalHost", "localhost"), ("[::1]:8080", "::1"), ("[::1]", "::1"),
    ("evil.example:80", "evil.example"), ("evil:port", None), ("[::1", None), (":80", None), ("", None),
])
def test_host_names_are_read_from_the_host_header(authority: str, name: str | None) -> None:
    assert host_name(authority) == name


def test_the_trusted_names_are_loopback_plus_the_bind_address() -> None:
    assert trusted_hosts() == {"127.0.0.1", "localhost", "::1"}
    assert trusted_hosts("[FE80::1]") == {"127.0.0.1", "localhost", "::1", "fe80::1"}


@pytest.mark.parametrize(("host", "origin", "status"), [
    ("127.0.0.1", None, 303),
    ("127.0.0.1", "http://127.0.0.1", 303),
    ("127.0.0.1", "http://localhost", 303),  # another name of this server
    ("localhost", "http://127.0.0.1:80", 303),
    ("127.0.0.1", "null", 303),  # what browsers send on our own posts under Referrer-Policy: no-referrer
    ("127.0.0.1", "http://evil.example", 403),
    ("127.0.0.1", "http://127.0.0.1:8000", 403),  # another server on this machine
    ("127.0.0.1", "https://127.0.0.1", 403),
    ("127.0.0.1", "file://", 403),
    ("127.0.0.1", "http://[not an address", 403),
])
def test_the_origin_of_a_write_is_checked_against_the_trusted_names_and_port(
        db: Path, host: str, origin: str | None, status: int) -> None:
    client = client_at(create_app(db, "ana"), host)
    headers = {"origin": origin} if origin else {}
    response = client.post("/correct", data=edit_form(client), headers=headers, follow_redirects=False)
    assert response.status_code == status
    assert corrections(db) == (1 if status == 303 else 0)


# ---------------------------------------------------------------- open redirect


@pytest.mark.parametrize(("path", "location"), [
    ("//evil.example/", "/evil.example/"),
    ("///evil.example/x", "/evil.example/x"),
    ("/\\evil.example/", "/%5Cevil.example/"),
    ("/doc/a%2Fb", "/doc/a%2Fb"),
    ("/", "/"),
])
def test_the_token_redirect_never_leaves_the_site(db: Path, path: str, location: str) -> None:
    app = create_app(db, "ana", token="T")
    status, headers, _ = call(app, "GET", f"{path}?token=T&q=x", {"host": "127.0.0.1:8123"})
    assert status == 303 and headers["location"] == f"{location}?q=x"
    assert "review_token=T" in headers["set-cookie"]


# ---------------------------------------------------------------- uploads and body size


@pytest.mark.parametrize(("content_type", "length", "status"), [
    ("multipart/form-data; boundary=x", "300000000", 415),
    ("multipart/form-data; boundary=x", None, 415),
    ("text/plain", "10", 415),
    ("application/json", "10", 415),
    (None, "10", 415),
    ("application/x-www-form-urlencoded", str(MAX_FORM_BYTES + 1), 413),
    ("application/x-www-form-urlencoded", "-1", 413),
])
def test_uploads_and_oversized_forms_are_refused_before_the_body_is_read(
        db: Path, content_type: str | None, length: str | None, status: int) -> None:
    headers = {"host": "127.0.0.1:8123"}
    if content_type:
        headers["content-type"] = content_type
    if length:
        headers["content-length"] = length
    for path in ("/correct", "/undo", "/done", "/consensus", "/screen/decide"):
        got, response_headers, asked = call(create_app(db, "ana"), "POST", path, headers,
                                            iter([b"x" * 65536] * 5000))
        assert (got, asked) == (status, 0), path
        assert all(name in response_headers for name in SECURITY_HEADERS)


def test_a_form_streamed_past_the_limit_is_cut_off(db: Path) -> None:
    # no Content-Length (chunked): the limit is counted as the body arrives, and reading stops there
    headers = {"host": "127.0.0.1:8123", "content-type": "application/x-www-form-urlencoded"}
    status, _, asked = call(create_app(db, "ana"), "POST", "/correct", headers, iter([b"x" * 65536] * 5000))
    assert status == 413 and asked <= MAX_FORM_BYTES // 65536 + 2


def test_a_multipart_write_with_a_valid_token_is_refused(client: TestClient, db: Path) -> None:
    response = client.post("/correct", data=edit_form(client), files={"upload": ("x.bin", b"x" * 1000)})
    assert response.status_code == 415 and corrections(db) == 0


# ---------------------------------------------------------------- no 500s


@pytest.mark.parametrize("query", ["q=%22", "q=%00", "q=%22%22", "q=a%00b", "q=%22postnatal", "q=NOT+OR+AND",
                                   "q=*", "q=NEAR(a+b)", "q=title:x", "page=9223372036854775807",
                                   "page=-9223372036854775809", "page=1" + "0" * 5000, "page=%EF%BC%92"])
def test_queries_that_gave_500s_get_the_queue(client: TestClient, query: str) -> None:
    assert client.get(f"/?{query}").status_code == 200
    assert client.get(f"/next?{query}", follow_redirects=False).status_code == 303


@pytest.mark.parametrize(("query", "found"), [
    ('"postnatal anxiety"', True), ("postnatal anxiety", True), ('postnatal "', True),
    ('"anxiety postnatal"', False),
    ('"', False), ("\x00", False),
])
def test_search_keeps_phrases_and_drops_stray_quotes(client: TestClient, query: str, found: bool) -> None:
    assert (f"/doc/{PAGE}" in client.get("/", params={"q": query}).text) is found


@pytest.mark.parametrize("before", ["[" * 100_000, "{" * 100_000, '"' + "x" * 500_000, "1e999999"])
def test_a_deeply_nested_value_to_correct_gets_a_message(client: TestClient, db: Path, before: str) -> None:
    response = client.post("/correct", data={**edit_form(client), "before": before})
    assert response.status_code == 400 and "reload the page" in response.text and corrections(db) == 0


def test_a_500_carries_the_security_headers_and_a_message(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(Store, "review_queue_page", broken)
    response = client_at(create_app(db, "ana"), raise_server_exceptions=False).get("/")
    assert response.status_code == 500 and "failed on this request" in response.text
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"


# ---------------------------------------------------------------- the reproduction on a real server


def test_the_dns_rebinding_reproduction_is_refused_by_the_running_server(db: Path) -> None:
    import httpx

    extractor = Path(sys.executable).parent / "extractor"
    if not extractor.exists():
        pytest.skip("console script not installed in this environment")
    process = subprocess.Popen([str(extractor), "review", "--db", str(db), "--annotator", "ana"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        url = process.stdout.readline().strip()
        port = int(re.fullmatch(r"http://127\.0\.0\.1:(\d+)/", url).group(1))
        evil = {"host": f"evil.example:{port}"}
        assert httpx.get(url, headers=evil, timeout=10).status_code == 400
        token = re.search(r'name="csrf" content="([^"]+)"', httpx.get(url, timeout=10).text).group(1)
        write = {"csrf": token, "doc": PAGE, "study": "0", "field": "outcome", "action": "add",
                 "value": "written-via-dns-rebinding"}
        refused = httpx.post(url + "correct", data=write, timeout=10,
                             headers={**evil, "origin": f"http://evil.example:{port}"})
        assert refused.status_code == 400 and corrections(db) == 0
        # the same write from the app's own page under its other loopback name goes through
        local = httpx.post(f"http://localhost:{port}/correct", data=write, timeout=10,
                           headers={"origin": f"http://localhost:{port}"})
        assert local.status_code == 303 and corrections(db) == 1
    finally:
        process.terminate()
        process.communicate(timeout=10)
