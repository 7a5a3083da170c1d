"""Rebuild ``extractor/data/outcome_word_positions.json``: where words stand in outcome names written by people.

    .venv/bin/python scripts/build_outcome_word_positions.py [--shared ../shared]

Reads the outcome phrases of the public training texts (never a test split, never the gold):
evidence-inference prompts of the train articles (the last item of a listed prompt), EBM-NLP outcome
spans of the pool the outcome-span tagger trains on (``scibert_ebmnlp/dev.txt``; the expert test gold is
left out), the Weng lab consensus spans, and RCT-ART train-split outcome spans. For each folded word it
counts how often it ends a name (``final``), stands right before another content word (``before``: a
modifier, ``depressive`` in ``depressive symptoms``), is a whole name on its own (``alone``), and appears at
all (``total``); the same counts are kept by last three and four letters, so a word the corpora never saw is
judged by its ending (``-ional``). Only counts are stored, no text.

``extractor.extract.outcomes.heads`` reads the file: a phrase ending in a word that almost never ends a name
is cut before its head; one word that never stands alone (``life``) keeps the ``outcomes`` it came with.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from extractor.training.outcome_scorer import (  # noqa: E402
    EBM_POOL,
    conll_texts,
    ei_texts,
    fold,
    items_of,
    rct_art_texts,
    weng_texts,
)

OUT = REPO / "extractor" / "data" / "outcome_word_positions.json"
FUNCTION_WORDS = frozenset(("of", "in", "on", "at", "for", "to", "with", "and", "or", "by", "from", "among", "during",
                            "after", "before", "between", "than", "as", "vs", "versus", "per", "the", "a", "an"))
MIN_TOTAL = 3  # words seen fewer times are judged by their ending only


def phrases(shared: Path) -> tuple[list[str], dict[str, int]]:
    found: list[str] = []
    sources: dict[str, int] = {}

    def add(source: str, names: list[str]) -> None:
        found.extend(names)
        sources[source] = sources.get(source, 0) + len(names)

    for text in ei_texts(shared):
        if text.split == "train":
            add("evidence-inference train prompts", [items_of(o)[-1] for o in text.outcomes])
    for text in conll_texts(shared / EBM_POOL, None):
        add("EBM-NLP tagger pool (not the test gold)", text.outcomes)
    for text in weng_texts(shared):
        add("Weng lab consensus", text.outcomes)
    for text in rct_art_texts(shared):
        if text.split == "train":
            add("RCT-ART train split", text.outcomes)
    return found, sources


def count(names: list[str]) -> dict[str, dict[str, list[int]]]:
    words: dict[str, Counter[str]] = {key: Counter() for key in ("final", "before", "alone", "total")}
    for name in names:
        folded = fold(name).split()
        if not folded:
            continue
        words["final"][folded[-1]] += 1
        if len(folded) == 1:
            words["alone"][folded[0]] += 1
        for word, following in zip(folded, folded[1:], strict=False):
            if word not in FUNCTION_WORDS and following not in FUNCTION_WORDS:
                words["before"][word] += 1
        for word in folded:
            words["total"][word] += 1
    table: dict[str, list[int]] = {}
    endings: dict[str, list[int]] = {}
    for word, total in words["total"].items():
        row = [words["final"][word], words["before"][word], words["alone"][word], total]
        if not word.isalpha():
            continue
        if total >= MIN_TOTAL:
            table[word] = row
        for size in (3, 4):
            if len(word) > size + 1:
                summed = endings.setdefault(word[-size:], [0, 0, 0, 0])
                for index in range(4):
                    summed[index] += row[index]
    return {"words": dict(sorted(table.items())), "endings": dict(sorted(endings.items()))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    names, sources = phrases(args.shared)
    counted = count(names)
    data = {
        "comment": "Counts of where each folded word stands in outcome names written by people, built by "
                   "scripts/build_outcome_word_positions.py from public training texts (no test split, no gold): "
                   "[final, before a content word, alone, total]; 'endings' sums them by last 3 and 4 letters.",
        "sources": sources,
        **counted,
    }
    args.out.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{len(names)} names; {len(counted['words'])} words, {len(counted['endings'])} endings -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
