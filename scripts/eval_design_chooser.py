"""RCT vs rest on the held-out MEDLINE records, as extraction decides it (rules, model and the chooser).

The records of ``data/robotreviewer_trialstreamer/robotreviewer/pubmed_test.txt`` are extracted whole
(title and abstract), their publication types hidden; the label is the publication type "Randomized
Controlled Trial". Scores: the model's P(rct) + P(cluster_rct) alone, and the chooser's design
(the stored confidence when it chose rct or cluster_rct, one minus it when it chose another design,
0.5 when it abstained). Run it from any checkout to compare versions (``--repo`` names the checkout
whose ``extractor`` is imported):

    .venv/bin/python scripts/eval_design_chooser.py [--shared ../shared] [--repo .]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
HELD_OUT = Path("data/robotreviewer_trialstreamer/robotreviewer/pubmed_test.txt")
RANDOMISED = ("rct", "cluster_rct")


def auroc(scores: list[float], positive: list[bool]) -> float:
    """Area under the ROC curve, ties counted half (by pairs)."""
    pos = [s for s, p in zip(scores, positive, strict=True) if p]
    neg = [s for s, p in zip(scores, positive, strict=True) if not p]
    wins = sum((a > b) + 0.5 * (a == b) for a in pos for b in neg)
    return wins / (len(pos) * len(neg))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", default=str(REPO.parent / "shared"))
    parser.add_argument("--repo", default=str(REPO), help="the checkout whose extractor is measured")
    args = parser.parse_args()
    sys.path.insert(0, str(Path(args.repo).resolve()))
    from extractor.extract.document import extract_document
    from extractor.models.design import predict_design, record_text
    from extractor.readers import read_path
    from extractor.types import Document

    gold, chooser, model, chosen_labels = [], [], [], []
    started = time.perf_counter()
    for document in read_path(Path(args.shared) / HELD_OUT):
        if not isinstance(document, Document):
            continue
        gold.append("randomized controlled trial" in {t.lower() for t in document.metadata.publication_types})
        document.metadata.publication_types = []
        units = extract_document(document)
        values = [v for v in units[0].values if v.field == "design" and v.chosen] if len(units) == 1 else []
        value = values[0] if values else None
        chosen_labels.append(value.value if value else None)
        chooser.append(0.5 if value is None else value.confidence if value.value in RANDOMISED else 1 - value.confidence)
        ranked = dict(predict_design(record_text(document.title, document.abstract)))
        model.append(sum(ranked.get(label, 0.0) for label in RANDOMISED))
    called = [label in RANDOMISED for label in chosen_labels]
    true_positive = sum(c and g for c, g in zip(called, gold, strict=True))
    precision = true_positive / max(1, sum(called))
    recall = true_positive / max(1, sum(gold))
    print(f"checkout {Path(args.repo).resolve()}: {len(gold)} records, {sum(gold)} RCTs by publication type")
    print(f"  model P(rct)+P(cluster_rct) AUROC {auroc(model, gold):.3f}")
    print(f"  chooser AUROC {auroc(chooser, gold):.3f}; chosen rct/cluster_rct: precision {precision:.3f}, "
          f"recall {recall:.3f}; abstained {sum(label is None for label in chosen_labels)}; "
          f"{len(gold) / (time.perf_counter() - started):.1f} records/s")


if __name__ == "__main__":
    main()
