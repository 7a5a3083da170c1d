"""Tables in a document's text: their rows, the role of each column, and their caption.

A table reaches the canonical text in one of a few layouts, and each is found by its layout alone:

- cells separated by ``|`` (Markdown, pipe-flattened HTML) or by tabs (JATS ``<table-wrap>``, PPTX and
  spreadsheet tables as the readers write them);
- cells aligned in columns with runs of two or more spaces (PDF text, plain-text reports);
- cells run together with no separator at all (PDF and HTML conversion), read as a row label followed
  by a run of numeric or empty cells (``Healthy Families2/50Not measured0/9``).

The header row gives each column a role (study, design, n, outcome, an estimate's measure, CI, p, SE)
from the wording in ``data/table_roles.json``; the caption ("Table 2. RCTs of ...") may give every row
its design. ``study_rows`` keeps the tables whose rows are studies or programmes: a header names a
study column, or the rows open with citations, or the caption names studies and the rows are names.
Pure functions of the text; offsets are offsets into it.
"""

from __future__ import annotations

import bisect
import dataclasses
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from ...textlayer import Sentence, TextLayer, continues, table_number
from ..design.rules import find_design

_DATA = Path(__file__).resolve().parents[2] / "data" / "table_roles.json"


@dataclass(frozen=True)
class Cell:
    """One cell's text and where it lies."""

    text: str
    start: int
    end: int


@dataclass
class Row:
    """One row of a table: its span (continuation lines included) and its cells."""

    start: int
    end: int
    cells: list[Cell] = field(default_factory=list)
    label: Cell | None = None
    group: Cell | None = None  # the heading over the row's group of rows ("Cluster randomised trials"), if any


@dataclass
class Table:
    """A table found in the text: its layout, caption, header cells with their roles, and rows."""

    layout: str  # pipe, tab, aligned, run_together
    start: int
    end: int
    caption: Cell | None
    header: list[Cell]
    roles: list[set[str]]
    rows: list[Row]
    columns_known: bool = True  # a run-together header is split into columns only when its cells match the rows'

    def column(self, role: str) -> int | None:
        """The first column with ``role`` (a role, or ``measure:XX``); a run-together table's columns have roles
        only when a header line splits into as many cells as its rows have."""
        if not self.columns_known:
            return None
        for index, roles in enumerate(self.roles):
            if role in roles:
                return index
        return None

    def cell(self, row: Row, role: str) -> Cell | None:
        index = self.column(role)
        if index is None or index >= len(row.cells):
            return None
        return row.cells[index] if row.cells[index].text else None


@dataclass(frozen=True)
class Vocabulary:
    roles: tuple[tuple[str, str], ...]  # (wording, role), longest wording first
    empty_cells: tuple[str, ...]
    caption_designs: tuple[tuple[str, re.Pattern[str]], ...]
    study_nouns: frozenset[str]
    caption_outcomes: tuple[re.Pattern[str], ...]
    caption_outcome_end: re.Pattern[str]
    columns: frozenset[str] = frozenset()  # header wordings with no role ("country", "m (sd)")
    unmeasured: tuple[str, ...] = ()
    measured_marks: frozenset[str] = frozenset()
    counted_nouns: tuple[str, ...] = ()


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    data: dict[str, Any] = json.loads(_DATA.read_text(encoding="utf-8"))
    pairs = [(wording.casefold(), role) for role, words in data["roles"].items() for wording in words]
    pairs += [(wording.casefold(), f"measure:{measure}") for measure, words in data["measures"].items() for wording in words]
    pairs.sort(key=lambda pair: -len(pair[0]))
    designs = tuple((label, re.compile(pattern, re.I)) for label, pattern in data["caption_designs"])
    outcomes = tuple(re.compile(pattern, re.I) for pattern in data["caption_outcomes"])
    return Vocabulary(tuple(pairs), tuple(data["empty_cells"]), designs, frozenset(data["study_nouns"]), outcomes,
                      re.compile(data["caption_outcome_ends"], re.I),
                      frozenset(word.casefold() for word in data["columns"]), tuple(data["unmeasured_cells"]),
                      frozenset(data["measured_marks"]), tuple(data["counted_nouns"]))


# -- roles -----------------------------------------------------------------------------------------------

_EDGE = re.compile(r"^[\s*†‡§¶#:.,;]+|[\s*†‡§¶#:.,;]+$")


@lru_cache(maxsize=1)
def _role_patterns() -> tuple[tuple[str, str, re.Pattern[str]], ...]:
    """Each header wording (but a one-character symbol) with its role and its pattern as a whole word, compiled
    once: built per cell, two hundred patterns overflowed ``re``'s cache and were compiled again and again."""
    return tuple((wording, role, re.compile(rf"(?<![\w]){re.escape(wording)}(?![\w])"))
                 for wording, role in vocabulary().roles if not (len(wording) < 2 and not wording.isalpha()))


@lru_cache(maxsize=1)
def _measure_patterns() -> tuple[tuple[str, str, re.Pattern[str]], ...]:
    """Each measure wording with its role and its whole-word pattern, compiled once."""
    return tuple((wording, role, re.compile(rf"(?<!\w){re.escape(wording)}(?!\w)"))
                 for wording, role in vocabulary().roles if role.startswith("measure:"))


def header_roles(text: str) -> set[str]:
    """The roles one header cell gives its column: its whole wording, else every wording it contains."""
    cell = _EDGE.sub("", text).casefold()
    cell = re.sub(r"\s+", " ", cell)
    if not cell:
        return set()
    words = vocabulary().roles
    whole = {role for wording, role in words if wording == cell}
    if whole:
        return whole
    found: set[str] = set()
    taken: list[tuple[int, int]] = []
    for wording, role, pattern in _role_patterns():
        for match in pattern.finditer(cell):
            if any(match.start() < end and start < match.end() for start, end in taken):
                continue
            if len(wording) <= 2 and role not in {"ci", "n", "p", "se"} and not role.startswith("measure:"):
                continue
            found.add(role)
            taken.append(match.span())
    return found


def caption_design(caption: str | None) -> str | None:
    """The design a caption gives every row ("RCTs of parenting interventions" -> rct), or None; None too when
    it names two designs ("RCTs and cohort studies of ..."): its rows are of either, and headings over groups
    of them may say which. A wording inside another's ("RCTs" in "cluster RCTs") is no second design."""
    if not caption:
        return None
    found: list[tuple[str, int, int]] = []
    for label, pattern in vocabulary().caption_designs:
        found += [(label, match.start(), match.end()) for match in pattern.finditer(caption)]
    labels = {label for label, start, end in found
              if not any(other != label and a <= start and end <= b and (a, b) != (start, end)
                         for other, a, b in found)}
    if len(labels) == 1 and _UNLABELLED_DESIGNS.search(caption):
        return None  # "RCTs and observational studies of ...": a kind of study with no label of its own besides
    return labels.pop() if len(labels) == 1 else None


# kinds of study that name no one design label, so a caption naming one beside a design gives its rows none
_UNLABELLED_DESIGNS = re.compile(
    r"\b(?:observational|non-?experimental|uncontrolled|single[- ]arm|pre-?post|before[- ]and[- ]after)\b"
    r"[\w\s-]{0,20}?\b(?:studies|trials|evaluations|designs)\b", re.I)


def caption_outcome(caption: str | None) -> str | None:
    """The outcome a results table's caption names ("Association between smoking and offspring ADHD diagnoses
    examined with ..." -> "offspring ADHD diagnoses"), or None."""
    if not caption:
        return None
    words = vocabulary()
    for pattern in words.caption_outcomes:
        match = pattern.search(caption)
        if match:
            outcome = words.caption_outcome_end.sub("", match.group("outcome")).strip(" .")
            if outcome and len(outcome.split()) <= 8:
                return outcome
    return None


def caption_before(text: str, position: int) -> Cell | None:
    """The caption of the table that starts at ``position``: the nearest "Table N" line a few lines above."""
    floor = max(0, position - 2000)
    lines = _lines(text, floor, position)
    return _caption(lines, len(lines))


def names_studies(caption: str | None) -> bool:
    """The caption says its rows are studies, trials, programmes or models."""
    if not caption:
        return False
    words = set(re.findall(r"[^\W\d_]+", caption.casefold()))
    return bool(words & vocabulary().study_nouns)


# -- lines -----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Line:
    start: int
    end: int
    text: str


def _lines(text: str, start: int, end: int) -> list[_Line]:
    lines = []
    position = start
    for raw in text[start:end].split("\n"):
        lines.append(_Line(position, position + len(raw), raw))
        position += len(raw) + 1
    return lines


def _split(line: _Line, separator: re.Pattern[str]) -> list[Cell]:
    """The cells of a line between separators, each stripped, with its offsets."""
    cells = []
    position = 0
    for match in [*separator.finditer(line.text), None]:
        stop = match.start() if match else len(line.text)
        raw = line.text[position:stop]
        stripped = raw.strip()
        offset = line.start + position + (len(raw) - len(raw.lstrip()))
        cells.append(Cell(stripped, offset, offset + len(stripped)))
        position = match.end() if match else stop
    return cells


_PIPE = re.compile(r"\s*\|\s*")
_TAB = re.compile(r"\t")
_GAP = re.compile(r"(?<=\S) {2,}(?=\S)")
_RULE_LINE = re.compile(r"^[\s|:+\-=─━]*$")


def _pipe_cells(line: _Line) -> list[Cell] | None:
    body = line.text.strip()
    if body.count("|") < 1 or _RULE_LINE.match(body):
        return None
    cells = _split(line, _PIPE)
    if body.startswith("|"):
        cells = cells[1:]
    if body.endswith("|"):
        cells = cells[:-1]
    return cells if len(cells) >= 2 else None


def _tab_cells(line: _Line) -> list[Cell] | None:
    if "\t" not in line.text.rstrip("\t \r"):
        return None
    cells = _split(line, _TAB)
    while cells and not cells[-1].text:
        cells.pop()
    return cells if len(cells) >= 2 else None


def _gap_cells(line: _Line) -> list[Cell] | None:
    if "\t" in line.text or "|" in line.text or "  " not in line.text:  # no gap, one cell
        return None
    cells = [cell for cell in _split(line, _GAP) if cell.text]
    return cells if len(cells) >= 2 else None


_NUMBER_CELL = r"[<>≤≥=]?\s?[-−–+]?\d+(?:[.,·]\d+)?(?:\s\d{3})*(?:/\d+)?%?[a-z]?"


_MAX_RUN_ROW = 400  # characters: a run-together row is short
_MAX_CELL = 24  # characters of one numeric cell
_RUN_LABEL = re.compile(r"[A-Z][^\d\n\t|]*[A-Za-z)’']\s*")


@lru_cache(maxsize=1)
def _cell_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    empty = "|".join(re.escape(word) for word in sorted(vocabulary().empty_cells, key=len, reverse=True))
    return re.compile(_NUMBER_CELL), re.compile(rf"(?:{empty})(?![a-z])")


def _tail_cells(text: str, start: int) -> list[tuple[int, int]] | None:
    """``text[start:]`` read as two or more numeric or empty cells run together (spaces allowed between),
    or None. Run-together numbers can be cut in several places ("0/99/431/34"), so the
    cuts are found by one pass over positions (each reachable end kept once, with the cell that reached it),
    not by a backtracking regex, which takes exponential time on long digit runs."""
    number, empty = _cell_patterns()
    end = len(text.rstrip())
    reached: dict[int, tuple[int, int] | None] = {start: None}  # end of a cell -> (previous end, cell start)
    for position in range(start, end):
        if position not in reached:
            continue
        at = position
        while at < end and text[at] == " ":
            at += 1
        found = empty.match(text, at)
        stops = [found.end()] if found else []
        longest = number.match(text, at, min(end, at + _MAX_CELL))
        if longest:
            stops += [stop for stop in range(at + 1, longest.end() + 1) if number.fullmatch(text, at, stop)]
        for stop in stops:
            reached.setdefault(stop, (position, at))
    if end == start or end not in reached:
        return None
    cells: list[tuple[int, int]] = []
    stop = end
    while reached[stop] is not None:
        before, begin = reached[stop]
        cells.append((begin, stop))
        stop = before
    cells.reverse()
    return cells if len(cells) >= 2 else None


def _run_cells(line: _Line) -> tuple[Cell, list[Cell]] | None:
    """A run-together row: a label, then two or more numeric or empty cells with no separator."""
    text = line.text
    if len(text) > _MAX_RUN_ROW or not text[:1].isupper():
        return None
    digit = re.search(r"\d", text)
    number, empty = _cell_patterns()
    limit = digit.start() if digit else len(text)
    # where the cells may begin: at an empty cell's word, or at the first number (with its sign or operator)
    cuts = {found.start() for found in empty.finditer(text, 1, limit)}
    if digit:
        cuts.add(limit)
        cuts.update(cut for cut in range(max(1, limit - 2), limit) if text[cut] in "<>≤≥=-−–+ ")
    for cut in sorted(cuts):
        if _RUN_LABEL.fullmatch(text, 0, cut) is None:
            continue
        cells = _tail_cells(text, cut)
        if cells is None:
            continue
        label = text[:cut].rstrip()
        footnote = re.search(r"\s[a-z]$", label)  # "Healthy Steps f": a footnote mark after the name
        if footnote:
            label = label[: footnote.start()]
        if len(label.split()) > 14:
            return None
        return (Cell(label, line.start, line.start + len(label)),
                [Cell(text[a:b], line.start + a, line.start + b) for a, b in cells])
    return None


# -- tables ----------------------------------------------------------------------------------------------

_CAPTION = re.compile(r"^\s*(?:table|tabla|tabelle|tableau|tabela)\b\s*[\dIVXA-Z]", re.I)


def _caption(lines: list[_Line], first: int) -> Cell | None:
    """The caption above a table: the nearest "Table N ..." line within a few lines (with the line after it
    when it is only "Table 2.")."""
    for index in range(first - 1, max(-1, first - 9), -1):
        line = lines[index]
        if _CAPTION.match(line.text):
            text = line.text.strip()
            if len(text) <= 12:  # "Table 2." on its own line: the caption is the next line with text
                for following in lines[index + 1 : first]:
                    if following.text.strip():
                        body = following.text.strip()
                        offset = following.start + following.text.index(body)
                        return Cell(f"{text} {body}", line.start, offset + len(body))
            offset = line.start + line.text.index(text)
            return Cell(text, offset, offset + len(text))
    return None


def _numeric(text: str) -> bool:
    return bool(re.fullmatch(r"[\s\d.,·%()\[\]<>=≤±–—\-−/:;]+", text)) and any(ch.isdigit() for ch in text)


def _header_like(cells: list[Cell]) -> bool:
    return sum(_numeric(cell.text) for cell in cells) <= 1 and any(cell.text for cell in cells)


def _delimited(lines: list[_Line], cells_of, layout: str, min_rows: int) -> list[Table]:
    """Runs of consecutive lines split by ``cells_of`` into tables: a header-like first line is the header;
    a line whose first cell is empty continues the row before it."""
    tables: list[Table] = []
    index = 0
    while index < len(lines):
        cells = cells_of(lines[index])
        if cells is None:
            index += 1
            continue
        run: list[tuple[_Line, list[Cell]]] = []
        groups: list[Cell | None] = []  # per line of the run: the group heading above it
        group: Cell | None = None
        while index < len(lines):
            line = lines[index]
            line_cells = cells_of(line)
            if line_cells is None:
                if layout == "pipe" and _RULE_LINE.match(line.text.strip() or "x") and line.text.strip():
                    index += 1  # a |---|---| rule under the header
                    continue
                if run and ((layout == "tab" and _group_heading(line, len(run[0][1])))
                            or (layout == "aligned" and _aligned_heading(line, run[0], lines[index + 1 : index + 2],
                                                                         cells_of))):
                    # "Cluster trials\t\t\t": a heading over a group of the table's rows, not a row
                    group = _heading_cell(line)
                    index += 1
                    continue
                break
            run.append((line, line_cells))
            groups.append(group)
            index += 1
        if layout == "aligned":
            run = _aligned_run(run)
        if len(run) < min_rows:
            continue
        first_line = lines.index(run[0][0])
        header_cells: list[Cell] = []
        body = list(zip(run, groups, strict=False))
        if _header_like(run[0][1]):
            header_cells, body = run[0][1], body[1:]
        rows: list[Row] = []
        group = None
        for (line, line_cells), above in body:
            group = above or group
            if (len(header_cells) >= 2 and len(line_cells) >= 2 and line_cells[0].text
                    and not any(cell.text for cell in line_cells[1:])):
                group = line_cells[0]  # "| Cluster trials | | |": a heading over a group of rows, no row of its own
                continue
            if rows and line_cells and not line_cells[0].text:
                rows[-1].end = line.end
                for position, cell in enumerate(line_cells):
                    if position < len(rows[-1].cells) and cell.text and not rows[-1].cells[position].text:
                        rows[-1].cells[position] = cell
                continue
            rows.append(Row(line.start, line.end, list(line_cells), line_cells[0] if line_cells else None, group))
        if not rows:
            continue
        tables.append(Table(layout, run[0][0].start, run[-1][0].end, _caption(lines, first_line), header_cells,
                            [header_roles(cell.text) for cell in header_cells], rows))
    return tables


def _group_heading(line: _Line, columns: int) -> bool:
    """A line of a tab table holding only its first cell, padded with the table's empty cells: the heading of
    a group of rows ("Haemoglobin (g/l)", "Cluster-randomised trials"), which the table runs on past."""
    label, tabs, rest = line.text.partition("\t")
    return bool(label.strip()) and bool(tabs) and not rest.strip() and rest.count("\t") + 2 >= columns


def _heading_cell(line: _Line) -> Cell:
    label = line.text.split("\t", 1)[0]
    body = label.strip()
    offset = line.start + label.index(body)
    return Cell(body, offset, offset + len(body))


def _aligned_heading(line: _Line, first: tuple[_Line, list[Cell]], following: list[_Line], cells_of) -> bool:
    """A line of an aligned table holding one short phrase set no further right than its first column, with a
    row of as many cells as the table's first line under it: the heading of a group of rows ("Cohort studies")."""
    body = line.text.strip()
    first_line, first_cells = first
    if (not body or len(body.split()) > 8 or not body[0].isupper() or body.endswith(".")
            or len(line.text) - len(line.text.lstrip()) > first_cells[0].start - first_line.start + 2):
        return False
    below = cells_of(following[0]) if following else None
    return below is not None and len(below) == len(first_cells)


def _aligned_run(run: list[tuple[_Line, list[Cell]]]) -> list[tuple[_Line, list[Cell]]]:
    """The part of a run of gap-split lines whose columns line up: the same number of cells as the first line,
    each starting within two characters of the first line's cell."""
    if not run:
        return run
    first_line, first_cells = run[0]
    starts = [cell.start - first_line.start for cell in first_cells]
    kept = [run[0]]
    for line, cells in run[1:]:
        offsets = [cell.start - line.start for cell in cells]
        if len(cells) != len(starts):
            break
        lined_up = sum(abs(a - b) <= 2 for a, b in zip(offsets[1:], starts[1:], strict=True))
        if lined_up < max(1, (len(starts) - 1) * 2 // 3):
            break
        kept.append((line, cells))
    return kept if len(kept) >= 3 else []


def _run_together_tables(lines: list[_Line]) -> list[Table]:
    """Three or more consecutive run-together rows; the non-row lines just above are the header."""
    tables: list[Table] = []
    index = 0
    while index < len(lines):
        found = _run_cells(lines[index])
        if found is None:
            index += 1
            continue
        first = index
        rows: list[Row] = []
        while index < len(lines):
            found = _run_cells(lines[index])
            if found is None:
                break
            label, cells = found
            line = lines[index]
            rows.append(Row(line.start, line.end, [label, *cells], label))
            index += 1
        if len(rows) < 3:
            continue
        header_lines = []
        for back in range(first - 1, max(-1, first - 3), -1):
            if not lines[back].text.strip() or _CAPTION.match(lines[back].text):
                break
            header_lines.insert(0, lines[back])
        header = [Cell(line.text.strip(), line.start, line.end) for line in header_lines]
        start = header_lines[0].start if header_lines else rows[0].start
        caption = _caption(lines, first - len(header_lines))
        columns = _run_header_columns(header_lines, rows)
        known = columns is not None
        header = columns if columns is not None else header
        tables.append(Table("run_together", start, rows[-1].end, caption, header,
                            [header_roles(cell.text) for cell in header], rows, known))
    return tables


_CELL_BOUNDARY = re.compile(r"(?<=[a-z)])(?=[A-Z])|\t| {2,}")


def split_run_together(line_start: int, text: str) -> list[Cell]:
    """A header line whose cells run together, cut where a lower-case letter (or a closing bracket) meets an
    upper-case one ("Child HealthChild Development" -> "Child Health", "Child Development")."""
    cells = []
    position = 0
    for match in [*_CELL_BOUNDARY.finditer(text), None]:
        stop = match.start() if match else len(text)
        raw = text[position:stop]
        if raw.strip():
            offset = line_start + position + (len(raw) - len(raw.lstrip()))
            cells.append(Cell(raw.strip(), offset, offset + len(raw.strip())))
        position = match.end() if match else stop
    return cells


def _run_header_columns(header_lines: list[_Line], rows: list[Row]) -> list[Cell] | None:
    """The columns of a run-together table: the nearest header line that, cut where its cells meet, gives as
    many cells as most rows have after their label (an empty label column put first), or one more (its own
    label column); None when no line does."""
    counts: dict[int, int] = {}
    for row in rows:
        counts[len(row.cells) - 1] = counts.get(len(row.cells) - 1, 0) + 1
    usual = max(counts, key=lambda count: (counts[count], count))
    if counts[usual] < len(rows) * 2 / 3:
        return None
    for line in reversed(header_lines):
        cells = split_run_together(line.start, line.text)
        if len(cells) == usual and usual >= 2:
            return [Cell("", line.start, line.start), *cells]
        if len(cells) == usual + 1 and usual >= 2:
            return cells
    return None


def find_tables(text: str, start: int = 0, end: int | None = None) -> list[Table]:
    """Every table in ``text[start:end]`` in any of the layouts, in text order (a line belongs to one)."""
    end = len(text) if end is None else end
    lines = _lines(text, start, end)
    found = [
        *_delimited(lines, _pipe_cells, "pipe", 2),
        *_delimited(lines, _tab_cells, "tab", 2),
        *_delimited(lines, _gap_cells, "aligned", 3),
        *_run_together_tables(lines),
    ]
    found.sort(key=lambda table: (table.start, -(table.end - table.start)))
    kept: list[Table] = []
    for table in found:
        if kept and table.start < kept[-1].end:
            continue
        kept.append(table)
    return _continued(_captions_below(kept, lines))


_NAMING_SENTENCE = re.compile(r"^\s*\S+\s*(?:[A-Z]?\d+[a-z]?|[IVXLC]+)\s+[a-z]")  # "Table 2 shows ...": no caption


def _captions_below(tables: list[Table], lines: list[_Line]) -> list[Table]:
    """Tables with no caption above them given the "Table N ..." line printed just under their last row (a
    blank line between at most), unless that line is the caption over the next table or a sentence that
    names a table ("Table 2 shows ...")."""
    taken = {table.caption.start for table in tables if table.caption}
    starts = [line.start for line in lines]
    given: list[Table] = []
    for table in tables:
        if table.caption is None:
            index = bisect.bisect_right(starts, table.end)
            following = [line for line in lines[index : index + 2] if line.text.strip()][:1]
            if (following and following[0].start not in taken and _CAPTION.match(following[0].text)
                    and not _NAMING_SENTENCE.match(following[0].text)):
                caption = _caption(lines, lines.index(following[0]) + 1)
                if caption is not None and caption.start not in taken:
                    table = dataclasses.replace(table, caption=caption)
                    taken.add(caption.start)
        given.append(table)
    return given


def _continued(tables: list[Table]) -> list[Table]:
    """A table whose caption says it continues one begun earlier ("Table 2 (continued)") takes that table's
    caption (and so the design it gives its rows); when its first line was taken for its header but is a row
    (another wording than the earlier header's, as many cells, no role word over the labels and a figure in
    the cells after), it takes the earlier header and that line is a row."""
    earlier: dict[str, Table] = {}
    joined: list[Table] = []
    for table in tables:
        number = table_number(table.caption.text) if table.caption else None
        if number is None:
            joined.append(table)
            continue
        first = earlier.get(number)
        if first is None or not continues(table.caption.text):
            earlier.setdefault(number, table)
            joined.append(table)
            continue
        table = dataclasses.replace(table, caption=first.caption)
        header = [cell.text.casefold() for cell in table.header]
        if (table.layout in {"tab", "pipe"} and table.header and header != [c.text.casefold() for c in first.header]
                and len(table.header) == len(first.header) and not header_roles(table.header[0].text)
                and any(re.search(r"\d", cell.text) for cell in table.header[1:])):
            row = Row(table.header[0].start, table.header[-1].end, list(table.header), table.header[0])
            table = dataclasses.replace(table, header=first.header, roles=first.roles, rows=[row, *table.rows])
        joined.append(table)
    return joined


# -- tables of studies -----------------------------------------------------------------------------------

_NAME = r"[A-Z][\w'’\-–]+"
CITATION = re.compile(
    rf"^{_NAME}(?:(?:,\s|\s(?:and|&)\s|,\s(?:and|&)\s){_NAME})*(?:\set\sal\.?)?,?\s\(?(?:19|20)\d\d[a-z]?\)?"
    rf"|^{_NAME},\s[A-Z]{{1,3}}\.?\s(?:19|20)\d\d"
)
_SMALL_WORDS = frozenset(
    {"a", "an", "and", "as", "at", "by", "de", "del", "der", "des", "di", "du", "for", "from", "in", "la", "le", "of", "on", "or", "the", "to", "und", "van", "von", "with", "y"}
)


def name_like(label: str) -> bool:
    """A programme or study name: its words capitalised (small words aside), not a sentence."""
    words = re.findall(r"[^\W\d_][\w'’\-]*", label)
    if not words or len(words) > 12 or label.rstrip().endswith("."):
        return False
    content = [word for word in words if word.casefold() not in _SMALL_WORDS]
    if not content:
        return False
    return sum(word[0].isupper() for word in content) / len(content) >= 0.75


def is_citation(label: str) -> bool:
    return bool(CITATION.match(label.strip()))


def study_label(table: Table, row: Row) -> Cell | None:
    """The row's study: its study-column cell, else its first cell."""
    return table.cell(row, "study") or row.label


def is_study_table(table: Table) -> bool:
    """Rows that are studies or programmes: a header names a study column, or most row labels are citations,
    or the caption names studies and the labels are distinct names."""
    labels = [study_label(table, row) for row in table.rows]
    texts = [label.text for label in labels if label and label.text]
    if len(texts) < 2 or len(set(texts)) < len(texts) * 0.8:
        return False
    if table.column("study") is not None and _holds_studies(table, texts):
        return True
    if sum(is_citation(text) for text in texts) >= len(texts) * 2 / 3:
        return True
    caption = table.caption.text if table.caption else None
    return names_studies(caption) and sum(name_like(text) for text in texts) >= len(texts) * 0.75


def _holds_studies(table: Table, labels: list[str]) -> bool:
    """The study column holds studies: its header is wholly a study wording ("Study", "Author (year)"), or its
    cells are citations or names. A longer header that only contains one ("MODEL 1 HR (95% CI)" over the
    estimates of a regression, "Strengths/existing quality model" over phrases) does not make a column of
    studies by itself."""
    index = table.column("study")
    header = re.sub(r"\s+", " ", _EDGE.sub("", table.header[index].text).casefold()) if index is not None else ""
    if any(role == "study" and wording == header for wording, role in vocabulary().roles):
        return True
    return sum(is_citation(label) or name_like(label) for label in labels) >= len(labels) * 2 / 3


def study_rows(text: str, start: int = 0, end: int | None = None) -> list[tuple[Table, Row, Cell]]:
    """The rows of every table of studies in ``text[start:end]``, each with its label cell."""
    rows = []
    whole = start == 0 and (end is None or end == len(text))
    for table in document_tables(text) if whole else find_tables(text, start, end):
        if not is_study_table(table):
            continue
        for row in table.rows:
            label = study_label(table, row)
            if label and label.text:
                rows.append((table, row, label))
    return rows


_N_CELL = re.compile(r"^(?:[nN]\s*=\s*)?(\d{1,3}(?:[ ,]\d{3})+|\d+)\b")


def row_sample_size(table: Table, row: Row) -> tuple[int, Cell] | None:
    """The row's n from the column headed n."""
    cell = table.cell(row, "n")
    if cell is None:
        return None
    match = _N_CELL.match(cell.text)
    if not match:
        return None
    return int(re.sub(r"[ ,]", "", match.group(1))), cell


def row_design(table: Table, row: Row) -> tuple[str, Cell] | None:
    """The design a row's design cell names, else the design the heading over its group of rows states
    ("Cluster randomised trials"), else the caption's design for every row. A heading that states no design
    ("Preschool children") leaves the caption's."""
    cell = table.cell(row, "design")
    if cell is not None:
        design = caption_design(cell.text) or _cell_design(cell.text)
        if design:
            return design, cell
    if row.group is not None:
        design = heading_design(row.group.text)
        if design:
            return design, row.group
    design = caption_design(table.caption.text if table.caption else None)
    return (design, table.caption) if design and table.caption else None


_NOT_RANDOMISED = re.compile(
    r"\bnon[- ]?randomi[sz]|\bnot randomi[sz]|randomi[sz]ation (?:was )?not (?:specified|stated|reported)"
    r"|\bquasi[- ]?experiment"
)
_CLUSTER = re.compile(
    r"\bcluster|\bby (?:school|class|classroom|site|practice|clinic|village|community|centre|center|ward|district"
    r"|group|family practice)s?\b"
)
_DESIGN_PHRASE = re.compile(
    r"(?i)(?:\b[\w-]+ )?(?:block design|randomi[sz]\w*|non[- ]?randomi[sz]\w*|quasi[- ]?experimental)[^\n]{0,60}"
)


@lru_cache(maxsize=256)
def heading_design(text: str) -> str | None:
    """The design a heading over a group of a table's rows states: the tables' own design wordings ("RCTs",
    "Randomised by school", "Individually randomised"), else the design rules' cue vocabulary read on the
    heading as a sentence of its own ("Mixed-methods studies", "Quasi-experimental evaluations"); None when it
    states none ("Preschool children", "Observational studies")."""
    design = cell_design(text)
    if design:
        return design
    found = find_design(TextLayer(text, [Sentence(0, len(text))]))
    return str(found[0].value) if found else None


def group_heading_design(line: str) -> tuple[str | None] | None:
    """A line of its own among a table's rows read as the heading of a group of them: it names a kind of study
    in the plural, as captions do ("Cluster randomised trials" -> (cluster_rct,), "Observational studies" ->
    (None,)); None for any other line (a row, a wrapped cell, a sentence)."""
    body = line.strip()
    if (not body or len(body.split()) > 6 or not body[0].isupper() or body.endswith(".")
            or re.search(r"\d", body)):
        return None
    design = caption_design(body)
    if design:
        return (design,)
    return (None,) if _UNLABELLED_DESIGNS.match(body) else None


def _cell_design(text: str) -> str | None:
    """A design cell in the singular ("RCT", "Cohort study", "Randomised by school", "Not randomised")."""
    lowered = text.casefold()
    if _NOT_RANDOMISED.search(lowered):
        return "non_randomised_trial"
    if _CLUSTER.search(lowered) and re.search(r"randomi[sz]", lowered):
        return "cluster_rct"
    if re.search(r"\brct\b|randomi[sz]ed controlled trial|randomi[sz]ed trial|^(?:individually )?randomi[sz]ed\b",
                 lowered):
        return "rct"
    for word, design in (("cohort", "cohort"), ("case-control", "case_control"), ("case control", "case_control"),
                         ("cross-sectional", "cross_sectional"), ("qualitative", "qualitative"),
                         ("mixed method", "mixed_methods"), ("meta-analysis", "meta_analysis"),
                         ("systematic review", "systematic_review")):
        if word in lowered:
            return design
    return None


# -- outcomes of a row -----------------------------------------------------------------------------------

def _unmeasured(text: str) -> bool:
    lowered = text.strip().casefold()
    return any(lowered.startswith(word.casefold()) for word in vocabulary().unmeasured)


def _header_width_cells(table: Table, row: Row) -> list[Cell] | None:
    """The row's cells, one under each header cell, or None when they do not line up. A delimited row may stop
    short: tab- and pipe-separated lines lose their trailing empty cells (an unticked last domain)."""
    if len(row.cells) == len(table.header):
        return row.cells
    if table.layout in ("tab", "pipe") and len(row.cells) < len(table.header):
        return row.cells + [Cell("", row.end, row.end)] * (len(table.header) - len(row.cells))
    return None


def domain_columns(table: Table) -> list[int]:
    """Columns whose header names an outcome domain and whose cells say whether each row measured it: the
    header cell has no role of its own (not "N", not "Country"), and the table's cells under such headers say
    "Not measured" (or the like) in some rows and give a result in others, or only mark a domain ("✓")."""
    if not table.columns_known or not table.header:
        return []
    words = vocabulary()
    found = []
    unmeasured = marks = filled = 0
    for index, header in enumerate(table.header):
        name = _EDGE.sub("", header.text)
        if index == 0 or not re.search(r"[^\W\d_]{3,}", name) or table.roles[index]:
            continue
        if name.casefold() in words.columns:
            continue
        lined_up = (_header_width_cells(table, row) for row in table.rows)
        cells = [line[index].text for line in lined_up if line is not None and line[index].text]
        if not cells:
            continue
        found.append(index)
        filled += len(cells)
        unmeasured += sum(_unmeasured(cell) for cell in cells)
        marks += sum(cell in words.measured_marks for cell in cells)
    if (unmeasured and unmeasured < filled) or (filled and marks == filled):
        return found
    return []


def row_outcomes(table: Table, row: Row) -> list[Cell]:
    """The outcomes a row reports: its outcome-column cell (text, not a number), and the header of every
    outcome-domain column where its cell says the domain was measured. A header cell is never read as an
    outcome of its own row's text; the outcome it gives is its wording, at its place in the header."""
    found: list[Cell] = []
    cell = table.cell(row, "outcome")
    if cell is not None and not re.fullmatch(r"[\d\s.,/%–—-]*", cell.text):
        found.append(cell)
    cells = _header_width_cells(table, row)
    if cells is None:
        return found
    for index in domain_columns(table):
        text = cells[index].text
        if text and not _unmeasured(text):
            header = table.header[index]
            name = _EDGE.sub("", header.text)
            offset = header.start + header.text.index(name)
            found.append(Cell(name, offset, offset + len(name)))
    return found


# -- headers written with single spaces ------------------------------------------------------------------

_GLUE = frozenset({"of", "or", "and", "vs", "vs.", "&", "/", "+", "in"})
_HEADER_TOKEN = re.compile(r"[^\s\-–/]+")
_PAREN_TAIL = re.compile(r"\s*\([^()\n]{1,14}\)")


@lru_cache(maxsize=1)
def _header_wordings() -> tuple[tuple[str, frozenset[str]], ...]:
    """Every header wording with the roles it gives, longest first."""
    roles: dict[str, set[str]] = {}
    for wording, role in vocabulary().roles:
        roles.setdefault(wording, set()).add(role)
    for wording in vocabulary().columns:
        roles.setdefault(wording, set())
    return tuple(sorted(((wording, frozenset(found)) for wording, found in roles.items()), key=lambda pair: -len(pair[0])))


@lru_cache(maxsize=1)
def _wordings_by_initial() -> dict[str, tuple[tuple[str, frozenset[str]], ...]]:
    """The header wordings grouped by their first character, each group longest first (the order of
    ``_header_wordings``), so a token is tried only against the wordings that can start with it."""
    groups: dict[str, list[tuple[str, frozenset[str]]]] = {}
    for wording, found in _header_wordings():
        groups.setdefault(wording[:1], []).append((wording, found))
    return {initial: tuple(group) for initial, group in groups.items()}


def _measures(roles: set[str] | frozenset[str]) -> bool:
    return any(role.startswith("measure:") for role in roles)


def first_measure(header: str) -> str | None:
    """The measure a header cell names first ("Mean Difference or Odds Ratio" -> MD)."""
    lowered = header.casefold()
    best: tuple[int, int, str] | None = None
    for wording, role, pattern in _measure_patterns():
        match = pattern.search(lowered)
        if match and (len(wording) > 2 or header[match.start() : match.end()].isupper()):
            key = (match.start(), -len(wording), role.split(":", 1)[1])
            best = key if best is None or key < best else best
    return best[2] if best else None


def _header_cells(line_start: int, text: str, give_up: int | None = None
                  ) -> tuple[list[Cell], list[set[str]], int] | None:
    """A line read as header wordings one after another: its cells, their roles, and how many of its words
    no wording covers; None as soon as more than ``give_up`` words are uncovered."""
    lowered = text.casefold()
    cells: list[Cell] = []
    roles: list[set[str]] = []
    uncovered = 0
    position = 0
    by_initial = _wordings_by_initial()
    while True:
        token = _HEADER_TOKEN.search(text, position)
        if token is None:
            break
        at = token.start()
        matched = None
        for wording, found in by_initial.get(lowered[at : at + 1], ()):
            stop = at + len(wording)
            if not lowered.startswith(wording, at) or (stop < len(text) and (text[stop].isalnum() or text[stop] == "'")):
                continue
            if len(wording) <= 2 and text[at:stop] != text[at:stop].upper():
                continue  # "N", "ES", "SD" as printed in capitals; "or" is a word
            matched = (stop, found)
            break
        if matched is None:
            if token.group().casefold() not in _GLUE:
                uncovered += 1
                if give_up is not None and uncovered > give_up:
                    return None
            position = token.end()
            continue
        stop, found = matched
        tail = _PAREN_TAIL.match(text, stop)
        if tail:
            stop = tail.end()
        between = text[cells[-1].end - line_start : at].strip().casefold() if cells else ""
        if between in {"or", "/"} and _measures(roles[-1]) and _measures(found):
            # "Mean Difference or Odds Ratio": one column whose cells print either measure
            cells[-1] = Cell(text[cells[-1].start - line_start : stop], cells[-1].start, line_start + stop)
            roles[-1] |= found
        else:
            cells.append(Cell(text[at:stop], line_start + at, line_start + stop))
            roles.append(set(found))
        position = stop
    return cells, roles, uncovered


def spaced_header(line_start: int, text: str) -> tuple[list[Cell], list[set[str]]] | None:
    """A header line whose cells are separated by single spaces ("Author (year) Country N Instruments Pre M (SD)
    Post M (SD) Pre-post ES"): three or more header wordings cover all but a few of its words, and one of
    them gives a column a role. None for any other line.

    A line is read once: the rules ask about the same lines several times per document (header spans, the
    headers above a row, the headers in a unit). The lists are new on every call; the role sets are shared
    between calls, so callers must not change them."""
    body = text.strip()
    if not body or len(body) > 400 or body.endswith(".") or not body[0].isupper():
        return None  # most lines: told apart before the cache, which so keeps only short lines
    read = _spaced_header(line_start, text)
    return None if read is None else (list(read[0]), list(read[1]))


@lru_cache(maxsize=4096)
def _spaced_header(line_start: int, text: str) -> tuple[tuple[Cell, ...], tuple[set[str], ...]] | None:
    words = len([token for token in _HEADER_TOKEN.findall(text) if token.casefold() not in _GLUE])
    read = _header_cells(line_start, text, give_up=max(1, words // 8))
    if read is None:
        return None
    cells, roles, uncovered = read
    if len(cells) < 3 or uncovered > max(1, words // 8) or not any(roles):
        return None
    return tuple(cells), tuple(roles)


def _header_continuation(line_start: int, text: str) -> bool:
    """A short line under a header that is wholly header wordings ("Statistical Significance")."""
    body = text.strip()
    if not body or len(body.split()) > 5 or not body[0].isupper():
        return False
    return _continuation_words(line_start, text)


@lru_cache(maxsize=4096)
def _continuation_words(line_start: int, text: str) -> bool:
    read = _header_cells(line_start, text)
    return read is not None and bool(read[0]) and read[2] == 0


def _only_header_words(cell: Cell) -> bool:
    read = _header_cells(cell.start, cell.text)
    return read is not None and bool(read[0]) and read[2] == 0


def header_spans(text: str) -> list[tuple[int, int]]:
    """Where the header cells of every table lie: delimited and run-together header cells made of header
    wordings, and headers written with single spaces with the short header lines under them. No outcome is
    read from these spans."""
    return list(_header_spans(text))


@lru_cache(maxsize=8)
def document_tables(text: str) -> tuple[Table, ...]:
    """Every table of a whole text, found once per text (callers must not change them)."""
    return tuple(find_tables(text))


@lru_cache(maxsize=8)
def _header_spans(text: str) -> tuple[tuple[int, int], ...]:
    # a delimited header cell made of header wordings ("Outcome", "Sample size") names a column; one that says
    # more ("Change in systolic BP (mmHg)") may name the outcome its column measures
    spans = [(cell.start, cell.end) for table in document_tables(text) for cell in table.header
             if cell.text and _only_header_words(cell)]
    lines = _lines(text, 0, len(text))
    index = 0
    while index < len(lines):
        line = lines[index]
        if spaced_header(line.start, line.text) is None:
            index += 1
            continue
        spans.append((line.start, line.end))
        index += 1
        while index < len(lines) and _header_continuation(lines[index].start, lines[index].text):
            spans.append((lines[index].start, lines[index].end))
            index += 1
    return tuple(sorted(spans))


def spaced_header_above(text: str, position: int, reach: int = 1500) -> tuple[list[Cell], list[set[str]]] | None:
    """The nearest header written with single spaces within ``reach`` characters above ``position``, with no
    caption line between."""
    floor = max(0, position - reach)
    lines = _lines(text, floor, position)
    for index in range(len(lines) - 1, 0 if floor else -1, -1):
        line = lines[index]
        if _CAPTION.match(line.text):
            return None
        header = spaced_header(line.start, line.text)
        if header is not None:
            return with_continuation(header, lines[index + 1 :])
    return None


def with_continuation(header: tuple[list[Cell], list[set[str]]],
                      following: list[_Line]) -> tuple[list[Cell], list[set[str]]]:
    """A spaced header with the short header lines under it ("Statistical Significance", "Effect Size") as
    its last cells."""
    cells, roles = list(header[0]), list(header[1])
    for line in following:
        if not _header_continuation(line.start, line.text):
            break
        read = _header_cells(line.start, line.text)
        if read is not None:
            cells += read[0]
            roles += read[1]
    return cells, roles


def spaced_headers_in(text: str, start: int, end: int) -> list[tuple[int, tuple[list[Cell], list[set[str]]]]]:
    """Every spaced header whose line lies in ``text[start:end]``: (where its rows begin, header with the short
    lines under it)."""
    lines = _lines(text, start, end)
    found = []
    for index, line in enumerate(lines):
        header = spaced_header(line.start, line.text)
        if header is None:
            continue
        cells, roles = with_continuation(header, lines[index + 1 :])
        last = max(cell.end for cell in cells)
        rows_start = text.find("\n", last)
        found.append((len(text) if rows_start < 0 else rows_start + 1, (cells, roles)))
    return found


_BARE_INTEGER = re.compile(
    r"(?<![\w.,/()\-–—=<>≤≥])(?<![=<>≤≥] )(\d{1,3}(?:,\d{3})+|\d+)(?![\w.,/%)\-–—]|\s*[–—-]\s*\d|[.,]\d)"
    r"(?!\s*(?:years?|yrs?|y|months?|mo|m|weeks?|wks?|days?|d|hours?|h|min|minutes?|s|sessions?|%)\b)"
)
_INSTRUMENT = re.compile(r"(?<![\w\-])[A-Z][A-Z0-9]{2,}(?:-[A-Z0-9]+)*(?![\w\-])")


def cell_design(text: str) -> str | None:
    """The design a row's design cell names ("Randomized block design (by school)" -> cluster_rct), or None."""
    return caption_design(text) or _cell_design(text)


def spaced_row(header: tuple[list[Cell], list[set[str]]], text: str, start: int, end: int,
               label_end: int) -> dict[str, Cell]:
    """What a row under a header written with single spaces gives by its columns, its cells not being marked:
    ``n``, the first bare count after the label (not an age range, a mean, a duration or a year) when the
    header has an n column; ``design``, the first phrase that says how the row allocated its groups when the
    header has a design column; ``outcome``, the first instrument acronym after that count when the header puts
    an instrument or outcome column after the n column."""
    cells, roles = header
    order = [index for index, found in enumerate(roles) if found & {"n", "outcome"}]
    found: dict[str, Cell] = {}
    n_column = next((index for index in order if "n" in roles[index]), None)
    if n_column is None:
        return found
    for match in _BARE_INTEGER.finditer(text, label_end, end):
        if 1950 <= int(match.group(1).replace(",", "")) <= 2035:
            continue
        found["n"] = Cell(match.group(1), match.start(1), match.end(1))
        break
    if any("design" in found for found in roles):
        phrase = _DESIGN_PHRASE.search(text, label_end, end)
        if phrase and _cell_design(phrase.group()):
            found["design"] = Cell(phrase.group(), phrase.start(), phrase.end())
    outcome_column = next((index for index in order if "outcome" in roles[index]), None)
    if "n" in found and outcome_column is not None and outcome_column > n_column:
        instrument = _INSTRUMENT.search(text, found["n"].end, end)
        if instrument:
            found["outcome"] = Cell(instrument.group(), instrument.start(), instrument.end())
    return found


# "ECBI-Ip <0.01PSp <0.001": run-together cells of an outcome and its p-value (the cell boundary shows where
# the name's capitals meet the p), at the start of a line or right after the previous cell's number
_GLUED_P = re.compile(r"(?:^|(?<=\d))(?P<name>[A-Z][A-Za-z0-9\-]{1,24}?)p\s*[<=≤]\s*0?[.·]\d+", re.M)


def p_value_outcomes(text: str, start: int, end: int) -> list[Cell]:
    """The outcomes a table row names by run-together outcome / p-value cells ("ECBI-Ip <0.01" -> "ECBI-I")."""
    found: list[Cell] = []
    for match in _GLUED_P.finditer(text, start, end):
        name = match.group("name")
        if name.casefold() in {cell.text.casefold() for cell in found}:
            continue
        found.append(Cell(name, match.start("name"), match.end("name")))
    return found


def counted_noun(text: str, start: int, end: int) -> str:
    """Whom a table's n counts: the first people noun ("children", "mothers") its caption and the lines
    under it name in ``text[start:end]``, else "participants"."""
    found = _counted_nouns().search(text[start:end])
    return found.group(1).casefold() if found else "participants"


@lru_cache(maxsize=1)
def _counted_nouns() -> re.Pattern[str]:
    nouns = "|".join(re.escape(noun) for noun in vocabulary().counted_nouns)
    return re.compile(rf"\b({nouns})\b", re.I)


def _header_rows(text: str, rows_start: int, following: int | None) -> list[_Line]:
    """The lines under a spaced header: up to the next blank line or the next header."""
    stop = text.find("\n\n", rows_start)
    stop = len(text) if stop < 0 else stop
    if following is not None:
        stop = min(stop, following)
    return [line for line in _lines(text, rows_start, stop) if line.text.strip()]


def first_cell_outcomes(text: str, start: int, end: int) -> list[tuple[int, Cell]]:
    """Outcomes in the first cell of rows under spaced headers whose first column is the outcome: the cell ends
    where the row stops agreeing with a row of another such header that names the same outcome ("Graduated
    from high school No Effect ..." under the effects header, "Graduated from high school Percentage of ..."
    under the measures header); two words at least. (line start, outcome cell) for the rows in
    ``text[start:end]``."""
    headers = [(rows_start, header) for rows_start, header in spaced_headers_in(text, start, end)
               if header[1] and "outcome" in header[1][0]]
    if len(headers) < 2:
        return []
    groups = []
    for index, (rows_start, _header) in enumerate(headers):
        following = headers[index + 1][0] if index + 1 < len(headers) else None
        if following is not None:
            following = text.rfind("\n", 0, following - 1)
        groups.append(_header_rows(text, rows_start, following))
    found: list[tuple[int, Cell]] = []
    for index, rows in enumerate(groups):
        others = [line for other, lines in enumerate(groups) if other != index for line in lines]
        for line in rows:
            words = line.text.split()
            best = 0
            for other in others:
                theirs = other.text.split()
                shared = 0
                while shared < min(len(words), len(theirs)) - 1 and words[shared] == theirs[shared]:
                    shared += 1
                best = max(best, shared)
            if best >= 2:
                name = " ".join(words[:best])
                offset = line.start + line.text.index(words[0])
                found.append((line.start, Cell(name, offset, offset + len(name))))
    return [(at, cell) for at, cell in found if start <= at < end]
