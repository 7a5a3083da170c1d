"""Training of the models: one module per model (each with a ``main(argv)`` that rebuilds it and writes its
model card), and ``common`` for what they share. Extraction never imports this package: it loads the
trained files (``extractor.models``)."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from pathlib import Path

# modules of this package, in the order `extractor train` runs them: outcome_calibration reads extraction as
# the others leave it, so it comes last
TRAINERS = ("design", "outcome_spans", "outcome_scorer", "sample_size", "sentence_roles", "title", "outcome_calibration")


def trainer(name: str) -> Callable[[Sequence[str] | None], int]:
    """The ``main`` of the trainer of model ``name`` (imported when asked for: training imports are heavy)."""
    return importlib.import_module(f"{__name__}.{name}").main


def train(shared: Path, names: Sequence[str] | None = None, annotations: str | Path | None = None,
          documents: Sequence[str | Path] | None = None) -> list[tuple[str, int]]:
    """Rebuild the named models (all by default), one after the other in this process; returns each
    trainer's exit status (0 rebuilt, 2 its data missing).

    ``annotations`` and ``documents`` are passed to every trainer (see ``common.trainer_arguments``).
    """
    unknown = sorted(set(names or []) - set(TRAINERS))
    if unknown:
        raise ValueError(f"no trainer for {', '.join(unknown)}; known: {', '.join(TRAINERS)}")
    extra: list[str] = ["--annotations", str(annotations)] if annotations else []
    for place in documents or []:
        extra += ["--documents", str(place)]
    return [(name, trainer(name)(["--shared", str(shared), *extra]))
            for name in TRAINERS if not names or name in names]
