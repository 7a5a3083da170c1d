"""Rebuild models/design/ with its model card and metrics.json: ``extractor.training.design``, as ``extractor train design``.

    .venv/bin/python scripts/train_design.py [--shared ../shared] [--out models/design] [--seed 0]
        [--annotations annotations] [--documents DB_OR_FOLDER ...]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from extractor.training.design import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
