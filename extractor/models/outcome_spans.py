"""Outcome spans: a spaCy token tagger trained from scratch that marks outcome words in abstract text.

The component is spaCy's ``tagger`` over a small hash-embedding CNN (blank English, no pretrained
vectors), with two labels: ``OUT`` (the token is part of an outcome span) and ``O``. A span is a run
of tokens whose ``OUT`` probability reaches the stored token threshold; its probability is the mean
over its tokens. Trained on the outcome spans of EBM-NLP (the SciBERT copy of the labelled dev
documents), the Weng lab consensus annotations (``evidence_outcomes``) and the PICO corpus
(``outcome`` and ``outcome-Measure``); the EBM-NLP expert test gold is held out. Annotators'
records (``annotations/*.jsonl``) add their outcomes' evidence spans to train: those tokens are
``OUT`` and the rest of the study's text is left unlabelled (an annotator marks one evidence span
per outcome, not every mention), which the tagger's loss skips.

``model_outcome_candidates`` is what extraction calls: model spans that overlap a rule mention
are folded into it (the rule's candidate records the model's probability, and the rules' name,
an instrument's when there is one, stays the reported one); a model-only span becomes a new
outcome candidate with source ``model:outcome_spans@<version>`` and its probability.
"""

from __future__ import annotations

import hashlib
import random
import re
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

NAME = "outcome_spans"
VERSION = 1
DEFAULT_PATH = Path(__file__).resolve().parents[2] / "models" / NAME
PIPE = "outcome_tagger"
LABEL = "OUT"
OUTSIDE = "O"
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
_EDGE_PUNCTUATION = frozenset(",.;:()[]-/")
_NO_SPACE_BEFORE = re.compile(r"^[.,;:)\]%]$")
_NO_SPACE_AFTER = re.compile(r"^[(\[]$")


class NoTrainingData(Exception):
    """The outcome-span corpora are missing from the shared folder."""


@dataclass(frozen=True)
class OutcomeSpan:
    """A span the model marks as an outcome: absolute character offsets and its probability."""

    start: int
    end: int
    probability: float


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


# ------------------------------------------------------------------ reading the data


def hash_split(doc_id: str) -> str:
    """A fixed 90/10 train/dev split of the training pool by the MD5 of the document id."""
    return "dev" if int(hashlib.md5(doc_id.encode("utf-8")).hexdigest(), 16) % 10 == 0 else "train"


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
            split or hash_split(pmid),
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
            yield Annotated(ann.stem, source, hash_split(ann.stem), words, spaces, labels)


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
    """Annotators' studies (``models.annotated.AnnotatedStudy``) with outcome evidence spans, as training
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


# ------------------------------------------------------------------ spans and scores


def label_runs(labels: Sequence[str]) -> list[tuple[int, int]]:
    """Token ranges ``[start, end)`` of the maximal runs of outcome labels."""
    runs, start = [], None
    for index, label in enumerate([*labels, OUTSIDE]):
        if label == LABEL and start is None:
            start = index
        elif label != LABEL and start is not None:
            runs.append((start, index))
            start = None
    return runs


def probability_runs(
    words: Sequence[str], probabilities: Sequence[float], threshold: float
) -> list[tuple[int, int, float]]:
    """Token runs whose outcome probability reaches ``threshold``, punctuation trimmed at both ends,
    each with the mean probability of its tokens."""
    runs = []
    for start, end in label_runs([LABEL if p >= threshold else OUTSIDE for p in probabilities]):
        while start < end and (words[start] in _EDGE_PUNCTUATION or not words[start].strip()):
            start += 1
        while end > start and (words[end - 1] in _EDGE_PUNCTUATION or not words[end - 1].strip()):
            end -= 1
        if end > start:
            runs.append((start, end, float(sum(probabilities[start:end]) / (end - start))))
    return runs


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


def token_probabilities(nlp: Any, docs: Sequence[Any]) -> list[Any]:
    """Each doc's per-token outcome probability (a numpy vector)."""
    import numpy as np

    tagger = nlp.get_pipe(PIPE)
    column = list(tagger.labels).index(LABEL)
    if not docs:
        return []
    probabilities = []
    for doc, scores in zip(docs, tagger.model.predict(list(docs)), strict=True):
        if not len(doc):
            probabilities.append(np.zeros(0))
            continue
        # the tagger's output layer is unnormalised at inference (normalize=False): softmax here
        logits = np.asarray(tagger.model.ops.to_numpy(scores), dtype=np.float64)
        logits -= logits.max(axis=1, keepdims=True)
        exponents = np.exp(logits)
        probabilities.append(exponents[:, column] / exponents.sum(axis=1))
    return probabilities


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


# ------------------------------------------------------------------ using the stored model


@dataclass
class LoadedModel:
    """The stored pipeline with its tuned thresholds."""

    nlp: Any
    token_threshold: float
    version: int


@cache
def load_model(path: Path = DEFAULT_PATH) -> LoadedModel:
    """The stored model, loaded once per process."""
    import spacy

    from .linear import ModelFormatError

    path = Path(path)
    if not (path / "config.cfg").exists():
        raise ModelFormatError(f"{path}: no outcome-span model there; run `extractor train outcome_spans`")
    nlp = spacy.load(path)
    settings = nlp.meta.get("outcome_spans", {})
    return LoadedModel(
        nlp, float(settings.get("token_threshold", 0.5)), int(settings.get("version", VERSION))
    )


# Tokens as the training corpora cut them: words with inner hyphens, slashes and decimal points kept whole
# ("double-blind", "microg/day", "0.05"), every other punctuation mark alone. Cutting them here instead of
# with spaCy's tokenizer is faster and matches the training tokens better.
_TOKEN = re.compile(r"[\w%+/-]+(?:[.,][\w%+/-]+)*|[^\w\s]")
_RELOAD_EVERY = 5_000  # documents; the vocabulary grows with every new word, so it is renewed now and then
_predictions = 0


def current_model() -> LoadedModel:
    """The stored model, loaded afresh every ``_RELOAD_EVERY`` calls: a spaCy vocabulary keeps every word it
    has seen, so a long run over new texts would otherwise grow without bound."""
    global _predictions
    _predictions += 1
    if _predictions % _RELOAD_EVERY == 0:
        load_model.cache_clear()  # type: ignore[attr-defined]
    return load_model()


def _tokens(text: str) -> tuple[list[str], list[bool], list[int]]:
    words, spaces, starts = [], [], []
    for match in _TOKEN.finditer(text):
        if words:
            spaces.append(match.start() > starts[-1] + len(words[-1]))
        words.append(match.group())
        starts.append(match.start())
    if words:
        spaces.append(False)
    return words, spaces, starts


def predict_spans(
    text: str, start: int = 0, end: int | None = None, model: LoadedModel | None = None
) -> list[OutcomeSpan]:
    """Outcome spans the model finds in ``text[start:end]``, as absolute character offsets with probabilities."""
    from spacy.tokens import Doc

    model = model or current_model()
    end = len(text) if end is None else end
    words, spaces, starts = _tokens(text[start:end])
    if not words:
        return []
    doc = Doc(model.nlp.vocab, words=words, spaces=spaces)
    probabilities = token_probabilities(model.nlp, [doc])[0]
    return [
        OutcomeSpan(start + starts[first], start + starts[last - 1] + len(words[last - 1]), round(probability, 3))
        for first, last, probability in probability_runs(words, probabilities, model.token_threshold)
    ]


# ------------------------------------------------------------------ merging with the rules


def split_model_spans(
    spans: Sequence[OutcomeSpan], rule_spans: Sequence[tuple[int, int]]
) -> tuple[list[tuple[OutcomeSpan, int]], list[OutcomeSpan]]:
    """Model spans folded into the rule mention they overlap (span, index of the mention), and model-only spans."""
    folded, alone = [], []
    for span in spans:
        hit = next(
            (index for index, (start, end) in enumerate(rule_spans) if span.start < end and start < span.end),
            None,
        )
        if hit is None:
            alone.append(span)
        else:
            folded.append((span, hit))
    return folded, alone


def model_outcome_candidates(
    text: str,
    start: int,
    end: int,
    rule_candidates: list[Any],
    min_confidence: float,
    model: LoadedModel | None = None,
) -> list[Any]:
    """New outcome candidates from the model for ``text[start:end]``; rule candidates it agrees with are noted.

    A model span is folded into a rule mention of at least ``min_confidence`` that it overlaps, or whose
    name it holds (``lowered systolic blood pressure`` elsewhere in the text): the mention keeps its name
    (an instrument's when the rules found one) and gains ``model_probability`` in its attributes. Every
    other model span becomes a candidate of its own (``matched: model``) with its probability as
    confidence, named by its words as the rules clean a construct; a span the cleaning rejects (it names
    nothing measurable) is dropped.
    """
    from ..extract.outcomes.phrases import clean_phrase, construct_key, sentence_case
    from ..types import ExtractedValue

    model = model or current_model()
    spans = predict_spans(text, start, end, model)
    mentions = [
        c
        for c in rule_candidates
        if c.field == "outcome" and c.start is not None and c.confidence >= min_confidence
    ]
    folded, alone = split_model_spans(spans, [(c.start, c.end) for c in mentions])
    source = f"model:{NAME}@{model.version}"
    candidates = []
    for span in alone:
        words = re.sub(r"\s+", " ", text[span.start : span.end]).strip()
        holder = _mention_named_in(words, mentions)
        if holder is not None:
            folded.append((span, holder))
            continue
        name = clean_phrase(words)
        if name is None:
            continue
        name = sentence_case(name)
        candidates.append(
            ExtractedValue(
                field="outcome",
                value=name,
                start=span.start,
                end=span.end,
                confidence=span.probability,
                source=source,
                role=None,
                attributes={
                    "instrument": None,
                    "abbreviation": None,
                    "construct": name,
                    "timepoints": [],
                    "matched": "model",
                    "key": construct_key(name),
                    "kind": "construct",
                    "span_text": words,
                },
            )
        )
    for span, index in folded:
        mention = mentions[index]
        if span.probability > mention.attributes.get("model_probability", 0.0):
            mention.attributes = {**mention.attributes, "model_probability": span.probability}
    return candidates


def _mention_named_in(words: str, mentions: Sequence[Any]) -> int | None:
    """The index of the first rule mention whose name appears as whole words in ``words``, if any."""
    from ..extract.outcomes.lexicon import fold

    folded_words = f" {fold(words)} "
    for index, mention in enumerate(mentions):
        name = fold(str(mention.value))
        if len(name) >= 3 and f" {name} " in folded_words:
            return index
    return None
