"""The labels every layer shares, defined once: designs, review designs, effect measures.

Corrections, the review app, annotations, CLI choices, the models and the exports all read
these; a label added here is known everywhere.
"""

from __future__ import annotations

DESIGNS = (
    "rct", "cluster_rct", "non_randomised_trial", "cohort", "case_control", "cross_sectional", "qualitative",
    "mixed_methods", "systematic_review", "meta_analysis", "umbrella_review", "case_report", "protocol", "other",
)  # fmt: skip
# In the order the design rules break ties between review cues (the broadest first).
REVIEW_DESIGNS = ("umbrella_review", "meta_analysis", "systematic_review")
RANDOMISED_DESIGNS = ("rct", "cluster_rct")
CLUSTER_DESIGNS = ("cluster_rct",)
TWO_GROUP_DESIGNS = ("rct", "cluster_rct", "non_randomised_trial")

MEASURES = (
    "d", "g", "SMD", "ES", "MD", "OR", "RR", "HR", "RD", "r", "beta", "b", "t", "F", "chi2", "z", "eta2", "other",
)  # fmt: skip
RATIO_MEASURES = ("OR", "RR", "HR")
