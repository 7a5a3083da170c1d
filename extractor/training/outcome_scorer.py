"""Rebuilding ``models/outcome_scorer/``, the model of ``extractor.models.outcome_scorer``.

Outcome scorer: a logistic regression over a candidate phrase's words, shapes and neighbouring words, the
outcome-span tagger's probabilities over it and the generator that proposed it (a rule and its confidence,
the tagger, a noun-phrase chunk), trained on whether the phrase names a measured outcome.

Candidates are made on public texts exactly as extraction makes them (``find_outcomes``, the tagger's spans,
``chunk_spans`` of what neither covers), and labelled from the texts' annotations:

* **evidence-inference** (``data/evidence_inference``): the abstracts of the prompts (their ``Outcome``,
  ``Intervention`` and ``Comparator`` phrases, written by annotators). A candidate whose name matches an
  outcome phrase of its article is positive, one that matches only an intervention or comparator is
  negative, the others are left out (the prompts do not list every outcome). The corpus's own
  train / validation / test article splits are used.
* **EBM-NLP** (``data/ebm_nlp/scibert_ebmnlp``): outcome spans marked exhaustively. A candidate is
  positive when its name matches an outcome span it overlaps (or an item of a listed span), negative
  otherwise (fragments, interventions, participants, the rest). Only the expert test gold (191 abstracts) is
  read, as the test.
* **PICO corpus** (``data/pico_corpus_sociocom``): as EBM-NLP, the tagger's dev documents only. EBM-NLP's
  crowd-labelled and the Weng lab consensus documents the tagger held out are the public dev texts outcome
  choices are tuned on, so the scorer does not train on them.
* **RCT-ART** (``data/rct_art/gold_corpus``): result sentences with outcome (``OC``) and arm (``INTV``)
  spans, as EBM-NLP; split by a hash of the sentence.

Names match as ``../shared/eval/FORMAT.md`` says outcomes are matched (case and punctuation aside, a close
spelling, or one the abbreviation or most of the words of the other). The classifier is fitted on train;
its probability is Platt-scaled on dev (calibration), and the figures are taken on test: log-loss, AUROC,
the reliability table and the expected calibration error.

    extractor train outcome_scorer [--shared ../shared]
    .venv/bin/python scripts/train_outcome_scorer.py [--shared ../shared] [--out DIR]
"""

from __future__ import annotations

import csv
import platform
import re
import sys
import tarfile
import time
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

import numpy as np

from ..models.calibration import reliability as shared_reliability
from ..models.outcome_scorer import (
    DEFAULT_PATH,
    DENSE_FEATURES,
    NAME,
    VERSION,
    Candidate,
    TokenProbabilities,
    calibrate,
    candidate_rows,
    token_probabilities_of,
    unit_candidates,
)
from .common import NoTrainingData, hash_split, package_version, trainer_arguments, write_metrics_and_card

EI = Path("data/evidence_inference/annotations")
EBM_POOL = Path("data/ebm_nlp/scibert_ebmnlp/dev.txt")
EBM_TEST = Path("data/ebm_nlp/scibert_ebmnlp/test.txt")
WENG = Path("data/evidence_outcomes/consensus")
PICO = Path("data/pico_corpus_sociocom/pico_corpus_brat_annotated_files")
RCT_ART = Path("data/rct_art/gold_corpus")
SOURCES = {"ei": "evidence-inference prompts", "ebm": "EBM-NLP", "weng": "Weng lab consensus", "pico": "PICO corpus",
           "rct_art": "RCT-ART"}
COMMAND = ".venv/bin/python scripts/train_outcome_scorer.py"
SPLITS = ("train", "dev", "test")
BLOCKS = ("phrase", "shape", "context", "sentence")
BINS = 10


@dataclass
class Text:
    """A public text with what its annotation says: outcome phrases (with character spans when the
    annotation marks them in the text) and non-outcome phrases; ``exhaustive`` when every outcome is marked."""

    doc_id: str
    source: str
    split: str
    text: str
    outcomes: list[str]
    outcome_spans: list[tuple[int, int]] = field(default_factory=list)
    others: list[str] = field(default_factory=list)
    exhaustive: bool = False
    token_offsets: list[tuple[int, int]] = field(default_factory=list)  # a tokenised corpus's tokens


# ------------------------------------------------------------------ names matching as the scorer matches them


def fold(text: str) -> str:
    return re.sub(r"[\W_]+", " ", unicodedata.normalize("NFKC", str(text)).casefold()).strip()


def names_match(first: str, second: str) -> bool:
    """Two outcome names naming the same outcome, as FORMAT.md says outcomes are matched."""
    a, b = fold(first), fold(second)
    if not a or not b:
        return False
    if a == b or SequenceMatcher(None, a, b).ratio() >= 0.9:
        return True
    (short, raw_short), (long_, _) = sorted(((a, first), (b, second)), key=lambda pair: len(pair[0]))
    if len(short) < 3 or re.search(rf"\b{re.escape(short)}\b", long_) is None:
        return False
    return re.search(r"[A-Z]{2,}", str(raw_short)) is not None or len(short.split()) * 2 > len(long_.split())


_ITEMS = re.compile(r"[;,]|\b(?:and/or|and|or)\b")


def items_of(phrase: str) -> list[str]:
    """A phrase and, when it lists several, each item of the list."""
    parts = [part.strip() for part in _ITEMS.split(phrase) if len(part.strip()) >= 3]
    return [phrase, *parts] if len(parts) > 1 else [phrase]


# ------------------------------------------------------------------ reading the public data


def ei_texts(shared: Path) -> Iterator[Text]:
    """evidence-inference abstracts with their prompts' outcome, intervention and comparator phrases."""
    folder = shared / EI
    split_of: dict[str, str] = {}
    for split, name in (("train", "train"), ("dev", "validation"), ("test", "test")):
        for line in (folder / "splits" / f"{name}_article_ids.txt").read_text().split():
            split_of[line.strip()] = split
    prompts: dict[str, tuple[list[str], list[str]]] = {}
    with open(folder / "prompts_merged.csv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            outcomes, others = prompts.setdefault(row["PMCID"], ([], []))
            if row["Outcome"].strip():
                outcomes.append(row["Outcome"].strip())
            others.extend(p.strip() for p in (row["Intervention"], row["Comparator"]) if p.strip())
    with tarfile.open(folder / "abstracts.tar.gz") as tar:
        for member in tar:
            found = re.search(r"PMC(\d+)\.abst$", member.name)
            if not member.isfile() or not found or found.group(1) not in prompts:
                continue
            handle = tar.extractfile(member)
            if handle is None:
                continue
            text = abstract_text(handle.read().decode("utf-8", errors="replace"))
            outcomes, others = prompts[found.group(1)]
            yield Text(found.group(1), "ei", split_of.get(found.group(1), "train"), text, outcomes, [], others)


def abstract_text(text: str) -> str:
    """Title and abstract of an evidence-inference ``.abst`` file, headings as a reader's copy has them."""
    lines: list[str] = []
    for line in text.splitlines():
        if line.startswith("BODY."):
            break
        if line == "TITLE.":
            continue
        if line.startswith("ABSTRACT.") and line.endswith("."):
            heading = line[len("ABSTRACT."):-1].strip()
            lines.append(f"{heading}:" if heading else "Abstract")
            continue
        lines.append(line)
    return "\n".join(lines).strip() + "\n"


def conll_texts(path: Path, split: str | None) -> Iterator[Text]:
    """EBM-NLP CoNLL documents (``word POS _ I-OUT``) as text with outcome, intervention and participant spans."""
    from .outcome_spans import detokenised_spaces

    def finish(pmid: str | None, words: list[str], labels: list[str]) -> Text | None:
        if pmid is None or not words:
            return None
        spaces = detokenised_spaces(words)
        text, offsets = "", []
        for word, space in zip(words, spaces, strict=True):
            offsets.append((len(text), len(text) + len(word)))
            text += word + (" " if space else "")
        runs: dict[str, list[tuple[int, int]]] = {}
        previous, begin = "O", 0
        for index, label in enumerate([*labels, "O"]):
            if label != previous:
                if previous != "O":
                    runs.setdefault(previous, []).append((offsets[begin][0], offsets[index - 1][1]))
                begin = index
            previous = label
        outcome_spans = runs.get("OUT", [])
        others = [text[s:e] for kind in ("INT", "PAR") for s, e in runs.get(kind, [])]
        document_split = split or ("dev" if hash_split(pmid, dev=(0,), test=()) == "dev" else "tagger_train")
        return Text(pmid, "ebm", document_split, text, [text[s:e] for s, e in outcome_spans], outcome_spans,
                    others, exhaustive=True, token_offsets=offsets)

    pmid: str | None = None
    words: list[str] = []
    labels: list[str] = []
    for line in Path(path).read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith("-DOCSTART-"):
            done = finish(pmid, words, labels)
            if done:
                yield done
            found = re.search(r"\((\d+)\)", line)
            pmid, words, labels = (found.group(1) if found else None), [], []
            continue
        parts = line.split()
        if parts:
            words.append(parts[0])
            labels.append(parts[-1][2:] if parts[-1].startswith("I-") else "O")
    done = finish(pmid, words, labels)
    if done:
        yield done


def weng_texts(shared: Path) -> Iterator[Text]:
    """Weng lab consensus abstracts with their ``Outcome`` spans (the outcome-span tagger's dev documents)."""
    from .outcome_spans import brat_spans

    for ann in sorted((shared / WENG).glob("*.ann")):
        if hash_split(ann.stem, dev=(0,), test=()) != "dev":
            continue
        text = ann.with_suffix(".txt").read_text(encoding="utf-8")
        spans = brat_spans(ann, frozenset({"Outcome"}))
        yield Text(ann.stem, "weng", "train", text, [text[s:e] for s, e in spans], spans, [], exhaustive=True)


def pico_texts(shared: Path, exclude: frozenset[str] = frozenset()) -> Iterator[Text]:
    """PICO corpus abstracts with their ``outcome`` and ``outcome-Measure`` spans, the outcome-span tagger's dev
    documents only (its probabilities on its own training documents would be too good), less the PMIDs in
    ``exclude`` (documents the tagger read as another corpus's)."""
    from .outcome_spans import brat_spans

    for ann in sorted((shared / PICO).glob("*.ann")):
        if ann.stem in exclude or hash_split(ann.stem, dev=(0,), test=()) != "dev":
            continue
        text = ann.with_suffix(".txt").read_text(encoding="utf-8")
        spans = brat_spans(ann, frozenset({"outcome", "outcome-Measure"}))
        yield Text(ann.stem, "pico", "train", text, [text[s:e] for s, e in spans], spans, [], exhaustive=True)


def rct_art_texts(shared: Path) -> Iterator[Text]:
    """RCT-ART result sentences with their outcome (``OC``) and arm (``INTV``) spans."""
    import json

    for path in sorted((shared / RCT_ART).glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
            record = json.loads(line)
            text = record["text"]
            spans = [(s["start"], s["end"]) for s in record.get("spans", []) if s.get("label") == "OC"]
            others = [text[s["start"]:s["end"]] for s in record.get("spans", []) if s.get("label") == "INTV"]
            key = f"{path.stem}:{number}"
            split = hash_split(key, dev=(8,), test=(9,))
            yield Text(key, "rct_art", split, text, [text[s:e] for s, e in spans], spans, others, exhaustive=True)


def ebm_dev_texts(shared: Path, test: list[Text] | None = None) -> list[Text]:
    """EBM-NLP's crowd-labelled documents the outcome-span tagger held out (its dev split), less any document of
    the expert test split (``test`` when already read)."""
    if test is None:
        test = list(conll_texts(Path(shared) / EBM_TEST, "test"))
    held_out = {t.doc_id for t in test}
    return [t for t in conll_texts(Path(shared) / EBM_POOL, None) if t.split == "dev" and t.doc_id not in held_out]


def load_texts(shared: Path) -> list[Text]:
    shared = Path(shared)
    for path in (EI, EBM_POOL, EBM_TEST, WENG, PICO, RCT_ART):
        if not (shared / path).exists():
            raise NoTrainingData(f"{shared / path} not found: pass the folder that holds data/ (--shared)")
    test = list(conll_texts(shared / EBM_TEST, "test"))
    texts = list(ei_texts(shared))
    # The exhaustively marked documents the tagger held out train the scorer: the PICO corpus's. EBM-NLP's
    # crowd-labelled and the Weng lab's held-out documents are the public dev texts choices are tuned on
    # (scripts/eval_outcomes_public.py --split dev), so they stay out of training.
    seen = {t.doc_id for t in test} | {t.doc_id for t in conll_texts(shared / EBM_POOL, None)}
    seen |= {ann.stem for ann in (shared / WENG).glob("*.ann")}
    texts += list(pico_texts(shared, frozenset(seen)))
    texts += test
    texts += list(rct_art_texts(shared))
    return texts


# ------------------------------------------------------------------ candidates and their labels


@dataclass
class Rows:
    """Labelled candidates of a split: their inputs, labels and sources."""

    blocks: dict[str, list[str]] = field(default_factory=lambda: {name: [] for name in BLOCKS})
    dense: list[np.ndarray] = field(default_factory=list)
    labels: list[int] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)

    def add(self, blocks: dict[str, list[str]], dense: np.ndarray, labels: list[int], source: str,
            kinds: list[str]) -> None:
        for name, values in blocks.items():
            self.blocks[name].extend(values)
        self.dense.append(dense)
        self.labels.extend(labels)
        self.sources.extend([source] * len(labels))
        self.kinds.extend(kinds)

    def matrix(self) -> np.ndarray:
        return np.vstack(self.dense) if self.dense else np.zeros((0, len(DENSE_FEATURES)))


def text_candidates(text: str, model: Any) -> tuple[list[Candidate], TokenProbabilities]:
    """The candidates extraction would score in a text: rule mentions, tagger spans, uncovered chunks."""
    from ..extract.outcomes.rules import find_outcomes, read_sentences
    from ..models.outcome_spans import predict_tokens, spans_of_tokens
    from ..textlayer import analyse

    layer = analyse(text)
    words, starts, probabilities = predict_tokens(text, model=model)
    tokens = token_probabilities_of(words, starts, probabilities)
    rules = [c for c in find_outcomes(layer) if c.start is not None and c.end is not None]
    spans = spans_of_tokens(words, starts, probabilities, model.token_threshold)
    tagged = [(s.start, s.end) for s in spans if not any(s.start < c.end and c.start < s.end for c in rules)]
    candidates = unit_candidates(text, read_sentences(layer), [(c.start, c.end, float(c.confidence)) for c in rules],
                                 tagged)
    return candidates, tokens


def label_of(document: Text, candidate: Candidate) -> int | None:
    """1 an outcome, 0 not one, None unknown (a text whose annotation does not list every outcome)."""
    phrase = document.text[candidate.start:candidate.end]
    if document.outcome_spans:
        for (start, end), outcome in zip(document.outcome_spans, document.outcomes, strict=True):
            if start < candidate.end and candidate.start < end and any(names_match(phrase, item)
                                                                        for item in items_of(outcome)):
                return 1
        return 0 if document.exhaustive else None
    if any(names_match(phrase, item) for outcome in document.outcomes for item in items_of(outcome)):
        return 1
    if any(names_match(phrase, other) for other in document.others):
        return 0
    return 0 if document.exhaustive else None


def build_rows(texts: Sequence[Text], log: Any = None, unknown: int | None = None) -> dict[str, Rows]:
    """Labelled candidates of each split; a candidate of unknown label is left out, or given ``unknown``."""
    from ..models.outcome_spans import load_model

    model = load_model()
    rows = {split: Rows() for split in SPLITS}
    for number, document in enumerate(texts):
        if document.split not in rows:
            continue
        candidates, tokens = text_candidates(document.text, model)
        labelled = [(c, label) for c in candidates
                    if (label := label_of(document, c) if unknown is None else _or(label_of(document, c), unknown))
                    is not None]
        if not labelled:
            continue
        blocks, dense = candidate_rows(document.text, [c for c, _ in labelled], tokens)
        rows[document.split].add(blocks, dense, [label for _, label in labelled], document.source,
                                 [c.kind for c, _ in labelled])
        if log and number % 500 == 0:
            log(f"{number} / {len(texts)} texts")
    return rows


def _or(label: int | None, unknown: int) -> int:
    return unknown if label is None else label


# ------------------------------------------------------------------ fitting, calibration and figures


def fit(train: Rows, c_value: float = 1.0) -> tuple[Any, list[tuple[str, Any]]]:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    from .linear import sklearn_matrix

    vectorizers = [
        ("phrase", TfidfVectorizer(token_pattern=r"[^\s]+", ngram_range=(1, 2), min_df=3, sublinear_tf=True,
                                   max_features=30000)),
        ("shape", TfidfVectorizer(token_pattern=r"[^\s]+", min_df=3, binary=True, max_features=20000)),
        ("context", TfidfVectorizer(token_pattern=r"[^\s]+", min_df=3, binary=True, max_features=20000)),
        ("sentence", TfidfVectorizer(token_pattern=r"[^\s]+", min_df=5, binary=True, max_features=20000)),
    ]
    for name, vectorizer in vectorizers:
        vectorizer.fit(train.blocks[name])
    matrix = sklearn_matrix(vectorizers, train.blocks, train.matrix())
    classifier = LogisticRegression(C=c_value, max_iter=2000, class_weight=None)
    classifier.fit(matrix, np.asarray(train.labels))
    return classifier, vectorizers


def platt(raw: np.ndarray, labels: np.ndarray) -> dict[str, float]:
    """Platt scaling fitted on held-out rows: the a and b of ``calibrate``."""
    from sklearn.linear_model import LogisticRegression

    clipped = np.clip(raw, 1e-6, 1 - 1e-6)
    logits = np.log(clipped / (1 - clipped)).reshape(-1, 1)
    scaler = LogisticRegression(C=1e6, max_iter=1000).fit(logits, labels)
    return {"a": float(scaler.coef_[0, 0]), "b": float(scaler.intercept_[0])}


def reliability(probabilities: np.ndarray, labels: np.ndarray, bins: int = BINS) -> dict[str, Any]:
    """``models.calibration.reliability`` (confidence bins against the observed share of outcomes, and the
    expected calibration error) under the names of this model's card."""
    table = shared_reliability(probabilities, labels.astype(bool), bins)
    return {"table": [{"bin": f"{row['low']:.1f}-{row['high']:.1f}", "n": row["n"],
                       "mean_probability": row["confidence"], "observed": row["accuracy"]} for row in table["bins"]],
            "ece": table["ece"]}


def figures(probabilities: np.ndarray, labels: np.ndarray) -> dict[str, Any]:
    from sklearn.metrics import log_loss, roc_auc_score

    predicted = probabilities >= 0.5
    right = int((predicted & (labels == 1)).sum())
    precision = right / max(1, int(predicted.sum()))
    recall = right / max(1, int((labels == 1).sum()))
    return {
        "n": int(len(labels)), "positives": int(labels.sum()),
        "auroc": round(float(roc_auc_score(labels, probabilities)), 4) if 0 < labels.sum() < len(labels) else None,
        "log_loss": round(float(log_loss(labels, probabilities, labels=[0, 1])), 4),
        "precision_at_0.5": round(precision, 4), "recall_at_0.5": round(recall, 4),
        "f1_at_0.5": round(2 * precision * recall / (precision + recall), 4) if precision + recall else 0.0,
        "reliability": reliability(probabilities, labels),
    }


@contextmanager
def scorer_at(folder: Path) -> Iterator[None]:
    """Extraction reads the scorer in ``folder`` (a model being trained) while the block runs."""
    from ..models import outcome_scorer

    stored = outcome_scorer.DEFAULT_PATH
    outcome_scorer.DEFAULT_PATH = Path(folder)
    try:
        yield
    finally:
        outcome_scorer.DEFAULT_PATH = stored


def train(shared: Path, out: Path, seed: int = 0, log: Any = None) -> dict[str, Any]:
    """Fit the mention scorer and the chooser among a unit's outcomes, write them to ``out``; the metrics."""
    from ..extract.thresholds import thresholds
    from ..models.linear import _load_once  # noqa: PLC2701 (the cache of stored models)
    from ..models.outcome_scorer import group_chooser, load_scorer
    from .linear import from_sklearn, save

    started = time.perf_counter()
    texts = load_texts(shared)
    rows = build_rows(texts, log, unknown=0)
    for split in SPLITS:
        if not rows[split].labels:
            raise NoTrainingData(f"no labelled candidates for {split}")
    classifier, vectorizers = fit(rows["train"])
    model = from_sklearn(classifier, vectorizers, DENSE_FEATURES, {"version": VERSION, "name": NAME})
    raw = {split: model.predict_proba(rows[split].blocks, rows[split].matrix())[:, 1] for split in SPLITS}
    labels = {split: np.asarray(rows[split].labels) for split in SPLITS}
    calibration = platt(raw["dev"], labels["dev"])
    model.metadata["calibration"] = calibration
    save(model, out)
    metrics: dict[str, Any] = {
        "name": NAME, "version": VERSION, "seed": seed, "trained": date.today().isoformat(),
        "calibration": calibration,
        "counts": {split: _counts(rows[split]) for split in SPLITS},
        "ei_negatives": "every other candidate of the article is negative (the prompts name the outcomes "
                        "annotators picked from the article, as a reader lists a study's outcomes).",
    }
    for split in ("dev", "test"):
        calibrated = calibrate(raw[split], calibration)
        metrics[split] = {"uncalibrated": figures(raw[split], labels[split]),
                          "calibrated": figures(calibrated, labels[split])}
        by_source = {}
        for source in SOURCES:
            mask = np.asarray(rows[split].sources) == source
            if mask.sum() and 0 < labels[split][mask].sum() < mask.sum():
                by_source[source] = figures(calibrated[mask], labels[split][mask])
        metrics[split]["by_source"] = by_source
        metrics[split]["ece"] = metrics[split]["calibrated"]["reliability"]["ece"]  # the headline calibration
    with scorer_at(out):
        group_rows = build_group_rows(texts, log)
        settings = fit_groups(group_rows)
        model.metadata["group_model"] = settings
        save(model, out)
        _load_once.cache_clear()  # the stored model now holds its chooser
        limits = thresholds()
        metrics["groups"] = {
            "counts": {split: {"groups": len(group_rows[split].labels), "outcomes": int(sum(group_rows[split].labels))}
                       for split in SPLITS},
            "dev": group_figures(settings, group_rows["dev"]),
            "test": group_figures(settings, group_rows["test"]),
            "keep_min": limits["outcome_group_keep_min_probability"],
            "add_min": limits["outcome_group_add_min_probability"],
            "model_floor": limits["outcome_model_min_probability"],
            "ebm_test_spans": ebm_reported_spans(
                [t for t in texts if t.source == "ebm" and t.split == "test"],
                group_chooser(limits["outcome_group_keep_min_probability"],
                              limits["outcome_group_add_min_probability"], load_scorer(out)),
                limits["outcome_model_min_probability"]),
        }
    metrics["seconds"] = round(time.perf_counter() - started, 1)
    return metrics


def _counts(rows: Rows) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    for source, label in zip(rows.sources, rows.labels, strict=True):
        row = counts.setdefault(source, {"candidates": 0, "outcomes": 0})
        row["candidates"] += 1
        row["outcomes"] += label
    return counts


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _f(value: Any) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _reliability_lines(reliability: dict[str, Any]) -> list[str]:
    lines = ["| probability bin | candidates | mean probability | share that are outcomes |", "|---|---|---|---|"]
    for row in reliability["table"]:
        lines.append(f"| {row['bin']} | {row['n']:,} | {_f(row['mean_probability'])} | {_f(row['observed'])} |")
    return lines


def model_card(metrics: dict[str, Any], size_bytes: int) -> str:
    """The model card in Markdown."""
    test, dev = metrics["test"]["calibrated"], metrics["dev"]["calibrated"]
    lines = [
        "# Outcome scorer",
        "",
        "Scores each outcome candidate of a study unit (a rule mention, an outcome-span tagger span, or a "
        "noun-phrase chunk of a sentence the rules read) with the calibrated probability that it names a measured "
        "outcome (`extractor/models/outcome_scorer.py`, `score_outcome_candidates`). Logistic regression over the "
        "candidate's words (1-2 grams), word shapes and head, the three words either side, the words of its "
        "sentence, and dense features: which generator proposed it, a rule's confidence, the tagger's outcome "
        "probability over its tokens (mean, max, min, the token either side), its length, brackets, capitals, "
        "digits, its sentence's weight (section and wording, as the rules weigh it), how often it is mentioned in "
        "the unit, and its position.",
        "",
        f"- **Version** {metrics['version']}, trained {metrics['trained']} ({metrics['seconds']:.0f} s with "
        f"candidate generation; Python {platform.python_version()}, scikit-learn {package_version('sklearn')}).",
        f"- **Rebuild** (from the repository root, with `../shared` beside it): `{COMMAND}` "
        "(or `extractor train outcome_scorer`). It reads the committed outcome-span tagger "
        "(`models/outcome_spans/`), whose probabilities are features: rebuild this model after that one.",
        f"- **Files** `model.json` (settings, vocabularies, calibration) and `weights.npz` (no pickle), read by "
        f"`extractor.models.linear.LinearModel`; `metrics.json` (every figure below); {size_bytes / 1e6:.1f} MB.",
        "",
        "## Training data",
        "",
        "Candidates are generated on each public text as extraction generates them and labelled from its "
        "annotation; names match as `../shared/eval/FORMAT.md` matches outcomes (an item of a listed outcome "
        "counts too).",
        "",
        "- **evidence-inference** prompts (`../shared/data/evidence_inference`): a candidate matching an "
        "annotator-written `Outcome` of its article is positive; " + metrics["ei_negatives"] + " The corpus's "
        "train / validation / test article splits are train / dev / test.",
        "- **EBM-NLP** (`scibert_ebmnlp`): outcome spans marked exhaustively; a candidate is positive when it "
        "matches an outcome span it overlaps, negative otherwise. Test only: the 191 expert-labelled documents. "
        "The crowd-labelled documents the outcome-span tagger held out, and the Weng lab consensus abstracts it "
        "held out, are not read: they are the public dev texts outcome choices are tuned on "
        "(`scripts/eval_outcomes_public.py --split dev`).",
        "- **PICO corpus** (`pico_corpus_sociocom`): `outcome` and `outcome-Measure` spans marked exhaustively, as "
        "EBM-NLP; train: the documents the outcome-span tagger held out for its dev split (its probabilities on its "
        "own training documents would flatter it), less PMIDs it read as another corpus's.",
        "- **RCT-ART** (`rct_art/gold_corpus`): result sentences, `OC` spans positive, split 80/10/10 by a hash.",
        "",
        "| split | corpus | candidates | outcomes |",
        "|---|---|---|---|",
    ]
    for split in SPLITS:
        for source, title in SOURCES.items():
            row = metrics["counts"][split].get(source)
            if row:
                lines.append(f"| {split} | {title} | {row['candidates']:,} | {row['outcomes']:,} |")
    lines += [
        "",
        "## Calibration",
        "",
        f"Platt scaling fitted on dev (probability = sigmoid({metrics['calibration']['a']:.3f} x log-odds + "
        f"{metrics['calibration']['b']:.3f})). Reliability on test (held out), all corpora:",
        "",
        *_reliability_lines(test["reliability"]),
        "",
        f"Expected calibration error (10 bins): test {_f(test['reliability']['ece'])}, dev "
        f"{_f(dev['reliability']['ece'])}; before calibration test "
        f"{_f(metrics['test']['uncalibrated']['reliability']['ece'])}. By corpus on test: "
        + ", ".join(f"{SOURCES[s]} {_f(f['reliability']['ece'])} (AUROC {_f(f['auroc'])}, n = {f['n']:,})"
                    for s, f in metrics["test"]["by_source"].items()) + ".",
        "",
        "## Test figures (held out)",
        "",
        "| split | candidates | outcomes | AUROC | log-loss | P at 0.5 | R at 0.5 | F1 at 0.5 | ECE |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for split in ("dev", "test"):
        f = metrics[split]["calibrated"]
        lines.append(f"| {split} | {f['n']:,} | {f['positives']:,} | {_f(f['auroc'])} | {_f(f['log_loss'])} | "
                     f"{_f(f['precision_at_0.5'])} | {_f(f['recall_at_0.5'])} | {_f(f['f1_at_0.5'])} | "
                     f"{_f(f['reliability']['ece'])} |")
    groups = metrics["groups"]
    lines += [
        "",
        "## The chooser among a unit's outcomes (`group_model`)",
        "",
        "Extraction groups a unit's eligible mentions by the outcome they name (`outcome_groups`: rule mentions "
        "at `outcome_min_confidence`, tagger spans and chunks whose score reaches `outcome_model_min_probability` "
        f"= {groups['model_floor']:g}). A standardised logistic regression over each group's features "
        "(`GROUP_FEATURES` of `extractor/models/outcome_scorer.py`: the best and mean mention score, mentions, "
        "the best rule confidence, which generators found it, instrument, abbreviation, first position, role, "
        "name length, the rules' group confidence) "
        "gives the probability that the group is one of the study's outcomes. Of the groups the rules would "
        "report, those at or above `outcome_group_keep_min_probability` are kept, and another group is added at "
        "or above `outcome_group_add_min_probability` (`extractor/data/combine.json`; at training "
        f"{groups['keep_min']:g} and {groups['add_min']}); a kept group reports its probability as its confidence. "
        "While the two thresholds cannot change the rules' choice, extraction does not score outcomes at all. Trained on the groups of evidence-inference train articles "
        "(positive when the group's name matches a prompt's outcome) and the PICO documents above (positive "
        "when it matches an outcome span), read as a user's copy of the abstract; Platt-scaled on "
        "evidence-inference validation; figures on the test splits:",
        "",
        "| split | groups | outcomes | AUROC | log-loss | P at 0.5 | R at 0.5 | ECE |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for split in ("dev", "test"):
        f = groups[split]
        lines.append(f"| {split} | {f['n']:,} | {f['positives']:,} | {_f(f['auroc'])} | {_f(f['log_loss'])} | "
                     f"{_f(f['precision_at_0.5'])} | {_f(f['recall_at_0.5'])} | {_f(f['reliability']['ece'])} |")
    lines += ["", "Reliability of the group probability on test:", "", *_reliability_lines(groups["test"]["reliability"])]
    spans = groups["ebm_test_spans"]
    lines += [
        "",
        "## Outcome spans on the EBM-NLP expert test gold, before and after",
        "",
        f"The mentions of the outcomes a unit reports, mapped to the gold tokens ({spans['documents']} abstracts). Before: rule "
        "mentions and tagger spans of probability 0.9 or more, chosen by the rules' strong-or-weak groups. After: "
        "the scorer's candidates and the group chooser at the stored thresholds.",
        "",
        "| system | spans | exact P | exact R | exact F1 | overlap P | overlap R | overlap F1 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for label in ("before", "after"):
        f = spans[label]
        lines.append(f"| {label} | {f['predicted_spans']:,} | " + " | ".join(
            _f(f[k]) for k in ("exact_precision", "exact_recall", "exact_f1", "overlap_precision",
                                "overlap_recall", "overlap_f1")) + " |")
    lines += [
        "",
        "## Use and limits",
        "",
        "- In extraction by default (the chooser off) the scorer only rescues: a tagger span under "
        "`outcome_model_min_probability` whose probability reaches `outcome_scorer_rescue_min_probability`, and a "
        "rule mention under the rules' strong level (0.6) whose probability reaches "
        "`outcome_scorer_rescue_rule_min_probability`, join the choice at that floor or level "
        "(`score_weak_candidates` scores those alone). Both thresholds are the lowest at which the dev gold does "
        "not drop; the public dev texts (EBM-NLP crowd, Weng), which the scorer does not train on, gain as they "
        "fall (`extractor/data/combine.json` gives the figures).",
        "- The two chooser thresholds in `extractor/data/combine.json` are tuned by 5-fold cross-validation over "
        "the dev gold, folded by document: `.venv/bin/python scripts/tune_outcome_chooser.py` prints, for each "
        "pair, outcome F1 (P / R) on the 70 dev documents and on the 40 new ones, as fitted and cross-validated. "
        "When the chosen pair keeps the rules' choice (keep 0, add off), extraction does not score outcomes.",
        "- The training corpora are clinical RCT abstracts; the positives of evidence-inference are the outcomes "
        "annotators picked for their prompts, not every outcome, so the scale of the probabilities is set by "
        "that corpus (calibrated on its validation split); it is less well calibrated on EBM-NLP's exhaustive "
        "spans (the ECE by corpus above).",
        "- Scoring costs a pass over every chunk of a unit's sentences (one linear model over four text blocks) "
        "and the group features: with the chooser on, extraction with models takes about twice as long on "
        "`scripts/bench_extract.py`.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Rebuild the model from the command-line arguments (``trainer_arguments``); the exit status."""
    import shutil
    import tempfile

    args = trainer_arguments(__doc__, DEFAULT_PATH, argv)
    try:
        with tempfile.TemporaryDirectory(prefix="outcome_scorer_") as staging:
            metrics = train(args.shared, Path(staging) / "model", seed=args.seed, log=_log)
            if args.out.exists():
                shutil.rmtree(args.out)
            shutil.copytree(Path(staging) / "model", args.out)
    except NoTrainingData as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    size = write_metrics_and_card(args.out, metrics, lambda size: model_card(metrics, size))
    test = metrics["test"]["calibrated"]
    _log(f"test AUROC {_f(test['auroc'])}, ECE {_f(test['reliability']['ece'])}; {size / 1e6:.1f} MB; "
         f"{metrics['seconds']:.0f} s")
    return 0


# ------------------------------------------------------------------ the chooser among a unit's outcomes


@dataclass
class GroupRows:
    """Outcome groups of extracted public texts: features (``GROUP_FEATURES``), labels, sources."""

    features: list[list[float]] = field(default_factory=list)
    labels: list[int] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)


def unit_groups(text: str, name: str) -> list[tuple[Any, list[float]]]:
    """Each outcome group of a text's study units as extraction forms it from the eligible candidates, with
    its features."""
    from ..extract.choice import eligible, uncalibrated
    from ..extract.document import extract_document
    from ..extract.fields import spec_of
    from ..extract.outcomes.choice import outcome_groups
    from ..models.outcome_scorer import unit_rows
    from ..readers.text import parse_plain_text

    spec = spec_of("outcome")
    found = []
    for unit in extract_document(parse_plain_text(text, name), use_models=True):
        candidates = uncalibrated([v for v in unit.values if v.field == "outcome" and "mentions" not in v.attributes])
        groups = outcome_groups(eligible(spec, candidates))
        found.extend(zip(groups, unit_rows(groups), strict=True))
    return found


def group_label(document: Text, group: Any) -> int | None:
    """1 when the group names one of the text's outcomes, 0 when not, None when the annotation cannot say."""
    names = [group.display] + [str(m.value) for m in group.members]
    items = [item for outcome in document.outcomes for item in items_of(outcome)]
    if any(names_match(name, item) for name in names for item in items):
        return 1
    return 0


def build_group_rows(texts: Sequence[Text], log: Any = None) -> dict[str, GroupRows]:
    """Group rows of each split, from evidence-inference and EBM-NLP texts (read as a user's copy)."""
    rows = {split: GroupRows() for split in SPLITS}
    for number, document in enumerate(texts):
        if document.split not in rows or document.source not in ("ei", "ebm", "pico"):
            continue
        for group, features in unit_groups(document.text, f"{document.doc_id}.txt"):
            label = group_label(document, group)
            if label is None:
                continue
            rows[document.split].features.append(features)
            rows[document.split].labels.append(label)
            rows[document.split].sources.append(document.source)
        if log and number % 500 == 0:
            log(f"groups: {number} / {len(texts)} texts")
    return rows


def fit_groups(rows: dict[str, GroupRows]) -> dict[str, Any]:
    """A standardised logistic regression over the group features (train), Platt-scaled on dev."""
    from sklearn.linear_model import LogisticRegression

    from ..models.outcome_scorer import GROUP_FEATURES

    train = np.asarray(rows["train"].features, dtype=np.float64)
    mean, scale = train.mean(axis=0), train.std(axis=0)
    scale[scale == 0] = 1.0
    classifier = LogisticRegression(C=1.0, max_iter=2000).fit((train - mean) / scale, rows["train"].labels)
    settings: dict[str, Any] = {
        "features": list(GROUP_FEATURES), "mean": mean.tolist(), "scale": scale.tolist(),
        "coef": classifier.coef_[0].tolist(), "intercept": float(classifier.intercept_[0]),
        "calibration": {"a": 1.0, "b": 0.0},
    }
    from ..models.outcome_scorer import group_probabilities

    dev = group_probabilities(rows["dev"].features, settings)
    settings["calibration"] = platt(dev, np.asarray(rows["dev"].labels))
    return settings


def group_figures(settings: dict[str, Any], rows: GroupRows) -> dict[str, Any]:
    """Figures of the chooser on one split's groups (calibrated probabilities)."""
    from ..models.outcome_scorer import group_probabilities

    labels = np.asarray(rows.labels)
    result = figures(group_probabilities(rows.features, settings), labels)
    by_source = {}
    for source in ("ei", "ebm"):
        mask = np.asarray(rows.sources) == source
        if mask.sum() and 0 < labels[mask].sum() < mask.sum():
            by_source[source] = figures(group_probabilities(np.asarray(rows.features)[mask].tolist(), settings),
                                        labels[mask])
    result["by_source"] = by_source
    return result


def ebm_reported_spans(documents: Sequence[Text], keep: Any, model_floor: float) -> dict[str, dict[str, float]]:
    """Outcome spans on the EBM-NLP expert test gold, before and after the scorer: the mentions of the outcomes
    a unit reports. Before: rule mentions at their floor and tagger spans of probability 0.9 or more, chosen
    by the rules' strong-or-weak groups. After: rule mentions at their floor, tagger spans and chunks whose
    score reaches ``model_floor``, chosen by ``keep`` (``outcome_scorer.group_chooser``). Spans are mapped to the gold's
    tokens and scored exact and overlap (``outcome_spans.span_scores``)."""
    from ..extract.choice import uncalibrated
    from ..extract.document import extract_document
    from ..extract.outcomes.choice import STRONG, WEAK, outcome_groups
    from ..extract.thresholds import thresholds
    from ..readers.text import parse_plain_text
    from .outcome_spans import char_to_token_spans, span_scores

    rule_floor = thresholds()["outcome_min_confidence"]
    gold, before, after = [], [], []
    for document in documents:
        offsets = document.token_offsets
        gold.append(char_to_token_spans(offsets, document.outcome_spans))
        old_spans, new_spans = [], []
        for unit in extract_document(parse_plain_text(document.text, f"{document.doc_id}.txt"), use_models=True):
            candidates = uncalibrated([v for v in unit.values if v.field == "outcome" and "mentions" not in v.attributes])
            old = [c for c in candidates if (c.source.startswith("rule:") and c.confidence >= rule_floor)
                   or (c.attributes.get("matched") == "model" and c.attributes.get("span_probability", 0) >= 0.9)]
            groups = outcome_groups(old)
            strong = [g for g in groups if g.confidence >= STRONG] or [g for g in groups if g.confidence >= WEAK]
            old_spans += [(m.start, m.end) for g in strong for m in g.members]
            new = [c for c in candidates if (c.source.startswith("rule:") and c.confidence >= rule_floor)
                   or (c.source.startswith("model:") and c.confidence >= model_floor)]
            kept = keep(outcome_groups(new))
            new_spans += [(m.start, m.end) for g in kept for m in g.members]
        before.append(char_to_token_spans(offsets, old_spans))
        after.append(char_to_token_spans(offsets, new_spans))
    return {"documents": len(documents), "before": span_scores(gold, before), "after": span_scores(gold, after)}
