"""Study units: citations that open lines split a multi-study document."""

from __future__ import annotations

import pytest

from extractor.extract.units.segment import study_units
from extractor.readers.text import parse_plain_text

DECK = """Evidence on parent-infant programmes

Smith and Jones (2014) included 18 studies of home visiting. A meta-analysis found d = .23.

Brown et al. (2011) included 10 controlled studies of sensitivity training (g = 0.32).

Green (2008) included 29 studies of video feedback.

Questions from the floor.
"""


def test_citations_opening_lines_become_units() -> None:
    units = study_units(parse_plain_text(DECK, "deck.txt"))
    assert [u.label for u in units] == ["Smith and Jones (2014)", "Brown et al. (2011)", "Green (2008)"]
    assert DECK[units[1].start : units[1].end].startswith("Brown et al. (2011) included 10")
    assert "Green" not in DECK[units[1].start : units[1].end]


def test_a_single_study_document_is_one_unnamed_unit() -> None:
    text = "A trial of coaching\n\nAbstract\nSmith (2010) reported benefits. We randomised 80 parents."
    assert [(u.label, u.start) for u in study_units(parse_plain_text(text, "x.txt"))] == [(None, 0)]


def test_reference_lists_do_not_make_units() -> None:
    text = "A trial of coaching\n\nWe randomised 80 parents.\n\nReferences\nSmith (2010) Title one.\nJones (2012) Title two.\n"
    assert len(study_units(parse_plain_text(text, "x.txt"))) == 1


def test_named_studies_on_slides_become_units() -> None:
    text = "Two studies\n\nStudy A: walking and blood pressure\n120 adults randomised\n\nStudy B: reminder letters\nOdds ratio 1.7"
    units = study_units(parse_plain_text(text, "deck.txt"))
    assert [u.label for u in units] == ["Study A", "Study B"]


LINKED_TABLE = """Programmes and their evidence

ProgrammeLinkSummary
Video coachinghttps://example.org/trials/video-coaching.pdfCoaching improved sensitivity (d = 0.41) in 120 mothers.
PEERS | https://example.org/peers Peer groups reduced symptoms in a pilot of 40 adolescents.
Home visits\thttps://example.org/hv Visits reduced emergency attendances (OR 0.62).
"""


@pytest.mark.parametrize(
    ("text", "labels"),
    [
        (LINKED_TABLE, ["Video coaching", "PEERS", "Home visits"]),
        # identifier, registry and contact lines that link somewhere are not studies
        ("A trial\n\nWe randomised 80 parents.\nDOI: https://doi.org/10.1/x\nClinicalTrials.gov https://clinicaltrials.gov/"
         "ct2/show/NCT01234567\nData available https://osf.io/abcde\n", [None]),
        # one linked row is not a table of studies
        ("A trial\n\nWe randomised 80 parents.\nCoaching manual https://example.org/manual describes the sessions.\n",
         [None]),
    ],
)
def test_table_rows_that_link_to_their_source_become_units(text: str, labels: list[str | None]) -> None:
    assert [u.label for u in study_units(parse_plain_text(text, "table.txt"))] == labels


def test_years_after_prepositions_are_dates_not_citations() -> None:
    text = "A survey\n\nIn 2007 the clinic opened.\nIn 2010 a second clinic opened.\nThe 2012 audit counted 400 visits.\n"
    assert [u.label for u in study_units(parse_plain_text(text, "x.txt"))] == [None]
