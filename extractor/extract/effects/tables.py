"""Estimates printed in the cells of a results table, under a header that names their measure.

A row such as ``Moderate score 1·49 (1·12–2·00) 0·0066 1·37 (1·01–1·84) 0·041`` names no measure: the
header above it does (``Odds ratio (95% CI) p value``). A header line that names one measure and a CI
column (wording from ``data/table_roles.json``) makes every interval in the rows under it (up to the next
blank line) an estimate of that measure: its value the number before the interval (past an SE column
when the header puts one between), its p the number after it when the header puts a p column there.
Cells run together by PDF or HTML conversion (``2.300.142.05–2.59<.001``) are split by the interval's
number of decimals, and a reading is kept only when the estimate lies inside its interval.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from ..units.tables import (
    caption_before,
    caption_outcome,
    document_tables,
    first_cell_outcomes,
    first_measure,
    is_study_table,
    spaced_header_above,
    spaced_headers_in,
    spaced_row,
    vocabulary,
)

VERSION = 1

_NUMBER = r"[-−]?\d+(?:[.·]\d+)?"
_INTERVAL = re.compile(
    rf"(?P<open>[(\[]\s*)?(?P<low>{_NUMBER})\s*(?:[–—]|(?<=\d)-|\sto\s|(?(open),|(?!)))\s*(?P<high>{_NUMBER})(?(open)\s*[)\]])"
)
_P_AFTER = re.compile(r"\s*(?P<op>[<≤=])?\s*(?P<p>0?[.·]\d+|1(?:[.·]0+)?)(?![\d])")
_THRESHOLDS = (".0001", ".001", ".005", ".01", ".05", ".1")
_MAX_HEADER = 320
_CI_WORD = re.compile(r"CI|(?i:confidence|\bIC\b|\bKI\b)")


@dataclass(frozen=True)
class TableEstimate:
    """One estimate read from a table cell, with its span and the row label it sits in."""

    measure: str
    value: float
    ci: tuple[float, float] | None
    p: float | None
    p_operator: str | None
    start: int
    end: int
    row_label: str | None
    outcome: str | None = None  # as the caption names it


@cache
def _header_needles() -> tuple[tuple[tuple[str, bool, str], ...], frozenset[str]]:
    """What a results header is searched for: (text, whether printed in capitals, role) for each wording of a
    measure, CI, SE or p column; and every header wording."""
    needles = []
    for wording, role in vocabulary().roles:
        if role not in {"ci", "p", "se"} and not role.startswith("measure:"):
            continue
        if len(wording) == 1 and role != "p":
            continue  # a lone d, g or b in a header is too often part of something else
        short = len(wording) <= 3  # short abbreviations (OR, HR, SE, P) count only as printed in capitals
        needles.append((wording.upper() if short else wording, short, role))
    return tuple(needles), frozenset(wording for wording, _ in vocabulary().roles)


def _places(needle: str, haystack: str) -> Iterator[int]:
    """Where ``needle`` occurs in ``haystack``, left to right, without overlaps (as ``re.finditer`` finds it)."""
    at = haystack.find(needle)
    while at >= 0:
        yield at
        at = haystack.find(needle, at + (len(needle) or 1))


def _header_sequence(line: str) -> list[str] | None:
    """The roles a results header names, in order (``["measure:HR", "se", "ci", "p", ...]``), when it names
    one measure and a CI; None otherwise."""
    if len(line) > _MAX_HEADER or not _CI_WORD.search(line):
        return None  # a results header names a CI column
    lowered = line.casefold()
    found: list[tuple[int, int, str]] = []
    needles, wordings = _header_needles()
    for needle, short, role in needles:
        for first in _places(needle, line if short else lowered):
            after = first + len(needle)
            # a cell may be glued to the next ("Incidence RatecHazard RatioSE95% CIP"): a boundary is a non-letter
            # or a capital starting the next cell
            if first > 0 and line[first - 1].isalpha():
                camel = line[first].isupper() and (line[first - 1].islower() or not short)
                if not camel and not (short and needle in {"SE", "P"} and line[first - 1].isupper()):
                    continue
            glued_after = after < len(line) and line[after].isalpha() and not line[after].isupper()
            if glued_after and line[after:].strip().casefold() not in wordings:
                continue  # (but "CIPn" at the end of a header: P, then the n column)
            if re.search(r"[a-z][A-Z]", line[first:after]):
                continue  # "Hazard RatioS(E)": the match runs into the next cell
            if any(first < end and start < after for start, end, _ in found):
                continue
            found.append((first, after, role))
    found.sort()
    roles = [role for _, _, role in found]
    measures = {role for role in roles if role.startswith("measure:")}
    if len(measures) != 1 or "ci" not in roles:
        return None
    return roles


def _decimals(text: str) -> int:
    parts = re.split(r"[.·]", text)
    return len(parts[1]) if len(parts) > 1 else 0


def _number(text: str) -> float:
    return float(text.replace("·", ".").replace("−", "-"))


def _glued_readings(token: str, count: int, decimals: int) -> list[list[str]]:
    """Ways to read the end of ``token`` as ``count`` numbers of ``decimals`` decimals run together
    (``"56.52.300.14"`` -> ``["2.30", "0.14"]``, ``["52.30", "0.14"]``), the last number last."""
    if count == 0:
        return [[]]
    readings: list[list[str]] = []
    if decimals == 0:
        return readings
    for width in (1, 2, 3):
        match = re.search(rf"(-?\d{{{width}}}[.·]\d{{{decimals}}})$", token)
        if not match:
            continue
        number = match.group(1)
        digits = number.lstrip("-")
        if len(digits.split(".")[0].split("·")[0]) > 1 and digits[0] == "0":
            continue
        rest = token[: match.start()]
        for before in _glued_readings(rest, count - 1, decimals):
            readings.append([*before, number])
    return readings


def _value_before(text: str, skip: int, low: float, high: float, decimals: int) -> tuple[str, int] | None:
    """The estimate printed before an interval (past ``skip`` SE cells): ``(number, offset in text)``."""
    stripped = text.rstrip(" \t([")
    tokens = list(re.finditer(r"[-−]?[\d.·]+", stripped))
    if not tokens:
        return None
    last = tokens[-1]
    if last.end() == len(stripped) and last.group().count(".") + last.group().count("·") <= 1 and skip == 0:
        number = last.group()
        if re.fullmatch(_NUMBER, number) and low <= _number(number) <= high:
            return number, last.start()
        return None
    if skip and len(tokens) > skip and all(t.group().count(".") + t.group().count("·") <= 1 for t in tokens[-skip - 1 :]):
        number = tokens[-skip - 1].group()
        if tokens[-1].end() == len(stripped) and re.fullmatch(_NUMBER, number) and low <= _number(number) <= high:
            return number, tokens[-skip - 1].start()
    # cells run together: read the run's end as estimate (+ SE) of the interval's precision
    if last.end() != len(stripped):
        return None
    for reading in _glued_readings(last.group(), skip + 1, decimals):
        if low <= _number(reading[0]) <= high:
            offset = last.start() + len(last.group()) - len("".join(reading))
            return reading[0], offset
    return None


def _glued_low(text: str, high: float) -> str | None:
    """The lower bound at the end of a run of cells: its shortest integer part that stays below the upper."""
    match = re.fullmatch(r"-?(\d+)([.·]\d+)?", text)
    if not match:
        return None
    digits, fraction = match.group(1), match.group(2) or ""
    for width in range(1, len(digits) + 1):
        candidate = digits[-width:] + fraction
        if (width == 1 or candidate[0] != "0") and _number(candidate) <= high:
            return candidate
    return None


def _p_after(text: str) -> tuple[float, str | None, int] | None:
    """The p-value printed right after an interval: ``(p, operator, length read)``."""
    match = _P_AFTER.match(text)
    if not match:
        return None
    raw = match.group("p").replace("·", ".")
    operator = match.group("op")
    following = text[match.end() : match.end() + 1]
    glued = following[:1].isdigit() or (following and following not in " \t\n;,)")
    if glued and operator not in {"<", "≤"}:
        return None
    if operator in {"<", "≤"}:
        # a threshold ("<.001"), perhaps run together with the next cell, is the usual one it starts with
        body = raw.lstrip("0")
        threshold = next((t for t in _THRESHOLDS if body.startswith(t)), None)
        if threshold is None:
            return None if glued else (float(raw), operator, match.end())
        leading = len(match.group("p")) - len(body)  # a "0" before the point
        return float(threshold), operator, match.start("p") + leading + len(threshold)
    return float(raw), operator, match.end()


def table_estimates(text: str, start: int, end: int) -> list[TableEstimate]:
    """Every estimate in the cells of results tables whose rows lie in ``text[start:end]`` (the header may
    lie above ``start``)."""
    estimates: list[TableEstimate] = []
    window = text.rfind("\n\n", max(0, start - 4000), start)
    position = window + 2 if window >= 0 else max(0, start - 4000)
    roles: list[str] | None = None
    outcome: str | None = None
    for raw in text[position:end].split("\n"):
        line_start, position = position, position + len(raw) + 1
        if not raw.strip():
            roles = None
            continue
        header = _header_sequence(raw)
        if header is not None:
            roles = header
            caption = caption_before(text, line_start)
            outcome = caption_outcome(caption.text if caption else None)
            continue
        if roles is None or len(raw) > _MAX_HEADER or line_start + len(raw) <= start:
            continue
        estimates.extend(_row_estimates(raw, line_start, roles, outcome))
    taken = [(estimate.start, estimate.end) for estimate in estimates]
    for estimate in [*column_estimates(text, start, end), *trailing_estimates(text, start, end),
                     *labelled_estimates(text, start, end)]:
        if not any(estimate.start < stop and begin < estimate.end for begin, stop in taken):
            estimates.append(estimate)
    return [estimate for estimate in estimates if start <= estimate.start < end]


_BARE_CELL = re.compile(r"[-−]?\d*[.·]\d+")


def column_estimates(text: str, start: int, end: int) -> list[TableEstimate]:
    """Bare numbers in the cells of a column whose header names a measure ("Pre-post ES", "Hedges' g") in a
    table of studies with marked cells (pipe, tab, aligned or split run-together), each tied to its row's
    outcome cell. (A results table's rows are covariates and exposures: their bare coefficients are not read.)
    A header that names a CI column is left to ``table_estimates``, which reads the interval with its value."""
    found: list[TableEstimate] = []
    for table in document_tables(text):
        if table.end <= start or table.start >= end or not table.columns_known or not is_study_table(table):
            continue
        if table.column("ci") is not None:
            continue
        measures = [(index, role.split(":", 1)[1]) for index, roles in enumerate(table.roles)
                    for role in sorted(roles) if role.startswith("measure:")]
        if not measures:
            continue
        for row in table.rows:
            if row.end <= start or row.start >= end:
                continue
            outcome = table.cell(row, "outcome")
            for index, measure in measures:
                if index >= len(row.cells) or not _BARE_CELL.fullmatch(row.cells[index].text):
                    continue
                cell = row.cells[index]
                label = row.label.text if row.label else None
                found.append(TableEstimate(measure, _number(cell.text), None, None, None, cell.start, cell.end, label,
                                           outcome.text if outcome else None))
    return found


_LABELLED = re.compile(
    r"(?<![\w.=<>])(?P<label>[A-Za-z][A-Za-z\-]{0,15})\s?=\s?(?P<value>[-−]?\d+(?:[.·]\d+)?)(?![\d.·%])"
)
_NOT_ESTIMATES = frozenset({"p", "n", "m", "sd", "se", "df", "t", "f", "r", "k", "i", "q", "z", "age", "mean", "median",
                            "range", "iqr", "min", "max", "year", "total", "x", "y"})


def labelled_estimates(text: str, start: int, end: int) -> list[TableEstimate]:
    """Values a row prints with a label ("Diff = -3.9 ... HomVEE = -0.12") under a header written with single
    spaces whose measure columns they fill, in order ("Mean Difference or Odds Ratio ... Effect Size"): each
    takes its column's first named measure, or the measure its label names, and the row's first-cell outcome
    where ``first_cell_outcomes`` finds it. Rows are the lines from the header to the next blank line."""
    found: list[TableEstimate] = []
    headers = spaced_headers_in(text, max(0, start - 6000), end)
    outcomes = dict((at, cell.text) for at, cell in first_cell_outcomes(text, max(0, start - 6000), len(text)))
    for index, (rows_start, (cells, _roles)) in enumerate(headers):
        measures = [measure for measure in (first_measure(cell.text) for cell in cells) if measure]
        if not measures:
            continue
        stop = text.find("\n\n", rows_start)
        stop = len(text) if stop < 0 else stop
        if index + 1 < len(headers):
            stop = min(stop, text.rfind("\n", 0, max(rows_start, headers[index + 1][0] - 1)) + 1 or stop)
        position = rows_start
        for line in text[rows_start:stop].split("\n"):
            line_start, position = position, position + len(line) + 1
            if line_start + len(line) <= start or line_start >= end:
                continue
            labelled = [match for match in _LABELLED.finditer(line)
                        if match.group("label").casefold() not in _NOT_ESTIMATES]
            for column, match in zip(measures, labelled, strict=False):
                named = first_measure(match.group("label"))
                found.append(TableEstimate(named or column, _number(match.group("value")), None, None, None,
                                           line_start + match.start(), line_start + match.end(), None,
                                           outcomes.get(line_start)))
    return found


_MEAN_SD = re.compile(r"[-−]?\d+(?:[.·]\d+)?\s*\(\s*\d+(?:[.·]\d+)?\s*\)")
_BARE_ESTIMATE = re.compile(r"(?<![\w.·(\-−])[-−]?\d*[.·]\d+(?![\w.·]|\s*\()")
_MAX_TRAILING = 5.0  # an effect size in a trailing column is a standardised one


def trailing_estimates(text: str, start: int, end: int) -> list[TableEstimate]:
    """Effect sizes in the last columns of a row under a header written with single spaces whose last cells
    name a measure and whose earlier cells are means with SDs ("Pre M (SD) Post M (SD) Pre-post ES (Δ)"): the
    bare numbers the row prints after its last "M (SD)" pair, each tied to the row's instrument when the
    header has an instrument column. The row's cells are not marked, so only this layout is read."""
    header = spaced_header_above(text, start, reach=6000)
    if header is None:
        return []
    cells, roles = header
    measures = [next(iter(role for role in found if role.startswith("measure:")), None) for found in roles]
    trailing = []
    for measure in reversed(measures):
        if measure is None:
            break
        trailing.append(measure.split(":", 1)[1])
    if not trailing or not any(re.search(r"\bm(?:ean)?\s*\(sd\)", cell.text, re.I) for cell in cells):
        return []
    pairs = list(_MEAN_SD.finditer(text, start, end))
    if not pairs:
        return []
    row = spaced_row(header, text, start, end, start)
    outcome = row["outcome"].text if "outcome" in row else None
    measure = trailing[-1]  # the first of the trailing columns
    found = []
    for match in _BARE_ESTIMATE.finditer(text, pairs[-1].end(), end):
        value = _number(match.group())
        if abs(value) > _MAX_TRAILING:
            continue
        found.append(TableEstimate(measure, value, None, None, None, match.start(), match.end(), None, outcome))
    return found


def _row_estimates(row: str, offset: int, roles: list[str], outcome: str | None = None) -> list[TableEstimate]:
    measure = next(role for role in roles if role.startswith("measure:")).split(":", 1)[1]
    at = roles.index(f"measure:{measure}")
    after = roles[at + 1 :]
    skip = after.index("ci") if "ci" in after else 0
    skip = sum(1 for role in after[:skip] if role == "se")
    p_follows = "ci" in after and after.index("ci") + 1 < len(after) and after[after.index("ci") + 1] == "p"
    label_match = re.match(r"\s*([^\d\n]*[A-Za-z)])", row)
    label = label_match.group(1).strip() if label_match else None
    found: list[TableEstimate] = []
    previous = 0
    for interval in _INTERVAL.finditer(row):
        if interval.start() < previous:
            continue
        low_text, high = interval.group("low"), _number(interval.group("high"))
        low_start = interval.start("low")
        if low_start > 0 and row[low_start - 1] in "0123456789.·" or _number(low_text) > high:
            # cells run together ("...0.142.05–2.59"): the lower bound is the shortest reading below the upper
            shorter = _glued_low(low_text, high)
            if shorter is None:
                continue
            low_start += len(low_text) - len(shorter)
            low_text = shorter
        low = _number(low_text)
        decimals = max(_decimals(low_text), _decimals(interval.group("high")))
        begin = low_start - 1 if interval.group("open") else low_start
        read = _value_before(row[previous:begin], skip, low, high, decimals)
        if read is None:
            continue
        number, at_offset = read
        p = p_operator = None
        stop = interval.end()
        if p_follows:
            after_p = _p_after(row[interval.end() :])
            if after_p is not None:
                p, p_operator, length = after_p
                stop = interval.end() + length
                if p_operator in {">", "≥"}:
                    p = None
        start = offset + previous + at_offset
        found.append(TableEstimate(measure, _number(number), (low, high), p, p_operator, start, offset + stop, label,
                                   outcome))
        previous = stop
    return found
