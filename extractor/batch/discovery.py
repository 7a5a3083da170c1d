"""The input files of a run: paths, folders (recursed) and globs, minus what is not literature.

A folder walk reports what it cannot use instead of passing over it: a folder it
cannot open and a name that is not valid UTF-8 are failures (the batch goes on);
links that lead out of the folder are skipped, with one notice naming them, unless
``follow_links``. The database's own files are never inputs.
"""

from __future__ import annotations

import glob
import hashlib
import os
from collections.abc import Callable, Iterable
from pathlib import Path

from ..types import Failure

# Files a folder walk passes over: repository housekeeping, not literature.
HOUSEKEEPING = {"readme", "license", "licence", "provenance", "index", "changelog", "manifest", "notice"}
LINKS_NAMED = 5  # the notice about links left out names this many


def discover(inputs: list[str], follow_links: bool = False, exclude: Iterable[Path | str] = (),
             notice: Callable[[str], None] | None = None,
             empty: list[str] | None = None) -> tuple[list[Path], list[Failure]]:
    """Files named by paths, folders (recursed) and globs, in a stable order, and what could not be used.

    ``exclude``: files that are never inputs (the store's database, WAL and journal).
    ``follow_links``: read files and folders that links inside a folder lead to outside it
    (skipped otherwise, with one ``notice`` line naming them).
    ``empty`` gains one line for each input that gives no file (an empty folder, a glob matching nothing).
    """
    excluded = {os.path.realpath(path) for path in exclude}
    files: dict[str, Path] = {}
    failures: list[Failure] = []
    outside: list[tuple[Path, str]] = []
    for item in inputs:
        path = Path(item)
        if not _decodable(path):
            failures.append(undecodable_name(path))
            continue
        links_before = len(outside)
        reals: dict[Path, str] = {}  # real paths the walk knows already (no realpath call each)
        if path.is_dir():
            found = _walk(path, follow_links, failures, outside, reals)
        elif path.is_file():
            found = [path]
        else:
            found = sorted(Path(p) for p in glob.glob(item, recursive=True) if Path(p).is_file())
            if not found:
                failures.append(Failure(item, "not_found", "no such file, folder or matching glob",
                                        "check the path (quote globs so the shell passes them on)"))
                if empty is not None:
                    wildcard = glob.has_magic(item)
                    empty.append(f"{item}: {'no file matches this glob' if wildcard else 'no such file or folder'}")
        if path.is_dir() and not found and empty is not None:
            skipped = len(outside) - links_before
            empty.append(f"{item}: the folder holds no files to read (hidden files and README, LICENSE and the "
                         "like are passed over" + (f"; {skipped} link{'s' if skipped > 1 else ''} leading outside it "
                                                   "left out: give --follow-links to read "
                                                   f"{'them' if skipped > 1 else 'it'})" if skipped else ")"))
        for p in found:
            if not _decodable(p):
                failures.append(undecodable_name(p))
                continue
            real = reals.get(p) or os.path.realpath(p)
            if real not in excluded:
                files.setdefault(real, p)
    if outside and notice is not None:
        named = ", ".join(f"{shown(link)} -> {shown(Path(target))}" for link, target in outside[:LINKS_NAMED])
        more = f" and {len(outside) - LINKS_NAMED} more" if len(outside) > LINKS_NAMED else ""
        notice(f"{len(outside)} link{'s' if len(outside) > 1 else ''} leading out of the input folder "
               f"skipped: {named}{more}; pass --follow-links to read them")
    return list(files.values()), failures


def _walk(root: Path, follow_links: bool, failures: list[Failure], outside: list[tuple[Path, str]],
          reals: dict[Path, str] | None = None) -> list[Path]:
    """The files under ``root`` (hidden and housekeeping ones left out), sorted; ``reals`` gains their real paths.

    A folder is entered only when its own name is not passed over, so each entry's name alone decides (the
    folders above it were checked on the way down).
    """
    reals = {} if reals is None else reals
    root_real = os.path.realpath(root)
    visited = {root_real}  # folders entered, by real path: a link loop is entered once
    found: list[Path] = []
    folders = [(root, root_real)]  # (folder, its real path; None below a link, where it is not followed)
    while folders:
        folder, folder_real = folders.pop()
        try:
            with os.scandir(folder) as listing:
                entries = list(listing)
        except OSError as error:
            failures.append(Failure(shown(folder), "io", f"cannot read the folder: {error.strerror or error}",
                                    "give read and search permission (chmod u+rx) or leave the folder out"))
            continue
        for entry in entries:
            if _passed_over_name(entry.name):
                continue
            path = Path(entry.path)
            if entry.is_symlink():
                real = os.path.realpath(path)
                if not os.path.exists(real):
                    continue  # a dangling link (or a loop) leads nowhere
                if _inside(real, root_real):
                    if os.path.isfile(real):
                        found.append(path)  # a folder inside is reached by the walk itself
                        reals[path] = real
                elif not follow_links:
                    outside.append((path, real))
                elif os.path.isdir(real):
                    if real not in visited:  # entered once, however many links lead there
                        visited.add(real)
                        folders.append((path, real))
                elif os.path.isfile(real):
                    found.append(path)
                    reals[path] = real
            elif entry.is_dir(follow_symlinks=False):
                if _decodable(path):
                    real = os.path.join(folder_real, entry.name)
                    visited.add(real)
                    folders.append((path, real))
                else:
                    failures.append(undecodable_name(path))
            elif entry.is_file(follow_symlinks=False):
                found.append(path)
                reals[path] = os.path.join(folder_real, entry.name)
    return sorted(found, key=lambda path: path.parts)  # the order of Path's own comparison, computed once each


def _inside(real: str, root_real: str) -> bool:
    return real == root_real or real.startswith(root_real.rstrip(os.sep) + os.sep)


def _passed_over_name(name: str) -> bool:
    """A hidden file or folder, or a housekeeping file (README.md, LICENSE, ...)."""
    if name.startswith("."):
        return True
    stem, dot, suffix = name.rpartition(".")
    stem, suffix = (stem, dot + suffix) if dot and stem else (name, "")
    return stem.lower() in HOUSEKEEPING and suffix.lower() in {".md", ".txt", ""}


def _decodable(path: Path) -> bool:
    """Whether a path's name is valid UTF-8 (the store keeps paths as text; a stray byte cannot go there)."""
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def shown(path: Path) -> str:
    """A path as text that can be printed and stored: bytes that are not UTF-8 written as ``\\xff``."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def undecodable_name(path: Path) -> Failure:
    """The failure for a file or folder whose name is not valid UTF-8."""
    return Failure(shown(path), "bad_name", "the name is not valid UTF-8, so it cannot be stored",
                   "rename it to a UTF-8 name (for example with convmv) and run again")


def file_sha256(path: Path) -> str:
    """The hex SHA-256 of a file's bytes, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
