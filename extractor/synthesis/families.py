"""Design families and measure kinds: what a synthesis keeps apart unless told to mix.

Randomised trials, non-randomised studies, observational studies and reviews answer different
questions with different biases (Cochrane Handbook ch. 24), so by default each is pooled only with
its own kind. Measures come in kinds too (a ratio of two risks, a difference on a continuous scale,
a correlation); putting one kind on another's scale (an odds ratio as a standardised mean
difference, Chinn 2000) rests on assumptions, so such an estimate is pooled only when mixing is asked for.
"""

from __future__ import annotations

FAMILIES = {
    "rct": "randomised", "cluster_rct": "randomised",
    "non_randomised_trial": "non_randomised",
    "cohort": "observational", "case_control": "observational", "cross_sectional": "observational",
    "systematic_review": "review", "meta_analysis": "review", "umbrella_review": "review",
}  # fmt: skip
FAMILY_ORDER = ("randomised", "non_randomised", "observational", "review", "other", "unknown")
FAMILY_NAMES = {
    "randomised": "randomised trials", "non_randomised": "non-randomised studies",
    "observational": "observational studies", "review": "reviews", "other": "studies of other designs",
    "unknown": "studies of unknown design",
}  # fmt: skip
MEASURE_KINDS = {
    **dict.fromkeys(("OR", "RR", "HR", "RD"), "ratio or risk"),
    **dict.fromkeys(("d", "g", "SMD", "ES", "MD", "t", "F"), "continuous"),
    "r": "correlation",
}
SCALE_KINDS = {"SMD": "continuous", "MD": "continuous", "OR": "ratio or risk", "RR": "ratio or risk",
               "HR": "ratio or risk", "RD": "ratio or risk", "ZCOR": "correlation"}


def design_family(design: str | None) -> str:
    """The family of a design label (``cross_sectional`` -> ``observational``); ``unknown`` when there is none."""
    if not design:
        return "unknown"
    return FAMILIES.get(design, "other")


def crosses_kinds(measure: str, scale: str | None) -> bool:
    """Whether putting ``measure`` on ``scale`` converts one kind of measure into another (OR -> SMD)."""
    kind = MEASURE_KINDS.get(measure)
    return bool(kind and scale and SCALE_KINDS.get(scale) and kind != SCALE_KINDS[scale])
