"""Rebuilding ``models/sample_size/``, the model of ``extractor.models.sample_size``.

Sample-size ranker: which of the rule candidates is the headline size of an abstract.

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

Trains on the PICO corpus train split and the EBM-NLP labelled dev documents (train part), chooses
the regularisation by cross-validation on train and the abstention threshold on dev, and reports
the rules' headline and the ranker's on dev and on the held-out tests (PICO test split, EBM-NLP test
gold), with the stored model's size and speed.

``main`` rebuilds the model into ``models/sample_size/`` (``DEFAULT_PATH`` of ``extractor.models.sample_size``,
which loads it) and writes its model card and ``metrics.json``:

    extractor train sample_size [--shared ../shared] [--annotations DIR] [--documents PLACE ...]
    .venv/bin/python scripts/train_sample_size.py [--shared ../shared] [--out DIR] [--seed 0]
"""

from __future__ import annotations

import csv
import json
import math
import platform
import re
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from ..extract.common.number_words import COUNT, parse_count
from ..extract.sample_size.rules import choose_sample_size, find_sample_sizes, sample_size_details
from ..models.calibration import reliability as shared_reliability
from ..models.linear import MODEL_FILE, WEIGHTS_FILE, LinearModel
from ..models.sample_size import (
    DEFAULT_PATH,
    DENSE_FEATURES,
    NAME,
    VERSION,
    WINDOW,
    calibrated,
    candidate_inputs,
    rank_sample_sizes,
)
from ..textlayer import TextLayer, analyse
from ..types import ExtractedValue
from .annotated import annotated_studies
from .common import (
    METRICS_FILE,
    NoTrainingData,
    annotation_line,
    hash_bucket,
    hash_split,
    package_version,
    trainer_arguments,
    write_metrics_and_card,
)
from .linear import from_sklearn, save, sklearn_matrix

SPLITS = ("train", "dev", "test")

PICO = Path("data/pico_corpus_sociocom/pico_corpus_brat_annotated_files")
EBM = Path("data/ebm_nlp")
EBM_TEST_TOKENS = EBM / "bepnye_v1_commit_9a2a49b" / "test.json"
EBM_TEST_LABELS = EBM / "bsaluja_hier_participants_v2" / "p2_p_gold.periods_removed.txt"
EBM_DEV_LABELS = EBM / "bsaluja_hier_participants_v2" / "p2_p_dev.periods_removed.txt"
EBM_DEV_TOKENS_WITH_IDS = EBM / "scibert_ebmnlp" / "dev.txt"
EBM_DEV_TOKENS_NO_IDS = EBM / "bepnye_v1_commit_9a2a49b" / "dev.txt"
# One token a line, full stops kept, named by PMID: 1,999 EBM-NLP documents, about 380 of them among the
# labelled dev documents (the difficulty-annotation release; only its tokens are read here).
EBM_TOKEN_DOCUMENTS = EBM / "bepnye_official" / "ebm_nlp_difficulty" / "documents"
SCREENING = Path("screening")
DESIGN_CORPUS = Path("data/design_corpus/design.jsonl")
# Reviews (weak labels): the headline of a review is its number of included studies (FORMAT.md); the
# count of an explicit inclusion statement ("Twelve trials (n = 1,203) were included", "we included 25
# studies", "31 trials met the inclusion criteria") of a review's abstract is taken as its gold. Reviews are found by their title (screening
# sets) or by their weak design label (design corpus).
REVIEW_TITLE = re.compile(r"systematic review|meta-analy|umbrella review|review of (?:systematic )?reviews", re.I)
REVIEW_LABELS = ("systematic_review", "meta_analysis", "umbrella_review")
_STUDY_NOUN = r"(?:studies|trials|RCTs|articles|papers|reviews|meta-analyses|publications|reports)\b"
INCLUDED = re.compile(
    rf"(?<![\w.])(?P<a>{COUNT}) (?:[\w-]+ ){{0,3}}{_STUDY_NOUN}(?: \([^)]*\))?,? (?:\w+ ){{0,3}}"
    rf"(?:(?:were|was|met|are) (?:\w+ ){{0,2}}included|met (?:the |our |all )?(?:[\w-]+ ){{0,3}}criteria)"
    rf"|\b(?:we )?included (?:a total of )?(?P<b>{COUNT}) (?:[\w-]+ ){{0,3}}{_STUDY_NOUN}"
    rf"|(?<![\w.])(?P<c>{COUNT}) (?:[\w-]+ ){{0,2}}{_STUDY_NOUN} (?:were |was )?included",
)

REGULARISATION = (0.03, 0.1, 0.3, 1.0, 3.0, 10.0)  # values of C tried on dev
THRESHOLDS = tuple(round(0.05 * step, 2) for step in range(0, 19))  # abstention thresholds tried on dev
FOLDS = 5  # cross-validation folds of train for choosing C
TARGET_PRECISION = 0.98  # the dev precision the threshold aims for (highest coverage that reaches it)
TOKEN_PATTERN = r"[^ ]+"
_FIRST_COUNT = re.compile(rf"(?<![\w.]){COUNT}")


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
    design: str | None = None  # the design the extractor chooses for it (set by ``prepare``)


# ------------------------------------------------------------------ reading the data


def first_count(span: str) -> int | None:
    """The first count written in a gold span ("Forty-three women" -> 43)."""
    match = _FIRST_COUNT.search(span)
    return parse_count(match.group()) if match else None


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
    are the labelled dev documents whose tokens with full stops exist (by PMID in the SciBERT copy or in the
    difficulty release's documents, or matched by their words in the unnamed v1 dev file), split 90/10 by
    PMID."""
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
        folder = shared / EBM_TOKEN_DOCUMENTS
        if folder.is_dir():
            for pmid in labelled.keys() - tokens.keys():
                path = folder / f"{pmid}.tokens"
                if path.is_file():
                    tokens[pmid] = path.read_text(encoding="utf-8", errors="replace").split()
        # The two copies tokenise brackets and punctuation differently: the letters and digits are the key.
        by_words = {_letters(words): pmid for pmid, (words, _) in labelled.items()}
        for _, words in _conll_documents(shared / EBM_DEV_TOKENS_NO_IDS, encoding="latin-1"):
            pmid = by_words.get(_letters(words))
            if pmid is not None:
                tokens.setdefault(pmid, words)
    for pmid, (_, spans) in sorted(labelled.items()):
        if pmid not in tokens:
            continue
        document_split = "test" if split == "test" else hash_split(pmid, test=())
        if split != "all" and document_split != split:
            continue
        values = [v for v in (first_count(s) for s in spans) if v is not None]
        yield Abstract(
            pmid, "ebm", document_split, detokenise(tokens[pmid]), values[0] if values else None, spans
        )


def included_studies(text: str) -> int | None:
    """The count of the first explicit inclusion statement of a review's abstract, or None."""
    match = INCLUDED.search(text)
    if match is None:
        return None
    return parse_count(match.group("a") or match.group("b") or match.group("c"))


def review_abstracts(shared: Path) -> Iterator[Abstract]:
    """Reviews with an inclusion statement: screening-set records whose title names a review, and the design
    corpus's reviews; split 80/10/10 by the MD5 of the title."""
    shared = Path(shared)
    csv.field_size_limit(10**8)
    seen: set[str] = set()
    rows: list[tuple[str, str]] = []
    for path in sorted((shared / SCREENING).glob("*.csv")):
        with path.open(encoding="utf-8", errors="replace", newline="") as handle:
            for row in csv.DictReader(handle):
                title, abstract = (row.get("title") or "").strip(), (row.get("abstract") or "").strip()
                if title and abstract and REVIEW_TITLE.search(title):
                    rows.append((title, f"{title}. {abstract}"))
    corpus = shared / DESIGN_CORPUS
    if corpus.is_file():
        for line in corpus.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            if record.get("design") in REVIEW_LABELS:
                rows.append((record.get("title") or record["id"], record["text"]))
    for title, text in rows:
        key = re.sub(r"\W+", " ", title.lower()).strip()
        if key in seen:
            continue
        seen.add(key)
        gold = included_studies(text)
        if gold is not None:
            yield Abstract(f"review:{key[:60]}", "reviews", hash_split(key), text, gold)


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
    for abstract in review_abstracts(shared):
        by_split[abstract.split].append(abstract)
    return by_split


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


def design_of(text: str) -> str | None:
    """The design the extractor chooses for an abstract (rules and the design model), as at extraction."""
    from ..extract.choice import choose
    from ..extract.design import SPEC
    from ..extract.registry import UnitContext
    from ..readers.base import make_document

    document = make_document(fmt="text", path=Path("abstract.txt"), title=None, abstract=text)
    layer = analyse(document.text, document.sections)
    _, chosen = choose(SPEC, UnitContext(document, layer, 0, len(document.text), True, True))
    return chosen[0].value if chosen else None


def prepare(abstracts: Sequence[Abstract]) -> list[Prepared]:
    """Candidates and inputs of every abstract, with the design the extractor gives it."""
    prepared = []
    for abstract in abstracts:
        if abstract.design is None:
            abstract.design = design_of(abstract.text)
        layer, candidates = candidates_of(abstract.text)
        texts, dense = candidate_inputs(candidates, layer, abstract.design)
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
    """The rules' headline (``choose_sample_size(candidates, design)``, the design the extractor gives the
    abstract) with its confidence."""
    chosen = choose_sample_size(item.candidates, item.abstract.design)
    return (None, 0.0) if chosen is None else (chosen.value["n"], chosen.confidence)


def model_chooser(model: LinearModel) -> Chooser:
    """A chooser that takes the model's top candidate, with its calibrated chance of being right (the raw
    top probability when the model holds no calibration)."""
    calibration = model.metadata.get("calibration")

    def choose(item: Prepared) -> tuple[int | None, float]:
        if not item.candidates:
            return None, 0.0
        probabilities = model.predict_proba(item.texts, item.dense)[:, 1]
        best = int(probabilities.argmax())
        return item.candidates[best].value["n"], calibrated(float(probabilities[best]), calibration)

    return choose


def top_scores(prepared: Sequence[Prepared], chooser: Chooser) -> tuple[list[float], list[int]]:
    """(the chooser's score of its pick, 1 when the pick is the gold count) over abstracts with a gold count
    and a candidate."""
    scores, right = [], []
    for item in prepared:
        if item.abstract.gold is None or not item.candidates:
            continue
        n, score = chooser(item)
        scores.append(score)
        right.append(int(n == item.abstract.gold))
    return scores, right


def rule_picks(prepared: Sequence[Prepared], calibration: Sequence[float] | None = None
               ) -> tuple[list[float], list[int]]:
    """(the rules' confidence in their headline, mapped by ``calibration`` when given; 1 when right) over
    abstracts with a gold count where the rules pick one (among the counts at the rule floor, with the design)."""
    from ..extract.thresholds import thresholds

    floor = thresholds()["sample_size_min_confidence"]
    scores, right = [], []
    for item in prepared:
        if item.abstract.gold is None:
            continue
        pick = choose_sample_size([c for c in item.candidates if c.confidence >= floor], item.abstract.design)
        if pick is not None:
            scores.append(calibrated(pick.confidence, calibration))
            right.append(int(pick.value["n"] == item.abstract.gold))
    return scores, right


def fit_calibration(scores: Sequence[float], right: Sequence[int]) -> tuple[float, float]:
    """Platt scaling of the top probability: (a, b) of ``sigmoid(a * logit(p) + b)``, fitted on held-out
    abstracts by logistic regression of right-or-wrong on the logit."""
    from sklearn.linear_model import LogisticRegression

    if len(set(right)) < 2:
        return 1.0, 0.0
    logits = np.array([[math.log(min(max(p, 1e-6), 1 - 1e-6) / (1 - min(max(p, 1e-6), 1 - 1e-6)))]
                       for p in scores])
    fitted = LogisticRegression(C=1e4, max_iter=1000).fit(logits, list(right))
    return float(fitted.coef_[0][0]), float(fitted.intercept_[0])


RELIABILITY_BINS = 10


def reliability(scores: Sequence[float], right: Sequence[int], bins: int = RELIABILITY_BINS) -> dict[str, Any]:
    """``models.calibration.reliability`` (confidence bins against observed accuracy, and the expected
    calibration error) under this trainer's names: ``count`` per bin, ``picks`` in all."""
    table = shared_reliability(scores, [bool(r) for r in right], bins)
    return {"bins": [{"low": row["low"], "high": row["high"], "count": row["n"], "confidence": row["confidence"],
                      "accuracy": row["accuracy"]} for row in table["bins"]],
            "ece": table["ece"], "picks": table["n"]}


def chooser_figures(prepared: Sequence[Prepared], model: LinearModel) -> dict[str, Any]:
    """The chooser as extraction runs it (``extract.sample_size.weigh`` and ``decide`` with the thresholds of
    ``data/combine.json``) on abstracts with a gold count: accuracy (a null is a miss), coverage, and the
    reliability of the stored confidence of the sizes given (bins with ``n``, and the ECE)."""
    from ..extract.sample_size import decide, weigh
    from ..extract.thresholds import thresholds

    limits = thresholds()
    scores: list[float] = []
    right: list[int] = []
    records = 0
    for item in prepared:
        if item.abstract.gold is None:
            continue
        records += 1
        design = item.abstract.design
        pick = decide(weigh(item.candidates, item.layer, design, model), design,
                      limits["sample_size_rule_trusted"], limits["sample_size_model_min_probability"],
                      limits["sample_size_model_overrules_margin"])
        if pick is not None:
            scores.append(pick.confidence)
            right.append(int(pick.value["n"] == item.abstract.gold))
    table = shared_reliability(scores, [bool(r) for r in right])
    return {
        "accuracy": sum(right) / records if records else 0.0, "records": records,
        "coverage": len(scores) / records if records else 0.0,
        "reliability": {key: table[key] for key in ("n", "ece", "bins")},
    }  # fmt: skip


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
    fold_of = [hash_bucket(p.abstract.doc_id, FOLDS) for p in prepared]
    matched = total = 0
    for fold in range(FOLDS):
        train_part = [p for p, f in zip(prepared, fold_of, strict=True) if f != fold]
        held_out = [p for p, f in zip(prepared, fold_of, strict=True) if f == fold]
        labels = {label for p in train_part if p.abstract.gold is not None for label in p.labels()}
        if labels != {0, 1} or not held_out:
            continue  # a fold of a tiny set may lack a class
        classifier, vectorizers = _fit(train_part, regularisation, seed)
        figures = evaluate(
            held_out, model_chooser(from_sklearn(classifier, vectorizers, DENSE_FEATURES))
        )
        matched += figures["matched"]
        total += figures["abstracts"]
    return matched / total if total else 0.0


def out_of_fold_scores(prepared: Sequence[Prepared], regularisation: float, seed: int
                       ) -> tuple[list[float], list[int]]:
    """The raw top probability and right-or-wrong of each abstract of ``prepared`` under a model fitted on the
    other folds (folds by the MD5 of the document id)."""
    fold_of = [hash_bucket(p.abstract.doc_id, FOLDS) for p in prepared]
    scores: list[float] = []
    right: list[int] = []
    for fold in range(FOLDS):
        train_part = [p for p, f in zip(prepared, fold_of, strict=True) if f != fold]
        held_out = [p for p, f in zip(prepared, fold_of, strict=True) if f == fold]
        labels = {label for p in train_part if p.abstract.gold is not None for label in p.labels()}
        if labels != {0, 1} or not held_out:
            continue
        classifier, vectorizers = _fit(train_part, regularisation, seed)
        fold_scores, fold_right = top_scores(held_out, model_chooser(from_sklearn(classifier, vectorizers,
                                                                                 DENSE_FEATURES)))
        scores += fold_scores
        right += fold_right
    return scores, right


def _by_source(prepared: Sequence[Prepared]) -> dict[str, list[Prepared]]:
    return {source: [p for p in prepared if p.abstract.source == source] for source in ("pico", "ebm", "reviews")}


def annotated_abstracts(studies: Iterable[Any]) -> list[Abstract]:
    """Annotators' headline sizes (``training.annotated.AnnotatedStudy``) as training abstracts."""
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
    ``annotated`` are annotators' studies (``training.annotated.AnnotatedStudy``), added to train."""
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
        model = from_sklearn(classifier, vectorizers, DENSE_FEATURES)
        dev_match = evaluate(prepared["dev"], model_chooser(model))["exact_match"]
        tuning.append({"C": value, "train_cv_exact_match": folds, "dev_exact_match": dev_match})
        if best is None or (folds, dev_match) > (best[0], best[1]):
            best = (folds, dev_match, value)
    assert best is not None
    chosen = best[2]
    classifier, vectorizers = _fit(prepared["train"], chosen, seed)
    fitted = from_sklearn(classifier, vectorizers, DENSE_FEATURES)
    # Calibration: Platt scaling of the top probability, fitted on picks the model did not learn from (the
    # out-of-fold picks of train, by the same folds, and the dev picks).
    oof_scores, oof_right = out_of_fold_scores(prepared["train"], chosen, seed)
    dev_scores, dev_right = top_scores(prepared["dev"], model_chooser(fitted))
    calibration = fit_calibration(oof_scores + dev_scores, oof_right + dev_right)
    fitted.metadata["calibration"] = list(calibration)
    # the rules' pick keeps its place when trusted, with its rule confidence mapped the same way (fitted on
    # the rules' picks of train and dev: the rules learn nothing from them)
    rule_calibration = fit_calibration(*rule_picks(list(prepared["train"]) + list(prepared["dev"])))
    threshold, threshold_table = tune_threshold(prepared["dev"], model_chooser(fitted))
    metadata = {"name": NAME, "version": VERSION, "trained": date.today().isoformat(), "C": chosen, "seed": seed,
                "threshold": threshold, "calibration": list(calibration),
                "rule_calibration": list(rule_calibration)}  # fmt: skip
    save(from_sklearn(classifier, vectorizers, DENSE_FEATURES, metadata=metadata), Path(out))
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
    # reliability of the stored (calibrated) confidence on the held-out test abstracts, all sources together,
    # beside that of the raw top probability
    raw = LinearModel.load(Path(out))
    raw.metadata.pop("calibration", None)
    metrics["calibration"] = {
        "a_b": list(calibration),
        "fitted_on_picks": len(oof_scores) + len(dev_scores),
        "test": reliability(*top_scores(prepared["test"], ranker)),
        "test_uncalibrated": reliability(*top_scores(prepared["test"], model_chooser(raw))),
        "dev": reliability(*top_scores(prepared["dev"], ranker)),
        "rules_a_b": list(rule_calibration),
        "rules_test": reliability(*rule_picks(prepared["test"], rule_calibration)),
        "rules_test_uncalibrated": reliability(*rule_picks(prepared["test"])),
    }
    # the whole chooser (rules trusted or the ranker deciding, abstentions) with its stored confidences
    metrics["chooser"] = {split: chooser_figures(prepared[split], stored) for split in ("dev", "test")}
    metrics["seconds"] = round(time.perf_counter() - started, 1)
    return metrics

COMMAND = ".venv/bin/python scripts/train_sample_size.py"
SOURCES = {"pico": "PICO corpus", "ebm": "EBM-NLP", "reviews": "Reviews (weak)"}


def prediction_speed(out: Path, shared: Path, rounds: int = 3) -> dict[str, float]:
    """Abstracts per second of ``rank_sample_sizes`` on the test abstracts (candidates found beforehand)."""
    abstracts = load_abstracts(shared)["test"]
    found = [candidates_of(a.text) for a in abstracts]
    model = LinearModel.load(out)
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        for layer, candidates in found:
            rank_sample_sizes(candidates, layer, model)
        best = min(best, time.perf_counter() - started)
    return {"abstracts": len(found), "abstracts_per_second": len(found) / best}


def _figure(value: float) -> str:
    return f"{value:.3f}"


def _results_table(split: dict[str, Any], threshold: float) -> list[str]:
    lines = [
        "| data | abstracts with gold | rules exact match | ranker exact match | "
        f"ranker coverage at {threshold:g} | ranker precision at {threshold:g} | answered without a gold span "
        "(rules / ranker) |",
        "|---|---|---|---|---|---|---|",
    ]
    for source, title in SOURCES.items():
        if source not in split:
            continue
        rules, ranker = split[source]["rules"], split[source]["ranker"]
        lines.append(
            f"| {title} | {rules['abstracts']} | {_figure(rules['exact_match'])} ({rules['matched']}) | "
            f"{_figure(ranker['exact_match'])} ({ranker['matched']}) | {_figure(ranker['coverage'])} | "
            f"{_figure(ranker['precision'])} | {rules['answered_without_span']} / {ranker['answered_without_span']} "
            f"of {rules['abstracts_without_span']} |"
        )
    return lines


def _reliability_table(figures: dict[str, Any]) -> list[str]:
    lines = ["| confidence bin | picks | mean confidence | observed accuracy |", "|---|---|---|---|"]
    for row in figures["bins"]:
        lines.append(f"| {row['low']:.1f}-{row['high']:.1f} | {row['count']} | {_figure(row['confidence'])} | "
                     f"{_figure(row['accuracy'])} |")
    return lines


def _annotation_line(metrics: dict[str, Any]) -> str:
    used = (metrics["counts"].get("train") or {}).get("annotations", {}).get("abstracts", 0)
    return annotation_line(metrics, used, "studies with a headline size used")


def model_card(metrics: dict[str, Any], speed: dict[str, float], size_bytes: int, seed: int) -> str:
    """The model card in Markdown."""
    command = COMMAND if seed == 0 else f"{COMMAND} --seed {seed}"
    counts = metrics["counts"]
    threshold = metrics["threshold"]
    lines = [
        "# Sample-size ranker",
        "",
        "Which of the rule candidates (`extractor.extract.sample_size.rules.find_sample_sizes`) is the headline "
        "sample size of an abstract, with a calibrated chance that its pick is right; abstains below a threshold "
        "(`extractor/models/sample_size.py`, `rank_sample_sizes`, `choose_with_model`). In extraction "
        "(`extractor/extract/sample_size/__init__.py`, a model hook of the chooser: `weigh`, `decide`) the rules' "
        "headline stands when its confidence reaches `sample_size_rule_trusted`, stored with its calibrated "
        "chance of being right (see Calibration); otherwise the ranker decides, its pick kept "
        "when the calibrated chance reaches `sample_size_model_min_probability`, else the size is null "
        "(`extractor/data/combine.json`; the thresholds tuned on the dev gold, see the last section). Its value's source "
        "is `model:sample_size@<version>`.",
        "",
        f"- **Version** {metrics['version']}, trained {date.today().isoformat()} in {metrics['seconds']:.0f} s "
        f"(seed {seed}, Python {platform.python_version()}, scikit-learn {package_version('sklearn')}, "
        f"numpy {package_version('numpy')}).",
        f"- **Rebuild** (from the repository root, with `../shared` beside it): `{command}`",
        f"- **Files** `{MODEL_FILE}` (settings, vocabularies, threshold), `{WEIGHTS_FILE}` (idf, coefficients, "
        f"intercept; float32, no pickle), `{METRICS_FILE}` (every figure below); {size_bytes / 1e3:.0f} kB in all. "
        "Loaded and run with numpy alone (`extractor.models.linear`).",
        "",
        "## Training data",
        "",
        "- **PICO corpus** (`../shared/data/pico_corpus_sociocom`, 1,011 breast-cancer RCT abstracts, brat): "
        "the gold headline is the count of the abstract's one `total-participants` span; abstracts with several "
        "such spans are left out (the headline is not marked), abstracts with none are kept only to count how "
        "often a headline is given where the gold has none. Split 80/10/10 train/dev/test by the MD5 of the PMID; "
        "PMIDs that are EBM-NLP test documents are left out.",
        "- **EBM-NLP** hierarchical participants labels (`../shared/data/ebm_nlp/bsaluja_hier_participants_v2`, "
        "`3_p` sample size): the gold headline is the first count of the first span (as in "
        "`scripts/eval_sample_size.py`). The labelled dev documents whose tokens with full stops exist (by PMID in "
        "`scibert_ebmnlp/dev.txt` or in `bepnye_official/ebm_nlp_difficulty/documents/<PMID>.tokens`, or matched by "
        "their letters and digits in the unnamed `bepnye_v1_commit_9a2a49b/dev.txt`) are split 90/10 train/dev by the MD5 of the PMID; the test gold (`p2_p_gold`, text from "
        "`bepnye_v1_commit_9a2a49b/test.json`) is the held-out test.",
        "- **Reviews** (weak labels, `../shared/screening/*.csv` records whose title names a systematic review, "
        "meta-analysis or umbrella review, and the reviews of `../shared/data/design_corpus`): the gold headline is "
        "the count of the first explicit inclusion statement of the abstract (`INCLUDED`: \"12 trials were "
        "included\", \"we included 25 studies\"), FORMAT.md's number of included studies; split 80/10/10 by "
        "the MD5 of the title. Only reviews with such a statement are kept.",
        "- Every abstract gets the design the extractor chooses for it (`design_of`: the design rules and "
        "model), as the ranker sees it in extraction.",
        "- **Annotators' records** (`annotations/*.jsonl`, documents found again in `--documents` by content "
        f"hash): {_annotation_line(metrics)}; they always go to train.",
        "",
        "Each abstract is read by `extractor.textlayer.analyse` and `find_sample_sizes`; every candidate with a "
        "role is an example, positive when its number equals the gold headline count (a restatement or a sum of "
        "arms with the same number counts too).",
        "",
        "| split | data | abstracts | with gold | gold among candidates | candidates | positive |",
        "|---|---|---|---|---|---|---|",
    ]
    for split in SPLITS:
        for source, title in SOURCES.items():
            if source not in counts[split]:
                continue
            row = counts[split][source]
            lines.append(
                f"| {split} | {title} | {row['abstracts']} | {row['with_gold']} | {row['gold_among_candidates']} | "
                f"{row['candidates']} | {row['positive_candidates']} |"
            )
    features = metrics["features"]
    lines += [
        "",
        "## Model",
        "",
        "Binary logistic regression (scikit-learn, lbfgs, L2) over each candidate: category tokens "
        f"({features['category']}: role, unit kind, form, cue, rule source, section role of its sentence, "
        "sum-of-arms, attributes such as arm / planned / stage / each, unit noun, magnitude bucket and role x "
        f"magnitude, the rules' choice), TF-IDF of up to {WINDOW} words before ({features['before']} "
        f"terms, words and pairs) and after ({features['after']}) the count, digits folded to `0`; and "
        f"{features['dense']} dense features (rule confidence, relative position in the text and by sentence, "
        "largest / first count of its role, largest overall, chosen by `choose_sample_size(candidates, design)`, "
        "same number as the rules' choice, log10 n, how many candidates share the number). The design's group "
        "(review, cluster, protocol, qualitative, observational, trial, unknown) enters as tokens alone and crossed "
        "with the candidate's role, kind, planned flag and whether the rules (given the design) chose it, so the "
        "ranker can learn FORMAT.md's headline per design where its training data show it. The top-scoring "
        "candidate is the headline.",
        "",
        f"C chosen by {FOLDS}-fold cross-validation on train (folds by document id; dev has too few "
        "abstracts to tell values apart):",
        "",
        "| C | train CV exact match | dev exact match |",
        "|---|---|---|",
    ]
    for row in metrics["tuning"]:
        chosen = " (chosen)" if row["C"] == metrics["C"] else ""
        lines.append(f"| {row['C']:g}{chosen} | {_figure(row['train_cv_exact_match'])} | "
                     f"{_figure(row['dev_exact_match'])} |")  # fmt: skip
    lines += [
        "",
        f"Abstention threshold {threshold:g}: the lowest top probability at which the dev precision (PICO and "
        f"EBM-NLP dev together) reaches {metrics['target_precision']:g}, or the most precise if none does:",
        "",
        "| threshold | dev coverage | dev precision |",
        "|---|---|---|",
    ]
    for row in metrics["threshold_tuning"]:
        lines.append(f"| {row['threshold']:g} | {_figure(row['coverage'])} | {_figure(row['precision'])} |")
    lines += [
        "",
        "## Calibration",
        "",
        f"The top probability is mapped by Platt scaling, `sigmoid(a * logit(p) + b)` with a = "
        f"{metrics['calibration']['a_b'][0]:.3f}, b = {metrics['calibration']['a_b'][1]:.3f}, fitted on "
        f"{metrics['calibration']['fitted_on_picks']} picks the model did not learn from (out-of-fold picks of "
        "train and the dev picks). Reliability on the held-out test abstracts (all sources; a pick is right "
        "when its n is the gold count):",
        "",
        *_reliability_table(metrics["calibration"]["test"]),
        "",
        f"The rules' confidence in their own headline is mapped the same way (a = "
        f"{metrics['calibration']['rules_a_b'][0]:.3f}, b = {metrics['calibration']['rules_a_b'][1]:.3f}, fitted on the "
        "rules' picks of train and dev): a trusted rules' pick is stored with it, and the ranker is not run for "
        f"it. Its expected calibration error on test: {metrics['calibration']['rules_test']['ece']:.3f} mapped, "
        f"{metrics['calibration']['rules_test_uncalibrated']['ece']:.3f} as the rules give it "
        f"({metrics['calibration']['rules_test']['picks']} picks).",
        "",
        f"Expected calibration error on test: {metrics['calibration']['test']['ece']:.3f} calibrated, "
        f"{metrics['calibration']['test_uncalibrated']['ece']:.3f} for the raw top probability "
        f"({metrics['calibration']['test']['picks']} picks); on dev {metrics['calibration']['dev']['ece']:.3f}.",
        "",
        "The chooser as extraction runs it (`weigh` and `decide` of `extractor/extract/sample_size`, the thresholds "
        "of `extractor/data/combine.json`) on the held-out test abstracts: accuracy "
        f"{metrics['chooser']['test']['accuracy']:.3f} over {metrics['chooser']['test']['records']} abstracts "
        f"with a gold count (a null is a miss), coverage {metrics['chooser']['test']['coverage']:.3f}; its stored "
        "confidences:",
        "",
        "| confidence bin | sizes given | mean confidence | observed accuracy |",
        "|---|---|---|---|",
        *[f"| {b['low']:.1f}-{b['high']:.1f} | {b['n']} | {_figure(b['confidence'])} | {_figure(b['accuracy'])} |"
          for b in metrics["chooser"]["test"]["reliability"]["bins"]],
        "",
        f"Expected calibration error of the stored confidence on test: "
        f"{metrics['chooser']['test']['reliability']['ece']:.3f} ({metrics['chooser']['test']['reliability']['n']} "
        f"sizes given); on dev {metrics['chooser']['dev']['reliability']['ece']:.3f}.",
        "",
        "## Test figures (held out)",
        "",
        "Exact match: the chosen n equals the gold count, over abstracts with a gold count (an abstention or no "
        "candidate is a miss). Rules: `choose_sample_size(candidates, design)`. Ranker coverage and precision: "
        f"share of abstracts answered with top probability >= {threshold:g}, and share of those answers right.",
        "",
        *_results_table(metrics["test"], threshold),
        "",
        "Per arm (PICO abstracts with one intervention- and one control-participants span): both arm counts "
        f"among the rules' arm details (`sample_size_details`) in {_figure(metrics['test']['arms']['both_arms_in_rule_details'])}"
        f", among any candidates in {_figure(metrics['test']['arms']['both_arms_among_candidates'])} of "
        f"{metrics['test']['arms']['abstracts']} test abstracts. The ranker does not choose arms yet.",
        "",
        "## Dev figures",
        "",
        *_results_table(metrics["dev"], threshold),
        "",
        "## Speed",
        "",
        f"{speed['abstracts_per_second']:,.0f} abstracts/s for `rank_sample_sizes` alone (candidates found "
        f"beforehand), {speed['abstracts']} test abstracts, one core, best of 3 on {platform.machine()}.",
        "",
        "## Use and limits",
        "",
        "- `rank_sample_sizes(candidates, layer)` returns `(candidate, probability)` pairs, most probable first; "
        "`choose_with_model(candidates, layer)` returns the top candidate or None under the stored threshold, "
        "with its probability.",
        "- The count of one group (an arm, or one of two groups of an observational sample) inside a sum the rules "
        "made of the groups is not offered to the ranker (FORMAT.md: when only arm or group sizes are given, n is "
        "their sum); EBM-NLP's gold is an abstract's first span, often one arm, so it is scored against that.",
        "- The ranker can only pick a number the rules found: abstracts whose gold count is no candidate "
        "(see 'gold among candidates') are misses for both.",
        "- The training abstracts are RCTs (PICO corpus, EBM-NLP) and a few weakly labelled reviews: the "
        "headline conventions of cluster trials, protocols and qualitative or observational studies have no "
        "public training examples here, so for them the ranker leans on the rules' design-aware choice (a "
        "feature) and on the words around each count.",
        "- The test sets are small (PICO test has about 60 abstracts with a gold count): one abstract moves "
        "exact match by 1.6 points.",
    ]
    return "\n".join(lines) + "\n"




def main(argv: Sequence[str] | None = None) -> int:
    """Rebuild the model from the command-line arguments (``trainer_arguments``); the exit status."""
    args = trainer_arguments(__doc__, DEFAULT_PATH, argv)
    try:
        annotated = annotated_studies(args.annotations, args.documents)
        metrics = train(args.shared, args.out, seed=args.seed, annotated=annotated.studies)
        metrics["annotations"] = annotated.info()
    except NoTrainingData as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    speed = prediction_speed(args.out, args.shared)
    metrics["speed"] = speed
    size = write_metrics_and_card(args.out, metrics, lambda size: model_card(metrics, speed, size, args.seed))
    for source, title in SOURCES.items():
        if source not in metrics["test"]:
            continue
        figures = metrics["test"][source]
        print(
            f"{title} test: rules {figures['rules']['exact_match']:.3f}, ranker {figures['ranker']['exact_match']:.3f} "
            f"(coverage {figures['ranker']['coverage']:.3f}, precision {figures['ranker']['precision']:.3f} "
            f"at {metrics['threshold']:g})",
            file=sys.stderr,
        )
    print(f"C={metrics['C']:g}; {size / 1e3:.0f} kB; {speed['abstracts_per_second']:,.0f} abstracts/s; "
          f"{metrics['seconds']:.0f} s", file=sys.stderr)  # fmt: skip
    return 0
