"""Study units: one per study a document reports on.

A document that summarises several studies is split where each study begins:

- a citation that opens a line: "Fukkink (2008) included 29 studies ...", a row that opens with
  "Coates et al. (2017)", "Barrett, Sonderegger and Xenos (2003)" or "Bagner, D 2007" (a reference
  mark glued to the year is dropped), or a reference entry followed by what the page says of it
  ("Eckenrode, J., Campa, M., ... (2010). Title ..." then its results: "Eckenrode et al. (2010)");
- a name like "Study A:" opening a line, or a table row that links to its source;
- a row of a table of studies in any layout (``tables``: pipe, tab, aligned or run-together cells),
  labelled by its study cell, with the design its design cell or the caption gives and the n of its
  n column;
- a programme summarised in its own paragraph on an evidence page ("Family Connects (a home visiting
  programme): Randomized controlled trials show ...");
- "Study 1 ... Study 2" (or "Experiment 1", "the first study ... the second study") in one abstract.

When two or more distinct studies are found, each starts a unit that runs to the next one; otherwise
the document is one study (a review that pools several outcomes stays one study with several effects).
A full article reports its own study: a table of studies deep in its body, pages after its own abstract
(a review's included studies, a trial's earlier work), describes that study and does not split it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from ...textlayer import section_role
from ...types import Document, ExtractedValue
from . import tables

# "Fukkink (2008)", "Nievar et al. (2010)", "Mortensen and MasterGeorge (2014)", "Smith & Jones, 2019",
# "Barrett, Sonderegger and Xenos (2003)", "Lowry–Webster et al. (2001)"
_NAME = r"[A-Z][A-Za-z'’\-–]+(?:\s(?:van|von|de|der|den|da|di|le|la)\s[A-Z][A-Za-z'’\-–]+)?"
_CITATION_START = re.compile(
    rf"^[ \t•*\-]*(?P<label>{_NAME}(?:(?:,\s{_NAME})*(?:,?\s(?:and|&)\s{_NAME})|(?:\set\sal\.?))?,?\s\(?(?:19|20)\d\d[a-z]?\)?)"
    r"(?=[\s.,:;]|$)",
    re.M,
)
# "Bagner, D 200728GoodN = 30": a table row opening with surname, initials and year, a reference mark glued on
_INITIALS_YEAR_START = re.compile(
    rf"^[ \t•*\-]*(?P<label>{_NAME},\s[A-Z]{{1,3}}\.?\s(?:19|20)\d\d)(?=\d{{0,3}}(?:[^\d]|$))", re.M
)
# "Eckenrode, J., Campa, M., ... & Olds, D. (2010). Title ...": a reference entry opening a line
_REFERENCE_ENTRY = re.compile(
    rf"^[ \t•*\-]*(?P<first>{_NAME}),\s[A-Z][^\n]{{0,600}}?\((?P<year>(?:19|20)\d\d)[a-z]?\)", re.M
)
# "Study A: walking groups ...", "Trial 2 - ..." opening a line (slides, evidence tables).
_NAMED_START = re.compile(
    r"^[ \t•*\-]*(?P<label>(?:Study|Trial|Review|Evaluation|Cohort)\s(?:[A-Z]|\d{1,2}))\s*[:.–—-]\s*\S", re.M
)
# A row of an evidence table that links to its source: "CBT  https://...", "Family Nurse Partnership | https://...",
# or, in text flattened from a web table, the label glued to the link ("CBThttps://..."). Identifier and
# contact lines ("DOI: https://...", "ClinicalTrials.gov https://...") are not studies.
_LINKED_ROW = re.compile(
    r"^[ \t•*\-]*(?P<label>[A-Z][A-Za-z0-9'’\-]*(?:[ ][A-Za-z0-9'’\-]+){0,4})(?:[ \t]*[|\t:][ \t]*|[ \t]*)"
    r"(?=https?://)",
    re.M,
)
_NOT_STUDY_LABELS = frozenset(
    ["doi", "pmid", "pmcid", "url", "link", "links", "website", "web", "available", "email", "e-mail", "data", "code", "source", "registration", "registry", "isrctn", "prospero", "protocol", "funding", "contact", "online", "see", "at", "from", "here"]
)
_NOT_NAMES = frozenset(
    {"in", "the", "by", "from", "since", "during", "until", "before", "after", "of", "on", "at", "to", "for", "between", "as", "a", "an", "this", "that", "these", "those", "throughout"}
)
_MONTHS = frozenset(
    {"january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
     "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"}
)
_FLOAT_WORDS = frozenset({"table", "figure", "fig", "box", "panel", "appendix", "supplementary", "chart"})
# Characters of body between an article's own abstract and a table of studies beyond which the table
# belongs to the article (a review's included studies) rather than the page being a list of studies;
# a page that lists studies starts them right after its lead paragraph.
_BODY_BEFORE_OWN_TABLE = 2000
_OWN_ABSTRACT_MIN = 400
_REFERENCES = re.compile(r"^[ \t]*(?:references|bibliography|literature cited|works cited)[ \t]*:?[ \t]*$", re.I | re.M)


@dataclass(frozen=True)
class UnitRange:
    """Where one study unit's text lies, the citation that names it, and what its table says of it.

    ``given`` holds values a table gives the unit that its own text need not state: ``(field, value, start,
    end)``, e.g. the design the caption "RCTs of ..." gives every row, or the n of the row's n column.
    """

    label: str | None
    start: int
    end: int
    given: tuple[tuple[str, Any, int, int], ...] = ()


_LINE_BREAK = re.compile(r"\n")


def _at_line_starts(pattern: re.Pattern[str], text: str, limit: int) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text, 0, limit)`` for a pattern whose every match begins at a line start (``^`` under
    ``re.M``) and is not empty: the same matches, tried at the line starts only."""
    after = 0
    for start in [0, *(found.end() for found in _LINE_BREAK.finditer(text, 0, limit))]:
        if start >= after and (match := pattern.match(text, start, limit)):
            yield match
            after = match.end()


def study_units(document: Document) -> list[UnitRange]:
    """The study units of a document, in document order (one unnamed unit if it reports one study)."""
    text = document.text
    limit = len(text)
    references = _REFERENCES.search(text)
    if references:
        limit = references.start()
    for finder in (_table_units, _citation_units, _programme_units, _numbered_study_units):
        units = finder(text, limit)
        if len(units) >= 2 and not _in_own_article(document, units):
            return units
    return [UnitRange(None, 0, len(text))]


def _in_own_article(document: Document, units: list[UnitRange]) -> bool:
    """Whether the units lie in the body of an article with its own abstract, well past that abstract."""
    abstract = document.abstract_span
    if not abstract or abstract[1] - abstract[0] < _OWN_ABSTRACT_MIN:
        return False
    return units[0].start - abstract[1] > _BODY_BEFORE_OWN_TABLE


def _citation_units(text: str, limit: int) -> list[UnitRange]:
    """Units that open with a citation, a "Study A:" name or a linked row, each running to the next."""
    starts: list[tuple[int, str]] = []
    seen: set[str] = set()
    for pattern in (_CITATION_START, _INITIALS_YEAR_START, _NAMED_START, _LINKED_ROW):
        if pattern is _LINKED_ROW and "http" not in text:
            continue  # a linked row is followed by its link
        for match in _at_line_starts(pattern, text, limit):
            label = _normalise_label(match.group("label"))
            if pattern is _LINKED_ROW and not _is_row_label(label):
                continue
            if label.split()[0].casefold() in _NOT_NAMES | _MONTHS | _FLOAT_WORDS:
                continue  # "In 2007, ...", "The 2010 survey", "September 2007": a date, not a citation
            if any(start <= match.start("label") < start + len(known) for start, known in starts):
                continue  # the same place read by a second pattern
            if label in seen:
                continue  # a study mentioned again belongs to the unit already open
            seen.add(label)
            starts.append((match.start("label"), label))
    for start, label in _reference_entries(text, limit):
        if label not in seen and not any(known <= start < known + len(name) for known, name in starts):
            seen.add(label)
            starts.append((start, label))
    starts.sort()
    if len(starts) < 2:
        return []
    units = _runs(text, starts, limit)
    caption = _caption_above(text, units[0].start)
    header = tables.spaced_header_above(text, units[0].start)
    if caption is None and header is None and not tables.spaced_headers_in(text, units[0].start, limit):
        return units
    # rows of a table: the caption's design ("Table 3. RCTs of ...") and the row's own "N = 30" are given, and
    # the n and instrument a header written with single spaces names columns for
    design = tables.caption_design(caption[0]) if caption else None
    counted = tables.counted_noun(text, caption[1] if caption else max(0, units[0].start - 1500), units[0].start)
    units, headings = _group_headings(text, units, caption[2] if caption else max(0, units[0].start - 300))
    given_units = []
    for unit, heading in zip(units, headings, strict=True):
        given: list[tuple[str, Any, int, int]] = []
        count = _ROW_N.search(text, unit.start, min(unit.end, unit.start + 200))
        cells = tables.spaced_row(header, text, unit.start, unit.end, unit.start + len(unit.label or "")) if header else {}
        row_design = tables.cell_design(cells["design"].text) if "design" in cells else None
        if row_design:
            given.append(("design", row_design, cells["design"].start, cells["design"].end))
        elif heading is not None and heading[0]:
            given.append(("design", heading[0], heading[1], heading[2]))
        elif design and caption:
            given.append(("design", design, caption[1], caption[2]))
        if count:
            n = int(count.group("n").replace(",", ""))
            given.append(("sample_size", {"n": n, "unit": counted}, count.start(), count.end()))
        elif "n" in cells:
            size = cells["n"]
            given.append(("sample_size", {"n": int(size.text.replace(",", "")), "unit": counted}, size.start,
                          size.end))
        if "outcome" in cells:
            given.append(("outcome", cells["outcome"].text, cells["outcome"].start, cells["outcome"].end))
        first_cells = [cell for _, cell in tables.first_cell_outcomes(text, unit.start, unit.end)]
        for outcome in [*tables.p_value_outcomes(text, unit.start, unit.end), *first_cells]:
            if outcome.text not in {entry[1] for entry in given if entry[0] == "outcome"}:
                given.append(("outcome", outcome.text, outcome.start, outcome.end))
        given_units.append(UnitRange(unit.label, unit.start, unit.end, tuple(given)))
    return given_units


def _group_headings(text: str, units: list[UnitRange], floor: int
                    ) -> tuple[list[UnitRange], list[tuple[str | None, int, int] | None]]:
    """Rows of a table with headings over groups of them: a line of its own between two rows (or between the
    caption and the first row) that names a kind of study in the plural ("Cluster randomised trials",
    "Observational studies"). Each unit with the heading above it, (design or None, start, end), until the next
    heading; a unit whose text ran on over the next group's heading stops before it (its cue is not the row's)."""
    kept = list(units)
    headings: list[tuple[str | None, int, int] | None] = []
    current: tuple[str | None, int, int] | None = None
    for index, unit in enumerate(units):
        before = kept[index - 1] if index else None
        start = text.find("\n", before.start) + 1 if before else floor
        found = None
        if 0 < start <= unit.start:
            position = start
            for line in text[start : unit.start].split("\n"):
                body = line.strip()
                read = tables.group_heading_design(body) if body else None
                if read is not None:
                    offset = position + line.index(body)
                    found = (offset, offset + len(body), read[0])
                position += len(line) + 1
        if found is not None:
            current = (found[2], found[0], found[1])
            if before is not None and before.end > found[0]:
                kept[index - 1] = UnitRange(before.label, before.start, len(text[: found[0]].rstrip()), before.given)
        headings.append(current)
    return kept, headings


# "N = 30" in a table row, perhaps glued to the cell before it ("GoodN = 30")
_ROW_N = re.compile(r"(?:(?<![A-Za-z])|(?<=[a-z]))N\s*=\s*(?P<n>\d{1,3}(?:,\d{3})+|\d+)\b")


def _runs(text: str, starts: list[tuple[int, str]], limit: int) -> list[UnitRange]:
    """Each start's unit runs to the next start; the last stops where the document moves on."""
    units = []
    for index, (start, label) in enumerate(starts):
        end = starts[index + 1][0] if index + 1 < len(starts) else limit
        units.append(UnitRange(label, start, len(text[:end].rstrip())))
    # The last unit has no next citation to end it: stop it where the document moves on,
    # at the first paragraph break past twice the usual unit length.
    lengths = sorted(u.end - u.start for u in units[:-1])
    cap = max(1500, 2 * lengths[len(lengths) // 2])
    last = units[-1]
    if last.end - last.start > cap:
        cut = text.find("\n\n", last.start + cap, last.end)
        if cut > 0:
            units[-1] = UnitRange(last.label, last.start, cut)
    return units


def _reference_entries(text: str, limit: int) -> list[tuple[int, str]]:
    """Reference entries that head what a page says of them (a results table, a summary), as "Surname et al.
    (year)". Entries that follow one another line after line are a reference list, not studies."""
    entries = list(_at_line_starts(_REFERENCE_ENTRY, text, limit))
    found = []
    for index, match in enumerate(entries):
        line_end = text.find("\n", match.end())
        line_end = limit if line_end < 0 else line_end
        following = text[line_end:limit].lstrip("\n")
        next_start = entries[index + 1].start() if index + 1 < len(entries) else limit
        body = text[line_end:next_start].strip()
        if not body or len(body.splitlines()) < 2 or _REFERENCE_ENTRY.match(following):
            continue
        head = text[match.start("first") : match.start("year")]
        authors = len(re.findall(rf"{_NAME},\s[A-Z]", head))
        first = match.group("first")
        label = f"{first} et al. ({match.group('year')})" if authors > 2 else f"{first} ({match.group('year')})"
        if authors == 2:
            second = re.findall(rf"({_NAME}),\s[A-Z]", head)[1]
            label = f"{first} and {second} ({match.group('year')})"
        found.append((match.start("first"), label))
    return found if len(found) >= 2 else []


def _caption_above(text: str, start: int) -> tuple[str, int, int] | None:
    """The caption of the table whose rows begin at ``start``: a "Table N ..." line a few lines above."""
    window_start = max(0, start - 1500)
    lines = text[window_start:start].split("\n")[-10:]
    position = start
    for line in reversed(lines):
        position -= len(line) + 1
        if re.match(r"^\s*(?:table|tabla|tabelle|tableau|tabela)\b", line, re.I):
            begin = max(0, position + 1)
            return line, begin, begin + len(line)
    return None


def _table_units(text: str, limit: int) -> list[UnitRange]:
    """One unit per row of a table of studies, labelled by its study cell."""
    units = []
    seen: set[str] = set()
    for table, row, label in tables.study_rows(text, 0, limit):
        name = _normalise_label(label.text)
        if name in seen:
            continue
        seen.add(name)
        given: list[tuple[str, Any, int, int]] = []
        design = tables.row_design(table, row)
        if design:
            given.append(("design", design[0], design[1].start, design[1].end))
        size = tables.row_sample_size(table, row)
        if size:
            given.append(("sample_size", {"n": size[0], "unit": "participants"}, size[1].start, size[1].end))
        for outcome in [*tables.row_outcomes(table, row), *tables.p_value_outcomes(text, row.start, row.end)]:
            given.append(("outcome", outcome.text, outcome.start, outcome.end))
        units.append(UnitRange(name, row.start, row.end, tuple(given)))
    return units


# "Top Tier Family Connects (a home visiting programme): Randomized controlled trials show ...": a programme
# summarised in its own paragraph; the last one may be cut before its colon.
_PROGRAMME = re.compile(
    r"(?:^|\n[ \t]*\n)[ \t•*\-]*(?P<label>[A-Z][^\n():.;]{2,120}?)[ \t]*(?P<gloss>\([^()\n]{0,400}\))?[ \t]*:[ \t]+\S"
)
_CUT_PROGRAMME = re.compile(r"\n[ \t]*\n[ \t•*\-]*(?P<label>[A-Z][^\n():.;]{2,120}?)[ \t]*\([^()\n]{0,400}$")


def _programme_openings(text: str, limit: int) -> Iterator[re.Match[str]]:
    """``_PROGRAMME.finditer(text, 0, limit)``, the same matches, tried only where one can begin (the text's start
    and its line breaks) instead of at every position."""
    after = 0
    for start in [0, *(found.start() for found in _LINE_BREAK.finditer(text, 0, limit))]:
        if start >= after and (match := _PROGRAMME.match(text, start, limit)):
            yield match
            after = match.end()


def _programme_units(text: str, limit: int) -> list[UnitRange]:
    """Programmes summarised one paragraph each: three or more paragraphs that open "Name (gloss): ..."."""
    starts: list[tuple[int, str]] = []
    for match in _programme_openings(text, limit):
        label = _normalise_label(match.group("label"))
        words = label.split()
        if len(words) < 2 or not tables.name_like(label) or section_role(label) is not None:
            continue
        if re.search(r"\d", label) or words[0].casefold() in _FLOAT_WORDS:
            continue  # "Table 1: ...", "Figure 2: ...": a caption, not a programme
        paragraph_end = text.find("\n\n", match.end())
        summary = text[match.end() - 1 : paragraph_end if paragraph_end > 0 else limit]
        if len(summary.split()) < 8:
            continue  # "Publication Type: Journal article": a metadata field, not a programme's summary
        if label not in {known for _, known in starts}:
            starts.append((match.start("label"), label))
    if len(starts) < 3:
        return []
    cut = _CUT_PROGRAMME.search(text, starts[-1][0], limit)
    if cut and len(cut.group("label").split()) >= 2 and tables.name_like(cut.group("label")):
        starts.append((cut.start("label"), _normalise_label(cut.group("label"))))
    return _runs(text, starts, limit)


# "Study 1", "Experiment 2", "Trial 1"; "the first study ... the second study"
# (each look-behind after a first letter stands for a leading \b: the scan then skips to an S, E or T)
_NUMBERED = re.compile(r"(?P<word>S(?<!\w.)tudy|E(?<!\w.)xperiment|T(?<!\w.)rial|E(?<!\w.)studio|S(?<!\w.)tudie|"
                       r"E(?<!\w.)xperimento)\s(?P<number>[1-9])\b")
_ORDINAL = re.compile(r"\b(?:the|a|our)\s(?P<ordinal>first|second|third)\s(?P<word>study|experiment)\b", re.I)
_ORDINALS = {"first": 1, "second": 2, "third": 3}
_NUMBERED_WORDS = ("Study", "Experiment", "Trial", "Estudio", "Studie")  # "Experimento" holds "Experiment"
_SENTENCE_START = re.compile(r"(?:[.!?]\s+|\n\s*)(?=\S)")


def _numbered_study_units(text: str, limit: int) -> list[UnitRange]:
    """"Study 1 ... Study 2" in one abstract: one unit per numbered study, from the sentence that first
    names it (the first from the start) to the next one's."""
    head = text[:limit]
    if "second" not in head.casefold() and not ("2" in head and any(word in head for word in _NUMBERED_WORDS)):
        return []  # no second study is named: the two scans below would find none
    mentions: dict[str, dict[int, int]] = {}
    for match in _NUMBERED.finditer(text, 0, limit):
        mentions.setdefault(match.group("word"), {}).setdefault(int(match.group("number")), match.start())
    for match in _ORDINAL.finditer(text, 0, limit):
        word = match.group("word").capitalize()
        mentions.setdefault(word, {}).setdefault(_ORDINALS[match.group("ordinal").casefold()], match.start())
    for word, numbers in mentions.items():
        if 1 not in numbers or 2 not in numbers:
            continue
        count = 1
        while count + 1 in numbers:
            count += 1
        starts = [(0, f"{word} 1")]
        for number in range(2, count + 1):
            at = max(numbers[number], starts[-1][0] + 1)
            sentence = _sentence_start(text, at)
            starts.append((max(sentence, starts[-1][0] + 1), f"{word} {number}"))
        return [
            UnitRange(label, start, starts[index + 1][0] if index + 1 < len(starts) else limit)
            for index, (start, label) in enumerate(starts)
        ]
    return []


def _sentence_start(text: str, position: int) -> int:
    """The start of the sentence holding ``position``."""
    floor = max(0, position - 600)
    starts = [match.end() for match in _SENTENCE_START.finditer(text, floor, position)]
    return starts[-1] if starts else floor


def given_values(unit: UnitRange, field: str, candidates: list[ExtractedValue], chosen: list[ExtractedValue],
                 headers: Sequence[tuple[int, int]] = ()) -> tuple[list[ExtractedValue], list[ExtractedValue]]:
    """A unit's candidates and chosen values with what its table gives it: the given design where its own
    text states none (the classifier's guess gives way), the given n where its text gives none, the given
    outcomes beside those its text gives. No outcome read from the text lies in a table header (``headers``)."""
    if field == "outcome" and headers:
        # a table's header cell names a column, never an outcome read from the text
        def in_header(value: ExtractedValue) -> bool:
            start, end = value.start or 0, value.end or 0
            return any(start < stop and begin < end for begin, stop in headers)

        candidates = [value for value in candidates if not in_header(value)]
        chosen = [value for value in chosen if not in_header(value)]
    given = [entry for entry in unit.given if entry[0] == field]
    if not given:
        return candidates, chosen
    values = [
        ExtractedValue(field, value, start, end, 0.8, "rule:units.table.v1", attributes={"from": "table"})
        for _, value, start, end in given
    ]
    if field == "outcome":
        # the outcomes the row's columns name join those its text names
        # ... and replace the text's reading of the same cell ("ECBI-Ip <0.01" read as "ECBI-Ip")
        chosen = [value for value in chosen
                  if not any((value.start or 0) < end and start < (value.end or 0) for _, _, start, end in given)]
        known = {str(value.value).casefold() for value in chosen}
        values = [value for value in values if str(value.value).casefold() not in known]
        return [*candidates, *values], [*chosen, *values]
    # a design the row's own design cell states is more specific than a cue elsewhere in the row
    own_cell = field == "design" and unit.start <= values[0].start < unit.end
    if chosen and not (field == "design" and (own_cell or all(value.source.startswith("model:") for value in chosen))):
        return candidates, chosen
    if chosen and chosen[0].value == values[0].value:
        return candidates, chosen
    return [*candidates, *values], values[:1]


def _is_row_label(label: str) -> bool:
    """A linked table row names a study or programme, not an identifier scheme or a contact line."""
    words = label.casefold().split()
    return bool(words) and words[0] not in _NOT_STUDY_LABELS and words[-1] not in _NOT_STUDY_LABELS


def _normalise_label(label: str) -> str:
    """The citation as the document writes it, with spacing tidied and brackets balanced."""
    label = re.sub(r"\s+", " ", label).strip().rstrip(",")
    if label.count("(") > label.count(")"):
        label += ")"
    return label
