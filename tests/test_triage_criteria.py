"""Triage criteria: the TOML file, the hard filter, keyword matches."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from extractor.triage.criteria import Criteria, Evidence, judge, keyword_matches, load_criteria
from extractor.triage.errors import BadCriteria
from extractor.triage.features import evidence_of
from extractor.types import Correction, Document, ExtractedValue, Metadata, StudyUnit

CRITERIA = Criteria(designs=("rct", "cluster_rct"), min_sample_size=50, years=(2005, 2025),
                    outcome_keywords=("night waking",), population_keywords=("toddler",))


@pytest.mark.parametrize(("evidence", "passes", "reason"), [
    (Evidence(design="rct", sample_size=240, year=2019), True, None),
    (Evidence(design="cohort", sample_size=240, year=2019), False, "design cohort"),
    (Evidence(design="rct", sample_size=30, year=2019), False, "sample size 30 < 50"),
    (Evidence(design="rct", sample_size=240, year=1999), False, "year 1999"),
    (Evidence(design="rct", sample_size=240, year=2026), False, "year 2026"),
    (Evidence(design=None, sample_size=None, year=None), True, None),  # unknown facts pass
    (Evidence(design="cluster_rct", sample_size=20, year=2021), False, "sample size 20 < 50"),  # the chosen size
    (Evidence(design="rct", sample_size=None, year=2021), True, None),  # no chosen size: unknown passes
])
def test_hard_criteria_set_aside_only_records_known_to_fail(evidence: Evidence, passes: bool,
                                                            reason: str | None) -> None:
    verdict = judge(CRITERIA, evidence)
    assert verdict.passes is passes
    if reason:
        assert any(reason in text for text in verdict.reasons), verdict.reasons


@pytest.mark.parametrize(("text", "expected"), [
    ("Night waking fell in toddlers", ("night waking", "toddler")),
    ("nightly wakings", ()),
    ("TODDLER sleep; night waking", ("night waking", "toddler")),
])
def test_keywords_match_whole_words_with_plurals(text: str, expected: tuple[str, ...]) -> None:
    assert keyword_matches(("night waking", "toddler"), text) == expected


def test_criteria_file_is_read_with_or_without_a_table(tmp_path: Path) -> None:
    flat = tmp_path / "flat.toml"
    flat.write_text('designs = ["RCT"]\nmin_sample_size = 50\nyears = [2005, 2025]\n', encoding="utf-8")
    nested = tmp_path / "nested.toml"
    nested.write_text('[criteria]\ndesigns = ["rct"]\nmin_sample_size = 50\nyears = [2005, 2025]\n', encoding="utf-8")
    assert load_criteria(flat) == load_criteria(nested) == Criteria(designs=("rct",), min_sample_size=50,
                                                                    years=(2005, 2025))


@pytest.mark.parametrize(("text", "message"), [
    ("designs = 3\n", "designs must be a list of strings"),
    ("min_sample_size = -1\n", "min_sample_size"),
    ("years = [2025, 2005]\n", "years 2025 > 2005"),
    ("years = [2005]\n", "years must be"),
    ("desings = ['rct']\n", "unknown key(s) desings"),
    ("designs = [\n", "not valid TOML"),
])
def test_a_bad_criteria_file_is_one_clear_error(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "criteria.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BadCriteria) as raised:
        load_criteria(path)
    assert message in raised.value.message
    assert str(path) in raised.value.message



def _arm(n: int, chosen: bool = False, role: str = "arm") -> ExtractedValue:
    return ExtractedValue("sample_size", {"n": n, "unit": "infants"}, 0, 5, 0.4, "rule:test", chosen, role)


@pytest.mark.parametrize(("values", "size", "passes"), [
    ([_arm(26), _arm(25)], None, True),  # counts found, none chosen: unknown passes (b12)
    ([_arm(26), _arm(120, chosen=True, role="randomised")], 120, True),
    ([_arm(300), _arm(30, chosen=True, role="randomised")], 30, False),  # the chosen size, not the largest
])
def test_only_the_chosen_sample_size_meets_the_hard_criteria(values: list[ExtractedValue], size: int | None,
                                                             passes: bool) -> None:
    """Regression (issue 21, b12): a record was set aside as "sample size 26 < 50" on an arm's count that
    `show` does not list."""
    document = Document("d1", "d1.txt", "text", "A trial.", title="A trial", metadata=Metadata(year=2020))
    evidence = evidence_of(document, [StudyUnit(0, None, 0, 8, values)])
    assert evidence.sample_size == size
    assert judge(CRITERIA, replace(evidence, design="rct")).passes is passes


def test_a_corrected_sample_size_is_the_one_the_criteria_use(tmp_path: Path) -> None:
    from triage_helpers import triage_db

    from extractor.triage.session import Session

    tstore = triage_db(tmp_path, CRITERIA)
    doc_id = "papers/10.1000/c3"  # a trial of 180 toddlers
    assert doc_id not in {c.doc_id for c in Session(tstore).filtered()}
    tstore.store.add_correction(Correction(doc_id, 0, "sample_size", None, {"n": 18}, "ana",
                                           "2026-01-01T00:00:00+00:00"))
    aside = {c.doc_id: c.verdict.reasons for c in Session(tstore).filtered()}
    assert aside[doc_id] == ("sample size 18 < 50",)
