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
    # The tagger's forward pass in numpy (``Network``); None when its layers are not those ``Network`` reads
    # (thinc runs it then).
    network: Network | None = None
    word_rows: dict[str, int] = field(default_factory=dict)  # a word's row in ``word_table``
    word_table: Any = None  # the first layer's output for the words met (``_CACHED_WORDS`` rows at most)


@cache
def load_model(path: Path = DEFAULT_PATH) -> LoadedModel:
    """The stored model, loaded once per process."""
    import spacy

    from .linear import ModelFormatError

    path = Path(path)
    if not (path / "config.cfg").exists():
        raise ModelFormatError(f"{path}: no outcome-span model there; run `extractor train outcome_spans`")
    nlp = spacy.load(path)
    tagger = nlp.get_pipe(PIPE)
    _numpy_products(tagger.model)
    settings = nlp.meta.get("outcome_spans", {})
    getters = _feature_getters(nlp)
    return LoadedModel(
        nlp, float(settings.get("token_threshold", 0.5)), int(settings.get("version", VERSION)), getters,
        Network.of(tagger.model, list(tagger.labels).index(LABEL)) if getters is not None else None,
    )


FEATURE_COLUMNS = ("NORM", "PREFIX", "SUFFIX", "SHAPE")  # what spaCy's HashEmbedCNN with subword features reads
_CACHED_WORDS = 100_000  # rows of the word table (13 MB, with some 12 MB of words indexed); it starts again when full


def _feature_getters(nlp: Any) -> tuple[Any, ...] | None:
    """The vocabulary's functions for the tagger's feature columns, when its first layer reads just those."""
    from spacy import attrs

    extractor = next((node for node in nlp.get_pipe(PIPE).model.walk() if node.name == "extract_features"), None)
    if extractor is None or tuple(extractor.attrs.get("columns", ())) != FEATURE_COLUMNS:
        return None
    getters = nlp.vocab.lex_attr_getters
    ids = [attrs.IDS[column] for column in FEATURE_COLUMNS]
    return tuple(getters[i] for i in ids) if all(i in getters for i in ids) else None


def feature_rows(getters: Sequence[Any], words: Sequence[str]) -> Any:
    """The tagger's input for ``words``, equal to ``Doc(vocab, words).to_array(FEATURE_COLUMNS)``.

    Built from the words without a Doc: a Doc adds every word it has not seen to the model's vocabulary
    (a lexeme with some twenty attributes, the tagger reads four), which cost more than reading the
    features of a known word. Each attribute is the vocabulary's own function of the word, hashed as the
    string store does.
    """
    import numpy as np
    from spacy.strings import get_string_id

    rows = np.zeros((len(words), len(getters)), dtype="uint64")
    for number, word in enumerate(words):
        rows[number] = [get_string_id(getter(word)) for getter in getters]
    return rows


@dataclass(frozen=True)
class _Maxout:
    """A maxout layer followed by layer normalisation, as thinc's ``maxout>>layernorm`` computes them."""

    weights: Any  # (pieces x outputs, inputs), float32: thinc's rows ordered by piece, then output
    bias: Any
    outputs: int
    gain: Any
    shift: Any
    average: Any  # a vector of 1 / outputs: the product with it is a row's mean

    @classmethod
    def of(cls, maxout: Any, norm: Any) -> _Maxout:
        """The layer with thinc's weights; the pieces of an output go to separate blocks of rows, so that
        the best piece is an elementwise maximum of blocks (far faster in numpy than a maximum along a short
        last axis; the products and maxima are the same numbers)."""
        import numpy as np

        weights, bias = maxout.get_param("W"), maxout.get_param("b")  # (outputs, pieces, inputs), (outputs, pieces)
        outputs, pieces, inputs = weights.shape
        return cls(np.ascontiguousarray(weights.transpose(1, 0, 2).reshape(pieces * outputs, inputs)),
                   np.ascontiguousarray(bias.T.reshape(pieces * outputs)), outputs,
                   norm.get_param("G").copy(), norm.get_param("b").copy(),
                   np.full(outputs, 1.0 / outputs, dtype=np.float32))

    def __call__(self, inputs: Any) -> Any:
        import numpy as np

        scores = np.dot(inputs, self.weights.T)
        scores += self.bias
        best = scores[:, :self.outputs].copy()
        for first in range(self.outputs, scores.shape[1], self.outputs):
            np.maximum(best, scores[:, first:first + self.outputs], out=best)
        # thinc's layer normalisation, ``(X - X.mean()) * (X.var() + 1e-08) ** -0.5`` by rows, with the row means
        # as products (numpy's reductions along a short last axis cost more than the maxout's product)
        mean = np.dot(best, self.average)
        centred = best - mean[:, None]
        variance = np.dot(np.square(centred), self.average)
        variance += 1e-08
        normal = centred * (1.0 / np.sqrt(variance))[:, None]
        normal *= self.gain
        normal += self.shift
        return normal


def _expected_name(depth: int) -> str:
    embed = "|".join(["ints-getitem>>hashembed"] * len(FEATURE_COLUMNS))
    blocks = ">>".join(["residual(expand_window>>maxout>>layernorm>>dropout)"] * depth)
    return (f"extract_features>>list2ragged>>with_array({embed})>>with_array(maxout>>layernorm>>dropout)"
            f">>ragged2list>>with_array({blocks})>>with_array(softmax)")


@dataclass(frozen=True)
class Network:
    """The tagger's forward pass at inference, in numpy, with thinc's weights (spaCy's ``Tagger.v2`` over
    ``HashEmbedCNN.v2`` with subword features and no pretrained vectors).

    Per word, the four feature hashes pick rows of four embedding tables, summed per table and joined, and a
    maxout layer with layer normalisation makes the word's vector: that depends on the word alone, so
    ``word_vectors`` keeps it for the word's next use. Per text, each residual block reads a window of
    ``window`` vectors either side (maxout, layer normalisation) and adds its output to its input; an
    affine layer gives the two labels' scores. Texts are laid end to end with ``pad`` zero rows before,
    between and after them, as thinc does, so a text's probabilities do not depend on its neighbours.
    Dropout does nothing at inference. The probabilities equal thinc's to float32 rounding
    (tests/test_outcome_spans_model.py).
    """

    tables: tuple[tuple[Any, int], ...]  # each feature column's embedding table and hash seed
    first: _Maxout
    blocks: tuple[_Maxout, ...]
    window: int
    pad: int
    output_weights: Any  # (labels, width)
    output_bias: Any
    column: int  # the outcome label's column of the output

    @classmethod
    def of(cls, model: Any, column: int) -> Network | None:
        """The network of a thinc tagger model, or None when its layers are not the ones this class computes."""
        walked = list(model.walk())
        blocks = [node for node in walked if node.name == "expand_window>>maxout>>layernorm>>dropout"]
        if model.name != _expected_name(len(blocks)):
            return None
        softmax = next(node for node in walked if node.name == "softmax")
        if softmax.attrs.get("softmax_normalize", True) or softmax.attrs.get("softmax_temperature", 1.0) != 1.0:
            return None  # ``probabilities`` normalises the raw scores itself
        embeds = [node for node in walked if node.name == "hashembed"]
        getitems = [node for node in walked if node.name == "ints-getitem"]
        if [node.attrs["index"][1] for node in getitems] != list(range(len(FEATURE_COLUMNS))):
            return None  # each table reads the column in its place, as ``feature_rows`` orders them
        windows = {node.attrs["window_size"] for node in walked if node.name == "expand_window"}
        pads = {node.attrs["pad"] for node in walked if node.name.startswith("with_array(residual(")}
        if len(windows) != 1 or len(pads) != 1:
            return None

        def maxout(chain: Any) -> _Maxout:
            return _Maxout.of(*(next(n for n in chain.walk() if n.name == name) for name in ("maxout", "layernorm")))

        first = next(node for node in walked if node.name == "maxout>>layernorm>>dropout")
        return cls(
            tuple((node.get_param("E").copy(), int(node.attrs["seed"])) for node in embeds),
            maxout(first), tuple(maxout(block) for block in blocks), windows.pop(), pads.pop(),
            softmax.get_param("W").copy(), softmax.get_param("b").copy(), column,
        )

    def embed(self, features: Any) -> Any:
        """The word vectors of feature rows (``feature_rows``)."""
        import numpy as np
        from thinc.api import NumpyOps

        hashing = NumpyOps()
        joined = []
        for column, (table, seed) in enumerate(self.tables):
            keys = hashing.hash(np.ascontiguousarray(features[:, column]), seed) % table.shape[0]
            summed = table[keys[:, 0]].copy()
            for piece in range(1, keys.shape[1]):
                summed += table[keys[:, piece]]
            joined.append(summed)
        return self.first(np.concatenate(joined, axis=1))

    def probabilities(self, texts: Sequence[Any]) -> list[Any]:
        """Each text's per-token outcome probabilities, from its word vectors (a ``len x width`` array)."""
        import numpy as np

        width = self.output_weights.shape[1]
        parts, starts, at = [], [], self.pad
        for vectors in texts:
            parts += [np.zeros((self.pad, width), dtype=np.float32), vectors]
            starts.append(at)
            at += len(vectors) + self.pad
        parts.append(np.zeros((self.pad, width), dtype=np.float32))
        hidden = np.concatenate(parts)
        span = 2 * self.window + 1
        for block in self.blocks:
            # each row beside its ``window`` neighbours either side (zeros past the ends), as thinc's seq2col
            windows = np.zeros((len(hidden), span, width), dtype=np.float32)
            for offset in range(-self.window, self.window + 1):
                place = offset + self.window
                if offset < 0:
                    windows[-offset:, place] = hidden[:offset]
                elif offset > 0:
                    windows[:-offset, place] = hidden[offset:]
                else:
                    windows[:, place] = hidden
            hidden = hidden + block(windows.reshape(len(hidden), span * width))
        # the output layer reads the texts' rows only, as thinc's does
        rows = [hidden[start:start + len(vectors)] for start, vectors in zip(starts, texts, strict=True)]
        logits = np.dot(rows[0] if len(rows) == 1 else np.concatenate(rows), self.output_weights.T)
        logits += self.output_bias
        # the output layer is unnormalised at inference (normalize=False): softmax here, as token_probabilities
        logits = logits.astype(np.float64)
        logits -= logits.max(axis=1, keepdims=True)
        exponents = np.exp(logits)
        outcome = exponents[:, self.column] / exponents.sum(axis=1)
        ends = np.cumsum([len(vectors) for vectors in texts])
        return [outcome[end - len(vectors):end] for end, vectors in zip(ends, texts, strict=True)]


def word_vectors(model: LoadedModel, words: Sequence[str]) -> Any:
    """The network's word vectors of ``words``; each new word's is computed once and kept in a table for its
    next use (the table starts again when full)."""
    import numpy as np

    network = model.network
    assert network is not None and model.feature_getters is not None
    rows = model.word_rows
    if model.word_table is None:
        model.word_table = np.zeros((_CACHED_WORDS, network.output_weights.shape[1]), dtype=np.float32)
    table = model.word_table
    if len(rows) + len(words) > _CACHED_WORDS:
        rows.clear()
    new = [word for word in dict.fromkeys(words) if word not in rows]
    if new:
        first = len(rows)
        table[first:first + len(new)] = network.embed(feature_rows(model.feature_getters, new))
        rows.update(zip(new, range(first, first + len(new)), strict=True))
    return table[np.fromiter((rows[word] for word in words), dtype=np.intp, count=len(words))]


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
    (A model run through ``Network`` leaves its vocabulary alone, and its word table is bounded.)"""
    global _predictions
    _predictions += 1
    if _predictions % _RELOAD_EVERY == 0 and load_model().network is None:
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
        if model.network is not None:
            pieces += model.network.probabilities([word_vectors(model, words[first:last])])
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
        for item_start, item_end, name in _span_names(text, span, mentions, folded):
            candidates.append(_candidate(name, item_start, item_end, span.probability, source, text))
    for span, index in folded:
        mention = mentions[index]
        if span.probability > mention.attributes.get("model_probability", 0.0):
            mention.attributes = {**mention.attributes, "model_probability": span.probability}
    return candidates


def _span_names(text: str, span: OutcomeSpan, mentions: Sequence[Any],
                folded: list[tuple[OutcomeSpan, int]]) -> list[tuple[int, int, str]]:
    """The outcome names a model-only span holds, as ``(start, end, name)``: each item of a list it marks
    (``pain, function and quality of life``: FORMAT.md names each outcome), or the span whole. An item (or the
    span) naming a rule mention is folded into it (noted in ``folded``) instead."""
    from ..extract.outcomes.phrases import clean_phrase, distribute, lacks_head, sentence_case, split_items

    words = re.sub(r"\s+", " ", text[span.start : span.end]).strip()
    pieces = split_items(text.lower(), span.start, span.end) if _LIST_MARK.search(words) else []
    if len(pieces) > 1:
        items = []
        for item_start, item_end in pieces:
            phrase = clean_phrase(re.sub(r"\s+", " ", text[item_start:item_end]).strip(), head_pending=True)
            if phrase:
                items.append((phrase, item_start, item_end))
        named = []
        for phrase, item_start, item_end in distribute(items) if len(items) > 1 else items:
            if lacks_head(phrase) or not _ends_name(phrase):
                continue
            holder = _mention_named_in(phrase, mentions)
            if holder is not None:
                folded.append((span, holder))
                continue
            named.append((item_start, item_end, sentence_case(phrase)))
        if len(items) > 1:
            return named
    holder = _mention_named_in(words, mentions)
    if holder is not None:
        folded.append((span, holder))
        return []
    name = clean_phrase(words)
    return [] if name is None else [(span.start, span.end, sentence_case(name))]


def _ends_name(phrase: str) -> bool:
    """Whether a list item's last word ends outcome names people wrote (``data/outcome_word_positions.json``):
    ``serious adverse events`` does, the ``adverse`` of ``adverse and serious adverse events`` or the ``hence``
    of ``hence, drug-related ...`` does not. An abbreviation or bracket counts as an ending."""
    from ..extract.outcomes.heads import ALONE_FINAL_SHARE, final_share, no_name_alone, seen_in_names

    words = phrase.split()
    last = words[-1].strip(".,;:'\"’")
    if not last:
        return False
    if last.endswith(")") or sum(c.isupper() for c in last) >= 2:
        return True
    tail = last.rsplit("-", 1)[-1]
    if not tail.isalpha():
        return False  # "grade 3"
    if not seen_in_names(tail):
        return tail != last  # an unseen compound ("D-dimer") may be a technical name; a plain word ("hence") not
    return final_share(tail) >= ALONE_FINAL_SHARE and not (len(words) == 1 and no_name_alone(tail))


_LIST_MARK = re.compile(r"[,;]|\b(?:and|or)\b")


def _candidate(name: str, start: int, end: int, probability: float, source: str, text: str) -> Any:
    from ..extract.outcomes.phrases import construct_key
    from ..types import ExtractedValue

    words = re.sub(r"\s+", " ", text[start:end]).strip()
    return ExtractedValue(
        field="outcome", value=name, start=start, end=end, confidence=probability, source=source, role=None,
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


def _mention_named_in(words: str, mentions: Sequence[Any]) -> int | None:
    """The index of the first rule mention whose name appears as whole words in ``words``, if any."""
    from ..extract.outcomes.lexicon import fold

    folded_words = f" {fold(words)} "
    for index, mention in enumerate(mentions):
        name = fold(str(mention.value))
        if len(name) >= 3 and f" {name} " in folded_words:
            return index
    return None
