"""One extracted estimate on an analysis scale, with its standard error, formula and what it rested on.

Scales (the ``measure`` names of metafor's ``escalc``): ``SMD`` (standardised mean difference),
``OR``, ``RR``, ``HR`` (natural logs of the ratios, as metafor and RevMan's generic inverse
variance want them), ``MD``, ``RD`` and ``ZCOR`` (Fisher's z of a correlation).

Formulas (Borenstein, Hedges, Higgins & Rothstein, *Introduction to Meta-Analysis*, 2009, ch. 4-7;
Cochrane Handbook §6.5.2):

- SE from a confidence interval: ``(upper - lower) / (2 z)``, on the log scale for ratios; for a
  mean difference of small groups (n1 + n2 < 60) the t quantile with n1 + n2 - 2 df;
- SE from a p-value: ``|estimate| / z`` with ``z`` the normal quantile of ``1 - p/2`` (ratios), or
  the t quantile with the study's df (mean differences); ``p < x`` gives an upper bound on the SE;
- d from group sizes: ``var(d) = (n1 + n2)/(n1 n2) + d²/(2 (n1 + n2))``; Hedges' ``g = J d`` with
  ``J = 1 - 3/(4 df - 1)``, ``df = n1 + n2 - 2``, ``var(g) = J² var(d)``;
- t of two independent groups: ``d = t sqrt(1/n1 + 1/n2)`` (``2 t / sqrt(df)`` with equal groups);
  ``F(1, df)`` as ``t = sqrt(F)`` (no sign); r as a point-biserial: ``d = 2r / sqrt(1 - r²)``,
  ``var(d) = 4 var(r) / (1 - r²)³``, ``var(r) = (1 - r²)² / (n - 1)``;
- log odds ratio and d: ``d = ln(OR) sqrt(3)/π``, ``var(d) = var(ln OR) 3/π²``, and back;
- Fisher's z: ``atanh(r)``, ``var = 1/(n - 3)``.

What cannot be converted gets ``flag`` with the reason and no numbers; nothing is guessed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from statistics import NormalDist

from ..extract.vocabulary import RATIO_MEASURES
from ..extract.vocabulary import TWO_GROUP_DESIGNS as _TWO_GROUP_DESIGNS

SMD_FAMILY = {"d", "g", "SMD", "ES"}
RATIOS = set(RATIO_MEASURES)
SCALES = ("SMD", "OR", "RR", "HR", "MD", "RD", "ZCOR")
TWO_GROUP_DESIGNS = set(_TWO_GROUP_DESIGNS)
_NOT_CONVERTIBLE = {
    "b": "an unstandardised regression coefficient: its scale depends on the model and the outcome's units",
    "beta": "a standardised regression coefficient is not a group difference",
    "chi2": "a chi-square statistic gives no direction and needs the 2x2 table",
    "z": "a z statistic without the estimate it tests",
    "eta2": "a (partial) eta-squared gives no direction",
    "other": "the measure is not named",
}


@dataclass
class Estimate:
    """What conversion needs to know about one extracted estimate."""

    measure: str
    value: float
    ci: tuple[float, float] | None = None
    ci_level: float = 95.0
    p: float | None = None
    p_operator: str | None = None  # "=", "<", "<=", ">", ">=", "ns"
    df: list[float] = field(default_factory=list)
    n: int | None = None  # total participants, when known
    group_sizes: tuple[int, int] | None = None
    standardised: bool = False  # an ES stated as standardised (Cohen's d, Hedges' g, SMD)
    design: str | None = None
    adjusted: bool = False


@dataclass
class Conversion:
    """An estimate on an analysis scale (``yi`` with standard error ``sei``), or why not (``flag``)."""

    scale: str | None
    yi: float | None
    sei: float | None
    formula: str
    based_on: str
    assumptions: list[str] = field(default_factory=list)
    flag: str | None = None  # set when the estimate cannot be converted or must not be pooled as it is

    @property
    def vi(self) -> float | None:
        return None if self.sei is None else self.sei**2

    @property
    def poolable(self) -> bool:
        return self.flag is None and self.yi is not None and self.sei is not None and self.sei > 0


def flagged(reason: str, scale: str | None = None) -> Conversion:
    """A conversion that did not happen, with the reason."""
    return Conversion(scale, None, None, "", "", flag=reason)


def z_quantile(level: float) -> float:
    """The normal quantile of a two-sided ``level``% interval (1.959964 for 95)."""
    return NormalDist().inv_cdf(0.5 + level / 200)


def z_from_p(p: float) -> float:
    """The normal z of a two-sided p-value."""
    return NormalDist().inv_cdf(1 - p / 2)


def t_quantile(level: float, df: float) -> float:
    """The t quantile of a two-sided ``level``% interval."""
    from scipy.stats import t

    return float(t.ppf(0.5 + level / 200, df))


def t_from_p(p: float, df: float) -> float:
    """The t of a two-sided p-value with ``df`` degrees of freedom."""
    from scipy.stats import t

    return float(t.isf(p / 2, df))


def hedges_j(df: float) -> float:
    """Hedges' small-sample correction ``J = 1 - 3/(4 df - 1)``."""
    return 1 - 3 / (4 * df - 1)


def d_variance(d: float, n1: int, n2: int) -> float:
    """The sampling variance of d from the group sizes (Borenstein eq. 4.20)."""
    return (n1 + n2) / (n1 * n2) + d**2 / (2 * (n1 + n2))


def natural_scale(measure: str) -> str | None:
    """The scale an estimate is analysed on when no other is asked for."""
    if measure in SMD_FAMILY or measure in {"t", "F"}:
        return "SMD"
    if measure in RATIOS or measure in {"MD", "RD"}:
        return measure
    return "ZCOR" if measure == "r" else None


def convert(estimate: Estimate, target: str | None = None) -> Conversion:
    """``estimate`` on the ``target`` scale (default: its natural one), or a flagged Conversion saying why not."""
    measure = estimate.measure
    target = target or natural_scale(measure)
    if measure in _NOT_CONVERTIBLE:
        return flagged(f"{measure}: {_NOT_CONVERTIBLE[measure]}", target)
    if target is None or target not in SCALES:
        return flagged(f"{measure} has no analysis scale", target)
    if target == "SMD":
        if measure in SMD_FAMILY:
            return _smd(estimate)
        if measure in {"t", "F"}:
            return _from_test(estimate)
        if measure == "r":
            return _r_to_d(estimate)
        if measure == "OR":
            return _log_or_to_d(_ratio(estimate))
    elif target == measure and target in RATIOS:
        return _ratio(estimate)
    elif target == "OR" and measure in SMD_FAMILY:
        return _d_to_log_or(_smd(estimate))
    elif target == measure and target in {"MD", "RD"}:
        return _difference(estimate)
    elif target == "ZCOR" and measure == "r":
        return _fisher_z(estimate)
    return flagged(f"{measure} cannot be put on the {target} scale", target)


def _ci(estimate: Estimate) -> tuple[float, float] | str:
    """The CI when it is usable, else why not."""
    low, high = estimate.ci  # type: ignore[misc]
    if not low <= estimate.value <= high:
        return f"the value {estimate.value:g} lies outside its CI [{low:g}, {high:g}]"
    if high <= low:
        return f"the CI [{low:g}, {high:g}] has no width"
    return low, high


def _asymmetry(value: float, low: float, high: float) -> list[str]:
    """A note when the estimate is far from its CI's middle (a CI on another scale, or a typo)."""
    if abs((high - value) - (value - low)) > 0.2 * (high - low):
        return [f"CI is asymmetric about the value ({low:g} to {high:g} around {value:g}); SE taken from its width"]
    return []


def _p_notes(estimate: Estimate) -> tuple[list[str], str | None]:
    """Assumptions about a p-value, or why it cannot give an SE."""
    if estimate.p is None or estimate.p_operator in {">", ">=", "ns"}:
        return [], "no CI, and no exact or bounded p-value"
    if not 0 < estimate.p < 1:
        return [], f"p = {estimate.p:g} gives no SE"
    if estimate.p_operator in {"<", "<="}:
        return [f"p reported as < {estimate.p:g}: the threshold was used, so the SE is an upper bound"], None
    return [], None


def _smd(estimate: Estimate) -> Conversion:
    measure, value = estimate.measure, estimate.value
    if measure == "ES" and not estimate.standardised:
        return flagged("an effect size not stated as standardised (Cohen's d, Hedges' g or SMD)", "SMD")
    sizes = estimate.group_sizes
    notes = ["adjusted estimate"] if estimate.adjusted else []
    if measure in {"SMD", "ES"}:
        notes.append(f"{measure} taken as reported (whether it was small-sample corrected is not stated)")
    if estimate.design == "cluster_rct" and not estimate.ci:
        notes.append("SE from group sizes ignores clustering (no design effect known)")
    if estimate.ci:
        usable = _ci(estimate)
        if isinstance(usable, str):
            return flagged(usable, "SMD")
        low, high = usable
        z = z_quantile(estimate.ci_level)
        se = (high - low) / (2 * z)
        notes += _asymmetry(value, low, high)
        formula, based_on = f"SE = (upper - lower) / (2 x {z:.3f})", f"{estimate.ci_level:g}% CI [{low:g}, {high:g}]"
        if measure == "d" and sizes:
            j = hedges_j(sum(sizes) - 2)
            return Conversion("SMD", j * value, j * se, f"g = J d, J = 1 - 3/(4 df - 1) = {j:.4f}; {formula} x J",
                              f"{based_on}; groups of {sizes[0]} and {sizes[1]}", notes)
        if measure == "d":
            notes.append("Cohen's d left uncorrected: group sizes unknown")
        return Conversion("SMD", value, se, formula, based_on, notes)
    if not sizes:
        return flagged("no CI and no group sizes to give an SE", "SMD")
    n1, n2 = sizes
    based_on = f"groups of {n1} and {n2}"
    variance_formula = "var(d) = (n1 + n2)/(n1 n2) + d^2/(2 (n1 + n2))"
    if measure == "d":
        j = hedges_j(n1 + n2 - 2)
        return Conversion("SMD", j * value, j * math.sqrt(d_variance(value, n1, n2)),
                          f"g = J d, J = 1 - 3/(4 df - 1) = {j:.4f}; {variance_formula}; var(g) = J^2 var(d)",
                          based_on, notes)
    if measure == "g":
        j = hedges_j(n1 + n2 - 2)
        return Conversion("SMD", value, j * math.sqrt(d_variance(value / j, n1, n2)),
                          f"d = g / J, J = {j:.4f}; {variance_formula}; var(g) = J^2 var(d)", based_on, notes)
    return Conversion("SMD", value, math.sqrt(d_variance(value, n1, n2)), variance_formula, based_on, notes)


def _ratio(estimate: Estimate) -> Conversion:
    measure, value = estimate.measure, estimate.value
    if value <= 0:
        return flagged(f"a ratio of {value:g} has no logarithm", measure)
    notes = ["adjusted estimate"] if estimate.adjusted else []
    if estimate.ci:
        usable = _ci(estimate)
        if isinstance(usable, str):
            return flagged(usable, measure)
        low, high = usable
        if low <= 0:
            return flagged(f"the CI's lower limit {low:g} has no logarithm", measure)
        z = z_quantile(estimate.ci_level)
        notes += _asymmetry(math.log(value), math.log(low), math.log(high))
        return Conversion(measure, math.log(value), (math.log(high) - math.log(low)) / (2 * z),
                          f"yi = ln({measure}); SE = (ln upper - ln lower) / (2 x {z:.3f})",
                          f"{estimate.ci_level:g}% CI [{low:g}, {high:g}]", notes)
    p_notes, problem = _p_notes(estimate)
    if problem:
        return flagged(problem, measure)
    if value == 1:
        return flagged(f"a {measure} of 1 with only a p-value gives no SE", measure)
    z = z_from_p(estimate.p)  # type: ignore[arg-type]
    return Conversion(measure, math.log(value), abs(math.log(value)) / z,
                      f"yi = ln({measure}); z = {z:.3f} for two-sided p; SE = |yi| / z",
                      f"p {estimate.p_operator or '='} {estimate.p:g}", notes + p_notes)


def _difference(estimate: Estimate) -> Conversion:
    measure, value = estimate.measure, estimate.value
    notes = ["adjusted estimate"] if estimate.adjusted else []
    sizes = estimate.group_sizes
    if estimate.ci:
        usable = _ci(estimate)
        if isinstance(usable, str):
            return flagged(usable, measure)
        low, high = usable
        notes += _asymmetry(value, low, high)
        if measure == "MD" and sizes and sum(sizes) < 60:
            df = sum(sizes) - 2
            critical = t_quantile(estimate.ci_level, df)
            label, notes = f"t({df})", notes + ["small groups: the CI taken as computed from the t distribution"]
        else:
            critical, label = z_quantile(estimate.ci_level), "z"
        return Conversion(measure, value, (high - low) / (2 * critical),
                          f"SE = (upper - lower) / (2 x {critical:.3f}) [{label}]",
                          f"{estimate.ci_level:g}% CI [{low:g}, {high:g}]", notes)
    if measure == "RD":
        return flagged("a risk difference without a CI", measure)
    p_notes, problem = _p_notes(estimate)
    if problem:
        return flagged(problem, measure)
    df = estimate.df[-1] if estimate.df else (sum(sizes) - 2 if sizes else None)
    if df is None:
        return flagged("a p-value without degrees of freedom or group sizes", measure)
    if value == 0:
        return flagged("a difference of 0 with only a p-value gives no SE", measure)
    t = t_from_p(estimate.p, df)  # type: ignore[arg-type]
    return Conversion(measure, value, abs(value) / t, f"t = {t:.3f} for two-sided p with {df:g} df; SE = |MD| / t",
                      f"p {estimate.p_operator or '='} {estimate.p:g}, df {df:g}", notes + p_notes)


def _two_groups(estimate: Estimate) -> str | None:
    """Why a test statistic cannot be read as a two-group comparison, or None when it can."""
    if estimate.design not in TWO_GROUP_DESIGNS:
        return (f"a {estimate.measure} from a {estimate.design or 'unknown'} design may be paired, one-sample "
                "or correlational; not converted to d")
    return None


def _from_test(estimate: Estimate) -> Conversion:
    measure, value = estimate.measure, estimate.value
    problem = _two_groups(estimate)
    if problem:
        return flagged(problem, "SMD")
    if measure == "F":
        if len(estimate.df) != 2 or estimate.df[0] != 1:
            return flagged("an F with more than one numerator df compares more than two groups", "SMD")
        if value < 0:
            return flagged(f"F = {value:g} is negative", "SMD")
        t, df = math.sqrt(value), estimate.df[1]
    else:
        if not estimate.df:
            return flagged("a t without degrees of freedom", "SMD")
        t, df = value, estimate.df[0]
    notes = [f"{measure} taken as an independent two-group comparison ({estimate.design})"]
    sizes = estimate.group_sizes
    if sizes and sum(sizes) - 2 != df:
        notes.append(f"group sizes {sizes[0]} + {sizes[1]} do not match df {df:g}; df used")
        sizes = None
    if sizes:
        n1, n2 = sizes
        d, formula = t * math.sqrt(1 / n1 + 1 / n2), "d = t sqrt(1/n1 + 1/n2)"
    else:
        n1 = n2 = (df + 2) / 2
        d, formula = 2 * t / math.sqrt(df), "d = 2 t / sqrt(df)"
        notes.append("equal group sizes assumed (n1 = n2 = (df + 2)/2)")
    j = hedges_j(n1 + n2 - 2)
    conversion = Conversion("SMD", j * d, j * math.sqrt(d_variance(d, n1, n2)),  # type: ignore[arg-type]
                            f"{'t = sqrt(F); ' if measure == 'F' else ''}{formula}; g = J d, J = {j:.4f}; "
                            "var(d) = (n1 + n2)/(n1 n2) + d^2/(2 (n1 + n2))",
                            f"{measure}({', '.join(f'{x:g}' for x in estimate.df)}) = {value:g}", notes)
    if measure == "F":
        conversion.flag = "F has no sign: set the direction of the effect before pooling"
    return conversion


def _r_to_d(estimate: Estimate) -> Conversion:
    problem = _two_groups(estimate)
    if problem:
        return flagged(problem, "SMD")
    r = estimate.value
    n = _correlation_n(estimate)
    if n is None or abs(r) >= 1:
        return flagged("r without its sample size or degrees of freedom" if n is None else f"r = {r:g}", "SMD")
    variance_r = (1 - r**2) ** 2 / (n - 1)
    return Conversion("SMD", 2 * r / math.sqrt(1 - r**2), math.sqrt(4 * variance_r / (1 - r**2) ** 3),
                      "d = 2r / sqrt(1 - r^2); var(d) = 4 var(r)/(1 - r^2)^3; var(r) = (1 - r^2)^2/(n - 1)",
                      f"r = {r:g}, n = {n}",
                      [f"r taken as the point-biserial correlation of group and outcome ({estimate.design})"])


def _correlation_n(estimate: Estimate) -> int | None:
    if estimate.df:
        return int(estimate.df[0]) + 2
    return estimate.n if estimate.n and estimate.n > 3 else None


def _fisher_z(estimate: Estimate) -> Conversion:
    r = estimate.value
    if abs(r) >= 1:
        return flagged(f"r = {r:g} has no Fisher z", "ZCOR")
    if estimate.ci:
        usable = _ci(estimate)
        if isinstance(usable, str):
            return flagged(usable, "ZCOR")
        low, high = usable
        z = z_quantile(estimate.ci_level)
        return Conversion("ZCOR", math.atanh(r), (math.atanh(high) - math.atanh(low)) / (2 * z),
                          f"yi = atanh(r); SE = (atanh upper - atanh lower) / (2 x {z:.3f})",
                          f"{estimate.ci_level:g}% CI [{low:g}, {high:g}]")
    n = _correlation_n(estimate)
    if n is None:
        return flagged("r without a CI, sample size or degrees of freedom", "ZCOR")
    return Conversion("ZCOR", math.atanh(r), 1 / math.sqrt(n - 3), "yi = atanh(r); var = 1/(n - 3)", f"n = {n}")


def _log_or_to_d(log_or: Conversion) -> Conversion:
    if log_or.flag or log_or.yi is None or log_or.sei is None:
        return flagged(log_or.flag or "no log odds ratio", "SMD")
    factor = math.sqrt(3) / math.pi
    return Conversion("SMD", log_or.yi * factor, log_or.sei * factor,
                      f"{log_or.formula}; d = ln(OR) sqrt(3)/pi; var(d) = var(ln OR) 3/pi^2", log_or.based_on,
                      log_or.assumptions + ["logistic distribution of the underlying outcome (Chinn 2000)"])


def _d_to_log_or(smd: Conversion) -> Conversion:
    if smd.flag or smd.yi is None or smd.sei is None:
        return flagged(smd.flag or "no SMD", "OR")
    factor = math.pi / math.sqrt(3)
    return Conversion("OR", smd.yi * factor, smd.sei * factor,
                      f"{smd.formula}; ln(OR) = d pi/sqrt(3); var(ln OR) = var(d) pi^2/3", smd.based_on,
                      smd.assumptions + ["logistic distribution of the underlying outcome (Chinn 2000)"])
