"""Screening tables: CSV/TSV (delimiter sniffed) and XLSX, one document per row.

Columns are matched case-insensitively against the names ASReview accepts
(``title``/``primary_title``, ``abstract``/``notes_abstract``/``abstract note``,
``included``/``label_included``/...) plus the short tags of database exports
(``TI``, ``AB``, ``AU``, ``PY``, ``DI``, ``SO``).
"""

from __future__ import annotations

import csv
import re
import zipfile
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ..errors import ExtractorError, MalformedDocument, TruncatedDocument
from ..extract.units.tables import domain_columns, find_tables, header_roles
from ..types import Document, Metadata
from .base import Limits, RecordFailure, first_year, make_document, split_keywords, squash
from .packages import is_markup, verify_parts
from .ris import head_lines, normalise_doi, open_text

FORMAT = "table"

DELIMITERS = (",", "\t", ";")
TABLE_SUFFIXES = (".csv", ".tsv", ".tab")
MAX_FIELD_CHARS = 64 * 1024 * 1024

# fmt: off
# Field -> accepted column names, most wanted first (compared lower-case, "_" as " ").
COLUMNS: dict[str, tuple[str, ...]] = {
    "title": ("title", "primary title", "ti", "t1", "article title", "document title"),
    "abstract": ("abstract", "notes abstract", "abstract note", "ab", "n2"),
    "authors": ("authors", "first authors", "author names", "author", "au"),
    "year": ("year", "publication year", "py", "pubyear"),
    "doi": ("doi", "di"),
    "pmid": ("pmid", "pubmed id", "pubmedid", "pm"),
    "accession": ("accession number", "ut", "an"),
    "keywords": ("keywords", "author keywords", "kw", "de"),
    "journal": ("journal", "source title", "so", "secondary title", "journal title", "publication title"),
    "url": ("url",),
    "registrations": ("clinical trial numbers", "trial registration", "registrations"),
    # ASReview's final label, and its (pending deprecation) title/abstract-stage label.
    "label": (
        "asreview label", "included", "label", "final included", "label included", "included label",
        "included final", "included flag", "include",
    ),
    "label_abstract": ("abstract included", "included abstract", "included after abstract", "label abstract screening"),
}
# fmt: on
_POSITIVE = {"1", "1.0", "true", "yes", "y", "include", "included", "relevant"}
_NEGATIVE = {"0", "0.0", "false", "no", "n", "exclude", "excluded", "irrelevant"}


def normalise_header(name: Any) -> str:
    """A column name as compared: lower-case, ``_`` as space, spaces squashed, BOM and quotes dropped."""
    text = str(name or "").replace("\ufeff", "").replace("_", " ").strip().strip('"').lower()
    return squash(text)


def map_columns(header: list[str]) -> dict[str, int]:
    """Field -> column position for the recognised columns of a header row."""
    names = [normalise_header(cell) for cell in header]
    found: dict[str, int] = {}
    for field, accepted in COLUMNS.items():
        for wanted in accepted:
            if wanted in names:
                found[field] = names.index(wanted)
                break
    return found


def sniff(head: bytes, path: Path) -> float:
    """XLSX zips 0.95; delimited text whose header names a title or abstract column 0.9."""
    try:
        if head.startswith(b"PK\x03\x04"):
            return 0.95 if _is_workbook(head, path) else 0.0
        first = next((line for line in head_lines(head, 5) if line.strip()), "")
        delimiter = max(DELIMITERS, key=first.count)
        cells = [cell.strip() for cell in next(csv.reader([first], delimiter=delimiter))]
        if first.count(delimiter) < 2:
            # Few columns ("title,abstract"): a header only when every cell is a known column name.
            return 0.9 if _known_header(cells, path) else 0.0
        if any(len(cell) > 60 or (cell.endswith(".") and " " in cell) for cell in cells):
            return 0.0  # a sentence with commas, not a header row
        fields = map_columns(cells)
        if "title" in fields or "abstract" in fields:
            return 0.9
        return 0.3 if path.suffix.lower() in TABLE_SUFFIXES else 0.0
    except Exception:  # a sniffer never raises
        return 0.0


def _known_header(cells: list[str], path: Path) -> bool:
    """A header of one or two cells that are all known column names, one of them title or abstract.

    One column alone ("abstract") counts only in a file named as a table: a
    text file may start with such a word on its own line.
    """
    names = {normalise_header(cell) for cell in cells}
    known = {name for accepted in COLUMNS.values() for name in accepted}
    if not names or "" in names or not names <= known:
        return False
    if not names & {*COLUMNS["title"], *COLUMNS["abstract"]}:
        return False
    return len(cells) > 1 or path.suffix.lower() in TABLE_SUFFIXES


def _is_workbook(head: bytes, path: Path) -> bool:
    if b"xl/" in head:
        return b"xl/workbook.xml" in head or b"xl/_rels" in head or b"xl/worksheets" in head
    # The xl/ parts may sit past the head; a pptx or docx never has them.
    with zipfile.ZipFile(path) as archive:
        return "xl/workbook.xml" in archive.namelist()


def read(path: Path, limits: Limits) -> Iterator[Document | RecordFailure]:
    """One document per data row; a row with neither title nor abstract is a RecordFailure."""
    with path.open("rb") as handle:
        is_zip = handle.read(4) == b"PK\x03\x04"
    if is_zip:
        # openpyxl unpacks the parts it reads (the shared strings whole, the sheet as a stream): each is
        # first unpacked here within the limits, so a zip bomb fails before openpyxl opens it.
        verify_parts(path, limits, is_markup)
    rows = _xlsx_rows(path) if is_zip else _delimited_rows(path, limits)
    try:
        yield from rows_to_documents(rows, path, limits)
    finally:
        rows.close()


def rows_to_documents(
    rows: Iterator[list[Any]], path: Path, limits: Limits
) -> Iterator[Document | RecordFailure]:
    """Documents from a header row and data rows (blank rows skipped but counted)."""
    header = next(rows, None)
    if header is None:
        raise MalformedDocument("the table has no header row")
    names = [str(cell or "") for cell in header]
    columns = map_columns(names)
    if "title" not in columns and "abstract" not in columns and _study_column(names):
        lines = _study_lines(names, rows, limits.max_chars)
        # a screening label ("Included": Yes/No) is no outcome domain, though its cells look like ticks
        if _names_studies(names) or ("label" not in columns and "label_abstract" not in columns
                                     and _outcome_domains(lines)):
            yield study_table_document(lines, path, limits)
            return
    if "title" not in columns and "abstract" not in columns:
        names = ", ".join(repr(str(cell)) for cell in header if cell not in (None, "")) or "none"
        raise MalformedDocument(
            f"no title or abstract column; columns found: {names}",
            hint="name the columns 'title' and 'abstract' (ASReview's names are accepted too)",
        )
    for number, row in enumerate(rows, start=1):
        cells = ["" if cell is None else _cell_text(cell) for cell in row]
        if not any(cell.strip() for cell in cells):
            continue
        yield row_to_document(cells, columns, path, number, limits)


def _study_column(header: list[str]) -> bool:
    """A column headed as the study ("Study", "Author (year)", "Programme") in ``data/table_roles.json``."""
    return any("study" in header_roles(cell) for cell in header)


def _names_studies(header: list[str]) -> bool:
    """A table of studies rather than of records: beside the study column, another with a role (design, n,
    outcome, an estimate) in the header vocabulary of ``data/table_roles.json``."""
    return sum(1 for cell in header if header_roles(cell) - {"study"}) >= 1


def _outcome_domains(lines: list[str]) -> bool:
    """The table's other columns are outcome domains that each row ticks or marks "Not measured": read as the
    text of a document's tables is (``domain_columns``), so a sheet gives the units a text table would."""
    return any(domain_columns(table) for table in find_tables("\n".join(lines)))


def _study_lines(header: list[str], rows: Iterator[list[Any]], max_chars: int) -> list[str]:
    """The header and the non-blank rows of a table of studies, cells tab-separated, one row a line; a ticked
    checkbox (TRUE) is "Yes" and an unticked one an empty cell, as a table printed with ticks shows them. Rows
    past ``max_chars`` are not read: the document's text would be cut there (with a warning) anyway."""
    lines = ["\t".join(squash(cell) for cell in header)]
    length = len(lines[0])
    for row in rows:
        if length > max_chars:
            break
        cells = [_study_cell(cell) for cell in row]
        if any(cells):
            lines.append("\t".join(cell.replace("\t", " ") for cell in cells))
            length += len(lines[-1]) + 1
    return lines


def _study_cell(value: Any) -> str:
    if isinstance(value, bool):
        return "Yes" if value else ""
    return "" if value is None else squash(_cell_text(value))


def study_table_document(lines: list[str], path: Path, limits: Limits) -> Document:
    """A table of studies as one document: its header and rows tab-separated, one a line (each row becomes a
    study unit when the document is extracted)."""
    if len(lines) < 3:
        raise MalformedDocument("the table of studies has fewer than two rows", hint="add the studies' rows")
    return make_document(fmt=FORMAT, path=path, title=None, abstract=None,
                         body=[(f"Table: {path.stem}", "\n".join(lines))], limits=limits)


def row_to_document(
    cells: list[str], columns: dict[str, int], path: Path, number: int, limits: Limits
) -> Document | RecordFailure:
    """Map one table row onto a Document."""

    def cell(field: str) -> str:
        position = columns.get(field)
        return cells[position].strip() if position is not None and position < len(cells) else ""

    title, abstract = squash(cell("title")), cell("abstract")
    if not title and not abstract:
        return RecordFailure(
            record=f"row {number}",
            kind="malformed",
            message=f"row {number} (counting data rows after the header) has neither a title nor an abstract",
            hint="fill in the title or abstract, or remove the row",
        )
    extra: dict[str, Any] = {}
    if "label" in columns or "label_abstract" in columns:
        extra["label"] = parse_label(cell("label" if "label" in columns else "label_abstract"))
    if "label_abstract" in columns:
        extra["label_abstract"] = parse_label(cell("label_abstract"))
    registrations = [squash(part) for part in re.split(r"[;,\n]", cell("registrations")) if squash(part)]
    if registrations:
        extra["registrations"] = registrations
    accession = cell("accession")
    if accession:
        extra["accession"] = accession
    doi = cell("doi")
    pmid = re.sub(r"\.0$", "", cell("pmid"))
    if not pmid and accession.upper().startswith("MEDLINE:"):  # Web of Science's MEDLINE records
        pmid = accession.split(":", 1)[1].strip()
    metadata = Metadata(
        authors=_split_authors(cell("authors")),
        year=first_year(cell("year")),
        journal=squash(cell("journal")) or None,
        doi=normalise_doi(doi) if doi.startswith(("10.", "http", "doi")) else None,
        pmid=pmid if pmid.isdigit() else None,
        keywords=_split_keywords(cell("keywords")),
        url=cell("url") or None,
        extra=extra,
    )
    return make_document(
        fmt=FORMAT,
        path=path,
        title=title or None,
        abstract=abstract or None,
        metadata=metadata,
        record_index=number,
        limits=limits,
    )


def parse_label(value: str) -> int | str | None:
    """A screening label as 1 (included), 0 (excluded) or None (not labelled); other text kept."""
    text = value.strip().lower()
    if text in _POSITIVE:
        return 1
    if text in _NEGATIVE:
        return 0
    if text in ("", "-1", "-1.0", "nan", "na"):
        return None
    return value.strip()


def _split_authors(value: str) -> list[str]:
    """Authors from one cell: ';' separated; ', ' separated only when every part is a whole name."""
    if ";" in value or "\n" in value:
        return [squash(name) for name in re.split(r"[;\n]", value) if squash(name)]
    parts = [squash(name) for name in value.split(", ") if squash(name)]
    if all(" " in part for part in parts):  # "Liu R., Adler D.G."; not "Heyneman, C A"
        return parts
    return [squash(value)] if squash(value) else []


def _split_keywords(value: str) -> list[str]:
    """Keywords split on ';', or on commas outside brackets ('cyst (diagnosis, surgery)' stays whole)."""
    if ";" in value or "\n" in value:
        return split_keywords(value)
    seen: dict[str, None] = {}
    for part in _split_outside_brackets(value):
        if squash(part):
            seen.setdefault(squash(part), None)
    return list(seen)


def _split_outside_brackets(value: str) -> list[str]:
    """``value`` split at each comma whose next bracket is not a closing one.

    One pass from the right: a comma followed by a lookahead for the next
    bracket says the same but rescans up to it from every comma (quadratic).
    """
    parts: list[str] = []
    end = len(value)
    next_bracket = ""
    for position in range(len(value) - 1, -1, -1):
        character = value[position]
        if character in "()[]":
            next_bracket = character
        elif character == "," and next_bracket not in (")", "]"):
            parts.append(value[position + 1 : end])
            end = position
    parts.append(value[:end])
    return parts[::-1]


def _cell_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _delimited_rows(path: Path, limits: Limits) -> Iterator[list[str]]:
    """Rows of a CSV/TSV file; the delimiter is the commonest of , tab ; in the header line."""
    if csv.field_size_limit() < MAX_FIELD_CHARS:
        csv.field_size_limit(MAX_FIELD_CHARS)  # abstracts can pass the default 128 KiB
    with open_text(path, newline="", limits=limits) as stream:
        header_line = ""
        while not header_line.strip():
            header_line = stream.readline()
            if not header_line:
                raise MalformedDocument("the table has no header row")
        delimiter = max(DELIMITERS, key=header_line.count)
        try:
            yield next(csv.reader([header_line.rstrip("\r\n")], delimiter=delimiter))
            yield from csv.reader(stream, delimiter=delimiter)
        except csv.Error as exc:
            raise MalformedDocument(f"the delimited text cannot be parsed: {exc}") from None
        except (OSError, EOFError) as exc:  # a gzip stream damaged part-way
            raise TruncatedDocument(f"the compressed file is damaged or ends early: {exc}") from None


def _xlsx_rows(path: Path) -> Iterator[list[Any]]:
    """Rows of the first worksheet whose header names a title or abstract column (read-only mode)."""
    try:
        import openpyxl
    except ImportError:  # pragma: no cover - openpyxl is a dependency
        raise MalformedDocument("reading .xlsx needs openpyxl", hint="pip install openpyxl") from None
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except ExtractorError:
        raise
    except Exception as exc:  # openpyxl raises zipfile, KeyError and XML errors alike
        raise MalformedDocument(f"the workbook cannot be opened: {exc}") from None
    try:
        sheet_rows = None
        for sheet in workbook.worksheets:
            rows = sheet.iter_rows(values_only=True)
            header = _first_nonblank(rows)
            if header is None:
                continue
            if sheet_rows is None:
                sheet_rows = (header, rows)  # for the error message if no sheet qualifies
            fields = map_columns([str(cell or "") for cell in header])
            if "title" in fields or "abstract" in fields:
                sheet_rows = (header, rows)
                break
        if sheet_rows is None:
            raise MalformedDocument("the workbook has no sheet with a header row")
        header, rows = sheet_rows
        yield list(header)
        for row in rows:
            yield list(row)
    except ExtractorError:
        raise
    except Exception as exc:
        raise MalformedDocument(f"the workbook cannot be read: {exc}") from None
    finally:
        workbook.close()


def _first_nonblank(rows: Iterable[tuple[Any, ...]]) -> tuple[Any, ...] | None:
    for row in rows:
        if any(cell not in (None, "") for cell in row):
            return row
    return None
