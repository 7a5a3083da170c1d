"""Linear models out of scikit-learn: copy a fitted model into ``extractor.models.linear.LinearModel`` and
write it (``model.json`` and ``weights.npz``, no pickle), the one way the trainers store linear models.

The column order is the blocks in order, then the dense features: training code stacks its matrices
the same way (``sklearn_matrix`` does), so prediction with numpy alone reproduces scikit-learn's.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..models.linear import FORMAT, FORMAT_VERSION, MODEL_FILE, WEIGHTS_FILE, LinearModel, TextBlock


class UnsupportedEstimator(Exception):
    """A fitted scikit-learn object uses an option this module cannot reproduce."""


def text_block(name: str, vectorizer: Any) -> TextBlock:
    """A block from a fitted ``TfidfVectorizer`` (or ``CountVectorizer``: no idf, no norm)."""
    _check_vectorizer(name, vectorizer)
    vocabulary: dict[str, int] = vectorizer.vocabulary_
    terms = [""] * len(vocabulary)
    for term, column in vocabulary.items():
        terms[column] = term
    is_tfidf = hasattr(vectorizer, "idf_") or hasattr(vectorizer, "use_idf")
    idf = np.asarray(vectorizer.idf_, dtype=np.float64) if is_tfidf and vectorizer.use_idf else None
    return TextBlock(
        name=name,
        terms=terms,
        idf=idf,
        token_pattern=vectorizer.token_pattern,
        lowercase=bool(vectorizer.lowercase),
        ngram_range=tuple(vectorizer.ngram_range),
        sublinear_tf=bool(getattr(vectorizer, "sublinear_tf", False)),
        binary=bool(vectorizer.binary),
        norm=getattr(vectorizer, "norm", None) if is_tfidf else None,
    )


def from_sklearn(
    classifier: Any,
    vectorizers: Sequence[tuple[str, Any]],
    dense_features: Sequence[str] = (),
    metadata: dict[str, Any] | None = None,
) -> LinearModel:
    """A model from a fitted ``LogisticRegression`` and the named vectorizers that made its input."""
    _check_classifier(classifier)
    return LinearModel(
        classes=[_plain(label) for label in classifier.classes_],
        blocks=[text_block(name, vectorizer) for name, vectorizer in vectorizers],
        dense_features=list(dense_features),
        coef=classifier.coef_,
        intercept=classifier.intercept_,
        metadata=dict(metadata or {}),
    )


def block_settings(block: TextBlock) -> dict[str, Any]:
    """What ``model.json`` holds of a block (its idf goes to ``weights.npz``)."""
    return {
        "name": block.name,
        "token_pattern": block.token_pattern,
        "lowercase": block.lowercase,
        "ngram_range": list(block.ngram_range),
        "sublinear_tf": block.sublinear_tf,
        "binary": block.binary,
        "norm": block.norm,
        "use_idf": block.idf is not None,
        "terms": block.terms,
    }


def save(model: LinearModel, folder: Path, dtype: str = "float32") -> None:
    """Write ``model.json`` and ``weights.npz`` into ``folder`` (created if missing); ``LinearModel.load``
    reads them."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    settings = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "classes": model.classes,
        "dense_features": model.dense_features,
        "blocks": [block_settings(block) for block in model.blocks],
        "metadata": model.metadata,
    }
    (folder / MODEL_FILE).write_text(json.dumps(settings, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    arrays = {"coef": model.coef.astype(dtype), "intercept": model.intercept.astype(dtype)}
    for number, block in enumerate(model.blocks):
        if block.idf is not None:
            arrays[f"idf_{number}"] = block.idf.astype(dtype)
    np.savez_compressed(folder / WEIGHTS_FILE, **arrays)


def sklearn_matrix(
    vectorizers: Sequence[tuple[str, Any]], texts: Mapping[str, Sequence[str]], dense: np.ndarray | None = None
) -> Any:
    """The scipy sparse matrix scikit-learn sees, in ``LinearModel``'s column order."""
    from scipy import sparse

    parts = [vectorizer.transform(texts[name]) for name, vectorizer in vectorizers]
    if dense is not None and np.asarray(dense).size:
        parts.append(sparse.csr_matrix(np.asarray(dense, dtype=np.float64)))
    return sparse.hstack(parts, format="csr")


def _check_vectorizer(name: str, vectorizer: Any) -> None:
    problems = []
    if getattr(vectorizer, "analyzer", "word") != "word":
        problems.append(f"analyzer={vectorizer.analyzer!r}")
    for option in ("preprocessor", "tokenizer", "stop_words", "strip_accents"):
        if getattr(vectorizer, option, None) is not None:
            problems.append(f"{option} set")
    if getattr(vectorizer, "token_pattern", None) is None:
        problems.append("no token_pattern")
    elif re.compile(vectorizer.token_pattern).groups > 1:
        problems.append("token_pattern with more than one group")
    if problems:
        raise UnsupportedEstimator(f"vectorizer {name!r}: {', '.join(problems)} cannot be stored")


def _check_classifier(classifier: Any) -> None:
    if type(classifier).__name__ != "LogisticRegression":
        raise UnsupportedEstimator(f"only LogisticRegression is stored, not {type(classifier).__name__}")
    if len(classifier.classes_) > 2 and getattr(classifier, "multi_class", "auto") == "ovr":
        raise UnsupportedEstimator("one-vs-rest LogisticRegression is not stored; use the multinomial default")
    if len(classifier.classes_) > 2 and getattr(classifier, "solver", "lbfgs") == "liblinear":
        raise UnsupportedEstimator("liblinear fits one-vs-rest; use lbfgs, saga or newton-cg")


def _plain(label: Any) -> Any:
    """A class label as JSON can hold it (numpy scalars become Python ones)."""
    return label.item() if isinstance(label, np.generic) else label
