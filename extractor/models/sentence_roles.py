"""Sentence roles (background, objective, methods, results, conclusions) for abstracts without headings.

A sentence is described by its words and word pairs (TF-IDF), the words of the sentences before and
after it, and where it stands in the abstract; a multinomial logistic regression weighs them. The
model is stored by ``extractor.models.linear`` (JSON and npz) and predicts with numpy alone.

``load``, ``predict_roles`` and ``assign_roles`` use the committed model in ``models/sentence_roles/``;
``extractor.training.sentence_roles`` rebuilds it from the structured abstracts of evidence-inference
(``extractor train sentence_roles``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from ..textlayer import TextLayer
from .linear import LinearModel, load_once
from .paths import model_dir

NAME = "sentence_roles"
VERSION = 1
ROLES = ("background", "objective", "methods", "results", "conclusions")
DEFAULT_PATH = model_dir(NAME)
POSITION_BUCKETS = 5
DENSE_FEATURES = (
    "position",
    *(f"position_bucket_{number}" for number in range(POSITION_BUCKETS)),
    "first",
    "second",
    "last",
    "second_last",
)


# ------------------------------------------------------------------ features


def _normalise(sentence: str) -> str:
    # Numbers stand for their kind, not their value: "p = 0.03" and "p = 0.41" share terms.
    return re.sub(r"\d+", "0", sentence)


def position_features(index: int, count: int) -> list[float]:
    """Dense features of the sentence at ``index`` of an abstract of ``count`` sentences."""
    relative = index / (count - 1) if count > 1 else 0.0
    bucket = min(int(relative * POSITION_BUCKETS), POSITION_BUCKETS - 1)
    buckets = [1.0 if number == bucket else 0.0 for number in range(POSITION_BUCKETS)]
    return [
        relative,
        *buckets,
        float(index == 0),
        float(index == 1),
        float(index == count - 1),
        float(count > 1 and index == count - 2),
    ]


def _inputs(
    sentences: Sequence[str], previous: Sequence[str], following: Sequence[str], positions: Sequence[tuple[int, int]]
) -> tuple[dict[str, list[str]], np.ndarray]:
    texts = {
        "sentence": [_normalise(s) for s in sentences],
        "previous": [_normalise(s) for s in previous],
        "next": [_normalise(s) for s in following],
    }
    dense = np.array([position_features(index, count) for index, count in positions], dtype=np.float64)
    return texts, dense.reshape(len(sentences), len(DENSE_FEATURES))


def sentence_inputs(
    sentences: Sequence[str], positions: Sequence[tuple[int, int]] | None = None
) -> tuple[dict[str, list[str]], np.ndarray]:
    """Model inputs of consecutive sentences of one abstract (neighbours are taken from the list)."""
    count = len(sentences)
    if positions is None:
        positions = [(index, count) for index in range(count)]
    elif len(positions) != count:
        raise ValueError(f"{len(positions)} positions for {count} sentences")
    previous = ["", *sentences[:-1]] if count else []
    following = [*sentences[1:], ""] if count else []
    return _inputs(sentences, previous, following, positions)


# ------------------------------------------------------------------ prediction


def load(path: Path | None = None) -> LinearModel:
    """The sentence-role model in ``path`` (default: the committed ``models/sentence_roles/``), read once."""
    return load_once(path or DEFAULT_PATH)


def predict_roles(
    sentences: Sequence[str],
    positions: Sequence[tuple[int, int]] | None = None,
    model: LinearModel | None = None,
) -> list[tuple[str, float]]:
    """The role of each sentence and its probability.

    ``sentences`` are consecutive sentences of one abstract (each one's neighbours in the list are
    its context). ``positions`` gives each sentence's ``(index, count)`` in its abstract; by default
    the list is the whole abstract.
    """
    if not sentences:
        return []
    texts, dense = sentence_inputs(list(sentences), positions)
    model = model or load()
    probabilities = model.predict_proba(texts, dense)
    best = probabilities.argmax(axis=1)
    return [(model.classes[k], float(probabilities[row, k])) for row, k in enumerate(best)]


def assign_roles(layer: TextLayer, start: int, end: int, min_probability: float,
                 model: LinearModel | None = None) -> TextLayer:
    """The layer with predicted roles given to the sentences of ``[start, end)`` when none has a heading.

    A sentence keeps no role when the model's probability is below ``min_probability``; sentences
    outside the range (a title, say) are left as they are. Roles from headings are never replaced.
    """
    inside = [index for index, s in enumerate(layer.sentences) if s.start >= start and s.end <= end]
    if len(inside) < 2 or any(layer.sentences[index].section for index in inside):
        return layer
    texts = [layer.text[layer.sentences[index].start:layer.sentences[index].end] for index in inside]
    sentences = list(layer.sentences)
    for index, (role, probability) in zip(inside, predict_roles(texts, model=model), strict=True):
        if probability >= min_probability:
            sentences[index] = replace(sentences[index], section=role, role_probability=round(probability, 3))
    return TextLayer(text=layer.text, sentences=sentences)
