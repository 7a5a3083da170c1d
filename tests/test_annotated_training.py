"""Annotators' records feed the trainers: exported corrections are found again with their documents."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import CORPUS
from extractor.annotations import export_annotations
from extractor.cli import cli
from extractor.store import Store
from extractor.training.annotated import annotated_studies
from extractor.training.design import annotated_examples
from extractor.training.sample_size import annotated_abstracts

PAGE = CORPUS / "example_pubmed_page.txt"


@pytest.fixture(scope="module")
def annotated_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A database of the example page with one corrected sample size and design, exported to annotations/."""
    folder = tmp_path_factory.mktemp("annotated")
    db = folder / "x.db"
    runner = CliRunner()
    assert runner.invoke(cli, ["extract", str(PAGE), "--db", str(db), "-q"]).exit_code == 0
    for field, value in (("sample_size", '{"n": 241, "unit": "mothers"}'), ("design", "cluster_rct")):
        result = runner.invoke(cli, ["correct", "example_pubmed_page", field, value, "--db", str(db),
                                     "--annotator", "ana"])
        assert result.exit_code == 0, result.output
    annotations = folder / "annotations"
    annotations.mkdir()
    with open(annotations / "ana.jsonl", "w", encoding="utf-8") as handle:
        assert export_annotations(Store(db), handle) == 1
    return db, annotations


@pytest.mark.parametrize("where", ["database", "file", "folder"])
def test_annotated_records_find_their_documents(annotated_db: tuple[Path, Path], where: str) -> None:
    db, annotations = annotated_db
    place = {"database": db, "file": PAGE, "folder": CORPUS}[where]
    found = annotated_studies(annotations, [place])
    assert found.counts["records matched"] == 1
    study = found.studies[0]
    assert study.study["sample_size"] == {"n": 241, "unit": "mothers"}
    assert study.annotation_file == "ana.jsonl"
    assert "randomi" in study.text.lower()


def test_a_record_whose_document_is_missing_is_counted_not_guessed(annotated_db: tuple[Path, Path],
                                                                   tmp_path: Path) -> None:
    _, annotations = annotated_db
    found = annotated_studies(annotations, [tmp_path])
    assert found.studies == [] and found.counts["records without their document"] == 1


def test_an_empty_annotations_folder_adds_nothing(tmp_path: Path) -> None:
    found = annotated_studies(tmp_path, [CORPUS])
    assert found.studies == [] and found.counts["records"] == 0


def test_annotated_design_trains_with_its_cue_masked(annotated_db: tuple[Path, Path]) -> None:
    _, annotations = annotated_db
    examples = annotated_examples(annotated_studies(annotations, [PAGE]).studies)
    assert [(e.label, e.source) for e in examples] == [("cluster_rct", "annotations/ana.jsonl")]
    assert "designcue" in examples[0].text


def test_annotated_sample_size_becomes_a_training_abstract(annotated_db: tuple[Path, Path]) -> None:
    _, annotations = annotated_db
    abstracts = annotated_abstracts(annotated_studies(annotations, [PAGE]).studies)
    assert [(a.source, a.split, a.gold) for a in abstracts] == [("annotations", "train", 241)]


def test_annotated_examples_go_to_train_and_win_over_weak_labels(annotated_db: tuple[Path, Path],
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from extractor.training import design as design_training

    _, annotations = annotated_db
    examples = annotated_examples(annotated_studies(annotations, [PAGE]).studies)
    weak = design_training.Example(examples[0].key, "other text", "rct", "design_corpus", None)
    monkeypatch.setattr(design_training, "design_corpus_examples", lambda shared: [weak])
    monkeypatch.setattr(design_training, "format_examples", lambda shared: [])
    monkeypatch.setattr(design_training, "screening_examples", lambda shared: [])
    splits, info = design_training.load_examples(Path("."), annotated=examples)
    assert splits["train"] == examples and not splits["dev"] and not splits["test"]
    assert info["dropped"] == {"duplicate title": 1}


def test_annotated_outcomes_become_partly_labelled_training_documents(annotated_db: tuple[Path, Path]) -> None:
    from extractor.models.outcome_spans import LABEL, label_runs
    from extractor.training.outcome_spans import ANNOTATIONS, UNLABELLED, annotated_documents

    db, annotations = annotated_db
    [study] = annotated_studies(annotations, [PAGE]).studies
    [document] = annotated_documents([study])
    assert (document.source, document.split) == (ANNOTATIONS, "train")
    assert set(document.labels) == {LABEL, UNLABELLED}  # nothing is said to be outside an outcome
    expected = [study.text[s["start"]:s["end"]] for s in study.spans if s["field"] == "outcome"]
    assert expected and len(expected) == len(study.study["outcomes"])
    offsets = document.token_offsets()
    runs = [document.text[offsets[first][0]:offsets[last - 1][1]] for first, last in label_runs(document.labels)]
    assert sorted(" ".join(run.split()) for run in runs) == sorted(" ".join(text.split()) for text in expected)


def test_a_study_without_outcome_spans_adds_no_outcome_document(annotated_db: tuple[Path, Path]) -> None:
    from dataclasses import replace

    from extractor.training.outcome_spans import annotated_documents

    _, annotations = annotated_db
    [study] = annotated_studies(annotations, [PAGE]).studies
    bare = replace(study, spans=[s for s in study.spans if s["field"] != "outcome"])
    assert annotated_documents([bare]) == []


def test_the_exported_file_is_plain_interchange_jsonl(annotated_db: tuple[Path, Path]) -> None:
    _, annotations = annotated_db
    record = json.loads((annotations / "ana.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert record["doc_id"] == "example_pubmed_page" and record["content_hash"]
    assert "text" not in record  # the repository keeps no document text


def test_train_passes_annotations_and_documents_to_every_trainer(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from extractor import training

    seen: list[list[str]] = []

    def echo(argv: list[str]) -> int:
        seen.append(list(argv))
        return 0

    monkeypatch.setattr(training, "TRAINERS", ("echo",))
    monkeypatch.setattr(training, "trainer", lambda name: echo)
    assert training.train(tmp_path, None, tmp_path / "annotations", ["a.db", "corpus"]) == [("echo", 0)]
    assert seen == [[
        "--shared", str(tmp_path), "--annotations", str(tmp_path / "annotations"),
        "--documents", "a.db", "--documents", "corpus"]]
