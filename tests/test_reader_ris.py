"""RIS reader: real database exports from ../shared/formats/ris, plus edge cases written in tmp_path."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from conftest import (
    CORPUS,
    assert_document_invariants,
    count_and_peak_memory,
    documents_of,
    failures_of,
    read_all,
    read_shared,
    shared_path,
    write,
)
from extractor import readers
from extractor.errors import EmptyDocument, MalformedDocument
from extractor.readers import ris
from extractor.readers.base import Limits, RecordFailure, squash
from extractor.types import Document

FOLDER = ("formats", "ris")

# Counts made independently of the reader: `grep -c '^TY  -'` (BOM stripped first), `grep -c '^AB  -\|^N2  -'`,
# records with a DO line.
# file -> (records, with abstract, with DOI)
COUNTS = {
    "asreview_embase.ris": (6, 6, 6),
    "asreview_ovid_psycinfo.ris": (6, 6, 6),
    "asreview_pubmed_endnote.txt": (6, 6, 6),
    "asreview_scopus.ris": (6, 6, 6),
    "citesource_WoS_79.ris": (79, 76, 70),
    "citesource_gambling-harms_lens_49.ris": (49, 49, 42),
}

# file -> (first title, last title, first DOI, first PMID)
FIRST_AND_LAST = {
    "asreview_embase.ris": (
        "Duplication cysts: Diagnosis, management, and the role of endoscopic ultrasound",
        "Completely Isolated Retroperitoneal Enteric Duplication Cyst with Adenocarcinoma Transformation "
        "Managed with Robotic Radical Nephrectomy",
        "10.4103/2303-9027.138783",
        None,
    ),
    "asreview_ovid_psycinfo.ris": (
        "The influence of self-criticism on depression symptoms among ambulatory patients with inflammatory "
        "bowel disease.",
        "Psychological outcomes of a cognitive behavioral therapy for youth with inflammatory bowel disease: "
        "Results of the happy-ibd randomized controlled trial at 6- and 12-month follow-up.",
        "10.1002/cpp.2398",
        None,
    ),
    "asreview_pubmed_endnote.txt": (
        "Boswellia serrata: an overall assessment of in vitro, preclinical, pharmacokinetic and clinical data",
        "Indigo Naturalis Ameliorates Oxazolone-Induced Dermatitis but Aggravates Colitis by Changing the "
        "Composition of Gut Microflora",
        "10.2165/11586800-000000000-00000",
        "21553931",
    ),
    "asreview_scopus.ris": (
        "Stress and the brain-gut axis in functional and chronic-inflammatory gastrointestinal diseases: "
        "A transdisciplinary challenge",
        "Role of brain imaging in disorders of brain-gut interaction: A Rome Working Team Report",
        "10.1016/j.psyneuen.2019.104501",
        None,
    ),
    "citesource_WoS_79.ris": (
        "Marital Status and Problem Gambling among Older Adults: An Examination of Social Context and Social "
        "Motivations",
        "Two Nice Girls: The Psychogeography of Renee Vivien and Romaine Brooks",
        "10.1017/s071498081800017x",
        None,
    ),
    "citesource_gambling-harms_lens_49.ris": (
        "Benchmarking gambling screens to health-state utility: The PGSI and the SGHS estimate similar levels "
        "of population gambling-harm",
        "Social Costs of Gambling Harm in Italy",
        "10.31234/osf.io/fu4mj",
        None,
    ),
}

@pytest.mark.parametrize("name", sorted(COUNTS))
def test_real_export_is_sniffed_as_ris(name: str) -> None:
    path = shared_path(*FOLDER, name)
    assert readers.detect_format(path) == "ris"


@pytest.mark.parametrize(("name", "expected"), sorted(COUNTS.items()))
def test_real_export_yields_one_document_per_record(name: str, expected: tuple[int, int, int]) -> None:
    items = read_shared(*FOLDER, name)
    documents = documents_of(items)
    assert failures_of(items) == []
    counted = (
        len(documents),
        sum(1 for doc in documents if doc.abstract),
        sum(1 for doc in documents if doc.metadata.doi),
    )
    assert counted == expected
    assert [doc.record_index for doc in documents] == list(range(1, len(documents) + 1))
    assert {doc.format for doc in documents} == {"ris"}


@pytest.mark.parametrize(("name", "expected"), sorted(FIRST_AND_LAST.items()))
def test_first_and_last_records_have_exact_titles_and_ids(name: str, expected: tuple) -> None:
    first_title, last_title, first_doi, first_pmid = expected
    documents = documents_of(read_shared(*FOLDER, name))
    assert documents[0].title == first_title
    assert documents[-1].title == last_title
    assert documents[0].metadata.doi == first_doi
    assert documents[0].metadata.pmid == first_pmid


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_every_real_document_keeps_the_span_invariants(name: str) -> None:
    for document in documents_of(read_shared(*FOLDER, name)):
        assert_document_invariants(document)
        assert document.doc_id.startswith(Path(name).stem + "/")


@pytest.mark.parametrize(
    ("name", "index", "field", "expected"),
    [
        ("asreview_embase.ris", 0, "authors", ["Liu R.", "Adler D.G."]),
        ("asreview_embase.ris", 0, "year", 2014),
        ("asreview_embase.ris", 0, "journal", "Endoscopic Ultrasound"),
        ("asreview_embase.ris", 0, "publication_types", ["Article"]),
        ("asreview_ovid_psycinfo.ris", 0, "journal", "Clinical Psychology & Psychotherapy"),
        ("asreview_pubmed_endnote.txt", 0, "year", 2011),
        (
            "asreview_pubmed_endnote.txt",
            0,
            "authors",
            ["Abdel-Tawab, M.", "Werz, O.", "Schubert-Zsilavecz, M."],
        ),
        (
            "citesource_WoS_79.ris",
            0,
            "journal",
            "CANADIAN JOURNAL ON AGING-REVUE CANADIENNE DU VIEILLISSEMENT",
        ),
        ("citesource_gambling-harms_lens_49.ris", 0, "url", "https://lens.org/001-257-578-706-377"),
    ],
)
def test_real_metadata_fields(name: str, index: int, field: str, expected: object) -> None:
    assert getattr(documents_of(read_shared(*FOLDER, name))[index].metadata, field) == expected


def test_endnote_keyword_continuation_lines_become_separate_keywords() -> None:
    keywords = documents_of(read_shared(*FOLDER, "asreview_pubmed_endnote.txt"))[0].metadata.keywords
    assert keywords[:3] == [
        "Animals",
        "Anti-Inflammatory Agents/adverse effects/pharmacokinetics/*pharmacology",
        "Boswellia/*chemistry",
    ]


def test_bare_cr_separated_wos_tags_are_read_as_their_own_lines() -> None:
    first = documents_of(read_shared(*FOLDER, "citesource_WoS_79.ris"))[0]
    assert first.metadata.extra["accession"] == "WOS:000440314900007"  # AN hides after a bare CR
    assert "Total Times Cited:  12" in "\n".join(first.metadata.extra["notes"])


def test_lens_abstract_markup_is_stripped_to_labelled_text() -> None:
    lens = documents_of(read_shared(*FOLDER, "citesource_gambling-harms_lens_49.ris"))
    abstracts = [doc.abstract or "" for doc in lens]
    assert not [text for text in abstracts if "<jats:" in text or "<AbstractText" in text or "</" in text]
    assert any(text.startswith("Background and aims: Legacy gambling harms") for text in abstracts)
    assert any("\nMethods: An online survey" in text for text in abstracts)


def test_corpus_example_reads_with_continuation_and_pubmed_accession() -> None:
    documents = documents_of(read_all(CORPUS / "example_citations.ris"))
    assert [doc.title for doc in documents] == [
        "Walking breaks during desk work and afternoon fatigue: a fictional crossover trial",
        "Reminder letters and return of home stool tests: an invented cluster randomised study",
    ]
    assert documents[0].metadata.doi == "10.5555/example.ris.001"
    assert documents[0].metadata.extra["notes"] == ["ASReview_relevant"]
    assert documents[1].metadata.pmid == "99999902"
    assert documents[1].doc_id == "example_citations/99999902"


TWO_RECORDS = (
    "TY  - JOUR\nTI  - Caf\u00e9 noise and na\u00efve listeners\nAB  - Sixty listeners rated noise.\nER  - \n"
    "TY  - JOUR\nTI  - Second invented study\nAB  - It had an abstract too.\nER  - \n"
)


@pytest.mark.parametrize(
    ("label", "data"),
    [
        ("latin-1 re-encoded", TWO_RECORDS.encode("latin-1")),
        ("cp1252 re-encoded", TWO_RECORDS.encode("cp1252")),
        ("utf-8 with BOM and CRLF", b"\xef\xbb\xbf" + TWO_RECORDS.replace("\n", "\r\n").encode()),
        ("bare CR line ends", TWO_RECORDS.replace("\n", "\r").encode()),
        (
            "leading blank lines and record numbers",
            (
                "\n\n1.\n" + TWO_RECORDS.replace("TY  - JOUR\nTI  - Second", "2.\nTY  - JOUR\nTI  - Second")
            ).encode(),
        ),
        ("utf-16 with BOM", TWO_RECORDS.encode("utf-16")),
    ],
)
def test_encodings_and_line_ends_all_read_the_same(tmp_path: Path, label: str, data: bytes) -> None:
    documents = documents_of(read_all(write(tmp_path, "refs.ris", data)))
    assert [doc.title for doc in documents] == [
        "Caf\u00e9 noise and na\u00efve listeners",
        "Second invented study",
    ]
    assert documents[0].abstract == "Sixty listeners rated noise."


def test_a_large_latin1_file_is_streamed_in_an_encoding_chosen_from_its_head(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ris, "WHOLE_FILE_BYTES", 0)  # force the streaming path
    path = write(tmp_path, "refs.ris", TWO_RECORDS.encode("latin-1"))
    documents = documents_of(ris.read(path, Limits()))
    assert documents[0].title == "Caf\u00e9 noise and na\u00efve listeners"


def test_gzipped_export_is_read(tmp_path: Path) -> None:
    path = write(tmp_path, "refs.ris.gz", gzip.compress(TWO_RECORDS.encode()))
    assert [document.title for document in documents_of(read_all(path))][1] == "Second invented study"


@pytest.mark.parametrize("records", [2, 2000])  # cut inside the head, and after it
def test_gzip_cut_short_is_a_typed_error(tmp_path: Path, records: int) -> None:
    whole = gzip.compress(synthetic_export(records))
    path = write(tmp_path, "cut.ris.gz", whole[: len(whole) - 40])
    with pytest.raises(MalformedDocument):
        list(ris.read(path, Limits()))


def test_continuation_lines_join_the_tag_before_them(tmp_path: Path) -> None:
    data = b"TY  - JOUR\nTI  - A title that\n   wraps onto a second line\nAB  - First line.\nSecond line.\nER  -\n"
    (document,) = list(ris.read(write(tmp_path, "wrap.ris", data), Limits()))
    assert isinstance(document, Document)
    assert document.title == "A title that wraps onto a second line"
    assert squash(document.abstract) == "First line. Second line."


def test_unknown_tags_are_tolerated(tmp_path: Path) -> None:
    data = b"TY  - JOUR\nZZ  - something new\nX9  - odd\nTI  - Still read\nER  -\n"
    (document,) = list(ris.read(write(tmp_path, "odd.ris", data), Limits()))
    assert isinstance(document, Document) and document.title == "Still read"


def test_records_without_ty_are_still_read_between_er_lines(tmp_path: Path) -> None:
    data = b"TI  - First without TY\nPY  - 2001\nER  -\nTI  - Second without TY\nER  -\n"
    documents = list(ris.read(write(tmp_path, "no_ty.txt", data), Limits()))
    assert [doc.title for doc in documents_of(documents)] == [
        "First without TY",
        "Second without TY",
    ]
    assert documents[0].metadata.year == 2001


def test_record_with_neither_title_nor_abstract_fails_alone(tmp_path: Path) -> None:
    data = b"TY  - JOUR\nTI  - Kept\nER  -\nTY  - JOUR\nAU  - Nobody, A\nER  -\nTY  - JOUR\nAB  - Also kept\nER  -\n"
    items = read_all(write(tmp_path, "gap.ris", data))
    failures = failures_of(items)
    assert [failure.record for failure in failures] == ["record 2"]
    assert [(doc.record_index, doc.title or doc.abstract) for doc in documents_of(items)] == [
        (1, "Kept"),
        (3, "Also kept"),
    ]


def test_record_failure_is_a_record_failure_from_the_reader(tmp_path: Path) -> None:
    items = list(ris.read(write(tmp_path, "gap.ris", b"TY  - JOUR\nPY  - 2000\nER  -\n"), Limits()))
    assert isinstance(items[0], RecordFailure) and items[0].kind == "malformed"


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"nothing here looks like RIS\nat all\n", MalformedDocument),
        (b"   \n\n", EmptyDocument),
    ],
)
def test_files_without_records_raise_typed_errors(tmp_path: Path, data: bytes, error: type) -> None:
    with pytest.raises(error):
        list(ris.read(write(tmp_path, "bad.ris", data), Limits()))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://doi.org/10.1000/ABC.123", "10.1000/abc.123"),
        ("http://dx.doi.org/10.1002/cpp.2398", "10.1002/cpp.2398"),
        ("doi: 10.1000/xyz.", "10.1000/xyz"),
        ("10.1000/plain", "10.1000/plain"),
    ],
)
def test_doi_loses_resolver_prefix_and_case(raw: str, expected: str) -> None:
    assert ris.normalise_doi(raw) == expected


@pytest.mark.parametrize(
    ("head", "name", "expected"),
    [
        (b"\xef\xbb\xbfTY  - JOUR\nTI  - x\n", "a.ris", 0.95),
        (b"\n\n1.\nTY  - JOUR\n", "a.txt", 0.95),
        (b"Provider: somewhere\nTY  - JOUR\n", "a.txt", 0.8),
        (b"TI  - x\nAU  - y\nER  - \n", "a.txt", 0.6),
        (b"PMID- 123\nTI  - x\nAB  - y\n", "a.txt", 0.0),
        (b"@article{key,\n", "a.bib", 0.0),
    ],
)
def test_sniff_scores_content_first(head: bytes, name: str, expected: float) -> None:
    assert ris.sniff(head, Path(name)) == pytest.approx(expected, abs=0.05)


def synthetic_export(count: int) -> bytes:
    record = (
        "TY  - JOUR\nTI  - Invented record {n} about walking\nAU  - Person, A\nPY  - 2020\n"
        "AB  - " + "An invented abstract sentence. " * 12 + "\nER  - \n\n"
    )
    return "".join(record.format(n=n) for n in range(count)).encode()


def test_memory_stays_flat_as_a_streamed_file_grows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ris, "WHOLE_FILE_BYTES", 0)  # what a file over 50 MB gets
    small, large = (
        write(tmp_path, "small.ris", synthetic_export(200)),
        write(tmp_path, "large.ris", synthetic_export(2000)),
    )
    small_count, small_peak = count_and_peak_memory(ris.read, small)
    large_count, large_peak = count_and_peak_memory(ris.read, large)
    assert (small_count, large_count) == (200, 2000)
    assert large_peak < 3 * small_peak  # ten times the records, not ten times the memory


@pytest.mark.parametrize("count", [1, 5, 60, 200, 250])
def test_head_lines_shared_by_the_sniffers_are_the_head_cut_at_line_breaks(count: int) -> None:
    head = "".join(f"L{i}\r\n" if i % 3 else f"L{i}\r" if i % 2 else f"L{i}\n" for i in range(300)).encode()
    import re

    expected = re.split(r"\r\n|\r|\n", head.decode())[:count]
    first = ris.head_lines(head, count)
    first.append("changed by a caller")  # a caller's list is its own
    assert ris.head_lines(head, count) == expected
    assert ris.head_lines(b"\xef\xbb\xbfTY  - JOUR\nER  -", 60) == ["TY  - JOUR", "ER  -"]
