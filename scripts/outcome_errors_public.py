"""The kinds of outcome-name errors extraction makes on the public dev texts, counted.

    .venv/bin/python scripts/outcome_errors_public.py [--shared ../shared] [--examples FILE]

The texts are those of ``eval_outcomes_public.py --split dev`` (EBM-NLP crowd-labelled and Weng lab consensus
documents the outcome-span tagger held out; outcome spans marked exhaustively). Names match as
``outcome_names_score`` matches them. Each reported name that matches no annotated outcome is put in one kind:

* arm / population / intervention: it names an annotated intervention or participant phrase, or reads as one
  (group, patients, received, placebo ...) and shares no word with an annotated outcome;
* over-long: it holds an annotated outcome's name whole;
* fragment: it lies whole inside an annotated outcome's name (the matcher wants more of it);
* partial overlap: it shares content words with an annotated outcome (a boundary or naming convention);
* non-outcome: none of these (or an outcome the annotators left unmarked).

Each annotated outcome name no reported name matches is put in one kind: a reported name shares words with it
(near miss), or else the best candidate that extraction generated for it (a rule mention, an outcome-span tagger
span, only a noun-phrase chunk, or none); ``[abbreviation]`` marks names holding one. The heuristics are
rough: the table is for finding the large classes, not a score.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from extractor.evaluation import reported_outcomes  # noqa: E402
from extractor.training.outcome_scorer import (  # noqa: E402
    EBM_POOL,
    ebm_dev_texts,
    fold,
    items_of,
    names_match,
    text_candidates,
    weng_texts,
)

_STOP = frozenset({"the", "of", "in", "and", "or", "a", "an", "to", "with", "for", "on", "at", "by", "as", "was", "were",
                   "is", "are", "be", "from", "after", "during", "than"})
_ARM = re.compile(r"\b(?:group|groups|arm|patients|subjects|participants|children|women|men|receiv\w*|administered|"
                  r"given|treated|placebo|versus|vs)\b", re.I)


def content(name: str) -> set[str]:
    return {word for word in fold(name).split() if word not in _STOP and len(word) > 2}


def reported_kind(name: str, items: list[str], others: list[str]) -> str:
    folded = fold(name)
    outcome_words = set().union(*(content(item) for item in items)) if items else set()
    if any(names_match(name, other) for other in others) or (_ARM.search(name) and not content(name) & outcome_words):
        return "arm / population / intervention"
    if any(re.search(rf"\b{re.escape(fold(item))}\b", folded) for item in items if len(fold(item)) >= 3):
        return "over-long (holds an annotated name)"
    if folded and any(re.search(rf"\b{re.escape(folded)}\b", fold(item)) for item in items):
        return "fragment (inside an annotated name)"
    if content(name) & outcome_words:
        return "partial overlap (boundary or convention)"
    return "non-outcome (or an outcome left unmarked)"


def missed_kind(items: list[str], reported: list[str], generated: set[str]) -> str:
    if any(content(name) & content(item) for name in reported for item in items):
        kind = "near miss: a reported name shares words"
    elif "rule" in generated:
        kind = "a rule mention names it, not chosen"
    elif "tagger" in generated:
        kind = "a tagger span names it, not chosen"
    elif "chunk" in generated:
        kind = "only a noun-phrase chunk names it"
    else:
        kind = "no candidate names it"
    return kind + (" [abbreviation]" if re.search(r"[A-Z]{2,}", items[0]) else "")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--examples", type=Path, help="write each kind's (text id, name) pairs here (JSON)")
    args = parser.parse_args(argv)
    data = args.shared
    if not (data / EBM_POOL).exists():
        print(f"{data / EBM_POOL} not found: pass the folder that holds data/ (--shared)", file=sys.stderr)
        return 2
    from extractor.models.outcome_spans import load_model

    texts = ebm_dev_texts(data)
    texts += list(weng_texts(data))
    model = load_model()
    reported_kinds: Counter[str] = Counter()
    missed_kinds: Counter[str] = Counter()
    examples: dict[str, list[tuple[str, str]]] = {}
    for text in texts:
        reported = list(reported_outcomes(text.text, f"{text.doc_id}.txt"))
        annotated = {outcome.casefold().strip(): items_of(outcome) for outcome in text.outcomes}
        every_item = [item for items in annotated.values() for item in items]
        for name in reported:
            kind = "right" if any(names_match(name, item) for item in every_item) else \
                reported_kind(name, every_item, text.others)
            reported_kinds[kind] += 1
            examples.setdefault(f"reported: {kind}", []).append((text.doc_id, name))
        candidates, _ = text_candidates(text.text, model)
        for items in annotated.values():
            if any(names_match(name, item) for name in reported for item in items):
                missed_kinds["found"] += 1
                continue
            generated = {c.kind for c in candidates
                         if any(names_match(text.text[c.start:c.end], item) for item in items)}
            kind = missed_kind(items, reported, generated)
            missed_kinds[kind] += 1
            examples.setdefault(f"annotated: {kind}", []).append((text.doc_id, items[0]))
    print(f"{len(texts)} public dev texts")
    print("reported names")
    for kind, count in reported_kinds.most_common():
        print(f"  {count:5d}  {kind}")
    print("annotated outcome names (distinct per text)")
    for kind, count in missed_kinds.most_common():
        print(f"  {count:5d}  {kind}")
    if args.examples:
        args.examples.write_text(json.dumps(examples, indent=1, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
