"""``TextBlock.transform`` counts terms in Python: the same sparse triples, to the last bit, as counting them with
``np.unique`` over row * size + column (the way it was first written, kept here as the reference), on random
texts for every setting a block can have."""

from __future__ import annotations

import random

import numpy as np
import pytest

from extractor.models.linear import TextBlock

WORDS = ["trial", "pain", "score", "quality", "of", "life", "w_pain", "s_xxx", "l_the", "r_at", "OR", "95", "ci",
         "depression", "and", "anxiety", "at", "six", "months"]


def reference_transform(block: TextBlock, texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rows: list[int] = []
    columns: list[int] = []
    index = {term: column for column, term in enumerate(block.terms)}
    for number, text in enumerate(texts):
        found = [column for term in block.analyse(text) if (column := index.get(term)) is not None]
        columns.extend(found)
        rows.extend([number] * len(found))
    if not columns:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64)
    keys, counts = np.unique(np.array(rows, dtype=np.int64) * block.size + np.array(columns), return_counts=True)
    row_ids, column_ids = np.divmod(keys, block.size)
    values = counts.astype(np.float64)
    if block.binary:
        values[:] = 1.0
    elif block.sublinear_tf:
        values = np.log(values) + 1.0
    if block.idf is not None:
        values = values * block.idf[column_ids]
    if block.norm is not None:
        sizes = values * values if block.norm == "l2" else np.abs(values)
        totals = np.bincount(row_ids, weights=sizes, minlength=len(texts))
        if block.norm == "l2":
            totals = np.sqrt(totals)
        values = values / totals[row_ids]
    return row_ids, column_ids, values


def random_block(generator: random.Random, ngrams: tuple[int, int], binary: bool, sublinear: bool,
                 norm: str | None) -> TextBlock:
    unigrams = generator.sample([w.lower() for w in WORDS], 12)
    bigrams = [f"{generator.choice(WORDS).lower()} {generator.choice(WORDS).lower()}" for _ in range(30)]
    terms = sorted(set(unigrams + (bigrams if ngrams[1] > 1 else [])))
    generator.shuffle(terms)
    idf = np.array([generator.uniform(1.0, 7.0) for _ in terms]) if generator.random() < 0.8 else None
    return TextBlock("text", terms, idf, r"[^\s]+", ngram_range=ngrams, binary=binary, sublinear_tf=sublinear,
                     norm=norm)


@pytest.mark.parametrize("ngrams", [(1, 1), (1, 2), (2, 2), (1, 3)])
@pytest.mark.parametrize(("binary", "sublinear"), [(False, False), (True, False), (False, True)])
@pytest.mark.parametrize("norm", ["l2", "l1", None])
def test_transform_gives_the_same_triples_as_counting_with_np_unique(ngrams: tuple[int, int], binary: bool,
                                                                       sublinear: bool, norm: str | None) -> None:
    generator = random.Random(f"{ngrams}{binary}{sublinear}{norm}")
    for _ in range(40):
        block = random_block(generator, ngrams, binary, sublinear, norm)
        texts = [" ".join(generator.choice(WORDS) for _ in range(generator.randint(0, 25)))
                 for _ in range(generator.randint(0, 9))]
        if texts and generator.random() < 0.5:
            texts.append(generator.choice(texts))  # the same text twice in one call is read once
        got, expected = block.transform(texts), reference_transform(block, texts)
        for mine, theirs in zip(got, expected, strict=True):
            assert mine.dtype == theirs.dtype
            assert mine.tolist() == theirs.tolist()  # exact, not approximate


def test_a_text_with_no_known_term_gives_no_triples() -> None:
    block = TextBlock("text", ["pain"], None, r"[^\s]+")
    rows, columns, values = block.transform(["nothing here", ""])
    assert len(rows) == len(columns) == len(values) == 0
