"""DOIs, PMIDs, PMCIDs and trial or review registrations, found in text and metadata."""

from __future__ import annotations

import re

from .types import Document, Identifier

SOURCE = "rule:identifiers.v1"

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

# NTR/NL numbers are only registrations when a registry is named nearby.
_NEEDS_CONTEXT = {"ntr": re.compile(r"(netherlands|dutch|trial\s*register|registr)", re.I)}

_DOI = re.compile(r"\b(10\.\d{4,9}/[^\s\"<>]+)", re.I)
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
    return doi.rstrip(".,;:").lower()


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
        if scheme == "ntr" and "NTR" not in upper and "NL" not in upper:
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
        doi = clean_doi(match.group(1))
        found.append(Identifier("doi", doi, match.start(1), match.start(1) + len(doi), SOURCE))
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


def attach_identifiers(document: Document) -> Document:
    """Fill ``document.identifiers`` from its metadata and text, and back-fill metadata.

    Metadata identifiers come first (no span unless the value also occurs in the
    text); a registration seen in both places is kept once, with its span.
    """
    in_text = find_identifiers(document.text)
    metadata = document.metadata
    by_key: dict[tuple[str, str], Identifier] = {}
    for identifier in in_text:
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
    # Back-fill metadata from the text when the reader had no field for it.
    if not metadata.doi:
        metadata.doi = next((i.value for i in in_text if i.scheme == "doi"), None)
    if not metadata.pmid:
        metadata.pmid = next((i.value for i in in_text if i.scheme == "pmid"), None)
    if not metadata.pmcid:
        metadata.pmcid = next((i.value for i in in_text if i.scheme == "pmcid"), None)
    return document
