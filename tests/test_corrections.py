"""Annotators' corrections: append-only, applied on every read, never overwritten by a re-run."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import CORPUS
from extractor.cli import cli
from extractor.extract.choice import apply_corrections
from extractor.store import Store
from extractor.types import Correction, ExtractedValue, StudyUnit


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def record(db: Path, doc_id: str) -> dict:
    lines = [json.loads(line) for line in run("export", "--db", str(db)).stdout.splitlines()]
    return next(line for line in lines if line["doc_id"] == doc_id)


def test_a_corrected_sample_size_survives_extract_force(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    page = CORPUS / "example_pubmed_page.txt"
    assert run("extract", str(page), "--db", str(db), "-q").exit_code == 0
    before = record(db, "example_pubmed_page")["studies"][0]["sample_size"]
    assert before["n"] == 240
    result = run("correct", "example_pubmed_page", "sample_size", '{"n": 241, "unit": "mothers"}',
                 "--db", str(db), "--annotator", "ana", "--reason", "typo in the count")
    assert result.exit_code == 0
    assert record(db, "example_pubmed_page")["studies"][0]["sample_size"] == {"n": 241, "unit": "mothers"}
    jsonl = tmp_path / "again.jsonl"
    assert run("extract", str(page), "--db", str(db), "--force", "--jsonl", str(jsonl), "-q").exit_code == 0
    assert record(db, "example_pubmed_page")["studies"][0]["sample_size"] == {"n": 241, "unit": "mothers"}
    rerun = json.loads(jsonl.read_text().splitlines()[0])
    assert rerun["studies"][0]["sample_size"] == {"n": 241, "unit": "mothers"}
    [row] = list(Store(db).db.query("select * from corrections"))
    assert (row["annotator"], json.loads(row["value_before"])["n"]) == ("ana", 240)


def test_corrections_cannot_be_changed_or_deleted(tmp_path: Path) -> None:
    store = Store(tmp_path / "x.db")
    store.add_correction(Correction("d", 0, "design", "rct", "cluster_rct", "ana", "2026-01-01T00:00:00+00:00"))
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        store.db.execute("update corrections set value_after = '\"rct\"'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        store.db.execute("delete from corrections")


def _unit() -> StudyUnit:
    return StudyUnit(0, None, 0, 100, values=[
        ExtractedValue("design", "rct", 0, 3, 0.9, "rule:design.cue9.v1", chosen=True),
        ExtractedValue("outcome", "PHQ-9", 10, 15, 0.9, "rule:outcomes.v1", chosen=True),
        ExtractedValue("outcome", "GAD-7", 20, 25, 0.9, "rule:outcomes.v1", chosen=True),
    ])


@pytest.mark.parametrize(
    ("correction", "design", "outcomes"),
    [
        (Correction("d", 0, "design", "rct", "cluster_rct", "ana", "t"), "cluster_rct", ["PHQ-9", "GAD-7"]),
        (Correction("d", 0, "outcome", "GAD-7", None, "ana", "t"), "rct", ["PHQ-9"]),
        (Correction("d", 0, "outcome", "GAD-7", "GAD-2", "ana", "t"), "rct", ["PHQ-9", "GAD-2"]),
        (Correction("d", 0, "outcome", None, "EPDS", "ana", "t"), "rct", ["PHQ-9", "GAD-7", "EPDS"]),
    ],
)
def test_corrections_replace_reject_or_add_values(correction: Correction, design: str, outcomes: list[str]) -> None:
    [unit] = apply_corrections([_unit()], [correction])
    chosen = [v for v in unit.values if v.chosen]
    assert [v.value for v in chosen if v.field == "design"] == [design]
    assert [v.value for v in chosen if v.field == "outcome"] == outcomes
    assert all(v.source.startswith("annotator:") for v in chosen if v.value in ("cluster_rct", "GAD-2", "EPDS"))


def test_correcting_needs_a_value_or_reject(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    run("extract", str(CORPUS / "example_pubmed_page.txt"), "--db", str(db), "-q")
    result = CliRunner().invoke(cli, ["correct", "example_pubmed_page", "design", "--db", str(db), "--annotator", "a"])
    assert result.exit_code == 1 and "VALUE, --role or --reject" in result.stderr


def _counts() -> StudyUnit:
    """A study stating 120 randomised (twice: abstract and methods) and 96 analysed; the machine chose 96."""
    return StudyUnit(0, None, 0, 400, values=[
        ExtractedValue("sample_size", {"n": 120, "unit": "mothers"}, 10, 13, 0.7, "rule:sample_size.v1",
                       role="enrolled"),
        ExtractedValue("sample_size", {"n": 96, "unit": "mothers"}, 40, 42, 0.8, "rule:sample_size.v1",
                       chosen=True, role="analysed"),
        ExtractedValue("sample_size", {"n": 120, "unit": "mothers"}, 200, 203, 0.7, "rule:sample_size.v1",
                       role="randomised"),
    ])


@pytest.mark.parametrize(
    ("n", "span", "role"),
    [
        (120, (200, 203), "randomised"),  # the candidate under the annotator's span
        (120, None, "enrolled"),  # no span: the first candidate stating the count
        (120, (300, 310), "enrolled"),  # a span over no candidate: likewise
        (121, (200, 203), None),  # a count the text does not state has no known role
    ],
)
def test_a_sample_size_added_where_none_was_takes_the_role_the_text_states(n: int, span: tuple | None,
                                                                            role: str | None) -> None:
    start, end = span or (None, None)
    unit = _counts()
    unit.values[1].chosen = False  # the machine chose no size
    correction = Correction("d", 0, "sample_size", None, {"n": n, "unit": "mothers"}, "ana", "t", start=start, end=end)
    [unit] = apply_corrections([unit], [correction])
    [chosen] = [v for v in unit.values if v.chosen]
    assert (chosen.value["n"], chosen.role, chosen.source) == (n, role, "annotator:ana")


@pytest.mark.parametrize(("span", "role", "expected"), [
    ((200, 203), None, "analysed"),  # the count replaced was the analysed one: it stays so, whatever the span covers
    (None, None, "analysed"),
    (None, "randomised", "randomised"),  # unless the annotator gives the role
])
def test_a_corrected_sample_size_keeps_the_role_of_the_count_it_replaces(span: tuple | None, role: str | None,
                                                                          expected: str) -> None:
    start, end = span or (None, None)
    correction = Correction("d", 0, "sample_size", {"n": 96, "unit": "mothers"}, {"n": 120, "unit": "mothers"},
                            "ana", "t", start=start, end=end, role=role)
    [unit] = apply_corrections([_counts()], [correction])
    [chosen] = [v for v in unit.values if v.chosen]
    assert (chosen.value["n"], chosen.role) == (120, expected)


def test_an_old_edit_that_copied_the_quote_of_the_value_it_replaced_loses_that_quote() -> None:
    # corrections stored before evidence was kept (no evidence kind) copied the replaced value's span
    stale = Correction("d", 0, "sample_size", {"n": 96, "unit": "mothers"}, {"n": 94, "unit": "mothers"}, "ana", "t",
                       start=40, end=42)
    chosen_by_selection = Correction("d", 0, "sample_size", {"n": 96, "unit": "mothers"}, {"n": 94, "unit": "mothers"},
                                     "ana", "t", start=40, end=42, evidence="selection")
    [unit] = apply_corrections([_counts()], [stale])
    [value] = [v for v in unit.values if v.chosen]
    assert (value.start, value.end, value.attributes["evidence"]) == (None, None, "by hand")
    [unit] = apply_corrections([_counts()], [chosen_by_selection])
    [value] = [v for v in unit.values if v.chosen]
    assert (value.start, value.end, value.attributes["evidence"]) == (40, 42, "selection")
