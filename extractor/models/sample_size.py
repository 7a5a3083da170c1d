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
import weakref
from collections.abc import Sequence
from functools import cache
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
    return load_once(path) if path is not None else _committed()


@cache
def _committed() -> LinearModel:
    return load_once(DEFAULT_PATH)  # extraction asks per study unit: no path resolved each time


_TABLES: dict[int, tuple[weakref.ref, list[dict[str, tuple[float, float]]], np.ndarray, float]] = {}


def _tables(model: LinearModel) -> tuple[list[dict[str, tuple[float, float]]], np.ndarray, float]:
    """Per text block, term -> (weight, idf); the dense weights; the intercept (built once per model)."""
    held = _TABLES.get(id(model))
    if held is not None and held[0]() is model:
        return held[1], held[2], held[3]
    tables = []
    offset = 0
    for block in model.blocks:
        weights = model.coef[0, offset : offset + block.size]
        idf = block.idf if block.idf is not None else np.ones(block.size)
        tables.append({term: (float(weights[i]), float(idf[i])) for i, term in enumerate(block.terms)})
        offset += block.size
    dense = np.array(model.coef[0, offset:], dtype=np.float64)
    _TABLES[id(model)] = (weakref.ref(model), tables, dense, float(model.intercept[0]))
    return tables, dense, float(model.intercept[0])


def headline_probabilities(model: LinearModel, texts: dict[str, list[str]], dense: np.ndarray) -> list[float]:
    """``model.predict_proba(texts, dense)[:, 1]`` for the few candidates of one study, in plain Python: the
    same TF-IDF terms, norms and weights without numpy's per-call cost on tiny inputs."""
    if len(model.classes) != 2:
        return [float(p) for p in model.predict_proba(texts, dense)[:, 1]]
    tables, dense_weights, intercept = _tables(model)
    count = len(dense)
    scores = [intercept + float(row @ dense_weights) for row in dense] if len(dense_weights) else [intercept] * count
    for block, table in zip(model.blocks, tables, strict=True):
        for row, text in enumerate(texts[block.name]):
            found: dict[str, int] = {}
            for term in block.analyse(text):
                if term in table:
                    found[term] = found.get(term, 0) + 1
            if not found:
                continue
            values = {}
            for term, times in found.items():
                tf = 1.0 if block.binary else (math.log(times) + 1.0 if block.sublinear_tf else float(times))
                values[term] = tf * table[term][1]
            if block.norm == "l2":
                total = math.sqrt(sum(v * v for v in values.values()))
            elif block.norm == "l1":
                total = sum(abs(v) for v in values.values())
            else:
                total = 1.0
            scores[row] += sum(table[term][0] * value / total for term, value in values.items())
    return [1.0 / (1.0 + math.exp(-score)) for score in scores]


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
    # cases plus controls is the sample of a case-control study only (FORMAT.md); the ranker never learnt
    # such sums, so it is not offered them for another design
    # nor the parent study's counts of a secondary analysis or follow-up, which the rules mark only when the
    # report gives a count of its own (``extract.sample_size.parent``)
    candidates = [c for c in candidates if c.field == "sample_size" and c.role is not None
                  and (design == "case_control" or not c.attributes.get("cases_and_controls"))
                  and not c.attributes.get("parent_study")]
    # one group's count is never the headline where the rules add the groups up (FORMAT.md: when only the arm or
    # group sizes are given, n is their sum); EBM-NLP's gold, the first span, taught the ranker otherwise
    sums = [(c.start, c.end) for c in candidates if c.attributes.get("sum_of_arms") and c.start is not None
            and c.end is not None]
    candidates = [c for c in candidates if "arm" not in c.attributes or c.start is None
                  or not any(start <= c.start < end for start, end in sums)]
    if not candidates:
        return []
    model = model or load()
    texts, dense = candidate_inputs(candidates, layer, design)
    probabilities = headline_probabilities(model, texts, dense)
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
