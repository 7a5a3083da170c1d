"""Sample-size ranker: which of the rule candidates is the headline size of an abstract.

The rules (``extractor.extract.sample_size.rules``) find every count of participants with a role, unit,
confidence and how it was read; ``choose_sample_size`` then picks the headline by fixed tiers. This
model scores each candidate instead: a binary logistic regression over the candidate's role, unit
kind, rule source, attributes, section role, position, whether it is the largest or first count of
its role, whether the rules chose it, its magnitude, and the words on either side of it. The
top-scoring candidate is the headline; below a threshold tuned on dev the model abstains. Stored by
``extractor.models.linear`` (JSON and npz) and run with numpy alone.

``rank_sample_sizes`` and ``choose_with_model`` use the committed model in ``models/sample_size/``;
``extractor.training.sample_size`` rebuilds it (``extractor train sample_size``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..extract.sample_size.rules import choose_sample_size
from ..extract.vocabulary import CLUSTER_DESIGNS, REVIEW_DESIGNS
from ..textlayer import TextLayer
from ..types import ExtractedValue
from .linear import LinearModel, load_once
from .paths import model_dir

NAME = "sample_size"
VERSION = 2  # 2: the design's group among the features, calibrated chance
DEFAULT_PATH = model_dir(NAME)
WINDOW = 4  # words taken on each side of the count
MAGNITUDES = (10, 20, 50, 100, 200, 500, 1000, 5000, 50000)
DENSE_FEATURES = (
    "confidence",
    "position",
    "sentence_position",
    "largest_of_role",
    "first_of_role",
    "largest_overall",
    "rule_choice",
    "same_n_as_rule_choice",
    "log_n",
    "candidates_with_same_n",
)
_WORD = re.compile(r"[A-Za-z]+|\d+|[=()/%;:,]")
# the headline conventions of FORMAT.md differ by design: reviews count included studies, cluster trials
# count individuals (else clusters), protocols their target; the ranker sees the design's group
OBSERVATIONAL = ("cohort", "case_control", "cross_sectional", "case_report")
QUALITATIVE = ("qualitative", "mixed_methods")


def design_group(design: str | None) -> str:
    """The group of a design whose headline convention is shared: review, cluster, protocol, qualitative, ..."""
    if design in REVIEW_DESIGNS:
        return "review"
    if design in CLUSTER_DESIGNS:
        return "cluster"
    if design == "protocol":
        return "protocol"
    if design in QUALITATIVE:
        return "qualitative"
    if design in OBSERVATIONAL:
        return "observational"
    if design in (None, "other"):
        return "unknown"
    return "trial"


# ------------------------------------------------------------------ features


def _magnitude(n: int) -> str:
    for bucket, limit in enumerate(MAGNITUDES):
        if n < limit:
            return f"mag{bucket}"
    return f"mag{len(MAGNITUDES)}"


def _fold(word: str) -> str:
    return "0" if word.isdigit() else word.lower()


def _attribute_tokens(attributes: dict[str, Any]) -> list[str]:
    tokens = []
    for key, value in sorted(attributes.items()):
        if key in ("n", "phrase", "contains", "within"):
            tokens.append(f"has_{key}")
        elif isinstance(value, bool) or value is None:
            tokens.append(f"{key}={bool(value)}")
        elif isinstance(value, str) and len(value) <= 20 and " " not in value:
            tokens.append(f"{key}={value.lower()}")
        else:
            tokens.append(f"has_{key}")
    return tokens


def candidate_inputs(
    candidates: Sequence[ExtractedValue], layer: TextLayer, design: str | None = None
) -> tuple[dict[str, list[str]], np.ndarray]:
    """Model inputs of the candidates of one abstract: category tokens, words before and after, dense features.
    ``design`` is the study's chosen design (None when unknown); the rules' choice is made with it."""
    text = layer.text
    rule_choice = choose_sample_size(list(candidates), design)
    group = design_group(design)
    length = max(len(text), 1)
    largest_of_role: dict[str | None, int] = {}
    first_of_role: dict[str | None, int] = {}
    for c in candidates:
        largest_of_role[c.role] = max(largest_of_role.get(c.role, 0), c.value["n"])
        if c.role not in first_of_role or (c.start or 0) < first_of_role[c.role]:
            first_of_role[c.role] = c.start or 0
    largest = max((c.value["n"] for c in candidates), default=0)
    same_n: dict[int, int] = {}
    for c in candidates:
        same_n[c.value["n"]] = same_n.get(c.value["n"], 0) + 1
    sentences = layer.sentences
    categories, before, after, dense = [], [], [], []
    for c in candidates:
        start, end = c.start or 0, c.end or 0
        sentence = layer.sentence_at(start)
        index = sentences.index(sentence) if sentence is not None else 0
        attributes = c.attributes
        tokens = [
            f"role={c.role}",
            f"kind={attributes.get('kind')}",
            f"form={attributes.get('form')}",
            f"cue={attributes.get('cue')}",
            f"unit_from={attributes.get('unit_from')}",
            f"source={c.source.split(':')[-1]}",
            f"section={sentence.section if sentence is not None else None}",
            f"sum_of_arms={bool(attributes.get('sum_of_arms'))}",
            _magnitude(c.value["n"]),
            f"role_mag={c.role}_{_magnitude(c.value['n'])}",
            f"unit={c.value.get('unit', '').lower().replace(' ', '_')}",
            *_attribute_tokens({k: v for k, v in attributes.items()
                                if k not in ("kind", "form", "cue", "unit_from", "sum_of_arms")}),
        ]  # fmt: skip
        if c is rule_choice:
            tokens.append(f"rule_choice_role={c.role}")
        kind = attributes.get("kind")
        tokens += [f"design={group}", f"design_role={group}_{c.role}", f"design_kind={group}_{kind}",
                   f"design_planned={group}_{bool(attributes.get('planned'))}",
                   f"design_rule_choice={group}_{c is rule_choice}"]
        categories.append(" ".join(tokens))
        before.append(" ".join(_fold(w) for w in _WORD.findall(text[max(0, start - 80) : start])[-WINDOW:]))
        after.append(" ".join(_fold(w) for w in _WORD.findall(text[end : end + 80])[:WINDOW]))
        n = c.value["n"]
        dense.append([
            c.confidence,
            start / length,
            index / max(len(sentences) - 1, 1),
            float(n == largest_of_role[c.role]),
            float(start == first_of_role[c.role]),
            float(n == largest),
            float(c is rule_choice),
            float(rule_choice is not None and n == rule_choice.value["n"]),
            math.log10(max(n, 1)) / 4,
            min(same_n[n], 5) / 5,
        ])  # fmt: skip
    texts = {"category": categories, "before": before, "after": after}
    return texts, np.array(dense, dtype=np.float64).reshape(len(candidates), len(DENSE_FEATURES))


# ------------------------------------------------------------------ prediction


def load(path: Path | None = None) -> LinearModel:
    """The sample-size ranker in ``path`` (default: the committed ``models/sample_size/``), read once."""
    return load_once(path or DEFAULT_PATH)


def calibrated(probability: float, calibration: Sequence[float] | None) -> float:
    """The top score as a calibrated chance that the pick is right: ``1 / (1 + exp(-(a * logit(p) + b)))``
    with ``calibration = (a, b)`` fitted on held-out abstracts (Platt scaling); ``p`` itself when None."""
    if not calibration:
        return probability
    p = min(max(probability, 1e-6), 1 - 1e-6)
    a, b = calibration
    return 1.0 / (1.0 + math.exp(-(a * math.log(p / (1 - p)) + b)))


def rank_sample_sizes(
    candidates: Sequence[ExtractedValue], layer: TextLayer, model: LinearModel | None = None,
    design: str | None = None,
) -> list[tuple[ExtractedValue, float]]:
    """The candidates with a role, each with the probability that it is the headline size, most probable first."""
    candidates = [c for c in candidates if c.field == "sample_size" and c.role is not None]
    if not candidates:
        return []
    model = model or load()
    texts, dense = candidate_inputs(candidates, layer, design)
    probabilities = model.predict_proba(texts, dense)[:, 1]
    order = sorted(range(len(candidates)), key=lambda i: (-probabilities[i], candidates[i].start or 0))
    return [(candidates[i], float(probabilities[i])) for i in order]


def choose_with_model(
    candidates: Sequence[ExtractedValue],
    layer: TextLayer,
    model: LinearModel | None = None,
    threshold: float | None = None,
    design: str | None = None,
) -> tuple[ExtractedValue | None, float]:
    """The top-ranked candidate and the calibrated chance that it is right, or ``(None, chance)`` when the
    model abstains (chance under ``threshold``; by default the one tuned on dev and stored with the model)."""
    model = model or load()
    ranked = rank_sample_sizes(candidates, layer, model, design)
    if not ranked:
        return None, 0.0
    candidate, score = ranked[0]
    probability = calibrated(score, model.metadata.get("calibration"))
    limit = float(model.metadata.get("threshold", 0.5)) if threshold is None else threshold
    return (candidate if probability >= limit else None), probability
