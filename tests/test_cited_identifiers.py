"""The document's own identifiers against those of the papers it cites: one test per reference-list layout
(numbered list, a "References" heading, an author-year list without a heading, a deck's references slide), the
registrations of cited trials, the store's role column, and the issue's two real files when ../shared is there.
All texts here are invented."""

from __future__ import annotations

from pathlib import Path

from hostile_inputs import write_pptx

from conftest import shared_path
from extractor.identifiers import attach_identifiers, reference_heading, reference_spans
from extractor.readers import read_path
from extractor.readers.text import parse_plain_text
from extractor.store import Store, prepare_record
from extractor.types import Document

ABSTRACT = ("Background: Anaemia in invented children is common. Methods: We randomised 120 children. Results: "
            "Iron rose (MD 1.2, 95% CI 0.4 to 2.0). Conclusions: It works. Trial registration: NCT01111111.\n")
OWN_HEAD = ("An invented trial of iron for anaemic children\n\nJ Invent Med. 2010;86:272-278. "
            "doi: 10.5555/own.2010.1. PMID: 20000001\n\nAbstract\n\n" + ABSTRACT)


def read_text(text: str) -> Document:
    return attach_identifiers(parse_plain_text(text, "invented.txt"))


def roles(document: Document) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {"own": set(), "cited": set()}
    for identifier in document.identifiers:
        found[identifier.role].add(identifier.value.lower())
    return found


def test_a_numbered_list_under_a_references_heading_is_cited() -> None:
    text = OWN_HEAD + (
        "\nDiscussion\n\nIron helps, as others found.\n\nREFERENCES\n"
        "1. World Invented Organization. Prevalence of anaemia 1993-2005. Geneva: WIO, 2008.\n\n"
        "2. Doe J, Roe A. Nutritional iron deficiency. Lancet 2007;370:511-20.\n\n"
        "(PMID: 17000002), doi: 10.5555/cited.2007.2.\n\n"
        "3. Poe E, Moe B. Iron in a registered trial (NCT02222222). Gut 2008;57:1-9.\n")
    document = read_text(text)
    assert roles(document)["cited"] == {"17000002", "10.5555/cited.2007.2", "nct02222222"}
    assert (document.metadata.pmid, document.metadata.doi) == ("20000001", "10.5555/own.2010.1")
    assert document.registrations == ["NCT01111111"]


def test_a_numbered_list_without_a_heading_is_cited() -> None:
    text = OWN_HEAD.replace(" PMID: 20000001", "") + (
        "\n[1] Doe J, Roe A. An invented cohort. BMJ 2011;342:d1-9. PMID: 21000001\n"
        "[2] Poe E. Another invented cohort. J Invent Med 2012;5(2):10-19. PMID: 22000002\n")
    document = read_text(text)
    assert roles(document)["cited"] == {"21000001", "22000002"}
    assert document.metadata.pmid is None  # the only PMIDs are the cited papers'


def test_an_author_year_list_without_a_heading_is_cited() -> None:
    text = ("Workshop on invented parenting programmes\n\nJane Roe, invented lead\n\n"
            "The evidence says programmes help (Doe et al., 2015).\n\n" * 3 +
            "Doe, J., Roe, A., Poe, E. & Moe, B. (2015) *Invented rapid review*. London: Invented Press.\n\n"
            "*Doe, J., Bennet, C. (2015). Invented parent-infant therapy. Invented Database of Reviews, Issue 1. "
            "DOI: 10.5555/invented.cd000001.pub2.\n\n"
            "*Roe, A. (2008). Video feedback in invented families. *Invented Psychology Review*, 28(6), 904-16.\n\n"
            "References (* indicates review included)\n")
    document = read_text(text)
    assert roles(document)["cited"] == {"10.5555/invented.cd000001.pub2"}
    assert document.metadata.doi is None


def test_a_decks_references_slide_is_cited_and_the_next_slide_is_not(tmp_path: Path) -> None:
    path = write_pptx(tmp_path / "deck.pptx", [
        "An invented talk on iron\nJane A. Roe",
        "Our invented trial\nWe randomised 120 children (NCT01111111).",
        "References\nDoe J, Roe A. Iron. Lancet 2007;370:511-20. doi:10.5555/cited.2007.2\n"
        "Poe E. Another trial (NCT02222222). Gut 2008;57:1-9.",
        "Contact\nOur own talk's record: doi:10.5555/own.talk.1",
    ])
    [document] = list(read_path(path))
    assert roles(document) == {"own": {"nct01111111", "10.5555/own.talk.1"},
                               "cited": {"10.5555/cited.2007.2", "nct02222222"}}
    assert document.registrations == ["NCT01111111"]
    assert document.metadata.authors == ["Jane A. Roe"]


def test_pubmed_similar_articles_and_cited_by_lists_are_not_the_documents() -> None:
    text = OWN_HEAD.replace(" PMID: 20000001", "") + (
        "\nSimilar articles\n\nAn invented similar trial. Doe J, et al. Gut. 2019. PMID: 31000001\n\n"
        "Cited by\n\nA later invented trial. Poe E, et al. BMJ. 2021. PMID: 33000003\n\n"
        "Publication types\n\nRandomized Controlled Trial\n\nPMID: 20000001\n")
    document = read_text(text)
    assert roles(document)["cited"] == {"31000001", "33000003"}
    assert document.metadata.pmid == "20000001"


def test_the_documents_own_cite_this_article_line_at_the_end_stays_its_own() -> None:
    text = ("An invented review of iron\n\nAbstract\n\n" + ABSTRACT + "\nReferences\n"
            "1. Doe J, Roe A: An invented trial. Gut 2006, 19:516-532.\n"
            "2. Poe E: Another invented trial. BMJ 2002, 17(6):477-486.\n\n"
            "doi:10.5555/own.review.1 Cite this article as: Roe et al.: An invented review of iron. "
            "J Invent Rev 2010, 4:1.\n")
    document = read_text(text)
    assert document.metadata.doi == "10.5555/own.review.1"
    assert roles(document)["own"] == {"10.5555/own.review.1", "nct01111111"}


def test_prose_with_years_and_numbers_is_not_a_reference_list() -> None:
    text = OWN_HEAD + ("\nIn 2013, 203 children were seen; in 2014, 250 (Doe 2015).\n\n"
                       "Smith and colleagues (2019) found 12 of 40 improved; see doi:10.5555/data.1 for the data.\n")
    assert reference_spans(text) == []


def test_cited_identifiers_keep_their_role_in_the_store(tmp_path: Path) -> None:
    document = read_text(OWN_HEAD + "\nReferences\n1. Doe J. A trial. Gut 2007;3:1-9. PMID: 17000002\n"
                                    "2. Roe A. A trial. BMJ 2008;4:2-9. PMID: 18000002\n")
    document.doc_id = "invented"
    store = Store(tmp_path / "x.db")
    run = store.start_run("extract", {}, [], "test")
    store.write_records([prepare_record(document, [])], [], [], run, "")
    stored = store.document("invented")
    assert stored is not None
    assert {(i.value, i.role) for i in stored.identifiers if i.scheme == "pmid"} == {
        ("20000001", "own"), ("17000002", "cited"), ("18000002", "cited")}
    assert store.stats()["registrations"] == 1
    store.close()


def test_the_issues_pdf_does_not_take_its_reference_2s_pmid() -> None:
    path = shared_path("formats", "pdf_articles", "cermine_test5_PostgradMedJ2010_Hpylori_IDA_metaanalysis.pdf")
    [document] = list(read_path(path))
    assert document.metadata.pmid != "17693180"
    assert document.metadata.doi == "10.1136/pgmj.2009.089987"
    assert all(i.cited for i in document.identifiers if i.value == "17693180")


def test_the_issues_slide_deck_seed_does_not_take_barlows_doi() -> None:
    [document] = list(read_path(shared_path("corpus", "seeds", "001_74916d8e9abd76f7.txt")))
    assert document.metadata.doi != "10.1002/14651858.cd010534.pub2"
    assert all(i.cited for i in document.identifiers if i.value == "10.1002/14651858.cd010534.pub2")


def test_a_reference_list_ends_where_prose_starts_again() -> None:
    text = ("An invented deck on home visiting\n\nJane A. Roe\n\n"
            "Doe, J., Roe, A. (2015) Invented review. *Invented Journal* 21 (1), 11-20. doi:10.5555/cited.1\n\n"
            "Poe, E. (2013). Invented massage trial. *Invented Reviews*, 2013 (4).\n\n"
            "References (* indicates review included)\n\n"
            "The invented unit is an independent charity that brings evidence to bear on services for children.\n\n"
            "Contact us\n\n"
            "Our own programme was tested in a randomised trial that we registered before it began to recruit.\n\n"
            "The trial of the programme is registered as NCT03333333 and reports its results in the spring.\n")
    document = read_text(text)
    assert roles(document) == {"own": {"nct03333333"}, "cited": {"10.5555/cited.1"}}
    assert document.registrations == ["NCT03333333"]


def test_the_first_reference_heading_after_a_position_is_found_in_several_languages() -> None:
    text = "Abstract\nWe surveyed 300 parents.\n\nDiscussion\nThe references below were read.\n\nLiteraturverzeichnis\n1. A B."
    heading = reference_heading(text, 0)
    assert heading is not None and text[heading:].startswith("Literaturverzeichnis")
    assert reference_heading(text, heading + 1) is None  # none after it
    assert reference_heading("References\nSmith J (2001).\n\nBody text.", 5) is None  # a heading before start
    assert reference_heading("Body text.\n## 7. REFERENCES\n1. Smith J (2001).", 0) == len("Body text.\n")
