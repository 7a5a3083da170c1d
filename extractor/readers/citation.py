"""Bibliographic metadata from the text itself: citation lines, author lines and PDF metadata.

Pasted PubMed and journal pages, PDF first pages and decks print where the paper appeared in a few set forms:

    Nat Med. 2025 May;31(5):1617-1625.              (PubMed, Vancouver)
    Child Abuse Negl. 2024 Mar:149:106694.
    Br J Psychiatry 2013; 203: 436-44
    BMC Health Services Research 2014, 14:1        (BioMed Central running head)
    International Psychogeriatrics (2014), 26:1, 147-154
    Citation: Smith A, Jones B (2018) Title. PLoS ONE 13(6): e0197919.
    Karen Crawford et al. Nat Med. 2025 May.       (PubMed's short citation: first author too)

``fill_metadata`` reads them from a document's header (its first page, or its first characters) and fills
the journal, year, volume, issue, pages and authors its reader left empty; the line after the title that lists
names gives the authors. ``pdf_metadata`` does the same from a PDF's information dictionary and XMP packet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..types import Document, Metadata
from .base import squash

HEAD_CHARS = 6000  # without pages: the part of a text that holds its header
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_MONTH = r"(?:\s+(?:[A-Z][a-z]{2,8}\.?(?:\s*[-–/]\s*[A-Z][a-z]{2,8}\.?)?|Spring|Summer|Autumn|Fall|Winter)(?:\s+\d{1,2})?)"
_ISSUE = r"(?:\s*\((?P<issue>[A-Za-z]?\d[\w\s\-–/]{0,10})\))"
_PAGES = r"(?P<pages>\d+e\d+|[eE]?\d+[A-Za-z]?(?:\s*[-–]\s*[eE]?\d+[A-Za-z]?)?)"  # 272e278: a dash glyph read as e
# The numbers of a citation, each form with its year; what comes before them on the line is the journal.
_FORMS = (
    # 2025 May;31(5):1617-1625 | 2024 Mar:149:106694 | 2013; 203: 436-44 (an issue or pages is required)
    re.compile(rf"(?<![\d.]){_YEAR}{_MONTH}?\s*[;:]\s*(?P<volume>\d{{1,5}}){_ISSUE}?(?:\s*:\s*{_PAGES})?(?![\d])"),
    # 2014, 14:1 | 2010 4:1 (BioMed Central heads, PDF subjects)
    re.compile(rf"(?<![\d.]){_YEAR},?\s+(?P<volume>\d{{1,5}}){_ISSUE}?\s*:\s*{_PAGES}(?![\d])"),
    # Volume 2010, Article ID 157939 (Hindawi: the volume is the year)
    re.compile(r"\bVolume\s+(?P<volume>(?P<year>(?:19|20)\d\d)),\s+Article\s+ID\s+(?P<pages>\d+)(?P<issue>)"),
    # (2014), 26:1, 147-154 | (2025) 31:1617-1625
    re.compile(rf"\({_YEAR}\)[,.]?\s*(?P<volume>\d{{1,5}})(?:\s*[:(]\s*(?P<issue>\d{{1,4}})\)?)?\s*[,:]\s*{_PAGES}(?![\d])"),
)
_ANY_YEAR = re.compile(r"(?:19|20)\d\d")
# ". 2025 May." after "et al." (PubMed's short citation) or a journal: the year alone.
_YEAR_ONLY = re.compile(rf"^\s*{_YEAR}{_MONTH}?\s*\.?\s*$")
_CITATION_LABEL = re.compile(r"^\s*(?:OPEN ACCESS\s+)?(?:Citation|Cite this article|How to cite this article|To cite)\s*:\s*",
                             re.I)
_VOLUME_ISSUE_PAGES = re.compile(rf"(?P<volume>\d{{1,5}}){_ISSUE}\s*:\s*{_PAGES}(?![\d])")
_ET_AL = re.compile(r"^(?P<author>[^.,;:()\d]{3,60}?)\s+et\s+al\.?\s*", re.I)
_CONNECTORS = {"of", "and", "the", "in", "for", "on", "&", "de", "der", "des", "du", "la", "le", "y", "e", "et", "und",
               "für", "a", "an", "to", "at", "with"}
_NOT_JOURNAL = re.compile(r"^(?:vol(?:ume)?|published|epub|received|accepted|copyright|available|issue|no|doi|pmid|"
                          r"article|page|pages|online|print|in|see|the|this|from|by|table|figure|fig)\b", re.I)
_PUBLISHER = re.compile(r"\b(?:journals?|press|publish\w*|elsevier|springer|wiley|corporation|inc|ltd|llc|gmbh|"
                        r"taylor|francis|sage|hindawi|biomed|frontiers|mdpi|oxford|cambridge|university)\b", re.I)


@dataclass
class Citation:
    """What a citation line says about where the paper appeared."""

    journal: str | None = None
    year: int | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    authors: list[str] = field(default_factory=list)

    @property
    def size(self) -> int:
        return sum(bool(x) for x in (self.journal, self.year, self.volume, self.issue, self.pages, self.authors))


def parse_citation(line: str) -> Citation | None:
    """The journal, year, volume, issue, pages (and a first author before "et al.") of one citation line."""
    line = squash(line)
    labelled = _CITATION_LABEL.match(line)
    if labelled:
        return _labelled(line[labelled.end() : labelled.end() + 600])
    if not line or len(line) > 600 or not _ANY_YEAR.search(line):
        return None  # every form below has a year
    best: Citation | None = None
    for form in _FORMS:
        for match in form.finditer(line):
            if not (match.group("issue") or match.groupdict().get("pages")):
                continue
            citation = Citation(year=int(match.group("year")), volume=match.group("volume"),
                                issue=_clean(match.group("issue")), pages=_clean(match.groupdict().get("pages")))
            author, journal = _before(line[: match.start()])
            citation.journal = journal
            if author:
                citation.authors = [author]
            if journal or match.start() <= 2:  # ". 2025 May;31(5):..." : PubMed's line with the journal lost
                if best is None or citation.size > best.size:
                    best = citation
                break
    if best:
        return best
    short = _ET_AL.match(line)
    if short:  # "Karen Crawford et al. Nat Med. 2025 May."
        rest = line[short.end() :]
        parts = re.split(r"\.\s+(?=(?:19|20)\d\d)", rest, maxsplit=1)
        if len(parts) == 2 and _YEAR_ONLY.match(parts[1]) and _looks_like_journal(parts[0].rstrip(".")):
            year = int(_YEAR_ONLY.match(parts[1]).group("year"))  # type: ignore[union-attr]
            return Citation(journal=parts[0].rstrip(". "), year=year, authors=[short.group("author").strip()])
    return None


def _labelled(rest: str) -> Citation | None:
    """``Smith A, Jones B (2018) Title. PLoS ONE 13(6): e0197919.`` (the PLOS and Frontiers "Citation:" line)."""
    year = re.search(r"\(\s*" + _YEAR + r"[a-z]?\s*\)", rest)
    numbers = _VOLUME_ISSUE_PAGES.search(rest, year.end() if year else 0) or next(
        (m for form in _FORMS for m in form.finditer(rest)), None)
    if not year and not numbers:
        return None
    citation = Citation(year=int(year.group("year")) if year else None)
    if year:
        citation.authors = [a for a in (squash(p).strip(".") for p in re.split(r",|;|\band\b|&", rest[: year.start()]))
                            if _is_name(a)]
    if numbers:
        citation.volume, citation.issue = numbers.group("volume"), _clean(numbers.group("issue"))
        citation.pages = _clean(numbers.groupdict().get("pages"))
        if citation.year is None and "year" in numbers.groupdict():
            citation.year = int(numbers.group("year"))
        prefix = rest[year.end() if year else 0 : numbers.start()].rstrip(" ,.")
        pieces = re.split(r"(?<=[.?!])\s+", prefix)
        journal = _join_abbreviations(pieces)
        citation.journal = journal if journal and _looks_like_journal(journal) else None
    return citation


def _clean(value: str | None) -> str | None:
    if not value:
        return None
    value = re.sub(r"\s+", "", value)
    return re.sub(r"^(\d+)e(\d+)$", r"\1-\2", value).replace("–", "-")


def _before(prefix: str) -> tuple[str | None, str | None]:
    """The first author (before "et al.") and the journal name at the end of what precedes a citation's numbers."""
    prefix = prefix.rstrip(" ,.")
    author = None
    short = re.search(r"\bet\s+al\.?\s*", prefix)
    if short:  # "Quelle: Christensen N, Bruun S, Søndergaard J et al." -> Christensen N
        author = re.sub(r"^[\w ]{1,20}:\s*", "", prefix[: short.start()]).split(",")[0].strip() or None
        prefix = prefix[short.end() :]
        if author and not (_is_name(author) or re.fullmatch(r"[A-Z][\w'’-]+(?:\s[A-Z][\w'’-]+)?", author)):
            author = None
    prefix = re.sub(r"^.*\b(?:Publishing\s+(?:Corporation|Group|Company)|Publishers?|Press)\s+", "", prefix)
    prefix = re.sub(r"^.*:\s+(?=[A-Z])", "", prefix)  # "Published in final edited form as: Arch Gen Psychiatry"
    pieces = re.split(r"(?<=[.?!|])\s+|\s+[|•·]\s+", prefix)
    journal = _join_abbreviations(pieces)
    return author, journal if journal and _looks_like_journal(journal) else None


def _join_abbreviations(pieces: list[str]) -> str | None:
    """The last piece of a split line, with abbreviations before it joined back ("J. Am. Med. Assoc")."""
    pieces = [p for p in pieces if p.strip()]
    if not pieces:
        return None
    index = len(pieces) - 1
    while index > 0 and re.fullmatch(r"[A-Z][a-z]{0,5}\.", pieces[index - 1].strip()):
        index -= 1
    return squash(" ".join(pieces[index:])).rstrip(" .,")


def _looks_like_journal(name: str) -> bool:
    """A journal's name or abbreviation: capitalised words, no digits, not a label ("Volume", "Epub")."""
    words = name.split()
    if not 1 <= len(words) <= 14 or not 2 <= len(name) <= 120 or re.search(r"\d|[:;=<>@]", name):
        return False
    if not name[0].isupper() or _NOT_JOURNAL.match(name):
        return False
    capitalised = sum(w[0].isupper() or w.lower() in _CONNECTORS for w in words)
    return capitalised >= max(1, 0.6 * len(words)) or bool(re.search(r"\bjournal\b", name, re.I))


_DEGREES = re.compile(r"(?:,?\s+(?:PhD|Ph\.D\.|MD|M\.D\.|MSc|MPH|MA|BSc|BA|RN|DPhil|Dr\.?PH|FRCP\w*|Prof\.?))+\s*$")
_PARTICLES = {"van", "von", "de", "der", "den", "da", "di", "del", "della", "le", "la", "du", "dos", "das", "ten", "ter",
              "bin", "al", "el", "y"}
_NAME_WORD = re.compile(r"^(?:[A-Z]\.?(?:-?[A-Z]\.?){0,2}|[A-Z][\w'’\-]*[a-zà-ÿ][\w'’\-]*\.?|[A-Z]{2,3})$")


def _is_name(text: str) -> bool:
    """A person's name as bylines print it: two to five capitalised words or initials ("Nuala E. Tully",
    "Thomason K", "van der Put C")."""
    words = _DEGREES.sub("", text).split()
    if not 2 <= len(words) <= 4 or _PUBLISHER.search(text) or _NOT_NAME.search(text):
        return False
    if not all(_NAME_WORD.match(w) or w.lower() in _PARTICLES for w in words):
        return False
    return any(len(w.strip(".")) > 2 and w.lower() not in _PARTICLES for w in words)


_AFFILIATION_MARKS = re.compile(r"(?<=[^\s\d,])\s?\d{1,2}(?:\s*,\s*\d{1,2})*(?=[\s,;*†‡§¶#☯✉]|$)"
                                r"|(?<=,)\d{1,2}(?:,\d{1,2})*(?=\s)|[*†‡§¶#☯✉]")
# Words of a header that two capitalised words would otherwise pass as a name ("Research Article").
_NOT_NAME = re.compile(r"\b(?:research|article|original|review|open|access|abstract|introduction|background|methods?|"
                       r"results|department|university|hospital|institute|school|college|centre|center|division|"
                       r"faculty|health|medicine|medical|sciences?|correspondence|editor|report|study|trial|letter|"
                       r"paper|brief|communication|commentary|editorial|issue|volume|page|online|contents|supplement|"
                       r"protocol|perspective|highlights|keywords|summary|conclusions?|national|public|foundation|"
                       r"unit|programme|program|evidence|workshop|chair|lead)\b", re.I)


def author_line(line: str) -> list[str]:
    """The names of a byline ("Anna Sundström,1 Michael Rönnlund,2 Rolf Adolfsson3 and Lars-Göran Nilsson4"),
    or [] when the line is not one."""
    line = squash(line)
    if not 5 <= len(line) <= 2000 or re.search(r"[.:;]\s+[a-z]|https?:|@|\b(?:19|20)\d\d\b", line):
        return []
    cleaned = _AFFILIATION_MARKS.sub("", line)
    cleaned = re.sub(r"\s*\{?et\s+al\.?\}?\s*$", "", cleaned)
    parts = [squash(p).strip(" .,") for p in re.split(r",|;|\s+and\s+|\s+&\s+|\s+und\s+|\s+y\s+", cleaned)]
    parts = [p for p in parts if p]
    # at least four parts in five must be names: stop at the first miss that makes that impossible (a paragraph
    # after a title splits at its commas into many parts, and it fails after its first few)
    least = 0.8 * len(parts)
    names: list[str] = []
    for index, part in enumerate(parts):
        if _is_name(part):
            names.append(_DEGREES.sub("", part))
        elif len(parts) - (index + 1 - len(names)) < least:
            return []
    if not names or len(names) < least:
        return []
    return names


def _head(document: Document) -> tuple[int, int]:
    """The part of the text that holds the header: the first page (slide) or the first characters."""
    if document.pages:
        return document.pages[0].start, document.pages[0].end
    return 0, min(len(document.text), HEAD_CHARS)


def find_citation(document: Document) -> Citation | None:
    """The fullest citation line on the document's first page (or in its first characters), then on the
    running heads and feet of its other pages; fields it lacks are taken from other citation lines of the
    same year (PubMed prints ". 2025 May;31(5):1617-1625." and "Crawford et al. Nat Med. 2025 May.")."""
    start, end = _head(document)
    found: list[Citation] = []
    regions = [(start, end)]
    for page in document.pages[1:4]:  # running heads and feet repeat the citation on later pages
        regions += [(page.start, min(page.end, page.start + 300)), (max(page.start, page.end - 300), page.end)]
    for region_start, region_end in regions:
        for line in document.text[region_start:region_end].split("\n"):
            citation = parse_citation(line)
            if citation:
                found.append(citation)
        if any(c.journal and c.year and c.volume for c in found):
            break
    if not found:
        return None
    best = max(found, key=lambda c: c.size)  # the first of the fullest
    for other in found:
        if other is best or (other.year and best.year and other.year != best.year):
            continue
        for key in ("journal", "year", "volume", "issue", "pages", "authors"):
            if not getattr(best, key) and getattr(other, key):
                setattr(best, key, getattr(other, key))
    return best


_BYLINE_YEAR = re.compile(r"\s*\((?:19|20)\d\d[a-z]?\)\s*$")


def title_slide_or_byline(document: Document) -> list[str]:
    """Authors from the lines after the title (a byline, or the names on a deck's title slide)."""
    if not document.title_span:
        return []
    start, end = _head(document)
    after = document.text[document.title_span[1] : max(end, document.title_span[1])]
    lines = [line.strip() for line in after.split("\n") if line.strip()][:4]
    slides = bool(document.pages) and document.pages[0].kind == "slide"
    for line in lines:
        names = author_line(_BYLINE_YEAR.sub("", line))  # "Weiss M, Schmucker M, Lösel F (2015)"
        # one name alone passes only on a title slide or with an initial ("Tamesha N. Harewood"): two capitalised
        # words after a title are as often a table's header ("Effect Size")
        if names and (len(names) > 1 or slides or re.search(r"\b[A-Z]\.?\s", names[0])):
            return names
    return []


def fill_metadata(document: Document, guessed: bool = False) -> Document:
    """Fill the journal, year, volume, issue, pages and authors a reader left empty from the document's
    citation line and byline. What a reader found is kept, unless ``guessed`` (the plain-text reader's guesses
    from its own line patterns) and the citation line is a full one (journal, year and volume)."""
    metadata = document.metadata
    citation = find_citation(document)
    if citation and guessed and citation.journal and citation.year and citation.volume:
        metadata.journal, metadata.year = citation.journal, citation.year
        if citation.authors:
            metadata.authors = list(citation.authors)
    if citation:
        _apply(metadata, citation)
    if not metadata.year and document.title_span:
        after = document.text[document.title_span[1] : document.title_span[1] + 400].strip().split("\n", 1)[0]
        year = _BYLINE_YEAR.search(after)
        if year and author_line(_BYLINE_YEAR.sub("", after)):
            metadata.year = int(re.sub(r"\D", "", year.group(0))[:4])
    if len(metadata.authors) <= 1:  # none, or only the first author of "Smith et al."
        byline = title_slide_or_byline(document)
        first = metadata.authors[0].split()[-1].lower() if metadata.authors else ""
        if byline and (not first or first in byline[0].lower()):
            metadata.authors = byline
    return document


def _apply(metadata: Metadata, citation: Citation) -> None:
    if citation.journal and not metadata.journal:
        metadata.journal = citation.journal
        if citation.year:  # the citation's year is the publication year; a text's stray first year is not
            metadata.year = citation.year
    if citation.year and not metadata.year:
        metadata.year = citation.year
    for key in ("volume", "issue", "pages"):
        value = getattr(citation, key)
        if value and not metadata.extra.get(key):
            metadata.extra[key] = value
    if citation.authors and not metadata.authors:
        metadata.authors = list(citation.authors)


def pdf_metadata(info: dict[str, str], xmp: str | None) -> Metadata:
    """Authors, journal, year, DOI and the citation's numbers from a PDF's information dictionary (``info``:
    lower-case keys) and XMP packet; publishers' placeholders ("Cambridge Journals", "doi:") are left out."""
    metadata = Metadata()
    fields = dict(info)
    if xmp:
        fields.update({f"xmp:{k}": v for k, v in _xmp_fields(xmp).items()})
    names = fields.get("xmp:creator") or fields.get("author") or ""
    names = re.sub(r"\{?et\s+al\.?\}?", "", names)
    metadata.authors = [n for n in (squash(p) for p in re.split(r";|,(?!\s*(?:Jr|Sr|[IV]+)\b)|\s+and\s+", names))
                        if _is_name(n)]
    for key in ("subject", "xmp:description", "title"):
        value = fields.get(key, "")
        citation = parse_citation(value) if value else None
        if citation and (citation.volume or citation.year):
            _apply(metadata, citation)
    journal = fields.get("xmp:publicationName") or fields.get("subject") or ""
    if not metadata.journal and journal and _looks_like_journal(journal) and len(journal.split()) <= 10:
        metadata.journal = journal
    for key, name in (("xmp:volume", "volume"), ("xmp:number", "issue"), ("xmp:startingPage", "pages")):
        if fields.get(key) and not metadata.extra.get(name):
            metadata.extra[name] = fields[key]
    if not metadata.year:
        date = fields.get("xmp:coverDate") or fields.get("xmp:publicationDate") or ""
        found = re.search(r"\b(?:19|20)\d\d\b", date)
        metadata.year = int(found.group(0)) if found else None
    doi = fields.get("xmp:doi") or next((m.group(1) for value in fields.values()
                                         for m in [re.search(r"\b(10\.\d{4,9}/\S+)", value)] if m), None)
    if doi:
        metadata.doi = doi.rstrip(".,;").lower()
    return metadata


_XMP_FIELD = re.compile(r"<(?:prism|dc|pdfx):(?P<name>doi|publicationName|volume|number|startingPage|coverDate|"
                        r"publicationDate|creator|description)\b[^>]*>(?P<value>.*?)</(?:prism|dc|pdfx):(?P=name)>",
                        re.S)


def _xmp_fields(xmp: str) -> dict[str, str]:
    """The PRISM and Dublin Core fields of an XMP packet, read as text (never parsed as XML: no entities)."""
    fields: dict[str, str] = {}
    for match in _XMP_FIELD.finditer(xmp[:200_000]):
        items = re.findall(r"<rdf:li[^>]*>(.*?)</rdf:li>", match.group("value"), re.S)
        value = "; ".join(squash(re.sub(r"<[^>]+>", " ", item)) for item in items) if items else \
            squash(re.sub(r"<[^>]+>", " ", match.group("value")))
        if value:
            fields.setdefault(match.group("name"), value)
    return fields
