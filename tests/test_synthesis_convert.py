"""Effect conversion: published worked examples, cross-checks against statsmodels and scipy, and flags."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats
from scipy.special import gammaln
from statsmodels.stats.contingency_tables import Table2x2
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

from extractor.synthesis.convert import Estimate, convert, hedges_j, z_from_p, z_quantile

Z95 = stats.norm.ppf(0.975)


# Borenstein et al. (2009), Introduction to Meta-Analysis, ch. 4 worked example: means 103 and 100,
# SDs 5.5 and 4.5, 50 per group -> d = 0.5970, Vd = 0.0418, J = 0.9923, g = 0.5924, Vg = 0.0411, SEg = 0.2028.
def _borenstein_d() -> float:
    pooled_sd = math.sqrt((49 * 5.5**2 + 49 * 4.5**2) / 98)
    return (103 - 100) / pooled_sd


def test_borenstein_chapter_4_cohens_d_becomes_hedges_g_with_its_variance() -> None:
    d = _borenstein_d()
    assert round(d, 4) == 0.5970
    result = convert(Estimate("d", d, group_sizes=(50, 50)))
    assert result.scale == "SMD" and result.flag is None
    assert (round(result.yi, 4), round(result.vi, 4), round(result.sei, 4)) == (0.5924, 0.0411, 0.2028)
    assert "= 0.9923" in result.formula and result.based_on == "groups of 50 and 50"


def test_a_reported_g_is_not_corrected_twice() -> None:
    result = convert(Estimate("g", 0.5924, group_sizes=(50, 50)))
    assert round(result.yi, 4) == 0.5924 and round(result.sei, 4) == 0.2028


@pytest.mark.parametrize(("df", "expected"), [(98, 0.9923), (10, 0.9231), (38, 0.9801)])
def test_hedges_j_matches_the_exact_gamma_form(df: int, expected: float) -> None:
    exact = math.exp(gammaln(df / 2) - 0.5 * math.log(df / 2) - gammaln((df - 1) / 2))
    assert round(hedges_j(df), 4) == expected
    assert hedges_j(df) == pytest.approx(exact, abs=5e-4)  # the approximation is O(1/df²)


def test_d_with_a_ci_is_corrected_when_group_sizes_are_known_and_left_as_d_otherwise() -> None:
    ci = (0.5970 - Z95 * 0.2044, 0.5970 + Z95 * 0.2044)
    corrected = convert(Estimate("d", 0.5970, ci=ci, group_sizes=(50, 50)))
    assert round(corrected.yi, 4) == 0.5924 and round(corrected.sei, 4) == round(0.9923 * 0.2044, 4)
    plain = convert(Estimate("d", 0.5970, ci=ci))
    assert round(plain.yi, 4) == 0.5970 and round(plain.sei, 4) == 0.2044
    assert any("uncorrected" in note for note in plain.assumptions)


# Borenstein et al. (2009) ch. 5: 5/100 events vs 10/100 -> ln RR = -0.6931, V = 0.2800, SE = 0.5292;
# ln OR = -0.7472, V = 0.3216, SE = 0.5671. The CI is statsmodels' (an independent implementation).
@pytest.mark.parametrize(("measure", "log_value", "se"), [("RR", -0.6931, 0.5292), ("OR", -0.7472, 0.5671)])
def test_borenstein_chapter_5_ratios_from_their_ci_on_the_log_scale(measure: str, log_value: float, se: float) -> None:
    table = Table2x2(np.array([[5, 95], [10, 90]]))
    low, high = table.riskratio_confint() if measure == "RR" else table.oddsratio_confint()
    value = table.riskratio if measure == "RR" else table.oddsratio
    result = convert(Estimate(measure, value, ci=(low, high)))
    assert result.scale == measure
    assert (round(result.yi, 4), round(result.sei, 4)) == (log_value, se)
    expected_se = table.log_riskratio_se if measure == "RR" else table.log_oddsratio_se
    assert result.sei == pytest.approx(expected_se, rel=1e-9)


def test_cochrane_z_for_p_0_008_is_2_652() -> None:
    # Cochrane Handbook §6.3.2 / §6.5.2: a two-sided P of 0.008 corresponds to Z = 2.652.
    assert round(z_from_p(0.008), 3) == 2.652
    assert z_quantile(95) == pytest.approx(1.959964, abs=1e-6)


def test_a_ratio_with_only_a_p_value_has_se_ln_ratio_over_z() -> None:
    result = convert(Estimate("HR", 0.7, p=0.008, p_operator="="))
    assert result.sei == pytest.approx(abs(math.log(0.7)) / stats.norm.isf(0.004))
    assert result.based_on == "p = 0.008"


def test_a_p_threshold_gives_an_upper_bound_that_is_stated() -> None:
    result = convert(Estimate("OR", 2.0, p=0.001, p_operator="<"))
    assert result.flag is None
    assert any("upper bound" in note for note in result.assumptions)


def _two_samples() -> tuple[np.ndarray, np.ndarray]:
    generator = np.random.default_rng(7)
    return generator.normal(10.0, 3.0, 14), generator.normal(7.5, 3.0, 12)


def test_md_se_from_p_and_df_matches_the_pooled_se_of_a_t_test() -> None:
    first, second = _two_samples()
    test = stats.ttest_ind(first, second)
    difference = first.mean() - second.mean()
    result = convert(Estimate("MD", float(difference), p=float(test.pvalue), p_operator="=", df=[24]))
    compare = CompareMeans(DescrStatsW(first), DescrStatsW(second))
    assert result.sei == pytest.approx(compare.std_meandiff_pooledvar, rel=1e-8)


def test_md_se_from_a_small_sample_ci_uses_the_t_quantile() -> None:
    first, second = _two_samples()
    compare = CompareMeans(DescrStatsW(first), DescrStatsW(second))
    low, high = compare.tconfint_diff(usevar="pooled")
    result = convert(Estimate("MD", float(first.mean() - second.mean()), ci=(low, high), group_sizes=(14, 12)))
    assert result.sei == pytest.approx(compare.std_meandiff_pooledvar, rel=1e-8)
    assert "[t(24)]" in result.formula


def test_t_of_two_groups_gives_the_d_of_the_raw_data() -> None:
    first, second = _two_samples()
    t_value = float(stats.ttest_ind(first, second).statistic)
    pooled_sd = math.sqrt(((13 * first.var(ddof=1)) + 11 * second.var(ddof=1)) / 24)
    d = (first.mean() - second.mean()) / pooled_sd
    result = convert(Estimate("t", t_value, df=[24], group_sizes=(14, 12), design="rct"))
    assert result.yi / hedges_j(24) == pytest.approx(d, rel=1e-9)
    assert any("independent two-group" in note for note in result.assumptions)


def test_t_without_group_sizes_assumes_equal_groups_and_says_so() -> None:
    result = convert(Estimate("t", 2.0, df=[98], design="rct"))
    assert result.yi == pytest.approx(hedges_j(98) * 2 * 2.0 / math.sqrt(98))
    assert any("equal group sizes" in note for note in result.assumptions)


def test_f_with_one_numerator_df_converts_like_t_but_is_flagged_for_direction() -> None:
    as_f = convert(Estimate("F", 4.0, df=[1, 98], design="rct"))
    as_t = convert(Estimate("t", 2.0, df=[98], design="rct"))
    assert as_f.yi == pytest.approx(as_t.yi) and as_f.sei == pytest.approx(as_t.sei)
    assert as_f.flag and "no sign" in as_f.flag and not as_f.poolable


# Borenstein et al. (2009) ch. 6: r = 0.50, n = 100 -> z = 0.5493, Vz = 0.0103, SEz = 0.1015.
def test_borenstein_chapter_6_fisher_z() -> None:
    result = convert(Estimate("r", 0.5, n=100))
    assert (round(result.yi, 4), round(result.vi, 4), round(result.sei, 4)) == (0.5493, 0.0103, 0.1015)


# Borenstein et al. (2009) ch. 7: r = 0.50 with Vr = 0.0058 -> d = 1.1547, Vd = 0.0550
# (n = 98 gives Vr = (1 - r²)²/(n - 1) = 0.0058); ln OR = 0.9069 with V = 0.0676 -> d = 0.5000, Vd = 0.0205.
def test_borenstein_chapter_7_r_to_d_for_a_two_group_design() -> None:
    result = convert(Estimate("r", 0.5, n=98, design="rct"), "SMD")
    assert (round(result.yi, 4), round(result.vi, 4)) == (1.1547, 0.0550)
    assert any("point-biserial" in note for note in result.assumptions)


def test_borenstein_chapter_7_log_odds_ratio_to_d() -> None:
    se = math.sqrt(0.0676)
    ci = (math.exp(0.9069 - Z95 * se), math.exp(0.9069 + Z95 * se))
    result = convert(Estimate("OR", math.exp(0.9069), ci=ci), "SMD")
    assert (round(result.yi, 4), round(result.vi, 4)) == (0.5000, 0.0205)
    back = convert(Estimate("d", 0.5, ci=(0.5 - Z95 * math.sqrt(0.0205), 0.5 + Z95 * math.sqrt(0.0205))), "OR")
    assert round(back.yi, 4) == 0.9069


@pytest.mark.parametrize(
    ("estimate", "target", "reason"),
    [
        (Estimate("b", -0.19, p=0.015, p_operator="="), None, "unstandardised regression coefficient"),
        (Estimate("ES", 0.25, ci=(0.08, 0.32)), None, "not stated as standardised"),
        (Estimate("t", 6.96, df=[55], design="mixed_methods"), None, "may be paired"),
        (Estimate("F", 5.0, df=[2, 60], design="rct"), None, "more than one numerator df"),
        (Estimate("OR", 2.5, ci=(1.1, 2.0)), None, "outside its CI"),
        (Estimate("RR", 0.8, p=0.2, p_operator="ns"), None, "no CI"),
        (Estimate("RR", 0.8), None, "no CI"),
        (Estimate("MD", 1.4, p=0.17, p_operator="="), None, "without degrees of freedom"),
        (Estimate("OR", 0.0, ci=(0.0, 1.0)), None, "no logarithm"),
        (Estimate("SMD", -0.17), None, "no CI and no group sizes"),
        (Estimate("RR", 0.59, ci=(0.39, 0.89)), "SMD", "cannot be put on the SMD scale"),
        (Estimate("r", 0.3, n=50, design="cross_sectional"), "SMD", "correlational"),
        (Estimate("other", 25.0), None, "not named"),
    ],
)
def test_what_cannot_be_converted_is_flagged_with_the_reason(estimate: Estimate, target: str | None,
                                                              reason: str) -> None:
    result = convert(estimate, target)
    assert result.flag and reason in result.flag
    assert result.yi is None and not result.poolable


def test_an_asymmetric_ci_is_noted() -> None:
    result = convert(Estimate("SMD", 0.25, ci=(0.08, 0.32)))
    assert result.flag is None
    assert any("asymmetric" in note for note in result.assumptions)
