"""What every trainer script shares: its arguments, and writing metrics and the model card."""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
CARD_FILE = "MODEL_CARD.md"
METRICS_FILE = "metrics.json"


def trainer_arguments(description: str | None, default_out: Path) -> argparse.Namespace:
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
    args = parser.parse_args()
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
