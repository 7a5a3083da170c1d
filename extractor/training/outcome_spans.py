"""Rebuilding ``models/outcome_spans/``, the model of ``extractor.models.outcome_spans``.

Outcome spans: a spaCy token tagger trained from scratch that marks outcome words in abstract text.

The component is spaCy's ``tagger`` over a small hash-embedding CNN (blank English, no pretrained
vectors), with two labels: ``OUT`` (the token is part of an outcome span) and ``O``. A span is a run
of tokens whose ``OUT`` probability reaches the stored token threshold; its probability is the mean
over its tokens. Trained on the outcome spans of EBM-NLP (the SciBERT copy of the labelled dev
documents), the Weng lab consensus annotations (``evidence_outcomes``) and the PICO corpus
(``outcome`` and ``outcome-Measure``); the EBM-NLP expert test gold is held out. Annotators'
records (``annotations/*.jsonl``) add their outcomes' evidence spans to train: those tokens are
``OUT`` and the rest of the study's text is left unlabelled (an annotator marks one evidence span
per outcome, not every mention), which the tagger's loss skips.

Trains a spaCy tagger from scratch (blank English) on the outcome spans of EBM-NLP (SciBERT copy of the
labelled dev documents), the Weng lab consensus abstracts and the PICO corpus, 90/10 train/dev by the MD5
of the PMID; keeps the best epoch on dev (early stopping), tunes the token threshold and the threshold
at which a model-only span joins the rules' outcomes on the EBM-NLP part of dev, and reports exact and
overlap span F1 on the EBM-NLP expert test gold for the model, the rules and the two merged. Annotators'
records in ``--annotations`` (their documents found in ``--documents``) add their outcome spans to train.

``main`` rebuilds the model into ``models/outcome_spans/`` (``DEFAULT_PATH`` of ``extractor.models.outcome_spans``,
which loads it) and writes its model card and ``metrics.json``:

    extractor train outcome_spans [--shared ../shared] [--annotations DIR] [--documents PLACE ...]
    .venv/bin/python scripts/train_outcome_spans.py [--shared ../shared] [--out DIR] [--seed 0]
"""

from __future__ import annotations

import platform
import random
import re
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ..extract.outcomes.rules import find_outcomes
from ..extract.thresholds import thresholds
from ..models.outcome_spans import (
    DEFAULT_PATH,
    LABEL,
    NAME,
    OUTSIDE,
    PIPE,
    VERSION,
    LoadedModel,
    _tokens,
    label_runs,
    load_model,
    model_outcome_candidates,
    predict_spans,
    probability_runs,
    token_probabilities,
)
from ..textlayer import analyse
from .annotated import annotated_studies
from .common import (
    METRICS_FILE,
    NoTrainingData,
    annotation_line,
    hash_split,
    package_version,
    trainer_arguments,
    write_metrics_and_card,
)

UNLABELLED = ""  # a token the annotation says nothing about: left out of the loss
SPLITS = ("train", "dev", "test")

EBM_TRAIN = Path(
    "data/ebm_nlp/scibert_ebmnlp/dev.txt"
)  # 960 labelled documents; the EBM-NLP train file is absent
EBM_TEST = Path("data/ebm_nlp/scibert_ebmnlp/test.txt")  # 191 expert-labelled documents (PMIDs in DOCSTART)
WENG = Path("data/evidence_outcomes/consensus")
PICO = Path("data/pico_corpus_sociocom/pico_corpus_brat_annotated_files")
WENG_TYPES = frozenset({"Outcome"})
PICO_TYPES = frozenset({"outcome", "outcome-Measure"})
SOURCES = {"ebm": "EBM-NLP", "weng": "Weng lab consensus", "pico": "PICO corpus"}
ANNOTATIONS = "annotations"  # the source of annotators' documents (train only)

# The tagger's network: small enough for a few MB on disk and a few ms per abstract on one core.
NETWORK = {"width": 32, "depth": 3, "embed_size": 3000, "window_size": 1, "maxout_pieces": 2}
TOKEN_THRESHOLDS = tuple(round(0.05 * step, 2) for step in range(4, 15))  # tried on dev
_NO_SPACE_BEFORE = re.compile(r"^[.,;:)\]%]$")
_NO_SPACE_AFTER = re.compile(r"^[(\[]$")


@dataclass
class Annotated:
    """One annotated abstract as tokens: words, whether a space follows each, and each token's label."""

    doc_id: str
    source: str  # ebm | weng | pico
    split: str
    words: list[str]
    spaces: list[bool]
    labels: list[str]
    sentence_starts: list[bool] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(w + (" " if s else "") for w, s in zip(self.words, self.spaces, strict=True))

    def token_offsets(self) -> list[tuple[int, int]]:
        """Character range of each token in ``text``."""
        offsets, position = [], 0
        for word, space in zip(self.words, self.spaces, strict=True):
            offsets.append((position, position + len(word)))
            position += len(word) + (1 if space else 0)
        return offsets


def detokenised_spaces(words: Sequence[str]) -> list[bool]:
    """Whether a space follows each token when tokens are joined as text is written (none before ``,``)."""
    spaces = []
    for index, word in enumerate(words):
        following = words[index + 1] if index + 1 < len(words) else None
        spaces.append(
            following is not None
            and not _NO_SPACE_BEFORE.match(following)
            and not _NO_SPACE_AFTER.match(word)
        )
    return spaces


def conll_documents(path: Path, split: str | None = None) -> Iterator[Annotated]:
    """Documents of a SciBERT-style EBM-NLP CoNLL file (``word POS _ I-OUT``), outcome tokens labelled."""
    pmid: str | None = None
    words: list[str] = []
    labels: list[str] = []
    starts: list[bool] = []
    new_sentence = True

    def finish() -> Annotated | None:
        if pmid is None or not words:
            return None
        return Annotated(
            pmid,
            "ebm",
            split or hash_split(pmid, dev=(0,), test=()),
            list(words),
            detokenised_spaces(words),
            list(labels),
            list(starts),
        )

    for line in Path(path).read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith("-DOCSTART-"):
            done = finish()
            if done:
                yield done
            found = re.search(r"\((\d+)\)", line)
            pmid = found.group(1) if found else None
            words, labels, starts, new_sentence = [], [], [], True
            continue
        parts = line.split()
        if not parts:
            new_sentence = True
            continue
        words.append(parts[0])
        labels.append(LABEL if parts[-1].endswith("-OUT") else OUTSIDE)
        starts.append(new_sentence)
        new_sentence = False
    done = finish()
    if done:
        yield done


def brat_spans(ann: Path, types: frozenset[str]) -> list[tuple[int, int]]:
    """Character ranges of the entities of the given types in a brat ``.ann`` file (fragments joined)."""
    spans = []
    for line in ann.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) < 2 or not parts[0].startswith("T"):
            continue
        kind, _, offsets = parts[1].partition(" ")
        if kind not in types:
            continue
        numbers = [int(n) for n in re.findall(r"\d+", offsets)]
        if numbers:
            spans.append((min(numbers), max(numbers)))
    return spans


def brat_documents(folder: Path, source: str, types: frozenset[str]) -> Iterator[Annotated]:
    """Documents of a brat folder, tokenised by spaCy's blank English, outcome tokens labelled."""
    from ..textlayer import blank_pipeline

    tokenizer = blank_pipeline()
    for ann in sorted(Path(folder).glob("*.ann")):
        text = ann.with_suffix(".txt").read_text(encoding="utf-8")
        spans = brat_spans(ann, types)
        doc = tokenizer.make_doc(text)
        words, spaces, labels = [], [], []
        for token in doc:
            if token.is_space:
                continue
            inside = any(token.idx < end and token.idx + len(token) > start for start, end in spans)
            words.append(token.text)
            spaces.append(bool(token.whitespace_) or (token.i + 1 < len(doc) and doc[token.i + 1].is_space))
            labels.append(LABEL if inside else OUTSIDE)
        if words:
            spaces[-1] = False
            yield Annotated(ann.stem, source, hash_split(ann.stem, dev=(0,), test=()), words, spaces, labels)


def load_documents(shared: Path) -> dict[str, list[Annotated]]:
    """Train, dev and test documents. Test is the EBM-NLP expert gold; its PMIDs are kept out of the pool,
    and a PMID annotated in several corpora is kept once (EBM-NLP first, then Weng, then PICO)."""
    shared = Path(shared)
    for path in (EBM_TRAIN, EBM_TEST, WENG, PICO):
        if not (shared / path).exists():
            raise NoTrainingData(f"{shared / path} not found: pass the folder that holds data/ (--shared)")
    test = list(conll_documents(shared / EBM_TEST, split="test"))
    seen = {document.doc_id for document in test}
    pool: list[Annotated] = []
    for documents in (
        conll_documents(shared / EBM_TRAIN),
        brat_documents(shared / WENG, "weng", WENG_TYPES),
        brat_documents(shared / PICO, "pico", PICO_TYPES),
    ):
        for document in documents:
            if document.doc_id in seen:
                continue
            seen.add(document.doc_id)
            pool.append(document)
    return {
        "train": [d for d in pool if d.split == "train"],
        "dev": [d for d in pool if d.split == "dev"],
        "test": test,
    }


def annotated_documents(studies: Iterable[Any]) -> list[Annotated]:
    """Annotators' studies (``training.annotated.AnnotatedStudy``) with outcome evidence spans, as training
    documents: tokens inside an outcome's span are ``OUT``, all others unlabelled; tokenised as prediction
    tokenises. A study whose outcomes have no span adds nothing."""
    documents = []
    for index, study in enumerate(studies):
        spans = [(span["start"], span["end"]) for span in study.spans if span.get("field") == "outcome"]
        if not spans:
            continue
        words, spaces, starts = _tokens(study.text)
        labels = [LABEL if any(begin < end and start < begin + len(word) for start, end in spans) else UNLABELLED
                  for word, begin in zip(words, starts, strict=True)]
        documents.append(Annotated(f"annotated:{study.doc_id}:{index}", ANNOTATIONS, "train", words, spaces,
                                   labels))
    return documents


def char_to_token_spans(
    offsets: Sequence[tuple[int, int]], spans: Iterable[tuple[int, int]]
) -> list[tuple[int, int]]:
    """Character ranges mapped to the token ranges they touch (an empty touch is dropped)."""
    result = []
    for start, end in spans:
        touched = [index for index, (low, high) in enumerate(offsets) if low < end and high > start]
        if touched:
            result.append((touched[0], touched[-1] + 1))
    return sorted(set(result))


def span_scores(
    gold: Sequence[Sequence[tuple[int, int]]], predicted: Sequence[Sequence[tuple[int, int]]]
) -> dict[str, float]:
    """Exact and overlap precision, recall and F1 of predicted spans against gold spans, per document pairs.

    Exact: a span counts when its token range equals one on the other side. Overlap: a predicted span
    counts for precision when it shares at least one token with a gold span, and a gold span counts for
    recall when at least one predicted span shares a token with it (precision and recall apart).
    """
    gold_total = predicted_total = exact = overlap_predicted = overlap_gold = 0
    for gold_spans, predicted_spans in zip(gold, predicted, strict=True):
        gold_set, predicted_set = set(gold_spans), set(predicted_spans)
        gold_total += len(gold_set)
        predicted_total += len(predicted_set)
        exact += len(gold_set & predicted_set)
        overlap_predicted += sum(any(_overlaps(p, g) for g in gold_set) for p in predicted_set)
        overlap_gold += sum(any(_overlaps(g, p) for p in predicted_set) for g in gold_set)
    scores = {"gold_spans": gold_total, "predicted_spans": predicted_total}
    for kind, right_predicted, right_gold in (
        ("exact", exact, exact),
        ("overlap", overlap_predicted, overlap_gold),
    ):
        precision = right_predicted / predicted_total if predicted_total else 0.0
        recall = right_gold / gold_total if gold_total else 0.0
        scores[f"{kind}_precision"] = precision
        scores[f"{kind}_recall"] = recall
        scores[f"{kind}_f1"] = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return scores


def _overlaps(first: tuple[int, int], second: tuple[int, int]) -> bool:
    return first[0] < second[1] and second[0] < first[1]


# ------------------------------------------------------------------ the spaCy component


def build_pipeline(network: dict[str, int] | None = None) -> Any:
    """Blank English with the outcome tagger (hash embeddings of NORM, PREFIX, SUFFIX, SHAPE; a CNN)."""
    import spacy

    settings = {**NETWORK, **(network or {})}
    nlp = spacy.blank("en")
    model = {
        "@architectures": "spacy.Tagger.v2",
        "nO": None,
        "normalize": False,
        "tok2vec": {
            "@architectures": "spacy.HashEmbedCNN.v2",
            "pretrained_vectors": None,
            "width": settings["width"],
            "depth": settings["depth"],
            "embed_size": settings["embed_size"],
            "window_size": settings["window_size"],
            "maxout_pieces": settings["maxout_pieces"],
            "subword_features": True,
        },
    }
    nlp.add_pipe("tagger", name=PIPE, config={"model": model})
    return nlp


def _doc(nlp: Any, document: Annotated, with_labels: bool) -> Any:
    from spacy.tokens import Doc

    return Doc(
        nlp.vocab, words=document.words, spaces=document.spaces, tags=document.labels if with_labels else None
    )


def evaluate(
    nlp: Any, documents: Sequence[Annotated], thresholds: Sequence[float]
) -> dict[float, dict[str, float]]:
    """Span scores of the tagger on annotated documents (their own tokens), for each token threshold."""
    docs = [_doc(nlp, d, with_labels=False) for d in documents]
    probabilities = []
    for start in range(0, len(docs), 64):
        probabilities.extend(token_probabilities(nlp, docs[start : start + 64]))
    gold = [label_runs(d.labels) for d in documents]
    results = {}
    for threshold in thresholds:
        predicted = [
            [(s, e) for s, e, _ in probability_runs(d.words, p, threshold)]
            for d, p in zip(documents, probabilities, strict=True)
        ]
        results[threshold] = span_scores(gold, predicted)
    return results


def selection_score(scores: dict[str, float]) -> float:
    """What tuning maximises: the mean of exact and overlap F1."""
    return (scores["exact_f1"] + scores["overlap_f1"]) / 2


def fit(
    train: Sequence[Annotated],
    dev: Sequence[Annotated],
    seed: int = 0,
    max_epochs: int = 12,
    patience: int = 2,
    batch_size: int = 16,
    dropout: float = 0.1,
    network: dict[str, int] | None = None,
    log: Callable[[str], None] | None = None,
) -> tuple[Any, list[dict[str, float]]]:
    """Train the tagger with fixed seeds; keep the epoch with the best dev selection score (at 0.5), its
    averaged weights.

    Stops after ``patience`` epochs without improvement. Returns the pipeline and one row per epoch.
    """
    import spacy
    from spacy.training import Example
    from spacy.util import minibatch

    spacy.util.fix_random_seed(seed)
    shuffler = random.Random(seed)
    nlp = build_pipeline(network)
    examples = [Example(_doc(nlp, d, with_labels=False), _doc(nlp, d, with_labels=True)) for d in train]
    optimizer = nlp.initialize(lambda: examples[:200])
    history: list[dict[str, float]] = []
    best_score, best_bytes, since_best = -1.0, None, 0
    for epoch in range(1, max_epochs + 1):
        started = time.perf_counter()
        order = list(examples)
        shuffler.shuffle(order)
        losses: dict[str, float] = {}
        for batch in minibatch(order, size=batch_size):
            nlp.update(batch, sgd=optimizer, drop=dropout, losses=losses)
        with nlp.use_params(optimizer.averages):  # as spaCy's own loop: judge and keep the averaged weights
            scores = evaluate(nlp, dev, (0.5,))[0.5]
            snapshot = nlp.to_bytes()
        score = selection_score(scores)
        row = {
            "epoch": epoch,
            "loss": round(losses.get(PIPE, 0.0), 2),
            "dev_exact_f1": scores["exact_f1"],
            "dev_overlap_f1": scores["overlap_f1"],
            "seconds": round(time.perf_counter() - started, 1),
        }
        history.append(row)
        if log:
            log(
                f"epoch {epoch}: loss {row['loss']}, dev exact F1 {scores['exact_f1']:.3f}, "
                f"overlap F1 {scores['overlap_f1']:.3f} ({row['seconds']} s)"
            )
        if score > best_score:
            best_score, best_bytes, since_best = score, snapshot, 0
        else:
            since_best += 1
            if since_best >= patience:
                break
    if best_bytes is not None:
        nlp.from_bytes(best_bytes)
    return nlp, history


def save(nlp: Any, out: Path, settings: dict[str, Any]) -> None:
    """Write the pipeline with ``to_disk`` (no vocab); settings (version, thresholds) go in its meta."""
    nlp.meta["name"] = NAME
    nlp.meta["version"] = f"{VERSION}.0.0"
    nlp.meta["outcome_spans"] = settings
    Path(out).mkdir(parents=True, exist_ok=True)
    # the vocab's strings are words of the training abstracts and prediction does not need them (the
    # embeddings hash the token's attributes), so they are not stored
    nlp.to_disk(out, exclude=["vocab"])

COMMAND = ".venv/bin/python scripts/train_outcome_spans.py"
MAX_EPOCHS = 15
PATIENCE = 3
MERGE_THRESHOLDS = tuple(round(0.05 * step, 2) for step in range(6, 19))
TARGET_PRECISION = 0.85  # what a model-only span must reach on dev (overlap) to be reported as an outcome
FIGURES = ("exact_precision", "exact_recall", "exact_f1", "overlap_precision", "overlap_recall", "overlap_f1")


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def systems_on_text(
    documents: list[Annotated], model: LoadedModel, rule_floor: float
) -> list[dict[str, Any]]:
    """For each document, run on its text as written: gold token spans, rule mentions (confidence at or
    above ``rule_floor``), the model's spans, and the model-only candidates that extraction adds
    (``model_outcome_candidates``), all as token ranges of the gold tokens."""
    rows = []
    for document in documents:
        text, offsets = document.text, document.token_offsets()
        candidates = find_outcomes(analyse(text))
        rules = [(c.start, c.end) for c in candidates if c.start is not None and c.confidence >= rule_floor]
        spans = predict_spans(text, model=model)
        alone = model_outcome_candidates(text, 0, len(text), candidates, rule_floor, model)
        rows.append(
            {
                "gold": label_runs(document.labels),
                "rules": char_to_token_spans(offsets, rules),
                "model": char_to_token_spans(offsets, [(s.start, s.end) for s in spans]),
                "alone": [(char_to_token_spans(offsets, [(c.start, c.end)]), c.confidence) for c in alone],
            }
        )
    return rows


def merged(row: dict[str, Any], threshold: float) -> list[tuple[int, int]]:
    """Rule mentions plus the model-only spans at or above ``threshold``."""
    extra = [span for spans, probability in row["alone"] if probability >= threshold for span in spans]
    return sorted(set(row["rules"]) | set(extra))


def score(rows: list[dict[str, Any]], system: str, threshold: float = 0.0) -> dict[str, float]:
    """Span scores of one system over the rows."""
    if system == "merged":
        predicted = [merged(row, threshold) for row in rows]
    elif system == "model_only":
        predicted = [[s for spans, p in row["alone"] if p >= threshold for s in spans] for row in rows]
    else:
        predicted = [row[system] for row in rows]
    return span_scores([row["gold"] for row in rows], predicted)


def tune_merge_threshold(rows: list[dict[str, Any]]) -> tuple[float, list[dict[str, float]]]:
    """The lowest probability from which on the model-only spans keep an overlap precision of at least
    ``TARGET_PRECISION`` on dev (a reported outcome should be a real one); the highest tried otherwise."""
    table = []
    for threshold in MERGE_THRESHOLDS:
        alone = score(rows, "model_only", threshold)
        both = score(rows, "merged", threshold)
        table.append(
            {
                "threshold": threshold,
                "model_only_spans": alone["predicted_spans"],
                "model_only_overlap_precision": alone["overlap_precision"],
                "merged_exact_f1": both["exact_f1"],
                "merged_overlap_f1": both["overlap_f1"],
            }
        )
    chosen = MERGE_THRESHOLDS[-1]
    for row in reversed(table):
        if row["model_only_spans"] and row["model_only_overlap_precision"] < TARGET_PRECISION:
            break
        chosen = row["threshold"]
    return chosen, table


def headline(scores: dict[str, float]) -> dict[str, Any]:
    """The model's figures as the top level of a split (what ``extractor evaluate`` prints), span counts
    one level down."""
    figures = rounded(scores)
    return {
        "spans": {"gold": figures.pop("gold_spans"), "predicted": figures.pop("predicted_spans")},
        **figures,
    }


def rounded(scores: dict[str, float]) -> dict[str, float]:
    return {key: round(value, 4) if isinstance(value, float) else value for key, value in scores.items()}


def train(shared: Path, out: Path, seed: int, annotated: Sequence[Any] = ()) -> dict[str, Any]:
    """Fit, tune, evaluate and save; returns the metrics. ``annotated`` are annotators' studies
    (``training.annotated.AnnotatedStudy``), added to train."""
    started = time.perf_counter()
    documents = load_documents(shared)
    documents["train"].extend(annotated_documents(annotated))
    ebm_dev = [d for d in documents["dev"] if d.source == "ebm"]
    _log(
        f"train {len(documents['train'])}, dev {len(documents['dev'])} ({len(ebm_dev)} EBM-NLP), "
        f"test {len(documents['test'])} documents"
    )
    nlp, history = fit(
        documents["train"], documents["dev"], seed=seed, max_epochs=MAX_EPOCHS, patience=PATIENCE, log=_log
    )
    trained_seconds = time.perf_counter() - started
    token_table = evaluate(nlp, ebm_dev, TOKEN_THRESHOLDS)
    token_threshold = max(
        token_table, key=lambda t: (selection_score(token_table[t]), -abs(t - 0.5))
    )
    model = LoadedModel(nlp, token_threshold, VERSION)
    rule_floor = thresholds()["outcome_min_confidence"]
    dev_rows = systems_on_text(ebm_dev, model, rule_floor)
    merge_threshold, merge_table = tune_merge_threshold(dev_rows)
    test_rows = systems_on_text(documents["test"], model, rule_floor)
    settings = {
        "version": VERSION,
        "token_threshold": token_threshold,
        "merge_threshold": merge_threshold,
        "seed": seed,
        "network": NETWORK,
    }
    save(nlp, out, settings)
    by_source = {}
    for source in SOURCES:
        part = [d for d in documents["dev"] if d.source == source]
        by_source[source] = rounded(evaluate(nlp, part, (token_threshold,))[token_threshold])
    test = headline(score(test_rows, "model"))
    test["rules"] = rounded(score(test_rows, "rules"))
    test["merged"] = rounded(score(test_rows, "merged", merge_threshold))
    test["merged_candidates"] = rounded(score(test_rows, "merged"))
    test["model_only_added"] = rounded(score(test_rows, "model_only", merge_threshold))
    dev = headline(score(dev_rows, "model"))
    dev["rules"] = rounded(score(dev_rows, "rules"))
    dev["merged"] = rounded(score(dev_rows, "merged", merge_threshold))
    dev["merged_candidates"] = rounded(score(dev_rows, "merged"))
    dev["by_source_on_tokens"] = by_source
    return {
        "name": NAME,
        "version": VERSION,
        "seed": seed,
        "trained": date.today().isoformat(),
        "token_threshold": token_threshold,
        "merge_threshold": merge_threshold,
        "rule_floor": rule_floor,
        "network": NETWORK,
        "counts": {split: _counts(documents[split]) for split in SPLITS},
        "epochs": history,
        "token_threshold_tuning": [
            {"threshold": t, **{k: round(v, 4) for k, v in token_table[t].items() if k in FIGURES}}
            for t in sorted(token_table)
        ],
        "merge_threshold_tuning": [rounded(row) for row in merge_table],
        "dev": dev,
        "test": test,
        "training_seconds": round(trained_seconds, 1),
        "seconds": round(time.perf_counter() - started, 1),
    }


def _counts(documents: list[Annotated]) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    for document in documents:
        row = counts.setdefault(document.source, {"documents": 0, "tokens": 0, "spans": 0})
        row["documents"] += 1
        row["tokens"] += len(document.words)
        row["spans"] += len(label_runs(document.labels))
    return counts


def _annotation_line(metrics: dict[str, Any]) -> str:
    used = (metrics["counts"].get("train") or {}).get(ANNOTATIONS, {}).get("documents", 0)
    return annotation_line(metrics, used, "studies with outcome spans used")


def prediction_speed(out: Path, shared: Path, rounds: int = 3) -> dict[str, float]:
    """Abstracts per second of ``predict_spans`` (tokenising included) on the EBM-NLP test texts."""
    model = load_model(out)
    texts = [d.text for d in conll_documents(shared / EBM_TEST, split="test")]
    best = float("inf")
    for _ in range(rounds):
        begun = time.perf_counter()
        for text in texts:
            predict_spans(text, model=model)
        best = min(best, time.perf_counter() - begun)
    return {"abstracts": len(texts), "abstracts_per_second": len(texts) / best}


def _f(value: float) -> str:
    return f"{value:.3f}"


def _score_row(label: str, scores: dict[str, Any]) -> str:
    predicted = scores["spans"]["predicted"] if "spans" in scores else scores["predicted_spans"]
    return f"| {label} | {predicted} | " + " | ".join(_f(scores[k]) for k in FIGURES) + " |"


SCORE_HEAD = [
    "| system | spans | exact P | exact R | exact F1 | overlap P | overlap R | overlap F1 |",
    "|---|---|---|---|---|---|---|---|",
]


def model_card(metrics: dict[str, Any], speed: dict[str, float], size_bytes: int, seed: int) -> str:
    """The model card in Markdown."""
    command = COMMAND if seed == 0 else f"{COMMAND} --seed {seed}"
    network = metrics["network"]
    test, dev = metrics["test"], metrics["dev"]
    lines = [
        "# Outcome-span tagger",
        "",
        "Marks the words of an abstract that name an outcome (what was measured), as character spans with a "
        "probability (`extractor/models/outcome_spans.py`, `predict_spans`). In extraction "
        "(`model_outcome_candidates`), a model span that overlaps a rule mention is folded into it (the rules' "
        "name, an instrument's when there is one, stays the reported one); a model-only span becomes an "
        f"outcome candidate with source `model:outcome_spans@{metrics['version']}`, passed to the outcome "
        "choice when its probability reaches the merge threshold.",
        "",
        f"- **Version** {metrics['version']}, trained {metrics['trained']} in {metrics['training_seconds']:.0f} s "
        f"({metrics['seconds']:.0f} s with tuning and evaluation; seed {seed}, Python {platform.python_version()}, "
        f"spaCy {package_version('spacy')}, thinc {package_version('thinc')}).",
        f"- **Rebuild** (from the repository root, with `../shared` beside it): `{command}`",
        f"- **Files** spaCy `to_disk` output (`config.cfg`, `meta.json` with the thresholds, `tokenizer` "
        f"(spaCy's English rules), `{PIPE}/` weights in msgpack, no pickle; no `vocab/`: its "
        f"strings are words of the training abstracts, which prediction does not need), `{METRICS_FILE}` (every "
        f"figure below); {size_bytes / 1e6:.1f} MB in all. Loaded with `spacy.load` from this folder; nothing "
        "is downloaded.",
        "",
        "## Training data",
        "",
        "- **EBM-NLP** (`../shared/data/ebm_nlp/scibert_ebmnlp/dev.txt`, 960 labelled documents; the EBM-NLP "
        "train file is not available): tokens tagged `I-OUT`.",
        "- **Weng lab consensus** (`../shared/data/evidence_outcomes/consensus`, brat): `Outcome` spans.",
        "- **PICO corpus** (`../shared/data/pico_corpus_sociocom`, brat): `outcome` and `outcome-Measure` spans.",
        "- **Annotators' records** (`annotations/*.jsonl`, documents found again in `--documents` by content "
        f"hash): {_annotation_line(metrics)}; they always go to train. Tokens inside an outcome's evidence "
        "span are `OUT`, the rest of the study's text is unlabelled (left out of the loss).",
        "",
        "Brat texts are tokenised by spaCy's blank English; a token inside an annotated span is `OUT`. "
        "Documents whose PMID is in the EBM-NLP test gold are left out; a PMID annotated in several corpora "
        "is kept once (EBM-NLP, then Weng, then PICO). The pool is split 90/10 train/dev by the MD5 of the "
        "PMID.",
        "",
        "| split | corpus | documents | tokens | outcome spans |",
        "|---|---|---|---|---|",
    ]
    for split in SPLITS:
        for source, title in {**SOURCES, ANNOTATIONS: "annotators"}.items():
            row = metrics["counts"][split].get(source)
            if row:
                lines.append(
                    f"| {split} | {title} | {row['documents']} | {row['tokens']:,} | {row['spans']:,} |"
                )
    lines += [
        "",
        "## Model",
        "",
        f"spaCy `tagger` (labels `OUT`, `O`) over `HashEmbedCNN` trained from scratch: width {network['width']}, "
        f"depth {network['depth']}, {network['embed_size']} hash rows per feature (NORM, PREFIX, SUFFIX, SHAPE), "
        f"window {network['window_size']}, maxout pieces {network['maxout_pieces']}; no pretrained vectors. Adam "
        f"(spaCy defaults), batches of 16 documents, dropout 0.1, at most {MAX_EPOCHS} epochs, stopping after "
        f"{PATIENCE} epochs without a better dev score (mean of exact and overlap span F1 at token threshold "
        "0.5, whole dev); the best epoch is kept. Width 32 with depth 3 was kept over width 64 with depth 2 "
        "(at most 12 epochs, patience 2): dev exact / overlap F1 0.235 / 0.601 against 0.197 / 0.580 at the "
        "best epoch, on a third of the file size and about twice the speed.",
        "",
        "| epoch | loss | dev exact F1 | dev overlap F1 | seconds |",
        "|---|---|---|---|---|",
    ]
    for row in metrics["epochs"]:
        lines.append(
            f"| {row['epoch']} | {row['loss']:,.0f} | {_f(row['dev_exact_f1'])} | "
            f"{_f(row['dev_overlap_f1'])} | {row['seconds']} |"
        )
    lines += [
        "",
        f"A span is a run of tokens whose `OUT` probability reaches the token threshold "
        f"({metrics['token_threshold']:g}), punctuation trimmed at its ends; its probability is the mean over "
        "its tokens. Token threshold chosen on the EBM-NLP part of dev (the test's annotation style), by the "
        "mean of exact and overlap F1:",
        "",
        "| token threshold | exact P | exact R | exact F1 | overlap P | overlap R | overlap F1 |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in metrics["token_threshold_tuning"]:
        mark = " (chosen)" if row["threshold"] == metrics["token_threshold"] else ""
        lines.append(f"| {row['threshold']:g}{mark} | " + " | ".join(_f(row[k]) for k in FIGURES) + " |")
    lines += [
        "",
        f"Merge threshold {metrics['merge_threshold']:g} (`outcome_model_min_probability` in "
        "`extractor/data/combine.json`): the lowest span probability from which on the model-only candidates (spans "
        "folded into no rule mention and kept by the construct cleaning, as `model_outcome_candidates` makes "
        f"them) keep an overlap precision of at least {TARGET_PRECISION:g} on the EBM-NLP "
        "part of dev. Model-only spans at or above it join the rules' mentions in the outcome choice; those "
        "below stay stored as unchosen candidates with their probability.",
        "",
        "| merge threshold | model-only spans | their overlap P | merged exact F1 | merged overlap F1 |",
        "|---|---|---|---|---|",
    ]
    for row in metrics["merge_threshold_tuning"]:
        mark = " (chosen)" if row["threshold"] == metrics["merge_threshold"] else ""
        lines.append(
            f"| {row['threshold']:g}{mark} | {row['model_only_spans']} | "
            f"{_f(row['model_only_overlap_precision'])} | {_f(row['merged_exact_f1'])} | "
            f"{_f(row['merged_overlap_f1'])} |"
        )
    lines += [
        "",
        "## Test figures (EBM-NLP expert test gold, held out)",
        "",
        f"{test['spans']['gold']:,} gold outcome spans in {metrics['counts']['test']['ebm']['documents']} abstracts "
        "(`../shared/data/ebm_nlp/scibert_ebmnlp/test.txt`, maximal runs of `I-OUT` tokens). Every system runs "
        "on the abstract's text rebuilt from the tokens (no space before `,` `.` `;` `:` `)`), and its character "
        "spans are mapped to the gold tokens they touch.",
        "",
        "- **Exact**: a predicted span counts when its token range equals a gold span's.",
        "- **Overlap**: a predicted span counts for precision when it shares at least one token with some gold "
        "span; a gold span counts for recall when at least one predicted span shares a token with it "
        "(precision and recall computed separately).",
        f"- **Rules**: every mention of `find_outcomes` with confidence >= {metrics['rule_floor']:g} "
        "(`outcome_min_confidence`), the candidates the outcome choice reads. **Merged, reported**: the rule "
        f"mentions plus the model-only spans with probability >= {metrics['merge_threshold']:g} (what the outcome "
        "choice reads with models on). **Merged, all candidates**: the rule mentions plus every model-only span "
        "(what is stored).",
        "",
        *SCORE_HEAD,
        _score_row("model", test),
        _score_row("rules", test["rules"]),
        _score_row("merged, reported", test["merged"]),
        _score_row("merged, all candidates", test["merged_candidates"]),
        _score_row("model-only spans reported", test["model_only_added"]),
        "",
        "## Dev figures (EBM-NLP part of dev, used for tuning)",
        "",
        *SCORE_HEAD,
        _score_row("model", dev),
        _score_row("rules", dev["rules"]),
        _score_row("merged, reported", dev["merged"]),
        _score_row("merged, all candidates", dev["merged_candidates"]),
        "",
        "Whole dev by corpus (on the corpus's own tokens, at the chosen token threshold):",
        "",
        *SCORE_HEAD,
    ]
    for source, title in SOURCES.items():
        lines.append(_score_row(title, dev["by_source_on_tokens"][source]))
    lines += [
        "",
        "## Speed",
        "",
        f"{speed['abstracts_per_second']:,.0f} abstracts/s for `predict_spans` (tokenising included), "
        f"{speed['abstracts']} EBM-NLP test abstracts, one core, best of 3 on {platform.machine()}.",
        "",
        "## Use and limits",
        "",
        "- `predict_spans(text, start, end)` returns `OutcomeSpan(start, end, probability)` with absolute offsets; "
        "`model_outcome_candidates(...)` is the merge with the rule mentions used by extraction; a model-only span "
        "that marks a list (`pain, function and quality of life`) gives each item its own candidate, as FORMAT.md "
        "names outcomes (an item must end in a word people end outcome names with).",
        "- The three corpora mark outcomes differently (EBM-NLP marks long phrases and lists such as `pain, "
        "function, and quality of life` as one span; the Weng and PICO annotations mark each outcome); exact "
        "match against EBM-NLP is strict for a model that learned from all three.",
        "- Trained on RCT abstracts (PICO: breast cancer); no lexicon of instruments: names of instruments come "
        "from the rules.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Rebuild the model from the command-line arguments (``trainer_arguments``); the exit status."""
    args = trainer_arguments(__doc__, DEFAULT_PATH, argv)
    try:
        with tempfile.TemporaryDirectory(prefix="outcome_spans_") as staging:
            annotated = annotated_studies(args.annotations, args.documents)
            metrics = train(args.shared, Path(staging) / "model", seed=args.seed, annotated=annotated.studies)
            metrics["annotations"] = annotated.info()
            _replace_folder(Path(staging) / "model", args.out)
    except NoTrainingData as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    load_model.cache_clear()
    speed = prediction_speed(args.out, args.shared)
    metrics["speed"] = speed
    size = write_metrics_and_card(args.out, metrics, lambda size: model_card(metrics, speed, size, args.seed))
    size = _tree_size(args.out)  # the card states the whole folder, weights in sub-folders included
    (args.out / "MODEL_CARD.md").write_text(model_card(metrics, speed, size, args.seed), encoding="utf-8")
    test = metrics["test"]
    for label, scores in (
        ("model", test),
        ("rules", test["rules"]),
        ("merged, reported", test["merged"]),
        ("merged, all candidates", test["merged_candidates"]),
    ):
        _log(
            f"test {label}: exact P/R/F1 {scores['exact_precision']:.3f}/{scores['exact_recall']:.3f}/"
            f"{scores['exact_f1']:.3f}, overlap {scores['overlap_precision']:.3f}/{scores['overlap_recall']:.3f}/"
            f"{scores['overlap_f1']:.3f}"
        )
    _log(
        f"token threshold {metrics['token_threshold']:g}, merge threshold {metrics['merge_threshold']:g}; "
        f"{size / 1e6:.1f} MB; {speed['abstracts_per_second']:,.0f} abstracts/s; {metrics['seconds']:.0f} s"
    )
    return 0


def _tree_size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def _replace_folder(source: Path, target: Path) -> None:
    """Move the freshly written model over the old one (files of the old one that the new lacks go)."""
    import shutil

    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target)
