"""Sample-size classes found on the public dev splits (issue 17 item 4): the sexes of one sample side by side,
numbered classes inside a noun phrase, adjectives joined by commas, and arm names that are no arm. Every text
is written for the test."""

from __future__ import annotations

import pytest

from extractor.extract.sample_size.rules import choose_sample_size, find_sample_sizes
from extractor.textlayer import analyse


def headline(text: str, design: str | None = "rct") -> tuple[int, str] | None:
    chosen = choose_sample_size(find_sample_sizes(analyse(text)), design)
    return None if chosen is None else (chosen.value["n"], chosen.value["unit"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Healthy volunteers (41 women, 37 men) who did or did not smoke were studied.", (78, "participants")),
        ("We enrolled 52 men and 47 women with chronic cough.", (99, "participants")),
        ("Participants were 120 boys and 98 girls aged 8 to 10 years.", (218, "children")),
    ],
)
def test_women_and_men_side_by_side_are_one_sample(text: str, expected: tuple) -> None:
    assert headline(text, "cross_sectional") == expected


def test_a_stated_total_stands_beside_its_women_and_men() -> None:
    assert headline("A total of 90 patients (50 men and 40 women) were enrolled.") == (90, "patients")


def test_women_and_men_in_different_sentences_are_not_summed() -> None:
    text = "We randomised 64 women to the programme. Later, 30 men were recruited for interviews."
    assert headline(text) == (64, "women")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The study was performed in 52 type 2 diabetic patients with poor control.", (52, "patients")),
        ("A total of 140 phase 3 (year 4) nursing students were randomized to two curricula.", (140, "students")),
        ("Sixteen healthy, non-smoking, male volunteers took part.", (16, "volunteers")),
        ("We enrolled 72 ASA physical status I and II, healthy male outpatients.", (72, "outpatients")),
        ("We enrolled 44 ASA I-II adult women.", (44, "women")),
    ],
)
def test_numbered_classes_and_listed_adjectives_stay_inside_the_noun_phrase(text: str, expected: tuple) -> None:
    assert headline(text) == expected


def test_the_study_itself_is_not_an_arm() -> None:
    text = "Sixty children were randomly assigned into the study, but only 51 children completed it."
    assert headline(text) == (60, "children")


def test_a_list_opened_by_a_colon_is_not_one_arm() -> None:
    text = ("Forty patients were randomized to receive: drug A (10 mg daily), arm A; or drug B (20 mg daily), arm B. "
            "Thirty-eight patients were assessable: in arm A, 6 patients achieved a partial response.")
    assert headline(text) == (40, "patients")


def test_a_named_arm_is_still_an_arm() -> None:
    text = "Of 90 women randomized, 45 were assigned to the exercise group and 45 to the control group."
    assert headline(text) == (90, "women")
