"""Refit models/outcome/ (the calibration of reported outcome names' stored confidence), its model card and
metrics.json: ``extractor.training.outcome_calibration``, as ``extractor train outcome_calibration``.

    .venv/bin/python scripts/calibrate_outcomes.py [--shared ../shared] [--out models/outcome]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from extractor.training.outcome_calibration import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
