"""Decisions to and from ASReview: CSV/TSV `included` and RIS N1 notes survive a round trip."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from triage_helpers import triage_db

from extractor.cli import cli
from extractor.store import Store
from extractor.triage.schema import Decision, TriageStore, now

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
