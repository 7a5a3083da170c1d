"""Sentence roles (background, objective, methods, results, conclusions) for abstracts without headings.

Trained on the structured abstracts of evidence-inference (``../shared/data/evidence_inference``):
each abstract part's heading gives the role of its sentences, and the heading is removed from
the text the model sees. A sentence is described by its words and word pairs (TF-IDF), the words
of the sentences before and after it, and where it stands in the abstract; a multinomial logistic
regression weighs them. The fitted model is stored by ``extractor.models.linear`` (JSON and npz)
and predicts with numpy alone.

``train`` rebuilds the model (``scripts/train_sentence_roles.py`` runs it and writes the model
card); ``load`` and ``predict_roles`` use the committed model in ``models/sentence_roles/``.
"""

from __future__ import annotations

import hashlib
import re
import tarfile
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from ..textlayer import TextLayer, split_sentences
from .linear import LinearModel, load_once, sklearn_matrix

NAME = "sentence_roles"
VERSION = 1
ROLES = ("background", "objective", "methods", "results", "conclusions")
DEFAULT_PATH = Path(__file__).resolve().parents[2] / "models" / NAME

ANNOTATIONS = Path("data/evidence_inference/annotations")
ABSTRACTS = ANNOTATIONS / "abstracts.tar.gz"
SPLIT_FILES = {"train": "train_article_ids.txt", "dev": "validation_article_ids.txt", "test": "test_article_ids.txt"}
SPLITS = ("train", "dev", "test")

# Words and numbers alike; "=", "<", "%" and "±" are kept as tokens because they mark results.
TOKEN_PATTERN = r"(?u)\b\w+\b|[%=<>±≤≥]"
REGULARISATION = (2.0, 4.0, 8.0, 16.0, 32.0, 64.0)  # values of C tried on dev
POSITION_BUCKETS = 5
DENSE_FEATURES = (
    "position",
    *(f"position_bucket_{number}" for number in range(POSITION_BUCKETS)),
    "first",
    "second",
    "last",
    "second_last",
)


class NoTrainingData(Exception):
    """The evidence-inference abstracts are missing, or none of them has a heading with a role."""


# ------------------------------------------------------------------ headings -> roles

# Words a heading (or one part of a compound heading) may be made of, by role.
_HEADING_WORDS = {
    "background": {"background", "backgrounds", "backgroud", "introduction", "context", "rationale", "importance"},
    "objective": {"objective", "objectives", "objetive", "objectif", "aim", "aims", "purpose", "purposes", "goal",
                  "goals", "hypothesis", "hypotheses", "question"},
    "methods": {"method", "methods", "méthode", "methodology", "materials", "material", "patients", "patient",
                "subjects", "subject", "participants", "population", "sample", "setting", "settings", "design",
                "intervention", "interventions", "measurements", "measures", "measure", "outcome measures",
                "outcome measure", "outcome measurements", "procedure", "procedures", "analysis", "analyses",
                "statistics", "randomisation", "randomization", "animals", "controls", "size", "duration"},
    "results": {"results", "result", "résultats", "findings", "finding"},
    "conclusions": {"conclusion", "conclusions", "conculsion", "interpretation", "interpretations", "discussion",
                    "implications", "recommendations", "relevance", "importance of findings"},
}  # fmt: skip
_WORD_ROLE = {word: role for role, words in _HEADING_WORDS.items() for word in words}
# Whole headings the word rule would get wrong or leave out.
_HEADING_ROLE = {
    "conclusions/significance": "conclusions",
    "conclusion/significance": "conclusions",
    "conclusions and clinical importance": "conclusions",
    "conclusion and clinical importance": "conclusions",
    "clinical significance": "conclusions",
    "study question": "objective",
    "main outcome": "methods",
    "primary outcome": "methods",
    "statement of the problem": "background",
    "summary background data": "background",
    "what is known already": "background",
    "main results and the role of chance": "results",
}
# Words that qualify a heading without changing its role ("main outcome measures", "study design").
_QUALIFIERS = {"main", "primary", "secondary", "key", "study", "clinical", "principal", "trial", "the", "of",
               "research", "statistical", "experimental", "general", "short", "brief", "specific", "a", "an", "used"}  # fmt: skip
_PARTS = re.compile(r"\s*(?:,|/|&|\band\b|\bor\b|;)\s*")


def heading_role(heading: str) -> str | None:
    """The role of an evidence-inference abstract heading (``"ABSTRACT.MATERIALS AND METHODS:."``),
    or None when it has none of the five or mixes two (``"METHODS AND RESULTS"``)."""
    name = normalise_heading(heading)
    if not name:
        return None
    if name in _HEADING_ROLE:
        return _HEADING_ROLE[name]
    roles = set()
    for part in _PARTS.split(name):
        words = [word for word in part.replace("(s)", "").split() if word not in _QUALIFIERS]
        if not words:
            continue
        role = _WORD_ROLE.get(" ".join(words))
        if role is None:
            return None
        roles.add(role)
    return roles.pop() if len(roles) == 1 else None


def normalise_heading(heading: str) -> str:
    """``"ABSTRACT.ABSTRACT.MATERIALS AND METHODS:."`` -> ``"materials and methods"``."""
    name = re.sub(r"^(?:(?:ABSTRACT|SUMMARY)[.:])+", "", heading.strip(), flags=re.I)
    name = name.strip(" \t[]:.—-")
    # A nested heading ("SUMMARY.FINDINGS") keeps its last part.
    name = re.split(r"\.(?=[A-Za-z])", name)[-1]
    return re.sub(r"\s+", " ", name).strip(" []:.—-").lower()


# ------------------------------------------------------------------ reading the abstracts

_PART_HEADING = re.compile(r"^(?P<kind>TITLE|ABSTRACT|BODY)(?:[.:]|$)(?P<rest>.*)$", re.M)


@dataclass(frozen=True)
class Example:
    """One sentence of a structured abstract, its neighbours and where it stands, with its role."""

    article: str
    sentence: str
    previous: str
    following: str
    index: int
    count: int
    role: str


def abstract_parts(text: str) -> list[tuple[str, str]]:
    """The (heading, text) of each ABSTRACT part of an ``.abst`` file, in order (TITLE and BODY left out)."""
    matches = list(_PART_HEADING.finditer(text))
    parts = []
    for number, match in enumerate(matches):
        if match.group("kind") != "ABSTRACT":
            continue
        end = matches[number + 1].start() if number + 1 < len(matches) else len(text)
        parts.append((match.group(0), text[match.end() : end].strip()))
    return parts


def abstract_examples(article: str, text: str) -> list[Example]:
    """The labelled sentences of one ``.abst`` file: every sentence of its abstract is context,
    the sentences of parts whose heading maps to a role are examples."""
    sentences: list[tuple[str, str | None]] = []
    for heading, body in abstract_parts(text):
        role = heading_role(heading)
        sentences.extend((body[start:end], role) for start, end in split_sentences(body))
    count = len(sentences)
    examples = []
    for index, (sentence, role) in enumerate(sentences):
        if role is None:
            continue
        previous = sentences[index - 1][0] if index > 0 else ""
        following = sentences[index + 1][0] if index + 1 < count else ""
        examples.append(Example(article, sentence, previous, following, index, count, role))
    return examples


def read_abstracts(shared: Path) -> Iterator[tuple[str, str]]:
    """(PMC id without "PMC", text) of each ``.abst`` file in the evidence-inference archive."""
    path = Path(shared) / ABSTRACTS
    if not path.is_file():
        raise NoTrainingData(f"{path} not found: pass the folder that holds data/evidence_inference")
    with tarfile.open(path, "r:gz") as archive:
        for member in archive:
            name = Path(member.name).name
            if not member.isfile() or not name.endswith(".abst"):
                continue
            handle = archive.extractfile(member)
            if handle is None:
                continue
            yield re.sub(r"^PMC", "", name[: -len(".abst")]), handle.read().decode("utf-8", errors="replace")


def article_splits(shared: Path, articles: Iterable[str]) -> dict[str, str]:
    """train / dev / test of each article: the dataset's own split files, and for an article they
    leave out a hash of its id (80/10/10), so the split never depends on the order of reading."""
    listed: dict[str, str] = {}
    for split, file_name in SPLIT_FILES.items():
        path = Path(shared) / ANNOTATIONS / "splits" / file_name
        if path.is_file():
            for article in path.read_text(encoding="utf-8").split():
                listed.setdefault(article, split)
    return {article: listed.get(article) or hash_split(article) for article in articles}


def hash_split(article: str) -> str:
    """A fixed 80/10/10 train/dev/test split by the MD5 of the article id."""
    bucket = int(hashlib.md5(article.encode("utf-8")).hexdigest(), 16) % 10
    return "test" if bucket == 9 else "dev" if bucket == 8 else "train"


def load_examples(shared: Path) -> tuple[dict[str, list[Example]], dict[str, Any]]:
    """The examples of each split, and how they were made (counts of articles and sources of splits)."""
    by_article = {article: abstract_examples(article, text) for article, text in read_abstracts(shared)}
    labelled = {article: examples for article, examples in by_article.items() if examples}
    splits = article_splits(shared, labelled)
    listed = set()
    for file_name in SPLIT_FILES.values():
        path = Path(shared) / ANNOTATIONS / "splits" / file_name
        if path.is_file():
            listed.update(path.read_text(encoding="utf-8").split())
    examples: dict[str, list[Example]] = {split: [] for split in SPLITS}
    for article in sorted(labelled):
        examples[splits[article]].extend(labelled[article])
    info = {
        "abstracts": len(by_article),
        "abstracts_with_labelled_parts": len(labelled),
        "articles": {split: len({e.article for e in examples[split]}) for split in SPLITS},
        "articles_split_by_hash": sum(1 for article in labelled if article not in listed),
    }
    return examples, info


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


def example_inputs(examples: Sequence[Example]) -> tuple[dict[str, list[str]], np.ndarray]:
    """Model inputs of labelled examples."""
    return _inputs(
        [e.sentence for e in examples],
        [e.previous for e in examples],
        [e.following for e in examples],
        [(e.index, e.count) for e in examples],
    )


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


def _vectorizers() -> list[tuple[str, Any]]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return [
        ("sentence", TfidfVectorizer(token_pattern=TOKEN_PATTERN, ngram_range=(1, 2), min_df=2, sublinear_tf=True,
                                     dtype=np.float64)),
        ("previous", TfidfVectorizer(token_pattern=TOKEN_PATTERN, min_df=2, sublinear_tf=True, dtype=np.float64)),
        ("next", TfidfVectorizer(token_pattern=TOKEN_PATTERN, min_df=2, sublinear_tf=True, dtype=np.float64)),
    ]  # fmt: skip


# ------------------------------------------------------------------ training and evaluation


def evaluate(gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str] = ROLES) -> dict[str, Any]:
    """Accuracy, macro-F1, per-class precision/recall/F1/support and the confusion matrix (rows gold)."""
    index = {label: number for number, label in enumerate(labels)}
    confusion = np.zeros((len(labels), len(labels)), dtype=np.int64)
    for truth, guess in zip(gold, predicted, strict=True):
        confusion[index[truth], index[guess]] += 1
    per_class = {}
    for number, label in enumerate(labels):
        true_positives = int(confusion[number, number])
        predicted_count = int(confusion[:, number].sum())
        support = int(confusion[number].sum())
        precision = true_positives / predicted_count if predicted_count else 0.0
        recall = true_positives / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class[label] = {"precision": precision, "recall": recall, "f1": f1, "support": support}
    total = int(confusion.sum())
    return {
        "n": total,
        "accuracy": float(np.trace(confusion) / total) if total else 0.0,
        "macro_f1": float(np.mean([per_class[label]["f1"] for label in labels])),
        "per_class": per_class,
        "labels": list(labels),
        "confusion": confusion.tolist(),
    }


def _fit(examples: Sequence[Example], regularisation: float, seed: int) -> tuple[Any, list[tuple[str, Any]]]:
    from sklearn.linear_model import LogisticRegression

    texts, dense = example_inputs(examples)
    vectorizers = _vectorizers()
    for name, vectorizer in vectorizers:
        vectorizer.fit(texts[name])
    matrix = sklearn_matrix(vectorizers, texts, dense)
    classifier = LogisticRegression(C=regularisation, max_iter=2000, random_state=seed)
    classifier.fit(matrix, [e.role for e in examples])
    return classifier, vectorizers


def train(shared: Path, out: Path, seed: int = 0, regularisation: Sequence[float] = REGULARISATION) -> dict[str, Any]:
    """Fit on the train split, choose C on dev, save to ``out`` and return counts and dev/test figures."""
    started = time.perf_counter()
    examples, info = load_examples(Path(shared))
    if not examples["train"] or not examples["dev"]:
        raise NoTrainingData(f"no labelled abstracts for train and dev in {Path(shared) / ABSTRACTS}")
    dev_texts, dev_dense = example_inputs(examples["dev"])
    dev_gold = [e.role for e in examples["dev"]]
    tuning = []
    best: tuple[float, float, Any, Any] | None = None
    for value in regularisation:
        classifier, vectorizers = _fit(examples["train"], value, seed)
        predicted = classifier.predict(sklearn_matrix(vectorizers, dev_texts, dev_dense))
        figures = evaluate(dev_gold, list(predicted))
        tuning.append({"C": value, "accuracy": figures["accuracy"], "macro_f1": figures["macro_f1"]})
        if best is None or figures["macro_f1"] > best[0]:
            best = (figures["macro_f1"], value, classifier, vectorizers)
    assert best is not None
    _, chosen, classifier, vectorizers = best
    counts = {split: dict(sorted(Counter(e.role for e in examples[split]).items())) for split in SPLITS}
    model = LinearModel.from_sklearn(
        classifier,
        vectorizers,
        DENSE_FEATURES,
        metadata={"name": NAME, "version": VERSION, "trained": date.today().isoformat(), "C": chosen, "seed": seed},
    )
    model.save(Path(out))
    # The figures are those of the stored model (float32 weights, numpy prediction), as it is used.
    stored = LinearModel.load(Path(out))
    metrics: dict[str, Any] = {
        "name": NAME,
        "version": VERSION,
        "seed": seed,
        "C": chosen,
        "tuning": tuning,
        "data": info,
        "sentences": counts,
        "features": {block.name: block.size for block in stored.blocks} | {"dense": len(DENSE_FEATURES)},
    }
    for split in ("dev", "test"):
        if examples[split]:
            texts, dense = example_inputs(examples[split])
            metrics[split] = evaluate([e.role for e in examples[split]], stored.predict(texts, dense))
    metrics["seconds"] = round(time.perf_counter() - started, 1)
    return metrics


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
