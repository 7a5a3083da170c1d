"""The design chooser's calibration: curves refitted with the floors kept, cross-fitted figures, the card and report."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from extractor.evaluation import public_reliability
from extractor.models.calibration import Calibration, Curve, fit_platt, keep_floor
from extractor.training import design
from extractor.training.common import hash_bucket
from extractor.training.design import (
    MODEL_KIND,
    RULE_KIND,
    ChooserRow,
    choice_anchors,
    chooser_report,
    cross_fitted_choices,
    fit_chooser_calibration,
    replace_section,
    simulate_choice,
)

LIMITS = {"design_min_confidence": 0.6, "design_rule_trusted": 0.5, "design_model_min_probability": 0.3}
LABELS = ("rct", "cohort", "case_report", "cross_sectional")


def _rows(count: int, seed: int = 0) -> list[ChooserRow]:
    """Records whose rules and model are right more often the more confident they are; some with no rule cue."""
    rng = np.random.default_rng(seed)
    rows = []
    for number in range(count):
        label = LABELS[number % len(LABELS)]
        rule = None
        if rng.uniform() < 0.7:
            raw = float(np.round(rng.uniform(0.05, 1.0), 3))
            rule = (label if rng.uniform() < raw else "other", raw)
        probability = float(np.round(rng.uniform(0.1, 1.0), 3))
        model = (label if rng.uniform() < probability else "protocol", probability)
        rows.append(ChooserRow(label, "pubmedqa", f"record {number}", rule, model))
    return rows


@pytest.mark.parametrize("raw, floor", [(0.4125, 0.6), (0.2158, 0.3), (0.75, 0.6)])
def test_keep_floor_admits_exactly_the_raw_confidences_from_its_point(raw: float, floor: float) -> None:
    curve = keep_floor(fit_platt([0.5, 0.6, 0.7, 0.9, 0.95] * 10, [0, 1, 1, 1, 1] * 10), raw, floor)
    grid = np.round(np.arange(0.0, 1.0005, 0.001), 3)  # raw confidences have three places
    stored = np.array([round(curve(x), 3) for x in grid])  # as the chooser stores them
    assert list(grid[stored >= floor]) == list(grid[grid >= raw])
    assert list(curve.y) == sorted(curve.y)


def test_curve_inverse_finds_the_raw_confidence_of_a_probability() -> None:
    curve = Curve((0.0, 0.5, 1.0), (0.1, 0.3, 0.9))
    assert curve.inverse(0.6) == pytest.approx(0.75)
    assert curve(curve.inverse(0.2)) == pytest.approx(0.2)
    assert curve.inverse(0.05) == 0.0 and curve.inverse(0.95) == 1.0


def test_a_map_refitted_through_the_anchors_keeps_every_choice() -> None:
    committed = fit_chooser_calibration(_rows(400, seed=1))
    refitted_on = _rows(300, seed=2)  # other records: the free curves differ from the committed ones
    free = fit_chooser_calibration(refitted_on)
    kept = fit_chooser_calibration(refitted_on, choice_anchors(committed, LIMITS))
    judged = _rows(2000, seed=3)
    before = [simulate_choice(row, committed, LIMITS)[0] for row in judged]
    assert [simulate_choice(row, kept, LIMITS)[0] for row in judged] == before
    assert [simulate_choice(row, free, LIMITS)[0] for row in judged] != before  # the anchors are what keeps them


def test_choice_anchors_of_a_map_refitted_through_them_are_the_same() -> None:
    committed = fit_chooser_calibration(_rows(400, seed=1))
    anchors = choice_anchors(committed, LIMITS)
    again = choice_anchors(fit_chooser_calibration(_rows(300, seed=2), anchors), LIMITS)
    assert again == anchors
    assert set(anchors) == {RULE_KIND, MODEL_KIND}


def test_cross_fitted_choices_judge_each_record_by_a_map_fitted_without_its_fold() -> None:
    rows = _rows(200)
    picks = cross_fitted_choices(rows, LIMITS, folds=5)
    for fold in range(5):
        table = fit_chooser_calibration([r for r in rows if hash_bucket(r.key, 5) != fold])
        for row, pick in zip(rows, picks, strict=True):
            if hash_bucket(row.key, 5) == fold:
                assert pick == simulate_choice(row, table, LIMITS)


def test_cross_fitting_needs_records_outside_a_fold() -> None:
    row = _rows(1)[0]
    assert cross_fitted_choices([row, row], LIMITS, folds=5) is None


def test_chooser_report_gives_the_cross_fitted_figure_over_all_groups() -> None:
    groups = {"dev": _rows(40, seed=4), "test": _rows(30, seed=5), "medline": _rows(90, seed=6)}
    groups["test"] = [ChooserRow(r.label, r.source, f"test {r.key}", r.rule, r.model) for r in groups["test"]]
    groups["medline"] = [ChooserRow(r.label, r.source, f"medline {r.key}", r.rule, r.model) for r in groups["medline"]]
    table, chooser = chooser_report(groups, LIMITS)
    crossed = chooser["cross_fitted"]
    assert crossed["records"] == 160 and crossed["cross_fitted"] == 5
    assert sum(part["records"] for part in crossed["groups"].values()) == 160
    assert sum(part["reliability"]["n"] for part in crossed["groups"].values()) == crossed["reliability"]["n"]
    assert all(chooser[group]["calibration_fitted"] for group in groups)
    assert isinstance(table, Calibration) and set(table.kinds) == {RULE_KIND, MODEL_KIND}


@pytest.mark.parametrize(
    "text, expected",
    [
        ("# Card\n\n## A\nold\n\n## B\nkept\n", "# Card\n\n## A\nnew\n\n## B\nkept\n"),
        ("# Card\n\n## A\nold\n", "# Card\n\n## A\nnew\n"),
        ("# Card\n\n## B\nkept\n", "# Card\n\n## B\nkept\n\n## A\nnew\n"),
    ],
)
def test_replace_section_swaps_one_section_of_a_card(text: str, expected: str) -> None:
    assert replace_section(text, "## A", "## A\nnew\n") == expected


def test_evaluate_prints_the_cross_fitted_figure_as_held_out(tmp_path: Path) -> None:
    groups = {"dev": _rows(40, seed=4), "medline": [ChooserRow(r.label, r.source, f"m {r.key}", r.rule, r.model)
                                                   for r in _rows(60, seed=6)]}  # fmt: skip
    _, chooser = chooser_report(groups, LIMITS)
    (tmp_path / "design").mkdir()
    (tmp_path / "design" / "metrics.json").write_text(json.dumps({"chooser": chooser}), encoding="utf-8")
    text = public_reliability(tmp_path)
    assert "design chooser, public held out, cross-fitted (5 folds by title" in text
    assert "of which medline:" in text
    assert "public dev (the calibration was fitted on it)" in text
    assert "pooled" not in text  # the fitted groups are not pooled as held out


def test_committed_design_metrics_hold_the_cross_fitted_figure() -> None:
    metrics_file = Path(design.__file__).resolve().parents[2] / "models" / "design" / "metrics.json"
    chooser = json.loads(metrics_file.read_text(encoding="utf-8"))["chooser"]
    crossed = chooser["cross_fitted"]
    assert crossed["records"] == sum(part["records"] for part in crossed["groups"].values())
    assert sum(row["n"] for row in crossed["reliability"]["bins"]) == crossed["reliability"]["n"]
