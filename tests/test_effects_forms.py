"""Effect estimates in the forms real pages print them, and the outcome each is tied to (text of our own)."""

from __future__ import annotations

import pytest

from extractor.extract.effects import SPEC
from extractor.extract.effects.outcome_names import mentioned_outcome, study_outcome
from extractor.extract.effects.rules import find_effects
from extractor.synthesis.convert import Estimate
from extractor.synthesis.records import EffectRecord, outcome_match
from extractor.textlayer import analyse

REPORTED = 0.5  # data/combine.json: effect_min_confidence


def reported(text: str) -> list:
    return [v for v in find_effects(analyse(text)) if v.confidence >= REPORTED]


def estimates(text: str) -> list[tuple]:
    """(measure, value, ci, p) of each reported estimate."""
    return [(v.value["measure"], v.value["value"], v.value["ci"], v.value["p"]) for v in reported(text)]


# --- measure names -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "The weighted mean difference (WMD) was -2.1 (95% CI -3.0 to -1.2).",
            ("MD", -2.1, [-3.0, -1.2], None),
        ),
        ("Reading scores rose by 0.21 SD (95% CI 0.10 to 0.32).", ("SMD", 0.21, [0.10, 0.32], None)),
        ("an impact of 0.15 standard deviations (95% CI 0.05 to 0.25)", ("SMD", 0.15, [0.05, 0.25], None)),
        ("The club raised attendance by 0.4 of a standard deviation.", ("SMD", 0.4, None, None)),
        ("AOR = 2.3 (95% CI: 1.4–3.8)", ("OR", 2.3, [1.4, 3.8], None)),
        ("crude OR 1.8 (1.2–2.7)", ("OR", 1.8, [1.2, 2.7], None)),
        ("IRR 1.32 (95% CI 1.05–1.66)", ("RR", 1.32, [1.05, 1.66], None)),
        ("a prevalence ratio of 1.4 (95% CI 1.1 to 1.8)", ("RR", 1.4, [1.1, 1.8], None)),
        ("B = 0.42, SE = 0.10, p < .001", ("b", 0.42, None, 0.001)),
        ("β = 0.24, 95% CI 0.10 to 0.38, p = .002", ("beta", 0.24, [0.10, 0.38], 0.002)),
        ("standardized coefficient 0.31 (p < 0.01)", ("beta", 0.31, None, 0.01)),
        ("Screen use (estimate=0.52, 95%CI: 0.24~0.80)", ("b", 0.52, [0.24, 0.80], None)),
        ("a hazard difference of 12.3 (95% CI 4.1 to 20.5) per 10,000", ("RD", 12.3, [4.1, 20.5], None)),
        ("The NNT was 9 (95% CI 5 to 40).", ("other", 9.0, [5.0, 40.0], None)),
        ("a difference of 6 percentage points (95% CI 2 to 10)", ("RD", 6.0, [2.0, 10.0], None)),
        ("partial eta squared = 0.08", ("eta2", 0.08, None, None)),
        ("the indirect effect=0.08, 95%CI: 0.01~0.15", ("other", 0.08, [0.01, 0.15], None)),
    ],
)
def test_measure_names(text, expected):
    assert estimates(text) == [expected]


def test_adjusted_before_an_abbreviation_marks_the_estimate_adjusted_and_is_not_its_outcome():
    [found] = reported("adjusted RR 1.45 (1.10 to 1.91)")
    assert found.value["measure"] == "RR" and found.attributes["adjusted"] is True
    assert "outcome" not in found.value


# --- labels in other languages -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("OR 1,45 (IC 95%: 1,10-1,92)", ("OR", 1.45, [1.10, 1.92], None)),
        ("RP=1,52; IC95% 1,20-1,93", ("RR", 1.52, [1.20, 1.93], None)),
        ("razón de momios 2,1 (IC 95% 1,3 a 3,4)", ("OR", 2.1, [1.3, 3.4], None)),
        ("OR = 1,8 (95%-KI: 1,2–2,7)", ("OR", 1.8, [1.2, 2.7], None)),
        ("OR_(妊娠早期)=0.61,95%CI(0.42,0.88)", ("OR", 0.61, [0.42, 0.88], None)),
        ("β=0.45,95%置信区间 0.24~0.80", ("beta", 0.45, [0.24, 0.80], None)),
        ("Effektstärke d = 0.35 (95%-KI: 0.20–0.50)", ("d", 0.35, [0.20, 0.50], None)),
    ],
)
def test_labels_in_other_languages(text, expected):
    assert estimates(text) == [expected]


# --- intervals ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "ci"),
    [
        ("HR 0.75 (95% CI 0.60 to 0.93)", [0.60, 0.93]),
        ("HR 0.75 (0.60–0.93)", [0.60, 0.93]),
        ("MD −0.34 (−0.52 to −0.16)", [-0.52, -0.16]),
        ("d = 0.30, 95% CI 0.10~0.50", [0.10, 0.50]),
        ("HR 0.75 (95% CI 0.60, 0.93)", [0.60, 0.93]),
        ("OR 1.2 [0.9; 1.6]", [0.9, 1.6]),
        ("OR 1.2 [95% CI 0.9 to 1.6]", [0.9, 1.6]),
        ("OR 2.10 (1.30{\\textendash}3.40)", [1.30, 3.40]),
        ("OR 0·82 (0·70–0·96)", [0.70, 0.96]),
        ("MD 16 560 (95% CI 12 300 to 20 800)", [12300.0, 20800.0]),
        ("RR 1,24 (IC 95% 1,05–1,47)", [1.05, 1.47]),
    ],
)
def test_interval_forms(text, ci):
    [found] = reported(text)
    assert found.value["ci"] == pytest.approx(ci)


def test_value_then_its_interval_in_one_bracket_after_a_name():
    assert estimates("The relative risk was (1.85, 1.11 to 3.09).") == [("RR", 1.85, [1.11, 3.09], None)]
    [found] = reported("RR (1.85, 1.11 to 3.09)")
    assert "outcome" not in found.value  # a measure's name is never the outcome


def test_an_abbreviation_glued_to_its_value():
    text = "at 3 months RR0.74, 95%CI0.50–1.09; at 6 months RR0.73, 95%CI0.49–1.11"
    assert estimates(text) == [("RR", 0.74, [0.50, 1.09], None), ("RR", 0.73, [0.49, 1.11], None)]


def test_an_integer_glued_to_an_abbreviation_is_a_label_not_a_value():
    assert estimates("OR1 and OR2 were compared (p = .03)") == []


# --- p-values ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "p"),
    [
        ("d = 0.30 (95% CI 0.10, 0.50), p = .02", 0.02),
        ("d = 0.30 (95% CI 0.10, 0.50), p < .01", 0.01),
        ("d = 0.30 (95% CI 0.10, 0.50), p ≤ .01", 0.01),
        ("d = 0.30 (95% CI 0.10, 0.50), p > .05", None),
        ("HR 0.66 (0.41 to 1.07); log-rank P = 0.09", 0.09),
    ],
)
def test_p_forms(text, p):
    [found] = reported(text)
    assert found.value["p"] == (None if p is None else pytest.approx(p))


# --- APA statistics ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "measure", "value", "df"),
    [
        ("F3,4480=207.1, p<0.001", "F", 207.1, [3, 4480]),
        ("F_{2,96} = 4.1, p = .02", "F", 4.1, [2, 96]),
        ("t(48) = 2.31, p = .025", "t", 2.31, [48]),
        ("χ2(1) = 5.2, p = .02", "chi2", 5.2, [1]),
        ("r(85) = −.28, p = .01", "r", -0.28, [85]),
    ],
)
def test_apa_statistics_with_degrees_of_freedom(text, measure, value, df):
    [found] = reported(text)
    assert (found.value["measure"], found.value["value"], found.attributes["df"]) == (measure, value, df)


@pytest.mark.parametrize(
    ("text", "measure", "value", "df", "p"),
    [
        ("Truancy differed by arm (χ2 = 5.2, d.f. = 1, p = .02).", "chi2", 5.2, [1], 0.02),
        ("Truancy differed by arm (chi-square = 12.4, d.f. = 3, P = 0.006).", "chi2", 12.4, [3], 0.006),
        ("Truancy differed by arm (chi-square = 12.4 with 3 d.f., P = 0.006).", "chi2", 12.4, [3], 0.006),
        ("Truancy differed by arm (χ2 = 5.2 (1 df), p = .02).", "chi2", 5.2, [1], 0.02),
        ("Truancy differed by arm (F = 4.1, d.f. = 2, 120, p = .02).", "F", 4.1, [2, 120], 0.02),
        ("Truancy differed by arm (t = 2.3, DF = 48, p = .03).", "t", 2.3, [48], 0.03),
        ("Truancy differed by arm (F=4.1, d.f.=3/954, P=0.007).", "F", 4.1, [3, 954], 0.007),
        ("Truancy differed by arm (t = 2.3, df = 45.6, p = .03).", "t", 2.3, [45.6], 0.03),
    ],
)
def test_a_bare_statistic_with_its_degrees_of_freedom_after_the_value(text, measure, value, df, p):
    [found] = reported(text)
    assert (found.value["measure"], found.value["value"], found.attributes["df"], found.value["p"]) == (
        measure,
        value,
        df,
        p,
    )


@pytest.mark.parametrize(
    ("text", "statistic", "df", "p"),
    [
        ("χ2 = 5.2, d.f. = 1, p = .02", "chi2", [1], 0.02),
        ("F = 4.1, d.f. = 2, 120, p = .02", "F", [2, 120], 0.02),
        ("chi-square = 12.4 with 3 d.f., P = 0.006", "chi2", [3], 0.006),
        ("χ2 = 5.2 (1 df), p = .02", "chi2", [1], 0.02),
        ("t = 2.1, p = .04", "t", [], 0.04),
    ],
)
def test_parse_statistic_reads_degrees_of_freedom_stated_after_the_value(text, statistic, df, p):
    from extractor.extract.effects.rules import parse_statistic

    found = parse_statistic(text)
    assert (found["statistic"], found["df"], found["p"], found["text"]) == (statistic, df, p, text)


def test_an_f_with_one_stated_df_or_a_ci_level_after_df_is_not_read_as_its_df():
    from extractor.extract.effects.rules import parse_statistic

    assert parse_statistic("F = 4.1, d.f. = 2, p = .02") is None  # F needs two
    [found] = reported("Truancy differed by arm (χ2 = 5.2, df = 1, 95% CI 1.1 to 2.0, p = .02).")
    assert found.attributes["df"] == [1]


# --- lists -------------------------------------------------------------------------------------------------


def test_a_pair_in_one_bracket_and_a_respectively_list_share_the_measure():
    assert [e[:2] for e in estimates("worry (d = 0.12 & − 0.20) and mood (d = 0.05 & 0.11)")] == [
        ("d", 0.12),
        ("d", -0.20),
        ("d", 0.05),
        ("d", 0.11),
    ]
    assert [
        e[:2]
        for e in estimates("the three programmes had effect sizes of 0.41, 0.27 and 0.19, respectively.")
    ] == [("ES", 0.41), ("ES", 0.27), ("ES", 0.19)]


def test_a_far_bracketed_estimate_takes_the_measure_named_earlier_in_the_paragraph():
    text = (
        "Mothers kept feeding at two weeks (relative risk 1.50, 95% confidence interval 1.10 to 2.05). "
        "Fewer stopped in the first days after the home visit than after the clinic visit, and the gap held "
        "through the first month when compared with women who had the clinic visit only (1.31, 1.02 to 1.68)."
    )
    assert estimates(text)[-1] == ("RR", 1.31, [1.02, 1.68], None)


# --- not effects -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Mean age was 34.2 (SD 5.1) years.",
        "Prevalence was 23.4% (95% CI 20.1 to 26.7).",
        "Cronbach's alpha was 0.89 (95% CI 0.85-0.92).",
        "R2 = 0.34, p < .001",
        "ICC = 0.78 (95% CI 0.70 to 0.85)",
        "Scores were 1.5 SD below the mean.",
        "The odds ratio for a score >or=13 was reported.",
    ],
)
def test_not_effects(text):
    assert estimates(text) == []


def test_a_cut_off_inside_the_gap_is_not_the_value():
    [found] = reported("The odds ratio for a score >or=13 at six months was 0.58 (95% CI 0.35 to 0.96).")
    assert found.value["value"] == 0.58


# --- the outcome each estimate is tied to ------------------------------------------------------------------


def outcomes_of(text: str) -> list:
    return [v.value.get("outcome") for v in reported(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Children improved on reading fluency (d = 0.41, 95% CI 0.20 to 0.62).", ["reading fluency"]),
        ("worry (d = .30) and low mood (d = .40)", ["worry", "low mood"]),
        ("The pooled effect on parental warmth was modest (g = .28).", ["parental warmth"]),
        (
            "The programme was successful (d = .37) at improving toddler vocabulary, as rated by staff.",
            ["toddler vocabulary"],
        ),
        (
            "A clear effect (ES = .52) of coaching sessions on classroom climate was seen.",
            ["classroom climate"],
        ),
        (
            "Noise (OR = 1.9, 95% CI 1.2 to 3.0) and crowding (OR = 2.2, 95% CI 1.4 to 3.5) were associated "
            "with poor sleep.",
            ["poor sleep", "poor sleep"],
        ),
        ("Risk factors for falls included dizziness (OR = 2.5, 95% CI 1.5 to 4.2).", ["falls"]),
        (
            "Pain scores were lower in the yoga weeks (mean difference -1.1, 95% CI -1.8 to -0.4).",
            ["Pain scores"],
        ),
        ("Stiffness did not differ (mean difference -0.3, 95% CI -0.9 to 0.3).", ["Stiffness"]),
        (
            "Walking was ended by 12 of 80 and 19 of 80 walkers (risk ratio 0.63; 95% CI 0.33 to 1.21).",
            ["Walking"],
        ),
        ("In all, 12 of 80 and 19 of 80 walkers (risk ratio 0.63; 95% CI 0.33 to 1.21).", [None]),
        ("Sleep was longer with the app (mean difference 21 min, 95% CI 9 to 33).", ["Sleep"]),
        (
            "Dropout at two weeks (relative risk 0.61, 95% CI 0.40 to 0.93), six weeks (0.70, 0.50 to 0.98) "
            "and three months (0.82, 0.61 to 1.10).",
            ["Dropout", "Dropout", "Dropout"],
        ),
    ],
)
def test_outcome_links(text, expected):
    assert outcomes_of(text) == expected


def test_no_outcome_is_guessed_from_a_neighbouring_sentence():
    text = "Reading fluency was the primary outcome. The effect was small (d = 0.21, 95% CI 0.02 to 0.40)."
    assert outcomes_of(text) == [None]


def test_a_linked_phrase_takes_the_name_the_study_outcomes_give_it():
    outcomes = ["PHQ-9", "GAD-7", "exclusive breast feeding"]
    assert study_outcome(["depression"], outcomes) == "PHQ-9"  # what the instrument measures
    assert study_outcome(["PHQ-9 total score"], outcomes) == "PHQ-9"
    assert study_outcome(["breastfeed exclusively"], ["breast feeding"]) == "breast feeding"
    assert study_outcome(["behaviour"], ["parent behaviour", "child problem behaviour"]) == "behaviour"
    assert study_outcome(["sleep onset"], outcomes) == "sleep onset"  # kept as written


def test_the_one_study_outcome_a_sentence_names_before_the_estimate():
    assert (
        mentioned_outcome(
            "mean (SD) PHQ-9 at 6 months: 8.1 (4.0) vs 9.3 (4.4); adjusted ", ["PHQ-9", "GAD-7"]
        )
        == "PHQ-9"
    )
    assert mentioned_outcome("PHQ-9 and GAD-7 fell; the difference ", ["PHQ-9", "GAD-7"]) is None


# --- corrections, interchange and synthesis ----------------------------------------------------------------


def test_the_short_form_carries_the_outcome_and_a_corrected_number_keeps_its_link():
    value = {"measure": "MD", "value": -1.6, "ci": [-2.7, -0.5], "p": 0.004, "outcome": "PHQ-9"}
    assert SPEC.short(value) == "MD -1.6 [-2.7, -0.5] p=0.004 on PHQ-9"
    assert SPEC.check(SPEC.short(value)) == value
    assert SPEC.check("MD -1.4", value)["outcome"] == "PHQ-9"
    assert "outcome" not in SPEC.check('{"measure": "MD", "value": -1.4, "outcome": null}', value)
    assert SPEC.interchange([]) == []


def test_the_interchange_effect_carries_outcome_null_when_unlinked():
    assert SPEC.record({"measure": "OR", "value": 2.0, "ci": None, "p": None}) == {
        "measure": "OR",
        "value": 2.0,
        "ci": None,
        "p": None,
        "outcome": None,
    }


def _record(outcome: str | None, construct: str | None) -> EffectRecord:
    estimate = Estimate(measure="MD", value=1.0, ci=(0.0, 2.0))
    return EffectRecord(
        doc_id="x",
        study_index=0,
        study="x",
        year=None,
        outcome=outcome,
        instrument=None,
        construct=construct,
        estimate=estimate,
        evidence=None,
        start=None,
        end=None,
        source="rule",
    )


def test_an_umbrella_outcome_query_gathers_mental_health_constructs():
    assert outcome_match(
        _record("SDQ-TD", "child emotional and behavioural difficulties"), "child mental health"
    )
    assert outcome_match(_record("worry", None), "mental health") is None
    assert outcome_match(_record("low mood", "depression"), "psychological wellbeing") == "construct"
    assert outcome_match(_record("reading", "literacy"), "child mental health") is None


def test_estimates_labelled_by_their_comparison_take_the_measure_named_before():
    text = (
        "Adjusted mean differences [95% CI; p-value] for worry (brief vs usual care -0.3 [-1.5 to 0.9; p = .62]; "
        "full vs usual care 0.6 [-0.7 to 1.9; p = .37]) were small."
    )
    assert estimates(text) == [("MD", -0.3, [-1.5, 0.9], 0.62), ("MD", 0.6, [-0.7, 1.9], 0.37)]
    assert outcomes_of(text) == ["worry", "worry"]


def test_an_arm_value_after_versus_is_not_a_labelled_estimate():
    text = "Scores were 12.1 [10.2 to 14.0] in the app arm vs control 13.5 [11.9 to 15.1] (odds ratio 1.2, 95% CI 1.0 to 1.4)"
    assert estimates(text) == [("OR", 1.2, [1.0, 1.4], None)]


def test_later_values_of_a_list_keep_the_lists_outcome_not_an_arm_after_for():
    text = "The number needed to treat for weaning at four months was 12 (7 to 50) for the home arm and 9 (5 to 30) for the clinic arm."
    assert [e[:3] for e in estimates(text)] == [("other", 12.0, [7.0, 50.0]), ("other", 9.0, [5.0, 30.0])]
    assert outcomes_of(text) == ["weaning", "weaning"]


def test_an_incidence_ratio_is_recorded_as_rr():
    assert estimates("fewer moves (incidence ratio = 0.61, 95% CI 0.40–0.93)") == [
        ("RR", 0.61, [0.40, 0.93], None)
    ]


def test_each_bracket_of_labelled_estimates_keeps_its_own_outcome():
    text = (
        "Mean differences [95% CI] for worry (brief vs usual care -0.3 [-1.5 to 0.9]; full vs usual care 0.6 "
        "[-0.7 to 1.9]) or low mood (brief vs usual care 0.2 [-1.0 to 1.4]; full vs usual care 0.1 [-1.2 to 1.4])."
    )
    assert outcomes_of(text) == ["worry", "worry", "low mood", "low mood"]


def test_a_list_of_exposures_with_bracketed_intervals_is_about_the_dependent_named_after_it():
    text = (
        "Noise (odds ratio [OR], 1.90; 95% CI [1.20–3.00]), crowding (OR, 2.20; 95% CI [1.40–3.50]) and "
        "damp (OR, 1.30; 95% CI [1.05–1.61]) were associated with poor sleep (all p < .05)."
    )
    assert outcomes_of(text) == ["poor sleep"] * 3


def test_two_results_of_one_statistic_each_with_its_p():
    from extractor.extract.effects.rules import iter_statistics

    found = iter_statistics("the two tasks differed, F(1, 22) = 12.4 and 4.70, p < .01 and p < .05, in turn")
    assert [(r["statistic"], r["df"], r["value"], r["p"]) for r in found] == [
        ("F", [1, 22], 12.4, 0.01),
        ("F", [1, 22], 4.7, 0.05),
    ]


def test_a_chi_printed_as_b_with_its_n_is_read():
    from extractor.extract.effects.rules import iter_statistics

    [found] = iter_statistics("B2(2, N = 140) = 7.31, p <.05")
    assert (found["statistic"], found["df"], found["n"], found["value"]) == ("chi2", [2], 140, 7.31)


def test_the_interchange_record_names_each_effects_outcome_as_the_study_outcomes_do():
    from extractor.extract.document import extract_document
    from extractor.interchange import interchange_record
    from extractor.readers.text import parse_plain_text

    text = (
        "Garden clubs for older adults: a randomised trial\n\n"
        "Background: Loneliness is common in later life. Methods: We randomised 210 adults to garden clubs or "
        "usual care; loneliness was measured with the UCLA Loneliness Scale (UCLA-LS) and mood with the PHQ-9. "
        "Results: Garden clubs reduced depressive symptoms (mean difference -1.9, 95% CI -3.0 to -0.8; p = 0.001). "
        "The programme also improved loneliness (SMD -0.35, 95% CI -0.62 to -0.08)."
    )
    document = parse_plain_text(text, "garden.txt")
    record = interchange_record(document, extract_document(document, use_models=False))
    [study] = record["studies"]
    linked = {(effect["measure"], effect["outcome"]) for effect in study["effects"]}
    assert (
        "MD",
        "PHQ-9",
    ) in linked  # "depressive symptoms", named as the study's instrument that measures them
    assert all("outcome" in effect for effect in study["effects"])


def test_an_estimate_after_a_semicolon_inside_a_bracket_is_about_the_phrase_before_the_bracket():
    text = "and higher odds of remission at 3 months (52% vs 41%; prevalence ratio, PR=1.21 95% CI 1.05 to 1.40, p=0.01)"
    assert outcomes_of(text) == ["remission"]


def test_a_generic_effect_size_takes_the_measure_the_paragraph_defined_for_effect_sizes():
    text = (
        "The median effect size across reviews was SMD = 0.31 (95% CI: 0.22 to 0.40). Group and individual "
        "formats showed median effect sizes of 0.40 and 0.25, respectively."
    )
    assert [e[:2] for e in estimates(text)] == [("SMD", 0.31), ("SMD", 0.40), ("SMD", 0.25)]
    assert [e[:2] for e in estimates("Group formats showed an effect size of 0.40 (95% CI 0.2 to 0.6).")] == [
        ("ES", 0.40)
    ]


def test_an_estimate_printed_again_with_the_same_interval_is_recorded_once():
    from extractor.extract.document import extract_document
    from extractor.interchange import interchange_record
    from extractor.readers.text import parse_plain_text

    text = (
        "Reading buddies for second graders: a cluster randomised trial\n\n"
        "Results: Buddies improved reading fluency (SMD 0.22, 95% CI 0.05 to 0.39). Spelling did not differ "
        "(SMD 0.05, 95% CI -0.10 to 0.20). Resultados: la fluidez lectora mejoró (SMD 0.22, 95% CI 0.05 to 0.39)."
    )
    document = parse_plain_text(text, "buddies.txt")
    [study] = interchange_record(document, extract_document(document, use_models=False))["studies"]
    assert [(e["measure"], e["value"]) for e in study["effects"]] == [("SMD", 0.22), ("SMD", 0.05)]


def test_differences_in_events_per_so_many_people_are_risk_differences():
    text = (
        "The hazard ratio was 2.1 (95% CI 1.8-2.4) for boys and 1.7 (1.4-2.0) for girls, corresponding to "
        "8.2 (6.9-9.5) and 4.4 (3.1-5.7) additional admissions per 10,000 children per year."
    )
    found = estimates(text)
    assert ("RD", 8.2, [6.9, 9.5], None) in found and ("RD", 4.4, [3.1, 5.7], None) in found
    assert estimates("Rates were 8.2 (6.9-9.5) per 10,000.") == []
