"""BibTeX exports (Web of Science, Scopus, Cochrane Library, JabRef): one document per entry.

A small tolerant parser: junk lines between entries are skipped, values may be
``{...}`` (nested), ``"..."``, numbers or ``@string`` macros joined with ``#``,
and LaTeX accents and commands are turned into plain text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..errors import MalformedDocument
from ..types import Document, Metadata
from .base import (
    Limits,
    RecordFailure,
    citation_numbers,
    first_year,
    make_document,
    partial_failure,
    split_keywords,
    squash,
)
from .ris import head_lines, iter_lines, normalise_doi

FORMAT = "bibtex"

MAX_ENTRY_CHARS = 8 * 1024 * 1024  # an entry this long has lost its closing brace

_ENTRY_START = re.compile(r"(?:^|(?<=[\s})]))@\s*([A-Za-z][\w-]*)\s*[{(]")
_SKIPPED_TYPES = {"comment", "preamble"}

# fmt: off
# LaTeX accent commands -> the Unicode combining mark they put on a letter.
_ACCENTS = {
    '"': "\u0308", "'": "\u0301", "`": "\u0300", "^": "\u0302", "~": "\u0303", "=": "\u0304",
    ".": "\u0307", "u": "\u0306", "v": "\u030c", "H": "\u030b", "c": "\u0327", "k": "\u0328",
    "r": "\u030a", "d": "\u0323", "b": "\u0331",
}
_SYMBOL_ACCENT = re.compile(r"\\([\"'`^~=.])\s*(?:\{\s*(\\[ij]|[A-Za-z])\s*\}|(\\[ij]|[A-Za-z]))")
_LETTER_ACCENT = re.compile(r"\\([uvHckrdb])(?:\s*\{\s*(\\[ij]|[A-Za-z])\s*\}|\s+([A-Za-z]))")
_SYMBOLS = {
    "ss": "ß", "o": "ø", "O": "Ø", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ", "aa": "å", "AA": "Å",
    "l": "ł", "L": "Ł", "i": "ı", "j": "ȷ", "pm": "±", "times": "×", "le": "≤", "leq": "≤", "ge": "≥",
    "geq": "≥", "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "kappa": "κ", "lambda": "λ",
    "mu": "μ", "sigma": "σ", "chi": "χ", "textless": "<", "textgreater": ">", "textendash": "–",
    "textemdash": "—", "textdegree": "°", "degree": "°", "ldots": "…", "dots": "…", "textregistered": "®",
    "texttrademark": "™", "copyright": "©", "textquoteright": "’", "textquoteleft": "‘", "S": "§",
}
# fmt: on
# Escaped characters; braces and dollars go through placeholders so brace and math removal spare them.
_ESCAPES = {"&": "&", "%": "%", "$": "\x03", "#": "#", "_": "_", "{": "\x01", "}": "\x02", " ": " ", ",": " "}
_COMMAND = re.compile(r"\\([A-Za-z]+)\*?\s*")
_BARE_WORD = re.compile(r"[^,#}\s]*")
_AND = re.compile(r"(?<!\s)\s+and\s+")  # (?<!\s): tried from a run's first space only (linear)


def sniff(head: bytes, path: Path) -> float:
    """0.9 when an ``@type{`` entry starts a line near the top (junk lines before it allowed)."""
    try:
        lines = [line for line in head_lines(head, 200) if line.strip()]
        bonus = 0.05 if path.suffix.lower() in (".bib", ".bibtex") else 0.0
        for number, line in enumerate(lines):
            if _ENTRY_START.match(line.lstrip()):
                return (0.9 if number < 20 else 0.6) + bonus
        return 0.0
    except Exception:  # a sniffer never raises
        return 0.0


class Cut(str):
    """The text of an entry cut off (by the end of the file or by the next entry) before its closing brace."""


def iter_entries(lines: Iterable[str]) -> Iterator[str | None]:
    """Raw ``@type{...}`` entry texts; a ``Cut`` for an entry cut off by the next one or by the end of the file
    (what it holds so far), ``None`` for one that outgrew ``MAX_ENTRY_CHARS``."""
    parts: list[str] = []
    inside = False
    depth = size = 0
    closer = "}"
    for line in lines:
        if inside and _ENTRY_START.match(line):
            yield Cut("".join(parts))  # a new entry at column 0 while the last is open: that one lost a brace
            inside = False
        position = 0
        while position < len(line):
            segment = position
            if not inside:
                match = _ENTRY_START.search(line, position)
                if not match:
                    break
                segment = position = match.start()
                position = match.end() - 1
                closer = "}" if line[position] == "{" else ")"
                inside, parts, depth, size = True, [], 0, 0
            end, depth = _scan(line, position, depth, closer)
            if end < 0:
                parts.append(line[segment:])
                size += len(line) - segment
                if size > MAX_ENTRY_CHARS:
                    yield None
                    inside = False
                break
            parts.append(line[segment:end])
            inside = False
            yield "".join(parts)
            position = end
    if inside:
        yield Cut("".join(parts))


def _scan(line: str, position: int, depth: int, closer: str) -> tuple[int, int]:
    """Follow brace depth from ``position``; the index just past the entry's closer (or -1) and the depth."""
    while position < len(line):
        char = line[position]
        if char == "\\":
            position += 1
        elif char == "{" or (char == "(" and depth == 0):
            depth += 1
        elif char == "}" or (char == ")" and closer == ")" and depth == 1):
            depth -= 1
            if depth == 0:
                return position + 1, 0
        position += 1
    return -1, depth


def parse_entry(text: str, macros: dict[str, str], unclosed: list[str] | None = None
                ) -> tuple[str, str, dict[str, str]]:
    """Entry type, citation key and raw field values (names lower-case) of one ``@type{...}`` text; the names of
    fields whose value runs to the end of the text without its closing quote or brace go to ``unclosed``."""
    match = _ENTRY_START.match(text)
    if not match:
        raise MalformedDocument("not a BibTeX entry")
    entry_type = match.group(1).lower()
    body = text[match.end() : -1]
    key = ""
    first_comma, first_equals = body.find(","), body.find("=")
    if first_comma >= 0 and (first_equals < 0 or first_comma < first_equals):
        key, body = body[:first_comma].strip(), body[first_comma + 1 :]
    fields: dict[str, str] = {}
    position = 0
    while position < len(body):
        equals = body.find("=", position)
        if equals < 0:
            break
        name = squash(body[position:equals].strip(" \t\r\n,")).lower()
        value, position, closed = _read_value(body, equals + 1, macros)
        if name:
            fields.setdefault(name, value)
            if not closed and unclosed is not None:
                unclosed.append(name)
    return entry_type, key, fields


def _read_value(body: str, position: int, macros: dict[str, str]) -> tuple[str, int, bool]:
    """A field value (parts joined by ``#``) starting at ``position``; returns it, the index after it, and
    whether it ended before the text did (False: cut off inside a quote or brace, or at the end)."""
    parts: list[str] = []
    length = len(body)
    closed = False
    while position < length:
        while position < length and body[position].isspace():
            position += 1
        if position >= length:
            break
        char = body[position]
        if char == "{":
            end = _closing_brace(body, position)
            parts.append(body[position + 1 : end])
            closed = end < length
            position = end + 1
        elif char == '"':
            end = position + 1
            depth = 0
            while end < length and not (body[end] == '"' and depth == 0 and body[end - 1] != "\\"):
                depth += {"{": 1, "}": -1}.get(body[end], 0)
                end += 1
            parts.append(body[position + 1 : end])
            closed = end < length
            position = end + 1
        else:
            word = _BARE_WORD.match(body, position).group(0)  # type: ignore[union-attr]
            parts.append(macros.get(word.lower(), word))
            position += max(len(word), 1)
            closed = position < length
        while position < length and body[position].isspace():
            position += 1
        if position < length and body[position] == "#":
            position += 1
            continue
        break
    while position < length and body[position] != ",":
        position += 1
    return "".join(parts), position + 1, closed


def _closing_brace(body: str, start: int) -> int:
    depth = 0
    position = start
    while position < len(body):
        char = body[position]
        if char == "\\":
            position += 2
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return position
        position += 1
    return len(body)


def latex_to_text(value: str) -> str:
    """Plain text from a LaTeX field value: accents to letters, escapes kept, commands and braces dropped."""
    if not value:
        return ""
    text = value.replace("\\\\", " ")  # a LaTeX line break
    text = re.sub(r"\\([&%$#_{} ,])", lambda m: _ESCAPES[m.group(1)], text)
    text = _SYMBOL_ACCENT.sub(lambda m: _accent(m.group(1), m.group(2) or m.group(3)), text)
    text = _LETTER_ACCENT.sub(lambda m: _accent(m.group(1), m.group(2) or m.group(3)), text)
    text = _COMMAND.sub(lambda m: _SYMBOLS.get(m.group(1), ""), text)
    text = text.replace("---", "—").replace("--", "–").replace("~", " ").replace("$", "")
    text = text.replace("{", "").replace("}", "")
    text = text.replace("\x01", "{").replace("\x02", "}").replace("\x03", "$")
    return unicodedata.normalize("NFC", squash(text))


def _accent(command: str, letter: str) -> str:
    base = {"\\i": "i", "\\j": "j"}.get(letter, letter)
    return unicodedata.normalize("NFC", base + _ACCENTS[command])


def split_authors(value: str) -> list[str]:
    """Names from a BibTeX ``author`` field: split on ``and``; Cochrane-style 'Last, I, Last, I' lists paired."""
    names: list[str] = []
    for part in _split_top_level_and(value.strip()):
        part = part.strip().strip(",").strip()
        pieces = [piece.strip() for piece in part.split(",")]
        if len(pieces) >= 4 and len(pieces) % 2 == 0:
            names.extend(f"{pieces[i]}, {pieces[i + 1]}" for i in range(0, len(pieces), 2))
        elif part:
            names.append(part)
    return [name for name in map(latex_to_text, names) if name]


def _split_top_level_and(value: str) -> list[str]:
    """Split on ' and ' outside braces, so '{Barnes and Noble}' stays one name."""
    parts: list[str] = []
    depth = start = 0
    for match in _AND.finditer(value):
        depth = value.count("{", 0, match.start()) - value.count("}", 0, match.start())
        if depth == 0:
            parts.append(value[start : match.start()])
            start = match.end()
    parts.append(value[start:])
    return parts


def read(path: Path, limits: Limits) -> Iterator[Document | RecordFailure]:
    """One document per BibTeX entry; @comment/@preamble skipped, @string macros expanded."""
    macros: dict[str, str] = {}
    index = 0
    seen_entry = False
    for text in iter_entries(line + "\n" for line in iter_lines(path, limits)):
        seen_entry = True
        if isinstance(text, Cut):
            index += 1
            yield from _salvage(text, macros, path, index, limits)
            continue
        if text is None:
            index += 1
            yield _failure(index, "the entry's braces do not balance (it runs into the next entry)")
            continue
        entry_type, key, fields = parse_entry(text, macros)
        if entry_type in _SKIPPED_TYPES:
            continue
        if entry_type == "string":
            macros.update(fields)
            continue
        index += 1
        yield entry_to_document(entry_type, key, fields, path, index, limits)
    if not seen_entry:
        raise MalformedDocument("no BibTeX entries found (no line with '@type{')")


def _salvage(text: str, macros: dict[str, str], path: Path, index: int, limits: Limits
             ) -> Iterator[Document | RecordFailure]:
    """An entry cut off before its closing brace: a document of the fields it holds whole (a field cut in the
    middle is left out), with a warning, and a failure naming the cut; only the failure when no title or abstract
    is whole."""
    unclosed: list[str] = []
    try:
        entry_type, key, fields = parse_entry(text + "}", macros, unclosed)
    except MalformedDocument:
        entry_type, key, fields = "", "", {}
    for name in unclosed:
        fields.pop(name, None)
    lost = f" (the field {unclosed[0]} is cut in the middle and left out)" if unclosed else ""
    if entry_type in _SKIPPED_TYPES | {"string"} or not (latex_to_text(fields.get("title", ""))
                                                          or latex_to_text(fields.get("abstract", ""))):
        yield _failure(index, "the entry's braces do not balance (it runs into the next entry or the end of "
                              "the file)")
        return
    document = entry_to_document(entry_type, key, fields, path, index, limits)
    if isinstance(document, Document):
        document.warnings.append(f"BibTeX entry {index} is cut off before its end; its whole fields were read{lost}")
    yield document
    yield partial_failure(f"entry {index}",
                          f"BibTeX entry {index} is cut off before its closing brace; the fields before the cut were "
                          f"read{lost}",
                          "re-export the entry to get the fields after the cut")


def entry_to_document(
    entry_type: str, key: str, fields: dict[str, str], path: Path, index: int, limits: Limits
) -> Document | RecordFailure:
    """Map one parsed BibTeX entry onto a Document."""
    title = latex_to_text(fields.get("title", ""))
    abstract = latex_to_text(fields.get("abstract", ""))
    if not title and not abstract:
        return _failure(index, f"entry {key or index} has neither a title nor an abstract")
    return make_document(
        fmt=FORMAT,
        path=path,
        title=title or None,
        abstract=abstract or None,
        metadata=_metadata(entry_type, key, fields),
        record_index=index,
        limits=limits,
    )


def _metadata(entry_type: str, key: str, fields: dict[str, str]) -> Metadata:
    def plain(*names: str) -> str:
        return next(
            (latex_to_text(fields[name]) for name in names if latex_to_text(fields.get(name, ""))), ""
        )

    keywords: dict[str, None] = {}
    for name in ("keywords", "author_keywords", "author keywords"):
        for keyword in split_keywords(latex_to_text(fields.get(name, ""))):
            keywords.setdefault(keyword, None)
    doi = plain("doi")
    pmid = re.sub(r"\D", "", plain("pmid", "pubmed-id", "pubmed"))
    pmcid = plain("pmcid").upper()
    extra: dict[str, object] = {"bibtex_type": entry_type, **citation_numbers(plain("volume"), plain("number", "issue"),
                                                                                plain("pages"))}
    if key:
        extra["key"] = key
    if plain("note"):
        extra["note"] = plain("note")
    publication_type = plain("type", "document_type")
    return Metadata(
        authors=split_authors(fields.get("author", "")),
        year=first_year(plain("year", "date")),
        journal=plain("journal", "journaltitle", "booktitle") or None,
        doi=normalise_doi(doi) if doi else None,
        pmid=pmid or None,
        pmcid=pmcid if pmcid.startswith("PMC") else None,
        publication_types=[publication_type] if publication_type else [],
        keywords=list(keywords),
        url=plain("url") or None,
        language=plain("language") or None,
        extra=extra,
    )


def _failure(index: int, message: str) -> RecordFailure:
    return RecordFailure(
        record=f"entry {index}",
        kind="malformed",
        message=f"BibTeX entry {index}: {message}",
        hint="check the entry in the .bib file (a missing brace or an empty entry)",
    )
