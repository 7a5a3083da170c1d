"""Plain text, including text copied from PubMed, journal and database web pages.

The canonical text is the file's own text (line ends unified), so every span
points at what the user sees in the file. Title, abstract, journal line,
publication types and keywords are picked out by layout cues that such pages
share: web chrome lines first, a title-like line, a structured or headed
abstract, trailing PubMed blocks.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from ..types import Document, Metadata, Section, Span
from . import titles
from .base import (
    Limits,
    RecordFailure,
    document_from_spans,
    first_year,
    read_text_file,
    split_keywords,
    squash,
)
from .table import TABLE_SUFFIXES

FORMAT = "text"
_DATA = Path(__file__).resolve().parents[1] / "data" / "plain_text.json"
_HEADER_LINES = 60  # a title further down than this is not looked for


@cache
def _lexicon() -> dict:
    data = json.loads(_DATA.read_text(encoding="utf-8"))
    headings = sorted(data["abstract_headings"], key=len, reverse=True)
    heading_alt = "|".join(re.escape(h).replace("\\ ", r"\s+") for h in headings)
    openers = sorted(data["abstract_openers"], key=len, reverse=True)
    opener_alt = "|".join(re.escape(h).replace("\\ ", r"\s+") for h in openers)
    return {
        "boilerplate": re.compile("|".join(f"(?:{p})" for p in data["boilerplate_lines"]), re.I),
        "metadata": re.compile("|".join(f"(?:{p})" for p in data["metadata_line"]), re.I),
        # A heading alone on its line ("METHODS:", "Results") ...
        # (\s*+ and the lookbehind below: white space is never handed back, so a long run of it costs
        # linear time, not quadratic.)
        "heading_line": re.compile(rf"^(?:{heading_alt})\s*+[:.]?\s*$", re.I),
        # ... or starting a paragraph ("Background: text", "Abstract Childhood ...").
        "heading_inline": re.compile(rf"^(?P<h>{heading_alt})\s*(?::|\.(?=\s)|\s[-–—]\s)\s*\S", re.I),
        # BMJ style: "Objective To assess ..." (heading, space, capitalised sentence).
        "heading_bare": re.compile(rf"^(?P<h>(?i:{heading_alt}))\s+(?=[A-Z][a-z]+\s+[a-z]).{{60,}}$"),
        "opener_line": re.compile(rf"^(?:{opener_alt})\s*+[:.]?\s*$", re.I),
        "opener_inline": re.compile(
            rf"^(?:{opener_alt})\s*(?::|\.(?=\s)|\s[-–—]\s|(?<=\s)(?=[A-Z][a-z]+\s+[a-z].{{40,}}$))\s*\S", re.I
        ),
        "abstract_inline": re.compile(r"^abstract\b[\s:.]*(?=[A-Z])", re.I),
        "abstract_end": re.compile("|".join(f"(?:{p})" for p in data["abstract_end"]), re.I),
        "publication_types": {t.lower(): t for t in data["publication_types"]},
    }


_PRINTABLE = bytes(b for b in range(256) if 32 <= b < 127 or b in (9, 10, 13) or b >= 128)


def sniff(head: bytes, path: Path) -> float:
    """Any text that decodes is plain text, as the fallback of last resort."""
    if not head.strip():
        return 0.0
    if b"\x00" in head[:4096] and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return 0.0
    sample = head[:4096]
    printable = len(sample) - len(sample.translate(None, _PRINTABLE))  # counted in C, not byte by byte
    return 0.1 if printable / max(len(sample), 1) > 0.95 else 0.0


def read(path: Path, limits: Limits) -> Iterator[Document | RecordFailure]:
    """One document: the whole file, with title, abstract and metadata picked out."""
    text, cut = read_text_file(path, limits, limits.max_chars)
    warnings: list[str] = []
    if cut:
        warnings.append(f"text cut at {limits.max_chars} characters (the rest of the file was not read)")
    if path.suffix.lower() in TABLE_SUFFIXES:
        warnings.append(
            f"a {path.suffix} file read as plain text: its first line names no title or abstract column "
            "(name the columns 'title' and 'abstract' to read one record per row)"
        )
    yield parse_plain_text(text, path, warnings)


def parse_plain_text(text: str, path: Path | str, warnings: list[str] | None = None) -> Document:
    """Build a Document whose canonical text is ``text`` itself."""
    lines = _lines(text)
    abstract_start = _abstract_start(lines)
    title_span = _title_span(text, lines, abstract_start)
    abstract_span = _abstract_span(text, lines, abstract_start)
    metadata = _metadata(text, lines, abstract_start)
    return document_from_spans(
        fmt=FORMAT,
        path=path,
        text=text,
        title_span=title_span,
        abstract_span=abstract_span,
        sections=_sections(text, lines),
        metadata=metadata,
        warnings=list(warnings or []),
    )


Line = tuple[int, int, str]  # start, end (exclusive, before the newline), stripped text


def _lines(text: str) -> list[Line]:
    out: list[Line] = []
    offset = 0
    for raw in text.split("\n"):
        stripped = raw.strip()
        lead = len(raw) - len(raw.lstrip())
        out.append((offset + lead, offset + lead + len(stripped), stripped))
        offset += len(raw) + 1
    return out


def _is_heading(line: str) -> bool:
    return bool(_lexicon()["heading_line"].match(line))


@titles.line_cache
def _starts_abstract(line: str) -> bool:
    lex = _lexicon()
    return bool(lex["opener_line"].match(line) or lex["opener_inline"].match(line) or lex["abstract_inline"].match(line))


def _is_abstract_marker(line: str) -> bool:
    """A line that only announces the abstract: "Abstract", "ARTICLE INFO ABSTRACT"."""
    return bool(re.fullmatch(r"(?:[A-Z][A-Z ]{0,30}\s)?(?:abstract|ABSTRACT|Abstract|Summary|SUMMARY)[:.]?", line))


def _abstract_start(lines: list[Line]) -> int | None:
    """Index of the line where the abstract begins (its heading line, if any)."""
    for index, (_, _, line) in enumerate(lines):
        if _is_abstract_marker(line):
            return index
    for index, (_, _, line) in enumerate(lines[: _HEADER_LINES * 2]):
        if line and _starts_abstract(line):
            return index
    return None


@titles.line_cache
def _is_boilerplate(line: str) -> bool:
    lex = _lexicon()
    return bool(lex["boilerplate"].fullmatch(line) or lex["metadata"].match(line))


_AUTHORISH = re.compile(r"(\b[A-Z]\.\s?[A-Z]?\.?\s[A-Z][a-z]+|\bet al\b|\d,|[A-Za-z]\d\b|\d\s*,\s*\d|\*|@)")


_TITLE_CASE_WORD = re.compile(r"[A-Z][\w'’-]*")
_NAME_LINKS = {"of", "and", "&", "the", "for", "in"}


def _is_title_case_name(words: list[str]) -> bool:
    """Capitalised words with at most one linking word between two ("Journal of Medicine", "Johns Hopkins").

    Checked word by word: the equivalent regular expression, a repeated group
    of optional parts, backtracks exponentially on a long line that fails.
    """
    link_allowed = False  # the first word must be capitalised
    for word in words:
        if _TITLE_CASE_WORD.fullmatch(word):
            link_allowed = True
        elif word in _NAME_LINKS and link_allowed:
            link_allowed = False
        else:
            return False
    return bool(words)


@titles.line_cache
def _title_score(line: str) -> float:
    """How much a line looks like an article title (0 = not at all)."""
    words = line.split()
    if len(words) < 3 or len(line) > 400 or _is_boilerplate(line) or _starts_abstract(line):
        return 0.0
    if _lexicon()["publication_types"].get(line.lower().rstrip(".")):
        return 0.0
    sentences = re.findall(r"[a-z]{2}[.!?]\s+[A-Z]", line)
    if len(sentences) >= 1 and len(line) > 200:
        return 0.0  # a paragraph of running text
    score = 1.0
    if sum(map(str.isdigit, line)) > len(line) * 0.15:
        return 0.0
    if len(words) >= 6:
        score += 1.0
    if re.search(r"\b(of|and|for|in|with|to|a|the|on|among|versus|vs)\b", line):
        score += 0.5
    if ":" in line or "?" in line:
        score += 0.3
    if _AUTHORISH.search(line):
        score -= 1.2
    if re.search(r"https?://|www\.", line):
        score -= 1.5
    if line.isupper():
        score -= 0.6
    if len(words) <= 6 and _is_title_case_name(words):
        score -= 0.8  # Title Case of a few words: a journal or organisation name
    return max(score, 0.0)


def _title_span(text: str, lines: list[Line], abstract_start: int | None) -> Span | None:
    """The title: the best candidate span before the abstract by the learned scorer (``titles``), None when
    none reaches its floor; the line rule below when no trained scorer is installed."""
    model = titles.load_model()
    if model is None:
        return _rule_title_span(text, lines, abstract_start)
    page = titles.Page(text, lines, abstract_start, _starts_abstract, _is_boilerplate, _title_score)
    return titles.find_title(page, model)


def _rule_title_span(text: str, lines: list[Line], abstract_start: int | None) -> Span | None:
    """The title line (joined with a wrapped continuation), before the abstract, by the line rule alone."""
    stop = min(abstract_start if abstract_start is not None else _HEADER_LINES, _HEADER_LINES)
    seen: dict[str, int] = {}
    for _, _, line in lines[:stop]:
        seen[line] = seen.get(line, 0) + 1
    best_index, best_score = -1, 0.0
    candidates = 0
    previous = ""
    for index, (_, _, line) in enumerate(lines[:stop]):
        score = _title_score(line)
        if score:
            if seen.get(line, 0) > 1:
                score += 0.8  # web pages repeat the title (PubMed does)
            if re.fullmatch(r"table\s+\w+\.?", previous, re.I):
                score += 1.5  # a table copied on its own: its caption is the title
            score += 0.4 if candidates == 0 else 0.0
            candidates += 1
        if line:
            previous = line
        if score > best_score:
            best_index, best_score = index, score
    if best_index < 0 or best_score < 1.5:
        return None
    start, end, line = lines[best_index]
    if not re.search(r"[.?!:]$", line):
        end = _continue_title(lines, best_index, stop, end)
    return (start, end)


def _continue_title(lines: list[Line], index: int, stop: int, end: int) -> int:
    """Extend a title wrapped onto a following short line (PDF copies break titles)."""
    for _, next_end, following in lines[index + 1 : min(stop, index + 5)]:
        if not following:
            continue
        words = following.split()
        if (
            (len(words) <= 2 or (following[0].islower() and len(words) <= 8))
            and not re.search(r"\d", following)
            and not _is_boilerplate(following)
            and not _AUTHORISH.search(following)
            and not _starts_abstract(following)
            and "," not in following
        ):
            return next_end
        break
    return end


def _abstract_span(text: str, lines: list[Line], abstract_start: int | None) -> Span | None:
    """From the abstract's first line to the last line before an end marker."""
    lex = _lexicon()
    if abstract_start is None:
        return _first_paragraph(lines)
    first = abstract_start
    if _is_abstract_marker(lines[first][2]):
        first = _first_abstract_line(lines, first + 1)
        if first is None:
            return None
    start = lines[first][0]
    inline = lex["abstract_inline"].match(lines[first][2])
    if inline:
        start += inline.end()
    end = lines[first][1]
    for _, line_end, line in lines[first + 1 :]:
        if not line:
            continue
        if lex["abstract_end"].fullmatch(line) and not (_is_heading(line) and line.lower().startswith("background")):
            break
        end = line_end
    return (start, end) if end > start else None


def _first_abstract_line(lines: list[Line], index: int) -> int | None:
    """After an "Abstract" marker: the first heading or running text, past a keyword list."""
    for position in range(index, min(len(lines), index + 80)):
        line = lines[position][2]
        if not line or re.match(r"^key ?words?\s*:?\s*$", line, re.I):
            continue
        if _starts_abstract(line) or len(line) >= 80:
            return position
        if position == index or not lines[position - 1][2]:
            # a short line right after the marker: keep it only if text follows at once
            following = lines[position + 1][2] if position + 1 < len(lines) else ""
            if len(following) >= 80 and not re.search(r"key ?words", lines[index][2], re.I):
                return position
    return None


def _first_paragraph(lines: list[Line]) -> Span | None:
    """The first run of running text (a paragraph of 200+ characters)."""
    for start, end, line in lines[: _HEADER_LINES * 2]:
        if len(line) >= 200 and re.search(r"[a-z]{2}[.!?](?:\s|$)", line) and not _is_boilerplate(line):
            return (start, end)
    return None


_JOURNAL_LINE = re.compile(r"^(?P<journal>[A-Z][^.;:]{1,80}?)\.\s+(?P<year>(?:19|20)\d\d)\b[^;]*;")
_PUBMED_SHORT = re.compile(r"^(?P<author>[^.]{3,60}?) et al\.\s+(?P<journal>.+?)\.\s+(?P<year>(?:19|20)\d\d)\b")


def _metadata(text: str, lines: list[Line], abstract_start: int | None) -> Metadata:
    lex = _lexicon()
    metadata = Metadata()
    header = lines[: abstract_start if abstract_start is not None else _HEADER_LINES]
    publication_types: dict[str, None] = {}
    for _, _, line in header:
        match = _PUBMED_SHORT.match(line)
        if match and not metadata.journal:
            metadata.journal = match.group("journal").strip()
            metadata.year = int(match.group("year"))
            metadata.authors = [match.group("author").strip()]
        match = _JOURNAL_LINE.match(line)
        if match and not metadata.journal:
            metadata.journal = match.group("journal").strip()
            metadata.year = int(match.group("year"))
        known = lex["publication_types"].get(line.lower().strip(" •.\t"))
        if known:
            publication_types.setdefault(known, None)
    in_block = False
    for _, _, line in lines:
        lowered = line.lower()
        if lowered == "publication types":
            in_block = True
            continue
        if in_block:
            if not line:
                continue
            known = lex["publication_types"].get(line.strip(" •.\t").lower())
            if known or line.startswith("•"):
                publication_types.setdefault(known or line.strip(" •\t"), None)
                continue
            in_block = False
        keyword = re.match(r"^key ?words?\s*[:.]\s*(.+)$", line, re.I)
        if keyword and not metadata.keywords:
            metadata.keywords = split_keywords(keyword.group(1).rstrip("."))
    metadata.publication_types = list(publication_types)
    if metadata.year is None:
        for _, _, line in header:
            if _lexicon()["metadata"].match(line) or re.search(r"\bpublished\b", line, re.I):
                metadata.year = first_year(line)
                if metadata.year:
                    break
    return metadata


def _sections(text: str, lines: list[Line]) -> list[Section]:
    """Headed parts: a heading line or an inline ``Heading:`` starts a section."""
    lex = _lexicon()
    starts: list[tuple[int, str]] = []
    previous = ""
    for start, _, line in lines:
        if not line:
            previous = line
            continue
        after_break, previous = not previous, line
        if _is_heading(line) and after_break:
            starts.append((start, line.rstrip(":. ")))
            continue
        match = lex["heading_inline"].match(line) or lex["heading_bare"].match(line)
        if match:
            starts.append((start, match.group("h")))
    sections: list[Section] = []
    for position, (start, heading) in enumerate(starts):
        end = starts[position + 1][0] if position + 1 < len(starts) else len(text.rstrip())
        end = len(text[:end].rstrip())
        if end > start:
            sections.append(Section(heading=squash(heading), start=start, end=end))
    return sections
