"""Random-effects pooling: DerSimonian-Laird and REML, with tau², I², H², Q and a prediction interval.

The estimators follow metafor's ``rma.uni`` (Viechtbauer 2005, 2010): DL's moment estimator,
REML by the fixed-point iteration ``tau² = Σ w²((y - μ)² - v) / Σ w² + 1/Σ w`` truncated at 0;
``I² = tau² / (tau² + s²)`` with ``s²`` the typical within-study variance
``(k - 1) Σ w / ((Σ w)² - Σ w²)``. The prediction interval is ``μ ± crit sqrt(SE² + tau²)``,
with the normal quantile, or with ``knapp_hartung`` the Knapp-Hartung SE and the t quantile with
k - 1 df for the CI and the prediction interval, as metafor's ``test="knha"`` does.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

from ..errors import ExtractorError

METHODS = ("reml", "dl")


class SynthesisError(ExtractorError):
    """Estimates that cannot be pooled or an outcome with nothing to pool."""

    kind = "synthesis"
    hint = "check the outcome and measure with `extractor export --format metafor`"


@dataclass
class Pooled:
    """A random-effects summary."""

    method: str
    k: int
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    z: float
    p: float
    tau2: float
    i2: float  # percent
    h2: float
    q: float
    q_df: int
    q_p: float
    pi_low: float
    pi_high: float
    knapp_hartung: bool = False
    level: float = 95.0

    @property
    def tau(self) -> float:
        return math.sqrt(self.tau2)

    def weights(self, variances: Sequence[float]) -> list[float]:
        """Each estimate's share of the random-effects weight, in percent."""
        inverse = [1 / (v + self.tau2) for v in variances]
        return [100 * w / sum(inverse) for w in inverse]


def _fixed(yi: Sequence[float], weights: Sequence[float]) -> float:
    return sum(w * y for w, y in zip(weights, yi, strict=True)) / sum(weights)


def q_statistic(yi: Sequence[float], vi: Sequence[float]) -> float:
    """Cochran's Q around the fixed-effect mean."""
    weights = [1 / v for v in vi]
    mean = _fixed(yi, weights)
    return sum(w * (y - mean) ** 2 for w, y in zip(weights, yi, strict=True))


def tau2_dl(yi: Sequence[float], vi: Sequence[float]) -> float:
    """DerSimonian-Laird's moment estimate of the between-study variance."""
    weights = [1 / v for v in vi]
    c = sum(weights) - sum(w * w for w in weights) / sum(weights)
    return max(0.0, (q_statistic(yi, vi) - (len(yi) - 1)) / c)


def tau2_reml(yi: Sequence[float], vi: Sequence[float], tolerance: float = 1e-10, max_iter: int = 1000) -> float:
    """The restricted maximum-likelihood estimate of the between-study variance."""
    tau2 = tau2_dl(yi, vi)
    for _ in range(max_iter):
        weights = [1 / (v + tau2) for v in vi]
        mean = _fixed(yi, weights)
        total = sum(weights)
        squares = sum(w * w for w in weights)
        updated = sum(w * w * ((y - mean) ** 2 - v) for w, y, v in zip(weights, yi, vi, strict=True)) / squares
        updated = max(0.0, updated + 1 / total)
        if abs(updated - tau2) < tolerance:
            return updated
        tau2 = updated
    raise SynthesisError("REML did not converge", hint="try --method dl")


def pool(
    yi: Sequence[float], vi: Sequence[float], method: str = "reml", knapp_hartung: bool = False, level: float = 95.0
) -> Pooled:
    """The random-effects summary of estimates ``yi`` with sampling variances ``vi``."""
    from scipy.stats import chi2, t

    k = len(yi)
    if k != len(vi):
        raise SynthesisError(f"{k} estimates but {len(vi)} variances")
    if k < 2:
        raise SynthesisError(f"{k} estimate{'s' if k != 1 else ''} with a standard error: nothing to pool",
                             hint="widen --outcome or choose another --measure")
    if any(not v > 0 for v in vi):
        raise SynthesisError("a sampling variance is not positive")
    if method not in METHODS:
        raise SynthesisError(f"unknown method {method!r}", hint=f"use one of {', '.join(METHODS)}")
    tau2 = tau2_reml(yi, vi) if method == "reml" else tau2_dl(yi, vi)
    weights = [1 / (v + tau2) for v in vi]
    estimate = _fixed(yi, weights)
    se = math.sqrt(1 / sum(weights))
    if knapp_hartung:
        scale = sum(w * (y - estimate) ** 2 for w, y in zip(weights, yi, strict=True)) / (k - 1)
        se = math.sqrt(scale / sum(weights))
        critical = float(t.ppf(0.5 + level / 200, k - 1))
        p = float(2 * t.sf(abs(estimate / se), k - 1))
    else:
        critical = NormalDist().inv_cdf(0.5 + level / 200)
        p = 2 * (1 - NormalDist().cdf(abs(estimate / se)))
    fixed_weights = [1 / v for v in vi]
    typical = (k - 1) * sum(fixed_weights) / (sum(fixed_weights) ** 2 - sum(w * w for w in fixed_weights))
    q = q_statistic(yi, vi)
    spread = critical * math.sqrt(se**2 + tau2)
    return Pooled(
        method=method, k=k, estimate=estimate, se=se, ci_low=estimate - critical * se,
        ci_high=estimate + critical * se, z=estimate / se, p=p, tau2=tau2, i2=100 * tau2 / (tau2 + typical),
        h2=(tau2 + typical) / typical, q=q, q_df=k - 1, q_p=float(chi2.sf(q, k - 1)),
        pi_low=estimate - spread, pi_high=estimate + spread, knapp_hartung=knapp_hartung, level=level,
    )
