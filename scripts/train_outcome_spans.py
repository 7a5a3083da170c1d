"""Rebuild models/outcome_spans/ with its model card and metrics.json: ``extractor.training.outcome_spans``, as ``extractor train outcome_spans``.

    .venv/bin/python scripts/train_outcome_spans.py [--shared ../shared] [--out models/outcome_spans] [--seed 0]
        [--annotations annotations] [--documents DB_OR_FOLDER ...]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from extractor.training.outcome_spans import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
