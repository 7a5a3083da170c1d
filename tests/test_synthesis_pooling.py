"""Random-effects pooling reproduces metafor's published BCG vaccine analyses and agrees with statsmodels."""

from __future__ import annotations

import math

import numpy as np
import pytest
from statsmodels.stats.meta_analysis import combine_effects

from extractor.synthesis.pooling import SynthesisError, pool, tau2_dl

# The BCG vaccine trials (Colditz et al., 1994), as metafor's dat.bcg: vaccinated TB+, TB-, control TB+, TB-.
BCG = [
    (4, 119, 11, 128), (6, 300, 29, 274), (3, 228, 11, 209), (62, 13536, 248, 12619), (33, 5036, 47, 5761),
    (180, 1361, 372, 1079), (8, 2537, 10, 619), (505, 87886, 499, 87892), (29, 7470, 45, 7232),
    (17, 1699, 65, 1600), (186, 50448, 141, 27197), (5, 2493, 3, 2338), (27, 16886, 29, 17825),
]  # fmt: skip


def _log_risk_ratios() -> tuple[list[float], list[float]]:
    """escalc(measure = "RR"): ln RR and its variance 1/a - 1/(a+b) + 1/c - 1/(c+d)."""
    yi = [math.log((a / (a + b)) / (c / (c + d))) for a, b, c, d in BCG]
    vi = [1 / a - 1 / (a + b) + 1 / c - 1 / (c + d) for a, b, c, d in BCG]
    return yi, vi


def test_the_bcg_effect_sizes_are_metafors() -> None:
    # escalc output printed in metafor's README: yi and vi of the first and last trials.
    yi, vi = _log_risk_ratios()
    assert [round(yi[0], 4), round(vi[0], 4), round(yi[-1], 4), round(vi[-1], 4)] == [-0.8893, 0.3256, -0.0173, 0.0714]


def test_reml_reproduces_metafors_rma_of_the_bcg_trials() -> None:
    # metafor, rma(yi, vi, data = dat) on dat.bcg (RR): tau^2 = 0.3132, I^2 = 92.22%, H^2 = 12.86,
    # Q(df = 12) = 152.2330; estimate -0.7145, se 0.1798, zval -3.9744, ci -1.0669 to -0.3622.
    result = pool(*_log_risk_ratios(), method="reml")
    assert round(result.tau2, 4) == 0.3132
    assert round(result.i2, 2) == 92.22 and round(result.h2, 2) == 12.86
    assert round(result.q, 4) == 152.2330 and result.q_df == 12
    assert (round(result.estimate, 4), round(result.se, 4), round(result.z, 4)) == (-0.7145, 0.1798, -3.9744)
    assert (round(result.ci_low, 4), round(result.ci_high, 4)) == (-1.0669, -0.3622)


def test_dl_reproduces_metafors_dersimonian_laird_of_the_bcg_trials() -> None:
    # metafor's tests (test_misc_metan_vs_rma.uni_with_dat.bcg.r, checked against Stata's metan):
    # estimate -0.7141, ci -1.0644 to -0.3638, zval -3.9952, tau^2 0.3088, I^2 92.1173; exp(pred) 0.4896.
    result = pool(*_log_risk_ratios(), method="dl")
    assert (round(result.estimate, 4), round(result.ci_low, 4), round(result.ci_high, 4)) == (-0.7141, -1.0644, -0.3638)
    assert round(result.z, 4) == -3.9952 and round(result.tau2, 4) == 0.3088 and round(result.i2, 4) == 92.1173
    assert round(math.exp(result.estimate), 4) == 0.4896


def test_knapp_hartung_and_the_prediction_interval_reproduce_metafors_readme() -> None:
    # metafor README: rma(yi, vi, data = dat, test = "knha"): se 0.1808, ci -1.1084 to -0.3206;
    # predict(res, transf = exp, digits = 2): pred 0.49, ci 0.33 to 0.73, pi 0.14 to 1.76.
    result = pool(*_log_risk_ratios(), method="reml", knapp_hartung=True)
    assert (round(result.se, 4), round(result.ci_low, 4), round(result.ci_high, 4)) == (0.1808, -1.1084, -0.3206)
    shown = [round(math.exp(v), 2) for v in (result.estimate, result.ci_low, result.ci_high, result.pi_low,
                                             result.pi_high)]
    assert shown == [0.49, 0.33, 0.73, 0.14, 1.76]


def test_dl_agrees_with_statsmodels_combine_effects() -> None:
    yi, vi = _log_risk_ratios()
    ours = pool(yi, vi, method="dl")
    theirs = combine_effects(np.array(yi), np.array(vi), method_re="dl")
    assert ours.tau2 == pytest.approx(theirs.tau2, rel=1e-9)
    assert ours.estimate == pytest.approx(theirs.mean_effect_re, rel=1e-9)
    assert ours.se == pytest.approx(theirs.sd_eff_w_re, rel=1e-9)
    assert ours.i2 / 100 == pytest.approx(theirs.i2, rel=1e-9)
    assert ours.q == pytest.approx(theirs.q, rel=1e-9)


@pytest.mark.parametrize("method", ["reml", "dl"])
def test_identical_estimates_have_no_heterogeneity(method: str) -> None:
    result = pool([0.3, 0.3, 0.3], [0.01, 0.02, 0.04], method=method)
    assert result.tau2 == 0 and result.i2 == 0 and result.estimate == pytest.approx(0.3)
    assert tau2_dl([0.3, 0.3], [0.01, 0.02]) == 0


def test_weights_sum_to_a_hundred_percent() -> None:
    yi, vi = _log_risk_ratios()
    assert sum(pool(yi, vi).weights(vi)) == pytest.approx(100)


@pytest.mark.parametrize(
    ("yi", "vi", "message"),
    [([0.2], [0.01], "nothing to pool"), ([0.2, 0.3], [0.01], "variances"), ([0.2, 0.3], [0.01, 0.0], "not positive")],
)
def test_what_cannot_be_pooled_raises_a_synthesis_error(yi: list[float], vi: list[float], message: str) -> None:
    with pytest.raises(SynthesisError, match=message):
        pool(yi, vi)
