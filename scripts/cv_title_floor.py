"""5-fold cross-validation, folded by document, of the title scorer's null floor on a gold file.

For each fold the floor (from a short grid) that gives the best accuracy on the other four folds (the
right title on titled gold records, None on records whose title is null) is applied to the held-out
fold; the cross-validated accuracy is printed beside the accuracy of the floor fitted on all documents
and of the model's own floor (chosen on synthetic dev pages). Measures only: it changes nothing.

    .venv/bin/python scripts/cv_title_floor.py /work/notes/gold70.jsonl ../shared/corpus [--score ../shared/eval/score.py]
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
from pathlib import Path

from extractor.readers import titles
from extractor.training.title import page_of

GRID = (0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("gold", type=Path)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--score", type=Path, default=Path("../shared/eval/score.py"), help="score.py (title_match)")
    args = parser.parse_args()
    spec = importlib.util.spec_from_file_location("score", args.score)
    score = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(score)  # type: ignore[union-attr]
    files = {path.stem: path for path in args.corpus.rglob("*.txt")}
    model = titles.load_model()
    rows = []
    for raw in args.gold.read_text(encoding="utf-8").splitlines():
        record = json.loads(raw)
        path = files.get(record["doc_id"])
        if path is None:
            continue
        text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
        best = titles.scored(page_of(text), model)
        rows.append((record["doc_id"], record.get("title"), best[0] if best else None))

    def right(row: tuple, floor: float) -> tuple[int, int]:
        _, gold, best = row
        guess = best[1].text if best and best[0] >= floor else None
        if gold:
            return int(score.title_match(gold, guess or "")), 1
        return int(guess is None), 0

    def accuracy(part: list, floor: float) -> tuple[float, float]:
        results = [right(row, floor) for row in part]
        titled = [ok for ok, has in results if has]
        return sum(ok for ok, _ in results) / max(len(results), 1), sum(titled) / max(len(titled), 1)

    folds = [[row for row in rows if int(hashlib.md5(row[0].encode()).hexdigest(), 16) % 5 == k] for k in range(5)]
    held: list[tuple[int, int]] = []
    chosen = []
    for k in range(5):
        train = [row for j, fold in enumerate(folds) if j != k for row in fold]
        floor = max(GRID, key=lambda f: (accuracy(train, f)[0], -f))
        chosen.append(floor)
        held += [right(row, floor) for row in folds[k]]
    fitted = max(GRID, key=lambda f: (accuracy(rows, f)[0], -f))
    cv_all = sum(ok for ok, _ in held) / len(held)
    cv_titled = sum(ok for ok, has in held if has) / max(sum(has for _, has in held), 1)
    print(f"documents {len(rows)}, titled {sum(1 for r in rows if r[1])}")
    print(f"5-fold CV (floors {chosen}): all {cv_all:.3f}, title accuracy {cv_titled:.3f}")
    print(f"as fitted (floor {fitted}): all {accuracy(rows, fitted)[0]:.3f}, title accuracy {accuracy(rows, fitted)[1]:.3f}")
    print(f"model floor {model['floor']}: all {accuracy(rows, model['floor'])[0]:.3f}, "
          f"title accuracy {accuracy(rows, model['floor'])[1]:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
