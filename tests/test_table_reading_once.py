"""Table reading done once per line or text (issue 20 item 3): the shortcuts give the answers of a full read."""

from __future__ import annotations

import pytest

from extractor.extract.units import tables

HEADER = "Author (year) N Instruments Pre M (SD) Post M (SD) Pre-post ES"
STUDY_TABLE = """Table 2. Randomised trials of home visiting

Study | N | Design
Olds (1997) | 400 | RCT
Kitzman (2000) | 743 | RCT
Barlow (2007) | 131 | RCT
"""


def test_a_header_read_again_gives_new_lists_with_the_same_cells() -> None:
    first = tables.spaced_header(7, HEADER)
    assert first is not None
    cells, roles = first
    cells.append(tables.Cell("extra", 0, 5))  # a caller's own list: the next reader must not see this
    roles.clear()
    again = tables.spaced_header(7, HEADER)
    assert again is not None and again[0] is not cells and again[1] is not roles
    assert [cell.text for cell in again[0]] == ["Author (year)", "N", "Instruments", "Pre", "M (SD)", "Post", "M (SD)",
                                                "Pre-post ES"]
    assert again[0][0].start == 7  # offsets follow the line's start
    assert again[1][2] == {"outcome"} and again[1][-1] == {"measure:ES"}


@pytest.mark.parametrize(("line", "header"), [
    ("Study N Country Design Outcome Effect Size", True),  # every word a header wording
    ("Study N Country Banana Design Outcome Effect Size", True),  # one word no wording covers is allowed
    ("Study N Country Banana Apple Design Outcome Effect Size", False),  # two are too many for eight words
])
def test_a_line_stops_being_a_header_at_the_uncovered_words_a_full_read_counts(line: str, header: bool) -> None:
    assert (tables.spaced_header(0, line) is not None) is header


def test_wordings_are_tried_longest_first_whatever_letter_they_start_with() -> None:
    found = tables.spaced_header(0, "Outcome N Mean Difference or Odds Ratio")
    assert found is not None
    cells, roles = found
    assert [cell.text for cell in cells] == ["Outcome", "N", "Mean Difference or Odds Ratio"]
    assert roles[2] == {"measure:MD", "measure:OR"}  # one column printing either measure
    assert tables.first_measure("Mean Difference or Odds Ratio") == "MD"
    assert tables.header_roles("Mean difference (95% CI)") == {"measure:MD", "ci"}


def test_rows_of_studies_over_the_whole_text_are_those_of_its_tables() -> None:
    whole = tables.study_rows(STUDY_TABLE)
    assert [label.text for _, _, label in whole] == ["Olds (1997)", "Kitzman (2000)", "Barlow (2007)"]
    part = tables.study_rows(STUDY_TABLE, 0, len(STUDY_TABLE) - 1)  # a range read afresh
    assert [label.text for _, _, label in part] == [label.text for _, _, label in whole]
    assert tables.counted_noun("Table 1. Trials of mothers and children", 0, 40) == "mothers"
