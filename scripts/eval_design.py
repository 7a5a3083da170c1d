"""Design rules on the weakly labelled design corpus and the dev gold: accuracy and confusions.

    .venv/bin/python scripts/eval_design.py [--shared ../shared] [--misses]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from extractor.extract.design import find_design  # noqa: E402
from extractor.readers.text import parse_plain_text  # noqa: E402
from extractor.textlayer import analyse  # noqa: E402


def design_of(text: str, title: str | None) -> tuple[str, str | None]:
    document = parse_plain_text(text, "x.txt")
    if title and title in text:
        start = text.index(title)
        document.title_span = (start, start + len(title))
    layer = analyse(document.text, document.sections)
    best = find_design(layer, 0, len(document.text), document.title_span, document.metadata.publication_types)[0]
    return best.value, best.attributes.get("phrase")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", default=str(REPO.parent / "shared"))
    parser.add_argument("--misses", action="store_true", help="List every miss.")
    args = parser.parse_args()
    path = Path(args.shared) / "data" / "design_corpus" / "design.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    confusion: Counter[tuple[str, str]] = Counter()
    for row in rows:
        predicted, phrase = design_of(row["text"], row.get("title"))
        confusion[(row["design"], predicted)] += 1
        if args.misses and predicted != row["design"]:
            print(f"{row['id']}\tgold={row['design']}\tpredicted={predicted}\tphrase={phrase!r}\tevidence={row['evidence']!r}")
    correct = sum(n for (gold, predicted), n in confusion.items() if gold == predicted)
    print(f"design_corpus: {correct}/{len(rows)} = {correct / len(rows):.3f} accuracy (rules only)")
    labels = sorted({gold for gold, _ in confusion})
    for label in labels:
        total = sum(n for (gold, _), n in confusion.items() if gold == label)
        right = confusion[(label, label)]
        wrong = {p: n for (g, p), n in confusion.items() if g == label and p != label}
        print(f"  {label:22s} {right:3d}/{total:<3d} {wrong if wrong else ''}")


if __name__ == "__main__":
    main()
