"""Rebuild ``extractor/data/outcome_stop_heads.json``: head words that public annotators almost never mark as outcomes.

    .venv/bin/python scripts/build_outcome_stop_heads.py [--shared ../shared]

Reads the public training texts whose outcome spans are marked exhaustively (EBM-NLP documents of the pool the
outcome-span tagger trains on, not its dev documents nor the expert test gold; Weng lab consensus abstracts
outside the tagger's dev bucket). In each, the candidates extraction generates without the tagger (rule mentions
and the noun-phrase chunks of the sentences the rules read; the tagger saw these texts, so its spans would be
flattered) are named as the rules clean a phrase, and each name's head word (its last word) is counted: how often
a name with that head matches an annotated outcome (``names_match``) and how often none. A head seen at least
``MIN_SEEN`` times whose names match an outcome at most ``MAX_SHARE`` of the time (add-one smoothed) is a stop
head: a name ending in it names no outcome (``agent``, ``teeth``, ``smokers``). Only counts are stored, no text.
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
    fold,
    items_of,
    names_match,
    weng_texts,
)

OUT = REPO / "extractor" / "data" / "outcome_stop_heads.json"
MIN_SEEN = 8  # a head named fewer times is not judged
MAX_SHARE = 0.05  # smoothed share of a head's names matching an annotated outcome, at or below which it is a stop


def train_texts(shared: Path) -> list:
    texts = [t for t in conll_texts(shared / EBM_POOL, None) if t.split == "tagger_train"]
    from extractor.training.common import hash_split

    weng_dev = {t.doc_id for t in weng_texts(shared)}
    for ann in sorted((shared / "data/evidence_outcomes/consensus").glob("*.ann")):
        if ann.stem in weng_dev or hash_split(ann.stem, dev=(0,), test=()) == "dev":
            continue
        from extractor.training.outcome_scorer import Text
        from extractor.training.outcome_spans import brat_spans

        text = ann.with_suffix(".txt").read_text(encoding="utf-8")
        spans = brat_spans(ann, frozenset({"Outcome"}))
        texts.append(Text(ann.stem, "weng", "train", text, [text[s:e] for s, e in spans], spans, [],
                          exhaustive=True))
    return texts


def head_counts(texts: list) -> tuple[Counter[str], Counter[str]]:
    from extractor.extract.outcomes import phrases

    phrases.stop_head = lambda word: False  # names as the rules clean them before any stop head is applied
    phrases.clean_phrase.cache_clear()
    clean_phrase = phrases.clean_phrase
    from extractor.extract.outcomes.rules import find_outcomes, read_sentences
    from extractor.models.outcome_scorer import unit_candidates
    from extractor.textlayer import analyse

    right: Counter[str] = Counter()
    seen: Counter[str] = Counter()
    for text in texts:
        layer = analyse(text.text)
        rules = [c for c in find_outcomes(layer) if c.start is not None and c.end is not None]
        candidates = unit_candidates(text.text, read_sentences(layer),
                                     [(c.start, c.end, float(c.confidence)) for c in rules], [])
        items = [item for outcome in text.outcomes for item in items_of(outcome)]
        names: dict[str, bool] = {}
        for candidate in candidates:
            name = clean_phrase(text.text[candidate.start:candidate.end])
            if name is None or name in names:
                continue
            names[name] = any(names_match(name, item) for item in items)
        for name, matched in names.items():
            words = fold(name).split()
            if not words or not words[-1].isalpha():
                continue
            seen[words[-1]] += 1
            right[words[-1]] += matched
    return right, seen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    args = parser.parse_args(argv)
    if not (args.shared / EBM_POOL).exists():
        print(f"{args.shared / EBM_POOL} not found: pass the folder that holds data/ (--shared)", file=sys.stderr)
        return 2
    texts = train_texts(args.shared)
    right, seen = head_counts(texts)
    stops = {head: [right[head], count] for head, count in sorted(seen.items())
             if count >= MIN_SEEN and (right[head] + 1) / (count + 2) <= MAX_SHARE}
    OUT.write_text(json.dumps({
        "comment": "Head words of candidate outcome names on the public training texts that annotators almost never "
                   "marked as outcomes: [names matching an annotated outcome, names seen]. Built by "
                   "scripts/build_outcome_stop_heads.py; do not edit by hand.",
        "texts": len(texts), "min_seen": MIN_SEEN, "max_share": MAX_SHARE, "heads": stops,
    }, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{len(texts)} training texts, {len(seen)} heads, {len(stops)} stop heads -> {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
