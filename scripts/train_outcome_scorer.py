"""Rebuild models/outcome_scorer/ with its model card and metrics.json: ``extractor.training.outcome_scorer``, as ``extractor train outcome_scorer``.

    .venv/bin/python scripts/train_outcome_scorer.py [--shared ../shared] [--out models/outcome_scorer] [--seed 0]

Reads the committed outcome-span tagger (models/outcome_spans/): rebuild it first when it changes.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from extractor.training.outcome_scorer import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
