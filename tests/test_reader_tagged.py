"""Tagged citation exports (AUTHOR=... TITLE=... ABSTRACT=...)."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import (
    CORPUS,
    assert_document_invariants,
    documents_of,
    failures_of,
    only_document,
    read_all,
    shared_path,
)
from extractor.readers import detect_format
from extractor.readers.tagged import split_glued_headings


def test_seed_tagged_export_reads_fields_and_sections() -> None:
    path = shared_path("corpus", "seeds", "003_ca33390195db33ec.txt")
    assert detect_format(path) == "tagged"
    document = only_document(path)
    assert document.doc_id == "003_ca33390195db33ec"
    assert document.title == (
        "Improved mental health for women receiving infant mental health home visiting: "
        "a randomized controlled trial"
    )
    assert document.metadata.year == 2025
    assert document.metadata.journal == "Frontiers in Psychology"
    assert document.metadata.doi == "10.3389/fpsyg.2025.1597655"
    assert document.metadata.authors[0] == "Jester Jennifer M."
    assert [s.heading for s in document.sections] == [
        "Introduction", "Method", "Results", "Discussion", "Clinical trial registration"
    ]
    assert document.registrations == ["NCT03175796"]
    assert document.span_text(document.title_span) == document.title
    assert document.span_text(document.abstract_span) == document.abstract
    assert document.abstract.startswith("Introduction\nThis study evaluates")
    assert_document_invariants(document)


def test_own_example_reads() -> None:
    document = only_document(CORPUS / "example_tagged_citation.txt")
    assert document.format == "tagged"
    assert document.title.startswith("Group sessions for fathers of toddlers")
    assert document.registrations == ["ISRCTN99999999"]


def test_several_records_get_one_document_each(tmp_path: Path) -> None:
    path = tmp_path / "export.txt"
    path.write_text(
        "AUTHOR=A B TITLE=First trial of something YEAR=2020 DOI=10.1/aa ABSTRACT=Text one.\n\n"
        "AUTHOR=C D TITLE=Second trial of something YEAR=2021 ABSTRACT=Text two.\n\n"
        "AUTHOR=E F YEAR=2022\n",
        encoding="utf-8",
    )
    items = read_all(path)
    documents = documents_of(items)
    failures = failures_of(items)
    assert [d.doc_id for d in documents] == ["export/10.1/aa", "export/2"]
    assert [d.metadata.year for d in documents] == [2020, 2021]
    assert len(failures) == 1 and failures[0].record == "record 3"


@pytest.mark.parametrize(
    ("abstract", "expected"),
    [
        ("IntroductionThis study.MethodsWe did.ResultsIt worked.", [("Introduction", "This study."), ("Methods", "We did."), ("Results", "It worked.")]),
        ("No headings here. Results were good.", [(None, "No headings here. Results were good.")]),
        ("Plain start.ConclusionsDone.", [(None, "Plain start."), ("Conclusions", "Done.")]),
    ],
)
def test_glued_headings_are_split(abstract: str, expected: list) -> None:
    assert split_glued_headings(abstract) == expected
