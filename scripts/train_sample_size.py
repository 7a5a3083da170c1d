"""Rebuild models/sample_size/ with its model card and metrics.json: ``extractor.training.sample_size``, as ``extractor train sample_size``.

    .venv/bin/python scripts/train_sample_size.py [--shared ../shared] [--out models/sample_size] [--seed 0]
        [--annotations annotations] [--documents DB_OR_FOLDER ...]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from extractor.training.sample_size import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
