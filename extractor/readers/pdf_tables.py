"""Tables on a PDF article page, read as rows of cells.

Ruled tables (a rule on every cell edge) are found by pdfplumber's table
finder. Many journals print tables without vertical rules: whitespace-aligned
columns between a rule above and below (booktabs), or no rule at all. Those are
read under their "Table N" caption: the rows below it, in the caption's column
(or across the page when the caption or the table spans the gutter), are split
into cells at wide gaps, and the columns are the strips that no body row's cell
crosses. Running prose and two-column layout are no table: nothing is searched
without a caption starting a line, a row of running text ends the table, and a
table needs rows of two or more cells lining up in columns.

Each table is (caption, rows with cells tab-separated and one row a line, the
box it covers); the reader puts the rows after the page's text and leaves the
box's words out of the running text. Pure functions over word boxes except
``ruled_tables``, which asks pdfplumber's page.
"""

from __future__ import annotations

import re
from itertools import pairwise
from typing import Any

from ..textlayer import continues, table_number
from .base import squash
from .pdf_columns import column_gutter
from .pdf_layout import Line, Word, build_rows

FoundTable = tuple[str, str, tuple[float, float, float, float]]

MIN_TABLE_ROWS = 3  # a header and two rows
CELL_GAP = 1.0  # ems: a wider gap between words on a row parts two cells (justified prose rarely stretches a space so far)
END_GAP = 2.5  # ems of empty height between rows that end a table
CAPTION_LINES = 4  # a caption wraps over at most this many lines
PROSE_WORDS = 7  # a row of one cell with this many words or more, across most of the table's width, is running text
MAX_CELL_WORDS = 12  # cells of a table average fewer words than this

_CAPTION_WORD = re.compile(r"(?i)^(?:table|tabla|tabelle|tableau|tabela)(?:\s*[A-Z]?\d+[a-z]?[.:]?)?$")
_CAPTION_NUMBER = re.compile(r"^(?:[A-Z]?\d+[a-z]?|[IVXLC]+)[.:]?$")
_FLOAT_START = re.compile(r"(?i)^(?:table|tabla|tabelle|tableau|tabela|fig(?:ure|\.)?|figura|abbildung)\s*[A-Z]?\d")
_FOOTNOTE = re.compile(r"(?i)^(?:notes?|abbreviations?|sources?|key)\b\s*[:.]?|^[*†‡§¶\ufffd]|^(?:https?://|doi:?\s*10\.)")
_RULE_ROW = re.compile(r"^[\s.·_\-–—=~]*$")


# -- ruled tables ----------------------------------------------------------------------------------------

def ruled_tables(page: Any, words: list[dict[str, Any]], number: int) -> list[FoundTable]:
    """The ruled tables pdfplumber's table finder sees on a page: each as its caption (else "Table (page N)"),
    its rows and the box it covers. Pages without ruling lines are not searched (the finder needs them), so
    plain pages cost nothing."""
    if not (page.objects.get("line") or page.objects.get("rect")):
        return []
    try:
        found = page.find_tables()
    except Exception:  # a table the finder chokes on stays in the running text
        return []
    tables = []
    for table in found:
        try:
            rows = [[squash(cell or "") for cell in row] for row in table.extract()]
        except Exception:
            continue
        rows = [row for row in rows if any(row)]
        if len(rows) < MIN_TABLE_ROWS or max(len(row) for row in rows) < 2:
            continue
        caption = _caption_above(words, table.bbox) or f"Table (page {number})"
        tables.append((caption, _rows_text(rows), tuple(table.bbox)))
    return tables


def _rows_text(rows: list[list[str]]) -> str:
    return "\n".join("\t".join(cell.replace("\t", " ") for cell in row) for row in rows)


def _caption_above(words: list[dict[str, Any]], box: tuple) -> str | None:
    """The caption just above a table: from its "Table N" line down to the table, within a few lines."""
    above = sorted((word for word in words if box[1] - 48 <= word["bottom"] <= box[1] + 1), key=lambda w: w["top"])
    lines: list[list[dict[str, Any]]] = []
    for word in above:
        if lines and abs(lines[-1][0]["top"] - word["top"]) <= 3:
            lines[-1].append(word)
        else:
            lines.append([word])
    texts = [" ".join(word["text"] for word in sorted(line, key=lambda w: w["x0"])) for line in lines]
    starts = [index for index, text in enumerate(texts) if re.match(r"(?i)tab(?:le|la|elle|leau)\b", text)]
    return squash(" ".join(texts[starts[-1] :])) if starts else None


# -- tables split across pages ---------------------------------------------------------------------------

FALLBACK_CAPTION = re.compile(r"^Table \(page \d+\)$")  # a ruled table with no caption of its own


def join_continued(pages: list[list[FoundTable]], at_top: list[list[bool]]) -> list[list[FoundTable]]:
    """The tables of each page, with each table's continuation on a later page joined to it: a table whose
    caption says it continues ("Table 2 (Continued)", "Table 2. Cont'd") joins the last earlier table of its
    number; a ruled table with no caption at the top of a page (``at_top``) joins the last table of the page
    before when it has as many columns. Its rows are added to the first part's (less a header row that repeats
    the first part's), and it leaves its own page's list."""
    joined: list[list[FoundTable]] = [[] for _ in pages]
    last: tuple[int, int] | None = None  # page and index in ``joined`` of the table last read
    for page, found in enumerate(pages):
        for index, (caption, rows, box) in enumerate(found):
            target: tuple[int, int] | None = None
            number = table_number(caption)
            if number is not None and continues(caption):
                target = next(((p, i) for p in range(page - 1, -1, -1) for i in range(len(joined[p]) - 1, -1, -1)
                               if table_number(joined[p][i][0]) == number), None)
            elif (FALLBACK_CAPTION.match(caption) and index == 0 and at_top[page][index] and last is not None
                  and last[0] == page - 1 and _width(joined[last[0]][last[1]][1]) == _width(rows)):
                target = last
            if target is None:
                joined[page].append((caption, rows, box))
                last = (page, len(joined[page]) - 1)
                continue
            first_caption, first_rows, first_box = joined[target[0]][target[1]]
            head, _, rest = rows.partition("\n")
            if _same_row(head, first_rows.partition("\n")[0]):
                rows = rest
            if rows:
                joined[target[0]][target[1]] = (first_caption, f"{first_rows}\n{rows}", first_box)
            last = target
    return joined


def _width(rows: str) -> int:
    return max(row.count("\t") for row in rows.split("\n")) + 1


def _same_row(a: str, b: str) -> bool:
    return squash(a.replace("\t", " ")).casefold() == squash(b.replace("\t", " ")).casefold()


# -- tables without rules --------------------------------------------------------------------------------

def cells_of(words: list[Word]) -> list[list[Word]]:
    """A row's words (left to right) parted into cells where the gap between two words is wider than an em."""
    ordered = sorted(words, key=lambda word: word.x0)
    cells: list[list[Word]] = []
    for word in ordered:
        if cells and word.x0 - cells[-1][-1].x1 <= CELL_GAP * max(word.size, cells[-1][-1].size):
            cells[-1].append(word)
        else:
            cells.append([word])
    return cells


def _text(words: list[Word]) -> str:
    return squash(" ".join(word.text for word in words))


def _inside(word: Word, box: tuple[float, float, float, float]) -> bool:
    x0, top, x1, bottom = box
    return x0 <= (word.x0 + word.x1) / 2 <= x1 and top <= word.middle <= bottom


def unruled_tables(words: list[Word], taken: list[tuple[float, float, float, float]]) -> list[FoundTable]:
    """The tables without vertical rules under each "Table N" caption that starts a line of the page, outside
    the boxes already ``taken`` by ruled tables."""
    free = [word for word in words if not any(_inside(word, box) for box in taken)]
    if len(free) < 12:
        return []
    left, right = min(word.x0 for word in free), max(word.x1 for word in free)
    found: list[FoundTable] = []
    boxes = list(taken)
    gutters: list[tuple[float, float] | None] = []  # the page's gutter, sought once a caption is found
    unplaced: list[tuple[list[Word], list[Word]]] = []
    for row in build_rows(free):
        for caption, after in _captions(row):
            if any(_inside(caption[0], box) for box in boxes):
                continue
            if not gutters:
                gutters.append(column_gutter(free))
            span = _span(caption, free, gutters[0], left, right)
            within = [word for word in free if span[0] <= (word.x0 + word.x1) / 2 <= span[1]]
            rest = [word for word in after if span[0] <= (word.x0 + word.x1) / 2 <= span[1]]
            table = _table_below(caption + rest, within, span)
            if table is not None and not any(_overlap(table[2], box) for box in boxes):
                found.append(table)
                boxes.append(table[2])
            elif table is None:
                unplaced.append((caption, after))
    # a caption with no table under it may stand below its table (as many journals print them), once every
    # caption over its table has taken its rows
    for caption, after in unplaced:
        if any(_inside(caption[0], box) for box in boxes):
            continue
        span = _span(caption, free, gutters[0], left, right, above=True)
        within = [word for word in free if span[0] <= (word.x0 + word.x1) / 2 <= span[1]
                  and not any(_inside(word, box) for box in boxes)]
        rest = [word for word in after if span[0] <= (word.x0 + word.x1) / 2 <= span[1]]
        table = _table_above(caption + rest, within, span)
        if table is not None and not any(_overlap(table[2], box) for box in boxes):
            found.append(table)
            boxes.append(table[2])
    return found


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _captions(row: Line) -> list[tuple[list[Word], list[Word]]]:
    """The cells of a row that start with "Table N" (a caption beginning, not "see Table 2" in a sentence),
    each with the row's words after it ("Table 2" is often set apart from the caption's words)."""
    found = []
    cells = cells_of(row.words)
    for index, cell in enumerate(cells):
        first = cell[0].text
        if not _CAPTION_WORD.match(first):
            continue
        if re.search(r"\d", first) or (len(cell) > 1 and _CAPTION_NUMBER.match(cell[1].text)):
            found.append((cell, [word for after in cells[index + 1 :] for word in after]))
    return found


def _span(caption: list[Word], words: list[Word], gutter: tuple[float, float] | None, left: float,
          right: float, above: bool = False) -> tuple[float, float]:
    """How far across the page the table under a caption (or ``above`` it) may reach: the caption's column on
    a page of two columns when running text stands level with the rows in the other column, else the whole
    width."""
    if gutter is None:
        return left, right
    middle = (gutter[0] + gutter[1]) / 2
    x0, x1 = caption[0].x0, caption[-1].x1
    if x0 < middle < x1:
        return left, right
    side = (left, gutter[1]) if x1 <= middle else (gutter[0], right)
    other = (gutter[1], right) if x1 <= middle else (left, gutter[0])
    size = max(word.size for word in caption)
    top = max(word.bottom for word in caption)
    low, high = (min(word.top for word in caption) - 6 * size, top) if above else (top, top + 6 * size)
    level = [word for word in words if other[0] <= (word.x0 + word.x1) / 2 <= other[1] and low <= word.middle <= high]
    width = other[1] - other[0]
    for line in build_rows(level):
        if any(cell[-1].x1 - cell[0].x0 >= 0.6 * width for cell in cells_of(line.words)):
            return side
    return left, right


def _table_below(caption: list[Word], words: list[Word], span: tuple[float, float]) -> FoundTable | None:
    """The table whose rows follow a caption down the page within ``span``, or None when they do not make one."""
    caption_top = min(word.top for word in caption)
    caption_bottom = max(word.bottom for word in caption)
    below = [word for word in words if word.middle > caption_bottom]
    width = span[1] - span[0]
    caption_words = list(caption)
    caption_lines = 1
    rows: list[tuple[Line, list[list[Word]]]] = []
    left = caption[0].x0  # where the table's first column starts (the caption's start until a row is read)
    last = caption_bottom
    continuing = True
    for line in build_rows(below):
        size = max(line.size, 4.0)
        if line.top - last > END_GAP * size:
            break
        if _RULE_ROW.match(line.text):
            last = line.bottom
            continue
        cells = cells_of(line.words)
        one = len(cells) == 1
        if _FLOAT_START.match(line.text) or (one and _FOOTNOTE.match(line.text) and line.x0 <= left + size):
            break  # the next table or figure, or the table's notes (a bulleted cell further right is no note)
        if (continuing and one and abs(cells[0][0].x0 - caption[0].x0) <= 3 and caption_lines < CAPTION_LINES
                and line.top - caption_top < CAPTION_LINES * 2 * size):
            caption_words += cells[0]  # the caption wraps onto this line
            caption_lines += 1
            last = line.bottom
            continue
        continuing = False
        if one and len(cells[0]) >= PROSE_WORDS and cells[0][-1].x1 - cells[0][0].x0 >= 0.55 * width:
            break  # running text (or a note) below the table
        rows.append((line, cells))
        left = min(left, line.x0) if len(rows) > 1 else line.x0
        last = line.bottom
    caption_text = _text(caption_words)
    return _as_table(caption_text, rows, span, continues(caption_text))


def _caption_text(caption: list[Word], words: list[Word]) -> str:
    """A caption's text with the lines it wraps onto (one cell each, starting where it starts, within a few
    lines)."""
    size = max(max(word.size for word in caption), 4.0)
    caption_top = min(word.top for word in caption)
    last = max(word.bottom for word in caption)
    taken = list(caption)
    for line in build_rows([word for word in words if word.middle > last]):
        cells = cells_of(line.words)
        if (len(cells) != 1 or abs(cells[0][0].x0 - caption[0].x0) > 3 or line.top - last > size
                or line.top - caption_top >= CAPTION_LINES * 2 * size or _FLOAT_START.match(line.text)):
            break
        taken += cells[0]
        last = line.bottom
    return _text(taken)


def _table_above(caption: list[Word], words: list[Word], span: tuple[float, float]) -> FoundTable | None:
    """The table whose rows stand just above a caption printed under it, read upwards from the caption to a
    wide gap, running text or another table's or figure's caption; None when they do not make a table."""
    text = _caption_text(caption, words)
    caption_top = min(word.top for word in caption)
    width = span[1] - span[0]
    above = [word for word in words if word.middle < caption_top]
    rows: list[tuple[Line, list[list[Word]]]] = []
    first = caption_top
    lines = build_rows(above)
    for line in reversed(lines):
        size = max(line.size, 4.0)
        if first - line.bottom > END_GAP * size:
            break
        if _RULE_ROW.match(line.text):
            first = line.top
            continue
        cells = cells_of(line.words)
        if _FLOAT_START.match(line.text):
            break  # the caption over another table or figure
        if line is lines[0] and _set_apart(line, [row for row, _ in rows]):
            break  # the page's running head over a table at the top of the page, not its header
        if len(cells) == 1 and len(cells[0]) >= PROSE_WORDS and cells[0][-1].x1 - cells[0][0].x0 >= 0.55 * width:
            break  # running text above the table
        rows.insert(0, (line, cells))
        first = line.top
    return _as_table(text, rows, span)


def _set_apart(line: Line, rows: list[Line]) -> bool:
    """The top line of a page's column is set in another size than the table rows under it (by a point and
    more, or an eighth) and further above them than they stand from each other: a running head ("Journal of
    ...  213"), not the table's header, which is set as its rows are (perhaps bold, perhaps larger but no
    further apart)."""
    if len(rows) < 2:
        return False
    sizes = sorted(row.size for row in rows)
    usual = sizes[len(sizes) // 2]
    pitches = sorted(b.bottom - a.bottom for a, b in pairwise(rows))  # baselines, whatever the size
    pitch = pitches[len(pitches) // 2]
    return abs(line.size - usual) >= max(1.0, usual / 8) and rows[0].bottom - line.bottom > 1.2 * pitch


def _column_edges(rows: list[tuple[Line, list[list[Word]]]]) -> list[float]:
    """Where the columns part: the middles of the strips that no cell of a row of two or more cells crosses
    (a cell spanning columns, as a header over two columns does, is allowed in one row of five), and of the
    narrower strips between columns set so close that their cells run together (``_close_edges``)."""
    parted = [cells for _, cells in rows if len(cells) >= 2]
    extents = [(cell[0].x0, cell[-1].x1) for cells in parted for cell in cells]
    sizes = sorted(word.size for cells in parted for cell in cells for word in cell)
    narrowest = max(2.0, 0.5 * sizes[len(sizes) // 2])  # a strip narrower than half an em is no gap between columns
    low, high = min(x0 for x0, _ in extents), max(x1 for _, x1 in extents)
    edges = [(a + b) / 2 for a, b in _free_strips(extents, len(parted) // 5, narrowest)]
    edges = [edge for edge in edges if low < edge < high]
    return sorted(edges + _close_edges(parted, edges, narrowest))


def _free_strips(extents: list[tuple[float, float]], allowed: int, narrowest: float) -> list[tuple[float, float]]:
    """The strips at least ``narrowest`` wide that at most ``allowed`` of the extents cross."""
    points = sorted({x for extent in extents for x in extent})
    # how many extents cross each strip between neighbouring points: +1 where one starts, -1 where it ends
    change = dict.fromkeys(points, 0)
    for a, b in extents:
        change[a] += 1
        change[b] -= 1
    strips: list[tuple[float, float]] = []
    gap_start: float | None = None
    crossing = 0
    for x0, _x1 in pairwise(points):
        crossing += change[x0]
        if crossing <= allowed:
            gap_start = x0 if gap_start is None else gap_start
            continue
        if gap_start is not None and x0 - gap_start >= narrowest:
            strips.append((gap_start, x0))
        gap_start = None
    return strips


def _close_edges(parted: list[list[list[Word]]], edges: list[float], narrowest: float) -> list[float]:
    """Edges between two columns set closer than a cell gap, whose cells therefore run together on each row
    ("0.45 (0.2–0.7)62%"): strips at least half an em wide that no word crosses (the rule of the cell strips,
    applied to words) and that lie inside cells, where the words on each side line up down the rows (numbers
    right- or left-aligned in their columns). A word space is narrower than such a strip, and the gaps of
    justified or ragged text fall in different places from line to line."""
    extents = [(word.x0, word.x1) for cells in parted for cell in cells for word in cell]
    found = []
    for low, high in _free_strips(extents, len(parted) // 5, narrowest):
        if any(low <= edge <= high for edge in edges):
            continue  # the cells part there already
        before: list[Word] = []
        after: list[Word] = []
        for cells in parted:
            for cell in cells:
                left = [word for word in cell if word.x1 <= low]
                right = [word for word in cell if word.x0 >= high]
                if left and right:
                    before.append(left[-1])
                    after.append(right[0])
        if len(before) >= max(2, len(parted) // 3) and _lined_up(before) and _lined_up(after):
            found.append((low + high) / 2)
    return found


def _lined_up(words: list[Word]) -> bool:
    """Most of the words share their left edge, their right edge or their middle (within half an em)."""
    tolerance = 0.5 * sorted(word.size for word in words)[len(words) // 2]
    for edge in ([word.x0 for word in words], [word.x1 for word in words], [(w.x0 + w.x1) / 2 for w in words]):
        middle = sorted(edge)[len(edge) // 2]
        if sum(1 for x in edge if abs(x - middle) <= tolerance) >= 0.6 * len(edge):
            return True
    return False


def _aligned(extents: list[dict[int, tuple[float, float]]], columns: int,
             rows: list[tuple[Line, list[list[Word]]]]) -> bool:
    """The body's columns line up as a table's do: in every column between the first and the last, most cells
    share their left edge, their right edge or their middle (within half an em). Words spread across a narrow
    column by justified text leave wide gaps too, but where they fall changes from line to line (only the
    text's margins line up)."""
    sizes = sorted(line.size for line, _ in rows)
    tolerance = 0.5 * sizes[len(sizes) // 2]
    lined_up = []
    for column in range(columns):
        spans = [extent[column] for extent in extents if column in extent]
        if len(spans) < 2:
            lined_up.append(True)  # a column of one cell (a note over the rest) says nothing either way
            continue
        lined_up.append(any(
            sum(1 for x in edge if abs(x - sorted(edge)[len(edge) // 2]) <= tolerance) >= 0.6 * len(edge)
            for edge in ([x0 for x0, _ in spans], [x1 for _, x1 in spans], [(x0 + x1) / 2 for x0, x1 in spans])
        ))
    return all(lined_up[1:-1]) and (lined_up[0] or lined_up[-1])


def _pieces(cell: list[Word], edges: list[float]) -> list[list[Word]]:
    """A cell cut at a gap wider than a word space where the words on either side stand in different columns
    (two cells set closer than an em); a cell whose words run across an edge with ordinary spaces (a long
    label, a header over two columns) stays whole and goes to the column of its first word."""
    pieces = [[cell[0]]]
    for before, word in pairwise(cell):
        gap = word.x0 - before.x1
        if (gap >= 0.4 * max(word.size, before.size)
                and _column(before.x0, before.x1, edges) != _column(word.x0, word.x1, edges)):
            pieces.append([word])
        else:
            pieces[-1].append(word)
    return pieces


def _without_raised_tail(piece: list[Word]) -> list[Word]:
    """A row label without the superscripts that end it: a reference number or footnote mark ("Choe YH ²⁵")
    is not part of the study's name."""
    size = max(word.size for word in piece)
    bottom = max(word.bottom for word in piece if word.size == size)
    kept = list(piece)
    while len(kept) > 1 and kept[-1].size <= 0.8 * size and kept[-1].bottom < bottom - 0.5:
        kept.pop()
    return kept


_RUNS_ON = re.compile(r"(?:[-‐–—,&/+]|\b(?:and|of|or|the|in|with|for|to|on|at|by|vs\.?))$", re.I)
_CONTINUES = re.compile(r"^(?:[a-zß-ÿ(\[&]|and\b|et al\b|(?:19|20)\d\d[a-z]?\b)")


def _join_wrapped_labels(body: list[list[str]], lines: list[Line], extents: list[dict[int, tuple[float, float]]]
                         ) -> list[list[str]]:
    """Body rows with a row label wrapped over two lines joined into one row: a line holding only a label
    joins the row above when its words carry on that row's label (it opens in lower case or with a bracket
    or year, or the label above ends with a hyphen, comma or joining word) or when it stands closer below it
    than rows stand to each other (the leading within a cell, tighter than the space between rows); a
    label-only line joins the row below when that row's label carries on its words. A label-only line set
    further left than the label above, or bold under a label that is not, heads a group of rows instead."""
    tops = [line.top for line in lines]
    pitches = sorted(b - a for a, b in pairwise(tops) if b > a)
    pitch = pitches[len(pitches) // 2] if pitches else 0.0
    joined: list[list[str]] = []
    kept: list[int] = []  # the index in ``body`` of each joined row's last line
    for index, row in enumerate(body):
        alone = bool(row[0]) and not any(row[1:])
        if joined and joined[-1][0] and row[0]:
            above = kept[-1]
            label_above = joined[-1][0]
            x_above, x_here = extents[above][0][0] if 0 in extents[above] else None, extents[index][0][0]
            heading = ((x_above is not None and x_here < x_above - 0.5 * lines[index].size)
                       or (lines[index].bold and not lines[above].bold))
            runs_on = bool(_RUNS_ON.search(label_above) or _CONTINUES.match(row[0]))
            above_alone = not any(joined[-1][1:])
            close = pitch > 0 and lines[index].top - lines[above].top < 0.75 * pitch
            if not heading and ((alone and (runs_on or close)) or (above_alone and not alone and runs_on)):
                glue = "" if re.search(r"[-‐]$", label_above) else " "
                merged = [label_above + glue + row[0]]
                merged += [squash(f"{a} {b}") for a, b in zip(joined[-1][1:], row[1:], strict=True)]
                joined[-1] = merged
                kept[-1] = index
                continue
        joined.append(list(row))
        kept.append(index)
    return joined


def _column(x0: float, x1: float, edges: list[float]) -> int:
    middle = (x0 + x1) / 2
    return sum(1 for edge in edges if edge < middle)


def _as_table(caption: str, rows: list[tuple[Line, list[list[Word]]]], span: tuple[float, float],
              continued: bool = False) -> FoundTable | None:
    """The rows as a table: cells put in their columns, the header lines above the first labelled row joined
    into one header; None unless two or more columns and enough rows of two or more cells line up. The rest
    of a table begun on an earlier page (``continued``: its caption says so) may hold mostly lines of one
    cell, as a table of wrapped text does: two rows of two or more cells are enough to find its columns."""
    parted = [cells for _, cells in rows if len(cells) >= 2]
    if len(rows) < MIN_TABLE_ROWS or len(parted) < (2 if continued else max(2, len(rows) / 2)):
        return None
    edges = _column_edges(rows)
    if not edges:
        return None
    columns = len(edges) + 1
    cells_text: list[list[str]] = []
    extents: list[dict[int, tuple[float, float]]] = []  # per row: column -> the extent of its text
    crowded = [0] * len(rows)  # per row: cells put in a column that already had one
    header_rows = 0
    for index, (_, cells) in enumerate(rows):
        placed = [""] * columns
        extent: dict[int, tuple[float, float]] = {}
        seen: set[int] = set()
        pieces = [piece for cell in cells for piece in _pieces(cell, edges)]
        if index == header_rows and _column(pieces[0][0].x0, pieces[0][0].x1, edges) > 0:
            pieces = cells  # a header line over the value columns: a heading over two columns stays whole
        for piece in pieces:
            column = _column(piece[0].x0, piece[0].x1, edges)
            if column == 0:
                piece = _without_raised_tail(piece)
            placed[column] = squash(f"{placed[column]} {_text(piece)}")
            low, high = extent.get(column, (piece[0].x0, piece[-1].x1))
            extent[column] = (min(low, piece[0].x0), max(high, piece[-1].x1))
            crowded[index] += column in seen
            seen.add(column)
        extents.append(extent)
        if index == header_rows and (not placed[0] or index == 0):
            # header lines: the first row, and those under it standing over the value columns only
            header_rows += 1
        elif (index == header_rows and not cells_text[-1][0] and sum(1 for cell in placed if cell) >= 2
              and not re.search(r"\d", " ".join(placed))):
            header_rows += 1  # the labelled header line under headers over the value columns ("Year of")
        cells_text.append(placed)
    body_slots = sum(len(extent) for extent in extents[header_rows:])
    if sum(crowded[header_rows:]) > 0.2 * body_slots or not _aligned(extents[header_rows:], columns, rows):
        return None  # columns drawn so wide that cells set apart share them, or not lining up: not a table
    body = _join_wrapped_labels(cells_text[header_rows:], [line for line, _ in rows[header_rows:]],
                                extents[header_rows:])
    cells_text = cells_text[:header_rows] + body
    if 0 < header_rows < len(cells_text):
        header = [squash(" ".join(row[column] for row in cells_text[:header_rows])) for column in range(columns)]
        cells_text = [header, *cells_text[header_rows:]]
    filled = [cell for row in cells_text for cell in row if cell]
    if sum(len(cell.split()) for cell in filled) > MAX_CELL_WORDS * len(filled):
        return None
    if sum(1 for row in cells_text if sum(1 for cell in row if cell) >= 2) < 2:
        return None
    top = min(word.top for _, cells in rows for cell in cells for word in cell)
    bottom = max(word.bottom for _, cells in rows for cell in cells for word in cell)
    return caption, _rows_text(cells_text), (span[0], top, span[1], bottom)
