"""PMC full text in JATS / NLM XML (``.nxml``): front matter, abstract, body and tables.

Body sections keep their titles as headings in reading order (nested sections
follow their parent); each table becomes a section ``Table N: caption`` whose
rows are tab-separated lines, so odds ratios and intervals stay readable.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree as ET

from ..errors import EmptyDocument
from ..types import Document, Metadata
from .base import (
    BoundedReader,
    Limits,
    RecordFailure,
    citation_numbers,
    first_year,
    make_document,
    partial_failure,
    squash,
)
from .pubmed_xml import (
    READ_ERRORS,
    flatten,
    labelled_sections,
    nested_too_deeply,
    normal_doi,
    open_xml,
    parse_error,
    xml_parser,
)

FORMAT = "jats"

_DTD = re.compile(rb"<!DOCTYPE\s+article[^>]*(JATS|NLM|archivearticle|journalpublishing)", re.I)
_ARTICLE = re.compile(rb"<article[\s>]")
_SKIPPED_ABSTRACTS = {"graphical", "teaser", "toc"}
_FLOATS = frozenset({"table-wrap", "table-wrap-group", "fig", "fig-group", "supplementary-material"})
_NOT_IN_TEXT = _FLOATS | {"tex-math", "annotation"}  # keep one rendering of a formula
_NOT_IN_TITLES = frozenset({"xref", "fn"})
_BACK_PARTS = {"sec", "ack", "app", "app-group", "notes"}
_YEAR_ORDER = ("ppub", "epub-ppub", "collection", "epub")
JATS_PARTS = 2  # a JATS file may unpack to this many times the one-part limit (its whole tree is held)

Body = list[tuple[str | None, str]]


def sniff(head: bytes, path: Path) -> float:
    """0.95 for an ``<article>`` with a JATS/NLM DTD or front matter, else 0."""
    if b"<pmc-articleset" in head:
        return 0.95
    if not _ARTICLE.search(head):
        return 0.0
    if _DTD.search(head) or b"<front>" in head or b"<article-meta" in head:
        return 0.95
    return 0.0


def read(path: Path, limits: Limits) -> Iterator[Document | RecordFailure]:
    """One Document per ``<article>`` in the file (usually one)."""
    with open_xml(path) as handle:
        # a whole tree is built, so what it is built from is bounded (a gzip bomb fails here, not in memory)
        bounded = BoundedReader(handle, "the XML", JATS_PARTS * limits.max_part_bytes)
        root, damage = _parse(bounded)
    for element in root.iter():
        if isinstance(element.tag, str) and "}" in element.tag:
            element.tag = element.tag.rsplit("}", 1)[1]  # newer PMC output puts JATS in a namespace
    articles = [root] if root.tag == "article" else root.findall(".//article")
    if not articles:
        raise EmptyDocument("the XML holds no <article> element")
    multi = len(articles) > 1
    if damage is not None:
        if not any(_has_text(article) for article in articles):
            raise parse_error(damage) from None  # nothing before the damage worth keeping
        if not _has_text(articles[-1]):
            articles = articles[:-1]
    for index, article in enumerate(articles, start=1):
        try:
            document = _document(article, path, index if multi else None, limits)
            if damage is not None and index == len(articles):
                yield from _salvaged(document, damage, f"article {index}" if multi else "article")
                continue
            yield document
        except RecursionError:
            error = nested_too_deeply(f"article {index}" if multi else "the article")
            if not multi:
                raise error from None
            yield RecordFailure(record=f"article {index}", kind=error.kind, message=error.message, hint=error.hint)


# Damage after which the tree read so far is kept: the file ends early, or a tag or token is broken part-way.
_SALVAGED_CODES = {3, 4, 5, 6, 7, 9}  # no element, invalid token, unclosed token, partial char, mismatch, junk after


class _Tracking:
    """A tree builder that knows which elements are still open, so a parse stopped by damage leaves a tree
    whose complete elements can be kept and whose one cut element can be dropped."""

    def __init__(self) -> None:
        self.builder = ET.TreeBuilder()
        self.open: list[ET.Element] = []
        self.root: ET.Element | None = None

    def start(self, tag: str, attributes: dict[str, str]) -> ET.Element:
        element = self.builder.start(tag, attributes)
        if self.root is None:
            self.root = element
        self.open.append(element)
        return element

    def end(self, tag: str) -> ET.Element:
        self.open.pop()
        return self.builder.end(tag)

    def data(self, data: str) -> None:
        self.builder.data(data)

    def close(self) -> ET.Element:
        return self.builder.close()


def _parse(stream: BoundedReader) -> tuple[ET.Element, Exception | None]:
    """The document element, and the error that stopped the parse early (None when the whole file was read).

    After damage the elements read whole are kept; the innermost element open at the damage (cut in the
    middle) is dropped. Other errors (entities, limits) raise as before.
    """
    target = _Tracking()
    parser = xml_parser(target)
    try:
        for block in iter(lambda: stream.read(1 << 16), b""):
            parser.feed(block)
        parser.close()
    except READ_ERRORS as error:
        salvageable = not isinstance(error, ET.ParseError) or error.code in _SALVAGED_CODES
        if target.root is None or not salvageable:
            raise parse_error(error) from None
        if len(target.open) > 1:
            target.open[-2].remove(target.open[-1])
        return target.root, error
    assert target.root is not None
    return target.root, None


def _has_text(article: ET.Element) -> bool:
    """Whether a (salvaged) article has a title or an abstract of its own."""
    meta = article.find("front/article-meta")
    if meta is None:
        return False
    return bool(flatten(meta.find("title-group/article-title"), _NOT_IN_TITLES) or _abstract_parts(meta))


def _salvaged(document: Document, damage: Exception, record: str) -> Iterator[Document | RecordFailure]:
    """The document read up to the damage, with a warning, and the ``partial`` failure naming where it stopped."""
    where = parse_error(damage).message.removeprefix("the XML ")
    document.warnings.append(f"the XML {where}; the {record} was read up to there (the rest is lost)")
    yield document
    yield partial_failure(record, f"the XML {where}; the {record} was read up to there and the rest is lost",
                          "get the file again (it was cut or damaged) to read the rest")


def _document(article: ET.Element, path: Path, index: int | None, limits: Limits) -> Document:
    meta = article.find("front/article-meta")
    if meta is None:
        meta = ET.Element("article-meta")
    parts = _abstract_parts(meta)
    body = _container(article.find("body"))
    back = article.find("back")
    for part in back if back is not None else []:
        if part.tag in _BACK_PARTS:
            body.extend(_section(part, "Acknowledgements" if part.tag == "ack" else None))
    for floats in article.findall("floats-group"):
        body.extend(_floats(floats))
    document = make_document(
        fmt=FORMAT,
        path=path,
        title=flatten(meta.find("title-group/article-title"), _NOT_IN_TITLES) or None,
        abstract="\n\n".join(text for _, text in parts) or None,
        body=body,
        metadata=_metadata(article, meta),
        record_index=index,
        limits=limits,
    )
    labelled_sections(document, [(label, text) for label, text in parts if label])
    return document


def _abstract_parts(meta: ET.Element) -> list[tuple[str, str]]:
    """``(label, text)`` for each structured part of every kept abstract."""
    parts: list[tuple[str, str]] = []
    for abstract in meta.findall("abstract"):
        if abstract.get("abstract-type", "").lower() in _SKIPPED_ABSTRACTS:
            continue
        heading = flatten(abstract.find("title"))
        heading = "" if heading.lower() == "abstract" else heading
        if abstract.find("sec") is None:
            text = "\n\n".join(_blocks(abstract))
            if text:
                parts.append((heading, f"{heading}: {text}" if heading else text))
            continue
        if heading:
            parts.append((heading, heading))
        for child in abstract:
            if child.tag == "sec":
                label = flatten(child.find("title"))
                text = " ".join(_blocks(child))
                if text:
                    parts.append((label, f"{label}: {text}" if label else text))
            elif child.tag not in {"title", "label"} and (text := flatten(child, _NOT_IN_TEXT)):
                parts.append(("", text))
    return parts


def _blocks(container: ET.Element) -> list[str]:
    """The flattened text of each block child (paragraphs, lists) except titles and floats."""
    texts = []
    for child in container:
        if child.tag in {"title", "label", "sec", *_FLOATS}:
            continue
        text = flatten(child, _NOT_IN_TEXT)
        if text:
            texts.append(text)
    return texts


def _container(element: ET.Element | None) -> Body:
    """Body sections from a ``<body>``: loose paragraphs first, then each ``<sec>``."""
    if element is None:
        return []
    sections: Body = []
    loose = _blocks(element)
    if loose:
        sections.append((None, "\n\n".join(loose)))
    sections.extend(_tables_and_figures(element))
    for child in element.findall("sec"):
        sections.extend(_section(child))
    return sections


def _section(sec: ET.Element, default_heading: str | None = None) -> Body:
    """One section and its floats, then its subsections, in reading order."""
    heading = flatten(sec.find("title"), _NOT_IN_TITLES) or default_heading
    sections: Body = [(heading, "\n\n".join(_blocks(sec)))]
    sections.extend(_tables_and_figures(sec))
    for child in sec:
        if child.tag in {"sec", "app"}:
            sections.extend(_section(child))
    return sections


def _tables_and_figures(element: ET.Element) -> Body:
    """Tables and figures inside ``element`` but not inside a nested section."""
    found: Body = []
    for child in element:
        if child.tag in {"sec", "app"}:
            continue
        if child.tag in {"table-wrap", "fig"}:
            found.append(_float(child))
        else:
            found.extend(_tables_and_figures(child))
    return found


def _floats(element: ET.Element) -> Body:
    """Every table and figure in a ``<floats-group>``."""
    return [_float(child) for child in element.iter() if child.tag in {"table-wrap", "fig"}]


def _float(element: ET.Element) -> tuple[str, str]:
    """``("Table N: caption", rows)`` for a table; ``("Figure N", caption)`` for a figure."""
    label = flatten(element.find("label")).rstrip(".:") or (
        "Table" if element.tag == "table-wrap" else "Figure"
    )
    caption = flatten(element.find("caption"), _NOT_IN_TITLES)
    if element.tag == "fig":
        return label, caption
    rows = [
        "\t".join(flatten(cell, _NOT_IN_TEXT) for cell in row if cell.tag in {"td", "th"})
        for table in element.iter("table")
        for row in table.iter("tr")
    ]
    footnotes = [flatten(foot) for foot in element.findall("table-wrap-foot")]
    heading = f"{label}: {caption}" if caption else label
    return heading, "\n".join(line for line in [*rows, *footnotes] if line.strip())


def _metadata(article: ET.Element, meta: ET.Element) -> Metadata:
    ids = {node.get("pub-id-type", ""): squash(node.text) for node in meta.findall("article-id")}
    pmcid = ids.get("pmc") or ids.get("pmcid") or ""
    journal = article.find("front/journal-meta")
    journal_title = None
    if journal is not None:
        journal_title = flatten(journal.find(".//journal-title")) or squash(
            journal.findtext("journal-id[@journal-id-type='nlm-ta']")
        )
    keywords = [flatten(kwd) for kwd in meta.findall("kwd-group/kwd")]
    registrations = [
        squash(link.text)
        for link in meta.iter("ext-link")
        if "trial" in link.get("ext-link-type", "").lower() and squash(link.text)
    ]
    extra: dict[str, object] = citation_numbers(meta.findtext("volume"), meta.findtext("issue"),
                                                meta.findtext("fpage") or meta.findtext("elocation-id"),
                                                meta.findtext("lpage"))
    if registrations:
        extra["registrations"] = registrations
    return Metadata(
        authors=_authors(meta),
        year=_year(meta),
        journal=journal_title or None,
        doi=normal_doi(ids.get("doi")),
        pmid=ids.get("pmid") or None,
        pmcid=("PMC" + pmcid.upper().removeprefix("PMC")) if pmcid else None,
        publication_types=[squash(article.get("article-type"))] if article.get("article-type") else [],
        keywords=list(dict.fromkeys(keyword for keyword in keywords if keyword)),
        language=article.get("{http://www.w3.org/XML/1998/namespace}lang"),
        extra=extra,
    )


def _authors(meta: ET.Element) -> list[str]:
    authors = []
    for contrib in meta.findall("contrib-group/contrib"):
        if contrib.get("contrib-type", "author") != "author":
            continue
        name = contrib.find("name")
        if name is not None:
            surname, given = flatten(name.find("surname")), flatten(name.find("given-names"))
            authors.append(f"{surname}, {given}" if surname and given else surname or given)
        elif (collab := flatten(contrib.find("collab"))) or (collab := flatten(contrib.find("string-name"))):
            authors.append(collab)
    return [author for author in authors if author]


def _year(meta: ET.Element) -> int | None:
    dates = meta.findall("pub-date")
    by_type = {date.get("pub-type") or date.get("date-type") or "": date for date in dates}
    ordered = [by_type[kind] for kind in (*_YEAR_ORDER, "pub") if kind in by_type] + dates
    for date in ordered:
        year = first_year(date.findtext("year"))
        if year:
            return year
    return None
