"""What every trainer shares: its arguments, its exception, the split by hash, classification figures,
and writing metrics and the model card."""

from __future__ import annotations

import argparse
import hashlib
import json
import os
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[2]
CARD_FILE = "MODEL_CARD.md"
METRICS_FILE = "metrics.json"


class NoTrainingData(Exception):
    """A trainer's data are missing from the shared folder, or give no examples for train and dev."""


def hash_bucket(key: str, buckets: int = 10) -> int:
    """A fixed bucket in ``range(buckets)`` for a key, by its MD5 (the same on every machine and run)."""
    return int(hashlib.md5(key.encode("utf-8")).hexdigest(), 16) % buckets


def hash_split(key: str, dev: Collection[int] = (8,), test: Collection[int] = (9,)) -> str:
    """train, dev or test of a key by its MD5 bucket 0-9: 80/10/10 by default (bucket 8 dev, 9 test);
    ``test=()`` gives 90/10 train/dev."""
    bucket = hash_bucket(key)
    return "test" if bucket in test else "dev" if bucket in dev else "train"


def evaluate(gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str]) -> dict[str, Any]:
    """Accuracy, macro-F1, per-class precision/recall/F1/support and the confusion matrix (rows gold)."""
    index = {label: number for number, label in enumerate(labels)}
    confusion = np.zeros((len(labels), len(labels)), dtype=np.int64)
    for truth, guess in zip(gold, predicted, strict=True):
        confusion[index[truth], index[guess]] += 1
    per_class = {}
    for number, label in enumerate(labels):
        true_positives = int(confusion[number, number])
        predicted_count = int(confusion[:, number].sum())
        support = int(confusion[number].sum())
        precision = true_positives / predicted_count if predicted_count else 0.0
        recall = true_positives / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class[label] = {"precision": precision, "recall": recall, "f1": f1, "support": support}
    total = int(confusion.sum())
    return {
        "n": total,
        "accuracy": float(np.trace(confusion) / total) if total else 0.0,
        "macro_f1": float(np.mean([per_class[label]["f1"] for label in labels])),
        "per_class": per_class,
        "labels": list(labels),
        "confusion": confusion.tolist(),
    }


def trainer_arguments(description: str | None, default_out: Path, argv: Sequence[str] | None = None
                      ) -> argparse.Namespace:
    """``--shared``, ``--out``, ``--seed``, ``--annotations`` and ``--documents``, as every trainer takes them.

    ``--documents`` (repeatable) are where the annotated records' documents are found: extractor databases,
    files or folders; by default the repository's ``corpus/`` and the shared ``corpus/``.
    """
    default_shared = Path(os.environ.get("EXTRACTOR_SHARED", REPO.parent / "shared"))
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=default_shared, help="the ../shared folder")
    parser.add_argument("--out", type=Path, default=default_out, help="where the model goes")
    parser.add_argument("--seed", type=int, default=0, help="random seed of the fit")
    parser.add_argument("--annotations", type=Path, default=REPO / "annotations",
                        help="folder of annotators' *.jsonl files (extractor annotations export)")
    parser.add_argument("--documents", type=Path, action="append", default=None,
                        help="database, file or folder holding the annotated documents (repeatable)")
    args = parser.parse_args(argv)
    if args.documents is None:
        args.documents = [REPO / "corpus", args.shared / "corpus"]
    return args


def annotation_line(metrics: dict[str, Any], used: int, what: str) -> str:
    """The model card's account of annotators' records: read, found with their document, and used."""
    counts = metrics.get("annotations") or {}
    return (f"{counts.get('records', 0)} records, {counts.get('records matched', 0)} with their document, "
            f"{used} {what}")


def package_version(module: str) -> str:
    """A package's version for the model card, or "not installed"."""
    try:
        return __import__(module).__version__
    except ImportError:
        return "not installed"


def folder_size(folder: Path) -> int:
    """Bytes of the files in a folder."""
    return sum(path.stat().st_size for path in folder.iterdir() if path.is_file())


def write_metrics_and_card(out: Path, metrics: dict[str, Any], card: Callable[[int], str]) -> int:
    """Write ``metrics.json`` and the model card; returns the folder's size, which the card states.

    The size counts the card and metrics too, so they are written first and the card again after.
    """
    (out / METRICS_FILE).write_text(json.dumps(metrics, indent=1) + "\n", encoding="utf-8")
    (out / CARD_FILE).write_text(card(0), encoding="utf-8")
    size = folder_size(out)
    (out / CARD_FILE).write_text(card(size), encoding="utf-8")
    return folder_size(out)
