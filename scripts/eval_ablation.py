"""Ablation: rules alone vs rules plus trained models, on held-out MEDLINE records and the dev gold.

    .venv/bin/python scripts/eval_ablation.py [--shared ../shared]

1. RCT-vs-rest on the 1,000 MEDLINE records of robotreviewer's pubmed_test.txt (never used
   in training): the whole extraction with publication types hidden from it, design counted as
   RCT when it is rct or cluster_rct; also how many records get a design other than "other".
2. Field scores on ../shared/gold with and without models (score.py on both runs).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from extractor.extract.document import extract_document  # noqa: E402
from extractor.interchange import interchange_record  # noqa: E402
from extractor.readers import read_path  # noqa: E402
from extractor.types import Failure  # noqa: E402


def medline_rct(shared: Path, use_models: bool) -> dict[str, float]:
    path = shared / "data" / "robotreviewer_trialstreamer" / "robotreviewer" / "pubmed_test.txt"
    tp = fp = fn = tn = decided = 0
    for document in read_path(path):
        if isinstance(document, Failure):
            continue
        gold = any(t.lower() == "randomized controlled trial" for t in document.metadata.publication_types)
        document.metadata.publication_types = []  # hidden: they are the labels
        design = interchange_record(document, extract_document(document, use_models))["studies"][0]["design"]
        decided += design not in (None, "other")
        predicted = design in ("rct", "cluster_rct")
        tp += gold and predicted
        fp += predicted and not gold
        fn += gold and not predicted
        tn += not gold and not predicted
    total = tp + fp + fn + tn
    return {"records": total, "precision": tp / max(tp + fp, 1), "recall": tp / max(tp + fn, 1),
            "accuracy": (tp + tn) / total, "with a design": decided / total}


def gold_scores(shared: Path, rules_only: bool) -> str:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        command = [str(REPO / ".venv" / "bin" / "extractor"), "extract", str(shared / "corpus"),
                   "--db", str(work / "x.db"), "--jsonl", str(work / "x.jsonl"), "-q"]
        subprocess.run(command + (["--rules-only"] if rules_only else []), check=False)
        gold = work / "gold.jsonl"
        gold.write_text("".join(p.read_text() for p in sorted((shared / "gold").glob("*.jsonl"))))
        return subprocess.run([sys.executable, str(shared / "eval" / "score.py"), str(gold), str(work / "x.jsonl")],
                              capture_output=True, text=True, check=False).stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=Path(os.environ.get("EXTRACTOR_SHARED", REPO.parent / "shared")))
    args = parser.parse_args()
    print("MEDLINE RCT-vs-rest, publication types hidden (whole extraction):")
    for use_models in (False, True):
        figures = medline_rct(args.shared, use_models)
        name = "rules + models" if use_models else "rules alone   "
        print(f"  {name}: " + ", ".join(f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}" for k, v in figures.items()))
    for rules_only in (True, False):
        print(f"\nDev gold, {'rules alone' if rules_only else 'rules + models'}:")
        print(gold_scores(args.shared, rules_only))


if __name__ == "__main__":
    main()
