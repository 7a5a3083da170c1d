"""Calibrated confidence: isotonic curves, reliability tables, the chooser's score, threshold tuning by CV."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from extractor.evaluation import cross_validate, fold_of
from extractor.extract import choice
from extractor.extract.design import SPEC as DESIGN
from extractor.extract.design import rechoose
from extractor.models import calibration as calibration_module
from extractor.models.calibration import Calibration, Curve, fit_isotonic, parse, reliability
from extractor.training.design import mesh_label
from extractor.types import ExtractedValue


def test_isotonic_curve_is_increasing_and_follows_the_share_right() -> None:
    rng = np.random.default_rng(0)
    raw = rng.uniform(0, 1, 2000)
    right = rng.uniform(0, 1, 2000) < raw**2  # the raw score overstates: right with probability raw²
    curve = fit_isotonic(raw, right)
    assert list(curve.y) == sorted(curve.y)
    assert curve(0.9) == pytest.approx(0.81, abs=0.08)
    assert curve(0.3) == pytest.approx(0.09, abs=0.08)
    calibrated = [curve(x) for x in raw]
    assert reliability(calibrated, right)["ece"] < reliability(raw, right)["ece"]


def test_isotonic_curve_of_one_block_is_flat() -> None:
    curve = fit_isotonic([0.9, 0.8, 0.7], [True, True, True])
    assert curve(0.1) == curve(0.95)


def test_reliability_table_bins_and_error() -> None:
    table = reliability([0.95, 0.95, 0.15, 0.15], [True, False, False, False])
    assert [row["n"] for row in table["bins"]] == [2, 2]
    assert table["bins"][1]["accuracy"] == 0.5
    # |0.15 - 0| and |0.95 - 0.5|, each half the records
    assert table["ece"] == pytest.approx(0.5 * 0.15 + 0.5 * 0.45)
    assert reliability([1.0], [True])["bins"][0]["high"] == 1.0


def test_longest_source_prefix_applies_and_unknown_sources_keep_their_confidence() -> None:
    table = Calibration("design", {"rule:design": Curve((0.0, 1.0), (0.1, 0.5)),
                                   "rule:design.cue3": Curve((0.0, 1.0), (0.2, 0.9))})  # fmt: skip
    assert table.probability("rule:design.cue3.v2", 1.0) == pytest.approx(0.9)
    assert table.probability("rule:design.cue4.v2", 1.0) == pytest.approx(0.5)
    assert table.probability("annotator:ann", 1.0) is None
    assert parse(json.loads(json.dumps(table.as_json()))) == table


def _value(label: str, confidence: float, source: str) -> ExtractedValue:
    return ExtractedValue("design", label, None, None, confidence, source, attributes={})


def test_the_chooser_stores_the_calibrated_probability(monkeypatch: pytest.MonkeyPatch) -> None:
    table = Calibration("design", {"rule:design": Curve((0.0, 1.0), (0.0, 0.5))})
    monkeypatch.setattr(choice, "calibration", lambda field: table if field == "design" else None)
    raw = _value("cohort", 0.8, "rule:design.cue1.v2")
    assert choice.score(DESIGN, raw) == pytest.approx(0.4)
    (stored,) = choice.calibrated(DESIGN, [raw])
    assert stored.confidence == pytest.approx(0.4) and stored.attributes["raw_confidence"] == 0.8
    assert choice.score(DESIGN, stored) == pytest.approx(0.4)  # not calibrated twice
    model = _value("rct", 0.7, "model:design@2")
    assert choice.calibrated(DESIGN, [model]) == [model]  # no curve for models: unchanged


def test_committed_calibration_is_read_when_present() -> None:
    table = calibration_module.calibration("design")
    if table is None:
        pytest.skip("no models/design/calibration.json committed")
    assert {"rule:design", "model:design"} <= set(table.kinds)
    for curve in table.kinds.values():
        assert list(curve.y) == sorted(curve.y) and curve.y[0] >= 0.0 and curve.y[-1] <= 1.0


LIMITS = {"design_min_confidence": 0.3, "design_rule_trusted": 0.7, "design_model_min_probability": 0.5}


@pytest.mark.parametrize(
    ("candidates", "expected"),
    [
        ([("rule", "rct", 0.9), ("model", "cohort", 0.8)], "rct"),  # trusted rule: the model is not asked
        ([("rule", "rct", 0.6), ("model", "cohort", 0.65)], "cohort"),  # unsure rule, more probable model
        ([("rule", "rct", 0.6), ("model", "cohort", 0.55)], "rct"),  # unsure rule, less probable model
        ([("rule", "rct", 0.2), ("model", "cohort", 0.4)], None),  # neither reaches its floor: abstain
        ([("model", "meta_analysis", 0.6)], "meta_analysis"),
        ([("rule", "rct", 0.5), ("rule", "cohort", 0.6)], "cohort"),
    ],
)
def test_rechoose_follows_the_floors(candidates: list[tuple[str, str, float]], expected: str | None) -> None:
    values = [_value(label, confidence, f"{kind}:design.x") for kind, label, confidence in candidates]
    chosen = rechoose(values, LIMITS)
    assert (chosen[0].value if chosen else None) == expected


def test_cross_validation_picks_each_folds_setting_on_the_other_folds() -> None:
    documents = [f"doc{k}" for k in range(40)]
    # setting 0 is right on every document; setting 1 only on fold 0's documents, and answers wrong elsewhere
    per_doc = [{d: (1, 1, 0) for d in documents},
               {d: (1, 1, 0) if fold_of(d) == 0 else (0, 1, 1) for d in documents}]  # fmt: skip
    figures = cross_validate(per_doc)
    assert figures["cv_accuracy"] == 1.0 and figures["fitted_setting"] == 0 and figures["n"] == 40
    # a setting that fits only the held-out fold is never picked for it
    per_doc = [{d: (0, 1, 1) for d in documents}, {d: (1, 1, 0) if fold_of(d) == 0 else (0, 1, 1) for d in documents}]
    figures = cross_validate(per_doc)
    assert figures["fitted_accuracy"] > figures["cv_accuracy"] == 0.0


def test_folds_are_fixed_by_document() -> None:
    assert {fold_of(f"doc{k}") for k in range(50)} == {0, 1, 2, 3, 4}
    assert fold_of("doc7") == fold_of("doc7")


@pytest.mark.parametrize(
    ("headings", "expected"),
    [
        (["Cross-Sectional Studies", "Surveys and Questionnaires"], "cross_sectional"),
        (["Retrospective Studies"], "cohort"),
        (["Cohort Studies", "Prospective Studies"], "cohort"),
        (["Case-Control Studies", "Retrospective Studies"], "case_control"),
        (["Prospective Studies", "Double-Blind Method"], None),
        (["Case-Control Studies", "Cross-Sectional Studies"], None),
        (["Qualitative Research"], "qualitative"),
        (["Surveys and Questionnaires"], None),
        ([], None),
    ],
)
def test_mesh_headings_give_observational_labels(headings: list[str], expected: str | None) -> None:
    assert mesh_label(headings) == expected


def test_committed_metrics_hold_the_public_reliability() -> None:
    metrics_file = Path(__file__).resolve().parents[1] / "models" / "design" / "metrics.json"
    metrics = json.loads(metrics_file.read_text(encoding="utf-8"))
    if "chooser" not in metrics:
        pytest.skip("models/design was trained before the chooser's calibration")
    for split in ("dev", "test"):
        table = metrics["chooser"][split]["reliability"]
        assert sum(row["n"] for row in table["bins"]) == table["n"]
