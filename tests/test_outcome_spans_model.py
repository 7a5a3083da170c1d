"""The outcome-span tagger: reading the corpora, spans and their scores, a tiny training run that saves,
loads and predicts, the merge with the rule mentions, and the committed model on a hand-written abstract."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractor.extract.document import extract_document
from extractor.extract.outcomes.rules import find_outcomes
from extractor.models import outcome_spans
from extractor.models.linear import ModelFormatError
from extractor.models.outcome_spans import (
    LABEL,
    OUTSIDE,
    OutcomeSpan,
    label_runs,
    model_outcome_candidates,
    predict_spans,
    probability_runs,
    split_model_spans,
)
from extractor.readers.text import parse_plain_text
from extractor.textlayer import analyse
from extractor.training import outcome_spans as outcome_spans_training
from extractor.training.outcome_spans import (
    Annotated,
    brat_documents,
    char_to_token_spans,
    conll_documents,
    detokenised_spaces,
    span_scores,
)

HAND_WRITTEN = (
    "Yoga for chronic low back pain: a randomised controlled trial. "
    "METHODS: We randomly assigned 120 adults with chronic low back pain to weekly yoga classes or usual care. "
    "The primary outcome was pain intensity at 12 weeks; secondary outcomes were back-related function, "
    "sleep quality and health-related quality of life. "
    "RESULTS: Pain intensity fell more with yoga than with usual care (mean difference -1.2, 95% CI -1.9 to -0.5). "
    "CONCLUSIONS: Yoga reduced pain."
)


@pytest.mark.parametrize(
    ("labels", "runs"),
    [
        ([OUTSIDE, LABEL, LABEL, OUTSIDE, LABEL], [(1, 3), (4, 5)]),
        ([LABEL, LABEL], [(0, 2)]),
        ([OUTSIDE, OUTSIDE], []),
    ],
)
def test_label_runs_are_maximal_runs_of_outcome_tokens(labels, runs):
    assert label_runs(labels) == runs


@pytest.mark.parametrize(
    ("words", "probabilities", "threshold", "expected"),
    [
        (["the", "pain", ",", "sleep", "."], [0.1, 0.8, 0.6, 0.6, 0.7], 0.5, [(1, 4, (0.8 + 0.6 + 0.6) / 3)]),
        (["(", "mortality", ")"], [0.9, 0.9, 0.9], 0.5, [(1, 2, 0.9)]),
        (["pain", "and", "sleep"], [0.6, 0.2, 0.7], 0.5, [(0, 1, 0.6), (2, 3, 0.7)]),
        (["pain", "and", "sleep"], [0.6, 0.2, 0.7], 0.1, [(0, 3, 0.5)]),
        ([",", ";"], [0.9, 0.9], 0.5, []),
    ],
)
def test_probability_runs_trim_punctuation_and_average(words, probabilities, threshold, expected):
    found = probability_runs(words, probabilities, threshold)
    assert [(s, e) for s, e, _ in found] == [(s, e) for s, e, _ in expected]
    assert [p for _, _, p in found] == pytest.approx([p for _, _, p in expected])


@pytest.mark.parametrize(
    ("gold", "predicted", "expected"),
    [
        # one exact hit, one partial overlap, one miss on each side
        (
            [[(0, 2), (5, 8), (10, 12)]],
            [[(0, 2), (6, 7), (20, 21)]],
            {
                "exact_precision": 1 / 3,
                "exact_recall": 1 / 3,
                "overlap_precision": 2 / 3,
                "overlap_recall": 2 / 3,
            },
        ),
        # one long prediction covering two gold spans: precision 1/1, recall 2/2 by overlap
        (
            [[(0, 2), (3, 5)]],
            [[(0, 5)]],
            {"exact_precision": 0.0, "exact_recall": 0.0, "overlap_precision": 1.0, "overlap_recall": 1.0},
        ),
        ([[(0, 2)]], [[]], {"exact_precision": 0.0, "exact_recall": 0.0, "overlap_f1": 0.0}),
    ],
)
def test_span_scores_count_exact_and_overlap_matches_separately(gold, predicted, expected):
    scores = span_scores(gold, predicted)
    for key, value in expected.items():
        assert scores[key] == pytest.approx(value)


@pytest.mark.parametrize(
    ("spans", "expected"),
    [
        ([(4, 8)], [(1, 2)]),  # "pain" exactly
        ([(5, 15)], [(1, 3)]),  # inside "pain" to inside "scores"
        ([(8, 9)], []),  # only the blank between tokens
    ],
)
def test_char_spans_map_to_the_tokens_they_touch(spans, expected):
    document = Annotated("1", "ebm", "test", ["The", "pain", "scores"], [True, True, False], [OUTSIDE] * 3)
    assert document.text == "The pain scores"
    assert char_to_token_spans(document.token_offsets(), spans) == expected


@pytest.mark.parametrize(
    ("words", "text"),
    [
        (["pain", ",", "sleep", "(", "PSQI", ")", "."], "pain, sleep (PSQI)."),
    ],
)
def test_tokens_are_joined_as_text_is_written(words, text):
    spaces = detokenised_spaces(words)
    assert "".join(w + (" " if s else "") for w, s in zip(words, spaces, strict=True)) == text


def test_conll_documents_read_outcome_tags_and_pmids(tmp_path: Path):
    path = tmp_path / "tiny.txt"
    path.write_text(
        "-DOCSTART- (111)\n\nPain NN O I-OUT\nfell NN O O\n.\tNN O O\n\n"
        "-DOCSTART- (222)\n\nSleep NN O I-OUT\nquality NN O I-OUT\n",
        encoding="utf-8",
    )
    documents = list(conll_documents(path, split="test"))
    assert [d.doc_id for d in documents] == ["111", "222"]
    assert [label_runs(d.labels) for d in documents] == [[(0, 1)], [(0, 2)]]
    assert documents[0].text == "Pain fell."


def test_brat_documents_label_tokens_inside_chosen_types(tmp_path: Path):
    text = "Mortality and stroke were recorded in 40 women."
    (tmp_path / "123.txt").write_text(text, encoding="utf-8")
    (tmp_path / "123.ann").write_text(
        "T1\tOutcome 0 9\tMortality\nT2\tOutcome 14 20\tstroke\nT3\tParticipants 38 46\t40 women\n",
        encoding="utf-8",
    )
    [document] = brat_documents(tmp_path, "weng", frozenset({"Outcome"}))
    assert [" ".join(document.words[s:e]) for s, e in label_runs(document.labels)] == ["Mortality", "stroke"]
    assert document.text == text


@pytest.mark.parametrize(
    ("spans", "rules", "folded", "alone"),
    [
        ([OutcomeSpan(0, 10, 0.9), OutcomeSpan(20, 30, 0.7)], [(5, 12)], [0], [1]),
        ([OutcomeSpan(0, 10, 0.9)], [(10, 12)], [], [0]),  # touching is not overlapping
    ],
)
def test_model_spans_overlapping_a_rule_mention_are_folded(spans, rules, folded, alone):
    got_folded, got_alone = split_model_spans(spans, rules)
    assert [spans.index(s) for s, _ in got_folded] == folded
    assert [spans.index(s) for s in got_alone] == alone


def test_missing_model_folder_is_a_clear_error(tmp_path: Path):
    with pytest.raises(ModelFormatError, match="extractor train outcome_spans"):
        outcome_spans.load_model(tmp_path / "nothing")


# ------------------------------------------------------------------ a tiny training run

_OUTCOMES = ["pain", "sleep quality", "mortality", "blood pressure", "fatigue", "anxiety"]


def _tiny_documents(count: int) -> list[Annotated]:
    documents = []
    for number in range(count):
        outcome = _OUTCOMES[number % len(_OUTCOMES)].split()
        words = ["We", "measured", *outcome, "in", str(20 + number), "adults", "."]
        labels = [OUTSIDE, OUTSIDE, *[LABEL] * len(outcome), OUTSIDE, OUTSIDE, OUTSIDE, OUTSIDE]
        documents.append(Annotated(str(number), "ebm", "train", words, detokenised_spaces(words), labels))
    return documents


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory) -> Path:
    """A tagger fitted on a dozen invented sentences in a few seconds, saved to disk."""
    documents = _tiny_documents(24)
    nlp, history = outcome_spans_training.fit(
        documents,
        documents[:6],
        seed=0,
        max_epochs=20,
        patience=20,
        batch_size=4,
        dropout=0.0,
        network={"width": 32, "depth": 1, "embed_size": 200},
    )
    assert len(history) == 20
    out = tmp_path_factory.mktemp("tiny_outcome_spans")
    outcome_spans_training.save(nlp, out, {"version": 1, "token_threshold": 0.5, "merge_threshold": 0.6})
    return out


def test_tiny_model_saves_loads_and_finds_its_outcomes(tiny_model: Path):
    model = outcome_spans.load_model(tiny_model)
    text = "We measured fatigue in 24 adults."
    spans = predict_spans(text, model=model)
    assert [text[s.start : s.end] for s in spans] == ["fatigue"]
    assert 0.5 <= spans[0].probability <= 1.0


def test_predicted_offsets_are_absolute(tiny_model: Path):
    model = outcome_spans.load_model(tiny_model)
    text = "Title line.\nWe measured anxiety in 25 adults."
    start = text.index("We")
    spans = predict_spans(text, start, len(text), model=model)
    assert [text[s.start : s.end] for s in spans] == ["anxiety"]


# ------------------------------------------------------------------ the committed model


def test_committed_model_loads_and_marks_the_primary_outcome():
    spans = predict_spans(HAND_WRITTEN)
    marked = [HAND_WRITTEN[s.start : s.end] for s in spans]
    assert any("pain intensity" in span.lower() for span in marked), marked
    assert all(0.0 <= s.probability <= 1.0 for s in spans)


def test_numpy_products_give_the_probabilities_of_thinc_blis_products():
    """The loaded tagger multiplies through numpy on one BLAS thread (faster for its small matrices); the
    probabilities must stay those of thinc's own BLIS products, to float32 rounding."""
    import numpy as np
    from spacy.tokens import Doc
    from thinc.api import NumpyOps

    model = outcome_spans.load_model()
    tagger = model.nlp.get_pipe(outcome_spans.PIPE).model
    assert all(not getattr(node.ops, "use_blis", False) for node in tagger.walk())
    words, spaces, _ = outcome_spans._tokens(HAND_WRITTEN * 3)
    doc = Doc(model.nlp.vocab, words=words, spaces=spaces)
    fast = outcome_spans.token_probabilities(model.nlp, [doc])[0]
    blis = NumpyOps(use_blis=True)
    try:
        for node in tagger.walk():
            node.ops = blis
        reference = outcome_spans.token_probabilities(model.nlp, [doc])[0]
    finally:
        outcome_spans.load_model.cache_clear()  # the next user loads it afresh, with numpy products
    assert len(fast) == len(words)
    assert np.abs(fast - reference).max() < 1e-5


def test_merge_folds_agreeing_spans_and_adds_model_only_candidates():
    layer = analyse(HAND_WRITTEN)
    rules = find_outcomes(layer)
    added = model_outcome_candidates(HAND_WRITTEN, 0, len(HAND_WRITTEN), rules, min_confidence=0.4)
    reported = [c for c in rules if c.confidence >= 0.4]
    assert any("model_probability" in c.attributes for c in reported)
    for candidate in added:
        assert candidate.source == f"model:{outcome_spans.NAME}@{outcome_spans.VERSION}"
        assert candidate.attributes["matched"] == "model"
        assert not any(candidate.start < c.end and c.start < candidate.end for c in reported)


@pytest.mark.parametrize(("use_models", "model_values_expected"), [(False, False), (True, True)])
def test_extraction_uses_the_model_only_with_models_on(use_models, model_values_expected):
    document = parse_plain_text(HAND_WRITTEN, "yoga.txt")
    [unit] = extract_document(document, use_models=use_models)
    outcomes = [v for v in unit.values if v.field == "outcome"]
    from_model = [v for v in outcomes if v.source.startswith(f"model:{outcome_spans.NAME}")]
    agreed = [v for v in outcomes if "model_probability" in v.attributes]
    assert bool(from_model or agreed) is model_values_expected


@pytest.mark.parametrize(
    ("source", "confidence", "kept"),
    [
        ("rule:outcomes.construct.v1", 0.45, True),
        ("rule:outcomes.construct.v1", 0.35, False),
        (f"model:{outcome_spans.NAME}@1", 0.45, False),  # a model-only span needs the model threshold
        (f"model:{outcome_spans.NAME}@1", 0.95, True),
    ],
)
def test_outcome_choice_reads_model_only_spans_at_their_own_threshold(source, confidence, kept):
    from extractor.extract.choice import eligible
    from extractor.extract.fields import spec_of
    from extractor.extract.thresholds import thresholds
    from extractor.types import ExtractedValue

    assert thresholds()["outcome_min_confidence"] < 0.45 < thresholds()["outcome_model_min_probability"] < 0.95
    candidate = ExtractedValue("outcome", "pain", 0, 4, confidence, source)
    assert (candidate in eligible(spec_of("outcome"), [candidate])) is kept


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("double-blind trial (SAR).", ["double-blind", "trial", "(", "SAR", ")", "."]),
        ("400 microg/day, p = 0.05", ["400", "microg/day", ",", "p", "=", "0.05"]),
        ("patients ' preferences", ["patients", "'", "preferences"]),
    ],
)
def test_prediction_cuts_tokens_as_the_training_corpora_do(text: str, words: list[str]) -> None:
    from extractor.models.outcome_spans import _tokens

    found, spaces, starts = _tokens(text)
    assert found == words
    assert all(text[start:start + len(word)] == word for word, start in zip(found, starts, strict=True))
    assert len(spaces) == len(found) and spaces[-1] is False


def test_a_long_run_renews_a_model_read_through_docs_so_its_vocabulary_cannot_grow_without_bound(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Regression: extraction passed the model in, so the renewal never happened (memory grew ~5 MB per
    1,000 abstracts). Only a tagger that reads other features than ``FEATURE_COLUMNS`` is read through Docs."""
    from extractor.models import outcome_spans

    monkeypatch.setattr(outcome_spans, "_RELOAD_EVERY", 3)
    monkeypatch.setattr(outcome_spans, "_predictions", 0)
    monkeypatch.setattr(outcome_spans, "_feature_getters", lambda nlp: None)
    outcome_spans.load_model.cache_clear()
    try:
        first = outcome_spans.current_model()
        assert first.feature_getters is None
        assert outcome_spans.current_model() is first
        renewed = outcome_spans.current_model()
        assert renewed is not first and outcome_spans.current_model() is renewed
    finally:
        outcome_spans.load_model.cache_clear()  # the next user loads it with its feature functions


# Words whose attributes are symbols of spaCy's string store ("X", "NOUN"), norm exceptions ("’s", "€", "--"),
# digits, capitals and letters outside ASCII.
ODD_WORDS = ["X", "x", "NOUN", "ROOT", "’s", "'S", "€", "--", "—", "12.5", "mg/kg", "HbA1c", "Ünïcødé", "β-blocker",
             "COVID-19", "„", "?", "a", "I"]


def test_features_read_from_the_words_equal_those_a_doc_gives_the_tagger() -> None:
    import numpy as np
    from spacy.tokens import Doc

    model = outcome_spans.load_model()
    assert model.feature_getters is not None  # the committed tagger reads NORM, PREFIX, SUFFIX and SHAPE
    words, spaces, _ = outcome_spans._tokens(HAND_WRITTEN + " " + " ".join(ODD_WORDS))
    vocabulary = (len(model.nlp.vocab), len(model.nlp.vocab.strings))
    features = outcome_spans.feature_rows(model.feature_getters, words)
    outcome_spans.word_vectors(outcome_spans.LoadedModel(model.nlp, 0.5, 1, model.feature_getters, model.network),
                               words)
    assert (len(model.nlp.vocab), len(model.nlp.vocab.strings)) == vocabulary  # nothing added to the vocabulary
    doc = Doc(model.nlp.vocab, words=words, spaces=spaces)
    assert np.array_equal(features, doc.to_array(list(outcome_spans.FEATURE_COLUMNS)))


def _texts_of_our_own() -> list[str]:
    """Some sixty texts: the hand-written abstract's sentences in turn, cut short, run together, and mixed with
    odd words, so that words recur across texts (the word table serves them) and texts end on every kind of token."""
    sentences = [sentence + "." for sentence in HAND_WRITTEN.split(". ")]
    texts = []
    for number in range(60):
        chosen = [sentences[(number + step) % len(sentences)] for step in range(1 + number % 5)]
        text = " ".join(chosen)
        if number % 3 == 1:
            text = text[: len(text) * 2 // 3]
        if number % 4 == 2:
            text = " ".join(ODD_WORDS[number % 7:]) + " " + text
        texts.append(text)
    return [*texts, "pain", "?", ODD_WORDS[4]]


def _thinc_probabilities(model: outcome_spans.LoadedModel, text: str):
    from spacy.tokens import Doc

    words, spaces, _ = outcome_spans._tokens(text)
    return outcome_spans.token_probabilities(model.nlp, [Doc(model.nlp.vocab, words=words, spaces=spaces)])[0]


def test_the_numpy_network_gives_the_probabilities_of_thinc() -> None:
    """The tagger runs through ``Network`` (numpy, word vectors kept per word); thinc's own forward pass over a
    Doc is the reference, to float32 rounding, whether texts come one at a time or several at once."""
    import numpy as np

    stored = outcome_spans.load_model()
    assert stored.network is not None  # the committed tagger is one ``Network`` computes
    model = outcome_spans.LoadedModel(stored.nlp, stored.token_threshold, stored.version, stored.feature_getters,
                                      stored.network)
    texts = _texts_of_our_own()
    expected = [_thinc_probabilities(model, text) for text in texts]
    one_at_a_time = [outcome_spans.predict_tokens(text, model=model)[2] for text in texts]
    together = model.network.probabilities(
        [outcome_spans.word_vectors(model, outcome_spans._tokens(text)[0]) for text in texts])
    for reference, single, batched in zip(expected, one_at_a_time, together, strict=True):
        assert len(single) == len(batched) == len(reference) > 0
        assert np.abs(single - reference).max() < 1e-6
        assert np.abs(batched - reference).max() < 1e-6
    assert max(np.abs(p - 0.5).max() for p in expected) > 0.3  # the texts have tokens the model is sure of


def test_a_tiny_tagger_of_another_depth_runs_through_the_numpy_network_too(tiny_model: Path) -> None:
    import numpy as np

    model = outcome_spans.load_model(tiny_model)
    assert model.network is not None and len(model.network.blocks) == 1
    for text in _texts_of_our_own()[:10]:
        reference = _thinc_probabilities(model, text)
        assert np.abs(outcome_spans.predict_tokens(text, model=model)[2] - reference).max() < 1e-6


def test_a_tagger_whose_layers_the_numpy_network_does_not_know_runs_through_thinc(tiny_model: Path) -> None:
    import numpy as np

    model = outcome_spans.load_model(tiny_model)
    tagger = model.nlp.get_pipe(outcome_spans.PIPE).model
    softmax = next(node for node in tagger.walk() if node.name == "softmax")
    softmax.attrs["softmax_normalize"] = True  # an output layer that normalises: not what ``Network`` computes
    try:
        assert outcome_spans.Network.of(tagger, 1) is None
    finally:
        softmax.attrs["softmax_normalize"] = False
    fallback = outcome_spans.LoadedModel(model.nlp, model.token_threshold, model.version, model.feature_getters, None)
    text = "We measured fatigue in 24 adults."
    assert np.array_equal(outcome_spans.predict_tokens(text, model=fallback)[2], _thinc_probabilities(model, text))


def test_the_word_table_stays_bounded_and_starts_again_when_full(monkeypatch: pytest.MonkeyPatch) -> None:
    import numpy as np

    monkeypatch.setattr(outcome_spans, "_CACHED_WORDS", 40)
    stored = outcome_spans.load_model()
    model = outcome_spans.LoadedModel(stored.nlp, stored.token_threshold, stored.version, stored.feature_getters,
                                      stored.network)
    first, _, _ = outcome_spans._tokens(HAND_WRITTEN[:150])
    second, _, _ = outcome_spans._tokens(" ".join(ODD_WORDS))
    expected = stored.network.embed(outcome_spans.feature_rows(stored.feature_getters, first + second))
    vectors = [outcome_spans.word_vectors(model, words) for words in (first, second, first)]
    assert model.word_table.shape[0] == 40 and len(model.word_rows) <= 40
    assert np.abs(np.concatenate(vectors[:2]) - expected).max() < 1e-6
    assert np.array_equal(vectors[2], vectors[0])


def test_unlabelled_tokens_of_annotators_documents_cost_nothing_in_training(tiny_model: Path):
    from spacy.tokens import Doc
    from spacy.training import Example

    nlp = outcome_spans.load_model(tiny_model).nlp
    tagger = nlp.get_pipe(outcome_spans.PIPE)
    words = ["We", "measured", "fatigue", "in", "24", "adults", "."]
    losses = {}
    for name, tags in (("unlabelled", [outcome_spans_training.UNLABELLED] * 7), ("outside", [OUTSIDE] * 7)):
        example = Example(Doc(nlp.vocab, words=words), Doc(nlp.vocab, words=words, tags=tags))
        # the output layer is unnormalised at inference: softmax, as training's forward pass does
        guesses = [tagger.model.ops.softmax(scores, axis=-1) for scores in tagger.model.predict([example.predicted])]
        losses[name], _ = tagger.get_loss([example], guesses)
    assert losses["unlabelled"] == 0.0 < losses["outside"]  # "fatigue" is OUT to the model: O costs


def test_a_fit_takes_partly_labelled_documents_beside_fully_labelled_ones():
    words = ["Sleep", "quality", "was", "measured", "weekly", "."]
    partial = Annotated("annotated:x:0", outcome_spans_training.ANNOTATIONS, "train", words, detokenised_spaces(words),
                        [LABEL, LABEL] + [outcome_spans_training.UNLABELLED] * 4)
    nlp, history = outcome_spans_training.fit([*_tiny_documents(8), partial], _tiny_documents(2), seed=0, max_epochs=2,
                                     patience=2, batch_size=3, network={"width": 16, "depth": 1, "embed_size": 100})
    assert len(history) == 2 and all(row["loss"] >= 0 for row in history)
    assert set(nlp.get_pipe(outcome_spans.PIPE).labels) == {LABEL, OUTSIDE}  # "" is no label


def test_a_model_span_marking_a_list_gives_each_item_its_own_name():
    text = "Doses were well tolerated. We recorded pain, grade 3 and serious adverse events, and sleep quality."
    start = text.index("pain")
    span = OutcomeSpan(start, text.index(", and sleep"), 0.8)
    added = model_outcome_candidates(text, 0, len(text), [], min_confidence=0.4, spans=[span])
    assert [c.value for c in added] == ["pain", "serious adverse events"]  # "grade 3" ends in no name
    assert all(c.confidence == 0.8 and c.attributes["matched"] == "model" for c in added)
    assert text[added[1].start:added[1].end] == "serious adverse events"


def test_a_list_item_naming_a_rule_mention_folds_into_it():
    from extractor.types import ExtractedValue

    text = "The primary outcome was quality of life. At 12 weeks, quality of life and fatigue had improved."
    mention = ExtractedValue(field="outcome", value="quality of life", start=text.index("quality"),
                             end=text.index(". At"), confidence=0.7, source="rule:test", role=None, attributes={})
    later = text.index("quality", mention.end)
    span = OutcomeSpan(later, text.index(" had improved"), 0.9)
    added = model_outcome_candidates(text, 0, len(text), [mention], min_confidence=0.4, spans=[span])
    assert [c.value for c in added] == ["fatigue"]
    assert mention.attributes["model_probability"] == 0.9


@pytest.mark.parametrize(("span", "scored", "confidence", "rescued"), [
    (0.5, 0.6, 0.7, True),  # under the tagger's floor, but the scorer believes it: it joins at the floor
    (0.5, 0.2, 0.5, False),
    (0.8, 0.0, 0.8, False),  # at or over the floor: the span's own probability, whatever the scorer says
])
def test_the_scorer_rescues_a_tagger_span_under_the_floor(span, scored, confidence, rescued):
    from extractor.extract.outcomes import _rescue
    from extractor.types import ExtractedValue

    candidate = ExtractedValue(field="outcome", value="fatigue", start=0, end=7, confidence=scored,
                               source="model:test", role=None,
                               attributes={"span_probability": span, "scorer_probability": scored})
    [out] = _rescue([candidate], rescue=0.45, floor=0.7)
    assert out.confidence == confidence
    assert bool(out.attributes.get("rescued")) is rescued


@pytest.mark.parametrize(("confidence", "scored", "expected"), [
    (0.45, 0.35, 0.6),  # weak by the rules, believed by the scorer: raised to the rules' strong level
    (0.45, 0.1, 0.45),
    (0.8, 0.0, 0.8),  # strong already: the scorer does not lower it
])
def test_the_scorer_rescues_a_weak_rule_mention(confidence, scored, expected):
    from extractor.extract.outcomes import _rescue_rules
    from extractor.types import ExtractedValue

    mention = ExtractedValue(field="outcome", value="remission", start=0, end=9, confidence=confidence,
                             source="rule:outcomes.construct.v1", role=None,
                             attributes={"scorer_probability": scored})
    _rescue_rules([mention], rescue=0.3)
    assert mention.confidence == expected
    assert mention.attributes.get("rule_confidence", confidence) == confidence
