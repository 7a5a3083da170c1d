"""Zip packages (.pptx, .xlsx) opened within bounds: a zip bomb fails with a clear line instead of
filling memory.

Every part that will be read is checked twice: its declared size before it is
opened, and its actual size while it is unpacked (a bounded read), because a
hostile zip can declare a small size and unpack to gigabytes. Parts a reader
does not need (pictures, video, fonts, embedded files) are never unpacked.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

from ..errors import LimitExceeded, MalformedDocument
from .base import Limits

_BLOCK = 1 << 20
# what a damaged zip raises as its parts are unpacked (RuntimeError: an encrypted part)
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, struct.error, OSError, ValueError,
               NotImplementedError, EOFError, RuntimeError, KeyError)


def is_markup(name: str) -> bool:
    """Whether a part is XML (or relationships) a reader parses, as opposed to media or embedded files."""
    return name.lower().endswith((".xml", ".rels", ".vml"))


def _too_large(path: Path, name: str, size: float, limit: int, *, declared: bool) -> LimitExceeded:
    how = "declares" if declared else "unpacks to"
    return LimitExceeded(
        f"part {name} {how} {size / 2**20:.0f} MB, over the {limit / 2**20:.0f} MB limit for one part",
        hint="a zip bomb or a damaged file; if it is genuine, save it again (or export the text or sheet as CSV) "
        "and run again",
    )


def _total_too_large(path: Path, limit: int) -> LimitExceeded:
    return LimitExceeded(
        f"the zip's parts unpack to more than {limit / 2**20:.0f} MB in all",
        hint="a zip bomb or a damaged file; if it is genuine, split it and run again",
    )


def _read_bounded(archive: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path, limit: int,
                  keep: bool) -> tuple[int, bytes]:
    """(bytes unpacked, the part when ``keep``) reading at most ``limit + 1`` bytes of the part."""
    kept: list[bytes] = []
    size = 0
    with archive.open(info) as part:
        while block := part.read(min(_BLOCK, limit + 1 - size)):
            size += len(block)
            if size > limit:
                raise _too_large(path, info.filename, size, limit, declared=False)
            if keep:
                kept.append(block)
    return size, b"".join(kept)


def _checked_parts(archive: zipfile.ZipFile, path: Path, limits: Limits, needed: Callable[[str], bool],
                   part_limit: int, total_limit: int) -> list[zipfile.ZipInfo]:
    """The needed parts, after their declared sizes were checked against the limits."""
    parts = [info for info in archive.infolist() if not info.is_dir() and needed(info.filename)]
    total = 0
    for info in parts:
        if info.file_size > part_limit:
            raise _too_large(path, info.filename, info.file_size, part_limit, declared=True)
        total += info.file_size
    if total > total_limit:
        raise _total_too_large(path, total_limit)
    return parts


def verify_parts(path: Path, limits: Limits, needed: Callable[[str], bool] = is_markup,
                 part_limit: int | None = None, total_limit: int | None = None) -> None:
    """Raise LimitExceeded unless every needed part unpacks within the limits (read and dropped, block by block).

    For readers that open the zip themselves (openpyxl): after this, what they
    unpack is known to be bounded, so they may stream it.
    """
    part_limit = part_limit or limits.max_part_bytes
    total_limit = total_limit or limits.max_unpacked_bytes
    try:
        with zipfile.ZipFile(path) as archive:
            total = 0
            for info in _checked_parts(archive, path, limits, needed, part_limit, total_limit):
                size, _ = _read_bounded(archive, info, path, part_limit, keep=False)
                total += size
                if total > total_limit:
                    raise _total_too_large(path, total_limit)
    except _ZIP_ERRORS as error:
        raise MalformedDocument(f"not a readable zip file ({error})") from None


def bounded_copy(path: Path, limits: Limits, needed: Callable[[str], bool] = is_markup,
                 part_limit: int | None = None, total_limit: int | None = None) -> io.BytesIO:
    """The zip rewritten in memory with its needed parts (each read within the limits) and every other
    part left empty, for readers (python-pptx) that load every part they find."""
    part_limit = part_limit or limits.max_part_bytes
    total_limit = total_limit or limits.max_unpacked_bytes
    copy = io.BytesIO()
    try:
        with zipfile.ZipFile(path) as archive, zipfile.ZipFile(copy, "w", zipfile.ZIP_STORED) as out:
            checked = {info.filename for info in _checked_parts(archive, path, limits, needed, part_limit,
                                                                total_limit)}
            total = 0
            for info in archive.infolist():
                if info.is_dir():
                    continue
                data = b""
                if info.filename in checked:
                    size, data = _read_bounded(archive, info, path, part_limit, keep=True)
                    total += size
                    if total > total_limit:
                        raise _total_too_large(path, total_limit)
                out.writestr(zipfile.ZipInfo(info.filename, date_time=info.date_time), data)
    except _ZIP_ERRORS as error:
        raise MalformedDocument(f"not a readable zip file ({error})") from None
    copy.seek(0)
    return copy
