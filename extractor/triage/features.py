"""Features of a record for ranking: TF-IDF of title and abstract, plus the extracted evidence.

The evidence columns (design wanted or known, log sample size, size meets the minimum,
outcome and population keyword matches) come from the records the extractor stored,
so a paper that states the design and size the review wants rises with the text.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..types import Document, StudyUnit
from .criteria import Criteria, Evidence, Verdict, judge

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix

# TF-IDF settings (word unigrams and bigrams, sublinear term frequency), as ASReview's default uses.
TFIDF_SETTINGS: dict[str, Any] = {"ngram_range": (1, 2), "sublinear_tf": True, "min_df": 1, "max_df": 0.95,
                                  "strip_accents": "unicode"}
EVIDENCE_COLUMNS = ("design_wanted", "design_unwanted", "log_sample_size", "sample_size_meets",
                    "outcome_matches", "population_matches", "fails_hard_criteria")


def record_text(title: str | None, abstract: str | None) -> str:
    """The text a record is ranked on: title and abstract."""
    return f"{title or ''}\n{abstract or ''}".strip()


def evidence_of(document: Document, studies: list[StudyUnit]) -> Evidence:
    """The first study's chosen (or corrected) design, sample size and outcomes, with the record's year and text.

    Only chosen values count: the sample size is the one ``extractor show`` lists, never a
    candidate the extractor passed over."""
    design = sample_size = None
    outcomes: list[str] = []
    if studies:
        for value in studies[0].values:
            if not value.chosen:
                continue
            if value.field == "design" and design is None and value.value != "other":
                design = str(value.value)
            elif value.field == "sample_size" and sample_size is None and isinstance(value.value, dict):
                number = value.value.get("n")
                sample_size = int(number) if isinstance(number, int | float) else None
            elif value.field == "outcome":
                outcomes.append(str(value.value))
    return Evidence(design=design, sample_size=sample_size, year=document.metadata.year,
                    outcomes=tuple(outcomes), text=record_text(document.title, document.abstract))


def evidence_row(criteria: Criteria, evidence: Evidence, verdict: Verdict | None = None) -> list[float]:
    """The evidence columns of one record (EVIDENCE_COLUMNS, in order)."""
    verdict = verdict or judge(criteria, evidence)
    wanted = bool(criteria.designs) and evidence.design in criteria.designs
    unwanted = bool(criteria.designs) and evidence.design is not None and not wanted
    size = evidence.sample_size
    meets = size is not None and criteria.min_sample_size is not None and size >= criteria.min_sample_size
    return [float(wanted), float(unwanted), math.log1p(size) / 10 if size else 0.0, float(meets),
            math.log1p(len(verdict.outcome_matches)), math.log1p(len(verdict.population_matches)),
            float(not verdict.passes)]


def prior_score(row: Sequence[float]) -> float:
    """A ranking before any decision: keyword matches and wanted design count, failures sink."""
    weights = (1.0, -0.5, 0.2, 0.5, 1.0, 1.0, -2.0)
    return sum(weight * value for weight, value in zip(weights, row, strict=True))


def text_matrix(texts: Sequence[str]) -> csr_matrix:
    """TF-IDF of the texts (fitted on all of them: the vocabulary needs no labels)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    settings = dict(TFIDF_SETTINGS)
    if len(texts) < 2:  # one record: every term is in every record, and max_df would leave none
        settings["max_df"] = 1.0
    return TfidfVectorizer(**settings).fit_transform(texts).tocsr()


def feature_matrix(texts: Sequence[str], evidence_rows: Sequence[Sequence[float]] | None = None,
                   evidence_weight: float = 0.3) -> csr_matrix:
    """TF-IDF columns, then the evidence columns scaled by ``evidence_weight`` (when given)."""
    from scipy.sparse import csr_matrix, hstack

    matrix = text_matrix(texts)
    if evidence_rows is None or not len(evidence_rows):
        return matrix
    dense = csr_matrix([[value * evidence_weight for value in row] for row in evidence_rows], dtype="float32")
    return hstack([matrix, dense], format="csr")
