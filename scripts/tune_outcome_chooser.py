"""Tune the outcome chooser's two thresholds by 5-fold cross-validation over the dev gold, folded by document.

    .venv/bin/python scripts/tune_outcome_chooser.py [--shared ../shared] [--keep 0,0.03,...] [--add 0.2,...,off]

Extracts every document of ``shared/corpus`` that the gold (``shared/gold/seeds.jsonl`` and ``dev.jsonl``)
labels, with the outcome scorer on, and keeps every outcome candidate of each study unit paired with a gold
study (as ``shared/eval/score.py`` pairs them). Then, for each pair of thresholds
(``outcome_group_keep_min_probability``, ``outcome_group_add_min_probability``; ``off`` adds nothing), it
chooses the outcomes again from the same candidates and scores them as score.py does. Prints, per pair, outcome
F1 (P / R) on all documents and on the 40 new ones (doc_ids starting p, q, r, s); the pair chosen on all
documents (as fitted); and the cross-validated figure: for each fold, the pair best on the other four folds,
scored on it. The gold is only measured against: nothing is trained on it.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

FOLDS = 5
NEW = ("p", "q", "r", "s")


def load_score_module(shared: Path):  # noqa: ANN201 (the shared scorer, loaded from its file)
    spec = importlib.util.spec_from_file_location("shared_score", shared / "eval" / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def collect(shared: Path, scoring) -> list[dict]:  # noqa: ANN001
    """Each gold study with the outcome candidates of the predicted study paired with it."""
    from extractor.batch.tasks import process_document
    from extractor.extract.choice import uncalibrated
    from extractor.interchange import interchange_record
    from extractor.readers import read_path
    from extractor.types import Failure

    gold: dict[str, dict] = {}
    for name in ("seeds.jsonl", "dev.jsonl"):
        for line in (shared / "gold" / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                gold[record["doc_id"]] = record
    rows = []
    for path in sorted((shared / "corpus").rglob("*")):
        if path.stem not in gold or not path.is_file():
            continue
        for document in read_path(path):
            if isinstance(document, Failure):
                continue
            document, units = process_document(document)
            predicted = scoring.studies_of(interchange_record(document, units))
            for gold_study, study in scoring.pair_studies(scoring.studies_of(gold[path.stem]), predicted):
                index = next((i for i, s in enumerate(predicted) if s is study), None)
                candidates = [] if index is None else uncalibrated([  # replayed on the confidences chosen on
                    v for v in units[index].values if v.field == "outcome" and "mentions" not in v.attributes])
                rows.append({"doc": path.stem, "gold": gold_study.get("outcomes") or [], "candidates": candidates})
            break
    return rows


def chosen_names(candidates: list, keep_min: float, add_min: float | None) -> list[str]:
    from extractor.extract.choice import eligible
    from extractor.extract.fields import spec_of
    from extractor.extract.outcomes.choice import choose_outcomes
    from extractor.models.outcome_scorer import group_chooser

    chooser = group_chooser(keep_min, add_min) if keep_min > 0 or add_min is not None else None
    return [str(v.value) for v in choose_outcomes(eligible(spec_of("outcome"), candidates), chooser)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--keep", default="0,0.03,0.06,0.09,0.12,0.15,0.2")
    parser.add_argument("--add", default="0.2,0.3,0.4,0.5,0.6,0.8,off")
    args = parser.parse_args()
    scoring = load_score_module(args.shared)
    from extractor.extract import outcomes

    active = {**outcomes.thresholds(), "outcome_group_keep_min_probability": 0.01}
    outcomes.thresholds = lambda: active  # candidates are scored while collecting
    rows = collect(args.shared, scoring)
    pairs = [(float(k), None if a == "off" else float(a)) for k in args.keep.split(",") for a in args.add.split(",")]
    fold = {r["doc"]: int(hashlib.md5(r["doc"].encode()).hexdigest(), 16) % FOLDS for r in rows}
    counts: dict[tuple, list[list[int]]] = {}  # pair -> per fold [gold, predicted, matched, new gold, new pred, new matched]
    for pair in pairs:
        per_fold = [[0] * 6 for _ in range(FOLDS)]
        for row in rows:
            names = chosen_names(row["candidates"], *pair)
            matched = len(scoring.greedy_match(row["gold"], names, scoring.outcome_match))
            tally = per_fold[fold[row["doc"]]]
            figures = (len(row["gold"]), len(names), matched)
            for i, value in enumerate(figures):
                tally[i] += value
                if row["doc"].startswith(NEW):
                    tally[3 + i] += value
        counts[pair] = per_fold

    def f1(gold: int, predicted: int, matched: int) -> str:
        precision, recall = matched / max(predicted, 1), matched / max(gold, 1)
        f = 2 * matched / (gold + predicted) if gold + predicted else 0.0
        return f"F1 {f:.3f} (P {precision:.3f} / R {recall:.3f})"

    def total(pair: tuple, folds: range | list[int], offset: int = 0) -> tuple[int, int, int]:
        return tuple(sum(counts[pair][f][offset + i] for f in folds) for i in range(3))  # type: ignore[return-value]

    def value(pair: tuple, folds: list[int]) -> float:
        gold, predicted, matched = total(pair, folds)
        return 2 * matched / (gold + predicted) if gold + predicted else 0.0

    every = list(range(FOLDS))
    for pair in pairs:
        print(f"keep {pair[0]:g} add {pair[1] if pair[1] is not None else 'off'}: all {f1(*total(pair, every))}, "
              f"new 40 {f1(*total(pair, every, 3))}")
    best = max(pairs, key=lambda pair: (value(pair, every), -pair[0], pair[1] is None))
    print(f"as fitted: keep {best[0]:g} add {best[1] if best[1] is not None else 'off'}: "
          f"all {f1(*total(best, every))}, new 40 {f1(*total(best, every, 3))}")
    cv = [0] * 6
    chosen = []
    for held in every:
        others = [f for f in every if f != held]
        pick = max(pairs, key=lambda pair: (value(pair, others), -pair[0], pair[1] is None))
        chosen.append(pick)
        for i in range(6):
            cv[i] += counts[pick][held][i]
    print("cross-validated (pairs chosen per fold: "
          + ", ".join(f"{k:g}/{a if a is not None else 'off'}" for k, a in chosen)
          + f"): all {f1(*cv[:3])}, new 40 {f1(*cv[3:])}")


if __name__ == "__main__":
    main()
