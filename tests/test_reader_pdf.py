"""PDF reader: real articles, slide PDFs and hostile files from ../shared/formats, the corpus
example, and the layout rules on word boxes of our own."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import (
    CORPUS,
    assert_document_invariants,
    corpus_path,
    only_document,
    shared_document,
    shared_path,
    write,
)
from extractor.errors import (
    EmptyDocument,
    EncryptedPDF,
    ExtractorError,
    MalformedDocument,
    NoTextLayer,
    TruncatedDocument,
)
from extractor.readers import pdf, pdf_columns, pdf_layout, read_path
from extractor.readers.base import Limits, squash
from extractor.types import Document

ARTICLES = ("formats", "pdf_articles")
SLIDES = ("formats", "slides")
HOSTILE = ("formats", "hostile")

EXAMPLE1 = "cermine_example1_IntPsychogeriatr2014.pdf"
EXAMPLE2 = "cermine_example2_BMCHealthServRes2014.pdf"
TEST1 = "cermine_test1_JTraumaManagOutcomes2010_review.pdf"
TEST2 = "cermine_test2_RehabilResPract2010.pdf"
TEST5 = "cermine_test5_PostgradMedJ2010_Hpylori_IDA_metaanalysis.pdf"
PLOS = "scienceparse_e4faf2c1_PLOSONE2018_wheat_metabolomics.pdf"
SCANNED = "cermine_timeout_simple_SCANNED_image_only.pdf"
RANTOU = "rinpharma2019_Rantou_FDA_Bioequivalence_slides.pdf"
ZIVICH = "zivich_SER2023_data_combination_intro_beamer.pdf"
CORRUPT = "pdfminer_zen_of_python_CORRUPT_STREAM.pdf"

# Titles as printed on page 1 (read off the PDFs by eye), not the running headers or article labels.
TITLES = {
    EXAMPLE1: "Stressful life events are not associated with the development of dementia",
    EXAMPLE2: "Understanding the barriers to setting up a healthcare quality improvement process in "
    "resource-limited settings: a situational analysis at the Medical Department of Kamuzu Central "
    "Hospital in Lilongwe, Malawi",
    TEST1: "Complications related to deep venous thrombosis prophylaxis in trauma: a systematic review "
    "of the literature",
    TEST2: "Patient Experiences of Structured Heart Failure Programmes",
    TEST5: "Iron deficiency anaemia can be improved after eradication of Helicobacter pylori",
    PLOS: "Comparative physiological and metabolomics analysis of wheat (Triticum aestivum L.) following "
    "post-anthesis heat stress",
}

# file -> (first words, last words) of the abstract
ABSTRACTS = {
    EXAMPLE1: (
        "Background: The impact of stressful life events as a risk factor of dementia",
        "stressful life events trigger the onset of dementia diseases.",
    ),
    EXAMPLE2: (
        "Background: Knowledge regarding the best approaches to improving the quality of healthcare",
        "contributions from clients, staff and management.",
    ),
    TEST1: (
        "Deep venous thrombosis prophylaxis is essential to the appropriate management",
        "they must be appropriately utilized.",
    ),
    TEST2: (  # no "Abstract" heading: a structured abstract starting "Objectives."
        "Objectives. Patient experiences of structured heart failure rehabilitation",
        "confidence in disease self-management.",
    ),
    TEST5: (  # ends where the introduction, in smaller print and without a heading, begins
        "Background Recent guidelines on iron deficiency anaemia (IDA)",
        "proton pump inhibitor (PPI) based triple therapy.",
    ),
    PLOS: (
        "Genetic improvement for stress tolerance requires a solid understanding of biochemical processes",
        "potential bio-markers for genetic improvement.",
    ),
}

# Sentences that run from the foot of one column to the top of the next (found in the PDFs);
# read column by column, they come out whole.
ACROSS_COLUMNS = [
    (EXAMPLE1, "to delay the onset of dementia and approaches that promote continued independent living"),
    (
        EXAMPLE1,
        "the identification of a possible cause of disabling diseases might give relatives an explanation",
    ),
    (
        EXAMPLE2,
        "which provides the hospital’s budget. Even though the hospital generates some of its revenue",
    ),
    (TEST1, "pharmacologic anticoagulation with low molecular weight heparins (LMWHs) as the primary DVT"),
    (TEST1, "permanent filtration if necessary. The versatility of the retrievable filter"),
    (TEST2, "to raise issues important to their lives. The focus groups took place in a quiet room"),
    (TEST5, "The WMD of Hb concentrations from these seven studies was 12.88"),
]

PAGE_COUNTS = {EXAMPLE1: 8, EXAMPLE2: 10, TEST1: 4, TEST2: 6, TEST5: 7, PLOS: 21}

def corpus_article() -> Document:
    return only_document(corpus_path("example_article.pdf"))


# --- real articles -------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "title"), TITLES.items())
def test_title_is_the_largest_print_near_the_top_of_page_one(name: str, title: str) -> None:
    document = shared_document(*ARTICLES, name)
    assert document.format == "pdf"
    assert document.title == title


@pytest.mark.parametrize(("name", "ends"), ABSTRACTS.items())
def test_abstract_runs_from_its_heading_to_the_next_part(name: str, ends: tuple[str, str]) -> None:
    abstract = squash(shared_document(*ARTICLES, name).abstract)
    assert abstract.startswith(ends[0])
    assert abstract.endswith(ends[1])


@pytest.mark.parametrize(("name", "sentence"), ACROSS_COLUMNS)
def test_sentence_crossing_a_column_break_is_not_interleaved(name: str, sentence: str) -> None:
    assert sentence in squash(shared_document(*ARTICLES, name).text)


@pytest.mark.parametrize(
    ("name", "joined"),
    [
        (TEST1, "primary DVT prophylactic agent [10]"),  # "prophy-" ends the right column's first line
        (EXAMPLE2, "Special clinics for hypertension, diabetes and HIV are run on a weekly basis"),
        (EXAMPLE1, "in a population-based study with long-term follow-up"),  # hyphen kept: a compound
    ],
)
def test_line_end_hyphens_are_undone_except_in_compounds(name: str, joined: str) -> None:
    assert joined in squash(shared_document(*ARTICLES, name).text)


@pytest.mark.parametrize(("name", "count"), PAGE_COUNTS.items())
def test_every_page_is_numbered_in_order(name: str, count: int) -> None:
    pages = shared_document(*ARTICLES, name).pages
    assert [page.number for page in pages] == list(range(1, count + 1))
    assert all(page.kind == "page" for page in pages)
    assert all(a.end < b.start for a, b in zip(pages, pages[1:], strict=False))


@pytest.mark.parametrize("number", [2, 3, 4, 7, 8, 9, 10])  # pages 5-6 are rotated tables: headers sideways
def test_page_ranges_hold_their_own_running_header(number: int) -> None:
    document = shared_document(*ARTICLES, EXAMPLE2)
    page = document.pages[number - 1]
    assert f"Page {number} of 10" in document.span_text((page.start, page.end))


@pytest.mark.parametrize(
    ("name", "headings"),
    [
        (EXAMPLE1, ["ABSTRACT", "Introduction", "Method", "Results", "Discussion", "References"]),
        (
            EXAMPLE2,
            ["Abstract", "Background", "Methods", "Results", "Discussion", "Conclusions", "References"],
        ),
        (TEST2, ["1. Introduction", "2. Methods", "3. Results", "11. Discussion", "References"]),
        (
            TEST5,
            ["ABSTRACT", "METHODS", "Search strategy and identification of studies", "RESULTS", "DISCUSSION"],
        ),
        (PLOS, ["Abstract", "Introduction", "Materials and methods", "Results", "Discussion", "Conclusion"]),
    ],
)
def test_section_headings_are_found_in_reading_order(name: str, headings: list[str]) -> None:
    document = shared_document(*ARTICLES, name)
    found = [section.heading for section in document.sections]
    assert [heading for heading in found if heading in headings] == headings
    for section in document.sections:
        assert document.text[section.start :].startswith(section.heading.split()[0])


@pytest.mark.parametrize("name", [EXAMPLE1, TEST5])
def test_reference_lists_give_no_subsection_headings(name: str) -> None:
    headings = [section.heading for section in shared_document(*ARTICLES, name).sections]
    references = next(i for i, heading in enumerate(headings) if heading.lower() == "references")
    assert headings[references + 1 :] == []


def test_sidebar_affiliations_do_not_interleave_with_the_abstract() -> None:
    text = squash(shared_document(*ARTICLES, TEST5).text)
    assert "1Shanghai No.9 People’s Hospital, Shanghai Jiaotong University School of Medicine" in text
    assert "Background Recent guidelines on iron deficiency anaemia (IDA) have confirmed" in text


def test_footnote_at_a_column_foot_waits_until_the_columns_are_read() -> None:
    text = squash(shared_document(*ARTICLES, EXAMPLE1).text)
    assert text.index("that promote continued independent living") < text.index(
        "Correspondence should be addressed"
    )


def test_unmapped_glyphs_are_counted_in_a_warning() -> None:
    warnings = shared_document(*ARTICLES, PLOS).warnings
    assert any("glyphs could not be mapped" in warning for warning in warnings)


@pytest.mark.parametrize("name", [*TITLES])
def test_every_article_keeps_the_span_invariants(name: str) -> None:
    assert_document_invariants(shared_document(*ARTICLES, name))


def test_page_limit_reads_the_first_pages_and_warns() -> None:
    document = next(read_path(shared_path(*ARTICLES, TEST1), Limits(max_pages=2)))
    assert [page.number for page in document.pages] == [1, 2]
    assert any("first 2 of 4 pages" in warning for warning in document.warnings)
    assert_document_invariants(document)


def test_char_limit_cuts_text_and_drops_spans_past_the_cut() -> None:
    document = next(read_path(shared_path(*ARTICLES, TEST1), Limits(max_chars=200)))
    assert len(document.text) == 200
    assert document.abstract is None
    assert any("cut at 200" in warning for warning in document.warnings)
    assert_document_invariants(document)


# --- slide PDFs ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "pages", "first_titles"),
    [
        (
            ZIVICH,
            9,
            [
                "Answering questions by combining data sources",
                "Acknowledgements",
                "Why Multiple Data Sources?",
                "An Analogy",
                "An Analogy",
                "Historical Perspective",
            ],
        ),
        (
            RANTOU,
            29,  # of 30: the last page is an image only
            [
                "Using R for Generic Drug Evaluation and SABE R-package for Assessing Bioequivalence of "
                "Topical Dermatological Products",
                "Disclaimer",
                "Outline",
                "Office of Biostatistics / DBVIII",
                "Similarity of amino-acid sequences",
            ],
        ),
    ],
)
def test_slide_pdf_is_read_as_a_deck_of_titled_slides(name: str, pages: int, first_titles: list[str]) -> None:
    document = shared_document(*SLIDES, name)
    assert document.format == "pdf_slides"
    assert document.title == first_titles[0]
    assert document.abstract is None
    assert len(document.pages) == pages and all(page.kind == "slide" for page in document.pages)
    assert [section.heading for section in document.sections][: len(first_titles)] == first_titles
    assert_document_invariants(document)


def test_footer_repeated_on_every_beamer_slide_is_dropped() -> None:
    assert "Zivich Answering questions" not in shared_document(*SLIDES, ZIVICH).text


def test_image_only_slide_is_reported() -> None:
    warnings = shared_document(*SLIDES, RANTOU).warnings
    assert any("page(s) 30 have no text layer" in warning for warning in warnings)


# --- hostile and broken files --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("parts", "error"),
    [
        ((*HOSTILE, "pdfplumber_empty_ZERO_BYTES.pdf"), EmptyDocument),
        ((*HOSTILE, "pdfplumber_password-example_ENCRYPTED.pdf"), EncryptedPDF),
        ((*HOSTILE, "pdfminer_aes-256-r6_ENCRYPTED.pdf"), EncryptedPDF),
        ((*HOSTILE, "pdfplumber_issue-297_BAD_XREF.pdf"), MalformedDocument),
        ((*HOSTILE, "pdfminer_pdf-with-jbig2_NO_TEXT_LAYER.pdf"), NoTextLayer),
        ((*HOSTILE, "pdfplumber_malformed-issue-932_NO_EXTRACTABLE_CJK.pdf"), NoTextLayer),
        ((*ARTICLES, SCANNED), NoTextLayer),
    ],
)
def test_hostile_file_raises_its_typed_error(parts: tuple[str, ...], error: type[ExtractorError]) -> None:
    with pytest.raises(ExtractorError) as raised:
        list(read_path(shared_path(*parts)))
    assert type(raised.value) is error
    assert raised.value.message and raised.value.hint


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("pdfplumber_empty_ZERO_BYTES.pdf", EmptyDocument),
        ("pdfplumber_password-example_ENCRYPTED.pdf", EncryptedPDF),
        ("pdfplumber_issue-297_BAD_XREF.pdf", MalformedDocument),
    ],
)
def test_reader_itself_converts_library_errors(name: str, error: type[ExtractorError]) -> None:
    with pytest.raises(error):
        list(pdf.read(shared_path(*HOSTILE, name), Limits()))


def test_corrupt_content_stream_gives_partial_text_and_a_warning() -> None:
    document = shared_document(*HOSTILE, CORRUPT)
    assert "Beautiful is better than ugly." in document.text
    assert any("damaged content" in warning for warning in document.warnings)
    assert_document_invariants(document)


@pytest.mark.parametrize("name", [EXAMPLE1, TEST1])
def test_truncated_pdf_gives_a_typed_error_or_a_partial_document(tmp_path: Path, name: str) -> None:
    data = shared_path(*ARTICLES, name).read_bytes()
    # derived from a real file, cut at half its length
    cut = write(tmp_path, "cut_in_half.pdf", data[: len(data) // 2])
    try:
        document = only_document(cut)
    except ExtractorError as error:
        assert isinstance(error, TruncatedDocument)
        assert "ends early" in error.message
    else:
        assert any("truncated" in warning for warning in document.warnings)
        assert_document_invariants(document)


def test_pdf_missing_only_its_eof_marker_is_read_with_a_warning(tmp_path: Path) -> None:
    title = corpus_article().title
    data = (CORPUS / "example_article.pdf").read_bytes()
    cut = write(tmp_path, "no_eof.pdf", data[: data.rindex(b"%%EOF")])
    document = only_document(cut)
    assert document.title == title
    assert any("truncated" in warning for warning in document.warnings)


def test_stub_without_objects_is_malformed_not_truncated(tmp_path: Path) -> None:
    stub = write(tmp_path, "stub.pdf", b"%PDF-1.4\n1 0 obj <<>> garbage")
    with pytest.raises(MalformedDocument) as raised:
        list(read_path(stub))
    assert raised.value.kind == "malformed"


def test_garbage_after_the_signature_is_malformed(tmp_path: Path) -> None:
    path = write(tmp_path, "garbage.pdf", b"%PDF-1.4\n" + bytes(range(256)) * 20 + b"\n%%EOF\n")
    with pytest.raises(MalformedDocument):
        list(read_path(path))


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3", 0.95),
        (b"\r\n" * 100 + b"%PDF-1.4", 0.95),  # junk before the signature, still in the first KiB
        (b" " * 1100 + b"%PDF-1.4", 0.0),
        (b"PK\x03\x04", 0.0),
        (b"TY  - JOUR", 0.0),
    ],
)
def test_sniff_looks_for_the_signature_in_the_first_kib(head: bytes, expected: float) -> None:
    assert pdf.sniff(head, Path("x.bin")) == expected


# --- our own example (corpus/example_article.pdf) ------------------------------------------------


def test_corpus_example_reads_title_abstract_and_numbered_sections() -> None:
    document = corpus_article()
    assert document.doc_id == "example_article"
    assert (
        document.title
        == "Brisk walking groups for adults with raised blood pressure: a fictional randomised trial"
    )
    assert squash(document.abstract).startswith("Background: Group walking is cheap and sociable")
    assert squash(document.abstract).endswith("lowered systolic blood pressure more than advice alone.")
    assert [section.heading for section in document.sections] == [
        "Abstract",
        "1. Introduction",
        "2. Methods",
        "3. Results",
        "4. Discussion",
        "5. Conclusions",
        "Funding",
        "References",
    ]
    assert [page.number for page in document.pages] == [1, 2]
    assert_document_invariants(document)


@pytest.mark.parametrize(
    "sentence",
    [
        "three seated readings taken with a validated automatic monitor.",  # left column -> right column
        "followed the intention-to-treat principle",  # "princ-" / "iple" across lines
        "often goes untreated for years",  # "untre-" / "ated"
    ],
)
def test_corpus_example_reads_across_columns_and_hyphens(sentence: str) -> None:
    assert sentence in squash(corpus_article().text)


def test_corpus_example_running_header_and_page_number_stay_on_their_page() -> None:
    document = corpus_article()
    for page in document.pages:
        text = document.span_text((page.start, page.end))
        assert text.startswith("Journal of Invented Trials 2024; 1: 1-2")
        assert text.endswith(f"Page {page.number} of 2")
    second = document.span_text((document.pages[1].start, document.pages[1].end))
    assert squash(second).index("no participant was ever recruited.") < squash(second).index(
        "References 1. Example A"
    )


# --- layout rules on word boxes ------------------------------------------------------------------


def box(text: str, x0: float, top: float, size: float = 10.0) -> pdf_layout.Word:
    """A word box as if set in a font whose glyphs are 0.5 em wide."""
    return pdf_layout.Word(text, x0, x0 + 0.5 * size * len(text), top, top + size, size, "Body")


def row_of(texts: list[str], x0: float, top: float, size: float = 10.0) -> list[pdf_layout.Word]:
    """Words set one after another with a normal word space (0.3 em)."""
    words = []
    for text in texts:
        words.append(box(text, x0, top, size))
        x0 = words[-1].x1 + 0.3 * size
    return words


PARAGRAPH = [  # ragged lines with word spaces that line up nowhere
    ["Walking", "groups", "met", "three", "times"],
    ["a", "week", "for", "forty", "minutes", "and"],
    ["were", "led", "by", "trained", "volunteers"],
    ["while", "controls", "had", "a", "leaflet", "only"],
    ["and", "one", "telephone", "call", "after", "it"],
    ["from", "a", "nurse", "who", "knew", "them"],
]


def test_layout_reads_the_left_column_before_the_right_one() -> None:
    words = row_of(["A", "title", "spanning", "both", "columns"], 50, 40, size=20)
    for index, texts in enumerate(PARAGRAPH):
        words += row_of(texts[:3], 50, 100 + 12 * index) + row_of(texts[3:], 230, 100 + 12 * index)
    lines = pdf_columns.order_lines(words)
    assert [line.text for line in lines] == [
        "A title spanning both columns",
        *[" ".join(texts[:3]) for texts in PARAGRAPH],
        *[" ".join(texts[3:]) for texts in PARAGRAPH],
    ]
    assert lines[7].column_start


def test_layout_without_a_gutter_reads_row_by_row() -> None:
    words = [word for index, texts in enumerate(PARAGRAPH) for word in row_of(texts, 50, 100 + 12 * index)]
    lines = pdf_columns.order_lines(words)
    assert [line.text for line in lines] == [" ".join(texts) for texts in PARAGRAPH]


@pytest.mark.parametrize(
    ("lines", "known", "expected"),
    [
        (["the random-", "isation was"], set(), "the randomisation was"),
        (["a population-", "based study"], {"population-based"}, "a population-based study"),
        (["COVID-", "19 cases"], set(), "COVID-19 cases"),  # the hyphen belongs to the name
        (["Time-to-", "Event Analysis"], set(), "Time-to-Event Analysis"),
        (["value -", "minus"], set(), "value - minus"),  # a spaced dash is punctuation
        (["soft\u00ad", "hyphen"], set(), "softhyphen"),
        (["ends here.", "Next one"], set(), "ends here. Next one"),
    ],
)
def test_join_lines_undoes_line_end_hyphens(lines: list[str], known: set[str], expected: str) -> None:
    assert pdf_layout.join_lines(lines, known) == expected


def test_touching_glyphs_join_into_one_word() -> None:
    line = pdf_layout.make_line([box("de", 50, 100), box("fi", 60, 99.5), box("ciency", 70, 100)])
    assert line.text == "deficiency"


def test_a_page_tree_that_breaks_again_on_close_still_gives_the_typed_error(tmp_path: Path) -> None:
    """Regression: closing a PDF whose page has no MediaBox raised TypeError over MalformedDocument."""
    path = write(
        tmp_path,
        "no_mediabox.pdf",
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
        b"3 0 obj << /Type /Page /Parent 2 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n",
    )
    with pytest.raises(MalformedDocument):
        list(read_path(path))
