"""Evaluation of every model, behind ``extractor evaluate``.

Each model has a trainer (``extractor.training.<name>``, ``extractor train``) that
rebuilds it from ``../shared`` with fixed seeds and writes its model card and
``metrics.json`` (figures on the held-out splits of the stored model).
``evaluate`` reads those figures back and scores the whole extractor against
the dev gold with ``../shared/eval/score.py``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from .models.paths import models_root

_FIGURES = ("accuracy", "macro_f1", "auroc", "exact_match", "f1", "precision", "recall")


def _headline(figures: dict[str, Any], prefix: str = "", depth: int = 0) -> dict[str, float]:
    """The figures of one split (accuracy, macro_f1, auroc, exact_match, F1 ...), nested ones by their path
    (``ebm.ranker.exact_match``); counts and per-class or per-source breakdowns are left out."""
    found: dict[str, float] = {}
    for key, value in figures.items():
        if key.startswith(("per_class", "by_source", "tuning")):
            continue  # breakdowns: in the model card
        if isinstance(value, dict) and depth < 2:
            found.update(_headline(value, f"{prefix}{key}.", depth + 1))
        elif isinstance(value, int | float) and not isinstance(value, bool) and key.endswith(_FIGURES):
            found[f"{prefix}{key}"] = value
    return found


def model_figures(models: Path | None = None) -> list[dict[str, Any]]:
    """Each committed model's held-out figures, as its trainer recorded them."""
    rows = []
    for metrics_file in sorted((models or models_root()).glob("*/metrics.json")):
        metrics = json.loads(metrics_file.read_text(encoding="utf-8"))
        trained = metrics.get("trained") or metrics.get("date")
        model_file = metrics_file.parent / "model.json"
        if not trained and model_file.exists():
            trained = (json.loads(model_file.read_text(encoding="utf-8")).get("metadata") or {}).get("trained")
        row: dict[str, Any] = {"model": metrics_file.parent.name, "version": metrics.get("version"),
                               "trained": trained}
        for split in ("test", "heldout", "held_out", "medline", "dev"):
            if isinstance(metrics.get(split), dict):
                row[split] = _headline(metrics[split])
        rows.append(row)
    return rows


def gold_scores(shared: Path) -> str:
    """The extractor's field scores on ``shared/gold`` (documents from ``shared/corpus``), as score.py prints them."""
    from .batch.run import run_extract
    from .store import Store

    gold_files = sorted((shared / "gold").glob("*.jsonl"))
    if not gold_files:
        raise FileNotFoundError(f"no gold files in {shared / 'gold'}")
    with tempfile.TemporaryDirectory(prefix="extractor_evaluate_") as folder:
        work = Path(folder)
        store = Store(work / "evaluate.db")
        with open(work / "predicted.jsonl", "w", encoding="utf-8") as handle:
            run_extract([str(shared / "corpus")], store, jsonl=handle)
        store.close()
        gold = work / "gold.jsonl"
        gold.write_text("".join(path.read_text(encoding="utf-8") for path in gold_files), encoding="utf-8")
        result = subprocess.run(
            [sys.executable, str(shared / "eval" / "score.py"), str(gold), str(work / "predicted.jsonl")],
            capture_output=True, text=True, check=False,
        )
        return result.stdout + result.stderr
