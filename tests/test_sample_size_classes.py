"""Sample-size classes that pages nobody tuned the rules to bring (issue 17): review counts in other wordings
and languages, the reviews of an umbrella review, a case-control study's cases and controls, the
questionnaires a survey got back, and German plurals. Every text is written for the test."""

from __future__ import annotations

import pytest

from extractor.extract.sample_size.rules import choose_sample_size, find_sample_sizes
from extractor.textlayer import analyse


def headline(text: str, design: str | None) -> tuple[int, str] | None:
    chosen = choose_sample_size(find_sample_sizes(analyse(text)), design)
    return None if chosen is None else (chosen.value["n"], chosen.value["unit"])


@pytest.mark.parametrize(
    ("text", "design", "expected"),
    [
        # German: a plain plural, a compound whose last part is the unit noun, the inclusion criteria after
        ("Methode. Aus 900 Publikationen erfüllten 31 kontrollierte Evaluationen die Einschlusskriterien.",
         "meta_analysis", (31, "studies")),
        ("Es wurden 12 Kontrollgruppenstudien eingeschlossen.", "meta_analysis", (12, "studies")),
        ("Insgesamt wurden 27 Studien in die Analyse aufgenommen.", "systematic_review", (27, "studies")),
        # Spanish and Chinese
        ("Se incluyeron 14 revisiones sistemáticas.", "umbrella_review", (14, "studies")),
        ("共纳入了来自三个国家的23项研究。", "meta_analysis", (23, "studies")),
    ],
)
def test_a_review_counts_its_included_studies_in_any_language(text: str, design: str, expected: tuple) -> None:
    assert headline(text, design) == expected


def test_an_umbrella_review_counts_its_reviews_not_their_trials() -> None:
    text = "Results: A total of 23 SRs and MAs covered 310 distinct RCTs that included 51,200 adults."
    assert headline(text, "umbrella_review") == (23, "studies")
    # an ordinary review of the same sentence counts the trials it included
    assert headline(text, "systematic_review") == (310, "studies")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("We ran a matched case-control study involving 140 stroke patients and 290 community controls.", 430),
        ("The sample comprised 88 cases (mean age 41) and 176 age-matched controls.", 264),
    ],
)
def test_a_case_control_study_counts_its_cases_and_its_controls(text: str, expected: int) -> None:
    assert headline(text, "case_control")[0] == expected


def test_cases_and_controls_are_not_summed_for_a_trial() -> None:
    text = "We enrolled 60 patients with migraine and 30 healthy controls; the patients were randomised."
    assert headline(text, "rct")[0] == 60


def test_a_survey_counts_the_questionnaires_it_got_back_not_the_people_invited() -> None:
    text = ("Methods: Secondary school pupils (n=2,310) from eight schools were invited to take part. "
            "Results: In all, 2,204 completed questionnaires were returned (response rate 95.4%).")
    assert headline(text, "cross_sectional") == (2204, "questionnaires")


def test_questionnaires_without_a_return_are_not_a_sample() -> None:
    assert headline("Parents filled in 3 questionnaires about sleep.", "cohort") is None


def test_a_trial_still_counts_the_randomised_when_questionnaires_come_back() -> None:
    text = ("A total of 412 mothers were randomised to the programme or usual care. "
            "At six months 350 questionnaires were returned.")
    assert headline(text, "rct") == (412, "mothers")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("In einer Geburtskohorte mit 640 Mutter-Kind-Paaren wurden Daten erhoben.", (640, "pairs")),
        ("An der Befragung nahmen 512 Schulkinder teil.", (512, "children")),
        ("Die Stichprobe bestand aus 233 Müttern und ihren Säuglingen.", (233, "mothers")),
    ],
)
def test_german_plurals_and_compounds_name_people(text: str, expected: tuple) -> None:
    assert expected in {(c.value["n"], c.value["unit"]) for c in find_sample_sizes(analyse(text))}


def test_an_english_word_ending_like_a_german_unit_is_not_read_as_one() -> None:
    # the compound reading is for capitalised German nouns: lower-case English words stay unknown
    found = {(c.value["n"], c.value["unit"]) for c in find_sample_sizes(analyse("We saw 40 undereltern today."))}
    assert (40, "parents") not in found


@pytest.mark.parametrize(
    ("text", "design", "expected"),
    [
        ("La muestra estuvo conformada por 1.245 adolescentes de 12 a 17 años.", "cross_sectional", 1245),
        ("An der Studie nahmen 1.512 Jugendliche teil.", "cross_sectional", 1512),
        ("Es wurden 4.213 Personen befragt.", "cross_sectional", 4213),
    ],
)
def test_thousands_grouped_by_full_stops_are_one_count(text: str, design: str, expected: int) -> None:
    assert headline(text, design)[0] == expected


def test_three_decimals_before_a_word_that_is_no_unit_are_not_a_count() -> None:
    found = {c.value["n"] for c in find_sample_sizes(analyse("The mean difference was 1.250 points in favour of yoga."))}
    assert 1250 not in found


def test_those_who_responded_to_a_survey_are_its_sample_not_those_invited() -> None:
    text = "A total of 2,400 parents were invited and 1,870 responded to the survey."
    assert headline(text, "cross_sectional")[0] == 1870


def test_patients_who_responded_to_treatment_are_not_a_sample() -> None:
    text = "We randomised 90 adults with depression; 41 responded to sertraline."
    assert headline(text, "rct")[0] == 90


@pytest.mark.parametrize(
    "text",
    [
        "We identified 312 cases of autism and 1,560 matched controls from the registry.",
        "Cases (n = 312) and controls (n = 1,560) were recruited from two hospitals.",
    ],
)
def test_cases_and_controls_written_with_a_phrase_or_as_labels_add_up(text: str) -> None:
    assert headline(text, "case_control")[0] == 1872


def test_a_list_of_groups_ending_in_controls_is_not_one_pair() -> None:
    text = ("Biopsies were taken in 14 patients with severe asthma, 13 patients with mild asthma and "
            "9 healthy controls.")
    assert not any(c.attributes.get("cases_and_controls") for c in find_sample_sizes(analyse(text)))


def test_the_ranker_is_offered_cases_plus_controls_only_for_a_case_control_study() -> None:
    from extractor.models.sample_size import rank_sample_sizes

    layer = analyse("The study involved 281 burn victims and 273 hospital-based controls.")
    candidates = find_sample_sizes(layer)
    assert any(c.attributes.get("cases_and_controls") for c in candidates)
    for design, offered in (("case_control", True), ("rct", False), (None, False)):
        ranked = rank_sample_sizes(candidates, layer, design=design)
        assert any(c.attributes.get("cases_and_controls") for c, _ in ranked) is offered


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("We studied breast cancer survivors (BCS). A total of 322 BCS were randomized to yoga or usual care.",
         (322, "survivors")),
        ("Among African American women (AAW) at risk, 213 obese postmenopausal AAW were randomized.", (213, "women")),
        ("Knowledge was assessed among transgender women (TGW): 260 TGWs were interviewed.", (260, "women")),
    ],
)
def test_an_abbreviation_the_text_defines_for_people_is_a_unit(text: str, expected: tuple) -> None:
    assert headline(text, "rct") == expected


@pytest.mark.parametrize(
    "text",
    [
        # the bracket follows no person noun, or its letters do not match the noun
        "Heart failure (HF) was common; 40 HF were admitted.",
        "We recruited mothers (CBT) and 40 CBT were randomized.",
    ],
)
def test_an_abbreviation_not_defined_for_people_is_no_unit(text: str) -> None:
    found = {c.value["n"] for c in find_sample_sizes(analyse(text))}
    assert 40 not in found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("We enrolled 64 parent–child dyads.", (64, "dyads")),  # an en dash joins the compound
        ("Forty-nine community-based pediatricians at 8 practices participated.", (49, "pediatricians")),
        ("Participants were 85 GPs from 12 practices.", (85, "GPs")),
        ("A total of 56 psychologists were interviewed.", (56, "psychologists")),
    ],
)
def test_compounds_with_an_en_dash_and_professionals_are_people(text: str, expected: tuple) -> None:
    assert headline(text, "rct") == expected


def test_an_en_dash_between_numbers_is_still_a_range() -> None:
    found = {c.value["n"] for c in find_sample_sizes(analyse("Scores ranged 10–20 points in 45 mothers."))}
    assert found == {45}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Methods: A total of 212 children presenting with behavioural problems at one of six community clinics in "
         "the north between 2015 and 2017, whose parents gave consent, were randomly allocated to the programme or a "
         "waiting list. Of these, 35 parents were interviewed.", (212, "randomised")),
        ("Three hundred and two mothers attending antenatal clinics in two districts, who screened positive for "
         "depression, were randomised.", (302, "randomised")),
    ],
)
def test_the_stage_verb_after_a_long_clause_gives_the_first_count_its_stage(text: str, expected: tuple) -> None:
    chosen = choose_sample_size(find_sample_sizes(analyse(text)), "rct")
    assert (chosen.value["n"], chosen.role) == expected


def test_a_stage_verb_of_other_people_does_not_give_the_count_its_stage() -> None:
    text = ("Surveys reached 410 parents at 12 primary schools in three northern districts of the county, "
            "including rural and urban areas with high deprivation, where the teachers were assigned to coaching.")
    roles = {c.value["n"]: c.role for c in find_sample_sizes(analyse(text))}
    assert roles.get(410) != "randomised"
