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
from extractor.models.calibration import (
    Calibration,
    Curve,
    ece_noise,
    fit_isotonic,
    parse,
    pooled,
    reliability,
)
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


# ------------------------------------------------------------------ calibration of the stored confidence only


def test_a_calibration_round_trips_through_its_json_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    table = Calibration("outcome", {"rule:outcomes": Curve((0.0, 0.5, 1.0), (0.1, 0.4, 0.8)),
                                    "model:outcome_spans": Curve((0.0, 1.0), (0.2, 0.9))}, applies="stored")  # fmt: skip
    folder = tmp_path / "outcome"
    folder.mkdir()
    (folder / calibration_module.CALIBRATION_FILE).write_text(json.dumps(table.as_json(fitted_on="ours")),
                                                              encoding="utf-8")  # fmt: skip
    monkeypatch.setattr(calibration_module, "model_dir", lambda name: tmp_path / name)
    calibration_module.calibration.cache_clear()
    try:
        read = calibration_module.calibration("outcome")
        assert read == table and read.applies == "stored"
        assert read.probability("rule:outcomes.subject.v1", 0.75) == pytest.approx(0.6)
        assert calibration_module.calibration("design") is None  # no file: no calibration
    finally:
        calibration_module.calibration.cache_clear()
    design = Calibration("design", {"rule:design": Curve((0.0, 1.0), (0.0, 1.0))})
    assert "applies" not in design.as_json() and parse(design.as_json()).applies == "choice"
    with pytest.raises(ValueError, match="applies"):
        parse({**table.as_json(), "applies": "sometimes"})


def test_pooled_reliability_is_the_table_of_all_the_records() -> None:
    rng = np.random.default_rng(1)
    first, second = rng.uniform(0, 1, 300), rng.uniform(0.5, 1, 120)
    right_first, right_second = rng.uniform(0, 1, 300) < first, rng.uniform(0, 1, 120) < second**2
    together = reliability(np.r_[first, second], np.r_[right_first, right_second])
    merged = pooled([reliability(first, right_first), reliability(second, right_second)])
    assert merged["n"] == together["n"] == 420
    assert merged["ece"] == pytest.approx(together["ece"], abs=1e-3)
    assert [row["n"] for row in merged["bins"]] == [row["n"] for row in together["bins"]]


def test_ece_noise_tells_a_small_calibrated_set_from_a_miscalibrated_one() -> None:
    rng = np.random.default_rng(2)
    confidence = rng.uniform(0.5, 1.0, 60)
    calibrated = reliability(confidence, rng.uniform(0, 1, 60) < confidence)
    noise = ece_noise(calibrated)
    # sixty records: even a perfectly calibrated source shows an ECE of several hundredths
    assert 0.03 < noise["calibrated_mean"] < noise["calibrated_p95"] < 0.2
    assert noise["bootstrap_low"] <= calibrated["ece"] <= noise["bootstrap_high"]
    many = rng.uniform(0.5, 1.0, 5000)
    overconfident = reliability(many, rng.uniform(0, 1, 5000) < many - 0.2)
    assert overconfident["ece"] > ece_noise(overconfident)["calibrated_p95"]
    assert ece_noise(overconfident)["calibrated_mean"] < 0.02
    assert ece_noise(overconfident, seed=3) != ece_noise(overconfident, seed=4)
    assert ece_noise(overconfident) == ece_noise(overconfident)  # fixed seed: the same figures every run


def _outcome(name: str, confidence: float, source: str) -> ExtractedValue:
    return ExtractedValue("outcome", name, None, None, confidence, source, attributes={})


def test_a_stored_calibration_is_read_after_choosing_and_keeps_one_object_per_value(
        monkeypatch: pytest.MonkeyPatch) -> None:
    table = Calibration("outcome", {"rule:outcomes": Curve((0.0, 1.0), (0.0, 0.5))}, applies="stored")
    monkeypatch.setattr(choice, "calibration", lambda field: table if field == "outcome" else None)
    spec = choice.spec_of("outcome")
    rule, annotator = _outcome("pain", 0.8, "rule:outcomes.subject.v1"), _outcome("sleep", 0.9, "annotator:a")
    assert choice.score(spec, rule) == 0.8  # floors read the raw confidence
    assert choice.calibrated(spec, [rule]) == [rule]  # not mapped before the choice
    candidates, chosen = choice.stored_probabilities(spec, [rule, annotator], [rule])
    assert candidates[0] is chosen[0] and candidates[0].confidence == pytest.approx(0.4)
    assert candidates[0].attributes["raw_confidence"] == 0.8 and rule.confidence == 0.8  # a copy; the input kept
    assert candidates[1] is annotator  # no curve for the source: unchanged
    assert choice.score(spec, candidates[0]) == 0.8  # still the raw one for any later floor
    assert choice.uncalibrated(candidates)[0].confidence == 0.8
    again, _ = choice.stored_probabilities(spec, candidates, chosen)
    assert again[0].confidence == pytest.approx(0.4)  # never mapped twice


def test_a_stored_calibration_changes_no_chosen_outcome(monkeypatch: pytest.MonkeyPatch) -> None:
    from extractor.extract.document import extract_document
    from extractor.readers.text import parse_plain_text

    text = ("Exercise for knee pain: a randomised trial\n\nMethods: 120 adults were randomised to exercise or advice. "
            "The primary outcome was pain at 12 weeks; secondary outcomes were function, quality of life and "
            "adverse events.\n\nResults: Pain improved more with exercise (mean difference -1.2, 95% CI -1.9 to "
            "-0.5). Function and quality of life did not differ.\n")

    def outcomes() -> list[tuple[str, bool, float]]:
        units = extract_document(parse_plain_text(text, "ours.txt"))
        return [(str(v.value), v.chosen, v.confidence) for u in units for v in u.values if v.field == "outcome"]

    monkeypatch.setattr(choice, "calibration", lambda field: None)
    before = outcomes()
    assert any(chosen for _, chosen, _ in before)
    table = Calibration("outcome", {"rule:outcomes": Curve((0.0, 1.0), (0.05, 0.15))}, applies="stored")
    monkeypatch.setattr(choice, "calibration", lambda field: table if field == "outcome" else None)
    after = outcomes()
    assert [(name, chosen) for name, chosen, _ in after] == [(name, chosen) for name, chosen, _ in before]
    assert all(confidence <= 0.15 for _, chosen, confidence in after if chosen)  # far below every floor, yet kept


def test_outcome_calibration_is_fitted_on_one_half_and_lowers_an_overconfident_error() -> None:
    from extractor.evaluation import FIT, HELD_OUT, expert_half
    from extractor.training.outcome_calibration import compare_methods, fit

    assert {expert_half(str(pmid)) for pmid in range(10000000, 10000040)} == {FIT, HELD_OUT}
    assert expert_half("10070173") == expert_half("10070173")
    rng = np.random.default_rng(5)
    judged = []
    for number in range(400):  # raw confidences that overstate: right with probability raw - 0.15
        raw = float(rng.uniform(0.5, 1.0))
        judged.append({"doc_id": f"d{number // 3}", "source": "rule:outcomes.x.v1", "raw": raw,
                       "right": bool(rng.uniform() < raw - 0.15)})  # fmt: skip
    table = fit(judged)
    assert table.applies == "stored" and set(table.kinds) == {"rule:outcomes", "model:outcome_spans"}
    assert table.probability("rule:outcomes.x.v1", 0.9) == pytest.approx(0.75, abs=0.08)
    assert table.probability("rule:units.table.v1", 0.9) is None  # a table's given outcomes keep theirs
    figures = compare_methods(judged)
    for folds in ("2_folds", "5_folds"):
        assert figures[folds]["platt"] < figures[folds]["raw"]


def test_committed_outcome_calibration_applies_to_the_stored_confidence_only() -> None:
    table = calibration_module.calibration("outcome")
    if table is None:
        pytest.skip("no models/outcome/calibration.json committed")
    assert table.applies == "stored"
    for curve in table.kinds.values():
        assert list(curve.y) == sorted(curve.y) and 0.0 <= curve.y[0] <= curve.y[-1] <= 1.0


def test_dev_gold_outcomes_are_judged_by_distinct_reported_name() -> None:
    from extractor.evaluation import FIELD_CHECKS, gold_calibration_text

    check = FIELD_CHECKS["outcome"]()
    chosen = [_outcome("pain", 0.7, "rule:outcomes.a.v1"), _outcome("pain", 0.9, "rule:outcomes.b.v1"),
              _outcome("sleep quality", 0.6, "rule:outcomes.a.v1")]  # fmt: skip
    judged = check.judge({"outcomes": ["pain; anxiety", "quality of life"]}, chosen)
    assert sorted(judged) == [(0.6, False), (0.9, True)]  # "pain" names an item of the listed outcome
    assert sorted(check.judge({"outcomes": ["pain intensity at rest"]}, chosen)) == [(0.6, False), (0.9, False)]
    table = reliability([c for c, _ in judged], [r for _, r in judged])
    text = gold_calibration_text({"outcome": {"counted": check.counted, "n": 2, "accuracy": 0.5, "answered": 2,
                                              "reliability": table}})  # fmt: skip
    assert "over 2 reported names" in text and "ECE" in text
