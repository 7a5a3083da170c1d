"""BibTeX reader: real WoS/Scopus/Cochrane exports from ../shared/formats/bibtex, plus edge cases."""

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
from extractor.readers import bibtex
from extractor.readers.base import Limits
from extractor.readers.ris import open_text

FOLDER = ("formats", "bibtex")

# Counted independently: `grep -c '^ *@'`, `grep -ci '^ *abstract *='`, `grep -ci '^ *doi *='`.
# file -> (entries, with abstract, with DOI)
COUNTS = {
    "litsearchr_WoS_corecollection_final_2.bib": (460, 460, 369),
    "p1m-ortho_CDSR_cochrane.bib": (56, 56, 56),
    "synthesisr_Scopus_bib_example.bib": (3, 3, 3),
}

# file -> (first title, last title, first DOI)
FIRST_AND_LAST = {
    "litsearchr_WoS_corecollection_final_2.bib": (
        "Fire Frequency Affects Structure and Composition of Xeric Forests of Eastern Oklahoma",
        "IMPACTS OF FIRE ON BIRD POPULATIONS IN A FESCUE PRAIRIE",
        "10.3375/043.030.0401",
    ),
    "p1m-ortho_CDSR_cochrane.bib": (
        "Internal dressings for healing perianal abscess cavities",
        "Management of toxoplasmic encephalitis in HIV\u2010infected adults (with an emphasis on "
        "resource\u2010poor settings)",
        "10.1002/14651858.cd011193.pub2",
    ),
    "synthesisr_Scopus_bib_example.bib": (
        "Soil fauna diversity at different stages of reed restoration in a lakeshore wetland at Lake Taihu, China",
        "Application of Digital Processing in Relic Image Restoration Design",
        "10.1080/20964129.2020.1722034",
    ),
}

@pytest.mark.parametrize("name", sorted(COUNTS))
def test_real_export_is_sniffed_as_bibtex(name: str) -> None:
    assert readers.detect_format(shared_path(*FOLDER, name)) == "bibtex"


@pytest.mark.parametrize(("name", "expected"), sorted(COUNTS.items()))
def test_real_export_yields_one_document_per_entry(name: str, expected: tuple[int, int, int]) -> None:
    items = read_shared(*FOLDER, name)
    documents = documents_of(items)
    assert failures_of(items) == []
    counted = (
        len(documents),
        sum(1 for doc in documents if doc.abstract),
        sum(1 for doc in documents if doc.metadata.doi),
    )
    assert counted == expected


@pytest.mark.parametrize(("name", "expected"), sorted(FIRST_AND_LAST.items()))
def test_first_and_last_entries_have_exact_titles(name: str, expected: tuple[str, str, str]) -> None:
    first_title, last_title, first_doi = expected
    documents = documents_of(read_shared(*FOLDER, name))
    assert documents[0].title == first_title
    assert documents[-1].title == last_title
    assert documents[0].metadata.doi == first_doi


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_every_real_document_keeps_the_span_invariants_and_plain_text(name: str) -> None:
    for document in documents_of(read_shared(*FOLDER, name)):
        assert_document_invariants(document)
        assert "{" not in document.text and "\\&" not in document.text


@pytest.mark.parametrize(
    ("name", "index", "field", "expected"),
    [
        (
            "litsearchr_WoS_corecollection_final_2.bib",
            0,
            "authors",
            ["Burton, Jesse A.", "Hallgren, Stephen W.", "Palmer, Michael W."],
        ),
        ("litsearchr_WoS_corecollection_final_2.bib", 0, "year", 2010),
        ("litsearchr_WoS_corecollection_final_2.bib", 0, "journal", "NATURAL AREAS JOURNAL"),
        ("litsearchr_WoS_corecollection_final_2.bib", 0, "publication_types", ["Article"]),
        ("p1m-ortho_CDSR_cochrane.bib", 1, "authors", ["Irusen, H", "Rohwer, AC", "Steyn, DW", "Young, T"]),
        ("p1m-ortho_CDSR_cochrane.bib", 0, "journal", "Cochrane Database of Systematic Reviews"),
        (
            "synthesisr_Scopus_bib_example.bib",
            0,
            "keywords",
            [
                "Environmental factors",
                "Lake Taihu",
                "lakeshore wetland",
                "reed",
                "soil fauna",
                "wetland restoration",
            ],
        ),
    ],
)
def test_real_metadata_fields(name: str, index: int, field: str, expected: object) -> None:
    assert getattr(documents_of(read_shared(*FOLDER, name))[index].metadata, field) == expected


def test_wos_escaped_ampersand_becomes_plain() -> None:
    documents = documents_of(read_shared(*FOLDER, "litsearchr_WoS_corecollection_final_2.bib"))
    texts = [doc.text for doc in documents]
    assert any("95% CL" in text for text in texts)


def test_field_name_with_a_space_is_kept_whole() -> None:
    path = shared_path(*FOLDER, "synthesisr_Scopus_bib_example.bib")
    with open_text(path) as stream:
        first = next(iter(bibtex.iter_entries(stream)))
    assert first is not None
    _, key, fields = bibtex.parse_entry(first, {})
    assert key == "Li2020"
    assert fields["funding_text 1"].startswith("The Special Fund for Forest Scientific Research")
    assert fields["source"] == "Scopus"


def test_corpus_example_expands_strings_and_skips_comments() -> None:
    documents = documents_of(read_all(CORPUS / "example_refs.bib"))
    assert [doc.title for doc in documents] == [
        "Outdoor play and myopia in children: a fictional trial",
        "A made-up survey of Cafe owners on noise",
    ]
    first = documents[0]
    assert first.metadata.journal == "International Journal of Examples"  # from @string
    assert first.metadata.authors == ["M\u00fcller, Jonas", "Garc\u00eda, Luc\u00eda", "Example Study Group"]
    assert first.abstract == (
        "Children (n = 120) were given >2 hours of outdoor play a day or usual care; "
        "myopia progression was 0.2 D smaller & slower."
    )
    assert documents[1].metadata.authors == ["Wei\u00df, Anna"]
    assert documents[1].metadata.extra["note"] == "Preprint only"


@pytest.mark.parametrize(
    ("latex", "expected"),
    [
        (r"G{\"o}teborg", "G\u00f6teborg"),
        (r"G\"{o}teborg", "G\u00f6teborg"),
        (r"{\'e}t{\'e}", "\u00e9t\u00e9"),
        (r"na\"{\i}ve", "na\u00efve"),
        (r"Fran\c{c}ois and \v{S}koda", "Fran\u00e7ois and \u0160koda"),
        (r"Smith \& Jones", "Smith & Jones"),
        (r"50\% {{Double}} braces", "50% Double braces"),
        (r"\emph{Quercus} \textit{alba}", "Quercus alba"),
        (r"pages 1--2 and $\alpha$", "pages 1\u20132 and \u03b1"),
        (r"cost \$5 {\ss}", "cost $5 \u00df"),
        (r"line \\ break", "line break"),
    ],
)
def test_latex_becomes_plain_text(latex: str, expected: str) -> None:
    assert bibtex.latex_to_text(latex) == expected


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("Burton, Jesse A. and Hallgren, Stephen W.", ["Burton, Jesse A.", "Hallgren, Stephen W."]),
        ("Smith, SR, Newton, K, Hill, JA, and Hill, J", ["Smith, SR", "Newton, K", "Hill, JA", "Hill, J"]),
        ("{Barnes and Noble Group} and Doe, J", ["Barnes and Noble Group", "Doe, J"]),
        ('M{\\"u}ller, J', ["M\u00fcller, J"]),
    ],
)
def test_authors_split_on_and(field: str, expected: list[str]) -> None:
    assert bibtex.split_authors(field) == expected


NESTED = (
    "\ufeffRecord #1 of 2\r\n"
    "@Article{ key one,\r\n"
    "  Title = {{The {R{\\'e}sum{\\'e}} of {\\\"O}resund {{nested}} braces}},\r\n"
    '  abstract = "Quoted value with {a brace} and a \\"{u} umlaut",\r\n'
    "  year = 2021,\r\n"
    "  author = {{\\O}stergaard, Anne}\r\n"
    "}\r\n"
    "Record #2 of 2\r\n"
    '@preamble{"\\newcommand{\\x}{y}"}\r\n'
    "@misc{two, title = {Second}, doi = {https://doi.org/10.5555/ABC}}\r\n"
)


def test_nested_braces_accents_bom_crlf_and_junk_lines(tmp_path: Path) -> None:
    documents = documents_of(read_all(write(tmp_path, "refs.bib", NESTED.encode())))
    assert [doc.title for doc in documents] == [
        "The R\u00e9sum\u00e9 of \u00d6resund nested braces",
        "Second",
    ]
    first = documents[0]
    assert first.abstract == "Quoted value with a brace and a \u00fc umlaut"
    assert first.metadata.year == 2021
    assert first.metadata.authors == ["\u00d8stergaard, Anne"]
    assert first.metadata.extra["key"] == "key one"
    assert documents[1].metadata.doi == "10.5555/abc"


def test_value_wrapped_without_indent_keeps_a_space_between_lines(tmp_path: Path) -> None:
    data = b"@article{k,\ntitle = {Words wrapped\nat the margin},\nabstract = {One\r\ntwo}\n}\n"
    (document,) = documents_of(read_all(write(tmp_path, "wrapped.bib", data)))
    assert (document.title, document.abstract) == ("Words wrapped at the margin", "One two")


def test_latin1_bibtex_is_decoded(tmp_path: Path) -> None:
    data = "@article{k, title = {Caf\u00e9 study}}\n".encode("latin-1")
    (document,) = documents_of(read_all(write(tmp_path, "refs.bib", data)))
    assert document.title == "Caf\u00e9 study"


def test_entry_with_a_lost_brace_fails_and_the_next_is_read(tmp_path: Path) -> None:
    data = b"@article{a, title = {Open brace never closed,\n year = 2000,\n\n@article{b, title = {Read}}\n"
    items = list(bibtex.read(write(tmp_path, "broken.bib", data), Limits()))
    assert [type(item).__name__ for item in items] == ["RecordFailure", "Document"]
    assert items[1].title == "Read"


def test_entry_with_neither_title_nor_abstract_fails_alone(tmp_path: Path) -> None:
    data = b"@article{a, title = {One}}\n@article{b, year = {2000}}\n@article{c, abstract = {Three}}\n"
    items = read_all(write(tmp_path, "gap.bib", data))
    assert [failure.record for failure in failures_of(items)] == ["entry 2"]
    assert [doc.record_index for doc in documents_of(items)] == [1, 3]


@pytest.mark.parametrize(
    ("data", "error"),
    [(b"no entries here, only prose\n", MalformedDocument), (b"\n\n", EmptyDocument)],
)
def test_files_without_entries_raise_typed_errors(tmp_path: Path, data: bytes, error: type) -> None:
    with pytest.raises(error):
        list(bibtex.read(write(tmp_path, "bad.bib", data), Limits()))


@pytest.mark.parametrize(
    ("head", "name", "expected"),
    [
        (b"\xef\xbb\xbf\n@article{ ISI:1,\nAuthor = {A}}\n", "a.bib", 0.95),
        (b"Record #1 of 56\r\n@article{Smith16,\r\n", "a.txt", 0.9),
        (b"% comment\n@ARTICLE{Li2020,\n", "a.txt", 0.9),
        (b"write to someone@example{.org} for data\n", "a.txt", 0.0),
        (b"TY  - JOUR\n", "a.ris", 0.0),
    ],
)
def test_sniff_scores_content_first(head: bytes, name: str, expected: float) -> None:
    assert bibtex.sniff(head, Path(name)) == pytest.approx(expected, abs=0.01)


def test_an_entry_cut_at_the_end_of_the_file_gives_its_whole_fields_and_a_failure(tmp_path: Path) -> None:
    data = (b'@article{a, title = {Walking breaks during shifts}, author = "Roe, Ann and Poe, Ed",\n'
            b' journal = {Journal of Invented Work}, year = 2021,\n abstract = {We randomised 48 workers.},\n'
            b' doi = "10.5555/cut.1",\n url')
    document, failure = bibtex.read(write(tmp_path, "cut.bib", data), Limits())
    assert (document.title, document.abstract) == ("Walking breaks during shifts", "We randomised 48 workers.")
    assert (document.metadata.authors, document.metadata.year, document.metadata.doi) == (
        ["Roe, Ann", "Poe, Ed"], 2021, "10.5555/cut.1")
    assert document.warnings and "cut off" in document.warnings[0]
    assert (failure.kind, failure.record) == ("partial", "entry 1") and "fields before the cut" in failure.message


def test_a_field_cut_in_the_middle_is_left_out_and_named(tmp_path: Path) -> None:
    data = b'@article{a, title = {A trial of naps}, year = {2019}, abstract = {We randomised 40 nur'
    document, failure = bibtex.read(write(tmp_path, "cut.bib", data), Limits())
    assert document.title == "A trial of naps" and not document.abstract and document.metadata.year == 2019
    assert "abstract is cut in the middle" in failure.message and "abstract" in document.warnings[0]


def test_an_entry_cut_by_the_next_keeps_its_whole_fields_and_the_next_is_read(tmp_path: Path) -> None:
    data = b"@article{a, title = {Kept whole}, note = {never closed\n\n@article{b, title = {Read}}\n"
    items = list(bibtex.read(write(tmp_path, "cut.bib", data), Limits()))
    assert [type(item).__name__ for item in items] == ["Document", "RecordFailure", "Document"]
    assert [items[0].title, items[2].title] == ["Kept whole", "Read"] and "note" in items[1].message
