"""The chooser's thresholds (``data/combine.json``), loaded once."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

_CONFIG = Path(__file__).resolve().parents[1] / "data" / "combine.json"


@cache
def thresholds() -> dict[str, Any]:
    """The combine thresholds, loaded once."""
    return json.loads(_CONFIG.read_text(encoding="utf-8"))
