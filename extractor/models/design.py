"""Study design (the FORMAT.md labels) from the words of a title and abstract, with a probability.

``load`` and ``predict_design`` use the committed model in ``models/design/`` (a multinomial logistic
regression over TF-IDF of words and word pairs, stored by ``extractor.models.linear``). It was trained on
weak labels with the deciding phrase masked (``extractor.training.design`` rebuilds it and describes the
data; ``extractor train design``).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from ..extract.vocabulary import DESIGNS, RANDOMISED_DESIGNS, REVIEW_DESIGNS
from .linear import LinearModel, load_once
from .paths import model_dir

NAME = "design"
VERSION = 2
LABELS = DESIGNS  # the model's classes are the design vocabulary, in its order
RANDOMISED = RANDOMISED_DESIGNS
DEFAULT_PATH = model_dir(NAME)


def normalise(text: str) -> str:
    """The model's view of a text: numbers stand for their kind, not their value."""
    return re.sub(r"\d+", "0", text)


def record_text(title: str | None, abstract: str | None) -> str:
    """Title and abstract as one input, the way ``predict_design`` expects them."""
    return "\n\n".join(part.strip() for part in (title, abstract) if part and part.strip())


# ------------------------------------------------------------------ prediction


def load(path: Path | None = None) -> LinearModel:
    """The design model in ``path`` (default: the committed ``models/design/``), read once."""
    return load_once(path or DEFAULT_PATH)


def predict_design(text: str, model: LinearModel | None = None) -> list[tuple[str, float]]:
    """Every design label the model knows with its calibrated probability, most probable first.

    ``text`` is a title and abstract (``record_text``), or any passage that describes one study.
    """
    model = model or load()
    probabilities = model.predict_proba([normalise(text)])[0]
    order = np.argsort(-probabilities, kind="mergesort")
    return [(model.classes[k], float(probabilities[k])) for k in order]


def primary_designs(ranked: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """``ranked`` (``predict_design``'s answer) without the review labels, probabilities unchanged.

    Extraction takes these when the rules found no review cue: a review states itself. On the public
    records (design corpus, MEDLINE exports, PubMedQA, screening titles; dev, test and the held-out MEDLINE
    set) no review lacked a review cue of the rules, and each review label the model gave a text without
    one was wrong (9 records), drawn by words such as "effects", "studies" and "analyses".
    """
    return [(label, probability) for label, probability in ranked if label not in REVIEW_DESIGNS]
