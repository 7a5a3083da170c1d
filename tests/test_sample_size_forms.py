"""Sample-size forms that hidden pages bring (issue 17): counts written in words, four-digit counts that could
be read as years, and the parent trial's counts in a secondary analysis or follow-up. Every text is written
for the test."""

from __future__ import annotations

import pytest

from extractor.extract.sample_size.rules import choose_sample_size, find_sample_sizes
from extractor.textlayer import analyse


def headline(text: str, design: str | None = "rct") -> tuple[int, str] | None:
    chosen = choose_sample_size(find_sample_sizes(analyse(text)), design)
    return None if chosen is None else (chosen.value["n"], chosen.value["unit"])


def numbers(text: str) -> set[int]:
    return {c.value["n"] for c in find_sample_sizes(analyse(text)) if c.role is not None}


# -- counts in words -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Forty-two children were randomised to the programme or a waiting list.", (42, "children")),
        ("Forty two mothers took part and were randomised to two groups.", (42, "mothers")),
        ("Forty\u2010two toddlers were randomised to the programme or a waiting list.", (42, "toddlers")),
        ("We randomised one hundred and twelve participants to exercise or usual care.", (112, "participants")),
        ("One hundred twelve adults with insomnia were randomly assigned to two arms.", (112, "adults")),
        ("Seventy patients were randomised. Outcomes were assessed at 6 months.", (70, "patients")),
        ("Two thousand and forty-six nurses were enrolled in this randomised trial.", (2046, "nurses")),
        ("Eighty-four mother-infant dyads were randomised to video feedback or usual care.", (84, "dyads")),
        # an en dash or a soft hyphen (web and PDF text) between the words: once read as "Forty"
        ("Forty\u2013two children were randomised to the programme or a waiting list.", (42, "children")),
        ("Forty\u00adtwo children were randomised to the programme or a waiting list.", (42, "children")),
    ],
)
def test_a_count_written_in_words_is_the_headline(text: str, expected: tuple[int, str]) -> None:
    assert headline(text) == expected


# -- four-digit counts and years -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A randomised trial in 2046 patients with heart failure compared drug A with placebo.", (2046, "patients")),
        ("Data from 2019 participants were analysed in this randomised trial.", (2019, "participants")),
        ("The control group was made up of 1998 pregnant women from the same clinics.", (1998, "women")),
    ],
)
def test_a_four_digit_number_before_a_noun_for_people_is_a_count(text: str, expected: tuple[int, str]) -> None:
    assert headline(text) == expected


def test_a_screened_count_that_looks_like_a_year_is_kept_with_its_role() -> None:
    candidates = find_sample_sizes(analyse("Of 2012 patients screened, 240 were randomised."))
    assert {(c.value["n"], c.role) for c in candidates} == {(2012, "screened"), (240, "randomised")}


@pytest.mark.parametrize(
    "text",
    [
        "In 2012 patients were first offered the programme at 12 clinics.",
        "Between 2010 and 2014 patients were offered the programme at 12 clinics.",
        "Since 2015 women have been offered the programme at 12 clinics.",
        "From January 2016 patients could join the programme at 12 clinics.",
        "During 2018 adolescents attended the programme at 12 clinics.",
    ],
)
def test_a_year_before_a_noun_for_people_stays_a_year_after_a_date_word(text: str) -> None:
    assert not numbers(text) & set(range(1900, 2100))


# -- the parent study of a secondary analysis or follow-up ----------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Methods: This is a secondary analysis of the Family Start trial, in which 1,200 mothers were assessed for "
         "eligibility and 600 were randomised. We analysed 412 mothers with complete depression data.", (412, "mothers")),
        ("Methods: This follow-up study of the XYZ randomised trial (n = 1500) re-assessed 320 children at age 10.",
         (320, "children")),
        ("Methods: In this secondary analysis of a randomized clinical trial that screened 3000 women, 850 women with "
         "complete data were included.", (850, "women")),
        ("Methods: A post hoc analysis of the PREVENT trial, which enrolled 4,000 older adults. We included the 640 "
         "participants with diabetes at baseline.", (640, "participants")),
        ("Methods: Using data from the Millennium Cohort Study (n = 18,000 families), we examined 9,500 children with "
         "complete data at age 11.", (9500, "children")),
        ("Methods: Secondary analysis of data from a randomized controlled trial of 742 families; at the age 12 "
         "follow-up, 612 children were interviewed.", (612, "children")),
    ],
)
def test_the_parent_studys_counts_are_not_the_reports_sample(text: str, expected: tuple[int, str]) -> None:
    assert headline(text) == expected


def test_the_parent_studys_count_stays_when_the_report_gives_none_of_its_own() -> None:
    text = "Methods: A secondary analysis of the ABC trial, which randomised 600 women to yoga or stretching."
    assert headline(text) == (600, "women")


def test_a_follow_up_time_point_of_the_trial_is_not_a_parent_study() -> None:
    text = ("Methods: 400 children were randomised. At the 12-month follow-up of the trial, 300 children were assessed "
            "and 280 children were analysed.")
    candidates = find_sample_sizes(analyse(text))
    assert not any(c.attributes.get("parent_study") for c in candidates)
    assert headline(text) == (400, "children")


def test_the_verb_right_before_a_count_gives_its_role_before_a_comma() -> None:
    candidates = find_sample_sizes(analyse("The trial screened 3000 women, 850 women with complete data were included."))
    assert {(c.value["n"], c.role) for c in candidates} == {(3000, "screened"), (850, "analysed")}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Methods: Of 2,500 participants in the parent trial, 1,830 completed the 10-year follow-up survey.",
         (1830, "participants")),
        ("Methods: In the original trial, 2,500 adolescents were randomised to a school programme or usual teaching. "
         "For this study, 1,830 were re-interviewed at age 25.", (1830, "adolescents")),
        ("Methods: The parent trial randomised 2,500 adolescents; 1,830 were re-interviewed at age 25.",
         (1830, "adolescents")),
    ],
)
def test_a_clause_naming_the_parent_trial_holds_the_parents_counts(text: str, expected: tuple[int, str]) -> None:
    assert headline(text) == expected


def test_a_mention_of_the_original_trial_elsewhere_leaves_the_reports_count_alone() -> None:
    text = "Methods: 400 women were randomised to the programme or usual care. The original trial was described elsewhere."
    assert headline(text) == (400, "women")


def test_the_ranker_is_not_offered_the_parent_studys_counts() -> None:
    from extractor.models.sample_size import rank_sample_sizes
    from extractor.training.sample_size import candidates_of

    layer, candidates = candidates_of(
        "Methods: In this secondary analysis of a randomized clinical trial that screened 3000 women, 850 women "
        "with complete data were included.")
    assert any(c.attributes.get("parent_study") for c in candidates)
    assert [c.value["n"] for c, _ in rank_sample_sizes(candidates, layer)] == [850]


# -- "N of the <people>" ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("In this 10-year follow-up, 1,830 of the original participants completed an online survey.",
         (1830, "followed_up", "participants")),
        ("Forty of the mothers completed the programme.", (40, "followed_up", "mothers")),
    ],
)
def test_a_count_of_the_people_named_after_it_takes_their_noun(text: str, expected: tuple[int, str, str]) -> None:
    assert {(c.value["n"], c.role, c.value["unit"]) for c in find_sample_sizes(analyse(text))} == {expected}


def test_some_of_the_people_without_a_stage_are_a_subgroup() -> None:
    assert numbers("Twelve of the patients had adverse events.") == set()


# -- a report that calls itself a secondary analysis or follow-up ------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the trial's randomised count in a clause about the trial, the report's own after the semicolon
        ("Design: Secondary analysis of the Building Blocks trial. Participants: 1,645 first-time mothers were "
         "randomised in the trial; this analysis includes 823 mothers with complete data at 24 months.",
         (823, "mothers")),
        # the named trial is the subject of the sentence
        ("Background: The PACE trial enrolled 641 patients with chronic fatigue syndrome. Methods: In this long-term "
         "follow-up, 481 participants returned questionnaires.", (481, "participants")),
        # participants drawn from a named trial
        ("Methods: Participants were drawn from the Healthy Start trial, which screened 10,210 pregnant women and "
         "randomised 2,112. The present analysis included 987 women who completed the 12-month assessment.",
         (987, "women")),
        # a bare count with a qualifying phrase before its verb
        ("Design: Secondary analysis of a cluster randomised trial. Participants: Of 5,231 children assessed in the "
         "parent trial, 1,412 with elevated anxiety scores were included in this analysis.", (1412, "children")),
        # "focusing on" the report's subgroup
        ("Methods: We conducted a post-hoc analysis of data from the TRIAL-X study, a randomised trial in 1,203 adults "
         "with asthma, focusing on the 312 smokers.", (312, "smokers")),
    ],
)
def test_a_derived_report_counts_its_own_sample(text: str, expected: tuple[int, str]) -> None:
    assert headline(text) == expected


def test_a_primary_trial_that_mentions_the_trial_keeps_its_randomised_count() -> None:
    text = ("Methods: 1,645 first-time mothers were randomised in the trial; 823 mothers completed the 24-month "
            "assessment.")
    assert headline(text) == (1645, "mothers")


def test_a_bare_count_with_a_qualifier_is_not_read_across_a_comma() -> None:
    text = ("A total of 30 subjects, between the ages of 8 and 18 with autism based on DSM IV criteria, were "
            "included in the study.")
    assert numbers(text) == {30}


def test_a_number_past_any_reported_year_opening_a_sentence_is_a_count() -> None:
    assert headline("In 2046 patients with heart failure, drug A was compared with placebo in a randomised trial.") \
        == (2046, "patients")


def test_a_trial_paper_that_plans_a_secondary_analysis_far_on_keeps_its_randomised_count() -> None:
    opening = "Methods: 400 children were randomised in the trial; 350 children completed the 12-month assessment. "
    filler = "Outcomes were measured by blinded assessors at each school visit. " * 25
    later = "A secondary analysis of the trial data will examine moderators such as age and sex."
    assert headline(opening + filler + later) == (400, "children")


@pytest.mark.parametrize(
    "text",
    [
        "Design: Secondary analysis of a randomised trial. Methods: The study included 823 mothers; 640 completed "
        "the 24-month follow-up.",
        "Design: Secondary analysis of a randomised trial. Methods: 823 mothers were allocated to the trial arms; "
        "640 completed the 24-month follow-up.",
    ],
)
def test_in_a_derived_report_its_own_study_and_the_trial_arms_are_not_the_parent(text: str) -> None:
    assert headline(text)[0] == 823


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Design: Secondary analysis of the Family Start trial. Participants: 412 mothers from the Family Start trial "
         "with complete depression data; 380 completed the 24-month assessment.", 412),
        ("Design: Secondary analysis of a randomised trial. Participants: We analysed 9,500 children of the Millennium "
         "Cohort Study; 8,000 completed the age 14 survey.", 9500),
    ],
)
def test_in_a_derived_report_people_from_the_trial_are_its_own_sample(text: str, expected: int) -> None:
    assert headline(text)[0] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Methods: This secondary analysis of the Family Start trial included 412 mothers with complete data. 380 "
         "completed the 24-month assessment.", 412),
        ("Methods: This follow-up of the ABC trial re-assessed 320 children at age 10; 290 completed all tests.", 320),
    ],
)
def test_a_count_the_derived_report_is_the_subject_of_is_its_own(text: str, expected: int) -> None:
    assert headline(text)[0] == expected


# -- a bare count takes the noun of the parallel count before it ---------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Five hundred women attending 12 clinics were invited; three hundred and twelve agreed to take part.",
         (312, "women")),
        ("Of 5,231 children assessed in 12 schools, 1,412 with elevated scores were included.", (1412, "children")),
        # the base the count is taken from, past the people of its own clause
        ("Of 860 mothers approached by home visitors in 9 districts, 512 agreed to take part in the trial.",
         (512, "mothers")),
    ],
)
def test_a_bare_count_takes_the_noun_of_the_parallel_count_not_the_nearest(text: str,
                                                                          expected: tuple[int, str]) -> None:
    assert headline(text) == expected


def test_a_bare_count_whose_clause_names_people_keeps_that_noun() -> None:
    text = "Twelve clinics took part; among their patients, 240 were randomised to the two arms."
    assert headline(text) == (240, "patients")
