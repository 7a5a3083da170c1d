"""DOIs, PMIDs, PMCIDs and trial or review registrations, found in text and metadata.

An identifier inside the document's reference list (or a pasted page's "Similar articles" and "Cited by" lists)
belongs to a paper it cites: it is kept with role ``cited`` and never becomes the document's DOI, PMID or
registration. ``reference_spans`` finds those lists: under a references heading (to the next heading of
another kind, or the end of the slide), or as a run of entries that read like references (numbered, Vancouver
or author-year) without a heading.
"""

from __future__ import annotations

import re

from .types import Document, Identifier, Page, Span

SOURCE = "rule:identifiers.v1"
CITED_SOURCE = "rule:identifiers.cited.v1"

# Registry patterns: scheme -> compiled regex whose group 1 is the identifier.
# Boundaries are explicit so that an ID inside a longer token is not taken.
_REGISTRIES: list[tuple[str, re.Pattern[str]]] = [
    ("nct", re.compile(r"(?<![A-Za-z0-9])(NCT\s?\d{8})(?!\d)", re.I)),
    ("isrctn", re.compile(r"(?<![A-Za-z0-9])(ISRCTN\s?\d{8})(?!\d)", re.I)),
    ("actrn", re.compile(r"(?<![A-Za-z0-9])(ACTRN\s?\d{14})(?!\d)", re.I)),
    ("drks", re.compile(r"(?<![A-Za-z0-9])(DRKS\s?\d{8})(?!\d)", re.I)),
    ("chictr", re.compile(r"(?<![A-Za-z0-9])(ChiCTR[-‐]?(?:[A-Z]{2,4}[-‐]?)?\d{6,10})(?![\d])", re.I)),
    ("ctri", re.compile(r"(?<![A-Za-z0-9])(CTRI/\d{4}/\d{2,3}/\d{6})(?!\d)", re.I)),
    ("eudract", re.compile(r"(?:EudraCT|EU\s?CTR?)[^0-9]{0,25}(\d{4}-\d{6}-\d{2})(?!\d)", re.I)),
    ("euct", re.compile(r"(?<![\d-])(20\d\d-5\d{5}-\d{2}-\d{2})(?![\d-])")),
    ("prospero", re.compile(r"(?<![A-Za-z0-9])(CRD\s?4\d{10})(?!\d)", re.I)),
    ("irct", re.compile(r"(?<![A-Za-z0-9])(IRCT\d{8,14}N\d{1,3})(?![\dA-Za-z])", re.I)),
    ("jprn", re.compile(r"(?<![A-Za-z0-9])(UMIN\s?\d{9}|jRCT[sb]?\d{9,10}|JPRN-[A-Za-z]+\d+)(?!\d)")),
    ("ntr", re.compile(r"(?<![A-Za-z0-9])((?:NTR|NL)\s?\d{4})(?![\d-])(?=[\s).,;]|$)")),
    ("pactr", re.compile(r"(?<![A-Za-z0-9])(PACTR\d{15})(?!\d)", re.I)),
    ("kct", re.compile(r"(?<![A-Za-z0-9])(KCT\d{7})(?!\d)", re.I)),
    ("slctr", re.compile(r"(?<![A-Za-z0-9])(SLCTR/\d{4}/\d{3})(?!\d)", re.I)),
    ("tctr", re.compile(r"(?<![A-Za-z0-9])(TCTR\d{11})(?!\d)", re.I)),
    ("rbr", re.compile(r"(?<![A-Za-z0-9])(RBR-\d?[0-9a-z]{5,7}(?:-\d)?)(?![0-9a-z])")),
    ("osf", re.compile(r"(?<![A-Za-z0-9])(OSF\.IO/[A-Z0-9]{5})(?![A-Za-z0-9])", re.I)),
]

# A substring that every match of a scheme contains (upper case): a cheap test
# that lets most texts skip most patterns.
_TRIGGERS = {
    "nct": "NCT", "isrctn": "ISRCTN", "actrn": "ACTRN", "drks": "DRKS", "chictr": "CHICTR",
    "ctri": "CTRI/", "eudract": "EU", "euct": "-5", "prospero": "CRD", "irct": "IRCT", "jprn": "",
    "ntr": "", "pactr": "PACTR", "kct": "KCT", "slctr": "SLCTR/", "tctr": "TCTR", "rbr": "RBR-",
    "osf": "OSF.IO",
}
_JPRN_TRIGGERS = ("UMIN", "JRCT", "JPRN")
_EU_CT = re.compile(r"EU\s?CT")  # the eudract pattern's other name, in upper-cased text

# NTR/NL numbers are only registrations when a registry is named nearby.
_NEEDS_CONTEXT = {"ntr": re.compile(r"(netherlands|dutch|trial\s*register|registr)", re.I)}

_DOI = re.compile(r"\b(10\.\d{4,9}/[^\s\"<>]+)", re.I)
_DOI_CARRIED = re.compile(r"[ \n](?=[a-z]+[.\-]?\d)([a-z0-9]+[.\-]\d[\w.\-]*\d)")
_PMID = re.compile(r"\bPMID:?\s*(\d{5,9})\b")
_PMCID = re.compile(r"\b(PMC\d{5,9})\b")


def normalise_registration(scheme: str, raw: str) -> str:
    """Registry IDs as registries print them: upper case, no inner spaces."""
    value = re.sub(r"\s+", "", raw).upper()
    value = value.replace("‐", "-")
    if scheme == "jprn" and value.startswith("JRCT"):
        raw = re.sub(r"\s+", "", raw)
        value = "jRCT" + raw[4:].lower()
    if scheme == "osf":
        value = "OSF.IO/" + value.split("/", 1)[1]
    return value


def clean_doi(raw: str) -> str:
    """A DOI without trailing punctuation or a closing bracket it does not open."""
    doi = raw.rstrip(".,;:'\"")
    while doi.endswith(")") and doi.count("(") < doi.count(")"):
        doi = doi[:-1]
    while doi.endswith("]") and doi.count("[") < doi.count("]"):
        doi = doi[:-1]
    doi = doi.rstrip(".,;:").lower()
    # a publisher's page suffix run into the DOI by pasted text ("10.3389/fpsyt.2023.1288797/full")
    return re.sub(r"(?<=\d)/(?:full|abstract|pdf|epdf|html)[a-z]*$", "", doi)


def find_registrations(text: str) -> list[Identifier]:
    """Every registry identifier in ``text`` with its span, in text order."""
    found: list[Identifier] = []
    upper = text.upper()
    for scheme, pattern in _REGISTRIES:
        trigger = _TRIGGERS.get(scheme, "")
        if trigger and trigger not in upper:
            continue
        if scheme == "jprn" and not any(t in upper for t in _JPRN_TRIGGERS):
            continue
        # (the NTR pattern is case-sensitive: "NL" in the text itself, not in "ONLINE" upper-cased)
        if scheme == "ntr" and "NTR" not in text and "NL" not in text:
            continue
        # "EU" is in most texts upper-cased ("NEUTROPHIL"); an EudraCT number is named "EudraCT" or "EU CT(R)"
        if scheme == "eudract" and "EUDRACT" not in upper and not _EU_CT.search(upper):
            continue
        context = _NEEDS_CONTEXT.get(scheme)
        for match in pattern.finditer(text):
            if context and not context.search(text[max(0, match.start() - 80) : match.end() + 20]):
                continue
            found.append(
                Identifier(
                    scheme=scheme,
                    value=normalise_registration(scheme, match.group(1)),
                    start=match.start(1),
                    end=match.end(1),
                    source=SOURCE,
                )
            )
    found.sort(key=lambda identifier: identifier.start or 0)
    return found


def find_identifiers(text: str) -> list[Identifier]:
    """DOIs, PMIDs, PMCIDs and registrations stated in ``text``."""
    found = find_registrations(text)
    if "10." not in text:
        return found + _pmids(text)
    for match in _DOI.finditer(text):
        raw = match.group(1)
        carried = _DOI_CARRIED.match(text, match.end(1)) if raw.endswith((".", "/", "-")) else None
        if carried:  # "10.1371/journal. pone.0197919": a DOI broken across a line by a PDF's layout
            raw += carried.group(1)
        doi = clean_doi(raw)
        end = carried.end(1) if carried else match.start(1) + len(doi)
        found.append(Identifier("doi", doi, match.start(1), end, SOURCE))
    found.extend(_pmids(text))
    found.sort(key=lambda identifier: identifier.start or 0)
    return found


def _pmids(text: str) -> list[Identifier]:
    found: list[Identifier] = []
    if "PMID" in text:
        for match in _PMID.finditer(text):
            found.append(Identifier("pmid", match.group(1), match.start(1), match.end(1), SOURCE))
    if "PMC" in text:
        for match in _PMCID.finditer(text):
            found.append(Identifier("pmcid", match.group(1).upper(), match.start(1), match.end(1), SOURCE))
    return found


# A line that heads a reference list ("References", "7. REFERENCES", "## Bibliography", "Literatur", ...), or a
# pasted page's lists of other papers ("Similar articles", "Cited by").
_LIST_HEADING = re.compile(
    r"^[#*\s]*(?:(?:\d{1,2}|[IVX]{1,4})\.?\s+)?(?:references?(?:\s+(?:and\s+notes|list|cited))?|notes\s+and\s+references|"
    r"bibliography|literature\s+cited|works\s+cited|cited\s+literature|selected\s+references|further\s+reading|"
    r"literatur(?:verzeichnis)?|referencias(?:\s+bibliogr[aá]ficas)?|bibliograf[ií]a|r[ée]f[ée]rences"
    r"(?:\s+bibliographiques)?|riferimenti\s+bibliografici|referências|参考文献|參考文獻|similar\s+articles|"
    r"cited\s+by(?:\s+\d+\s+articles?)?|related\s+articles)"
    r"[*\s:.]*(?:\([^()\n]{0,80}\))?[*\s:.]*$",
    re.I,
)
# Headings that end such a list: the next part of a pasted page or article that is not references.
_AFTER_LIST = re.compile(
    r"^[#*\s]*(?:publication\s+types?|mesh\s+terms|substances|associated\s+data|grants?\s+and\s+funding|"
    r"related\s+information|linkout.*|full\s+text\s+sources|supplementary\s+(?:material|information|data)s?|"
    r"appendix.{0,40}|appendices|tables?|figures?|figure\s+legends|author\s+information|affiliations|"
    r"comment\s+(?:in|on)|acknowledg(?:e)?ments?|footnotes|article\s+information|about\s+this\s+article|"
    r"cite\s+this\s+article|rights\s+and\s+permissions|additional\s+information|author\s+contributions|"
    r"ethics\s+declarations|data\s+availability(?:\s+statement)?|competing\s+interests|conflicts?\s+of\s+interest|"
    r"funding|keywords|abbreviations|copyright|similar\s+articles|cited\s+by.*|references?|publication\s+history|"
    r"mesh|clinical\s+trial\s+registration|trial\s+registration)[*\s:.]*$",
    re.I,
)
_ENTRY_NUMBER = r"(?:\[\d{1,3}\]|\(\d{1,3}\)|\d{1,3}[.)])"
# The first author of a reference as the styles print it: "Axford, N.," / "Fukkink, R. G." (APA), "Zimmermann MB,"
# (Vancouver), "Turner, F. et al." (Nature).
_ENTRY_AUTHOR = re.compile(
    rf"^\s*(?:{_ENTRY_NUMBER}\s*)?[*\s]*"
    r"(?:[A-Z][\w'’-]+(?:[ -][A-Z][\w'’-]+){0,2},\s+(?:[A-Z]\.\s?-?){1,3}"
    r"|[A-Z][\w'’-]+(?:\s[A-Z][\w'’-]+){0,2}\s[A-Z]{1,3}[,.](?=\s)"
    r"|[A-Z][\w'’-]+,\s+[A-Z][a-z]+(?:\s[A-Z]\.)?,\s)"
)
_ENTRY_NUMBERED = re.compile(rf"^\s*{_ENTRY_NUMBER}\s+\S")
_ENTRY_YEAR = re.compile(r"(?<![\d.])(?:1[89]|20)\d\d[a-z]?(?!\d)")
# Where a reference says where it was published: volume(issue), volume:pages, ;volume, page ranges, a DOI.
_ENTRY_SOURCE = re.compile(
    r"\d+\s*\(\d+[^)]{0,6}\)|\d+\s*:\s*[e]?\d+|;\s*\d+|\d+\s*[-–]\s*\d+|\bdoi\b|10\.\d{4,9}/|\bpp?\.\s*\d|"
    r"\bPMID\b|https?://|\bIssue\s+\d|\bArt\.\s*No|\bLondon\b|\bPress\b|\bvol\.", re.I
)
# A line that only carries on the entry above it: "(PMID: 17693180), doi: ...", a link, "- PubMed".
_ENTRY_TAIL = re.compile(r"^\s*(?:\(?PMID|\(?doi|https?://|\[?PubMed|-\s*(?:PubMed|DOI|PMC|Google)|Crossref|"
                         r"\(\d{4}\)|\d+\s*[:;(])", re.I)


def _is_entry(line: str) -> bool:
    """Whether one line (a paragraph of pasted text) reads like a reference-list entry."""
    if not 25 <= len(line) <= 1500 or not _ENTRY_YEAR.search(line):
        return False
    if _ENTRY_AUTHOR.match(line):
        return bool(_ENTRY_SOURCE.search(line)) or "(" in line[:300]
    return bool(_ENTRY_NUMBERED.match(line) and _ENTRY_SOURCE.search(line) and len(line) <= 600)


def _reference_like(line: str) -> bool:
    """An entry, the tail or continuation of one (a numbered line, a year with a source): not a paragraph of
    prose or a slide's bullet."""
    if _is_entry(line) or _ENTRY_TAIL.match(line) or _ENTRY_NUMBERED.match(line):
        return True
    return not line.startswith(("-", "•", "*")) and bool(_ENTRY_YEAR.search(line) and _ENTRY_SOURCE.search(line))


def reference_heading(text: str, start: int = 0) -> int | None:
    """Where the first line at or after ``start`` that heads a list of other papers begins ("References",
    "Literaturverzeichnis", "Similar articles", ...), or None."""
    position = text.rfind("\n", 0, start) + 1 if start else 0
    while position < len(text):
        end = text.find("\n", position)
        end = len(text) if end < 0 else end
        line = text[position:end].strip()
        if line and len(line) <= 120 and position >= start and _LIST_HEADING.match(line):
            return position
        position = end + 1
    return None


def reference_spans(text: str, pages: list[Page] | None = None) -> list[Span]:
    """The parts of ``text`` that are lists of other papers: reference lists with or without a heading,
    a deck's references slide, a pasted page's "Similar articles" and "Cited by"."""
    if len(text) < 200:
        return []
    lines: list[tuple[int, int, str]] = []
    position = 0
    for raw in text.split("\n"):
        stripped = raw.strip()
        if stripped:
            lines.append((position, position + len(raw), stripped))
        position += len(raw) + 1
    slides = [page for page in pages or [] if page.kind == "slide"]
    spans: list[Span] = []
    index = 0
    while index < len(lines):
        start, _, line = lines[index]
        if len(line) <= 120 and _LIST_HEADING.match(line):
            end_index = index + 1
            limit = next((p.end for p in slides if p.start <= start < p.end), len(text))
            prose, first_prose = 0, 0  # three long lines of prose in a row (short ones aside): the list has ended
            while end_index < len(lines) and lines[end_index][0] < limit:
                following = lines[end_index][2]
                if len(following) <= 80 and _AFTER_LIST.match(following):
                    break
                if len(following) > 60:
                    if _reference_like(following):
                        prose = 0
                    else:
                        first_prose = first_prose if prose else end_index
                        prose += 1
                        if prose == 3:
                            end_index = first_prose
                            break
                end_index += 1
            if end_index > index + 1:
                spans.append((start, min(lines[end_index - 1][1], limit)))
            index = end_index
            continue
        index += 1
    spans.extend(_entry_runs(lines))
    return _merge(spans)


def _entry_runs(lines: list[tuple[int, int, str]]) -> list[Span]:
    """Runs of two or more reference-like lines (a short line between two entries, or a tail, kept in)."""
    runs: list[Span] = []
    first = last = -1
    entries = gap = 0
    for index, (_, _, line) in enumerate(lines):
        if _is_entry(line):
            if first < 0:
                first = index
            last, gap = index, 0
            entries += 1
            continue
        if first >= 0 and gap == 0 and len(line) <= 250 and (_ENTRY_TAIL.match(line) or len(line) <= 60):
            gap += 1
            if _ENTRY_TAIL.match(line):
                last = index
            continue
        if entries >= 2:
            runs.append((lines[first][0], lines[last][1]))
        first, entries, gap = -1, 0, 0
    if entries >= 2:
        runs.append((lines[first][0], lines[last][1]))
    return runs


def _merge(spans: list[Span]) -> list[Span]:
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1] + 2:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _inside(spans: list[Span], position: int | None) -> bool:
    return position is not None and any(start <= position < end for start, end in spans)


# The document's own citation, printed at the end of many articles ("doi:10.1186/... Cite this article as: ...").
_OWN_CITATION = re.compile(r"\b(?:cite\s+this\s+(?:article|paper)|please\s+cite|how\s+to\s+cite|to\s+cite\s+this)\b",
                           re.I)


def _own_citation_line(text: str, position: int | None) -> bool:
    if position is None:
        return False
    start = text.rfind("\n", 0, position) + 1
    end = text.find("\n", position)
    return bool(_OWN_CITATION.search(text[start : end if end >= 0 else len(text)]))


_HEAD_CHARS = 6000  # without pages, the part of a text that holds its header and citation line
_LABELLED = re.compile(r"(?:doi|pmid|pmcid|doi\.org/)\s*:?\s*$", re.I)


def _own_in_head(document: Document, identifiers: list[Identifier], scheme: str) -> str | None:
    """The document's own DOI/PMID/PMCID: the first one on its first page (or its first characters), else the
    first one labelled as such ("doi:", "PMID:", "doi.org/") anywhere outside its reference lists."""
    head = document.pages[0].end if document.pages else _HEAD_CHARS
    own = [i for i in identifiers if i.scheme == scheme and not i.cited]
    for identifier in own:
        if identifier.start is not None and identifier.start < head:
            return identifier.value
    for identifier in own:
        start = identifier.start or 0
        if scheme != "doi" or _LABELLED.search(document.text[max(0, start - 12) : start]):
            return identifier.value
    return None


def attach_identifiers(document: Document) -> Document:
    """Fill ``document.identifiers`` from its metadata and text, and back-fill metadata.

    Metadata identifiers come first (no span unless the value also occurs in the
    text); a registration seen in both places is kept once, with its span. Those
    inside a reference list are kept with role ``cited``; they never become the
    document's own DOI, PMID, PMCID or registration.
    """
    in_text = find_identifiers(document.text)
    references = reference_spans(document.text, document.pages) if in_text else []
    for identifier in in_text:
        if _inside(references, identifier.start) and not _own_citation_line(document.text, identifier.start):
            identifier.role, identifier.source = "cited", CITED_SOURCE
    metadata = document.metadata
    by_key: dict[tuple[str, str], Identifier] = {}
    for identifier in in_text:
        if not identifier.cited:
            by_key.setdefault((identifier.scheme, identifier.value.lower()), identifier)
    from_metadata: list[Identifier] = []
    for scheme, value in (("doi", metadata.doi), ("pmid", metadata.pmid), ("pmcid", metadata.pmcid)):
        if value and (scheme, value.lower()) not in by_key:
            from_metadata.append(Identifier(scheme, value, None, None, "reader:metadata"))
    for raw in metadata.extra.get("registrations", []) or []:
        for identifier in find_registrations(raw):
            key = (identifier.scheme, identifier.value.lower())
            if key not in by_key:
                by_key[key] = Identifier(identifier.scheme, identifier.value, None, None, "reader:metadata")
                from_metadata.append(by_key[key])
    unique_text: list[Identifier] = []
    seen: set[tuple[str, str, int | None]] = set()
    for identifier in in_text:
        key = (identifier.scheme, identifier.value.lower(), identifier.start)
        if key not in seen:
            seen.add(key)
            unique_text.append(identifier)
    document.identifiers = from_metadata + unique_text
    # Back-fill metadata from the text when the reader had no field for it: the document's own, never a cited one.
    if not metadata.doi:
        metadata.doi = _own_in_head(document, in_text, "doi")
    if not metadata.pmid:
        metadata.pmid = _own_in_head(document, in_text, "pmid")
    if not metadata.pmcid:
        metadata.pmcid = _own_in_head(document, in_text, "pmcid")
    return document
