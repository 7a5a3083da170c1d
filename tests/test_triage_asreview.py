"""Decisions to and from ASReview: CSV/TSV `included` and RIS N1 notes survive a round trip."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner
from triage_helpers import triage_db, write_papers

from extractor.batch.options import ExtractOptions
from extractor.batch.run import run_extract
from extractor.cli import cli
from extractor.store import Store, now
from extractor.store_triage import Decision, TriageStore
from extractor.triage.asreview import import_decisions

DECIDED = {"papers/10.1000/a1": "include", "papers/10.1000/b2": "exclude", "papers/10.1000/c3": "maybe",
           "papers/10.1000/e5": "include"}
# maybe has no ASReview counterpart: it travels as not seen
EXPECTED_BY_TITLE_START = {"Parent coaching": "include", "A cohort study": "exclude", "Bedtime routines": "include"}


def _decide(tstore: TriageStore) -> None:
    tstore.decide_many([Decision(doc_id, decision, "ana", now()) for doc_id, decision in DECIDED.items()])


def _decisions_by_title(tstore: TriageStore) -> dict[str, str]:
    titles = {row["doc_id"]: row["title"] for row in tstore.db.query("select doc_id, title from documents")}
    starts = ("Parent coaching", "A cohort study", "Bedtime routines", "Night waking")
    return {next((key for key in starts if titles[doc_id].startswith(key)), titles[doc_id]): decision
            for doc_id, decision in tstore.current_decisions().items()}


@pytest.mark.parametrize("fmt", ["csv", "tsv", "ris"])
def test_decisions_survive_export_and_import_into_a_new_database(tmp_path: Path, fmt: str) -> None:
    source = triage_db(tmp_path)
    _decide(source)
    exported = tmp_path / f"decisions.{fmt}"
    runner = CliRunner()
    result = runner.invoke(cli, ["triage", "export", "--db", str(tmp_path / "triage.db"), "--format", fmt,
                                 "--out", str(exported)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    text = exported.read_text(encoding="utf-8")
    if fmt == "ris":
        assert text.count("N1  - ASReview_relevant") == 2
        assert text.count("N1  - ASReview_irrelevant") == 1
        assert text.count("N1  - ASReview_not_seen") == 4
    else:
        assert text.splitlines()[0].split("," if fmt == "csv" else "\t")[-1] == "included"
    fresh = tmp_path / "fresh.db"
    imported = runner.invoke(cli, ["triage", "import", str(exported), "--db", str(fresh), "--who", "bo",
                                   "--rules-only"], catch_exceptions=False)
    assert imported.exit_code == 0, imported.output
    assert "7 added; 3 decisions recorded" in imported.output
    target = TriageStore(fresh)
    assert _decisions_by_title(target) == EXPECTED_BY_TITLE_START
    assert {d.who for doc in target.current_decisions() for d in target.history(doc)} == {"bo"}
    assert {d.source for doc in target.current_decisions() for d in target.history(doc)} == {f"import:{exported.name}"}


def test_importing_into_the_same_database_matches_records_and_changes_only_what_differs(tmp_path: Path) -> None:
    tstore = triage_db(tmp_path)
    _decide(tstore)
    exported = tmp_path / "asreview.csv"
    db = str(tmp_path / "triage.db")
    CliRunner().invoke(cli, ["triage", "export", "--db", db, "--out", str(exported)], catch_exceptions=False)
    # a colleague in ASReview turns one include into an exclude
    text = exported.read_text(encoding="utf-8").splitlines()
    edited = [line[:-1] + "0" if line.startswith("papers/10.1000/e5,") else line for line in text]
    exported.write_text("\n".join(edited) + "\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["triage", "import", str(exported), "--db", db, "--who", "bo"],
                                catch_exceptions=False)
    assert "7 matched, 0 added; 1 decisions recorded, 2 unchanged" in result.output
    assert tstore.current_decisions()["papers/10.1000/e5"] == "exclude"
    [change] = tstore.changes()
    assert (change["doc_id"], change["decision_before"], change["decision_after"], change["who"]) == (
        "papers/10.1000/e5", "include", "exclude", "bo")
    assert Store(db).db["documents"].count == 7


def test_importing_a_file_without_titles_or_abstracts_is_one_clear_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("id,score\n1,2\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["triage", "import", str(bad), "--db", str(tmp_path / "x.db")])
    assert result.exit_code == 1
    assert "bad.csv" in result.output and "no title or abstract column" in result.output
    assert "Traceback" not in result.output


# An ASReview file that shares its name with a file already extracted: its second row (no DOI, so keyed by
# its row number) gets the doc_id of a different paper, papers/2.
CLASHING_ROWS = [
    ("title", "abstract", "year", "doi", "included"),
    ("Peer support for new fathers: a randomised trial", "We randomised 90 fathers to peer support.", 2020,
     "10.1000/z9", "0"),
    ("Music therapy for infant colic", "A trial of music therapy in 60 infants with colic.", 2017, "", "1"),
]


def _write_rows(path: Path, rows: list[tuple[object, ...]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


def _extracted(tmp_path: Path, name: str) -> Path:
    db = tmp_path / name
    store = Store(db)
    run_extract([str(write_papers(_folder(tmp_path / "first") / "papers.csv"))], store,
                ExtractOptions(use_models=False))
    store.close()
    return db


def _folder(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.mark.parametrize("clashing_id", ["papers/2"])
def test_a_triage_import_writes_as_an_extraction_run_does(tmp_path: Path, clashing_id: str) -> None:
    labels = _write_rows(tmp_path / "second" / "papers.csv", CLASHING_ROWS)
    # the extraction run's result for the same file
    extracted = Store(_extracted(tmp_path, "extract.db"))
    run_extract([str(labels)], extracted, ExtractOptions(use_models=False))
    expected_ids = extracted.doc_ids_for_source(str(labels))
    assert f"{clashing_id}~2" in expected_ids
    # the triage import of it
    tstore = TriageStore(_extracted(tmp_path, "triage.db"))
    summary = import_decisions(tstore, labels, "bo", use_models=False)
    assert (summary.matched, summary.added, summary.decisions) == (0, 2, 2)
    assert summary.notices == [f"{labels}: doc_id {clashing_id} is taken by another file; stored as {clashing_id}~2"]
    store = tstore.store
    assert store.doc_ids_for_source(str(labels)) == expected_ids
    assert tstore.current_decisions()[f"{clashing_id}~2"] == "include"
    assert clashing_id not in tstore.current_decisions()
    assert store.document(clashing_id).title.startswith("Parent coaching")  # the other file's paper is untouched
    source = store.source(str(labels))
    assert source is not None
    assert {key: source[key] for key in ("sha256", "size", "format", "documents", "failures", "status",
                                         "extraction_version", "run_id")} == {
        **{key: extracted.source(str(labels))[key] for key in ("sha256", "size", "format", "documents", "failures",
                                                               "status", "extraction_version")},
        "run_id": store.last_run_id()}
    assert store.machine_studies(f"{clashing_id}~2") == extracted.machine_studies(f"{clashing_id}~2")
    # importing the file again finds its records; an extraction run afterwards finds the file done
    assert (import_decisions(tstore, labels, "bo", use_models=False).matched, store.db["documents"].count) == (2, 9)
    again = run_extract([str(labels)], store, ExtractOptions(use_models=False))
    assert (again.files_skipped, again.documents_written) == (1, 0)
