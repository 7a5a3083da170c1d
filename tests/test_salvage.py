"""Damaged citation files give what they still hold: whole fields and whole records, the lost part named in a
warning and in a ``partial`` failure; a file with nothing whole left still fails with one line. Invented records,
then the issue's dev file when ../shared is there."""

from __future__ import annotations

from pathlib import Path

from conftest import shared_path, write
from extractor.readers import read_path
from extractor.types import Document, Failure

RIS_WHOLE = "TY  - JOUR\nTI  - A whole invented record\nAB  - A whole abstract.\nER  - \n\n"
MEDLINE_WHOLE = "PMID- 11111111\nTI  - A whole invented record.\nAB  - Whole.\nSO  - J Invent. 2020;1:1.\n\n"


def split(items: list[Document | Failure]) -> tuple[list[Document], list[Failure]]:
    return ([item for item in items if isinstance(item, Document)],
            [item for item in items if isinstance(item, Failure)])


def test_a_ris_record_cut_in_its_abstract_keeps_its_whole_fields(tmp_path: Path) -> None:
    data = RIS_WHOLE + "TY  - JOUR\nTI  - The cut record\nAU  - Roe, Ann\nPY  - 2021\nAB  - Background. It was cu"
    documents, [failure] = split(list(read_path(write(tmp_path, "cut.ris", data.encode()))))
    assert [d.title for d in documents] == ["A whole invented record", "The cut record"]
    cut = documents[1]
    assert (cut.abstract, cut.metadata.authors, cut.metadata.year) == (None, ["Roe, Ann"], 2021)
    assert "AB" in cut.warnings[-1] and "cut" in cut.warnings[-1]
    assert (failure.kind, failure.record) == ("partial", "record 2") and "AB" in failure.message


def test_a_ris_record_cut_after_a_whole_sentence_keeps_it(tmp_path: Path) -> None:
    data = RIS_WHOLE + "TY  - JOUR\nTI  - The cut record\nAB  - A whole last sentence.\n"
    documents, [failure] = split(list(read_path(write(tmp_path, "cut.ris", data.encode()))))
    assert documents[1].abstract == "A whole last sentence." and failure.kind == "partial"


def test_a_ris_file_with_nothing_whole_fails_with_one_line(tmp_path: Path) -> None:
    [failure] = list(read_path(write(tmp_path, "cut.ris", b"TY  - JOUR\nTI  - Half a tit")))
    assert isinstance(failure, Failure) and failure.kind == "malformed" and "\n" not in failure.one_line()


def test_a_medline_record_cut_in_its_abstract_keeps_its_whole_fields(tmp_path: Path) -> None:
    data = MEDLINE_WHOLE + "PMID- 22222222\nTI  - The cut record.\nFAU - Roe, Ann\nAB  - Background: it was cu"
    documents, [failure] = split(list(read_path(write(tmp_path, "cut.nbib", data.encode()))))
    assert [d.title for d in documents] == ["A whole invented record.", "The cut record."]
    assert (documents[1].abstract, documents[1].metadata.pmid) == (None, "22222222")
    assert (failure.kind, failure.record) == ("partial", "record 2 (PMID 22222222)") and "AB" in failure.message


def test_a_whole_medline_record_without_a_source_line_is_not_taken_for_a_cut_one(tmp_path: Path) -> None:
    items = list(read_path(write(tmp_path, "one.nbib", b"PMID- 1\nTI  - An invented title\nAB  - Text\n")))
    [document] = items
    assert isinstance(document, Document) and document.abstract == "Text" and not document.warnings


def test_a_medline_file_cut_in_its_only_title_fails_with_one_line(tmp_path: Path) -> None:
    [failure] = list(read_path(write(tmp_path, "cut.nbib", b"PMID- 1\nTI  - Half a tit")))
    assert isinstance(failure, Failure) and failure.kind == "malformed" and "\n" not in failure.one_line()


def test_the_issues_cut_bibtex_dev_file_is_read_with_a_partial_failure() -> None:
    items = list(read_path(shared_path("corpus", "dev", "r03_nanchang_ace_depression_suicide_cs.txt")))
    [document], [failure] = split(items)
    assert document.title and document.abstract and document.metadata.authors[0] == "Jia, Zhihui"
    assert document.warnings and failure.kind == "partial"


def test_the_command_line_says_a_salvaged_file_was_partly_read_and_stores_its_record(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from extractor.cli import cli
    data = RIS_WHOLE + "TY  - JOUR\nTI  - The cut record\nPY  - 2021\nAB  - Background. It was cu"
    path = write(tmp_path, "cut.ris", data.encode())
    result = CliRunner().invoke(cli, ["extract", str(path), "--db", str(tmp_path / "x.db"), "-q",
                                      "--jsonl", str(tmp_path / "out.jsonl")], catch_exceptions=False)
    lines = [line for line in result.stderr.splitlines() if "cut.ris" in line]
    assert result.exit_code == 1 and len(lines) == 1 and lines[0].startswith("partly read")
    assert len((tmp_path / "out.jsonl").read_text().splitlines()) == 2
