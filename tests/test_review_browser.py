"""The review app end to end in a real headless Chromium (Debian's chromium, driven by Playwright).

One server and one browser serve the whole module; the tests run in file order and build
on each other the way an annotator's session does. Set REVIEW_SCREENSHOTS=docs to write
docs/review-queue.png and docs/review-record.png on the way.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_helpers import ARGS as BROWSER_ARGS
from browser_helpers import BROWSER_MARKS, browser_tab, served
from click.testing import CliRunner

from conftest import CORPUS, REPO
from extractor.cli import cli
from extractor.store import Store

pytestmark = BROWSER_MARKS
REBOUND = "rebound.example"  # a name the browser resolves to 127.0.0.1, as a DNS-rebinding site makes it
ARGS = [*BROWSER_ARGS, f"--host-resolver-rules=MAP {REBOUND} 127.0.0.1"]
PAGE = "example_pubmed_page"
HOSTILE = (
    '<script>alert("owned")</script> Peer support for new fathers: a randomised controlled trial\n\n'
    "Abstract\nMethods: 120 fathers were randomised to <img src=x onerror=alert(1)> peer support or usual care.\n"
)


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("browser")
    (folder / "hostile.txt").write_text(HOSTILE, encoding="utf-8")
    path = folder / "review.db"
    run("extract", str(CORPUS), "--db", str(path), "-q")
    run("extract", str(folder / "hostile.txt"), "--db", str(path), "-q")
    return path


@pytest.fixture(scope="module")
def server(db: Path) -> Iterator[str]:
    """The review app served by uvicorn on a free loopback port, as `extractor review` serves it."""
    with served(db) as address:
        yield address


@pytest.fixture(scope="module")
def page(server: str) -> Iterator[object]:
    with browser_tab(ARGS) as tab:
        tab.dialogs = []
        tab.on("dialog", lambda dialog: (tab.dialogs.append(dialog.message), dialog.dismiss()))
        yield tab


def screenshot(tab: object, name: str) -> None:
    folder = os.environ.get("REVIEW_SCREENSHOTS")
    if folder:
        target = Path(folder) if Path(folder).is_absolute() else REPO / folder
        tab.screenshot(path=str(target / name))


def sample_size_shown(tab: object) -> str:
    return tab.locator('.value[data-field="sample_size"] .shown').first.inner_text()


def test_the_queue_opens_a_record_from_the_keyboard(page, server: str) -> None:
    page.goto(server + "/")
    assert page.locator("tr.row").count() == 16
    screenshot(page, "review-queue.png")
    page.keyboard.press("/")
    page.keyboard.type("postnatal anxiety")
    page.keyboard.press("Enter")
    page.wait_for_url("**/?q=postnatal+anxiety*")
    assert page.locator("tr.row").count() == 1
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/doc/{PAGE}?q=postnatal+anxiety")
    assert "Home visits by trained peers" in page.locator("#doc-title").inner_text()


def test_the_record_shows_each_evidence_span_highlighted(page) -> None:
    mark = page.locator("#text mark.f-sample_size").first
    assert "240 first-time mothers" in mark.inner_text()
    colour = mark.evaluate("element => getComputedStyle(element).backgroundColor")
    assert colour not in ("rgba(0, 0, 0, 0)", "transparent")
    assert page.locator("#text mark.f-design").count() >= 1 and page.locator("#text mark.f-effect").count() == 2
    page.keyboard.press("2")  # go to the sample size: its evidence is outlined
    assert "active" in (mark.get_attribute("class") or "")


def test_a_sample_size_is_corrected_with_the_keyboard_and_survives_a_reload(page) -> None:
    page.keyboard.press("2")
    page.keyboard.press("e")
    page.keyboard.type("241")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert sample_size_shown(page).startswith("241 mothers")
    screenshot(page, "review-record.png")
    page.reload()
    assert sample_size_shown(page).startswith("241 mothers")
    assert "corrected" in page.locator('.value[data-field="sample_size"]').first.get_attribute("class")


def test_the_correction_is_in_the_exported_jsonl(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "ana.jsonl"
    run("annotations", "export", "--db", str(db), "--out", str(out))
    [record] = [json.loads(line) for line in out.read_text().splitlines() if json.loads(line)["doc_id"] == PAGE]
    assert record["studies"][0]["sample_size"] == {"n": 241, "unit": "mothers"}
    span = next(s for s in record["studies"][0]["spans"] if s["field"] == "sample_size")
    # typed in with no text selected: marked as entered by hand, not given the quote of the 240 it replaced
    assert (span["source"], span["start"], span["origin"]) == ("annotator:ana", None, "by hand")


def test_the_correction_survives_extract_force(page, db: Path) -> None:
    run("extract", str(CORPUS / f"{PAGE}.txt"), "--db", str(db), "--force", "-q")
    exported = [json.loads(line) for line in run("export", "--db", str(db)).splitlines()]
    record = next(r for r in exported if r["doc_id"] == PAGE)
    assert record["studies"][0]["sample_size"] == {"n": 241, "unit": "mothers"}
    page.reload()
    assert sample_size_shown(page).startswith("241 mothers")


def test_a_missed_value_is_added_by_selecting_text(page, db: Path) -> None:
    page.evaluate("""phrase => {
        const piece = Array.from(document.querySelectorAll('#text span')).find(s => s.textContent.includes(phrase));
        const at = piece.textContent.indexOf(phrase);
        const range = document.createRange();
        range.setStart(piece.firstChild, at);
        range.setEnd(piece.firstChild, at + phrase.length);
        getSelection().removeAllRanges();
        getSelection().addRange(range);
    }""", "depressive symptoms")
    page.keyboard.press("3")
    assert page.locator('form.add[data-field="outcome"] input[name=value]').input_value() == "depressive symptoms"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    [row] = Store(db).db.query("select * from corrections where field = 'outcome'")
    assert Store(db).document(PAGE).text[row["start"] : row["end"]] == "depressive symptoms"
    assert page.locator("#text mark.f-outcome", has_text="depressive symptoms").count() == 1


def test_undo_and_done_and_next_from_the_keyboard(page, server: str, db: Path) -> None:
    page.goto(f"{server}/doc/{PAGE}")  # the whole queue, so there is a next record
    with page.expect_navigation():
        page.keyboard.press("u")
    assert page.locator("#text mark.f-outcome", has_text="depressive symptoms").count() == 0
    assert sample_size_shown(page).startswith("241 mothers")  # only the last correction was undone
    with page.expect_navigation():
        page.keyboard.press("n")
    assert PAGE not in page.url and "/doc/" in page.url
    assert PAGE in Store(db).reviewed_documents()


def test_a_script_in_a_title_is_shown_as_text(page, server: str) -> None:
    page.goto(server + "/doc/hostile")
    assert page.locator("#doc-title").inner_text().startswith('<script>alert("owned")</script> Peer support')
    assert "<img src=x onerror=alert(1)>" in page.locator("#text").inner_text()
    assert page.locator("#text img, main script").count() == 0
    page.goto(server + "/")
    assert page.dialogs == []


def test_screening_from_the_keyboard_records_the_decision_and_loads_the_next_paper(page, server: str,
                                                                                  db: Path) -> None:
    from extractor.store_triage import TriageStore
    from extractor.triage.criteria import Criteria

    TriageStore(db).set_criteria(Criteria(designs=("rct",), outcome_keywords=("anxiety",)), "", "test")
    page.goto(server + "/screen")
    first = page.locator("#paper").get_attribute("data-doc")
    with page.expect_navigation():
        page.keyboard.press("i")
    second = page.locator("#paper").get_attribute("data-doc")
    assert second and second != first
    assert "1 included" in page.locator("#screen-progress").inner_text()
    page.keyboard.press("r")
    page.keyboard.type("not about anxiety")
    page.keyboard.press("Enter")  # leaves the box; decides nothing
    assert page.locator("#paper").get_attribute("data-doc") == second
    with page.expect_navigation():
        page.keyboard.press("e")
    rows = list(TriageStore(db).db.query("select doc_id, decision, who, reason from triage_decisions order by id"))
    assert [tuple(row.values()) for row in rows] == [(first, "include", "ana", None),
                                                     (second, "exclude", "ana", "not about anxiety")]
    third = page.locator("#paper").get_attribute("data-doc")
    assert third not in (first, second)
    with page.expect_navigation():
        page.keyboard.press("c")  # a slip: change the decision just recorded
    assert page.locator("#paper").get_attribute("data-doc") == second
    assert "Decided earlier: exclude" in page.locator("#screen-again").inner_text()
    with page.expect_navigation():
        page.keyboard.press("m")
    decided = [tuple(row.values()) for row in TriageStore(db).db.query(
        "select doc_id, decision from triage_decisions order by id")]
    assert decided[-1] == (second, "maybe") and len(decided) == 3
    assert page.locator("#paper").get_attribute("data-doc") not in (first, second)  # the ranking was refitted
    assert "1 included · 0 excluded · 1 maybe" in page.locator("#screen-progress").inner_text()


def test_the_app_works_under_localhost_and_refuses_a_rebound_name(page, server: str, db: Path) -> None:
    local = server.replace("127.0.0.1", "localhost")
    page.goto(f"{local}/doc/{PAGE}")
    reviews = Store(db).db["reviews"].count
    with page.expect_navigation():
        page.keyboard.press("n")  # a write from the page served under localhost
    assert Store(db).db["reviews"].count == reviews + 1 and page.url.startswith(local)
    response = page.goto(server.replace("127.0.0.1", REBOUND) + "/")
    assert response.status == 400 and 'name="csrf"' not in page.content()
