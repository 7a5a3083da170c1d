"""Reporting commands: `failures` with none, `stats` by design, measure and corrections, `--db` help per command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from extractor.cli import cli
from extractor.store import Store, prepare_record
from extractor.types import Correction, Document, ExtractedValue, StudyUnit


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def _value(field: str, value: object) -> ExtractedValue:
    return ExtractedValue(field, value, None, None, 0.9, "rule:test.v1", chosen=True)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    store = Store(tmp_path / "s.db")
    run_id = store.start_run("extract", {}, [], "test")
    records = []
    for doc_id, design, measures in (("one", "rct", ["SMD", "OR"]), ("two", "rct", ["SMD"]),
                                     ("three", "cohort", ["HR"])):
        values = [_value("design", design), *(_value("effect", {"measure": m, "value": 0.5, "ci": None, "p": None})
                                               for m in measures)]
        document = Document(doc_id=doc_id, source_path=f"/tmp/{doc_id}.txt", format="text", text="Some text.")
        records.append(prepare_record(document, [StudyUnit(0, None, 0, 10, values)]))
    store.write_records(records, [], [], run_id, "")
    store.finish_run(run_id, {}, "complete")
    return store


def test_failures_with_none_says_no_failures(store: Store) -> None:
    result = run("failures", "--db", store.path)
    assert result.exit_code == 0
    assert result.stdout == "" and "no failures in run 1" in result.stderr


def test_stats_counts_studies_by_design_effects_by_measure_and_corrected_values(store: Store) -> None:
    figures = json.loads(run("stats", "--db", store.path, "--json").stdout)
    assert figures["by_design"] == {"rct": 2, "cohort": 1}
    assert figures["by_measure"] == {"SMD": 2, "HR": 1, "OR": 1}
    assert figures["corrected"] == {"corrections": 0, "documents": 0}
    store.add_correction(Correction("three", 0, "design", "cohort", "rct", "ana", "2026-01-01T00:00:00+00:00"))
    store.add_correction(Correction("one", 0, "effect", {"measure": "OR", "value": 0.5, "ci": None, "p": None},
                                    {"measure": "RR", "value": 0.5, "ci": None, "p": None}, "ana",
                                    "2026-01-01T00:00:00+00:00"))
    figures = json.loads(run("stats", "--db", store.path, "--json").stdout)
    assert figures["by_design"] == {"rct": 3}
    assert figures["by_measure"] == {"SMD": 2, "HR": 1, "RR": 1}
    assert figures["corrected"] == {"corrections": 2, "documents": 2}


def test_stats_tables_show_the_new_counts(store: Store) -> None:
    text = run("stats", "--db", store.path).stdout
    assert "studies by design" in text and "effects by measure" in text and "corrected values" in text


@pytest.mark.parametrize("command", [["show", "X"], ["stats"], ["review"], ["failures"], ["export"],
                                     ["correct", "X", "design"], ["annotations", "export"]])
def test_commands_that_refuse_a_missing_database_do_not_say_it_is_created(command: list[str]) -> None:
    text = " ".join(run(*command, "--help").stdout.split())
    assert "--db" in text and "created when missing" not in text and "must exist" in text


@pytest.mark.parametrize("command", [["show", "X"], ["stats"], ["failures"]])
def test_they_do_refuse_a_missing_database(command: list[str], tmp_path: Path) -> None:
    result = run(*command, "--db", str(tmp_path / "none.db"))
    assert result.exit_code == 1 and "no such database" in result.stderr
    assert not (tmp_path / "none.db").exists()


def test_extract_says_its_database_is_created_when_missing() -> None:
    assert "created when missing" in " ".join(run("extract", "--help").stdout.split())
