"""The sample-size ranker: reading the gold counts, a tiny training run that saves, loads and predicts,
and the committed model on a hand-written abstract."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from extractor.models import sample_size
from extractor.models.linear import LinearModel
from extractor.models.sample_size import choose_with_model, rank_sample_sizes
from extractor.training import sample_size as sample_size_training
from extractor.training.sample_size import candidates_of, first_count, hash_split

HAND_WRITTEN = (
    "BACKGROUND: Exercise may reduce fatigue after breast cancer treatment. "
    "METHODS: A total of 240 women were randomised to a walking programme (n = 118) or usual care (n = 122). "
    "The primary outcome was fatigue at 12 weeks. "
    "RESULTS: Of the 118 women in the walking group, 101 completed the programme. "
    "Fatigue scores fell more with walking (p = 0.01). "
    "CONCLUSIONS: Walking reduces fatigue."
)

_TEMPLATES = [
    "Fatigue is common after treatment. A total of {total} women were randomised to exercise (n = {arm_a}) or "
    "usual care (n = {arm_b}). At 12 weeks, {later} women had completed the follow-up. Fatigue fell more with "
    "exercise.",
    "We studied a new drug for hot flushes. In all, {total} patients were enrolled and randomly assigned to the "
    "drug ({arm_a} patients) or placebo ({arm_b} patients). Of these, {later} patients were analysed. Hot "
    "flushes were fewer with the drug.",
    "Pain after surgery is frequent. {total} participants were randomized: {arm_a} to acupuncture and {arm_b} to "
    "sham. {later} participants reported adverse events. Pain scores were similar.",
]


def _abstract(number: int) -> tuple[str, dict[str, tuple[int, int]]]:
    """A short abstract and the character range of its total and arm counts."""
    arm_a, arm_b = 20 + 3 * number, 22 + 2 * number
    values = {"total": arm_a + arm_b, "arm_a": arm_a, "arm_b": arm_b, "later": arm_a + arm_b - 7}
    text = _TEMPLATES[number % len(_TEMPLATES)].format(**values)
    spans = {}
    for key in ("total", "arm_a", "arm_b"):
        written = str(values[key])
        start = text.index(written, spans["total"][1] if key != "total" else 0)
        spans[key] = (start, start + len(written))
    return text, spans


def _ids(count_per_split: int, test: bool) -> list[str]:
    """Document ids chosen so that each split (train, dev and, with ``test``, test) gets some."""
    wanted = {"train": 3 * count_per_split, "dev": count_per_split, "test": count_per_split if test else 0}
    chosen: list[str] = []
    number = 1000
    while any(wanted.values()):
        doc_id = str(number)
        split = hash_split(doc_id, test=(9,) if test else ())
        if wanted[split]:
            wanted[split] -= 1
            chosen.append(doc_id)
        number += 1
    return chosen


@pytest.fixture(scope="module")
def tiny_shared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A ../shared with a few PICO brat abstracts and EBM-NLP token and label files."""
    shared = tmp_path_factory.mktemp("shared")
    pico = shared / sample_size_training.PICO
    pico.mkdir(parents=True)
    for number, doc_id in enumerate(_ids(3, test=True)):
        text, spans = _abstract(number)
        (pico / f"{doc_id}.txt").write_text(text, encoding="utf-8")
        labels = ("total-participants", "intervention-participants", "control-participants")
        lines = [f"T{k + 1}\t{label} {spans[key][0]} {spans[key][1]}\t{text[spans[key][0]:spans[key][1]]}"
                 for k, (label, key) in enumerate(zip(labels, ("total", "arm_a", "arm_b"), strict=True))]  # fmt: skip
        (pico / f"{doc_id}.ann").write_text("\n".join(lines) + "\n", encoding="utf-8")

    def tokens_and_labels(number: int) -> tuple[list[str], list[str]]:
        text, spans = _abstract(number + 1)
        words = text.replace(".", " .").replace("(", "( ").replace(")", " )").replace(":", " :").split()
        total = text[spans["total"][0] : spans["total"][1]]
        return words, ["3_p" if word == total else "N" for word in words]

    def hierarchical(documents: dict[str, tuple[list[str], list[str]]]) -> str:
        lines = []
        for doc_id, (words, labels) in documents.items():
            lines.append(f"-DOCSTART- -X- O O {doc_id}\n")
            lines.extend(f"{w} NN {label}" for w, label in zip(words, labels, strict=True) if w != ".")
            lines.append("")
        return "\n".join(lines) + "\n"

    ebm = shared / sample_size_training.EBM
    test_docs = {str(5000 + k): tokens_and_labels(k) for k in range(3)}
    (shared / sample_size_training.EBM_TEST_TOKENS).parent.mkdir(parents=True)
    (shared / sample_size_training.EBM_TEST_TOKENS).write_text(
        json.dumps({doc_id: [[w, "N"] for w in words] for doc_id, (words, _) in test_docs.items()}),
        encoding="utf-8",
    )
    (shared / sample_size_training.EBM_TEST_LABELS).parent.mkdir(parents=True)
    (shared / sample_size_training.EBM_TEST_LABELS).write_text(hierarchical(test_docs), encoding="utf-8")
    dev_ids = _ids(2, test=False)
    dev_docs = {doc_id: tokens_and_labels(k + 3) for k, doc_id in enumerate(dev_ids)}
    (shared / sample_size_training.EBM_DEV_LABELS).write_text(hierarchical(dev_docs), encoding="utf-8")
    named, unnamed = dev_ids[::2], dev_ids[1::2]
    (shared / sample_size_training.EBM_DEV_TOKENS_WITH_IDS).parent.mkdir(parents=True)
    (shared / sample_size_training.EBM_DEV_TOKENS_WITH_IDS).write_text(
        "".join(f"-DOCSTART- ({d})\n\n" + "".join(f"{w} O\n" for w in dev_docs[d][0]) + "\n" for d in named),
        encoding="utf-8",
    )
    (shared / sample_size_training.EBM_DEV_TOKENS_NO_IDS).write_text(
        "".join(
            "-DOCSTART- -X- N\n\n" + "".join(f"{w} NN N\n" for w in dev_docs[d][0]) + "\n" for d in unnamed
        ),
        encoding="latin-1",
    )
    assert ebm.is_dir()
    return shared


@pytest.mark.parametrize(
    ("span", "expected"),
    [("240 women", 240), ("Forty-three", 43), ("a total of 1,070 adolescents", 1070), ("women", None)],
)
def test_first_count_reads_the_first_count_of_a_gold_span(span: str, expected: int | None) -> None:
    assert first_count(span) == expected


@pytest.mark.parametrize(("doc_id", "test"), [("12345678", (9,)), ("12345678", ()), ("PMC42", (9,))])
def test_hash_split_is_fixed_by_the_id(doc_id: str, test: tuple[int, ...]) -> None:
    assert hash_split(doc_id, test=test) == hash_split(doc_id, test=test)
    assert hash_split(doc_id, test=test) in (("train", "dev", "test") if test else ("train", "dev"))


def test_tiny_shared_is_read_into_splits_with_gold_counts(tiny_shared: Path) -> None:
    abstracts = sample_size_training.load_abstracts(tiny_shared)
    sources = {split: sorted({a.source for a in items}) for split, items in abstracts.items()}
    assert sources == {"train": ["ebm", "pico"], "dev": ["ebm", "pico"], "test": ["ebm", "pico"]}
    assert all(a.gold is not None for items in abstracts.values() for a in items)
    # every EBM-NLP dev document is found, by PMID or by its words
    assert sum(a.source == "ebm" for split in ("train", "dev") for a in abstracts[split]) == 8
    pico = [a for items in abstracts.values() for a in items if a.source == "pico"]
    assert all(len(a.arms) == 2 for a in pico)


def test_tiny_training_saves_a_model_that_loads_and_predicts(tiny_shared: Path, tmp_path: Path) -> None:
    metrics = sample_size_training.train(tiny_shared, tmp_path, regularisation=(1.0,))
    assert (tmp_path / "model.json").is_file() and (tmp_path / "weights.npz").is_file()
    model = LinearModel.load(tmp_path)
    assert model.metadata["name"] == "sample_size" and 0.0 <= model.metadata["threshold"] <= 1.0
    assert set(metrics["test"]) == {"pico", "ebm", "arms"}
    layer, candidates = candidates_of(HAND_WRITTEN)
    ranked = rank_sample_sizes(candidates, layer, model)
    # every candidate but the arms the rules add up into a sum (one group's count is never the headline)
    sums = [(c.start, c.end) for c in candidates if c.attributes.get("sum_of_arms")]
    offered = [c for c in candidates if "arm" not in c.attributes or not any(s <= c.start < e for s, e in sums)]
    assert sums and len(offered) < len(candidates) and len(ranked) == len(offered)
    assert [p for _, p in ranked] == sorted((p for _, p in ranked), reverse=True)
    chosen, probability = choose_with_model(candidates, layer, model, threshold=0.0)
    # the chance given is the top probability as calibrated by the stored Platt scaling
    assert chosen is ranked[0][0]
    assert probability == pytest.approx(sample_size.calibrated(ranked[0][1], model.metadata.get("calibration")))


def test_choose_with_model_abstains_under_the_threshold(tiny_shared: Path, tmp_path: Path) -> None:
    sample_size_training.train(tiny_shared, tmp_path, regularisation=(1.0,))
    model = LinearModel.load(tmp_path)
    layer, candidates = candidates_of(HAND_WRITTEN)
    chosen, probability = choose_with_model(candidates, layer, model, threshold=1.01)
    assert chosen is None and 0.0 < probability <= 1.0


@pytest.mark.parametrize("text", ["No numbers here at all.", ""])
def test_no_candidates_rank_to_nothing(text: str) -> None:
    layer, candidates = candidates_of(text)
    assert rank_sample_sizes(candidates, layer) == []
    assert choose_with_model(candidates, layer) == (None, 0.0)


def test_committed_model_ranks_the_randomised_total_above_an_arm_count() -> None:
    # Loads models/sample_size/ from the repository: no ../shared needed.
    layer, candidates = candidates_of(HAND_WRITTEN)
    ranked = rank_sample_sizes(candidates, layer)
    probability = {candidate.value["n"]: p for candidate, p in reversed(ranked)}
    assert ranked[0][0].value["n"] == 240
    assert 122 not in probability  # the usual-care arm inside the randomised total is not offered
    assert all(probability[240] > p for candidate, p in ranked if candidate.value["n"] != 240)
    chosen, _ = choose_with_model(candidates, layer)
    assert chosen is not None and chosen.value["n"] == 240


def test_committed_model_is_small_and_has_a_card() -> None:
    folder = sample_size.DEFAULT_PATH
    assert (folder / "MODEL_CARD.md").is_file() and (folder / "metrics.json").is_file()
    assert sum(path.stat().st_size for path in folder.iterdir()) < 3_000_000
