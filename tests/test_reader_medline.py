"""MEDLINE/.nbib reader: real PubMed exports from ../shared/formats/medline_nbib, plus edge cases."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import (
    CORPUS,
    assert_document_invariants,
    documents_of,
    failures_of,
    read_all,
    read_shared,
    shared_path,
    write,
)
from extractor import readers
from extractor.errors import EmptyDocument, MalformedDocument
from extractor.readers import medline
from extractor.readers.base import Limits

FOLDER = ("formats", "medline_nbib")

# Counted independently: `grep -c '^PMID-'`, `grep -c '^AB  -'`, records with a `[doi]` LID/AID line (awk),
# `grep -c '^PMC -'`.
# file -> (records, with abstract, with DOI, with PMCID)
COUNTS = {
    "p1m-ortho_citations.nbib": (200, 186, 122, 28),
    "biopython_pubmed_result2.txt": (4, 4, 3, 1),
    "synthesisr_PubMed_example.txt": (3, 3, 3, 1),
}

# file -> (first PMID, first title, last PMID, last title, first DOI)
FIRST_AND_LAST = {
    "p1m-ortho_citations.nbib": (
        "30514039",
        "[Feasibility study of preoperative percutaneous catheter drainage in the treatment of lumbar "
        "tuberculosis with psoas abscess].",
        "11981730",
        "Vertebral osteomyelitis: long-term outcome for 253 patients from 7 Cleveland-area hospitals.",
        "10.3969/j.issn.1003-0034.2018.11.004",
    ),
    "biopython_pubmed_result2.txt": (
        "16403221",
        "A high level interface to SCOP and ASTRAL implemented in python.",
        "14630660",
        "PDB file parser and structure class implemented in Python.",
        "10.1186/1471-2105-7-10",
    ),
    "synthesisr_PubMed_example.txt": (
        "28441597",
        "Differences in nitrate and phosphorus export between wooded and grassed riparian zones from farmland "
        "to receiving waterways under varying rainfall conditions.",
        "29967742",
        "Mulch and groundcover effects on soil temperature and moisture, surface reflectance, grapevine water "
        "potential, and vineyard weed management.",
        "10.1016/j.scitotenv.2017.04.075",
    ),
}

@pytest.mark.parametrize("name", sorted(COUNTS))
def test_real_export_is_sniffed_as_medline(name: str) -> None:
    assert readers.detect_format(shared_path(*FOLDER, name)) == "medline"


@pytest.mark.parametrize(("name", "expected"), sorted(COUNTS.items()))
def test_real_export_yields_one_document_per_pmid(name: str, expected: tuple[int, int, int, int]) -> None:
    items = read_shared(*FOLDER, name)
    documents = documents_of(items)
    assert failures_of(items) == []
    counted = (
        len(documents),
        sum(1 for doc in documents if doc.abstract),
        sum(1 for doc in documents if doc.metadata.doi),
        sum(1 for doc in documents if doc.metadata.pmcid),
    )
    assert counted == expected
    assert all(doc.metadata.pmid and doc.doc_id.endswith("/" + doc.metadata.pmid) for doc in documents)


@pytest.mark.parametrize(("name", "expected"), sorted(FIRST_AND_LAST.items()))
def test_first_and_last_records_have_exact_pmids_and_titles(name: str, expected: tuple) -> None:
    first_pmid, first_title, last_pmid, last_title, first_doi = expected
    documents = documents_of(read_shared(*FOLDER, name))
    assert (documents[0].metadata.pmid, documents[0].title) == (first_pmid, first_title)
    assert (documents[-1].metadata.pmid, documents[-1].title) == (last_pmid, last_title)
    assert documents[0].metadata.doi == first_doi


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_every_real_document_keeps_the_span_invariants(name: str) -> None:
    for document in documents_of(read_shared(*FOLDER, name)):
        assert_document_invariants(document)
        assert document.format == "medline"


@pytest.mark.parametrize(
    ("name", "index", "field", "expected"),
    [
        (
            "biopython_pubmed_result2.txt",
            0,
            "authors",
            ["Casbon, James A", "Crooks, Gavin E", "Saqi, Mansoor A S"],
        ),
        ("biopython_pubmed_result2.txt", 0, "year", 2006),
        ("biopython_pubmed_result2.txt", 0, "journal", "BMC bioinformatics"),
        ("biopython_pubmed_result2.txt", 0, "publication_types", ["Evaluation Studies", "Journal Article"]),
        ("p1m-ortho_citations.nbib", 0, "year", 2018),
        ("p1m-ortho_citations.nbib", 0, "language", "chi"),
        ("synthesisr_PubMed_example.txt", 0, "pmid", "28441597"),
    ],
)
def test_real_metadata_fields(name: str, index: int, field: str, expected: object) -> None:
    assert getattr(documents_of(read_shared(*FOLDER, name))[index].metadata, field) == expected


def test_wrapped_abstract_lines_are_joined_with_single_spaces() -> None:
    abstract = documents_of(read_shared(*FOLDER, "biopython_pubmed_result2.txt"))[0].abstract or ""
    assert abstract.startswith(
        "BACKGROUND: Benchmarking algorithms in structural bioinformatics often involves the "
    )
    assert "\n" not in abstract and "  " not in abstract


def test_keywords_take_mesh_and_other_terms() -> None:
    keywords = documents_of(read_shared(*FOLDER, "synthesisr_PubMed_example.txt"))[0].metadata.keywords
    assert "Buffer strips" in keywords  # an OT term


def test_corpus_example_carries_registration_from_si() -> None:
    documents = documents_of(read_all(CORPUS / "example_pubmed.nbib"))
    first = documents[0]
    assert first.metadata.extra["registrations"] == ["ClinicalTrials.gov/NCT09999911"]
    assert first.registrations == ["NCT09999911"]
    assert first.metadata.pmcid == "PMC9999911"
    assert (
        first.title
        == "Morning light exposure and sleep onset in night-shift nurses: an invented randomized trial."
    )
    assert documents[1].metadata.doi == "10.5555/example.nbib.012"  # from AID


def test_record_with_neither_title_nor_abstract_fails_alone(tmp_path: Path) -> None:
    data = b"PMID- 1\nTI  - Kept one.\n\nPMID- 2\nAU  - Nobody A\n\nPMID- 3\nAB  - Kept three.\n"
    items = read_all(write(tmp_path, "gap.nbib", data))
    assert [failure.record for failure in failures_of(items)] == ["record 2 (PMID 2)"]
    assert [doc.metadata.pmid for doc in documents_of(items)] == ["1", "3"]


@pytest.mark.parametrize(
    ("label", "data"),
    [
        ("crlf with BOM", b"\xef\xbb\xbfPMID- 7\r\nTI  - A caf\xc3\xa9 study\r\n      of noise.\r\n"),
        ("latin-1", b"PMID- 7\nTI  - A caf\xe9 study\n      of noise.\n"),
        (
            "double blank lines between records",
            b"\n\n\nPMID- 7\nTI  - A caf\xc3\xa9 study\n      of noise.\n\n\n",
        ),
    ],
)
def test_encodings_and_blank_lines_read_the_same(tmp_path: Path, label: str, data: bytes) -> None:
    (document,) = documents_of(read_all(write(tmp_path, "one.txt", data)))
    assert document.title == "A caf\u00e9 study of noise."
    assert document.format == "medline"


def test_records_split_on_pmid_even_without_a_blank_line(tmp_path: Path) -> None:
    data = b"PMID- 1\nTI  - One.\nPMID- 2\nTI  - Two.\n"
    assert [doc.title for doc in medline.read(write(tmp_path, "x.nbib", data), Limits())] == ["One.", "Two."]


@pytest.mark.parametrize(
    ("data", "error"),
    [(b"just some prose\nwith no tags\n", MalformedDocument), (b"\n \n", EmptyDocument)],
)
def test_files_without_records_raise_typed_errors(tmp_path: Path, data: bytes, error: type) -> None:
    with pytest.raises(error):
        list(medline.read(write(tmp_path, "bad.nbib", data), Limits()))


@pytest.mark.parametrize(
    ("head", "name", "expected"),
    [
        (b"\nPMID- 30514039\nOWN - NLM\n", "citations.nbib", 0.98),
        (b"PMID- 28441597\nOWN - NLM\n", "a.txt", 0.95),
        (b"Search results\n\nPMID- 1\n", "a.txt", 0.8),
        (b"TY  - JOUR\nTI  - x\n", "a.ris", 0.0),
        (b"PMID: 12345 is cited in this sentence.\n", "a.txt", 0.0),
    ],
)
def test_sniff_scores_content_first(head: bytes, name: str, expected: float) -> None:
    assert medline.sniff(head, Path(name)) == pytest.approx(expected, abs=0.01)
