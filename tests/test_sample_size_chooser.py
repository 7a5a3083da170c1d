"""The sample-size chooser with the ranker deciding when the rules are not trusted: design groups, the
calibration and its reliability report, the weak labels of reviews, the thresholds of the spec (the ranker
decides, or the size is null), and counts written in Spanish, Portuguese, French and German."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from extractor.extract import sample_size as spec_module
from extractor.extract.document import extract_document
from extractor.extract.sample_size import Decision, decide
from extractor.extract.sample_size.rules import find_sample_sizes
from extractor.extract.thresholds import thresholds
from extractor.interchange import interchange_record
from extractor.models.sample_size import calibrated, design_group
from extractor.readers.base import make_document
from extractor.textlayer import analyse
from extractor.training.sample_size import fit_calibration, included_studies, reliability
from extractor.types import ExtractedValue

TRIAL = (
    "Background: Parenting programmes may help. Methods: A total of 240 mothers were randomly assigned to the "
    "programme (n = 118) or to usual care (n = 122). Results: At 6 months, 201 mothers completed the follow-up. "
    "Conclusions: The programme helped."
)


@pytest.mark.parametrize(
    ("design", "group"),
    [("meta_analysis", "review"), ("umbrella_review", "review"), ("cluster_rct", "cluster"), ("protocol", "protocol"),
     ("qualitative", "qualitative"), ("mixed_methods", "qualitative"), ("cohort", "observational"),
     ("rct", "trial"), (None, "unknown"), ("other", "unknown")],
)
def test_design_groups_share_a_headline_convention(design: str | None, group: str) -> None:
    assert design_group(design) == group


def test_calibration_maps_the_top_probability_monotonically() -> None:
    assert calibrated(0.7, None) == 0.7
    assert calibrated(0.7, (1.0, 0.0)) == pytest.approx(0.7)
    squeezed = [calibrated(p, (0.5, 0.2)) for p in (0.1, 0.5, 0.9, 0.99)]
    assert squeezed == sorted(squeezed) and all(0.0 < p < 1.0 for p in squeezed)
    assert calibrated(0.5, (0.5, 0.2)) == pytest.approx(1 / (1 + math.exp(-0.2)))


def test_reliability_reports_bins_and_the_expected_calibration_error() -> None:
    right_nine = reliability([0.9] * 10, [1] * 9 + [0])
    assert right_nine["ece"] == pytest.approx(0.0) and right_nine["picks"] == 10
    [row] = right_nine["bins"]
    assert (row["low"], row["count"], row["accuracy"]) == (pytest.approx(0.9), 10, pytest.approx(0.9))
    half = reliability([0.9] * 10 + [0.3] * 10, [1] * 5 + [0] * 5 + [0] * 7 + [1] * 3)
    assert half["ece"] == pytest.approx(0.5 * 0.4 + 0.5 * 0.0)
    assert [r["count"] for r in half["bins"]] == [10, 10]


def test_platt_scaling_learns_that_an_overconfident_score_means_less() -> None:
    scores = [0.95] * 40 + [0.6] * 40
    right = [1] * 28 + [0] * 12 + [1] * 12 + [0] * 28  # 0.95 is right 70% of the time, 0.6 30%
    a, b = fit_calibration(scores, right)
    assert calibrated(0.95, (a, b)) == pytest.approx(0.7, abs=0.02)
    assert calibrated(0.6, (a, b)) == pytest.approx(0.3, abs=0.02)
    assert fit_calibration([0.9, 0.8], [1, 1]) == (1.0, 0.0)  # one class: left as it is


@pytest.mark.parametrize(
    ("text", "n"),
    [("Twelve trials (n = 1,203 participants) were included in the meta-analysis.", 12),
     ("We included 25 studies with 4,000 children.", 25),
     ("Of 900 records, 31 randomized controlled trials met the criteria and were included.", 31),
     ("The search found 900 records.", None)],
)
def test_weak_review_labels_read_the_inclusion_statement(text: str, n: int | None) -> None:
    assert included_studies(text) == n


@pytest.mark.parametrize(
    ("text", "n", "role"),
    [("Se incluyeron 418 estudiantes de secundaria.", 418, "enrolled"),
     ("Participaron 1549 adolescentes de 12 a 17 años.", 1549, "enrolled"),
     ("Foram incluídas 250 gestantes.", 250, "enrolled"),
     ("Au total, 312 enfants ont été inclus.", 312, "enrolled"),
     ("240 Frauen wurden randomisiert.", 240, "randomised"),
     ("Es wurden 45 Studien eingeschlossen.", 45, "included_studies")],
)
def test_counts_in_other_languages_are_candidates(text: str, n: int, role: str) -> None:
    found = [(c.value["n"], c.role) for c in find_sample_sizes(analyse(text))]
    assert (n, role) in found


@pytest.mark.parametrize(
    ("text", "unit"),
    [("Se incluyeron 418 estudiantes.", "students"), ("Es wurden 45 Studien eingeschlossen.", "studies"),
     ("Insgesamt 815 Mutter-Kind-Paare nahmen teil.", "pairs"), ("Au total, 312 enfants ont été inclus.", "children")],
)
def test_a_unit_written_in_another_language_is_recorded_in_english(text: str, unit: str) -> None:
    assert unit in [c.value["unit"] for c in find_sample_sizes(analyse(text))]


def _extract(text: str) -> dict[str, Any]:
    document = make_document(fmt="text", path=Path("trial.txt"), title=None, abstract=text)
    document.doc_id = "trial"
    unit = extract_document(document)[0]
    values = [v for v in unit.values if v.field == "sample_size"]
    return {"record": interchange_record(document, [unit])["studies"][0]["sample_size"],
            "chosen": [v for v in values if v.chosen], "values": values}


def _with_thresholds(monkeypatch: pytest.MonkeyPatch, **changed: float) -> None:
    limits = {**thresholds(), **changed}
    monkeypatch.setattr(spec_module, "thresholds", lambda: limits)


def test_untrusted_rules_leave_the_choice_to_the_calibrated_ranker(monkeypatch: pytest.MonkeyPatch) -> None:
    _with_thresholds(monkeypatch, sample_size_rule_trusted=1.01, sample_size_model_min_probability=0.0)
    result = _extract(TRIAL)
    assert result["record"] == {"n": 240, "unit": "mothers"}
    [value] = result["chosen"]
    assert value.source.startswith("model:sample_size@") and 0.0 < value.confidence <= 1.0
    assert value.attributes["rule_source"].startswith("rule:") and "rule_confidence" in value.attributes


def test_trusted_rules_stand_and_an_unsure_ranker_gives_null(monkeypatch: pytest.MonkeyPatch) -> None:
    _with_thresholds(monkeypatch, sample_size_rule_trusted=0.0, sample_size_model_min_probability=1.01)
    result = _extract(TRIAL)
    [value] = result["chosen"]
    assert value.source.startswith("rule:") and value.value["n"] == 240
    # the rules' own candidate is chosen, its confidence its calibrated chance: no copy beside it
    assert sum(v.start == value.start and v.value == value.value for v in result["values"]) == 1
    assert 0.0 < value.confidence <= 1.0 and value.attributes["rule_confidence"] >= 0.0
    _with_thresholds(monkeypatch, sample_size_rule_trusted=1.01, sample_size_model_min_probability=1.01)
    result = _extract(TRIAL)
    assert result["record"] is None and result["chosen"] == []  # abstains rather than guess


@pytest.mark.parametrize(
    ("text", "n", "unit", "role"),
    [("方法：共纳入14项研究，包括3,200名儿童。", 14, "studies", "included_studies"),
     ("方法：共纳入14项研究，包括3,200名儿童。", 3200, "children", "enrolled"),
     ("选取1200名学生进行问卷调查。", 1200, "students", "enrolled"),
     ("将120例患者随机分为两组。", 120, "patients", "randomised")],
)
def test_counts_written_in_chinese_are_candidates(text: str, n: int, unit: str, role: str) -> None:
    found = [(c.value["n"], c.value["unit"], c.role) for c in find_sample_sizes(analyse(text))]
    assert (n, unit, role) in found


def test_a_bilingual_page_gives_each_count_once() -> None:
    text = "A total of 240 mothers were randomly assigned. 将240名母亲随机分为两组。"
    found = sorted((c.value["n"], c.value["unit"], c.role) for c in find_sample_sizes(analyse(text)))
    assert found == [(240, "mothers", "randomised"), (240, "mothers", "randomised")]
    assert [c.start for c in find_sample_sizes(analyse(text))] == sorted({text.index("240"), text.rindex("240")})


def _candidate(n: int, confidence: float, start: int) -> ExtractedValue:
    return ExtractedValue("sample_size", {"n": n, "unit": "mothers"}, start, start + 3, confidence,
                          "rule:sample_size.noun.v1", role="enrolled", attributes={"kind": "person"})


@pytest.mark.parametrize(
    ("trusted", "floor", "margin", "expected"),
    [(0.7, 0.5, 2.0, 240),   # the rules' pick is trusted and the ranker does not overrule it
     (0.7, 0.5, 0.3, 200),   # the ranker finds 200 more likely by 0.4 >= 0.3: it overrules
     (0.9, 0.5, 2.0, 200),   # the rules are not trusted: the ranker decides
     (0.9, 0.95, 2.0, None)],  # nor is the ranker sure enough: null
)
def test_decide_weighs_the_rules_pick_against_the_ranker(trusted: float, floor: float, margin: float,
                                                         expected: int | None) -> None:
    rule, other = _candidate(240, 0.8, 10), _candidate(200, 0.6, 50)
    decision = Decision(rule=rule, rule_chance=0.5, top=other, top_chance=0.9, rule_rank_chance=0.5)
    pick = decide(decision, "rct", trusted, floor, margin)
    assert (pick.value["n"] if pick else None) == expected
    if pick is not None and expected == 240:
        assert pick.confidence == 0.5 and pick.attributes["rule_confidence"] == 0.8 and rule.confidence == 0.8
    if pick is not None and expected == 200:
        assert pick.source.startswith("model:sample_size@") and pick.confidence == 0.9


def test_a_review_pick_of_the_ranker_counts_studies() -> None:
    trials = ExtractedValue("sample_size", {"n": 12, "unit": "trials"}, 0, 2, 0.4, "rule:sample_size.noun.v1",
                            role="included_studies", attributes={"kind": "study"})
    pick = decide(Decision(rule=None, rule_chance=None, top=trials, top_chance=0.8), "meta_analysis", 0.7, 0.5)
    assert pick is not None and pick.value == {"n": 12, "unit": "studies"}


def test_plain_python_scores_equal_the_linear_models() -> None:
    from extractor.models.sample_size import candidate_inputs, headline_probabilities, load

    text = TRIAL + " We also included 12 studies (n = 3,400 children) in a pooled analysis."
    layer = analyse(text)
    candidates = [c for c in find_sample_sizes(layer) if c.role is not None]
    model = load()
    for design in ("rct", "meta_analysis", None):
        texts, dense = candidate_inputs(candidates, layer, design)
        fast = headline_probabilities(model, texts, dense)
        assert fast == pytest.approx(list(model.predict_proba(texts, dense)[:, 1]), abs=1e-9)
