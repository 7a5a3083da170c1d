"""CSV writers whose cells a spreadsheet shows as text, never runs as formulas.

Titles, authors, abstracts and evidence come from files anyone can write. A cell
that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a
formula to Excel, LibreOffice and Google Sheets (``=HYPERLINK(...)`` sends data
away when clicked). As OWASP advises, such a cell is written with a single quote
in front, which spreadsheets take as "this is text" and do not show.

Numbers stay numbers: ints and floats are written as they are, and a string that
is a plain decimal number (``-0.34``, ``+1.5e-3``) is left alone, since a
spreadsheet reads it as that number and runs nothing. Only text that is not a
plain number gets the quote (``-0.34 mg`` does, ``-0.34`` does not).

Every CSV the tool writes goes through ``Writer`` or ``DictWriter`` here (drop-in
for ``csv.writer`` and ``csv.DictWriter``).
The tool writes no XLSX; a future XLSX writer should pass its cells through
``safe_cell`` too.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping
from typing import Any, TextIO

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")  # ASCII digits only


def safe_cell(value: Any) -> Any:
    """``value`` as a cell no spreadsheet runs: text that would start a formula gets a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


class Writer:
    """``csv.writer`` with every cell made safe (``safe_cell``)."""

    def __init__(self, handle: TextIO, **options: Any) -> None:
        self.writer = csv.writer(handle, **options)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self.writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


class DictWriter(csv.DictWriter):
    """``csv.DictWriter`` with every cell made safe (``safe_cell``); the header is the caller's own names."""

    def writerow(self, rowdict: Mapping[str, Any]) -> Any:
        return super().writerow({key: safe_cell(value) for key, value in rowdict.items()})

    def writerows(self, rowdicts: Iterable[Mapping[str, Any]]) -> None:
        for rowdict in rowdicts:
            self.writerow(rowdict)
