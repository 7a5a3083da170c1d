"""Effect estimates: measures, CIs, p-values, number forms, what is not an effect, links, spans, APA statistics."""

from __future__ import annotations

import pytest

from extractor.extract.common.numbers import iter_p_values, parse_number
from extractor.extract.effects.rules import find_effects, parse_statistic, repair_pdf_glyphs
from extractor.textlayer import analyse

REPORTED = 0.5  # the combine step's floor (data/combine.json: effect_min_confidence)


def effects(text: str) -> list[dict]:
    """The reported effects of ``text`` as interchange dicts."""
    return [v.value for v in find_effects(analyse(text)) if v.confidence >= REPORTED]


def only(text: str):
    """The one reported candidate in ``text``."""
    found = [v for v in find_effects(analyse(text)) if v.confidence >= REPORTED]
    assert len(found) == 1, [v.value for v in found]
    return found[0]


# --- measures -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "measure", "value"),
    [
        ("A small mean effect size ($d=.23$) was found.", "d", 0.23),
        ("Effects were large (Cohen's d = 0.85).", "d", 0.85),
        ("The pooled effect was g = 0.32.", "g", 0.32),
        ("Hedges' g = -0.41 (95% CI -0.60 to -0.22).", "g", -0.41),
        ("PHQ-9 scores were lower (SMD = -0.30, 95% CI -0.48 to -0.11).", "SMD", -0.30),
        ("standardised mean difference, SMD=-0.30, 95% CI -0.48 to -0.11, p=<0.001", "SMD", -0.30),
        ("A significant effect (effect size of 0.15) for EF was found.", "ES", 0.15),
        ("video feedback showed an effect ($ES=.47$) on parenting.", "ES", 0.47),
        ("mean difference -2.4 mg/dL [95% confidence interval -3.6 to -1.2]", "MD", -2.4),
        (
            "adjusted mean difference (NIM - SAU), 1.4; 95% confidence interval (-0.63, 3.53); P = 0.17.",
            "MD",
            1.4,
        ),
        ("the weighted mean difference was -1.2 (95% CI -2.0 to -0.4).", "MD", -1.2),
        ("The odds ratio was 1.60 (95% CI: 1.19 to 2.16).", "OR", 1.60),
        (
            "Anxiety (odds ratio [OR], 4.935; 95% confidence interval [CI][4.442 -5.485]) was associated.",
            "OR",
            4.935,
        ),
        ("aOR 2.1 (1.2-3.4)", "OR", 2.1),
        ("risk ratio: 0.59; 95% confidence interval: 0.39-0.89", "RR", 0.59),
        ("physical abuse (IRR = 0.51 [0.27; 0.74])", "RR", 0.51),
        ("prevalence ratio, PR=1.18 95% CI 1.06 to 1.29, p=0.002", "RR", 1.18),
        ("adjusted rate ratio (RR), 2.86 (1.58 to 5.19); p=0.001", "RR", 2.86),
        ("relative risk 0.81, 95% confidence interval 0.65 to 1.02", "RR", 0.81),
        ("The hazard ratio was 0.72 (95% CI, 0.61-0.85; P<.001).", "HR", 0.72),
        ("(HR 0.90, 95% CI 0.80-1.02, p=0.095)", "HR", 0.90),
        ("The risk difference was 4.2% (95% CI 0.2 to 8.1).", "RD", 4.2),
        ("(difference, -7 percentage points; 95% confidence interval, -19 to 5; P=0.24)", "RD", -7.0),
        ("mothers interpreted behaviour more often (r = 0.33).", "r", 0.33),
        ("Sensitivity predicted outcome (β = 0.21, p < .001).", "beta", 0.21),
        ("Income was related to scores (B = -0.36, SE = 0.12).", "b", -0.36),
        ("Anxiety improved (t (55) = 6.96, p < 0.01, 95% CI [3.15, 5.70]).", "t", 6.96),
        ("There was an effect of group, F(2, 56) = 3.45, p < .05.", "F", 3.45),
        ("Rates differed, χ2(1, N = 100) = 4.2, p = .04.", "chi2", 4.2),
        ("The difference was significant (z = 2.1, p = .03).", "z", 2.1),
        ("The interaction was large, partial η2 = .06.", "eta2", 0.06),
        ("with ηp2 = .11 for the main effect", "eta2", 0.11),
        ("The number needed to screen was 25.", "other", 25.0),
    ],
)
def test_measure_is_recognised(text, measure, value):
    found = effects(text)
    assert any(e["measure"] == measure and e["value"] == pytest.approx(value) for e in found), found


def test_generic_difference_qualified_as_standardised_is_smd():
    assert effects("Standardized Group Difference = −0.13, 95% CI −0.33 to 0.07")[0]["measure"] == "SMD"


def test_mean_difference_in_percent_units_stays_md():
    assert effects("LSM difference -0.05% (95% CI -0.26 to 0.15, p<0.0001)")[0]["measure"] == "MD"


# --- confidence intervals -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "ci"),
    [
        ("MD 1.4; 95% CI -0.63, 3.53", [-0.63, 3.53]),
        ("MD 1.4; 95% confidence interval (-0.63, 3.53)", [-0.63, 3.53]),
        ("OR 2.3 (95% CI: 1.2–3.4)", [1.2, 3.4]),
        ("OR = 2.3 [1.3, 3.6]", [1.3, 3.6]),
        ("the odds ratio was 0.30, 95% CI 0.12 to 0.45", [0.12, 0.45]),
        ("OR = 2.3 (1.2-3.4)", [1.2, 3.4]),
        ("OR = 2.3 (1.2−3.4)", [1.2, 3.4]),
        ("OR = 2.3 (1.2—3.4)", [1.2, 3.4]),
        ("OR, 1.575; 95% CI[1.103–2.249]", [1.103, 2.249]),
        ("HR 0.89 [0.80 to1.02]", [0.80, 1.02]),
        ("RR 0.45 (0.17−1.15)", [0.17, 1.15]),
        ("d = -0.50 [-0.86, -0.13]", [-0.86, -0.13]),
        ("[OR = 1.88, 95 % CI 1.14,\n3.11]", [1.14, 3.11]),
        ("SMD = 0.32, 95% CI [confidence interval]: 0.23, 0.40, P < 0.001", [0.23, 0.40]),
        ("r = 0.12; 95% CI, - 0.09 to 0.34", [-0.09, 0.34]),
        ("SDQ-TD treatment estimate: −0·10; 95%CI −1·39, 1·19", [-1.39, 1.19]),
    ],
)
def test_ci_shapes_are_read(text, ci):
    assert effects(text)[0]["ci"] == pytest.approx(ci)


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("OR 2.1 (95% CI 1.2-3.4)", 95.0),
        ("OR 2.1 (90% CI 1.2-3.4)", 90.0),
        ("OR 2.1 (CI 95% 1.2-3.4)", 95.0),
        ("OR 2.1 (99% CI: 1.1-4.0)", 99.0),
    ],
)
def test_ci_level_is_kept(text, level):
    assert only(text).attributes["ci_level"] == level


def test_an_unlabelled_bracket_that_does_not_hold_the_value_is_not_its_ci():
    found = effects("d = 0.9 (0.1, 0.3)")
    assert found and found[0]["ci"] is None


# --- p-values -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "p", "operator"),
    [
        ("OR 2.1 (1.2-3.4), P = .03", 0.03, "="),
        ("OR 2.1 (1.2-3.4), p<.001", 0.001, "<"),
        ("OR 2.1 (1.2-3.4), p > 0.05", None, ">"),  # ">" records the operator but gives no p (FORMAT.md)
        ("OR 2.1 (1.2-3.4), p ≤ 0.05", 0.05, "<="),
        ("OR 2.1 (1.2-3.4), p ≥ 0.05", None, ">="),
        ("OR 2.1 (1.2-3.4), p=‹0•001", 0.001, "<"),
        ("OR 2.1 (1.2-3.4), p=<0.001", 0.001, "<"),
        ("OR 2.1 (1.2-3.4), P = 5.81 × 10−48", 5.81e-48, "="),
        ("OR 2.1 (1.2-3.4), P = 5.81e-48", 5.81e-48, "="),
        ("OR 2.1 (1.2-3.4), P < 10^-5", 1e-5, "<"),
        ("OR 2.1 (1.2-3.4), P < 10⁻⁵", 1e-5, "<"),
    ],
)
def test_p_value_forms_are_read_with_threshold_as_value(text, p, operator):
    found = only(text)
    assert found.value["p"] == (None if p is None else pytest.approx(p))
    assert found.attributes["p_operator"] == operator


def test_all_p_after_a_list_applies_to_each_estimate_without_its_own_p():
    text = "Anxiety (OR, 4.935; 95% CI[4.442–5.485]) and sleep (OR, 0.470; 95% CI[0.398–0.556]) were associated (allp < .05)."
    assert [e["p"] for e in effects(text)] == [0.05, 0.05]


def test_a_p_value_before_the_estimate_in_its_bracket_belongs_to_it():
    found = only("a weak relationship was observed (p = 0.03, r = 0.24; 95% CI, 0.02 to 0.43)")
    assert found.value == {"measure": "r", "value": 0.24, "ci": [0.02, 0.43], "p": 0.03}


@pytest.mark.parametrize("text", ["p = 1.03", "p = 12"])
def test_p_values_above_one_are_not_p_values(text):
    assert list(iter_p_values(text)) == []


# --- number forms ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("−0.34", -0.34),
        ("− 0.34", -0.34),
        ("-0.5", -0.5),
        ("–0.5", -0.5),
        (".23", 0.23),
        ("1,24", 1.24),
        ("0,345", 0.345),
        ("0·10", 0.10),
        ("0•13", 0.13),
        ("16 560", 16560.0),
        ("16\u2009560", 16560.0),
        ("1,224.08", 1224.08),
        ("1,452", 1452.0),
        ("+0.2", 0.2),
    ],
)
def test_number_forms_parse(text, value):
    assert parse_number(text) == pytest.approx(value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SMD = − 0.17", {"measure": "SMD", "value": -0.17, "ci": None, "p": None}),
        ("OR 2·38 (1·15–4·91)", {"measure": "OR", "value": 2.38, "ci": [1.15, 4.91], "p": None}),
        ("RR = 0,59 (0,39-0,89)", {"measure": "RR", "value": 0.59, "ci": [0.39, 0.89], "p": None}),
        ("OR = 1,24 (1,05-1,46)", {"measure": "OR", "value": 1.24, "ci": [1.05, 1.46], "p": None}),
        (
            "(SMD −0·10; 95% CI −1·39 to 1·19; p=0·88)",
            {"measure": "SMD", "value": -0.10, "ci": [-1.39, 1.19], "p": 0.88},
        ),
        ("d = −.45, 95% CI −.70 to −.20", {"measure": "d", "value": -0.45, "ci": [-0.70, -0.20], "p": None}),
    ],
)
def test_unicode_and_decimal_forms_in_estimates(text, expected):
    assert effects(text) == [expected]


# --- not effects ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "The difference was significant (p = 0.03).",
        "Overall, 13.06% of participants experienced depressive symptoms.",
        "remission at 3 months (50% vs 44%)",
        "mean (s.d.) SDQ-TD NIM, 11.5 (7.6); SAU, 11.1 (7.2)",
        "Anxiety post service (M = 9.08, SD = 4.96) was lower than at baseline.",
        "Heterogeneity was moderate (I² = 45%, I2 = 45%).",
        "The E-value was 2.3 (lower limit 1.4).",
        "Participants: 16 560 mothers (n = 33, 45%) were screened.",
        "Mean age 27 years, (range 17 to 37 years).",
        "prevalence was 13.06% (95% CI 12.6–13.5)",
        "The trial ran from 2013 to 2016 (2013–2016).",
        "1.5 × 109 CFU/g Lacticaseibacillus paracasei",
        "at t = 3 months and t = 6 months",
        "Vitamin A increased retinol (1.46 [95% CI, 1.42-1.50] μmol/L vs 1.13 [95% CI, 1.09-1.17] μmol/L).",
    ],
)
def test_not_effects_are_not_reported(text):
    assert effects(text) == []


def test_a_power_calculation_is_a_low_confidence_candidate():
    [candidate] = find_effects(analyse("The study had 80% power to detect an effect size of 0.5."))
    assert candidate.confidence < REPORTED


def test_an_estimate_with_its_ci_is_reported_once():
    assert effects("OR = 1.5 (95% CI 1.1-2.0)") == [
        {"measure": "OR", "value": 1.5, "ci": [1.1, 2.0], "p": None}
    ]


def test_a_name_restated_as_its_abbreviation_is_one_estimate():
    assert len(effects("odds ratio (OR) = 1.5 (95% CI 1.1-2.0)")) == 1


def test_a_standard_error_in_brackets_is_skipped_to_reach_the_ci():
    found = effects(
        "the LS mean difference (SE) in SDS at week 5 was -1.1 (0.46) (95% CI, -2.0 to -0.2; P = .019)"
    )
    assert found[0] == {"measure": "MD", "value": -1.1, "ci": [-2.0, -0.2], "p": 0.019, "outcome": "SDS"}


# --- lists, inherited measures, ranges ------------------------------------------------------------------


def test_values_listed_after_one_measure_share_it():
    text = (
        "effect sizes of 0.25 (depression; 95% confidence interval [CI]: 0.08 to 0.32), 0.20 (anxiety; 95% CI: "
        "0.05 to 0.30), and 0.23 (total score; 95% CI: 0.12 to 0.38); 0.16 (95% CI: 0.04 to 0.29) for personal "
        "well-being; and an odds ratio of 1.60 (95% CI: 1.19 to 2.16) for self-efficacy."
    )
    assert [(e["measure"], e["value"]) for e in effects(text)] == [
        ("ES", 0.25),
        ("ES", 0.20),
        ("ES", 0.23),
        ("ES", 0.16),
        ("OR", 1.60),
    ]


def test_bracketed_estimates_take_the_measure_named_before_them():
    text = (
        "No overall effect was found (relative risk 0.81, 95% confidence interval 0.65 to 1.02). Intensive "
        "support was effective (0.68, 0.55 to 0.84)."
    )
    assert effects(text)[1] == {"measure": "RR", "value": 0.68, "ci": [0.55, 0.84], "p": None}


def test_slope_list_values_are_unstandardised_coefficients_with_lower_confidence():
    text = (
        "Mothers improved more (slope effects: for depression (−0.19, p = 0.015), anxiety (−0.13, p = 0.058), "
        "and trauma (−0.46, p = 0.057))."
    )
    found = [v for v in find_effects(analyse(text)) if v.confidence >= REPORTED]
    assert [(v.value["measure"], v.value["value"], v.value["p"]) for v in found] == [
        ("b", -0.19, 0.015),
        ("b", -0.13, 0.058),
        ("b", -0.46, 0.057),
    ]
    explicit = only("The slope was −0.19 (95% CI −0.30 to −0.08).")
    assert all(v.confidence < explicit.confidence for v in found)


def test_a_range_of_effect_sizes_is_two_estimates():
    assert [(e["measure"], e["value"]) for e in effects("OCD improved (controlled ES=1.31-1.90).")] == [
        ("ES", 1.31),
        ("ES", 1.90),
    ]


def test_a_value_named_later_in_a_sentence_with_a_gap():
    assert effects("The RR up to 12 months was 1.88 (1.09 to 3.24; p=0.023).") == [
        {"measure": "RR", "value": 1.88, "ci": [1.09, 3.24], "p": 0.023}
    ]


def test_a_named_comparison_arm_between_value_and_ci_is_skipped():
    assert effects(
        "The hazard ratio for hospitalization was 1.50 for the dialysis group (95% CI, 1.11 to 2.01)."
    )[0]["ci"] == [1.11, 2.01]


# --- outcome, comparison and adjusted -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "outcome"),
    [
        ("Hyperactivity was reduced (d = 0.41, 95% CI 0.2 to 0.6) on the SDQ.", "SDQ"),
        ("slope effects: for depression (−0.19, p = 0.015)", "depression"),
        ("effect sizes of 0.25 (depression; 95% CI: 0.08 to 0.32)", "depression"),
        ("PHQ-9 remission: RR= 1.08, 95% CI 0.88 to 1.33", "PHQ-9 remission"),
        (
            "benefits on child cognitive development (SMD = 0.32, 95% CI: 0.23, 0.40)",
            "child cognitive development",
        ),
        ("and an odds ratio of 1.60 (95% CI: 1.19 to 2.16) for self-efficacy.", "self-efficacy"),
        (
            "pPND was associated with increased risk of mortality up to 6 months (adjusted rate ratio (RR), 2.86 "
            "(1.58 to 5.19); p=0.001).",
            "mortality",
        ),
    ],
)
def test_estimates_are_linked_to_their_outcome(text, outcome):
    assert only(text).attributes["outcome"] == outcome


@pytest.mark.parametrize(
    ("text", "comparison"),
    [
        ("adjusted mean difference (NIM - SAU), 1.4; 95% confidence interval (-0.63, 3.53)", "NIM - SAU"),
        ("For intervention vs control the OR was 1.5 (95% CI 1.1-2.0).", "intervention vs control"),
        (
            "Compared with controls, the intervention group had better scores (d = 0.4, 95% CI 0.1 to 0.7).",
            "vs controls",
        ),
        (
            "No differences between treatment and EUC arms of the trial (RR= 1.08, 95% CI 0.88 to 1.33).",
            "treatment vs EUC",
        ),
    ],
)
def test_estimates_are_linked_to_their_comparison(text, comparison):
    assert only(text).attributes["comparison"] == comparison


@pytest.mark.parametrize(
    ("text", "adjusted"),
    [
        ("adjusted mean difference 1.4 (95% CI -0.63 to 3.53)", True),
        ("aOR 2.1 (95% CI 1.2-3.4)", True),
        ("AOR = 2.1, 95% CI 1.2-3.4", True),
        ("adjusted rate ratio (RR), 2.86 (1.58 to 5.19)", True),
        ("The odds ratio (adjusted) was 2.1 (1.2-3.4).", True),
        ("After adjustment for age, the OR was 2.1 (1.2-3.4).", True),
        ("The OR was 2.1 (1.2-3.4).", False),
    ],
)
def test_adjusted_estimates_are_marked(text, adjusted):
    assert only(text).attributes["adjusted"] is adjusted


# --- confidence, spans, ranges --------------------------------------------------------------------------


def test_an_explicit_measure_with_a_ci_is_high_confidence():
    assert only("The odds ratio was 1.60 (95% CI 1.19 to 2.16).").confidence >= 0.85


def test_background_estimates_are_less_confident_than_results():
    text = (
        "BACKGROUND: Earlier trials found benefits (OR = 1.5, 95% CI 1.1-2.0).\n"
        "RESULTS: Depression was reduced (OR = 0.6, 95% CI 0.4-0.9)."
    )
    background, results = find_effects(analyse(text))
    assert background.confidence < results.confidence


@pytest.mark.parametrize(
    ("text", "evidence"),
    [
        (
            "Results: adjusted mean difference (NIM - SAU), 1.4; 95% confidence interval (-0.63, 3.53); P = 0.17.",
            "adjusted mean difference (NIM - SAU), 1.4; 95% confidence interval (-0.63, 3.53); P = 0.17",
        ),
        (
            "It worked (d = 0.416, 95% CI (0.334, 0.498), p < 0.001).",
            "d = 0.416, 95% CI (0.334, 0.498), p < 0.001",
        ),
        (
            "Anxiety fell (t (55) = 6.96, p < 0.01, 95% CI [3.15, 5.70]).",
            "t (55) = 6.96, p < 0.01, 95% CI [3.15, 5.70]",
        ),
        ("Slopes differed: for depression (−0.19, p = 0.015).", "(−0.19, p = 0.015)"),
    ],
)
def test_spans_point_at_the_evidence(text, evidence):
    layer = analyse(text)
    [found] = find_effects(layer)
    assert layer.text[found.start : found.end] == evidence == found.attributes["estimate_text"]


def test_spans_are_absolute_and_stay_inside_the_unit():
    text = "First study: OR = 1.5 (1.1-2.0). Second study: OR = 2.5 (1.1-4.0)."
    layer = analyse(text)
    start = text.index("Second")
    [found] = find_effects(layer, start, len(text))
    assert (
        found.value["value"] == 2.5 and found.start >= start and text[found.start : found.start + 2] == "OR"
    )


def test_sources_name_the_rule():
    sources = {v.source for v in find_effects(analyse("OR = 1.5 (1.1-2.0), 2.5 (1.1-4.0)"))}
    assert sources == {"rule:effects.measure.v1", "rule:effects.list.v1"}


# --- APA statistics -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "t(28) = 2.20, p = .036",
            {"statistic": "t", "df": [28], "value": 2.2, "p_operator": "=", "p": 0.036},
        ),
        (
            "F(2, 56) = 3.45, p < .05",
            {"statistic": "F", "df": [2, 56], "value": 3.45, "p_operator": "<", "p": 0.05},
        ),
        (
            "χ2(1, N = 100) = 4.2, p = .04",
            {"statistic": "chi2", "df": [1], "n": 100, "value": 4.2, "p_operator": "=", "p": 0.04},
        ),
        ("r(48) = .34, p = .02", {"statistic": "r", "df": [48], "value": 0.34, "p_operator": "=", "p": 0.02}),
        ("z = 2.1, p = .03", {"statistic": "z", "df": [], "value": 2.1, "p_operator": "=", "p": 0.03}),
        ("Z = -2.42, p = 0.016", {"statistic": "z", "value": -2.42, "p": 0.016}),
        ("t(28.1) = -2.20, p < .001", {"statistic": "t", "df": [28.1], "value": -2.2, "p_operator": "<"}),
        ("t(553) = − 4.46, p < .0001", {"value": -4.46, "p": 0.0001}),
        ("F(l, 76) = 23.95, p <.001", {"statistic": "F", "df": [1, 76]}),
        ("t(28) = 2.20, ns", {"statistic": "t", "p_operator": "ns", "p": None}),
        ("F(2, 70) = 4.48, MSE = 6.61, p <.02", {"statistic": "F", "value": 4.48, "p": 0.02}),
        ("chi2(1, N = 11,455) = 16.78, p <.001", {"statistic": "chi2", "n": 11455, "value": 16.78}),
        ("QBetween(1) = 14.59, p < .05", {"statistic": "Q", "label": "QBetween", "measure": "other"}),
        ("t(28) = 2.20, p = .018, one-tailed", {"one_tailed": True}),
        ("t(28) < 2.2, p = .08", {"comparison": "<", "value": 2.2}),
        ("F(1, 127) p 6.36, p ! .05", {"statistic": "F", "value": 6.36, "p_operator": "<", "p": 0.05}),
        ("F(2, 726)=7.20, pb.001", {"p_operator": "<", "p": 0.001}),
    ],
)
def test_parse_statistic_reads_apa_results(text, expected):
    result = parse_statistic(text)
    assert result is not None
    assert {key: result[key] for key in expected} == expected


@pytest.mark.parametrize(
    "text",
    [
        "p < .05",
        "T(28) = 2.20, p = .03",
        "t[28] = 2.20, p = .03",
        "r(16) = 26.05, p = .10",
        "t(28) = 2.20, p = 1.03",
        "t(2,28) = 2.20, p = .03",
        "z(28) = 2.20, p = .03",
        "Qs(2) = 2.2, p = .03",
        "Qb(2, N = 187) = 2.20, p = .03",
        "t(28) = 2.20",
    ],
)
def test_parse_statistic_rejects_what_is_not_an_apa_result(text):
    assert parse_statistic(text) is None


def test_parse_statistic_without_repair_reads_the_string_as_is():
    assert parse_statistic("F(1, 127) p 6.36, p ! .05", repair=False) is None


@pytest.mark.parametrize(
    ("text", "repaired"),
    [
        ("F(1, 127) p 6.36, p ! .05", "F(1, 127) = 6.36, p < .05"),
        ("x2 (1, N p 6,721) p 10.45, p ! .01", "x2 (1, N = 6,721) = 10.45, p < .01"),
        ("Fs(1, 248)b1.16, psN.28", "Fs(1, 248)<1.16, ps>.28"),
        ("t(196) ¼ 38.73, p < .001", "t(196) = 38.73, p < .001"),
        ("BF(2,56) = 12.03", " F(2,56) = 12.03"),
        ("N 120 participants, p.001, group b 2", "N 120 participants, p.001, group b 2"),
    ],
)
def test_pdf_glyph_repair_touches_only_test_results(text, repaired):
    assert repair_pdf_glyphs(text) == repaired


def test_apa_statistics_in_running_text_are_effects_with_df():
    [found] = find_effects(analyse("The effect was very significant, F(2, 28) = 2.20, p = .03."))
    assert found.value == {"measure": "F", "value": 2.2, "ci": None, "p": 0.03}
    assert found.attributes["df"] == [2, 28]


# --- regressions ----------------------------------------------------------------------------------------


def test_regression_value_after_a_space_following_the_name_is_found():
    assert effects("relative risk 0.81, 95% CI 0.65 to 1.02")[0]["value"] == 0.81


def test_regression_bare_correlation_is_not_treated_like_a_time_point():
    assert only("were less intrusive (r = 0.47)").value["measure"] == "r"


def test_regression_comparator_group_is_not_the_outcome():
    found = only(
        "TSB was lower compared with the placebo group (mean difference -2.4 mg/dL [95% CI -3.6 to -1.2])."
    )
    assert found.attributes["outcome"] == "TSB"  # the clause's subject, not the comparator
