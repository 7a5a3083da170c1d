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


def effects_of(text: str) -> list[tuple]:
    return [
        (v.value["measure"], v.value["value"], v.value.get("ci"), v.value.get("outcome"))
        for v in find_effects(analyse(text))
        if v.confidence >= REPORTED
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a measure's name, a list of outcomes, then the values
        (
            "Relative risks of truancy, exclusion and dropout were 1.2 (1.0-1.4), 1.3 (1.1-1.6), and 1.1 (0.8-1.5), "
            "respectively.",
            [
                ("RR", 1.2, [1.0, 1.4], "truancy"),
                ("RR", 1.3, [1.1, 1.6], "exclusion"),
                ("RR", 1.1, [0.8, 1.5], "dropout"),
            ],
        ),
        # a strict abbreviation's bare values, named once and closed by "respectively"
        (
            "Coaching improved both physical and mental health (SMD 0.21 and 0.33, respectively).",
            [("SMD", 0.21, None, "physical health"), ("SMD", 0.33, None, "mental health")],
        ),
        # the arm and the comparison come off the outcome in the gap
        (
            "The HR of relapse in the coached group compared with the waiting-list group was 0.72 (95% CI 0.55-0.94).",
            [("HR", 0.72, [0.55, 0.94], "relapse")],
        ),
        # "of d = ..." leaves the value to the symbol
        ("A mean effect size of d=0.22 was found in the older pupils.", [("d", 0.22, None, None)]),
        # a subgroup in the gap is not an outcome
        (
            "The OR in patients with a score above 8 compared to patients with a score below 7 was 3.0 (95% CI 1.9 to 4.6).",
            [("OR", 3.0, [1.9, 4.6], None)],
        ),
    ],
)
def test_lists_and_gaps_between_a_name_and_its_values(text, expected):
    assert effects_of(text) == expected


def test_time_points_in_a_respectively_list_are_not_effects():
    text = (
        "Between-group differences at the first visit and the visits of 7 and 14 respectively were checked."
    )
    assert effects_of(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "Coached mothers reported less worry (P = .007) and low mood (P = .02) than controls "
        "(d = 0.30 and d = 0.45, respectively).",
        "Coached mothers reported less worry (WQ-12) and low mood (LMS) than controls "
        "(d = 0.30 and d = 0.45, respectively).",
    ],
    ids=["p-values", "instruments"],
)
def test_a_list_whose_items_carry_their_own_brackets_still_gives_each_value_its_outcome(text: str) -> None:
    assert outcomes_of(text) == ["worry", "low mood"]


def values_of(text: str) -> list[tuple]:
    """(value, p, outcome) of each reported estimate."""
    return [
        (v.value["value"], v.value.get("p"), v.value.get("outcome"))
        for v in find_effects(analyse(text))
        if v.confidence >= REPORTED
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a p list closed by "respectively", each p its value's (the last value's tail once took the first p)
        (
            "Effects on worry and low mood were d = 0.30 and d = 0.45 (p = .02 and p = .04, respectively).",
            [(0.3, 0.02, "worry"), (0.45, 0.04, "low mood")],
        ),
        # a bare second p takes the operator before it; the second value was lost before
        (
            "The course improved worry and low mood (d = 0.30 and 0.45; p = .02 and .04, respectively).",
            [(0.3, 0.02, "worry"), (0.45, 0.04, "low mood")],
        ),
        (
            "The course improved worry and low mood (d = 0.30 and 0.45 (p = .02 and .04, respectively)).",
            [(0.3, 0.02, "worry"), (0.45, 0.04, "low mood")],
        ),
        # the p list after the run's own "respectively"
        (
            "The course improved worry and low mood (d = 0.30 and 0.45, respectively; p = .02 and p = .04).",
            [(0.3, 0.02, "worry"), (0.45, 0.04, "low mood")],
        ),
        # values with their intervals, then their p list
        (
            "Odds ratios for truancy and dropout were 1.7 (95% CI 1.2-2.6) and 2.4 (95% CI 1.3-3.9) "
            "(p = .003 and p < .001, respectively).",
            [(1.7, 0.003, "truancy"), (2.4, 0.001, "dropout")],
        ),
        # one p after the run's "respectively" is every value's
        (
            "The course improved worry and low mood (d = 0.30 and 0.45, respectively, p < .01).",
            [(0.3, 0.01, "worry"), (0.45, 0.01, "low mood")],
        ),
        # the list the values are for, then "respectively", then the p-values
        (
            "Odds ratios were 1.7 (95% CI 1.2-2.6) and 2.4 (95% CI 1.3-3.9) for truancy and dropout, "
            "respectively (p = .003 and p < .001).",
            [(1.7, 0.003, "truancy"), (2.4, 0.001, "dropout")],
        ),
        # the test's name may stand before the p-values
        (
            "The course improved worry and low mood (d = 0.30 and 0.45, respectively; Mann-Whitney U test, "
            "p = .02 and p = .04).",
            [(0.3, 0.02, "worry"), (0.45, 0.04, "low mood")],
        ),
        (
            "The course improved worry and low mood (d = 0.30 and 0.45, respectively, ANOVA, p < .01).",
            [(0.3, 0.01, "worry"), (0.45, 0.01, "low mood")],
        ),
    ],
)
def test_p_values_listed_for_a_run_go_to_its_values_in_order(text, expected):
    assert values_of(text) == expected


def test_a_p_list_of_another_length_than_the_run_gives_no_value_a_p():
    text = "Effects were d = 0.20, d = 0.30 and d = 0.40 (p = .02 and .04, respectively)."
    assert [p for _, p, _ in values_of(text)] == [None, None, None]


def test_values_with_their_own_p_keep_them():
    text = "Worry fell (d = 0.50, p = .01) and low mood fell (d = 0.30, p = .04)."
    assert values_of(text) == [(0.5, 0.01, "Worry"), (0.3, 0.04, "low mood")]


def test_a_p_above_a_threshold_after_respectively_records_no_p():
    text = "Worry and low mood did not change (d = 0.10 and 0.12, respectively, p > .2)."
    found = [v for v in find_effects(analyse(text)) if v.confidence >= REPORTED]
    assert [(v.value["p"], v.attributes["p_operator"]) for v in found] == [(None, ">"), (None, ">")]
