"""Rebuilding ``models/sentence_roles/``, the model of ``extractor.models.sentence_roles``.

Sentence roles (background, objective, methods, results, conclusions) for abstracts without headings.

Trained on the structured abstracts of evidence-inference (``../shared/data/evidence_inference``):
each abstract part's heading gives the role of its sentences, and the heading is removed from
the text the model sees. A sentence is described by its words and word pairs (TF-IDF), the words
of the sentences before and after it, and where it stands in the abstract; a multinomial logistic
regression weighs them. The fitted model is stored by ``extractor.models.linear`` (JSON and npz)
and predicts with numpy alone.

Trains on the train split of the evidence-inference structured abstracts, chooses the
regularisation on dev, and reports dev and test figures of the stored model, its size on disk
and its prediction speed.

``main`` rebuilds the model into ``models/sentence_roles/`` (``DEFAULT_PATH`` of ``extractor.models.sentence_roles``,
which loads it) and writes its model card and ``metrics.json``:

    extractor train sentence_roles [--shared ../shared] [--annotations DIR] [--documents PLACE ...]
    .venv/bin/python scripts/train_sentence_roles.py [--shared ../shared] [--out DIR] [--seed 0]
"""

from __future__ import annotations

import os
import platform
import re
import sys
import tarfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from ..models.linear import MODEL_FILE, WEIGHTS_FILE, LinearModel
from ..models.sentence_roles import DEFAULT_PATH, DENSE_FEATURES, NAME, ROLES, VERSION, _inputs, predict_roles
from ..textlayer import split_sentences
from .common import (
    METRICS_FILE,
    NoTrainingData,
    evaluate,
    hash_split,
    package_version,
    trainer_arguments,
    write_metrics_and_card,
)
from .linear import from_sklearn, save, sklearn_matrix

ANNOTATIONS = Path("data/evidence_inference/annotations")
ABSTRACTS = ANNOTATIONS / "abstracts.tar.gz"
SPLIT_FILES = {"train": "train_article_ids.txt", "dev": "validation_article_ids.txt", "test": "test_article_ids.txt"}
SPLITS = ("train", "dev", "test")

# Words and numbers alike; "=", "<", "%" and "±" are kept as tokens because they mark results.
TOKEN_PATTERN = r"(?u)\b\w+\b|[%=<>±≤≥]"
REGULARISATION = (2.0, 4.0, 8.0, 16.0, 32.0, 64.0)  # values of C tried on dev


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


def example_inputs(examples: Sequence[Example]) -> tuple[dict[str, list[str]], np.ndarray]:
    """Model inputs of labelled examples."""
    return _inputs(
        [e.sentence for e in examples],
        [e.previous for e in examples],
        [e.following for e in examples],
        [(e.index, e.count) for e in examples],
    )


def _vectorizers() -> list[tuple[str, Any]]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return [
        ("sentence", TfidfVectorizer(token_pattern=TOKEN_PATTERN, ngram_range=(1, 2), min_df=2, sublinear_tf=True,
                                     dtype=np.float64)),
        ("previous", TfidfVectorizer(token_pattern=TOKEN_PATTERN, min_df=2, sublinear_tf=True, dtype=np.float64)),
        ("next", TfidfVectorizer(token_pattern=TOKEN_PATTERN, min_df=2, sublinear_tf=True, dtype=np.float64)),
    ]  # fmt: skip


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
        figures = evaluate(dev_gold, list(predicted), ROLES)
        tuning.append({"C": value, "accuracy": figures["accuracy"], "macro_f1": figures["macro_f1"]})
        if best is None or figures["macro_f1"] > best[0]:
            best = (figures["macro_f1"], value, classifier, vectorizers)
    assert best is not None
    _, chosen, classifier, vectorizers = best
    counts = {split: dict(sorted(Counter(e.role for e in examples[split]).items())) for split in SPLITS}
    model = from_sklearn(
        classifier,
        vectorizers,
        DENSE_FEATURES,
        metadata={"name": NAME, "version": VERSION, "trained": date.today().isoformat(), "C": chosen, "seed": seed},
    )
    save(model, Path(out))
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
            metrics[split] = evaluate([e.role for e in examples[split]], stored.predict(texts, dense), ROLES)
    metrics["seconds"] = round(time.perf_counter() - started, 1)
    return metrics

COMMAND = ".venv/bin/python scripts/train_sentence_roles.py"


def prediction_speed(out: Path, shared: Path, rounds: int = 3) -> dict[str, float]:
    """Sentences per second of ``predict_roles`` on the test abstracts, one call per abstract (best of rounds)."""
    examples, _ = load_examples(shared)
    abstracts: dict[str, list[str]] = defaultdict(list)
    for example in examples["test"]:
        abstracts[example.article].append(example.sentence)
    model = LinearModel.load(out)
    started = time.perf_counter()
    LinearModel.load(out)
    load_seconds = time.perf_counter() - started
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        for sentences in abstracts.values():
            predict_roles(sentences, model=model)
        best = min(best, time.perf_counter() - started)
    count = sum(len(sentences) for sentences in abstracts.values())
    return {
        "sentences": count,
        "abstracts": len(abstracts),
        "sentences_per_second": count / best,
        "abstracts_per_second": len(abstracts) / best,
        "load_seconds": load_seconds,
    }


def _figure(value: float) -> str:
    return f"{value:.3f}"


def _figures_table(metrics: dict[str, Any]) -> list[str]:
    lines = ["| role | precision | recall | F1 | sentences |", "|---|---|---|---|---|"]
    for role in metrics["labels"]:
        row = metrics["per_class"][role]
        lines.append(
            f"| {role} | {_figure(row['precision'])} | {_figure(row['recall'])} | {_figure(row['f1'])} | {row['support']} |"
        )
    lines.append(f"| **accuracy** | | | {_figure(metrics['accuracy'])} | {metrics['n']} |")
    lines.append(f"| **macro-F1** | | | {_figure(metrics['macro_f1'])} | |")
    return lines


def _confusion_table(metrics: dict[str, Any]) -> list[str]:
    labels = metrics["labels"]
    lines = ["| gold \\ predicted | " + " | ".join(labels) + " |", "|---" * (len(labels) + 1) + "|"]
    for label, row in zip(labels, metrics["confusion"], strict=True):
        lines.append(f"| {label} | " + " | ".join(str(value) for value in row) + " |")
    return lines


def model_card(metrics: dict[str, Any], speed: dict[str, float], size_bytes: int, seed: int) -> str:
    """The model card in Markdown."""
    data = metrics["data"]
    counts = metrics["sentences"]
    roles = ROLES
    command = COMMAND if seed == 0 else f"{COMMAND} --seed {seed}"
    lines = [
        "# Sentence roles",
        "",
        "Role of each sentence of an abstract that has no headings: background, objective, methods, "
        "results or conclusions (`extractor/models/sentence_roles.py`, `predict_roles`).",
        "",
        f"- **Version** {metrics['version']}, trained {date.today().isoformat()} in {metrics['seconds']:.0f} s "
        f"(seed {seed}, Python {platform.python_version()}, scikit-learn {package_version('sklearn')}, "
        f"numpy {package_version('numpy')}).",
        f"- **Rebuild** (from the repository root, with `../shared` beside it): `{command}`",
        f"- **Files** `{MODEL_FILE}` (settings, vocabularies, class labels), `{WEIGHTS_FILE}` (idf, "
        f"coefficients, intercepts; float32, no pickle), `{METRICS_FILE}` (every figure below); "
        f"{size_bytes / 1e6:.1f} MB in all. Loaded and run with numpy alone (`extractor.models.linear`).",
        "",
        "## Training data",
        "",
        "The structured abstracts of evidence-inference "
        "(`../shared/data/evidence_inference/annotations/abstracts.tar.gz`, PubMed Central RCT reports). "
        "Each `ABSTRACT.<HEADING>.` part gives its sentences the role of its heading (variants mapped: "
        "INTRODUCTION and CONTEXT to background, AIM and PURPOSE to objective, MATERIALS AND METHODS, "
        "DESIGN, SETTING, PARTICIPANTS, INTERVENTIONS, OUTCOME MEASURES to methods, FINDINGS to results, "
        "INTERPRETATION and DISCUSSION to conclusions; see `heading_role`). Parts whose heading has none of "
        "the five roles or mixes two (TRIAL REGISTRATION, FUNDING, METHODS AND RESULTS, BACKGROUND AND AIMS, "
        "an unheaded abstract) give no examples but stay in the abstract as neighbours and for positions. "
        "BODY parts are ignored. Headings are removed: each part's text is split into sentences by "
        "`extractor.textlayer.split_sentences`.",
        "",
        f"{data['abstracts']} abstracts, {data['abstracts_with_labelled_parts']} with at least one part "
        "with a role. Split **by article** with the dataset's own split files "
        "(`annotations/splits/{train,validation,test}_article_ids.txt`); the "
        f"{data['articles_split_by_hash']} articles they do not list are split 80/10/10 by the MD5 of the "
        "PMC id. The model is fitted on train, the regularisation chosen on dev, the figures reported on test.",
        "",
        "| split | articles | " + " | ".join(roles) + " | sentences |",
        "|---" * (len(roles) + 3) + "|",
    ]
    for split in SPLITS:
        row = counts[split]
        lines.append(
            f"| {split} | {data['articles'][split]} | "
            + " | ".join(str(row.get(role, 0)) for role in roles)
            + f" | {sum(row.values())} |"
        )
    lines += [
        "",
        "## Model",
        "",
        "Multinomial logistic regression (scikit-learn, lbfgs, L2) over: TF-IDF of the sentence's words "
        f"and word pairs ({metrics['features']['sentence']} terms), TF-IDF of the words of the sentence before "
        f"({metrics['features']['previous']}) and after ({metrics['features']['next']}), all sublinear, "
        "seen twice or more in train, digits folded to `0`, `= < > % ±` kept as tokens; and "
        f"{metrics['features']['dense']} position features (relative position, five position buckets, first, "
        "second, last, second to last).",
        "",
        "Regularisation C chosen on dev by macro-F1:",
        "",
        "| C | dev accuracy | dev macro-F1 |",
        "|---|---|---|",
    ]
    for row in metrics["tuning"]:
        chosen = " (chosen)" if row["C"] == metrics["C"] else ""
        lines.append(f"| {row['C']:g}{chosen} | {_figure(row['accuracy'])} | {_figure(row['macro_f1'])} |")
    lines += ["", "## Test figures (held out)", "", *_figures_table(metrics["test"]), "", "Confusion matrix (test):", ""]
    lines += _confusion_table(metrics["test"])
    lines += ["", "## Dev figures", "", *_figures_table(metrics["dev"]), "", "Confusion matrix (dev):", ""]
    lines += _confusion_table(metrics["dev"])
    lines += [
        "",
        "## Speed",
        "",
        f"{speed['sentences_per_second']:,.0f} sentences/s ({speed['abstracts_per_second']:,.0f} abstracts/s), "
        f"`predict_roles` called once per test abstract ({speed['abstracts']} abstracts, {speed['sentences']} "
        f"sentences), one core, best of 3 on {platform.machine()} ({os.cpu_count()} cores); loading takes "
        f"{speed['load_seconds']:.2f} s.",
        "",
        "## Use and limits",
        "",
        "- `predict_roles(sentences, positions=None)` takes consecutive sentences of one abstract (their "
        "neighbours in the list are context) and optional `(index, count)` positions; it returns "
        "`(role, probability)` per sentence.",
        "- The labels come from the headings, so they carry the authors' habits: the aim sentence that ends "
        "a BACKGROUND part is labelled background, the same sentence under OBJECTIVE is objective. Most "
        "errors are between these two; methods/results and results/conclusions confusions come next.",
        "- Trained on reports of randomised trials (PubMed Central); other designs and fields are less "
        "certain. Registration, funding and other parts have no role of their own: their sentences get "
        "whichever of the five fits them best.",
    ]
    return "\n".join(lines) + "\n"




def main(argv: Sequence[str] | None = None) -> int:
    """Rebuild the model from the command-line arguments (``trainer_arguments``); the exit status."""
    args = trainer_arguments(__doc__, DEFAULT_PATH, argv)
    try:
        metrics = train(args.shared, args.out, seed=args.seed)
    except NoTrainingData as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    speed = prediction_speed(args.out, args.shared)
    metrics["speed"] = speed
    size = write_metrics_and_card(args.out, metrics, lambda size: model_card(metrics, speed, size, args.seed))
    print(
        f"test accuracy {metrics['test']['accuracy']:.3f}, macro-F1 {metrics['test']['macro_f1']:.3f}; "
        f"dev accuracy {metrics['dev']['accuracy']:.3f}, macro-F1 {metrics['dev']['macro_f1']:.3f}; C={metrics['C']:g}; "
        f"{size / 1e6:.1f} MB; {speed['sentences_per_second']:,.0f} sentences/s; "
        f"{metrics['seconds']:.0f} s",
        file=sys.stderr,
    )
    return 0
