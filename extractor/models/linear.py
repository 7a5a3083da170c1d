"""Linear text classifiers stored in safe formats and run with numpy alone.

A model is one or more TF-IDF blocks (each a fitted scikit-learn ``TfidfVectorizer``
over one text input, e.g. the sentence and its neighbour) followed by dense numeric
features, and a linear layer over all their columns (a fitted ``LogisticRegression``).
It is stored as ``model.json`` (settings, vocabularies, class labels) and
``weights.npz`` (idf, coefficients, intercepts; no pickle); ``load`` reads it back and
``predict_proba`` reproduces scikit-learn's probabilities without importing it.
Copying a fitted model out of scikit-learn and writing the files is training's
(``extractor.training.linear``).

The column order is the blocks in order, then the dense features.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

FORMAT = "extractor.linear"
FORMAT_VERSION = 1
MODEL_FILE = "model.json"
WEIGHTS_FILE = "weights.npz"

TextInputs = Mapping[str, Sequence[str]] | Sequence[str]


class ModelFormatError(Exception):
    """A stored model is missing, of another format, or inconsistent."""


@dataclass
class TextBlock:
    """One TF-IDF feature block: how to tokenise a text and weigh its terms."""

    name: str
    terms: list[str]  # column order
    idf: np.ndarray | None
    token_pattern: str
    lowercase: bool = True
    ngram_range: tuple[int, int] = (1, 1)
    sublinear_tf: bool = False
    binary: bool = False
    norm: str | None = "l2"
    _index: dict[str, int] = field(default_factory=dict, repr=False)
    _pattern: re.Pattern[str] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self._index = {term: column for column, term in enumerate(self.terms)}
        self._pattern = re.compile(self.token_pattern)
        if self.norm not in ("l1", "l2", None):
            raise ModelFormatError(f"block {self.name!r}: unknown norm {self.norm!r}")
        if self.idf is not None and len(self.idf) != len(self.terms):
            raise ModelFormatError(f"block {self.name!r}: {len(self.idf)} idf values for {len(self.terms)} terms")

    @property
    def size(self) -> int:
        return len(self.terms)

    def analyse(self, text: str) -> list[str]:
        """The terms of a text, as scikit-learn's word analyser makes them."""
        assert self._pattern is not None
        if self.lowercase:
            text = text.lower()
        tokens = self._pattern.findall(text)
        low, high = self.ngram_range
        if high == 1:
            return tokens
        terms = list(tokens) if low == 1 else []
        for n in range(max(low, 2), min(high, len(tokens)) + 1):
            terms.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
        return terms

    def transform(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Row, column and TF-IDF value of each known term of each text (a sparse matrix as triples)."""
        rows: list[int] = []
        columns: list[int] = []
        index = self._index
        for number, text in enumerate(texts):
            found = [column for term in self.analyse(text) if (column := index.get(term)) is not None]
            columns.extend(found)
            rows.extend([number] * len(found))
        if not columns:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64)
        keys, counts = np.unique(np.array(rows, dtype=np.int64) * self.size + np.array(columns), return_counts=True)
        row_ids, column_ids = np.divmod(keys, self.size)
        values = counts.astype(np.float64)
        if self.binary:
            values[:] = 1.0
        elif self.sublinear_tf:
            values = np.log(values) + 1.0
        if self.idf is not None:
            values = values * self.idf[column_ids]
        if self.norm is not None:
            sizes = values * values if self.norm == "l2" else np.abs(values)
            totals = np.bincount(row_ids, weights=sizes, minlength=len(texts))
            if self.norm == "l2":
                totals = np.sqrt(totals)
            values = values / totals[row_ids]
        return row_ids, column_ids, values

@dataclass
class LinearModel:
    """Text blocks, dense features and a linear layer that gives class probabilities."""

    classes: list[str]
    blocks: list[TextBlock]
    dense_features: list[str]
    coef: np.ndarray  # (n_classes, n_columns), or (1, n_columns) for two classes
    intercept: np.ndarray  # (n_classes,) or (1,)
    metadata: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.coef = np.atleast_2d(np.asarray(self.coef, dtype=np.float64))
        self.intercept = np.atleast_1d(np.asarray(self.intercept, dtype=np.float64))
        columns = sum(block.size for block in self.blocks) + len(self.dense_features)
        rows = 1 if len(self.classes) == 2 else len(self.classes)
        if self.coef.shape != (rows, columns) or self.intercept.shape != (rows,):
            raise ModelFormatError(
                f"weights of shape {self.coef.shape} and {self.intercept.shape} do not fit "
                f"{len(self.classes)} classes and {columns} columns"
            )
        # Each block's slice of the weights, transposed so a row of it is one column's weights.
        self._block_weights: list[np.ndarray] = []
        offset = 0
        for block in self.blocks:
            self._block_weights.append(np.ascontiguousarray(self.coef[:, offset : offset + block.size].T))
            offset += block.size
        self._dense_weights = np.ascontiguousarray(self.coef[:, offset:].T)

    def _inputs(self, texts: TextInputs) -> tuple[Mapping[str, Sequence[str]], int]:
        if not isinstance(texts, Mapping):
            if len(self.blocks) != 1 or isinstance(texts, str):
                raise TypeError("pass a mapping of block name to texts (or a list of texts for one block)")
            texts = {self.blocks[0].name: texts}
        missing = [block.name for block in self.blocks if block.name not in texts]
        if missing:
            raise KeyError(f"no texts for block(s) {', '.join(missing)}")
        sizes = {len(texts[block.name]) for block in self.blocks}
        if len(sizes) > 1:
            raise ValueError(f"blocks have different numbers of texts: {sorted(sizes)}")
        return texts, sizes.pop() if sizes else 0

    def decision_function(self, texts: TextInputs, dense: np.ndarray | None = None) -> np.ndarray:
        """Linear scores, shape (n, n_classes) or (n,) for two classes, like scikit-learn's."""
        inputs, count = self._inputs(texts)
        if not self.blocks and dense is not None:
            count = len(dense)
        scores = np.tile(self.intercept, (count, 1))
        for block, weights in zip(self.blocks, self._block_weights, strict=True):
            row_ids, columns, values = block.transform(inputs[block.name])
            if not len(row_ids):
                continue
            contributions = weights[columns] * values[:, None]
            for k in range(scores.shape[1]):
                scores[:, k] += np.bincount(row_ids, weights=contributions[:, k], minlength=count)
        if self.dense_features:
            if dense is None:
                raise ValueError(f"this model needs dense features: {', '.join(self.dense_features)}")
            dense = np.asarray(dense, dtype=np.float64).reshape(count, len(self.dense_features))
            scores += dense @ self._dense_weights
        return scores[:, 0] if len(self.classes) == 2 else scores

    def predict_proba(self, texts: TextInputs, dense: np.ndarray | None = None) -> np.ndarray:
        """Class probabilities, shape (n, n_classes), columns in ``classes`` order."""
        scores = self.decision_function(texts, dense)
        if len(self.classes) == 2:
            positive = 1.0 / (1.0 + np.exp(-scores))
            return np.column_stack([1.0 - positive, positive])
        scores = scores - scores.max(axis=1, keepdims=True)
        exponentials = np.exp(scores)
        return exponentials / exponentials.sum(axis=1, keepdims=True)

    def predict(self, texts: TextInputs, dense: np.ndarray | None = None) -> list[str]:
        """The most probable class of each input."""
        return [self.classes[i] for i in self.predict_proba(texts, dense).argmax(axis=1)]

    @classmethod
    def load(cls, folder: Path) -> LinearModel:
        """Read a model that ``save`` wrote (no pickle is ever loaded)."""
        folder = Path(folder)
        model_file, weights_file = folder / MODEL_FILE, folder / WEIGHTS_FILE
        if not model_file.is_file() or not weights_file.is_file():
            raise ModelFormatError(f"{folder} holds no {MODEL_FILE} and {WEIGHTS_FILE}")
        settings = json.loads(model_file.read_text(encoding="utf-8"))
        if settings.get("format") != FORMAT or settings.get("format_version") != FORMAT_VERSION:
            raise ModelFormatError(
                f"{model_file} is format {settings.get('format')!r} version {settings.get('format_version')!r}, "
                f"expected {FORMAT!r} version {FORMAT_VERSION}"
            )
        with np.load(weights_file, allow_pickle=False) as weights:
            arrays = {name: weights[name].astype(np.float64) for name in weights.files}
        blocks = []
        for number, block in enumerate(settings["blocks"]):
            if block["use_idf"] and f"idf_{number}" not in arrays:
                raise ModelFormatError(f"{weights_file} lacks the idf of block {block['name']!r}")
            blocks.append(
                TextBlock(
                    name=block["name"],
                    terms=block["terms"],
                    idf=arrays.get(f"idf_{number}") if block["use_idf"] else None,
                    token_pattern=block["token_pattern"],
                    lowercase=block["lowercase"],
                    ngram_range=(block["ngram_range"][0], block["ngram_range"][1]),
                    sublinear_tf=block["sublinear_tf"],
                    binary=block["binary"],
                    norm=block["norm"],
                )
            )
        return cls(
            classes=settings["classes"],
            blocks=blocks,
            dense_features=settings["dense_features"],
            coef=arrays["coef"],
            intercept=arrays["intercept"],
            metadata=settings.get("metadata", {}),
        )


@cache
def _load_once(folder: Path) -> LinearModel:
    return LinearModel.load(folder)


def load_once(folder: Path) -> LinearModel:
    """The model in ``folder``, read from disk once per process (extraction asks for it per document)."""
    return _load_once(Path(folder).resolve())
