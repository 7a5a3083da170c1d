"""Shared fixtures: where ../shared is, and small helpers for reader tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("EXTRACTOR_SHARED", REPO.parent / "shared")).resolve()
CORPUS = REPO / "corpus"


def shared_path(*parts: str) -> Path:
    """A path under ../shared, skipping the test when it is not there."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"needs ../shared ({path} not found); set EXTRACTOR_SHARED to its location")
    return path


@pytest.fixture
def shared() -> Path:
    """The ../shared folder (skips the test when absent)."""
    return shared_path()
