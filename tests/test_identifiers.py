"""Registry IDs, DOIs and PMIDs found in text."""

from __future__ import annotations

import pytest

from extractor.identifiers import clean_doi, find_identifiers, find_registrations


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ClinicalTrials.gov registration: NCT02653716 .", ["NCT02653716"]),
        ("registered (nct 01234567) in 2019", ["NCT01234567"]),
        ("ISRCTN 12345678 and ISRCTN87654321", ["ISRCTN12345678", "ISRCTN87654321"]),
        ("ACTRN12618000123456", ["ACTRN12618000123456"]),
        ("German register DRKS00012345.", ["DRKS00012345"]),
        ("ChiCTR-IOR-17013557 and ChiCTR2000031234", ["CHICTR-IOR-17013557", "CHICTR2000031234"]),
        ("CTRI/2019/05/019123", ["CTRI/2019/05/019123"]),
        ("EudraCT number 2015-001234-56", ["2015-001234-56"]),
        ("PROSPERO CRD42019123456", ["CRD42019123456"]),
        ("Iranian Registry IRCT20100414003706N38.", ["IRCT20100414003706N38"]),
        ("Netherlands Trial Register NTR1234.", ["NTR1234"]),
        ("funded by NTR1234 grant", []),
        ("UMIN000012345 and jRCTs031190001", ["UMIN000012345", "jRCTs031190001"]),
        ("PACTR201905123456789", ["PACTR201905123456789"]),
        ("no ids: NCT0265 or ABCNCT02653716X", []),
        # the cheap tests that let a text skip the EudraCT and NTR patterns still let every written form through
        ("eudract 2015-001234-56; EU CT 2016-001234-99", ["2015-001234-56", "2016-001234-99"]),
        ("EU CTR\u00a02016-004321-12 and eu ct: 2017-001111-22", ["2016-004321-12", "2017-001111-22"]),
        ("Dutch Trial Register NL7413 (online only)", ["NL7413"]),
        ("registered online only in the Netherlands: nl7413, ntr1234", []),
    ],
)
def test_registrations_are_found_and_normalised(text: str, expected: list[str]) -> None:
    assert [identifier.value for identifier in find_registrations(text)] == expected


def test_spans_point_at_the_registration() -> None:
    text = "Trial registration: ISRCTN 12345678."
    [identifier] = find_registrations(text)
    assert text[identifier.start : identifier.end] == "ISRCTN 12345678"


@pytest.mark.parametrize(
    ("raw", "doi"),
    [
        ("10.1038/s41591-025-03534-9.", "10.1038/s41591-025-03534-9"),
        ("10.1016/S0140-6736(20)30001-1)", "10.1016/s0140-6736(20)30001-1"),
        ("10.1002/abc.123;", "10.1002/abc.123"),
    ],
)
def test_doi_trailing_punctuation_is_dropped(raw: str, doi: str) -> None:
    assert clean_doi(raw) == doi


def test_pmid_and_pmcid_are_found() -> None:
    found = {(i.scheme, i.value) for i in find_identifiers("PMCID: PMC9622525  PMID: 35680711")}
    assert found == {("pmcid", "PMC9622525"), ("pmid", "35680711")}
