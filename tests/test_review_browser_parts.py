"""Correcting an effect's parts and a sample size's role in the review app, in a real headless Chromium.

An annotator links an estimate to the outcome the study names and mends its interval, sets a count and
its role, and finds every part in ``export`` and ``annotations export``. One server and one browser serve
the module; the tests run in file order, as an annotator's session does.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_helpers import BROWSER_MARKS, browser_tab, served
from click.testing import CliRunner
from correction_texts import DOC, TEXT

from extractor.cli import cli
from extractor.store import Store

pytestmark = BROWSER_MARKS
def run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def exported_study(db: Path) -> dict:
    [record] = [json.loads(line) for line in run("export", "--db", str(db)).splitlines()
                if json.loads(line)["doc_id"] == DOC]
    return record["studies"][0]


def annotated_study(db: Path, tmp_path: Path) -> dict:
    out = tmp_path / "ana.jsonl"
    run("annotations", "export", "--db", str(db), "--out", str(out))
    [record] = [json.loads(line) for line in out.read_text().splitlines() if json.loads(line)["doc_id"] == DOC]
    return record["studies"][0]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("parts")
    (folder / f"{DOC}.txt").write_text(TEXT, encoding="utf-8")
    path = folder / "review.db"
    run("extract", str(folder / f"{DOC}.txt"), "--db", str(path), "-q")
    study = exported_study(path)
    # what the tool found, so the corrections below change something
    assert study["sample_size"]["n"] == 73
    assert {(e["value"], e["outcome"]) for e in study["effects"]} >= {(1.8, "well-being")}
    return path


@pytest.fixture(scope="module")
def server(db: Path) -> Iterator[str]:
    with served(db) as address:
        yield address


@pytest.fixture(scope="module")
def page(server: str) -> Iterator[object]:
    with browser_tab() as tab:
        tab.goto(f"{server}/doc/{DOC}")
        yield tab


def effect(tab: object, shown: str) -> object:
    return tab.locator('.value[data-field="effect"]', has_text=shown).first


def select_text(tab: object, phrase: str) -> None:
    """Select a phrase of the document text as an annotator drags over it."""
    tab.evaluate("""phrase => {
        const piece = Array.from(document.querySelectorAll('#text span, #text mark'))
            .find(s => s.textContent.includes(phrase));
        const at = piece.textContent.indexOf(phrase);
        const range = document.createRange();
        range.setStart(piece.firstChild, at);
        range.setEnd(piece.firstChild, at + phrase.length);
        getSelection().removeAllRanges();
        getSelection().addRange(range);
    }""", phrase)


def test_an_effects_outcome_and_ci_are_corrected_and_both_reach_export(page, db: Path, tmp_path: Path) -> None:
    value = effect(page, "MD 1.8")
    value.click()
    page.keyboard.press("e")  # the estimate's box takes the keys; the other parts are beside it
    form = value.locator("form.edit")
    assert form.locator("input[name=part-outcome]").input_value() == "well-being"
    form.locator("input[name=part-ci_low]").fill("0.3")
    form.locator("input[name=part-outcome]").fill("WEMWBS")
    with page.expect_navigation():
        form.locator("input[name=part-outcome]").press("Enter")
    corrected = effect(page, "MD 1.8")
    assert "[0.3, 3.4]" in corrected.locator(".shown").inner_text() and "on WEMWBS" in corrected.inner_text()
    assert "entered by hand" in corrected.locator(".meta").inner_text()  # no quote of the value it replaced
    [entry] = [e for e in exported_study(db)["effects"] if e["value"] == 1.8]
    assert (entry["ci"], entry["p"], entry["outcome"], entry["measure"]) == ([0.3, 3.4], 0.03, "WEMWBS", "MD")
    [span] = [s for s in annotated_study(db, tmp_path)["spans"] if s["field"] == "effect" and s["value"]["value"] == 1.8]
    assert span["value"]["outcome"] == "WEMWBS" and span["value"]["ci"] == [0.3, 3.4]
    assert (span["start"], span["origin"], span["source"]) == (None, "by hand", "annotator:ana")


def test_an_effect_edited_over_a_selection_takes_it_as_evidence(page, db: Path) -> None:
    page.evaluate("getSelection().removeAllRanges()")
    page.keyboard.press("4")  # to the effects: the first one is chosen
    value = effect(page, "MD -2.4")
    assert "selected" in value.get_attribute("class")
    select_text(page, "MD -2.4, 95% CI -3.9 to -0.9; p = 0.002")
    page.keyboard.press("e")
    form = value.locator("form.edit")
    assert "your selection" in form.locator(".selection").inner_text()
    form.locator("select[name=part-measure]").select_option("SMD")
    with page.expect_navigation():
        form.locator("input[name=part-value]").press("Enter")
    [row] = list(Store(db).db.query("select * from corrections where field = 'effect' and value_after like '%SMD%'"))
    quote = Store(db).document(DOC).text[row["start"] : row["end"]]
    assert (quote, row["evidence"]) == ("MD -2.4, 95% CI -3.9 to -0.9; p = 0.002", "selection")
    assert json.loads(row["value_after"])["outcome"] == json.loads(row["value_before"])["outcome"]  # link kept
    assert "your selection" in effect(page, "SMD -2.4").locator(".meta").inner_text()


def test_a_count_changed_keeps_its_role_until_the_role_is_changed(page, db: Path, tmp_path: Path) -> None:
    size = page.locator('.value[data-field="sample_size"]').first
    role_before = size.locator("select[name=role]").input_value()
    assert role_before == "randomised"
    size.locator("input[name=part-n]").fill("68")
    with page.expect_navigation():
        size.locator("input[name=part-n]").press("Enter")
    size = page.locator('.value[data-field="sample_size"]').first
    assert size.locator(".shown").inner_text().startswith("68 adults")
    assert size.locator(".role").inner_text() == "randomised"  # not switched to the role of another 68
    assert "n = 38" not in size.locator(".meta").inner_text()  # nor the quote of the 73 it replaced
    size.locator("select[name=role]").select_option("analysed")
    with page.expect_navigation():
        size.locator("button[type=submit]", has_text="Save").click()
    size = page.locator('.value[data-field="sample_size"]').first
    assert size.locator(".role").inner_text() == "analysed"
    study = annotated_study(db, tmp_path)
    assert study["sample_size"]["n"] == 68
    [span] = [s for s in study["spans"] if s["field"] == "sample_size"]
    assert (span["role"], span["origin"]) == ("analysed", "by hand")
