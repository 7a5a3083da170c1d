"""The review app's routes through starlette's TestClient: queue, record, corrections, CSRF, token, bad input."""

from __future__ import annotations

import json
import re
import sqlite3
import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner

with warnings.catch_warnings():  # starlette asks for httpx2, which is not a dependency
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from conftest import CORPUS
from extractor.cli import cli
from extractor.review.app import create_app
from extractor.review.security import is_loopback
from extractor.store import Store

PAGE = "example_pubmed_page"
SIZE = '{"n": 240, "unit": "mothers"}'
HOSTILE = (
    '<script>alert("owned")</script> Peer support for new fathers: a randomised controlled trial\n\n'
    "Abstract\nMethods: 120 fathers were randomised to <b onmouseover=\"x()\">peer</b> support or usual care.\n"
)


@pytest.fixture(scope="module")
def corpus_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """corpus/ plus one document whose title and text hold markup, extracted once."""
    folder = tmp_path_factory.mktemp("review")
    (folder / "hostile.txt").write_text(HOSTILE, encoding="utf-8")
    path = folder / "corpus.db"
    for source in (CORPUS, folder / "hostile.txt"):
        result = CliRunner().invoke(cli, ["extract", str(source), "--db", str(path), "-q"], catch_exceptions=False)
        assert result.exit_code == 0, result.stderr
    return path


@pytest.fixture
def db(corpus_db: Path, tmp_path: Path) -> Path:
    target = tmp_path / "x.db"
    with sqlite3.connect(corpus_db) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return target


def local(app: object, **options: object) -> TestClient:
    """A client asking for the app at 127.0.0.1, as a browser opening the printed address does (the app
    answers to loopback names only, so starlette's default ``testserver`` is refused)."""
    return TestClient(app, base_url="http://127.0.0.1", **options)


@pytest.fixture
def client(db: Path) -> TestClient:
    return local(create_app(db, "ana"))


def csrf_of(client: TestClient) -> str:
    return re.search(r'name="csrf" content="([^"]+)"', client.get("/").text).group(1)


def alert_of(html: str) -> str:
    return re.search(r'role="alert">(.*?)</p>', html, re.S).group(1)


def form(client: TestClient, **values: str) -> dict[str, str]:
    return {"csrf": csrf_of(client), "doc": PAGE, "study": "0", **values}


def chosen(db: Path, field: str) -> list:
    [unit] = Store(db).studies(PAGE)
    return [v.value for v in unit.values if v.field == field and v.chosen]


def corrections(db: Path) -> int:
    return Store(db).db["corrections"].count


# ---------------------------------------------------------------- queue


def test_queue_lists_documents_lowest_confidence_first(client: TestClient) -> None:
    html = client.get("/").text
    confidences = [float(c) for c in re.findall(r"</meter> ([0-9.]+)", html)]
    assert len(confidences) >= 10 and confidences == sorted(confidences)
    assert "16 documents" in html


@pytest.mark.parametrize(
    ("query", "present", "absent"),
    [
        ("q=postnatal+anxiety", [PAGE], ["example_deck"]),
        ("q=%22unbalanced+quote", [], [PAGE]),  # FTS syntax is quoted, never an error
        ("design=rct", [PAGE], []),
        ("field=sample_size", [PAGE, "hostile"], ["example_refs/2"]),
        ("design=no_such_design", [PAGE, "example_deck"], []),  # an unknown filter value is ignored
    ],
)
def test_queue_filters_and_search(client: TestClient, query: str, present: list[str], absent: list[str]) -> None:
    response = client.get(f"/?{query}")
    assert response.status_code == 200
    for doc_id in present:
        assert f"/doc/{doc_id}" in response.text
    for doc_id in absent:
        assert f"/doc/{doc_id}\"" not in response.text and f"/doc/{doc_id}?" not in response.text


def test_done_moves_to_the_next_record_and_out_of_the_todo_queue(client: TestClient, db: Path) -> None:
    response = client.post("/done", data=form(client, queue="status=todo"), follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/doc/")
    assert PAGE not in response.headers["location"]
    assert f"/doc/{PAGE}" not in client.get("/?status=todo").text
    assert f"/doc/{PAGE}" in client.get("/?status=done").text


# ---------------------------------------------------------------- record page


def test_record_page_highlights_each_evidence_span_in_its_field_colour(client: TestClient) -> None:
    html = client.get(f"/doc/{PAGE}").text
    marks = dict((cls, text) for cls, text in re.findall(r'<mark class="hl f-(\w+)"[^>]*>([^<]*)</mark>', html))
    assert "randomised controlled trial" in marks["design"]
    assert "240 first-time mothers" in marks["sample_size"]
    assert "NCT09999999" in marks["registration"]
    assert 'data-field="sample_size"' in html and "240 mothers" in html


def test_a_script_in_a_title_is_shown_as_text(client: TestClient) -> None:
    html = client.get("/doc/hostile").text
    assert "&lt;script&gt;alert(&#34;owned&#34;)&lt;/script&gt; Peer support" in html
    assert "<script>alert" not in html and "<b onmouseover" not in html
    assert "<script>alert" not in client.get("/").text


def test_multi_record_doc_ids_with_slashes_open(client: TestClient) -> None:
    assert client.get("/doc/example_citations/10.5555/example.ris.001").status_code == 200


def test_an_unknown_document_is_a_404_page(client: TestClient) -> None:
    response = client.get("/doc/nope")
    assert response.status_code == 404 and "nope: no such document" in response.text


# ---------------------------------------------------------------- corrections


@pytest.mark.parametrize(
    ("values", "field", "expected", "logged"),
    [
        ({"action": "edit", "field": "sample_size", "before": SIZE, "value": "241"}, "sample_size",
         [{"n": 241, "unit": "mothers"}], "edit"),
        ({"action": "accept", "field": "sample_size", "before": SIZE}, "sample_size", [{"n": 240, "unit": "mothers"}],
         "accept"),
        ({"action": "reject", "field": "outcome", "before": '"EPDS"'}, "outcome", ["GAD-7"], "reject"),
        ({"action": "add", "field": "outcome", "value": "postnatal anxiety", "start": "600", "end": "617"}, "outcome",
         ["GAD-7", "EPDS", "postnatal anxiety"], "add"),
        # a design typed in replaces the design the tool chose
        ({"action": "add", "field": "design", "value": "cluster rct"}, "design", ["cluster_rct"], "edit"),
    ],
)
def test_corrections_are_stored_and_shown(client: TestClient, db: Path, values: dict, field: str, expected: list,
                                          logged: str) -> None:
    response = client.post("/correct", data=form(client, **values), follow_redirects=False)
    assert response.status_code == 303, response.text
    assert response.headers["location"] == f"/doc/{PAGE}#f-0-{field}"
    assert chosen(db, field) == expected
    [row] = Store(db).db.query("select * from corrections")
    last_run = Store(db).db.execute("select max(id) from runs").fetchone()[0]
    assert row["annotator"] == "ana" and row["run_id"] == last_run and json.loads(row["model_versions"])["extraction"]
    assert f"<td>ana</td><td>{logged}</td>" in client.get(f"/doc/{PAGE}").text  # the history lists it


def test_an_edit_never_keeps_the_quote_of_the_value_it_replaces(client: TestClient, db: Path) -> None:
    [machine] = [v for v in Store(db).studies(PAGE)[0].values if v.field == "sample_size" and v.chosen]
    assert machine.role is not None
    client.post("/correct", data=form(client, action="edit", field="sample_size", before=SIZE, value="241"))
    [row] = Store(db).db.query("select start, end, role, evidence from corrections")
    # no text selected: the 241 has no evidence (entered by hand); the role of the 240 stays
    assert (row["start"], row["end"], row["evidence"], row["role"]) == (None, None, "by hand", machine.role)
    assert "entered by hand" in client.get(f"/doc/{PAGE}").text


def test_undo_reverts_my_last_correction(client: TestClient, db: Path) -> None:
    client.post("/correct", data=form(client, action="edit", field="sample_size", before=SIZE, value="241"))
    response = client.post("/undo", data=form(client), follow_redirects=False)
    assert response.status_code == 303
    assert chosen(db, "sample_size") == [{"n": 240, "unit": "mothers"}]
    assert corrections(db) == 2  # append-only: the undo is a row of its own
    again = client.post("/undo", data=form(client))
    assert again.status_code == 400 and "nothing of yours to undo" in alert_of(again.text)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"action": "edit", "field": "sample_size", "before": SIZE, "value": "lots"}, "is not a sample size"),
        ({"action": "edit", "field": "design", "before": '"rct"', "value": "randomised"}, "is not a design"),
        ({"action": "edit", "field": "sample_size", "before": '{"n": 999}', "value": "3"}, "no longer in the record"),
        ({"action": "edit", "field": "sample_size", "before": "{broken", "value": "3"}, "value to correct is missing"),
        ({"action": "add", "field": "outcome", "value": "x", "start": "5", "end": "999999"}, "not inside the text"),
        ({"action": "add", "field": "outcome", "value": "x", "start": "five"}, "start must be a whole number"),
        ({"action": "add", "field": "colour", "value": "red"}, "unknown field"),
        ({"action": "delete", "field": "outcome"}, "unknown action"),
        ({"action": "add", "field": "outcome", "value": "x", "study": "7"}, "has no study 7"),
        ({"action": "add", "field": "outcome", "value": "x", "doc": "nope"}, "nope: no such document"),
    ],
)
def test_bad_form_input_gets_a_clear_message_not_a_500(client: TestClient, db: Path, values: dict, message: str) -> None:
    response = client.post("/correct", data=form(client, **values))
    assert response.status_code in (400, 404)
    assert message in alert_of(response.text).replace("&#39;", "'")
    assert corrections(db) == 0


# ---------------------------------------------------------------- safety


@pytest.mark.parametrize(
    ("csrf", "headers"),
    [(None, {}), ("forged", {}), ("valid", {"origin": "http://evil.example"})],
)
def test_writes_without_a_valid_csrf_token_or_from_another_origin_are_refused(
        client: TestClient, db: Path, csrf: str | None, headers: dict) -> None:
    values = form(client, action="edit", field="sample_size", before=SIZE, value="241")
    if csrf is None:
        del values["csrf"]
    elif csrf == "forged":
        values["csrf"] = "forged"
    for path in ("/correct", "/undo", "/done", "/consensus"):
        response = client.post(path, data=values, headers=headers)
        assert response.status_code == 403, path
    assert corrections(db) == 0 and Store(db).db["reviews"].count == 0


def test_with_a_token_every_request_needs_it(db: Path) -> None:
    client = local(create_app(db, "ana", token="s3cret"))
    assert client.get("/").status_code == 401
    assert client.get("/static/review.js").status_code == 401
    assert client.get("/?token=wrong").status_code == 401
    entry = client.get("/?token=s3cret&status=todo", follow_redirects=False)
    assert entry.status_code == 303 and entry.headers["location"] == "/?status=todo"
    assert client.get("/doc/example_pubmed_page").status_code == 200  # the cookie carries it now
    other = local(create_app(db, "ana", token="s3cret"))
    assert other.get("/", headers={"x-review-token": "s3cret"}).status_code == 200


def test_pages_forbid_inline_scripts_and_framing(client: TestClient) -> None:
    headers = client.get("/").headers
    assert "script-src 'self'" in headers["content-security-policy"]
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(("host", "loopback"), [("127.0.0.1", True), ("::1", True), ("localhost", True),
                                                ("0.0.0.0", False), ("192.168.1.4", False), ("example.org", False)])
def test_loopback_addresses(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


@pytest.mark.parametrize(("args", "message"), [
    (["--host", "0.0.0.0"], "refusing to serve the review app on 0.0.0.0"),
    (["--annotator", "consensus:me"], "not starting with consensus:"),
])
def test_review_command_refuses_unsafe_settings(db: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(cli, ["review", "--db", str(db), *args])
    assert result.exit_code == 1 and message in result.stderr


def test_review_command_needs_an_existing_database(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["review", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 1 and "extractor extract" in result.stderr


# ---------------------------------------------------------------- two annotators and consensus


def test_consensus_page_settles_a_disagreement(db: Path) -> None:
    ana, bob = local(create_app(db, "ana")), local(create_app(db, "bob"))
    ana.post("/correct", data=form(ana, action="edit", field="sample_size", before=SIZE, value="241"))
    for client in (ana, bob):
        client.post("/done", data=form(client))
    page = ana.get("/agreement?first=ana&second=bob").text
    assert "Disagreements (1)" in page and "Sample size" in page
    values = {"csrf": csrf_of(ana), "doc": PAGE, "study": "0", "field": "sample_size", "first": "ana",
              "second": "bob", "choice": "second"}
    assert ana.post("/consensus", data=values, follow_redirects=False).status_code == 303
    assert chosen(db, "sample_size") == [{"n": 240, "unit": "mothers"}]
    assert "settled" in ana.get("/agreement?first=ana&second=bob").text
    bad = ana.post("/consensus", data={**values, "choice": "custom", "value": "many"})
    assert bad.status_code == 400 and "is not a sample size" in alert_of(bad.text).replace("&#39;", "'")


def test_review_command_serves_on_loopback_and_prints_the_address(db: Path) -> None:
    import subprocess
    import sys

    import httpx

    extractor = Path(sys.executable).parent / "extractor"
    if not extractor.exists():
        pytest.skip("console script not installed in this environment")
    process = subprocess.Popen([str(extractor), "review", "--db", str(db), "--annotator", "ana"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        url = process.stdout.readline().strip()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", url), url
        response = httpx.get(url, timeout=10)
        assert response.status_code == 200 and "annotator: <strong>ana</strong>" in response.text
    finally:
        process.terminate()
        process.communicate(timeout=10)
