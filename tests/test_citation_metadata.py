"""Bibliographic metadata from the text: citation lines, bylines, PDF metadata, tagged exports, and the study
labels of forest plots and exports. Invented texts, then the issue's seeds and PDFs when ../shared is there."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import shared_path, write
from extractor.readers import read_path
from extractor.readers.base import squash
from extractor.readers.citation import author_line, parse_citation, pdf_metadata
from extractor.readers.tagged import unique_authors
from extractor.synthesis.records import first_author_surname, study_label, study_year
from extractor.types import Document, Metadata, StudyUnit


@pytest.mark.parametrize(("line", "expected"), [
    ("Nat Med. 2025 May;31(5):1617-1625.", ("Nat Med", 2025, "31", "5", "1617-1625")),
    ("Child Abuse Negl. 2024 Mar:149:106694. doi: 10.1016/j.x.2024.1. Epub 2024 Feb 14.",
     ("Child Abuse Negl", 2024, "149", None, "106694")),
    ("Br J Psychiatry 2013; 203: 436-44", ("Br J Psychiatry", 2013, "203", None, "436-44")),
    (". 2025 May;31(5):1617-1625.", (None, 2025, "31", "5", "1617-1625")),
    ("Invented Health Research 2014, 14:1 http://www.example.org/14/1", ("Invented Health Research", 2014, "14",
                                                                         None, "1")),
    ("International Inventions (2014), 26:1, 147–154 © Society", ("International Inventions", 2014, "26", "1",
                                                                  "147-154")),
    ("Invent Med J 2010;86:272e278. doi:10.5555/x", ("Invent Med J", 2010, "86", None, "272-278")),
    ("J. Am. Invent. Assoc. 2019;321(4):345-350", ("J. Am. Invent. Assoc", 2019, "321", "4", "345-350")),
    ("Invented Practice Volume 2010, Article ID 157939, 6 pages", ("Invented Practice", 2010, "2010", None,
                                                                   "157939")),
])
def test_citation_lines_give_journal_year_volume_issue_and_pages(line: str, expected: tuple) -> None:
    citation = parse_citation(line)
    assert citation is not None
    assert (citation.journal, citation.year, citation.volume, citation.issue, citation.pages) == expected


def test_pubmeds_short_citation_gives_the_first_author() -> None:
    citation = parse_citation("Jane\u00a0Roe et al. Invent Med. 2025 May.")
    assert citation is not None and (citation.authors, citation.journal, citation.year) == (["Jane Roe"],
                                                                                             "Invent Med", 2025)


def test_a_citation_label_line_gives_every_author() -> None:
    citation = parse_citation("Citation: Roe J, Doe AB, Poe E (2018) An invented title (Triticum L.) that runs on. "
                              "PLoS ONE 13(6): e0197919. https://doi.org/10.5555/x")
    assert citation is not None
    assert (citation.authors, citation.year, citation.journal, citation.volume, citation.issue, citation.pages) == (
        ["Roe J", "Doe AB", "Poe E"], 2018, "PLoS ONE", "13", "6", "e0197919")


@pytest.mark.parametrize("line", ["In 2013: 203 patients (45%) were seen.", "Results were similar in 2019.",
                                  "Table 2. Outcomes at 2019; 12 of 40 improved"])
def test_prose_is_not_a_citation_line(line: str) -> None:
    citation = parse_citation(line)
    assert citation is None or citation.journal is None


@pytest.mark.parametrize(("line", "names"), [
    ("Ann Roe,1 Ben Doe,2 Cy Poe3 and Dee-Ann Moe4", ["Ann Roe", "Ben Doe", "Cy Poe", "Dee-Ann Moe"]),
    ("Ann B. Roe1*, Ben Doe2,3 and Cy van der Poe5", ["Ann B. Roe", "Ben Doe", "Cy van der Poe"]),
    ("Ann Roe☯, Ben C Doe", ["Ann Roe", "Ben C Doe"]),
    ("Research Article", []),
    ("Department of Invented Studies, University of Nowhere", []),
    ("Children entering care are at risk.", []),
])
def test_bylines_give_the_authors(line: str, names: list[str]) -> None:
    assert author_line(line) == names


def test_pdf_info_and_xmp_give_authors_journal_year_and_doi() -> None:
    xmp = ("<x:xmpmeta><rdf:RDF><rdf:Description><dc:creator><rdf:Seq><rdf:li>Ann Roe</rdf:li><rdf:li>Ben Doe"
           "</rdf:li></rdf:Seq></dc:creator><prism:publicationName>Journal of Invented Trials"
           "</prism:publicationName><prism:coverDate>2016-03-01</prism:coverDate><prism:volume>12</prism:volume>"
           "<prism:doi>10.5555/XMP.1</prism:doi></rdf:Description></rdf:RDF></x:xmpmeta>")
    metadata = pdf_metadata({"author": "Cambridge Journals", "title": "doi:"}, xmp)
    assert (metadata.authors, metadata.journal, metadata.year, metadata.doi, metadata.extra["volume"]) == (
        ["Ann Roe", "Ben Doe"], "Journal of Invented Trials", 2016, "10.5555/xmp.1", "12")
    subject = pdf_metadata({"subject": "Journal of Invented Outcomes 2010 4:1. doi:10.5555/sub.1",
                            "author": "Ann B. Roe {et al.}"}, None)
    assert (subject.authors, subject.journal, subject.year, subject.doi) == (
        ["Ann B. Roe"], "Journal of Invented Outcomes", 2010, "10.5555/sub.1")


def test_pasted_pubmed_text_gets_journal_year_numbers_and_first_author(tmp_path: Path) -> None:
    path = write(tmp_path, "pubmed.txt", (
        b"Clinical Trial\n. 2025 May;31(5):1617-1625.\ndoi: 10.5555/own.1. Epub 2025 May 1.\n\n"
        b"An invented cluster-randomised trial of home visits\n\nJane Roe et al. Invent Med. 2025 May.\n\n"
        b"Abstract\n\nWe randomised 40 invented clinics.\n"))
    [document] = list(read_path(path))
    metadata = document.metadata
    assert (metadata.journal, metadata.year, metadata.authors) == ("Invent Med", 2025, ["Jane Roe"])
    assert {k: metadata.extra.get(k) for k in ("volume", "issue", "pages")} == {
        "volume": "31", "issue": "5", "pages": "1617-1625"}


def test_a_decks_title_slide_gives_its_author(tmp_path: Path) -> None:
    from hostile_inputs import write_pptx

    [document] = list(read_path(write_pptx(tmp_path / "talk.pptx", ["Invented evidence on home visits\n"
                                                                     "Jane Roe PhD", "Second slide\nText."])))
    assert document.metadata.authors == ["Jane Roe"]


def test_tagged_exports_keep_each_author_once_and_parse_the_volume(tmp_path: Path) -> None:
    assert unique_authors(["Roe Ann M.", "Doe Ben", "Invented Consortium", "Roe Ann M.", "Doe Ben C.",
                           "Poe Cy"]) == ["Roe Ann M.", "Doe Ben C.", "Invented Consortium", "Poe Cy"]
    path = write(tmp_path, "export.txt", (
        b"AUTHOR=Roe Ann M. , Doe Ben , Roe Ann , Doe Ben TITLE=An invented trial JOURNAL=Frontiers in Inventions "
        b"VOLUME=Volume 16 - 2025 YEAR=2025 ABSTRACT=BackgroundWe did it."))
    [document] = list(read_path(path))
    assert document.metadata.authors == ["Roe Ann M.", "Doe Ben"]
    assert document.metadata.extra["volume"] == "16"


@pytest.mark.parametrize(("name", "family"), [("Roe, Ann", "Roe"), ("Roe AB", "Roe"), ("Ann B. Roe", "Roe"),
                                              ("Roe Ann M.", "Roe"), ("Ann Agyeman-Roe", "Agyeman-Roe")])
def test_surnames_in_every_author_form(name: str, family: str) -> None:
    assert first_author_surname(name) == family


def test_study_labels_are_first_author_and_year_when_known() -> None:
    document = Document(doc_id="file_name", source_path="x", format="text", text="",
                        metadata=Metadata(authors=["Jane Roe", "Ben Doe"], year=2025))
    unit = StudyUnit(index=0, label=None, start=0, end=0)
    assert study_label(document, unit, 1) == "Roe 2025"
    document.metadata.year = None
    assert study_label(document, unit, 1) == "file_name"  # a surname alone labels too little to tell studies apart
    document.metadata.authors = []
    assert study_label(document, unit, 1) == "file_name"
    review_study = StudyUnit(index=1, label="Fukkink (2008)", start=0, end=0)
    assert (study_label(document, review_study, 3), study_year(document, review_study, 3)) == ("Fukkink (2008)", 2008)


@pytest.mark.parametrize(("seed", "journal", "year", "first"), [
    ("000_0884528b0fcadf65.txt", "Nat Med", 2025, "Karen Crawford"),
    ("002_394a20227a95f92c.txt", "Child Abuse Negl", 2024, None),
])
def test_the_issues_pasted_seeds_get_journal_and_year(seed: str, journal: str, year: int, first: str | None) -> None:
    [document] = list(read_path(shared_path("corpus", "seeds", seed)))
    assert (document.metadata.journal, document.metadata.year) == (journal, year)
    if first:
        assert document.metadata.authors[0] == first


def test_the_issues_citation_export_seed_has_no_duplicate_authors_and_a_parsed_volume() -> None:
    [document] = list(read_path(shared_path("corpus", "seeds", "003_ca33390195db33ec.txt")))
    families = [first_author_surname(name) for name in document.metadata.authors]
    assert len(families) == len(set(families))
    assert document.metadata.extra["volume"] == "16"


@pytest.mark.parametrize(("name", "first", "journal", "year"), [
    ("cermine_example1_IntPsychogeriatr2014.pdf", "Anna Sundström", "International Psychogeriatrics", 2014),
    ("cermine_example2_BMCHealthServRes2014.pdf", "Josephine Nana Afrakoma Agyeman-Duah",
     "BMC Health Services Research", 2014),
    ("cermine_test1_JTraumaManagOutcomes2010_review.pdf", "Indraneel Datta", "Journal of Trauma Management & Outcomes",
     2010),
    ("cermine_test2_RehabilResPract2010.pdf", "Nuala E. Tully", "Rehabilitation Research and Practice", 2010),
    ("cermine_test5_PostgradMedJ2010_Hpylori_IDA_metaanalysis.pdf", "Xiaolu Huang", "Postgrad Med J", 2010),
    ("scienceparse_e4faf2c1_PLOSONE2018_wheat_metabolomics.pdf", "Kayla Thomason", "PLoS ONE", 2018),
])
def test_pdf_articles_get_what_their_first_pages_print(name: str, first: str, journal: str, year: int) -> None:
    [document] = list(read_path(shared_path("formats", "pdf_articles", name)))
    metadata = document.metadata
    assert (metadata.authors[0], metadata.journal, metadata.year) == (first, journal, year)


@pytest.mark.parametrize(("line", "year"), [
    ("Nat Med. 31(5):1617-1625.", None),  # numbers without a year: no citation form reads them
    ("Nat Med. 2025 May;31(5):1617-1625.", 2025),
    ("Karen Crawford et al. Nat Med. 2025 May.", 2025),
])
def test_only_a_line_with_a_year_is_read_as_a_citation(line: str, year: int | None) -> None:
    from extractor.readers.citation import parse_citation

    citation = parse_citation(line)
    assert (citation.year if citation else None) == year


@pytest.mark.parametrize("text", ["  a\tb\n\n c  ", "x\u00a0\u2003y\u3000z\x1c", "\x00\x07bell\x0b\x0cend\x7f",
                                  "no change", "\u2028line\u2029para\x85next", ""])
def test_squash_collapses_white_space_as_the_regular_expression_did(text: str) -> None:
    expected = re.sub(r"\s+", " ", re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", text)).strip()
    assert squash(text) == expected


def test_a_byline_needs_four_parts_in_five_to_be_names() -> None:
    four_of_five = "Anna Smith, Bob Jones, Carla Diaz, Dan Brown, the trial group"
    assert author_line(four_of_five) == ["Anna Smith", "Bob Jones", "Carla Diaz", "Dan Brown"]
    three_of_five = "Anna Smith, the trial group, Bob Jones, Carla Diaz, other staff"
    assert author_line(three_of_five) == []
    assert author_line("We randomised patients, who were followed, and Anna Smith, Bob Jones") == []
