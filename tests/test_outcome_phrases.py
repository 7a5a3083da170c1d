"""Outcome phrases on wording nobody tuned the rules to: whole names, not fragments, exposures or tools."""

from __future__ import annotations

import pytest

from extractor.extract.outcomes.heads import final_share, is_modifier, no_name_alone, stop_head
from extractor.extract.outcomes.phrases import clean_phrase
from extractor.extract.outcomes.rules import choose_outcomes, find_outcomes
from extractor.textlayer import analyse


def outcomes(text: str) -> list[str]:
    return [value.value for value in choose_outcomes(find_outcomes(analyse(text)))]


# ---------------------------------------------------------------- what the corpora say of words


def test_adjectives_people_never_end_an_outcome_name_with_are_modifiers() -> None:
    for word in ("depressive", "developmental", "educational", "parental", "behavioral"):
        assert is_modifier(word), word
    for word in ("development", "survival", "placement", "anxiety", "functioning", "colic"):
        assert not is_modifier(word), word


def test_a_word_the_corpora_never_saw_is_judged_by_its_ending() -> None:
    assert final_share("zorbational") < 0.1  # "-onal" words modify
    assert final_share("zorbment") > 0.2  # "-ment" words end names


def test_words_people_name_alone() -> None:
    assert no_name_alone("type")
    assert not no_name_alone("functioning")
    assert not no_name_alone("anxiety")


# ---------------------------------------------------------------- class 1: boundaries


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The scheme showed large impacts on scholastic and life outcomes of the families.",
         ["life outcomes"]),
        ("Results: the programme had lasting effects on educational and life outcomes among the pupils.",
         ["educational outcomes", "life outcomes"]),
        ("We examined the effects of household stressors on depressive, anxious and suicidal thoughts.",
         ["suicidal thoughts"]),
        ("Main outcome measures: Violent and nonviolent convictions, based on the national court register.",
         ["violent convictions", "nonviolent convictions"]),
    ],
)
def test_phrases_keep_their_head_noun(text: str, expected: list[str]) -> None:
    found = outcomes(text)
    for name in expected:
        assert name in found, found
    assert not any(name in {"depressive", "life", "educational", "scholastic", "Violent"} for name in found), found


def test_a_phrase_ending_in_a_modifier_is_no_outcome() -> None:
    assert clean_phrase("children's developmental") is None
    assert clean_phrase("depressive") is None
    assert clean_phrase("depressive symptoms") == "depressive symptoms"


# ---------------------------------------------------------------- class 2: fragments and non-outcomes


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("low mood-two ACEs", "low mood"),
        ("self-harm-1 ACE", "self-harm"),
        ("two ACEs", None),
        ("three to five adverse events", None),
        ("based on the national court register", None),
        ("register with details of every conviction", None),
        ("predicting school exclusion", None),
        ("similar at 2 years", None),
        ("Effect Sample Timing", None),
        ("Type", None),
        ("bedtime resistance there", "bedtime resistance"),
        ("hospital visits abstracted from clinic records", "hospital visits"),
        ("including sleep quality", "sleep quality"),
        ("HIV-1 seroconversion", "HIV-1 seroconversion"),
        ("omega-3 fatty acids", "omega-3 fatty acids"),
    ],
)
def test_fragments_exposure_levels_and_sources_are_cleaned_or_dropped(phrase: str, expected: str | None) -> None:
    assert clean_phrase(phrase) == expected


def test_primary_outcomes_that_were_similar_name_no_outcome() -> None:
    assert outcomes("Primary outcomes were similar at 3 years in both arms.") == []


def test_an_appraisal_tool_rating_the_evidence_is_no_outcome_but_its_analysed_score_is() -> None:
    rated = outcomes("Results: According to AMSTAR-2, most reviews were of low quality, and the certainty of "
                     "evidence, according to GRADE, was low.")
    assert "AMSTAR-2" not in rated and "GRADE" not in rated
    analysed = outcomes("Results: AMSTAR scores were weakly related to citation counts (r = 0.21).")
    assert "AMSTAR" in analysed


# ---------------------------------------------------------------- class 4: constructs in plain words, listed


def test_a_bracket_after_outcomes_lists_them() -> None:
    found = outcomes("Results: Five outcomes (loneliness, fatigue, sleep quality and coping) were pooled at follow-up.")
    assert found == ["loneliness", "fatigue", "sleep quality", "coping"]


def test_outcomes_including_a_list_after_a_comma() -> None:
    found = outcomes("Objective: We examined effects on carers' health outcomes, including fatigue, loneliness and "
                     "sleep quality.")
    assert {"fatigue", "loneliness", "sleep quality"} <= set(found), found
    assert not any(name.startswith("including") for name in found), found


def test_a_process_evaluation_names_acceptability_and_feasibility() -> None:
    found = outcomes("The aim of this pilot was to assess the acceptability and feasibility of running a web course "
                     "for carers in libraries.")
    assert found[:2] == ["acceptability", "feasibility"], found


def test_a_feasibility_trial_names_no_feasibility_outcome() -> None:
    assert "feasibility" not in outcomes("This feasibility trial enrolled 40 carers in two libraries.")


# ---------------------------------------------------------------- class 3: pages in other languages


def test_a_spanish_instrument_name_is_reported_as_written() -> None:
    found = outcomes("RESULTADOS: La escala mostró una correlación positiva con la escala de autoestima de Morales "
                     "(r=0.52, p<0.001).")
    assert "escala de autoestima de Morales" in found, found


def test_a_spanish_name_with_its_abbreviation_in_brackets_reports_the_abbreviation() -> None:
    found = outcomes("Se aplicó por medio de una cédula y el Inventario de Ansiedad de Beck (BAI) a 300 alumnos.")
    assert found == ["BAI"], found


def test_a_german_effect_names_its_construct_without_the_article() -> None:
    found = outcomes("Ergebnisse. Die Effekte auf das kindliche Schlafverhalten waren größer als erwartet.")
    assert found == ["kindliche Schlafverhalten"], found


def test_a_chinese_risk_names_its_construct() -> None:
    found = outcomes("结果显示,吸烟可增加儿童哮喘发作的发生风险。")
    assert found == ["哮喘发作"], found


def test_an_english_standard_error_is_no_spanish_clause() -> None:
    from extractor.extract.outcomes.languages import reads_as_clause

    assert not reads_as_clause("Mean (SE) scores by arm")
    assert reads_as_clause("Los alumnos fueron evaluados en la escuela")


# ---------------------------------------------------------------- outcomes of observational analyses


def test_what_is_predicted_is_the_outcome() -> None:
    found = outcomes("Results: Self-esteem was the strongest predictor of loneliness among the pupils.")
    assert found == ["loneliness"], found


def test_hazard_ratios_for_name_outcomes_and_a_cause_is_shared() -> None:
    found = outcomes("Results: We estimated hazard ratios for hospital admission and admission due to asthma, "
                     "injuries, and infections.")
    assert found == ["hospital admission", "admission due to asthma", "admission due to injuries",
                     "admission due to infections"], found


def test_a_participial_clause_between_commas_does_not_hide_the_outcomes() -> None:
    found = outcomes("Primary outcomes, measured at baseline and at 12 months, were reading fluency and vocabulary.")
    assert found == ["reading fluency", "vocabulary"], found


def test_the_people_who_developed_it_are_not_the_outcome() -> None:
    assert clean_phrase("pupils who developed exam anxiety") == "exam anxiety"
    assert clean_phrase("behaviour problems evident") == "behaviour problems"


def test_whose_outcome_it_is_is_no_part_of_its_name() -> None:
    assert clean_phrase("pupils' reading fluency") == "reading fluency"
    assert clean_phrase("children’s developmental outcomes") == "developmental outcomes"
    assert clean_phrase("Crohn's disease activity") == "Crohn's disease activity"


def test_a_lower_case_instrument_with_its_abbreviation_reports_the_abbreviation() -> None:
    found = outcomes("Secondary outcomes were the family routines rating scale (FRRS) and sleep quality.")
    assert found == ["FRRS", "sleep quality"], found


def test_measurement_waves_are_cut_but_type_2_diabetes_is_not() -> None:
    assert clean_phrase("infant responsiveness from T1 to T2") == "infant responsiveness"
    assert clean_phrase("mortality from T2 diabetes") == "mortality from T2 diabetes"


@pytest.mark.slow
def test_the_word_positions_are_what_the_public_corpora_give(tmp_path) -> None:  # noqa: ANN001
    """The committed counts are rebuilt from the public training texts, unchanged (no hand edits)."""
    import importlib.util
    from pathlib import Path

    from conftest import shared_path

    shared = shared_path("data", "evidence_inference").parents[1]
    script = Path(__file__).resolve().parents[1] / "scripts" / "build_outcome_word_positions.py"
    spec = importlib.util.spec_from_file_location("build_outcome_word_positions", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = tmp_path / "positions.json"
    assert module.main(["--shared", str(shared), "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == module.OUT.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("RESULTS Mean nightly sleep duration", "nightly sleep duration"),
        ("caused by eating late", None),
        ("after the school term", None),
        ("many school nurses", None),
        ("reading gains made", "reading gains"),
        ("RESULTS There", None),
    ],
)
def test_headings_participles_times_and_people_are_no_names(phrase: str, expected: str | None) -> None:
    assert clean_phrase(phrase) == expected


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("lung function in patients with chronic cough", "lung function"),
        ("serum ferritin in adults randomized to iron", "serum ferritin"),
        ("among the pupils who received the booklet", None),
        ("given twice daily", None),
        ("administered with the study drink", None),
        ("Patients with severe eczema", None),
        ("rash occurred", "rash"),
        ("median rescue dose needed", "median rescue dose"),
        ("proportion of patients with full remission", "full remission"),
        ("number of women who had hot flushes", "hot flushes"),
    ],
)
def test_who_was_studied_or_treated_is_not_what_was_measured(phrase: str, expected: str | None) -> None:
    """Clinical wording of a population or a dosing ("in patients with ...", "given ...") names no outcome,
    and a counted share of people names what they had."""
    assert clean_phrase(phrase) == expected


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("changes from baseline in itch", "itch"),
        ("grip strength about", "grip strength"),
        ("relapse rate which", "relapse rate"),
        ("group C", None),
        ("placebo arm at day 5", None),
        ("week 30", None),
        ("cough frequency reduction", "cough frequency"),
        ("resting heart rate increased", "resting heart rate"),
        ("wound healing time", "wound healing time"),
        ("each time", None),
        ("follow-up time", None),
    ],
)
def test_directions_arms_and_dangling_words_are_cut_but_measured_times_stay(phrase: str,
                                                                          expected: str | None) -> None:
    """A change's direction, a dangling word, an arm or a visit is no part of a name; a time that is measured
    ("wound healing time") is a name, a time point ("each time") is not."""
    assert clean_phrase(phrase) == expected


def test_harms_keep_their_kind_and_a_time_to_an_event_is_not_cut_at_to() -> None:
    assert clean_phrase("side effects") == "side effects"
    assert clean_phrase("frequency of unwanted effects") == "unwanted effects"
    assert clean_phrase("intervention effects") is None
    assert clean_phrase("mean time to seizure recurrence in the surgical ward") == "time to seizure recurrence"


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("(SD) fasting glucose", "fasting glucose"),
        ("IQR", None),
        ("SMD", None),
        ("number needed to screen", None),
        ("HR", "HR"),  # heart rate, in trial abstracts
        ("median /interquartile range/", None),
        ("relapse of asthma with placebo", "relapse of asthma"),
        ("satisfaction with care", "satisfaction with care"),
        ("through", None),
        ("very much", None),
        ("taken", None),
    ],
)
def test_statistics_arms_and_lone_function_words_name_nothing(phrase: str, expected: str | None) -> None:
    assert clean_phrase(phrase) == expected


def test_a_bracket_closed_that_the_phrase_never_opened() -> None:
    assert clean_phrase("asthma) OR wheeze") is None  # a cut fragment of a search string
    assert clean_phrase("itch score)") == "itch score"
    assert clean_phrase("anxiety (GAD-7)") == "anxiety (GAD-7)"


# ---------------------------------------------------------------- heads annotators never mark


def test_stop_heads_come_from_the_public_counts() -> None:
    for word in ("agent", "endpoint", "extension", "Regimen"):
        assert stop_head(word), word
    for word in ("depression", "pressure", "mortality", "development"):
        assert not stop_head(word), word


@pytest.mark.parametrize(("phrase", "expected"), [
    ("beta-receptor blocking agent", None),  # what was given
    ("primary endpoint", None),
    ("open-label extension", None),
    ("serum total cholesterol", "serum total cholesterol"),
    ("child neglect cases", "child neglect"),  # what the cases are of is the name
    ("hospital admissions for cases", "hospital admissions"),  # and the word it hung from goes with it
])
def test_names_ending_in_a_stop_head_or_a_count_of_cases(phrase: str, expected: str | None) -> None:
    assert clean_phrase(phrase) == expected


@pytest.mark.parametrize(("phrase", "expected"), [
    ("overall survival", "overall survival"),  # a fixed term keeps its "overall"
    ("the overall response rate", "overall response rate"),
    ("overall wellbeing", "wellbeing"),  # elsewhere "overall" is a lead word
])
def test_overall_stays_only_in_fixed_terms(phrase: str, expected: str) -> None:
    assert clean_phrase(phrase) == expected


def test_a_progression_free_survival_is_not_folded_into_survival() -> None:
    text = ("Methods: The primary outcomes were overall survival and progression-free survival. "
            "Results: Overall survival was longer with the new drug.")
    names = outcomes(text)
    assert "overall survival" in names and "progression-free survival" in names, names


@pytest.mark.parametrize(("phrase", "expected"), [
    ("hospital readmissions (median length of stay", "hospital readmissions"),  # the name before the cut bracket
    ("gamma-glutamyl transferase (GGT", "gamma-glutamyl transferase (GGT)"),  # an abbreviation's bracket closed
    ("trough plasma concentration (Cmin", "trough plasma concentration (Cmin)"),
    ("(median length of stay", None),
])
def test_a_bracket_the_span_opened_and_never_closed(phrase: str, expected: str | None) -> None:
    assert clean_phrase(phrase) == expected


@pytest.mark.parametrize(("phrase", "expected"), [
    ("nivolumab 3 mg/kg", None),  # a dose: what was given
    ("rats with induced colitis", None),  # who was studied
    ("older volunteers prior to surgery", None),
    ("bone mineral density", "bone mineral density"),
    ("vitamin D 25 concentration", "vitamin D 25 concentration"),  # a number without a unit is no dose
])
def test_doses_and_the_people_studied_are_no_outcome_names(phrase: str, expected: str | None) -> None:
    assert clean_phrase(phrase) == expected
