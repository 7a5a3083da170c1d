"""Triage criteria: the TOML file, the hard filter, keyword matches."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractor.triage.criteria import Criteria, Evidence, judge, keyword_matches, load_criteria
from extractor.triage.errors import BadCriteria

CRITERIA = Criteria(designs=("rct", "cluster_rct"), min_sample_size=50, years=(2005, 2025),
                    outcome_keywords=("night waking",), population_keywords=("toddler",))


@pytest.mark.parametrize(("evidence", "passes", "reason"), [
    (Evidence(design="rct", sample_size=240, year=2019), True, None),
    (Evidence(design="cohort", sample_size=240, year=2019), False, "design cohort"),
    (Evidence(design="rct", sample_size=30, year=2019), False, "sample size 30 < 50"),
    (Evidence(design="rct", sample_size=240, year=1999), False, "year 1999"),
    (Evidence(design="rct", sample_size=240, year=2026), False, "year 2026"),
    (Evidence(design=None, sample_size=None, year=None), True, None),  # unknown facts pass
    (Evidence(design="cluster_rct", sample_size=20, largest_sample_size=400, year=2021), True, None),
    (Evidence(design="cluster_rct", sample_size=20, largest_sample_size=40, year=2021), False, "sample size 40"),
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
