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
from functools import cache, lru_cache
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

_STOP_WORDS_FILE = Path(__file__).resolve().parents[1] / "data" / "chunk_stop_words.txt"


@cache
def _stop_words() -> frozenset[str]:
    """The words that end a chunk (``data/chunk_stop_words.txt``), loaded once."""
    lines = _STOP_WORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(word for line in lines if not line.startswith("#") for word in line.split())


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

    stop = _stop_words()
    for match in _WORD.finditer(text, start, end):
        word = match.group()
        lower = word.lower()
        if not _LETTER.match(word) or (lower in stop and lower not in _KEEP_INSIDE):
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
        before = float(self.probabilities[first - 1]) if first > 0 else 0.0
        after = float(self.probabilities[last]) if last < len(self.probabilities) else 0.0
        inside = self.probabilities[first:last]
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


_DIGIT, _UPPER, _LOWER, _REPEATED = re.compile(r"\d"), re.compile(r"[A-Z]"), re.compile(r"[a-z]"), re.compile(r"(.)\1{2,}")


@lru_cache(maxsize=8192)
def _shape(word: str) -> str:
    shape = _UPPER.sub("X", _LOWER.sub("x", _DIGIT.sub("d", word)))
    return _REPEATED.sub(r"\1\1", shape)


def unit_bounds(candidates: Sequence[Candidate]) -> tuple[int, int]:
    """The range a unit's candidates span (their sentences included): where mentions are counted and positions
    read."""
    return (min(c.sentence[0] for c in candidates), max(max(c.sentence[1], c.end) for c in candidates))


def candidate_rows(text: str, candidates: Sequence[Candidate], tokens: TokenProbabilities,
                   bounds: tuple[int, int] | None = None) -> tuple[dict[str, list[str]], np.ndarray]:
    """The scorer's inputs for each candidate: text blocks (``phrase``, ``shape``, ``context``, ``sentence``)
    and dense features in ``DENSE_FEATURES`` order. ``bounds``: the unit's range (``unit_bounds`` of all its
    candidates) when only some of them are scored."""
    phrases, shapes, contexts, sentence_words = [], [], [], []
    dense = np.zeros((len(candidates), len(DENSE_FEATURES)))
    if candidates:
        low, high = bounds or unit_bounds(candidates)
        folded_text = " " + " ".join(_WORD_ONLY.findall(text[low:high].lower())) + " "
        extent = max(1, high - low)
    sentence_cache: dict[tuple[int, int], str] = {}
    for row, candidate in enumerate(candidates):
        words = _WORD.findall(text, candidate.start, candidate.end)
        lowered = [w.lower() for w in words]
        phrases.append(" ".join(lowered))
        tail = lowered[-1] if lowered else ""
        shapes.append(" ".join([f"s_{_shape(w)}" for w in words] + [f"n_{min(len(words), 6)}", f"h_{tail}",
                                                                     f"x_{tail[-3:]}", f"f_{lowered[0] if lowered else ''}"]))
        left = [w.lower() for w in _WORD.findall(text, max(0, candidate.start - 60), candidate.start)[-CONTEXT_WORDS:]]
        right = [w.lower() for w in _WORD.findall(text, candidate.end, min(len(text), candidate.end + 60))[:CONTEXT_WORDS]]
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

    def probabilities(self, text: str, candidates: Sequence[Candidate], tokens: TokenProbabilities,
                      bounds: tuple[int, int] | None = None) -> np.ndarray:
        """The calibrated probability that each candidate names a measured outcome (``bounds``: as
        ``candidate_rows``)."""
        if not candidates:
            return np.zeros(0)
        blocks, dense = candidate_rows(text, candidates, tokens, bounds)
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


def load_scorer(path: Path | None = None) -> Scorer:
    """The stored scorer (read once per process); ``DEFAULT_PATH`` unless told."""
    model = load_once(Path(path or DEFAULT_PATH))
    return Scorer(model, int(model.metadata.get("version", VERSION)))


def available(path: Path | None = None) -> bool:
    """Whether a scorer is stored (``DEFAULT_PATH`` unless told)."""
    return (Path(path or DEFAULT_PATH) / "model.json").is_file()


def has_group_model(path: Path | None = None) -> bool:
    """Whether the stored scorer also holds the chooser among a unit's outcomes (``group_model``)."""
    return available(path) and "group_model" in load_scorer(path).model.metadata


def score_outcome_candidates(text: str, sentences: Sequence[tuple[int, int, float]], rule_candidates: list[Any],
                             model_candidates: list[Any], tokens: TokenProbabilities,
                             scorer: Scorer | None = None) -> list[Any]:
    """Score a unit's outcome candidates in place and return the chunk candidates no candidate covers.

    ``sentences`` are the unit's sentences the rules read, with their weights (``read_sentences``). Every
    candidate gains ``scorer_probability``; a tagger candidate also takes it as its confidence (its span's
    probability is kept in ``span_probability``), a rule mention keeps its own. A chunk becomes a candidate
    (``matched: chunk``) named as the rules clean a construct; one the cleaning rejects is dropped.
    """
    from ..extract.outcomes.phrases import clean_phrase, construct_key, sentence_case
    from ..types import ExtractedValue

    scorer = scorer or load_scorer()
    rules = [c for c in rule_candidates if c.field == "outcome" and c.start is not None and c.end is not None]
    models = [c for c in model_candidates if c.start is not None and c.end is not None]
    rows = unit_candidates(
        text, sentences, [(c.start, c.end, float(c.confidence)) for c in rules],
        [(c.start, c.end) for c in models])
    probabilities = scorer.probabilities(text, rows, tokens)
    for index, (candidate, probability) in enumerate(zip(rules + models, probabilities, strict=False)):
        probability = round(float(probability), 3)
        if index < len(rules):  # a rule mention keeps its confidence: the rules' floor still reads it
            candidate.attributes = {**candidate.attributes, "scorer_probability": probability}
            continue
        candidate.attributes = {**candidate.attributes, "scorer_probability": probability,
                                "span_probability": candidate.attributes.get("span_probability",
                                                                             candidate.confidence)}
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


def score_weak_candidates(text: str, sentences: Sequence[tuple[int, int, float]], rule_candidates: list[Any],
                          model_candidates: list[Any], tokens: TokenProbabilities, rule_below: float,
                          model_below: float, scorer: Scorer | None = None) -> None:
    """Give ``scorer_probability`` to the rule mentions under ``rule_below`` and the tagger candidates under
    ``model_below`` only (what a rescue reads), their features read as ``score_outcome_candidates`` reads them
    (the unit's range counts its chunks); the other candidates and the chunks are not scored, which costs a
    fraction of scoring them all."""
    scorer = scorer or load_scorer()
    rules = [c for c in rule_candidates if c.field == "outcome" and c.start is not None and c.end is not None]
    models = [c for c in model_candidates if c.start is not None and c.end is not None]
    rows = [Candidate(c.start, c.end, "rule", float(c.confidence), *sentence_at(sentences, c.start)) for c in rules]
    rows += [Candidate(c.start, c.end, "tagger", 0.0, *sentence_at(sentences, c.start)) for c in models]
    weak = [(candidate, row) for index, (candidate, row) in enumerate(zip(rules + models, rows, strict=True))
            if float(candidate.confidence) < (rule_below if index < len(rules) else model_below)]
    if not weak:
        return
    low, high = unit_bounds(rows)
    if sentences:  # the chunks of every sentence read count too (as ``unit_candidates`` makes them)
        low, high = min(low, min(s for s, _, _ in sentences)), max(high, max(e for _, e, _ in sentences))
    probabilities = scorer.probabilities(text, [row for _, row in weak], tokens, (low, high))
    for (candidate, _), probability in zip(weak, probabilities, strict=True):
        candidate.attributes = {**candidate.attributes, "scorer_probability": round(float(probability), 3)}


def token_probabilities_of(words: Sequence[str], starts: Sequence[int], probabilities: Any) -> TokenProbabilities:
    """``TokenProbabilities`` of the tagger's tokens (``outcome_spans.predict_tokens``)."""
    return TokenProbabilities(np.asarray(starts, dtype=np.int64),
                              np.asarray([s + len(w) for s, w in zip(starts, words, strict=True)], dtype=np.int64),
                              np.asarray(probabilities, dtype=np.float64))


# ------------------------------------------------------------------ choosing among the unit's outcomes

GROUP_FEATURES = (
    "max_score", "mean_score", "mentions", "max_rule_confidence", "has_rule", "has_tagger", "has_chunk",
    "instrument", "abbreviation", "first_position", "primary", "secondary", "one_word", "words",
    "rule_choice_confidence",
)


def group_features(members: Sequence[Any], display: str, rule_confidence: float, start: int, end: int) -> list[float]:
    """The features of one outcome of a unit (the mentions grouped by ``outcome_groups``): how the scorer and
    the rules rate its mentions, how often and where it is mentioned, and its name's length.
    ``rule_confidence`` is the group's confidence as the rules' choice computes it."""
    scores = [float(m.attributes.get("scorer_probability", 0.0)) for m in members]
    rules = [float(m.confidence) for m in members if m.source.startswith("rule:")]
    matched = {m.attributes.get("matched") for m in members}
    roles = {m.role for m in members}
    first = min((m.start or 0) for m in members)
    words = len(display.split())
    return [
        max(scores), sum(scores) / len(scores), min(np.log1p(len(members)), 3.0) / 3.0, max(rules, default=0.0),
        bool(rules), "model" in matched, "chunk" in matched,
        any(m.attributes.get("kind") == "instrument" for m in members),
        any(m.attributes.get("abbreviation") for m in members),
        (first - start) / max(1, end - start), "primary" in roles, "secondary" in roles, words == 1,
        min(words, 8) / 8, rule_confidence if rules else 0.0,
    ]


def group_probabilities(rows: Sequence[Sequence[float]], settings: dict[str, Any]) -> np.ndarray:
    """The calibrated probability that each outcome group is an outcome the study reports (``group_model``
    of the stored metadata: a logistic regression over ``GROUP_FEATURES`` with its Platt scaling)."""
    if not rows:
        return np.zeros(0)
    matrix = np.asarray(rows, dtype=np.float64)
    mean, scale = np.asarray(settings["mean"]), np.asarray(settings["scale"])
    logits = ((matrix - mean) / scale) @ np.asarray(settings["coef"]) + float(settings["intercept"])
    return 1.0 / (1.0 + np.exp(-(settings["calibration"]["a"] * logits + settings["calibration"]["b"])))


def unit_rows(groups: Sequence[Any]) -> list[list[float]]:
    """The features of each outcome group of a unit; positions are read within the span its mentions cover."""
    starts = [m.start or 0 for g in groups for m in g.members]
    ends = [m.end or 0 for g in groups for m in g.members]
    start, end = min(starts, default=0), max(ends, default=0)
    return [group_features(g.members, g.display, g.confidence, start, end) for g in groups]


def group_chooser(keep_min: float, add_min: float | None, scorer: Scorer | None = None) -> Any:
    """A ``keep`` for ``choose_outcomes``: of the groups the rules would report (their strong groups, or their
    weak ones when a unit has nothing strong), those whose probability reaches ``keep_min``; and any other group
    whose probability reaches ``add_min`` (none when it is None). A kept group takes its probability as its
    confidence."""
    from ..extract.outcomes.choice import STRONG, WEAK

    scorer = scorer or load_scorer()
    settings = scorer.model.metadata["group_model"]

    def keep(groups: list[Any]) -> list[Any]:
        ruled = [g for g in groups if g.confidence >= STRONG] or [g for g in groups if g.confidence >= WEAK]
        chosen = {id(g) for g in ruled}
        kept = []
        for group, probability in zip(groups, group_probabilities(unit_rows(groups), settings), strict=True):
            if probability >= keep_min if id(group) in chosen else add_min is not None and probability >= add_min:
                group.confidence = float(probability)
                kept.append(group)
        return kept

    return keep


def settings_active(limits: dict[str, Any]) -> bool:
    """Whether the chooser's thresholds (``outcome_group_keep_min_probability``, ``outcome_group_add_min_probability``
    of ``data/combine.json``) can change the rules' choice; when they cannot, scoring is skipped."""
    return limits.get("outcome_group_keep_min_probability", 0.0) > 0 or \
        limits.get("outcome_group_add_min_probability") is not None


def active(limits: dict[str, Any]) -> bool:
    """Whether extraction scores outcome candidates: a scorer is stored and the chooser's thresholds can change
    the choice."""
    return settings_active(limits) and available()
