"""The review app's Screening page through starlette's TestClient: the next paper, decisions, CSRF, bad input."""

from __future__ import annotations

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
from extractor.store import now
from extractor.store_triage import Decision, TriageStore
from extractor.triage.criteria import Criteria
from extractor.triage.session import Session

TOP = "example_pubmed_page"
HOSTILE = (
    '<script>alert("owned")</script> Peer support for new fathers: a randomised controlled trial\n\n'
    'Abstract\nMethods: 120 fathers were randomised to <b onmouseover="x()">peer</b> support or usual care.\n'
)
CRITERIA = Criteria(
    designs=("rct", "cluster_rct"), outcome_keywords=("anxiety", "sleep"), population_keywords=("mothers",)
)


@pytest.fixture(scope="module")
def corpus_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """corpus/ plus one document whose title and text hold markup, extracted once, without triage criteria."""
    folder = tmp_path_factory.mktemp("screening")
    (folder / "hostile.txt").write_text(HOSTILE, encoding="utf-8")
    path = folder / "corpus.db"
    for source in (CORPUS, folder / "hostile.txt"):
        result = CliRunner().invoke(
            cli, ["extract", str(source), "--db", str(path), "-q"], catch_exceptions=False
        )
        assert result.exit_code == 0, result.stderr
    return path


def copy_of(corpus_db: Path, tmp_path: Path) -> Path:
    target = tmp_path / "x.db"
    with sqlite3.connect(corpus_db) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return target


@pytest.fixture
def db(corpus_db: Path, tmp_path: Path) -> Path:
    """A copy of the corpus database with the review's criteria set (as `triage init` sets them)."""
    path = copy_of(corpus_db, tmp_path)
    tstore = TriageStore(path)
    tstore.set_criteria(CRITERIA, "", "test")
    tstore.close()
    return path


def local(app: object, **options: object) -> TestClient:
    """A client asking for the app at 127.0.0.1, as a browser opening the printed address does (the app
    answers to loopback names only, so starlette's default ``testserver`` is refused)."""
    return TestClient(app, base_url="http://127.0.0.1", **options)


@pytest.fixture
def client(db: Path) -> TestClient:
    return local(create_app(db, "ana"))


def csrf_of(client: TestClient) -> str:
    return re.search(r'name="csrf" content="([^"]+)"', client.get("/screen").text).group(1)


def shown(html: str) -> str | None:
    found = re.search(r'id="paper" data-doc="([^"]+)"', html)
    return found.group(1) if found else None


def decisions(db: Path) -> list[tuple[str, str, str, str | None, str]]:
    with sqlite3.connect(db) as connection:
        return connection.execute(
            "select doc_id, decision, who, reason, source from triage_decisions order by id"
        ).fetchall()


def progress(html: str) -> str:
    text = re.search(r'id="screen-progress">(.*?)</p>', html, re.S).group(1)
    return " ".join(re.sub(r"<[^>]+>", "", text).split())


def test_the_page_shows_the_top_ranked_paper_with_its_extracted_facts(client: TestClient, db: Path) -> None:
    assert Session(TriageStore(db)).next().doc_id == TOP
    html = client.get("/screen").text
    assert shown(html) == TOP
    assert "Home visits by trained peers to reduce postnatal anxiety" in html
    assert "2024" in html and "J Fict Perinat Health" in html
    assert "GAD-7 scores were lower with peer visits" in html  # the abstract
    facts = " ".join(
        re.sub(r"<[^>]+>", " ", re.search(r'id="paper-facts">(.*?)</table>', html, re.S).group(1)).split()
    )
    assert "Design rct" in facts and "Sample size 240" in facts
    assert "GAD-7" in facts and "EPDS" in facts
    assert "MD -1.6 (-2.7 to -0.5), p=0.004" in facts
    assert (
        '<span class="badge outcome">anxiety</span>' in html
        and '<span class="badge population">mothers</span>' in html
    )
    assert progress(html).startswith("0 screened · 0 included · 0 excluded · 0 maybe ·")


def test_the_navigation_links_to_the_screening_page(client: TestClient) -> None:
    assert '<a href="/screen">Screening</a>' in client.get("/").text


@pytest.mark.parametrize(
    ("decision", "reason", "stored_reason", "counted"),
    [
        ("include", "  peer support trial  ", "peer support trial", "1 screened · 1 included · 0 excluded"),
        ("exclude", "", None, "1 screened · 0 included · 1 excluded"),
        (
            "maybe",
            "check the full text",
            "check the full text",
            "1 screened · 0 included · 0 excluded · 1 maybe",
        ),
    ],
)
def test_a_decision_is_stored_as_the_annotator_and_the_next_paper_appears(
    client: TestClient, db: Path, decision: str, reason: str, stored_reason: str | None, counted: str
) -> None:
    response = client.post(
        "/screen/decide",
        data={"csrf": csrf_of(client), "doc": TOP, "decision": decision, "reason": reason, "skip": ""},
    )
    assert response.status_code == 200 and response.history[0].status_code == 303
    assert decisions(db) == [(TOP, decision, "ana", stored_reason, "screen")]
    html = response.text
    assert shown(html) not in (None, TOP)
    assert progress(html).startswith(counted)
    assert f"Recorded: <strong>{decision}</strong>" in html


def test_the_next_paper_is_the_sessions_next_after_the_decision(client: TestClient, db: Path) -> None:
    client.post("/screen/decide", data={"csrf": csrf_of(client), "doc": TOP, "decision": "include"})
    expected = Session(TriageStore(db)).next().doc_id
    assert shown(client.get("/screen").text) == expected


@pytest.mark.parametrize("token", [None, "", "forged"])
def test_a_decision_without_the_csrf_token_is_refused(
    client: TestClient, db: Path, token: str | None
) -> None:
    data = {"doc": TOP, "decision": "include"}
    if token is not None:
        data["csrf"] = token
    response = client.post("/screen/decide", data=data)
    assert response.status_code == 403
    assert "security token" in response.text
    assert decisions(db) == []


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            {"doc": TOP, "decision": "perhaps"},
            "unknown decision &#39;perhaps&#39;; use include, exclude or maybe",
        ),
        ({"doc": TOP}, "unknown decision &#39;&#39;"),
        ({"doc": "no/such/record", "decision": "include"}, "is not a record to screen in this database"),
        ({"decision": "exclude"}, "is not a record to screen"),
    ],
)
def test_bad_form_values_get_a_clear_400_not_a_500(
    client: TestClient, db: Path, values: dict[str, str], message: str
) -> None:
    response = client.post("/screen/decide", data={"csrf": csrf_of(client), **values})
    assert response.status_code == 400
    assert message in response.text
    assert decisions(db) == []


def test_a_database_without_triage_init_gets_the_command_to_run(corpus_db: Path, tmp_path: Path) -> None:
    path = copy_of(corpus_db, tmp_path)
    client = local(create_app(path, "ana"))
    html = client.get("/screen").text
    assert "Screening is not set up for this database" in html
    assert f"extractor triage init --db {path} --criteria review.toml" in html
    assert shown(html) is None
    response = client.post(
        "/screen/decide", data={"csrf": csrf_of(client), "doc": TOP, "decision": "include"}
    )
    assert response.status_code == 200 and "triage init" in response.text
    with sqlite3.connect(path) as connection:  # looking made no triage table
        assert not connection.execute("select name from sqlite_master where name like 'triage_%'").fetchall()


def test_a_script_in_a_title_is_shown_as_text(client: TestClient, db: Path) -> None:
    ranked = [candidate.doc_id for candidate in Session(TriageStore(db)).ranked()]
    before = ranked[: ranked.index("hostile")]
    html = client.get("/screen", params=[("skip", doc_id) for doc_id in before]).text
    assert shown(html) == "hostile"
    assert "&lt;script&gt;alert(&#34;owned&#34;)&lt;/script&gt; Peer support for new fathers" in html
    assert "&lt;b onmouseover=&#34;x()&#34;&gt;peer&lt;/b&gt;" in html
    assert "<script>alert" not in html and "<b onmouseover" not in html


def test_skip_shows_the_next_paper_without_writing_and_skipped_papers_come_back(
    client: TestClient, db: Path
) -> None:
    first = client.get("/screen").text
    skip = re.search(r'id="screen-skip" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    second = client.get(skip).text
    assert shown(second) not in (None, TOP)
    assert "1 skipped" in progress(second)
    # a decision on the second keeps the first skipped; leaving the skips shows it again
    carried = re.search(r'name="skip" value="([^"]*)"', second).group(1)
    assert carried == TOP
    after = client.post(
        "/screen/decide",
        data={"csrf": csrf_of(client), "doc": shown(second), "decision": "exclude", "skip": carried},
    ).text
    assert shown(after) not in (None, TOP) and "1 skipped" in progress(after)
    assert shown(client.get("/screen").text) == TOP
    assert decisions(db) == [(shown(second), "exclude", "ana", None, "screen")]


def test_decisions_made_elsewhere_are_seen_and_the_end_is_announced(client: TestClient, db: Path) -> None:
    assert shown(client.get("/screen").text) == TOP  # the app now holds a session
    tstore = TriageStore(db)
    tstore.decide(Decision(TOP, "include", "bo", now(), None, "decide"))  # e.g. `extractor triage decide`
    assert shown(client.get("/screen").text) not in (None, TOP)
    tstore.decide_many(
        [
            Decision(candidate.doc_id, "exclude", "bo", now())
            for candidate in Session(TriageStore(db)).ranked()
        ]
    )
    html = client.get("/screen").text
    assert shown(html) is None and "Nothing left to screen" in html
    assert " 0 left" in progress(html)


def test_the_last_decision_can_be_changed_and_the_history_keeps_both(client: TestClient, db: Path) -> None:
    after = client.post("/screen/decide", data={"csrf": csrf_of(client), "doc": TOP, "decision": "include"}).text
    change = re.search(r'id="screen-change" href="([^"]+)"', after).group(1).replace("&amp;", "&")
    again = client.get(change).text
    assert shown(again) == TOP and "Decided earlier: <strong>include</strong>" in again
    keep = re.search(r'id="screen-skip" href="([^"]+)"', again)
    assert ">Keep <kbd>s</kbd>" in again and TOP not in keep.group(1)
    redone = client.post("/screen/decide", data={"csrf": csrf_of(client), "doc": TOP, "decision": "exclude",
                                                  "reason": "a slip"}).text
    assert shown(redone) not in (None, TOP) and progress(redone).startswith("1 screened · 0 included · 1 excluded")
    assert decisions(db) == [(TOP, "include", "ana", None, "screen"), (TOP, "exclude", "ana", "a slip", "screen")]
    with sqlite3.connect(db) as connection:
        assert connection.execute("select doc_id, decision_before, decision_after from triage_decision_changes"
                                  ).fetchall() == [(TOP, "include", "exclude")]


def test_keep_leaves_the_decision_and_returns_to_the_queue(client: TestClient, db: Path) -> None:
    client.post("/screen/decide", data={"csrf": csrf_of(client), "doc": TOP, "decision": "include"})
    again = client.get("/screen", params={"show": TOP}).text
    keep = re.search(r'id="screen-skip" href="([^"]+)"', again).group(1).replace("&amp;", "&")
    assert shown(client.get(keep).text) not in (None, TOP)
    assert decisions(db) == [(TOP, "include", "ana", None, "screen")]


@pytest.mark.parametrize("show", [TOP, "no/such/record", ""])
def test_show_of_a_paper_not_decided_shows_the_queue_as_usual(client: TestClient, show: str) -> None:
    html = client.get("/screen", params={"show": show}).text
    assert shown(html) == TOP and "screen-again" not in html and ">Skip <kbd>s</kbd>" in html
