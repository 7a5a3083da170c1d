"""Outcome spans: a spaCy token tagger that marks outcome words in abstract text.

The component is spaCy's ``tagger`` over a small hash-embedding CNN (blank English, no pretrained
vectors), with two labels: ``OUT`` (the token is part of an outcome span) and ``O``. A span is a run
of tokens whose ``OUT`` probability reaches the stored token threshold; its probability is the mean
over its tokens. ``extractor.training.outcome_spans`` trains it from scratch (``extractor train
outcome_spans``) and describes its data; this module loads the committed model in ``models/outcome_spans/``.

``model_outcome_candidates`` is what extraction calls: model spans that overlap a rule mention
are folded into it (the rule's candidate records the model's probability, and the rules' name,
an instrument's when there is one, stays the reported one); a model-only span becomes a new
outcome candidate with source ``model:outcome_spans@<version>`` and its probability.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from .paths import model_dir

NAME = "outcome_spans"
VERSION = 1
DEFAULT_PATH = model_dir(NAME)
PIPE = "outcome_tagger"
LABEL = "OUT"
OUTSIDE = "O"
_EDGE_PUNCTUATION = frozenset(",.;:()[]-/")


@dataclass(frozen=True)
class OutcomeSpan:
    """A span the model marks as an outcome: absolute character offsets and its probability."""

    start: int
    end: int
    probability: float


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


# ------------------------------------------------------------------ using the stored model


@dataclass
class LoadedModel:
    """The stored pipeline with its tuned thresholds."""

    nlp: Any
    token_threshold: float
    version: int
    # The lexical attributes the tagger's first layer reads (``FEATURE_COLUMNS``), each as the vocabulary would
    # compute it for a new word; None when the stored tagger reads other columns (a Doc is built then).
    feature_getters: tuple[Any, ...] | None = None
    word_rows: dict[str, int] = field(default_factory=dict)  # a word's row in ``feature_table``
    feature_table: Any = None  # the feature rows of the words met (``_CACHED_WORDS`` rows at most)


@cache
def load_model(path: Path = DEFAULT_PATH) -> LoadedModel:
    """The stored model, loaded once per process."""
    import spacy

    from .linear import ModelFormatError

    path = Path(path)
    if not (path / "config.cfg").exists():
        raise ModelFormatError(f"{path}: no outcome-span model there; run `extractor train outcome_spans`")
    nlp = spacy.load(path)
    _numpy_products(nlp.get_pipe(PIPE).model)
    settings = nlp.meta.get("outcome_spans", {})
    return LoadedModel(
        nlp, float(settings.get("token_threshold", 0.5)), int(settings.get("version", VERSION)),
        _feature_getters(nlp),
    )


FEATURE_COLUMNS = ("NORM", "PREFIX", "SUFFIX", "SHAPE")  # what spaCy's HashEmbedCNN with subword features reads
_CACHED_WORDS = 100_000  # rows of the feature table (3 MB, with some 12 MB of words indexed); it starts again when full


def _feature_getters(nlp: Any) -> tuple[Any, ...] | None:
    """The vocabulary's functions for the tagger's feature columns, when its first layer reads just those."""
    from spacy import attrs

    extractor = next((node for node in nlp.get_pipe(PIPE).model.walk() if node.name == "extract_features"), None)
    if extractor is None or tuple(extractor.attrs.get("columns", ())) != FEATURE_COLUMNS:
        return None
    getters = nlp.vocab.lex_attr_getters
    ids = [attrs.IDS[column] for column in FEATURE_COLUMNS]
    return tuple(getters[i] for i in ids) if all(i in getters for i in ids) else None


class _Features:
    """Stands in for a Doc before the tagger: the feature rows its first layer would read with ``to_array``."""

    __slots__ = ("rows",)

    def __init__(self, rows: Any):
        self.rows = rows

    def __len__(self) -> int:
        return len(self.rows)

    def to_array(self, columns: Sequence[str]) -> Any:
        if tuple(columns) != FEATURE_COLUMNS:
            raise ValueError(f"the tagger reads {list(columns)}, not {list(FEATURE_COLUMNS)}")
        return self.rows


def _features(model: LoadedModel, words: Sequence[str]) -> _Features:
    """The tagger's input for ``words``, equal to ``Doc(vocab, words).to_array(FEATURE_COLUMNS)``.

    Built from the words without a Doc: a Doc adds every word it has not seen to the model's vocabulary
    (a lexeme with some twenty attributes, the tagger reads four), which cost more than reading the
    features of a known word. Each attribute is the vocabulary's own function of the word, hashed as the
    string store does; a word's row is kept in a table for its next use (the table starts again when full).
    """
    import numpy as np
    from spacy.strings import get_string_id

    getters = model.feature_getters
    assert getters is not None
    rows = model.word_rows
    if model.feature_table is None:
        model.feature_table = np.zeros((_CACHED_WORDS, len(FEATURE_COLUMNS)), dtype="uint64")
    table = model.feature_table
    if len(rows) + len(words) > _CACHED_WORDS:
        rows.clear()
    numbers = []
    for word in words:
        number = rows.get(word)
        if number is None:
            number = rows[word] = len(rows)
            table[number] = [get_string_id(getter(word)) for getter in getters]
        numbers.append(number)
    return _Features(table[np.array(numbers, dtype=np.intp)])


def _numpy_products(model: Any) -> None:
    """The tagger's matrix products through numpy's BLAS on one thread instead of thinc's BLIS.

    For this tagger's small matrices (a few hundred tokens by 32-128 columns) that takes about two thirds
    of the time, with probabilities equal to within 1e-6. One thread: BLAS threads on products this small
    only wait on each other, and on the other worker processes (on a busy 2-core machine a 350x96 product
    took 5 ms with threads, 0.2 ms without). The limit holds for the rest of the process.
    """
    from thinc.api import NumpyOps
    from threadpoolctl import threadpool_limits

    ops = NumpyOps(use_blis=False)
    for node in model.walk():
        node.ops = ops
    threadpool_limits(1, user_api="blas")


# Tokens as the training corpora cut them: words with inner hyphens, slashes and decimal points kept whole
# ("double-blind", "microg/day", "0.05"), every other punctuation mark alone. Cutting them here instead of
# with spaCy's tokenizer is faster and matches the training tokens better.
_TOKEN = re.compile(r"[\w%+/-]+(?:[.,][\w%+/-]+)*|[^\w\s]")
_RELOAD_EVERY = 5_000  # documents; the vocabulary grows with every new word, so it is renewed now and then
_predictions = 0


def current_model() -> LoadedModel:
    """The stored model, loaded afresh every ``_RELOAD_EVERY`` calls when it tags through Docs: a spaCy
    vocabulary keeps every word it has seen, so a long run over new texts would otherwise grow without bound.
    (A model read through ``_features`` leaves its vocabulary alone, and its feature table is bounded.)"""
    global _predictions
    _predictions += 1
    if _predictions % _RELOAD_EVERY == 0 and load_model().feature_getters is None:
        load_model.cache_clear()  # type: ignore[attr-defined]
    return load_model()


def _tokens(text: str) -> tuple[list[str], list[bool], list[int]]:
    matches = list(_TOKEN.finditer(text))
    words = [match.group() for match in matches]
    starts = [match.start() for match in matches]
    # a token is followed by a space when the next one starts after it ends
    spaces = [following.start() > match.end() for match, following in zip(matches, matches[1:], strict=False)]
    if words:
        spaces.append(False)
    return words, spaces, starts


MAX_TOKENS_AT_ONCE = 20_000


def _pieces(words: Sequence[str], size: int) -> list[tuple[int, int]]:
    """Token ranges of at most ``size`` tokens covering ``words``, each cut after a "." where there is one."""
    pieces = []
    first = 0
    while len(words) - first > size:
        last = first + size
        cut = next((i + 1 for i in range(last - 1, first + size // 2, -1) if words[i] == "."), last)
        pieces.append((first, cut))
        first = cut
    pieces.append((first, len(words)))
    return pieces


def predict_tokens(text: str, start: int = 0, end: int | None = None, model: LoadedModel | None = None
                   ) -> tuple[list[str], list[int], Any]:
    """The tagger's tokens of ``text[start:end]`` (words and absolute start offsets) and each one's outcome
    probability (a numpy vector)."""
    import numpy as np
    from spacy.tokens import Doc

    model = model or current_model()
    end = len(text) if end is None else end
    words, spaces, starts = _tokens(text[start:end])
    if not words:
        return [], [], np.zeros(0)
    # A long text is tagged a piece at a time, cut after a full stop: the tagger holds every token's
    # activations at once (some 4 kB a token, gigabytes for a 2M-character text). Abstracts and
    # ordinary full texts are one piece, as before.
    pieces = []
    for first, last in _pieces(words, MAX_TOKENS_AT_ONCE):
        if model.feature_getters is not None:
            doc = _features(model, words[first:last])
        else:
            doc = Doc(model.nlp.vocab, words=words[first:last], spaces=spaces[first:last])
        pieces.append(np.asarray(token_probabilities(model.nlp, [doc])[0]))
    probabilities = pieces[0] if len(pieces) == 1 else np.concatenate(pieces)
    return words, [start + offset for offset in starts], probabilities


def spans_of_tokens(words: Sequence[str], starts: Sequence[int], probabilities: Any, threshold: float
                    ) -> list[OutcomeSpan]:
    """The spans of tagged tokens (``predict_tokens``) at a token threshold."""
    return [
        OutcomeSpan(starts[first], starts[last - 1] + len(words[last - 1]), round(probability, 3))
        for first, last, probability in probability_runs(words, probabilities, threshold)
    ]


def predict_spans(
    text: str, start: int = 0, end: int | None = None, model: LoadedModel | None = None
) -> list[OutcomeSpan]:
    """Outcome spans the model finds in ``text[start:end]``, as absolute character offsets with probabilities."""
    model = model or current_model()
    words, starts, probabilities = predict_tokens(text, start, end, model)
    return spans_of_tokens(words, starts, probabilities, model.token_threshold)


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
    spans: Sequence[OutcomeSpan] | None = None,
) -> list[Any]:
    """New outcome candidates from the model for ``text[start:end]``; rule candidates it agrees with are noted.

    A model span is folded into a rule mention of at least ``min_confidence`` that it overlaps, or whose
    name it holds (``lowered systolic blood pressure`` elsewhere in the text): the mention keeps its name
    (an instrument's when the rules found one) and gains ``model_probability`` in its attributes. Every
    other model span becomes a candidate of its own (``matched: model``) with its probability as
    confidence, named by its words as the rules clean a construct; a span the cleaning rejects (it names
    nothing measurable) is dropped. ``spans``, when given, are the model's spans of the range already predicted.
    """
    from ..extract.outcomes.phrases import clean_phrase, construct_key, sentence_case
    from ..types import ExtractedValue

    model = model or current_model()
    if spans is None:
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
