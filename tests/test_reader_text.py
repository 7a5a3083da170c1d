"""Plain text and web-page copies: title, abstract, metadata and spans."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import (
    CORPUS,
    assert_document_invariants,
    only_document,
    read_all,
    shared_document,
    shared_path,
    write,
)
from extractor.errors import BadEncoding, EmptyDocument, ExtractorError
from extractor.readers import detect_format, read_path
from extractor.readers.text import parse_plain_text
from extractor.types import Failure


def test_example_pubmed_page_reads_title_abstract_and_metadata() -> None:
    document = only_document(CORPUS / "example_pubmed_page.txt")
    assert document.doc_id == "example_pubmed_page"
    assert document.format == "text"
    assert document.title == (
        "Home visits by trained peers to reduce postnatal anxiety in first-time mothers: "
        "a randomised controlled trial"
    )
    assert document.abstract.startswith("Background: Anxiety after a first birth")
    assert document.abstract.rstrip().endswith("ClinicalTrials.gov NCT09999999.")
    assert document.metadata.publication_types == ["Randomized Controlled Trial"]
    assert document.metadata.keywords == ["peer support", "postnatal anxiety", "home visiting"]
    assert document.metadata.journal == "J Fict Perinat Health"
    assert document.metadata.year == 2024
    assert document.metadata.doi == "10.5555/example.2024.0101"
    assert document.registrations == ["NCT09999999"]
    assert [s.heading for s in document.sections][:5] == ["Abstract", "Background", "Methods", "Results", "Conclusions"]
    assert_document_invariants(document)


@pytest.mark.parametrize(
    ("name", "title_start", "abstract_start"),
    [
        ("seeds/000_0884528b0fcadf65.txt", "Infant mental health services for birth and foster families",
         "Children entering foster care"),
        ("seeds/002_394a20227a95f92c.txt", "A collaborative practice pilot between child welfare",
         "Background: Improved collaboration"),
        ("dev/b06_beeber2013_pubmed.txt", "Parenting enhancement, interpersonal psychotherapy", "Background:"),
        ("dev/a01_rightathome_nhv_rct.txt", None, "BACKGROUND:"),
        ("dev/a44_minding_the_baby_protocol.txt", "The NSPCC UK Minding the Baby", "Background"),
    ],
)
def test_real_web_page_copies_give_title_and_abstract(name: str, title_start: str | None, abstract_start: str) -> None:
    path = shared_path("corpus", *name.split("/"))
    document = only_document(path)
    if title_start is None:
        assert document.title is None
    else:
        assert document.title.startswith(title_start)
    assert document.abstract.startswith(abstract_start)
    assert_document_invariants(document)


def test_every_shared_corpus_text_keeps_span_invariants() -> None:
    root = shared_path("corpus")
    paths = sorted(root.rglob("*.txt"))
    assert paths
    kinds = {error.kind for error in _error_classes(ExtractorError)}
    documents = 0
    for path in paths:
        for item in read_all(path):
            if isinstance(item, Failure):  # e.g. a BibTeX excerpt cut mid-entry: a typed failure, not a crash
                assert item.kind in kinds and item.path == str(path) and item.message and item.hint, item
                continue
            assert item.doc_id == path.stem
            assert_document_invariants(item)
            documents += 1
    assert documents >= len(paths) - 5, "most shared corpus texts should read"


def _error_classes(root: type) -> list[type]:
    return [root, *(cls for sub in root.__subclasses__() for cls in _error_classes(sub))]


def test_pubmed_page_registration_is_found_with_its_span() -> None:
    document = shared_document("corpus", "seeds", "000_0884528b0fcadf65.txt")
    assert document.registrations == ["NCT02653716"]
    registration = next(i for i in document.identifiers if i.scheme == "nct")
    assert document.text[registration.start : registration.end] == "NCT02653716"


@pytest.mark.parametrize(
    ("content", "error"),
    [(b"", EmptyDocument), (b"   \n\n ", EmptyDocument), (b"\x00\x01\x02binary\x00" * 50, BadEncoding)],
)
def test_empty_or_binary_text_raises_typed_error(tmp_path: Path, content: bytes, error: type) -> None:
    path = write(tmp_path, "bad.txt", content)
    with pytest.raises(error):
        list(read_path(path, fmt="text"))


def test_latin1_and_crlf_text_is_decoded(tmp_path: Path) -> None:
    body = "Caf\u00e9 culture and maternal mood: a cross-sectional survey of new mothers\r\n\r\nAbstract\r\n" + (
        "We surveyed 120 mothers about caf\u00e9 visits and mood; na\u00efve models were fitted. " * 4
    )
    path = write(tmp_path, "latin.txt", body.encode("latin-1"))
    document = only_document(path)
    assert "\r" not in document.text
    assert document.title.startswith("Caf\u00e9 culture")
    assert "na\u00efve" in document.abstract


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("Skip to main content\n\nLogin / Signup\n\nA trial of sleep coaching for parents of infants\n\nAbstract\nWe did it.", "A trial of sleep coaching for parents of infants"),
        ("Table 3.\n\nCharacteristics of the included studies\n\nAuthor Year Country\nSmith 2020 UK", "Characteristics of the included studies"),
        ("BACKGROUND:\n\nThis is an abstract with no title at all, long enough to count as running text in a paragraph.", None),
    ],
)
def test_title_is_picked_past_web_chrome(text: str, title: str | None) -> None:
    assert parse_plain_text(text, "x.txt").title == title


def test_plain_text_is_the_fallback_format(tmp_path: Path) -> None:
    path = tmp_path / "notes.dat"
    path.write_text("Some words about a study of parenting.\n", encoding="utf-8")
    assert detect_format(path) == "text"
