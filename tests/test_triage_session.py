"""The screening loop: hard filter, criteria ranking before decisions, retraining as decisions arrive,
append-only decisions with a change log."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from triage_helpers import triage_db

from extractor.cli import cli
from extractor.store import now
from extractor.store_triage import Decision, TriageStore
from extractor.triage.criteria import Criteria
from extractor.triage.ranker import Ranker
from extractor.triage.session import Session

CRITERIA = Criteria(designs=("rct", "cluster_rct"), min_sample_size=50, outcome_keywords=("night waking",),
                    population_keywords=("toddler",))


def test_hard_criteria_set_records_aside_and_keywords_rank_before_any_decision(tmp_path: Path) -> None:
    session = Session(triage_db(tmp_path, CRITERIA))
    aside = {c.doc_id: c.verdict.reasons for c in session.filtered()}
    assert "papers/10.1000/b2" in aside  # a cohort of 30
    assert any("design cohort" in reason for reason in aside["papers/10.1000/b2"])
    ranked = [c.doc_id for c in session.ranked()]
    assert set(ranked).isdisjoint(aside)
    assert not session.ranker.fitted
    # the trials of toddlers with night waking come before the parking survey-like records
    assert ranked[0] in {"papers/10.1000/c3", "papers/10.1000/a1", "papers/10.1000/e5"}


def test_the_model_is_refitted_after_each_decision_and_reorders_the_queue(tmp_path: Path) -> None:
    session = Session(triage_db(tmp_path))
    assert not session.ranker.fitted
    session.decide("papers/10.1000/a1", "include", "ana", "toddler sleep trial")
    assert not session.ranker.fitted  # one class only: criteria order still
    session.decide("papers/10.1000/d4", "exclude", "ana")
    assert session.ranker.fitted
    first_model = session.ranker.models[0]
    ranked = [c.doc_id for c in session.ranked()]
    # the other toddler-sleep records rank above the other hospital-parking record
    assert ranked.index("papers/10.1000/e5") < ranked.index("papers/10.1000/f6")
    assert ranked.index("papers/10.1000/c3") < ranked.index("papers/10.1000/f6")
    session.decide(ranked[0], "include", "ana")
    assert session.ranker.models[0] is not first_model
    assert ranked[0] not in [c.doc_id for c in session.ranked()]
    [row] = session.tstore.history(ranked[0])
    assert (row.who, row.source, row.ranker) == ("ana", "screen", "tfidf-svm@2")


@pytest.mark.parametrize(("labels", "fitted"), [([1, 1], False), ([0, 0], False), ([1, 0], True)])
def test_the_ranker_needs_an_include_and_an_exclude(labels: list[int], fitted: bool) -> None:
    from scipy.sparse import csr_matrix

    ranker = Ranker()
    assert ranker.fit(csr_matrix(np.eye(2)), np.array(labels)) is fitted


def test_decisions_are_append_only_and_changes_are_logged_by_the_trigger(tmp_path: Path) -> None:
    tstore = triage_db(tmp_path)
    tstore.decide(Decision("papers/10.1000/a1", "maybe", "ana", now(), "check the full text"))
    tstore.decide(Decision("papers/10.1000/a1", "maybe", "ana", now()))
    tstore.decide(Decision("papers/10.1000/a1", "include", "bo", now(), "full text read"))
    assert [d.decision for d in tstore.history("papers/10.1000/a1")] == ["maybe", "maybe", "include"]
    [change] = tstore.changes()
    assert (change["decision_before"], change["decision_after"], change["who"]) == ("maybe", "include", "bo")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        tstore.db.execute("update triage_decisions set decision = 'exclude'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        tstore.db.execute("delete from triage_decisions")
    with pytest.raises(sqlite3.DatabaseError, match="include, exclude or maybe"):
        tstore.decide(Decision("papers/10.1000/a1", "perhaps", "ana", now()))


def test_next_takes_one_keystroke_per_decision_with_an_optional_reason(tmp_path: Path) -> None:
    triage_db(tmp_path)
    db = str(tmp_path / "triage.db")
    result = CliRunner().invoke(cli, ["triage", "next", "--db", db, "--who", "ana"], input="i e rnot a trial\nm s q",
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    tstore = TriageStore(db)
    decisions = list(tstore.db.query("select decision, reason, who from triage_decisions order by id"))
    assert [(d["decision"], d["reason"], d["who"]) for d in decisions] == [
        ("include", None, "ana"), ("exclude", None, "ana"), ("maybe", "not a trial", "ana")]


def test_triage_before_init_is_one_clear_line(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    from extractor.store import Store

    Store(db).close()
    result = CliRunner().invoke(cli, ["triage", "next", "--db", str(db)])
    assert result.exit_code == 1
    assert "no triage criteria yet" in result.output and "triage init" in result.output


def test_init_reads_the_criteria_file_and_reports_what_it_set_aside(tmp_path: Path) -> None:
    triage_db(tmp_path)
    criteria = tmp_path / "criteria.toml"
    criteria.write_text('designs = ["rct"]\nmin_sample_size = 50\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["triage", "init", "--db", str(tmp_path / "triage.db"), "--criteria",
                                      str(criteria)], catch_exceptions=False)
    assert result.exit_code == 0
    assert "7 records" in result.output and "set aside" in result.output
    assert TriageStore(tmp_path / "triage.db").criteria() == Criteria(designs=("rct",), min_sample_size=50)


def test_undo_takes_back_the_screeners_last_decision_and_returns_the_record_to_the_pool(tmp_path: Path) -> None:
    session = Session(triage_db(tmp_path))
    session.decide("papers/10.1000/a1", "include", "ana")
    session.decide("papers/10.1000/d4", "exclude", "ana")
    session.decide("papers/10.1000/c3", "exclude", "bo")  # another screener's decision is not ana's to undo
    assert session.ranker.fitted
    assert session.undo_last("ana") == ("papers/10.1000/d4", "exclude")
    assert "papers/10.1000/d4" in [c.doc_id for c in session.ranked()]
    assert session.tstore.current_decisions() == {"papers/10.1000/a1": "include", "papers/10.1000/c3": "exclude"}
    assert session.undo_last("ana") == ("papers/10.1000/a1", "include")  # again: the one before
    assert session.undo_last("ana") is None
    assert session.decisions == {"papers/10.1000/c3": "exclude"} and not session.ranker.fitted
    # the decision rows stay; the change log says what was taken back
    assert [d.decision for d in session.tstore.history("papers/10.1000/d4")] == ["exclude"]
    assert [(c["doc_id"], c["decision_after"]) for c in session.tstore.changes()] == [
        ("papers/10.1000/d4", "undone"), ("papers/10.1000/a1", "undone")]
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        session.tstore.db.execute("delete from triage_undos")


def test_undoing_a_changed_decision_restores_the_one_before(tmp_path: Path) -> None:
    session = Session(triage_db(tmp_path))
    session.decide("papers/10.1000/a1", "maybe", "ana")
    session.decide("papers/10.1000/a1", "include", "ana")
    assert session.undo_last("ana") == ("papers/10.1000/a1", "include")
    assert session.decisions["papers/10.1000/a1"] == "maybe"
    session.decide("papers/10.1000/a1", "exclude", "ana")  # a change from the decision in force, maybe
    assert [(c["decision_before"], c["decision_after"]) for c in session.tstore.changes()] == [
        ("maybe", "include"), ("include", "undone"), ("maybe", "exclude")]


def test_next_undo_key_shows_the_record_again_and_the_new_decision_replaces_it(tmp_path: Path) -> None:
    triage_db(tmp_path)
    db = str(tmp_path / "triage.db")
    result = CliRunner().invoke(cli, ["triage", "next", "--db", db, "--who", "ana"], input="i u e q",
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    [first] = re.findall(r"^include (\S+)$", result.output, re.MULTILINE)
    assert f"undone: include {first}" in result.output
    # after the undo the same record is shown and decided again
    assert result.output.split("undone:", 1)[1].split("\n", 1)[1].count(first) >= 1
    assert TriageStore(db).current_decisions() == {first: "exclude"}


def test_next_prints_stopping_guidance(tmp_path: Path) -> None:
    triage_db(tmp_path)
    result = CliRunner().invoke(cli, ["triage", "next", "--db", str(tmp_path / "triage.db"), "--who", "ana"],
                                input="i e q", catch_exceptions=False)
    assert "0 screened since the last include" in result.output
    assert "1 screened since the last include" in result.output  # after one include, one exclude
    assert "too early to estimate" in result.output


@pytest.mark.parametrize(("labels", "mean_one", "expected"), [
    ([1, 0, 0, 0, 0], False, [1.0, 0.0625, 0.0625, 0.0625, 0.0625]),  # excludes together weigh 1 / ratio (4)
    ([1, 0, 0, 0, 0], True, [4.0, 0.25, 0.25, 0.25, 0.25]),  # the same ratio, scaled to a mean of 1
    ([1, 1, 0, 0], True, [1.6, 1.6, 0.4, 0.4]),
])
def test_sample_weights_keep_the_class_ratio_and_can_average_one(labels: list[int], mean_one: bool,
                                                                 expected: list[float]) -> None:
    from extractor.triage.ranker import sample_weights

    weights = sample_weights(np.array(labels), 4.0, mean_one)
    assert weights.tolist() == pytest.approx(expected)


def test_the_apps_screening_session_sees_an_undo_made_in_the_terminal(tmp_path: Path) -> None:
    from extractor.review.screening import Sessions

    triage_db(tmp_path).close()
    sessions = Sessions(tmp_path / "triage.db")
    app_session = sessions.get()
    terminal = Session(TriageStore(tmp_path / "triage.db"))
    terminal.decide("papers/10.1000/a1", "include", "ana")
    assert sessions.get().decisions == {"papers/10.1000/a1": "include"}
    terminal.undo_last("ana")
    rebuilt = sessions.get()
    assert rebuilt is not app_session and rebuilt.decisions == {}
