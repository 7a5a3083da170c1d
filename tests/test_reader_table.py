"""Table reader: real CSV/TSV/XLSX screening sets from ../shared/formats/screening_tables, plus edge cases."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
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
from extractor.readers import table
from extractor.readers.base import Limits

FOLDER = ("formats", "screening_tables")

# Counted independently: rows via `tr '\r' '\n' | wc -l` / csv.reader / openpyxl, non-empty abstract cells the same way.
# file -> (rows, with abstract, with DOI, with PMID)
COUNTS = {
    "asreview_ACEInhibitors_debug_record_id.xlsx": (2544, 2235, 0, 0),
    "asreview_embase.csv": (6, 6, 0, 0),
    "litsearchr_WoS_medline_tabdelimited.txt": (10, 10, 10, 10),
    "srd_Cohen2006_Antihistamines.csv": (310, 287, 0, 310),
}

# file -> (first title, last title)
FIRST_AND_LAST = {
    "asreview_ACEInhibitors_debug_record_id.xlsx": (
        "'Captopril test', with blood pressure and peripheral renin as response variables in hypertensive "
        "patients with suspected renal artery stenosis.",
        "Zinc deficiency and taste disorders.",
    ),
    "asreview_embase.csv": (
        "Duplication cysts: Diagnosis, management, and the role of endoscopic ultrasound",
        "Completely Isolated Retroperitoneal Enteric Duplication Cyst with Adenocarcinoma Transformation "
        "Managed with Robotic Radical Nephrectomy",
    ),
    "litsearchr_WoS_medline_tabdelimited.txt": (
        "Cross-scale occupancy dynamics of a postfire specialist in response to variation across a fire regime.",
        "Effects of restoring oak savannas on bird communities and populations.",
    ),
    "srd_Cohen2006_Antihistamines.csv": (
        "Docetaxel (Taxotere) plus cisplatin: an active and well-tolerated combination in patients with "
        "advanced non-small cell lung cancer.",
        "Second-generation antihistamines: a comparative review.",
    ),
}

@pytest.mark.parametrize("name", sorted(COUNTS))
def test_real_table_is_sniffed_as_table(name: str) -> None:
    assert readers.detect_format(shared_path(*FOLDER, name)) == "table"


@pytest.mark.parametrize(("name", "expected"), sorted(COUNTS.items()))
def test_real_table_yields_one_document_per_row(name: str, expected: tuple[int, int, int, int]) -> None:
    items = read_shared(*FOLDER, name)
    documents = documents_of(items)
    assert failures_of(items) == []
    counted = (
        len(documents),
        sum(1 for doc in documents if doc.abstract),
        sum(1 for doc in documents if doc.metadata.doi),
        sum(1 for doc in documents if doc.metadata.pmid),
    )
    assert counted == expected
    assert documents[-1].record_index == len(documents)


@pytest.mark.parametrize(("name", "expected"), sorted(FIRST_AND_LAST.items()))
def test_first_and_last_rows_have_exact_titles(name: str, expected: tuple[str, str]) -> None:
    documents = documents_of(read_shared(*FOLDER, name))
    assert (documents[0].title, documents[-1].title) == expected


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_every_real_document_keeps_the_span_invariants(name: str) -> None:
    for document in documents_of(read_shared(*FOLDER, name)):
        assert_document_invariants(document)
        assert document.format == "table"


def test_cohen_labels_are_kept_for_triage() -> None:
    documents = documents_of(read_shared(*FOLDER, "srd_Cohen2006_Antihistamines.csv"))
    assert sum(doc.metadata.extra["label"] == 1 for doc in documents) == 16  # label_included
    assert (
        sum(doc.metadata.extra["label_abstract"] == 1 for doc in documents) == 92
    )  # label_abstract_screening
    assert documents[0].metadata.pmid == "10070306"
    assert documents[0].doc_id == "srd_Cohen2006_Antihistamines/10070306"


def test_embase_csv_matches_the_embase_ris_export() -> None:
    from_csv = [doc.title for doc in documents_of(read_shared(*FOLDER, "asreview_embase.csv"))]
    from_ris = [
        doc.title for doc in documents_of(read_shared("formats", "ris", "asreview_embase.ris"))
    ]
    assert from_csv == from_ris


@pytest.mark.parametrize(
    ("name", "index", "field", "expected"),
    [
        ("asreview_embase.csv", 0, "authors", ["Liu R.", "Adler D.G."]),
        ("asreview_ACEInhibitors_debug_record_id.xlsx", -1, "authors", ["Heyneman, C A"]),
        ("litsearchr_WoS_medline_tabdelimited.txt", 0, "doi", "10.1111/1365-2656.12851"),
        ("litsearchr_WoS_medline_tabdelimited.txt", 0, "pmid", "29782655"),
        ("litsearchr_WoS_medline_tabdelimited.txt", 0, "year", 2018),
        ("litsearchr_WoS_medline_tabdelimited.txt", 0, "journal", "The Journal of animal ecology"),
    ],
)
def test_real_metadata_fields(name: str, index: int, field: str, expected: object) -> None:
    assert getattr(documents_of(read_shared(*FOLDER, name))[index].metadata, field) == expected


def test_cr_only_tsv_with_bom_is_read(tmp_path: Path) -> None:
    data = "\ufeffTI\tAB\tPY\rFirst invented row\tAn abstract.\t2001\rSecond row\t\t2002\r".encode()
    documents = documents_of(read_all(write(tmp_path, "export.txt", data)))
    assert [(doc.title, doc.abstract, doc.metadata.year) for doc in documents] == [
        ("First invented row", "An abstract.", 2001),
        ("Second row", None, 2002),
    ]


def test_latin1_semicolon_csv_is_read(tmp_path: Path) -> None:
    data = "Title;Abstract;Authors\nCaf\u00e9 noise;Na\u00efve listeners rated it.;M\u00fcller J\n".encode(
        "latin-1"
    )
    (document,) = documents_of(read_all(write(tmp_path, "export.csv", data)))
    assert (document.title, document.abstract) == ("Caf\u00e9 noise", "Na\u00efve listeners rated it.")


def test_row_with_neither_title_nor_abstract_fails_and_the_rest_are_read(tmp_path: Path) -> None:
    data = b"title,abstract,included\nOne,First abstract,1\n,,0\n\nThree,,yes\n"
    items = read_all(write(tmp_path, "screen.csv", data))
    failures = failures_of(items)
    assert [(failure.record, failure.message) for failure in failures] == [
        ("row 2", "row 2 (counting data rows after the header) has neither a title nor an abstract")
    ]
    documents = documents_of(items)
    assert [(doc.record_index, doc.title, doc.metadata.extra["label"]) for doc in documents] == [
        (1, "One", 1),
        (4, "Three", 1),  # the blank row 3 is skipped but counted
    ]


def test_table_without_title_or_abstract_column_names_the_columns(tmp_path: Path) -> None:
    path = write(tmp_path, "other.csv", b"name,age,city\nAda,36,London\n")
    with pytest.raises(MalformedDocument, match="'name', 'age', 'city'"):
        list(table.read(path, Limits()))


def test_empty_csv_is_an_empty_document(tmp_path: Path) -> None:
    with pytest.raises(EmptyDocument):
        list(table.read(write(tmp_path, "empty.csv", b"\n\n"), Limits()))


def make_workbook(path: Path) -> Path:
    workbook = openpyxl.Workbook()
    notes = workbook.active
    notes.title = "Notes"
    notes.append(["Exported for an invented review"])
    data = workbook.create_sheet("Records")
    data.append(["Primary_Title", "Notes_Abstract", "PubMed ID", "Publication Year", "DOI", "label_included"])
    data.append(["Invented workbook row", "Its abstract.", 99999941, 2019.0, "https://doi.org/10.5555/X1", 1])
    data.append([None, None, None, None, None, None])
    data.append([None, "Only an abstract here.", None, None, None, 0])
    workbook.save(path)
    return path


def test_xlsx_reads_the_first_sheet_with_a_title_or_abstract_header(tmp_path: Path) -> None:
    path = make_workbook(tmp_path / "screen.xlsx")
    assert readers.detect_format(path) == "table"
    documents = documents_of(read_all(path))
    assert [(doc.record_index, doc.title, doc.abstract) for doc in documents] == [
        (1, "Invented workbook row", "Its abstract."),
        (3, None, "Only an abstract here."),
    ]
    first = documents[0].metadata
    assert (first.pmid, first.year, first.doi, first.extra["label"]) == ("99999941", 2019, "10.5555/x1", 1)


def test_damaged_xlsx_is_malformed_not_a_raw_error(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook>not really</workbook>")
    path = write(tmp_path, "broken.xlsx", buffer.getvalue())
    with pytest.raises(MalformedDocument):
        list(table.read(path, Limits()))


def test_corpus_example_reads_labels_and_rows_with_only_one_of_title_or_abstract() -> None:
    documents = documents_of(read_all(CORPUS / "example_screening.csv"))
    assert [doc.metadata.extra["label"] for doc in documents] == [1, 0, None]
    assert documents[0].metadata.authors == ["Nakamura, K", "Olsen, B"]
    assert documents[2].title is None and documents[2].abstract


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1", 1), ("0", 0), ("yes", 1), ("Excluded", 0), ("", None), ("-1", None), ("maybe", "maybe")],
)
def test_labels_are_normalised(value: str, expected: object) -> None:
    assert table.parse_label(value) == expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (["Title", "Abstract"], {"title": 0, "abstract": 1}),
        (
            ["TI", "AB", "AU", "PY", "DI", "SO"],
            {"title": 0, "abstract": 1, "authors": 2, "year": 3, "doi": 4, "journal": 5},
        ),
        (["primary_title", "notes_abstract", "first_authors"], {"title": 0, "abstract": 1, "authors": 2}),
        (["Article Title", "Abstract Note", "final_included"], {"title": 0, "abstract": 1, "label": 2}),
        (["record_id", "label_abstract_screening"], {"label_abstract": 1}),
    ],
)
def test_columns_match_asreview_names_case_insensitively(header: list[str], expected: dict[str, int]) -> None:
    assert table.map_columns(header) == expected


def zip_bytes(names: list[str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "x")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("head", "name", "expected"),
    [
        (b"title,abstract,authors\nA,B,C\n", "a.txt", 0.9),
        (b"\xef\xbb\xbfPT\tAN\tTI\tAB\r", "a.txt", 0.9),
        (b"Titel;Abstract;Jahr\n", "a.csv", 0.9),
        (b"name,age,city\n", "a.csv", 0.3),
        (b"name,age,city\n", "a.txt", 0.0),
        (b"Title, abstract, and methods are here.\n", "a.txt", 0.0),
        (b"TY  - JOUR\n", "a.ris", 0.0),
        (zip_bytes(["[Content_Types].xml", "xl/workbook.xml"]), "a.xlsx", 0.95),
        (zip_bytes(["[Content_Types].xml", "ppt/presentation.xml"]), "a.pptx", 0.0),
    ],
)
def test_sniff_scores_content_first(tmp_path: Path, head: bytes, name: str, expected: float) -> None:
    path = write(tmp_path, name, head)
    assert table.sniff(head, path) == pytest.approx(expected, abs=0.01)
