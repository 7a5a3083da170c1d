"""Where the trained models are: one locator for a repository checkout and an installed wheel.

The trained files live in the repository's top-level ``models/`` folder (each model's folder with its
model card). A wheel ships that folder as the package data of ``extractor.trained`` (``pyproject.toml``
maps the package to ``models/``), so an installation outside the repository finds them there. An
editable install or a plain checkout has no such package and uses ``models/`` beside ``extractor/``.
"""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path

TRAINED_PACKAGE = "extractor.trained"
REPOSITORY_MODELS = Path(__file__).resolve().parents[2] / "models"
# The files that make a model what it predicts with (model cards and metrics.json describe it only).
TRAINED_FILE_PATTERNS = ("*/model.json", "*/weights.npz", "*/meta.json", "*/*/model", "*/calibration.json")


@cache
def models_root() -> Path:
    """The folder holding every trained model: the installed package data, else the repository's ``models/``."""
    try:
        spec = importlib.util.find_spec(TRAINED_PACKAGE)
    except ModuleNotFoundError:
        spec = None
    if spec is not None and spec.submodule_search_locations:
        for location in spec.submodule_search_locations:
            if Path(location).is_dir():
                return Path(location)
    return REPOSITORY_MODELS


def model_dir(name: str) -> Path:
    """The folder of the trained model ``name`` (e.g. ``design``, ``outcome_spans``)."""
    return models_root() / name


def trained_files() -> list[Path]:
    """The files the models predict with, in the order of their path below the models folder."""
    root = models_root()
    found = {path for pattern in TRAINED_FILE_PATTERNS for path in root.glob(pattern)}
    return sorted(found, key=lambda path: path.relative_to(root).parts)
