"""PubMed XML (``PubmedArticleSet``, as from efetch or the baseline files), plain or gzip.

The file is streamed with ``iterparse`` and each article is cleared once read,
so a 30,000-record baseline file takes no more memory than one record.
``DeleteCitation`` PMIDs (update files) yield no document; ``deleted_pmids``
lists them for the pipeline.
"""

from __future__ import annotations

import gzip
import io
import re
import sys
import unicodedata
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from html.entities import name2codepoint
from pathlib import Path
from typing import IO, Any
from xml.etree import ElementTree as ET

from ..errors import EmptyDocument, ExtractorError, LimitExceeded, MalformedDocument, TruncatedDocument
from ..identifiers import clean_doi
from ..types import Document, Metadata, Section
from .base import BoundedReader, Limits, RecordFailure, citation_numbers, first_year, make_document, squash

FORMAT = "pubmed_xml"

_SIGNATURES = (b"<PubmedArticleSet", b"<!DOCTYPE PubmedArticleSet", b"<PubmedArticle", b"<PubmedBookArticle")
_RECORD_TAGS = {"PubmedArticle", "PubmedBookArticle"}
_NO_LABEL = {"", "UNLABELLED", "UNASSIGNED"}
# expat error codes that mean the text stopped before the document closed
_ENDS_EARLY = {3, 5}  # "no element found", "unclosed token"
_TIGHT_INLINE = {"sub", "sup"}
# what a damaged XML or gzip stream raises while it is read
READ_ERRORS = (ET.ParseError, EOFError, gzip.BadGzipFile, zlib.error)
# elements that end a word even when the XML puts no space around them
_SPACED = {"p", "fn", "title", "label", "caption", "list-item", "break"}
_SPACED |= {"td", "th", "tr", "sec", "AbstractText"}


def sniff(head: bytes, path: Path) -> float:
    """0.95 for XML carrying a PubMed article-set signature, else 0."""
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not start.startswith(b"<"):
        return 0.0
    return 0.95 if any(signature in head for signature in _SIGNATURES) else 0.0


def read(path: Path, limits: Limits) -> Iterator[Document | RecordFailure]:
    """One Document per PubmedArticle/PubmedBookArticle, in file order."""
    articles = 0
    deletions = 0
    for kind, element in _records(path, limits=limits):
        if kind == "DeleteCitation":
            deletions += 1
            continue
        articles += 1
        yield _document_or_failure(element, path, articles, limits)
    if not articles and not deletions:
        raise EmptyDocument("the PubMed XML file holds no PubmedArticle records")


def read_range(path: Path, limits: Limits, first: int = 1, stop: int | None = None,
               deleted: list[str] | None = None, data: bytes | None = None,
               lines_before: int = 0) -> Iterator[tuple[int, Document | RecordFailure | None]]:
    """``(record number, item)`` for records ``first <= number < stop`` (numbered from 1), in file order.

    With ``data`` (a piece of the file cut by ``split_records``, whose first
    record is number ``first``) only that piece is parsed. Without it the file
    is read and records before ``first`` are parsed but not built (item None).
    ``lines_before`` (from ``split_records``) makes the line numbers of errors
    in a piece those of the file.
    When reading reaches the end of the file, ``deleted`` receives the PMIDs of
    its ``DeleteCitation`` blocks (update files).

    A record that breaks the XML stream (a stray control character, a bad
    tag) costs that record only: the stream is cut at its record starts and
    the records from the damaged one on are parsed one by one. A stream that
    ends early (truncation) still raises, after the records before the cut.
    """
    start = 0 if data is None else first - 1
    state = {"articles": start, "deletions": 0}
    try:
        yield from _numbered(_records(path, data, lines_before, limits), path, limits, first, stop, deleted, state)
    except MalformedDocument as error:
        if isinstance(error, TruncatedDocument):
            raise  # nothing follows the damage: the records before it are all there is
        pieces = _record_pieces(path, data, error)
        done = state["articles"] - start  # records read whole before the damage
        if done >= len(pieces.records):
            raise  # the damage lies after the last record (in its DeleteCitation list, say)
        lines = lines_before + sum(piece.count(b"\n") for piece in pieces.records[:done])
        for number, piece in enumerate(pieces.records[done:], start + done + 1):
            if stop is not None and number >= stop:
                return
            last = number == start + len(pieces.records)
            yield from _read_alone(path, limits, pieces.wrap(piece, last), number, first, deleted, state, lines,
                                   last)
            lines += piece.count(b"\n")
    if state["articles"] == start and not state["deletions"]:
        raise EmptyDocument("the PubMed XML file holds no PubmedArticle records")


def _numbered(records: Iterator[tuple[str, ET.Element]], path: Path, limits: Limits, first: int,
              stop: int | None, deleted: list[str] | None,
              state: dict[str, int]) -> Iterator[tuple[int, Document | RecordFailure | None]]:
    """Number the articles of ``records`` on from ``state["articles"]``, collecting deleted PMIDs."""
    for kind, element in records:
        if kind == "DeleteCitation":
            state["deletions"] += 1
            if deleted is not None:
                deleted.extend(squash(pmid.text) for pmid in element.iter("PMID") if squash(pmid.text))
            continue
        state["articles"] += 1
        number = state["articles"]
        if stop is not None and number >= stop:
            return
        yield number, (_document_or_failure(element, path, number, limits) if number >= first else None)


def nested_too_deeply(what: str) -> MalformedDocument:
    """The error for XML nested deeper than Python's recursion limit lets a reader follow."""
    return MalformedDocument(
        f"{what} is nested too deeply: elements inside elements about {sys.getrecursionlimit()} levels down or more",
        hint="real articles nest a few dozen levels; the file is damaged or machine-made, so re-export it "
        "or remove that part",
    )


# characters XML 1.0 forbids; an export that lets one through breaks the whole stream for expat
_XML_ILLEGAL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]|&#0*(?:[0-8]|1[124-9]|2[0-9]|3[01]);"
                          rb"|&#[xX]0*(?:[0-8bBcCeEfF]|1[0-9a-fA-F]);")
_RECOVER_BYTES = 256 * 1024 * 1024  # a whole file larger than this is not re-read record by record


@dataclass
class _Pieces:
    """A stream cut at its record starts: what comes before the first, and each record's bytes."""

    header: bytes
    records: list[bytes]

    def wrap(self, record: bytes, last: bool) -> bytes:
        """One record as a document of its own (the last keeps the stream's ending and any DeleteCitation)."""
        return self.header + record + (b"" if last else b"</PubmedArticleSet>\n")


def _record_pieces(path: Path, data: bytes | None, error: MalformedDocument) -> _Pieces:
    """The stream's records as separate byte strings, to read each alone after ``error`` broke the stream.

    Re-raises ``error`` when the stream cannot be cut that way: no record
    start, a header that is itself damaged, or a whole file too large to hold.
    """
    if data is None:
        with open_xml(path) as handle:
            try:
                data = handle.read(_RECOVER_BYTES + 1)
            except READ_ERRORS:
                raise error from None
        if len(data) > _RECOVER_BYTES:
            raise error
    starts = [match.start() for match in _RECORD_START.finditer(data)]
    if not starts:
        raise error
    header = data[: starts[0]]
    try:
        for _ in _records(path, header + b"</PubmedArticleSet>"):
            pass
    except ExtractorError:
        raise error from None
    ends = [*starts[1:], len(data)]
    return _Pieces(header, [data[begin:end] for begin, end in zip(starts, ends, strict=True)])


def _read_alone(path: Path, limits: Limits, piece: bytes, number: int, first: int, deleted: list[str] | None,
                state: dict[str, int], lines_before: int,
                last: bool = False) -> Iterator[tuple[int, Document | RecordFailure | None]]:
    """Record ``number`` parsed on its own; XML-illegal control characters are read as spaces, with a warning,
    and a record that still cannot be parsed is a RecordFailure, not the end of the stream."""
    dropped = 0
    for attempt in range(2):
        state["articles"] = number - 1
        found: list[str] = []
        try:
            items = list(_numbered(_records(path, piece, lines_before), path, limits, first, None, found, state))
        except MalformedDocument as error:
            cleaned, dropped = _XML_ILLEGAL.subn(b" ", piece)
            if attempt == 0 and dropped:
                piece = cleaned
                continue
            state["articles"] = number
            if number >= first:
                after = "" if last else "; the records after it were read"  # none follow the last record
                yield number, RecordFailure(record=f"record {number}", kind=error.kind,
                                            message=f"{error.message} in this record{after}", hint=error.hint)
            return
        if deleted is not None:
            deleted.extend(found)
        for item_number, item in items:
            if dropped and isinstance(item, Document):
                item.warnings.append(f"{dropped} control character(s) that XML does not allow were read as spaces")
            yield item_number, item
        return


def split_records(path: Path, size: int, limits: Limits | None = None) -> Iterator[tuple[int, bytes | None, bool, int]]:
    """The file cut into pieces of ``size`` records, each a well-formed document of its own.

    Yields ``(first record number, piece, last, lines before)``; a piece is the file's header
    (XML declaration, DOCTYPE, ``<PubmedArticleSet>``), its records, and a
    closing tag (the last piece keeps the file's own ending, with any
    DeleteCitation). A file of at most ``size`` records yields one
    ``(1, None, True, 0)``: read it whole. Lines before is how many lines of
    the file lie between its header and the piece's first record, so errors
    can name the file's line. The bytes are scanned, not parsed
    (about 10x faster), so one process can cut files for many workers; a
    damaged stream ends the last piece where the damage starts, and parsing
    that piece reports it.

    Planning is bounded as reading is: a file with more than
    ``limits.max_part_bytes`` between two record starts (or before the first),
    or that unpacks to more than ``limits.max_unpacked_bytes``, raises
    LimitExceeded, after a last piece with the whole records before the
    excess (a gzip bomb of white space is refused within the bound, never
    buffered whole).
    """
    header: bytes | None = None
    buffer = bytearray()
    starts: list[int] = []  # offsets in buffer of record starts after the piece's first
    scanned = 0
    first = 1
    lines_before = 0
    cut_any = False
    with open_bounded(path, limits or Limits()) as handle:
        while True:
            try:
                block = handle.read(1 << 20)
            except READ_ERRORS:
                block = b""  # damaged: what was read is the last piece
            except LimitExceeded:
                if header is not None and starts:
                    records = bytes(buffer[: starts[-1]])  # the records before the one that breaks the bound
                    yield first, header + records + b"</PubmedArticleSet>\n", False, lines_before
                raise
            buffer += block
            end = len(buffer) if not block else max(scanned, buffer.rfind(b"<"))  # a tag may be cut at the end
            found = [match.start() for match in _RECORD_START.finditer(buffer, scanned, end)]
            scanned = end
            if header is None and found:
                cut = found.pop(0)
                header = bytes(buffer[:cut])
                del buffer[:cut]
                found = [start - cut for start in found]
                scanned -= cut
            starts.extend(found)
            while header is not None and len(starts) >= size:
                cut = starts[size - 1]
                records = bytes(buffer[:cut])
                yield first, header + records + b"</PubmedArticleSet>\n", False, lines_before
                cut_any = True
                lines_before += records.count(b"\n")
                first += size
                del buffer[:cut]
                starts = [start - cut for start in starts[size:]]
                scanned -= cut
            if not block:
                break
    if not cut_any or header is None:
        yield 1, None, True, 0
    else:
        yield first, header + bytes(buffer), True, lines_before


_RECORD_START = re.compile(rb"<Pubmed(?:Book)?Article[\s>]")
_RECORD_OR_DELETION = (b"<PubmedArticle", b"<PubmedBookArticle", b"<DeleteCitation")  # marks for BoundedReader


def count_records(path: Path) -> int:
    """How many articles the file holds, by scanning its bytes (about 10x faster than parsing)."""
    count = 0
    carry = b""
    with open_xml(path) as handle:
        try:
            for block in iter(lambda: handle.read(1 << 20), b""):
                data = carry + block
                cut = data.rfind(b"<")  # a tag cut by the block boundary is counted with the next block
                cut = cut if cut >= 0 else len(data)
                count += len(_RECORD_START.findall(data, 0, cut))
                carry = data[cut:]
        except READ_ERRORS as error:
            raise parse_error(error) from None
    return count + len(_RECORD_START.findall(carry))


def deleted_pmids(path: Path) -> list[str]:
    """PMIDs listed in the file's ``DeleteCitation`` blocks, in file order."""
    pmids: list[str] = []
    for kind, element in _records(path):
        if kind == "DeleteCitation":
            pmids.extend(squash(pmid.text) for pmid in element.iter("PMID") if squash(pmid.text))
    return pmids


def xml_parser(target: Any = None) -> ET.XMLParser:
    """An expat parser that never fetches a DTD but knows HTML named entities a DOCTYPE implies (building a tree,
    or feeding ``target``)."""
    parser = ET.XMLParser(target=target if target is not None else ET.TreeBuilder())
    parser.entity.update({name: chr(code) for name, code in name2codepoint.items()})
    return parser


@contextmanager
def open_bounded(path: Path, limits: Limits) -> Iterator[BoundedReader]:
    """The file as ``open_xml`` gives it, raising LimitExceeded past the limits on what it unpacks to
    and on the bytes between two record starts."""
    with open_xml(path) as handle:
        yield BoundedReader(handle, "the XML", limits.max_unpacked_bytes, limits.max_part_bytes,
                            _RECORD_OR_DELETION, "PubmedArticle start")


@contextmanager
def open_xml(path: Path) -> Iterator[IO[bytes]]:
    """The file as a binary stream, gunzipped when it starts with the gzip magic."""
    with open(path, "rb") as raw:
        gzipped = raw.read(2) == b"\x1f\x8b"
    handle: IO[bytes] = gzip.open(path, "rb") if gzipped else open(path, "rb")  # noqa: SIM115
    try:
        yield handle
    finally:
        handle.close()


def parse_error(error: Exception, lines_before: int = 0) -> MalformedDocument:
    """A typed error, with the line (``lines_before`` added), for an expat or gzip failure."""
    if isinstance(error, ET.ParseError):
        line, column = error.position
        line += lines_before
        reason = str(error).split(":", 1)[0]
        if error.code in _ENDS_EARLY:
            return TruncatedDocument(f"the XML ends early ({reason}) at line {line}, column {column}")
        return MalformedDocument(f"the XML is malformed ({reason}) at line {line}, column {column}")
    if isinstance(error, EOFError):
        return TruncatedDocument("the gzip stream ends early")
    return MalformedDocument(f"the gzip stream is damaged ({error})")


def _records(path: Path, data: bytes | None = None, lines_before: int = 0,
             limits: Limits | None = None) -> Iterator[tuple[str, ET.Element]]:
    """(tag, element) for each article or DeleteCitation, cleared after use (of ``data`` when given).

    The file is read within ``limits`` (see ``open_bounded``); a piece in ``data`` was bounded when it was cut.
    """
    source = nullcontext(io.BytesIO(data)) if data is not None else open_bounded(path, limits or Limits())
    with source as handle:
        root: ET.Element | None = None
        try:
            for event, element in ET.iterparse(handle, events=("start", "end"), parser=xml_parser()):
                if event == "start":
                    if root is None:
                        root = element
                    continue
                if element.tag in _RECORD_TAGS or element.tag == "DeleteCitation":
                    yield element.tag, element
                    element.clear()
                    if root is not None and root is not element:
                        root.clear()  # drop the emptied children too
        except READ_ERRORS as error:
            raise parse_error(error, lines_before) from None


def flatten(element: ET.Element | None, skip: frozenset[str] = frozenset()) -> str:
    """The element's text with inline markup removed and white space squashed."""
    if element is None:
        return ""
    pieces: list[str] = []

    def walk(node: ET.Element) -> None:
        if node.text:
            pieces.append(node.text)
        for child in node:
            if child.tag not in skip:
                if child.tag in _TIGHT_INLINE and pieces and "\n" in pieces[-1][-20:]:
                    pieces[-1] = pieces[-1].rstrip()  # "beta\n   <sub>2</sub>" is one token
                spacer = " " if child.tag in _SPACED else ""
                pieces.append(spacer)
                walk(child)
                pieces.append(spacer)
            if child.tail:
                pieces.append(child.tail)

    walk(element)
    return unicodedata.normalize("NFC", squash("".join(pieces)))


def normal_doi(raw: str | None) -> str | None:
    """A DOI in lower case, without a resolver prefix."""
    doi = squash(raw)
    doi = re.sub(r"^(?:doi:\s*|https?://(?:dx\.)?doi\.org/)", "", doi, flags=re.I)
    return clean_doi(doi) if doi.startswith("10.") else None


def labelled_sections(document: Document, parts: list[tuple[str, str]]) -> None:
    """Add a Section for each ``(label, text)`` part found inside the abstract span."""
    if not document.abstract_span:
        return
    position, end = document.abstract_span
    for label, part in parts:
        start = document.text.find(part, position, end)
        if start < 0:
            continue
        position = start + len(part)
        document.sections.append(Section(heading=label, start=start, end=position))
    document.sections.sort(key=lambda section: (section.start, -section.end))


def _document_or_failure(
    element: ET.Element, path: Path, index: int, limits: Limits
) -> Document | RecordFailure:
    try:
        return _document(element, path, index, limits)
    except RecursionError:
        error = nested_too_deeply(f"record {index}")
        return RecordFailure(record=f"record {index}", kind=error.kind, message=error.message, hint=error.hint)


def _document(element: ET.Element, path: Path, index: int, limits: Limits) -> Document | RecordFailure:
    citation = element.find("MedlineCitation")
    if citation is None:
        citation = element.find("BookDocument")
    if citation is None:
        return RecordFailure(
            record=f"record {index}",
            kind=MalformedDocument.kind,
            message="the record has neither MedlineCitation nor BookDocument",
            hint=MalformedDocument.hint,
        )
    article = citation.find("Article")
    if article is None:
        article = citation  # a BookDocument keeps title, abstract and authors at its top level
    title = flatten(article.find("ArticleTitle")) or flatten(citation.find("Book/BookTitle"))
    title = title or flatten(article.find("VernacularTitle"))
    parts = _abstract_parts(article.find("Abstract"))
    abstract = "\n\n".join(text for _, text in parts)
    document = make_document(
        fmt=FORMAT,
        path=path,
        title=title or None,
        abstract=abstract or None,
        metadata=_metadata(element, citation, article),
        record_index=index,
        limits=limits,
    )
    labelled_sections(document, [(label, text) for label, text in parts if label])
    return document


def _abstract_parts(abstract: ET.Element | None) -> list[tuple[str, str]]:
    """``(label, "LABEL: text")`` per AbstractText; the label is "" when there is none."""
    if abstract is None:
        return []
    parts: list[tuple[str, str]] = []
    for node in abstract.findall("AbstractText"):
        text = flatten(node)
        label = squash(node.get("Label"))
        if label.upper() in _NO_LABEL:
            label = ""
        if text:
            parts.append((label, f"{label}: {text}" if label else text))
    return parts


def _metadata(element: ET.Element, citation: ET.Element, article: ET.Element) -> Metadata:
    id_list = element.find("PubmedData/ArticleIdList")
    if id_list is None:
        id_list = citation.find("ArticleIdList")
    ids = {node.get("IdType", ""): squash(node.text) for node in (id_list if id_list is not None else [])}
    doi = next(
        (
            normal_doi(node.text)
            for node in article.findall("ELocationID")
            if node.get("EIdType") == "doi" and node.get("ValidYN") != "N"
        ),
        None,
    )
    pmcid = ids.get("pmc", "")
    mesh = [flatten(node) for node in citation.findall("MeshHeadingList/MeshHeading/DescriptorName")]
    keywords = [flatten(node) for node in citation.findall("KeywordList/Keyword")]
    types = article.findall("PublicationTypeList/PublicationType") or citation.findall("PublicationType")
    registrations = [squash(node.text) for node in article.iter("AccessionNumber") if squash(node.text)]
    issue = article.find("Journal/JournalIssue")
    extra: dict[str, object] = citation_numbers(
        issue.findtext("Volume") if issue is not None else None, issue.findtext("Issue") if issue is not None else None,
        article.findtext("Pagination/MedlinePgn") or article.findtext("Pagination/StartPage"),
        None if article.findtext("Pagination/MedlinePgn") else article.findtext("Pagination/EndPage"))
    if registrations:
        extra["registrations"] = registrations
    if mesh:
        extra["mesh"] = mesh
    return Metadata(
        authors=_authors(article.find("AuthorList")),
        year=_year(element, citation, article),
        journal=_journal(citation, article),
        doi=doi or normal_doi(ids.get("doi")),
        pmid=squash(citation.findtext("PMID")) or ids.get("pubmed") or None,
        pmcid=("PMC" + pmcid.upper().removeprefix("PMC")) if pmcid else None,
        publication_types=_unique(flatten(node) for node in types),
        keywords=_unique([*keywords, *mesh]),
        language=squash(article.findtext("Language")) or None,
        extra=extra,
    )


def _authors(author_list: ET.Element | None) -> list[str]:
    if author_list is None:
        return []
    authors: list[str] = []
    for author in author_list.findall("Author"):
        if author.get("ValidYN") == "N":
            continue
        last = squash(author.findtext("LastName"))
        first = squash(author.findtext("ForeName")) or squash(author.findtext("Initials"))
        name = f"{last}, {first}" if last and first else last or flatten(author.find("CollectiveName"))
        if name:
            authors.append(name)
    return authors


def _year(element: ET.Element, citation: ET.Element, article: ET.Element) -> int | None:
    for date in (article.find("Journal/JournalIssue/PubDate"), citation.find("Book/PubDate")):
        if date is not None:
            year = first_year(date.findtext("Year")) or first_year(date.findtext("MedlineDate"))
            if year:
                return year
    for date in [*article.findall("ArticleDate"), *element.findall("PubmedData/History/PubMedPubDate")]:
        year = first_year(date.findtext("Year"))
        if year:
            return year
    return None


def _journal(citation: ET.Element, article: ET.Element) -> str | None:
    for text in (
        article.findtext("Journal/Title"),
        article.findtext("Journal/ISOAbbreviation"),
        citation.findtext("MedlineJournalInfo/MedlineTA"),
    ):
        if squash(text):
            return squash(text)
    return None


def _unique(values: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for value in values:
        if value:
            seen.setdefault(value, None)
    return list(seen)
