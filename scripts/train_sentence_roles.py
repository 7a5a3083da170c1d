"""Rebuild models/sentence_roles/ with its model card and metrics.json: ``extractor.training.sentence_roles``, as ``extractor train sentence_roles``.

    .venv/bin/python scripts/train_sentence_roles.py [--shared ../shared] [--out models/sentence_roles] [--seed 0]
        [--annotations annotations] [--documents DB_OR_FOLDER ...]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from extractor.training.sentence_roles import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
