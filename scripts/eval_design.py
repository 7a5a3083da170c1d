"""Design rules on the weakly labelled design corpus, and RCT-vs-rest on MEDLINE records.

The second figure is held out: the MEDLINE records' publication types are the
labels, and they are hidden from the rules.

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

from extractor.extract.design.rules import find_design  # noqa: E402
from extractor.readers.text import parse_plain_text  # noqa: E402
from extractor.textlayer import analyse  # noqa: E402


def design_of(text: str, title: str | None) -> tuple[str, str | None]:
    document = parse_plain_text(text, "x.txt")
    if title and title in text:
        start = text.index(title)
        document.title_span = (start, start + len(title))
    layer = analyse(document.text, document.sections)
    found = find_design(layer, 0, len(document.text), document.title_span, document.metadata.publication_types)
    if not found:
        return "none (abstains)", None
    return found[0].value, found[0].attributes.get("phrase")


def rct_versus_rest(shared: Path) -> None:
    """RCT (or cluster RCT) predicted from text alone vs the MEDLINE publication type."""
    from extractor.readers import read_path
    from extractor.types import Failure

    path = shared / "data" / "robotreviewer_trialstreamer" / "robotreviewer" / "pubmed_test.txt"
    counts = {"tp": 0, "fp": 0, "fn": 0, "tn": 0}
    for document in read_path(path):
        if isinstance(document, Failure) or not document.abstract:
            continue
        gold = any(t.lower() == "randomized controlled trial" for t in document.metadata.publication_types)
        layer = analyse(document.text)
        found = find_design(layer, 0, len(document.text), document.title_span, ())
        predicted = bool(found) and found[0].value in ("rct", "cluster_rct")
        counts[("t" if gold == predicted else "f") + ("p" if predicted else "n")] += 1
    total = sum(counts.values())
    tp, fp, fn = counts["tp"], counts["fp"], counts["fn"]
    print(f"MEDLINE records with abstracts: {total}, of which RCT by publication type: {tp + fn}")
    print(f"  rules, publication types hidden: precision {tp / (tp + fp):.3f}, recall {tp / (tp + fn):.3f}, "
          f"accuracy {(tp + counts['tn']) / total:.3f}")


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
    rct_versus_rest(Path(args.shared))


if __name__ == "__main__":
    main()
