"""Design as extraction chooses it (rules, model, chooser) on the public weak labels, by source.

The records are the model's dev and test splits (design corpus, MEDLINE exports, PubMedQA MeSH
headings, screening titles; ``extractor.training.design.load_examples``) and the held-out MEDLINE
records whose publication types give one label. Each is extracted whole and unmasked, as a plain-text
document, so the figure covers what the model card's masked figures do not: the cues, the chooser's
floors and how the two are combined. An abstention counts wrong. ``--repo`` names the checkout whose
``extractor`` is measured (the records are always read with this checkout's loaders), so two versions
can be compared:

    .venv/bin/python scripts/eval_design_public.py [--shared ../shared] [--repo .] [--misses]
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def public_records(shared: Path) -> list[tuple[str, str, str]]:
    """(source, weak label, text) of the dev and test splits and of the labelled held-out MEDLINE records."""
    from extractor.training.design import load_examples, medline_held_out, publication_type_label

    held = medline_held_out(shared)
    splits, _ = load_examples(shared, [record.key for record in held])
    records = [(f"{split}/{example.source.split('/')[0]}", example.label, example.raw)
               for split in ("dev", "test") for example in splits[split] if example.raw]  # fmt: skip
    for record in held:
        label = publication_type_label(record.publication_types)
        if label is not None and record.has_abstract:
            records.append(("medline_held_out", label, record.text))
    return records


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", default=str(REPO.parent / "shared"))
    parser.add_argument("--repo", default=str(REPO), help="the checkout whose extractor is measured")
    parser.add_argument("--misses", action="store_true", help="print each wrong or abstained record's start")
    args = parser.parse_args()
    sys.path.insert(0, str(REPO))
    records = public_records(Path(args.shared))
    for name in [n for n in sys.modules if n == "extractor" or n.startswith("extractor.")]:
        del sys.modules[name]  # the records are read; now the measured checkout's extractor is imported
    sys.path.insert(0, str(Path(args.repo).resolve()))
    from extractor.extract.document import extract_document
    from extractor.readers.text import parse_plain_text

    right: dict[str, Counter] = defaultdict(Counter)
    for source, label, text in records:
        document = parse_plain_text(text, "record.txt")
        units = extract_document(document)
        chosen = [v.value for v in units[0].values if v.field == "design" and v.chosen] if len(units) == 1 else []
        outcome = "right" if chosen == [label] else "abstained" if not chosen else "wrong"
        right[source][outcome] += 1
        right["all"][outcome] += 1
        if args.misses and outcome != "right":
            print(f"  {source}: {label} -> {chosen[0] if chosen else None}: {text[:100]!r}")
    print(f"checkout {Path(args.repo).resolve()}")
    for source in sorted(right):
        counts = right[source]
        total = sum(counts.values())
        print(f"  {source:28s} accuracy {counts['right'] / total:.3f} of {total} "
              f"(wrong {counts['wrong']}, abstained {counts['abstained']})")


if __name__ == "__main__":
    main()
