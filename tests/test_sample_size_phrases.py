"""The noun phrase between a count and its noun for people: brackets that give a measure or range, classes
written as a range of numbers, and adjectives with adverbs listed by commas. Each form was found where the
rules read no count on public train abstracts (EBM-NLP, PICO corpus) and checked for candidates that appear or
vanish on 3,261 public abstracts (``scripts/eval_sample_size_candidates.py``). Every text is written for the
test."""

from __future__ import annotations

import pytest

from extractor.extract.sample_size.rules import choose_sample_size, find_sample_sizes
from extractor.textlayer import analyse


def headline(text: str, design: str | None = "rct") -> tuple[int, str] | None:
    chosen = choose_sample_size(find_sample_sizes(analyse(text)), design)
    return None if chosen is None else (chosen.value["n"], chosen.value["unit"])


def numbers(text: str) -> set[int]:
    return {c.value["n"] for c in find_sample_sizes(analyse(text)) if c.role is not None}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("We randomised 412 eligible overweight (BMI = 27 to 40 kg/m2) adults to two diets.", (412, "adults")),
        ("We randomised 120 healthy (aged 18-35) volunteers to caffeine or placebo.", (120, "volunteers")),
        ("We recruited 96 obese (BMI>30) female patients from two clinics; all were randomised.", (96, "patients")),
    ],
)
def test_a_bracket_with_a_measure_inside_the_phrase_is_skipped(text: str, expected: tuple[int, str]) -> None:
    assert headline(text) == expected


def test_a_bracket_that_counts_people_itself_is_not_skipped() -> None:
    # "(n = 30 patients)" is a count of its own, not a measure describing the people
    text = "We compared 2 eligible (n = 30 patients) wards with usual care in this randomised trial."
    assert 2 not in {n for n, unit in [(c.value["n"], c.value["unit"]) for c in find_sample_sizes(analyse(text))
                                          if c.role is not None] if unit == "patients"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Eighty ASA physical status 1 and 2 women scheduled for breast surgery were randomised.", (80, "women")),
        ("Sixty-four ASA physical status 1 or 2 adult patients were randomly allocated to two groups.",
         (64, "patients")),
        ("We randomised 140 stage 1-3 patients undergoing mastectomy to the block or to sham.", (140, "patients")),
    ],
)
def test_a_range_of_classes_inside_the_phrase_is_part_of_it(text: str, expected: tuple[int, str]) -> None:
    assert headline(text) == expected


def test_the_second_class_of_a_range_is_not_a_count() -> None:
    assert 2 not in numbers("Eighty ASA physical status 1 and 2 women scheduled for breast surgery were randomised.")


def test_adjectives_with_an_adverb_listed_by_commas() -> None:
    text = "The trial randomised 213 obese, metabolically unhealthy, postmenopausal women to exercise or control."
    assert headline(text) == (213, "women")


def test_a_comma_after_a_noun_still_ends_the_phrase() -> None:
    # "clinics," is a noun: the count is of clinics, not of the patients named after the comma
    text = "Twelve clinics, mostly rural, and their patients took part in the randomised trial."
    assert (12, "patients") not in {(c.value["n"], c.value["unit"]) for c in find_sample_sizes(analyse(text))}


# -- reviews: the count of included studies, not its parts or an increment --------------------------------


def review_headline(text: str) -> tuple[int, str] | None:
    return headline(text, "systematic_review")


def test_a_review_count_listed_by_its_parts_is_the_headline() -> None:
    text = ("Of 2480 potentially relevant records, 19 met the inclusion criteria: 7 randomised trials and 12 cohort "
            "studies. Pooled estimates favoured early mobilisation.")
    assert review_headline(text) == (19, "studies")


@pytest.mark.parametrize(("parts", "flagged"), [("7 randomised trials and 12 cohort studies", {7, 12}),
                                               ("7 randomised trials and 9 cohort studies", set())])
def test_only_counts_that_sum_to_the_one_before_are_its_parts(parts: str, flagged: set[int]) -> None:
    from extractor.extract.sample_size.choice import _parts_of_a_whole

    text = f"Of 2480 potentially relevant records, 19 met the inclusion criteria: {parts}."
    studies = [c for c in find_sample_sizes(analyse(text)) if c.role is not None]
    assert {c.value["n"] for c in studies if id(c) in _parts_of_a_whole(studies)} == flagged


def test_an_additional_count_of_studies_is_not_the_review_count() -> None:
    text = ("In total, 41 papers describing 44 programmes were included in the main meta-analysis, with 3 additional "
            "studies used for the analysis of adherence.")
    assert review_headline(text) == (41, "studies")


# -- two groups of one observational sample ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "design", "expected"),
    [
        ("We enrolled 120 hypertensive patients (study group) and 40 normotensive adults (control group).",
         "cross_sectional", 160),
        ("We recruited 52 children with asthma and 48 healthy children from two primary schools.", "cohort", 100),
        ("Overall, 61 patients with psoriasis and 59 healthy volunteers were included in the study.", "cohort", 120),
    ],
)
def test_two_groups_of_one_sample_are_added_up(text: str, design: str, expected: int) -> None:
    chosen = headline(text, design)
    assert chosen is not None and chosen[0] == expected


@pytest.mark.parametrize(
    "text",
    [
        # a longer list: two groups per arm, clinicians and patients
        "The trial included 31 doctors and 812 patients in one arm and 29 doctors and 790 patients in the other.",
        # results listed by grade, with "respectively"
        "Grade 1 and 2 toxicity was observed in 14 patients and 9 patients, respectively, of the 60 treated.",
        # a count of people that is part of the first, not a second group
        "We enrolled 240 adults and 35 of them had diabetes.",
    ],
)
def test_counts_that_are_not_two_groups_are_not_added_up(text: str) -> None:
    found = find_sample_sizes(analyse(text))
    assert not [c for c in found if c.attributes.get("sum_of_arms")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Serum ferritin was measured in 64 patients with coeliac disease and 58 patients with anaemia.", 122),
        ("Eighteen stroke survivors and 20 healthy adults performed a reaching task in a virtual kitchen.", 38),
        ("Gait speed was compared between 33 children with cerebral palsy and 31 typically developing children.", 64),
    ],
)
def test_two_groups_studied_together_are_added_up(text: str, expected: int) -> None:
    chosen = headline(text, "cross_sectional")
    assert chosen is not None and chosen[0] == expected


def test_two_counts_of_results_are_not_added_up() -> None:
    text = "Wound infection was observed in 12 patients and delayed healing in 9 patients after surgery."
    assert not [c for c in find_sample_sizes(analyse(text)) if c.attributes.get("sum_of_arms")]


# -- the ranker is not offered one group's count where the rules add the groups up ---------------------------


def test_the_ranker_is_not_offered_a_group_inside_a_sum() -> None:
    from extractor.models.sample_size import rank_sample_sizes

    text = ("Overall, 52 patients with psoriasis and 48 healthy women were included in the study. Mean platelet "
            "volume was higher in the patients.")
    layer = analyse(text)
    candidates = find_sample_sizes(layer)
    assert any(c.attributes.get("sum_of_arms") for c in candidates)
    ranked = [c for c, _ in rank_sample_sizes(candidates, layer, design="case_control")]
    assert ranked and not [c for c in ranked if "arm" in c.attributes]
    assert ranked[0].value["n"] == 100
