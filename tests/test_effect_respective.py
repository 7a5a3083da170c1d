"""Values listed with "respectively": each takes its own outcome, in order, or none (text of our own)."""

from __future__ import annotations

import pytest

from extractor.extract.effects.rules import find_effects
from extractor.textlayer import analyse

REPORTED = 0.5  # data/combine.json: effect_min_confidence


def outcomes_of(text: str) -> list:
    return [v.value.get("outcome") for v in find_effects(analyse(text)) if v.confidence >= REPORTED]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the list before the run, in the clause
        (
            "The course improved worry and low mood (d = 0.28 and 0.39, respectively).",
            ["worry", "low mood"],
        ),
        (
            "Effect sizes for worry, low mood and sleep quality were d = 0.28, d = 0.39 and d = 0.17, respectively.",
            ["worry", "low mood", "sleep quality"],
        ),
        (
            "The odds of readmission and relapse were lower in the coached group (OR 0.6, 95% CI 0.4-0.9 and "
            "OR 0.7, 95% CI 0.5-0.95, respectively).",
            ["readmission", "relapse"],
        ),
        (
            "Effects on child worry and parental stress were small (SMD = 0.19 [0.04, 0.34] and SMD = 0.12 "
            "[0.02, 0.22], respectively).",
            ["child worry", "parental stress"],
        ),
        # the list between the run and "respectively"
        (
            "Odds ratios were 1.7 (95% CI 1.2-2.6) and 2.4 (95% CI 1.3-3.9) for truancy and dropout, respectively.",
            ["truancy", "dropout"],
        ),
    ],
)
def test_each_value_of_a_respectively_run_takes_its_own_outcome(text, expected):
    assert outcomes_of(text) == expected


def test_a_list_of_another_length_leaves_the_run_unlinked():
    text = "The course reduced worry, low mood and stress (d = 0.28 and 0.39, respectively)."
    assert outcomes_of(text) == [None, None]


@pytest.mark.parametrize(
    "text",
    [
        # populations, arms and time points are not outcomes
        "The odds ratios for boys and girls were 1.6 (1.1-2.2) and 1.3 (0.9-1.7), respectively.",
        "In the coached and waiting-list groups, the ORs were 1.6 (1.1-2.2) and 1.3 (0.9-1.7), respectively.",
        "The hazard ratios were 0.81 (95% CI 0.70-0.92) and 0.72 (95% CI 0.60-0.86) at 6 and 12 months, "
        "respectively.",
    ],
)
def test_a_list_that_names_no_outcome_does_not_link(text):
    assert set(outcomes_of(text)) == {None}


def test_a_shared_outcome_named_outside_the_list_stays():
    text = (
        "The hazard ratios for death were 0.81 (95% CI 0.70-0.92) and 0.72 (95% CI 0.60-0.86) for the low "
        "dose and the high dose, respectively."
    )
    assert outcomes_of(text) == ["death", "death"]


def test_a_list_in_an_earlier_clause_is_not_read():
    text = (
        "Worry and low mood fell in both arms; the between-group differences were 2.1 (95% CI 0.4 to 3.8) and "
        "1.4 (95% CI -0.2 to 3.0) points, respectively."
    )
    assert outcomes_of(text) == [None, None]


def test_a_list_of_programme_types_names_no_outcome():
    text = (
        "Exercise-based, psychological, and any type of programme showed median effect sizes of 0.43, 0.28 and "
        "0.36, respectively."
    )
    assert set(outcomes_of(text)) == {None}
