"""The sentence-role classifier: headings to labels, splits, a tiny training run, the committed model,
and the numpy predictor of ``extractor.models.linear`` against scikit-learn's."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import numpy as np
import pytest
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from extractor.models import sentence_roles
from extractor.models.linear import LinearModel, ModelFormatError
from extractor.models.sentence_roles import ROLES, predict_roles
from extractor.training import sentence_roles as sentence_roles_training
from extractor.training.linear import UnsupportedEstimator, from_sklearn, save, sklearn_matrix
from extractor.training.sentence_roles import abstract_examples, article_splits, hash_split, heading_role

# ---------------------------------------------------------------- a tiny evidence-inference folder

_BACKGROUNDS = [
    "Postnatal depression is common and harms mothers and their infants.",
    "Few trials have tested home visiting for mothers with low mood.",
    "Chronic back pain is a leading cause of disability in adults.",
    "Exercise programmes are often recommended but their effects are uncertain.",
]
_OBJECTIVES = [
    "To evaluate whether home visiting reduces postnatal depression.",
    "To assess the effect of a walking programme on back pain.",
]
_METHODS = [
    "We randomised 120 mothers to home visits or usual care.",
    "Participants were allocated to exercise or waiting list by computer.",
    "The primary outcome was the depression score at 6 months.",
    "Outcomes were assessed by blinded assessors at baseline and 12 weeks.",
]
_RESULTS = [
    "Depression scores fell more in the intervention group (p = 0.01).",
    "Pain scores were lower with exercise than control (mean difference 1.2, 95% CI 0.4 to 2.0).",
    "There were no serious adverse events in either group (p = 0.40).",
    "Disability improved in 45% of the exercise group and 20% of controls (p < 0.001).",
]
_CONCLUSIONS = [
    "Home visiting may reduce postnatal depression and should be offered.",
    "A walking programme is a safe and effective treatment for back pain.",
]


def _abst(number: int, structured: bool = True) -> str:
    """An .abst file in the layout of the evidence-inference archive."""
    pick = lambda items, k=1: " ".join(items[(number + i) % len(items)] for i in range(k))  # noqa: E731
    if not structured:
        return f"TITLE.\nAn unstructured one\n\n\n\nABSTRACT.\n{pick(_BACKGROUNDS)} {pick(_RESULTS)}\n\nBODY.\nText.\n"
    objective = f"ABSTRACT.OBJECTIVE:.\n{pick(_OBJECTIVES)}\n\n" if number % 2 else ""
    return (
        f"TITLE.\nTrial number {number}\n\n\n\n"
        f"ABSTRACT.{'BACKGROUND' if number % 3 else 'INTRODUCTION'}.\n{pick(_BACKGROUNDS, 2)}\n\n"
        f"{objective}"
        f"ABSTRACT.{'MATERIALS AND METHODS' if number % 4 == 0 else 'METHODS'}:.\n{pick(_METHODS, 2)}\n\n"
        f"ABSTRACT.RESULTS.\n{pick(_RESULTS, 2)}\n\n"
        f"ABSTRACT.{'CONCLUSIONS' if number % 2 else 'CONCLUSION'}.\n{pick(_CONCLUSIONS)}\n\n"
        "ABSTRACT.TRIAL REGISTRATION:\n\nISRCTN12345678.\n\n"
        "BODY.INTRODUCTION.\nThe body is not part of the abstract. We randomised nobody here.\n\n"
        "BODY.RESULTS.\nNothing to see (p = 0.5).\n"
    )


@pytest.fixture(scope="module")
def tiny_shared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A ../shared with 24 structured abstracts, one unstructured one and the split files."""
    shared = tmp_path_factory.mktemp("shared")
    annotations = shared / sentence_roles_training.ANNOTATIONS
    (annotations / "splits").mkdir(parents=True)
    with tarfile.open(annotations / "abstracts.tar.gz", "w:gz") as archive:
        files = {f"PMC{1000 + number}": _abst(number) for number in range(24)}
        files["PMC2000"] = _abst(0, structured=False)
        for name, text in files.items():
            data = text.encode("utf-8")
            member = tarfile.TarInfo(f"abstracts/{name}.abst")
            member.size = len(data)
            archive.addfile(member, io.BytesIO(data))
    ids = [str(1000 + number) for number in range(24)]
    # Article 1023 is in no split file: it goes by hash.
    (annotations / "splits" / "train_article_ids.txt").write_text("\n".join(ids[:16]) + "\n")
    (annotations / "splits" / "validation_article_ids.txt").write_text("\n".join(ids[16:20]) + "\n")
    (annotations / "splits" / "test_article_ids.txt").write_text("\n".join(ids[20:23]))
    return shared


@pytest.fixture(scope="module")
def tiny_model(tiny_shared: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("model")
    metrics = sentence_roles_training.train(tiny_shared, out, seed=0, regularisation=(1.0, 10.0))
    return out, metrics


# ---------------------------------------------------------------- headings and splits


@pytest.mark.parametrize(
    ("heading", "role"),
    [
        ("ABSTRACT.BACKGROUND:.", "background"),
        ("ABSTRACT.INTRODUCTION.", "background"),
        ("ABSTRACT.AIMS/HYPOTHESIS.", "objective"),
        ("ABSTRACT.PURPOSE:.", "objective"),
        ("ABSTRACT.MATERIALS AND METHODS.", "methods"),
        ("ABSTRACT.MAIN OUTCOME MEASURE(S).", "methods"),
        ("ABSTRACT.DESIGN, SETTING, AND PARTICIPANTS.", "methods"),
        ("ABSTRACT.ABSTRACT.RESULTS.", "results"),
        ("ABSTRACT.SUMMARY.FINDINGS.", "results"),
        ("ABSTRACT.SUMMARY.INTERPRETATION.", "conclusions"),
        ("ABSTRACT.CONCLUSIONS/SIGNIFICANCE.", "conclusions"),
        ("ABSTRACT.[CONCLUSION]", "conclusions"),
        ("ABSTRACT.METHODS AND RESULTS.", None),
        ("ABSTRACT.BACKGROUND AND AIMS.", None),
        ("ABSTRACT.TRIAL REGISTRATION:", None),
        ("ABSTRACT.CLINICALTRIALS.GOV IDENTIFIER.", None),
        ("ABSTRACT.", None),
    ],
)
def test_heading_role_maps_variants_and_drops_mixed_headings(heading: str, role: str | None) -> None:
    assert heading_role(heading) == role


def test_examples_drop_headings_body_and_unmapped_parts_but_keep_them_as_context() -> None:
    examples = abstract_examples("1001", _abst(1))
    texts = [e.sentence for e in examples]
    assert not any("ABSTRACT" in text or "BODY" in text or "METHODS" in text for text in texts)
    assert "The body is not part of the abstract." not in texts
    assert [e.role for e in examples] == ["background"] * 2 + ["objective"] + ["methods"] * 2 + ["results"] * 2 + [
        "conclusions"
    ]
    # The registration sentence gives no example, yet counts for positions and is the last one's neighbour.
    assert examples[-1].following == "ISRCTN12345678."
    assert {e.count for e in examples} == {9}
    assert examples[0].previous == "" and examples[0].index == 0


def test_split_files_decide_and_unlisted_articles_split_by_hash(tiny_shared: Path) -> None:
    splits = article_splits(tiny_shared, ["1000", "1017", "1022", "1023", "999999"])
    assert splits["1000"] == "train" and splits["1017"] == "dev" and splits["1022"] == "test"
    assert splits["1023"] == hash_split("1023") and splits["999999"] == hash_split("999999")


def test_hash_split_is_about_80_10_10() -> None:
    counts = {split: 0 for split in ("train", "dev", "test")}
    for number in range(5000):
        counts[hash_split(str(number))] += 1
    assert 3800 < counts["train"] < 4200 and 400 < counts["dev"] < 600 and 400 < counts["test"] < 600


# ---------------------------------------------------------------- a tiny training run


def test_tiny_training_run_saves_a_model_that_loads_and_predicts(tiny_model: tuple[Path, dict]) -> None:
    out, metrics = tiny_model
    assert {path.name for path in out.iterdir()} == {"model.json", "weights.npz"}
    assert metrics["data"]["abstracts"] == 25 and metrics["data"]["abstracts_with_labelled_parts"] == 24
    assert set(metrics["sentences"]["train"]) == set(ROLES)
    assert 0.0 <= metrics["test"]["accuracy"] <= 1.0 and metrics["C"] in (1.0, 10.0)
    predictions = predict_roles(_RESULTS[:1] + _METHODS[:1], model=sentence_roles.load(out))
    assert len(predictions) == 2
    assert all(role in ROLES and 0.0 < probability <= 1.0 for role, probability in predictions)


def test_stored_weights_reproduce_sklearn_probabilities(tiny_shared: Path, tmp_path: Path) -> None:
    examples, _ = sentence_roles_training.load_examples(tiny_shared)
    classifier, vectorizers = sentence_roles_training._fit(examples["train"], 1.0, seed=0)
    texts, dense = sentence_roles_training.example_inputs(examples["dev"] + examples["test"])
    expected = classifier.predict_proba(sklearn_matrix(vectorizers, texts, dense))
    model = from_sklearn(classifier, vectorizers, sentence_roles.DENSE_FEATURES)
    save(model, tmp_path / "float64", dtype="float64")
    save(model, tmp_path / "float32")
    exact = LinearModel.load(tmp_path / "float64").predict_proba(texts, dense)
    stored = LinearModel.load(tmp_path / "float32").predict_proba(texts, dense)
    assert np.allclose(exact, expected, rtol=0, atol=1e-12)
    assert np.allclose(stored, expected, rtol=0, atol=1e-5)
    assert (stored.argmax(axis=1) == expected.argmax(axis=1)).all()


_TEXTS = [
    "The cat sat on the mat.", "A dog barked at the cat!", "Cats and dogs: p < 0.05, 95% CI.",
    "Über café naïve résumé", "the the the mat mat", "", "Mat, dog; cat.", "DOGS DOGS cats",
]  # fmt: skip


@pytest.mark.parametrize(
    ("vectorizer", "labels"),
    [
        (TfidfVectorizer(), [0, 1, 0, 1, 0, 1, 0, 1]),
        (TfidfVectorizer(ngram_range=(1, 3), sublinear_tf=True, norm="l1", lowercase=False), ["a", "b", "c"] * 2 + ["a", "b"]),
        (TfidfVectorizer(binary=True, use_idf=False, token_pattern=r"(?u)\b\w+\b|[<=%]"), ["x", "y"] * 4),
        (TfidfVectorizer(ngram_range=(2, 2), smooth_idf=False), ["x", "y", "z", "x", "y", "z", "x", "y"]),
        (CountVectorizer(ngram_range=(1, 2)), ["x", "y", "z", "x", "y", "z", "x", "y"]),
    ],
)
def test_linear_model_matches_sklearn_for_other_vectorizer_settings(vectorizer, labels, tmp_path: Path) -> None:
    matrix = vectorizer.fit_transform(_TEXTS)
    classifier = LogisticRegression(C=5.0).fit(matrix, labels)
    save(from_sklearn(classifier, [("text", vectorizer)]), tmp_path, dtype="float64")
    model = LinearModel.load(tmp_path)
    queries = [*_TEXTS, "an unseen sentence", "cat dog mat"]
    expected = classifier.predict_proba(vectorizer.transform(queries))
    assert np.allclose(model.predict_proba(queries), expected, rtol=0, atol=1e-12)
    assert model.predict(queries) == list(classifier.predict(vectorizer.transform(queries)))


def test_options_that_cannot_be_reproduced_are_refused() -> None:
    vectorizer = TfidfVectorizer(stop_words="english").fit(_TEXTS)
    classifier = LogisticRegression().fit(vectorizer.transform(_TEXTS), [0, 1] * 4)
    with pytest.raises(UnsupportedEstimator, match="stop_words"):
        from_sklearn(classifier, [("text", vectorizer)])


def test_a_folder_without_a_model_is_a_format_error(tmp_path: Path) -> None:
    with pytest.raises(ModelFormatError, match="model.json"):
        LinearModel.load(tmp_path)


# ---------------------------------------------------------------- the committed model

_ABSTRACT = [
    ("Postnatal depression affects one in seven mothers and harms child development.", "background"),
    ("The aim of this study was to evaluate a home-visiting programme for mothers with postnatal depression.",
     "objective"),
    ("We randomised 120 mothers to weekly home visits or usual care.", "methods"),
    ("The primary outcome was the Edinburgh Postnatal Depression Scale score at six months.", "methods"),
    ("Depression scores fell more in the intervention group (p = 0.01).", "results"),
    ("Adverse events were similar in both groups (12% vs 14%).", "results"),
    ("Home visiting reduces postnatal depression and should be offered to all mothers at risk.", "conclusions"),
]  # fmt: skip


def test_committed_model_is_small_and_in_safe_formats() -> None:
    folder = sentence_roles.DEFAULT_PATH
    assert {"model.json", "weights.npz", "MODEL_CARD.md"} <= {path.name for path in folder.iterdir()}
    assert sum(path.stat().st_size for path in folder.iterdir()) < 20_000_000
    with np.load(folder / "weights.npz", allow_pickle=False) as weights:
        assert all(weights[name].dtype.kind == "f" for name in weights.files)


@pytest.mark.parametrize(("index", "role"), [(index, role) for index, (_, role) in enumerate(_ABSTRACT)])
def test_committed_model_predicts_roles_of_a_written_abstract(index: int, role: str) -> None:
    predictions = predict_roles([sentence for sentence, _ in _ABSTRACT])
    if role == "objective":
        # The aim sentence that follows background is labelled background in most training abstracts
        # (it ends their BACKGROUND part), so either role is right here; see the model card.
        assert predictions[index][0] in ("background", "objective")
    else:
        assert predictions[index][0] == role


def test_committed_model_predicts_objective_for_an_aim_that_opens_the_abstract() -> None:
    sentences = ["To determine whether home visiting reduces postnatal depression."]
    sentences += [sentence for sentence, role in _ABSTRACT if role not in ("background", "objective")]
    assert predict_roles(sentences)[0][0] == "objective"


@pytest.mark.parametrize(
    ("sentence", "role"),
    [
        ("We randomised 120 mothers to a parenting group or a waiting list.", "methods"),
        ("Depression scores fell more in the intervention group (p = 0.01).", "results"),
        ("The odds of relapse were lower with the drug (OR 0.54, 95% CI 0.31 to 0.92).", "results"),
    ],
)
def test_committed_model_predicts_a_sentence_alone_in_the_middle_of_an_abstract(sentence: str, role: str) -> None:
    [(predicted, probability)] = predict_roles([sentence], positions=[(4, 10)])
    assert predicted == role and probability > 0.5


def test_positions_must_match_the_sentences() -> None:
    with pytest.raises(ValueError, match="positions"):
        predict_roles(["One.", "Two."], positions=[(0, 2)])
    assert predict_roles([]) == []


def _layer_of(sentences: list[str], heading: str | None = None):
    from extractor.textlayer import analyse

    text = (f"{heading}\n" if heading else "") + " ".join(sentences)
    return analyse(text)


def test_assign_roles_gives_unheaded_abstract_sentences_confident_roles() -> None:
    from extractor.models.sentence_roles import assign_roles

    layer = _layer_of([sentence for sentence, _ in _ABSTRACT])
    assigned = assign_roles(layer, 0, len(layer.text), 0.5)
    results = [s for s in assigned.sentences if "fell more" in layer.text[s.start:s.end]]
    assert results and results[0].section == "results" and results[0].role_probability >= 0.5
    assert all(s.section is None for s in layer.sentences)  # the input layer is not changed


@pytest.mark.parametrize(("threshold", "expect_roles"), [(1.01, False), (0.0, True)])
def test_assign_roles_leaves_sentences_below_the_threshold_without_a_role(threshold: float, expect_roles: bool) -> None:
    from extractor.models.sentence_roles import assign_roles

    layer = _layer_of([sentence for sentence, _ in _ABSTRACT])
    assigned = assign_roles(layer, 0, len(layer.text), threshold)
    assert any(s.section for s in assigned.sentences) is expect_roles


def test_assign_roles_never_replaces_roles_from_headings() -> None:
    from extractor.models.sentence_roles import assign_roles

    layer = _layer_of([sentence for sentence, _ in _ABSTRACT[:3]], heading="METHODS:")
    assert assign_roles(layer, 0, len(layer.text), 0.0) is layer


def test_assign_roles_skips_sentences_outside_the_range() -> None:
    from extractor.models.sentence_roles import assign_roles

    layer = _layer_of([sentence for sentence, _ in _ABSTRACT])
    first = layer.sentences[0]
    assigned = assign_roles(layer, first.end, len(layer.text), 0.0)
    assert assigned.sentences[0].section is None and assigned.sentences[1].section is not None
