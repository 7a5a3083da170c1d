"""Outcome scorer: how likely a candidate phrase names a measured outcome, as a calibrated probability.

Every outcome candidate of a study unit is scored: the rules' mentions, the outcome-span tagger's spans
(``extractor.models.outcome_spans``) and the noun-phrase chunks of the unit's sentences (``chunk_spans``:
runs of content words between function words, punctuation and numbers, the way a plain name such as
``acceptability`` or ``quality of life`` is written). A row of a candidate holds its words, their shapes,
the words either side of it, the tagger's outcome probability over its tokens, and which generator
proposed it (a rule and its confidence, the tagger, a chunk). A logistic regression
(``extractor.models.linear.LinearModel``, ``model.json`` + ``weights.npz``) gives the probability;
``extractor.training.outcome_scorer`` trains it on public outcome annotations (``extractor train
outcome_scorer``) and calibrates it on held-out ones.

``score_outcome_candidates`` is what extraction calls: the rules' and the tagger's candidates take the
scorer's probability as their confidence (the rule's own confidence stays in ``rule_confidence``), and
chunks that no candidate covers become new candidates of source ``model:outcome_scorer@<version>``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .linear import LinearModel, load_once
from .paths import model_dir

NAME = "outcome_scorer"
VERSION = 1
DEFAULT_PATH = model_dir(NAME)
KINDS = ("rule", "tagger", "chunk")
DENSE_FEATURES = (
    "is_rule", "is_tagger", "is_chunk", "rule_confidence", "tagger_mean", "tagger_max", "tagger_min",
    "tagger_before", "tagger_after", "words", "one_word", "in_brackets", "capitalised", "has_digit",
    "sentence_weight", "mentions", "position",
)
MAX_CHUNK_WORDS = 6
CONTEXT_WORDS = 3

# Words that end a chunk: function words, verbs of reporting, and the words of a report's structure
# (English, with the commonest German, Spanish, French and Portuguese function words).
_STOP = frozenset("""
a an the this that these those there their its our his her my your we they it he she you i them us
was were is are be been being has have had do does did will would can could may might shall should must
or nor but not no yes than then as at by for from in into on onto to with without within between among
across after before during over under up down about above below via per vs versus toward towards
which who whom whose what when where while why how whether if because since although though however also
both either neither all each every any some more most less least much many few several other such same
only very so too just even still yet already furthermore moreover thus therefore hence overall
significant significantly statistically compared comparison using used showed show shows found find
reported report reports increased decreased improved reduced higher lower greater better worse
group groups participants patients study studies trial trials results result conclusion conclusions methods
background objective objectives aim aims purpose design setting intervention interventions control
one two three four five six seven eight nine ten first second third
und oder der die das den dem des ein eine einer mit von zu im bei für auf nicht wurde wurden ist sind
el la los las y o en con para por del un una que se es fue fueron al su sus como
le les et ou en avec pour par du des une est sont dans sur au aux
os as e ou em com para por do da dos das um uma foi foram
""".split())
_KEEP_INSIDE = frozenset({"of", "and", "&"})
_JOINERS = frozenset({"and", "&"})
_WORD = re.compile(r"[^\W\d_][\w'’/-]*|\d[\w.,/-]*|[^\w\s]")
_LETTER = re.compile(r"[^\W\d_]")
_WORD_ONLY = re.compile(r"[^\W_]+")


def chunk_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Character ranges of the noun-phrase-like chunks of ``text[start:end]``: maximal runs of content words
    (``of`` kept inside), each part of a run joined by ``and`` on its own and the whole run too; at most
    ``MAX_CHUNK_WORDS`` words."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    run: list[tuple[int, int, str]] = []

    def flush() -> None:
        while run and run[-1][2] in _KEEP_INSIDE:
            run.pop()
        while run and run[0][2] in _KEEP_INSIDE:
            run.pop(0)
        if not run:
            return
        parts: list[list[tuple[int, int, str]]] = [[]]
        for token in run:
            if token[2] in _JOINERS:
                parts.append([])
            else:
                parts[-1].append(token)
        parts = [part for part in parts if part]
        if len(parts) > 1:
            parts.append(list(run))
        for part in parts:
            while part and part[-1][2] in _KEEP_INSIDE:
                part.pop()
            if part and len(part) <= MAX_CHUNK_WORDS:
                spans.append((part[0][0], part[-1][1]))
        run.clear()

    for match in _WORD.finditer(text, start, end):
        word = match.group()
        lower = word.lower()
        if not _LETTER.match(word) or (lower in _STOP and lower not in _KEEP_INSIDE):
            flush()
            continue
        run.append((match.start(), match.end(), lower))
    flush()
    return sorted(set(spans))


@dataclass(frozen=True)
class TokenProbabilities:
    """The tagger's outcome probability of each of its tokens in a text, with the tokens' offsets."""

    starts: np.ndarray
    ends: np.ndarray
    probabilities: np.ndarray

    def over(self, start: int, end: int) -> tuple[float, float, float, float, float]:
        """Mean, max and min probability of the tokens within ``[start, end)``, and of the token either side."""
        first = int(np.searchsorted(self.ends, start, side="right"))
        last = int(np.searchsorted(self.starts, end, side="left"))
        if last <= first:
            return 0.0, 0.0, 0.0, 0.0, 0.0
        inside = self.probabilities[first:last]
        before = float(self.probabilities[first - 1]) if first > 0 else 0.0
        after = float(self.probabilities[last]) if last < len(self.probabilities) else 0.0
        return float(inside.mean()), float(inside.max()), float(inside.min()), before, after


EMPTY = TokenProbabilities(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0))


@dataclass(frozen=True)
class Candidate:
    """One phrase to score: its character range, which generator proposed it, and a rule's confidence."""

    start: int
    end: int
    kind: str  # rule | tagger | chunk
    rule_confidence: float = 0.0
    sentence_weight: float = 0.0  # how much a mention in its sentence counts (``read_sentences``)
    sentence: tuple[int, int] = (0, 0)  # the sentence holding it


def sentence_chunks(text: str, sentences: Sequence[tuple[int, int, float]]) -> list[tuple[int, int]]:
    """The chunks of the sentences the rules read (``read_sentences``)."""
    return sorted({span for start, end, _ in sentences for span in chunk_spans(text, start, end)})


def sentence_at(sentences: Sequence[tuple[int, int, float]], offset: int) -> tuple[float, tuple[int, int]]:
    """The weight and range of the sentence holding ``offset`` (0 and an empty range outside those read)."""
    for start, end, weight in sentences:
        if start <= offset < end:
            return weight, (start, end)
    return 0.0, (offset, offset)


def unit_candidates(text: str, sentences: Sequence[tuple[int, int, float]], rules: Sequence[tuple[int, int, float]],
                    tagged: Sequence[tuple[int, int]]) -> list[Candidate]:
    """The rows to score in a unit: rule mentions (start, end, confidence), tagger spans, and the chunks of its
    sentences that neither covers; in that order."""
    taken = [(s, e) for s, e, _ in rules] + list(tagged)
    chunks = [(s, e) for s, e in sentence_chunks(text, sentences)
              if not any(s < high and low < e for low, high in taken)]
    return ([Candidate(s, e, "rule", c, *sentence_at(sentences, s)) for s, e, c in rules]
            + [Candidate(s, e, "tagger", 0.0, *sentence_at(sentences, s)) for s, e in tagged]
            + [Candidate(s, e, "chunk", 0.0, *sentence_at(sentences, s)) for s, e in chunks])


def _shape(word: str) -> str:
    shape = re.sub(r"[A-Z]", "X", re.sub(r"[a-z]", "x", re.sub(r"\d", "d", word)))
    return re.sub(r"(.)\1{2,}", r"\1\1", shape)


def candidate_rows(text: str, candidates: Sequence[Candidate], tokens: TokenProbabilities
                   ) -> tuple[dict[str, list[str]], np.ndarray]:
    """The scorer's inputs for each candidate: text blocks (``phrase``, ``shape``, ``context``, ``sentence``)
    and dense features in ``DENSE_FEATURES`` order."""
    phrases, shapes, contexts, sentence_words = [], [], [], []
    dense = np.zeros((len(candidates), len(DENSE_FEATURES)))
    if candidates:
        low = min(c.sentence[0] for c in candidates)
        high = max(max(c.sentence[1], c.end) for c in candidates)
        folded_text = " " + " ".join(_WORD_ONLY.findall(text[low:high].lower())) + " "
        extent = max(1, high - low)
    sentence_cache: dict[tuple[int, int], str] = {}
    for row, candidate in enumerate(candidates):
        words = [m.group() for m in _WORD.finditer(text, candidate.start, candidate.end)]
        lowered = [w.lower() for w in words]
        phrases.append(" ".join(lowered))
        tail = lowered[-1] if lowered else ""
        shapes.append(" ".join([f"s_{_shape(w)}" for w in words] + [f"n_{min(len(words), 6)}", f"h_{tail}",
                                                                     f"x_{tail[-3:]}", f"f_{lowered[0] if lowered else ''}"]))
        left = [m.group().lower() for m in _WORD.finditer(text, max(0, candidate.start - 60), candidate.start)]
        right = [m.group().lower() for m in _WORD.finditer(text, candidate.end, min(len(text), candidate.end + 60))]
        left, right = left[-CONTEXT_WORDS:], right[:CONTEXT_WORDS]
        context = [f"l_{w}" for w in left] + [f"r_{w}" for w in right]
        if left:
            context.append(f"l1_{left[-1]}")
        if right:
            context.append(f"r1_{right[0]}")
        contexts.append(" ".join(context))
        if candidate.sentence not in sentence_cache:
            sentence_cache[candidate.sentence] = " ".join(
                sorted({f"w_{w}" for w in _WORD_ONLY.findall(text[candidate.sentence[0]:candidate.sentence[1]].lower())}))
        sentence_words.append(sentence_cache[candidate.sentence])
        folded = " ".join(_WORD_ONLY.findall(" ".join(lowered)))
        mentions = folded_text.count(f" {folded} ") if folded else 0
        mean, high, low, before, after = tokens.over(candidate.start, candidate.end)
        before_char = text[candidate.start - 1] if candidate.start > 0 else ""
        after_char = text[candidate.end] if candidate.end < len(text) else ""
        dense[row] = (
            candidate.kind == "rule", candidate.kind == "tagger", candidate.kind == "chunk",
            candidate.rule_confidence, mean, high, low, before, after,
            min(len(words), 8) / 8, len(words) == 1, before_char == "(" and after_char == ")",
            any(w[:1].isupper() for w in words), any(ch.isdigit() for ch in text[candidate.start:candidate.end]),
            candidate.sentence_weight, min(np.log1p(mentions), 3.0) / 3.0, (candidate.start - low) / extent,
        )
    return {"phrase": phrases, "shape": shapes, "context": contexts, "sentence": sentence_words}, dense


@dataclass
class Scorer:
    """The stored classifier with its calibration and thresholds."""

    model: LinearModel
    version: int

    def probabilities(self, text: str, candidates: Sequence[Candidate], tokens: TokenProbabilities) -> np.ndarray:
        """The calibrated probability that each candidate names a measured outcome."""
        if not candidates:
            return np.zeros(0)
        blocks, dense = candidate_rows(text, candidates, tokens)
        raw = self.model.predict_proba(blocks, dense)[:, 1]
        return calibrate(raw, self.model.metadata.get("calibration"))


def calibrate(raw: np.ndarray, calibration: dict[str, float] | None) -> np.ndarray:
    """Platt scaling of the classifier's probability (its log-odds times ``a`` plus ``b``), fitted on held-out
    data; the raw probability when no calibration is stored."""
    if not calibration:
        return raw
    clipped = np.clip(raw, 1e-6, 1 - 1e-6)
    logits = np.log(clipped / (1 - clipped))
    return 1.0 / (1.0 + np.exp(-(calibration["a"] * logits + calibration["b"])))


def load_scorer(path: Path = DEFAULT_PATH) -> Scorer:
    """The stored scorer (read once per process)."""
    model = load_once(Path(path))
    return Scorer(model, int(model.metadata.get("version", VERSION)))


def available(path: Path = DEFAULT_PATH) -> bool:
    return (Path(path) / "model.json").is_file()


def score_outcome_candidates(text: str, sentences: Sequence[tuple[int, int, float]], rule_candidates: list[Any],
                             model_candidates: list[Any], tokens: TokenProbabilities,
                             scorer: Scorer | None = None) -> list[Any]:
    """Score a unit's outcome candidates in place and return the chunk candidates no candidate covers.

    ``sentences`` are the unit's sentences the rules read, with their weights (``read_sentences``). A rule or
    tagger candidate takes the scorer's probability as its confidence (a rule's own confidence is kept in
    ``rule_confidence``, a tagger span's probability in ``span_probability``, the score also in
    ``scorer_probability``). A chunk becomes a candidate
    (``matched: chunk``) named as the rules clean a construct; one the cleaning rejects is dropped.
    """
    from ..extract.outcomes.phrases import clean_phrase, construct_key, sentence_case
    from ..types import ExtractedValue

    scorer = scorer or load_scorer()
    rules = [c for c in rule_candidates if c.field == "outcome" and c.start is not None and c.end is not None]
    models = [c for c in model_candidates if c.start is not None and c.end is not None]
    rows = unit_candidates(
        text, sentences,
        [(c.start, c.end, float(c.attributes.get("rule_confidence", c.confidence))) for c in rules],
        [(c.start, c.end) for c in models])
    probabilities = scorer.probabilities(text, rows, tokens)
    for index, (candidate, probability) in enumerate(zip(rules + models, probabilities, strict=False)):
        probability = round(float(probability), 3)
        extra: dict[str, Any] = {"scorer_probability": probability}
        own = "rule_confidence" if index < len(rules) else "span_probability"
        extra[own] = candidate.attributes.get(own, candidate.confidence)
        candidate.attributes = {**candidate.attributes, **extra}
        candidate.confidence = probability
    source = f"model:{NAME}@{scorer.version}"
    added = []
    for row, probability in zip(rows[len(rules) + len(models):], probabilities[len(rules) + len(models):],
                                strict=True):
        words = re.sub(r"\s+", " ", text[row.start:row.end]).strip()
        name = clean_phrase(words, scored=True)
        if name is None:
            continue
        name = sentence_case(name)
        probability = round(float(probability), 3)
        added.append(ExtractedValue(
            field="outcome", value=name, start=row.start, end=row.end, confidence=probability, source=source,
            role=None,
            attributes={"instrument": None, "abbreviation": None, "construct": name, "timepoints": [],
                        "matched": "chunk", "key": construct_key(name), "kind": "construct", "span_text": words,
                        "scorer_probability": probability},
        ))
    return added


def token_probabilities_of(words: Sequence[str], starts: Sequence[int], probabilities: Any) -> TokenProbabilities:
    """``TokenProbabilities`` of the tagger's tokens (``outcome_spans.predict_tokens``)."""
    return TokenProbabilities(np.asarray(starts, dtype=np.int64),
                              np.asarray([s + len(w) for s, w in zip(starts, words, strict=True)], dtype=np.int64),
                              np.asarray(probabilities, dtype=np.float64))
