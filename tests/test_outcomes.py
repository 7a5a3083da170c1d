"""Outcome measures: lexicon hits, defined abbreviations, fuzzy names, constructs, roles, time points, choosing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import shared_path
from extractor.extract.outcomes.lexicon import fuzzy_instrument as _fuzzy_instrument
from extractor.extract.outcomes.rules import choose_outcomes, find_outcomes
from extractor.textlayer import analyse
from extractor.types import ExtractedValue

LEXICON = Path(__file__).resolve().parents[1] / "extractor" / "data" / "instruments.json"


def chosen(text: str) -> list[ExtractedValue]:
    return choose_outcomes(find_outcomes(analyse(text)))


def outcomes(text: str) -> list[str]:
    return [value.value for value in chosen(text)]


# ---------------------------------------------------------------- the lexicon


def test_lexicon_has_at_least_150_instruments_with_unique_abbreviations() -> None:
    entries = json.loads(LEXICON.read_text(encoding="utf-8"))["instruments"]
    abbreviations = [entry["abbreviation"] for entry in entries]
    assert len(entries) >= 150
    assert len(abbreviations) == len(set(abbreviations))


def test_lexicon_entries_have_a_name_a_construct_and_aliases() -> None:
    entries = json.loads(LEXICON.read_text(encoding="utf-8"))["instruments"]
    for entry in entries:
        assert entry["name"] and entry["construct"], entry
        assert isinstance(entry["aliases"], list), entry


def test_no_alias_is_another_instruments_abbreviation() -> None:
    entries = json.loads(LEXICON.read_text(encoding="utf-8"))["instruments"]
    owner = {entry["abbreviation"]: entry["name"] for entry in entries}
    for entry in entries:
        for alias in entry["aliases"]:
            assert owner.get(alias, entry["name"]) == entry["name"], (alias, entry["name"])


# ---------------------------------------------------------------- instruments


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Depressive symptoms were measured with the PHQ-9 at baseline.", ["PHQ-9"]),
        (
            "Mothers completed the Edinburgh Postnatal Depression Scale at 8 weeks.",
            ["Edinburgh Postnatal Depression Scale"],
        ),
        (
            "Outcome measures included the CBCL, the PSI and the Parenting Scale.",
            ["CBCL", "PSI", "Parenting Scale"],
        ),
        (
            "Child behaviour was rated on the Eyberg Child Behaviour Inventory.",
            ["Eyberg Child Behaviour Inventory"],
        ),
        ("Anxiety was assessed with the GAD-7 and depression with the BDI-II.", ["GAD-7", "BDI-II"]),
        ("Quality of life was assessed with the EQ-5D-5L and the SF-12.", ["EQ-5D-5L", "SF-12"]),
        ("Development was assessed with the Bayley-III and the ASQ:SE.", ["Bayley-III", "ASQ:SE"]),
    ],
)
def test_lexicon_instruments_are_found_by_abbreviation_or_name(text: str, expected: list[str]) -> None:
    assert outcomes(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Parents in the cbcl arm were visited at home.",  # lower case: not the abbreviation
        "Results were presented at the PAS meeting in Toronto.",  # ambiguous letters, nothing measured
    ],
)
def test_abbreviations_need_their_case_and_ambiguous_ones_a_measuring_cue(text: str) -> None:
    assert outcomes(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "The principal outcome was child mental health, as measured by the Strengths and Difficulties "
            "Questionnaire Total Difficulties (SDQ-TD) scale at 2.5 years after study entry.",
            ["SDQ-TD"],
        ),
        (
            "Mothers reported on their depression (Patient Health Questionnaire, PHQ-9), anxiety (General Anxiety "
            "Disorder, GAD-7), and trauma symptoms (PTSD Checklist, PCL-5) at baseline.",
            ["PHQ-9", "GAD-7", "PCL-5"],
        ),
        (
            "Family functioning was measured with the Family Resilience Assessment Scale (FRAS). FRAS scores rose.",
            ["FRAS"],
        ),
        ("Parenting stress was measured with the Parenting Stress Index-Short Form (PSI-SF).", ["PSI-SF"]),
    ],
)
def test_abbreviations_defined_in_the_text_name_the_outcome(text: str, expected: list[str]) -> None:
    assert outcomes(text) == expected


def test_a_definition_in_the_text_vetoes_a_lexicon_reading_of_the_same_letters() -> None:
    text = (
        "We evaluated a Perinatal Support Service (PSS) for mothers. Anxiety improved on the HADS after the PSS "
        "(t = 6.9)."
    )
    assert outcomes(text) == ["HADS"]


def test_a_construct_with_a_defined_abbreviation_is_reported_by_it() -> None:
    text = (
        "We meta-analysed effects on externalizing behavior (EXT) and internalizing behavior (INT). "
        "Interventions were superior to waitlist for EXT (SMD = -0.17) and INT (SMD = -0.34)."
    )
    assert outcomes(text) == ["EXT", "INT"]


# ---------------------------------------------------------------- fuzzy names


@pytest.mark.parametrize(
    ("phrase", "abbreviation"),
    [
        ("Edinburg Postnatal Depression Scale", "EPDS"),
        ("Strength and Difficulty Questionaire", "SDQ"),
        ("Beck Depresssion Inventory", "BDI-II"),
        ("Hospital Anxiety and Depresion Scale", "HADS"),
        ("Warwick Edinburgh Mental Well Being Scale", "WEMWBS"),
        ("Parenting Stress Indx", "PSI"),
        ("Childrens Depression Inventory", "CDI"),
        ("Child Behaviour Check-list", "CBCL"),
        ("Becks Depression Inventry", "BDI-II"),
    ],
)
def test_variant_spellings_reach_their_lexicon_entry(phrase: str, abbreviation: str) -> None:
    instrument = _fuzzy_instrument(phrase)
    assert instrument is not None and instrument.abbreviation == abbreviation


@pytest.mark.parametrize(
    "phrase",
    [
        "Family Support Scale",
        "Maternal Self-Efficacy Questionnaire",
        "Parental Stress Scale",
        "Child Health Survey",
        "Social Support Questionnaire",
        "Parent Behavior Checklist",
        "Parenting Satisfaction Scale",
        "Infant Feeding Questionnaire",
        "Maternal Attachment Inventory",
        "Child Development Inventory",
    ],
)
def test_different_instruments_are_not_fuzzy_matched_to_a_near_name(phrase: str) -> None:
    assert _fuzzy_instrument(phrase) is None


def test_a_misspelt_instrument_in_a_sentence_is_reported_as_written() -> None:
    [value] = chosen("Mothers completed the Strength and Difficulty Questionaire at 12 months.")
    assert value.value == "Strength and Difficulty Questionaire"
    assert value.attributes["matched"] == "fuzzy"
    assert value.attributes["instrument"] == "Strengths and Difficulties Questionnaire"


def test_an_unknown_instrument_used_as_a_measure_is_kept_by_its_name() -> None:
    [value] = chosen(
        "Results: Mothers reported higher scores on the Maternal Self-Efficacy Questionnaire (d = 0.41)."
    )
    assert (value.value, value.attributes["matched"]) == ("Maternal Self-Efficacy Questionnaire", "name")


# ---------------------------------------------------------------- constructs


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The primary outcome will be the quality of maternal sensitivity.", ["maternal sensitivity"]),
        (
            "Secondary outcomes included recovery from depression, levels of disability and perceived social "
            "support and child outcomes.",
            ["recovery from depression", "disability", "perceived social support", "child outcomes"],
        ),
        (
            "ECD outcomes included cognitive, language, motor, and socioemotional development, behavior problems, "
            "and attachment.",
            [
                "cognitive development",
                "language development",
                "motor development",
                "socioemotional development",
                "behavior problems",
                "attachment",
            ],
        ),
        (
            "There were no significant differences in parental satisfaction with caseworkers or repeat CPS "
            "investigations within 6 months of case closure.",
            ["parental satisfaction with caseworkers", "repeat CPS investigations"],
        ),
        (
            "Maternal sensitivity was assessed during free-play and infant development was evaluated with a "
            "standardized scale.",
            ["maternal sensitivity", "infant development"],
        ),
        (
            "Results: There were significant improvements in self-esteem, social skills and peer relationships.",
            ["self-esteem", "social skills", "peer relationships"],
        ),
        (
            "Findings: There were significant effects for reduced dysfunctional parenting, child behaviour problems, "
            "and intimate partner violence, and increased parental efficacy and positive parenting.",
            [
                "dysfunctional parenting",
                "child behaviour problems",
                "intimate partner violence",
                "parental efficacy",
                "positive parenting",
            ],
        ),
        (
            "The outcomes were maternal self-report of mental health symptoms and positive aspects of mental health "
            "(personal well-being and self-efficacy).",
            ["mental health symptoms", "personal well-being", "self-efficacy"],
        ),
        (
            "Pooled effects favoured the intervention for child cognitive development (SMD = 0.32) and language "
            "development (SMD = 0.28).",
            ["child cognitive development", "language development"],
        ),
    ],
)
def test_named_constructs_are_outcomes_when_no_instrument_is_given(text: str, expected: list[str]) -> None:
    assert outcomes(text) == expected


@pytest.mark.parametrize(
    ("phrase_in", "phrase_out"),
    [
        ("The primary outcome was the rate of preterm birth at 6 months.", "preterm birth"),
        ("The primary outcome was depressive symptom scores at 12 weeks.", "depressive symptom"),
        ("The primary outcome was remission at 6 months post-childbirth.", "remission"),
        ("The primary outcome was all-cause mortality in the intervention group.", "all-cause mortality"),
        # slides and web pages keep markdown emphasis around a phrase
        ("The primary outcome was **maternal sensitivity** at 6 months.", "maternal sensitivity"),
    ],
)
def test_construct_phrases_are_cleaned_of_determiners_scores_and_time_points(
    phrase_in: str, phrase_out: str
) -> None:
    assert outcomes(phrase_in) == [phrase_out]


# ---------------------------------------------------------------- roles and time points


def test_primary_and_secondary_roles_are_marked() -> None:
    text = (
        "The primary outcome was maternal sensitivity and the secondary outcomes will focus on attachment "
        "security and behavioural problems. Depression was measured with the PHQ-9."
    )
    roles = {value.value: value.role for value in chosen(text)}
    assert roles == {
        "maternal sensitivity": "primary",
        "attachment security": "secondary",
        "behavioural problems": "secondary",
        "PHQ-9": None,
    }


def test_an_instrument_named_in_a_primary_outcome_statement_is_primary() -> None:
    [value] = chosen("Primary outcomes were maternal depression symptoms (PHQ-9) at 3 and 6 months.")
    assert (value.value, value.role) == ("PHQ-9", "primary")


@pytest.mark.parametrize(
    ("text", "timepoints"),
    [
        (
            "The principal outcome was child mental health, as measured by the SDQ at 2.5 years after study entry.",
            ["2.5 years after study entry"],
        ),
        (
            "Mothers completed the PHQ-9 at baseline, and six and 12 months later.",
            ["baseline", "six and 12 months later"],
        ),
        (
            "Children aged 2 to 6 years completed the SDQ at 14-, 22-, and 26-week follow-up.",
            ["14-, 22-, and 26-week follow-up"],
        ),
    ],
)
def test_time_points_are_kept_in_attributes(text: str, timepoints: list[str]) -> None:
    [value] = chosen(text)
    assert value.attributes["timepoints"] == timepoints


# ---------------------------------------------------------------- choosing


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Behaviour was rated with the Child Behavior Checklist (CBCL). CBCL total scores fell (d = 0.3).",
            ["CBCL"],
        ),
        (
            "We measured depression (PHQ-9) at baseline. Depression improved more in the intervention group.",
            ["PHQ-9"],
        ),
        (
            "Outcomes included cognitive development. Results: effects on child cognitive development were small.",
            ["cognitive development"],
        ),
        (
            "Behaviour was rated with the Child Behaviour Checklist. Results: Child Behavior Checklist scores fell.",
            ["Child Behaviour Checklist"],
        ),
        (
            "Mothers completed the Strengths and Difficulties Questionnaire Total Difficulties (SDQ-TD) scale. "
            "SDQ-TD scores did not differ.",
            ["SDQ-TD"],
        ),
    ],
)
def test_each_outcome_is_reported_once(text: str, expected: list[str]) -> None:
    assert outcomes(text) == expected


def test_chosen_outcomes_come_in_text_order_marked_chosen() -> None:
    text = "Secondary outcomes were sleep quality and infant weight gain. The primary outcome was maternal anxiety."
    values = chosen(text)
    assert [v.value for v in values] == ["sleep quality", "infant weight gain", "maternal anxiety"]
    assert all(v.chosen and v.field == "outcome" for v in values)


def test_weak_mentions_are_reported_only_when_nothing_strong_is_found() -> None:
    aims_only = "Objective: To evaluate the effect of a home visiting program on child maltreatment."
    assert outcomes(aims_only) == ["child maltreatment"]
    with_results = aims_only + " Methods: The primary outcome was emergency department visits."
    assert outcomes(with_results) == ["emergency department visits"]


# ---------------------------------------------------------------- what is not an outcome


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Women who scored > 10 on the PHQ-9 were eligible. The primary outcome was preterm birth.",
            ["preterm birth"],
        ),
        (
            "Background: Postnatal depression is commonly screened with the EPDS. Methods: The primary outcome was "
            "maternal sensitivity.",
            ["maternal sensitivity"],
        ),
        (
            "Department of Psychiatry, University of Leeds, Leeds, UK; Strengths and Difficulties Questionnaire "
            "Group.",
            [],
        ),
        (
            "1. Goodman R, et al. The Strengths and Difficulties Questionnaire. J Child Psychol Psychiatry. 1997;38(5):"
            "581-6.",
            [],
        ),
        ("No significant moderating effects were found for program duration and delivery setting.", []),
        ("The effectiveness of parenting programmes for low-income families is unclear.", []),
    ],
)
def test_eligibility_background_affiliations_references_and_moderators_are_not_outcomes(
    text: str, expected: list[str]
) -> None:
    assert outcomes(text) == expected


def test_an_eligibility_instrument_stays_a_weak_candidate() -> None:
    candidates = find_outcomes(analyse("Women who scored > 10 on the PHQ-9 were eligible."))
    phq = [c for c in candidates if c.value == "PHQ-9"]
    assert phq and all(c.confidence <= 0.35 for c in phq)


# ---------------------------------------------------------------- evidence spans and units


def test_spans_point_at_the_evidence() -> None:
    text = (
        "Methods: Depression was measured with the PHQ-9. The primary outcome was maternal sensitivity, coded "
        "with the Strengths and Difficulties Questionnaire Total Difficulties (SDQ-TD)."
    )
    for value in find_outcomes(analyse(text)):
        evidence = text[value.start : value.end]
        assert value.value in evidence or evidence.endswith(str(value.value)), (value.value, evidence)


def test_candidates_are_unchosen_and_carry_their_rule() -> None:
    candidates = find_outcomes(
        analyse("The primary outcome was maternal sensitivity, measured with the CARE-Index.")
    )
    assert candidates and not any(c.chosen for c in candidates)
    assert all(c.source.startswith("rule:outcomes.") and c.source.endswith(".v1") for c in candidates)
    assert {c.attributes["matched"] for c in candidates} >= {"lexicon", "construct"}


def test_only_the_study_unit_range_is_read() -> None:
    text = "The primary outcome was maternal sensitivity. The primary outcome was infant sleep."
    layer = analyse(text)
    second = text.index("The primary outcome was infant")
    assert [v.value for v in choose_outcomes(find_outcomes(layer, second, len(text)))] == ["infant sleep"]
    assert all(v.start >= second for v in find_outcomes(layer, second, len(text)))


# ---------------------------------------------------------------- real files


def test_seed_abstract_reports_the_sdq_total_difficulties() -> None:
    from extractor.readers.text import parse_plain_text

    path = shared_path("corpus", "seeds", "000_0884528b0fcadf65.txt")
    document = parse_plain_text(path.read_text(encoding="utf-8"), path)
    values = choose_outcomes(find_outcomes(analyse(document.text, document.sections)))
    assert [(v.value, v.role) for v in values] == [("SDQ-TD", "primary")]
    assert "2.5 years after study entry" in values[0].attributes["timepoints"]


def test_tagged_seed_reports_three_instruments_not_their_constructs() -> None:
    from extractor.readers import tagged
    from extractor.readers.base import Limits

    path = shared_path("corpus", "seeds", "003_ca33390195db33ec.txt")
    document = next(iter(tagged.read(path, Limits())))
    values = choose_outcomes(find_outcomes(analyse(document.text, document.sections)))
    assert [v.value for v in values] == ["PHQ-9", "GAD-7", "PCL-5"]


def test_choosing_leaves_the_candidates_untouched() -> None:
    candidates = find_outcomes(
        analyse("The primary outcome was depression (PHQ-9). Depression fell (d = 0.4).")
    )
    before = [(c.value, c.role, c.chosen, dict(c.attributes)) for c in candidates]
    [value] = choose_outcomes(candidates)
    assert (value.value, value.role) == ("PHQ-9", "primary")
    assert [(c.value, c.role, c.chosen, dict(c.attributes)) for c in candidates] == before


@pytest.mark.parametrize(
    ("text", "absent", "present"),
    [
        ("A survey included measures of gambling harm drawn from an earlier report.", "gambling harm drawn", None),
        ("It also considers how gambling harm can be operationalised within a public health model.",
         "considers how gambling harm", None),
        ("Outcomes of treatment for vertebral osteomyelitis were reviewed in 35 patients.",
         "treatment for vertebral osteomyelitis", None),
        ("Outcomes: studies comparing outcomes of group therapy, infant attachment security.", "studies comparing",
         "infant attachment security"),
    ],
)
def test_clauses_participles_and_interventions_are_not_constructs(text: str, absent: str, present: str | None) -> None:
    """Regression: phrases like these came out as outcomes of real MEDLINE and Lens records."""
    names = outcomes(text)
    assert absent not in names
    if present:
        assert present in names
