"""The outcome an effect is linked to, named as the outcome and nothing else (text of our own)."""

from __future__ import annotations

import pytest

from extractor.extract.effects.links import clean_outcome, outcome_phrase
from extractor.extract.effects.outcome_names import study_outcome
from extractor.extract.effects.rules import find_effects
from extractor.textlayer import analyse

REPORTED = 0.5  # data/combine.json: effect_min_confidence


def outcomes_of(text: str) -> list:
    return [v.value.get("outcome") for v in find_effects(analyse(text)) if v.confidence >= REPORTED]


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("women who developed postpartum depression", "postpartum depression"),
        ("the proportion of mothers who had postnatal anxiety", "postnatal anxiety"),
        ("children with sleep problems", "sleep problems"),
        ("night waking-one event", "night waking"),
        ("school refusal-2 events", "school refusal"),
        ("school refusal - three to five events", "school refusal"),
        # a code's number is part of its name, not an exposure level
        ("PHQ-9 remission", "PHQ-9 remission"),
        ("EQ-5D index", "EQ-5D index"),
        ("maternal sensitivity", "maternal sensitivity"),
        # nothing left after the population: the phrase stays as it is
        ("children with", "children with"),
    ],
)
def test_outcome_phrase_drops_population_heads_and_exposure_levels(phrase, expected):
    assert outcome_phrase(phrase) == expected


@pytest.mark.parametrize("phrase", ["two events", "three to five events", "1 event", "2 or more events"])
def test_an_exposure_level_alone_is_not_an_outcome(phrase):
    assert clean_outcome(phrase) is None


def test_a_list_of_exposure_levels_keeps_the_outcome_each_group_names():
    text = (
        "As exposure scores increased, the odds rose for (1) sleep problems-one event (adjusted odds ratio, "
        "AOR = 1.9, p < 0.001), two events (AOR = 2.8, p < 0.001) and three to five events (AOR = 6.1, "
        "p < 0.001); school refusal-1 event (AOR = 1.4, p = 0.02), two events (AOR = 2.2, p = 0.003)."
    )
    assert outcomes_of(text) == ["sleep problems"] * 3 + ["school refusal"] * 2


def test_the_people_who_had_the_outcome_are_not_its_name():
    text = (
        "At follow-up, the proportion of mothers who developed postnatal anxiety was lower in the coaching arm "
        "than in the waiting-list arm (risk ratio (RR) 0.71, 95% CI 0.52-0.97)."
    )
    assert outcomes_of(text) == ["postnatal anxiety"]


def test_a_list_name_that_is_only_an_adjective_gives_way_to_the_phrase():
    assert study_outcome(["depressive symptoms"], ["depressive", "suicide plans"]) == "depressive symptoms"
    # a full name in the list still names the phrase
    assert study_outcome(["depressive symptoms at 6 months"], ["depressive symptoms"]) == "depressive symptoms"
    assert study_outcome(["PHQ-9 total score"], ["PHQ-9", "remission"]) == "PHQ-9"


def _links(text: str) -> dict:
    from extractor.extract.document import extract_document
    from extractor.interchange import interchange_record
    from extractor.readers.text import parse_plain_text

    document = parse_plain_text(text, "links.txt")
    record = interchange_record(document, extract_document(document, use_models=False))
    return {effect["value"]: effect["outcome"] for study in record["studies"] for effect in study["effects"]}


def test_a_subscale_takes_the_instrument_its_own_sentence_names():
    text = (
        "Story time for toddlers: a randomised trial\n\n"
        "Methods: We randomised 300 families to story sessions or usual care. "
        "Results: On the Child Behavior Checklist (CBCL), story sessions reduced externalizing "
        "(mean difference -2.4, 95% CI -4.0 to -0.8; p = 0.003). "
        "Story sessions also reduced internalizing (mean difference -1.1, 95% CI -2.1 to -0.1; p = 0.03)."
    )
    links = _links(text)
    assert links[-2.4] == "CBCL externalizing"
    # the instrument is named in another sentence only: the subscale is linked as written, never guessed
    assert links[-1.1] == "internalizing"


def test_with_instrument_needs_exactly_one_instrument_in_the_sentence():
    from extractor.extract.effects.outcome_names import with_instrument

    assert with_instrument("externalizing", "scores on the CBCL showed less ") == "CBCL externalizing"
    assert with_instrument("externalizing", "the PHQ-9 and the CBCL both showed ") == "externalizing"
    assert with_instrument("externalizing", "parents reported less ") == "externalizing"
    assert with_instrument("SDQ hyperactivity", "on the CBCL ") == "SDQ hyperactivity"
    assert with_instrument("maternal sensitivity", "on the CBCL ") == "maternal sensitivity"


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("hazard ratio for hospital admission", "hospital admission"),
        ("The adjusted odds ratio of relapse", "relapse"),
        ("RR for mortality", "mortality"),
        # "of" inside an outcome's own name stays
        ("quality of life", "quality of life"),
        ("symptoms of depression", "symptoms of depression"),
        ("risk of relapse", "risk of relapse"),
    ],
)
def test_a_measure_named_before_its_outcome_is_not_part_of_it(phrase, expected):
    assert outcome_phrase(phrase) == expected


def test_an_estimate_that_re_expresses_the_one_before_keeps_its_outcome():
    text = (
        "Exercise reduced relapse (RR 0.62, 95% CI 0.45 to 0.85), equivalent to a risk difference of -0.12 "
        "(95% CI -0.20 to -0.04)."
    )
    assert outcomes_of(text) == ["relapse", "relapse"]
    text = (
        "The adjusted hazard ratio for hospital admission was 2.1 (95% CI 1.8-2.5), corresponding to 14.2 "
        "(12.0-16.4) additional admissions per 10,000 children annually."
    )
    assert outcomes_of(text) == ["hospital admission", "hospital admission"]


@pytest.mark.parametrize("phrase", ["placebo", "the wait-list", "matched placebo"])
def test_a_comparator_arm_is_not_an_outcome(phrase):
    assert clean_outcome(phrase) is None
