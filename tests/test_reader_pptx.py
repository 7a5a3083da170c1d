"""PPTX reader: real talks from ../shared/formats/slides, the corpus example deck, and broken
files written in tmp_path."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from conftest import (
    assert_document_invariants,
    corpus_path,
    only_document,
    shared_document,
    shared_path,
    write,
)
from extractor.errors import EmptyDocument, MalformedDocument
from extractor.readers import pptx
from extractor.readers.base import Limits
from extractor.types import Document

SLIDES = ("formats", "slides")
ANDERSON = "rinpharma2019_Anderson_Modernizing_gsDesign.pptx"
FRANKLIN = "rinpharma2019_Franklin_Causal_Inference_Healthcare_Claims.pptx"
SEAL = "rinpharma2019_Seal_Biomedical_NLP_I2E_Shiny.pptx"
FILLMORE = "rinpharma2020_Fillmore_Trial_Recruitment_Covid19.pptx"

# file -> (slides in the deck, slides with text, deck title); counts from python-pptx, titles read off slide 1
DECKS = {
    ANDERSON: (15, 15, "Teaching an old dog new tricks: modernizing gsDesign"),
    FRANKLIN: (
        10,
        10,
        "Evaluating the performance of advanced causal inference methods applied to healthcare claims data",
    ),
    SEAL: (33, 32, "Democratizing NLP search through I2E and R Shiny"),  # slide 30 is a picture only
    FILLMORE: (
        37,
        37,
        "Using R to Create an End to End Process for Predicting Delays in Recruitment from Covid-19",
    ),
}

# file -> slide number -> title (the title placeholder's text)
SLIDE_TITLES = [
    (ANDERSON, 2, "Abstract/Overview"),
    (ANDERSON, 4, "Shiny user interface at https://gsdesign.shinyapps.io/prod/"),
    (ANDERSON, 15, "Thank you"),
    (FRANKLIN, 4, "Plasmode simulation"),
    (FRANKLIN, 10, "Thanks!"),
    (SEAL, 3, "Acknowledgements"),
    (SEAL, 21, "Current State and New Web Based Platform"),
    (FILLMORE, 34, "Project Lifecycle"),
]

# file -> slide number -> text that must be on that slide, and where it comes from
ON_SLIDE = [
    (FRANKLIN, 4, "ID\tY\tX\tC1\tC2"),  # a native table: cells tab-separated
    (FILLMORE, 34, "April\tMay\tJune\tJuly\tAugust"),  # table header row
    (SEAL, 21, "Pros\tCons"),
    (FRANKLIN, 2, "Exposure initiation"),  # text boxes inside a group
    (FRANKLIN, 4, "Tinker with formula to create desired data-generation structure."),
    (SEAL, 5, "Clinical Trials\nPhase 1\nPhase 2\nPhase 3"),  # SmartArt: text in the diagram's data part
    (SEAL, 15, "GenoMine\nExplore Gene Disease relationships from Pubmed"),
    (FILLMORE, 15, "Site initiation"),
    (SEAL, 7, "Notes: This slide gives you a flavour of all the different areas"),  # speaker notes
    (FRANKLIN, 1, "Jessica Franklin"),  # byline set off by a blank line inside the title placeholder
]

def slide_text(document: Document, number: int) -> str:
    page = next(page for page in document.pages if page.number == number)
    return document.span_text((page.start, page.end))


@pytest.mark.parametrize(("name", "expected"), DECKS.items())
def test_deck_is_one_document_with_a_page_and_section_per_slide(
    name: str, expected: tuple[int, int, str]
) -> None:
    slides, with_text, title = expected
    document = shared_document(*SLIDES, name)
    assert document.format == "pptx"
    assert document.title == title
    assert document.abstract is None
    assert len(document.pages) == with_text
    assert document.pages[-1].number == slides
    assert all(page.kind == "slide" for page in document.pages)
    assert [(s.start, s.end) for s in document.sections] == [(p.start, p.end) for p in document.pages]
    assert_document_invariants(document)


@pytest.mark.parametrize(("name", "number", "title"), SLIDE_TITLES)
def test_each_slide_is_headed_by_its_title(name: str, number: int, title: str) -> None:
    document = shared_document(*SLIDES, name)
    index = next(i for i, page in enumerate(document.pages) if page.number == number)
    assert document.sections[index].heading == title
    assert slide_text(document, number).startswith(title)


@pytest.mark.parametrize(("name", "number", "text"), ON_SLIDE)
def test_slide_text_comes_from_every_kind_of_shape(name: str, number: int, text: str) -> None:
    assert text in slide_text(shared_document(*SLIDES, name), number)


def test_slide_title_is_not_repeated_in_the_body() -> None:
    assert slide_text(shared_document(*SLIDES, FRANKLIN), 4).count("Plasmode simulation") == 1


@pytest.mark.parametrize(
    ("name", "boilerplate"),
    [
        (FRANKLIN, "Harvard / Brigham Division of Pharmacoepidemiology"),  # footer placeholder
        (ANDERSON, "\n2\n"),  # slide-number placeholder
    ],
)
def test_footer_and_slide_number_placeholders_are_left_out(name: str, boilerplate: str) -> None:
    assert boilerplate not in shared_document(*SLIDES, name).text


def test_shapes_are_read_top_to_bottom_then_left_to_right() -> None:
    text = slide_text(shared_document(*SLIDES, FRANKLIN), 10)
    # the two-column "Thanks!" slide: left box, then the right box level with it
    assert text.index("BWH/HMS") < text.index("Berkley") < text.index("Mark van der Laan")


def test_file_properties_are_kept_aside_not_taken_as_authors() -> None:
    document = shared_document(*SLIDES, SEAL)
    assert document.metadata.authors == ["Abhik Seal"]  # the name on the title slide, not the file's "author"
    assert document.metadata.extra["pptx_properties"]["author"] == "Chiney, Manoj S"


def test_slide_limit_reads_the_first_slides_and_warns() -> None:
    document = only_document(shared_path(*SLIDES, ANDERSON), Limits(max_pages=3))
    assert [page.number for page in document.pages] == [1, 2, 3]
    assert any("first 3 of 15 slides" in warning for warning in document.warnings)


# --- our own example (corpus/example_deck.pptx) --------------------------------------------------


def test_corpus_example_deck_reads_table_group_and_notes() -> None:
    document = only_document(corpus_path("example_deck.pptx"))
    assert document.doc_id == "example_deck"
    assert document.title == "Two fictional studies in three slides"
    assert [section.heading for section in document.sections] == [
        "Two fictional studies in three slides",
        "Study A: walking groups and blood pressure",
        "Study B: reminder letters and screening uptake",
    ]
    assert "Arm\tRandomised\tChange in systolic BP (mmHg)\nWalking groups\t60\t-7.9\nLeaflet\t60\t-3.1" in (
        slide_text(document, 2)
    )
    third = slide_text(document, 3)
    assert (
        third.index("Uptake 64% with letters") < third.index("Odds ratio 1.7") < third.index("Grouped note")
    )
    assert third.endswith("Notes: Say that neither study took place.")
    assert_document_invariants(document)


# --- broken files --------------------------------------------------------------------------------


def write_zip(path: Path, members: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_zero_bytes_is_empty(tmp_path: Path) -> None:
    path = write(tmp_path, "empty.pptx", b"")
    with pytest.raises(EmptyDocument):
        list(pptx.read(path, Limits()))


@pytest.mark.parametrize(
    ("members", "message"),
    [
        ({"word/document.xml": "<w:document/>"}, "not a PowerPoint deck"),
        ({"ppt/presentation.xml": "<p:presentation"}, "cannot be opened"),  # damaged XML
    ],
)
def test_zip_that_is_not_a_readable_deck_is_malformed(
    tmp_path: Path, members: dict[str, str], message: str
) -> None:
    path = write_zip(tmp_path / "deck.pptx", members)
    with pytest.raises(MalformedDocument, match=message):
        list(pptx.read(path, Limits()))


def test_deck_cut_in_half_is_malformed(tmp_path: Path) -> None:
    data = shared_path(*SLIDES, ANDERSON).read_bytes()
    path = write(tmp_path, "cut.pptx", data[: len(data) // 2])
    with pytest.raises(MalformedDocument):
        list(pptx.read(path, Limits()))


def test_legacy_or_encrypted_ole_file_is_malformed_with_a_hint(tmp_path: Path) -> None:
    path = write(tmp_path, "old.pptx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)
    with pytest.raises(MalformedDocument) as raised:
        list(pptx.read(path, Limits()))
    assert "pptx" in raised.value.hint


@pytest.mark.parametrize(
    ("members", "expected"),
    [
        ({"[Content_Types].xml": "<Types/>", "ppt/presentation.xml": "<p/>"}, 0.95),
        ({"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<w/>"}, 0.0),
    ],
)
def test_sniff_claims_zips_holding_a_presentation(
    tmp_path: Path, members: dict[str, str], expected: float
) -> None:
    path = write_zip(tmp_path / "file.zip", members)
    assert pptx.sniff(path.read_bytes()[:65536], path) == expected


def test_sniff_opens_the_zip_when_the_presentation_part_is_past_the_head(tmp_path: Path) -> None:
    path = write_zip(
        tmp_path / "big.pptx", {"ppt/media/image1.bin": "x" * 70000, "ppt/presentation.xml": "<p/>"}
    )
    assert pptx.sniff(path.read_bytes()[:65536], path) == 0.95
    assert pptx.sniff(b"%PDF-1.4", path) == 0.0
