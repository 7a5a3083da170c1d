"""Sample size end to end on the public test splits: the whole extraction of each held-out abstract.

    .venv/bin/python scripts/eval_sample_size_public.py [--shared ../shared] [--rules-only] [--split test]
                                                       [--errors]

Each abstract of the EBM-NLP test gold ("3_p" sample-size spans, ``extractor.training.sample_size``) and of
the PICO corpus test split (one total-participants span) becomes a plain-text document and goes through
``extract_document`` (study units, every field, the chooser), as ``extractor extract`` would read it. A
size is right when its n is the gold count; an abstract without a size is a miss. Prints accuracy, the
sizes given and the wrong ones (a null is not a wrong size). ``EXTRACTOR_REPO`` may name another checkout
of the project (an export of an older commit) to measure it the same way. ``--split dev`` (or ``train``)
measures the trainer's other splits (``load_abstracts``) for work on the rules, leaving test for the figures;
``--errors`` prints every wrong or missing size with the gold spans and the counts the rules found. EBM-NLP's
gold is the first of an abstract's sample-size spans, while FORMAT.md sums arm sizes when only those are given:
the second figure also counts a size equal to the sum of the gold spans (two or more) as right.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

REPO = Path(os.environ.get("EXTRACTOR_REPO", Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(REPO))

from extractor.extract.document import extract_document  # noqa: E402
from extractor.interchange import interchange_record  # noqa: E402
from extractor.readers.base import make_document  # noqa: E402
from extractor.training.sample_size import load_abstracts  # noqa: E402


def _errors(abstract, document, size) -> str:  # noqa: ANN001
    """One wrong or missing size: the gold, the choice and every count the rules found, with its role."""
    from extractor.extract.sample_size.rules import find_sample_sizes
    from extractor.textlayer import analyse

    found = [c for c in find_sample_sizes(analyse(document.text)) if c.role is not None]
    lines = [f"--- {abstract.source} {abstract.doc_id}: gold {abstract.gold} {abstract.gold_spans[:3]}, "
             f"chosen {size and size['n']} ({size and size.get('unit')})"]
    for candidate in found:
        snippet = document.text[max(0, candidate.start - 70) : candidate.end + 40].replace("\n", " ")
        lines.append(f"    {candidate.value['n']:>6} {candidate.role:<11} {candidate.confidence:.2f} "
                     f"{candidate.attributes.get('kind', '')}: ...{snippet}...")
    return "\n".join(lines)


def measure(abstracts: list, use_models: bool, errors: bool = False) -> str:  # noqa: ANN001
    right = total = given = summed = 0
    for abstract in abstracts:
        if abstract.gold is None:
            continue
        document = make_document(fmt="text", path=Path(abstract.doc_id), title=None, abstract=abstract.text)
        document.doc_id = abstract.doc_id
        size = interchange_record(document, extract_document(document, use_models))["studies"][0]["sample_size"]
        total += 1
        given += bool(size)
        right += bool(size) and size["n"] == abstract.gold
        summed += bool(size) and size["n"] != abstract.gold and size["n"] == _span_sum(abstract)
        if errors and not (size and size["n"] == abstract.gold):
            print(_errors(abstract, document, size))
    return (f"accuracy {right / total:.3f} ({right}/{total}), sizes given {given}, wrong {given - right}; "
            f"counting the sum of the gold spans as right {(right + summed) / total:.3f} (+{summed})")


def _span_sum(abstract) -> int | None:  # noqa: ANN001
    """The sum of an abstract's gold spans when there are several: EBM-NLP's gold is the first span, while
    FORMAT.md makes the sum the size when only arm (or group) sizes are given."""
    from extractor.training.sample_size import first_count

    values = [first_count(span) for span in abstract.gold_spans]
    values = [v for v in values if v is not None]
    return sum(values) if len(values) >= 2 else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path,
                        default=Path(os.environ.get("EXTRACTOR_SHARED", REPO.parent / "shared")))
    parser.add_argument("--rules-only", action="store_true", help="the rules alone (no trained models)")
    parser.add_argument("--split", choices=("train", "dev", "test"), default="test",
                        help="which split of the trainer's abstracts (test: the held-out figures)")
    parser.add_argument("--errors", action="store_true", help="print every wrong or missing size")
    args = parser.parse_args()
    started = time.perf_counter()
    abstracts = load_abstracts(args.shared)[args.split]
    for source, title in (("ebm", "EBM-NLP"), ("pico", "PICO corpus"), ("reviews", "Reviews (weak)")):
        chosen = [a for a in abstracts if a.source == source]
        if chosen:
            print(f"{title} {args.split}: {measure(chosen, not args.rules_only, args.errors)}")
    print(f"({time.perf_counter() - started:.0f} s; code at {REPO})")


if __name__ == "__main__":
    main()
