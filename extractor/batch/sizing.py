"""How many records a file holds, counted cheaply before it is read, for the progress bar's ETA.

A byte scan (or a workbook's stated dimension), not a parse: the count is about right (a CSV cell
with a line break in it counts twice), which is all an ETA needs. Formats of one document a file
count 1; a format this module cannot count gives None, and the run shows files instead.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

_BLOCK = 1 << 20
# A record's start (or end) at the start of a line, per multi-record format.
_MARKERS = {
    "ris": re.compile(rb"(?m)^ER  -"),
    "medline": re.compile(rb"(?m)^PMID- "),
    "bibtex": re.compile(rb"(?mi)^\s*@(?!comment|string|preamble)\w+\s*[{(]"),
    "pubmed_xml": re.compile(rb"<Pubmed(?:Book)?Article>"),
}
_SINGLE = {"pdf", "pptx", "jats", "text"}
_WORKBOOK_SUFFIXES = {".xlsx", ".xlsm"}


def expected_records(path: Path, fmt: str | None) -> int | None:
    """About how many records ``path`` (of format ``fmt``) holds; None when that is not known cheaply."""
    try:
        if fmt in _SINGLE:
            return 1
        if fmt == "table":
            if path.suffix.lower() in _WORKBOOK_SUFFIXES:
                return _workbook_rows(path)
            return max(_count(path, re.compile(rb"\n")) - 1, 0)
        if fmt in _MARKERS and path.suffix.lower() != ".gz":
            return _count(path, _MARKERS[fmt])
    except (OSError, ValueError, KeyError, zipfile.BadZipFile):
        return None
    return None


def _count(path: Path, marker: re.Pattern[bytes]) -> int:
    """Matches of ``marker`` in the file, read in blocks (a marker cut by a block boundary is kept whole)."""
    count = 0
    tail = b""
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(_BLOCK), b""):
            data = tail + block
            cut = data.rfind(b"\n") + 1 if len(block) == _BLOCK else len(data)
            count += len(marker.findall(data[:cut]))
            tail = data[cut:]
    return count + len(marker.findall(tail))


_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="[A-Z]+\d+:[A-Z]+(\d+)"')


def _workbook_rows(path: Path) -> int | None:
    """Rows under the header of the workbook's largest sheet, from the dimension each sheet states at its start."""
    rows = []
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                with archive.open(name) as sheet:
                    found = _DIMENSION.search(sheet.read(4096))
                if found:
                    rows.append(int(found.group(1)))
    return max(rows) - 1 if rows else None
