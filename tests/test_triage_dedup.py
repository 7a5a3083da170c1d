"""Duplicates: merged by DOI, PMID or fuzzy title and year; the merge is shown and reversible."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from triage_helpers import triage_db

from extractor.cli import cli
from extractor.triage.dedup import DedupRecord, find_duplicates, normalise_title
from extractor.triage.session import Session

TITLE = "Parent coaching for toddler sleep problems: a randomised controlled trial"


@pytest.mark.parametrize(("records", "expected"), [
    # same DOI, titles unlike (a PubMed record and a PDF's running title)
    ([DedupRecord("pubmed/1", TITLE, 2019, "10.1/x", "1"), DedupRecord("pdf", "Coaching trial", None, "10.1/X")],
     [("pubmed/1", "pdf", "doi")]),
    # same PMID
    ([DedupRecord("ris/1", TITLE, 2019, None, "123"), DedupRecord("nbib/1", TITLE + " (letter)", 2020, None, "123")],
     [("ris/1", "nbib/1", "pmid")]),
    # alike titles, same year: the record with an abstract is kept
    ([DedupRecord("a", TITLE.replace("randomised", "randomized") + ".", 2019),
      DedupRecord("b", TITLE, 2019, abstract_chars=900, order=1)],
     [("b", "a", "title+year")]),
    # alike titles, one year apart (online first, then print)
    ([DedupRecord("a", TITLE, 2019), DedupRecord("b", TITLE, 2020, order=1)], [("a", "b", "title+year")]),
    # alike titles, years far apart: different papers (an update)
    ([DedupRecord("a", TITLE, 2012), DedupRecord("b", TITLE, 2019, order=1)], []),
    # alike titles but different DOIs: never merged
    ([DedupRecord("a", TITLE, 2019, "10.1/x"), DedupRecord("b", TITLE, 2019, "10.1/y", order=1)], []),
    # short titles are not matched on their own
    ([DedupRecord("a", "Editorial", 2019), DedupRecord("b", "Editorial", 2019, order=1)], []),
])
def test_duplicates_are_found_by_doi_pmid_or_title_and_year(records: list[DedupRecord],
                                                            expected: list[tuple[str, str, str]]) -> None:
    assert [(m.kept, m.merged, m.rule) for m in find_duplicates(records)] == expected


@pytest.mark.parametrize(("title", "expected"), [("Café-au-lait  SPOTS: a Review.", "cafe au lait spots a review")])
def test_titles_are_compared_without_case_accents_or_punctuation(title: str, expected: str) -> None:
    assert normalise_title(title) == expected


def test_merge_removes_the_duplicate_from_screening_and_unmerge_brings_it_back(tmp_path: Path) -> None:
    tstore = triage_db(tmp_path)
    db = str(tmp_path / "triage.db")
    before = {c.doc_id for c in Session(tstore).ranked()}
    result = CliRunner().invoke(cli, ["triage", "dedup", "--db", db, "--who", "ana"], catch_exceptions=False)
    assert result.exit_code == 0
    [line] = result.stdout.splitlines()
    merge_id, kept, merged, rule, _ = line.split("\t")
    assert (kept, merged, rule) == ("papers/10.1000/a1", "papers/2", "title+year")
    assert {c.doc_id for c in Session(tstore).ranked()} == before - {merged}
    listed = CliRunner().invoke(cli, ["triage", "merges", "--db", db]).stdout
    assert f"{merge_id}\t{kept}\t{merged}\ttitle+year" in listed
    undone = CliRunner().invoke(cli, ["triage", "unmerge", merge_id, "--db", db, "--who", "ana"])
    assert undone.exit_code == 0
    assert {c.doc_id for c in Session(tstore).ranked()} == before
    assert CliRunner().invoke(cli, ["triage", "merges", "--db", db]).stdout == ""
    assert "undone" in CliRunner().invoke(cli, ["triage", "merges", "--db", db, "--all"]).stdout
    # the duplicate is found again by a later dedup, and undoing twice is a clear error
    again = CliRunner().invoke(cli, ["triage", "unmerge", merge_id, "--db", db])
    assert again.exit_code == 1 and "no such merge in force" in again.output
    assert "papers/2" in CliRunner().invoke(cli, ["triage", "dedup", "--db", db, "--dry-run"]).stdout
