"""Rebuilding ``models/design/``, the model of ``extractor.models.design``.

Study design (the FORMAT.md labels) from the words of a title and abstract, with a probability.

Trained on weak labels: the design corpus (``../shared/data/design_corpus``, a label and the phrase
that states it), PubMedQA's abstracts with MeSH design headings (``../shared/data/pubmedqa_mesh``:
cohort, case-control, cross-sectional, qualitative), the records of ``../shared/screening`` whose title states a design (the rule cues
of ``extractor.extract.design.rules`` run on the title alone, confident title matches only, the abstract
as input) and MEDLINE exports in ``../shared/formats`` (publication types mapped by the
``publication_types`` table of ``design.json``). The deciding phrase is replaced by a placeholder
word in every training input, so the model learns what surrounds a design statement ("allocated by
a computer-generated sequence") rather than the statement itself. Records are deduplicated by
title and split 80/10/10 by a hash of the title; C is chosen on dev and the probabilities are
calibrated on dev by one temperature, folded into the stored weights.

Weak labels from the design corpus, the titles of the screening sets and MEDLINE exports in
../shared/formats (deciding phrase masked); fitted on train, C and class weighting chosen on dev,
probabilities calibrated on dev by one temperature; figures on test and the RCT-vs-rest AUROC on
the held-out robotreviewer MEDLINE records. The chooser's calibration (``calibration.json``: the rules'
and the model's confidence -> probability of being right, by Platt scaling) is fitted on every record the
model was not trained on whose label does not come from the rule cues (dev and test of the design corpus,
exports and PubMedQA; the MEDLINE records whose publication types give one label), on their unmasked text,
and reported cross-fitted (5 folds by title: each record judged by curves fitted without it).
``refit_calibration`` refits it on the committed model alone, keeping the raw points where the curves
meet the design floors, so that the choices the floors were tuned for stay as they are.

``main`` rebuilds the model into ``models/design/`` (``DEFAULT_PATH`` of ``extractor.models.design``,
which loads it) and writes its model card and ``metrics.json``:

    extractor train design [--shared ../shared] [--annotations DIR] [--documents PLACE ...]
    .venv/bin/python scripts/train_design.py [--shared ../shared] [--out DIR] [--seed 0]
"""

from __future__ import annotations

import csv
import json
import math
import platform
import re
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from ..extract.vocabulary import REVIEW_DESIGNS
from ..models.design import (
    DEFAULT_PATH,
    LABELS,
    NAME,
    RANDOMISED,
    VERSION,
    normalise,
    primary_designs,
    record_text,
)
from ..models.linear import MODEL_FILE, WEIGHTS_FILE, LinearModel
from .annotated import annotated_studies
from .common import (
    CARD_FILE,
    METRICS_FILE,
    NoTrainingData,
    annotation_line,
    evaluate,
    hash_bucket,
    hash_split,
    package_version,
    trainer_arguments,
    write_metrics_and_card,
)
from .linear import from_sklearn, save, sklearn_matrix

DESIGN_CORPUS = Path("data/design_corpus/design.jsonl")
SCREENING = Path("screening")
FORMATS = Path("formats")
FORMAT_FOLDERS = ("medline_nbib", "pubmed_xml")  # exports whose publication types are MEDLINE's
PUBMEDQA = Path("data/pubmedqa_mesh/pubmedqa_pqal_with_design_mesh.jsonl")
MEDLINE_HELD_OUT = Path("data/robotreviewer_trialstreamer/robotreviewer/pubmed_test.txt")
SPLITS = ("train", "dev", "test")

MASK = "designcue"  # the placeholder word that replaces a deciding phrase in training inputs
TOKEN_PATTERN = r"(?u)\b\w+\b"
REGULARISATION = (10.0, 30.0, 100.0, 300.0)  # values of C tried on dev (1 and 3 lost on every run before v2)
TEMPERATURES = tuple(float(t) for t in np.round(np.exp(np.linspace(np.log(0.05), np.log(4.0), 61)), 4))
TITLE_CONFIDENCE = 0.9  # a title cue counts as a label from this rule confidence up
MIN_ABSTRACT = 100  # characters of abstract a screening or export record needs to be an example
MAX_TERMS = 40000


@dataclass(frozen=True)
class Example:
    """One record: its input text (deciding phrase masked), its weak label and where it came from."""

    key: str  # the normalised title, for deduplication and the split
    text: str
    label: str
    source: str
    phrase: str | None
    raw: str = ""  # the input unmasked, as extraction sees it (for the chooser's calibration)


# ------------------------------------------------------------------ text helpers


def title_key(title: str) -> str:
    """A title reduced to lower-case letters and digits, so copies of one record share it."""
    return re.sub(r"[\W_]+", " ", title.lower()).strip()


def mask(text: str, phrases: Iterable[str | None]) -> str:
    """``text`` with every occurrence of each phrase (any case, any hyphen) replaced by ``MASK``."""
    for phrase in sorted({p.strip() for p in phrases if p and p.strip()}, key=len, reverse=True):
        words = [re.escape(word) for word in re.split(r"[\s\-‐‑–—]+", phrase) if word]
        if words:
            text = re.sub(r"[\s\-‐‑–—]+".join(words), MASK, text, flags=re.I)
    return text


# ------------------------------------------------------------------ weak labels


def design_corpus_examples(shared: Path) -> list[Example]:
    """The design corpus: its label, and its evidence phrase masked."""
    path = Path(shared) / DESIGN_CORPUS
    if not path.is_file():
        return []
    examples = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        if row.get("design") not in LABELS:
            continue
        text = mask(row["text"], [row.get("evidence")])
        examples.append(
            Example(
                title_key(row.get("title") or row["text"][:200]),
                text,
                row["design"],
                "design_corpus",
                row.get("evidence"),
                row["text"],
            )
        )
    return examples


def title_design(title: str) -> tuple[str, str] | None:
    """(label, phrase) when the rule cues find a design stated in the title with confidence, else None."""
    from ..extract.design.rules import find_design
    from ..textlayer import analyse

    layer = analyse(title)
    found = find_design(layer, 0, len(title), (0, len(title)))
    if not found:
        return None
    best = found[0]
    attributes = best.attributes or {}
    if best.start is None or best.confidence < TITLE_CONFIDENCE or attributes.get("where") != "title":
        return None
    return best.value, title[best.start : best.end]


def screening_examples(shared: Path) -> list[Example]:
    """Records of the screening sets whose title states a design; the abstract (and the masked title) as input."""
    folder = Path(shared) / SCREENING
    csv.field_size_limit(1 << 27)
    examples = []
    for path in sorted(folder.glob("*.csv")):
        with open(path, newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                title = (row.get("title") or "").strip()
                abstract = (row.get("abstract") or "").strip()
                if not title or len(abstract) < MIN_ABSTRACT:
                    continue
                found = title_design(title)
                if found is None:
                    continue
                label, phrase = found
                raw = record_text(title, abstract)
                examples.append(Example(title_key(title), mask(raw, [phrase]), label, f"screening/{path.stem}", phrase,
                                        raw))
    return examples


def publication_type_label(publication_types: Iterable[str]) -> str | None:
    """The one design label MEDLINE publication types give, or None when they give none or disagree."""
    from ..extract.design.rules import _lexicon

    table = _lexicon()[1]
    labels = {table[pt.lower()] for pt in publication_types if pt.lower() in table}
    if len(labels) > 1:
        labels.discard("other")  # "Review" beside "Systematic Review", "Comment" beside a trial
    if labels == {"rct", "non_randomised_trial"}:
        labels = {"rct"}
    return labels.pop() if len(labels) == 1 else None


def _rule_phrases(title: str, text: str, label: str | None) -> list[str]:
    """Phrases of the rule cues for ``label`` (any label when None) anywhere in a record: what a
    publication-type label hides behind."""
    from ..extract.design.rules import find_design
    from ..textlayer import analyse

    layer = analyse(text)
    span = (0, len(title)) if title and text.startswith(title) else None
    return [value.attributes["phrase"] for value in find_design(layer, 0, len(text), span)
            if label in (None, value.value) and value.attributes.get("phrase")]  # fmt: skip


def format_examples(shared: Path) -> list[Example]:
    """MEDLINE exports in ``../shared/formats`` whose publication types give one label (rule cues masked)."""
    from ..readers import read_path

    examples = []
    for folder in FORMAT_FOLDERS:
        for path in sorted((Path(shared) / FORMATS / folder).glob("*")):
            if path.name.startswith(("PROVENANCE", "README", ".")) or not path.is_file():
                continue
            try:
                documents = list(read_path(path))
            except Exception:  # noqa: BLE001 - an unreadable export is simply not a source
                continue
            for document in documents:
                if not hasattr(document, "metadata") or not document.title:
                    continue
                if len(document.abstract or "") < MIN_ABSTRACT:
                    continue
                label = publication_type_label(document.metadata.publication_types)
                if label is None:
                    continue
                raw = record_text(document.title, document.abstract)
                text = mask(raw, _rule_phrases(document.title, raw, label))
                examples.append(Example(title_key(document.title), text, label, f"formats/{folder}", None, raw))
    return examples


# MeSH headings of PubMedQA's records -> a design label (the first that applies wins); headings of trials,
# pilots and feasibility studies make a record ambiguous, and it is left out.
MESH_AMBIGUOUS = {"Double-Blind Method", "Single-Blind Method", "Randomized Controlled Trials as Topic",
                  "Clinical Trials as Topic", "Pilot Projects", "Feasibility Studies", "Evaluation Studies as Topic",
                  "Interrupted Time Series Analysis"}  # fmt: skip
# "Prospective Studies" and "Follow-Up Studies" alone are left out: MEDLINE gives them to many trials too.
MESH_COHORT = {"Cohort Studies", "Longitudinal Studies", "Retrospective Studies"}
MESH_QUALITATIVE = {"Qualitative Research", "Focus Groups", "Interviews as Topic"}


def mesh_label(headings: Iterable[str]) -> str | None:
    """The design label MeSH design headings give (case-control, cross-sectional, cohort, qualitative), or None."""
    headings = set(headings)
    if not headings or headings & MESH_AMBIGUOUS:
        return None
    if "Case-Control Studies" in headings:
        return None if "Cross-Sectional Studies" in headings else "case_control"
    if "Cross-Sectional Studies" in headings:
        return None if headings & {"Cohort Studies", "Longitudinal Studies"} else "cross_sectional"
    if headings & MESH_COHORT:
        return None if headings & MESH_QUALITATIVE else "cohort"
    if headings & {"Prospective Studies", "Follow-Up Studies"}:
        return None
    if headings & MESH_QUALITATIVE and "Surveys and Questionnaires" not in headings:
        return "qualitative"
    return None


def pubmedqa_examples(shared: Path) -> list[Example]:
    """PubMedQA's expert-labelled records whose MeSH design headings give one observational label; the abstract
    (its question-form title left out) as input, the rule cues of that label masked."""
    import ast

    path = Path(shared) / PUBMEDQA
    if not path.is_file():
        return []
    examples = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        headings = row.get("design_mesh") or []
        if isinstance(headings, str):
            headings = ast.literal_eval(headings)
        label = mesh_label(headings)
        raw = (row.get("abstract_full") or "").strip()
        if label is None or len(raw) < MIN_ABSTRACT:
            continue
        text = mask(raw, _rule_phrases("", raw, label))
        examples.append(Example(f"pubmedqa {row['pmid']}", text, label, "pubmedqa", None, raw))
    return examples


@dataclass(frozen=True)
class HeldOutRecord:
    """A MEDLINE record of the held-out AUROC set: its text (no publication types) and whether it is an RCT."""

    key: str
    title: str
    text: str
    randomised: bool
    publication_types: tuple[str, ...]
    has_abstract: bool


def medline_held_out(shared: Path) -> list[HeldOutRecord]:
    """The robotreviewer MEDLINE records: title + abstract text, and publication type "Randomized Controlled Trial"."""
    from ..readers import read_path

    path = Path(shared) / MEDLINE_HELD_OUT
    if not path.is_file():
        return []
    records = []
    for document in read_path(path):
        if not hasattr(document, "metadata"):
            continue
        types = tuple(document.metadata.publication_types)
        title = document.title or ""
        records.append(HeldOutRecord(title_key(title), title, record_text(title, document.abstract),
                                     "randomized controlled trial" in {t.lower() for t in types}, types,
                                     bool((document.abstract or "").strip())))  # fmt: skip
    return records


def annotated_examples(studies: Iterable[Any]) -> list[Example]:
    """Annotators' designs (``training.annotated.AnnotatedStudy``), every rule cue masked: an annotator's label
    often corrects what a cue said, so the model must learn it from the rest of the text."""
    examples = []
    for study in studies:
        label = study.study.get("design")
        if label not in LABELS:
            continue
        title = study.title or ""
        text = mask(study.text, _rule_phrases(title, study.text, None))
        key = title_key(title) or f"annotated:{study.doc_id}"
        examples.append(Example(key, text, label, f"annotations/{study.annotation_file}", None))
    return examples


def load_examples(
    shared: Path, held_out_keys: Iterable[str] = (), annotated: Sequence[Example] = ()
) -> tuple[dict[str, list[Example]], dict[str, Any]]:
    """The examples of each split, deduplicated by title (annotators' first, then design corpus, exports,
    screening), with any title of the held-out MEDLINE set left out; and counts of where they came from.
    Annotated examples always train."""
    sources = [list(annotated), design_corpus_examples(shared), format_examples(shared), pubmedqa_examples(shared),
               screening_examples(shared)]
    held_out = set(held_out_keys)
    kept: dict[str, Example] = {}
    dropped = Counter()
    for examples in sources:
        for example in examples:
            if not example.key:
                dropped["no title"] += 1
            elif example.key in held_out:
                dropped["in held-out MEDLINE set"] += 1
            elif example.key in kept:
                dropped["duplicate title"] += 1
            else:
                kept[example.key] = example
    splits: dict[str, list[Example]] = {split: [] for split in SPLITS}
    for key in sorted(kept):
        example = kept[key]
        splits["train" if example.source.startswith("annotations/") else hash_split(key)].append(example)
    found = Counter(example.source.split("/")[0] for examples in sources for example in examples)
    by_source: dict[str, Counter] = {}
    for example in kept.values():
        by_source.setdefault(example.source.split("/")[0], Counter())[example.label] += 1
    info = {
        "found": dict(found),
        "dropped": dict(dropped),
        "kept": len(kept),
        "labels_by_source": {
            source: dict(sorted(counts.items())) for source, counts in sorted(by_source.items())
        },
        "labels_by_split": {
            split: dict(sorted(Counter(e.label for e in splits[split]).items())) for split in SPLITS
        },
    }
    return splits, info


# ------------------------------------------------------------------ training and evaluation


def _vectorizer() -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(token_pattern=TOKEN_PATTERN, ngram_range=(1, 2), min_df=2, max_df=0.9, sublinear_tf=True,
                           max_features=MAX_TERMS, dtype=np.float64)  # fmt: skip


def _fit(examples: Sequence[Example], regularisation: float, balanced: bool, seed: int) -> tuple[Any, Any]:
    from sklearn.linear_model import LogisticRegression

    vectorizer = _vectorizer()
    texts = [normalise(e.text) for e in examples]
    vectorizer.fit(texts)
    matrix = sklearn_matrix([("text", vectorizer)], {"text": texts})
    classifier = LogisticRegression(C=regularisation, max_iter=3000, random_state=seed,
                                    class_weight="balanced" if balanced else None)  # fmt: skip
    classifier.fit(matrix, [e.label for e in examples])
    return classifier, vectorizer


def softmax(scores: np.ndarray) -> np.ndarray:
    """Row-wise softmax of linear scores."""
    scores = scores - scores.max(axis=1, keepdims=True)
    exponentials = np.exp(scores)
    return exponentials / exponentials.sum(axis=1, keepdims=True)


def fit_temperature(
    scores: np.ndarray, gold: Sequence[int], temperatures: Sequence[float] = TEMPERATURES
) -> float:
    """The temperature (scores divided by it) with the lowest log loss on ``gold``."""
    rows = np.arange(len(gold))
    losses = [-np.log(np.clip(softmax(scores / t)[rows, gold], 1e-12, None)).mean() for t in temperatures]
    return float(temperatures[int(np.argmin(losses))])


def auroc(scores: Sequence[float], positive: Sequence[bool]) -> float:
    """Area under the ROC curve (ties counted half), by ranks."""
    scores = np.asarray(scores, dtype=np.float64)
    positive = np.asarray(positive, dtype=bool)
    count_positive, count_negative = int(positive.sum()), int((~positive).sum())
    if not count_positive or not count_negative:
        return float("nan")
    order = np.argsort(scores, kind="mergesort")
    ranks = np.empty(len(scores))
    sorted_scores = scores[order]
    start = 0
    while start < len(scores):
        end = start
        while end + 1 < len(scores) and sorted_scores[end + 1] == sorted_scores[start]:
            end += 1
        ranks[order[start : end + 1]] = (start + end) / 2 + 1
        start = end + 1
    return float(
        (ranks[positive].sum() - count_positive * (count_positive + 1) / 2)
        / (count_positive * count_negative)
    )


def calibration(probabilities: np.ndarray, gold: Sequence[int], bins: int = 10) -> dict[str, float]:
    """Expected calibration error of the top class, Brier score and log loss."""
    gold = np.asarray(gold)
    rows = np.arange(len(gold))
    top = probabilities.argmax(axis=1)
    confidence = probabilities[rows, top]
    correct = (top == gold).astype(np.float64)
    edges = np.linspace(0, 1, bins + 1)
    error = 0.0
    for low, high in zip(edges[:-1], edges[1:], strict=True):
        inside = (confidence > low) & (confidence <= high)
        if inside.any():
            error += inside.mean() * abs(confidence[inside].mean() - correct[inside].mean())
    onehot = np.zeros_like(probabilities)
    onehot[rows, gold] = 1.0
    return {
        "ece": float(error),
        "brier": float(((probabilities - onehot) ** 2).sum(axis=1).mean()),
        "log_loss": float(-np.log(np.clip(probabilities[rows, gold], 1e-12, None)).mean()),
    }


def rct_probability(model: LinearModel, texts: Sequence[str]) -> np.ndarray:
    """P(rct) + P(cluster_rct) of each text."""
    probabilities = model.predict_proba([normalise(t) for t in texts])
    columns = [model.classes.index(label) for label in RANDOMISED if label in model.classes]
    return probabilities[:, columns].sum(axis=1)


def rules_on_held_out(records: Sequence[HeldOutRecord]) -> dict[str, Any]:
    """Precision and recall of the rule cues (no publication types) calling a record rct or cluster_rct."""
    from ..extract.design.rules import find_design
    from ..textlayer import analyse

    true_positive = false_positive = false_negative = 0
    for record in records:
        span = (0, len(record.title)) if record.title else None
        found = find_design(analyse(record.text), 0, len(record.text), span)
        predicted = bool(found) and found[0].value in RANDOMISED
        true_positive += predicted and record.randomised
        false_positive += predicted and not record.randomised
        false_negative += record.randomised and not predicted
    precision = true_positive / (true_positive + false_positive) if true_positive + false_positive else 0.0
    recall = true_positive / (true_positive + false_negative) if true_positive + false_negative else 0.0
    return {"precision": precision, "recall": recall,
            "f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
            "predicted_randomised": true_positive + false_positive}  # fmt: skip


def held_out_figures(model: LinearModel, records: Sequence[HeldOutRecord]) -> dict[str, Any]:
    """RCT-vs-rest AUROC of the model, and the model at 0.5 and the rules as precision/recall."""
    probability = rct_probability(model, [r.text for r in records])
    gold = [r.randomised for r in records]
    predicted = probability >= 0.5
    true_positive = int(sum(p and g for p, g in zip(predicted, gold, strict=True)))
    precision = true_positive / int(predicted.sum()) if predicted.sum() else 0.0
    recall = true_positive / sum(gold) if sum(gold) else 0.0
    with_abstract = [k for k, r in enumerate(records) if r.has_abstract]
    return {
        "records": len(records),
        "randomised": int(sum(gold)),
        "with_abstract": len(with_abstract),
        "auroc": auroc(probability, gold),
        "auroc_with_abstract": auroc(probability[with_abstract], [gold[k] for k in with_abstract]),
        "model_at_0.5": {"precision": precision, "recall": recall,
                         "f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0},
        "rules": rules_on_held_out(records),
    }  # fmt: skip


def train(
    shared: Path,
    out: Path,
    seed: int = 0,
    regularisation: Sequence[float] = REGULARISATION,
    held_out: Sequence[HeldOutRecord] | None = None,
    annotated: Sequence[Any] = (),
) -> dict[str, Any]:
    """Fit on train, choose C and class weighting on dev (calibrated log loss), calibrate on dev, save to ``out``;
    return counts, dev/test figures and the held-out MEDLINE figures. ``annotated`` are annotators' studies
    (``training.annotated.AnnotatedStudy``), added to train."""
    started = time.perf_counter()
    shared = Path(shared)
    held_out = list(medline_held_out(shared) if held_out is None else held_out)
    examples, info = load_examples(shared, {r.key for r in held_out if r.key}, annotated_examples(annotated))
    if not examples["train"] or not examples["dev"]:
        raise NoTrainingData(f"no weakly labelled records for train and dev under {shared}")
    dev_texts = [normalise(e.text) for e in examples["dev"]]
    dev_gold = [e.label for e in examples["dev"]]
    tuning = []
    best: tuple[tuple[float, float], float, bool, float, LinearModel] | None = None
    for balanced in (False, True):
        for value in regularisation:
            classifier, vectorizer = _fit(examples["train"], value, balanced, seed)
            candidate = from_sklearn(classifier, [("text", vectorizer)])
            predicted = candidate.predict(dev_texts)
            figures = evaluate(dev_gold, predicted, _labels(predicted, dev_gold))
            temperature, loss = _calibrate(candidate, dev_texts, dev_gold)
            tuning.append(
                {
                    "C": value,
                    "balanced": balanced,
                    "accuracy": figures["accuracy"],
                    "macro_f1": figures["macro_f1"],
                    "temperature": temperature,
                    "log_loss": loss,
                }
            )
            # Dev is small (a handful of records in several classes), so macro-F1 swings with one record:
            # the calibrated log loss, a proper score over every record, decides; macro-F1 breaks ties.
            rank = (-round(loss, 3), figures["macro_f1"])
            if best is None or rank > best[0]:
                best = (rank, value, balanced, temperature, candidate)
    assert best is not None
    _, chosen, balanced, temperature, model = best
    # Calibration: the temperature fitted on dev is folded into the weights (softmax(s / T)).
    model = LinearModel(model.classes, model.blocks, [], model.coef / temperature, model.intercept / temperature, metadata={
        "name": NAME, "version": VERSION, "trained": date.today().isoformat(), "C": chosen,
        "class_weight": "balanced" if balanced else None, "temperature": temperature, "seed": seed,
        "mask": MASK, "input": "title and abstract, digits folded to 0"})  # fmt: skip
    save(model, Path(out))
    stored = LinearModel.load(Path(out))  # figures of the stored model, as it is used
    metrics: dict[str, Any] = {
        "name": NAME,
        "version": VERSION,
        "seed": seed,
        "C": chosen,
        "class_weight": "balanced" if balanced else None,
        "temperature": temperature,
        "tuning": tuning,
        "data": info,
        "classes": stored.classes,
        "features": {block.name: block.size for block in stored.blocks},
    }
    for split in ("dev", "test"):
        if examples[split]:
            metrics[split] = split_figures(stored, examples[split])
    if held_out:
        metrics["medline"] = held_out_figures(stored, held_out)
    # The chooser: rules and model calibrated on every record the model was not trained on whose label does not
    # come from the cues; judged out-of-fold (cross-fitted by title) and as fitted.
    from ..extract.thresholds import thresholds

    groups = calibration_rows(stored, examples, held_out)
    if any(groups.values()):  # none in a tiny test set: the chooser then keeps the raw confidences
        limits = {k: float(v) for k, v in thresholds().items() if k.startswith("design_")}
        table, metrics["chooser"] = chooser_report(groups, limits)
        metrics["chooser_calibration"] = table.as_json()
        write_chooser_calibration(Path(out), table, groups)
    metrics["seconds"] = round(time.perf_counter() - started, 1)
    return metrics


# ------------------------------------------------------------------ the chooser's calibration

CALIBRATION_SOURCES = ("design_corpus", "formats", "pubmedqa")  # labels not read off the rule cues
CALIBRATION_FILE_NAME = "calibration.json"
# Platt scaling, not isotonic regression: on 5-fold CV over the calibration records its log loss was
# lower for the model (0.440 against 0.445-0.446) and close for the rules (0.189 against 0.182-0.202), and
# an isotonic curve stays flat below its first block (a weak rule cue then borrowed a strong one's 0.90).
# Re-checked cross-fitted over all 690 calibration records (scripts/eval_design_calibration.py, 2026-12-07):
# ECE 0.018 for Platt against 0.020-0.030 for smoothed isotonic curves (log loss 0.2687 against 0.2677-0.2770);
# a second Platt curve per branch on the stored confidence made it worse (0.026, log loss 0.2814), and so did
# a one-parameter Platt curve forced through the floors' points (0.041; ``keep_floor`` leaves the fit free).
CROSS_FIT_FOLDS = 5  # folds of the cross-fitted figure (by title key): each record judged by a map fitted without it
RULE_KIND, MODEL_KIND = "rule:design", "model:design"


@dataclass(frozen=True)
class ChooserRow:
    """What the chooser sees of one record: the rules' pick and the model's, raw, and the weak label."""

    label: str
    source: str
    key: str  # the record's title key
    rule: tuple[str, float] | None  # (label, raw confidence) of the rules' strongest candidate
    model: tuple[str, float]  # (label, probability) of the model's top label


def chooser_rows(model: LinearModel, examples: Sequence[Example]) -> list[ChooserRow]:
    """The rules' and the model's picks on each record's unmasked text, as extraction makes them."""
    from ..extract.design import _CASE_DESCRIBED
    from ..extract.design.rules import find_design
    from ..textlayer import analyse

    kept = [e for e in examples if e.raw]
    probabilities = model.predict_proba([normalise(e.raw) for e in kept])
    rows = []
    for example, row in zip(kept, probabilities, strict=True):
        first = example.raw.split("\n\n", 1)[0]
        span = (0, len(first)) if example.source.startswith(("formats", "screening")) and "\n\n" in example.raw else None
        found = find_design(analyse(example.raw), 0, len(example.raw), span)
        best = max(found, key=lambda c: c.confidence) if found else None
        ranked = sorted(zip(model.classes, map(float, row), strict=True), key=lambda pair: -pair[1])
        if not any(c.value in REVIEW_DESIGNS for c in found):  # as extraction asks the model
            ranked = primary_designs(ranked)
        if ranked[0][0] == "case_report" and not _CASE_DESCRIBED.search(example.raw):  # as extraction does
            ranked = [pair for pair in ranked if pair[0] != "case_report"]
        rows.append(ChooserRow(example.label, example.source.split("/")[0], example.key,
                               (best.value, best.confidence) if best else None, ranked[0]))  # fmt: skip
    return rows


def fit_chooser_calibration(rows: Sequence[ChooserRow], anchors: dict[str, tuple[float, float]] | None = None) -> Any:
    """One Platt curve for the rules' picks and one for the model's (raw confidence -> share right); ``anchors``
    (``choice_anchors``): by kind, the raw confidence from which the curve must reach a floor (``keep_floor``)."""
    from ..models.calibration import Calibration, fit_platt, keep_floor

    ruled = [r for r in rows if r.rule is not None]
    kinds = {MODEL_KIND: fit_platt([r.model[1] for r in rows], [r.model[0] == r.label for r in rows])}
    if ruled:
        kinds[RULE_KIND] = fit_platt([r.rule[1] for r in ruled], [r.rule[0] == r.label for r in ruled])
    for kind, (raw, floor) in (anchors or {}).items():
        if kind in kinds:
            kinds[kind] = keep_floor(kinds[kind], raw, floor)
    return Calibration("design", kinds)


def choice_anchors(table: Any, limits: dict[str, float]) -> dict[str, tuple[float, float]]:
    """(raw confidence, floor) by kind: from where ``table`` (the map the design thresholds were tuned with) lets a
    rule's label pass its floor (``design_min_confidence``) and the model's pass its own
    (``design_model_min_probability``); a stored confidence is rounded to 3 places, so from where it reaches the
    floor less half a thousandth. A map refitted to these points (``keep_floor``) admits the same candidates, so
    it changes stored confidences, not choices (with ``design_min_confidence`` >= ``design_rule_trusted``, a
    rule's label that passes its floor is never compared with the model's, so the two floors are all the choice
    reads)."""
    floors = {RULE_KIND: limits["design_min_confidence"], MODEL_KIND: limits["design_model_min_probability"]}
    # up to the next 4th decimal (the knots' precision): no raw confidence (3 places) lies between, and a map
    # already refitted this way gives back its own point
    return {kind: (math.ceil(table.kinds[kind].inverse(floor - 0.0005) * 1e4 - 1e-6) / 1e4, floor)
            for kind, floor in floors.items() if kind in table.kinds}  # fmt: skip


def simulate_choice(row: ChooserRow, table: Any, limits: dict[str, float]) -> tuple[str | None, float | None]:
    """The label and stored confidence ``extract.choice.choose`` gives a record (the same floors and order)."""
    chosen: tuple[str, float] | None = None
    if row.rule is not None:
        probability = round(table.probability(RULE_KIND, row.rule[1]), 3)  # stored, and read, to 3 places
        if probability >= limits["design_min_confidence"]:
            chosen = (row.rule[0], probability)
    if chosen is None or chosen[1] < limits["design_rule_trusted"]:
        probability = round(table.probability(MODEL_KIND, row.model[1]), 3)
        if probability >= limits["design_model_min_probability"] and (chosen is None or probability > chosen[1]):
            chosen = (row.model[0], probability)
    return chosen if chosen is not None else (None, None)


def chooser_figures(rows: Sequence[ChooserRow], table: Any, limits: dict[str, float]) -> dict[str, Any]:
    """``choice_figures`` of the choices ``table`` gives the rows."""
    return choice_figures(rows, [simulate_choice(r, table, limits) for r in rows])


def choice_figures(rows: Sequence[ChooserRow], picks: Sequence[tuple[str | None, float | None]]) -> dict[str, Any]:
    """Accuracy over every record (an abstention counts wrong), coverage, and the reliability of the
    answered records' stored confidence; ``picks`` are the rows' (label, stored confidence)."""
    from ..models.calibration import reliability

    answered = [(p[1], p[0] == r.label) for p, r in zip(picks, rows, strict=True) if p[0] is not None]
    figures = {
        "records": len(rows),
        "accuracy": float(np.mean([p[0] == r.label for p, r in zip(picks, rows, strict=True)])) if rows else None,
        "coverage": len(answered) / len(rows) if rows else None,
        "rules_alone_accuracy": float(np.mean([(r.rule or ("", 0))[0] == r.label for r in rows])) if rows else None,
        "model_alone_accuracy": float(np.mean([r.model[0] == r.label for r in rows])) if rows else None,
    }
    figures["reliability"] = reliability([a[0] for a in answered], [a[1] for a in answered])
    return figures


def calibration_rows(model: LinearModel, examples: dict[str, list[Example]], held_out: Sequence[HeldOutRecord]
                     ) -> dict[str, list[ChooserRow]]:
    """The records the chooser's calibration is fitted and judged on, as chooser rows by group: every record
    the model was not trained on whose label does not come from the rule cues (the dev and test splits of
    ``CALIBRATION_SOURCES``; the held-out MEDLINE records whose publication types give one label)."""
    rows = {split: chooser_rows(model, [e for e in examples.get(split, []) if e.source.split("/")[0]
                                        in CALIBRATION_SOURCES]) for split in ("dev", "test")}  # fmt: skip
    rows["medline"] = medline_chooser_rows(model, held_out) if held_out else []
    return rows


def cross_fitted_choices(rows: Sequence[ChooserRow], limits: dict[str, float], folds: int = CROSS_FIT_FOLDS,
                         anchors: dict[str, tuple[float, float]] | None = None
                         ) -> list[tuple[str | None, float | None]] | None:
    """Each row's (label, stored confidence) under a map fitted on the other folds (folded by the MD5 of the
    title key, so copies of a record share a fold): what a record the map never saw is given. None when a fold
    leaves nothing to fit on."""
    picks: list[tuple[str | None, float | None]] = [(None, None)] * len(rows)
    bucket = [hash_bucket(r.key, folds) for r in rows]
    for fold in sorted(set(bucket)):
        rest = [r for r, b in zip(rows, bucket, strict=True) if b != fold]
        if not rest:
            return None
        table = fit_chooser_calibration(rest, anchors)
        for k, b in enumerate(bucket):
            if b == fold:
                picks[k] = simulate_choice(rows[k], table, limits)
    return picks


def chooser_report(groups: dict[str, list[ChooserRow]], limits: dict[str, float], folds: int = CROSS_FIT_FOLDS,
                   anchors: dict[str, tuple[float, float]] | None = None,
                   train_folds: list[ChooserRow] | None = None) -> tuple[Any, dict[str, Any]]:
    """The map fitted on every group's rows (through ``anchors``, when given), and its figures: ``cross_fitted``
    (out-of-fold, the honest held-out figure, over all the rows and by group) and each group as fitted
    (``calibration_fitted``). ``train_folds`` (``fold_model_rows``): the train split's records judged by fold
    models; given, ``cross_fitted_with_train_folds`` is the cross-fitted figure over them and the groups (the
    shipped map is still fitted on the groups alone: their confidences are the committed model's)."""
    everything = [r for rows in groups.values() for r in rows]
    table = fit_chooser_calibration(everything, anchors)
    chooser: dict[str, Any] = {"thresholds": limits}
    if anchors:
        chooser["anchors"] = {kind: list(point) for kind, point in anchors.items()}
    entry = cross_fitted_figures(groups, limits, folds, anchors)
    if entry is not None:
        chooser["cross_fitted"] = entry
    if train_folds:
        entry = cross_fitted_figures({**groups, "train (fold models)": train_folds}, limits, folds, anchors)
        if entry is not None:
            chooser["cross_fitted_with_train_folds"] = {**entry, "train_folds": True}
    for group, rows in groups.items():
        if rows:
            chooser[group] = {**chooser_figures(rows, table, limits), "calibration_fitted": True}
    return table, chooser


def cross_fitted_figures(groups: dict[str, list[ChooserRow]], limits: dict[str, float], folds: int = CROSS_FIT_FOLDS,
                         anchors: dict[str, tuple[float, float]] | None = None) -> dict[str, Any] | None:
    """``choice_figures`` of the cross-fitted choices over every group's rows, with the figures of each group and of
    each source (the MEDLINE records apart); None when the rows are too few to fold."""
    everything = [r for rows in groups.values() for r in rows]
    picks = cross_fitted_choices(everything, limits, folds, anchors)
    if picks is None:
        return None
    entry = {**choice_figures(everything, picks), "cross_fitted": folds, "groups": {}, "sources": {}}
    names: list[str] = []
    first = 0
    for group, rows in groups.items():
        if rows:
            entry["groups"][group] = choice_figures(rows, picks[first : first + len(rows)])
        first += len(rows)
        names += ["medline" if group == "medline" else r.source for r in rows]
    for name in dict.fromkeys(names):
        index = [k for k, n in enumerate(names) if n == name]
        entry["sources"][name] = choice_figures([everything[k] for k in index], [picks[k] for k in index])
    return entry


def fold_model_rows(examples: dict[str, list[Example]], settings: dict[str, Any], folds: int = CROSS_FIT_FOLDS,
                    progress: Any = None) -> list[ChooserRow]:
    """The train split's records of ``CALIBRATION_SOURCES`` as chooser rows, each judged by a model refitted on the
    train split without its fold (``settings``: the committed model's C, class weighting, temperature and seed),
    since the committed model was trained on them. Slow: one fit per fold (about half a minute each)."""
    from .linear import from_sklearn

    rows: list[ChooserRow] = []
    for fold in range(folds):
        train = [e for e in examples["train"] if hash_bucket(e.key, folds) != fold]
        judged = [e for e in examples["train"] if hash_bucket(e.key, folds) == fold
                  and e.source.split("/")[0] in CALIBRATION_SOURCES]  # fmt: skip
        if not train or not judged:
            continue
        classifier, vectorizer = _fit(train, float(settings["C"]), bool(settings.get("class_weight")),
                                      int(settings.get("seed", 0)))  # fmt: skip
        fitted = from_sklearn(classifier, [("text", vectorizer)])
        temperature = float(settings.get("temperature", 1.0))
        model = LinearModel(fitted.classes, fitted.blocks, [], fitted.coef / temperature,
                            fitted.intercept / temperature, metadata={})  # fmt: skip
        rows += chooser_rows(model, judged)
        if progress:
            progress(f"train fold {fold}: {len(train)} records fitted, {len(judged)} judged")
    return rows


def write_chooser_calibration(out: Path, table: Any, groups: dict[str, list[ChooserRow]]) -> None:
    """``calibration.json`` in ``out``: the map and what it was fitted on."""
    from ..models.calibration import CALIBRATION_FILE

    fitted_on = (f"dev and test splits of {', '.join(CALIBRATION_SOURCES)} and the held-out MEDLINE AUROC records "
                 f"whose publication types give one label (" + ", ".join(f"{g} {len(r)}" for g, r in groups.items())
                 + "), unmasked text")  # fmt: skip
    (Path(out) / CALIBRATION_FILE).write_text(json.dumps(table.as_json(
        fitted_on=fitted_on, trainer="extractor.training.design"), indent=1) + "\n", encoding="utf-8")  # fmt: skip


def refit_calibration(shared: Path, out: Path = DEFAULT_PATH, train_folds: bool = False,
                      progress: Any = None) -> dict[str, Any]:
    """Refit the chooser's calibration of the model in ``out`` without retraining it (after the rules change):
    rewrites ``calibration.json``, the chooser figures of ``metrics.json`` and the card's chooser section;
    returns the new chooser figures. The curves are refitted through the raw points where the map they replace
    meets the design floors (``choice_anchors``), so the choices the floors were tuned for stay as they are.
    ``train_folds``: also the cross-fitted figure with the train split judged by fold models (``fold_model_rows``;
    a few minutes)."""
    from ..extract.thresholds import thresholds

    out = Path(out)
    model = LinearModel.load(out)
    held_out = medline_held_out(Path(shared))
    examples, _ = load_examples(Path(shared), {r.key for r in held_out if r.key})
    groups = calibration_rows(model, examples, held_out)
    if not any(groups.values()):
        raise NoTrainingData(f"no calibration records (design corpus, formats, PubMedQA, MEDLINE) under {shared}")
    limits = {k: float(v) for k, v in thresholds().items() if k.startswith("design_")}
    committed = out / CALIBRATION_FILE_NAME
    anchors = None
    if committed.is_file():  # the thresholds were tuned with this map: keep its floors' raw points
        from ..models.calibration import parse

        anchors = choice_anchors(parse(json.loads(committed.read_text(encoding="utf-8"))), limits)
    extra = fold_model_rows(examples, model.metadata, progress=progress) if train_folds else None
    table, chooser = chooser_report(groups, limits, anchors=anchors, train_folds=extra)
    write_chooser_calibration(out, table, groups)
    metrics_path = out / METRICS_FILE
    metrics = json.loads(metrics_path.read_text(encoding="utf-8"))
    metrics["chooser"], metrics["chooser_calibration"] = chooser, table.as_json()
    metrics_path.write_text(json.dumps(metrics, indent=1) + "\n", encoding="utf-8")
    card = out / CARD_FILE
    if card.is_file():
        card.write_text(replace_section(card.read_text(encoding="utf-8"), "## The chooser",
                                        "\n".join(_chooser_section(metrics))), encoding="utf-8")  # fmt: skip
    return chooser


def replace_section(text: str, heading: str, section: str) -> str:
    """``text`` (Markdown) with the section that starts at the line ``heading...`` replaced by ``section``
    (up to the next ``## `` heading); ``section`` appended when there is none."""
    lines = text.split("\n")
    starts = [k for k, line in enumerate(lines) if line.startswith(heading)]
    if not starts:
        return text.rstrip("\n") + "\n\n" + section.rstrip("\n") + "\n"
    first = starts[0]
    last = next((k for k in range(first + 1, len(lines)) if lines[k].startswith("## ")), len(lines))
    return "\n".join([*lines[:first], *section.rstrip("\n").split("\n"), "", *lines[last:]])


def medline_chooser_rows(model: LinearModel, records: Sequence[HeldOutRecord]) -> list[ChooserRow]:
    """The held-out MEDLINE records whose publication types give one label, as chooser rows."""
    examples = []
    for record in records:
        label = publication_type_label(record.publication_types)
        if label is not None and record.has_abstract:
            examples.append(Example(record.key, record.text, label, "formats/medline", None, record.text))
    return chooser_rows(model, examples)


def _calibrate(model: LinearModel, texts: Sequence[str], gold: Sequence[str]) -> tuple[float, float]:
    """The temperature that minimises log loss on ``texts`` and that log loss (records of unknown labels left out)."""
    scores = model.decision_function(texts)
    if scores.ndim == 1:  # two classes: sigmoid(s) is softmax([0, s])
        scores = np.column_stack([np.zeros_like(scores), scores])
    known = [k for k, label in enumerate(gold) if label in model.classes]
    if not known:
        return 1.0, float("nan")
    index = [model.classes.index(gold[k]) for k in known]
    temperature = fit_temperature(scores[known], index)
    loss = calibration(softmax(scores[known] / temperature), index)["log_loss"]
    return temperature, loss


def _labels(predicted: Iterable[str], gold: Iterable[str]) -> list[str]:
    """The labels that occur in gold or predictions, in LABELS order (as scikit-learn counts them)."""
    present = set(predicted) | set(gold)
    return [label for label in LABELS if label in present]


def split_figures(model: LinearModel, examples: Sequence[Example]) -> dict[str, Any]:
    """Accuracy, macro-F1 and calibration on masked inputs, and accuracy with the phrase left in."""
    gold = [e.label for e in examples]
    probabilities = model.predict_proba([normalise(e.text) for e in examples])
    predicted = [model.classes[k] for k in probabilities.argmax(axis=1)]
    figures = evaluate(gold, predicted, _labels(predicted, gold))
    known = [k for k, label in enumerate(gold) if label in model.classes]
    figures["calibration"] = calibration(probabilities[known], [model.classes.index(gold[k]) for k in known])
    figures["by_source"] = {}
    for source in sorted({e.source.split("/")[0] for e in examples}):
        rows = [k for k, e in enumerate(examples) if e.source.split("/")[0] == source]
        figures["by_source"][source] = {
            "n": len(rows),
            "accuracy": float(np.mean([predicted[k] == gold[k] for k in rows])),
        }
    return figures

COMMAND = ".venv/bin/python scripts/train_design.py"


def _figure(value: float) -> str:
    return f"{value:.3f}"


def _figures_table(metrics: dict[str, Any]) -> list[str]:
    lines = ["| design | precision | recall | F1 | records |", "|---|---|---|---|---|"]
    for label in metrics["labels"]:
        row = metrics["per_class"][label]
        lines.append(f"| {label} | {_figure(row['precision'])} | {_figure(row['recall'])} | {_figure(row['f1'])} "
                     f"| {row['support']} |")  # fmt: skip
    lines.append(f"| **accuracy** | | | {_figure(metrics['accuracy'])} | {metrics['n']} |")
    lines.append(f"| **macro-F1** | | | {_figure(metrics['macro_f1'])} | |")
    calibration = metrics["calibration"]
    lines += ["", f"Calibration: expected calibration error {_figure(calibration['ece'])}, Brier "
              f"{_figure(calibration['brier'])}, log loss {_figure(calibration['log_loss'])}. Accuracy by source: "
              + ", ".join(f"{source} {_figure(row['accuracy'])} ({row['n']})"
                          for source, row in metrics["by_source"].items()) + "."]  # fmt: skip
    return lines


def _counts_table(rows: dict[str, dict[str, int]], first: str) -> list[str]:
    labels = [label for label in LABELS if any(label in row for row in rows.values())]
    lines = [f"| {first} | " + " | ".join(labels) + " | all |", "|---" * (len(labels) + 2) + "|"]
    for name, row in rows.items():
        lines.append(f"| {name} | " + " | ".join(str(row.get(label, 0)) for label in labels)
                     + f" | {sum(row.values())} |")  # fmt: skip
    return lines


def _annotation_line(metrics: dict[str, Any]) -> str:
    used = (metrics.get("data") or {}).get("labels_by_source", {}).get("annotations", {})
    return annotation_line(metrics, sum(used.values()), "studies used as examples")


def _reliability_table(table: dict[str, Any]) -> list[str]:
    lines = ["| stored confidence | records | mean confidence | share right |", "|---|---|---|---|"]
    for row in table["bins"]:
        lines.append(f"| {row['low']:.1f}-{row['high']:.1f} | {row['n']} | {row['confidence']:.3f} | "
                     f"{row['accuracy']:.3f} |")  # fmt: skip
    return lines


CHOOSER_GROUPS = {"dev": "dev split", "test": "test split", "medline": "MEDLINE AUROC records"}
RECALIBRATE_COMMAND = ".venv/bin/python scripts/eval_design_calibration.py --write"


def _noise_note(table: dict[str, Any]) -> str:
    from ..models.calibration import ece_noise

    noise = ece_noise(table, draws=20000)
    return f"{_figure(noise['calibrated_mean'])} / {_figure(noise['calibrated_p95'])}"


def _chooser_section(metrics: dict[str, Any]) -> list[str]:
    """The chooser's calibration and its figures on held-out public data, for the model card."""
    chooser = metrics.get("chooser")
    if not chooser:
        return []
    groups = [g for g in CHOOSER_GROUPS if g in chooser]
    lines = [
        "## The chooser: calibrated rules and model",
        "",
        "Extraction asks the rules first (`extractor/extract/design/rules.py`) and the model when the rules' "
        "calibrated confidence is below `design_rule_trusted`; the more probable of the two is chosen if it reaches "
        "its floor (`design_min_confidence` for a rule's label, `design_model_min_probability` for the model's), "
        "else the design is null. The model's label is its most probable one, except that without a review cue "
        "among the rules' candidates its review labels are passed over (`primary_designs`: a review states "
        "itself), and its case_report is passed over when no patient or case is described. Both confidences are "
        f"first mapped to the probability of being right by `{CALIBRATION_FILE_NAME}` (Platt scaling on the logit of "
        "the raw confidence, one curve for the rules' pick and one for the model's top label). The stored "
        "confidence is that probability. Thresholds when these figures were taken: "
        + ", ".join(f"`{k}` {v:g}" for k, v in chooser["thresholds"].items()) + ".",
        "",
        "The curves are fitted on every public record the model was not trained on whose label does not come from "
        f"the rule cues, on the unmasked text as extraction sees it: the dev and test splits of "
        f"{', '.join(CALIBRATION_SOURCES)} (the model's dev split chose its C and temperature, never its weights) "
        "and the held-out MEDLINE AUROC records whose publication types give one label. The screening records "
        "are left out: their labels are the rule cues' own. The held-out figure is cross-fitted: the records are "
        "folded by the MD5 of their title, and each is judged by curves fitted on the other folds.",
        "",
        f"- **Refit the curves** on the committed model (after the rules change; nothing is retrained): "
        f"`{RECALIBRATE_COMMAND}`, which prints the comparisons behind the choice of Platt scaling.",
        *(["- **Floors kept**: refitted, each curve still reaches its floor from the raw confidence where the curve "
           "it replaced did (" + ", ".join(f"`{kind}` from {point[0]:g} -> {point[1]:g}" for kind, point in
                                           chooser["anchors"].items())
           + "; `keep_floor`), so a refit changes stored confidences, not choices: the design thresholds were "
           "tuned by cross-validation on the dev gold with those."] if chooser.get("anchors") else []),
        "",
        "| records | accuracy (null counts wrong) | answered | rules alone | model alone | ECE of the answered "
        "| ECE of a perfectly calibrated source (mean / 95%) |",
        "|---|---|---|---|---|---|---|",
    ]

    def row(name: str, figures: dict[str, Any]) -> str:
        return (f"| {name}: {figures['records']} | {_figure(figures['accuracy'])} | {_figure(figures['coverage'])} | "
                f"{_figure(figures['rules_alone_accuracy'])} | {_figure(figures['model_alone_accuracy'])} | "
                f"{_figure(figures['reliability']['ece'])} | {_noise_note(figures['reliability'])} |")

    crossed = chooser.get("cross_fitted")
    if crossed:
        folds = crossed["cross_fitted"]
        lines.append(row(f"**all, cross-fitted ({folds} folds, held out)**", crossed))
        for group, figures in crossed["groups"].items():
            lines.append(row(f"{CHOOSER_GROUPS.get(group, group)}, cross-fitted", figures))
    for group in groups:
        lines.append(row(f"{CHOOSER_GROUPS[group]}, as fitted", chooser[group]))
    if crossed:
        lines += ["", "Reliability, all records, cross-fitted (held out):", "",
                  *_reliability_table(crossed["reliability"])]
    wider = chooser.get("cross_fitted_with_train_folds")
    if wider:
        lines += [
            "",
            "The records above are mostly MEDLINE's (trials, case reports). The train split's records of "
            f"{', '.join(CALIBRATION_SOURCES)} (cohort, case-control, cross-sectional and qualitative studies among "
            "them) can be judged too by models refitted on the train split without their fold (the committed "
            "model's C, class weighting and temperature; `fold_model_rows`), and the curves cross-fitted over them "
            f"and the records above (`{RECALIBRATE_COMMAND} --train-folds`; the shipped curves stay fitted on the "
            "committed model's records alone):",
            "",
            "| records | accuracy (null counts wrong) | answered | rules alone | model alone | ECE of the answered "
            "| ECE of a perfectly calibrated source (mean / 95%) |",
            "|---|---|---|---|---|---|---|",
            row("**all, cross-fitted, train split by fold models**", wider),
            *(row(f"{CHOOSER_GROUPS.get(group, group)}", figures) for group, figures in wider["groups"].items()),
            *(row(f"source {source}", figures) for source, figures in wider["sources"].items()),
        ]
    return lines + [""]


def model_card(metrics: dict[str, Any], size_bytes: int, seed: int) -> str:
    """The model card in Markdown."""
    data = metrics["data"]
    medline = metrics["medline"]
    rules = medline["rules"]
    command = COMMAND if seed == 0 else f"{COMMAND} --seed {seed}"
    lines = [
        "# Study design",
        "",
        "Design label of a study (the 14 labels of `../shared/eval/FORMAT.md`, those with training records) from "
        "its title and abstract, with calibrated probabilities (`extractor/models/design.py`, `predict_design`). "
        "Extraction consults it when the rules' calibrated design confidence is below `design_rule_trusted` "
        "(`extractor/data/combine.json`) and keeps the more probable of the two (see *The chooser* below); its "
        "value's source is `model:design@<version>`.",
        "",
        f"- **Version** {metrics['version']}, trained {date.today().isoformat()} in {metrics['seconds']:.0f} s "
        f"(seed {seed}, Python {platform.python_version()}, scikit-learn {package_version('sklearn')}, "
        f"numpy {package_version('numpy')}).",
        f"- **Rebuild** (from the repository root, with `../shared` beside it): `{command}`",
        f"- **Files** `{MODEL_FILE}` (settings, vocabulary, classes, C, temperature), `{WEIGHTS_FILE}` (idf, "
        f"coefficients, intercepts; float32, no pickle), `{CALIBRATION_FILE_NAME}` (the chooser's calibration "
        f"curves, as knots), `{METRICS_FILE}` (every figure below); "
        f"{size_bytes / 1e6:.1f} MB in all. Loaded and run with numpy alone (`extractor.models.linear`).",
        "",
        "## Training data (weak labels)",
        "",
        "- `../shared/data/design_corpus/design.jsonl`: the label given from an explicit statement; the "
        "statement (`evidence`) is masked.",
        "- `../shared/screening/*.csv` (~14,000 records): the rule cues of `extractor/extract/design/rules.py` run on "
        f"the **title alone**; a record counts when the chosen cue stands in the title with confidence >= "
        f"{TITLE_CONFIDENCE} and the record has an abstract of {MIN_ABSTRACT}+ characters. "
        "Input: title + abstract, the title's cue phrase masked wherever it occurs.",
        f"- `../shared/formats/{{{','.join(FORMAT_FOLDERS)}}}`: MEDLINE publication types mapped by the "
        "`publication_types` table of `extractor/data/design.json` (records whose types give one label); the "
        "rule cues of that label found in the text are masked.",
        "- `../shared/data/pubmedqa_mesh` (PubMedQA's 1,000 expert-labelled abstracts and their MeSH headings): "
        "Case-Control Studies -> case_control, Cross-Sectional Studies -> cross_sectional, Cohort, Longitudinal "
        "or Retrospective Studies -> cohort, Qualitative Research, Focus Groups or Interviews as Topic -> "
        "qualitative; records with trial, pilot or feasibility headings, with two of these designs, or with "
        "Prospective or Follow-Up Studies alone (MEDLINE gives those to many trials) are left out. Input: the abstract (the question-form title is not a title), the rule "
        "cues of the label masked.",
        f"- `annotations/*.jsonl` (annotators' records, found again in `--documents` by content hash): "
        f"{_annotation_line(metrics)}; they always go to train.",
        "",
        f"The deciding phrase becomes the word `{MASK}`, so the model has to learn the wording around design "
        "statements (allocation, follow-up, search strategy, interviews...) rather than the statement. Digits are "
        "folded to `0`. Records are deduplicated by normalised title (design corpus first, then exports, PubMedQA "
        "by PMID, then screening) and any title of the held-out MEDLINE set is dropped; the rest are split 80/10/10 by the "
        "MD5 of the normalised title.",
        "",
        f"Found: {', '.join(f'{source} {count}' for source, count in data['found'].items())}; dropped: "
        f"{', '.join(f'{reason} {count}' for reason, count in data['dropped'].items()) or 'none'}; "
        f"kept {data['kept']}.",
        "",
        *_counts_table(data["labels_by_source"], "source"),
        "",
        *_counts_table(data["labels_by_split"], "split"),
        "",
        "## Model",
        "",
        "Multinomial logistic regression (scikit-learn, lbfgs, L2) over TF-IDF of words and word pairs of "
        f"title + abstract ({metrics['features']['text']} terms seen in 2+ training records, at most "
        f"{MAX_TERMS}, sublinear). For each C and class weighting, one temperature is fitted on dev by "
        "log loss; the pair with the lowest calibrated dev log loss is kept (dev macro-F1 swings with single "
        "records of the small classes, so it only breaks ties). The chosen temperature "
        f"T = {metrics['temperature']:g} is folded into the stored weights (probabilities are softmax(scores / T)).",
        "",
        "| C | class weight | dev accuracy | dev macro-F1 | temperature | dev log loss |",
        "|---|---|---|---|---|---|",
    ]
    for row in metrics["tuning"]:
        chosen = (
            " (chosen)"
            if row["C"] == metrics["C"] and (row["balanced"] == bool(metrics["class_weight"]))
            else ""
        )
        weight = "balanced" if row["balanced"] else "none"
        lines.append(
            f"| {row['C']:g}{chosen} | {weight} | {_figure(row['accuracy'])} | {_figure(row['macro_f1'])} "
            f"| {row['temperature']:g} | {_figure(row['log_loss'])} |"
        )
    lines += [
        "",
        "## Test figures (held-out split, deciding phrase masked)",
        "",
        *_figures_table(metrics["test"]),
        "",
        "Macro-F1 is over the labels that occur in test or are predicted there (a label predicted "
        "with no test record counts as F1 0); several have fewer than five test records, so it is noisy.",
        "",
        "## RCT vs rest on MEDLINE (held out, never trained on)",
        "",
        f"`../shared/data/robotreviewer_trialstreamer/robotreviewer/pubmed_test.txt`: {medline['records']} records, "
        f'{medline["randomised"]} with publication type "Randomized Controlled Trial" (the label); input is '
        f"title + abstract only, publication types hidden, nothing masked. {medline['with_abstract']} records "
        "have an abstract; the rest are scored on the title alone.",
        "",
        "| | AUROC | precision | recall | F1 |",
        "|---|---|---|---|---|",
        f"| model, P(rct) + P(cluster_rct) | {_figure(medline['auroc'])} | "
        f"{_figure(medline['model_at_0.5']['precision'])} | {_figure(medline['model_at_0.5']['recall'])} | "
        f"{_figure(medline['model_at_0.5']['f1'])} |",
        f"| model, records with an abstract | {_figure(medline['auroc_with_abstract'])} | | | |",
        f"| rules (`find_design`, no publication types) | - | {_figure(rules['precision'])} | "
        f"{_figure(rules['recall'])} | {_figure(rules['f1'])} |",
        "",
        "Model precision/recall at probability 0.5. Rules: the chosen label is rct or cluster_rct.",
        "",
        *_chooser_section(metrics),
        "## Dev figures",
        "",
        *_figures_table(metrics["dev"]),
        "",
        "## Use and limits",
        "",
        "- `predict_design(text)` takes a title and abstract (`record_text(title, abstract)`) and returns every "
        "known label with its probability, most probable first.",
        "- The labels are weak: a title cue or publication type, not a reading of the study. The screening sets "
        "are medical (drug classes, toxicology, neurology) plus one software-engineering set, so rct, case "
        "report and reviews dominate; cohort, case-control, cross-sectional, mixed methods and umbrella reviews "
        "have few records and low recall. Rules should decide when the text states the design.",
        "- The model's own temperature is fitted on dev of the same weak-label sources, phrase masked; the chooser's "
        "curves then recalibrate it on unmasked text. On the MEDLINE records P(rct) + P(cluster_rct) >= 0.5 over-calls randomised trials "
        f"(precision {_figure(medline['model_at_0.5']['precision'])}, recall "
        f"{_figure(medline['model_at_0.5']['recall'])}).",
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
    size = write_metrics_and_card(args.out, metrics, lambda size: model_card(metrics, size, args.seed))
    medline = metrics["medline"]
    print(
        f"test accuracy {metrics['test']['accuracy']:.3f}, macro-F1 {metrics['test']['macro_f1']:.3f}; "
        f"MEDLINE RCT AUROC {medline['auroc']:.3f} (rules P {medline['rules']['precision']:.3f} "
        f"R {medline['rules']['recall']:.3f}); C={metrics['C']:g}; {size / 1e6:.1f} MB; "
        f"{metrics['seconds']:.0f} s",
        file=sys.stderr,
    )
    return 0
