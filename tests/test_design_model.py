"""The design classifier: masking, weak labels, a tiny training run that saves, loads and predicts,
and the committed model."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from extractor.models import design
from extractor.models.design import predict_design
from extractor.training import design as design_training
from extractor.training.design import MASK, auroc, hash_split, mask, publication_type_label, title_design

COMMITTED = Path(__file__).resolve().parents[1] / "models" / "design"


@pytest.mark.parametrize(
    ("text", "phrases", "expected"),
    [
        ("A randomised controlled trial of X", ["randomised controlled trial"], f"A {MASK} of X"),
        (
            "Cluster-randomized trial. A cluster randomized design.",
            ["cluster-randomized"],
            f"{MASK} trial. A {MASK} design.",
        ),
        ("No cue here", [None, ""], "No cue here"),
    ],
)
def test_mask_replaces_every_occurrence_of_the_phrase(text: str, phrases: list, expected: str) -> None:
    assert mask(text, phrases) == expected


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Effect of exercise on back pain: a randomised controlled trial", "rct"),
        ("School programmes for anxiety: a systematic review", "systematic_review"),
        ("Exercise and back pain in adults", None),
    ],
)
def test_title_design_keeps_only_confident_title_cues(title: str, expected: str | None) -> None:
    found = title_design(title)
    assert (found[0] if found else None) == expected


@pytest.mark.parametrize(
    ("types", "expected"),
    [
        (["Journal Article", "Randomized Controlled Trial"], "rct"),
        (["Review", "Systematic Review"], "systematic_review"),
        (["Journal Article", "Case Reports"], "case_report"),
        (["Journal Article"], None),
        (["Meta-Analysis", "Case Reports"], None),
    ],
)
def test_publication_type_label_needs_one_label(types: list[str], expected: str | None) -> None:
    assert publication_type_label(types) == expected


@pytest.mark.parametrize(("scores", "positive", "expected"), [([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1], 0.75)])
def test_auroc_counts_ranked_pairs(scores: list[float], positive: list[int], expected: float) -> None:
    assert auroc(scores, [bool(p) for p in positive]) == pytest.approx(expected)


@pytest.mark.parametrize("key", ["a randomised trial of x"])
def test_hash_split_is_fixed(key: str) -> None:
    assert hash_split(key) == hash_split(key) in design_training.SPLITS


# ---------------------------------------------------------------- a tiny ../shared

_TRIAL = (
    "Participants were randomly allocated by a computer-generated sequence to the intervention or "
    "waiting-list group; assessors were blinded and outcomes were measured at 12 weeks."
)
_REVIEW = (
    "We searched MEDLINE, Embase and PsycINFO, screened records in duplicate, included studies that met "
    "the eligibility criteria and assessed risk of bias."
)
_CASE = (
    "We describe a 54-year-old man who presented with fever and a rash; the lesion resolved after "
    "treatment and the patient was discharged."
)
_TOPICS = [
    "back pain",
    "depression",
    "asthma",
    "obesity",
    "insomnia",
    "anxiety",
    "smoking",
    "diabetes",
    "migraine",
    "eczema",
    "reading",
    "falls",
]


def _write_tiny_shared(shared: Path) -> None:
    (shared / "screening").mkdir(parents=True)
    rows = []
    for number in range(60):
        topic = f"{_TOPICS[number % len(_TOPICS)]} {number}"
        kind = number % 3
        if kind == 0:
            rows.append((f"Coaching for {topic}: a randomised controlled trial", f"{_TRIAL} Topic {topic}."))
        elif kind == 1:
            rows.append((f"Treatments for {topic}: a systematic review", f"{_REVIEW} Topic {topic}."))
        else:
            rows.append((f"Unusual {topic}: a case report", f"{_CASE} Topic {topic}."))
    with open(shared / "screening" / "tiny.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["record_id", "title", "abstract", "label_included"])
        for number, (title, abstract) in enumerate(rows):
            writer.writerow([number, title, abstract, 0])
    corpus = shared / "data" / "design_corpus"
    corpus.mkdir(parents=True)
    record = {
        "id": "d1",
        "title": "A cluster randomised trial in schools",
        "design": "cluster_rct",
        "evidence": "cluster randomised trial",
        "text": "A cluster randomised trial in schools\n\nTwenty schools were allocated to two arms.",
    }
    (corpus / "design.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """A model trained in seconds on 60 screening-like records and one design-corpus record."""
    shared = tmp_path_factory.mktemp("shared")
    _write_tiny_shared(shared)
    out = tmp_path_factory.mktemp("model") / "design"
    metrics = design_training.train(shared, out, regularisation=(10.0,), held_out=[])
    return out, metrics


def test_tiny_training_masks_the_title_cue(tiny_model: tuple[Path, dict]) -> None:
    _, metrics = tiny_model
    assert metrics["data"]["labels_by_source"]["screening"] == {
        "case_report": 20,
        "rct": 20,
        "systematic_review": 20,
    }
    assert metrics["data"]["labels_by_source"]["design_corpus"] == {"cluster_rct": 1}


def test_tiny_model_saves_loads_and_predicts(tiny_model: tuple[Path, dict]) -> None:
    out, metrics = tiny_model
    assert (out / "model.json").is_file() and (out / "weights.npz").is_file()
    model = design.load(out)
    ranked = predict_design(f"Sleep hygiene for nurses\n\n{_REVIEW}", model=model)
    assert ranked[0][0] == "systematic_review"
    assert sum(probability for _, probability in ranked) == pytest.approx(1.0)
    assert metrics["temperature"] > 0


def test_missing_sources_raise_no_training_data(tmp_path: Path) -> None:
    with pytest.raises(design_training.NoTrainingData):
        design_training.train(tmp_path, tmp_path / "model", held_out=[])


# ---------------------------------------------------------------- the committed model


@pytest.mark.skipif(not (COMMITTED / "model.json").is_file(), reason="no committed design model")
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Participants were allocated by a computer-generated sequence to the intervention or waiting-list group.",
            "rct",
        ),
        (
            "We searched MEDLINE, Embase and CINAHL from inception, screened titles and abstracts in duplicate and "
            "assessed the risk of bias of included studies.",
            "systematic_review",
        ),
    ],
)
def test_committed_model_reads_design_without_the_keyword(text: str, expected: str) -> None:
    ranked = dict(predict_design(text))
    assert max(ranked, key=ranked.get) == expected
    if expected == "rct":
        assert ranked["rct"] + ranked.get("cluster_rct", 0.0) > 0.5


@pytest.mark.skipif(not (COMMITTED / "model.json").is_file(), reason="no committed design model")
def test_committed_model_loads_without_shared_and_is_small() -> None:
    model = design.load(COMMITTED)
    assert set(model.classes) <= set(design.LABELS)
    assert sum(path.stat().st_size for path in COMMITTED.iterdir()) < 5_000_000
    assert np.isfinite(model.coef).all()


def test_without_a_review_cue_the_model_gives_a_primary_design(monkeypatch: pytest.MonkeyPatch) -> None:
    from extractor.extract import design as design_field
    from extractor.extract.registry import UnitContext
    from extractor.readers.text import parse_plain_text
    from extractor.textlayer import analyse
    from extractor.types import ExtractedValue

    text = "Mothers' stress at two years and their children's language a year later, in families on low incomes."
    document = parse_plain_text(text, "x.txt")
    context = UnitContext(document, analyse(text), 0, len(text), single=False)
    monkeypatch.setattr(design, "predict_design", lambda _: [("meta_analysis", 0.4), ("cohort", 0.3), ("rct", 0.1)])
    [proposed] = design_field._from_model([], context)
    assert (proposed.value, proposed.confidence) == ("cohort", 0.3)
    review_cue = ExtractedValue("design", "systematic_review", 0, 5, 0.4, "rule:design.cue5.v3")
    [proposed] = design_field._from_model([review_cue], context)
    assert (proposed.value, proposed.confidence) == ("meta_analysis", 0.4)
