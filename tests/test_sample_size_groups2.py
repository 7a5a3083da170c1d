"""Sample-size classes of issue 17 item 4, round 2, found on the public train and dev splits: groups listed
before the one verb that gives them their stage, male and female groups of one noun, arms that each
"received" a treatment, a participle that gives the whole of "N of M" its stage, and a cue that belongs to
the clause before a semicolon. Every text is written for the test."""

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
        ("Twelve smokers with asthma and 20 non-smoking asthmatic adults were randomized to two inhalers.",
         (32, "participants")),
        ("Eighteen obese patients and 22 lean patients were enrolled in the clinic.", (40, "patients")),
        ("In all, 12 patients with panic disorder, 10 patients with social phobia and 9 healthy controls were "
         "recruited.", (31, "participants")),
    ],
)
def test_groups_before_one_stage_verb_are_one_sample(text: str, expected: tuple) -> None:
    assert headline(text) == expected


def test_a_count_joined_by_a_comma_only_is_no_list() -> None:
    text = "In a randomised trial with 300 participants, 80 persons took part in the online course."
    assert headline(text) == (300, "participants")


def test_groups_with_verbs_of_their_own_are_not_summed() -> None:
    text = "Ninety patients were randomized and 81 patients completed the trial."
    assert headline(text) == (90, "patients")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Data were analysed for 140 male and 61 female alcohol-dependent outpatients.", (201, "outpatients")),
        ("Seven female and 15 male volunteers with hay fever were studied.", (22, "volunteers")),
    ],
)
def test_male_and_female_groups_of_one_noun_are_summed(text: str, expected: tuple) -> None:
    assert headline(text, "cross_sectional") == expected


def test_arms_that_each_received_a_treatment_are_summed() -> None:
    text = ("Eighty-one patients received drug A, 20 mg twice daily, and 95 patients received drug B, 5 mg "
            "once daily, for six months.")
    assert headline(text) == (176, "patients")


def test_outcome_counts_in_arms_are_not_summed() -> None:
    text = ("Sixty children were randomized to the two schemes. Nausea occurred in 6 patients on scheme A and "
            "4 patients on scheme B.")
    assert headline(text) == (60, "children")


def test_a_participle_after_the_whole_gives_the_whole_its_stage() -> None:
    text = ("Study treatment was received by 611 of 640 patients enrolled; 300 patients with a response received "
            "maintenance whereas 120 patients without one received salvage therapy.")
    assert headline(text) == (640, "patients")


def test_a_part_with_its_own_verb_keeps_it() -> None:
    found = [c for c in find_sample_sizes(analyse("In the end, 75 of 92 patients were randomized.")) if c.role]
    roles = {c.value["n"]: c.role for c in found}
    assert roles == {75: "randomised", 92: "total"}


def test_a_cue_before_a_semicolon_belongs_to_its_own_clause() -> None:
    found = [c for c in find_sample_sizes(analyse(
        "All 420 women were enrolled; 133 women with a live birth received the booklet.")) if c.role]
    roles = {c.value["n"]: c.role for c in found}
    assert roles[420] == "enrolled" and roles[133] == "total"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("We used data from 4,120 children in the Growing Up Cohort Study.", (4120, "children")),
        ("Data from 905 mothers in the birth cohort were analysed.", (905, "mothers")),
    ],
)
def test_the_cohort_a_sample_comes_from_is_no_arm(text: str, expected: tuple) -> None:
    assert headline(text, "cohort") == expected


def test_two_cohorts_compared_are_still_summed() -> None:
    text = "We followed 150 adults in the exposed cohort and 300 adults in the unexposed cohort."
    assert headline(text, "cohort") == (450, "adults")


def test_a_first_group_whose_noun_is_left_out_takes_the_second_ones() -> None:
    text = "The analysis included 412 rural and 1,093 urban households."
    assert headline(text, "cross_sectional") == (1505, "households")


def test_a_first_word_that_is_a_noun_of_its_own_is_not_an_elided_group() -> None:
    assert headline("After 12 weeks and 30 patients were randomized.") == (30, "patients")


def test_questionnaires_received_are_the_survey_sample_not_the_residents_invited() -> None:
    text = "We received 318 completed questionnaires from 402 eligible nurses (79%)."
    assert headline(text, "cross_sectional") == (318, "questionnaires")


def test_eligible_records_before_the_included_ones_were_screened() -> None:
    text = "Of the 233 eligible articles, 61 reports and 12 protocols were included."
    assert headline(text, "systematic_review") == (61, "studies")
    assert headline("Nine eligible trials were included.", "systematic_review") == (9, "studies")


def test_a_breakdown_in_brackets_leaves_the_verb_to_the_count_before_it() -> None:
    text = ("After baseline, 1210 year 2 pupils aged 6 and 7 years (control: 24 schools, 590 pupils) were "
            "randomised by a balancing algorithm.")
    assert headline(text, "cluster_rct") == (1210, "pupils")


def test_the_people_of_the_clusters_share_the_clusters_stage() -> None:
    text = "The cluster trial included 36 kindergartens with 912 children for 10 weeks."
    assert headline(text, "cluster_rct") == (912, "children")


def test_a_verb_before_and_belongs_to_the_count_before_it() -> None:
    text = "In all, 2210 records were screened and 14 systematic reviews containing 301 primary studies were appraised."
    assert headline(text, "umbrella_review") == (14, "studies")


def test_included_inside_the_phrase_outweighs_a_later_total() -> None:
    text = "Of 9 804 references identified by the search, 41 included studies gave estimates, with a total of 90 112 adults."
    assert headline(text, "meta_analysis") == (41, "studies")


def test_a_bare_count_after_a_base_of_studies_is_counted_in_studies() -> None:
    text = "Results: Of 21,930 retrieved studies, 117 including 802,455 participants were eligible."
    assert headline(text, "meta_analysis") == (117, "studies")


def test_data_from_a_count_of_trials_is_a_review_sample_but_not_a_named_source() -> None:
    assert headline("We pooled individual data from 9 cluster-randomised trials run in Kenya.", "meta_analysis") == (
        9, "studies")
    assert headline("Using data from the Early Years Project these 2 studies examine stress.", None) is None
