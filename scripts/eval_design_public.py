"""Design as extraction chooses it (rules, model, chooser) on the public weak labels, by source.

The records are the model's dev and test splits (design corpus, MEDLINE exports, PubMedQA MeSH
headings, screening titles; ``extractor.training.design.load_examples``) and the held-out MEDLINE
records whose publication types give one label, split as the chooser's calibration splits them: the
half it was fitted on (``hash_split(key, dev=range(5), test=())`` is dev) goes with dev, the other half
with test. Each is extracted whole and unmasked, as a plain-text document, so the figure covers what
the model card's masked figures do not: the cues, the chooser's floors and how the two are combined.
An abstention counts wrong. ``--repo`` names the checkout whose ``extractor`` is measured; ``--records-from``
the checkout whose loaders build the records (default this one). The screening records' labels are the
rule cues read on the title, so a change of cues changes that record set: to compare two versions of
the cues, build the records with one checkout for both runs.

    .venv/bin/python scripts/eval_design_public.py [--shared ../shared] [--split dev|test|all]
        [--repo .] [--records-from .] [--confusion] [--misses] [--auroc]

``--auroc`` adds RCT against the rest on all 1,000 held-out MEDLINE records (title and abstract, the
title alone where there is none; publication type "Randomized Controlled Trial" the label) as extraction
chooses: the stored confidence of a chosen rct or cluster_rct, one minus it for another label, 0.5 for
none. The model's own AUROC (P(rct) + P(cluster_rct)) is in its metrics.json (``extractor evaluate --no-gold``).

Look for error classes on ``--split train`` (the records the model learned from; no MEDLINE held-out
records), check changes on ``--split dev``; look at ``--split test`` once, at the end.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ABSTAINED = "(null)"


def public_records(shared: Path, split: str) -> list[tuple[str, str, str]]:
    """(source, weak label, text) of the chosen split(s): the trainer's splits and the labelled held-out
    MEDLINE records (its calibration's fitting half with dev, the other half with test)."""
    from extractor.training.common import hash_split
    from extractor.training.design import load_examples, medline_held_out, publication_type_label

    wanted = ("dev", "test") if split == "all" else (split,)  # train: the trainer's train split alone
    held = medline_held_out(shared)
    splits, _ = load_examples(shared, [record.key for record in held])
    records = [(f"{name}/{example.source.split('/')[0]}", example.label, example.raw)
               for name in wanted for example in splits[name] if example.raw]  # fmt: skip
    for record in held:
        label = publication_type_label(record.publication_types)
        half = "dev" if hash_split(record.key, dev=range(5), test=()) == "dev" else "test"
        if label is not None and record.has_abstract and half in wanted:
            records.append((f"{half}/medline_held_out", label, record.text))
    return records


def rct_score(picked: tuple[str, float] | None) -> float:
    """A record's RCT-vs-rest score from the chosen design: its stored confidence when the design is rct or
    cluster_rct, one minus it when another label is chosen, 0.5 when none is."""
    if picked is None:
        return 0.5
    return picked[1] if picked[0] in ("rct", "cluster_rct") else 1.0 - picked[1]


def confusion_table(pairs: list[tuple[str, str]]) -> str:
    """Gold label by chosen label (``(null)``: abstained), counts, as a markdown table; rows and columns
    that are all zero are left out."""
    counts = Counter(pairs)
    gold = sorted({g for g, _ in pairs})
    chosen = sorted({c for _, c in pairs} - {ABSTAINED}) + [ABSTAINED]
    lines = ["| gold \\ chosen | " + " | ".join(chosen) + " | all | right |",
             "|---" * (len(chosen) + 3) + "|"]
    for label in gold:
        row = [counts[(label, c)] for c in chosen]
        lines.append(f"| {label} | " + " | ".join(str(n) if n else "." for n in row)
                     + f" | {sum(row)} | {counts[(label, label)]} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", default=str(REPO.parent / "shared"))
    parser.add_argument("--split", choices=("train", "dev", "test", "all"), default="dev")
    parser.add_argument("--repo", default=str(REPO), help="the checkout whose extractor is measured")
    parser.add_argument("--records-from", default=str(REPO), help="the checkout whose loaders build the records")
    parser.add_argument("--confusion", action="store_true", help="print gold x chosen counts")
    parser.add_argument("--auroc", action="store_true",
                        help="also RCT-vs-rest AUROC of the chosen design on all the held-out MEDLINE records")
    parser.add_argument("--misses", action="store_true", help="print each wrong or abstained record's start")
    args = parser.parse_args()

    def use(checkout: str) -> None:
        for name in [n for n in sys.modules if n == "extractor" or n.startswith("extractor.")]:
            del sys.modules[name]
        sys.path.insert(0, str(Path(checkout).resolve()))

    use(args.records_from)
    records = public_records(Path(args.shared), args.split)
    from extractor.training.design import auroc, medline_held_out

    # RCT vs rest (--auroc): every record of RobotReviewer's MEDLINE file, "Randomized Controlled Trial" the label
    medline = [(r.text, r.randomised) for r in medline_held_out(Path(args.shared))] if args.auroc else []
    use(args.repo)  # the records are read; now the measured checkout's extractor is imported
    from extractor.extract.document import extract_document
    from extractor.readers.text import parse_plain_text

    def choose(text: str) -> tuple[str, float] | None:
        """The design extraction chooses for a plain-text record and its stored confidence (None: abstained)."""
        units = extract_document(parse_plain_text(text, "record.txt"))
        chosen = [v for v in units[0].values if v.field == "design" and v.chosen] if len(units) == 1 else []
        return (chosen[0].value, chosen[0].confidence) if chosen else None

    right: dict[str, Counter] = defaultdict(Counter)
    pairs: list[tuple[str, str]] = []
    for source, label, text in records:
        picked = choose(text)
        chosen = [picked[0]] if picked else []
        outcome = "right" if chosen == [label] else "abstained" if not chosen else "wrong"
        right[source][outcome] += 1
        right["all"][outcome] += 1
        pairs.append((label, chosen[0] if chosen else ABSTAINED))
        if args.misses and outcome != "right":
            print(f"  {source}: {label} -> {chosen[0] if chosen else None}: {text[:160]!r}")
    print(f"checkout {Path(args.repo).resolve()}, records from {Path(args.records_from).resolve()}, split {args.split}")
    for source in sorted(right):
        counts = right[source]
        total = sum(counts.values())
        print(f"  {source:28s} accuracy {counts['right'] / total:.3f} of {total} "
              f"(wrong {counts['wrong']}, abstained {counts['abstained']})")
    if args.confusion:
        print(confusion_table(pairs))
    if args.auroc:
        scores = [rct_score(choose(text)) for text, _ in medline]
        print(f"RCT vs rest, the chosen design on all {len(medline)} held-out MEDLINE records "
              f"({sum(r for _, r in medline)} RCTs): AUROC {auroc(scores, [r for _, r in medline]):.3f}")


if __name__ == "__main__":
    main()
