"""The input files of a run: paths, folders (recursed) and globs, minus what is not literature."""

from __future__ import annotations

import glob
import hashlib
from pathlib import Path

from ..types import Failure

# Files a folder walk passes over: repository housekeeping, not literature.
HOUSEKEEPING = {"readme", "license", "licence", "provenance", "index", "changelog", "manifest", "notice"}


def discover(inputs: list[str]) -> tuple[list[Path], list[Failure]]:
    """Files named by paths, folders (recursed) and globs, in a stable order."""
    files: dict[str, Path] = {}
    missing: list[Failure] = []
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and not _passed_over(p, path))
        elif path.is_file():
            found = [path]
        else:
            found = sorted(Path(p) for p in glob.glob(item, recursive=True) if Path(p).is_file())
            if not found:
                missing.append(Failure(item, "not_found", "no such file, folder or matching glob",
                                       "check the path (quote globs so the shell passes them on)"))
        for p in found:
            files.setdefault(str(p.resolve()), p)
    return list(files.values()), missing


def _passed_over(path: Path, root: Path) -> bool:
    relative = path.relative_to(root).parts
    if any(part.startswith(".") for part in relative):
        return True
    return path.stem.lower() in HOUSEKEEPING and path.suffix.lower() in {".md", ".txt", ""}


def file_sha256(path: Path) -> str:
    """The hex SHA-256 of a file's bytes, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
