"""The extraction version stored with every record: a hash of the extraction code, lexicons and trained models.

It only reads and hashes files, importing none of the extraction code, so the parent process of
``extractor extract`` (which starts its workers with "spawn") can name the version without paying for
spaCy and every field's rules, which only the workers need.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path


def _code_version() -> str:
    """A version that changes whenever extraction code, lexicons or trained models change, so re-runs redo
    stale records."""
    from ..models.paths import models_root, trained_files

    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha1()
    code = sorted([*package.glob("extract/**/*.py"), *(p for p in package.glob("data/*") if p.is_file()),
                   package / "textlayer.py",
                   *package.glob("models/*.py")])
    # the trained files follow the code, named below the models folder wherever it is installed
    for path in code:
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    root = models_root()
    for path in trained_files():
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


@cache
def code_version() -> str:
    """The hash, computed once per process on first use."""
    return _code_version()


def extraction_version(use_models: bool = True) -> str:
    """The version stored with records: rules-only records differ from records made with models."""
    version = code_version()
    return version if use_models else f"{version}+rules-only"
