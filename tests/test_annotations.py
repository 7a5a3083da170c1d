"""Annotation files, agreement between annotators, consensus and undo (extractor/annotations.py, corrections.py)."""

from __future__ import annotations

import io
import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from sklearn.metrics import cohen_kappa_score

from conftest import CORPUS
from extractor.annotations import (
    BadAnnotationFile,
    agreement,
    annotator_studies,
    cohen_kappa,
    correct_towards,
    export_annotations,
    field_pairs,
    import_annotations,
    load_annotation_records,
    percent_agreement,
    settle,
)
from extractor.cli import cli
from extractor.corrections import CorrectionError, chosen_values, parse_value
from extractor.store import Store

PAGE = "example_pubmed_page"


@pytest.fixture(scope="module")
def corpus_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled corpus/ extracted once into a database that tests copy."""
    path = tmp_path_factory.mktemp("corpus") / "corpus.db"
    result = CliRunner().invoke(cli, ["extract", str(CORPUS), "--db", str(path), "-q"], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return path


def copy_db(source: Path, target: Path) -> Store:
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return Store(target)


@pytest.fixture
def store(corpus_db: Path, tmp_path: Path) -> Store:
    return copy_db(corpus_db, tmp_path / "x.db")


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args))


def size_of(store: Store, names: set[str] | None = None) -> dict:
    [unit] = annotator_studies(store, PAGE, names)
    return chosen_values(unit, "sample_size")[0]


# ---------------------------------------------------------------- kappa and percent agreement


@pytest.mark.parametrize(
    "pairs",
    [
        [("a", "a"), ("a", "b"), ("b", "b"), ("b", "b"), ("a", "a")],
        [("yes", "no"), ("no", "yes"), ("yes", "yes"), ("no", "no"), ("no", "no"), ("yes", "no")],
        [("rct", "rct"), ("cohort", "rct"), ("cohort", "cohort"), ("other", "cohort"), ("rct", "rct")],
        [("x", "y"), ("y", "x")],
    ],
)
def test_cohen_kappa_equals_scikit_learns(pairs: list[tuple[str, str]]) -> None:
    first, second = zip(*pairs, strict=True)
    assert cohen_kappa(pairs) == pytest.approx(cohen_kappa_score(first, second))


@pytest.mark.parametrize(
    ("pairs", "kappa", "percent"),
    [
        ([("a", "a"), ("a", "a")], None, 100.0),  # one label throughout: kappa undefined
        ([], None, None),
        ([("yes", "yes"), ("yes", "no"), ("no", "no"), ("no", "no")], 0.5, 75.0),
    ],
)
def test_kappa_and_percent_agreement_by_hand(pairs: list, kappa: float | None, percent: float | None) -> None:
    assert cohen_kappa(pairs) == (None if kappa is None else pytest.approx(kappa))
    assert percent_agreement(pairs) == percent


@pytest.mark.parametrize(
    ("field", "machine", "first", "second", "expected"),
    [
        ("design", ["rct"], ["rct"], ["cohort"], [('"rct"', '"cohort"')]),
        ("design", ["rct"], [], [], [("none", "none")]),
        ("outcome", ["PHQ-9", "GAD-7"], ["PHQ-9"], ["PHQ-9", "EPDS"],
         [("no", "yes"), ("no", "no"), ("yes", "yes")]),  # EPDS, GAD-7, PHQ-9 in sorted order
    ],
)
def test_field_pairs_are_one_item_per_single_value_and_per_list_member(
        field: str, machine: list, first: list, second: list, expected: list) -> None:
    assert field_pairs(field, machine, first, second) == expected


# ---------------------------------------------------------------- typed values


@pytest.mark.parametrize(
    ("field", "text", "previous", "expected"),
    [
        ("sample_size", "241", {"n": 240, "unit": "mothers"}, {"n": 241, "unit": "mothers"}),
        ("sample_size", "1,200 children", None, {"n": 1200, "unit": "children"}),
        ("sample_size", '{"n": 73, "unit": "pairs"}', None, {"n": 73, "unit": "pairs"}),
        ("design", "Cluster RCT", None, "cluster_rct"),
        ("effect", "md -1.6 [-2.7, -0.5] p=0.004", None, {"measure": "MD", "value": -1.6, "ci": [-2.7, -0.5], "p": 0.004}),
        ("effect", "OR 1.2 (0.9 to 1.5)", None, {"measure": "OR", "value": 1.2, "ci": [0.9, 1.5], "p": None}),
        ("registration", "nct 01234567", None, "NCT01234567"),
        ("outcome", "  maternal   sensitivity ", None, "maternal sensitivity"),
    ],
)
def test_typed_values_are_read_in_the_interchange_shape(field: str, text: str, previous, expected) -> None:
    assert parse_value(field, text, previous) == expected


@pytest.mark.parametrize(
    ("field", "text", "message"),
    [
        ("sample_size", "many", "not a sample size"),
        ("sample_size", "0 mothers", "not a sample size"),
        ("design", "randomised", "not a design"),
        ("effect", "XYZ 1.2", "not an effect measure"),
        ("effect", "MD 1.2 p=3", "not a probability"),
        ("registration", "12", "not a registry identifier"),
        ("outcome", "   ", "no value given"),
        ("colour", "red", "not a field"),
    ],
)
def test_bad_typed_values_are_refused_with_a_reason(field: str, text: str, message: str) -> None:
    with pytest.raises(CorrectionError, match=message):
        parse_value(field, text)


# ---------------------------------------------------------------- undo and the decision log


def test_an_undone_correction_stops_applying_and_cannot_be_undone_twice(store: Store) -> None:
    correct_towards(store, PAGE, 0, "sample_size", [{"n": 241, "unit": "mothers"}], "ana", "typo")
    [row] = store.correction_rows(PAGE)
    assert size_of(store) == {"n": 241, "unit": "mothers"}
    undo_id = store.undo_correction(row["id"], "ana")
    assert size_of(store)["n"] == 240
    assert exported(store) == []  # nothing left corrected to export
    with pytest.raises(CorrectionError, match="undone already"):
        store.undo_correction(row["id"], "ana")
    with pytest.raises(CorrectionError, match="an undo"):
        store.undo_correction(undo_id, "ana")
    actions = [(r["id"], r["action"], bool(r["undone"])) for r in store.correction_rows(PAGE)]
    assert actions == [(row["id"], "edit", True), (undo_id, "undo", False)]


def test_the_decision_log_is_written_by_the_database_and_append_only(store: Store) -> None:
    correct_towards(store, PAGE, 0, "outcome", ["GAD-7", "STAI"], "ana", "r")  # rejects EPDS, adds STAI
    correct_towards(store, PAGE, 0, "design", ["rct"], "ana", "r", accept_when_equal=True)
    logged = [(r["field"], r["action"]) for r in store.db.query("select * from decision_changes order by id")]
    assert logged == [("outcome", "reject"), ("outcome", "add"), ("design", "accept")]
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        store.db.execute("delete from decision_changes")


# ---------------------------------------------------------------- two annotators, agreement, consensus


def test_two_annotators_keep_their_own_records_until_consensus(store: Store) -> None:
    correct_towards(store, PAGE, 0, "sample_size", [{"n": 241, "unit": "mothers"}], "ana", "r")
    correct_towards(store, PAGE, 0, "outcome", ["GAD-7", "EPDS", "STAI"], "bob", "r")
    for name in ("ana", "bob"):
        store.mark_reviewed(PAGE, name)
    assert size_of(store, {"ana"})["n"] == 241 and size_of(store, {"bob"})["n"] == 240
    result = agreement(store, "ana", "bob")
    figures = {row.field: row for row in result.fields}
    assert result.documents == [PAGE]
    assert (figures["sample_size"].items, figures["sample_size"].agreed) == (1, 0)
    assert (figures["outcome"].items, figures["outcome"].agreed, figures["outcome"].percent) == (3, 2, pytest.approx(200 / 3))
    assert figures["design"].percent == 100.0 and figures["design"].kappa is None
    assert {(d.field, d.is_settled) for d in result.disagreements} == {("sample_size", False), ("outcome", False)}

    settle(store, PAGE, 0, "sample_size", [{"n": 240, "unit": "mothers"}], "cleo", ["ana", "bob"])
    settle(store, PAGE, 0, "outcome", ["GAD-7", "EPDS"], "cleo", ["ana", "bob"])
    [unit] = store.studies(PAGE)
    assert chosen_values(unit, "sample_size") == [{"n": 240, "unit": "mothers"}]
    assert sorted(chosen_values(unit, "outcome")) == ["EPDS", "GAD-7"]
    after = agreement(store, "ana", "bob")  # the consensus does not change either annotator's own record
    assert [row.agreed for row in after.fields] == [row.agreed for row in result.fields]
    assert all(d.is_settled for d in after.disagreements)


def test_agreement_cli_prints_kappa_per_field(store: Store) -> None:
    correct_towards(store, PAGE, 0, "design", ["cluster_rct"], "ana", "r")
    store.mark_reviewed(PAGE, "bob")
    result = invoke("annotations", "agreement", "--db", store.path)
    assert result.exit_code == 0, result.output
    assert "ana vs bob" in result.stdout
    [design] = [line for line in result.stdout.splitlines() if line.startswith("design\t")]
    assert design.split("\t")[1:4] == ["1", "0", "0.0"]


@pytest.mark.parametrize(("args", "message"), [(["ana", "ana"], "two different"), (["ana", "zed"], "zed: no corrections")])
def test_agreement_cli_explains_bad_annotator_names(store: Store, args: list[str], message: str) -> None:
    store.mark_reviewed(PAGE, "ana")
    result = invoke("annotations", "agreement", "--db", store.path, *args)
    assert result.exit_code == 1 and message in result.stderr


# ---------------------------------------------------------------- export and import


def exported(store: Store, names: set[str] | None = None) -> list[dict]:
    handle = io.StringIO()
    export_annotations(store, handle, names)
    return [json.loads(line) for line in handle.getvalue().splitlines()]


def test_export_writes_corrected_records_with_spans_and_no_document_text(store: Store) -> None:
    correct_towards(store, PAGE, 0, "sample_size", [{"n": 241, "unit": "mothers"}], "ana", "r",
                    spans={'{"n": 241, "unit": "mothers"}': (770, 800)})
    [record] = exported(store)
    study = record["studies"][0]
    assert (record["doc_id"], record["annotators"]) == (PAGE, ["ana"])
    assert study["sample_size"] == {"n": 241, "unit": "mothers"}
    [span] = [s for s in study["spans"] if s["field"] == "sample_size"]
    assert (span["start"], span["end"], span["source"]) == (770, 800, "annotator:ana")
    text = store.document(PAGE).text
    assert text[700:900] not in json.dumps(record) and "evidence" not in json.dumps(record)


def test_export_and_import_round_trip_into_a_fresh_database(store: Store, corpus_db: Path, tmp_path: Path) -> None:
    correct_towards(store, PAGE, 0, "sample_size", [{"n": 241, "unit": "mothers"}], "ana", "r")
    correct_towards(store, PAGE, 0, "outcome", ["GAD-7", "STAI"], "ana", "r")
    correct_towards(store, "example_deck", 1, "design", ["cohort"], "ana", "r")
    path = tmp_path / "annotations" / "ana.jsonl"
    result = invoke("annotations", "export", "--db", store.path, "--out", str(path))
    assert result.exit_code == 0 and "2 records written" in result.stderr
    fresh = copy_db(corpus_db, tmp_path / "fresh.db")
    result = invoke("annotations", "import", str(path), "--db", fresh.path)
    assert result.exit_code == 0 and "4 corrections added" in result.stderr, result.stderr
    again = invoke("annotations", "import", str(path), "--db", fresh.path)
    assert "0 corrections added" in again.stderr
    strip = lambda records: [{k: v for k, v in r.items() if k != "exported_at"} for r in records]  # noqa: E731
    assert strip(exported(fresh)) == strip(exported(store))
    assert {row["annotator"] for row in fresh.db.query("select annotator from corrections")} == {"ana"}


def test_import_of_a_gold_record_without_spans_sets_its_fields(store: Store, tmp_path: Path) -> None:
    gold = {"doc_id": PAGE, "title": "t", "studies": [{"label": None, "design": "rct", "sample_size": {"n": 214, "unit": "mothers"},
                                                     "outcomes": ["GAD-7"]}]}
    path = tmp_path / "gold.jsonl"
    path.write_text(json.dumps(gold) + "\n" + json.dumps({**gold, "doc_id": "not_here"}) + "\n")
    summary = import_annotations(store, path)
    assert summary.records == 1 and summary.skipped == ["not_here: not in the database; extract its file first"]
    [unit] = store.studies(PAGE)
    assert chosen_values(unit, "sample_size") == [{"n": 214, "unit": "mothers"}]
    assert chosen_values(unit, "outcome") == ["GAD-7"]
    assert len(chosen_values(unit, "effect")) == 2  # a key the file leaves out is not touched
    assert {row["annotator"] for row in store.db.query("select annotator from corrections")} == {"import:gold"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"doc_id": "a", "studies": []}\nnot json\n', "line 2: not JSON"),
        ('["a list"]\n', "line 1: not a record"),
        ('{"doc_id": "example_pubmed_page", "studies": [{"design": "randomised"}]}\n', "not a design"),
    ],
)
def test_a_bad_annotation_file_is_named_with_its_line(store: Store, tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(content)
    with pytest.raises(BadAnnotationFile, match=message):
        import_annotations(store, path)
    result = invoke("annotations", "import", str(path), "--db", store.path)
    assert result.exit_code == 1 and message in result.stderr and "Traceback" not in result.output


def test_load_annotation_records_reads_every_jsonl_file_in_name_order(tmp_path: Path) -> None:
    (tmp_path / "b.jsonl").write_text('{"doc_id": "d2", "studies": []}\n\n')
    (tmp_path / "a.jsonl").write_text('{"doc_id": "d1", "studies": [{"design": "rct"}]}\n')
    (tmp_path / "notes.txt").write_text("not read")
    records = list(load_annotation_records(tmp_path))
    assert [(r["doc_id"], r["annotation_file"]) for r in records] == [("d1", "a.jsonl"), ("d2", "b.jsonl")]
    (tmp_path / "c.jsonl").write_text("{oops\n")
    with pytest.raises(BadAnnotationFile, match=r"c.jsonl, line 1"):
        list(load_annotation_records(tmp_path))
