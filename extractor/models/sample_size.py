"""Sample-size ranker: which of the rule candidates is the headline size of an abstract.

The rules (``extractor.extract.sample_size.rules``) find every count of participants with a role, unit,
confidence and how it was read; ``choose_sample_size`` then picks the headline by fixed tiers. This
model scores each candidate instead: a binary logistic regression over the candidate's role, unit
kind, rule source, attributes, section role, position, whether it is the largest or first count of
its role, whether the rules chose it, its magnitude, and the words on either side of it. The
top-scoring candidate is the headline; below a threshold tuned on dev the model abstains.

Trained on the total-participants spans of ``pico_corpus_sociocom`` (80/10/10 split by PMID) and the
"3_p" sample-size spans of the EBM-NLP hierarchical participants labels (dev documents, 90/10
train/dev by PMID; the EBM-NLP test gold is held out for the figures). A candidate is positive when
its number equals the gold headline count. Stored by ``extractor.models.linear`` (JSON and npz) and
run with numpy alone.

``train`` rebuilds the model (``scripts/train_sample_size.py`` runs it and writes the model card);
``rank_sample_sizes`` and ``choose_with_model`` use the committed model in ``models/sample_size/``.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from ..extract.common.number_words import COUNT, parse_count
from ..extract.sample_size.rules import choose_sample_size, find_sample_sizes, sample_size_details
from ..textlayer import TextLayer, analyse
from ..types import ExtractedValue
from .linear import LinearModel, load_once, sklearn_matrix

NAME = "sample_size"
VERSION = 1
DEFAULT_PATH = Path(__file__).resolve().parents[2] / "models" / NAME
SPLITS = ("train", "dev", "test")

PICO = Path("data/pico_corpus_sociocom/pico_corpus_brat_annotated_files")
EBM = Path("data/ebm_nlp")
EBM_TEST_TOKENS = EBM / "bepnye_v1_commit_9a2a49b" / "test.json"
EBM_TEST_LABELS = EBM / "bsaluja_hier_participants_v2" / "p2_p_gold.periods_removed.txt"
EBM_DEV_LABELS = EBM / "bsaluja_hier_participants_v2" / "p2_p_dev.periods_removed.txt"
EBM_DEV_TOKENS_WITH_IDS = EBM / "scibert_ebmnlp" / "dev.txt"
EBM_DEV_TOKENS_NO_IDS = EBM / "bepnye_v1_commit_9a2a49b" / "dev.txt"

REGULARISATION = (0.03, 0.1, 0.3, 1.0, 3.0, 10.0)  # values of C tried on dev
THRESHOLDS = tuple(round(0.05 * step, 2) for step in range(0, 19))  # abstention thresholds tried on dev
FOLDS = 5  # cross-validation folds of train for choosing C
TARGET_PRECISION = 0.98  # the dev precision the threshold aims for (highest coverage that reaches it)
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
TOKEN_PATTERN = r"[^ ]+"
_FIRST_COUNT = re.compile(rf"(?<![\w.]){COUNT}")
_WORD = re.compile(r"[A-Za-z]+|\d+|[=()/%;:,]")


class NoTrainingData(Exception):
    """The PICO or EBM-NLP files are missing from the shared folder."""


@dataclass
class Abstract:
    """One annotated abstract: its text, the gold headline count (None when it has no span) and arm counts."""

    doc_id: str
    source: str  # pico | ebm
    split: str
    text: str
    gold: int | None
    gold_spans: list[str] = field(default_factory=list)
    arms: tuple[int, ...] = ()  # PICO intervention and control counts, when each has one span


# ------------------------------------------------------------------ reading the data


def first_count(span: str) -> int | None:
    """The first count written in a gold span ("Forty-three women" -> 43)."""
    match = _FIRST_COUNT.search(span)
    return parse_count(match.group()) if match else None


def hash_split(doc_id: str, test: bool = True) -> str:
    """A fixed split by the MD5 of the document id: 80/10/10 (or 90/10 train/dev with ``test=False``)."""
    bucket = int(hashlib.md5(doc_id.encode("utf-8")).hexdigest(), 16) % 10
    if bucket == 9 and test:
        return "test"
    return "dev" if bucket == 8 else "train"


def pico_abstracts(shared: Path) -> Iterator[Abstract]:
    """Every PICO abstract; the gold headline is the count of its one total-participants span."""
    folder = Path(shared) / PICO
    if not folder.is_dir():
        raise NoTrainingData(f"{folder} not found: pass the folder that holds data/pico_corpus_sociocom")
    for ann in sorted(folder.glob("*.ann")):
        text = ann.with_suffix(".txt").read_text(encoding="utf-8")
        spans: dict[str, list[str]] = {"total-participants": [], "intervention-participants": [],
                                       "control-participants": []}  # fmt: skip
        for line in ann.read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if len(parts) < 3 or not parts[0].startswith("T"):
                continue
            label, *offsets = parts[1].split()
            if label in spans:
                spans[label].append(text[int(offsets[0]) : int(offsets[-1].split(";")[-1])])
        totals = spans["total-participants"]
        gold = first_count(totals[0]) if len(totals) == 1 else None
        if len(totals) > 1:
            continue  # several totals (randomised, analysed, ...): the headline is not marked
        arm_spans = (spans["intervention-participants"], spans["control-participants"])
        arm_counts = [first_count(s[0]) for s in arm_spans if len(s) == 1]
        arms = tuple(n for n in arm_counts if n is not None)
        yield Abstract(
            ann.stem, "pico", hash_split(ann.stem), text, gold, totals, arms if len(arms) == 2 else ()
        )


def _labelled_runs(path: Path) -> dict[str, tuple[list[str], list[str]]]:
    """PMID -> (words, "3_p" span texts) of a hierarchical participants file (full stops removed)."""
    documents: dict[str, tuple[list[str], list[str]]] = {}
    words: list[str] = []
    spans: list[str] = []
    run: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("-DOCSTART-"):
            if run:
                spans.append(" ".join(run))
            words, spans, run = [], [], []
            documents[line.split()[-1]] = (words, spans)
        elif line.strip():
            parts = line.split()
            words.append(parts[0])
            if parts[-1] == "3_p":
                run.append(parts[0])
            elif run:
                spans.append(" ".join(run))
                run = []
    if run:
        spans.append(" ".join(run))
    return documents


def _conll_documents(path: Path, encoding: str = "utf-8") -> list[tuple[str | None, list[str]]]:
    """(PMID or None, tokens) of each document of a CoNLL file split by ``-DOCSTART-`` lines."""
    documents: list[tuple[str | None, list[str]]] = []
    for line in path.read_text(encoding=encoding, errors="replace").splitlines():
        if line.startswith("-DOCSTART-"):
            found = re.search(r"\((\d+)\)", line)
            documents.append((found.group(1) if found else None, []))
        elif line.strip() and documents:
            documents[-1][1].append(line.split()[0])
    return documents


def _letters(words: Sequence[str]) -> str:
    return re.sub(r"[^a-z0-9]", "", "".join(words).lower())


def detokenise(words: Sequence[str]) -> str:
    """Text rebuilt from tokens, as ``scripts/eval_sample_size.py`` does."""
    text = " ".join(words)
    text = re.sub(r" ([.,;:)\]%])", r"\1", text)
    text = re.sub(r"([(\[]) ", r"\1", text)
    return re.sub(r"\s+", " ", text)


def ebm_abstracts(shared: Path, split: str) -> Iterator[Abstract]:
    """EBM-NLP abstracts with their "3_p" sample-size spans: ``test`` is the test gold; ``train``/``dev``
    are the labelled dev documents whose tokens with full stops exist (by PMID in the SciBERT copy, or
    matched by their words in the unnamed v1 dev file), split 90/10 by PMID."""
    shared = Path(shared)
    if split == "test":
        tokens = {
            pmid: [row[0] for row in rows]
            for pmid, rows in json.loads((shared / EBM_TEST_TOKENS).read_text(encoding="utf-8")).items()
        }
        labelled = _labelled_runs(shared / EBM_TEST_LABELS)
    else:
        labelled = _labelled_runs(shared / EBM_DEV_LABELS)
        tokens = {pmid: words for pmid, words in _conll_documents(shared / EBM_DEV_TOKENS_WITH_IDS) if pmid}
        # The two copies tokenise brackets and punctuation differently: the letters and digits are the key.
        by_words = {_letters(words): pmid for pmid, (words, _) in labelled.items()}
        for _, words in _conll_documents(shared / EBM_DEV_TOKENS_NO_IDS, encoding="latin-1"):
            pmid = by_words.get(_letters(words))
            if pmid is not None:
                tokens.setdefault(pmid, words)
    for pmid, (_, spans) in sorted(labelled.items()):
        if pmid not in tokens:
            continue
        document_split = "test" if split == "test" else hash_split(pmid, test=False)
        if split != "all" and document_split != split:
            continue
        values = [v for v in (first_count(s) for s in spans) if v is not None]
        yield Abstract(
            pmid, "ebm", document_split, detokenise(tokens[pmid]), values[0] if values else None, spans
        )


def load_abstracts(shared: Path) -> dict[str, list[Abstract]]:
    """The abstracts of each split; PICO abstracts that are also EBM-NLP test documents are left out."""
    shared = Path(shared)
    for path in (EBM_TEST_TOKENS, EBM_TEST_LABELS, EBM_DEV_LABELS, EBM_DEV_TOKENS_WITH_IDS):
        if not (shared / path).is_file():
            raise NoTrainingData(f"{shared / path} not found: pass the folder that holds data/ebm_nlp")
    test_ids = {a.doc_id for a in ebm_abstracts(shared, "test")}
    by_split: dict[str, list[Abstract]] = {split: [] for split in SPLITS}
    for abstract in pico_abstracts(shared):
        if abstract.doc_id not in test_ids:
            by_split[abstract.split].append(abstract)
    for split in SPLITS:
        by_split[split].extend(ebm_abstracts(shared, "test" if split == "test" else split))
    return by_split


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
    candidates: Sequence[ExtractedValue], layer: TextLayer
) -> tuple[dict[str, list[str]], np.ndarray]:
    """Model inputs of the candidates of one abstract: category tokens, words before and after, dense features."""
    text = layer.text
    rule_choice = choose_sample_size(list(candidates), None)
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


def _vectorizers() -> list[tuple[str, Any]]:
    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

    return [
        (
            "category",
            CountVectorizer(token_pattern=TOKEN_PATTERN, binary=True, lowercase=True, dtype=np.float64),
        ),
        (
            "before",
            TfidfVectorizer(token_pattern=TOKEN_PATTERN, ngram_range=(1, 2), min_df=2, dtype=np.float64),
        ),
        (
            "after",
            TfidfVectorizer(token_pattern=TOKEN_PATTERN, ngram_range=(1, 2), min_df=2, dtype=np.float64),
        ),
    ]


def candidates_of(text: str) -> tuple[TextLayer, list[ExtractedValue]]:
    """The text layer of an abstract and its sample-size candidates that have a role."""
    layer = analyse(text)
    return layer, [c for c in find_sample_sizes(layer) if c.role is not None]


# ------------------------------------------------------------------ training and evaluation


@dataclass
class Prepared:
    """An abstract with its layer, candidates and their model inputs."""

    abstract: Abstract
    layer: TextLayer
    candidates: list[ExtractedValue]
    texts: dict[str, list[str]]
    dense: np.ndarray

    def labels(self) -> list[int]:
        return [
            int(self.abstract.gold is not None and c.value["n"] == self.abstract.gold)
            for c in self.candidates
        ]


def prepare(abstracts: Sequence[Abstract]) -> list[Prepared]:
    """Candidates and inputs of every abstract."""
    prepared = []
    for abstract in abstracts:
        layer, candidates = candidates_of(abstract.text)
        texts, dense = candidate_inputs(candidates, layer)
        prepared.append(Prepared(abstract, layer, candidates, texts, dense))
    return prepared


def _stack(prepared: Sequence[Prepared]) -> tuple[dict[str, list[str]], np.ndarray, list[int]]:
    texts: dict[str, list[str]] = {"category": [], "before": [], "after": []}
    dense, labels = [], []
    for item in prepared:
        if not item.candidates:
            continue
        for name in texts:
            texts[name].extend(item.texts[name])
        dense.append(item.dense)
        labels.extend(item.labels())
    return texts, np.vstack(dense) if dense else np.zeros((0, len(DENSE_FEATURES))), labels


def _fit(prepared: Sequence[Prepared], regularisation: float, seed: int) -> tuple[Any, list[tuple[str, Any]]]:
    from sklearn.linear_model import LogisticRegression

    texts, dense, labels = _stack([p for p in prepared if p.abstract.gold is not None])
    vectorizers = _vectorizers()
    for name, vectorizer in vectorizers:
        vectorizer.fit(texts[name])
    matrix = sklearn_matrix(vectorizers, texts, dense)
    classifier = LogisticRegression(C=regularisation, max_iter=5000, random_state=seed)
    classifier.fit(matrix, labels)
    return classifier, vectorizers


Chooser = Callable[[Prepared], tuple[int | None, float]]


def evaluate(prepared: Sequence[Prepared], chooser: Chooser, threshold: float = 0.0) -> dict[str, Any]:
    """Exact match of the chosen n on abstracts with a gold count; coverage and precision above ``threshold``;
    how often anything is answered on abstracts without a gold span."""
    with_gold = [p for p in prepared if p.abstract.gold is not None]
    without = [p for p in prepared if p.abstract.gold is None]
    matched = answered = answered_right = 0
    for item in with_gold:
        n, probability = chooser(item)
        matched += n == item.abstract.gold
        if n is not None and probability >= threshold:
            answered += 1
            answered_right += n == item.abstract.gold
    answered_without = sum(1 for p in without if (r := chooser(p))[0] is not None and r[1] >= threshold)
    total = len(with_gold)
    return {
        "abstracts": total,
        "exact_match": matched / total if total else 0.0,
        "matched": matched,
        "threshold": threshold,
        "coverage": answered / total if total else 0.0,
        "precision": answered_right / answered if answered else 0.0,
        "answered_right": answered_right,
        "abstracts_without_span": len(without),
        "answered_without_span": answered_without,
    }


def rule_chooser(item: Prepared) -> tuple[int | None, float]:
    """The rules' headline (``choose_sample_size(candidates, None)``) with its confidence."""
    chosen = choose_sample_size(item.candidates, None)
    return (None, 0.0) if chosen is None else (chosen.value["n"], chosen.confidence)


def model_chooser(model: LinearModel) -> Chooser:
    """A chooser that takes the model's top candidate, with its probability."""

    def choose(item: Prepared) -> tuple[int | None, float]:
        if not item.candidates:
            return None, 0.0
        probabilities = model.predict_proba(item.texts, item.dense)[:, 1]
        best = int(probabilities.argmax())
        return item.candidates[best].value["n"], float(probabilities[best])

    return choose


def tune_threshold(prepared: Sequence[Prepared], chooser: Chooser) -> tuple[float, list[dict[str, Any]]]:
    """The lowest threshold whose dev precision reaches TARGET_PRECISION (the highest if none does)."""
    rows = [evaluate(prepared, chooser, threshold) for threshold in THRESHOLDS]
    table = [{k: row[k] for k in ("threshold", "coverage", "precision")} for row in rows]
    for row in rows:
        if row["precision"] >= TARGET_PRECISION:
            return row["threshold"], table
    return max(rows, key=lambda r: r["precision"])["threshold"], table


def arm_recovery(prepared: Sequence[Prepared]) -> dict[str, Any]:
    """PICO abstracts with one intervention and one control span: are both counts among the rules' arm counts,
    or among any candidates?"""
    items = [p for p in prepared if p.abstract.source == "pico" and len(p.abstract.arms) == 2]
    in_arms = in_candidates = 0
    for item in items:
        arms = {arm["n"] for arm in sample_size_details(item.candidates)["arms"]}
        values = {c.value["n"] for c in item.candidates}
        in_arms += all(n in arms for n in item.abstract.arms)
        in_candidates += all(n in values for n in item.abstract.arms)
    total = len(items)
    return {
        "abstracts": total,
        "both_arms_in_rule_details": in_arms / total if total else 0.0,
        "both_arms_among_candidates": in_candidates / total if total else 0.0,
    }


def cross_validated_match(prepared: Sequence[Prepared], regularisation: float, seed: int) -> float:
    """Exact match of the top candidate on held-out folds of ``prepared`` (folds by the MD5 of the document id)."""
    fold_of = [int(hashlib.md5(p.abstract.doc_id.encode("utf-8")).hexdigest(), 16) % FOLDS for p in prepared]
    matched = total = 0
    for fold in range(FOLDS):
        train_part = [p for p, f in zip(prepared, fold_of, strict=True) if f != fold]
        held_out = [p for p, f in zip(prepared, fold_of, strict=True) if f == fold]
        labels = {label for p in train_part if p.abstract.gold is not None for label in p.labels()}
        if labels != {0, 1} or not held_out:
            continue  # a fold of a tiny set may lack a class
        classifier, vectorizers = _fit(train_part, regularisation, seed)
        figures = evaluate(
            held_out, model_chooser(LinearModel.from_sklearn(classifier, vectorizers, DENSE_FEATURES))
        )
        matched += figures["matched"]
        total += figures["abstracts"]
    return matched / total if total else 0.0


def _by_source(prepared: Sequence[Prepared]) -> dict[str, list[Prepared]]:
    return {"pico": [p for p in prepared if p.abstract.source == "pico"],
            "ebm": [p for p in prepared if p.abstract.source == "ebm"]}  # fmt: skip


def annotated_abstracts(studies: Iterable[Any]) -> list[Abstract]:
    """Annotators' headline sizes (``models.annotated.AnnotatedStudy``) as training abstracts."""
    abstracts = []
    for index, study in enumerate(studies):
        size = study.study.get("sample_size")
        n = size.get("n") if isinstance(size, dict) else size
        if not isinstance(n, int) or isinstance(n, bool) or n <= 0:
            continue
        spans = [study.text[s["start"]:s["end"]] for s in study.spans if s.get("field") == "sample_size"]
        abstracts.append(Abstract(f"annotated:{study.doc_id}:{index}", "annotations", "train", study.text, n, spans))
    return abstracts


def train(
    shared: Path, out: Path, seed: int = 0, regularisation: Sequence[float] = REGULARISATION,
    annotated: Sequence[Any] = (),
) -> dict[str, Any]:
    """Fit on train, choose C and the abstention threshold on dev, save to ``out``; return counts and figures.
    ``annotated`` are annotators' studies (``models.annotated.AnnotatedStudy``), added to train."""
    started = time.perf_counter()
    abstracts = load_abstracts(Path(shared))
    abstracts["train"].extend(annotated_abstracts(annotated))
    prepared = {split: prepare(abstracts[split]) for split in SPLITS}
    return train_prepared(prepared, out, seed, regularisation, started)


def train_prepared(
    prepared: dict[str, list[Prepared]],
    out: Path,
    seed: int = 0,
    regularisation: Sequence[float] = REGULARISATION,
    started: float | None = None,
) -> dict[str, Any]:
    """``train`` on abstracts already read and prepared (the tests pass a tiny set)."""
    started = time.perf_counter() if started is None else started
    if not any(p.abstract.gold is not None for p in prepared["train"]) or not prepared["dev"]:
        raise NoTrainingData("no abstracts with a gold count for train and dev")
    # Dev is small (tens of abstracts) and ties between values of C; C is chosen by cross-validation on
    # train (folds by document id), dev keeps the abstention threshold and a check of the choice.
    tuning = []
    best: tuple[float, float, float] | None = None
    for value in regularisation:
        folds = cross_validated_match(prepared["train"], value, seed)
        classifier, vectorizers = _fit(prepared["train"], value, seed)
        model = LinearModel.from_sklearn(classifier, vectorizers, DENSE_FEATURES)
        dev_match = evaluate(prepared["dev"], model_chooser(model))["exact_match"]
        tuning.append({"C": value, "train_cv_exact_match": folds, "dev_exact_match": dev_match})
        if best is None or (folds, dev_match) > (best[0], best[1]):
            best = (folds, dev_match, value)
    assert best is not None
    chosen = best[2]
    classifier, vectorizers = _fit(prepared["train"], chosen, seed)
    fitted = LinearModel.from_sklearn(classifier, vectorizers, DENSE_FEATURES)
    threshold, threshold_table = tune_threshold(prepared["dev"], model_chooser(fitted))
    metadata = {"name": NAME, "version": VERSION, "trained": date.today().isoformat(), "C": chosen, "seed": seed,
                "threshold": threshold}  # fmt: skip
    LinearModel.from_sklearn(classifier, vectorizers, DENSE_FEATURES, metadata=metadata).save(Path(out))
    # The figures are those of the stored model (float32 weights, numpy prediction), as it is used.
    stored = LinearModel.load(Path(out))
    ranker = model_chooser(stored)
    counts = {}
    for split in SPLITS:
        counts[split] = {}
        for source, items in _by_source(prepared[split]).items():
            with_gold = [p for p in items if p.abstract.gold is not None]
            counts[split][source] = {
                "abstracts": len(items),
                "with_gold": len(with_gold),
                "gold_among_candidates": sum(1 for p in with_gold if any(p.labels())),
                "candidates": sum(len(p.candidates) for p in with_gold),
                "positive_candidates": sum(sum(p.labels()) for p in with_gold),
            }
    metrics: dict[str, Any] = {
        "name": NAME,
        "version": VERSION,
        "seed": seed,
        "C": chosen,
        "threshold": threshold,
        "target_precision": TARGET_PRECISION,
        "tuning": tuning,
        "threshold_tuning": threshold_table,
        "counts": counts,
        "features": {block.name: block.size for block in stored.blocks} | {"dense": len(DENSE_FEATURES)},
    }
    for split in ("dev", "test"):
        metrics[split] = {}
        for source, items in _by_source(prepared[split]).items():
            if items:
                metrics[split][source] = {
                    "rules": evaluate(items, rule_chooser),
                    "ranker": evaluate(items, ranker, threshold),
                }
        metrics[split]["arms"] = arm_recovery(prepared[split])
    metrics["seconds"] = round(time.perf_counter() - started, 1)
    return metrics


# ------------------------------------------------------------------ prediction


def load(path: Path | None = None) -> LinearModel:
    """The sample-size ranker in ``path`` (default: the committed ``models/sample_size/``), read once."""
    return load_once(path or DEFAULT_PATH)


def rank_sample_sizes(
    candidates: Sequence[ExtractedValue], layer: TextLayer, model: LinearModel | None = None
) -> list[tuple[ExtractedValue, float]]:
    """The candidates with a role, each with the probability that it is the headline size, most probable first."""
    candidates = [c for c in candidates if c.field == "sample_size" and c.role is not None]
    if not candidates:
        return []
    model = model or load()
    texts, dense = candidate_inputs(candidates, layer)
    probabilities = model.predict_proba(texts, dense)[:, 1]
    order = sorted(range(len(candidates)), key=lambda i: (-probabilities[i], candidates[i].start or 0))
    return [(candidates[i], float(probabilities[i])) for i in order]


def choose_with_model(
    candidates: Sequence[ExtractedValue],
    layer: TextLayer,
    model: LinearModel | None = None,
    threshold: float | None = None,
) -> tuple[ExtractedValue | None, float]:
    """The top-ranked candidate and its probability, or ``(None, probability)`` when the model abstains
    (top probability under ``threshold``; by default the one tuned on dev and stored with the model)."""
    model = model or load()
    ranked = rank_sample_sizes(candidates, layer, model)
    if not ranked:
        return None, 0.0
    candidate, probability = ranked[0]
    limit = float(model.metadata.get("threshold", 0.5)) if threshold is None else threshold
    return (candidate if probability >= limit else None), probability
